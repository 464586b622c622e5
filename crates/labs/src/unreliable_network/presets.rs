//! The guided presets, on 50 ms links: S1 calls at 0.1 s, the request arrives at 0.15 s,
//! S2 charges at 0.25 s, the reply is back at 0.3 s; S1 times out at 0.6 s. The first six
//! break that one call in the six ways a network and a server can; the client sees the same
//! thing each time. The last two retry after a lost reply, without a key and with one.

use super::checks::ONCE_CHECK;
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

/// S1 calls S2 over 50 ms links with a 500 ms timeout.
pub fn scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 2);
    s.network.link.latency = Latency::Constant { us: 50 * MS };
    s
}

const CALL: &str = "S1, the client, asks S2 to charge a card and waits up to 0.5 s for the answer. The picture beside shows what really happens; S1 sees only its first column.";
const SAME: &str = "At 0.6 s S1 times out and gives up. That is all it knows, in this preset and in the five others: a timeout says nothing about what happened.";

fn fate(
    id: &'static str,
    title: &'static str,
    summary: &'static str,
    faults: &[(u64, Action)],
    story: &'static str,
    after: &'static str,
) -> Preset {
    let mut s = scenario(1);
    for (at, f) in faults {
        s = s.with_fault(*at, f.clone());
    }
    Preset {
        id,
        title,
        summary,
        scenario: s,
        duration_us: 2 * SECOND,
        chapters: vec![
            Chapter::at(0, CALL),
            Chapter::at(100 * MS, story),
            Chapter::at(600 * MS, SAME),
            Chapter::at(SECOND, after),
        ],
    }
}

fn retrying(retry: i64) -> Scenario {
    scenario(1)
        .with_param("retry", retry)
        .with_fault(0, Action::Cut { from: 1, to: 0 })
        .with_fault(400 * MS, Action::Heal)
}

const LOST_REPLY: &str = "At 0.25 s S2 charges the card, and its reply is lost on the way back (the link from S2 to S1 drops everything until 0.4 s).";

pub fn all() -> Vec<Preset> {
    vec![
        fate("request-lost", "The request is lost", "Nothing reaches the server; the client times out.",
            &[(0, Action::Cut { from: 0, to: 1 })],
            "At 0.1 s the request leaves S1 and is dropped on the way: the link from S1 to S2 loses everything.",
            "S2 never heard of the call and charged nothing. Safe to retry, but S1 cannot know that."),
        fate("request-delayed", "The request is delayed", "Held in a queue on the way, it arrives after the client gave up.",
            &[(0, Action::Clog { from: 0, to: 1 }), (SECOND, Action::Unclog { from: 0, to: 1 })],
            "At 0.1 s the request leaves S1 and sits in a congested queue on the way (the link holds it until 1 s).",
            "At 1 s the request is let through: S2 charges the card at 1.15 s, and its reply reaches a client that stopped listening. The charge happened after the client gave up."),
        fate("server-crashed", "The server crashes first", "The request arrives; the server dies before processing it.",
            &[(200 * MS, Action::Crash { node: 1 }), (SECOND, Action::Restart { node: 1 })],
            "At 0.15 s the request reaches S2, which starts on it; at 0.2 s S2 crashes, before charging anything.",
            "At 1 s S2 restarts. Its request log shows the call arrived and was never processed: no charge. Safe to retry, but S1 cannot know that."),
        fate("server-paused", "The server is paused", "A long pause (garbage collection, a VM migration) outlasts the timeout.",
            &[(200 * MS, Action::Pause { node: 1, duration_us: 800 * MS })],
            "At 0.15 s the request reaches S2; at 0.2 s S2 freezes for 0.8 s, a garbage-collection pause, mid-request.",
            "At 1 s S2 resumes as if nothing happened, charges the card and replies, too late: the reply is discarded. The card was charged."),
        fate("response-lost", "The reply is lost", "The server did the work; its answer never comes back.",
            &[(0, Action::Cut { from: 1, to: 0 })],
            "At 0.25 s S2 charges the card and replies; the reply is dropped on the way back.",
            "The card was charged and S1 does not know it. Retrying now would charge it again."),
        fate("response-delayed", "The reply is delayed", "The server did the work; its answer comes back too late.",
            &[(0, Action::Clog { from: 1, to: 0 }), (SECOND, Action::Unclog { from: 1, to: 0 })],
            "At 0.25 s S2 charges the card and replies; the reply sits in a queue on the way back until 1 s.",
            "At 1.05 s the reply arrives, after the timeout: S1 has moved on and discards it. The card was charged."),
        Preset {
            id: "retry-no-key",
            title: "Retry without a key",
            summary: "The reply is lost, the client retries, the card is charged twice.",
            scenario: retrying(1),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "Now S1 retries after a timeout, up to three tries. This is at-least-once delivery: every call takes effect, perhaps more than once."),
                Chapter::at(250 * MS, LOST_REPLY),
                Chapter::at(600 * MS, "At 0.6 s S1 times out and sends the call again. Without a key it is just another request to S2."),
                Chapter::at(750 * MS, "At 0.75 s S2 charges the card a second time for the same call: the check fires. The retry was right to assume nothing, and wrong to be harmful.").on_check(ONCE_CHECK),
            ],
        },
        Preset {
            id: "retry-with-key",
            title: "Retry with an idempotency key",
            summary: "The same loss; the server recognises the retry by its key.",
            scenario: retrying(2),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, "S1 retries as before, but every try of a call carries the same idempotency key (k1), and S2 stores each key with the charge it produced, in the same write as the charge."),
                Chapter::at(250 * MS, LOST_REPLY),
                Chapter::at(750 * MS, "At 0.75 s the retry arrives. S2 finds k1 in its table and answers with charge #1 instead of charging again. Retries plus deduplication: the effect happens once (effectively-once), though the request was delivered twice."),
            ],
        },
    ]
}
