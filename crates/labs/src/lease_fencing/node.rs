//! The protocol shared by the lab's three kinds of node: clients (`client`), lock servers
//! (`lock`) and storage (the shared `crate::fencing::Disk`).

use super::checks::LeaseChecks;
use super::client::{Belief, Client};
use super::config::Config;
use super::lock::{LockDisk, LockServer};
use crate::fencing::{self, Disk, Reply};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{format_duration, Time};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Acquire {
        attempt: u32,
    },
    Granted {
        attempt: u32,
        token: u64,
    },
    Busy {
        attempt: u32,
    },
    Release {
        attempt: u32,
    },
    Write {
        token: u64,
    },
    /// Storage's answer.
    Storage(Reply),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A client's next step: its first request, or a retry.
    Next,
    /// A client stops waiting for lock servers' answers.
    GiveUp,
    /// A client's work is done: write.
    Write,
    /// A lock server looks for expired leases.
    Sweep,
}

/// What survives a crash: a client's beliefs (for the picture), a lock server's tokens and
/// grants, storage's disk.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub beliefs: Vec<Belief>,
    pub lock: LockDisk,
    pub disk: Disk,
}

#[derive(Clone, Debug)]
pub enum Lease {
    Client(Client),
    Lock(LockServer),
    Storage,
}

impl Lease {
    pub fn client(&self) -> Option<&Client> {
        match self {
            Lease::Client(c) => Some(c),
            _ => None,
        }
    }
}

impl Protocol for Lease {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = LeaseChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &[
        "Lock request",
        "Lock granted",
        "Lock busy",
        "Lock release",
        "Write",
        "Storage reply",
    ];
    const TIMER_NAMES: &'static [&'static str] =
        &["next step", "stop waiting", "work done", "expiry sweep"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Acquire { .. } => 0,
            Msg::Granted { .. } => 1,
            Msg::Busy { .. } => 2,
            Msg::Release { .. } => 3,
            Msg::Write { .. } => 4,
            Msg::Storage(_) => 5,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Acquire { attempt } => format!("may I have the lock? (try {attempt})"),
            Msg::Granted { token, .. } => format!("yes, token {token}"),
            Msg::Busy { .. } => "no, someone holds it".into(),
            Msg::Release { .. } => "I give it back".into(),
            Msg::Write { token } => format!("write with token {token}"),
            Msg::Storage(reply) => reply.describe(),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let me = ctx.id();
        let config = ctx.config();
        if config.is_client(me) {
            Lease::Client(Client::start(ctx))
        } else if config.is_lock(me) {
            Lease::Lock(LockServer::start(ctx))
        } else {
            Lease::Storage
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match self {
            Lease::Client(c) => c.on_message(ctx, from, msg),
            Lease::Lock(l) => l.on_message(ctx, from, msg),
            Lease::Storage => {
                if let Msg::Write { token } = msg {
                    let fencing = ctx.config().fencing;
                    let reply = fencing::serve_write(ctx, |d| &mut d.disk, fencing, from, token);
                    ctx.send(from, Msg::Storage(reply));
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match self {
            Lease::Client(c) => c.on_timer(ctx, timer),
            Lease::Lock(l) => l.on_timer(ctx),
            Lease::Storage => {}
        }
    }

    fn state(&self, durable: &Durable, config: &Config) -> NodeState {
        match self {
            Lease::Client(c) => {
                let (role, tone, headline) = match &c.phase {
                    super::client::Phase::Holding { token, .. } => {
                        ("holds the lock", Tone::Primary, format!("token {token}"))
                    }
                    super::client::Phase::Asking { .. } => {
                        ("asking", Tone::Candidate, "wants the lock".into())
                    }
                    super::client::Phase::Idle => ("client", Tone::Secondary, "waiting".into()),
                };
                NodeState {
                    role: role.into(),
                    tone,
                    headline,
                    fields: vec![
                        ("lease".into(), format_duration(config.ttl_us)),
                        (
                            "checks its lease on".into(),
                            super::config::LeaseClock::NAMES[config.clock as usize].into(),
                        ),
                        ("tries".into(), c.attempt.to_string()),
                    ],
                }
            }
            Lease::Lock(l) => NodeState {
                role: "lock service".into(),
                tone: Tone::Idle,
                headline: match l.grant {
                    Some((held, _)) => format!("{}: token {}", node_name(held.client), held.token),
                    None => "free".into(),
                },
                fields: vec![
                    ("grants so far".into(), durable.lock.issued.to_string()),
                    (
                        "next token".into(),
                        (config.first_token + durable.lock.issued).to_string(),
                    ),
                ],
            },
            Lease::Storage => NodeState {
                role: "storage".into(),
                tone: Tone::Secondary,
                headline: durable.disk.headline(config.fencing),
                fields: durable.disk.fields(config.fencing),
            },
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
}
