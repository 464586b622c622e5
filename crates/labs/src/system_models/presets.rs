//! The guided presets: Paxos under each network model (synchronous, partially synchronous
//! with GST at 2 s, asynchronous with the adversarial scheduler), and FloodSet in
//! synchronous rounds with a node crashing mid-broadcast, given f + 1 rounds and f.

use super::checks::{TERMINATION_CHECK, TOO_FEW_ROUNDS_CHECK};
use super::config::network_mode;
use super::LAB_ID;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

/// Paxos with two proposers, three acceptors and a learner, under `model` (0 to 2), on
/// links of 2 to 10 ms.
pub fn paxos(seed: u64, model: i64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 6)
        .with_param("model", model)
        .with_param("proposers", 2);
    s.network.link.latency = Latency::Uniform {
        min_us: 2 * MS,
        max_us: 10 * MS,
    };
    s.network.mode = network_mode(&s.params);
    s
}

/// FloodSet on four nodes, S1 alone starting with 0 and crashing in round 1 after one send.
pub fn floodset(seed: u64, rounds: i64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 4)
        .with_param("model", 3)
        .with_param("rounds", rounds)
        .with_param("faulty", 1);
    s.network.link.latency = Latency::Constant { us: 10 * MS };
    s.network.mode = network_mode(&s.params);
    s
}

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "synchronous",
            title: "Synchronous",
            summary: "Known delay bound: decided fast.",
            scenario: paxos(1, 0),
            duration_us: SECOND,
            chapters: vec![
                Chapter::at(0, "Paxos, two proposers (S1, S2), three acceptors, one learner. In the synchronous model every message arrives within a known bound Δ = 10 ms, so a proposer that waits 2Δ for answers and hears nothing knows something really failed: every suspicion is right."),
                Chapter::at(0, "Both proposers start at once and may overtake each other once or twice; a random backoff separates them, and the next ballot finishes undisturbed.").on_check(TERMINATION_CHECK),
                Chapter::at(200 * MS, "The lanes show each proposer's ballots; the chart below, the undecided nodes dropping to zero. A known bound makes consensus easy, even with crashes: wait long enough and silence means death."),
            ],
        },
        Preset {
            id: "partial-synchrony",
            title: "Partially synchronous",
            summary: "Decided soon after GST.",
            scenario: paxos(1, 1),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same Paxos, but until the global stabilisation time (GST, 2 s) messages may take up to 300 ms more than the bound. The proposers still time out after 2Δ, so they suspect wrongly, abandon ballots that would have worked and start higher ones."),
                Chapter::at(500 * MS, "Nothing is chosen yet, and nothing unsafe happens either: late accepts meet acceptors that have promised higher ballots and are refused."),
                Chapter::at(2 * SECOND, "GST: from here on every delay is at most Δ. Nobody is told; the timeouts simply start being right.").on_check(TERMINATION_CHECK),
                Chapter::at(2500 * MS, "Within a bounded time after GST (a ballot's two round trips plus a backoff) a value is chosen. That is Dwork, Lynch and Stockmeyer's point: safety always, liveness once the network behaves."),
            ],
        },
        Preset {
            id: "adversary",
            title: "Asynchronous, with an adversary",
            summary: "FLP: no crash, nothing ever decided.",
            scenario: paxos(1, 2),
            duration_us: 60 * SECOND,
            chapters: vec![
                Chapter::at(0, "No delay bound at all, and the scheduler is an adversary: whenever delivering a message would let a value be chosen (an accept that completes a majority), it holds that message back and delivers others. The event log gives its reasons."),
                Chapter::at(100 * MS, "The held accept is not lost: it arrives once the proposer has timed out and started a higher ballot, when it can only be refused. The new ballot's decisive accept is held in turn."),
                Chapter::at(5 * SECOND, "No node crashes, every message is delivered, agreement and validity hold, and nothing is decided. Fischer, Lynch and Paterson (1985) proved that some schedule does this to every deterministic consensus protocol in an asynchronous system where even one node may crash."),
                Chapter::at(30 * SECOND, "Termination stays “not yet”, by design. Real systems escape by assuming partial synchrony (see the previous preset) or by randomness; none escapes by being cleverer about messages."),
            ],
        },
        Preset {
            id: "floodset-f-plus-1",
            title: "FloodSet, f + 1 rounds",
            summary: "Two rounds survive one crash.",
            scenario: floodset(1, 2),
            duration_us: 300 * MS,
            chapters: vec![
                Chapter::at(0, "FloodSet in synchronous rounds of 100 ms: each round, every node sends the set W of values it has seen to each other node, one send after another. S1 starts with 0, the others with 1. At most f = 1 node may crash, so it runs f + 1 = 2 rounds and then decides the smallest value in W."),
                Chapter::at(MS, "S1 crashes in round 1 after its first send: only S2 learns of 0."),
                Chapter::at(100 * MS, "Round 2: S2 passes 0 on to S3 and S4. Among f + 1 rounds one has no crash, and after it every correct node holds the same W."),
                Chapter::at(200 * MS, "S2, S3 and S4 decide 0. Agreement holds; so would any crash schedule with one crash.").on_check(TERMINATION_CHECK),
            ],
        },
        Preset {
            id: "floodset-f-rounds",
            title: "FloodSet, only f rounds",
            summary: "One round: correct nodes disagree.",
            scenario: floodset(1, 1),
            duration_us: 200 * MS,
            chapters: vec![
                Chapter::at(0, "The same four nodes and the same crash, but only f = 1 round."),
                Chapter::at(MS, "S1 crashes after telling only S2 about 0."),
                Chapter::at(100 * MS, "The round is over and nobody has had a chance to pass 0 on: S2 decides 0, S3 and S4 decide 1. Two correct nodes disagree: with f crashes, f rounds are not enough, which is why synchronous consensus needs f + 1.").on_check(TOO_FEW_ROUNDS_CHECK),
            ],
        },
    ]
}
