//! The lab's settings: which protection against split brain is on, the timings, the node
//! layout (the cluster, then the fence agent, then storage) and the deliberate bugs.

use crate::fencing::Fencing;
use failscope_sim::ids::NodeId;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// How the cluster keeps two leaders from writing at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A candidate needs only the votes of the servers that answer, and a leader never doubts
    /// itself: each side of a partition ends up with a leader.
    NoQuorum,
    /// A candidate needs a majority of the whole cluster, and a leader that has not heard from
    /// a majority for half an election timeout steps down (check-quorum).
    Majority,
    /// Majority elections, and storage refuses a term lower than the highest it has seen. The
    /// old leader is not asked to step down: storage stops it.
    Fencing,
    /// Majority elections, and a new leader has the servers that did not vote for it powered
    /// off through the fence agent before it serves a single write.
    Stonith,
}

impl Mode {
    pub const NAMES: &'static [&'static str] = &[
        "no quorum",
        "majority quorum",
        "fencing tokens",
        "STONITH (power off the old leader)",
    ];

    fn from_index(index: i64) -> Mode {
        match index {
            0 => Mode::NoQuorum,
            2 => Mode::Fencing,
            3 => Mode::Stonith,
            _ => Mode::Majority,
        }
    }

    pub fn name(self) -> &'static str {
        Mode::NAMES[self as usize]
    }
}

/// Deliberate mistakes, each caught by one of the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    /// Storage keeps the highest token per writer instead of overall, so an old leader's
    /// token is only compared with its own earlier writes.
    TokenPerWriter,
    /// "Majority" is counted among the servers that answered rather than the whole cluster,
    /// so a cut-off minority believes it is a majority.
    MajorityOfReachable,
}

impl Bug {
    pub const NAMES: &'static [&'static str] = &[
        "none",
        "storage keeps the highest token per writer",
        "majority counted among the servers that answer",
    ];

    fn from_index(index: i64) -> Bug {
        match index {
            1 => Bug::TokenPerWriter,
            2 => Bug::MajorityOfReachable,
            _ => Bug::None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub mode: Mode,
    pub heartbeat_us: Time,
    /// A follower stands for election after between one and two of these without a leader.
    pub election_us: Time,
    pub write_every_us: Time,
    /// Whether S1 starts as the leader of term 1 (the seeds' starting point).
    pub start_leader: bool,
    /// Whether the last cluster member is a witness: it votes but never leads.
    pub witness: bool,
    pub bug: Bug,
    /// Cluster members (voters), then the fence agent, then storage.
    pub n_members: u16,
}

impl Config {
    pub fn agent(&self) -> NodeId {
        self.n_members
    }

    pub fn storage(&self) -> NodeId {
        self.n_members + 1
    }

    pub fn is_member(&self, node: NodeId) -> bool {
        node < self.n_members
    }

    pub fn is_witness(&self, node: NodeId) -> bool {
        self.witness && node + 1 == self.n_members
    }

    /// Votes a candidate needs among the whole cluster.
    pub fn majority(&self) -> u16 {
        self.n_members / 2 + 1
    }

    /// Whether `granted` of `answered` votes (the candidate's own included) win an election
    /// once every answer that is coming has come.
    pub fn wins_after_waiting(&self, granted: u16, answered: u16) -> bool {
        match (self.mode, self.bug) {
            (Mode::NoQuorum, _) => granted == answered,
            (_, Bug::MajorityOfReachable) => granted > answered / 2,
            _ => granted >= self.majority(),
        }
    }

    /// How long a leader may go without hearing from a majority before it steps down
    /// (check-quorum): half the shortest election timeout, so it is gone before the other
    /// side can have elected anyone.
    pub fn check_quorum_us(&self) -> Option<Time> {
        (self.mode == Mode::Majority).then_some(self.election_us / 2)
    }

    pub fn fencing(&self) -> Fencing {
        match (self.mode, self.bug) {
            (Mode::Fencing, Bug::TokenPerWriter) => Fencing::PerWriter,
            (Mode::Fencing, _) => Fencing::On,
            _ => Fencing::Off,
        }
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let witness = get("witness", 0) == 1;
        let config = Config {
            mode: Mode::from_index(get("mode", 1)),
            heartbeat_us: get("heartbeat_ms", 50) as Time * MS,
            election_us: get("election_ms", 300) as Time * MS,
            write_every_us: get("write_every_ms", 200) as Time * MS,
            start_leader: get("start_leader", 1) == 1,
            witness,
            bug: Bug::from_index(get(failscope_sim::lab::BUG_PARAM, 0)),
            n_members: n_nodes.saturating_sub(2),
        };
        let min_members = if witness { 3 } else { 2 };
        if config.n_members < min_members {
            return Err(format!(
                "this lab needs at least {} servers: {min_members} in the cluster, then the fence agent and storage",
                min_members + 2
            ));
        }
        if config.heartbeat_us * 4 > config.election_us {
            return Err(
                "the heartbeat interval must be at most a quarter of the election timeout, or followers stand for election while their leader is fine".into(),
            );
        }
        Ok(config)
    }
}
