//! Jump consistent hash (Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash
//! Algorithm", 2014).
//!
//! Maps a 64-bit key to one of `n` buckets `0..n` with no stored state beyond `n`, in
//! O(log n) expected steps, moving only `1/(n+1)` of the keys when bucket `n` is added. Its
//! limit: buckets are numbered `0..n` and only the **last** bucket can be added or removed;
//! removing a node in the middle would renumber the rest and move their keys. [`JumpHash`]
//! therefore accepts only those changes and reports [`PlacementError::JumpNotLastBucket`]
//! for any other.
//!
//! Determinism of the floating-point step: the paper computes
//! `j = (b + 1) * (double(1 << 31) / double((key >> 33) + 1))`. Every operand is an integer
//! below 2^53 (`b + 1 <= 2^32`, `(key >> 33) + 1 <= 2^31`), so each converts to `f64`
//! exactly; IEEE 754 division and multiplication are correctly rounded (round to nearest,
//! ties to even) both natively (SSE2 on x86-64, and other 64-bit targets) and in wasm32
//! (`f64.div`, `f64.mul`); Rust never fuses or reassociates them; and `as i64` truncates (and
//! saturates, never reached here) identically everywhere. So the result is bit-identical on
//! every target we build, and equal to the paper's C++ reference, whose outputs the tests pin.

use super::placement::{Placement, PlacementError, MAX_PHYSICAL_NODES};

/// The paper's LCG multiplier (`key = key * 2862933555777941757 + 1`).
const LCG_MULTIPLIER: u64 = 2_862_933_555_777_941_757;

/// The bucket in `0..buckets` for `key`, exactly as the paper's `JumpConsistentHash`;
/// `None` for zero buckets.
pub fn jump_consistent_hash(key: u64, buckets: u32) -> Option<u32> {
    if buckets == 0 {
        return None;
    }
    let mut key = key;
    let mut b: i64 = -1;
    let mut j: i64 = 0;
    // j strictly increases (the quotient is >= 1), so this ends within `buckets` rounds and,
    // in expectation, within ln(buckets) + 1.
    while j < i64::from(buckets) {
        b = j;
        key = key.wrapping_mul(LCG_MULTIPLIER).wrapping_add(1);
        let numerator = (1u64 << 31) as f64;
        let denominator = ((key >> 33) + 1) as f64;
        j = ((b + 1) as f64 * (numerator / denominator)) as i64;
    }
    u32::try_from(b).ok()
}

/// Jump consistent hash over buckets (node ids) `0..n`.
///
/// Replicas are not part of the paper; here they are the owner's bucket followed by the next
/// buckets in order, wrapping (`b, b+1, ..., mod n`), the successor rule rings use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JumpHash {
    buckets: u32,
}

impl JumpHash {
    /// `buckets` buckets `0..buckets`.
    pub fn new(buckets: u32) -> Result<JumpHash, PlacementError> {
        if buckets as usize > MAX_PHYSICAL_NODES {
            return Err(PlacementError::TooManyNodes {
                limit: MAX_PHYSICAL_NODES,
            });
        }
        Ok(JumpHash { buckets })
    }

    /// Buckets for `nodes`, which must be exactly the ids `0..n` in any order.
    pub fn with_nodes(nodes: &[u32]) -> Result<JumpHash, PlacementError> {
        let members = super::placement::sorted_members(nodes)?;
        if members
            .iter()
            .enumerate()
            .any(|(i, &n)| i as u64 != u64::from(n))
        {
            return Err(PlacementError::JumpNotContiguous);
        }
        JumpHash::new(members.len() as u32)
    }

    /// The number of buckets.
    pub fn buckets(&self) -> u32 {
        self.buckets
    }
}

impl Placement for JumpHash {
    fn name(&self) -> &'static str {
        "jump"
    }

    fn nodes(&self) -> Vec<u32> {
        (0..self.buckets).collect()
    }

    fn node_count(&self) -> usize {
        self.buckets as usize
    }

    fn owner(&self, key_hash: u64) -> Option<u32> {
        jump_consistent_hash(key_hash, self.buckets)
    }

    fn replicas_into(&self, key_hash: u64, r: usize, out: &mut Vec<u32>) {
        out.clear();
        let Some(first) = self.owner(key_hash) else {
            return;
        };
        let n = u64::from(self.buckets);
        let count = r.min(self.buckets as usize) as u64;
        out.extend((0..count).map(|i| ((u64::from(first) + i) % n) as u32));
    }

    /// Adds bucket `n`; any other id is refused.
    fn add_node(&mut self, node: u32) -> Result<(), PlacementError> {
        if node != self.buckets {
            return Err(PlacementError::JumpNotLastBucket {
                node,
                allowed: Some(self.buckets),
            });
        }
        if self.buckets as usize >= MAX_PHYSICAL_NODES {
            return Err(PlacementError::TooManyNodes {
                limit: MAX_PHYSICAL_NODES,
            });
        }
        self.buckets += 1;
        Ok(())
    }

    /// Removes bucket `n - 1`; any other id is refused.
    fn remove_node(&mut self, node: u32) -> Result<(), PlacementError> {
        let Some(last) = self.buckets.checked_sub(1) else {
            return Err(PlacementError::JumpNotLastBucket {
                node,
                allowed: None,
            });
        };
        if node != last {
            return Err(PlacementError::JumpNotLastBucket {
                node,
                allowed: Some(last),
            });
        }
        self.buckets = last;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_implementation() {
        // Outputs of the paper's C++ `JumpConsistentHash` for 1..=n buckets, as published in
        // the test of github.com/dgryski/go-jump (jump_test.go, "Generated from the reference
        // C++ code").
        let vectors: [(u64, &[u32]); 4] = [
            (0, &[0; 20]),
            (
                1,
                &[0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17],
            ),
            (
                0xdead_beef,
                &[0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16],
            ),
            (
                0x0ddc_0ffe_ebad_f00d,
                &[0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15],
            ),
        ];
        for (key, expected) in vectors {
            for (i, &bucket) in expected.iter().enumerate() {
                let n = i as u32 + 1;
                assert_eq!(
                    jump_consistent_hash(key, n),
                    Some(bucket),
                    "key {key:#x}, {n} buckets"
                );
            }
        }
        assert_eq!(jump_consistent_hash(1, 0), None);
        // Extreme bucket counts stay in range (and the loop ends).
        for key in [0, 1, u64::MAX, 0x8000_0000_0000_0000] {
            assert!(jump_consistent_hash(key, u32::MAX).is_some_and(|b| b < u32::MAX));
        }
    }

    #[test]
    fn only_the_last_bucket_can_change() {
        let mut p = JumpHash::new(4).unwrap();
        assert_eq!(
            p.remove_node(1),
            Err(PlacementError::JumpNotLastBucket {
                node: 1,
                allowed: Some(3)
            })
        );
        assert_eq!(
            p.add_node(7),
            Err(PlacementError::JumpNotLastBucket {
                node: 7,
                allowed: Some(4)
            })
        );
        p.add_node(4).unwrap();
        p.remove_node(4).unwrap();
        p.remove_node(3).unwrap();
        assert_eq!(p.nodes(), vec![0, 1, 2]);
        let mut empty = JumpHash::new(0).unwrap();
        assert!(empty.owner(5).is_none());
        assert!(empty.replicas(5, 3).is_empty());
        assert!(empty.remove_node(0).is_err());
        assert!(JumpHash::new(1025).is_err());
    }

    #[test]
    fn replicas_are_the_successor_buckets() {
        let p = JumpHash::new(5).unwrap();
        for key in 0..200u64 {
            let reps = p.replicas(key, 3);
            let b = p.owner(key).unwrap();
            assert_eq!(reps, vec![b, (b + 1) % 5, (b + 2) % 5]);
        }
    }
}
