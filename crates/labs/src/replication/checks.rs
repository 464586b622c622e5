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
//! - **A read missed an acknowledged write** (anomaly, for a challenge to find): a replica
//!   answered a read, in the handler where the read reached it, with a value that misses the
//!   latest write of that key acknowledged before then (by any node). Misses: the reader's
//!   log lacks the entry (leader-follower), none of its versions descends from the write
//!   (multi-leader registers, by vector clock, so last write wins keeping an older write
//!   counts), its counter or set lacks the increment or element, or the version it returns
//!   has a lower stamp (leaderless). Only reads answered where they arrive are judged
//!   (local reads, and leaderless reads whose quorum was the coordinator's own copy, R = 1):
//!   a quorum read that waited for other replicas is not, since the checker cannot tell when
//!   it arrived. A missed stale read is possible; a false alarm is not.
//! - **An acknowledged write was lost** (anomaly, for a challenge to find): a node discarded a
//!   write it had acknowledged, counted in `lost_writes` and marked in the trace: an old
//!   leader resyncing after asynchronous replication and failover, or last write wins
//!   keeping the version with the later wall-clock stamp.

use super::config::{Config, Topology};
use super::node::{Acked, Durable, ReadAnswer, Replica, Role};
use super::version::{Item, MAX_SET};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::logical_clock::Causality;
use failscope_sim::time::{format_duration, Time};
use failscope_sim::world::NodeStatus;
use std::collections::{BTreeMap, BTreeSet};

pub const NO_SPLIT_BRAIN: usize = 0;
pub const ACKED_DURABLE: usize = 1;
pub const CONVERGED: usize = 2;
pub const WRITE_ACKNOWLEDGED: usize = 3;
pub const STALE_READ: usize = 4;
pub const WRITE_LOST: usize = 5;

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
    InvariantSpec {
        name: "A read missed an acknowledged write",
        modality: Modality::Anomaly,
        description: "A replica answered a read with a value older than a write acknowledged before the read reached it.",
    },
    InvariantSpec {
        name: "An acknowledged write was lost",
        modality: Modality::Anomaly,
        description: "A node discarded a write it had acknowledged to a client (failover after asynchronous replication, or last write wins).",
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
    /// The latest write of each key acknowledged so far: when, what, and by which node.
    /// Kept only until a stale read is seen.
    latest_acks: BTreeMap<u16, (Time, Acked, NodeId)>,
    stale_read_seen: bool,
    lost_write_seen: bool,
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

        if !self.stale_read_seen {
            // Reads first: a write acknowledged in this same handler came too late for them.
            let now = nodes.now();
            let stale = node
                .reads
                .iter()
                .find_map(|read| self.stale(read, durable, touched, now));
            if let Some(detail) = stale {
                self.stale_read_seen = true;
                self.latest_acks.clear();
                found.push(Finding {
                    invariant: STALE_READ,
                    nodes: vec![touched],
                    detail,
                });
            } else {
                for acked in &node.acked {
                    let key = match acked {
                        Acked::Entry { seq, .. } => durable.log.get(*seq).map(|e| e.key),
                        Acked::Version { key, .. }
                        | Acked::Register { key, .. }
                        | Acked::Counter { key, .. }
                        | Acked::Member { key, .. } => Some(*key),
                    };
                    if let Some(key) = key {
                        self.latest_acks.insert(key, (now, acked.clone(), touched));
                    }
                }
            }
        }
        if let (false, Some(why)) = (self.lost_write_seen, &node.lost) {
            self.lost_write_seen = true;
            found.push(Finding {
                invariant: WRITE_LOST,
                nodes: vec![touched],
                detail: why.clone(),
            });
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

impl ReplicationChecker {
    /// If `read`, answered by `reader` at `now`, misses the latest write of its key
    /// acknowledged before then: what happened, in words.
    fn stale(
        &self,
        read: &ReadAnswer,
        durable: &Durable,
        reader: NodeId,
        now: Time,
    ) -> Option<String> {
        let key = read.key();
        let (at, acked, writer) = self.latest_acks.get(&key)?;
        if *at >= now {
            return None;
        }
        let covered = match (read, acked) {
            // Entries older than the log's tail are gone from it: assume the reader had
            // them (never a false alarm).
            (ReadAnswer::Local { .. }, Acked::Entry { seq, epoch }) => {
                durable.log.contains(*seq, *epoch) || *seq <= durable.log.base
            }
            // A register has seen the write when one of its versions descends from it. Not
            // by stamp: under last write wins a higher stamp can be the older write.
            (ReadAnswer::Local { .. }, Acked::Register { clock, .. }) => {
                let seen = |s: &super::version::Sibling| {
                    matches!(s.clock.compare(clock), Causality::After | Causality::Equal)
                };
                match durable.items.get(&key) {
                    Some(Item::Lww(s)) => seen(s),
                    Some(Item::Siblings(list)) => list.iter().any(seen),
                    _ => false,
                }
            }
            (ReadAnswer::Local { .. }, acked) => covers(durable, acked, *writer),
            (ReadAnswer::Quorum { version, .. }, Acked::Version { stamp, .. }) => {
                version.is_some_and(|v| v.stamp >= *stamp)
            }
            (ReadAnswer::Quorum { .. }, _) => true,
        };
        (!covered).then(|| {
            format!(
                "{} answered a read of k{key} with {}, missing {} acknowledged by {} at {}",
                node_name(reader),
                read.value()
                    .map_or("nothing".to_string(), |v| v.to_string()),
                describe(acked),
                node_name(*writer),
                format_duration(*at)
            )
        })
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
