//! Work a panel does in slices between frames for some settings (a batch chart, a hunt):
//! starting it again, stopping it or changing the settings ends the loop that is running,
//! which checks its ticket between slices.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// A panel's job: which run is current, and the settings it was started for.
#[derive(Clone)]
pub struct Job<K> {
    generation: Rc<Cell<u64>>,
    started_for: Rc<RefCell<Option<K>>>,
}

/// What a running loop holds: it may go on while [`Ticket::live`].
pub struct Ticket {
    generation: Rc<Cell<u64>>,
    mine: u64,
}

impl Ticket {
    pub fn live(&self) -> bool {
        self.generation.get() == self.mine
    }
}

impl<K: PartialEq> Job<K> {
    /// Start for `key`, ending any run before.
    pub fn start(&self, key: K) -> Ticket {
        let mine = self.generation.get() + 1;
        self.generation.set(mine);
        *self.started_for.borrow_mut() = Some(key);
        Ticket {
            generation: self.generation.clone(),
            mine,
        }
    }

    /// End the running loop (its results so far stay).
    pub fn stop(&self) {
        self.generation.set(self.generation.get() + 1);
    }
}

/// The panel's job, and whether it was started for other settings than `key` (it is then
/// stopped and forgotten: the caller clears what it showed).
#[hook]
pub fn use_job<K: PartialEq + 'static>(key: &K) -> (Job<K>, bool) {
    let generation = use_mut_ref(|| Rc::new(Cell::new(0u64)));
    let started_for = use_mut_ref(|| Rc::new(RefCell::new(None::<K>)));
    let job = Job {
        generation: generation.borrow().clone(),
        started_for: started_for.borrow().clone(),
    };
    let stale = job.started_for.borrow().as_ref().is_some_and(|k| k != key);
    if stale {
        job.stop();
        *job.started_for.borrow_mut() = None;
    }
    (job, stale)
}
