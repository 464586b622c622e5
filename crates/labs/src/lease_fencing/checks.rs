//! The checks, from outside the nodes: fenced storage never takes a lower token (Always,
//! with fencing on), and the two anomalies a lease cannot rule out: two clients that both
//! believe they hold the lock, and two clients' writes interleaved at storage.

use super::node::Lease;
use crate::fencing::{StaleWriteWatch, FENCED_STORAGE_SPEC};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};

pub const FENCED_STORAGE: usize = 0;
pub const ONE_WRITER: usize = 1;
pub const TWO_HOLDERS: usize = 2;
pub const ONE_WRITER_CHECK: &str = "One writer at a time";
pub const TWO_HOLDERS_CHECK: &str = "Two clients sure they hold the lock";

const SPECS: &[InvariantSpec] = &[
    FENCED_STORAGE_SPEC,
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
                    detail: format!(
                        "{} {} believe they hold the lock",
                        names.join(" and "),
                        if names.len() == 2 { "both" } else { "all" }
                    ),
                    nodes: believers,
                });
            }
            return;
        }
        if let Some(durable) = nodes
            .durable(touched)
            .filter(|_| touched == config.storage())
        {
            self.stale.check_storage(
                &durable.disk,
                touched,
                config.fencing,
                [FENCED_STORAGE, ONE_WRITER],
                found,
            );
        }
    }
}
