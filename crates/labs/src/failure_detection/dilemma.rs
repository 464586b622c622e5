//! The timeout dilemma measured over a batch of seeds: the current settings, run once per
//! seed with one crash of S2 at a moment the seed picks, judged by S1's shadow detectors
//! (one per threshold, all fed the same heartbeats). The chart puts each threshold's mean
//! detection time against its false suspicions per hour: raising the threshold moves right
//! and down, and no threshold is in the corner (Chandra and Toueg 1996: completeness and
//! accuracy trade against each other once the network can delay messages).

use super::config::{rung_label, Config};
use super::node::{Heartbeat, OBSERVER, WATCHED};
use super::FailureDetectionLab;
use failscope_sim::action::Action;
use failscope_sim::ids::node_name;
use failscope_sim::lab::Batch;
use failscope_sim::picture::{Picture, PictureKind, Scale, Xy, XyPoint, XySeries, XyStyle};
use failscope_sim::rng::Rng;
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{Time, SECOND};

/// Simulated time per run.
pub const RUN_US: Time = 12 * SECOND;
/// At most this many nodes per run, so each run stays a few milliseconds of work.
pub const MAX_NODES: u16 = 5;
/// How long the crashed node stays down.
const DOWN_US: Time = 3 * SECOND;

pub const DILEMMA: Batch = Batch {
    id: "dilemma-seeds",
    label: "Measure over 20 seeds",
    runs: 20,
    run,
    picture,
};

/// The run's scenario: the settings, another seed, and one crash of S2 instead of the
/// scenario's own faults (the detection time needs a crash; other faults would differ per
/// preset and muddy the comparison).
pub fn experiment(scenario: &Scenario, seed: u64) -> Scenario {
    let mut s = scenario.clone();
    s.seed = seed;
    s.n_nodes = s.n_nodes.clamp(2, MAX_NODES);
    s.faults.clear();
    s.actions.clear();
    let mut rng = Rng::from_seed(seed ^ 0xd11e_33a0);
    let at = 2 * SECOND + rng.below(4 * SECOND);
    s.with_fault(at, Action::Crash { node: WATCHED })
        .with_fault(at + DOWN_US, Action::Restart { node: WATCHED })
}

/// One run: `[simulated µs, then per threshold: detections, summed detection µs, false
/// suspicions]`; empty when the settings do not build.
fn run(scenario: &Scenario, seed: u64) -> Vec<i64> {
    let s = experiment(scenario, seed);
    let Ok(mut sim) = LabRun::<Heartbeat>::new(&FailureDetectionLab, &s) else {
        return Vec::new();
    };
    sim.run_until(RUN_US);
    let Some(records) = sim.world().node_state(OBSERVER).and_then(|n| n.records()) else {
        return Vec::new();
    };
    let mut out = vec![RUN_US as i64];
    for t in &records.tally {
        out.extend([
            i64::from(t.detections),
            t.detection_us as i64,
            i64::from(t.false_suspicions),
        ]);
    }
    out
}

/// Per threshold, over every run so far: (mean detection µs, false suspicions per hour in
/// thousandths), `None` for the detection time before any detection.
pub fn totals(results: &[Vec<i64>], rungs: usize) -> Vec<(Option<i64>, i64)> {
    let runs: Vec<&Vec<i64>> = results
        .iter()
        .filter(|r| r.len() == 1 + 3 * rungs)
        .collect();
    let time: i64 = runs.iter().map(|r| r[0]).sum();
    (0..rungs)
        .map(|k| {
            let sum = |i: usize| runs.iter().map(|r| r[1 + 3 * k + i]).sum::<i64>();
            let (detections, detection_us, false_suspicions) = (sum(0), sum(1), sum(2));
            let mean = (detections > 0).then(|| detection_us / detections);
            let per_hour = if time == 0 {
                0
            } else {
                (i128::from(false_suspicions) * 3_600 * i128::from(SECOND) * 1_000
                    / i128::from(time)) as i64
            };
            (mean, per_hour)
        })
        .collect()
}

fn picture(scenario: &Scenario, results: &[Vec<i64>]) -> Picture {
    let config = Config::parse(&scenario.params, scenario.n_nodes.clamp(2, MAX_NODES)).ok();
    let rungs = config.as_ref().map_or(&[][..], |c| &c.rungs[..]);
    let measured = totals(results, rungs.len());
    let points: Vec<XyPoint> = rungs
        .iter()
        .zip(&measured)
        .filter_map(|(setting, &(mean, per_hour))| {
            Some(XyPoint {
                highlight: config
                    .as_ref()
                    .is_some_and(|c| c.detector.threshold == setting.threshold),
                ..XyPoint::labelled(mean? / 1_000, per_hour / 1_000, rung_label(setting))
            })
        })
        .collect();
    let data = Xy {
        x: Scale::new("mean detection time", "ms", 1),
        y: Scale::new("false suspicions", "/h", 1),
        series: vec![
            XySeries {
                label: "the trade-off".into(),
                colour: 4,
                style: XyStyle::Line,
                // The dots carry the ring; the line only joins them.
                points: points
                    .iter()
                    .map(|p| XyPoint {
                        highlight: false,
                        ..p.clone()
                    })
                    .collect(),
            },
            XySeries {
                label: "one threshold".into(),
                colour: 0,
                style: XyStyle::Dots,
                points,
            },
        ],
        guides: Vec::new(),
    };
    Picture {
        id: "dilemma-seeds",
        title: "The timeout dilemma over many seeds".into(),
        caption: format!(
            "{} runs of {} s with your settings on {} nodes, each seed crashing {} once for {} s. Each dot is one threshold of {}'s shadow detectors: how long a crash took to notice, against how often a live node was suspected. Ringed: your setting.",
            results.len(),
            RUN_US / SECOND,
            scenario.n_nodes.clamp(2, MAX_NODES),
            node_name(WATCHED),
            DOWN_US / SECOND,
            node_name(OBSERVER),
        ),
        primary: false,
        version: data.fingerprint() ^ results.len() as u64,
        kind: PictureKind::Xy(data),
    }
}
