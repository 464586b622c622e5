//! The two generals on the engine. Each day A (S1) opens the chain (or starts resending its
//! order); a general answers each message of the chain with the next one; at dusk each
//! applies its rule (attack if it received at least j messages that day) and a new day
//! begins. A captured messenger is decided by the sender's seeded coin and never sent.

use super::checks::TwoGeneralsChecks;
use super::config::{Config, Protocol as Kind};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::Time;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Message `seq` of the chain (1: the order, then acknowledgements).
    Chain { day: u32, seq: u16 },
    /// Copy `copy` of the order.
    Order { day: u32, copy: u16 },
    /// B's acknowledgement of copy `copy`.
    Ack { day: u32, copy: u16 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Dusk,
    Retry,
}

/// One message a general sent: its day, its place (chain position or copy), and whether
/// the messenger was captured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    pub day: u32,
    pub seq: u16,
    pub captured: bool,
}

/// A day's outcome at one general.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day {
    pub received: u16,
    pub attacked: bool,
}

/// Past this many, the oldest sent messages are forgotten (the pictures show recent days).
const MAX_SENT: usize = 4096;

#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub days: Vec<Day>,
    pub sent: Vec<Sent>,
    /// Times today's order was carried out (B, retries): once, when handled idempotently.
    pub carried_out: u32,
}

#[derive(Clone, Debug)]
pub struct General {
    pub me: NodeId,
    pub day: u32,
    /// Distinct messages received today.
    pub received: u16,
    /// Positions (chain) or copies (retries) received today, for recognising repeats.
    seen: Vec<u16>,
    acked: bool,
}

fn send(ctx: &mut Ctx<'_, General>, msg: Msg, day: u32, seq: u16) {
    let loss = ctx.config().loss_ppm;
    let captured = ctx.rng().chance_ppm(loss);
    let d = ctx.durable_mut();
    if d.sent.len() >= MAX_SENT {
        d.sent.drain(..MAX_SENT / 2);
    }
    d.sent.push(Sent { day, seq, captured });
    let me = ctx.id();
    if captured {
        ctx.note(format!(
            "{}'s messenger {seq} of day {} is captured",
            node_name(me),
            day + 1
        ));
    } else {
        ctx.send(1 - me, msg);
    }
}

impl General {
    fn begin_day(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.received = 0;
        self.seen.clear();
        self.acked = false;
        ctx.durable_mut().carried_out = 0;
        ctx.set_timer(Timer::Dusk, ctx.config().day_us);
        if self.me == 0 {
            let day = self.day;
            match ctx.config().protocol {
                Kind::Chain => send(ctx, Msg::Chain { day, seq: 1 }, day, 1),
                Kind::Retries => {
                    send(ctx, Msg::Order { day, copy: 1 }, day, 1);
                    ctx.set_timer(Timer::Retry, ctx.config().retry_us);
                }
            }
        }
    }

    /// Counts a message once (`true` if it is new today).
    fn count(&mut self, seq: u16) -> bool {
        if self.seen.contains(&seq) {
            return false;
        }
        self.seen.push(seq);
        true
    }

    pub fn rule(&self, config: &Config) -> u16 {
        if self.me == 0 {
            config.rule_a
        } else {
            config.rule_b
        }
    }
}

impl Protocol for General {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = TwoGeneralsChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Chain message", "Order", "Acknowledgement"];
    const TIMER_NAMES: &'static [&'static str] = &["dusk", "resend"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Chain { .. } => 0,
            Msg::Order { .. } => 1,
            Msg::Ack { .. } => 2,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Chain { seq: 1, day } => format!("attack at dawn (day {})", day + 1),
            Msg::Chain { seq, .. } => format!("message {seq}: I got message {}", seq - 1),
            Msg::Order { copy, .. } => format!("attack at dawn (copy {copy})"),
            Msg::Ack { copy, .. } => format!("got copy {copy}"),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let mut g = General {
            me: ctx.id(),
            day: ctx.durable().days.len() as u32,
            received: 0,
            seen: Vec::new(),
            acked: false,
        };
        g.begin_day(ctx);
        g
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _from: NodeId, msg: Msg) {
        match msg {
            Msg::Chain { day, seq } if day == self.day && self.count(seq) => {
                self.received += 1;
                if seq < ctx.config().chain {
                    send(ctx, Msg::Chain { day, seq: seq + 1 }, day, seq + 1);
                }
            }
            Msg::Order { day, copy } if day == self.day => {
                // Every copy is acknowledged (the last acknowledgement may be lost); the
                // order itself is carried out once, unless the handler is broken.
                send(ctx, Msg::Ack { day, copy }, day, copy);
                let new = self.count(1);
                if new || ctx.config().bug == 1 {
                    ctx.durable_mut().carried_out += 1;
                }
                if new {
                    self.received += 1;
                }
            }
            Msg::Ack { day, .. } if day == self.day && !self.acked => {
                self.acked = true;
                self.received += 1;
                ctx.cancel_timer(Timer::Retry);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Retry => {
                if !self.acked {
                    let copy = ctx
                        .durable()
                        .sent
                        .iter()
                        .filter(|s| s.day == self.day)
                        .count() as u16
                        + 1;
                    let day = self.day;
                    send(ctx, Msg::Order { day, copy }, day, copy);
                    ctx.set_timer(Timer::Retry, ctx.config().retry_us);
                }
            }
            Timer::Dusk => {
                let attacked = self.received >= self.rule(ctx.config());
                ctx.durable_mut().days.push(Day {
                    received: self.received,
                    attacked,
                });
                ctx.note(format!(
                    "{} {} on day {} ({} received)",
                    node_name(self.me),
                    if attacked { "attacks" } else { "holds back" },
                    self.day + 1,
                    self.received
                ));
                ctx.cancel_timer(Timer::Retry);
                self.day += 1;
                self.begin_day(ctx);
            }
        }
    }

    fn state(&self, durable: &Durable, config: &Config) -> NodeState {
        let name = if self.me == 0 {
            "general A"
        } else {
            "general B"
        };
        let last = durable.days.last();
        NodeState {
            role: name.into(),
            tone: match last {
                Some(d) if d.attacked => Tone::Primary,
                Some(_) => Tone::Secondary,
                None => Tone::Idle,
            },
            headline: format!("day {}: {} received", self.day + 1, self.received),
            fields: vec![
                (
                    "rule".into(),
                    format!("attack if at least {} received", self.rule(config)),
                ),
                (
                    "sure the other attacks".into(),
                    match config.protocol {
                        Kind::Chain => super::odds::certainty(
                            config.chain,
                            f64::from(config.loss_ppm) / 1e6,
                            config.rule_a,
                            config.rule_b,
                            self.me,
                            self.received,
                        )
                        .map_or("—".into(), |c| {
                            format!("{:.1}% on what it holds", c * 100.0)
                        }),
                        Kind::Retries => "never fully".into(),
                    },
                ),
                (
                    "attacked on".into(),
                    format!(
                        "{} of {} days",
                        durable.days.iter().filter(|d| d.attacked).count(),
                        durable.days.len()
                    ),
                ),
            ],
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        _now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes)
    }

    fn down_state(_durable: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            ..NodeState::default()
        }
    }
}
