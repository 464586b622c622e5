//! The PACELC chart: with no partition, each configuration's tail latency against how often
//! its reads were stale, measured by running it (in slices, so the page stays responsive).
//! The real systems each configuration stands for are named beside it.

use crate::decimal::fixed;
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

/// Ticks for an axis from 0 to `max`, in steps of a nice multiple of `unit`.
fn ticks(max: f64, unit: f64) -> Vec<f64> {
    let step = super::pictures::axis::nice_step((max / unit).ceil() as i64, 5) as f64 * unit;
    (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|v| *v <= max)
        .collect()
}

fn chart(results: &[Measured]) -> Html {
    // Small enough to be drawn at full size on a phone: the text stays at its 12 px.
    const W: f64 = 340.0;
    const H: f64 = 240.0;
    const L: f64 = 44.0;
    const B: f64 = 40.0;
    const R: f64 = 9.0;
    let max_latency = results.iter().map(|r| r.p99_ms).fold(1.0, f64::max) * 1.15;
    let max_stale = results.iter().map(|r| r.stale_percent).fold(1.0, f64::max) * 1.15;
    let x = |ms: f64| L + ms / max_latency * (W - L - 14.0);
    let y = |stale: f64| H - B - stale / max_stale * (H - B - 14.0);
    let c = |v: f64| Coord(v).to_string();
    let x_ticks = ticks(max_latency, 1.0).into_iter().map(|ms| html! {
        <g class="tick"><line x1={c(x(ms))} x2={c(x(ms))} y1={c(H - B)} y2={c(H - B + 4.0)} />
            <text x={c(x(ms))} y={c(H - B + 16.0)} text-anchor="middle">{ fixed(ms, 0) }</text></g>
    });
    let y_ticks = ticks(max_stale, 0.1).into_iter().map(|p| {
        html! {
            <g class="tick"><line x1={c(L - 4.0)} x2={c(L)} y1={c(y(p))} y2={c(y(p))} />
                <text x={c(L - 7.0)} y={c(y(p) + 4.0)} text-anchor="end">{ fixed(p, 1) }</text></g>
        }
    });
    // Points are numbered, the numbers keyed in the table below: names beside the points
    // would run into each other. A point that would cover an earlier one steps aside.
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let points = results.iter().enumerate().map(|(i, r)| {
        let class = if r.class.starts_with("PC") { "pc" } else { "pa" };
        let (mut px, py) = (x(r.p99_ms), y(r.stale_percent));
        while placed.iter().any(|&(qx, qy)| (qx - px).hypot(qy - py) < 2.0 * R + 1.0) {
            px += 2.0 * R + 1.0;
        }
        placed.push((px, py));
        html! {
            <g class={format!("tradeoff-point {class}")} data-testid={format!("tradeoff-{i}")}>
                <circle cx={c(px)} cy={c(py)} r={c(R)} />
                <text x={c(px)} y={c(py + 4.0)} text-anchor="middle">{ i + 1 }</text>
                <title>{ format!("{}. {}: p99 {} ms, {}% stale reads ({})", i + 1, r.label, fixed(r.p99_ms, 1), fixed(r.stale_percent, 1), r.class) }</title>
            </g>
        }
    }).collect::<Html>();
    html! {
        <>
            <svg class="tradeoff-chart" viewBox={format!("0 0 {} {}", c(W), c(H))} role="img" aria-label="Latency against stale reads per configuration, numbered as in the table">
                <line class="axis" x1={c(L)} y1={c(H - B)} x2={c(W)} y2={c(H - B)} />
                <line class="axis" x1={c(L)} y1="0" x2={c(L)} y2={c(H - B)} />
                { for x_ticks }
                { for y_ticks }
                <text class="axis-label" x={c((L + W) / 2.0)} y={c(H - 4.0)} text-anchor="middle">{ "99th-percentile latency (ms)" }</text>
                <text class="axis-label" x="12" y={c((H - B) / 2.0)} text-anchor="middle" transform={format!("rotate(-90 12 {})", c((H - B) / 2.0))}>{ "stale reads (%)" }</text>
                { points }
            </svg>
            <table class="tradeoff-table" data-testid="tradeoff-table">
                <thead><tr><th>{ "#" }</th><th>{ "configuration" }</th><th>{ "PACELC" }</th><th>{ "p50 / p99" }</th><th>{ "stale" }</th><th>{ "like" }</th></tr></thead>
                <tbody>
                    { for results.iter().enumerate().map(|(i, r)| html! {
                        <tr title={r.explanation}>
                            <td>{ i + 1 }</td><td>{ r.label }</td><td>{ r.class }</td>
                            <td>{ format!("{} / {} ms", fixed(r.p50_ms, 1), fixed(r.p99_ms, 1)) }</td>
                            <td>{ format!("{}%", fixed(r.stale_percent, 1)) }</td>
                            <td class="muted">{ r.systems }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </>
    }
}
