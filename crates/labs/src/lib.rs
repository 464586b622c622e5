//! # failscope-labs
//!
//! Failscope's labs, one protocol per module, and [`REGISTRY`]: the one list of labs the app
//! and the CLI pick from. The engine (`failscope-sim`) knows none of them; whatever needs
//! to look a lab up by id (building a run, validating a scenario or a share link) is handed
//! this registry.
//!
//! Adding a lab is a folder here and one line in [`REGISTRY`] (see ARCHITECTURE.md).

pub mod bench;
pub mod gallery;
pub mod heartbeat;
pub mod raft;
pub mod replication;
pub mod ring;

use failscope_sim::lab::{Catalogue, Lab, Preset};
use failscope_sim::link::{LinkError, SharedRun};
use failscope_sim::{Scenario, ScenarioError, Simulation};

/// Every lab; the order is the lab picker's.
pub static REGISTRY: Catalogue = Catalogue::new(&[
    &raft::RaftLab,
    &ring::RingLab,
    &replication::ReplicationLab,
    &heartbeat::HeartbeatLab,
    &gallery::GalleryLab,
]);

/// Validate a scenario against its lab and build its run.
pub fn build(scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
    REGISTRY.build(scenario)
}

pub fn find(id: &str) -> Option<&'static dyn Lab> {
    REGISTRY.find(id)
}

/// The labs offered in the lab picker.
pub fn listed() -> impl Iterator<Item = &'static dyn Lab> {
    REGISTRY.listed()
}

/// A preset by lab id and preset id.
pub fn preset(lab: &str, id: &str) -> Option<Preset> {
    REGISTRY.preset(lab, id)
}

/// Decode a share link (the payload, `#s=…` or a whole URL) and validate it against the labs.
pub fn decode_link(text: &str) -> Result<SharedRun, LinkError> {
    failscope_sim::link::decode(text, &REGISTRY)
}
