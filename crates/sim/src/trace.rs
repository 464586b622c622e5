//! The trace: every event of a run, in order, compactly. Views ask it what happened between
//! two times; the determinism checks hash it; share links and bug reports rely on it being
//! byte-identical for the same scenario on every target.

use crate::client::{ClientOp, Outcome};
use crate::ids::{ClientId, MsgId, NodeId};
use crate::time::Time;
use serde::Serialize;

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The network lost it (the link's loss probability).
    Loss,
    /// A partition or cut link stood between sender and receiver when it arrived.
    Partition,
    /// The receiver was crashed when it arrived.
    NodeDown,
    /// A person dropped it by hand.
    User,
    /// Too many messages in flight (a safety bound of the engine).
    Overflow,
}

impl DropReason {
    pub fn describe(self) -> &'static str {
        match self {
            DropReason::Loss => "lost by the network",
            DropReason::Partition => "blocked by a partition",
            DropReason::NodeDown => "receiver was down",
            DropReason::User => "dropped by hand",
            DropReason::Overflow => "too many messages in flight",
        }
    }
}

/// What a note in the trace is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Detail for the event log.
    Info,
    /// A key moment worth narrating to screen readers.
    Narrate,
    /// A key moment that also gets a marker on the timeline (an election, a commit).
    Marker,
    /// Labels for this event on the space-time diagram, one per label set the lab names
    /// ([`crate::protocol::Protocol::STAMP_SETS`]), joined by [`STAMP_SEPARATOR`].
    Stamp,
}

/// Between the labels of a [`NoteKind::Stamp`] note.
pub const STAMP_SEPARATOR: char = '|';

/// A change to who can talk to whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum NetChange {
    /// Partition group of every node (0 = the unlisted nodes).
    Partition {
        groups: Box<[u8]>,
    },
    Cut {
        from: NodeId,
        to: NodeId,
    },
    Clog {
        from: NodeId,
        to: NodeId,
    },
    Unclog {
        from: NodeId,
        to: NodeId,
    },
    Heal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TraceKind {
    Send {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        /// Index into the lab's message kinds.
        kind: u8,
        deliver_at: Time,
    },
    Deliver {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        /// The message kind again, so a delivery can be drawn without finding its send.
        kind: u8,
        sent_at: Time,
    },
    Drop {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        kind: u8,
        sent_at: Time,
        reason: DropReason,
    },
    /// `copy` is a second delivery of `msg` (its own `Send` follows).
    Duplicate {
        msg: MsgId,
        copy: MsgId,
    },
    Timer {
        node: NodeId,
        /// Index into the lab's timer names.
        timer: u8,
    },
    Crash {
        node: NodeId,
    },
    Restart {
        node: NodeId,
    },
    Pause {
        node: NodeId,
        until: Time,
    },
    Resume {
        node: NodeId,
    },
    ClockJump {
        node: NodeId,
        delta_us: i64,
    },
    ClockDrift {
        node: NodeId,
        ppm: i32,
    },
    Network(NetChange),
    ClientInvoke {
        client: ClientId,
        seq: u32,
        node: NodeId,
        op: ClientOp,
    },
    ClientReturn {
        client: ClientId,
        seq: u32,
        outcome: Outcome,
    },
    Note {
        node: NodeId,
        kind: NoteKind,
        text: Box<str>,
    },
    /// The first violation of invariant number `invariant` (details in the invariant report).
    Violation {
        invariant: u8,
    },
    /// A lab parameter changed mid-run.
    Param {
        value: i64,
        key: Box<str>,
    },
    /// A lab-specific change (a node joined the ring...), described.
    LabChange {
        text: Box<str>,
    },
}

impl TraceKind {
    /// The node this event happened at, when there is one.
    pub fn node(&self) -> Option<NodeId> {
        match *self {
            TraceKind::Send { from, .. } => Some(from),
            TraceKind::Deliver { to, .. } | TraceKind::Drop { to, .. } => Some(to),
            TraceKind::Timer { node, .. }
            | TraceKind::Crash { node }
            | TraceKind::Restart { node }
            | TraceKind::Pause { node, .. }
            | TraceKind::Resume { node }
            | TraceKind::ClockJump { node, .. }
            | TraceKind::ClockDrift { node, .. }
            | TraceKind::ClientInvoke { node, .. }
            | TraceKind::Note { node, .. } => Some(node),
            _ => None,
        }
    }

    /// Faults and other events that deserve a marker on the timeline.
    pub fn is_fault(&self) -> bool {
        matches!(
            self,
            TraceKind::Crash { .. }
                | TraceKind::Restart { .. }
                | TraceKind::Pause { .. }
                | TraceKind::ClockJump { .. }
                | TraceKind::ClockDrift { .. }
                | TraceKind::Network(_)
                | TraceKind::Param { .. }
                | TraceKind::LabChange { .. }
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    pub time: Time,
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// All events of a run, in time order.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    events: Vec<TraceEvent>,
}

impl Trace {
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    #[inline]
    pub(crate) fn push(&mut self, event: TraceEvent) {
        debug_assert!(
            self.events
                .last()
                .is_none_or(|last| last.time <= event.time),
            "trace time went backwards"
        );
        self.events.push(event);
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.events.truncate(len);
    }

    /// The time of the last event (0 when empty).
    pub fn end_time(&self) -> Time {
        self.events.last().map_or(0, |e| e.time)
    }

    /// Index of the first event at or after `time`.
    pub fn index_at(&self, time: Time) -> usize {
        self.events.partition_point(|e| e.time < time)
    }

    /// Events with `from <= time < to`.
    pub fn between(&self, from: Time, to: Time) -> &[TraceEvent] {
        let start = self.index_at(from);
        let end = self.index_at(to).max(start);
        &self.events[start..end]
    }

    /// A 64-bit FNV-1a hash of the canonical encoding of every event: equal hashes mean
    /// (for all practical purposes) byte-identical traces.
    pub fn hash(&self) -> u64 {
        self.hash_prefix(self.events.len())
    }

    /// The hash of the first `len` events.
    pub fn hash_prefix(&self, len: usize) -> u64 {
        let mut hasher = Fnv::new();
        for event in &self.events[..len.min(self.events.len())] {
            event.encode(&mut hasher);
        }
        hasher.finish()
    }

    /// Approximate heap bytes used (for the memory benchmark).
    pub fn heap_bytes(&self) -> usize {
        let texts: usize = self
            .events
            .iter()
            .map(|e| match &e.kind {
                TraceKind::Note { text, .. }
                | TraceKind::Param { key: text, .. }
                | TraceKind::LabChange { text } => text.len(),
                TraceKind::Network(NetChange::Partition { groups }) => groups.len(),
                _ => 0,
            })
            .sum();
        self.events.capacity() * std::mem::size_of::<TraceEvent>() + texts
    }
}

/// FNV-1a, 64-bit: tiny, portable, and specified, which is all a golden hash needs.
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    #[inline]
    pub fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    #[inline]
    pub fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv::new()
    }
}

impl TraceEvent {
    /// The canonical encoding: time, a tag, then each field little-endian. Stable across
    /// targets because it never touches `usize`, pointers or floats. Public so a writer that
    /// takes the events a slice at a time (the browser's trace download) can hash as it goes:
    /// [`Trace::hash_prefix`] is this over the events in order.
    pub fn encode(&self, h: &mut Fnv) {
        h.u64(self.time);
        let n = |h: &mut Fnv, v: NodeId| h.bytes(&v.to_le_bytes());
        match &self.kind {
            TraceKind::Send {
                msg,
                from,
                to,
                kind,
                deliver_at,
            } => {
                h.bytes(&[1, *kind]);
                h.u64(msg.0);
                n(h, *from);
                n(h, *to);
                h.u64(*deliver_at);
            }
            TraceKind::Deliver {
                msg,
                from,
                to,
                kind,
                sent_at,
            } => {
                h.bytes(&[2, *kind]);
                h.u64(msg.0);
                n(h, *from);
                n(h, *to);
                h.u64(*sent_at);
            }
            TraceKind::Drop {
                msg,
                from,
                to,
                kind,
                sent_at,
                reason,
            } => {
                h.bytes(&[3, *reason as u8, *kind]);
                h.u64(msg.0);
                n(h, *from);
                n(h, *to);
                h.u64(*sent_at);
            }
            TraceKind::Duplicate { msg, copy } => {
                h.bytes(&[4]);
                h.u64(msg.0);
                h.u64(copy.0);
            }
            TraceKind::Timer { node, timer } => {
                h.bytes(&[5, *timer]);
                n(h, *node);
            }
            TraceKind::Crash { node } => {
                h.bytes(&[6]);
                n(h, *node);
            }
            TraceKind::Restart { node } => {
                h.bytes(&[7]);
                n(h, *node);
            }
            TraceKind::Pause { node, until } => {
                h.bytes(&[8]);
                n(h, *node);
                h.u64(*until);
            }
            TraceKind::Resume { node } => {
                h.bytes(&[9]);
                n(h, *node);
            }
            TraceKind::ClockJump { node, delta_us } => {
                h.bytes(&[10]);
                n(h, *node);
                h.bytes(&delta_us.to_le_bytes());
            }
            TraceKind::ClockDrift { node, ppm } => {
                h.bytes(&[11]);
                n(h, *node);
                h.bytes(&ppm.to_le_bytes());
            }
            TraceKind::Network(change) => {
                h.bytes(&[12]);
                match change {
                    NetChange::Partition { groups } => {
                        h.bytes(&[0]);
                        h.bytes(groups);
                    }
                    NetChange::Cut { from, to } => {
                        h.bytes(&[1]);
                        n(h, *from);
                        n(h, *to);
                    }
                    NetChange::Clog { from, to } => {
                        h.bytes(&[2]);
                        n(h, *from);
                        n(h, *to);
                    }
                    NetChange::Unclog { from, to } => {
                        h.bytes(&[3]);
                        n(h, *from);
                        n(h, *to);
                    }
                    NetChange::Heal => h.bytes(&[4]),
                }
            }
            TraceKind::ClientInvoke {
                client,
                seq,
                node,
                op,
            } => {
                h.bytes(&[13]);
                h.bytes(&client.to_le_bytes());
                h.bytes(&seq.to_le_bytes());
                n(h, *node);
                encode_op(h, op);
            }
            TraceKind::ClientReturn {
                client,
                seq,
                outcome,
            } => {
                h.bytes(&[14]);
                h.bytes(&client.to_le_bytes());
                h.bytes(&seq.to_le_bytes());
                match outcome {
                    Outcome::Ok { value } => {
                        h.bytes(&[0]);
                        h.u64(value.map_or(u64::MAX, u64::from));
                    }
                    Outcome::Fail => h.bytes(&[1]),
                    Outcome::Timeout => h.bytes(&[2]),
                    Outcome::Mismatch => h.bytes(&[3]),
                }
            }
            TraceKind::Note { node, kind, text } => {
                h.bytes(&[15, *kind as u8]);
                n(h, *node);
                h.bytes(text.as_bytes());
                h.bytes(&[0]);
            }
            TraceKind::Violation { invariant } => h.bytes(&[16, *invariant]),
            TraceKind::LabChange { text } => {
                h.bytes(&[18]);
                h.bytes(text.as_bytes());
                h.bytes(&[0]);
            }
            TraceKind::Param { key, value } => {
                h.bytes(&[17]);
                h.bytes(key.as_bytes());
                h.bytes(&[0]);
                h.bytes(&value.to_le_bytes());
            }
        }
    }
}

/// The canonical encoding of a client operation (shared with labs that hash commands).
pub fn encode_op(h: &mut Fnv, op: &ClientOp) {
    match *op {
        ClientOp::Read { key } => {
            h.bytes(&[0]);
            h.bytes(&key.to_le_bytes());
        }
        ClientOp::Write { key, value } => {
            h.bytes(&[1]);
            h.bytes(&key.to_le_bytes());
            h.bytes(&value.to_le_bytes());
        }
        ClientOp::Cas { key, from, to } => {
            h.bytes(&[2]);
            h.bytes(&key.to_le_bytes());
            h.bytes(&from.to_le_bytes());
            h.bytes(&to.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_compact() {
        // 1 million events must fit in 64 MB with room for checkpoints.
        assert!(std::mem::size_of::<TraceEvent>() <= 40);
    }

    #[test]
    fn fnv1a_matches_its_reference_values() {
        let mut h = Fnv::new();
        assert_eq!(h.finish(), 0xcbf2_9ce4_8422_2325);
        h.bytes(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn between_uses_half_open_time_ranges() {
        let mut trace = Trace::default();
        for t in [0, 10, 10, 20, 30] {
            trace.push(TraceEvent {
                time: t,
                kind: TraceKind::Crash { node: 0 },
            });
        }
        assert_eq!(trace.between(10, 30).len(), 3);
        assert_eq!(trace.between(11, 20).len(), 0);
        assert_eq!(trace.index_at(25), 4);
    }
}

/// What kind of timeline marker an event deserves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkerKind {
    /// A fault or a change made to the system (crash, partition, parameter...).
    Fault,
    /// A key protocol moment the lab marked (an election won).
    Milestone,
    /// The first violation of an invariant.
    Violation,
}

impl TraceEvent {
    /// The timeline marker for this event, if it deserves one.
    pub fn marker(&self) -> Option<MarkerKind> {
        match &self.kind {
            TraceKind::Violation { .. } => Some(MarkerKind::Violation),
            TraceKind::Note {
                kind: NoteKind::Marker,
                ..
            } => Some(MarkerKind::Milestone),
            kind if kind.is_fault() => Some(MarkerKind::Fault),
            _ => None,
        }
    }

    /// One line for the event log. `kinds` and `timers` name the lab's message kinds and
    /// timers; `invariants` its invariants.
    pub fn describe(&self, kinds: &[&str], timers: &[&str], invariants: &[&str]) -> String {
        use crate::ids::{client_name, node_name as n};
        let kind_name = |k: u8| kinds.get(usize::from(k)).copied().unwrap_or("message");
        match &self.kind {
            TraceKind::Send {
                msg,
                from,
                to,
                kind,
                deliver_at,
            } => format!(
                "{} sent {} #{} to {} (arrives in {})",
                n(*from),
                kind_name(*kind),
                msg.0,
                n(*to),
                crate::time::format_duration(deliver_at.saturating_sub(self.time))
            ),
            TraceKind::Deliver { msg, from, to, .. } => {
                format!("{} received #{} from {}", n(*to), msg.0, n(*from))
            }
            TraceKind::Drop {
                msg,
                from,
                to,
                reason,
                ..
            } => format!(
                "#{} from {} to {} was dropped: {}",
                msg.0,
                n(*from),
                n(*to),
                reason.describe()
            ),
            TraceKind::Duplicate { msg, copy } => {
                format!("#{} was duplicated as #{}", msg.0, copy.0)
            }
            TraceKind::Timer { node, timer } => format!(
                "{}'s {} fired",
                n(*node),
                timers.get(usize::from(*timer)).copied().unwrap_or("timer")
            ),
            TraceKind::Crash { node } => format!("{} crashed", n(*node)),
            TraceKind::Restart { node } => format!("{} restarted", n(*node)),
            TraceKind::Pause { node, until } => format!(
                "{} froze for {}",
                n(*node),
                crate::time::format_duration(until.saturating_sub(self.time))
            ),
            TraceKind::Resume { node } => format!("{} resumed", n(*node)),
            TraceKind::ClockJump { node, delta_us } => format!(
                "{}'s clock jumped {} by {}",
                n(*node),
                if *delta_us < 0 { "back" } else { "forward" },
                crate::time::format_duration(delta_us.unsigned_abs())
            ),
            TraceKind::ClockDrift { node, ppm } => {
                format!("{}'s clock now drifts {ppm:+} ppm", n(*node))
            }
            TraceKind::Network(change) => match change {
                NetChange::Partition { groups } => {
                    let mut sides: Vec<Vec<String>> = Vec::new();
                    for (node, &g) in groups.iter().enumerate() {
                        let g = usize::from(g);
                        if sides.len() <= g {
                            sides.resize(g + 1, Vec::new());
                        }
                        sides[g].push(n(node as NodeId));
                    }
                    let parts: Vec<String> = sides
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .map(|s| format!("{{{}}}", s.join(" ")))
                        .collect();
                    format!("the network split into {}", parts.join(" | "))
                }
                NetChange::Cut { from, to } => format!("link {}→{} cut", n(*from), n(*to)),
                NetChange::Clog { from, to } => format!("link {}→{} clogged", n(*from), n(*to)),
                NetChange::Unclog { from, to } => {
                    format!("link {}→{} unclogged", n(*from), n(*to))
                }
                NetChange::Heal => "the network healed".into(),
            },
            TraceKind::ClientInvoke {
                client, node, op, ..
            } => format!("{} asked {} to {op}", client_name(*client), n(*node)),
            TraceKind::ClientReturn {
                client, outcome, ..
            } => match outcome {
                Outcome::Ok { value: Some(v) } => format!("{} got {v}", client_name(*client)),
                Outcome::Ok { value: None } => format!("{} got ok", client_name(*client)),
                Outcome::Fail => format!("{}'s request failed", client_name(*client)),
                Outcome::Mismatch => format!(
                    "{}'s compare-and-set found another value",
                    client_name(*client)
                ),
                Outcome::Timeout => format!("{} gave up waiting", client_name(*client)),
            },
            TraceKind::Note {
                kind: NoteKind::Stamp,
                text,
                ..
            } => format!("stamped {}", text.replace(STAMP_SEPARATOR, " · ")),
            TraceKind::Note { text, .. } => text.to_string(),
            TraceKind::Violation { invariant } => format!(
                "violated: {}",
                invariants
                    .get(usize::from(*invariant))
                    .copied()
                    .unwrap_or("an invariant")
            ),
            TraceKind::Param { key, value } => format!("parameter {key} set to {value}"),
            TraceKind::LabChange { text } => text.to_string(),
        }
    }
}
