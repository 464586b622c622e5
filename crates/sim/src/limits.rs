//! Bounds on everything a scenario or a run can grow, so that no input can exhaust memory or
//! freeze a browser tab. `Scenario::validate` rejects values beyond them with a clear message.

use crate::time::{Time, MS, SECOND};

/// Most nodes in one simulation (the stress preset uses 50).
pub const MAX_NODES: u16 = 64;
/// Most automatic client processes.
pub const MAX_CLIENTS: u16 = 32;
/// Extra client slots for requests a person sends by hand.
pub const MANUAL_CLIENTS: u16 = 4;
/// Most messages in flight at once; further sends are dropped (and counted as overflow).
pub const MAX_IN_FLIGHT: usize = 200_000;
/// Most trace events in one run; the run halts with a clear reason when it is reached.
pub const MAX_TRACE_EVENTS: usize = 4_000_000;
/// Longest duration any time parameter may name (one day of simulated time).
pub const MAX_DURATION_US: Time = 86_400 * SECOND;
/// Longest latency a link may be given.
pub const MAX_LATENCY_US: Time = 60 * SECOND;
/// Shortest timer the engine accepts from a parameter (guards against event storms).
pub const MIN_TIMER_US: Time = 100;
/// Most scheduled faults in a scenario.
pub const MAX_SCHEDULED_FAULTS: usize = 10_000;
/// Most user actions in a scenario's action log.
pub const MAX_ACTIONS: usize = 10_000;
/// Most per-link overrides in a network configuration.
pub const MAX_LINK_OVERRIDES: usize = 4_096;
/// Most keys a client workload may address.
pub const MAX_KEYS: u32 = 1_000;
/// A checkpoint is taken every this many events (seek replays at most this many).
pub const CHECKPOINT_EVERY: u64 = 4_096;
/// Most checkpoints kept; beyond it every other one is dropped and the spacing doubles.
pub const MAX_CHECKPOINTS: usize = 256;
/// Longest label in a scenario (lab id, parameter key).
pub const MAX_NAME_LEN: usize = 64;
/// The default client think time, used by presets.
pub const DEFAULT_THINK_US: Time = 100 * MS;
