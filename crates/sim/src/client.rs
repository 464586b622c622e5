//! Simulated clients: the operations they issue, the replies they get, and how they pace
//! themselves. Every operation's invoke and return is recorded in the trace, from which the
//! history for consistency checking is read (see `history`).

use crate::ids::{ClientId, NodeId};
use crate::json::write::{field, object, tagged, ToJson};
use crate::json::{unknown_variant, variant, Fields, FromJson, Json, Reader};
use crate::limits::{MAX_CLIENTS, MAX_DURATION_US, MAX_KEYS};
use crate::network::Latency;
use crate::time::{Time, MS};
use serde::{Deserialize, Serialize};

/// One operation on a key-value store of `u32` values (the register every lab with clients
/// shares, so one consistency checker serves them all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientOp {
    Read {
        key: u16,
    },
    Write {
        key: u16,
        value: u32,
    },
    /// Compare-and-set: write `to` if the value is `from`.
    Cas {
        key: u16,
        from: u32,
        to: u32,
    },
}

impl ClientOp {
    pub fn key(&self) -> u16 {
        match *self {
            ClientOp::Read { key } | ClientOp::Write { key, .. } | ClientOp::Cas { key, .. } => key,
        }
    }

    pub fn is_read(&self) -> bool {
        matches!(self, ClientOp::Read { .. })
    }
}

impl FromJson for ClientOp {
    fn from_json(r: &mut Reader, value: &Json) -> ClientOp {
        let (name, f) = variant(r, value);
        match name {
            "read" => ClientOp::Read {
                key: f.req(r, "key"),
            },
            "write" => ClientOp::Write {
                key: f.req(r, "key"),
                value: f.req(r, "value"),
            },
            "cas" => ClientOp::Cas {
                key: f.req(r, "key"),
                from: f.req(r, "from"),
                to: f.req(r, "to"),
            },
            _ => {
                let known = ["read", "write", "cas"];
                unknown_variant(r, "client operation", name, &known);
                ClientOp::Read { key: 0 }
            }
        }
    }
}

impl std::fmt::Display for ClientOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            ClientOp::Read { key } => write!(f, "read k{key}"),
            ClientOp::Write { key, value } => write!(f, "write k{key}={value}"),
            ClientOp::Cas { key, from, to } => write!(f, "cas k{key} {from}→{to}"),
        }
    }
}

/// Names one request: the client and its per-client sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RequestId {
    pub client: ClientId,
    pub seq: u32,
}

/// A request as a node receives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ClientRequest {
    pub id: RequestId,
    pub op: ClientOp,
}

/// A node's answer to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ClientReply {
    /// Done; a read carries the value it saw (`None`: the key was never written).
    Ok { value: Option<u32> },
    /// Definitely not done (for example a refusal); says nothing about the value.
    Fail,
    /// A compare-and-set that was carried out and found a value other than its `from`:
    /// nothing changed, and the value was not `from` at that moment.
    Mismatch,
    /// Not the right node: try the leader, if this node knows it.
    Redirect { leader: Option<NodeId> },
}

/// How an operation ended, as the client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outcome {
    Ok {
        value: Option<u32>,
    },
    /// Definitely not done, for a reason that tells nothing about the value (a refusal, no
    /// leader, too many redirects).
    Fail,
    /// A compare-and-set that found a value other than its `from`: it changed nothing, and
    /// the value was not `from` at the moment it took effect.
    Mismatch,
    /// No answer in time: the operation may or may not have taken effect.
    Timeout,
}

/// Which node a client sends to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClientTarget {
    /// A random node each time (then follow redirects, remembering the leader).
    #[default]
    Random,
    /// Always node `client % n_nodes` (session stickiness).
    Sticky,
}

/// The client workload of a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClientConfig {
    pub n_clients: u16,
    pub think_min_us: Time,
    pub think_max_us: Time,
    /// Give up on a request after this long (the outcome is then `Timeout`).
    pub timeout_us: Time,
    pub n_keys: u32,
    /// Share of reads among operations, in parts per million.
    pub read_ppm: u32,
    /// Share of compare-and-sets among writes, in parts per million.
    pub cas_ppm: u32,
    /// One-way delay between a client and a node.
    pub latency: Latency,
    pub target: ClientTarget,
    /// Redirects followed before the operation fails.
    pub max_redirects: u8,
    /// Stop issuing new operations at this time (`None`: never).
    pub stop_at_us: Option<Time>,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            n_clients: 0,
            think_min_us: 50 * MS,
            think_max_us: 150 * MS,
            timeout_us: 1_000 * MS,
            n_keys: 1,
            read_ppm: 500_000,
            cas_ppm: 0,
            latency: Latency::Uniform {
                min_us: MS,
                max_us: 3 * MS,
            },
            target: ClientTarget::Random,
            max_redirects: 5,
            stop_at_us: None,
        }
    }
}

impl FromJson for ClientTarget {
    fn from_json(r: &mut Reader, value: &Json) -> ClientTarget {
        match variant(r, value).0 {
            "random" => ClientTarget::Random,
            "sticky" => ClientTarget::Sticky,
            name => {
                unknown_variant(r, "client target", name, &["random", "sticky"]);
                ClientTarget::Random
            }
        }
    }
}

impl FromJson for ClientConfig {
    fn from_json(r: &mut Reader, value: &Json) -> ClientConfig {
        let f = Fields::of(r, value);
        ClientConfig {
            n_clients: f.req(r, "n_clients"),
            think_min_us: f.req(r, "think_min_us"),
            think_max_us: f.req(r, "think_max_us"),
            timeout_us: f.req(r, "timeout_us"),
            n_keys: f.req(r, "n_keys"),
            read_ppm: f.req(r, "read_ppm"),
            cas_ppm: f.or_default(r, "cas_ppm"),
            latency: f.req(r, "latency"),
            target: f.or_default(r, "target"),
            max_redirects: f.req(r, "max_redirects"),
            stop_at_us: f.or_default(r, "stop_at_us"),
        }
    }
}

impl ClientConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.n_clients > MAX_CLIENTS {
            return Err(format!(
                "{} clients is more than the limit of {MAX_CLIENTS}",
                self.n_clients
            ));
        }
        if self.n_keys == 0 || self.n_keys > MAX_KEYS {
            return Err(format!(
                "the workload needs 1 to {MAX_KEYS} keys, not {}",
                self.n_keys
            ));
        }
        if self.think_min_us > self.think_max_us {
            return Err("client think time: minimum exceeds maximum".into());
        }
        for (name, us) in [
            ("think time", self.think_max_us),
            ("timeout", self.timeout_us),
        ] {
            if us > MAX_DURATION_US {
                return Err(format!("client {name} {us} µs is longer than one day"));
            }
        }
        if self.timeout_us == 0 {
            return Err("client timeout must be positive".into());
        }
        if self.read_ppm > 1_000_000 || self.cas_ppm > 1_000_000 {
            return Err("client operation mix must be at most 1,000,000 ppm".into());
        }
        self.latency.validate().map_err(|e| format!("client {e}"))
    }
}

/// An operation a client is waiting on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pending {
    pub request: ClientRequest,
    pub node: NodeId,
    pub redirects: u8,
    pub invoked_at: Time,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct ClientState {
    pub pending: Option<Pending>,
    pub next_seq: u32,
    /// Where to send next: the last node that answered, or the leader it named.
    pub leader_hint: Option<NodeId>,
    /// The node that last timed out, avoided by the next random pick.
    pub avoid: Option<NodeId>,
}

impl ToJson for ClientOp {
    fn to_json(&self) -> Json {
        match self {
            ClientOp::Read { key } => tagged("read", [("key", field(key))]),
            ClientOp::Write { key, value } => {
                tagged("write", [("key", field(key)), ("value", field(value))])
            }
            ClientOp::Cas { key, from, to } => tagged(
                "cas",
                [
                    ("key", field(key)),
                    ("from", field(from)),
                    ("to", field(to)),
                ],
            ),
        }
    }
}

impl ToJson for ClientTarget {
    fn to_json(&self) -> Json {
        match self {
            ClientTarget::Random => "random",
            ClientTarget::Sticky => "sticky",
        }
        .to_json()
    }
}

impl ToJson for ClientConfig {
    fn to_json(&self) -> Json {
        object([
            ("n_clients", field(&self.n_clients)),
            ("think_min_us", field(&self.think_min_us)),
            ("think_max_us", field(&self.think_max_us)),
            ("timeout_us", field(&self.timeout_us)),
            ("n_keys", field(&self.n_keys)),
            ("read_ppm", field(&self.read_ppm)),
            ("cas_ppm", field(&self.cas_ppm)),
            ("latency", field(&self.latency)),
            ("target", field(&self.target)),
            ("max_redirects", field(&self.max_redirects)),
            ("stop_at_us", field(&self.stop_at_us)),
        ])
    }
}
