//! The hunt (swarm testing, Groce et al., ISSTA 2012): the default settings over many seeds,
//! each with faults of the kinds its seed switches on. With a deliberate bug on, it finds a
//! run that breaks a check within 1,000 seeds for every one of Raft's bugs; without one, it
//! finds nothing; and every finding replays to the same violation.

use failscope_labs::REGISTRY;
use failscope_sim::hunt::{hunt, hunt_seed};
use failscope_sim::lab::{Unit, BUG_PARAM};
use failscope_sim::time::SECOND;

const UNTIL: u64 = 6 * SECOND;

#[test]
fn the_hunt_finds_every_raft_bug_within_a_thousand_seeds() {
    let lab = failscope_labs::find("raft").unwrap();
    let bug = lab.params().iter().find(|p| p.key == BUG_PARAM).unwrap();
    let Unit::Choice(names) = bug.unit else {
        panic!("a choice")
    };
    for (choice, name) in names.iter().enumerate().skip(1) {
        let base = lab.default_scenario(1).with_param(BUG_PARAM, choice as i64);
        let found = hunt(&REGISTRY, &base, 0..1_000, UNTIL, 1).unwrap();
        let finding = found
            .first()
            .unwrap_or_else(|| panic!("no violation for “{name}” in 1,000 seeds"));
        eprintln!("{name}: seed {} — {}", finding.seed, finding.description);
        // The finding replays: its scenario breaks the same check at the same moment.
        let mut again = failscope_labs::build(&finding.scenario).unwrap();
        again.run_until(UNTIL);
        let fired = again
            .invariants()
            .into_iter()
            .find(|r| r.spec.name == finding.check)
            .and_then(|r| r.status.first_violation)
            .map(|v| v.time);
        assert_eq!(fired, Some(finding.time), "{name}");
    }
}

#[test]
fn without_a_bug_the_hunt_finds_nothing_in_raft() {
    let lab = failscope_labs::find("raft").unwrap();
    let base = lab.default_scenario(1);
    for seed in 0..60 {
        let finding = hunt_seed(&REGISTRY, &base, seed, UNTIL).unwrap();
        assert_eq!(finding.map(|f| f.description), None, "seed {seed}");
    }
}
