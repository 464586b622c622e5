//! Wait-for graphs: edges from a waiting transaction to the one holding what it waits
//! for, the true graph read from every site's locks, and finding a cycle in one.

use super::config::Config;
use super::node::{Holder, Site};
use failscope_sim::invariant::Nodes;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub waiter: u16,
    pub holder: u16,
    pub res: u16,
}

/// The true wait-for graph: every waiter behind a holder, both still running the attempt
/// the lock table names (an aborted attempt's entry waits for its release to arrive) and
/// the holder not wounded.
pub fn true_edges(config: &Config, nodes: &Nodes<'_, Site>) -> Vec<Edge> {
    let live = |h: Holder| {
        config
            .txns
            .get(usize::from(h.txn))
            .and_then(|t| nodes.state(t.home))
            .is_some_and(|s| s.live(h))
    };
    let mut edges = Vec::new();
    for site in 0..config.n_sites {
        let Some(s) = nodes.state(site) else { continue };
        for lock in &s.locks {
            // A wounded holder is already aborted in all but name.
            let Some(h) = lock.holder.filter(|&h| live(h) && !s.wounded.contains(&h)) else {
                continue;
            };
            for &w in lock.queue.iter().filter(|&&w| live(w) && w.txn != h.txn) {
                edges.push(Edge {
                    waiter: w.txn,
                    holder: h.txn,
                    res: lock.res,
                });
            }
        }
    }
    edges
}

/// A cycle (transactions in wait order), if the graph has one: depth-first search.
pub fn find_cycle(edges: &[Edge]) -> Option<Vec<u16>> {
    let n = edges.iter().map(|e| e.waiter.max(e.holder)).max()? as usize + 1;
    let mut state = vec![0u8; n];
    let mut stack = Vec::new();
    (0..n as u16).find_map(|v| {
        if state[usize::from(v)] == 0 {
            dfs(v, edges, &mut state, &mut stack)
        } else {
            None
        }
    })
}

fn dfs(v: u16, edges: &[Edge], state: &mut [u8], stack: &mut Vec<u16>) -> Option<Vec<u16>> {
    state[usize::from(v)] = 1;
    stack.push(v);
    for e in edges.iter().filter(|e| e.waiter == v) {
        match state[usize::from(e.holder)] {
            1 => {
                let from = stack.iter().position(|&x| x == e.holder)?;
                return Some(stack[from..].to_vec());
            }
            0 => {
                if let Some(cycle) = dfs(e.holder, edges, state, stack) {
                    return Some(cycle);
                }
            }
            _ => {}
        }
    }
    stack.pop();
    state[usize::from(v)] = 2;
    None
}

/// Whether `a` waits for `b` in `edges`.
pub fn waits(edges: &[Edge], a: u16, b: u16) -> bool {
    edges.iter().any(|e| e.waiter == a && e.holder == b)
}
