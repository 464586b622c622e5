//! The protocol. S1 either orchestrates (sends each service its step, logs every reply, and
//! after a failure sends the compensations in reverse order, retrying until each is
//! acknowledged) or, in choreography, only asks for a trip and hears the end: each service
//! then reacts to its neighbour's events (booked: do the next step; failed or cancelled:
//! cancel mine and tell the one before). S5 reads the hotel's room now and then.

use super::checks::SagaChecks;
use super::config::{Bug, Config, FIRST_SERVICE, HOTEL, READER, STEPS};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::Time;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Do your step (orchestration), or: the trip is requested (choreography, to the flight).
    Do {
        step: u8,
    },
    /// A step is booked: to the orchestrator, or as an event to the next service.
    Done {
        step: u8,
    },
    Failed {
        step: u8,
    },
    /// Cancel your step, idempotently.
    Undo {
        step: u8,
    },
    /// A step is cancelled: to the orchestrator, or as an event to the previous service.
    Undone {
        step: u8,
    },
    UndoFailed {
        step: u8,
    },
    /// The saga completed: bookings are final.
    Confirm,
    Read,
    ReadReply {
        room: Room,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Room {
    Free,
    Pending,
    Booked,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Start,
    Retry,
    Work,
    RetryUndo,
    Read,
}

/// What happened at a service, for the picture and the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Booked,
    Failed,
    Refunded,
    CancelFailed,
    /// A repeated cancellation recognised by its key and not applied again.
    Repeat,
}

/// The saga log (S1) and each service's record; survives crashes.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub started: Option<i64>,
    pub done: Vec<u8>,
    pub failed: Option<(u8, i64)>,
    pub undone: Vec<u8>,
    pub ended: Option<(bool, i64)>,
    pub events: Vec<(i64, Event)>,
    pub cancel_attempts: u32,
    pub confirmed: bool,
    /// S5: when it first read the room as booked.
    pub saw_booked: Option<i64>,
    pub saw_pending: bool,
}

impl Durable {
    pub fn count(&self, event: Event) -> usize {
        self.events.iter().filter(|e| e.1 == event).count()
    }
    pub fn booked(&self) -> bool {
        self.count(Event::Booked) > 0
    }
    pub fn refunds(&self) -> usize {
        self.count(Event::Refunded)
    }
}

#[derive(Clone, Debug)]
pub enum Saga {
    Runner,
    Service { step: u8, working: bool },
    Reader,
}

fn name(step: u8) -> &'static str {
    STEPS[usize::from(step)]
}

impl Saga {
    /// Orchestration: the next message the log calls for, sent with a retry.
    fn advance(&mut self, ctx: &mut Ctx<'_, Self>) {
        let d = ctx.durable();
        if d.ended.is_some() {
            return;
        }
        let (to, msg) = if d.failed.is_none() {
            let step = d.done.len() as u8;
            if step == 3 {
                return end(ctx, true);
            }
            (step, Msg::Do { step })
        } else {
            let stops = ctx.config().bug == Bug::StopsEarly && !d.undone.is_empty();
            match d.done.iter().rev().find(|s| !d.undone.contains(s)) {
                Some(&step) if !stops => (step, Msg::Undo { step }),
                _ => return end(ctx, false),
            }
        };
        ctx.send(Config::service(to), msg);
        let retry = ctx.config().retry_us;
        ctx.set_timer(Timer::Retry, retry);
    }

    fn runner_message(&mut self, ctx: &mut Ctx<'_, Self>, msg: Msg) {
        let choreography = ctx.config().choreography;
        let now = ctx.monotonic_clock();
        let d = ctx.durable_mut();
        match msg {
            Msg::Done { step } if choreography && step == 2 => return end(ctx, true),
            Msg::Undone { step: 0 } | Msg::Failed { step: 0 } if choreography => {
                d.failed.get_or_insert((0, now));
                return end(ctx, false);
            }
            _ if choreography => return,
            Msg::Done { step } if d.failed.is_none() && usize::from(step) == d.done.len() => {
                d.done.push(step)
            }
            Msg::Failed { step } if d.failed.is_none() => {
                d.failed = Some((step, now));
                ctx.mark(format!(
                    "the {} booking failed: S1 compensates the steps done, last first",
                    name(step)
                ));
            }
            Msg::Undone { step } if !d.undone.contains(&step) => d.undone.push(step),
            Msg::UndoFailed { step } => {
                ctx.narrate(format!(
                    "cancelling the {} failed; S1 will try again",
                    name(step)
                ));
                return;
            }
            _ => return,
        }
        self.advance(ctx);
    }

    fn service_work(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Saga::Service { step, working } = self else {
            return;
        };
        let step = *step;
        *working = false;
        let config = ctx.config();
        let (fails, choreography) = (config.failing == Some(step), config.choreography);
        let me = ctx.id();
        let now = ctx.monotonic_clock();
        let event = if fails { Event::Failed } else { Event::Booked };
        ctx.durable_mut().events.push((now, event));
        let (to, msg) = match (fails, choreography) {
            (false, false) => (0, Msg::Done { step }),
            (true, false) => (0, Msg::Failed { step }),
            // Choreography: booked → tell the next service (or S1 after the car);
            // failed → tell the previous one (or S1 if the flight failed).
            (false, true) if step == 2 => (0, Msg::Done { step }),
            (false, true) => (me + 1, Msg::Done { step }),
            (true, true) => (previous(me), Msg::Failed { step }),
        };
        ctx.mark(format!(
            "{} {} the {}",
            node_name(me),
            if fails { "fails to book" } else { "books" },
            name(step)
        ));
        ctx.send(to, msg);
    }

    /// Cancel this service's booking, once per key; then tell whoever asked.
    fn compensate(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId) {
        let Saga::Service { step, .. } = *self else {
            return;
        };
        let me = ctx.id();
        let config = ctx.config();
        let (choreography, failures, retry) =
            (config.choreography, config.cancel_failures, config.retry_us);
        let not_idempotent = config.bug == Bug::NotIdempotent;
        let now = ctx.monotonic_clock();
        let d = ctx.durable_mut();
        if !d.booked() {
            return;
        }
        d.cancel_attempts += 1;
        let reply_to = if choreography { previous(me) } else { from };
        if me == HOTEL && d.cancel_attempts <= failures {
            d.events.push((now, Event::CancelFailed));
            ctx.mark(format!(
                "{} fails to cancel the {}",
                node_name(me),
                name(step)
            ));
            if choreography {
                ctx.set_timer(Timer::RetryUndo, retry);
            } else {
                ctx.send(reply_to, Msg::UndoFailed { step });
            }
            return;
        }
        if d.refunds() > 0 && !not_idempotent {
            d.events.push((now, Event::Repeat));
            ctx.mark(format!(
                "{} has already cancelled booking {}: nothing to do",
                node_name(me),
                key(step)
            ));
        } else {
            d.events.push((now, Event::Refunded));
            ctx.mark(format!(
                "{} cancels the {} and refunds it",
                node_name(me),
                name(step)
            ));
        }
        ctx.send(reply_to, Msg::Undone { step });
    }

    fn service_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let Saga::Service { step, working } = self else {
            return;
        };
        let (step, choreography) = (*step, ctx.config().choreography);
        let d = ctx.durable();
        match msg {
            // Orchestration: my step; choreography: my turn (the flight's is the request).
            Msg::Do { .. } | Msg::Done { .. } => {
                if d.booked() || d.count(Event::Failed) > 0 {
                    // A repeated request (a retry): answer as before.
                    if !choreography {
                        let reply = if d.booked() {
                            Msg::Done { step }
                        } else {
                            Msg::Failed { step }
                        };
                        ctx.send(0, reply);
                    }
                } else if !*working {
                    *working = true;
                    let work = ctx.config().work_us;
                    ctx.set_timer(Timer::Work, work);
                }
            }
            Msg::Undo { .. } | Msg::Failed { .. } | Msg::Undone { .. } => {
                self.compensate(ctx, from)
            }
            Msg::Confirm => ctx.durable_mut().confirmed = true,
            Msg::Read => {
                let room = match (d.booked() && d.refunds() == 0, ctx.config().semantic_lock) {
                    (false, _) => Room::Free,
                    (true, true) if !d.confirmed => Room::Pending,
                    (true, _) => Room::Booked,
                };
                ctx.send(from, Msg::ReadReply { room });
            }
            _ => {}
        }
    }
}

/// Booking keys: one per saga and step (this lab runs saga 1).
fn key(step: u8) -> String {
    format!("saga1-{}", name(step))
}

fn previous(me: NodeId) -> NodeId {
    if me == FIRST_SERVICE {
        0
    } else {
        me - 1
    }
}

fn end(ctx: &mut Ctx<'_, Saga>, completed: bool) {
    let now = ctx.monotonic_clock();
    ctx.durable_mut().ended = Some((completed, now));
    ctx.cancel_timer(Timer::Retry);
    if completed {
        for step in 0..3 {
            ctx.send(Config::service(step), Msg::Confirm);
        }
        ctx.mark("the saga completed: flight, hotel and car are booked");
    } else {
        ctx.mark("the saga is over: every step done has been compensated");
    }
}

impl Protocol for Saga {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = SagaChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &[
        "Book",
        "Booked",
        "Booking failed",
        "Cancel",
        "Cancelled",
        "Cancel failed",
        "Confirm",
        "Read",
        "Read reply",
    ];
    const TIMER_NAMES: &'static [&'static str] =
        &["start", "retry", "work done", "retry cancel", "read"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Do { .. } => 0,
            Msg::Done { .. } => 1,
            Msg::Failed { .. } => 2,
            Msg::Undo { .. } => 3,
            Msg::Undone { .. } => 4,
            Msg::UndoFailed { .. } => 5,
            Msg::Confirm => 6,
            Msg::Read => 7,
            Msg::ReadReply { .. } => 8,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Do { step } => format!("book the {}", name(*step)),
            Msg::Done { step } => format!("{} booked", name(*step)),
            Msg::Failed { step } => format!("{} booking failed", name(*step)),
            Msg::Undo { step } => format!("cancel {}", key(*step)),
            Msg::Undone { step } => format!("{} cancelled", name(*step)),
            Msg::UndoFailed { step } => format!("could not cancel the {}", name(*step)),
            Msg::Confirm => "the trip is confirmed".into(),
            Msg::Read => "is the room taken?".into(),
            Msg::ReadReply { room } => match room {
                Room::Free => "the room is free",
                Room::Pending => "the room is pending",
                Room::Booked => "the room is booked",
            }
            .into(),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let me = ctx.id();
        if let Some(step) = Config::step_of(me) {
            return Saga::Service {
                step,
                working: false,
            };
        }
        if me == READER {
            let every = ctx.config().read_every_us;
            if every > 0 {
                ctx.set_timer(Timer::Read, every);
            }
            return Saga::Reader;
        }
        let choreography = ctx.config().choreography;
        let d = ctx.durable();
        let mut runner = Saga::Runner;
        if d.started.is_none() {
            ctx.set_timer(Timer::Start, 100_000);
        } else if !choreography {
            // Back from a crash: the log says where the saga stands.
            runner.advance(ctx);
        }
        runner
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match self {
            Saga::Runner => self.runner_message(ctx, msg),
            Saga::Service { .. } => self.service_message(ctx, from, msg),
            Saga::Reader => {
                let now = ctx.monotonic_clock();
                let d = ctx.durable_mut();
                match msg {
                    Msg::ReadReply { room: Room::Booked } if d.saw_booked.is_none() => {
                        d.saw_booked = Some(now);
                        ctx.mark("S5 reads the hotel room as booked");
                    }
                    Msg::ReadReply {
                        room: Room::Pending,
                    } if !d.saw_pending => {
                        d.saw_pending = true;
                        ctx.mark("S5 reads the hotel room as pending: not yet a booking");
                    }
                    _ => {}
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match (timer, &*self) {
            (Timer::Start, Saga::Runner) => {
                let now = ctx.monotonic_clock();
                ctx.durable_mut().started = Some(now);
                if ctx.config().choreography {
                    ctx.send(FIRST_SERVICE, Msg::Do { step: 0 });
                } else {
                    self.advance(ctx);
                }
            }
            (Timer::Retry, Saga::Runner) => self.advance(ctx),
            (Timer::Work, Saga::Service { .. }) => self.service_work(ctx),
            (Timer::RetryUndo, Saga::Service { .. }) => self.compensate(ctx, 0),
            (Timer::Read, Saga::Reader) => {
                // Reading can be switched off mid-run (0): then the timer lapses.
                let every = ctx.config().read_every_us;
                if every > 0 {
                    ctx.send(HOTEL, Msg::Read);
                    ctx.set_timer(Timer::Read, every);
                }
            }
            _ => {}
        }
    }

    fn state(&self, d: &Durable, config: &Config) -> NodeState {
        let (role, tone, headline) = match self {
            Saga::Runner => {
                let role = if config.choreography {
                    "customer"
                } else {
                    "orchestrator"
                };
                let (tone, headline) = match (d.ended, d.failed) {
                    (Some((true, _)), _) => (Tone::Primary, "trip booked".into()),
                    (Some((false, _)), _) => (Tone::Secondary, "compensated".into()),
                    (None, Some((s, _))) => (Tone::Suspect, format!("{} failed: undoing", name(s))),
                    (None, None) if d.started.is_some() => {
                        (Tone::Candidate, format!("{} of 3 booked", d.done.len()))
                    }
                    _ => (Tone::Idle, "waiting".into()),
                };
                (role, tone, headline)
            }
            Saga::Service { step, .. } => {
                let (tone, headline) = if d.refunds() > 1 {
                    (Tone::Faulty, format!("refunded {} times", d.refunds()))
                } else if d.refunds() == 1 {
                    (Tone::Idle, "cancelled".into())
                } else if d.booked() {
                    (
                        Tone::Primary,
                        if config.semantic_lock && !d.confirmed {
                            "pending"
                        } else {
                            "booked"
                        }
                        .into(),
                    )
                } else if d.count(Event::Failed) > 0 {
                    (Tone::Faulty, "booking failed".into())
                } else {
                    (Tone::Idle, "free".into())
                };
                (name(*step), tone, headline)
            }
            Saga::Reader => (
                "reader",
                Tone::Idle,
                match (d.saw_booked, d.saw_pending) {
                    (Some(_), _) => "saw it booked".into(),
                    (None, true) => "saw it pending".into(),
                    _ if config.read_every_us == 0 => "not reading".into(),
                    _ => "reading".into(),
                },
            ),
        };
        NodeState {
            role: role.into(),
            tone,
            headline,
            fields: vec![("cancel attempts".into(), d.cancel_attempts.to_string())],
        }
    }

    fn down_state(_d: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            ..NodeState::default()
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
