//! The protocol. S1 is the database: it recomputes the hot key's value in δ, a bounded
//! number at once, the rest queued. S2 is the cache: it holds the value until its TTL runs
//! out and hands out the right to regenerate it (the lock) when the strategy asks for one.
//! S3 and up are app servers: each serves its share of the clients, reads the key from the
//! cache and, on a miss, asks the database. The last app server also writes, when writes
//! are on. Pure handlers: a node acts only through `Ctx`.

use super::checks::StampedeChecks;
use super::config::{Bug, Config, Strategy, WritePolicy, CACHE, DATABASE};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{format_duration, Time, MS};
use std::collections::VecDeque;

/// Load is sampled in buckets this long (the peak within each).
pub const LOAD_BUCKET_US: Time = 10 * MS;
/// Client latency is sampled in buckets this long (the worst within each).
pub const LATENCY_BUCKET_US: Time = 100 * MS;
/// Latency histogram: 1 ms buckets up to this, the rest in the last one.
const LATENCY_MS_MAX: usize = 2_000;
/// Bounds on what a node keeps, so no workload grows a node without limit.
const MAX_QUEUE: usize = 65_536;
const MAX_PENDING: usize = 8_192;
const MAX_SAMPLES: usize = 20_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A client's read, passed on by its app server.
    Get {
        req: u64,
    },
    /// The value, fresh or (stale-while-revalidate) past its TTL; `refresh`: regenerate it.
    Hit {
        req: u64,
        version: u64,
        expiry: Time,
        delta: Time,
        stale: bool,
        refresh: bool,
    },
    /// Not in the cache; `granted`: the lock is yours, regenerate it.
    Miss {
        req: u64,
        granted: bool,
    },
    Recompute {
        job: u64,
    },
    Value {
        job: u64,
        version: u64,
    },
    /// A regenerated value for the cache (δ as measured by the app server).
    Set {
        version: u64,
        delta: Time,
    },
    Write {
        version: u64,
    },
    WriteOk {
        version: u64,
    },
    Invalidate,
    Flush {
        version: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The next client read arrives at an app server.
    Arrive,
    /// Ask the cache again while another server holds the lock.
    Poll,
    /// The writer's next write.
    Write,
    /// A write-behind cache sends its dirty entry to the database.
    Flush,
    /// A database slot finishes its recomputation.
    Slot(u8),
}

/// What survives a crash. The writer keeps its acknowledged writes; the database its value;
/// the cache's two counters are bookkeeping for the checks (a real cache would not have
/// them): how many writes it acknowledged, and how many of those it sent to the database.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub db_version: u64,
    pub written: u64,
    pub acked: u64,
    pub cache_acked: u64,
    pub cache_flushed: u64,
    /// Acknowledged writes a crash of the cache took with it.
    pub lost: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub version: u64,
    pub expiry: Time,
    pub delta: Time,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Role {
    Database,
    Cache,
    #[default]
    App,
}

#[derive(Clone, Debug, Default)]
pub struct Stampede {
    pub role: Role,
    // The database.
    slots: Vec<Option<(NodeId, u64, u64)>>,
    queue: VecDeque<(NodeId, u64)>,
    /// Per load bucket: (bucket start, peak computing, peak queued).
    pub load: Vec<(Time, i64, i64)>,
    /// The database's current (computing, queued).
    level: (i64, i64),
    /// Recomputations finished per TTL period.
    pub per_period: Vec<u32>,
    pub recomputes: u64,
    // The cache.
    pub entry: Option<Entry>,
    /// Who may regenerate the key, until when.
    pub lock: Option<(NodeId, Time)>,
    dirty: Option<u64>,
    // An app server.
    next_req: u64,
    next_job: u64,
    /// Reads sent to the cache: (request, arrival).
    pending: VecDeque<(u64, Time)>,
    /// Reads waiting for a regenerated value: their arrival times.
    waiting: Vec<Time>,
    /// Recomputations this server asked the database for: (job, sent at).
    pub in_flight: Vec<(u64, Time)>,
    /// The last regenerated value this server received: (version, when).
    fetched: Option<(u64, Time)>,
    pub early: u64,
    pub served: u64,
    pub stale_served: u64,
    pub last_served: u64,
    /// Per latency bucket: (bucket start, worst latency in whole ms).
    pub worst: Vec<(Time, i64)>,
    /// Latency histogram in whole milliseconds.
    pub latency_ms: Vec<u32>,
}

impl Stampede {
    fn now(ctx: &Ctx<'_, Self>) -> Time {
        ctx.monotonic_clock().max(0) as Time
    }

    fn sample_load(&mut self, now: Time) {
        let busy = self.slots.iter().filter(|s| s.is_some()).count() as i64;
        let queued = self.queue.len() as i64;
        let bucket = now / LOAD_BUCKET_US * LOAD_BUCKET_US;
        // Hold the level since the last change up to this bucket, so the lines step rather
        // than slope across a quiet stretch.
        if let Some(&(last, _, _)) = self.load.last() {
            if last + LOAD_BUCKET_US < bucket && self.load.len() < MAX_SAMPLES {
                let (b, q) = self.level;
                self.load.push((bucket - LOAD_BUCKET_US, b, q));
            }
        }
        self.level = (busy, queued);
        let full = self.load.len() >= MAX_SAMPLES;
        match self.load.last_mut() {
            Some(last) if last.0 == bucket => {
                last.1 = last.1.max(busy);
                last.2 = last.2.max(queued);
            }
            _ if !full => self.load.push((bucket, busy, queued)),
            _ => {}
        }
    }

    /// Serve one read that arrived at `arrived` with `version`.
    fn serve(&mut self, ctx: &mut Ctx<'_, Self>, arrived: Time, version: u64, stale: bool) {
        let now = Self::now(ctx);
        let latency = now.saturating_sub(arrived);
        self.served += 1;
        self.last_served = version;
        if stale {
            self.stale_served += 1;
            ctx.count("stale responses", 1);
        }
        let ms = (latency / MS) as usize;
        if self.latency_ms.is_empty() {
            self.latency_ms = vec![0; LATENCY_MS_MAX + 1];
        }
        self.latency_ms[ms.min(LATENCY_MS_MAX)] += 1;
        let bucket = now / LATENCY_BUCKET_US * LATENCY_BUCKET_US;
        let full = self.worst.len() >= MAX_SAMPLES;
        match self.worst.last_mut() {
            Some(last) if last.0 == bucket => last.1 = last.1.max(ms as i64),
            _ if !full => self.worst.push((bucket, ms as i64)),
            _ => {}
        }
    }

    fn serve_waiting(&mut self, ctx: &mut Ctx<'_, Self>, version: u64) {
        for arrived in std::mem::take(&mut self.waiting) {
            self.serve(ctx, arrived, version, false);
        }
        ctx.cancel_timer(Timer::Poll);
    }

    fn recompute(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.next_job += 1;
        let job = self.next_job;
        self.in_flight.push((job, Self::now(ctx)));
        ctx.send(DATABASE, Msg::Recompute { job });
    }

    /// XFetch (Vattani, Chierichetti and Lowenstein 2015): regenerate early when
    /// `now − δ·β·ln(u) ≥ expiry`, u uniform in (0, 1]. ln comes from `libm`, computed in
    /// software, so the decision is the same natively and in the browser.
    fn xfetch_early(ctx: &mut Ctx<'_, Self>, expiry: Time, delta: Time) -> bool {
        const SCALE: u64 = 1 << 53;
        let u = (ctx.rng().below(SCALE) + 1) as f64 / SCALE as f64;
        let beta = f64::from(ctx.config().beta_pct) / 100.0;
        let gap = delta as f64 * beta * -libm::log(u);
        let gap_us = if gap >= 1e15 {
            1_000_000_000_000_000
        } else {
            gap as u64
        };
        Self::now(ctx).saturating_add(gap_us) >= expiry
    }

    /// The cache: may `from` regenerate the key? Takes the lock if it is free or expired.
    fn try_lock(&mut self, ctx: &Ctx<'_, Self>, from: NodeId) -> bool {
        let now = Self::now(ctx);
        let free = match self.lock {
            None => true,
            Some((_, until)) => until <= now,
        };
        if free || ctx.config().bug == Bug::LockUnchecked {
            self.lock = Some((from, now + ctx.config().lock_ttl_us));
            true
        } else {
            false
        }
    }

    fn writer(n_nodes: u16) -> NodeId {
        n_nodes - 1
    }

    fn on_cache(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let now = Self::now(ctx);
        let strategy = ctx.config().strategy;
        match msg {
            Msg::Get { req } => {
                let reply = match self.entry {
                    Some(e) if now < e.expiry => Msg::Hit {
                        req,
                        version: e.version,
                        expiry: e.expiry,
                        delta: e.delta,
                        stale: false,
                        refresh: false,
                    },
                    Some(e) if strategy == Strategy::StaleWhileRevalidate => Msg::Hit {
                        req,
                        version: e.version,
                        expiry: e.expiry,
                        delta: e.delta,
                        stale: true,
                        refresh: self.try_lock(ctx, from),
                    },
                    _ => {
                        self.entry = None;
                        Msg::Miss {
                            req,
                            granted: strategy.locks() && self.try_lock(ctx, from),
                        }
                    }
                };
                ctx.send(from, reply);
            }
            Msg::Set { version, delta } => {
                // A write-through or write-behind cache holds the newest write already.
                let newer = self.dirty.unwrap_or(0).max(version);
                self.entry = Some(Entry {
                    version: newer,
                    expiry: now + ctx.config().ttl_us,
                    delta,
                });
                if self.lock.is_some_and(|(holder, _)| holder == from) {
                    self.lock = None;
                }
            }
            Msg::Invalidate => self.entry = None,
            Msg::Write { version } => {
                let delta = self.entry.map_or(ctx.config().recompute_us, |e| e.delta);
                self.entry = Some(Entry {
                    version,
                    expiry: now + ctx.config().ttl_us,
                    delta,
                });
                if ctx.config().write_policy == WritePolicy::WriteBehind {
                    self.dirty = Some(version);
                    ctx.durable_mut().cache_acked += 1;
                    ctx.send(from, Msg::WriteOk { version });
                } else {
                    ctx.send(DATABASE, Msg::Write { version });
                }
            }
            Msg::WriteOk { version } => {
                ctx.send(Self::writer(ctx.n_nodes()), Msg::WriteOk { version })
            }
            _ => {}
        }
    }

    fn on_database(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let now = Self::now(ctx);
        match msg {
            Msg::Recompute { job } => {
                let slots = (ctx.config().db_slots as usize).min(self.slots.len());
                if let Some(slot) = self.slots[..slots].iter().position(Option::is_none) {
                    self.start_slot(ctx, slot, from, job);
                } else if self.queue.len() < MAX_QUEUE {
                    self.queue.push_back((from, job));
                }
                self.sample_load(now);
            }
            Msg::Write { version } | Msg::Flush { version } => {
                let d = ctx.durable_mut();
                d.db_version = d.db_version.max(version);
                if matches!(msg, Msg::Write { .. }) {
                    ctx.send(from, Msg::WriteOk { version });
                }
            }
            _ => {}
        }
    }

    fn start_slot(&mut self, ctx: &mut Ctx<'_, Self>, slot: usize, from: NodeId, job: u64) {
        // The value is read when the recomputation starts: a write landing during the δ it
        // takes is not in it (the classic cache-aside race).
        self.slots[slot] = Some((from, job, ctx.durable().db_version));
        ctx.set_timer(Timer::Slot(slot as u8), ctx.config().recompute_us.max(1));
    }

    fn on_app(&mut self, ctx: &mut Ctx<'_, Self>, msg: Msg) {
        let now = Self::now(ctx);
        let config = ctx.config().clone();
        match msg {
            Msg::Hit {
                req,
                version,
                expiry,
                delta,
                stale,
                refresh,
            } => {
                if let Some(i) = self.pending.iter().position(|&(r, _)| r == req) {
                    let (_, arrived) = self.pending.remove(i).unwrap_or((req, now));
                    self.serve(ctx, arrived, version, stale);
                }
                if !self.waiting.is_empty() {
                    self.serve_waiting(ctx, version);
                }
                let early = config.strategy == Strategy::XFetch
                    && !stale
                    && Self::xfetch_early(ctx, expiry, delta);
                if early {
                    self.early += 1;
                    ctx.count("early recomputations", 1);
                }
                if early || (refresh && self.in_flight.is_empty()) {
                    self.recompute(ctx);
                }
            }
            Msg::Miss { req, granted } => {
                let Some(i) = self.pending.iter().position(|&(r, _)| r == req) else {
                    return;
                };
                let (_, arrived) = self.pending.remove(i).unwrap_or((req, now));
                // A server that coordinates its fetches answers a read that missed with a
                // value it received after the read arrived: that value is newer than the read.
                let coordinated = !matches!(config.strategy, Strategy::None | Strategy::XFetch);
                if let Some((version, _)) = self.fetched.filter(|f| coordinated && f.1 >= arrived) {
                    self.serve(ctx, arrived, version, false);
                    return;
                }
                if self.waiting.len() < MAX_PENDING {
                    self.waiting.push(arrived);
                }
                let go = match config.strategy {
                    Strategy::None | Strategy::XFetch => true,
                    Strategy::Coalesce => {
                        self.in_flight.is_empty() || config.bug == Bug::CoalesceForgets
                    }
                    // A server already regenerating (it holds the lock) waits for that.
                    Strategy::Lock | Strategy::StaleWhileRevalidate => {
                        granted && self.in_flight.is_empty()
                    }
                };
                if go {
                    self.recompute(ctx);
                } else if config.strategy.locks() {
                    ctx.set_timer(Timer::Poll, config.poll_us.max(MS));
                }
            }
            Msg::Value { job, version } => {
                let Some(i) = self.in_flight.iter().position(|&(j, _)| j == job) else {
                    return;
                };
                let (_, sent) = self.in_flight.remove(i);
                self.fetched = Some((version, now));
                ctx.send(
                    CACHE,
                    Msg::Set {
                        version,
                        delta: now.saturating_sub(sent).max(1),
                    },
                );
                self.serve_waiting(ctx, version);
            }
            Msg::WriteOk { version } => {
                let d = ctx.durable_mut();
                d.acked = d.acked.max(version);
                if config.write_policy == WritePolicy::CacheAside {
                    ctx.send(CACHE, Msg::Invalidate);
                }
            }
            _ => {}
        }
    }

    fn get(&mut self, ctx: &mut Ctx<'_, Self>, arrived: Time) {
        self.next_req += 1;
        if self.pending.len() >= MAX_PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back((self.next_req, arrived));
        ctx.send(CACHE, Msg::Get { req: self.next_req });
    }

    fn next_arrival(ctx: &mut Ctx<'_, Self>) {
        let clients = u64::from(ctx.config().clients_of(ctx.id(), ctx.n_nodes()).max(1));
        let mean = (ctx.config().read_every_us / clients).max(1);
        let gap = ctx.rng().range_inclusive(1, 2 * mean - 1);
        ctx.set_timer(Timer::Arrive, gap);
    }

    /// The p99 of the latencies in a histogram, in ms.
    pub fn p99_ms(histogram: &[u32]) -> u64 {
        let total: u64 = histogram.iter().map(|&c| u64::from(c)).sum();
        if total == 0 {
            return 0;
        }
        let rank = total - total / 100;
        let mut seen = 0;
        for (ms, &c) in histogram.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return ms as u64;
            }
        }
        LATENCY_MS_MAX as u64
    }
}

impl Protocol for Stampede {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = StampedeChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &[
        "Get",
        "Hit",
        "Miss",
        "Recompute",
        "Value",
        "Set",
        "Write",
        "WriteOk",
        "Invalidate",
        "Flush",
    ];
    const TIMER_NAMES: &'static [&'static str] = &["arrival", "poll", "write", "flush", "slot"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Get { .. } => 0,
            Msg::Hit { .. } => 1,
            Msg::Miss { .. } => 2,
            Msg::Recompute { .. } => 3,
            Msg::Value { .. } => 4,
            Msg::Set { .. } => 5,
            Msg::Write { .. } => 6,
            Msg::WriteOk { .. } => 7,
            Msg::Invalidate => 8,
            Msg::Flush { .. } => 9,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        match timer {
            Timer::Arrive => 0,
            Timer::Poll => 1,
            Timer::Write => 2,
            Timer::Flush => 3,
            Timer::Slot(_) => 4,
        }
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Get { req } => format!("read #{req} of the hot key"),
            Msg::Hit {
                version,
                stale,
                refresh,
                ..
            } => format!(
                "hit: version {version}{}{}",
                if *stale { ", past its TTL" } else { "" },
                if *refresh { "; you refresh it" } else { "" }
            ),
            Msg::Miss { granted, .. } => {
                if *granted {
                    "miss; the lock is yours: regenerate".into()
                } else {
                    "miss".into()
                }
            }
            Msg::Recompute { job } => format!("recompute the value (job {job})"),
            Msg::Value { version, .. } => format!("the recomputed value, version {version}"),
            Msg::Set { version, .. } => format!("store version {version}"),
            Msg::Write { version } => format!("write version {version}"),
            Msg::WriteOk { version } => format!("version {version} written"),
            Msg::Invalidate => "delete the cached value".into(),
            Msg::Flush { version } => format!("flush dirty version {version}"),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let config = ctx.config().clone();
        let mut node = Stampede::default();
        match ctx.id() {
            DATABASE => {
                node.role = Role::Database;
                node.slots = vec![None; config.db_slots as usize];
                node.load.push((0, 0, 0));
            }
            CACHE => {
                node.role = Role::Cache;
                // A restarted write-behind cache has lost its dirty entry.
                let d = ctx.durable_mut();
                d.lost += d.cache_acked - d.cache_flushed;
                d.cache_flushed = d.cache_acked;
                // Warm at the start; empty after a restart.
                if Self::now(ctx) == 0 {
                    node.entry = Some(Entry {
                        version: 0,
                        expiry: config.ttl_us,
                        delta: config.recompute_us,
                    });
                }
                if config.write_policy == WritePolicy::WriteBehind {
                    ctx.set_timer(Timer::Flush, config.flush_us.max(MS));
                }
            }
            _ => {
                Self::next_arrival(ctx);
                if ctx.id() == Self::writer(ctx.n_nodes()) && config.write_every_us > 0 {
                    ctx.set_timer(Timer::Write, config.write_every_us.max(MS));
                }
            }
        }
        node
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match ctx.id() {
            DATABASE => self.on_database(ctx, from, msg),
            CACHE => self.on_cache(ctx, from, msg),
            _ => self.on_app(ctx, msg),
        }
    }

    fn on_config_change(&mut self, ctx: &mut Ctx<'_, Self>) {
        // Start what a new setting needs: more database slots, a flush timer for a cache
        // turned write-behind, a write timer for writes turned on. A timer set again
        // replaces the pending one.
        let config = ctx.config().clone();
        match self.role {
            Role::Database => {
                let slots = config.db_slots as usize;
                if self.slots.len() < slots {
                    self.slots.resize(slots, None);
                }
            }
            Role::Cache if config.write_policy == WritePolicy::WriteBehind => {
                ctx.set_timer(Timer::Flush, config.flush_us.max(MS));
            }
            Role::App if ctx.id() == Self::writer(ctx.n_nodes()) && config.write_every_us > 0 => {
                ctx.set_timer(Timer::Write, config.write_every_us.max(MS));
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        let now = Self::now(ctx);
        match timer {
            Timer::Arrive => {
                self.get(ctx, now);
                Self::next_arrival(ctx);
            }
            Timer::Poll => {
                if let Some(&first) = self.waiting.first() {
                    // Ask again on behalf of the oldest waiting read.
                    self.waiting.remove(0);
                    self.get(ctx, first);
                }
            }
            Timer::Write => {
                let d = ctx.durable_mut();
                d.written += 1;
                let version = d.written;
                let to = match ctx.config().write_policy {
                    WritePolicy::CacheAside => DATABASE,
                    _ => CACHE,
                };
                ctx.send(to, Msg::Write { version });
                if ctx.config().write_every_us > 0 {
                    ctx.set_timer(Timer::Write, ctx.config().write_every_us);
                }
            }
            Timer::Flush => {
                if let Some(version) = self.dirty.take() {
                    let d = ctx.durable_mut();
                    d.cache_flushed = d.cache_acked;
                    ctx.send(DATABASE, Msg::Flush { version });
                }
                if ctx.config().write_policy == WritePolicy::WriteBehind {
                    ctx.set_timer(Timer::Flush, ctx.config().flush_us.max(MS));
                }
            }
            Timer::Slot(slot) => {
                let slot = usize::from(slot);
                if let Some((to, job, version)) = self.slots.get_mut(slot).and_then(Option::take) {
                    ctx.send(to, Msg::Value { job, version });
                    self.recomputes += 1;
                    ctx.count("recomputations", 1);
                    let period = (now / ctx.config().ttl_us.max(1)) as usize;
                    if period < MAX_SAMPLES {
                        if self.per_period.len() <= period {
                            self.per_period.resize(period + 1, 0);
                        }
                        self.per_period[period] += 1;
                    }
                }
                if slot < ctx.config().db_slots as usize {
                    if let Some((from, job)) = self.queue.pop_front() {
                        self.start_slot(ctx, slot, from, job);
                    }
                }
                self.sample_load(now);
            }
        }
    }

    fn state(&self, durable: &Durable, config: &Config) -> NodeState {
        if self.role == Role::Cache {
            let (headline, tone) = match self.entry {
                Some(e) => (
                    format!("v{} until {}", e.version, format_duration(e.expiry)),
                    Tone::Primary,
                ),
                None => ("empty".into(), Tone::Suspect),
            };
            let lock = match self.lock {
                Some((holder, until)) => {
                    format!("{} until {}", node_name(holder), format_duration(until))
                }
                None => "free".into(),
            };
            return NodeState {
                role: "cache".into(),
                tone,
                headline,
                fields: vec![
                    ("TTL".into(), format_duration(config.ttl_us)),
                    ("regeneration lock".into(), lock),
                    (
                        "dirty".into(),
                        self.dirty
                            .map_or("nothing".into(), |v| format!("version {v}")),
                    ),
                ],
            };
        }
        if self.role == Role::Database {
            let busy = self.slots.iter().filter(|s| s.is_some()).count();
            let peak = self.load.iter().map(|l| l.1 + l.2).max().unwrap_or(0);
            return NodeState {
                role: "database".into(),
                tone: if self.queue.is_empty() {
                    Tone::Secondary
                } else {
                    Tone::Suspect
                },
                headline: format!("{busy} computing, {} queued", self.queue.len()),
                fields: vec![
                    (
                        "recompute time δ".into(),
                        format_duration(config.recompute_us),
                    ),
                    ("slots".into(), config.db_slots.to_string()),
                    ("recomputations".into(), self.recomputes.to_string()),
                    ("peak load".into(), peak.to_string()),
                    ("value version".into(), durable.db_version.to_string()),
                ],
            };
        }
        NodeState {
            role: "app server".into(),
            tone: if self.waiting.is_empty() {
                Tone::Idle
            } else {
                Tone::Candidate
            },
            headline: if self.in_flight.is_empty() {
                format!("{} served", self.served)
            } else {
                "regenerating".into()
            },
            fields: vec![
                ("reads served".into(), self.served.to_string()),
                ("waiting for a value".into(), self.waiting.len().to_string()),
                (
                    "p99 latency".into(),
                    format!("{} ms", Self::p99_ms(&self.latency_ms)),
                ),
                ("stale responses".into(), self.stale_served.to_string()),
                ("early recomputations".into(), self.early.to_string()),
            ],
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes, now)
    }

    fn down_state(durable: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            fields: vec![("writes lost".into(), durable.lost.to_string())],
        }
    }
}
