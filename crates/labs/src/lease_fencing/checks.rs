//! The checks, from outside the nodes: fenced storage never takes a lower token (Always,
//! with fencing on), and the two anomalies a lease cannot rule out: two clients that both
//! believe they hold the lock, and two clients' writes interleaved at storage.

use super::node::Lease;
use crate::fencing::{Fencing, StaleWriteWatch};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::time::format_duration;

pub const FENCED_STORAGE: usize = 0;
pub const ONE_WRITER: usize = 1;
pub const TWO_HOLDERS: usize = 2;
pub const FENCED_STORAGE_CHECK: &str = "Storage refuses stale tokens";
pub const ONE_WRITER_CHECK: &str = "One writer at a time";
pub const TWO_HOLDERS_CHECK: &str = "Two clients sure they hold the lock";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: FENCED_STORAGE_CHECK,
        modality: Modality::Always,
        description: "With fencing on, storage never takes a write whose token is lower than one it has already taken.",
    },
    InvariantSpec {
        name: ONE_WRITER_CHECK,
        modality: Modality::Anomaly,
        description: "Mutual exclusion broken at storage: it took a client's write after a write with a newer token, so two clients acted on the lock at once. Fencing rules it out; a lease alone does not.",
    },
    InvariantSpec {
        name: TWO_HOLDERS_CHECK,
        modality: Modality::Anomaly,
        description: "Two clients each believe they hold the lock: one of them on a lease that has expired (a pause, a slow or jumping clock). Fencing cannot stop the belief, only the damage.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct LeaseChecks {
    stale: StaleWriteWatch,
}

impl Checker<Lease> for LeaseChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Lease>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        if config.is_client(touched) {
            let believers: Vec<NodeId> = (0..config.n_clients)
                .filter(|&c| {
                    nodes
                        .state(c)
                        .and_then(Lease::client)
                        .is_some_and(|c| c.believes())
                })
                .collect();
            if believers.len() >= 2 {
                let names: Vec<String> = believers.iter().map(|&b| node_name(b)).collect();
                found.push(Finding {
                    invariant: TWO_HOLDERS,
                    detail: format!("{} all believe they hold the lock", names.join(" and ")),
                    nodes: believers,
                });
            }
            return;
        }
        if touched != config.storage() {
            return;
        }
        let Some(disk) = nodes.durable(touched).map(|d| &d.disk) else {
            return;
        };
        let Some((write, before)) = self.stale.check(disk) else {
            return;
        };
        let newer = disk
            .log
            .iter()
            .rev()
            .find(|w| w.accepted && w.token == before);
        let mut involved = vec![touched, write.author];
        involved.extend(newer.map(|w| w.author).filter(|&a| a != write.author));
        if config.fencing != Fencing::Off {
            found.push(Finding {
                invariant: FENCED_STORAGE,
                nodes: involved.clone(),
                detail: format!(
                    "storage took {}'s write with token {} after taking token {before}",
                    node_name(write.author),
                    write.token
                ),
            });
        }
        found.push(Finding {
            invariant: ONE_WRITER,
            nodes: involved,
            detail: match newer {
                Some(n) => format!(
                    "{} wrote with token {}, {} after {} wrote with token {before}",
                    node_name(write.author),
                    write.token,
                    format_duration(write.at.saturating_sub(n.at)),
                    node_name(n.author)
                ),
                None => format!(
                    "{} wrote with token {} after a write with token {before}",
                    node_name(write.author),
                    write.token
                ),
            },
        });
    }
}
