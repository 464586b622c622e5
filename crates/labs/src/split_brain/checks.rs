//! The checks, from outside the nodes: one leader per term (what majority quorums
//! guarantee), fenced storage never taking a lower token (what fencing guarantees), and the
//! anomaly split brain is about: an old leader writing after a newer one.

use super::node::SplitBrain;
use crate::fencing::{StaleWriteWatch, FENCED_STORAGE_SPEC};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::time::{format_duration, Time};
use std::collections::BTreeMap;

pub const ELECTION_SAFETY: usize = 0;
pub const FENCED_STORAGE: usize = 1;
pub const ONE_WRITER: usize = 2;
pub const ELECTION_SAFETY_CHECK: &str = "One leader per term";
pub const ONE_WRITER_CHECK: &str = "One writer at a time";
pub const UNAVAILABLE: usize = 3;
pub const UNAVAILABLE_CHECK: &str = "Nobody can write";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: ELECTION_SAFETY_CHECK,
        modality: Modality::Always,
        description: "No two servers lead the same term. Majorities guarantee it: any two share a server, and a server votes once per term. Without quorums, two sides that both elect can pick the same term.",
    },
    FENCED_STORAGE_SPEC,
    InvariantSpec {
        name: ONE_WRITER_CHECK,
        modality: Modality::Anomaly,
        description: "Two servers both able to write: storage took a write from an old leader after a newer leader had written, so their changes interleave. Without a quorum nothing stops it.",
    },
    InvariantSpec {
        name: UNAVAILABLE_CHECK,
        modality: Modality::Anomaly,
        description: "No server has been able to write for four election timeouts: the price of refusing to elect without a majority, when no side has one.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct SplitBrainChecks {
    /// The first leader seen in each term.
    leaders: BTreeMap<u64, NodeId>,
    stale: StaleWriteWatch,
    /// When some server last led (true time), and whether the outage was reported.
    last_led_us: Time,
    outage_reported: bool,
}

impl Checker<SplitBrain> for SplitBrainChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, SplitBrain>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        self.check_available(nodes, found);
        let Some(durable) = nodes.durable(touched) else {
            return;
        };
        if nodes.state(touched).is_some_and(SplitBrain::leads) {
            let leader = *self.leaders.entry(durable.term).or_insert(touched);
            if leader != touched {
                found.push(Finding {
                    invariant: ELECTION_SAFETY,
                    nodes: vec![leader, touched],
                    detail: format!(
                        "{} and {} both lead term {}",
                        node_name(leader),
                        node_name(touched),
                        durable.term
                    ),
                });
            }
        }
        if touched == config.storage() {
            self.stale.check_storage(
                &durable.disk,
                touched,
                config.fencing(),
                [FENCED_STORAGE, ONE_WRITER],
                found,
            );
        }
    }
}

impl SplitBrainChecks {
    fn check_available(&mut self, nodes: &Nodes<'_, SplitBrain>, found: &mut Vec<Finding>) {
        let config = nodes.config();
        let now = nodes.now();
        if (0..config.n_members).any(|m| nodes.state(m).is_some_and(SplitBrain::writes)) {
            self.last_led_us = now;
            return;
        }
        let limit = 4 * config.election_us;
        if !self.outage_reported && now.saturating_sub(self.last_led_us) >= limit {
            self.outage_reported = true;
            found.push(Finding {
                invariant: UNAVAILABLE,
                nodes: (0..config.n_members).collect(),
                detail: format!(
                    "no server has been able to write for {}",
                    format_duration(limit)
                ),
            });
        }
    }
}
