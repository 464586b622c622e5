//! The checks, from outside the nodes: a half-open breaker lets at most its probe quota
//! through (safety); goodput recovers after the trigger clears (observed, and by design
//! never in the metastable presets); and a request for the healthy dependency B failed
//! because of A (an anomaly: the failure spread).

use super::config::{Config, CLIENTS};
use super::node::{BreakerState, Resilience, RECOVERED_PCT};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::time::format_duration;

pub const PROBE_QUOTA: usize = 0;
pub const RECOVERS: usize = 1;
pub const SPREAD: usize = 2;
pub const PROBE_QUOTA_CHECK: &str = "Half-open breaker keeps to its probe quota";
pub const RECOVERS_CHECK: &str = "Goodput recovers after the trigger clears";
pub const SPREAD_CHECK: &str = "A request for healthy B failed";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: PROBE_QUOTA_CHECK,
        modality: Modality::Always,
        description: "While a circuit breaker is half-open it lets at most its probe quota of calls through to the dependency.",
    },
    InvariantSpec {
        name: RECOVERS_CHECK,
        modality: Modality::Sometimes,
        description: "Some full second after the trigger has cleared answers at least 90 % of the offered requests in time. A metastable failure never does.",
    },
    InvariantSpec {
        name: SPREAD_CHECK,
        modality: Modality::Anomaly,
        description: "A request that needs only dependency B, which stays healthy, failed: no worker was free, or its instance was being restarted.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct ResilienceChecks;

impl Checker<Resilience> for ResilienceChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Resilience>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        if touched == CLIENTS {
            if let Some(at) = nodes.state(CLIENTS).and_then(|s| s.recovered_at) {
                found.push(Finding {
                    invariant: RECOVERS,
                    detail: format!(
                        "in the second up to {} at least {RECOVERED_PCT} % of the offered requests were answered in time",
                        format_duration(at)
                    ),
                    nodes: vec![CLIENTS],
                });
            }
            return;
        }
        if !Config::is_instance(touched) {
            return;
        }
        let Some(s) = nodes.state(touched) else {
            return;
        };
        if config.breaker {
            for (dep, b) in s.breakers.iter().enumerate() {
                if b.state == BreakerState::HalfOpen && b.probes > config.probe_quota {
                    found.push(Finding {
                        invariant: PROBE_QUOTA,
                        detail: format!(
                            "{}'s half-open breaker to {} let {} calls through; its quota is {}",
                            node_name(touched),
                            super::config::dep_name(dep as u8),
                            b.probes,
                            config.probe_quota
                        ),
                        nodes: vec![touched, super::config::dep_node(dep as u8)],
                    });
                }
            }
        }
        if s.unrelated_failures > 0 {
            found.push(Finding {
                invariant: SPREAD,
                detail: format!(
                    "{} failed a request for B: {}",
                    node_name(touched),
                    if s.restarting_until.is_some() {
                        "it is being restarted"
                    } else {
                        "no worker was free"
                    }
                ),
                nodes: vec![touched],
            });
        }
    }
}
