//! The generals on the engine: the commander (S1) sends its order at once; a lieutenant
//! relays what it hears as the algorithm says and decides when its rounds are over (m + 2
//! rounds after the start: the algorithms assume a synchronous network, where a missing
//! message is noticed and read as retreat).

use super::checks::GeneralsChecks;
use super::config::{Algorithm, Config};
use super::general::{lie, orders, says, word, General, Out};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::Time;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// The generals the order passed through, the commander first.
    pub path: Vec<NodeId>,
    pub value: bool,
    /// With signatures: the chain does not match the value.
    pub forged: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Decide,
}

/// What survives a crash: the decision and the messages sent per round.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub decided: Option<bool>,
    pub sent_per_round: Vec<u64>,
}

#[derive(Clone, Debug)]
pub struct Generals {
    pub general: General,
    pub me: NodeId,
    /// This general's random-strategy key.
    pub key: u64,
}

fn send_all(ctx: &mut Ctx<'_, Generals>, outs: Vec<Out>) {
    for out in outs {
        let round = out.path.len() - 1;
        let sent = &mut ctx.durable_mut().sent_per_round;
        if sent.len() <= round {
            sent.resize(round + 1, 0);
        }
        sent[round] += 1;
        ctx.send(
            out.to,
            Msg {
                path: out.path,
                value: out.value,
                forged: out.forged,
            },
        );
    }
}

fn path_text(path: &[NodeId]) -> String {
    path.iter()
        .map(|&p| node_name(p))
        .collect::<Vec<_>>()
        .join("→")
}

impl Protocol for Generals {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = GeneralsChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Order", "Relayed order"];
    const TIMER_NAMES: &'static [&'static str] = &["decide"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        u8::from(msg.path.len() > 1)
    }

    fn timer_index(_timer: Timer) -> u8 {
        0
    }

    fn describe_message(msg: &Msg) -> String {
        let signed = if msg.forged {
            " (forged signature)"
        } else {
            ""
        };
        if msg.path.len() == 1 {
            format!("{}{signed}", word(msg.value))
        } else {
            format!("{} says {}{signed}", path_text(&msg.path), word(msg.value))
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let key = ctx.rng().next_u64();
        let me = ctx.id();
        if me == 0 {
            let mut outs = orders(ctx.config());
            let config = ctx.config();
            lie(config, 0, &mut outs, &mut |s, p, to, v| {
                says(config, s, key, p, to, v)
            });
            send_all(ctx, outs);
        } else if ctx.durable().decided.is_none() {
            let after = ctx.config().round_us * Time::from(ctx.config().rounds() + 1);
            ctx.set_timer(Timer::Decide, after);
        }
        Generals {
            general: General::default(),
            me,
            key,
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _from: NodeId, msg: Msg) {
        let me = ctx.id();
        if me == 0 || ctx.durable().decided.is_some() {
            return;
        }
        let rejected = self.general.rejected;
        let config = ctx.config();
        let mut outs = self
            .general
            .hear(config, me, msg.path.clone(), msg.value, msg.forged);
        let key = self.key;
        lie(config, me, &mut outs, &mut |s, p, to, v| {
            says(config, s, key, p, to, v)
        });
        if self.general.rejected > rejected {
            ctx.note(format!(
                "{} throws away “{}” from {}: the signatures do not match",
                node_name(me),
                word(msg.value),
                path_text(&msg.path)
            ));
        }
        send_all(ctx, outs);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _timer: Timer) {
        let me = ctx.id();
        let value = self.general.decide(ctx.config(), me);
        ctx.durable_mut().decided = Some(value);
        ctx.note(format!("{} decides {}", node_name(me), word(value)));
    }

    fn state(&self, durable: &Durable, config: &Config) -> NodeState {
        view(self.me, &self.general, durable, config)
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

/// The node's state as the views show it.
fn view(me: NodeId, general: &General, durable: &Durable, config: &Config) -> NodeState {
    let traitor = config.is_traitor(me);
    let role = match (me, traitor) {
        (0, false) => "commander",
        (0, true) => "traitor commander",
        (_, true) => "traitor",
        _ => "lieutenant",
    };
    let tone = if traitor {
        Tone::Faulty
    } else if me == 0 {
        Tone::Primary
    } else {
        Tone::Secondary
    };
    let headline = match (me, durable.decided) {
        (0, _) if !traitor => format!("orders {}", word(config.order)),
        (0, _) => "orders both ways".into(),
        (_, Some(v)) => format!("decided {}", word(v)),
        _ => format!("heard {}", general.heard.len()),
    };
    let mut fields = vec![
        ("orders heard".into(), general.heard.len().to_string()),
        (
            "messages sent".into(),
            durable.sent_per_round.iter().sum::<u64>().to_string(),
        ),
    ];
    if config.algorithm == Algorithm::Signed && me != 0 {
        fields.push(("forgeries thrown away".into(), general.rejected.to_string()));
    }
    NodeState {
        role: role.into(),
        tone,
        headline,
        fields,
    }
}
