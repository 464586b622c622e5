//! The hash-ring lab: what membership changes and failures do to a cache placed by
//! consistent hashing, against hash mod N. (The placement algorithms' own reference results
//! are unit tests in `hashring`.)

use failscope_labs::preset;
use failscope_labs::ring::{CacheNode, RingLab};
use failscope_sim::action::Action;
use failscope_sim::client::Outcome;
use failscope_sim::lab::Lab;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, SECOND};
use failscope_sim::{Scenario, Simulation};

fn run(scenario: &Scenario, until: Time) -> LabRun<CacheNode> {
    let mut run = LabRun::<CacheNode>::new(&RingLab, scenario).expect("valid scenario");
    run.run_until(until);
    run
}

/// Share of reads answered in `[from, to)` that found a value, and how many were refused as
/// unavailable (a client whose own coordinator is down times out instead; not counted).
fn hit_rate(run: &LabRun<CacheNode>, from: Time, to: Time) -> (f64, usize) {
    let history = run.history();
    let reads: Vec<_> = history
        .operations
        .iter()
        .filter(|op| op.op.is_read() && op.return_us.is_some_and(|t| (from..to).contains(&t)))
        .collect();
    let hits = reads
        .iter()
        .filter(|op| matches!(op.outcome, Some(Outcome::Ok { value: Some(_) })))
        .count();
    let failed = reads
        .iter()
        .filter(|op| op.outcome == Some(Outcome::Fail))
        .count();
    assert!(
        reads.len() > 30,
        "enough reads to measure ({})",
        reads.len()
    );
    (hits as f64 / reads.len() as f64, failed)
}

#[test]
fn adding_a_server_keeps_a_ring_cache_warm_but_empties_a_mod_n_one() {
    let ring = run(
        &preset("hash-ring", "add-node").unwrap().scenario,
        4 * SECOND,
    );
    let mod_n = run(&preset("hash-ring", "mod-n").unwrap().scenario, 4 * SECOND);
    let (before, _) = hit_rate(&ring, SECOND / 2, 2 * SECOND);
    let (ring_after, _) = hit_rate(&ring, 2 * SECOND, 3 * SECOND);
    let (mod_n_after, _) = hit_rate(&mod_n, 2 * SECOND, 3 * SECOND);
    assert!(before > 0.95, "a warm cache hits: {before:.2}");
    // About 1/5 of keys move with consistent hashing, about 4/5 with mod N.
    assert!(ring_after > 0.7, "ring keeps most keys: {ring_after:.2}");
    assert!(
        mod_n_after < 0.45,
        "mod N loses most keys: {mod_n_after:.2}"
    );
}

#[test]
fn replicas_cover_for_a_crashed_owner_and_a_single_copy_does_not() {
    let with_replicas = run(
        &preset("hash-ring", "owner-crash").unwrap().scenario,
        4 * SECOND,
    );
    let (hits, failed) = hit_rate(&with_replicas, 2_200_000, 4 * SECOND);
    assert_eq!(failed, 0, "every get finds a live replica");
    assert!(hits > 0.9, "and still hits: {hits:.2}");
    assert!(with_replicas.metrics().custom("fallbacks") > 0);
    assert!(
        with_replicas.invariants()[2].ok(),
        "a replica covered for its owner"
    );

    let mut single = preset("hash-ring", "owner-crash").unwrap().scenario;
    single.params.insert("replicas".into(), 1);
    single.params.insert("write_quorum".into(), 1);
    let single = run(&single, 4 * SECOND);
    let (_, failed) = hit_rate(&single, 2_200_000, 4 * SECOND);
    assert!(
        failed > 5,
        "with one copy, the crashed server's keys are unavailable ({failed})"
    );
}

#[test]
fn the_write_quorum_check_fires_when_puts_are_acknowledged_early() {
    let scenario = preset("hash-ring", "owner-crash").unwrap().scenario;
    let correct = run(&scenario, 4 * SECOND);
    assert!(correct.invariants()[0].ok());
    assert!(
        correct.metrics().custom("quorum_failures") > 0,
        "puts to the dead replica fail instead"
    );
    let broken = run(&scenario.with_param("bug", 1), 4 * SECOND);
    let violation = broken.invariants()[0]
        .status
        .first_violation
        .clone()
        .expect("the check fires");
    assert!(
        violation.detail.contains("after 1 of the 2 stores"),
        "{violation:?}"
    );
}

#[test]
fn membership_changes_are_recorded_and_replay() {
    let mut sim = failscope_labs::build(&RingLab.default_scenario(7)).unwrap();
    sim.run_until(SECOND);
    sim.apply(Action::Lab {
        verb: "join".into(),
        args: vec![4],
    })
    .unwrap();
    sim.apply(Action::Lab {
        verb: "weight".into(),
        args: vec![0, 200],
    })
    .unwrap();
    assert!(sim
        .apply(Action::Lab {
            verb: "join".into(),
            args: vec![4]
        })
        .unwrap_err()
        .0
        .contains("already"));
    assert!(sim
        .apply(Action::Lab {
            verb: "teleport".into(),
            args: vec![1]
        })
        .is_err());
    sim.run_until(2 * SECOND);
    let Some(failscope_sim::view::Panel::Ring(panel)) = sim.panel() else {
        panic!("a ring panel")
    };
    assert_eq!(
        panel.members,
        vec![(0, 200), (1, 64), (2, 64), (3, 64), (4, 64)]
    );
    assert_eq!(panel.version, 2);
    let mut replay = failscope_labs::build(sim.scenario()).unwrap();
    replay.run_until(2 * SECOND);
    assert_eq!(replay.trace().hash(), sim.trace().hash());
}

#[test]
fn jump_hash_refuses_to_add_anything_but_the_next_bucket() {
    let scenario = RingLab.default_scenario(1).with_param("algorithm", 3);
    let mut sim = failscope_labs::build(&scenario.clone()).unwrap();
    let mut bigger = scenario.clone();
    bigger.n_nodes = 6;
    let mut sim6 = failscope_labs::build(&bigger).unwrap();
    assert!(
        sim6.apply(Action::Lab {
            verb: "join".into(),
            args: vec![5]
        })
        .is_err(),
        "bucket 5 would skip bucket 4"
    );
    sim.apply(Action::Lab {
        verb: "join".into(),
        args: vec![4],
    })
    .unwrap();
    assert!(
        sim.apply(Action::Lab {
            verb: "leave".into(),
            args: vec![0]
        })
        .is_err(),
        "only the last bucket can leave"
    );
}

#[test]
fn every_ring_preset_is_valid_and_runs_clean() {
    for p in RingLab.presets() {
        p.scenario
            .validate(&failscope_labs::REGISTRY)
            .unwrap_or_else(|e| panic!("{}: {e}", p.id));
        let run = run(&p.scenario, p.duration_us);
        let reports = run.invariants();
        assert!(reports[0].ok(), "{}: {:?}", p.id, reports[0]);
        assert!(reports[1].ok(), "{}: the cache hits", p.id);
    }
}
