//! Distributed tracing: one checkout request through six services. A trace id and the
//! caller's span id travel in every call's header (W3C Trace Context); each service opens a
//! child span per call; the gateway samples at the head; the waterfall shows a trace with
//! its critical path; RED metrics per service and an SLO with its burn rate; a trace can be
//! downloaded in the Chrome trace-event format and as OTLP/JSON.
//!
//! - `config` — the node layout, the call graph, the settings, the deliberate bugs;
//! - `node` — the client and the services;
//! - `checks`, `presets`, `pictures` (with the critical path), `export`.

mod checks;
mod config;
mod export;
mod node;
mod pictures;
mod presets;

pub use checks::{burn_rate, BURN, PARENT};
pub use config::{CART, DATABASE, GATEWAY, PRICING};
pub use export::{chrome, otlp, EPOCH_UNIX_NS};
pub use node::{Durable, Header, Msg, SpanRec, TraceId, Tracing};
pub use pictures::{critical_path, shown_trace};
pub use presets::scenario;

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, LabExport, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "tracing";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "every_ms",
        label: "Request every",
        help: "Time between two requests from the client.",
        min: 1,
        max: 10_000,
        default: 100,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "requests",
        label: "Requests",
        help: "How many requests the client sends (the SLO's period).",
        min: 1,
        max: 2_000,
        default: 100,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "depth",
        label: "Call depth",
        help: "1: the catalogue and the cart answer on their own; 2: they call the database and pricing.",
        min: 1,
        max: 2,
        default: 2,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "fan_out",
        label: "Database queries per call",
        help: "How many queries the catalogue sends the database in parallel.",
        min: 1,
        max: 4,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "sample_ppm",
        label: "Traces sampled",
        help: "The share of traces the gateway keeps, decided when a trace starts.",
        min: 0,
        max: 1_000_000,
        default: 1_000_000,
        unit: Unit::Ppm,
    },
    ParamSpec {
        key: "slow_ppm",
        label: "Slow database queries",
        help: "The share of database queries that take longer.",
        min: 0,
        max: 1_000_000,
        default: 0,
        unit: Unit::Ppm,
    },
    ParamSpec {
        key: "slow_ms",
        label: "Slow query delay",
        help: "How much longer a slow database query takes.",
        min: 0,
        max: 10_000,
        default: 400,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "error_ppm",
        label: "Pricing failures",
        help: "The share of pricing calls that fail.",
        min: 0,
        max: 1_000_000,
        default: 0,
        unit: Unit::Ppm,
    },
    ParamSpec {
        key: "slo_ms",
        label: "SLO latency",
        help: "A request is good if it succeeds within this time.",
        min: 1,
        max: 60_000,
        default: 300,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "slo_target_ppm",
        label: "SLO target",
        help: "The share of requests that must be good; the rest is the error budget.",
        min: 500_000,
        max: 999_999,
        default: 990_000,
        unit: Unit::Ppm,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the checks catch it.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(config::BUG_NAMES),
    },
];

const EXPORTS: &[LabExport] = &[
    LabExport {
        id: "chrome-trace",
        label: "Trace (Chrome trace-event JSON, opens in Perfetto)",
        extension: "json",
        mime: "application/json",
    },
    LabExport {
        id: "otlp",
        label: "Trace (OpenTelemetry OTLP JSON)",
        extension: "json",
        mime: "application/json",
    },
];

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "burn",
        sentence: "Burn the error budget at least twice as fast as the SLO allows.",
        hint: "Make a dependency slow or failing, or tighten the SLO.",
        possible: Possibility::Possible,
        property: checks::BURN,
        only_when: None,
    },
    ChallengeSpec {
        id: "orphan",
        sentence: "Produce a span whose parent is missing from its trace.",
        hint: "Crash services, drop messages, sample: the header still travels with every call.",
        possible: Possibility::Impossible {
            why: "Every service copies the trace id and its own span id into the header of every call it makes, so each child names a parent in its own trace.",
            unless_bug: Some("cart drops the trace header"),
        },
        property: checks::PARENT,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "fan-out",
        seed: None,
        params: &[],
        check: checks::PARENT,
        note: "The cart calls pricing without the header: pricing (S7) starts a trace of its own, and its span has no parent. One request, two traces.",
    },
    BugDemo {
        bug: 2,
        preset: "fan-out",
        seed: None,
        params: &[],
        check: checks::PARENT,
        note: "The cart sends a fresh trace id with its own span id as parent: pricing's span (S7) points at a parent that is in a different trace.",
    },
];

pub struct TracingLab;

impl Lab for TracingLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Distributed tracing"
    }
    fn summary(&self) -> &'static str {
        "Follow one request through six services: spans, the critical path, RED metrics and an SLO's burn rate."
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
        vec![("fan-out", "slow-dependency")]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn exports(&self) -> &'static [LabExport] {
        EXPORTS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Tracing>::new(&TracingLab, scenario)?))
    }
}
