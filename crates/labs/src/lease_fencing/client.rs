//! A client: takes the lock, then over and over checks its lease on its own clock, does a
//! piece of work and writes the result to storage with its token. It checks *before* the
//! work, as real code does, so a pause between the check and the write goes unnoticed: the
//! write goes out on a lease that expired while the client was frozen.

use super::config::LeaseClock;
use super::node::{Lease, Msg, Timer};
use crate::fencing::{self, Reply};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::protocol::Ctx;
use failscope_sim::time::format_duration;

/// A stretch during which a client believed it held the lock, on its monotonic clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Belief {
    pub attempt: u32,
    pub token: u64,
    pub from_mono: i64,
    pub to_mono: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not holding the lock and not asking (before its start, or between tries).
    Idle,
    Asking {
        /// Its lease clock when it asked: the lease is counted from here, to be safe.
        asked_at: i64,
        granted: Vec<u64>,
        answered: u16,
    },
    Holding {
        token: u64,
        /// When the lease ends, on the client's lease clock.
        deadline: i64,
    },
}

#[derive(Clone, Debug)]
pub struct Client {
    pub phase: Phase,
    pub attempt: u32,
}

fn lease_clock(ctx: &Ctx<'_, Lease>) -> i64 {
    match ctx.config().clock {
        LeaseClock::Wall => ctx.wall_clock(),
        LeaseClock::Monotonic => ctx.monotonic_clock(),
    }
}

impl Client {
    pub fn start(ctx: &mut Ctx<'_, Lease>) -> Client {
        // A restart forgets the lease: the belief it was in ends here.
        end_belief(ctx);
        let first = ctx.config().start_every_us * u64::from(ctx.id());
        ctx.set_timer(Timer::Next, first);
        Client {
            phase: Phase::Idle,
            attempt: ctx.durable().beliefs.last().map_or(0, |b| b.attempt),
        }
    }

    /// Whether the client believes, right now, that it holds the lock.
    pub fn believes(&self) -> bool {
        matches!(self.phase, Phase::Holding { .. })
    }

    fn ask(&mut self, ctx: &mut Ctx<'_, Lease>) {
        self.attempt += 1;
        let attempt = self.attempt;
        self.phase = Phase::Asking {
            asked_at: lease_clock(ctx),
            granted: Vec::new(),
            answered: 0,
        };
        for lock in ctx.config().locks() {
            ctx.send(lock, Msg::Acquire { attempt });
        }
        let wait = ctx.config().retry_us / 2;
        ctx.set_timer(Timer::GiveUp, wait);
    }

    /// Not enough grants: hand back the ones it got and try again later.
    fn give_up(&mut self, ctx: &mut Ctx<'_, Lease>) {
        let attempt = self.attempt;
        for lock in ctx.config().locks() {
            ctx.send(lock, Msg::Release { attempt });
        }
        self.phase = Phase::Idle;
        let retry = ctx.config().retry_us;
        ctx.set_timer(Timer::Next, retry);
    }

    fn on_answer(&mut self, ctx: &mut Ctx<'_, Lease>, attempt: u32, token: Option<u64>) {
        let config = ctx.config();
        let (majority, n_locks, ttl) = (config.majority(), config.n_locks, config.ttl_us as i64);
        let Phase::Asking {
            asked_at,
            granted,
            answered,
        } = &mut self.phase
        else {
            return;
        };
        if attempt != self.attempt {
            return;
        }
        *answered += 1;
        granted.extend(token);
        if granted.len() as u16 >= majority {
            // Redlock's servers count separately; the highest of a majority's tokens is
            // used (in these scenarios it grows with each grant; Redlock does not promise it).
            let token = granted.iter().copied().max().unwrap_or(0);
            let deadline = *asked_at + ttl;
            self.hold(ctx, token, deadline);
        } else if *answered == n_locks {
            self.give_up(ctx);
        }
    }

    fn hold(&mut self, ctx: &mut Ctx<'_, Lease>, token: u64, deadline: i64) {
        ctx.cancel_timer(Timer::GiveUp);
        self.phase = Phase::Holding { token, deadline };
        let (attempt, from_mono) = (self.attempt, ctx.monotonic_clock());
        let beliefs = &mut ctx.durable_mut().beliefs;
        if beliefs.len() == 512 {
            beliefs.remove(0);
        }
        beliefs.push(Belief {
            attempt,
            token,
            from_mono,
            to_mono: None,
        });
        let ttl = ctx.config().ttl_us;
        ctx.mark(format!(
            "{} takes the lock with token {token}, for {}",
            node_name(ctx.id()),
            format_duration(ttl)
        ));
        self.check(ctx);
    }

    /// Look at the clock: still within the lease? Then do the work (and write after it);
    /// else ask for the lock again.
    fn check(&mut self, ctx: &mut Ctx<'_, Lease>) {
        let Phase::Holding { deadline, .. } = self.phase else {
            return;
        };
        if lease_clock(ctx) < deadline {
            let work = ctx.config().work_us;
            ctx.set_timer(Timer::Write, work);
            return;
        }
        end_belief(ctx);
        ctx.narrate(format!(
            "{}'s clock says its lease is over; it asks for the lock again",
            node_name(ctx.id())
        ));
        self.ask(ctx);
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_, Lease>, timer: Timer) {
        match timer {
            Timer::Next if self.phase == Phase::Idle => self.ask(ctx),
            Timer::GiveUp if matches!(self.phase, Phase::Asking { .. }) => self.give_up(ctx),
            Timer::Write => {
                // No second look at the clock: the check was before the work.
                if let Phase::Holding { token, .. } = self.phase {
                    let storage = ctx.config().storage();
                    ctx.send(storage, Msg::Write { token });
                    self.check(ctx);
                }
            }
            _ => {}
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_, Lease>, _from: NodeId, msg: Msg) {
        match msg {
            Msg::Granted { attempt, token } => self.on_answer(ctx, attempt, Some(token)),
            Msg::Busy { attempt } => self.on_answer(ctx, attempt, None),
            Msg::Storage(Reply::Stale { token, highest }) => {
                ctx.mark(fencing::refusal(ctx.id(), token, highest));
                if matches!(self.phase, Phase::Holding { token: t, .. } if t == token) {
                    // Storage knows of a newer holder: this lease is over, whatever the clock says.
                    end_belief(ctx);
                    ctx.cancel_timer(Timer::Write);
                    self.phase = Phase::Idle;
                    let retry = ctx.config().retry_us;
                    ctx.set_timer(Timer::Next, retry);
                }
            }
            _ => {}
        }
    }
}

fn end_belief(ctx: &mut Ctx<'_, Lease>) {
    let now = ctx.monotonic_clock();
    if let Some(b) = ctx
        .durable_mut()
        .beliefs
        .last_mut()
        .filter(|b| b.to_mono.is_none())
    {
        b.to_mono = Some(now);
    }
}
