//! Drawing parts shared by the SVG picture kinds: the time axis, marks for faults and
//! violations, the cursor, the legend. Each returns SVG `Html` placed by the caller.

use super::axis::{self, Linear, FONT, SMALL};
use crate::layout::coord;
use failscope_sim::picture::{MarkKind, TimeMark};
use failscope_sim::time::Time;
use yew::prelude::*;

/// A value axis laid out for some values: a nice range from zero (or below) to at least 1
/// covering them, its ticks (about one per 30 px of `plot_height`), their labels in the
/// picture's unit, and the left margin those labels need.
pub struct ValueTicks {
    pub lo: i64,
    pub hi: i64,
    pub ticks: Vec<i64>,
    pub labels: Vec<String>,
    pub left: f64,
}

pub fn value_ticks(
    values: impl Iterator<Item = i64>,
    scale: &failscope_sim::picture::Scale,
    plot_height: f64,
) -> ValueTicks {
    let (lo, hi) = values.fold((0, 1), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi, step) = axis::nice_domain(lo, hi, (plot_height / 30.0) as usize + 1);
    let ticks = axis::ticks_every(lo, hi, step);
    let labels: Vec<String> = ticks.iter().map(|&v| scale.format(v)).collect();
    let left = labels
        .iter()
        .map(|l| axis::text_width(l, SMALL))
        .fold(24.0, f64::max)
        + 10.0;
    ValueTicks {
        lo,
        hi,
        ticks,
        labels,
        left,
    }
}

/// The value axis on the left: its line from the top of `y`'s range to the bottom, and a
/// labelled tick with a grid line across to `right` at each of `ticks`.
pub fn value_axis(y: &Linear, ticks: &[i64], labels: &[String], left: f64, right: f64) -> Html {
    // `y` maps the value range onto (bottom, top) in picture coordinates.
    let (top, bottom) = (y.r1, y.r0);
    html! {
        <g class="pic-axis pic-axis-y" data-testid="axis-y">
            <line class="pic-axis-line" x1={coord(left)} y1={coord(top)} x2={coord(left)} y2={coord(bottom)} />
            { for ticks.iter().zip(labels).map(|(&v, label)| {
                let ty = y.at(v as f64);
                html! {
                    <g class="pic-tick">
                        <line class="pic-grid-line" x1={coord(left)} y1={coord(ty)} x2={coord(right)} y2={coord(ty)} />
                        <text class="pic-tick-label" x={coord(left - 6.0)} y={coord(ty + SMALL * 0.35)} text-anchor="end" font-size={coord(SMALL)}>{ label.clone() }</text>
                    </g>
                }
            }) }
        </g>
    }
}

/// A time axis along `y` from `x.r0` to `x.r1`, with ticks at nice moments and labels that
/// never overlap (thinned when they would).
pub fn time_axis(x: &Linear, y: f64, from: Time, to: Time) -> Html {
    let (step, ticks) = axis::time_ticks(from, to, (x.r1 - x.r0).abs());
    let labels: Vec<String> = ticks.iter().map(|&t| axis::time_label(t, step)).collect();
    let centres: Vec<f64> = ticks.iter().map(|&t| x.at(t as f64)).collect();
    bottom_axis(x, y, &centres, &labels, 6.0)
}

/// An axis along `y` from `x.r0` to `x.r1` with a tick and a label at each of `centres`,
/// every k-th label only when they would overlap with less than `gap` between them.
pub fn bottom_axis(x: &Linear, y: f64, centres: &[f64], labels: &[String], gap: f64) -> Html {
    let widths: Vec<f64> = labels.iter().map(|l| axis::text_width(l, SMALL)).collect();
    let kept = axis::thin(centres, &widths, gap);
    html! {
        <g class="pic-axis pic-axis-x" data-testid="axis-x">
            <line class="pic-axis-line" x1={coord(x.r0)} y1={coord(y)} x2={coord(x.r1)} y2={coord(y)} />
            { for kept.iter().map(|&i| html! {
                <g class="pic-tick">
                    <line x1={coord(centres[i])} y1={coord(y)} x2={coord(centres[i])} y2={coord(y + 4.0)} />
                    <text class="pic-tick-label" x={coord(centres[i])} y={coord(y + 4.0 + SMALL)} text-anchor="middle" font-size={coord(SMALL)}>{ &labels[i] }</text>
                </g>
            }) }
        </g>
    }
}

/// The class of a mark kind (its colour and shape in the stylesheet).
pub fn mark_class(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::Fault => "pic-mark-fault",
        MarkKind::Violation => "pic-mark-violation",
        MarkKind::Info => "pic-mark-info",
    }
}

pub fn mark_name(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::Fault => "fault",
        MarkKind::Violation => "violation",
        MarkKind::Info => "note",
    }
}

/// A mark's symbol centred at `(x, y)`: faults are triangles, violations diamonds with a
/// cross, notes circles, so they differ in shape as well as colour.
pub fn mark_symbol(kind: MarkKind, x: f64, y: f64) -> Html {
    let r = 6.0;
    match kind {
        MarkKind::Fault => html! {
            <polygon class="pic-mark-shape" points={axis::points(&[(x, y + r), (x - r, y - r * 0.8), (x + r, y - r * 0.8)])} />
        },
        MarkKind::Violation => html! {
            <>
                <polygon class="pic-mark-shape" points={axis::points(&[(x, y - r), (x + r, y), (x, y + r), (x - r, y)])} />
                <path class="pic-mark-cross" d={format!("M{} {} L{} {} M{} {} L{} {}", coord(x - 2.5), coord(y - 2.5), coord(x + 2.5), coord(y + 2.5), coord(x - 2.5), coord(y + 2.5), coord(x + 2.5), coord(y - 2.5))} />
            </>
        },
        MarkKind::Info => html! {
            <circle class="pic-mark-shape" cx={coord(x)} cy={coord(y)} r={coord(r * 0.75)} />
        },
    }
}

/// Marks on a time axis: a symbol above the plot and a rule through it, each focusable with
/// its description as a tooltip.
pub fn marks(marks: &[TimeMark], x: &Linear, top: f64, bottom: f64) -> Html {
    html! {
        <g class="pic-marks">
            { for marks.iter().enumerate().map(|(i, m)| {
                let at = x.at(m.at as f64);
                html! {
                    <g class={classes!("pic-mark", mark_class(m.kind))} tabindex="0" data-testid={format!("mark-{i}")}>
                        <title>{ format!("{} at {}: {}", mark_name(m.kind), axis::seconds(m.at), m.label) }</title>
                        <line class="pic-mark-rule" x1={coord(at)} y1={coord(top + 6.0)} x2={coord(at)} y2={coord(bottom)} />
                        { mark_symbol(m.kind, at, top) }
                    </g>
                }
            }) }
        </g>
    }
}

/// The cursor at `now`, from `top` to `bottom`, when `now` lies on the axis.
pub fn cursor(x: &Linear, now: Time, top: f64, bottom: f64) -> Html {
    let lo = x.d0.min(x.d1);
    let hi = x.d0.max(x.d1);
    let t = now as f64;
    if t < lo || t > hi {
        return html! {};
    }
    let at = x.at(t);
    html! {
        <g class="pic-cursor" data-testid="picture-cursor" data-us={now.to_string()}>
            <title>{ format!("now: {}", failscope_sim::time::format_duration(now)) }</title>
            <line x1={coord(at)} y1={coord(top)} x2={coord(at)} y2={coord(bottom)} />
        </g>
    }
}

/// One legend entry: a swatch drawn by `swatch` at `(x, y)` (its centre), then the label.
pub struct LegendItem {
    pub label: String,
    pub class: Classes,
    pub swatch: Box<dyn Fn(f64, f64) -> Html>,
}

/// Width of a legend swatch and the gap after it.
const SWATCH: f64 = 26.0;
const ROW: f64 = FONT + 8.0;

/// The legend's rows at `width` (labels cut to the width, full text in the tooltip), and
/// its height.
pub fn legend(items: &[LegendItem], x0: f64, y0: f64, width: f64) -> (Html, f64) {
    if items.is_empty() {
        return (html! {}, 0.0);
    }
    let shown: Vec<(String, bool)> = items
        .iter()
        .map(|i| axis::fit(&i.label, (width - SWATCH - 4.0).max(40.0), FONT))
        .collect();
    let widths: Vec<f64> = shown
        .iter()
        .map(|(s, _)| SWATCH + axis::text_width(s, FONT))
        .collect();
    let places = axis::flow(&widths, width, 14.0);
    let rows = places.iter().map(|p| p.1).max().unwrap_or(0) + 1;
    let html = html! {
        <g class="pic-legend" data-testid="legend">
            { for items.iter().zip(&shown).zip(&places).map(|((item, (text, _)), (x, row))| {
                let y = y0 + *row as f64 * ROW + ROW / 2.0;
                html! {
                    <g class={classes!("pic-legend-item", item.class.clone())} data-testid="legend-item">
                        <title>{ &item.label }</title>
                        { (item.swatch)(x0 + x + 10.0, y) }
                        <text x={coord(x0 + x + SWATCH)} y={coord(y + FONT * 0.35)}>{ text }</text>
                    </g>
                }
            }) }
        </g>
    };
    (html, rows as f64 * ROW)
}

/// The picture's `<svg>`: laid out at `width` pixels (one user unit per pixel), focusable,
/// an image to assistive technology with `label` as its name.
pub fn svg(class: &'static str, width: f64, height: f64, label: String, children: Html) -> Html {
    html! {
        <svg class={classes!("pic-svg", class)} viewBox={format!("0 0 {} {}", coord(width), coord(height))}
             width={coord(width)} height={coord(height)} font-size={coord(FONT)}
             role="img" tabindex="0" aria-label={label} data-testid="picture-svg">
            { children }
        </svg>
    }
}

/// "; 1 fault and 2 violations marked" (empty when there are neither).
pub fn marks_summary(marks: &[TimeMark]) -> String {
    let count = |k: MarkKind| marks.iter().filter(|m| m.kind == k).count();
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (count(MarkKind::Fault), count(MarkKind::Violation)) {
        (0, 0) => String::new(),
        (f, 0) => format!("; {} marked", plural(f, "fault")),
        (0, v) => format!("; {} marked", plural(v, "violation")),
        (f, v) => format!(
            "; {} and {} marked",
            plural(f, "fault"),
            plural(v, "violation")
        ),
    }
}

/// A value axis's title: "round trip (ms)", or just the label when values have no unit.
pub fn axis_title(scale: &failscope_sim::picture::Scale) -> String {
    if scale.unit.is_empty() {
        scale.label.clone()
    } else {
        format!("{} ({})", scale.label, scale.unit)
    }
}
