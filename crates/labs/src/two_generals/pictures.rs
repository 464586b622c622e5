//! The lab's pictures: the message chain of recent days (delivered or captured, and who
//! attacked), and a table of chain length against the chance one general attacks alone,
//! exact for each k beside the rate measured in this run.

use super::checks::outcomes;
use super::config::{Config, Protocol};
use super::node::General;
use super::odds;
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Cell, Grid, Picture, PictureKind};

/// Days shown in the chain picture.
const DAYS_SHOWN: u32 = 8;
/// Messages shown per day.
const COLUMNS: u16 = 12;

pub fn all(config: &Config, nodes: &Nodes<'_, General>) -> Vec<Picture> {
    vec![chain(config, nodes), rates(config, nodes)]
}

fn cell(text: impl Into<String>, colour: u8, solid: bool, highlight: bool) -> Option<Cell> {
    Some(Cell {
        text: text.into(),
        colour,
        solid,
        highlight,
        detail: String::new(),
    })
}

fn chain(config: &Config, nodes: &Nodes<'_, General>) -> Picture {
    let (Some(a), Some(b)) = (nodes.durable(0), nodes.durable(1)) else {
        return picture_of(
            Grid {
                row_label: String::new(),
                column_label: String::new(),
                rows: Vec::new(),
                columns: Vec::new(),
                cells: Vec::new(),
            },
            0,
        );
    };
    let today = a.days.len().max(b.days.len()) as u32;
    let first = today.saturating_sub(DAYS_SHOWN - 1);
    let width = match config.protocol {
        Protocol::Chain => config.chain.min(COLUMNS),
        Protocol::Retries => COLUMNS.min(6),
    };
    let mut columns: Vec<String> = (1..=width)
        .map(|s| match config.protocol {
            Protocol::Chain if s % 2 == 1 => format!("{s}: A→B"),
            Protocol::Chain => format!("{s}: B→A"),
            Protocol::Retries => format!("copy {s}"),
        })
        .collect();
    columns.push("A".into());
    columns.push("B".into());
    let (mut rows, mut cells) = (Vec::new(), Vec::new());
    for day in first..=today {
        rows.push(format!("day {}", day + 1));
        for s in 1..=width {
            let sent: Vec<_> = [a, b]
                .iter()
                .flat_map(|g| g.sent.iter())
                .filter(|m| m.day == day && m.seq == s)
                .collect();
            cells.push(match config.protocol {
                Protocol::Chain => match sent.first() {
                    Some(m) if m.captured => cell("captured", 5, false, true),
                    Some(_) => cell("arrived", 1, true, false),
                    None => None,
                },
                Protocol::Retries => {
                    let order = a.sent.iter().find(|m| m.day == day && m.seq == s);
                    let ack = b.sent.iter().find(|m| m.day == day && m.seq == s);
                    match (order, ack) {
                        (Some(o), _) if o.captured => cell("order captured", 5, false, false),
                        (Some(_), Some(k)) if k.captured => cell("ack captured", 5, false, true),
                        (Some(_), Some(_)) => cell("acked", 1, true, false),
                        (Some(_), None) => cell("sent", 0, false, false),
                        _ => None,
                    }
                }
            });
        }
        let decided = |g: &super::node::Durable| g.days.get(day as usize).map(|d| d.attacked);
        let (da, db) = (decided(a), decided(b));
        let alone = matches!((da, db), (Some(x), Some(y)) if x != y);
        for d in [da, db] {
            cells.push(match d {
                Some(true) => cell("attacks", 2, true, alone),
                Some(false) => cell("holds", 3, false, alone),
                None => None,
            });
        }
    }
    picture_of(
        Grid {
            row_label: "day".into(),
            column_label: "message".into(),
            rows,
            columns,
            cells,
        },
        u64::from(today) * 1000 + a.sent.len() as u64 + b.sent.len() as u64,
    )
}

fn picture_of(grid: Grid, version: u64) -> Picture {
    Picture {
        id: "chain",
        title: "The messengers, day by day".into(),
        caption: "Each message of each day: arrived or captured, and who attacked at dawn (outlined: one general alone).".into(),
        primary: true,
        version,
        kind: PictureKind::Grid(grid),
    }
}

fn percent(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn rates(config: &Config, nodes: &Nodes<'_, General>) -> Picture {
    let p = f64::from(config.loss_ppm) / 1e6;
    let (days, alone) = outcomes(nodes);
    let ks: Vec<u16> = (1..=8).collect();
    let mut cells = Vec::new();
    for &k in &ks {
        let (ra, rb) = odds::natural_rule(k);
        let current = config.protocol == Protocol::Chain && k == config.chain;
        let exact = if current {
            odds::disagreement(k, p, config.rule_a, config.rule_b)
        } else {
            odds::disagreement(k, p, ra, rb)
        };
        cells.push(cell(percent(exact), 0, false, current));
        cells.push(if current && days > 0 {
            cell(
                format!(
                    "{} ({} of {days} days)",
                    percent(alone.len() as f64 / days as f64),
                    alone.len()
                ),
                1,
                true,
                true,
            )
        } else {
            None
        });
    }
    Picture {
        id: "rates",
        title: "Chain length against attacking alone".into(),
        caption: format!(
            "The chance that exactly one general attacks, with each messenger captured {}: exact for each chain length k (each general waiting for every message sent to it; your rules on your k), and measured in this run. It shrinks with k, and never reaches zero.",
            percent(p)
        ),
        primary: false,
        version: (days as u64) << 16 | alone.len() as u64,
        kind: PictureKind::Grid(Grid {
            row_label: "k".into(),
            column_label: "one attacks alone".into(),
            rows: ks.iter().map(|k| format!("k = {k}")).collect(),
            columns: vec!["exact".into(), "measured here".into()],
            cells,
        }),
    }
}
