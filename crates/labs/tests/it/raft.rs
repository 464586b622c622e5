//! Raft's reference results (Ongaro and Ousterhout, 2014) and its safety checks, each shown
//! to fire on a deliberately broken variant.

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::raft::checks::*;
use failscope_labs::raft::{base_scenario, leader_at, Raft, RaftLab, Role};
use failscope_sim::action::{Action, ScheduledFault};
use failscope_sim::ids::NodeId;
use failscope_sim::invariant::InvariantReport;
use failscope_sim::lab::Lab;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Raft>;

fn start(scenario: &Scenario) -> Run {
    LabRun::<Raft>::new(&RaftLab, scenario).expect("valid scenario")
}

fn preset_scenario(id: &str) -> Scenario {
    preset("raft", id).expect("preset exists").scenario
}

/// Leaders (node, term) at the run's present.
fn leaders(run: &Run) -> Vec<(NodeId, u64)> {
    let w = run.world();
    (0..w.n_nodes())
        .filter(|&n| w.node_state(n).is_some_and(|r| r.role() == Role::Leader))
        .map(|n| (n, w.durable(n).unwrap().current_term))
        .collect()
}

fn commit_index(run: &Run, node: NodeId) -> u64 {
    run.world().node_state(node).map_or(0, |r| r.commit_index())
}

fn max_commit(run: &Run) -> u64 {
    (0..run.world().n_nodes())
        .map(|n| commit_index(run, n))
        .max()
        .unwrap_or(0)
}

fn term(run: &Run, node: NodeId) -> u64 {
    run.world().durable(node).unwrap().current_term
}

fn violated(reports: &[InvariantReport], invariant: usize) -> bool {
    reports[invariant].status.first_violation.is_some()
}

fn any_safety_violation(reports: &[InvariantReport]) -> Option<String> {
    reports.iter().find_map(|r| {
        r.status
            .first_violation
            .as_ref()
            .map(|v| format!("{}: {}", r.spec.name, v.detail))
    })
}

fn ops_ok_between(run: &Run, from: Time, to: Time) -> usize {
    run.history()
        .operations
        .iter()
        .filter(|op| matches!(op.outcome, Some(failscope_sim::client::Outcome::Ok { .. })))
        .filter(|op| op.return_us.is_some_and(|t| (from..to).contains(&t)))
        .count()
}

#[test]
fn a_leader_is_elected_and_commits_client_writes() {
    let mut run = start(&preset_scenario("election"));
    run.run_until(SECOND);
    assert_eq!(leaders(&run).len(), 1);
    run.run_until(4 * SECOND);
    assert!(max_commit(&run) > 20, "commit index {}", max_commit(&run));
    assert!(ops_ok_between(&run, 0, 4 * SECOND) > 20);
    assert_eq!(any_safety_violation(&run.invariants()), None);
    assert!(run.invariants()[LEADER_ELECTED].ok());
    assert!(run.invariants()[CLIENT_ENTRY_APPLIED].ok());
}

#[test]
fn leader_crash_leads_to_a_new_leader() {
    let scenario = preset_scenario("leader-crash");
    let old = leader_at(&scenario, 2 * SECOND - 1).expect("a leader before the crash");
    let mut run = start(&scenario);
    run.run_until(2 * SECOND - 1);
    let old_term = term(&run, old);
    run.run_until(4 * SECOND);
    let now = leaders(&run);
    assert_eq!(now.len(), 1, "{now:?}");
    let (new, new_term) = now[0];
    assert_ne!(new, old);
    assert!(new_term > old_term);
    assert!(
        ops_ok_between(&run, 2_600 * MS, 4 * SECOND) > 5,
        "clients are served again"
    );
    // The restarted server kept its durable state and catches up.
    run.run_until(7 * SECOND);
    assert!(term(&run, old) >= new_term);
    let leader = leaders(&run)[0].0;
    assert_eq!(commit_index(&run, old), commit_index(&run, leader));
    assert_eq!(any_safety_violation(&run.invariants()), None);
}

#[test]
fn aligned_timeouts_split_votes_until_randomization_is_on() {
    let scenario = preset_scenario("split-votes");
    let mut run = start(&scenario);
    let mut t = 0;
    while t < 3 * SECOND {
        t += 25 * MS;
        run.run_until(t);
        assert!(
            leaders(&run).is_empty(),
            "a leader appeared at {t} µs with aligned timeouts"
        );
    }
    assert!(
        term(&run, 0) >= 15,
        "elections kept happening: term {}",
        term(&run, 0)
    );
    assert!(
        (0..5).all(|n| term(&run, n) == term(&run, 0)),
        "all in lockstep"
    );
    run.run_until(4 * SECOND);
    assert_eq!(leaders(&run).len(), 1, "randomized timeouts break the tie");
    // Without the switch, the livelock lasts forever.
    let mut forever = scenario.clone();
    forever.faults.clear();
    let mut run = start(&forever);
    run.run_until(20 * SECOND);
    assert!(leaders(&run).is_empty());
    assert!(!run.invariants()[LEADER_ELECTED].ok());
}

#[test]
fn a_minority_leader_cannot_commit_and_is_replaced_after_healing() {
    let scenario = preset_scenario("partition");
    let Action::Partition { groups } = &scenario.faults[0].action else {
        panic!("partition first")
    };
    let (old, buddy) = (groups[0][0], groups[0][1]);
    let mut run = start(&scenario);
    run.run_until(2 * SECOND + 30 * MS);
    let frozen = commit_index(&run, old);
    let old_term = term(&run, old);
    run.run_until(3 * SECOND);
    let majority_leader = leaders(&run)
        .into_iter()
        .find(|&(n, _)| n != old && n != buddy);
    let (new, new_term) = majority_leader.expect("the majority elects a leader");
    assert!(new_term > old_term);
    let majority_commit_before = commit_index(&run, new);
    run.run_until(6 * SECOND - 1);
    assert_eq!(
        commit_index(&run, old),
        frozen,
        "the minority leader committed nothing"
    );
    assert_eq!(
        run.world().node_state(old).unwrap().role(),
        Role::Leader,
        "it still thinks it leads"
    );
    let uncommitted = run.world().durable(old).unwrap().log.len() - frozen;
    assert!(
        uncommitted > 3,
        "it accepted writes it could not commit ({uncommitted})"
    );
    assert!(
        commit_index(&run, new) > majority_commit_before + 10,
        "the majority kept committing"
    );
    run.run_until(8 * SECOND);
    assert_eq!(
        run.world().node_state(old).unwrap().role(),
        Role::Follower,
        "stale leader stepped down"
    );
    let leader_log = &run.world().durable(new).unwrap().log;
    let old_log = &run.world().durable(old).unwrap().log;
    let commit = commit_index(&run, new);
    assert_eq!(
        old_log.prefix_hash(commit),
        leader_log.prefix_hash(commit),
        "old leader's log repaired"
    );
    assert!(
        old_log.entries_from_term(old_term).count() <= frozen as usize,
        "its uncommitted entries are gone"
    );
    assert_eq!(any_safety_violation(&run.invariants()), None);
}

#[test]
fn three_of_five_crashed_means_no_progress_and_two_is_tolerated() {
    let scenario = preset_scenario("majority-crash");
    let mut run = start(&scenario);
    run.run_until(2 * SECOND + 50 * MS);
    let stuck = max_commit(&run);
    run.run_until(5 * SECOND - 1);
    assert_eq!(
        max_commit(&run),
        stuck,
        "nothing commits with 2 of 5 servers"
    );
    assert!(leaders(&run).is_empty());
    assert_eq!(ops_ok_between(&run, 2_100 * MS, 5 * SECOND), 0);
    run.run_until(7 * SECOND);
    assert_eq!(leaders(&run).len(), 1, "3 of 5 elect a leader again");
    assert!(ops_ok_between(&run, 5 * SECOND, 7 * SECOND) > 3);

    // Two crashes (the leader among them) are tolerated.
    let base = base_scenario(5);
    let leader = leader_at(&base, 2 * SECOND).unwrap();
    let two = base
        .with_fault(2 * SECOND, Action::Crash { node: leader })
        .with_fault(
            2 * SECOND,
            Action::Crash {
                node: (leader + 1) % 5,
            },
        );
    let mut run = start(&two);
    run.run_until(3 * SECOND);
    let before = max_commit(&run);
    run.run_until(6 * SECOND);
    assert_eq!(leaders(&run).len(), 1);
    assert!(
        max_commit(&run) > before + 5,
        "commits continue with 3 of 5"
    );
    assert!(ops_ok_between(&run, 3 * SECOND, 6 * SECOND) > 5);
}

#[test]
fn a_single_server_elects_itself_and_fifteen_work_too() {
    for n in [1u16, 2, 15] {
        let mut s = base_scenario(9);
        s.n_nodes = n;
        let mut run = start(&s);
        run.run_until(3 * SECOND);
        assert_eq!(leaders(&run).len(), 1, "{n} servers");
        assert!(ops_ok_between(&run, 0, 3 * SECOND) > 5, "{n} servers");
        assert_eq!(any_safety_violation(&run.invariants()), None);
    }
}

/// A scenario under which the given bug breaks the given property.
fn broken(bug: i64, scenario: Scenario) -> Scenario {
    scenario.with_param("bug", bug)
}

fn check_fires(scenario: Scenario, until: Time, invariant: usize) {
    let mut run = start(&scenario.clone().with_param("bug", 0));
    run.run_until(until);
    assert_eq!(
        any_safety_violation(&run.invariants()),
        None,
        "the correct implementation holds"
    );
    let mut run = start(&scenario);
    run.run_until(until);
    let reports = run.invariants();
    assert!(
        violated(&reports, invariant),
        "{} should fire; reports: {reports:#?}",
        reports[invariant].spec.name
    );
    let violation = reports[invariant].status.first_violation.as_ref().unwrap();
    assert!(
        !violation.nodes.is_empty(),
        "a violation names the servers involved"
    );
    // The violation is in the trace, so the views can jump to it.
    let event = &run.trace().events()[violation.trace_index];
    assert!(
        matches!(event.kind, failscope_sim::trace::TraceKind::Violation { invariant: i } if usize::from(i) == invariant)
    );
}

#[test]
fn election_safety_fires_when_servers_vote_twice() {
    check_fires(
        broken(1, preset_scenario("split-votes")),
        2 * SECOND,
        ELECTION_SAFETY,
    );
}

#[test]
fn log_matching_fires_when_conflicting_tails_are_kept() {
    // One entry per AppendEntries, so the repair of a longer divergent log is gradual.
    let scenario = preset_scenario("partition").with_param("max_batch", 1);
    check_fires(broken(2, scenario), 8 * SECOND, LOG_MATCHING);
}

#[test]
fn leader_append_only_fires_when_stale_leaders_are_obeyed() {
    // The old leader keeps sending after the partition (it never hears the new term back).
    let mut scenario = preset_scenario("partition");
    let Action::Partition { groups } = &scenario.faults[0].action else {
        panic!()
    };
    let old = groups[0][0];
    scenario.faults[1].at_us = 4 * SECOND;
    for other in (0..5).filter(|&n| n != old) {
        scenario.faults.push(ScheduledFault {
            at_us: 4 * SECOND,
            action: Action::Cut {
                from: other,
                to: old,
            },
        });
    }
    check_fires(broken(3, scenario), 6 * SECOND, LEADER_APPEND_ONLY);
}

#[test]
fn leader_completeness_fires_when_stale_logs_get_votes() {
    check_fires(
        broken(4, preset_scenario("rejoin")),
        7 * SECOND,
        LEADER_COMPLETENESS,
    );
}

#[test]
fn state_machine_safety_fires_when_a_minority_commits() {
    check_fires(
        broken(5, preset_scenario("partition")),
        8 * SECOND,
        STATE_MACHINE_SAFETY,
    );
}

#[test]
fn no_safety_violation_under_random_faults() {
    // Swarm testing: each seed also picks its fault schedule and network conditions.
    for seed in 0..24u64 {
        let mut rng = failscope_sim::rng::Rng::from_seed(seed);
        let mut s = base_scenario(seed);
        s.n_nodes = 3 + (rng.below(3) as u16) * 2;
        s.clients.n_clients = 2;
        s.network.link.loss_ppm = rng.below(100_000) as u32;
        s.network.link.duplicate_ppm = rng.below(50_000) as u32;
        s.network.link.reorder_ppm = rng.below(200_000) as u32;
        crate::swarm::schedule_random_faults(&mut s, &mut rng, 12, 8 * SECOND, |rng, node| {
            Action::ClockDrift {
                node,
                ppm: rng.range_inclusive(0, 200_000) as i32 - 100_000,
            }
        });
        let mut run = start(&s);
        run.run_until(12 * SECOND);
        let reports = run.invariants();
        assert_eq!(any_safety_violation(&reports), None, "{}", seed_note(seed));
        // Liveness after healing: a leader, and every live server agrees on the commit.
        assert_eq!(
            leaders(&run).len(),
            1,
            "no single leader after healing; {}",
            seed_note(seed)
        );
        assert!(reports[LEADER_ELECTED].ok());
    }
}

#[test]
fn every_preset_is_valid_and_runs_clean() {
    for p in RaftLab.presets() {
        p.scenario
            .validate(&failscope_labs::REGISTRY)
            .unwrap_or_else(|e| panic!("{}: {e}", p.id));
        let mut run = start(&p.scenario);
        run.run_until(p.duration_us);
        assert_eq!(
            any_safety_violation(&run.invariants()),
            None,
            "preset {}",
            p.id
        );
        assert!(!p.chapters.is_empty());
        assert!(
            p.chapters.windows(2).all(|w| w[0].at_us <= w[1].at_us),
            "{} chapters in order",
            p.id
        );
    }
}
