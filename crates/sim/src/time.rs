//! Simulated time: integer microseconds since the start of a run.

/// A point in simulated time, in microseconds since the run started.
pub type Time = u64;

/// Microseconds in one millisecond.
pub const MS: Time = 1_000;
/// Microseconds in one second.
pub const SECOND: Time = 1_000_000;

/// `"1.234 s"`, `"12.5 ms"` or `"80 µs"`: a readable duration for labels and narration.
pub fn format_duration(us: Time) -> String {
    if us >= SECOND {
        format!("{}.{:03} s", us / SECOND, (us % SECOND) / MS)
    } else if us >= MS {
        let tenths = (us % MS) / 100;
        if tenths == 0 {
            format!("{} ms", us / MS)
        } else {
            format!("{}.{} ms", us / MS, tenths)
        }
    } else {
        format!("{us} µs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(us: Time, expected: &str) {
        assert_eq!(format_duration(us), expected, "{us} µs");
    }

    #[test]
    fn durations_read_naturally() {
        check(0, "0 µs");
        check(80, "80 µs");
        check(12_500, "12.5 ms");
        check(150_000, "150 ms");
        check(1_234_000, "1.234 s");
    }
}
