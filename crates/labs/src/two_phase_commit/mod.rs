//! Two-phase commit: a coordinator (S1) and 2–8 participants agree to commit a transaction
//! or abort it. Participants vote and log their votes, holding locks until they learn the
//! outcome; the coordinator logs its decision before sending it. The coordinator can be made
//! to fail at any point of the protocol, to see who is left blocked, in doubt, and for how
//! long. Three-phase commit adds a pre-commit round and a termination protocol that lets
//! the participants decide without the coordinator — until the network partitions.
//!
//! - `config` — settings, crash points, the deliberate bugs;
//! - `node` — the coordinator's and the participants' handlers;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod node;
mod pictures;
mod presets;

pub use checks::{ATOMIC, BLOCKED, BLOCKED_US, UNANIMOUS};
pub use config::CRASH_POINTS;
pub use node::{Durable, Hold, Msg, PState, TwoPc};
pub use presets::scenario;

use failscope_sim::challenge::{ChallengeSpec, Mode, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "two-phase-commit";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "protocol",
        label: "Protocol",
        help: "Two-phase commit, or three-phase: a pre-commit round after the votes, and participants that decide among themselves when the coordinator goes quiet.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(config::PROTOCOLS),
    },
    ParamSpec {
        key: "transactions",
        label: "Transactions",
        help: "How many transactions S1 runs, one after another.",
        min: 1,
        max: 20,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "no_voter",
        label: "Votes no",
        help: "The participant that votes no, by number (1 is S2); 0: everyone votes yes.",
        min: 0,
        max: 8,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "crash_at",
        label: "Coordinator fails",
        help: "Where S1 fails during the first transaction (or, with “each point in turn”, at point k of transaction k).",
        min: 0,
        max: 6,
        default: 0,
        unit: Unit::Choice(config::CRASH_POINTS),
    },
    ParamSpec {
        key: "down_ms",
        label: "Coordinator down for",
        help: "How long S1 stays down after failing, before it recovers from its log.",
        min: 1,
        max: 600_000,
        default: 3_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "prepare_ms",
        label: "Prepare time",
        help: "How long a participant takes to prepare and write its vote to its log.",
        min: 0,
        max: 60_000,
        default: 100,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "log_ms",
        label: "Decision write",
        help: "How long S1 takes to force its decision to disk.",
        min: 0,
        max: 60_000,
        default: 100,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "timeout_ms",
        label: "Timeout",
        help: "How long S1 waits for votes before aborting, and how often unanswered decisions are resent and in-doubt participants ask.",
        min: 10,
        max: 600_000,
        default: 1_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "gap_ms",
        label: "Gap between transactions",
        help: "How long S1 waits after one transaction ends before starting the next.",
        min: 0,
        max: 600_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "cooperative",
        label: "Cooperative termination",
        help: "In-doubt participants ask each other too, not only the coordinator (two-phase commit; three-phase commit always runs its termination protocol).",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Bool,
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

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "blocked",
        sentence: "Leave a participant in doubt, holding its locks, for more than 2 s.",
        hint: "Everyone must have voted yes and nobody may know the decision: make S1 fail after the votes (Parameters), or crash it from the fault toolbar at the right moment.",
        possible: Possibility::Possible,
        property: checks::BLOCKED,
        only_when: None,
    },
    ChallengeSpec {
        id: "split-outcome",
        sentence: "With two-phase commit, make one participant commit a transaction that another aborts.",
        hint: "Crash anything at any time; it will not happen while S1 logs its decision before telling anyone. (Three-phase commit is another story: see its partition preset.)",
        possible: Possibility::Impossible {
            why: "Atomicity: under two-phase commit a participant that voted yes waits to be told, and the one decision it can be told is on S1's disk before anyone hears it, so recovery repeats it.",
            unless_bug: Some("decision sent before it is logged"),
        },
        property: checks::ATOMIC,
        only_when: Some(Mode {
            param: "protocol",
            value: 0,
            name: "two-phase commit",
        }),
    },
];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "mid-send-waiting",
        seed: None,
        params: &[],
        check: checks::ATOMIC,
        note: "S1 sends “commit” to S2 before logging it and fails; back up, its log holds no decision, so it aborts T1 for S3 and S4 while S2 has committed.",
    },
    BugDemo {
        bug: 2,
        preset: "one-no",
        seed: None,
        params: &[],
        check: checks::UNANIMOUS,
        note: "S1 ignores S3's no and commits on the yes votes of S2 and S4: S2 commits T1 though S3 voted no and has aborted.",
    },
];

pub struct TwoPhaseCommitLab;

impl Lab for TwoPhaseCommitLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Two-phase commit"
    }
    fn summary(&self) -> &'static str {
        "All or nothing across servers, and the participants left holding locks when the coordinator fails."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 3,
            max: 9,
            default: 4,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("all-yes", "one-no"),
            ("coordinator-fails-mid-send", "mid-send-waiting"),
            ("coordinator-fails", "three-phase-coordinator-fails"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<TwoPc>::new(
            &TwoPhaseCommitLab,
            scenario,
        )?))
    }
}
