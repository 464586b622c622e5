//! Engine throughput in the browser. Under `cargo xtask bench` (FAILSCOPE_BENCH=1 at build
//! time, release profile) it runs the full workload and prints figures; in the normal test
//! run it runs a short workload and checks only that it completes the same events as native.
#![cfg(target_arch = "wasm32")]

use failscope_labs::bench;
use failscope_sim::time::SECOND;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn clock_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

const FULL: bool = option_env!("FAILSCOPE_BENCH").is_some();

#[wasm_bindgen_test]
fn engine_throughput_in_the_browser() {
    let scenario = bench::failure_detection_scenario();
    let seconds = if FULL { 300 } else { 5 };
    let _warm = bench::throughput(&scenario, 20 * SECOND.min(seconds * SECOND), &clock_ms);
    let runs = if FULL { 3 } else { 1 };
    let best = (0..runs)
        .map(|_| bench::throughput(&scenario, seconds * SECOND, &clock_ms))
        .max_by(|a, b| a.events_per_second.total_cmp(&b.events_per_second))
        .unwrap();
    // Each node beats 20 times a second: one timer, four pings and four pongs delivered.
    // Nodes start out of step, so the first and last beats may fall outside the run.
    let expected = seconds * 20 * 5 * 9;
    assert!(
        (expected - 5 * 9 * 2..=expected + 5 * 9).contains(&best.queue_events),
        "{} events, expected about {expected}",
        best.queue_events
    );
    console_log!(
        "BENCH engine.browser.events_per_second {:.0} ({} events in {:.0} ms, {:.0} simulated s per wall s)",
        best.events_per_second,
        best.queue_events,
        best.wall_ms,
        best.simulated_seconds_per_wall_second
    );
}

#[wasm_bindgen_test]
fn raft_throughput_in_the_browser() {
    let scenario = bench::raftscope_scenario();
    let seconds = if FULL { 1_800 } else { 10 };
    let runs = if FULL { 3 } else { 1 };
    let best = (0..runs)
        .map(|_| bench::throughput(&scenario, seconds * SECOND, &clock_ms))
        .max_by(|a, b| a.events_per_second.total_cmp(&b.events_per_second))
        .unwrap();
    // Heartbeats alone are 20 per second to each of 4 followers, each answered.
    assert!(
        best.queue_events > seconds * 20 * 4 * 2,
        "{} events",
        best.queue_events
    );
    // Only our absolute figure: `cargo xtask bench` runs RaftScope in the same invocation and
    // prints the ratio.
    console_log!(
        "BENCH raft.browser.sim_seconds_per_wall_second {:.0} ({} events in {:.0} ms)",
        best.simulated_seconds_per_wall_second,
        best.queue_events,
        best.wall_ms
    );
}

#[wasm_bindgen_test]
fn hash_ring_lookups_and_rebalance_in_the_browser() {
    use failscope_labs::ring::hashring::bench as ring;
    let n = if FULL { ring::BENCH_KEYS } else { 10_000 };
    let reference = ring::reference_ring().unwrap();
    let start = clock_ms();
    let checksum = ring::lookups(&reference, n).unwrap();
    let lookups_ms = clock_ms() - start;
    if n == 10_000 {
        // The same checksum as natively (pinned in hashring::bench's tests).
        assert_eq!(checksum, 0x1acb_bfb7_82d9_d852);
    }
    let start = clock_ms();
    let stats = ring::rebalance_on_add(&reference, ring::BENCH_NODES, n).unwrap();
    let rebalance_ms = clock_ms() - start;
    let fraction = stats.moved_fraction();
    assert!(
        (0.006..0.015).contains(&fraction),
        "about 1/101 of keys move: {fraction}"
    );
    console_log!("BENCH ring.browser.lookups_ms {lookups_ms:.1} ({n} lookups, 100 nodes x 256 virtual nodes)");
    console_log!(
        "BENCH ring.browser.rebalance_ms {rebalance_ms:.1} ({n} keys, {:.2}% moved)",
        fraction * 100.0
    );
}

#[wasm_bindgen_test]
fn consistency_check_in_the_browser() {
    use failscope_sim::consistency::bench_history::{bench_history, with_ancient_read};
    use failscope_sim::consistency::{check_linearizable, Verdict};
    let n = if FULL { 10_000 } else { 1_000 };
    let history = bench_history(n, 5, 1);
    let (stale, _) = with_ancient_read(&history).unwrap();
    let start = clock_ms();
    let holds = check_linearizable(&history);
    let holds_ms = clock_ms() - start;
    let start = clock_ms();
    let violated = check_linearizable(&stale);
    let violated_ms = clock_ms() - start;
    // The same verdicts as natively, on the same seeded histories.
    assert_eq!(holds.verdict, Verdict::Holds);
    assert_eq!(violated.verdict, Verdict::Violated);
    console_log!("BENCH consistency.browser.linearizable_ms {holds_ms:.1} ({n}-operation single-key history)");
    console_log!("BENCH consistency.browser.violation_ms {violated_ms:.1} (the same with one stale read, search and shrink)");
}

/// Issue 20's two large histories (the ones `failscope bench consistency` times natively),
/// checked as the History tab checks a file: the sliced linearizability check, yielding to
/// the browser between slices of `STEPS_PER_SLICE` steps. Prints the wall time (slices and
/// the yields between them) and the time spent checking alone.
#[wasm_bindgen_test]
async fn large_histories_checked_as_the_history_tab_does() {
    use failscope_sim::consistency::bench_history::{
        bench_history, per_key_bench_history, with_unknown_outcomes,
    };
    use failscope_sim::consistency::Verdict;
    use failscope_web::components::history_file::STEPS_PER_SLICE;
    let checks = failscope_labs::history_checks::load().await.unwrap();
    let (per_key, single) = if FULL {
        (100_000, 10_000)
    } else {
        (4_000, 1_000)
    };
    let cases = [
        (
            "per_key_100k",
            format!("{per_key}-operation per-key history, 50 clients, 200 operations per key"),
            per_key_bench_history(per_key, 50, 200, 1),
        ),
        (
            "unknown_10k",
            format!("{single}-operation single-key history, 20 clients, 5% unknown outcomes"),
            with_unknown_outcomes(&bench_history(single, 20, 1), 20),
        ),
    ];
    for (id, title, history) in cases {
        let start = clock_ms();
        let mut check = checks.linearizability(&history, None);
        let (mut slices, mut checking_ms) = (0u32, 0.0);
        let report = loop {
            let slice = clock_ms();
            let done = check.run(STEPS_PER_SLICE);
            checking_ms += clock_ms() - slice;
            slices += 1;
            if let Some(report) = done {
                break report;
            }
            gloo::timers::future::TimeoutFuture::new(0).await;
        };
        let wall_ms = clock_ms() - start;
        // Linearizable by construction, and decided within the default budget, as natively.
        assert_eq!(report.verdict, Verdict::Holds, "{title}");
        console_log!(
            "BENCH consistency.browser.{id}_ms {wall_ms:.1} ({title}: {slices} slices, {checking_ms:.1} ms checking, {} steps)",
            report.steps
        );
    }
}

#[wasm_bindgen_test]
fn hunt_seeds_per_second_in_the_browser() {
    let seeds = if FULL { 1_000 } else { 20 };
    let rate = bench::hunt_rate("raft", seeds, &clock_ms);
    // Raft's default settings break no check under any fault schedule.
    assert_eq!(rate.broken, 0);
    console_log!(
        "BENCH hunt.browser.seeds_per_second {:.0} ({} seeds of {} in {:.0} ms)",
        rate.seeds_per_second,
        rate.seeds,
        rate.lab,
        rate.wall_ms
    );
}
