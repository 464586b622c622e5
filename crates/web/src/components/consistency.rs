//! What the clients saw, judged: linearizability, sequential consistency, read-your-writes,
//! monotonic reads and stale reads, checked over the history up to the cursor, in slices so
//! the page stays responsive; and the history itself as one lane of operation bars per
//! client, with the smallest set of operations that breaks linearizability highlighted.

use super::history_file::HistoryFile;
use crate::decimal::fixed;
use crate::layout::Coord;
use crate::session::{format_time, UiAction};
use failscope_labs::history_checks::{bars_of, lanes_of, Bar};
use failscope_sim::consistency::{
    LinearizabilityReport, SequentialReport, SessionViolation, Verdict,
};
use failscope_sim::history::History;
use failscope_sim::time::Time;
use std::rc::Rc;
use yew::prelude::*;

/// Steps of search between two yields to the browser.
const STEPS_PER_SLICE: u64 = 20_000;

#[derive(Debug, PartialEq)]
pub struct Checked {
    pub history: History,
    pub linear: LinearizabilityReport,
    pub sequential: SequentialReport,
    pub sessions: Vec<SessionViolation>,
    pub stale: usize,
    pub elapsed_ms: f64,
}

/// Run every check over `history`, yielding to the browser between slices. Fails only when
/// the checkers' code cannot be fetched (they are a chunk of their own in the release build).
pub async fn check(history: History) -> Result<Checked, String> {
    let checks = failscope_labs::history_checks::load()
        .await
        .map_err(|e| e.to_string())?;
    let started = js_sys::Date::now();
    let mut linear = checks.linearizability(&history, None);
    let linear = loop {
        if let Some(report) = linear.run(STEPS_PER_SLICE) {
            break report;
        }
        gloo::timers::future::TimeoutFuture::new(0).await;
    };
    let mut sequential = checks.sequential(&history);
    let sequential = loop {
        if let Some(report) = sequential.run(STEPS_PER_SLICE) {
            break report;
        }
        gloo::timers::future::TimeoutFuture::new(0).await;
    };
    let sessions = checks.sessions(&history);
    let stale = checks.stale_reads(&history);
    Ok(Checked {
        elapsed_ms: js_sys::Date::now() - started,
        history,
        linear,
        sequential,
        sessions,
        stale,
    })
}

#[derive(Properties, PartialEq, Clone)]
pub struct ConsistencyProps {
    pub checked: Option<Rc<Checked>>,
    pub checking: bool,
    /// The history is newer than the last check.
    pub stale_result: bool,
    pub on_check: Callback<()>,
    pub on_action: Callback<UiAction>,
    /// A history link's payload from the page's address, checked by "Check a history file…".
    #[prop_or_default]
    pub history_link: Option<String>,
    /// The lab whose page a link to an imported history opens.
    #[prop_or_default]
    pub lab: &'static str,
}

pub fn verdict_row(name: &str, verdict: Verdict, detail: Option<String>, testid: &str) -> Html {
    let (state, icon) = match verdict {
        Verdict::Holds => ("holds", "✓"),
        Verdict::Violated => ("violated", "✗"),
        Verdict::Unknown => ("not-yet", "?"),
    };
    html! {
        <li class={format!("invariant invariant-{state}")} data-testid={testid.to_string()} data-state={state}>
            <span class="icon" aria-hidden="true">{ icon }</span>
            <div><strong>{ name.to_string() }</strong><span class="sr-only">{ format!(": {state}") }</span>
                if let Some(d) = detail { <p class="muted">{ d }</p> }
            </div>
        </li>
    }
}

// Not shown when a page opens: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub HISTORY_PANEL: ConsistencyProps => ConsistencyPanel, history_panel, "the History tab");

#[component]
pub fn ConsistencyPanel(props: &ConsistencyProps) -> Html {
    let check = {
        let cb = props.on_check.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let Some(c) = &props.checked else {
        return html! {
            <section class="consistency" data-testid="consistency">
                <p class="muted">{ "Check what the clients saw so far against a single-copy register." }</p>
                <button class="btn btn-primary" data-testid="check-history" disabled={props.checking} onclick={check}>
                    { if props.checking { "Checking…" } else { "Check the history" } }
                </button>
                <HistoryFile link={props.history_link.clone()} lab={props.lab} />
            </section>
        };
    };
    let violation = c.linear.violations().next().cloned();
    let linear_detail = match (&violation, c.linear.verdict) {
        (Some(v), _) => Some(v.explanation.clone()),
        (None, Verdict::Holds) => Some(format!(
            "{} operations fit one real-time order.",
            c.history.operations.len()
        )),
        (None, _) => c.linear.keys.iter().find_map(|k| k.note.clone()),
    };
    let sessions_verdict = if c.sessions.is_empty() {
        Verdict::Holds
    } else {
        Verdict::Violated
    };
    let sessions_detail = c
        .sessions
        .first()
        .map(|v| format!("{}: {}", v.check.name(), v.explanation));
    let highlight: Vec<usize> = violation
        .as_ref()
        .map(|v| v.operations.clone())
        .unwrap_or_default();
    let jump = violation.as_ref().and_then(|v| v.operations.first()).map(|&i| {
        let time = c.history.operations.get(i).map_or(0, |op| op.invoke_us);
        let cb = props.on_action.clone();
        html! {
            <button class="btn btn-danger small" data-testid="jump-offending"
                    onclick={Callback::from(move |_: MouseEvent| cb.emit(UiAction::Seek(time)))}>{ "Show me" }</button>
        }
    });
    html! {
        <section class="consistency" data-testid="consistency">
            <ul class="invariants">
                { verdict_row("Linearizable", c.linear.verdict, linear_detail, "verdict-linearizable") }
                { verdict_row("Sequentially consistent", c.sequential.verdict, c.sequential.explanation.clone(), "verdict-sequential") }
                { verdict_row("Read-your-writes and monotonic reads", sessions_verdict, sessions_detail, "verdict-sessions") }
            </ul>
            <p class="small" data-testid="stale-reads">{ format!("{} stale reads (a value already overwritten before the read began).", c.stale) }</p>
            { for jump }
            <LaneChart lanes={Rc::new(lanes_of(&c.history))} bars={Rc::new(bars_of(&c.history))} highlight={highlight} />
            <p class="muted small">{ format!("{} operations checked in {} ms.", c.history.operations.len(), fixed(c.elapsed_ms, 0)) }</p>
            <button class="btn" data-testid="check-history" disabled={props.checking} onclick={check}>
                { if props.checking { "Checking…" } else if props.stale_result { "Check again (history grew)" } else { "Check again" } }
            </button>
            <HistoryFile link={props.history_link.clone()} lab={props.lab} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct LaneChartProps {
    /// Lane names, one per process.
    pub lanes: Rc<Vec<String>>,
    pub bars: Rc<Vec<Bar>>,
    /// Indices into `bars`.
    pub highlight: Vec<usize>,
    /// Bars' times are microseconds (else positions in a file).
    #[prop_or(true)]
    pub timed: bool,
    /// The figure's test id; each bar's is `op-{i}` after the same prefix.
    #[prop_or("history-chart")]
    pub testid: &'static str,
}

/// One lane per process; each operation a bar from invoke to return. The window shows the
/// offending operations when there are some, otherwise the newest stretch of the history.
#[component]
pub fn LaneChart(props: &LaneChartProps) -> Html {
    const WIDTH: f64 = 320.0;
    const LANE: f64 = 16.0;
    const MAX_OPS: usize = 300;
    let bars = &props.bars;
    if bars.is_empty() {
        return html! {};
    }
    let end_of = |i: usize| bars[i].end.unwrap_or(bars[i].start + 1);
    let (from, to): (Time, Time) = if props.highlight.is_empty() {
        let to = bars
            .iter()
            .map(|b| b.end.unwrap_or(b.start))
            .max()
            .unwrap_or(1);
        let start = bars.len().saturating_sub(24);
        (bars[start].start, to)
    } else {
        let lo = props
            .highlight
            .iter()
            .filter_map(|&i| bars.get(i))
            .map(|b| b.start)
            .min()
            .unwrap_or(0);
        let hi = props
            .highlight
            .iter()
            .filter(|&&i| i < bars.len())
            .map(|&i| end_of(i))
            .max()
            .unwrap_or(1);
        let margin = hi.saturating_sub(lo) / 4 + 1;
        (lo.saturating_sub(margin), hi + margin)
    };
    let span = to.saturating_sub(from).max(1) as f64;
    const LEFT: f64 = 30.0;
    let x = |t: Time| LEFT + (t.saturating_sub(from) as f64 / span).min(1.0) * (WIDTH - LEFT - 4.0);
    let n_lanes = props
        .lanes
        .len()
        .max(bars.iter().map(|b| b.lane + 1).max().unwrap_or(0));
    let height = LANE * n_lanes as f64 + 20.0;
    let time = |t: Time| {
        if props.timed {
            format_time(t)
        } else {
            format!("position {t}")
        }
    };
    let lane_name = |lane: usize| {
        props
            .lanes
            .get(lane)
            .cloned()
            .unwrap_or_else(|| format!("process {lane}"))
    };
    let prefix = if props.testid == "history-chart" {
        String::new()
    } else {
        format!("{}-", props.testid)
    };
    let drawn = bars
        .iter()
        .enumerate()
        .filter(|(i, b)| end_of(*i) >= from && b.start <= to)
        .take(MAX_OPS)
        .map(|(i, b)| {
            let y = LANE * b.lane as f64 + 4.0;
            let (x1, x2) = (x(b.start), x(end_of(i)).max(x(b.start) + 2.0));
            let outcome = b.outcome;
            let class = classes!("op-bar", if b.read { "op-read" } else { "op-write" }, format!("op-{outcome}"),
                                 props.highlight.contains(&i).then_some("offending"));
            html! {
                <g class={class} data-testid={format!("{prefix}op-{i}")}>
                    <rect x={Coord(x1).to_string()} y={Coord(y).to_string()} width={Coord(x2 - x1).to_string()} height={Coord(LANE - 6.0).to_string()} rx="3" />
                    if x2 - x1 > 34.0 { <text x={Coord(x1 + 3.0).to_string()} y={Coord(y + LANE - 10.0).to_string()}>{ b.label.clone() }</text> }
                    <title>{ format!("{} {}: {} to {} ({outcome})", lane_name(b.lane), b.label, time(b.start), b.end.map_or("—".into(), time)) }</title>
                </g>
            }
        });
    html! {
        <figure class="history-chart" data-testid={props.testid}>
            <svg viewBox={format!("0 0 {} {}", Coord(WIDTH), Coord(height))} role="img" aria-label="Client operations over time, one lane per client">
                { for (0..n_lanes).map(|p| html! { <text class="lane-name" x="2" y={Coord(LANE * p as f64 + 15.0).to_string()}>{ lane_name(p) }</text> }) }
                { for drawn }
            </svg>
            <figcaption class="muted small">{ format!("{} to {}", time(from), time(to)) }{ if props.highlight.is_empty() { "" } else { " · red: the smallest set of operations no single-copy order explains" } }</figcaption>
        </figure>
    }
}
