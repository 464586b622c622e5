//! The lab's parameters, parsed and checked: which topology, and the knobs of each.
//!
//! The CAP switch (`mode`) applies to the leaderless topology only, where it overrides the
//! quorum settings (see [`Mode`]); the other topologies reject it, so a scenario never
//! silently ignores a setting that would change the lesson.

use failscope_sim::ids::NodeId;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// How the replicas are organised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    /// One leader takes every write and streams its log to the followers.
    LeaderFollower,
    /// Every replica takes writes and replicates them to all others asynchronously.
    MultiLeader,
    /// No leader: the node a client reaches coordinates quorums of replicas (Dynamo).
    Leaderless,
}

impl Topology {
    pub const NAMES: &'static [&'static str] = &["leader-follower", "multi-leader", "leaderless"];

    fn from_index(index: i64) -> Topology {
        match index {
            1 => Topology::MultiLeader,
            2 => Topology::Leaderless,
            _ => Topology::LeaderFollower,
        }
    }
}

/// How a multi-leader replica reconciles concurrent writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Keep the write with the highest (wall-clock time, node) stamp; drop the other.
    LastWriteWins,
    /// Keep concurrent writes side by side, ordered by vector clocks.
    Siblings,
    /// Each write adds its value to a grow-only counter (a CRDT).
    Counter,
    /// Each write adds its value to a grow-only set (a CRDT); a read returns its size.
    AddSet,
}

impl Resolution {
    pub const NAMES: &'static [&'static str] = &[
        "last write wins (wall clock)",
        "siblings (vector clocks)",
        "CRDT counter (grow-only)",
        "CRDT set (add-only)",
    ];

    fn from_index(index: i64) -> Resolution {
        match index {
            1 => Resolution::Siblings,
            2 => Resolution::Counter,
            3 => Resolution::AddSet,
            _ => Resolution::LastWriteWins,
        }
    }

    /// CRDT modes: reads are not register reads, so the register checkers do not apply.
    pub fn is_crdt(self) -> bool {
        matches!(self, Resolution::Counter | Resolution::AddSet)
    }
}

/// The CAP switch of the leaderless topology.
///
/// - `Tunable`: n, w, r, read repair, hinted handoff and ABD as set.
/// - `Cp`: every node replicates every key (n = all nodes), reads and writes need a majority
///   and use ABD (so the register is linearizable), quorums are strict (no hints). A node
///   that cannot reach a majority refuses: it answers `Fail` after the request timeout.
/// - `Ap`: every node replicates every key, w = r = 1 (the coordinator's own copy is
///   enough), sloppy quorum with hinted handoff, read repair, and anti-entropy to reconcile
///   by last-write-wins once the partition heals. Always answers, sometimes stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Tunable,
    Cp,
    Ap,
}

impl Mode {
    pub const NAMES: &'static [&'static str] = &["tunable (n, w, r as set)", "CP", "AP"];

    fn from_index(index: i64) -> Mode {
        match index {
            1 => Mode::Cp,
            2 => Mode::Ap,
            _ => Mode::Tunable,
        }
    }
}

/// A deliberately broken variant, for showing that each `Always` check fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    /// Leader-follower: every follower that stops hearing the leader promotes itself at
    /// once, all to the same next epoch (no staggering, no epoch owned by the node).
    TwoLeaders,
    /// Acknowledge a write once one copy is stored instead of W (leaderless), or at once
    /// instead of after every follower (synchronous leader-follower).
    AckEarly,
}

impl Bug {
    pub const NAMES: &'static [&'static str] = &[
        "none",
        "promote two leaders",
        "acknowledge before W replicas store",
    ];

    fn from_index(index: i64) -> Bug {
        match index {
            1 => Bug::TwoLeaders,
            2 => Bug::AckEarly,
            _ => Bug::None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub topology: Topology,
    /// Leader-follower: acknowledge a write only once every follower has it.
    pub sync: bool,
    /// Leader-follower: followers answer reads from their own copy.
    pub follower_reads: bool,
    /// The node a read reaches hands it to a replica picked at random (a load balancer
    /// with no session affinity). Leader-follower with follower reads, and multi-leader.
    pub balance_reads: bool,
    /// Leader-follower: silence after which a follower promotes itself (0: never).
    pub failover_us: Time,
    pub heartbeat_us: Time,
    pub resolution: Resolution,
    pub mode: Mode,
    /// Leaderless, after `mode` is applied: replicas per key and quorums.
    pub n: usize,
    pub w: usize,
    pub r: usize,
    pub read_repair: bool,
    pub hinted_handoff: bool,
    pub abd: bool,
    pub request_timeout_us: Time,
    /// Period of anti-entropy exchanges (0: off).
    pub anti_entropy_us: Time,
    pub bug: Bug,
    pub n_nodes: u16,
}

/// A strict majority of `n`.
pub fn majority(n: usize) -> usize {
    n / 2 + 1
}

impl Config {
    pub fn from_params(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str| params.get(key).copied().unwrap_or(0);
        let count = |key: &str| get(key).max(0) as usize;
        let ms = |key: &str| get(key).max(0) as Time * MS;
        let mut c = Config {
            topology: Topology::from_index(get("topology")),
            sync: get("sync") != 0,
            follower_reads: get("follower_reads") != 0,
            balance_reads: get("balance_reads") != 0,
            failover_us: ms("failover_ms"),
            heartbeat_us: ms("heartbeat_ms").max(MS),
            resolution: Resolution::from_index(get("resolution")),
            mode: Mode::from_index(get("mode")),
            n: count("n"),
            w: count("w"),
            r: count("r"),
            read_repair: get("read_repair") != 0,
            hinted_handoff: get("hinted_handoff") != 0,
            abd: get("abd") != 0,
            request_timeout_us: ms("request_timeout_ms").max(MS),
            anti_entropy_us: ms("anti_entropy_ms"),
            bug: Bug::from_index(get(failscope_sim::lab::BUG_PARAM)),
            n_nodes,
        };
        let topology = Topology::NAMES[match c.topology {
            Topology::LeaderFollower => 0,
            Topology::MultiLeader => 1,
            Topology::Leaderless => 2,
        }];
        if n_nodes == 0 {
            return Err("the replication lab needs at least one node".into());
        }
        if c.mode != Mode::Tunable && c.topology != Topology::Leaderless {
            return Err(format!(
                "the CP/AP switch applies to the leaderless topology, not {topology}: set mode back to tunable"
            ));
        }
        if c.abd && c.topology != Topology::Leaderless {
            return Err(format!(
                "ABD is a leaderless quorum protocol; it does not apply to {topology}"
            ));
        }
        if c.resolution != Resolution::LastWriteWins && c.topology != Topology::MultiLeader {
            return Err(format!(
                "siblings and CRDT merges resolve multi-leader conflicts; with {topology} keep last write wins"
            ));
        }
        if c.sync && c.topology != Topology::LeaderFollower {
            return Err(format!(
                "synchronous replication is a leader-follower setting, not one for {topology}"
            ));
        }
        if c.bug == Bug::TwoLeaders && c.topology != Topology::LeaderFollower {
            return Err("the “promote two leaders” bug needs the leader-follower topology".into());
        }
        if c.topology == Topology::LeaderFollower
            && c.failover_us > 0
            && c.failover_us <= 2 * c.heartbeat_us
        {
            return Err(format!(
                "the failover timeout ({} ms) must be more than twice the heartbeat interval ({} ms), or followers promote themselves while the leader is healthy",
                c.failover_us / MS,
                c.heartbeat_us / MS
            ));
        }
        if c.topology == Topology::Leaderless {
            let all = usize::from(n_nodes);
            match c.mode {
                Mode::Tunable => {
                    if c.n == 0 || c.n > all {
                        return Err(format!(
                            "n = {} replicas per key needs 1 to {all} nodes (this scenario has {all})",
                            c.n
                        ));
                    }
                    if c.w == 0 || c.w > c.n || c.r == 0 || c.r > c.n {
                        return Err(format!(
                            "quorums must be between 1 and n = {}: w = {}, r = {}",
                            c.n, c.w, c.r
                        ));
                    }
                    if c.abd && c.hinted_handoff {
                        return Err("ABD needs strict majority quorums; hinted handoff makes them sloppy, so switch one off".into());
                    }
                    if c.abd {
                        // ABD's quorums are majorities of the n replicas, whatever w and r say.
                        c.w = majority(c.n);
                        c.r = majority(c.n);
                        c.read_repair = false;
                    }
                }
                Mode::Cp => {
                    if c.hinted_handoff {
                        return Err("CP mode uses strict quorums: switch hinted handoff off".into());
                    }
                    c.n = all;
                    c.w = majority(all);
                    c.r = majority(all);
                    c.abd = true;
                    c.read_repair = false;
                }
                Mode::Ap => {
                    if c.abd {
                        return Err("ABD needs majority quorums; it cannot run in AP mode".into());
                    }
                    if c.anti_entropy_us == 0 {
                        return Err("AP mode reconciles replicas by anti-entropy: give anti_entropy_ms a period above 0".into());
                    }
                    c.n = all;
                    c.w = 1;
                    c.r = 1;
                    c.hinted_handoff = true;
                    c.read_repair = true;
                }
            }
        }
        Ok(c)
    }

    /// The replicas of `key` in preference order: `n` consecutive nodes from
    /// `key % n_nodes` (Dynamo's preference list, on a ring of node ids).
    pub fn homes(&self, key: u16) -> Vec<NodeId> {
        let all = self.n_nodes.max(1);
        let first = key % all;
        (0..self.n.min(usize::from(all)) as u16)
            .map(|i| (first + i) % all)
            .collect()
    }

    pub fn is_home(&self, node: NodeId, key: u16) -> bool {
        let all = self.n_nodes.max(1);
        let offset = (node + all - key % all) % all;
        usize::from(offset) < self.n.min(usize::from(all))
    }

    /// Replicas every acknowledged write must be on: W (a majority with ABD) in the
    /// leaderless topology, every node with synchronous leader-follower, else one.
    pub fn durable_copies(&self) -> usize {
        match self.topology {
            Topology::Leaderless => self.w,
            Topology::LeaderFollower if self.sync => usize::from(self.n_nodes),
            _ => 1,
        }
    }

    /// How long follower `node` waits for the leader before promoting itself: staggered by
    /// node id, so the lowest-numbered live follower goes first (the broken variant has no
    /// stagger, so they all go at once).
    pub fn failover_wait(&self, node: NodeId) -> Time {
        if self.bug == Bug::TwoLeaders {
            self.failover_us
        } else {
            self.failover_us + u64::from(node) * self.failover_us / 2
        }
    }

    /// The leader of `epoch` in the correct protocol: epochs are owned by nodes in turn, so
    /// two nodes never claim the same one (Paxos ballot numbers work the same way).
    pub fn epoch_owner(&self, epoch: u64) -> NodeId {
        (epoch % u64::from(self.n_nodes.max(1))) as NodeId
    }

    /// The smallest epoch above `current` that `node` owns.
    pub fn next_epoch(&self, current: u64, node: NodeId) -> u64 {
        let n = u64::from(self.n_nodes.max(1));
        let next = current + 1;
        next + (u64::from(node) + n - next % n) % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, i64)], n_nodes: u16) -> Result<Config, String> {
        let mut params = Params::new();
        for (k, v) in [
            ("n", 3),
            ("w", 2),
            ("r", 2),
            ("heartbeat_ms", 50),
            ("failover_ms", 500),
            ("request_timeout_ms", 300),
            ("anti_entropy_ms", 1000),
        ] {
            params.insert(k.to_string(), v);
        }
        for (k, v) in pairs {
            params.insert(k.to_string(), *v);
        }
        Config::from_params(&params, n_nodes)
    }

    #[test]
    fn homes_are_consecutive_from_the_key() {
        let c = config(&[("topology", 2)], 5).unwrap();
        assert_eq!(c.homes(3), vec![3, 4, 0]);
        assert!(c.is_home(0, 3) && c.is_home(4, 3) && !c.is_home(1, 3));
        assert_eq!(c.homes(7), vec![2, 3, 4]);
    }

    #[test]
    fn epochs_are_owned_by_one_node_each() {
        let c = config(&[], 3).unwrap();
        assert_eq!(c.next_epoch(0, 1), 1);
        assert_eq!(c.next_epoch(0, 0), 3);
        assert_eq!(c.next_epoch(4, 2), 5);
        assert_eq!(c.next_epoch(5, 2), 8);
        for e in 0..20 {
            for node in 0..3 {
                let next = c.next_epoch(e, node);
                assert!(next > e && c.epoch_owner(next) == node);
            }
        }
    }

    #[test]
    fn modes_override_quorums_and_bad_combinations_are_refused() {
        let cp = config(&[("topology", 2), ("mode", 1)], 5).unwrap();
        assert_eq!((cp.n, cp.w, cp.r, cp.abd), (5, 3, 3, true));
        let ap = config(&[("topology", 2), ("mode", 2)], 5).unwrap();
        assert_eq!((ap.n, ap.w, ap.r, ap.hinted_handoff), (5, 1, 1, true));
        assert!(config(&[("mode", 1)], 3)
            .unwrap_err()
            .contains("leaderless"));
        assert!(config(&[("topology", 2), ("n", 4)], 3).is_err());
        assert!(config(&[("topology", 2), ("w", 4)], 5).is_err());
        assert!(config(&[("topology", 2), ("abd", 1), ("hinted_handoff", 1)], 3).is_err());
        assert!(config(&[("topology", 2), ("mode", 2), ("abd", 1)], 3).is_err());
        assert!(config(&[("topology", 1), ("sync", 1)], 3).is_err());
        assert!(config(&[("resolution", 1)], 3).is_err());
        assert!(config(&[("failover_ms", 90)], 3).is_err());
        assert!(config(&[("failover_ms", 0)], 3).is_ok());
        assert!(config(&[], 0).is_err());
    }
}
