//! The replication lab's reference results (DDIA chapter 5; Dynamo; ABD; CRDTs; CAP), each
//! able to fail, and its checks, each shown to fire on a deliberately broken variant.

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::replication::checks::*;
use failscope_labs::replication::version::Item;
use failscope_labs::replication::*;
use failscope_sim::action::Action;
use failscope_sim::client::{ClientOp, ClientTarget, Outcome};
use failscope_sim::consistency::{
    check_linearizable, check_sessions, read_your_writes, stale_reads, Verdict,
};
use failscope_sim::history::History;
use failscope_sim::ids::NodeId;
use failscope_sim::invariant::InvariantReport;
use failscope_sim::lab::Lab;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Replica>;

fn run(scenario: &Scenario, until: Time) -> Run {
    let mut run = LabRun::<Replica>::new(&ReplicationLab, scenario).expect("valid scenario");
    run.run_until(until);
    run
}

fn preset_scenario(id: &str) -> Scenario {
    preset(LAB_ID, id).expect("preset exists").scenario
}

fn preset_run(id: &str) -> Run {
    let p = preset(LAB_ID, id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn always_violation(reports: &[InvariantReport]) -> Option<String> {
    reports.iter().find_map(|r| {
        r.status
            .first_violation
            .as_ref()
            .map(|v| format!("{}: {}", r.spec.name, v.detail))
    })
}

fn durable(run: &Run, node: NodeId) -> &Durable {
    run.world().durable(node).expect("node exists")
}

/// Completed reads (acknowledged), for "enough happened" guards.
fn ok_reads(history: &History) -> usize {
    history
        .operations
        .iter()
        .filter(|op| op.op.is_read() && matches!(op.outcome, Some(Outcome::Ok { .. })))
        .count()
}

/// Acknowledged writes: (key, value, invoked, returned).
fn ok_writes(history: &History) -> Vec<(u16, u32, Time, Time)> {
    history
        .operations
        .iter()
        .filter_map(|op| match (op.op, op.outcome, op.return_us) {
            (ClientOp::Write { key, value }, Some(Outcome::Ok { .. }), Some(ret)) => {
                Some((key, value, op.invoke_us, ret))
            }
            _ => None,
        })
        .collect()
}

fn outcomes(history: &History, wanted: Outcome) -> usize {
    history
        .operations
        .iter()
        .filter(|op| op.outcome == Some(wanted))
        .count()
}

// ----- 1. W + R > N never misses a completed write ------------------------------------------

#[test]
fn quorum_reads_never_miss_a_completed_write() {
    for seed in 0..8u64 {
        let scenario = leaderless_scenario(seed, 5);
        let run = run(&scenario, 4 * SECOND);
        let history = run.history();
        assert!(ok_reads(&history) > 50, "enough reads; {}", seed_note(seed));
        assert_eq!(
            stale_reads(&history),
            0,
            "W + R > N read a value older than a completed write; {}",
            seed_note(seed)
        );
        assert_eq!(
            always_violation(&run.invariants()),
            None,
            "{}",
            seed_note(seed)
        );
    }
    // The preset crashes and restarts a replica: strict quorums still overlap.
    let run = preset_run("quorums");
    let seed = run.scenario().seed;
    let history = run.history();
    assert!(ok_reads(&history) > 50, "{}", seed_note(seed));
    assert_eq!(stale_reads(&history), 0, "{}", seed_note(seed));
    assert!(
        run.metrics().custom("read_repairs") > 0,
        "the restarted replica was repaired; {}",
        seed_note(seed)
    );
}

// ----- 2. W = 1, R = 1 under a partition -----------------------------------------------------

#[test]
fn w1_r1_under_a_partition_reads_stale_values() {
    let run = preset_run("w1r1-partition");
    let seed = run.scenario().seed;
    let history = run.history();
    let stale = stale_reads(&history);
    assert!(
        stale > 5,
        "stale reads under W = R = 1: {stale}; {}",
        seed_note(seed)
    );
    assert_eq!(
        outcomes(&history, Outcome::Fail),
        0,
        "always available; {}",
        seed_note(seed)
    );
    // The same partition with W = R = 2 of N = 3: no stale reads, but the cut-off side
    // cannot serve.
    let strict = preset_scenario("w1r1-partition")
        .with_param("w", 2)
        .with_param("r", 2);
    let run = self::run(&strict, 6 * SECOND);
    let history = run.history();
    assert_eq!(stale_reads(&history), 0, "{}", seed_note(seed));
    assert!(outcomes(&history, Outcome::Fail) > 0, "{}", seed_note(seed));
}

// ----- 3. Quorums are not linearizable; ABD is -----------------------------------------------

#[test]
fn plain_quorums_can_be_non_linearizable() {
    let run = preset_run("quorum-anomaly");
    let seed = run.scenario().seed;
    let report = check_linearizable(&run.history());
    assert_eq!(
        report.verdict,
        Verdict::Violated,
        "W + R > N without ABD should show a new-then-old read; {}",
        seed_note(seed)
    );
    let violation = report.violations().next().expect("a violation");
    println!("plain quorum anomaly: {}", violation.explanation);
    assert_eq!(
        stale_reads(&run.history()),
        0,
        "yet no read is stale; {}",
        seed_note(seed)
    );
}

#[test]
fn abd_histories_are_linearizable_with_and_without_faults() {
    for seed in 0..10u64 {
        let base = spread_scenario(seed).with_param("abd", 1);
        let partitioned = base
            .clone()
            .with_fault(
                SECOND,
                Action::Partition {
                    groups: vec![vec![0]],
                },
            )
            .with_fault(3 * SECOND, Action::Heal);
        let crashing = base
            .clone()
            .with_fault(1_500 * MS, Action::Crash { node: 1 })
            .with_fault(3 * SECOND, Action::Restart { node: 1 });
        for (what, scenario) in [
            ("no faults", base),
            ("a partition", partitioned),
            ("a crash", crashing),
        ] {
            let run = run(&scenario, 4 * SECOND);
            let history = run.history();
            assert!(ok_reads(&history) > 30, "{what}; {}", seed_note(seed));
            let report = check_linearizable(&history);
            assert_eq!(
                report.verdict,
                Verdict::Holds,
                "ABD with {what}: {:?}; {}",
                report.violations().next().map(|v| &v.explanation),
                seed_note(seed)
            );
            assert_eq!(
                always_violation(&run.invariants()),
                None,
                "{}",
                seed_note(seed)
            );
        }
    }
}

// ----- 4. Last write wins under 5 s of skew ---------------------------------------------------

#[test]
fn last_write_wins_under_skew_keeps_the_earlier_write() {
    let run = preset_run("lww-skew");
    let seed = run.scenario().seed;
    let history = run.history();
    let writes = ok_writes(&history);
    let first = writes
        .iter()
        .find(|w| w.1 == 1)
        .expect("write of 1 acknowledged");
    let later = writes
        .iter()
        .find(|w| w.1 == 2)
        .expect("write of 2 acknowledged");
    assert!(
        later.2 > first.3,
        "the write of 2 began after the write of 1 had returned; {}",
        seed_note(seed)
    );
    for node in 0..2 {
        let held = durable(&run, node).items.get(&0).and_then(Item::read);
        assert_eq!(
            held,
            Some(1),
            "S{} kept the earlier write; {}",
            node + 1,
            seed_note(seed)
        );
    }
    let reads: Vec<Option<u32>> = history
        .operations
        .iter()
        .filter(|op| op.op.is_read())
        .filter_map(|op| match op.outcome {
            Some(Outcome::Ok { value }) => Some(value),
            _ => None,
        })
        .collect();
    assert_eq!(reads, vec![Some(1), Some(1)], "{}", seed_note(seed));
    assert_eq!(
        run.metrics().custom("lost_writes"),
        1,
        "{}",
        seed_note(seed)
    );
    // Without the skew, the later write wins.
    let mut fair = preset_scenario("lww-skew");
    fair.clocks.clear();
    let run = self::run(&fair, 4 * SECOND);
    let note = seed_note(seed);
    let held = durable(&run, 0).items.get(&0).and_then(Item::read);
    assert_eq!(held, Some(2), "{note}");
    assert_eq!(run.metrics().custom("lost_writes"), 0, "{note}");
}

// ----- 5. CP versus AP under a partition -----------------------------------------------------

#[test]
fn cp_stays_linearizable_under_a_partition() {
    for seed in 0..12u64 {
        let scenario = cap_scenario(seed, Mode::Cp);
        let run = run(&scenario, 6 * SECOND);
        let history = run.history();
        let report = check_linearizable(&history);
        assert_eq!(
            report.verdict,
            Verdict::Holds,
            "CP: {:?}; {}",
            report.violations().next().map(|v| &v.explanation),
            seed_note(seed)
        );
        assert_eq!(
            always_violation(&run.invariants()),
            None,
            "{}",
            seed_note(seed)
        );
    }
}

#[test]
fn ap_answers_everyone_and_loses_linearizability_cp_refuses_the_minority() {
    let cp = preset_run("cap-cp");
    let ap = preset_run("cap-ap");
    let seed = CAP_SEED;
    let note = seed_note(seed);
    assert_eq!(cp.scenario().faults, ap.scenario().faults);
    assert_eq!(cp.scenario().seed, ap.scenario().seed);
    let (cp_h, ap_h) = (cp.history(), ap.history());
    assert_eq!(
        check_linearizable(&cp_h).verdict,
        Verdict::Holds,
        "{}",
        seed_note(seed)
    );
    assert!(
        outcomes(&cp_h, Outcome::Fail) > 0,
        "CP refuses on the minority side; {note}"
    );
    assert!(cp.metrics().custom("refused") > 0, "{note}");
    let ap_report = check_linearizable(&ap_h);
    assert_eq!(
        ap_report.verdict,
        Verdict::Violated,
        "AP; {}",
        seed_note(seed)
    );
    assert_eq!(
        outcomes(&ap_h, Outcome::Fail),
        0,
        "AP never refuses; {note}"
    );
    assert!(stale_reads(&ap_h) > 0, "{note}");
    assert!(ap.metrics().custom("hints_stored") > 0, "{note}");
    assert!(ap.metrics().custom("hints_delivered") > 0, "{note}");
    // Once the clients stop, AP's replicas converge (hints and anti-entropy).
    let mut quiet = preset_scenario("cap-ap");
    quiet.clients.stop_at_us = Some(5 * SECOND);
    let run = run(&quiet, 8 * SECOND);
    let first = &durable(&run, 0).store;
    assert!(!first.is_empty(), "{note}");
    for node in 1..5 {
        let store = &durable(&run, node).store;
        assert_eq!(store, first, "S{} converged; {note}", node + 1);
    }
    assert!(run.invariants()[CONVERGED].ok(), "{note}");
}

// ----- 6. Failover with async replication loses acknowledged writes -------------------------

/// Acknowledged writes that no node's log holds any more.
fn lost_acknowledged_writes(run: &Run) -> Vec<(u16, u32)> {
    let n = run.world().n_nodes();
    ok_writes(&run.history())
        .into_iter()
        .filter(|&(key, value, _, _)| {
            !(0..n).any(|node| {
                durable(run, node)
                    .log
                    .entries
                    .iter()
                    .any(|e| e.key == key && e.value == value)
            })
        })
        .map(|(key, value, _, _)| (key, value))
        .collect()
}

#[test]
fn async_failover_loses_acknowledged_writes_and_sync_does_not() {
    let asynchronous = preset_run("async-failover");
    let seed = asynchronous.scenario().seed;
    let note = seed_note(seed);
    assert!(
        asynchronous.history().operations.len() < 250,
        "the logs (256 entries) still hold every write; {note}"
    );
    let lost = lost_acknowledged_writes(&asynchronous);
    assert!(
        !lost.is_empty(),
        "async replication lost no acknowledged write; {note}"
    );
    assert_eq!(
        asynchronous.metrics().custom("lost_writes"),
        lost.len() as i64,
        "the rejoining leader counted exactly the writes it discarded; {note}"
    );
    assert_eq!(asynchronous.metrics().custom("failovers"), 1, "{note}");
    let leader = asynchronous.world().node_state(1).expect("S2 up");
    assert_eq!(leader.role(), Role::Leader, "S2 took over; {note}");
    let s1 = asynchronous.world().node_state(0).expect("S1 back");
    assert_eq!(s1.role(), Role::Follower, "{note}");
    assert_eq!(
        durable(&asynchronous, 0).values,
        durable(&asynchronous, 1).values,
        "S1 resynchronised; {note}"
    );
    assert_eq!(always_violation(&asynchronous.invariants()), None, "{note}");

    let sync = preset_scenario("async-failover").with_param("sync", 1);
    let synchronous = run(&sync, 5 * SECOND);
    assert!(ok_writes(&synchronous.history()).len() > 10, "{note}");
    assert_eq!(
        lost_acknowledged_writes(&synchronous),
        vec![],
        "sync replication lost an acknowledged write; {note}"
    );
    assert_eq!(synchronous.metrics().custom("lost_writes"), 0, "{note}");
    assert_eq!(synchronous.metrics().custom("failovers"), 1, "{note}");
    assert_eq!(always_violation(&synchronous.invariants()), None, "{note}");
}

// ----- 7. Sticky sessions read their writes --------------------------------------------------

#[test]
fn sticky_sessions_read_their_writes_and_random_routing_does_not() {
    for seed in [2, 3, 4, 5] {
        let mut sticky = preset_scenario("sticky-sessions");
        sticky.seed = seed;
        assert_eq!(
            sticky.clients.target,
            ClientTarget::Sticky,
            "{}",
            seed_note(seed)
        );
        let run = run(&sticky, 5 * SECOND);
        let history = run.history();
        assert!(ok_reads(&history) > 50, "{}", seed_note(seed));
        let violations = check_sessions(&history);
        assert!(
            violations.is_empty(),
            "sticky: {:?}; {}",
            violations.first().map(|v| &v.explanation),
            seed_note(seed)
        );
        // The lagging follower does serve stale data (just never to its own session's
        // disadvantage).
        assert!(stale_reads(&history) > 0, "{}", seed_note(seed));
    }
    let balanced = preset_run("lagging-follower");
    let seed = balanced.scenario().seed;
    let history = balanced.history();
    let ryw = read_your_writes(&history);
    assert!(
        !ryw.is_empty(),
        "load-balanced follower reads should miss a client's own write; {}",
        seed_note(seed)
    );
    println!("lagging follower: {}", ryw[0].explanation);
}

// ----- 8. CRDTs converge; siblings report conflicts -----------------------------------------

fn assert_all_items_equal(run: &Run, what: &str) {
    let note = seed_note(run.scenario().seed);
    let first = &durable(run, 0).items;
    assert!(!first.is_empty(), "{what}: something was written; {note}");
    for node in 1..run.world().n_nodes() {
        let items = &durable(run, node).items;
        assert_eq!(items, first, "{what}: S{} converged; {note}", node + 1);
    }
}

#[test]
fn crdt_replicas_converge_after_healing() {
    let counter = preset_run("crdt-counter");
    let note = seed_note(counter.scenario().seed);
    assert_all_items_equal(&counter, "counter");
    let history = counter.history();
    assert_eq!(outcomes(&history, Outcome::Timeout), 0, "{note}");
    let total: u64 = ok_writes(&history).iter().map(|w| u64::from(w.1)).sum();
    let held = durable(&counter, 0).items.get(&0).and_then(Item::read);
    assert_eq!(
        held.map(u64::from),
        Some(total),
        "every increment counted once; {note}"
    );

    let set = preset_scenario("crdt-counter").with_param("resolution", 3);
    let set = run(&set, 6 * SECOND);
    assert_all_items_equal(&set, "set");
    let added = ok_writes(&set.history()).len() as u32;
    let size = durable(&set, 2).items.get(&0).and_then(Item::read);
    assert_eq!(size, Some(added), "every element added once; {note}");
}

#[test]
fn siblings_keep_concurrent_writes_and_count_the_conflict() {
    let run = preset_run("siblings");
    let note = seed_note(run.scenario().seed);
    assert_eq!(
        run.metrics().custom("conflicts"),
        2,
        "each writer notices once that its write met a concurrent one; {note}"
    );
    assert_eq!(
        run.metrics().custom("siblings"),
        2,
        "the read saw two siblings; {note}"
    );
    let reads: Vec<(Time, Option<u32>)> = run
        .history()
        .operations
        .iter()
        .filter(|op| op.op.is_read())
        .map(|op| match op.outcome {
            Some(Outcome::Ok { value }) => (op.invoke_us, value),
            _ => (op.invoke_us, None),
        })
        .collect();
    assert_eq!(
        reads,
        vec![(3_500 * MS, Some(2)), (5 * SECOND, Some(3))],
        "{note}"
    );
    assert_all_items_equal(&run, "siblings");
    let siblings = durable(&run, 0).items.get(&0).map(Item::siblings);
    assert_eq!(siblings, Some(1), "the last write replaced both; {note}");
    // Last write wins on the same run keeps one value and reports the discarded write.
    let lww = preset_scenario("siblings").with_param("resolution", 0);
    let lww = self::run(&lww, 6 * SECOND);
    let m = lww.metrics();
    assert_eq!(m.custom("lost_writes"), 1, "{note}");
    assert_eq!(m.custom("conflicts"), 1, "{note}");
    assert_eq!(m.custom("siblings"), 0, "{note}");
}

// ----- 9. Presets, checks that fire, random faults ------------------------------------------

#[test]
fn every_preset_is_valid_and_runs_clean() {
    let presets = ReplicationLab.presets();
    assert!(presets.len() >= 11);
    for p in presets {
        p.scenario
            .validate(&failscope_labs::REGISTRY)
            .unwrap_or_else(|e| panic!("{}: {e}", p.id));
        let note = format!("preset {}; {}", p.id, seed_note(p.scenario.seed));
        let run = run(&p.scenario, p.duration_us);
        let reports = run.invariants();
        assert_eq!(always_violation(&reports), None, "{note}");
        assert!(reports[WRITE_ACKNOWLEDGED].ok(), "{note}");
        assert!(!p.chapters.is_empty() && p.duration_us > 0);
        assert!(
            p.chapters.windows(2).all(|w| w[0].at_us <= w[1].at_us),
            "{} chapters in order",
            p.id
        );
        // Same scenario, same trace.
        let again = self::run(&p.scenario, p.duration_us);
        assert_eq!(
            run.trace().hash(),
            again.trace().hash(),
            "deterministic: {note}"
        );
    }
}

#[test]
fn side_by_side_pairs_and_tradeoff_configurations_are_valid() {
    for (a, b) in ReplicationLab.comparisons() {
        let (a, b) = (preset_scenario(a), preset_scenario(b));
        assert_eq!(
            (a.seed, &a.faults),
            (b.seed, &b.faults),
            "one setting apart"
        );
    }
    let tradeoffs = ReplicationLab.tradeoffs();
    assert!(tradeoffs.len() >= 5);
    let mut stale = Vec::new();
    for t in tradeoffs {
        t.scenario
            .validate(&failscope_labs::REGISTRY)
            .unwrap_or_else(|e| panic!("{}: {e}", t.label));
        let note = format!("{}; {}", t.label, seed_note(t.scenario.seed));
        let run = run(&t.scenario, t.duration_us);
        assert!(run.metrics().ops_ok > 50, "{note}");
        assert_eq!(always_violation(&run.invariants()), None, "{note}");
        stale.push((t.label, stale_reads(&run.history())));
    }
    // Strong configurations read nothing stale; the weak ones do, as the lessons say (a
    // follower read lags the leader; W = R = 1 misses writes). Matched by whole words: an
    // "asynchronous" label is not a "synchronous" one.
    let count = |words: &[&str]| {
        let found: Vec<usize> = stale
            .iter()
            .filter(|(l, _)| words.iter().all(|w| l.split([' ', ',']).any(|x| x == *w)))
            .map(|(_, c)| *c)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one configuration matches {words:?}: {stale:?}"
        );
        found[0]
    };
    assert_eq!(count(&["synchronous", "leader"]), 0, "{stale:?}");
    assert!(count(&["asynchronous", "anywhere"]) > 0, "{stale:?}");
    assert!(count(&["W", "=", "R", "1"]) > 0, "{stale:?}");
    for (label, c) in &stale {
        if label.contains("2 of") || label.contains("ABD") {
            assert_eq!(*c, 0, "{label}");
        }
    }
}

#[test]
fn seeking_back_replays_the_same_run() {
    // Replayed events are compared with the recorded trace (a divergence would panic in
    // debug builds), and the views match.
    for id in ["async-failover", "cap-ap", "siblings"] {
        let p = preset(LAB_ID, id).expect("preset");
        let id = format!("{id}; {}", seed_note(p.scenario.seed));
        let mut sim = failscope_labs::build(&p.scenario).expect("valid");
        let mid = p.duration_us / 2 + 7 * MS;
        sim.run_until(mid);
        let then = sim.view();
        sim.run_until(p.duration_us);
        let hash = sim.trace().hash();
        sim.seek(mid);
        assert_eq!(sim.view(), then, "{id}");
        sim.run_until(p.duration_us);
        assert_eq!(sim.trace().hash(), hash, "{id}");
    }
}

fn check_fires(scenario: Scenario, bug: i64, until: Time, invariant: usize) {
    let note = seed_note(scenario.seed);
    let correct = run(&scenario.clone().with_param("bug", 0), until);
    assert_eq!(
        always_violation(&correct.invariants()),
        None,
        "the correct protocol holds; {note}"
    );
    let broken = run(&scenario.with_param("bug", bug), until);
    let reports = broken.invariants();
    let violation = reports[invariant]
        .status
        .first_violation
        .as_ref()
        .unwrap_or_else(|| {
            let name = reports[invariant].spec.name;
            panic!("{name} should fire; {note}: {reports:#?}")
        });
    assert!(!violation.nodes.is_empty(), "{note}");
    let event = &broken.trace().events()[violation.trace_index];
    assert!(
        matches!(
            event.kind,
            failscope_sim::trace::TraceKind::Violation { invariant: i } if usize::from(i) == invariant
        ),
        "{note}"
    );
    println!("{}: {}", reports[invariant].spec.name, violation.detail);
}

#[test]
fn split_brain_check_fires_when_followers_all_promote_themselves() {
    let scenario = base_scenario(3)
        .with_fault(SECOND, Action::Crash { node: 0 })
        .with_fault(3 * SECOND, Action::Restart { node: 0 });
    check_fires(scenario, 1, 4 * SECOND, NO_SPLIT_BRAIN);
}

#[test]
fn durability_check_fires_when_writes_are_acknowledged_early() {
    check_fires(preset_scenario("quorums"), 2, 3 * SECOND, ACKED_DURABLE);
    check_fires(
        base_scenario(9).with_param("sync", 1),
        2,
        2 * SECOND,
        ACKED_DURABLE,
    );
    check_fires(
        spread_scenario(9).with_param("abd", 1),
        2,
        2 * SECOND,
        ACKED_DURABLE,
    );
}

/// The configurations the random-fault sweep draws from.
fn configurations(seed: u64) -> Vec<(&'static str, Scenario)> {
    let b = || base_scenario(seed);
    vec![
        ("leader-follower async", b().with_param("follower_reads", 1)),
        ("leader-follower sync", b().with_param("sync", 1)),
        (
            "leader-follower balanced",
            b().with_param("follower_reads", 1)
                .with_param("balance_reads", 1),
        ),
        ("multi-leader lww", b().with_param("topology", 1)),
        (
            "multi-leader siblings",
            b().with_param("topology", 1).with_param("resolution", 1),
        ),
        (
            "multi-leader counter",
            b().with_param("topology", 1).with_param("resolution", 2),
        ),
        (
            "multi-leader set",
            b().with_param("topology", 1).with_param("resolution", 3),
        ),
        ("leaderless quorums", b().with_param("topology", 2)),
        (
            "leaderless sloppy",
            b().with_param("topology", 2)
                .with_param("hinted_handoff", 1)
                .with_param("w", 1),
        ),
        (
            "leaderless abd",
            b().with_param("topology", 2).with_param("abd", 1),
        ),
        (
            "leaderless cp",
            b().with_param("topology", 2).with_param("mode", 1),
        ),
        (
            "leaderless ap",
            b().with_param("topology", 2).with_param("mode", 2),
        ),
    ]
}

#[test]
fn no_safety_violation_under_random_faults() {
    // Swarm testing: each seed picks a configuration, a cluster size, network conditions
    // and a fault schedule.
    for seed in 0..96u64 {
        let mut rng = failscope_sim::rng::Rng::from_seed(seed);
        let configs = configurations(seed);
        let (what, mut s) = configs[(seed as usize) % configs.len()].clone();
        s.n_nodes = 3 + rng.below(3) as u16;
        s.clients.n_clients = 3;
        s.clients.cas_ppm = 100_000;
        s.network.link.loss_ppm = rng.below(50_000) as u32;
        s.network.link.duplicate_ppm = rng.below(50_000) as u32;
        s.network.link.reorder_ppm = rng.below(200_000) as u32;
        crate::swarm::schedule_random_faults(&mut s, &mut rng, 10, 5 * SECOND, |rng, node| {
            Action::ClockJump {
                node,
                delta_us: rng.range_inclusive(0, 4_000_000) as i64 - 2_000_000,
            }
        });
        let run = run(&s, 7 * SECOND);
        let reports = run.invariants();
        assert_eq!(
            always_violation(&reports),
            None,
            "{what} with {} nodes; {}",
            s.n_nodes,
            seed_note(seed)
        );
        assert!(
            reports[WRITE_ACKNOWLEDGED].ok(),
            "{what}; {}",
            seed_note(seed)
        );
        if what.contains("abd") || what.contains("cp") {
            let report = check_linearizable(&run.history());
            assert_ne!(
                report.verdict,
                Verdict::Violated,
                "{what}: {:?}; {}",
                report.violations().next().map(|v| &v.explanation),
                seed_note(seed)
            );
        }
        if what.contains("leader-follower") {
            let leaders = (0..s.n_nodes)
                .filter(|&n| {
                    run.world()
                        .node_state(n)
                        .is_some_and(|r| r.role() == Role::Leader)
                })
                .count();
            assert_eq!(
                leaders,
                1,
                "{what}: one leader after healing; {}",
                seed_note(seed)
            );
        }
    }
}

#[test]
fn bad_parameter_combinations_are_refused_with_a_reason() {
    for (scenario, needle) in [
        (base_scenario(1).with_param("mode", 1), "leaderless"),
        (base_scenario(1).with_param("abd", 1), "ABD"),
        (
            base_scenario(1)
                .with_param("topology", 2)
                .with_param("n", 4),
            "n = 4",
        ),
        (
            base_scenario(1)
                .with_param("topology", 1)
                .with_param("sync", 1),
            "synchronous",
        ),
        (base_scenario(1).with_param("failover_ms", 60), "failover"),
    ] {
        let err = failscope_labs::build(&scenario)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(needle), "“{err}” should mention {needle}");
    }
}

// ----- Interop: the histories and traces of real runs through the exports -------------------

/// A run's history written as Jepsen EDN and as `failscope-history/1`, read back, gets the
/// same verdict on every key; the space-time diagram comes out as Mermaid and PlantUML.
#[test]
fn real_histories_survive_the_exports_and_the_diagram_draws() {
    use failscope_sim::consistency::import::{read_failscope_json, read_jepsen_edn, to_jepsen_edn};
    use failscope_sim::consistency::{check_external, Limits, ModelKind};
    use failscope_sim::diagram::{sequence_diagram, DiagramFormat};
    for id in ["cap-ap", "cap-cp", "quorum-anomaly"] {
        let run = preset_run(id);
        let history = run.history();
        let direct = check_linearizable(&history);
        let verdicts = |keys: &[failscope_sim::consistency::KeyReport]| -> Vec<Verdict> {
            keys.iter().map(|k| k.verdict).collect()
        };
        let edn = to_jepsen_edn(&history);
        let external = read_jepsen_edn(&edn).expect("our EDN reads back");
        let via_edn =
            check_external(&external, ModelKind::Register, Limits::default()).expect("valid");
        assert_eq!(
            verdicts(&via_edn.keys),
            verdicts(&direct.keys),
            "{id} via EDN"
        );
        let json =
            serde_json::to_string(&failscope_sim::export::history_events(&history)).expect("json");
        let back = read_failscope_json(&json).expect("our JSON reads back");
        assert_eq!(back.operations.len(), history.operations.len(), "{id}");
        assert_eq!(
            check_linearizable(&back).verdict,
            direct.verdict,
            "{id} via JSON"
        );
        let mermaid = sequence_diagram(
            run.trace().events(),
            run.message_kinds(),
            DiagramFormat::Mermaid,
            2_000,
        );
        assert!(
            mermaid.starts_with("sequenceDiagram\n    participant S1\n"),
            "{id}"
        );
        assert!(
            mermaid.lines().filter(|l| l.contains("->>")).count() > 100,
            "{id}"
        );
        let plantuml = sequence_diagram(
            run.trace().events(),
            run.message_kinds(),
            DiagramFormat::PlantUml,
            2_000,
        );
        assert!(plantuml.starts_with("@startuml\n") && plantuml.ends_with("@enduml\n"));
        assert_eq!(
            plantuml.lines().count(),
            mermaid.lines().count() + 1,
            "{id}"
        );
    }
}
