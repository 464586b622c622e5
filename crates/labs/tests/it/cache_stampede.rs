//! Cache stampedes and their cures. The herd and the lock are folklore of every cache
//! (memcached's FAQ, Facebook's leases in Nishtala et al., "Scaling Memcache at Facebook",
//! NSDI 2013, §3.2.1); XFetch is Vattani, Chierichetti and Lowenstein, "Optimal Probabilistic
//! Cache Stampede Prevention", VLDB 2015: recompute early when `now − δ·β·ln(rand()) ≥
//! expiry`, which keeps the expected number of recomputations per expiry near one however
//! many clients read. The write policies are the textbook three (Hennessy and Patterson,
//! ch. 2, for write-through and write-back).

use crate::seed_note;
use failscope_labs::cache_stampede::*;
use failscope_labs::preset;
use failscope_sim::action::Action;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Stampede>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run(&CacheStampedeLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("cache-stampede", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn state(run: &Run, node: u16) -> &Stampede {
    run.world().node_state(node).expect("a node that is up")
}

/// Recomputations the database finished in each TTL period.
fn per_period(run: &Run) -> Vec<u32> {
    state(run, DATABASE).per_period.clone()
}

fn peak_load(run: &Run) -> i64 {
    state(run, DATABASE)
        .load
        .iter()
        .map(|l| l.1 + l.2)
        .max()
        .unwrap_or(0)
}

fn apps(run: &Run) -> Vec<&Stampede> {
    (FIRST_APP..run.world().n_nodes())
        .filter_map(|n| run.world().node_state(n))
        .collect()
}

fn p99_ms(run: &Run) -> u64 {
    let mut histogram = vec![0u32; 2_001];
    for a in apps(run) {
        for (i, &c) in a.latency_ms.iter().enumerate() {
            histogram[i] += c;
        }
    }
    Stampede::p99_ms(&histogram)
}

fn stale(run: &Run) -> u64 {
    apps(run).iter().map(|a| a.stale_served).sum()
}

fn fired(run: &Run, check: usize) -> Option<Time> {
    run.invariants()[check]
        .status
        .first_violation
        .as_ref()
        .map(|v| v.time)
        .or(run.invariants()[check]
            .status
            .observed
            .as_ref()
            .map(|v| v.time))
}

/// XFetch's recomputations per TTL period over `seeds` runs of 20 s with `clients`.
fn xfetch_per_ttl(clients: i64, seeds: u64) -> (f64, u64) {
    let mut total = 0;
    let mut periods = 0;
    let mut early = 0;
    for seed in 1..=seeds {
        let s = scenario(seed)
            .with_param("strategy", 2)
            .with_param("clients", clients);
        let r = run(&s, 20 * SECOND);
        let p = per_period(&r);
        // Every full period (the first holds the warm start's expiry only if no one renewed).
        total += p.iter().take(10).map(|&c| u64::from(c)).sum::<u64>();
        periods += 10;
        early += apps(&r).iter().map(|a| a.early).sum::<u64>();
    }
    (total as f64 / periods as f64, early)
}

fn no_safety_violation(run: &Run) -> bool {
    crate::lab_run::no_safety_violation(run)
}

/// The herd at the first expiry: run to just before the second one could come.
fn herd(seed: u64, clients: i64) -> (u64, f64) {
    let s = scenario(seed)
        .with_param("clients", clients)
        .with_param("db_slots", 32);
    let r = run(&s, 3_900 * MS);
    let recomputes = state(&r, DATABASE).recomputes;
    // Reads reach the cache at `clients` a second; every one that arrives between the
    // first miss and the regenerated value's Set misses: δ plus four 1 ms hops.
    let expected = 1.0 + clients as f64 * (100.0 + 4.0) / 1_000.0;
    (recomputes, expected)
}

#[test]
fn with_no_protection_the_recomputations_at_expiry_are_the_reads_arriving_within_delta() {
    for clients in [100, 1_000] {
        let (mut got, mut want) = (0, 0.0);
        for seed in 1..=3 {
            let (g, w) = herd(seed, clients);
            got += g;
            want += w;
        }
        let ratio = got as f64 / want;
        assert!(
            (0.8..=1.2).contains(&ratio),
            "{clients} clients: {got} recomputations over 3 expiries, {want:.0} expected"
        );
    }
}

#[test]
fn a_lock_or_stale_while_revalidate_recompute_once_per_expiry_and_coalescing_once_per_server() {
    for seed in 1..=5 {
        for (strategy, per_expiry) in [(1, 1), (3, 1), (4, 3)] {
            let r = run(&scenario(seed).with_param("strategy", strategy), 5 * SECOND);
            let p = per_period(&r);
            assert_eq!(
                p.first(),
                Some(&0),
                "strategy {strategy}; {}",
                seed_note(seed)
            );
            // The key expires at 2 s, and (renewed at about 2.1 s) again at about 4.1 s.
            assert_eq!(
                &p[1..],
                &[per_expiry, per_expiry],
                "strategy {strategy}; {}",
                seed_note(seed)
            );
            assert!(
                no_safety_violation(&r),
                "strategy {strategy}; {}",
                seed_note(seed)
            );
        }
    }
    // Against the herd on the same seed: 23 recomputations at the first expiry.
    assert!(per_period(&preset_run("herd"))[1] > 15);
    // Stale-while-revalidate pays in stale answers (about δ's worth of reads per expiry,
    // 44 in all), the lock in waiting.
    assert!(stale(&preset_run("stale-while-revalidate")) > 20);
    assert_eq!(stale(&preset_run("lock")), 0);
}

#[test]
fn xfetch_keeps_recomputations_per_ttl_bounded_as_the_fleet_grows() {
    let (small, _) = xfetch_per_ttl(10, 3);
    let (medium, _) = xfetch_per_ttl(100, 3);
    let (large, early) = xfetch_per_ttl(1_000, 3);
    // Ten times the clients, ten times the herd without protection; with XFetch a few per
    // TTL however many read (measured: 1.5, 2.8 and 3.0), almost all of them early.
    assert!((1.0..2.0).contains(&small), "10 clients: {small}");
    assert!(medium < 3.5 && large < 3.5, "100: {medium}, 1,000: {large}");
    assert!(large < medium * 1.3, "100: {medium}, 1,000: {large}");
    assert!(
        early as f64 >= large * 30.0 * 0.9,
        "{early} early of {large}/TTL"
    );
    // And readers never wait for a recomputation: every read is a cache hit's round trip.
    let r = preset_run("xfetch-fleet");
    assert_eq!(p99_ms(&r), 2);
    assert!(peak_load(&preset_run("herd")) > 4 * 4);
}

#[test]
fn a_crashed_lock_holder_keeps_everyone_waiting_until_the_lock_expires() {
    let crash = preset_run("lock-holder-crash");
    let lock = preset_run("lock");
    // S4 took the lock at 2 s and crashed; the lock lasts 500 ms.
    assert!(p99_ms(&crash) >= 450, "{}", p99_ms(&crash));
    assert!(p99_ms(&lock) < 150, "{}", p99_ms(&lock));
    // Two recomputations: the dead holder's (the database finishes it for nobody) and the next holder's.
    assert_eq!(per_period(&crash)[1], 2);
    assert!(no_safety_violation(&crash));
}

#[test]
fn write_behind_loses_exactly_the_dirty_writes_and_write_through_loses_none() {
    let r = preset_run("write-behind-crash");
    let cache = r.world().durable(CACHE).expect("the cache");
    let writer = r.world().durable(4).expect("the writer");
    let db = r.world().durable(DATABASE).expect("the database");
    let dirty = cache.cache_acked - cache.cache_flushed;
    assert_eq!(dirty, 1, "one write acknowledged since the flush at 2 s");
    assert_eq!(writer.acked - db.db_version, dirty);
    assert!(fired(&r, WRITES_REACH_DB).is_some_and(|t| t >= 2_250 * MS));
    // The same crash under write-through: every acknowledged write is in the database.
    let p = preset("cache-stampede", "write-behind-crash").expect("preset");
    let through = run(
        &p.scenario.clone().with_param("write_policy", 1),
        p.duration_us,
    );
    let writer = through.world().durable(4).expect("the writer");
    assert!(writer.acked >= 7);
    assert_eq!(
        through.world().durable(DATABASE).expect("db").db_version,
        writer.acked
    );
    assert_eq!(fired(&through, WRITES_REACH_DB), None);
}

#[test]
fn cache_aside_serves_stale_reads_after_a_write_and_write_through_does_not() {
    assert!(fired(&preset_run("cache-aside"), STALE_READ).is_some());
    assert_eq!(fired(&preset_run("write-through"), STALE_READ), None);
}

#[test]
fn the_regeneration_check_fires_on_each_bug_and_on_a_lock_shorter_than_delta() {
    for (preset_id, bug) in [("lock", 1), ("coalescing", 2)] {
        let p = preset("cache-stampede", preset_id).expect("preset");
        let clean = run(&p.scenario, p.duration_us);
        assert!(no_safety_violation(&clean), "{preset_id}");
        let broken = run(
            &p.scenario.clone().with_param(BUG_PARAM, bug),
            p.duration_us,
        );
        let at = fired(&broken, ONE_REGENERATION).expect("the check fires");
        assert!((2 * SECOND..2_200 * MS).contains(&at), "{preset_id}: {at}");
    }
    // No bug: a lock that expires before the recomputation ends lets a second server in.
    let short = scenario(1)
        .with_param("strategy", 1)
        .with_param("lock_ttl_ms", 50);
    let r = run(&short, 3 * SECOND);
    assert!(fired(&r, ONE_REGENERATION).is_some());
    let lost = preset_run("write-behind-crash");
    assert_eq!(
        lost.challenges()[0].achieved_at(),
        fired(&lost, WRITES_REACH_DB)
    );
}

#[test]
fn no_seed_breaks_a_safety_check_in_a_preset() {
    for p in CacheStampedeLab.presets() {
        for seed in 1..=8 {
            let mut s = p.scenario.clone();
            s.seed = seed;
            let r = run(&s, p.duration_us);
            assert!(no_safety_violation(&r), "{}; {}", p.id, seed_note(seed));
        }
    }
}

#[test]
fn a_thousand_clients_stay_within_a_bounded_number_of_events() {
    let s = scenario(1)
        .with_param("clients", 1_000)
        .with_param("read_every_ms", 100)
        .with_param("recompute_ms", 1);
    let mut sim = failscope_labs::build(&s).expect("valid");
    sim.run_until(SECOND);
    // 10,000 reads a second, a handful of events each.
    assert!(sim.trace().len() < 100_000, "{}", sim.trace().len());
}

#[test]
fn presets_replay_exactly_and_survive_bad_input_mid_run() {
    crate::lab_run::presets_replay_exactly(&CacheStampedeLab);
    crate::lab_run::survives_changes_mid_run(&CacheStampedeLab);
    // Every app server crashed at once: reads stop, nothing panics, the cache keeps its value.
    let mut sim = failscope_labs::build(&scenario(1)).expect("valid");
    sim.run_until(SECOND);
    for node in FIRST_APP..5 {
        sim.apply(Action::Crash { node }).expect("crash");
    }
    assert!(sim.apply(Action::Crash { node: 2 }).is_err());
    sim.run_until(3 * SECOND);
}
