//! The lanes picture kind: swimlanes of spans over simulated time (a trace's waterfall, saga
//! steps, a node's up and down periods). Spans that overlap in a lane stack into sub-rows; a
//! span still open runs to the cursor and ends in an arrow; highlighted spans get a thick
//! outline; marks for faults and violations cross every lane.

use super::axis::{self, Linear, FONT, SMALL};
use super::parts::{self, LegendItem};
use crate::components::topology::tone_class;
use crate::layout::coord;
use failscope_sim::picture::{Lanes, MarkKind};
use failscope_sim::time::{Time, SECOND};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LanesProps {
    pub data: Lanes,
    /// Layout width in pixels.
    pub width: f64,
    /// The timeline's current moment: open spans run to it, the cursor marks it.
    pub now: Time,
}

const SUB_ROW: f64 = 20.0;
const SPAN_H: f64 = 16.0;

/// Sub-rows for spans `(start, end)` in start order so that spans in one sub-row never
/// overlap: each span takes the first sub-row free at its start.
pub fn stack(spans: &[(Time, Time)]) -> Vec<usize> {
    let mut ends: Vec<Time> = Vec::new();
    spans
        .iter()
        .map(
            |&(start, end)| match ends.iter().position(|&e| e <= start) {
                Some(row) => {
                    ends[row] = end;
                    row
                }
                None => {
                    ends.push(end);
                    ends.len() - 1
                }
            },
        )
        .collect()
}

/// The time axis's extent: every span (open ones up to `now`) and mark, and the cursor.
pub fn time_domain(data: &Lanes, now: Time) -> (Time, Time) {
    let mut from = now;
    let mut to = now;
    for span in data.lanes.iter().flat_map(|l| &l.spans) {
        from = from.min(span.start);
        to = to.max(span.end.unwrap_or(now)).max(span.start);
    }
    for m in &data.marks {
        from = from.min(m.at);
        to = to.max(m.at);
    }
    if to <= from {
        to = from + SECOND;
    }
    (from, to)
}

/// What the picture says, in one sentence, for screen readers.
pub fn summary(data: &Lanes, now: Time) -> String {
    let (from, to) = time_domain(data, now);
    let spans: Vec<_> = data.lanes.iter().flat_map(|l| &l.spans).collect();
    let open = spans.iter().filter(|s| s.end.is_none()).count();
    let mut out = format!(
        "{} lanes over {}, {} spans, {} still open",
        data.lanes.len(),
        axis::time_span(from, to),
        spans.len(),
        open
    );
    let highlighted: Vec<String> = data
        .lanes
        .iter()
        .flat_map(|l| {
            l.spans
                .iter()
                .filter(|s| s.highlight)
                .map(move |s| format!("{} {}", l.label, s.label))
        })
        .collect();
    if !highlighted.is_empty() {
        out.push_str(&format!("; highlighted: {}", highlighted.join(", ")));
    }
    out.push_str(&parts::marks_summary(&data.marks));
    out
}

#[component]
pub fn LanesView(props: &LanesProps) -> Html {
    let data = &props.data;
    let width = props.width;
    let now = props.now;
    let (from, to) = time_domain(data, now);

    let mut items = vec![LegendItem {
        label: "still open".into(),
        class: classes!("pic-span", "open"),
        swatch: Box::new(|x, y| {
            html! { <>
                <rect class="pic-span-box" x={coord(x - 10.0)} y={coord(y - 6.0)} width="14" height="12" />
                <polygon class="pic-open-arrow" points={axis::points(&[(x + 4.0, y - 6.0), (x + 10.0, y), (x + 4.0, y + 6.0)])} />
            </> }
        }),
    }];
    if data
        .lanes
        .iter()
        .flat_map(|l| &l.spans)
        .any(|s| s.highlight)
    {
        items.push(LegendItem {
            label: "highlighted".into(),
            class: classes!("pic-span", "highlight"),
            swatch: Box::new(|x, y| {
                html! { <rect class="pic-span-box" x={coord(x - 9.0)} y={coord(y - 6.0)} width="18" height="12" /> }
            }),
        });
    }
    for kind in [MarkKind::Fault, MarkKind::Violation, MarkKind::Info] {
        if data.marks.iter().any(|m| m.kind == kind) {
            items.push(LegendItem {
                label: parts::mark_name(kind).into(),
                class: classes!("pic-mark", parts::mark_class(kind)),
                swatch: Box::new(move |x, y| parts::mark_symbol(kind, x, y)),
            });
        }
    }
    let (legend, legend_h) = parts::legend(&items, 0.0, 0.0, width);

    let label_w = data
        .lanes
        .iter()
        .map(|l| axis::text_width(&l.label, FONT))
        .fold(20.0, f64::max)
        .min(width * 0.3)
        + 8.0;
    let right = width - 10.0;
    let marks_y = legend_h + 10.0;
    let top = marks_y + 10.0;
    let x = Linear::new(from as f64, to as f64, label_w, right);

    // Each lane's spans in start order, stacked.
    let mut y = top;
    let mut lanes = Vec::new();
    for (li, lane) in data.lanes.iter().enumerate() {
        let mut order: Vec<usize> = (0..lane.spans.len()).collect();
        order.sort_by_key(|&i| (lane.spans[i].start, i));
        let extents: Vec<(Time, Time)> = order
            .iter()
            .map(|&i| {
                let s = &lane.spans[i];
                (s.start, s.end.unwrap_or(now).max(s.start))
            })
            .collect();
        let rows = stack(&extents);
        let n_rows = rows.iter().max().map_or(1, |m| m + 1);
        let lane_h = n_rows as f64 * SUB_ROW + 6.0;
        let (name, _) = axis::fit(&lane.label, label_w - 8.0, FONT);
        let spans = order.iter().zip(&rows).zip(&extents).map(|((&i, &row), &(start, end))| {
            let s = &lane.spans[i];
            let x0 = x.at(start as f64);
            let x1 = x.at(end as f64).max(x0 + 2.0);
            let sy = y + 3.0 + row as f64 * SUB_ROW + (SUB_ROW - SPAN_H) / 2.0;
            let open = s.end.is_none();
            let (text, cut) = axis::fit(&s.label, x1 - x0 - 6.0, SMALL);
            let show_text = !cut || text.chars().count() > 3;
            let tooltip = format!(
                "{}: {} from {} to {}{}{}",
                lane.label,
                s.label,
                axis::seconds(s.start),
                if open { "now".to_string() } else { axis::seconds(end) },
                if open { " (still open)" } else { "" },
                if s.highlight { " (highlighted)" } else { "" }
            );
            html! {
                <g class={classes!("pic-span", tone_class(s.tone), s.highlight.then_some("highlight"), open.then_some("open"))}
                   tabindex="0" data-testid={format!("span-{li}-{i}")}>
                    <title>{ tooltip }</title>
                    <rect class="pic-span-box" x={coord(x0)} y={coord(sy)} width={coord(x1 - x0)} height={coord(SPAN_H)} rx="3" />
                    if open {
                        <polygon class="pic-open-arrow" points={axis::points(&[(x1, sy - 2.0), (x1 + 7.0, sy + SPAN_H / 2.0), (x1, sy + SPAN_H + 2.0)])} />
                    }
                    if show_text {
                        <text class="pic-span-text" x={coord(x0 + 4.0)} y={coord(sy + SPAN_H / 2.0 + SMALL * 0.35)} font-size={coord(SMALL)}>{ text }</text>
                    }
                </g>
            }
        });
        lanes.push(html! {
            <g class="pic-lane" data-testid={format!("lane-{li}")}>
                <line class="pic-lane-line" x1={coord(label_w)} y1={coord(y + lane_h)} x2={coord(right)} y2={coord(y + lane_h)} />
                <text class="pic-lane-name" x="0" y={coord(y + 3.0 + SUB_ROW / 2.0 + FONT * 0.35)}>
                    <title>{ &lane.label }</title>
                    { name }
                </text>
                { for spans }
            </g>
        });
        y += lane_h;
    }
    let bottom = y;
    let height = bottom + SMALL + 12.0;

    let children = html! {
        <>
            { legend }
            { parts::time_axis(&x, bottom, from, to) }
            { for lanes }
            { parts::marks(&data.marks, &x, marks_y, bottom) }
            { parts::cursor(&x, now, marks_y - 6.0, bottom) }
        </>
    };
    parts::svg("pic-lanes", width, height, summary(data, now), children)
}
