//! Rewind and fork: seeking is exact, and acting in the past forks a timeline that the
//! scenario's action log reproduces from scratch.

use failscope_labs::build;
use failscope_sim::action::Action;
use failscope_sim::time::{MS, SECOND};
use failscope_sim::Scenario;

fn busy_scenario() -> Scenario {
    let mut s = Scenario::new("failure-detection", 77, 7);
    s.network.link.loss_ppm = 50_000;
    s.network.link.reorder_ppm = 100_000;
    s.clients.n_clients = 3;
    s.with_fault(
        SECOND,
        Action::Partition {
            groups: vec![vec![0, 1, 2]],
        },
    )
    .with_fault(3 * SECOND, Action::Heal)
}

#[test]
fn seeking_back_and_forth_shows_the_same_state() {
    let mut sim = build(&busy_scenario()).unwrap();
    sim.run_until(1_234 * MS);
    let view_then = sim.view();
    let position_then = sim.trace_position();
    sim.run_until(5 * SECOND);
    let full_hash = sim.trace().hash();
    let full_len = sim.trace().len();

    sim.seek(1_234 * MS);
    assert_eq!(sim.view(), view_then);
    assert_eq!(sim.trace_position(), position_then);
    assert_eq!(
        sim.trace().len(),
        full_len,
        "seeking back keeps the recorded future"
    );

    sim.seek(5 * SECOND);
    assert_eq!(sim.trace().hash(), full_hash);
    assert_eq!(sim.trace_position(), full_len);
}

#[test]
fn seeking_to_every_point_matches_a_straight_run() {
    let mut straight = build(&busy_scenario()).unwrap();
    let mut seeker = build(&busy_scenario()).unwrap();
    seeker.run_until(4 * SECOND);
    for t in [3_999 * MS, 17 * MS, 2_500 * MS, 0, 1_000 * MS, 1_001 * MS] {
        straight = build(&busy_scenario()).unwrap();
        straight.run_until(t);
        seeker.seek(t);
        assert_eq!(seeker.view(), straight.view(), "at t = {t}");
        assert_eq!(seeker.metrics(), straight.metrics(), "at t = {t}");
    }
    drop(straight);
}

#[test]
fn acting_in_the_past_forks_and_the_action_log_replays_the_fork() {
    let mut sim = build(&busy_scenario()).unwrap();
    sim.run_until(4 * SECOND);
    let unforked_hash = sim.trace().hash();
    sim.seek(2 * SECOND);
    sim.apply(Action::Crash { node: 4 }).unwrap();
    assert_eq!(sim.horizon(), 2 * SECOND, "the old future is gone");
    sim.run_until(4 * SECOND);
    assert_ne!(sim.trace().hash(), unforked_hash);
    let log = sim.scenario().actions.clone();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].at_us, 2 * SECOND);

    // The scenario with its action log reproduces the forked timeline exactly.
    let mut replay = build(sim.scenario()).unwrap();
    replay.run_until(4 * SECOND);
    assert_eq!(replay.trace().hash(), sim.trace().hash());

    // Forking again before the first action drops it from the log.
    sim.seek(SECOND);
    sim.apply(Action::Pause {
        node: 0,
        duration_us: 100 * MS,
    })
    .unwrap();
    assert_eq!(sim.scenario().actions.len(), 1);
    assert!(matches!(
        sim.scenario().actions[0].action,
        Action::Pause { .. }
    ));
}

#[test]
fn actions_between_events_replay_at_their_exact_point() {
    // Step one event at a time and act in the middle of a burst of same-time events.
    let mut sim = build(&busy_scenario()).unwrap();
    sim.run_until(50 * MS - 1);
    sim.step();
    sim.step();
    sim.apply(Action::Crash { node: 2 }).unwrap();
    sim.step();
    sim.run_until(600 * MS);
    sim.apply(Action::Restart { node: 2 }).unwrap();
    sim.run_until(SECOND);
    let mut replay = build(sim.scenario()).unwrap();
    replay.run_until(SECOND);
    assert_eq!(replay.trace().hash(), sim.trace().hash());
}

#[test]
fn long_runs_keep_seek_exact_after_checkpoint_thinning() {
    let mut s = Scenario::new("failure-detection", 5, 9);
    s.params.insert("interval_ms".into(), 5);
    let mut sim = build(&s).unwrap();
    sim.run_until(40 * SECOND);
    let len = sim.trace().len();
    assert!(len > 1_000_000, "{len} events");
    let hash = sim.trace().hash();
    sim.seek(13 * SECOND + 7 * MS);
    let view = sim.view();
    let mut straight = build(&s).unwrap();
    straight.run_until(13 * SECOND + 7 * MS);
    assert_eq!(view, straight.view());
    sim.seek(40 * SECOND);
    assert_eq!(sim.trace().hash(), hash);
}
