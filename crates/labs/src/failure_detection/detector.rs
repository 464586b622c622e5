//! The three detectors' arithmetic, kept apart from the protocol so the tests can drive it
//! with any stream of inter-arrival times.
//!
//! Every detector turns what it has seen of a peer into a *silence limit*: how long it may go
//! unheard before it is suspected.
//! - fixed timeout: the limit is the setting;
//! - adaptive: a multiple of the 99th percentile of the recent inter-arrival times;
//! - phi accrual (Hayashibara, Défago, Yared and Katayama, 2004): φ(Δt) = −log10(1 − F(Δt)),
//!   F the normal CDF with the mean and deviation of the recent inter-arrival times. φ grows
//!   with the silence; suspecting at φ ≥ Φ is suspecting past the silence where
//!   1 − F = 10^−Φ, that is μ + z·σ with z solving ½·erfc(z/√2) = 10^−Φ.
//!
//! Only integer microseconds leave this module; the few floats in it go through `libm`, so a
//! run decides the same natively and in the browser.

use failscope_sim::time::Time;

/// Samples needed before the adaptive and phi detectors trust their window; until then
/// they use the fixed timeout.
pub const MIN_SAMPLES: usize = 4;

/// φ at which the picture stops (the normal tail underflows beyond about 300).
pub const PHI_CAP: f64 = 30.0;

/// A sliding window of the last inter-arrival times, in microseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    samples: Vec<u32>,
    next: usize,
    capacity: usize,
}

impl Window {
    pub fn new(capacity: usize) -> Window {
        Window {
            samples: Vec::new(),
            next: 0,
            capacity: capacity.max(1),
        }
    }

    pub fn push(&mut self, gap_us: Time) {
        let gap = u32::try_from(gap_us).unwrap_or(u32::MAX);
        if self.samples.len() < self.capacity {
            self.samples.push(gap);
        } else {
            self.samples[self.next] = gap;
            self.next = (self.next + 1) % self.capacity;
        }
    }

    pub fn clear(&mut self) {
        self.samples.clear();
        self.next = 0;
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Mean and standard deviation in microseconds (integer sums, one `libm` square root).
    pub fn fit(&self) -> Option<(f64, f64)> {
        let n = self.samples.len() as u128;
        if n == 0 {
            return None;
        }
        let sum: u128 = self.samples.iter().map(|&s| u128::from(s)).sum();
        let squares: u128 = self.samples.iter().map(|&s| u128::from(s).pow(2)).sum();
        // n·Σx² − (Σx)² is n² times the variance, exact in integers.
        let spread = (n * squares).saturating_sub(sum * sum);
        let mean = sum as f64 / n as f64;
        let sd = libm::sqrt(spread as f64) / n as f64;
        Some((mean, sd))
    }

    /// The 99th percentile (nearest rank) in microseconds.
    pub fn p99(&self) -> Option<Time> {
        if self.samples.is_empty() {
            return None;
        }
        let mut sorted = self.samples.clone();
        sorted.sort_unstable();
        let rank = (sorted.len() * 99).div_ceil(100).max(1);
        Some(Time::from(sorted[rank - 1]))
    }
}

/// ½·erfc(z/√2): the chance a normal variable lies more than z deviations above its mean.
pub fn upper_tail(z: f64) -> f64 {
    0.5 * libm::erfc(z / core::f64::consts::SQRT_2)
}

/// φ for a silence of `silence_us` given a fitted (mean, deviation).
pub fn phi(silence_us: f64, mean: f64, sd: f64) -> f64 {
    let tail = upper_tail((silence_us - mean) / sd);
    if tail <= 0.0 {
        return PHI_CAP;
    }
    (-libm::log10(tail)).clamp(0.0, PHI_CAP)
}

/// The z with upper_tail(z) = 10^−φ, by bisection (φ from 0 to 300).
pub fn z_for_phi(phi: f64) -> f64 {
    let target = libm::pow(10.0, -phi);
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if upper_tail(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Which detector a node runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Fixed,
    Adaptive,
    Phi,
}

/// One detector setting: a kind and its threshold (a timeout in microseconds, a multiple in
/// percent, or φ in tenths), with φ's z worked out once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setting {
    pub kind: Kind,
    pub threshold: i64,
    pub z: f64,
}

impl Setting {
    pub fn new(kind: Kind, threshold: i64) -> Setting {
        let z = match kind {
            Kind::Phi => z_for_phi(threshold as f64 / 10.0),
            _ => 0.0,
        };
        Setting { kind, threshold, z }
    }

    /// The silence after which this setting suspects, given the window; `fallback_us` (the
    /// fixed timeout) until the window holds `MIN_SAMPLES`. `min_sd_us` keeps phi from
    /// reading a perfectly regular network as one that never varies.
    pub fn limit_us(&self, window: &Window, fallback_us: Time, min_sd_us: f64) -> Time {
        match self.kind {
            Kind::Fixed => self.threshold as Time,
            _ if window.len() < MIN_SAMPLES => fallback_us,
            Kind::Adaptive => window
                .p99()
                .map_or(fallback_us, |p| p * self.threshold as Time / 100),
            Kind::Phi => match window.fit() {
                Some((mean, sd)) => {
                    let limit = mean + self.z * sd.max(min_sd_us);
                    if limit <= 0.0 {
                        0
                    } else {
                        libm::round(limit) as Time
                    }
                }
                None => fallback_us,
            },
        }
    }
}
