//! The guided presets: the seeds' partition {S1, S2} | {S3, S4, S5} under each protection,
//! the witness that lets two servers survive losing one, and the even split that leaves
//! nobody in charge. Storage (the last server) and the fence agent (the one before it) sit on
//! networks of their own, so a partition cuts the cluster's links only.

use super::checks::{ONE_WRITER_CHECK, UNAVAILABLE_CHECK};
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::ids::NodeId;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

/// Five servers, the fence agent and storage, with 5–10 ms links, in `mode`.
pub fn scenario(seed: u64, n_nodes: u16, mode: i64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, n_nodes).with_param("mode", mode);
    s.network.link.latency = Latency::Uniform {
        min_us: 5 * MS,
        max_us: 10 * MS,
    };
    s
}

/// Cut every link between servers of different groups, both ways: a partition of the
/// cluster that leaves storage and the fence agent reachable from both sides.
pub fn split(mut s: Scenario, at_us: u64, groups: &[&[NodeId]]) -> Scenario {
    for (i, a) in groups.iter().enumerate() {
        for b in &groups[i + 1..] {
            for &x in *a {
                for &y in *b {
                    s = s
                        .with_fault(at_us, Action::Cut { from: x, to: y })
                        .with_fault(at_us, Action::Cut { from: y, to: x });
                }
            }
        }
    }
    s
}

const SEEDS_SPLIT: &[&[NodeId]] = &[&[0, 1], &[2, 3, 4]];

/// The seeds' partition at 1 s, healed at 3 s.
fn seeds_split(mode: i64) -> Scenario {
    split(scenario(1, 7, mode), SECOND, SEEDS_SPLIT).with_fault(3 * SECOND, Action::Heal)
}

const SPLIT_AT_1S: &str = "At 1 s the network splits {S1, S2} from {S3, S4, S5}. Storage sits on a network of its own, so both sides still reach it.";

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "no-quorum",
            title: "No quorum",
            summary: "Both sides elect a leader; storage takes both.",
            scenario: seeds_split(0),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "S1 leads term 1 and writes to storage (S7) every 200 ms, stamping each write with its term. In this mode a candidate needs only the votes of the servers that answer it, and a leader never doubts itself. S6, the fence agent, has nothing to do here."),
                Chapter::at(SECOND, SPLIT_AT_1S),
                Chapter::at(SECOND + 300 * MS, "S3, S4 and S5 hear no more heartbeats. After a random election timeout one of them stands in term 2, gets every vote that comes back, and leads. Meanwhile S1, with S2 still answering, carries on."),
                Chapter::at(SECOND, "S1 writes with term 1 after the term-2 leader has written, and storage takes it: two leaders, two streams of writes interleaved. That is split brain. Storage's picture saw-tooths between 1 and 2; the metrics count the conflicting writes.").on_check(ONE_WRITER_CHECK),
                Chapter::at(3 * SECOND, "The network heals. S1 hears of term 2 and steps down, but storage already holds both sides' writes in an order nobody chose. Try the same split with a majority quorum, fencing or STONITH."),
            ],
        },
        Preset {
            id: "majority-quorum",
            title: "Majority quorum",
            summary: "The old leader steps down; only the majority elects.",
            scenario: seeds_split(1),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same cluster and the same split, with a majority quorum: a candidate needs 3 of the 5 votes, and a leader steps down once it has not heard from 3 of 5 (itself included) for 150 ms, half the shortest election timeout. This is check-quorum."),
                Chapter::at(SECOND, SPLIT_AT_1S),
                Chapter::at(SECOND + 150 * MS, "S1 hears only from S2: 2 of 5. It steps down and stops writing, before the other side can possibly have elected anyone."),
                Chapter::at(SECOND + 400 * MS, "S3, S4 and S5 are 3 of 5: one of them wins term 2 and writes. On the small side S1 and S2 stand again and again and never win: two votes are not enough."),
                Chapter::at(3 * SECOND, "The network heals. The minority's repeated candidacies pushed its terms up, which forces one more election; whoever wins, no term has two leaders and storage never saw two writers."),
            ],
        },
        Preset {
            id: "fencing",
            title: "Fencing tokens",
            summary: "Storage refuses the old leader: “stale token 1 < 2”.",
            scenario: seeds_split(2),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "Fencing tokens: elections need a majority, so each term has one leader and the term can serve as a token. Storage remembers the highest token it has seen and refuses lower ones. Nobody tells S1 to stop when it loses its majority: storage will."),
                Chapter::at(SECOND, "At 1 s the network splits {S1, S2} from {S3, S4, S5}. S1 is still sure it leads term 1, and storage still takes its writes: nothing newer has written yet."),
                Chapter::at(SECOND + 400 * MS, "The majority elects a leader of term 2. Its first write raises storage's highest token to 2."),
                Chapter::at(SECOND + 620 * MS, "S1 tries again with token 1. Storage answers “stale token 1 < 2”, and S1, learning that a newer term exists, steps down. The conflicting write never landed."),
                Chapter::at(3 * SECOND, "The network heals. The minority's failed candidacies pushed its terms up, so one more election follows, and its winner's term is the new token. Storage's picture: the tokens it took only ever went up."),
            ],
        },
        Preset {
            id: "stonith",
            title: "STONITH",
            summary: "The old leader is powered off before the new one writes.",
            scenario: seeds_split(3),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "STONITH, “shoot the other node in the head”: elections need a majority, and a new leader first has every server that did not vote for it powered off by the fence agent S6, a power switch on a management network of its own (its messages have their own colour). Only when the agent confirms does it write."),
                Chapter::at(SECOND, "At 1 s the network splits {S1, S2} from {S3, S4, S5}. S1 carries on writing: nothing tells it to stop, yet."),
                Chapter::at(SECOND + 400 * MS, "The majority elects a leader of term 2. Before its first write it asks S6 to power off S1 and S2, which did not vote for it."),
                Chapter::at(SECOND + 430 * MS, "S6 cuts their power and confirms; only then does the new leader write. Storage never hears from S1 again, so it never sees two writers."),
                Chapter::at(3 * SECOND, "Healing the network changes nothing for S1 and S2: they stay off until someone restarts them (crash, then restart, from the toolbar)."),
            ],
        },
        Preset {
            id: "witness",
            title: "A witness",
            summary: "Two servers and a tie-breaker survive losing one.",
            scenario: split(
                scenario(2, 5, 1).with_param("witness", 1),
                SECOND,
                &[&[0], &[1, 2]],
            )
            .with_fault(3 * SECOND, Action::Heal),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "Two servers, S1 and S2, and a witness, S3: it votes and answers heartbeats but stores nothing and never leads. Two servers alone cannot lose one and keep a majority (1 of 2 is not more than half); with the witness, 2 of 3 is."),
                Chapter::at(SECOND, "At 1 s S1 is cut off from S2 and the witness (storage S5 and agent S4 are still reachable)."),
                Chapter::at(SECOND + 150 * MS, "S1 hears from nobody: 1 of 3. It steps down."),
                Chapter::at(SECOND + 340 * MS, "S2 stands in term 2 and wins with the witness's vote: the cluster keeps writing with one data server left. Without the witness it would have stopped."),
            ],
        },
        Preset {
            id: "even-split",
            title: "An even split",
            summary: "2 | 2: no majority anywhere, so no leader at all.",
            scenario: split(
                scenario(3, 6, 1).with_param("start_leader", 0),
                0,
                &[&[0, 1], &[2, 3]],
            )
            .with_fault(3 * SECOND, Action::Heal),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "Four servers start on a network split 2 | 2, before any election. A majority of four is three, and neither side has three."),
                Chapter::at(300 * MS, "Candidates on both sides stand, get two votes, and lose, over and over. No term ever gets a leader, so no term can have two."),
                Chapter::at(SECOND, "Nobody has written for four election timeouts: the cluster is unavailable. Majority quorums chose consistency over availability here; without them both sides would be writing.").on_check(UNAVAILABLE_CHECK),
                Chapter::at(3 * SECOND, "The network heals. The next candidate gets three votes or more and leads: writes resume within moments."),
            ],
        },
    ]
}
