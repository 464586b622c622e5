//! The lab's settings: what the nodes do (random messages, one relay round the ring, a
//! last-write-wins register, TrueTime commits), how often, the timeout measured on both
//! clocks, TrueTime's ε and commit-wait, and the deliberate bug.

use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Each node does local events and sends to random peers; every event is stamped.
    Messages,
    /// S1 does a local event and sends; each receiver does a local event and passes it on;
    /// it ends when the message is back at S1.
    Relay,
    /// Every node writes one register at a steady pace; replicas keep the write with the
    /// highest wall-clock stamp.
    LastWriteWins,
    /// Every node commits transactions stamped with TrueTime's `latest`.
    TrueTime,
}

impl Mode {
    pub const NAMES: &'static [&'static str] = &[
        "random messages",
        "one relay round the ring",
        "last-write-wins register",
        "TrueTime commits",
    ];
    pub fn stamps(self) -> bool {
        matches!(self, Mode::Messages | Mode::Relay)
    }
}

pub const BUG_NAMES: &[&str] = &[
    "none",
    "a receive keeps the receiver's Lamport time",
    "a receive does not merge the sender's vector",
    "the hybrid clock follows the wall clock",
    "commit-wait ignores ε",
];
pub const BUG_LAMPORT: u8 = 1;
pub const BUG_VECTOR: u8 = 2;
pub const BUG_HLC: u8 = 3;
pub const BUG_COMMIT_WAIT: u8 = 4;

#[derive(Clone, Debug)]
pub struct Config {
    pub mode: Mode,
    pub n_nodes: u16,
    /// Mean gap between a node's events (writes, commits).
    pub every_us: Time,
    /// Chance an event in random-messages mode is a send.
    pub send_ppm: u32,
    /// A timeout armed on both clocks, re-armed when it fires (0: none).
    pub timeout_us: Time,
    pub epsilon_us: i64,
    pub commit_wait: bool,
    /// How often each node samples its clocks for the picture.
    pub sample_us: Time,
    /// The stamps the space-time diagram shows first (Lamport, vector, HLC).
    pub show: u8,
    pub bug: u8,
}

impl Config {
    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let mode = match get("mode", 0) {
            1 => Mode::Relay,
            2 => Mode::LastWriteWins,
            3 => Mode::TrueTime,
            _ => Mode::Messages,
        };
        let config = Config {
            mode,
            n_nodes,
            every_us: get("every_ms", 500).max(1) as Time * MS,
            send_ppm: get("send_ppm", 600_000) as u32,
            timeout_us: get("timeout_ms", 0).max(0) as Time * MS,
            epsilon_us: get("epsilon_ms", 5) * MS as i64,
            commit_wait: get("commit_wait", 1) == 1,
            sample_us: 100 * MS,
            show: get("show", 0).clamp(0, 2) as u8,
            bug: get(BUG_PARAM, 0) as u8,
        };
        if config.timeout_us > 0 && config.timeout_us < 10 * MS {
            return Err("the timeout should be at least 10 ms (or 0 for none)".into());
        }
        Ok(config)
    }

    /// How often a wall-clock timeout is polled: a tenth of the timeout.
    pub fn poll_us(&self) -> Time {
        (self.timeout_us / 10).max(MS)
    }
}
