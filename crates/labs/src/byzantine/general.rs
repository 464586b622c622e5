//! One general's part of the algorithms, free of the engine so that the reference tests can
//! drive every strategy quickly ([`exchange`]) and the lab's nodes run the same code:
//! what a general relays when it hears an order, what a traitor says instead, and how a
//! lieutenant decides (OM(m)'s recursive majority, SM(m)'s choice over the signed orders
//! seen, or the naive 2/3 vote).

use super::config::{Algorithm, Config, Strategy};
use failscope_sim::ids::NodeId;
use failscope_sim::rng::splitmix64;
use std::collections::BTreeMap;

/// The chain of generals an order passed through, the commander first (with signatures:
/// the chain of signers).
pub type Path = Vec<NodeId>;

/// The paper's default when a value is missing or there is no majority.
pub const RETREAT: bool = false;

pub fn word(value: bool) -> &'static str {
    if value {
        "attack"
    } else {
        "retreat"
    }
}

/// What a general heard along one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heard {
    pub value: bool,
    /// The signature chain does not match the value (a traitor altered a signed order).
    pub forged: bool,
}

/// A message to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Out {
    pub to: NodeId,
    pub path: Path,
    pub value: bool,
    pub forged: bool,
}

/// What one general has heard, by path; the first arrival along a path counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct General {
    pub heard: BTreeMap<Path, Heard>,
    /// SM(m): the orders accepted so far (bit 0: retreat, bit 1: attack).
    pub accepted: u8,
    /// SM(m): messages thrown away because their signatures did not check.
    pub rejected: u32,
}

/// What `me` sends to `to` on `path` (which ends with `me`) where a loyal general would send
/// `honest`. `key` makes the random strategy's coin tosses, one per path and recipient.
pub fn says(
    config: &Config,
    me: NodeId,
    key: u64,
    path: &[NodeId],
    to: NodeId,
    honest: bool,
) -> bool {
    if !config.is_traitor(me) {
        return honest;
    }
    match config.strategy {
        Strategy::Lie => !honest,
        Strategy::Split => to % 2 == 1,
        Strategy::Random => {
            let mut state = key ^ u64::from(to).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            for &p in path {
                state = splitmix64(&mut state) ^ u64::from(p);
            }
            splitmix64(&mut state) & 1 == 1
        }
        Strategy::Table => config.table(me) >> to & 1 == 1,
    }
}

/// What a traitor sends instead of a loyal general's message: (sender, path ending with
/// the sender, recipient, the loyal value) to the value sent.
pub type Liar<'a> = dyn FnMut(NodeId, &[NodeId], NodeId, bool) -> bool + 'a;

/// The commander's messages, as a loyal commander would send them.
pub fn orders(config: &Config) -> Vec<Out> {
    (1..config.n_generals)
        .map(|to| Out {
            to,
            path: vec![0],
            value: config.order,
            forged: false,
        })
        .collect()
}

/// `sender`'s messages as it really sends them: a traitor's pass through `liar`. With
/// signatures, an altered relay no longer matches its chain (the commander signs its own
/// orders, whatever they say).
pub fn lie(config: &Config, sender: NodeId, outs: &mut [Out], liar: &mut Liar<'_>) {
    if !config.is_traitor(sender) {
        return;
    }
    for out in outs {
        let said = liar(sender, &out.path, out.to, out.value);
        if config.algorithm == Algorithm::Signed && sender != 0 && said != out.value {
            out.forged = true;
        }
        out.value = said;
    }
}

impl General {
    /// `me` hears `value` along `path`: remember it and return what a loyal general relays.
    pub fn hear(
        &mut self,
        config: &Config,
        me: NodeId,
        path: Path,
        value: bool,
        forged: bool,
    ) -> Vec<Out> {
        if self.heard.contains_key(&path) || path.contains(&me) || path.first() != Some(&0) {
            return Vec::new();
        }
        self.heard.insert(path.clone(), Heard { value, forged });
        let relay = match config.algorithm {
            Algorithm::Oral => path.len() <= usize::from(config.m),
            Algorithm::NaiveVote => path.len() == 1,
            Algorithm::Signed => {
                if forged && config.bug != 2 {
                    self.rejected += 1;
                    return Vec::new();
                }
                let bit = 1u8 << u8::from(value);
                let new = self.accepted & bit == 0;
                self.accepted |= bit;
                new && path.len() <= usize::from(config.m)
            }
        };
        if !relay {
            return Vec::new();
        }
        let mut next = path;
        next.push(me);
        (1..config.n_generals)
            .filter(|to| !next.contains(to))
            .map(|to| Out {
                to,
                path: next.clone(),
                value,
                forged,
            })
            .collect()
    }

    /// What the order along `path` was, as heard (missing: retreat).
    pub fn value(&self, path: &[NodeId]) -> bool {
        self.heard.get(path).map_or(RETREAT, |h| h.value)
    }

    /// OM(m)'s value for `path` at lieutenant `me`: the order heard at the last level, and
    /// above it the majority of the order heard and what each other general relayed of it
    /// (ties: retreat).
    pub fn om_value(&self, config: &Config, me: NodeId, path: &mut Path) -> bool {
        let own = self.value(path);
        if path.len() > usize::from(config.m) {
            return own;
        }
        let (mut attack, mut total) = (u32::from(own), 1u32);
        for j in 1..config.n_generals {
            if j == me || path.contains(&j) {
                continue;
            }
            path.push(j);
            attack += u32::from(self.om_value(config, me, path));
            path.pop();
            total += 1;
        }
        2 * attack > total
    }

    /// The naive vote: the orders heard from the commander and from each lieutenant, and
    /// attack only if at least 2n/3 of them say so (the seeds' threshold).
    pub fn naive_votes(&self) -> (u32, u32) {
        let attack = self.heard.values().filter(|h| h.value).count() as u32;
        (attack, self.heard.len() as u32)
    }

    pub fn decide(&self, config: &Config, me: NodeId) -> bool {
        if config.bug == 1 {
            return self.value(&[0]);
        }
        match config.algorithm {
            Algorithm::Oral => self.om_value(config, me, &mut vec![0]),
            Algorithm::Signed => self.accepted == 2,
            Algorithm::NaiveVote => {
                let required = 2 * u32::from(config.n_generals) / 3;
                self.naive_votes().0 >= required
            }
        }
    }
}

/// The outcome of one exchange run to the end without the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// Each lieutenant's decision (index 0, the commander: its order, if loyal).
    pub decisions: Vec<bool>,
    /// Messages sent in each round (round r carries paths of r generals).
    pub per_round: Vec<u64>,
}

/// Runs the whole exchange in memory, in the order the messages were sent, the traitors
/// following the configured strategy (`key(node)`: each general's random-strategy key).
pub fn exchange(config: &Config, key: impl Fn(NodeId) -> u64) -> Exchange {
    exchange_with(config, &mut |sender, path, to, honest| {
        says(config, sender, key(sender), path, to, honest)
    })
}

/// The same with any strategy at all: `liar` decides every message a traitor sends.
pub fn exchange_with(config: &Config, liar: &mut Liar<'_>) -> Exchange {
    let mut generals = vec![General::default(); usize::from(config.n_generals)];
    let mut per_round = vec![0u64; usize::from(config.rounds())];
    let mut first = orders(config);
    lie(config, 0, &mut first, liar);
    let mut queue: std::collections::VecDeque<Out> = first.into();
    while let Some(out) = queue.pop_front() {
        per_round[out.path.len() - 1] += 1;
        let to = out.to;
        let mut relays =
            generals[usize::from(to)].hear(config, to, out.path, out.value, out.forged);
        lie(config, to, &mut relays, liar);
        queue.extend(relays);
    }
    let decisions = (0..config.n_generals)
        .map(|g| {
            if g == 0 {
                config.order
            } else {
                generals[usize::from(g)].decide(config, g)
            }
        })
        .collect();
    Exchange {
        decisions,
        per_round,
    }
}
