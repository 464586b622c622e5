//! The checkers against brute force on hundreds of small random histories.
//!
//! The oracle is the definition, enumerated: choose which indeterminate operations took
//! effect, then try every order of the chosen operations that respects real time (or program
//! order, for sequential consistency) and see whether every result is explained. It shares
//! no code with the searches, so it checks the optimizations they rely on (greedy reads,
//! pruned and merged unobserved writes, the cache, the search's hunches, the merge of
//! per-key orders), including with duplicate values, which the searches must not assume
//! away.

use super::test_support::restrict;
use super::*;
use crate::client::{ClientOp, Outcome};
use crate::history::{History, Operation};
use crate::rng::Rng;
use std::collections::BTreeMap;

/// An operation as the oracle sees it.
#[derive(Clone, Copy, Debug)]
struct Step {
    process: u16,
    seq: u32,
    op: ClientOp,
    /// `None`: a read result, `Some(None)` for unset.
    read: Option<Option<u32>>,
    call: u64,
    /// `None`: indeterminate (may take effect any time after `call`, or never).
    ret: Option<u64>,
    /// A compare-and-set that found another value than its `from`.
    mismatch: bool,
}

/// The history's steps; `mismatches`: whether a CAS that found another value constrains the
/// order (it does for linearizability; the sequential check leaves it out).
fn steps(h: &History, mismatches: bool) -> Vec<Step> {
    h.operations
        .iter()
        .filter_map(|o| {
            let definite = matches!(o.outcome, Some(Outcome::Ok { .. } | Outcome::Mismatch));
            match (o.op, o.outcome) {
                (_, Some(Outcome::Fail)) => None,
                (ClientOp::Cas { .. }, Some(Outcome::Mismatch)) if mismatches => Some(Step {
                    process: o.process,
                    seq: o.seq,
                    op: o.op,
                    read: None,
                    call: o.invoke_us,
                    ret: o.return_us,
                    mismatch: true,
                }),
                (_, Some(Outcome::Mismatch)) => None,
                (ClientOp::Read { .. }, Some(Outcome::Ok { value })) => Some(Step {
                    process: o.process,
                    seq: o.seq,
                    op: o.op,
                    read: Some(value),
                    call: o.invoke_us,
                    ret: o.return_us,
                    mismatch: false,
                }),
                (ClientOp::Read { .. }, _) => None,
                _ => Some(Step {
                    process: o.process,
                    seq: o.seq,
                    op: o.op,
                    read: None,
                    call: o.invoke_us,
                    ret: if definite { o.return_us } else { None },
                    mismatch: false,
                }),
            }
        })
        .collect()
}

/// Does some subset of the indeterminate steps, plus all definite ones, have a legal order
/// in which `before(a, b)` steps come first?
fn explainable(all: &[Step], before: &dyn Fn(&Step, &Step) -> bool) -> bool {
    let indeterminate: Vec<usize> = (0..all.len()).filter(|&i| all[i].ret.is_none()).collect();
    (0u32..1 << indeterminate.len()).any(|mask| {
        let chosen: Vec<Step> = (0..all.len())
            .filter(|&i| match indeterminate.iter().position(|&j| j == i) {
                Some(bit) => mask & (1 << bit) != 0,
                None => true,
            })
            .map(|i| all[i])
            .collect();
        let mut placed = vec![false; chosen.len()];
        orders(&chosen, &mut placed, &mut BTreeMap::new(), before)
    })
}

fn orders(
    steps: &[Step],
    placed: &mut [bool],
    state: &mut BTreeMap<u16, u32>,
    before: &dyn Fn(&Step, &Step) -> bool,
) -> bool {
    if placed.iter().all(|&p| p) {
        return true;
    }
    for i in 0..steps.len() {
        if placed[i]
            || (0..steps.len()).any(|j| !placed[j] && j != i && before(&steps[j], &steps[i]))
        {
            continue;
        }
        let s = steps[i];
        let key = s.op.key();
        let current = state.get(&key).copied();
        let after = match (s.op, s.read) {
            (ClientOp::Read { .. }, Some(value)) if value == current => current,
            (ClientOp::Read { .. }, _) => continue,
            (ClientOp::Write { value, .. }, _) => Some(value),
            (ClientOp::Cas { from, .. }, _) if s.mismatch => {
                if current == Some(from) {
                    continue;
                }
                current
            }
            (ClientOp::Cas { from, to, .. }, _) if current == Some(from) => Some(to),
            (ClientOp::Cas { .. }, _) => continue,
        };
        placed[i] = true;
        let mut next = state.clone();
        if let Some(v) = after {
            next.insert(key, v);
        }
        let found = orders(steps, placed, &mut next, before);
        placed[i] = false;
        if found {
            return true;
        }
    }
    false
}

fn linearizable(h: &History) -> bool {
    // Real time, where a client's operation invoked just as its previous one on the key
    // returned counts as after it.
    explainable(&steps(h, true), &|a, b| {
        a.ret.is_some_and(|r| {
            r < b.call
                || (r == b.call
                    && a.process == b.process
                    && a.seq < b.seq
                    && a.op.key() == b.op.key())
        })
    })
}

fn sequentially_consistent(h: &History) -> bool {
    // A definite operation precedes its process's later ones; an indeterminate one follows
    // its process's earlier definite ones but binds nothing after it.
    explainable(&steps(h, false), &|a, b| {
        a.process == b.process && a.seq < b.seq && a.ret.is_some()
    })
}

/// One planned operation: (linearization point, process, seq, op, call, return, fate).
type Planned = (u64, u16, u32, ClientOp, u64, u64, u64);

/// Each of `n_processes` clients issues one to three operations, one at a time, starting
/// within `start_max` µs, each lasting under `latency_max` µs, with `op` choosing what
/// each does and a fate (0 to 9) drawn for it; sorted by linearization point.
fn plan(
    rng: &mut Rng,
    n_processes: u16,
    (start_max, latency_max): (u64, u64),
    op: &dyn Fn(&mut Rng) -> ClientOp,
) -> Vec<Planned> {
    let mut planned = Vec::new();
    for process in 0..n_processes {
        let mut t = rng.below(start_max);
        for seq in 0..rng.range_inclusive(1, 3) as u32 {
            let call = t + rng.below(3);
            let ret = call + rng.below(latency_max);
            let point = rng.range_inclusive(call, ret);
            let op = op(rng);
            let fate = rng.below(10);
            planned.push((point, process, seq, op, call, ret, fate));
            t = ret + rng.below(2);
        }
    }
    planned.sort_by_key(|p| (p.0, p.1));
    planned
}

/// A small random history: three sequential clients, two keys, values 1 to 3 (so values
/// repeat), some timeouts, failures and CASes; half of them recorded from a true register
/// (so that many are linearizable), half with random results.
fn random_history(rng: &mut Rng) -> History {
    let faithful = rng.chance_ppm(500_000);
    let planned = plan(rng, 3, (4, 6), &|rng| {
        let key = rng.below(2) as u16;
        let value = rng.range_inclusive(1, 3) as u32;
        match rng.below(10) {
            0..=4 => ClientOp::Read { key },
            5..=7 => ClientOp::Write { key, value },
            _ => ClientOp::Cas {
                key,
                from: rng.range_inclusive(1, 3) as u32,
                to: value,
            },
        }
    });
    let mut register: BTreeMap<u16, u32> = BTreeMap::new();
    let mut operations = Vec::new();
    for (_, process, seq, op, call, ret, fate) in planned {
        let current = register.get(&op.key()).copied();
        // fate 0: timed out (a write still took effect when faithful); 1: open.
        let outcome = match op {
            ClientOp::Read { .. } if faithful => Outcome::Ok { value: current },
            ClientOp::Read { .. } => Outcome::Ok {
                value: rng.below(4).checked_sub(1).map(|v| v as u32 + 1),
            },
            ClientOp::Write { key, value } => {
                if faithful && fate != 1 {
                    register.insert(key, value);
                }
                Outcome::Ok { value: None }
            }
            ClientOp::Cas { key, from, to } => {
                let succeeds = if faithful {
                    current == Some(from)
                } else {
                    rng.chance_ppm(500_000)
                };
                if succeeds {
                    if faithful && fate != 1 {
                        register.insert(key, to);
                    }
                    Outcome::Ok { value: None }
                } else if faithful || rng.chance_ppm(500_000) {
                    Outcome::Mismatch
                } else {
                    Outcome::Fail
                }
            }
        };
        let failed = matches!(outcome, Outcome::Fail | Outcome::Mismatch);
        let (outcome, return_us) = match fate {
            0 if !failed => (Some(Outcome::Timeout), Some(ret)),
            1 if !failed => (None, None),
            _ => (Some(outcome), Some(ret)),
        };
        operations.push(Operation {
            process,
            seq,
            node: 0,
            op,
            invoke_us: call,
            return_us,
            outcome,
        });
    }
    operations.sort_by_key(|o| (o.invoke_us, o.process));
    History { operations }
}

#[test]
fn linearizability_matches_brute_force() {
    let mut rng = Rng::from_seed(2024);
    let (mut holds, mut violated) = (0, 0);
    for case in 0..1500 {
        let h = random_history(&mut rng);
        let expected = linearizable(&h);
        let report = check_linearizable(&h);
        let want = if expected {
            Verdict::Holds
        } else {
            Verdict::Violated
        };
        assert_eq!(report.verdict, want, "case {case}: {h:#?}\n{report:#?}");
        if expected {
            holds += 1;
            // Nothing the session checks or the stale count flag can happen in a
            // linearizable history: their write order is sound.
            assert_eq!(stale_reads(&h), 0, "case {case}: {h:#?}");
            assert!(check_sessions(&h).is_empty(), "case {case}: {h:#?}");
            continue;
        }
        violated += 1;
        for v in report.violations() {
            let alone = restrict(&h, &v.operations);
            assert!(!linearizable(&alone), "case {case}: {v:?} {h:#?}");
            assert!(v.minimal, "case {case}");
            for &victim in &v.operations {
                let rest: Vec<usize> = v
                    .operations
                    .iter()
                    .copied()
                    .filter(|&i| i != victim)
                    .collect();
                let rest = drop_orphans(&h, &v.operations, rest);
                assert!(
                    linearizable(&restrict(&h, &rest)),
                    "case {case}: dropping {victim} from {v:?} keeps a violation: {h:#?}"
                );
            }
        }
    }
    // The generator exercises both answers.
    assert!(holds > 400 && violated > 400, "{holds} / {violated}");
}

#[test]
fn sequential_consistency_matches_brute_force() {
    let mut rng = Rng::from_seed(7);
    let (mut holds, mut violated) = (0, 0);
    for case in 0..1500 {
        let h = random_history(&mut rng);
        let expected = sequentially_consistent(&h);
        let report = check_sequential(&h);
        let want = if expected {
            Verdict::Holds
        } else {
            Verdict::Violated
        };
        assert_eq!(report.verdict, want, "case {case}: {h:#?}\n{report:#?}");
        if expected {
            holds += 1;
        } else {
            violated += 1;
        }
    }
    assert!(holds > 400 && violated > 200, "{holds} / {violated}");
}

/// `rest` without every operation that observes (reads, or compares against) a value written
/// by an operation of `set` missing from `rest`, repeatedly.
fn drop_orphans(h: &History, set: &[usize], mut rest: Vec<usize>) -> Vec<usize> {
    let writes = |i: usize| match (h.operations[i].op, h.operations[i].outcome) {
        (_, Some(Outcome::Fail | Outcome::Mismatch)) | (ClientOp::Read { .. }, _) => None,
        (ClientOp::Write { key, value }, _) => Some((key, value)),
        (ClientOp::Cas { key, to, .. }, _) => Some((key, to)),
    };
    let sees = |i: usize| match (h.operations[i].op, h.operations[i].outcome) {
        (ClientOp::Read { key }, Some(Outcome::Ok { value: Some(v) })) => Some((key, v)),
        (ClientOp::Cas { .. }, Some(Outcome::Fail)) => None,
        (ClientOp::Cas { key, from, .. }, _) => Some((key, from)),
        _ => None,
    };
    loop {
        let lost: Vec<(u16, u32)> = set
            .iter()
            .filter(|i| !rest.contains(i))
            .filter_map(|&i| writes(i))
            .collect();
        let before = rest.len();
        rest.retain(|&i| sees(i).is_none_or(|kv| !lost.contains(&kv)));
        if rest.len() == before {
            return rest;
        }
    }
}

/// A busier small history for the shrinker: four clients with overlapping operations, values
/// 0 and 1 only (so nearly every value repeats), many CASes (successful, failed and unknown)
/// and unknown writes, recorded from a true register with a few results corrupted.
fn repeated_value_history(rng: &mut Rng) -> History {
    let planned = plan(rng, 4, (3, 8), &|rng| {
        let value = rng.below(2) as u32;
        match rng.below(10) {
            0..=3 => ClientOp::Read { key: 0 },
            4..=6 => ClientOp::Write { key: 0, value },
            _ => ClientOp::Cas {
                key: 0,
                from: rng.below(2) as u32,
                to: value,
            },
        }
    });
    let mut register: Option<u32> = None;
    let mut operations = Vec::new();
    for (_, process, seq, op, call, ret, fate) in planned {
        // fate 0-1: unknown outcome (a write still took effect on 0); 2: corrupted result.
        let outcome = match op {
            ClientOp::Read { .. } if fate == 2 => Outcome::Ok {
                value: Some(1 - register.unwrap_or(0)),
            },
            ClientOp::Read { .. } => Outcome::Ok { value: register },
            ClientOp::Write { value, .. } => {
                if fate != 1 {
                    register = Some(value);
                }
                Outcome::Ok { value: None }
            }
            ClientOp::Cas { from, to, .. } => {
                if (register == Some(from)) != (fate == 2) {
                    if fate != 1 {
                        register = Some(to);
                    }
                    Outcome::Ok { value: None }
                } else {
                    Outcome::Mismatch
                }
            }
        };
        let unknown = fate < 2 && !op.is_read() && outcome != Outcome::Mismatch;
        operations.push(Operation {
            process,
            seq,
            node: 0,
            op,
            invoke_us: call,
            return_us: Some(ret),
            outcome: Some(if unknown { Outcome::Timeout } else { outcome }),
        });
    }
    operations.sort_by_key(|o| (o.invoke_us, o.process));
    History { operations }
}

/// Every reported offending set is itself not linearizable, and stays so when every write
/// of a value it observes (invoked before that observer returned) is added back: the set
/// blames a contradiction the history really has, not one made by leaving out the write a
/// read saw. Over histories with repeated values, CASes and unknown outcomes.
#[test]
fn offending_sets_hold_up_with_repeated_values() {
    let mut rng = Rng::from_seed(20);
    let mut violated = 0;
    for case in 0..1500 {
        let h = repeated_value_history(&mut rng);
        let report = check_linearizable(&h);
        let expected = linearizable(&h);
        assert_eq!(
            report.verdict == Verdict::Holds,
            expected,
            "case {case}: {h:#?}\n{report:#?}"
        );
        for v in report.violations() {
            violated += 1;
            assert!(
                !linearizable(&restrict(&h, &v.operations)),
                "case {case}: {v:?} {h:#?}"
            );
            let mut closed = v.operations.clone();
            for &i in &v.operations {
                let o = &h.operations[i];
                let seen = match (o.op, o.outcome) {
                    (ClientOp::Read { .. }, Some(Outcome::Ok { value: Some(v) })) => v,
                    (ClientOp::Cas { from, .. }, Some(Outcome::Ok { .. })) => from,
                    _ => continue,
                };
                let by = o.return_us.unwrap_or(u64::MAX);
                for (j, w) in h.operations.iter().enumerate() {
                    let writes = match (w.op, w.outcome) {
                        (_, Some(Outcome::Fail | Outcome::Mismatch)) => None,
                        (ClientOp::Write { value, .. }, _) => Some(value),
                        (ClientOp::Cas { to, .. }, _) => Some(to),
                        (ClientOp::Read { .. }, _) => None,
                    };
                    if writes == Some(seen) && w.invoke_us < by && !closed.contains(&j) {
                        closed.push(j);
                    }
                }
            }
            closed.sort_unstable();
            assert!(
                !linearizable(&restrict(&h, &closed)),
                "case {case}: {v:?} is explained once the writes of what it saw are back: \
                 {closed:?} {h:#?}"
            );
            assert!(
                !v.explanation.contains(" 1 operations"),
                "case {case}: {v:?} {:?}",
                restrict(&h, &v.operations)
            );
        }
    }
    assert!(violated > 300, "{violated}");
}
