//! Rendezvous, or highest-random-weight (HRW), hashing (Thaler and Ravishankar, "Using
//! Name-Based Mappings to Increase Hit Rates", IEEE/ACM Transactions on Networking, 1998).
//!
//! Every node scores every key with a pseudo-random function, here
//! [`hash_node_key`]`(node, key_hash)`, and the key belongs to the highest score; its `r`
//! replicas are the `r` highest. No ring and no virtual nodes: a node's removal moves exactly
//! the keys it owned (everyone else's scores are unchanged), and an added node takes about
//! `1/(N+1)` of the keys, evenly from the others. The price is O(N) hashes per lookup.
//! Equal scores are broken in favour of the smaller node id.

use super::hash::hash_node_key;
use super::placement::{insert_member, remove_member, sorted_members, Placement, PlacementError};

/// Highest-random-weight placement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendezvous {
    members: Vec<u32>,
}

impl Rendezvous {
    /// An empty placement.
    pub fn new() -> Rendezvous {
        Rendezvous::default()
    }

    /// A placement over `nodes` (any order, no duplicates).
    pub fn with_nodes(nodes: &[u32]) -> Result<Rendezvous, PlacementError> {
        Ok(Rendezvous {
            members: sorted_members(nodes)?,
        })
    }

    /// Every member's score for `key_hash`, as (score, node) in member order.
    pub fn scores(&self, key_hash: u64) -> Vec<(u64, u32)> {
        self.members
            .iter()
            .map(|&node| (hash_node_key(node, key_hash), node))
            .collect()
    }
}

impl Placement for Rendezvous {
    fn name(&self) -> &'static str {
        "rendezvous"
    }

    fn nodes(&self) -> Vec<u32> {
        self.members.clone()
    }

    fn node_count(&self) -> usize {
        self.members.len()
    }

    fn owner(&self, key_hash: u64) -> Option<u32> {
        let mut best: Option<(u64, u32)> = None;
        // Members are ascending, so a strict `>` keeps the smaller id on equal scores.
        for &node in &self.members {
            let score = hash_node_key(node, key_hash);
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, node));
            }
        }
        best.map(|(_, node)| node)
    }

    /// The `r` highest-scoring members, best first.
    fn replicas_into(&self, key_hash: u64, r: usize, out: &mut Vec<u32>) {
        out.clear();
        let mut scored = self.scores(key_hash);
        // Descending score, then ascending id: a total order, so the result is unique.
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        out.extend(scored.iter().take(r).map(|&(_, node)| node));
    }

    fn add_node(&mut self, node: u32) -> Result<(), PlacementError> {
        insert_member(&mut self.members, node)
    }

    fn remove_node(&mut self, node: u32) -> Result<(), PlacementError> {
        remove_member(&mut self.members, node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use failscope_sim::rng::Rng;

    #[test]
    fn owner_has_the_highest_score_and_replicas_are_ranked() {
        let p = Rendezvous::with_nodes(&[4, 8, 15, 16, 23, 42]).unwrap();
        let mut rng = Rng::from_seed(3);
        for _ in 0..500 {
            let key = rng.next_u64();
            let scores = p.scores(key);
            let best = scores
                .iter()
                .max_by_key(|&&(s, n)| (s, std::cmp::Reverse(n)));
            assert_eq!(p.owner(key), best.map(|&(_, n)| n));
            let reps = p.replicas(key, 3);
            assert_eq!(reps.first().copied(), p.owner(key));
            let score_of = |n: u32| hash_node_key(n, key);
            assert!(reps.windows(2).all(|w| score_of(w[0]) >= score_of(w[1])));
        }
        assert!(Rendezvous::new().owner(1).is_none());
    }
}
