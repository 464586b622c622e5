//! Challenges: every possible one achieved by a scenario, at the very event its property
//! reports; every impossible one never achieved under random faults, yet achieved once the
//! deliberate bug it names is switched on (so it is not vacuous); all of it exact under seek.

use crate::seed_note;
use failscope_labs::preset;
use failscope_sim::action::Action;
use failscope_sim::challenge::{bug_in_force, ChallengeReport, Possibility};
use failscope_sim::consistency::stale_reads;
use failscope_sim::invariant::Modality;
use failscope_sim::lab::{Lab, Unit};
use failscope_sim::rng::Rng;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};

fn build(scenario: &Scenario) -> Box<dyn Simulation> {
    failscope_labs::build(scenario).expect("valid scenario")
}

fn preset_scenario(lab: &str, id: &str) -> Scenario {
    preset(lab, id).expect("preset exists").scenario
}

fn challenge(sim: &dyn Simulation, id: &str) -> ChallengeReport {
    sim.challenges()
        .into_iter()
        .find(|c| c.spec.id == id)
        .unwrap_or_else(|| panic!("no challenge {id}"))
}

/// The lab's "Deliberate bug" choice with this name, as a parameter value.
fn bug_index(lab: &dyn Lab, name: &str) -> i64 {
    let spec = lab
        .params()
        .iter()
        .find(|p| p.key == "bug")
        .expect("a bug parameter");
    let Unit::Choice(names) = spec.unit else {
        panic!("the bug parameter is a choice")
    };
    names
        .iter()
        .position(|n| *n == name)
        .unwrap_or_else(|| panic!("no bug named {name}")) as i64
}

/// Runs `scenario` to `until`; the challenge must be achieved, at the same time and trace
/// index as its property's violation or observation. Returns the run (at `until`).
fn achieves(scenario: &Scenario, until: Time, id: &str) -> Box<dyn Simulation> {
    let note = seed_note(scenario.seed);
    let mut sim = build(scenario);
    sim.run_until(until);
    let report = challenge(&*sim, id);
    let achieved = report
        .achieved
        .clone()
        .unwrap_or_else(|| panic!("{id} should be achieved by {until} µs; {note}"));
    let property = &sim.invariants()[report.spec.property];
    assert_eq!(property.spec.name, report.property);
    let (time, index) = match property.spec.modality {
        Modality::Always => {
            let v = property.status.first_violation.as_ref().expect("violated");
            (v.time, v.trace_index)
        }
        Modality::Sometimes | Modality::Anomaly => {
            let o = property.status.observed.as_ref().expect("observed");
            (o.time, o.trace_index)
        }
    };
    assert_eq!((achieved.time, achieved.trace_index), (time, index), "{id}");
    assert!(!achieved.detail.is_empty(), "{id} says what happened");
    assert!(index <= sim.trace().len());
    println!(
        "{id}: achieved at {} µs: {}",
        achieved.time, achieved.detail
    );
    sim
}

/// Seeking before the achievement undoes it; seeking forward brings it back, identical.
fn exact_under_seek(sim: &mut dyn Simulation, id: &str) {
    let end = sim.now();
    let achieved = challenge(sim, id).achieved.expect("achieved");
    assert!(achieved.time > 0);
    sim.seek(achieved.time - 1);
    assert_eq!(challenge(sim, id).achieved, None, "{id} before it happened");
    sim.seek(achieved.time);
    assert_eq!(
        challenge(sim, id).achieved.as_ref(),
        Some(&achieved),
        "{id} at the moment"
    );
    sim.seek(0);
    assert_eq!(challenge(sim, id).achieved, None, "{id} at the start");
    sim.seek(end);
    assert_eq!(challenge(sim, id).achieved, Some(achieved), "{id} again");
}

// ----- Every lab's declarations ------------------------------------------------------------

#[test]
fn every_challenge_names_a_property_of_its_lab() {
    for lab in failscope_labs::all() {
        let specs = lab.challenges();
        let sim = build(&lab.default_scenario(1));
        let properties = sim.invariants();
        let reports = sim.challenges();
        assert_eq!(reports.len(), specs.len(), "{}", lab.id());
        for (spec, report) in specs.iter().zip(&reports) {
            let what = format!("{} / {}", lab.id(), spec.id);
            assert_eq!(
                specs.iter().filter(|s| s.id == spec.id).count(),
                1,
                "{what}: ids are unique"
            );
            assert!(
                spec.sentence.ends_with('.') && !spec.hint.is_empty(),
                "{what}"
            );
            let property = properties.get(spec.property).expect("a property");
            assert_eq!(report.property, property.spec.name, "{what}");
            assert_eq!(report.achieved, None, "{what}: nothing achieved at time 0");
            if spec.possible == Possibility::Possible {
                assert_ne!(
                    property.spec.modality,
                    Modality::Always,
                    "{what}: a possible challenge violating a safety property would be a bug"
                );
            }
            if let Possibility::Impossible { why, unless_bug } = spec.possible {
                assert_eq!(
                    property.spec.modality,
                    Modality::Always,
                    "{what}: impossible means a safety property forbids it"
                );
                assert!(!why.is_empty(), "{what}");
                if let Some(bug) = unless_bug {
                    bug_index(lab, bug);
                }
            }
            if let Some(mode) = spec.only_when {
                let param = lab.params().iter().find(|p| p.key == mode.param);
                let param = param.unwrap_or_else(|| panic!("{what}: no parameter {}", mode.param));
                assert!(
                    (param.min..=param.max).contains(&mode.value) && !mode.name.is_empty(),
                    "{what}: the mode is a value the parameter takes"
                );
            }
        }
    }
    for id in ["raft", "replication"] {
        let lab = failscope_labs::find(id).unwrap();
        assert_eq!(lab.challenges().len(), 2, "{id} has two challenges");
    }
}

#[test]
fn the_bug_in_force_is_read_from_the_parameters() {
    let lab = failscope_labs::find("raft").unwrap();
    let scenario = lab.default_scenario(1);
    let sim = build(&scenario);
    assert_eq!(bug_in_force(lab, sim.params()), None);
    let sim = build(&scenario.with_param("bug", 1));
    assert_eq!(
        bug_in_force(lab, sim.params()),
        Some("vote twice in a term")
    );
    let ring = failscope_labs::find("hash-ring").unwrap();
    assert_eq!(bug_in_force(ring, &Default::default()), None);
}

// ----- Raft: two leaders in one term (impossible) ------------------------------------------

/// A Raft scenario with random network conditions and up to 11 random faults.
fn raft_swarm(seed: u64) -> Scenario {
    let mut rng = Rng::from_seed(seed);
    let mut s = failscope_labs::raft::base_scenario(seed);
    s.n_nodes = 3 + (rng.below(3) as u16) * 2;
    s.clients.n_clients = 2;
    s.network.link.loss_ppm = rng.below(100_000) as u32;
    s.network.link.duplicate_ppm = rng.below(50_000) as u32;
    s.network.link.reorder_ppm = rng.below(200_000) as u32;
    crate::swarm::schedule_random_faults(&mut s, &mut rng, 12, 6 * SECOND, |rng, node| {
        Action::ClockDrift {
            node,
            ppm: rng.range_inclusive(0, 200_000) as i32 - 100_000,
        }
    });
    s
}

#[test]
fn two_raft_leaders_in_one_term_is_impossible_without_the_bug() {
    let raft = failscope_labs::find("raft").unwrap();
    let Possibility::Impossible {
        unless_bug: Some(bug),
        ..
    } = challenge(&*build(&raft.default_scenario(1)), "two-leaders")
        .spec
        .possible
    else {
        panic!("two leaders is impossible by design, unless a bug")
    };
    let bug = bug_index(raft, bug);
    let mut with_bug = 0;
    for seed in 0..50u64 {
        let scenario = raft_swarm(seed);
        let mut sim = build(&scenario);
        sim.run_until(8 * SECOND);
        assert_eq!(
            challenge(&*sim, "two-leaders").achieved,
            None,
            "{}",
            seed_note(seed)
        );
        let mut sim = build(&scenario.with_param("bug", bug));
        sim.run_until(8 * SECOND);
        with_bug += usize::from(challenge(&*sim, "two-leaders").achieved.is_some());
    }
    println!("two leaders in a term with the bug on: {with_bug} of 50 seeds");
    assert!(with_bug > 0, "the named bug makes it reachable");
    // And deterministically: aligned timeouts, every server votes for every candidate.
    let split = preset_scenario("raft", "split-votes").with_param("bug", bug);
    let mut sim = achieves(&split, 2 * SECOND, "two-leaders");
    exact_under_seek(&mut *sim, "two-leaders");
}

// ----- Raft: no leader for five seconds (possible) -----------------------------------------

#[test]
fn three_crashes_of_five_leave_raft_without_a_leader() {
    // The preset restarts one server after three seconds: not long enough.
    let preset = preset_scenario("raft", "majority-crash");
    let mut sim = build(&preset);
    sim.run_until(10 * SECOND);
    assert_eq!(challenge(&*sim, "no-leader").achieved, None);
    // Without the restart the two survivors never reach a majority.
    let mut scenario = preset.clone();
    scenario
        .faults
        .retain(|f| !matches!(f.action, Action::Restart { .. }));
    let mut sim = achieves(&scenario, 10 * SECOND, "no-leader");
    let at = challenge(&*sim, "no-leader").achieved_at().unwrap();
    assert!(
        (7 * SECOND..7 * SECOND + 400 * MS).contains(&at),
        "five seconds after the crash at 2 s, give or take the next event: {at}"
    );
    exact_under_seek(&mut *sim, "no-leader");
    // Fork: back before it, restart a server, and the cluster recovers in time.
    sim.seek(5 * SECOND);
    let crashed = match scenario.faults[0].action {
        Action::Crash { node } => node,
        _ => unreachable!(),
    };
    sim.apply(Action::Restart { node: crashed }).unwrap();
    sim.run_until(12 * SECOND);
    assert_eq!(challenge(&*sim, "no-leader").achieved, None, "the fork");
}

#[test]
fn aligned_timeouts_keep_raft_without_a_leader() {
    // The split-votes preset without the switch to randomized timeouts at 3 s.
    let mut scenario = preset_scenario("raft", "split-votes");
    scenario.faults.clear();
    let sim = achieves(&scenario, 6 * SECOND, "no-leader");
    let at = challenge(&*sim, "no-leader").achieved_at().unwrap();
    assert!((5 * SECOND..5_200 * MS).contains(&at), "{at}");
    // With the switch, a leader is elected after 3 s: never five leaderless seconds.
    let mut sim = build(&preset_scenario("raft", "split-votes"));
    sim.run_until(10 * SECOND);
    assert_eq!(challenge(&*sim, "no-leader").achieved, None);
}

// ----- Replication: a stale read (possible) ------------------------------------------------

#[test]
fn a_lagging_follower_serves_a_stale_read() {
    let p = preset("replication", "lagging-follower").unwrap();
    let mut sim = achieves(&p.scenario, p.duration_us, "stale-read");
    assert!(
        stale_reads(&sim.history()) > 0,
        "the History tab's checker agrees"
    );
    exact_under_seek(&mut *sim, "stale-read");
    // Reads at the leader (the default) see every acknowledged write.
    let at_leader = p.scenario.with_param("follower_reads", 0);
    let mut sim = build(&at_leader);
    sim.run_until(p.duration_us);
    assert_eq!(challenge(&*sim, "stale-read").achieved, None);
    assert!(sim.metrics().ops_ok > 50);
}

#[test]
fn quorums_that_overlap_serve_no_stale_read_and_one_replica_does() {
    // W + R > N: the read quorum meets every acknowledged write's.
    for id in ["quorums", "quorum-anomaly", "abd", "cap-cp"] {
        let p = preset("replication", id).unwrap();
        let mut sim = build(&p.scenario);
        sim.run_until(p.duration_us);
        assert_eq!(
            challenge(&*sim, "stale-read").achieved,
            None,
            "{id}; {}",
            seed_note(p.scenario.seed)
        );
    }
    // The trade-off chart's strong configurations neither.
    for t in failscope_labs::find("replication").unwrap().tradeoffs() {
        let strong = [", synchronous", "2 of", "ABD"]
            .iter()
            .any(|w| t.label.contains(w));
        let mut sim = build(&t.scenario);
        sim.run_until(t.duration_us);
        let achieved = challenge(&*sim, "stale-read").achieved.is_some();
        println!("{}: stale read {achieved}", t.label);
        if strong {
            assert!(!achieved, "{}", t.label);
        }
        if t.label.contains("W = R = 1") {
            assert!(achieved, "{}", t.label);
        }
    }
    // W = R = 1 under a partition.
    let p = preset("replication", "w1r1-partition").unwrap();
    let sim = achieves(&p.scenario, p.duration_us, "stale-read");
    assert!(stale_reads(&sim.history()) > 0);
}

// ----- Replication: a lost acknowledged write (possible) -----------------------------------

#[test]
fn last_write_wins_under_clock_skew_loses_a_write() {
    let p = preset("replication", "lww-skew").unwrap();
    let mut sim = achieves(&p.scenario, p.duration_us, "lost-write");
    let at = challenge(&*sim, "lost-write").achieved_at().unwrap();
    // S2's write of k0 = 2 at 2 s, stamped 5 s behind.
    assert!((2 * SECOND..2_100 * MS).contains(&at), "{at}");
    assert_eq!(sim.metrics().custom("lost_writes"), 1);
    exact_under_seek(&mut *sim, "lost-write");
    // The read at 3 s answers k0 = 1 after k0 = 2 was acknowledged: stale too, although
    // k0 = 1 carries the higher stamp.
    let stale = challenge(&*sim, "stale-read")
        .achieved
        .expect("a stale read");
    assert!(stale.time >= 3 * SECOND, "{stale:?}");
    // Without the skew the later write wins, and every read sees it.
    let mut fair = p.scenario.clone();
    fair.clocks.clear();
    let mut sim = build(&fair);
    sim.run_until(p.duration_us);
    assert_eq!(challenge(&*sim, "lost-write").achieved, None);
    assert_eq!(challenge(&*sim, "stale-read").achieved, None);
}

#[test]
fn failover_after_asynchronous_replication_loses_writes() {
    let p = preset("replication", "async-failover").unwrap();
    let mut sim = achieves(&p.scenario, p.duration_us, "lost-write");
    let at = challenge(&*sim, "lost-write").achieved_at().unwrap();
    // The old leader restarts at 3.5 s and resyncs from the new one.
    assert!((3_500 * MS..4 * SECOND).contains(&at), "{at}");
    assert!(sim.metrics().custom("lost_writes") > 0);
    exact_under_seek(&mut *sim, "lost-write");
    // Synchronous replication acknowledges only what every follower has.
    let synchronous = p.scenario.with_param("sync", 1);
    let mut sim = build(&synchronous);
    sim.run_until(p.duration_us);
    assert_eq!(challenge(&*sim, "lost-write").achieved, None);
}

// ----- Observing changes nothing -------------------------------------------------------------

#[test]
fn challenges_do_not_change_the_run() {
    // The properties behind the challenges record no trace event: a run's trace is the one
    // the golden hashes pin (crates/labs/tests/it/determinism.rs), and asking for the
    // challenges at every step leaves it alone.
    let scenario = preset_scenario("replication", "lagging-follower");
    let mut watched = build(&scenario);
    let mut t = 0;
    while t < 3 * SECOND {
        t += 50 * MS;
        watched.run_until(t);
        let _ = watched.challenges();
    }
    let mut plain = build(&scenario);
    plain.run_until(3 * SECOND);
    assert_eq!(watched.trace().hash(), plain.trace().hash());
}

// ----- Split brain: both sides writing (possible, only without a quorum) -------------------

#[test]
fn a_leader_frozen_past_the_election_writes_after_its_successor_only_without_quorum() {
    let lab = failscope_labs::find("split-brain").unwrap();
    let frozen = |mode: i64| {
        lab.default_scenario(4).with_param("mode", mode).with_fault(
            SECOND,
            Action::Pause {
                node: 0,
                duration_us: 2 * SECOND,
            },
        )
    };
    let mut sim = achieves(&frozen(0), 4 * SECOND, "both-sides-write");
    exact_under_seek(&mut *sim, "both-sides-write");
    // The preset's partition does it too.
    achieves(
        &preset_scenario("split-brain", "no-quorum"),
        4 * SECOND,
        "both-sides-write",
    );
    // Majority quorum (check-quorum before every write), fencing and STONITH: not with this pause.
    for mode in 1..=3 {
        let mut sim = build(&frozen(mode));
        sim.run_until(4 * SECOND);
        assert_eq!(
            challenge(&*sim, "both-sides-write").achieved,
            None,
            "mode {mode}"
        );
    }
}

// ----- Leases: two clients writing in the same second (possible, without fencing) ----------

#[test]
fn a_client_that_sleeps_through_its_lease_writes_in_the_same_second_as_the_next() {
    let p = preset("lease-fencing", "seeds-timeline").unwrap();
    let mut sim = achieves(&p.scenario, p.duration_us, "two-writers");
    let at = challenge(&*sim, "two-writers").achieved.unwrap();
    assert!(
        at.detail.contains("after S2 wrote with token 34"),
        "{}",
        at.detail
    );
    exact_under_seek(&mut *sim, "two-writers");
    let fenced = preset_scenario("lease-fencing", "seeds-timeline-fenced");
    let mut sim = build(&fenced);
    sim.run_until(p.duration_us);
    assert_eq!(challenge(&*sim, "two-writers").achieved, None);
}

// ----- Paxos: two values (impossible but for a bug), ten undecided seconds (possible) ------

#[test]
fn duelling_paxos_proposers_stay_undecided_for_ten_seconds_only_without_backoff() {
    let p = preset("paxos", "duel").unwrap();
    let mut sim = achieves(&p.scenario, p.duration_us, "keep-undecided");
    exact_under_seek(&mut *sim, "keep-undecided");
    let sim = {
        let mut sim = build(&preset_scenario("paxos", "duel-backoff"));
        sim.run_until(p.duration_us);
        sim
    };
    assert_eq!(challenge(&*sim, "keep-undecided").achieved, None);
}

#[test]
fn two_paxos_values_are_chosen_only_with_the_named_bug() {
    let lab = failscope_labs::find("paxos").unwrap();
    let p = preset("paxos", "restart").unwrap();
    let Possibility::Impossible {
        unless_bug: Some(bug),
        ..
    } = lab.challenges()[0].possible
    else {
        panic!("impossible unless a bug")
    };
    let buggy = p.scenario.clone().with_param("bug", bug_index(lab, bug));
    let mut sim = achieves(&buggy, p.duration_us, "two-values");
    exact_under_seek(&mut *sim, "two-values");
    for seed in 0..60 {
        let mut rng = Rng::from_seed(seed);
        let mut s = lab
            .default_scenario(seed)
            .with_param("backoff", (seed % 2) as i64);
        crate::swarm::schedule_random_faults(&mut s, &mut rng, 8, SECOND, |_, node| {
            Action::Crash { node }
        });
        let mut sim = build(&s);
        sim.run_until(2 * SECOND);
        assert_eq!(
            challenge(&*sim, "two-values").achieved,
            None,
            "{}",
            seed_note(seed)
        );
    }
}

// ----- System models: deciding under the adversary (impossible), f rounds (possible) ------

#[test]
fn nothing_is_decided_under_the_adversary_unless_it_leaks() {
    let lab = failscope_labs::find("system-models").unwrap();
    let p = preset("system-models", "adversary").unwrap();
    for seed in 0..40 {
        let mut rng = Rng::from_seed(seed);
        let mut s = p.scenario.clone();
        s.seed = seed;
        crate::swarm::schedule_random_faults(&mut s, &mut rng, 8, 5 * SECOND, |rng, node| {
            Action::Pause {
                node,
                duration_us: rng.range_inclusive(1, 500) * MS,
            }
        });
        let mut sim = build(&s);
        sim.run_until(10 * SECOND);
        let report = challenge(&*sim, "decide-under-adversary");
        assert_eq!(report.achieved, None, "{}", seed_note(seed));
    }
    let Possibility::Impossible {
        unless_bug: Some(bug),
        ..
    } = lab.challenges()[0].possible
    else {
        panic!("impossible unless a bug")
    };
    let leaky = p.scenario.with_param("bug", bug_index(lab, bug));
    let mut sim = achieves(&leaky, SECOND, "decide-under-adversary");
    exact_under_seek(&mut *sim, "decide-under-adversary");
}

#[test]
fn floodset_with_f_rounds_breaks_agreement_and_f_plus_1_does_not() {
    let p = preset("system-models", "floodset-f-rounds").unwrap();
    let mut sim = achieves(&p.scenario, p.duration_us, "break-agreement");
    exact_under_seek(&mut *sim, "break-agreement");
    let mut sim = build(&preset_scenario("system-models", "floodset-f-plus-1"));
    sim.run_until(300 * MS);
    assert_eq!(challenge(&*sim, "break-agreement").achieved, None);
}
