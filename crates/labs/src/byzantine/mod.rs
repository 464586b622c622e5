//! Byzantine generals (Lamport, Shostak and Pease, 1982): a commander and n − 1 lieutenants,
//! some of them traitors, must agree on attack or retreat. Oral messages OM(m), signed
//! messages SM(m), and a naive 2/3 vote that is not an agreement protocol at all.
//!
//! - `config` — algorithm, rounds, traitors and their strategy, the deliberate bugs;
//! - `general` — one general's relaying and deciding, free of the engine (the reference
//!   tests drive it exhaustively); `node` — the same on the engine;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod general;
mod node;
mod pictures;
mod presets;

pub use checks::{DISAGREE, DISOBEY, IC1, IC2};
pub use config::{Algorithm, Config, Strategy};
pub use general::{exchange, exchange_with, says, Exchange, General, Out, RETREAT};
pub use node::{Durable, Generals, Msg};
pub use pictures::om_messages_per_round;
pub use presets::scenario;

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "byzantine";

const TABLE_HELP: &str = "What this traitor tells each general, as a sum: add 2 for “S2: attack”, 4 for S3, 8 for S4 … 512 for S10; the rest hear retreat. Used with the table strategy.";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "algorithm",
        label: "Algorithm",
        help: "Oral messages relay orders that anyone can alter; signed messages carry unforgeable signatures; the naive vote passes orders on once and attacks on a 2/3 threshold.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(Algorithm::NAMES),
    },
    ParamSpec {
        key: "rounds",
        label: "Rounds of relaying (m)",
        help: "How many times orders are relayed; OM(m) tolerates m traitors if there are more than 3m generals. At most n − 2.",
        min: 0,
        max: 3,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "order",
        label: "Commander's order",
        help: "What a loyal commander orders.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Choice(&["retreat", "attack"]),
    },
    ParamSpec {
        key: "traitor_1",
        label: "Traitor",
        help: "Which general is a traitor: 1 is the commander S1, 0 is nobody.",
        min: 0,
        max: 10,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "traitor_2",
        label: "Second traitor",
        help: "Another traitor's number (0: none).",
        min: 0,
        max: 10,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "traitor_3",
        label: "Third traitor",
        help: "Another traitor's number (0: none).",
        min: 0,
        max: 10,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "strategy",
        label: "Traitors' strategy",
        help: "Always lie reverses every order; split tells S2, S4 … attack and S3, S5 … retreat; random tosses a coin per message; table follows each traitor's table below. With signatures a traitor's altered relay is a forgery.",
        min: 0,
        max: 3,
        default: 0,
        unit: Unit::Choice(Strategy::NAMES),
    },
    ParamSpec {
        key: "table_1",
        label: "Table of the traitor",
        help: TABLE_HELP,
        min: 0,
        max: 1023,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "table_2",
        label: "Table of the second traitor",
        help: TABLE_HELP,
        min: 0,
        max: 1023,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "table_3",
        label: "Table of the third traitor",
        help: TABLE_HELP,
        min: 0,
        max: 1023,
        default: 0,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "round_ms",
        label: "Round",
        help: "The length of a round; lieutenants decide after m + 2 rounds, reading a message that has not come as retreat. Keep it above the network's delay.",
        min: 1,
        max: 60_000,
        default: 100,
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

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "three-disagree",
        sentence: "With three generals and one traitor under oral messages, make a loyal lieutenant go against the loyal commander or the other loyal lieutenant.",
        hint: "Make S3 a traitor that always lies: S2 holds attack from S1 and retreat from S3, a tie.",
        possible: Possibility::Possible,
        property: checks::DISOBEY,
        only_when: None,
    },
    ChallengeSpec {
        id: "four-disagree",
        sentence: "With four generals, OM(1) and one traitor, make the loyal lieutenants disagree.",
        hint: "Impossible: with n ≥ 3m + 1 the loyal relays outnumber the traitor's at every level of the recursion.",
        possible: Possibility::Impossible {
            why: "OM(m) satisfies IC1 and IC2 whenever there are more than 3m generals and at most m traitors (Lamport, Shostak and Pease, theorem 1): at every level the loyal generals' relays are a majority.",
            unless_bug: Some(config::BUG_NAMES[1]),
        },
        property: checks::IC1,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "traitor-commander",
        seed: None,
        params: &[],
        check: checks::IC1,
        note: "Each lieutenant ignores the relays and obeys S1's message: S2 and S4 attack, S3 retreats.",
    },
    BugDemo {
        bug: 2,
        preset: "signed-three",
        seed: None,
        params: &[],
        check: checks::IC2,
        note: "S2 accepts S3's forged “retreat”, holds two orders and retreats against the loyal commander.",
    },
];

pub struct ByzantineLab;

impl Lab for ByzantineLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Byzantine generals"
    }
    fn summary(&self) -> &'static str {
        "Traitors lie; OM(m) needs n > 3m, signatures need less."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 3,
            max: 10,
            default: 4,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed, 4, 1, &[4], 0)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("three-generals", "four-generals"),
            ("three-generals", "signed-three"),
            ("naive-vote", "seven-generals"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Generals>::new(&ByzantineLab, scenario)?))
    }
}
