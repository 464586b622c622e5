//! A lock server: grants the lock to one client at a time for a fixed time to live, each
//! grant with the next token. Expiry is judged on the server's own wall clock (as Redis
//! does), so a clock that jumps forward ends a lease early. With several servers, a client
//! needs a majority of them (Redlock).

use super::node::{Lease, Msg, Timer};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::protocol::Ctx;
use failscope_sim::time::{Time, MS};

/// How often a server looks for expired leases (for the picture and the event log; a
/// request is always judged on the clock at that moment).
pub const SWEEP_US: Time = 100 * MS;

/// One grant, as the server recorded it on its monotonic clock (for the picture).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub client: NodeId,
    pub attempt: u32,
    pub token: u64,
    pub from_mono: i64,
    pub to_mono: Option<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct LockDisk {
    /// Tokens already handed out (the next grant gets `first_token + issued`).
    pub issued: u64,
    pub history: Vec<Held>,
}

#[derive(Clone, Debug, Default)]
pub struct LockServer {
    /// The current grant and when it expires on this server's wall clock.
    pub grant: Option<(Held, i64)>,
    /// When the grant was last seen valid (monotonic clock): an expiry noticed at a sweep
    /// happened after this.
    seen_valid: i64,
}

impl LockServer {
    pub fn start(ctx: &mut Ctx<'_, Lease>) -> LockServer {
        ctx.set_timer(Timer::Sweep, SWEEP_US);
        LockServer::default()
    }

    fn expire_if_due(&mut self, ctx: &mut Ctx<'_, Lease>) {
        let Some((held, until)) = self.grant else {
            return;
        };
        let (wall, mono) = (ctx.wall_clock(), ctx.monotonic_clock());
        if wall < until {
            self.seen_valid = mono;
            return;
        }
        self.grant = None;
        // When the wall clock passed `until`, unless it jumped past it since the last look.
        let ended = (mono - (wall - until)).max(self.seen_valid);
        if let Some(h) = ctx
            .durable_mut()
            .lock
            .history
            .iter_mut()
            .rev()
            .find(|h| **h == held)
        {
            h.to_mono = Some(ended);
        }
        ctx.narrate(format!(
            "{}: {}'s lease (token {}) has expired",
            node_name(ctx.id()),
            node_name(held.client),
            held.token
        ));
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_, Lease>) {
        self.expire_if_due(ctx);
        ctx.set_timer(Timer::Sweep, SWEEP_US);
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_, Lease>, from: NodeId, msg: Msg) {
        self.expire_if_due(ctx);
        match msg {
            Msg::Acquire { attempt } if self.grant.is_none() => {
                let config = ctx.config();
                let (ttl, first) = (config.ttl_us as i64, config.first_token);
                let until = ctx.wall_clock() + ttl;
                let from_mono = ctx.monotonic_clock();
                let disk = &mut ctx.durable_mut().lock;
                let token = first + disk.issued;
                disk.issued += 1;
                let held = Held {
                    client: from,
                    attempt,
                    token,
                    from_mono,
                    to_mono: None,
                };
                if disk.history.len() == 1_024 {
                    disk.history.remove(0);
                }
                disk.history.push(held);
                self.grant = Some((held, until));
                self.seen_valid = from_mono;
                ctx.send(from, Msg::Granted { attempt, token });
            }
            Msg::Acquire { attempt } => ctx.send(from, Msg::Busy { attempt }),
            Msg::Release { attempt }
                if self
                    .grant
                    .is_some_and(|(h, _)| h.client == from && h.attempt == attempt) =>
            {
                // Handed back early: it ends now.
                let now = ctx.wall_clock();
                if let Some((_, end)) = self.grant.as_mut() {
                    *end = now;
                }
                self.expire_if_due(ctx);
            }
            _ => {}
        }
    }
}
