//! Playback controls: play/pause, step, step to the next delivery, speed, seed and restart.

use crate::session::{format_time, UiAction, SPEEDS};
use failscope_sim::time::Time;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub playing: bool,
    pub speed: usize,
    pub now: Time,
    pub end: Time,
    pub seed: u64,
    pub on_action: Callback<UiAction>,
    /// Restart the scenario with this seed.
    pub on_restart: Callback<u64>,
    /// Restart with a fresh random seed.
    pub on_new_seed: Callback<()>,
    #[prop_or(false)]
    pub compact: bool,
    /// Only play/pause and the clock (an embed's `controls=minimal`).
    #[prop_or(false)]
    pub minimal: bool,
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let act = |action: UiAction| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(action.clone()))
    };
    let on_speed = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(index) = input.value().parse::<usize>() {
                cb.emit(UiAction::SetSpeed(index));
            }
        })
    };
    let seed_ref = use_node_ref();
    let on_restart = {
        let cb = props.on_restart.clone();
        let seed_ref = seed_ref.clone();
        let current = props.seed;
        Callback::from(move |_: MouseEvent| {
            let typed = seed_ref
                .cast::<HtmlInputElement>()
                .and_then(|i| i.value().trim().parse::<u64>().ok());
            cb.emit(typed.unwrap_or(current));
        })
    };
    let on_new_seed = {
        let cb = props.on_new_seed.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let (play_label, play_icon) = if props.playing {
        ("Pause (space)", "❚❚")
    } else {
        ("Play (space)", "▶")
    };
    html! {
        <div class={classes!("controls", props.compact.then_some("compact"))} role="toolbar" aria-label="Playback">
            <button class="btn btn-primary" data-testid="play-pause" aria-label={play_label} title={play_label}
                    aria-pressed={props.playing.to_string()} onclick={act(UiAction::TogglePlay)}>{ play_icon }</button>
            if !props.minimal {
                <button class="btn" data-testid="step-back" aria-label="Step back one event (←)" title="Step back one event (←)"
                        onclick={act(UiAction::StepBack)}>{ "◀ Back" }</button>
                <button class="btn" data-testid="step" aria-label="Step one event (→)" title="Step one event (→)"
                        onclick={act(UiAction::Step)}>{ "Step ▶" }</button>
            }
            if !props.compact {
                <button class="btn" data-testid="step-delivery" title="Run to the next message delivery"
                        onclick={act(UiAction::StepDelivery)}>{ "Next delivery ▶▶" }</button>
            }
            if !props.minimal {
                <label class="speed">
                    <span>{ "Speed" }</span>
                    <select data-testid="speed" aria-label="Playback speed ([ slower, ] faster)" onchange={on_speed}>
                        { for SPEEDS.iter().enumerate().map(|(i, (_, label))| html! {
                            <option value={i.to_string()} selected={i == props.speed}>{ *label }</option>
                        }) }
                    </select>
                </label>
            }
            <span class="clock" data-testid="sim-time" data-us={props.now.to_string()} aria-live="off">
                { format_time(props.now) }<span class="muted">{ format!(" / {}", format_time(props.end)) }</span>
            </span>
            if !props.compact {
                <span class="seed">
                    <label for="seed-input">{ "Seed" }</label>
                    <input id="seed-input" ref={seed_ref} data-testid="seed" type="text" inputmode="numeric"
                           key={props.seed.to_string()} ~defaultValue={props.seed.to_string()} size="8" aria-label="Random seed" />
                    <button class="btn" data-testid="restart" title="Restart from the beginning with this seed" onclick={on_restart}>{ "Restart" }</button>
                    <button class="btn" data-testid="new-seed" title="Restart with a new random seed" onclick={on_new_seed}>{ "New seed" }</button>
                </span>
            }
        </div>
    }
}
