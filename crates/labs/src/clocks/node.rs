//! A node with a wall clock and a monotonic clock beside it. Depending on the mode it stamps
//! local events, sends and receives with a Lamport clock, a vector clock and a hybrid
//! logical clock; or writes a last-write-wins register with wall-clock stamps; or commits
//! transactions stamped by a TrueTime interval, waiting out the uncertainty (commit-wait)
//! before it acknowledges. A timeout, if set, is measured on both clocks at once.
//!
//! What a node records carries its monotonic reading, so the checks and pictures can place
//! it on the true timeline (`crate::timeline`); the protocol itself never sees true time.

use super::checks::ClockChecks;
use super::config::{Config, Mode, BUG_COMMIT_WAIT, BUG_HLC, BUG_LAMPORT, BUG_VECTOR};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::logical_clock::{Hlc, Lamport, TrueTime, VectorClock};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::Time;

/// The three logical stamps of one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamps {
    pub lamport: Lamport,
    pub vector: VectorClock,
    pub hlc: Hlc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Local,
    Send {
        to: NodeId,
    },
    /// The receive of the message sent as event `send` (numbered from 0) at `from`.
    Receive {
        from: NodeId,
        send: u32,
    },
}

#[derive(Clone, Debug)]
pub struct Event {
    /// The event's number on its node, from 0.
    pub number: u32,
    pub kind: EventKind,
    pub mono: i64,
    pub wall: i64,
    pub stamps: Stamps,
    /// For a receive: the stamps the sender gave the send.
    pub sent: Option<Stamps>,
}

/// A write to the last-write-wins register: who, which of theirs, the value, its wall-clock
/// stamp, and the writer's monotonic reading (for placing it in true time; not used by the
/// protocol).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    pub writer: NodeId,
    pub value: u32,
    pub stamp: i64,
    pub mono: i64,
}

impl Write {
    fn key(&self) -> (i64, NodeId) {
        (self.stamp, self.writer)
    }
}

/// A register's choice between two writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub kept: Write,
    pub dropped: Write,
}

/// One transaction in TrueTime mode: its timestamp and when it was requested and
/// acknowledged, on the node's monotonic clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Txn {
    pub number: u32,
    pub ts: i64,
    pub interval: TrueTime,
    pub request_mono: i64,
    pub ack_mono: Option<i64>,
}

/// A timeout that fired: on which clock, when it was armed and when it fired (monotonic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Firing {
    pub wall: bool,
    pub set_mono: i64,
    pub fired_mono: i64,
}

/// Most records of each kind kept; past it the oldest half is forgotten.
pub const MAX_EVENTS: usize = 2048;
const MAX_SAMPLES: usize = 1024;
const MAX_TXNS: usize = 256;
const MAX_FIRINGS: usize = 64;

fn keep<T>(list: &mut Vec<T>, max: usize) -> usize {
    if list.len() >= max {
        list.drain(..max / 2);
        max / 2
    } else {
        0
    }
}

#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub lamport: Lamport,
    pub vector: VectorClock,
    pub hlc: Hlc,
    pub events: Vec<Event>,
    /// Events forgotten from the front of `events`.
    pub events_dropped: u32,
    /// Clock samples: (monotonic, wall).
    pub samples: Vec<(i64, i64)>,
    pub firings: Vec<Firing>,
    /// LWW: the register, the writes this node made, and its last choice between two.
    pub register: Option<Write>,
    pub writes: Vec<Write>,
    pub decision: Option<Decision>,
    pub discarded: u32,
    pub txns: Vec<Txn>,
}

impl Durable {
    /// Event number `number`, if still kept.
    pub fn event(&self, number: u32) -> Option<&Event> {
        let i = number.checked_sub(self.events_dropped)?;
        self.events.get(i as usize)
    }
}

#[derive(Clone, Debug)]
pub enum Msg {
    Event { number: u32, stamps: Stamps },
    Write(Write),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Next,
    Sample,
    MonoTimeout,
    WallPoll,
    CommitWait,
}

#[derive(Clone, Debug)]
pub struct ClockNode {
    pub me: NodeId,
    /// Relay mode: steps left here (2: a local event then the send; 1: the send).
    relay: u8,
    /// The wall-clock timeout: the wall reading it waits for, and the monotonic reading
    /// when it was armed.
    pub wall_deadline: i64,
    pub wall_armed_mono: i64,
    pub mono_armed: i64,
    /// TrueTime: the transaction waiting out its commit-wait.
    waiting: Option<usize>,
}

pub fn format_hlc(h: Hlc) -> String {
    let ms = h.physical_us.div_euclid(1_000);
    format!(
        "{}{}.{:03}s+{}",
        if ms < 0 { "-" } else { "" },
        ms.abs() / 1_000,
        ms.abs() % 1_000,
        h.logical
    )
}

/// A wall-clock reading in seconds: to the millisecond, or the microsecond if it has any.
pub fn format_wall(us: i64) -> String {
    let sign = if us < 0 { "−" } else { "" };
    let us = us.unsigned_abs();
    if us.is_multiple_of(1_000) {
        format!("{sign}{}.{:03} s", us / 1_000_000, us / 1_000 % 1_000)
    } else {
        format!("{sign}{}.{:06} s", us / 1_000_000, us % 1_000_000)
    }
}

impl ClockNode {
    fn jitter(ctx: &mut Ctx<'_, Self>) -> Time {
        let every = ctx.config().every_us;
        every / 2 + ctx.rng().below(every.max(1))
    }

    /// Record an event: tick the three clocks (or, for a receive, merge what came) and put
    /// the stamps on the diagram.
    fn record(&mut self, ctx: &mut Ctx<'_, Self>, kind: EventKind, sent: Option<Stamps>) -> Stamps {
        let bug = ctx.config().bug;
        let (wall, mono, me) = (ctx.wall_clock(), ctx.monotonic_clock(), self.me);
        let n = usize::from(ctx.n_nodes());
        let d = ctx.durable_mut();
        if d.vector.0.len() < n {
            d.vector.0.resize(n, 0);
        }
        match &sent {
            Some(seen) => {
                if bug == BUG_LAMPORT {
                    d.lamport.tick();
                } else {
                    d.lamport.observe(seen.lamport);
                }
                if bug == BUG_VECTOR {
                    d.vector.tick(me);
                } else {
                    d.vector.observe(me, &seen.vector);
                }
                if bug != BUG_HLC {
                    d.hlc.observe(seen.hlc, wall);
                }
            }
            None => {
                d.lamport.tick();
                d.vector.tick(me);
                if bug != BUG_HLC {
                    d.hlc.now(wall);
                }
            }
        }
        if bug == BUG_HLC {
            d.hlc = Hlc {
                physical_us: wall,
                logical: 0,
            };
        }
        let stamps = Stamps {
            lamport: d.lamport,
            vector: d.vector.clone(),
            hlc: d.hlc,
        };
        d.events_dropped += keep(&mut d.events, MAX_EVENTS) as u32;
        let number = d.events_dropped + d.events.len() as u32;
        d.events.push(Event {
            number,
            kind,
            mono,
            wall,
            stamps: stamps.clone(),
            sent,
        });
        ctx.stamp(&[
            stamps.lamport.0.to_string(),
            stamps.vector.to_string(),
            format_hlc(stamps.hlc),
        ]);
        stamps
    }

    fn send_event(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId) {
        let stamps = self.record(ctx, EventKind::Send { to }, None);
        let number = ctx.durable().events_dropped + ctx.durable().events.len() as u32 - 1;
        ctx.send(to, Msg::Event { number, stamps });
    }

    fn arm_wall_timeout(&mut self, ctx: &mut Ctx<'_, Self>) {
        let t = ctx.config().timeout_us as i64;
        self.wall_deadline = ctx.wall_clock() + t;
        self.wall_armed_mono = ctx.monotonic_clock();
        ctx.set_timer(Timer::WallPoll, ctx.config().poll_us());
    }

    fn fire(ctx: &mut Ctx<'_, Self>, wall: bool, set_mono: i64) {
        let fired_mono = ctx.monotonic_clock();
        let d = ctx.durable_mut();
        keep(&mut d.firings, MAX_FIRINGS);
        d.firings.push(Firing {
            wall,
            set_mono,
            fired_mono,
        });
    }

    /// Apply a write to the register: keep whichever has the higher (stamp, writer).
    fn apply(ctx: &mut Ctx<'_, Self>, write: Write) {
        let me = ctx.id();
        let d = ctx.durable_mut();
        let Some(held) = d.register else {
            d.register = Some(write);
            return;
        };
        let (kept, dropped) = if write.key() > held.key() {
            (write, held)
        } else {
            (held, write)
        };
        d.register = Some(kept);
        d.decision = Some(Decision { kept, dropped });
        if dropped == write {
            d.discarded += 1;
            ctx.note(format!(
                "{} keeps x={} (stamped {}) and discards x={} (stamped {})",
                node_name(me),
                kept.value,
                format_wall(kept.stamp),
                dropped.value,
                format_wall(dropped.stamp)
            ));
        }
    }

    fn write(&mut self, ctx: &mut Ctx<'_, Self>) {
        let n = u32::from(ctx.n_nodes());
        let round = ctx.durable().writes.len() as u32;
        let write = Write {
            writer: self.me,
            value: round * n + u32::from(self.me) + 1,
            stamp: ctx.wall_clock(),
            mono: ctx.monotonic_clock(),
        };
        let d = ctx.durable_mut();
        keep(&mut d.writes, MAX_TXNS);
        d.writes.push(write);
        ctx.note(format!(
            "{} writes x={} stamped {}",
            node_name(self.me),
            write.value,
            format_wall(write.stamp)
        ));
        Self::apply(ctx, write);
        ctx.broadcast(Msg::Write(write));
    }

    fn request_commit(&mut self, ctx: &mut Ctx<'_, Self>) {
        let eps = ctx.config().epsilon_us;
        let interval = TrueTime::around(ctx.wall_clock(), eps);
        let request_mono = ctx.monotonic_clock();
        let d = ctx.durable_mut();
        keep(&mut d.txns, MAX_TXNS);
        let number = d.txns.last().map_or(0, |t| t.number + 1);
        d.txns.push(Txn {
            number,
            ts: interval.latest_us,
            interval,
            request_mono,
            ack_mono: None,
        });
        self.waiting = Some(d.txns.len() - 1);
        if ctx.config().commit_wait {
            self.commit_wait(ctx);
        } else {
            self.acknowledge(ctx);
        }
    }

    /// Acknowledge once TrueTime says the timestamp has certainly passed (with the bug:
    /// once the wall clock has passed it, forgetting ε); else wait the difference.
    fn commit_wait(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Some(i) = self.waiting else { return };
        let Some(ts) = ctx.durable().txns.get(i).map(|t| t.ts) else {
            return;
        };
        let eps = if ctx.config().bug == BUG_COMMIT_WAIT {
            0
        } else {
            ctx.config().epsilon_us
        };
        let now = TrueTime::around(ctx.wall_clock(), eps);
        if now.after(ts) {
            self.acknowledge(ctx);
        } else {
            ctx.set_timer(Timer::CommitWait, (ts - now.earliest_us + 1) as Time);
        }
    }

    fn acknowledge(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Some(i) = self.waiting.take() else { return };
        let mono = ctx.monotonic_clock();
        let me = self.me;
        if let Some(t) = ctx.durable_mut().txns.get_mut(i) {
            t.ack_mono = Some(mono);
            let (number, ts) = (t.number, t.ts);
            ctx.note(format!(
                "{} commits T{}.{} at timestamp {}",
                node_name(me),
                me + 1,
                number + 1,
                format_wall(ts)
            ));
        }
        let next = Self::jitter(ctx);
        ctx.set_timer(Timer::Next, next);
    }
}

impl Protocol for ClockNode {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = ClockChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Event message", "Write"];
    const TIMER_NAMES: &'static [&'static str] = &[
        "next event",
        "clock sample",
        "monotonic timeout",
        "wall-clock poll",
        "commit-wait",
    ];
    const STAMP_SETS: &'static [&'static str] = &["Lamport", "vector", "HLC"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Event { .. } => 0,
            Msg::Write(_) => 1,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Event { stamps, .. } => format!(
                "Lamport {}, vector {}, HLC {}",
                stamps.lamport.0,
                stamps.vector,
                format_hlc(stamps.hlc)
            ),
            Msg::Write(w) => format!("x={} stamped {}", w.value, format_wall(w.stamp)),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let me = ctx.id();
        let mut node = ClockNode {
            me,
            relay: 0,
            wall_deadline: 0,
            wall_armed_mono: 0,
            mono_armed: 0,
            waiting: None,
        };
        let config = ctx.config().clone();
        ctx.set_timer(Timer::Sample, 0);
        match config.mode {
            Mode::Messages | Mode::TrueTime => {
                let first = Self::jitter(ctx);
                ctx.set_timer(Timer::Next, first);
            }
            Mode::Relay => {
                if me == 0 && ctx.durable().events.is_empty() {
                    node.relay = 2;
                    ctx.set_timer(Timer::Next, config.every_us);
                }
            }
            Mode::LastWriteWins => {
                // Staggered by node: S1, S2, … take turns, one write per `every / n`.
                let slot = config.every_us / u64::from(config.n_nodes.max(1));
                ctx.set_timer(Timer::Next, slot * (u64::from(me) + 1));
            }
        }
        if config.timeout_us > 0 {
            node.mono_armed = ctx.monotonic_clock();
            ctx.set_timer(Timer::MonoTimeout, config.timeout_us);
            node.arm_wall_timeout(ctx);
        }
        node
    }

    /// A setting changed: restart the timeouts and the next event under the new one.
    fn on_config_change(&mut self, ctx: &mut Ctx<'_, Self>) {
        let config = ctx.config().clone();
        if config.timeout_us > 0 {
            self.mono_armed = ctx.monotonic_clock();
            ctx.set_timer(Timer::MonoTimeout, config.timeout_us);
            self.arm_wall_timeout(ctx);
        }
        if config.mode != Mode::Relay && self.waiting.is_none() {
            let next = Self::jitter(ctx);
            ctx.set_timer(Timer::Next, next);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Event { number, stamps } => {
                self.record(ctx, EventKind::Receive { from, send: number }, Some(stamps));
                if ctx.config().mode == Mode::Relay && self.me != 0 {
                    self.relay = 2;
                    ctx.set_timer(Timer::Next, ctx.config().every_us);
                }
            }
            Msg::Write(write) => Self::apply(ctx, write),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        let config = ctx.config().clone();
        match timer {
            Timer::Sample => {
                let sample = (ctx.monotonic_clock(), ctx.wall_clock());
                let d = ctx.durable_mut();
                keep(&mut d.samples, MAX_SAMPLES);
                d.samples.push(sample);
                ctx.set_timer(Timer::Sample, config.sample_us);
            }
            Timer::MonoTimeout | Timer::WallPoll if config.timeout_us == 0 => {}
            Timer::MonoTimeout => {
                Self::fire(ctx, false, self.mono_armed);
                self.mono_armed = ctx.monotonic_clock();
                ctx.set_timer(Timer::MonoTimeout, config.timeout_us);
            }
            Timer::WallPoll => {
                if ctx.wall_clock() >= self.wall_deadline {
                    Self::fire(ctx, true, self.wall_armed_mono);
                    self.arm_wall_timeout(ctx);
                } else {
                    ctx.set_timer(Timer::WallPoll, config.poll_us());
                }
            }
            Timer::CommitWait => self.commit_wait(ctx),
            Timer::Next => match config.mode {
                Mode::Messages => {
                    let n = u64::from(config.n_nodes);
                    if n > 1 && ctx.rng().chance_ppm(config.send_ppm) {
                        let pick = ctx.rng().below(n - 1) as NodeId;
                        let to = if pick >= self.me { pick + 1 } else { pick };
                        self.send_event(ctx, to);
                    } else {
                        self.record(ctx, EventKind::Local, None);
                    }
                    let next = Self::jitter(ctx);
                    ctx.set_timer(Timer::Next, next);
                }
                Mode::Relay => match self.relay {
                    2 => {
                        self.record(ctx, EventKind::Local, None);
                        self.relay = 1;
                        ctx.set_timer(Timer::Next, config.every_us);
                    }
                    1 => {
                        self.relay = 0;
                        let to = (self.me + 1) % config.n_nodes.max(1);
                        self.send_event(ctx, to);
                    }
                    _ => {}
                },
                Mode::LastWriteWins => {
                    self.write(ctx);
                    ctx.set_timer(Timer::Next, config.every_us);
                }
                Mode::TrueTime => {
                    if self.waiting.is_none() {
                        self.request_commit(ctx);
                    }
                }
            },
        }
    }

    fn state(&self, durable: &Durable, config: &Config) -> NodeState {
        let mut fields = Vec::new();
        match config.mode {
            Mode::Messages | Mode::Relay => {
                fields.push(("Lamport".into(), durable.lamport.0.to_string()));
                fields.push(("vector".into(), durable.vector.to_string()));
                fields.push(("HLC".into(), format_hlc(durable.hlc)));
            }
            Mode::LastWriteWins => {
                fields.push((
                    "register".into(),
                    durable.register.map_or("empty".into(), |w| {
                        format!("x={} stamped {}", w.value, format_wall(w.stamp))
                    }),
                ));
                fields.push(("writes discarded".into(), durable.discarded.to_string()));
            }
            Mode::TrueTime => {
                if let Some(t) = durable.txns.last() {
                    fields.push((
                        "last interval".into(),
                        format!(
                            "[{}, {}]",
                            format_wall(t.interval.earliest_us),
                            format_wall(t.interval.latest_us)
                        ),
                    ));
                }
                fields.push((
                    "commits".into(),
                    durable
                        .txns
                        .iter()
                        .filter(|t| t.ack_mono.is_some())
                        .count()
                        .to_string(),
                ));
            }
        }
        if config.timeout_us > 0 {
            let count = |wall: bool| durable.firings.iter().filter(|f| f.wall == wall).count();
            fields.push((
                "timeouts fired".into(),
                format!("wall {}, monotonic {}", count(true), count(false)),
            ));
        }
        NodeState {
            role: "node".into(),
            tone: if self.waiting.is_some() {
                Tone::Candidate
            } else {
                Tone::Secondary
            },
            headline: match config.mode {
                Mode::Messages | Mode::Relay => format!("L={}", durable.lamport.0),
                Mode::LastWriteWins => durable
                    .register
                    .map_or("x unset".into(), |w| format!("x={}", w.value)),
                Mode::TrueTime if self.waiting.is_some() => "commit-wait".into(),
                Mode::TrueTime => "idle".into(),
            },
            fields,
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes, now)
    }

    fn down_state(_durable: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            ..NodeState::default()
        }
    }

    /// The stamps the preset asks for; a broken vector or hybrid clock shows its own.
    fn stamp_choice(config: &Config) -> u8 {
        match config.bug {
            BUG_VECTOR => 1,
            BUG_HLC => 2,
            _ => config.show,
        }
    }
}
