//! The interactive consistency conditions, checked from outside the generals once loyal
//! lieutenants have decided. IC1: loyal lieutenants decide the same. IC2: if the commander
//! is loyal, every loyal lieutenant decides its order. Each is an `Always` check where the
//! algorithm promises it (OM(m): n > 3t and t ≤ m; SM(m): t ≤ m), and an anomaly to go and
//! find everywhere else (too few generals, too few rounds, the naive vote).

use super::config::Config;
use super::general::word;
use super::node::Generals;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};

pub const IC1: usize = 0;
pub const IC2: usize = 1;
pub const DISAGREE: usize = 2;
pub const DISOBEY: usize = 3;
pub const DISAGREE_CHECK: &str = "Loyal lieutenants disagree";
pub const DISOBEY_CHECK: &str = "A loyal commander disobeyed";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: "IC1: loyal lieutenants agree",
        modality: Modality::Always,
        description: "Every loyal lieutenant decides the same, whatever the traitors do. Checked where the algorithm promises it: oral messages with more than three times as many generals as traitors and at least as many rounds as traitors; signed messages with at least as many rounds as traitors.",
    },
    InvariantSpec {
        name: "IC2: a loyal commander is obeyed",
        modality: Modality::Always,
        description: "If the commander is loyal, every loyal lieutenant decides its order. Checked where the algorithm promises it, as for IC1.",
    },
    InvariantSpec {
        name: DISAGREE_CHECK,
        modality: Modality::Anomaly,
        description: "Two loyal lieutenants decided differently, in a setting the algorithm makes no promise for: too few generals or rounds for the traitors, or the naive vote.",
    },
    InvariantSpec {
        name: DISOBEY_CHECK,
        modality: Modality::Anomaly,
        description: "A loyal lieutenant decided against a loyal commander's order, in a setting the algorithm makes no promise for.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct GeneralsChecks;

/// The loyal lieutenants' decisions so far.
pub fn decisions(config: &Config, nodes: &Nodes<'_, Generals>) -> Vec<(NodeId, bool)> {
    config
        .loyal_lieutenants()
        .filter_map(|l| Some((l, nodes.durable(l)?.decided?)))
        .collect()
}

impl Checker<Generals> for GeneralsChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Generals>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        if touched == 0 || config.is_traitor(touched) {
            return;
        }
        let decided = decisions(config, nodes);
        let promised = config.promised();
        let attack: Vec<NodeId> = decided.iter().filter(|d| d.1).map(|d| d.0).collect();
        let retreat: Vec<NodeId> = decided.iter().filter(|d| !d.1).map(|d| d.0).collect();
        let names = |ns: &[NodeId]| {
            ns.iter()
                .map(|&n| node_name(n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !attack.is_empty() && !retreat.is_empty() {
            found.push(Finding {
                invariant: if promised { IC1 } else { DISAGREE },
                detail: format!("{} attack, {} retreat", names(&attack), names(&retreat)),
                nodes: decided.iter().map(|d| d.0).collect(),
            });
        }
        if !config.is_traitor(0) {
            let against: Vec<NodeId> = decided
                .iter()
                .filter(|d| d.1 != config.order)
                .map(|d| d.0)
                .collect();
            if !against.is_empty() {
                found.push(Finding {
                    invariant: if promised { IC2 } else { DISOBEY },
                    detail: format!(
                        "S1 ordered {}, {} decided {}",
                        word(config.order),
                        names(&against),
                        word(!config.order)
                    ),
                    nodes: against,
                });
            }
        }
    }
}
