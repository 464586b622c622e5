//! FloodSet (Lynch, "Distributed Algorithms", 1996, §6.2) in synchronous rounds: each round
//! every node sends the set W of values it has seen to every other node, one send after
//! another; after its last round a node decides the smallest value in W. With f crash
//! failures, f + 1 rounds give every correct node the same W; with f rounds a node that
//! crashes mid-broadcast can leave them with different sets.

use super::checks::FloodChecks;
use super::config::{self, FaultModel};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// A set of values 0 to 15, one bit each.
pub type Values = u16;

pub fn values_name(w: Values) -> String {
    let vals: Vec<String> = (0..16)
        .filter(|v| w & (1 << v) != 0)
        .map(|v: u16| v.to_string())
        .collect();
    format!("{{{}}}", vals.join(","))
}

#[derive(Clone, Debug)]
pub struct FloodConfig {
    pub n_nodes: u16,
    pub rounds: u32,
    pub round_us: Time,
    /// Nodes S1 to Sf are faulty: node k misbehaves in round k + 1.
    pub faulty: u16,
    pub fault_model: FaultModel,
    /// Every node's input from the seed; otherwise S1 alone starts with 0, the others 1.
    pub random_inputs: bool,
    /// Deliberate bug: decide on W as it was after round 1.
    pub early_decision: bool,
}

impl FloodConfig {
    pub fn parse(params: &Params, n_nodes: u16) -> Result<FloodConfig, String> {
        if config::model(params) != config::Model::Rounds {
            return Err("this run is FloodSet in synchronous rounds; open a preset (or start a new run) for the network models".into());
        }
        let p = |key: &str| config::param(params, key);
        let faulty = p("faulty") as u16;
        if faulty + 2 > n_nodes {
            return Err(format!(
                "with {faulty} faulty node(s) FloodSet needs at least {} servers, so that two stay correct",
                faulty + 2
            ));
        }
        let round_us = p("round_ms") as Time * MS;
        let bound_us = config::bound_us(params);
        if bound_us + Time::from(n_nodes) * SEND_GAP_US >= round_us {
            return Err(format!(
                "a round ({} ms) must outlast the delay bound ({} ms) plus a broadcast ({n_nodes} ms): lengthen the round or shorten the bound",
                round_us / MS,
                bound_us / MS
            ));
        }
        Ok(FloodConfig {
            n_nodes,
            rounds: p("rounds") as u32,
            round_us,
            faulty,
            fault_model: match p("fault_model") {
                1 => FaultModel::CrashRecovery,
                2 => FaultModel::Omission,
                _ => FaultModel::CrashStop,
            },
            random_inputs: p("inputs") == 1,
            early_decision: p(BUG_PARAM) == config::BUG_EARLY_DECISION,
        })
    }

    pub fn is_faulty(&self, node: NodeId) -> bool {
        node < self.faulty
    }

    /// The round in which a faulty node fails (from 1).
    pub fn bad_round(&self, node: NodeId) -> Option<u32> {
        self.is_faulty(node).then_some(u32::from(node) + 1)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub round: u32,
    pub w: Values,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The end of a round (and the start of the next).
    RoundEnd,
    /// The next send of this round's broadcast.
    Send,
}

/// One round as a node lived it, for the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundMark {
    pub round: u32,
    /// W at the end of the round.
    pub w: Values,
    /// How many nodes its broadcast reached, if it was cut short.
    pub cut_after: Option<u16>,
}

#[derive(Clone, Debug, Default)]
pub struct FloodDurable {
    pub input: u16,
    pub w: Values,
    pub w_after_first: Values,
    pub round: u32,
    pub decided: Option<u16>,
    pub rounds: Vec<RoundMark>,
    /// Stopped for good (crash-stop) in this round.
    pub stopped: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct FloodSet {
    /// Peers still to send to this round, in order, and what to send.
    pending: Vec<NodeId>,
    sending: Values,
    sent: u16,
    /// Down for the rest of this round (crash-recovery).
    out_until_next_round: bool,
}

/// Sends of one broadcast are this far apart, so that a crash can fall between two.
const SEND_GAP_US: Time = MS;

impl FloodSet {
    fn begin_round(&mut self, ctx: &mut Ctx<'_, FloodSet>) {
        let me = ctx.id();
        self.out_until_next_round = false;
        let durable = ctx.durable();
        if durable.stopped.is_some() || durable.decided.is_some() {
            return;
        }
        // Round the circle from the next node on, so a broadcast cut after one send
        // reaches the next node only.
        let n = ctx.n_nodes();
        self.pending = (1..n).rev().map(|k| (me + k) % n).collect();
        self.sending = durable.w;
        self.sent = 0;
        ctx.set_timer(Timer::RoundEnd, ctx.config().round_us);
        let _ = me;
        self.send_next(ctx);
    }

    fn send_next(&mut self, ctx: &mut Ctx<'_, FloodSet>) {
        let config = ctx.config().clone();
        let me = ctx.id();
        let round = ctx.durable().round;
        if config.bad_round(me) == Some(round) && self.sent == 1 {
            // The fault strikes mid-broadcast, after one send.
            self.pending.clear();
            let n = ctx.n_nodes();
            let left: Vec<String> = (2..n).map(|k| node_name((me + k) % n)).collect();
            let w = ctx.durable().w;
            ctx.durable_mut().rounds.push(RoundMark {
                round,
                w,
                cut_after: Some(1),
            });
            match config.fault_model {
                FaultModel::CrashStop => {
                    ctx.durable_mut().stopped = Some(round);
                    ctx.cancel_timer(Timer::RoundEnd);
                    ctx.mark(format!(
                        "{} crashes in round {round} mid-broadcast: {} never hear from it",
                        node_name(me),
                        left.join(", ")
                    ));
                }
                FaultModel::CrashRecovery => {
                    self.out_until_next_round = true;
                    ctx.mark(format!(
                        "{} crashes in round {round} mid-broadcast ({} miss its message) and recovers next round",
                        node_name(me),
                        left.join(", ")
                    ));
                }
                FaultModel::Omission => ctx.mark(format!(
                    "{}'s round-{round} messages to {} are lost (omission)",
                    node_name(me),
                    left.join(", ")
                )),
            }
            return;
        }
        if let Some(to) = self.pending.pop() {
            ctx.send(
                to,
                Msg {
                    round,
                    w: self.sending,
                },
            );
            self.sent += 1;
            if !self.pending.is_empty() {
                ctx.set_timer(Timer::Send, SEND_GAP_US);
            }
        }
    }

    fn end_round(&mut self, ctx: &mut Ctx<'_, FloodSet>) {
        let config = ctx.config().clone();
        let me = ctx.id();
        let durable = ctx.durable_mut();
        if durable.stopped.is_some() || durable.decided.is_some() {
            return;
        }
        let round = durable.round;
        if round == 1 {
            durable.w_after_first = durable.w;
        }
        if !durable.rounds.iter().any(|r| r.round == round) {
            durable.rounds.push(RoundMark {
                round,
                w: durable.w,
                cut_after: None,
            });
        }
        if round >= config.rounds {
            let w = if config.early_decision {
                durable.w_after_first
            } else {
                durable.w
            };
            let value = w.trailing_zeros() as u16;
            durable.decided = Some(value);
            ctx.mark(format!(
                "{} decides {value}: W = {} after {round} round(s)",
                node_name(me),
                values_name(w)
            ));
            return;
        }
        durable.round += 1;
        self.begin_round(ctx);
    }
}

impl Protocol for FloodSet {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = FloodDurable;
    type Config = FloodConfig;
    type Checker = FloodChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Values seen"];
    const TIMER_NAMES: &'static [&'static str] = &["round end", "next send"];

    fn configure(params: &Params, n_nodes: u16) -> Result<FloodConfig, String> {
        FloodConfig::parse(params, n_nodes)
    }

    fn message_kind(_: &Msg) -> u8 {
        0
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        format!("round {}: I have seen {}", msg.round, values_name(msg.w))
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let mut node = FloodSet {
            pending: Vec::new(),
            sending: 0,
            sent: 0,
            out_until_next_round: false,
        };
        if ctx.durable().round == 0 {
            let me = ctx.id();
            let input = if ctx.config().random_inputs {
                ctx.rng().below(2) as u16
            } else {
                u16::from(me != 0)
            };
            let durable = ctx.durable_mut();
            durable.input = input;
            durable.w = 1 << input;
            durable.round = 1;
            node.begin_round(ctx);
        } else {
            // Restarted (from the fault toolbar): join at the next round boundary.
            let round_us = ctx.config().round_us.max(1) as i64;
            let mono = ctx.monotonic_clock().max(0);
            let into = mono.rem_euclid(round_us) as Time;
            ctx.durable_mut().round = (mono / round_us + 1) as u32;
            ctx.set_timer(Timer::RoundEnd, round_us as Time - into);
            node.out_until_next_round = true;
        }
        node
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _from: NodeId, msg: Msg) {
        if self.out_until_next_round || ctx.durable().stopped.is_some() {
            return;
        }
        ctx.durable_mut().w |= msg.w;
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Send => self.send_next(ctx),
            Timer::RoundEnd => self.end_round(ctx),
        }
    }

    fn state(&self, durable: &FloodDurable, config: &FloodConfig) -> NodeState {
        let (role, tone, headline) = match (durable.stopped, durable.decided) {
            (Some(r), _) => ("crashed", Tone::Faulty, format!("stopped in round {r}")),
            (None, Some(v)) => ("decided", Tone::Primary, format!("decided {v}")),
            (None, None) if self.out_until_next_round => {
                ("recovering", Tone::Suspect, "back next round".into())
            }
            (None, None) => (
                "node",
                Tone::Secondary,
                format!("round {}: W = {}", durable.round, values_name(durable.w)),
            ),
        };
        let _ = config;
        NodeState {
            role: role.into(),
            tone,
            headline,
            fields: vec![
                ("input".into(), durable.input.to_string()),
                ("W".into(), values_name(durable.w)),
                ("round".into(), durable.round.to_string()),
            ],
        }
    }

    fn pictures(config: &FloodConfig, nodes: &Nodes<'_, Self>, now: Time) -> Vec<Picture> {
        super::pictures::floodset(config, nodes, now)
    }

    fn down_state(durable: &FloodDurable, _config: &FloodConfig) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            fields: vec![("W (on disk)".into(), values_name(durable.w))],
        }
    }
}
