//! Counters and latency histograms over simulated time.

use crate::time::Time;
use crate::trace::DropReason;
use serde::Serialize;
use std::collections::BTreeMap;

/// A log-linear histogram of microsecond values: exact below 16, then 8 sub-buckets per
/// power of two (at most 12.5% relative error). Integer-only, so identical on every target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Histogram {
    counts: BTreeMap<u16, u64>,
    total: u64,
    max: Time,
}

const SUB_BITS: u32 = 3;

#[inline]
fn bucket_of(v: Time) -> u16 {
    if v < 16 {
        return v as u16;
    }
    let exp = 63 - v.leading_zeros(); // >= 4
    let sub = (v >> (exp - SUB_BITS)) & ((1 << SUB_BITS) - 1);
    (16 + (exp - 4) * (1 << SUB_BITS) + sub as u32) as u16
}

/// The largest value in a bucket (what a quantile reports).
fn bucket_top(b: u16) -> Time {
    if b < 16 {
        return Time::from(b);
    }
    let i = u32::from(b) - 16;
    let exp = i / (1 << SUB_BITS) + 4;
    let sub = Time::from(i % (1 << SUB_BITS));
    let base = (1 << exp) | (sub << (exp - SUB_BITS));
    base + (1 << (exp - SUB_BITS)) - 1
}

impl Histogram {
    #[inline]
    pub fn record(&mut self, value: Time) {
        *self.counts.entry(bucket_of(value)).or_insert(0) += 1;
        self.total += 1;
        self.max = self.max.max(value);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn max(&self) -> Time {
        self.max
    }

    /// The value below which `per_million` millionths of samples fall (bucket upper bound).
    pub fn quantile_ppm(&self, per_million: u64) -> Option<Time> {
        if self.total == 0 {
            return None;
        }
        let rank =
            (u128::from(self.total) * u128::from(per_million.min(1_000_000))).div_ceil(1_000_000);
        let rank = (rank as u64).max(1);
        let mut seen = 0;
        for (&bucket, &count) in &self.counts {
            seen += count;
            if seen >= rank {
                return Some(bucket_top(bucket).min(self.max));
            }
        }
        Some(self.max)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Metrics {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub dropped_loss: u64,
    pub dropped_partition: u64,
    pub dropped_node_down: u64,
    pub dropped_user: u64,
    pub dropped_overflow: u64,
    pub messages_duplicated: u64,
    pub ops_invoked: u64,
    pub ops_ok: u64,
    pub ops_failed: u64,
    pub ops_timed_out: u64,
    /// Client-observed latency of operations that completed (ok or failed).
    pub op_latency_us: Histogram,
    /// Lab-defined counters (stale reads, lost writes...).
    pub custom: BTreeMap<&'static str, i64>,
}

impl Metrics {
    pub(crate) fn dropped(&mut self, reason: DropReason) {
        self.messages_dropped += 1;
        match reason {
            DropReason::Loss => self.dropped_loss += 1,
            DropReason::Partition => self.dropped_partition += 1,
            DropReason::NodeDown => self.dropped_node_down += 1,
            DropReason::User => self.dropped_user += 1,
            DropReason::Overflow => self.dropped_overflow += 1,
        }
    }

    /// Share of finished operations that succeeded, in parts per million (`None` before any).
    pub fn availability_ppm(&self) -> Option<u64> {
        let finished = self.ops_ok + self.ops_failed + self.ops_timed_out;
        (finished > 0).then(|| self.ops_ok * 1_000_000 / finished)
    }

    pub fn custom(&self, name: &str) -> i64 {
        self.custom.get(name).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_round_trip_within_their_error_bound() {
        for v in [0, 1, 15, 16, 17, 100, 1_000, 12_345, 1_000_000, 987_654_321] {
            let top = bucket_top(bucket_of(v));
            assert!(top >= v, "{v} -> {top}");
            assert!(top - v <= v / 8 + 1, "{v} -> {top}");
        }
    }

    #[test]
    fn quantiles_of_a_uniform_sample() {
        let mut h = Histogram::default();
        for v in 1..=1_000 {
            h.record(v);
        }
        let p50 = h.quantile_ppm(500_000).unwrap();
        let p99 = h.quantile_ppm(990_000).unwrap();
        assert!((500..=570).contains(&p50), "p50 {p50}");
        assert!((990..=1_000).contains(&p99), "p99 {p99}");
        assert_eq!(h.quantile_ppm(1_000_000), Some(1_000));
        assert_eq!(Histogram::default().quantile_ppm(500_000), None);
    }
}
