//! The PACELC chart: with no partition, each configuration's tail latency against how often
//! its reads were stale, measured by running it (in slices, so the page stays responsive).
//! The real systems each configuration stands for are named beside it.

use crate::layout::Coord;
use crate::lazy::Deferred;
use failscope_sim::lab::Tradeoff;
use failscope_sim::run::Advance;
use std::rc::Rc;
use yew::prelude::*;

/// Queue events simulated between two yields to the browser.
const EVENTS_PER_SLICE: u64 = 40_000;

#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    pub label: &'static str,
    pub class: &'static str,
    pub systems: &'static str,
    pub explanation: &'static str,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub stale_percent: f64,
    pub availability: f64,
}

/// Run every configuration and measure it.
pub async fn measure(tradeoffs: Vec<Tradeoff>) -> Result<Vec<Measured>, String> {
    let checks = failscope_labs::history_checks::load()
        .await
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for t in tradeoffs {
        let mut sim =
            failscope_labs::build(&t.scenario).map_err(|e| format!("{}: {e}", t.label))?;
        while sim.advance(t.duration_us, EVENTS_PER_SLICE) == Advance::Budget {
            gloo::timers::future::TimeoutFuture::new(0).await;
        }
        let m = sim.metrics();
        let history = sim.history();
        let reads = history
            .operations
            .iter()
            .filter(|op| op.op.is_read() && op.outcome.is_some())
            .count();
        let stale = checks.stale_reads(&history);
        let q = |ppm| {
            m.op_latency_us
                .quantile_ppm(ppm)
                .map_or(0.0, |us| us as f64 / 1_000.0)
        };
        out.push(Measured {
            label: t.label,
            class: t.class,
            systems: t.systems,
            explanation: t.explanation,
            p50_ms: q(500_000),
            p99_ms: q(990_000),
            stale_percent: if reads == 0 {
                0.0
            } else {
                stale as f64 / reads as f64 * 100.0
            },
            availability: m.availability_ppm().map_or(0.0, |p| p as f64 / 10_000.0),
        });
        gloo::timers::future::TimeoutFuture::new(0).await;
    }
    Ok(out)
}

#[derive(Properties, PartialEq)]
pub struct TradeoffsProps {
    pub results: Option<Rc<Result<Vec<Measured>, String>>>,
    pub measuring: bool,
    pub count: usize,
    pub on_measure: Callback<()>,
}

#[component]
pub fn TradeoffChart(props: &TradeoffsProps) -> Html {
    let measure = {
        let cb = props.on_measure.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let button = html! {
        <button class="btn btn-primary" data-testid="measure-tradeoffs" disabled={props.measuring} onclick={measure}>
            { if props.measuring { "Measuring…".to_string() } else { format!("Measure {} configurations", props.count) } }
        </button>
    };
    let body = match props.results.as_deref() {
        None => {
            html! { <p class="muted small">{ "Each configuration runs with no partition; the chart places its 99th-percentile latency against its share of stale reads. That is the “else” of PACELC: latency or consistency." }</p> }
        }
        Some(Err(e)) => html! { <p class="violation-detail">{ e }</p> },
        Some(Ok(_)) => html! {
            <Deferred<PlotProps> chunk={&PLOT} props={PlotProps { results: props.results.clone() }} />
        },
    };
    html! {
        <section class="tradeoffs" data-testid="tradeoffs" aria-label="PACELC trade-off chart">
            <div class="panel-head"><h3>{ "Latency or consistency (PACELC)" }</h3><span class="spacer" />{ button }</div>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct PlotProps {
    pub results: Option<Rc<Result<Vec<Measured>, String>>>,
}

// Drawn only after a measurement: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(PLOT: PlotProps => TradeoffPlot, tradeoff_plot, "the trade-off chart");

/// The measured configurations as a scatter plot and a table.
#[component]
fn TradeoffPlot(props: &PlotProps) -> Html {
    match props.results.as_deref() {
        Some(Ok(results)) => chart(results),
        _ => html! {},
    }
}

fn chart(results: &[Measured]) -> Html {
    const W: f64 = 460.0;
    const H: f64 = 260.0;
    const L: f64 = 44.0;
    const B: f64 = 30.0;
    let max_latency = results.iter().map(|r| r.p99_ms).fold(1.0, f64::max) * 1.15;
    let max_stale = results.iter().map(|r| r.stale_percent).fold(5.0, f64::max) * 1.15;
    let x = |ms: f64| L + ms / max_latency * (W - L - 10.0);
    let y = |stale: f64| H - B - stale / max_stale * (H - B - 10.0);
    let points = results.iter().enumerate().map(|(i, r)| {
        let class = if r.class.starts_with("PC") { "pc" } else { "pa" };
        html! {
            <g class={format!("tradeoff-point {class}")} data-testid={format!("tradeoff-{i}")}>
                <circle cx={Coord(x(r.p99_ms)).to_string()} cy={Coord(y(r.stale_percent)).to_string()} r="6" />
                <text x={Coord(x(r.p99_ms) + 9.0).to_string()} y={Coord(y(r.stale_percent) + 4.0).to_string()}>{ r.label }</text>
                <title>{ format!("{}: p99 {:.1} ms, {:.1}% stale reads ({})", r.label, r.p99_ms, r.stale_percent, r.class) }</title>
            </g>
        }
    });
    html! {
        <>
            <svg class="tradeoff-chart" viewBox={format!("0 0 {W} {H}")} role="img" aria-label="Latency against stale reads per configuration">
                <line class="axis" x1={L.to_string()} y1={(H - B).to_string()} x2={W.to_string()} y2={(H - B).to_string()} />
                <line class="axis" x1={L.to_string()} y1="0" x2={L.to_string()} y2={(H - B).to_string()} />
                <text class="axis-label" x={(W / 2.0).to_string()} y={(H - 6.0).to_string()}>{ format!("latency p99 (ms, up to {max_latency:.0})") }</text>
                <text class="axis-label" x="10" y={(H / 2.0).to_string()} transform={format!("rotate(-90 10 {})", H / 2.0)}>{ "stale reads (%)" }</text>
                { for points }
            </svg>
            <table class="tradeoff-table" data-testid="tradeoff-table">
                <thead><tr><th>{ "configuration" }</th><th>{ "PACELC" }</th><th>{ "p50 / p99" }</th><th>{ "stale" }</th><th>{ "like" }</th></tr></thead>
                <tbody>
                    { for results.iter().map(|r| html! {
                        <tr title={r.explanation}>
                            <td>{ r.label }</td><td>{ r.class }</td>
                            <td>{ format!("{:.1} / {:.1} ms", r.p50_ms, r.p99_ms) }</td>
                            <td>{ format!("{:.1}%", r.stale_percent) }</td>
                            <td class="muted">{ r.systems }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </>
    }
}
