//! The failure-detection lab (once the heartbeat lab): its pictures tell the same story as
//! its checks; old heartbeat links still open and replay; and the reference results of
//! Chandra and Toueg (1996) and Hayashibara et al. (2004).

use failscope_labs::failure_detection::detector::{Kind, Setting, Window};
use failscope_labs::failure_detection::{
    FailureDetectionLab, Heartbeat, ACCURACY, BOUNDED, COMPLETENESS, LAB_ID,
};
use failscope_labs::{build, preset};
use failscope_sim::lab::Lab;
use failscope_sim::picture::PictureKind;
use failscope_sim::run::LabRun;
use failscope_sim::time::{MS, SECOND};
use failscope_sim::Simulation;

fn suspicion_bars(sim: &dyn Simulation) -> Vec<(String, i64, bool)> {
    let pictures = sim.pictures();
    let picture = pictures
        .iter()
        .find(|p| p.id == "suspicions")
        .expect("the lab draws its suspicions");
    let PictureKind::Bars(bars) = &picture.kind else {
        panic!("suspicions are bars");
    };
    bars.bars
        .iter()
        .map(|b| (b.label.clone(), b.value, b.highlight))
        .collect()
}

#[test]
fn a_false_suspicion_is_highlighted_when_strong_accuracy_fires() {
    let gc = preset("failure-detection", "gc-pause").expect("preset");
    let mut sim = build(&gc.scenario).expect("valid");
    sim.run_until(gc.duration_us);
    let violation = sim.invariants()[ACCURACY]
        .status
        .first_violation
        .clone()
        .expect("a paused node is suspected while it is up");
    // At the violation, the picture highlights the paused server S2 and nobody else...
    sim.seek(violation.time);
    let bars = suspicion_bars(sim.as_ref());
    let highlighted: Vec<&str> = bars.iter().filter(|b| b.2).map(|b| b.0.as_str()).collect();
    assert_eq!(highlighted, ["S2"], "{bars:?}");
    // ...and before the pause nobody is suspected at all.
    sim.seek(violation.time / 2);
    assert!(suspicion_bars(sim.as_ref())
        .iter()
        .all(|b| b.1 == 0 && !b.2));
}

#[test]
fn a_crashed_server_is_suspected_by_every_peer_and_not_highlighted() {
    let crash = preset("failure-detection", "crash").expect("preset");
    let mut sim = build(&crash.scenario).expect("valid");
    sim.run_until(crash.duration_us);
    let bars = suspicion_bars(sim.as_ref());
    let s3 = bars.iter().find(|b| b.0 == "S3").expect("S3");
    assert_eq!(s3.1, 4, "all four peers suspect the crashed S3");
    assert!(
        !s3.2,
        "suspecting a crashed server is right, not highlighted"
    );
}

/// A share link made on main on 2026-12-02, before the rename: the heartbeat lab's gc-pause
/// preset with six actions taken (`link.rs`'s `session("heartbeat", "gc-pause", 6)`), and
/// the hash and length of its trace at 2 s then.
const OLD_LINK: &str = "1.nZPdTvMwDIbvJcdFIl37bV9vBU1VSLwRliaVkwxQ1XvHSbsWCgKJHtU_7xPbiQfmJViB2rFmYFdAr51lDS-YEY-sYU8gMDyCCKxgHkCxpiyYba1T4FlTF6wXKDr6HUbyQ3hxeEmkjhJIjiCM9kFLkhttc8iIAFa-pd9o9clhlwXatpE4_J6-gnXidTJrMkdiG-d92_eUS1EVe6MlcRYPgkMFONtJII0GG1JlVO9iUGp4okLa23n1dN7s_Hhq8uoOXAxrYclp2wu8-Twjak9NR9ZzUIq1yt8bXfvczW0GgWcIaXLCKtexKQNBaQQZppH74PpWTFXZaAzJTiKaFH0YmNiUK2TIVzrQVUUPeR75cniaI4oUzYoqC8ZxPN5ECxCuND1S_C9u-N3-Z_j9Bl7O7OIjr-YLb19teNI4eWmfY9evUHp6CkwQWXHHvyEe6oXIOf9SIgZ9M87oYp8afKiOxy2G838rpzp84qSVMGyTX62T4Yf621YU6lNYe9nR6qR3wr82wfcrrSzLvw36mFYgonc4zXfmXDW8ZAqCz-_sLO8mIr2rPi94PY7v";
const OLD_TRACE: (u64, usize) = (0xf288_8322_2f4d_75e0, 3_263);

#[test]
fn an_old_heartbeat_link_opens_this_lab_and_replays_the_same_run() {
    let run = failscope_labs::decode_link(OLD_LINK).expect("the old link opens");
    assert_eq!(run.scenario.lab, LAB_ID, "it opens under today's id");
    assert_eq!(run.view.preset.as_deref(), Some("gc-pause"));
    let mut sim = build(&run.scenario).expect("valid");
    sim.run_until(2 * SECOND);
    assert_eq!((sim.trace().hash(), sim.trace().len()), OLD_TRACE);
    // A scenario file or an address naming the old id finds the lab too.
    let old = failscope_sim::Scenario::new("heartbeat", 1, 5);
    let mut by_old_id = build(&old).expect("the old id builds");
    let mut by_id = build(&failscope_labs::bench::failure_detection_scenario()).unwrap();
    by_old_id.run_until(SECOND);
    by_id.run_until(SECOND);
    assert_eq!(by_old_id.trace().hash(), by_id.trace().hash());
    assert!(preset("heartbeat", "crash").is_some());
    assert!(failscope_labs::find("heartbeat").is_some_and(|l| l.id() == LAB_ID));
}

/// Completeness (Chandra and Toueg 1996, §2.2), in its bounded form: on a network with
/// jitter and loss, a crashed node is suspected by every node that is up by the first check
/// after its silence passes the detector's limit, for each detector and many seeds.
#[test]
fn a_crashed_node_is_suspected_by_everyone_within_the_detectors_bound() {
    for detector in 0..3 {
        for seed in 0..12 {
            let mut s = FailureDetectionLab
                .default_scenario(seed)
                .with_param("detector", detector)
                .with_fault(3 * SECOND, failscope_sim::Action::Crash { node: 2 });
            s.network.link.latency = failscope_sim::network::Latency::Uniform {
                min_us: MS,
                max_us: 30 * MS,
            };
            s.network.link.loss_ppm = 10_000;
            let mut sim = LabRun::<Heartbeat>::new(&FailureDetectionLab, &s).unwrap();
            sim.run_until(5 * SECOND);
            let inv = sim.invariants();
            let note = crate::seed_note(seed);
            assert!(inv[BOUNDED].status.first_violation.is_none(), "{note}");
            let at = inv[COMPLETENESS]
                .status
                .observed_at()
                .unwrap_or_else(|| panic!("detector {detector}: never complete; {note}"));
            // The largest limit the nodes applied to S3 (its window stopped changing at the
            // crash), plus one beat (the checks' cadence) and the largest latency (the last
            // answer may still have been on its way).
            let limit = (0..5)
                .filter(|&n| n != 2)
                .filter_map(|n| sim.world().node_state(n)?.limit(2))
                .max()
                .expect("nodes up") as u64;
            let bound = limit + 50 * MS + 30 * MS;
            assert!(
                at - 3 * SECOND <= bound,
                "detector {detector}: {} after the crash, bound {bound}; {note}",
                at - 3 * SECOND
            );
        }
    }
}

/// Raising the threshold never lowers the detection time and never raises the false
/// suspicions (Chen, Toueg and Aguilera 2002 frame the trade-off; Hayashibara et al. 2004,
/// §5, measure it for phi): the dilemma preset over a batch of seeds, every rung of S1's
/// shadow bank summed, for the fixed timeout and for phi.
#[test]
fn raising_the_threshold_trades_detection_time_for_fewer_false_suspicions() {
    for detector in [0, 2] {
        let dilemma = preset(LAB_ID, "dilemma").unwrap();
        let mut sums: Vec<(u64, u64, u64)> = Vec::new();
        for seed in 0..4 {
            let mut s = dilemma.scenario.clone().with_param("detector", detector);
            s.seed = seed;
            let mut sim = LabRun::<Heartbeat>::new(&FailureDetectionLab, &s).unwrap();
            sim.run_until(dilemma.duration_us);
            let tallies = &sim.world().node_state(0).unwrap().records().unwrap().tally;
            sums.resize(tallies.len(), (0, 0, 0));
            for (sum, t) in sums.iter_mut().zip(tallies) {
                sum.0 += u64::from(t.detections);
                sum.1 += t.detection_us;
                sum.2 += u64::from(t.false_suspicions);
            }
        }
        let means: Vec<u64> = sums.iter().map(|s| s.1 / s.0.max(1)).collect();
        let falses: Vec<u64> = sums.iter().map(|s| s.2).collect();
        assert!(sums.iter().all(|s| s.0 > 0), "every rung detects: {sums:?}");
        for w in means.windows(2) {
            assert!(w[1] + MS >= w[0], "detection time fell: {means:?}");
        }
        for w in falses.windows(2) {
            assert!(w[1] <= w[0] + 1, "false suspicions rose: {falses:?}");
        }
        assert!(falses[0] > falses[falses.len() - 1], "{falses:?}");
        assert!(means[0] < means[means.len() - 1], "{means:?}");
    }
}

/// Hayashibara et al. 2004, §3: with normally distributed inter-arrival times, suspecting at
/// φ = Φ is wrong with probability about 10^−Φ per heartbeat. Heartbeats every 100 ms with a
/// 10 ms deviation, fitted over a sliding window of 200.
#[test]
fn phi_is_wrong_about_ten_to_the_minus_phi_of_the_time() {
    let mut rng = failscope_sim::rng::Rng::from_seed(2004);
    let mut normal = move || {
        let u1 = (rng.below(1 << 52) + 1) as f64 / (1u64 << 52) as f64;
        let u2 = rng.below(1 << 52) as f64 / (1u64 << 52) as f64;
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    };
    let samples: Vec<u64> = (0..120_000)
        .map(|_| (100_000.0 + 10_000.0 * normal()) as u64)
        .collect();
    for phi_tenths in [10, 20, 30] {
        let setting = Setting::new(Kind::Phi, phi_tenths);
        let mut window = Window::new(200);
        let (mut checks, mut wrong) = (0u64, 0u64);
        for (i, &gap) in samples.iter().enumerate() {
            if i >= 200 {
                checks += 1;
                if gap > setting.limit_us(&window, u64::MAX, 0.0) {
                    wrong += 1;
                }
            }
            window.push(gap);
        }
        let rate = wrong as f64 / checks as f64;
        let want = libm::pow(10.0, -(phi_tenths as f64) / 10.0);
        assert!(
            rate > want * 0.6 && rate < want * 1.6,
            "φ = {}: wrong {rate} of the time, expected about {want}",
            phi_tenths / 10
        );
    }
}

#[test]
fn a_broken_detector_is_caught() {
    // Bug 1 suspects live peers (strong accuracy); bug 2 never suspects the crashed one
    // (suspected within the bound). The shared bug-demo test runs both; here, their details.
    let crash = preset(LAB_ID, "crash").unwrap();
    let mut wrong_unit = build(&crash.scenario.clone().with_param("bug", 1)).unwrap();
    wrong_unit.run_until(crash.duration_us);
    assert!(wrong_unit.invariants()[ACCURACY]
        .status
        .first_violation
        .is_some());
    let mut pinging = build(&crash.scenario.clone().with_param("bug", 2)).unwrap();
    pinging.run_until(crash.duration_us);
    let v = pinging.invariants()[BOUNDED]
        .status
        .first_violation
        .clone()
        .expect("bounded completeness fires");
    assert!(v.detail.contains("S3"), "{}", v.detail);
    assert!(pinging.invariants()[COMPLETENESS]
        .status
        .observed_at()
        .is_none());
}

#[test]
fn bad_settings_are_refused_in_the_fields_words() {
    let base = FailureDetectionLab.default_scenario(1);
    crate::refused(
        &base
            .clone()
            .with_param("gc_every_ms", 100)
            .with_param("gc_pause_ms", 400),
        "GC pause every",
    );
    let mut big = base.with_param("detector", 2).with_param("window", 1_000);
    big.n_nodes = 64;
    crate::refused(&big, "shorter window");
    assert!(crate::random_settings_never_panic(&FailureDetectionLab, 12, SECOND) > 0);
}

#[test]
fn presets_replay_exactly_and_survive_bad_input_mid_run() {
    crate::lab_run::presets_replay_exactly(&FailureDetectionLab);
    crate::lab_run::survives_changes_mid_run(&FailureDetectionLab);
}

#[test]
fn the_pictures_show_phi_gaps_suspicions_and_the_dilemma() {
    let phi = preset(LAB_ID, "phi-accrual").unwrap();
    let mut sim = build(&phi.scenario).unwrap();
    sim.run_until(phi.duration_us);
    let pictures = sim.pictures();
    let ids: Vec<&str> = pictures.iter().map(|p| p.id).collect();
    assert_eq!(
        ids,
        [
            "suspicions",
            "view",
            "inter-arrivals",
            "suspicion-lanes",
            "dilemma"
        ]
    );
    let PictureKind::TimeSeries(view) = &pictures[1].kind else {
        panic!("φ over time is a time series")
    };
    assert_eq!(view.threshold.as_ref().map(|t| t.0), Some(800));
    assert!(
        view.series[0].points.iter().any(|p| p.1 > 800),
        "φ passes 8 when S2 crashes"
    );
    assert!(view.marks.iter().any(|m| m.label.contains("had crashed")));
    let PictureKind::Xy(gaps) = &pictures[2].kind else {
        panic!("histogram")
    };
    let (columns, fit) = (&gaps.series[0].points, &gaps.series[1].points);
    assert_eq!(columns.len(), failscope_labs::failure_detection::BUCKETS);
    let most = columns.iter().max_by_key(|p| p.y).unwrap();
    assert!(most.label.contains("ms"), "{}", most.label);
    // The fitted curve peaks where the heartbeats cluster (within two buckets of the mean
    // gap heard), and holds about as many heartbeats as were heard.
    let top = fit.iter().max_by_key(|p| p.y).unwrap();
    let bucket = columns[1].x - columns[0].x;
    let inside = &columns[..columns.len() - 1];
    let mean_gap = inside.iter().map(|p| (p.x + bucket / 2) * p.y).sum::<i64>()
        / inside.iter().map(|p| p.y).sum::<i64>().max(1);
    assert!(
        (top.x - mean_gap).abs() <= 2 * bucket,
        "fit peaks at {}, the mean gap is {mean_gap}",
        top.x
    );
    let heard: i64 = columns.iter().map(|p| p.y).sum();
    let fitted: i64 = fit.iter().step_by(4).map(|p| p.y).sum();
    assert!(
        (fitted - heard).abs() * 10 < heard,
        "fit {fitted} vs heard {heard}"
    );
}

fn achieved(sim: &dyn Simulation, id: &str) -> Option<failscope_sim::challenge::Achievement> {
    sim.challenges()
        .into_iter()
        .find(|c| c.spec.id == id)
        .unwrap_or_else(|| panic!("no challenge {id}"))
        .achieved
}

#[test]
fn everyone_notices_a_crash_and_nobody_escapes_without_the_bug() {
    // Possible: the crash preset achieves it when completeness is observed, exactly under seek.
    let crash = preset(LAB_ID, "crash").unwrap();
    let mut sim = build(&crash.scenario).unwrap();
    sim.run_until(crash.duration_us);
    let done = achieved(sim.as_ref(), "everyone-notices").expect("achieved");
    let observed = sim.invariants()[COMPLETENESS]
        .status
        .observed
        .clone()
        .unwrap();
    assert_eq!(
        (done.time, done.trace_index),
        (observed.time, observed.trace_index)
    );
    sim.seek(done.time - 1);
    assert_eq!(achieved(sim.as_ref(), "everyone-notices"), None);
    sim.seek(crash.duration_us);
    assert_eq!(achieved(sim.as_ref(), "everyone-notices"), Some(done));
    // Impossible: random crashes, pauses, partitions and clock faults on a rough network
    // never let a crashed node go unsuspected past the bound...
    for seed in 0..24 {
        let mut rng = failscope_sim::rng::Rng::from_seed(seed);
        let mut s = FailureDetectionLab
            .default_scenario(seed)
            .with_param("detector", (seed % 3) as i64)
            .with_param("gc_every_ms", 2_000);
        s.network.link.latency = failscope_sim::network::Latency::Uniform {
            min_us: MS,
            max_us: 40 * MS,
        };
        s.network.link.loss_ppm = 20_000;
        crate::swarm::schedule_random_faults(&mut s, &mut rng, 8, 2 * SECOND, |_, node| {
            failscope_sim::Action::Crash { node }
        });
        let mut sim = build(&s).unwrap();
        sim.run_until(3 * SECOND);
        assert_eq!(
            achieved(sim.as_ref(), "escape-detection"),
            None,
            "{}",
            crate::seed_note(seed)
        );
    }
    // ...unless pinging counts as hearing.
    let mut buggy = build(&crash.scenario.clone().with_param("bug", 2)).unwrap();
    buggy.run_until(crash.duration_us);
    assert!(achieved(buggy.as_ref(), "escape-detection").is_some());
}

#[test]
fn the_detectors_compare_on_one_run() {
    for (a, b) in FailureDetectionLab.comparisons() {
        let (a, b) = (preset(LAB_ID, a).unwrap(), preset(LAB_ID, b).unwrap());
        assert_eq!(a.scenario.seed, b.scenario.seed);
        assert_eq!(a.scenario.network, b.scenario.network);
        assert_eq!(a.scenario.faults, b.scenario.faults);
        assert_ne!(
            a.scenario.params.get("detector"),
            b.scenario.params.get("detector")
        );
    }
}

/// A node in a pause of its own on a drifting clock wakes once: its wake-up timer once
/// re-armed itself with no length, for ever (found by the share-link round trip: seed 5 of
/// the adaptive preset with clock jumps, drifts, pauses and partitions applied mid-run).
#[test]
fn pauses_on_drifting_clocks_end_and_replay_exactly() {
    use failscope_sim::Action;
    let mut scenario = preset(LAB_ID, "adaptive").unwrap().scenario;
    scenario.seed = 5;
    let mut sim = build(&scenario).unwrap();
    let mut t = 0;
    for i in 0..30u16 {
        t += 37 * MS;
        sim.run_until(t);
        let node = (i * 7) % scenario.n_nodes;
        let action = match i % 5 {
            0 => Action::Pause {
                node,
                duration_us: 20 * MS,
            },
            1 => Action::ClockJump {
                node,
                delta_us: -i64::from(i) * 1_000,
            },
            2 => Action::Partition {
                groups: vec![vec![node]],
            },
            3 => Action::Heal,
            _ => Action::ClockDrift { node, ppm: 100 },
        };
        let _ = sim.apply(action);
    }
    sim.run_until(t + 500 * MS);
    // Five nodes pinging each other every 50 ms for 1.6 s: some thousands of events.
    assert!(sim.trace().len() < 20_000, "{} events", sim.trace().len());
    let mut replay = build(sim.scenario()).unwrap();
    replay.seek(sim.now());
    assert_eq!(replay.trace().hash(), sim.trace().hash());
}

#[test]
fn over_a_batch_of_seeds_a_higher_threshold_detects_later_and_errs_less() {
    // The timeout dilemma (Chandra and Toueg 1996; Hayashibara et al. 2004, §5): over twenty
    // seeds, each threshold's mean detection time never falls and its false suspicions per
    // hour never rise as the threshold grows (within sampling error), for the fixed timeout
    // and for phi accrual.
    use failscope_labs::failure_detection::dilemma::{totals, DILEMMA};
    use failscope_sim::picture::PictureKind;
    for id in ["dilemma", "phi-accrual"] {
        let scenario = preset(LAB_ID, id).unwrap().scenario;
        let results: Vec<Vec<i64>> = (0..u64::from(DILEMMA.runs))
            .map(|k| (DILEMMA.run)(&scenario, scenario.seed + k))
            .collect();
        let rungs = (results[0].len() - 1) / 3;
        assert_eq!(rungs, 8);
        let measured = totals(&results, rungs);
        let means: Vec<i64> = measured
            .iter()
            .map(|m| m.0.expect("a crash noticed"))
            .collect();
        let false_rate: Vec<i64> = measured.iter().map(|m| m.1).collect();
        for k in 1..rungs {
            assert!(means[k] * 100 >= means[k - 1] * 98, "{id}: {means:?}");
            assert!(
                false_rate[k] <= false_rate[k - 1] * 105 / 100 + 1_000,
                "{id}: {false_rate:?}"
            );
        }
        // The ends differ: the lowest threshold cries wolf far more than the highest, and
        // the highest takes far longer to notice a crash.
        assert!(
            false_rate[0] > 4 * false_rate[rungs - 1].max(1),
            "{id}: {false_rate:?}"
        );
        assert!(means[rungs - 1] > 2 * means[0], "{id}: {means:?}");
        // The chart shows one ringed dot per threshold, the same numbers.
        let chart = DILEMMA.measure(&scenario);
        let PictureKind::Xy(xy) = &chart.kind else {
            panic!("an x-y chart")
        };
        let dots = &xy.series[1].points;
        assert_eq!(dots.len(), rungs);
        assert_eq!(dots.iter().filter(|p| p.highlight).count(), 1, "{id}");
        assert_eq!(dots[0].x, means[0] / 1_000);
        assert_eq!(dots[0].y, false_rate[0] / 1_000);
        // Same seeds, same chart.
        assert_eq!(DILEMMA.measure(&scenario), chart);
    }
}
