//! Every deliberate bug names the scenario that exposes it (`Lab::bug_demos`): exactly one
//! demo per choice of each lab's bug parameter, whose named `Always` check is the first to
//! fire, within the preset's duration; and the same run without the bug breaks nothing, so
//! the demo shows the bug rather than a flaky protocol.

use crate::seed_note;
use failscope_sim::ids::node_name;
use failscope_sim::invariant::{InvariantReport, Modality};
use failscope_sim::lab::{BugDemo, Lab, BUG_PARAM};
use failscope_sim::time::Time;
use failscope_sim::trace::TraceKind;

/// The first violation of any `Always` check: (time, check index).
fn first_violation(reports: &[InvariantReport]) -> Option<(Time, usize)> {
    reports
        .iter()
        .enumerate()
        .filter(|(_, r)| r.spec.modality == Modality::Always)
        .filter_map(|(i, r)| Some((r.status.first_violation.as_ref()?.time, i)))
        .min()
}

#[test]
fn every_bug_has_exactly_one_demo() {
    for lab in failscope_labs::all() {
        let choices: Vec<i64> = lab
            .params()
            .iter()
            .filter(|p| p.key == BUG_PARAM)
            .flat_map(|p| p.min..=p.max)
            .filter(|&v| v != 0)
            .collect();
        let demos: Vec<i64> = lab.bug_demos().iter().map(|d| d.bug).collect();
        for bug in &choices {
            let count = demos.iter().filter(|&d| d == bug).count();
            assert_eq!(count, 1, "{}: bug {bug} has {count} demos", lab.id());
        }
        assert_eq!(demos.len(), choices.len(), "{}: a demo of no bug", lab.id());
    }
}

fn check_demo(lab: &dyn Lab, demo: &BugDemo) {
    let what = format!("{} bug {} in {}", lab.id(), demo.bug, demo.preset);
    let preset = demo
        .preset_with_bug(lab)
        .unwrap_or_else(|| panic!("{what}: no such preset"));
    let scenario = &preset.scenario;
    let note = format!("{what}; {}", seed_note(scenario.seed));
    let until = preset.duration_us;

    let mut sim = failscope_labs::build(scenario).unwrap_or_else(|e| panic!("{note}: {e}"));
    sim.run_until(until);
    let reports = sim.invariants();
    let check = &reports[demo.check];
    assert_eq!(check.spec.modality, Modality::Always, "{note}");
    let violation = check
        .status
        .first_violation
        .as_ref()
        .unwrap_or_else(|| panic!("{note}: {} should fire", check.spec.name));
    assert!(violation.time <= until, "{note}");
    // The named check is the first to go red, so the page's first violation is the one
    // the demo is about.
    assert_eq!(
        first_violation(&reports),
        Some((violation.time, demo.check)),
        "{note}: another check fired first"
    );
    // It is in the trace, so the page can jump to it.
    assert!(
        matches!(sim.trace().events()[violation.trace_index].kind,
            TraceKind::Violation { invariant } if usize::from(invariant) == demo.check),
        "{note}"
    );
    // The note is about this run: it names the servers the check names.
    for &node in &violation.nodes {
        assert!(
            demo.note.contains(&node_name(node)),
            "{note}: the note should name {} ({})",
            node_name(node),
            violation.detail
        );
    }
    println!(
        "{what}: {} at {} µs: {}",
        check.spec.name, violation.time, violation.detail
    );

    let correct = scenario.clone().with_param(BUG_PARAM, 0);
    let mut sim = failscope_labs::build(&correct).expect("valid");
    sim.run_until(until);
    assert_eq!(
        first_violation(&sim.invariants()),
        None,
        "{note}: the correct protocol breaks a check in the demo's run"
    );
}

#[test]
fn each_demo_fires_its_check_and_only_with_the_bug() {
    for lab in failscope_labs::all() {
        for demo in lab.bug_demos() {
            check_demo(lab, demo);
        }
    }
}
