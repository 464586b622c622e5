//! The checks, from outside the nodes: no service applies a compensation twice; a saga that
//! is over leaves every step either done (it completed) or compensated (it did not); and the
//! anomaly sagas allow: a reader sees the hotel booked before the saga cancels it.

use super::config::{Config, HOTEL, READER, STEPS};
use super::node::Saga;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};

pub const ONCE: usize = 0;
pub const SETTLED: usize = 1;
pub const DIRTY_READ: usize = 2;
pub const ONCE_CHECK: &str = "Each compensation at most once";
pub const SETTLED_CHECK: &str = "Every step done or compensated";
pub const DIRTY_READ_CHECK: &str = "Dirty read";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: ONCE_CHECK,
        modality: Modality::Always,
        description: "A service cancelled and refunded the same booking twice: its compensation is not idempotent.",
    },
    InvariantSpec {
        name: SETTLED_CHECK,
        modality: Modality::Always,
        description: "The saga is over but a step is neither done nor compensated: something stays booked for a trip that failed, or a completed trip lacks a booking.",
    },
    InvariantSpec {
        name: DIRTY_READ_CHECK,
        modality: Modality::Anomaly,
        description: "The reader saw the hotel room booked, and the saga then cancelled it: it read a step that never became final. Sagas give up isolation; a “pending” semantic lock tells readers the booking may still go.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct SagaChecks;

impl Checker<Saga> for SagaChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Saga>, touched: NodeId, found: &mut Vec<Finding>) {
        let services = || (0..3).filter_map(|s| Some((s, nodes.durable(Config::service(s))?)));
        if let Some(d) = Config::step_of(touched).and_then(|_| nodes.durable(touched)) {
            if d.refunds() > 1 {
                found.push(Finding {
                    invariant: ONCE,
                    detail: format!(
                        "{} refunded the same booking {} times",
                        node_name(touched),
                        d.refunds()
                    ),
                    nodes: vec![touched],
                });
            }
        }
        if let Some((completed, _)) = nodes.durable(0).and_then(|d| d.ended) {
            for (step, d) in services() {
                let service = Config::service(step);
                let half = if completed {
                    (!d.booked() || d.refunds() > 0).then_some("is not booked")
                } else {
                    (d.booked() && d.refunds() == 0).then_some("is still booked")
                };
                if let Some(what) = half {
                    found.push(Finding {
                        invariant: SETTLED,
                        detail: format!(
                            "the saga {} but the {} ({}) {what}",
                            if completed {
                                "completed"
                            } else {
                                "was compensated"
                            },
                            STEPS[usize::from(step)],
                            node_name(service)
                        ),
                        nodes: vec![0, service],
                    });
                }
            }
        }
        if touched == HOTEL || touched == READER {
            let saw = nodes.durable(READER).and_then(|d| d.saw_booked);
            let cancelled = nodes.durable(HOTEL).is_some_and(|d| d.refunds() > 0);
            if saw.is_some() && cancelled {
                found.push(Finding {
                    invariant: DIRTY_READ,
                    detail: "S5 read the hotel room as booked; the saga has since cancelled that booking".into(),
                    nodes: vec![READER, HOTEL],
                });
            }
        }
    }
}
