//! The inspector: everything about the selected server (state, timers, clocks, log) or the
//! selected message (route, timing, content).

use crate::session::format_time;
use crate::shared::Shared;
use failscope_sim::ids::{node_name, MsgId, NodeId};
use failscope_sim::time::format_duration;
use failscope_sim::view::View;
use failscope_sim::world::NodeStatus;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub view: Shared<View>,
    pub node: Option<NodeId>,
    pub message: Option<MsgId>,
    pub message_text: Option<String>,
    pub message_kinds: &'static [&'static str],
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let view = &props.view;
    let now = view.time;
    if let Some(m) = props
        .message
        .and_then(|id| view.messages.iter().find(|m| m.id == id))
    {
        let kind = props
            .message_kinds
            .get(usize::from(m.kind))
            .copied()
            .unwrap_or("message");
        return html! {
            <section class="inspector" data-testid="inspector" aria-label="Message details">
                <h3>{ format!("{kind} #{}", m.id.0) }</h3>
                <dl>
                    <dt>{ "route" }</dt><dd>{ format!("{} → {}", node_name(m.from), node_name(m.to)) }</dd>
                    <dt>{ "sent" }</dt><dd>{ format_time(m.sent_at) }</dd>
                    <dt>{ "arrives" }</dt><dd>{ format!("{} (in {})", format_time(m.deliver_at), format_duration(m.deliver_at.saturating_sub(now))) }</dd>
                    <dt>{ "content" }</dt><dd data-testid="message-content">{ props.message_text.clone().unwrap_or_default() }</dd>
                </dl>
            </section>
        };
    }
    let Some(node) = props.node.and_then(|id| view.nodes.get(usize::from(id))) else {
        return html! {
            <section class="inspector" data-testid="inspector">
                <p class="muted">{ "Select a server or a message to inspect it." }</p>
            </section>
        };
    };
    let status = match node.status {
        NodeStatus::Up => "up".to_string(),
        NodeStatus::Down => "crashed".to_string(),
        NodeStatus::Paused { until } => format!("paused until {}", format_time(until)),
    };
    let clock = node.clock;
    html! {
        <section class="inspector" data-testid="inspector" aria-label={format!("{} details", node.name)}>
            <h3>{ format!("{} — {}", node.name, node.state.role) }</h3>
            <dl>
                <dt>{ "status" }</dt><dd data-testid="field-status">{ status }</dd>
                { for node.state.fields.iter().map(|(k, v)| html! {
                    <><dt>{ k }</dt><dd data-testid={format!("field-{k}")}>{ v }</dd></>
                }) }
                { for node.timers.iter().map(|t| html! {
                    <><dt>{ t.name }</dt><dd>{ format!("fires in {}", format_duration(t.deadline.saturating_sub(now))) }</dd></>
                }) }
                <dt>{ "wall clock" }</dt>
                <dd>{ format!("{} ({}{} from true time{})",
                    format_time(clock.wall_us.max(0) as u64),
                    if clock.offset_us < 0 { "−" } else { "+" },
                    format_duration(clock.offset_us.unsigned_abs()),
                    if clock.drift_ppm != 0 { format!(", drifting {:+} ppm", clock.drift_ppm) } else { String::new() }) }</dd>
            </dl>
        </section>
    }
}
