//! Physical and logical time. Each node has a wall clock (offset, drift, NTP steps) and a
//! monotonic clock beside it. On top: Lamport clocks (Lamport 1978), vector clocks (Fidge
//! 1988, Mattern 1988), hybrid logical clocks (Kulkarni et al. 2014) stamping every event;
//! a last-write-wins register losing writes under skew; TrueTime intervals and commit-wait
//! (Corbett et al. 2012).
//!
//! - `config`; `node` — the clocks and what each mode does with them;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod node;
mod pictures;
mod presets;

pub use checks::{ordered, EXTERNAL, EXTERNAL_LOST, HLC, LAMPORT, LWW_LOST, TIMEOUT, VECTOR};
pub use config::{Config, Mode, BUG_NAMES};
pub use node::{ClockNode, Durable, Event, EventKind, Stamps, Txn};
pub use presets::{clock, scenario, truetime};

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Related, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "clocks";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "mode",
        label: "What the nodes do",
        help: "Stamp random messages with Lamport, vector and hybrid clocks; pass one message round the ring; keep a last-write-wins register; or commit transactions with TrueTime.",
        min: 0,
        max: 3,
        default: 0,
        unit: Unit::Choice(config::Mode::NAMES),
    },
    ParamSpec {
        key: "every_ms",
        label: "Time between a node's events",
        help: "On average (exactly, for writes and relay steps): how long a node waits between events, writes or commits.",
        min: 1,
        max: 600_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "send_ppm",
        label: "Events that are sends",
        help: "With random messages: the chance an event sends to another node rather than staying local.",
        min: 0,
        max: 1_000_000,
        default: 600_000,
        unit: Unit::Ppm,
    },
    ParamSpec {
        key: "timeout_ms",
        label: "Timeout on both clocks",
        help: "Each node times this on its wall clock and on its monotonic clock, over and over, to compare them. 0: none; else at least 10 ms.",
        min: 0,
        max: 600_000,
        default: 0,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "epsilon_ms",
        label: "TrueTime uncertainty ε",
        help: "Half the width of TrueTime's interval: the true time is within ε of the wall clock, while every clock is.",
        min: 0,
        max: 10_000,
        default: 5,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "commit_wait",
        label: "Commit-wait",
        help: "TrueTime: wait until the commit timestamp has certainly passed before acknowledging.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "show",
        label: "Stamps on the diagram",
        help: "Which stamps the space-time diagram shows first; its own switch changes them too.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(&["Lamport", "vector", "HLC"]),
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the checks catch it.",
        min: 0,
        max: 4,
        default: 0,
        unit: Unit::Choice(config::BUG_NAMES),
    },
];

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "lose-a-write",
        sentence: "Make a last-write-wins register keep an earlier write over a later one.",
        hint: "Give the node that writes first a clock that runs ahead by more than the gap between writes.",
        possible: Possibility::Possible,
        property: checks::LWW_LOST,
        only_when: None,
    },
    ChallengeSpec {
        id: "early-timeout",
        sentence: "Make a wall-clock timeout fire early.",
        hint: "Set a timeout, then step a node's clock forward while it waits.",
        possible: Possibility::Possible,
        property: checks::TIMEOUT,
        only_when: None,
    },
    ChallengeSpec {
        id: "lamport-backwards",
        sentence: "Give a receive a smaller Lamport stamp than its send.",
        hint: "Impossible while receives take the maximum.",
        possible: Possibility::Impossible {
            why: "A receive takes the larger of its own counter and the message's, plus one, and no clock step, crash or delay touches that rule.",
            unless_bug: Some(config::BUG_NAMES[1]),
        },
        property: checks::LAMPORT,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "lamport-example",
        seed: None,
        params: &[],
        check: checks::LAMPORT,
        note: "B (S2) gives the receive of S1's message the stamp 1, below the send's 2: it counted its own events and ignored the time on the message.",
    },
    BugDemo {
        bug: 2,
        preset: "vector-concurrency",
        seed: None,
        params: &[],
        check: checks::VECTOR,
        note: "S3's first receive, from S1, is stamped [0,0,2]: without the merge it lacks S1's entry, so it no longer looks later than the send [1,0,0].",
    },
    BugDemo {
        bug: 3,
        preset: "skew-and-steps",
        seed: None,
        params: &[],
        check: checks::HLC,
        note: "Stamping with the wall clock alone, slow S2 receives a message S3 stamped 0.972 s and stamps the receive 0.782 s: before its own cause.",
    },
    BugDemo {
        bug: 4,
        preset: "truetime-commit-wait",
        seed: None,
        params: &[],
        check: checks::EXTERNAL,
        note: "Waiting only until the wall clock passes the timestamp leaves fast S1's commits ε short: T2.3 on slow S2 starts after T1.3 finished and gets a smaller timestamp.",
    },
];

pub struct ClocksLab;

impl Lab for ClocksLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Clocks"
    }
    fn summary(&self) -> &'static str {
        "Wall clocks drift and jump; logical clocks order events by cause."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 2,
            max: 8,
            default: 3,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed, 3, 0, 40)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![("truetime-commit-wait", "no-commit-wait")]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn related(&self) -> &'static [Related] {
        &[Related {
            lab: "replication",
            why: "last-write-wins under skew in a replicated store, beside vector-clock siblings and CRDTs that keep both writes",
        }]
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<ClockNode>::new(&ClocksLab, scenario)?))
    }
}
