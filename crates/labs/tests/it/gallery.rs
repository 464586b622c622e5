//! The picture gallery: a hidden lab that draws every picture kind from one run.

use failscope_labs::catalogue::listed;
use failscope_labs::gallery::{cycle_members, majority, Verdict};
use failscope_labs::{build, find, preset};
use failscope_sim::picture::{MarkKind, Picture, PictureKind};
use failscope_sim::time::{Time, MS, SECOND};

fn pictures_at(until: Time) -> Vec<Picture> {
    let p = preset("gallery", "every-kind").expect("the gallery preset");
    let mut sim = build(&p.scenario).expect("valid scenario");
    sim.run_until(until);
    sim.pictures()
}

fn kind<'a>(pictures: &'a [Picture], name: &str) -> &'a PictureKind {
    &pictures
        .iter()
        .find(|p| p.kind.name() == name)
        .unwrap_or_else(|| panic!("no {name} picture"))
        .kind
}

#[test]
fn the_gallery_is_hidden_but_opens_by_id() {
    assert!(find("gallery").is_some());
    assert!(listed().all(|lab| lab.id != "gallery"));
    assert!(preset("gallery", "every-kind").is_some());
}

#[test]
fn every_picture_kind_but_the_ring_appears() {
    let pictures = pictures_at(2_700 * MS);
    let mut names: Vec<&str> = pictures.iter().map(|p| p.kind.name()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "bars",
            "graph",
            "grid",
            "lanes",
            "state-machine",
            "time-series",
            "tree"
        ]
    );
    let mut ids: Vec<&str> = pictures.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), pictures.len(), "picture ids are unique");
}

#[test]
fn the_pictures_follow_the_run() {
    let early = pictures_at(800 * MS);
    let late = pictures_at(2_700 * MS);
    // Round trips: one series per server, growing; the freeze gives slow round trips
    // (violations) and a fault.
    let (PictureKind::TimeSeries(a), PictureKind::TimeSeries(b)) =
        (kind(&early, "time-series"), kind(&late, "time-series"))
    else {
        panic!("time series");
    };
    assert_eq!(b.series.len(), 4);
    assert!(b.series[0].points.len() > a.series[0].points.len());
    assert!(a.marks.is_empty(), "nothing went wrong yet: {:?}", a.marks);
    assert!(b.marks.iter().any(|m| m.kind == MarkKind::Violation));
    assert!(b.marks.iter().any(|m| m.kind == MarkKind::Fault));
    let threshold = b.threshold.as_ref().expect("a threshold").0;
    assert!(b
        .series
        .iter()
        .flat_map(|s| &s.points)
        .any(|p| p.1 > threshold));
    // S4 is down at 2.7 s: S1's detector has declared it dead, its lane ends in an open
    // down span, and it has the fewest answers.
    let PictureKind::StateMachine(machine) = kind(&late, "state-machine") else {
        panic!("state machine");
    };
    assert_eq!(
        machine.states[usize::from(machine.current)].label,
        "S4 dead"
    );
    let PictureKind::Lanes(lanes) = kind(&late, "lanes") else {
        panic!("lanes");
    };
    let s4 = lanes.lanes[3].spans.last().expect("S4 spans");
    assert_eq!((s4.label.as_str(), s4.end), ("down", None));
    assert!(lanes.lanes[1]
        .spans
        .iter()
        .any(|s| s.label == "paused" && s.highlight));
    let PictureKind::Bars(bars) = kind(&late, "bars") else {
        panic!("bars");
    };
    let lowest = bars.bars.iter().min_by_key(|b| b.value).unwrap();
    assert_eq!(lowest.label, "S4");
    assert!(lowest.highlight);
    let PictureKind::Tree(tree) = kind(&late, "tree") else {
        panic!("tree");
    };
    assert_eq!(tree.root.children.len(), 4);
    assert_eq!(tree.root.children[3].value, "down");
    assert!(tree.root.children[3]
        .fold
        .as_deref()
        .is_some_and(|f| f.starts_with("dead")));
    let PictureKind::Graph(graph) = kind(&late, "graph") else {
        panic!("graph");
    };
    assert_eq!(graph.nodes.len(), 4);
    assert_eq!(graph.edges.len(), 3, "a crashed server points nowhere");
    assert!(
        graph.edges.iter().any(|e| e.highlight),
        "servers pointing at each other form a cycle"
    );
    // Versions change with the data.
    let version = |ps: &[Picture], id: &str| ps.iter().find(|p| p.id == id).unwrap().version;
    assert_ne!(
        version(&early, "round-trips"),
        version(&late, "round-trips")
    );
}

#[test]
fn the_restart_brings_the_detector_back() {
    let pictures = pictures_at(3_500 * MS);
    let PictureKind::StateMachine(machine) = kind(&pictures, "state-machine") else {
        panic!("state machine");
    };
    assert_eq!(
        machine.states[usize::from(machine.current)].label,
        "S4 alive"
    );
    assert_eq!(machine.states[0].entered, 2, "alive at the start and again");
    let taken: Vec<u64> = machine.transitions.iter().map(|t| t.taken).collect();
    assert!(taken.iter().filter(|&&t| t > 0).count() >= 3, "{taken:?}");
}

#[test]
fn the_same_seed_draws_the_same_pictures() {
    for until in [1_200 * MS, 3 * SECOND + 300 * MS] {
        assert_eq!(pictures_at(until), pictures_at(until));
    }
}

#[test]
fn cycles_and_majorities() {
    assert_eq!(
        cycle_members(&[Some(1), Some(0), Some(0), None]),
        [true, true, false, false]
    );
    assert_eq!(
        cycle_members(&[Some(1), Some(2), Some(0)]),
        [true, true, true]
    );
    assert_eq!(majority(&[]), None);
    assert_eq!(
        majority(&[Verdict::Alive, Verdict::Dead, Verdict::Dead]),
        Some((Verdict::Dead, 2))
    );
    assert_eq!(
        majority(&[Verdict::Alive, Verdict::Suspect]),
        Some((Verdict::Suspect, 1)),
        "ties go to the worse verdict"
    );
}

/// The page redraws a picture only when its version changes: over a whole run, whenever a
/// picture's data differs from the previous moment's, so does its version.
#[test]
fn a_picture_that_changes_changes_its_version() {
    let p = preset("gallery", "every-kind").expect("the gallery preset");
    let mut sim = build(&p.scenario).expect("valid scenario");
    let mut previous = sim.pictures();
    let mut changes = 0;
    for step in 1..=80 {
        sim.run_until(step * 50 * MS);
        let now = sim.pictures();
        for (before, after) in previous.iter().zip(&now) {
            if before.kind != after.kind {
                changes += 1;
                assert_ne!(
                    before.version,
                    after.version,
                    "{} changed at {} ms with the same version",
                    after.id,
                    step * 50
                );
            }
        }
        previous = now;
    }
    assert!(changes > 50, "only {changes} changes seen");
}
