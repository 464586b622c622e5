//! The cache's checks: puts are acknowledged only once the write quorum stored them; and
//! two observations that the run exercised what it is about (a hit, a fallback read).

use super::node::CacheNode;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};

pub const WRITE_QUORUM: usize = 0;
const HIT: usize = 1;
const FALLBACK: usize = 2;

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: "Puts reach the write quorum",
        modality: Modality::Always,
        description: "A put is acknowledged only after W replicas have stored it.",
    },
    InvariantSpec {
        name: "A read hit the cache",
        modality: Modality::Sometimes,
        description: "Some get found its key cached.",
    },
    InvariantSpec {
        name: "A replica covered for its owner",
        modality: Modality::Sometimes,
        description: "Some get was answered by the next replica after the owner did not answer.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct CacheChecks {
    /// Acknowledged puts already checked, per node.
    seen: Vec<u64>,
}

impl Checker<CacheNode> for CacheChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, CacheNode>, touched: NodeId, found: &mut Vec<Finding>) {
        let Some(node) = nodes.state(touched) else {
            return;
        };
        let me = usize::from(touched);
        if self.seen.len() <= me {
            self.seen.resize(me + 1, 0);
        }
        let new = node.acknowledged_total.saturating_sub(self.seen[me]) as usize;
        self.seen[me] = node.acknowledged_total;
        let w = nodes.config().write_quorum;
        let log = &node.acknowledged;
        for &(key, value, acks) in &log[log.len().saturating_sub(new)..] {
            if acks < w {
                found.push(Finding {
                    invariant: WRITE_QUORUM,
                    nodes: vec![touched],
                    detail: format!(
                        "{} acknowledged k{key} = {value} after {acks} of the {w} stores it needs",
                        node_name(touched)
                    ),
                });
            }
        }
        if node.hits > 0 {
            found.push(Finding {
                invariant: HIT,
                nodes: vec![touched],
                detail: String::new(),
            });
        }
        if node.fallbacks > 0 {
            found.push(Finding {
                invariant: FALLBACK,
                nodes: vec![touched],
                detail: String::new(),
            });
        }
    }
}
