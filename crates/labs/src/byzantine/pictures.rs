//! The lab's pictures: each loyal lieutenant's recursion tree (the order it heard at every
//! path, and the majority each level folds to), and the messages sent in each round beside
//! OM(m)'s count.

use super::config::{Algorithm, Config};
use super::general::{word, General, Path};
use super::node::Generals;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Bar, Bars, Picture, PictureKind, Scale, Tree, TreeNode};
use failscope_sim::protocol::Tone;

const TREE_IDS: [&str; 10] = [
    "tree-s1", "tree-s2", "tree-s3", "tree-s4", "tree-s5", "tree-s6", "tree-s7", "tree-s8",
    "tree-s9", "tree-s10",
];

/// Past this many nodes a tree shows its deepest level folded.
const MAX_TREE_NODES: usize = 64;

pub fn all(config: &Config, nodes: &Nodes<'_, Generals>) -> Vec<Picture> {
    let mut pictures = vec![messages(config, nodes)];
    for l in config.loyal_lieutenants() {
        if let Some(state) = nodes.state(l) {
            pictures.push(tree(config, l, &state.general));
        }
    }
    pictures
}

/// OM(m)'s message count: (n−1) + (n−1)(n−2) + … + (n−1)(n−2)…(n−m−1), round by round.
pub fn om_messages_per_round(n: u64, m: u64) -> Vec<u64> {
    let mut rounds = Vec::new();
    let mut product = 1u64;
    for r in 1..=m + 1 {
        product = product.saturating_mul(n.saturating_sub(r));
        rounds.push(product);
    }
    rounds
}

fn messages(config: &Config, nodes: &Nodes<'_, Generals>) -> Picture {
    let mut sent = vec![0u64; usize::from(config.rounds())];
    for g in 0..config.n_generals {
        if let Some(d) = nodes.durable(g) {
            for (r, count) in d.sent_per_round.iter().enumerate() {
                if let Some(s) = sent.get_mut(r) {
                    *s += count;
                }
            }
        }
    }
    let total: u64 = sent.iter().sum();
    let expected: u64 = om_messages_per_round(u64::from(config.n_generals), u64::from(config.m))
        .iter()
        .sum();
    let reference = (config.algorithm == Algorithm::Oral).then(|| {
        (
            expected as i64,
            format!("OM({}) sends {expected} in all", config.m),
        )
    });
    Picture {
        id: "messages",
        title: "Messages per round".into(),
        caption: format!("{total} messages so far. Round r carries orders relayed through r generals; oral messages multiply by n − r each round."),
        primary: true,
        version: total,
        kind: PictureKind::Bars(Bars {
            x_label: "round".into(),
            y: Scale::new("messages", "", 1),
            bars: sent
                .iter()
                .enumerate()
                .map(|(r, &count)| Bar {
                    label: format!("round {}", r + 1),
                    value: count as i64,
                    tone: Tone::Secondary,
                    highlight: false,
                })
                .collect(),
            reference,
        }),
    }
}

fn tree(config: &Config, me: NodeId, general: &General) -> Picture {
    let full: usize = om_messages_per_round(u64::from(config.n_generals) - 1, u64::from(config.m))
        .iter()
        .sum::<u64>() as usize;
    let depth = if full + 1 > MAX_TREE_NODES {
        config.m.min(2)
    } else {
        config.m
    };
    let root = node(config, me, general, &mut vec![0], depth);
    let fold = general.decide(config, me);
    Picture {
        id: TREE_IDS[usize::from(me)],
        title: format!("{}'s recursion tree", node_name(me)),
        caption: match config.algorithm {
            Algorithm::Oral => format!("Each box: the order {} heard along that chain of generals; each level folds to the majority of the order and its relays (ties retreat). It decides {}.", node_name(me), word(fold)),
            Algorithm::Signed => format!("The signed orders {} heard. It decides the one order it saw, or retreat if it saw both (or none). It decides {}.", node_name(me), word(fold)),
            Algorithm::NaiveVote => format!("The votes {} heard: it attacks only if at least 2n/3 of them say attack. It decides {}.", node_name(me), word(fold)),
        },
        primary: false,
        version: general.heard.len() as u64,
        kind: PictureKind::Tree(Tree { root }),
    }
}

fn label(path: &[NodeId]) -> String {
    path.iter()
        .map(|&p| node_name(p))
        .collect::<Vec<_>>()
        .join("→")
}

fn node(config: &Config, me: NodeId, general: &General, path: &mut Path, depth: u16) -> TreeNode {
    let heard = general.heard.get(path.as_slice());
    let liar = path.last().is_some_and(|&p| config.is_traitor(p));
    let value = match heard {
        Some(h) if h.forged => format!("{} (forged)", word(h.value)),
        Some(h) => word(h.value).into(),
        None => "missing: retreat".into(),
    };
    let tone = if liar {
        Tone::Faulty
    } else if heard.is_some_and(|h| h.value) {
        Tone::Primary
    } else {
        Tone::Secondary
    };
    let level = path.len() as u16;
    let mut children = Vec::new();
    let inner = match config.algorithm {
        Algorithm::Oral => level <= config.m,
        Algorithm::NaiveVote | Algorithm::Signed => level == 1,
    };
    if inner && level <= depth.max(1) {
        for j in 1..config.n_generals {
            if j == me || path.contains(&j) {
                continue;
            }
            path.push(j);
            if config.algorithm == Algorithm::Oral || general.heard.contains_key(path.as_slice()) {
                children.push(node(config, me, general, path, depth));
            }
            path.pop();
        }
        if config.algorithm == Algorithm::Signed {
            // Longer signed chains heard, flat under the order.
            for (p, _) in general.heard.iter().filter(|(p, _)| p.len() > 2) {
                let mut p = p.clone();
                children.push(node(config, me, general, &mut p, 0));
            }
        }
    }
    let fold = match config.algorithm {
        Algorithm::Oral if inner => Some(format!(
            "majority: {}",
            word(general.om_value(config, me, path))
        )),
        _ if level == 1 => Some(format!("decides {}", word(general.decide(config, me)))),
        _ => None,
    };
    TreeNode {
        label: label(path),
        value,
        tone,
        fold,
        children,
    }
}
