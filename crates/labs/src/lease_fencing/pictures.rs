//! The lab's pictures: one lane per client with its lease, held (the lock service agrees),
//! believed held after it expired (outlined: the danger), and storage's tokens over time.
//! Nodes record on their monotonic clocks; the picture places that on the true timeline.

use super::client::Belief;
use super::config::Config;
use super::node::Lease;
use crate::timeline::{span, true_time};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Lane, Lanes, Picture, PictureKind};
use failscope_sim::protocol::Tone;
use failscope_sim::time::Time;

pub fn all(config: &Config, nodes: &Nodes<'_, Lease>, now: Time) -> Vec<Picture> {
    let mut pictures = vec![leases(config, nodes, now)];
    if let Some(storage) = nodes.durable(config.storage()) {
        pictures.push(storage.disk.tokens_picture("storage", "token"));
    }
    pictures
}

/// When the lease behind `belief` really ended: when fewer than a majority of the lock
/// servers that granted it still held it (`None`: still held now).
fn lease_end(
    config: &Config,
    nodes: &Nodes<'_, Lease>,
    client: NodeId,
    b: &Belief,
) -> Option<Time> {
    let mut ends: Vec<Time> = config
        .locks()
        .filter_map(|lock| {
            let history = &nodes.durable(lock)?.lock.history;
            let held = history
                .iter()
                .rev()
                .find(|h| h.client == client && h.attempt == b.attempt)?;
            Some(
                held.to_mono
                    .map_or(Time::MAX, |m| true_time(nodes, lock, m)),
            )
        })
        .collect();
    ends.sort_unstable();
    let end = *ends.get(ends.len().checked_sub(usize::from(config.majority()))?)?;
    (end != Time::MAX).then_some(end)
}

fn leases(config: &Config, nodes: &Nodes<'_, Lease>, now: Time) -> Picture {
    let mut version = 0u64;
    let lanes = (0..config.n_clients)
        .map(|client| {
            let beliefs = nodes.durable(client).map_or(&[][..], |d| &d.beliefs[..]);
            let mut spans = Vec::new();
            let held = |b: &Belief| format!("held, token {}", b.token);
            for (i, b) in beliefs.iter().enumerate() {
                let start = true_time(nodes, client, b.from_mono);
                let end = b.to_mono.map(|m| true_time(nodes, client, m));
                version = version
                    .wrapping_mul(31)
                    .wrapping_add(start ^ end.unwrap_or(1));
                // Held while the lock servers agree; believed held (outlined) after that.
                match lease_end(config, nodes, client, b).filter(|&e| e < end.unwrap_or(now)) {
                    Some(expiry) => {
                        let expiry = expiry.max(start);
                        if expiry > start {
                            spans.push(span(start, Some(expiry), held(b), Tone::Primary, false));
                        }
                        let label = "believed held, expired".into();
                        spans.push(span(expiry, end, label, Tone::Suspect, true));
                    }
                    None => spans.push(span(start, end, held(b), Tone::Primary, false)),
                }
                // Known to be over, until the client holds the lock again.
                let next = beliefs
                    .get(i + 1)
                    .map(|n| true_time(nodes, client, n.from_mono));
                if let Some(end) = end.filter(|&e| next.is_none_or(|n| n > e)) {
                    spans.push(span(end, next, "expired".into(), Tone::Idle, false));
                }
            }
            Lane {
                label: node_name(client),
                spans,
            }
        })
        .collect();
    Picture {
        id: "leases",
        title: "Each client's lease".into(),
        caption: "When each client held the lock, and (outlined) when it still believed it did after its lease had expired.".into(),
        primary: false,
        version,
        kind: PictureKind::Lanes(Lanes {
            lanes,
            marks: Vec::new(),
        }),
    }
}
