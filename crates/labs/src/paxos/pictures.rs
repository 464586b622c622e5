//! The lab's picture: acceptors × ballots. A cell says what the acceptor did in that ballot:
//! promised it (outlined, "p"), or accepted a value (solid, coloured by the value). A ballot
//! whose column holds one value at a majority of acceptors chose it (ringed). The title
//! carries the chosen value once a learner has learned it.

use super::config::Config;
use super::node::{value_name, Ballot, Paxos};
use failscope_sim::ids::node_name;
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Cell, Grid, Picture, PictureKind};

/// Ballots shown: the newest ones.
const COLUMNS: usize = 8;

/// The palette colour reserved for promises (values take 1 upwards).
const PROMISE_COLOUR: u8 = 7;

pub fn ballots(config: &Config, nodes: &Nodes<'_, Paxos>) -> Picture {
    let acceptors: Vec<_> = config.acceptors().collect();
    let mut columns: Vec<Ballot> = Vec::new();
    for &a in &acceptors {
        for m in nodes.durable(a).map_or(&[][..], |d| &d.marks[..]) {
            if let Err(at) = columns.binary_search(&m.ballot) {
                columns.insert(at, m.ballot);
            }
        }
    }
    let from = columns.len().saturating_sub(COLUMNS);
    let columns = &columns[from..];
    let mut cells = Vec::with_capacity(acceptors.len() * columns.len());
    for &a in &acceptors {
        let marks = nodes.durable(a).map_or(&[][..], |d| &d.marks[..]);
        for &ballot in columns {
            cells.push(marks.iter().find(|m| m.ballot == ballot).map(|m| {
                let chosen = m.accepted.is_some_and(|v| {
                    acceptors
                        .iter()
                        .filter(|&&o| {
                            nodes.durable(o).is_some_and(|d| {
                                d.marks
                                    .iter()
                                    .any(|x| x.ballot == ballot && x.accepted == Some(v))
                            })
                        })
                        .count()
                        >= config.majority()
                });
                match m.accepted {
                    Some(v) => Cell {
                        text: value_name(v),
                        colour: v % 7,
                        solid: true,
                        highlight: chosen,
                        detail: format!(
                            "{} accepted {} in ballot {}{}",
                            node_name(a),
                            value_name(v),
                            ballot.name(),
                            if chosen {
                                ": a majority did, so it is chosen"
                            } else {
                                ""
                            }
                        ),
                    },
                    None => Cell {
                        text: "p".into(),
                        colour: PROMISE_COLOUR,
                        solid: false,
                        highlight: false,
                        detail: format!(
                            "{} promised ballot {} and accepted nothing in it",
                            node_name(a),
                            ballot.name()
                        ),
                    },
                }
            }));
        }
    }
    let grid = Grid {
        row_label: "acceptor".into(),
        column_label: "ballot".into(),
        rows: acceptors.iter().map(|&a| node_name(a)).collect(),
        columns: columns.iter().map(Ballot::name).collect(),
        cells,
    };
    let learned = config.learners().find_map(|l| {
        let learned = nodes.state(l).and_then(Paxos::learner)?.learned?;
        Some((l, learned.1))
    });
    let title = match learned {
        Some((l, v)) => format!("Chosen: {} (learned by {})", value_name(v), node_name(l)),
        None => "Acceptors and ballots: nothing learned yet".into(),
    };
    Picture {
        id: "ballots",
        title,
        caption: "One row per acceptor, one column per ballot (round.proposer): p is a promise, a letter is the value accepted in that ballot. A column with the same letter at a majority of acceptors (ringed) has chosen it.".into(),
        primary: true,
        version: grid.fingerprint() ^ learned.map_or(0, |(l, v)| u64::from(l) << 8 | u64::from(v)),
        kind: PictureKind::Grid(grid),
    }
}
