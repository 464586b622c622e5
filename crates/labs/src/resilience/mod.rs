//! Resilience: stopping a failure from spreading. Clients call a service (two instances
//! behind a load balancer) that calls two dependencies; dependency A slows down, fails or
//! stops answering for a while (the trigger). The defences: timeouts and retries (none,
//! immediate, exponential backoff, full jitter, a retry budget), a circuit breaker,
//! bulkheads, health checks (readiness and liveness), and gradual rollouts (a canary with
//! automatic rollback, all at once, blue-green, a feature-flag kill switch).
//!
//! Every request is simulated (no aggregate model): a request is six messages, a call two,
//! so a few hundred requests a second replay in well under a second.
//!
//! - `config` — the layout (S1 clients, S2 balancer, S3–S4 service, S5 A, S6 B), settings, bug;
//! - `node` — the four roles and their handlers, the circuit breaker;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod node;
mod pictures;
mod presets;

pub use checks::{PROBE_QUOTA, RECOVERS, SPREAD};
pub use config::{Config, BALANCER, CLIENTS, DEP_A, DEP_B, FIRST_INSTANCE};
pub use node::{Breaker, BreakerState, Bucket, Msg, Resilience, Role, BUCKET_US, LOAD_BUCKET_US};
pub use presets::scenario;

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "resilience";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "rate",
        label: "Offered load",
        help: "Requests the clients send per second (0 to 5,000).",
        min: 0,
        max: 5_000,
        default: 400,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "share_a_pct",
        label: "Requests needing A, %",
        help: "The share of requests that call dependency A; the rest call B.",
        min: 0,
        max: 100,
        default: 50,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "client_timeout_ms",
        label: "Client timeout",
        help: "A client gives up on a request after this long, in ms; an answer after that is not goodput.",
        min: 10,
        max: 60_000,
        default: 1_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "trigger",
        label: "Trigger",
        help: "What happens to dependency A for a while.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(config::TRIGGERS),
    },
    ParamSpec {
        key: "trigger_at_ms",
        label: "Trigger at",
        help: "When dependency A gets into trouble, in ms from the start.",
        min: 0,
        max: 600_000,
        default: 5_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "trigger_ms",
        label: "Trigger lasts",
        help: "How long A stays in trouble, in ms; 0: no trigger.",
        min: 0,
        max: 600_000,
        default: 0,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "slow_factor",
        label: "Slowdown ×",
        help: "How many times slower A serves a call while slowed (1 to 100).",
        min: 1,
        max: 100,
        default: 10,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "dep_slots",
        label: "Dependency concurrency",
        help: "Calls each dependency runs at once; the rest wait in its queue.",
        min: 1,
        max: 64,
        default: 4,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "service_ms",
        label: "Dependency service time",
        help: "How long a dependency takes per call when healthy, in ms (±20 %).",
        min: 1,
        max: 10_000,
        default: 10,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "dep_queue",
        label: "Dependency queue",
        help: "Calls a dependency queues beyond those running; past that it refuses at once.",
        min: 0,
        max: 100_000,
        default: 400,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "pool",
        label: "Workers per instance",
        help: "Each request holds a worker from arrival to answer, retries and backoff included; with none free it is refused.",
        min: 2,
        max: 5_000,
        default: 100,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "bulkheads",
        label: "Bulkheads",
        help: "Split each instance's workers in two pools, one per dependency, so a slow one cannot take the other's.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "call_timeout_ms",
        label: "Call timeout",
        help: "How long the service waits for a dependency's answer, in ms.",
        min: 1,
        max: 60_000,
        default: 200,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "retry",
        label: "Retries",
        help: "What the service does when a call fails or times out.",
        min: 0,
        max: 3,
        default: 0,
        unit: Unit::Choice(config::RETRIES),
    },
    ParamSpec {
        key: "max_retries",
        label: "Retries per request",
        help: "At most this many retries after the first call (0 to 10).",
        min: 0,
        max: 10,
        default: 3,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "backoff_base_ms",
        label: "First backoff",
        help: "The wait before the first retry, in ms; it doubles for each retry after.",
        min: 1,
        max: 60_000,
        default: 100,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "backoff_cap_ms",
        label: "Backoff cap",
        help: "The longest wait between retries, in ms.",
        min: 1,
        max: 600_000,
        default: 2_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "retry_budget",
        label: "Retry budget",
        help: "Allow retries only while they stay under a share of first attempts.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "budget_pct",
        label: "Budget: retries per 100 requests",
        help: "With a retry budget, each instance may retry at most this many calls per 100 requests it takes.",
        min: 1,
        max: 100,
        default: 10,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "breaker",
        label: "Circuit breaker",
        help: "Each instance puts a circuit breaker in front of each dependency.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "breaker_failures",
        label: "Breaker: failures to open",
        help: "Consecutive failed calls that open the breaker.",
        min: 1,
        max: 1_000,
        default: 5,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "open_ms",
        label: "Breaker: open for",
        help: "How long an open breaker fails calls at once before it tries again, in ms.",
        min: 1,
        max: 600_000,
        default: 2_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "probe_quota",
        label: "Breaker: probe quota",
        help: "Calls a half-open breaker lets through to test the dependency; all must succeed to close it.",
        min: 1,
        max: 100,
        default: 3,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "readiness",
        label: "Readiness checks",
        help: "The balancer sends requests only to instances that say they are ready (a free worker, not restarting).",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "liveness",
        label: "Liveness checks",
        help: "The balancer restarts an instance that fails its liveness check several times in a row. A check of the process alone, or one that also calls dependency A.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(config::LIVENESS),
    },
    ParamSpec {
        key: "probe_every_ms",
        label: "Health check every",
        help: "How often the balancer checks each instance, in ms.",
        min: 10,
        max: 60_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "liveness_failures",
        label: "Liveness failures to restart",
        help: "Failed liveness checks in a row before a restart.",
        min: 1,
        max: 100,
        default: 3,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "restart_ms",
        label: "Restart takes",
        help: "How long an instance is gone while it restarts, in ms.",
        min: 1,
        max: 600_000,
        default: 3_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "rollout",
        label: "Rollout",
        help: "How a new version that fails requests is released.",
        min: 0,
        max: 4,
        default: 0,
        unit: Unit::Choice(config::ROLLOUTS),
    },
    ParamSpec {
        key: "release_at_ms",
        label: "Release at",
        help: "When the new version is released, in ms.",
        min: 0,
        max: 600_000,
        default: 3_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "canary_pct",
        label: "Canary share, %",
        help: "The share of requests the canary gets while it is watched.",
        min: 1,
        max: 100,
        default: 5,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "watch_ms",
        label: "Watch the new version for",
        help: "How long its error rate is compared with the old version's before the rollout goes on or rolls back, in ms.",
        min: 1,
        max: 600_000,
        default: 3_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "bad_pct",
        label: "New version fails, %",
        help: "The share of its requests the new version fails (0: a good release).",
        min: 0,
        max: 100,
        default: 100,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "burst",
        label: "Burst of requests",
        help: "A burst of this many requests for A sent all at once (0: none).",
        min: 0,
        max: 5_000,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "burst_at_ms",
        label: "Burst at",
        help: "When the burst is sent, in ms.",
        min: 0,
        max: 600_000,
        default: 2_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the checks catch it.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(config::BUG_NAMES),
    },
];

const CHALLENGES: &[ChallengeSpec] = &[ChallengeSpec {
    id: "spread-to-b",
    sentence: "Make a request for the healthy dependency B fail while only A is in trouble.",
    hint: "Slow A down with a shared worker pool that is not much larger than what A's calls hold.",
    possible: Possibility::Possible,
    property: checks::SPREAD,
    only_when: None,
}];

const BUG_DEMOS: &[BugDemo] = &[BugDemo {
    bug: 1,
    preset: "metastable-breaker",
    seed: None,
    params: &[],
    check: checks::PROBE_QUOTA,
    note: "When S4's breaker to A (S5) first half-opens, it lets a fourth call through while its three probes are still out: more than the quota of 3.",
}];

pub struct ResilienceLab;

impl Lab for ResilienceLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Resilience"
    }
    fn summary(&self) -> &'static str {
        "A dependency falters: retries, breakers, bulkheads, health checks and canaries keep the failure from spreading."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: config::N_NODES,
            max: config::N_NODES,
            default: config::N_NODES,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        presets::COMPARISONS.to_vec()
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Resilience>::new(
            &ResilienceLab,
            scenario,
        )?))
    }
}
