//! The lab's settings: the node layout (proposers, then acceptors, then learners), how a
//! preempted proposer waits before trying again, and the deliberate bugs.

use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// The deliberate bugs, by the value of the "Deliberate bug" parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    /// An acceptor keeps its promise in memory only: a restart forgets it.
    ForgetsPromise,
    /// An acceptor accepts any ballot, even one below its promise.
    AcceptsLowerBallot,
    /// A proposer proposes its own value whatever the promises report.
    IgnoresAcceptedValue,
    /// An acceptor that has accepted nothing answers as if it had accepted an empty value.
    EmptyValueInPromise,
    /// A learner keeps what it learned in memory only: a restart forgets it.
    LearnerForgets,
}

pub const BUG_NAMES: &[&str] = &[
    "none",
    "acceptor forgets its promise on restart",
    "acceptor accepts a lower ballot",
    "proposer ignores the accepted value in promises",
    "acceptor reports an empty value it never accepted",
    "learner forgets what it learned on restart",
];

/// The scheduler of the asynchronous model (used by the system-models lab).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adversary {
    /// Messages go when the network says.
    Off,
    /// Holds every accept that would complete a majority (FLP's scheduler).
    On,
    /// Deliberately broken: claims to be the adversary but lets everything through.
    Leaky,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub n_proposers: u16,
    pub n_acceptors: u16,
    pub n_learners: u16,
    /// Randomized backoff after a preemption; off, a preempted proposer tries again at once.
    pub backoff: bool,
    /// The first backoff's upper bound; it doubles with each failed try (up to 16 times).
    pub backoff_us: Time,
    /// A proposer that hears nothing useful for this long starts a higher ballot.
    pub retry_us: Time,
    /// Proposer k starts at k times this.
    pub start_every_us: Time,
    pub bug: Bug,
    pub adversary: Adversary,
    /// The global stabilisation time, where the network model has one (for pictures).
    pub gst_us: Option<Time>,
}

impl Config {
    pub fn is_proposer(&self, node: NodeId) -> bool {
        node < self.n_proposers
    }

    pub fn is_acceptor(&self, node: NodeId) -> bool {
        self.acceptors().contains(&node)
    }

    pub fn acceptors(&self) -> std::ops::Range<NodeId> {
        self.n_proposers..self.n_proposers + self.n_acceptors
    }

    pub fn learners(&self) -> std::ops::Range<NodeId> {
        let first = self.n_proposers + self.n_acceptors;
        first..first + self.n_learners
    }

    /// Acceptors needed to choose a value (and to promise a ballot).
    pub fn majority(&self) -> usize {
        usize::from(self.n_acceptors / 2 + 1)
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let ms = |key: &str, default: i64| get(key, default) as Time * MS;
        let n_proposers = get("proposers", 1) as u16;
        let n_learners = get("learners", 1) as u16;
        let bug = match get(BUG_PARAM, 0) {
            1 => Bug::ForgetsPromise,
            2 => Bug::AcceptsLowerBallot,
            3 => Bug::IgnoresAcceptedValue,
            4 => Bug::EmptyValueInPromise,
            5 => Bug::LearnerForgets,
            _ => Bug::None,
        };
        let n_acceptors = n_nodes.saturating_sub(n_proposers + n_learners);
        if !(3..=9).contains(&n_acceptors) {
            return Err(format!(
                "with {n_proposers} proposer(s) and {n_learners} learner(s) this lab needs {} to {} servers, so that 3 to 9 of them are acceptors (it has {n_nodes})",
                n_proposers + n_learners + 3,
                n_proposers + n_learners + 9
            ));
        }
        Ok(Config {
            n_proposers,
            n_acceptors,
            n_learners,
            backoff: get("backoff", 1) != 0,
            backoff_us: ms("backoff_ms", 40),
            retry_us: ms("retry_ms", 300),
            start_every_us: ms("start_every_ms", 0),
            bug,
            adversary: Adversary::Off,
            gst_us: None,
        })
    }
}
