//! The gallery's pictures: one of each kind, from the servers' journals at the cursor.

use super::{Config, Journal, Period, Pinger, Verdict};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{
    Bar, Bars, Cell, Graph, GraphEdge, GraphNode, Grid, Lane, Lanes, MachineState, MarkKind,
    Picture, PictureKind, Scale, Series, Span, StateMachine, TimeMark, TimeSeries, Transition,
    Tree, TreeNode,
};
use failscope_sim::protocol::Tone;
use failscope_sim::time::Time;
use failscope_sim::world::NodeStatus;

/// Round trips in tenths of a millisecond: every picture showing one formats it alike.
pub fn rtt_scale() -> Scale {
    Scale::new("round trip", "ms", 10)
}

fn tenths(us: Time) -> i64 {
    (us / 100) as i64
}

/// Beats shown in the grid.
const GRID_BEATS: usize = 8;

/// Every picture kind but the ring and the x-y plot, in the order the page shows them. (With
/// those two chunks as well, this page would pass the page byte budget; each is drawn by
/// labs of its own: the hash ring, failure detection and resilience.)
pub fn all(config: &Config, nodes: &Nodes<'_, Pinger>, now: Time) -> Vec<Picture> {
    let journals: Vec<(NodeId, &Journal, NodeStatus)> = nodes
        .ids()
        .filter_map(|id| Some((id, nodes.durable(id)?, nodes.status(id)?)))
        .collect();
    let marks = marks(&journals);
    let version = fingerprint(&journals);
    // Every picture but the lives changes only when the journals do.
    let titled = |id, title, caption, kind| picture(id, title, caption, version, kind);
    vec![
        titled(
            "round-trips",
            "Round trips",
            "Each server's mean round trip per beat; the dashed line is the slow threshold, triangles are faults and diamonds slow round trips.",
            round_trips(config, &journals, marks.clone()),
        ),
        titled(
            "answers",
            "Answers received",
            "How many pongs each server has received; the dashed line is the mean, outlined bars are well below it.",
            answers(&journals),
        ),
        titled(
            "fastest",
            "Fastest peer",
            "Each server points at the peer it believes alive that last answered it quickest; servers on a cycle chose each other.",
            fastest(&journals),
        ),
        titled(
            "detector",
            "A failure detector",
            "S1's detector for the last server: how often it entered each state and took each transition.",
            detector(&journals),
        ),
        titled(
            "verdicts",
            "Who is alive?",
            "For each server, the truth and what the others' detectors say; each inner node shows the majority.",
            verdicts(&journals),
        ),
        titled(
            "beats",
            "Recent beats",
            "Answers each server counted in its last beats: solid when every peer answered.",
            beats(&journals),
        ),
        // An open span runs to now: this picture changes with the cursor.
        picture(
            "lives",
            "Lives",
            "Each server's up, paused and down periods as its journal records them; an open span runs to now.",
            version ^ now,
            lives(&journals, now, marks),
        ),
    ]
}

fn picture(
    id: &'static str,
    title: &str,
    caption: &str,
    version: u64,
    kind: PictureKind,
) -> Picture {
    Picture {
        id,
        title: title.into(),
        caption: caption.into(),
        primary: false,
        version,
        kind,
    }
}

/// A hash of everything the pictures are drawn from (the journals and the servers' states),
/// for [`Picture::version`]: the page redraws a picture only when its version changes.
fn fingerprint(journals: &[(NodeId, &Journal, NodeStatus)]) -> u64 {
    let mut h = failscope_sim::trace::Fnv::new();
    for (id, journal, status) in journals {
        h.u64(u64::from(*id));
        h.u64(match status {
            NodeStatus::Up => 0,
            NodeStatus::Down => 1,
            NodeStatus::Paused { until } => 2 | until << 2,
        });
        h.u64(u64::from(journal.boots));
        h.u64(journal.last_beat);
        h.u64(journal.samples.len() as u64);
        journal.answers.iter().for_each(|&a| h.u64(a));
        journal.last_heard.iter().for_each(|&t| h.u64(t));
        for detector in &journal.detectors {
            detector.entered.iter().for_each(|&n| h.u64(n));
        }
    }
    h.finish()
}

/// A server's tone as the pictures show it.
fn tone(status: NodeStatus) -> Tone {
    match status {
        NodeStatus::Up => Tone::Secondary,
        NodeStatus::Paused { .. } => Tone::Suspect,
        NodeStatus::Down => Tone::Faulty,
    }
}

/// Every journal's marks, plus "down now" for crashed servers, in time order.
fn marks(journals: &[(NodeId, &Journal, NodeStatus)]) -> Vec<TimeMark> {
    let mut out: Vec<TimeMark> = journals
        .iter()
        .flat_map(|(_, j, _)| j.marks.iter().cloned())
        .collect();
    for (id, j, status) in journals {
        if *status == NodeStatus::Down {
            out.push(TimeMark {
                at: j.last_beat,
                kind: MarkKind::Fault,
                label: format!("{} is down (its last beat)", node_name(*id)),
            });
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.label.cmp(&b.label)));
    // Marks of one kind at one moment (three servers' slow round trips to a server that
    // just woke up) are one mark with every label.
    let mut merged: Vec<TimeMark> = Vec::with_capacity(out.len());
    for m in out {
        match merged.last_mut() {
            Some(last) if last.at == m.at && last.kind == m.kind => {
                last.label.push_str("; ");
                last.label.push_str(&m.label);
            }
            _ => merged.push(m),
        }
    }
    merged
}

fn round_trips(
    config: &Config,
    journals: &[(NodeId, &Journal, NodeStatus)],
    marks: Vec<TimeMark>,
) -> PictureKind {
    let series = journals
        .iter()
        .map(|(id, j, _)| Series {
            label: node_name(*id),
            colour: (*id % 8) as u8,
            points: j
                .samples
                .iter()
                .filter_map(|s| Some((s.at, tenths(s.mean_rtt_us?))))
                .collect(),
        })
        .collect();
    PictureKind::TimeSeries(TimeSeries {
        y: rtt_scale(),
        series,
        marks,
        threshold: Some((tenths(config.slow_us), "slow above".into())),
    })
}

fn answers(journals: &[(NodeId, &Journal, NodeStatus)]) -> PictureKind {
    let totals: Vec<i64> = journals
        .iter()
        .map(|(_, j, _)| j.answers.iter().sum::<u64>() as i64)
        .collect();
    let mean = if totals.is_empty() {
        0
    } else {
        totals.iter().sum::<i64>() / totals.len() as i64
    };
    PictureKind::Bars(Bars {
        x_label: "server".into(),
        y: Scale::new("answers", "pongs", 1),
        bars: journals
            .iter()
            .zip(&totals)
            .map(|((id, _, status), &total)| Bar {
                label: node_name(*id),
                value: total,
                tone: tone(*status),
                highlight: total * 10 < mean * 9,
            })
            .collect(),
        reference: Some((mean, "mean".into())),
    })
}

/// Which nodes of a graph where each node points at most at one other lie on a cycle.
pub fn cycle_members(next: &[Option<usize>]) -> Vec<bool> {
    (0..next.len())
        .map(|start| {
            let mut at = next[start];
            for _ in 0..next.len() {
                match at {
                    Some(n) if n == start => return true,
                    Some(n) => at = next.get(n).copied().flatten(),
                    None => return false,
                }
            }
            false
        })
        .collect()
}

fn fastest(journals: &[(NodeId, &Journal, NodeStatus)]) -> PictureKind {
    let scale = rtt_scale();
    let next: Vec<Option<(usize, Time)>> = journals
        .iter()
        .map(|(id, j, status)| {
            if *status == NodeStatus::Down {
                return None;
            }
            j.last_rtt
                .iter()
                .enumerate()
                .filter(|(p, _)| *p != usize::from(*id))
                .filter(|(p, _)| {
                    j.detectors
                        .get(*p)
                        .is_some_and(|d| d.verdict == Verdict::Alive)
                })
                .filter_map(|(p, r)| Some((p, (*r)?)))
                .min_by_key(|&(p, r)| (r, p))
        })
        .collect();
    let on_cycle = cycle_members(&next.iter().map(|n| n.map(|(p, _)| p)).collect::<Vec<_>>());
    PictureKind::Graph(Graph {
        nodes: journals
            .iter()
            .map(|(id, _, status)| GraphNode {
                label: node_name(*id),
                tone: tone(*status),
            })
            .collect(),
        edges: next
            .iter()
            .enumerate()
            .filter_map(|(from, n)| {
                let (to, rtt) = (*n)?;
                Some(GraphEdge {
                    from: from as u16,
                    to: to as u16,
                    label: scale.format(tenths(rtt)),
                    highlight: on_cycle[from],
                })
            })
            .collect(),
    })
}

fn detector(journals: &[(NodeId, &Journal, NodeStatus)]) -> PictureKind {
    let watched = journals.len().saturating_sub(1);
    let d = journals
        .first()
        .and_then(|(_, j, _)| j.detectors.get(watched))
        .cloned()
        .unwrap_or_default();
    let tones = [Tone::Secondary, Tone::Suspect, Tone::Faulty];
    let states = Verdict::ALL
        .iter()
        .zip(tones)
        .map(|(v, tone)| MachineState {
            label: format!("{} {}", node_name(watched as NodeId), v.name()),
            tone,
            entered: d.entered[*v as usize],
        })
        .collect();
    let edge = |from: Verdict, to: Verdict, label: &str| Transition {
        from: from as u16,
        to: to as u16,
        label: label.into(),
        taken: d.taken[from as usize][to as usize],
    };
    let mut transitions = vec![
        edge(Verdict::Alive, Verdict::Suspect, "silent"),
        edge(Verdict::Suspect, Verdict::Dead, "still silent"),
        edge(Verdict::Suspect, Verdict::Alive, "pong"),
        edge(Verdict::Dead, Verdict::Alive, "pong"),
    ];
    let jump = edge(Verdict::Alive, Verdict::Dead, "silent long");
    if jump.taken > 0 {
        transitions.push(jump);
    }
    PictureKind::StateMachine(StateMachine {
        states,
        transitions,
        current: d.verdict as u16,
    })
}

/// The most common verdict (ties go to the worse one) and how many gave it.
pub fn majority(verdicts: &[Verdict]) -> Option<(Verdict, usize)> {
    Verdict::ALL
        .iter()
        .map(|&v| (v, verdicts.iter().filter(|&&x| x == v).count()))
        .filter(|&(_, n)| n > 0)
        .max_by_key(|&(v, n)| (n, v))
}

fn verdicts(journals: &[(NodeId, &Journal, NodeStatus)]) -> PictureKind {
    let mut folds = Vec::new();
    let children = journals
        .iter()
        .map(|(subject, _, status)| {
            let s = usize::from(*subject);
            let mut votes = Vec::new();
            let leaves = journals
                .iter()
                .filter(|(watcher, _, _)| watcher != subject)
                .map(|(watcher, j, wstatus)| {
                    let verdict = j.detectors.get(s).map(|d| d.verdict).unwrap_or_default();
                    let up = *wstatus != NodeStatus::Down;
                    if up {
                        votes.push(verdict);
                    }
                    TreeNode {
                        label: format!("{} says", node_name(*watcher)),
                        value: if up {
                            verdict.name().into()
                        } else {
                            "no vote".into()
                        },
                        tone: if !up {
                            Tone::Idle
                        } else {
                            verdict_tone(verdict)
                        },
                        fold: None,
                        children: Vec::new(),
                    }
                })
                .collect();
            let fold = majority(&votes);
            if let Some((v, _)) = fold {
                folds.push(v);
            }
            TreeNode {
                label: node_name(*subject),
                value: match status {
                    NodeStatus::Up => "up",
                    NodeStatus::Paused { .. } => "paused",
                    NodeStatus::Down => "down",
                }
                .into(),
                tone: tone(*status),
                fold: Some(fold.map_or_else(
                    || "no votes".to_string(),
                    |(v, n)| format!("{} ({n} of {})", v.name(), votes.len()),
                )),
                children: leaves,
            }
        })
        .collect();
    let up = journals
        .iter()
        .filter(|(_, _, s)| *s != NodeStatus::Down)
        .count();
    let alive = folds.iter().filter(|v| **v == Verdict::Alive).count();
    PictureKind::Tree(Tree {
        root: TreeNode {
            label: "cluster".into(),
            value: format!("{up} of {} up", journals.len()),
            tone: Tone::Primary,
            fold: Some(format!("{alive} of {} alive", journals.len())),
            children,
        },
    })
}

fn verdict_tone(v: Verdict) -> Tone {
    match v {
        Verdict::Alive => Tone::Secondary,
        Verdict::Suspect => Tone::Suspect,
        Verdict::Dead => Tone::Faulty,
    }
}

fn beats(journals: &[(NodeId, &Journal, NodeStatus)]) -> PictureKind {
    let peers = journals.len().saturating_sub(1) as u32;
    let columns: Vec<String> = (0..GRID_BEATS)
        .rev()
        .map(|ago| {
            if ago == 0 {
                "last".into()
            } else {
                format!("−{ago}")
            }
        })
        .collect();
    let mut cells = Vec::with_capacity(journals.len() * GRID_BEATS);
    for (_, j, _) in journals {
        let recent: Vec<_> = j.samples.iter().rev().take(GRID_BEATS).collect();
        for ago in (0..GRID_BEATS).rev() {
            cells.push(recent.get(ago).map(|s| Cell {
                text: s.answers.to_string(),
                colour: if s.answers >= peers { 2 } else { 1 },
                solid: s.answers >= peers,
                highlight: s.answers == 0,
                detail: format!(
                    "beat at {}: {} of {peers} answered{}",
                    failscope_sim::time::format_duration(s.at),
                    s.answers,
                    s.mean_rtt_us.map_or(String::new(), |r| format!(
                        ", mean round trip {}",
                        rtt_scale().format(tenths(r))
                    ))
                ),
            }));
        }
    }
    PictureKind::Grid(Grid {
        row_label: "server".into(),
        column_label: "beat".into(),
        rows: journals.iter().map(|(id, _, _)| node_name(*id)).collect(),
        columns,
        cells,
    })
}

fn lives(
    journals: &[(NodeId, &Journal, NodeStatus)],
    now: Time,
    marks: Vec<TimeMark>,
) -> PictureKind {
    let lanes = journals
        .iter()
        .map(|(id, j, status)| {
            let mut spans: Vec<Span> = j
                .episodes
                .iter()
                .map(|e| span(e.period, e.start, e.end))
                .collect();
            // The journal of a server that is down (or frozen) still ends in an open "up":
            // the picture knows better and ends it at the last beat.
            let now_period = match status {
                NodeStatus::Up => None,
                NodeStatus::Paused { .. } => Some(Period::Paused),
                NodeStatus::Down => Some(Period::Down),
            };
            if let Some(period) = now_period {
                let last = j.last_beat.min(now);
                if let Some(open) = spans.last_mut().filter(|s| s.end.is_none()) {
                    open.end = Some(last.max(open.start));
                }
                spans.push(span(period, last, None));
            }
            Lane {
                label: node_name(*id),
                spans,
            }
        })
        .collect();
    PictureKind::Lanes(Lanes { lanes, marks })
}

fn span(period: Period, start: Time, end: Option<Time>) -> Span {
    let (label, tone, highlight) = match period {
        Period::Up => ("up", Tone::Secondary, false),
        Period::Paused => ("paused", Tone::Suspect, true),
        Period::Down => ("down", Tone::Faulty, true),
    };
    Span {
        start,
        end,
        label: label.into(),
        tone,
        highlight,
    }
}
