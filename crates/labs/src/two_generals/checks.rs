//! The checks: "both attack or neither", which no protocol over a lossy channel can keep
//! for every loss pattern (an anomaly here, so that sweeps over correct protocols stay
//! clean; its firing is the lesson), and the idempotent handling of repeated orders
//! (always).

use super::node::General;
use failscope_sim::ids::NodeId;
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};

pub const ONCE: usize = 0;
pub const ALONE: usize = 1;
pub const ALONE_CHECK: &str = "Both attack or neither";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: "An order is carried out once",
        modality: Modality::Always,
        description: "B acts on the day's order once, however many copies arrive: resending is only safe if handling a copy twice does nothing more.",
    },
    InvariantSpec {
        name: ALONE_CHECK,
        modality: Modality::Anomaly,
        description: "One general attacked and the other did not. Every finite protocol fails this for some pattern of captured messengers (Akkoyunlu, Ekanadham and Huber 1975; Gray 1978), so it is shown as an anomaly: seeing it happen is the point.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct TwoGeneralsChecks;

/// Days both generals have decided, and on which of them exactly one attacked.
pub fn outcomes(nodes: &Nodes<'_, General>) -> (usize, Vec<usize>) {
    let (Some(a), Some(b)) = (nodes.durable(0), nodes.durable(1)) else {
        return (0, Vec::new());
    };
    let days = a.days.len().min(b.days.len());
    let alone = (0..days)
        .filter(|&d| a.days[d].attacked != b.days[d].attacked)
        .collect();
    (days, alone)
}

impl Checker<General> for TwoGeneralsChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, General>, touched: NodeId, found: &mut Vec<Finding>) {
        if let Some(d) = nodes.durable(touched).filter(|d| d.carried_out > 1) {
            found.push(Finding {
                invariant: ONCE,
                detail: format!(
                    "{} carried the same order out {} times",
                    failscope_sim::ids::node_name(touched),
                    d.carried_out
                ),
                nodes: vec![touched],
            });
        }
        let (days, alone) = outcomes(nodes);
        if let Some(&day) = alone.last().filter(|&&d| d + 1 == days) {
            let a = nodes.durable(0).is_some_and(|a| a.days[day].attacked);
            found.push(Finding {
                invariant: ALONE,
                detail: format!(
                    "day {}: {} attacked alone",
                    day + 1,
                    if a { "A" } else { "B" }
                ),
                nodes: vec![if a { 0 } else { 1 }],
            });
        }
    }
}
