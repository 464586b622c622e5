//! The challenges panel: the lab's challenges as a checklist that ticks when the run
//! achieves one (at the moment its check reports it), with the reason an impossible one is
//! impossible and the deliberate bug, if any, that makes it possible. And a live region that
//! tells screen readers when one ticks, whichever tab is open.

use crate::session::{format_time, UiAction};
use failscope_sim::challenge::{ChallengeReport, Possibility};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct ChallengesProps {
    pub reports: Vec<ChallengeReport>,
    /// The lab's "Deliberate bug" choice in force, if one is on.
    #[prop_or_default]
    pub bug: Option<&'static str>,
    #[prop_or_default]
    pub on_action: Callback<UiAction>,
}

// Not shown when a page opens: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub CHALLENGES: ChallengesProps => Challenges, challenges_panel, "the Challenges tab");

#[component]
pub fn Challenges(props: &ChallengesProps) -> Html {
    if props.reports.is_empty() {
        return html! { <p class="muted" data-testid="challenges">{ "This lab sets no challenges." }</p> };
    }
    let done = props
        .reports
        .iter()
        .filter(|r| r.achieved.is_some())
        .count();
    html! {
        <section class="challenges" data-testid="challenges" aria-label="Challenges">
            <p class="muted" data-testid="challenges-summary">
                { format!("{done} of {} achieved in this run. Each ticks the moment the lab's checker sees it happen.", props.reports.len()) }
            </p>
            <ul class="challenge-list">
                { for props.reports.iter().map(|r| item(r, props.bug, &props.on_action)) }
            </ul>
        </section>
    }
}

fn item(r: &ChallengeReport, bug_on: Option<&'static str>, on_action: &Callback<UiAction>) -> Html {
    let id = r.spec.id;
    let (state, icon, spoken) = match (&r.achieved, r.spec.possible) {
        _ if !r.applies => ("elsewhere", "–", "about another mode of this lab"),
        (Some(_), _) => ("achieved", "✓", "achieved"),
        (None, Possibility::Possible) => ("open", "○", "not yet achieved"),
        (None, Possibility::Impossible { .. }) => ("impossible", "⊘", "impossible by design"),
    };
    let achieved = r.achieved.as_ref().map(|a| {
        let (time, cb) = (a.time, on_action.clone());
        html! {
            <>
                <p class="achieved" data-testid={format!("challenge-achieved-{id}")}>
                    { format!("Achieved at {}: {}", format_time(a.time), a.detail) }
                </p>
                <button class="btn small" data-testid={format!("challenge-show-{id}")}
                        aria-label={format!("Show the moment: {}", format_time(time))}
                        onclick={Callback::from(move |_: MouseEvent| cb.emit(UiAction::Seek(time)))}>
                    { "Show me" }
                </button>
            </>
        }
    });
    let elsewhere = r.spec.only_when.filter(|_| !r.applies).map(|mode| {
        html! {
            <p class="muted" data-testid={format!("challenge-elsewhere-{id}")}>
                { format!("About {}: this run is in another mode, so it does not count here.", mode.name) }
            </p>
        }
    });
    let possibility = match r.spec.possible {
        Possibility::Possible => html! {},
        Possibility::Impossible { why, unless_bug } => html! {
            <>
                <p class="muted why" data-testid={format!("challenge-why-{id}")}>{ format!("Impossible by design: {why}") }</p>
                if let Some(bug) = unless_bug {
                    <p class="muted" data-testid={format!("challenge-bug-{id}")}>
                        { format!("Only with a deliberate bug: “{bug}” (Parameters → Deliberate bug).") }
                    </p>
                    if bug_on == Some(bug) {
                        <p class="bug-on">{ "That bug is on in this run." }</p>
                    }
                }
            </>
        },
    };
    html! {
        <li class={format!("challenge challenge-{state}")} data-testid={format!("challenge-{id}")} data-state={state}>
            <span class="icon" aria-hidden="true">{ icon }</span>
            <div>
                <strong>{ r.spec.sentence }</strong>
                <span class="sr-only">{ format!(" ({spoken})") }</span>
                { for achieved }
                { for elsewhere }
                if r.achieved.is_none() {
                    <p class="muted hint">{ r.spec.hint }</p>
                }
                { possibility }
                <p class="muted">{ format!("Checked by: {}.", r.property) }</p>
            </div>
        </li>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChallengeAnnouncerProps {
    pub reports: Vec<ChallengeReport>,
}

/// A polite live region saying "Challenge achieved: …" when a challenge ticks. Challenges
/// already achieved when it first renders (an opened link) are not announced.
#[component]
pub fn ChallengeAnnouncer(props: &ChallengeAnnouncerProps) -> Html {
    // (id, achieved) at the last render, and the latest announcement.
    let seen = use_mut_ref(|| None::<Vec<(&'static str, bool)>>);
    let text = use_mut_ref(String::new);
    let now: Vec<(&'static str, bool)> = props
        .reports
        .iter()
        .map(|r| (r.spec.id, r.achieved.is_some()))
        .collect();
    {
        let mut seen = seen.borrow_mut();
        if let Some(before) = seen.as_ref() {
            let ticked: Vec<&str> = props
                .reports
                .iter()
                .filter(|r| {
                    r.achieved.is_some() && before.iter().any(|&(id, was)| id == r.spec.id && !was)
                })
                .map(|r| r.spec.sentence)
                .collect();
            if !ticked.is_empty() {
                *text.borrow_mut() = format!("Challenge achieved: {}", ticked.join(" "));
            }
        }
        *seen = Some(now);
    }
    let text = text.borrow().clone();
    html! {
        <div class="sr-only" role="status" aria-live="polite" data-testid="challenge-live">{ text }</div>
    }
}
