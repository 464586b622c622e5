//! Shrinking a non-linearizable key history to a small set of operations that is still not
//! linearizable on its own, so a person can see the contradiction.
//!
//! Four stages, each made of ordinary bounded searches:
//! 1. **Cut**: find the shortest prefix (cut just after a return) that is not
//!    linearizable. Prefixes are monotone (linearizability is prefix-closed, Herlihy & Wing
//!    1990), so a search is exact: first the cut where the original search got stuck last
//!    (usually the answer), then galloping down from it, then bisection. Operations
//!    invoked after the cut are not needed (see `KeyHistory::prefix_set` for exactly what
//!    is kept).
//! 2. **Window**: try only the operations just before the culprit (the one returning at
//!    the cut) and the writes whose values they saw, in widening windows. A stale read of
//!    a value written long ago typically reduces to a handful of operations in one cheap
//!    search, instead of many searches over thousands.
//! 3. **Chunks**: drop halves, quarters, ... of what is left while the rest stays
//!    non-linearizable (the coarse passes of Zeller's delta debugging), so a long history
//!    shrinks in a logarithmic number of searches rather than one per operation.
//! 4. **Singles**: try dropping operations one at a time, repeating until no single drop
//!    keeps the violation. The result is then *locally minimal*.
//!
//! Dropping a write also drops the reads that only it could explain (`KeyHistory::without`).
//! Every accepted set has been proven non-linearizable by a search; if the step budget
//! runs out first, the set found so far is returned, flagged as not minimal.

use super::key_history::KeyHistory;
use super::wgl::{Search, SearchStatus};

#[derive(Clone, Debug)]
pub(crate) struct Shrinker {
    stage: Stage,
    current: Vec<usize>,
    /// The running search and the candidate set it tests.
    probe: Option<(Search, Vec<usize>)>,
    cuts: Vec<u64>,
    budget: u64,
    probe_limit: u64,
    minimal: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Try the cut just after the return where the first search got stuck: usually the
    /// answer, or right next to it.
    Hint {
        at: usize,
    },
    /// The shortest violating prefix is the cut at index `lo..=hi` (`cuts.len()`: no cut).
    /// With `gallop > 0` the next probe is `gallop` below `hi` (doubling while prefixes stay
    /// violated); with 0, the middle.
    Cut {
        lo: usize,
        hi: usize,
        gallop: usize,
    },
    /// Try just the operations around the culprit (the one returning at the cut), within
    /// `width` events before its call, plus the writes of the values they saw: a stale
    /// read usually needs only the ancient write and a few recent ones. Widths double
    /// until the window holds half the set.
    Window {
        culprit: usize,
        width: u64,
    },
    Chunks {
        size: usize,
        start: usize,
    },
    /// `unsure`: some search of this pass gave up, so its operation stayed unproven.
    Singles {
        pos: usize,
        removed_any: bool,
        unsure: bool,
    },
    Done,
}

/// A shrunk violation: indices into the key's operations, ascending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Shrunk {
    pub ops: Vec<usize>,
    /// Every single drop was tried and none kept the violation.
    pub minimal: bool,
}

impl Shrinker {
    /// Shrink `kh`, known not to be linearizable, spending at most `budget` search steps in
    /// all and at most `probe_limit` on any one search. `blocked_at` is where the search
    /// that found the violation got stuck last (`Search::blocked_at`), if known.
    pub(crate) fn new(
        kh: &KeyHistory,
        budget: u64,
        probe_limit: u64,
        blocked_at: Option<u64>,
    ) -> Shrinker {
        let cuts = kh.cuts();
        let hint = blocked_at
            .map(|b| cuts.partition_point(|&c| c < b))
            .filter(|&at| at < cuts.len());
        let stage = match hint {
            Some(at) => Stage::Hint { at },
            None => Stage::Cut {
                lo: 0,
                hi: cuts.len(),
                gallop: 0,
            },
        };
        Shrinker {
            stage,
            current: kh.all(),
            probe: None,
            cuts,
            budget,
            probe_limit,
            minimal: false,
        }
    }

    /// Work for at most `max_steps` search steps. Returns the steps used and, once done,
    /// the result.
    pub(crate) fn run(&mut self, kh: &KeyHistory, max_steps: u64) -> (u64, Option<Shrunk>) {
        let mut used = 0u64;
        loop {
            if self.stage == Stage::Done {
                let shrunk = Shrunk {
                    ops: self.current.clone(),
                    minimal: self.minimal,
                };
                return (used, Some(shrunk));
            }
            let Some((search, _)) = self.probe.as_mut() else {
                self.next_probe(kh);
                continue;
            };
            if self.budget == 0 {
                self.probe = None;
                self.minimal = false;
                self.stage = Stage::Done;
                continue;
            }
            if used >= max_steps {
                return (used, None);
            }
            let allowed = max_steps.saturating_sub(used).min(self.budget);
            let (u, status) = search.run(allowed);
            used += u;
            self.budget -= u.min(self.budget);
            if status != SearchStatus::Running {
                if let Some((_, candidate)) = self.probe.take() {
                    self.conclude(status, candidate);
                }
            }
        }
    }

    /// Start the search the current stage needs next (or move to the next stage).
    fn next_probe(&mut self, kh: &KeyHistory) {
        let limit = self.probe_limit.min(self.budget);
        match self.stage {
            Stage::Hint { at } => {
                let ops = kh.prefix_ops(self.cuts[at]);
                self.probe = Some((kh.search(&ops, limit), Vec::new()));
            }
            Stage::Cut { lo, hi, gallop } => {
                if lo >= hi {
                    let cut = self.cuts.get(hi).copied();
                    self.current = kh.prefix_set(cut);
                    let culprit = cut.and_then(|c| kh.ret_pos.iter().position(|&r| r == Some(c)));
                    self.stage = match culprit {
                        Some(culprit) => Stage::Window { culprit, width: 8 },
                        None => self.chunks(),
                    };
                    return;
                }
                let ops = kh.prefix_ops(self.cuts[probe_at(lo, hi, gallop)]);
                self.probe = Some((kh.search(&ops, limit), Vec::new()));
            }
            Stage::Window { culprit, width } => match kh.window(&self.current, culprit, width) {
                Some(candidate) if candidate.len() <= self.current.len() / 2 => {
                    let search = kh.search(&kh.search_ops(&candidate), limit);
                    self.probe = Some((search, candidate));
                }
                _ => self.stage = self.chunks(),
            },
            Stage::Chunks { size, start } => {
                if size < 2 {
                    self.stage = Stage::Singles {
                        pos: 0,
                        removed_any: false,
                        unsure: false,
                    };
                } else if start >= self.current.len() {
                    self.stage = Stage::Chunks {
                        size: size / 2,
                        start: 0,
                    };
                } else {
                    let end = (start + size).min(self.current.len());
                    let candidate = kh.without(&self.current, &self.current[start..end]);
                    if candidate.is_empty() {
                        self.stage = Stage::Chunks {
                            size,
                            start: start + size,
                        };
                    } else {
                        let search = kh.search(&kh.search_ops(&candidate), limit);
                        self.probe = Some((search, candidate));
                    }
                }
            }
            Stage::Singles {
                pos,
                removed_any,
                unsure,
            } => {
                if pos >= self.current.len() {
                    if removed_any {
                        self.stage = Stage::Singles {
                            pos: 0,
                            removed_any: false,
                            unsure: false,
                        };
                    } else {
                        self.minimal = !unsure;
                        self.stage = Stage::Done;
                    }
                    return;
                }
                let candidate = kh.without(&self.current, &self.current[pos..=pos]);
                if candidate.is_empty() {
                    self.stage = Stage::Singles {
                        pos: pos + 1,
                        removed_any,
                        unsure,
                    };
                } else {
                    let search = kh.search(&kh.search_ops(&candidate), limit);
                    self.probe = Some((search, candidate));
                }
            }
            Stage::Done => {}
        }
    }

    /// The first chunk stage for the current set.
    fn chunks(&self) -> Stage {
        Stage::Chunks {
            size: self.current.len() / 2,
            start: 0,
        }
    }

    /// Take a finished search's answer (`violated`: proven not linearizable; a search that
    /// gave up counts as "not proven", so the operation stays).
    fn conclude(&mut self, status: SearchStatus, candidate: Vec<usize>) {
        let violated = status == SearchStatus::NotLinearizable;
        self.stage = match self.stage {
            Stage::Hint { at } => {
                if violated {
                    Stage::Cut {
                        lo: 0,
                        hi: at,
                        gallop: 1,
                    }
                } else {
                    Stage::Cut {
                        lo: at + 1,
                        hi: self.cuts.len(),
                        gallop: 0,
                    }
                }
            }
            Stage::Cut { lo, hi, gallop } => {
                let at = probe_at(lo, hi, gallop);
                if violated {
                    Stage::Cut {
                        lo,
                        hi: at,
                        gallop: gallop.saturating_mul(2),
                    }
                } else {
                    Stage::Cut {
                        lo: at + 1,
                        hi,
                        gallop: 0,
                    }
                }
            }
            Stage::Window { culprit, width } => {
                if violated {
                    self.current = candidate;
                    self.chunks()
                } else {
                    Stage::Window {
                        culprit,
                        width: width.saturating_mul(2),
                    }
                }
            }
            Stage::Chunks { size, start } => {
                if violated {
                    self.current = candidate;
                    Stage::Chunks { size, start }
                } else {
                    Stage::Chunks {
                        size,
                        start: start + size,
                    }
                }
            }
            Stage::Singles {
                pos,
                removed_any,
                unsure,
            } => {
                if violated {
                    self.current = candidate;
                    Stage::Singles {
                        pos,
                        removed_any: true,
                        unsure,
                    }
                } else {
                    Stage::Singles {
                        pos: pos + 1,
                        removed_any,
                        unsure: unsure || status == SearchStatus::GaveUp,
                    }
                }
            }
            Stage::Done => Stage::Done,
        };
    }
}
/// The cut to probe next within `lo..hi`: `gallop` below `hi`, or the middle.
fn probe_at(lo: usize, hi: usize, gallop: usize) -> usize {
    if gallop > 0 {
        hi.saturating_sub(gallop).max(lo)
    } else {
        lo + (hi - lo) / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::model::model_ops;
    use crate::consistency::test_support::{history, r, w};

    #[test]
    fn any_hint_leads_to_the_same_offending_set() {
        // A stale read (ops 0-2) inside a long clean history.
        let mut ops = vec![
            w(0, 0, 1, (0, 10)),
            w(0, 0, 2, (20, 30)),
            r(1, 0, Some(1), (40, 50)),
        ];
        for i in 0..30u32 {
            let t = 100 + 20 * u64::from(i);
            ops.push(w(2, 0, 10 + i, (t, t + 5)));
            ops.push(r(3, 0, Some(10 + i), (t + 10, t + 15)));
        }
        let kh = KeyHistory::new(0, model_ops(&history(ops)));
        for hint in [None, Some(0), Some(5), Some(60), Some(u64::MAX)] {
            let mut shrinker = Shrinker::new(&kh, 1_000_000, 100_000, hint);
            let (_, shrunk) = shrinker.run(&kh, u64::MAX);
            let shrunk = shrunk.expect("finished");
            assert_eq!(shrunk.ops, vec![0, 1, 2], "hint {hint:?}");
            assert!(shrunk.minimal);
        }
    }

    #[test]
    fn probes_gallop_down_then_bisect() {
        assert_eq!(probe_at(0, 100, 1), 99);
        assert_eq!(probe_at(0, 100, 8), 92);
        assert_eq!(probe_at(95, 100, 8), 95);
        assert_eq!(probe_at(0, 100, 0), 50);
        assert_eq!(probe_at(10, 11, 0), 10);
    }
}
