//! The guided presets: one per behaviour the lab exists to show, each with narration in our
//! own words that hands over to free play at any moment.

use super::checks::{ACCURACY_CHECK, COMPLETENESS_CHECK};
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

/// A rough network and nodes that pause: 1 to 40 ms of latency, 1% of messages lost, and
/// each node stopping for 200 to 400 ms about every 5 s; S2 (whom S1's pictures watch)
/// crashes at 6 s and restarts at 9 s, S3 crashes at 14 s and restarts at 17 s.
fn rough(seed: u64, detector: i64) -> Scenario {
    let mut s = scenario(seed, 5)
        .with_param("detector", detector)
        .with_param("suspect_after_ms", 150)
        .with_param("gc_every_ms", 5_000)
        .with_param("gc_pause_ms", 400);
    s.network.link.latency = Latency::Uniform {
        min_us: MS,
        max_us: 40 * MS,
    };
    s.network.link.loss_ppm = 10_000;
    s.with_fault(6 * SECOND, Action::Crash { node: 1 })
        .with_fault(9 * SECOND, Action::Restart { node: 1 })
        .with_fault(14 * SECOND, Action::Crash { node: 2 })
        .with_fault(17 * SECOND, Action::Restart { node: 2 })
}

const ROUGH: &str = "Five nodes ping each other every 50 ms over a network with 1 to 40 ms of latency that loses one message in a hundred. Each node also stops now and then for a garbage-collection pause of 200 to 400 ms.";
const BY_DESIGN: &str = "A node that has not crashed is suspected: strong accuracy is violated. This is by design, not a bug: a paused node and a crashed one look the same from outside, and no limit short enough to notice crashes can tell them apart.";

pub fn scenario(seed: u64, n_nodes: u16) -> Scenario {
    Scenario::new(LAB_ID, seed, n_nodes)
}

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "crash",
            title: "A node crashes",
            summary: "Everyone stops hearing from it and, after the timeout, suspects it.",
            scenario: scenario(1, 5).with_fault(SECOND, Action::Crash { node: 2 }),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "Five nodes ping each other every 50 ms and answer every ping."),
                Chapter::at(SECOND, "S3 crashes. Pings to it go unanswered."),
                Chapter::at(SECOND, "After 200 ms of silence each node suspects S3: the detector is complete, every crash is eventually noticed.").on_check(COMPLETENESS_CHECK),
            ],
        },
        Preset {
            id: "gc-pause",
            title: "A long pause fools everyone",
            summary: "A paused node looks exactly like a crashed one, until it wakes up.",
            scenario: scenario(2, 5).with_fault(SECOND, Action::Pause { node: 1, duration_us: 400 * MS }),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(SECOND, "S2 freezes for 400 ms, as in a long garbage-collection pause. It is alive, but silent."),
                Chapter::at(SECOND, "The others suspect it: a false suspicion. Strong accuracy is violated, and no timeout can prevent this when pauses can be longer than the timeout.").on_check(ACCURACY_CHECK),
                Chapter::at(SECOND + 400 * MS, "S2 wakes up, answers the queued pings, and the suspicion is withdrawn."),
            ],
        },
        rough_preset(
            ["fixed-timeout", "A fixed timeout on a rough network", "150 ms of silence and you are suspected: pauses and slow messages fool it."],
            (4, 0),
            [
                "Each node suspects a peer after 150 ms without an answer, whatever the network has been doing.",
                "S2 crashes. Once its silence passes the timeout, each node that is up suspects it at its next beat (a node in a pause of its own only when it wakes).",
                "S2 restarts and answers again; the suspicions are withdrawn. The dilemma table judges the same heartbeats at eight timeouts at once.",
            ],
        ),
        rough_preset(
            ["adaptive", "An adaptive timeout", "Suspect after twice the p99 of the recent gaps between heartbeats."],
            (4, 1),
            [
                "Each node now learns its limit: twice the 99th percentile of the last 50 gaps between heartbeats from that peer. S1's view of S2 draws the limit beside the silence.",
                "S2 crashes. Each node suspects it once the silence passes its learned limit.",
                "S2 restarts; each node's window for it starts afresh, and until it holds a few gaps the fixed timeout stands in.",
            ],
        ),
        rough_preset(
            ["phi-accrual", "Phi accrual", "Suspicion as a level: φ = −log10 of the chance of so long a silence."],
            (4, 2),
            [
                "Each node fits a normal distribution to the last 50 gaps from each peer and turns the current silence into φ = −log10(1 − F(silence)): φ = 8 means a chance of 10⁻⁸ that a live peer stays quiet this long. It suspects at φ = 8.",
                "S2 crashes; φ climbs past the threshold and everyone suspects it.",
                "S2 restarts. The dilemma table judges the same run at φ from 0.5 to 12: a higher threshold waits longer and is fooled less.",
            ],
        ),
        Preset {
            id: "dilemma",
            title: "The timeout dilemma",
            summary: "Forty seconds of crashes and pauses judged at eight timeouts at once.",
            scenario: dilemma(),
            duration_us: 40 * SECOND,
            chapters: vec![
                Chapter::at(0, ROUGH),
                Chapter::at(0, "S1 runs eight shadow detectors beside its real one, with timeouts from 75 ms to 800 ms, all fed the same heartbeats. Nodes crash and come back four times in 40 s."),
                Chapter::at(0, BY_DESIGN).on_check(ACCURACY_CHECK),
                Chapter::at(6 * SECOND, "A crash: each shadow detector notices it at its own timeout.").on_check(COMPLETENESS_CHECK),
                Chapter::at(25 * SECOND, "Read the table down: mean detection time grows with the timeout while false suspicions per hour fall. No row has both low; choosing one is choosing which mistake to make. One run is one sample: “Measure over 20 seeds” below the pictures charts the same trade-off over twenty runs."),
            ],
        },
        Preset {
            id: "stress",
            title: "Fifty nodes, a thousand messages",
            summary: "2,450 pings every 50 ms: the rendering stress test.",
            scenario: scenario(3, 50),
            duration_us: 5 * SECOND,
            chapters: vec![Chapter::at(0, "Fifty nodes each ping the other forty-nine every 50 ms: more than a thousand messages are in flight at any moment.")],
        },
    ]
}

/// A preset on the rough network: `[id, title, summary]`, `(seed, detector)` (one seed for
/// all three, so they compare side by side), and what to
/// say of the detector at the start, of S2's crash at 6 s and of its restart at 9 s.
fn rough_preset(
    [id, title, summary]: [&'static str; 3],
    (seed, detector): (u64, i64),
    [how, crash, restart]: [&'static str; 3],
) -> Preset {
    Preset {
        id,
        title,
        summary,
        scenario: rough(seed, detector),
        duration_us: 20 * SECOND,
        chapters: vec![
            Chapter::at(0, ROUGH),
            Chapter::at(0, how),
            Chapter::at(0, BY_DESIGN).on_check(ACCURACY_CHECK),
            Chapter::at(6 * SECOND, crash).on_check(COMPLETENESS_CHECK),
            Chapter::at(9 * SECOND, restart),
        ],
    }
}

/// The rough network for 40 s, with two more crashes (S2 and S3, 3 s each) after the first
/// two.
fn dilemma() -> Scenario {
    let mut s = rough(7, 0);
    for k in 0..2u16 {
        let at = 22 * SECOND + u64::from(k) * 8 * SECOND;
        let node = 1 + k;
        s = s
            .with_fault(at, Action::Crash { node })
            .with_fault(at + 3 * SECOND, Action::Restart { node });
    }
    s
}
