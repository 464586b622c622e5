//! The lab's settings: a log or a queue, partitions and keys, the group's size and
//! rebalance protocol, when offsets are committed, the idempotent consumer, the poison
//! message, and the deliberate bugs.

use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// S1 produces; S2 and S3 are brokers (S2 also coordinates the group, keeps its committed
/// offsets and, as a queue, holds the queue); S4 is the database the consumers write their
/// effects to; S5 to S8 are the consumers.
pub const PRODUCER: NodeId = 0;
pub const COORDINATOR: NodeId = 1;
pub const DATABASE: NodeId = 3;
pub const FIRST_CONSUMER: NodeId = 4;
pub const MAX_CONSUMERS: u16 = 4;
pub const N_NODES: u16 = 8;
/// The partition number that stands for the queue in fetches.
pub const QUEUE: u8 = u8::MAX;

pub const MODELS: &[&str] = &[
    "log (partitions with offsets)",
    "queue (gone once acknowledged)",
];
pub const COMMITS: &[&str] = &[
    "before processing (at-most-once)",
    "after processing (at-least-once)",
];
pub const REBALANCES: &[&str] = &["eager (stop the world)", "cooperative (KIP-429)"];
pub const BUG_NAMES: &[&str] = &[
    "none",
    "auto-commit of fetched offsets",
    "partitioner ignores the key",
    "deduplication in the consumer's memory",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    AutoCommit,
    IgnoresKey,
    MemoryDedup,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub queue: bool,
    pub partitions: u8,
    pub keyed: bool,
    pub n_keys: u8,
    pub messages: u32,
    pub produce_every_us: Time,
    pub consumers: u16,
    pub cooperative: bool,
    pub commit_after: bool,
    pub idempotent: bool,
    pub work_us: Time,
    pub batch: u32,
    /// The message number (from 1) that always fails to process; 0: none.
    pub poison: u32,
    pub max_retries: u32,
    pub session_us: Time,
    /// Set by the “replay” verb: the coordinator sends the group back to offset 0 (a
    /// parameter set later builds a fresh configuration without it).
    pub replay: bool,
    pub bug: Bug,
}

impl Config {
    /// The broker that leads a partition.
    pub fn broker_of(partition: u8) -> NodeId {
        if partition == QUEUE {
            COORDINATOR
        } else {
            1 + NodeId::from(partition % 2)
        }
    }

    pub fn consumer_index(node: NodeId) -> Option<u16> {
        (FIRST_CONSUMER..FIRST_CONSUMER + MAX_CONSUMERS)
            .contains(&node)
            .then(|| node - FIRST_CONSUMER)
    }

    /// Whether the partitioner follows keys (the promise of per-key order rests on it).
    pub fn hashes_keys(&self) -> bool {
        self.keyed && self.bug != Bug::IgnoresKey
    }

    /// Per-key order is promised: a log whose partitioner hashes keys.
    pub fn promises_order(&self) -> bool {
        !self.queue && self.keyed
    }

    /// The partition of message `id` with key `key`.
    pub fn partition_of(&self, id: u32, key: u8) -> u8 {
        if self.queue {
            QUEUE
        } else if self.hashes_keys() {
            // FNV-1a of the key's byte: a client's partitioner hashes the key's bytes.
            let h = (0x811c_9dc5_u32 ^ u32::from(key)).wrapping_mul(0x0100_0193);
            (h % u32::from(self.partitions)) as u8
        } else {
            (id % u32::from(self.partitions)) as u8
        }
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let ms = |key: &str, default: i64| get(key, default) as Time * MS;
        if n_nodes != N_NODES {
            return Err(format!(
                "this lab has exactly {N_NODES} servers: S1 produces, S2 and S3 are brokers, S4 is the database, S5 to S8 consume; not {n_nodes}"
            ));
        }
        let messages = get("messages", 60) as u32;
        let poison = get("poison", 0) as u32;
        if poison > messages {
            return Err(format!(
                "the poison message is number {poison}, but only {messages} messages are produced"
            ));
        }
        Ok(Config {
            queue: get("model", 0) == 1,
            partitions: get("partitions", 4) as u8,
            keyed: get("keys", 1) == 1,
            n_keys: get("n_keys", 4) as u8,
            messages,
            produce_every_us: ms("produce_every_ms", 20),
            consumers: get("consumers", 3) as u16,
            cooperative: get("rebalance", 0) == 1,
            commit_after: get("commit", 1) == 1,
            idempotent: get("idempotent", 0) == 1,
            work_us: ms("work_ms", 40),
            batch: get("batch", 5) as u32,
            poison,
            max_retries: get("max_retries", 3) as u32,
            session_us: ms("session_ms", 600),
            replay: false,
            bug: match get(BUG_PARAM, 0) {
                1 => Bug::AutoCommit,
                2 => Bug::IgnoresKey,
                3 => Bug::MemoryDedup,
                _ => Bug::None,
            },
        })
    }
}
