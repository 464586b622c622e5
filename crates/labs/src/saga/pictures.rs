//! The lab's picture: the saga as swimlanes over time, one lane for S1 (booking, then
//! compensating) and one per service (booked, failed, cancelled), with marks for the
//! moments worth seeing: a cancellation that failed, a repeated one recognised by its key,
//! a second refund, the reader seeing the room booked.

use super::config::{Config, HOTEL, READER, STEPS};
use super::node::{Event, Saga};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Lane, Lanes, MarkKind, Picture, PictureKind, Span, TimeMark};
use failscope_sim::protocol::Tone;
use failscope_sim::time::Time;

fn span(start: Time, end: Option<Time>, label: &str, tone: Tone, highlight: bool) -> Span {
    Span {
        start,
        end,
        label: label.into(),
        tone,
        highlight,
    }
}

pub fn all(config: &Config, nodes: &Nodes<'_, Saga>, _now: Time) -> Vec<Picture> {
    let at = |node: NodeId, mono: i64| {
        nodes
            .clock(node)
            .map_or(mono.max(0) as Time, |c| c.true_time_of_monotonic(mono))
    };
    let log = nodes.durable(0);
    let ended = log.and_then(|d| d.ended).map(|e| at(0, e.1));
    let mut runner = Vec::new();
    if let Some(d) = log {
        if let Some(start) = d.started {
            let failed = d.failed.map(|f| at(0, f.1));
            runner.push(span(
                at(0, start),
                failed.or(ended),
                "booking",
                Tone::Candidate,
                false,
            ));
            if let Some(f) = failed {
                runner.push(span(f, ended, "compensating", Tone::Suspect, false));
            }
        }
    }
    let mut lanes = vec![Lane {
        label: "S1".into(),
        spans: runner,
    }];
    let mut marks = Vec::new();
    let mut version = ended.unwrap_or(0);
    for step in 0..3u8 {
        let node = Config::service(step);
        let Some(d) = nodes.durable(node) else {
            continue;
        };
        let who = node_name(node);
        let mut spans: Vec<Span> = Vec::new();
        let mut refunds = 0;
        for &(mono, event) in &d.events {
            let t = at(node, mono);
            version = version.wrapping_mul(31).wrapping_add(t);
            match event {
                Event::Booked => {
                    let label = if config.semantic_lock {
                        "booked (pending)"
                    } else {
                        "booked"
                    };
                    spans.push(span(t, None, label, Tone::Primary, false));
                }
                Event::Failed => {
                    let start = t.saturating_sub(config.work_us);
                    spans.push(span(start, Some(t), "booking failed", Tone::Faulty, true));
                }
                Event::Refunded => {
                    refunds += 1;
                    if let Some(open) = spans.iter_mut().rev().find(|s| s.end.is_none()) {
                        open.end = Some(t);
                    }
                    if refunds == 1 {
                        spans.push(span(
                            t,
                            ended.filter(|&e| e >= t),
                            "cancelled",
                            Tone::Idle,
                            false,
                        ));
                    } else {
                        marks.push(TimeMark {
                            at: t,
                            kind: MarkKind::Violation,
                            label: format!("{who} refunds again"),
                        });
                    }
                }
                Event::CancelFailed => marks.push(TimeMark {
                    at: t,
                    kind: MarkKind::Fault,
                    label: format!("{who}: cancel failed"),
                }),
                Event::Repeat => marks.push(TimeMark {
                    at: t,
                    kind: MarkKind::Info,
                    label: format!("{who}: repeat ignored"),
                }),
            }
        }
        if config.semantic_lock && d.confirmed {
            if let Some(open) = spans.iter_mut().find(|s| s.label == "booked (pending)") {
                open.label = "booked".into();
            }
        }
        lanes.push(Lane {
            label: format!("{who} {}", STEPS[usize::from(step)]),
            spans,
        });
    }
    if let Some(saw) = nodes.durable(READER).and_then(|d| d.saw_booked) {
        marks.push(TimeMark {
            at: at(READER, saw),
            kind: MarkKind::Info,
            label: format!("S5 reads {} booked", node_name(HOTEL)),
        });
    }
    marks.sort_by_key(|m| m.at);
    version = version.wrapping_add(marks.len() as u64);
    vec![Picture {
        id: "saga",
        title: "The saga, step by step".into(),
        caption: "Each service's booking over time: booked, failed or cancelled, with S1 booking and then compensating; marks for failed, repeated and double cancellations.".into(),
        primary: true,
        version,
        kind: PictureKind::Lanes(Lanes { lanes, marks }),
    }]
}
