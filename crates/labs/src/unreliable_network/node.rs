//! The client (S1) and the server (S2). The client makes calls one after another; each
//! attempt is a request with a timeout, resent after a timeout if the retry policy says so,
//! with the call's idempotency key or without. The server queues requests, processes them
//! one at a time (a charge), and, given a key it has seen, answers from its key table
//! instead of charging again. Everything the client could observe goes into its history;
//! what really happened is on the server's log and in the replies that came too late.

use super::checks::RpcChecks;
use super::config::{Config, Retry};
use failscope_sim::ids::NodeId;
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

pub const CLIENT: NodeId = 0;
pub const SERVER: NodeId = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Request {
        call: u32,
        attempt: u16,
        key: Option<u32>,
    },
    /// `charge`: the charge this request produced (or, `replayed`, the one its key found).
    Reply {
        call: u32,
        attempt: u16,
        charge: u32,
        replayed: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Next,
    Timeout,
    Work,
}

/// What the client saw, the only events it can know of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saw {
    Sent,
    Reply { charge: u32 },
    Timeout,
    GaveUp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub at_mono: i64,
    pub call: u32,
    pub attempt: u16,
    pub saw: Saw,
}

/// What became of a request that reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Queued,
    Charged(u32),
    Replayed(u32),
    /// The server crashed before processing it.
    Lost,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub call: u32,
    pub attempt: u16,
    pub key: Option<u32>,
    pub at_mono: i64,
    pub done_mono: Option<i64>,
    pub outcome: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyEntry {
    pub key: u32,
    pub charge: u32,
    /// Later requests answered from this entry.
    pub replays: u16,
    /// Dropped by the deliberate bug.
    pub forgotten: bool,
}

/// A reply that reached the client: in time (accepted) or after it had given up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrived {
    pub call: u32,
    pub attempt: u16,
    pub at_mono: i64,
    pub in_time: bool,
}

/// The client's history and received replies; the server's request log, charges (the
/// call each was for) and key table. All survive a crash.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub history: Vec<Seen>,
    pub replies: Vec<Arrived>,
    pub arrivals: Vec<Arrival>,
    pub charges: Vec<u32>,
    pub keys: Vec<KeyEntry>,
}

#[derive(Clone, Debug)]
pub enum Rpc {
    Client {
        call: u32,
        attempt: u16,
        waiting: bool,
    },
    /// Indices into the request log, in arrival order.
    Server { queue: Vec<usize> },
}

fn try_name(call: u32, attempt: u16) -> String {
    format!("call {call} (try {attempt})")
}

impl Rpc {
    fn send(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Rpc::Client { call, attempt, .. } = *self else {
            return;
        };
        let key = (ctx.config().retry == Retry::WithKey).then_some(call);
        Self::saw(ctx, call, attempt, Saw::Sent);
        ctx.send(SERVER, Msg::Request { call, attempt, key });
        ctx.set_timer(Timer::Timeout, ctx.config().timeout_us);
    }

    fn saw(ctx: &mut Ctx<'_, Self>, call: u32, attempt: u16, saw: Saw) {
        let at_mono = ctx.monotonic_clock();
        ctx.durable_mut().history.push(Seen {
            at_mono,
            call,
            attempt,
            saw,
        });
    }

    fn client_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        let Rpc::Client {
            call,
            attempt,
            waiting,
        } = self
        else {
            return;
        };
        let config = ctx.config();
        let (retry, attempts, gap) = (config.retry, config.attempts, config.gap_us);
        match timer {
            Timer::Next if !*waiting && *call < ctx.config().calls => {
                *call += 1;
                *attempt = 1;
                *waiting = true;
                self.send(ctx);
            }
            Timer::Timeout if *waiting => {
                let (c, a) = (*call, *attempt);
                Self::saw(ctx, c, a, Saw::Timeout);
                if retry != Retry::None && a < attempts {
                    *attempt += 1;
                    ctx.mark(format!(
                        "S1 hears nothing about {}: it retries {}",
                        try_name(c, a),
                        if retry == Retry::WithKey {
                            format!("with the same key, k{c}")
                        } else {
                            "as a new request".into()
                        }
                    ));
                    self.send(ctx);
                } else {
                    *waiting = false;
                    Self::saw(ctx, c, a, Saw::GaveUp);
                    ctx.mark(format!(
                        "S1 times out on call {c} and gives up: it cannot tell whether it was charged"
                    ));
                    ctx.set_timer(Timer::Next, gap);
                }
            }
            _ => {}
        }
    }

    fn server_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Rpc::Server { queue } = self else { return };
        if queue.is_empty() {
            return;
        }
        let idx = queue.remove(0);
        let forgets = ctx.config().forgets_keys;
        let now = ctx.monotonic_clock();
        let d = ctx.durable_mut();
        let Some(&Arrival {
            call, attempt, key, ..
        }) = d.arrivals.get(idx)
        else {
            return;
        };
        let known = key.and_then(|k| d.keys.iter_mut().find(|e| e.key == k && !e.forgotten));
        let (outcome, charge, replayed) = match known {
            Some(entry) => {
                entry.replays += 1;
                (Outcome::Replayed(entry.charge), entry.charge, true)
            }
            None => {
                d.charges.push(call);
                let charge = d.charges.len() as u32;
                if let Some(key) = key {
                    d.keys.push(KeyEntry {
                        key,
                        charge,
                        replays: 0,
                        forgotten: forgets,
                    });
                }
                (Outcome::Charged(charge), charge, false)
            }
        };
        d.arrivals[idx].outcome = outcome;
        d.arrivals[idx].done_mono = Some(now);
        ctx.mark(if replayed {
            format!(
                "S2 finds key k{call} in its table: {} is answered with charge #{charge}, not charged again",
                try_name(call, attempt)
            )
        } else {
            format!("S2 charges the card for {}: charge #{charge}", try_name(call, attempt))
        });
        ctx.send(
            CLIENT,
            Msg::Reply {
                call,
                attempt,
                charge,
                replayed,
            },
        );
        if !queue.is_empty() {
            ctx.set_timer(Timer::Work, ctx.config().work_us);
        }
    }
}

impl Protocol for Rpc {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = RpcChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Request", "Reply"];
    const TIMER_NAMES: &'static [&'static str] = &["next call", "timeout", "processing"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Request { .. } => 0,
            Msg::Reply { .. } => 1,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        match *msg {
            Msg::Request { call, attempt, key } => format!(
                "charge, {}{}",
                try_name(call, attempt),
                key.map_or(String::new(), |k| format!(", key k{k}"))
            ),
            Msg::Reply { call, charge, .. } => format!("call {call}: charged, #{charge}"),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        if ctx.id() == SERVER {
            let now = ctx.monotonic_clock();
            let d = ctx.durable_mut();
            let lost: Vec<u32> = d
                .arrivals
                .iter_mut()
                .filter(|a| a.outcome == Outcome::Queued)
                .map(|a| {
                    a.outcome = Outcome::Lost;
                    a.done_mono = Some(now);
                    a.call
                })
                .collect();
            for call in lost {
                ctx.mark(format!(
                    "S2 restarts: the request for call {call} it had not yet processed died with it"
                ));
            }
            return Rpc::Server { queue: Vec::new() };
        }
        // A restarted client gives up on the call it was making.
        let last = ctx.durable().history.last().copied();
        let call = last.map_or(0, |s| s.call);
        if let Some(s) = last.filter(|s| !matches!(s.saw, Saw::Reply { .. } | Saw::GaveUp)) {
            Self::saw(ctx, s.call, s.attempt, Saw::GaveUp);
        }
        ctx.set_timer(
            Timer::Next,
            if call == 0 {
                100 * MS
            } else {
                ctx.config().gap_us
            },
        );
        Rpc::Client {
            call,
            attempt: 0,
            waiting: false,
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _from: NodeId, msg: Msg) {
        match (self, msg) {
            (Rpc::Server { queue }, Msg::Request { call, attempt, key }) => {
                let at_mono = ctx.monotonic_clock();
                let d = ctx.durable_mut();
                d.arrivals.push(Arrival {
                    call,
                    attempt,
                    key,
                    at_mono,
                    done_mono: None,
                    outcome: Outcome::Queued,
                });
                queue.push(d.arrivals.len() - 1);
                if queue.len() == 1 {
                    ctx.set_timer(Timer::Work, ctx.config().work_us);
                }
            }
            (
                Rpc::Client {
                    call: c,
                    attempt: a,
                    waiting,
                },
                Msg::Reply {
                    call,
                    attempt,
                    charge,
                    ..
                },
            ) => {
                let in_time = *waiting && (*c, *a) == (call, attempt);
                let at_mono = ctx.monotonic_clock();
                ctx.durable_mut().replies.push(Arrived {
                    call,
                    attempt,
                    at_mono,
                    in_time,
                });
                if in_time {
                    *waiting = false;
                    Self::saw(ctx, call, attempt, Saw::Reply { charge });
                    ctx.cancel_timer(Timer::Timeout);
                    ctx.mark(format!("S1 gets the reply to {}", try_name(call, attempt)));
                    ctx.set_timer(Timer::Next, ctx.config().gap_us);
                } else {
                    ctx.mark(format!(
                        "The reply to {} arrives after S1 stopped waiting for it: it is discarded",
                        try_name(call, attempt)
                    ));
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        if timer == Timer::Work {
            self.server_timer(ctx);
        } else {
            self.client_timer(ctx, timer);
        }
    }

    fn state(&self, d: &Durable, config: &Config) -> NodeState {
        match self {
            Rpc::Client {
                call,
                attempt,
                waiting,
            } => {
                let (tone, headline) = match d.history.last() {
                    _ if *waiting => (
                        Tone::Candidate,
                        format!("waiting: {}", try_name(*call, *attempt)),
                    ),
                    Some(Seen {
                        saw: Saw::GaveUp,
                        call,
                        ..
                    }) => (Tone::Suspect, format!("call {call}: timed out")),
                    Some(Seen {
                        saw: Saw::Reply { .. },
                        call,
                        ..
                    }) => (Tone::Secondary, format!("call {call}: ok")),
                    _ => (Tone::Idle, "idle".into()),
                };
                NodeState {
                    role: "client".into(),
                    tone,
                    headline,
                    fields: vec![
                        ("retries".into(), Retry::NAMES[config.retry as usize].into()),
                        ("guarantee".into(), config.retry.guarantee().into()),
                    ],
                }
            }
            Rpc::Server { queue } => NodeState {
                role: "server".into(),
                tone: Tone::Primary,
                headline: format!("{} charged", d.charges.len()),
                fields: vec![
                    ("queued".into(), queue.len().to_string()),
                    (
                        "keys".into(),
                        d.keys.iter().filter(|k| !k.forgotten).count().to_string(),
                    ),
                ],
            },
        }
    }

    fn down_state(d: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            fields: vec![("charges".into(), d.charges.len().to_string())],
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes, now)
    }
}
