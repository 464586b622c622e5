//! `hash mod N`: the baseline consistent hashing improves on.
//!
//! Nodes are identified by their index in the member list sorted by id, and a key belongs to
//! member `key_hash % N`. Perfectly even in expectation and trivially cheap, but any change of
//! `N` re-maps almost every key: adding the (N+1)-th node keeps a key in place only when
//! `h % N == h % (N+1)`, so about `N/(N+1)` of all keys move (Karger et al. 1997 use this as
//! the motivating counter-example).

use super::placement::{insert_member, remove_member, sorted_members, Placement, PlacementError};

/// `hash mod N` placement over a sorted member list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModN {
    members: Vec<u32>,
}

impl ModN {
    /// An empty placement.
    pub fn new() -> ModN {
        ModN::default()
    }

    /// A placement over `nodes` (any order, no duplicates).
    pub fn with_nodes(nodes: &[u32]) -> Result<ModN, PlacementError> {
        Ok(ModN {
            members: sorted_members(nodes)?,
        })
    }

    /// The member index `key_hash % N` (computed in u64 on every target).
    fn slot(&self, key_hash: u64) -> Option<usize> {
        let n = self.members.len() as u64;
        if n == 0 {
            return None;
        }
        // The remainder is below N <= MAX_PHYSICAL_NODES, so it fits any usize.
        Some((key_hash % n) as usize)
    }
}

impl Placement for ModN {
    fn name(&self) -> &'static str {
        "mod-n"
    }

    fn nodes(&self) -> Vec<u32> {
        self.members.clone()
    }

    fn node_count(&self) -> usize {
        self.members.len()
    }

    fn owner(&self, key_hash: u64) -> Option<u32> {
        self.members.get(self.slot(key_hash)?).copied()
    }

    /// The owner's slot and the `r - 1` slots after it, wrapping.
    fn replicas_into(&self, key_hash: u64, r: usize, out: &mut Vec<u32>) {
        out.clear();
        let Some(start) = self.slot(key_hash) else {
            return;
        };
        let n = self.members.len();
        out.extend((0..r.min(n)).filter_map(|i| self.members.get((start + i) % n).copied()));
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

    #[test]
    fn owner_is_the_member_at_hash_mod_n() {
        let p = ModN::with_nodes(&[30, 10, 20]).unwrap();
        assert_eq!(p.owner(0), Some(10));
        assert_eq!(p.owner(4), Some(20));
        assert_eq!(p.owner(u64::MAX), Some(10)); // 2^64 - 1 = 0 mod 3
        assert_eq!(p.replicas(5, 3), vec![30, 10, 20]);
        assert_eq!(p.replicas(5, 9), vec![30, 10, 20]);
        assert!(ModN::new().owner(5).is_none());
        assert!(ModN::new().replicas(5, 2).is_empty());
    }

    #[test]
    fn membership_changes_are_checked() {
        let mut p = ModN::with_nodes(&[1, 2]).unwrap();
        assert_eq!(
            p.add_node(2),
            Err(PlacementError::DuplicateNode { node: 2 })
        );
        assert_eq!(
            p.remove_node(9),
            Err(PlacementError::UnknownNode { node: 9 })
        );
        p.add_node(0).unwrap();
        assert_eq!(p.nodes(), vec![0, 1, 2]);
        p.remove_node(1).unwrap();
        assert_eq!(p.nodes(), vec![0, 2]);
    }
}
