//! # failscope-sim
//!
//! Failscope's deterministic discrete-event simulation engine. It knows nothing of the
//! browser: no web crates, no wall clock, no OS entropy. Time is integer microseconds
//! ([`time::Time`]) and every random choice comes from one seeded generator
//! ([`rng::Rng`], xoshiro256**) split into per-purpose streams.
//!
//! The main types:
//! - [`Scenario`]: everything that determines a run (lab, parameters, seed, topology,
//!   scheduled faults, the user's action log); `validate()` explains what is wrong.
//! - [`Protocol`]: a lab's per-node handlers, acting only through [`protocol::Ctx`].
//! - [`world::World`]: the event queue, network, clocks, clients and faults for one protocol.
//! - [`Simulation`]: an object-safe running lab (`step`, `advance`, `seek`, `apply`, `view`),
//!   built by a lab from a [`Catalogue`] (the registry lives in `failscope-labs`).
//! - [`trace::Trace`]: every event, hashed for the determinism checks.

#![forbid(unsafe_code)]

pub mod action;
pub mod challenge;
pub mod chunked;
pub mod client;
pub mod clock;
pub mod consistency;
pub mod diagram;
pub mod edn;
pub mod export;
pub mod history;
pub mod hunt;
pub mod ids;
pub mod invariant;
pub mod json;
pub mod lab;
pub mod limits;
pub mod link;
pub mod logical_clock;
pub mod maps;
pub mod metrics;
pub mod network;
pub mod picture;
pub mod protocol;
pub mod queue;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod time;
pub mod trace;
pub mod view;
pub mod world;

pub use action::Action;
pub use lab::{Catalogue, Lab};
pub use protocol::Protocol;
pub use run::Simulation;
pub use scenario::{Scenario, ScenarioError};
pub use time::Time;
