//! Layout maths shared by the SVG picture kinds: nice ticks, time labels, text widths,
//! truncation, label thinning, legend flow, circle layout and arrow geometry. Pure functions
//! of numbers and strings (no DOM), so they are tested directly (crates/web/tests/pictures.rs).
//!
//! Every picture is laid out at the width it is drawn at (the frame measures it), so one
//! SVG user unit is one CSS pixel and the font sizes below are the sizes people read.

use failscope_sim::picture::Scale;
use failscope_sim::time::Time;

/// Text size of labels, in pixels.
pub const FONT: f64 = 12.0;
/// The smallest text any picture draws (tick labels), in pixels.
pub const SMALL: f64 = 11.0;
/// Narrowest layout: narrower containers scale the picture down only below this.
pub const MIN_WIDTH: f64 = 240.0;
/// Width used before the frame has measured itself.
pub const DEFAULT_WIDTH: f64 = 480.0;
/// Estimated width of `text` at `font` pixels: per-character advances of a wide sans-serif
/// (DejaVu Sans, Debian's default, is wider than Helvetica, Segoe UI or Roboto), plus a
/// margin for bold. Errs on the wide side, so labels placed by it do not touch.
pub fn text_width(text: &str, font: f64) -> f64 {
    text.chars().map(glyph).sum::<f64>() * font * 1.06
}

/// A character's advance as a share of the font size.
fn glyph(c: char) -> f64 {
    match c {
        ' ' | 'i' | 'l' | 'j' | 'I' | '!' | '.' | ',' | ':' | ';' | '|' | '\'' => 0.32,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '/' | '-' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.98,
        'A'..='Z' => 0.76,
        '0'..='9' => 0.64,
        'a'..='z' => 0.63,
        _ if c.is_ascii() => 0.7,
        _ => 1.0,
    }
}

/// `text` cut to fit `max_px` at `font` pixels, ending in "…" when cut. The second value
/// says whether it was cut (the caller then keeps the full text in a `<title>`).
pub fn fit(text: &str, max_px: f64, font: f64) -> (String, bool) {
    if text_width(text, font) <= max_px {
        return (text.to_string(), false);
    }
    let room = max_px - text_width("…", font);
    let mut cut = String::new();
    for c in text.chars() {
        if text_width(&cut, font) + text_width(&c.to_string(), font) > room {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    (cut, true)
}

/// The smallest step of the form 1, 2 or 5 × 10^k of which at most `max_ticks` multiples
/// fit in any range `span` long.
pub fn nice_step(span: i64, max_ticks: usize) -> i64 {
    // floor(span / step) + 1 <= max_ticks  <=>  step > span / max_ticks.
    let wanted = span.max(1) / max_ticks.max(2) as i64 + 1;
    let mut magnitude: i64 = 1;
    loop {
        for m in [1i64, 2, 5] {
            match m.checked_mul(magnitude) {
                Some(step) if step >= wanted => return step,
                Some(_) => {}
                None => return i64::MAX,
            }
        }
        magnitude = match magnitude.checked_mul(10) {
            Some(next) => next,
            None => return i64::MAX,
        };
    }
}

/// The nice step after `step` (1 → 2 → 5 → 10...).
fn next_nice(step: i64) -> i64 {
    let mut magnitude: i64 = 1;
    while magnitude <= step / 10 {
        magnitude *= 10;
    }
    match step / magnitude {
        1 => 2 * magnitude,
        2..=4 => 5 * magnitude,
        _ => magnitude.saturating_mul(10),
    }
}

/// Multiples of a nice step inside `[min, max]`: at most `max_ticks` of them.
pub fn ticks(min: i64, max: i64, max_ticks: usize) -> Vec<i64> {
    let (min, max) = if min <= max { (min, max) } else { (max, min) };
    let step = nice_step(max.saturating_sub(min), max_ticks);
    ticks_every(min, max, step)
}

/// Multiples of `step` inside `[min, max]`.
pub fn ticks_every(min: i64, max: i64, step: i64) -> Vec<i64> {
    let step = step.max(1);
    let mut first = min.div_euclid(step).saturating_mul(step);
    if first < min {
        first = first.saturating_add(step);
    }
    let mut out = Vec::new();
    let mut t = first;
    while t <= max && out.len() < 1_000 {
        out.push(t);
        t = match t.checked_add(step) {
            Some(next) => next,
            None => break,
        };
    }
    out
}

/// A value axis: `[lo, hi]` widened to multiples of a nice step (and to include 0), with at
/// most `max_ticks` ticks. Returns `(lo, hi, step)`; `hi > lo` always.
pub fn nice_domain(lo: i64, hi: i64, max_ticks: usize) -> (i64, i64, i64) {
    let lo = lo.min(0);
    let hi = hi.max(lo + 1);
    let max_ticks = max_ticks.max(2);
    let mut step = nice_step(hi - lo, max_ticks);
    loop {
        let a = lo.div_euclid(step) * step;
        let b = -((-hi).div_euclid(step) * step);
        let b = if b <= a { a + step } else { b };
        let count = (b - a) / step + 1;
        if count as usize <= max_ticks || step == i64::MAX {
            return (a, b, step);
        }
        step = next_nice(step);
    }
}

/// How many labels of about `label_px` fit along `length_px` with a gap between them.
pub fn max_labels(length_px: f64, label_px: f64) -> usize {
    ((length_px / (label_px + 10.0)).floor() as usize).max(2)
}

/// Which of the labels centred at `centres` (with `widths`) to draw so that none overlaps:
/// every k-th, for the smallest k that works. Returns the kept indices.
pub fn thin(centres: &[f64], widths: &[f64], gap: f64) -> Vec<usize> {
    let n = centres.len().min(widths.len());
    for stride in 1..=n.max(1) {
        let kept: Vec<usize> = (0..n).step_by(stride).collect();
        let clear = kept.windows(2).all(|w| {
            let (a, b) = (w[0], w[1]);
            centres[a] + widths[a] / 2.0 + gap <= centres[b] - widths[b] / 2.0
        });
        if clear {
            return kept;
        }
    }
    (0..n.min(1)).collect()
}

/// A label for a tick at `us` on a time axis whose ticks are `step` apart, in the coarsest
/// unit that shows the step exactly ("2 s", "1.5 s", "0.25 s", "40 ms").
pub fn time_label(us: Time, step: Time) -> String {
    let us = us as i64;
    let scale =
        |unit: &str, divisor: i64, per: i64| Scale::new("time", unit, divisor).format(us / per);
    if step.is_multiple_of(1_000_000) {
        scale("s", 1, 1_000_000)
    } else if step.is_multiple_of(100_000) {
        scale("s", 10, 100_000)
    } else if step.is_multiple_of(10_000) {
        scale("s", 100, 10_000)
    } else if step.is_multiple_of(1_000) {
        scale("ms", 1, 1_000)
    } else {
        scale("µs", 1, 1)
    }
}

/// Ticks for a time axis `length` pixels long over `[from, to]`: the finest nice step whose
/// labels (as [`time_label`] writes them) sit apart. Returns the step and the ticks.
pub fn time_ticks(from: Time, to: Time, length: f64) -> (Time, Vec<Time>) {
    let span = to.saturating_sub(from).max(1);
    let mut step = nice_step(span as i64, ((length / 12.0) as usize).max(2));
    loop {
        let ticks: Vec<Time> = ticks_every(from as i64, to as i64, step)
            .into_iter()
            .map(|t| t as Time)
            .collect();
        let apart = length * step as f64 / span as f64;
        let widest = ticks
            .iter()
            .map(|&t| text_width(&time_label(t, step as Time), SMALL))
            .fold(0.0, f64::max);
        if widest + 8.0 <= apart || ticks.len() <= 2 || step == i64::MAX {
            return (step as Time, ticks);
        }
        step = next_nice(step);
    }
}

/// A moment in seconds with one decimal ("5.1 s"), for summaries.
pub fn seconds(us: Time) -> String {
    Scale::new("time", "s", 10).format((us / 100_000) as i64)
}

/// "0.0–4.2 s": a span of simulated time for summaries.
pub fn time_span(from: Time, to: Time) -> String {
    let from = seconds(from);
    format!("{}–{}", from.trim_end_matches(" s"), seconds(to))
}

/// A linear map from a domain to a range of pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Linear {
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Linear {
        Linear { d0, d1, r0, r1 }
    }

    pub fn at(&self, v: f64) -> f64 {
        if (self.d1 - self.d0).abs() < f64::EPSILON {
            return self.r0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// Items of the given widths laid out left to right, wrapping at `max_width`: each item's
/// x and row.
pub fn flow(widths: &[f64], max_width: f64, gap: f64) -> Vec<(f64, usize)> {
    let mut x = 0.0;
    let mut row = 0;
    widths
        .iter()
        .map(|&w| {
            if x > 0.0 && x + w > max_width {
                x = 0.0;
                row += 1;
            }
            let at = (x, row);
            x += w + gap;
            at
        })
        .collect()
}

/// `n` points on a circle, the first at the top, going clockwise.
pub fn circle(n: usize, cx: f64, cy: f64, r: f64) -> Vec<(f64, f64)> {
    if n == 1 {
        return vec![(cx, cy)];
    }
    (0..n)
        .map(|i| {
            let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
            (cx + r * angle.cos(), cy + r * angle.sin())
        })
        .collect()
}

/// A gently bent edge from `a` to `b`: its start, control point and end, each end pulled
/// back by `trim_a` / `trim_b` along the curve. Bending to the left of the direction of
/// travel keeps the two edges of a pair `a → b`, `b → a` apart.
pub fn bent_edge(
    a: (f64, f64),
    b: (f64, f64),
    bend: f64,
    trim_a: f64,
    trim_b: f64,
) -> [(f64, f64); 3] {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-6);
    let (nx, ny) = (dy / len, -dx / len);
    let control = ((a.0 + b.0) / 2.0 + nx * bend, (a.1 + b.1) / 2.0 + ny * bend);
    let toward = |from: (f64, f64), to: (f64, f64), by: f64| {
        let (ex, ey) = (to.0 - from.0, to.1 - from.1);
        let l = (ex * ex + ey * ey).sqrt().max(1e-6);
        (from.0 + ex / l * by, from.1 + ey / l * by)
    };
    [
        toward(a, control, trim_a),
        control,
        toward(b, control, trim_b),
    ]
}

/// The point of a quadratic curve at its middle (where its label goes).
pub fn curve_middle(curve: &[(f64, f64); 3]) -> (f64, f64) {
    let [s, c, e] = curve;
    (
        0.25 * s.0 + 0.5 * c.0 + 0.25 * e.0,
        0.25 * s.1 + 0.5 * c.1 + 0.25 * e.1,
    )
}

/// An arrowhead with its tip at `tip`, pointing away from `from`, `size` long.
pub fn arrowhead(tip: (f64, f64), from: (f64, f64), size: f64) -> [(f64, f64); 3] {
    let (dx, dy) = (tip.0 - from.0, tip.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-6);
    let (ux, uy) = (dx / len, dy / len);
    let back = (tip.0 - ux * size, tip.1 - uy * size);
    let half = size * 0.5;
    [
        tip,
        (back.0 + uy * half, back.1 - ux * half),
        (back.0 - uy * half, back.1 + ux * half),
    ]
}

/// Where a line from the centre of a box toward `toward` leaves the box.
pub fn box_exit(centre: (f64, f64), half_w: f64, half_h: f64, toward: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (toward.0 - centre.0, toward.1 - centre.1);
    if dx.abs() < 1e-9 && dy.abs() < 1e-9 {
        return centre;
    }
    let tx = if dx.abs() < 1e-9 {
        f64::INFINITY
    } else {
        half_w / dx.abs()
    };
    let ty = if dy.abs() < 1e-9 {
        f64::INFINITY
    } else {
        half_h / dy.abs()
    };
    let t = tx.min(ty);
    (centre.0 + dx * t, centre.1 + dy * t)
}

/// Points as an SVG `points` attribute.
pub fn points(points: &[(f64, f64)]) -> String {
    let mut out = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!(
            "{},{}",
            crate::layout::Coord(*x),
            crate::layout::Coord(*y)
        ));
    }
    out
}

/// A quadratic curve as an SVG path.
pub fn curve_path(curve: &[(f64, f64); 3]) -> String {
    let c = |v: f64| crate::layout::Coord(v);
    let [s, m, e] = curve;
    format!(
        "M{} {} Q{} {} {} {}",
        c(s.0),
        c(s.1),
        c(m.0),
        c(m.1),
        c(e.0),
        c(e.1)
    )
}

/// A picture's layout width from the measured width of its frame.
pub fn layout_width(measured: f64) -> f64 {
    if measured > 1.0 {
        measured.floor().max(MIN_WIDTH)
    } else {
        DEFAULT_WIDTH
    }
}

/// The shape drawn for the `i`th series (so series differ by more than colour): its legend
/// swatch and its points use it.
pub fn series_dash(i: usize) -> &'static str {
    ["none", "7 3", "2 3", "9 3 2 3", "4 4", "1 2"][i % 6]
}
