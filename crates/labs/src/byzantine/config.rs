//! The lab's settings: the algorithm, the rounds of relaying, the commander's order, who the
//! traitors are and how they lie, and the deliberate bug.

use failscope_sim::ids::NodeId;
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// How the lieutenants reach a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// Lamport, Shostak and Pease's oral messages OM(m).
    Oral,
    /// Their signed messages SM(m): a traitor cannot alter a relayed order.
    Signed,
    /// One exchange of votes, decided by a 2/3 threshold: not a Byzantine agreement protocol.
    NaiveVote,
}

impl Algorithm {
    pub const NAMES: &'static [&'static str] = &[
        "oral messages OM(m)",
        "signed messages SM(m)",
        "naive 2/3 vote",
    ];
}

/// How a traitor chooses what to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// The opposite of what a loyal general would send.
    Lie,
    /// Attack to odd-numbered generals, retreat to even-numbered ones.
    Split,
    /// A coin toss per message, from the run's seed.
    Random,
    /// What the traitor's table says for each recipient.
    Table,
}

impl Strategy {
    pub const NAMES: &'static [&'static str] =
        &["always lie", "split", "random", "table per recipient"];
}

pub const BUG_NAMES: &[&str] = &[
    "none",
    "lieutenants obey the commander's message alone",
    "lieutenants accept forged signatures",
];

/// At most this many traitors can be named.
pub const MAX_TRAITORS: usize = 3;

#[derive(Clone, Debug)]
pub struct Config {
    pub n_generals: u16,
    /// Rounds of relaying, m.
    pub m: u16,
    pub algorithm: Algorithm,
    /// The loyal commander's order: true is attack.
    pub order: bool,
    /// Traitors, sorted, no repeats.
    pub traitors: Vec<NodeId>,
    pub strategy: Strategy,
    /// Per traitor (in the order of `traitors`), bit k: it tells node k "attack".
    pub tables: Vec<u32>,
    /// The length of a round: lieutenants decide after m + 2 of them.
    pub round_us: Time,
    pub bug: u8,
}

impl Config {
    pub fn is_traitor(&self, node: NodeId) -> bool {
        self.traitors.contains(&node)
    }

    pub fn loyal_lieutenants(&self) -> impl Iterator<Item = NodeId> + '_ {
        (1..self.n_generals).filter(|&l| !self.is_traitor(l))
    }

    /// The table of `traitor` (all retreat if it is not one).
    pub fn table(&self, traitor: NodeId) -> u32 {
        self.traitors
            .iter()
            .position(|&t| t == traitor)
            .and_then(|i| self.tables.get(i).copied())
            .unwrap_or(0)
    }

    /// Whether the algorithm, with these many traitors, promises IC1 and IC2: OM(m) when
    /// n > 3t and t <= m; SM(m) when t <= m (and n >= t + 2); the naive vote never.
    pub fn promised(&self) -> bool {
        let t = self.traitors.len() as u16;
        match self.algorithm {
            Algorithm::Oral => self.n_generals > 3 * t && t <= self.m,
            Algorithm::Signed => t <= self.m && self.n_generals >= t + 2,
            Algorithm::NaiveVote => false,
        }
    }

    /// Rounds of messages: m + 1 (one for the naive vote's order and one for its votes).
    pub fn rounds(&self) -> u16 {
        match self.algorithm {
            Algorithm::NaiveVote => 2,
            _ => self.m + 1,
        }
    }

    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let m = get("rounds", 1) as u16;
        if n_nodes < 3 {
            return Err("the generals' problem needs a commander and at least two lieutenants: 3 generals or more".into());
        }
        if get("algorithm", 0) != 2 && m + 2 > n_nodes {
            return Err(format!(
                "with {n_nodes} generals there are at most {} rounds of relaying (m ≤ n − 2)",
                n_nodes - 2
            ));
        }
        let mut named = Vec::new();
        let mut tables = Vec::new();
        for k in 1..=MAX_TRAITORS {
            let who = get(&format!("traitor_{k}"), 0);
            if who == 0 {
                continue;
            }
            if who > i64::from(n_nodes) {
                return Err(format!(
                    "traitor {k} is S{who}, but there are only {n_nodes} generals (S1 to S{n_nodes})"
                ));
            }
            let node = (who - 1) as NodeId;
            if !named.contains(&node) {
                named.push(node);
                tables.push(get(&format!("table_{k}"), 0) as u32);
            }
        }
        let mut order: Vec<usize> = (0..named.len()).collect();
        order.sort_by_key(|&i| named[i]);
        let traitors = order.iter().map(|&i| named[i]).collect();
        let tables = order.iter().map(|&i| tables[i]).collect();
        Ok(Config {
            n_generals: n_nodes,
            m,
            algorithm: match get("algorithm", 0) {
                1 => Algorithm::Signed,
                2 => Algorithm::NaiveVote,
                _ => Algorithm::Oral,
            },
            order: get("order", 1) == 1,
            traitors,
            strategy: match get("strategy", 0) {
                1 => Strategy::Split,
                2 => Strategy::Random,
                3 => Strategy::Table,
                _ => Strategy::Lie,
            },
            tables,
            round_us: get("round_ms", 100) as Time * MS,
            bug: get(BUG_PARAM, 0) as u8,
        })
    }
}
