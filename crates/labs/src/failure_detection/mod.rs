//! Failure detection: every node pings every other node at a fixed interval, each ping is
//! answered, and a node suspects a peer it has not heard from for a while. How long "a while"
//! is, is the detector: a fixed timeout, an adaptive one (a multiple of the observed p99
//! inter-arrival time) or phi accrual (Hayashibara et al., 2004). Over a network with jitter,
//! loss and garbage-collection pauses this is the timeout dilemma: short limits suspect
//! paused nodes, long ones notice crashes late. This lab grew out of the heartbeat lab, whose
//! id it still answers to (`Lab::aliases`); with its default settings it runs exactly as that
//! lab did. It is also the engine's reference workload for benchmarks.
//!
//! This lab is the worked example of ARCHITECTURE.md's "Adding a lab": one file per concern.
//! - `config` — the settings, checked, and the deliberate bugs;
//! - `detector` — the detectors' arithmetic (windows, p99, φ with `libm`'s erfc);
//! - `node` — the protocol: message, timer and state types, the pure handlers;
//! - `checks` — the safety and liveness properties, checked from outside the nodes;
//! - `presets` — guided scenarios with narration;
//! - `pictures` — the lab's own pictures, as data for the shared picture kinds;
//! - `dilemma` — the timeout dilemma measured over a batch of seeds (a `Batch`);
//! - this file — the `Lab`: id, parameters with bounds and help, node range, `build`.

mod checks;
pub mod config;
pub mod detector;
pub mod dilemma;
mod node;
mod pictures;
mod presets;

pub use checks::{
    DetectorChecks, ACCURACY, ACCURACY_CHECK, BOUNDED, BOUNDED_CHECK, COMPLETENESS,
    COMPLETENESS_CHECK,
};
pub use config::Config;
pub use node::{Heartbeat, Msg, Records, RungTally, SuspicionSpan, Timer, BUCKETS};

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{Batch, BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "failure-detection";

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
        key: "detector",
        label: "Detector",
        help: "Fixed: suspect after the timeout. Adaptive: after a multiple of the p99 of the recent gaps between heartbeats. Phi accrual: once φ, the surprise at the silence under a normal fit of the recent gaps, passes its threshold.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(config::DETECTORS),
    },
    ParamSpec {
        key: "suspect_after_ms",
        label: "Suspicion timeout",
        help: "Silence after which a node suspects a peer has crashed (the fixed detector; the others use it until they have seen a few heartbeats).",
        min: 1,
        max: 60_000,
        default: 200,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "adaptive_pct",
        label: "Adaptive multiple × 100",
        help: "The adaptive detector's limit, in hundredths of the p99 gap between heartbeats: 200 waits twice the p99.",
        min: 100,
        max: 2_000,
        default: 200,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "phi_tenths",
        label: "φ threshold × 10",
        help: "Phi accrual suspects once φ passes this, in tenths: 80 is φ = 8, a silence that a normal fit gives a chance of 10⁻⁸.",
        min: 5,
        max: 300,
        default: 80,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "window",
        label: "Window",
        help: "How many of the latest gaps between heartbeats the adaptive and phi detectors fit.",
        min: 4,
        max: 1_000,
        default: 50,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "gc_every_ms",
        label: "GC pause every",
        help: "On average how often each node stops for a garbage-collection pause of its own; 0: never.",
        min: 0,
        max: 3_600_000,
        default: 0,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "gc_pause_ms",
        label: "GC pause length",
        help: "The longest such pause; each lasts between half this and this.",
        min: 1,
        max: 60_000,
        default: 300,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the detector on purpose and watch a check catch it.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(config::BUGS),
    },
];

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "everyone-notices",
        sentence: "Crash a node and have every node that is up suspect it.",
        hint: "Crash one and wait a little longer than the timeout.",
        possible: Possibility::Possible,
        property: checks::COMPLETENESS,
        only_when: None,
    },
    ChallengeSpec {
        id: "escape-detection",
        sentence: "Crash a node and keep a node that is up from suspecting it past the detector's limit.",
        hint: "Impossible: pause, partition or slow down whatever you like; every node checks every peer at each of its beats. Turn on “pinging counts as hearing” to see it done.",
        possible: Possibility::Impossible {
            why: "Suspected within the bound: at each beat a node compares every peer's silence, counted from the last answer it heard, with its limit, and a crashed peer sends nothing to reset it.",
            unless_bug: Some(config::BUGS[2]),
        },
        property: checks::BOUNDED,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "crash",
        seed: None,
        params: &[],
        check: checks::ACCURACY,
        note: "The 200 ms limit is read as 200 µs: at its first beat S1 suspects S2, which it heard from a moment ago, and the others do the same.",
    },
    BugDemo {
        bug: 2,
        preset: "crash",
        seed: None,
        params: &[],
        check: checks::BOUNDED,
        note: "After S3 crashes at 1 s the others keep pinging it, and each ping resets the silence they measure: S1 is the first to check past its 200 ms limit without suspecting S3.",
    },
];

pub struct FailureDetectionLab;

impl Lab for FailureDetectionLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn aliases(&self) -> &'static [&'static str] {
        // The lab's id before it grew its adaptive and phi detectors: links keep opening.
        &["heartbeat"]
    }
    fn title(&self) -> &'static str {
        "Failure detection"
    }
    fn summary(&self) -> &'static str {
        "Heartbeats and suspicion: fixed timeouts, adaptive ones and phi accrual, fooled by pauses or slow to notice a crash."
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
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        // The same seed, network, pauses and crashes, judged by two detectors.
        vec![
            ("fixed-timeout", "phi-accrual"),
            ("fixed-timeout", "adaptive"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn batches(&self) -> &'static [Batch] {
        &[dilemma::DILEMMA]
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Heartbeat>::new(
            &FailureDetectionLab,
            scenario,
        )?))
    }
}
