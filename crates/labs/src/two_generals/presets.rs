//! The guided presets: one messenger, a message and its acknowledgement, a chain of six,
//! and the practical answer (resend until acknowledged, handle copies idempotently), each
//! over twenty days with a third of the messengers captured.

use super::checks::ALONE_CHECK;
use super::LAB_ID;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

/// A chain of `k` messages with rules (`rule_a`, `rule_b`), `loss_ppm`, 10 ms links and
/// one-second days.
pub fn scenario(seed: u64, k: i64, rule_a: i64, rule_b: i64, loss_ppm: i64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 2)
        .with_param("chain", k)
        .with_param("rule_a", rule_a)
        .with_param("rule_b", rule_b)
        .with_param("loss_ppm", loss_ppm);
    s.network.link.latency = Latency::Constant { us: 10 * MS };
    s
}

const DAYS: u64 = 20;

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "one-message",
            title: "One messenger",
            summary: "A sends the order and attacks; B attacks if it arrives.",
            scenario: scenario(1, 1, 0, 1, 300_000),
            duration_us: DAYS * SECOND,
            chapters: vec![
                Chapter::at(0, "Two generals on two hills must attack together or not at all. Every day A (S1) sends one messenger with “attack at dawn”; the enemy captures 30% of messengers. A's rule: attack, having sent it. B's rule: attack if the messenger arrived."),
                Chapter::at(SECOND, "At dusk each general applies its rule. The grid shows each day's messenger and who attacked.").on_check(ALONE_CHECK),
                Chapter::at(3 * SECOND, "Whenever the messenger is captured A attacks alone: about 30% of days, as the table beside says. A cannot know which days those are."),
            ],
        },
        Preset {
            id: "message-and-ack",
            title: "A message and its acknowledgement",
            summary: "B acknowledges; now the lost acknowledgement leaves B alone.",
            scenario: scenario(2, 2, 1, 1, 300_000),
            duration_us: DAYS * SECOND,
            chapters: vec![
                Chapter::at(0, "B answers the order with an acknowledgement, and A now waits for it: A attacks only if acknowledged, B if the order came."),
                Chapter::at(SECOND, "The risk has moved, not gone: if the acknowledgement is captured, B attacks alone, and B cannot tell a captured acknowledgement from a delivered one.").on_check(ALONE_CHECK),
            ],
        },
        Preset {
            id: "long-chain",
            title: "A chain of six",
            summary: "Acknowledge the acknowledgements: rarer, never gone.",
            scenario: scenario(3, 6, 3, 3, 300_000),
            duration_us: 30 * SECOND,
            chapters: vec![
                Chapter::at(0, "Six messages a day: the order, its acknowledgement, the acknowledgement of that, and so on. Each general attacks only if it got all three messages sent to it."),
                Chapter::at(SECOND, "Whoever sends the last message never learns whether it arrived. If it is captured, the sender (who has all its three) attacks and the other does not: the chance is p(1−p)^5, smaller, but there for every finite chain.").on_check(ALONE_CHECK),
                Chapter::at(10 * SECOND, "Adding messages cannot fix it: remove the last message of a run that worked and one general's view is unchanged, so by induction the protocol would have to work with no messages at all."),
            ],
        },
        Preset {
            id: "retries",
            title: "Retries and idempotency",
            summary: "Resend until acknowledged, act once: rarely alone.",
            scenario: scenario(4, 1, 1, 1, 300_000).with_param("protocol", 1),
            duration_us: DAYS * SECOND,
            chapters: vec![
                Chapter::at(0, "The practical answer: A resends the order every 50 ms until an acknowledgement comes; B acknowledges every copy it gets and carries the order out once. A attacks if acknowledged, B if ordered."),
                Chapter::at(SECOND, "When an acknowledgement is captured A resends, and B gets a second copy: it acknowledges again and does nothing more. That is idempotent handling, and it is what makes resending safe."),
                Chapter::at(5 * SECOND, "B attacks alone only if every acknowledgement of the day is captured: possible, very unlikely. Real systems take that bargain: they cannot be certain, so they make the doubt small and the repeats harmless."),
            ],
        },
    ]
}
