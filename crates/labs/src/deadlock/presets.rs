//! The guided presets, on 50 ms links with 0.3 s of work per transaction: two sites'
//! transactions crossing, a ring over three sites, a transaction waiting into a cycle it is
//! not on, the central detector (and the phantom its stale edges make), timeouts, and the
//! three ways to prevent deadlocks; then a random workload.

use super::checks::{DEADLOCK_CHECK, PHANTOM_CHECK};
use super::LAB_ID;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

pub fn scenario(seed: u64, n_sites: u16, workload: i64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, n_sites).with_param("workload", workload);
    s.network.link.latency = Latency::Constant { us: 50 * MS };
    s
}

fn crossed(detection: i64, prevention: i64) -> Scenario {
    scenario(1, 2, 1)
        .with_param("detection", detection)
        .with_param("prevention", prevention)
}

const CROSSED: &str = "T1 runs at S1 and wants A (at S1), then C (at S2). T2 runs at S2 and wants C, then A. At 0.1 s each takes its local lock; at 0.15 s each finds the other's lock taken.";

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "two-sites",
            title: "Two sites, crossed",
            summary: "T1 holds A and wants C; T2 holds C and wants A. Probes find it.",
            scenario: crossed(3, 0),
            duration_us: 3_500 * MS,
            chapters: vec![
                Chapter::at(0, CROSSED),
                Chapter::at(150 * MS, "Each site sees only its half: S1 sees T2 waiting for T1, S2 sees T1 waiting for T2. Neither sees a cycle.").on_check(DEADLOCK_CHECK),
                Chapter::at(150 * MS, "Edge-chasing: a blocked transaction's probe follows the wait-for edges from site to site. S1 sends T2's probe, T2 → T1, to S2, where T1 waits; S2 adds T1 → T2: the probe is back at T2. Edges seen one after another need not stand at once, so each is checked again where it lives, S1 then S2, and S2 reports at 0.3 s. The youngest on the cycle, T2, is the victim."),
                Chapter::at(300 * MS, "T2 aborts and lets go of C; T1 gets it, works and commits. T2 starts again 0.2 s later, keeping its age, and gets through."),
            ],
        },
        Preset {
            id: "three-sites",
            title: "A ring over three sites",
            summary: "T1 → T2 → T3 → T1, each edge at a different site.",
            scenario: scenario(1, 3, 2),
            duration_us: 3 * SECOND,
            chapters: vec![
                Chapter::at(0, "T1, T2 and T3 run at S1, S2 and S3. Each takes its local lock (A, C, E), then wants the next site's: T1 wants C, T2 wants E, T3 wants A."),
                Chapter::at(150 * MS, "A cycle of three, each edge seen by one site only.").on_check(DEADLOCK_CHECK),
                Chapter::at(150 * MS, "T3's probe goes T3 → T1 → T2 → T3 across the three sites and comes home; its edges are checked again in turn and at 0.4 s S3 reports it. T3, the youngest, aborts. T1's and T2's own probes also complete the loop, but only the youngest reports, so a cycle has one victim."),
            ],
        },
        Preset {
            id: "waits-into-cycle",
            title: "Waiting into a cycle",
            summary: "T3 waits for T1, which is deadlocked with T2: T3's probe must not report.",
            scenario: scenario(1, 3, 3),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "T1 (at S1) takes A, then E at S3, then wants C. T2 (at S2) holds C and, from 0.15 s, waits for A. T3 (at S3) will take F and then want A too."),
                Chapter::at(250 * MS, "At 0.25 s T1 asks for C and the cycle closes. T1's probe comes back to it, but T1 is not the youngest on the cycle, so it stays quiet.").on_check(DEADLOCK_CHECK),
                Chapter::at(300 * MS, "At 0.3 s T3 queues for A behind the deadlock without being part of it. Its probe runs T3 → T1 → T2 → T1 and meets the cycle away from T3: it is dropped."),
                Chapter::at(500 * MS, "At 0.5 s the sites send their periodic probes; T2's goes round, its edges are checked, and at 0.65 s S2 reports T2 → T1 → T2. T2 aborts, T1 finishes, then T3 gets A."),
            ],
        },
        Preset {
            id: "central",
            title: "A central detector",
            summary: "Every site sends its edges to S1, which finds the ring.",
            scenario: scenario(1, 3, 2).with_param("detection", 2),
            duration_us: 3 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same ring over three sites. Now every site sends S1 its local wait-for edges once a second (S1 at 0 s, S2 at 0.33 s, S3 at 0.67 s, and so on); S1 puts them together and looks for a cycle."),
                Chapter::at(150 * MS, "The ring forms at 0.15 s.").on_check(DEADLOCK_CHECK),
                Chapter::at(700 * MS, "By 0.72 s S1 has S2's edge (T1 waits for T2 at C) and S3's (T2 waits for T3 at E); its own, T3 waiting for T1 at A, goes in with its own report at 1 s."),
                Chapter::at(1_000 * MS, "At 1 s S1 holds all three edges: it reports the cycle and aborts T3, the youngest. Slower than probes, because it waits for reports; simpler, because one place decides."),
            ],
        },
        Preset {
            id: "phantom",
            title: "A phantom deadlock",
            summary: "S1 joins an old edge to a new one and sees a cycle that never existed.",
            scenario: scenario(1, 3, 4)
                .with_param("detection", 2)
                .with_param("report_every_ms", 900)
                .with_param("restart_ms", 50),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "T1 (at S2) takes E at S3, then wants C at S2, which T2 (at S3) holds. T2 works, commits and lets go of C; then it runs again and wants E, which T1 still holds. Sites report their edges to S1 every 0.9 s, in turn."),
                Chapter::at(300 * MS, "At 0.3 s S2 reports its edge: T1 waits for T2."),
                Chapter::at(550 * MS, "At 0.55 s C reaches T1: that edge is gone, but S2 will not report again until 1.2 s. T2's second run now waits for E, held by T1."),
                Chapter::at(600 * MS, "At 0.6 s S3 reports T2 waiting for T1, which is true. S1 joins it to S2's stale edge and sees T1 → T2 → T1: a deadlock that does not exist. It aborts T2 for nothing.").on_check(PHANTOM_CHECK),
            ],
        },
        Preset {
            id: "timeout",
            title: "Timeouts",
            summary: "No detector: a transaction that waits 1 s for a lock gives up.",
            scenario: crossed(1, 0),
            duration_us: 3 * SECOND,
            chapters: vec![
                Chapter::at(0, CROSSED),
                Chapter::at(150 * MS, "Nobody looks for cycles: each waiting transaction just starts a 1 s timer.").on_check(DEADLOCK_CHECK),
                Chapter::at(1_150 * MS, "At 1.15 s both time out and abort, and both restart 0.2 s later. Cheap, but it cannot tell a deadlock from a long wait, and aborting both can bring the same clash back."),
            ],
        },
        Preset {
            id: "lock-order",
            title: "A global lock order",
            summary: "Everyone takes locks in alphabetical order: no cycle can form.",
            scenario: crossed(0, 1),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same two transactions, but every transaction takes its locks in one global order (A before C). T2 now asks for A first."),
                Chapter::at(150 * MS, "T2 waits for A behind T1 while holding nothing T1 needs. A cycle would need someone to wait for a lock earlier in the order than one it holds, and nobody ever does."),
            ],
        },
        Preset {
            id: "wait-die",
            title: "Wait-die",
            summary: "An older transaction waits; a younger one dies.",
            scenario: crossed(0, 2),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "Each transaction's age is its start order: T1 is older than T2. Under wait-die, a requester older than the holder may wait; a younger one aborts at once (and keeps its age when it restarts)."),
                Chapter::at(150 * MS, "T1 (older) waits for C; T2 (younger) asks for A, which T1 holds, and dies. All waits go from old to young, so there is no cycle."),
            ],
        },
        Preset {
            id: "wound-wait",
            title: "Wound-wait",
            summary: "An older transaction wounds the younger holder; a younger one waits.",
            scenario: crossed(0, 3),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "Wound-wait turns it round: an older requester aborts (wounds) the younger holder; a younger requester waits."),
                Chapter::at(150 * MS, "T1 asks for C, held by the younger T2: T2 is wounded and aborts. T2 may wait for A behind T1. All waits go from young to old: no cycle."),
            ],
        },
        Preset {
            id: "random",
            title: "Random transactions",
            summary: "Eight transactions over four sites, with probes.",
            scenario: {
                let mut s = scenario(1, 4, 0)
                    .with_param("transactions", 8)
                    .with_param("runs", 2);
                s.network.link.latency = Latency::Uniform {
                    min_us: 20 * MS,
                    max_us: 80 * MS,
                };
                s
            },
            duration_us: 8 * SECOND,
            chapters: vec![
                Chapter::at(0, "Eight transactions at four sites, each taking two or three of the eight resources in a random order, twice. Watch the wait-for graph: cycles form, probes find them, the youngest on each gives way. Another seed changes the message delays; another workload seed (Parameters) changes the transactions."),
            ],
        },
    ]
}
