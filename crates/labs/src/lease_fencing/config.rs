//! The lab's settings: the node layout (clients, then lock servers, then storage), the
//! lease's length, which clock a client trusts, and whether storage checks tokens.

use crate::fencing::Fencing;
use failscope_sim::ids::NodeId;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// The clock a client reads to decide whether its lease is still valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaseClock {
    /// Can be stepped by NTP, backwards included.
    Wall,
    /// Never jumps, but drifts with the hardware and keeps counting through a pause.
    Monotonic,
}

impl LeaseClock {
    pub const NAMES: &'static [&'static str] = &["wall clock", "monotonic clock"];
}

pub const BUG_NAMES: &[&str] = &["none", "storage keeps the highest token per writer"];

#[derive(Clone, Debug)]
pub struct Config {
    pub n_clients: u16,
    pub n_locks: u16,
    pub ttl_us: Time,
    /// Between checking the lease and writing: the work the lock protects.
    pub work_us: Time,
    /// How long a client waits before asking again when the lock is taken.
    pub retry_us: Time,
    /// Client i first asks for the lock at i times this.
    pub start_every_us: Time,
    pub clock: LeaseClock,
    pub fencing: Fencing,
    /// The token of the first grant (the seeds' story starts at 33).
    pub first_token: u64,
}

impl Config {
    pub fn is_client(&self, node: NodeId) -> bool {
        node < self.n_clients
    }

    pub fn is_lock(&self, node: NodeId) -> bool {
        (self.n_clients..self.n_clients + self.n_locks).contains(&node)
    }

    pub fn locks(&self) -> std::ops::Range<NodeId> {
        self.n_clients..self.n_clients + self.n_locks
    }

    pub fn storage(&self) -> NodeId {
        self.n_clients + self.n_locks
    }

    /// Grants a client needs: one lock service, or a majority of Redlock's servers.
    pub fn majority(&self) -> u16 {
        self.n_locks / 2 + 1
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let ms = |key: &str, default: i64| get(key, default) as Time * MS;
        let n_locks = get("lock_servers", 1) as u16;
        let fencing = match (get("fencing", 1), get(failscope_sim::lab::BUG_PARAM, 0)) {
            (0, _) => Fencing::Off,
            (_, 1) => Fencing::PerWriter,
            _ => Fencing::On,
        };
        let config = Config {
            n_clients: n_nodes.saturating_sub(n_locks + 1),
            n_locks,
            ttl_us: ms("ttl_ms", 10_000),
            work_us: ms("work_ms", 500),
            retry_us: ms("retry_ms", 1_000),
            start_every_us: ms("start_every_ms", 11_000),
            clock: if get("lease_clock", 1) == 0 {
                LeaseClock::Wall
            } else {
                LeaseClock::Monotonic
            },
            fencing,
            first_token: get("first_token", 33) as u64,
        };
        if config.n_clients < 2 {
            return Err(format!(
                "with {n_locks} lock server(s) this lab needs at least {} servers: two clients, the lock servers and storage",
                n_locks + 3
            ));
        }
        Ok(config)
    }
}
