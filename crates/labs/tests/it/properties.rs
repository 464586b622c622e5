//! Property tests over random fault schedules: whatever the faults, the engine never panics,
//! never delivers across a partition or to a crashed or paused node, conserves messages, and
//! keeps time monotonic. The checks replay the trace with their own model of the world.

use crate::seed_note;
use failscope_labs::build;
use failscope_sim::action::{Action, ScheduledFault};
use failscope_sim::ids::{MsgId, NodeId};
use failscope_sim::network::Latency;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::{NetChange, TraceKind};
use failscope_sim::{Scenario, Simulation};
use proptest::prelude::*;
use std::collections::BTreeSet;

const HORIZON: Time = 3 * SECOND;

fn action(n: u16) -> impl Strategy<Value = Action> {
    let node = 0..n;
    prop_oneof![
        node.clone().prop_map(|node| Action::Crash { node }),
        node.clone().prop_map(|node| Action::Restart { node }),
        (node.clone(), 1..400u64).prop_map(|(node, ms)| Action::Pause {
            node,
            duration_us: ms * MS
        }),
        proptest::collection::vec(0..3u8, usize::from(n)).prop_map(|assignment| {
            let groups = (1..3u8)
                .map(|g| {
                    assignment
                        .iter()
                        .enumerate()
                        .filter(|(_, &a)| a == g)
                        .map(|(i, _)| i as NodeId)
                        .collect()
                })
                .collect();
            Action::Partition { groups }
        }),
        (node.clone(), node.clone()).prop_map(|(from, to)| Action::Cut { from, to }),
        (node.clone(), node.clone()).prop_map(|(from, to)| Action::Clog { from, to }),
        (node.clone(), node.clone()).prop_map(|(from, to)| Action::Unclog { from, to }),
        Just(Action::Heal),
        (node.clone(), -2_000i64..2_000).prop_map(|(node, ms)| Action::ClockJump {
            node,
            delta_us: ms * 1_000
        }),
        (node, -200_000i32..200_000).prop_map(|(node, ppm)| Action::ClockDrift { node, ppm }),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        2u16..7,
        any::<u64>(),
        0..300_000u32,
        0..200_000u32,
        0..300_000u32,
        0u16..3,
    )
        .prop_flat_map(|(n, seed, loss, dup, reorder, clients)| {
            let faults = proptest::collection::vec((0..HORIZON, action(n)), 0..25);
            faults.prop_map(move |faults| {
                let mut s = Scenario::new("failure-detection", seed, n);
                s.network.link.loss_ppm = loss;
                s.network.link.duplicate_ppm = dup;
                s.network.link.reorder_ppm = reorder;
                s.network.link.latency = Latency::Uniform {
                    min_us: MS,
                    max_us: 30 * MS,
                };
                s.clients.n_clients = clients;
                s.clients.timeout_us = 100 * MS;
                s.faults = faults
                    .into_iter()
                    .map(|(at_us, action)| ScheduledFault { at_us, action })
                    .collect();
                s
            })
        })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Status {
    Up,
    Down,
    Paused,
}

/// Replay the trace against an independent model of node status and reachability.
fn check_trace(sim: &dyn Simulation, n: u16, seed: u64) {
    let mut status = vec![Status::Up; usize::from(n)];
    let mut groups = vec![0u8; usize::from(n)];
    let mut cuts: BTreeSet<(NodeId, NodeId)> = BTreeSet::new();
    let mut open: BTreeSet<MsgId> = BTreeSet::new();
    let mut sent: BTreeSet<MsgId> = BTreeSet::new();
    let mut last_time = 0;
    for e in sim.trace().events() {
        assert!(
            e.time >= last_time,
            "time went backwards at {e:?}; {}",
            seed_note(seed)
        );
        last_time = e.time;
        match &e.kind {
            TraceKind::Crash { node } => status[usize::from(*node)] = Status::Down,
            TraceKind::Restart { node } | TraceKind::Resume { node } => {
                status[usize::from(*node)] = Status::Up
            }
            TraceKind::Pause { node, .. } => status[usize::from(*node)] = Status::Paused,
            TraceKind::Network(NetChange::Partition { groups: g }) => groups = g.to_vec(),
            TraceKind::Network(NetChange::Cut { from, to }) => {
                cuts.insert((*from, *to));
            }
            TraceKind::Network(NetChange::Heal) => {
                groups.iter_mut().for_each(|g| *g = 0);
                cuts.clear();
            }
            TraceKind::Send { msg, .. } => {
                assert!(sent.insert(*msg), "message id reused: {e:?}");
                open.insert(*msg);
            }
            TraceKind::Deliver { msg, from, to, .. } => {
                assert!(
                    open.remove(msg),
                    "delivered a message not in flight: {e:?}; {}",
                    seed_note(seed)
                );
                assert_eq!(
                    status[usize::from(*to)],
                    Status::Up,
                    "delivered to a node that is not up: {e:?}; {}",
                    seed_note(seed)
                );
                let reachable = groups[usize::from(*from)] == groups[usize::from(*to)]
                    && !cuts.contains(&(*from, *to));
                assert!(
                    reachable,
                    "delivered across a partition: {e:?}; {}",
                    seed_note(seed)
                );
            }
            TraceKind::Drop { msg, .. } => {
                assert!(
                    open.remove(msg),
                    "dropped a message not in flight: {e:?}; {}",
                    seed_note(seed)
                );
            }
            TraceKind::Timer { node, .. } => {
                assert_eq!(
                    status[usize::from(*node)],
                    Status::Up,
                    "timer fired on a stopped node: {e:?}"
                );
            }
            _ => {}
        }
    }
    let view = sim.view();
    let in_flight: BTreeSet<MsgId> = view.messages.iter().map(|m| m.id).collect();
    assert_eq!(
        open,
        in_flight,
        "trace and engine disagree on messages in flight; {}",
        seed_note(seed)
    );
    let m = sim.metrics();
    assert_eq!(
        m.messages_sent,
        m.messages_delivered + m.messages_dropped + in_flight.len() as u64,
        "messages not conserved; {}",
        seed_note(seed)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_keeps_its_promises_under_random_faults(scenario in scenario()) {
        scenario.validate(&failscope_labs::REGISTRY).expect("generated scenarios are valid");
        let mut sim = build(&scenario).unwrap();
        // Advance in uneven slices, as the browser does frame by frame.
        let mut t = 0;
        while t < HORIZON {
            t += 37 * MS;
            sim.run_until(t);
        }
        check_trace(sim.as_ref(), scenario.n_nodes, scenario.seed);
    }
}
