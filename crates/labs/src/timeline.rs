//! Helpers for the labs whose pictures place what nodes recorded on the true timeline:
//! a node's monotonic reading as true time, and a lanes-picture span.

use failscope_sim::ids::NodeId;
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::Span;
use failscope_sim::protocol::{Protocol, Tone};
use failscope_sim::time::Time;

/// The true time at which `node`'s monotonic clock read `mono`.
pub fn true_time<P: Protocol>(nodes: &Nodes<'_, P>, node: NodeId, mono: i64) -> Time {
    nodes
        .clock(node)
        .map_or(mono.max(0) as Time, |c| c.true_time_of_monotonic(mono))
}

/// A span of a lanes picture (`end` `None`: still open).
pub fn span(start: Time, end: Option<Time>, label: String, tone: Tone, highlight: bool) -> Span {
    Span {
        start,
        end,
        label,
        tone,
        highlight,
    }
}
