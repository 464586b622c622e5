//! Faults and direct manipulation: whatever is selected on the canvas decides what can be
//! done to it. Written once; every lab gets it.

use crate::session::{Selection, UiAction};
use failscope_sim::action::Action;
use failscope_sim::client::ClientOp;
use failscope_sim::ids::node_name;
use failscope_sim::time::MS;
use failscope_sim::view::View;
use failscope_sim::world::NodeStatus;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FaultToolbarProps {
    pub selection: Selection,
    /// Status of each node (the only part of the view this toolbar needs).
    pub statuses: Vec<NodeStatus>,
    pub partitioned: bool,
    pub n_keys: u32,
    pub message_kind: Option<String>,
    pub on_action: Callback<UiAction>,
}

impl FaultToolbarProps {
    pub fn statuses_of(view: &View) -> Vec<NodeStatus> {
        view.nodes.iter().map(|n| n.status).collect()
    }
}

fn read_number(node_ref: &NodeRef, default: i64) -> i64 {
    node_ref
        .cast::<HtmlInputElement>()
        .and_then(|i| i.value().trim().parse::<i64>().ok())
        .unwrap_or(default)
}

#[component]
pub fn FaultToolbar(props: &FaultToolbarProps) -> Html {
    let pause_ms = use_node_ref();
    let skew_ms = use_node_ref();
    let op_kind = use_node_ref();
    let op_key = use_node_ref();
    let apply = |action: Action| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(UiAction::Apply(action.clone())))
    };
    let heal = apply(Action::Heal);
    let mut parts: Vec<Html> = Vec::new();

    if let Some(node) = props.selection.node {
        let name = node_name(node);
        let status = props
            .statuses
            .get(usize::from(node))
            .copied()
            .unwrap_or(NodeStatus::Down);
        let down = status == NodeStatus::Down;
        let on_pause = {
            let cb = props.on_action.clone();
            let r = pause_ms.clone();
            Callback::from(move |_: MouseEvent| {
                let ms = read_number(&r, 400).clamp(1, 3_600_000) as u64;
                cb.emit(UiAction::Apply(Action::Pause {
                    node,
                    duration_us: ms * MS,
                }));
            })
        };
        let on_skew = {
            let cb = props.on_action.clone();
            let r = skew_ms.clone();
            Callback::from(move |_: MouseEvent| {
                let ms = read_number(&r, -5_000).clamp(-86_400_000, 86_400_000);
                cb.emit(UiAction::Apply(Action::ClockJump {
                    node,
                    delta_us: ms * 1_000,
                }));
            })
        };
        let n_keys = props.n_keys.max(1);
        let on_request = {
            let cb = props.on_action.clone();
            let (kind, key) = (op_kind.clone(), op_key.clone());
            Callback::from(move |_: MouseEvent| {
                let key = read_number(&key, 0).clamp(0, i64::from(n_keys) - 1) as u16;
                let write = kind
                    .cast::<HtmlSelectElement>()
                    .is_some_and(|s| s.value() == "write");
                // Written values count down from the top so they never collide with the
                // automatic clients' values, which count up.
                let op = if write {
                    ClientOp::Write {
                        key,
                        value: u32::MAX - (js_sys::Math::random() * 1e6) as u32,
                    }
                } else {
                    ClientOp::Read { key }
                };
                cb.emit(UiAction::Apply(Action::ClientRequest { node, op }));
            })
        };
        parts.push(html! {
            <fieldset class="tool-group" data-testid="node-tools">
                <legend>{ format!("{name} ({})", match status { NodeStatus::Up => "up", NodeStatus::Down => "down", NodeStatus::Paused { .. } => "paused" }) }</legend>
                if down {
                    <button class="btn" data-testid="restart-node" onclick={apply(Action::Restart { node })}>{ "Restart" }</button>
                } else {
                    <button class="btn btn-danger" data-testid="crash" onclick={apply(Action::Crash { node })}>{ "Crash" }</button>
                }
                <span class="inline">
                    <button class="btn" data-testid="pause-node" disabled={status != NodeStatus::Up} onclick={on_pause}>{ "Pause for" }</button>
                    <input ref={pause_ms} type="number" ~defaultValue="400" min="1" step="50" aria-label="Pause length in milliseconds" />{ " ms" }
                </span>
                <span class="inline">
                    <button class="btn" data-testid="skew-clock" onclick={on_skew}>{ "Jump clock by" }</button>
                    <input ref={skew_ms} type="number" ~defaultValue="-5000" step="100" aria-label="Clock jump in milliseconds" />{ " ms" }
                </span>
                <span class="inline">
                    <button class="btn" data-testid="client-request" disabled={down} onclick={on_request}>{ "Send client" }</button>
                    <select ref={op_kind} aria-label="Operation">
                        <option value="write">{ "write" }</option>
                        <option value="read">{ "read" }</option>
                    </select>
                    { " key " }
                    <input ref={op_key} type="number" ~defaultValue="0" min="0" max={(n_keys - 1).to_string()} aria-label="Key" class="narrow" />
                </span>
            </fieldset>
        });
    }

    if !props.selection.group.is_empty() {
        let group: Vec<u16> = props.selection.group.iter().copied().collect();
        let names: Vec<String> = group.iter().map(|&n| node_name(n)).collect();
        parts.push(html! {
            <fieldset class="tool-group" data-testid="group-tools">
                <legend>{ format!("Selected: {}", names.join(", ")) }</legend>
                <button class="btn btn-danger" data-testid="partition"
                        onclick={apply(Action::Partition { groups: vec![group] })}>{ "Partition them away" }</button>
            </fieldset>
        });
    }

    if let Some(msg) = props.selection.message {
        parts.push(html! {
            <fieldset class="tool-group" data-testid="message-tools">
                <legend>{ format!("Message #{} {}", msg.0, props.message_kind.clone().unwrap_or_default()) }</legend>
                <button class="btn btn-danger" data-testid="drop-message" onclick={apply(Action::DropMessage { msg })}>{ "Drop" }</button>
                <button class="btn" data-testid="duplicate-message" onclick={apply(Action::DuplicateMessage { msg })}>{ "Duplicate" }</button>
            </fieldset>
        });
    }

    html! {
        <div class="fault-toolbar" role="toolbar" aria-label="Faults">
            if parts.is_empty() {
                <p class="hint muted">{ "Click a server to crash, pause or skew it; shift-click several to partition them; click a message to drop or duplicate it." }</p>
            }
            { for parts }
            <button class="btn" data-testid="heal" disabled={!props.partitioned} onclick={heal}>{ "Heal network" }</button>
        </div>
    }
}
