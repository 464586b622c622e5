//! The checks, from outside the nodes: at most one regeneration of the key in flight where a
//! strategy promises it (the lock and stale-while-revalidate across the fleet, coalescing per
//! app server); and two anomalies of the write policies: acknowledged writes that never reach
//! the database (a write-behind cache crashing with dirty entries: the price of its fast
//! writes), and reads that return a value older than a write already acknowledged.

use super::config::{Config, Strategy, CACHE, FIRST_APP};
use super::node::Stampede;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::world::NodeStatus;

pub const ONE_REGENERATION: usize = 0;
pub const WRITES_REACH_DB: usize = 1;
pub const STALE_READ: usize = 2;
pub const ONE_REGENERATION_CHECK: &str = "One regeneration in flight";
pub const WRITES_REACH_DB_CHECK: &str = "Acknowledged writes reach the database";
pub const STALE_READ_CHECK: &str = "Stale read after a write";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: ONE_REGENERATION_CHECK,
        modality: Modality::Always,
        description: "With a lock or stale-while-revalidate, at most one server regenerates the key at a time; with coalescing, at most one per app server.",
    },
    InvariantSpec {
        name: WRITES_REACH_DB_CHECK,
        modality: Modality::Anomaly,
        description: "A write the cache acknowledged never reached the database: a write-behind cache crashed with it still dirty. Fast writes are bought with this risk.",
    },
    InvariantSpec {
        name: STALE_READ_CHECK,
        modality: Modality::Anomaly,
        description: "A client read a value older than a write already acknowledged.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct StampedeChecks {
    /// Reads served per app server, as last seen.
    served: Vec<u64>,
}

impl Checker<Stampede> for StampedeChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Stampede>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        let apps = || {
            nodes
                .ids()
                .filter(|&n| Config::is_app(n) && nodes.status(n) == Some(NodeStatus::Up))
        };
        let regenerating = |n: NodeId| nodes.state(n).map_or(0, |s| s.in_flight.len());
        match config.strategy {
            Strategy::Lock | Strategy::StaleWhileRevalidate if Config::is_app(touched) => {
                let busy: Vec<NodeId> = apps().filter(|&n| regenerating(n) > 0).collect();
                let total: usize = busy.iter().map(|&n| regenerating(n)).sum();
                if total > 1 {
                    found.push(Finding {
                        invariant: ONE_REGENERATION,
                        detail: format!(
                            "{total} regenerations of the key in flight at once ({})",
                            busy.iter()
                                .map(|&n| node_name(n))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        nodes: busy,
                    });
                }
            }
            Strategy::Coalesce if regenerating(touched) > 1 => found.push(Finding {
                invariant: ONE_REGENERATION,
                detail: format!(
                    "{} has {} fetches of the key in flight; coalescing allows one",
                    node_name(touched),
                    regenerating(touched)
                ),
                nodes: vec![touched],
            }),
            _ => {}
        }
        if let Some(d) = nodes.durable(CACHE) {
            let down = nodes.status(CACHE) == Some(NodeStatus::Down);
            let lost = d.lost
                + if down {
                    d.cache_acked - d.cache_flushed
                } else {
                    0
                };
            if lost > 0 {
                found.push(Finding {
                    invariant: WRITES_REACH_DB,
                    detail: format!(
                        "the cache crashed with {lost} acknowledged writes not yet in the database"
                    ),
                    nodes: vec![CACHE],
                });
            }
        }
        if Config::is_app(touched) {
            let idx = usize::from(touched - FIRST_APP);
            if self.served.len() <= idx {
                self.served.resize(idx + 1, 0);
            }
            let writer = nodes.ids().last().unwrap_or(touched);
            let acked = nodes.durable(writer).map_or(0, |d| d.acked);
            if let Some(s) = nodes.state(touched) {
                if s.served > self.served[idx] && s.last_served < acked {
                    found.push(Finding {
                        invariant: STALE_READ,
                        detail: format!(
                            "{} served version {} after version {} was acknowledged",
                            node_name(touched),
                            s.last_served,
                            acked
                        ),
                        nodes: vec![touched, CACHE],
                    });
                }
                self.served[idx] = s.served;
            }
        }
    }
}
