//! A cache server. Any server a client reaches coordinates its request:
//! - a **get** asks the key's first replica; if that one does not answer within the request
//!   timeout (it is down, paused or cut off) it asks the next replica clockwise, and so on;
//! - a **put** goes to all R replicas and is acknowledged once W of them have stored it.
//!
//! The cache is volatile (a restarted server comes back empty) and the clients do not reload
//! misses: a miss shows up as a read of nothing, and the hit rate is reads that found a value.

use super::placement::RingConfig;
use failscope_sim::client::{ClientOp, ClientReply, ClientRequest, RequestId};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Get { req: u32, key: u16 },
    GetReply { req: u32, value: Option<u32> },
    Put { req: u32, key: u16, value: u32 },
    PutAck { req: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A coordinated request's current attempt timed out.
    Request(u32),
}

/// A request this server is coordinating.
#[derive(Clone, Debug)]
struct Pending {
    client: RequestId,
    op: ClientOp,
    replicas: Vec<NodeId>,
    /// Gets: the replica being asked. Puts: unused.
    attempt: usize,
    acks: Vec<NodeId>,
    answered: bool,
}

#[derive(Clone, Debug, Default)]
pub struct CacheNode {
    me: NodeId,
    store: BTreeMap<u16, u32>,
    pending: BTreeMap<u32, Pending>,
    next_req: u32,
    /// Puts this server acknowledged to a client, with the replicas that had stored them
    /// when it did (for the write-quorum check).
    pub(crate) acknowledged: Vec<(u16, u32, usize)>,
    /// Puts acknowledged so far (the log above keeps only the newest).
    pub(crate) acknowledged_total: u64,
    pub(crate) hits: u64,
    misses: u64,
    pub(crate) fallbacks: u64,
    /// The membership version this server last saw (see `on_config_change`).
    seen_version: u64,
}

/// Most coordinated requests remembered for the checker (the newest are kept).
const ACK_LOG: usize = 256;

impl CacheNode {
    pub fn store_len(&self) -> usize {
        self.store.len()
    }

    pub fn get(&self, key: u16) -> Option<u32> {
        self.store.get(&key).copied()
    }

    fn ask_next_replica(&mut self, ctx: &mut Ctx<'_, Self>, req: u32) {
        let timeout = ctx.config().request_timeout_us;
        let me = ctx.id();
        let Some(p) = self.pending.get_mut(&req) else {
            return;
        };
        let ClientOp::Read { key } = p.op else { return };
        match p.replicas.get(p.attempt).copied() {
            Some(replica) if replica == me => {
                let value = self.store.get(&key).copied();
                self.answer_get(ctx, req, value);
            }
            Some(replica) => {
                if p.attempt > 0 {
                    self.fallbacks += 1;
                    ctx.count("fallbacks", 1);
                    ctx.note(format!(
                        "{} asks the next replica, {}, for k{key}",
                        node_name(me),
                        node_name(replica)
                    ));
                }
                ctx.send(replica, Msg::Get { req, key });
                ctx.set_timer(Timer::Request(req), timeout);
            }
            None => {
                let p = self.pending.remove(&req);
                if let Some(p) = p {
                    ctx.count("unavailable", 1);
                    ctx.reply(p.client, ClientReply::Fail);
                }
            }
        }
    }

    fn answer_get(&mut self, ctx: &mut Ctx<'_, Self>, req: u32, value: Option<u32>) {
        let Some(p) = self.pending.remove(&req) else {
            return;
        };
        ctx.cancel_timer(Timer::Request(req));
        if value.is_some() {
            self.hits += 1;
            ctx.count("hits", 1);
        } else {
            self.misses += 1;
            ctx.count("misses", 1);
        }
        ctx.reply(p.client, ClientReply::Ok { value });
    }

    fn store_put(&mut self, key: u16, value: u32) {
        self.store.insert(key, value);
    }

    fn put_acked(&mut self, ctx: &mut Ctx<'_, Self>, req: u32, from: NodeId) {
        let (w, early) = (ctx.config().write_quorum, ctx.config().ack_early);
        let Some(p) = self.pending.get_mut(&req) else {
            return;
        };
        if !p.acks.contains(&from) {
            p.acks.push(from);
        }
        let enough = p.acks.len() >= w || (early && !p.acks.is_empty());
        if enough && !p.answered {
            p.answered = true;
            if let ClientOp::Write { key, value } = p.op {
                self.acknowledged.push((key, value, p.acks.len()));
                self.acknowledged_total += 1;
                if self.acknowledged.len() > ACK_LOG {
                    self.acknowledged.remove(0);
                }
            }
            let client = p.client;
            ctx.reply(client, ClientReply::Ok { value: None });
        }
        if p.acks.len() >= p.replicas.len() {
            self.pending.remove(&req);
            ctx.cancel_timer(Timer::Request(req));
        }
    }
}

impl Protocol for CacheNode {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = ();
    type Config = RingConfig;
    type Checker = super::checks::CacheChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Get", "Get reply", "Put", "Put ack"];
    const TIMER_NAMES: &'static [&'static str] = &["request timeout"];

    fn configure(params: &Params, n_nodes: u16) -> Result<RingConfig, String> {
        RingConfig::from_params(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Get { .. } => 0,
            Msg::GetReply { .. } => 1,
            Msg::Put { .. } => 2,
            Msg::PutAck { .. } => 3,
        }
    }

    fn timer_index(_: Timer) -> u8 {
        0
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Get { key, .. } => format!("get k{key}"),
            Msg::GetReply { value: Some(v), .. } => format!("hit: {v}"),
            Msg::GetReply { value: None, .. } => "miss: not cached".into(),
            Msg::Put { key, value, .. } => format!("put k{key} = {value}"),
            Msg::PutAck { .. } => "stored".into(),
        }
    }

    fn lab_action(config: &mut RingConfig, verb: &str, args: &[i64]) -> Result<String, String> {
        config.change(verb, args)
    }

    fn pictures(
        config: &RingConfig,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        _now: failscope_sim::time::Time,
    ) -> Vec<failscope_sim::picture::Picture> {
        super::pictures::pictures(config, nodes)
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let me = ctx.id();
        let mut node = CacheNode {
            me,
            ..CacheNode::default()
        };
        // A warm cache at the start of the run (monotonic time 0), so that what a failure
        // or a membership change does to the hit rate stands out. A server that restarts
        // later comes back empty.
        let config = ctx.config();
        if config.prefill && ctx.monotonic_clock() == 0 && config.is_member(me) {
            for key in 0..config.n_keys.min(u32::from(u16::MAX)) as u16 {
                if config.replicas(key).contains(&me) {
                    node.store.insert(key, 0);
                }
            }
        }
        node
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, request: ClientRequest) {
        let key = request.op.key();
        let replicas = ctx.config().replicas(key);
        if replicas.is_empty() {
            return ctx.reply(request.id, ClientReply::Fail);
        }
        let req = self.next_req;
        self.next_req = self.next_req.wrapping_add(1);
        self.pending.insert(
            req,
            Pending {
                client: request.id,
                op: request.op,
                replicas: replicas.clone(),
                attempt: 0,
                acks: Vec::new(),
                answered: false,
            },
        );
        match request.op {
            ClientOp::Read { .. } => self.ask_next_replica(ctx, req),
            ClientOp::Write { key, value } => {
                let me = ctx.id();
                for &replica in &replicas {
                    if replica == me {
                        self.store_put(key, value);
                    } else {
                        ctx.send(replica, Msg::Put { req, key, value });
                    }
                }
                let timeout = ctx.config().request_timeout_us;
                ctx.set_timer(Timer::Request(req), timeout);
                if replicas.contains(&me) {
                    self.put_acked(ctx, req, me);
                }
            }
            ClientOp::Cas { .. } => {
                self.pending.remove(&req);
                ctx.reply(request.id, ClientReply::Fail);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Get { req, key } => {
                let value = self.store.get(&key).copied();
                ctx.send(from, Msg::GetReply { req, value });
            }
            Msg::GetReply { req, value } => {
                // A late answer to an attempt already given up on still counts if the
                // request is open: any replica's value is as good.
                self.answer_get(ctx, req, value);
            }
            Msg::Put { req, key, value } => {
                self.store_put(key, value);
                ctx.send(from, Msg::PutAck { req });
            }
            Msg::PutAck { req } => self.put_acked(ctx, req, from),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, Timer::Request(req): Timer) {
        let Some(p) = self.pending.get_mut(&req) else {
            return;
        };
        match p.op {
            ClientOp::Read { .. } => {
                p.attempt += 1;
                self.ask_next_replica(ctx, req);
            }
            _ => {
                let p = self.pending.remove(&req).expect("checked above");
                if !p.answered {
                    ctx.count("quorum_failures", 1);
                    ctx.narrate(format!(
                        "{}'s put of k{} failed: {} of {} replicas answered",
                        node_name(ctx.id()),
                        p.op.key(),
                        p.acks.len(),
                        ctx.config().write_quorum
                    ));
                    ctx.reply(p.client, ClientReply::Fail);
                }
            }
        }
    }

    fn on_config_change(&mut self, ctx: &mut Ctx<'_, Self>) {
        // Keys this server no longer holds are simply unreachable now: a cache does not
        // migrate data, it refills.
        let me = ctx.id();
        // Each server counts the keys that came to it at a membership change: summed over
        // the servers, the keys moved (the figure the side-by-side page compares).
        let version = ctx.config().version;
        if version != self.seen_version {
            self.seen_version = version;
            let moved = ctx.config().geometry().moved_to.get(&me).copied();
            if let Some(moved) = moved {
                ctx.count("keys_moved", moved as i64);
            }
        }
        let role = ctx.config().is_member(me);
        if !role {
            self.store.clear();
        }
    }

    fn state(&self, _durable: &(), config: &RingConfig) -> NodeState {
        let reads = self.hits + self.misses;
        let hit_rate = match (self.hits * 100).checked_div(reads) {
            Some(percent) => format!("{percent}% of {reads} reads hit"),
            None => "no reads yet".to_string(),
        };
        let member = config.is_member(self.me);
        NodeState {
            role: if member { "on the ring" } else { "spare" }.into(),
            tone: if member { Tone::Secondary } else { Tone::Idle },
            // What this cache holds, which after a change differs from what placement gives
            // it (the "Keys owned per server" picture).
            headline: format!("{} stored", self.store.len()),
            fields: vec![
                ("keys stored".into(), self.store.len().to_string()),
                ("as coordinator".into(), hit_rate),
                ("requests open".into(), self.pending.len().to_string()),
                (
                    "placement".into(),
                    super::ALGORITHMS
                        .get(usize::from(config.algorithm))
                        .copied()
                        .unwrap_or("?")
                        .into(),
                ),
            ],
        }
    }

    fn down_state(_durable: &(), _config: &RingConfig) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "cache lost".into(),
            ..NodeState::default()
        }
    }
}
