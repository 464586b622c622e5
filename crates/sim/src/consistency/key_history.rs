//! One key's sub-history, prepared for the linearizability search and its shrinking.
//!
//! A key-value history is linearizable iff every key's sub-history is (linearizability is
//! *local*: Herlihy & Wing 1990, Theorem 1), so each key is searched on its own. Times are
//! replaced by positions in the key's event order (calls before returns at equal times, so
//! touching intervals count as overlapping), which makes every event distinct and lets a
//! prefix of the history be cut exactly at one return.
//!
//! One exception to "touching means overlapping": a client has one operation outstanding
//! at a time, so its operation invoked at the very microsecond its previous one returned
//! certainly came after it. Positions cannot say that for every such pair at once (it
//! would need a return both before and after calls at the same instant), so the search
//! gets it as an explicit constraint (`after`).

use super::model::{AppendTable, Effect, ModelOp};
use super::wgl::{Search, SearchOp};

#[derive(Clone, Debug)]
pub(crate) struct KeyHistory {
    pub key: u16,
    pub ops: Vec<ModelOp>,
    /// Position of each operation's call in the key's event order.
    pub call_pos: Vec<u64>,
    /// Position of each operation's return; `None` when it has none (infinitely late).
    pub ret_pos: Vec<Option<u64>>,
    /// The same client's previous operation on this key, when it returned at the very time
    /// this one was invoked: it must be linearized first.
    pub after: Vec<Option<usize>>,
    /// Where the key's appends lead (empty without appends).
    pub appends: AppendTable,
}

impl KeyHistory {
    pub(crate) fn new(key: u16, ops: Vec<ModelOp>) -> KeyHistory {
        let mut events: Vec<(u64, u8, usize)> = Vec::with_capacity(2 * ops.len());
        for (i, op) in ops.iter().enumerate() {
            events.push((op.call, 0, i));
            if let Some(ret) = op.ret {
                events.push((ret.max(op.call), 1, i));
            }
        }
        events.sort_unstable();
        let mut call_pos = vec![0; ops.len()];
        let mut ret_pos = vec![None; ops.len()];
        for (pos, &(_, kind, i)) in events.iter().enumerate() {
            if kind == 0 {
                call_pos[i] = pos as u64;
            } else {
                ret_pos[i] = Some(pos as u64);
            }
        }
        let mut after = vec![None; ops.len()];
        let mut by_process: std::collections::BTreeMap<u16, Vec<usize>> = Default::default();
        for (i, op) in ops.iter().enumerate() {
            by_process.entry(op.process).or_default().push(i);
        }
        for program in by_process.values_mut() {
            program.sort_by_key(|&i| (ops[i].seq, ops[i].index));
            for pair in program.windows(2) {
                if ops[pair[0]].ret == Some(ops[pair[1]].call) {
                    after[pair[1]] = Some(pair[0]);
                }
            }
        }
        KeyHistory {
            key,
            ops,
            call_pos,
            ret_pos,
            after,
            appends: AppendTable::default(),
        }
    }

    /// A search of `ops` (made by this key's `search_ops` or `prefix_ops`) with this key's
    /// append table, giving up after `limit` steps.
    pub(crate) fn search(&self, ops: &[SearchOp], limit: u64) -> Search {
        Search::new(ops, limit).with_appends(self.appends.clone())
    }

    /// The search input for `chosen` (pairs of an index into `ops` and the operation to
    /// search), keeping the `after` constraints between chosen operations.
    fn to_search(&self, chosen: Vec<(usize, SearchOp)>) -> Vec<SearchOp> {
        let mut at = vec![None; self.ops.len()];
        for (p, &(i, _)) in chosen.iter().enumerate() {
            at[i] = Some(p);
        }
        chosen
            .into_iter()
            .map(|(i, mut op)| {
                op.after = self.after[i].and_then(|a| at[a]);
                op
            })
            .collect()
    }

    /// The search input for the operations `subset` (indices into `ops`), as recorded.
    pub(crate) fn search_ops(&self, subset: &[usize]) -> Vec<SearchOp> {
        let chosen = subset
            .iter()
            .filter_map(|&i| {
                let op = self.ops.get(i)?;
                let search_op = SearchOp {
                    effect: op.effect,
                    call: self.call_pos[i],
                    ret: self.ret_pos[i],
                    free: op.indeterminate,
                    after: None,
                };
                Some((i, search_op))
            })
            .collect();
        self.to_search(chosen)
    }

    /// The key without its operations of unknown outcome that write a value nothing looks
    /// at (`None` if there are none, or the key has appends). Where a compare-and-set
    /// failed, such a write may still matter (it can explain why the value was not the
    /// CAS's `from`), so `model_ops` keeps them; but leaving them out only removes the
    /// choice "it took effect", so an order found without them is an order of the whole
    /// key. Searching this smaller set first decides the usual, linearizable, case faster.
    pub(crate) fn without_unseen_unknowns(&self) -> Option<Vec<usize>> {
        if self
            .ops
            .iter()
            .any(|op| matches!(op.effect, Effect::Append { .. }))
        {
            return None;
        }
        let observed: std::collections::BTreeSet<u32> = self
            .ops
            .iter()
            .filter_map(|op| op.effect.observed())
            .collect();
        let keep: Vec<usize> = (0..self.ops.len())
            .filter(|&i| {
                let op = &self.ops[i];
                !(op.indeterminate && op.effect.written().is_some_and(|v| !observed.contains(&v)))
            })
            .collect();
        (keep.len() < self.ops.len()).then_some(keep)
    }

    /// Every operation of the key.
    pub(crate) fn all(&self) -> Vec<usize> {
        (0..self.ops.len()).collect()
    }

    /// Positions of the return events, ascending: the places a prefix can be cut.
    pub(crate) fn cuts(&self) -> Vec<u64> {
        let mut cuts: Vec<u64> = self.ret_pos.iter().flatten().copied().collect();
        cuts.sort_unstable();
        cuts
    }

    /// The history as it stood just after the return at position `cut`: operations invoked
    /// later are absent, and those still in flight are pending (a read observed nothing yet;
    /// a write or CAS may or may not have taken effect). Linearizability is prefix-closed
    /// (Herlihy & Wing 1990), so if this prefix is not linearizable, neither is any later one.
    pub(crate) fn prefix_ops(&self, cut: u64) -> Vec<SearchOp> {
        let mut out = Vec::new();
        for (i, op) in self.ops.iter().enumerate() {
            if self.call_pos[i] > cut {
                continue;
            }
            match self.ret_pos[i] {
                Some(ret) if ret <= cut => out.push((
                    i,
                    SearchOp {
                        effect: op.effect,
                        call: self.call_pos[i],
                        ret: Some(ret),
                        free: op.indeterminate,
                        after: None,
                    },
                )),
                _ => {
                    let effect = match op.effect {
                        // A query still in flight has observed nothing yet.
                        Effect::Read(_) | Effect::FailedCas { .. } => continue,
                        Effect::Write(v) => Effect::Write(v),
                        Effect::Append { element } => Effect::Append { element },
                        Effect::Cas { from, to } | Effect::MaybeCas { from, to } => {
                            Effect::MaybeCas { from, to }
                        }
                    };
                    out.push((
                        i,
                        SearchOp {
                            effect,
                            call: self.call_pos[i],
                            ret: None,
                            free: true,
                            after: None,
                        },
                    ));
                }
            }
        }
        self.to_search(out)
    }

    /// The operations of the prefix cut at `cut` (everything for `None`), with the data
    /// they have in the whole history, as the set shrinking starts from: those completed by
    /// the cut, and the writes and compare-and-sets still in flight, except a successful CAS
    /// whose `from` nothing in the set writes, or a write begun after the cut may have. If the prefix is not linearizable, neither is this
    /// set: the reads in flight are not part of the prefix, an in-flight write or CAS that
    /// may take effect last or never can be dropped from it, and a linearization of the set
    /// would also serve the prefix, whose in-flight operations are only less constrained.
    /// (Keeping in-flight reads and orphaned CASes would let shrinking settle on "read of a
    /// value from nowhere" when the writer was invoked after the cut.)
    pub(crate) fn prefix_set(&self, cut: Option<u64>) -> Vec<usize> {
        let Some(cut) = cut else {
            return self.all();
        };
        let in_flight = |i: usize| self.ret_pos[i].is_none_or(|r| r > cut);
        let mut set: Vec<usize> = (0..self.ops.len())
            .filter(|&i| self.call_pos[i] <= cut)
            .filter(|&i| !(in_flight(i) && self.ops[i].effect.is_query()))
            .collect();
        // A successful CAS in flight at the cut, whose `from` some write begun after the cut
        // (but before the CAS returned) may have supplied, is left out too: kept with its
        // success, it would blame the CAS for a value the cut only hides.
        let late_writer = |i: usize, from: u32| {
            (0..self.ops.len()).any(|j| {
                self.call_pos[j] > cut
                    && self.ret_pos[i].is_none_or(|r| self.call_pos[j] < r)
                    && self.ops[j].effect.written() == Some(from)
            })
        };
        loop {
            let writers: std::collections::BTreeSet<u32> = set
                .iter()
                .filter_map(|&i| self.ops[i].effect.written())
                .collect();
            let before = set.len();
            set.retain(|&i| {
                !(in_flight(i)
                    && matches!(self.ops[i].effect, Effect::Cas { from, .. }
                        if !writers.contains(&from) || late_writer(i, from)))
            });
            if set.len() == before {
                return set;
            }
        }
    }

    /// The operations of `current` that return no earlier than `width` events before
    /// `culprit` is invoked (or never return), plus, transitively, the writes in `current`
    /// of every value they observe. `None` if `culprit` is not in `current`.
    pub(crate) fn window(
        &self,
        current: &[usize],
        culprit: usize,
        width: u64,
    ) -> Option<Vec<usize>> {
        if !current.contains(&culprit) {
            return None;
        }
        let from = self.call_pos[culprit].saturating_sub(width);
        let mut inside = vec![false; self.ops.len()];
        for &i in current {
            inside[i] = self.ret_pos[i].is_none_or(|r| r >= from);
        }
        loop {
            let needed: std::collections::BTreeSet<u32> = current
                .iter()
                .filter(|&&i| inside[i])
                .filter_map(|&i| self.ops[i].effect.observed())
                .collect();
            let mut grew = false;
            for &i in current {
                if !inside[i]
                    && self.ops[i]
                        .effect
                        .written()
                        .is_some_and(|v| needed.contains(&v))
                {
                    inside[i] = true;
                    grew = true;
                }
            }
            if !grew {
                return Some(current.iter().copied().filter(|&i| inside[i]).collect());
            }
        }
    }

    /// `current` without `removed`, and without every operation that observes a value one of
    /// the removed operations wrote (repeatedly: a dropped CAS takes the observers of what it
    /// wrote along).
    ///
    /// Values repeat in real histories, so a reader cannot be matched to *its* writer: when
    /// any write of `v` goes, every observer of `v` goes with it (reads of `v`, and CASes
    /// that compare against `v`, whether they succeeded, failed or are unknown). Otherwise
    /// shrinking drifts to a different, artificial violation: a read of `v` kept with only a
    /// later write of `v` ("read before its write began") after the write it really saw was
    /// dropped; a lone `cas v→v` standing as the writer of its own `from`; an unknown
    /// `cas u→v` left to explain a read of `v` once every write of `u` is gone. With this
    /// rule, whenever a set keeps an observer of `v` it keeps every write of `v` it started
    /// with, so the violation it shows is one the history really has.
    pub(crate) fn without(&self, current: &[usize], removed: &[usize]) -> Vec<usize> {
        let mut gone = vec![false; self.ops.len()];
        for &i in removed {
            if let Some(g) = gone.get_mut(i) {
                *g = true;
            }
        }
        let mut lost = std::collections::BTreeSet::new();
        loop {
            let before = lost.len();
            for &i in current {
                if gone.get(i) == Some(&true) {
                    if let Some(v) = self.ops[i].effect.written() {
                        lost.insert(v);
                    }
                }
            }
            let mut dropped_any = false;
            for &i in current {
                let Some(op) = self.ops.get(i) else { continue };
                if !gone[i] && op.effect.observed().is_some_and(|v| lost.contains(&v)) {
                    gone[i] = true;
                    dropped_any = true;
                }
            }
            if !dropped_any && lost.len() == before {
                break;
            }
        }
        current
            .iter()
            .copied()
            .filter(|&i| gone.get(i) == Some(&false))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::model::model_ops;
    use crate::consistency::test_support::{cas, history, r, w};

    #[test]
    fn positions_order_calls_before_returns_at_equal_times() {
        let h = history(vec![w(0, 0, 1, (0, 5)), r(1, 0, Some(1), (5, 6))]);
        let kh = KeyHistory::new(0, model_ops(&h));
        assert_eq!(kh.call_pos, vec![0, 1]);
        assert_eq!(kh.ret_pos, vec![Some(2), Some(3)]);
        assert_eq!(kh.cuts(), vec![2, 3]);
    }

    #[test]
    fn prefixes_make_in_flight_operations_pending() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            r(1, 0, Some(1), (1, 12)),
            cas(2, 0, 1, 2, (2, 3)),
        ]);
        let kh = KeyHistory::new(0, model_ops(&h));
        // Cut right after the CAS returned: the write is in flight, the read vanishes.
        let ops = kh.prefix_ops(kh.cuts()[0]);
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0].effect, Effect::Write(1));
        assert!(ops[0].free && ops[0].ret.is_none());
        assert_eq!(ops[1].effect, Effect::Cas { from: 1, to: 2 });
        assert!(!ops[1].free);
    }

    #[test]
    fn dropping_a_write_drops_the_reads_it_alone_explains() {
        let h = history(vec![
            w(0, 0, 1, (0, 1)),
            cas(1, 0, 1, 2, (2, 3)),
            r(2, 0, Some(2), (4, 5)),
            r(0, 0, Some(1), (6, 7)),
            r(1, 0, None, (8, 9)),
        ]);
        let kh = KeyHistory::new(0, model_ops(&h));
        assert_eq!(kh.without(&kh.all(), &[0]), vec![4]);
        assert_eq!(kh.without(&kh.all(), &[2]), vec![0, 1, 3, 4]);
    }

    #[test]
    fn with_repeated_values_dropping_any_write_of_a_value_drops_all_its_observers() {
        let h = history(vec![
            w(0, 0, 0, (0, 1)),
            r(3, 0, Some(0), (4, 5)),
            cas(1, 0, 0, 0, (6, 7)), // a `cas 0→0` is not the writer of its own `from`
            w(3, 0, 0, (10, 11)),
            r(2, 0, Some(0), (12, 13)),
        ]);
        let kh = KeyHistory::new(0, model_ops(&h));
        // Either write of 0 takes the reads and the CAS along: no read of 0 is left with
        // only the later write, and the CAS does not stand alone.
        assert_eq!(kh.without(&kh.all(), &[0]), vec![3]);
        assert_eq!(kh.without(&kh.all(), &[3]), vec![0]);
        // Dropping a reader takes nothing else.
        assert_eq!(kh.without(&kh.all(), &[1]), vec![0, 2, 3, 4]);
    }

    #[test]
    fn an_unknown_cas_goes_with_the_writes_of_its_from() {
        use crate::consistency::test_support::timed_out;
        let h = history(vec![
            w(0, 0, 1, (0, 1)),
            timed_out(cas(1, 0, 1, 2, (2, 3))),
            r(2, 0, Some(2), (4, 5)),
        ]);
        let kh = KeyHistory::new(0, model_ops(&h));
        assert_eq!(kh.without(&kh.all(), &[0]), Vec::<usize>::new());
    }

    #[test]
    fn the_shrinking_start_set_leaves_out_reads_in_flight_and_orphaned_cases() {
        let h = history(vec![
            w(0, 0, 1, (0, 2)),
            r(1, 0, Some(1), (1, 3)),
            cas(2, 0, 1, 2, (4, 20)), // in flight at the cut, its `from` is written: kept
            r(1, 0, Some(5), (5, 21)), // in flight: left out
            cas(3, 0, 5, 6, (6, 22)), // in flight, nothing in the set writes 5: left out
            w(0, 0, 9, (7, 8)),       // the cut is its return
            w(0, 0, 5, (30, 31)),     // invoked after the cut
        ]);
        let kh = KeyHistory::new(0, model_ops(&h));
        let cut = kh.ret_pos[5];
        assert_eq!(kh.prefix_set(cut), vec![0, 1, 2, 5]);
        assert_eq!(kh.prefix_set(None), kh.all());
    }

    #[test]
    fn windows_take_recent_operations_and_the_writes_they_saw() {
        let h = history(vec![
            w(0, 0, 1, (0, 1)),
            w(0, 0, 2, (2, 3)),
            w(0, 0, 3, (4, 5)),
            w(0, 0, 4, (6, 7)),
            r(1, 0, Some(1), (8, 9)),
        ]);
        let kh = KeyHistory::new(0, model_ops(&h));
        // Two events back from the read's call reaches the write of 4 only; the write of
        // 1 comes along because the read saw it.
        assert_eq!(kh.window(&kh.all(), 4, 2), Some(vec![0, 3, 4]));
        assert_eq!(kh.window(&kh.all(), 4, 100), Some(kh.all()));
        assert_eq!(kh.window(&[0, 1], 4, 2), None);
    }
}
