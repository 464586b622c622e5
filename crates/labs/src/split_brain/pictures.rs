//! The lab's pictures: who believed it was the leader, when (one lane per server; a stretch
//! is outlined while another server also leads), and every write's token as storage saw it.

use super::config::Config;
use super::node::{SplitBrain, Stint};
use failscope_sim::ids::node_name;
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Lane, Lanes, Picture, PictureKind, Span};
use failscope_sim::protocol::Tone;
use failscope_sim::time::Time;

pub fn all(config: &Config, nodes: &Nodes<'_, SplitBrain>, now: Time) -> Vec<Picture> {
    let mut pictures = vec![leaders(config, nodes, now)];
    if let Some(storage) = nodes.durable(config.storage()) {
        pictures.push(storage.disk.tokens_picture("storage", "token"));
    }
    pictures
}

fn overlaps(a: &Stint, b: &Stint, now: Time) -> bool {
    a.from < b.to.unwrap_or(now) && b.from < a.to.unwrap_or(now)
}

fn leaders(config: &Config, nodes: &Nodes<'_, SplitBrain>, now: Time) -> Picture {
    let stints: Vec<&[Stint]> = (0..config.n_members)
        .map(|m| nodes.durable(m).map_or(&[][..], |d| &d.stints[..]))
        .collect();
    let mut version = 0u64;
    let lanes = stints
        .iter()
        .enumerate()
        .map(|(member, own)| Lane {
            label: node_name(member as u16),
            spans: own
                .iter()
                .map(|s| {
                    version = version
                        .wrapping_mul(31)
                        .wrapping_add(s.from ^ s.to.unwrap_or(1));
                    let shared = !s.off
                        && stints.iter().enumerate().any(|(other, theirs)| {
                            other != member && theirs.iter().any(|t| !t.off && overlaps(s, t, now))
                        });
                    Span {
                        start: s.from,
                        end: s.to,
                        label: if s.off {
                            "powered off".into()
                        } else {
                            format!("leader, term {}", s.term)
                        },
                        tone: if s.off { Tone::Faulty } else { Tone::Primary },
                        highlight: shared,
                    }
                })
                .collect(),
        })
        .collect();
    Picture {
        id: "leaders",
        title: "Who believes it leads".into(),
        caption: "When each server believed it was the leader, and in which term; outlined stretches overlap another server's, two leaders at once.".into(),
        primary: false,
        version,
        kind: PictureKind::Lanes(Lanes {
            lanes,
            marks: Vec::new(),
        }),
    }
}
