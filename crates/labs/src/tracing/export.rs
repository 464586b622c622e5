//! A trace as files a trace viewer opens: the Chrome trace-event format (Perfetto and
//! chrome://tracing open it) and OpenTelemetry's OTLP/JSON. Written by hand: the lab's code
//! runs in the browser, where the app carries no JSON serialiser.
//!
//! - Chrome: "Trace Event Format" (Google, 2016): an object with `traceEvents`, each a
//!   complete event `ph: "X"` with `ts` and `dur` in microseconds, `pid`, `tid`, `name`;
//!   plus `ph: "M"` metadata events naming each thread (here: each service).
//! - OTLP/JSON (OpenTelemetry protocol specification, "JSON Protobuf Encoding"):
//!   `resourceSpans` → `scopeSpans` → `spans`; ids as lowercase hex (`traceId` 32 digits,
//!   `spanId` and `parentSpanId` 16), 64-bit times as decimal strings of Unix nanoseconds,
//!   enums as integers (`kind` 2 = server; `status.code` 1 = ok, 2 = error).

use super::config::{N_NODES, OPERATIONS};
use super::node::{service, SpanRec};

/// Simulated time 0 as a Unix time: 2026-01-01T00:00:00Z, in nanoseconds.
pub const EPOCH_UNIX_NS: u64 = 1_767_225_600_000_000_000;

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn operation(span: &SpanRec) -> &'static str {
    OPERATIONS
        .get(usize::from(span.service))
        .copied()
        .unwrap_or("call")
}

/// The trace in the Chrome trace-event format.
pub fn chrome(spans: &[SpanRec]) -> String {
    let mut events = Vec::new();
    for node in 1..N_NODES {
        if spans.iter().any(|s| s.service == node) {
            events.push(format!(
                "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{},\"args\":{{\"name\":{}}}}}",
                node + 1,
                quote(service(node))
            ));
        }
    }
    for s in spans {
        let parent = s.parent.map_or(String::new(), |p| {
            format!(",\"parent_span_id\":\"{p:016x}\"")
        });
        events.push(format!(
            "{{\"name\":{},\"cat\":{},\"ph\":\"X\",\"ts\":{},\"dur\":{},\"pid\":1,\"tid\":{},\"args\":{{\"trace_id\":\"{}\",\"span_id\":\"{:016x}\"{parent},\"error\":{}}}}}",
            quote(operation(s)),
            quote(service(s.service)),
            s.start.max(0),
            (s.end - s.start).max(0),
            s.service + 1,
            s.trace.hex(),
            s.id,
            s.error
        ));
    }
    format!(
        "{{\"traceEvents\":[{}],\"displayTimeUnit\":\"ms\"}}",
        events.join(",")
    )
}

/// The trace as OTLP/JSON: one resource per service.
pub fn otlp(spans: &[SpanRec]) -> String {
    let mut resources = Vec::new();
    for node in 1..N_NODES {
        let mine: Vec<String> = spans
            .iter()
            .filter(|s| s.service == node)
            .map(|s| {
                let parent = s
                    .parent
                    .map_or(String::new(), |p| format!("\"parentSpanId\":\"{p:016x}\","));
                let ns = |t: i64| EPOCH_UNIX_NS + t.max(0) as u64 * 1_000;
                format!(
                    "{{\"traceId\":\"{}\",\"spanId\":\"{:016x}\",{parent}\"name\":{},\"kind\":2,\"startTimeUnixNano\":\"{}\",\"endTimeUnixNano\":\"{}\",\"status\":{{\"code\":{}}}}}",
                    s.trace.hex(),
                    s.id,
                    quote(operation(s)),
                    ns(s.start),
                    ns(s.end),
                    if s.error { 2 } else { 1 }
                )
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        resources.push(format!(
            "{{\"resource\":{{\"attributes\":[{{\"key\":\"service.name\",\"value\":{{\"stringValue\":{}}}}}]}},\"scopeSpans\":[{{\"scope\":{{\"name\":\"failscope\"}},\"spans\":[{}]}}]}}",
            quote(service(node)),
            mine.join(",")
        ));
    }
    format!("{{\"resourceSpans\":[{}]}}", resources.join(","))
}
