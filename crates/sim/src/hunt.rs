//! Hunting for a run that breaks a check: the current settings over many seeds, each with a
//! fault schedule drawn by swarm testing (Groce, Zhang, Eide, Chen and Regehr, "Swarm
//! Testing", ISSTA 2012). Rather than every run mixing every kind of fault, each seed first
//! switches a random subset of the kinds on and picks how often they strike; runs that leave
//! some kinds out reach states a mix of all of them masks (a partition with no restarts to
//! heal it, clock drift with nothing else going on).
//!
//! Everything is a pure function of the base scenario and the seed, so a finding replays
//! exactly: its scenario, opened at its violation, is the share link the page offers.

use crate::action::{Action, ScheduledFault};
use crate::ids::NodeId;
use crate::lab::Catalogue;
use crate::rng::Rng;
use crate::scenario::{Scenario, ScenarioError};
use crate::time::{format_duration, Time, MS, SECOND};

/// The kinds of fault a swarm schedule may switch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    Crash,
    Pause,
    Partition,
    Cut,
    ClockJump,
    ClockDrift,
}

pub const FAULT_KINDS: [FaultKind; 6] = [
    FaultKind::Crash,
    FaultKind::Pause,
    FaultKind::Partition,
    FaultKind::Cut,
    FaultKind::ClockJump,
    FaultKind::ClockDrift,
];

impl FaultKind {
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Crash => "crashes",
            FaultKind::Pause => "pauses",
            FaultKind::Partition => "partitions",
            FaultKind::Cut => "one-way cuts",
            FaultKind::ClockJump => "clock jumps",
            FaultKind::ClockDrift => "clock drift",
        }
    }
}

/// At most this many faults per run.
pub const MAX_FAULTS: u64 = 12;

/// The base scenario with `seed` and a swarm fault schedule before `horizon`, after which
/// the network heals and every node restarts (so liveness can still be judged). The
/// scenario's own faults are kept. Returns the scenario and the kinds switched on.
pub fn swarm_scenario(base: &Scenario, seed: u64, horizon: Time) -> (Scenario, Vec<FaultKind>) {
    let mut s = base.clone();
    s.seed = seed;
    let n = s.n_nodes.max(1);
    // A stream of its own, so the schedule does not move when the run's randomness does.
    let mut rng = Rng::from_seed(seed ^ 0x5a4d_7e57_0000_0001);
    let mut kinds: Vec<FaultKind> = FAULT_KINDS
        .into_iter()
        .filter(|_| rng.below(2) == 0)
        .collect();
    if kinds.is_empty() {
        kinds.push(FAULT_KINDS[rng.below(FAULT_KINDS.len() as u64) as usize]);
    }
    let count = rng.range_inclusive(1, MAX_FAULTS);
    let horizon = horizon.max(MS);
    let node = |rng: &mut Rng| rng.below(u64::from(n)) as NodeId;
    let mut faults = Vec::new();
    for _ in 0..count {
        let at = rng.below(horizon);
        let heal_at = (at + rng.range_inclusive(100, 3_000) * MS).min(horizon);
        let kind = kinds[rng.below(kinds.len() as u64) as usize];
        let target = node(&mut rng);
        match kind {
            FaultKind::Crash => {
                faults.push((at, Action::Crash { node: target }));
                // Most crashed nodes come back before the horizon; the rest at it.
                if rng.below(4) != 0 {
                    faults.push((heal_at, Action::Restart { node: target }));
                }
            }
            FaultKind::Pause => faults.push((
                at,
                Action::Pause {
                    node: target,
                    duration_us: rng.range_inclusive(50, 2_000) * MS,
                },
            )),
            FaultKind::Partition => {
                // A random side against the rest; a side with everyone or no one splits nothing.
                let side: Vec<NodeId> = (0..n).filter(|_| rng.below(2) == 0).collect();
                if !side.is_empty() && side.len() < usize::from(n) {
                    faults.push((at, Action::Partition { groups: vec![side] }));
                    faults.push((heal_at, Action::Heal));
                }
            }
            FaultKind::Cut => {
                let to = node(&mut rng);
                if to != target {
                    faults.push((at, Action::Cut { from: target, to }));
                    faults.push((heal_at, Action::Heal));
                }
            }
            FaultKind::ClockJump => {
                let by = rng.range_inclusive(1, 2_000) as i64 * MS as i64;
                let delta_us = if rng.below(2) == 0 { by } else { -by };
                faults.push((
                    at,
                    Action::ClockJump {
                        node: target,
                        delta_us,
                    },
                ));
            }
            FaultKind::ClockDrift => faults.push((
                at,
                Action::ClockDrift {
                    node: target,
                    ppm: rng.range_inclusive(0, 200_000) as i32 - 100_000,
                },
            )),
        }
    }
    faults.push((horizon, Action::Heal));
    for node in 0..n {
        faults.push((horizon, Action::Restart { node }));
    }
    s.faults.extend(
        faults
            .into_iter()
            .map(|(at_us, action)| ScheduledFault { at_us, action }),
    );
    (s, kinds)
}

/// A run that broke a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub seed: u64,
    /// The check's name, as the Invariants tab shows it.
    pub check: String,
    pub time: Time,
    /// One line: what broke, then the faults the seed switched on.
    pub description: String,
    /// The run to open: replays exactly.
    pub scenario: Scenario,
}

/// Faults stop at this share of the run, leaving the rest to heal and be judged.
pub fn horizon(until: Time) -> Time {
    until / 3 * 2
}

/// One seed of a hunt: the swarm run for `until`, and its earliest broken safety check.
pub fn hunt_seed(
    labs: &Catalogue,
    base: &Scenario,
    seed: u64,
    until: Time,
) -> Result<Option<Finding>, ScenarioError> {
    let (scenario, kinds) = swarm_scenario(base, seed, horizon(until));
    let mut sim = labs.build(&scenario)?;
    sim.run_until(until);
    let first = sim
        .invariants()
        .into_iter()
        .filter_map(|r| Some((r.status.first_violation?, r.spec.name)))
        .min_by_key(|(v, _)| (v.time, v.trace_index));
    Ok(first.map(|(v, name)| {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
        Finding {
            seed,
            check: name.to_string(),
            time: v.time,
            description: format!(
                "{} at {}: {} (faults: {})",
                name,
                format_duration(v.time),
                v.detail,
                kinds.join(", ")
            ),
            scenario,
        }
    }))
}

/// Seeds `from..from + count` in turn until `stop_after` findings (natively, for tests and
/// the command line; the page runs [`hunt_seed`] a few at a time between frames).
pub fn hunt(
    labs: &Catalogue,
    base: &Scenario,
    seeds: std::ops::Range<u64>,
    until: Time,
    stop_after: usize,
) -> Result<Vec<Finding>, ScenarioError> {
    let mut found = Vec::new();
    for seed in seeds {
        if let Some(f) = hunt_seed(labs, base, seed, until)? {
            found.push(f);
            if found.len() >= stop_after {
                break;
            }
        }
    }
    Ok(found)
}

/// How long a hunt runs each seed: six seconds (four of faults, two to heal), or a
/// shorter preset's length, so a thousand seeds take seconds.
pub const HUNT_UNTIL: Time = 6 * SECOND;

pub fn default_until(preset_duration: Option<Time>) -> Time {
    preset_duration
        .unwrap_or(HUNT_UNTIL)
        .clamp(SECOND, HUNT_UNTIL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn a_swarm_schedule_is_a_function_of_the_seed_and_ends_healed() {
        let base = Scenario::new("any", 1, 5);
        let (a, kinds_a) = swarm_scenario(&base, 42, 6 * SECOND);
        let (b, kinds_b) = swarm_scenario(&base, 42, 6 * SECOND);
        assert_eq!((a.clone(), kinds_a), (b, kinds_b));
        assert_eq!(a.seed, 42);
        // Faults before the horizon, then a heal and a restart of every node at it.
        let at_horizon = a.faults.iter().filter(|f| f.at_us == 6 * SECOND).count();
        assert!(at_horizon >= 6, "{at_horizon}");
        assert!(a.faults.iter().all(|f| f.at_us <= 6 * SECOND));
        // Different seeds switch different kinds on: over many seeds every kind appears
        // alone at least once and every kind is sometimes left out.
        let mut alone = std::collections::BTreeSet::new();
        let mut left_out = std::collections::BTreeSet::new();
        for seed in 0..400 {
            let (_, kinds) = swarm_scenario(&base, seed, 6 * SECOND);
            if kinds.len() == 1 {
                alone.insert(kinds[0].name());
            }
            for k in FAULT_KINDS {
                if !kinds.contains(&k) {
                    left_out.insert(k.name());
                }
            }
        }
        assert_eq!(alone.len(), FAULT_KINDS.len(), "{alone:?}");
        assert_eq!(left_out.len(), FAULT_KINDS.len());
    }
}
