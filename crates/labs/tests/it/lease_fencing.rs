//! Leases and fencing tokens: the seeds' timeline (shared/seeds, "Lease Expiry During GC
//! Pause" and "Fencing Token": lease at 0 s, pause at 5 s, expiry at 10 s, takeover at 11 s
//! with token 34, the sleeper's write at 12 s with 33), which is Kleppmann's example ("How to
//! do distributed locking", 2016; DDIA ch. 8), including his critique of Redlock: its safety
//! rests on the lock servers' clocks.

use crate::seed_note;
use failscope_labs::lease_fencing::*;
use failscope_labs::preset;
use failscope_sim::action::Action;
use failscope_sim::ids::NodeId;
use failscope_sim::lab::Lab;
use failscope_sim::picture::PictureKind;
use failscope_sim::rng::Rng;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::TraceKind;
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Lease>;

fn run(scenario: &Scenario, until: Time) -> Run {
    let mut run = LabRun::<Lease>::new(&LeaseFencingLab, scenario).expect("valid scenario");
    run.run_until(until);
    run
}

fn preset_run(id: &str) -> Run {
    let p = preset("lease-fencing", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn storage(run: &Run) -> &failscope_labs::fencing::Disk {
    let w = run.world();
    &w.durable(w.n_nodes() - 1).expect("storage").disk
}

fn first_note(run: &Run, containing: &str) -> Option<Time> {
    run.trace().events().iter().find_map(|e| match &e.kind {
        TraceKind::Note { text, .. } if text.contains(containing) => Some(e.time),
        _ => None,
    })
}

fn fired(run: &Run, check: usize) -> bool {
    run.invariants()[check].fired_at().is_some()
}

/// Whole seconds, as the seeds tell the story.
fn second(t: Time) -> Time {
    t / SECOND
}

/// The writes storage received as (second, client, token, taken).
fn writes(run: &Run) -> Vec<(Time, NodeId, u64, bool)> {
    storage(run)
        .log
        .iter()
        .map(|w| (second(w.at), w.author, w.token, w.accepted))
        .collect()
}

/// The seeds' timeline, to the second, with or without fencing.
fn timeline(fencing: bool) -> Run {
    let run = preset_run(if fencing {
        "seeds-timeline-fenced"
    } else {
        "seeds-timeline"
    });
    // 0 s: client 1 takes a 10 s lease with token 33.
    let taken = first_note(&run, "S1 takes the lock with token 33, for 10.000 s").unwrap();
    assert_eq!(second(taken), 0);
    // 5 s to 12 s: client 1 is frozen.
    let pause = run.trace().events().iter().find_map(|e| match e.kind {
        TraceKind::Pause { node: 0, until } => Some((e.time, until)),
        _ => None,
    });
    assert_eq!(pause, Some((5 * SECOND, 12 * SECOND)));
    // 10 s: the lease expires on the lock service.
    let held = run.world().durable(2).unwrap().lock.history[0];
    let clock = run.world().clock(2).unwrap();
    assert_eq!((held.client, held.token), (0, 33));
    assert_eq!(
        second(clock.true_time_of_monotonic(held.to_mono.unwrap())),
        10
    );
    // 11 s: client 2 takes the lock with token 34 and writes.
    let takeover = first_note(&run, "S2 takes the lock with token 34").unwrap();
    assert_eq!(second(takeover), 11);
    let w = writes(&run);
    assert!(w.contains(&(11, 1, 34, true)), "{w:?}");
    // 12 s: client 1 wakes, still sure of its lease, and writes with 33.
    let late = w.iter().find(|x| x.1 == 0 && x.0 >= 5).copied().unwrap();
    assert_eq!((late.0, late.2), (12, 33));
    // Nothing of client 1's between the pause and its late write.
    assert!(!w.iter().any(|x| x.1 == 0 && (5..12).contains(&x.0)));
    run
}

#[test]
fn the_seeds_timeline_without_fencing_corrupts_storage() {
    let run = timeline(false);
    let late = writes(&run)
        .into_iter()
        .find(|x| x.1 == 0 && x.0 == 12)
        .unwrap();
    assert!(late.3, "storage takes the stale write");
    assert_eq!(storage(&run).interleaved, 1);
    assert!(fired(&run, ONE_WRITER) && fired(&run, TWO_HOLDERS));
    assert!(first_note(&run, "stale token").is_none());
}

#[test]
fn the_seeds_timeline_with_fencing_refuses_33_after_34() {
    let run = timeline(true);
    let late = writes(&run)
        .into_iter()
        .find(|x| x.1 == 0 && x.0 == 12)
        .unwrap();
    assert!(!late.3, "storage refuses the stale write");
    let refused = first_note(&run, "storage refused S1's write: stale token 33 < 34").unwrap();
    assert_eq!(second(refused), 12);
    assert_eq!(storage(&run).interleaved, 0);
    assert!(!fired(&run, ONE_WRITER) && !fired(&run, FENCED_STORAGE));
    assert!(fired(&run, TWO_HOLDERS), "fencing does not stop the belief");
}

#[test]
fn the_lease_picture_shows_the_expired_lease_client_1_still_believed_in() {
    let run = preset_run("seeds-timeline");
    let pictures = run.pictures();
    let PictureKind::Lanes(lanes) = &pictures.iter().find(|p| p.id == "leases").unwrap().kind
    else {
        panic!("lanes");
    };
    let s1: Vec<(Time, Option<Time>, &str, bool)> = lanes.lanes[0]
        .spans
        .iter()
        .map(|s| (s.start, s.end, s.label.as_str(), s.highlight))
        .collect();
    assert_eq!(s1[0].2, "held, token 33");
    assert_eq!(second(s1[0].0), 0);
    assert_eq!(second(s1[0].1.unwrap()), 10);
    assert_eq!(s1[1].2, "believed held, expired");
    assert!(s1[1].3);
    assert_eq!(second(s1[1].1.unwrap()), 12);
    assert_eq!(lanes.lanes[1].spans[0].label, "held, token 34");
}

#[test]
fn a_slow_clock_and_a_clock_stepped_back_make_a_client_act_on_an_expired_lease() {
    for id in ["clock-drift", "clock-jump"] {
        let run = preset_run(id);
        assert!(fired(&run, ONE_WRITER) && fired(&run, TWO_HOLDERS), "{id}");
        assert!(storage(&run).interleaved > 0, "{id}");
    }
    let run = preset_run("clock-jump-monotonic");
    assert!(!fired(&run, ONE_WRITER) && !fired(&run, TWO_HOLDERS));
    assert_eq!(
        second(first_note(&run, "S1's clock says its lease is over").unwrap()),
        10
    );
}

#[test]
fn neither_clock_survives_the_pause() {
    for clock in [0, 1] {
        let scenario = seeds_timeline(false).with_param("lease_clock", clock);
        let run = run(&scenario, 14 * SECOND);
        assert_eq!(storage(&run).interleaved, 1, "lease clock {clock}");
    }
}

#[test]
fn redlock_with_jumps_on_a_majority_gives_two_holders_and_fencing_still_protects() {
    let run = preset_run("redlock");
    let both = run.invariants()[TWO_HOLDERS].fired_at().unwrap();
    assert!(both > 3 * SECOND && both < 4 * SECOND, "{both}");
    assert!(storage(&run).interleaved > 0);
    let run = preset_run("redlock-fenced");
    assert!(fired(&run, TWO_HOLDERS));
    assert!(first_note(&run, "stale token 33 < 34").is_some());
    assert_eq!(storage(&run).interleaved, 0);
}

/// Three clients contending for a 2 s lease, and one to three pauses of random clients.
fn random_pauses(seed: u64, fencing: bool) -> Scenario {
    let mut rng = Rng::from_seed(seed ^ 0x1ea5e);
    let mut s = scenario(seed, 1, fencing)
        .with_param("ttl_ms", 2_000)
        .with_param("work_ms", 300)
        .with_param("retry_ms", 300)
        .with_param("start_every_ms", 500);
    s.n_nodes = 5;
    for _ in 0..1 + rng.below(3) {
        let node = rng.below(3) as NodeId;
        let at = rng.below(8_000) * MS;
        let duration_us = (500 + rng.below(3_500)) * MS;
        s = s.with_fault(at, Action::Pause { node, duration_us });
    }
    s
}

#[test]
fn over_200_seeds_of_random_pauses_only_fencing_keeps_mutual_exclusion_at_storage() {
    let (mut violated, mut refused) = (0, 0);
    for seed in 1..=200 {
        let open = run(&random_pauses(seed, false), 12 * SECOND);
        violated += u64::from(storage(&open).interleaved > 0);
        assert_eq!(
            storage(&open).interleaved > 0,
            fired(&open, ONE_WRITER),
            "{}",
            seed_note(seed)
        );
        let fenced = run(&random_pauses(seed, true), 12 * SECOND);
        let tokens: Vec<u64> = storage(&fenced)
            .log
            .iter()
            .filter(|w| w.accepted)
            .map(|w| w.token)
            .collect();
        assert!(
            tokens.windows(2).all(|w| w[0] <= w[1]),
            "{}",
            seed_note(seed)
        );
        assert!(
            !fired(&fenced, ONE_WRITER) && !fired(&fenced, FENCED_STORAGE),
            "{}",
            seed_note(seed)
        );
        refused += storage(&fenced).rejected;
    }
    println!("random pauses: mutual exclusion violated at storage in {violated} of 200 seeds without fencing, 0 with ({refused} stale writes refused)");
    assert!(violated > 0 && violated < 200, "{violated}");
}

#[test]
fn the_challenge_is_met_by_the_seeds_timeline_without_fencing() {
    let run = preset_run("seeds-timeline");
    let challenge = run.challenges().into_iter().next().unwrap();
    let at = challenge.achieved.expect("achieved").time;
    assert_eq!(second(at), 12);
    let fenced = preset_run("seeds-timeline-fenced");
    assert!(fenced.challenges()[0].achieved.is_none());
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let too_few = LeaseFencingLab
        .default_scenario(1)
        .with_param("lock_servers", 5);
    let err = failscope_labs::build(&too_few)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("at least 8 servers"), "{err}");
    let huge = LeaseFencingLab.default_scenario(1).with_param("ttl_ms", 0);
    assert!(failscope_labs::build(&huge).is_err());
}

/// Swarm: crashes (storage and the lock service included), restarts, pauses, partitions and
/// clock jumps; fenced storage never takes a lower token, and nothing panics.
#[test]
fn random_faults_never_get_a_stale_token_past_fenced_storage() {
    let mut taken = 0;
    for seed in 0..100u64 {
        let mut rng = Rng::from_seed(seed);
        let mut s = random_pauses(seed, true);
        s.faults.clear();
        crate::swarm::schedule_random_faults(&mut s, &mut rng, 12, 8 * SECOND, |rng, node| {
            Action::ClockJump {
                node,
                delta_us: rng.range_inclusive(0, 6_000_000) as i64 - 3_000_000,
            }
        });
        let run = run(&s, 10 * SECOND);
        assert!(!fired(&run, FENCED_STORAGE), "{}", seed_note(seed));
        taken += storage(&run).accepted;
    }
    assert!(taken > 100 * 5, "clients do write: {taken}");
}

/// Every preset replays to the same trace, and seeking back and forth shows the same state.
#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    for p in LeaseFencingLab.presets() {
        let a = run(&p.scenario, p.duration_us);
        let mut b = run(&p.scenario, p.duration_us);
        assert_eq!(a.trace().hash(), b.trace().hash(), "{}", p.id);
        let end = format!("{:?}", b.pictures());
        b.seek(p.duration_us / 2);
        b.seek(p.duration_us);
        assert_eq!(format!("{:?}", b.pictures()), end, "{}", p.id);
    }
}
