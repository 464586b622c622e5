//! The main picture: nodes on a circle coloured by role, election-timer arcs, messages as
//! dots flying along the links, dropped messages falling away, partitions as cut links.

use super::message_layer::MessageLayer;
use crate::browser;
use crate::layout::{self, Point};
use crate::session::{Highlight, Selection};
use crate::shared::Shared;
use failscope_sim::ids::{MsgId, NodeId};
use failscope_sim::protocol::Tone;
use failscope_sim::time::Time;
use failscope_sim::view::{NodeView, View};
use failscope_sim::world::NodeStatus;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A message that was dropped recently, drawn falling away from where it vanished.
#[derive(Clone, Debug, PartialEq)]
pub struct Fallen {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: Option<u8>,
    /// How far into its fall it is, 0..1.
    pub age: f64,
}

#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    pub view: Shared<View>,
    pub fallen: Shared<Vec<Fallen>>,
    pub selection: Selection,
    pub highlight: Option<Highlight>,
    pub message_kinds: &'static [&'static str],
    pub reduced_motion: bool,
    /// The `<g>` the page's [`MessageLayer`] draws messages into.
    pub messages_ref: NodeRef,
    pub on_node: Callback<(NodeId, bool)>,
    pub on_message: Callback<MsgId>,
    /// A click on the canvas away from any element, at this point (the page selects the
    /// nearest painted message, or clears the selection).
    pub on_point: Callback<Point>,
    /// The canvas the message layer paints crowds of messages on.
    pub canvas_ref: NodeRef,
}

pub fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Idle => "tone-idle",
        Tone::Primary => "tone-primary",
        Tone::Secondary => "tone-secondary",
        Tone::Candidate => "tone-candidate",
        Tone::Suspect => "tone-suspect",
        Tone::Faulty => "tone-faulty",
    }
}

fn status_name(status: NodeStatus) -> &'static str {
    match status {
        NodeStatus::Up => "up",
        NodeStatus::Down => "down",
        NodeStatus::Paused { .. } => "paused",
    }
}

#[component]
pub fn Topology(props: &TopologyProps) -> Html {
    let view = &props.view;
    let n = view.nodes.len();
    let positions = layout::circle(n);
    let radius = layout::node_radius(n);
    let now = view.time;
    // Labels are laid out for the size the canvas is drawn at (see `layout::node_labels`).
    let svg_ref = use_node_ref();
    let scale = use_state_eq(|| 0.0f64);
    {
        let svg_ref = svg_ref.clone();
        let scale = scale.setter();
        use_effect_with((), move |_| {
            let fit = |w: f64, h: f64| (w / layout::WIDTH).min(h / layout::HEIGHT);
            let watcher = svg_ref.cast::<web_sys::Element>().and_then(|svg| {
                scale.set(fit(
                    f64::from(svg.client_width()),
                    f64::from(svg.client_height()),
                ));
                browser::OnResize::observe(&svg, move |w, h| scale.set(fit(w, h)))
            });
            move || drop(watcher)
        });
    }
    let scale = *scale;
    // A click on empty canvas may be aimed at a painted message: the page finds the nearest.
    let on_background = {
        let on_point = props.on_point.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(p) = MessageLayer::canvas_point(&e) {
                on_point.emit(p);
            }
        })
    };
    let edges = edges(view, &positions);
    let nodes: Html = view
        .nodes
        .iter()
        .map(|node| {
            let at = positions[usize::from(node.id)];
            render_node(props, node, at, radius, now, scale)
        })
        .collect();
    let dot = if n > 20 { 4.0 } else { 7.0 };
    // Messages are drawn into `messages_ref` by the page's message layer, not by Yew.
    let on_layer_click = {
        let on_message = props.on_message.clone();
        let on_point = props.on_point.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            match MessageLayer::message_at(&e) {
                Some(id) => on_message.emit(id),
                None => {
                    if let Some(p) = MessageLayer::canvas_point(&e) {
                        on_point.emit(p);
                    }
                }
            }
        })
    };
    let fallen: Html = props
        .fallen
        .iter()
        .map(|f| {
            let (from, to) = (positions[usize::from(f.from)], positions[usize::from(f.to)]);
            let base = layout::message_point(from, to, 1.0, radius);
            let drop_by = if props.reduced_motion {
                0.0
            } else {
                60.0 * f.age
            };
            let class = classes!("msg-fallen", f.kind.map(|k| format!("kind-{k}")));
            let opacity = if props.reduced_motion {
                0.8
            } else {
                1.0 - f.age
            };
            html! {
                <g key={f.id.0} class={class} opacity={fmt(opacity)}
                   transform={format!("translate({} {})", fmt(base.x), fmt(base.y + drop_by))}>
                    <circle r={fmt(dot)} />
                    <path class="fallen-x" d="M -5 -5 L 5 5 M 5 -5 L -5 5" />
                </g>
            }
        })
        .collect();
    html! {
        <div class="canvas-box">
        <svg class="canvas" data-testid="canvas" ref={svg_ref} role="group" aria-label="Cluster topology: servers and messages in flight"
             viewBox={format!("0 0 {} {}", fmt(layout::WIDTH), fmt(layout::HEIGHT))} preserveAspectRatio="xMidYMid meet">
            <rect class="canvas-bg" x="0" y="0" width={fmt(layout::WIDTH)} height={fmt(layout::HEIGHT)} onclick={on_background} />
            <g class="edges">{ edges }</g>
            <g class="nodes">{ nodes }</g>
            <g class="messages" ref={props.messages_ref.clone()} onclick={on_layer_click} />
            <g class="fallen">{ fallen }</g>
        </svg>
        <canvas class="msg-canvas" ref={props.canvas_ref.clone()} data-testid="message-canvas" aria-hidden="true" />
        </div>
    }
}

fn edges(view: &View, positions: &[Point]) -> Html {
    let n = view.nodes.len();
    let net = &view.network;
    let mut lines = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            let (na, nb) = (a as NodeId, b as NodeId);
            let blocked_ab = !net.can_reach(na, nb);
            let blocked_ba = !net.can_reach(nb, na);
            let clogged = net.clogs.contains(&(na, nb)) || net.clogs.contains(&(nb, na));
            if n > 20 && !blocked_ab && !blocked_ba && !clogged {
                continue; // too many links to draw; only trouble is shown
            }
            let class = match (blocked_ab, blocked_ba, clogged) {
                (true, true, _) => "edge edge-cut",
                (true, false, _) | (false, true, _) => "edge edge-oneway",
                (false, false, true) => "edge edge-clogged",
                _ => "edge",
            };
            let (pa, pb) = (positions[a], positions[b]);
            lines.push(html! {
                <line key={format!("{a}-{b}")} class={class} x1={fmt(pa.x)} y1={fmt(pa.y)} x2={fmt(pb.x)} y2={fmt(pb.y)}
                      data-testid={if blocked_ab || blocked_ba { format!("cut-{}-{}", a + 1, b + 1) } else { String::new() }} />
            });
        }
    }
    lines.into_iter().collect()
}

fn render_node(
    props: &TopologyProps,
    node: &NodeView,
    at: Point,
    radius: f64,
    now: Time,
    scale: f64,
) -> Html {
    let id = node.id;
    let selected = props.selection.node == Some(id);
    let grouped = props.selection.group.contains(&id);
    let highlighted = props
        .highlight
        .as_ref()
        .is_some_and(|h| h.nodes.contains(&id));
    let group = props
        .view
        .network
        .groups
        .get(usize::from(id))
        .copied()
        .unwrap_or(0);
    let on_node = props.on_node.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        on_node.emit((id, e.shift_key() || e.ctrl_key() || e.meta_key()));
    });
    // A shift-click must not also select the page's text.
    let onmousedown = Callback::from(|e: MouseEvent| {
        if e.shift_key() {
            e.prevent_default();
        }
    });
    let on_node = props.on_node.clone();
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            e.prevent_default();
            on_node.emit((id, e.shift_key()));
            if !e.shift_key() {
                focus_node_tools();
            }
        }
    });
    let status = status_name(node.status);
    let class = classes!(
        "node",
        tone_class(node.state.tone),
        format!("status-{status}"),
        selected.then_some("selected"),
        grouped.then_some("grouped"),
        highlighted.then_some("highlighted"),
    );
    // The first timer (the election timeout, for Raft) as an arc that empties as it runs.
    // (Not drawn for crowds of small nodes, where arcs would be clutter.)
    let arc = node.timers.first().filter(|_| node.status == NodeStatus::Up && radius >= 20.0).map(|t| {
        let r = radius + 7.0;
        let circumference = std::f64::consts::TAU * r;
        let used = f64::from(t.progress_permille(now)) / 1000.0;
        html! {
            <circle class="timer-arc" r={fmt(r)} stroke-dasharray={fmt(circumference)}
                    stroke-dashoffset={fmt(circumference * used)} transform="rotate(-90)">
                <title>{ format!("{} fires in {}", t.name, failscope_sim::time::format_duration(t.deadline.saturating_sub(now))) }</title>
            </circle>
        }
    });
    let label = format!(
        "{}, {}, {}{}",
        node.name,
        status,
        node.state.role,
        if node.state.headline.is_empty() {
            String::new()
        } else {
            format!(", {}", node.state.headline)
        }
    );
    let labels = layout::node_labels(
        props.view.nodes.len(),
        usize::from(id),
        scale,
        &node.name,
        &node.state.headline,
        &node.state.role,
    );
    let unit = labels.unit;
    let name = labels.name_size.map(|size| {
        html! { <text class="node-name" y={fmt(size * 0.35)} style={format!("font-size:{}px", fmt(size))}>{ &node.name }</text> }
    });
    let lines = labels.lines.iter().map(|(text, size, at)| {
        html! {
            <text class="node-label" x={fmt(at.x)} y={fmt(at.y)} style={format!("font-size:{}px", fmt(*size))}>{ text }</text>
        }
    });
    html! {
        <g key={id} class={class} transform={format!("translate({} {})", fmt(at.x), fmt(at.y))}
           data-testid={format!("node-{}", node.name)} data-role={node.state.role.clone()} data-status={status}
           data-headline={node.state.headline.clone()} data-group={group.to_string()}
           role="button" tabindex="0" aria-label={label.clone()} aria-pressed={selected.to_string()}
           onclick={onclick} {onmousedown} onkeydown={onkeydown}>
            <title>{ label }</title>
            if group != 0 {
                <circle class={format!("group-halo group-{}", group % 6)} r={fmt(radius + 15.0)} />
            }
            { for arc }
            <circle class="node-body" r={fmt(radius)} />
            if node.status == NodeStatus::Down {
                <path class="node-x" d={format!("M {a} {a} L {b} {b} M {b} {a} L {a} {b}", a = fmt(-radius * 0.5), b = fmt(radius * 0.5))} />
            }
            if matches!(node.status, NodeStatus::Paused { .. }) {
                <text class="node-glyph" y={fmt(-radius - 6.0 * unit)} style={format!("font-size:{}px", fmt(12.0 * unit))}>{ "❚❚ paused" }</text>
            }
            { name }
            { for lines }
        </g>
    }
}

/// A server chosen with the keyboard: its actions (crash, pause...) take the focus once they
/// are drawn, so that they are no Tab presses away (Escape clears the selection).
fn focus_node_tools() {
    yew::platform::spawn_local(async {
        gloo::timers::future::TimeoutFuture::new(0).await;
        let first = gloo::utils::document()
            .query_selector("[data-testid=node-tools] button:not([disabled])")
            .ok()
            .flatten();
        if let Some(button) = first.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = button.focus();
        }
    });
}

/// Coordinates with one decimal: enough for the screen, short in the DOM.
fn fmt(v: f64) -> String {
    layout::coord(v)
}
