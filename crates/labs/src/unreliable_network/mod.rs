//! "I sent a request and got no response": a client (S1) calls a server (S2) with a
//! timeout. The request may be lost or delayed, the server may crash or pause, the reply may
//! be lost or delayed; the client sees a timeout every time (Kleppmann, "Designing
//! Data-Intensive Applications", ch. 8, "Unreliable networks"). Retrying after a timeout
//! turns at-most-once into at-least-once; an idempotency key the server deduplicates makes
//! the effect happen once.
//!
//! - `config` — settings and the retry policies; `node` — the client and the server;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod node;
mod pictures;
mod presets;

pub use checks::{ONCE, UNKNOWN};
pub use config::Retry;
pub use node::{Arrival, Durable, KeyEntry, Msg, Outcome, Rpc, Saw, Seen};
pub use presets::scenario;

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "unreliable-network";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "retry",
        label: "After a timeout",
        help: "Give up (at-most-once), send the call again (at-least-once), or send it again with the call's idempotency key, which the server deduplicates (effectively-once).",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(config::Retry::NAMES),
    },
    ParamSpec {
        key: "attempts",
        label: "Tries per call",
        help: "With retries: how many times the client sends a call, the first included.",
        min: 1,
        max: 10,
        default: 3,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "calls",
        label: "Calls",
        help: "How many calls the client makes, one after another.",
        min: 1,
        max: 100,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "timeout_ms",
        label: "Timeout",
        help: "How long the client waits for a reply before it stops waiting.",
        min: 1,
        max: 600_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "work_ms",
        label: "Processing time",
        help: "How long the server takes to process one request.",
        min: 0,
        max: 60_000,
        default: 100,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "gap_ms",
        label: "Gap between calls",
        help: "How long the client waits after one call ends before the next.",
        min: 0,
        max: 600_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the check catch it.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(config::BUG_NAMES),
    },
];

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "behind-its-back",
        sentence: "Get the card charged for a call the client gave up on.",
        hint: "With no retries, delay the request or the reply, or pause the server, past the client's timeout (the fault toolbar).",
        possible: Possibility::Possible,
        property: checks::UNKNOWN,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[BugDemo {
    bug: 1,
    preset: "retry-with-key",
    seed: None,
    params: &[],
    check: checks::ONCE,
    note: "S2 drops key k1 from its table as soon as it has answered, so the retry at 0.75 s finds no key and the card is charged again.",
}];

pub struct UnreliableNetworkLab;

impl Lab for UnreliableNetworkLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Unreliable network"
    }
    fn summary(&self) -> &'static str {
        "No reply: six things that could have happened, and retries that charge twice unless keyed."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 2,
            max: 2,
            default: 2,
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
            ("retry-no-key", "retry-with-key"),
            ("request-lost", "response-lost"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Rpc>::new(
            &UnreliableNetworkLab,
            scenario,
        )?))
    }
}
