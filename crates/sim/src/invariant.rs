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
    /// In some state, and unwelcome: something the design allows that a user would not want
    /// (a stale read, a lost write, an outage). Observed like `Sometimes`, but neither good
    /// nor bad when seen: the lab's challenges ask people to make these happen.
    Anomaly,
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
    /// For `Always`: it was violated. For `Sometimes` and `Anomaly`: it was observed.
    pub nodes: Vec<NodeId>,
    pub detail: String,
}

/// Read-only access to every node, for checkers.
pub struct Nodes<'a, P: Protocol> {
    pub(crate) slots: &'a [crate::world::Node<P>],
    pub(crate) config: &'a P::Config,
    pub(crate) now: Time,
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

    /// The node's clocks: checkers and pictures may read them, e.g. to place on the true
    /// timeline what a node recorded on its own clock.
    pub fn clock(&self, node: NodeId) -> Option<&'a crate::clock::NodeClock> {
        self.slots.get(usize::from(node)).map(|s| &s.clock)
    }

    pub fn config(&self) -> &'a P::Config {
        self.config
    }

    /// The true simulated time. Checkers sit outside the nodes and may read it (a property
    /// such as "no leader for five seconds" needs it); nodes see only their own clocks.
    pub fn now(&self) -> Time {
        self.now
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

/// The first observation of a `Sometimes` or `Anomaly` property: when, where in the trace,
/// and who.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Observation {
    pub time: Time,
    /// How many trace events were recorded before it (an observation records no event of
    /// its own: the trace is the same with or without the checker).
    pub trace_index: usize,
    pub nodes: Vec<NodeId>,
    pub detail: String,
}

/// An invariant's state so far in a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InvariantStatus {
    pub first_violation: Option<Violation>,
    /// For `Sometimes` and `Anomaly`: its first observation.
    pub observed: Option<Observation>,
}

impl InvariantStatus {
    /// For `Sometimes` and `Anomaly`: when it was first observed.
    pub fn observed_at(&self) -> Option<Time> {
        self.observed.as_ref().map(|o| o.time)
    }
}

/// An invariant with its status, for reports and the invariant panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvariantReport {
    pub spec: InvariantSpec,
    pub status: InvariantStatus,
}

impl InvariantReport {
    /// Green: an `Always` that holds so far, or a `Sometimes` that has been seen. An
    /// `Anomaly` is never a failure of the run, seen or not.
    pub fn ok(&self) -> bool {
        match self.spec.modality {
            Modality::Always => self.status.first_violation.is_none(),
            Modality::Sometimes => self.status.observed.is_some(),
            Modality::Anomaly => true,
        }
    }

    /// When it first fired: violated (`Always`) or observed (the other kinds). What a
    /// chapter cued on it waits for.
    pub fn fired_at(&self) -> Option<Time> {
        match self.spec.modality {
            Modality::Always => self.status.first_violation.as_ref().map(|v| v.time),
            _ => self.status.observed_at(),
        }
    }
}
