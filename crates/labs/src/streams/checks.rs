//! The checks, from outside the nodes, over the database's record of effects and the
//! group's committed offsets (or the queue's acknowledgements):
//!
//! - per-key order: a message takes effect for the first time only after every earlier
//!   message of its key that ever takes effect (promised by a log whose partitioner hashes
//!   keys; an anomaly elsewhere);
//! - no loss: no message is passed over (committed or acknowledged) without taking effect,
//!   unless it went to the dead-letter queue (promised by committing after processing);
//! - no duplicate effect: no message takes effect twice (promised by the idempotent
//!   consumer).

use super::config::{Config, COORDINATOR, DATABASE, FIRST_CONSUMER, MAX_CONSUMERS, QUEUE};
use super::node::{Slot, Streams};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};

pub const ORDER: usize = 0;
pub const NO_LOSS: usize = 1;
pub const ONCE: usize = 2;
pub const REORDERED: usize = 3;
pub const LOST: usize = 4;
pub const DUPLICATED: usize = 5;
pub const ORDER_CHECK: &str = "Per-key order";
pub const NO_LOSS_CHECK: &str = "No message lost";
pub const ONCE_CHECK: &str = "Each effect once";
pub const REORDERED_CHECK: &str = "Key order lost";
pub const LOST_CHECK: &str = "Message lost";
pub const DUPLICATED_CHECK: &str = "Duplicate effect";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: ORDER_CHECK,
        modality: Modality::Always,
        description: "With keys hashed to partitions, a key's messages take effect in the order they were produced.",
    },
    InvariantSpec {
        name: NO_LOSS_CHECK,
        modality: Modality::Always,
        description: "Committing after processing: no offset moves past a message (no acknowledgement deletes it) before its effect is applied.",
    },
    InvariantSpec {
        name: ONCE_CHECK,
        modality: Modality::Always,
        description: "An idempotent consumer: a message redelivered after a crash or a rebalance takes effect only once.",
    },
    InvariantSpec {
        name: REORDERED_CHECK,
        modality: Modality::Anomaly,
        description: "A key's message took effect before an earlier one of the same key: without keys, or with competing consumers, nothing keeps their order.",
    },
    InvariantSpec {
        name: LOST_CHECK,
        modality: Modality::Anomaly,
        description: "A message was committed (or acknowledged) before processing and its consumer crashed: at-most-once delivery loses it.",
    },
    InvariantSpec {
        name: DUPLICATED_CHECK,
        modality: Modality::Anomaly,
        description: "A message took effect twice: at-least-once delivery redelivers what was processed but not yet committed.",
    },
];

/// Whether message `id` is in a live consumer's batch, not yet processed, or its effect is
/// on its way to the database.
pub fn held(nodes: &Nodes<'_, Streams>, id: u32) -> bool {
    (FIRST_CONSUMER..FIRST_CONSUMER + MAX_CONSUMERS).any(|c| match nodes.state(c) {
        Some(Streams::Consumer(c)) => c.batch.as_ref().is_some_and(|b| b.holds(id)),
        _ => false,
    }) || (FIRST_CONSUMER..FIRST_CONSUMER + MAX_CONSUMERS)
        .any(|c| nodes.durable(c).is_some_and(|d| d.last_apply == Some(id)))
}

pub fn dead_lettered(nodes: &Nodes<'_, Streams>, id: u32) -> bool {
    (FIRST_CONSUMER..FIRST_CONSUMER + MAX_CONSUMERS).any(|c| {
        nodes
            .durable(c)
            .is_some_and(|d| d.dead_lettered.contains(&id))
    })
}

/// Every message passed over (committed, or acknowledged or deleted from the queue) that
/// took no effect, was not dead-lettered and is not being processed: (message, partition,
/// offset), in partition and offset order.
pub fn lost(nodes: &Nodes<'_, Streams>, config: &Config) -> Vec<(u32, u8, u32)> {
    let Some(db) = nodes.durable(DATABASE) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let gone = |id: u32| db.effects_of(id) == 0 && !dead_lettered(nodes, id) && !held(nodes, id);
    if config.queue {
        if let Some(d) = nodes.durable(COORDINATOR) {
            for (i, (rec, slot)) in d.queue.iter().enumerate() {
                if matches!(slot, Slot::Done(_)) && gone(rec.id) {
                    out.push((rec.id, QUEUE, i as u32));
                }
            }
        }
        return out;
    }
    let Some(group) = nodes.durable(COORDINATOR).map(|d| &d.group) else {
        return out;
    };
    for p in 0..config.partitions {
        let committed = group.committed.get(usize::from(p)).copied().unwrap_or(0);
        let Some(log) = nodes
            .durable(Config::broker_of(p))
            .and_then(|d| d.partitions.get(usize::from(p)))
        else {
            continue;
        };
        for (offset, rec) in log.iter().enumerate().take(committed as usize) {
            if gone(rec.id) {
                out.push((rec.id, p, offset as u32));
            }
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
pub struct StreamChecks {
    /// How much of the database's application record has been read.
    scanned: usize,
    first: Vec<bool>,
    /// Per key, the newest message that has taken effect.
    newest: Vec<Option<u32>>,
    order: Option<Finding>,
    twice: Option<Finding>,
    lost: Option<Finding>,
}

impl Checker<Streams> for StreamChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Streams>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        if let Some(db) = nodes.durable(DATABASE) {
            for &(id, key, by, _) in db.applied.iter().skip(self.scanned) {
                let (i, k) = (id as usize, usize::from(key));
                if self.first.len() <= i {
                    self.first.resize(i + 1, false);
                }
                if self.newest.len() <= k {
                    self.newest.resize(k + 1, None);
                }
                if self.first[i] {
                    if self.twice.is_none() {
                        self.twice = Some(Finding {
                            invariant: if config.idempotent { ONCE } else { DUPLICATED },
                            detail: format!(
                                "message #{} took effect a second time, applied by {}",
                                id + 1,
                                node_name(by)
                            ),
                            nodes: vec![by, DATABASE],
                        });
                    }
                    continue;
                }
                self.first[i] = true;
                match self.newest[k] {
                    Some(newer) if newer > id => {
                        if self.order.is_none() {
                            self.order = Some(Finding {
                                invariant: if config.promises_order() {
                                    ORDER
                                } else {
                                    REORDERED
                                },
                                detail: format!(
                                    "key k{key}: message #{} took effect after #{}, which was produced later",
                                    id + 1,
                                    newer + 1
                                ),
                                nodes: vec![by, DATABASE],
                            });
                        }
                    }
                    _ => self.newest[k] = Some(id),
                }
            }
            self.scanned = db.applied.len();
        }
        if self.lost.is_none() && touched != 0 {
            if let Some(&(id, p, offset)) = lost(nodes, config).first() {
                let place = if p == QUEUE {
                    "acknowledged and deleted from the queue".to_string()
                } else {
                    format!("P{p}'s committed offset passed it (offset {offset})")
                };
                self.lost = Some(Finding {
                    invariant: if config.commit_after { NO_LOSS } else { LOST },
                    detail: format!(
                        "message #{} never took effect: {place}, and no consumer is processing it",
                        id + 1
                    ),
                    nodes: vec![COORDINATOR, DATABASE],
                });
            }
        }
        found.extend(
            [&self.order, &self.twice, &self.lost]
                .into_iter()
                .flatten()
                .cloned(),
        );
    }
}
