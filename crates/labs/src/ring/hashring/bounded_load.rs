//! Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, "Consistent
//! Hashing with Bounded Loads", SODA 2018).
//!
//! Plain consistent hashing leaves some node with noticeably more than its share (the spread
//! shrinks only as `1/sqrt(vnodes)`). Bounding loads caps every node at
//! `capacity = ceil((1 + epsilon) * keys / nodes)`: keys are assigned in order, each to its
//! ring owner if that node has room, otherwise to the next node clockwise with room. Because
//! `nodes * capacity >= keys`, some node always has room, so every key is placed and no node
//! ever exceeds the bound. Smaller `epsilon` means tighter balance but longer walks and more
//! keys moved on membership changes (the paper's trade-off).
//!
//! Where a key lands depends on every key assigned before it, so this is a batch assignment
//! over a key list ([`assign`]) rather than a per-key [`super::placement::Placement`].
//!
//! Implementation: a full node stays full for the rest of the batch, so "next virtual node
//! clockwise whose node has room" is a union-find over virtual-node indices with path
//! compression: when a node fills up each of its virtual nodes is linked to its clockwise
//! successor. A whole batch costs O(keys * log(vnodes) + vnodes) even with `epsilon = 0`,
//! where a naive walk could visit most of the ring for each late key.

use super::hash::hash_key;
use super::placement::{Placement, PlacementError};
use super::ring::Ring;

/// The slack `epsilon` as an exact fraction `numerator / denominator` (integer-only, so the
/// capacity is identical on every target).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Epsilon {
    numerator: u32,
    denominator: u32,
}

impl Epsilon {
    /// `epsilon = per_mille / 1000` (e.g. 250 for the commonly used 0.25).
    pub const fn per_mille(per_mille: u32) -> Epsilon {
        Epsilon {
            numerator: per_mille,
            denominator: 1000,
        }
    }

    /// `epsilon = numerator / denominator`; a zero denominator is refused.
    pub fn ratio(numerator: u32, denominator: u32) -> Option<Epsilon> {
        (denominator > 0).then_some(Epsilon {
            numerator,
            denominator,
        })
    }

    /// The numerator of the fraction.
    pub fn numerator(self) -> u32 {
        self.numerator
    }

    /// The denominator of the fraction (never zero).
    pub fn denominator(self) -> u32 {
        self.denominator
    }

    /// `ceil((1 + epsilon) * keys / nodes)` in exact integer arithmetic; `None` for no nodes.
    pub fn capacity(self, keys: u64, nodes: u64) -> Option<u64> {
        if nodes == 0 || self.denominator == 0 {
            return None;
        }
        let d = u128::from(self.denominator);
        let num = (d + u128::from(self.numerator)) * u128::from(keys);
        let den = d * u128::from(nodes);
        Some(u64::try_from(num.div_ceil(den)).unwrap_or(u64::MAX))
    }
}

/// The outcome of assigning a key list with bounded loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundedAssignment {
    /// The bound every node respects.
    pub capacity: u64,
    /// The members, ascending (the order of `loads`).
    pub nodes: Vec<u32>,
    /// Keys per member.
    pub loads: Vec<u64>,
    /// The node each key was assigned to, in input order.
    pub owners: Vec<u32>,
    /// The node each key would have had without the bound (its ring owner), in input order.
    pub first_choices: Vec<u32>,
}

impl BoundedAssignment {
    /// How many keys did not get their first choice.
    pub fn displaced(&self) -> u64 {
        self.owners
            .iter()
            .zip(&self.first_choices)
            .filter(|(a, b)| a != b)
            .count() as u64
    }

    /// The largest load (0 with no members).
    pub fn max_load(&self) -> u64 {
        self.loads.iter().copied().max().unwrap_or(0)
    }
}

/// Assigns `keys` (key ids, hashed with [`hash_key`]; a repeated id counts as another key) in
/// order on `ring`, each node holding at most `epsilon.capacity(keys.len(), nodes)` keys.
pub fn assign(
    ring: &Ring,
    keys: &[u64],
    epsilon: Epsilon,
) -> Result<BoundedAssignment, PlacementError> {
    let nodes = ring.nodes();
    let n = nodes.len();
    let key_count = keys.len() as u64;
    let mut result = BoundedAssignment {
        capacity: 0,
        nodes,
        loads: vec![0; n],
        owners: Vec::with_capacity(keys.len()),
        first_choices: Vec::with_capacity(keys.len()),
    };
    if keys.is_empty() {
        result.capacity = epsilon.capacity(0, n as u64).unwrap_or(0);
        return Ok(result);
    }
    let capacity = epsilon
        .capacity(key_count, n as u64)
        .ok_or(PlacementError::NoNodes)?;
    result.capacity = capacity;

    let vnodes = ring.vnodes();
    let v = vnodes.len();
    // Member index of every virtual node.
    let mut member_of = Vec::with_capacity(v);
    for &(_, node) in vnodes {
        let m = result
            .nodes
            .binary_search(&node)
            .map_err(|_| PlacementError::Internal("virtual node of a non-member"))?;
        member_of.push(m);
    }
    // The virtual-node indices of each member, grouped (counting sort).
    let mut starts = vec![0usize; n + 1];
    for &m in &member_of {
        if let Some(c) = starts.get_mut(m + 1) {
            *c += 1;
        }
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    let mut fill = starts.clone();
    let mut by_member = vec![0usize; v];
    for (index, &m) in member_of.iter().enumerate() {
        by_member[fill[m]] = index;
        fill[m] += 1;
    }
    // next[i] == i: virtual node i's node has room; else a link clockwise towards one.
    let mut next: Vec<usize> = (0..v).collect();

    for &key in keys {
        let key_hash = hash_key(key);
        let start = ring.lookup_index(key_hash).ok_or(PlacementError::NoNodes)?;
        let chosen = find_room(&mut next, start)?;
        let (first, m) = (member_of[start], member_of[chosen]);
        result.loads[m] += 1;
        if result.loads[m] >= capacity {
            for &index in &by_member[starts[m]..starts[m + 1]] {
                next[index] = (index + 1) % v;
            }
        }
        result.first_choices.push(result.nodes[first]);
        result.owners.push(result.nodes[m]);
    }
    Ok(result)
}

/// The first virtual node at or clockwise after `start` whose node has room, compressing the
/// path behind it. Errors (rather than looping) if no node has room, which the capacity
/// formula rules out.
fn find_room(next: &mut [usize], start: usize) -> Result<usize, PlacementError> {
    let mut root = start;
    let mut steps = 0usize;
    while next[root] != root {
        root = next[root];
        steps += 1;
        if steps > next.len() {
            return Err(PlacementError::Internal("every node is full"));
        }
    }
    let mut at = start;
    while at != root {
        let following = next[at];
        next[at] = root;
        at = following;
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use failscope_sim::rng::Rng;

    /// The oracle: the paper's rule walked naively, one virtual node at a time.
    fn naive_assign(ring: &Ring, keys: &[u64], capacity: u64) -> Vec<u32> {
        let nodes = ring.nodes();
        let mut loads = vec![0u64; nodes.len()];
        let v = ring.vnodes();
        let mut owners = Vec::new();
        for &key in keys {
            let mut i = ring.lookup_index(hash_key(key)).unwrap();
            loop {
                let node = v[i].1;
                let m = nodes.binary_search(&node).unwrap();
                if loads[m] < capacity {
                    loads[m] += 1;
                    owners.push(node);
                    break;
                }
                i = (i + 1) % v.len();
            }
        }
        owners
    }

    #[test]
    fn capacity_is_the_exact_ceiling() {
        let e = Epsilon::per_mille(250);
        assert_eq!(e.capacity(100, 4), Some(32)); // 1.25 * 25 = 31.25
        assert_eq!(e.capacity(80, 4), Some(25)); // exactly 25
        assert_eq!(Epsilon::per_mille(0).capacity(10, 3), Some(4));
        assert_eq!(e.capacity(0, 3), Some(0));
        assert_eq!(e.capacity(10, 0), None);
        assert_eq!(Epsilon::ratio(1, 3).unwrap().capacity(9, 3), Some(4));
        assert_eq!(Epsilon::ratio(1, 0), None);
        assert_eq!(
            Epsilon::per_mille(u32::MAX).capacity(u64::MAX, 1),
            Some(u64::MAX)
        );
    }

    #[test]
    fn never_exceeds_the_bound_and_matches_the_naive_walk() {
        let mut rng = Rng::from_seed(77);
        for round in 0..60 {
            let mut ring = Ring::new();
            let n = 1 + rng.below(12) as usize;
            while ring.node_count() < n {
                let _ = ring.add_node_weighted(rng.below(500) as u32, 1 + rng.below(60) as u32);
            }
            let key_count = rng.below(3_000) as usize;
            let keys: Vec<u64> = (0..key_count).map(|_| rng.below(1 << 40)).collect();
            for per_mille in [0, 1, 100, 250, 1_000, 5_000] {
                let eps = Epsilon::per_mille(per_mille);
                let a = assign(&ring, &keys, eps).unwrap();
                let cap = eps.capacity(keys.len() as u64, n as u64).unwrap();
                assert_eq!(a.capacity, cap);
                assert!(
                    a.max_load() <= cap,
                    "round {round}: load {} > bound {cap}",
                    a.max_load()
                );
                assert_eq!(a.loads.iter().sum::<u64>(), keys.len() as u64);
                assert_eq!(a.owners.len(), keys.len());
                assert_eq!(a.owners, naive_assign(&ring, &keys, cap));
                for (k, &first) in keys.iter().zip(&a.first_choices) {
                    assert_eq!(ring.lookup(hash_key(*k)), Some(first));
                }
            }
        }
    }

    #[test]
    fn a_loose_bound_is_plain_consistent_hashing() {
        let ring = Ring::with_nodes(&[1, 2, 3, 4, 5], 50).unwrap();
        let keys: Vec<u64> = (0..2_000).collect();
        // With epsilon = N - 1 the capacity is the whole key set: nobody is ever full.
        let a = assign(&ring, &keys, Epsilon::ratio(4, 1).unwrap()).unwrap();
        assert_eq!(a.displaced(), 0);
        assert_eq!(a.owners, a.first_choices);
        // A tight bound displaces some keys and evens the loads out.
        let tight = assign(&ring, &keys, Epsilon::per_mille(0)).unwrap();
        assert!(tight.displaced() > 0);
        assert!(tight.loads.iter().all(|&l| l == 400));
    }

    #[test]
    fn empty_inputs() {
        let ring = Ring::new();
        let e = Epsilon::per_mille(250);
        assert_eq!(assign(&ring, &[1, 2], e), Err(PlacementError::NoNodes));
        let a = assign(&ring, &[], e).unwrap();
        assert!(a.owners.is_empty() && a.nodes.is_empty());
        let one = Ring::with_nodes(&[9], 3).unwrap();
        let a = assign(&one, &[1, 1, 1], e).unwrap();
        assert_eq!(a.owners, vec![9, 9, 9]);
    }
}
