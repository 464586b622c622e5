//! Terse constructors for hand-written histories in the checkers' tests.
//!
//! `w(process, key, value, (invoke, return))` is an acknowledged write, `r(...)` a read that
//! returned `value`, `cas(...)` a successful compare-and-set; `timed_out`, `failed`
//! (refused), `mismatched` (a CAS that found another value) and `open` change the outcome. `history` orders operations by invocation and numbers each
//! process's operations, as the recorder does.

use crate::client::{ClientOp, Outcome};
use crate::history::{History, Operation};
use std::collections::BTreeMap;

fn operation(process: u16, op: ClientOp, span: (u64, u64), value: Option<u32>) -> Operation {
    Operation {
        process,
        seq: 0,
        node: 0,
        op,
        invoke_us: span.0,
        return_us: Some(span.1),
        outcome: Some(Outcome::Ok { value }),
    }
}

pub(crate) fn r(process: u16, key: u16, value: Option<u32>, span: (u64, u64)) -> Operation {
    operation(process, ClientOp::Read { key }, span, value)
}

pub(crate) fn w(process: u16, key: u16, value: u32, span: (u64, u64)) -> Operation {
    operation(process, ClientOp::Write { key, value }, span, None)
}

pub(crate) fn cas(process: u16, key: u16, from: u32, to: u32, span: (u64, u64)) -> Operation {
    operation(process, ClientOp::Cas { key, from, to }, span, None)
}

pub(crate) fn timed_out(mut op: Operation) -> Operation {
    op.outcome = Some(Outcome::Timeout);
    op
}

pub(crate) fn failed(mut op: Operation) -> Operation {
    op.outcome = Some(Outcome::Fail);
    op
}

/// A compare-and-set that found another value than its `from`.
pub(crate) fn mismatched(mut op: Operation) -> Operation {
    op.outcome = Some(Outcome::Mismatch);
    op
}

/// Still waiting for an answer when the history was read.
pub(crate) fn open(mut op: Operation) -> Operation {
    op.return_us = None;
    op.outcome = None;
    op
}

pub(crate) fn history(mut operations: Vec<Operation>) -> History {
    operations.sort_by_key(|op| op.invoke_us);
    let mut next_seq: BTreeMap<u16, u32> = BTreeMap::new();
    for op in &mut operations {
        let seq = next_seq.entry(op.process).or_insert(0);
        op.seq = *seq;
        *seq += 1;
    }
    History { operations }
}

/// The sub-history made of the given operations (indices into `h`), in their order.
pub(crate) fn restrict(h: &History, indices: &[usize]) -> History {
    History {
        operations: indices
            .iter()
            .filter_map(|&i| h.operations.get(i).cloned())
            .collect(),
    }
}
