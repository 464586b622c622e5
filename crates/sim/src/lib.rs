//! # failscope-sim
//!
//! Failscope's deterministic discrete-event simulation engine. It knows nothing of the
//! browser: no web crates, no wall clock, no OS entropy. Time is integer microseconds and
//! every random choice comes from [`rng::Rng`], seeded by the scenario.

pub mod rng;
pub mod time;
