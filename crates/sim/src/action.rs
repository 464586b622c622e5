//! The closed set of things that can be done *to* a simulation: faults, network changes,
//! message tampering, client requests and parameter changes. Scheduled faults and the user's
//! action log both use it, so a share link replays a session exactly.

use crate::client::ClientOp;
use crate::ids::{MsgId, NodeId};
use crate::json::write::{field, object, tagged, ToJson};
use crate::json::{unknown_variant, variant, Fields, FromJson, Json, Reader};
use crate::time::Time;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
// Externally tagged (`{"crash": {"node": 2}}`, `"heal"`), the form every link has used; read
// back by the `FromJson` impl below.
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Stop the node; its volatile state is lost, its durable state kept.
    Crash {
        node: NodeId,
    },
    /// Start a crashed node again from its durable state.
    Restart {
        node: NodeId,
    },
    /// Freeze the node (a GC or VM pause): it does nothing, then resumes unaware.
    Pause {
        node: NodeId,
        duration_us: Time,
    },
    /// Step the node's wall clock (negative: backwards).
    ClockJump {
        node: NodeId,
        delta_us: i64,
    },
    /// Make the node's clocks run fast or slow.
    ClockDrift {
        node: NodeId,
        ppm: i32,
    },
    /// Split the nodes into groups that cannot talk to each other (unlisted nodes: one more group).
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    /// Drop everything sent from `from` to `to` (one way).
    Cut {
        from: NodeId,
        to: NodeId,
    },
    /// Hold everything sent from `from` to `to` until unclogged.
    Clog {
        from: NodeId,
        to: NodeId,
    },
    Unclog {
        from: NodeId,
        to: NodeId,
    },
    /// Remove every partition, cut and clog.
    Heal,
    /// Drop one in-flight message.
    DropMessage {
        msg: MsgId,
    },
    /// Deliver one in-flight message a second time.
    DuplicateMessage {
        msg: MsgId,
    },
    /// Send a client request to a node, as a hand-driven client.
    ClientRequest {
        node: NodeId,
        op: ClientOp,
    },
    /// Change a lab parameter mid-run.
    SetParam {
        key: String,
        value: i64,
    },
    /// A change only one lab understands (a node joining a hash ring...): a verb and its
    /// integer arguments, checked and applied by the lab's protocol.
    Lab {
        verb: String,
        args: Vec<i64>,
    },
}

impl Action {
    /// The nodes an action names (for validation and highlighting).
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            Action::Crash { node }
            | Action::Restart { node }
            | Action::Pause { node, .. }
            | Action::ClockJump { node, .. }
            | Action::ClockDrift { node, .. }
            | Action::ClientRequest { node, .. } => vec![*node],
            Action::Partition { groups } => groups.iter().flatten().copied().collect(),
            Action::Cut { from, to } | Action::Clog { from, to } | Action::Unclog { from, to } => {
                vec![*from, *to]
            }
            Action::Heal
            | Action::DropMessage { .. }
            | Action::DuplicateMessage { .. }
            | Action::SetParam { .. }
            | Action::Lab { .. } => vec![],
        }
    }

    /// A short description for the event log and narration.
    pub fn describe(&self) -> String {
        use crate::ids::node_name as n;
        match self {
            Action::Crash { node } => format!("{} crashed", n(*node)),
            Action::Restart { node } => format!("{} restarted", n(*node)),
            Action::Pause { node, duration_us } => format!(
                "{} paused for {}",
                n(*node),
                crate::time::format_duration(*duration_us)
            ),
            Action::ClockJump { node, delta_us } => {
                let dir = if *delta_us < 0 { "back" } else { "forward" };
                format!(
                    "{}'s clock jumped {dir} by {}",
                    n(*node),
                    crate::time::format_duration(delta_us.unsigned_abs())
                )
            }
            Action::ClockDrift { node, ppm } => format!("{}'s clock drifts {ppm:+} ppm", n(*node)),
            Action::Partition { groups } => {
                let parts: Vec<String> = groups
                    .iter()
                    .map(|g| g.iter().map(|&x| n(x)).collect::<Vec<_>>().join(","))
                    .collect();
                format!("network partitioned: {{{}}} cut off", parts.join("} {"))
            }
            Action::Cut { from, to } => format!("link {}→{} cut", n(*from), n(*to)),
            Action::Clog { from, to } => format!("link {}→{} clogged", n(*from), n(*to)),
            Action::Unclog { from, to } => format!("link {}→{} unclogged", n(*from), n(*to)),
            Action::Heal => "network healed".into(),
            Action::DropMessage { msg } => format!("message #{} dropped by hand", msg.0),
            Action::DuplicateMessage { msg } => format!("message #{} duplicated by hand", msg.0),
            Action::ClientRequest { node, op } => format!("client sent {op} to {}", n(*node)),
            Action::SetParam { key, value } => format!("parameter {key} set to {value}"),
            Action::Lab { verb, args } => {
                let args: Vec<String> = args.iter().map(i64::to_string).collect();
                format!("{verb} {}", args.join(" "))
            }
        }
    }
}

impl FromJson for Action {
    fn from_json(r: &mut Reader, value: &Json) -> Action {
        let (name, f) = variant(r, value);
        match name {
            "crash" => Action::Crash {
                node: f.req(r, "node"),
            },
            "restart" => Action::Restart {
                node: f.req(r, "node"),
            },
            "pause" => Action::Pause {
                node: f.req(r, "node"),
                duration_us: f.req(r, "duration_us"),
            },
            "clock_jump" => Action::ClockJump {
                node: f.req(r, "node"),
                delta_us: f.req(r, "delta_us"),
            },
            "clock_drift" => Action::ClockDrift {
                node: f.req(r, "node"),
                ppm: f.req(r, "ppm"),
            },
            "partition" => Action::Partition {
                groups: f.req(r, "groups"),
            },
            "cut" => Action::Cut {
                from: f.req(r, "from"),
                to: f.req(r, "to"),
            },
            "clog" => Action::Clog {
                from: f.req(r, "from"),
                to: f.req(r, "to"),
            },
            "unclog" => Action::Unclog {
                from: f.req(r, "from"),
                to: f.req(r, "to"),
            },
            "heal" => Action::Heal,
            "drop_message" => Action::DropMessage {
                msg: f.req(r, "msg"),
            },
            "duplicate_message" => Action::DuplicateMessage {
                msg: f.req(r, "msg"),
            },
            "client_request" => Action::ClientRequest {
                node: f.req(r, "node"),
                op: f.req(r, "op"),
            },
            "set_param" => Action::SetParam {
                key: f.req(r, "key"),
                value: f.req(r, "value"),
            },
            "lab" => Action::Lab {
                verb: f.req(r, "verb"),
                args: f.req(r, "args"),
            },
            _ => {
                unknown_variant(r, "action", name, ACTION_NAMES);
                Action::Heal
            }
        }
    }
}

/// Every action's name in JSON, in declaration order.
const ACTION_NAMES: &[&str] = &[
    "crash",
    "restart",
    "pause",
    "clock_jump",
    "clock_drift",
    "partition",
    "cut",
    "clog",
    "unclog",
    "heal",
    "drop_message",
    "duplicate_message",
    "client_request",
    "set_param",
    "lab",
];

/// A fault written into a scenario, applied at a simulated time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduledFault {
    pub at_us: Time,
    pub action: Action,
}

/// An action a person took, recorded so the session replays exactly: it is applied after
/// `at_event` queue events have been processed, at simulated time `at_us`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionRecord {
    pub at_event: u64,
    pub at_us: Time,
    pub action: Action,
}

impl FromJson for ScheduledFault {
    fn from_json(r: &mut Reader, value: &Json) -> ScheduledFault {
        let f = Fields::of(r, value);
        ScheduledFault {
            at_us: f.req(r, "at_us"),
            action: f.req(r, "action"),
        }
    }
}

impl FromJson for ActionRecord {
    fn from_json(r: &mut Reader, value: &Json) -> ActionRecord {
        let f = Fields::of(r, value);
        ActionRecord {
            at_event: f.req(r, "at_event"),
            at_us: f.req(r, "at_us"),
            action: f.req(r, "action"),
        }
    }
}

/// Why an action cannot be applied now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionError(pub String);

impl std::fmt::Display for ActionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ActionError {}

impl ToJson for Action {
    fn to_json(&self) -> Json {
        match self {
            Action::Crash { node } => tagged("crash", [("node", field(node))]),
            Action::Restart { node } => tagged("restart", [("node", field(node))]),
            Action::Pause { node, duration_us } => tagged(
                "pause",
                [("node", field(node)), ("duration_us", field(duration_us))],
            ),
            Action::ClockJump { node, delta_us } => tagged(
                "clock_jump",
                [("node", field(node)), ("delta_us", field(delta_us))],
            ),
            Action::ClockDrift { node, ppm } => {
                tagged("clock_drift", [("node", field(node)), ("ppm", field(ppm))])
            }
            Action::Partition { groups } => tagged("partition", [("groups", field(groups))]),
            Action::Cut { from, to } => tagged("cut", [("from", field(from)), ("to", field(to))]),
            Action::Clog { from, to } => tagged("clog", [("from", field(from)), ("to", field(to))]),
            Action::Unclog { from, to } => {
                tagged("unclog", [("from", field(from)), ("to", field(to))])
            }
            Action::Heal => "heal".to_json(),
            Action::DropMessage { msg } => tagged("drop_message", [("msg", field(msg))]),
            Action::DuplicateMessage { msg } => tagged("duplicate_message", [("msg", field(msg))]),
            Action::ClientRequest { node, op } => {
                tagged("client_request", [("node", field(node)), ("op", field(op))])
            }
            Action::SetParam { key, value } => {
                tagged("set_param", [("key", field(key)), ("value", field(value))])
            }
            Action::Lab { verb, args } => {
                tagged("lab", [("verb", field(verb)), ("args", field(args))])
            }
        }
    }
}

impl ToJson for ScheduledFault {
    fn to_json(&self) -> Json {
        object([
            ("at_us", field(&self.at_us)),
            ("action", field(&self.action)),
        ])
    }
}

impl ToJson for ActionRecord {
    fn to_json(&self) -> Json {
        object([
            ("at_event", field(&self.at_event)),
            ("at_us", field(&self.at_us)),
            ("action", field(&self.action)),
        ])
    }
}
