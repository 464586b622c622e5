//! The graph picture kind: a directed graph (a wait-for graph, who-follows-whom) laid out on
//! a circle in the data's order, so the same data always draws the same picture. Edges bend
//! slightly so `a → b` and `b → a` stay apart; highlighted edges (a cycle) are drawn thicker,
//! dashed and in the warning colour, so they stand out without colour too.

use super::axis::{self, FONT, SMALL};
use super::parts::{self, LegendItem};
use crate::components::topology::tone_class;
use crate::decimal::within;
use crate::layout::coord;
use failscope_sim::picture::Graph;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GraphProps {
    pub data: Graph,
    /// Layout width in pixels.
    pub width: f64,
}

/// Radius of a node drawn with `label` inside (cut to fit at most `max` pixels).
pub fn node_radius(label: &str) -> f64 {
    within(axis::text_width(label, FONT) / 2.0 + 7.0, 16.0, 34.0)
}

/// What the picture says, in one sentence, for screen readers.
pub fn summary(data: &Graph) -> String {
    let name = |i: u16| {
        data.nodes
            .get(usize::from(i))
            .map_or("?", |n| n.label.as_str())
    };
    let mut out = format!(
        "{} node{}, {} edge{}",
        data.nodes.len(),
        if data.nodes.len() == 1 { "" } else { "s" },
        data.edges.len(),
        if data.edges.len() == 1 { "" } else { "s" }
    );
    let highlighted: Vec<String> = data
        .edges
        .iter()
        .filter(|e| e.highlight)
        .map(|e| format!("{} → {}", name(e.from), name(e.to)))
        .collect();
    if !highlighted.is_empty() {
        out.push_str(&format!("; highlighted: {}", highlighted.join(", ")));
    }
    out
}

#[component]
pub fn GraphView(props: &GraphProps) -> Html {
    let data = &props.data;
    let width = props.width;
    let mut items = vec![LegendItem {
        label: "edge".into(),
        class: classes!("pic-edge"),
        swatch: Box::new(|x, y| {
            html! { <line x1={coord(x - 10.0)} y1={coord(y)} x2={coord(x + 10.0)} y2={coord(y)} /> }
        }),
    }];
    if data.edges.iter().any(|e| e.highlight) {
        items.push(LegendItem {
            label: "highlighted (cycle)".into(),
            class: classes!("pic-edge", "highlight"),
            swatch: Box::new(|x, y| {
                html! { <line x1={coord(x - 10.0)} y1={coord(y)} x2={coord(x + 10.0)} y2={coord(y)} /> }
            }),
        });
    }
    let (legend, legend_h) = parts::legend(&items, 0.0, 0.0, width);
    let radii: Vec<f64> = data.nodes.iter().map(|n| node_radius(&n.label)).collect();
    let biggest = radii.iter().copied().fold(16.0, f64::max);
    let size = width.min(360.0);
    let top = legend_h + 6.0;
    let height = top + size;
    let (cx, cy) = (width / 2.0, top + size / 2.0);
    let ring = (size / 2.0 - biggest - 8.0).max(biggest);
    let places = axis::circle(data.nodes.len(), cx, cy, ring);
    let place = |i: u16| places.get(usize::from(i)).copied();
    let radius = |i: u16| radii.get(usize::from(i)).copied().unwrap_or(16.0);

    // Ordinary edges first, highlighted ones on top.
    let mut order: Vec<usize> = (0..data.edges.len()).collect();
    order.sort_by_key(|&i| data.edges[i].highlight);
    let edges = order.into_iter().filter_map(|i| {
        let e = &data.edges[i];
        let (a, b) = (place(e.from)?, place(e.to)?);
        let from = &data.nodes[usize::from(e.from)].label;
        let to = &data.nodes[usize::from(e.to)].label;
        let (path, head, middle) = if e.from == e.to {
            // A loop above the node.
            let r = radius(e.from);
            let (x, y) = a;
            let start = (x - r * 0.6, y - r * 0.8);
            let end = (x + r * 0.6, y - r * 0.8);
            let path = format!(
                "M{} {} C{} {} {} {} {} {}",
                coord(start.0), coord(start.1),
                coord(x - r * 1.6), coord(y - r * 2.6),
                coord(x + r * 1.6), coord(y - r * 2.6),
                coord(end.0), coord(end.1)
            );
            (path, axis::arrowhead(end, (x + r * 1.2, y - r * 2.0), 9.0), (x, y - r * 2.2))
        } else {
            let curve = axis::bent_edge(a, b, 22.0, radius(e.from) + 2.0, radius(e.to) + 3.0);
            (axis::curve_path(&curve), axis::arrowhead(curve[2], curve[1], 9.0), axis::curve_middle(&curve))
        };
        let label = (!e.label.is_empty()).then(|| {
            let (text, _) = axis::fit(&e.label, 90.0, SMALL);
            let w = axis::text_width(&text, SMALL);
            html! {
                <>
                    <rect class="pic-label-bg" x={coord(middle.0 - w / 2.0 - 2.0)} y={coord(middle.1 - SMALL * 0.75)} width={coord(w + 4.0)} height={coord(SMALL + 3.0)} />
                    <text class="pic-edge-label" x={coord(middle.0)} y={coord(middle.1 + SMALL * 0.35)} text-anchor="middle" font-size={coord(SMALL)}>{ text }</text>
                </>
            }
        });
        let tooltip = if e.label.is_empty() {
            format!("{from} → {to}")
        } else {
            format!("{from} → {to}: {}", e.label)
        };
        Some(html! {
            <g class={classes!("pic-edge", e.highlight.then_some("highlight"))} tabindex="0" data-testid={format!("edge-{i}")}>
                <title>{ if e.highlight { format!("{tooltip} (highlighted)") } else { tooltip } }</title>
                <path class="pic-edge-line" d={path} />
                <polygon class="pic-arrowhead" points={axis::points(&head)} />
                { for label }
            </g>
        })
    });

    let nodes = data.nodes.iter().enumerate().map(|(i, n)| {
        let (x, y) = places[i];
        let r = radii[i];
        let (text, _) = axis::fit(&n.label, 2.0 * r - 6.0, FONT);
        html! {
            <g class={classes!("pic-node", tone_class(n.tone))} tabindex="0" data-testid={format!("graph-node-{i}")}>
                <title>{ &n.label }</title>
                <circle cx={coord(x)} cy={coord(y)} r={coord(r)} />
                <text x={coord(x)} y={coord(y + FONT * 0.35)} text-anchor="middle">{ text }</text>
            </g>
        }
    });

    let children = html! {
        <>
            { legend }
            <g class="pic-edges">{ for edges }</g>
            <g class="pic-nodes">{ for nodes }</g>
        </>
    };
    parts::svg("pic-graph", width, height, summary(data), children)
}
