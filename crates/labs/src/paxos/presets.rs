//! The guided presets: one proposer choosing in two round trips; two proposers duelling
//! forever without backoff, then backoff ending it; a proposer arriving after the choice and
//! adopting the chosen value from a promise; two of five acceptors down (still decides) and
//! three (cannot); acceptors restarting between two proposers' ballots, their promises kept
//! on disk.

use super::checks::{DECIDED_CHECK, DUEL_CHECK};
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::ids::NodeId;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::{Latency, LinkConfig, LinkOverride};
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

/// `proposers` proposers, `acceptors` acceptors and one learner, on 10 ms links so that
/// the round trips can be read off the clock.
pub fn scenario(seed: u64, proposers: u16, acceptors: u16) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, proposers + acceptors + 1)
        .with_param("proposers", i64::from(proposers))
        .with_param("learners", 1);
    s.network.link.latency = Latency::Constant { us: 10 * MS };
    s
}

/// Two proposers, the second 15 ms after the first; the first acceptor (S3) is 4 ms from
/// both proposers, the others 10 ms.
pub fn duel(backoff: bool) -> Scenario {
    let mut s = scenario(1, 2, 3)
        .with_param("backoff", i64::from(backoff))
        .with_param("start_every_ms", 15);
    for proposer in 0..2 {
        s.network.overrides.push(LinkOverride {
            from: 2,
            to: proposer,
            link: LinkConfig {
                latency: Latency::Constant { us: 4 * MS },
                ..LinkConfig::default()
            },
        });
    }
    s
}

fn crashed(mut s: Scenario, nodes: &[NodeId]) -> Scenario {
    for &node in nodes {
        s = s.with_fault(0, Action::Crash { node });
    }
    s
}

/// S1 stalls holding promises for ballot 1.S1 while S2 gets B chosen; acceptors S3 and S4
/// and the learner S6 restart; S1 wakes and asks for A in its old ballot.
pub fn restart() -> Scenario {
    let mut s = scenario(1, 2, 3)
        .with_param("start_every_ms", 30)
        .with_fault(
            15 * MS,
            Action::Pause {
                node: 0,
                duration_us: 100 * MS,
            },
        );
    for node in [2, 3, 5] {
        s = s
            .with_fault(80 * MS, Action::Crash { node })
            .with_fault(90 * MS, Action::Restart { node });
    }
    s
}

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "one-proposer",
            title: "One proposer",
            summary: "A value chosen in two round trips.",
            scenario: scenario(1, 1, 3),
            duration_us: 200 * MS,
            chapters: vec![
                Chapter::at(0, "S1 is the only proposer; S2, S3 and S4 are acceptors, S5 a learner. Every link takes 10 ms. S1 picks ballot 1.S1 (round 1, its own id: no two proposers share a ballot) and asks the acceptors to prepare it."),
                Chapter::at(10 * MS, "Each acceptor promises to ignore anything below 1.S1 and says it has accepted nothing yet. The promise is written to disk before it is sent."),
                Chapter::at(20 * MS, "S1 has promises from a majority and none carries a value, so it may propose its own: A. First round trip done."),
                Chapter::at(30 * MS, "The acceptors accept A in ballot 1.S1 and tell S1 and the learner. The moment a majority has accepted, A is chosen, even before anyone knows it.").on_check(DECIDED_CHECK),
                Chapter::at(40 * MS, "S1 and the learner S5 each count a majority of accepted messages: A is learned, after two round trips. The grid shows column 1.S1 filled with A."),
            ],
        },
        Preset {
            id: "duel",
            title: "Duelling proposers",
            summary: "No backoff: they overtake each other forever.",
            scenario: duel(false),
            duration_us: 10_500 * MS,
            chapters: vec![
                Chapter::at(0, "Two proposers, S1 (value A) and S2 (value B), 15 ms apart, and three acceptors. A preempted proposer tries again at once with a higher ballot: no backoff. Nothing will crash."),
                Chapter::at(25 * MS, "S2's prepare reaches the acceptors after S1's promises but before S1's accept: the acceptors now promise 1.S2, refuse S1's accept and tell S1 it has been overtaken."),
                Chapter::at(40 * MS, "S1 hears it first from S3, which is nearest, and prepares 2.S1 at once. Its prepare lands just before S2's accept, which is refused in turn."),
                Chapter::at(200 * MS, "And so on: each prepare lands between the other's promises and its accept. Watch the grid: columns of promises (p), never a column of accepted values. Every message arrives and every node is up, yet nothing is chosen."),
                Chapter::at(10 * SECOND, "Ten seconds and hundreds of ballots later, still nothing is chosen. This is the livelock behind FLP: no deterministic protocol can be sure to decide in an asynchronous system. Paxos stays safe; it just may not finish.").on_check(DUEL_CHECK),
            ],
        },
        Preset {
            id: "duel-backoff",
            title: "Backoff ends the duel",
            summary: "Random waits: one proposer wins.",
            scenario: duel(true),
            duration_us: 600 * MS,
            chapters: vec![
                Chapter::at(0, "The same duel, but a preempted proposer now waits a random time (up to 40 ms, doubling with each failed try) before trying a higher ballot."),
                Chapter::at(40 * MS, "The first preemption: the overtaken proposer backs off instead of answering at once."),
                Chapter::at(40 * MS, "Sooner or later one proposer's wait is long enough for the other to finish both phases undisturbed, and a value is chosen. Randomness does not beat FLP (an unlucky run can still go on), it makes such runs vanishingly rare.").on_check(DECIDED_CHECK),
            ],
        },
        Preset {
            id: "late-proposer",
            title: "A latecomer adopts the value",
            summary: "S2 finds A in the promises and proposes it.",
            scenario: scenario(1, 2, 3).with_param("start_every_ms", 200),
            duration_us: 400 * MS,
            chapters: vec![
                Chapter::at(0, "S1 proposes A and gets it chosen in ballot 1.S1 by 40 ms. S2, with value B, starts only at 200 ms."),
                Chapter::at(200 * MS, "S2 prepares 1.S2, a higher ballot. Every acceptor promises, and each promise carries what it accepted: A, in ballot 1.S1."),
                Chapter::at(220 * MS, "S2 must propose the value of the highest-numbered proposal among the promises, not its own B: it adopts A (see the event log). Any majority of promises overlaps the majority that chose A, so a latecomer always finds it."),
                Chapter::at(240 * MS, "A is accepted again, in ballot 1.S2: once chosen, every higher ballot can only choose the same value. With the deliberate bug “proposer ignores the accepted value in promises”, S2 would get B chosen here."),
            ],
        },
        Preset {
            id: "two-down",
            title: "Two of five acceptors down",
            summary: "Three of five still decide.",
            scenario: crashed(scenario(1, 1, 5), &[1, 2]),
            duration_us: 300 * MS,
            chapters: vec![
                Chapter::at(0, "Five acceptors, S2 to S6; S2 and S3 have crashed. A majority of five is three."),
                Chapter::at(20 * MS, "S4, S5 and S6 promise: that is a majority. The crashed ones are simply not counted."),
                Chapter::at(30 * MS, "A is chosen by three acceptors. Paxos with 2f+1 acceptors survives f crashes.").on_check(DECIDED_CHECK),
            ],
        },
        Preset {
            id: "three-down",
            title: "Three of five acceptors down",
            summary: "Two of five cannot decide.",
            scenario: crashed(scenario(1, 1, 5), &[1, 2, 3]),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "Five acceptors, and three of them (S2, S3, S4) have crashed."),
                Chapter::at(20 * MS, "Only S5 and S6 promise. Two is not a majority of five, so S1 may not go on: a value accepted by two could be unknown to the next majority."),
                Chapter::at(300 * MS, "S1 hears no majority in time, backs off and tries a higher ballot, again and again. Nothing is chosen and nothing wrong happens: Paxos gives up progress, never safety. Restart one acceptor (fault toolbar) and the next try succeeds."),
            ],
        },
        Preset {
            id: "restart",
            title: "Promises survive a restart",
            summary: "Promises on disk outlive a restart.",
            scenario: restart(),
            duration_us: 400 * MS,
            chapters: vec![
                Chapter::at(0, "S1 prepares 1.S1 with value A; the acceptors promise. At 15 ms S1 freezes (a long pause) before it has read the promises."),
                Chapter::at(30 * MS, "S2 starts with value B and ballot 1.S2, higher than 1.S1. The acceptors promise it and, with nothing accepted anywhere, S2 gets B chosen by 70 ms.").on_check(DECIDED_CHECK),
                Chapter::at(80 * MS, "Acceptors S3 and S4 and the learner S6 crash and come back at 90 ms. What they promised, accepted and learned was on disk."),
                Chapter::at(115 * MS, "S1 wakes, reads its old promises and asks for A in ballot 1.S1. The acceptors refuse: they promised 1.S2. S1 tries again, finds B in the promises and proposes B. Turn on the deliberate bug “acceptor forgets its promise on restart” (or “accepts a lower ballot”) to see A chosen too."),
            ],
        },
    ]
}
