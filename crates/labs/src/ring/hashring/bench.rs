//! Reference workloads for the placement benchmarks, shared by native tests and the browser so
//! both measure the same thing. As in [`crate::bench`](mod@crate::bench), the caller owns the stopwatch: nothing
//! here reads a clock.
//!
//! - [`lookups`]: hash and look up keys `0..n` on a ring, folding the owners into a checksum
//!   (which also proves native and wasm32 agree).
//! - [`rebalance_on_add`]: load and movement statistics for keys `0..n` when one node joins.
//!
//! The reference ring is 100 nodes x 256 virtual nodes; the reference sizes are 1,000,000.

use super::hash::hash_key;
use super::placement::{check_key_count, Placement, PlacementError};
use super::ring::Ring;
use super::stats::{rebalance, Rebalance};

/// Physical nodes in the reference ring (ids `0..BENCH_NODES`).
pub const BENCH_NODES: u32 = 100;
/// Virtual nodes per physical node in the reference ring.
pub const BENCH_VNODES: u32 = 256;
/// Keys in the reference workloads.
pub const BENCH_KEYS: u64 = 1_000_000;

/// The reference ring: nodes `0..100`, 256 virtual nodes each.
pub fn reference_ring() -> Result<Ring, PlacementError> {
    let nodes: Vec<u32> = (0..BENCH_NODES).collect();
    Ring::with_nodes(&nodes, BENCH_VNODES)
}

/// Looks up keys `0..n` (each hashed with [`hash_key`]) and returns an FNV-1a-style fold of
/// the owners, so the work cannot be optimised away and two targets can be compared.
pub fn lookups(ring: &Ring, n: u64) -> Result<u64, PlacementError> {
    check_key_count(n)?;
    let mut checksum = 0xcbf2_9ce4_8422_2325u64;
    for key in 0..n {
        // An empty ring folds a value no node id can take.
        let owner = ring.lookup(hash_key(key)).map_or(1 << 32, u64::from);
        checksum = (checksum ^ owner).wrapping_mul(0x0000_0100_0000_01b3);
    }
    Ok(checksum)
}

/// Rebalancing statistics for keys `0..n` when `new_node` (with the ring's default weight)
/// joins `ring`.
pub fn rebalance_on_add(ring: &Ring, new_node: u32, n: u64) -> Result<Rebalance, PlacementError> {
    check_key_count(n)?;
    let mut after = ring.clone();
    after.add_node(new_node)?;
    Ok(rebalance(ring, &after, 0..n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// Checksum of the first 10,000 lookups on the reference ring: pinned so that a change
    /// of hash, tie-break or lookup rule (or a wasm32 difference) shows up.
    const CHECKSUM_10K: u64 = 0x1acb_bfb7_82d9_d852;

    #[test]
    fn reference_lookups_are_pinned() {
        let ring = reference_ring().unwrap();
        assert_eq!(ring.vnodes().len(), 25_600);
        assert_eq!(lookups(&ring, 10_000).unwrap(), CHECKSUM_10K);
        assert_eq!(
            lookups(&ring, 10_000_001),
            Err(PlacementError::TooManyKeys {
                requested: 10_000_001,
                limit: 10_000_000
            })
        );
    }

    /// Times the two reference workloads (meaningful with `--release`; prints, asserts only
    /// correctness): `cargo test --release -p failscope-labs --lib ring::hashring::bench -- --nocapture`.
    #[test]
    fn reference_workloads_timed() {
        let ring = reference_ring().unwrap();
        let started = Instant::now();
        let checksum = lookups(&ring, BENCH_KEYS).unwrap();
        let lookup_ms = started.elapsed().as_secs_f64() * 1e3;
        assert_eq!(checksum, lookups(&ring, BENCH_KEYS).unwrap());

        let started = Instant::now();
        let r = rebalance_on_add(&ring, BENCH_NODES, BENCH_KEYS).unwrap();
        let rebalance_ms = started.elapsed().as_secs_f64() * 1e3;
        assert_eq!(r.keys, BENCH_KEYS);
        assert_eq!(r.before.placed, BENCH_KEYS);
        assert_eq!(r.after.placed, BENCH_KEYS);
        // Only the newcomer gains keys: everything that moved went to node 100.
        let newcomer = r.after.loads.last().map(|&(n, load)| (n, load));
        assert_eq!(newcomer, Some((BENCH_NODES, r.moved)));
        // About 1/101 of the keys move (256 vnodes: the new node's share is within ~25%).
        let expected = BENCH_KEYS as f64 / 101.0;
        assert!(
            (r.moved as f64 - expected).abs() < 0.25 * expected,
            "{}",
            r.moved
        );
        println!(
            "hashring bench: 1M lookups on 100x256 vnodes: {lookup_ms:.1} ms (checksum \
             {checksum:#018x}); 1M-key rebalance on adding node 100: {rebalance_ms:.1} ms, \
             moved {} ({:.3}%), cv before {:.4} after {:.4}, max/mean after {:.3}",
            r.moved,
            r.moved_fraction() * 100.0,
            r.before.cv,
            r.after.cv,
            r.after.max as f64 / r.after.mean
        );
    }
}
