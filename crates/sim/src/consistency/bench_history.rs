//! Large linearizable histories on demand, for the checkers' tests and benchmarks.
//!
//! The generator simulates a *true* atomic register: each client issues one operation at a
//! time (think, invoke, wait, return), every operation takes effect at a linearization
//! point drawn between its invocation and its return, and each result is what the register
//! held at that point. The history is therefore linearizable by construction, with
//! realistic overlap between clients, and every random choice comes from the seeded
//! [`Rng`], so a seed names one history on every platform.

use crate::client::{ClientOp, Outcome};
use crate::history::{History, Operation};
use crate::rng::Rng;

/// Longest pause between a client's operations, in µs.
const MAX_THINK_US: u64 = 20;
/// Longest operation, invocation to return, in µs.
const MAX_LATENCY_US: u64 = 100;

/// A linearizable single-key (`k0`) register history of `n_ops` operations by `n_clients`
/// clients: half reads, 40% writes of fresh values, 10% compare-and-sets from the value the
/// client last saw (which fail when someone wrote in between). With the default timing a
/// few clients overlap at any moment, as in a busy real system. Empty when either count is
/// zero.
pub fn bench_history(n_ops: usize, n_clients: u16, seed: u64) -> History {
    if n_ops == 0 || n_clients == 0 {
        return History::default();
    }
    let mut rng = Rng::from_seed(seed);
    let clients = usize::from(n_clients);

    // When each operation starts, ends and takes effect. The client that is free earliest
    // goes next, so clients interleave evenly.
    struct Planned {
        process: u16,
        seq: u32,
        kind: u64,
        invoke: u64,
        ret: u64,
        point: u64,
    }
    let mut free_at = vec![0u64; clients];
    let mut seqs = vec![0u32; clients];
    let mut planned = Vec::with_capacity(n_ops);
    for _ in 0..n_ops {
        let mut c = 0;
        for (i, &t) in free_at.iter().enumerate() {
            if t < free_at[c] {
                c = i;
            }
        }
        let invoke = free_at[c] + rng.range_inclusive(0, MAX_THINK_US);
        let ret = invoke + rng.range_inclusive(1, MAX_LATENCY_US);
        let point = rng.range_inclusive(invoke, ret);
        planned.push(Planned {
            process: c as u16,
            seq: seqs[c],
            kind: rng.below(100),
            invoke,
            ret,
            point,
        });
        seqs[c] += 1;
        free_at[c] = ret;
    }

    // Run the register in linearization-point order and record what each operation saw.
    let mut by_point: Vec<usize> = (0..planned.len()).collect();
    by_point.sort_by_key(|&i| (planned[i].point, i));
    let mut register: Option<u32> = None;
    let mut fresh = 1u32;
    let mut last_seen: Vec<Option<u32>> = vec![None; clients];
    let mut results: Vec<Option<(ClientOp, Outcome)>> = vec![None; planned.len()];
    for i in by_point {
        let p = &planned[i];
        let c = usize::from(p.process);
        let result = if p.kind < 50 {
            last_seen[c] = register;
            (ClientOp::Read { key: 0 }, Outcome::Ok { value: register })
        } else if p.kind < 90 {
            register = Some(fresh);
            last_seen[c] = register;
            fresh += 1;
            (
                ClientOp::Write {
                    key: 0,
                    value: fresh - 1,
                },
                Outcome::Ok { value: None },
            )
        } else {
            let from = last_seen[c].unwrap_or(0);
            let to = fresh;
            fresh += 1;
            let outcome = if register == Some(from) {
                register = Some(to);
                last_seen[c] = register;
                Outcome::Ok { value: None }
            } else {
                Outcome::Mismatch
            };
            (ClientOp::Cas { key: 0, from, to }, outcome)
        };
        results[i] = Some(result);
    }

    let mut operations: Vec<Operation> = planned
        .iter()
        .zip(results)
        .filter_map(|(p, result)| {
            let (op, outcome) = result?;
            Some(Operation {
                process: p.process,
                seq: p.seq,
                node: 0,
                op,
                invoke_us: p.invoke,
                return_us: Some(p.ret),
                outcome: Some(outcome),
            })
        })
        .collect();
    operations.sort_by_key(|op| (op.invoke_us, op.process));
    History { operations }
}

/// A linearizable key-value history in the shape of Jepsen's independent (per-key)
/// register tests: `n_ops` operations by `n_clients` clients over as many keys as it takes
/// for each to get `ops_per_key`. The clients work in groups of ten (fewer if there are
/// fewer clients); a group works on one key at a time, a few hundred operations, then moves
/// on to a fresh key, as Jepsen's generator does.
pub fn per_key_bench_history(
    n_ops: usize,
    n_clients: u16,
    ops_per_key: usize,
    seed: u64,
) -> History {
    if n_ops == 0 || n_clients == 0 || ops_per_key == 0 {
        return History::default();
    }
    let group_size = n_clients.min(10);
    let groups = usize::from(n_clients / group_size);
    let mut next_free = vec![0u64; groups];
    let mut operations = Vec::with_capacity(n_ops);
    let mut seqs = vec![0u32; usize::from(n_clients)];
    let n_keys = n_ops.div_ceil(ops_per_key);
    for key in 0..n_keys {
        let group = key % groups;
        let count = ops_per_key.min(n_ops - key * ops_per_key);
        let part = bench_history(count, group_size, seed.wrapping_mul(1_000_003) ^ key as u64);
        let start = next_free[group];
        for mut op in part.operations {
            let process = group as u16 * group_size + op.process;
            op.process = process;
            op.seq = seqs[usize::from(process)];
            seqs[usize::from(process)] += 1;
            op.op = match op.op {
                ClientOp::Read { .. } => ClientOp::Read { key: key as u16 },
                ClientOp::Write { value, .. } => ClientOp::Write {
                    key: key as u16,
                    value,
                },
                ClientOp::Cas { from, to, .. } => ClientOp::Cas {
                    key: key as u16,
                    from,
                    to,
                },
            };
            op.invoke_us += start;
            op.return_us = op.return_us.map(|r| r + start);
            next_free[group] = next_free[group].max(op.return_us.unwrap_or(op.invoke_us) + 1);
            operations.push(op);
        }
    }
    operations.sort_by_key(|op| (op.invoke_us, op.process));
    History { operations }
}

/// `history` with one operation in `every` given an unknown outcome, as if its client had
/// timed out: a read then observed nothing, a write or compare-and-set may or may not have
/// happened. A linearizable history stays linearizable (an unknown outcome only allows
/// more), but the search has more to try.
pub fn with_unknown_outcomes(history: &History, every: usize) -> History {
    let mut out = history.clone();
    for (i, op) in out.operations.iter_mut().enumerate() {
        if every > 0 && i % every == every / 2 && op.outcome != Some(Outcome::Mismatch) {
            op.outcome = Some(Outcome::Timeout);
        }
    }
    out
}

/// `history` (from [`bench_history`]) with one late read changed to return the very first
/// value written, long since overwritten: a history that is certainly not linearizable,
/// for the checker's violation path. Returns the history and the index of the planted
/// read, or `None` when the history has no such write and read.
pub fn with_ancient_read(history: &History) -> Option<(History, usize)> {
    let (ancient, written_by) =
        history
            .operations
            .iter()
            .find_map(|o| match (o.op, o.outcome) {
                (ClientOp::Write { value, .. }, Some(Outcome::Ok { .. })) => {
                    Some((value, o.return_us?))
                }
                _ => None,
            })?;
    let late = history.operations.len() * 3 / 4;
    let read = (late..history.operations.len()).find(|&i| history.operations[i].op.is_read())?;
    // Certainly stale: another write began after `ancient` was written and ended before
    // the read began.
    let overwritten = history.operations.iter().any(|o| {
        matches!(o.op, ClientOp::Write { value, .. } if value != ancient)
            && o.invoke_us > written_by
            && o.return_us
                .is_some_and(|t| t < history.operations[read].invoke_us)
    });
    if !overwritten {
        return None;
    }
    let mut mutated = history.clone();
    mutated.operations[read].outcome = Some(Outcome::Ok {
        value: Some(ancient),
    });
    Some((mutated, read))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histories_are_reproducible_well_formed_and_concurrent() {
        let h = bench_history(500, 5, 3);
        assert_eq!(h, bench_history(500, 5, 3));
        assert_ne!(h, bench_history(500, 5, 4));
        assert_eq!(h.operations.len(), 500);
        assert!(h
            .operations
            .windows(2)
            .all(|w| w[0].invoke_us <= w[1].invoke_us));
        // Some operation overlaps the next one: there is real concurrency to search.
        let overlapping = h
            .operations
            .windows(2)
            .filter(|w| w[0].return_us.is_some_and(|r| r > w[1].invoke_us))
            .count();
        assert!(overlapping > 100, "{overlapping}");
        let kinds = |f: fn(&ClientOp) -> bool| h.operations.iter().filter(|o| f(&o.op)).count();
        assert!(kinds(|op| op.is_read()) > 150);
        assert!(kinds(|op| matches!(op, ClientOp::Cas { .. })) > 10);
        assert!(bench_history(0, 5, 1).operations.is_empty());

        let per_key = per_key_bench_history(2_000, 50, 200, 1);
        assert_eq!(per_key.operations.len(), 2_000);
        let keys: std::collections::BTreeSet<u16> =
            per_key.operations.iter().map(|o| o.op.key()).collect();
        assert_eq!(keys.len(), 10);
        let processes: std::collections::BTreeSet<u16> =
            per_key.operations.iter().map(|o| o.process).collect();
        assert_eq!(processes.len(), 50);
        let unknown = with_unknown_outcomes(&h, 20);
        let timed_out = unknown
            .operations
            .iter()
            .filter(|o| o.outcome == Some(Outcome::Timeout))
            .count();
        assert!((20..=25).contains(&timed_out), "{timed_out}");
        assert!(bench_history(10, 0, 1).operations.is_empty());
    }
}
