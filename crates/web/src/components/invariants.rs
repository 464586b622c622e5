//! The invariant panel: each safety property green or red, each liveness observation grey
//! until seen, each anomaly (a stale read, a lost write) neutral until it happens, then
//! amber. A violation links to the moment it first happened.

use crate::components::hunt::Hunt;
use crate::session::{format_time, UiAction};
use failscope_sim::invariant::{InvariantReport, Modality};
use failscope_sim::scenario::Scenario;
use failscope_sim::time::Time;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct InvariantsProps {
    pub reports: Vec<InvariantReport>,
    pub on_action: Callback<UiAction>,
    /// The settings a hunt searches with, and how long it runs each seed.
    pub scenario: Scenario,
    pub hunt_until: Time,
}

// Not shown when a page opens: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub INVARIANTS: InvariantsProps => Invariants, invariants_panel, "the Invariants tab");

#[component]
pub fn Invariants(props: &InvariantsProps) -> Html {
    if props.reports.is_empty() {
        return html! { <p class="muted">{ "This lab checks no invariants." }</p> };
    }
    html! {
        <>
        <ul class="invariants" data-testid="invariants">
            { for props.reports.iter().enumerate().map(|(i, r)| {
                let (state, icon) = match (r.spec.modality, r.ok()) {
                    (Modality::Always, true) => ("holds", "✓"),
                    (Modality::Always, false) => ("violated", "✗"),
                    (Modality::Sometimes, true) => ("seen", "✓"),
                    (Modality::Sometimes, false) => ("not yet", "…"),
                    (Modality::Anomaly, _) if r.status.observed.is_some() => ("happened", "!"),
                    (Modality::Anomaly, _) => ("not seen", "·"),
                };
                let cb = props.on_action.clone();
                html! {
                    <li class={format!("invariant invariant-{}", state.replace(' ', "-"))} data-testid={format!("invariant-{i}")} data-state={state}>
                        <span class="icon" aria-hidden="true">{ icon }</span>
                        <div>
                            <strong>{ r.spec.name }</strong>
                            <span class="sr-only">{ format!(": {state}") }</span>
                            <p class="muted">{ r.spec.description }</p>
                            if let Some(v) = &r.status.first_violation {
                                <p class="violation-detail">{ format!("First violated at {}: {}", format_time(v.time), v.detail) }</p>
                                <button class="btn btn-danger" data-testid={format!("jump-violation-{i}")}
                                        onclick={Callback::from(move |_: MouseEvent| cb.emit(UiAction::JumpToViolation(i)))}>
                                    { "Show me" }
                                </button>
                            }
                            if let Some(t) = r.status.observed_at() {
                                <p class="muted">{ format!("Seen at {}", format_time(t)) }</p>
                            }
                        </div>
                    </li>
                }
            }) }
        </ul>
        <Hunt scenario={props.scenario.clone()} until={props.hunt_until} />
        </>
    }
}
