//! Engine behaviour, one fault at a time, on the failure-detection workload (every node pings every
//! other node every 50 ms and each ping is answered).

use failscope_labs::build;
use failscope_sim::action::Action;
use failscope_sim::client::{ClientOp, Outcome};
use failscope_sim::ids::MsgId;
use failscope_sim::network::{Latency, LinkConfig};
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::{DropReason, TraceEvent, TraceKind};
use failscope_sim::world::NodeStatus;
use failscope_sim::{Scenario, Simulation};

fn heartbeat(seed: u64) -> Scenario {
    Scenario::new("failure-detection", seed, 5)
}

fn run(scenario: &Scenario, until: Time) -> Box<dyn Simulation> {
    let mut sim = build(scenario).expect("valid scenario");
    sim.run_until(until);
    sim
}

fn events_between(sim: &dyn Simulation, from: Time, to: Time) -> Vec<TraceEvent> {
    sim.trace().between(from, to).to_vec()
}

fn delivered_to(events: &[TraceEvent], node: u16) -> usize {
    events
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Deliver { to, .. } if to == node))
        .count()
}

fn sent_by(events: &[TraceEvent], node: u16) -> usize {
    events
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Send { from, .. } if from == node))
        .count()
}

#[test]
fn a_crashed_node_sends_nothing_and_receives_nothing() {
    let scenario = heartbeat(1)
        .with_fault(SECOND, Action::Crash { node: 2 })
        .with_fault(2 * SECOND, Action::Restart { node: 2 });
    let sim = run(&scenario, 3 * SECOND);
    let down = events_between(sim.as_ref(), SECOND + 1, 2 * SECOND);
    assert_eq!(sent_by(&down, 2), 0);
    assert_eq!(delivered_to(&down, 2), 0);
    let dropped_at_2 = down
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TraceKind::Drop {
                    to: 2,
                    reason: DropReason::NodeDown,
                    ..
                }
            )
        })
        .count();
    assert!(
        dropped_at_2 > 50,
        "pings to the dead node are dropped: {dropped_at_2}"
    );
    // After the restart it starts again from scratch (its timers were lost in the crash).
    let after = events_between(sim.as_ref(), 2 * SECOND + 100 * MS, 3 * SECOND);
    assert!(sent_by(&after, 2) > 0);
    assert!(delivered_to(&after, 2) > 0);
}

#[test]
fn a_paused_node_does_nothing_then_catches_up_late() {
    let pause_at = SECOND + 3 * MS;
    let scenario = heartbeat(2).with_fault(
        pause_at,
        Action::Pause {
            node: 0,
            duration_us: 500 * MS,
        },
    );
    let mut sim = build(&scenario).unwrap();
    sim.run_until(pause_at + 250 * MS);
    assert!(matches!(
        sim.view().nodes[0].status,
        NodeStatus::Paused { .. }
    ));
    let waiting = sim
        .view()
        .messages
        .iter()
        .filter(|m| m.to == 0 && m.place == failscope_sim::world::MessagePlace::Waiting)
        .count();
    assert!(waiting > 0, "messages wait at the paused node");
    sim.run_until(2 * SECOND);
    let paused = events_between(sim.as_ref(), pause_at + 1, pause_at + 500 * MS);
    assert_eq!(sent_by(&paused, 0), 0);
    assert_eq!(delivered_to(&paused, 0), 0);
    // At resume its overdue heartbeat timer fires at once and the backlog is delivered.
    let resume_time = pause_at + 500 * MS;
    let at_resume = events_between(sim.as_ref(), resume_time, resume_time + 1);
    assert!(at_resume
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Resume { node: 0 })));
    assert!(at_resume
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Timer { node: 0, .. })));
    assert!(delivered_to(&at_resume, 0) > 10);
}

#[test]
fn partitions_block_exactly_the_links_between_groups() {
    let scenario = heartbeat(3)
        .with_fault(
            SECOND,
            Action::Partition {
                groups: vec![vec![0, 1]],
            },
        )
        .with_fault(2 * SECOND, Action::Heal);
    let sim = run(&scenario, 3 * SECOND);
    let cut = events_between(sim.as_ref(), SECOND + 20 * MS, 2 * SECOND);
    for e in &cut {
        if let TraceKind::Deliver { from, to, .. } = e.kind {
            assert_eq!(from < 2, to < 2, "delivered across the partition: {e:?}");
        }
    }
    assert!(cut.iter().any(|e| matches!(
        e.kind,
        TraceKind::Drop {
            reason: DropReason::Partition,
            ..
        }
    )));
    let healed = events_between(sim.as_ref(), 2 * SECOND + 20 * MS, 3 * SECOND);
    assert!(healed
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Deliver { from: 0, to: 4, .. })));
}

#[test]
fn a_one_way_cut_blocks_one_direction_only() {
    let scenario = heartbeat(4).with_fault(0, Action::Cut { from: 0, to: 1 });
    let sim = run(&scenario, SECOND);
    let events = sim.trace().events();
    assert!(!events
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Deliver { from: 0, to: 1, .. })));
    assert!(events
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Deliver { from: 1, to: 0, .. })));
}

#[test]
fn a_clogged_link_holds_messages_until_unclogged() {
    let scenario = heartbeat(5)
        .with_fault(SECOND, Action::Clog { from: 3, to: 4 })
        .with_fault(SECOND + 300 * MS, Action::Unclog { from: 3, to: 4 });
    let sim = run(&scenario, 2 * SECOND);
    let clogged = events_between(sim.as_ref(), SECOND + 20 * MS, SECOND + 300 * MS);
    assert!(!clogged
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Deliver { from: 3, to: 4, .. })));
    // Held messages arrive after the unclog, with their original send times.
    let released = events_between(sim.as_ref(), SECOND + 300 * MS, SECOND + 330 * MS);
    let late = released
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Deliver { from: 3, to: 4, sent_at, .. } if sent_at < SECOND + 300 * MS - 20 * MS))
        .count();
    assert!(late >= 4, "held messages delivered after unclog: {late}");
    assert_eq!(sim.metrics().messages_dropped, 0);
}

#[test]
fn total_loss_drops_everything_and_duplication_doubles_deliveries() {
    let mut lossy = heartbeat(6);
    lossy.network.link.loss_ppm = 1_000_000;
    let sim = run(&lossy, SECOND);
    assert_eq!(sim.metrics().messages_delivered, 0);
    assert_eq!(sim.metrics().dropped_loss, sim.metrics().messages_dropped);

    let mut doubled = heartbeat(6);
    doubled.network.link.duplicate_ppm = 1_000_000;
    doubled.network.link.latency = Latency::Constant { us: 10 * MS };
    let sim = run(&doubled, SECOND);
    let m = sim.metrics();
    assert_eq!(m.messages_duplicated * 2, m.messages_sent);
}

#[test]
fn messages_can_be_dropped_and_duplicated_by_hand() {
    let mut sim = build(&heartbeat(7)).unwrap();
    sim.run_until(51 * MS);
    let view = sim.view();
    let victim = view.messages[0].id;
    let twin = view.messages[1].id;
    sim.apply(Action::DropMessage { msg: victim }).unwrap();
    sim.apply(Action::DuplicateMessage { msg: twin }).unwrap();
    assert!(
        sim.apply(Action::DropMessage { msg: victim }).is_err(),
        "already gone"
    );
    assert!(sim
        .apply(Action::DropMessage {
            msg: MsgId(999_999)
        })
        .is_err());
    sim.run_until(200 * MS);
    let events = sim.trace().events();
    assert!(!events
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Deliver { msg, .. } if msg == victim)));
    let mut copies = events.iter().filter_map(|e| match e.kind {
        TraceKind::Duplicate { msg, copy } if msg == twin => Some(copy),
        _ => None,
    });
    let copy = copies.next_back().expect("a copy was made");
    assert!(events
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Deliver { msg, .. } if msg == copy)));
}

#[test]
fn invalid_actions_are_refused_with_a_reason() {
    let mut sim = build(&heartbeat(8)).unwrap();
    assert!(sim
        .apply(Action::Restart { node: 1 })
        .unwrap_err()
        .0
        .contains("not down"));
    sim.apply(Action::Crash { node: 1 }).unwrap();
    assert!(sim
        .apply(Action::Crash { node: 1 })
        .unwrap_err()
        .0
        .contains("already down"));
    assert!(sim
        .apply(Action::Pause {
            node: 1,
            duration_us: MS
        })
        .is_err());
    assert!(sim
        .apply(Action::Crash { node: 9 })
        .unwrap_err()
        .0
        .contains("no node"));
    assert!(sim
        .apply(Action::SetParam {
            key: "nope".into(),
            value: 1
        })
        .is_err());
}

#[test]
fn clock_jumps_and_drift_change_what_a_node_reads() {
    let scenario = heartbeat(9)
        .with_fault(
            SECOND,
            Action::ClockJump {
                node: 1,
                delta_us: -5 * SECOND as i64,
            },
        )
        .with_fault(
            SECOND,
            Action::ClockDrift {
                node: 2,
                ppm: 100_000,
            },
        );
    let sim = run(&scenario, 2 * SECOND);
    let view = sim.view();
    assert_eq!(view.nodes[1].clock.offset_us, -5_000_000);
    assert_eq!(
        view.nodes[1].clock.monotonic_us, 2_000_000,
        "monotonic clocks never jump"
    );
    assert_eq!(
        view.nodes[2].clock.offset_us, 100_000,
        "10% fast for one second"
    );
    assert_eq!(view.nodes[0].clock.offset_us, 0);
}

#[test]
fn hand_sent_client_requests_are_recorded_in_the_history() {
    let mut sim = build(&heartbeat(10)).unwrap();
    sim.apply(Action::ClientRequest {
        node: 0,
        op: ClientOp::Write { key: 0, value: 7 },
    })
    .unwrap();
    sim.run_until(SECOND);
    let history = sim.history();
    assert_eq!(history.operations.len(), 1);
    let op = &history.operations[0];
    assert_eq!(op.op, ClientOp::Write { key: 0, value: 7 });
    // The failure-detection lab serves no clients: a definite failure, returned within the client
    // latency bounds (1-3 ms each way).
    assert_eq!(op.outcome, Some(Outcome::Fail));
    assert!(op.return_us.unwrap() <= 6 * MS);
}

#[test]
fn requests_to_a_crashed_node_time_out() {
    let mut scenario = heartbeat(11);
    scenario.clients.n_clients = 2;
    scenario.clients.timeout_us = 200 * MS;
    scenario.clients.target = failscope_sim::client::ClientTarget::Sticky;
    let scenario = scenario
        .with_fault(0, Action::Crash { node: 0 })
        .with_fault(0, Action::Crash { node: 1 });
    let sim = run(&scenario, 2 * SECOND);
    let history = sim.history();
    assert!(history.completed().count() > 4);
    assert!(history
        .completed()
        .all(|op| op.outcome == Some(Outcome::Timeout)));
    assert_eq!(sim.metrics().ops_ok, 0);
    assert!(sim.metrics().ops_timed_out > 0);
}

#[test]
fn link_overrides_apply_to_one_direction() {
    let mut scenario = heartbeat(12);
    scenario.network.link.latency = Latency::Constant { us: 10 * MS };
    scenario
        .network
        .overrides
        .push(failscope_sim::network::LinkOverride {
            from: 0,
            to: 1,
            link: LinkConfig {
                latency: Latency::Constant { us: 40 * MS },
                ..LinkConfig::default()
            },
        });
    let sim = run(&scenario, SECOND);
    for e in sim.trace().events() {
        if let TraceKind::Send {
            from,
            to,
            deliver_at,
            ..
        } = e.kind
        {
            let expected = if (from, to) == (0, 1) {
                40 * MS
            } else {
                10 * MS
            };
            assert_eq!(deliver_at - e.time, expected, "{e:?}");
        }
    }
}

#[test]
fn the_failure_detector_is_complete_but_not_accurate() {
    use failscope_labs::preset;
    let crash = preset("failure-detection", "crash").unwrap();
    let mut sim = build(&crash.scenario).unwrap();
    sim.run_until(crash.duration_us);
    let reports = sim.invariants();
    assert!(
        reports[1].ok(),
        "every live node came to suspect the crashed one"
    );
    assert!(reports[0].ok(), "a crash alone causes no false suspicion");

    let pause = preset("failure-detection", "gc-pause").unwrap();
    let mut sim = build(&pause.scenario).unwrap();
    sim.run_until(pause.duration_us);
    let reports = sim.invariants();
    let violation = reports[0]
        .status
        .first_violation
        .as_ref()
        .expect("the pause fools the detector");
    assert!(
        violation.nodes.contains(&1),
        "S2 is the one wrongly suspected"
    );
    assert!(
        !reports[1].ok(),
        "nobody crashed, so completeness is never exercised"
    );
}
