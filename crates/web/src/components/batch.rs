//! A lab's batch charts (`Lab::batches`): a button that runs the current settings over many
//! seeds, one run per slice between frames so the page stays responsive, with a progress bar
//! and a stop button; the chart is redrawn as the results come in. New settings start over.

use crate::components::job::use_job;
use crate::components::pictures::{PictureFrame, PictureFrameProps};
use failscope_sim::lab::Batch;
use failscope_sim::scenario::Scenario;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct BatchChartsProps {
    /// The lab whose batches to offer.
    pub lab: AttrValue,
    /// The settings to measure (the current run's scenario).
    pub scenario: Scenario,
    #[prop_or_default]
    pub file_stem: Option<String>,
}

// Only labs with batches show them: their code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub BATCH_CHARTS: BatchChartsProps => BatchCharts, batch_charts, "the batch charts");

/// Every batch of the lab, one panel each.
#[component]
pub fn BatchCharts(props: &BatchChartsProps) -> Html {
    let Some(lab) = failscope_labs::find(&props.lab) else {
        return html! {};
    };
    html! {
        { for lab.batches().iter().enumerate().map(|(index, _)| html! {
            <BatchChart key={index} lab={props.lab.clone()} index={index} scenario={props.scenario.clone()} file_stem={props.file_stem.clone()} />
        }) }
    }
}

#[derive(Properties, PartialEq)]
pub struct BatchChartProps {
    pub lab: AttrValue,
    /// Which of the lab's batches.
    pub index: usize,
    pub scenario: Scenario,
    #[prop_or_default]
    pub file_stem: Option<String>,
}

/// What a batch panel holds: the results so far, for which settings, and whether it runs.
#[derive(Clone, PartialEq, Default)]
struct Progress {
    results: Rc<Vec<Vec<i64>>>,
    running: bool,
}

fn batch_of(lab: &str, index: usize) -> Option<Batch> {
    failscope_labs::find(lab).and_then(|l| l.batches().get(index).copied())
}

#[component]
pub fn BatchChart(props: &BatchChartProps) -> Html {
    let progress = use_state(Progress::default);
    let (job, stale) = use_job(&props.scenario);
    let Some(batch) = batch_of(&props.lab, props.index) else {
        return html! {};
    };
    // New settings: what was measured no longer applies.
    if stale {
        progress.set(Progress::default());
    }
    let start = {
        let progress = progress.clone();
        let job = job.clone();
        let scenario = props.scenario.clone();
        Callback::from(move |_: MouseEvent| {
            let ticket = job.start(scenario.clone());
            let progress = progress.clone();
            let scenario = scenario.clone();
            progress.set(Progress {
                results: Rc::new(Vec::new()),
                running: true,
            });
            yew::platform::spawn_local(async move {
                let mut results = Vec::new();
                for k in 0..u64::from(batch.runs) {
                    // Yield first, so the click paints before the first run.
                    gloo::timers::future::TimeoutFuture::new(0).await;
                    if !ticket.live() {
                        return;
                    }
                    results.push((batch.run)(&scenario, scenario.seed.wrapping_add(k)));
                    progress.set(Progress {
                        results: Rc::new(results.clone()),
                        running: k + 1 < u64::from(batch.runs),
                    });
                }
            });
        })
    };
    let stop = {
        let progress = progress.clone();
        Callback::from(move |_: MouseEvent| {
            job.stop();
            progress.set(Progress {
                results: progress.results.clone(),
                running: false,
            });
        })
    };
    let done = progress.results.len();
    let total = batch.runs as usize;
    let controls = if progress.running {
        html! {
            <span class="batch-run" data-testid="batch-progress" data-done={done.to_string()}>
                <progress max={total.to_string()} value={done.to_string()} aria-label={format!("{done} of {total} runs")}></progress>
                <span class="small">{ format!("{done} of {total} runs") }</span>
                <button class="btn btn-small" data-testid="batch-stop" onclick={stop}>{ "Stop" }</button>
            </span>
        }
    } else {
        let label = if done == 0 {
            batch.label.to_string()
        } else if done < total {
            format!("{} (stopped at {done} of {total})", batch.label)
        } else {
            format!("Measure again ({total} runs)")
        };
        html! {
            <button class="btn btn-small" data-testid="batch-start" data-batch={batch.id} onclick={start}>{ label }</button>
        }
    };
    let chart = (done > 0).then(|| {
        let picture = (batch.picture)(&props.scenario, &progress.results);
        let frame = PictureFrameProps {
            picture,
            struck: Vec::new(),
            now: 0,
            file_stem: props.file_stem.clone(),
        };
        html! { <PictureFrame ..frame /> }
    });
    html! {
        <section class="batch" data-testid={format!("batch-{}", batch.id)}>
            <div class="batch-head">
                { controls }
                if done == 0 {
                    <span class="muted small">{ "Runs your settings once per seed, between frames, and charts the result." }</span>
                }
            </div>
            { for chart }
        </section>
    }
}
