//! Export formats, shared by the browser's downloads and the CLI's `--emit`.
//!
//! - **History** (`failscope-history/1`): one JSON object per operation *event*, in time
//!   order, in the shape Jepsen-style checkers (Knossos, Porcupine's JSON loaders, Elle)
//!   read: `{"process": 0, "type": "invoke" | "ok" | "fail" | "info", "f": "read" | "write"
//!   | "cas", "key": 0, "value": 7 | null | [from, to], "time": <µs>}`. `info` means the
//!   outcome is unknown (the client timed out): the operation may or may not have happened.
//! - **Trace** (`failscope-trace/1`): JSON lines. The first line is a header object
//!   (`format`, `scenario`, the lab's names for `message_kinds` and `timers`, `trace_hash`,
//!   `n_events`); then one trace event per line as tagged JSON (see `trace::TraceKind`).
//!   Written in chunks ([`trace_lines`]), so a run of millions of events is never one string.

use crate::client::{ClientOp, Outcome};
use crate::history::History;
use crate::scenario::Scenario;
use crate::time::Time;
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

/// The first line of a `failscope-trace/1` file: what is needed to read the events after it.
#[derive(Serialize)]
pub struct TraceHeader<'a> {
    pub format: &'static str,
    pub scenario: &'a Scenario,
    pub message_kinds: &'a [&'a str],
    pub timers: &'a [&'a str],
    pub trace_hash: String,
    /// How many event lines follow the header.
    pub n_events: usize,
}

/// The header of a trace of `n_events` events whose hash is `hash`.
pub fn trace_header<'a>(
    scenario: &'a Scenario,
    message_kinds: &'a [&'a str],
    timers: &'a [&'a str],
    hash: u64,
    n_events: usize,
) -> TraceHeader<'a> {
    TraceHeader {
        format: TRACE_FORMAT,
        scenario,
        message_kinds,
        timers,
        trace_hash: format!("{hash:016x}"),
        n_events,
    }
}

/// Events per chunk of [`trace_lines`]: a few megabytes of text, small enough for any string.
pub const TRACE_EVENTS_PER_CHUNK: usize = 20_000;

/// A `failscope-trace/1` file as JSON lines, in chunks: the header line first, then chunks of
/// at most `events_per_chunk` event lines, each line ending in `\n`. A trace of millions of
/// events never becomes one string: the CLI writes the chunks to a file one by one and the
/// browser builds its download from them (one `Blob` of many parts).
/// `events` are `TraceEvent`s or references to them.
pub fn trace_lines<I>(
    header: &TraceHeader<'_>,
    events: I,
    events_per_chunk: usize,
) -> TraceLines<I::IntoIter>
where
    I: IntoIterator,
    I::Item: Serialize,
{
    TraceLines {
        header: Some(serde_json::to_string(header).map(|mut line| {
            line.push('\n');
            line
        })),
        events: events.into_iter(),
        events_per_chunk: events_per_chunk.max(1),
    }
}

/// The chunks of a trace file (see [`trace_lines`]).
pub struct TraceLines<I> {
    header: Option<serde_json::Result<String>>,
    events: I,
    events_per_chunk: usize,
}

impl<I> Iterator for TraceLines<I>
where
    I: Iterator,
    I::Item: Serialize,
{
    type Item = serde_json::Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(header) = self.header.take() {
            return Some(header);
        }
        match event_lines(self.events.by_ref().take(self.events_per_chunk)) {
            Ok(chunk) if chunk.is_empty() => None,
            chunk => Some(chunk),
        }
    }
}

/// Events as JSON lines (each ending in `\n`): one chunk of a trace file after its header,
/// for a writer that takes the events a slice at a time (the browser's download).
pub fn event_lines<I>(events: I) -> serde_json::Result<String>
where
    I: IntoIterator,
    I::Item: Serialize,
{
    let mut chunk = Vec::new();
    for event in events {
        serde_json::to_writer(&mut chunk, &event)?;
        chunk.push(b'\n');
    }
    // serde_json writes UTF-8 only, so the fallback never copies in practice.
    Ok(String::from_utf8(chunk)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Operation;
    use crate::trace::TraceEvent;

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

    fn send(i: u64) -> TraceEvent {
        TraceEvent {
            time: i,
            kind: crate::trace::TraceKind::Send {
                msg: crate::ids::MsgId(i),
                from: 0,
                to: 1,
                kind: 0,
                deliver_at: i + 10,
            },
        }
    }

    #[test]
    fn a_trace_file_is_a_header_line_then_one_event_per_line() {
        let scenario = Scenario::new("any", 7, 3);
        let events: Vec<TraceEvent> = (0..5).map(send).collect();
        let header = trace_header(&scenario, &["ping"], &["tick"], 0xab, events.len());
        let chunks: Vec<String> = trace_lines(&header, &events, 2)
            .collect::<Result<_, _>>()
            .unwrap();
        // The header, then events in chunks of two: 2 + 2 + 1.
        assert_eq!(chunks.len(), 4);
        let text = chunks.concat();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines[0]["format"], TRACE_FORMAT);
        assert_eq!(lines[0]["trace_hash"], "00000000000000ab");
        assert_eq!(lines[0]["n_events"], 5);
        assert_eq!(lines[0]["message_kinds"], serde_json::json!(["ping"]));
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[5], serde_json::to_value(&events[4]).unwrap());
    }

    /// A run of five million events (more than the 3.6 M of a minute of replication at 20×)
    /// goes out in chunks of bounded size: nothing holds the whole text.
    #[test]
    fn five_million_events_stream_out_in_bounded_chunks() {
        const N_EVENTS: u64 = 5_000_000;
        let scenario = Scenario::new("any", 1, 2);
        let header = trace_header(&scenario, &["ping"], &[], 0, N_EVENTS as usize);
        let (mut n_lines, mut n_bytes, mut largest) = (0u64, 0u64, 0usize);
        let mut last_line = String::new();
        for chunk in trace_lines(&header, (0..N_EVENTS).map(send), TRACE_EVENTS_PER_CHUNK) {
            let chunk = chunk.unwrap();
            n_lines += chunk.bytes().filter(|&b| b == b'\n').count() as u64;
            n_bytes += chunk.len() as u64;
            largest = largest.max(chunk.len());
            if let Some(line) = chunk.lines().last() {
                last_line = line.to_string();
            }
        }
        assert_eq!(n_lines, N_EVENTS + 1);
        assert!(n_bytes > 300_000_000, "{n_bytes} bytes");
        assert!(largest < 4 << 20, "a chunk of {largest} bytes");
        let last: serde_json::Value = serde_json::from_str(&last_line).unwrap();
        assert_eq!(last["time"], N_EVENTS - 1);
    }
}
