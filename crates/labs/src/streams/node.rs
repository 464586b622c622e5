//! The protocol. S1 produces keyed messages; the brokers (S2, S3) append them to their
//! partitions, or S2 keeps them in one queue; S2 also coordinates the consumer group: it
//! hears heartbeats, expels a member that stays silent for a session, assigns partitions
//! (stickily), revokes them eagerly (everyone stops) or cooperatively (only the partitions
//! that move), and keeps the committed offsets. A consumer fetches a batch, processes it one
//! record at a time by writing the effect to the database S4, and commits its offset before
//! or after. A queue's consumers compete for single messages and acknowledge each.

use super::checks::StreamChecks;
use super::config::{Bug, Config, COORDINATOR, DATABASE, FIRST_CONSUMER, PRODUCER, QUEUE};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS, SECOND};

/// The broken consumer's auto-commit period.
pub const AUTO_COMMIT_US: Time = 50 * MS;

/// How long a queued message stays with a consumer that does not acknowledge it.
pub const VISIBILITY_US: Time = 5 * SECOND;

/// The most partitions a run can have (the coordinator's tables have this many rows).
pub const MAX_PARTITIONS: usize = 8;

/// A record as a broker stores it: the message number, its key, when it was appended (on
/// the broker's monotonic clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rec {
    pub id: u32,
    pub key: u8,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Produce {
        id: u32,
        key: u8,
        partition: u8,
    },
    /// A consumer is alive and in the group (the first one joins it).
    Heartbeat,
    /// The coordinator's view of one member: the partitions it holds (with the committed
    /// offset to start from) and those it must give up; `epoch` counts replays.
    Sync {
        yours: Vec<(u8, u32)>,
        give_up: Vec<u8>,
        epoch: u32,
    },
    /// Partitions given up, with the offset to resume from (`None`: not held any more).
    Released {
        parts: Vec<(u8, Option<u32>)>,
        epoch: u32,
        leaving: bool,
    },
    Fetch {
        partition: u8,
        from: u32,
        max: u32,
    },
    Records {
        partition: u8,
        from: u32,
        recs: Vec<Rec>,
    },
    Commit {
        partition: u8,
        offset: u32,
        epoch: u32,
    },
    /// A queue's message is processed: delete it.
    Ack {
        id: u32,
    },
    Apply {
        id: u32,
        key: u8,
    },
    Applied {
        id: u32,
    },
    DeadLetter {
        id: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Produce,
    Heartbeat,
    Expire,
    Work,
    ApplyRetry,
    FetchRetry,
    Poll,
    AutoCommit,
}

/// Where a queued message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Ready,
    /// Delivered to this consumer (at this time on the broker's monotonic clock) and not
    /// yet acknowledged.
    Held(NodeId, i64),
    /// Acknowledged (on the broker's monotonic clock): gone.
    Done(i64),
}

/// The group as the coordinator keeps it. Kafka keeps this in a replicated log, so here it
/// survives the coordinator's crash.
#[derive(Clone, Debug, Default)]
pub struct Group {
    /// Members and when each was last heard from (coordinator's monotonic clock).
    pub members: Vec<(NodeId, i64)>,
    pub owner: Vec<Option<NodeId>>,
    pub target: Vec<Option<NodeId>>,
    pub committed: Vec<u32>,
    /// Every change of a committed offset: (time, partition, offset), for the lag chart.
    pub commits: Vec<(i64, u8, u32)>,
    /// Eager: every member gives up everything before anyone gets anything.
    pub stop_world: bool,
    pub rebalancing_since: Option<i64>,
    /// Finished rebalances: start, end, eager, partitions that moved.
    pub rebalances: Vec<(i64, i64, bool, u32)>,
    pub moved: u32,
    pub epoch: u32,
}

/// Every node's durable record; each role uses its own fields.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    /// Producer: messages sent so far.
    pub produced: u32,
    /// Broker: its partitions' records, by partition number.
    pub partitions: Vec<Vec<Rec>>,
    /// S2 as a queue.
    pub queue: Vec<(Rec, Slot)>,
    /// S2: the dead-letter queue.
    pub dlq: Vec<u32>,
    pub group: Group,
    /// Database: how many times each message's effect was applied, by message number.
    pub effects: Vec<u16>,
    /// Database: every application in order: message, key, consumer, when.
    pub applied: Vec<(u32, u8, NodeId, i64)>,
    /// Database: repeats recognised by their message id and not applied.
    pub skipped: u32,
    /// Consumer: messages it gave up on and sent to the dead-letter queue.
    pub dead_lettered: Vec<u32>,
    pub retries: u32,
    /// Consumer: the last message whose effect it sent to the database. The checks count a
    /// message on its way to the database as not lost, even if its consumer has crashed.
    pub last_apply: Option<u32>,
}

impl Durable {
    pub fn effects_of(&self, id: u32) -> u16 {
        self.effects.get(id as usize).copied().unwrap_or(0)
    }
}

/// A fetched batch being processed.
#[derive(Clone, Debug)]
pub struct Batch {
    pub partition: u8,
    pub epoch: u32,
    pub recs: Vec<Rec>,
    pub end: u32,
    pub next: usize,
    pub attempts: u32,
    pub applying: bool,
}

impl Batch {
    /// Whether message `id` is in this batch and not yet processed.
    pub fn holds(&self, id: u32) -> bool {
        self.recs.iter().skip(self.next).any(|r| r.id == id)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Consumer {
    pub member: bool,
    pub leaving: bool,
    /// Partitions held, each with the next offset to fetch.
    pub owned: Vec<(u8, u32)>,
    pub revoking: Vec<u8>,
    pub batch: Option<Batch>,
    pub waiting_fetch: bool,
    next_poll: usize,
    pub epoch: u32,
    /// The broken idempotent consumer's memory of what it processed (lost on a crash).
    remembered: Vec<u32>,
}

#[derive(Clone, Debug)]
pub enum Streams {
    Producer,
    Broker,
    Database,
    Consumer(Consumer),
}

fn member_of(config: &Config, node: NodeId) -> bool {
    Config::consumer_index(node).is_some_and(|i| i < config.consumers)
}

// The coordinator (S2).
impl Streams {
    fn group_sizes(ctx: &mut Ctx<'_, Self>) {
        let g = &mut ctx.durable_mut().group;
        for v in [&mut g.owner, &mut g.target] {
            v.resize(MAX_PARTITIONS, None);
        }
        g.committed.resize(MAX_PARTITIONS, 0);
    }

    /// Sticky targets: a partition stays with its owner while that keeps the spread within
    /// one; the rest go to the least loaded member.
    fn compute_targets(ctx: &mut Ctx<'_, Self>) -> bool {
        let partitions = usize::from(ctx.config().partitions);
        let g = &mut ctx.durable_mut().group;
        let members: Vec<NodeId> = g.members.iter().map(|m| m.0).collect();
        let mut target: Vec<Option<NodeId>> = vec![None; MAX_PARTITIONS];
        if !members.is_empty() {
            let n = members.len();
            let ceil = partitions.div_ceil(n);
            let mut load = vec![0usize; n];
            for (p, t) in target.iter_mut().enumerate().take(partitions) {
                let keep = g.target[p].or(g.owner[p]);
                if let Some(i) = keep.and_then(|m| members.iter().position(|&x| x == m)) {
                    if load[i] < ceil {
                        load[i] += 1;
                        *t = Some(members[i]);
                    }
                }
            }
            for t in target.iter_mut().take(partitions) {
                if t.is_none() {
                    let i = (0..n).min_by_key(|&i| (load[i], i)).unwrap_or(0);
                    load[i] += 1;
                    *t = Some(members[i]);
                }
            }
            // Even out: move the highest partition of the most loaded to the least loaded.
            loop {
                let hi = (0..n).max_by_key(|&i| (load[i], n - i)).unwrap_or(0);
                let lo = (0..n).min_by_key(|&i| (load[i], i)).unwrap_or(0);
                if load[hi] <= load[lo] + 1 {
                    break;
                }
                if let Some(p) = (0..partitions)
                    .rev()
                    .find(|&p| target[p] == Some(members[hi]))
                {
                    target[p] = Some(members[lo]);
                    load[hi] -= 1;
                    load[lo] += 1;
                } else {
                    break;
                }
            }
        }
        let changed = target != g.target;
        g.target = target;
        changed
    }

    fn rebalance(ctx: &mut Ctx<'_, Self>) {
        if ctx.config().queue {
            return;
        }
        Self::group_sizes(ctx);
        let eager = !ctx.config().cooperative;
        let now = ctx.monotonic_clock();
        if Self::compute_targets(ctx) {
            let g = &mut ctx.durable_mut().group;
            let moving = (0..MAX_PARTITIONS)
                .filter(|&p| g.owner[p].is_some() && g.owner[p] != g.target[p])
                .count() as u32;
            g.moved += moving;
            let any_owned = g.owner.iter().any(Option::is_some);
            if eager && any_owned {
                g.stop_world = true;
            }
            if g.rebalancing_since.is_none() {
                g.rebalancing_since = Some(now);
                let how = if eager {
                    "eager: every member gives up all its partitions first"
                } else {
                    "cooperative: only the partitions that move are given up"
                };
                ctx.mark(format!("S2 starts a rebalance ({how})"));
            }
        }
        Self::reconcile(ctx);
    }

    fn reconcile(ctx: &mut Ctx<'_, Self>) {
        let now = ctx.monotonic_clock();
        let eager = !ctx.config().cooperative;
        let g = &mut ctx.durable_mut().group;
        if g.stop_world && g.owner.iter().all(Option::is_none) {
            g.stop_world = false;
        }
        if !g.stop_world {
            for p in 0..g.owner.len() {
                if g.owner[p].is_none() && g.target[p].is_some() {
                    g.owner[p] = g.target[p];
                }
            }
        }
        let settled = !g.stop_world && g.owner == g.target;
        if let (true, Some(since)) = (settled, g.rebalancing_since) {
            g.rebalancing_since = None;
            let moved = std::mem::take(&mut g.moved);
            g.rebalances.push((since, now, eager, moved));
            ctx.mark("S2: the rebalance is over, every partition has its consumer");
        }
        let members: Vec<NodeId> = ctx.durable().group.members.iter().map(|m| m.0).collect();
        for m in members {
            Self::sync(ctx, m);
        }
    }

    fn sync(ctx: &mut Ctx<'_, Self>, member: NodeId) {
        if ctx.config().queue {
            return;
        }
        let g = &ctx.durable().group;
        let (mut yours, mut give_up) = (Vec::new(), Vec::new());
        for p in 0..g.owner.len() {
            if g.owner[p] != Some(member) {
                continue;
            }
            if g.stop_world || g.target[p] != Some(member) {
                give_up.push(p as u8);
            } else {
                yours.push((p as u8, g.committed[p]));
            }
        }
        let epoch = g.epoch;
        ctx.send(
            member,
            Msg::Sync {
                yours,
                give_up,
                epoch,
            },
        );
    }

    /// A member left or was expelled: its partitions are free, its queued messages go back.
    fn remove_member(ctx: &mut Ctx<'_, Self>, member: NodeId) {
        let d = ctx.durable_mut();
        d.group.members.retain(|m| m.0 != member);
        for o in d.group.owner.iter_mut() {
            if *o == Some(member) {
                *o = None;
            }
        }
        for item in d.queue.iter_mut() {
            if matches!(item.1, Slot::Held(m, _) if m == member) {
                item.1 = Slot::Ready;
            }
        }
    }

    fn coordinator_message(ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let now = ctx.monotonic_clock();
        match msg {
            Msg::Heartbeat => {
                let d = ctx.durable_mut();
                if let Some(m) = d.group.members.iter_mut().find(|m| m.0 == from) {
                    m.1 = now;
                    Self::sync(ctx, from);
                } else {
                    let at = d.group.members.partition_point(|m| m.0 < from);
                    d.group.members.insert(at, (from, now));
                    ctx.note(format!("{} joins the group", node_name(from)));
                    Self::rebalance(ctx);
                }
            }
            Msg::Released {
                parts,
                epoch,
                leaving,
            } => {
                let g = &mut ctx.durable_mut().group;
                for (p, offset) in parts {
                    let p = usize::from(p);
                    if p < g.owner.len() && g.owner[p] == Some(from) {
                        g.owner[p] = None;
                        if let Some(o) = offset.filter(|&o| epoch == g.epoch && o > g.committed[p])
                        {
                            g.committed[p] = o;
                            g.commits.push((now, p as u8, o));
                        }
                    }
                }
                if leaving {
                    Self::remove_member(ctx, from);
                    ctx.note(format!("{} leaves the group", node_name(from)));
                    Self::rebalance(ctx);
                } else {
                    Self::reconcile(ctx);
                }
            }
            Msg::Commit {
                partition,
                offset,
                epoch,
            } => {
                let g = &mut ctx.durable_mut().group;
                let p = usize::from(partition);
                // Only the partition's owner may commit (Kafka fences older generations).
                if p < g.owner.len()
                    && g.owner[p] == Some(from)
                    && epoch == g.epoch
                    && offset > g.committed[p]
                {
                    g.committed[p] = offset;
                    g.commits.push((now, partition, offset));
                }
            }
            Msg::Ack { id } => {
                if let Some(item) = ctx.durable_mut().queue.iter_mut().find(|q| q.0.id == id) {
                    if matches!(item.1, Slot::Held(m, _) if m == from) {
                        item.1 = Slot::Done(now);
                    }
                }
            }
            Msg::DeadLetter { id } => ctx.durable_mut().dlq.push(id),
            _ => {}
        }
    }

    fn expire(ctx: &mut Ctx<'_, Self>) {
        let now = ctx.monotonic_clock();
        let session = ctx.config().session_us as i64;
        let gone: Vec<NodeId> = ctx
            .durable()
            .group
            .members
            .iter()
            .filter(|m| now - m.1 > session)
            .map(|m| m.0)
            .collect();
        for m in &gone {
            Self::remove_member(ctx, *m);
            ctx.mark(format!(
                "S2 has not heard from {} for a session: it leaves the group",
                node_name(*m)
            ));
        }
        if !gone.is_empty() {
            Self::rebalance(ctx);
        }
        // A queued message unacknowledged for the visibility timeout is handed out again
        // (its delivery or its acknowledgement may have been lost).
        for item in ctx.durable_mut().queue.iter_mut() {
            if matches!(item.1, Slot::Held(_, since) if now - since > VISIBILITY_US as i64) {
                item.1 = Slot::Ready;
            }
        }
        ctx.set_timer(Timer::Expire, (session as Time / 3).max(MS));
    }

    fn replay(ctx: &mut Ctx<'_, Self>) {
        let now = ctx.monotonic_clock();
        let partitions = ctx.config().partitions;
        Self::group_sizes(ctx);
        let g = &mut ctx.durable_mut().group;
        g.epoch += 1;
        for p in 0..partitions {
            g.committed[usize::from(p)] = 0;
            g.commits.push((now, p, 0));
        }
        ctx.mark("the group's offsets go back to 0: the log is read again from the start");
        Self::reconcile(ctx);
    }
}

// Brokers.
impl Streams {
    fn broker_message(ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let now = ctx.monotonic_clock();
        match msg {
            Msg::Produce { id, key, partition } => {
                let rec = Rec { id, key, at: now };
                let d = ctx.durable_mut();
                if partition == QUEUE {
                    d.queue.push((rec, Slot::Ready));
                } else {
                    let p = usize::from(partition);
                    if d.partitions.len() <= p {
                        d.partitions.resize(p + 1, Vec::new());
                    }
                    d.partitions[p].push(rec);
                }
            }
            Msg::Fetch {
                partition,
                from: offset,
                max,
            } => {
                let auto_ack = !ctx.config().commit_after;
                let d = ctx.durable_mut();
                let recs: Vec<Rec> = if partition == QUEUE {
                    if !d.group.members.iter().any(|m| m.0 == from) {
                        Vec::new()
                    } else {
                        let mut out = Vec::new();
                        for item in d.queue.iter_mut() {
                            if out.len() as u32 >= max {
                                break;
                            }
                            if item.1 == Slot::Ready {
                                item.1 = if auto_ack {
                                    Slot::Done(now)
                                } else {
                                    Slot::Held(from, now)
                                };
                                out.push(item.0);
                            }
                        }
                        out
                    }
                } else {
                    d.partitions
                        .get(usize::from(partition))
                        .map(|log| {
                            log.iter()
                                .skip(offset as usize)
                                .take(max as usize)
                                .copied()
                                .collect()
                        })
                        .unwrap_or_default()
                };
                ctx.send(
                    from,
                    Msg::Records {
                        partition,
                        from: offset,
                        recs,
                    },
                );
            }
            other if ctx.id() == COORDINATOR => Self::coordinator_message(ctx, from, other),
            _ => {}
        }
    }
}

// Consumers.
impl Consumer {
    fn join(&mut self, ctx: &mut Ctx<'_, Streams>) {
        self.member = true;
        self.leaving = false;
        ctx.send(COORDINATOR, Msg::Heartbeat);
        let every = (ctx.config().session_us / 3).max(MS);
        ctx.set_timer(Timer::Heartbeat, every);
        if ctx.config().bug == Bug::AutoCommit {
            ctx.set_timer(Timer::AutoCommit, AUTO_COMMIT_US);
        }
        self.poll(ctx);
    }

    fn poll(&mut self, ctx: &mut Ctx<'_, Streams>) {
        if !self.member || self.batch.is_some() || self.waiting_fetch {
            return;
        }
        if self.leaving {
            self.revoking = self.owned.iter().map(|o| o.0).collect();
        }
        if !self.revoking.is_empty() || self.leaving {
            let revoking = std::mem::take(&mut self.revoking);
            let parts: Vec<(u8, Option<u32>)> = revoking
                .iter()
                .map(|&p| (p, self.owned.iter().find(|o| o.0 == p).map(|o| o.1)))
                .collect();
            self.owned.retain(|o| !revoking.contains(&o.0));
            let leaving = self.leaving;
            ctx.send(
                COORDINATOR,
                Msg::Released {
                    parts,
                    epoch: self.epoch,
                    leaving,
                },
            );
            if leaving {
                self.member = false;
                self.leaving = false;
                ctx.cancel_timer(Timer::Heartbeat);
                return;
            }
        }
        let max = ctx.config().batch;
        let (partition, from) = if ctx.config().queue {
            (QUEUE, 0)
        } else {
            if self.owned.is_empty() {
                return;
            }
            let i = self.next_poll % self.owned.len();
            self.next_poll = i + 1;
            self.owned[i]
        };
        self.waiting_fetch = true;
        ctx.send(
            Config::broker_of(partition),
            Msg::Fetch {
                partition,
                from,
                max,
            },
        );
        ctx.set_timer(Timer::FetchRetry, 500 * MS);
    }

    fn records(&mut self, ctx: &mut Ctx<'_, Streams>, partition: u8, from: u32, recs: Vec<Rec>) {
        if !self.waiting_fetch {
            return;
        }
        let queue = ctx.config().queue;
        let owned_at = self
            .owned
            .iter()
            .position(|o| o.0 == partition && o.1 == from);
        if !queue && owned_at.is_none() {
            // An answer to a fetch from before a rebalance or a replay.
            self.waiting_fetch = false;
            ctx.cancel_timer(Timer::FetchRetry);
            return self.poll(ctx);
        }
        self.waiting_fetch = false;
        ctx.cancel_timer(Timer::FetchRetry);
        if recs.is_empty() {
            ctx.set_timer(Timer::Poll, 100 * MS);
            return;
        }
        let end = from + recs.len() as u32;
        if let Some(i) = owned_at {
            self.owned[i].1 = end;
            if !ctx.config().commit_after {
                ctx.send(
                    COORDINATOR,
                    Msg::Commit {
                        partition,
                        offset: end,
                        epoch: self.epoch,
                    },
                );
            }
        }
        self.batch = Some(Batch {
            partition,
            epoch: self.epoch,
            recs,
            end,
            next: 0,
            attempts: 0,
            applying: false,
        });
        self.start_record(ctx);
    }

    fn start_record(&mut self, ctx: &mut Ctx<'_, Streams>) {
        let Some(b) = &self.batch else {
            return self.poll(ctx);
        };
        if b.next >= b.recs.len() {
            return self.finish_batch(ctx);
        }
        let work = ctx.config().work_us;
        let jitter = ctx.rng().range_inclusive(0, work);
        ctx.set_timer(Timer::Work, work / 2 + jitter);
    }

    fn work_done(&mut self, ctx: &mut Ctx<'_, Streams>) {
        let config = ctx.config();
        let (poison, max_retries, work) = (config.poison, config.max_retries, config.work_us);
        let memory = config.idempotent && config.bug == Bug::MemoryDedup;
        let Some(b) = &mut self.batch else {
            return;
        };
        let Some(rec) = b.recs.get(b.next).copied() else {
            return self.finish_batch(ctx);
        };
        let me = ctx.id();
        if poison > 0 && rec.id + 1 == poison {
            b.attempts += 1;
            ctx.durable_mut().retries += 1;
            if b.attempts > max_retries {
                ctx.durable_mut().dead_lettered.push(rec.id);
                ctx.send(COORDINATOR, Msg::DeadLetter { id: rec.id });
                ctx.mark(format!(
                    "{} gives up on message #{} after {max_retries} retries: it goes to the dead-letter queue",
                    node_name(me),
                    rec.id + 1
                ));
                return self.next_record(ctx);
            }
            ctx.note(format!(
                "{} fails to process message #{} (attempt {})",
                node_name(me),
                rec.id + 1,
                b.attempts
            ));
            ctx.set_timer(Timer::Work, work.max(MS));
            return;
        }
        if memory && self.remembered.contains(&rec.id) {
            return self.next_record(ctx);
        }
        b.applying = true;
        ctx.durable_mut().last_apply = Some(rec.id);
        ctx.send(
            DATABASE,
            Msg::Apply {
                id: rec.id,
                key: rec.key,
            },
        );
        ctx.set_timer(Timer::ApplyRetry, 300 * MS);
    }

    fn applied(&mut self, ctx: &mut Ctx<'_, Streams>, id: u32) {
        let Some(b) = &mut self.batch else {
            return;
        };
        if !b.applying || b.recs.get(b.next).map(|r| r.id) != Some(id) {
            return;
        }
        b.applying = false;
        ctx.cancel_timer(Timer::ApplyRetry);
        let config = ctx.config();
        if config.idempotent && config.bug == Bug::MemoryDedup {
            self.remembered.push(id);
        }
        if config.queue && config.commit_after {
            ctx.send(COORDINATOR, Msg::Ack { id });
        }
        self.next_record(ctx);
    }

    fn next_record(&mut self, ctx: &mut Ctx<'_, Streams>) {
        if let Some(b) = &mut self.batch {
            b.next += 1;
            b.attempts = 0;
        }
        self.start_record(ctx);
    }

    fn finish_batch(&mut self, ctx: &mut Ctx<'_, Streams>) {
        if let Some(b) = self.batch.take() {
            if !ctx.config().queue && ctx.config().commit_after {
                ctx.send(
                    COORDINATOR,
                    Msg::Commit {
                        partition: b.partition,
                        offset: b.end,
                        epoch: b.epoch,
                    },
                );
            }
        }
        self.poll(ctx);
    }

    fn synced(
        &mut self,
        ctx: &mut Ctx<'_, Streams>,
        yours: Vec<(u8, u32)>,
        give_up: Vec<u8>,
        epoch: u32,
    ) {
        if !self.member || self.leaving {
            return;
        }
        if epoch > self.epoch {
            self.epoch = epoch;
            for o in self.owned.iter_mut() {
                if let Some(y) = yours.iter().find(|y| y.0 == o.0) {
                    o.1 = y.1;
                }
            }
        }
        // Held here but no longer ours in the coordinator's eyes: we were expelled.
        self.owned
            .retain(|o| yours.iter().any(|y| y.0 == o.0) || give_up.contains(&o.0));
        for &(p, offset) in &yours {
            if !self.owned.iter().any(|o| o.0 == p) {
                self.owned.push((p, offset));
            }
        }
        self.owned.sort_unstable();
        let mut not_held = Vec::new();
        for p in give_up {
            if self.owned.iter().any(|o| o.0 == p) {
                if !self.revoking.contains(&p) {
                    self.revoking.push(p);
                }
            } else {
                not_held.push((p, None));
            }
        }
        if !not_held.is_empty() {
            ctx.send(
                COORDINATOR,
                Msg::Released {
                    parts: not_held,
                    epoch: self.epoch,
                    leaving: false,
                },
            );
        }
        self.poll(ctx);
    }
}

impl Protocol for Streams {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = StreamChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &[
        "Produce",
        "Heartbeat",
        "Assignment",
        "Released",
        "Fetch",
        "Records",
        "Commit",
        "Ack",
        "Apply",
        "Applied",
        "Dead letter",
    ];
    const TIMER_NAMES: &'static [&'static str] = &[
        "produce",
        "heartbeat",
        "session check",
        "processing",
        "apply retry",
        "fetch retry",
        "poll",
        "auto-commit",
    ];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn lab_action(config: &mut Config, verb: &str, _args: &[i64]) -> Result<String, String> {
        match verb {
            "replay" if config.queue => Err(
                "a queue deletes a message once it is acknowledged: there is nothing to replay"
                    .into(),
            ),
            "replay" => {
                config.replay = true;
                Ok("the group replays the log from offset 0".into())
            }
            _ => Err(format!("this lab has no action “{verb}”")),
        }
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Produce { .. } => 0,
            Msg::Heartbeat => 1,
            Msg::Sync { .. } => 2,
            Msg::Released { .. } => 3,
            Msg::Fetch { .. } => 4,
            Msg::Records { .. } => 5,
            Msg::Commit { .. } => 6,
            Msg::Ack { .. } => 7,
            Msg::Apply { .. } => 8,
            Msg::Applied { .. } => 9,
            Msg::DeadLetter { .. } => 10,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        let part = |p: u8| {
            if p == QUEUE {
                "the queue".to_string()
            } else {
                format!("P{p}")
            }
        };
        match msg {
            Msg::Produce { id, key, partition } => {
                format!("message #{} (key k{key}) to {}", id + 1, part(*partition))
            }
            Msg::Heartbeat => "still here".into(),
            Msg::Sync { yours, give_up, .. } => {
                let list = |v: Vec<String>| {
                    if v.is_empty() {
                        "none".into()
                    } else {
                        v.join(", ")
                    }
                };
                format!(
                    "yours: {}; give up: {}",
                    list(yours.iter().map(|y| format!("P{}@{}", y.0, y.1)).collect()),
                    list(give_up.iter().map(|p| format!("P{p}")).collect())
                )
            }
            Msg::Released { parts, leaving, .. } => format!(
                "{}{}",
                if *leaving { "leaving; " } else { "" },
                parts
                    .iter()
                    .map(|(p, o)| match o {
                        Some(o) => format!("P{p} at {o}"),
                        None => format!("P{p}"),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Msg::Fetch {
                partition,
                from,
                max,
            } => {
                format!("up to {max} from {} at {from}", part(*partition))
            }
            Msg::Records {
                partition, recs, ..
            } => {
                format!("{} records from {}", recs.len(), part(*partition))
            }
            Msg::Commit {
                partition, offset, ..
            } => format!("P{partition} done up to {offset}"),
            Msg::Ack { id } => format!("#{} done: delete it", id + 1),
            Msg::Apply { id, key } => format!("effect of #{} (k{key})", id + 1),
            Msg::Applied { id } => format!("#{} applied", id + 1),
            Msg::DeadLetter { id } => format!("#{} to the dead-letter queue", id + 1),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        match ctx.id() {
            PRODUCER => {
                ctx.set_timer(Timer::Produce, 100 * MS);
                Streams::Producer
            }
            DATABASE => Streams::Database,
            id if id < DATABASE => {
                if id == COORDINATOR {
                    Self::group_sizes(ctx);
                    let every = (ctx.config().session_us / 3).max(MS);
                    ctx.set_timer(Timer::Expire, every);
                }
                Streams::Broker
            }
            id => {
                let mut c = Consumer::default();
                if member_of(ctx.config(), id) {
                    c.join(ctx);
                }
                Streams::Consumer(c)
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match self {
            Streams::Broker => Self::broker_message(ctx, from, msg),
            Streams::Database => {
                if let Msg::Apply { id, key } = msg {
                    let config = ctx.config();
                    let dedup = config.idempotent && config.bug != Bug::MemoryDedup;
                    let now = ctx.monotonic_clock();
                    let d = ctx.durable_mut();
                    if dedup && d.effects_of(id) > 0 {
                        d.skipped += 1;
                    } else {
                        let i = id as usize;
                        if d.effects.len() <= i {
                            d.effects.resize(i + 1, 0);
                        }
                        d.effects[i] = d.effects[i].saturating_add(1);
                        d.applied.push((id, key, from, now));
                        if d.effects[i] == 2 {
                            ctx.mark(format!("message #{} takes effect a second time", id + 1));
                        }
                    }
                    ctx.send(from, Msg::Applied { id });
                }
            }
            Streams::Consumer(c) => match msg {
                Msg::Sync {
                    yours,
                    give_up,
                    epoch,
                } => c.synced(ctx, yours, give_up, epoch),
                Msg::Records {
                    partition,
                    from,
                    recs,
                } => c.records(ctx, partition, from, recs),
                Msg::Applied { id } => c.applied(ctx, id),
                _ => {}
            },
            Streams::Producer => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match (timer, self) {
            (Timer::Produce, Streams::Producer) => {
                let id = ctx.durable().produced;
                if id >= ctx.config().messages {
                    return;
                }
                let n_keys = u64::from(ctx.config().n_keys.max(1));
                let key = ctx.rng().below(n_keys) as u8;
                let partition = ctx.config().partition_of(id, key);
                ctx.send(
                    Config::broker_of(partition),
                    Msg::Produce { id, key, partition },
                );
                ctx.durable_mut().produced += 1;
                let every = ctx.config().produce_every_us.max(MS);
                ctx.set_timer(Timer::Produce, every);
            }
            (Timer::Expire, Streams::Broker) => Self::expire(ctx),
            (Timer::Heartbeat, Streams::Consumer(c)) if c.member => {
                ctx.send(COORDINATOR, Msg::Heartbeat);
                let every = (ctx.config().session_us / 3).max(MS);
                ctx.set_timer(Timer::Heartbeat, every);
            }
            (Timer::Work, Streams::Consumer(c)) => c.work_done(ctx),
            (Timer::ApplyRetry, Streams::Consumer(c)) => {
                if let Some(rec) = c.batch.as_ref().and_then(|b| b.recs.get(b.next)) {
                    let (id, key) = (rec.id, rec.key);
                    ctx.send(DATABASE, Msg::Apply { id, key });
                    ctx.set_timer(Timer::ApplyRetry, 300 * MS);
                }
            }
            (Timer::FetchRetry, Streams::Consumer(c)) => {
                c.waiting_fetch = false;
                c.poll(ctx);
            }
            (Timer::Poll, Streams::Consumer(c)) => c.poll(ctx),
            (Timer::AutoCommit, Streams::Consumer(c)) if c.member && !ctx.config().queue => {
                for &(partition, offset) in &c.owned {
                    let epoch = c.epoch;
                    ctx.send(
                        COORDINATOR,
                        Msg::Commit {
                            partition,
                            offset,
                            epoch,
                        },
                    );
                }
                ctx.set_timer(Timer::AutoCommit, AUTO_COMMIT_US);
            }
            _ => {}
        }
    }

    fn on_config_change(&mut self, ctx: &mut Ctx<'_, Self>) {
        let id = ctx.id();
        match self {
            Streams::Producer if ctx.durable().produced < ctx.config().messages => {
                let every = ctx.config().produce_every_us.max(MS);
                ctx.set_timer(Timer::Produce, every);
            }
            Streams::Broker if id == COORDINATOR => {
                if ctx.config().replay && !ctx.config().queue {
                    Self::replay(ctx);
                } else {
                    Self::rebalance(ctx);
                }
            }
            Streams::Consumer(c) => {
                let member = member_of(ctx.config(), id);
                if member && !c.member {
                    c.join(ctx);
                } else if !member && c.member && !c.leaving {
                    c.leaving = true;
                    c.poll(ctx);
                }
            }
            _ => {}
        }
    }

    fn state(&self, d: &Durable, config: &Config) -> NodeState {
        let (role, tone, headline) = match self {
            Streams::Producer => (
                "producer",
                Tone::Primary,
                format!("sent {} of {}", d.produced, config.messages),
            ),
            Streams::Broker => {
                let g = &d.group;
                let held = if config.queue {
                    let waiting = d
                        .queue
                        .iter()
                        .filter(|q| q.1 != Slot::Done(0) && !matches!(q.1, Slot::Done(_)))
                        .count();
                    format!("queue: {waiting} waiting")
                } else {
                    let n: usize = d.partitions.iter().map(Vec::len).sum();
                    format!("{n} records")
                };
                if !g.owner.is_empty() && !config.queue {
                    let tone = if g.rebalancing_since.is_some() {
                        Tone::Candidate
                    } else {
                        Tone::Primary
                    };
                    let what = if g.rebalancing_since.is_some() {
                        "rebalancing".to_string()
                    } else {
                        held
                    };
                    ("broker, coordinator", tone, what)
                } else {
                    ("broker", Tone::Secondary, held)
                }
            }
            Streams::Database => {
                let dups = d.effects.iter().filter(|&&e| e > 1).count();
                (
                    "database",
                    if dups > 0 { Tone::Suspect } else { Tone::Idle },
                    if dups > 0 {
                        format!("{} effects, {dups} twice", d.applied.len())
                    } else {
                        format!("{} effects", d.applied.len())
                    },
                )
            }
            Streams::Consumer(c) => {
                let headline = if !c.member {
                    "not in the group".to_string()
                } else if config.queue {
                    "competing".to_string()
                } else if c.owned.is_empty() {
                    "no partitions".to_string()
                } else {
                    c.owned
                        .iter()
                        .map(|o| format!("P{}@{}", o.0, o.1))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                let tone = if !c.member {
                    Tone::Idle
                } else if !c.revoking.is_empty() {
                    Tone::Candidate
                } else {
                    Tone::Secondary
                };
                ("consumer", tone, headline)
            }
        };
        NodeState {
            role: role.into(),
            tone,
            headline,
            fields: vec![
                ("retries".into(), d.retries.to_string()),
                ("dead-lettered".into(), d.dead_lettered.len().to_string()),
            ],
        }
    }

    fn down_state(_d: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            ..NodeState::default()
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes, now)
    }
}

/// The consumer node of index `i` (S5 is 0).
pub fn consumer_node(i: u16) -> NodeId {
    FIRST_CONSUMER + i
}
