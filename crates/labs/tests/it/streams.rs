//! Queues and logs. Reference results:
//!
//! - Kreps, Narkhede and Rao, "Kafka: a Distributed Messaging System for Log Processing"
//!   (NetDB 2011), §3.1–3.2: a topic is split into partitions, each an append-only log
//!   addressed by offset; each partition is consumed by one member of a group, so messages
//!   of one partition arrive in order; the broker keeps messages after they are consumed,
//!   so a consumer can rewind and replay.
//! - The Apache Kafka documentation, "Message Delivery Semantics" (§4.6 of the design
//!   documentation): committing the position before processing gives at-most-once (a crash
//!   loses what was not processed), committing after gives at-least-once (a crash repeats
//!   what was processed but not committed); storing the offset with the output, or making
//!   the output idempotent, gives effectively exactly-once.
//! - KIP-429, "Kafka Consumer Incremental Rebalance Protocol": eager rebalancing revokes
//!   every partition from every member before reassigning; cooperative rebalancing revokes
//!   only the partitions that move, and the others are consumed throughout.

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::streams::*;
use failscope_sim::action::Action;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::picture::PictureKind;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Streams>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run(&StreamsLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("streams", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

/// What became of the messages, read off the lab's own tally picture: (once, twice or
/// more, lost, dead-lettered).
fn counts(r: &Run) -> (i64, i64, i64, i64) {
    let pictures = r.pictures();
    let effects = pictures
        .iter()
        .find(|p| p.id == "effects")
        .expect("a tally");
    let PictureKind::Bars(bars) = &effects.kind else {
        panic!("the tally is bars")
    };
    let v: Vec<i64> = bars.bars.iter().map(|b| b.value).collect();
    (v[0], v[1], v[2], v[3])
}

fn fired(r: &Run, check: usize) -> Option<Time> {
    r.invariants()[check].fired_at()
}

/// A crash of a random consumer at a random moment of the busy first second and a half,
/// restarted (or not) a second later; links keep their order (constant latency), as TCP
/// connections do.
fn crash_run(seed: u64, commit: i64, idempotent: i64) -> Run {
    let mut rng = failscope_sim::rng::Rng::from_seed(seed ^ 0x5eed);
    let victim = consumer_node(rng.below(3) as u16);
    let at = rng.range_inclusive(200, 1_500) * MS;
    let mut s = scenario(seed)
        .with_param("commit", commit)
        .with_param("idempotent", idempotent)
        .with_fault(at, Action::Crash { node: victim });
    if rng.below(2) == 0 {
        s = s.with_fault(at + SECOND, Action::Restart { node: victim });
    }
    run(&s, 5 * SECOND)
}

#[test]
fn per_key_order_holds_within_partitions_in_every_seed_and_is_lost_without_keys() {
    // Kreps et al. 2011, §3.2: one consumer per partition, reading in offset order.
    let (mut unkeyed, mut queued) = (0, 0);
    for seed in 0..100 {
        let r = crash_run(seed, 1, 0);
        assert!(fired(&r, ORDER).is_none(), "{}", seed_note(seed));
        assert!(fired(&r, REORDERED).is_none(), "{}", seed_note(seed));
        let no_keys = run(&scenario(seed).with_param("keys", 0), 3 * SECOND);
        unkeyed += u32::from(fired(&no_keys, REORDERED).is_some());
        let queue = run(&scenario(seed).with_param("model", 1), 3 * SECOND);
        queued += u32::from(fired(&queue, REORDERED).is_some());
        assert!(fired(&queue, ORDER).is_none() && fired(&no_keys, ORDER).is_none());
    }
    println!("key order lost in {unkeyed} of 100 unkeyed runs and {queued} of 100 queue runs");
    assert!(unkeyed > 50 && queued > 50);
}

#[test]
fn at_least_once_never_loses_and_duplicates_in_some_crash_seed() {
    // The Kafka documentation, "Message Delivery Semantics": commit after processing.
    let mut duplicated = 0;
    for seed in 0..100 {
        let r = crash_run(seed, 1, 0);
        let (once, twice, lost, _) = counts(&r);
        assert!(fired(&r, NO_LOSS).is_none(), "{}", seed_note(seed));
        assert_eq!((once + twice, lost), (60, 0), "{}", seed_note(seed));
        duplicated += u32::from(twice > 0);
        assert_eq!(
            twice > 0,
            fired(&r, DUPLICATED).is_some(),
            "{}",
            seed_note(seed)
        );
    }
    println!("at-least-once: duplicates in {duplicated} of 100 crash runs, no loss in any");
    assert!(duplicated > 0);
}

#[test]
fn at_most_once_never_duplicates_and_loses_in_some_crash_seed() {
    // The Kafka documentation, "Message Delivery Semantics": commit before processing.
    let mut lossy = 0;
    for seed in 0..100 {
        let r = crash_run(seed, 0, 0);
        let (_, twice, lost, _) = counts(&r);
        assert_eq!(twice, 0, "{}", seed_note(seed));
        assert!(fired(&r, DUPLICATED).is_none(), "{}", seed_note(seed));
        lossy += u32::from(lost > 0);
        assert_eq!(lost > 0, fired(&r, LOST).is_some(), "{}", seed_note(seed));
    }
    println!("at-most-once: losses in {lossy} of 100 crash runs, no duplicate in any");
    assert!(lossy > 0);
}

#[test]
fn the_idempotent_consumer_neither_loses_nor_duplicates() {
    // The Kafka documentation: at-least-once delivery with an idempotent write is
    // effectively once.
    let mut skipped = 0;
    for seed in 0..100 {
        let r = crash_run(seed, 1, 1);
        assert_eq!(counts(&r), (60, 0, 0, 0), "{}", seed_note(seed));
        assert!(
            crate::lab_run::no_safety_violation(&r),
            "{}",
            seed_note(seed)
        );
        skipped += r.world().durable(DATABASE).unwrap().skipped;
    }
    assert!(skipped > 0, "some redeliveries were recognised");
}

#[test]
fn the_presets_show_what_they_say() {
    let log = preset_run("log");
    assert_eq!(counts(&log), (60, 0, 0, 0));
    assert!(r_fired_none(&log));
    let queue = preset_run("queue");
    assert_eq!(counts(&queue), (60, 0, 0, 0));
    assert!(fired(&queue, REORDERED).is_some());
    // Every message of the queue was acknowledged and deleted; every member took some.
    let q = &queue.world().durable(COORDINATOR).unwrap().queue;
    assert!(q.iter().all(|m| matches!(m.1, Slot::Done(_))));
    let db = queue.world().durable(DATABASE).unwrap();
    for c in 0..3 {
        assert!(
            db.applied.iter().any(|a| a.2 == consumer_node(c)),
            "S{} competed",
            c + 5
        );
    }
    assert!(fired(&preset_run("no-keys"), REORDERED).is_some());
    let amo = preset_run("at-most-once");
    assert_eq!(fired(&amo, LOST), Some(969_983));
    assert_eq!(counts(&amo), (59, 0, 1, 0));
    let alo = preset_run("at-least-once");
    assert_eq!(counts(&alo), (59, 1, 0, 0));
    assert!(fired(&alo, DUPLICATED).is_some());
    let idem = preset_run("idempotent");
    assert_eq!(counts(&idem), (60, 0, 0, 0));
    assert!(idem.world().durable(DATABASE).unwrap().skipped > 0);
    for p in [
        "log",
        "queue",
        "no-keys",
        "at-most-once",
        "at-least-once",
        "idempotent",
    ] {
        assert!(crate::lab_run::no_safety_violation(&preset_run(p)), "{p}");
    }
}

fn r_fired_none(r: &Run) -> bool {
    r.invariants().iter().all(|i| i.fired_at().is_none())
}

/// Step through a run and report, at each millisecond of a rebalance, how many partitions
/// were paused: given up or being given up (no new fetches), or not yet handed out.
fn unowned_during_rebalance(id: &str) -> (u32, Vec<usize>) {
    let p = preset("streams", id).unwrap();
    let mut r = LabRun::<Streams>::new(&StreamsLab, &p.scenario).unwrap();
    let mut seen = Vec::new();
    let mut t = 1_500 * MS;
    r.run_until(t);
    while t < p.duration_us {
        t += MS;
        r.run_until(t);
        let g = &r.world().durable(COORDINATOR).unwrap().group;
        if g.rebalancing_since.is_some() {
            let paused = (0..4)
                .filter(|&p| g.stop_world || g.owner[p].is_none() || g.owner[p] != g.target[p])
                .count();
            seen.push(paused);
        }
    }
    let g = &r.world().durable(COORDINATOR).unwrap().group;
    (g.rebalances.last().unwrap().3, seen)
}

#[test]
fn eager_rebalancing_stops_every_partition_and_cooperative_only_the_moved_one() {
    // KIP-429: eager revokes everything before reassigning; cooperative revokes only the
    // partitions that move.
    let (moved, eager) = unowned_during_rebalance("eager-rebalance");
    assert_eq!(moved, 1);
    assert_eq!(
        eager.iter().max(),
        Some(&4),
        "at some moment nobody reads anything"
    );
    let (moved, cooperative) = unowned_during_rebalance("cooperative-rebalance");
    assert_eq!(moved, 1);
    assert_eq!(
        cooperative.iter().max(),
        Some(&1),
        "only the moving partition pauses"
    );
    assert!(
        eager.len() > cooperative.len(),
        "the eager rebalance lasts longer"
    );
}

#[test]
fn a_poison_message_is_retried_then_dead_lettered_and_the_rest_flow() {
    let r = preset_run("poison");
    assert_eq!(counts(&r), (59, 0, 0, 1));
    assert_eq!(r.world().durable(COORDINATOR).unwrap().dlq, vec![9]);
    let retries: u32 = (0..4)
        .map(|c| r.world().durable(consumer_node(c)).unwrap().retries)
        .sum();
    assert_eq!(retries, 4, "three retries after the first failure");
    assert!(crate::lab_run::no_safety_violation(&r));
}

#[test]
fn a_log_replays_from_offset_zero_and_a_queue_has_nothing_to_replay() {
    // Kreps et al. 2011, §3.1: the broker keeps messages, so a consumer can rewind.
    let r = preset_run("replay");
    let db = r.world().durable(DATABASE).unwrap();
    assert_eq!(counts(&r), (60, 0, 0, 0));
    assert!(
        db.skipped >= 50,
        "the replay delivered the history again: {}",
        db.skipped
    );
    let mut queue = failscope_labs::build(&scenario(1).with_param("model", 1)).unwrap();
    queue.run_until(SECOND);
    let e = queue
        .apply(Action::Lab {
            verb: "replay".into(),
            args: vec![],
        })
        .expect_err("refused");
    assert!(e.to_string().contains("nothing to replay"), "{e}");
}

#[test]
fn each_deliberate_bug_is_caught_by_its_check() {
    let expect = [
        (NO_LOSS, "never took effect"),
        (ORDER, "which was produced later"),
        (ONCE, "took effect a second time"),
    ];
    for (demo, (check, words)) in StreamsLab.bug_demos().iter().zip(expect) {
        let p = demo.preset_with_bug(&StreamsLab).unwrap();
        let r = run(&p.scenario, p.duration_us);
        let v = r.invariants()[check].status.first_violation.clone();
        let v = v.unwrap_or_else(|| panic!("bug {} not caught", demo.bug));
        assert!(v.detail.contains(words), "{}", v.detail);
    }
}

#[test]
fn the_challenges_are_met_by_the_presets_and_the_bug() {
    let r = preset_run("at-most-once");
    assert_eq!(r.challenges()[0].achieved_at(), fired(&r, LOST));
    let demo = StreamsLab.bug_demos()[2]
        .preset_with_bug(&StreamsLab)
        .unwrap();
    let r = run(&demo.scenario, demo.duration_us);
    assert_eq!(r.challenges()[1].achieved_at(), fired(&r, ONCE));
    assert!(preset_run("idempotent").challenges()[1].achieved.is_none());
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let mut seven = scenario(1);
    seven.n_nodes = 7;
    crate::refused(&seven, "8 to 8 nodes");
    crate::refused(&scenario(1).with_param("partitions", 9), "partitions");
    crate::refused(&scenario(1).with_param(BUG_PARAM, 4), "bug");
    crate::refused(
        &scenario(1).with_param("poison", 70),
        "the poison message is number 70, but only 60 messages are produced",
    );
    let ran = crate::random_settings_never_panic(&StreamsLab, 60, 3 * SECOND);
    assert!(ran > 30, "{ran}");
}

#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::lab_run::presets_replay_exactly(&StreamsLab);
}

#[test]
fn any_setting_changed_mid_run_and_crashing_everything_panic_nothing() {
    crate::lab_run::survives_changes_mid_run(&StreamsLab);
}

/// Random commit timings, idempotence, models and rebalance protocols under random faults
/// (crashes, restarts, pauses, partitions, clock faults), healed and restarted at 3 s.
fn swarm(seed: u64) -> Scenario {
    let mut rng = failscope_sim::rng::Rng::from_seed(seed ^ 0x57e4);
    let mut s = scenario(seed)
        .with_param("model", rng.below(2) as i64)
        .with_param("commit", rng.below(2) as i64)
        .with_param("idempotent", rng.below(2) as i64)
        .with_param("rebalance", rng.below(2) as i64)
        .with_param("consumers", 1 + rng.below(4) as i64);
    s.network.link.duplicate_ppm = rng.below(100_000) as u32;
    crate::swarm::schedule_random_faults(&mut s, &mut rng, 6, 3 * SECOND, |rng, node| {
        Action::Pause {
            node,
            duration_us: rng.range_inclusive(100, 1_000) * MS,
        }
    });
    s
}

#[test]
fn over_200_random_runs_with_faults_no_promise_breaks_and_every_message_is_consumed() {
    let mut broken = Vec::new();
    for seed in 0..200u64 {
        let s = swarm(seed);
        let r = run(&s, 12 * SECOND);
        let (once, twice, lost, dead) = counts(&r);
        if !crate::lab_run::no_safety_violation(&r) {
            broken.push(seed);
        }
        let commit_after = s.params["commit"] == 1;
        if commit_after {
            assert_eq!(lost, 0, "{}", seed_note(seed));
        }
        // Messages lost on the way to a broker (a partition) never entered the log, and a
        // duplicated one entered it twice: count the distinct messages appended.
        let w = r.world();
        let mut appended = std::collections::BTreeSet::new();
        for b in 1..3 {
            let d = w.durable(b).unwrap();
            appended.extend(d.queue.iter().map(|q| q.0.id));
            appended.extend(d.partitions.iter().flatten().map(|r| r.id));
        }
        let appended = appended.len();
        if commit_after && s.params["idempotent"] == 1 {
            let all = (appended as i64, 0, 0);
            assert_eq!((once, twice, dead), all, "{}", seed_note(seed));
        }
    }
    assert!(broken.is_empty(), "seeds that broke a promise: {broken:?}");
}
