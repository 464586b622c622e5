//! The hunt, under the Invariants tab: the current settings over many seeds, each with a
//! swarm fault schedule (`failscope_sim::hunt`), a few seeds per slice between frames with a
//! progress bar and a stop button. Each run that broke a check is listed with its seed, the
//! check, the moment and what happened, as a share link that opens the run paused there.
//!
//! It runs on the page's thread, in slices of about one frame, rather than in a Web Worker:
//! a worker would download and start a second copy of the engine and the lab (over 100 KB
//! gzip), more than the whole of most labs, for a search people run now and then.

use crate::browser;
use crate::components::job::use_job;
use failscope_sim::hunt::{hunt_seed, Finding};
use failscope_sim::link::{self, SharedRun, ViewOptions};
use failscope_sim::scenario::Scenario;
use failscope_sim::time::Time;
use std::rc::Rc;
use yew::prelude::*;

/// Seeds per hunt.
pub const SEEDS: u64 = 1_000;
/// Simulation per slice before yielding to the browser, in milliseconds of wall time.
const SLICE_MS: f64 = 12.0;
/// Findings listed (the hunt goes on counting after this many).
const LISTED: usize = 20;

#[derive(Properties, PartialEq, Clone)]
pub struct HuntProps {
    /// The settings to hunt with (the current run's scenario).
    pub scenario: Scenario,
    /// How long each seed runs.
    pub until: Time,
}

#[derive(Clone, PartialEq, Default)]
struct State {
    done: u64,
    running: bool,
    findings: Rc<Vec<Finding>>,
    /// Runs that broke a check (more than are listed, once past [`LISTED`]).
    broken: u64,
    error: Option<String>,
    /// Wall time the hunt took, once it has finished.
    took_ms: Option<f64>,
}

/// The address that opens a finding paused at its violation, on the Invariants tab.
pub fn finding_link(f: &Finding) -> String {
    let run = SharedRun {
        scenario: f.scenario.clone(),
        cursor_us: f.time,
        view: ViewOptions {
            preset: None,
            speed: None,
            tab: Some("Invariants".into()),
        },
    };
    format!("#s={}", link::encode(&run))
}

#[component]
pub fn Hunt(props: &HuntProps) -> Html {
    let state = use_state(State::default);
    let key = (props.scenario.clone(), props.until);
    let (job, stale) = use_job(&key);
    // New settings: the findings were for other settings.
    if stale {
        state.set(State::default());
    }
    let start = {
        let state = state.clone();
        let job = job.clone();
        Callback::from(move |_: MouseEvent| {
            let ticket = job.start(key.clone());
            let (state, (scenario, until)) = (state.clone(), key.clone());
            state.set(State {
                running: true,
                ..State::default()
            });
            yew::platform::spawn_local(async move {
                let began = browser::now_ms();
                let mut now = State {
                    running: true,
                    ..State::default()
                };
                let mut findings = Vec::new();
                while now.done < SEEDS {
                    gloo::timers::future::TimeoutFuture::new(0).await;
                    if !ticket.live() {
                        return;
                    }
                    let slice = browser::now_ms();
                    while now.done < SEEDS && browser::now_ms() - slice < SLICE_MS {
                        let seed = scenario.seed.wrapping_add(now.done);
                        match hunt_seed(&failscope_labs::REGISTRY, &scenario, seed, until) {
                            Ok(Some(f)) => {
                                now.broken += 1;
                                if findings.len() < LISTED {
                                    findings.push(f);
                                }
                            }
                            Ok(None) => {}
                            Err(e) => {
                                now.error = Some(format!("These settings cannot run: {e}"));
                                now.done = SEEDS;
                                break;
                            }
                        }
                        now.done += 1;
                    }
                    now.findings = Rc::new(findings.clone());
                    now.running = now.done < SEEDS;
                    if !now.running {
                        now.took_ms = Some(browser::now_ms() - began);
                    }
                    state.set(now.clone());
                }
            });
        })
    };
    let stop = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            job.stop();
            state.set(State {
                running: false,
                ..(*state).clone()
            });
        })
    };
    let s = &*state;
    let controls = if s.running {
        html! {
            <span class="batch-run" data-testid="hunt-progress" data-done={s.done.to_string()}>
                <progress max={SEEDS.to_string()} value={s.done.to_string()} aria-label={format!("{} of {SEEDS} seeds", s.done)}></progress>
                <span class="small">{ format!("{} of {SEEDS} seeds", s.done) }</span>
                <button class="btn btn-small" data-testid="hunt-stop" onclick={stop}>{ "Stop" }</button>
            </span>
        }
    } else {
        html! {
            <button class="btn btn-small" data-testid="hunt-start" onclick={start}>
                { if s.done == 0 { format!("Hunt over {SEEDS} seeds") } else { "Hunt again".to_string() } }
            </button>
        }
    };
    let summary = (s.done > 0 && !s.running).then(|| {
        let took = s
            .took_ms
            .map(|ms| format!(" in {} s", crate::decimal::fixed(ms / 1_000.0, 1)))
            .unwrap_or_default();
        let broke = match s.broken {
            0 => "none broke a check".to_string(),
            1 => "1 broke a check".to_string(),
            n => format!("{n} broke a check"),
        };
        html! { <p class="small" data-testid="hunt-summary" data-broken={s.broken.to_string()}>{ format!("{} seeds{took}: {broke}.", s.done) }</p> }
    });
    html! {
        <section class="hunt" data-testid="hunt" aria-label="Hunt for a run that breaks a check">
            <h4>{ "Hunt" }</h4>
            <p class="muted small">{ "Runs these settings over many seeds. Each seed also picks which kinds of fault strike (crashes, pauses, partitions, cuts, clock jumps, drift) and how often, then heals everything for the last third of the run." }</p>
            <div class="batch-head">{ controls }</div>
            if let Some(e) = &s.error {
                <p class="field-error" role="alert">{ e }</p>
            }
            { for summary }
            if !s.findings.is_empty() {
                <ol class="hunt-findings" data-testid="hunt-findings">
                    { for s.findings.iter().map(|f| html! {
                        <li data-testid="hunt-finding" data-seed={f.seed.to_string()}>
                            <a href={finding_link(f)} data-testid="hunt-open">{ format!("Seed {}", f.seed) }</a>
                            { format!(" — {}", f.description) }
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
