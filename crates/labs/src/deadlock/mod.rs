//! Distributed deadlock: transactions at several sites lock resources owned by sites, and
//! the cycle of waits that stops them is visible to no single site. Found by a central
//! detector (and the phantom deadlocks its stale edges make) or by Chandy–Misra–Haas probes
//! chased along the edges; broken by timeouts or a victim; prevented by a global lock
//! order, wait-die or wound-wait.
//!
//! - `config` — sites, resources, workloads, the strategies, the deliberate bugs;
//! - `node` — a site: its locks and the transactions it runs; `graph` — wait-for graphs;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod graph;
mod node;
mod pictures;
mod presets;

pub use checks::{DEADLOCK, NOT_FOREVER, PHANTOM, REAL};
pub use graph::{find_cycle, true_edges, Edge};
pub use node::{Durable, Msg, Phase, Report, Site};
pub use presets::scenario;

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "deadlock";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "workload",
        label: "Workload",
        help: "A scripted clash, or random transactions (the next three settings).",
        min: 0,
        max: 4,
        default: 0,
        unit: Unit::Choice(config::WORKLOADS),
    },
    ParamSpec {
        key: "transactions",
        label: "Random transactions",
        help: "How many transactions the random workload runs, spread over the sites.",
        min: 1,
        max: 16,
        default: 6,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "runs",
        label: "Runs each",
        help: "How many times each random transaction runs, one after the other.",
        min: 1,
        max: 10,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "workload_seed",
        label: "Workload seed",
        help: "Picks the random transactions' start times and locks.",
        min: 0,
        max: 1_000_000_000,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "detection",
        label: "Detection",
        help: "How deadlocks are found and broken: not at all, by a lock-wait timeout, by S1 collecting every site's edges, or by probes along the edges.",
        min: 0,
        max: 3,
        default: 3,
        unit: Unit::Choice(config::DETECTIONS),
    },
    ParamSpec {
        key: "prevention",
        label: "Prevention",
        help: "A rule that keeps cycles from forming: locks in one global order, or timestamps (older is a lower number) with wait-die or wound-wait.",
        min: 0,
        max: 3,
        default: 0,
        unit: Unit::Choice(config::PREVENTIONS),
    },
    ParamSpec {
        key: "work_ms",
        label: "Work",
        help: "How long a transaction works once it has all its locks.",
        min: 0,
        max: 60_000,
        default: 300,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "restart_ms",
        label: "Restart after",
        help: "How long an aborted transaction waits before starting again (and the pause between a transaction's runs).",
        min: 10,
        max: 60_000,
        default: 200,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "timeout_ms",
        label: "Lock timeout",
        help: "With timeout detection, how long a transaction waits for a lock before aborting.",
        min: 10,
        max: 600_000,
        default: 1_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "probe_every_ms",
        label: "Probe interval",
        help: "With probes, how often each site sends probes for the transactions waiting at it (besides once when one starts waiting).",
        min: 10,
        max: 600_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "report_every_ms",
        label: "Report interval",
        help: "With the central detector, how often each site sends S1 its wait-for edges (the sites take turns).",
        min: 10,
        max: 600_000,
        default: 1_000,
        unit: Unit::Ms,
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

const CHALLENGES: &[ChallengeSpec] = &[ChallengeSpec {
    id: "cry-wolf",
    sentence: "Make the central detector cry wolf: report a deadlock that is not there.",
    hint: "Use the central detector with reports far apart, and transactions that let go of a lock and then wait for the one that was waiting for them (the “stale edges” workload, or random ones that run several times).",
    possible: Possibility::Possible,
    property: checks::PHANTOM,
    only_when: None,
}];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "waits-into-cycle",
        seed: None,
        params: &[],
        check: checks::REAL,
        note: "T3's probe meets the T1–T2 cycle and S1 reports T3 → T1 → T2 as a deadlock, though T2 does not wait for T3.",
    },
    BugDemo {
        bug: 2,
        preset: "two-sites",
        seed: None,
        params: &[],
        check: checks::NOT_FOREVER,
        note: "S1 and S2 keep finding T1 → T2 → T1 but nobody aborts T2: the deadlock outlives the check's bound.",
    },
];

pub struct DeadlockLab;

impl Lab for DeadlockLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Distributed deadlock"
    }
    fn summary(&self) -> &'static str {
        "Finding cycles of waiting transactions that no single site can see whole."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 2,
            max: 8,
            default: 4,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed, 4, 0)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("three-sites", "central"),
            ("wait-die", "wound-wait"),
            ("two-sites", "timeout"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Site>::new(&DeadlockLab, scenario)?))
    }
}
