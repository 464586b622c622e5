//! The lab's pictures: the waterfall of one trace (the slowest of the last ten sampled),
//! with its critical path highlighted; each service's p99 duration (RED metrics: rate and
//! errors in the caption); and the SLO's burn rate and spent error budget over time.

use super::checks::{burn_rate, BURN_WINDOW_US};
use super::config::{Config, CLIENT, GATEWAY, N_NODES};
use super::node::{is_service, service, SpanRec, Tracing};
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{
    Bar, Bars, Lane, Lanes, Picture, PictureKind, Scale, Series, Span, TimeSeries,
};
use failscope_sim::protocol::Tone;
use failscope_sim::time::{Time, MS};

const SLO_STEP_US: i64 = 250_000;

fn hash(values: impl Iterator<Item = u64>) -> u64 {
    values.fold(17u64, |h, v| h.wrapping_mul(31).wrapping_add(v))
}

/// The trace the waterfall shows and the exports write: the slowest of the gateway's last
/// ten sampled root spans, with every span of its trace, parents before children.
pub fn shown_trace(nodes: &Nodes<'_, Tracing>) -> Option<Vec<SpanRec>> {
    let gateway = nodes.durable(GATEWAY)?;
    let root = gateway
        .spans
        .iter()
        .rev()
        .filter(|s| s.parent.is_none())
        .take(10)
        .max_by_key(|s| (s.end - s.start, s.start))?;
    let mut all: Vec<SpanRec> = Vec::new();
    for n in nodes.ids().filter(|&n| is_service(n)) {
        if let Some(d) = nodes.durable(n) {
            all.extend(d.spans.iter().filter(|s| s.trace == root.trace));
        }
    }
    // Depth-first from the root, children in start order.
    let mut ordered = Vec::with_capacity(all.len());
    let mut stack = vec![*root];
    while let Some(span) = stack.pop() {
        ordered.push(span);
        let mut children: Vec<SpanRec> = all
            .iter()
            .filter(|s| s.parent == Some(span.id))
            .copied()
            .collect();
        children.sort_by_key(|s| std::cmp::Reverse((s.start, s.service)));
        stack.extend(children);
    }
    Some(ordered)
}

/// The critical path of a trace whose first span is its root: segments `(span index, from,
/// to)` that tile the root's time, walking back from its end through the child that
/// finished last before each moment.
pub fn critical_path(spans: &[SpanRec]) -> Vec<(usize, i64, i64)> {
    let mut path = Vec::new();
    if !spans.is_empty() {
        walk(spans, 0, spans[0].end, &mut path);
    }
    path.reverse();
    path
}

fn walk(spans: &[SpanRec], at: usize, until: i64, path: &mut Vec<(usize, i64, i64)>) {
    let span = spans[at];
    let mut t = until.min(span.end);
    loop {
        let last_child = spans
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.parent == Some(span.id)
                    && c.trace == span.trace
                    && c.end <= t
                    && c.start >= span.start
            })
            .max_by_key(|(i, c)| (c.end, std::cmp::Reverse(*i)));
        match last_child {
            Some((i, child)) => {
                if child.end < t {
                    path.push((at, child.end, t));
                }
                walk(spans, i, child.end, path);
                t = child.start;
            }
            None => {
                if span.start < t {
                    path.push((at, span.start, t));
                }
                return;
            }
        }
    }
}

fn percentile(sorted: &[i64], ppm: u64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (sorted.len() as u64 * ppm).div_ceil(1_000_000).max(1) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

pub fn all(config: &Config, nodes: &Nodes<'_, Tracing>, now: Time) -> Vec<Picture> {
    let mut pictures = vec![waterfall(nodes)];
    pictures.extend(red(config, nodes, now));
    pictures.push(slo(config, nodes, now));
    pictures
}

fn waterfall(nodes: &Nodes<'_, Tracing>) -> Picture {
    let spans = shown_trace(nodes).unwrap_or_default();
    let path = critical_path(&spans);
    let lanes: Vec<Lane> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let critical = path.iter().any(|p| p.0 == i);
            Lane {
                label: format!("{} {}", service(s.service), i + 1),
                spans: vec![Span {
                    start: s.start.max(0) as Time,
                    end: Some(s.end.max(0) as Time),
                    label: format!(
                        "{} {} ms{}",
                        service(s.service),
                        (s.end - s.start) / 1_000,
                        if s.error { ", error" } else { "" }
                    ),
                    tone: if s.error {
                        Tone::Faulty
                    } else if critical {
                        Tone::Primary
                    } else {
                        Tone::Secondary
                    },
                    highlight: critical,
                }],
            }
        })
        .collect();
    let caption = match spans.first() {
        Some(root) => format!(
            "Trace {}…, request {}: {} spans over {} ms. Highlighted: the critical path, the calls the request waited for.",
            &root.trace.hex()[..8],
            root.request + 1,
            spans.len(),
            (root.end - root.start) / 1_000
        ),
        None => "No sampled trace has finished yet.".into(),
    };
    Picture {
        id: "waterfall",
        title: "A trace's waterfall".into(),
        caption,
        primary: true,
        version: hash(spans.iter().map(|s| s.id ^ s.end as u64)),
        kind: PictureKind::Lanes(Lanes {
            lanes,
            marks: Vec::new(),
        }),
    }
}

/// RED metrics per service, one picture each: rate, errors, duration.
fn red(config: &Config, nodes: &Nodes<'_, Tracing>, now: Time) -> Vec<Picture> {
    let (mut rates, mut errors, mut p99s) = (Vec::new(), Vec::new(), Vec::new());
    let mut medians = Vec::new();
    let now = now as i64;
    for n in (0..N_NODES).filter(|&n| is_service(n)) {
        let Some(d) = nodes.durable(n) else { continue };
        let mut durations: Vec<i64> = d.metrics.iter().map(|m| m.1).collect();
        durations.sort_unstable();
        let p99 = percentile(&durations, 990_000);
        let p50 = percentile(&durations, 500_000);
        let failed = d.metrics.iter().filter(|m| m.2).count() as i64;
        let rate = d.metrics.iter().filter(|m| m.0 > now - 1_000_000).count() as i64;
        let bar = |value: i64, bad: bool| Bar {
            label: service(n).into(),
            value,
            tone: if bad { Tone::Suspect } else { Tone::Secondary },
            highlight: bad,
        };
        rates.push(bar(rate, false));
        errors.push(bar(failed, failed > 0));
        p99s.push(bar(p99 / 1_000, p99 > config.slo_us as i64));
        medians.push(format!("{} {} ms", service(n), p50 / 1_000));
    }
    let version = |bars: &[Bar]| hash(bars.iter().map(|b| b.value as u64));
    let picture = |id, title: &str, caption: String, y: Scale, bars: Vec<Bar>, reference| Picture {
        id,
        title: title.into(),
        caption,
        primary: false,
        version: version(&bars),
        kind: PictureKind::Bars(Bars {
            x_label: "service".into(),
            y,
            bars,
            reference,
        }),
    };
    vec![
        picture(
            "red-rate",
            "Rate: each service's calls in the last second",
            "Requests each service handled in the last second of simulated time, sampled or not.".into(),
            Scale::new("calls", "/s", 1),
            rates,
            None,
        ),
        picture(
            "red-errors",
            "Errors: each service's failed calls so far",
            "Calls that ended in an error since the run began; a failing dependency shows here first.".into(),
            Scale::new("errors", "", 1),
            errors,
            None,
        ),
        picture(
            "red",
            "Duration: each service's p99",
            format!(
                "The slowest 1 % of each service's calls take at least this long (sampled or not). Medians: {}.",
                medians.join("; ")
            ),
            Scale::new("p99", "ms", 1),
            p99s,
            Some(((config.slo_us / MS) as i64, "SLO".into())),
        ),
    ]
}

/// How much of the error budget is spent, in hundredths: bad requests over the ones the
/// SLO allows across the whole run's requests.
pub fn budget_spent(config: &Config, results: &[(i64, i64, bool)], until: i64) -> u64 {
    let bad = results
        .iter()
        .filter(|r| r.1 <= until && (r.2 || r.1 - r.0 > config.slo_us as i64))
        .count() as u64;
    let allowed_ppm = 1_000_000u64.saturating_sub(config.slo_target_ppm).max(1);
    let budget_ppm = u64::from(config.requests.max(1)) * allowed_ppm;
    bad * 100 * 1_000_000 / budget_ppm
}

fn slo(config: &Config, nodes: &Nodes<'_, Tracing>, now: Time) -> Picture {
    let results = nodes
        .durable(CLIENT)
        .map(|d| d.results.clone())
        .unwrap_or_default();
    let now = now as i64;
    let mut burn = Vec::new();
    let mut spent = Vec::new();
    let mut t = 0;
    while t <= now {
        if let Some(b) = burn_rate(
            &results,
            t - BURN_WINDOW_US,
            t,
            config.slo_us as i64,
            config.slo_target_ppm,
        ) {
            burn.push((t as Time, b as i64));
        }
        spent.push((t as Time, budget_spent(config, &results, t) as i64));
        t += SLO_STEP_US;
    }
    let good = results
        .iter()
        .filter(|r| !r.2 && r.1 - r.0 <= config.slo_us as i64)
        .count();
    let target = config.slo_target_ppm;
    let total_spent = budget_spent(config, &results, now);
    Picture {
        id: "slo",
        title: "SLO: burn rate and error budget".into(),
        caption: format!(
            "SLO: {}.{} % of requests answered without error within {} ms. So far {good} of {} were; {}.{:02} of the error budget is spent. Burn rate over 2 s: 1 spends the budget exactly over the run.",
            target / 10_000,
            (target % 10_000) / 1_000,
            config.slo_us / MS,
            results.len(),
            total_spent / 100,
            total_spent % 100
        ),
        primary: false,
        version: hash(burn.iter().chain(&spent).map(|p| p.0 ^ p.1 as u64)),
        kind: PictureKind::TimeSeries(TimeSeries {
            y: Scale::new("× budget", "", 100),
            series: vec![
                Series {
                    label: "burn rate".into(),
                    colour: 0,
                    points: burn,
                },
                Series {
                    label: "budget spent".into(),
                    colour: 1,
                    points: spent,
                },
            ],
            marks: Vec::new(),
            threshold: Some((100, "1×".into())),
        }),
    }
}
