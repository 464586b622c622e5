//! The lab's settings: two- or three-phase commit, who votes no, where the coordinator fails and for how long, the
//! protocol's timings, cooperative termination, and the deliberate bugs.

use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// Where the coordinator fails, in protocol order (0: never; the last: each in turn).
pub const CRASH_POINTS: &[&str] = &[
    "never",
    "before sending prepare",
    "after sending prepare",
    "after the last vote, before logging",
    "after logging, mid-send",
    "after sending the decision",
    "at each point in turn",
];
pub const EACH_IN_TURN: u8 = 6;

pub const BUG_NAMES: &[&str] = &[
    "none",
    "decision sent before it is logged",
    "commit on a majority of yes votes",
];

pub const PROTOCOLS: &[&str] = &["two-phase commit", "three-phase commit"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    SendBeforeLog,
    MajorityCommit,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Three-phase commit (Skeen 1981): a pre-commit round, and termination without the
    /// coordinator.
    pub three_phase: bool,
    pub n_participants: u16,
    pub transactions: u32,
    /// The participant (1 = S2) that votes no; 0: nobody does.
    pub no_voter: u16,
    pub crash_point: u8,
    pub down_us: Time,
    pub prepare_us: Time,
    pub log_us: Time,
    pub timeout_us: Time,
    pub gap_us: Time,
    /// In-doubt participants ask each other, not just the coordinator.
    pub cooperative: bool,
    pub bug: Bug,
}

/// The coordinator is S1; participants are S2 onwards.
pub const COORDINATOR: NodeId = 0;

impl Config {
    pub fn participants(&self) -> std::ops::Range<NodeId> {
        1..1 + self.n_participants
    }

    /// Whether the coordinator fails at `point` of transaction `txn`.
    pub fn fails_at(&self, txn: u32, point: u8) -> bool {
        match self.crash_point {
            EACH_IN_TURN => u32::from(point) == txn,
            p => p == point && txn == 1,
        }
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let ms = |key: &str, default: i64| get(key, default) as Time * MS;
        let config = Config {
            three_phase: get("protocol", 0) == 1,
            n_participants: n_nodes.saturating_sub(1),
            transactions: get("transactions", 1) as u32,
            no_voter: get("no_voter", 0) as u16,
            crash_point: get("crash_at", 0) as u8,
            down_us: ms("down_ms", 3_000),
            prepare_us: ms("prepare_ms", 100),
            log_us: ms("log_ms", 100),
            timeout_us: ms("timeout_ms", 1_000),
            gap_us: ms("gap_ms", 500),
            cooperative: get("cooperative", 1) == 1,
            bug: match get(BUG_PARAM, 0) {
                1 => Bug::SendBeforeLog,
                2 => Bug::MajorityCommit,
                _ => Bug::None,
            },
        };
        if config.n_participants < 2 {
            return Err("two-phase commit here needs at least 3 servers: the coordinator and two participants".into());
        }
        if config.no_voter > config.n_participants {
            return Err(format!(
                "participant {} cannot vote no: there are only {} participants (S2 to S{})",
                config.no_voter,
                config.n_participants,
                config.n_participants + 1
            ));
        }
        Ok(config)
    }
}
