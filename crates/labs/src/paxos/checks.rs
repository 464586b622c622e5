//! The checks, from outside the nodes. A value is *chosen* once a majority of acceptors have
//! accepted it in one ballot (whatever they accept later). Safety: at most one value is
//! chosen, only a proposer's input is chosen, a learner never un-learns. Liveness, observed:
//! a value is chosen; and the anomaly a person can make happen with backoff off: two
//! proposers and nothing chosen for ten seconds.

use super::node::{value_name, Ballot, Flavour, Paxos, Value};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::time::{Time, SECOND};

pub const ONE_VALUE: usize = 0;
pub const VALIDITY: usize = 1;
pub const NO_UNLEARN: usize = 2;
pub const DECIDED: usize = 3;
pub const DUEL: usize = 4;
pub const ONE_VALUE_CHECK: &str = "At most one value is chosen";
pub const VALIDITY_CHECK: &str = "Only a proposed value is chosen";
pub const NO_UNLEARN_CHECK: &str = "A learner never un-learns";
pub const DECIDED_CHECK: &str = "A value is chosen";
pub const DUEL_CHECK: &str = "Two proposers, nothing chosen for 10 s";

/// How long two proposers must go without a choice for [`DUEL`].
pub const DUEL_US: Time = 10 * SECOND;

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: ONE_VALUE_CHECK,
        modality: Modality::Always,
        description: "Once a majority of acceptors have accepted a value in one ballot, no majority ever accepts a different value in any ballot.",
    },
    InvariantSpec {
        name: VALIDITY_CHECK,
        modality: Modality::Always,
        description: "The value chosen is one that some proposer was asked to propose, not one made up on the way.",
    },
    InvariantSpec {
        name: NO_UNLEARN_CHECK,
        modality: Modality::Always,
        description: "A learner that has learned a value keeps it: it never forgets it, not even across a restart, and never swaps it for another.",
    },
    InvariantSpec {
        name: DECIDED_CHECK,
        modality: Modality::Sometimes,
        description: "Some value gets chosen. Paxos cannot promise this (two proposers can keep overtaking each other), only that nothing goes wrong meanwhile.",
    },
    InvariantSpec {
        name: DUEL_CHECK,
        modality: Modality::Anomaly,
        description: "Two proposers have both tried and ten seconds have passed with no value chosen, though nothing need have crashed: a livelock.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct PaxosChecks {
    /// Per ballot: its value and the acceptors that accepted in it.
    votes: Vec<(Ballot, Value, Vec<NodeId>)>,
    chosen: Option<(Ballot, Value)>,
    /// Ballots already found chosen (each reported once).
    chosen_ballots: Vec<Ballot>,
    /// What each learner has learned, once it has.
    learned: Vec<(NodeId, Value)>,
    duel_seen: bool,
}

impl PaxosChecks {
    /// A value chosen (and whether it is valid, and the only one) after `touched`, an
    /// acceptor, acted. Shared with the other labs that run Paxos.
    pub(crate) fn on_acceptor<K: Flavour>(
        &mut self,
        nodes: &Nodes<'_, Paxos<K>>,
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        let config = nodes.config();
        let Some((ballot, value)) = nodes.durable(touched).and_then(|d| d.accepted) else {
            return;
        };
        let at = match self.votes.iter().position(|v| v.0 == ballot) {
            Some(at) => at,
            None => {
                self.votes.push((ballot, value, Vec::new()));
                self.votes.len() - 1
            }
        };
        let voters = &mut self.votes[at].2;
        if !voters.contains(&touched) {
            voters.push(touched);
        }
        if voters.len() < config.majority() || self.chosen_ballots.contains(&ballot) {
            return;
        }
        let voters = voters.clone();
        self.chosen_ballots.push(ballot);
        found.push(Finding {
            invariant: DECIDED,
            nodes: voters.clone(),
            detail: format!("{} chosen in ballot {}", value_name(value), ballot.name()),
        });
        if value == 0 || value > config.n_proposers as Value {
            found.push(Finding {
                invariant: VALIDITY,
                nodes: voters.clone(),
                detail: format!(
                    "{} is chosen in ballot {}, but no proposer proposed it",
                    value_name(value),
                    ballot.name()
                ),
            });
        }
        match self.chosen {
            None => self.chosen = Some((ballot, value)),
            Some((first, v)) if v != value => {
                let names: Vec<String> = voters.iter().map(|&n| node_name(n)).collect();
                found.push(Finding {
                    invariant: ONE_VALUE,
                    nodes: voters,
                    detail: format!(
                        "{} was chosen in ballot {}, and now {} accept {} in ballot {}",
                        value_name(v),
                        first.name(),
                        names.join(", "),
                        value_name(value),
                        ballot.name()
                    ),
                });
            }
            Some(_) => {}
        }
    }

    pub(crate) fn on_learner<K: Flavour>(
        &mut self,
        nodes: &Nodes<'_, Paxos<K>>,
        touched: NodeId,
        found: &mut Vec<Finding>,
    ) {
        let Some(learner) = nodes.state(touched).and_then(Paxos::<K>::learner) else {
            return;
        };
        let now = learner.learned.map(|l| l.1);
        let before = self.learned.iter().position(|l| l.0 == touched);
        match (before, now) {
            (None, Some(v)) => self.learned.push((touched, v)),
            (Some(i), now) if now != Some(self.learned[i].1) => {
                let had = value_name(self.learned[i].1);
                found.push(Finding {
                    invariant: NO_UNLEARN,
                    nodes: vec![touched],
                    detail: match now {
                        Some(v) => format!(
                            "{} had learned {had} and now says {}",
                            node_name(touched),
                            value_name(v)
                        ),
                        None => format!(
                            "{} had learned {had} and now knows nothing",
                            node_name(touched)
                        ),
                    },
                });
                if let Some(v) = now {
                    self.learned[i].1 = v;
                }
            }
            _ => {}
        }
    }
}

impl PaxosChecks {
    /// The first value chosen, if any.
    pub fn chosen(&self) -> Option<(Ballot, Value)> {
        self.chosen
    }
}

impl Checker<Paxos> for PaxosChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Paxos>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        if config.is_acceptor(touched) {
            self.on_acceptor(nodes, touched, found);
        } else if !config.is_proposer(touched) {
            self.on_learner(nodes, touched, found);
        }
        if !self.duel_seen && self.chosen.is_none() && nodes.now() >= DUEL_US {
            let tried: Vec<NodeId> = (0..config.n_proposers)
                .filter(|&p| {
                    nodes
                        .state(p)
                        .and_then(Paxos::proposer)
                        .is_some_and(|p| p.tries > 0)
                })
                .collect();
            if tried.len() >= 2 {
                self.duel_seen = true;
                let names: Vec<String> = tried.iter().map(|&n| node_name(n)).collect();
                found.push(Finding {
                    invariant: DUEL,
                    detail: format!(
                        "{} have tried {} ballots between them and nothing is chosen",
                        names.join(" and "),
                        tried
                            .iter()
                            .filter_map(|&p| nodes.state(p).and_then(Paxos::proposer))
                            .map(|p| u64::from(p.tries))
                            .sum::<u64>()
                    ),
                    nodes: tried,
                });
            }
        }
    }
}
