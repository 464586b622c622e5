//! Background jobs: work that outlives one message — checking the client history in slices
//! (the History tab), measuring the PACELC trade-offs, and catching up a shared run to its
//! moment a few hundred thousand events per frame.
//!
//! Every job started on a run carries that run's id; replacing the session bumps the id,
//! so a late result of an earlier run is recognised and dropped instead of shown.

use super::{LabPage, Msg};
use crate::components::consistency::{self, Checked};
use crate::components::tradeoffs::{self, Measured};
use crate::session::Session;
use failscope_sim::time::Time;
use std::rc::Rc;
use yew::html::Scope;

/// Most events replayed per frame when opening a shared run (keeps the page responsive).
const CATCH_UP_EVENTS_PER_FRAME: u64 = 300_000;

#[derive(Default)]
pub(super) struct Jobs {
    /// Counts session replacements, so results of work started on an earlier run are
    /// recognised and dropped.
    run_id: u64,
    /// Replaying a shared run up to its moment.
    pub(super) catching_up: Option<Time>,
    /// The last consistency check of the client history, and whether one is running.
    pub(super) checked: Option<Rc<Checked>>,
    pub(super) checking: bool,
    /// The PACELC measurements of the lab's configurations (they do not depend on the run).
    pub(super) tradeoffs: Option<Rc<Result<Vec<Measured>, String>>>,
    pub(super) measuring: bool,
}

impl Jobs {
    /// Forget the jobs of the run being replaced.
    pub(super) fn forget_run(&mut self) {
        self.run_id += 1;
        self.catching_up = None;
        self.checked = None;
        self.checking = false;
    }

    /// Replay the next slice of a shared run; false when there is nothing to catch up.
    pub(super) fn catch_up(&mut self, session: &mut Session) -> bool {
        let Some(target) = self.catching_up else {
            return false;
        };
        if session.catch_up(target, CATCH_UP_EVENTS_PER_FRAME) {
            self.catching_up = None;
        }
        true
    }

    /// Start checking the history (unless a check is running).
    pub(super) fn check_history(&mut self, session: &Session, link: &Scope<LabPage>) {
        if self.checking {
            return;
        }
        self.checking = true;
        let history = session.sim().history();
        let link = link.clone();
        let run = self.run_id;
        wasm_bindgen_futures::spawn_local(async move {
            let checked = consistency::check(history).await;
            link.send_message(Msg::Checked(run, checked.map(Rc::new)));
        });
    }

    /// A finished check: kept only if it was of the current run. A check that could not
    /// run (its code could not be fetched) says why.
    pub(super) fn checked(
        &mut self,
        run: u64,
        result: Result<Rc<Checked>, String>,
    ) -> Option<String> {
        if run != self.run_id {
            return None;
        }
        self.checking = false;
        match result {
            Ok(checked) => {
                self.checked = Some(checked);
                None
            }
            Err(message) => Some(format!("The History check could not start: {message}")),
        }
    }

    /// Start measuring the lab's trade-offs (unless a measurement is running).
    pub(super) fn measure_tradeoffs(&mut self, session: &Session, link: &Scope<LabPage>) {
        if self.measuring {
            return;
        }
        self.measuring = true;
        let configurations = session.lab.tradeoffs();
        let link = link.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let results = tradeoffs::measure(configurations).await;
            link.send_message(Msg::Measured(Rc::new(results)));
        });
    }

    pub(super) fn measured(&mut self, results: Rc<Result<Vec<Measured>, String>>) {
        self.measuring = false;
        self.tradeoffs = Some(results);
    }
}
