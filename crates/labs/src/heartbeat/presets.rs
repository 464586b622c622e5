//! The guided presets: one per behaviour the lab exists to show, each with narration in our
//! own words that hands over to free play at any moment.

use super::checks::{ACCURACY_CHECK, COMPLETENESS_CHECK};
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

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
