//! The replication lab: one replicated key-value register, three ways to organise the
//! replicas (leader-follower, multi-leader, leaderless), and the anomalies each one allows:
//! replication lag, lost writes on failover, last-write-wins under clock skew, siblings,
//! quorums that are not linearizable, and the CAP choice under a partition.
//!
//! Sources: Kleppmann, *Designing Data-Intensive Applications* (DDIA), chapter 5 for the
//! topologies and the replication-lag anomalies; DeCandia et al., "Dynamo" (SOSP 2007) for
//! quorums, sloppy quorums and hinted handoff; Attiya, Bar-Noy and Dolev (JACM 1995) for the
//! linearizable register; Shapiro et al. (SSS 2011) for CRDTs; Gilbert and Lynch (2002) for
//! CAP.
//!
//! How `mode` maps onto the topologies: it applies to leaderless only (other topologies
//! refuse it). CP = every node replicates every key, majority quorums, ABD, strict; a
//! minority refuses with `Fail` after `request_timeout_ms`. AP = every node replicates every
//! key, w = r = 1, sloppy quorum with hinted handoff, read repair and anti-entropy,
//! reconciled by last-write-wins. The CAP presets use leaderless in both modes.

pub mod checks;
pub mod config;
mod leader;
mod leaderless;
pub mod log;
mod multi;
pub mod node;
pub mod version;

pub use config::{Bug, Config, Mode, Resolution, Topology};
use failscope_sim::action::Action;
use failscope_sim::challenge::{ChallengeSpec, Possibility};
use failscope_sim::client::{ClientOp, ClientTarget};
use failscope_sim::lab::{
    BugDemo, Chapter, Lab, NodeRange, ParamSpec, Preset, Tradeoff, Unit, BUG_PARAM,
};
use failscope_sim::network::{Latency, LinkConfig, LinkOverride};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{ClockSetting, Scenario, ScenarioError};
use failscope_sim::time::{Time, MS, SECOND};
pub use node::{Acked, Durable, Hint, Msg, Replica, Role};

pub const LAB_ID: &str = "replication";

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "topology",
        label: "Topology",
        help: "One leader, every replica a leader, or no leader (quorums).",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(Topology::NAMES),
    },
    ParamSpec {
        key: "sync",
        label: "Synchronous replication",
        help: "Leader-follower: acknowledge a write only once every follower has it. Off: at once.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "follower_reads",
        label: "Reads from followers",
        help: "Leader-follower: followers answer reads from their own copy. Off: reads go to the leader.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "balance_reads",
        label: "Load-balance reads",
        help: "The node a read reaches hands it to a replica picked at random, as a load balancer without session affinity does (leader-follower with follower reads, multi-leader).",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "failover_ms",
        label: "Failover timeout",
        help: "Leader-follower: silence after which the lowest-numbered live follower promotes itself (0: never).",
        min: 0,
        max: 60_000,
        default: 500,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "heartbeat_ms",
        label: "Heartbeat interval",
        help: "Leader-follower: how often the leader sends followers what they miss, or a heartbeat.",
        min: 1,
        max: 10_000,
        default: 50,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "resolution",
        label: "Conflict resolution",
        help: "Multi-leader: how concurrent writes are reconciled.",
        min: 0,
        max: 3,
        default: 0,
        unit: Unit::Choice(Resolution::NAMES),
    },
    ParamSpec {
        key: "mode",
        label: "CAP mode",
        help: "Leaderless: CP (majorities, ABD, refuse without a majority) or AP (w = r = 1, sloppy quorum, anti-entropy); tunable uses n, w, r below.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(Mode::NAMES),
    },
    ParamSpec {
        key: "n",
        label: "Replicas per key (N)",
        help: "Leaderless: each key lives on N consecutive nodes from key mod nodes.",
        min: 1,
        max: 15,
        default: 3,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "w",
        label: "Write quorum (W)",
        help: "Leaderless: a write is acknowledged once W replicas stored it.",
        min: 1,
        max: 15,
        default: 2,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "r",
        label: "Read quorum (R)",
        help: "Leaderless: a read answers with the newest of the first R replies.",
        min: 1,
        max: 15,
        default: 2,
        unit: Unit::Count,
    },
    ParamSpec {
        key: "read_repair",
        label: "Read repair",
        help: "Leaderless: replicas that answered a read with an older version are sent the newer one.",
        min: 0,
        max: 1,
        default: 1,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "hinted_handoff",
        label: "Hinted handoff",
        help: "Leaderless: the coordinator keeps a write for a replica that did not answer, counts it toward W, and hands it over later.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "abd",
        label: "ABD register",
        help: "Leaderless: reads write back what they found to a majority, writes first ask a majority for the highest stamp. Linearizable.",
        min: 0,
        max: 1,
        default: 0,
        unit: Unit::Bool,
    },
    ParamSpec {
        key: "request_timeout_ms",
        label: "Request timeout",
        help: "How long a coordinator waits for its quorum before giving up.",
        min: 1,
        max: 60_000,
        default: 300,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "anti_entropy_ms",
        label: "Anti-entropy period",
        help: "Multi-leader and leaderless: how often each node reconciles with a random peer (0: never).",
        min: 0,
        max: 60_000,
        default: 1000,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: BUG_PARAM,
        label: "Deliberate bug",
        help: "Break the implementation on purpose and watch the checks catch it.",
        min: 0,
        max: 2,
        default: 0,
        unit: Unit::Choice(Bug::NAMES),
    },
];

pub struct ReplicationLab;

/// The replication lab's challenges: two anomalies the designs allow.
pub const CHALLENGES: &[ChallengeSpec] = &[
    ChallengeSpec {
        id: "stale-read",
        sentence: "Make a read return a value older than a write that was already acknowledged.",
        hint: "Let followers answer reads (Parameters), then make one follower fall behind: slow or clog the leader's link to it.",
        possible: Possibility::Possible,
        property: checks::STALE_READ,
        only_when: None,
    },
    ChallengeSpec {
        id: "lost-write",
        sentence: "Lose a write that a client was told had succeeded.",
        hint: "Asynchronous replication acknowledges a write before any follower has it: what if the leader dies then? Or let two leaders' clocks disagree under last write wins.",
        possible: Possibility::Possible,
        property: checks::WRITE_LOST,
        only_when: None,
    },
];

/// Each deliberate bug caught in a preset (times are for exactly these runs).
pub const BUG_DEMOS: &[BugDemo] = &[
    BugDemo {
        bug: Bug::TwoLeaders as i64,
        preset: "async-failover",
        seed: None,
        params: &[],
        check: checks::NO_SPLIT_BRAIN,
        note: "When S1's links clog at 1.5 s, S2 and S3 both hear nothing for 500 ms and both promote themselves to lead epoch 1, within 3 ms of each other.",
    },
    BugDemo {
        bug: Bug::AckEarly as i64,
        preset: "quorums",
        seed: None,
        params: &[],
        check: checks::ACKED_DURABLE,
        note: "At 66 ms S2 tells a client its write of k2 succeeded before any of the key's replicas has stored it, where W = 2 copies were promised.",
    },
];

/// Three nodes, 10–15 ms links, two clients over three keys.
pub fn base_scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 3);
    s.network.link.latency = Latency::Uniform {
        min_us: 10 * MS,
        max_us: 15 * MS,
    };
    s.clients.n_clients = 2;
    s.clients.n_keys = 3;
    s.clients.read_ppm = 500_000;
    s.clients.timeout_us = SECOND;
    s
}

/// The leaderless scenario of the quorum presets and tests.
pub fn leaderless_scenario(seed: u64, n_nodes: u16) -> Scenario {
    let mut s = base_scenario(seed).with_param("topology", 2);
    s.n_nodes = n_nodes;
    s.clients.n_clients = 4;
    s
}

/// The scenario of the plain-quorum and ABD presets: one key, latencies spread from 5 to
/// 80 ms, so a write can reach one replica long before another, and busy clients.
pub fn spread_scenario(seed: u64) -> Scenario {
    let mut s = leaderless_scenario(seed, 3)
        .with_param("read_repair", 0)
        .with_param("anti_entropy_ms", 0)
        .with_param("request_timeout_ms", 600);
    s.network.link.latency = Latency::Uniform {
        min_us: MS,
        max_us: 150 * MS,
    };
    s.clients.n_clients = 6;
    s.clients.n_keys = 1;
    s.clients.read_ppm = 700_000;
    s.clients.think_min_us = 5 * MS;
    s.clients.think_max_us = 40 * MS;
    s
}

/// The CAP pair: five nodes, a partition {S1, S2} | {S3, S4, S5} from 1.5 s to 4.5 s;
/// `mode` is the only difference between the two presets.
pub fn cap_scenario(seed: u64, mode: Mode) -> Scenario {
    let mut s = leaderless_scenario(seed, 5).with_param(
        "mode",
        match mode {
            Mode::Tunable => 0,
            Mode::Cp => 1,
            Mode::Ap => 2,
        },
    );
    s.clients.n_clients = 6;
    s.clients.n_keys = 2;
    s.with_fault(
        1_500 * MS,
        Action::Partition {
            groups: vec![vec![0, 1]],
        },
    )
    .with_fault(4_500 * MS, Action::Heal)
}

fn chapter(at_us: Time, text: &str) -> Chapter {
    Chapter::at(at_us, text)
}

fn by_hand(s: Scenario, at_us: Time, node: u16, op: ClientOp) -> Scenario {
    s.with_fault(at_us, Action::ClientRequest { node, op })
}

fn slow_link(s: &mut Scenario, from: u16, to: u16, min_us: Time, max_us: Time) {
    s.network.overrides.push(LinkOverride {
        from,
        to,
        link: LinkConfig {
            latency: Latency::Uniform { min_us, max_us },
            ..LinkConfig::default()
        },
    });
}

fn async_failover_preset() -> Preset {
    let mut s = base_scenario(1);
    s.clients.n_keys = 2;
    s.clients.read_ppm = 300_000;
    s.clients.think_min_us = 40 * MS;
    s.clients.think_max_us = 80 * MS;
    let scenario = s
        .with_fault(1_500 * MS, Action::Clog { from: 0, to: 1 })
        .with_fault(1_500 * MS, Action::Clog { from: 0, to: 2 })
        .with_fault(2 * SECOND, Action::Crash { node: 0 })
        .with_fault(3 * SECOND, Action::Unclog { from: 0, to: 1 })
        .with_fault(3 * SECOND, Action::Unclog { from: 0, to: 2 })
        .with_fault(3_500 * MS, Action::Restart { node: 0 });
    Preset {
        id: "async-failover",
        title: "Async replication loses a write on failover",
        summary: "The leader acknowledges writes its followers never get, then crashes.",
        scenario,
        duration_us: 5 * SECOND,
        chapters: vec![
            chapter(0, "S1 leads. Replication is asynchronous: S1 acknowledges each write as soon as it is in its own log, then streams it to S2 and S3."),
            chapter(1_500 * MS, "The links from S1 to its followers clog. S1 keeps acknowledging writes; in its log they stay hollow, because no follower has them."),
            chapter(2 * SECOND, "S1 crashes, taking those acknowledged writes with it."),
            chapter(2_250 * MS, "S2, the lowest-numbered follower, has heard nothing for 750 ms (500 ms plus its stagger) and promotes itself in a new epoch. Its log ends where replication stopped."),
            chapter(3_500 * MS, "S1 restarts as a follower, hears the new epoch and resynchronises from S2's snapshot. The writes it acknowledged but never replicated are discarded: clients were told they succeeded, and they are gone."),
        ],
    }
}

/// The lagging-follower pair: S1 → S3 takes 50 to 800 ms, so S3 is always behind.
fn lagging_scenario(seed: u64) -> Scenario {
    let mut s = base_scenario(seed)
        .with_param("follower_reads", 1)
        .with_param("balance_reads", 1);
    s.clients.n_clients = 4;
    s.clients.n_keys = 2;
    s.clients.read_ppm = 600_000;
    s.clients.think_min_us = 30 * MS;
    s.clients.think_max_us = 90 * MS;
    slow_link(&mut s, 0, 2, 50 * MS, 800 * MS);
    s
}

/// The seed of the lagging-follower pair.
pub const LAG_SEED: u64 = 7;

fn lagging_follower_preset() -> Preset {
    Preset {
        id: "lagging-follower",
        title: "Stale reads from a lagging follower",
        summary: "Reads spread over all replicas; one replica is hundreds of milliseconds behind.",
        scenario: lagging_scenario(LAG_SEED),
        duration_us: 5 * SECOND,
        chapters: vec![
            chapter(0, "S1 leads and replicates asynchronously. Reads are load-balanced: each goes to a replica picked at random, followers included."),
            chapter(500 * MS, "The link from S1 to S3 takes anywhere from 50 to 800 ms. S3 applies every write, in order, but late: its replication lag is a few entries at all times."),
            chapter(SECOND, "A client writes, then reads; the read lands on S3, which has not applied the write yet. The client does not see its own write (read-your-writes broken), and two reads in a row can go back in time (monotonic reads broken)."),
        ],
    }
}

fn sticky_sessions_preset() -> Preset {
    let mut scenario = lagging_scenario(LAG_SEED).with_param("balance_reads", 0);
    scenario.clients.target = ClientTarget::Sticky;
    Preset {
        id: "sticky-sessions",
        title: "Read-your-writes by sticky sessions",
        summary: "The same lagging follower, but each client always talks to the same replica.",
        scenario,
        duration_us: 5 * SECOND,
        chapters: vec![
            chapter(0, "Same cluster, same lag on S3, no load balancer. Now each client sticks to one replica: C1 and C4 to S1, C2 to S2, C3 to S3."),
            chapter(500 * MS, "A follower passes a client's write to the leader and answers only once the write has reached its own copy. C3's writes are slow (S3 is far behind), but C3 always reads its own writes."),
            chapter(2 * SECOND, "Reads can still be stale with respect to other clients' writes (S3 lags), but no session sees time go backwards: read-your-writes and monotonic reads hold."),
        ],
    }
}

/// Two leaders (multi-leader) a 10-15 ms hop apart and one key, written only by hand, so
/// every write in the story is one the narration names.
fn two_leaders_by_hand(seed: u64, resolution: i64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 2)
        .with_param("topology", 1)
        .with_param("resolution", resolution);
    s.network.link.latency = Latency::Uniform {
        min_us: 10 * MS,
        max_us: 15 * MS,
    };
    s.clients.n_clients = 0;
    s.clients.n_keys = 1;
    s
}

fn lww_skew_preset() -> Preset {
    let mut s = two_leaders_by_hand(4, 0);
    s.clocks.push(ClockSetting {
        node: 1,
        offset_us: -5 * SECOND as i64,
        drift_ppm: 0,
    });
    let s = by_hand(s, SECOND, 0, ClientOp::Write { key: 0, value: 1 });
    let s = by_hand(s, 2 * SECOND, 1, ClientOp::Write { key: 0, value: 2 });
    let s = by_hand(s, 3 * SECOND, 0, ClientOp::Read { key: 0 });
    let scenario = by_hand(s, 3_200 * MS, 1, ClientOp::Read { key: 0 });
    Preset {
        id: "lww-skew",
        title: "Last write wins, wrongly: 5 s of clock skew",
        summary: "S2's clock is 5 s behind; its later write loses to an earlier one.",
        scenario,
        duration_us: 4 * SECOND,
        chapters: vec![
            chapter(0, "Two leaders, S1 and S2. Each stamps its writes with its own wall clock, and on a conflict the higher stamp wins. S2's clock is 5 seconds behind S1's."),
            chapter(SECOND, "A client writes k0 = 1 at S1, stamped about 1.0 s. It replicates to S2 within 15 ms."),
            chapter(2 * SECOND, "A second later, another client writes k0 = 2 at S2. S2 has seen k0 = 1, yet its clock reads about −3.0 s: the new write's stamp is lower, so last write wins keeps k0 = 1. The client was told its write succeeded."),
            chapter(3 * SECOND, "Both replicas answer k0 = 1. The later write was silently lost; nothing diverged, nothing failed, no error was raised."),
        ],
    }
}

fn siblings_preset() -> Preset {
    let s = two_leaders_by_hand(5, 1);
    let s = s.with_fault(
        500 * MS,
        Action::Partition {
            groups: vec![vec![0]],
        },
    );
    let s = by_hand(s, SECOND, 0, ClientOp::Write { key: 0, value: 1 });
    let s = by_hand(s, 1_200 * MS, 1, ClientOp::Write { key: 0, value: 2 });
    let s = s.with_fault(2 * SECOND, Action::Heal);
    let s = by_hand(s, 3_500 * MS, 0, ClientOp::Read { key: 0 });
    let s = by_hand(s, 4 * SECOND, 1, ClientOp::Write { key: 0, value: 3 });
    let scenario = by_hand(s, 5 * SECOND, 0, ClientOp::Read { key: 0 });
    Preset {
        id: "siblings",
        title: "Siblings keep both",
        summary: "Two concurrent writes during a partition: vector clocks keep both.",
        scenario,
        duration_us: 6 * SECOND,
        chapters: vec![
            chapter(0, "Two leaders, S1 and S2, tracking causality with vector clocks instead of comparing wall clocks."),
            chapter(SECOND, "The network is split. A client writes k0 = 1 at S1, another k0 = 2 at S2. Neither write has seen the other: they are concurrent."),
            chapter(2 * SECOND, "The partition heals. Within an anti-entropy round the replicas exchange their versions; neither clock is ahead of the other, so both keep both values as siblings."),
            chapter(3_500 * MS, "A read returns the largest sibling and reports that there were two; an application would merge them (a shopping cart takes the union)."),
            chapter(4 * SECOND, "A new write at S2 has seen both siblings: its clock is ahead of both, so it replaces them everywhere."),
        ],
    }
}

fn quorums_preset() -> Preset {
    let scenario = leaderless_scenario(6, 5)
        .with_fault(2_500 * MS, Action::Crash { node: 3 })
        .with_fault(4 * SECOND, Action::Restart { node: 3 });
    Preset {
        id: "quorums",
        title: "Quorums: W + R > N",
        summary: "N = 3, W = 2, R = 2: every read meets every completed write.",
        scenario,
        duration_us: 6 * SECOND,
        chapters: vec![
            chapter(0, "Five nodes, no leader. Each key lives on three of them (N = 3). The node a client reaches coordinates: a write waits for 2 of the 3 replicas (W = 2), a read for 2 answers (R = 2), and returns the newer."),
            chapter(SECOND, "2 + 2 > 3: any two replicas that acknowledged a write and any two that answer a read share at least one node, so a read never misses a write that completed before it began."),
            chapter(2_500 * MS, "S4 crashes. The keys it replicates still have two live replicas: W and R are still met, and clients notice nothing."),
            chapter(4 * SECOND, "S4 restarts with old data. Read repair brings each key it answers for up to date, and anti-entropy does the rest."),
        ],
    }
}

fn w1r1_preset() -> Preset {
    let scenario = leaderless_scenario(7, 3)
        .with_param("w", 1)
        .with_param("r", 1)
        .with_fault(
            SECOND,
            Action::Partition {
                groups: vec![vec![0]],
            },
        )
        .with_fault(4 * SECOND, Action::Heal);
    Preset {
        id: "w1r1-partition",
        title: "W = 1, R = 1 under a partition: stale reads",
        summary: "Fast and always available, and reads miss completed writes.",
        scenario,
        duration_us: 6 * SECOND,
        chapters: vec![
            chapter(0, "N = 3 but W = 1 and R = 1: the coordinator's own copy is enough. 1 + 1 is not more than 3, so a read's replica need not have seen the last write."),
            chapter(SECOND, "S1 is cut off. Clients of S1 and clients of S2 and S3 keep writing and reading, each side unaware of the other's writes: stale reads pile up."),
            chapter(4 * SECOND, "The partition heals. Read repair and anti-entropy reconcile each key by its newest stamp, and the replicas converge."),
        ],
    }
}

/// The seed of the plain-quorum / ABD pair (chosen so the plain run shows the anomaly).
pub const SPREAD_SEED: u64 = 4;

fn quorum_anomaly_preset() -> Preset {
    Preset {
        id: "quorum-anomaly",
        title: "W + R > N is not linearizable",
        summary: "A read sees a write in progress; a later read does not.",
        scenario: spread_scenario(SPREAD_SEED),
        duration_us: 5 * SECOND,
        chapters: vec![
            chapter(0, "N = 3, W = 2, R = 2, no read repair, and links that take anywhere from 5 to 80 ms."),
            chapter(SECOND, "Somewhere in this run (the History tab's linearizability check points at it) a write is on its way: it has reached one replica but not the others. A read that asks that replica returns the new value; a read that starts after it, asking the two others, returns the old one. Each read met a quorum, yet the second went back in time: not linearizable."),
        ],
    }
}

fn abd_preset() -> Preset {
    Preset {
        id: "abd",
        title: "ABD: linearizable reads",
        summary: "The same run with reads that write back before answering.",
        scenario: spread_scenario(SPREAD_SEED).with_param("abd", 1),
        duration_us: 5 * SECOND,
        chapters: vec![
            chapter(0, "The same cluster, workload and seed, with Attiya, Bar-Noy and Dolev's register: quorums are majorities, and every stamp is a counter."),
            chapter(SECOND, "A read asks a majority, picks the newest version, and, unless the whole majority already had it, writes it back to a majority before answering. Once one read has returned a value, every later read sees it."),
            chapter(2 * SECOND, "A write first asks a majority for the highest stamp and uses a higher one. The price: two round trips where plain quorums take one."),
        ],
    }
}

/// The seed of the CAP pair.
pub const CAP_SEED: u64 = 20;

fn cap_preset(mode: Mode) -> Preset {
    let cp = mode == Mode::Cp;
    Preset {
        id: if cp { "cap-cp" } else { "cap-ap" },
        title: if cp {
            "CP under a partition"
        } else {
            "AP under a partition"
        },
        summary: if cp {
            "The minority side refuses; every answer is linearizable."
        } else {
            "Both sides answer; reads go stale and histories stop being linearizable."
        },
        scenario: cap_scenario(CAP_SEED, mode),
        duration_us: 6 * SECOND,
        chapters: if cp {
            vec![
                chapter(0, "Five nodes, every key on all of them. CP: reads and writes need a majority (3 of 5) and use ABD."),
                chapter(1_500 * MS, "The network splits: S1 and S2 on one side, S3, S4 and S5 on the other."),
                chapter(1_800 * MS, "The majority side carries on. S1 and S2 cannot reach three replicas: after the request timeout they refuse, and their clients get errors. Consistency is kept by giving up availability."),
                chapter(4_500 * MS, "The partition heals and S1 and S2 serve again, with up-to-date answers."),
            ]
        } else {
            vec![
                chapter(0, "The same five nodes, workload and partition. AP: any replica answers from its own copy (W = R = 1), parking writes for unreachable replicas as hints."),
                chapter(1_500 * MS, "The network splits: S1 and S2 on one side, S3, S4 and S5 on the other."),
                chapter(1_800 * MS, "Both sides accept reads and writes. Nobody gets an error, but each side's reads miss the other side's writes: the history is no longer linearizable."),
                chapter(4_500 * MS, "The partition heals. Hints are handed off and anti-entropy reconciles each key by last write wins: the replicas converge, and the losing side's concurrent writes are gone."),
            ]
        },
    }
}

fn crdt_preset() -> Preset {
    let mut s = base_scenario(11)
        .with_param("topology", 1)
        .with_param("resolution", 2);
    s.clients.n_clients = 3;
    s.clients.n_keys = 1;
    s.clients.stop_at_us = Some(4 * SECOND);
    let scenario = s
        .with_fault(
            SECOND,
            Action::Partition {
                groups: vec![vec![0]],
            },
        )
        .with_fault(3 * SECOND, Action::Heal);
    Preset {
        id: "crdt-counter",
        title: "A CRDT counter converges",
        summary: "Increments on both sides of a partition all count once it heals.",
        scenario,
        duration_us: 6 * SECOND,
        chapters: vec![
            chapter(0, "Three leaders share a grow-only counter: a write of v adds v to the writer's own slot, and a read sums the slots."),
            chapter(SECOND, "S1 is cut off. Both sides keep counting; their totals differ."),
            chapter(3 * SECOND, "The partition heals. Merging takes each slot's maximum, so no increment is lost and none counts twice, whatever order the merges happen in."),
            chapter(4 * SECOND, "The clients stop. Within an anti-entropy round every replica holds the same slots and reads the same total."),
        ],
    }
}

/// The PACELC chart: five nodes, no partition, the same seed and workload; only the
/// replication scheme differs.
fn tradeoffs() -> Vec<Tradeoff> {
    let base = |topology: i64| {
        let mut s = base_scenario(30).with_param("topology", topology);
        s.n_nodes = 5;
        s.clients.n_clients = 4;
        // One hot key, read and written by every client: reads then often follow a write
        // closely enough to meet a replica it has not reached yet.
        s.clients.n_keys = 1;
        s.network.link.latency = Latency::Uniform {
            min_us: 5 * MS,
            max_us: 50 * MS,
        };
        s
    };
    let entry = |label, class, systems, explanation, scenario| Tradeoff {
        label,
        class,
        systems,
        explanation,
        scenario,
        duration_us: 5 * SECOND,
    };
    vec![
        entry(
            "Leader-follower, synchronous, reads at the leader",
            "PC/EC",
            "PostgreSQL with synchronous standbys, reading from the primary",
            "Every write waits for every follower: slow writes, no stale reads.",
            base(0).with_param("sync", 1),
        ),
        entry(
            "Leader-follower, asynchronous, reads anywhere",
            "PA/EL",
            "MySQL or PostgreSQL read replicas",
            "Fast writes and reads; a read that lands on a lagging follower is stale.",
            base(0)
                .with_param("follower_reads", 1)
                .with_param("balance_reads", 1),
        ),
        entry(
            "Multi-leader, last write wins",
            "PA/EL",
            "Cassandra across datacenters, CouchDB",
            "Every replica writes locally; replicas catch up asynchronously.",
            base(1).with_param("balance_reads", 1),
        ),
        entry(
            "Leaderless, W = R = 1",
            "PA/EL",
            "Cassandra or Riak at consistency level ONE",
            "One replica is enough: fastest, and reads may miss recent writes.",
            base(2).with_param("w", 1).with_param("r", 1),
        ),
        entry(
            "Leaderless, W = R = 2 of N = 3",
            "PC/EC",
            "Cassandra at QUORUM, Riak with R + W > N",
            "Read and write quorums overlap: no stale reads, yet not linearizable.",
            base(2),
        ),
        entry(
            "Leaderless ABD register",
            "PC/EC",
            "Linearizable quorum registers (Attiya, Bar-Noy, Dolev)",
            "Reads write back before answering: linearizable, at two round trips.",
            base(2).with_param("abd", 1),
        ),
    ]
}

impl Lab for ReplicationLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Replication and CAP"
    }
    fn summary(&self) -> &'static str {
        "Leaders, followers and quorums: lag, lost writes, clock skew, siblings, and the CAP choice under a partition."
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 1,
            max: 15,
            default: 3,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        base_scenario(seed)
    }
    fn presets(&self) -> Vec<Preset> {
        vec![
            async_failover_preset(),
            lagging_follower_preset(),
            sticky_sessions_preset(),
            lww_skew_preset(),
            siblings_preset(),
            quorums_preset(),
            w1r1_preset(),
            quorum_anomaly_preset(),
            abd_preset(),
            cap_preset(Mode::Cp),
            cap_preset(Mode::Ap),
            crdt_preset(),
        ]
    }
    fn tradeoffs(&self) -> Vec<Tradeoff> {
        tradeoffs()
    }
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("cap-cp", "cap-ap"),
            ("lagging-follower", "sticky-sessions"),
            ("quorum-anomaly", "abd"),
        ]
    }
    fn challenges(&self) -> &'static [ChallengeSpec] {
        CHALLENGES
    }
    fn bug_demos(&self) -> &'static [BugDemo] {
        BUG_DEMOS
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Replica>::new(&ReplicationLab, scenario)?))
    }
}
