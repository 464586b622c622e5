//! The guided presets, on 50 ms links so that every step lands on a round number: S1 asks
//! for votes at 0.1 s, prepares arrive at 0.15 s, votes (written to disk for 0.1 s) leave at
//! 0.25 s and arrive at 0.3 s, the decision is forced to S1's log until 0.4 s and arrives at
//! 0.45 s, the acks at 0.5 s.

use super::checks::{ATOMIC_CHECK, BLOCKED_CHECK};
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

/// S1 coordinating S2, S3 and S4 over 50 ms links.
pub fn scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 4);
    s.network.link.latency = Latency::Constant { us: 50 * MS };
    s
}

fn failing(point: i64, cooperative: bool) -> Scenario {
    scenario(1)
        .with_param("crash_at", point)
        .with_param("down_ms", 4_000)
        .with_param("cooperative", i64::from(cooperative))
}

const PREPARE: &str = "At 0.1 s the coordinator S1 sends “prepare T1” to S2, S3 and S4. Each takes its locks, writes its vote to its own log (0.1 s) and answers.";
const IN_DOUBT: &str = "From 0.25 s S2, S3 and S4 have voted yes. From now on none of them may decide alone: the coordinator may already have decided either way. They keep their locks and wait.";
const MID_SEND: &str = "At 0.4 s S1 has logged “commit T1” and starts sending it. It reaches S2 only: S1 fails mid-send. S2 commits; S3 and S4 are still in doubt, holding their locks.";

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "all-yes",
            title: "Everyone votes yes",
            summary: "Prepare, three yes votes, the decision logged, commit, acks.",
            scenario: scenario(1),
            duration_us: 1_500 * MS,
            chapters: vec![
                Chapter::at(0, "S1 coordinates a transaction, T1, that changes data on S2, S3 and S4. Two-phase commit makes it all or nothing: first everyone promises, then everyone is told."),
                Chapter::at(100 * MS, PREPARE),
                Chapter::at(300 * MS, "At 0.3 s S1 has three yes votes. Before telling anyone it writes “commit T1” to its log and waits for the disk (0.1 s): from then on the decision survives a crash."),
                Chapter::at(400 * MS, "At 0.4 s the decision goes out. Each participant commits, lets go of its locks and acknowledges."),
                Chapter::at(500 * MS, "At 0.5 s S1 has every acknowledgement and can forget T1. The locks were held for 0.3 s. Free play from here: try the fault toolbar on S1 just after the votes arrive."),
            ],
        },
        Preset {
            id: "one-no",
            title: "One votes no",
            summary: "S3 votes no: it aborts at once, and so does everyone else.",
            scenario: scenario(1).with_param("no_voter", 2),
            duration_us: 1_500 * MS,
            chapters: vec![
                Chapter::at(0, "The same transaction, but S3 cannot do its part (a constraint fails, it is out of space) and will vote no."),
                Chapter::at(100 * MS, PREPARE),
                Chapter::at(250 * MS, "At 0.25 s S3 votes no. A no voter knows the outcome already, so it aborts and frees its locks at once. S2 and S4 voted yes and wait."),
                Chapter::at(300 * MS, "At 0.3 s S1 sees the no: one no is enough to abort. It logs “abort T1”; at 0.45 s S2 and S4 abort too. Nobody commits."),
            ],
        },
        Preset {
            id: "coordinator-fails",
            title: "The coordinator fails after the votes",
            summary: "Everyone voted yes and nobody may decide: locks held for 4 s.",
            scenario: failing(3, true),
            duration_us: 5 * SECOND,
            chapters: vec![
                Chapter::at(100 * MS, PREPARE),
                Chapter::at(250 * MS, IN_DOUBT),
                Chapter::at(300 * MS, "At 0.3 s the last yes vote arrives and S1 fails before writing any decision. It is down for 4 s."),
                Chapter::at(1_250 * MS, "At 1.25 s the participants give up waiting and ask S1 and each other. Each peer answers “I don't know either”: all three voted yes and none heard a decision. Asking each other cannot help when everyone is in doubt."),
                Chapter::at(2 * SECOND, "Watch the lock lanes grow: every transaction that needs these rows now waits behind T1.").on_check(BLOCKED_CHECK),
                Chapter::at(4_300 * MS, "At 4.3 s S1 recovers and reads its log: T1 begun, no decision. Then nobody can have been told to commit, so it aborts and says so. The locks are released after 4.2 s instead of 0.3 s."),
            ],
        },
        Preset {
            id: "coordinator-fails-mid-send",
            title: "The coordinator fails mid-send",
            summary: "Only S2 hears “commit”; the others learn it from S2.",
            scenario: failing(4, true),
            duration_us: 5 * SECOND,
            chapters: vec![
                Chapter::at(100 * MS, PREPARE),
                Chapter::at(250 * MS, IN_DOUBT),
                Chapter::at(400 * MS, MID_SEND),
                Chapter::at(1_250 * MS, "At 1.25 s S3 and S4 ask S1 (down) and their peers. S2 knows: it answers “commit”, and they commit. Cooperative termination works when someone knows the outcome."),
                Chapter::at(4_400 * MS, "At 4.4 s S1 recovers, finds “commit T1” in its log and sends it again; everyone acknowledges."),
            ],
        },
        Preset {
            id: "mid-send-waiting",
            title: "Mid-send, asking only the coordinator",
            summary: "The same failure without cooperative termination: 4 s of locks.",
            scenario: failing(4, false),
            duration_us: 5 * SECOND,
            chapters: vec![
                Chapter::at(100 * MS, PREPARE),
                Chapter::at(250 * MS, IN_DOUBT),
                Chapter::at(400 * MS, MID_SEND),
                Chapter::at(1_250 * MS, "At 1.25 s S3 and S4 ask the coordinator only, which is down. S2 knows the outcome, but nobody asks it."),
                Chapter::at(2 * SECOND, "S3 and S4 are blocked, holding locks for a transaction that has in fact committed.").on_check(BLOCKED_CHECK),
                Chapter::at(4_400 * MS, "At 4.4 s S1 recovers, reads “commit T1” in its log and resends it: S3 and S4 commit at last."),
            ],
        },
        Preset {
            id: "participant-fails",
            title: "A participant fails after voting yes",
            summary: "S3 misses the decision and asks for it when it restarts.",
            scenario: scenario(1)
                .with_fault(260 * MS, Action::Crash { node: 2 })
                .with_fault(2 * SECOND, Action::Restart { node: 2 }),
            duration_us: 3 * SECOND,
            chapters: vec![
                Chapter::at(100 * MS, PREPARE),
                Chapter::at(260 * MS, "At 0.26 s S3 crashes just after sending its yes vote. The vote is in its log."),
                Chapter::at(400 * MS, "S1 decides to commit; S2 and S4 commit. The message to S3 is lost, so S1 keeps resending it every second."),
                Chapter::at(2 * SECOND, "At 2 s S3 restarts. Its log says it voted yes on T1 and holds no outcome: it is in doubt, takes its locks back and asks S1, which answers “commit”."),
            ],
        },
        Preset {
            id: "three-phase-coordinator-fails",
            title: "Three-phase commit: the coordinator fails",
            summary: "The same failure; the participants decide without S1.",
            scenario: failing(3, true).with_param("protocol", 1),
            duration_us: 5 * SECOND,
            chapters: vec![
                Chapter::at(0, "Three-phase commit (Skeen 1981) puts a round between the votes and the commit: S1 first sends “pre-commit”, everyone logs it and acknowledges, and only then is “commit” sent. So nobody commits while anyone is merely uncertain."),
                Chapter::at(100 * MS, PREPARE),
                Chapter::at(300 * MS, "At 0.3 s the last yes vote arrives and S1 fails before sending pre-commit, as in the two-phase preset. It is down for 4 s."),
                Chapter::at(1_250 * MS, "At 1.25 s the participants give up on S1 and run the termination protocol: each asks the others for its state."),
                Chapter::at(1_500 * MS, "At 1.5 s S2, the lowest-numbered participant that hears from no lower one, is the recovery coordinator. All three are only uncertain: had S1 decided to commit, someone would have pre-committed. So it aborts and tells S3 and S4. Nobody waited for S1: the locks are free by 1.55 s, where two-phase commit held them until 4.3 s."),
                Chapter::at(4_300 * MS, "At 4.3 s S1 recovers. Its log holds no pre-commit, so it aborts as well, in agreement. The price: an extra round in every transaction, and an assumption about the network, which the next preset breaks."),
            ],
        },
        Preset {
            id: "three-phase-partition",
            title: "Three-phase commit: the partition",
            summary: "Nobody crashes; a partition makes one side commit and the other abort.",
            scenario: scenario(1)
                .with_param("protocol", 1)
                .with_fault(320 * MS, Action::Partition { groups: vec![vec![0, 1]] })
                .with_fault(3 * SECOND, Action::Heal),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "Three-phase commit again, and nobody will crash. At 0.32 s the network splits S1 and S2 from S3 and S4."),
                Chapter::at(300 * MS, "At 0.3 s S1 has three yes votes and sends pre-commit. Only the copy to S2 gets through: the partition drops those to S3 and S4. S2 pre-commits and acknowledges."),
                Chapter::at(1_250 * MS, "At 1.25 s S3 and S4, still uncertain, run the termination protocol; they can reach only each other."),
                Chapter::at(1_300 * MS, "At 1.3 s S1 has waited 1 s for two acknowledgements. Three-phase commit says a silent participant has crashed and will learn the outcome on recovery, so S1 commits; S2 commits at 1.45 s."),
                Chapter::at(1_500 * MS, "At 1.5 s S3, recovery coordinator of its side, sees only uncertain participants and aborts; S4 follows. S2 committed T1 and S3 aborted it: atomicity is broken without a single crash. The termination rule is sound only if silence means a crash, that is in a synchronous network without partitions; cut off from each other, both sides decide. Skeen and Stonebraker (1983) show no commit protocol can be non-blocking and safe once the network can partition.").on_check(ATOMIC_CHECK),
                Chapter::at(3 * SECOND, "At 3 s the partition heals and S1 resends “commit” to S3 and S4, who have aborted: too late to agree."),
            ],
        },
        Preset {
            id: "crash-point-sweep",
            title: "Crash-point sweep",
            summary: "Five transactions; in each, S1 fails at the next point of the protocol.",
            scenario: scenario(1)
                .with_param("transactions", 5)
                .with_param("crash_at", 6)
                .with_param("cooperative", 0),
            duration_us: 24 * SECOND,
            chapters: vec![
                Chapter::at(0, "S1 runs five transactions one after another and fails once in each, 3 s at a time, each time one step later in the protocol. The bars compare how long participants held their locks."),
                Chapter::at(100 * MS, "T1: S1 fails before asking anyone. Nobody has locked anything; on recovery it aborts T1."),
                Chapter::at(3_600 * MS, "T2: S1 fails right after sending prepare. The participants vote yes into the void and wait, in doubt, for 3 s."),
                Chapter::at(7 * SECOND, "T3: S1 fails after the votes, before logging. Same wait; recovery finds no decision and aborts."),
                Chapter::at(10_600 * MS, "T4: S1 fails after logging commit and telling S2 only. S3 and S4 wait; recovery resends “commit”."),
                Chapter::at(14_400 * MS, "T5: S1 fails after sending the decision to all. Nobody waits: the risky window is between the votes and the decision reaching everyone."),
            ],
        },
    ]
}
