//! The client history: every operation's invoke and return, read from the trace. This is
//! what consistency checkers (and external ones such as Knossos or Porcupine) consume.

use crate::client::{ClientOp, Outcome};
use crate::ids::{ClientId, NodeId};
use crate::time::Time;
use crate::trace::{Trace, TraceEvent, TraceKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One completed (or still open) operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// The client process that issued it.
    pub process: ClientId,
    pub seq: u32,
    /// The node it was first sent to.
    pub node: NodeId,
    pub op: ClientOp,
    pub invoke_us: Time,
    /// `None` while no answer has come back.
    pub return_us: Option<Time>,
    pub outcome: Option<Outcome>,
}

/// Operations in invocation order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub operations: Vec<Operation>,
}

impl History {
    /// Read the history out of a whole trace.
    pub fn from_trace(trace: &Trace) -> History {
        History::from_events(trace.events())
    }

    /// Read the history out of trace events (a prefix of a trace: the run up to a cursor).
    pub fn from_events(events: &[TraceEvent]) -> History {
        let mut operations: Vec<Operation> = Vec::new();
        let mut open: BTreeMap<(ClientId, u32), usize> = BTreeMap::new();
        for event in events {
            match &event.kind {
                TraceKind::ClientInvoke {
                    client,
                    seq,
                    node,
                    op,
                } => {
                    open.insert((*client, *seq), operations.len());
                    operations.push(Operation {
                        process: *client,
                        seq: *seq,
                        node: *node,
                        op: *op,
                        invoke_us: event.time,
                        return_us: None,
                        outcome: None,
                    });
                }
                TraceKind::ClientReturn {
                    client,
                    seq,
                    outcome,
                } => {
                    if let Some(index) = open.remove(&(*client, *seq)) {
                        operations[index].return_us = Some(event.time);
                        operations[index].outcome = Some(*outcome);
                    }
                }
                _ => {}
            }
        }
        History { operations }
    }

    /// Operations that have returned, with their outcome.
    pub fn completed(&self) -> impl Iterator<Item = &Operation> {
        self.operations.iter().filter(|op| op.outcome.is_some())
    }
}
