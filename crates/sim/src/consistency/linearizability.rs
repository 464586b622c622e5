//! Linearizability (Herlihy & Wing, "Linearizability: a correctness condition for concurrent
//! objects", TOPLAS 1990): a history is linearizable if its operations can be put in one
//! total order that respects real time (an operation that returned before another was
//! invoked comes first) and in which every read returns the latest write.
//!
//! Checking is NP-complete in general (Gibbons & Korach 1997), but Wing & Gong's search with
//! Lowe's memoization (see `wgl`) is fast on the histories real systems produce, and the
//! property is *local*, so each key is checked on its own. The check is a resumable state
//! machine: [`LinearizabilityCheck::run`] does a bounded number of steps and returns `None`
//! until it has the answer, so a browser can check a long history between frames. Each key
//! gets at most [`Limits::search_steps`] steps; a key that needs more is reported
//! [`Verdict::Unknown`].
//!
//! For a key that is not linearizable, the report gives a small set of operations that is
//! still not linearizable on its own (see `shrink`) and one sentence saying why.

use super::explain::{count, explain, Names};
use super::key_history::KeyHistory;
use super::model::{ops_by_key, AppendTable, ModelOp};
use super::shrink::Shrinker;
use super::wgl::{Search, SearchStatus};
use super::{Limits, Verdict};
use crate::history::History;
use serde::Serialize;

/// The answer for a whole history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinearizabilityReport {
    /// `Violated` if any key is, else `Unknown` if any key is, else `Holds`.
    pub verdict: Verdict,
    /// One report per key that has operations to check, keys ascending.
    pub keys: Vec<KeyReport>,
    /// Steps spent in all (searching and shrinking).
    pub steps: u64,
}

/// The answer for one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyReport {
    pub key: u16,
    /// The key as the history names it (`k0` for the simulator's own histories).
    pub name: String,
    /// Operations the search considered (failed operations, unanswered reads and
    /// unobservable timed-out writes are left out; see the module docs).
    pub operations: usize,
    pub verdict: Verdict,
    /// Steps the search took (shrinking not included).
    pub steps: u64,
    /// Present when the verdict is `Violated`.
    pub violation: Option<LinearizabilityViolation>,
    /// Present when the verdict is `Unknown`: why.
    pub note: Option<String>,
}

/// A non-linearizable key, shrunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinearizabilityViolation {
    pub key: u16,
    /// Indices into `History::operations`, ascending: a set of operations that is not
    /// linearizable on its own.
    pub operations: Vec<usize>,
    /// True when no single operation of the set can be dropped (together with the reads
    /// that only it could explain) without the rest becoming linearizable. False when the
    /// shrink budget ran out first: the set is still a violation, just perhaps not the
    /// smallest.
    pub minimal: bool,
    /// A short argument in full sentences, e.g. "In k0, let A be C1's write of 1, B be C1's
    /// write of 2, and C be C2's read, which returned 1. Then C must follow A with no other
    /// write in between. But B began after A completed and completed before C began, so B
    /// overwrote 1 before C, a contradiction."
    pub explanation: String,
}

impl LinearizabilityReport {
    pub fn is_linearizable(&self) -> bool {
        self.verdict == Verdict::Holds
    }

    /// The violations, one per non-linearizable key.
    pub fn violations(&self) -> impl Iterator<Item = &LinearizabilityViolation> {
        self.keys.iter().filter_map(|k| k.violation.as_ref())
    }
}

/// Check `history` in one go (with the default [`Limits`]).
pub fn check_linearizable(history: &History) -> LinearizabilityReport {
    LinearizabilityCheck::new(history).finish()
}

/// A linearizability check in progress. It owns what it needs, so it can live across
/// animation frames while the history it was built from moves on.
#[derive(Clone, Debug)]
pub struct LinearizabilityCheck {
    keys: Vec<KeyHistory>,
    next_key: usize,
    phase: Phase,
    reports: Vec<KeyReport>,
    limits: Limits,
    names: Names,
    steps: u64,
    done: Option<LinearizabilityReport>,
}

#[derive(Clone, Debug)]
enum Phase {
    /// Between keys.
    Idle,
    /// `first_try`: the search runs on `KeyHistory::without_unseen_unknowns`; if it finds
    /// no order, the whole key is searched (`spent` steps went into the first try).
    Searching {
        search: Search,
        first_try: bool,
        spent: u64,
    },
    Shrinking {
        shrinker: Shrinker,
        search_steps: u64,
    },
}

impl LinearizabilityCheck {
    pub fn new(history: &History) -> LinearizabilityCheck {
        LinearizabilityCheck::with_limits(history, Limits::default())
    }

    pub fn with_limits(history: &History, limits: Limits) -> LinearizabilityCheck {
        LinearizabilityCheck::from_model(
            ops_by_key(history),
            Default::default(),
            Names::default(),
            limits,
        )
    }

    /// A check of operations already turned into model steps, grouped by key (how an
    /// imported history is checked; see `consistency::external`).
    pub(crate) fn from_model(
        by_key: std::collections::BTreeMap<u16, Vec<ModelOp>>,
        tables: std::collections::BTreeMap<u16, AppendTable>,
        names: Names,
        limits: Limits,
    ) -> LinearizabilityCheck {
        let keys = by_key
            .into_iter()
            .map(|(key, ops)| {
                let mut kh = KeyHistory::new(key, ops);
                if let Some(table) = tables.get(&key) {
                    kh.appends = table.clone();
                }
                kh
            })
            .collect();
        LinearizabilityCheck {
            keys,
            next_key: 0,
            phase: Phase::Idle,
            reports: Vec::new(),
            limits,
            names,
            steps: 0,
            done: None,
        }
    }

    /// The report as it stands: the keys decided so far, and every other key `Unknown`
    /// (for a caller whose own budget, such as time or memory, ran out first).
    pub fn report_so_far(&self) -> LinearizabilityReport {
        let mut so_far = self.clone();
        let current = match &self.phase {
            Phase::Searching { search, spent, .. } => spent + search.steps(),
            Phase::Shrinking { search_steps, .. } => *search_steps,
            Phase::Idle => 0,
        };
        for (i, kh) in self.keys.iter().enumerate().skip(self.reports.len()) {
            so_far.reports.push(KeyReport {
                key: kh.key,
                name: self.names.key(kh.key),
                operations: kh.ops.len(),
                verdict: Verdict::Unknown,
                steps: if i == self.next_key { current } else { 0 },
                violation: None,
                note: Some("not decided before the budget ran out".into()),
            });
        }
        so_far.summarize()
    }

    /// How many keys there are to check, and how many are done.
    pub fn progress(&self) -> (usize, usize) {
        (self.next_key.min(self.keys.len()), self.keys.len())
    }

    /// Steps spent so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Do at most `max_steps` steps of work. Returns the report once the check is finished
    /// (and again on every later call), `None` while it is not. The report does not depend
    /// on how the work was sliced.
    pub fn run(&mut self, max_steps: u64) -> Option<LinearizabilityReport> {
        let mut left = max_steps;
        loop {
            if let Some(report) = &self.done {
                return Some(report.clone());
            }
            let kh = self.keys.get(self.next_key);
            match (&mut self.phase, kh) {
                (Phase::Idle, None) => self.done = Some(self.summarize()),
                (Phase::Idle, Some(kh)) => {
                    let (subset, first_try) = match kh.without_unseen_unknowns() {
                        Some(subset) => (subset, true),
                        None => (kh.all(), false),
                    };
                    let search = kh.search(&kh.search_ops(&subset), self.limits.search_steps);
                    self.phase = Phase::Searching {
                        search,
                        first_try,
                        spent: 0,
                    };
                }
                (
                    Phase::Searching {
                        search,
                        first_try,
                        spent,
                    },
                    Some(kh),
                ) => {
                    let (used, status) = search.run(left);
                    left = left.saturating_sub(used);
                    self.steps += used;
                    let search_steps = *spent + search.steps();
                    if *first_try
                        && !matches!(status, SearchStatus::Running | SearchStatus::Linearizable)
                    {
                        let ops = kh.search_ops(&kh.all());
                        self.phase = Phase::Searching {
                            search: kh.search(&ops, self.limits.search_steps),
                            first_try: false,
                            spent: search_steps,
                        };
                        continue;
                    }
                    match status {
                        SearchStatus::Running => return None,
                        SearchStatus::Linearizable => {
                            self.finish_key(Verdict::Holds, search_steps, None, None);
                        }
                        SearchStatus::GaveUp => {
                            let note = format!(
                                "{}: gave up after {search_steps} search steps over {} ({} \
                                 with unknown outcome); many overlapping or timed-out \
                                 operations make the search space explode",
                                self.names.key(kh.key),
                                count(kh.ops.len(), "operation"),
                                kh.ops.iter().filter(|op| op.indeterminate).count()
                            );
                            self.finish_key(Verdict::Unknown, search_steps, None, Some(note));
                        }
                        SearchStatus::NotLinearizable => {
                            let shrinker = Shrinker::new(
                                kh,
                                self.limits.shrink_steps,
                                self.limits.search_steps,
                                search.blocked_at(),
                            );
                            self.phase = Phase::Shrinking {
                                shrinker,
                                search_steps,
                            };
                        }
                    }
                }
                (
                    Phase::Shrinking {
                        shrinker,
                        search_steps,
                    },
                    Some(kh),
                ) => {
                    let search_steps = *search_steps;
                    let (used, shrunk) = shrinker.run(kh, left);
                    left = left.saturating_sub(used);
                    self.steps += used;
                    let shrunk = shrunk?;
                    let mut operations: Vec<usize> =
                        shrunk.ops.iter().map(|&i| kh.ops[i].index).collect();
                    operations.sort_unstable();
                    let violation = LinearizabilityViolation {
                        key: kh.key,
                        operations,
                        minimal: shrunk.minimal,
                        explanation: explain(kh, &shrunk.ops, &self.names),
                    };
                    self.finish_key(Verdict::Violated, search_steps, Some(violation), None);
                }
                // A phase other than Idle always has a key; recover rather than panic.
                (_, None) => self.phase = Phase::Idle,
            }
        }
    }

    /// Run to the end, however many steps that takes (each key's work is bounded by the
    /// limits, so this always ends).
    pub fn finish(mut self) -> LinearizabilityReport {
        loop {
            if let Some(report) = self.run(u64::MAX) {
                return report;
            }
        }
    }

    fn finish_key(
        &mut self,
        verdict: Verdict,
        steps: u64,
        violation: Option<LinearizabilityViolation>,
        note: Option<String>,
    ) {
        if let Some(kh) = self.keys.get(self.next_key) {
            self.reports.push(KeyReport {
                key: kh.key,
                name: self.names.key(kh.key),
                operations: kh.ops.len(),
                verdict,
                steps,
                violation,
                note,
            });
        }
        self.next_key += 1;
        self.phase = Phase::Idle;
    }

    fn summarize(&self) -> LinearizabilityReport {
        let verdict = if self.reports.iter().any(|k| k.verdict == Verdict::Violated) {
            Verdict::Violated
        } else if self.reports.iter().any(|k| k.verdict == Verdict::Unknown) {
            Verdict::Unknown
        } else {
            Verdict::Holds
        };
        LinearizabilityReport {
            verdict,
            keys: self.reports.clone(),
            steps: self.steps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{ClientOp, Outcome};
    use crate::consistency::bench_history::{bench_history, with_ancient_read};
    use crate::consistency::test_support::{
        cas, failed, history, mismatched, open, r, restrict, timed_out, w,
    };
    use std::collections::BTreeSet;

    const T: u64 = 1_000;

    fn verdict(h: &History) -> Verdict {
        check_linearizable(h).verdict
    }

    /// (name, history, expected verdict): the classic register cases.
    fn cases() -> Vec<(&'static str, History, Verdict)> {
        use Verdict::{Holds, Violated};
        vec![
            ("empty", history(vec![]), Holds),
            (
                "sequential write then read",
                history(vec![w(0, 0, 1, (0, 10)), r(1, 0, Some(1), (20, 30))]),
                Holds,
            ),
            (
                "stale read after a completed write",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    w(0, 0, 2, (20, 30)),
                    r(1, 0, Some(1), (40, 50)),
                ]),
                Violated,
            ),
            (
                "read concurrent with a write may see the old value",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    w(0, 0, 2, (20, 50)),
                    r(1, 0, Some(1), (30, 40)),
                ]),
                Holds,
            ),
            (
                "read concurrent with a write may see the new value",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    w(0, 0, 2, (20, 50)),
                    r(1, 0, Some(2), (30, 40)),
                ]),
                Holds,
            ),
            (
                "touching intervals count as overlapping",
                history(vec![w(0, 0, 1, (0, 10)), r(1, 0, None, (10, 20))]),
                Holds,
            ),
            (
                "one client's touching operations are in order",
                history(vec![w(0, 0, 1, (0, 10)), r(0, 0, None, (10, 20))]),
                Violated,
            ),
            (
                "two readers see concurrent writes in opposite orders",
                history(vec![
                    w(0, 0, 1, (0, 100)),
                    w(1, 0, 2, (0, 100)),
                    r(2, 0, Some(1), (10, 20)),
                    r(3, 0, Some(2), (10, 20)),
                    r(2, 0, Some(2), (30, 40)),
                    r(3, 0, Some(1), (30, 40)),
                ]),
                Violated,
            ),
            (
                "one reader sees concurrent writes in either order once",
                history(vec![
                    w(0, 0, 1, (0, 100)),
                    w(1, 0, 2, (0, 100)),
                    r(2, 0, Some(1), (10, 20)),
                    r(3, 0, Some(1), (10, 20)),
                    r(2, 0, Some(2), (30, 40)),
                    r(3, 0, Some(2), (30, 40)),
                ]),
                Holds,
            ),
            (
                "read of unset after a completed write",
                history(vec![w(0, 0, 1, (0, 10)), r(1, 0, None, (20, 30))]),
                Violated,
            ),
            (
                "read of unset concurrent with the first write",
                history(vec![w(0, 0, 1, (0, 30)), r(1, 0, None, (10, 20))]),
                Holds,
            ),
            (
                "read of a value before its write began",
                history(vec![r(1, 0, Some(1), (0, 10)), w(0, 0, 1, (20, 30))]),
                Violated,
            ),
            (
                "read of a value nobody wrote",
                history(vec![w(0, 0, 1, (0, 10)), r(1, 0, Some(7), (20, 30))]),
                Violated,
            ),
            (
                "successful CAS from the current value",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    cas(1, 0, 1, 2, (20, 30)),
                    r(2, 0, Some(2), (40, 50)),
                ]),
                Holds,
            ),
            (
                "read misses a completed CAS",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    cas(1, 0, 1, 2, (20, 30)),
                    r(2, 0, Some(1), (40, 50)),
                ]),
                Violated,
            ),
            (
                "CAS succeeds from an overwritten value",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    w(0, 0, 3, (20, 30)),
                    cas(1, 0, 1, 2, (40, 50)),
                ]),
                Violated,
            ),
            (
                "failed CAS changes nothing",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    failed(cas(1, 0, 1, 2, (20, 30))),
                    r(2, 0, Some(1), (40, 50)),
                ]),
                Holds,
            ),
            (
                "a failed CAS says the value was not its from",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    mismatched(cas(1, 0, 1, 2, (20, 30))),
                    r(2, 0, Some(1), (40, 50)),
                ]),
                Violated,
            ),
            (
                "a lone CAS from a value nobody wrote",
                history(vec![w(0, 0, 1, (0, 10)), cas(0, 0, 4, 4, (20, 30))]),
                Violated,
            ),
            (
                "a failed CAS concurrent with the write may precede it",
                history(vec![
                    w(0, 0, 1, (0, 30)),
                    mismatched(cas(1, 0, 1, 2, (20, 40))),
                    r(2, 0, Some(1), (50, 60)),
                ]),
                Holds,
            ),
            (
                "a failed CAS on the unset key",
                history(vec![mismatched(cas(1, 0, 1, 2, (20, 30)))]),
                Holds,
            ),
            (
                "timed-out write that took effect",
                history(vec![
                    timed_out(w(0, 0, 1, (0, 10))),
                    r(1, 0, Some(1), (20, 30)),
                ]),
                Holds,
            ),
            (
                "timed-out write that did not take effect",
                history(vec![
                    timed_out(w(0, 0, 1, (0, 10))),
                    r(1, 0, None, (20, 30)),
                ]),
                Holds,
            ),
            (
                "timed-out write that took effect long after its timeout",
                history(vec![
                    timed_out(w(0, 0, 1, (0, 10))),
                    r(1, 0, None, (20, 30)),
                    r(1, 0, Some(1), (10 * T, 11 * T)),
                ]),
                Holds,
            ),
            (
                "timed-out write seen, then unseen",
                history(vec![
                    timed_out(w(0, 0, 1, (0, 10))),
                    r(1, 0, Some(1), (20, 30)),
                    r(1, 0, None, (40, 50)),
                ]),
                Violated,
            ),
            (
                "timed-out write cannot land before its invocation",
                history(vec![
                    r(1, 0, Some(1), (0, 10)),
                    timed_out(w(0, 0, 1, (20, 30))),
                ]),
                Violated,
            ),
            (
                "write still open when the history was taken",
                history(vec![
                    open(w(0, 0, 5, (0, 0))),
                    r(1, 0, Some(5), (T, T + 10)),
                ]),
                Holds,
            ),
            (
                "timed-out CAS that took effect",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    timed_out(cas(1, 0, 1, 2, (20, 30))),
                    r(2, 0, Some(2), (40, 50)),
                    r(2, 0, Some(2), (60, 70)),
                ]),
                Holds,
            ),
            (
                "timed-out CAS cannot take effect from the wrong value",
                history(vec![
                    w(0, 0, 3, (0, 10)),
                    timed_out(cas(1, 0, 1, 2, (20, 30))),
                    r(2, 0, Some(2), (40, 50)),
                ]),
                Violated,
            ),
            (
                "a timed-out read observed nothing",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    timed_out(r(1, 0, Some(99), (20, 30))),
                ]),
                Holds,
            ),
            (
                "keys are independent",
                history(vec![
                    w(0, 0, 1, (0, 10)),
                    r(1, 1, None, (20, 30)),
                    r(1, 0, Some(1), (40, 50)),
                ]),
                Holds,
            ),
        ]
    }

    #[test]
    fn classic_register_histories_get_the_right_verdict() {
        for (name, h, expected) in cases() {
            let report = check_linearizable(&h);
            assert_eq!(report.verdict, expected, "{name}: {report:#?}");
            assert_eq!(
                report.violations().count(),
                usize::from(expected == Verdict::Violated),
                "{name}"
            );
        }
    }

    #[test]
    fn explanations_name_the_read_and_the_reason() {
        let expect = [
            (
                "stale read after a completed write",
                "In k0, let A be C1's write of 1, B be C1's write of 2, and C be C2's read, \
                 which returned 1. Then C must follow A with no other write in between. But B \
                 began after A completed and completed before C began, so B overwrote 1 \
                 before C, a contradiction.",
            ),
            (
                "read of unset after a completed write",
                "In k0, let A be C1's write of 1 and B be C2's read, which found the key \
                 unset. A completed before B began, so B must follow A. Then k0 holds a value \
                 when B takes effect, since nothing unsets a key; yet B found it unset, a \
                 contradiction.",
            ),
            (
                "read of a value before its write began",
                "In k0, let A be C2's read, which returned 1. Then a write of 1 must precede \
                 A; but every write of 1 began after A completed, a contradiction.",
            ),
            (
                "read of a value nobody wrote",
                "In k0, let A be C2's read, which returned 7. Then some operation must have \
                 written 7 before A; but no operation in the history writes 7 to k0, a \
                 contradiction.",
            ),
            (
                "CAS succeeds from an overwritten value",
                "In k0, let A be C1's write of 1, B be C1's write of 3, and C be C2's \
                 compare-and-set from 1 to 2, which succeeded. Then C must follow A with no \
                 other write in between. But B began after A completed and completed before \
                 C began, so B overwrote 1 before C, a contradiction.",
            ),
            (
                "a failed CAS says the value was not its from",
                "In k0, let A be C1's write of 1 and B be C2's compare-and-set from 1, which \
                 failed because it found another value. Every order that respects real time \
                 puts B after A with k0 still holding what A wrote. Then B must have found \
                 that value and succeeded, a contradiction.",
            ),
            (
                "a lone CAS from a value nobody wrote",
                "In k0, let A be C1's compare-and-set from 4 to 4, which succeeded. Then some \
                 operation must have written 4 before A; but no operation in the history \
                 writes 4 to k0, a contradiction.",
            ),
        ];
        let all = cases();
        for (name, sentence) in expect {
            let Some((_, h, _)) = all.iter().find(|(n, _, _)| *n == name) else {
                panic!("no case {name}");
            };
            let report = check_linearizable(h);
            let v = report.violations().next().expect("a violation");
            assert_eq!(v.explanation, sentence, "{name}");
        }
    }

    /// `set` without `victim` and without every operation that observes (reads, or compares
    /// against) a value that a dropped operation wrote, repeatedly (written independently of
    /// `KeyHistory::without`).
    fn drop_with_dependents(h: &History, set: &[usize], victim: usize) -> Vec<usize> {
        let writes = |i: usize| match (h.operations[i].op, h.operations[i].outcome) {
            (_, Some(Outcome::Fail | Outcome::Mismatch)) => None,
            (ClientOp::Write { value, .. }, _) => Some(value),
            (ClientOp::Cas { to, .. }, _) => Some(to),
            (ClientOp::Read { .. }, _) => None,
        };
        let sees = |i: usize| match (h.operations[i].op, h.operations[i].outcome) {
            (ClientOp::Read { .. }, Some(Outcome::Ok { value })) => value,
            (ClientOp::Cas { .. }, Some(Outcome::Fail)) => None,
            (ClientOp::Cas { from, .. }, _) => Some(from),
            _ => None,
        };
        let mut dropped = vec![victim];
        loop {
            let lost: BTreeSet<u32> = dropped.iter().filter_map(|&i| writes(i)).collect();
            let more: Vec<usize> = set
                .iter()
                .copied()
                .filter(|i| !dropped.contains(i))
                .filter(|&i| sees(i).is_some_and(|v| lost.contains(&v)))
                .collect();
            if more.is_empty() {
                return set
                    .iter()
                    .copied()
                    .filter(|i| !dropped.contains(i))
                    .collect();
            }
            dropped.extend(more);
        }
    }

    /// The violation's set is not linearizable on its own, and (when marked minimal) every
    /// single drop makes it linearizable.
    fn assert_locally_minimal(h: &History, v: &LinearizabilityViolation) {
        let alone = restrict(h, &v.operations);
        assert_eq!(verdict(&alone), Verdict::Violated, "{v:?}");
        assert!(v.minimal, "the shrink budget should suffice here: {v:?}");
        for &victim in &v.operations {
            let rest = drop_with_dependents(h, &v.operations, victim);
            assert_eq!(
                verdict(&restrict(h, &rest)),
                Verdict::Holds,
                "dropping op {victim} from {:?} keeps a violation",
                v.operations
            );
        }
    }

    #[test]
    fn offending_sets_are_violations_and_locally_minimal() {
        for (name, h, expected) in cases() {
            if expected != Verdict::Violated {
                continue;
            }
            let report = check_linearizable(&h);
            let v = report.violations().next().expect(name);
            assert_locally_minimal(&h, v);
        }
        // Padding around a stale read shrinks away.
        let mut ops = vec![
            w(0, 0, 1, (0, 10)),
            w(0, 0, 2, (20, 30)),
            r(1, 0, Some(1), (40, 50)),
        ];
        for i in 0..20u32 {
            let t = 100 + 20 * u64::from(i);
            ops.push(w(2, 0, 10 + i, (t, t + 5)));
            ops.push(r(3, 0, Some(10 + i), (t + 10, t + 15)));
        }
        let h = history(ops);
        let report = check_linearizable(&h);
        let v = report.violations().next().expect("stale read");
        assert_eq!(v.operations, vec![0, 1, 2]);
        assert_locally_minimal(&h, v);
    }

    #[test]
    fn a_tight_shrink_budget_says_the_set_may_not_be_minimal() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(0, 0, 2, (20, 30)),
            r(1, 0, Some(1), (40, 50)),
            r(1, 0, Some(2), (60, 70)),
        ]);
        let limits = Limits {
            search_steps: 1_000,
            shrink_steps: 1,
        };
        let report = LinearizabilityCheck::with_limits(&h, limits).finish();
        let v = report.violations().next().expect("violation");
        assert!(!v.minimal);
        assert_eq!(verdict(&restrict(&h, &v.operations)), Verdict::Violated);
    }

    #[test]
    fn the_step_limit_answers_unknown() {
        let h = bench_history(200, 5, 9);
        let limits = Limits {
            search_steps: 50,
            shrink_steps: 50,
        };
        let report = LinearizabilityCheck::with_limits(&h, limits).finish();
        assert_eq!(report.verdict, Verdict::Unknown);
        assert_eq!(report.keys[0].steps, 50);
        assert!(report.keys[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("gave up")));
    }

    #[test]
    fn multiple_keys_are_reported_separately() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(0, 1, 1, (0, 10)),
            r(1, 0, Some(1), (20, 30)),
            r(1, 1, None, (20, 30)),
        ]);
        let report = check_linearizable(&h);
        assert_eq!(report.verdict, Verdict::Violated);
        let per_key: Vec<(u16, Verdict)> = report.keys.iter().map(|k| (k.key, k.verdict)).collect();
        assert_eq!(per_key, vec![(0, Verdict::Holds), (1, Verdict::Violated)]);
        let v = report.violations().next().expect("k1");
        assert_eq!((v.key, v.operations.clone()), (1, vec![1, 3]));
    }

    #[test]
    fn checking_in_slices_gives_the_one_shot_report() {
        let mut histories: Vec<History> = cases().into_iter().map(|(_, h, _)| h).collect();
        histories.push(bench_history(300, 4, 2));
        let mut mutated = bench_history(300, 4, 2);
        if let Some(read) = mutated.operations.iter_mut().rev().find(|o| o.op.is_read()) {
            read.outcome = Some(Outcome::Ok { value: Some(1) });
        }
        histories.push(mutated);
        for h in histories {
            let one_shot = check_linearizable(&h);
            let mut check = LinearizabilityCheck::new(&h);
            let mut calls = 0u64;
            let sliced = loop {
                calls += 1;
                if let Some(report) = check.run(10) {
                    break report;
                }
            };
            assert_eq!(sliced, one_shot);
            assert!(
                calls >= one_shot.steps / 10,
                "{calls} calls for {}",
                one_shot.steps
            );
            // A finished check keeps answering the same.
            assert_eq!(check.run(10), Some(one_shot));
        }
    }

    #[test]
    fn malformed_histories_do_not_panic() {
        let mut weird = vec![
            w(0, 0, u32::MAX, (u64::MAX - 1, u64::MAX)),
            r(1, 0, Some(u32::MAX), (50, 10)), // returns before it was invoked
            cas(2, 0, 5, 5, (0, 0)),
            w(3, u16::MAX, 0, (0, 1)),
            w(3, u16::MAX, 0, (2, 3)), // duplicate value
            r(4, u16::MAX, Some(0), (4, 5)),
        ];
        let mut no_return = r(5, 0, Some(3), (7, 8));
        no_return.return_us = None; // answered Ok, yet no return time
        weird.push(no_return);
        let mut no_outcome = w(6, 0, 3, (1, 2));
        no_outcome.outcome = None; // returned, yet no outcome
        weird.push(no_outcome);
        let h = History { operations: weird };
        let report = check_linearizable(&h);
        assert_eq!(report.keys.len(), 2);
        let _ = crate::consistency::check_sequential(&h);
        let _ = crate::consistency::check_sessions(&h);
        let _ = crate::consistency::check_convergence(&h, 0);
        let _ = crate::consistency::stale_reads(&h);
    }

    #[test]
    fn a_large_generated_history_passes_and_one_ancient_read_fails_it() {
        let h = bench_history(2_000, 5, 7);
        let report = check_linearizable(&h);
        assert_eq!(report.verdict, Verdict::Holds, "{report:?}");
        assert_eq!(report.keys.len(), 1);

        let (mutated, read) = with_ancient_read(&h).expect("a stale read can be planted");
        let report = check_linearizable(&mutated);
        assert_eq!(report.verdict, Verdict::Violated);
        let v = report.violations().next().expect("violation");
        assert!(v.operations.contains(&read), "{v:?}");
        assert!(v.operations.len() <= 4, "{v:?}");
        assert!(
            v.explanation.starts_with("In k0, let A be C") && v.explanation.contains("read"),
            "{}",
            v.explanation
        );
        assert_locally_minimal(&mutated, v);
    }

    /// The benchmark's large histories: linearizable by construction, so the check must say
    /// so within the default budget (prints the time; asserts nothing about it).
    #[test]
    fn the_benchmark_histories_check_within_the_default_budget() {
        use crate::consistency::bench_history::{per_key_bench_history, with_unknown_outcomes};
        for (name, h) in [
            (
                "per-key, 20,000 ops, 50 clients",
                per_key_bench_history(20_000, 50, 200, 1),
            ),
            (
                "single key, 2,000 ops, 20 clients, 5% unknown",
                with_unknown_outcomes(&bench_history(2_000, 20, 1), 20),
            ),
        ] {
            let started = std::time::Instant::now();
            let report = check_linearizable(&h);
            assert_eq!(
                report.verdict,
                Verdict::Holds,
                "{name}: {:?}",
                report.keys.iter().find(|k| k.verdict != Verdict::Holds)
            );
            println!(
                "{name}: {} steps in {:.1} ms",
                report.steps,
                started.elapsed().as_secs_f64() * 1e3
            );
        }
    }

    /// Jepsen-size register histories (a few hundred operations, five to ten processes, a
    /// dozen unknown outcomes) are decided within the default budget, both ways.
    #[test]
    fn jepsen_size_register_histories_are_decided_within_the_default_budget() {
        use crate::consistency::bench_history::with_unknown_outcomes;
        for seed in 0..20 {
            let clients = 5 + (seed % 6) as u16;
            let h = with_unknown_outcomes(&bench_history(300, clients, seed), 25);
            let report = check_linearizable(&h);
            assert_eq!(report.verdict, Verdict::Holds, "seed {seed}: {report:?}");
            if let Some((stale, read)) = with_ancient_read(&h) {
                let report = check_linearizable(&stale);
                assert_eq!(report.verdict, Verdict::Violated, "seed {seed}");
                let v = report.violations().next().expect("violation");
                assert!(v.operations.contains(&read), "seed {seed}: {v:?}");
                assert_eq!(verdict(&restrict(&stale, &v.operations)), Verdict::Violated);
            }
        }
    }

    /// Correctness of the 10,000-operation target; prints the time it took (run with
    /// `--release --nocapture` for the figure). It asserts nothing about time.
    #[test]
    fn ten_thousand_operations_check() {
        let h = bench_history(10_000, 5, 1);
        let started = std::time::Instant::now();
        let report = check_linearizable(&h);
        let elapsed = started.elapsed();
        assert_eq!(report.verdict, Verdict::Holds);
        println!(
            "10,000-op history: {} steps in {:.1} ms",
            report.steps,
            elapsed.as_secs_f64() * 1e3
        );
        let (mutated, _) = with_ancient_read(&h).expect("a stale read can be planted");
        let started = std::time::Instant::now();
        let report = check_linearizable(&mutated);
        let elapsed = started.elapsed();
        assert_eq!(report.verdict, Verdict::Violated);
        println!(
            "10,000-op history with an ancient read: {} steps (search and shrink) in {:.1} ms",
            report.steps,
            elapsed.as_secs_f64() * 1e3
        );
    }
}
