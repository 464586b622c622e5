//! The space-time diagram as text other tools draw: Mermaid's `sequenceDiagram` and
//! PlantUML's sequence diagrams. Nodes and clients become participants (in that order);
//! each delivered message is an arrow from sender to receiver, each dropped one a lost
//! arrow, each client request and answer an arrow between client and node, and crashes and
//! restarts are notes. Arrows are drawn at delivery (or drop) time, which is when the
//! receiver learns anything.
//!
//! Diagram tools slow down past a few thousand arrows, so at most `max_arrows` are written;
//! a note then says how many were left out (export a shorter stretch of the run for more).

use crate::client::Outcome;
use crate::ids::{client_name, node_name, ClientId, NodeId};
use crate::trace::{TraceEvent, TraceKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Which text format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagramFormat {
    Mermaid,
    PlantUml,
}

/// One thing to draw.
enum Line {
    Arrow {
        from: String,
        to: String,
        label: String,
        lost: bool,
        reply: bool,
    },
    Note {
        over: String,
        text: String,
    },
}

/// `events` as a sequence diagram. `kinds` names the lab's message kinds (by index).
pub fn sequence_diagram(
    events: &[TraceEvent],
    kinds: &[&str],
    format: DiagramFormat,
    max_arrows: usize,
) -> String {
    let kind_name = |k: u8| kinds.get(usize::from(k)).copied().unwrap_or("message");
    let mut nodes: Vec<NodeId> = Vec::new();
    let mut clients: Vec<ClientId> = Vec::new();
    let mut asked: BTreeMap<(ClientId, u32), NodeId> = BTreeMap::new();
    let mut lines: Vec<Line> = Vec::new();
    let mut left_out = 0usize;
    for event in events {
        let line = match &event.kind {
            TraceKind::Deliver {
                msg,
                from,
                to,
                kind,
                ..
            } => {
                nodes.extend([*from, *to]);
                Line::Arrow {
                    from: node_name(*from),
                    to: node_name(*to),
                    label: format!("{} m{}", kind_name(*kind), msg.0),
                    lost: false,
                    reply: false,
                }
            }
            TraceKind::Drop {
                msg,
                from,
                to,
                kind,
                reason,
                ..
            } => {
                nodes.extend([*from, *to]);
                Line::Arrow {
                    from: node_name(*from),
                    to: node_name(*to),
                    label: format!(
                        "{} m{} dropped: {}",
                        kind_name(*kind),
                        msg.0,
                        reason.describe()
                    ),
                    lost: true,
                    reply: false,
                }
            }
            TraceKind::ClientInvoke {
                client,
                seq,
                node,
                op,
            } => {
                clients.push(*client);
                nodes.push(*node);
                asked.insert((*client, *seq), *node);
                Line::Arrow {
                    from: client_name(*client),
                    to: node_name(*node),
                    label: op.to_string(),
                    lost: false,
                    reply: false,
                }
            }
            TraceKind::ClientReturn {
                client,
                seq,
                outcome,
            } => {
                let Some(node) = asked.remove(&(*client, *seq)) else {
                    continue;
                };
                let label = match outcome {
                    Outcome::Ok { value: Some(v) } => format!("ok {v}"),
                    Outcome::Ok { value: None } => "ok".to_string(),
                    Outcome::Fail => "refused".to_string(),
                    Outcome::Mismatch => "cas found another value".to_string(),
                    Outcome::Timeout => {
                        lines.push(Line::Note {
                            over: client_name(*client),
                            text: "gave up waiting".into(),
                        });
                        continue;
                    }
                };
                Line::Arrow {
                    from: node_name(node),
                    to: client_name(*client),
                    label,
                    lost: false,
                    reply: true,
                }
            }
            TraceKind::Crash { node } => {
                nodes.push(*node);
                Line::Note {
                    over: node_name(*node),
                    text: "crashed".into(),
                }
            }
            TraceKind::Restart { node } => {
                nodes.push(*node);
                Line::Note {
                    over: node_name(*node),
                    text: "restarted".into(),
                }
            }
            _ => continue,
        };
        if lines.len() < max_arrows {
            lines.push(line);
        } else {
            left_out += 1;
        }
    }
    nodes.sort_unstable();
    nodes.dedup();
    clients.sort_unstable();
    clients.dedup();
    let mut out = String::new();
    let participants = nodes
        .iter()
        .map(|&n| node_name(n))
        .chain(clients.iter().map(|&c| client_name(c)));
    match format {
        DiagramFormat::Mermaid => {
            out.push_str("sequenceDiagram\n");
            for p in participants {
                let _ = writeln!(out, "    participant {p}");
            }
        }
        DiagramFormat::PlantUml => {
            out.push_str("@startuml\n");
            for p in participants {
                let _ = writeln!(out, "participant {p}");
            }
        }
    }
    if left_out > 0 {
        lines.push(Line::Note {
            over: nodes.first().map_or("S1".into(), |&n| node_name(n)),
            text: format!("{left_out} more events not shown; export a shorter stretch"),
        });
    }
    // (indent, request, reply, lost, label separator, note) in each format's syntax.
    let (indent, request, reply_arrow, lost_arrow, colon, note) = match format {
        DiagramFormat::Mermaid => ("    ", "->>", "-->>", "-x", ": ", "Note over"),
        DiagramFormat::PlantUml => ("", " -> ", " --> ", " ->x ", " : ", "note over"),
    };
    let text = |t: &str| match format {
        DiagramFormat::Mermaid => mermaid_text(t),
        DiagramFormat::PlantUml => plantuml_text(t),
    };
    for line in lines {
        let _ = match line {
            Line::Arrow {
                from,
                to,
                label,
                lost,
                reply,
            } => {
                let arrow = match (lost, reply) {
                    (true, _) => lost_arrow,
                    (false, true) => reply_arrow,
                    (false, false) => request,
                };
                writeln!(out, "{indent}{from}{arrow}{to}{colon}{}", text(&label))
            }
            Line::Note { over, text: t } => {
                writeln!(out, "{indent}{note} {over}{colon}{}", text(&t))
            }
        };
    }
    if format == DiagramFormat::PlantUml {
        out.push_str("@enduml\n");
    }
    out
}

/// Mermaid ends a statement at `;` or a newline and reads `#…;` as an entity code.
fn mermaid_text(text: &str) -> String {
    text.replace(['\n', ';'], " ").replace('#', "no. ")
}

/// PlantUML ends a statement at a newline.
fn plantuml_text(text: &str) -> String {
    text.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientOp;
    use crate::ids::MsgId;
    use crate::trace::DropReason;

    fn at(time: u64, kind: TraceKind) -> TraceEvent {
        TraceEvent { time, kind }
    }

    fn events() -> Vec<TraceEvent> {
        vec![
            at(
                0,
                TraceKind::ClientInvoke {
                    client: 0,
                    seq: 0,
                    node: 1,
                    op: ClientOp::Write { key: 0, value: 5 },
                },
            ),
            at(
                5,
                TraceKind::Deliver {
                    msg: MsgId(1),
                    from: 1,
                    to: 0,
                    kind: 0,
                    sent_at: 1,
                },
            ),
            at(
                6,
                TraceKind::Drop {
                    msg: MsgId(2),
                    from: 1,
                    to: 2,
                    kind: 0,
                    sent_at: 1,
                    reason: DropReason::Loss,
                },
            ),
            at(7, TraceKind::Crash { node: 2 }),
            at(
                9,
                TraceKind::ClientReturn {
                    client: 0,
                    seq: 0,
                    outcome: Outcome::Ok { value: None },
                },
            ),
        ]
    }

    #[test]
    fn mermaid_draws_messages_losses_requests_and_crashes() {
        let text = sequence_diagram(&events(), &["Append; #1"], DiagramFormat::Mermaid, 100);
        let expected = "sequenceDiagram\n    participant S1\n    participant S2\n    \
             participant S3\n    participant C1\n    C1->>S2: write k0=5\n    S2->>S1: \
             Append  no. 1 m1\n    S2-xS3: Append  no. 1 m2 dropped: "
            .to_string();
        assert!(text.starts_with(&expected), "{text}");
        assert!(
            text.contains("    Note over S3: crashed\n    S2-->>C1: ok\n"),
            "{text}"
        );
    }

    #[test]
    fn plantuml_is_bracketed_and_long_runs_are_cut_with_a_note() {
        let text = sequence_diagram(&events(), &["Append"], DiagramFormat::PlantUml, 2);
        assert!(text.starts_with("@startuml\nparticipant S1\n"), "{text}");
        assert!(
            text.contains("C1 -> S2 : write k0=5\nS2 -> S1 : Append m1\n"),
            "{text}"
        );
        assert!(
            text.contains("note over S1 : 3 more events not shown"),
            "{text}"
        );
        assert!(text.ends_with("@enduml\n"), "{text}");
    }
}
