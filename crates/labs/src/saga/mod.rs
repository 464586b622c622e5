//! Sagas: the seeds' trip booking (flight, hotel, car; the car fails) as a sequence of local
//! transactions, each with a compensation that undoes it. Orchestrated (S1 drives the steps
//! from a durable saga log) or choreographed (the services react to each other's events);
//! compensations retried until they succeed and idempotent by key; the dirty read between
//! steps and the “pending” semantic lock that prevents it.
//!
//! - `config` — the node layout, the settings, the deliberate bugs;
//! - `node` — S1, the three services and the reader;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod node;
mod pictures;
mod presets;

pub use checks::{DIRTY_READ, ONCE, SETTLED};
pub use node::{Durable, Event, Msg, Saga};
pub use presets::scenario;

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "saga";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "mode",
        label: "Coordination",
        help: "An orchestrator (S1) with a saga log drives every step, or the services react to each other's events.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(config::MODES),
    },
    ParamSpec {
        key: "failing",
        label: "Booking that fails",
        help: "Which service cannot book.",
        min: 0,
        max: 3,
        default: 3,
        unit: Unit::Choice(config::FAILING),
    },
    ParamSpec {
        key: "cancel_failures",
        label: "Hotel cancel failures",
        help: "How many of the hotel's cancellation attempts fail before one succeeds.",
        min: 0,
        max: 100,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "work_ms",
        label: "Booking time",
        help: "How long a service takes to book.",
        min: 0,
        max: 60_000,
        default: 200,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "retry_ms",
        label: "Retry after",
        help: "How long S1 waits for an answer before sending a request again (and how long a service waits before retrying its own cancellation).",
        min: 10,
        max: 60_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "read_every_ms",
        label: "Reader interval",
        help: "How often S5 asks the hotel whether the room is taken; 0: S5 does not read.",
        min: 0,
        max: 60_000,
        default: 0,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "semantic_lock",
        label: "Semantic lock",
        help: "Bookings show as “pending” until the whole saga completes.",
        min: 0,
        max: 1,
        default: 0,
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
        id: "dirty-read",
        sentence: "Let S5 see the hotel booked before the saga cancels it.",
        hint: "Turn the reader on (Reader interval) with the semantic lock off.",
        possible: Possibility::Possible,
        property: checks::DIRTY_READ,
        only_when: None,
    },
    ChallengeSpec {
        id: "double-refund",
        sentence: "Make a service refund the same booking twice.",
        hint: "Duplicate a cancellation (lose its reply, or duplicate the message): the key makes the repeat harmless.",
        possible: Possibility::Impossible {
            why: "Each compensation is idempotent: a service remembers the booking's key and applies a repeated cancellation only once.",
            unless_bug: Some("cancellation not idempotent"),
        },
        property: checks::ONCE,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "duplicate-cancel",
        seed: None,
        params: &[],
        check: checks::ONCE,
        note: "S1's repeated cancellation reaches the hotel S3, which has no memory of the key and refunds a second time at 1.55 s.",
    },
    BugDemo {
        bug: 2,
        preset: "orchestration",
        seed: None,
        params: &[],
        check: checks::SETTLED,
        note: "S1 ends the saga after cancelling the hotel: the flight, S2, stays booked for a trip that failed.",
    },
];

pub struct SagaLab;

impl Lab for SagaLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Sagas"
    }
    fn summary(&self) -> &'static str {
        "Book a flight, a hotel and a car without a transaction: when the car fails, undo the rest."
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
        vec![
            ("orchestration", "choreography"),
            ("dirty-read", "semantic-lock"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Saga>::new(&SagaLab, scenario)?))
    }
}
