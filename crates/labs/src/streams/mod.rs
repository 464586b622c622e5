//! Message streams: a queue and a log on the same workload. A producer sends keyed
//! messages; two brokers keep them in partitions (a log, read by offset, kept after reading)
//! or one broker keeps them in a queue (competing consumers, deleted once acknowledged); a
//! consumer group shares the partitions and rebalances, eagerly or cooperatively, when
//! members join, leave or crash; offsets committed before or after processing give at-most-
//! or at-least-once delivery, and an idempotent consumer makes it effectively once; a
//! poison message ends in a dead-letter queue.
//!
//! - `config` — the node layout, the settings, the deliberate bugs;
//! - `node` — producer, brokers (with the group coordinator), database, consumers;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod node;
mod pictures;
mod presets;

pub use checks::{lost, DUPLICATED, LOST, NO_LOSS, ONCE, ORDER, REORDERED};
pub use config::{COORDINATOR, DATABASE, FIRST_CONSUMER};
pub use node::{consumer_node, Durable, Msg, Slot, Streams};

pub use presets::{scenario, CRASHED, CRASH_AT_US};

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, LabVerb, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "streams";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "model",
        label: "Broker keeps",
        help: "A log (partitions read by offset, records kept after reading) or a queue (competing consumers; a message is deleted once acknowledged).",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(config::MODELS),
    },
    ParamSpec {
        key: "partitions",
        label: "Partitions",
        help: "How many partitions the log has, spread over the two brokers.",
        min: 1,
        max: 8,
        default: 4,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "keys",
        label: "Keyed messages",
        help: "The producer sends a key and the partitioner hashes it, so one key always lands in one partition; without keys messages go round-robin.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "n_keys",
        label: "Distinct keys",
        help: "How many different keys the producer picks from.",
        min: 1,
        max: 16,
        default: 4,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "messages",
        label: "Messages",
        help: "How many messages the producer sends.",
        min: 0,
        max: 500,
        default: 60,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "produce_every_ms",
        label: "Produce every",
        help: "Time between two messages from the producer.",
        min: 1,
        max: 10_000,
        default: 20,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "consumers",
        label: "Consumers in the group",
        help: "How many of S5 to S8 are in the group; change it mid-run to make consumers join or leave.",
        min: 0,
        max: 4,
        default: 3,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "rebalance",
        label: "Rebalance",
        help: "Eager: every member gives up every partition before the new assignment. Cooperative: only the partitions that move are given up.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(config::REBALANCES),
    },
    ParamSpec {
        key: "commit",
        label: "Commit offsets",
        help: "Before processing a batch (a crash loses the rest of it) or after (a crash makes it run again).",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Choice(config::COMMITS),
    },
    ParamSpec {
        key: "idempotent",
        label: "Idempotent consumer",
        help: "The database stores each message's id with its effect and skips a message it has already applied.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "work_ms",
        label: "Processing time",
        help: "Average time to process one message (each takes between half and one and a half times this).",
        min: 0,
        max: 10_000,
        default: 40,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "batch",
        label: "Batch size",
        help: "The most records a consumer fetches at once.",
        min: 1,
        max: 50,
        default: 5,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "poison",
        label: "Poison message",
        help: "The number of a message that always fails to process; 0: none.",
        min: 0,
        max: 500,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "max_retries",
        label: "Retries before dead-lettering",
        help: "How many times a failing message is retried before it goes to the dead-letter queue.",
        min: 0,
        max: 20,
        default: 3,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "session_ms",
        label: "Session timeout",
        help: "How long the coordinator waits without a heartbeat before it removes a consumer from the group (heartbeats go three times per session).",
        min: 30,
        max: 60_000,
        default: 600,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the checks catch it.",
        min: 0,
        max: 3,
        default: 0,
        unit: Unit::Choice(config::BUG_NAMES),
    },
];

const VERBS: &[LabVerb] = &[LabVerb {
    verb: "replay",
    label: "Replay from offset 0",
    help: "Set the group's committed offsets back to 0, so the consumers read the log again from the start.",
    args: &[],
    done: "the group replays the log from offset 0",
}];

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "lose-one",
        sentence: "Lose a message: make it pass by without ever taking effect.",
        hint: "Commit before processing, then crash a consumer in the middle of a batch.",
        possible: Possibility::Possible,
        property: checks::LOST,
        only_when: None,
    },
    ChallengeSpec {
        id: "twice-idempotent",
        sentence: "Make a message take effect twice with the idempotent consumer on.",
        hint: "Crash consumers, cut links, replay the log: the database still remembers every id it applied.",
        possible: Possibility::Impossible {
            why: "The database records each message's id in the same write as its effect, so however often a message is delivered it is applied once.",
            unless_bug: Some("deduplication in the consumer's memory"),
        },
        property: checks::ONCE,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "at-least-once",
        seed: None,
        params: &[],
        check: checks::NO_LOSS,
        note: "Every 50 ms each consumer commits the offset it has fetched, not the one it has processed; when S5 crashes mid-batch, S2 already holds a committed offset past records S5 never processed, so their effects never reach the database S4.",
    },
    BugDemo {
        bug: 2,
        preset: "log",
        seed: None,
        params: &[],
        check: checks::ORDER,
        note: "The partitioner sends messages round-robin although they carry keys: one key's messages are read by different consumers, and at 0.58 s S5 writes message #17 of key k2 to the database S4 after #18 has taken effect.",
    },
    BugDemo {
        bug: 3,
        preset: "idempotent",
        seed: None,
        params: &[],
        check: checks::ONCE,
        note: "The consumer remembers processed ids in memory instead of in the database: S7, which takes over S5's partition, has never seen them and writes message #37 to the database S4 a second time.",
    },
];

pub struct StreamsLab;

impl Lab for StreamsLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Queues and logs"
    }
    fn summary(&self) -> &'static str {
        "Partitions, keys, consumer groups and offsets: what a crash does to at-most-once, at-least-once and effectively-once delivery."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: config::N_NODES,
            max: config::N_NODES,
            default: config::N_NODES,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("log", "queue"),
            ("at-most-once", "at-least-once"),
            ("at-least-once", "idempotent"),
            ("eager-rebalance", "cooperative-rebalance"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn verbs(&self) -> &'static [LabVerb] {
        VERBS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Streams>::new(&StreamsLab, scenario)?))
    }
}
