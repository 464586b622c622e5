//! The failure detector's two classic properties, checked from outside the nodes after every
//! handler. Strong accuracy fires on the gc-pause preset (a paused node, alive but
//! silent, is suspected); completeness is reached in the crash preset.

use super::node::Heartbeat;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::world::NodeStatus;

pub const ACCURACY: usize = 0;
pub const COMPLETENESS: usize = 1;
/// The checks' names, which the presets' narration is cued on.
pub const ACCURACY_CHECK: &str = "Strong accuracy";
pub const COMPLETENESS_CHECK: &str = "Completeness";

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
];

/// The failure detector's two classic properties (Chandra and Toueg, 1996).
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
