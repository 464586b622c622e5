//! One replica of the key-value register. The topology picks which handlers do the work:
//! `leader.rs` (leader-follower), `multi.rs` (multi-leader) and `leaderless.rs` (Dynamo-style
//! quorums and ABD). This file holds what they share: the messages, the timers, the durable
//! state, the dispatch and what the views show.
//!
//! Everything that decides the future is integer arithmetic over ordered maps and vectors;
//! randomness comes only from the node's own stream and time only from its clocks.

use super::config::{Config, Resolution, Topology};
use super::log::{Entry, Log};
use super::version::{Item, Stamp, Version};
use failscope_sim::client::{ClientOp, ClientReply, ClientRequest, RequestId};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::logical_clock::VectorClock;
use failscope_sim::picture::{LogCell, Picture};
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::Time;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Leader → follower: the next log entries (none: a heartbeat).
    Append {
        epoch: u64,
        entries: Vec<Entry>,
        /// The leader's last sequence number (how far behind the follower is).
        leader_seq: u64,
    },
    /// Follower → leader: how far it has applied; `ok: false` asks for a snapshot (it
    /// follows an older epoch's log, or the leader is stale).
    AppendAck {
        epoch: u64,
        ok: bool,
        applied: u64,
    },
    /// Leader → follower: the whole store and the log tail, replacing the follower's.
    Snapshot {
        epoch: u64,
        log: Log,
        store: BTreeMap<u16, u32>,
    },
    /// Follower → leader: a client's write, passed on.
    Forward {
        request: RequestId,
        op: ClientOp,
    },
    ForwardReply {
        request: RequestId,
        epoch: u64,
        outcome: Forwarded,
    },
    /// Coordinator → replica: what do you hold for this key?
    Fetch {
        op: u64,
        key: u16,
    },
    FetchReply {
        op: u64,
        version: Option<Version>,
    },
    /// Coordinator → replica: store this version (a write, an ABD write-back or a repair).
    Store {
        op: u64,
        key: u16,
        version: Version,
    },
    StoreAck {
        op: u64,
    },
    /// Hint holder → the replica it stood in for.
    Handoff {
        key: u16,
        version: Version,
    },
    HandoffAck {
        key: u16,
        stamp: Stamp,
    },
    /// Leaderless anti-entropy: versions of the keys both replicate.
    Exchange {
        versions: Vec<(u16, Version)>,
        reply: bool,
    },
    /// Multi-leader replication and anti-entropy: keys' states to merge.
    Merge {
        items: Vec<(u16, Item)>,
        reply: bool,
    },
    /// A load-balanced read, answered by the replica it was handed to.
    ReadAt {
        request: RequestId,
        key: u16,
    },
}

/// What became of a forwarded write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forwarded {
    /// In the leader's log at this sequence number (and acknowledged).
    Applied(u64),
    /// Refused (a compare-and-set that did not match).
    Failed,
    NotLeader(Option<NodeId>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Heartbeat,
    Failover,
    /// A coordinated leaderless request's deadline.
    Op(u64),
    AntiEntropy,
    Hints,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Leader,
    Follower,
    /// Multi-leader and leaderless: every node is alike.
    Replica,
}

/// A write held for a replica that did not answer (hinted handoff, Dynamo §4.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    pub home: NodeId,
    pub key: u16,
    pub version: Version,
}

/// What survives a crash. Each topology uses its own part.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    /// Set at the first start: a restart is told apart from the boot.
    pub started: bool,
    // Leader-follower.
    /// The highest epoch this node has heard of (its own, if it leads).
    pub epoch: u64,
    /// The epoch whose leader's log this node's log is a prefix of.
    pub synced_epoch: u64,
    pub log: Log,
    /// The store the log was applied to.
    pub values: BTreeMap<u16, u32>,
    // Leaderless.
    pub store: BTreeMap<u16, Version>,
    pub hints: Vec<Hint>,
    /// Coordinated request ids, unique across restarts (so a late reply never matches a
    /// newer request).
    pub next_op: u64,
    /// The last stamp this node gave a write (stamps never repeat, even after a restart).
    pub last_stamp: Option<i64>,
    // Multi-leader.
    pub items: BTreeMap<u16, Item>,
}

/// A write this node acknowledged during the current handler, for the durability check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Acked {
    /// Leader-follower: a log entry.
    Entry { seq: u64, epoch: u64 },
    /// Leaderless: a version.
    Version { key: u16, stamp: Stamp },
    /// Multi-leader register (last write wins, siblings).
    Register {
        key: u16,
        stamp: Stamp,
        clock: VectorClock,
    },
    /// Multi-leader counter: this node's slot reached at least this.
    Counter { key: u16, at_least: u64 },
    /// Multi-leader set: this value was added.
    Member { key: u16, value: u32 },
}

/// A read this node answered during the current handler, in the handler where the read
/// reached it, for the stale-read property. (Reads answered later, by a leaderless
/// coordinator that waited for other replicas, are not recorded: when they arrived is not
/// known to the checker.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadAnswer {
    /// From this node's own copy (leader-follower, multi-leader).
    Local { key: u16, value: Option<u32> },
    /// A leaderless coordinator's answer: the newest version of its read quorum.
    Quorum { key: u16, version: Option<Version> },
}

impl ReadAnswer {
    pub fn key(&self) -> u16 {
        match *self {
            ReadAnswer::Local { key, .. } | ReadAnswer::Quorum { key, .. } => key,
        }
    }

    pub fn value(&self) -> Option<u32> {
        match *self {
            ReadAnswer::Local { value, .. } => value,
            ReadAnswer::Quorum { version, .. } => version.map(|v| v.value),
        }
    }
}

/// A client write a leader holds until every follower has it (synchronous replication).
#[derive(Clone, Copy, Debug)]
pub(super) struct Waiter {
    pub request: RequestId,
    /// The follower that forwarded it, if any.
    pub via: Option<NodeId>,
}

/// Where a leaderless request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Asking replicas what they hold (reads; ABD writes, for the highest stamp).
    Query,
    /// Storing a version (writes; ABD reads writing back what they found).
    Store,
}

/// A request this node coordinates (leaderless).
#[derive(Clone, Debug)]
pub(super) struct Op {
    pub client: RequestId,
    pub key: u16,
    /// `Some(value)` for a write.
    pub write: Option<u32>,
    pub phase: Phase,
    pub homes: Vec<NodeId>,
    pub replies: Vec<(NodeId, Option<Version>)>,
    pub acks: Vec<NodeId>,
    /// Reads: the newest version found. Writes: the version being stored.
    pub best: Option<Version>,
    pub answered: bool,
    /// The coordinator holds hints for this write (a sloppy-quorum copy).
    pub hinted: bool,
    /// Replicas already sent a read repair.
    pub repaired: Vec<NodeId>,
}

#[derive(Clone, Debug)]
pub struct Replica {
    pub(super) me: NodeId,
    pub(super) role: Role,
    pub(super) leader: Option<NodeId>,
    // Leader-follower, as leader.
    pub(super) match_seq: Vec<u64>,
    pub(super) snapshot_at: Vec<Option<i64>>,
    pub(super) sync_waiting: BTreeMap<u64, Vec<Waiter>>,
    // Leader-follower, as follower.
    pub(super) leader_seq: u64,
    /// Forwarded writes the leader confirmed, answered once applied here: (epoch, seq).
    pub(super) apply_waiting: Vec<(u64, u64, RequestId)>,
    // Leaderless.
    pub(super) ops: BTreeMap<u64, Op>,
    pub(super) hints_armed: bool,
    /// Writes acknowledged during the current handler (cleared when the next one starts).
    pub(crate) acked: Vec<Acked>,
    /// Reads answered during the current handler (see [`ReadAnswer`]).
    pub(crate) reads: Vec<ReadAnswer>,
    /// Leaderless: the request that reached this node in the current handler.
    pub(super) arriving: Option<u64>,
    /// Why writes this node had acknowledged were discarded during the current handler
    /// (the trace mark's words), for the lost-write property.
    pub(crate) lost: Option<String>,
    /// Bumped whenever the replicated state changes (the convergence check looks then).
    pub(crate) changes: u64,
}

/// Most requests one node coordinates at once; beyond it, it refuses.
pub(super) const MAX_OPS: usize = 1024;
/// Most hints one node holds; beyond it the oldest is dropped (anti-entropy still repairs).
pub const HINT_CAP: usize = 256;
/// How often a node holding hints tries to hand them off.
pub(super) const HINT_RETRY_US: Time = 200 * failscope_sim::time::MS;
/// Most log entries in one Append.
pub(super) const MAX_BATCH: usize = 64;
/// Most forwarded writes a follower waits on, and synchronous writes a leader holds.
pub(super) const WAIT_CAP: usize = 256;

impl Replica {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    /// Leader-follower, as follower: how many entries behind the leader it last heard of.
    pub fn lag(&self, durable: &Durable) -> u64 {
        match self.role {
            Role::Follower => self.leader_seq.saturating_sub(durable.log.last_seq()),
            _ => 0,
        }
    }

    /// Requests this node is coordinating (leaderless).
    pub fn pending_ops(&self) -> usize {
        self.ops.len()
    }

    /// Called first in every handler.
    pub(super) fn begin(&mut self) {
        self.acked.clear();
        self.reads.clear();
        self.arriving = None;
        self.lost = None;
    }

    /// Writes this node had acknowledged are gone: count them, mark the moment in the
    /// trace, and tell the lost-write property.
    pub(super) fn lose_writes(&mut self, ctx: &mut Ctx<'_, Self>, count: u32, why: String) {
        ctx.count("lost_writes", i64::from(count));
        ctx.mark(why.clone());
        self.lost = Some(why);
    }

    /// A new stamp above every stamp this node gave before and, for last-write-wins, its
    /// wall clock now: skew between nodes decides which write wins.
    pub(super) fn next_stamp(ctx: &mut Ctx<'_, Self>, at_least: i64) -> Stamp {
        let me = ctx.id();
        let wall = ctx.wall_clock();
        let d = ctx.durable_mut();
        let time = at_least
            .max(wall)
            .max(d.last_stamp.map_or(i64::MIN, |t| t.saturating_add(1)));
        d.last_stamp = Some(time);
        Stamp { time, node: me }
    }

    /// Timers of the current topology: set at start and when the configuration changes.
    fn arm_timers(&mut self, ctx: &mut Ctx<'_, Self>) {
        let c = ctx.config().clone();
        match c.topology {
            Topology::LeaderFollower => {
                if self.role == Role::Leader {
                    ctx.set_timer(Timer::Heartbeat, c.heartbeat_us);
                } else {
                    Self::reset_failover(ctx);
                }
            }
            Topology::MultiLeader | Topology::Leaderless => {
                if c.anti_entropy_us > 0 {
                    // Out of step, so exchanges spread over the period.
                    let first = ctx.rng().range_inclusive(1, c.anti_entropy_us);
                    ctx.set_timer(Timer::AntiEntropy, first);
                }
                if !ctx.durable().hints.is_empty() {
                    self.arm_hints(ctx);
                }
            }
        }
    }

    fn on_anti_entropy(&mut self, ctx: &mut Ctx<'_, Self>) {
        let period = ctx.config().anti_entropy_us;
        if period == 0 {
            return;
        }
        ctx.set_timer(Timer::AntiEntropy, period);
        let n = ctx.n_nodes();
        if n < 2 {
            return;
        }
        // One random peer per round, push-pull: the peer answers with its own state.
        let pick = ctx.rng().below(u64::from(n - 1)) as NodeId;
        let peer = if pick >= ctx.id() { pick + 1 } else { pick };
        match ctx.config().topology {
            Topology::Leaderless => self.ll_exchange(ctx, peer, true),
            Topology::MultiLeader => self.ml_exchange(ctx, peer, true),
            Topology::LeaderFollower => {}
        }
    }

    /// Answer a read from this node's own copy.
    pub(super) fn read_locally(&mut self, ctx: &mut Ctx<'_, Self>, request: RequestId, key: u16) {
        let value = match ctx.config().topology {
            Topology::LeaderFollower => ctx.durable().values.get(&key).copied(),
            Topology::Leaderless => ctx.durable().store.get(&key).map(|v| v.value),
            Topology::MultiLeader => {
                let item = ctx.durable().items.get(&key);
                let siblings = item.map_or(0, Item::siblings);
                let value = item.and_then(Item::read);
                if siblings > 1 {
                    ctx.count("siblings", siblings as i64);
                    ctx.note(format!(
                        "{} holds {siblings} siblings for k{key}: the read returns the largest, {}",
                        node_name(ctx.id()),
                        value.unwrap_or(0)
                    ));
                }
                value
            }
        };
        self.reads.push(ReadAnswer::Local { key, value });
        ctx.reply(request, ClientReply::Ok { value });
    }

    /// A read the node hands to a replica picked at random (no session affinity).
    pub(super) fn read_balanced(&mut self, ctx: &mut Ctx<'_, Self>, request: RequestId, key: u16) {
        let n = u64::from(ctx.n_nodes());
        let target = ctx.rng().below(n) as NodeId;
        if target == ctx.id() {
            self.read_locally(ctx, request, key);
        } else {
            ctx.send(target, Msg::ReadAt { request, key });
        }
    }
}

impl Protocol for Replica {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = super::checks::ReplicationChecker;

    const MESSAGE_KINDS: &'static [&'static str] = &[
        "Append",
        "Append ack",
        "Snapshot",
        "Forward",
        "Forward reply",
        "Fetch",
        "Fetch reply",
        "Store",
        "Store ack",
        "Handoff",
        "Handoff ack",
        "Exchange",
        "Merge",
        "Read",
    ];
    const TIMER_NAMES: &'static [&'static str] = &[
        "heartbeat",
        "failover timeout",
        "request timeout",
        "anti-entropy",
        "hint handoff",
    ];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::from_params(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Append { .. } => 0,
            Msg::AppendAck { .. } => 1,
            Msg::Snapshot { .. } => 2,
            Msg::Forward { .. } => 3,
            Msg::ForwardReply { .. } => 4,
            Msg::Fetch { .. } => 5,
            Msg::FetchReply { .. } => 6,
            Msg::Store { .. } => 7,
            Msg::StoreAck { .. } => 8,
            Msg::Handoff { .. } => 9,
            Msg::HandoffAck { .. } => 10,
            Msg::Exchange { .. } => 11,
            Msg::Merge { .. } => 12,
            Msg::ReadAt { .. } => 13,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        match timer {
            Timer::Heartbeat => 0,
            Timer::Failover => 1,
            Timer::Op(_) => 2,
            Timer::AntiEntropy => 3,
            Timer::Hints => 4,
        }
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Append {
                epoch,
                entries,
                leader_seq,
            } => match (entries.first(), entries.last()) {
                (Some(first), Some(last)) if entries.len() == 1 => format!(
                    "epoch {epoch}: entry #{} k{}={} (leader at #{leader_seq})",
                    first.seq, last.key, last.value
                ),
                (Some(first), Some(last)) => format!(
                    "epoch {epoch}: entries #{} to #{} (leader at #{leader_seq})",
                    first.seq, last.seq
                ),
                _ => format!("epoch {epoch}: heartbeat (leader at #{leader_seq})"),
            },
            Msg::AppendAck { epoch, ok, applied } => {
                if *ok {
                    format!("applied up to #{applied} (epoch {epoch})")
                } else {
                    format!("not in step (epoch {epoch}, at #{applied}): send a snapshot")
                }
            }
            Msg::Snapshot { epoch, log, store } => format!(
                "snapshot of epoch {epoch}: {} keys up to #{}",
                store.len(),
                log.last_seq()
            ),
            Msg::Forward { op, .. } => format!("forwarded {op}"),
            Msg::ForwardReply { outcome, .. } => match outcome {
                Forwarded::Applied(seq) => format!("done: entry #{seq}"),
                Forwarded::Failed => "refused".into(),
                Forwarded::NotLeader(_) => "not the leader any more".into(),
            },
            Msg::Fetch { key, .. } => format!("what do you hold for k{key}?"),
            Msg::FetchReply { version, .. } => match version {
                Some(v) => format!("{} (stamp {})", v.value, v.stamp),
                None => "nothing".into(),
            },
            Msg::Store { key, version, .. } => {
                format!("store k{key}={} (stamp {})", version.value, version.stamp)
            }
            Msg::StoreAck { .. } => "stored".into(),
            Msg::Handoff { key, version } => format!(
                "handing off a hint: k{key}={} (stamp {})",
                version.value, version.stamp
            ),
            Msg::HandoffAck { key, .. } => format!("hint for k{key} received"),
            Msg::Exchange { versions, reply } => format!(
                "anti-entropy: {} versions{}",
                versions.len(),
                if *reply { ", send yours back" } else { "" }
            ),
            Msg::Merge { items, reply } => match (items.as_slice(), reply) {
                ([(key, item)], false) => format!("replicate k{key}: {}", describe_item(item)),
                (_, reply) => format!(
                    "anti-entropy: {} keys{}",
                    items.len(),
                    if *reply { ", send yours back" } else { "" }
                ),
            },
            Msg::ReadAt { key, .. } => format!("balanced read of k{key}"),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let me = ctx.id();
        let n = usize::from(ctx.n_nodes());
        let first = !ctx.durable().started;
        ctx.durable_mut().started = true;
        let topology = ctx.config().topology;
        let owner = ctx.config().epoch_owner(0);
        let role = match topology {
            // At boot S1 leads epoch 0 and everyone follows it; a restarted node comes back
            // as a follower whatever it was (it learns the leader from its heartbeats).
            Topology::LeaderFollower if first && me == owner => Role::Leader,
            Topology::LeaderFollower => Role::Follower,
            _ => Role::Replica,
        };
        let mut node = Replica {
            me,
            role,
            leader: (topology == Topology::LeaderFollower && first).then_some(owner),
            match_seq: vec![0; n],
            snapshot_at: vec![None; n],
            sync_waiting: BTreeMap::new(),
            leader_seq: 0,
            apply_waiting: Vec::new(),
            ops: BTreeMap::new(),
            hints_armed: false,
            acked: Vec::new(),
            reads: Vec::new(),
            arriving: None,
            lost: None,
            changes: 0,
        };
        node.arm_timers(ctx);
        if node.role == Role::Leader {
            node.lf_heartbeat(ctx);
        }
        node
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        self.begin();
        match msg {
            Msg::Append {
                epoch,
                entries,
                leader_seq,
            } => self.on_append(ctx, from, epoch, entries, leader_seq),
            Msg::AppendAck { epoch, ok, applied } => {
                self.on_append_ack(ctx, from, epoch, ok, applied)
            }
            Msg::Snapshot { epoch, log, store } => self.on_snapshot(ctx, from, epoch, log, store),
            Msg::Forward { request, op } => self.on_forward(ctx, from, request, op),
            Msg::ForwardReply {
                request,
                epoch,
                outcome,
            } => self.on_forward_reply(ctx, request, epoch, outcome),
            Msg::Fetch { op, key } => {
                let version = ctx.durable().store.get(&key).copied();
                ctx.send(from, Msg::FetchReply { op, version });
            }
            Msg::FetchReply { op, version } => self.on_fetch_reply(ctx, from, op, version),
            Msg::Store { op, key, version } => {
                self.ll_store_locally(ctx, key, version);
                ctx.send(from, Msg::StoreAck { op });
            }
            Msg::StoreAck { op } => self.on_store_ack(ctx, from, op),
            Msg::Handoff { key, version } => {
                self.ll_store_locally(ctx, key, version);
                ctx.send(
                    from,
                    Msg::HandoffAck {
                        key,
                        stamp: version.stamp,
                    },
                );
            }
            Msg::HandoffAck { key, stamp } => self.on_handoff_ack(ctx, from, key, stamp),
            Msg::Exchange { versions, reply } => self.on_exchange(ctx, from, versions, reply),
            Msg::Merge { items, reply } => self.on_merge(ctx, from, items, reply),
            Msg::ReadAt { request, key } => self.read_locally(ctx, request, key),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        self.begin();
        match timer {
            Timer::Heartbeat => {
                if self.role == Role::Leader {
                    self.lf_heartbeat(ctx);
                }
            }
            Timer::Failover => self.lf_failover(ctx),
            Timer::Op(id) => self.on_op_timeout(ctx, id),
            Timer::AntiEntropy => self.on_anti_entropy(ctx),
            Timer::Hints => self.on_hints_timer(ctx),
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, request: ClientRequest) {
        self.begin();
        match ctx.config().topology {
            Topology::LeaderFollower => self.lf_client(ctx, request),
            Topology::MultiLeader => self.ml_client(ctx, request),
            Topology::Leaderless => self.ll_client(ctx, request),
        }
    }

    fn on_config_change(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.begin();
        let topology = ctx.config().topology;
        match (topology, self.role) {
            (Topology::LeaderFollower, Role::Replica) => self.role = Role::Follower,
            (Topology::MultiLeader | Topology::Leaderless, Role::Leader | Role::Follower) => {
                self.role = Role::Replica;
                self.leader = None;
                ctx.cancel_timer(Timer::Heartbeat);
                ctx.cancel_timer(Timer::Failover);
            }
            _ => {}
        }
        if topology == Topology::LeaderFollower {
            ctx.cancel_timer(Timer::AntiEntropy);
        }
        self.arm_timers(ctx);
    }

    fn state(&self, durable: &Durable, config: &Config) -> NodeState {
        let (role, mut tone) = match self.role {
            Role::Leader => ("leader", Tone::Primary),
            Role::Follower => ("follower", Tone::Secondary),
            Role::Replica => ("replica", Tone::Secondary),
        };
        let mut fields = Vec::new();
        match config.topology {
            Topology::LeaderFollower => {
                fields.push(("epoch".into(), durable.epoch.to_string()));
                fields.push((
                    "leader".into(),
                    self.leader.map_or("unknown".into(), node_name),
                ));
                fields.push((
                    "applied up to".into(),
                    format!("#{}", durable.log.last_seq()),
                ));
                if self.role == Role::Follower {
                    let lag = self.lag(durable);
                    fields.push(("replication lag".into(), format!("{lag} entries")));
                    if lag >= 5 {
                        tone = Tone::Suspect;
                    }
                }
                if self.role == Role::Leader && !self.sync_waiting.is_empty() {
                    let waiting: usize = self.sync_waiting.values().map(Vec::len).sum();
                    fields.push(("writes awaiting followers".into(), waiting.to_string()));
                }
            }
            Topology::Leaderless => {
                fields.push(("hints held".into(), durable.hints.len().to_string()));
                fields.push(("requests coordinated".into(), self.ops.len().to_string()));
                if !durable.hints.is_empty() {
                    tone = Tone::Candidate;
                }
            }
            Topology::MultiLeader => {
                let most = durable
                    .items
                    .values()
                    .map(Item::siblings)
                    .max()
                    .unwrap_or(0);
                if config.resolution == Resolution::Siblings {
                    fields.push(("most siblings on a key".into(), most.to_string()));
                }
                if most > 1 {
                    tone = Tone::Candidate;
                }
                if let Some((key, item)) = durable.items.iter().next() {
                    if !config.resolution.is_crdt() {
                        fields.push((format!("k{key} vector clock"), item.context().to_string()));
                    }
                }
            }
        }
        fields.push(("store".into(), store_line(durable, config)));
        NodeState {
            role: role.into(),
            tone,
            headline: headline(durable, config),
            fields,
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        _now: Time,
    ) -> Vec<Picture> {
        if config.topology != Topology::LeaderFollower {
            return Vec::new();
        }
        let rows = nodes
            .ids()
            .filter_map(|id| {
                let durable = nodes.durable(id)?;
                let cells = match nodes.state(id) {
                    Some(node) => log_cells(node, durable, config),
                    None => Vec::new(),
                };
                Some((node_name(id), cells))
            })
            .collect();
        Picture::logs(rows).into_iter().collect()
    }

    fn down_state(durable: &Durable, config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: headline(durable, config),
            fields: vec![("store".into(), store_line(durable, config))],
        }
    }
}

/// A wall-clock reading in seconds, for narration ("−2.998 s").
pub fn clock_reading(us: i64) -> String {
    let sign = if us < 0 { "−" } else { "" };
    let abs = us.unsigned_abs();
    format!(
        "{sign}{}.{:03} s",
        abs / 1_000_000,
        (abs % 1_000_000) / 1_000
    )
}

/// The keys and values this node would answer reads with.
pub fn visible(durable: &Durable, config: &Config) -> Vec<(u16, Option<u32>)> {
    match config.topology {
        Topology::LeaderFollower => durable.values.iter().map(|(&k, &v)| (k, Some(v))).collect(),
        Topology::Leaderless => durable
            .store
            .iter()
            .map(|(&k, v)| (k, Some(v.value)))
            .collect(),
        Topology::MultiLeader => durable.items.iter().map(|(&k, i)| (k, i.read())).collect(),
    }
}

fn headline(durable: &Durable, config: &Config) -> String {
    let shown = visible(durable, config);
    match shown.first() {
        None => "empty".into(),
        Some((k, v)) => {
            let v = v.map_or("∅".to_string(), |v| v.to_string());
            if shown.len() == 1 {
                format!("k{k}={v}")
            } else {
                format!("k{k}={v} ({} keys)", shown.len())
            }
        }
    }
}

fn store_line(durable: &Durable, config: &Config) -> String {
    const SHOWN: usize = 12;
    let mut parts: Vec<String> = match config.topology {
        Topology::MultiLeader => durable
            .items
            .iter()
            .take(SHOWN)
            .map(|(k, item)| format!("k{k}={}", describe_item(item)))
            .collect(),
        Topology::Leaderless => durable
            .store
            .iter()
            .take(SHOWN)
            .map(|(k, v)| format!("k{k}={} @{}", v.value, v.stamp))
            .collect(),
        Topology::LeaderFollower => durable
            .values
            .iter()
            .take(SHOWN)
            .map(|(k, v)| format!("k{k}={v}"))
            .collect(),
    };
    let total = visible(durable, config).len();
    if total > SHOWN {
        parts.push(format!("… {} more", total - SHOWN));
    }
    if parts.is_empty() {
        "empty".into()
    } else {
        parts.join(" ")
    }
}

fn describe_item(item: &Item) -> String {
    match item {
        Item::Lww(s) => format!("{} @{}", s.value, s.stamp),
        Item::Siblings(list) => {
            let values: Vec<String> = list.iter().map(|s| s.value.to_string()).collect();
            if list.len() == 1 {
                values.join("")
            } else {
                format!("{{{}}}", values.join(" | "))
            }
        }
        Item::Counter(counts) => format!("{} (per replica {:?})", item.read().unwrap_or(0), counts),
        Item::Set(set) => format!("{} elements", set.len()),
    }
}

/// Leader-follower: the tail of the log; the leader fills the entries every follower has.
fn log_cells(node: &Replica, durable: &Durable, config: &Config) -> Vec<LogCell> {
    if config.topology != Topology::LeaderFollower {
        return Vec::new();
    }
    const SHOWN: usize = 40;
    let everywhere = match node.role {
        Role::Leader => node
            .match_seq
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != usize::from(node.me))
            .map(|(_, &m)| m)
            .min()
            .unwrap_or(u64::MAX),
        _ => u64::MAX,
    };
    let entries = &durable.log.entries;
    entries[entries.len().saturating_sub(SHOWN)..]
        .iter()
        .map(|e| LogCell {
            index: e.seq,
            term: e.epoch,
            label: format!("k{}={}", e.key, e.value),
            committed: e.seq <= everywhere,
        })
        .collect()
}
