//! Distributed deadlock: edge-chasing detection (Chandy, Misra and Haas, "Distributed
//! Deadlock Detection", ACM TOCS 1983: a probe (initiator, sender, receiver) follows the
//! wait-for edges; one that returns to its initiator proves a deadlock), the phantom
//! deadlocks of a central detector fed stale edges (Ho and Ramamoorthy 1982; Knapp, "Deadlock
//! Detection in Distributed Databases", ACM Computing Surveys 1987), and prevention by a
//! global lock order and by timestamps, wait-die and wound-wait (Rosenkrantz, Stearns and
//! Lewis, "System Level Concurrency Control for Distributed Database Systems", ACM TODS
//! 1978).

use crate::seed_note;
use failscope_labs::deadlock::*;
use failscope_labs::preset;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::network::Latency;
use failscope_sim::picture::PictureKind;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::TraceKind;
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Site>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run(&DeadlockLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("deadlock", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn fired(run: &Run, check: usize) -> Option<Time> {
    run.invariants()[check].fired_at()
}

/// (time, text) of the notes containing `what`.
fn notes(run: &Run, what: &str) -> Vec<(Time, String)> {
    run.trace()
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { text, .. } if text.contains(what) => Some((e.time, text.to_string())),
            _ => None,
        })
        .collect()
}

fn total(run: &Run, f: impl Fn(&Durable) -> u64) -> u64 {
    let w = run.world();
    (0..w.n_nodes()).filter_map(|n| w.durable(n)).map(f).sum()
}

/// Whether every transaction has finished all its runs.
fn all_done(run: &Run) -> bool {
    let w = run.world();
    (0..w.n_nodes())
        .filter_map(|n| w.node_state(n))
        .all(|s| s.txns.iter().all(|t| t.phase == Phase::Done))
}

#[test]
fn crossed_locks_on_two_sites_are_found_by_one_probe_and_the_youngest_gives_way() {
    let r = preset_run("two-sites");
    assert_eq!(fired(&r, DEADLOCK), Some(150 * MS));
    assert_eq!(
        notes(&r, "finds a deadlock"),
        vec![(
            300 * MS,
            "S2 finds a deadlock: T2 → T1 → T2; victim T2".to_string()
        )]
    );
    assert_eq!(notes(&r, "aborts").len(), 1);
    assert!(fired(&r, REAL).is_none() && fired(&r, NOT_FOREVER).is_none());
    assert!(all_done(&r));
}

#[test]
fn a_ring_over_three_sites_is_reported_once_by_its_youngest() {
    let r = preset_run("three-sites");
    let found = notes(&r, "finds a deadlock");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0],
        (
            400 * MS,
            "S3 finds a deadlock: T3 → T1 → T2 → T3; victim T3".to_string()
        )
    );
    // The same ring, found by S1 from the sites' reports: later, and once.
    let c = preset_run("central");
    assert_eq!(
        notes(&c, "finds a deadlock"),
        vec![(
            1_000 * MS,
            "S1 finds a deadlock: T1 → T2 → T3 → T1; victim T3".to_string()
        )]
    );
    for r in [&r, &c] {
        assert!(fired(r, REAL).is_none() && all_done(r));
    }
}

#[test]
fn a_probe_that_meets_a_cycle_it_is_not_on_reports_nothing_unless_broken() {
    let r = preset_run("waits-into-cycle");
    assert_eq!(notes(&r, "finds a deadlock").len(), 1);
    assert!(notes(&r, "T3 aborts").is_empty(), "T3 is never a victim");
    assert!(fired(&r, REAL).is_none() && all_done(&r));
    let demo = DeadlockLab.bug_demos()[0]
        .preset_with_bug(&DeadlockLab)
        .unwrap();
    let r = run(&demo.scenario, demo.duration_us);
    let v = r.invariants()[REAL].status.first_violation.clone().unwrap();
    assert!(
        v.detail.contains("reported T3 → T1 → T2 → T3"),
        "{}",
        v.detail
    );
}

#[test]
fn the_central_detector_joins_a_stale_edge_to_a_fresh_one_and_reports_a_phantom() {
    let p = preset("deadlock", "phantom").unwrap();
    let r = run(&p.scenario, p.duration_us);
    let v = r.invariants()[PHANTOM].status.observed.clone().unwrap();
    assert_eq!(v.time, 650 * MS);
    assert!(
        fired(&r, REAL).is_none(),
        "a design's anomaly, not the probes' safety check"
    );
    assert!(
        v.detail
            .contains("S1 reported T1 → T2 → T1, but T1 is not waiting for T2"),
        "{}",
        v.detail
    );
    assert!(fired(&r, DEADLOCK).is_none(), "there never was a deadlock");
    assert_eq!(notes(&r, "T2 aborts").len(), 1);
    assert_eq!(r.challenges()[0].achieved_at(), Some(650 * MS));
    // Just after the report, the detector's picture shows the cycle it believed in.
    let pictures = run(&p.scenario, 700 * MS).pictures();
    let PictureKind::Graph(g) = &pictures.iter().find(|p| p.id == "detector").unwrap().kind else {
        panic!("a graph");
    };
    assert_eq!(g.edges.iter().filter(|e| e.highlight).count(), 2);
}

#[test]
fn timeouts_break_the_deadlock_but_abort_both() {
    let r = preset_run("timeout");
    let aborts: Vec<Time> = notes(&r, "timeout").iter().map(|n| n.0).collect();
    assert_eq!(&aborts[..2], &[1_100 * MS, 1_100 * MS]);
}

#[test]
fn lock_order_wait_die_and_wound_wait_prevent_the_crossed_deadlock() {
    for (id, abort) in [
        ("lock-order", None),
        ("wait-die", Some("T2 aborts: it is younger")),
        ("wound-wait", Some("T2 aborts: an older")),
    ] {
        let r = preset_run(id);
        assert!(fired(&r, DEADLOCK).is_none(), "{id}");
        assert!(all_done(&r), "{id}");
        match abort {
            None => assert!(notes(&r, "aborts").is_empty(), "{id}"),
            Some(text) => {
                let all = notes(&r, "aborts");
                assert!(
                    !all.is_empty() && all.iter().all(|n| n.1.contains(text)),
                    "{id}: {all:?}"
                );
            }
        }
    }
}

#[test]
fn a_victim_never_aborted_leaves_the_deadlock_for_good() {
    let demo = DeadlockLab.bug_demos()[1]
        .preset_with_bug(&DeadlockLab)
        .unwrap();
    let r = run(&demo.scenario, demo.duration_us);
    let at = fired(&r, NOT_FOREVER).expect("caught");
    // The cycle formed at 0.15 s; the bound is three probe rounds and 1 s more.
    assert!(at > 2_650 * MS && at <= demo.duration_us, "{at}");
}

/// Eight random transactions over four sites, each run twice, on 20–80 ms links.
fn random(seed: u64, detection: i64, prevention: i64) -> Scenario {
    let mut s = scenario(seed, 4, 0)
        .with_param("transactions", 8)
        .with_param("runs", 3)
        .with_param("workload_seed", seed as i64)
        .with_param("detection", detection)
        .with_param("prevention", prevention);
    s.network.link.latency = Latency::Uniform {
        min_us: 20 * MS,
        max_us: 80 * MS,
    };
    s
}

/// Every deadlock is reported: with probes and no prevention the only aborts are victims,
/// a cycle ends only when a member aborts, and no cycle outlives the check's bound; the
/// graph has at most one edge out of each transaction, so cycles are disjoint and each
/// victim belongs to the cycle reported.
#[test]
fn over_200_random_workloads_probes_report_every_deadlock_and_no_false_one() {
    let (mut deadlocked, mut reports) = (0, 0);
    for seed in 0..200u64 {
        let r = run(&random(seed, 3, 0), 30 * SECOND);
        let note = seed_note(seed);
        assert!(fired(&r, REAL).is_none(), "false report; {note}");
        assert!(
            fired(&r, NOT_FOREVER).is_none(),
            "unreported deadlock; {note}"
        );
        // Every abort is a victim's (a cycle's youngest may be reported twice, aborted once).
        assert!(
            total(&r, |d| u64::from(d.aborts)) <= total(&r, |d| d.n_reports),
            "{note}"
        );
        assert!(all_done(&r), "{note}");
        deadlocked += u32::from(fired(&r, DEADLOCK).is_some());
        reports += total(&r, |d| d.n_reports);
    }
    println!("probes: {deadlocked} of 200 random workloads deadlocked; {reports} deadlocks reported, none false");
    assert!(deadlocked > 50, "{deadlocked}");
}

#[test]
fn over_200_random_workloads_the_central_detector_reports_a_phantom_in_some() {
    let mut phantoms = Vec::new();
    for seed in 0..200u64 {
        let r = run(&random(seed, 2, 0), 30 * SECOND);
        if fired(&r, PHANTOM).is_some() {
            phantoms.push(seed);
        }
        assert!(fired(&r, REAL).is_none(), "{}", seed_note(seed));
        assert!(fired(&r, NOT_FOREVER).is_none(), "{}", seed_note(seed));
    }
    println!(
        "central detector: a phantom deadlock in {} of 200 random workloads (first seeds {:?})",
        phantoms.len(),
        &phantoms[..phantoms.len().min(5)]
    );
    assert!(!phantoms.is_empty());
}

#[test]
fn over_200_random_workloads_ordered_locks_and_timestamps_never_deadlock() {
    for (prevention, name) in [(1, "global order"), (2, "wait-die"), (3, "wound-wait")] {
        let mut aborts = 0;
        for seed in 0..200u64 {
            let r = run(&random(seed, 0, prevention), 30 * SECOND);
            assert!(fired(&r, DEADLOCK).is_none(), "{name}: {}", seed_note(seed));
            assert!(all_done(&r), "{name}: {}", seed_note(seed));
            aborts += total(&r, |d| u64::from(d.aborts));
        }
        println!("{name}: no deadlock in 200 random workloads ({aborts} aborts)");
        assert_eq!(aborts == 0, prevention == 1, "{name}");
    }
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let e = failscope_labs::build(&scenario(1, 2, 2))
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("needs at least 3 sites"), "{e}");
    assert!(failscope_labs::build(&scenario(1, 1, 0)).is_err());
    assert!(failscope_labs::build(&scenario(1, 4, 0).with_param("transactions", 17)).is_err());
    assert!(failscope_labs::build(&scenario(1, 4, 0).with_param(BUG_PARAM, 3)).is_err());
    // The largest workload, with no detection at all: it deadlocks and stays deadlocked,
    // and the run goes on quietly.
    let big = scenario(1, 8, 0)
        .with_param("transactions", 16)
        .with_param("runs", 10)
        .with_param("detection", 0)
        .with_param("work_ms", 0);
    let r = run(&big, 60 * SECOND);
    assert!(fired(&r, NOT_FOREVER).is_none());
}

#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::lab_run::presets_replay_exactly(&DeadlockLab);
}

#[test]
fn any_setting_changed_mid_run_and_crashing_everything_panic_nothing() {
    crate::lab_run::survives_changes_mid_run(&DeadlockLab);
}
