//! Heartbeats: every node pings every other node at a fixed interval and each ping is
//! answered. The engine's reference workload for benchmarks and property tests (hidden from
//! the lab picker): plenty of messages and timers, no protocol logic to speak of.

use crate::ids::NodeId;
use crate::invariant::InvariantSpec;
use crate::lab::{Lab, NodeRange, ParamSpec, Preset, Unit};
use crate::protocol::{Ctx, NodeState, Protocol, Tone};
use crate::run::{LabRun, Simulation};
use crate::scenario::{Params, Scenario, ScenarioError};
use crate::time::{Time, MS};

#[derive(Clone, Debug)]
pub struct Config {
    pub interval_us: Time,
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
    seq: u64,
    /// Monotonic time each peer was last heard from.
    last_heard: Vec<Option<i64>>,
}

const PARAMS: &[ParamSpec] = &[ParamSpec {
    key: "interval_ms",
    label: "Heartbeat interval",
    help: "How often each node pings every other node.",
    min: 1,
    max: 10_000,
    default: 50,
    unit: Unit::Ms,
}];

impl Protocol for Heartbeat {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = ();
    type Config = Config;
    type Checker = crate::protocol::NoChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Ping", "Pong"];
    const TIMER_NAMES: &'static [&'static str] = &["heartbeat"];

    fn configure(params: &Params, _n_nodes: u16) -> Result<Config, String> {
        let interval_ms = params.get("interval_ms").copied().unwrap_or(50);
        Ok(Config {
            interval_us: interval_ms as Time * MS,
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

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let interval = ctx.config().interval_us;
        ctx.set_timer(Timer::Beat, interval);
        Heartbeat {
            seq: 0,
            last_heard: vec![None; usize::from(ctx.n_nodes())],
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ping { seq } => ctx.send(from, Msg::Pong { seq }),
            Msg::Pong { .. } => self.last_heard[usize::from(from)] = Some(ctx.monotonic_clock()),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _timer: Timer) {
        self.seq += 1;
        ctx.broadcast(Msg::Ping { seq: self.seq });
        let interval = ctx.config().interval_us;
        ctx.set_timer(Timer::Beat, interval);
    }

    fn state(&self, _durable: &(), config: &Config) -> NodeState {
        let heard = self.last_heard.iter().filter(|h| h.is_some()).count();
        NodeState {
            role: "up".into(),
            tone: Tone::Follower,
            headline: format!("beat {}", self.seq),
            fields: vec![
                (
                    "interval".into(),
                    crate::time::format_duration(config.interval_us),
                ),
                ("peers heard".into(), heard.to_string()),
            ],
            log: vec![],
        }
    }
}

const _: &[InvariantSpec] = &[];

pub struct HeartbeatLab;

impl Lab for HeartbeatLab {
    fn id(&self) -> &'static str {
        "heartbeat"
    }
    fn title(&self) -> &'static str {
        "Heartbeats"
    }
    fn summary(&self) -> &'static str {
        "Every node pings every other node; the engine's benchmark workload."
    }
    fn listed(&self) -> bool {
        false
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 1,
            max: crate::limits::MAX_NODES,
            default: 5,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        Scenario::new("heartbeat", seed, 5)
    }
    fn presets(&self) -> Vec<Preset> {
        vec![]
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Heartbeat>::new(&HeartbeatLab, scenario)?))
    }
}
