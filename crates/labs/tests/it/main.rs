//! The engine's integration tests: one binary, one module per area.

mod bug_demos;
mod byzantine;
mod cache_stampede;
mod catalogue;
mod challenges;
mod clocks;
mod deadlock;
mod determinism;
mod engine;
mod failure_detection;
mod gallery;
mod hunt;
mod lab_run;
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
mod resilience;
mod ring;
mod saga;
mod scenario;
mod seek;
mod shared_code;
mod split_brain;
mod streams;
mod swarm;
mod system_models;
mod tracing;
mod two_generals;
mod two_phase_commit;
mod unreliable_network;
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

/// Random settings within `lab`'s bounds (its extremes included), random node counts and
/// random faults: each run is refused with a reason or runs `until_us` without panicking.
/// Returns how many ran.
pub fn random_settings_never_panic(
    lab: &dyn failscope_sim::Lab,
    cases: u64,
    until_us: failscope_sim::Time,
) -> u64 {
    let mut ran = 0;
    for seed in 0..cases {
        let mut rng = failscope_sim::rng::Rng::from_seed(seed);
        let mut s = lab.default_scenario(seed);
        for p in lab.params() {
            let span = (p.max - p.min) as u64;
            let value = match rng.below(4) {
                0 => p.min,
                1 => p.max,
                _ => p.min + rng.range_inclusive(0, span) as i64,
            };
            s = s.with_param(p.key, value);
        }
        let range = lab.nodes();
        s.n_nodes = rng.range_inclusive(u64::from(range.min), u64::from(range.max)) as u16;
        swarm::schedule_random_faults(&mut s, &mut rng, 6, until_us / 2, |_, node| {
            failscope_sim::Action::Crash { node }
        });
        match failscope_labs::build(&s) {
            Ok(mut sim) => {
                sim.run_until(until_us);
                ran += 1;
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    ran
}
