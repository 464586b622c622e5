//! The lab's pictures: every clock's error against true time (the wall clock, and the
//! monotonic one where they part); the latest events with their three stamps; the
//! last-write-wins register's writes and their fate; TrueTime commits with their waits.

use super::checks::ordered;
use super::config::{Config, Mode};
use super::node::{format_hlc, format_wall, ClockNode, EventKind, Write};
use crate::timeline::{span, true_time};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::logical_clock::Causality;
use failscope_sim::picture::{
    Cell, Grid, Lane, Lanes, Picture, PictureKind, Scale, Series, TimeSeries,
};
use failscope_sim::protocol::Tone;
use failscope_sim::time::{format_duration, Time};

/// Rows shown in the tables; commits shown per node.
const ROWS: usize = 10;
const COMMITS_SHOWN: usize = 12;

pub fn all(config: &Config, nodes: &Nodes<'_, ClockNode>, _now: Time) -> Vec<Picture> {
    // Beside the nodes: the stamps, unless clocks are timing something; the commits.
    let stamps_first = config.mode.stamps() && config.timeout_us == 0;
    let mut pictures = vec![clock_error(config, nodes)];
    pictures[0].primary = !stamps_first && config.mode != Mode::TrueTime;
    match config.mode {
        Mode::Messages | Mode::Relay => {
            let mut stamps = events(nodes);
            stamps.primary = stamps_first;
            pictures.insert(0, stamps);
        }
        Mode::LastWriteWins => pictures.push(writes(nodes)),
        Mode::TrueTime => pictures.insert(0, commits(nodes)),
    }
    pictures
}

fn version(parts: &[u64]) -> u64 {
    parts.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &p| {
        (h ^ p).wrapping_mul(0x100_0000_01b3)
    })
}

fn clock_error(config: &Config, nodes: &Nodes<'_, ClockNode>) -> Picture {
    let mut series = Vec::new();
    let mut sizes = Vec::new();
    for node in nodes.ids() {
        let Some(d) = nodes.durable(node) else {
            continue;
        };
        let jumped = nodes.clock(node).is_some_and(|c| c.total_jumps_us() != 0);
        let points = |mono_too: bool| -> Vec<(Time, i64)> {
            d.samples
                .iter()
                .map(|&(mono, wall)| {
                    let t = true_time(nodes, node, mono);
                    (t, if mono_too { mono } else { wall } - t as i64)
                })
                .collect()
        };
        sizes.push(d.samples.len() as u64);
        series.push(Series {
            label: format!("{} wall", node_name(node)),
            colour: node as u8,
            points: points(false),
        });
        if jumped || config.timeout_us > 0 {
            series.push(Series {
                label: format!("{} monotonic", node_name(node)),
                colour: (node as u8 + 4) % 8,
                points: points(true),
            });
        }
    }
    Picture {
        id: "clock-error",
        title: "Clocks against true time".into(),
        caption: "How far each node's wall clock reads from true time as the run goes: offsets are levels, drift is slope, an NTP step is a jump. A monotonic clock never jumps.".into(),
        primary: false,
        version: version(&sizes),
        kind: PictureKind::TimeSeries(TimeSeries {
            // Milliseconds for TrueTime's few ms of error; seconds for skew and steps.
            y: if config.mode == Mode::TrueTime {
                Scale::new("reading − true time", "ms", 1_000)
            } else {
                Scale::new("reading − true time", "s", 1_000_000)
            },
            series,
            marks: Vec::new(),
            threshold: (config.mode == Mode::TrueTime)
                .then(|| (config.epsilon_us, "ε".to_string())),
        }),
    }
}

fn cell(text: String, colour: u8, highlight: bool) -> Option<Cell> {
    Some(Cell {
        text,
        colour,
        solid: !highlight,
        highlight,
        detail: String::new(),
    })
}

fn grid(
    id: &'static str,
    title: &str,
    caption: &str,
    columns: &[&str],
    rows: Vec<(String, Vec<Option<Cell>>)>,
) -> Picture {
    let mut names = Vec::new();
    let mut cells = Vec::new();
    let mut parts = vec![rows.len() as u64];
    for (name, row) in rows {
        parts.push(row.iter().flatten().map(|c| c.text.len() as u64).sum());
        names.push(name);
        cells.extend(row);
    }
    Picture {
        id,
        title: title.into(),
        caption: caption.into(),
        primary: false,
        version: version(&parts),
        kind: PictureKind::Grid(Grid {
            row_label: String::new(),
            column_label: String::new(),
            rows: names,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            cells,
        }),
    }
}

fn events(nodes: &Nodes<'_, ClockNode>) -> Picture {
    // The latest events of every node, in true-time order.
    let mut latest = Vec::new();
    for node in nodes.ids() {
        if let Some(d) = nodes.durable(node) {
            for e in d.events.iter().rev().take(ROWS) {
                latest.push((true_time(nodes, node, e.mono), node, e));
            }
        }
    }
    latest.sort_by_key(|&(t, node, e)| (t, node, e.number));
    let start = latest.len().saturating_sub(ROWS);
    let mut rows = Vec::new();
    let mut previous: Option<&super::node::Stamps> = None;
    for &(t, node, e) in &latest[start..] {
        let what = match e.kind {
            EventKind::Local => "local".to_string(),
            EventKind::Send { to } => format!("send to {}", node_name(to)),
            EventKind::Receive { from, .. } => format!("receive from {}", node_name(from)),
        };
        let relation = previous.map(|p| match p.vector.compare(&e.stamps.vector) {
            Causality::Before => ("after it".to_string(), false),
            Causality::Concurrent => {
                let lamport = if ordered(p, &e.stamps)[0] {
                    ", yet L is higher"
                } else {
                    ""
                };
                (format!("concurrent{lamport}"), true)
            }
            _ => ("—".to_string(), false),
        });
        rows.push((
            format!("{} {}", node_name(node), format_duration(t)),
            vec![
                cell(what, node as u8, false),
                cell(e.stamps.lamport.0.to_string(), 0, false),
                cell(e.stamps.vector.to_string(), 0, false),
                cell(format_hlc(e.stamps.hlc), 0, false),
                relation.and_then(|(text, concurrent)| {
                    cell(text, if concurrent { 5 } else { 1 }, concurrent)
                }),
            ],
        ));
        previous = Some(&e.stamps);
    }
    grid(
        "stamps",
        "Events and their stamps",
        "The latest events in true-time order with their Lamport, vector and hybrid stamps; the last column compares each event's vector with the row above: incomparable vectors mean neither event could have caused the other.",
        &["event", "Lamport", "vector", "HLC", "vs row above"],
        rows,
    )
}

fn writes(nodes: &Nodes<'_, ClockNode>) -> Picture {
    let register = nodes.durable(0).and_then(|d| d.register);
    let at = |w: &Write| true_time(nodes, w.writer, w.mono);
    let mut all: Vec<(Time, Write)> = Vec::new();
    for node in nodes.ids() {
        if let Some(d) = nodes.durable(node) {
            all.extend(d.writes.iter().rev().take(ROWS).map(|w| (at(w), *w)));
        }
    }
    all.sort_by_key(|&(t, w)| (t, w.writer));
    let start = all.len().saturating_sub(ROWS);
    let rows = all[start..]
        .iter()
        .map(|&(t, w)| {
            let fate = match register {
                Some(r) if r == w => cell("in the register".into(), 1, false),
                Some(r) if at(&r) < t => {
                    cell(format!("lost to x={} (written earlier)", r.value), 5, true)
                }
                Some(r) => cell(format!("replaced by x={}", r.value), 0, false),
                None => None,
            };
            (
                format!("x={}", w.value),
                vec![
                    cell(node_name(w.writer), w.writer as u8, false),
                    cell(format_duration(t), 0, false),
                    cell(format_wall(w.stamp), 0, false),
                    fate,
                ],
            )
        })
        .collect();
    grid(
        "writes",
        "Writes and what became of them",
        "Each write with its writer, the true time it was made, the wall-clock stamp it carried, and its fate at S1's register, which keeps the highest stamp.",
        &["writer", "true time", "stamp", "fate at S1"],
        rows,
    )
}

fn commits(nodes: &Nodes<'_, ClockNode>) -> Picture {
    // (node, number, requested, acknowledged, ts) of the commits shown.
    let mut shown: Vec<(NodeId, u32, Time, Option<Time>, i64)> = Vec::new();
    for node in nodes.ids() {
        if let Some(d) = nodes.durable(node) {
            let from = d.txns.len().saturating_sub(COMMITS_SHOWN);
            for t in &d.txns[from..] {
                shown.push((
                    node,
                    t.number,
                    true_time(nodes, node, t.request_mono),
                    t.ack_mono.map(|a| true_time(nodes, node, a)),
                    t.ts,
                ));
            }
        }
    }
    // A commit is out of order if one that finished before it began has a timestamp not below its own.
    let out_of_order = |&(_, _, requested, _, ts): &(NodeId, u32, Time, Option<Time>, i64)| {
        shown
            .iter()
            .any(|&(_, _, _, ack, ts1)| ack.is_some_and(|a| a < requested) && ts1 >= ts)
    };
    let lanes = nodes
        .ids()
        .map(|node| Lane {
            label: node_name(node),
            spans: shown
                .iter()
                .filter(|c| c.0 == node)
                .map(|c| {
                    let bad = out_of_order(c);
                    span(
                        c.2,
                        c.3,
                        format!("T{}.{} ts {}", node + 1, c.1 + 1, format_wall(c.4)),
                        if bad {
                            Tone::Faulty
                        } else if c.3.is_some() {
                            Tone::Secondary
                        } else {
                            Tone::Candidate
                        },
                        bad,
                    )
                })
                .collect(),
        })
        .collect();
    Picture {
        id: "commits",
        title: "Commits and their waits".into(),
        caption: "Each commit from its request to its acknowledgement in true time, labelled with its TrueTime timestamp (the latest the true time could be at the request). With commit-wait each bar lasts about 2ε; a highlighted one got a timestamp below a commit that finished before it began.".into(),
        primary: true,
        version: version(&[shown.len() as u64, shown.iter().filter(|c| c.3.is_some()).count() as u64, shown.last().map_or(0, |c| c.2)]),
        kind: PictureKind::Lanes(Lanes {
            lanes,
            marks: Vec::new(),
        }),
    }
}
