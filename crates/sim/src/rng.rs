//! The one random number generator behind every choice the simulation makes.
//!
//! Algorithm (pinned; changing it changes every trace hash): **xoshiro256\*\*** by Blackman and
//! Vigna, seeded through **SplitMix64**. Both are integer-only, so a run is bit-identical on
//! every target. Each purpose (network, timers, workload, faults, ...) draws from its own
//! stream, derived from the scenario seed and a stream tag, so turning one knob (say, packet
//! loss) does not reshuffle unrelated choices (say, election timeouts).

/// What a stream of randomness is used for. The tag is part of the stream's seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stream {
    /// Latency, loss, duplication and reordering of messages.
    Network,
    /// Protocol timers (for example randomized election timeouts), one sub-stream per node.
    Timers,
    /// Client operations and think times.
    Workload,
    /// Randomly generated fault schedules.
    Faults,
    /// Anything a lab needs that is none of the above.
    Lab,
}

impl Stream {
    fn tag(self) -> u64 {
        match self {
            Stream::Network => 0x6e65_7477_6f72_6b00,
            Stream::Timers => 0x7469_6d65_7273_0000,
            Stream::Workload => 0x776f_726b_6c6f_6164,
            Stream::Faults => 0x6661_756c_7473_0000,
            Stream::Lab => 0x6c61_6200_0000_0000,
        }
    }
}

/// SplitMix64: used only to expand a 64-bit seed into generator state.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A xoshiro256** generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose state is expanded from `seed` by SplitMix64.
    pub fn from_seed(seed: u64) -> Rng {
        let mut sm = seed;
        let s = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Rng { s }
    }

    /// The generator for one purpose (and one sub-stream, e.g. a node index) of a scenario seed.
    pub fn stream(seed: u64, stream: Stream, sub: u64) -> Rng {
        let mut sm = seed ^ stream.tag();
        let a = splitmix64(&mut sm);
        let mut sm2 = a ^ sub.wrapping_mul(0xd1b5_4a32_d192_ed03);
        Rng::from_seed(splitmix64(&mut sm2))
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform integer in `0..n` (Lemire's multiply-and-reject; unbiased). `n == 0` gives 0.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        let mut low = m as u64;
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// A uniform integer in `lo..=hi` (`hi < lo` gives `lo`).
    #[inline]
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        let span = hi - lo;
        if span == u64::MAX {
            return self.next_u64();
        }
        lo + self.below(span + 1)
    }

    /// True with probability `ppm` parts per million.
    #[inline]
    pub fn chance_ppm(&mut self, ppm: u32) -> bool {
        if ppm == 0 {
            return false;
        }
        self.below(1_000_000) < u64::from(ppm)
    }

    /// A uniform index into a slice of `len` items (`len == 0` gives 0).
    #[inline]
    pub fn index(&mut self, len: usize) -> usize {
        // Lengths in the engine are bounded far below u32::MAX, so the conversion is exact
        // and the draw is the same on 32- and 64-bit targets.
        self.below(len as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_reference_vector() {
        // Reference output of SplitMix64 seeded with 1234567 (Vigna's splitmix64.c).
        let mut s = 1_234_567u64;
        let got: Vec<u64> = (0..3).map(|_| splitmix64(&mut s)).collect();
        assert_eq!(
            got,
            vec![
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn xoshiro256starstar_matches_reference_vector() {
        // State {1, 2, 3, 4}: first outputs of Vigna's xoshiro256starstar.c.
        let mut rng = Rng { s: [1, 2, 3, 4] };
        let got: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
        assert_eq!(
            got,
            vec![11_520, 0, 1_509_978_240, 1_215_971_899_390_074_240]
        );
    }

    #[test]
    fn streams_are_independent_and_reproducible() {
        let a1 = Rng::stream(42, Stream::Network, 0).next_u64();
        let a2 = Rng::stream(42, Stream::Network, 0).next_u64();
        let b = Rng::stream(42, Stream::Timers, 0).next_u64();
        let c = Rng::stream(42, Stream::Network, 1).next_u64();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, c);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = Rng::from_seed(7);
        let mut seen = [0u32; 6];
        for _ in 0..6_000 {
            let v = rng.below(6);
            seen[v as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (850..=1150).contains(&n)), "{seen:?}");
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.range_inclusive(5, 5), 5);
        assert_eq!(rng.range_inclusive(9, 3), 9);
    }

    #[test]
    fn chance_ppm_extremes() {
        let mut rng = Rng::from_seed(1);
        assert!((0..1000).all(|_| !rng.chance_ppm(0)));
        assert!((0..1000).all(|_| rng.chance_ppm(1_000_000)));
    }
}
