//! The same scenario gives the same trace, every time and on every target. The golden hash
//! is also checked in wasm32 under headless Chromium (crates/web/tests/determinism.rs).

use failscope_labs::bench::{
    golden_scenario, golden_trace, raft_golden_trace, xfetch_golden_trace, GOLDEN_TRACE,
    RAFT_GOLDEN_TRACE, XFETCH_GOLDEN_TRACE,
};
use failscope_labs::build;
use failscope_sim::time::SECOND;
use failscope_sim::Scenario;

fn trace_hash(scenario: &Scenario, until: u64) -> (u64, usize) {
    let mut run = build(scenario).expect("valid scenario");
    run.run_until(until);
    (run.trace().hash(), run.trace().len())
}

#[test]
fn same_scenario_same_trace() {
    let scenario = golden_scenario();
    assert_eq!(
        trace_hash(&scenario, 2 * SECOND),
        trace_hash(&scenario, 2 * SECOND)
    );
}

#[test]
fn a_different_seed_gives_a_different_trace() {
    let a = golden_scenario();
    let mut b = golden_scenario();
    b.seed += 1;
    assert_ne!(trace_hash(&a, SECOND).0, trace_hash(&b, SECOND).0);
}

#[test]
fn golden_trace_hash_of_the_reference_scenario() {
    let (hash, len) = golden_trace();
    println!("golden trace: {len} events, hash {hash:#018x}");
    assert_eq!((hash, len), GOLDEN_TRACE);
}

#[test]
fn golden_trace_hash_of_the_xfetch_preset() {
    let (hash, len) = xfetch_golden_trace();
    println!("xfetch golden trace: {len} events, hash {hash:#018x}");
    assert_eq!((hash, len), XFETCH_GOLDEN_TRACE);
}

#[test]
fn golden_trace_hash_of_the_raft_partition_preset() {
    let (hash, len) = raft_golden_trace();
    println!("raft golden trace: {len} events, hash {hash:#018x}");
    assert_eq!((hash, len), RAFT_GOLDEN_TRACE);
}

#[test]
fn changing_loss_does_not_reshuffle_client_workload() {
    // Separate random streams: the network's knobs leave the clients' choices alone.
    let a = golden_scenario();
    let mut b = golden_scenario();
    b.network.link.loss_ppm = 0;
    let ops = |s: &Scenario| {
        let mut run = build(s).unwrap();
        run.run_until(SECOND);
        run.history()
            .operations
            .iter()
            .map(|o| o.op)
            .take(3)
            .collect::<Vec<_>>()
    };
    assert_eq!(ops(&a), ops(&b));
}
