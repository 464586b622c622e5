//! Leases and fencing tokens: a lock that expires while its holder sleeps. Clients take a
//! lease from a lock service (or a majority of five, Redlock), check it on their own clock,
//! work, and write to storage with the lease's token; storage may or may not check tokens.
//! The seeds' timeline is the first preset, to the second.
//!
//! - `config` — layout, lease, clocks, fencing, the deliberate bug;
//! - `client`, `lock` — the two roles' protocols; `node` — the `Protocol` joining them with
//!   storage (`crate::fencing`);
//! - `checks`, `presets`, `pictures`.

mod checks;
mod client;
mod config;
mod lock;
mod node;
mod pictures;
mod presets;

pub use checks::{FENCED_STORAGE, ONE_WRITER, TWO_HOLDERS};
pub use client::{Belief, Client, Phase};
pub use node::{Durable, Lease, Msg};
pub use presets::{scenario, seeds_timeline};

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "lease-fencing";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "fencing",
        label: "Fencing tokens",
        help: "Storage remembers the highest token it has seen and refuses writes with a lower one.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "lock_servers",
        label: "Lock servers",
        help: "One lock service, or several independent ones of which a client needs a majority (Redlock). Servers come after the clients; storage is last.",
        min: 1,
        max: 9,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "ttl_ms",
        label: "Lease",
        help: "How long a grant lasts, on the lock server's clock.",
        min: 100,
        max: 600_000,
        default: 10_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "lease_clock",
        label: "Client's lease clock",
        help: "The clock a client reads to decide whether its lease is still valid: the wall clock can be stepped back; the monotonic one cannot, but both drift and both run on through a pause.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Choice(config::LeaseClock::NAMES),
    },
    ParamSpec {
        key: "work_ms",
        label: "Work per write",
        help: "Time between a client checking its lease and sending its write.",
        min: 1,
        max: 60_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "retry_ms",
        label: "Retry after",
        help: "How long a client waits before asking again when the lock is taken.",
        min: 10,
        max: 60_000,
        default: 1_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "start_every_ms",
        label: "Client start spacing",
        help: "Client k first asks for the lock at k times this (client 1 at once).",
        min: 0,
        max: 600_000,
        default: 11_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "first_token",
        label: "First token",
        help: "The token of the lock service's first grant; each grant gets the next.",
        min: 1,
        max: 1_000_000_000,
        default: 33,
        unit: Unit::Count,
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

const CHALLENGES: &[ChallengeSpec] = &[ChallengeSpec {
    id: "two-writers",
    sentence: "Make two clients write in the same second, each sure it holds the lock.",
    hint: "Turn fencing off, then freeze the holder (pause it) for longer than what is left of its lease, or step its wall clock back, while the other client waits for the lock.",
    possible: Possibility::Possible,
    property: checks::ONE_WRITER,
    only_when: None,
}];

const BUG_DEMOS: &[BugDemo] = &[BugDemo {
    bug: 1,
    preset: "seeds-timeline-fenced",
    seed: None,
    params: &[],
    check: checks::FENCED_STORAGE,
    note: "Storage S4 compares client 1's token 33 only with S1's own earlier writes, so at 12 s it takes S1's write after S2's token 34.",
}];

pub struct LeaseFencingLab;

impl Lab for LeaseFencingLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Leases and fencing tokens"
    }
    fn summary(&self) -> &'static str {
        "A lock that expires while its holder sleeps, and the token that saves storage."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 4,
            max: failscope_sim::limits::MAX_NODES,
            default: 4,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed, 1, true)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("seeds-timeline", "seeds-timeline-fenced"),
            ("clock-jump", "clock-jump-monotonic"),
            ("redlock", "redlock-fenced"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Lease>::new(&LeaseFencingLab, scenario)?))
    }
}
