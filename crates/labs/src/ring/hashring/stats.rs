//! Load and movement statistics over a set of keys, for any [`Placement`] (or for owner lists,
//! such as a bounded-load assignment's).
//!
//! Counting is integer-only and deterministic; the mean, standard deviation and coefficient of
//! variation (`std / mean`) are `f64` and only for reporting. Keys are ids, hashed with
//! [`hash_key`]; functions take any iterator of them, so `0..1_000_000` needs no allocation.

use super::hash::hash_key;
use super::placement::Placement;

/// How many keys each node holds and how evenly.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadStats {
    /// (node, keys it holds) for every member, ascending by node id, zeros included.
    pub loads: Vec<(u32, u64)>,
    /// Keys with an owner.
    pub placed: u64,
    /// Keys without one (the placement had no members).
    pub unplaced: u64,
    pub min: u64,
    pub max: u64,
    /// Mean keys per node.
    pub mean: f64,
    /// Population standard deviation of the loads.
    pub std_dev: f64,
    /// `std_dev / mean` (0 when the mean is 0): the spread, independent of the key count.
    pub cv: f64,
}

/// Load statistics before and after a membership change, and how many keys moved.
#[derive(Clone, Debug, PartialEq)]
pub struct Rebalance {
    pub keys: u64,
    /// Keys whose owner differs between the two placements.
    pub moved: u64,
    pub before: LoadStats,
    pub after: LoadStats,
}

impl Rebalance {
    /// `moved / keys` (0 with no keys).
    pub fn moved_fraction(&self) -> f64 {
        if self.keys == 0 {
            0.0
        } else {
            self.moved as f64 / self.keys as f64
        }
    }
}

/// Load statistics of `keys` under `placement`.
pub fn load_stats<P, I>(placement: &P, keys: I) -> LoadStats
where
    P: Placement + ?Sized,
    I: IntoIterator<Item = u64>,
{
    let mut tally = Tally::new(placement.nodes());
    for key in keys {
        tally.add(placement.owner(hash_key(key)));
    }
    tally.finish()
}

/// Load statistics of an explicit owner list over the members `nodes` (ascending); owners
/// that are not members count as unplaced.
pub fn load_stats_from_owners(nodes: &[u32], owners: &[u32]) -> LoadStats {
    let mut tally = Tally::new(nodes.to_vec());
    for &owner in owners {
        tally.add(Some(owner));
    }
    tally.finish()
}

/// How many of `keys` have a different owner under `after` than under `before`.
pub fn moved<P, Q, I>(before: &P, after: &Q, keys: I) -> u64
where
    P: Placement + ?Sized,
    Q: Placement + ?Sized,
    I: IntoIterator<Item = u64>,
{
    keys.into_iter()
        .filter(|&key| owner_changed(before, after, key))
        .count() as u64
}

/// The keys (in input order) whose owner differs between `before` and `after`, for
/// highlighting.
pub fn moved_keys<P, Q, I>(before: &P, after: &Q, keys: I) -> Vec<u64>
where
    P: Placement + ?Sized,
    Q: Placement + ?Sized,
    I: IntoIterator<Item = u64>,
{
    keys.into_iter()
        .filter(|&key| owner_changed(before, after, key))
        .collect()
}

/// How many positions differ between two owner lists of the same keys (for example two
/// bounded-load assignments); extra entries of the longer list count as moved.
pub fn count_moved(before_owners: &[u32], after_owners: &[u32]) -> u64 {
    let differing = before_owners
        .iter()
        .zip(after_owners)
        .filter(|(a, b)| a != b)
        .count();
    let extra = before_owners.len().abs_diff(after_owners.len());
    (differing + extra) as u64
}

/// Loads before and after, and keys moved, in one pass over `keys` without storing owners.
pub fn rebalance<P, Q, I>(before: &P, after: &Q, keys: I) -> Rebalance
where
    P: Placement + ?Sized,
    Q: Placement + ?Sized,
    I: IntoIterator<Item = u64>,
{
    let mut tally_before = Tally::new(before.nodes());
    let mut tally_after = Tally::new(after.nodes());
    let (mut count, mut moved) = (0u64, 0u64);
    for key in keys {
        let key_hash = hash_key(key);
        let (a, b) = (before.owner(key_hash), after.owner(key_hash));
        count += 1;
        moved += u64::from(a != b);
        tally_before.add(a);
        tally_after.add(b);
    }
    Rebalance {
        keys: count,
        moved,
        before: tally_before.finish(),
        after: tally_after.finish(),
    }
}

fn owner_changed<P, Q>(before: &P, after: &Q, key: u64) -> bool
where
    P: Placement + ?Sized,
    Q: Placement + ?Sized,
{
    let key_hash = hash_key(key);
    before.owner(key_hash) != after.owner(key_hash)
}

/// Per-node counters indexed by position in the sorted member list.
struct Tally {
    nodes: Vec<u32>,
    counts: Vec<u64>,
    unplaced: u64,
}

impl Tally {
    fn new(mut nodes: Vec<u32>) -> Tally {
        nodes.sort_unstable();
        nodes.dedup();
        let counts = vec![0; nodes.len()];
        Tally {
            nodes,
            counts,
            unplaced: 0,
        }
    }

    fn add(&mut self, owner: Option<u32>) {
        let slot = owner.and_then(|node| self.nodes.binary_search(&node).ok());
        match slot.and_then(|i| self.counts.get_mut(i)) {
            Some(count) => *count += 1,
            None => self.unplaced += 1,
        }
    }

    fn finish(self) -> LoadStats {
        let placed: u64 = self.counts.iter().sum();
        let min = self.counts.iter().copied().min().unwrap_or(0);
        let max = self.counts.iter().copied().max().unwrap_or(0);
        let (mean, std_dev) = mean_and_std(&self.counts);
        let cv = if mean > 0.0 { std_dev / mean } else { 0.0 };
        LoadStats {
            loads: self.nodes.into_iter().zip(self.counts).collect(),
            placed,
            unplaced: self.unplaced,
            min,
            max,
            mean,
            std_dev,
            cv,
        }
    }
}

/// Mean and population standard deviation (reporting only).
fn mean_and_std(values: &[u64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = values
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::hashring::mod_n::ModN;
    use crate::ring::hashring::ring::Ring;

    #[test]
    fn stats_of_a_known_distribution() {
        let s = load_stats_from_owners(&[1, 2, 3, 4], &[1, 1, 1, 2, 2, 3, 9]);
        assert_eq!(s.loads, vec![(1, 3), (2, 2), (3, 1), (4, 0)]);
        assert_eq!((s.placed, s.unplaced, s.min, s.max), (6, 1, 0, 3));
        assert!((s.mean - 1.5).abs() < 1e-12);
        // Deviations 1.5, 0.5, -0.5, -1.5: variance 5/4.
        assert!((s.std_dev - 1.25f64.sqrt()).abs() < 1e-12);
        assert!((s.cv - 1.25f64.sqrt() / 1.5).abs() < 1e-12);
        let empty = load_stats_from_owners(&[], &[]);
        assert_eq!((empty.mean, empty.cv), (0.0, 0.0));
    }

    #[test]
    fn moved_counts_and_lists_agree() {
        let before = ModN::with_nodes(&[0, 1, 2]).unwrap();
        let after = ModN::with_nodes(&[0, 1, 2, 3]).unwrap();
        let keys = 0..2_000u64;
        let list = moved_keys(&before, &after, keys.clone());
        assert_eq!(moved(&before, &after, keys.clone()), list.len() as u64);
        for &k in &list {
            assert_ne!(before.owner(hash_key(k)), after.owner(hash_key(k)));
        }
        let r = rebalance(&before, &after, keys);
        assert_eq!(r.moved, list.len() as u64);
        assert_eq!(r.keys, 2_000);
        assert_eq!(r.before.placed, 2_000);
        assert_eq!(r.after.loads.len(), 4);
        assert_eq!(moved(&before, &before, 0..500), 0);
        assert_eq!(count_moved(&[1, 2, 3], &[1, 5, 3, 4]), 2);
    }

    #[test]
    fn an_empty_placement_places_nothing() {
        let empty = Ring::new();
        let s = load_stats(&empty, 0..10);
        assert_eq!((s.placed, s.unplaced), (0, 10));
        let one = Ring::with_nodes(&[4], 10).unwrap();
        assert_eq!(moved(&empty, &one, 0..10), 10);
    }
}
