//! The lab's pictures: rounds on a timeline (Paxos: each proposer's ballots; FloodSet: each
//! node's rounds with the values it had seen), and how many nodes are still undecided over
//! time, with GST marked where the model has one.

use super::floodset::{values_name, FloodConfig, FloodSet};
use super::Models;
use crate::paxos::{Config, Paxos, Phase};
use crate::timeline::{span, true_time};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{
    Lane, Lanes, MarkKind, Picture, PictureKind, Scale, Series, TimeMark, TimeSeries,
};
use failscope_sim::protocol::Tone;
use failscope_sim::time::Time;

fn version(lanes: &[Lane]) -> u64 {
    lanes
        .iter()
        .flat_map(|l| &l.spans)
        .fold(lanes.len() as u64, |h, s| {
            h.wrapping_mul(31)
                .wrapping_add(s.start ^ s.end.map_or(1, |e| e << 1) ^ s.label.len() as u64)
        })
}

fn rounds(lanes: Vec<Lane>, marks: Vec<TimeMark>, caption: &str) -> Picture {
    Picture {
        id: "rounds",
        title: "Rounds on a timeline".into(),
        caption: caption.into(),
        primary: true,
        version: version(&lanes) ^ marks.len() as u64,
        kind: PictureKind::Lanes(Lanes { lanes, marks }),
    }
}

/// Undecided nodes over time: `total` at first, one fewer at each decision time.
fn undecided(total: i64, mut decided: Vec<Time>, now: Time, marks: Vec<TimeMark>) -> Picture {
    decided.sort_unstable();
    let mut points = vec![(0, total)];
    for (k, &t) in decided.iter().enumerate() {
        points.push((t, total - k as i64));
        points.push((t, total - k as i64 - 1));
    }
    let left = total - decided.len() as i64;
    if points.last().is_none_or(|p| p.0 < now) {
        points.push((now, left));
    }
    let version = points.iter().fold(0u64, |h, p| {
        h.wrapping_mul(31).wrapping_add(p.0 ^ p.1 as u64)
    });
    Picture {
        id: "undecided",
        title: format!("Undecided: {left} of {total}"),
        caption: "How many of the nodes that must decide have not yet, over simulated time.".into(),
        primary: false,
        version,
        kind: PictureKind::TimeSeries(TimeSeries {
            y: Scale::new("undecided", "nodes", 1),
            series: vec![Series {
                label: "undecided".into(),
                colour: 0,
                points,
            }],
            marks,
            threshold: None,
        }),
    }
}

pub fn paxos(config: &Config, nodes: &Nodes<'_, Paxos<Models>>, now: Time) -> Vec<Picture> {
    let marks: Vec<TimeMark> = config
        .gst_us
        .map(|at| TimeMark {
            at,
            kind: MarkKind::Info,
            label: "GST: delays bounded from here".into(),
        })
        .into_iter()
        .collect();
    let lanes: Vec<Lane> = (0..config.n_proposers)
        .map(|p| {
            let durable = nodes.durable(p);
            let ballots = durable.map_or(&[][..], |d| &d.ballots[..]);
            let chosen = match nodes.state(p).and_then(Paxos::proposer).map(|x| &x.phase) {
                Some(Phase::Chosen { ballot, .. }) => Some(*ballot),
                _ => None,
            };
            let decided = durable
                .and_then(|d| d.decided_mono)
                .map(|m| true_time(nodes, p, m));
            let spans = ballots
                .iter()
                .enumerate()
                .map(|(i, &(ballot, mono))| {
                    let start = true_time(nodes, p, mono);
                    let end = match ballots.get(i + 1) {
                        Some(&(_, next)) => Some(true_time(nodes, p, next)),
                        None => decided,
                    };
                    let won = chosen == Some(ballot);
                    let tone = if won { Tone::Primary } else { Tone::Candidate };
                    span(start, end, format!("ballot {}", ballot.name()), tone, won)
                })
                .collect();
            Lane {
                label: node_name(p),
                spans,
            }
        })
        .collect();
    let deciders: Vec<NodeId> = (0..config.n_proposers).chain(config.learners()).collect();
    let decided = deciders
        .iter()
        .filter_map(|&n| Some(true_time(nodes, n, nodes.durable(n)?.decided_mono?)))
        .collect();
    vec![
        rounds(lanes, marks.clone(), "Each proposer's ballots, one after another: a ballot ends when the proposer gives up on it; the ringed one chose the value."),
        undecided(deciders.len() as i64, decided, now, marks),
    ]
}

pub fn floodset(config: &FloodConfig, nodes: &Nodes<'_, FloodSet>, now: Time) -> Vec<Picture> {
    let r = config.round_us;
    let lanes: Vec<Lane> = nodes
        .ids()
        .map(|n| {
            let mut spans = Vec::new();
            if let Some(d) = nodes.durable(n) {
                for m in &d.rounds {
                    let start = Time::from(m.round - 1) * r;
                    let (label, highlight) = match m.cut_after {
                        Some(k) => (format!("round {}: reached {k} node", m.round), true),
                        None => (
                            format!("round {}: W = {}", m.round, values_name(m.w)),
                            false,
                        ),
                    };
                    let tone = if config.is_faulty(n) {
                        Tone::Suspect
                    } else {
                        Tone::Secondary
                    };
                    spans.push(span(start, Some(start + r), label, tone, highlight));
                }
                if let Some(stop) = d.stopped {
                    let at = Time::from(stop) * r;
                    spans.push(span(at, None, "crashed".into(), Tone::Faulty, false));
                } else if let Some(v) = d.decided {
                    let at = Time::from(config.rounds) * r;
                    spans.push(span(at, None, format!("decided {v}"), Tone::Primary, false));
                }
            }
            Lane {
                label: node_name(n),
                spans,
            }
        })
        .collect();
    let correct: Vec<NodeId> = nodes.ids().filter(|&n| !config.is_faulty(n)).collect();
    let end = Time::from(config.rounds) * r;
    let decided = correct
        .iter()
        .filter(|&&n| nodes.durable(n).is_some_and(|d| d.decided.is_some()))
        .map(|_| end)
        .collect();
    vec![
        rounds(lanes, Vec::new(), "Each node's rounds with the set W of values it had seen at the end of each, a broadcast cut short (ringed), and its decision."),
        undecided(correct.len() as i64, decided, now, Vec::new()),
    ]
}
