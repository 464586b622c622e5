//! The protocol: every node pings every other node at a fixed interval, answers every ping,
//! and suspects a peer it has not heard from for longer than the timeout. Pure handlers: a
//! node acts only through `Ctx`.

use super::checks::DetectorChecks;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{format_duration, Time, MS};

#[derive(Clone, Debug)]
pub struct Config {
    pub interval_us: Time,
    pub suspect_after_us: Time,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Ping { seq: u64 },
    Pong { seq: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Beat,
}

#[derive(Clone, Debug)]
pub struct Heartbeat {
    pub(super) seq: u64,
    /// Monotonic time each peer was last heard from (start time until then).
    last_heard: Vec<i64>,
    pub(super) suspected: Vec<bool>,
}

impl Heartbeat {
    pub fn suspects(&self, peer: NodeId) -> bool {
        self.suspected
            .get(usize::from(peer))
            .copied()
            .unwrap_or(false)
    }
}

impl Protocol for Heartbeat {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = ();
    type Config = Config;
    type Checker = DetectorChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Ping", "Pong"];
    const TIMER_NAMES: &'static [&'static str] = &["heartbeat"];

    fn configure(params: &Params, _n_nodes: u16) -> Result<Config, String> {
        let ms = |key: &str, default: i64| params.get(key).copied().unwrap_or(default) as Time * MS;
        Ok(Config {
            interval_us: ms("interval_ms", 50),
            suspect_after_us: ms("suspect_after_ms", 200),
        })
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
            Msg::Ping { seq } => format!("ping #{seq}: are you there?"),
            Msg::Pong { seq } => format!("pong #{seq}: yes"),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        // Nodes start out of step with each other, as real ones do, so the traffic is a
        // steady stream rather than synchronised bursts.
        let interval = ctx.config().interval_us;
        let first = ctx.rng().range_inclusive(1, interval.max(1));
        ctx.set_timer(Timer::Beat, first);
        let now = ctx.monotonic_clock();
        Heartbeat {
            seq: 0,
            last_heard: vec![now; usize::from(ctx.n_nodes())],
            suspected: vec![false; usize::from(ctx.n_nodes())],
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ping { seq } => ctx.send(from, Msg::Pong { seq }),
            Msg::Pong { .. } => {
                self.last_heard[usize::from(from)] = ctx.monotonic_clock();
                if std::mem::replace(&mut self.suspected[usize::from(from)], false) {
                    ctx.narrate(format!(
                        "{} hears from {} again and stops suspecting it",
                        node_name(ctx.id()),
                        node_name(from)
                    ));
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _timer: Timer) {
        self.seq += 1;
        ctx.broadcast(Msg::Ping { seq: self.seq });
        let now = ctx.monotonic_clock();
        let limit = ctx.config().suspect_after_us as i64;
        for peer in ctx.peers() {
            let p = usize::from(peer);
            if !self.suspected[p] && now - self.last_heard[p] > limit {
                self.suspected[p] = true;
                ctx.narrate(format!(
                    "{} suspects {}: no answer for {}",
                    node_name(ctx.id()),
                    node_name(peer),
                    format_duration(limit as Time)
                ));
            }
        }
        let interval = ctx.config().interval_us;
        ctx.set_timer(Timer::Beat, interval);
    }

    fn state(&self, _durable: &(), config: &Config) -> NodeState {
        let suspects: Vec<String> = (0..self.suspected.len())
            .filter(|&p| self.suspected[p])
            .map(|p| node_name(p as NodeId))
            .collect();
        NodeState {
            role: if suspects.is_empty() {
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
            headline: if suspects.is_empty() {
                format!("beat {}", self.seq)
            } else {
                format!("suspects {}", suspects.join(" "))
            },
            fields: vec![
                ("interval".into(), format_duration(config.interval_us)),
                (
                    "suspicion timeout".into(),
                    format_duration(config.suspect_after_us),
                ),
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
        _now: Time,
    ) -> Vec<Picture> {
        vec![super::pictures::suspicions(config, nodes)]
    }

    fn down_state(_durable: &(), _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            ..NodeState::default()
        }
    }
}
