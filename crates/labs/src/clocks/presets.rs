//! The guided presets: Lamport's two-node exchange, vector clocks telling concurrency apart,
//! clocks that are offset, drift and step (with a timeout on each kind of clock and hybrid
//! stamps that ride through), last-write-wins under 5 s of skew, and TrueTime with and
//! without commit-wait.

use super::checks::{EXTERNAL_LOST_CHECK, LWW_LOST_CHECK, TIMEOUT_CHECK};
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::{ClockSetting, Scenario};
use failscope_sim::time::{MS, SECOND};

/// `n` nodes in `mode` (see `config::Mode::NAMES`), links of a constant `latency_ms`.
pub fn scenario(seed: u64, n: u16, mode: i64, latency_ms: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, n).with_param("mode", mode);
    s.network.link.latency = Latency::Constant {
        us: latency_ms * MS,
    };
    s
}

/// Start node `node`'s clock `offset_ms` ahead (negative: behind), drifting `drift_ppm`.
pub fn clock(mut s: Scenario, node: u16, offset_ms: i64, drift_ppm: i32) -> Scenario {
    s.clocks.push(ClockSetting {
        node,
        offset_us: offset_ms * 1_000,
        drift_ppm,
    });
    s
}

pub fn truetime(seed: u64, commit_wait: i64) -> Scenario {
    let s = scenario(seed, 3, 3, 10)
        .with_param("every_ms", 20)
        .with_param("epsilon_ms", 5)
        .with_param("commit_wait", commit_wait);
    clock(clock(clock(s, 0, 4, 0), 1, -4, 0), 2, 1, 0)
}

pub fn all() -> Vec<Preset> {
    let skew = clock(
        clock(
            scenario(3, 3, 0, 40)
                .with_param("every_ms", 400)
                .with_param("timeout_ms", 1_000)
                .with_param("show", 2),
            0,
            300,
            50_000,
        ),
        1,
        -200,
        -30_000,
    )
    .with_fault(
        3 * SECOND,
        Action::ClockJump {
            node: 2,
            delta_us: -2 * SECOND as i64,
        },
    )
    .with_fault(
        7 * SECOND + 400 * MS,
        Action::ClockJump {
            node: 2,
            delta_us: 3 * SECOND as i64,
        },
    );
    vec![
        Preset {
            id: "lamport-example",
            title: "Lamport timestamps, step by step",
            summary: "A and B exchange one message each way: stamps 1 to 6.",
            scenario: scenario(1, 2, 1, 50).with_param("every_ms", 100),
            duration_us: 700 * MS,
            chapters: vec![
                Chapter::at(0, "Two nodes, A (S1) and B (S2), each keep a counter. A local event or a send adds one; a receive takes the larger of its own counter and the one on the message, then adds one. The space-time diagram labels every event with its stamp."),
                Chapter::at(100 * MS, "A does something local: T=1. Next A sends to B, and the message carries T=2."),
                Chapter::at(250 * MS, "B receives: max(0, 2) + 1 = 3. Then B does a local event (T=4) and sends back with T=5."),
                Chapter::at(500 * MS, "A receives: max(2, 5) + 1 = 6. Every event that caused another has a smaller stamp. The converse fails: switch the diagram to vector stamps to see what a single number cannot say."),
            ],
        },
        Preset {
            id: "vector-concurrency",
            title: "Vector clocks see concurrency",
            summary: "Three nodes chat at random; incomparable vectors mark concurrent events.",
            scenario: scenario(2, 3, 0, 60)
                .with_param("every_ms", 300)
                .with_param("send_ppm", 500_000)
                .with_param("show", 1),
            duration_us: 6 * SECOND,
            chapters: vec![
                Chapter::at(0, "Each node keeps one counter per node. It adds one to its own on every event and, on a receive, first takes the larger of each pair of entries. The diagram shows the vectors."),
                Chapter::at(SECOND, "One event happened before another exactly when its vector is less than or equal in every entry (and not equal). When each vector is bigger somewhere, neither could have caused the other: they are concurrent. The table marks such neighbours."),
                Chapter::at(3 * SECOND, "Switch the diagram to Lamport: concurrent events still get different numbers, and the smaller one looks earlier. A Lamport stamp orders whatever it is given; only the vector says when the order means nothing."),
            ],
        },
        Preset {
            id: "skew-and-steps",
            title: "Offset, drift and NTP steps",
            summary: "Wall clocks drift and jump; timeouts on them misfire; monotonic ones do not.",
            scenario: skew,
            duration_us: 10 * SECOND,
            chapters: vec![
                Chapter::at(0, "S1's clock starts 300 ms ahead and runs 5% fast; S2's starts 200 ms behind and runs 3% slow. The chart plots each clock's error against true time: drift is the slope. Each node also times a 1 s timeout twice, on the wall clock and on the monotonic clock."),
                Chapter::at(3 * SECOND, "At 3 s an NTP correction steps S3's wall clock back 2 s. Its monotonic clock carries on, and the hybrid stamps on the diagram never go back: they keep the larger of the wall clock and what they have seen, plus a counter."),
                Chapter::at(3 * SECOND, "S3's wall-clock timeout now waits for a reading the clock passed 2 s ago: it will be late by that much, while the monotonic one fires on time.").on_check(TIMEOUT_CHECK),
                Chapter::at(7 * SECOND + 400 * MS, "At 7.4 s S3's clock steps forward 3 s: the wall-clock timeout it armed at 7 s fires at once, about 0.6 s early. Measure durations on the monotonic clock; keep the wall clock for telling people the time."),
            ],
        },
        Preset {
            id: "lww-skew",
            title: "Last write wins, but not the last one",
            summary: "S1's clock is 5 s fast: its older writes beat S2's newer ones.",
            scenario: clock(scenario(4, 2, 2, 30).with_param("every_ms", 2_000), 0, 5_000, 0),
            duration_us: 10 * SECOND,
            chapters: vec![
                Chapter::at(0, "Both nodes hold a copy of register x and keep the write with the highest wall-clock stamp. S1's clock is 5 s fast. S1 writes at 1 s, 3 s, 5 s …, S2 at 2 s, 4 s, 6 s …"),
                Chapter::at(2 * SECOND, "At 2 s S2 writes x=2, a second after S1's x=1. But x=1 is stamped 6 s by S1's clock and x=2 only 2 s, so both replicas keep x=1: the later write is gone, and nobody was told.").on_check(LWW_LOST_CHECK),
                Chapter::at(4 * SECOND, "It keeps happening: every write of S2 loses to S1's previous one. To see which write came later, use logical or vector clocks (the replication lab keeps conflicting writes as siblings), or TrueTime's bounded uncertainty."),
            ],
        },
        Preset {
            id: "truetime-commit-wait",
            title: "TrueTime with commit-wait",
            summary: "Timestamps from an uncertainty interval, then wait it out.",
            scenario: truetime(5, 1),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "TrueTime gives an interval [earliest, latest] that contains the true time, here ±5 ms around each clock (S1 is 4 ms fast, S2 4 ms slow). A commit takes latest as its timestamp, then waits until earliest has passed it before acknowledging: commit-wait, about 2ε."),
                Chapter::at(500 * MS, "After the wait the timestamp is certainly in the past, so any transaction that starts after the acknowledgement, on any node, gets a larger one: timestamp order agrees with real time (external consistency)."),
            ],
        },
        Preset {
            id: "no-commit-wait",
            title: "TrueTime without commit-wait",
            summary: "Skip the wait and a fast clock's commit outranks a later one.",
            scenario: truetime(5, 0),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same clocks and transactions, but each commit is acknowledged at once."),
                Chapter::at(20 * MS, "S1's clock is 4 ms fast, so its timestamps lie up to 9 ms in the future. A transaction that starts on slow S2 just after one of S1's finished can get the smaller timestamp: the order of timestamps contradicts the order clients saw.").on_check(EXTERNAL_LOST_CHECK),
            ],
        },
    ]
}
