//! Helpers shared by the labs' own test files: build and run a lab's protocol directly (to
//! read its nodes' state), whether a run kept every safety check, and every preset replaying
//! exactly.

use failscope_sim::invariant::Modality;
use failscope_sim::lab::Lab;
use failscope_sim::protocol::Protocol;
use failscope_sim::run::LabRun;
use failscope_sim::time::Time;
use failscope_sim::{Scenario, Simulation};

/// Runs `scenario` of `lab` to `until`, typed, so the test can read the nodes' state.
pub fn run<P: Protocol>(lab: &'static dyn Lab, scenario: &Scenario, until: Time) -> LabRun<P> {
    let mut run = LabRun::<P>::new(lab, scenario).expect("valid scenario");
    run.run_until(until);
    run
}

/// No `Always` check has fired.
pub fn no_safety_violation(sim: &dyn Simulation) -> bool {
    sim.invariants()
        .iter()
        .filter(|r| r.spec.modality == Modality::Always)
        .all(|r| r.status.first_violation.is_none())
}

/// Every preset replays to the same trace, and seeking back and forth shows the same
/// pictures.
pub fn presets_replay_exactly(lab: &dyn Lab) {
    for p in lab.presets() {
        let build = || {
            let mut sim = failscope_labs::build(&p.scenario).expect("valid preset");
            sim.run_until(p.duration_us);
            sim
        };
        let (a, mut b) = (build(), build());
        assert_eq!(a.trace().hash(), b.trace().hash(), "{}", p.id);
        let end = format!("{:?}", b.pictures());
        b.seek(p.duration_us / 2);
        b.seek(p.duration_us);
        assert_eq!(format!("{:?}", b.pictures()), end, "{}", p.id);
    }
}

/// Bad input mid-run: in every preset, each parameter set to its least and greatest value
/// halfway through, and every node crashed and restarted (a node already down refuses
/// with a reason), and the run goes on to its end without a panic.
pub fn survives_changes_mid_run(lab: &dyn Lab) {
    use failscope_sim::action::Action;
    for p in lab.presets() {
        let half = p.duration_us / 2;
        for spec in lab.params() {
            for value in [spec.min, spec.max] {
                let mut sim = failscope_labs::build(&p.scenario).expect("valid preset");
                sim.run_until(half);
                let set = Action::SetParam {
                    key: spec.key.into(),
                    value,
                };
                // A setting the lab refuses (its own cross-checks) is an error, not a panic.
                let _ = sim.apply(set);
                sim.run_until(p.duration_us);
            }
        }
        let mut sim = failscope_labs::build(&p.scenario).expect("valid preset");
        sim.run_until(half);
        for node in 0..p.scenario.n_nodes {
            let _ = sim.apply(Action::Crash { node });
        }
        sim.run_until(half + half / 2);
        for node in 0..p.scenario.n_nodes {
            let _ = sim.apply(Action::Restart { node });
        }
        sim.run_until(p.duration_us * 2);
    }
}
