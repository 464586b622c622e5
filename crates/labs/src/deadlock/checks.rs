//! The checks, from outside the sites, against the true wait-for graph: a reported deadlock
//! is a real cycle at the moment it is reported (a safety property of edge-chasing; for the
//! central detector, whose stale edges make phantoms by design, an anomaly); with detection
//! on, no deadlock lasts forever (longer than a few detection rounds); and the anomaly: a
//! deadlock exists.

use super::config::{txn_name, Detection};
use super::graph::{find_cycle, true_edges, waits};
use super::node::Site;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::time::{format_duration, Time};

pub const REAL: usize = 0;
pub const NOT_FOREVER: usize = 1;
pub const PHANTOM: usize = 2;
pub const DEADLOCK: usize = 3;
pub const REAL_CHECK: &str = "Probes report only real deadlocks";
pub const NOT_FOREVER_CHECK: &str = "No deadlock lasts forever";
pub const PHANTOM_CHECK: &str = "Phantom deadlock";
pub const DEADLOCK_CHECK: &str = "Deadlock";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: REAL_CHECK,
        modality: Modality::Always,
        description: "Edge-chasing reported a cycle of waiting transactions that does not exist at that moment, and a victim is aborted for nothing.",
    },
    InvariantSpec {
        name: NOT_FOREVER_CHECK,
        modality: Modality::Always,
        description: "With detection on, a deadlock has outlived several detection rounds (three probe, report or timeout intervals and 1 s more): nobody is breaking it. A partition that stops the detector's messages can do this too.",
    },
    InvariantSpec {
        name: PHANTOM_CHECK,
        modality: Modality::Anomaly,
        description: "The central detector reported a cycle that does not exist at that moment: it joined edges reported at different times. Its design allows this; the victim is aborted for nothing.",
    },
    InvariantSpec {
        name: DEADLOCK_CHECK,
        modality: Modality::Anomaly,
        description: "Transactions wait for each other in a cycle: none can go on until one is aborted.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct DeadlockChecks {
    /// Reports already checked, per site.
    seen: Vec<u64>,
    /// The cycle in the true graph and since when.
    since: Option<(Time, Vec<u16>)>,
}

fn names(cycle: &[u16]) -> String {
    let mut names: Vec<String> = cycle.iter().map(|&t| txn_name(t)).collect();
    names.extend(cycle.first().map(|&t| txn_name(t)));
    names.join(" → ")
}

impl Checker<Site> for DeadlockChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Site>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        let edges = true_edges(config, nodes);
        if let Some(d) = nodes.durable(touched) {
            let site = usize::from(touched);
            if self.seen.len() <= site {
                self.seen.resize(site + 1, 0);
            }
            let new = (d.n_reports - self.seen[site]) as usize;
            self.seen[site] = d.n_reports;
            for report in d.reports.iter().rev().take(new) {
                let c = &report.cycle;
                let broken = (0..c.len()).find(|&i| !waits(&edges, c[i], c[(i + 1) % c.len()]));
                if let Some(i) = broken {
                    found.push(Finding {
                        invariant: if report.central { PHANTOM } else { REAL },
                        detail: format!(
                            "{} reported {}, but {} is not waiting for {}",
                            node_name(touched),
                            names(c),
                            txn_name(c[i]),
                            txn_name(c[(i + 1) % c.len()])
                        ),
                        nodes: vec![touched],
                    });
                }
            }
        }
        let Some(mut cycle) = find_cycle(&edges) else {
            self.since = None;
            return;
        };
        let sites: Vec<NodeId> = {
            let mut s: Vec<NodeId> = cycle.iter().map(|&t| config.home(t)).collect();
            s.sort_unstable();
            s.dedup();
            s
        };
        found.push(Finding {
            invariant: DEADLOCK,
            detail: format!("deadlock: {}", names(&cycle)),
            nodes: sites.clone(),
        });
        let now = nodes.now();
        let text = names(&cycle);
        cycle.sort_unstable();
        match &self.since {
            Some((from, c)) if *c == cycle => {
                let lasted = now - from;
                if config.detection != Detection::None && lasted > config.stuck_after_us() {
                    found.push(Finding {
                        invariant: NOT_FOREVER,
                        detail: format!("{text} has lasted {}", format_duration(lasted)),
                        nodes: sites,
                    });
                }
            }
            _ => self.since = Some((now, cycle)),
        }
    }
}
