//! The lab's settings: the sites and their resources, the transactions and the locks each
//! takes in turn (a scripted workload or a random one from its own seed), how deadlocks
//! are prevented or detected, and the deliberate bugs.

use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::rng::Rng;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// Each site owns two resources: S1 has A and B, S2 has C and D, and so on.
pub const PER_SITE: u16 = 2;

pub const WORKLOADS: &[&str] = &[
    "random",
    "two sites, crossed",
    "three sites, a ring",
    "one waits into a cycle",
    "stale edges",
];
pub const DETECTIONS: &[&str] = &["none", "timeout", "central detector", "edge-chasing probes"];
pub const PREVENTIONS: &[&str] = &["none", "global lock order", "wait-die", "wound-wait"];
pub const BUG_NAMES: &[&str] = &[
    "none",
    "a probe that meets a cycle it is not on reports one",
    "the victim is never aborted",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detection {
    None,
    Timeout,
    Central,
    Probes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prevention {
    None,
    Ordered,
    WaitDie,
    WoundWait,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    ProbeOffCycle,
    NoVictim,
}

/// One transaction: where it runs, when it starts, and its runs one after another (each
/// run takes its locks in the order given, works, then releases them all).
#[derive(Clone, Debug)]
pub struct TxnSpec {
    pub home: NodeId,
    pub start_us: Time,
    pub runs: Vec<Vec<u16>>,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub n_sites: u16,
    pub txns: Vec<TxnSpec>,
    pub detection: Detection,
    pub prevention: Prevention,
    pub work_us: Time,
    pub restart_us: Time,
    pub timeout_us: Time,
    pub probe_every_us: Time,
    pub report_every_us: Time,
    pub bug: Bug,
}

pub fn resource_name(res: u16) -> char {
    char::from(b'A' + (res % 26) as u8)
}

pub fn txn_name(txn: u16) -> String {
    format!("T{}", txn + 1)
}

impl Config {
    pub fn owner(&self, res: u16) -> NodeId {
        res / PER_SITE
    }

    /// A transaction's home site (S1 for one the workload no longer has: a parameter
    /// changed mid-run, and S1 ignores it).
    pub fn home(&self, txn: u16) -> NodeId {
        self.txns.get(usize::from(txn)).map_or(0, |t| t.home)
    }

    /// How long a deadlock may last with detection on before the check calls it stuck.
    pub fn stuck_after_us(&self) -> Time {
        let every = match self.detection {
            Detection::Timeout => self.timeout_us,
            Detection::Central => self.report_every_us,
            _ => self.probe_every_us,
        };
        3 * every + 1_000 * MS
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let ms = |key: &str, default: i64| get(key, default) as Time * MS;
        let n_sites = n_nodes;
        let r = |site: u16, i: u16| site * PER_SITE + i;
        let t = |home: u16, runs: Vec<Vec<u16>>| TxnSpec {
            home,
            start_us: 100 * MS,
            runs,
        };
        let workload = get("workload", 0);
        let needed = [2, 2, 3, 3, 3][workload as usize % 5];
        if n_sites < needed {
            return Err(format!(
                "the “{}” workload needs at least {needed} sites",
                WORKLOADS[workload as usize % 5]
            ));
        }
        let mut txns = match workload {
            1 => vec![
                t(0, vec![vec![r(0, 0), r(1, 0)]]),
                t(1, vec![vec![r(1, 0), r(0, 0)]]),
            ],
            2 => vec![
                t(0, vec![vec![r(0, 0), r(1, 0)]]),
                t(1, vec![vec![r(1, 0), r(2, 0)]]),
                t(2, vec![vec![r(2, 0), r(0, 0)]]),
            ],
            // T1 takes A, then E, then wants C; T2 holds C and wants A; T3 joins behind T1.
            3 => vec![
                t(0, vec![vec![r(0, 0), r(2, 0), r(1, 0)]]),
                t(1, vec![vec![r(1, 0), r(0, 0)]]),
                TxnSpec {
                    start_us: 250 * MS,
                    ..t(2, vec![vec![r(2, 1), r(0, 0)]])
                },
            ],
            // T1 waits for T2 at S2; T2 lets go and, in its next run, waits for T1 at S3.
            4 => vec![
                t(1, vec![vec![r(2, 0), r(1, 0)]]),
                t(2, vec![vec![r(1, 0)], vec![r(2, 0)]]),
            ],
            _ => random(
                n_sites,
                get("transactions", 6) as u16,
                get("runs", 1) as usize,
                get("workload_seed", 1) as u64,
            ),
        };
        let prevention = match get("prevention", 0) {
            1 => Prevention::Ordered,
            2 => Prevention::WaitDie,
            3 => Prevention::WoundWait,
            _ => Prevention::None,
        };
        if prevention == Prevention::Ordered {
            for run in txns.iter_mut().flat_map(|t| t.runs.iter_mut()) {
                run.sort_unstable();
            }
        }
        Ok(Config {
            n_sites,
            txns,
            detection: match get("detection", 3) {
                1 => Detection::Timeout,
                2 => Detection::Central,
                3 => Detection::Probes,
                _ => Detection::None,
            },
            prevention,
            work_us: ms("work_ms", 300),
            restart_us: ms("restart_ms", 200),
            timeout_us: ms("timeout_ms", 1_000),
            probe_every_us: ms("probe_every_ms", 500),
            report_every_us: ms("report_every_ms", 1_000),
            bug: match get(BUG_PARAM, 0) {
                1 => Bug::ProbeOffCycle,
                2 => Bug::NoVictim,
                _ => Bug::None,
            },
        })
    }
}

/// `n` transactions, each at site i mod sites, starting within 0.5 s, each run taking two
/// or three distinct resources in a random order.
fn random(n_sites: u16, n: u16, runs: usize, seed: u64) -> Vec<TxnSpec> {
    let mut rng = Rng::from_seed(seed);
    let n_res = u64::from(n_sites * PER_SITE);
    (0..n)
        .map(|i| {
            let start_us = rng.below(500) * MS;
            let runs = (0..runs)
                .map(|_| {
                    let mut locks: Vec<u16> = Vec::new();
                    let want = 2 + rng.below(2);
                    while (locks.len() as u64) < want.min(n_res) {
                        let res = rng.below(n_res) as u16;
                        if !locks.contains(&res) {
                            locks.push(res);
                        }
                    }
                    locks
                })
                .collect();
            TxnSpec {
                home: i % n_sites,
                start_us,
                runs,
            }
        })
        .collect()
}
