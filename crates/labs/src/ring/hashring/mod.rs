//! Data placement: which node stores which key, and what moves when membership changes.
//!
//! - [`ring`]: consistent hashing with weighted virtual nodes (Karger et al. 1997), the
//!   subject of the lab, with what the view draws (ownership arcs, a key's clockwise walk).
//! - [`mod_n`]: `hash mod N`, the baseline that re-maps almost every key.
//! - [`rendezvous`]: highest-random-weight hashing (Thaler and Ravishankar 1998).
//! - [`jump`]: jump consistent hash (Lamping and Veach 2014).
//! - [`bounded_load`]: consistent hashing with bounded loads (Mirrokni, Thorup and
//!   Zadimoghaddam 2018), a batch assignment.
//! - [`placement`]: the [`Placement`] trait the per-key algorithms share, the input bounds and
//!   [`PlacementError`].
//! - [`hash`]: XXH64, and the byte encodings of keys and virtual-node labels.
//! - [`stats`]: load spread and keys moved, for any placement.
//! - [`bench`](mod@self::bench): the reference workloads (1M lookups, 1M-key rebalance).
//!
//! Everything that decides a placement is integer arithmetic on `u64`/`u32` (jump hash's one
//! division is exact IEEE `f64`, argued in [`jump`]), ordered collections only, and no
//! randomness, so results are bit-identical natively and in wasm32. Floats appear only in
//! reported statistics.

pub mod bench;
pub mod bounded_load;
pub mod hash;
pub mod jump;
pub mod mod_n;
pub mod placement;
pub mod rendezvous;
pub mod ring;
pub mod stats;

#[cfg(test)]
mod reference_tests;

pub use bounded_load::{assign as assign_bounded, BoundedAssignment, Epsilon};
pub use hash::{hash_key, hash_vnode};
pub use jump::{jump_consistent_hash, JumpHash};
pub use mod_n::ModN;
pub use placement::{
    build, Algorithm, Placement, PlacementError, DEFAULT_VNODES, MAX_GENERATED_KEYS,
    MAX_PHYSICAL_NODES, MAX_VNODES_PER_NODE,
};
pub use rendezvous::Rendezvous;
pub use ring::{OwnershipArc, Ring, Walk, WalkStep};
pub use stats::{load_stats, moved, moved_keys, rebalance, LoadStats, Rebalance};
