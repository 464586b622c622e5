//! The 64-bit hash behind every placement decision: **XXH64** (Yann Collet's xxHash, 64-bit
//! variant), implemented here from its specification (`doc/xxhash_spec.md` in the xxHash
//! repository) and checked against the reference implementation's own sanity vectors.
//!
//! Why XXH64: it is fast on short inputs (our inputs are 8 bytes), well distributed, seedable,
//! uses only wrapping 64-bit integer arithmetic (so native and wasm32 agree bit for bit), and
//! anyone can reproduce a placement with an off-the-shelf `xxhsum`. It is not a keyed PRF;
//! nothing here needs resistance to adversarial keys.
//!
//! Byte encodings (all little-endian, fixed width, independent of the target's `usize`):
//! - [`hash_key`]: the key id as 8 bytes, seed [`KEY_SEED`] (0), so `hash_key(k)` is plain
//!   `XXH64(k.to_le_bytes(), 0)`.
//! - [`hash_vnode`]: the node id as 4 bytes followed by the replica index as 4 bytes, seed
//!   [`VNODE_SEED`].
//! - [`hash_node_key`]: the key hash as 8 bytes, seed [`RENDEZVOUS_SEED`] XOR the node id.
//!
//! The seeds differ so the three domains do not collide systematically: with one seed, key
//! `n` would hash to exactly the position of node `n`'s first virtual node.

/// Seed for key hashes (0: the unseeded XXH64 everyone can reproduce).
pub const KEY_SEED: u64 = 0;
/// Seed for virtual-node positions: ASCII "vnode".
pub const VNODE_SEED: u64 = 0x0000_0076_6e6f_6465;
/// Seed for rendezvous scores, XORed with the node id (low 32 bits free): ASCII "hrw".
pub const RENDEZVOUS_SEED: u64 = 0x0068_7277_0000_0000;

const PRIME64_1: u64 = 0x9E37_79B1_85EB_CA87;
const PRIME64_2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const PRIME64_3: u64 = 0x1656_67B1_9E37_79F9;
const PRIME64_4: u64 = 0x85EB_CA77_C2B2_AE63;
const PRIME64_5: u64 = 0x27D4_EB2F_1656_67C5;

/// The ring position of a key id: `XXH64(key as 8 little-endian bytes, seed 0)`.
pub fn hash_key(key: u64) -> u64 {
    xxh64_u64(key, KEY_SEED)
}

/// The ring position of virtual node `replica_index` of physical node `node`:
/// `XXH64(node as 4 LE bytes ++ replica_index as 4 LE bytes, VNODE_SEED)`.
pub fn hash_vnode(node: u32, replica_index: u32) -> u64 {
    // The 8 bytes node.to_le_bytes() ++ replica_index.to_le_bytes() are exactly the
    // little-endian bytes of this u64.
    xxh64_u64(
        u64::from(node) | (u64::from(replica_index) << 32),
        VNODE_SEED,
    )
}

/// The rendezvous score of `node` for a key hash:
/// `XXH64(key_hash as 8 LE bytes, RENDEZVOUS_SEED ^ node)`.
pub fn hash_node_key(node: u32, key_hash: u64) -> u64 {
    xxh64_u64(key_hash, RENDEZVOUS_SEED ^ u64::from(node))
}

/// XXH64 of `input` with `seed`, per the xxHash specification.
pub fn xxh64(input: &[u8], seed: u64) -> u64 {
    // The length enters the hash as a 64-bit number on every target.
    let len = input.len() as u64;
    let mut rest = input;
    let mut h = if input.len() >= 32 {
        let mut v1 = seed.wrapping_add(PRIME64_1).wrapping_add(PRIME64_2);
        let mut v2 = seed.wrapping_add(PRIME64_2);
        let mut v3 = seed;
        let mut v4 = seed.wrapping_sub(PRIME64_1);
        while let Some((stripe, tail)) = rest.split_first_chunk::<32>() {
            v1 = round(v1, read_u64(&stripe[0..8]));
            v2 = round(v2, read_u64(&stripe[8..16]));
            v3 = round(v3, read_u64(&stripe[16..24]));
            v4 = round(v4, read_u64(&stripe[24..32]));
            rest = tail;
        }
        let mut acc = v1
            .rotate_left(1)
            .wrapping_add(v2.rotate_left(7))
            .wrapping_add(v3.rotate_left(12))
            .wrapping_add(v4.rotate_left(18));
        acc = merge_round(acc, v1);
        acc = merge_round(acc, v2);
        acc = merge_round(acc, v3);
        merge_round(acc, v4)
    } else {
        seed.wrapping_add(PRIME64_5)
    };
    h = h.wrapping_add(len);
    while let Some((lane, tail)) = rest.split_first_chunk::<8>() {
        h ^= round(0, u64::from_le_bytes(*lane));
        h = h
            .rotate_left(27)
            .wrapping_mul(PRIME64_1)
            .wrapping_add(PRIME64_4);
        rest = tail;
    }
    if let Some((word, tail)) = rest.split_first_chunk::<4>() {
        h ^= u64::from(u32::from_le_bytes(*word)).wrapping_mul(PRIME64_1);
        h = h
            .rotate_left(23)
            .wrapping_mul(PRIME64_2)
            .wrapping_add(PRIME64_3);
        rest = tail;
    }
    for &byte in rest {
        h ^= u64::from(byte).wrapping_mul(PRIME64_5);
        h = h.rotate_left(11).wrapping_mul(PRIME64_1);
    }
    avalanche(h)
}

/// XXH64 of the 8 little-endian bytes of `value` (the general algorithm specialised to an
/// 8-byte input; equal to `xxh64(&value.to_le_bytes(), seed)`, which a test checks).
pub fn xxh64_u64(value: u64, seed: u64) -> u64 {
    let mut h = seed.wrapping_add(PRIME64_5).wrapping_add(8);
    h ^= round(0, value);
    h = h
        .rotate_left(27)
        .wrapping_mul(PRIME64_1)
        .wrapping_add(PRIME64_4);
    avalanche(h)
}

fn round(acc: u64, lane: u64) -> u64 {
    acc.wrapping_add(lane.wrapping_mul(PRIME64_2))
        .rotate_left(31)
        .wrapping_mul(PRIME64_1)
}

fn merge_round(acc: u64, val: u64) -> u64 {
    (acc ^ round(0, val))
        .wrapping_mul(PRIME64_1)
        .wrapping_add(PRIME64_4)
}

fn avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(PRIME64_2);
    h ^= h >> 29;
    h = h.wrapping_mul(PRIME64_3);
    h ^ (h >> 32)
}

/// Reads 8 little-endian bytes; callers pass exactly 8 (a shorter slice reads as zero-padded).
fn read_u64(bytes: &[u8]) -> u64 {
    let mut lane = [0u8; 8];
    for (dst, src) in lane.iter_mut().zip(bytes) {
        *dst = *src;
    }
    u64::from_le_bytes(lane)
}

#[cfg(test)]
mod tests {
    use super::*;
    use failscope_sim::rng::Rng;

    /// The 101-byte buffer of xxHash's own sanity check: byte i is the top byte of a 32-bit
    /// generator that starts at 2654435761 and squares itself (mod 2^32) after each byte.
    fn sanity_buffer() -> Vec<u8> {
        let mut byte_gen: u32 = 2_654_435_761;
        (0..101)
            .map(|_| {
                let b = (byte_gen >> 24) as u8;
                byte_gen = byte_gen.wrapping_mul(byte_gen);
                b
            })
            .collect()
    }

    #[test]
    fn xxh64_matches_the_reference_sanity_vectors() {
        // Source: `BMK_sanityCheck` in xxhsum.c of the xxHash reference implementation
        // (github.com/Cyan4973/xxHash, v0.6-era cli; SANITY_BUFFER_SIZE = 101,
        // prime = 2654435761). Lengths 0, 1, 14 and 101 cover the short path, the 1-byte
        // tail, the 8- and 4-byte tails, and the 32-byte stripe loop, each with seed 0 and
        // seed = prime.
        let buf = sanity_buffer();
        let prime = 2_654_435_761u64;
        let vectors: [(usize, u64, u64); 8] = [
            (0, 0, 0xEF46_DB37_51D8_E999),
            (0, prime, 0xAC75_FDA2_929B_17EF),
            (1, 0, 0x4FCE_394C_C889_52D8),
            (1, prime, 0x7398_40CB_819F_A723),
            (14, 0, 0xCFFA_8DB8_81BC_3A3D),
            (14, prime, 0x5B96_1158_5EFC_C9CB),
            (101, 0, 0x0EAB_5433_84F8_78AD),
            (101, prime, 0xCAA6_5939_306F_1E21),
        ];
        for (len, seed, expected) in vectors {
            assert_eq!(
                xxh64(&buf[..len], seed),
                expected,
                "XXH64(sanity[..{len}], {seed})"
            );
        }
    }

    #[test]
    fn xxh64_matches_published_string_vectors() {
        // Widely published XXH64 digests of ASCII strings with seed 0 (the output of
        // `xxhsum -H1`, e.g. `echo -n abc | xxhsum -H1`).
        assert_eq!(xxh64(b"a", 0), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(xxh64(b"abc", 0), 0x44BC_2CF5_AD77_0999);
        assert_eq!(
            xxh64(b"Nobody inspects the spammish repetition", 0),
            0xFBCE_A83C_8A37_8BF1
        );
    }

    #[test]
    fn the_8_byte_specialisation_equals_the_general_algorithm() {
        let mut rng = Rng::from_seed(99);
        for _ in 0..1_000 {
            let v = rng.next_u64();
            let seed = rng.next_u64();
            assert_eq!(xxh64_u64(v, seed), xxh64(&v.to_le_bytes(), seed));
        }
    }

    #[test]
    fn encodings_are_the_documented_bytes() {
        assert_eq!(hash_key(42), xxh64(&42u64.to_le_bytes(), 0));
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&7u32.to_le_bytes());
        bytes.extend_from_slice(&3u32.to_le_bytes());
        assert_eq!(hash_vnode(7, 3), xxh64(&bytes, VNODE_SEED));
        assert_eq!(
            hash_node_key(5, 0xABCD),
            xxh64(&0xABCDu64.to_le_bytes(), RENDEZVOUS_SEED ^ 5)
        );
        // Domain separation: key n and node n's first vnode do not coincide.
        assert!((0..1_000).all(|n| hash_key(u64::from(n)) != hash_vnode(n, 0)));
    }

    #[test]
    fn pinned_values_for_cross_target_checks() {
        // Golden values so the wasm build can be compared with the native one.
        assert_eq!(hash_key(0), xxh64(&[0; 8], 0));
        assert_eq!(hash_key(0), 0x34C9_6ACD_CADB_1BBB);
    }
}
