//! The hash-ring lab's pictures, as data for the shared picture kinds:
//! - **the ring** (primary): each server's arcs, its virtual nodes as ticks, every key as a
//!   dot in its owner's colour (ringed when it moved at the last membership change), and a
//!   lookup walk for every key;
//! - **keys owned per server**: placement, against the mean;
//! - **keys stored per server**: what each cache holds now, which lags placement after a
//!   change because a cache does not migrate keys;
//! - **keys moved at the last change**, under this placement and the alternatives.
//!
//! Everything but the stored keys depends only on the membership, so it is computed once per
//! membership ([`Geometry::of`], cached by `RingConfig::geometry`) and cloned out for each view.
//! Figures over the whole key space (what a million keys would show) are exact shares of the
//! circle, computed from the arcs rather than by looking keys up.

use super::hashring::{self, Ring as HashRing};
use super::node::CacheNode;
use super::placement::{RingConfig, ALGORITHMS};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::Nodes;
use failscope_sim::maps::{map_of, set_of};
use failscope_sim::picture::{
    Bar, Bars, Picture, PictureKind, Ring, RingArc, RingOwner, RingPoint, Scale,
};
use failscope_sim::protocol::Tone;
use failscope_sim::trace::Fnv;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Above this many virtual nodes the ring has no ticks: the arcs say enough.
pub const MAX_TICKS: usize = 2_000;

/// Indices into [`ALGORITHMS`].
const RING: u8 = 0;
const MOD_N: u8 = 1;
const BOUNDED: u8 = 4;

/// Short names for bars and sentences, indexed like [`ALGORITHMS`].
const SHORT_NAMES: &[&str] = &[
    "consistent hashing",
    "hash mod N",
    "rendezvous",
    "jump hash",
    "bounded loads",
];

/// The pictures of one membership (everything but what the caches hold).
#[derive(Debug)]
pub struct Geometry {
    pub ring: Picture,
    pub load: Picture,
    /// Only after a membership change.
    pub moved: Option<Picture>,
    /// Keys whose owner changed at the last membership change, by their new owner.
    pub moved_to: BTreeMap<NodeId, usize>,
}

/// One key's placement now and before the last change.
struct KeyPlace {
    replicas: Vec<NodeId>,
    before: Option<NodeId>,
    moved: bool,
}

impl Geometry {
    pub fn of(config: &RingConfig) -> Geometry {
        let version = fingerprint(config);
        let members: Vec<NodeId> = config.members.keys().copied().collect();
        let index: BTreeMap<NodeId, u16> =
            map_of(members.iter().enumerate().map(|(i, &n)| (n, i as u16)));
        let owners: Vec<RingOwner> = members
            .iter()
            .map(|&n| RingOwner {
                label: node_name(n),
                colour: (n % 8) as u8,
            })
            .collect();
        let before = (!config.previous_members.is_empty())
            .then(|| {
                config
                    .placed_with(&config.previous_members, config.algorithm)
                    .ok()
            })
            .flatten();
        let n_keys = config.n_keys.min(u32::from(u16::MAX)) as u16;
        let keys: Vec<KeyPlace> = (0..n_keys)
            .map(|key| {
                let replicas = config.replicas(key);
                let before = before
                    .as_ref()
                    .and_then(|b| b.replicas(key).first().copied());
                let moved = before.is_some() && before != replicas.first().copied();
                KeyPlace {
                    replicas,
                    before,
                    moved,
                }
            })
            .collect();
        let moved = keys.iter().filter(|k| k.moved).count();
        let mut moved_to = BTreeMap::new();
        for key in keys.iter().filter(|k| k.moved) {
            if let Some(&owner) = key.replicas.first() {
                *moved_to.entry(owner).or_insert(0) += 1;
            }
        }
        // The rings already built for the placement where there are; others are built only
        // to compare with after a change.
        let ring = config.placed_ring();
        let rings = before
            .as_ref()
            .and_then(|b| Some((built_ring(b)?, built_ring(config)?)));
        let rings = rings.as_ref().map(|(b, a)| (b.as_ref(), a.as_ref()));
        let arcs = ring.map(|r| arcs(r, &index)).unwrap_or_default();
        let ticks = match ring {
            Some(r) if r.vnodes().len() <= MAX_TICKS => r
                .vnodes()
                .iter()
                .filter_map(|&(position, node)| Some((position, owner_index(&index, node)?)))
                .collect(),
            _ => Vec::new(),
        };
        let points: Vec<RingPoint> = keys
            .iter()
            .enumerate()
            .map(|(key, place)| {
                let position = hashring::hash_key(key as u64);
                let owner = place.replicas.first().copied();
                let walk = ring
                    .map(|r| walk(r, config, position, owner))
                    .unwrap_or_default();
                let arc_owner = ring
                    .and_then(|r| r.lookup(position))
                    .and_then(|n| NodeId::try_from(n).ok());
                RingPoint {
                    position,
                    label: format!("k{key}"),
                    detail: detail(
                        key,
                        place,
                        arc_owner.filter(|_| config.algorithm == BOUNDED),
                    ),
                    owner: owner.and_then(|o| index.get(&o).copied()),
                    highlight: place.moved,
                    walk,
                }
            })
            .collect();
        let featured = points
            .iter()
            .find(|p| p.highlight && !p.walk.is_empty())
            .map(|p| (p.position, p.walk.clone()));
        let space = rings.map(|(b, a)| key_space_moved(config, b, a));
        let comparison = rings.map(|rings| moved_by_algorithm(config, &keys, rings));
        let ring_picture = Picture {
            id: "ring",
            title: "The ring".into(),
            caption: ring_caption(config, ring, moved, comparison.as_deref(), space),
            primary: true,
            version,
            kind: PictureKind::Ring(Ring {
                arcs,
                owners,
                ticks,
                points,
                walk: featured,
            }),
        };
        Geometry {
            ring: ring_picture,
            load: load_picture(config, &members, &keys, ring, version),
            moved: comparison.map(|c| moved_picture(config, &c, version)),
            moved_to,
        }
    }
}

/// The ring lab's pictures at time `now`: the membership's geometry and what the caches hold.
pub fn pictures(config: &RingConfig, nodes: &Nodes<'_, CacheNode>) -> Vec<Picture> {
    let geometry = config.geometry();
    let mut out = vec![geometry.ring.clone(), geometry.load.clone()];
    out.push(stored_picture(config, nodes));
    out.extend(geometry.moved.clone());
    out
}

/// The configuration's ring: the placement's own, or built for the comparison.
fn built_ring(config: &RingConfig) -> Option<Cow<'_, HashRing>> {
    match config.placed_ring() {
        Some(ring) => Some(Cow::Borrowed(ring)),
        None => config.ring().ok().map(Cow::Owned),
    }
}

fn owner_index(index: &BTreeMap<NodeId, u16>, node: u32) -> Option<u16> {
    index.get(&NodeId::try_from(node).ok()?).copied()
}

/// What the picture's version depends on: everything [`Geometry::of`] reads.
fn fingerprint(config: &RingConfig) -> u64 {
    let mut h = Fnv::new();
    for members in [&config.members, &config.previous_members] {
        h.u64(members.len() as u64);
        for (&node, &weight) in members {
            h.u64(u64::from(node));
            h.u64(u64::from(weight));
        }
    }
    h.u64(u64::from(config.algorithm));
    h.u64(config.replicas as u64);
    h.u64(config.write_quorum as u64);
    h.u64(u64::from(config.n_keys));
    h.u64(u64::from(config.epsilon_per_mille));
    h.finish()
}

/// The owners' arcs, consecutive virtual nodes of one owner merged. A virtual node at `p`
/// owns the keys hashing into `(previous, p]`, which is `[previous + 1, p + 1)`.
fn arcs(ring: &HashRing, index: &BTreeMap<NodeId, u16>) -> Vec<RingArc> {
    let mut out: Vec<RingArc> = Vec::new();
    for arc in ring.arcs() {
        if arc.span == 0 {
            continue; // a virtual node sharing its position with the one before owns nothing
        }
        let Some(owner) = owner_index(index, arc.owner) else {
            continue;
        };
        let (start, end) = (arc.start.wrapping_add(1), arc.end.wrapping_add(1));
        match out.last_mut() {
            Some(last) if last.owner == owner && last.end == start => last.end = end,
            _ => out.push(RingArc { start, end, owner }),
        }
    }
    // The run that wraps past zero may continue the last one.
    if out.len() > 1 && out.first().map(|a| a.owner) == out.last().map(|a| a.owner) {
        if let Some(last) = out.pop() {
            out[0].start = last.start;
        }
    }
    out
}

/// The positions a lookup of `position` walks to on the ring: each replica's virtual node,
/// owner first; with bounded loads, every server passed over until the owner with room.
fn walk(ring: &HashRing, config: &RingConfig, position: u64, owner: Option<NodeId>) -> Vec<u64> {
    if config.algorithm != BOUNDED {
        return ring
            .walk(position, config.replicas)
            .steps
            .into_iter()
            .filter(|s| s.new_replica)
            .map(|s| s.position)
            .collect();
    }
    let (Some(owner), Some(start)) = (owner, ring.lookup_index(position)) else {
        return Vec::new();
    };
    let vnodes = ring.vnodes();
    let mut seen: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    for offset in 0..vnodes.len() {
        let (p, node) = vnodes[(start + offset) % vnodes.len()];
        if !seen.contains(&node) {
            seen.push(node);
            out.push(p);
            if node == u32::from(owner) {
                break;
            }
        }
    }
    out
}

fn detail(key: usize, place: &KeyPlace, arc_owner: Option<NodeId>) -> String {
    let mut text = format!("k{key} → ");
    if place.replicas.is_empty() {
        text.push_str("nobody");
    }
    for (i, &n) in place.replicas.iter().enumerate() {
        if i > 0 {
            text.push_str(", then ");
        }
        text.push_str(&node_name(n));
    }
    if let (Some(arc), Some(&owner)) = (arc_owner, place.replicas.first()) {
        if arc != owner {
            text.push_str(&format!(" ({}, first clockwise, was full)", node_name(arc)));
        }
    }
    if place.moved {
        match place.before {
            Some(b) => text.push_str(&format!("; moved from {} at the last change", node_name(b))),
            None => text.push_str("; placed at the last change"),
        }
    }
    text
}

/// Shares of the key space, in hundredths of a percent, that changed owner at the last
/// change: under consistent hashing (from the arcs) and under hash mod N (from the
/// remainders). Exact, not sampled: what a million keys approximate.
#[derive(Clone, Copy, Debug)]
struct SpaceMoved {
    ring: Option<u64>,
    mod_n: Option<u64>,
}

fn key_space_moved(config: &RingConfig, before: &HashRing, after: &HashRing) -> SpaceMoved {
    let members_before: Vec<NodeId> = config.previous_members.keys().copied().collect();
    let members_after: Vec<NodeId> = config.members.keys().copied().collect();
    SpaceMoved {
        ring: Some(per_10k(ring_moved_span(before, after))),
        mod_n: mod_n_moved_per_10k(&members_before, &members_after),
    }
}

/// How many positions of the circle have different owners on two rings. Between
/// consecutive virtual-node positions of either ring both owners are constant: the owner of
/// `(previous, bound]` is each ring's first virtual node at or after `bound`. One merge of
/// the two sorted lists.
fn ring_moved_span(before: &HashRing, after: &HashRing) -> u128 {
    let (a, b) = (before.vnodes(), after.vnodes());
    let (Some(&(last_a, _)), Some(&(last_b, _))) = (a.last(), b.last()) else {
        return 0;
    };
    let (mut i, mut j) = (0, 0);
    let mut previous = last_a.max(last_b);
    let mut first = true;
    let mut moved = 0u128;
    while i < a.len() || j < b.len() {
        let bound = match (a.get(i), b.get(j)) {
            (Some(&(p, _)), Some(&(q, _))) => p.min(q),
            (Some(&(p, _)), None) => p,
            (None, Some(&(q, _))) => q,
            (None, None) => break,
        };
        // Past a ring's last virtual node its owner wraps to its first.
        let owner_a = a.get(i).unwrap_or(&a[0]).1;
        let owner_b = b.get(j).unwrap_or(&b[0]).1;
        let span = if first {
            (1u128 << 64) - u128::from(previous) + u128::from(bound)
        } else {
            u128::from(bound - previous)
        };
        if owner_a != owner_b {
            moved += span;
        }
        first = false;
        previous = bound;
        while a.get(i).is_some_and(|&(p, _)| p <= bound) {
            i += 1;
        }
        while b.get(j).is_some_and(|&(q, _)| q <= bound) {
            j += 1;
        }
    }
    moved
}

fn per_10k(span: u128) -> u64 {
    ((span * 10_000) >> 64) as u64
}

/// The share of hashes whose member under `h mod N` differs before and after, over one
/// period of both remainders (the bias from 2^64 not dividing evenly is below 10^-15).
fn mod_n_moved_per_10k(before: &[NodeId], after: &[NodeId]) -> Option<u64> {
    let (n, m) = (before.len() as u64, after.len() as u64);
    if n == 0 || m == 0 {
        return None;
    }
    let period = n / gcd(n, m) * m;
    let moved = (0..period)
        .filter(|&r| before[(r % n) as usize] != after[(r % m) as usize])
        .count() as u64;
    Some(moved * 10_000 / period)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The text with its first letter capitalised. Our captions start with an ASCII letter;
/// ASCII case keeps the Unicode case tables (several KB of wasm) out of the lab's chunk.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| {
            std::iter::once(c.to_ascii_uppercase())
                .chain(chars)
                .collect()
        })
        .unwrap_or_default()
}

fn percent(per_10k: u64) -> String {
    format!("{}.{:02}%", per_10k / 100, per_10k % 100)
}

/// Keys (of the workload's) that changed owner at the last change under each placement that
/// can place both memberships (jump hash cannot place most), by index into [`ALGORITHMS`].
fn moved_by_algorithm(
    config: &RingConfig,
    keys: &[KeyPlace],
    (ring_before, ring_after): (&HashRing, &HashRing),
) -> Vec<(u8, u64)> {
    let current = keys.iter().filter(|k| k.moved).count() as u64;
    (0..ALGORITHMS.len() as u8)
        .filter_map(|algorithm| {
            if algorithm == config.algorithm {
                return Some((algorithm, current));
            }
            // The rings at hand serve consistent hashing, plain and with bounded loads.
            if algorithm == RING {
                let moved = (0..keys.len() as u64)
                    .map(hashring::hash_key)
                    .filter(|&h| ring_before.lookup(h) != ring_after.lookup(h))
                    .count() as u64;
                return Some((algorithm, moved));
            }
            if algorithm == BOUNDED {
                let ids: Vec<u64> = (0..keys.len() as u64).collect();
                let epsilon = hashring::Epsilon::ratio(config.epsilon_per_mille, 1000)?;
                let before = hashring::assign_bounded(ring_before, &ids, epsilon).ok()?;
                let after = hashring::assign_bounded(ring_after, &ids, epsilon).ok()?;
                return Some((
                    algorithm,
                    hashring::stats::count_moved(&before.owners, &after.owners),
                ));
            }
            let before = config
                .placed_with(&config.previous_members, algorithm)
                .ok()?;
            let after = config.placed_with(&config.members, algorithm).ok()?;
            let moved = (0..keys.len() as u16)
                .filter(|&k| before.replicas(k).first() != after.replicas(k).first())
                .count() as u64;
            Some((algorithm, moved))
        })
        .collect()
}

fn ring_caption(
    config: &RingConfig,
    ring: Option<&HashRing>,
    moved: usize,
    comparison: Option<&[(u8, u64)]>,
    space: Option<SpaceMoved>,
) -> String {
    let name = capitalised(
        ALGORITHMS
            .get(usize::from(config.algorithm))
            .copied()
            .unwrap_or("?"),
    );
    let mut text = match ring {
        Some(r) => format!(
            "{name}, {} virtual nodes, R = {}, W = {}. Each key (a dot) belongs to the first server clockwise from its position",
            r.vnodes().len(),
            config.replicas,
            config.write_quorum
        ),
        None => format!(
            "{name}, R = {}, W = {}. No server owns an arc: each key's dot, at its hash, has its owner's colour",
            config.replicas, config.write_quorum
        ),
    };
    if config.algorithm == BOUNDED {
        text.push_str(", or further on when that one is full");
    }
    text.push('.');
    let keys = config.n_keys;
    match comparison {
        None => text.push_str(" Add or remove a server to see which keys move."),
        Some(comparison) => {
            // Against hash mod N, or against the ring when mod N is what runs.
            let other = if config.algorithm == MOD_N {
                RING
            } else {
                MOD_N
            };
            text.push_str(&format!(
                " {moved} of {keys} keys moved at the last change (ringed)"
            ));
            if let Some(&(_, n)) = comparison.iter().find(|(a, _)| *a == other) {
                text.push_str(&format!(
                    "; {} would have moved {n}",
                    SHORT_NAMES[usize::from(other)]
                ));
            }
            text.push('.');
        }
    }
    if let Some(space) = space {
        let parts: Vec<String> = [(RING, space.ring), (MOD_N, space.mod_n)]
            .into_iter()
            .filter_map(|(a, share)| {
                Some(format!(
                    "{} under {}",
                    percent(share?),
                    SHORT_NAMES[usize::from(a)]
                ))
            })
            .collect();
        if !parts.is_empty() {
            text.push_str(&format!(
                " Of the whole key space (exact, not sampled), this change moves {}.",
                parts.join(" and ")
            ));
        }
    }
    text
}

fn load_picture(
    config: &RingConfig,
    members: &[NodeId],
    keys: &[KeyPlace],
    ring: Option<&HashRing>,
    version: u64,
) -> Picture {
    let mut owned: BTreeMap<NodeId, i64> = map_of(members.iter().map(|&n| (n, 0)));
    for key in keys {
        if let Some(count) = key.replicas.first().and_then(|o| owned.get_mut(o)) {
            *count += 1;
        }
    }
    let total: i64 = owned.values().sum();
    let n = members.len().max(1) as i64;
    let max = owned.values().copied().max().unwrap_or(0);
    let bars = owned
        .iter()
        .map(|(&node, &value)| Bar {
            label: node_name(node),
            value,
            tone: Tone::Secondary,
            highlight: value == max && max > 0,
        })
        .collect();
    // The mean to a tenth of a key, rounded for the line's position.
    let mean_tenths = total * 10 / n;
    let mut caption = format!(
        "Placement: how many of the {} keys each server owns (is the first replica for); the line is the mean and the busiest server is highlighted.",
        config.n_keys
    );
    if config.replicas > 1 {
        caption.push_str(&format!(
            " Each key is also stored on {} more servers.",
            config.replicas - 1
        ));
    }
    if let Some(share) = ring
        .filter(|_| config.algorithm == RING)
        .and_then(busiest_share_hundredths)
    {
        caption.push_str(&format!(
            " Over the whole key space, the busiest server owns {}.{:02}× its fair share by weight.",
            share / 100,
            share % 100
        ));
    }
    Picture {
        id: "load",
        title: "Keys owned per server".into(),
        caption,
        primary: false,
        version,
        kind: PictureKind::Bars(Bars {
            x_label: "server".into(),
            y: Scale::new("keys owned", "keys", 1),
            bars,
            reference: Some((
                (mean_tenths + 5) / 10,
                format!("mean {}.{}", mean_tenths / 10, mean_tenths % 10),
            )),
        }),
    }
}

/// The largest ratio of a member's share of the circle to its share of the weight, in
/// hundredths (100 is perfectly fair).
fn busiest_share_hundredths(ring: &HashRing) -> Option<u64> {
    let ownership = ring.ownership();
    let total_weight: u128 = ownership
        .iter()
        .map(|&(n, _)| u128::from(ring.weight(n).unwrap_or(0)))
        .sum();
    ownership
        .iter()
        .filter_map(|&(node, span)| {
            let weight = u128::from(ring.weight(node)?);
            (weight > 0).then(|| ((span * total_weight * 100 / weight) >> 64) as u64)
        })
        .max()
}

fn stored_picture(config: &RingConfig, nodes: &Nodes<'_, CacheNode>) -> Picture {
    let mut version = Fnv::new();
    let bars: Vec<Bar> = nodes
        .ids()
        .map(|node| {
            let stored = nodes.state(node).map_or(0, CacheNode::store_len) as i64;
            let up = nodes.state(node).is_some();
            version.u64(stored as u64);
            version.bytes(&[u8::from(up)]);
            Bar {
                label: node_name(node),
                value: stored,
                tone: match (up, config.is_member(node)) {
                    (false, _) => Tone::Faulty,
                    (true, true) => Tone::Secondary,
                    (true, false) => Tone::Idle,
                },
                highlight: false,
            }
        })
        .collect();
    Picture {
        id: "stored",
        title: "Keys stored per server".into(),
        caption: "What each server's cache holds now (the number under each server on the canvas). A cache does not migrate keys: after a change a newcomer fills up only as keys are written, and old owners keep copies they no longer serve.".into(),
        primary: false,
        version: version.finish(),
        kind: PictureKind::Bars(Bars {
            x_label: "server".into(),
            y: Scale::new("keys stored", "keys", 1),
            bars,
            reference: None,
        }),
    }
}

fn moved_picture(config: &RingConfig, comparison: &[(u8, u64)], version: u64) -> Picture {
    let bars = comparison
        .iter()
        .map(|&(algorithm, moved)| Bar {
            label: SHORT_NAMES[usize::from(algorithm)].into(),
            value: moved as i64,
            tone: Tone::Secondary,
            highlight: algorithm == config.algorithm,
        })
        .collect();
    let least = least_moved(config);
    Picture {
        id: "moved",
        title: "Keys moved at the last change".into(),
        caption: format!(
            "How many of the {} keys changed owner at the last membership change, under the placement running here (highlighted) and the others; the line is the least any placement must move, the share of the weight that changed hands. Jump hash appears only when it can place both memberships; hash mod N, rendezvous and jump hash ignore weights.",
            config.n_keys
        ),
        primary: false,
        version,
        kind: PictureKind::Bars(Bars {
            x_label: "placement".into(),
            y: Scale::new("keys moved", "keys", 1),
            bars,
            reference: Some((least, format!("least possible {least}"))),
        }),
    }
}

/// Keys that must move, at least, for every server to own its weight's share: the keys
/// times the weight share that changed hands (half the summed differences of shares).
fn least_moved(config: &RingConfig) -> i64 {
    let total = |m: &BTreeMap<NodeId, u32>| m.values().map(|&w| u128::from(w)).sum::<u128>();
    let (tb, ta) = (total(&config.previous_members), total(&config.members));
    if tb == 0 || ta == 0 {
        return 0;
    }
    let nodes = set_of(
        config
            .previous_members
            .keys()
            .chain(config.members.keys())
            .copied(),
    );
    // Σ max(0, before_i - after_i) over shares, scaled by tb × ta to stay in integers.
    let lost: u128 = nodes
        .iter()
        .map(|n| {
            let b = u128::from(config.previous_members.get(n).copied().unwrap_or(0)) * ta;
            let a = u128::from(config.members.get(n).copied().unwrap_or(0)) * tb;
            b.saturating_sub(a)
        })
        .sum();
    let keys = u128::from(config.n_keys);
    ((lost * keys + tb * ta / 2) / (tb * ta)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mod_n_moves_all_but_one_in_n_plus_one_on_a_join() {
        // 4 → 5 members: h mod 4 and h mod 5 agree on the same member for 4 of 20 residues
        // (r < 4), so 80% move.
        assert_eq!(
            mod_n_moved_per_10k(&[0, 1, 2, 3], &[0, 1, 2, 3, 4]),
            Some(8_000)
        );
        assert_eq!(mod_n_moved_per_10k(&[0, 1, 2], &[0, 1, 2]), Some(0));
        assert_eq!(mod_n_moved_per_10k(&[], &[0]), None);
    }

    #[test]
    fn identical_rings_move_nothing_and_a_join_moves_the_newcomers_share() {
        let a = HashRing::with_nodes(&[0, 1, 2, 3], 64).unwrap();
        assert_eq!(ring_moved_span(&a, &a), 0);
        let b = HashRing::with_nodes(&[0, 1, 2, 3, 4], 64).unwrap();
        let owned_by_newcomer = b
            .ownership()
            .into_iter()
            .find(|&(n, _)| n == 4)
            .map(|(_, span)| span);
        assert_eq!(Some(ring_moved_span(&a, &b)), owned_by_newcomer);
    }

    #[test]
    fn percentages_have_two_decimals() {
        assert_eq!(percent(2_034), "20.34%");
        assert_eq!(percent(5), "0.05%");
        assert_eq!(per_10k(1u128 << 63), 5_000);
    }
}
