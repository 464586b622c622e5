//! The same scenario gives the same trace, every time and on every target. The golden hash
//! below is also checked in wasm32 under headless Chromium (crates/web/tests/determinism.rs).

use failscope_sim::time::SECOND;
use failscope_sim::{build, Scenario};

/// The reference scenario shared with the browser test.
pub fn reference_scenario() -> Scenario {
    failscope_sim::lab::find("heartbeat")
        .expect("heartbeat lab")
        .default_scenario(42)
}

fn trace_hash(scenario: &Scenario, until: u64) -> (u64, usize) {
    let mut run = build(scenario).expect("valid scenario");
    run.run_until(until);
    (run.trace().hash(), run.trace().len())
}

#[test]
fn same_scenario_same_trace() {
    let scenario = reference_scenario();
    assert_eq!(
        trace_hash(&scenario, 2 * SECOND),
        trace_hash(&scenario, 2 * SECOND)
    );
}

#[test]
fn a_different_seed_gives_a_different_trace() {
    let a = reference_scenario();
    let mut b = reference_scenario();
    b.seed = 43;
    assert_ne!(trace_hash(&a, SECOND).0, trace_hash(&b, SECOND).0);
}

#[test]
fn golden_trace_hash_of_the_reference_scenario() {
    let (hash, len) = trace_hash(&reference_scenario(), 2 * SECOND);
    println!("reference trace: {len} events, hash {hash:#018x}");
    assert_eq!((hash, len), (GOLDEN_HASH, GOLDEN_LEN));
}

/// Update only for a deliberate change to the engine's behaviour, and say so in the commit.
pub const GOLDEN_HASH: u64 = 0xd5ce_c0a5_115e_8da9;
pub const GOLDEN_LEN: usize = 3_340;
