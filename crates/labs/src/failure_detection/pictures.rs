//! The lab's pictures: who suspects whom (a bar for a server that has not crashed is a false
//! suspicion, the very thing the strong-accuracy check flags), S1's view of S2 over time
//! (φ, or the silence, against the threshold), the gaps between heartbeats S1 has seen with
//! their fitted normal, S1's suspicions on the timeline, and the timeout dilemma: S1's bank
//! of shadow detectors, one per threshold, fed by the same heartbeats.

use super::config::{rung_label, Config};
use super::detector::Kind;
use super::node::{Heartbeat, Records, BUCKETS, OBSERVER, WATCHED};
use failscope_sim::ids::node_name;
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{
    Bar, Bars, Cell, Grid, Lane, Lanes, MarkKind, Picture, PictureKind, Scale, Series, Span,
    TimeMark, TimeSeries, Xy, XyPoint, XySeries, XyStyle,
};
use failscope_sim::protocol::Tone;
use failscope_sim::time::{format_duration, Time, MS, SECOND};
use failscope_sim::world::NodeStatus;

fn hash(values: impl Iterator<Item = i64>) -> u64 {
    values.fold(17u64, |h, v| h.wrapping_mul(31).wrapping_add(v as u64))
}

pub fn all(config: &Config, nodes: &Nodes<'_, Heartbeat>, now: Time) -> Vec<Picture> {
    let mut out = vec![suspicions(config, nodes)];
    if let Some(records) = nodes.state(OBSERVER).and_then(|s| s.records()) {
        if nodes.len() > usize::from(WATCHED) {
            out.push(view(config, records));
        }
        let fit = nodes
            .state(OBSERVER)
            .and_then(|s| s.windows.get(usize::from(WATCHED)))
            .and_then(|w| w.fit());
        out.push(gaps(config, records, fit));
        out.push(lanes(nodes, records));
        out.push(dilemma(config, records, now));
    }
    out
}

pub fn suspicions(config: &Config, nodes: &Nodes<'_, Heartbeat>) -> Picture {
    let mut version: u64 = 0;
    let bars = nodes
        .ids()
        .map(|server| {
            let suspected_by = nodes
                .ids()
                .filter(|&n| n != server)
                .filter(|&n| nodes.state(n).is_some_and(|s| s.suspects(server)))
                .count() as i64;
            // Paused counts as alive, as in the strong-accuracy check.
            let up = nodes.status(server).is_some_and(|s| s != NodeStatus::Down);
            version = version
                .wrapping_mul(31)
                .wrapping_add(suspected_by as u64 * 2 + u64::from(up));
            Bar {
                label: node_name(server),
                value: suspected_by,
                tone: match (up, suspected_by > 0) {
                    (false, _) => Tone::Faulty,
                    (true, true) => Tone::Suspect,
                    (true, false) => Tone::Secondary,
                },
                // Suspected while up: a false suspicion.
                highlight: up && suspected_by > 0,
            }
        })
        .collect::<Vec<_>>();
    let peers = bars.len().saturating_sub(1) as i64;
    Picture {
        id: "suspicions",
        title: "Who suspects whom".into(),
        caption: format!(
            "How many peers suspect each server ({}); outlined bars are servers that have not crashed, suspected anyway.",
            config.describe()
        ),
        primary: false,
        version,
        kind: PictureKind::Bars(Bars {
            x_label: "server".into(),
            y: Scale::new("suspected by", "peers", 1),
            bars,
            reference: Some((peers, "every peer".into())),
        }),
    }
}

/// S1's view of S2: φ against its threshold, or the silence against the limit.
fn view(config: &Config, records: &Records) -> Picture {
    let watcher = node_name(OBSERVER);
    let watched = node_name(WATCHED);
    let marks: Vec<TimeMark> = records
        .spans
        .iter()
        .filter(|s| s.peer == WATCHED)
        .map(|s| TimeMark {
            at: s.start.max(0) as Time,
            kind: if s.wrong == Some(true) {
                MarkKind::Violation
            } else {
                MarkKind::Info
            },
            label: match s.wrong {
                Some(true) => format!("{watcher} wrongly suspects {watched}"),
                Some(false) => format!("{watcher} suspects {watched}, which had crashed"),
                None => format!("{watcher} suspects {watched}"),
            },
        })
        .collect();
    let version = hash(records.level.iter().map(|p| p.0 as i64 ^ p.1)) ^ marks.len() as u64;
    let (y, series, threshold, caption) = match config.detector.kind {
        Kind::Phi => (
            Scale::new("φ", "", 100),
            vec![Series {
                label: format!("φ of {watched}'s silence"),
                colour: 0,
                points: records.level.clone(),
            }],
            Some((config.detector.threshold * 10, "threshold".into())),
            format!(
                "φ = −log10(1 − F(silence)), F the normal fitted to the last {} gaps, at each of {watcher}'s checks (capped at 30); it suspects {watched} when φ passes {}.",
                config.window,
                config.phi_label()
            ),
        ),
        Kind::Fixed => (
            Scale::new("silence", "ms", 1),
            vec![Series {
                label: format!("{watched} silent for"),
                colour: 0,
                points: records.level.clone(),
            }],
            Some(((config.suspect_after_us / MS) as i64, "timeout".into())),
            format!("How long {watcher} has not heard from {watched}, at each of its checks; past the timeout it suspects."),
        ),
        Kind::Adaptive => (
            Scale::new("silence", "ms", 1),
            vec![
                Series {
                    label: format!("{watched} silent for"),
                    colour: 0,
                    points: records.level.clone(),
                },
                Series {
                    label: "limit".into(),
                    colour: 1,
                    points: records.limit.clone(),
                },
            ],
            None,
            format!("How long {watcher} has not heard from {watched}, and its limit: {} of the last {} gaps.", config.describe(), config.window),
        ),
    };
    Picture {
        id: "view",
        title: format!("{watcher}'s view of {watched}"),
        caption,
        primary: true,
        version,
        kind: PictureKind::TimeSeries(TimeSeries {
            y,
            series,
            marks,
            threshold,
        }),
    }
}

/// The normal density's expected count in [lo, hi) out of `n` arrivals.
fn expected(n: f64, mean: f64, sd: f64, lo: f64, hi: f64) -> f64 {
    let cdf = |x: f64| 1.0 - super::detector::upper_tail((x - mean) / sd);
    n * (cdf(hi) - cdf(lo))
}

/// Samples of the fitted curve per bucket.
const CURVE_STEPS: usize = 4;

/// Gaps are drawn in tenths of a millisecond.
fn tenths_ms(us: f64) -> i64 {
    libm::round(us / 100.0) as i64
}

/// The gaps between heartbeats S1 has heard as a histogram, with the normal that phi
/// accrual fits now (to S1's window of S2's recent gaps, Hayashibara et al. 2004 §3) drawn
/// over it as a curve: its expected count per bucket out of every gap heard.
fn gaps(config: &Config, records: &Records, fit: Option<(f64, f64)>) -> Picture {
    let n = records.arrivals;
    let (mean, sd) = fit.filter(|_| n > 0).unwrap_or((0.0, 0.0));
    let width = config.bucket_us as f64;
    let mut beyond_fit = 0u64;
    let columns: Vec<XyPoint> = records
        .histogram
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let lo = i as f64 * width;
            let last = i + 1 == BUCKETS;
            let hi = if last { f64::MAX } else { lo + width };
            let fit = if sd > 0.0 {
                expected(n as f64, mean, sd, lo, hi)
            } else {
                0.0
            };
            // More than the fit allows (twice its count and three more): the tail a normal
            // misses, where pauses and lost heartbeats land.
            let outlier = f64::from(count) > 2.0 * fit + 3.0;
            if outlier {
                beyond_fit += u64::from(count);
            }
            let from = i as Time * config.bucket_us;
            XyPoint {
                highlight: outlier,
                ..XyPoint::labelled(
                    tenths_ms(lo),
                    i64::from(count),
                    if last {
                        format!("{count} gaps of {} or more", format_duration(from))
                    } else {
                        format!(
                            "{count} gaps of {} to {}",
                            format_duration(from),
                            format_duration(from + config.bucket_us)
                        )
                    },
                )
            }
        })
        .collect();
    let mut series = vec![XySeries {
        label: "gaps heard".into(),
        colour: 0,
        style: XyStyle::Columns {
            width: tenths_ms(width),
        },
        points: columns,
    }];
    if sd > 0.0 {
        // The fit's expected count per bucket, as a smooth curve over the buckets.
        let step = width / CURVE_STEPS as f64;
        let curve = (0..=(BUCKETS - 1) * CURVE_STEPS)
            .map(|k| {
                let centre = k as f64 * step;
                let count = expected(
                    n as f64,
                    mean,
                    sd,
                    centre - width / 2.0,
                    centre + width / 2.0,
                );
                XyPoint::new(tenths_ms(centre), libm::round(count) as i64)
            })
            .collect();
        series.push(XySeries {
            label: "normal fit".into(),
            colour: 3,
            style: XyStyle::Line,
            points: curve,
        });
    }
    let data = Xy {
        x: Scale::new("gap", "ms", 10),
        y: Scale::new("heartbeats", "", 1),
        series,
        guides: Vec::new(),
    };
    Picture {
        id: "inter-arrivals",
        title: format!("Gaps between heartbeats at {}", node_name(OBSERVER)),
        caption: if n == 0 {
            "No heartbeats heard yet.".into()
        } else {
            format!(
                "{n} gaps from every peer, in buckets of {}; the last bucket holds every longer gap. The curve is the normal {} fits now to the last {} gaps from {} (mean {}, deviation {}), as the count it expects per bucket. Outlined: {beyond_fit} gaps in buckets that normal cannot explain (pauses, lost heartbeats).",
                format_duration(config.bucket_us),
                node_name(OBSERVER),
                config.window,
                node_name(WATCHED),
                format_duration(mean as Time),
                format_duration(sd as Time)
            )
        },
        primary: false,
        version: data.fingerprint(),
        kind: PictureKind::Xy(data),
    }
}

/// S1's suspicions on the timeline, one lane per peer.
fn lanes(nodes: &Nodes<'_, Heartbeat>, records: &Records) -> Picture {
    let lanes = nodes
        .ids()
        .filter(|&p| p != OBSERVER)
        .map(|peer| Lane {
            label: node_name(peer),
            spans: records
                .spans
                .iter()
                .filter(|s| s.peer == peer)
                .map(|s| Span {
                    start: s.start.max(0) as Time,
                    end: s.end.map(|e| e.max(0) as Time),
                    label: match s.wrong {
                        Some(true) => "wrongly suspected".into(),
                        Some(false) => "suspected: had crashed".into(),
                        None => "suspected".into(),
                    },
                    tone: if s.wrong == Some(true) {
                        Tone::Suspect
                    } else {
                        Tone::Faulty
                    },
                    highlight: s.wrong == Some(true),
                })
                .collect(),
        })
        .collect();
    Picture {
        id: "suspicion-lanes",
        title: format!("{}'s suspicions", node_name(OBSERVER)),
        caption: format!(
            "When {} suspected each peer and until when; outlined spans ended with the same peer answering, so it had never crashed.",
            node_name(OBSERVER)
        ),
        primary: false,
        version: hash(
            records
                .spans
                .iter()
                .map(|s| s.start ^ s.end.unwrap_or(-1) ^ i64::from(s.peer)),
        ),
        kind: PictureKind::Lanes(Lanes {
            lanes,
            marks: Vec::new(),
        }),
    }
}

/// The timeout dilemma: each shadow detector's mean detection time and false suspicions.
fn dilemma(config: &Config, records: &Records, now: Time) -> Picture {
    let cell = |text: String, colour: u8, highlight: bool| {
        Some(Cell {
            text,
            colour,
            solid: false,
            highlight,
            detail: String::new(),
        })
    };
    let mut cells = Vec::new();
    let mut rows = Vec::new();
    for (rung, setting) in config.rungs.iter().enumerate() {
        let tally = &records.tally[rung];
        let current = setting.threshold == config.detector.threshold;
        rows.push(rung_label(setting));
        cells.push(cell(
            if tally.detections == 0 {
                "—".into()
            } else {
                format_duration(tally.detection_us / u64::from(tally.detections))
            },
            0,
            current,
        ));
        cells.push(cell(
            if now < SECOND {
                "—".into()
            } else {
                format!(
                    "{:.0}",
                    f64::from(tally.false_suspicions) * 3_600.0 * SECOND as f64 / now as f64
                )
            },
            1,
            current,
        ));
        cells.push(cell(
            format!("{} / {}", tally.detections, tally.false_suspicions),
            2,
            current,
        ));
    }
    Picture {
        id: "dilemma",
        title: "The timeout dilemma".into(),
        caption: format!(
            "{} runs one shadow detector per threshold on the same heartbeats. Mean detection: the silence at which a crashed peer was suspected; false suspicions per hour of this run. Lower thresholds detect sooner and cry wolf more. Outlined: your setting.",
            node_name(OBSERVER)
        ),
        primary: false,
        version: hash(
            records
                .tally
                .iter()
                .map(|t| i64::from(t.detections) << 32 ^ i64::from(t.false_suspicions)),
        ) ^ (now / SECOND),
        kind: PictureKind::Grid(Grid {
            row_label: "threshold".into(),
            column_label: "outcome".into(),
            rows,
            columns: vec![
                "mean detection".into(),
                "false / hour".into(),
                "detected / false".into(),
            ],
            cells,
        }),
    }
}
