//! The space-time (Lamport) diagram: one lane per server, time flowing right up to the
//! cursor, every message an arrow from its send to its delivery (or its drop), so causality
//! and concurrency can be read off the picture.

use crate::layout::Coord;
use crate::session::{format_time, UiAction};
use crate::shared::Shared;
use failscope_sim::ids::{node_name, MsgId, NodeId};
use failscope_sim::time::Time;
use failscope_sim::trace::{NoteKind, TraceKind, STAMP_SEPARATOR};
use failscope_sim::view::View;
use failscope_sim::world::NodeStatus;
use failscope_sim::Simulation;
use std::collections::BTreeMap;
use std::fmt::Write;
use yew::prelude::*;

/// Most arrows drawn (the newest); beyond this the picture is a smear anyway.
const MAX_ARROWS: usize = 400;
/// Most trace events read per frame to build the diagram.
const MAX_SCANNED: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fate {
    Delivered,
    Dropped,
    InFlight,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub sent: Time,
    /// Delivery or drop time; for messages in flight, their arrival time.
    pub end: Time,
    pub kind: Option<u8>,
    pub fate: Fate,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MarkKind {
    Timer,
    Crash,
    Restart,
    Pause,
    Milestone,
    Violation,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub node: NodeId,
    pub time: Time,
    pub kind: MarkKind,
    pub label: String,
}

/// Everything the diagram draws, read from the trace around the cursor.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Diagram {
    pub from: Time,
    pub to: Time,
    pub n_nodes: u16,
    pub arrows: Vec<Arrow>,
    pub marks: Vec<Mark>,
    /// Stretches during which a server was down or paused: (node, start, end).
    pub outages: Vec<(NodeId, Time, Time)>,
    /// Events the lab stamped (`Ctx::stamp`): (node, time, labels joined by
    /// `STAMP_SEPARATOR`), with the names of the label sets and the one the lab shows first.
    pub stamps: Vec<(NodeId, Time, Box<str>)>,
    pub stamp_sets: &'static [&'static str],
    pub stamp_choice: u8,
}

impl Diagram {
    /// The diagram for the `window_us` before the simulation's cursor. Reads the trace
    /// backwards from the cursor and stops after a bounded number of events, so the cost
    /// per frame does not grow with traffic.
    pub fn build(sim: &dyn Simulation, view: &View, window_us: Time) -> Diagram {
        let to = sim.now();
        let from = to.saturating_sub(window_us);
        let events = &sim.trace().events()[..sim.trace_position()];
        let mut arrows = Vec::new();
        let mut marks = Vec::new();
        let mut outages = Vec::new();
        let mut stamps = Vec::new();
        // Outages are paired backwards: a restart seen first waits for its crash.
        let mut outage_end: BTreeMap<NodeId, Time> = BTreeMap::new();
        for e in events.iter().rev().take(MAX_SCANNED) {
            if e.time < from {
                break;
            }
            match &e.kind {
                TraceKind::Deliver {
                    msg,
                    from: f,
                    to: t,
                    kind,
                    sent_at,
                }
                | TraceKind::Drop {
                    msg,
                    from: f,
                    to: t,
                    kind,
                    sent_at,
                    ..
                } if arrows.len() < MAX_ARROWS => {
                    let fate = if matches!(e.kind, TraceKind::Drop { .. }) {
                        Fate::Dropped
                    } else {
                        Fate::Delivered
                    };
                    arrows.push(Arrow {
                        id: *msg,
                        from: *f,
                        to: *t,
                        sent: *sent_at,
                        end: e.time,
                        kind: Some(*kind),
                        fate,
                    });
                }
                TraceKind::Crash { node } | TraceKind::Pause { node, .. } => {
                    let end = outage_end.remove(node).unwrap_or(to);
                    outages.push((*node, e.time, end));
                    let kind = if matches!(e.kind, TraceKind::Crash { .. }) {
                        MarkKind::Crash
                    } else {
                        MarkKind::Pause
                    };
                    marks.push(Mark {
                        node: *node,
                        time: e.time,
                        kind,
                        label: String::new(),
                    });
                }
                TraceKind::Restart { node } | TraceKind::Resume { node } => {
                    outage_end.insert(*node, e.time);
                    marks.push(Mark {
                        node: *node,
                        time: e.time,
                        kind: MarkKind::Restart,
                        label: String::new(),
                    });
                }
                TraceKind::Timer { node, .. } if marks.len() < MAX_ARROWS => marks.push(Mark {
                    node: *node,
                    time: e.time,
                    kind: MarkKind::Timer,
                    label: String::new(),
                }),
                TraceKind::Note {
                    node,
                    kind: NoteKind::Marker,
                    text,
                } => marks.push(Mark {
                    node: *node,
                    time: e.time,
                    kind: MarkKind::Milestone,
                    label: text.to_string(),
                }),
                TraceKind::Note {
                    node,
                    kind: NoteKind::Stamp,
                    text,
                } if stamps.len() < MAX_ARROWS => stamps.push((*node, e.time, text.clone())),
                TraceKind::Violation { .. } => marks.push(Mark {
                    node: 0,
                    time: e.time,
                    kind: MarkKind::Violation,
                    label: "violation".into(),
                }),
                _ => {}
            }
        }
        // Outages that ended inside the window but began before it.
        for (node, end) in outage_end {
            outages.push((node, from, end));
        }
        // Servers down the whole window.
        for node in &view.nodes {
            let covered = outages.iter().any(|&(n, _, end)| n == node.id && end >= to);
            if node.status != NodeStatus::Up && !covered {
                outages.push((node.id, from, to));
            }
        }
        for m in view.messages.iter().rev().take(MAX_ARROWS) {
            arrows.push(Arrow {
                id: m.id,
                from: m.from,
                to: m.to,
                sent: m.sent_at,
                end: m.deliver_at,
                kind: Some(m.kind),
                fate: Fate::InFlight,
            });
        }
        let (stamp_sets, stamp_choice) = sim.stamp_sets();
        Diagram {
            from,
            to,
            n_nodes: view.nodes.len() as u16,
            arrows,
            marks,
            outages,
            stamps,
            stamp_sets,
            stamp_choice,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    pub diagram: Shared<Diagram>,
    pub on_zoom: Callback<bool>,
    pub on_action: Callback<UiAction>,
}

/// The width drawn before the diagram has been measured.
const DEFAULT_WIDTH: f64 = 1000.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;

#[component]
pub fn SpaceTime(props: &SpaceTimeProps) -> Html {
    let d = &props.diagram;
    // Drawn in CSS pixels (the viewBox is the measured width), so that the lane labels are
    // the 11 px the stylesheet says at any screen width.
    let svg_ref = use_node_ref();
    let measured = use_state_eq(|| 0.0f64);
    {
        let svg_ref = svg_ref.clone();
        let measured = measured.setter();
        use_effect_with((), move |_| {
            let watcher = svg_ref.cast::<web_sys::Element>().and_then(|svg| {
                measured.set(f64::from(svg.client_width()));
                crate::browser::OnResize::observe(&svg, move |w, _| measured.set(w))
            });
            move || drop(watcher)
        });
    }
    let width = if *measured > 2.0 * LEFT {
        measured.round()
    } else {
        DEFAULT_WIDTH
    };
    let n = usize::from(d.n_nodes.max(1));
    let lane = if n > 16 { 10.0 } else { 26.0 };
    let top = 18.0;
    let height = top + lane * n as f64 + 14.0;
    let span = (d.to - d.from).max(1) as f64;
    let x =
        |t: Time| LEFT + (t.saturating_sub(d.from) as f64 / span).min(1.5) * (width - LEFT - RIGHT);
    let y = |node: NodeId| top + lane * (f64::from(node) + 0.5);
    let lanes = (0..d.n_nodes).map(|node| {
        html! {
            <g class="lane">
                <line x1={f(LEFT)} x2={f(width - RIGHT)} y1={f(y(node))} y2={f(y(node))} />
                if lane > 12.0 {
                    <text x="4" y={f(y(node) + 4.0)}>{ node_name(node) }</text>
                }
            </g>
        }
    });
    let outages = d.outages.iter().map(|&(node, s, e)| {
        html! { <rect class="outage" x={f(x(s))} y={f(y(node) - lane * 0.4)} width={f((x(e) - x(s)).max(1.0))} height={f(lane * 0.8)} /> }
    });
    // One <path> per (kind, fate): hundreds of arrows cost a handful of DOM nodes.
    let mut paths: BTreeMap<(Option<u8>, u8), String> = BTreeMap::new();
    for a in &d.arrows {
        let (x1, y1) = (x(a.sent.max(d.from)), y(a.from));
        let (x2, y2) = match a.fate {
            Fate::InFlight => {
                // Drawn up to the cursor, heading for its destination.
                let total = (a.end.saturating_sub(a.sent)).max(1) as f64;
                let done = (d.to.saturating_sub(a.sent)) as f64 / total;
                (x(d.to), y(a.from) + (y(a.to) - y(a.from)) * done.min(1.0))
            }
            _ => (x(a.end), y(a.to)),
        };
        let fate = match a.fate {
            Fate::Delivered => 0,
            Fate::Dropped => 1,
            Fate::InFlight => 2,
        };
        let d_attr = paths.entry((a.kind, fate)).or_default();
        let _ = write!(
            d_attr,
            "M{} {}L{} {}",
            Coord(x1),
            Coord(y1),
            Coord(x2),
            Coord(y2)
        );
        match a.fate {
            Fate::Delivered => {
                // A small arrowhead drawn as two strokes back along the line.
                let (dx, dy) = (x2 - x1, y2 - y1);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let (ux, uy) = (dx / len * 6.0, dy / len * 6.0);
                let _ = write!(
                    d_attr,
                    "M{} {}L{} {}L{} {}",
                    Coord(x2 - ux - uy * 0.6),
                    Coord(y2 - uy + ux * 0.6),
                    Coord(x2),
                    Coord(y2),
                    Coord(x2 - ux + uy * 0.6),
                    Coord(y2 - uy - ux * 0.6)
                );
            }
            Fate::Dropped => {
                let _ = write!(
                    d_attr,
                    "M{} {}l6 6m0 -6l-6 6",
                    Coord(x2 - 3.0),
                    Coord(y2 - 3.0)
                );
            }
            Fate::InFlight => {}
        }
    }
    let arrows = paths.into_iter().map(|((kind, fate), path)| {
        let class = classes!(
            "arrow",
            kind.map(|k| format!("kind-{k}")),
            ["delivered", "dropped", "in-flight"][usize::from(fate)]
        );
        html! { <path class={class} d={path} /> }
    });
    let mut timer_ticks = String::new();
    let marks = d.marks.iter().map(|m| {
        let (cx, cy) = (x(m.time), y(m.node));
        match m.kind {
            MarkKind::Timer => {
                let _ = write!(timer_ticks, "M{} {}v6", Coord(cx), Coord(cy - 3.0));
                html! {}
            }
            MarkKind::Crash => html! { <path class="mark-crash" d={format!("M {} {} l 8 8 m 0 -8 l -8 8", f(cx - 4.0), f(cy - 4.0))} /> },
            MarkKind::Pause => html! { <rect class="mark-pause" x={f(cx - 2.0)} y={f(cy - 5.0)} width="4" height="10" /> },
            MarkKind::Restart => html! { <circle class="mark-restart" cx={f(cx)} cy={f(cy)} r="4" /> },
            MarkKind::Milestone => html! {
                <g class="mark-milestone"><circle cx={f(cx)} cy={f(cy)} r="5" /><title>{ m.label.clone() }</title></g>
            },
            MarkKind::Violation => html! { <line class="mark-violation" x1={f(cx)} x2={f(cx)} y1={f(top)} y2={f(height - 14.0)} /> },
        }
    });
    // The label set a person picked, else the lab's choice.
    let picked = use_state_eq(|| None::<u8>);
    let set = usize::from(picked.unwrap_or(d.stamp_choice));
    let stamps = d.stamps.iter().map(|(node, time, text)| {
        let label = text.split(STAMP_SEPARATOR).nth(set).unwrap_or_default();
        html! { <text class="stamp" x={f(x(*time))} y={f(y(*node) - 4.0)}>{ label }</text> }
    });
    let sets = d.stamp_sets.iter().enumerate().map(|(i, name)| {
        let picked = picked.clone();
        html! {
            <button class="btn small" aria-pressed={(i == set).to_string()}
                    onclick={Callback::from(move |_: MouseEvent| picked.set(Some(i as u8)))}>{ *name }</button>
        }
    });
    let zoom_in = {
        let cb = props.on_zoom.clone();
        Callback::from(move |_: MouseEvent| cb.emit(true))
    };
    let zoom_out = {
        let cb = props.on_zoom.clone();
        Callback::from(move |_: MouseEvent| cb.emit(false))
    };
    html! {
        <section class="spacetime" data-testid="spacetime" aria-label="Space-time diagram">
            <div class="panel-head">
                <h3>{ "Space-time diagram" }</h3>
                <span class="muted small">{ format!("{} – {}", format_time(d.from), format_time(d.to)) }</span>
                <span class="spacer" />
                if !d.stamps.is_empty() {
                    <span class="stamp-sets" role="group" aria-label="Event labels" data-testid="stamp-sets">{ for sets }</span>
                }
                <button class="btn small" aria-label="Show a shorter stretch of time" onclick={zoom_in}>{ "+" }</button>
                <button class="btn small" aria-label="Show a longer stretch of time" onclick={zoom_out}>{ "−" }</button>
            </div>
            <svg ref={svg_ref} viewBox={format!("0 0 {} {}", f(width), f(height))} role="img"
                 aria-label={format!("Messages between {} servers over the last {}", d.n_nodes, format_time(d.to - d.from))}>
                { for outages }
                { for lanes }
                { for arrows }
                { for marks }
                { for stamps }
                <path class="mark-timer" d={timer_ticks} />
                <line class="cursor" x1={f(x(d.to))} x2={f(x(d.to))} y1="4" y2={f(height - 4.0)} />
            </svg>
        </section>
    }
}

fn f(v: f64) -> String {
    crate::layout::coord(v)
}
