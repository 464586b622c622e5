//! The lab's invariants, checked live from outside the replicas.
//!
//! - **No split brain** (always, leader-follower): no epoch ever has two leaders. Two
//!   leaders in *different* epochs can coexist for a while (the old one has not heard of the
//!   new epoch yet); that is the failover lesson, not a violation of this property.
//! - **Acknowledged writes are durable** (always): when a node acknowledges a write, the
//!   write (or a version that supersedes it) is already in the durable state of as many
//!   nodes as the configuration promises: w in the leaderless topology (a majority with
//!   ABD; hints count, as a sloppy quorum counts them), every node with synchronous
//!   leader-follower replication, the writer itself otherwise.
//! - **Replicas converged** (sometimes): after a write, at some moment every live replica
//!   held the same state (for the leaderless topology: every live home of each key).
//! - **A write was acknowledged** (sometimes): guards against checks that pass because
//!   nothing happened.

use super::config::{Config, Topology};
use super::node::{Acked, Durable, Replica, Role};
use super::version::{Item, MAX_SET};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::logical_clock::Causality;
use failscope_sim::world::NodeStatus;
use std::collections::{BTreeMap, BTreeSet};

pub const NO_SPLIT_BRAIN: usize = 0;
pub const ACKED_DURABLE: usize = 1;
pub const CONVERGED: usize = 2;
pub const WRITE_ACKNOWLEDGED: usize = 3;

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: "No split brain",
        modality: Modality::Always,
        description: "Leader-follower: no epoch ever has two nodes that believe they lead it.",
    },
    InvariantSpec {
        name: "Acknowledged writes are durable",
        modality: Modality::Always,
        description: "A write is acknowledged only once it is stored on as many nodes as promised: W (leaderless), every follower (synchronous), the writer (otherwise).",
    },
    InvariantSpec {
        name: "Replicas converged",
        modality: Modality::Sometimes,
        description: "After a write, every live replica held the same data at some moment.",
    },
    InvariantSpec {
        name: "A write was acknowledged",
        modality: Modality::Sometimes,
        description: "Some client write was acknowledged.",
    },
];

/// Epochs remembered for the split-brain check (the oldest are forgotten beyond it).
const EPOCHS_KEPT: usize = 4096;

#[derive(Clone, Debug, Default)]
pub struct ReplicationChecker {
    /// The leader of each epoch seen so far.
    leaders: BTreeMap<u64, NodeId>,
    /// Each node's change counter at the last convergence check.
    seen_changes: Vec<u64>,
    write_seen: bool,
    converged: bool,
}

impl Checker<Replica> for ReplicationChecker {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Replica>, touched: NodeId, found: &mut Vec<Finding>) {
        let (Some(node), Some(durable)) = (nodes.state(touched), nodes.durable(touched)) else {
            return;
        };
        let config = nodes.config();
        if node.role() == Role::Leader && config.topology == Topology::LeaderFollower {
            let epoch = durable.epoch;
            let first = *self.leaders.entry(epoch).or_insert(touched);
            if first != touched {
                found.push(Finding {
                    invariant: NO_SPLIT_BRAIN,
                    nodes: vec![first, touched],
                    detail: format!(
                        "{} and {} both lead epoch {epoch}",
                        node_name(first),
                        node_name(touched)
                    ),
                });
            }
            while self.leaders.len() > EPOCHS_KEPT {
                self.leaders.pop_first();
            }
        }

        for acked in &node.acked {
            if !self.write_seen {
                self.write_seen = true;
                found.push(Finding {
                    invariant: WRITE_ACKNOWLEDGED,
                    nodes: vec![touched],
                    detail: String::new(),
                });
            }
            let needed = config.durable_copies();
            let holders: Vec<NodeId> = nodes
                .ids()
                .filter(|&n| nodes.durable(n).is_some_and(|d| covers(d, acked, touched)))
                .collect();
            if holders.len() < needed {
                let on = if holders.is_empty() {
                    "no node".to_string()
                } else {
                    holders
                        .iter()
                        .map(|&n| node_name(n))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                found.push(Finding {
                    invariant: ACKED_DURABLE,
                    nodes: std::iter::once(touched)
                        .chain(holders.iter().copied())
                        .collect(),
                    detail: format!(
                        "{} acknowledged {} stored on {} ({} of the {needed} promised)",
                        node_name(touched),
                        describe(acked),
                        on,
                        holders.len()
                    ),
                });
            }
        }

        if self.seen_changes.len() < nodes.len() {
            self.seen_changes.resize(nodes.len(), 0);
        }
        let slot = &mut self.seen_changes[usize::from(touched)];
        if !self.converged && self.write_seen && node.changes != *slot {
            *slot = node.changes;
            if converged(nodes, config) {
                self.converged = true;
                found.push(Finding {
                    invariant: CONVERGED,
                    nodes: vec![touched],
                    detail: String::new(),
                });
            }
        }
    }
}

fn describe(acked: &Acked) -> String {
    match acked {
        Acked::Entry { seq, epoch } => format!("entry #{seq} of epoch {epoch}"),
        Acked::Version { key, stamp } => format!("the write of k{key} stamped {stamp}"),
        Acked::Register { key, stamp, .. } => format!("the write of k{key} stamped {stamp}"),
        Acked::Counter { key, at_least } => format!("k{key}'s count of {at_least}"),
        Acked::Member { key, value } => format!("the addition of {value} to k{key}"),
    }
}

/// Does this node's durable state hold the acknowledged write, or a version that
/// supersedes it? (`writer` is the node that acknowledged it.)
pub fn covers(d: &Durable, acked: &Acked, writer: NodeId) -> bool {
    match acked {
        Acked::Entry { seq, epoch } => d.log.contains(*seq, *epoch),
        Acked::Version { key, stamp } => {
            d.store.get(key).is_some_and(|v| v.stamp >= *stamp)
                || d.hints
                    .iter()
                    .any(|h| h.key == *key && h.version.stamp >= *stamp)
        }
        Acked::Register { key, stamp, clock } => {
            let seen = |s: &super::version::Sibling| {
                s.stamp >= *stamp
                    || matches!(s.clock.compare(clock), Causality::After | Causality::Equal)
            };
            match d.items.get(key) {
                Some(Item::Lww(s)) => seen(s),
                Some(Item::Siblings(list)) => list.iter().any(seen),
                _ => false,
            }
        }
        Acked::Counter { key, at_least } => match d.items.get(key) {
            Some(Item::Counter(c)) => c.get(usize::from(writer)).is_some_and(|v| v >= at_least),
            _ => false,
        },
        Acked::Member { key, value } => match d.items.get(key) {
            Some(Item::Set(s)) => s.contains(value) || s.len() >= MAX_SET,
            _ => false,
        },
    }
}

/// Do all live replicas hold the same data?
pub fn converged(nodes: &Nodes<'_, Replica>, config: &Config) -> bool {
    let live: Vec<&Durable> = nodes
        .ids()
        .filter(|&n| nodes.status(n).is_some_and(|s| s != NodeStatus::Down))
        .filter_map(|n| nodes.durable(n))
        .collect();
    if live.len() < 2 {
        return false;
    }
    match config.topology {
        Topology::LeaderFollower => live.windows(2).all(|w| w[0].values == w[1].values),
        Topology::MultiLeader => live.windows(2).all(|w| w[0].items == w[1].items),
        Topology::Leaderless => {
            let keys: BTreeSet<u16> = live.iter().flat_map(|d| d.store.keys().copied()).collect();
            let ids: Vec<NodeId> = nodes
                .ids()
                .filter(|&n| nodes.status(n).is_some_and(|s| s != NodeStatus::Down))
                .collect();
            keys.iter().all(|&key| {
                let mut held = ids
                    .iter()
                    .filter(|&&n| config.is_home(n, key))
                    .filter_map(|&n| nodes.durable(n))
                    .map(|d| d.store.get(&key));
                match held.next() {
                    Some(first) => held.all(|v| v == first),
                    None => true,
                }
            })
        }
    }
}
