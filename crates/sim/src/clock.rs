//! Each node's physical and monotonic clocks.
//!
//! A physical ("wall") clock reads `true time + offset`, runs fast or slow by `drift_ppm`
//! parts per million, and can be stepped forwards or backwards (an NTP correction). The
//! monotonic clock shares the drift but never jumps. All integer arithmetic: a clock read is
//! the same on every target.

use crate::time::Time;
use serde::Serialize;

const PPM: i128 = 1_000_000;

/// Most drift a clock may be given (±50%: far beyond real quartz, still well-defined).
pub const MAX_DRIFT_PPM: i32 = 500_000;

#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct NodeClock {
    /// True time of the last re-anchoring (start, drift change or jump).
    anchor_true: Time,
    /// Wall-clock reading at `anchor_true`.
    anchor_wall: i64,
    /// Monotonic reading at `anchor_true`.
    anchor_mono: i64,
    drift_ppm: i32,
    /// Sum of every jump applied so far (for the inspector).
    total_jumps_us: i64,
}

impl NodeClock {
    /// A clock that reads `offset_us` ahead of true time from the start.
    pub fn with_offset(offset_us: i64) -> NodeClock {
        NodeClock {
            anchor_wall: offset_us,
            ..NodeClock::default()
        }
    }

    fn elapsed_local(&self, now: Time) -> i64 {
        if self.drift_ppm == 0 {
            // The common case, without the 128-bit division (same result).
            return now.saturating_sub(self.anchor_true) as i64;
        }
        let elapsed = i128::from(now.saturating_sub(self.anchor_true));
        (elapsed * (PPM + i128::from(self.drift_ppm)) / PPM) as i64
    }

    /// The wall-clock reading at true time `now`, in microseconds (may be negative).
    pub fn wall(&self, now: Time) -> i64 {
        self.anchor_wall + self.elapsed_local(now)
    }

    /// The monotonic reading at true time `now`: drifts, never jumps.
    pub fn monotonic(&self, now: Time) -> i64 {
        self.anchor_mono + self.elapsed_local(now)
    }

    /// How far the wall clock is ahead of true time at `now` (negative: behind).
    pub fn offset(&self, now: Time) -> i64 {
        self.wall(now) - now as i64
    }

    pub fn drift_ppm(&self) -> i32 {
        self.drift_ppm
    }

    pub fn total_jumps_us(&self) -> i64 {
        self.total_jumps_us
    }

    fn reanchor(&mut self, now: Time) {
        self.anchor_wall = self.wall(now);
        self.anchor_mono = self.monotonic(now);
        self.anchor_true = now;
    }

    /// Step the wall clock by `delta_us` (negative: backwards), as an NTP correction does.
    pub fn jump(&mut self, now: Time, delta_us: i64) {
        self.reanchor(now);
        self.anchor_wall += delta_us;
        self.total_jumps_us += delta_us;
    }

    /// From `now` on, run fast (positive) or slow (negative) by `ppm` parts per million.
    pub fn set_drift(&mut self, now: Time, ppm: i32) {
        self.reanchor(now);
        self.drift_ppm = ppm.clamp(-MAX_DRIFT_PPM, MAX_DRIFT_PPM);
    }

    /// The true time at which the monotonic clock read `mono` (or will read it): exact for
    /// readings since the clock's drift last changed, extrapolated before that. For views
    /// that place what a node recorded on its own clock on the true timeline.
    pub fn true_time_of_monotonic(&self, mono: i64) -> Time {
        let local = i128::from(mono) - i128::from(self.anchor_mono);
        let elapsed = local * PPM / (PPM + i128::from(self.drift_ppm));
        (i128::from(self.anchor_true) + elapsed).max(0) as Time
    }

    /// The true duration of a timer the node sets for `local_us` of its own (drifting) time.
    #[inline]
    pub fn true_duration(&self, local_us: Time) -> Time {
        if self.drift_ppm == 0 {
            // Every timer a node sets comes through here: skip the 128-bit division when
            // the clock keeps true time (same result).
            return local_us;
        }
        let scaled = i128::from(local_us) * PPM / (PPM + i128::from(self.drift_ppm));
        scaled.max(0) as Time
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_and_drift_compose() {
        let mut clock = NodeClock::with_offset(5_000);
        assert_eq!(clock.wall(0), 5_000);
        assert_eq!(clock.wall(1_000_000), 1_005_000);
        clock.set_drift(1_000_000, 100); // 100 ppm fast from t = 1 s
        assert_eq!(clock.wall(2_000_000), 2_005_100);
        assert_eq!(clock.monotonic(2_000_000), 2_000_100);
    }

    #[test]
    fn jumps_move_the_wall_clock_but_not_the_monotonic_one() {
        let mut clock = NodeClock::default();
        clock.jump(1_000, -5_000_000);
        assert_eq!(clock.wall(2_000), 2_000 - 5_000_000);
        assert_eq!(clock.monotonic(2_000), 2_000);
        assert_eq!(clock.offset(2_000), -5_000_000);
        assert_eq!(clock.total_jumps_us(), -5_000_000);
    }

    #[test]
    fn a_monotonic_reading_maps_back_to_true_time() {
        let mut clock = NodeClock::default();
        clock.set_drift(0, -200_000); // 20% slow
        clock.jump(3_000_000, -5_000_000);
        let mono = clock.monotonic(10_000_000);
        assert_eq!(mono, 8_000_000);
        assert_eq!(clock.true_time_of_monotonic(mono), 10_000_000);
        assert_eq!(NodeClock::default().true_time_of_monotonic(42), 42);
    }

    #[test]
    fn a_fast_clock_fires_its_timers_early_in_true_time() {
        let mut clock = NodeClock::default();
        clock.set_drift(0, 100_000); // 10% fast
        assert_eq!(clock.true_duration(110_000), 100_000);
    }
}
