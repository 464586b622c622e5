//! Resilience patterns, each against its source:
//! - circuit breakers and bulkheads: Michael Nygard, "Release It!" (2nd ed., 2018), ch. 5
//!   "Stability Patterns" (Circuit Breaker, Bulkheads, Timeouts);
//! - retries: Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015
//!   (full jitter: sleep a uniform time in [0, backoff]), and the retry budgets of the
//!   Google SRE book, ch. 22 "Addressing Cascading Failures" (limit retries per request and
//!   per client);
//! - metastable failures: Bronson, Aghayev, Charapko and Zhu, "Metastable Failures in
//!   Distributed Systems", HotOS 2021: a trigger pushes the system into a bad state that a
//!   sustaining effect (retries) keeps it in after the trigger is gone;
//! - health checks and cascades: the SRE book, ch. 22 (a failing dependency must not make
//!   instances look dead; restarts shift load and spread the failure);
//! - canaries: the SRE workbook, ch. 16 "Canarying Releases" (a small share of traffic on
//!   the new version, compared with a baseline at the same time, rolled back automatically).

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::resilience::*;
use failscope_sim::action::Action;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Resilience>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run(&ResilienceLab, scenario, until)
}

fn preset_scenario(id: &str) -> (Scenario, Time) {
    let p = preset("resilience", id).expect("preset exists");
    (p.scenario, p.duration_us)
}

fn preset_run(id: &str) -> Run {
    let (s, d) = preset_scenario(id);
    run(&s, d)
}

fn with_seed(id: &str, seed: u64) -> Run {
    let (mut s, d) = preset_scenario(id);
    s.seed = seed;
    run(&s, d)
}

fn state(run: &Run, node: u16) -> &Resilience {
    run.world().node_state(node).expect("a node that is up")
}

fn fired(run: &Run, check: usize) -> Option<Time> {
    let s = &run.invariants()[check].status;
    s.first_violation
        .as_ref()
        .map(|v| v.time)
        .or(s.observed_at())
}

/// Requests offered and answered in time in `[from, to)`.
fn goodput(run: &Run, from: Time, to: Time) -> (u64, u64) {
    let b = &state(run, CLIENTS).buckets;
    let slice = &b[(from / BUCKET_US) as usize..((to / BUCKET_US) as usize).min(b.len())];
    (
        slice.iter().map(|b| u64::from(b.offered)).sum(),
        slice.iter().map(|b| u64::from(b.good)).sum(),
    )
}

/// Calls arriving at dependency A in `[from, to)`.
fn calls_to_a(run: &Run, from: Time, to: Time) -> u64 {
    let a = &state(run, DEP_A).arrivals;
    a[(from / LOAD_BUCKET_US) as usize..((to / LOAD_BUCKET_US) as usize).min(a.len())]
        .iter()
        .map(|&c| u64::from(c))
        .sum()
}

/// The most calls arriving at A in one load bucket after `from`.
fn peak_at_a(run: &Run, from: Time) -> u32 {
    let a = &state(run, DEP_A).arrivals;
    a.iter()
        .skip((from / LOAD_BUCKET_US) as usize)
        .copied()
        .max()
        .unwrap_or(0)
}

#[test]
fn full_jitter_lowers_the_peak_retry_load_on_the_same_seed() {
    // Brooker 2015: with plain exponential backoff the clients that failed together retry
    // together; full jitter spreads each round of retries over its whole window.
    for seed in 1..=5 {
        let plain = with_seed("backoff", seed);
        let jitter = with_seed("full-jitter", seed);
        // After the burst itself (sent at 2 s): only retries and the steady load.
        let after = 2 * SECOND + 3 * LOAD_BUCKET_US;
        let (p, j) = (peak_at_a(&plain, after), peak_at_a(&jitter, after));
        assert!(
            j * 2 < p,
            "peak {j} with jitter, {p} without; {}",
            seed_note(seed)
        );
        // And A serves more of the burst, so more requests succeed.
        let (_, good_plain) = goodput(&plain, 2 * SECOND, 4 * SECOND);
        let (_, good_jitter) = goodput(&jitter, 2 * SECOND, 4 * SECOND);
        assert!(good_jitter > good_plain, "{}", seed_note(seed));
        // Retries that arrive together are refused together.
        let refused = |r: &Run| state(r, DEP_A).rejected;
        assert!(refused(&jitter) < refused(&plain), "{}", seed_note(seed));
    }
}

#[test]
fn the_metastable_configuration_does_not_recover_and_a_budget_or_a_breaker_make_it_recover() {
    // Bronson et al. 2021, §2: the trigger (A ten times slower for 3 s) ends at 8 s; the
    // sustaining effect (immediate retries of timed-out calls) keeps A overloaded.
    for seed in 1..=4 {
        let stuck = with_seed("metastable", seed);
        assert_eq!(fired(&stuck, RECOVERS), None, "{}", seed_note(seed));
        let (offered, good) = goodput(&stuck, 11 * SECOND, 15 * SECOND);
        // Only B's half is served: A's goodput stays at nothing long after the trigger.
        assert!(
            good * 100 < offered * 60,
            "{good} of {offered}; {}",
            seed_note(seed)
        );
        let (_, before) = goodput(&stuck, SECOND, 5 * SECOND);
        assert!(before * 100 > 4 * 400 * 95, "{}", seed_note(seed));
        for cure in ["metastable-budget", "metastable-breaker", "trigger"] {
            let r = with_seed(cure, seed);
            let at = fired(&r, RECOVERS).unwrap_or_else(|| panic!("{cure}: {}", seed_note(seed)));
            assert!(
                at < 13 * SECOND,
                "{cure} recovered at {at}; {}",
                seed_note(seed)
            );
            let (offered, good) = goodput(&r, 12 * SECOND, 15 * SECOND);
            assert!(good * 100 > offered * 95, "{cure}; {}", seed_note(seed));
        }
    }
}

/// The goodput-against-load path of a run: (phase label, points) per phase.
fn load_path(run: &Run) -> Vec<(String, Vec<(i64, i64)>)> {
    use failscope_sim::picture::PictureKind;
    let pictures = run.pictures();
    let picture = pictures
        .iter()
        .find(|p| p.id == "hysteresis")
        .expect("the path");
    let PictureKind::Xy(xy) = &picture.kind else {
        panic!("an x-y picture");
    };
    xy.series
        .iter()
        .map(|s| {
            (
                s.label.clone(),
                s.points.iter().map(|p| (p.x, p.y)).collect(),
            )
        })
        .collect()
}

#[test]
fn the_metastable_path_does_not_close_and_the_cured_one_does() {
    // Bronson et al. 2021: after the trigger the same offered load gives goodput far below
    // what it gave before (hysteresis); with a retry budget the path returns to its start.
    for (id, closes) in [("metastable", false), ("metastable-budget", true)] {
        let path = load_path(&preset_run(id));
        let labels: Vec<&str> = path.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "before the trigger",
                "during the trigger",
                "after it clears"
            ],
            "{id}"
        );
        let start = path[0].1[path[0].1.len() / 2];
        let end = *path[2].1.last().unwrap();
        // During the trigger retries push the load right of where it started.
        let widest = path[1].1.iter().map(|p| p.0).max().unwrap();
        assert!(widest > start.0 * 3 / 2, "{id}: {widest} vs {start:?}");
        // Back where it started: each call answered once (goodput about the load, within
        // the Poisson noise of a half-second window), at about the load it started with.
        let back = end.1 * 100 >= end.0 * 90 && end.0 * 100 < start.0 * 130;
        assert_eq!(back, closes, "{id}: start {start:?}, end {end:?}");
        if !closes {
            // Stuck: goodput well below the start at no less load than before.
            assert!(
                end.1 * 100 < start.1 * 70 && end.0 >= start.0,
                "{id}: {end:?}"
            );
        }
    }
}

#[test]
fn a_retry_storm_multiplies_the_dependencys_load() {
    // The same trigger with and without immediate retries: after it clears, A is offered
    // several times the calls the requests themselves make (about 200 a second).
    let storm = preset_run("metastable");
    let calm = preset_run("trigger");
    let (from, to) = (9 * SECOND, 15 * SECOND);
    let (s, c) = (calls_to_a(&storm, from, to), calls_to_a(&calm, from, to));
    assert!(s > 3 * c, "{s} calls with retries, {c} without");
    assert!(state(&storm, FIRST_INSTANCE).retries > 1_000);
}

#[test]
fn the_breaker_never_lets_more_than_its_probe_quota_through_while_half_open() {
    // Nygard, "Release It!", ch. 5: half-open admits a trial call (here a quota of them);
    // the check counts the calls each half-open spell admits.
    for id in ["metastable-breaker", "cascade-defended"] {
        for seed in 1..=10 {
            let r = with_seed(id, seed);
            assert!(
                crate::lab_run::no_safety_violation(&r),
                "{id}; {}",
                seed_note(seed)
            );
            if id != "metastable-breaker" {
                continue;
            }
            // Not vacuous: the breakers opened and went half-open.
            let half_opened: u64 = (FIRST_INSTANCE..FIRST_INSTANCE + 2)
                .map(|n| state(&r, n).breakers[0].entered[BreakerState::HalfOpen.index()])
                .sum();
            assert!(half_opened > 0, "{id}; {}", seed_note(seed));
        }
    }
    // A half-open breaker that admits every call breaks the quota at its first half-open.
    let (s, d) = preset_scenario("metastable-breaker");
    let broken = run(&s.with_param(BUG_PARAM, 1), d);
    let at = fired(&broken, PROBE_QUOTA).expect("the check fires");
    assert!((5 * SECOND..10 * SECOND).contains(&at), "{at}");
}

#[test]
fn the_canary_fails_about_its_share_of_the_window_and_all_at_once_fails_everything() {
    // SRE workbook ch. 16: the canary's blast radius is its share of traffic for the time
    // it is watched. Release at 3 s, watched for 3 s, the new version failing every request.
    for seed in 1..=5 {
        let canary = with_seed("canary", seed);
        let lb = state(&canary, BALANCER);
        assert!(lb.rolled_back_at.is_some_and(|t| t == 6 * SECOND));
        let (in_window, _) = goodput(&canary, 3 * SECOND, 6 * SECOND);
        let failed = lb.new_total.1;
        // 5 % of the window's requests, give or take the randomness of the split.
        assert!(
            failed * 100 >= in_window * 3 && failed * 100 <= in_window * 8,
            "{failed} failed of {in_window}; {}",
            seed_note(seed)
        );
        assert_eq!(lb.new_total.0, lb.new_total.1, "{}", seed_note(seed));
        let all = with_seed("all-at-once", seed);
        let (offered, good) = goodput(&all, 3 * SECOND, 6 * SECOND);
        assert!(
            good * 100 < offered && offered > 1_000,
            "{good} of {offered}; {}",
            seed_note(seed)
        );
        assert!(state(&all, BALANCER).rolled_back_at.is_none());
    }
    // Blue-green undoes it in one switch after its watch; the kill switch's alert is quicker.
    let blue_green = preset_run("blue-green");
    let flag = preset_run("kill-switch");
    let bg = state(&blue_green, BALANCER);
    let ks = state(&flag, BALANCER);
    assert_eq!(bg.rolled_back_at, Some(6 * SECOND));
    assert!(ks.rolled_back_at.is_some_and(|t| t < 3_500 * MS));
    assert!(ks.new_total.1 * 10 < bg.new_total.1);
    // A good release is promoted instead.
    let (s, d) = preset_scenario("canary");
    let good = run(&s.with_param("bad_pct", 0), d);
    let lb = state(&good, BALANCER);
    assert_eq!(lb.rolled_back_at, None);
    assert_eq!(lb.new_share_pct, 100);
}

#[test]
fn a_shared_pool_lets_a_slow_dependency_fail_b_and_bulkheads_confine_it() {
    // Nygard ch. 5, Bulkheads: partition the resource so one failing caller cannot use it all.
    let shared = preset_run("shared-pool");
    let bulkheads = preset_run("bulkheads");
    assert!(fired(&shared, SPREAD).is_some());
    assert_eq!(fired(&bulkheads, SPREAD), None);
    let refused_b = |r: &Run| {
        (FIRST_INSTANCE..FIRST_INSTANCE + 2)
            .map(|n| state(r, n).no_worker[1])
            .sum::<u64>()
    };
    assert!(refused_b(&shared) > 100, "{}", refused_b(&shared));
    assert_eq!(refused_b(&bulkheads), 0);
    // B's half of the goodput stays with bulkheads: more than half of all during the trigger.
    let (offered, good) = goodput(&bulkheads, 6 * SECOND, 8 * SECOND);
    assert!(good * 100 > offered * 45, "{good} of {offered}");
    let (offered, good) = goodput(&shared, 6 * SECOND, 8 * SECOND);
    assert!(good * 100 < offered * 30, "{good} of {offered}");
}

#[test]
fn a_liveness_check_that_calls_a_dependency_restarts_healthy_instances() {
    let deep = preset_run("deep-liveness");
    let shallow = preset_run("shallow-liveness");
    let restarts = |r: &Run| state(r, BALANCER).restarts;
    assert!(
        restarts(&deep).iter().all(|&n| n >= 2),
        "{:?}",
        restarts(&deep)
    );
    assert_eq!(restarts(&shallow), [0, 0]);
    // While both are restarting nothing is served, B included.
    let (_, good) = goodput(&deep, 7 * SECOND, 8 * SECOND);
    assert_eq!(good, 0);
    let (_, good) = goodput(&shallow, 7 * SECOND, 8 * SECOND);
    assert!(good > 50);
}

#[test]
fn readiness_checks_take_a_crashed_instance_out_of_rotation() {
    let blind = preset_run("crash");
    let ready = preset_run("readiness");
    let (o1, g1) = goodput(&blind, 6 * SECOND, 9 * SECOND);
    let (o2, g2) = goodput(&ready, 6 * SECOND, 9 * SECOND);
    assert!(g1 * 100 < o1 * 60, "{g1} of {o1}");
    assert!(g2 * 100 > o2 * 97, "{g2} of {o2}");
}

#[test]
fn each_defence_against_the_cascade_on_the_same_seed() {
    // The cascade: slow A (bottom tier) fills the shared pool, deep liveness checks restart
    // the service (middle tier), and the balancer (top tier) has no instance left.
    let (cascade, d) = preset_scenario("cascade");
    let during = |s: &Scenario| {
        let r = run(s, d);
        goodput(&r, 5 * SECOND, 11 * SECOND).1
    };
    let base = during(&cascade);
    let defended = during(&preset_scenario("cascade-defended").0);
    assert!(
        defended > 2 * base,
        "defended {defended}, undefended {base}"
    );
    // One defence at a time, each on the same seed (the presets that show them).
    for id in [
        "cascade-bulkheads",
        "cascade-breaker",
        "cascade-shallow-liveness",
    ] {
        let (s, _) = preset_scenario(id);
        assert_eq!(s.seed, cascade.seed);
        let one = during(&s);
        assert!(one > base, "{id}: {one} against {base}");
        assert!(
            one < defended,
            "{id}: {one} against all defences {defended}"
        );
    }
}

#[test]
fn no_seed_breaks_a_safety_check_in_a_preset() {
    for p in ResilienceLab.presets() {
        for seed in 1..=4 {
            let mut s = p.scenario.clone();
            s.seed = seed;
            let r = run(&s, p.duration_us);
            assert!(
                crate::lab_run::no_safety_violation(&r),
                "{}; {}",
                p.id,
                seed_note(seed)
            );
        }
    }
}

#[test]
fn thousands_of_requests_a_second_stay_within_a_bounded_number_of_events() {
    let s = scenario(1).with_param("rate", 2_000);
    let mut sim = failscope_labs::build(&s).expect("valid");
    sim.run_until(SECOND);
    // Six messages and a few timers per request.
    assert!(sim.trace().len() < 2_000 * 12, "{}", sim.trace().len());
}

#[test]
fn presets_replay_exactly_and_survive_bad_input_mid_run() {
    crate::lab_run::presets_replay_exactly(&ResilienceLab);
    // Every setting to its extremes mid-run, in the presets that use the most machinery.
    for id in ["cascade-defended", "canary", "full-jitter"] {
        let (s, d) = preset_scenario(id);
        let d = d.min(8 * SECOND);
        for spec in ResilienceLab.params() {
            for value in [spec.min, spec.max] {
                let mut sim = failscope_labs::build(&s).expect("valid");
                sim.run_until(d / 2);
                let _ = sim.apply(Action::SetParam {
                    key: spec.key.into(),
                    value,
                });
                sim.run_until(d);
            }
        }
        let mut sim = failscope_labs::build(&s).expect("valid");
        sim.run_until(d / 2);
        for node in 0..s.n_nodes {
            sim.apply(Action::Crash { node }).expect("crash");
        }
        assert!(sim.apply(Action::Crash { node: 0 }).is_err());
        sim.run_until(d * 3 / 4);
        for node in 0..s.n_nodes {
            sim.apply(Action::Restart { node }).expect("restart");
        }
        sim.run_until(d);
    }
    crate::refused(&scenario(1).with_param("backoff_cap_ms", 10), "backoff cap");
    let mut seven = scenario(1);
    seven.n_nodes = 7;
    crate::refused(&seven, "not 7");
    crate::refused(&scenario(1).with_param("rate", 9_000), "rate");
    assert!(crate::random_settings_never_panic(&ResilienceLab, 12, 3 * SECOND) > 0);
}
