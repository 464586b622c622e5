//! Sequential consistency (Lamport, "How to make a multiprocessor computer that correctly
//! executes multiprocess programs", IEEE Trans. Computers 1979): is there one total order
//! of all operations, consistent with each process's own program order, in which every read
//! returns the latest write? Unlike linearizability, real time *across* processes does not
//! count: a read may return a value another client overwrote long ago, as long as that
//! client's later operations can be ordered after it.
//!
//! Sequential consistency is not local (Herlihy & Wing 1990 show a history that is SC per
//! object but not as a whole), so the search runs over all keys at once: a depth-first
//! search over interleavings of the processes' programs, with the state (how far each
//! program has got, each key's value) memoized as in Lowe's linearizability search. Deciding
//! SC is NP-complete (Gibbons & Korach 1997); the step limit turns hard cases into
//! [`Verdict::Unknown`]. Two prunings keep common cases small: a read that fits the current
//! state is placed at once without alternatives (it changes nothing, so any legal order can
//! be rearranged to place it there), and a state is abandoned as soon as a value some
//! unplaced read needs has been overwritten with no write of it left to place.
//!
//! Most histories a correct store produces are linearizable, and a linearizable history is
//! sequentially consistent, so the check first runs the (much cheaper, per-key)
//! linearizability search and, if every key passes, merges the keys' linearizations into
//! one order that respects every program: no interleaving search at all. Only otherwise
//! does the interleaving search run, with the steps that are left.
//!
//! A timed-out write or compare-and-set may have taken effect at any point after its
//! invocation, including after the client's later operations (it gave up waiting, not the
//! store), so it gets its own one-operation "program" that may only start once the
//! operations before it in its client's program are placed. Failed operations and
//! unanswered reads are dropped, as in every check here.

use super::key_history::KeyHistory;
use super::model::{model_ops, Effect, ModelOp};
use super::wgl::{Search, SearchStatus};
use super::{Limits, Verdict};
use crate::history::History;
use crate::ids::{client_name, ClientId};
use serde::Serialize;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasherDefault;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SequentialReport {
    pub verdict: Verdict,
    pub steps: u64,
    /// When it holds: one legal order (indices into `History::operations`) that respects
    /// every client's program order. Indeterminate operations that could simply come last
    /// (or never take effect) may be missing.
    pub witness: Option<Vec<usize>>,
    /// When it does not hold (or the search gave up): what went wrong, in one sentence.
    pub explanation: Option<String>,
}

impl SequentialReport {
    pub fn is_sequentially_consistent(&self) -> bool {
        self.verdict == Verdict::Holds
    }
}

/// Check `history` in one go (with the default step limit).
pub fn check_sequential(history: &History) -> SequentialReport {
    let mut check = SequentialCheck::new(history);
    loop {
        if let Some(report) = check.run(u64::MAX) {
            return report;
        }
    }
}

/// A sequential-consistency check in progress (resumable, like
/// [`LinearizabilityCheck`](super::LinearizabilityCheck)).
#[derive(Clone, Debug)]
pub struct SequentialCheck {
    ops: Vec<ModelOp>,
    chains: Vec<Chain>,
    /// Each op's key, as an index into `values`.
    key_slot: Vec<usize>,
    key_names: Vec<u16>,
    positions: Vec<u32>,
    values: Vec<Option<u32>>,
    /// Operations not yet placed that must be (not indeterminate).
    must_place: usize,
    stack: Vec<Frame>,
    visited: HashSet<Box<[u64]>, BuildHasherDefault<DefaultHasher>>,
    steps: u64,
    limit: u64,
    /// Steps charged for remembering one state: one, plus one per four words of it, so the
    /// step limit also bounds memory (at most about 32 bytes of states per step).
    node_cost: u64,
    phase: Phase,
    /// Per op: the id of the (key, value) it reads, and of the (key, value) it may write.
    read_id: Vec<Option<usize>>,
    write_id: Vec<Option<usize>>,
    /// Per (key, value) id: unplaced reads of it, and unplaced operations that may write it.
    readers_left: Vec<u32>,
    writers_left: Vec<u32>,
    /// Id of each (key slot, value) that some operation reads or writes.
    value_ids: BTreeMap<(usize, Option<u32>), usize>,
    /// The operation returned at the very time its process invoked the next one.
    touches_next: Vec<bool>,
    /// Per key (slot): its operations (indices into `ops`), in history order.
    key_members: Vec<Vec<usize>>,
    /// Per key, as far as checked: a linearization (indices into `ops`).
    key_orders: Vec<Vec<usize>>,
    /// Frames opened so far (frame ids).
    frames: u64,
    deepest: Deepest,
    done: Option<SequentialReport>,
}

/// One process's program (or one indeterminate operation), in program order.
#[derive(Clone, Debug)]
struct Chain {
    ops: Vec<usize>,
    /// May start only once chain `.0` has placed `.1` operations.
    after: Option<(usize, u32)>,
}

#[derive(Clone, Debug)]
enum Phase {
    /// Looking for a linearization of key `slot` (all earlier keys have one).
    Linearize { slot: usize, search: Box<Search> },
    /// Every key has one: merge them.
    Merge,
    /// The interleaving search; `started` once the root state is entered.
    Interleave { started: bool },
}

/// The state with the most operations placed, for the explanation of a violation.
#[derive(Clone, Debug, Default)]
struct Deepest {
    depth: usize,
    /// Its frame's id (`None` before the first frame).
    frame: Option<u64>,
    /// The operations that could come next there.
    next: Vec<usize>,
    /// Why each that was tried there failed, in words.
    notes: Vec<String>,
}

#[derive(Clone, Debug)]
struct Frame {
    id: u64,
    /// Chains whose next operation may be placed here, most promising first.
    candidates: Vec<usize>,
    next: usize,
    /// The placement that led here: chain and the key's value before it.
    placed: Option<(usize, Option<u32>)>,
}

impl SequentialCheck {
    pub fn new(history: &History) -> SequentialCheck {
        SequentialCheck::with_limits(history, Limits::default())
    }

    /// Uses `limits.search_steps` (shrinking does not apply).
    pub fn with_limits(history: &History, limits: Limits) -> SequentialCheck {
        // A compare-and-set that found another value is left out here: its hint ("the
        // value was not `from`") only ever rules orders out, so ignoring it can make a
        // history easier to explain but never raises a false alarm.
        let ops: Vec<ModelOp> = model_ops(history)
            .into_iter()
            .filter(|op| !matches!(op.effect, Effect::FailedCas { .. }))
            .collect();
        let mut by_process: BTreeMap<ClientId, Vec<usize>> = BTreeMap::new();
        for (i, op) in ops.iter().enumerate() {
            by_process.entry(op.process).or_default().push(i);
        }
        let mut chains = Vec::new();
        let mut touches_next = vec![false; ops.len()];
        for (_, mut program) in by_process {
            program.sort_by_key(|&i| (ops[i].seq, ops[i].index));
            for pair in program.windows(2) {
                touches_next[pair[0]] = ops[pair[0]].ret == Some(ops[pair[1]].call);
            }
            let main = chains.len();
            chains.push(Chain {
                ops: Vec::new(),
                after: None,
            });
            for i in program {
                if ops[i].indeterminate {
                    let before = chains[main].ops.len() as u32;
                    chains.push(Chain {
                        ops: vec![i],
                        after: Some((main, before)),
                    });
                } else {
                    chains[main].ops.push(i);
                }
            }
        }
        let key_names: Vec<u16> = ops
            .iter()
            .map(|op| op.key)
            .collect::<std::collections::BTreeSet<u16>>()
            .into_iter()
            .collect();
        let key_slot: Vec<usize> = ops
            .iter()
            .map(|op| key_names.binary_search(&op.key).unwrap_or(0))
            .collect();
        let must_place = ops.iter().filter(|op| !op.indeterminate).count();
        let node_cost = 1 + (chains.len() + key_names.len()) as u64 / 4;
        let mut value_ids: BTreeMap<(usize, Option<u32>), usize> = BTreeMap::new();
        let mut id_of = |slot: usize, value: Option<u32>| {
            let next = value_ids.len();
            *value_ids.entry((slot, value)).or_insert(next)
        };
        let read_id: Vec<Option<usize>> = ops
            .iter()
            .zip(&key_slot)
            .map(|(op, &slot)| match op.effect {
                Effect::Read(v) => Some(id_of(slot, v)),
                _ => None,
            })
            .collect();
        let write_id: Vec<Option<usize>> = ops
            .iter()
            .zip(&key_slot)
            .map(|(op, &slot)| op.effect.written().map(|v| id_of(slot, Some(v))))
            .collect();
        let mut readers_left = vec![0u32; value_ids.len()];
        let mut writers_left = vec![0u32; value_ids.len()];
        for id in read_id.iter().flatten() {
            readers_left[*id] += 1;
        }
        for id in write_id.iter().flatten() {
            writers_left[*id] += 1;
        }
        let mut key_members: Vec<Vec<usize>> = vec![Vec::new(); key_names.len()];
        for (i, &slot) in key_slot.iter().enumerate() {
            key_members[slot].push(i);
        }
        let phase = if key_members.is_empty() {
            Phase::Merge
        } else {
            Phase::Linearize {
                slot: 0,
                search: Box::new(linearization_search(
                    &ops,
                    &touches_next,
                    &key_members[0],
                    limits.search_steps,
                )),
            }
        };
        SequentialCheck {
            positions: vec![0; chains.len()],
            values: vec![None; key_names.len()],
            ops,
            chains,
            key_slot,
            key_names,
            must_place,
            stack: Vec::new(),
            visited: HashSet::default(),
            steps: 0,
            limit: limits.search_steps,
            node_cost,
            phase,
            key_members,
            read_id,
            write_id,
            readers_left,
            writers_left,
            value_ids,
            touches_next,
            key_orders: Vec::new(),
            frames: 0,
            deepest: Deepest::default(),
            done: None,
        }
    }

    /// Steps spent so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Do at most `max_steps` steps; the report once finished (and on every later call).
    pub fn run(&mut self, max_steps: u64) -> Option<SequentialReport> {
        let start = self.steps;
        loop {
            let used = self.steps - start;
            if let Some(report) = &self.done {
                return Some(report.clone());
            }
            match &mut self.phase {
                Phase::Linearize { slot, search } => {
                    let (u, status) = search.run(max_steps.saturating_sub(used));
                    self.steps += u;
                    let slot = *slot;
                    match status {
                        SearchStatus::Running => return None,
                        SearchStatus::Linearizable => {
                            let members = &self.key_members[slot];
                            let order = search.order().iter().map(|&l| members[l]).collect();
                            self.key_orders.push(order);
                            self.phase = match self.key_members.get(slot + 1) {
                                Some(next) => Phase::Linearize {
                                    slot: slot + 1,
                                    search: Box::new(linearization_search(
                                        &self.ops,
                                        &self.touches_next,
                                        next,
                                        self.limit.saturating_sub(self.steps),
                                    )),
                                },
                                None => Phase::Merge,
                            };
                        }
                        SearchStatus::NotLinearizable | SearchStatus::GaveUp => {
                            self.phase = Phase::Interleave { started: false };
                        }
                    }
                }
                Phase::Merge => match self.merge() {
                    Some(witness) => {
                        self.done = Some(SequentialReport {
                            verdict: Verdict::Holds,
                            steps: self.steps,
                            witness: Some(witness),
                            explanation: None,
                        });
                    }
                    None => self.phase = Phase::Interleave { started: false },
                },
                Phase::Interleave { started } => {
                    if !*started {
                        *started = true;
                        self.enter(None);
                        continue;
                    }
                    if self.steps >= self.limit {
                        self.finish(Verdict::Unknown);
                        continue;
                    }
                    if used >= max_steps {
                        return None;
                    }
                    self.steps += 1;
                    self.step();
                }
            }
        }
    }

    /// One order of all operations from the keys' linearizations: repeatedly place a
    /// process's next operation if it is also its key's next. This never gets stuck when
    /// program order is real-time order (one operation outstanding per client): the
    /// unplaced operation earliest in a global linearization always qualifies. `None` if
    /// it does get stuck (a malformed history), leaving the question to the search.
    fn merge(&self) -> Option<Vec<usize>> {
        let mut in_order = vec![false; self.ops.len()];
        for order in &self.key_orders {
            for &op in order {
                in_order[op] = true;
            }
        }
        let mut front = vec![0usize; self.key_orders.len()];
        let mut at = vec![0usize; self.chains.len()];
        let mut witness = Vec::new();
        loop {
            let mut progressed = false;
            let mut finished = true;
            for c in 0..self.chains.len() {
                while let Some(&op) = self.chains[c].ops.get(at[c]) {
                    if let Some((main, count)) = self.chains[c].after {
                        if at[main] < count as usize {
                            break;
                        }
                    }
                    if !in_order[op] {
                        if !self.ops[op].indeterminate {
                            return None;
                        }
                        // Left for last by the search: it may take effect after everything.
                        at[c] += 1;
                        progressed = true;
                        continue;
                    }
                    let slot = self.key_slot[op];
                    if self.key_orders[slot].get(front[slot]) != Some(&op) {
                        break;
                    }
                    front[slot] += 1;
                    at[c] += 1;
                    witness.push(self.ops[op].index);
                    progressed = true;
                }
                finished &= at[c] >= self.chains[c].ops.len();
            }
            if finished {
                return Some(witness);
            }
            if !progressed {
                return None;
            }
        }
    }

    fn step(&mut self) {
        let Some(frame) = self.stack.last_mut() else {
            self.finish(Verdict::Violated);
            return;
        };
        if let Some(&chain) = frame.candidates.get(frame.next) {
            frame.next += 1;
            let at_deepest = self.deepest.frame == Some(frame.id);
            let Some(&op) = self.chains[chain].ops.get(self.positions[chain] as usize) else {
                return;
            };
            let slot = self.key_slot[op];
            let Some(after) = self.ops[op].effect.apply(self.values[slot]) else {
                if at_deepest {
                    let holds = shown(self.values[slot]);
                    let note = format!("{} finds {holds}", describe(&self.ops[op]));
                    self.deepest.notes.push(note);
                }
                return;
            };
            let before = self.values[slot];
            self.values[slot] = after;
            self.positions[chain] += 1;
            if !self.ops[op].indeterminate {
                self.must_place -= 1;
            }
            self.count(op, false);
            self.enter(Some((chain, before)));
            return;
        }
        if let Some(Frame {
            placed: Some((chain, before)),
            ..
        }) = self.stack.pop()
        {
            self.undo(chain, before);
        }
        if self.stack.is_empty() {
            self.finish(Verdict::Violated);
        }
    }

    /// Arrive at the state just reached (by `placed`): succeed, prune it as already
    /// explored or as a dead end, or open a frame for its choices.
    fn enter(&mut self, placed: Option<(usize, Option<u32>)>) {
        let id = self.frames;
        self.frames += 1;
        if self.must_place == 0 {
            self.stack.push(Frame {
                id,
                candidates: Vec::new(),
                next: 0,
                placed,
            });
            self.finish(Verdict::Holds);
            return;
        }
        if let Some((chain, before)) = placed {
            let op = self.chains[chain].ops[self.positions[chain] as usize - 1];
            if let Some(stranded) = self.stranded(op, before) {
                if self.stack.last().map(|f| f.id) == self.deepest.frame {
                    let (what, who) = (describe(&self.ops[op]), describe(&self.ops[stranded]));
                    let note = match before {
                        Some(v) => {
                            format!("{what} would overwrite {v} for good, yet {who} needs it")
                        }
                        None => format!(
                            "{what} would end k{} being unset, yet {who} needs that",
                            self.ops[op].key
                        ),
                    };
                    self.deepest.notes.push(note);
                }
                self.undo(chain, before);
                return;
            }
        }
        let key: Box<[u64]> = self
            .positions
            .iter()
            .map(|&p| u64::from(p))
            .chain(self.values.iter().map(|v| v.map_or(u64::MAX, u64::from)))
            .collect();
        self.steps += self.node_cost - 1;
        if !self.visited.insert(key) {
            if let Some((chain, before)) = placed {
                self.undo(chain, before);
            }
            return;
        }
        let mut candidates: Vec<usize> = (0..self.chains.len())
            .filter(|&c| {
                let chain = &self.chains[c];
                (self.positions[c] as usize) < chain.ops.len()
                    && chain
                        .after
                        .is_none_or(|(main, count)| self.positions[main] >= count)
            })
            .collect();
        candidates.sort_by_key(|&c| {
            let op = self.chains[c].ops[self.positions[c] as usize];
            (self.ops[op].call, c)
        });
        let depth = self.stack.len();
        if self.deepest.frame.is_none() || depth > self.deepest.depth {
            self.deepest = Deepest {
                depth,
                frame: Some(id),
                next: candidates
                    .iter()
                    .map(|&c| self.chains[c].ops[self.positions[c] as usize])
                    .collect(),
                notes: Vec::new(),
            };
        }
        // A read that fits now goes now, with no alternatives: it changes nothing, its
        // program predecessors are placed, and any legal continuation can be rearranged to
        // start with it. Only writes ever branch.
        let fits = candidates.iter().copied().find(|&c| {
            let op = self.chains[c].ops[self.positions[c] as usize];
            let effect = self.ops[op].effect;
            matches!(effect, Effect::Read(_))
                && effect.apply(self.values[self.key_slot[op]]).is_some()
        });
        if let Some(read) = fits {
            candidates = vec![read];
        }
        self.stack.push(Frame {
            id,
            candidates,
            next: 0,
            placed,
        });
    }

    fn undo(&mut self, chain: usize, before: Option<u32>) {
        self.positions[chain] -= 1;
        let op = self.chains[chain].ops[self.positions[chain] as usize];
        self.values[self.key_slot[op]] = before;
        if !self.ops[op].indeterminate {
            self.must_place += 1;
        }
        self.count(op, true);
    }

    /// Take `op` out of (or, undoing, back into) the unplaced readers and writers.
    fn count(&mut self, op: usize, back: bool) {
        let adjust = |n: &mut u32| *n = if back { *n + 1 } else { n.saturating_sub(1) };
        if let Some(id) = self.read_id[op] {
            adjust(&mut self.readers_left[id]);
        }
        if let Some(id) = self.write_id[op] {
            adjust(&mut self.writers_left[id]);
        }
    }

    /// Did placing `op` replace `before` for good while an unplaced read still needs it
    /// (nothing left can write it again; nothing ever writes "unset")? Then no order can
    /// continue from here. Returns such a read.
    fn stranded(&self, op: usize, before: Option<u32>) -> Option<usize> {
        let slot = self.key_slot[op];
        if self.values[slot] == before {
            return None;
        }
        let id = *self.value_ids.get(&(slot, before))?;
        if self.readers_left[id] == 0 || (before.is_some() && self.writers_left[id] > 0) {
            return None;
        }
        self.chains
            .iter()
            .zip(&self.positions)
            .find_map(|(chain, &at)| {
                chain.ops[at as usize..]
                    .iter()
                    .copied()
                    .find(|&i| self.read_id[i] == Some(id))
            })
    }

    fn finish(&mut self, verdict: Verdict) {
        // The k-th placement of a chain on the stack is that chain's k-th operation.
        let witness = (verdict == Verdict::Holds).then(|| {
            let mut at = vec![0usize; self.chains.len()];
            self.stack
                .iter()
                .filter_map(|frame| frame.placed)
                .filter_map(|(c, _)| {
                    let op = *self.chains[c].ops.get(at[c])?;
                    at[c] += 1;
                    Some(self.ops[op].index)
                })
                .collect()
        });
        let explanation = match verdict {
            Verdict::Holds => None,
            Verdict::Violated => Some(self.explain_violation()),
            Verdict::Unknown => Some(format!(
                "gave up after {} steps over {} operations ({} with unknown outcome)",
                self.steps,
                self.ops.len(),
                self.ops.iter().filter(|op| op.indeterminate).count()
            )),
        };
        self.done = Some(SequentialReport {
            verdict,
            steps: self.steps,
            witness,
            explanation,
        });
    }

    fn explain_violation(&self) -> String {
        let total = self.ops.len();
        let deepest = &self.deepest;
        let keys: Vec<String> = self.key_names.iter().map(|k| format!("k{k}")).collect();
        let why = if deepest.notes.is_empty() {
            let next: Vec<String> = deepest
                .next
                .iter()
                .map(|&i| describe(&self.ops[i]))
                .collect();
            format!("none of the next operations fits ({})", list(&next))
        } else {
            format!("nothing can come next: {}", list(&deepest.notes))
        };
        format!(
            "no order of the {total} operations on {} keeps every client's own order and \
             explains every result; the longest consistent start places {} of them, and then \
             {why}",
            keys.join(", "),
            deepest.depth
        )
    }
}

/// Up to four items, "a; b; c; d and 3 more".
fn list(items: &[String]) -> String {
    let shown = items.iter().take(4).cloned().collect::<Vec<_>>().join("; ");
    match items.len().saturating_sub(4) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// "3" or "unset".
fn shown(value: Option<u32>) -> String {
    value.map_or_else(|| "unset".to_string(), |v| v.to_string())
}

/// The linearizability search over one key's operations (`members`, indices into `ops`).
///
/// The merge needs every key's order to respect program order, also across keys. Within a
/// key the search already orders a client's operation after the one that returned at the
/// very microsecond it was invoked (`KeyHistory::after`); across keys it cannot, so here
/// such a return is moved a hair earlier (times are doubled to make room). That may also
/// order it before another client's operation invoked in that microsecond, stricter than
/// necessary: it can only make this shortcut fail, and the interleaving search then decides.
fn linearization_search(
    ops: &[ModelOp],
    touches_next: &[bool],
    members: &[usize],
    limit: u64,
) -> Search {
    let key = members.first().map_or(0, |&i| ops[i].key);
    let sharpened = members
        .iter()
        .map(|&i| {
            let mut op = ops[i];
            op.call = op.call.saturating_mul(2);
            op.ret = op.ret.map(|r| {
                let r = r.saturating_mul(2);
                if touches_next[i] {
                    r.saturating_sub(1).max(op.call)
                } else {
                    r
                }
            });
            op
        })
        .collect();
    let kh = KeyHistory::new(key, sharpened);
    Search::new(&kh.search_ops(&kh.all()), limit)
}

/// "C1's read of k0 returning 3", "C2's write of 5 to k1", ...
fn describe(op: &ModelOp) -> String {
    let who = client_name(op.process);
    let key = op.key;
    match op.effect {
        Effect::Read(Some(v)) => format!("{who}'s read of k{key} returning {v}"),
        Effect::Read(None) => format!("{who}'s read of k{key} returning unset"),
        Effect::Write(v) => format!("{who}'s write of {v} to k{key}"),
        Effect::Cas { from, to } | Effect::MaybeCas { from, to } => {
            format!("{who}'s compare-and-set of k{key} from {from} to {to}")
        }
        Effect::FailedCas { from } => {
            format!("{who}'s failed compare-and-set of k{key} from {from}")
        }
        Effect::Append { .. } => format!("{who}'s append to k{key}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::test_support::{cas, failed, history, r, timed_out, w};
    use crate::consistency::{bench_history, check_linearizable};

    /// Replay `witness` on fresh registers, checking every result and each client's
    /// program order (independently of the search).
    fn assert_valid_witness(h: &History, witness: &[usize]) {
        let mut values: BTreeMap<u16, u32> = BTreeMap::new();
        let mut last_seq: BTreeMap<u16, u32> = BTreeMap::new();
        for &i in witness {
            let op = &h.operations[i];
            let timed_out = !matches!(op.outcome, Some(crate::client::Outcome::Ok { .. }));
            if !timed_out {
                let seq = last_seq.entry(op.process).or_insert(0);
                assert!(op.seq >= *seq, "op {i} out of program order");
                *seq = op.seq;
            }
            let key = op.op.key();
            let current = values.get(&key).copied();
            match (op.op, op.outcome) {
                (
                    crate::client::ClientOp::Read { .. },
                    Some(crate::client::Outcome::Ok { value }),
                ) => {
                    assert_eq!(value, current, "read {i}")
                }
                (crate::client::ClientOp::Write { value, .. }, _) => {
                    values.insert(key, value);
                }
                (crate::client::ClientOp::Cas { from, to, .. }, outcome) => {
                    if current == Some(from) {
                        values.insert(key, to);
                    } else {
                        assert!(
                            timed_out
                                || outcome != Some(crate::client::Outcome::Ok { value: None }),
                            "cas {i}"
                        );
                    }
                }
                _ => {}
            }
        }
    }

    #[test]
    fn sequentially_consistent_but_not_linearizable() {
        // C2 reads the key unset after C1's write completed: stale in real time, but C2's
        // read can be ordered before C1's write.
        let h = history(vec![w(0, 0, 1, (0, 10)), r(1, 0, None, (20, 30))]);
        assert_eq!(check_linearizable(&h).verdict, Verdict::Violated);
        let report = check_sequential(&h);
        assert_eq!(report.verdict, Verdict::Holds, "{report:?}");
        let witness = report.witness.expect("witness");
        assert_eq!(witness, vec![1, 0]);
        assert_valid_witness(&h, &witness);
    }

    #[test]
    fn reads_that_disagree_on_the_order_of_writes_are_not_sc() {
        // C1 writes 1 then 2; C2 sees 2 then 1.
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(0, 0, 2, (20, 30)),
            r(1, 0, Some(2), (40, 50)),
            r(1, 0, Some(1), (60, 70)),
        ]);
        let report = check_sequential(&h);
        assert_eq!(report.verdict, Verdict::Violated);
        assert!(report.witness.is_none());
        let text = report.explanation.expect("explanation");
        assert!(text.contains("keeps every client's own order"), "{text}");
        assert!(text.contains("C2's read of k0 returning 1"), "{text}");
    }

    #[test]
    fn sequential_consistency_is_not_checked_key_by_key() {
        // The store-buffer (Dekker) pattern: each key alone is fine, both together are not.
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            w(1, 1, 1, (0, 10)),
            r(0, 1, None, (20, 30)),
            r(1, 0, None, (20, 30)),
        ]);
        for key in [0u16, 1] {
            let only: Vec<_> = h
                .operations
                .iter()
                .filter(|op| op.op.key() == key)
                .cloned()
                .collect();
            let alone = check_sequential(&History { operations: only });
            assert_eq!(alone.verdict, Verdict::Holds, "k{key}");
        }
        assert_eq!(check_sequential(&h).verdict, Verdict::Violated);
    }

    #[test]
    fn timed_out_writes_may_land_late_and_failed_ones_never() {
        let late = history(vec![
            timed_out(w(0, 0, 1, (0, 10))),
            w(0, 0, 2, (20, 30)),
            r(1, 0, Some(2), (40, 50)),
            r(1, 0, Some(1), (60, 70)),
        ]);
        let report = check_sequential(&late);
        assert_eq!(report.verdict, Verdict::Holds);
        assert_valid_witness(&late, &report.witness.expect("witness"));
        let acknowledged = history(vec![
            w(0, 0, 1, (0, 10)),
            w(0, 0, 2, (20, 30)),
            r(1, 0, Some(2), (40, 50)),
            r(1, 0, Some(1), (60, 70)),
        ]);
        assert_eq!(check_sequential(&acknowledged).verdict, Verdict::Violated);
        let failed_write = history(vec![
            failed(w(0, 0, 1, (0, 10))),
            r(1, 0, Some(1), (20, 30)),
        ]);
        assert_eq!(check_sequential(&failed_write).verdict, Verdict::Violated);
        let cas_chain = history(vec![
            w(0, 0, 1, (0, 10)),
            cas(1, 0, 1, 2, (20, 30)),
            r(2, 0, Some(2), (40, 50)),
            r(2, 0, Some(1), (60, 70)),
        ]);
        assert_eq!(check_sequential(&cas_chain).verdict, Verdict::Violated);
    }

    /// Prints the effort for a large generated history (run with `--release --nocapture`);
    /// asserts only the verdict.
    #[test]
    fn a_large_generated_history_is_sc() {
        let h = bench_history(10_000, 5, 1);
        let started = std::time::Instant::now();
        let report = check_sequential(&h);
        let elapsed = started.elapsed();
        assert_eq!(report.verdict, Verdict::Holds, "{:?}", report.explanation);
        println!(
            "sequential consistency, 10,000 ops: {} steps in {:.1} ms",
            report.steps,
            elapsed.as_secs_f64() * 1e3
        );
    }

    /// Two clients write 1, 2, 3, ... in turn; two others read from lagging replicas (3 and
    /// 5 writes behind). Not linearizable (stale reads), but sequentially consistent: each
    /// reader's view only moves forward. Large enough that the interleaving search has to
    /// be good at it.
    #[test]
    fn lagging_readers_are_sc_at_scale() {
        let mut ops = Vec::new();
        for i in 0..300u64 {
            let t = 10 * i;
            ops.push(w((i % 2) as u16, 0, i as u32 + 1, (t, t + 5)));
            let lagging = |by: u64| i.checked_sub(by).map(|v| v as u32 + 1);
            ops.push(r(2, 0, lagging(3), (t + 6, t + 7)));
            ops.push(r(3, 0, lagging(5), (t + 2, t + 8)));
        }
        let h = history(ops);
        assert_eq!(check_linearizable(&h).verdict, Verdict::Violated);
        let report = check_sequential(&h);
        assert_eq!(report.verdict, Verdict::Holds, "{report:?}");
        assert_valid_witness(&h, &report.witness.expect("witness"));
        // One reader going back makes it not SC.
        let mut broken = h.clone();
        if let Some(op) = broken.operations.iter_mut().rev().find(|o| o.process == 2) {
            op.outcome = Some(crate::client::Outcome::Ok { value: Some(1) });
        }
        let report = check_sequential(&broken);
        assert_eq!(report.verdict, Verdict::Violated, "{report:?}");
    }

    #[test]
    fn generated_histories_are_sc_with_a_valid_witness() {
        let h = bench_history(400, 4, 5);
        let report = check_sequential(&h);
        assert_eq!(report.verdict, Verdict::Holds, "{report:?}");
        assert_valid_witness(&h, &report.witness.expect("witness"));
        assert_eq!(
            check_sequential(&History::default()).verdict,
            Verdict::Holds
        );
    }

    #[test]
    fn checking_in_slices_matches_one_shot_and_the_limit_answers_unknown() {
        let histories = [
            bench_history(200, 3, 1),
            history(vec![
                w(0, 0, 1, (0, 10)),
                w(0, 0, 2, (20, 30)),
                r(1, 0, Some(2), (40, 50)),
                r(1, 0, Some(1), (60, 70)),
            ]),
        ];
        for h in &histories {
            let one_shot = check_sequential(h);
            let mut check = SequentialCheck::new(h);
            let sliced = loop {
                if let Some(report) = check.run(10) {
                    break report;
                }
            };
            assert_eq!(sliced, one_shot);
        }
        let tight = Limits {
            search_steps: 20,
            shrink_steps: 0,
        };
        let mut check = SequentialCheck::with_limits(&bench_history(200, 3, 1), tight);
        let report = check.run(u64::MAX).expect("finished");
        assert_eq!(report.verdict, Verdict::Unknown);
        assert!(report.explanation.is_some_and(|e| e.starts_with("gave up")));
    }
}
