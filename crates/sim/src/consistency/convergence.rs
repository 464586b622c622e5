//! Eventual convergence, observed: once writes stop (after a *quiescent* time chosen by the
//! caller, e.g. when the workload stopped and faults healed), every read of a key should
//! return the same value. Eventual consistency promises exactly this and nothing more
//! (Vogels, "Eventually consistent", CACM 2009); a store that keeps answering differently
//! after quiescence has diverged for good, or has not healed yet.
//!
//! Only reads invoked strictly after the quiescent time count, and only acknowledged ones.
//! Writes invoked after it break the premise; they are listed, not judged.

use super::write_order::completed_read;
use crate::client::Outcome;
use crate::history::History;
use crate::ids::client_name;
use crate::time::{format_duration, Time};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvergenceReport {
    pub quiescent_us: Time,
    /// Keys whose reads after quiescence disagree, keys ascending.
    pub violations: Vec<ConvergenceViolation>,
    /// Writes and compare-and-sets (not failed) invoked after the quiescent time: if any,
    /// the premise "no more writes" does not hold and disagreement may be legitimate.
    pub late_writes: Vec<usize>,
}

impl ConvergenceReport {
    /// All reads after quiescence agreed, key by key.
    pub fn converged(&self) -> bool {
        self.violations.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvergenceViolation {
    pub key: u16,
    /// Each distinct value read after quiescence, in order of first appearance.
    pub values: Vec<ObservedValue>,
    pub explanation: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ObservedValue {
    /// `None`: the key read as unset.
    pub value: Option<u32>,
    /// The first read that returned it (index into `History::operations`).
    pub first_read: usize,
    /// How many reads after quiescence returned it.
    pub reads: usize,
}

/// Check that reads of each key invoked after `quiescent_us` all return the same value.
pub fn check_convergence(history: &History, quiescent_us: Time) -> ConvergenceReport {
    let mut by_key: BTreeMap<u16, Vec<ObservedValue>> = BTreeMap::new();
    let mut late_writes = Vec::new();
    for (i, op) in history.operations.iter().enumerate() {
        if op.invoke_us <= quiescent_us {
            continue;
        }
        if let Some((key, value)) = completed_read(op) {
            let values = by_key.entry(key).or_default();
            match values.iter_mut().find(|v| v.value == value) {
                Some(seen) => seen.reads += 1,
                None => values.push(ObservedValue {
                    value,
                    first_read: i,
                    reads: 1,
                }),
            }
        } else if !op.op.is_read() && !matches!(op.outcome, Some(Outcome::Fail | Outcome::Mismatch))
        {
            late_writes.push(i);
        }
    }
    let violations = by_key
        .into_iter()
        .filter(|(_, values)| values.len() > 1)
        .map(|(key, values)| {
            let shown: Vec<String> = values
                .iter()
                .take(4)
                .map(|v| {
                    let who = history
                        .operations
                        .get(v.first_read)
                        .map_or_else(String::new, |op| client_name(op.process));
                    match v.value {
                        Some(x) => format!("{who} read {x}"),
                        None => format!("{who} found it unset"),
                    }
                })
                .collect();
            let more = values.len().saturating_sub(shown.len());
            let tail = if more > 0 {
                format!(", and {more} more values")
            } else {
                String::new()
            };
            let explanation = format!(
                "k{key}: reads after {} with no more writes still disagree: {}{tail}",
                format_duration(quiescent_us),
                shown.join(", ")
            );
            ConvergenceViolation {
                key,
                values,
                explanation,
            }
        })
        .collect();
    ConvergenceReport {
        quiescent_us,
        violations,
        late_writes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::test_support::{failed, history, r, timed_out, w};
    use crate::time::SECOND;

    #[test]
    fn disagreeing_reads_after_quiescence_are_reported() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(1, 0, 2, (0, 10)),
            r(0, 0, Some(1), (5, 6)), // before quiescence: ignored
            r(0, 0, Some(1), (SECOND + 1, SECOND + 2)),
            r(1, 0, Some(2), (SECOND + 3, SECOND + 4)),
            r(2, 0, Some(1), (SECOND + 5, SECOND + 6)),
            timed_out(r(2, 0, None, (SECOND + 7, SECOND + 8))), // no value: ignored
            r(0, 1, None, (SECOND + 9, SECOND + 10)),
            r(1, 1, None, (SECOND + 11, SECOND + 12)),
        ]);
        let report = check_convergence(&h, SECOND);
        assert!(!report.converged());
        assert!(report.late_writes.is_empty());
        assert_eq!(report.violations.len(), 1);
        let v = &report.violations[0];
        assert_eq!(v.key, 0);
        let values: Vec<(Option<u32>, usize, usize)> = v
            .values
            .iter()
            .map(|o| (o.value, o.first_read, o.reads))
            .collect();
        assert_eq!(values, vec![(Some(1), 3, 2), (Some(2), 4, 1)]);
        assert_eq!(
            v.explanation,
            "k0: reads after 1.000 s with no more writes still disagree: C1 read 1, C2 read 2"
        );
    }

    #[test]
    fn agreement_converges_and_late_writes_are_listed() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            r(0, 0, Some(1), (100, 110)),
            r(1, 0, Some(1), (120, 130)),
            failed(w(1, 0, 5, (140, 150))),
            w(2, 1, 3, (160, 170)),
        ]);
        let report = check_convergence(&h, 50);
        assert!(report.converged());
        assert_eq!(report.late_writes, vec![4]);
        assert!(check_convergence(&History::default(), 0).converged());
    }
}
