//! The cache's configuration: who is on the ring, with what weight, placed by which
//! algorithm; and the placement built from it (rebuilt only when membership changes, shared
//! by every node through an `Arc`, since all nodes see the same membership here). The
//! pictures' geometry for a membership lives beside its placement, computed the first time a
//! view asks for it.

use super::hashring::{self, Epsilon, Placement, Ring};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::maps::map_of;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// The placement algorithms, indexed by the `algorithm` parameter.
pub const ALGORITHMS: &[&str] = &[
    "consistent hashing (ring)",
    "hash mod N",
    "rendezvous (highest random weight)",
    "jump consistent hash",
    "consistent hashing with bounded loads",
];

#[derive(Clone)]
pub struct RingConfig {
    pub algorithm: u8,
    /// Members and their weights (virtual nodes), by node id.
    pub members: BTreeMap<NodeId, u32>,
    /// Members before the last change (empty before any).
    pub previous_members: BTreeMap<NodeId, u32>,
    pub default_weight: u32,
    pub replicas: usize,
    pub write_quorum: usize,
    pub epsilon_per_mille: u32,
    pub request_timeout_us: Time,
    pub n_keys: u32,
    pub ack_early: bool,
    /// Start with every server holding the keys it owns.
    pub prefill: bool,
    /// Bumped on every membership change.
    pub version: u64,
    placed: Arc<Placed>,
}

impl std::fmt::Debug for RingConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RingConfig")
            .field("algorithm", &ALGORITHMS.get(usize::from(self.algorithm)))
            .field("members", &self.members)
            .field("replicas", &self.replicas)
            .field("write_quorum", &self.write_quorum)
            .field("version", &self.version)
            .finish()
    }
}

/// A built placement: the ring itself for consistent hashing (plain and with bounded loads,
/// so the pictures can read it), or another algorithm.
enum Placer {
    Ring(Ring),
    Other(Box<dyn Placement + Send + Sync>),
}

impl Placer {
    fn placement(&self) -> &dyn Placement {
        match self {
            Placer::Ring(ring) => ring,
            Placer::Other(placement) => placement.as_ref(),
        }
    }
}

/// A built placement, plus the per-key table bounded loads need.
struct Placed {
    placement: Option<Placer>,
    /// Bounded loads assign keys as a batch: the owner of each key id.
    bounded_owners: Vec<u32>,
    /// What the pictures draw of this membership: a view only, so it is computed when a
    /// view first asks (never while a run replays) and never decides anything.
    geometry: OnceLock<super::pictures::Geometry>,
}

impl Placed {
    fn empty() -> Arc<Placed> {
        Arc::new(Placed {
            placement: None,
            bounded_owners: Vec::new(),
            geometry: OnceLock::new(),
        })
    }
}

impl RingConfig {
    pub fn from_params(params: &Params, n_nodes: u16) -> Result<RingConfig, String> {
        let get = |key: &str| params.get(key).copied().unwrap_or(0);
        let ring_size = (get("ring_size").max(1) as u16).min(n_nodes);
        let weight = get("vnodes").max(1) as u32;
        let replicas = get("replicas").max(1) as usize;
        let write_quorum = get("write_quorum").max(1) as usize;
        if write_quorum > replicas {
            return Err(format!(
                "the write quorum W = {write_quorum} cannot exceed the replicas per key R = {replicas}"
            ));
        }
        let mut config = RingConfig {
            algorithm: get("algorithm").clamp(0, ALGORITHMS.len() as i64 - 1) as u8,
            members: map_of((0..ring_size).map(|n| (n, weight))),
            previous_members: BTreeMap::new(),
            default_weight: weight,
            replicas,
            write_quorum,
            epsilon_per_mille: get("epsilon_per_mille").max(0) as u32,
            request_timeout_us: get("request_timeout_ms").max(1) as Time * MS,
            n_keys: get("keys").clamp(1, i64::from(failscope_sim::limits::MAX_KEYS)) as u32,
            ack_early: get(failscope_sim::lab::BUG_PARAM) == 1,
            prefill: get("prefill") != 0,
            version: 0,
            placed: Placed::empty(),
        };
        config.rebuild()?;
        Ok(config)
    }

    /// The same configuration with other members or another algorithm (index into
    /// [`ALGORITHMS`]), placed: what the membership before the last change looked like, or
    /// what another algorithm would have done with it.
    pub fn placed_with(
        &self,
        members: &BTreeMap<NodeId, u32>,
        algorithm: u8,
    ) -> Result<RingConfig, String> {
        let mut config = RingConfig {
            algorithm,
            members: members.clone(),
            previous_members: BTreeMap::new(),
            placed: Placed::empty(),
            ..self.clone()
        };
        config.rebuild()?;
        Ok(config)
    }

    /// What the pictures draw of the current membership, computed on first use and shared
    /// by every clone of this configuration until the membership changes.
    pub fn geometry(&self) -> &super::pictures::Geometry {
        self.placed
            .geometry
            .get_or_init(|| super::pictures::Geometry::of(self))
    }

    /// Build the placement for the current membership (an error leaves the old one).
    pub fn rebuild(&mut self) -> Result<(), String> {
        let nodes: Vec<u32> = self.members.keys().map(|&n| u32::from(n)).collect();
        let mut bounded_owners = Vec::new();
        let other = |p: Result<Box<dyn Placement + Send + Sync>, hashring::PlacementError>| {
            p.map(Placer::Other).map_err(|e| e.to_string())
        };
        let placement = match self.algorithm {
            1 => other(hashring::ModN::with_nodes(&nodes).map(|p| Box::new(p) as _))?,
            2 => other(hashring::Rendezvous::with_nodes(&nodes).map(|p| Box::new(p) as _))?,
            3 => other(hashring::JumpHash::with_nodes(&nodes).map(|p| Box::new(p) as _))?,
            algorithm => {
                let ring = self.ring()?;
                if algorithm == 4 {
                    let keys: Vec<u64> = (0..u64::from(self.n_keys.max(1))).collect();
                    let epsilon =
                        Epsilon::ratio(self.epsilon_per_mille, 1000).ok_or("bad epsilon")?;
                    bounded_owners = hashring::assign_bounded(&ring, &keys, epsilon)
                        .map_err(|e| e.to_string())?
                        .owners;
                }
                Placer::Ring(ring)
            }
        };
        self.placed = Arc::new(Placed {
            placement: Some(placement),
            bounded_owners,
            geometry: OnceLock::new(),
        });
        Ok(())
    }

    /// The weighted ring of the current members.
    pub fn ring(&self) -> Result<Ring, String> {
        ring_of(&self.members)
    }

    /// The ring the placement uses, when it is consistent hashing (plain or with bounded
    /// loads): built already, nothing to rebuild.
    pub fn placed_ring(&self) -> Option<&Ring> {
        match &self.placed.placement {
            Some(Placer::Ring(ring)) => Some(ring),
            _ => None,
        }
    }

    /// The servers responsible for `key`, owner first.
    pub fn replicas(&self, key: u16) -> Vec<NodeId> {
        let Some(placement) = self.placed.placement.as_ref().map(Placer::placement) else {
            return Vec::new();
        };
        let hash = hashring::hash_key(u64::from(key));
        let mut out = placement.replicas(hash, self.replicas);
        if let Some(&owner) = self.placed.bounded_owners.get(usize::from(key)) {
            // Bounded loads pick the owner; the other replicas follow it on the ring.
            out.retain(|&n| n != owner);
            out.insert(0, owner);
            out.truncate(self.replicas);
        }
        out.into_iter()
            .filter_map(|n| NodeId::try_from(n).ok())
            .collect()
    }

    /// Apply a membership change. Jump hash can only add or remove the last bucket, which
    /// its placement reports as an error; the change is then refused.
    pub fn change(&mut self, verb: &str, args: &[i64]) -> Result<String, String> {
        let node = args
            .first()
            .and_then(|&n| NodeId::try_from(n).ok())
            .ok_or_else(|| format!("“{verb}” needs a server number"))?;
        let before = self.members.clone();
        let text = match verb {
            "join" => {
                if self.members.contains_key(&node) {
                    return Err(format!("{} is already on the ring", node_name(node)));
                }
                let weight = args
                    .get(1)
                    .map_or(self.default_weight, |&w| w.max(1) as u32);
                self.members.insert(node, weight);
                format!("{} joined the ring", node_name(node))
            }
            "leave" => {
                if self.members.remove(&node).is_none() {
                    return Err(format!("{} is not on the ring", node_name(node)));
                }
                if self.members.is_empty() {
                    self.members = before;
                    return Err("the last server cannot leave the ring".into());
                }
                format!("{} left the ring", node_name(node))
            }
            "weight" => {
                let weight = args
                    .get(1)
                    .map(|&w| w.clamp(1, i64::from(hashring::MAX_VNODES_PER_NODE)) as u32)
                    .ok_or("“weight” needs a server and a weight")?;
                let slot = self
                    .members
                    .get_mut(&node)
                    .ok_or_else(|| format!("{} is not on the ring", node_name(node)))?;
                *slot = weight;
                format!("{} now has {weight} virtual nodes", node_name(node))
            }
            other => return Err(format!("the hash-ring lab has no action “{other}”")),
        };
        if let Err(e) = self.rebuild() {
            self.members = before;
            self.rebuild()?;
            return Err(e);
        }
        self.previous_members = before;
        self.version += 1;
        Ok(text)
    }

    pub fn is_member(&self, node: NodeId) -> bool {
        self.members.contains_key(&node)
    }
}

/// The weighted ring of `members`.
pub fn ring_of(members: &BTreeMap<NodeId, u32>) -> Result<Ring, String> {
    let members: Vec<(u32, u32)> = members.iter().map(|(&n, &w)| (u32::from(n), w)).collect();
    Ring::with_weights(&members).map_err(|e| e.to_string())
}
