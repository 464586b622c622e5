//! The checks, the same five for both protocols so that the challenges and the Invariants
//! tab read alike: agreement and validity (always), the adversary's promise that nothing is
//! decided (always: it fires only if the adversary slips), termination (sometimes: not
//! reached under the adversary, by design), and disagreement with too few rounds (an
//! anomaly: FloodSet run with no more rounds than failures).

use super::floodset::FloodSet;
use super::Models;
use crate::paxos::{self, Adversary, Paxos, PaxosChecks};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::world::NodeStatus;

pub const AGREEMENT: usize = 0;
pub const VALIDITY: usize = 1;
pub const ADVERSARY: usize = 2;
pub const TERMINATION: usize = 3;
pub const TOO_FEW_ROUNDS: usize = 4;
pub const AGREEMENT_CHECK: &str = "Agreement";
pub const TERMINATION_CHECK: &str = "Termination";
pub const TOO_FEW_ROUNDS_CHECK: &str = "Disagreement with too few rounds";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: AGREEMENT_CHECK,
        modality: Modality::Always,
        description: "No two correct nodes decide differently (Paxos: at most one value is chosen; FloodSet: checked while it has more rounds than failures).",
    },
    InvariantSpec {
        name: "Validity",
        modality: Modality::Always,
        description: "Whatever is decided was some node's input.",
    },
    InvariantSpec {
        name: "Nothing decided under the adversary",
        modality: Modality::Always,
        description: "In the asynchronous model the scheduler holds back every message that would complete a decision, and still delivers each one later: no value is ever chosen (Fischer, Lynch, Paterson 1985). This fires only if the adversary slips.",
    },
    InvariantSpec {
        name: TERMINATION_CHECK,
        modality: Modality::Sometimes,
        description: "A decision is reached (FloodSet: by every correct node). Not under the adversary, by design: that is FLP's result.",
    },
    InvariantSpec {
        name: TOO_FEW_ROUNDS_CHECK,
        modality: Modality::Anomaly,
        description: "FloodSet run with no more rounds than there were failures: two correct nodes decided differently, as the f + 1 bound says they may.",
    },
];

/// Paxos under the network models.
#[derive(Clone, Debug, Default)]
pub struct ModelChecks {
    core: PaxosChecks,
    adversary_slipped: bool,
}

impl Checker<Paxos<Models>> for ModelChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(
        &mut self,
        nodes: &Nodes<'_, Paxos<Models>>,
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        let config = nodes.config();
        if !config.is_acceptor(touched) {
            return;
        }
        let first = found.len();
        self.core.on_acceptor(nodes, touched, found);
        let mut slipped = None;
        for f in &mut found[first..] {
            f.invariant = match f.invariant {
                paxos::ONE_VALUE => AGREEMENT,
                paxos::VALIDITY => VALIDITY,
                _ => {
                    if config.adversary != Adversary::Off && !self.adversary_slipped {
                        slipped = Some(Finding {
                            invariant: ADVERSARY,
                            nodes: f.nodes.clone(),
                            detail: format!("{}, though the adversary is in charge", f.detail),
                        });
                    }
                    TERMINATION
                }
            };
        }
        if let Some(f) = slipped {
            self.adversary_slipped = true;
            found.push(f);
        }
    }
}

/// FloodSet in rounds.
#[derive(Clone, Debug, Default)]
pub struct FloodChecks {
    /// Nodes seen crashed (from the fault toolbar): no longer correct.
    crashed: Vec<NodeId>,
    disagreement: bool,
    terminated: bool,
}

impl Checker<FloodSet> for FloodChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, FloodSet>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        for n in nodes.ids() {
            if nodes.status(n) == Some(NodeStatus::Down) && !self.crashed.contains(&n) {
                self.crashed.push(n);
            }
        }
        let Some(durable) = nodes.durable(touched) else {
            return;
        };
        let Some(value) = durable.decided else {
            return;
        };
        let inputs: Vec<u16> = nodes
            .ids()
            .filter_map(|n| nodes.durable(n).map(|d| d.input))
            .collect();
        if !inputs.contains(&value) {
            found.push(Finding {
                invariant: VALIDITY,
                nodes: vec![touched],
                detail: format!("{} decides {value}, nobody's input", node_name(touched)),
            });
        }
        let correct: Vec<NodeId> = nodes
            .ids()
            .filter(|&n| !config.is_faulty(n) && !self.crashed.contains(&n))
            .collect();
        let decided: Vec<(NodeId, u16)> = correct
            .iter()
            .filter_map(|&n| Some((n, nodes.durable(n)?.decided?)))
            .collect();
        if !self.disagreement {
            if let Some(&(other, v)) = decided.iter().find(|d| d.1 != value) {
                if correct.contains(&touched) {
                    self.disagreement = true;
                    let failures = u32::from(config.faulty) + self.crashed.len() as u32;
                    let too_few = config.rounds <= failures;
                    found.push(Finding {
                        invariant: if too_few { TOO_FEW_ROUNDS } else { AGREEMENT },
                        nodes: vec![other, touched],
                        detail: format!(
                            "{} decided {v} and {} decides {value}, after {} round(s) with {failures} failure(s)",
                            node_name(other),
                            node_name(touched),
                            config.rounds
                        ),
                    });
                }
            }
        }
        if !self.terminated && decided.len() == correct.len() {
            self.terminated = true;
            found.push(Finding {
                invariant: TERMINATION,
                nodes: correct,
                detail: format!(
                    "every correct node has decided, after {} round(s)",
                    config.rounds
                ),
            });
        }
    }
}
