//! The protocol, one request at a time (no aggregate model: every request, call, retry and
//! probe is a message or a timer of the engine). S1 stands for the clients: it sends the
//! requests and gives up on each after the client timeout. S2, the load balancer, routes
//! each request to an instance, runs the health checks and the rollout. S3 and S4, the
//! service, hold a worker per request and call the dependency the request needs, with a
//! timeout, retries and a circuit breaker. S5 and S6, dependencies A and B, run a few calls
//! at once and queue the rest. Pure handlers: a node acts only through `Ctx`.

use super::checks::ResilienceChecks;
use super::config::{
    dep_name, dep_node, Bug, Config, Liveness, Retry, Rollout, Trigger, BALANCER, CLIENTS, DEP_A,
    FIRST_INSTANCE, N_INSTANCES,
};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{format_duration, Time, MS};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The clients' counts are kept per bucket this long.
pub const BUCKET_US: Time = 100 * MS;
/// A dependency's arrivals are counted per bucket this long (short, to see retry spikes).
pub const LOAD_BUCKET_US: Time = 20 * MS;
/// An instance wakes for its deadlines and retries on this grid.
const WAKE_GRID_US: Time = 2 * MS;
/// Bounds on what a node keeps, so no workload grows a node without limit.
const MAX_BUCKETS: usize = 6_000;
const MAX_LOAD_BUCKETS: usize = 30_000;
const MAX_OUTSTANDING: usize = 100_000;
const MAX_QUEUE: usize = 100_000;
/// A feature flag's alert checks the error rate this often, once it has this many requests.
const FLAG_CHECK_US: Time = 100 * MS;
const FLAG_MIN_REQUESTS: u64 = 50;
/// Goodput counts as recovered once a full second after the trigger has this share of the
/// offered load answered in time, in percent.
pub const RECOVERED_PCT: u64 = 90;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A client's request, needing dependency `dep` (0: A, 1: B).
    Req {
        id: u64,
        dep: u8,
    },
    /// The balancer's hand-off to an instance; `new`: served by the new version.
    Route {
        id: u64,
        dep: u8,
        new: bool,
    },
    /// The answer, from an instance to the balancer and on to the clients.
    Resp {
        id: u64,
        ok: bool,
        dep: u8,
        new: bool,
    },
    Call {
        call: u64,
    },
    Done {
        call: u64,
        ok: bool,
    },
    /// Health checks: readiness answered at once, liveness when the instance knows.
    Probe {
        round: u64,
    },
    Ready {
        round: u64,
        ready: bool,
    },
    Live {
        round: u64,
        live: bool,
    },
    Restart,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Arrive,
    Burst,
    /// The clients give up on late requests and count goodput.
    Sweep,
    /// An instance's next deadline, retry or breaker timeout.
    Wake,
    Slot(u16),
    /// The trigger starts or clears (dependency A marks it on the timeline).
    Trigger,
    Probe,
    Rollout,
}

#[derive(Clone, Debug, Default)]
pub struct Durable {}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Role {
    #[default]
    Clients,
    Balancer,
    Instance,
    Dependency,
}

/// What the clients saw in one bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    pub offered: u32,
    /// Answered successfully before the client gave up.
    pub good: u32,
    pub failed: u32,
    /// Sum and maximum of the good answers' latency, in ms.
    pub latency_sum_ms: u64,
    pub latency_max_ms: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum BreakerState {
    #[default]
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn index(self) -> usize {
        match self {
            BreakerState::Closed => 0,
            BreakerState::Open => 1,
            BreakerState::HalfOpen => 2,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        }
    }
}

/// A circuit breaker in front of one dependency (Nygard, "Release It!", ch. 5): closed
/// counts consecutive failures; open fails every call at once until its timeout; half-open
/// lets a quota of probe calls through and closes when all of them succeed.
#[derive(Clone, Debug, Default)]
pub struct Breaker {
    pub state: BreakerState,
    pub failures: u32,
    pub open_until: Time,
    /// Probe calls let through in this half-open spell, and how many came back good.
    pub probes: u32,
    pub probes_ok: u32,
    /// Bumped at each change of state: outcomes of calls made in an earlier state are not
    /// counted.
    pub epoch: u64,
    pub entered: [u64; 3],
    pub taken: [[u64; 3]; 3],
    /// Calls failed at once because the breaker would not let them through.
    pub shed: u64,
}

impl Breaker {
    fn go(&mut self, to: BreakerState, now: Time, config: &Config) {
        let from = self.state;
        self.taken[from.index()][to.index()] += 1;
        self.entered[to.index()] += 1;
        self.state = to;
        self.epoch += 1;
        self.failures = 0;
        self.probes = 0;
        self.probes_ok = 0;
        if to == BreakerState::Open {
            self.open_until = now + config.open_us.max(MS);
        }
    }

    /// Whether a call may go out now.
    fn admit(&mut self, now: Time, config: &Config) -> bool {
        if self.state == BreakerState::Open && now >= self.open_until {
            self.go(BreakerState::HalfOpen, now, config);
        }
        match self.state {
            BreakerState::Closed => true,
            BreakerState::Open => false,
            BreakerState::HalfOpen => {
                if self.probes < config.probe_quota || config.bug == Bug::HalfOpenFlood {
                    self.probes += 1;
                    true
                } else {
                    false
                }
            }
        }
    }

    fn record(&mut self, epoch: u64, ok: bool, now: Time, config: &Config) {
        if epoch != self.epoch {
            return;
        }
        match (self.state, ok) {
            (BreakerState::Closed, true) => self.failures = 0,
            (BreakerState::Closed, false) => {
                self.failures += 1;
                if self.failures >= config.breaker_failures {
                    self.go(BreakerState::Open, now, config);
                }
            }
            (BreakerState::HalfOpen, true) => {
                self.probes_ok += 1;
                if self.probes_ok >= config.probe_quota {
                    self.go(BreakerState::Closed, now, config);
                }
            }
            (BreakerState::HalfOpen, false) => self.go(BreakerState::Open, now, config),
            (BreakerState::Open, _) => {}
        }
    }
}

/// A request an instance is working on: it holds one worker until it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Work {
    dep: u8,
    new: bool,
    /// Calls made so far.
    attempts: u32,
}

/// What a call to a dependency is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CallFor {
    Request(u64),
    /// A liveness probe that checks dependency A.
    Probe(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Call {
    purpose: CallFor,
    dep: u8,
    deadline: Time,
    epoch: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Resilience {
    pub role: Role,
    // The clients.
    next_id: u64,
    /// Requests not yet answered: id → (sent at, dependency).
    outstanding: BTreeMap<u64, (Time, u8)>,
    pub buckets: Vec<Bucket>,
    pub recovered_at: Option<Time>,
    pub offered: u64,
    pub good: u64,
    pub failed: u64,
    // The balancer.
    rr: u64,
    round: u64,
    /// Per instance: answered the last readiness probe, and its answer.
    pub ready: [bool; 2],
    ready_answered: [bool; 2],
    live_answered: [bool; 2],
    pub live_failures: [u32; 2],
    /// The balancer does not probe an instance's liveness before this (it is restarting).
    grace_until: [Time; 2],
    pub restarts: [u64; 2],
    /// The share of requests the new version gets, in percent.
    pub new_share_pct: u32,
    /// Per version (old, new) in the rollout's current window: (requests, errors).
    pub window: [(u64, u64); 2],
    /// The new version's requests and errors over the whole run.
    pub new_total: (u64, u64),
    pub rolled_back_at: Option<Time>,
    pub promoted_at: Option<Time>,
    /// Errors answered to clients over the whole run, per version.
    pub errors: [u64; 2],
    // An instance.
    pub busy: [u32; 2],
    work: BTreeMap<u64, Work>,
    next_call: u64,
    calls: BTreeMap<u64, Call>,
    /// Retries waiting out their backoff: (due, request).
    backoff: BTreeSet<(Time, u64)>,
    pub breakers: [Breaker; 2],
    /// Retry budget, in thousandths of a retry.
    tokens: u64,
    pub restarting_until: Option<Time>,
    wake_at: Option<Time>,
    pub retries: u64,
    /// Requests that never got a worker.
    pub no_worker: [u64; 2],
    /// Requests for B that failed while B was healthy (no worker, or a restart).
    pub unrelated_failures: u64,
    // A dependency.
    slots: Vec<Option<(NodeId, u64)>>,
    queue: VecDeque<(NodeId, u64)>,
    /// Calls arriving per load bucket.
    pub arrivals: Vec<u32>,
    /// The longest queue per client bucket.
    pub queue_peak: Vec<u32>,
    pub served: u64,
    pub rejected: u64,
}

fn bump<T: Default + Clone>(v: &mut Vec<T>, idx: usize, max: usize) -> Option<&mut T> {
    if idx >= max {
        return None;
    }
    if v.len() <= idx {
        v.resize(idx + 1, T::default());
    }
    v.get_mut(idx)
}

impl Resilience {
    fn now(ctx: &Ctx<'_, Self>) -> Time {
        ctx.monotonic_clock().max(0) as Time
    }

    fn bucket(&mut self, now: Time) -> Option<&mut Bucket> {
        bump(&mut self.buckets, (now / BUCKET_US) as usize, MAX_BUCKETS)
    }

    // ----- the clients -----

    fn send_request(&mut self, ctx: &mut Ctx<'_, Self>, dep: u8) {
        let now = Self::now(ctx);
        self.next_id += 1;
        let id = self.next_id;
        if self.outstanding.len() < MAX_OUTSTANDING {
            self.outstanding.insert(id, (now, dep));
        }
        self.offered += 1;
        if let Some(b) = self.bucket(now) {
            b.offered += 1;
        }
        ctx.send(BALANCER, Msg::Req { id, dep });
    }

    fn next_arrival(ctx: &mut Ctx<'_, Self>) {
        let rate = u64::from(ctx.config().rate);
        if rate == 0 {
            return;
        }
        let mean = (1_000_000 / rate).max(1);
        let gap = ctx.rng().range_inclusive(1, 2 * mean - 1);
        ctx.set_timer(Timer::Arrive, gap);
    }

    fn on_answer(&mut self, ctx: &mut Ctx<'_, Self>, id: u64, ok: bool) {
        let now = Self::now(ctx);
        let Some((sent, _)) = self.outstanding.remove(&id) else {
            return;
        };
        let latency_ms = (now.saturating_sub(sent) / MS) as u32;
        if ok {
            self.good += 1;
        } else {
            self.failed += 1;
        }
        if let Some(b) = self.bucket(now) {
            if ok {
                b.good += 1;
                b.latency_sum_ms += u64::from(latency_ms);
                b.latency_max_ms = b.latency_max_ms.max(latency_ms);
            } else {
                b.failed += 1;
            }
        }
    }

    fn sweep(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = Self::now(ctx);
        let timeout = ctx.config().client_timeout_us.max(MS);
        let mut late = 0;
        while let Some((&id, &(sent, _))) = self.outstanding.first_key_value() {
            if sent + timeout > now {
                break;
            }
            self.outstanding.remove(&id);
            late += 1;
        }
        if late > 0 {
            self.failed += late;
            if let Some(b) = self.bucket(now) {
                b.failed += late as u32;
            }
        }
        if self.recovered_at.is_none() {
            self.recovered_at = self.recovery(ctx.config(), now);
        }
    }

    /// The end of the first full second after the trigger cleared in which goodput was at
    /// least [`RECOVERED_PCT`] % of the offered load.
    fn recovery(&self, config: &Config, now: Time) -> Option<Time> {
        let first = config.trigger_end().div_ceil(BUCKET_US) as usize;
        let last = (now / BUCKET_US) as usize; // the bucket still filling
        let per_second = (1_000 * MS / BUCKET_US) as usize;
        if last < first + per_second {
            return None;
        }
        let window = self.buckets.get(last - per_second..last)?;
        let offered: u64 = window.iter().map(|b| u64::from(b.offered)).sum();
        let good: u64 = window.iter().map(|b| u64::from(b.good)).sum();
        (offered > 0 && good * 100 >= offered * RECOVERED_PCT).then_some(now)
    }

    // ----- the balancer -----

    fn route(&mut self, ctx: &mut Ctx<'_, Self>, id: u64, dep: u8) {
        let config = ctx.config().clone();
        let mut pick = None;
        for k in 0..u64::from(N_INSTANCES) {
            let i = ((self.rr + k) % u64::from(N_INSTANCES)) as usize;
            if !config.readiness || self.ready[i] {
                pick = Some(i);
                self.rr = self.rr.wrapping_add(k + 1);
                break;
            }
        }
        let Some(i) = pick else {
            // No instance is ready: the balancer answers with an error itself.
            ctx.send(
                CLIENTS,
                Msg::Resp {
                    id,
                    ok: false,
                    dep,
                    new: false,
                },
            );
            self.errors[0] += 1;
            return;
        };
        let new = self.new_share_pct > 0
            && (self.new_share_pct >= 100 || ctx.rng().below(100) < u64::from(self.new_share_pct));
        ctx.send(FIRST_INSTANCE + i as NodeId, Msg::Route { id, dep, new });
    }

    fn on_response(&mut self, ctx: &mut Ctx<'_, Self>, id: u64, ok: bool, dep: u8, new: bool) {
        let v = usize::from(new);
        self.window[v].0 += 1;
        if new {
            self.new_total.0 += 1;
        }
        if !ok {
            self.window[v].1 += 1;
            self.errors[v] += 1;
            if new {
                self.new_total.1 += 1;
            }
        }
        ctx.send(CLIENTS, Msg::Resp { id, ok, dep, new });
    }

    fn probe_round(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = Self::now(ctx);
        let config = ctx.config().clone();
        for i in 0..usize::from(N_INSTANCES) {
            if config.readiness && self.round > 0 && !self.ready_answered[i] {
                self.ready[i] = false;
            }
            let checked = config.liveness != Liveness::Off && now >= self.grace_until[i];
            if checked && self.round > 0 && !self.live_answered[i] {
                self.live_failed(ctx, i);
            }
            self.ready_answered[i] = false;
            self.live_answered[i] = false;
        }
        self.round += 1;
        let round = self.round;
        for i in 0..N_INSTANCES {
            ctx.send(FIRST_INSTANCE + i, Msg::Probe { round });
        }
        ctx.set_timer(Timer::Probe, config.probe_every_us.max(MS));
    }

    fn live_failed(&mut self, ctx: &mut Ctx<'_, Self>, i: usize) {
        let config = ctx.config().clone();
        self.live_failures[i] += 1;
        if self.live_failures[i] >= config.liveness_failures.max(1) {
            let now = Self::now(ctx);
            self.live_failures[i] = 0;
            self.restarts[i] += 1;
            self.ready[i] = false;
            self.grace_until[i] = now + config.restart_us + config.probe_every_us;
            let node = FIRST_INSTANCE + i as NodeId;
            ctx.mark(format!(
                "{} failed {} liveness probes in a row: the balancer restarts it",
                node_name(node),
                config.liveness_failures.max(1)
            ));
            ctx.count("restarts", 1);
            ctx.send(node, Msg::Restart);
        }
    }

    fn rollout_step(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = Self::now(ctx);
        let config = ctx.config().clone();
        let release = config.release_at_us;
        let watch = config.watch_us.max(MS);
        let whole = matches!(config.rollout, Rollout::BlueGreen | Rollout::FeatureFlag);
        if now < release {
            // The old version's baseline, measured before a switch of all traffic.
            self.window = [(0, 0); 2];
            ctx.set_timer(Timer::Rollout, release - now);
            return;
        }
        if now < release + watch && self.new_share_pct == 0 && self.rolled_back_at.is_none() {
            if !whole {
                self.window = [(0, 0); 2];
            } else {
                self.window[1] = (0, 0);
            }
            self.new_share_pct = match config.rollout {
                Rollout::Canary => config.canary_pct,
                _ => 100,
            };
            ctx.mark(match config.rollout {
                Rollout::Canary => format!(
                    "release: the new version gets {} % of requests",
                    config.canary_pct
                ),
                Rollout::AllAtOnce => "release: the new version gets every request".into(),
                Rollout::BlueGreen => {
                    "release: the balancer switches every request to green, the new version".into()
                }
                _ => "release: the feature flag is on for every request".into(),
            });
            match config.rollout {
                Rollout::AllAtOnce => {}
                Rollout::FeatureFlag => ctx.set_timer(Timer::Rollout, FLAG_CHECK_US),
                _ => ctx.set_timer(Timer::Rollout, release + watch - now),
            }
            return;
        }
        if config.rollout == Rollout::AllAtOnce || self.rolled_back_at.is_some() {
            return;
        }
        let rate = |(n, e): (u64, u64)| (e * 1_000).checked_div(n).unwrap_or(0);
        let (old, new) = (rate(self.window[0]), rate(self.window[1]));
        let worse = new > old + 50;
        // The flag's alert looks every 100 ms, once it has enough requests to judge by,
        // and keeps looking for the whole watch.
        let flag = config.rollout == Rollout::FeatureFlag;
        if flag && now < release + watch && (self.window[1].0 < FLAG_MIN_REQUESTS || !worse) {
            ctx.set_timer(Timer::Rollout, FLAG_CHECK_US);
            return;
        }
        // Worse than the baseline by more than five points: roll back.
        if worse {
            self.new_share_pct = 0;
            self.rolled_back_at = Some(now);
            ctx.mark(format!(
                "{}: the new version failed {}.{} % of its requests against {}.{} % for the old",
                match config.rollout {
                    Rollout::Canary => "automatic rollback",
                    Rollout::BlueGreen => "switched back to blue",
                    _ => "kill switch: the flag is off",
                },
                new / 10,
                new % 10,
                old / 10,
                old % 10
            ));
        } else if self.promoted_at.is_none() {
            self.new_share_pct = 100;
            self.promoted_at = Some(now);
            ctx.mark("the new version is as good as the old: it gets every request");
        }
    }

    // ----- an instance -----

    fn has_worker(&self, config: &Config, dep: u8) -> bool {
        if config.bulkheads {
            self.busy[usize::from(dep)] < config.pool_for()
        } else {
            self.busy[0] + self.busy[1] < config.pool
        }
    }

    fn on_route(&mut self, ctx: &mut Ctx<'_, Self>, id: u64, dep: u8, new: bool) {
        let config = ctx.config().clone();
        if self.restarting_until.is_some() || !self.has_worker(&config, dep) {
            if self.restarting_until.is_none() {
                self.no_worker[usize::from(dep)] += 1;
            }
            if dep == 1 {
                self.unrelated_failures += 1;
            }
            ctx.send(
                BALANCER,
                Msg::Resp {
                    id,
                    ok: false,
                    dep,
                    new,
                },
            );
            return;
        }
        self.busy[usize::from(dep)] += 1;
        self.work.insert(
            id,
            Work {
                dep,
                new,
                attempts: 0,
            },
        );
        if new && ctx.rng().below(100) < u64::from(config.bad_pct) {
            // The new version's bug: it fails the request without calling anyone.
            self.finish(ctx, id, false);
            return;
        }
        if config.budget {
            let cap = 100_000;
            self.tokens = (self.tokens + u64::from(config.budget_pct) * 10).min(cap);
        }
        self.attempt(ctx, id);
    }

    fn attempt(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        let now = Self::now(ctx);
        let config = ctx.config().clone();
        let Some(work) = self.work.get_mut(&id) else {
            return;
        };
        let dep = work.dep;
        let retry = work.attempts > 0;
        let breaker = &mut self.breakers[usize::from(dep)];
        if config.breaker && !breaker.admit(now, &config) {
            breaker.shed += 1;
            self.finish(ctx, id, false);
            return;
        }
        if retry && config.budget {
            if self.tokens < 1_000 {
                self.finish(ctx, id, false);
                return;
            }
            self.tokens -= 1_000;
        }
        work.attempts += 1;
        if retry {
            self.retries += 1;
            ctx.count("retries", 1);
        }
        let epoch = self.breakers[usize::from(dep)].epoch;
        self.next_call += 1;
        let call = self.next_call;
        self.calls.insert(
            call,
            Call {
                purpose: CallFor::Request(id),
                dep,
                deadline: now + config.call_timeout_us.max(MS),
                epoch,
            },
        );
        ctx.send(dep_node(dep), Msg::Call { call });
    }

    fn outcome(&mut self, ctx: &mut Ctx<'_, Self>, call: Call, ok: bool) {
        let now = Self::now(ctx);
        let config = ctx.config().clone();
        match call.purpose {
            CallFor::Probe(round) => {
                ctx.send(BALANCER, Msg::Live { round, live: ok });
            }
            CallFor::Request(id) => {
                if config.breaker {
                    self.breakers[usize::from(call.dep)].record(call.epoch, ok, now, &config);
                }
                if ok {
                    self.finish(ctx, id, true);
                } else {
                    self.failed_attempt(ctx, id);
                }
            }
        }
    }

    fn failed_attempt(&mut self, ctx: &mut Ctx<'_, Self>, id: u64) {
        let now = Self::now(ctx);
        let config = ctx.config().clone();
        let Some(work) = self.work.get(&id) else {
            return;
        };
        if config.retry == Retry::None || work.attempts > config.max_retries {
            self.finish(ctx, id, false);
            return;
        }
        let backoff = || {
            let shift = (work.attempts - 1).min(30);
            config
                .backoff_base_us
                .saturating_mul(1 << shift)
                .min(config.backoff_cap_us)
        };
        let delay = match config.retry {
            Retry::Immediate | Retry::None => 0,
            Retry::Backoff => backoff(),
            // Brooker's "full jitter": sleep a uniform time between 0 and the backoff.
            Retry::FullJitter => ctx.rng().range_inclusive(0, backoff()),
        };
        if delay == 0 {
            self.attempt(ctx, id);
        } else {
            self.backoff.insert((now + delay, id));
        }
    }

    fn finish(&mut self, ctx: &mut Ctx<'_, Self>, id: u64, ok: bool) {
        let Some(work) = self.work.remove(&id) else {
            return;
        };
        let b = &mut self.busy[usize::from(work.dep)];
        *b = b.saturating_sub(1);
        ctx.send(
            BALANCER,
            Msg::Resp {
                id,
                ok,
                dep: work.dep,
                new: work.new,
            },
        );
    }

    fn on_probe(&mut self, ctx: &mut Ctx<'_, Self>, round: u64) {
        let now = Self::now(ctx);
        let config = ctx.config().clone();
        if self.restarting_until.is_some() {
            return; // a restarting process answers nothing
        }
        if config.readiness {
            let ready = self.has_worker(&config, 0) || self.has_worker(&config, 1);
            ctx.send(BALANCER, Msg::Ready { round, ready });
        }
        match config.liveness {
            Liveness::Off => {}
            Liveness::Process => ctx.send(BALANCER, Msg::Live { round, live: true }),
            Liveness::Deep => {
                self.next_call += 1;
                let call = self.next_call;
                self.calls.insert(
                    call,
                    Call {
                        purpose: CallFor::Probe(round),
                        dep: 0,
                        deadline: now + config.call_timeout_us.max(MS),
                        epoch: 0,
                    },
                );
                ctx.send(DEP_A, Msg::Call { call });
            }
        }
    }

    fn restart(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = Self::now(ctx);
        let ids: Vec<u64> = self.work.keys().copied().collect();
        for id in ids {
            if self.work.get(&id).is_some_and(|w| w.dep == 1) {
                self.unrelated_failures += 1;
            }
            self.finish(ctx, id, false);
        }
        self.calls.clear();
        self.backoff.clear();
        self.tokens = 0;
        for b in &mut self.breakers {
            // A new process starts with a closed breaker (the counts are kept for the picture).
            b.state = BreakerState::Closed;
            b.failures = 0;
            b.epoch += 1;
        }
        self.restarting_until = Some(now + ctx.config().restart_us.max(MS));
    }

    fn wake(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = Self::now(ctx);
        let config = ctx.config().clone();
        if self.restarting_until.is_some_and(|t| t <= now) {
            self.restarting_until = None;
            ctx.note("restarted: the instance takes requests again");
        }
        while let Some((&call, c)) = self.calls.first_key_value() {
            if c.deadline > now {
                break;
            }
            let c = *c;
            self.calls.remove(&call);
            self.outcome(ctx, c, false);
        }
        while let Some(&(due, id)) = self.backoff.first() {
            if due > now {
                break;
            }
            self.backoff.remove(&(due, id));
            self.attempt(ctx, id);
        }
        if config.breaker {
            for b in &mut self.breakers {
                if b.state == BreakerState::Open && now >= b.open_until {
                    b.go(BreakerState::HalfOpen, now, &config);
                }
            }
        }
    }

    /// Set the wake-up timer for the earliest thing this instance waits for.
    fn schedule_wake(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = Self::now(ctx);
        let mut next = self.calls.first_key_value().map(|(_, c)| c.deadline);
        let mut consider = |t: Time| next = Some(next.map_or(t, |n: Time| n.min(t)));
        if let Some(&(due, _)) = self.backoff.first() {
            consider(due);
        }
        if let Some(t) = self.restarting_until {
            consider(t);
        }
        if ctx.config().breaker {
            for b in &self.breakers {
                if b.state == BreakerState::Open {
                    consider(b.open_until);
                }
            }
        }
        let Some(next) = next else {
            self.wake_at = None;
            return;
        };
        let at = next.div_ceil(WAKE_GRID_US) * WAKE_GRID_US;
        let at = at.max(now + 1);
        if self.wake_at != Some(at) || at <= now {
            self.wake_at = Some(at);
            ctx.set_timer(Timer::Wake, at - now);
        }
    }

    // ----- a dependency -----

    fn on_call(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, call: u64) {
        let now = Self::now(ctx);
        let config = ctx.config().clone();
        if let Some(c) = bump(
            &mut self.arrivals,
            (now / LOAD_BUCKET_US) as usize,
            MAX_LOAD_BUCKETS,
        ) {
            *c += 1;
        }
        let impaired = ctx.id() == DEP_A && config.triggered(now);
        if impaired && config.trigger == Trigger::Fail {
            self.rejected += 1;
            ctx.send(from, Msg::Done { call, ok: false });
            return;
        }
        if impaired && config.trigger == Trigger::Hang {
            return;
        }
        let slots = (config.dep_slots as usize).min(self.slots.len());
        if let Some(slot) = self.slots[..slots].iter().position(Option::is_none) {
            self.start_slot(ctx, slot, from, call);
        } else if self.queue.len() < (config.dep_queue as usize).min(MAX_QUEUE) {
            self.queue.push_back((from, call));
        } else {
            self.rejected += 1;
            ctx.send(from, Msg::Done { call, ok: false });
        }
        self.sample_queue(now);
    }

    fn sample_queue(&mut self, now: Time) {
        let q = self.queue.len() as u32;
        if let Some(p) = bump(
            &mut self.queue_peak,
            (now / BUCKET_US) as usize,
            MAX_BUCKETS,
        ) {
            *p = (*p).max(q);
        }
    }

    fn start_slot(&mut self, ctx: &mut Ctx<'_, Self>, slot: usize, from: NodeId, call: u64) {
        let now = Self::now(ctx);
        let config = ctx.config();
        let mut service = config.service_us.max(1);
        if ctx.id() == DEP_A && config.trigger == Trigger::Slow && config.triggered(now) {
            service = service.saturating_mul(u64::from(config.slow_factor.max(1)));
        }
        // ±20 %, so calls do not finish in lockstep.
        let service = service * ctx.rng().range_inclusive(80, 120) / 100;
        self.slots[slot] = Some((from, call));
        ctx.set_timer(Timer::Slot(slot as u16), service.max(1));
    }
}

impl Protocol for Resilience {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = ResilienceChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &[
        "Req", "Route", "Resp", "Call", "Done", "Probe", "Ready", "Live", "Restart",
    ];
    const TIMER_NAMES: &'static [&'static str] = &[
        "arrival", "burst", "sweep", "wake", "slot", "trigger", "probe", "rollout",
    ];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Req { .. } => 0,
            Msg::Route { .. } => 1,
            Msg::Resp { .. } => 2,
            Msg::Call { .. } => 3,
            Msg::Done { .. } => 4,
            Msg::Probe { .. } => 5,
            Msg::Ready { .. } => 6,
            Msg::Live { .. } => 7,
            Msg::Restart => 8,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        match timer {
            Timer::Arrive => 0,
            Timer::Burst => 1,
            Timer::Sweep => 2,
            Timer::Wake => 3,
            Timer::Slot(_) => 4,
            Timer::Trigger => 5,
            Timer::Probe => 6,
            Timer::Rollout => 7,
        }
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Req { id, dep } => format!("request #{id}, needs {}", dep_name(*dep)),
            Msg::Route { id, dep, new } => format!(
                "request #{id} for {}{}",
                dep_name(*dep),
                if *new { ", new version" } else { "" }
            ),
            Msg::Resp { id, ok, .. } => {
                format!("request #{id}: {}", if *ok { "ok" } else { "error" })
            }
            Msg::Call { call } => format!("call {call}"),
            Msg::Done { call, ok } => {
                format!("call {call}: {}", if *ok { "ok" } else { "error" })
            }
            Msg::Probe { round } => format!("health check {round}"),
            Msg::Ready { ready, .. } => {
                if *ready {
                    "ready".into()
                } else {
                    "not ready".into()
                }
            }
            Msg::Live { live, .. } => {
                if *live {
                    "alive".into()
                } else {
                    "liveness check failed".into()
                }
            }
            Msg::Restart => "restart".into(),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let config = ctx.config().clone();
        let mut node = Resilience::default();
        let id = ctx.id();
        match id {
            CLIENTS => {
                node.role = Role::Clients;
                Self::next_arrival(ctx);
                ctx.set_timer(Timer::Sweep, 50 * MS);
                if config.burst > 0 {
                    ctx.set_timer(Timer::Burst, config.burst_at_us.max(1));
                }
            }
            BALANCER => {
                node.role = Role::Balancer;
                node.ready = [true; 2];
                if config.readiness || config.liveness != Liveness::Off {
                    ctx.set_timer(Timer::Probe, config.probe_every_us.max(MS));
                }
                if config.rollout != Rollout::None {
                    let first = config.release_at_us.saturating_sub(config.watch_us).max(1);
                    ctx.set_timer(Timer::Rollout, first);
                }
            }
            _ if Config::is_instance(id) => node.role = Role::Instance,
            _ => {
                node.role = Role::Dependency;
                node.slots = vec![None; config.dep_slots as usize];
                if id == DEP_A && config.trigger_us > 0 {
                    ctx.set_timer(Timer::Trigger, config.trigger_at_us.max(1));
                }
            }
        }
        node
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match (self.role, msg) {
            (Role::Clients, Msg::Resp { id, ok, .. }) => self.on_answer(ctx, id, ok),
            (Role::Balancer, Msg::Req { id, dep }) => self.route(ctx, id, dep),
            (Role::Balancer, Msg::Resp { id, ok, dep, new }) => {
                self.on_response(ctx, id, ok, dep, new)
            }
            (Role::Balancer, Msg::Ready { round, ready }) => {
                let i = usize::from(from.saturating_sub(FIRST_INSTANCE)).min(1);
                if round == self.round {
                    self.ready_answered[i] = true;
                    self.ready[i] = ready;
                }
            }
            (Role::Balancer, Msg::Live { round, live }) => {
                let i = usize::from(from.saturating_sub(FIRST_INSTANCE)).min(1);
                if round == self.round && !self.live_answered[i] {
                    self.live_answered[i] = true;
                    if live {
                        self.live_failures[i] = 0;
                    } else if Self::now(ctx) >= self.grace_until[i] {
                        self.live_failed(ctx, i);
                    }
                }
            }
            (Role::Instance, msg) => {
                match msg {
                    Msg::Route { id, dep, new } => self.on_route(ctx, id, dep, new),
                    Msg::Done { call, ok } if self.restarting_until.is_none() => {
                        if let Some(c) = self.calls.remove(&call) {
                            self.outcome(ctx, c, ok);
                        }
                    }
                    Msg::Probe { round } => self.on_probe(ctx, round),
                    Msg::Restart => self.restart(ctx),
                    _ => {}
                }
                self.schedule_wake(ctx);
            }
            (Role::Dependency, Msg::Call { call }) => self.on_call(ctx, from, call),
            _ => {}
        }
    }

    fn on_config_change(&mut self, ctx: &mut Ctx<'_, Self>) {
        let config = ctx.config().clone();
        match self.role {
            Role::Dependency => {
                let slots = config.dep_slots as usize;
                if self.slots.len() < slots {
                    self.slots.resize(slots, None);
                }
            }
            Role::Balancer if config.readiness || config.liveness != Liveness::Off => {
                ctx.set_timer(Timer::Probe, config.probe_every_us.max(MS));
            }
            Role::Clients => Self::next_arrival(ctx),
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        let now = Self::now(ctx);
        match timer {
            Timer::Arrive => {
                let share = u64::from(ctx.config().share_a_pct);
                let dep = u8::from(ctx.rng().below(100) >= share);
                self.send_request(ctx, dep);
                Self::next_arrival(ctx);
            }
            Timer::Burst => {
                let n = ctx.config().burst;
                ctx.mark(format!("a burst of {n} requests for A, all at once"));
                for _ in 0..n {
                    self.send_request(ctx, 0);
                }
            }
            Timer::Sweep => {
                self.sweep(ctx);
                ctx.set_timer(Timer::Sweep, 50 * MS);
            }
            Timer::Wake => {
                self.wake_at = None;
                self.wake(ctx);
                self.schedule_wake(ctx);
            }
            Timer::Slot(slot) => {
                let slot = usize::from(slot);
                if let Some((to, call)) = self.slots.get_mut(slot).and_then(Option::take) {
                    let config = ctx.config();
                    let hang = ctx.id() == DEP_A
                        && config.trigger == Trigger::Hang
                        && config.triggered(now);
                    if !hang {
                        self.served += 1;
                        ctx.send(to, Msg::Done { call, ok: true });
                    }
                }
                if slot < ctx.config().dep_slots as usize {
                    if let Some((from, call)) = self.queue.pop_front() {
                        self.start_slot(ctx, slot, from, call);
                    }
                }
                self.sample_queue(now);
            }
            Timer::Trigger => {
                let config = ctx.config().clone();
                if config.triggered(now) {
                    ctx.mark(format!(
                        "the trigger: dependency A {} for {}",
                        super::config::TRIGGERS[match config.trigger {
                            Trigger::Slow => 0,
                            Trigger::Fail => 1,
                            Trigger::Hang => 2,
                        }],
                        format_duration(config.trigger_us)
                    ));
                    ctx.set_timer(Timer::Trigger, config.trigger_end() - now);
                } else if now >= config.trigger_end() && config.trigger_us > 0 {
                    ctx.mark("the trigger clears: dependency A is healthy again");
                }
            }
            Timer::Probe => self.probe_round(ctx),
            Timer::Rollout => self.rollout_step(ctx),
        }
    }

    fn state(&self, _durable: &Durable, config: &Config) -> NodeState {
        match self.role {
            Role::Clients => {
                let last = self.buckets.len().saturating_sub(2);
                let per_s = |b: Option<&Bucket>, f: fn(&Bucket) -> u32| {
                    b.map_or(0, |b| f(b) as u64 * (1_000 * MS / BUCKET_US))
                };
                let b = self.buckets.get(last);
                NodeState {
                    role: "clients".into(),
                    tone: Tone::Idle,
                    headline: format!(
                        "{} ok/s of {}",
                        per_s(b, |b| b.good),
                        per_s(b, |b| b.offered)
                    ),
                    fields: vec![
                        ("requests sent".into(), self.offered.to_string()),
                        ("answered in time".into(), self.good.to_string()),
                        ("failed or too late".into(), self.failed.to_string()),
                        (
                            "client timeout".into(),
                            format_duration(config.client_timeout_us),
                        ),
                        (
                            "recovered".into(),
                            self.recovered_at.map_or("not yet".into(), format_duration),
                        ),
                    ],
                }
            }
            Role::Balancer => NodeState {
                role: "load balancer".into(),
                tone: Tone::Primary,
                headline: if config.rollout == Rollout::None && !config.readiness {
                    format!("{} restarts", self.restarts[0] + self.restarts[1])
                } else if config.rollout == Rollout::None {
                    let ready: Vec<String> = (0..2)
                        .filter(|&i| self.ready[i])
                        .map(|i| node_name(FIRST_INSTANCE + i as NodeId))
                        .collect();
                    if ready.is_empty() {
                        "ready: none".into()
                    } else {
                        format!("ready: {}", ready.join(", "))
                    }
                } else {
                    format!("new version: {} %", self.new_share_pct)
                },
                fields: vec![
                    (
                        "ready".into(),
                        format!("S3 {}, S4 {}", self.ready[0], self.ready[1]),
                    ),
                    (
                        "restarts".into(),
                        format!("S3 {}, S4 {}", self.restarts[0], self.restarts[1]),
                    ),
                    (
                        "new version share".into(),
                        format!("{} %", self.new_share_pct),
                    ),
                    (
                        "errors (old, new version)".into(),
                        format!("{}, {}", self.errors[0], self.errors[1]),
                    ),
                ],
            },
            Role::Instance => {
                let breaker = |i: usize| {
                    if config.breaker {
                        self.breakers[i].state.name().to_string()
                    } else {
                        "none".into()
                    }
                };
                let restarting = self.restarting_until.is_some();
                NodeState {
                    role: "service".into(),
                    tone: if restarting {
                        Tone::Faulty
                    } else if !self.has_worker(config, 0) || !self.has_worker(config, 1) {
                        Tone::Suspect
                    } else {
                        Tone::Secondary
                    },
                    headline: if restarting {
                        "restarting".into()
                    } else {
                        format!("{}+{} busy", self.busy[0], self.busy[1])
                    },
                    fields: vec![
                        (
                            "workers busy (A, B)".into(),
                            format!("{}, {}", self.busy[0], self.busy[1]),
                        ),
                        (
                            "pool".into(),
                            if config.bulkheads {
                                format!("{} for A, {} for B", config.pool_for(), config.pool_for())
                            } else {
                                format!("{} shared", config.pool)
                            },
                        ),
                        ("breaker to A".into(), breaker(0)),
                        ("breaker to B".into(), breaker(1)),
                        ("retries sent".into(), self.retries.to_string()),
                        (
                            "refused, no worker (A, B)".into(),
                            format!("{}, {}", self.no_worker[0], self.no_worker[1]),
                        ),
                    ],
                }
            }
            Role::Dependency => {
                let busy = self.slots.iter().filter(|s| s.is_some()).count();
                NodeState {
                    role: "dependency".into(),
                    tone: if self.queue.is_empty() {
                        Tone::Secondary
                    } else {
                        Tone::Suspect
                    },
                    headline: format!("{busy} running, {} queued", self.queue.len()),
                    fields: vec![
                        ("calls served".into(), self.served.to_string()),
                        ("calls refused".into(), self.rejected.to_string()),
                        ("slots".into(), config.dep_slots.to_string()),
                        ("queue bound".into(), config.dep_queue.to_string()),
                    ],
                }
            }
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes, now)
    }

    fn down_state(_durable: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            fields: Vec::new(),
        }
    }
}
