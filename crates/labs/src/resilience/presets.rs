//! The guided presets. Links take 1 ms. S1's clients send 400 requests a second, half
//! needing A and half B; each dependency runs 4 calls at once of about 10 ms (400 a second)
//! and queues up to 400 more; each instance has 100 workers and waits 200 ms for a call.

use super::checks::{RECOVERS_CHECK, SPREAD_CHECK};
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

pub fn scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, super::config::N_NODES);
    s.network.link.latency = Latency::Constant { us: MS };
    s
}

/// The pairs worth watching side by side: each preset in one pair, but the cascade, which
/// is compared with each defence on its own and with all of them.
pub const COMPARISONS: &[(&str, &str)] = &[
    ("metastable", "metastable-budget"),
    ("backoff", "full-jitter"),
    ("shared-pool", "bulkheads"),
    ("deep-liveness", "shallow-liveness"),
    ("crash", "readiness"),
    ("canary", "all-at-once"),
    ("cascade", "cascade-defended"),
    ("cascade", "cascade-bulkheads"),
    ("cascade", "cascade-breaker"),
    ("cascade", "cascade-shallow-liveness"),
];

/// A slows down ten times for 3 s from 5 s.
fn slow_a() -> Scenario {
    scenario(1)
        .with_param("trigger", 0)
        .with_param("trigger_at_ms", 5_000)
        .with_param("trigger_ms", 3_000)
}

fn metastable() -> Scenario {
    slow_a().with_param("retry", 1)
}

fn burst(retry: i64) -> Scenario {
    scenario(1)
        .with_param("rate", 100)
        .with_param("burst", 600)
        .with_param("burst_at_ms", 2_000)
        .with_param("dep_queue", 40)
        .with_param("pool", 1_000)
        .with_param("retry", retry)
        .with_param("max_retries", 4)
        .with_param("client_timeout_ms", 5_000)
}

fn shared_pool() -> Scenario {
    slow_a()
        .with_param("pool", 40)
        .with_param("call_timeout_ms", 1_000)
}

/// A slows down for 6 s; instances restart in 2 s.
fn health(liveness: i64) -> Scenario {
    shared_pool()
        .with_param("trigger_ms", 6_000)
        .with_param("restart_ms", 2_000)
        .with_param("liveness", liveness)
}

/// S4 crashes at 5 s and is back at 9 s.
fn crash(readiness: i64) -> Scenario {
    scenario(1)
        .with_param("readiness", readiness)
        .with_fault(5 * SECOND, Action::Crash { node: 3 })
        .with_fault(9 * SECOND, Action::Restart { node: 3 })
}

fn rollout(mode: i64) -> Scenario {
    scenario(1).with_param("rollout", mode)
}

fn cascade() -> Scenario {
    slow_a()
        .with_param("pool", 40)
        .with_param("call_timeout_ms", 1_000)
        .with_param("retry", 1)
        .with_param("liveness", 2)
}

pub fn cascade_defended() -> Scenario {
    cascade()
        .with_param("retry", 3)
        .with_param("retry_budget", 1)
        .with_param("breaker", 1)
        .with_param("bulkheads", 1)
        .with_param("liveness", 1)
        .with_param("readiness", 1)
}

const CAST: &str = "S1 stands for the clients, sending 400 requests a second through the load balancer S2 to the service's instances S3 and S4. Half the requests need dependency A (S5), half need B (S6); each dependency serves about 400 calls a second.";

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "trigger",
            title: "The trigger, no defences",
            summary: "A slows down for 3 s; without retries the service recovers when it does.",
            scenario: slow_a(),
            duration_us: 15 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(5 * SECOND, "At 5 s A becomes ten times slower: it can serve 40 calls a second and 200 arrive. Its queue fills, calls wait longer than the service's 200 ms timeout, and requests for A fail."),
                Chapter::at(8 * SECOND, "At 8 s A is healthy again. It works through its queue at full speed, and within a couple of seconds requests for A succeed again: the failure lasted about as long as its trigger.").on_check(RECOVERS_CHECK),
            ],
        },
        Preset {
            id: "metastable",
            title: "Retry storm and a metastable failure",
            summary: "Immediate retries multiply A's load; goodput stays down after the trigger clears.",
            scenario: metastable(),
            duration_us: 15 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(5 * SECOND, "At 5 s A slows down. Each call that times out is retried at once, up to three times: A now gets up to four calls per request, a retry storm on a dependency that is already behind."),
                Chapter::at(8 * SECOND, "At 8 s the trigger clears, but nothing recovers. A serves 400 calls a second and is offered far more; its queue stays full, every call waits in it longer than the service waits for it, and so every call times out and is retried. The retries sustain the overload that caused them."),
                Chapter::at(12 * SECOND, "This is a metastable failure: the same offered load that was served fine before the trigger now loses every request for A, half of all, long after A is healthy. The check “Goodput recovers after the trigger clears” stays open in this preset by design: the run never gets back to 90 %."),
            ],
        },
        Preset {
            id: "metastable-budget",
            title: "The same storm under a retry budget",
            summary: "Retries capped at 10 % of requests: A's queue drains and goodput returns.",
            scenario: metastable().with_param("retry_budget", 1),
            duration_us: 15 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(5 * SECOND, "The same seed and trigger as the metastable preset, but each instance may retry at most 10 calls per 100 requests it takes. When A falls behind the budget runs dry and the service stops amplifying the load."),
                Chapter::at(8 * SECOND, "After the trigger A gets barely more than the requests themselves, fewer than it can serve, so its queue drains and goodput comes back.").on_check(RECOVERS_CHECK),
            ],
        },
        Preset {
            id: "metastable-breaker",
            title: "The same storm behind a circuit breaker",
            summary: "The breakers open, A drains, half-open probes find it healthy and close.",
            scenario: metastable().with_param("breaker", 1),
            duration_us: 15 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(5 * SECOND, "The same seed and trigger as the metastable preset, with a circuit breaker on each instance in front of each dependency. Five failed calls in a row open it: calls to A fail at once, without reaching A, for 2 s."),
                Chapter::at(8 * SECOND, "With nothing arriving, A works through its queue. Half-open, each breaker lets three probe calls through; when all three succeed it closes, and goodput returns.").on_check(RECOVERS_CHECK),
            ],
        },
        Preset {
            id: "backoff",
            title: "Exponential backoff, no jitter",
            summary: "A burst is refused; its retries come back together, as spikes.",
            scenario: burst(2),
            duration_us: 6 * SECOND,
            chapters: vec![
                Chapter::at(0, "Here the clients send 100 requests a second, and A queues at most 40 calls."),
                Chapter::at(2 * SECOND, "At 2 s a burst of 600 requests for A arrives at once. A takes what its slots and queue hold and refuses the rest. The service retries each refused call after 100 ms, then 200, 400, 800: exponential backoff."),
                Chapter::at(2_150 * MS, "Every refused call waited exactly the same time, so the retries arrive together, as tall spikes on the dependency-load picture, and most are refused again. Backoff spread the attempts out in time but not from each other."),
            ],
        },
        Preset {
            id: "full-jitter",
            title: "Backoff with full jitter",
            summary: "The same burst; retries spread over each backoff window instead of spiking.",
            scenario: burst(3),
            duration_us: 6 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same burst of 600 requests at 2 s, but each retry waits a random time between zero and its backoff (full jitter)."),
                Chapter::at(2_150 * MS, "The retries are spread over each window, so A sees a low, even load it can mostly serve, instead of spikes it has to refuse. Compare the peak of the dependency-load picture with the backoff preset."),
            ],
        },
        Preset {
            id: "shared-pool",
            title: "One shared worker pool",
            summary: "A's slow calls hold every worker; requests for healthy B are refused too.",
            scenario: shared_pool(),
            duration_us: 12 * SECOND,
            chapters: vec![
                Chapter::at(0, "Each instance has 40 workers shared by requests for A and for B, and waits up to 1 s for a call."),
                Chapter::at(5 * SECOND, "A slows down. Each request for A now holds its worker for up to a second, and soon A's requests hold all 40.").on_check(SPREAD_CHECK),
                Chapter::at(5_500 * MS, "Requests for B find no free worker and are refused, though B is perfectly healthy: a slow dependency took down unrelated work."),
            ],
        },
        Preset {
            id: "bulkheads",
            title: "Bulkheads: a pool per dependency",
            summary: "A's requests exhaust only A's half; B is untouched.",
            scenario: shared_pool().with_param("bulkheads", 1),
            duration_us: 12 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same instances, but each splits its 40 workers in two bulkheads of 20: one for requests that need A, one for B."),
                Chapter::at(5_500 * MS, "A's bulkhead is full and its requests are refused, but B's workers are free: requests for B go on as before. The failure is confined to the requests that need A."),
            ],
        },
        Preset {
            id: "deep-liveness",
            title: "A liveness check that calls A",
            summary: "Both instances fail their liveness checks and are restarted, again and again.",
            scenario: health(2),
            duration_us: 16 * SECOND,
            chapters: vec![
                Chapter::at(0, "The balancer checks each instance's liveness every 500 ms and restarts one that fails three checks in a row. Here the liveness check calls dependency A. At 5 s A slows down, for 6 s."),
                Chapter::at(5 * SECOND, "The checks' calls to A time out on both instances at once. Nothing is wrong with the instances, but to the balancer they look dead.").on_check(SPREAD_CHECK),
                Chapter::at(6_600 * MS, "Both are restarted. A restart drops every request in the instance, for A and for B, and the instance is gone for 2 s: a slow dependency became an outage of the whole service."),
                Chapter::at(9 * SECOND, "The instances come back, A is still slow, their checks fail again, and they are restarted again: a restart cascade that only ends when A recovers."),
            ],
        },
        Preset {
            id: "shallow-liveness",
            title: "A liveness check of the process only",
            summary: "The same slowdown; no instance is restarted and B keeps being served.",
            scenario: health(1),
            duration_us: 16 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same trigger, but the liveness check asks only whether the process answers: whether this instance is stuck, not whether the world around it is healthy."),
                Chapter::at(6_600 * MS, "A is slow and requests for it fail, but no instance is restarted: restarting would not make A faster. Requests for B that find a free worker are served throughout."),
            ],
        },
        Preset {
            id: "crash",
            title: "An instance crashes, no readiness checks",
            summary: "The balancer keeps sending half the requests to a dead instance.",
            scenario: crash(0),
            duration_us: 12 * SECOND,
            chapters: vec![
                Chapter::at(0, "No trigger this time: at 5 s instance S4 crashes, and it is back at 9 s."),
                Chapter::at(5 * SECOND, "The balancer does not check its instances, so it keeps sending every other request to S4. Those requests are lost, and their clients wait the full second of their timeout: half the goodput is gone for the four seconds S4 is down."),
            ],
        },
        Preset {
            id: "readiness",
            title: "The same crash with readiness checks",
            summary: "The balancer takes the dead instance out of rotation within one check.",
            scenario: crash(1),
            duration_us: 12 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same crash of S4 at 5 s; now the balancer asks each instance every 500 ms whether it is ready to take requests."),
                Chapter::at(5 * SECOND, "S4 does not answer its next check, so the balancer stops sending it requests: only those sent before that are lost. S3 serves everything until S4 is back and says it is ready."),
            ],
        },
        Preset {
            id: "canary",
            title: "A canary with automatic rollback",
            summary: "A bad release reaches 5 % of requests, is compared with the old version, and rolled back.",
            scenario: rollout(1),
            duration_us: 10 * SECOND,
            chapters: vec![
                Chapter::at(0, "At 3 s a new version is released that fails every request it serves. It goes to a 5 % canary: the balancer sends it one request in twenty."),
                Chapter::at(3 * SECOND, "For 3 s the balancer compares the canary's error rate with the old version's, on the same traffic at the same time."),
                Chapter::at(6 * SECOND, "The canary failed all its requests, the old version almost none: the rollout is rolled back before it went further. About 5 % of the requests in those 3 s failed, and no more."),
            ],
        },
        Preset {
            id: "all-at-once",
            title: "The same release, all at once",
            summary: "Every request goes to the bad version; nothing compares, nothing rolls back.",
            scenario: rollout(2),
            duration_us: 10 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same bad release at 3 s, done all at once."),
                Chapter::at(3 * SECOND, "Every request now reaches the new version and fails. With no old version serving alongside there is nothing to compare it with, so nothing rolls it back: a person has to notice."),
            ],
        },
        Preset {
            id: "blue-green",
            title: "Blue-green switch",
            summary: "All traffic switches to the new version and, once it is seen failing, back.",
            scenario: rollout(3),
            duration_us: 10 * SECOND,
            chapters: vec![
                Chapter::at(0, "Blue-green: the new version (green) runs beside the old (blue), and at 3 s the balancer switches every request to green. The baseline is blue's error rate over the 3 s before."),
                Chapter::at(6 * SECOND, "Green failed everything for 3 s; the balancer switches back to blue, which is still running, in one step. Fast to undo, but while it lasted every request saw the bad version."),
            ],
        },
        Preset {
            id: "kill-switch",
            title: "A feature flag and its kill switch",
            summary: "The new code path is behind a flag that an alert turns off as soon as it fails.",
            scenario: rollout(4),
            duration_us: 10 * SECOND,
            chapters: vec![
                Chapter::at(0, "The new code is already deployed, behind a feature flag. At 3 s the flag is turned on for every request; an alert compares its error rate with the old path's every 100 ms."),
                Chapter::at(3_200 * MS, "After the first 50 requests with the flag on the alert sees the new path failing and the kill switch turns the flag off: no deploy, no restart, the old code path serves again at once. Every request saw the bad version, but only for a fraction of a second."),
            ],
        },
        Preset {
            id: "cascade",
            title: "A three-tier cascading failure",
            summary: "A slow back end fills the service, restarts it, and fails everything at the balancer.",
            scenario: cascade(),
            duration_us: 15 * SECOND,
            chapters: vec![
                Chapter::at(0, "Three tiers: the balancer, the service (40 shared workers per instance, immediate retries, a liveness check that calls A), and the dependencies. Nothing is defended."),
                Chapter::at(5 * SECOND, "At 5 s the bottom tier, A, slows down. Retries pile onto it; A's slow calls fill the service's shared pool, and requests for healthy B are refused.").on_check(SPREAD_CHECK),
                Chapter::at(6_600 * MS, "The liveness checks call slow A and fail: the balancer restarts both instances, and every request it sends them fails while they restart, B's as much as A's. A slowdown at the bottom became an outage at the top."),
                Chapter::at(8 * SECOND, "The trigger clears at 8 s, but the service stays down until its restarted instances are back, well after A has recovered: the missing defences cost more than the trigger did."),
            ],
        },
        Preset {
            id: "cascade-bulkheads",
            title: "The cascade with bulkheads only",
            summary: "The same seed; A's requests can take only their half of the workers.",
            scenario: cascade().with_param("bulkheads", 1),
            duration_us: 15 * SECOND,
            chapters: vec![
                Chapter::at(0, "The cascade's seed and settings with one defence: bulkheads, 20 workers for requests that need A and 20 for B."),
                Chapter::at(5_500 * MS, "A's requests and their retries fill only A's bulkhead, so requests for B still find workers until the liveness checks, which still call A, restart the instances: bulkheads confine the pool, not the restarts."),
            ],
        },
        Preset {
            id: "cascade-breaker",
            title: "The cascade with a circuit breaker only",
            summary: "The same seed; calls to slow A fail fast once the breakers open.",
            scenario: cascade().with_param("breaker", 1),
            duration_us: 15 * SECOND,
            chapters: vec![
                Chapter::at(0, "The cascade's seed and settings with one defence: a circuit breaker on each instance in front of each dependency."),
                Chapter::at(5_500 * MS, "Once five calls to A fail in a row the breaker opens, and requests for A fail at once instead of holding a worker through their retries: fewer requests for B are refused than without it. The liveness checks still call A, though, and still restart the instances."),
            ],
        },
        Preset {
            id: "cascade-shallow-liveness",
            title: "The cascade with a shallow liveness check only",
            summary: "The same seed; no restarts, but A's slow calls still fill the shared pool.",
            scenario: cascade().with_param("liveness", 1),
            duration_us: 15 * SECOND,
            chapters: vec![
                Chapter::at(0, "The cascade's seed and settings with one defence: the liveness check asks only whether the process answers."),
                Chapter::at(6_600 * MS, "Nobody is restarted. But the retries to slow A still hold every shared worker and requests for B are refused just the same: for a while nothing is served. It comes back sooner, at about 9 s, with no restart to wait for: one defence removes one path of the cascade, not the others."),
            ],
        },
        Preset {
            id: "cascade-defended",
            title: "The same cascade, defended",
            summary: "Bulkheads, a breaker, jittered retries under a budget and sane health checks.",
            scenario: cascade_defended(),
            duration_us: 15 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same seed and trigger as the cascade, with every defence on: backoff with full jitter under a retry budget, a circuit breaker, bulkheads, readiness checks and a liveness check that does not call A."),
                Chapter::at(5_500 * MS, "A is slow: its requests fail, fast once the breakers open. B's requests, in their own bulkhead, are untouched, and no instance is restarted."),
                Chapter::at(8 * SECOND, "When A recovers the breakers' probes find it healthy and close: goodput is back within seconds.").on_check(RECOVERS_CHECK),
            ],
        },
    ]
}
