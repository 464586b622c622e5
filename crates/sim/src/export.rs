//! Export formats, shared by the browser's downloads and the CLI's `--emit`.
//!
//! - **History** (`failscope-history/1`): one JSON object per operation *event*, in time
//!   order, in the shape Jepsen-style checkers (Knossos, Porcupine's JSON loaders, Elle)
//!   read: `{"process": 0, "type": "invoke" | "ok" | "fail" | "info", "f": "read" | "write"
//!   | "cas", "key": 0, "value": 7 | null | [from, to], "time": <µs>}`. `info` means the
//!   outcome is unknown (the client timed out): the operation may or may not have happened.
//! - **Trace** (`failscope-trace/1`): the scenario, the lab's names for message kinds and
//!   timers, and every trace event as tagged JSON (see `trace::TraceKind`).

use crate::client::{ClientOp, Outcome};
use crate::history::History;
use crate::scenario::Scenario;
use crate::time::Time;
use crate::trace::TraceEvent;
use serde::Serialize;

pub const HISTORY_FORMAT: &str = "failscope-history/1";
pub const TRACE_FORMAT: &str = "failscope-trace/1";

/// One line of an exported history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryEvent {
    pub process: u16,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub f: &'static str,
    pub key: u16,
    pub value: serde_json::Value,
    pub time: Time,
    /// On a `fail`: `"refused"` when the operation was turned away for a reason that says
    /// nothing about the value. A `fail` without it on a `cas` is a compare-and-set that
    /// found another value than its `from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
}

#[derive(Serialize)]
pub struct HistoryExport {
    pub format: &'static str,
    pub events: Vec<HistoryEvent>,
}

fn op_parts(op: &ClientOp) -> (&'static str, u16, serde_json::Value) {
    match *op {
        ClientOp::Read { key } => ("read", key, serde_json::Value::Null),
        ClientOp::Write { key, value } => ("write", key, value.into()),
        ClientOp::Cas { key, from, to } => ("cas", key, serde_json::json!([from, to])),
    }
}

/// The history as invoke/complete events in time order.
pub fn history_events(history: &History) -> HistoryExport {
    let mut events = Vec::with_capacity(history.operations.len() * 2);
    for op in &history.operations {
        let (f, key, value) = op_parts(&op.op);
        events.push(HistoryEvent {
            process: op.process,
            kind: "invoke",
            f,
            key,
            value: value.clone(),
            time: op.invoke_us,
            error: None,
        });
        if let (Some(time), Some(outcome)) = (op.return_us, op.outcome) {
            let (kind, value) = match outcome {
                Outcome::Ok { value: read } if op.op.is_read() => {
                    ("ok", read.map_or(serde_json::Value::Null, Into::into))
                }
                Outcome::Ok { .. } => ("ok", value),
                Outcome::Fail | Outcome::Mismatch => ("fail", value),
                Outcome::Timeout => ("info", value),
            };
            let error = (outcome == Outcome::Fail).then_some("refused");
            events.push(HistoryEvent {
                process: op.process,
                kind,
                f,
                key,
                value,
                time,
                error,
            });
        }
    }
    // Stable: simultaneous events keep invocation order.
    events.sort_by_key(|e| e.time);
    HistoryExport {
        format: HISTORY_FORMAT,
        events,
    }
}

#[derive(Serialize)]
pub struct TraceExport<'a> {
    pub format: &'static str,
    pub scenario: &'a Scenario,
    pub message_kinds: &'a [&'a str],
    pub timers: &'a [&'a str],
    pub trace_hash: String,
    pub events: &'a [TraceEvent],
}

/// The trace with what is needed to read it.
pub fn trace_export<'a>(
    scenario: &'a Scenario,
    message_kinds: &'a [&'a str],
    timers: &'a [&'a str],
    hash: u64,
    events: &'a [TraceEvent],
) -> TraceExport<'a> {
    TraceExport {
        format: TRACE_FORMAT,
        scenario,
        message_kinds,
        timers,
        trace_hash: format!("{hash:016x}"),
        events,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Operation;

    #[test]
    fn history_events_read_like_jepsen() {
        let history = History {
            operations: vec![
                Operation {
                    process: 0,
                    seq: 0,
                    node: 1,
                    op: ClientOp::Write { key: 0, value: 5 },
                    invoke_us: 10,
                    return_us: Some(30),
                    outcome: Some(Outcome::Ok { value: None }),
                },
                Operation {
                    process: 1,
                    seq: 0,
                    node: 2,
                    op: ClientOp::Read { key: 0 },
                    invoke_us: 20,
                    return_us: Some(40),
                    outcome: Some(Outcome::Ok { value: Some(5) }),
                },
                Operation {
                    process: 2,
                    seq: 0,
                    node: 0,
                    op: ClientOp::Cas {
                        key: 0,
                        from: 5,
                        to: 6,
                    },
                    invoke_us: 25,
                    return_us: Some(90),
                    outcome: Some(Outcome::Timeout),
                },
            ],
        };
        let export = history_events(&history);
        let json = serde_json::to_value(&export).unwrap();
        let kinds: Vec<&str> = export.events.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["invoke", "invoke", "invoke", "ok", "ok", "info"]);
        assert_eq!(
            json["events"][4],
            serde_json::json!({"process": 1, "type": "ok", "f": "read", "key": 0, "value": 5, "time": 40})
        );
        assert_eq!(json["events"][5]["value"], serde_json::json!([5, 6]));
        assert_eq!(json["format"], HISTORY_FORMAT);
    }
}
