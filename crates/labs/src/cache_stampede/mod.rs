//! Cache stampede: a hot key read by a fleet of clients through a cache expires, and every
//! read that misses before the value is back asks the database to recompute it. Five ways
//! to keep the herd off the database (none, a regeneration lock, XFetch's probabilistic
//! early expiration, stale-while-revalidate, request coalescing), and the three write
//! policies (cache-aside, write-through, write-behind) with their stale reads and lost writes.
//!
//! - `config` — the layout (S1 database, S2 cache, S3 and up app servers), the settings, the bugs;
//! - `node` — the three roles and their handlers;
//! - `checks`, `presets`, `pictures`.

mod checks;
mod config;
mod node;
mod pictures;
mod presets;

pub use checks::{ONE_REGENERATION, STALE_READ, WRITES_REACH_DB};
pub use config::{Config, CACHE, DATABASE, FIRST_APP};
pub use node::{Durable, Msg, Role, Stampede};
pub use presets::scenario;

use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::lab::{BugDemo, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};

pub const LAB_ID: &str = "cache-stampede";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "strategy",
        label: "Stampede protection",
        help: "What keeps the herd off the database when the key expires.",
        min: 0,
        max: 4,
        default: 0,
        unit: Unit::Choice(config::STRATEGIES),
    },
    ParamSpec {
        key: "clients",
        label: "Clients",
        help: "How many clients read the hot key, split across the app servers (10 to 1,000).",
        min: 10,
        max: 1_000,
        default: 200,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "read_every_ms",
        label: "Each client reads every",
        help: "About how often each client reads the key, in ms (at least 100).",
        min: 100,
        max: 60_000,
        default: 1_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "ttl_ms",
        label: "TTL",
        help: "How long the cache keeps the value, in ms.",
        min: 100,
        max: 600_000,
        default: 2_000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "recompute_ms",
        label: "Recompute time δ",
        help: "How long the database takes to recompute the value, in ms.",
        min: 1,
        max: 10_000,
        default: 100,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "db_slots",
        label: "Database concurrency",
        help: "How many recomputations the database runs at once; the rest wait in its queue.",
        min: 1,
        max: 32,
        default: 4,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "beta_pct",
        label: "XFetch β × 100",
        help: "XFetch's eagerness in hundredths: 100 is β = 1; larger recomputes earlier.",
        min: 10,
        max: 1_000,
        default: 100,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "lock_ttl_ms",
        label: "Lock TTL",
        help: "How long the regeneration lock lasts if its holder never comes back, in ms. Shorter than δ and a second server gets in.",
        min: 10,
        max: 60_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "poll_ms",
        label: "Lock poll interval",
        help: "How long a server that did not get the lock waits before asking again, in ms.",
        min: 1,
        max: 10_000,
        default: 20,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "write_policy",
        label: "Write policy",
        help: "Cache-aside writes the database and deletes the cached value; write-through writes both before answering; write-behind answers at once and flushes later.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(config::WRITE_POLICIES),
    },
    ParamSpec {
        key: "write_every_ms",
        label: "Write every",
        help: "How often the last app server writes the key, in ms; 0: no writes.",
        min: 0,
        max: 60_000,
        default: 0,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "flush_ms",
        label: "Write-behind flush",
        help: "How often a write-behind cache sends its dirty value to the database, in ms.",
        min: 10,
        max: 60_000,
        default: 500,
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

const CHALLENGES: &[ChallengeSpec] = &[ChallengeSpec {
    id: "lose-a-write",
    sentence: "Lose a write the cache had acknowledged.",
    hint: "Write-behind, writes on, then crash the cache between two flushes.",
    possible: Possibility::Possible,
    property: checks::WRITES_REACH_DB,
    only_when: None,
}];

const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: 1,
        preset: "lock",
        seed: None,
        params: &[],
        check: checks::ONE_REGENERATION,
        note: "At the expiry at 2 s the cache grants the lock to every server that misses: S3 and S4 regenerate at once.",
    },
    BugDemo {
        bug: 2,
        preset: "coalescing",
        seed: None,
        params: &[],
        check: checks::ONE_REGENERATION,
        note: "At the expiry at 2 s S4 sends a second fetch of the key while its first is still in flight.",
    },
];

pub struct CacheStampedeLab;

impl Lab for CacheStampedeLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Cache stampede"
    }
    fn summary(&self) -> &'static str {
        "A hot key expires and the herd hits the database: locks, XFetch, stale values, coalescing."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: config::MIN_NODES,
            max: config::MAX_NODES,
            default: presets::N_NODES,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        presets::scenario(seed)
    }
    fn presets(&self) -> Vec<Preset> {
        presets::all()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        // The page shows one unlabelled button per pair a preset is in, so each preset is
        // in one pair: the herd against the lock, the two that never make readers wait, and
        // the two write policies that differ in what a crash costs.
        vec![
            ("herd", "lock"),
            ("xfetch", "stale-while-revalidate"),
            ("write-through", "write-behind-crash"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Stampede>::new(
            &CacheStampedeLab,
            scenario,
        )?))
    }
}
