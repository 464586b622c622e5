//! Split brain: a cluster cut in two, each side with a leader, both writing to one storage
//! service. Four ways to stop it, side by side on the seeds' partition {S1, S2} | {S3, S4, S5}:
//! none, majority quorums with check-quorum, fencing tokens at storage, and STONITH through
//! an out-of-band fence agent; plus a witness for two servers and an even split with no
//! majority anywhere.
//!
//! - `config` — modes, timings, node layout, deliberate bugs;
//! - `node` — the protocol for members, the fence agent and storage;
//! - `checks` — one leader per term, fenced storage, the split-brain anomaly, unavailability;
//! - `presets`, `pictures` — the guided scenarios and the lab's own pictures.

mod checks;
mod config;
mod node;
mod pictures;
mod presets;

pub use checks::{ELECTION_SAFETY, FENCED_STORAGE, ONE_WRITER, UNAVAILABLE};
pub use config::{Bug, Mode};
pub use node::{Durable, Msg, Role, SplitBrain, Stint};
pub use presets::split;

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "split-brain";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "mode",
        label: "Protection",
        help: "How split brain is prevented: not at all, by majority quorums (with check-quorum), by fencing tokens checked at storage, or by powering off the old leader (STONITH).",
        min: 0,
        max: 3,
        default: 1,
        unit: Unit::Choice(Mode::NAMES),
    },
    ParamSpec {
        key: "witness",
        label: "Witness",
        help: "Make the last cluster server a witness: it votes and answers heartbeats but never leads. The tie-breaker for a two-server cluster.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "start_leader",
        label: "S1 starts as leader",
        help: "Start with S1 leading term 1, as in the seeds' example; off, the cluster starts with an election.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "heartbeat_ms",
        label: "Heartbeat interval",
        help: "How often the leader tells the others it is alive. At most a quarter of the election timeout.",
        min: 5,
        max: 5_000,
        default: 50,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "election_ms",
        label: "Election timeout",
        help: "A follower that hears no leader for between one and two of these stands for election. A leader without a majority steps down after half of one.",
        min: 20,
        max: 60_000,
        default: 300,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "write_every_ms",
        label: "Write interval",
        help: "How often a leader writes to storage.",
        min: 10,
        max: 10_000,
        default: 200,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the checks catch it.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(Bug::NAMES),
    },
];

const CHALLENGES: &[ChallengeSpec] = &[ChallengeSpec {
    id: "both-sides-write",
    sentence: "Get an old leader and a new one both writing to storage.",
    hint: "Only without a quorum: set Protection to “no quorum”, then freeze the leader (pause it) for longer than the election timeout, or start from the “No quorum” preset and watch how the split does it.",
    possible: Possibility::Possible,
    property: checks::ONE_WRITER,
    only_when: None,
}];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: Bug::TokenPerWriter as i64,
        preset: "fencing",
        seed: None,
        params: &[],
        check: checks::FENCED_STORAGE,
        note: "Storage S7 compares S1's token 1 only with S1's own earlier writes, so after the term-2 leader S5 has written, S1's next write with token 1 is taken.",
    },
    BugDemo {
        bug: Bug::MajorityOfReachable as i64,
        preset: "even-split",
        seed: None,
        params: &[],
        check: checks::ELECTION_SAFETY,
        note: "Each side counts its majority among the two servers it can reach, so both elect a leader of term 1: S1 on one side, S4 on the other.",
    },
];

pub struct SplitBrainLab;

impl Lab for SplitBrainLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Split brain"
    }
    fn summary(&self) -> &'static str {
        "Cut a cluster in two: quorums, fencing tokens and STONITH against two leaders."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 4,
            max: failscope_sim::limits::MAX_NODES,
            default: 7,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed, 7, 1)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![("no-quorum", "majority-quorum"), ("no-quorum", "fencing")]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<SplitBrain>::new(
            &SplitBrainLab,
            scenario,
        )?))
    }
}
