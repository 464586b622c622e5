//! Two-phase commit: the protocol as Gray describes it ("Notes on Data Base Operating
//! Systems", 1978) and its blocking, termination and recovery as Bernstein, Hadzilacos and
//! Goodman analyse them ("Concurrency Control and Recovery in Database Systems", 1987,
//! ch. 7: a participant that has voted yes is uncertain and may not decide alone; the
//! cooperative termination protocol helps only if some participant is not uncertain).
//! Three-phase commit as Skeen gives it ("Nonblocking commit protocols", SIGMOD 1981; Skeen
//! and Stonebraker, "A formal model of crash recovery in a distributed system", IEEE TSE
//! 9(3), 1983): non-blocking when failures are crashes, and unsafe once the network can
//! partition (Bernstein, Hadzilacos and Goodman 1987, §7.5).

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::two_phase_commit::*;
use failscope_sim::action::Action;
use failscope_sim::ids::NodeId;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::picture::PictureKind;
use failscope_sim::rng::Rng;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::TraceKind;
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<TwoPc>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run(&TwoPhaseCommitLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("two-phase-commit", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn durable(run: &Run, node: NodeId) -> &Durable {
    run.world().durable(node).expect("a node")
}

/// Each participant's outcome of `txn` (None: undecided).
fn outcomes(run: &Run, txn: u32) -> Vec<Option<bool>> {
    (1..run.world().n_nodes())
        .map(|p| {
            let d = durable(run, p);
            d.outcomes.iter().find(|o| o.0 == txn).map(|o| o.1)
        })
        .collect()
}

/// When `node` decided T1 (true time), from the first note naming it.
fn decided_at(run: &Run, node: &str) -> Time {
    run.trace()
        .events()
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Note { text, .. }
                if text.starts_with(&format!("{node} commits T1"))
                    || text.starts_with(&format!("{node} aborts T1")) =>
            {
                Some(e.time)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("{node} never decides"))
}

fn fired(run: &Run, check: usize) -> Option<Time> {
    run.invariants()[check].fired_at()
}

fn no_safety_violation(run: &Run) -> bool {
    crate::lab_run::no_safety_violation(run)
}

/// The longest lock hold per transaction, in ms, from the bars.
fn lock_holds(run: &Run) -> Vec<(String, i64)> {
    let pictures = run.pictures();
    let PictureKind::Bars(bars) = &pictures.iter().find(|p| p.id == "lock-hold").unwrap().kind
    else {
        panic!("bars");
    };
    bars.bars
        .iter()
        .map(|b| (b.label.clone(), b.value))
        .collect()
}

/// Messages of `kind` (index into `MESSAGE_KINDS`) sent before `until`.
fn sent(run: &Run, kind: u8, until: Time) -> usize {
    run.trace()
        .events()
        .iter()
        .filter(|e| {
            e.time < until && matches!(e.kind, TraceKind::Send { kind: k, .. } if k == kind)
        })
        .count()
}

const DONT_KNOW: u8 = 5;

#[test]
fn unanimous_yes_commits_everywhere_and_one_no_aborts_everyone() {
    let yes = preset_run("all-yes");
    assert_eq!(outcomes(&yes, 1), vec![Some(true); 3]);
    assert_eq!(lock_holds(&yes), vec![("T1".to_string(), 300)]);
    let no = preset_run("one-no");
    assert_eq!(outcomes(&no, 1), vec![Some(false); 3]);
    // The no voter aborts alone at once; the others when told.
    assert_eq!(durable(&no, 2).votes, vec![(1, false)]);
    assert!(decided_at(&no, "S2") == 450 * MS && decided_at(&no, "S4") == 450 * MS);
    assert!(no_safety_violation(&yes) && no_safety_violation(&no));
}

#[test]
fn with_the_coordinator_down_after_unanimous_yes_votes_nobody_can_decide_alone() {
    // Cooperative termination is on: the participants ask each other, and all are uncertain.
    let p = preset("two-phase-commit", "coordinator-fails").unwrap();
    let before_recovery = run(&p.scenario, 4_250 * MS);
    assert_eq!(outcomes(&before_recovery, 1), vec![None; 3]);
    for node in 1..4 {
        assert_eq!(durable(&before_recovery, node).votes, vec![(1, true)]);
    }
    // Three askers, each answered "don't know" by two peers, at 1.25, 2.25 and 3.25 s.
    assert_eq!(sent(&before_recovery, DONT_KNOW, 4_250 * MS), 3 * 2 * 3);
    let blocked = fired(&before_recovery, BLOCKED).expect("blocked");
    assert!(blocked > 2 * SECOND && blocked < 3 * SECOND, "{blocked}");
    // Recovery finds no decision in the log: presumed abort.
    let after = preset_run("coordinator-fails");
    assert_eq!(outcomes(&after, 1), vec![Some(false); 3]);
    assert_eq!(lock_holds(&after)[0].1, 4_200);
    println!(
        "coordinator down 4 s after the votes: locks held {} ms instead of 300 ms",
        lock_holds(&after)[0].1
    );
    assert!(no_safety_violation(&after));
}

#[test]
fn cooperative_termination_helps_only_when_some_participant_knows() {
    let asks_peers = preset_run("coordinator-fails-mid-send");
    let asks_coordinator = preset_run("mid-send-waiting");
    for r in [&asks_peers, &asks_coordinator] {
        assert_eq!(outcomes(r, 1), vec![Some(true); 3]);
        assert_eq!(decided_at(r, "S2"), 450 * MS);
        assert!(no_safety_violation(r));
    }
    assert_eq!(decided_at(&asks_peers, "S3"), 1_350 * MS);
    assert_eq!(decided_at(&asks_coordinator, "S3"), 4_450 * MS);
    assert!(fired(&asks_peers, BLOCKED).is_none());
    assert!(fired(&asks_coordinator, BLOCKED).is_some());
}

#[test]
fn a_participant_that_fails_after_voting_yes_keeps_its_locks_and_asks_on_recovery() {
    let r = preset_run("participant-fails");
    assert_eq!(outcomes(&r, 1), vec![Some(true); 3]);
    assert_eq!(decided_at(&r, "S3"), 2_100 * MS);
    // Its lock hold runs through the crash: from 0.15 s to 2.1 s.
    let hold = durable(&r, 2).holds[0];
    let clock = r.world().clock(2).unwrap();
    assert_eq!(clock.true_time_of_monotonic(hold.from_mono), 150 * MS);
    assert_eq!(
        clock.true_time_of_monotonic(hold.to_mono.unwrap()),
        2_100 * MS
    );
}

#[test]
fn the_crash_point_sweep_blocks_participants_only_between_the_votes_and_the_decision() {
    let expected = [
        ("T1 · before prepare", 0),
        ("T2 · after prepare", 3_000),
        ("T3 · after votes", 3_200),
        ("T4 · mid-send", 3_300),
        ("T5 · after send", 300),
    ];
    let sweep = preset_run("crash-point-sweep");
    let holds = lock_holds(&sweep);
    println!("crash-point sweep, longest lock hold (ms): {holds:?}");
    let want: Vec<(String, i64)> = expected.iter().map(|(l, v)| (l.to_string(), *v)).collect();
    assert_eq!(holds, want);
    for txn in 1..=5 {
        let o = outcomes(&sweep, txn);
        assert!(o.iter().all(|x| x.is_some() && *x == o[0]), "T{txn}: {o:?}");
    }
    assert!(no_safety_violation(&sweep));
    // The same points one run each, with the coordinator down 3 s.
    for point in 1..=5 {
        let s = scenario(1)
            .with_param("crash_at", point)
            .with_param("cooperative", 0);
        let r = run(&s, 5 * SECOND);
        assert_eq!(
            lock_holds(&r)[0].1,
            expected[point as usize - 1].1,
            "point {point}"
        );
    }
}

#[test]
fn three_phase_commit_does_not_block_when_the_coordinator_fails_after_unanimous_yes() {
    let p = preset("two-phase-commit", "three-phase-coordinator-fails").unwrap();
    // S1 recovers at 4.3 s; by then every participant has decided, without it.
    let before_recovery = run(&p.scenario, 4_250 * MS);
    assert_eq!(outcomes(&before_recovery, 1), vec![Some(false); 3]);
    assert_eq!(decided_at(&before_recovery, "S2"), 1_500 * MS);
    for node in ["S3", "S4"] {
        assert_eq!(decided_at(&before_recovery, node), 1_550 * MS);
    }
    assert!(fired(&before_recovery, BLOCKED).is_none());
    // The same failure under two-phase commit: nobody has decided.
    let two_phase = run(&p.scenario.clone().with_param("protocol", 0), 4_250 * MS);
    assert_eq!(outcomes(&two_phase, 1), vec![None; 3]);
    let after = preset_run("three-phase-coordinator-fails");
    assert_eq!(outcomes(&after, 1), vec![Some(false); 3]);
    assert_eq!(lock_holds(&after)[0].1, 1_400);
    assert!(no_safety_violation(&after));
    // At every crash point, every participant that prepared decides while S1 is down.
    for point in 2..=5 {
        let s = scenario(1)
            .with_param("protocol", 1)
            .with_param("crash_at", point)
            .with_param("down_ms", 10_000);
        let r = run(&s, 5 * SECOND);
        let o = outcomes(&r, 1);
        assert!(
            o.iter().all(|x| x.is_some() && *x == o[0]),
            "point {point}: {o:?}"
        );
        assert!(
            fired(&r, BLOCKED).is_none() && no_safety_violation(&r),
            "point {point}"
        );
        println!(
            "3PC, S1 down at point {point}: {o:?}, longest lock hold {:?}",
            lock_holds(&r)
        );
    }
}

#[test]
fn a_partition_makes_three_phase_commit_commit_on_one_side_and_abort_on_the_other() {
    let r = preset_run("three-phase-partition");
    assert_eq!(outcomes(&r, 1), vec![Some(true), Some(false), Some(false)]);
    assert_eq!(durable(&r, 1).precommitted, vec![1]);
    assert!(durable(&r, 2).precommitted.is_empty());
    assert_eq!(decided_at(&r, "S2"), 1_450 * MS);
    assert_eq!(decided_at(&r, "S3"), 1_500 * MS);
    let v = r.invariants()[ATOMIC]
        .status
        .first_violation
        .clone()
        .unwrap();
    assert_eq!(v.time, 1_500 * MS);
    assert!(
        v.detail.contains("S2 committed T1 and S3 aborted it"),
        "{}",
        v.detail
    );
    // The challenge that calls this impossible is about two-phase commit: here it does not
    // apply, so it neither ticks nor contradicts the check.
    let split = r
        .challenges()
        .into_iter()
        .find(|c| c.spec.id == "split-outcome")
        .unwrap();
    assert!(!split.applies && split.achieved.is_none());
    // Two-phase commit under the same partition blocks S3 and S4 instead: safe, not live.
    let p = preset("two-phase-commit", "three-phase-partition").unwrap();
    let two_phase = run(&p.scenario.with_param("protocol", 0), p.duration_us);
    assert!(no_safety_violation(&two_phase));
    assert!(fired(&two_phase, BLOCKED).is_some());
    let split = two_phase
        .challenges()
        .into_iter()
        .find(|c| c.spec.id == "split-outcome");
    assert!(split.is_some_and(|c| c.applies && c.achieved.is_none()));
}

/// Three-phase commit with crashes and restarts only: no partitions, pauses or losses.
fn crash_only(seed: u64) -> Scenario {
    let mut rng = Rng::from_seed(seed ^ 0x3bc);
    let n_nodes = 3 + rng.below(4) as u16;
    let mut s = scenario(seed)
        .with_param("protocol", 1)
        .with_param("transactions", 3)
        .with_param("crash_at", rng.below(7) as i64)
        .with_param("down_ms", 200 + rng.below(2_000) as i64);
    s.n_nodes = n_nodes;
    for _ in 0..rng.below(6) {
        let node = rng.below(u64::from(n_nodes)) as NodeId;
        let at = rng.below(6 * SECOND);
        s = s.with_fault(at, Action::Crash { node }).with_fault(
            at + rng.range_inclusive(100, 2_000) * MS,
            Action::Restart { node },
        );
    }
    s
}

#[test]
fn with_crashes_only_three_phase_commit_keeps_atomicity_over_200_runs() {
    let (mut decided, mut committed) = (0, 0);
    for seed in 0..200u64 {
        let r = run(&crash_only(seed), 20 * SECOND);
        assert!(no_safety_violation(&r), "{}", seed_note(seed));
        for txn in 1..=durable(&r, 0).begun {
            let o = outcomes(&r, txn);
            assert!(
                o.iter().all(|x| x.is_some()),
                "T{txn}: {o:?}; {}",
                seed_note(seed)
            );
            decided += 1;
            committed += u32::from(o[0] == Some(true));
        }
    }
    println!("3PC, 200 crash-only runs: {decided} transactions decided everywhere ({committed} committed), none split");
    assert!(decided > 400 && committed > 100);
}

#[test]
fn the_bugs_break_atomicity_and_unanimity() {
    let demos = TwoPhaseCommitLab.bug_demos();
    let broken = demos[0].preset_with_bug(&TwoPhaseCommitLab).unwrap();
    let r = run(&broken.scenario, broken.duration_us);
    assert_eq!(outcomes(&r, 1), vec![Some(true), Some(false), Some(false)]);
    let v = r.invariants()[ATOMIC]
        .status
        .first_violation
        .clone()
        .unwrap();
    assert_eq!(v.time, 4_350 * MS);
    assert!(
        v.detail.contains("S2 committed T1 and S3 aborted it"),
        "{}",
        v.detail
    );
    let broken = demos[1].preset_with_bug(&TwoPhaseCommitLab).unwrap();
    let r = run(&broken.scenario, broken.duration_us);
    let v = r.invariants()[UNANIMOUS]
        .status
        .first_violation
        .clone()
        .unwrap();
    assert!(v.detail.contains("but S3 voted no"), "{}", v.detail);
    assert!(fired(&r, ATOMIC).is_some());
}

/// Random participants voting no, crash points, timings and faults (crashes and restarts
/// of anyone, pauses, partitions), then everything healed and restarted.
fn swarm(seed: u64, bug: i64) -> Scenario {
    let mut rng = Rng::from_seed(seed ^ 0x2bc);
    let n_nodes = 3 + rng.below(4) as u16;
    let mut s = scenario(seed)
        .with_param("transactions", 3)
        .with_param(
            "no_voter",
            rng.below(u64::from(n_nodes) + 2)
                .min(u64::from(n_nodes) - 1) as i64,
        )
        .with_param("crash_at", rng.below(7) as i64)
        .with_param("cooperative", rng.below(2) as i64)
        .with_param("timeout_ms", 300 + rng.below(700) as i64)
        .with_param("down_ms", 200 + rng.below(2_000) as i64)
        .with_param(BUG_PARAM, bug);
    s.n_nodes = n_nodes;
    crate::swarm::schedule_random_faults(&mut s, &mut rng, 8, 6 * SECOND, |rng, node| {
        Action::Pause {
            node,
            duration_us: rng.range_inclusive(100, 1_500) * MS,
        }
    });
    s
}

#[test]
fn over_200_random_runs_all_or_nothing_holds_and_everyone_decides() {
    let mut decided = 0;
    let mut aborted = 0;
    for seed in 0..200u64 {
        let r = run(&swarm(seed, 0), 20 * SECOND);
        assert!(no_safety_violation(&r), "{}", seed_note(seed));
        assert!(r.challenges()[1].achieved.is_none(), "{}", seed_note(seed));
        let begun = durable(&r, 0).begun;
        for txn in 1..=begun {
            let o = outcomes(&r, txn);
            assert!(
                o.iter().all(|x| x.is_some()),
                "T{txn} undecided: {o:?}; {}",
                seed_note(seed)
            );
            decided += 1;
            aborted += u32::from(o[0] == Some(false));
        }
    }
    println!("200 random runs: {decided} transactions decided everywhere, {aborted} aborted, no split outcome");
    assert!(decided > 400 && aborted > 0 && aborted < decided);
}

#[test]
fn the_challenges_are_met_by_the_presets_and_the_bug() {
    let blocked = preset_run("coordinator-fails");
    let c = &blocked.challenges()[0];
    assert_eq!(c.achieved_at(), fired(&blocked, BLOCKED));
    assert!(blocked.challenges()[1].achieved.is_none());
    let demo = TwoPhaseCommitLab.bug_demos()[0]
        .preset_with_bug(&TwoPhaseCommitLab)
        .unwrap();
    let r = run(&demo.scenario, demo.duration_us);
    assert_eq!(r.challenges()[1].achieved_at(), fired(&r, ATOMIC));
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let err = |s: Scenario| {
        failscope_labs::build(&s)
            .err()
            .expect("refused")
            .to_string()
    };
    let e = err(scenario(1).with_param("no_voter", 5));
    assert!(e.contains("only 3 participants"), "{e}");
    let mut two = scenario(1);
    two.n_nodes = 2;
    assert!(!err(two).is_empty());
    assert!(!err(scenario(1).with_param("crash_at", 7)).is_empty());
    assert!(!err(scenario(1).with_param("timeout_ms", 0)).is_empty());
    // Extremes within bounds run without trouble.
    let mut big = scenario(1)
        .with_param("transactions", 20)
        .with_param("crash_at", 6)
        .with_param("prepare_ms", 0)
        .with_param("log_ms", 0)
        .with_param("gap_ms", 0)
        .with_param("down_ms", 1);
    big.n_nodes = 9;
    let r = run(&big, 60 * SECOND);
    assert_eq!(durable(&r, 0).done, 20);
}

#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::lab_run::presets_replay_exactly(&TwoPhaseCommitLab);
}

#[test]
fn any_setting_changed_mid_run_and_crashing_everything_panic_nothing() {
    crate::lab_run::survives_changes_mid_run(&TwoPhaseCommitLab);
}
