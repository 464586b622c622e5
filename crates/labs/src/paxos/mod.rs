//! Single-decree Paxos (Lamport, "Paxos Made Simple", 2001): proposers with ballots unique
//! per proposer, acceptors that promise and accept and keep both on disk, learners that
//! count accepted messages. Presets show a choice in two round trips, duelling proposers
//! with and without backoff, a latecomer adopting the chosen value, and majorities lost.
//!
//! - `config` — layout (proposers, acceptors, learners), backoff, the deliberate bugs;
//! - `node` — the protocol; `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod node;
mod pictures;
mod presets;

pub use checks::{PaxosChecks, DECIDED, DUEL, DUEL_US, NO_UNLEARN, ONE_VALUE, VALIDITY};
pub use config::{Adversary, Bug, Config, BUG_NAMES};
pub use node::{
    input_of, value_name, Ballot, Classic, Durable, Flavour, Learner, Msg, Paxos, Phase, Proposer,
    Role, Timer, MARKS_KEPT,
};
pub use presets::{duel, scenario};

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "paxos";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "proposers",
        label: "Proposers",
        help: "How many servers propose (the first ones; proposer k proposes value A, B, C...). Acceptors come next, learners last: acceptors are the servers left over, 3 to 9.",
        min: 1,
        max: 3,
        default: 2,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "learners",
        label: "Learners",
        help: "How many servers only listen for accepted messages (the last ones).",
        min: 1,
        max: 3,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "backoff",
        label: "Randomized backoff",
        help: "After being overtaken, wait a random time before trying a higher ballot. Off: try again at once.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "backoff_ms",
        label: "Backoff",
        help: "The longest first wait after being overtaken; it doubles with each failed try, up to 16 times this.",
        min: 1,
        max: 10_000,
        default: 40,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "retry_ms",
        label: "Retry after",
        help: "A proposer that has not heard from a majority for this long gives up on its ballot.",
        min: 10,
        max: 60_000,
        default: 300,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "start_every_ms",
        label: "Proposer start spacing",
        help: "Proposer k makes its first try at k times this (the first at once).",
        min: 0,
        max: 600_000,
        default: 0,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the checks catch it.",
        min: 0,
        max: 5,
        default: 0,
        unit: Unit::Choice(BUG_NAMES),
    },
];

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "two-values",
        sentence: "Get two different values chosen.",
        hint: "Impossible with correct acceptors: any two majorities share an acceptor, and its promise makes every later proposer adopt the value already chosen. Turn on a deliberate bug and try the restart preset.",
        possible: Possibility::Impossible {
            why: "At most one value is chosen: a proposer may only propose the highest-ballot value reported by a majority of promises, and that majority overlaps the one that chose.",
            unless_bug: Some(BUG_NAMES[1]),
        },
        property: checks::ONE_VALUE,
        only_when: None,
    },
    ChallengeSpec {
        id: "keep-undecided",
        sentence: "Keep two proposers from deciding for 10 simulated seconds.",
        hint: "Turn randomized backoff off, so that an overtaken proposer answers at once, and time the second proposer so that its prepare lands between the first one's promises and its accept.",
        possible: Possibility::Possible,
        property: checks::DUEL,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "restart",
        seed: None,
        params: &[],
        check: checks::ONE_VALUE,
        note: "S3 and S4 restart having forgotten their promise of 1.S2, so at 125 ms they accept A in the older ballot 1.S1: B was chosen already, now A is too.",
    },
    BugDemo {
        bug: 2,
        preset: "restart",
        seed: None,
        params: &[],
        check: checks::ONE_VALUE,
        note: "S3 and S4 promised 1.S2 and accepted B, yet at 125 ms they accept A in the lower ballot 1.S1: a second value chosen.",
    },
    BugDemo {
        bug: 3,
        preset: "late-proposer",
        seed: None,
        params: &[],
        check: checks::ONE_VALUE,
        note: "S2's promises all carry A, chosen in 1.S1, but S2 proposes its own B; S3 and S4 accept it in 1.S2 and B is chosen as well.",
    },
    BugDemo {
        bug: 4,
        preset: "one-proposer",
        seed: None,
        params: &[],
        check: checks::VALIDITY,
        note: "The acceptors' promises report an empty value ∅ they never accepted; S1 takes it for an earlier choice and S2 and S3 accept ∅, which nobody proposed.",
    },
    BugDemo {
        bug: 5,
        preset: "restart",
        seed: None,
        params: &[],
        check: checks::NO_UNLEARN,
        note: "The learner S6 learns B at 70 ms, restarts at 90 ms and has forgotten it.",
    },
];

pub struct PaxosLab;

impl Lab for PaxosLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Paxos"
    }
    fn summary(&self) -> &'static str {
        "One value chosen; duelling proposers; lost majorities."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 5,
            max: 15,
            default: 6,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        Scenario::new(LAB_ID, seed, 6)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![("duel", "duel-backoff"), ("two-down", "three-down")]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Paxos>::new(&PaxosLab, scenario)?))
    }
}
