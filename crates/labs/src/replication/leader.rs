//! Leader-follower replication (DDIA chapter 5, "Leaders and followers").
//!
//! The leader numbers every write, appends it to its log, applies it, and streams the log
//! to the followers, which apply it in order. With asynchronous replication the leader
//! acknowledges a write at once; with synchronous replication only once every follower has
//! it (so one slow or crashed follower blocks every write: why real systems make just one
//! follower synchronous).
//!
//! Followers answer reads from their own copy when `follower_reads` is on (stale by the
//! replication lag) and pass writes on to the leader. A follower answers a client's
//! forwarded write only once the write has reached its own copy, so a client that keeps
//! talking to one replica always reads its own writes.
//!
//! Failover is deliberately simple: a follower that hears nothing from the leader for
//! `failover_ms` (plus half of that per node id, so the lowest-numbered live follower goes
//! first) promotes itself, in an epoch it alone owns. Followers that hear a new epoch resync
//! from a snapshot of the new leader. Whatever the old leader acknowledged but never
//! replicated is then gone: the old leader discards it when it rejoins (DDIA's "discarded
//! writes"; GitHub's 2012 MySQL incident). With asynchronous replication that is a lesson,
//! not a bug.

use super::config::{Bug, Config};
use super::log::{Entry, Log};
use super::node::{Acked, Forwarded, Msg, Replica, Role, Timer, Waiter, MAX_BATCH, WAIT_CAP};
use failscope_sim::client::{ClientOp, ClientReply, ClientRequest, RequestId};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::protocol::Ctx;
use std::collections::BTreeMap;

impl Replica {
    /// (Re)start the follower's failover countdown.
    /// Answer a leader's append or snapshot: accepted or not, and how far this log reaches.
    fn ack(ctx: &mut Ctx<'_, Self>, leader: NodeId, epoch: u64, ok: bool) {
        let applied = ctx.durable().log.last_seq();
        ctx.send(leader, Msg::AppendAck { epoch, ok, applied });
    }

    pub(super) fn reset_failover(ctx: &mut Ctx<'_, Self>) {
        let c: &Config = ctx.config();
        if c.failover_us == 0 {
            return;
        }
        let after = c.failover_wait(ctx.id());
        ctx.set_timer(Timer::Failover, after);
    }

    pub(super) fn lf_client(&mut self, ctx: &mut Ctx<'_, Self>, request: ClientRequest) {
        let (follower_reads, balance) = (ctx.config().follower_reads, ctx.config().balance_reads);
        match request.op {
            ClientOp::Read { key } => {
                if follower_reads && balance {
                    self.read_balanced(ctx, request.id, key)
                } else if follower_reads || self.role == Role::Leader {
                    self.read_locally(ctx, request.id, key)
                } else {
                    let leader = self.leader.filter(|&l| l != ctx.id());
                    ctx.reply(request.id, ClientReply::Redirect { leader });
                }
            }
            op => {
                if self.role == Role::Leader {
                    self.lf_write(ctx, request.id, op, None);
                } else if let Some(leader) = self.leader.filter(|&l| l != ctx.id()) {
                    ctx.send(
                        leader,
                        Msg::Forward {
                            request: request.id,
                            op,
                        },
                    );
                } else {
                    ctx.reply(request.id, ClientReply::Redirect { leader: None });
                }
            }
        }
    }

    /// The leader takes a write: number it, apply it, replicate it.
    fn lf_write(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        request: RequestId,
        op: ClientOp,
        via: Option<NodeId>,
    ) {
        let value = match op {
            ClientOp::Write { value, .. } => value,
            ClientOp::Cas { key, from, to } => {
                if ctx.durable().values.get(&key) == Some(&from) {
                    to
                } else {
                    return Self::respond(ctx, request, via, Forwarded::Failed);
                }
            }
            ClientOp::Read { .. } => return,
        };
        let key = op.key();
        let d = ctx.durable_mut();
        let entry = Entry {
            seq: d.log.last_seq() + 1,
            epoch: d.epoch,
            key,
            value,
        };
        d.log.push(entry);
        d.values.insert(key, value);
        self.changes += 1;
        let c = ctx.config();
        let at_once = !c.sync || c.bug == Bug::AckEarly || c.n_nodes < 2;
        if at_once {
            self.acked.push(Acked::Entry {
                seq: entry.seq,
                epoch: entry.epoch,
            });
            Self::respond(ctx, request, via, Forwarded::Applied(entry.seq));
        } else {
            let held: usize = self.sync_waiting.values().map(Vec::len).sum();
            if held >= WAIT_CAP {
                // Bounded: the oldest held write is no longer tracked (its client times out).
                if let Some(mut first) = self.sync_waiting.first_entry() {
                    first.get_mut().remove(0);
                    if first.get().is_empty() {
                        first.remove();
                    }
                }
            }
            self.sync_waiting
                .entry(entry.seq)
                .or_default()
                .push(Waiter { request, via });
        }
        for f in ctx.peers() {
            ctx.send(
                f,
                Msg::Append {
                    epoch: entry.epoch,
                    entries: vec![entry],
                    leader_seq: entry.seq,
                },
            );
        }
    }

    fn respond(ctx: &mut Ctx<'_, Self>, request: RequestId, via: Option<NodeId>, out: Forwarded) {
        match via {
            Some(follower) => {
                let epoch = ctx.durable().epoch;
                ctx.send(
                    follower,
                    Msg::ForwardReply {
                        request,
                        epoch,
                        outcome: out,
                    },
                );
            }
            None => {
                let reply = match out {
                    Forwarded::Applied(_) => ClientReply::Ok { value: None },
                    Forwarded::Failed => ClientReply::Mismatch,
                    Forwarded::NotLeader(leader) => ClientReply::Redirect { leader },
                };
                ctx.reply(request, reply);
            }
        }
    }

    pub(super) fn on_forward(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        request: RequestId,
        op: ClientOp,
    ) {
        if self.role != Role::Leader || op.is_read() {
            let leader = self.leader.filter(|&l| l != from);
            return Self::respond(ctx, request, Some(from), Forwarded::NotLeader(leader));
        }
        self.lf_write(ctx, request, op, Some(from));
    }

    pub(super) fn on_forward_reply(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        request: RequestId,
        epoch: u64,
        outcome: Forwarded,
    ) {
        match outcome {
            Forwarded::Applied(seq) => {
                if self.apply_waiting.len() >= WAIT_CAP {
                    self.apply_waiting.remove(0);
                }
                self.apply_waiting.push((epoch, seq, request));
                self.flush_apply_waiting(ctx);
            }
            Forwarded::Failed => ctx.reply(request, ClientReply::Mismatch),
            Forwarded::NotLeader(leader) => ctx.reply(request, ClientReply::Redirect { leader }),
        }
    }

    /// Answer the forwarded writes that have reached this node's copy; forget those of
    /// epochs it no longer follows (their clients time out: the write may or may not last).
    fn flush_apply_waiting(&mut self, ctx: &mut Ctx<'_, Self>) {
        let d = ctx.durable();
        let (synced, last) = (d.synced_epoch, d.log.last_seq());
        let mut done = Vec::new();
        self.apply_waiting.retain(|&(epoch, seq, request)| {
            if epoch == synced && seq <= last {
                done.push(request);
                false
            } else {
                epoch >= synced
            }
        });
        for request in done {
            ctx.reply(request, ClientReply::Ok { value: None });
        }
    }

    /// A higher epoch was seen: follow it (stepping down if this node led).
    fn adopt_epoch(&mut self, ctx: &mut Ctx<'_, Self>, epoch: u64, leader: Option<NodeId>) {
        let me = ctx.id();
        let old = ctx.durable().epoch;
        ctx.durable_mut().epoch = epoch;
        if self.role == Role::Leader {
            ctx.cancel_timer(Timer::Heartbeat);
            self.sync_waiting.clear();
            ctx.narrate(format!(
                "{} stepped down: it led epoch {old}, but epoch {epoch} has begun",
                node_name(me)
            ));
        }
        self.role = Role::Follower;
        self.leader = leader;
        Self::reset_failover(ctx);
    }

    pub(super) fn on_append(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        epoch: u64,
        entries: Vec<Entry>,
        leader_seq: u64,
    ) {
        let mine = ctx.durable().epoch;
        if epoch < mine {
            // A stale leader: tell it about the newer epoch.
            return Self::ack(ctx, from, mine, false);
        }
        if epoch > mine {
            self.adopt_epoch(ctx, epoch, Some(from));
        } else if self.role == Role::Leader {
            return; // Two leaders of one epoch: only a broken failover gets here.
        }
        self.role = Role::Follower;
        self.leader = Some(from);
        self.leader_seq = leader_seq;
        Self::reset_failover(ctx);
        if ctx.durable().synced_epoch != epoch {
            return Self::ack(ctx, from, epoch, false);
        }
        let d = ctx.durable_mut();
        let mut applied_any = false;
        for e in entries {
            let next = d.log.last_seq() + 1;
            if e.seq < next {
                continue; // already have it (a resend)
            }
            if e.seq > next {
                break; // a gap: the next heartbeat resends from where this node is
            }
            d.log.push(e);
            d.values.insert(e.key, e.value);
            applied_any = true;
        }
        if applied_any {
            self.changes += 1;
            self.flush_apply_waiting(ctx);
        }
        Self::ack(ctx, from, epoch, true);
    }

    pub(super) fn on_snapshot(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        epoch: u64,
        log: Log,
        store: BTreeMap<u16, u32>,
    ) {
        let mine = ctx.durable().epoch;
        if epoch < mine {
            return Self::ack(ctx, from, mine, false);
        }
        if epoch > mine {
            self.adopt_epoch(ctx, epoch, Some(from));
        } else if self.role == Role::Leader {
            return;
        }
        self.role = Role::Follower;
        self.leader = Some(from);
        self.leader_seq = self.leader_seq.max(log.last_seq());
        Self::reset_failover(ctx);
        let d = ctx.durable();
        if d.synced_epoch == epoch && log.last_seq() <= d.log.last_seq() {
            // A late snapshot of the log this node already follows: nothing new in it.
            return Self::ack(ctx, from, epoch, true);
        }
        let me = ctx.id();
        let c = ctx.config();
        let acked_at_once = !c.sync || c.bug == Bug::AckEarly;
        // Writes this node numbered as a leader that the new leader's log lacks: the
        // snapshot discards them. With asynchronous replication each was acknowledged.
        let discarded = ctx
            .durable()
            .log
            .entries
            .iter()
            .filter(|e| c.epoch_owner(e.epoch) == me && e.seq > log.base)
            .filter(|e| !log.contains(e.seq, e.epoch))
            .count();
        if discarded > 0 && acked_at_once {
            self.lose_writes(
                ctx,
                discarded as u32,
                format!(
                    "{} rejoined under {} and discarded {discarded} writes it had acknowledged as leader: the new leader never had them",
                    node_name(me),
                    node_name(from)
                ),
            );
        }
        let d = ctx.durable_mut();
        d.log = log;
        d.values = store;
        d.synced_epoch = epoch;
        self.changes += 1;
        self.flush_apply_waiting(ctx);
        Self::ack(ctx, from, epoch, true);
    }

    pub(super) fn on_append_ack(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        epoch: u64,
        ok: bool,
        applied: u64,
    ) {
        if epoch > ctx.durable().epoch {
            return self.adopt_epoch(ctx, epoch, None);
        }
        if self.role != Role::Leader || epoch != ctx.durable().epoch {
            return;
        }
        let f = usize::from(from);
        if f >= self.match_seq.len() {
            return;
        }
        if !ok {
            return self.send_snapshot(ctx, from);
        }
        self.match_seq[f] = self.match_seq[f].max(applied);
        self.release_sync_waiters(ctx);
    }

    /// Synchronous replication: acknowledge the writes every follower now has.
    fn release_sync_waiters(&mut self, ctx: &mut Ctx<'_, Self>) {
        let me = usize::from(ctx.id());
        let everywhere = self
            .match_seq
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != me)
            .map(|(_, &m)| m)
            .min()
            .unwrap_or(u64::MAX);
        let epoch = ctx.durable().epoch;
        while let Some(entry) = self.sync_waiting.first_entry() {
            let seq = *entry.key();
            if seq > everywhere {
                break;
            }
            for w in entry.remove() {
                self.acked.push(Acked::Entry { seq, epoch });
                Self::respond(ctx, w.request, w.via, Forwarded::Applied(seq));
            }
        }
    }

    fn send_snapshot(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId) {
        let now = ctx.monotonic_clock();
        let every = ctx.config().heartbeat_us as i64;
        let slot = &mut self.snapshot_at[usize::from(to)];
        if slot.is_some_and(|at| now - at < every) {
            return; // one is on its way
        }
        *slot = Some(now);
        let d = ctx.durable();
        let msg = Msg::Snapshot {
            epoch: d.epoch,
            log: d.log.clone(),
            store: d.values.clone(),
        };
        ctx.send(to, msg);
    }

    /// The leader's periodic round: each follower gets what it is missing (or a heartbeat).
    pub(super) fn lf_heartbeat(&mut self, ctx: &mut Ctx<'_, Self>) {
        let every = ctx.config().heartbeat_us;
        ctx.set_timer(Timer::Heartbeat, every);
        for f in ctx.peers() {
            let next = self.match_seq[usize::from(f)] + 1;
            let d = ctx.durable();
            if next <= d.log.base {
                self.send_snapshot(ctx, f);
                continue;
            }
            let msg = Msg::Append {
                epoch: d.epoch,
                entries: d.log.from(next, MAX_BATCH),
                leader_seq: d.log.last_seq(),
            };
            ctx.send(f, msg);
        }
    }

    /// The leader has been silent too long: promote this follower.
    pub(super) fn lf_failover(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.role == Role::Leader || ctx.config().failover_us == 0 {
            return;
        }
        let me = ctx.id();
        let n = usize::from(ctx.n_nodes());
        let c = ctx.config();
        let current = ctx.durable().epoch;
        let epoch = if c.bug == Bug::TwoLeaders {
            current + 1
        } else {
            c.next_epoch(current, me)
        };
        let silent = c.failover_wait(me);
        let d = ctx.durable_mut();
        d.epoch = epoch;
        d.synced_epoch = epoch;
        self.role = Role::Leader;
        self.leader = Some(me);
        self.match_seq = vec![0; n];
        self.snapshot_at = vec![None; n];
        self.sync_waiting.clear();
        self.apply_waiting.clear();
        self.leader_seq = 0;
        ctx.count("failovers", 1);
        ctx.mark(format!(
            "{} heard nothing from the leader for {} and promoted itself: leader of epoch {epoch}, with the log up to #{}",
            node_name(me),
            failscope_sim::time::format_duration(silent),
            ctx.durable().log.last_seq()
        ));
        self.lf_heartbeat(ctx);
    }
}
