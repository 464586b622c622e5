//! The history checkers (linearizability, sequential consistency, session guarantees, stale
//! reads) behind one object. Only the History tab, the side-by-side page and the trade-off
//! chart use them, so in the split browser build they are a chunk of their own
//! (`history_checks`), fetched the first time one of those needs them (see [`load`]).
//! Everywhere else [`get`] answers at once.

use crate::registry::ChunkFailed;
use crate::LoadError;
use failscope_sim::consistency::{
    self, Limits, LinearizabilityCheck, LinearizabilityReport, SequentialCheck, SequentialReport,
    SessionViolation,
};
use failscope_sim::history::History;
use std::sync::OnceLock;

/// A check that runs in slices: each `run` does at most `max_steps` of search and returns
/// the report once the check is done.
pub trait Sliced<R> {
    fn run(&mut self, max_steps: u64) -> Option<R>;
}

impl Sliced<LinearizabilityReport> for LinearizabilityCheck {
    fn run(&mut self, max_steps: u64) -> Option<LinearizabilityReport> {
        LinearizabilityCheck::run(self, max_steps)
    }
}

impl Sliced<SequentialReport> for SequentialCheck {
    fn run(&mut self, max_steps: u64) -> Option<SequentialReport> {
        SequentialCheck::run(self, max_steps)
    }
}

/// Every history check the app runs. One object, so that the checkers' code is reached
/// only through it (and loads as one chunk).
pub trait Checkers: Sync {
    /// Linearizability, per key; `limits` bound the search (the defaults otherwise).
    fn linearizability(
        &self,
        history: &History,
        limits: Option<Limits>,
    ) -> Box<dyn Sliced<LinearizabilityReport>>;
    fn sequential(&self, history: &History) -> Box<dyn Sliced<SequentialReport>>;
    fn sessions(&self, history: &History) -> Vec<SessionViolation>;
    fn stale_reads(&self, history: &History) -> usize;
}

struct Real;

impl Checkers for Real {
    fn linearizability(
        &self,
        history: &History,
        limits: Option<Limits>,
    ) -> Box<dyn Sliced<LinearizabilityReport>> {
        Box::new(match limits {
            Some(limits) => LinearizabilityCheck::with_limits(history, limits),
            None => LinearizabilityCheck::new(history),
        })
    }

    fn sequential(&self, history: &History) -> Box<dyn Sliced<SequentialReport>> {
        Box::new(SequentialCheck::new(history))
    }

    fn sessions(&self, history: &History) -> Vec<SessionViolation> {
        consistency::check_sessions(history)
    }

    fn stale_reads(&self, history: &History) -> usize {
        consistency::stale_reads(history)
    }
}

/// The checkers behind a thin pointer (the loader's return value crosses a chunk boundary).
pub struct CheckersRef(&'static dyn Checkers);

#[cfg_attr(
    all(feature = "split", target_family = "wasm"),
    wasm_split_helpers::wasm_split(history_checks, fallible)
)]
fn checkers() -> Result<&'static CheckersRef, ChunkFailed> {
    static CHECKERS: CheckersRef = CheckersRef(&Real);
    Ok(&CHECKERS)
}

static LOADED: OnceLock<&'static dyn Checkers> = OnceLock::new();

/// The checkers, if their code is loaded (natively and in unsplit builds: always).
pub fn get() -> Option<&'static dyn Checkers> {
    #[cfg(not(all(feature = "split", target_family = "wasm")))]
    if LOADED.get().is_none() {
        if let Ok(checkers) = checkers() {
            let _ = LOADED.set(checkers.0);
        }
    }
    LOADED.get().copied()
}

/// Make the checkers available, fetching their chunk the first time in the split browser
/// build. A failed fetch is not remembered: calling again retries.
pub async fn load() -> Result<&'static dyn Checkers, LoadError> {
    if let Some(checkers) = get() {
        return Ok(checkers);
    }
    #[cfg(all(feature = "split", target_family = "wasm"))]
    {
        let checkers = checkers().await.map_err(|ChunkFailed| LoadError::Fetch {
            id: "history checkers".into(),
        })?;
        let _ = LOADED.set(checkers.0);
    }
    get().ok_or(LoadError::Fetch {
        id: "history checkers".into(),
    })
}
