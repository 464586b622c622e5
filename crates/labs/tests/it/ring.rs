//! The hash-ring lab: what membership changes and failures do to a cache placed by
//! consistent hashing, against hash mod N, and what the lab's pictures say about it. (The
//! placement algorithms' own reference results are unit tests in `ring::hashring`.)

use failscope_labs::preset;
use failscope_labs::ring::{CacheNode, RingLab};
use failscope_sim::action::Action;
use failscope_sim::client::Outcome;
use failscope_sim::lab::Lab;
use failscope_sim::picture::{Bars, Picture, PictureKind, Ring};
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

/// The "keys moved" counter the side-by-side page shows agrees with the ring's own
/// picture of the change: a fifth of the keys under consistent hashing, most under mod N.
#[test]
fn the_keys_moved_counter_matches_the_placement() {
    let keys = |id: &str| {
        let scenario = preset("hash-ring", id).unwrap().scenario;
        let n_keys = scenario.clients.n_keys as f64;
        let run = run(&scenario, 4 * SECOND);
        run.metrics().custom("keys_moved") as f64 / n_keys
    };
    let (ring, mod_n) = (keys("add-node"), keys("mod-n"));
    // Adding the fifth server: 1/5 of the keys move to it under consistent hashing (in
    // expectation; 256 virtual nodes keep it close), 4/5 move somewhere under mod N.
    assert!(
        (0.12..=0.28).contains(&ring),
        "ring moved {ring:.2} of the keys"
    );
    assert!(
        (0.7..=0.9).contains(&mod_n),
        "mod N moved {mod_n:.2} of the keys"
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
    let pictures = sim.pictures();
    let ring = ring_of(&pictures);
    let owners: Vec<&str> = ring.owners.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(owners, ["S1", "S2", "S3", "S4", "S5"]);
    assert_eq!(ring.ticks.len(), 200 + 4 * 64, "one tick per virtual node");
    assert_eq!(ring.ticks.iter().filter(|t| t.1 == 0).count(), 200);
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

fn picture<'a>(pictures: &'a [Picture], id: &str) -> &'a Picture {
    pictures
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("a {id} picture"))
}

fn ring_of(pictures: &[Picture]) -> &Ring {
    match &picture(pictures, "ring").kind {
        PictureKind::Ring(ring) => ring,
        other => panic!("the ring picture is a {}", other.name()),
    }
}

fn bars_of<'a>(pictures: &'a [Picture], id: &str) -> &'a Bars {
    match &picture(pictures, id).kind {
        PictureKind::Bars(bars) => bars,
        other => panic!("the {id} picture is a {}", other.name()),
    }
}

#[test]
fn the_ring_picture_tells_the_same_story_as_the_lab() {
    let scenario = RingLab
        .default_scenario(5)
        .with_param("keys", 1000)
        .with_param("vnodes", 256);
    let mut sim = run(&scenario, SECOND / 2);
    let before = sim.pictures();
    let ring = ring_of(&before);
    assert!(
        ring.covers_circle_once(),
        "four servers' arcs tile the circle"
    );
    assert_eq!(ring.points.len(), 1000);
    assert!(
        ring.points.iter().all(|p| !p.highlight),
        "nothing moved yet"
    );
    assert!(picture(&before, "ring").primary);
    assert!(!before.iter().any(|p| p.id == "moved"));
    // With one replica, every key sits in its owner's arc and its walk ends in that arc.
    for point in &ring.points {
        let arc = ring
            .arc_at(point.position)
            .expect("every position has an arc");
        assert_eq!(Some(arc.owner), point.owner, "{}", point.detail);
        assert_eq!(point.walk.len(), 1);
        assert_eq!(ring.arc_at(point.walk[0]).map(|a| a.owner), point.owner);
    }
    let owned: i64 = bars_of(&before, "load").bars.iter().map(|b| b.value).sum();
    assert_eq!(owned, 1000, "every key is owned by one server");

    let config_before = sim.world().config().clone();
    sim.apply(Action::Lab {
        verb: "join".into(),
        args: vec![4],
    })
    .unwrap();
    let after = sim.pictures();
    let ring = ring_of(&after);
    assert!(
        ring.covers_circle_once(),
        "five servers' arcs tile the circle"
    );
    assert_ne!(
        picture(&after, "ring").version,
        picture(&before, "ring").version
    );
    // The ringed keys are exactly those whose owner the lab's placement changed...
    let config_after = sim.world().config();
    let lab_moved: Vec<usize> = (0..1000u16)
        .filter(|&k| config_before.replicas(k).first() != config_after.replicas(k).first())
        .map(usize::from)
        .collect();
    let ringed: Vec<usize> = (0..ring.points.len())
        .filter(|&i| ring.points[i].highlight)
        .collect();
    assert_eq!(ringed, lab_moved);
    // ...about 1/(N+1) of them, all now on the newcomer...
    let share = ringed.len() as f64 / 1000.0;
    assert!(
        (0.14..0.26).contains(&share),
        "about a fifth of the keys move: {share}"
    );
    let newcomer = ring.owners.iter().position(|o| o.label == "S5").unwrap() as u16;
    assert!(ringed
        .iter()
        .all(|&i| ring.points[i].owner == Some(newcomer)));
    // ...and the pictures agree with each other on the count, far below hash mod N's.
    let moved = bars_of(&after, "moved");
    let bar = |label: &str| {
        moved
            .bars
            .iter()
            .find(|b| b.label == label)
            .map(|b| b.value)
    };
    assert_eq!(bar("consistent hashing"), Some(ringed.len() as i64));
    assert!(bar("hash mod N").unwrap() > 700, "{:?}", bar("hash mod N"));
    assert_eq!(moved.reference.as_ref().map(|r| r.0), Some(200));
    let caption = &picture(&after, "ring").caption;
    assert!(
        caption.contains(&format!("{} of 1000 keys moved", ringed.len())),
        "{caption}"
    );
    assert!(caption.contains("80.00% under hash mod N"), "{caption}");
    assert_eq!(
        ring.walk.as_ref().map(|w| w.0),
        ring.points.iter().find(|p| p.highlight).map(|p| p.position),
        "the featured walk is a key that moved"
    );
}

#[test]
fn owned_and_stored_keys_are_separate_pictures() {
    let mut sim =
        failscope_labs::build(&preset("hash-ring", "add-node").unwrap().scenario).unwrap();
    sim.run_until(2 * SECOND + 100_000);
    let pictures = sim.pictures();
    let owned = bars_of(&pictures, "load");
    let stored = bars_of(&pictures, "stored");
    assert_eq!(owned.y.label, "keys owned");
    assert_eq!(stored.y.label, "keys stored");
    let s5 = |bars: &Bars| bars.bars.iter().find(|b| b.label == "S5").map(|b| b.value);
    // Just after joining, S5 owns its share but holds only what was written since.
    assert!(s5(owned).unwrap() > 20, "{:?}", s5(owned));
    assert!(s5(stored).unwrap() < s5(owned).unwrap());
    let view = sim.view();
    let headline = &view.nodes[4].state.headline;
    assert_eq!(*headline, format!("{} stored", s5(stored).unwrap()));
}

#[test]
fn pictures_for_other_placements_and_a_big_ring_are_cheap_to_ask_again() {
    // Hash mod N has no arcs: the dots' colours carry the owners.
    let mut mod_n = run(&preset("hash-ring", "mod-n").unwrap().scenario, 3 * SECOND);
    let pictures = mod_n.pictures();
    let ring = ring_of(&pictures);
    assert!(ring.arcs.is_empty() && ring.ticks.is_empty());
    assert!(ring
        .points
        .iter()
        .all(|p| p.owner.is_some() && p.walk.is_empty()));
    assert!(ring.points.iter().filter(|p| p.highlight).count() > 100);
    mod_n.run_until(3 * SECOND + 1);
    assert_eq!(
        mod_n.pictures()[0],
        pictures[0],
        "same membership, same ring"
    );

    // The ring benchmark's size: 64 servers × 400 virtual nodes, 1,000 keys.
    let mut big = RingLab.default_scenario(1);
    big.n_nodes = 64;
    let big = big
        .with_param("ring_size", 63)
        .with_param("vnodes", 400)
        .with_param("keys", 1000);
    let mut sim = failscope_labs::build(&big).unwrap();
    sim.run_until(SECOND / 10);
    sim.apply(Action::Lab {
        verb: "join".into(),
        args: vec![63],
    })
    .unwrap();
    let pictures = sim.pictures();
    let ring = ring_of(&pictures);
    assert!(ring.covers_circle_once());
    assert!(ring.ticks.is_empty(), "25,600 virtual nodes: no ticks");
    assert!(ring.arcs.len() > 20_000, "{}", ring.arcs.len());
    let moved = ring.points.iter().filter(|p| p.highlight).count();
    assert!((5..40).contains(&moved), "about 1/64 of 1000 keys: {moved}");
}
