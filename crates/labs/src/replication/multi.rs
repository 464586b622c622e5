//! Multi-leader replication (DDIA chapter 5, "Multi-leader replication"): every replica
//! takes writes locally, acknowledges them at once, and sends them to every other replica
//! asynchronously. Messages lost in a partition are made up by anti-entropy: every
//! `anti_entropy_ms` each replica merges its whole state with one random peer's.
//!
//! Concurrent writes are the whole problem, and `resolution` picks the answer:
//! - **last write wins** by the writing node's wall clock. Simple, convergent, and wrong
//!   under clock skew: a write stamped by a clock that is behind loses to an earlier one,
//!   even when its writer had seen that earlier write (Kleppmann, "There is no now", and
//!   DDIA's figure 8-3). The writer counts such a discarded write in `lost_writes`.
//! - **siblings**: writes carry vector clocks; a replica keeps every write no other write
//!   has seen (as Riak does). A read returns the largest sibling and counts how many there
//!   were; the next write at a replica has seen all its siblings and replaces them.
//! - **CRDTs** (Shapiro et al., 2011): a grow-only counter (a write adds its value to the
//!   writer's own slot; a read sums the slots) and an add-only set (a write adds its value;
//!   a read returns the size). Merges are joins, so replicas converge with no conflicts.

use super::config::Resolution;
use super::node::{clock_reading, Acked, Msg, Replica};
use super::version::{set_of, Item, Sibling};
use failscope_sim::client::{ClientOp, ClientReply, ClientRequest};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::logical_clock::VectorClock;
use failscope_sim::protocol::Ctx;
use std::collections::BTreeSet;

impl Replica {
    pub(super) fn ml_client(&mut self, ctx: &mut Ctx<'_, Self>, request: ClientRequest) {
        match request.op {
            ClientOp::Read { key } => {
                if ctx.config().balance_reads {
                    self.read_balanced(ctx, request.id, key);
                } else {
                    self.read_locally(ctx, request.id, key);
                }
            }
            ClientOp::Write { key, value } => {
                self.ml_write(ctx, key, value);
                ctx.reply(request.id, ClientReply::Ok { value: None });
            }
            ClientOp::Cas { .. } => {
                ctx.note(format!(
                    "{} refuses a compare-and-set: with several leaders there is no single value to compare",
                    node_name(ctx.id())
                ));
                ctx.reply(request.id, ClientReply::Fail);
            }
        }
    }

    fn ml_write(&mut self, ctx: &mut Ctx<'_, Self>, key: u16, value: u32) {
        let me = ctx.id();
        let n = ctx.n_nodes();
        let resolution = ctx.config().resolution;
        let current = ctx.durable().items.get(&key).cloned();
        let replicate = match resolution {
            Resolution::LastWriteWins | Resolution::Siblings => {
                // The new write has seen every version this replica holds for the key.
                let mut clock = current
                    .as_ref()
                    .map(Item::context)
                    .unwrap_or_else(|| VectorClock::new(n));
                clock.tick(me);
                let stamp = Self::next_stamp(ctx, i64::MIN);
                self.acked.push(Acked::Register {
                    key,
                    stamp,
                    clock: clock.clone(),
                });
                let sibling = Sibling {
                    value,
                    clock,
                    stamp,
                };
                let item = if resolution == Resolution::Siblings {
                    Item::Siblings(vec![sibling])
                } else {
                    match current {
                        Some(Item::Lww(held)) if held.stamp > stamp => {
                            self.lose_writes(ctx, 1, format!(
                                "{} stamped k{key}={value} at {} by its clock, earlier than the {} of the k{key}={} it replaces: last write wins keeps {} and the new write is silently lost",
                                node_name(me),
                                clock_reading(stamp.time),
                                clock_reading(held.stamp.time),
                                held.value,
                                held.value
                            ));
                            Item::Lww(held)
                        }
                        _ => Item::Lww(sibling),
                    }
                };
                ctx.durable_mut().items.insert(key, item.clone());
                item
            }
            Resolution::Counter => {
                let mut counts = match current {
                    Some(Item::Counter(c)) => c,
                    _ => vec![0; usize::from(n)],
                };
                if counts.len() < usize::from(n) {
                    counts.resize(usize::from(n), 0);
                }
                let slot = &mut counts[usize::from(me)];
                *slot = slot.saturating_add(u64::from(value));
                let at_least = *slot;
                self.acked.push(Acked::Counter { key, at_least });
                let item = Item::Counter(counts);
                ctx.durable_mut().items.insert(key, item.clone());
                item
            }
            Resolution::AddSet => {
                let mut item = match current {
                    Some(set @ Item::Set(_)) => set,
                    _ => Item::Set(BTreeSet::new()),
                };
                let delta = Item::Set(set_of(value));
                item.merge(&delta, me);
                self.acked.push(Acked::Member { key, value });
                ctx.durable_mut().items.insert(key, item);
                // A set travels as the delta: one element merges like a whole state.
                delta
            }
        };
        self.changes += 1;
        ctx.broadcast(Msg::Merge {
            items: vec![(key, replicate)],
            reply: false,
        });
    }

    pub(super) fn on_merge(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        items: Vec<(u16, Item)>,
        reply: bool,
    ) {
        let me = ctx.id();
        for (key, incoming) in items {
            let items = &mut ctx.durable_mut().items;
            let Some(held) = items.get_mut(&key) else {
                items.insert(key, incoming);
                self.changes += 1;
                continue;
            };
            let had = held.read();
            let out = held.merge(&incoming, me);
            let now = held.read();
            if out.changed {
                self.changes += 1;
            }
            if out.conflicts > 0 {
                ctx.count("conflicts", i64::from(out.conflicts));
                ctx.narrate(format!(
                    "{} sees that its write of k{key} and one from {} were concurrent: neither had seen the other",
                    node_name(me),
                    node_name(from)
                ));
            }
            if out.lost > 0 {
                self.lose_writes(ctx, out.lost, format!(
                    "{}'s write k{key}={} is discarded: the version from {} has the later wall-clock stamp, so last write wins keeps k{key}={}",
                    node_name(me),
                    had.unwrap_or(0),
                    node_name(from),
                    now.unwrap_or(0)
                ));
            }
        }
        if reply {
            self.ml_exchange(ctx, from, false);
        }
    }

    /// Anti-entropy: send `peer` this replica's whole state.
    pub(super) fn ml_exchange(&mut self, ctx: &mut Ctx<'_, Self>, peer: NodeId, reply: bool) {
        let items: Vec<(u16, Item)> = ctx
            .durable()
            .items
            .iter()
            .map(|(&k, i)| (k, i.clone()))
            .collect();
        if items.is_empty() && !reply {
            return;
        }
        ctx.send(peer, Msg::Merge { items, reply });
    }
}
