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

    /// (parts done, parts in all), for a progress line: keys, for linearizability.
    fn progress(&self) -> (usize, usize) {
        (0, 1)
    }
}

impl Sliced<LinearizabilityReport> for LinearizabilityCheck {
    fn run(&mut self, max_steps: u64) -> Option<LinearizabilityReport> {
        LinearizabilityCheck::run(self, max_steps)
    }

    fn progress(&self) -> (usize, usize) {
        LinearizabilityCheck::progress(self)
    }
}

/// One operation of an imported history as the History tab draws it: a bar in its
/// process's lane from invocation to completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub lane: usize,
    pub start: u64,
    /// `None`: no completion (the outcome is unknown).
    pub end: Option<u64>,
    pub label: String,
    pub read: bool,
    /// `ok`, `fail` or `info`.
    pub outcome: &'static str,
}

/// A history file read and ready to check: its operations as bars (indexed like the
/// report's offending sets) and the check itself.
pub struct Imported {
    /// "Jepsen EDN" or "failscope-history/1".
    pub format: &'static str,
    /// "register" or "key-value".
    pub model: &'static str,
    /// Lane names: the processes as the history names them.
    pub lanes: Vec<String>,
    pub bars: Vec<Bar>,
    /// Times are microseconds (Failscope's files) rather than positions in the file.
    pub timed: bool,
    pub check: Box<dyn Sliced<LinearizabilityReport>>,
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
    /// Read a history file (Failscope's JSON or Jepsen EDN, told apart by its first
    /// characters) and prepare its linearizability check: a register, or a key-value store
    /// when the history appends. The error names the line and the fix.
    fn import(&self, text: &str) -> Result<Imported, String>;
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

    fn import(&self, text: &str) -> Result<Imported, String> {
        import(text)
    }
}

/// The simulator's lane names: its clients.
pub fn lanes_of(history: &History) -> Vec<String> {
    let n_lanes = history
        .operations
        .iter()
        .map(|op| op.process + 1)
        .max()
        .unwrap_or(0);
    (0..n_lanes).map(failscope_sim::ids::client_name).collect()
}

/// The simulator's history as bars, indexed like `history.operations`.
pub fn bars_of(history: &History) -> Vec<Bar> {
    use failscope_sim::client::{ClientOp, Outcome};
    history
        .operations
        .iter()
        .map(|op| {
            let label = match (op.op, op.outcome) {
                (ClientOp::Read { key }, Some(Outcome::Ok { value })) => {
                    format!("r k{key}={}", value.map_or("∅".into(), |v| v.to_string()))
                }
                (ClientOp::Read { key }, _) => format!("r k{key}?"),
                (ClientOp::Write { key, value }, _) => format!("w k{key}={value}"),
                (ClientOp::Cas { key, from, to }, _) => format!("cas k{key} {from}→{to}"),
            };
            Bar {
                lane: usize::from(op.process),
                start: op.invoke_us,
                end: op.return_us,
                label,
                read: op.op.is_read(),
                outcome: match op.outcome {
                    Some(Outcome::Ok { .. }) => "ok",
                    Some(Outcome::Fail | Outcome::Mismatch) => "fail",
                    Some(Outcome::Timeout) | None => "info",
                },
            }
        })
        .collect()
}

fn import(text: &str) -> Result<Imported, String> {
    use failscope_sim::consistency::external::{Call, Status};
    use failscope_sim::consistency::import::{read_failscope_json, read_jepsen_edn, Format};
    use failscope_sim::consistency::ModelKind;
    if text.trim().is_empty() {
        return Err("the file is empty; a history has one operation event per line".into());
    }
    match Format::detect(text) {
        Format::Failscope => {
            let history = read_failscope_json(text)?;
            let bars = bars_of(&history);
            Ok(Imported {
                format: "failscope-history/1",
                model: "register",
                lanes: lanes_of(&history),
                bars,
                timed: true,
                check: Box::new(LinearizabilityCheck::new(&history)),
            })
        }
        Format::JepsenEdn => {
            let history = read_jepsen_edn(text)?;
            if history.ops.is_empty() {
                return Err(
                    "the file has no client operations; a Jepsen history has one \
                            {:process … :type … :f …} map per line"
                        .into(),
                );
            }
            let appends = history
                .ops
                .iter()
                .any(|op| matches!(op.call, Call::Append(_)));
            let model = if appends {
                ModelKind::Kv
            } else {
                ModelKind::Register
            };
            let mut lanes: Vec<String> = Vec::new();
            let bars = history
                .ops
                .iter()
                .map(|op| {
                    let lane = match lanes.iter().position(|l| *l == op.process) {
                        Some(lane) => lane,
                        None => {
                            lanes.push(op.process.clone());
                            lanes.len() - 1
                        }
                    };
                    let key = op.key.as_deref().map_or(String::new(), |k| format!(" {k}"));
                    let label = match (&op.call, op.status, &op.read) {
                        (Call::Read, Status::Ok, Some(v)) => format!("r{key}={v}"),
                        (Call::Read, Status::Ok, None) => format!("r{key}=nil"),
                        (Call::Read, _, _) => format!("r{key}?"),
                        (Call::Write(v), _, _) => format!("w{key}={v}"),
                        (Call::Cas { from, to }, _, _) => format!("cas{key} {from}→{to}"),
                        (Call::Append(v), _, _) => format!("append{key} {v}"),
                    };
                    Bar {
                        lane,
                        start: op.invoke,
                        end: op.complete,
                        label,
                        read: matches!(op.call, Call::Read),
                        outcome: match op.status {
                            Status::Ok => "ok",
                            Status::Fail => "fail",
                            Status::Unknown => "info",
                        },
                    }
                })
                .collect();
            let prepared = consistency::prepare(&history, model)?;
            Ok(Imported {
                format: "Jepsen EDN",
                model: if appends { "key-value" } else { "register" },
                lanes,
                bars,
                timed: false,
                check: Box::new(prepared.check(Limits::default())),
            })
        }
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
