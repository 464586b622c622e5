//! The check, from outside the nodes: each call takes effect at most once. The server's
//! charges record which call each was for (the checker's knowledge, not the server's), so a
//! call charged twice is seen at the second charge. And the anomaly the lab is about: a call
//! the client gave up on (it saw only a timeout) that the server did charge.

use super::node::{Rpc, Saw, CLIENT, SERVER};
use failscope_sim::ids::NodeId;
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};

pub const ONCE: usize = 0;
pub const ONCE_CHECK: &str = "Each call takes effect at most once";
pub const UNKNOWN: usize = 1;

const SPECS: &[InvariantSpec] = &[InvariantSpec {
    name: ONCE_CHECK,
    modality: Modality::Always,
    description: "The server charged the same call twice: a retry was taken for a new request. Retrying is only safe when the server can recognise a repeat (an idempotency key).",
},
InvariantSpec {
    name: "Charged behind the client's back",
    modality: Modality::Anomaly,
    description: "The client gave up on a call after a timeout, yet the server did charge it. The client cannot tell this from a call that never arrived; only a retry that the server can recognise settles it.",
}];

#[derive(Clone, Debug, Default)]
pub struct RpcChecks;

impl Checker<Rpc> for RpcChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Rpc>, touched: NodeId, found: &mut Vec<Finding>) {
        let (Some(client), Some(d)) = (nodes.durable(CLIENT), nodes.durable(SERVER)) else {
            return;
        };
        let behind = |s: &&super::node::Seen| s.saw == Saw::GaveUp && d.charges.contains(&s.call);
        if let Some(s) = client.history.iter().rfind(behind) {
            found.push(Finding {
                invariant: UNKNOWN,
                detail: format!(
                    "S1 gave up on call {} after a timeout, but S2 charged it",
                    s.call
                ),
                nodes: vec![CLIENT, SERVER],
            });
        }
        if touched != SERVER {
            return;
        }
        let Some((&last, earlier)) = d.charges.split_last() else {
            return;
        };
        if let Some(first) = earlier.iter().position(|&c| c == last) {
            found.push(Finding {
                invariant: ONCE,
                detail: format!(
                    "call {last} was charged twice: charges #{} and #{}",
                    first + 1,
                    d.charges.len()
                ),
                nodes: vec![SERVER],
            });
        }
    }
}
