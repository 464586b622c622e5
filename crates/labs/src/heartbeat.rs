//! Heartbeats: every node pings every other node at a fixed interval, each ping is answered,
//! and a node suspects a peer it has not heard from for a while: the simplest failure
//! detector, and the timeout dilemma in miniature (short timeouts suspect paused nodes,
//! long ones notice crashes late). It is also the engine's reference workload for
//! benchmarks: plenty of messages and timers and no protocol logic to speak of.

use failscope_sim::action::Action;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::lab::{Chapter, Lab, NodeRange, ParamSpec, Preset, Unit};
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Params, Scenario, ScenarioError};
use failscope_sim::time::{format_duration, Time, MS, SECOND};
use failscope_sim::world::NodeStatus;

pub const LAB_ID: &str = "heartbeat";

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
    seq: u64,
    /// Monotonic time each peer was last heard from (start time until then).
    last_heard: Vec<i64>,
    suspected: Vec<bool>,
}

impl Heartbeat {
    pub fn suspects(&self, peer: NodeId) -> bool {
        self.suspected
            .get(usize::from(peer))
            .copied()
            .unwrap_or(false)
    }
}

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "interval_ms",
        label: "Heartbeat interval",
        help: "How often each node pings every other node.",
        min: 1,
        max: 10_000,
        default: 50,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "suspect_after_ms",
        label: "Suspicion timeout",
        help: "Silence after which a node suspects a peer has crashed.",
        min: 1,
        max: 60_000,
        default: 200,
        unit: Unit::Ms,
    },
];

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

    fn down_state(_durable: &(), _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            ..NodeState::default()
        }
    }
}

const ACCURACY: usize = 0;
const COMPLETENESS: usize = 1;

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: "Strong accuracy",
        modality: Modality::Always,
        description: "No node that has not crashed is ever suspected. No timeout can promise this when messages or nodes can be slow.",
    },
    InvariantSpec {
        name: "Completeness",
        modality: Modality::Sometimes,
        description: "A crashed node came to be suspected by every node that is up.",
    },
];

/// The failure detector's two classic properties (Chandra and Toueg, 1996).
#[derive(Clone, Debug, Default)]
pub struct DetectorChecks;

impl Checker<Heartbeat> for DetectorChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Heartbeat>, touched: NodeId, found: &mut Vec<Finding>) {
        let Some(me) = nodes.state(touched) else {
            return;
        };
        // Both properties are about suspicions; a node suspecting nobody (the usual case)
        // can break neither, so the check costs nothing then. (A restarted node that others
        // still suspect is caught at their next heartbeat.)
        if !me.suspected.contains(&true) {
            return;
        }
        for peer in nodes.ids().filter(|&p| p != touched && me.suspects(p)) {
            if nodes.status(peer) == Some(NodeStatus::Up) {
                found.push(Finding {
                    invariant: ACCURACY,
                    nodes: vec![touched, peer],
                    detail: format!(
                        "{} suspects {}, which is up",
                        node_name(touched),
                        node_name(peer)
                    ),
                });
            }
        }
        for down in nodes
            .ids()
            .filter(|&d| nodes.status(d) == Some(NodeStatus::Down))
        {
            let everyone = nodes
                .ids()
                .filter(|&n| n != down && nodes.status(n) == Some(NodeStatus::Up))
                .all(|n| nodes.state(n).is_some_and(|s| s.suspects(down)));
            if everyone {
                found.push(Finding {
                    invariant: COMPLETENESS,
                    nodes: vec![down],
                    detail: String::new(),
                });
            }
        }
    }
}

pub struct HeartbeatLab;

fn scenario(seed: u64, n_nodes: u16) -> Scenario {
    Scenario::new(LAB_ID, seed, n_nodes)
}

impl Lab for HeartbeatLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Heartbeats and suspicion"
    }
    fn summary(&self) -> &'static str {
        "The simplest failure detector: crash a node and everyone notices; pause one and they are fooled."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 2,
            max: failscope_sim::limits::MAX_NODES,
            default: 5,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        scenario(seed, 5)
    }
    fn presets(&self) -> Vec<Preset> {
        vec![
            Preset {
                id: "crash",
                title: "A node crashes",
                summary: "Everyone stops hearing from it and, after the timeout, suspects it.",
                scenario: scenario(1, 5).with_fault(SECOND, Action::Crash { node: 2 }),
                duration_us: 2 * SECOND,
                chapters: vec![
                    Chapter { at_us: 0, text: "Five nodes ping each other every 50 ms and answer every ping.".into() },
                    Chapter { at_us: SECOND, text: "S3 crashes. Pings to it go unanswered.".into() },
                    Chapter { at_us: SECOND + 200 * MS, text: "After 200 ms of silence each node suspects S3: the detector is complete, every crash is eventually noticed.".into() },
                ],
            },
            Preset {
                id: "gc-pause",
                title: "A long pause fools everyone",
                summary: "A paused node looks exactly like a crashed one, until it wakes up.",
                scenario: scenario(2, 5).with_fault(SECOND, Action::Pause { node: 1, duration_us: 400 * MS }),
                duration_us: 2 * SECOND,
                chapters: vec![
                    Chapter { at_us: SECOND, text: "S2 freezes for 400 ms, as in a long garbage-collection pause. It is alive, but silent.".into() },
                    Chapter { at_us: SECOND + 250 * MS, text: "The others suspect it: a false suspicion. Strong accuracy is violated, and no timeout can prevent this when pauses can be longer than the timeout.".into() },
                    Chapter { at_us: SECOND + 400 * MS, text: "S2 wakes up, answers the queued pings, and the suspicion is withdrawn.".into() },
                ],
            },
            Preset {
                id: "stress",
                title: "Fifty nodes, a thousand messages",
                summary: "2,450 pings every 50 ms: the rendering stress test.",
                scenario: scenario(3, 50),
                duration_us: 5 * SECOND,
                chapters: vec![Chapter { at_us: 0, text: "Fifty nodes each ping the other forty-nine every 50 ms: more than a thousand messages are in flight at any moment.".into() }],
            },
        ]
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Heartbeat>::new(&HeartbeatLab, scenario)?))
    }
}
