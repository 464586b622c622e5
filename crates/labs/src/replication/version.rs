//! What a replica stores for a key, and how two copies merge. Pure data, no I/O, so every
//! merge rule is tested here on its own.
//!
//! - [`Version`]: a value with a [`Stamp`] (time, writer): the leaderless register. The
//!   higher stamp wins (last-write-wins; ABD uses the same order with counters instead of
//!   clock readings).
//! - [`Item`]: a multi-leader key. Last-write-wins keeps one [`Sibling`]; siblings mode
//!   keeps every write not causally overwritten (vector clocks, as Riak does); the two CRDTs
//!   are Shapiro, Preguiça, Baquero and Zawirski's grow-only counter and grow-only set
//!   ("Conflict-free replicated data types", SSS 2011): their merge is a join, so replicas
//!   that have seen the same writes hold the same state whatever the order.

use failscope_sim::ids::NodeId;
use failscope_sim::logical_clock::{Causality, VectorClock};
use std::collections::BTreeSet;

/// Most siblings kept for one key (the newest stamps survive beyond it).
pub const MAX_SIBLINGS: usize = 8;
/// Most elements kept in one add-only set (the smallest survive beyond it, which is still
/// a join: the smallest k of a union are the smallest k of the parts' smallest k).
pub const MAX_SET: usize = 512;

/// A write's timestamp: compared by time, then by writer to break ties.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    /// Wall-clock microseconds of the writing node (last-write-wins), or a counter (ABD).
    pub time: i64,
    pub node: NodeId,
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@S{}", self.time, u32::from(self.node) + 1)
    }
}

/// A leaderless replica's copy of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version {
    pub stamp: Stamp,
    pub value: u32,
}

/// Keep the newer of two versions; true when `incoming` replaced `slot`.
pub fn merge_version(slot: &mut Option<Version>, incoming: Version) -> bool {
    match slot {
        Some(current) if current.stamp >= incoming.stamp => false,
        _ => {
            *slot = Some(incoming);
            true
        }
    }
}

/// One write as multi-leader replicas keep it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sibling {
    pub value: u32,
    /// Every write of this key the writer had seen, plus this one.
    pub clock: VectorClock,
    /// Wall-clock time and writer: the last-write-wins order.
    pub stamp: Stamp,
}

/// A multi-leader replica's copy of a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Lww(Sibling),
    /// Sorted by stamp, never empty, at most [`MAX_SIBLINGS`].
    Siblings(Vec<Sibling>),
    /// Per-replica totals of a grow-only counter.
    Counter(Vec<u64>),
    Set(BTreeSet<u32>),
}

/// What a merge did, for the counters and narration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    pub changed: bool,
    /// A write of `me` met a write it had not seen, and neither had seen the other.
    pub conflicts: u32,
    /// Writes of `me` that last-write-wins threw away for a write that had not seen them.
    pub lost: u32,
}

impl Item {
    /// The value a read returns: the register's value, the largest sibling, the counter's
    /// total, or the set's size.
    pub fn read(&self) -> Option<u32> {
        match self {
            Item::Lww(s) => Some(s.value),
            Item::Siblings(list) => list.iter().map(|s| s.value).max(),
            Item::Counter(counts) => Some(
                counts
                    .iter()
                    .fold(0u64, |a, &c| a.saturating_add(c))
                    .min(u64::from(u32::MAX)) as u32,
            ),
            Item::Set(set) => Some(set.len().min(u32::MAX as usize) as u32),
        }
    }

    /// Siblings held (1 for the other kinds).
    pub fn siblings(&self) -> usize {
        match self {
            Item::Siblings(list) => list.len(),
            _ => 1,
        }
    }

    /// The join of the versions' clocks (what a new write of this key has seen).
    pub fn context(&self) -> VectorClock {
        let mut clock = VectorClock::default();
        match self {
            Item::Lww(s) => clock.merge(&s.clock),
            Item::Siblings(list) => list.iter().for_each(|s| clock.merge(&s.clock)),
            Item::Counter(_) | Item::Set(_) => {}
        }
        clock
    }

    /// Merge `incoming` into `self` (the copy at replica `me`).
    pub fn merge(&mut self, incoming: &Item, me: NodeId) -> MergeOutcome {
        let mut out = MergeOutcome::default();
        match (&mut *self, incoming) {
            (Item::Lww(current), Item::Lww(theirs)) => {
                let relation = theirs.clock.compare(&current.clock);
                if theirs.stamp > current.stamp {
                    // Counted once, by the writer, when its own write is thrown away.
                    if current.stamp.node == me && relation != Causality::After {
                        out.lost += 1;
                        out.conflicts += u32::from(relation == Causality::Concurrent);
                    }
                    *current = theirs.clone();
                    out.changed = true;
                }
            }
            (Item::Siblings(current), Item::Siblings(theirs)) => {
                for t in theirs {
                    // Counted once, by the writer, when a write it had not seen arrives.
                    let new = !current.iter().any(|c| c.stamp == t.stamp);
                    if new
                        && current.iter().any(|c| {
                            c.stamp.node == me && c.clock.compare(&t.clock) == Causality::Concurrent
                        })
                    {
                        out.conflicts += 1;
                    }
                }
                let merged = merge_siblings(current, theirs);
                if merged != *current {
                    *current = merged;
                    out.changed = true;
                }
            }
            (Item::Counter(current), Item::Counter(theirs)) => {
                if current.len() < theirs.len() {
                    current.resize(theirs.len(), 0);
                }
                for (mine, &other) in current.iter_mut().zip(theirs) {
                    if other > *mine {
                        *mine = other;
                        out.changed = true;
                    }
                }
            }
            (Item::Set(current), Item::Set(theirs)) => {
                for &v in theirs {
                    out.changed |= current.insert(v);
                }
                truncate_set(current);
            }
            // Different kinds (the resolution changed mid-run): the incoming copy, in the
            // new kind, replaces an old one of another kind only if it is the new kind's.
            (mine, theirs) => {
                if std::mem::discriminant(mine) != std::mem::discriminant(theirs) {
                    *mine = theirs.clone();
                    out.changed = true;
                }
            }
        }
        out
    }
}

/// Every sibling not causally overwritten by another, without duplicates, sorted by
/// stamp; beyond [`MAX_SIBLINGS`] the newest stamps are kept.
pub fn merge_siblings(a: &[Sibling], b: &[Sibling]) -> Vec<Sibling> {
    let all: Vec<&Sibling> = a.iter().chain(b).collect();
    let mut kept: Vec<Sibling> = Vec::new();
    for (i, s) in all.iter().enumerate() {
        let dominated = all.iter().enumerate().any(|(j, t)| {
            j != i
                && match s.clock.compare(&t.clock) {
                    Causality::Before => true,
                    // Same write twice: keep the first copy only.
                    Causality::Equal => j < i,
                    _ => false,
                }
        });
        if !dominated
            && !kept
                .iter()
                .any(|k| k.stamp == s.stamp && k.value == s.value)
        {
            kept.push((*s).clone());
        }
    }
    kept.sort_by(|x, y| x.stamp.cmp(&y.stamp).then(x.value.cmp(&y.value)));
    if kept.len() > MAX_SIBLINGS {
        kept.drain(..kept.len() - MAX_SIBLINGS);
    }
    kept
}

fn truncate_set(set: &mut BTreeSet<u32>) {
    while set.len() > MAX_SET {
        set.pop_last();
    }
}

/// A set holding `value` (an add, as a delta that merges like any other state).
pub fn set_of(value: u32) -> BTreeSet<u32> {
    BTreeSet::from([value])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(v: &[u64]) -> VectorClock {
        VectorClock(v.to_vec())
    }

    fn sib(value: u32, c: &[u64], time: i64, node: NodeId) -> Sibling {
        Sibling {
            value,
            clock: clock(c),
            stamp: Stamp { time, node },
        }
    }

    #[test]
    fn versions_keep_the_higher_stamp() {
        let mut slot = None;
        let old = Version {
            stamp: Stamp { time: 5, node: 1 },
            value: 1,
        };
        let new = Version {
            stamp: Stamp { time: 5, node: 2 },
            value: 2,
        };
        assert!(merge_version(&mut slot, old));
        assert!(merge_version(&mut slot, new));
        assert!(!merge_version(&mut slot, old));
        assert_eq!(slot, Some(new));
    }

    #[test]
    fn lww_keeps_the_higher_stamp_even_against_causality() {
        // B (node 1) saw A's write and wrote after it, but its clock is behind: its write
        // is the one thrown away, and B counts it as lost.
        let a = Item::Lww(sib(1, &[1, 0], 1_000, 0));
        let mut at_b = Item::Lww(sib(2, &[1, 1], -4_000, 1));
        let out = at_b.merge(&a, 1);
        assert_eq!(at_b.read(), Some(1));
        assert_eq!(out.lost, 1);
        assert_eq!(out.conflicts, 0, "not concurrent: B had seen A's write");
        // A concurrent write thrown away is a conflict too, counted once.
        let mut at_c = Item::Lww(sib(3, &[0, 0, 1], 500, 2));
        let out = at_c.merge(&Item::Lww(sib(4, &[0, 1, 0], 900, 1)), 2);
        assert_eq!((out.lost, out.conflicts), (1, 1));
        let out = at_c.merge(&Item::Lww(sib(4, &[0, 1, 0], 900, 1)), 2);
        assert_eq!((out.lost, out.conflicts, out.changed), (0, 0, false));
        let mut at_a = a.clone();
        let out = at_a.merge(&Item::Lww(sib(2, &[1, 1], -4_000, 1)), 0);
        assert!(!out.changed && out.lost == 0);
    }

    #[test]
    fn siblings_keep_concurrent_writes_and_a_later_write_replaces_them() {
        let x = sib(10, &[1, 0], 1, 0);
        let y = sib(20, &[0, 1], 2, 1);
        let mut at_a = Item::Siblings(vec![x.clone()]);
        let out = at_a.merge(&Item::Siblings(vec![y.clone()]), 0);
        assert_eq!(out.conflicts, 1);
        let again = at_a.merge(&Item::Siblings(vec![y.clone()]), 0);
        assert_eq!((again.conflicts, again.changed), (0, false), "counted once");
        assert_eq!(at_a.siblings(), 2);
        assert_eq!(at_a.read(), Some(20));
        let mut at_b = Item::Siblings(vec![y]);
        at_b.merge(&Item::Siblings(vec![x]), 1);
        assert_eq!(at_a, at_b, "same state whatever the order");
        let mut ctx = at_a.context();
        ctx.tick(0);
        let z = sib(30, &ctx.0, 3, 0);
        at_a.merge(&Item::Siblings(vec![z]), 0);
        assert_eq!(at_a.siblings(), 1);
        assert_eq!(at_a.read(), Some(30));
    }

    #[test]
    fn crdts_merge_to_the_same_state_in_any_order() {
        let parts = [
            Item::Counter(vec![3, 0, 0]),
            Item::Counter(vec![0, 5, 0]),
            Item::Counter(vec![1, 5, 7]),
        ];
        let mut forward = parts[0].clone();
        parts[1..].iter().for_each(|p| {
            forward.merge(p, 0);
        });
        let mut backward = parts[2].clone();
        parts[..2].iter().rev().for_each(|p| {
            backward.merge(p, 2);
        });
        assert_eq!(forward, backward);
        assert_eq!(forward.read(), Some(15));
        let mut s = Item::Set(set_of(4));
        s.merge(&Item::Set(set_of(9)), 0);
        s.merge(&Item::Set(set_of(4)), 0);
        assert_eq!(s.read(), Some(2));
    }

    #[test]
    fn bounds_hold() {
        let many: Vec<Sibling> = (0..20)
            .map(|i| {
                let mut c = vec![0u64; 20];
                c[i] = 1;
                sib(i as u32, &c, i as i64, i as NodeId)
            })
            .collect();
        let merged = merge_siblings(&many, &[]);
        assert_eq!(merged.len(), MAX_SIBLINGS);
        assert_eq!(merged.last().map(|s| s.value), Some(19));
        let mut set = Item::Set(BTreeSet::new());
        for v in 0..(MAX_SET as u32 + 10) {
            set.merge(&Item::Set(set_of(v)), 0);
        }
        assert_eq!(set.read(), Some(MAX_SET as u32));
    }
}
