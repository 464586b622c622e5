//! Consistent hashing with virtual nodes (Karger, Lehman, Leighton, Panigrahy, Levine and
//! Lewin, "Consistent Hashing and Random Trees", STOC 1997).
//!
//! Each physical node with weight `w` is placed on a 2^64-position circle at the `w` positions
//! [`hash_vnode`]`(node, 0..w)`. A key at position `k` belongs to the first virtual node
//! clockwise *at or after* `k`, wrapping past 2^64 - 1 to the start. Adding or removing a
//! node moves only the keys on the arcs it gains or loses (about `1/(N+1)` of them), and more
//! virtual nodes per node shrink the load spread roughly as `1/sqrt(vnodes)`.
//!
//! The ring is a `Vec<(position, node)>` sorted once per membership change, so a lookup is one
//! binary search (`partition_point`). The source material this project draws on re-sorted the
//! ring on every lookup; that is the bug this module fixes. Equal positions (distinct labels
//! hashing alike) are ordered by node id, so the smaller id wins the tie on every target.

use failscope_sim::maps::map_of;
use std::collections::BTreeMap;

use super::hash::hash_vnode;
use super::placement::{
    Placement, PlacementError, DEFAULT_VNODES, MAX_PHYSICAL_NODES, MAX_VNODES_PER_NODE,
};

/// A consistent-hashing ring with weighted virtual nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ring {
    /// Every virtual node as (position, node), sorted by position then node id.
    vnodes: Vec<(u64, u32)>,
    /// Member node id -> weight (its number of virtual nodes).
    members: BTreeMap<u32, u32>,
    /// The weight [`Placement::add_node`] gives a new node.
    default_weight: u32,
}

/// The positions one virtual node owns: keys hashing into `(start, end]`, clockwise.
///
/// `start` is the previous virtual node's position (exclusive); the arc wraps past zero when
/// `start >= end` (always for the first virtual node of the ring). `span` is the number of
/// positions owned (up to 2^64, for a ring with one position, hence `u128`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnershipArc {
    pub start: u64,
    pub end: u64,
    pub span: u128,
    pub owner: u32,
}

/// The clockwise walk for one key, for the view's animation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    /// The key's position on the ring (its hash).
    pub key_hash: u64,
    /// Every virtual node visited, in order, until `replicas` was complete.
    pub steps: Vec<WalkStep>,
    /// The distinct physical nodes found, owner first.
    pub replicas: Vec<u32>,
}

/// One virtual node visited by a [`Walk`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalkStep {
    /// Index into [`Ring::vnodes`].
    pub vnode_index: usize,
    pub position: u64,
    pub node: u32,
    /// Whether this step added `node` to the replicas (false: already chosen, skipped).
    pub new_replica: bool,
}

impl Default for Ring {
    fn default() -> Ring {
        Ring::new()
    }
}

impl Ring {
    /// An empty ring whose nodes get [`DEFAULT_VNODES`] virtual nodes by default.
    pub fn new() -> Ring {
        Ring {
            vnodes: Vec::new(),
            members: BTreeMap::new(),
            default_weight: DEFAULT_VNODES,
        }
    }

    /// A ring of `nodes`, each with `vnodes` virtual nodes (also the default for nodes added
    /// later through [`Placement::add_node`]).
    pub fn with_nodes(nodes: &[u32], vnodes: u32) -> Result<Ring, PlacementError> {
        let first = nodes.first().copied().unwrap_or(0);
        check_weight(first, vnodes)?;
        if nodes.len() > MAX_PHYSICAL_NODES {
            return Err(PlacementError::TooManyNodes {
                limit: MAX_PHYSICAL_NODES,
            });
        }
        let mut members = BTreeMap::new();
        for &node in nodes {
            if members.insert(node, vnodes).is_some() {
                return Err(PlacementError::DuplicateNode { node });
            }
        }
        // One sort for the whole membership rather than one merge per node.
        let mut all = Vec::with_capacity(nodes.len() * vnodes as usize);
        for &node in members.keys() {
            all.extend((0..vnodes).map(|i| (hash_vnode(node, i), node)));
        }
        all.sort_unstable();
        Ok(Ring {
            vnodes: all,
            members,
            default_weight: vnodes,
        })
    }

    /// A ring of `(node, weight)` members, sorted once: the same ring as adding each with
    /// [`Ring::add_node_weighted`] to [`Ring::new`], without a merge per node.
    pub fn with_weights(members: &[(u32, u32)]) -> Result<Ring, PlacementError> {
        if members.len() > MAX_PHYSICAL_NODES {
            return Err(PlacementError::TooManyNodes {
                limit: MAX_PHYSICAL_NODES,
            });
        }
        let mut weights = BTreeMap::new();
        for &(node, weight) in members {
            check_weight(node, weight)?;
            if weights.insert(node, weight).is_some() {
                return Err(PlacementError::DuplicateNode { node });
            }
        }
        let total = weights.values().map(|&w| w as usize).sum();
        let mut all = Vec::with_capacity(total);
        for (&node, &weight) in &weights {
            all.extend((0..weight).map(|i| (hash_vnode(node, i), node)));
        }
        all.sort_unstable();
        Ok(Ring {
            vnodes: all,
            members: weights,
            default_weight: DEFAULT_VNODES,
        })
    }

    /// The weight [`Placement::add_node`] uses.
    pub fn default_weight(&self) -> u32 {
        self.default_weight
    }

    /// Changes the weight [`Placement::add_node`] uses (existing nodes keep theirs).
    pub fn set_default_weight(&mut self, weight: u32) -> Result<(), PlacementError> {
        check_weight(0, weight)?;
        self.default_weight = weight;
        Ok(())
    }

    /// Adds `node` with `weight` virtual nodes (`1..=MAX_VNODES_PER_NODE`).
    pub fn add_node_weighted(&mut self, node: u32, weight: u32) -> Result<(), PlacementError> {
        check_weight(node, weight)?;
        if self.members.contains_key(&node) {
            return Err(PlacementError::DuplicateNode { node });
        }
        if self.members.len() >= MAX_PHYSICAL_NODES {
            return Err(PlacementError::TooManyNodes {
                limit: MAX_PHYSICAL_NODES,
            });
        }
        self.members.insert(node, weight);
        self.merge_vnodes(node, 0..weight);
        Ok(())
    }

    /// Changes `node`'s weight. Virtual nodes are labelled `0..weight`, so growing adds labels
    /// at the end and shrinking drops the last ones: the positions the node keeps are
    /// unchanged and only the keys on the added or dropped arcs move.
    pub fn reweight(&mut self, node: u32, weight: u32) -> Result<(), PlacementError> {
        check_weight(node, weight)?;
        let Some(old) = self.members.get(&node).copied() else {
            return Err(PlacementError::UnknownNode { node });
        };
        if weight > old {
            self.merge_vnodes(node, old..weight);
        } else if weight < old {
            self.vnodes.retain(|&(_, n)| n != node);
            self.merge_vnodes(node, 0..weight);
        }
        self.members.insert(node, weight);
        Ok(())
    }

    /// `node`'s weight, if it is a member.
    pub fn weight(&self, node: u32) -> Option<u32> {
        self.members.get(&node).copied()
    }

    /// Every virtual node as (position, node), sorted by position then node id.
    pub fn vnodes(&self) -> &[(u64, u32)] {
        &self.vnodes
    }

    /// The index into [`Ring::vnodes`] of the first virtual node at or after `key_hash`,
    /// wrapping to 0 past the last one; `None` for an empty ring.
    pub fn lookup_index(&self, key_hash: u64) -> Option<usize> {
        if self.vnodes.is_empty() {
            return None;
        }
        let i = self.vnodes.partition_point(|&(pos, _)| pos < key_hash);
        Some(if i == self.vnodes.len() { 0 } else { i })
    }

    /// The node owning `key_hash`: binary search for the first virtual node clockwise.
    pub fn lookup(&self, key_hash: u64) -> Option<u32> {
        let i = self.lookup_index(key_hash)?;
        self.vnodes.get(i).map(|&(_, node)| node)
    }

    /// The ownership arc of every virtual node, in ring order.
    pub fn arcs(&self) -> Vec<OwnershipArc> {
        let Some(&(last_pos, _)) = self.vnodes.last() else {
            return Vec::new();
        };
        let mut prev = last_pos;
        let mut arcs = Vec::with_capacity(self.vnodes.len());
        for (i, &(pos, owner)) in self.vnodes.iter().enumerate() {
            let span = if i == 0 {
                // Wraps: (last, 2^64) plus [0, pos].
                (1u128 << 64) - u128::from(last_pos) + u128::from(pos)
            } else {
                u128::from(pos - prev)
            };
            arcs.push(OwnershipArc {
                start: prev,
                end: pos,
                span,
                owner,
            });
            prev = pos;
        }
        arcs
    }

    /// Each member with the total span of its arcs (the spans sum to 2^64 when non-empty).
    pub fn ownership(&self) -> Vec<(u32, u128)> {
        let mut owned: BTreeMap<u32, u128> = map_of(self.members.keys().map(|&n| (n, 0)));
        for arc in self.arcs() {
            if let Some(total) = owned.get_mut(&arc.owner) {
                *total += arc.span;
            }
        }
        owned.into_iter().collect()
    }

    /// The clockwise walk from `key_hash` collecting `r` distinct physical nodes (all members
    /// if there are fewer), recording every virtual node visited.
    pub fn walk(&self, key_hash: u64, r: usize) -> Walk {
        let mut walk = Walk {
            key_hash,
            steps: Vec::new(),
            replicas: Vec::new(),
        };
        let want = r.min(self.members.len());
        let Some(start) = self.lookup_index(key_hash) else {
            return walk;
        };
        let len = self.vnodes.len();
        for offset in 0..len {
            if walk.replicas.len() >= want {
                break;
            }
            let index = (start + offset) % len;
            let Some(&(position, node)) = self.vnodes.get(index) else {
                break;
            };
            let new_replica = !walk.replicas.contains(&node);
            if new_replica {
                walk.replicas.push(node);
            }
            walk.steps.push(WalkStep {
                vnode_index: index,
                position,
                node,
                new_replica,
            });
        }
        walk
    }

    /// Merges the virtual nodes `labels` of `node` into the sorted ring in one linear pass.
    fn merge_vnodes(&mut self, node: u32, labels: std::ops::Range<u32>) {
        let mut new: Vec<(u64, u32)> = labels.map(|i| (hash_vnode(node, i), node)).collect();
        new.sort_unstable();
        let old = std::mem::take(&mut self.vnodes);
        let mut merged = Vec::with_capacity(old.len() + new.len());
        let (mut a, mut b) = (old.into_iter().peekable(), new.into_iter().peekable());
        loop {
            let take_old = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => x <= y,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_old { a.next() } else { b.next() };
            if let Some(v) = next {
                merged.push(v);
            }
        }
        self.vnodes = merged;
    }
}

impl Placement for Ring {
    fn name(&self) -> &'static str {
        "ring"
    }

    fn nodes(&self) -> Vec<u32> {
        self.members.keys().copied().collect()
    }

    fn node_count(&self) -> usize {
        self.members.len()
    }

    fn owner(&self, key_hash: u64) -> Option<u32> {
        self.lookup(key_hash)
    }

    /// Walks clockwise from the key collecting the first `r` distinct physical nodes.
    fn replicas_into(&self, key_hash: u64, r: usize, out: &mut Vec<u32>) {
        out.clear();
        let want = r.min(self.members.len());
        let Some(start) = self.lookup_index(key_hash) else {
            return;
        };
        // Two passes over the slice (from `start`, then from 0) avoid a modulo per step.
        let (tail, head) = (
            self.vnodes.get(start..).unwrap_or(&[]),
            self.vnodes.get(..start).unwrap_or(&[]),
        );
        for &(_, node) in tail.iter().chain(head) {
            if out.len() >= want {
                break;
            }
            if !out.contains(&node) {
                out.push(node);
            }
        }
    }

    fn add_node(&mut self, node: u32) -> Result<(), PlacementError> {
        self.add_node_weighted(node, self.default_weight)
    }

    fn remove_node(&mut self, node: u32) -> Result<(), PlacementError> {
        if self.members.remove(&node).is_none() {
            return Err(PlacementError::UnknownNode { node });
        }
        self.vnodes.retain(|&(_, n)| n != node);
        Ok(())
    }
}

fn check_weight(node: u32, weight: u32) -> Result<(), PlacementError> {
    if weight == 0 || weight > MAX_VNODES_PER_NODE {
        return Err(PlacementError::WeightOutOfRange { node, weight });
    }
    Ok(())
}

#[cfg(test)]
impl Ring {
    /// A ring with explicit virtual-node positions (for tie and oracle tests).
    pub(crate) fn from_positions(vnodes: &[(u64, u32)]) -> Ring {
        let mut sorted = vnodes.to_vec();
        sorted.sort_unstable();
        let mut members = BTreeMap::new();
        for &(_, node) in vnodes {
            *members.entry(node).or_insert(0) += 1;
        }
        Ring {
            vnodes: sorted,
            members,
            default_weight: DEFAULT_VNODES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::hashring::hash::hash_key;
    use failscope_sim::rng::Rng;

    /// The test oracle: a linear scan for the smallest position >= key (ties: smallest node
    /// id), else the smallest position overall.
    fn naive_lookup(vnodes: &[(u64, u32)], key: u64) -> Option<u32> {
        let at_or_after = vnodes.iter().filter(|&&(p, _)| p >= key).min().copied();
        at_or_after
            .or_else(|| vnodes.iter().min().copied())
            .map(|(_, n)| n)
    }

    fn random_ring(rng: &mut Rng) -> Ring {
        let n = 1 + rng.below(20) as u32;
        let mut ring = Ring::new();
        while ring.node_count() < n as usize {
            let node = rng.below(1_000) as u32;
            let weight = 1 + rng.below(40) as u32;
            let _ = ring.add_node_weighted(node, weight);
        }
        ring
    }

    #[test]
    fn a_ring_built_at_once_is_the_ring_built_node_by_node() {
        let mut rng = Rng::from_seed(77);
        for _ in 0..20 {
            let ring = random_ring(&mut rng);
            let members: Vec<(u32, u32)> = ring
                .nodes()
                .into_iter()
                .map(|n| (n, ring.weight(n).unwrap()))
                .collect();
            assert_eq!(Ring::with_weights(&members), Ok(ring));
        }
        assert_eq!(
            Ring::with_weights(&[(1, 3), (1, 4)]),
            Err(PlacementError::DuplicateNode { node: 1 })
        );
        assert_eq!(
            Ring::with_weights(&[(2, 0)]),
            Err(PlacementError::WeightOutOfRange { node: 2, weight: 0 })
        );
        assert_eq!(Ring::with_weights(&[]), Ok(Ring::new()));
    }

    #[test]
    fn binary_search_lookup_agrees_with_a_linear_scan() {
        let mut rng = Rng::from_seed(2024);
        for _ in 0..40 {
            let ring = random_ring(&mut rng);
            let v = ring.vnodes().to_vec();
            let mut probes: Vec<u64> = (0..500).map(|_| rng.next_u64()).collect();
            probes.extend([0, 1, u64::MAX, u64::MAX - 1]);
            for &(p, _) in v.iter().take(50) {
                probes.extend([p, p.wrapping_sub(1), p.wrapping_add(1)]);
            }
            for key in probes {
                assert_eq!(ring.lookup(key), naive_lookup(&v, key), "key {key}");
            }
        }
    }

    #[test]
    fn incremental_membership_equals_a_fresh_build() {
        let mut ring = Ring::with_nodes(&[5, 1, 9], 30).unwrap();
        ring.add_node(3).unwrap();
        ring.remove_node(9).unwrap();
        assert_eq!(ring, Ring::with_nodes(&[1, 3, 5], 30).unwrap());
        ring.reweight(3, 50).unwrap();
        ring.reweight(3, 30).unwrap();
        assert_eq!(ring, Ring::with_nodes(&[1, 3, 5], 30).unwrap());
        assert!(ring.vnodes().windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn reweighting_moves_only_the_changed_arcs() {
        let mut ring = Ring::with_nodes(&[0, 1, 2, 3], 50).unwrap();
        let before: Vec<Option<u32>> = (0..5_000).map(|k| ring.lookup(hash_key(k))).collect();
        ring.reweight(2, 100).unwrap();
        for (k, &b) in before.iter().enumerate() {
            let after = ring.lookup(hash_key(k as u64));
            // Growing node 2 only takes keys; nobody else gains any.
            assert!(
                after == b || after == Some(2),
                "key {k}: {b:?} -> {after:?}"
            );
        }
        assert_eq!(ring.weight(2), Some(100));
        assert_eq!(ring.vnodes().len(), 250);
    }

    #[test]
    fn ties_go_to_the_smaller_node_id_whatever_the_insertion_order() {
        let a = Ring::from_positions(&[(100, 7), (100, 3), (500, 9)]);
        let b = Ring::from_positions(&[(500, 9), (100, 3), (100, 7)]);
        assert_eq!(a, b);
        assert_eq!(a.lookup(100), Some(3));
        assert_eq!(a.lookup(50), Some(3));
        assert_eq!(a.lookup(101), Some(9));
        assert_eq!(a.lookup(501), Some(3)); // wraps
        assert_eq!(a.replicas(100, 3), vec![3, 7, 9]);
        // Node 7's virtual node at the tied position owns nothing.
        let arcs = a.arcs();
        assert_eq!(arcs[1].owner, 7);
        assert_eq!(arcs[1].span, 0);
    }

    #[test]
    fn arcs_cover_the_circle_once() {
        let ring = Ring::with_nodes(&[1, 2, 3], 7).unwrap();
        let arcs = ring.arcs();
        assert_eq!(arcs.len(), 21);
        assert_eq!(arcs.iter().map(|a| a.span).sum::<u128>(), 1u128 << 64);
        for arc in &arcs {
            // The arc's end is owned by its owner, and so is the position just after start.
            assert_eq!(ring.lookup(arc.end), Some(arc.owner));
            if arc.span > 0 {
                assert_eq!(ring.lookup(arc.start.wrapping_add(1)), Some(arc.owner));
            }
        }
        let owned = ring.ownership();
        assert_eq!(owned.iter().map(|o| o.1).sum::<u128>(), 1u128 << 64);
        let single = Ring::with_nodes(&[4], 1).unwrap();
        assert_eq!(single.arcs()[0].span, 1u128 << 64);
    }

    #[test]
    fn walk_matches_replicas_and_records_skips() {
        let mut rng = Rng::from_seed(5);
        let ring = Ring::with_nodes(&[10, 20, 30, 40], 20).unwrap();
        for _ in 0..500 {
            let key = rng.next_u64();
            for r in 0..6 {
                let walk = ring.walk(key, r);
                assert_eq!(walk.replicas, ring.replicas(key, r));
                let added: Vec<u32> = walk
                    .steps
                    .iter()
                    .filter(|s| s.new_replica)
                    .map(|s| s.node)
                    .collect();
                assert_eq!(added, walk.replicas);
                if let Some(first) = walk.steps.first() {
                    assert_eq!(Some(first.vnode_index), ring.lookup_index(key));
                    assert!(first.new_replica);
                }
                // The walk stops at the step that completed the replica set.
                assert!(walk.steps.last().is_none_or(|s| s.new_replica));
            }
        }
    }

    #[test]
    fn empty_ring_and_bad_inputs_do_not_panic() {
        let mut ring = Ring::new();
        assert_eq!(ring.lookup(7), None);
        assert!(ring.replicas(7, 3).is_empty());
        assert!(ring.walk(7, 3).steps.is_empty());
        assert!(ring.arcs().is_empty());
        assert_eq!(
            ring.remove_node(1),
            Err(PlacementError::UnknownNode { node: 1 })
        );
        assert_eq!(
            ring.add_node_weighted(1, 0),
            Err(PlacementError::WeightOutOfRange { node: 1, weight: 0 })
        );
        assert_eq!(
            ring.add_node_weighted(1, MAX_VNODES_PER_NODE + 1),
            Err(PlacementError::WeightOutOfRange {
                node: 1,
                weight: MAX_VNODES_PER_NODE + 1
            })
        );
        ring.add_node_weighted(1, MAX_VNODES_PER_NODE).unwrap();
        assert_eq!(
            ring.add_node(1),
            Err(PlacementError::DuplicateNode { node: 1 })
        );
        assert_eq!(
            ring.reweight(2, 5),
            Err(PlacementError::UnknownNode { node: 2 })
        );
        assert_eq!(ring.replicas(7, usize::MAX), vec![1]);
        let mut full = Ring::with_nodes(&(0..1024).collect::<Vec<_>>(), 1).unwrap();
        assert_eq!(
            full.add_node(5000),
            Err(PlacementError::TooManyNodes { limit: 1024 })
        );
    }
}
