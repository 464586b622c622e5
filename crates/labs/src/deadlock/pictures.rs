//! The lab's pictures: the true global wait-for graph (no site sees it whole), with its
//! cycle highlighted; and, with the central detector, the graph S1 has assembled from the
//! sites' reports, stale edges and all, with the last cycle it reported highlighted.

use super::config::{resource_name, txn_name, Config, Detection};
use super::graph::{find_cycle, true_edges, Edge};
use super::node::{Phase, Site};
use failscope_sim::ids::node_name;
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Graph, GraphEdge, GraphNode, Picture, PictureKind};
use failscope_sim::protocol::Tone;
use failscope_sim::time::Time;

fn on_cycle(cycle: &[u16], e: &Edge) -> bool {
    let n = cycle.len();
    (0..n).any(|i| cycle[i] == e.waiter && cycle[(i + 1) % n] == e.holder)
}

fn graph(config: &Config, nodes: &Nodes<'_, Site>, edges: &[Edge], cycle: &[u16]) -> Graph {
    let nodes = config
        .txns
        .iter()
        .enumerate()
        .map(|(id, spec)| {
            let phase = nodes
                .state(spec.home)
                .and_then(|s| s.txn(id as u16))
                .map(|t| t.phase);
            let tone = match phase {
                Some(Phase::Acquiring(_)) if edges.iter().any(|e| e.waiter == id as u16) => {
                    Tone::Suspect
                }
                Some(Phase::Acquiring(_) | Phase::Working) => Tone::Primary,
                Some(Phase::Restarting) => Tone::Faulty,
                _ => Tone::Idle,
            };
            GraphNode {
                label: format!("{} ({})", txn_name(id as u16), node_name(spec.home)),
                tone,
            }
        })
        .collect();
    let edges = edges
        .iter()
        .map(|e| GraphEdge {
            from: e.waiter,
            to: e.holder,
            label: resource_name(e.res).to_string(),
            highlight: on_cycle(cycle, e),
        })
        .collect();
    Graph { nodes, edges }
}

fn version(edges: &[Edge], config: &Config, nodes: &Nodes<'_, Site>) -> u64 {
    let mut v = edges.len() as u64;
    for e in edges {
        v = v
            .wrapping_mul(131)
            .wrapping_add(u64::from(e.waiter) << 16 | u64::from(e.holder) << 8 | u64::from(e.res));
    }
    for site in 0..config.n_sites {
        if let Some(s) = nodes.state(site) {
            for t in &s.txns {
                v = v
                    .wrapping_mul(31)
                    .wrapping_add(u64::from(t.attempt) * 8 + t.run as u64);
            }
        }
    }
    v
}

pub fn all(config: &Config, nodes: &Nodes<'_, Site>, _now: Time) -> Vec<Picture> {
    let edges = true_edges(config, nodes);
    let cycle = find_cycle(&edges).unwrap_or_default();
    let mut pictures = vec![Picture {
        id: "wait-for",
        title: "Who waits for whom".into(),
        caption: "The global wait-for graph, which no site sees whole: an arrow from a transaction to the one holding the lock it waits for, labelled with the resource; a cycle is a deadlock (highlighted).".into(),
        primary: true,
        version: version(&edges, config, nodes),
        kind: PictureKind::Graph(graph(config, nodes, &edges, &cycle)),
    }];
    if config.detection == Detection::Central {
        let view: Vec<Edge> = nodes
            .state(0)
            .map(|s| s.view.iter().flat_map(|v| v.1.iter().copied()).collect())
            .unwrap_or_default();
        let reported = nodes
            .durable(0)
            .and_then(|d| d.reports.last())
            .map(|r| r.cycle.clone())
            .unwrap_or_default();
        pictures.push(Picture {
            id: "detector",
            title: "What the central detector sees".into(),
            caption: "The graph S1 pieced together from each site's last report, which may be out of date; highlighted: the last cycle it reported.".into(),
            primary: false,
            version: version(&view, config, nodes).wrapping_add(reported.len() as u64),
            kind: PictureKind::Graph(graph(config, nodes, &view, &reported)),
        });
    }
    pictures
}
