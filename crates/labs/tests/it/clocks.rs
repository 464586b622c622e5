//! Clocks: physical clocks that are offset, drift and step, and the logical clocks built to
//! order events without trusting them.
//!
//! - Lamport, "Time, clocks, and the ordering of events in a distributed system", CACM 21(7),
//!   1978, section 2 (the clock condition: a → b ⇒ C(a) < C(b); the converse does not hold).
//! - Fidge, "Timestamps in message-passing systems that preserve the partial ordering", 1988;
//!   Mattern, "Virtual time and global states of distributed systems", 1988: vector
//!   timestamps order a pair exactly when one happened before the other.
//! - Kulkarni, Demirbas, Madeppa, Avva, Leone, "Logical physical clocks", OPODIS 2014,
//!   Theorem 2: a hybrid clock's physical part stays within the clock offset ε of true time.
//! - Corbett et al., "Spanner: Google's globally-distributed database", OSDI 2012, section
//!   4.1.2: with commit-wait, if T1 commits before T2 starts, s1 < s2 (external
//!   consistency).

use crate::seed_note;
use failscope_labs::clocks::*;
use failscope_labs::preset;
use failscope_sim::action::Action;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::logical_clock::Causality;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<ClockNode>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run::<ClockNode>(&ClocksLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("clocks", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

/// One event of a run: its node, the event, and its true time.
struct Seen<'a> {
    node: u16,
    event: &'a Event,
    at: Time,
}

fn events(run: &Run) -> Vec<Seen<'_>> {
    let w = run.world();
    let mut all = Vec::new();
    for node in 0..w.n_nodes() {
        let clock = w.clock(node).unwrap();
        for event in &w.durable(node).unwrap().events {
            all.push(Seen {
                node,
                event,
                at: clock.true_time_of_monotonic(event.mono),
            });
        }
    }
    all
}

/// Happens-before over the events of a run, from the run's structure alone (program order
/// on each node, and each send before its receive), as a transitive closure.
fn happens_before(all: &[Seen<'_>]) -> Vec<Vec<bool>> {
    let n = all.len();
    let index = |node: u16, number: u32| {
        all.iter()
            .position(|s| s.node == node && s.event.number == number)
    };
    let mut hb = vec![vec![false; n]; n];
    for (j, s) in all.iter().enumerate() {
        if s.event.number > 0 {
            let i = index(s.node, s.event.number - 1).expect("events are all kept");
            hb[i][j] = true;
        }
        if let EventKind::Receive { from, send } = s.event.kind {
            hb[index(from, send).expect("the send is kept")][j] = true;
        }
    }
    // Floyd–Warshall closure: whatever k reaches, everything that reaches k reaches too.
    for k in 0..n {
        let from_k = hb[k].clone();
        for row in hb.iter_mut() {
            if row[k] {
                for (reach, &via) in row.iter_mut().zip(&from_k) {
                    *reach |= via;
                }
            }
        }
    }
    hb
}

#[test]
fn the_seeds_two_node_example_gives_stamps_one_to_six() {
    // A local T=1, A sends T=2, B receives T=3, B local T=4, B sends T=5, A receives T=6
    // (Lamport 1978, the rules IR1 and IR2).
    let r = preset_run("lamport-example");
    let mut all = events(&r);
    all.sort_by_key(|s| s.at);
    let got: Vec<(u16, &str, u64)> = all
        .iter()
        .map(|s| {
            let kind = match s.event.kind {
                EventKind::Local => "local",
                EventKind::Send { .. } => "send",
                EventKind::Receive { .. } => "receive",
            };
            (s.node, kind, s.event.stamps.lamport.0)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (0, "local", 1),
            (0, "send", 2),
            (1, "receive", 3),
            (1, "local", 4),
            (1, "send", 5),
            (0, "receive", 6),
        ]
    );
    // The diagram gets the same stamps as labels, one set per kind of clock.
    let stamps: Vec<String> = r
        .trace()
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            failscope_sim::trace::TraceKind::Note {
                kind: failscope_sim::trace::NoteKind::Stamp,
                text,
                ..
            } => Some(text.split('|').next().unwrap().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(stamps, ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(r.stamp_sets().0, ["Lamport", "vector", "HLC"]);
}

#[test]
fn lamport_order_is_consistent_with_happens_before_but_blind_to_concurrency() {
    // Lamport 1978, section 2; Fidge 1988 and Mattern 1988 for the vectors.
    let mut concurrent_but_ordered = 0;
    for seed in 0..4u64 {
        let s = scenario(seed, 4, 0, 30).with_param("every_ms", 100);
        let r = run(&s, 2 * SECOND);
        let all = events(&r);
        assert!(all.len() > 40, "{}", seed_note(seed));
        let hb = happens_before(&all);
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                let (sa, sb) = (&a.event.stamps, &b.event.stamps);
                if hb[i][j] {
                    assert!(sa.lamport < sb.lamport, "{}", seed_note(seed));
                    assert!(sa.hlc < sb.hlc, "{}", seed_note(seed));
                }
                // Vectors: a → b exactly when V(a) < V(b).
                assert_eq!(
                    hb[i][j],
                    sa.vector.compare(&sb.vector) == Causality::Before,
                    "{}",
                    seed_note(seed)
                );
                if i != j && !hb[i][j] && !hb[j][i] {
                    assert_eq!(sa.vector.compare(&sb.vector), Causality::Concurrent);
                    if sa.lamport < sb.lamport {
                        concurrent_but_ordered += 1;
                    }
                }
            }
        }
    }
    assert!(
        concurrent_but_ordered > 0,
        "a concurrent pair with L(a) < L(b)"
    );
}

#[test]
fn a_concrete_concurrent_pair_with_ordered_lamport_stamps() {
    // Three nodes doing only local events: nothing happens before anything across nodes,
    // yet S1's first event (L = 1) gets a smaller Lamport stamp than S2's second (L = 2).
    let s = scenario(1, 3, 0, 30)
        .with_param("every_ms", 200)
        .with_param("send_ppm", 0);
    let r = run(&s, 700 * MS);
    let w = r.world();
    let (a, b) = (w.durable(0).unwrap(), w.durable(1).unwrap());
    let (ea, eb) = (&a.events[0].stamps, &b.events[1].stamps);
    assert!(ea.lamport < eb.lamport, "L(a) = 1 < L(b) = 2");
    assert_eq!(ea.vector.compare(&eb.vector), Causality::Concurrent);
}

#[test]
fn hybrid_clocks_stay_within_the_largest_clock_offset_of_true_time() {
    // Kulkarni et al. 2014, Theorem 2: l.j − pt.j ≤ ε. Here ε is the largest amount any
    // wall clock read ahead of true time at any event of the run, steps included; and
    // the hybrid stamp never falls behind the node's own wall clock.
    for id in ["skew-and-steps", "vector-concurrency"] {
        let r = preset_run(id);
        let all = events(&r);
        let epsilon = all
            .iter()
            .map(|s| s.event.wall - s.at as i64)
            .max()
            .unwrap()
            .max(0);
        for s in &all {
            let hlc = s.event.stamps.hlc.physical_us;
            assert!(
                hlc - s.at as i64 <= epsilon,
                "{id}: {} µs ahead",
                hlc - s.at as i64
            );
            assert!(hlc >= s.event.wall, "{id}");
        }
    }
    // With S3 stepped back 2 s, its wall clock fell behind what its hybrid clock had seen;
    // the stamps kept growing regardless.
    let r = preset_run("skew-and-steps");
    assert!(crate::lab_run::no_safety_violation(&r));
    let s3 = &r.world().durable(2).unwrap().events;
    assert!(s3
        .iter()
        .any(|e| e.stamps.hlc.physical_us > e.wall + SECOND as i64));
}

/// Every pair of commits where T1 was acknowledged before T2 was requested: (ts1, ts2).
fn real_time_pairs(r: &Run) -> Vec<(i64, i64)> {
    let w = r.world();
    let mut commits = Vec::new();
    for node in 0..w.n_nodes() {
        let clock = w.clock(node).unwrap();
        for t in &w.durable(node).unwrap().txns {
            let requested = clock.true_time_of_monotonic(t.request_mono);
            let acked = t.ack_mono.map(|a| clock.true_time_of_monotonic(a));
            commits.push((requested, acked, t.ts));
        }
    }
    let mut pairs = Vec::new();
    for &(_, acked, ts1) in &commits {
        for &(requested, _, ts2) in &commits {
            if acked.is_some_and(|a| a < requested) {
                pairs.push((ts1, ts2));
            }
        }
    }
    pairs
}

#[test]
fn with_commit_wait_timestamps_follow_real_time_and_without_it_they_do_not() {
    // Corbett et al. 2012, section 4.1.2 (commit wait) and 4.2.1: clocks within ε of true
    // time, each commit stamped TT.now().latest and acknowledged once TT.after(s).
    for seed in 0..10u64 {
        let r = run(&truetime(seed, 1), 2 * SECOND);
        let pairs = real_time_pairs(&r);
        assert!(pairs.len() > 1000, "{}", seed_note(seed));
        assert!(pairs.iter().all(|(a, b)| a < b), "{}", seed_note(seed));
        assert!(r.invariants()[EXTERNAL].ok(), "{}", seed_note(seed));
    }
    let r = preset_run("no-commit-wait");
    assert!(real_time_pairs(&r).iter().any(|(a, b)| a >= b));
    assert!(r.invariants()[EXTERNAL_LOST].fired_at().is_some());
    assert!(crate::lab_run::no_safety_violation(&r));
    // Commit-wait costs about 2ε per commit: the price of the guarantee.
    let r = preset_run("truetime-commit-wait");
    let w = r.world();
    let t = &w.durable(0).unwrap().txns[3];
    let waited = t.ack_mono.unwrap() - t.request_mono;
    assert!(
        (10 * MS as i64..=11 * MS as i64).contains(&waited),
        "{waited}"
    );
}

#[test]
fn last_write_wins_under_five_seconds_of_skew_keeps_the_earlier_write() {
    let r = preset_run("lww-skew");
    let w = r.world();
    let (s1, s2) = (w.durable(0).unwrap(), w.durable(1).unwrap());
    // Both replicas agree, on S1's last write; every write of S2 was discarded.
    assert_eq!(s1.register, s2.register);
    assert_eq!(s1.register.unwrap().writer, 0);
    assert!(s2.writes.len() >= 4);
    assert_eq!(s2.discarded as usize, s2.writes.len());
    let lost = &r.invariants()[LWW_LOST];
    assert_eq!(lost.fired_at(), Some(2 * SECOND));
    assert!(crate::lab_run::no_safety_violation(&r));
    // With the clocks in step, the later write wins every time.
    let mut fair = preset("clocks", "lww-skew").unwrap().scenario;
    fair.clocks.clear();
    let r = run(&fair, 10 * SECOND);
    assert!(r.invariants()[LWW_LOST].fired_at().is_none());
    assert_eq!(r.world().durable(1).unwrap().discarded, 0);
}

#[test]
fn a_wall_clock_timeout_fires_late_after_a_backward_step_and_early_after_a_forward_one() {
    let r = preset_run("skew-and-steps");
    let firings = &r.world().durable(2).unwrap().firings;
    let took = |wall: bool| -> Vec<i64> {
        firings
            .iter()
            .filter(|f| f.wall == wall)
            .map(|f| f.fired_mono - f.set_mono)
            .collect()
    };
    let second = SECOND as i64;
    // The monotonic timeout takes exactly its second of monotonic time, every time.
    assert!(took(false).len() >= 9);
    assert!(took(false).iter().all(|&t| t == second));
    // The wall-clock one: a firing 2 s late (the step back), one nearly at once (the step
    // forward), the others on time give or take a poll.
    let wall = took(true);
    assert!(wall.iter().any(|&t| t >= 3 * second), "{wall:?}");
    assert!(wall.iter().any(|&t| t < second * 6 / 10), "{wall:?}");
    assert!(r.invariants()[TIMEOUT].fired_at().is_some());
    // S1 and S2 only drift: their timeouts never misfire (give or take the microsecond a
    // drifting clock's timer is rounded down by, and a poll).
    for node in 0..2 {
        let f = &r.world().durable(node).unwrap().firings;
        let took: Vec<i64> = f.iter().map(|f| f.fired_mono - f.set_mono).collect();
        assert!(
            f.iter()
                .all(|f| (second - 1..=second + 100 * MS as i64)
                    .contains(&(f.fired_mono - f.set_mono))),
            "S{}: {took:?}",
            node + 1
        );
    }
}

#[test]
fn each_deliberate_bug_is_caught_by_its_check() {
    for (bug, id, check) in [
        (1, "lamport-example", LAMPORT),
        (2, "vector-concurrency", VECTOR),
        (3, "skew-and-steps", HLC),
        (4, "truetime-commit-wait", EXTERNAL),
    ] {
        let p = preset("clocks", id).unwrap();
        let r = run(
            &p.scenario.clone().with_param(BUG_PARAM, bug),
            p.duration_us,
        );
        assert!(r.invariants()[check].fired_at().is_some(), "bug {bug}");
        let r = run(&p.scenario, p.duration_us);
        assert!(crate::lab_run::no_safety_violation(&r), "{id}");
    }
    // A clock step the hybrid clock is fine with breaks the one that follows the wall.
    let p = preset("clocks", "lamport-example").unwrap();
    let stepped = p.scenario.clone().with_param(BUG_PARAM, 3).with_fault(
        300 * MS,
        Action::ClockJump {
            node: 1,
            delta_us: -(SECOND as i64),
        },
    );
    assert!(run(&stepped, p.duration_us).invariants()[HLC]
        .fired_at()
        .is_some());
}

#[test]
fn the_challenges() {
    let r = preset_run("lww-skew");
    assert!(r.challenges()[0].achieved.is_some());
    let early = scenario(1, 2, 0, 30)
        .with_param("timeout_ms", 1_000)
        .with_fault(
            1_500 * MS,
            Action::ClockJump {
                node: 0,
                delta_us: 800 * MS as i64,
            },
        );
    let r = run(&early, 3 * SECOND);
    assert!(r.challenges()[1].achieved.is_some());
    assert!(r.challenges()[2].achieved.is_none());
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    crate::refused(
        &scenario(1, 3, 0, 10).with_param("timeout_ms", 5),
        "at least 10 ms",
    );
    let mut one = scenario(1, 3, 0, 10);
    one.n_nodes = 1;
    assert!(failscope_labs::build(&one).is_err());
    let ran = crate::random_settings_never_panic(&ClocksLab, 60, 3 * SECOND);
    assert!(ran > 20, "{ran}");
    crate::lab_run::survives_changes_mid_run(&ClocksLab);
}

#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::lab_run::presets_replay_exactly(&ClocksLab);
    assert_eq!(ClocksLab.presets().len(), 6);
}

#[test]
fn every_preset_keeps_its_safety_checks_over_many_seeds() {
    // What `failscope sweep --lab clocks --preset P --seeds N` reports, for 40 seeds each.
    for p in ClocksLab.presets() {
        for seed in 0..40u64 {
            let mut s = p.scenario.clone();
            s.seed = seed;
            let mut sim = failscope_labs::build(&s).unwrap();
            sim.run_until(p.duration_us);
            assert!(
                crate::lab_run::no_safety_violation(sim.as_ref()),
                "{} {}",
                p.id,
                seed_note(seed)
            );
        }
    }
}
