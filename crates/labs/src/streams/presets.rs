//! The guided presets: the same workload (60 keyed messages, one every 50 ms, four
//! partitions, three consumers, 10 ms links) as a log and as a queue; without keys; a crash
//! under each commit timing; a consumer joining under eager and cooperative rebalancing; a
//! poison message; a replay.

use super::checks::{DUPLICATED_CHECK, LOST_CHECK, REORDERED_CHECK};
use super::config::N_NODES;
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

pub fn scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, N_NODES);
    s.network.link.latency = Latency::Constant { us: 10 * MS };
    s
}

/// The consumer that crashes in the crash presets.
pub const CRASHED: u16 = 4;
pub const CRASH_AT_US: u64 = 960 * MS;

fn crash(s: Scenario) -> Scenario {
    s.with_fault(CRASH_AT_US, Action::Crash { node: CRASHED })
}

const CAST: &str = "S1 produces 60 messages, one every 20 ms, each with a key (k0 to k3). S2 and S3 are brokers, S4 is a database where each message's effect is written, S5 to S7 consume as one group. S2 also coordinates the group and keeps its committed offsets.";

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "log",
            title: "A log: partitions and offsets",
            summary: "Keys hashed to four partitions; each consumer reads its own, in order.",
            scenario: scenario(1),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(200 * MS, "Here the brokers keep a log: each key is hashed to one of four partitions, and a record is appended at the partition's next offset. Nothing is deleted when it is read."),
                Chapter::at(600 * MS, "Each partition is read by exactly one consumer of the group. A consumer fetches a few records from its position, writes each one's effect to S4, then commits the offset it has reached."),
                Chapter::at(2 * SECOND, "Because a key always lands in the same partition and a partition is read in offset order by one consumer, each key's messages take effect in the order they were produced."),
            ],
        },
        Preset {
            id: "queue",
            title: "A queue: competing consumers",
            summary: "The same messages in one queue: any free consumer takes the next one.",
            scenario: scenario(1).with_param("model", 1),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(200 * MS, "Now S2 keeps a queue: whichever consumer asks next gets the oldest waiting messages, and a message is deleted once its consumer acknowledges it. There are no partitions and no offsets to go back to."),
                Chapter::at(400 * MS, "Competing consumers spread the work well, but two messages of one key can be processed at the same time by two consumers, and the slower one finishes last.").on_check(REORDERED_CHECK),
            ],
        },
        Preset {
            id: "no-keys",
            title: "A log without keys",
            summary: "Messages spread round-robin over the partitions: a key's order is lost.",
            scenario: scenario(1).with_param("keys", 0),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(200 * MS, "The producer sends no key, so messages go to the partitions in turn. Each partition is still in order, but one key's messages now sit in different partitions, read by different consumers at different speeds."),
                Chapter::at(400 * MS, "A key's later message takes effect before its earlier one: order holds only within a partition.").on_check(REORDERED_CHECK),
            ],
        },
        Preset {
            id: "at-most-once",
            title: "Commit before processing: a crash loses messages",
            summary: "S5 commits a batch when it fetches it, then crashes half-way through.",
            scenario: crash(scenario(1).with_param("commit", 0)),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(200 * MS, "The consumers commit each batch's offset as soon as they fetch it, before processing it: at-most-once delivery."),
                Chapter::at(CRASH_AT_US, "At 0.96 s S5 crashes in the middle of a batch whose offset it has already committed. What it had not yet processed is behind the committed offset: nobody will read it again.").on_check(LOST_CHECK),
                Chapter::at(1_700 * MS, "S2 stops hearing S5's heartbeats and hands its partitions to the others, who start from the committed offset. Nothing is processed twice; the lost message is counted in the tally."),
            ],
        },
        Preset {
            id: "at-least-once",
            title: "Commit after processing: a crash duplicates",
            summary: "S5 commits after each batch; it crashes half-way through one.",
            scenario: crash(scenario(1)),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(200 * MS, "The consumers commit a batch's offset only after every record in it has taken effect: at-least-once delivery."),
                Chapter::at(CRASH_AT_US, "At 0.96 s S5 crashes in the middle of a batch. Some of its records have taken effect, but the committed offset still points before them."),
                Chapter::at(1_700 * MS, "S2 stops hearing S5's heartbeats and rebalances. The consumer that takes over S5's partition starts from the committed offset and processes those records again: nothing is lost, but some effects happen twice.").on_check(DUPLICATED_CHECK),
            ],
        },
        Preset {
            id: "idempotent",
            title: "An idempotent consumer: effectively once",
            summary: "The same crash; the database remembers which messages it applied.",
            scenario: crash(scenario(1).with_param("idempotent", 1)),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(200 * MS, "Still at-least-once, but the database stores each message's id with its effect, in the same write. A message it has seen is acknowledged and not applied again."),
                Chapter::at(CRASH_AT_US, "At 0.96 s S5 crashes in the middle of a batch, as before."),
                Chapter::at(2_300 * MS, "The new owner reprocesses what S5 had not committed; the database recognises those messages and skips them. Delivered at least once, applied exactly once: effectively once."),
            ],
        },
        Preset {
            id: "eager-rebalance",
            title: "A consumer joins: eager rebalance",
            summary: "S7 joins at 1.5 s; every consumer stops and gives up all its partitions.",
            scenario: scenario(1)
                .with_param("consumers", 2)
                .with_fault(1_500 * MS, Action::SetParam { key: "consumers".into(), value: 3 }),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "Two consumers, S5 and S6, share four partitions. At 1.5 s a third, S7, joins the group."),
                Chapter::at(1_500 * MS, "Eager rebalancing stops the world: S2 asks every member to give up every partition, waits until all have finished their batch and committed, and only then hands out the new assignment. Meanwhile nobody consumes and lag grows on every partition."),
                Chapter::at(2_200 * MS, "Compare the lag chart with the cooperative rebalance: here every partition's lag jumped, though only one partition moved."),
            ],
        },
        Preset {
            id: "cooperative-rebalance",
            title: "A consumer joins: cooperative rebalance",
            summary: "S7 joins at 1.5 s; only the partition that moves pauses.",
            scenario: scenario(1)
                .with_param("consumers", 2)
                .with_param("rebalance", 1)
                .with_fault(1_500 * MS, Action::SetParam { key: "consumers".into(), value: 3 }),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "Two consumers, S5 and S6, share four partitions. At 1.5 s a third, S7, joins the group."),
                Chapter::at(1_500 * MS, "Cooperative rebalancing (Kafka's KIP-429): S2 works out the new assignment first and asks only the owner of the partition that moves to give it up. The other partitions are read throughout."),
                Chapter::at(2_200 * MS, "Only the moved partition's lag rose, for as long as it took its old owner to finish a batch."),
            ],
        },
        Preset {
            id: "poison",
            title: "A poison message",
            summary: "Message #10 always fails; after 3 retries it goes to the dead-letter queue.",
            scenario: scenario(1).with_param("poison", 10),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "Message #10 can never be processed (think: a malformed payload). Its consumer retries it, and everything behind it in its partition waits."),
                Chapter::at(900 * MS, "After three retries the consumer gives up and moves the message to a dead-letter queue, where someone can look at it later, and the partition moves on. Without that limit one bad message would stop its partition forever."),
            ],
        },
        Preset {
            id: "replay",
            title: "Replay the log",
            summary: "At 3.5 s the group goes back to offset 0 and reads everything again.",
            scenario: scenario(1)
                .with_param("idempotent", 1)
                .with_fault(3_500 * MS, Action::Lab { verb: "replay".into(), args: vec![] }),
            duration_us: 6 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(3_500 * MS, "At 3.5 s the group's committed offsets are set back to 0. A log keeps its records after they are read, so the consumers read the whole history again (a queue would have nothing left)."),
                Chapter::at(3_700 * MS, "The consumer here is idempotent, so the replay changes nothing in the database. A replay is how a new service builds its state from the past, or how a fixed bug is re-run over old data."),
            ],
        },
    ]
}
