//! Leaderless replication, after Amazon's Dynamo (DeCandia et al., SOSP 2007), and the ABD
//! register (Attiya, Bar-Noy and Dolev, "Sharing memory robustly in message-passing
//! systems", JACM 1995).
//!
//! The node a client reaches coordinates its request over the key's `n` home replicas
//! (consecutive nodes from `key % n_nodes`):
//! - a **write** is stamped (the coordinator's wall clock, made unique), sent to every home,
//!   and acknowledged once `w` have stored it;
//! - a **read** asks every home and answers with the newest of the first `r` replies. With
//!   **read repair**, homes that answered with an older version are sent the newer one.
//!
//! When w + r > n, a read's quorum overlaps every completed write's, so it never misses a
//! completed write. That is not linearizability: a read that overlaps a write may see it
//! while a later read does not (the new value reached one replica only). **ABD** closes the
//! gap: a read writes back what it found to a majority before returning, and a write first
//! asks a majority for the highest stamp and uses a higher one (a counter, not a clock).
//!
//! **Hinted handoff** (sloppy quorum): when a home has not acknowledged a write by the
//! request timeout, the coordinator keeps the write as a hint for it, counts itself toward w
//! if it is not a home already, and hands the hint over once the home answers again.
//! **Anti-entropy**: every `anti_entropy_ms` each node exchanges the versions of the keys it
//! shares with one random peer, and both keep the newer of each (Dynamo uses Merkle trees to
//! find the differences; the stores here are small enough to send whole).
//!
//! A coordinator that cannot assemble its quorum in `request_timeout_ms` answers `Fail`
//! when that is the truth: for reads, and for ABD writes still asking for stamps (nothing
//! stored yet). A plain write that reached fewer than w replicas may still surface later,
//! so the coordinator says nothing and the client's own timeout reports the outcome as
//! unknown, as Cassandra's write timeout does.

use super::config::{majority, Bug};
use super::node::{
    Acked, Hint, Msg, Op, Phase, ReadAnswer, Replica, Timer, HINT_CAP, HINT_RETRY_US, MAX_OPS,
};
use super::version::{merge_version, Stamp, Version};
use failscope_sim::client::{ClientOp, ClientReply, ClientRequest};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::protocol::Ctx;

/// Hints handed off per node per round.
const HANDOFF_BATCH: usize = 64;

impl Replica {
    /// Keep the newer of the stored version and `version`.
    pub(super) fn ll_store_locally(&mut self, ctx: &mut Ctx<'_, Self>, key: u16, version: Version) {
        let store = &mut ctx.durable_mut().store;
        let mut slot = store.get(&key).copied();
        if merge_version(&mut slot, version) {
            store.insert(key, version);
            self.changes += 1;
        }
    }

    pub(super) fn ll_client(&mut self, ctx: &mut Ctx<'_, Self>, request: ClientRequest) {
        let me = ctx.id();
        let (key, write) = match request.op {
            ClientOp::Read { key } => (key, None),
            ClientOp::Write { key, value } => (key, Some(value)),
            ClientOp::Cas { .. } => {
                ctx.note(format!(
                    "{} refuses a compare-and-set: a leaderless register has no single place to compare",
                    node_name(me)
                ));
                return ctx.reply(request.id, ClientReply::Fail);
            }
        };
        if self.ops.len() >= MAX_OPS {
            return ctx.reply(request.id, ClientReply::Fail);
        }
        let c = ctx.config();
        let (abd, timeout) = (c.abd, c.request_timeout_us);
        let homes = c.homes(key);
        let id = {
            let d = ctx.durable_mut();
            d.next_op += 1;
            d.next_op
        };
        let query = write.is_none() || abd;
        let mut op = Op {
            client: request.id,
            key,
            write,
            phase: if query { Phase::Query } else { Phase::Store },
            homes,
            replies: Vec::new(),
            acks: Vec::new(),
            best: None,
            answered: false,
            hinted: false,
            repaired: Vec::new(),
        };
        ctx.set_timer(Timer::Op(id), timeout);
        self.arriving = Some(id);
        if query {
            for &home in &op.homes {
                if home == me {
                    let mine = ctx.durable().store.get(&key).copied();
                    op.replies.push((me, mine));
                } else {
                    ctx.send(home, Msg::Fetch { op: id, key });
                }
            }
            self.ops.insert(id, op);
            self.check_query(ctx, id);
        } else {
            let value = write.unwrap_or(0);
            let stamp = Self::next_stamp(ctx, i64::MIN);
            op.best = Some(Version { stamp, value });
            self.ops.insert(id, op);
            self.send_stores(ctx, id);
        }
    }

    /// Send the op's version to every home, storing it here too if this node is one.
    fn send_stores(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        let me = ctx.id();
        let Some(op) = self.ops.get(&id) else { return };
        let Some(version) = op.best else { return };
        let (key, homes, is_write) = (op.key, op.homes.clone(), op.write.is_some());
        for &home in homes.iter().filter(|&&h| h != me) {
            ctx.send(
                home,
                Msg::Store {
                    op: id,
                    key,
                    version,
                },
            );
        }
        if homes.contains(&me) {
            self.ll_store_locally(ctx, key, version);
            if let Some(op) = self.ops.get_mut(&id) {
                op.acks.push(me);
            }
        } else if is_write && ctx.config().bug == Bug::AckEarly {
            // The broken variant answers before any copy exists at all.
            self.answer(ctx, id);
        }
        self.check_store(ctx, id);
    }

    pub(super) fn on_fetch_reply(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        id: u64,
        version: Option<Version>,
    ) {
        let Some(op) = self.ops.get_mut(&id) else {
            return;
        };
        if op.phase != Phase::Query || op.replies.iter().any(|&(n, _)| n == from) {
            return;
        }
        op.replies.push((from, version));
        if op.answered {
            // A plain read already answered: keep repairing the stragglers.
            self.repair(ctx, id, from, version);
            self.finish_if_done(ctx, id);
        } else {
            self.check_query(ctx, id);
        }
    }

    fn check_query(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        let c = ctx.config();
        let (abd, r, read_repair, n) = (c.abd, c.r, c.read_repair, c.n);
        let Some(op) = self.ops.get_mut(&id) else {
            return;
        };
        let needed = if abd { majority(n) } else { r };
        if op.answered || op.phase != Phase::Query || op.replies.len() < needed {
            return;
        }
        let best = op
            .replies
            .iter()
            .filter_map(|&(_, v)| v)
            .max_by_key(|v| v.stamp);
        op.best = best;
        if let Some(value) = op.write {
            // ABD write: a stamp above the highest a majority holds.
            let floor = best.map_or(1, |b| b.stamp.time.saturating_add(1));
            let stamp = Self::next_stamp_counter(ctx, floor);
            if let Some(op) = self.ops.get_mut(&id) {
                op.best = Some(Version { stamp, value });
                op.phase = Phase::Store;
            }
            return self.send_stores(ctx, id);
        }
        if abd {
            let agreed = op
                .replies
                .iter()
                .all(|&(_, v)| v.map(|v| v.stamp) == best.map(|b| b.stamp));
            if agreed {
                // A majority already holds the newest version: no write-back needed.
                self.answer(ctx, id);
                return self.finish(ctx, id);
            }
            op.phase = Phase::Store;
            ctx.note(format!(
                "{} writes k{}={} back to a majority before answering",
                node_name(ctx.id()),
                op.key,
                best.map_or(0, |b| b.value)
            ));
            return self.send_stores(ctx, id);
        }
        self.answer(ctx, id);
        if read_repair {
            let replies = self
                .ops
                .get(&id)
                .map(|op| op.replies.clone())
                .unwrap_or_default();
            for (node, version) in replies {
                self.repair(ctx, id, node, version);
            }
        }
        self.finish_if_done(ctx, id);
    }

    /// Read repair: send the newest version to a replica that answered with an older one.
    fn repair(&mut self, ctx: &mut Ctx<'_, Self>, id: u64, node: NodeId, had: Option<Version>) {
        if !ctx.config().read_repair {
            return;
        }
        let me = ctx.id();
        let Some(op) = self.ops.get_mut(&id) else {
            return;
        };
        let Some(best) = op.best else { return };
        if had.is_some_and(|v| v.stamp >= best.stamp) || op.repaired.contains(&node) {
            return;
        }
        op.repaired.push(node);
        let key = op.key;
        ctx.count("read_repairs", 1);
        if node == me {
            self.ll_store_locally(ctx, key, best);
        } else {
            ctx.send(
                node,
                Msg::Store {
                    op: id,
                    key,
                    version: best,
                },
            );
        }
    }

    pub(super) fn on_store_ack(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, id: u64) {
        let Some(op) = self.ops.get_mut(&id) else {
            return;
        };
        if op.phase != Phase::Store || op.acks.contains(&from) {
            return;
        }
        op.acks.push(from);
        self.check_store(ctx, id);
    }

    /// Distinct nodes holding the op's version: the homes that acknowledged, and this node
    /// if it holds hints for the write without being one of them.
    fn copies(op: &Op, me: NodeId) -> usize {
        op.acks.len() + usize::from(op.hinted && !op.acks.contains(&me))
    }

    fn check_store(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        let me = ctx.id();
        let c = ctx.config();
        let needed = if c.bug == Bug::AckEarly { 1 } else { c.w };
        let Some(op) = self.ops.get(&id) else {
            return;
        };
        if !op.answered && Self::copies(op, me) >= needed {
            self.answer(ctx, id);
        }
        self.finish_if_done(ctx, id);
    }

    /// Reply to the client (once).
    fn answer(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        let Some(op) = self.ops.get_mut(&id) else {
            return;
        };
        if op.answered {
            return;
        }
        op.answered = true;
        let value = match op.write {
            Some(_) => {
                if let Some(v) = op.best {
                    self.acked.push(Acked::Version {
                        key: op.key,
                        stamp: v.stamp,
                    });
                }
                None
            }
            None => {
                if self.arriving == Some(id) {
                    self.reads.push(ReadAnswer::Quorum {
                        key: op.key,
                        version: op.best,
                    });
                }
                op.best.map(|v| v.value)
            }
        };
        ctx.reply(op.client, ClientReply::Ok { value });
    }

    /// Drop the op once nothing more can come of it.
    fn finish_if_done(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        let read_repair = ctx.config().read_repair;
        let Some(op) = self.ops.get(&id) else {
            return;
        };
        let done = op.answered
            && match op.phase {
                Phase::Store => op.acks.len() >= op.homes.len(),
                Phase::Query => !read_repair || op.replies.len() >= op.homes.len(),
            };
        if done {
            self.finish(ctx, id);
        }
    }

    fn finish(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        self.ops.remove(&id);
        ctx.cancel_timer(Timer::Op(id));
    }

    pub(super) fn on_op_timeout(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        let me = ctx.id();
        let c = ctx.config();
        let (hinted_handoff, w, timeout) = (c.hinted_handoff, c.w, c.request_timeout_us);
        let Some(mut op) = self.ops.remove(&id) else {
            return;
        };
        let is_write = op.write.is_some();
        if is_write && op.phase == Phase::Store && hinted_handoff {
            if let Some(version) = op.best {
                let missing: Vec<NodeId> = op
                    .homes
                    .iter()
                    .copied()
                    .filter(|h| *h != me && !op.acks.contains(h))
                    .collect();
                for home in missing {
                    self.hold_hint(
                        ctx,
                        Hint {
                            home,
                            key: op.key,
                            version,
                        },
                    );
                    op.hinted = true;
                }
                if !op.answered && Self::copies(&op, me) >= w {
                    ctx.note(format!(
                        "{} counts the hints it holds toward w: a sloppy quorum acknowledges k{}={}",
                        node_name(me),
                        op.key,
                        version.value
                    ));
                    // Put it back so `answer` records the acknowledgement, then drop it.
                    self.ops.insert(id, op);
                    self.answer(ctx, id);
                    self.ops.remove(&id);
                    return;
                }
            }
        }
        if op.answered {
            return;
        }
        let what = match op.write {
            Some(v) => format!("write k{}={v}", op.key),
            None => format!("read k{}", op.key),
        };
        let asked = if op.phase == Phase::Query {
            op.replies.len()
        } else {
            Self::copies(&op, me)
        };
        let wait = failscope_sim::time::format_duration(timeout);
        if !is_write || op.phase == Phase::Query {
            // Nothing was stored: refusing is the truth.
            ctx.count("refused", 1);
            ctx.note(format!(
                "{} refuses {what}: only {asked} of {} replicas answered within {wait}",
                node_name(me),
                op.homes.len()
            ));
            ctx.reply(op.client, ClientReply::Fail);
        } else {
            ctx.note(format!(
                "{} gives up on {what} after {wait} with {asked} of {w} copies; some replicas may keep it, so the client is left to time out",
                node_name(me)
            ));
        }
    }

    /// An ABD stamp: a counter above `floor` and above anything this node stamped before.
    fn next_stamp_counter(ctx: &mut Ctx<'_, Self>, floor: i64) -> Stamp {
        let me = ctx.id();
        let d = ctx.durable_mut();
        let time = floor.max(d.last_stamp.map_or(i64::MIN, |t| t.saturating_add(1)));
        d.last_stamp = Some(time);
        Stamp { time, node: me }
    }

    fn hold_hint(&mut self, ctx: &mut Ctx<'_, Self>, hint: Hint) {
        let d = ctx.durable_mut();
        if d.hints.contains(&hint) {
            return;
        }
        if d.hints.len() >= HINT_CAP {
            d.hints.remove(0);
            ctx.count("hints_dropped", 1);
        }
        ctx.durable_mut().hints.push(hint);
        ctx.count("hints_stored", 1);
        ctx.note(format!(
            "{} keeps k{}={} as a hint for {}, which did not answer",
            node_name(ctx.id()),
            hint.key,
            hint.version.value,
            node_name(hint.home)
        ));
        self.arm_hints(ctx);
    }

    pub(super) fn arm_hints(&mut self, ctx: &mut Ctx<'_, Self>) {
        if !self.hints_armed {
            self.hints_armed = true;
            ctx.set_timer(Timer::Hints, HINT_RETRY_US);
        }
    }

    pub(super) fn on_hints_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.hints_armed = false;
        let hints: Vec<Hint> = ctx
            .durable()
            .hints
            .iter()
            .take(HANDOFF_BATCH)
            .copied()
            .collect();
        if hints.is_empty() {
            return;
        }
        for h in hints {
            ctx.send(
                h.home,
                Msg::Handoff {
                    key: h.key,
                    version: h.version,
                },
            );
        }
        self.arm_hints(ctx);
    }

    pub(super) fn on_handoff_ack(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        key: u16,
        stamp: Stamp,
    ) {
        let d = ctx.durable_mut();
        let before = d.hints.len();
        // The home now holds this stamp or newer: every older hint for it is moot too.
        d.hints
            .retain(|h| !(h.home == from && h.key == key && h.version.stamp <= stamp));
        let delivered = before - d.hints.len();
        let all_back = !d.hints.iter().any(|h| h.home == from);
        if delivered > 0 {
            ctx.count("hints_delivered", delivered as i64);
            let (me, home) = (node_name(ctx.id()), node_name(from));
            if all_back {
                ctx.narrate(format!(
                    "{me} has handed every hint it held for {home} back to it"
                ));
            } else {
                ctx.note(format!("{me} handed its hint for k{key} back to {home}"));
            }
        }
    }

    /// Anti-entropy: send `peer` the versions of the keys it replicates.
    pub(super) fn ll_exchange(&mut self, ctx: &mut Ctx<'_, Self>, peer: NodeId, reply: bool) {
        let c = ctx.config();
        let versions: Vec<(u16, Version)> = ctx
            .durable()
            .store
            .iter()
            .filter(|(&k, _)| c.is_home(peer, k))
            .map(|(&k, &v)| (k, v))
            .collect();
        if versions.is_empty() && !reply {
            return;
        }
        ctx.send(peer, Msg::Exchange { versions, reply });
    }

    pub(super) fn on_exchange(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        versions: Vec<(u16, Version)>,
        reply: bool,
    ) {
        let me = ctx.id();
        let mut updated = 0;
        for (key, version) in versions {
            if !ctx.config().is_home(me, key) {
                continue;
            }
            let newer = ctx
                .durable()
                .store
                .get(&key)
                .is_none_or(|v| v.stamp < version.stamp);
            if newer {
                self.ll_store_locally(ctx, key, version);
                updated += 1;
            }
        }
        if updated > 0 {
            ctx.count("anti_entropy_updates", updated);
            ctx.note(format!(
                "anti-entropy with {}: {} took {updated} newer versions",
                node_name(from),
                node_name(me)
            ));
        }
        if reply {
            self.ll_exchange(ctx, from, false);
        }
    }
}
