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
pub mod codec;
pub mod history_checks;
pub mod timeline;
#[macro_use]
mod registry;

pub mod byzantine;
pub mod cache_stampede;
pub mod clocks;
pub mod deadlock;
pub mod failure_detection;
pub mod fencing;
pub mod gallery;
pub mod lease_fencing;
pub mod paxos;
pub mod raft;
pub mod replication;
pub mod resilience;
pub mod ring;
pub mod saga;
pub mod split_brain;
pub mod streams;
pub mod system_models;
pub mod tracing;
pub mod two_generals;
pub mod two_phase_commit;
pub mod unreliable_network;

use failscope_sim::lab::{Catalogue, Lab, Preset};
use failscope_sim::link::{LinkError, SharedRun};
use failscope_sim::{Scenario, ScenarioError, Simulation};

pub use catalogue::{LabCard, LabInfo, PresetInfo, CARDS, CATALOGUE};
pub use registry::{load, ChunkFailed, LoadError};

registry! {
    "raft" => raft: crate::raft::RaftLab,
    "hash-ring" => hash_ring: crate::ring::RingLab,
    "replication" => replication: crate::replication::ReplicationLab,
    "paxos" => paxos: crate::paxos::PaxosLab,
    "system-models" => system_models: crate::system_models::SystemModelsLab,
    "split-brain" => split_brain: crate::split_brain::SplitBrainLab,
    "lease-fencing" => lease_fencing: crate::lease_fencing::LeaseFencingLab,
    "two-phase-commit" => two_phase_commit: crate::two_phase_commit::TwoPhaseCommitLab,
    "saga" => saga: crate::saga::SagaLab,
    "deadlock" => deadlock: crate::deadlock::DeadlockLab,
    "cache-stampede" => cache_stampede: crate::cache_stampede::CacheStampedeLab,
    "byzantine" => byzantine: crate::byzantine::ByzantineLab,
    "two-generals" => two_generals: crate::two_generals::TwoGeneralsLab,
    "clocks" => clocks: crate::clocks::ClocksLab,
    "failure-detection" => failure_detection: crate::failure_detection::FailureDetectionLab,
    "unreliable-network" => unreliable_network: crate::unreliable_network::UnreliableNetworkLab,
    "resilience" => resilience: crate::resilience::ResilienceLab,
    "streams" => streams: crate::streams::StreamsLab,
    "tracing" => tracing: crate::tracing::TracingLab,
    "gallery" => gallery: crate::gallery::GalleryLab,
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
/// In the split browser build, [`prepare`] it first (it loads the link reader and the lab).
pub fn decode_link(text: &str) -> Result<SharedRun, LinkError> {
    let mut run = codec::unpack(text).unwrap_or_else(|| Err(not_ready()))?;
    // A link to a lab by an old id (`Lab::aliases`) opens the lab under its id today.
    if let Some(info) = catalogue::info(&run.scenario.lab) {
        run.scenario.lab = info.id.to_string();
    }
    run.scenario
        .validate(&REGISTRY)
        .map_err(LinkError::Invalid)?;
    Ok(run)
}

/// The lab a link opens, if the link can be read at all (the link reader must be loaded).
pub fn link_lab(text: &str) -> Option<String> {
    codec::unpack(text)?.ok().map(|run| run.scenario.lab)
}

fn not_ready() -> LinkError {
    LinkError::NotAScenario("the link reader is still loading; open the link again".into())
}

/// What a page needs loaded before it can be built.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    pub labs: Vec<String>,
    /// A share link: the link reader, and the lab the link opens.
    pub link: Option<String>,
    /// The history checkers (the side-by-side page).
    pub history_checks: bool,
}

/// Whether everything in `needs` is loaded (unknown labs count as ready: opening them says
/// they do not exist).
pub fn ready(needs: &Needs) -> bool {
    let loaded = |id: &str| find(id).is_some() || catalogue::info(id).is_none();
    let link_ready = needs
        .link
        .as_deref()
        .is_none_or(|text| codec::loaded() && link_lab(text).is_none_or(|lab| loaded(&lab)));
    link_ready
        && needs.labs.iter().all(|id| loaded(id))
        && (!needs.history_checks || history_checks::get().is_some())
}

/// Load everything in `needs`: the link reader, then every lab (a link's own lab included),
/// then the history checkers. Natively and in unsplit builds everything is there already.
pub async fn prepare(needs: Needs) -> Result<(), LoadError> {
    let Needs {
        mut labs,
        link,
        history_checks: checks,
    } = needs;
    if let Some(text) = link {
        codec::load().await?;
        labs.extend(link_lab(&text));
    }
    for id in labs {
        if catalogue::info(&id).is_some() {
            load(&id).await?;
        }
    }
    if checks {
        history_checks::load().await?;
    }
    Ok(())
}
