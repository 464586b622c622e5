//! Two generals over a lossy channel (Akkoyunlu, Ekanadham and Huber 1975; Gray 1978): no
//! finite exchange of messages lets both be sure. Chains of k messages with explicit rules
//! ("attack if I received at least j"), beside the practical answer: retries with timeouts
//! and idempotent handling.
//!
//! - `config`; `node` — the generals; `odds` — exact chances for the chain;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod node;
pub mod odds;
mod pictures;
mod presets;

pub use checks::{ALONE, ONCE};
pub use config::{Config, Protocol};
pub use node::{Day, Durable, General, Msg, Sent};
pub use presets::scenario;

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "two-generals";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "protocol",
        label: "Protocol",
        help: "A chain of k messages, each answering the last; or the order resent until acknowledged.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(config::Protocol::NAMES),
    },
    ParamSpec {
        key: "chain",
        label: "Messages in the chain (k)",
        help: "1: the order alone; 2: order and acknowledgement; 3: and its acknowledgement …",
        min: 1,
        max: 12,
        default: 2,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "rule_a",
        label: "A attacks if it received at least",
        help: "A's rule, in messages received that day (acknowledgements). 0: A attacks whatever happens.",
        min: 0,
        max: 6,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "rule_b",
        label: "B attacks if it received at least",
        help: "B's rule, in messages received that day.",
        min: 0,
        max: 6,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "loss_ppm",
        label: "Messengers captured",
        help: "The chance each messenger is captured on the way.",
        min: 0,
        max: 1_000_000,
        default: 300_000,
        unit: Unit::Ppm,
    },
    ParamSpec {
        key: "day_ms",
        label: "Day",
        help: "How long the generals exchange messages before deciding at dusk; a new attempt starts each day.",
        min: 20,
        max: 600_000,
        default: 1_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "retry_ms",
        label: "Resend after",
        help: "With retries: how long A waits for an acknowledgement before sending another copy. At most half a day.",
        min: 10,
        max: 60_000,
        default: 50,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the checks catch it.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(config::BUG_NAMES),
    },
];

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "alone",
        sentence: "Make one general attack alone with a chain of four messages.",
        hint: "Set k to 4 and both rules to 2, and play until a last message is captured.",
        possible: Possibility::Possible,
        property: checks::ALONE,
        only_when: None,
    },
    ChallengeSpec {
        id: "twice",
        sentence: "Make B carry out one order twice.",
        hint: "Impossible while copies are handled idempotently.",
        possible: Possibility::Impossible {
            why: "B remembers which order it has carried out that day and only acknowledges further copies.",
            unless_bug: Some(config::BUG_NAMES[1]),
        },
        property: checks::ONCE,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[BugDemo {
    bug: 1,
    preset: "retries",
    seed: None,
    params: &[],
    check: checks::ONCE,
    note: "The first time an acknowledgement is captured, A (S1) resends and B (S2) carries the same order out a second time.",
}];

pub struct TwoGeneralsLab;

impl Lab for TwoGeneralsLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Two generals"
    }
    fn summary(&self) -> &'static str {
        "Over a lossy channel no finite exchange makes both sure."
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
        presets::scenario(seed, 2, 1, 1, 300_000)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("message-and-ack", "retries"),
            ("one-message", "long-chain"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<General>::new(&TwoGeneralsLab, scenario)?))
    }
}
