//! Reference workloads for the benchmarks, shared by the native runner and the browser
//! benchmark so both measure exactly the same thing. The caller supplies the stopwatch: the
//! engine itself never reads a clock.

use failscope_sim::run::Simulation;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{Time, SECOND};
use serde::Serialize;

/// The engine's reference workload: the failure-detection lab's default, 5 nodes exchanging
/// heartbeats every 50 ms, each ping answered (RaftScope-sized cluster, message-heavy, no
/// protocol logic to speak of).
pub fn failure_detection_scenario() -> Scenario {
    Scenario::new(crate::failure_detection::LAB_ID, 1, 5)
}

/// RaftScope's workload: 5 servers, election timeouts 100-200 ms, 10-15 ms message
/// latency, heartbeats every 50 ms, one client request every 100 ms.
pub fn raftscope_scenario() -> Scenario {
    crate::raft::base_scenario(1)
        .with_param("election_min_ms", 100)
        .with_param("election_max_ms", 200)
        .with_param("heartbeat_ms", 50)
}

/// Figures of one throughput measurement.
#[derive(Clone, Debug, Serialize)]
pub struct Throughput {
    pub workload: String,
    pub queue_events: u64,
    pub trace_events: usize,
    pub simulated_us: Time,
    pub wall_ms: f64,
    pub events_per_second: f64,
    pub simulated_seconds_per_wall_second: f64,
}

/// Run `scenario` for `simulated_us` and time it with `clock_ms` (milliseconds, any origin).
pub fn throughput(
    scenario: &Scenario,
    simulated_us: Time,
    clock_ms: &dyn Fn() -> f64,
) -> Throughput {
    let mut sim = crate::build(scenario).expect("benchmark scenario is valid");
    let start = clock_ms();
    sim.run_until(simulated_us);
    let wall_ms = (clock_ms() - start).max(1e-6);
    let queue_events = sim.events_processed();
    Throughput {
        workload: format!("{} ({} nodes)", scenario.lab, scenario.n_nodes),
        queue_events,
        trace_events: sim.trace().len(),
        simulated_us,
        wall_ms,
        events_per_second: queue_events as f64 / wall_ms * 1_000.0,
        simulated_seconds_per_wall_second: simulated_us as f64 / SECOND as f64 / wall_ms * 1_000.0,
    }
}

/// Figures of the seek measurement on a long trace.
#[derive(Clone, Debug, Serialize)]
pub struct SeekFigures {
    pub trace_events: usize,
    pub memory_bytes: usize,
    pub seeks: usize,
    pub seek_ms_mean: f64,
    pub seek_ms_max: f64,
}

/// Build a trace of at least `min_events` events on the reference workload, then seek to
/// scattered points (backwards and forwards) and time each seek. The run is returned so the
/// caller can measure its memory while it is alive.
pub fn seek(min_events: usize, clock_ms: &dyn Fn() -> f64) -> (SeekFigures, Box<dyn Simulation>) {
    let mut sim: Box<dyn Simulation> = crate::build(&failure_detection_scenario()).expect("valid");
    let mut t = 0;
    while sim.trace().len() < min_events {
        t += SECOND;
        sim.run_until(t);
    }
    let horizon = sim.now();
    let mut rng = failscope_sim::rng::Rng::from_seed(99);
    let mut total = 0.0f64;
    let mut max = 0.0f64;
    let seeks = 40;
    for _ in 0..seeks {
        let target = rng.below(horizon);
        let start = clock_ms();
        sim.seek(target);
        let _ = sim.view();
        let took = clock_ms() - start;
        total += took;
        max = max.max(took);
    }
    let figures = SeekFigures {
        trace_events: sim.trace().len(),
        memory_bytes: sim.memory_bytes(),
        seeks,
        seek_ms_mean: total / seeks as f64,
        seek_ms_max: max,
    };
    (figures, sim)
}

/// The scenario whose trace hash is pinned natively and in the browser. It exercises every
/// source of randomness and every fault kind, so a platform difference anywhere (a `usize`,
/// a float, a hash-map order) shows up as a different hash.
pub fn golden_scenario() -> Scenario {
    use failscope_sim::action::Action;
    use failscope_sim::network::Latency;
    use failscope_sim::time::MS;
    let mut s = Scenario::new(crate::failure_detection::LAB_ID, 0x5eed, 5);
    s.network.link.latency = Latency::LongTail {
        min_us: 2 * MS,
        median_us: 8 * MS,
        max_us: 400 * MS,
    };
    s.network.link.loss_ppm = 50_000;
    s.network.link.duplicate_ppm = 20_000;
    s.network.link.reorder_ppm = 50_000;
    s.clients.n_clients = 2;
    s.clocks.push(failscope_sim::scenario::ClockSetting {
        node: 3,
        offset_us: -1_500,
        drift_ppm: 250,
    });
    s.with_fault(
        300 * MS,
        Action::Partition {
            groups: vec![vec![0, 1]],
        },
    )
    .with_fault(500 * MS, Action::Crash { node: 4 })
    .with_fault(
        700 * MS,
        Action::Pause {
            node: 2,
            duration_us: 120 * MS,
        },
    )
    .with_fault(800 * MS, Action::Clog { from: 3, to: 0 })
    .with_fault(900 * MS, Action::Heal)
    .with_fault(1_000 * MS, Action::Restart { node: 4 })
    .with_fault(
        1_100 * MS,
        Action::ClockJump {
            node: 1,
            delta_us: -250_000,
        },
    )
}

/// How long the golden scenario runs.
pub const GOLDEN_DURATION_US: Time = 2 * SECOND;

/// The golden scenario's trace: (FNV-1a hash, event count). Checked natively by the engine's
/// tests and in wasm32 by the web crate's browser tests. Change it only for a deliberate
/// change of engine behaviour, and say so in the commit message.
pub const GOLDEN_TRACE: (u64, usize) = (0xe452_a97c_ffb3_1fa1, 3_071);

/// Run the golden scenario and return its (hash, length).
pub fn golden_trace() -> (u64, usize) {
    trace_of(&golden_scenario(), GOLDEN_DURATION_US)
}

/// The Raft lab's golden run: the partition preset (randomized timeouts, client traffic, a
/// partition and its healing), 8 simulated seconds.
pub fn raft_golden_trace() -> (u64, usize) {
    let preset = crate::preset("raft", "partition").expect("the partition preset exists");
    trace_of(&preset.scenario, 8 * SECOND)
}

/// The Raft golden trace: (hash, event count). Same rules as [`GOLDEN_TRACE`].
pub const RAFT_GOLDEN_TRACE: (u64, usize) = (0x7a82_7df1_94cd_dd02, 5_379);

/// The cache-stampede lab's XFetch preset, 9 simulated seconds: every early-expiration
/// decision goes through a logarithm (`libm`) of a random draw, so a platform whose float
/// maths differed would change this hash.
pub fn xfetch_golden_trace() -> (u64, usize) {
    let preset = crate::preset("cache-stampede", "xfetch").expect("the xfetch preset exists");
    trace_of(&preset.scenario, 9 * SECOND)
}

/// The XFetch golden trace: (hash, event count). Same rules as [`GOLDEN_TRACE`].
pub const XFETCH_GOLDEN_TRACE: (u64, usize) = (0x6ce9_7a43_a2f9_c8ec, 8_970);

fn trace_of(scenario: &Scenario, until: Time) -> (u64, usize) {
    let mut sim = crate::build(scenario).expect("golden scenario is valid");
    sim.run_until(until);
    (sim.trace().hash(), sim.trace().len())
}

/// Figures of a hunt: seeds run one after another on one thread, as the page runs them.
#[derive(Clone, Debug, Serialize)]
pub struct HuntRate {
    pub lab: &'static str,
    pub seeds: u64,
    pub broken: u64,
    pub wall_ms: f64,
    pub seeds_per_second: f64,
}

/// Hunt over `seeds` seeds of `lab`'s default settings (see `failscope_sim::hunt`), timed
/// with `clock_ms`.
pub fn hunt_rate(lab: &'static str, seeds: u64, clock_ms: &dyn Fn() -> f64) -> HuntRate {
    let base = crate::find(lab)
        .expect("a registered lab")
        .default_scenario(1);
    let until = failscope_sim::hunt::default_until(None);
    let start = clock_ms();
    let broken = (0..seeds)
        .filter(|&seed| {
            failscope_sim::hunt::hunt_seed(&crate::REGISTRY, &base, seed, until)
                .expect("the default settings run")
                .is_some()
        })
        .count() as u64;
    let wall_ms = clock_ms() - start;
    HuntRate {
        lab,
        seeds,
        broken,
        wall_ms,
        seeds_per_second: seeds as f64 * 1_000.0 / wall_ms.max(1e-3),
    }
}
