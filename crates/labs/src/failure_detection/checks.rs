//! The failure detector's classic properties (Chandra and Toueg, 1996), checked from outside
//! the nodes after every handler. Strong accuracy fires on every preset with a pause, by
//! design: a paused node, alive but silent, is suspected, and no timeout can prevent it.
//! Completeness is reached in the crash preset; its bounded form (a crashed node is
//! suspected at the first check after its silence passes the detector's limit) is the one
//! a broken detector breaks.

use super::node::Heartbeat;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::time::{format_duration, Time};
use failscope_sim::world::NodeStatus;

pub const ACCURACY: usize = 0;
pub const COMPLETENESS: usize = 1;
pub const BOUNDED: usize = 2;
/// The checks' names, which the presets' narration is cued on.
pub const ACCURACY_CHECK: &str = "Strong accuracy";
pub const COMPLETENESS_CHECK: &str = "Completeness";
pub const BOUNDED_CHECK: &str = "Suspected within the bound";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: ACCURACY_CHECK,
        modality: Modality::Always,
        description: "No node that has not crashed is ever suspected. No timeout can promise this when messages or nodes can be slow.",
    },
    InvariantSpec {
        name: COMPLETENESS_CHECK,
        modality: Modality::Sometimes,
        description: "A crashed node came to be suspected by every node that is up.",
    },
    InvariantSpec {
        name: BOUNDED_CHECK,
        modality: Modality::Always,
        description: "A node suspects a crashed peer at its first check after the peer's silence passes the detector's own limit.",
    },
];

/// The failure detector's properties (Chandra and Toueg, 1996).
#[derive(Clone, Debug, Default)]
pub struct DetectorChecks;

impl Checker<Heartbeat> for DetectorChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Heartbeat>, touched: NodeId, found: &mut Vec<Finding>) {
        let Some(me) = nodes.state(touched) else {
            return;
        };
        if nodes.status(touched) == Some(NodeStatus::Up) && !me.in_gc() {
            for peer in nodes.ids().filter(|&p| p != touched) {
                if nodes.status(peer) != Some(NodeStatus::Down) || me.suspects(peer) {
                    continue;
                }
                let (Some(heard), Some(limit)) = (me.last_heard(peer), me.limit(peer)) else {
                    continue;
                };
                let silence = me.checked_at() - heard;
                if silence > limit {
                    found.push(Finding {
                        invariant: BOUNDED,
                        nodes: vec![touched, peer],
                        detail: format!(
                            "{} checked {} after last hearing from {}, which has crashed, past its limit of {}, and still does not suspect it",
                            node_name(touched),
                            format_duration(silence.max(0) as Time),
                            node_name(peer),
                            format_duration(limit.max(0) as Time)
                        ),
                    });
                }
            }
        }
        // Both properties are about suspicions; a node suspecting nobody (the usual case)
        // can break neither, so the check costs nothing then. (A restarted node that others
        // still suspect is caught at their next heartbeat.)
        if !me.suspected.contains(&true) {
            return;
        }
        for peer in nodes.ids().filter(|&p| p != touched && me.suspects(p)) {
            // Paused is alive: suspecting a paused node is as false as suspecting a busy one.
            if nodes.status(peer).is_some_and(|s| s != NodeStatus::Down) {
                found.push(Finding {
                    invariant: ACCURACY,
                    nodes: vec![touched, peer],
                    detail: format!(
                        "{} suspects {}, which has not crashed",
                        node_name(touched),
                        node_name(peer)
                    ),
                });
            }
        }
        for down in nodes
            .ids()
            .filter(|&d| nodes.status(d) == Some(NodeStatus::Down))
        {
            let everyone = nodes
                .ids()
                .filter(|&n| n != down && nodes.status(n) == Some(NodeStatus::Up))
                .all(|n| nodes.state(n).is_some_and(|s| s.suspects(down)));
            if everyone {
                found.push(Finding {
                    invariant: COMPLETENESS,
                    nodes: vec![down],
                    detail: String::new(),
                });
            }
        }
    }
}
