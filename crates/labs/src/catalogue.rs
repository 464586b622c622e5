//! What the app needs before a lab's code is loaded. Two tables, generated from the labs
//! themselves by the test `catalogue::catalogue_matches_the_labs` (run it with
//! `FAILSCOPE_BLESS=1` to rewrite them after changing a lab's title or presets); it fails
//! when they and the labs disagree:
//!
//! - [`CATALOGUE`]: ids, titles, preset ids and picture kinds, which every page uses (to
//!   route, to fetch a lab's code and its pictures' code alongside);
//! - [`CARDS`]: the picker's text (summaries, preset titles and summaries), which only the
//!   home page shows. Only the picker reads it, so in the split build it travels in the
//!   picker's chunk, and a lab's page does not fetch every other lab's blurb.

/// A lab as every page knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabInfo {
    pub id: &'static str,
    /// Ids it was known by before (`Lab::aliases`): looking one up finds this lab.
    pub aliases: &'static [&'static str],
    pub title: &'static str,
    /// Hidden labs (engine benchmarks, demos) open by id but are not offered in the picker.
    pub listed: bool,
    /// The ids of its guided presets, in order.
    pub presets: &'static [&'static str],
    /// The picture kinds the lab draws (`PictureKind::name`): the page fetches their code
    /// with the lab's.
    pub pictures: &'static [&'static str],
}

/// A lab as the picker shows it: the entry of [`CARDS`] at the same index as its
/// [`LabInfo`] in [`CATALOGUE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabCard {
    pub summary: &'static str,
    pub presets: &'static [PresetInfo],
}

/// A guided preset as the picker shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresetInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
}

/// The entry of the lab with this id, or that was known by it (an alias).
pub fn info(id: &str) -> Option<&'static LabInfo> {
    CATALOGUE
        .iter()
        .find(|lab| lab.id == id || lab.aliases.contains(&id))
}

/// The labs offered in the picker, in its order.
pub fn listed() -> impl Iterator<Item = &'static LabInfo> {
    CATALOGUE.iter().filter(|lab| lab.listed)
}

/// The picker's card for a lab (only the picker should call this: see the module's notes).
pub fn card(lab: &LabInfo) -> Option<&'static LabCard> {
    let index = CATALOGUE.iter().position(|l| l.id == lab.id)?;
    CARDS.get(index)
}

/// With `no-labs` (measuring what the labs add to every page), none.
#[cfg(feature = "no-labs")]
pub static CATALOGUE: &[LabInfo] = &[];
#[cfg(feature = "no-labs")]
pub static CARDS: &[LabCard] = &[];

// BEGIN GENERATED CATALOGUE
#[cfg(not(feature = "no-labs"))]
#[rustfmt::skip]
pub static CATALOGUE: &[LabInfo] = &[
    LabInfo {
        id: "raft",
        aliases: &[],
        title: "Raft consensus",
        listed: true,
        presets: &["election", "leader-crash", "split-votes", "partition", "majority-crash", "rejoin", "stress"],
        pictures: &["grid"],
    },
    LabInfo {
        id: "hash-ring",
        aliases: &[],
        title: "Consistent hashing",
        listed: true,
        presets: &["add-node", "mod-n", "owner-crash", "vnodes", "bounded"],
        pictures: &["bars", "ring"],
    },
    LabInfo {
        id: "replication",
        aliases: &[],
        title: "Replication and CAP",
        listed: true,
        presets: &["async-failover", "lagging-follower", "sticky-sessions", "lww-skew", "siblings", "quorums", "w1r1-partition", "quorum-anomaly", "abd", "cap-cp", "cap-ap", "crdt-counter"],
        pictures: &["grid"],
    },
    LabInfo {
        id: "paxos",
        aliases: &[],
        title: "Paxos",
        listed: true,
        presets: &["one-proposer", "duel", "duel-backoff", "late-proposer", "two-down", "three-down", "restart"],
        pictures: &["grid"],
    },
    LabInfo {
        id: "system-models",
        aliases: &[],
        title: "System models and FLP",
        listed: true,
        presets: &["synchronous", "partial-synchrony", "adversary", "floodset-f-plus-1", "floodset-f-rounds"],
        pictures: &["lanes", "time-series"],
    },
    LabInfo {
        id: "split-brain",
        aliases: &[],
        title: "Split brain",
        listed: true,
        presets: &["no-quorum", "majority-quorum", "fencing", "stonith", "witness", "even-split"],
        pictures: &["lanes", "time-series"],
    },
    LabInfo {
        id: "lease-fencing",
        aliases: &[],
        title: "Leases and fencing tokens",
        listed: true,
        presets: &["seeds-timeline", "seeds-timeline-fenced", "clock-drift", "clock-jump", "clock-jump-monotonic", "redlock", "redlock-fenced"],
        pictures: &["lanes", "time-series"],
    },
    LabInfo {
        id: "two-phase-commit",
        aliases: &[],
        title: "Two-phase commit",
        listed: true,
        presets: &["all-yes", "one-no", "coordinator-fails", "coordinator-fails-mid-send", "mid-send-waiting", "participant-fails", "three-phase-coordinator-fails", "three-phase-partition", "crash-point-sweep"],
        pictures: &["bars", "lanes"],
    },
    LabInfo {
        id: "saga",
        aliases: &[],
        title: "Sagas",
        listed: true,
        presets: &["orchestration", "choreography", "all-booked", "compensation-retry", "duplicate-cancel", "dirty-read", "semantic-lock"],
        pictures: &["lanes"],
    },
    LabInfo {
        id: "deadlock",
        aliases: &[],
        title: "Distributed deadlock",
        listed: true,
        presets: &["two-sites", "three-sites", "waits-into-cycle", "central", "phantom", "timeout", "lock-order", "wait-die", "wound-wait", "random"],
        pictures: &["graph"],
    },
    LabInfo {
        id: "cache-stampede",
        aliases: &[],
        title: "Cache stampede",
        listed: true,
        presets: &["herd", "lock", "lock-holder-crash", "xfetch", "xfetch-fleet", "stale-while-revalidate", "coalescing", "cache-aside", "write-through", "write-behind-crash"],
        pictures: &["bars", "time-series"],
    },
    LabInfo {
        id: "byzantine",
        aliases: &[],
        title: "Byzantine generals",
        listed: true,
        presets: &["three-generals", "four-generals", "traitor-commander", "seven-generals", "naive-vote", "signed-three"],
        pictures: &["bars", "tree"],
    },
    LabInfo {
        id: "two-generals",
        aliases: &[],
        title: "Two generals",
        listed: true,
        presets: &["one-message", "message-and-ack", "long-chain", "retries"],
        pictures: &["grid"],
    },
    LabInfo {
        id: "clocks",
        aliases: &[],
        title: "Clocks",
        listed: true,
        presets: &["lamport-example", "vector-concurrency", "skew-and-steps", "lww-skew", "truetime-commit-wait", "no-commit-wait"],
        pictures: &["grid", "lanes", "time-series"],
    },
    LabInfo {
        id: "failure-detection",
        aliases: &["heartbeat"],
        title: "Failure detection",
        listed: true,
        presets: &["crash", "gc-pause", "fixed-timeout", "adaptive", "phi-accrual", "dilemma", "stress"],
        pictures: &["bars", "grid", "lanes", "time-series", "xy"],
    },
    LabInfo {
        id: "unreliable-network",
        aliases: &[],
        title: "Unreliable network",
        listed: true,
        presets: &["request-lost", "request-delayed", "server-crashed", "server-paused", "response-lost", "response-delayed", "retry-no-key", "retry-with-key"],
        pictures: &["grid"],
    },
    LabInfo {
        id: "resilience",
        aliases: &[],
        title: "Resilience",
        listed: true,
        presets: &["trigger", "metastable", "metastable-budget", "metastable-breaker", "backoff", "full-jitter", "shared-pool", "bulkheads", "deep-liveness", "shallow-liveness", "crash", "readiness", "canary", "all-at-once", "blue-green", "kill-switch", "cascade", "cascade-bulkheads", "cascade-breaker", "cascade-shallow-liveness", "cascade-defended"],
        pictures: &["grid", "state-machine", "time-series", "xy"],
    },
    LabInfo {
        id: "streams",
        aliases: &[],
        title: "Queues and logs",
        listed: true,
        presets: &["log", "queue", "no-keys", "at-most-once", "at-least-once", "idempotent", "eager-rebalance", "cooperative-rebalance", "poison", "replay"],
        pictures: &["bars", "graph", "grid", "time-series"],
    },
    LabInfo {
        id: "tracing",
        aliases: &[],
        title: "Distributed tracing",
        listed: true,
        presets: &["fan-out", "slow-dependency", "errors", "sampling", "wide-fan-out"],
        pictures: &["bars", "lanes", "time-series"],
    },
    LabInfo {
        id: "gallery",
        aliases: &[],
        title: "Picture gallery",
        listed: false,
        presets: &["every-kind"],
        pictures: &["bars", "graph", "grid", "lanes", "state-machine", "time-series", "tree"],
    },
];
#[cfg(not(feature = "no-labs"))]
#[rustfmt::skip]
pub static CARDS: &[LabCard] = &[
    // raft
    LabCard {
        summary: "Leader election and log replication; crash the leader, split the network, watch it recover.",
        presets: &[
            PresetInfo { id: "election", title: "Electing a leader", summary: "Five servers, random timeouts, one winner." },
            PresetInfo { id: "leader-crash", title: "The leader crashes", summary: "Followers notice the silence and elect a new leader." },
            PresetInfo { id: "split-votes", title: "Split votes forever", summary: "Identical timeouts: everyone stands at once and nobody wins, until randomness breaks the tie." },
            PresetInfo { id: "partition", title: "A leader in the minority", summary: "A partition strands the leader with one follower: it cannot commit; the majority moves on." },
            PresetInfo { id: "majority-crash", title: "Three of five crash", summary: "Two survivors cannot form a majority: the cluster stops, safely." },
            PresetInfo { id: "rejoin", title: "An isolated server rejoins", summary: "Cut off, a follower keeps raising its term; when it returns it forces an election it cannot win." },
            PresetInfo { id: "stress", title: "Fifteen servers under load", summary: "The largest cluster with eight busy clients." },
        ],
    },
    // hash-ring
    LabCard {
        summary: "Keys on a ring of servers: add one and few keys move; compare hash mod N, rendezvous, jump and bounded loads.",
        presets: &[
            PresetInfo { id: "add-node", title: "A fifth server joins", summary: "Consistent hashing moves about a fifth of the keys; the cache stays warm." },
            PresetInfo { id: "mod-n", title: "The same change with hash mod N", summary: "Adding one server re-maps most keys: the cache goes cold at once." },
            PresetInfo { id: "owner-crash", title: "A server crashes, replicas cover", summary: "With two replicas per key, gets fall back to the next server clockwise." },
            PresetInfo { id: "vnodes", title: "One point per server", summary: "Without virtual nodes the arcs are uneven and one server holds far more keys." },
            PresetInfo { id: "bounded", title: "Bounded loads", summary: "No server holds more than 1.25 times the average; overflow walks on clockwise." },
        ],
    },
    // replication
    LabCard {
        summary: "Leaders, followers and quorums: lag, lost writes, clock skew, siblings, and the CAP choice under a partition.",
        presets: &[
            PresetInfo { id: "async-failover", title: "Async replication loses a write on failover", summary: "The leader acknowledges writes its followers never get, then crashes." },
            PresetInfo { id: "lagging-follower", title: "Stale reads from a lagging follower", summary: "Reads spread over all replicas; one replica is hundreds of milliseconds behind." },
            PresetInfo { id: "sticky-sessions", title: "Read-your-writes by sticky sessions", summary: "The same lagging follower, but each client always talks to the same replica." },
            PresetInfo { id: "lww-skew", title: "Last write wins, wrongly: 5 s of clock skew", summary: "S2's clock is 5 s behind; its later write loses to an earlier one." },
            PresetInfo { id: "siblings", title: "Siblings keep both", summary: "Two concurrent writes during a partition: vector clocks keep both." },
            PresetInfo { id: "quorums", title: "Quorums: W + R > N", summary: "N = 3, W = 2, R = 2: every read meets every completed write." },
            PresetInfo { id: "w1r1-partition", title: "W = 1, R = 1 under a partition: stale reads", summary: "Fast and always available, and reads miss completed writes." },
            PresetInfo { id: "quorum-anomaly", title: "W + R > N is not linearizable", summary: "A read sees a write in progress; a later read does not." },
            PresetInfo { id: "abd", title: "ABD: linearizable reads", summary: "The same run with reads that write back before answering." },
            PresetInfo { id: "cap-cp", title: "CP under a partition", summary: "The minority side refuses; every answer is linearizable." },
            PresetInfo { id: "cap-ap", title: "AP under a partition", summary: "Both sides answer; reads go stale and histories stop being linearizable." },
            PresetInfo { id: "crdt-counter", title: "A CRDT counter converges", summary: "Increments on both sides of a partition all count once it heals." },
        ],
    },
    // paxos
    LabCard {
        summary: "One value chosen; duelling proposers; lost majorities.",
        presets: &[
            PresetInfo { id: "one-proposer", title: "One proposer", summary: "A value chosen in two round trips." },
            PresetInfo { id: "duel", title: "Duelling proposers", summary: "No backoff: they overtake each other forever." },
            PresetInfo { id: "duel-backoff", title: "Backoff ends the duel", summary: "Random waits: one proposer wins." },
            PresetInfo { id: "late-proposer", title: "A latecomer adopts the value", summary: "S2 finds A in the promises and proposes it." },
            PresetInfo { id: "two-down", title: "Two of five acceptors down", summary: "Three of five still decide." },
            PresetInfo { id: "three-down", title: "Three of five acceptors down", summary: "Two of five cannot decide." },
            PresetInfo { id: "restart", title: "Promises survive a restart", summary: "Promises on disk outlive a restart." },
        ],
    },
    // system-models
    LabCard {
        summary: "What timing assumptions buy: Paxos and FloodSet under each.",
        presets: &[
            PresetInfo { id: "synchronous", title: "Synchronous", summary: "Known delay bound: decided fast." },
            PresetInfo { id: "partial-synchrony", title: "Partially synchronous", summary: "Decided soon after GST." },
            PresetInfo { id: "adversary", title: "Asynchronous, with an adversary", summary: "FLP: no crash, nothing ever decided." },
            PresetInfo { id: "floodset-f-plus-1", title: "FloodSet, f + 1 rounds", summary: "Two rounds survive one crash." },
            PresetInfo { id: "floodset-f-rounds", title: "FloodSet, only f rounds", summary: "One round: correct nodes disagree." },
        ],
    },
    // split-brain
    LabCard {
        summary: "Cut a cluster in two: quorums, fencing tokens and STONITH against two leaders.",
        presets: &[
            PresetInfo { id: "no-quorum", title: "No quorum", summary: "Both sides elect a leader; storage takes both." },
            PresetInfo { id: "majority-quorum", title: "Majority quorum", summary: "The old leader steps down; only the majority elects." },
            PresetInfo { id: "fencing", title: "Fencing tokens", summary: "Storage refuses the old leader: “stale token 1 < 2”." },
            PresetInfo { id: "stonith", title: "STONITH", summary: "The old leader is powered off before the new one writes." },
            PresetInfo { id: "witness", title: "A witness", summary: "Two servers and a tie-breaker survive losing one." },
            PresetInfo { id: "even-split", title: "An even split", summary: "2 | 2: no majority anywhere, so no leader at all." },
        ],
    },
    // lease-fencing
    LabCard {
        summary: "A lock that expires while its holder sleeps, and the token that saves storage.",
        presets: &[
            PresetInfo { id: "seeds-timeline", title: "A pause outlives the lease", summary: "The seeds' timeline, no fencing: storage takes the late write." },
            PresetInfo { id: "seeds-timeline-fenced", title: "The same, with fencing", summary: "“stale token 33 < 34”: the late write is refused." },
            PresetInfo { id: "clock-drift", title: "A slow clock", summary: "A 20% slow clock keeps a 10 s lease for 12.5 s." },
            PresetInfo { id: "clock-jump", title: "A clock stepped back", summary: "A wall clock set back 5 s stretches an expired lease." },
            PresetInfo { id: "clock-jump-monotonic", title: "A monotonic clock", summary: "The same step, ignored: the lease ends on time." },
            PresetInfo { id: "redlock", title: "Redlock", summary: "Clocks jump on three of five lock servers: two holders." },
            PresetInfo { id: "redlock-fenced", title: "Redlock with fencing", summary: "Two holders, but storage refuses the older token." },
        ],
    },
    // two-phase-commit
    LabCard {
        summary: "All or nothing across servers, and the participants left holding locks when the coordinator fails.",
        presets: &[
            PresetInfo { id: "all-yes", title: "Everyone votes yes", summary: "Prepare, three yes votes, the decision logged, commit, acks." },
            PresetInfo { id: "one-no", title: "One votes no", summary: "S3 votes no: it aborts at once, and so does everyone else." },
            PresetInfo { id: "coordinator-fails", title: "The coordinator fails after the votes", summary: "Everyone voted yes and nobody may decide: locks held for 4 s." },
            PresetInfo { id: "coordinator-fails-mid-send", title: "The coordinator fails mid-send", summary: "Only S2 hears “commit”; the others learn it from S2." },
            PresetInfo { id: "mid-send-waiting", title: "Mid-send, asking only the coordinator", summary: "The same failure without cooperative termination: 4 s of locks." },
            PresetInfo { id: "participant-fails", title: "A participant fails after voting yes", summary: "S3 misses the decision and asks for it when it restarts." },
            PresetInfo { id: "three-phase-coordinator-fails", title: "Three-phase commit: the coordinator fails", summary: "The same failure; the participants decide without S1." },
            PresetInfo { id: "three-phase-partition", title: "Three-phase commit: the partition", summary: "Nobody crashes; a partition makes one side commit and the other abort." },
            PresetInfo { id: "crash-point-sweep", title: "Crash-point sweep", summary: "Five transactions; in each, S1 fails at the next point of the protocol." },
        ],
    },
    // saga
    LabCard {
        summary: "Book a flight, a hotel and a car without a transaction: when the car fails, undo the rest.",
        presets: &[
            PresetInfo { id: "orchestration", title: "Orchestration: the car fails", summary: "An orchestrator with a saga log books, then cancels in reverse." },
            PresetInfo { id: "choreography", title: "Choreography: the car fails", summary: "No orchestrator: each service reacts to its neighbour's events." },
            PresetInfo { id: "all-booked", title: "Nothing fails", summary: "Flight, hotel and car booked; nothing to compensate." },
            PresetInfo { id: "compensation-retry", title: "A cancellation fails and is retried", summary: "The hotel's first cancel fails; S1 tries again 0.5 s later." },
            PresetInfo { id: "duplicate-cancel", title: "A lost reply and a repeated cancel", summary: "The retry reaches a hotel that already cancelled: the key stops a second refund." },
            PresetInfo { id: "dirty-read", title: "A dirty read", summary: "S5 sees the hotel booked, then the saga cancels it." },
            PresetInfo { id: "semantic-lock", title: "A semantic lock", summary: "Bookings say “pending” until the saga completes: no dirty read." },
        ],
    },
    // deadlock
    LabCard {
        summary: "Finding cycles of waiting transactions that no single site can see whole.",
        presets: &[
            PresetInfo { id: "two-sites", title: "Two sites, crossed", summary: "T1 holds A and wants C; T2 holds C and wants A. Probes find it." },
            PresetInfo { id: "three-sites", title: "A ring over three sites", summary: "T1 → T2 → T3 → T1, each edge at a different site." },
            PresetInfo { id: "waits-into-cycle", title: "Waiting into a cycle", summary: "T3 waits for T1, which is deadlocked with T2: T3's probe must not report." },
            PresetInfo { id: "central", title: "A central detector", summary: "Every site sends its edges to S1, which finds the ring." },
            PresetInfo { id: "phantom", title: "A phantom deadlock", summary: "S1 joins an old edge to a new one and sees a cycle that never existed." },
            PresetInfo { id: "timeout", title: "Timeouts", summary: "No detector: a transaction that waits 1 s for a lock gives up." },
            PresetInfo { id: "lock-order", title: "A global lock order", summary: "Everyone takes locks in alphabetical order: no cycle can form." },
            PresetInfo { id: "wait-die", title: "Wait-die", summary: "An older transaction waits; a younger one dies." },
            PresetInfo { id: "wound-wait", title: "Wound-wait", summary: "An older transaction wounds the younger holder; a younger one waits." },
            PresetInfo { id: "random", title: "Random transactions", summary: "Eight transactions over four sites, with probes." },
        ],
    },
    // cache-stampede
    LabCard {
        summary: "A hot key expires and the herd hits the database: locks, XFetch, stale values, coalescing.",
        presets: &[
            PresetInfo { id: "herd", title: "No protection: the herd", summary: "At expiry every read that misses asks the database to recompute." },
            PresetInfo { id: "lock", title: "A regeneration lock", summary: "Only the server holding the lock recomputes; the rest wait." },
            PresetInfo { id: "lock-holder-crash", title: "The lock holder crashes", summary: "Everyone waits until the lock's own TTL runs out." },
            PresetInfo { id: "xfetch", title: "Early expiration (XFetch)", summary: "Each read may recompute a little before expiry; a few do, never a herd." },
            PresetInfo { id: "xfetch-fleet", title: "XFetch with a thousand clients", summary: "Five times the reads, still about three recomputations per TTL." },
            PresetInfo { id: "stale-while-revalidate", title: "Stale while revalidate", summary: "Serve the expired value at once while one server refreshes it." },
            PresetInfo { id: "coalescing", title: "Request coalescing", summary: "Each app server sends one fetch and shares its answer." },
            PresetInfo { id: "cache-aside", title: "Writes: cache-aside", summary: "Write the database, then delete the cached value." },
            PresetInfo { id: "write-through", title: "Writes: write-through", summary: "The cache writes the database before answering." },
            PresetInfo { id: "write-behind-crash", title: "Writes: write-behind and a crash", summary: "Fast acknowledgements, until the cache dies with dirty data." },
        ],
    },
    // byzantine
    LabCard {
        summary: "Traitors lie; OM(m) needs n > 3m, signatures need less.",
        presets: &[
            PresetInfo { id: "three-generals", title: "Three generals, one traitor", summary: "OM(1) with n = 3: a lying lieutenant makes a loyal one disobey." },
            PresetInfo { id: "four-generals", title: "Four generals, one traitor", summary: "OM(1) with n = 4: the loyal lieutenants outvote the liar." },
            PresetInfo { id: "traitor-commander", title: "A traitor commander", summary: "S1 splits its order; OM(1) still brings the lieutenants together." },
            PresetInfo { id: "seven-generals", title: "Seven generals, two traitors", summary: "OM(2) with n = 7 survives two colluding traitors." },
            PresetInfo { id: "naive-vote", title: "The naive 2/3 vote", summary: "One round of votes and a 2/3 threshold: two traitors split it." },
            PresetInfo { id: "signed-three", title: "Signed messages, three generals", summary: "SM(1): the traitor cannot alter a signed order." },
        ],
    },
    // two-generals
    LabCard {
        summary: "Over a lossy channel no finite exchange makes both sure.",
        presets: &[
            PresetInfo { id: "one-message", title: "One messenger", summary: "A sends the order and attacks; B attacks if it arrives." },
            PresetInfo { id: "message-and-ack", title: "A message and its acknowledgement", summary: "B acknowledges; now the lost acknowledgement leaves B alone." },
            PresetInfo { id: "long-chain", title: "A chain of six", summary: "Acknowledge the acknowledgements: rarer, never gone." },
            PresetInfo { id: "retries", title: "Retries and idempotency", summary: "Resend until acknowledged, act once: rarely alone." },
        ],
    },
    // clocks
    LabCard {
        summary: "Wall clocks drift and jump; logical clocks order events by cause.",
        presets: &[
            PresetInfo { id: "lamport-example", title: "Lamport timestamps, step by step", summary: "A and B exchange one message each way: stamps 1 to 6." },
            PresetInfo { id: "vector-concurrency", title: "Vector clocks see concurrency", summary: "Three nodes chat at random; incomparable vectors mark concurrent events." },
            PresetInfo { id: "skew-and-steps", title: "Offset, drift and NTP steps", summary: "Wall clocks drift and jump; timeouts on them misfire; monotonic ones do not." },
            PresetInfo { id: "lww-skew", title: "Last write wins, but not the last one", summary: "S1's clock is 5 s fast: its older writes beat S2's newer ones." },
            PresetInfo { id: "truetime-commit-wait", title: "TrueTime with commit-wait", summary: "Timestamps from an uncertainty interval, then wait it out." },
            PresetInfo { id: "no-commit-wait", title: "TrueTime without commit-wait", summary: "Skip the wait and a fast clock's commit outranks a later one." },
        ],
    },
    // failure-detection
    LabCard {
        summary: "Heartbeats and suspicion: fixed timeouts, adaptive ones and phi accrual, fooled by pauses or slow to notice a crash.",
        presets: &[
            PresetInfo { id: "crash", title: "A node crashes", summary: "Everyone stops hearing from it and, after the timeout, suspects it." },
            PresetInfo { id: "gc-pause", title: "A long pause fools everyone", summary: "A paused node looks exactly like a crashed one, until it wakes up." },
            PresetInfo { id: "fixed-timeout", title: "A fixed timeout on a rough network", summary: "150 ms of silence and you are suspected: pauses and slow messages fool it." },
            PresetInfo { id: "adaptive", title: "An adaptive timeout", summary: "Suspect after twice the p99 of the recent gaps between heartbeats." },
            PresetInfo { id: "phi-accrual", title: "Phi accrual", summary: "Suspicion as a level: φ = −log10 of the chance of so long a silence." },
            PresetInfo { id: "dilemma", title: "The timeout dilemma", summary: "Forty seconds of crashes and pauses judged at eight timeouts at once." },
            PresetInfo { id: "stress", title: "Fifty nodes, a thousand messages", summary: "2,450 pings every 50 ms: the rendering stress test." },
        ],
    },
    // unreliable-network
    LabCard {
        summary: "No reply: six things that could have happened, and retries that charge twice unless keyed.",
        presets: &[
            PresetInfo { id: "request-lost", title: "The request is lost", summary: "Nothing reaches the server; the client times out." },
            PresetInfo { id: "request-delayed", title: "The request is delayed", summary: "Held in a queue on the way, it arrives after the client gave up." },
            PresetInfo { id: "server-crashed", title: "The server crashes first", summary: "The request arrives; the server dies before processing it." },
            PresetInfo { id: "server-paused", title: "The server is paused", summary: "A long pause (garbage collection, a VM migration) outlasts the timeout." },
            PresetInfo { id: "response-lost", title: "The reply is lost", summary: "The server did the work; its answer never comes back." },
            PresetInfo { id: "response-delayed", title: "The reply is delayed", summary: "The server did the work; its answer comes back too late." },
            PresetInfo { id: "retry-no-key", title: "Retry without a key", summary: "The reply is lost, the client retries, the card is charged twice." },
            PresetInfo { id: "retry-with-key", title: "Retry with an idempotency key", summary: "The same loss; the server recognises the retry by its key." },
        ],
    },
    // resilience
    LabCard {
        summary: "A dependency falters: retries, breakers, bulkheads, health checks and canaries keep the failure from spreading.",
        presets: &[
            PresetInfo { id: "trigger", title: "The trigger, no defences", summary: "A slows down for 3 s; without retries the service recovers when it does." },
            PresetInfo { id: "metastable", title: "Retry storm and a metastable failure", summary: "Immediate retries multiply A's load; goodput stays down after the trigger clears." },
            PresetInfo { id: "metastable-budget", title: "The same storm under a retry budget", summary: "Retries capped at 10 % of requests: A's queue drains and goodput returns." },
            PresetInfo { id: "metastable-breaker", title: "The same storm behind a circuit breaker", summary: "The breakers open, A drains, half-open probes find it healthy and close." },
            PresetInfo { id: "backoff", title: "Exponential backoff, no jitter", summary: "A burst is refused; its retries come back together, as spikes." },
            PresetInfo { id: "full-jitter", title: "Backoff with full jitter", summary: "The same burst; retries spread over each backoff window instead of spiking." },
            PresetInfo { id: "shared-pool", title: "One shared worker pool", summary: "A's slow calls hold every worker; requests for healthy B are refused too." },
            PresetInfo { id: "bulkheads", title: "Bulkheads: a pool per dependency", summary: "A's requests exhaust only A's half; B is untouched." },
            PresetInfo { id: "deep-liveness", title: "A liveness check that calls A", summary: "Both instances fail their liveness checks and are restarted, again and again." },
            PresetInfo { id: "shallow-liveness", title: "A liveness check of the process only", summary: "The same slowdown; no instance is restarted and B keeps being served." },
            PresetInfo { id: "crash", title: "An instance crashes, no readiness checks", summary: "The balancer keeps sending half the requests to a dead instance." },
            PresetInfo { id: "readiness", title: "The same crash with readiness checks", summary: "The balancer takes the dead instance out of rotation within one check." },
            PresetInfo { id: "canary", title: "A canary with automatic rollback", summary: "A bad release reaches 5 % of requests, is compared with the old version, and rolled back." },
            PresetInfo { id: "all-at-once", title: "The same release, all at once", summary: "Every request goes to the bad version; nothing compares, nothing rolls back." },
            PresetInfo { id: "blue-green", title: "Blue-green switch", summary: "All traffic switches to the new version and, once it is seen failing, back." },
            PresetInfo { id: "kill-switch", title: "A feature flag and its kill switch", summary: "The new code path is behind a flag that an alert turns off as soon as it fails." },
            PresetInfo { id: "cascade", title: "A three-tier cascading failure", summary: "A slow back end fills the service, restarts it, and fails everything at the balancer." },
            PresetInfo { id: "cascade-bulkheads", title: "The cascade with bulkheads only", summary: "The same seed; A's requests can take only their half of the workers." },
            PresetInfo { id: "cascade-breaker", title: "The cascade with a circuit breaker only", summary: "The same seed; calls to slow A fail fast once the breakers open." },
            PresetInfo { id: "cascade-shallow-liveness", title: "The cascade with a shallow liveness check only", summary: "The same seed; no restarts, but A's slow calls still fill the shared pool." },
            PresetInfo { id: "cascade-defended", title: "The same cascade, defended", summary: "Bulkheads, a breaker, jittered retries under a budget and sane health checks." },
        ],
    },
    // streams
    LabCard {
        summary: "Partitions, keys, consumer groups and offsets: what a crash does to at-most-once, at-least-once and effectively-once delivery.",
        presets: &[
            PresetInfo { id: "log", title: "A log: partitions and offsets", summary: "Keys hashed to four partitions; each consumer reads its own, in order." },
            PresetInfo { id: "queue", title: "A queue: competing consumers", summary: "The same messages in one queue: any free consumer takes the next one." },
            PresetInfo { id: "no-keys", title: "A log without keys", summary: "Messages spread round-robin over the partitions: a key's order is lost." },
            PresetInfo { id: "at-most-once", title: "Commit before processing: a crash loses messages", summary: "S5 commits a batch when it fetches it, then crashes half-way through." },
            PresetInfo { id: "at-least-once", title: "Commit after processing: a crash duplicates", summary: "S5 commits after each batch; it crashes half-way through one." },
            PresetInfo { id: "idempotent", title: "An idempotent consumer: effectively once", summary: "The same crash; the database remembers which messages it applied." },
            PresetInfo { id: "eager-rebalance", title: "A consumer joins: eager rebalance", summary: "S7 joins at 1.5 s; every consumer stops and gives up all its partitions." },
            PresetInfo { id: "cooperative-rebalance", title: "A consumer joins: cooperative rebalance", summary: "S7 joins at 1.5 s; only the partition that moves pauses." },
            PresetInfo { id: "poison", title: "A poison message", summary: "Message #10 always fails; after 3 retries it goes to the dead-letter queue." },
            PresetInfo { id: "replay", title: "Replay the log", summary: "At 3.5 s the group goes back to offset 0 and reads everything again." },
        ],
    },
    // tracing
    LabCard {
        summary: "Follow one request through six services: spans, the critical path, RED metrics and an SLO's burn rate.",
        presets: &[
            PresetInfo { id: "fan-out", title: "One request, six services", summary: "Spans, parents and the critical path of a healthy checkout." },
            PresetInfo { id: "slow-dependency", title: "A slow dependency", summary: "One database query in ten takes 0.4 s longer: p99, the waterfall and the burn rate show it." },
            PresetInfo { id: "errors", title: "A failing dependency", summary: "Pricing fails one call in twenty; errors flow up to the client." },
            PresetInfo { id: "sampling", title: "Head-based sampling", summary: "The gateway keeps one trace in five; the decision travels in the header." },
            PresetInfo { id: "wide-fan-out", title: "Fan-out: four queries in parallel", summary: "The catalogue sends four database queries at once: the slowest sets the pace." },
        ],
    },
    // gallery
    LabCard {
        summary: "Every shared picture kind, drawn from one small run of servers pinging each other.",
        presets: &[
            PresetInfo { id: "every-kind", title: "Every picture kind", summary: "A freeze and a crash among four pinging servers, drawn in every picture kind." },
        ],
    },
];
// END GENERATED CATALOGUE
