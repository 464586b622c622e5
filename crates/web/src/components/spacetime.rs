//! The space-time (Lamport) diagram: one lane per server, time flowing right up to the
//! cursor, every message an arrow from its send to its delivery (or its drop), so causality
//! and concurrency can be read off the picture.

use crate::session::{format_time, UiAction};
use crate::shared::Shared;
use failscope_sim::ids::{node_name, MsgId, NodeId};
use failscope_sim::time::Time;
use failscope_sim::trace::{NoteKind, TraceKind};
use failscope_sim::view::View;
use failscope_sim::world::NodeStatus;
use failscope_sim::Simulation;
use std::collections::BTreeMap;
use yew::prelude::*;

/// Most arrows drawn (the newest); beyond this the picture is a smear anyway.
const MAX_ARROWS: usize = 600;

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
}

impl Diagram {
    /// The diagram for the `window_us` before the simulation's cursor.
    pub fn build(sim: &dyn Simulation, view: &View, window_us: Time) -> Diagram {
        let to = sim.now();
        let from = to.saturating_sub(window_us);
        let trace = sim.trace();
        let events = &trace.events()[..sim.trace_position()];
        // Look back further than the window for the sends of messages delivered inside it.
        let start = events.partition_point(|e| e.time < from.saturating_sub(window_us));
        let mut kinds: BTreeMap<MsgId, u8> = BTreeMap::new();
        let mut arrows = Vec::new();
        let mut marks = Vec::new();
        let mut outage_start: BTreeMap<NodeId, Time> = BTreeMap::new();
        let mut outages = Vec::new();
        for e in &events[start..] {
            match &e.kind {
                TraceKind::Send { msg, kind, .. } => {
                    kinds.insert(*msg, *kind);
                }
                TraceKind::Deliver {
                    msg,
                    from: f,
                    to: t,
                    sent_at,
                } if e.time >= from => arrows.push(Arrow {
                    id: *msg,
                    from: *f,
                    to: *t,
                    sent: *sent_at,
                    end: e.time,
                    kind: kinds.get(msg).copied(),
                    fate: Fate::Delivered,
                }),
                TraceKind::Drop {
                    msg,
                    from: f,
                    to: t,
                    sent_at,
                    ..
                } if e.time >= from => arrows.push(Arrow {
                    id: *msg,
                    from: *f,
                    to: *t,
                    sent: *sent_at,
                    end: e.time,
                    kind: kinds.get(msg).copied(),
                    fate: Fate::Dropped,
                }),
                TraceKind::Crash { node } | TraceKind::Pause { node, .. } => {
                    outage_start.insert(*node, e.time);
                    if e.time >= from {
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
                }
                TraceKind::Restart { node } | TraceKind::Resume { node } => {
                    if let Some(s) = outage_start.remove(node) {
                        if e.time >= from {
                            outages.push((*node, s.max(from), e.time));
                        }
                    }
                    if e.time >= from {
                        marks.push(Mark {
                            node: *node,
                            time: e.time,
                            kind: MarkKind::Restart,
                            label: String::new(),
                        });
                    }
                }
                TraceKind::Timer { node, .. } if e.time >= from => marks.push(Mark {
                    node: *node,
                    time: e.time,
                    kind: MarkKind::Timer,
                    label: String::new(),
                }),
                TraceKind::Note {
                    node,
                    kind: NoteKind::Marker,
                    text,
                } if e.time >= from => marks.push(Mark {
                    node: *node,
                    time: e.time,
                    kind: MarkKind::Milestone,
                    label: text.to_string(),
                }),
                TraceKind::Violation { .. } if e.time >= from => marks.push(Mark {
                    node: 0,
                    time: e.time,
                    kind: MarkKind::Violation,
                    label: "violation".into(),
                }),
                _ => {}
            }
        }
        // Servers still down at the cursor: shade from the outage start (or the window start).
        for node in &view.nodes {
            if node.status != NodeStatus::Up {
                let start = outage_start
                    .get(&node.id)
                    .copied()
                    .unwrap_or(from)
                    .max(from);
                outages.push((node.id, start, to));
            }
        }
        for m in &view.messages {
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
        if arrows.len() > MAX_ARROWS {
            arrows.sort_by_key(|a| std::cmp::Reverse(a.sent));
            arrows.truncate(MAX_ARROWS);
        }
        Diagram {
            from,
            to,
            n_nodes: view.nodes.len() as u16,
            arrows,
            marks,
            outages,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    pub diagram: Shared<Diagram>,
    pub on_zoom: Callback<bool>,
    pub on_action: Callback<UiAction>,
}

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;

#[component]
pub fn SpaceTime(props: &SpaceTimeProps) -> Html {
    let d = &props.diagram;
    let n = usize::from(d.n_nodes.max(1));
    let lane = if n > 16 { 10.0 } else { 26.0 };
    let top = 18.0;
    let height = top + lane * n as f64 + 14.0;
    let span = (d.to - d.from).max(1) as f64;
    let x =
        |t: Time| LEFT + (t.saturating_sub(d.from) as f64 / span).min(1.5) * (WIDTH - LEFT - RIGHT);
    let y = |node: NodeId| top + lane * (f64::from(node) + 0.5);
    let lanes = (0..d.n_nodes).map(|node| {
        html! {
            <g class="lane">
                <line x1={f(LEFT)} x2={f(WIDTH - RIGHT)} y1={f(y(node))} y2={f(y(node))} />
                if lane > 12.0 {
                    <text x="4" y={f(y(node) + 4.0)}>{ node_name(node) }</text>
                }
            </g>
        }
    });
    let outages = d.outages.iter().map(|&(node, s, e)| {
        html! { <rect class="outage" x={f(x(s))} y={f(y(node) - lane * 0.4)} width={f((x(e) - x(s)).max(1.0))} height={f(lane * 0.8)} /> }
    });
    let arrows = d.arrows.iter().map(|a| {
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
        let class = classes!(
            "arrow",
            a.kind.map(|k| format!("kind-{k}")),
            match a.fate {
                Fate::Delivered => "delivered",
                Fate::Dropped => "dropped",
                Fate::InFlight => "in-flight",
            }
        );
        let marker = match a.fate {
            Fate::Delivered => "url(#st-head)",
            _ => "",
        };
        html! {
            <g key={a.id.0} class={class}>
                <line x1={f(x1)} y1={f(y1)} x2={f(x2)} y2={f(y2)} marker-end={marker} />
                if a.fate == Fate::Dropped {
                    <path class="drop-x" d={format!("M {} {} l 6 6 m 0 -6 l -6 6", f(x2 - 3.0), f(y2 - 3.0))} />
                }
            </g>
        }
    });
    let marks = d.marks.iter().map(|m| {
        let (cx, cy) = (x(m.time), y(m.node));
        match m.kind {
            MarkKind::Timer => html! { <circle class="mark-timer" cx={f(cx)} cy={f(cy)} r="2.5" /> },
            MarkKind::Crash => html! { <path class="mark-crash" d={format!("M {} {} l 8 8 m 0 -8 l -8 8", f(cx - 4.0), f(cy - 4.0))} /> },
            MarkKind::Pause => html! { <rect class="mark-pause" x={f(cx - 2.0)} y={f(cy - 5.0)} width="4" height="10" /> },
            MarkKind::Restart => html! { <circle class="mark-restart" cx={f(cx)} cy={f(cy)} r="4" /> },
            MarkKind::Milestone => html! {
                <g class="mark-milestone"><circle cx={f(cx)} cy={f(cy)} r="5" /><title>{ m.label.clone() }</title></g>
            },
            MarkKind::Violation => html! { <line class="mark-violation" x1={f(cx)} x2={f(cx)} y1={f(top)} y2={f(height - 14.0)} /> },
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
                <button class="btn small" aria-label="Show a shorter stretch of time" onclick={zoom_in}>{ "+" }</button>
                <button class="btn small" aria-label="Show a longer stretch of time" onclick={zoom_out}>{ "−" }</button>
            </div>
            <svg viewBox={format!("0 0 {WIDTH} {}", f(height))} role="img"
                 aria-label={format!("Messages between {} servers over the last {}", d.n_nodes, format_time(d.to - d.from))}>
                <defs>
                    <marker id="st-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="st-head" />
                    </marker>
                </defs>
                { for outages }
                { for lanes }
                { for arrows }
                { for marks }
                <line class="cursor" x1={f(x(d.to))} x2={f(x(d.to))} y1="4" y2={f(height - 4.0)} />
            </svg>
        </section>
    }
}

fn f(v: f64) -> String {
    format!("{v:.1}")
}
