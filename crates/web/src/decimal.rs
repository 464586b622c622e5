//! Decimal numbers as text, by integer arithmetic.
//!
//! `core`'s float formatter (Grisu with a Dragon fallback, plus its tables) and its float
//! parser (Eisel–Lemire with a 10 KB table of powers of five) cost every page about
//! 30 KB of code and data before compression, and the app only ever shows a handful of
//! decimals and reads numbers a person typed. So the main module formats and parses
//! through here; `cargo xtask bench --bytes` fails if the float formatter comes back (see
//! `bundle::FLOAT_FORMATTER`).

/// `v` with exactly `places` decimals (at most 6), rounded half away from zero: what
/// `format!("{v:.places$}")` shows for the values the app prints. Not finite reads "—".
pub fn fixed(v: f64, places: u32) -> String {
    let places = places.min(6);
    let scale = 10u64.pow(places);
    let scaled = (v * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() >= 9.0e18 {
        return "—".to_string();
    }
    let scaled = scaled as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let abs = scaled.unsigned_abs();
    if places == 0 {
        return format!("{sign}{abs}");
    }
    let frac = abs % scale;
    format!(
        "{sign}{}.{frac:0width$}",
        abs / scale,
        width = places as usize
    )
}

/// `v` with up to `places` decimals and no trailing zeros ("0.5", "12", "0.125").
pub fn short(v: f64, places: u32) -> String {
    let text = fixed(v, places);
    if !text.contains('.') {
        return text;
    }
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// `v` limited to `lo..=hi`. `f64::clamp` would do, but its panic message (for bounds the
/// wrong way round) prints them with the float formatter, which every page would then carry.
#[allow(clippy::manual_clamp)]
pub fn within(v: f64, lo: f64, hi: f64) -> f64 {
    v.max(lo).min(hi)
}

/// A decimal number as a person types it: an optional sign, digits with an optional
/// fraction, and an optional exponent (`1e3`). `None` for anything else, including
/// "inf" and "NaN", so a field can say what it expects.
pub fn parse(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (number, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], parse_exponent(&rest[at + 1..])?),
        None => (rest, 0),
    };
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    // Digits beyond 17 significant ones cannot change an f64 a person means; keep the
    // mantissa within u64 and count the dropped places into the exponent instead.
    let mut mantissa: u64 = 0;
    let mut scale: i32 = exponent;
    let mut significant = 0;
    for (i, b) in whole.bytes().chain(frac.bytes()).enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let in_fraction = i >= whole.len();
        if significant < 18 {
            mantissa = mantissa * 10 + u64::from(b - b'0');
            if mantissa > 0 {
                significant += 1;
            }
            if in_fraction {
                scale -= 1;
            }
        } else if !in_fraction {
            scale += 1;
        }
    }
    // Exact for the usual case (mantissa below 2^53 and a power of ten up to 10^22, both
    // exact, so one correctly rounded operation): the parser of `core` gives the same.
    let value = mantissa as f64;
    let value = if scale < 0 {
        value / pow10(scale.unsigned_abs())
    } else {
        value * pow10(scale.unsigned_abs())
    };
    value
        .is_finite()
        .then_some(if negative { -value } else { value })
}

fn parse_exponent(text: &str) -> Option<i32> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = digits
        .bytes()
        .fold(0i32, |n, b| n * 10 + i32::from(b - b'0'));
    Some(if negative { -value } else { value })
}

fn pow10(n: u32) -> f64 {
    // Past 10^308 the result is infinite (or zero when dividing), which `parse` refuses
    // or returns as 0 like `core` does.
    (0..n.min(400)).fold(1.0, |p, _| p * 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_matches_the_float_formatter_away_from_ties() {
        for v in [
            0.0, 1.0, -1.0, 0.04, 12.345_6, -1.26, 99.95001, 1234.5678, 3.0e9,
        ] {
            for places in 0..4 {
                assert_eq!(
                    fixed(v, places),
                    format!("{v:.*}", places as usize),
                    "{v} {places}"
                );
            }
        }
        assert_eq!(fixed(f64::NAN, 1), "—");
    }

    #[test]
    fn short_drops_trailing_zeros() {
        assert_eq!(short(0.5, 3), "0.5");
        assert_eq!(short(12.0, 3), "12");
        assert_eq!(short(0.125, 3), "0.125");
        assert_eq!(short(-0.0001, 3), "0");
        assert_eq!(short(100.0, 0), "100");
    }

    #[test]
    fn parse_agrees_with_the_float_parser() {
        for text in [
            "0",
            "1",
            "-1",
            "+2.5",
            "0.1",
            ".5",
            "5.",
            "12.345",
            "1e3",
            "2.5E-2",
            "100",
            "0.000001",
            "99999999999999999999",
        ] {
            assert_eq!(parse(text), text.parse::<f64>().ok(), "{text}");
        }
        // Past 17 significant digits the last bit may differ; the value does not.
        let long = parse("123456789012345678901234.5").unwrap();
        assert!((long / 1.234_567_890_123_456_8e23 - 1.0).abs() < 1e-15);
        for bad in [
            "", "-", ".", "e3", "1e", "1.2.3", "abc", "1,5", "inf", "NaN", "--1", "1e99999",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
