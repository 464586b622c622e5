//! The state-machine picture kind (a circuit breaker, a failure detector): states as boxes
//! with how often each was entered, transitions as labelled arrows with how often each was
//! taken, and the current state drawn with a double, thicker outline and bold name.

use super::axis::{self, FONT, SMALL};
use super::parts::{self, LegendItem};
use crate::components::topology::tone_class;
use crate::layout::coord;
use failscope_sim::picture::StateMachine;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StateMachineProps {
    pub data: StateMachine,
    /// Layout width in pixels.
    pub width: f64,
}

const BOX_H: f64 = 42.0;
const HEIGHT: f64 = 290.0;

/// Centres of `n` boxes `box_w` × `box_h` on an ellipse filling `width` × `height`.
pub fn box_places(n: usize, width: f64, height: f64, box_w: f64, box_h: f64) -> Vec<(f64, f64)> {
    let rx = (width / 2.0 - box_w / 2.0 - 8.0).max(0.0);
    let ry = (height / 2.0 - box_h / 2.0 - 8.0).max(0.0);
    axis::circle(n, 0.0, 0.0, 1.0)
        .into_iter()
        .map(|(x, y)| (width / 2.0 + x * rx, height / 2.0 + y * ry))
        .collect()
}

/// Do two boxes centred at `a` and `b` come closer than `gap`?
fn overlap(a: (f64, f64), b: (f64, f64), w: f64, h: f64, gap: f64) -> bool {
    (a.0 - b.0).abs() < w + gap && (a.1 - b.1).abs() < h + gap
}

/// The widest box (at most `wanted`, at least 64 pixels) whose places on the ellipse keep
/// every pair of boxes apart, and those places.
pub fn fit_boxes(n: usize, width: f64, height: f64, wanted: f64) -> (f64, Vec<(f64, f64)>) {
    let mut w = wanted.max(64.0);
    loop {
        let places = box_places(n, width, height, w, BOX_H);
        let clear =
            (0..n).all(|i| (i + 1..n).all(|j| !overlap(places[i], places[j], w, BOX_H, 10.0)));
        if clear || w <= 64.0 {
            return (w, places);
        }
        w = (w - 4.0).max(64.0);
    }
}

fn times(n: u64) -> String {
    format!("{n}×")
}

/// What the picture says, in one sentence, for screen readers.
pub fn summary(data: &StateMachine) -> String {
    let name = |i: u16| {
        data.states
            .get(usize::from(i))
            .map_or("?", |s| s.label.as_str())
    };
    let mut out = format!("{} states", data.states.len());
    if let Some(current) = data.states.get(usize::from(data.current)) {
        out.push_str(&format!(
            "; current: {} (entered {})",
            current.label,
            times(current.entered)
        ));
    }
    if let Some(t) = data
        .transitions
        .iter()
        .filter(|t| t.taken > 0)
        .max_by_key(|t| t.taken)
    {
        out.push_str(&format!(
            "; most taken: {} → {} ({}, {})",
            name(t.from),
            name(t.to),
            t.label,
            times(t.taken)
        ));
    }
    out
}

#[component]
pub fn StateMachineView(props: &StateMachineProps) -> Html {
    let data = &props.data;
    let width = props.width;
    let mut items = vec![LegendItem {
        label: "current state".into(),
        class: classes!("pic-state", "current"),
        swatch: Box::new(|x, y| {
            html! { <rect class="pic-state-box" x={coord(x - 8.0)} y={coord(y - 6.0)} width="16" height="12" /> }
        }),
    }];
    if data.transitions.iter().any(|t| t.taken == 0) {
        items.push(LegendItem {
            label: "never taken".into(),
            class: classes!("pic-transition", "unused"),
            swatch: Box::new(|x, y| {
                html! { <line class="pic-edge-line" x1={coord(x - 10.0)} y1={coord(y)} x2={coord(x + 10.0)} y2={coord(y)} /> }
            }),
        });
    }
    let (legend, legend_h) = parts::legend(&items, 0.0, 0.0, width);
    // Loops (a state to itself) are drawn above their box: room for them at the top.
    let loops = data.transitions.iter().any(|t| t.from == t.to);
    let top = legend_h + 4.0 + if loops { 40.0 } else { 0.0 };
    let wanted = data
        .states
        .iter()
        .map(|s| {
            axis::text_width(&s.label, FONT).max(axis::text_width(
                &format!("entered {}", times(s.entered)),
                SMALL,
            )) + 18.0
        })
        .fold(64.0, f64::max)
        .min(150.0);
    let (box_w, places) = fit_boxes(data.states.len(), width, HEIGHT, wanted);
    // The ellipse's empty rows are cut: the boxes start under the legend, and below the
    // lowest ones there is room for the labels of edges bending down.
    let ys = || places.iter().map(|p| p.1);
    let (highest, lowest) = match (ys().reduce(f64::min), ys().reduce(f64::max)) {
        (Some(a), Some(b)) => (a, b),
        _ => (0.0, 0.0),
    };
    let shift = top + BOX_H / 2.0 + 8.0 - highest;
    let places: Vec<(f64, f64)> = places.iter().map(|&(x, y)| (x, y + shift)).collect();
    let height = lowest + shift + BOX_H / 2.0 + 30.0;
    let (hw, hh) = (box_w / 2.0, BOX_H / 2.0);
    let place = |i: u16| places.get(usize::from(i)).copied();
    let name = |i: u16| {
        data.states
            .get(usize::from(i))
            .map_or("?", |s| s.label.as_str())
    };

    let transitions = data.transitions.iter().enumerate().filter_map(|(i, t)| {
        let (a, b) = (place(t.from)?, place(t.to)?);
        let (path, head, middle) = if t.from == t.to {
            let (x, y) = (a.0, a.1 - hh);
            let start = (x - 12.0, y);
            let end = (x + 12.0, y);
            let path = format!(
                "M{} {} C{} {} {} {} {} {}",
                coord(start.0), coord(start.1), coord(x - 30.0), coord(y - 40.0),
                coord(x + 30.0), coord(y - 40.0), coord(end.0), coord(end.1)
            );
            (path, axis::arrowhead(end, (x + 24.0, y - 30.0), 9.0), (x, y - 34.0))
        } else {
            let curve = axis::bent_edge(a, b, 26.0, 0.0, 0.0);
            let start = axis::box_exit(a, hw + 2.0, hh + 2.0, curve[1]);
            let end = axis::box_exit(b, hw + 3.0, hh + 3.0, curve[1]);
            let curve = [start, curve[1], end];
            (axis::curve_path(&curve), axis::arrowhead(end, curve[1], 9.0), axis::curve_middle(&curve))
        };
        let text = format!("{} {}", t.label, times(t.taken));
        let (shown, _) = axis::fit(&text, 120.0, SMALL);
        let w = axis::text_width(&shown, SMALL);
        Some(html! {
            <g class={classes!("pic-transition", (t.taken == 0).then_some("unused"))} tabindex="0" data-testid={format!("transition-{i}")}>
                <title>{ format!("{} → {}: {}, taken {}", name(t.from), name(t.to), t.label, times(t.taken)) }</title>
                <path class="pic-edge-line" d={path} />
                <polygon class="pic-arrowhead" points={axis::points(&head)} />
                <rect class="pic-label-bg" x={coord(middle.0 - w / 2.0 - 2.0)} y={coord(middle.1 - SMALL * 0.75)} width={coord(w + 4.0)} height={coord(SMALL + 3.0)} />
                <text class="pic-edge-label" x={coord(middle.0)} y={coord(middle.1 + SMALL * 0.35)} text-anchor="middle" font-size={coord(SMALL)}>{ shown }</text>
            </g>
        })
    });

    let states = data.states.iter().enumerate().map(|(i, s)| {
        let (x, y) = places[i];
        let current = i == usize::from(data.current);
        let (label, _) = axis::fit(&s.label, box_w - 10.0, FONT);
        let long = format!("entered {}", times(s.entered));
        let count = if axis::text_width(&long, SMALL) <= box_w - 10.0 { long } else { times(s.entered) };
        html! {
            <g class={classes!("pic-state", tone_class(s.tone), current.then_some("current"))}
               tabindex="0" data-testid={format!("state-{i}")} aria-current={current.then_some("true")}>
                <title>{ format!("{}: entered {}{}", s.label, times(s.entered), if current { " (current state)" } else { "" }) }</title>
                if current {
                    <rect class="pic-state-halo" x={coord(x - hw - 4.0)} y={coord(y - hh - 4.0)} width={coord(box_w + 8.0)} height={coord(BOX_H + 8.0)} rx="9" />
                }
                <rect class="pic-state-box" x={coord(x - hw)} y={coord(y - hh)} width={coord(box_w)} height={coord(BOX_H)} rx="6" />
                <text class="pic-state-name" x={coord(x)} y={coord(y - 3.0)} text-anchor="middle">{ label }</text>
                <text class="pic-state-count" x={coord(x)} y={coord(y + SMALL + 1.0)} text-anchor="middle" font-size={coord(SMALL)}>{ count }</text>
            </g>
        }
    });

    let children = html! {
        <>
            { legend }
            <g class="pic-transitions">{ for transitions }</g>
            <g class="pic-states">{ for states }</g>
        </>
    };
    parts::svg("pic-state-machine", width, height, summary(data), children)
}
