//! Reference workloads for the benchmarks, shared by the native runner and the browser
//! benchmark so both measure exactly the same thing. The caller supplies the stopwatch: the
//! engine itself never reads a clock.

use crate::lab;
use crate::run::Simulation;
use crate::scenario::Scenario;
use crate::time::{Time, SECOND};
use serde::Serialize;

/// The engine's reference workload: 5 nodes exchanging heartbeats every 50 ms, each ping
/// answered (RaftScope-sized cluster, message-heavy, no protocol logic to speak of).
pub fn heartbeat_scenario() -> Scenario {
    Scenario::new("heartbeat", 1, 5)
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
    let mut sim = lab::build(scenario).expect("benchmark scenario is valid");
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
    let mut sim: Box<dyn Simulation> = lab::build(&heartbeat_scenario()).expect("valid");
    let mut t = 0;
    while sim.trace().len() < min_events {
        t += SECOND;
        sim.run_until(t);
    }
    let horizon = sim.now();
    let mut rng = crate::rng::Rng::from_seed(99);
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
