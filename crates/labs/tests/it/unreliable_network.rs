//! The unreliable network: a client that sent a request and got no reply cannot tell what
//! happened — the request lost or queued, the server crashed or paused, the reply lost or
//! delayed all look the same from the client (Kleppmann, "Designing Data-Intensive
//! Applications", 2017, ch. 8, "Unreliable Networks"). Retrying after a timeout can apply a
//! side effect twice unless the server recognises the retry; an idempotency key stored with
//! the effect makes it happen once (Helland, "Idempotence Is Not a Medical Condition", ACM
//! Queue 10(4), 2012; Stripe's API, "Idempotent requests").

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::unreliable_network::*;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::network::Latency;
use failscope_sim::rng::Rng;
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};

type Run = LabRun<Rpc>;

const FATES: [&str; 6] = [
    "request-lost",
    "request-delayed",
    "server-crashed",
    "server-paused",
    "response-lost",
    "response-delayed",
];

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run(&UnreliableNetworkLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("unreliable-network", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

fn durable(run: &Run, node: u16) -> &Durable {
    run.world().durable(node).expect("a node")
}

/// The calls each charge was for, on the server.
fn charges(run: &Run) -> Vec<u32> {
    durable(run, 1).charges.clone()
}

#[test]
fn the_six_fates_of_a_call_look_the_same_to_the_client() {
    let runs: Vec<Run> = FATES.iter().map(|id| preset_run(id)).collect();
    let client = |r: &Run| durable(r, 0).history.clone();
    let first = client(&runs[0]);
    let t = |m: i64| runs[0].world().clock(0).unwrap().true_time_of_monotonic(m);
    // Sent at 0.1 s, timed out and given up at 0.6 s: nothing else.
    let seen: Vec<(Time, Saw)> = first.iter().map(|s| (t(s.at_mono), s.saw)).collect();
    assert_eq!(
        seen,
        vec![
            (100 * MS, Saw::Sent),
            (600 * MS, Saw::Timeout),
            (600 * MS, Saw::GaveUp)
        ]
    );
    for (id, r) in FATES.iter().zip(&runs) {
        assert_eq!(client(r), first, "{id}: the client's history differs");
        assert!(crate::lab_run::no_safety_violation(r), "{id}");
    }
    // What really happened differs: whether the server saw the call, and whether it charged.
    let truth: Vec<(bool, usize, usize)> = runs
        .iter()
        .map(|r| {
            let d = durable(r, 1);
            (
                !d.arrivals.is_empty(),
                d.charges.len(),
                durable(r, 0).replies.len(),
            )
        })
        .collect();
    assert_eq!(
        truth,
        vec![
            (false, 0, 0), // request lost
            (true, 1, 1),  // request delayed: charged after the timeout, reply discarded
            (true, 0, 0),  // crashed before processing
            (true, 1, 1),  // paused past the timeout
            (true, 1, 0),  // reply lost
            (true, 1, 1),  // reply delayed
        ]
    );
    assert_eq!(durable(&runs[2], 1).arrivals[0].outcome, Outcome::Lost);
    // The late replies, discarded: at 1.2 s (request held until 1 s, charged at 1.15 s), 1.05 s
    // (server resumed at 1 s) and 1.05 s (reply held until 1 s).
    let late: Vec<Time> = [&runs[1], &runs[3], &runs[5]]
        .iter()
        .map(|r| {
            let reply = durable(r, 0).replies[0];
            assert!(!reply.in_time);
            t(reply.at_mono)
        })
        .collect();
    assert_eq!(late, [1_200 * MS, 1_050 * MS, 1_050 * MS]);
    // Charged behind the client's back: the anomaly, and the challenge, in four of six.
    let behind: Vec<bool> = runs
        .iter()
        .map(|r| {
            let fired = r.invariants()[UNKNOWN].fired_at();
            assert_eq!(r.challenges()[0].achieved_at(), fired);
            fired.is_some()
        })
        .collect();
    assert_eq!(behind, [false, true, false, true, true, true]);
}

#[test]
fn a_retry_without_a_key_charges_twice_and_with_a_key_once() {
    let no_key = preset_run("retry-no-key");
    assert_eq!(charges(&no_key), vec![1, 1]);
    let v = no_key.invariants()[ONCE]
        .status
        .first_violation
        .clone()
        .unwrap();
    assert_eq!(v.time, 750 * MS);
    assert!(
        v.detail.contains("call 1 was charged twice"),
        "{}",
        v.detail
    );
    let keyed = preset_run("retry-with-key");
    assert_eq!(charges(&keyed), vec![1]);
    let d = durable(&keyed, 1);
    assert_eq!(d.keys.len(), 1);
    assert_eq!(
        (d.keys[0].key, d.keys[0].charge, d.keys[0].replays),
        (1, 1, 1)
    );
    assert_eq!(d.arrivals[1].outcome, Outcome::Replayed(1));
    // The client got its answer on the second try, charge #1, either way.
    for r in [&no_key, &keyed] {
        let got: Vec<Saw> = durable(r, 0).history.iter().map(|s| s.saw).collect();
        assert_eq!(got[..3], [Saw::Sent, Saw::Timeout, Saw::Sent]);
        assert!(matches!(got[3], Saw::Reply { .. }));
    }
    assert!(crate::lab_run::no_safety_violation(&keyed));
    // The client got its reply, so it knows it was charged.
    assert!(keyed.invariants()[UNKNOWN].fired_at().is_none());
}

/// Five calls over a lossy, jittery network with random crashes and pauses of either side.
fn swarm(seed: u64, retry: i64, bug: i64) -> Scenario {
    let mut rng = Rng::from_seed(seed ^ 0x0e7);
    let mut s = scenario(seed)
        .with_param("retry", retry)
        .with_param("calls", 5)
        .with_param("attempts", 4)
        .with_param("timeout_ms", 200 + rng.below(300) as i64)
        .with_param(BUG_PARAM, bug);
    s.network.link.latency = Latency::Uniform {
        min_us: 10 * MS,
        max_us: 10 * MS + rng.below(300) * MS,
    };
    s.network.link.loss_ppm = rng.below(300_000) as u32;
    crate::swarm::schedule_random_faults(&mut s, &mut rng, 6, 4 * SECOND, |rng, node| {
        failscope_sim::Action::Pause {
            node,
            duration_us: rng.range_inclusive(100, 1_000) * MS,
        }
    });
    s
}

#[test]
fn over_200_seeds_retries_without_keys_charge_twice_in_some_and_with_keys_never() {
    let (mut doubled, mut keyed_charges) = (0, 0);
    for seed in 0..200u64 {
        let without = run(&swarm(seed, 1, 0), 15 * SECOND);
        doubled += u32::from(without.invariants()[ONCE].fired_at().is_some());
        let with = run(&swarm(seed, 2, 0), 15 * SECOND);
        assert!(
            crate::lab_run::no_safety_violation(&with),
            "{}",
            seed_note(seed)
        );
        keyed_charges += charges(&with).len();
        let at_most_once = run(&swarm(seed, 0, 0), 15 * SECOND);
        assert!(
            crate::lab_run::no_safety_violation(&at_most_once),
            "{}",
            seed_note(seed)
        );
    }
    println!("200 seeds: without keys {doubled} runs charged a call twice; with keys none ({keyed_charges} charges)");
    assert!(doubled > 0 && keyed_charges > 0);
}

#[test]
fn a_server_that_forgets_keys_charges_twice_despite_them() {
    let demo = UnreliableNetworkLab.bug_demos()[0]
        .preset_with_bug(&UnreliableNetworkLab)
        .unwrap();
    let r = run(&demo.scenario, demo.duration_us);
    assert_eq!(charges(&r), vec![1, 1]);
    assert!(durable(&r, 1).keys.iter().all(|k| k.forgotten));
    assert_eq!(r.invariants()[ONCE].fired_at(), Some(750 * MS));
}

#[test]
fn bad_settings_are_refused_and_random_ones_never_panic() {
    let mut three = scenario(1);
    three.n_nodes = 3;
    crate::refused(&three, "2 to 2 nodes");
    crate::refused(&scenario(1).with_param("retry", 3), "");
    crate::refused(&scenario(1).with_param("timeout_ms", 0), "");
    let ran = crate::random_settings_never_panic(&UnreliableNetworkLab, 60, 20 * SECOND);
    assert!(ran > 30, "{ran}");
}

#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::lab_run::presets_replay_exactly(&UnreliableNetworkLab);
}

#[test]
fn any_setting_changed_mid_run_and_crashing_everything_panic_nothing() {
    crate::lab_run::survives_changes_mid_run(&UnreliableNetworkLab);
}
