//! The *write order* the session and staleness checks judge "older" by.
//!
//! Definition: for a key, value `u` is **certainly older** than value `v` when every
//! operation that may have written `u` (an acknowledged or timed-out write of `u`, a
//! successful or timed-out compare-and-set to `u`) had returned before any operation that
//! may have written `v` was invoked. Likewise `u` is certainly older than a particular
//! write `w` when every possible write of `u` returned before `w` was invoked. A write
//! that never returned counts as returning at infinity, so it is never certainly older.
//! A value nobody wrote (garbage) is older than nothing.
//!
//! Why this and not, say, the order of first observation: it is *sound*. In any history
//! that is linearizable (and in any store whose write order respects real time, which is
//! what a person means by "newer"), a value certainly older than `v` was overwritten by
//! `v`, because real time forces its write before `v`'s. So a reported session violation
//! is never an artefact of the checker's guess at the order; overlapping writes, whose
//! order the history cannot tell, are never used to accuse. The price is completeness:
//! reading an old value whose write overlapped the newer one is not reported here (the
//! linearizability checker still catches it). Orders by first observation, by contrast,
//! can invert two overlapping writes whose replies arrived in the other order and flag a
//! perfectly linearizable history.

use crate::client::{ClientOp, Outcome};
use crate::history::{History, Operation};
use crate::time::Time;
use std::collections::BTreeMap;

/// When the writes of one value of one key began and ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub first_invoke: Time,
    /// `None`: some write of the value never returned (it may land at any later time).
    pub last_return: Option<Time>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct WriteSpans {
    spans: BTreeMap<(u16, u32), Span>,
}

impl WriteSpans {
    pub(crate) fn new(history: &History) -> WriteSpans {
        let mut spans: BTreeMap<(u16, u32), Span> = BTreeMap::new();
        for op in &history.operations {
            let Some((key, value, ret)) = possible_write(op) else {
                continue;
            };
            spans
                .entry((key, value))
                .and_modify(|s| {
                    s.first_invoke = s.first_invoke.min(op.invoke_us);
                    s.last_return = s.last_return.zip(ret).map(|(a, b)| a.max(b));
                })
                .or_insert(Span {
                    first_invoke: op.invoke_us,
                    last_return: ret,
                });
        }
        WriteSpans { spans }
    }

    /// Every possible write of `value` to `key` returned before `time`.
    pub(crate) fn all_returned_before(&self, key: u16, value: u32, time: Time) -> bool {
        self.spans
            .get(&(key, value))
            .and_then(|s| s.last_return)
            .is_some_and(|r| r < time)
    }

    /// `older` is certainly older than `newer` (see the module docs).
    pub(crate) fn certainly_older(&self, key: u16, older: u32, newer: u32) -> bool {
        match self.spans.get(&(key, newer)) {
            Some(n) => older != newer && self.all_returned_before(key, older, n.first_invoke),
            None => false,
        }
    }

    pub(crate) fn span(&self, key: u16, value: u32) -> Option<Span> {
        self.spans.get(&(key, value)).copied()
    }
}

/// The key, value and return time (`None`: unbounded) of an operation that may have
/// written, or `None` if it certainly did not.
fn possible_write(op: &Operation) -> Option<(u16, u32, Option<Time>)> {
    let (key, value) = match op.op {
        ClientOp::Write { key, value } => (key, value),
        ClientOp::Cas { key, to, .. } => (key, to),
        ClientOp::Read { .. } => return None,
    };
    match op.outcome {
        Some(Outcome::Fail | Outcome::Mismatch) => None,
        Some(Outcome::Ok { .. }) => Some((key, value, op.return_us.map(|r| r.max(op.invoke_us)))),
        Some(Outcome::Timeout) | None => Some((key, value, None)),
    }
}

/// The value an acknowledged write or successful CAS left, with its key.
pub(crate) fn completed_write(op: &Operation) -> Option<(u16, u32)> {
    if !matches!(op.outcome, Some(Outcome::Ok { .. })) {
        return None;
    }
    match op.op {
        ClientOp::Write { key, value } => Some((key, value)),
        ClientOp::Cas { key, to, .. } => Some((key, to)),
        ClientOp::Read { .. } => None,
    }
}

/// The key and value an acknowledged read returned.
pub(crate) fn completed_read(op: &Operation) -> Option<(u16, Option<u32>)> {
    match (op.op, op.outcome) {
        (ClientOp::Read { key }, Some(Outcome::Ok { value })) => Some((key, value)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::test_support::{cas, failed, history, timed_out, w};

    #[test]
    fn only_writes_that_ended_before_the_other_began_are_certainly_older() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(1, 0, 2, (5, 20)),  // overlaps 1
            w(2, 0, 3, (30, 40)), // after both
            timed_out(w(3, 0, 4, (1, 2))),
            failed(cas(0, 0, 9, 5, (50, 60))),
        ]);
        let s = WriteSpans::new(&h);
        assert!(!s.certainly_older(0, 1, 2));
        assert!(!s.certainly_older(0, 2, 1));
        assert!(s.certainly_older(0, 1, 3));
        assert!(s.certainly_older(0, 2, 3));
        assert!(!s.certainly_older(0, 3, 3));
        assert!(!s.certainly_older(0, 4, 3)); // may still land
        assert!(!s.certainly_older(0, 7, 3)); // never written
        assert!(s.span(0, 5).is_none()); // the failed CAS wrote nothing
    }
}
