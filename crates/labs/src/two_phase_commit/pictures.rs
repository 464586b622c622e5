//! The lab's pictures: one lane per server over time (the coordinator's failures, each
//! participant's locks: preparing, then in doubt (or, three-phase, pre-committed) until it
//! learns the decision; an open span grows while the locks are held), and the longest lock
//! hold of each transaction as bars, labelled with where the coordinator failed in it: the
//! crash-point sweep.

use super::checks::BLOCKED_US;
use super::config::Config;
use super::node::{lookup, TwoPc};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Bar, Bars, Lane, Lanes, Picture, PictureKind, Scale, Span};
use failscope_sim::protocol::Tone;
use failscope_sim::time::{Time, MS};

const SHORT_POINTS: &[&str] = &[
    "",
    "before prepare",
    "after prepare",
    "after votes",
    "mid-send",
    "after send",
];

fn true_time(nodes: &Nodes<'_, TwoPc>, node: NodeId, mono: i64) -> Time {
    nodes
        .clock(node)
        .map_or(mono.max(0) as Time, |c| c.true_time_of_monotonic(mono))
}

fn span(start: Time, end: Option<Time>, label: String, tone: Tone, highlight: bool) -> Span {
    Span {
        start,
        end,
        label,
        tone,
        highlight,
    }
}

pub fn all(config: &Config, nodes: &Nodes<'_, TwoPc>, now: Time) -> Vec<Picture> {
    let mut version = now;
    let coordinator = nodes.durable(0);
    // One bar per transaction begun, nothing held until a participant prepares.
    let mut longest: Vec<Time> = vec![0; coordinator.map_or(0, |d| d.begun as usize)];
    let outages = coordinator.map_or(&[][..], |d| &d.outages[..]);
    let mut lanes = vec![Lane {
        label: "S1".into(),
        spans: outages
            .iter()
            .map(|&(_, point, from, to)| {
                let label = format!("down ({})", SHORT_POINTS[usize::from(point)]);
                let end = to.map(|m| true_time(nodes, 0, m));
                span(true_time(nodes, 0, from), end, label, Tone::Faulty, true)
            })
            .collect(),
    }];
    for p in config.participants() {
        let Some(d) = nodes.durable(p) else { continue };
        let mut spans = Vec::new();
        for h in &d.holds {
            let from = true_time(nodes, p, h.from_mono);
            let to = h.to_mono.map(|m| true_time(nodes, p, m));
            let doubt = h.doubt_mono.map(|m| true_time(nodes, p, m));
            let held = to.unwrap_or(now).saturating_sub(from);
            let slot = h.txn as usize - 1;
            if longest.len() <= slot {
                longest.resize(slot + 1, 0);
            }
            longest[slot] = longest[slot].max(held);
            let t = h.txn;
            match doubt {
                Some(doubt) => {
                    spans.push(span(
                        from,
                        Some(doubt),
                        format!("T{t} preparing"),
                        Tone::Candidate,
                        false,
                    ));
                    let blocked = to.unwrap_or(now).saturating_sub(doubt) > BLOCKED_US;
                    let doubt_name = if d.precommitted.contains(&t) {
                        "pre-committed"
                    } else {
                        "in doubt"
                    };
                    let label = match lookup(&d.outcomes, t) {
                        Some(true) => format!("T{t} {doubt_name}, then commit"),
                        Some(false) => format!("T{t} {doubt_name}, then abort"),
                        None => format!("T{t} {doubt_name}, locks held"),
                    };
                    spans.push(span(doubt, to, label, Tone::Suspect, blocked));
                }
                None => spans.push(span(
                    from,
                    to,
                    format!("T{t} preparing"),
                    Tone::Candidate,
                    false,
                )),
            }
        }
        version = version.wrapping_mul(31).wrapping_add(d.holds.len() as u64);
        lanes.push(Lane {
            label: node_name(p),
            spans,
        });
    }
    let bars = longest
        .iter()
        .enumerate()
        .map(|(i, &held)| {
            let txn = i as u32 + 1;
            let point = outages.iter().find(|o| o.0 == txn).map(|o| o.1);
            Bar {
                label: match point {
                    Some(p) => format!("T{txn} · {}", SHORT_POINTS[usize::from(p)]),
                    None => format!("T{txn}"),
                },
                value: (held / MS) as i64,
                tone: if held > BLOCKED_US {
                    Tone::Faulty
                } else {
                    Tone::Secondary
                },
                highlight: held > BLOCKED_US,
            }
        })
        .collect();
    vec![
        Picture {
            id: "locks",
            title: "Locks over time".into(),
            caption: "S1's failures, and each participant's locks per transaction: preparing, then in doubt until it learns the decision (outlined: in doubt for over 2 s).".into(),
            primary: true,
            version,
            kind: PictureKind::Lanes(Lanes {
                lanes,
                marks: Vec::new(),
            }),
        },
        Picture {
            id: "lock-hold",
            title: "Longest lock hold per transaction".into(),
            caption: "For each transaction, the longest time a participant held its locks, and where S1 failed during it.".into(),
            primary: false,
            version,
            kind: PictureKind::Bars(Bars {
                x_label: "transaction".into(),
                y: Scale::new("longest lock hold", "s", 1_000),
                bars,
                reference: Some(((BLOCKED_US / MS) as i64, "blocked".into())),
            }),
        },
    ]
}
