//! The lab's own picture: how many peers suspect each server right now. A bar for a server
//! that has not crashed (up, or paused) is a false suspicion, the very thing the strong-accuracy check flags, so the
//! picture and the Invariants tab tell the same story.

use super::node::{Config, Heartbeat};
use failscope_sim::ids::node_name;
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Bar, Bars, Picture, PictureKind, Scale};
use failscope_sim::protocol::Tone;
use failscope_sim::world::NodeStatus;

pub fn suspicions(config: &Config, nodes: &Nodes<'_, Heartbeat>) -> Picture {
    let mut version: u64 = 0;
    let bars = nodes
        .ids()
        .map(|server| {
            let suspected_by = nodes
                .ids()
                .filter(|&n| n != server)
                .filter(|&n| nodes.state(n).is_some_and(|s| s.suspects(server)))
                .count() as i64;
            // Paused counts as alive, as in the strong-accuracy check.
            let up = nodes.status(server).is_some_and(|s| s != NodeStatus::Down);
            version = version
                .wrapping_mul(31)
                .wrapping_add(suspected_by as u64 * 2 + u64::from(up));
            Bar {
                label: node_name(server),
                value: suspected_by,
                tone: match (up, suspected_by > 0) {
                    (false, _) => Tone::Faulty,
                    (true, true) => Tone::Suspect,
                    (true, false) => Tone::Secondary,
                },
                // Suspected while up: a false suspicion.
                highlight: up && suspected_by > 0,
            }
        })
        .collect::<Vec<_>>();
    let peers = bars.len().saturating_sub(1) as i64;
    Picture {
        id: "suspicions",
        title: "Who suspects whom".into(),
        caption: format!(
            "How many peers suspect each server after {} of silence; outlined bars are servers that have not crashed, suspected anyway.",
            failscope_sim::time::format_duration(config.suspect_after_us)
        ),
        primary: false,
        version,
        kind: PictureKind::Bars(Bars {
            x_label: "server".into(),
            y: Scale::new("suspected by", "peers", 1),
            bars,
            reference: Some((peers, "every peer".into())),
        }),
    }
}
