//! The protocol: every node pings every other node at a fixed interval and answers every
//! ping; the answers are the heartbeats. At each of its own beats a node runs its failure
//! detector over every peer and suspects those silent for longer than the detector's limit.
//! Pure handlers: a node acts only through `Ctx`.
//!
//! A node can also stop for a garbage-collection pause of its own (`gc_every_ms`): it
//! handles nothing until the pause ends, then the queued messages and its overdue beat. It is
//! alive the whole time, which is why suspecting it is a false suspicion.
//!
//! S1 keeps the lab's records for the pictures: the inter-arrival times it sees, its view of
//! S2 over time, its suspicions, and a bank of shadow detectors at several thresholds fed by
//! the same heartbeats (the timeout dilemma's table).

use super::checks::DetectorChecks;
use super::config::{Bug, Config};
use super::detector::{Kind, Window};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{format_duration, Time, MS};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// `inc`: the sender's incarnation (how many times it has started).
    Ping {
        seq: u64,
        inc: u32,
    },
    Pong {
        seq: u64,
        inc: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Beat,
}

/// The observer whose records the pictures draw, and the peer it is watched watching.
pub const OBSERVER: NodeId = 0;
pub const WATCHED: NodeId = 1;
/// Points kept of the observer's view of the watched peer.
const LEVEL_POINTS: usize = 600;
/// Suspicion spans kept.
const SPANS: usize = 200;
/// Buckets of the inter-arrival histogram (the last one holds everything beyond).
pub const BUCKETS: usize = 32;

/// A suspicion the observer raised: of whom, from when (its monotonic clock), until when,
/// and whether it turned out right (the peer had restarted) or wrong (the same incarnation
/// spoke again). `None` while open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuspicionSpan {
    pub peer: NodeId,
    pub start: i64,
    pub end: Option<i64>,
    pub wrong: Option<bool>,
}

/// One rung of the shadow bank: how its suspicions turned out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RungTally {
    pub false_suspicions: u32,
    pub detections: u32,
    /// Sum of the silences (from the last heartbeat) at which crashed peers were suspected.
    pub detection_us: u64,
}

/// What only the observer keeps.
#[derive(Clone, Debug, Default)]
pub struct Records {
    pub histogram: Vec<u32>,
    pub arrivals: u64,
    pub sum_us: u128,
    pub sum_sq: u128,
    /// (time, level): φ × 100, or the silence in ms for the timeouts.
    pub level: Vec<(Time, i64)>,
    /// The watched peer's limit at each point (ms).
    pub limit: Vec<(Time, i64)>,
    pub spans: Vec<SuspicionSpan>,
    /// Per peer, per rung: the silence at which the rung suspected it, while it does.
    pub open: Vec<Vec<Option<i64>>>,
    pub tally: Vec<RungTally>,
}

#[derive(Clone, Debug)]
pub struct Heartbeat {
    pub(super) seq: u64,
    /// Monotonic time each peer was last heard from (start time until then).
    pub(super) last_heard: Vec<i64>,
    pub(super) suspected: Vec<bool>,
    /// Each peer's incarnation as last heard.
    pub(super) incarnation: Vec<u32>,
    /// Inter-arrival windows per peer (empty where the detector needs none).
    pub(super) windows: Vec<Window>,
    /// When this node last ran its detector, and the limit it used for each peer.
    pub(super) checked_at: i64,
    pub(super) limits: Vec<i64>,
    /// Monotonic time the last ping went out (the deliberate bug counts from it).
    pub(super) last_ping: i64,
    /// In a garbage-collection pause until then (monotonic; its Beat timer ends it), with
    /// what arrived meanwhile.
    pub(super) gc_until: Option<i64>,
    queued: Vec<(NodeId, Msg)>,
    pub(super) records: Option<Box<Records>>,
}

impl Heartbeat {
    pub fn suspects(&self, peer: NodeId) -> bool {
        self.suspected
            .get(usize::from(peer))
            .copied()
            .unwrap_or(false)
    }

    /// In a pause of its own (alive, handling nothing).
    pub fn in_gc(&self) -> bool {
        self.gc_until.is_some()
    }

    /// When it last ran its detector (its monotonic clock).
    pub fn checked_at(&self) -> i64 {
        self.checked_at
    }

    /// When it last heard from `peer` (its monotonic clock).
    pub fn last_heard(&self, peer: NodeId) -> Option<i64> {
        self.last_heard.get(usize::from(peer)).copied()
    }

    /// The silence limit it applied to `peer` at its last check.
    pub fn limit(&self, peer: NodeId) -> Option<i64> {
        self.limits.get(usize::from(peer)).copied()
    }

    pub fn records(&self) -> Option<&Records> {
        self.records.as_deref()
    }

    /// A heartbeat (an answer to our ping) from `from`, of incarnation `inc`, heard at `now`.
    fn heard(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, inc: u32, now: i64) {
        let p = usize::from(from);
        let restarted = inc > self.incarnation[p];
        if restarted {
            self.incarnation[p] = inc;
            if let Some(w) = self.windows.get_mut(p) {
                w.clear();
            }
        } else if let Some(w) = self.windows.get_mut(p) {
            w.push((now - self.last_heard[p]).max(0) as Time);
        }
        let gap = now - self.last_heard[p];
        self.last_heard[p] = now;
        if let Some(r) = self.records.as_deref_mut() {
            if !restarted {
                r.record_gap(gap.max(0) as u64, ctx.config().bucket_us);
            }
            r.resolve(from, now, restarted);
        }
        if std::mem::replace(&mut self.suspected[p], false) {
            ctx.narrate(format!(
                "{} hears from {} again and stops suspecting it",
                node_name(ctx.id()),
                node_name(from)
            ));
        }
    }

    fn handle(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ping { seq, .. } => {
                let inc = *ctx.durable();
                ctx.send(from, Msg::Pong { seq, inc })
            }
            Msg::Pong { inc, .. } => {
                let now = ctx.monotonic_clock();
                self.heard(ctx, from, inc, now);
            }
        }
    }

    /// Run the detector over every peer.
    fn check(&mut self, ctx: &mut Ctx<'_, Self>, now: i64) {
        self.checked_at = now;
        // Suspicions raised now, narrated once the configuration is no longer borrowed.
        let mut raised: Vec<(NodeId, i64)> = Vec::new();
        let config = ctx.config();
        for peer in ctx.peers() {
            let p = usize::from(peer);
            let empty = Window::default();
            let window = self.windows.get(p).unwrap_or(&empty);
            let limit = config
                .detector
                .limit_us(window, config.suspect_after_us, config.min_sd_us)
                as i64;
            self.limits[p] = limit;
            let silence = match config.bug {
                Bug::PingCountsAsHearing => now - self.last_heard[p].max(self.last_ping),
                _ => now - self.last_heard[p],
            };
            let applied = match config.bug {
                Bug::WrongUnit => limit / 1_000,
                _ => limit,
            };
            if let Some(r) = self.records.as_deref_mut() {
                r.shadow(config, peer, window, now - self.last_heard[p]);
                if peer == WATCHED {
                    let level = match config.detector.kind {
                        Kind::Phi => window.fit().map_or(0, |(mean, sd)| {
                            let phi = super::detector::phi(
                                (now - self.last_heard[p]) as f64,
                                mean,
                                sd.max(config.min_sd_us),
                            );
                            libm::round(phi * 100.0) as i64
                        }),
                        _ => (now - self.last_heard[p]) / MS as i64,
                    };
                    r.push_level(now.max(0) as Time, level, limit / MS as i64);
                }
            }
            if !self.suspected[p] && silence > applied {
                self.suspected[p] = true;
                if let Some(r) = self.records.as_deref_mut() {
                    r.open_span(peer, now);
                }
                raised.push((peer, applied));
            }
        }
        for (peer, applied) in raised {
            let why = match ctx.config().detector.kind {
                Kind::Fixed => String::new(),
                Kind::Adaptive => " (its adaptive limit now)".to_string(),
                Kind::Phi => format!(" (where φ passes {})", ctx.config().phi_label()),
            };
            ctx.narrate(format!(
                "{} suspects {}: no answer for {}{why}",
                node_name(ctx.id()),
                node_name(peer),
                format_duration(applied.max(0) as Time)
            ));
        }
    }
}

impl Records {
    fn new(config: &Config, n_nodes: usize) -> Records {
        Records {
            histogram: vec![0; BUCKETS],
            open: vec![vec![None; config.rungs.len()]; n_nodes],
            tally: vec![RungTally::default(); config.rungs.len()],
            ..Records::default()
        }
    }

    fn record_gap(&mut self, gap_us: u64, bucket_us: Time) {
        let bucket = ((gap_us / bucket_us.max(1)) as usize).min(BUCKETS - 1);
        self.histogram[bucket] += 1;
        self.arrivals += 1;
        self.sum_us += u128::from(gap_us);
        self.sum_sq += u128::from(gap_us) * u128::from(gap_us);
    }

    fn push_level(&mut self, at: Time, level: i64, limit: i64) {
        if self.level.len() >= LEVEL_POINTS {
            self.level.drain(..LEVEL_POINTS / 2);
            self.limit.drain(..LEVEL_POINTS / 2);
        }
        self.level.push((at, level));
        self.limit.push((at, limit));
    }

    fn open_span(&mut self, peer: NodeId, now: i64) {
        if self.spans.len() >= SPANS {
            self.spans.drain(..SPANS / 2);
        }
        self.spans.push(SuspicionSpan {
            peer,
            start: now,
            end: None,
            wrong: None,
        });
    }

    /// `peer` spoke at `now`: close its suspicions, right if it had restarted.
    fn resolve(&mut self, peer: NodeId, now: i64, restarted: bool) {
        for span in self
            .spans
            .iter_mut()
            .filter(|s| s.peer == peer && s.end.is_none())
        {
            span.end = Some(now);
            span.wrong = Some(!restarted);
        }
        let Some(open) = self.open.get_mut(usize::from(peer)) else {
            return;
        };
        for (rung, slot) in open.iter_mut().enumerate() {
            if let Some(silence) = slot.take() {
                let tally = &mut self.tally[rung];
                if restarted {
                    tally.detections += 1;
                    tally.detection_us += silence.max(0) as u64;
                } else {
                    tally.false_suspicions += 1;
                }
            }
        }
    }

    /// The shadow detectors' view of `peer` after `silence` µs.
    fn shadow(&mut self, config: &Config, peer: NodeId, window: &Window, silence: i64) {
        let Some(open) = self.open.get_mut(usize::from(peer)) else {
            return;
        };
        for (rung, setting) in config.rungs.iter().enumerate() {
            if open[rung].is_none() {
                let limit =
                    setting.limit_us(window, config.suspect_after_us, config.min_sd_us) as i64;
                if silence > limit {
                    open[rung] = Some(silence);
                }
            }
        }
    }
}

impl Protocol for Heartbeat {
    type Msg = Msg;
    type Timer = Timer;
    /// The incarnation: how many times this node has started.
    type Durable = u32;
    type Config = Config;
    type Checker = DetectorChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Ping", "Pong"];
    const TIMER_NAMES: &'static [&'static str] = &["heartbeat"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Ping { .. } => 0,
            Msg::Pong { .. } => 1,
        }
    }

    fn timer_index(_: Timer) -> u8 {
        0
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Ping { seq, .. } => format!("ping #{seq}: are you there?"),
            Msg::Pong { seq, .. } => format!("pong #{seq}: yes"),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        // Nodes start out of step with each other, as real ones do, so the traffic is a
        // steady stream rather than synchronised bursts.
        let interval = ctx.config().interval_us;
        let first = ctx.rng().range_inclusive(1, interval.max(1));
        ctx.set_timer(Timer::Beat, first);
        *ctx.durable_mut() += 1;
        let now = ctx.monotonic_clock();
        let n = usize::from(ctx.n_nodes());
        let config = ctx.config();
        let keeps_window = config.detector.kind != Kind::Fixed || ctx.id() == OBSERVER;
        let windows = if keeps_window {
            vec![Window::new(config.window); n]
        } else {
            Vec::new()
        };
        Heartbeat {
            seq: 0,
            last_heard: vec![now; n],
            suspected: vec![false; n],
            incarnation: vec![0; n],
            windows,
            checked_at: now,
            limits: vec![config.suspect_after_us as i64; n],
            last_ping: now,
            gc_until: None,
            queued: Vec::new(),
            records: (ctx.id() == OBSERVER).then(|| Box::new(Records::new(config, n))),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        if self.gc_until.is_some() {
            // Paused: the message waits in the socket until the pause ends.
            self.queued.push((from, msg));
            return;
        }
        self.handle(ctx, from, msg);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _timer: Timer) {
        let now = ctx.monotonic_clock();
        // During a pause the only timer set is the one that ends it (comparing clocks here
        // instead could, on a drifting clock, set a timer of no length again and again).
        if self.gc_until.take().is_some() {
            ctx.narrate(format!(
                "{} wakes from its pause and catches up on {} waiting messages",
                node_name(ctx.id()),
                self.queued.len()
            ));
            for (from, msg) in std::mem::take(&mut self.queued) {
                self.handle(ctx, from, msg);
            }
        }
        self.seq += 1;
        let inc = *ctx.durable();
        ctx.broadcast(Msg::Ping { seq: self.seq, inc });
        self.last_ping = now;
        self.check(ctx, now);
        let interval = ctx.config().interval_us;
        let gc = ctx.config().gc_chance_ppm;
        if gc > 0 && ctx.rng().below(1_000_000) < gc {
            let longest = ctx.config().gc_pause_us.max(2);
            let pause = ctx.rng().range_inclusive(longest / 2, longest);
            self.gc_until = Some(now + pause as i64);
            ctx.narrate(format!(
                "{} stops for a {} garbage-collection pause: alive, but answering nothing",
                node_name(ctx.id()),
                format_duration(pause)
            ));
            ctx.set_timer(Timer::Beat, pause);
            return;
        }
        ctx.set_timer(Timer::Beat, interval);
    }

    fn state(&self, _durable: &u32, config: &Config) -> NodeState {
        let suspects: Vec<String> = (0..self.suspected.len())
            .filter(|&p| self.suspected[p])
            .map(|p| node_name(p as NodeId))
            .collect();
        let paused = self.gc_until.is_some();
        NodeState {
            role: if paused {
                "in a GC pause"
            } else if suspects.is_empty() {
                "all peers alive"
            } else {
                "suspecting"
            }
            .into(),
            tone: if suspects.is_empty() {
                Tone::Secondary
            } else {
                Tone::Suspect
            },
            headline: if paused {
                "GC pause".into()
            } else if suspects.is_empty() {
                format!("beat {}", self.seq)
            } else {
                format!("suspects {}", suspects.join(" "))
            },
            fields: vec![
                ("interval".into(), format_duration(config.interval_us)),
                ("detector".into(), config.describe()),
                (
                    "suspects".into(),
                    if suspects.is_empty() {
                        "nobody".into()
                    } else {
                        suspects.join(", ")
                    },
                ),
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

    fn down_state(_durable: &u32, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            ..NodeState::default()
        }
    }
}
