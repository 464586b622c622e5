//! The checks, from outside the nodes: each kind of stamp respects causality (a node's
//! stamps grow, and a receive is stamped after its send: Lamport 1978, Fidge 1988, Mattern
//! 1988, Kulkarni et al. 2014); external consistency of TrueTime commits with commit-wait
//! (Corbett et al. 2012, section 4.1.2), and its loss without; and the two things wall
//! clocks do that nobody wants: a last-write-wins register keeping the earlier write, and
//! a timeout measured on the wall clock firing early or late.

use super::node::{ClockNode, Stamps};
use crate::timeline::true_time;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::logical_clock::Causality;

pub const LAMPORT: usize = 0;
pub const VECTOR: usize = 1;
pub const HLC: usize = 2;
pub const EXTERNAL: usize = 3;
pub const EXTERNAL_LOST: usize = 4;
pub const LWW_LOST: usize = 5;
pub const TIMEOUT: usize = 6;
pub const LAMPORT_CHECK: &str = "Lamport stamps respect causality";
pub const EXTERNAL_CHECK: &str = "External consistency";
pub const EXTERNAL_LOST_CHECK: &str = "A commit stamped before one that finished first";
pub const LWW_LOST_CHECK: &str = "A later write silently lost";
pub const TIMEOUT_CHECK: &str = "A wall-clock timeout misfired";

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: LAMPORT_CHECK,
        modality: Modality::Always,
        description: "If a happened before b, L(a) < L(b): each node's Lamport time grows with every event, and a receive is stamped above its send.",
    },
    InvariantSpec {
        name: "Vector stamps respect causality",
        modality: Modality::Always,
        description: "Each event's vector is above the node's previous one and, for a receive, above the send's: vectors order events exactly as happens-before does.",
    },
    InvariantSpec {
        name: "Hybrid stamps respect causality",
        modality: Modality::Always,
        description: "A hybrid logical clock's stamps grow on each node and a receive is stamped above its send, even when a wall clock steps backwards.",
    },
    InvariantSpec {
        name: EXTERNAL_CHECK,
        modality: Modality::Always,
        description: "With commit-wait: if T1 was acknowledged before T2 was requested (in true time), T1's timestamp is below T2's. It holds while every clock is within ε of true time.",
    },
    InvariantSpec {
        name: EXTERNAL_LOST_CHECK,
        modality: Modality::Anomaly,
        description: "Without commit-wait: a transaction acknowledged before another began got the larger timestamp, so the timestamp order contradicts what clients saw.",
    },
    InvariantSpec {
        name: LWW_LOST_CHECK,
        modality: Modality::Anomaly,
        description: "A register kept a write over one made later in true time, because the earlier writer's wall clock ran ahead: the later write vanished without an error.",
    },
    InvariantSpec {
        name: TIMEOUT_CHECK,
        modality: Modality::Anomaly,
        description: "A timeout measured on the wall clock fired early, or is overdue, by the monotonic clock beside it: a clock step moved its deadline. The monotonic one keeps time.",
    },
];

#[derive(Clone, Debug, Default)]
pub struct ClockChecks;

/// Which stamp kinds order `a` strictly before `b` (Lamport, vector, hybrid).
pub fn ordered(a: &Stamps, b: &Stamps) -> [bool; 3] {
    [
        a.lamport < b.lamport,
        a.vector.compare(&b.vector) == Causality::Before,
        a.hlc < b.hlc,
    ]
}

fn name(node: NodeId) -> String {
    node_name(node)
}

impl ClockChecks {
    fn stamps(nodes: &Nodes<'_, ClockNode>, touched: NodeId, found: &mut Vec<Finding>) {
        let Some(d) = nodes.durable(touched) else {
            return;
        };
        let Some(last) = d.events.last() else { return };
        const WHAT: [&str; 3] = ["Lamport", "vector", "hybrid"];
        let shown = |s: &Stamps, k: usize| match k {
            0 => s.lamport.0.to_string(),
            1 => s.vector.to_string(),
            _ => super::node::format_hlc(s.hlc),
        };
        if let Some(prev) = d.events.len().checked_sub(2).map(|i| &d.events[i]) {
            for (k, ok) in ordered(&prev.stamps, &last.stamps).into_iter().enumerate() {
                if !ok {
                    found.push(Finding {
                        invariant: k,
                        detail: format!(
                            "{}'s event {} got {} stamp {}, not above its previous {}",
                            name(touched),
                            last.number + 1,
                            WHAT[k],
                            shown(&last.stamps, k),
                            shown(&prev.stamps, k)
                        ),
                        nodes: vec![touched],
                    });
                }
            }
        }
        if let (Some(sent), super::node::EventKind::Receive { from, .. }) = (&last.sent, last.kind)
        {
            for (k, ok) in ordered(sent, &last.stamps).into_iter().enumerate() {
                if !ok {
                    found.push(Finding {
                        invariant: k,
                        detail: format!(
                            "{} gave a receive the {} stamp {}, not above {}'s send, stamped {}",
                            name(touched),
                            WHAT[k],
                            shown(&last.stamps, k),
                            name(from),
                            shown(sent, k)
                        ),
                        nodes: vec![from, touched],
                    });
                }
            }
        }
    }

    fn external(nodes: &Nodes<'_, ClockNode>, touched: NodeId, found: &mut Vec<Finding>) {
        let Some(t2) = nodes.durable(touched).and_then(|d| d.txns.last()) else {
            return;
        };
        let requested = true_time(nodes, touched, t2.request_mono);
        let mut worst: Option<(NodeId, u32, i64)> = None;
        for node in nodes.ids() {
            let Some(d) = nodes.durable(node) else {
                continue;
            };
            for t1 in &d.txns {
                let Some(ack) = t1.ack_mono else { continue };
                if true_time(nodes, node, ack) < requested
                    && t1.ts >= t2.ts
                    && worst.is_none_or(|(_, _, ts)| t1.ts > ts)
                {
                    worst = Some((node, t1.number, t1.ts));
                }
            }
        }
        if let Some((node, number, ts)) = worst {
            let invariant = if nodes.config().commit_wait {
                EXTERNAL
            } else {
                EXTERNAL_LOST
            };
            found.push(Finding {
                invariant,
                detail: format!(
                    "T{}.{} finished before T{}.{} began, yet its timestamp {} is not below {}",
                    node + 1,
                    number + 1,
                    touched + 1,
                    t2.number + 1,
                    super::node::format_wall(ts),
                    super::node::format_wall(t2.ts)
                ),
                nodes: vec![node, touched],
            });
        }
    }

    fn lww(nodes: &Nodes<'_, ClockNode>, touched: NodeId, found: &mut Vec<Finding>) {
        let Some(d) = nodes.durable(touched).and_then(|d| d.decision) else {
            return;
        };
        let kept_at = true_time(nodes, d.kept.writer, d.kept.mono);
        let dropped_at = true_time(nodes, d.dropped.writer, d.dropped.mono);
        if dropped_at > kept_at {
            found.push(Finding {
                invariant: LWW_LOST,
                detail: format!(
                    "{} kept x={} (written at {}) over x={} (written later, at {}): {}'s clock stamped it {}",
                    name(touched),
                    d.kept.value,
                    failscope_sim::time::format_duration(kept_at),
                    d.dropped.value,
                    failscope_sim::time::format_duration(dropped_at),
                    name(d.kept.writer),
                    super::node::format_wall(d.kept.stamp)
                ),
                nodes: vec![touched, d.kept.writer, d.dropped.writer],
            });
        }
    }

    fn timeout(nodes: &Nodes<'_, ClockNode>, touched: NodeId, found: &mut Vec<Finding>) {
        let config = nodes.config();
        let (t, poll) = (config.timeout_us as i64, config.poll_us() as i64);
        let (Some(d), Some(state), Some(clock)) = (
            nodes.durable(touched),
            nodes.state(touched),
            nodes.clock(touched),
        ) else {
            return;
        };
        let early = d
            .firings
            .last()
            .filter(|f| f.wall && f.fired_mono - f.set_mono < t - poll);
        if let Some(f) = early {
            found.push(Finding {
                invariant: TIMEOUT,
                detail: format!(
                    "{}'s {} wall-clock timeout fired after {} by its monotonic clock",
                    name(touched),
                    failscope_sim::time::format_duration(t as u64),
                    failscope_sim::time::format_duration((f.fired_mono - f.set_mono).max(0) as u64)
                ),
                nodes: vec![touched],
            });
        }
        let waited = clock.monotonic(nodes.now()) - state.wall_armed_mono;
        if waited > t + 2 * poll {
            found.push(Finding {
                invariant: TIMEOUT,
                detail: format!(
                    "{}'s {} wall-clock timeout has not fired after {} by its monotonic clock",
                    name(touched),
                    failscope_sim::time::format_duration(t as u64),
                    failscope_sim::time::format_duration(waited as u64)
                ),
                nodes: vec![touched],
            });
        }
    }
}

impl Checker<ClockNode> for ClockChecks {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, ClockNode>, touched: NodeId, found: &mut Vec<Finding>) {
        use super::config::Mode;
        match nodes.config().mode {
            Mode::Messages | Mode::Relay => Self::stamps(nodes, touched, found),
            Mode::LastWriteWins => Self::lww(nodes, touched, found),
            Mode::TrueTime => Self::external(nodes, touched, found),
        }
        if nodes.config().timeout_us > 0 {
            Self::timeout(nodes, touched, found);
        }
    }
}
