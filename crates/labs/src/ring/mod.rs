//! The hash-ring lab: a distributed cache placed by consistent hashing (or one of its
//! alternatives), with replicated puts that wait for a write quorum and gets that fall back
//! to the next replica when the owner is down. Membership changes are lab actions
//! (`join`, `leave`, `weight`), so a session that adds a node replays exactly.
//!
//! [`hashring`] holds the placement algorithms (and their benchmarks); [`placement`] the
//! configuration built from them; [`node`] the cache server; [`pictures`] what the page draws
//! (the ring, keys owned, stored and moved), as data for the app's shared picture kinds.

pub mod checks;
pub mod hashring;
pub mod node;
pub mod pictures;
pub mod placement;

use failscope_sim::action::Action;
use failscope_sim::lab::{
    BugDemo, Chapter, Lab, LabVerb, NodeRange, ParamSpec, Preset, Unit, VerbArg, VerbArgKind,
    BUG_PARAM,
};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};
use failscope_sim::time::{Time, MS, SECOND};
pub use node::CacheNode;
pub use placement::{RingConfig, ALGORITHMS};

pub const LAB_ID: &str = "hash-ring";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "algorithm",
        label: "Placement",
        help: "How keys are assigned to servers.",
        min: 0,
        max: 4,
        default: 0,
        unit: Unit::Choice(ALGORITHMS),
    },
    ParamSpec {
        key: "vnodes",
        label: "Virtual nodes per server",
        help: "Points each server gets on the ring (its weight). More points, more even load.",
        min: 1,
        max: 4096,
        default: 64,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "ring_size",
        label: "Servers on the ring at start",
        help: "The rest wait as spares, ready to join.",
        min: 1,
        max: 64,
        default: 4,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "keys",
        label: "Keys",
        help: "How many keys the clients use (the dots on the ring).",
        min: 1,
        max: 1000,
        default: 200,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "replicas",
        label: "Replicas per key (R)",
        help: "Each key is stored on this many distinct servers, clockwise from its position.",
        min: 1,
        max: 5,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "write_quorum",
        label: "Write quorum (W)",
        help: "A put is acknowledged once this many replicas have stored it.",
        min: 1,
        max: 5,
        default: 1,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "epsilon_per_mille",
        label: "Bounded load slack (ε, ‰)",
        help: "With bounded loads, no server holds more than (1 + ε) × the average.",
        min: 0,
        max: 2000,
        default: 250,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "prefill",
        label: "Start with a warm cache",
        help: "Every server starts holding the keys it owns, so the hit rate starts high.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "request_timeout_ms",
        label: "Request timeout",
        help: "How long a coordinator waits for a replica before trying the next.",
        min: 5,
        max: 10_000,
        default: 60,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Acknowledge puts before the write quorum has them, and watch the check catch it.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Choice(&["none", "acknowledge puts early"]),
    },
];

/// The deliberate bug caught in a preset (the time is for exactly this run).
const BUG_DEMOS: &[BugDemo] = &[BugDemo {
    bug: 1,
    preset: "owner-crash",
    seed: None,
    params: &[],
    check: checks::WRITE_QUORUM,
    note: "At 70 ms S4 acknowledges a put of k19 after only one of the key's two replicas has stored it.",
}];

/// The server a membership change is about.
const SERVER: VerbArg = VerbArg {
    name: "server",
    label: "Server",
    kind: VerbArgKind::Server,
    min: 0,
    max: 63,
    default: 0,
};

/// Membership changes (`Action::Lab`), checked and applied by [`RingConfig::change`].
const VERBS: &[LabVerb] = &[
    LabVerb {
        verb: "join",
        label: "Join",
        help: "Put the server on the ring with the default number of virtual nodes.",
        args: &[SERVER],
        done: "{server} joined the ring",
    },
    LabVerb {
        verb: "leave",
        label: "Leave",
        help: "Take the server off the ring; its keys go to the next servers clockwise.",
        args: &[SERVER],
        done: "{server} left the ring; its keys go to the next servers clockwise",
    },
    LabVerb {
        verb: "weight",
        label: "Set weight",
        help: "Give the server this many virtual nodes: more points, more keys.",
        args: &[
            SERVER,
            VerbArg {
                name: "weight",
                label: "Weight (virtual nodes)",
                kind: VerbArgKind::Count,
                min: 1,
                max: hashring::MAX_VNODES_PER_NODE as i64,
                default: 128,
            },
        ],
        done: "{server} now has {weight} virtual nodes",
    },
];

pub struct RingLab;

/// Five cache servers (four on the ring, one spare), clients reading and writing 200 keys.
pub fn base_scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 5);
    s.network.link.latency = failscope_sim::network::Latency::Uniform {
        min_us: 2 * MS,
        max_us: 6 * MS,
    };
    s.clients.n_clients = 6;
    s.clients.n_keys = 200;
    s.clients.read_ppm = 700_000;
    s.clients.think_min_us = 10 * MS;
    s.clients.think_max_us = 40 * MS;
    s.clients.timeout_us = 500 * MS;
    s
}

fn join(at_us: Time, node: i64) -> (Time, Action) {
    (
        at_us,
        Action::Lab {
            verb: "join".into(),
            args: vec![node],
        },
    )
}

fn with_faults(mut s: Scenario, faults: Vec<(Time, Action)>) -> Scenario {
    for (at_us, action) in faults {
        s = s.with_fault(at_us, action);
    }
    s
}

fn chapter(at_us: Time, text: &str) -> Chapter {
    Chapter::at(at_us, text)
}

impl Lab for RingLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Consistent hashing"
    }
    fn summary(&self) -> &'static str {
        "Keys on a ring of servers: add one and few keys move; compare hash mod N, rendezvous, jump and bounded loads."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 1,
            max: 64,
            default: 5,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        base_scenario(seed)
    }
    fn presets(&self) -> Vec<Preset> {
        vec![
            Preset {
                id: "add-node",
                title: "A fifth server joins",
                summary: "Consistent hashing moves about a fifth of the keys; the cache stays warm.",
                scenario: with_faults(base_scenario(1), vec![join(2 * SECOND, 4)]),
                duration_us: 4 * SECOND,
                chapters: vec![
                    chapter(0, "Four servers share 200 keys. Each key belongs to the first server clockwise from its position on the ring."),
                    chapter(2 * SECOND, "S5 joins. It takes over only the arcs just before its own points: about one key in five moves, and only those miss the cache."),
                    chapter(2 * SECOND + 300 * MS, "Every other key stays where it was, so the hit rate dips a little and recovers."),
                ],
            },
            Preset {
                id: "mod-n",
                title: "The same change with hash mod N",
                summary: "Adding one server re-maps most keys: the cache goes cold at once.",
                scenario: with_faults(base_scenario(1).with_param("algorithm", 1), vec![join(2 * SECOND, 4)]),
                duration_us: 4 * SECOND,
                chapters: vec![
                    chapter(0, "The same servers and keys, placed by hash(key) mod N."),
                    chapter(2 * SECOND, "S5 joins: N goes from 4 to 5, and the remainder changes for four keys in five. Most of the cache is now in the wrong place."),
                    chapter(2 * SECOND + 300 * MS, "The hit rate collapses and climbs back only as the keys are written again. This is why caches use consistent hashing."),
                ],
            },
            Preset {
                id: "owner-crash",
                title: "A server crashes, replicas cover",
                summary: "With two replicas per key, gets fall back to the next server clockwise.",
                scenario: with_faults(
                    base_scenario(2).with_param("replicas", 2).with_param("write_quorum", 2),
                    vec![(2 * SECOND, Action::Crash { node: 1 })],
                ),
                duration_us: 4 * SECOND,
                chapters: vec![
                    chapter(0, "Each key lives on two servers, and a put waits for both."),
                    chapter(2 * SECOND, "S2 crashes. Gets for its keys time out at S2 and go on to the next replica clockwise, which has the value: slower, but still hits."),
                    chapter(2 * SECOND + 500 * MS, "Puts to S2's keys can no longer reach two replicas, so they fail: the write quorum trades availability for durability."),
                ],
            },
            Preset {
                id: "vnodes",
                title: "One point per server",
                summary: "Without virtual nodes the arcs are uneven and one server holds far more keys.",
                scenario: base_scenario(3).with_param("vnodes", 1),
                duration_us: 2 * SECOND,
                chapters: vec![chapter(0, "Each server has a single point on the ring, so arc lengths, and loads, vary wildly. Raise the virtual nodes in Parameters and watch the bars even out.")],
            },
            Preset {
                id: "bounded",
                title: "Bounded loads",
                summary: "No server holds more than 1.25 times the average; overflow walks on clockwise.",
                scenario: base_scenario(4).with_param("vnodes", 4).with_param("algorithm", 4),
                duration_us: 2 * SECOND,
                chapters: vec![chapter(0, "With few virtual nodes one server would be overloaded. Bounded loads cap every server at (1 + ε) times the average; keys over the cap go to the next server with room.")],
            },
        ]
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![("add-node", "mod-n")]
    }
    fn verbs(&self) -> &'static [LabVerb] {
        VERBS
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<CacheNode>::new(&RingLab, scenario)?))
    }
}
