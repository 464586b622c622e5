//! The time-series picture kind: several series over simulated time (database load during a
//! stampede, round trips, phi), with the y axis in the data's own scale, marks for faults
//! and violations, an optional threshold and a cursor at the timeline's current moment.

use super::axis::{self, Linear, FONT, SMALL};
use super::parts::{self, LegendItem};
use crate::layout::coord;
use failscope_sim::picture::{MarkKind, TimeSeries};
use failscope_sim::time::{Time, SECOND};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TimeSeriesProps {
    pub data: TimeSeries,
    /// Layout width in pixels (the frame's measured width).
    pub width: f64,
    /// The timeline's current moment: the cursor.
    pub now: Time,
}

/// Height of the plotting area.
const PLOT: f64 = 150.0;

/// The time axis's extent: every point and mark, and the cursor.
pub fn time_domain(data: &TimeSeries, now: Time) -> (Time, Time) {
    let times = data
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(data.marks.iter().map(|m| m.at));
    let (mut from, mut to) = (Time::MAX, 0);
    for t in times.chain(std::iter::once(now)) {
        from = from.min(t);
        to = to.max(t);
    }
    if to <= from {
        to = from + SECOND;
    }
    (from, to)
}

/// The highest point of any series: (series index, time, value).
pub fn peak(data: &TimeSeries) -> Option<(usize, Time, i64)> {
    let mut best: Option<(usize, Time, i64)> = None;
    for (i, s) in data.series.iter().enumerate() {
        for &(t, v) in &s.points {
            if best.is_none_or(|b| v > b.2) {
                best = Some((i, t, v));
            }
        }
    }
    best
}

/// What the picture says, in one sentence, for screen readers.
pub fn summary(data: &TimeSeries, now: Time) -> String {
    let (from, to) = time_domain(data, now);
    let mut out = format!(
        "{} series over {}",
        data.series.len(),
        axis::time_span(from, to)
    );
    match peak(data) {
        Some((i, t, v)) => out.push_str(&format!(
            "; peak {} {} at {}",
            data.series[i].label,
            data.y.format(v),
            axis::seconds(t)
        )),
        None => out.push_str("; no data yet"),
    }
    out.push_str(&parts::marks_summary(&data.marks));
    if let Some((value, label)) = &data.threshold {
        out.push_str(&format!("; {label} {}", data.y.format(*value)));
    }
    out
}

#[component]
pub fn TimeSeriesView(props: &TimeSeriesProps) -> Html {
    let data = &props.data;
    let width = props.width;
    let (from, to) = time_domain(data, props.now);

    // Value axis: include the threshold, start at zero.
    let values = data
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(data.threshold.iter().map(|t| t.0));
    let parts::ValueTicks {
        lo,
        hi,
        ticks: y_ticks,
        labels: y_labels,
        left,
    } = parts::value_ticks(values, &data.y, PLOT);
    let right = width - 12.0;

    // Top to bottom: legend, the axis title, the marks' row, the plot, the time axis.
    let items: Vec<LegendItem> = data
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            label: s.label.clone(),
            class: classes!(format!("pic-c{}", s.colour % 8)),
            swatch: Box::new(move |x, y| {
                html! { <line class="pic-swatch-line" x1={coord(x - 10.0)} y1={coord(y)} x2={coord(x + 10.0)} y2={coord(y)} stroke-dasharray={axis::series_dash(i)} /> }
            }),
        })
        .chain(legend_marks(data))
        .collect();
    let (legend, legend_h) = parts::legend(&items, 0.0, 0.0, width);
    let title_y = legend_h + FONT + 4.0;
    let marks_y = title_y + 12.0;
    let top = marks_y + 10.0;
    let bottom = top + PLOT;
    let height = bottom + SMALL + 12.0;
    let x = Linear::new(from as f64, to as f64, left, right);
    let y = Linear::new(lo as f64, hi as f64, bottom, top);
    let axis_title = parts::axis_title(&data.y);
    let (axis_title, _) = axis::fit(&axis_title, width, FONT);

    let series = data.series.iter().enumerate().map(|(i, s)| {
        let points: Vec<(f64, f64)> = s
            .points
            .iter()
            .map(|&(t, v)| (x.at(t as f64), y.at(v as f64)))
            .collect();
        let last = s.points.last().map(|&(t, v)| {
            let (px, py) = (x.at(t as f64), y.at(v as f64));
            html! {
                <circle class="pic-point" cx={coord(px)} cy={coord(py)} r="4" tabindex="0" data-testid="series-point">
                    <title>{ format!("{}: {} at {}", s.label, data.y.format(v), axis::seconds(t)) }</title>
                </circle>
            }
        });
        html! {
            <g class={classes!("pic-series", format!("pic-c{}", s.colour % 8))} data-testid="series">
                <title>{ &s.label }</title>
                <polyline class="pic-line" points={axis::points(&points)} stroke-dasharray={axis::series_dash(i)} />
                { for last }
            </g>
        }
    });

    let threshold = data.threshold.as_ref().map(|(value, label)| {
        let ty = y.at(*value as f64);
        let text = format!("{label} {}", data.y.format(*value));
        let (text, _) = axis::fit(&text, right - left - 4.0, SMALL);
        html! {
            <g class="pic-threshold" data-testid="threshold" tabindex="0">
                <title>{ format!("{label}: {}", data.y.format(*value)) }</title>
                <line x1={coord(left)} y1={coord(ty)} x2={coord(right)} y2={coord(ty)} />
                <text x={coord(right - 2.0)} y={coord(ty - 4.0)} text-anchor="end" font-size={coord(SMALL)}>{ text }</text>
            </g>
        }
    });

    let children = html! {
        <>
            { legend }
            <text class="pic-axis-title" x="0" y={coord(title_y)}>{ axis_title }</text>
            { parts::value_axis(&y, &y_ticks, &y_labels, left, right) }
            { parts::time_axis(&x, bottom, from, to) }
            { for threshold }
            { for series }
            { parts::marks(&data.marks, &x, marks_y, bottom) }
            { parts::cursor(&x, props.now, marks_y - 6.0, bottom) }
        </>
    };
    parts::svg(
        "pic-time-series",
        width,
        height,
        summary(data, props.now),
        children,
    )
}

/// Legend entries for the kinds of marks present.
fn legend_marks(data: &TimeSeries) -> Vec<LegendItem> {
    [MarkKind::Fault, MarkKind::Violation, MarkKind::Info]
        .into_iter()
        .filter(|k| data.marks.iter().any(|m| m.kind == *k))
        .map(|kind| LegendItem {
            label: match kind {
                MarkKind::Fault => "fault".to_string(),
                MarkKind::Violation => "violation".to_string(),
                MarkKind::Info => "note".to_string(),
            },
            class: classes!("pic-mark", parts::mark_class(kind)),
            swatch: Box::new(move |x, y| parts::mark_symbol(kind, x, y)),
        })
        .collect()
}
