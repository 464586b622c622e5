//! The lab's settings: the heartbeat interval, which detector and its threshold, the
//! nodes' own garbage-collection pauses, and the deliberate bugs. Bad combinations are
//! refused here with a message in the fields' words.

use super::detector::{Kind, Setting};
use failscope_sim::lab::BUG_PARAM;
use failscope_sim::scenario::Params;
use failscope_sim::time::{format_duration, Time, MS};

pub const DETECTORS: &[&str] = &["fixed timeout", "adaptive (× p99)", "phi accrual"];
pub const BUGS: &[&str] = &[
    "none",
    "timeout read in the wrong unit",
    "pinging counts as hearing",
];

/// Inter-arrival samples all the windows may hold together (nodes × peers × window).
pub const MAX_WINDOW_SAMPLES: u64 = 120_000;

/// The shadow bank's rungs for each detector: timeouts in multiples of the interval (in
/// tenths), adaptive multiples in percent, φ in tenths.
const FIXED_RUNGS_TENTHS: &[i64] = &[15, 20, 30, 40, 60, 80, 120, 160];
const ADAPTIVE_RUNGS_PCT: &[i64] = &[100, 125, 150, 200, 300, 400, 600, 800];
const PHI_RUNGS_TENTHS: &[i64] = &[5, 10, 20, 30, 40, 60, 80, 120];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    /// The silence limit is compared as if it were milliseconds read as microseconds:
    /// a thousand times too short, so every live peer is suspected.
    WrongUnit,
    /// The silence is counted from the last ping this node sent, not from the last answer
    /// it heard: a crashed peer never looks silent.
    PingCountsAsHearing,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub interval_us: Time,
    pub suspect_after_us: Time,
    pub detector: Setting,
    pub window: usize,
    /// The smallest deviation phi will fit (a tenth of the interval).
    pub min_sd_us: f64,
    /// Width of the inter-arrival histogram's buckets.
    pub bucket_us: Time,
    /// The chance, at each beat, that a node starts a pause of its own.
    pub gc_chance_ppm: u64,
    pub gc_pause_us: Time,
    pub bug: Bug,
    /// The shadow detectors' settings, smallest threshold first.
    pub rungs: Vec<Setting>,
}

impl Config {
    pub fn parse(params: &Params, n_nodes: u16) -> Result<Config, String> {
        let get = |key: &str, default: i64| params.get(key).copied().unwrap_or(default);
        let interval_us = get("interval_ms", 50).max(1) as Time * MS;
        let suspect_after_us = get("suspect_after_ms", 200).max(1) as Time * MS;
        let kind = match get("detector", 0) {
            1 => Kind::Adaptive,
            2 => Kind::Phi,
            _ => Kind::Fixed,
        };
        let window = get("window", 50).max(1) as usize;
        if kind != Kind::Fixed {
            let n = u64::from(n_nodes);
            let samples = n * n.saturating_sub(1) * window as u64;
            if samples > MAX_WINDOW_SAMPLES {
                return Err(format!(
                    "the window of {window} heartbeats per peer on {n_nodes} nodes would keep {samples} samples; at most {MAX_WINDOW_SAMPLES}: use fewer nodes or a shorter window"
                ));
            }
        }
        let threshold = match kind {
            Kind::Fixed => suspect_after_us as i64,
            Kind::Adaptive => get("adaptive_pct", 200),
            Kind::Phi => get("phi_tenths", 80),
        };
        let gc_every_ms = get("gc_every_ms", 0);
        let gc_chance_ppm = if gc_every_ms <= 0 {
            0
        } else {
            (interval_us * 1_000_000 / (gc_every_ms as Time * MS)).min(1_000_000)
        };
        let gc_pause_us = get("gc_pause_ms", 300).max(1) as Time * MS;
        if gc_every_ms > 0 && (gc_every_ms as Time * MS) < 2 * gc_pause_us {
            return Err(format!(
                "pauses of up to {} every {} on average would leave the nodes paused most of the time: make “GC pause every” at least twice “GC pause length”",
                format_duration(gc_pause_us),
                format_duration(gc_every_ms as Time * MS)
            ));
        }
        let rungs = match kind {
            Kind::Fixed => FIXED_RUNGS_TENTHS
                .iter()
                .map(|&t| Setting::new(kind, (interval_us as i64) * t / 10))
                .collect(),
            Kind::Adaptive => ADAPTIVE_RUNGS_PCT
                .iter()
                .map(|&t| Setting::new(kind, t))
                .collect(),
            Kind::Phi => PHI_RUNGS_TENTHS
                .iter()
                .map(|&t| Setting::new(kind, t))
                .collect(),
        };
        Ok(Config {
            interval_us,
            suspect_after_us,
            detector: Setting::new(kind, threshold),
            window,
            min_sd_us: interval_us as f64 / 10.0,
            bucket_us: (interval_us / 8).max(1),
            gc_chance_ppm,
            gc_pause_us,
            bug: match get(BUG_PARAM, 0) {
                1 => Bug::WrongUnit,
                2 => Bug::PingCountsAsHearing,
                _ => Bug::None,
            },
            rungs,
        })
    }

    /// φ's threshold as written ("8" or "2.5").
    pub fn phi_label(&self) -> String {
        tenths(self.detector.threshold)
    }

    /// The detector and its threshold, in words.
    pub fn describe(&self) -> String {
        rung_label(&self.detector)
    }
}

/// A number given in tenths, as written.
pub fn tenths(value: i64) -> String {
    if value % 10 == 0 {
        format!("{}", value / 10)
    } else {
        format!("{}.{}", value / 10, value % 10)
    }
}

/// A setting in words: "timeout 200 ms", "2 × p99", "φ = 8".
pub fn rung_label(setting: &Setting) -> String {
    match setting.kind {
        Kind::Fixed => format!("timeout {}", format_duration(setting.threshold as Time)),
        Kind::Adaptive => format!("{} × p99", hundredths(setting.threshold)),
        Kind::Phi => format!("φ = {}", tenths(setting.threshold)),
    }
}

fn hundredths(value: i64) -> String {
    if value % 100 == 0 {
        format!("{}", value / 100)
    } else if value % 10 == 0 {
        format!("{}.{}", value / 100, (value % 100) / 10)
    } else {
        format!("{}.{:02}", value / 100, value % 100)
    }
}
