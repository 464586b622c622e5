//! Two generals: no finite protocol over a lossy channel guarantees that both attack or
//! neither (Akkoyunlu, Ekanadham and Huber, "Some constraints and tradeoffs in the design of
//! network communications", SOSP 1975; Gray, "Notes on data base operating systems", 1978).
//! For every chain length and rule tried, the run that loses the last message leaves one
//! general alone; the measured rate of that over many seeds matches the exact chance; and
//! the two are never both certain of the other's attack.

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::two_generals::odds::{
    attacks, certainty, delivered, disagreement, natural_rule,
};
use failscope_labs::two_generals::*;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, SECOND};
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<General>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run::<General>(&TwoGeneralsLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("two-generals", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn days(run: &Run) -> (Vec<Day>, Vec<Day>) {
    let w = run.world();
    (
        w.durable(0).unwrap().days.clone(),
        w.durable(1).unwrap().days.clone(),
    )
}

/// Days decided and days on which exactly one attacked.
fn alone(run: &Run) -> (u64, u64) {
    let (a, b) = days(run);
    let n = a.len().min(b.len());
    let alone = (0..n).filter(|&d| a[d].attacked != b[d].attacked).count();
    (n as u64, alone as u64)
}

/// Every rule worth the name for a chain of k: both attack when every message arrives, and
/// not both when none does.
fn rules(k: u16) -> Vec<(u16, u16)> {
    let mut rules = Vec::new();
    for ra in 0..=k / 2 {
        for rb in 0..=k.div_ceil(2) {
            let (all_a, all_b) = attacks(ra, rb, k);
            let (none_a, none_b) = attacks(ra, rb, 0);
            if all_a && all_b && !(none_a && none_b) {
                rules.push((ra, rb));
            }
        }
    }
    rules
}

#[test]
fn for_every_k_and_rule_some_loss_pattern_leaves_one_general_alone() {
    for k in 1..=10u16 {
        for (ra, rb) in rules(k) {
            let alone: Vec<u16> = (0..=k)
                .filter(|&d| {
                    let (a, b) = attacks(ra, rb, d);
                    a != b
                })
                .collect();
            assert!(!alone.is_empty(), "k {k} rule ({ra}, {rb})");
        }
        // With the natural rule it is the run that loses the last message.
        let (ra, rb) = natural_rule(k);
        let (a, b) = attacks(ra, rb, k - 1);
        assert!(a != b, "k {k}: losing message {k} leaves one alone");
    }
}

#[test]
fn the_sweep_finds_a_seed_where_one_general_attacks_alone_for_every_k() {
    for k in 1..=6i64 {
        let (ra, rb) = natural_rule(k as u16);
        let found = (0..200u64).find(|&seed| {
            let r = run(
                &scenario(seed, k, i64::from(ra), i64::from(rb), 300_000),
                5 * SECOND,
            );
            r.invariants()[ALONE].fired_at().is_some()
        });
        assert!(
            found.is_some(),
            "k {k}: no seed of 200 left a general alone"
        );
    }
}

#[test]
fn the_measured_rate_of_attacking_alone_matches_the_exact_chance() {
    // 400 one-second days per case (20 seeds × 20 days): within four standard errors.
    for (k, ra, rb) in [
        (1u16, 0u16, 1u16),
        (2, 1, 1),
        (3, 1, 2),
        (4, 2, 2),
        (4, 1, 1),
    ] {
        let p = 0.3;
        let exact = disagreement(k, p, ra, rb);
        let (mut n, mut x) = (0u64, 0u64);
        for seed in 0..20u64 {
            let r = run(
                &scenario(seed, i64::from(k), i64::from(ra), i64::from(rb), 300_000),
                20 * SECOND + SECOND / 2,
            );
            let (days, alone) = alone(&r);
            n += days;
            x += alone;
        }
        let measured = x as f64 / n as f64;
        let se = (exact * (1.0 - exact) / n as f64).sqrt();
        println!("k = {k}, rule ({ra}, {rb}), p = 0.3: exact {exact:.4}, measured {measured:.4} over {n} days");
        assert!(
            (measured - exact).abs() <= 4.0 * se + 1e-9,
            "k {k}: exact {exact}, measured {measured}"
        );
    }
    // The exact chances themselves: p for one message, p(1 − p) for two (the ack lost), …
    assert!((disagreement(1, 0.3, 0, 1) - 0.3).abs() < 1e-12);
    assert!((disagreement(2, 0.3, 1, 1) - 0.3 * 0.7).abs() < 1e-12);
    assert!((disagreement(6, 0.3, 3, 3) - 0.3 * 0.7f64.powi(5)).abs() < 1e-12);
}

/// Whether both generals are certain the other attacks when `d` messages arrived.
fn both_certain(k: u16, p: f64, (ra, rb): (u16, u16), d: u16) -> bool {
    let ca = certainty(k, p, ra, rb, 0, d / 2).unwrap();
    let cb = certainty(k, p, ra, rb, 1, d.div_ceil(2)).unwrap();
    ca >= 1.0 && cb >= 1.0
}

#[test]
fn the_chance_that_both_generals_are_certain_never_reaches_one() {
    for k in 1..=12u16 {
        for p in [0.01, 0.3, 0.9] {
            let total: f64 = (0..=k).map(|d| delivered(k, p, d)).sum();
            assert!((total - 1.0).abs() < 1e-9);
            for rule in rules(k) {
                let certain: f64 = (0..=k)
                    .filter(|&d| both_certain(k, p, rule, d))
                    .map(|d| delivered(k, p, d))
                    .sum();
                assert!(
                    certain < 1.0 - 1e-12,
                    "k {k} p {p} rule {rule:?}: {certain}"
                );
            }
            // With each general waiting for every message sent to it, the one that sent the
            // last message that arrived is never certain, whatever arrived.
            let rule = natural_rule(k);
            assert!((0..=k).all(|d| !both_certain(k, p, rule, d)), "k {k} p {p}");
        }
    }
}

#[test]
fn retries_leave_a_general_alone_far_less_often_and_copies_are_carried_out_once() {
    let (n, x) = (0..10u64).fold((0, 0), |(n, x), seed| {
        let s = scenario(seed, 1, 1, 1, 300_000).with_param("protocol", 1);
        let r = run(&s, 20 * SECOND + SECOND / 2);
        assert!(
            crate::lab_run::no_safety_violation(&r),
            "{}",
            seed_note(seed)
        );
        let (d, a) = alone(&r);
        (n + d, x + a)
    });
    println!("retries, p = 0.3: one general alone on {x} of {n} days");
    assert!(n >= 190 && x * 100 < n, "{x} of {n}");
    let r = preset_run("retries");
    let resent = r
        .world()
        .durable(0)
        .unwrap()
        .sent
        .iter()
        .filter(|s| s.seq > 1)
        .count();
    assert!(resent > 0, "A had to resend");
}

#[test]
fn the_presets_show_what_they_say() {
    for id in ["one-message", "message-and-ack", "long-chain"] {
        let r = preset_run(id);
        assert!(r.invariants()[ALONE].fired_at().is_some(), "{id}");
        assert!(crate::lab_run::no_safety_violation(&r), "{id}");
    }
    // One message: A attacks every day; B only when the messenger arrived.
    let (a, b) = days(&preset_run("one-message"));
    assert!(a.iter().all(|d| d.attacked));
    assert!(b.iter().any(|d| !d.attacked) && b.iter().any(|d| d.attacked));
}

#[test]
fn the_deliberate_bug_carries_an_order_out_twice() {
    let p = preset("two-generals", "retries").unwrap();
    let r = run(&p.scenario.clone().with_param(BUG_PARAM, 1), p.duration_us);
    assert!(r.invariants()[ONCE].fired_at().is_some());
    let r = run(&p.scenario, p.duration_us);
    assert!(r.invariants()[ONCE].fired_at().is_none());
}

#[test]
fn the_challenges() {
    let r = run(&scenario(5, 4, 2, 2, 300_000), 30 * SECOND);
    assert!(r.challenges()[0].achieved.is_some());
    assert!(r.challenges()[1].achieved.is_none());
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    crate::refused(
        &scenario(1, 2, 1, 1, 0)
            .with_param("day_ms", 50)
            .with_param("retry_ms", 40),
        "twice the retry",
    );
    let mut three = scenario(1, 2, 1, 1, 0);
    three.n_nodes = 3;
    assert!(failscope_labs::build(&three).is_err());
    let ran = crate::random_settings_never_panic(&TwoGeneralsLab, 80, 3 * SECOND);
    assert!(ran > 20, "{ran}");
    crate::lab_run::survives_changes_mid_run(&TwoGeneralsLab);
}

#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::lab_run::presets_replay_exactly(&TwoGeneralsLab);
}
