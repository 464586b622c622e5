//! # failscope-labs
//!
//! Failscope's labs, one protocol per module, and the registry: the one list of labs the
//! app and the CLI pick from. The engine (`failscope-sim`) knows none of them; whatever needs
//! to look a lab up by id (building a run, validating a scenario or a share link) is handed
//! [`REGISTRY`].
//!
//! Each lab's code is reached only through its loader (see `registry!` below). With the
//! `split` feature on wasm, a loader is a lazily loaded chunk of the bundle, so a lab's code
//! is downloaded only when someone opens it; everywhere else it is an ordinary function. What
//! the lab picker shows before any lab is loaded (titles, summaries, preset titles) is the
//! static [`catalogue::CATALOGUE`], kept in step with the labs by a test.
//!
//! Adding a lab is a folder here and one line in `registry!` (see ARCHITECTURE.md).

pub mod bench;
pub mod catalogue;
#[macro_use]
mod registry;

pub mod heartbeat;
pub mod raft;
pub mod replication;
pub mod ring;

use failscope_sim::lab::{Catalogue, Lab, Preset};
use failscope_sim::link::{LinkError, SharedRun};
use failscope_sim::{Scenario, ScenarioError, Simulation};

pub use catalogue::{LabInfo, PresetInfo, CATALOGUE};
pub use registry::{load, LoadError};

registry! {
    "raft" => raft: crate::raft::RaftLab,
    "hash-ring" => hash_ring: crate::ring::RingLab,
    "replication" => replication: crate::replication::ReplicationLab,
    "heartbeat" => heartbeat: crate::heartbeat::HeartbeatLab,
}

/// Lab lookups for the engine: every lab whose code is loaded (natively, every lab).
pub static REGISTRY: Catalogue = Catalogue::new(find);

/// Validate a scenario against its lab and build its run.
pub fn build(scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
    REGISTRY.build(scenario)
}

/// The lab with this id, if its code is loaded (natively and in unsplit builds: always).
pub fn find(id: &str) -> Option<&'static dyn Lab> {
    registry::find(id)
}

/// Every lab whose code is loaded, in the picker's order (natively: every lab).
pub fn all() -> Vec<&'static dyn Lab> {
    CATALOGUE.iter().filter_map(|info| find(info.id)).collect()
}

/// A preset by lab id and preset id (the lab's code must be loaded).
pub fn preset(lab: &str, id: &str) -> Option<Preset> {
    REGISTRY.preset(lab, id)
}

/// Decode a share link (the payload, `#s=…` or a whole URL) and validate it against the labs.
/// The link's lab must be loaded: see [`failscope_sim::link::peek_lab`] to learn which.
pub fn decode_link(text: &str) -> Result<SharedRun, LinkError> {
    failscope_sim::link::decode(text, &REGISTRY)
}
