//! The engine's integration tests: one binary, one module per area.

mod bug_demos;
mod catalogue;
mod challenges;
mod deadlock;
mod determinism;
mod engine;
mod gallery;
mod heartbeat;
mod lab_run;
mod lease_fencing;
#[cfg(not(target_arch = "wasm32"))]
mod link;
mod narration;
#[cfg(not(target_arch = "wasm32"))]
mod properties;
mod raft;
#[cfg(not(target_arch = "wasm32"))]
mod reader;
mod replication;
mod ring;
mod saga;
mod scenario;
mod seek;
mod shared_code;
mod split_brain;
mod swarm;
mod two_phase_commit;
mod verbs;

/// Tests that fail print the seed that reproduces them.
pub fn seed_note(seed: u64) -> String {
    format!("reproduce with FAILSCOPE_SEED={seed}")
}
