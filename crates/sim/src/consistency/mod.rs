//! Consistency checkers over client histories ([`History`]): what a run's clients saw,
//! judged against the key-value register every lab with clients shares.
//!
//! - [`linearizability`]: is there one order of all operations, consistent with real time,
//!   in which every read returns the latest write (Herlihy & Wing 1990)? Checked per key
//!   with Wing & Gong's search and Lowe's memoization, resumable in slices for the browser,
//!   and shrunk to a small offending set with a one-sentence explanation.
//! - [`sequential`]: the same without real time across processes, only each process's own
//!   program order (Lamport 1979).
//! - [`session`]: read-your-writes and monotonic reads per client (Terry et al. 1994).
//! - [`convergence`]: after writes stop, do all reads of a key agree?
//! - [`stale`]: how many reads returned a value already overwritten before they began.
//! - [`external`]: histories people bring (Jepsen's EDN, strings, lists), checked against
//!   a register or a key-value model with the same search.
//! - [`bench_history()`]: a generator of large linearizable histories, for tests and
//!   benchmarks.
//!
//! Everything here is deterministic: ordered maps wherever order matters (the few hash maps
//! are only looked up, with fixed hashers), no randomness, no clock. Work is counted
//! in *steps*, never in time, so a check answers the same on every machine and a bounded
//! search ends in [`Verdict::Unknown`] rather than a hang. No history, however malformed,
//! makes a checker panic.
//!
//! Semantics shared by every check: every key starts unset (a read returns
//! `Ok { value: None }`); a write sets the value; a compare-and-set writes `to` if the
//! value is `from`, answering `Ok` on success and `Fail` otherwise. An operation that
//! answered `Fail` changed nothing. One that timed out (or has no answer yet) may or may not
//! have taken effect, at any time after its invocation. In real time, an operation precedes
//! another if it returned before the other was invoked; equal timestamps count as
//! overlapping (the order of two events in the same microsecond is unknown), except for
//! one client's consecutive operations, whose order is certain.
//!
//! [`History`]: crate::history::History

use serde::Serialize;

pub mod bench_history;
pub mod convergence;
pub mod external;
pub mod import;
pub mod linearizability;
pub mod sequential;
pub mod session;
pub mod stale;

#[cfg(test)]
mod brute_force_tests;
pub mod explain;
mod key_history;
mod model;
mod shrink;
#[cfg(test)]
mod test_support;
mod wgl;
mod write_order;

pub use bench_history::bench_history;
pub use convergence::{check_convergence, ConvergenceReport, ConvergenceViolation, ObservedValue};
pub use explain::Names;
pub use external::{check_external, prepare, ExternalHistory, ExternalOp, ModelKind};
pub use linearizability::{
    check_linearizable, KeyReport, LinearizabilityCheck, LinearizabilityReport,
    LinearizabilityViolation,
};
pub use sequential::{check_sequential, SequentialCheck, SequentialReport};
pub use session::{
    check_sessions, monotonic_reads, read_your_writes, SessionCheck, SessionViolation,
};
pub use stale::{stale_read_operations, stale_reads};

/// The answer of a bounded check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The property holds: a witness order was found.
    Holds,
    /// The property is violated: no order exists (the search was exhaustive).
    Violated,
    /// The step limit ran out before either was established.
    Unknown,
}

/// How much work a check may do. A step is one attempt to place an operation, or one
/// backtrack; native code does a few million a second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Most steps for one key's linearizability search, or for the whole
    /// sequential-consistency search, before answering [`Verdict::Unknown`].
    pub search_steps: u64,
    /// Most steps spent shrinking one key's violation to a small offending set; when they
    /// run out, the set found so far is reported, marked as not minimal.
    pub shrink_steps: u64,
}

impl Default for Limits {
    /// Generous for histories of tens of thousands of operations with little concurrency
    /// (a 10,000-operation, 5-client register history needs a few tens of thousands of
    /// steps), while bounding a pathological one to a few seconds and a few hundred MB.
    fn default() -> Limits {
        Limits {
            search_steps: 2_000_000,
            shrink_steps: 2_000_000,
        }
    }
}
