//! System models: what timing assumptions buy.
//! - Fischer, Lynch, Paterson, "Impossibility of Distributed Consensus with One Faulty
//!   Process" (1985): in an asynchronous system an adversarial (but fair) scheduler keeps
//!   consensus undecided forever, while safety holds and no node crashes.
//! - Dwork, Lynch, Stockmeyer, "Consensus in the Presence of Partial Synchrony" (1988): once
//!   delays are bounded (after GST), a decision follows within a bounded time.
//! - Lynch, "Distributed Algorithms" (1996), §6.2, FloodSet: with at most f crash failures,
//!   f + 1 rounds give agreement under every crash schedule; with f rounds a node crashing
//!   mid-broadcast can make two correct nodes decide differently.

use crate::seed_note;
use failscope_labs::paxos::Paxos;
use failscope_labs::preset;
use failscope_labs::system_models::*;
use failscope_sim::action::Action;
use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::picture::PictureKind;
use failscope_sim::rng::Rng;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::TraceKind;
use failscope_sim::{Scenario, Simulation};

fn build(scenario: &Scenario) -> Box<dyn Simulation> {
    failscope_labs::build(scenario).expect("valid scenario")
}

fn run(scenario: &Scenario, until: Time) -> Box<dyn Simulation> {
    let mut sim = build(scenario);
    sim.run_until(until);
    sim
}

fn preset_run(id: &str, until: Time) -> Box<dyn Simulation> {
    run(
        &preset("system-models", id).expect("preset").scenario,
        until,
    )
}

fn fired_at(sim: &dyn Simulation, check: usize) -> Option<Time> {
    sim.invariants()[check].fired_at()
}

fn safe(sim: &dyn Simulation) -> bool {
    [AGREEMENT, VALIDITY, ADVERSARY]
        .iter()
        .all(|&c| fired_at(sim, c).is_none())
}

fn notes(sim: &dyn Simulation, containing: &str) -> usize {
    sim.trace()
        .events()
        .iter()
        .filter(|e| matches!(&e.kind, TraceKind::Note { text, .. } if text.contains(containing)))
        .count()
}

/// FLP: 200 seeds of the adversary preset, 60 simulated seconds each: nothing decided,
/// agreement and validity hold, nothing crashes or is lost, and the adversary stays fair
/// (no message is held for more than a second).
#[test]
fn the_adversary_keeps_200_seeds_undecided_for_60_seconds() {
    let mut holds = 0;
    for seed in 0..200 {
        let note = seed_note(seed);
        let s = paxos_scenario(seed, 2);
        let mut sim = LabRun::<Paxos<Models>>::new(&SystemModelsLab, &{
            let mut s = s.clone();
            s.network.mode = network_mode(&s.params);
            s
        })
        .expect("valid");
        sim.run_until(60 * SECOND);
        assert_eq!(fired_at(&sim, TERMINATION), None, "{note}");
        assert!(safe(&sim), "{note}");
        let world = sim.world();
        assert_eq!(world.metrics().messages_dropped, 0, "{note}");
        let oldest = world
            .messages_in_flight()
            .iter()
            .map(|(e, _)| e.sent_at)
            .min()
            .unwrap_or(60 * SECOND);
        assert!(
            oldest > 59 * SECOND,
            "{note}: a message held since {oldest}"
        );
        let tries: u32 = (0..2)
            .map(|p| world.node_state(p).unwrap().proposer().unwrap().tries)
            .sum();
        assert!(tries > 100, "{note}: the proposers keep trying ({tries})");
        holds += notes(&sim, "it would have decided");
    }
    println!("adversary: 200 seeds undecided for 60 s, {holds} holds in all");
}

/// When a value is first chosen, in each of 200 seeds of a Paxos model (0 to 2).
fn decision_times(model: i64, until: Time) -> Vec<Time> {
    (0..200)
        .map(|seed| {
            let sim = run(&paxos_scenario(seed, model), until);
            assert!(safe(&*sim), "{}", seed_note(seed));
            fired_at(&*sim, TERMINATION).unwrap_or_else(|| panic!("{}", seed_note(seed)))
        })
        .collect()
}

/// Synchronous: every seed decides within 25 Δ (Δ = 10 ms), duelling proposers included.
#[test]
fn synchronous_paxos_decides_quickly_in_every_seed() {
    let worst = decision_times(0, SECOND).into_iter().max().unwrap();
    println!(
        "synchronous: decided by {} ms at worst over 200 seeds",
        worst / MS
    );
    assert!(worst <= 250 * MS, "{worst}");
}

/// Partial synchrony (GST 2 s, Δ 10 ms): every seed decides, and within 400 ms (40 Δ) of GST.
#[test]
fn partial_synchrony_decides_within_a_bound_after_gst_in_every_seed() {
    let times = decision_times(1, 4 * SECOND);
    let gst = 2 * SECOND;
    let worst = times.iter().map(|&t| t.saturating_sub(gst)).max().unwrap();
    let before = times.iter().filter(|&&t| t < gst).count();
    println!(
        "partial synchrony: decided by GST + {} ms at worst; {before} of 200 seeds before GST",
        worst / MS
    );
    assert!(worst <= 400 * MS, "{worst}");
}

fn floodset(n: u16, rounds: i64, seed: u64) -> Scenario {
    let mut s = floodset_scenario(seed, rounds).with_param("faulty", 0);
    s.n_nodes = n;
    s.with_param("inputs", 1)
}

/// Crash `node` in `round` (from 1) after `sends` of its broadcast (one send per ms; 0:
/// just before the round, or just after the first send in round 1).
fn crash(s: Scenario, node: NodeId, round: u64, sends: u64) -> Scenario {
    let start = (round - 1) * 100 * MS;
    let at = match sends {
        0 => start.saturating_sub(MS / 2).max(1),
        k => start + (k - 1) * MS + MS / 2,
    };
    s.with_fault(at, Action::Crash { node })
}

/// Lynch §6.2: FloodSet with f + 1 rounds agrees under every single-crash schedule on 3 to 5
/// nodes (each node, each round, each cut of its broadcast, 16 input seeds), and under 400
/// random two-crash schedules on 5 and 6 nodes.
#[test]
fn floodset_with_f_plus_1_rounds_agrees_under_every_crash_schedule_tried() {
    let mut schedules = 0;
    for n in 3..=5u16 {
        for node in 0..n {
            for round in 1..=2 {
                for sends in 0..u64::from(n) {
                    for seed in 0..16 {
                        let s = crash(floodset(n, 2, seed), node, round, sends);
                        let sim = run(&s, 300 * MS);
                        let what = format!("n {n}, S{} in round {round} after {sends}", node + 1);
                        assert!(safe(&*sim), "{what}; {}", seed_note(seed));
                        assert!(fired_at(&*sim, TERMINATION).is_some(), "{what}");
                        assert_eq!(fired_at(&*sim, TOO_FEW_ROUNDS), None, "{what}");
                        schedules += 1;
                    }
                }
            }
        }
    }
    let mut rng = Rng::from_seed(7);
    for i in 0..400u64 {
        let n = 5 + (i % 2) as u16;
        let mut s = floodset(n, 3, i);
        let first = rng.below(u64::from(n)) as NodeId;
        let second = (first + 1 + rng.below(u64::from(n) - 1) as NodeId) % n;
        for node in [first, second] {
            s = crash(s, node, rng.range_inclusive(1, 3), rng.below(u64::from(n)));
        }
        let sim = run(&s, 400 * MS);
        assert!(safe(&*sim), "{:?}; {}", s.faults, seed_note(i));
        assert_eq!(fired_at(&*sim, TOO_FEW_ROUNDS), None, "{:?}", s.faults);
        schedules += 1;
    }
    println!("floodset: {schedules} crash schedules with f + 1 rounds, all agree");
}

/// With f rounds the crafted schedule (node k crashes in round k after one send) leaves
/// two correct nodes with different values: f = 1 on 4 nodes, f = 2 on 5.
#[test]
fn floodset_with_f_rounds_the_crafted_schedule_breaks_agreement() {
    let disagreement = |sim: &dyn Simulation| {
        let seen = &sim.invariants()[TOO_FEW_ROUNDS].status.observed;
        seen.as_ref()
            .expect("two correct nodes disagree")
            .detail
            .clone()
    };
    let sim = preset_run("floodset-f-rounds", 200 * MS);
    assert_eq!(
        disagreement(&*sim),
        "S2 decided 0 and S3 decides 1, after 1 round(s) with 1 failure(s)"
    );
    assert!(
        safe(&*sim),
        "outside its assumptions this is an anomaly, not a bug"
    );
    let mut two = floodset_scenario(1, 2).with_param("faulty", 2);
    two.n_nodes = 5;
    let sim = run(&two, 300 * MS);
    assert_eq!(
        disagreement(&*sim),
        "S3 decided 0 and S4 decides 1, after 2 round(s) with 2 failure(s)"
    );
    let sim = run(&two.with_param("rounds", 3), 400 * MS);
    assert_eq!(fired_at(&*sim, TOO_FEW_ROUNDS), None);
    assert!(fired_at(&*sim, TERMINATION).is_some() && safe(&*sim));
}

/// The three fault models: with f + 1 rounds all agree; with f rounds crash-stop and
/// omission break agreement, and crash-recovery (the node is back next round) has no next
/// round to be back in.
#[test]
fn fault_models_with_f_and_f_plus_1_rounds() {
    for (model, name) in FAULT_NAMES.iter().enumerate() {
        let s = |rounds| floodset_scenario(1, rounds).with_param("fault_model", model as i64);
        let sim = run(&s(2), 300 * MS);
        assert!(
            safe(&*sim) && fired_at(&*sim, TERMINATION).is_some(),
            "{name}"
        );
        assert_eq!(fired_at(&*sim, TOO_FEW_ROUNDS), None, "{name}");
        let sim = run(&s(1), 200 * MS);
        assert!(fired_at(&*sim, TOO_FEW_ROUNDS).is_some(), "{name}");
    }
}

#[test]
fn each_deliberate_bug_is_caught() {
    let cases: &[(&str, i64, usize)] = &[
        ("adversary", 1, ADVERSARY),
        ("synchronous", 2, VALIDITY),
        ("floodset-f-plus-1", 3, AGREEMENT),
    ];
    for &(id, bug, check) in cases {
        let p = preset("system-models", id).unwrap();
        let sim = run(&p.scenario.with_param(BUG_PARAM, bug), p.duration_us);
        let v = sim.invariants()[check].status.first_violation.clone();
        let v = v.unwrap_or_else(|| panic!("bug {bug} in {id}"));
        println!("bug {bug} in {id}: {} at {} µs", v.detail, v.time);
    }
}

#[test]
fn the_pictures_show_rounds_and_undecided_nodes() {
    let sim = preset_run("floodset-f-rounds", 200 * MS);
    let pictures = sim.pictures();
    let PictureKind::Lanes(lanes) = &pictures[0].kind else {
        panic!("lanes")
    };
    assert_eq!(lanes.lanes.len(), 4);
    assert_eq!(lanes.lanes[0].spans[0].label, "round 1: reached 1 node");
    assert!(lanes.lanes[0].spans[0].highlight);
    assert_eq!(lanes.lanes[1].spans[1].label, "decided 0");
    assert_eq!(lanes.lanes[2].spans[1].label, "decided 1");
    assert_eq!(pictures[1].title, "Undecided: 0 of 3");
    let sim = preset_run("partial-synchrony", 4 * SECOND);
    let pictures = sim.pictures();
    let PictureKind::TimeSeries(series) = &pictures[1].kind else {
        panic!("a time series")
    };
    assert_eq!(series.marks[0].at, 2 * SECOND, "GST is marked");
    assert_eq!(series.series[0].points[0], (0, 3));
    assert_eq!(series.series[0].points.last().unwrap().1, 0);
    let sim = preset_run("adversary", 5 * SECOND);
    assert_eq!(sim.pictures()[1].title, "Undecided: 3 of 3");
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let check = |s: Scenario, words: &str| crate::refused(&s, words);
    check(
        floodset_scenario(1, 2).with_param("bound_ms", 200),
        "must outlast",
    );
    check(
        floodset_scenario(1, 2).with_param("faulty", 3),
        "at least 5 servers",
    );
    let mut few = paxos_scenario(1, 0);
    few.n_nodes = 4;
    check(few, "3 to 9 of them are acceptors");
    check(paxos_scenario(1, 0).with_param("model", 4), "model");
    // Switching protocol mid-run is refused with a message; the run goes on.
    let mut sim = build(&paxos_scenario(1, 0));
    sim.run_until(5 * MS);
    let err = sim
        .apply(Action::SetParam {
            key: "model".into(),
            value: 3,
        })
        .unwrap_err();
    assert!(format!("{err:?}").contains("FloodSet"), "{err:?}");
    let mut sim = build(&floodset_scenario(1, 2));
    let err = sim
        .apply(Action::SetParam {
            key: "model".into(),
            value: 0,
        })
        .unwrap_err();
    assert!(format!("{err:?}").contains("synchronous rounds"), "{err:?}");
    sim.run_until(300 * MS);
    assert!(fired_at(&*sim, TERMINATION).is_some());
}

/// Every preset replays to the same trace, and seeking back and forth shows the same state.
#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::presets_replay_exactly(&SystemModelsLab, 5 * SECOND);
}

#[test]
fn random_settings_are_refused_or_run_without_panicking() {
    let ran = crate::random_settings_never_panic(&SystemModelsLab, 150, 2 * SECOND);
    println!("{ran} of 150 ran");
    assert!(ran > 30, "{ran} of 150 ran");
}
