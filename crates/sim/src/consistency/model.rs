//! The register every key holds, and how a history's operations become steps of it.
//!
//! Both the linearizability and the sequential-consistency searches walk the same model: a
//! `u32` register per key that starts unset. This module decides, once, what each recorded
//! operation tells us:
//!
//! - `Outcome::Fail` means "definitely did not change state, for a reason that says nothing
//!   about the value" (a refusal), so the operation is dropped.
//! - `Outcome::Mismatch` is a compare-and-set that was carried out and found another value:
//!   it changed nothing, and at its moment the value was not `from` (Porcupine's register
//!   model). It stays in the history as a step that needs "not `from`" and leaves the state
//!   alone, so "write 1, failed cas 1→2, read 1" (all in sequence) is not linearizable.
//! - A read that timed out or never returned observed nothing and is dropped.
//! - A write or compare-and-set that timed out or never returned is *indeterminate*: it may
//!   have taken effect at any moment after its invocation, or never. Following Knossos and
//!   Porcupine, it gets an infinite return time; never taking effect is the same as taking
//!   effect after everything else, where nothing observes it.

use crate::client::{ClientOp, Outcome};
use crate::history::{History, Operation};
use crate::ids::ClientId;
use crate::time::Time;
use std::collections::{BTreeMap, BTreeSet};

/// What one operation did to its key, as far as the history tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Effect {
    /// A read that returned this value (`None`: the key was unset).
    Read(Option<u32>),
    /// A write of this value (acknowledged, or indeterminate when the op is marked so).
    Write(u32),
    /// A compare-and-set acknowledged as done: it needs `from` and leaves `to`.
    Cas { from: u32, to: u32 },
    /// A compare-and-set whose outcome is unknown: `to` if the value was `from`, else no change.
    MaybeCas { from: u32, to: u32 },
    /// A compare-and-set that found another value than `from`: it needs the value (or the
    /// unset key) to differ from `from`, and changes nothing.
    FailedCas { from: u32 },
    /// An append (key-value model) of the element numbered `element`: the state it leaves
    /// is looked up in the key's [`AppendTable`]; where the table has no entry, it leaves
    /// [`DEAD`], a value that is a prefix of nothing any read returned, so no read can tell
    /// such states apart (see `consistency::external`).
    Append { element: u32 },
}

/// For one key: (state, element appended) → the state it leaves, for every pair that leads
/// to a value some read may see. Shared, not copied, by the searches of a key.
pub(crate) type AppendTable = std::sync::Arc<std::collections::BTreeMap<(Option<u32>, u32), u32>>;

/// The state an append leaves when it extends a value no operation observes: nothing reads
/// it or compares against it, and appending to it gives it again. Value numbers are handed
/// out from 0, so no real value gets this one.
pub(crate) const DEAD: u32 = u32::MAX;

impl Effect {
    /// The register's value after this step from `state`, or `None` when the step cannot
    /// happen in `state` (a read of another value, a successful CAS whose `from` is absent).
    /// An append needs its key's table: the search looks it up (`Search::apply`); here it
    /// only knows the dead state.
    pub(crate) fn apply(self, state: Option<u32>) -> Option<Option<u32>> {
        match self {
            Effect::Read(value) => (value == state).then_some(state),
            Effect::Write(value) => Some(Some(value)),
            Effect::Cas { from, to } => (state == Some(from)).then_some(Some(to)),
            Effect::MaybeCas { from, to } => {
                Some(if state == Some(from) { Some(to) } else { state })
            }
            Effect::FailedCas { from } => (state != Some(from)).then_some(state),
            Effect::Append { .. } => Some(Some(DEAD)),
        }
    }

    /// The step never changes the state: once it is legal, it may be linearized at once
    /// (a read, or a compare-and-set that found another value).
    pub(crate) fn is_query(self) -> bool {
        matches!(self, Effect::Read(_) | Effect::FailedCas { .. })
    }

    /// The value this step may leave in the register, if it writes.
    pub(crate) fn written(self) -> Option<u32> {
        match self {
            Effect::Read(_) | Effect::FailedCas { .. } => None,
            Effect::Write(value) => Some(value),
            Effect::Cas { to, .. } | Effect::MaybeCas { to, .. } => Some(to),
            // What an append leaves depends on the state: no one value.
            Effect::Append { .. } => None,
        }
    }

    /// The value this step needs (or, for an indeterminate CAS, may need) to find, or, for
    /// a failed CAS, the value it needs *not* to find: either way, a value it tells apart
    /// from the others.
    pub(crate) fn observed(self) -> Option<u32> {
        match self {
            Effect::Read(value) => value,
            Effect::Write(_) => None,
            Effect::Cas { from, .. }
            | Effect::MaybeCas { from, .. }
            | Effect::FailedCas { from } => Some(from),
            Effect::Append { .. } => None,
        }
    }
}

/// One operation as the searches see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ModelOp {
    /// Index into `History::operations`.
    pub index: usize,
    pub process: ClientId,
    pub seq: u32,
    pub key: u16,
    pub effect: Effect,
    pub call: Time,
    /// `None`: no known return, so it may take effect at any time after `call`.
    pub ret: Option<Time>,
    /// It may equally well never have taken effect (timed out, or still open), so a search
    /// may leave it for last.
    pub indeterminate: bool,
}

/// What the history tells about one operation, or `None` when it tells nothing (refused, or
/// a read with no answer).
pub(crate) fn classify(index: usize, op: &Operation) -> Option<ModelOp> {
    let known = matches!(op.outcome, Some(Outcome::Ok { .. } | Outcome::Mismatch));
    let (effect, indeterminate) = match (op.op, op.outcome) {
        (_, Some(Outcome::Fail)) => return None,
        (ClientOp::Cas { from, .. }, Some(Outcome::Mismatch)) => {
            (Effect::FailedCas { from }, false)
        }
        // Only a compare-and-set can mismatch; on anything else it is a plain refusal.
        (_, Some(Outcome::Mismatch)) => return None,
        (ClientOp::Read { .. }, Some(Outcome::Ok { value })) => (Effect::Read(value), false),
        (ClientOp::Read { .. }, _) => return None,
        (ClientOp::Write { value, .. }, _) => (Effect::Write(value), !known),
        (ClientOp::Cas { from, to, .. }, _) if known => (Effect::Cas { from, to }, false),
        (ClientOp::Cas { from, to, .. }, _) => (Effect::MaybeCas { from, to }, true),
    };
    let ret = if indeterminate {
        None
    } else {
        // A return before the invocation is garbage; clamping keeps the interval well formed
        // and only widens it (more permissive, never a false alarm).
        op.return_us.map(|r| r.max(op.invoke_us))
    };
    Some(ModelOp {
        index,
        process: op.process,
        seq: op.seq,
        key: op.op.key(),
        effect,
        call: op.invoke_us,
        ret,
        indeterminate,
    })
}

/// Every operation that constrains the search, in history order, with the indeterminate
/// writes nobody could have observed left out (on keys without a failed compare-and-set).
///
/// An indeterminate write or CAS whose value no operation on its key reads or compares
/// against can be moved after everything else in any legal order (the ops between it and the
/// next write could only be indeterminate CASes that did nothing, and those can move to the
/// end too), so dropping it changes no verdict; it only spares the search from trying it
/// at every position. This matters: a partition can leave hundreds of timed-out writes.
pub(crate) fn model_ops(history: &History) -> Vec<ModelOp> {
    let ops: Vec<ModelOp> = history
        .operations
        .iter()
        .enumerate()
        .filter_map(|(index, op)| classify(index, op))
        .collect();
    prune_unobserved(ops)
}

/// `ops` without the indeterminate writes nobody could have observed (see [`model_ops`]).
pub(crate) fn prune_unobserved(ops: Vec<ModelOp>) -> Vec<ModelOp> {
    let observed: BTreeSet<(u16, u32)> = ops
        .iter()
        .filter_map(|op| op.effect.observed().map(|v| (op.key, v)))
        .collect();
    // A failed compare-and-set needs the value to differ from its `from`, and any write may
    // supply that, read or not: on such a key nothing is pruned.
    // An append leaves a value that later appends extend, so what it leaves matters even
    // when nobody reads exactly that: no pruning on those keys either.
    let mismatch_keys: BTreeSet<u16> = ops
        .iter()
        .filter(|op| matches!(op.effect, Effect::FailedCas { .. } | Effect::Append { .. }))
        .map(|op| op.key)
        .collect();
    ops.into_iter()
        .filter(|op| {
            !op.indeterminate
                || mismatch_keys.contains(&op.key)
                || op
                    .effect
                    .written()
                    .is_some_and(|v| observed.contains(&(op.key, v)))
        })
        .collect()
}

/// [`model_ops`] grouped by key, keys ascending, each key's ops in history order.
pub(crate) fn ops_by_key(history: &History) -> BTreeMap<u16, Vec<ModelOp>> {
    let mut by_key: BTreeMap<u16, Vec<ModelOp>> = BTreeMap::new();
    for op in model_ops(history) {
        by_key.entry(op.key).or_default().push(op);
    }
    by_key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::test_support::{failed, history, r, timed_out, w};

    #[test]
    fn steps_follow_register_semantics() {
        assert_eq!(Effect::Read(None).apply(None), Some(None));
        assert_eq!(Effect::Read(Some(1)).apply(None), None);
        assert_eq!(Effect::Write(4).apply(Some(1)), Some(Some(4)));
        assert_eq!(Effect::Cas { from: 1, to: 2 }.apply(Some(1)), Some(Some(2)));
        assert_eq!(Effect::Cas { from: 1, to: 2 }.apply(Some(3)), None);
        assert_eq!(
            Effect::MaybeCas { from: 1, to: 2 }.apply(Some(3)),
            Some(Some(3))
        );
        assert_eq!(
            Effect::MaybeCas { from: 1, to: 2 }.apply(Some(1)),
            Some(Some(2))
        );
        assert_eq!(Effect::FailedCas { from: 1 }.apply(Some(1)), None);
        assert_eq!(Effect::FailedCas { from: 1 }.apply(Some(3)), Some(Some(3)));
        assert_eq!(Effect::FailedCas { from: 1 }.apply(None), Some(None));
    }

    #[test]
    fn failures_and_unanswered_reads_are_dropped_and_unobserved_timeouts_pruned() {
        let h = history(vec![
            failed(w(0, 0, 1, (0, 1))),
            timed_out(r(1, 0, None, (2, 3))),
            timed_out(w(2, 0, 5, (4, 5))), // nobody reads 5: pruned
            timed_out(w(3, 0, 6, (6, 7))), // read below: kept
            r(0, 0, Some(6), (8, 9)),
        ]);
        let ops = model_ops(&h);
        let kept: Vec<usize> = ops.iter().map(|o| o.index).collect();
        assert_eq!(kept, vec![3, 4]);
        assert_eq!(ops[0].ret, None);
        assert!(ops[0].indeterminate);
        assert_eq!(ops[1].ret, Some(9));
        assert!(!ops[1].indeterminate);
    }
}
