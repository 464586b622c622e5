//! Sagas (Garcia-Molina and Salem, "Sagas", SIGMOD 1987): a long-lived transaction as a
//! sequence of local transactions T1..Tn with compensations C1..Cn; a saga that cannot
//! complete runs T1..Tj then Cj..C1, so every step ends done or compensated, compensations in
//! reverse order. Sagas give up isolation between steps (the paper's §2 and §7); the
//! semantic lock is one of the countermeasures catalogued since (Richardson, "Microservices
//! Patterns", 2018, ch. 4).

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::saga::*;
use failscope_sim::action::Action;
use failscope_sim::ids::NodeId;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::rng::Rng;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Saga>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run(&SagaLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("saga", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn durable(run: &Run, node: NodeId) -> &Durable {
    run.world().durable(node).expect("a node")
}

/// True times of a service's events of one kind.
fn times(run: &Run, node: NodeId, event: Event) -> Vec<Time> {
    let clock = run.world().clock(node).unwrap();
    durable(run, node)
        .events
        .iter()
        .filter(|e| e.1 == event)
        .map(|e| clock.true_time_of_monotonic(e.0))
        .collect()
}

fn no_safety_violation(run: &Run) -> bool {
    crate::lab_run::no_safety_violation(run)
}

/// The saga is over and each step is done (it completed) or compensated exactly once.
fn settled(run: &Run) -> Option<bool> {
    let (completed, _) = durable(run, 0).ended?;
    for node in 1..4 {
        let d = durable(run, node);
        let ok = if completed {
            d.booked() && d.refunds() == 0
        } else {
            !d.booked() || d.refunds() == 1
        };
        if !ok {
            return None;
        }
    }
    Some(completed)
}

/// The order (by time) in which steps were booked and cancelled, as service nodes.
fn order(run: &Run, event: Event) -> Vec<NodeId> {
    let mut seen: Vec<(Time, NodeId)> = (1..4)
        .flat_map(|n| times(run, n, event).into_iter().map(move |t| (t, n)))
        .collect();
    seen.sort_unstable();
    seen.into_iter().map(|s| s.1).collect()
}

#[test]
fn every_preset_ends_with_each_step_done_or_compensated_in_reverse_order() {
    for p in SagaLab.presets() {
        let r = run(&p.scenario, p.duration_us);
        let completed = settled(&r).unwrap_or_else(|| panic!("{}: not settled", p.id));
        assert!(no_safety_violation(&r), "{}", p.id);
        let booked = order(&r, Event::Booked);
        let mut cancelled = order(&r, Event::Refunded);
        if completed {
            assert_eq!((booked, cancelled), (vec![1, 2, 3], vec![]), "{}", p.id);
        } else {
            cancelled.reverse();
            assert_eq!(
                cancelled, booked,
                "{}: compensations in reverse order",
                p.id
            );
        }
    }
}

#[test]
fn whichever_step_fails_only_the_steps_before_it_are_compensated() {
    for mode in [0, 1] {
        for (failing, compensated) in [(1, vec![]), (2, vec![1]), (3, vec![2, 1])] {
            let s = scenario(7)
                .with_param("mode", mode)
                .with_param("failing", failing);
            let r = run(&s, 2 * SECOND);
            assert_eq!(settled(&r), Some(false), "mode {mode}, failing {failing}");
            assert_eq!(
                order(&r, Event::Refunded),
                compensated,
                "mode {mode}, failing {failing}"
            );
        }
    }
}

#[test]
fn orchestration_and_choreography_on_the_same_seed_reach_the_same_end() {
    let o = preset_run("orchestration");
    let c = preset_run("choreography");
    let end = |r: &Run| {
        let (completed, mono) = durable(r, 0).ended.unwrap();
        (
            completed,
            r.world().clock(0).unwrap().true_time_of_monotonic(mono),
        )
    };
    assert!(
        o.trace().len() > c.trace().len(),
        "the orchestrator adds messages"
    );
    assert_eq!(end(&o), (false, 1_200 * MS));
    assert_eq!(end(&c), (false, 1_000 * MS));
    assert_eq!(times(&o, 2, Event::Refunded), vec![1_050 * MS]);
    assert_eq!(times(&o, 1, Event::Refunded), vec![1_150 * MS]);
    assert_eq!(times(&c, 2, Event::Refunded), vec![900 * MS]);
    assert_eq!(times(&c, 1, Event::Refunded), vec![950 * MS]);
}

#[test]
fn a_failed_cancellation_is_retried_until_it_works() {
    let r = preset_run("compensation-retry");
    assert_eq!(times(&r, 2, Event::CancelFailed), vec![1_050 * MS]);
    assert_eq!(times(&r, 2, Event::Refunded), vec![1_550 * MS]);
    assert_eq!(settled(&r), Some(false));
    for mode in [0, 1] {
        let s = scenario(1)
            .with_param("mode", mode)
            .with_param("cancel_failures", 5);
        let r = run(&s, 5 * SECOND);
        assert_eq!(times(&r, 2, Event::CancelFailed).len(), 5, "mode {mode}");
        assert_eq!(settled(&r), Some(false), "mode {mode}");
    }
}

#[test]
fn a_repeated_cancellation_is_recognised_by_its_key_and_the_broken_one_refunds_twice() {
    let r = preset_run("duplicate-cancel");
    assert_eq!(times(&r, 2, Event::Refunded), vec![1_050 * MS]);
    assert_eq!(times(&r, 2, Event::Repeat), vec![1_550 * MS]);
    let demo = SagaLab.bug_demos()[0].preset_with_bug(&SagaLab).unwrap();
    let r = run(&demo.scenario, demo.duration_us);
    assert_eq!(times(&r, 2, Event::Refunded), vec![1_050 * MS, 1_550 * MS]);
    let v = r.invariants()[ONCE].status.first_violation.clone().unwrap();
    assert_eq!(v.time, 1_550 * MS);
    assert!(
        v.detail.contains("S3 refunded the same booking 2 times"),
        "{}",
        v.detail
    );
}

#[test]
fn an_orchestrator_that_stops_compensating_early_is_caught() {
    let demo = SagaLab.bug_demos()[1].preset_with_bug(&SagaLab).unwrap();
    let r = run(&demo.scenario, demo.duration_us);
    let v = r.invariants()[SETTLED]
        .status
        .first_violation
        .clone()
        .unwrap();
    assert_eq!(v.time, 1_100 * MS);
    assert!(
        v.detail.contains("the flight (S2) is still booked"),
        "{}",
        v.detail
    );
}

#[test]
fn the_reader_sees_a_booking_the_saga_later_cancels_unless_it_is_marked_pending() {
    let dirty = preset_run("dirty-read");
    let seen = dirty.invariants()[DIRTY_READ]
        .fired_at()
        .expect("dirty read");
    assert_eq!(seen, 1_050 * MS);
    assert!(durable(&dirty, 4).saw_booked.is_some());
    let locked = preset_run("semantic-lock");
    assert!(locked.invariants()[DIRTY_READ].fired_at().is_none());
    assert!(durable(&locked, 4).saw_pending && durable(&locked, 4).saw_booked.is_none());
    // With the lock, a completed saga's bookings become final and read as booked.
    let s = scenario(1)
        .with_param("read_every_ms", 150)
        .with_param("semantic_lock", 1)
        .with_param("failing", 0);
    let done = run(&s, 2 * SECOND);
    assert!(durable(&done, 4).saw_booked.is_some() && durable(&done, 2).confirmed);
    assert!(done.invariants()[DIRTY_READ].fired_at().is_none());
}

/// Random modes, failing steps, cancel failures, duplicated messages and faults (crashes
/// and restarts, pauses, partitions), healed and restarted at 4 s.
fn swarm(seed: u64) -> Scenario {
    let mut rng = Rng::from_seed(seed ^ 0x5a6a);
    let mut s = scenario(seed)
        .with_param("mode", rng.below(2) as i64)
        .with_param("failing", rng.below(4) as i64)
        .with_param("cancel_failures", rng.below(3) as i64)
        .with_param("retry_ms", 100 + rng.below(500) as i64)
        .with_param("read_every_ms", rng.below(2) as i64 * 150);
    s.network.link.duplicate_ppm = rng.below(300_000) as u32;
    crate::swarm::schedule_random_faults(&mut s, &mut rng, 6, 4 * SECOND, |rng, node| {
        Action::Pause {
            node,
            duration_us: rng.range_inclusive(100, 1_000) * MS,
        }
    });
    s
}

#[test]
fn over_200_random_runs_no_compensation_applies_twice_and_orchestrated_sagas_settle() {
    let (mut orchestrated, mut settled_count) = (0, 0);
    for seed in 0..200u64 {
        let s = swarm(seed);
        let r = run(&s, 15 * SECOND);
        assert!(no_safety_violation(&r), "{}", seed_note(seed));
        assert!(r.challenges()[1].achieved.is_none(), "{}", seed_note(seed));
        if s.params["mode"] == 0 {
            orchestrated += 1;
            assert!(settled(&r).is_some(), "{}", seed_note(seed));
        }
        settled_count += u32::from(settled(&r).is_some());
    }
    println!(
        "200 random runs: {orchestrated} orchestrated, all settled; {settled_count} settled in all"
    );
    assert!(orchestrated > 50);
}

#[test]
fn the_challenges_are_met_by_the_presets_and_the_bug() {
    let r = preset_run("dirty-read");
    assert_eq!(r.challenges()[0].achieved_at(), Some(1_050 * MS));
    let demo = SagaLab.bug_demos()[0].preset_with_bug(&SagaLab).unwrap();
    let r = run(&demo.scenario, demo.duration_us);
    assert_eq!(
        r.challenges()[1].achieved_at(),
        r.invariants()[ONCE].fired_at()
    );
    assert!(preset_run("duplicate-cancel").challenges()[1]
        .achieved
        .is_none());
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let mut four = scenario(1);
    four.n_nodes = 4;
    let e = failscope_labs::build(&four)
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("5 to 5 nodes"), "{e}");
    assert!(failscope_labs::build(&scenario(1).with_param("failing", 4)).is_err());
    assert!(failscope_labs::build(&scenario(1).with_param(BUG_PARAM, 3)).is_err());
    // The most cancellation failures allowed, retried every 10 ms (faster than a round
    // trip, so retries overlap): the 101st attempt works and the later ones are repeats.
    let s = scenario(1)
        .with_param("cancel_failures", 100)
        .with_param("retry_ms", 10);
    let r = run(&s, 30 * SECOND);
    let hotel = durable(&r, 2);
    assert_eq!(hotel.count(Event::CancelFailed), 100);
    assert_eq!(
        hotel.cancel_attempts as usize,
        101 + hotel.count(Event::Repeat)
    );
    assert_eq!(settled(&r), Some(false));
    assert!(no_safety_violation(&r));
}

#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::lab_run::presets_replay_exactly(&SagaLab);
}

#[test]
fn any_setting_changed_mid_run_and_crashing_everything_panic_nothing() {
    crate::lab_run::survives_changes_mid_run(&SagaLab);
}
