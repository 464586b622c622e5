//! The engine's integration tests: one binary, one module per area.

mod bug_demos;
mod catalogue;
mod challenges;
mod determinism;
mod engine;
mod gallery;
mod heartbeat;
mod lease_fencing;
#[cfg(not(target_arch = "wasm32"))]
mod link;
mod narration;
mod paxos;
#[cfg(not(target_arch = "wasm32"))]
mod properties;
mod raft;
#[cfg(not(target_arch = "wasm32"))]
mod reader;
mod replication;
mod ring;
mod scenario;
mod seek;
mod shared_code;
mod split_brain;
mod swarm;
mod system_models;
mod verbs;

/// Tests that fail print the seed that reproduces them.
pub fn seed_note(seed: u64) -> String {
    format!("reproduce with FAILSCOPE_SEED={seed}")
}

/// Every preset of `lab` (run for its duration, at most `cap_us`) replays to the same trace,
/// and seeking half-way back and forth again shows the same pictures.
pub fn presets_replay_exactly(lab: &dyn failscope_sim::Lab, cap_us: failscope_sim::Time) {
    for p in lab.presets() {
        let until = p.duration_us.min(cap_us);
        let run = || {
            let mut sim = failscope_labs::build(&p.scenario).expect("valid preset");
            sim.run_until(until);
            sim
        };
        let (a, mut b) = (run(), run());
        assert_eq!(a.trace().hash(), b.trace().hash(), "{}", p.id);
        let end = format!("{:?}", b.pictures());
        b.seek(until / 2);
        b.seek(until);
        assert_eq!(format!("{:?}", b.pictures()), end, "{}", p.id);
    }
}

/// Building `scenario` is refused, with a reason that contains `words`.
pub fn refused(scenario: &failscope_sim::Scenario, words: &str) {
    let err = failscope_labs::build(scenario)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains(words), "{err}");
}
