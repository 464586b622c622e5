//! Heartbeats and suspicion: every node pings every other node at a fixed interval, each ping
//! is answered, and a node suspects a peer it has not heard from for a while. The simplest
//! failure detector, and the timeout dilemma in miniature (short timeouts suspect paused
//! nodes, long ones notice crashes late). It is also the engine's reference workload for
//! benchmarks: plenty of messages and timers and no protocol logic to speak of.
//!
//! This lab is the worked example of ARCHITECTURE.md's "Adding a lab": one file per concern.
//! - `node` — the protocol: message, timer and state types, the pure handlers;
//! - `checks` — the safety and liveness properties, checked from outside the nodes;
//! - `presets` — guided scenarios with narration;
//! - `pictures` — the lab's own picture, as data for a shared picture kind;
//! - this file — the `Lab`: id, parameters with bounds and help, node range, `build`.

mod checks;
mod node;
mod pictures;
mod presets;

pub use checks::{DetectorChecks, ACCURACY, COMPLETENESS};
pub use node::{Config, Heartbeat, Msg, Timer};

use failscope_sim::lab::{Lab, NodeRange, ParamSpec, Preset, Unit};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "heartbeat";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "interval_ms",
        label: "Heartbeat interval",
        help: "How often each node pings every other node.",
        min: 1,
        max: 10_000,
        default: 50,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "suspect_after_ms",
        label: "Suspicion timeout",
        help: "Silence after which a node suspects a peer has crashed.",
        min: 1,
        max: 60_000,
        default: 200,
        unit: Unit::Ms,
    },
];

pub struct HeartbeatLab;

impl Lab for HeartbeatLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Heartbeats and suspicion"
    }
    fn summary(&self) -> &'static str {
        "The simplest failure detector: crash a node and everyone notices; pause one and they are fooled."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 2,
            max: failscope_sim::limits::MAX_NODES,
            default: 5,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed, 5)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Heartbeat>::new(&HeartbeatLab, scenario)?))
    }
}
