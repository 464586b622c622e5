//! Stale reads: a single number for the CAP / PACELC views ("how often did a read miss a
//! write that had already finished?").
//!
//! A read of a key is **stale** when it returned a value certainly older (see
//! `write_order`) than some write of that key that completed before the read was invoked,
//! or returned "unset" although such a write exists. This includes every read older than
//! *the latest* write completed before it; it also catches a read older than an earlier
//! completed write when the latest one overlapped it, which is still a read of an
//! overwritten value. Overlapping writes are never used to accuse, so a linearizable
//! history has no stale reads.

use super::write_order::{completed_read, completed_write, WriteSpans};
use crate::history::History;
use crate::time::Time;
use std::collections::BTreeMap;

/// How many reads were stale.
pub fn stale_reads(history: &History) -> usize {
    stale_read_operations(history).len()
}

/// The stale reads (indices into `History::operations`, ascending).
pub fn stale_read_operations(history: &History) -> Vec<usize> {
    let spans = WriteSpans::new(history);
    // Per key: completed writes as (return, invoke), by return time, with the running
    // maximum of invocation times, so "the latest-starting write completed before t" is a
    // binary search.
    let mut writes: BTreeMap<u16, Vec<(Time, Time)>> = BTreeMap::new();
    for op in &history.operations {
        if let (Some((key, _)), Some(ret)) = (completed_write(op), op.return_us) {
            writes
                .entry(key)
                .or_default()
                .push((ret.max(op.invoke_us), op.invoke_us));
        }
    }
    for list in writes.values_mut() {
        list.sort_unstable();
        let mut latest = 0;
        for entry in list.iter_mut() {
            latest = latest.max(entry.1);
            entry.1 = latest;
        }
    }
    let mut stale = Vec::new();
    for (i, op) in history.operations.iter().enumerate() {
        let Some((key, seen)) = completed_read(op) else {
            continue;
        };
        let Some(list) = writes.get(&key) else {
            continue;
        };
        let done = list.partition_point(|&(ret, _)| ret < op.invoke_us);
        let Some(&(_, latest_invoke)) = done.checked_sub(1).and_then(|d| list.get(d)) else {
            continue;
        };
        let is_stale = match seen {
            None => true,
            Some(u) => spans.all_returned_before(key, u, latest_invoke),
        };
        if is_stale {
            stale.push(i);
        }
    }
    stale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::test_support::{failed, history, r, timed_out, w};

    #[test]
    fn reads_of_overwritten_values_are_counted_and_others_not() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(0, 0, 2, (20, 30)),
            r(1, 0, Some(1), (40, 50)), // stale: 2 completed first
            r(1, 0, Some(2), (60, 70)),
            r(2, 0, Some(1), (25, 35)), // overlaps the write of 2: fine
            r(2, 1, None, (0, 1)),
            w(1, 1, 7, (2, 3)),
            r(2, 1, None, (4, 5)), // stale: 7 was written before
            failed(w(1, 1, 8, (6, 7))),
            timed_out(w(1, 1, 9, (6, 7))),
            r(2, 1, Some(7), (8, 9)), // the failed and timed-out writes do not count
        ]);
        // `history` orders by invocation: the stale reads are the unset one at 4 µs and the
        // read of 1 at 40 µs.
        let stale = stale_read_operations(&h);
        let at: Vec<u64> = stale.iter().map(|&i| h.operations[i].invoke_us).collect();
        assert_eq!(at, vec![4, 40]);
        assert_eq!(stale_reads(&h), 2);
    }

    #[test]
    fn an_older_write_still_counts_when_the_latest_overlapped_the_read_value() {
        // 1 done before 2 began; 3 overlaps 1's write and completes last. A read of 1
        // after all three is stale (2 certainly overwrote it).
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(1, 0, 3, (5, 40)),
            w(2, 0, 2, (20, 30)),
            r(3, 0, Some(1), (50, 60)),
        ]);
        assert_eq!(stale_reads(&h), 1);
        assert_eq!(stale_reads(&History::default()), 0);
    }
}
