//! The checks, from outside the services, over the spans they export: every span but a
//! trace's root has its parent in the same trace (recorded, or still open at its service);
//! and the anomaly an SLO exists to catch: the error budget burning fast.

use super::config::{CLIENT, GATEWAY, N_NODES};
use super::node::{service, Tracing};
use failscope_sim::ids::NodeId;
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};

pub const PARENT: usize = 0;
pub const BURN: usize = 1;
pub const PARENT_CHECK: &str = "Every span has its parent";
pub const BURN_CHECK: &str = "Error budget burning fast";

/// The window the burn rate is measured over, and the rate that counts as fast.
pub const BURN_WINDOW_US: i64 = 2_000_000;
pub const FAST_BURN: u64 = 2;

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: PARENT_CHECK,
        modality: Modality::Always,
        description: "Every span but the gateway's root span names a parent span that belongs to the same trace: the context went along with every call.",
    },
    InvariantSpec {
        name: BURN_CHECK,
        modality: Modality::Anomaly,
        description: "Over the last 2 s, requests failed or missed the latency objective at least twice as fast as the SLO's error budget allows.",
    },
];

/// The burn rate, in hundredths, of the client's results that ended in `(from, to]`:
/// the share of bad requests divided by the share the SLO allows. `None` with fewer than
/// ten requests.
pub fn burn_rate(
    results: &[(i64, i64, bool)],
    from: i64,
    to: i64,
    slo_us: i64,
    target_ppm: u64,
) -> Option<u64> {
    let window: Vec<&(i64, i64, bool)> =
        results.iter().filter(|r| r.1 > from && r.1 <= to).collect();
    if window.len() < 10 {
        return None;
    }
    let bad = window.iter().filter(|r| r.2 || r.1 - r.0 > slo_us).count() as u64;
    let allowed_ppm = 1_000_000u64.saturating_sub(target_ppm).max(1);
    Some(bad * 1_000_000 * 100 / (window.len() as u64 * allowed_ppm))
}

#[derive(Clone, Debug, Default)]
pub struct TraceChecks {
    seen: Vec<u64>,
    orphan: Option<Finding>,
    burning: Option<Finding>,
}

impl Checker<Tracing> for TraceChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Tracing>, touched: NodeId, found: &mut Vec<Finding>) {
        self.seen.resize(usize::from(N_NODES), 0);
        if let (Some(d), true) = (nodes.durable(touched), touched != CLIENT) {
            let new = (d.exported - self.seen[usize::from(touched)]).min(d.spans.len() as u64);
            self.seen[usize::from(touched)] = d.exported;
            for span in &d.spans[d.spans.len() - new as usize..] {
                if self.orphan.is_some() {
                    break;
                }
                let detail = match span.parent {
                    None if touched != GATEWAY => Some(format!(
                        "{}'s span for request {} has no parent: it arrived without a trace header and began trace {}…",
                        service(touched),
                        span.request + 1,
                        &span.trace.hex()[..8]
                    )),
                    Some(parent) => {
                        let recorded = nodes.ids().any(|n| {
                            nodes.durable(n).is_some_and(|d| {
                                d.spans.iter().any(|s| s.id == parent && s.trace == span.trace)
                            })
                        });
                        let open = nodes.ids().any(|n| {
                            nodes.state(n).is_some_and(|s| {
                                s.calls.iter().any(|c| c.span == parent && c.trace == span.trace)
                            })
                        });
                        // A caller that crashed took its open span with it: that parent is
                        // missing for a reason no header could fix.
                        let caller_lost = nodes.state(span.caller).is_none()
                            || nodes.durable(span.caller).is_some_and(|d| d.boots > 1);
                        (!recorded && !open && !caller_lost).then(|| {
                            format!(
                                "{}'s span for request {} names parent {parent:016x}, which is in no span of its trace {}…",
                                service(touched),
                                span.request + 1,
                                &span.trace.hex()[..8]
                            )
                        })
                    }
                    None => None,
                };
                if let Some(detail) = detail {
                    self.orphan = Some(Finding {
                        invariant: PARENT,
                        detail,
                        nodes: vec![touched],
                    });
                }
            }
        }
        if touched == CLIENT && self.burning.is_none() {
            let config = nodes.config();
            if let Some(d) = nodes.durable(CLIENT) {
                let to = d.results.last().map_or(0, |r| r.1);
                let burn = burn_rate(
                    &d.results,
                    to - BURN_WINDOW_US,
                    to,
                    config.slo_us as i64,
                    config.slo_target_ppm,
                );
                if let Some(b) = burn.filter(|&b| b >= FAST_BURN * 100) {
                    self.burning = Some(Finding {
                        invariant: BURN,
                        detail: format!(
                            "burn rate {}.{:02} over the last 2 s: at this pace the whole error budget is gone in 1/{}.{:02} of the SLO period",
                            b / 100,
                            b % 100,
                            b / 100,
                            b % 100
                        ),
                        nodes: vec![CLIENT, GATEWAY],
                    });
                }
            }
        }
        found.extend([&self.orphan, &self.burning].into_iter().flatten().cloned());
    }
}
