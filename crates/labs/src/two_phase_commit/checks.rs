//! The checks, from outside the nodes: nobody commits unless every participant voted yes;
//! no participant commits a transaction another aborts (atomicity); and the anomaly the
//! protocol allows: a participant stuck in doubt, holding its locks, for more than 2 s.

use super::node::{lookup, TwoPc};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::time::{format_duration, Time, SECOND};

pub const UNANIMOUS: usize = 0;
pub const ATOMIC: usize = 1;
pub const BLOCKED: usize = 2;
pub const UNANIMOUS_CHECK: &str = "Commit only on unanimous yes";
pub const ATOMIC_CHECK: &str = "Atomicity";
pub const BLOCKED_CHECK: &str = "Blocked in doubt";
/// How long in doubt counts as blocked.
pub const BLOCKED_US: Time = 2 * SECOND;

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: UNANIMOUS_CHECK,
        modality: Modality::Always,
        description: "A participant committed a transaction that some participant voted no on, or never voted on.",
    },
    InvariantSpec {
        name: ATOMIC_CHECK,
        modality: Modality::Always,
        description: "One participant committed a transaction that another aborted: all or nothing is broken.",
    },
    InvariantSpec {
        name: BLOCKED_CHECK,
        modality: Modality::Anomaly,
        description: "A participant voted yes and has waited more than 2 s for the decision, holding its locks: it may not decide alone. This is the price of two-phase commit, not a bug.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct TwoPcChecks;

impl Checker<TwoPc> for TwoPcChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, TwoPc>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        let Some(d) = nodes.durable(touched).filter(|_| touched != 0) else {
            return;
        };
        let me = node_name(touched);
        for &(txn, commit) in &d.outcomes {
            for p in config.participants().filter(|&p| p != touched) {
                let Some(other) = nodes.durable(p) else {
                    continue;
                };
                if commit && lookup(&other.votes, txn) != Some(true) {
                    found.push(Finding {
                        invariant: UNANIMOUS,
                        detail: format!(
                            "{me} committed T{txn} but {} {}",
                            node_name(p),
                            match lookup(&other.votes, txn) {
                                Some(_) => "voted no",
                                None => "never voted",
                            }
                        ),
                        nodes: vec![touched, p],
                    });
                }
                if lookup(&other.outcomes, txn) == Some(!commit) {
                    let (c, a) = if commit { (touched, p) } else { (p, touched) };
                    found.push(Finding {
                        invariant: ATOMIC,
                        detail: format!(
                            "{} committed T{txn} and {} aborted it",
                            node_name(c),
                            node_name(a)
                        ),
                        nodes: vec![c, a],
                    });
                }
            }
        }
        // Judged while in doubt and once more when it ends (a wait can end between checks).
        let Some(hold) = d.holds.last() else { return };
        if let (Some(doubt), Some(clock)) = (hold.doubt_mono, nodes.clock(touched)) {
            let end = hold
                .to_mono
                .map_or(nodes.now(), |m| clock.true_time_of_monotonic(m));
            let waited = end.saturating_sub(clock.true_time_of_monotonic(doubt));
            if waited > BLOCKED_US {
                found.push(Finding {
                    invariant: BLOCKED,
                    detail: format!(
                        "{me} {} in doubt about T{} for {}, holding its locks",
                        if hold.to_mono.is_some() {
                            "was"
                        } else {
                            "has been"
                        },
                        hold.txn,
                        format_duration(waited)
                    ),
                    nodes: vec![touched],
                });
            }
        }
    }
}
