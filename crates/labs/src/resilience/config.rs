//! The lab's settings: the load, the two dependencies and the trigger, the service's worker
//! pools, timeouts, retries and circuit breaker, the load balancer's health checks, the
//! rollout, and the deliberate bug.

use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// S1 stands for the clients, S2 is the load balancer (it also runs the health checks and
/// the rollout), S3 and S4 are the service's two instances, S5 is dependency A and S6
/// dependency B.
pub const CLIENTS: NodeId = 0;
pub const BALANCER: NodeId = 1;
pub const FIRST_INSTANCE: NodeId = 2;
pub const N_INSTANCES: u16 = 2;
pub const DEP_A: NodeId = 4;
pub const DEP_B: NodeId = 5;
pub const N_NODES: u16 = 6;

/// The dependency a request needs, as an index: 0 is A, 1 is B.
pub fn dep_node(dep: u8) -> NodeId {
    if dep == 0 {
        DEP_A
    } else {
        DEP_B
    }
}

pub fn dep_name(dep: u8) -> &'static str {
    if dep == 0 {
        "A"
    } else {
        "B"
    }
}

pub const TRIGGERS: &[&str] = &["slows down", "fails every call", "stops answering"];
pub const RETRIES: &[&str] = &[
    "none",
    "immediate",
    "exponential backoff",
    "backoff with full jitter",
];
pub const LIVENESS: &[&str] = &["off", "the process only", "checks dependency A"];
pub const ROLLOUTS: &[&str] = &[
    "none",
    "5 % canary with automatic rollback",
    "all at once",
    "blue-green switch",
    "feature flag with a kill switch",
];
pub const BUG_NAMES: &[&str] = &["none", "half-open breaker admits every call"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Slow,
    Fail,
    Hang,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    None,
    Immediate,
    Backoff,
    FullJitter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Liveness {
    Off,
    Process,
    Deep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rollout {
    None,
    Canary,
    AllAtOnce,
    BlueGreen,
    FeatureFlag,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    HalfOpenFlood,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Requests the clients send per second.
    pub rate: u32,
    /// Percentage of requests that need dependency A (the rest need B).
    pub share_a_pct: u32,
    /// A burst of this many requests for A, all at `burst_at_us` (0: none).
    pub burst: u32,
    pub burst_at_us: Time,
    /// A client gives up on a request after this long.
    pub client_timeout_us: Time,
    /// Each dependency runs this many calls at once, each taking `service_us`.
    pub dep_slots: u32,
    pub service_us: Time,
    /// Calls a dependency queues beyond its slots; past that it rejects at once.
    pub dep_queue: u32,
    pub trigger: Trigger,
    pub trigger_at_us: Time,
    pub trigger_us: Time,
    /// How many times slower dependency A is while slowed.
    pub slow_factor: u32,
    /// Workers per instance; a request holds one from arrival to answer.
    pub pool: u32,
    /// Bulkheads: each dependency gets half of the pool, and only its own half.
    pub bulkheads: bool,
    pub call_timeout_us: Time,
    pub retry: Retry,
    pub max_retries: u32,
    pub backoff_base_us: Time,
    pub backoff_cap_us: Time,
    /// Retry budget: at most `budget_pct` retries per 100 first attempts.
    pub budget: bool,
    pub budget_pct: u32,
    pub breaker: bool,
    /// Consecutive failures that open the breaker.
    pub breaker_failures: u32,
    pub open_us: Time,
    /// Calls a half-open breaker lets through to test the dependency.
    pub probe_quota: u32,
    pub readiness: bool,
    pub liveness: Liveness,
    pub probe_every_us: Time,
    /// Failed liveness probes in a row before the instance is restarted.
    pub liveness_failures: u32,
    pub restart_us: Time,
    pub rollout: Rollout,
    pub release_at_us: Time,
    pub canary_pct: u32,
    /// How long the new version is watched before the rollout decides.
    pub watch_us: Time,
    /// The share of its requests the new version fails, in percent.
    pub bad_pct: u32,
    pub bug: Bug,
}

impl Config {
    pub fn is_instance(node: NodeId) -> bool {
        (FIRST_INSTANCE..FIRST_INSTANCE + N_INSTANCES).contains(&node)
    }

    /// When the trigger clears.
    pub fn trigger_end(&self) -> Time {
        self.trigger_at_us.saturating_add(self.trigger_us)
    }

    /// Whether dependency A is impaired at `now`.
    pub fn triggered(&self, now: Time) -> bool {
        self.trigger_us > 0 && now >= self.trigger_at_us && now < self.trigger_end()
    }

    /// The workers request of dependency `dep` may use: the whole pool, or its half.
    pub fn pool_for(&self) -> u32 {
        if self.bulkheads {
            (self.pool / 2).max(1)
        } else {
            self.pool
        }
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let ms = |key: &str, default: i64| get(key, default).max(0) as Time * MS;
        let on = |key: &str| get(key, 0) != 0;
        if n_nodes != N_NODES {
            return Err(format!(
                "this lab has {N_NODES} servers (S1 the clients, S2 the load balancer, S3 and S4 the service, S5 and S6 its dependencies A and B), not {n_nodes}"
            ));
        }
        let config = Config {
            rate: get("rate", 400) as u32,
            share_a_pct: get("share_a_pct", 50) as u32,
            burst: get("burst", 0) as u32,
            burst_at_us: ms("burst_at_ms", 2_000),
            client_timeout_us: ms("client_timeout_ms", 1_000),
            dep_slots: get("dep_slots", 4) as u32,
            service_us: ms("service_ms", 10),
            dep_queue: get("dep_queue", 400) as u32,
            trigger: match get("trigger", 0) {
                1 => Trigger::Fail,
                2 => Trigger::Hang,
                _ => Trigger::Slow,
            },
            trigger_at_us: ms("trigger_at_ms", 5_000),
            trigger_us: ms("trigger_ms", 0),
            slow_factor: get("slow_factor", 10) as u32,
            pool: get("pool", 100) as u32,
            bulkheads: on("bulkheads"),
            call_timeout_us: ms("call_timeout_ms", 200),
            retry: match get("retry", 0) {
                1 => Retry::Immediate,
                2 => Retry::Backoff,
                3 => Retry::FullJitter,
                _ => Retry::None,
            },
            max_retries: get("max_retries", 3) as u32,
            backoff_base_us: ms("backoff_base_ms", 100),
            backoff_cap_us: ms("backoff_cap_ms", 2_000),
            budget: on("retry_budget"),
            budget_pct: get("budget_pct", 10) as u32,
            breaker: on("breaker"),
            breaker_failures: get("breaker_failures", 5) as u32,
            open_us: ms("open_ms", 2_000),
            probe_quota: get("probe_quota", 3) as u32,
            readiness: on("readiness"),
            liveness: match get("liveness", 0) {
                1 => Liveness::Process,
                2 => Liveness::Deep,
                _ => Liveness::Off,
            },
            probe_every_us: ms("probe_every_ms", 500),
            liveness_failures: get("liveness_failures", 3) as u32,
            restart_us: ms("restart_ms", 3_000),
            rollout: match get("rollout", 0) {
                1 => Rollout::Canary,
                2 => Rollout::AllAtOnce,
                3 => Rollout::BlueGreen,
                4 => Rollout::FeatureFlag,
                _ => Rollout::None,
            },
            release_at_us: ms("release_at_ms", 3_000),
            canary_pct: get("canary_pct", 5) as u32,
            watch_us: ms("watch_ms", 3_000),
            bad_pct: get("bad_pct", 100) as u32,
            bug: match get(BUG_PARAM, 0) {
                1 => Bug::HalfOpenFlood,
                _ => Bug::None,
            },
        };
        if config.backoff_cap_us < config.backoff_base_us {
            return Err(format!(
                "the backoff cap ({} ms) should be at least the first backoff ({} ms)",
                config.backoff_cap_us / MS,
                config.backoff_base_us / MS
            ));
        }
        Ok(config)
    }
}
