//! The Raft lab: leader election and log replication, its safety checks, and guided presets
//! for the reference results (a leader crash, split votes with aligned timeouts, a minority
//! leader in a partition, a lost majority, an isolated server rejoining).

pub mod checks;
pub mod log;
pub mod node;
pub mod quorum;

use failscope_sim::action::Action;
use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::lab::{BugDemo, Chapter, Lab, NodeRange, ParamSpec, Preset, Unit, BUG_PARAM};
use failscope_sim::network::Latency;
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Scenario, ScenarioError};
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::{NoteKind, TraceKind};
pub use node::{Bug, Raft, Role};

pub const LAB_ID: &str = "raft";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "election_min_ms",
        label: "Election timeout, min",
        help: "Shortest wait for a leader's heartbeat before a follower stands for election.",
        min: 10,
        max: 10_000,
        default: 150,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "election_max_ms",
        label: "Election timeout, max",
        help: "Longest such wait; each timeout is drawn at random between min and max.",
        min: 10,
        max: 10_000,
        default: 300,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "heartbeat_ms",
        label: "Heartbeat interval",
        help: "How often the leader sends AppendEntries when it has nothing new.",
        min: 5,
        max: 5_000,
        default: 50,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "randomized",
        label: "Randomized timeouts",
        help: "Off: every server waits exactly the minimum, so they time out together.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "max_batch",
        label: "Entries per AppendEntries",
        help: "Most log entries the leader sends in one message.",
        min: 1,
        max: 64,
        default: 8,
        unit: Unit::Count,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the safety checks catch it.",
        min: 0,
        max: 5,
        default: 0,
        unit: Unit::Choice(Bug::NAMES),
    },
];

pub struct RaftLab;

/// The Raft lab's challenges: one the protocol forbids, one it allows.
pub const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "two-leaders",
        sentence: "Make two servers lead the same term.",
        hint: "Crash, partition, pause and slow down servers as you like, and count the votes each winner got.",
        possible: Possibility::Impossible {
            why: "election safety. A server votes at most once per term, a leader needs the votes of a majority, and any two majorities share a server.",
            unless_bug: Some(Bug::NAMES[1]),
        },
        property: checks::ELECTION_SAFETY,
        only_when: None,
    },
    ChallengeSpec {
        id: "no-leader",
        sentence: "Keep the cluster without a leader for 5 simulated seconds.",
        hint: "Five servers survive two crashes; what about three? Or take the randomness out of the election timeouts (Parameters).",
        possible: Possibility::Possible,
        property: checks::LEADERLESS,
        only_when: None,
    },
];

/// Each deliberate bug caught in a preset (times are for exactly these runs).
pub const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: Bug::VoteTwice as i64,
        preset: "split-votes",
        seed: None,
        params: &[],
        check: checks::ELECTION_SAFETY,
        note: "All five stand for term 1 at 150 ms and each grants every vote it is asked for, so S5 wins the term at 0.17 s and S1 wins the same term 2 ms later.",
    },
    BugDemo {
        bug: Bug::KeepConflictingTail as i64,
        preset: "partition",
        seed: None,
        // With the default 8 entries per message, the first repair overwrites the stranded
        // leader's whole divergent tail (4 entries), so nothing stale is kept behind it.
        params: &[("max_batch", 1)],
        check: checks::LOG_MATCHING,
        note: "After the heal at 6 s, S2 takes entry 44 from the new leader S5 but keeps its own entries 45 to 47 of term 1, so S2 and S3 hold the same entry 45 on top of different histories.",
    },
    BugDemo {
        bug: Bug::AcceptStaleLeader as i64,
        preset: "partition",
        seed: None,
        params: &[],
        check: checks::LEADER_APPEND_ONLY,
        note: "After the heal at 6 s, S1, leader of term 2, obeys a term-1 AppendEntries from the deposed S2 and discards its own entries from index 44 on.",
    },
    BugDemo {
        bug: Bug::IgnoreLogFreshness as i64,
        preset: "rejoin",
        seed: None,
        params: &[],
        check: checks::LEADER_COMPLETENESS,
        note: "After the heal at 4.5 s, S4, whose log stopped at entry 12 when it was cut off, still gets the votes it asks for and leads term 15 without the 35 entries the others committed.",
    },
    BugDemo {
        bug: Bug::CommitWithoutMajority as i64,
        preset: "partition",
        seed: None,
        params: &[],
        check: checks::LEADER_COMPLETENESS,
        note: "Cut off with only S3 at 2 s, S2 goes on committing entries 44 to 48 on two of five servers, and at 2.19 s S5 wins term 2 without them.",
    },
];

/// The scenario every Raft preset starts from: RaftScope's cluster (5 servers, 10-15 ms
/// messages) with one client sending a request every 100 ms.
pub fn base_scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 5);
    s.network.link.latency = Latency::Uniform {
        min_us: 10 * MS,
        max_us: 15 * MS,
    };
    s.clients.n_clients = 1;
    s.clients.think_min_us = 100 * MS;
    s.clients.think_max_us = 100 * MS;
    s.clients.n_keys = 3;
    s.clients.read_ppm = 300_000;
    s.clients.timeout_us = SECOND;
    s
}

/// Run `scenario` to `time` and return the leader with the highest term then, if any.
pub fn leader_at(scenario: &Scenario, time: Time) -> Option<NodeId> {
    let mut run = LabRun::<Raft>::new(&RaftLab, scenario).ok()?;
    run.run_until(time);
    let world = run.world();
    (0..world.n_nodes())
        .filter(|&n| {
            world
                .node_state(n)
                .is_some_and(|r| r.role() == Role::Leader)
        })
        .max_by_key(|&n| world.durable(n).map_or(0, |d| d.current_term))
}

/// Time of the first trace note containing `needle`, if any (to time narration).
fn first_note(scenario: &Scenario, until: Time, needle: &str) -> Option<Time> {
    let mut run = LabRun::<Raft>::new(&RaftLab, scenario).ok()?;
    run.run_until(until);
    run.trace().events().iter().find_map(|e| match &e.kind {
        TraceKind::Note { text, kind, .. } if *kind != NoteKind::Info && text.contains(needle) => {
            Some(e.time)
        }
        _ => None,
    })
}

fn chapter(at_us: Time, text: String) -> Chapter {
    Chapter::at(at_us, text)
}

fn election_preset() -> Preset {
    let scenario = base_scenario(1);
    let candidate = first_note(&scenario, 2 * SECOND, "became candidate").unwrap_or(150 * MS);
    let won = first_note(&scenario, 2 * SECOND, "won the election").unwrap_or(200 * MS);
    Preset {
        id: "election",
        title: "Electing a leader",
        summary: "Five servers, random timeouts, one winner.",
        scenario,
        duration_us: 4 * SECOND,
        chapters: vec![
            chapter(0, "Five servers start as followers. Each waits for a leader's heartbeat for a random time: the arc around it counts down.".into()),
            chapter(candidate, "One timer runs out first. That server becomes a candidate: it moves to a new term, votes for itself and asks everyone else for a vote.".into()),
            chapter(won, "A majority voted for it (3 of 5), so it leads this term. Its heartbeats, empty AppendEntries messages, reset everyone's timers.".into()),
            chapter(won + 400 * MS, "Client requests reach any server; followers point them to the leader. The leader adds each to its log and commits it (filled cell) once a majority stores it.".into()),
        ],
    }
}

fn leader_crash_preset() -> Preset {
    let base = base_scenario(2);
    let leader = leader_at(&base, 2 * SECOND).unwrap_or(0);
    let name = node_name(leader);
    let scenario = base
        .with_fault(2 * SECOND, Action::Crash { node: leader })
        .with_fault(5 * SECOND, Action::Restart { node: leader });
    Preset {
        id: "leader-crash",
        title: "The leader crashes",
        summary: "Followers notice the silence and elect a new leader.",
        scenario,
        duration_us: 7 * SECOND,
        chapters: vec![
            chapter(0, "A leader is elected and replicates client requests.".into()),
            chapter(2 * SECOND, format!("{name}, the leader, crashes. Its heartbeats stop, and the followers' timers keep running down.")),
            chapter(2 * SECOND + 200 * MS, "The first follower to time out stands in a new term. Four servers remain, three votes are enough, and the cluster has a leader again.".into()),
            chapter(5 * SECOND, format!("{name} restarts. Its term, vote and log were on disk; it hears the new leader's higher term, follows, and catches up.")),
        ],
    }
}

fn split_votes_preset() -> Preset {
    let scenario = base_scenario(3)
        .with_param("randomized", 0)
        .with_param("election_min_ms", 150)
        .with_param("election_max_ms", 150)
        .with_fault(
            3 * SECOND,
            Action::SetParam {
                key: "randomized".into(),
                value: 1,
            },
        )
        .with_fault(
            3 * SECOND,
            Action::SetParam {
                key: "election_max_ms".into(),
                value: 300,
            },
        );
    Preset {
        id: "split-votes",
        title: "Split votes forever",
        summary: "Identical timeouts: everyone stands at once and nobody wins, until randomness breaks the tie.",
        scenario,
        duration_us: 5 * SECOND,
        chapters: vec![
            chapter(0, "Every server uses the same 150 ms election timeout: randomization is off.".into()),
            chapter(150 * MS, "All five time out together. Each votes for itself and refuses the others, so nobody reaches three votes.".into()),
            chapter(SECOND, "It happens again, term after term. The algorithm is safe (never two leaders) but makes no progress. FLP's theorem says no deterministic protocol can rule this out in an asynchronous network; here symmetry alone is enough.".into()),
            chapter(3 * SECOND, "Randomized timeouts are switched on (150 to 300 ms). In the next round one server times out first and collects a majority.".into()),
        ],
    }
}

fn partition_preset() -> Preset {
    let mut base = base_scenario(4);
    base.clients.n_clients = 3;
    let leader = leader_at(&base, 2 * SECOND).unwrap_or(0);
    let buddy = (leader + 1) % 5;
    let name = node_name(leader);
    let scenario = base
        .with_fault(
            2 * SECOND,
            Action::Partition {
                groups: vec![vec![leader, buddy]],
            },
        )
        .with_fault(6 * SECOND, Action::Heal);
    Preset {
        id: "partition",
        title: "A leader in the minority",
        summary: "A partition strands the leader with one follower: it cannot commit; the majority moves on.",
        scenario,
        duration_us: 8 * SECOND,
        chapters: vec![
            chapter(2 * SECOND, format!("The network splits: {name} and {} on one side, the other three on the other.", node_name(buddy))),
            chapter(2 * SECOND + 200 * MS, format!("{name} still believes it leads and accepts client writes, but two servers are not a majority of five: the entries stay uncommitted (hollow) and those clients time out.")),
            chapter(2 * SECOND + 500 * MS, "On the other side, timers run out. A new leader is elected in a higher term and keeps committing.".into()),
            chapter(6 * SECOND, format!("The partition heals. {name} sees the higher term and steps down; the new leader overwrites its uncommitted entries. Nothing committed was lost.")),
        ],
    }
}

fn majority_crash_preset() -> Preset {
    let base = base_scenario(5);
    let leader = leader_at(&base, 2 * SECOND).unwrap_or(0);
    let others = [(leader + 1) % 5, (leader + 2) % 5];
    let scenario = base
        .with_fault(2 * SECOND, Action::Crash { node: leader })
        .with_fault(2 * SECOND, Action::Crash { node: others[0] })
        .with_fault(2 * SECOND, Action::Crash { node: others[1] })
        .with_fault(5 * SECOND, Action::Restart { node: others[0] });
    Preset {
        id: "majority-crash",
        title: "Three of five crash",
        summary: "Two survivors cannot form a majority: the cluster stops, safely.",
        scenario,
        duration_us: 7 * SECOND,
        chapters: vec![
            chapter(2 * SECOND, format!(
                "{}, {} and {} crash. Five servers tolerate two failures, not three.",
                node_name(leader),
                node_name(others[0]),
                node_name(others[1])
            )),
            chapter(2 * SECOND + 400 * MS, "The two survivors keep standing for election, but two votes are not a majority of five. No leader, no commits, client requests time out: unavailable, but never wrong.".into()),
            chapter(5 * SECOND, format!("{} restarts. Three servers can form a majority again, and the cluster elects a leader.", node_name(others[0]))),
        ],
    }
}

fn rejoin_preset() -> Preset {
    let base = base_scenario(6);
    let leader = leader_at(&base, SECOND).unwrap_or(0);
    let loner = (leader + 2) % 5;
    let name = node_name(loner);
    let scenario = base
        .with_fault(
            1_500 * MS,
            Action::Partition {
                groups: vec![vec![loner]],
            },
        )
        .with_fault(4_500 * MS, Action::Heal);
    Preset {
        id: "rejoin",
        title: "An isolated server rejoins",
        summary: "Cut off, a follower keeps raising its term; when it returns it forces an election it cannot win.",
        scenario,
        duration_us: 7 * SECOND,
        chapters: vec![
            chapter(1_500 * MS, format!("{name} is cut off from everyone. It hears no heartbeats, so it stands for election again and again, raising its term each time.")),
            chapter(3 * SECOND, "The other four carry on under their leader, committing entries that the isolated server never sees.".into()),
            chapter(4_500 * MS, format!("The link returns. {name}'s term is higher, so the leader steps down on hearing it; but {name}'s log is behind, so nobody votes for it. A server with the full log wins the new election.")),
        ],
    }
}

/// Stress: the largest cluster, heavy client traffic, fast heartbeats.
fn stress_preset() -> Preset {
    let mut scenario = base_scenario(7).with_param("heartbeat_ms", 10);
    scenario.n_nodes = 15;
    scenario.clients.n_clients = 8;
    scenario.clients.think_min_us = 5 * MS;
    scenario.clients.think_max_us = 20 * MS;
    Preset {
        id: "stress",
        title: "Fifteen servers under load",
        summary: "The largest cluster with eight busy clients.",
        scenario,
        duration_us: 5 * SECOND,
        chapters: vec![chapter(0, "Fifteen servers, fast heartbeats and eight clients: a busy cluster, for watching replication at scale.".into())],
    }
}

impl Lab for RaftLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Raft consensus"
    }
    fn summary(&self) -> &'static str {
        "Leader election and log replication; crash the leader, split the network, watch it recover."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 1,
            max: 15,
            default: 5,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        base_scenario(seed)
    }
    fn presets(&self) -> Vec<Preset> {
        vec![
            election_preset(),
            leader_crash_preset(),
            split_votes_preset(),
            partition_preset(),
            majority_crash_preset(),
            rejoin_preset(),
            stress_preset(),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Raft>::new(&RaftLab, scenario)?))
    }
}
