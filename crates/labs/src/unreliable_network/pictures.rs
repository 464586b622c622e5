//! The lab's pictures: what really happened to each attempt (what the client saw, whether
//! the request arrived, what the server did with it, whether the reply came back in time),
//! and the server's idempotency-key table.

use super::config::{Config, Retry};
use super::node::{Outcome, Rpc, Saw, CLIENT, SERVER};
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Cell, Grid, Picture, PictureKind};
use failscope_sim::time::{format_duration, Time};
use failscope_sim::world::NodeStatus;

/// Attempts shown (the latest ones).
const ROWS: usize = 12;

fn cell(text: impl Into<String>, colour: u8, highlight: bool) -> Option<Cell> {
    Some(Cell {
        text: text.into(),
        colour,
        solid: !highlight,
        highlight,
        detail: String::new(),
    })
}

fn at(nodes: &Nodes<'_, Rpc>, node: u16, mono: i64) -> String {
    let t = nodes
        .clock(node)
        .map_or(mono.max(0) as Time, |c| c.true_time_of_monotonic(mono));
    format_duration(t)
}

pub fn all(config: &Config, nodes: &Nodes<'_, Rpc>, now: Time) -> Vec<Picture> {
    let (Some(client), Some(server)) = (nodes.durable(CLIENT), nodes.durable(SERVER)) else {
        return Vec::new();
    };
    let server_status = nodes.status(SERVER);
    let columns = ["client saw", "request", "server", "reply"];
    let sent: Vec<_> = client
        .history
        .iter()
        .filter(|s| s.saw == Saw::Sent)
        .collect();
    let shown = &sent[sent.len().saturating_sub(ROWS)..];
    let (mut rows, mut cells) = (Vec::new(), Vec::new());
    for s in shown {
        let (call, attempt) = (s.call, s.attempt);
        rows.push(format!("call {call}, try {attempt}"));
        let ended = client.history.iter().find(|e| {
            (e.call, e.attempt) == (call, attempt)
                && matches!(e.saw, Saw::Reply { .. } | Saw::Timeout)
        });
        cells.push(match ended.map(|e| e.saw) {
            Some(Saw::Reply { charge }) => cell(format!("reply: charge #{charge}"), 1, false),
            Some(_) => cell("timeout", 5, true),
            None => cell("waiting", 3, false),
        });
        let arrival = server
            .arrivals
            .iter()
            .find(|a| (a.call, a.attempt) == (call, attempt));
        let Some(a) = arrival else {
            let text = if ended.is_some() {
                "never arrived"
            } else {
                "in the network"
            };
            cells.extend([cell(text, 5, ended.is_some()), None, None]);
            continue;
        };
        cells.push(cell(
            format!("arrived {}", at(nodes, SERVER, a.at_mono)),
            1,
            false,
        ));
        let done = a
            .done_mono
            .map_or(String::new(), |m| format!(" at {}", at(nodes, SERVER, m)));
        cells.push(match a.outcome {
            Outcome::Queued => match server_status {
                Some(NodeStatus::Paused { .. }) => cell("server paused", 5, true),
                Some(NodeStatus::Down) => cell("server down", 5, true),
                _ => cell("processing", 3, false),
            },
            Outcome::Lost => cell("crashed before processing", 5, true),
            Outcome::Charged(n) => {
                let twice = server.charges.iter().filter(|&&c| c == call).count() > 1;
                cell(
                    format!("charged #{n}{done}"),
                    if twice { 5 } else { 2 },
                    twice,
                )
            }
            Outcome::Replayed(n) => cell(format!("key seen: #{n} again{done}"), 1, false),
        });
        let reply = client
            .replies
            .iter()
            .find(|r| (r.call, r.attempt) == (call, attempt));
        cells.push(match (a.done_mono, reply) {
            (_, Some(r)) if r.in_time => cell("in time", 1, false),
            (_, Some(r)) => cell(
                format!("late, {}: discarded", at(nodes, CLIENT, r.at_mono)),
                5,
                true,
            ),
            (Some(_), None) if ended.is_some() => cell("not arrived", 5, true),
            (Some(_), None) => cell("in the network", 3, false),
            (None, _) => None,
        });
    }
    let what = Picture {
        id: "attempts",
        title: format!("What really happened ({})", config.retry.guarantee()),
        caption: "Each attempt as the client saw it, and what happened to it on the way and at the server. The client sees only the first column.".into(),
        primary: true,
        version: now,
        kind: PictureKind::Grid(Grid {
            row_label: "attempt".into(),
            column_label: String::new(),
            rows,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            cells,
        }),
    };
    let (mut rows, mut cells) = (Vec::new(), Vec::new());
    for k in &server.keys {
        rows.push(format!("k{}", k.key));
        cells.push(cell(format!("charge #{}", k.charge), 2, false));
        cells.push(cell(format!("{} answered", k.replays), 1, false));
        cells.push(if k.forgotten {
            cell("forgotten", 5, true)
        } else {
            cell("kept", 1, false)
        });
    }
    let keys = Picture {
        id: "keys",
        title: "The server's idempotency keys".into(),
        caption: if config.retry == Retry::WithKey {
            "Each key the server has processed, the charge it produced, and how many repeats it answered with that charge instead of charging again."
        } else {
            "Empty: the client sends no keys, so the server cannot tell a retry from a new request."
        }
        .into(),
        primary: false,
        version: now,
        kind: PictureKind::Grid(Grid {
            row_label: "key".into(),
            column_label: String::new(),
            rows,
            columns: ["stored reply", "repeats", "entry"].iter().map(|c| c.to_string()).collect(),
            cells,
        }),
    };
    vec![what, keys]
}
