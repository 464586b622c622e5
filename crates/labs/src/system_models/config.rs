//! The lab's settings: the timing model (which also picks the protocol: Paxos for the three
//! network models, FloodSet for synchronous rounds), the delay bound and GST, and FloodSet's
//! rounds, faulty nodes and fault model.

use failscope_sim::lab::BUG_PARAM;
use failscope_sim::network::NetworkMode;
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    Synchronous,
    PartiallySynchronous,
    Adversarial,
    Rounds,
}

pub const MODEL_NAMES: &[&str] = &[
    "synchronous",
    "partially synchronous",
    "asynchronous, adversarial scheduler",
    "synchronous rounds (FloodSet)",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultModel {
    /// A faulty node stops, mid-broadcast, for good.
    CrashStop,
    /// It stops mid-broadcast and comes back, with what it knew, a round later.
    CrashRecovery,
    /// It stays up but its broadcast in its bad round reaches only one node.
    Omission,
}

pub const FAULT_NAMES: &[&str] = &["crash-stop", "crash-recovery", "omission"];

pub const BUG_NAMES: &[&str] = &[
    "none",
    "the adversary lets decisive messages through",
    "acceptor reports an empty value it never accepted",
    "FloodSet decides on what it knew after round 1",
];

pub const BUG_LEAKY_ADVERSARY: i64 = 1;
pub const BUG_EMPTY_VALUE: i64 = 2;
pub const BUG_EARLY_DECISION: i64 = 3;

/// A parameter's value, or its default.
pub fn param(params: &Params, key: &str) -> i64 {
    params.get(key).copied().unwrap_or_else(|| {
        super::PARAMS
            .iter()
            .find(|p| p.key == key)
            .map_or(0, |p| p.default)
    })
}

pub fn model(params: &Params) -> Model {
    match param(params, "model") {
        1 => Model::PartiallySynchronous,
        2 => Model::Adversarial,
        3 => Model::Rounds,
        _ => Model::Synchronous,
    }
}

pub fn bug(params: &Params) -> i64 {
    param(params, BUG_PARAM)
}

/// The delay bound Δ.
pub fn bound_us(params: &Params) -> Time {
    param(params, "bound_ms").max(1) as Time * MS
}

/// The network the model promises.
pub fn network_mode(params: &Params) -> NetworkMode {
    let bound_us = bound_us(params);
    match model(params) {
        Model::Synchronous | Model::Rounds => NetworkMode::Synchronous { bound_us },
        Model::PartiallySynchronous => NetworkMode::PartiallySynchronous {
            gst_us: param(params, "gst_ms") as Time * MS,
            bound_us,
            pre_gst_extra_us: param(params, "pre_gst_ms") as Time * MS,
        },
        Model::Adversarial => NetworkMode::Asynchronous {
            extra_max_us: bound_us,
        },
    }
}
