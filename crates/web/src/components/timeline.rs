//! The timeline: a scrubber over simulated time with markers for faults, key protocol
//! moments and invariant violations. Dragging it rewinds exactly (the engine seeks).

use crate::components::frozen::Frozen;
use crate::decimal::fixed;
use crate::session::{format_time, Marker, UiAction};
use crate::shared::Shared;
use failscope_sim::time::Time;
use failscope_sim::trace::MarkerKind;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub now: Time,
    pub end: Time,
    pub markers: Shared<Vec<Marker>>,
    pub on_action: Callback<UiAction>,
    /// The start and end marked for a window of the run (see `Session::marks`).
    #[prop_or_default]
    pub marks: (Option<Time>, Option<Time>),
}

/// Most markers drawn (the rest would overlap anyway).
const MAX_MARKERS: usize = 400;

#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let on_input = {
        let cb = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            // The browser's own number, not Rust's float parser (which costs every page).
            let t = input.value_as_number();
            if t.is_finite() {
                cb.emit(UiAction::Seek(t.max(0.0) as Time));
            }
        })
    };
    let end = props.end.max(1) as f64;
    // Keys move the cursor by a hundredth (arrows) or a tenth (page keys) of the timeline;
    // the slider itself is continuous (step "any"), so any moment can be reached exactly.
    let on_key = {
        let cb = props.on_action.clone();
        let (now, total) = (props.now, props.end.max(1));
        Callback::from(move |e: KeyboardEvent| {
            let (small, big) = ((total / 100).max(1), (total / 10).max(1));
            let target = match e.key().as_str() {
                "ArrowLeft" | "ArrowDown" => now.saturating_sub(small),
                "ArrowRight" | "ArrowUp" => (now + small).min(total),
                "PageDown" => now.saturating_sub(big),
                "PageUp" => (now + big).min(total),
                "Home" => 0,
                "End" => total,
                _ => return,
            };
            e.prevent_default();
            cb.emit(UiAction::Seek(target));
        })
    };
    let percent = |t: Time| fixed((t as f64 / end * 100.0).min(100.0), 3);
    // The marked window: a band between the marks, or a tick at a lone mark.
    let window = match props.marks {
        (Some(from), Some(to)) if from < to => html! {
            <div class="timeline-window" data-testid="timeline-window"
                 data-from={from.to_string()} data-to={to.to_string()}
                 style={format!("left: {}%; width: {}%", percent(from), fixed((to - from) as f64 / end * 100.0, 3))}
                 title={format!("Marked window: {} to {}", format_time(from), format_time(to))} />
        },
        (Some(at), _) | (_, Some(at)) => html! {
            <div class="timeline-window lone" data-testid="timeline-window" style={format!("left: {}%", percent(at))}
                 title={format!("Marked {}", format_time(at))} />
        },
        _ => html! {},
    };
    let act = |action: UiAction| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(action.clone()))
    };
    let marked = props.marks != (None, None);
    html! {
        <div class="timeline" data-testid="timeline">
            <div class="markers" role="group" aria-label="Timeline markers">
                { window }
                <Frozen version={markers_version(&props.markers, props.end)}>{ markers(props) }</Frozen>
            </div>
            <input type="range" class="scrubber" data-testid="scrubber" aria-label="Simulated time"
                   aria-valuetext={format_time(props.now)}
                   min="0" max={props.end.to_string()} step="any" value={props.now.to_string()}
                   oninput={on_input} onkeydown={on_key} />
            <div class="timeline-foot">
                <div class="legend-row muted">
                    <span><i class="swatch marker-fault" />{ "faults" }</span>
                    <span><i class="swatch marker-milestone" />{ "milestones" }</span>
                    <span><i class="swatch marker-violation" />{ "invariant violations" }</span>
                </div>
                <span class="timeline-marks">
                    <button class="btn btn-small" data-testid="mark-from" onclick={act(UiAction::MarkFrom)}
                            title="Mark the start of a window here (key i): what Share → Embed shows">{ "Mark start" }</button>
                    <button class="btn btn-small" data-testid="mark-to" onclick={act(UiAction::MarkTo)}
                            title="Mark the end of a window here (key o)">{ "Mark end" }</button>
                    if marked {
                        <button class="btn btn-small" data-testid="clear-marks" onclick={act(UiAction::ClearMarks)}>{ "Clear" }</button>
                    }
                </span>
            </div>
        </div>
    }
}

/// What the markers depend on: the cursor moves every frame while a run plays, and hundreds of
/// marker buttons need redrawing only when a marker comes or goes or the end moves. (The list
/// only grows, except after a fork, which changes its newest marker.)
fn markers_version(markers: &[Marker], end: Time) -> u64 {
    let newest = markers
        .last()
        .map_or(0, |m| m.time ^ ((m.kind as u64) << 62));
    (markers.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ end.rotate_left(20) ^ newest
}

/// The markers, newest first (at most `MAX_MARKERS`).
fn markers(props: &TimelineProps) -> Html {
    let end = props.end.max(1) as f64;
    props
        .markers
        .iter()
        .rev()
        .take(MAX_MARKERS)
        .map(|m| {
            let left = (m.time as f64 / end * 100.0).min(100.0);
            let class = match m.kind {
                MarkerKind::Fault => "marker marker-fault",
                MarkerKind::Milestone => "marker marker-milestone",
                MarkerKind::Violation => "marker marker-violation",
            };
            let cb = props.on_action.clone();
            let time = m.time;
            html! {
                <button class={class} style={format!("left: {}%", fixed(left, 3))} data-testid="timeline-marker"
                        title={format!("{}: {}", format_time(m.time), m.label)} aria-label={format!("Jump to {}: {}", format_time(m.time), m.label)}
                        onclick={Callback::from(move |_: MouseEvent| cb.emit(UiAction::Seek(time)))} />
            }
        })
        .collect()
}
