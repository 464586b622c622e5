//! The lab's pictures: the partitions as offset strips (one row per partition, or the
//! queue), each record coloured by its key, solid once passed by the committed offset, with
//! the consumer holding the partition and its position in the row's label; the group's
//! assignment as a graph; the lag of each partition over time; and the tally of effects
//! (once, twice, lost, dead-lettered).

use super::checks;
use super::config::{Config, COORDINATOR, DATABASE, FIRST_CONSUMER, MAX_CONSUMERS};
use super::node::{Rec, Slot, Streams};
use failscope_sim::ids::node_name;
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{
    Bar, Bars, Cell, Graph, GraphEdge, GraphNode, Grid, MarkKind, Picture, PictureKind, Scale,
    Series, TimeMark, TimeSeries,
};
use failscope_sim::protocol::Tone;
use failscope_sim::time::{Time, MS};

/// How many offsets a strip shows: the newest ones.
const COLUMNS: usize = 16;
const LAG_STEP_US: Time = 100 * MS;

fn hash(values: impl Iterator<Item = u64>) -> u64 {
    values.fold(17u64, |h, v| h.wrapping_mul(31).wrapping_add(v))
}

/// Counts of messages by what became of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub produced: u32,
    pub once: u32,
    pub twice: u32,
    pub lost: u32,
    pub dead: u32,
}

pub fn tally(config: &Config, nodes: &Nodes<'_, Streams>) -> Tally {
    let mut t = Tally {
        produced: nodes.durable(0).map_or(0, |d| d.produced),
        lost: checks::lost(nodes, config).len() as u32,
        ..Tally::default()
    };
    if let Some(db) = nodes.durable(DATABASE) {
        for &e in &db.effects {
            match e {
                0 => {}
                1 => t.once += 1,
                _ => t.twice += 1,
            }
        }
    }
    t.dead = (FIRST_CONSUMER..FIRST_CONSUMER + MAX_CONSUMERS)
        .filter_map(|c| nodes.durable(c))
        .map(|d| d.dead_lettered.len() as u32)
        .sum();
    t
}

pub fn all(config: &Config, nodes: &Nodes<'_, Streams>, now: Time) -> Vec<Picture> {
    let t = tally(config, nodes);
    vec![
        strips(config, nodes),
        assignment(config, nodes),
        lag(config, nodes, now),
        Picture {
            id: "effects",
            title: "What became of each message".into(),
            caption: format!(
                "Of {} messages produced: {} took effect once, {} twice or more, {} were lost, {} went to the dead-letter queue.",
                t.produced, t.once, t.twice, t.lost, t.dead
            ),
            primary: false,
            version: hash([t.produced, t.once, t.twice, t.lost, t.dead].into_iter().map(u64::from)),
            kind: PictureKind::Bars(Bars {
                x_label: "outcome".into(),
                y: Scale::new("messages", "", 1),
                bars: vec![
                    bar("once", t.once, Tone::Primary, false),
                    bar("duplicated", t.twice, Tone::Suspect, t.twice > 0),
                    bar("lost", t.lost, Tone::Faulty, t.lost > 0),
                    bar("dead letter", t.dead, Tone::Idle, false),
                ],
                reference: Some((i64::from(t.produced), "produced".into())),
            }),
        },
    ]
}

fn bar(label: &str, value: u32, tone: Tone, highlight: bool) -> Bar {
    Bar {
        label: label.into(),
        value: i64::from(value),
        tone,
        highlight,
    }
}

/// Each record as a cell: key as colour, solid once processed (committed or acknowledged).
fn strips(config: &Config, nodes: &Nodes<'_, Streams>) -> Picture {
    let db = nodes.durable(DATABASE);
    let effects = |id: u32| db.map_or(0, |d| d.effects_of(id));
    let cell = |rec: &Rec, passed: bool, current: bool, extra: &str| {
        let e = effects(rec.id);
        Some(Cell {
            text: format!("k{}", rec.key),
            colour: rec.key % 8,
            solid: passed,
            highlight: e > 1 || current,
            detail: format!(
                "message #{} (key k{}){extra}: {}",
                rec.id + 1,
                rec.key,
                match e {
                    0 => "no effect yet".to_string(),
                    1 => "took effect once".to_string(),
                    n => format!("took effect {n} times"),
                }
            ),
        })
    };
    let mut rows = Vec::new();
    let mut cells = Vec::new();
    let columns: Vec<String>;
    if config.queue {
        let queue = nodes
            .durable(COORDINATOR)
            .map(|d| d.queue.as_slice())
            .unwrap_or(&[]);
        // The queue as it stands: messages not yet deleted, oldest first.
        let waiting: Vec<&(Rec, Slot)> = queue
            .iter()
            .filter(|q| !matches!(q.1, Slot::Done(_)))
            .take(COLUMNS)
            .collect();
        let done = queue.len()
            - queue
                .iter()
                .filter(|q| !matches!(q.1, Slot::Done(_)))
                .count();
        rows.push(format!("queue ({done} deleted)"));
        columns = (1..=COLUMNS).map(|i| i.to_string()).collect();
        for i in 0..COLUMNS {
            cells.push(waiting.get(i).and_then(|(rec, slot)| match slot {
                Slot::Held(c, _) => cell(rec, false, true, &format!(", with {}", node_name(*c))),
                _ => cell(rec, false, false, ", waiting"),
            }));
        }
    } else {
        let group = nodes
            .durable(COORDINATOR)
            .map(|d| d.group.clone())
            .unwrap_or_default();
        let logs: Vec<&[Rec]> = (0..config.partitions)
            .map(|p| {
                nodes
                    .durable(Config::broker_of(p))
                    .and_then(|d| d.partitions.get(usize::from(p)))
                    .map_or(&[][..], Vec::as_slice)
            })
            .collect();
        let end = logs.iter().map(|l| l.len()).max().unwrap_or(0);
        let from = end.saturating_sub(COLUMNS);
        columns = (from..from + COLUMNS).map(|i| i.to_string()).collect();
        for (p, log) in logs.iter().enumerate() {
            let committed = group.committed.get(p).copied().unwrap_or(0) as usize;
            let mut reader = None;
            for c in FIRST_CONSUMER..FIRST_CONSUMER + MAX_CONSUMERS {
                if let Some(Streams::Consumer(s)) = nodes.state(c) {
                    if let Some(o) = s.owned.iter().find(|o| usize::from(o.0) == p) {
                        let current = s
                            .batch
                            .as_ref()
                            .filter(|b| usize::from(b.partition) == p)
                            .and_then(|b| b.recs.get(b.next))
                            .map(|r| r.id);
                        reader = Some((c, o.1, current));
                    }
                }
            }
            rows.push(match reader {
                Some((c, pos, _)) => {
                    format!("P{p} · {} at {pos} · committed {committed}", node_name(c))
                }
                None => format!("P{p} · no consumer · committed {committed}"),
            });
            let current = reader.and_then(|r| r.2);
            for offset in from..from + COLUMNS {
                cells.push(log.get(offset).and_then(|rec| {
                    let extra = format!(" at offset {offset}");
                    cell(rec, offset < committed, current == Some(rec.id), &extra)
                }));
            }
        }
    }
    let grid = Grid {
        row_label: if config.queue { "queue" } else { "partition" }.into(),
        column_label: if config.queue { "position" } else { "offset" }.into(),
        rows,
        columns,
        cells,
    };
    Picture {
        id: "partitions",
        title: if config.queue {
            "The queue".into()
        } else {
            "Partitions and offsets".into()
        },
        caption: if config.queue {
            "The messages still in the queue, oldest first, coloured by key; outlined ones wait, highlighted ones are with a consumer. An acknowledged message is deleted.".into()
        } else {
            "Each partition's newest offsets, coloured by key: solid records are behind the committed offset; the row says which consumer reads it and where; highlighted: the record being processed, or one that took effect twice.".into()
        },
        primary: true,
        version: grid.fingerprint(),
        kind: PictureKind::Grid(grid),
    }
}

fn assignment(config: &Config, nodes: &Nodes<'_, Streams>) -> Picture {
    let group = nodes
        .durable(COORDINATOR)
        .map(|d| d.group.clone())
        .unwrap_or_default();
    let mut graph_nodes = Vec::new();
    let mut edges = Vec::new();
    let consumers: Vec<u16> = (FIRST_CONSUMER..FIRST_CONSUMER + MAX_CONSUMERS).collect();
    for &c in &consumers {
        let member = group.members.iter().any(|m| m.0 == c);
        graph_nodes.push(GraphNode {
            label: node_name(c),
            tone: match nodes.state(c) {
                None => Tone::Faulty,
                Some(_) if member => Tone::Secondary,
                Some(_) => Tone::Idle,
            },
        });
    }
    let n_parts = if config.queue { 1 } else { config.partitions };
    for p in 0..n_parts {
        let index = graph_nodes.len() as u16;
        graph_nodes.push(GraphNode {
            label: if config.queue {
                "queue".into()
            } else {
                format!("P{p}")
            },
            tone: Tone::Primary,
        });
        if config.queue {
            for (i, &c) in consumers.iter().enumerate() {
                if group.members.iter().any(|m| m.0 == c) {
                    edges.push(GraphEdge {
                        from: i as u16,
                        to: index,
                        label: "competes".into(),
                        highlight: false,
                    });
                }
            }
            continue;
        }
        let (owner, target) = (
            group.owner.get(usize::from(p)).copied().flatten(),
            group.target.get(usize::from(p)).copied().flatten(),
        );
        if let Some(o) = owner {
            let moving = group.stop_world || target != Some(o);
            edges.push(GraphEdge {
                from: o - FIRST_CONSUMER,
                to: index,
                label: if moving { "giving up" } else { "reads" }.into(),
                highlight: moving,
            });
        }
        if let Some(t) = target.filter(|&t| owner != Some(t)) {
            edges.push(GraphEdge {
                from: t - FIRST_CONSUMER,
                to: index,
                label: "will read".into(),
                highlight: true,
            });
        }
    }
    let graph = Graph {
        nodes: graph_nodes,
        edges,
    };
    Picture {
        id: "assignment",
        title: "The group's assignment".into(),
        caption: if config.queue {
            "Every member of the group competes for the queue's next message.".into()
        } else {
            "Which consumer reads each partition; highlighted: a partition being given up or about to move during a rebalance.".into()
        },
        primary: false,
        version: hash(
            graph
                .edges
                .iter()
                .map(|e| u64::from(e.from) * 64 + u64::from(e.to) * 2 + u64::from(e.highlight))
                .chain(graph.nodes.iter().map(|n| n.tone as u64)),
        ),
        kind: PictureKind::Graph(graph),
    }
}

/// Lag per partition over time: records appended minus the committed offset (for a queue,
/// messages not yet deleted), sampled every 0.1 s.
fn lag(config: &Config, nodes: &Nodes<'_, Streams>, now: Time) -> Picture {
    let at = |node: u16, mono: i64| {
        nodes
            .clock(node)
            .map_or(mono.max(0) as Time, |c| c.true_time_of_monotonic(mono))
    };
    let steps = (now / LAG_STEP_US) as usize + 1;
    let mut series = Vec::new();
    let group = nodes
        .durable(COORDINATOR)
        .map(|d| d.group.clone())
        .unwrap_or_default();
    if config.queue {
        let queue = nodes
            .durable(COORDINATOR)
            .map(|d| d.queue.clone())
            .unwrap_or_default();
        let points = (0..steps)
            .map(|s| {
                let t = s as Time * LAG_STEP_US;
                let n = queue
                    .iter()
                    .filter(|(rec, slot)| {
                        at(COORDINATOR, rec.at) <= t
                            && !matches!(slot, Slot::Done(d) if at(COORDINATOR, *d) <= t)
                    })
                    .count();
                (t, n as i64)
            })
            .collect();
        series.push(Series {
            label: "queue".into(),
            colour: 0,
            points,
        });
    } else {
        for p in 0..config.partitions {
            let broker = Config::broker_of(p);
            let appended: Vec<Time> = nodes
                .durable(broker)
                .and_then(|d| d.partitions.get(usize::from(p)))
                .map(|l| l.iter().map(|r| at(broker, r.at)).collect())
                .unwrap_or_default();
            let commits: Vec<(Time, u32)> = group
                .commits
                .iter()
                .filter(|c| c.1 == p)
                .map(|c| (at(COORDINATOR, c.0), c.2))
                .collect();
            let points = (0..steps)
                .map(|s| {
                    let t = s as Time * LAG_STEP_US;
                    let end = appended.partition_point(|&a| a <= t) as i64;
                    let committed = commits
                        .iter()
                        .take_while(|c| c.0 <= t)
                        .last()
                        .map_or(0, |c| i64::from(c.1));
                    (t, (end - committed).max(0))
                })
                .collect();
            series.push(Series {
                label: format!("P{p}"),
                colour: p % 8,
                points,
            });
        }
    }
    let marks: Vec<TimeMark> = group
        .rebalances
        .iter()
        .map(|r| TimeMark {
            at: at(COORDINATOR, r.0),
            kind: MarkKind::Info,
            label: format!(
                "{} rebalance, {} ms",
                if r.2 { "eager" } else { "cooperative" },
                (r.1 - r.0) / 1_000
            ),
        })
        .collect();
    let version = hash(
        series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0 ^ (p.1 as u64)))
            .chain(std::iter::once(marks.len() as u64)),
    );
    let queue_word = if config.queue {
        "messages waiting in the queue"
    } else {
        "each partition's lag: records appended but not yet committed"
    };
    Picture {
        id: "lag",
        title: "Consumer lag".into(),
        caption: format!("Over time, {queue_word}; marks where the group rebalanced."),
        primary: false,
        version,
        kind: PictureKind::TimeSeries(TimeSeries {
            y: Scale::new("lag", "records", 1),
            series,
            marks,
            threshold: None,
        }),
    }
}
