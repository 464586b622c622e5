//! The heartbeat lab's picture tells the same story as its checks.

use failscope_labs::heartbeat::ACCURACY;
use failscope_labs::{build, preset};
use failscope_sim::picture::PictureKind;
use failscope_sim::Simulation;

fn suspicion_bars(sim: &dyn Simulation) -> Vec<(String, i64, bool)> {
    let pictures = sim.pictures();
    let picture = pictures
        .iter()
        .find(|p| p.id == "suspicions")
        .expect("the heartbeat lab draws its suspicions");
    let PictureKind::Bars(bars) = &picture.kind else {
        panic!("suspicions are bars");
    };
    bars.bars
        .iter()
        .map(|b| (b.label.clone(), b.value, b.highlight))
        .collect()
}

#[test]
fn a_false_suspicion_is_highlighted_when_strong_accuracy_fires() {
    let gc = preset("heartbeat", "gc-pause").expect("preset");
    let mut sim = build(&gc.scenario).expect("valid");
    sim.run_until(gc.duration_us);
    let violation = sim.invariants()[ACCURACY]
        .status
        .first_violation
        .clone()
        .expect("a paused node is suspected while it is up");
    // At the violation, the picture highlights the paused server S2 and nobody else...
    sim.seek(violation.time);
    let bars = suspicion_bars(sim.as_ref());
    let highlighted: Vec<&str> = bars.iter().filter(|b| b.2).map(|b| b.0.as_str()).collect();
    assert_eq!(highlighted, ["S2"], "{bars:?}");
    // ...and before the pause nobody is suspected at all.
    sim.seek(violation.time / 2);
    assert!(suspicion_bars(sim.as_ref())
        .iter()
        .all(|b| b.1 == 0 && !b.2));
}

#[test]
fn a_crashed_server_is_suspected_by_every_peer_and_not_highlighted() {
    let crash = preset("heartbeat", "crash").expect("preset");
    let mut sim = build(&crash.scenario).expect("valid");
    sim.run_until(crash.duration_us);
    let bars = suspicion_bars(sim.as_ref());
    let s3 = bars.iter().find(|b| b.0 == "S3").expect("S3");
    assert_eq!(s3.1, 4, "all four peers suspect the crashed S3");
    assert!(
        !s3.2,
        "suspecting a crashed server is right, not highlighted"
    );
}
