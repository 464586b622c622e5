//! The event log: what happened up to the cursor, newest first, filterable by category.
//! Clicking a line moves the cursor there.

use crate::session::{format_time, UiAction};
use failscope_sim::time::Time;
use failscope_sim::trace::{TraceEvent, TraceKind};
use yew::prelude::*;

/// Categories people filter by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Messages,
    Timers,
    Faults,
    Protocol,
    Clients,
}

pub const CATEGORIES: &[(Category, &str)] = &[
    (Category::Protocol, "protocol"),
    (Category::Faults, "faults"),
    (Category::Clients, "clients"),
    (Category::Timers, "timers"),
    (Category::Messages, "messages"),
];

pub fn category(event: &TraceEvent) -> Category {
    match &event.kind {
        TraceKind::Send { .. }
        | TraceKind::Deliver { .. }
        | TraceKind::Drop { .. }
        | TraceKind::Duplicate { .. } => Category::Messages,
        TraceKind::Timer { .. } => Category::Timers,
        TraceKind::ClientInvoke { .. } | TraceKind::ClientReturn { .. } => Category::Clients,
        TraceKind::Note { .. } | TraceKind::Violation { .. } => Category::Protocol,
        _ => Category::Faults,
    }
}

/// One line of the log, prepared by the page (which has the trace).
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub index: usize,
    pub time: Time,
    pub category: Category,
    pub text: String,
}

#[derive(Properties, PartialEq, Clone)]
pub struct EventLogProps {
    pub lines: Vec<LogLine>,
    pub enabled: Vec<Category>,
    pub on_toggle: Callback<Category>,
    pub on_action: Callback<UiAction>,
}

// Not shown when a page opens: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub EVENT_LOG: EventLogProps => EventLog, event_log, "the event log");

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let filters = CATEGORIES.iter().map(|&(cat, label)| {
        let on_toggle = props.on_toggle.clone();
        let checked = props.enabled.contains(&cat);
        html! {
            <label class="filter">
                <input type="checkbox" checked={checked} data-testid={format!("filter-{label}")}
                       onchange={Callback::from(move |_: Event| on_toggle.emit(cat))} />{ label }
            </label>
        }
    });
    html! {
        <section class="event-log" data-testid="event-log" aria-label="Event log">
            <div class="filters">{ for filters }</div>
            <ol class="log-lines" reversed=true>
                { for props.lines.iter().map(|line| {
                    let cb = props.on_action.clone();
                    let time = line.time;
                    html! {
                        <li key={line.index} class={format!("cat-{:?}", line.category).to_ascii_lowercase()}>
                            <button class="linklike" onclick={Callback::from(move |_: MouseEvent| cb.emit(UiAction::Seek(time)))}>
                                <time>{ format_time(line.time) }</time>
                            </button>
                            <span>{ &line.text }</span>
                        </li>
                    }
                }) }
            </ol>
            if props.lines.is_empty() {
                <p class="muted">{ "Nothing yet: press play." }</p>
            }
        </section>
    }
}
