//! The simulated network: per-link latency, loss, duplication and reordering; partitions,
//! one-way cuts and clogged links; and the synchrony model that bounds (or does not bound)
//! message delay.

use crate::ids::NodeId;
use crate::json::write::{field, object, tagged, unless_empty, ToJson};
use crate::json::{unknown_variant, variant, Fields, FromJson, Json, Reader};
use crate::limits::MAX_LATENCY_US;
use crate::rng::Rng;
use crate::time::{Time, MS};
use serde::Serialize;
use std::collections::BTreeSet;

/// How long a message takes on a link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Latency {
    /// Always the same delay.
    Constant { us: Time },
    /// Uniform between the bounds, inclusive.
    Uniform { min_us: Time, max_us: Time },
    /// Mostly near `median_us`, with a heavy (Pareto, shape 1) tail capped at `max_us`.
    LongTail {
        min_us: Time,
        median_us: Time,
        max_us: Time,
    },
}

impl Latency {
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> Time {
        match *self {
            Latency::Constant { us } => us,
            Latency::Uniform { min_us, max_us } => rng.range_inclusive(min_us, max_us),
            Latency::LongTail {
                min_us,
                median_us,
                max_us,
            } => {
                // u uniform in [1, 2^32]; 2^32/u is Pareto(shape 1) with median 2, so
                // scale by half the distance from min to median.
                let u = rng.range_inclusive(1, 1 << 32);
                let spread = median_us.saturating_sub(min_us);
                let tail = u128::from(spread) * (1u128 << 32) / u128::from(u) / 2;
                let delay = u128::from(min_us) + tail;
                delay.min(u128::from(max_us.max(min_us))) as Time
            }
        }
    }

    /// The largest delay this distribution can produce.
    pub fn max_us(&self) -> Time {
        match *self {
            Latency::Constant { us } => us,
            Latency::Uniform { max_us, .. } => max_us,
            Latency::LongTail { max_us, .. } => max_us,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let (lo, hi) = match *self {
            Latency::Constant { us } => (us, us),
            Latency::Uniform { min_us, max_us } => (min_us, max_us),
            Latency::LongTail {
                min_us,
                median_us,
                max_us,
            } => {
                if median_us < min_us || median_us > max_us {
                    return Err(format!(
                        "long-tail latency needs min ≤ median ≤ max (got {min_us} ≤ {median_us} ≤ {max_us} µs)"
                    ));
                }
                (min_us, max_us)
            }
        };
        if lo > hi {
            return Err(format!(
                "latency minimum {lo} µs exceeds its maximum {hi} µs"
            ));
        }
        if hi > MAX_LATENCY_US {
            return Err(format!(
                "latency {hi} µs exceeds the limit of {MAX_LATENCY_US} µs (60 s)"
            ));
        }
        Ok(())
    }
}

impl FromJson for Latency {
    fn from_json(r: &mut Reader, value: &Json) -> Latency {
        let (name, f) = variant(r, value);
        match name {
            "constant" => Latency::Constant { us: f.req(r, "us") },
            "uniform" => Latency::Uniform {
                min_us: f.req(r, "min_us"),
                max_us: f.req(r, "max_us"),
            },
            "long_tail" => Latency::LongTail {
                min_us: f.req(r, "min_us"),
                median_us: f.req(r, "median_us"),
                max_us: f.req(r, "max_us"),
            },
            _ => {
                let known = ["constant", "uniform", "long_tail"];
                unknown_variant(r, "latency", name, &known);
                Latency::Constant { us: 0 }
            }
        }
    }
}

/// How one directed link behaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkConfig {
    pub latency: Latency,
    /// Chance a message is lost, in parts per million.
    pub loss_ppm: u32,
    /// Chance a message is delivered twice, in parts per million.
    pub duplicate_ppm: u32,
    /// Chance a message is held back by up to twice its delay (overtaken by later ones).
    pub reorder_ppm: u32,
}

impl Default for LinkConfig {
    fn default() -> LinkConfig {
        LinkConfig {
            latency: Latency::Uniform {
                min_us: 10 * MS,
                max_us: 15 * MS,
            },
            loss_ppm: 0,
            duplicate_ppm: 0,
            reorder_ppm: 0,
        }
    }
}

impl FromJson for LinkConfig {
    fn from_json(r: &mut Reader, value: &Json) -> LinkConfig {
        let f = Fields::of(r, value);
        LinkConfig {
            latency: f.req(r, "latency"),
            loss_ppm: f.or_default(r, "loss_ppm"),
            duplicate_ppm: f.or_default(r, "duplicate_ppm"),
            reorder_ppm: f.or_default(r, "reorder_ppm"),
        }
    }
}

impl LinkConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        self.latency.validate()?;
        for (name, ppm) in [
            ("loss", self.loss_ppm),
            ("duplication", self.duplicate_ppm),
            ("reordering", self.reorder_ppm),
        ] {
            if ppm > 1_000_000 {
                return Err(format!(
                    "{name} probability {ppm} ppm is above 1,000,000 ppm (100%)"
                ));
            }
        }
        Ok(())
    }
}

/// The timing model: what the network promises about delay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NetworkMode {
    /// Delays follow the link configuration (the usual case).
    #[default]
    Realistic,
    /// Every delay is at most `bound_us`: the synchronous model.
    Synchronous { bound_us: Time },
    /// Before the global stabilisation time `gst_us` delays get up to `pre_gst_extra_us`
    /// more; afterwards they are at most `bound_us` (Dwork, Lynch and Stockmeyer's model).
    PartiallySynchronous {
        gst_us: Time,
        bound_us: Time,
        pre_gst_extra_us: Time,
    },
    /// No bound: an adversary adds up to `extra_max_us` to every message, so no timeout can
    /// tell a slow node from a dead one.
    Asynchronous { extra_max_us: Time },
}

/// The network part of a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct NetworkConfig {
    pub mode: NetworkMode,
    pub link: LinkConfig,
    /// Overrides for particular directed links `(from, to)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<LinkOverride>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkOverride {
    pub from: NodeId,
    pub to: NodeId,
    pub link: LinkConfig,
}

impl FromJson for NetworkMode {
    fn from_json(r: &mut Reader, value: &Json) -> NetworkMode {
        let (name, f) = variant(r, value);
        match name {
            "realistic" => NetworkMode::Realistic,
            "synchronous" => NetworkMode::Synchronous {
                bound_us: f.req(r, "bound_us"),
            },
            "partially_synchronous" => NetworkMode::PartiallySynchronous {
                gst_us: f.req(r, "gst_us"),
                bound_us: f.req(r, "bound_us"),
                pre_gst_extra_us: f.req(r, "pre_gst_extra_us"),
            },
            "asynchronous" => NetworkMode::Asynchronous {
                extra_max_us: f.req(r, "extra_max_us"),
            },
            _ => {
                let known = [
                    "realistic",
                    "synchronous",
                    "partially_synchronous",
                    "asynchronous",
                ];
                unknown_variant(r, "network mode", name, &known);
                NetworkMode::Realistic
            }
        }
    }
}

impl FromJson for NetworkConfig {
    fn from_json(r: &mut Reader, value: &Json) -> NetworkConfig {
        let f = Fields::of(r, value);
        NetworkConfig {
            mode: f.or_default(r, "mode"),
            link: f.or_default(r, "link"),
            overrides: f.or_default(r, "overrides"),
        }
    }
}

impl FromJson for LinkOverride {
    fn from_json(r: &mut Reader, value: &Json) -> LinkOverride {
        let f = Fields::of(r, value);
        LinkOverride {
            from: f.req(r, "from"),
            to: f.req(r, "to"),
            link: f.req(r, "link"),
        }
    }
}

impl NetworkConfig {
    fn link(&self, from: NodeId, to: NodeId) -> &LinkConfig {
        self.overrides
            .iter()
            .find(|o| o.from == from && o.to == to)
            .map(|o| &o.link)
            .unwrap_or(&self.link)
    }
}

/// What happens to one message, decided when it is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fate {
    pub delay_us: Time,
    pub lost: bool,
    /// A second copy's delay, when the network duplicates the message.
    pub duplicate_delay_us: Option<Time>,
}

/// The live network: configuration, who can reach whom, and its random stream.
#[derive(Clone, Debug)]
pub struct Network {
    config: NetworkConfig,
    rng: Rng,
    /// Partition group of each node; nodes reach each other only within a group.
    group: Vec<u8>,
    /// Directed links that drop everything.
    cut: BTreeSet<(NodeId, NodeId)>,
    /// Directed links that hold messages until unclogged.
    clogged: BTreeSet<(NodeId, NodeId)>,
}

impl Network {
    pub fn new(config: NetworkConfig, rng: Rng, n_nodes: u16) -> Network {
        Network {
            config,
            rng,
            group: vec![0; usize::from(n_nodes)],
            cut: BTreeSet::new(),
            clogged: BTreeSet::new(),
        }
    }

    pub fn config(&self) -> &NetworkConfig {
        &self.config
    }

    /// Decide delay, loss and duplication of a message sent at `now`.
    #[inline]
    pub fn fate(&mut self, from: NodeId, to: NodeId, now: Time) -> Fate {
        let link = self.config.link(from, to).clone();
        let delay_us = self.delay(&link, now);
        let lost = self.rng.chance_ppm(link.loss_ppm);
        let duplicate_delay_us = if self.rng.chance_ppm(link.duplicate_ppm) {
            Some(self.delay(&link, now))
        } else {
            None
        };
        Fate {
            delay_us,
            lost,
            duplicate_delay_us,
        }
    }

    /// A fresh delay for a message the user duplicates or a clog releases.
    #[inline]
    pub fn redelivery_delay(&mut self, from: NodeId, to: NodeId, now: Time) -> Time {
        let link = self.config.link(from, to).clone();
        self.delay(&link, now)
    }

    fn delay(&mut self, link: &LinkConfig, now: Time) -> Time {
        let mut delay = link.latency.sample(&mut self.rng);
        if self.rng.chance_ppm(link.reorder_ppm) {
            delay += self.rng.range_inclusive(0, delay.saturating_mul(2));
        }
        match self.config.mode {
            NetworkMode::Realistic => delay,
            NetworkMode::Synchronous { bound_us } => delay.min(bound_us),
            NetworkMode::PartiallySynchronous {
                gst_us,
                bound_us,
                pre_gst_extra_us,
            } => {
                if now < gst_us {
                    delay + self.rng.range_inclusive(0, pre_gst_extra_us)
                } else {
                    delay.min(bound_us)
                }
            }
            NetworkMode::Asynchronous { extra_max_us } => {
                delay + self.rng.range_inclusive(0, extra_max_us)
            }
        }
    }

    /// Can a message from `from` reach `to` right now?
    #[inline]
    pub fn can_reach(&self, from: NodeId, to: NodeId) -> bool {
        let group = |n: NodeId| self.group.get(usize::from(n)).copied().unwrap_or(0);
        group(from) == group(to) && !self.cut.contains(&(from, to))
    }

    #[inline]
    pub fn is_clogged(&self, from: NodeId, to: NodeId) -> bool {
        self.clogged.contains(&(from, to))
    }

    /// Split the nodes: each listed group can talk only within itself; unlisted nodes form
    /// one more group together.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        self.group.iter_mut().for_each(|g| *g = 0);
        for (index, members) in groups.iter().enumerate() {
            let id = u8::try_from(index + 1).unwrap_or(u8::MAX);
            for &node in members {
                if let Some(g) = self.group.get_mut(usize::from(node)) {
                    *g = id;
                }
            }
        }
    }

    pub fn cut_link(&mut self, from: NodeId, to: NodeId) {
        self.cut.insert((from, to));
    }

    pub fn clog(&mut self, from: NodeId, to: NodeId) {
        self.clogged.insert((from, to));
    }

    pub fn unclog(&mut self, from: NodeId, to: NodeId) {
        self.clogged.remove(&(from, to));
    }

    /// Remove every partition, cut and clog.
    pub fn heal(&mut self) {
        self.group.iter_mut().for_each(|g| *g = 0);
        self.cut.clear();
        self.clogged.clear();
    }

    pub fn groups(&self) -> &[u8] {
        &self.group
    }

    pub fn cuts(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.cut.iter().copied()
    }

    pub fn clogs(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.clogged.iter().copied()
    }

    pub fn is_partitioned(&self) -> bool {
        self.group.iter().any(|&g| g != self.group[0]) || !self.cut.is_empty()
    }
}

impl ToJson for Latency {
    fn to_json(&self) -> Json {
        match self {
            Latency::Constant { us } => tagged("constant", [("us", field(us))]),
            Latency::Uniform { min_us, max_us } => tagged(
                "uniform",
                [("min_us", field(min_us)), ("max_us", field(max_us))],
            ),
            Latency::LongTail {
                min_us,
                median_us,
                max_us,
            } => tagged(
                "long_tail",
                [
                    ("min_us", field(min_us)),
                    ("median_us", field(median_us)),
                    ("max_us", field(max_us)),
                ],
            ),
        }
    }
}

impl ToJson for LinkConfig {
    fn to_json(&self) -> Json {
        object([
            ("latency", field(&self.latency)),
            ("loss_ppm", field(&self.loss_ppm)),
            ("duplicate_ppm", field(&self.duplicate_ppm)),
            ("reorder_ppm", field(&self.reorder_ppm)),
        ])
    }
}

impl ToJson for NetworkMode {
    fn to_json(&self) -> Json {
        match self {
            NetworkMode::Realistic => "realistic".to_json(),
            NetworkMode::Synchronous { bound_us } => {
                tagged("synchronous", [("bound_us", field(bound_us))])
            }
            NetworkMode::PartiallySynchronous {
                gst_us,
                bound_us,
                pre_gst_extra_us,
            } => tagged(
                "partially_synchronous",
                [
                    ("gst_us", field(gst_us)),
                    ("bound_us", field(bound_us)),
                    ("pre_gst_extra_us", field(pre_gst_extra_us)),
                ],
            ),
            NetworkMode::Asynchronous { extra_max_us } => {
                tagged("asynchronous", [("extra_max_us", field(extra_max_us))])
            }
        }
    }
}

impl ToJson for NetworkConfig {
    fn to_json(&self) -> Json {
        object([
            ("mode", field(&self.mode)),
            ("link", field(&self.link)),
            ("overrides", unless_empty(&self.overrides)),
        ])
    }
}

impl ToJson for LinkOverride {
    fn to_json(&self) -> Json {
        object([
            ("from", field(&self.from)),
            ("to", field(&self.to)),
            ("link", field(&self.link)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_range(latency: Latency, lo: Time, hi: Time) {
        let mut rng = Rng::from_seed(3);
        for _ in 0..10_000 {
            let d = latency.sample(&mut rng);
            assert!((lo..=hi).contains(&d), "{latency:?} gave {d}");
        }
    }

    #[test]
    fn latencies_stay_within_their_bounds() {
        check_range(Latency::Constant { us: 7 }, 7, 7);
        check_range(
            Latency::Uniform {
                min_us: 10,
                max_us: 15,
            },
            10,
            15,
        );
        check_range(
            Latency::LongTail {
                min_us: 1_000,
                median_us: 5_000,
                max_us: 200_000,
            },
            1_000,
            200_000,
        );
    }

    #[test]
    fn long_tail_has_its_median_and_a_tail() {
        let latency = Latency::LongTail {
            min_us: 1_000,
            median_us: 5_000,
            max_us: 1_000_000,
        };
        let mut rng = Rng::from_seed(11);
        let mut samples: Vec<Time> = (0..20_001).map(|_| latency.sample(&mut rng)).collect();
        samples.sort_unstable();
        let median = samples[10_000];
        assert!((4_500..=5_500).contains(&median), "median {median}");
        let p99 = samples[19_800];
        assert!(p99 > 100_000, "p99 {p99} should be far out in the tail");
    }

    #[test]
    fn partitions_and_cuts_block_reachability() {
        let mut net = Network::new(NetworkConfig::default(), Rng::from_seed(1), 5);
        assert!(net.can_reach(0, 4));
        net.partition(&[vec![0, 1]]);
        assert!(net.can_reach(0, 1));
        assert!(!net.can_reach(0, 2));
        assert!(net.can_reach(2, 4));
        net.heal();
        net.cut_link(3, 4);
        assert!(!net.can_reach(3, 4));
        assert!(net.can_reach(4, 3));
        assert!(net.is_partitioned());
        net.heal();
        assert!(!net.is_partitioned());
    }

    #[test]
    fn synchronous_mode_bounds_every_delay() {
        let config = NetworkConfig {
            mode: NetworkMode::Synchronous { bound_us: 12_000 },
            ..NetworkConfig::default()
        };
        let mut net = Network::new(config, Rng::from_seed(5), 3);
        for _ in 0..1_000 {
            assert!(net.fate(0, 1, 0).delay_us <= 12_000);
        }
    }

    #[test]
    fn validation_explains_bad_links() {
        let bad = LinkConfig {
            loss_ppm: 2_000_000,
            ..LinkConfig::default()
        };
        assert!(bad.validate().unwrap_err().contains("loss"));
        let inverted = Latency::Uniform {
            min_us: 10,
            max_us: 5,
        };
        assert!(inverted.validate().unwrap_err().contains("exceeds"));
    }
}
