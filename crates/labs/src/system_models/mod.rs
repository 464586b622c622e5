//! What timing assumptions buy: one consensus protocol (the paxos lab's Paxos) under the
//! synchronous, partially synchronous and asynchronous network models, the last with an
//! adversarial scheduler that keeps it from ever deciding (Fischer, Lynch, Paterson 1985);
//! and FloodSet in synchronous rounds (Lynch 1996, §6.2), where f + 1 rounds survive f
//! crashes and f rounds do not.
//!
//! - `config` — the model (which also picks the protocol) and its settings;
//! - `adversary` — Paxos's settings under a network model, and the adversary;
//! - `floodset` — FloodSet; `checks` (the same five for both), `presets`, `pictures`.

mod adversary;
mod checks;
mod config;
mod floodset;
mod pictures;
mod presets;

pub use adversary::Models;
pub use checks::{ADVERSARY, AGREEMENT, TERMINATION, TOO_FEW_ROUNDS, VALIDITY};
pub use config::{network_mode, FaultModel, Model, BUG_NAMES, FAULT_NAMES, MODEL_NAMES};
pub use floodset::{FloodConfig, FloodDurable, FloodSet};
pub use presets::{floodset as floodset_scenario, paxos as paxos_scenario};

use crate::paxos::Paxos;
use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Related, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "system-models";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "model",
        label: "Model",
        help: "What the network promises about delays. The three network models run Paxos; synchronous rounds run FloodSet. The network's timing is fixed when a run starts: open a preset (or start a new run) to change it.",
        min: 0,
        max: 3,
        default: 0,
        unit: Unit::Choice(MODEL_NAMES),
    },
    ParamSpec {
        key: "bound_ms",
        label: "Delay bound Δ",
        help: "The longest a message takes when the network behaves (always, in the synchronous models; after GST, in the partially synchronous one). Paxos's proposers time a phase out after 2Δ + 1 ms.",
        min: 1,
        max: 1_000,
        default: 10,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "gst_ms",
        label: "GST",
        help: "Partially synchronous model: the global stabilisation time, after which delays are bounded by Δ.",
        min: 0,
        max: 600_000,
        default: 2_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "pre_gst_ms",
        label: "Extra delay before GST",
        help: "Partially synchronous model: before GST a message may take up to this much longer.",
        min: 0,
        max: 60_000,
        default: 300,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "proposers",
        label: "Proposers (Paxos)",
        help: "How many of the servers propose; then come the acceptors (3 to 9) and one learner.",
        min: 1,
        max: 3,
        default: 2,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "rounds",
        label: "Rounds (FloodSet)",
        help: "How many synchronous rounds FloodSet runs before deciding: f + 1 survive f crashes.",
        min: 1,
        max: 8,
        default: 2,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "round_ms",
        label: "Round length (FloodSet)",
        help: "Each round must outlast the delay bound plus a broadcast (1 ms per send).",
        min: 10,
        max: 10_000,
        default: 100,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "faulty",
        label: "Faulty nodes (FloodSet)",
        help: "Nodes S1 to Sf fail, node k in round k, midway through its broadcast (after one send): the schedule that hurts most.",
        min: 0,
        max: 3,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "fault_model",
        label: "Fault model (FloodSet)",
        help: "How a faulty node fails: it stops for good (crash-stop), stops and comes back next round with what it knew (crash-recovery), or stays up but loses the rest of that broadcast (omission). Under Paxos use the fault toolbar: crash a node (crash-stop), restart it (crash-recovery), drop its messages (omission). Nodes that lie are the Byzantine generals' problem: see Related labs below.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(FAULT_NAMES),
    },
    ParamSpec {
        key: "inputs",
        label: "Inputs (FloodSet)",
        help: "Each node's starting value.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(&["S1 alone has 0, the others 1", "0 or 1 at random (from the seed)"]),
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the checks catch it.",
        min: 0,
        max: 3,
        default: 0,
        unit: Unit::Choice(BUG_NAMES),
    },
];

const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "decide-under-adversary",
        sentence: "Decide a value under the adversary.",
        hint: "Impossible: the adversary holds whichever accept would complete a majority until it can only be refused. Faults only make its job easier; turn on the deliberate bug to see a leaky adversary fail.",
        possible: Possibility::Impossible {
            why: "Fischer, Lynch and Paterson (1985): in an asynchronous system some fair schedule keeps any deterministic consensus protocol undecided forever; this scheduler finds it.",
            unless_bug: Some(BUG_NAMES[1]),
        },
        property: checks::ADVERSARY,
        only_when: None,
    },
    ChallengeSpec {
        id: "break-agreement",
        sentence: "Make two correct nodes decide differently with only f rounds.",
        hint: "Choose synchronous rounds (the FloodSet presets) with as many faulty nodes as rounds, so that a crash mid-broadcast is never passed on.",
        possible: Possibility::Possible,
        property: checks::TOO_FEW_ROUNDS,
        only_when: None,
    },
];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "adversary",
        seed: None,
        params: &[],
        check: checks::ADVERSARY,
        note: "The scheduler stops holding decisive accepts: S3 and S4 accept the same ballot and a value is chosen within milliseconds.",
    },
    BugDemo {
        bug: 2,
        preset: "synchronous",
        seed: None,
        params: &[],
        check: checks::VALIDITY,
        note: "The acceptors' promises report an empty value ∅; the proposer adopts it and S3 and S4 accept ∅, which nobody proposed.",
    },
    BugDemo {
        bug: 3,
        preset: "floodset-f-plus-1",
        seed: None,
        params: &[],
        check: checks::AGREEMENT,
        note: "The nodes decide on what they knew after round 1, ignoring round 2: S2 decides 0 and S3 decides 1, with two rounds and one crash.",
    },
];

pub struct SystemModelsLab;

impl Lab for SystemModelsLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "System models and FLP"
    }
    fn summary(&self) -> &'static str {
        "What timing assumptions buy: Paxos and FloodSet under each."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 3,
            max: 13,
            default: 6,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::paxos(seed, 0)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("synchronous", "partial-synchrony"),
            ("partial-synchrony", "adversary"),
            ("floodset-f-plus-1", "floodset-f-rounds"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn related(&self) -> &'static [Related] {
        &[Related {
            lab: "byzantine",
            why: "the fault model these protocols do not survive: nodes that lie, and what it takes to agree despite them",
        }]
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        // The model decides the network: a run's timing follows its parameters.
        let mut s = scenario.clone();
        s.network.mode = network_mode(&s.params);
        Ok(if config::model(&s.params) == Model::Rounds {
            Box::new(LabRun::<FloodSet>::new(&SystemModelsLab, &s)?)
        } else {
            Box::new(LabRun::<Paxos<Models>>::new(&SystemModelsLab, &s)?)
        })
    }
}
