//! The guided presets: one request shape (the gateway calls auth, then the catalogue and
//! the cart in parallel; the catalogue queries the database, the cart asks pricing), sent
//! ten times a second for six seconds over 2 ms links: healthy, with a slow database, with
//! a failing pricing service, sampled at 20 %, and fanned out four ways.

use super::checks::BURN_CHECK;
use super::config::N_NODES;
use super::LAB_ID;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

pub fn scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, N_NODES);
    s.network.link.latency = Latency::Constant { us: 2 * MS };
    s.with_param("requests", 60)
}

const CAST: &str = "S1 sends a checkout request ten times a second to the gateway S2. The gateway checks the token with auth (S3), then asks the catalogue (S4) and the cart (S6) at the same time; the catalogue queries the database (S5) and the cart asks pricing (S7).";
const HEADER: &str = "Every call carries a header with the trace id, the caller's span id and whether the trace is sampled (W3C's traceparent). Each service opens a span for the call, a child of the caller's span, and closes it when it answers.";

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "fan-out",
            title: "One request, six services",
            summary: "Spans, parents and the critical path of a healthy checkout.",
            scenario: scenario(1),
            duration_us: 7 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(150 * MS, HEADER),
                Chapter::at(SECOND, "The waterfall shows one trace: each bar a span, indented under its parent. The highlighted bars are the critical path: at every moment, the call the request was waiting for. Speeding up anything else would not make the request faster."),
                Chapter::at(3 * SECOND, "Below, each service's p99 (computed from every call, not just sampled ones: metrics and traces answer different questions), and the SLO: 99 % of checkouts within 300 ms. Everything is comfortably inside it."),
            ],
        },
        Preset {
            id: "slow-dependency",
            title: "A slow dependency",
            summary: "One database query in ten takes 0.4 s longer: p99, the waterfall and the burn rate show it.",
            scenario: scenario(1).with_param("slow_ppm", 100_000),
            duration_us: 7 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(500 * MS, "One database query in ten is slow (a lock, a cold cache). The median hardly moves; the database's p99 jumps past 400 ms, and so does the gateway's: the slow query is on the critical path."),
                Chapter::at(SECOND, "At 1.09 s the tenth answer is in and one of the ten missed the 300 ms objective: a tenth of requests bad, where the SLO allows 1 %, is a burn rate of 10. The alert on fast burning goes off.").on_check(BURN_CHECK),
                Chapter::at(2 * SECOND, "The waterfall shows the slowest recent trace: the long bar is the database, and the critical path runs through it. That is how a trace answers “why was this request slow?”."),
                Chapter::at(4 * SECOND, "A tenth of requests missing the objective burns a 1 % budget about ten times too fast: an alert on the burn rate fires long before the budget is gone, and the trace says where to look."),
            ],
        },
        Preset {
            id: "errors",
            title: "A failing dependency",
            summary: "Pricing fails one call in twenty; errors flow up to the client.",
            scenario: scenario(1).with_param("error_ppm", 50_000),
            duration_us: 7 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(500 * MS, "Pricing fails one call in twenty. The error travels back through the cart and the gateway to the client: red spans in the waterfall, errors in each service's RED metrics."),
                Chapter::at(SECOND, "Every failed checkout counts against the SLO's error budget, however fast it was. At 1.09 s one of the first ten checkouts has failed: a burn rate of 10, ten times faster than the budget allows.").on_check(BURN_CHECK),
            ],
        },
        Preset {
            id: "sampling",
            title: "Head-based sampling",
            summary: "The gateway keeps one trace in five; the decision travels in the header.",
            scenario: scenario(1).with_param("sample_ppm", 200_000),
            duration_us: 7 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(150 * MS, "The gateway, where each trace begins, decides at the start whether to keep it: one in five. The decision is a flag in the header, so every service keeps or drops the same traces and no trace is half-recorded."),
                Chapter::at(3 * SECOND, "The RED metrics still count every call; only the spans are sampled. Head-based sampling is cheap but decides before anyone knows whether the request will be slow or fail."),
            ],
        },
        Preset {
            id: "wide-fan-out",
            title: "Fan-out: four queries in parallel",
            summary: "The catalogue sends four database queries at once: the slowest sets the pace.",
            scenario: scenario(1).with_param("fan_out", 4),
            duration_us: 7 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(SECOND, "The catalogue now sends four queries to the database in parallel. The waterfall shows four sibling spans; the critical path goes through whichever finished last."),
                Chapter::at(3 * SECOND, "With fan-out, a request is as slow as its slowest branch: the more parallel calls, the more often one of them is in its tail."),
            ],
        },
    ]
}
