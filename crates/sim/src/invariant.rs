//! Named invariants, checked live as a run goes, from outside the nodes (as TigerBeetle's and
//! stateright's checkers do: the checker sees every node, no node sees the checker).

use crate::ids::{MsgId, NodeId};
use crate::protocol::Protocol;
use crate::time::Time;
use crate::world::NodeStatus;
use serde::Serialize;

/// When a property must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// In every state (a safety property). A violation is a bug.
    Always,
    /// In some state (liveness, observed): green once seen. Guards against checks that pass
    /// only because nothing happened.
    Sometimes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InvariantSpec {
    pub name: &'static str,
    pub modality: Modality,
    /// One sentence, in our words, shown in the invariant panel.
    pub description: &'static str,
}

/// What a checker reports after an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Index into the checker's specs.
    pub invariant: usize,
    /// For `Always`: it was violated. For `Sometimes`: it was observed.
    pub nodes: Vec<NodeId>,
    pub detail: String,
}

/// Read-only access to every node, for checkers.
pub struct Nodes<'a, P: Protocol> {
    pub(crate) slots: &'a [crate::world::Node<P>],
    pub(crate) config: &'a P::Config,
}

impl<'a, P: Protocol> Nodes<'a, P> {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The node's volatile state, or `None` while it is crashed.
    pub fn state(&self, node: NodeId) -> Option<&'a P> {
        self.slots.get(usize::from(node))?.state.as_ref()
    }

    pub fn durable(&self, node: NodeId) -> Option<&'a P::Durable> {
        self.slots.get(usize::from(node)).map(|s| &s.durable)
    }

    pub fn status(&self, node: NodeId) -> Option<NodeStatus> {
        self.slots.get(usize::from(node)).map(|s| s.status)
    }

    pub fn config(&self) -> &'a P::Config {
        self.config
    }

    pub fn ids(&self) -> impl Iterator<Item = NodeId> {
        0..self.slots.len() as NodeId
    }
}

/// The invariants of one lab, with whatever memory they need (leaders seen per term...).
pub trait Checker<P: Protocol>: Clone + Default + std::fmt::Debug {
    fn specs() -> &'static [InvariantSpec];
    /// Called after every event that ran a handler on `touched`.
    fn check(&mut self, nodes: &Nodes<'_, P>, touched: NodeId, found: &mut Vec<Finding>);
}

/// The first violation of an invariant: when, where, and who was involved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub time: Time,
    /// Index of the trace event that recorded it (jump here).
    pub trace_index: usize,
    pub nodes: Vec<NodeId>,
    pub messages: Vec<MsgId>,
    pub detail: String,
}

/// An invariant's state so far in a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InvariantStatus {
    pub first_violation: Option<Violation>,
    /// For `Sometimes`: when it was first observed.
    pub observed_at: Option<Time>,
}

/// An invariant with its status, for reports and the invariant panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvariantReport {
    pub spec: InvariantSpec,
    pub status: InvariantStatus,
}

impl InvariantReport {
    /// Green: an `Always` that holds so far, or a `Sometimes` that has been seen.
    pub fn ok(&self) -> bool {
        match self.spec.modality {
            Modality::Always => self.status.first_violation.is_none(),
            Modality::Sometimes => self.status.observed_at.is_some(),
        }
    }
}
