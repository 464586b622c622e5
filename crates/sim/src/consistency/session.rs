//! Session guarantees per client process (Terry, Demers, Petersen, Spreitzer, Theimer &
//! Welch, "Session guarantees for weakly consistent replicated data", PDIS 1994), the ones a
//! user of a replicated store notices first:
//!
//! - **Read-your-writes**: once a client's write of `v` to a key has been acknowledged, its
//!   later reads of that key return `v` or something newer: never the unset key, never a
//!   value certainly older than its write.
//! - **Monotonic reads**: a client's successive reads of a key never go back: never the
//!   unset key after a value, never a value certainly older than one it already read.
//!
//! "Older" is the write order of `write_order`: `u` is older than `v` when every write of
//! `u` returned before any write of `v` began (for read-your-writes, before the client's own
//! write began). Program order is each client's sequence numbers; a client has one
//! operation outstanding at a time, so it is also real-time order. Only acknowledged
//! operations count: a timed-out write is not one the client can expect to read back.

use super::write_order::{completed_read, completed_write, WriteSpans};
use crate::client::ClientOp;
use crate::history::History;
use crate::ids::{client_name, ClientId};
use serde::Serialize;
use std::collections::BTreeMap;

/// Which session guarantee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionCheck {
    ReadYourWrites,
    MonotonicReads,
}

impl SessionCheck {
    pub fn name(self) -> &'static str {
        match self {
            SessionCheck::ReadYourWrites => "read-your-writes",
            SessionCheck::MonotonicReads => "monotonic reads",
        }
    }
}

/// One read that broke a session guarantee.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionViolation {
    pub check: SessionCheck,
    pub process: ClientId,
    pub key: u16,
    /// Indices into `History::operations`: the earlier operation of the session that the
    /// read should have reflected (the client's own write, or its earlier read), then the
    /// offending read.
    pub operations: Vec<usize>,
    pub explanation: String,
}

/// Both guarantees, ordered by the offending read.
pub fn check_sessions(history: &History) -> Vec<SessionViolation> {
    let mut all = read_your_writes(history);
    all.extend(monotonic_reads(history));
    all.sort_by_key(|v| (v.operations.last().copied(), v.check));
    all
}

/// Reads that missed their own client's acknowledged write.
pub fn read_your_writes(history: &History) -> Vec<SessionViolation> {
    let spans = WriteSpans::new(history);
    let mut out = Vec::new();
    for (process, ops) in sessions(history) {
        // The client's acknowledged writes so far, per key, in program order.
        let mut writes: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
        for i in ops {
            let op = &history.operations[i];
            if let Some((key, _)) = completed_write(op) {
                writes.entry(key).or_default().push(i);
                continue;
            }
            let Some((key, seen)) = completed_read(op) else {
                continue;
            };
            // The latest own write that had returned when this read began.
            let Some(&wi) = writes.get(&key).and_then(|ws| {
                ws.iter().rev().find(|&&wi| {
                    history.operations[wi]
                        .return_us
                        .is_some_and(|t| t <= op.invoke_us)
                })
            }) else {
                continue;
            };
            let write = &history.operations[wi];
            let Some((_, own)) = completed_write(write) else {
                continue;
            };
            let who = client_name(process);
            let own_write = if matches!(write.op, ClientOp::Cas { .. }) {
                format!("its own compare-and-set to {own}")
            } else {
                format!("its own write of {own}")
            };
            let explanation = match seen {
                None => Some(format!(
                    "{who} found k{key} unset after {own_write} had completed"
                )),
                Some(u) if spans.all_returned_before(key, u, write.invoke_us) => Some(format!(
                    "{who} read {u} from k{key} after {own_write} had completed, but every \
                     write of {u} had finished before that write began"
                )),
                Some(_) => None,
            };
            if let Some(explanation) = explanation {
                out.push(SessionViolation {
                    check: SessionCheck::ReadYourWrites,
                    process,
                    key,
                    operations: vec![wi, i],
                    explanation,
                });
            }
        }
    }
    out.sort_by_key(|v| v.operations.last().copied());
    out
}

/// Reads that went back behind an earlier read of the same client.
pub fn monotonic_reads(history: &History) -> Vec<SessionViolation> {
    let spans = WriteSpans::new(history);
    let mut out = Vec::new();
    for (process, ops) in sessions(history) {
        // Per key: the earlier read whose value's writes began last (the newest value seen,
        // as far as real time can tell), with that value and that time.
        let mut newest: BTreeMap<u16, (usize, u32, u64)> = BTreeMap::new();
        for i in ops {
            let Some((key, seen)) = completed_read(&history.operations[i]) else {
                continue;
            };
            let who = client_name(process);
            if let Some(&(earlier, had, _)) = newest.get(&key) {
                let explanation = match seen {
                    None => Some(format!(
                        "{who} read {had} from k{key}, then later found it unset"
                    )),
                    Some(u) if spans.certainly_older(key, u, had) => Some(format!(
                        "{who} read {had} from k{key}, then later read {u}, but every write \
                         of {u} had finished before any write of {had} began"
                    )),
                    Some(_) => None,
                };
                if let Some(explanation) = explanation {
                    out.push(SessionViolation {
                        check: SessionCheck::MonotonicReads,
                        process,
                        key,
                        operations: vec![earlier, i],
                        explanation,
                    });
                }
            }
            let Some(value) = seen else {
                continue;
            };
            // Values nobody wrote cannot be placed in the order; they never become "newest".
            let Some(span) = spans.span(key, value) else {
                continue;
            };
            let replace = newest
                .get(&key)
                .is_none_or(|&(_, _, began)| span.first_invoke >= began);
            if replace {
                newest.insert(key, (i, value, span.first_invoke));
            }
        }
    }
    out.sort_by_key(|v| v.operations.last().copied());
    out
}

/// Each client's operations (indices) in program order: by sequence number, then position.
fn sessions(history: &History) -> BTreeMap<ClientId, Vec<usize>> {
    let mut by_process: BTreeMap<ClientId, Vec<usize>> = BTreeMap::new();
    for (i, op) in history.operations.iter().enumerate() {
        by_process.entry(op.process).or_default().push(i);
    }
    for ops in by_process.values_mut() {
        ops.sort_by_key(|&i| (history.operations[i].seq, i));
    }
    by_process
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::test_support::{cas, history, r, timed_out, w};

    fn checks(h: &History) -> Vec<(SessionCheck, Vec<usize>)> {
        check_sessions(h)
            .into_iter()
            .map(|v| (v.check, v.operations))
            .collect()
    }

    #[test]
    fn read_your_writes_violations_are_found() {
        // C1 writes 1; C2 writes 2 and then reads 1 (older than its own write) and unset.
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(1, 0, 2, (20, 30)),
            r(1, 0, Some(1), (40, 50)),
            r(1, 0, None, (60, 70)),
        ]);
        let v = read_your_writes(&h);
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[0].operations, vec![1, 2]);
        assert_eq!(
            v[0].explanation,
            "C2 read 1 from k0 after its own write of 2 had completed, but every write of 1 \
             had finished before that write began"
        );
        assert_eq!(v[1].operations, vec![1, 3]);
        assert!(
            v[1].explanation.contains("found k0 unset"),
            "{}",
            v[1].explanation
        );
    }

    #[test]
    fn monotonic_read_violations_are_found() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(0, 0, 2, (20, 30)),
            r(1, 0, Some(2), (40, 50)),
            r(1, 0, Some(1), (60, 70)),
            r(1, 0, None, (80, 90)),
        ]);
        let v = monotonic_reads(&h);
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!(v[0].operations, vec![2, 3]);
        assert_eq!(v[1].operations, vec![2, 4]);
        assert_eq!(
            v[0].explanation,
            "C2 read 2 from k0, then later read 1, but every write of 1 had finished before \
             any write of 2 began"
        );
    }

    #[test]
    fn clean_sessions_report_nothing() {
        let h = history(vec![
            // Overlapping writes: either order is possible, so no read of them accuses.
            w(0, 0, 1, (0, 30)),
            w(1, 0, 2, (5, 20)),
            r(1, 0, Some(1), (40, 50)), // after its own write of 2, but 1 may be newer
            r(1, 0, Some(2), (60, 70)), // back to 2: 1 and 2 are unordered
            r(0, 0, Some(2), (80, 90)),
            // Another client's older value is fine before this client wrote anything.
            r(2, 0, None, (1, 2)),
            // A timed-out write need not be read back.
            timed_out(w(2, 1, 5, (10, 11))),
            r(2, 1, None, (12, 13)),
            // A CAS by the client counts as its write.
            cas(3, 0, 2, 3, (100, 110)),
            r(3, 0, Some(3), (120, 130)),
            // Other keys do not interfere.
            r(3, 1, None, (140, 150)),
        ]);
        assert!(checks(&h).is_empty(), "{:?}", check_sessions(&h));
    }

    #[test]
    fn the_own_compare_and_set_is_a_write_to_read_back() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            cas(1, 0, 1, 2, (20, 30)),
            r(1, 0, Some(1), (40, 50)),
        ]);
        assert_eq!(checks(&h), vec![(SessionCheck::ReadYourWrites, vec![1, 2])]);
        assert!(check_sessions(&h)[0]
            .explanation
            .contains("its own compare-and-set to 2"));
    }
}
