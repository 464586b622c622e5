//! The interface every per-key placement algorithm shares, its errors and its input bounds.
//!
//! [`Placement`] is a trait rather than an enum so that each algorithm keeps its own
//! membership rules (a ring has weights, jump hash only grows or shrinks at the end) while the
//! view and [`super::stats`] treat them alike through `&dyn Placement`. [`build`] makes one from
//! an [`Algorithm`] tag for code that picks the algorithm at run time.
//!
//! Bounded-load hashing is deliberately *not* a `Placement`: where a key lands depends on every
//! key assigned before it, so it is a batch assignment ([`super::bounded_load::assign`]) whose
//! owners feed the slice-based functions of [`super::stats`].

use std::fmt;

use super::jump::JumpHash;
use super::mod_n::ModN;
use super::rendezvous::Rendezvous;
use super::ring::Ring;

/// Most physical nodes any placement accepts.
pub const MAX_PHYSICAL_NODES: usize = 1024;
/// Most virtual nodes (ring positions) one physical node may have.
pub const MAX_VNODES_PER_NODE: u32 = 4096;
/// Virtual nodes per physical node when none is given.
pub const DEFAULT_VNODES: u32 = 100;
/// Most keys one benchmark or statistics run generates by itself (callers passing their own
/// key slices are bounded by the memory they already hold).
pub const MAX_GENERATED_KEYS: u64 = 10_000_000;

/// One per-key data-placement algorithm over a set of physical nodes identified by `u32` ids.
///
/// Every method takes a *key hash* (see [`super::hash::hash_key`]), not a raw key, so that all
/// algorithms see the same well-mixed 64-bit input. No method panics: an empty membership gives
/// `None` / an empty replica list, and membership changes that an algorithm cannot make return
/// a [`PlacementError`] that says why.
pub trait Placement {
    /// A short, stable name for the interface ("ring", "mod-n", "rendezvous", "jump").
    fn name(&self) -> &'static str;

    /// The member node ids, ascending.
    fn nodes(&self) -> Vec<u32>;

    /// How many members there are.
    fn node_count(&self) -> usize;

    /// The node that owns `key_hash` (its first replica), `None` when there are no members.
    fn owner(&self, key_hash: u64) -> Option<u32>;

    /// Replaces `out` with the first `r` distinct nodes responsible for `key_hash`, owner
    /// first; all members (each once) when there are fewer than `r`.
    fn replicas_into(&self, key_hash: u64, r: usize, out: &mut Vec<u32>);

    /// [`Placement::replicas_into`] into a fresh vector.
    fn replicas(&self, key_hash: u64, r: usize) -> Vec<u32> {
        let mut out = Vec::new();
        self.replicas_into(key_hash, r, &mut out);
        out
    }

    /// Adds a member (a ring gives it its default weight).
    fn add_node(&mut self, node: u32) -> Result<(), PlacementError>;

    /// Removes a member.
    fn remove_node(&mut self, node: u32) -> Result<(), PlacementError>;
}

/// Which algorithm [`build`] makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// Consistent hashing with `vnodes` virtual nodes per physical node ([`Ring`]).
    Ring { vnodes: u32 },
    /// `hash mod N` over the sorted member list ([`ModN`]).
    ModN,
    /// Highest-random-weight hashing ([`Rendezvous`]).
    Rendezvous,
    /// Jump consistent hash ([`JumpHash`]); members must be exactly `0..n`.
    Jump,
}

/// A placement of `algorithm` over `nodes` (any order; duplicates are an error).
pub fn build(algorithm: Algorithm, nodes: &[u32]) -> Result<Box<dyn Placement>, PlacementError> {
    Ok(match algorithm {
        Algorithm::Ring { vnodes } => Box::new(Ring::with_nodes(nodes, vnodes)?),
        Algorithm::ModN => Box::new(ModN::with_nodes(nodes)?),
        Algorithm::Rendezvous => Box::new(Rendezvous::with_nodes(nodes)?),
        Algorithm::Jump => Box::new(JumpHash::with_nodes(nodes)?),
    })
}

/// Why a placement refused an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementError {
    /// Adding a node would exceed [`MAX_PHYSICAL_NODES`].
    TooManyNodes { limit: usize },
    /// A weight (virtual-node count) outside `1..=MAX_VNODES_PER_NODE`.
    WeightOutOfRange { node: u32, weight: u32 },
    /// The node is already a member.
    DuplicateNode { node: u32 },
    /// The node is not a member.
    UnknownNode { node: u32 },
    /// Jump hash can only add bucket `n` or remove bucket `n - 1`.
    JumpNotLastBucket { node: u32, allowed: Option<u32> },
    /// Jump hash buckets must be exactly `0..n`.
    JumpNotContiguous,
    /// Keys need at least one node.
    NoNodes,
    /// A generated key count above [`MAX_GENERATED_KEYS`].
    TooManyKeys { requested: u64, limit: u64 },
    /// An internal consistency check failed (a bug, reported rather than panicking).
    Internal(&'static str),
}

impl fmt::Display for PlacementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlacementError::TooManyNodes { limit } => {
                write!(
                    f,
                    "too many nodes: at most {limit} physical nodes are supported"
                )
            }
            PlacementError::WeightOutOfRange { node, weight } => write!(
                f,
                "node {node}: weight {weight} is out of range (virtual nodes per node must be \
                 1..={MAX_VNODES_PER_NODE})"
            ),
            PlacementError::DuplicateNode { node } => write!(f, "node {node} is already a member"),
            PlacementError::UnknownNode { node } => write!(f, "node {node} is not a member"),
            PlacementError::JumpNotLastBucket { node, allowed } => match allowed {
                Some(last) => write!(
                    f,
                    "jump hash cannot change bucket {node}: buckets are 0..n and only the last \
                     one ({last}) can be added or removed"
                ),
                None => write!(
                    f,
                    "jump hash cannot remove bucket {node}: there are no buckets"
                ),
            },
            PlacementError::JumpNotContiguous => {
                write!(f, "jump hash buckets must be exactly the ids 0..n")
            }
            PlacementError::NoNodes => write!(f, "there are keys to place but no nodes"),
            PlacementError::TooManyKeys { requested, limit } => {
                write!(
                    f,
                    "{requested} keys requested: at most {limit} are generated in one run"
                )
            }
            PlacementError::Internal(what) => write!(f, "internal error in placement: {what}"),
        }
    }
}

impl std::error::Error for PlacementError {}

/// Checks a generated key count against [`MAX_GENERATED_KEYS`].
pub(crate) fn check_key_count(requested: u64) -> Result<(), PlacementError> {
    if requested > MAX_GENERATED_KEYS {
        return Err(PlacementError::TooManyKeys {
            requested,
            limit: MAX_GENERATED_KEYS,
        });
    }
    Ok(())
}

/// A sorted, duplicate-free member list of at most [`MAX_PHYSICAL_NODES`] ids.
pub(crate) fn sorted_members(nodes: &[u32]) -> Result<Vec<u32>, PlacementError> {
    if nodes.len() > MAX_PHYSICAL_NODES {
        return Err(PlacementError::TooManyNodes {
            limit: MAX_PHYSICAL_NODES,
        });
    }
    let mut members = nodes.to_vec();
    members.sort_unstable();
    for pair in members.windows(2) {
        if let [a, b] = pair {
            if a == b {
                return Err(PlacementError::DuplicateNode { node: *a });
            }
        }
    }
    Ok(members)
}

/// Inserts `node` into a sorted member list, enforcing the bound and uniqueness.
pub(crate) fn insert_member(members: &mut Vec<u32>, node: u32) -> Result<(), PlacementError> {
    match members.binary_search(&node) {
        Ok(_) => Err(PlacementError::DuplicateNode { node }),
        Err(_) if members.len() >= MAX_PHYSICAL_NODES => Err(PlacementError::TooManyNodes {
            limit: MAX_PHYSICAL_NODES,
        }),
        Err(at) => {
            members.insert(at, node);
            Ok(())
        }
    }
}

/// Removes `node` from a sorted member list.
pub(crate) fn remove_member(members: &mut Vec<u32>, node: u32) -> Result<(), PlacementError> {
    match members.binary_search(&node) {
        Ok(at) => {
            members.remove(at);
            Ok(())
        }
        Err(_) => Err(PlacementError::UnknownNode { node }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_makes_each_algorithm_and_reports_bad_membership() {
        let nodes = [0, 1, 2];
        for algorithm in [
            Algorithm::Ring { vnodes: 8 },
            Algorithm::ModN,
            Algorithm::Rendezvous,
            Algorithm::Jump,
        ] {
            let p = build(algorithm, &nodes).unwrap();
            assert_eq!(p.nodes(), vec![0, 1, 2]);
            assert_eq!(p.node_count(), 3);
            assert!(p.owner(12345).is_some());
        }
        assert_eq!(
            build(Algorithm::ModN, &[3, 3]).err(),
            Some(PlacementError::DuplicateNode { node: 3 })
        );
        assert_eq!(
            build(Algorithm::Jump, &[0, 2]).err(),
            Some(PlacementError::JumpNotContiguous)
        );
        assert_eq!(
            build(Algorithm::Ring { vnodes: 0 }, &[1]).err(),
            Some(PlacementError::WeightOutOfRange { node: 1, weight: 0 })
        );
        let too_many: Vec<u32> = (0..=MAX_PHYSICAL_NODES as u32).collect();
        assert_eq!(
            build(Algorithm::Rendezvous, &too_many).err(),
            Some(PlacementError::TooManyNodes {
                limit: MAX_PHYSICAL_NODES
            })
        );
    }

    #[test]
    fn errors_explain_themselves() {
        let msg = PlacementError::WeightOutOfRange {
            node: 7,
            weight: 5000,
        }
        .to_string();
        assert!(msg.contains("node 7") && msg.contains("5000") && msg.contains("4096"));
        let msg = PlacementError::JumpNotLastBucket {
            node: 2,
            allowed: Some(4),
        }
        .to_string();
        assert!(msg.contains("only the last"), "{msg}");
    }
}
