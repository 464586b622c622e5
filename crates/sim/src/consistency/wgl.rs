//! The linearizability search for one register: Wing & Gong's algorithm (J. Parallel Distrib.
//! Comput. 1993) with Lowe's memoization ("Testing for linearizability", Concurrency and
//! Computation 2017), laid out as Porcupine does.
//!
//! The history is a doubly linked list of call and return entries in time order. The search
//! walks it from the front: at a call entry it tries to linearize that operation next (legal
//! in the current state, and the pair (set of linearized operations, state) not seen
//! before), lifting its call and return out of the list on success; reaching a return entry
//! means the operation it closes had to come earlier, so it backtracks. Lowe's cache of
//! (linearized set, state) pairs is what keeps this from being exponential on real
//! histories: two orders of the same operations that reach the same state are the same.
//!
//! Three refinements over Porcupine's loop, each argued where it is implemented:
//! - a read that is legal when a configuration is reached is linearized at once, with no
//!   alternatives (`on_arrival`): reads never branch;
//! - otherwise the first operation tried is the one the earliest pending return needs (a
//!   hunch; every candidate is still tried if it fails);
//! - values nobody reads are merged into one (`merge_unobserved`), so the cache also
//!   identifies orders that differ only in which overwritten value the register held.
//!
//! The search is a resumable state machine (`run(max_steps)`) with a hard step limit, so a
//! browser can check in slices and a pathological history ends in "unknown", not a hang.
//! One step is one attempt to linearize an entry, one visit of a new configuration, or one
//! backtrack.

use super::model::{AppendTable, Effect, DEAD};
use crate::rng::splitmix64;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// One operation of the register history to search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SearchOp {
    pub effect: Effect,
    /// Invocation time. Equal times are ordered call-before-return (treated as overlapping).
    pub call: u64,
    /// Return time; `None` is infinitely late.
    pub ret: Option<u64>,
    /// The search may stop once only such operations are left (indeterminate operations,
    /// which can take effect after everything else or never).
    pub free: bool,
    /// An operation (index into the same list) that must be linearized before this one,
    /// beyond what the times say (see `KeyHistory::after`).
    pub after: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SearchStatus {
    Running,
    Linearizable,
    NotLinearizable,
    /// The step limit ran out first.
    GaveUp,
}

const HEAD: u32 = 0;
const NIL: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub(crate) struct Search {
    effects: Vec<Effect>,
    appends: AppendTable,
    free: Vec<bool>,
    after: Vec<Option<usize>>,
    /// For a free operation, the free operation with the same effect invoked just before
    /// it, if any (see `first_twin`).
    twin: Vec<Option<usize>>,
    /// How many operations share each one's effect (not counting those tied by `after`,
    /// which count 1): only in a family of two or more can one be `dominated`.
    family: Vec<u32>,
    /// Tied to another operation by `after`, either way.
    pinned: Vec<bool>,
    /// Each operation's return time (`u64::MAX`: none), for `blocked_at`.
    ret_time: Vec<u64>,
    blocked_at: Option<u64>,
    /// Linked list over nodes: 0 is the head; op `i` has call node `2i+1` and return `2i+2`.
    next: Vec<u32>,
    prev: Vec<u32>,
    cursor: u32,
    state: Option<u32>,
    linearized: Vec<u64>,
    /// Zobrist hash of `linearized` (xor of one random word per member).
    hash: u64,
    zobrist: Vec<u64>,
    cache: HashMap<u64, Vec<u32>, BuildHasherDefault<PassThrough>>,
    entries: Vec<CacheEntry>,
    scratch: Vec<u32>,
    /// Linearized call nodes, in order.
    calls: Vec<Call>,
    /// The current configuration was just reached: look for a read to take first.
    fresh: bool,
    /// Operations that are not free and not linearized yet.
    must_place: usize,
    steps: u64,
    limit: u64,
    status: SearchStatus,
}

impl Search {
    /// A search over `ops` that gives up after `limit` steps.
    pub(crate) fn new(ops: &[SearchOp], limit: u64) -> Search {
        let n = ops.len();
        let mut events: Vec<(u64, u8, u32)> = Vec::with_capacity(2 * n);
        for (i, op) in ops.iter().enumerate() {
            let i = i as u32;
            events.push((op.call, 0, i));
            events.push((op.ret.map_or(u64::MAX, |r| r.max(op.call)), 1, i));
        }
        events.sort_unstable();
        let nodes = 2 * n + 1;
        let mut next = vec![NIL; nodes];
        let mut prev = vec![NIL; nodes];
        let mut last = HEAD;
        for &(_, kind, i) in &events {
            let node = 2 * i + 1 + u32::from(kind);
            next[last as usize] = node;
            prev[node as usize] = last;
            last = node;
        }
        let mut seed = 0x5eed_1e55_0000_0001u64;
        let zobrist = (0..n).map(|_| splitmix64(&mut seed)).collect();
        let must_place = ops.iter().filter(|op| !op.free).count();
        // An append table names exact values, so with appends no unread ones are merged.
        let effects = if ops
            .iter()
            .any(|op| matches!(op.effect, Effect::Append { .. }))
        {
            ops.iter().map(|op| op.effect).collect()
        } else {
            merge_unobserved(ops)
        };
        let (twin, family, pinned) = twins(ops, &effects);
        Search {
            effects,
            appends: AppendTable::default(),
            twin,
            family,
            pinned,
            free: ops.iter().map(|op| op.free).collect(),
            after: ops.iter().map(|op| op.after.filter(|&a| a < n)).collect(),
            ret_time: ops.iter().map(|op| op.ret.unwrap_or(u64::MAX)).collect(),
            blocked_at: None,
            cursor: next[HEAD as usize],
            next,
            prev,
            state: None,
            linearized: vec![0; n.div_ceil(64)],
            hash: 0,
            zobrist,
            cache: HashMap::default(),
            entries: Vec::new(),
            scratch: Vec::new(),
            calls: Vec::new(),
            fresh: true,
            must_place,
            steps: 0,
            limit,
            status: SearchStatus::Running,
        }
    }

    /// The same search, with appends leading where `appends` says.
    pub(crate) fn with_appends(mut self, appends: AppendTable) -> Search {
        self.appends = appends;
        self
    }

    /// The state after `op` from the current one, `None` if it cannot happen here.
    fn apply(&self, op: usize) -> Option<Option<u32>> {
        match self.effects[op] {
            Effect::Append { element } => Some(Some(
                self.appends
                    .get(&(self.state, element))
                    .copied()
                    .unwrap_or(DEAD),
            )),
            effect => effect.apply(self.state),
        }
    }

    /// Steps spent so far.
    pub(crate) fn steps(&self) -> u64 {
        self.steps
    }

    /// The operations linearized so far, in order: once the status is `Linearizable`, a
    /// witness (free operations that could simply come last are not in it).
    pub(crate) fn order(&self) -> Vec<usize> {
        self.calls
            .iter()
            .map(|call| ((call.node - 1) / 2) as usize)
            .collect()
    }

    /// The latest return the search was ever stuck at. When the history is not
    /// linearizable, this is usually the return of the operation no order can explain.
    pub(crate) fn blocked_at(&self) -> Option<u64> {
        self.blocked_at
    }

    /// Search for at most `max_steps` more steps (the last may overshoot by its memory
    /// charge, see `remember`). Returns the steps used and the status (`Running` only when
    /// `max_steps` ran out first).
    pub(crate) fn run(&mut self, max_steps: u64) -> (u64, SearchStatus) {
        let start = self.steps;
        while self.status == SearchStatus::Running {
            if self.must_place == 0 {
                // Only free operations are left: each can take effect after everything else.
                self.status = SearchStatus::Linearizable;
                break;
            }
            if self.steps >= self.limit {
                self.status = SearchStatus::GaveUp;
                break;
            }
            if self.steps - start >= max_steps {
                break;
            }
            self.steps += 1;
            self.step();
        }
        (self.steps - start, self.status)
    }

    fn step(&mut self) {
        if self.fresh {
            self.fresh = false;
            self.on_arrival();
            return;
        }
        let node = self.cursor;
        if node != NIL && node % 2 == 1 {
            let op = ((node - 1) / 2) as usize;
            // Reads legal here were taken by `on_arrival`; the rest cannot go here.
            if !self.effects[op].is_query()
                && self.ready(op)
                && self.first_twin(op)
                && !self.dominated(op)
            {
                if let Some(after) = self.apply(op) {
                    if self.linearize(node, after, Choice::InTurn) {
                        return;
                    }
                }
            }
            self.cursor = self.next[node as usize];
            return;
        }
        // A return entry (or, defensively, the end of the list): the operation it closes
        // must have been linearized earlier, so undo the last choice and try the next one.
        if node != NIL {
            let ret = self.ret_time[((node - 2) / 2) as usize];
            self.blocked_at = Some(self.blocked_at.map_or(ret, |b| b.max(ret)));
        }
        self.backtrack();
    }

    /// On arriving at a configuration: if some candidate read returns the current value (or
    /// a failed compare-and-set is legal), linearize it now, with no alternatives. This
    /// loses nothing: such a query changes no state,
    /// and every operation that returned before the read was invoked is already linearized
    /// (it is a candidate), so any legal continuation can be rearranged to place the read
    /// first. It spares the search from trying reads in every order, which is most of the
    /// work of proving a busy history non-linearizable.
    ///
    /// Otherwise, look at the earliest return still ahead (the operation most urgently
    /// needing to be linearized) and first try the candidate that helps it: the write of
    /// the value it read (or expects), or itself if it is a write. Only an ordering
    /// heuristic: if it fails, every candidate is tried in turn as usual (the one tried
    /// first is then skipped by the cache).
    fn on_arrival(&mut self) {
        self.cursor = self.next[HEAD as usize];
        let mut node = self.cursor;
        while node != NIL && node % 2 == 1 {
            let op = ((node - 1) / 2) as usize;
            let effect = self.effects[op];
            if effect.is_query() && effect.apply(self.state).is_some() && self.ready(op) {
                if !self.linearize(node, self.state, Choice::Forced) {
                    // Already explored from here (and failed): so has this configuration.
                    self.backtrack();
                }
                return;
            }
            node = self.next[node as usize];
        }
        if node == NIL {
            return;
        }
        let due = ((node - 2) / 2) as usize;
        let wanted = match self.effects[due] {
            Effect::Read(Some(v)) | Effect::Cas { from: v, .. } => v,
            Effect::Read(None) | Effect::FailedCas { .. } => return,
            Effect::Write(_) | Effect::MaybeCas { .. } | Effect::Append { .. } => {
                if !self.ready(due) {
                    return;
                }
                if let Some(after) = self.apply(due) {
                    self.linearize(2 * due as u32 + 1, after, Choice::Hunch);
                }
                return;
            }
        };
        let mut candidate = self.cursor;
        while candidate != node {
            let op = ((candidate - 1) / 2) as usize;
            if self.effects[op].written() == Some(wanted) && self.ready(op) && self.first_twin(op) {
                if let Some(after) = self.apply(op) {
                    if self.linearize(candidate, after, Choice::Hunch) {
                        return;
                    }
                }
            }
            candidate = self.next[candidate as usize];
        }
    }

    /// Linearize the operation of call node `node`, leaving `after`, unless the resulting
    /// configuration was seen before. Returns whether it did.
    fn linearize(&mut self, node: u32, after: Option<u32>, choice: Choice) -> bool {
        let op = ((node - 1) / 2) as usize;
        let hash = self.hash ^ self.zobrist[op];
        self.set(op, true);
        if !self.remember(hash, after) {
            self.set(op, false);
            return false;
        }
        self.calls.push(Call {
            node,
            before: self.state,
            choice,
        });
        self.state = after;
        self.hash = hash;
        self.lift(node);
        if !self.free[op] {
            self.must_place -= 1;
        }
        self.fresh = true;
        true
    }

    /// Undo linearizations back to the last one that had alternatives, and move on to its
    /// next alternative.
    fn backtrack(&mut self) {
        loop {
            let Some(call) = self.calls.pop() else {
                self.status = SearchStatus::NotLinearizable;
                return;
            };
            let op = ((call.node - 1) / 2) as usize;
            self.state = call.before;
            self.hash ^= self.zobrist[op];
            self.set(op, false);
            self.unlift(call.node);
            if !self.free[op] {
                self.must_place += 1;
            }
            match call.choice {
                Choice::Forced => {}
                Choice::Hunch => {
                    self.cursor = self.next[HEAD as usize];
                    return;
                }
                Choice::InTurn => {
                    self.cursor = self.next[call.node as usize];
                    return;
                }
            }
        }
    }

    /// `op` is not a free operation with an earlier twin still waiting. Free operations
    /// with the same effect (after `merge_unobserved`, every unread timed-out write is one
    /// such family) are interchangeable: neither has a return to meet, and the earlier was
    /// invoked first, so any order that places a later twin now works just as well with the
    /// earliest waiting one here and the later one in its place. Trying only the earliest
    /// keeps the linearized twins a prefix of their family, and spares the search from
    /// telling apart configurations that differ only in which twins went.
    fn first_twin(&self, op: usize) -> bool {
        self.twin[op].is_none_or(|t| self.linearized[t / 64] & (1 << (t % 64)) != 0)
    }

    /// Another candidate (invoked, not linearized) has the same effect and must return no
    /// later than `op`: then trying `op` here is pointless. Any order that places `op` now
    /// and the other later works as well with the two swapped: the other goes now (it is a
    /// candidate), and `op` takes its place, which meets `op`'s own return since it met the
    /// other's earlier one; every state along the way is the same. Under heavy write
    /// concurrency most writes are of unread values, all one effect after
    /// `merge_unobserved`, and this spares the search from trying each of them in turn.
    fn dominated(&self, op: usize) -> bool {
        if self.family[op] < 2 || self.pinned[op] {
            return false;
        }
        let mine = (self.ret_time[op], op);
        let mut node = self.next[HEAD as usize];
        while node != NIL && node % 2 == 1 {
            let c = ((node - 1) / 2) as usize;
            if c != op
                && !self.pinned[c]
                && self.effects[c] == self.effects[op]
                && (self.ret_time[c], c) < mine
            {
                return true;
            }
            node = self.next[node as usize];
        }
        false
    }

    /// The operation `op` must follow (if any) is already linearized.
    fn ready(&self, op: usize) -> bool {
        self.after[op].is_none_or(|a| self.linearized[a / 64] & (1 << (a % 64)) != 0)
    }

    fn set(&mut self, op: usize, on: bool) {
        let word = &mut self.linearized[op / 64];
        let bit = 1u64 << (op % 64);
        if on {
            *word |= bit;
        } else {
            *word &= !bit;
        }
    }

    /// Record (current linearized set, `state`); false if it was already recorded.
    fn remember(&mut self, hash: u64, state: Option<u32>) -> bool {
        runs_of(&self.linearized, &mut self.scratch);
        let key = hash ^ state_mix(state);
        let bucket = self.cache.entry(key).or_default();
        for &e in bucket.iter() {
            let entry = &self.entries[e as usize];
            if entry.state == state && *entry.runs == *self.scratch {
                return false;
            }
        }
        bucket.push(self.entries.len() as u32);
        // Memory is charged as work: a fragmented set (many operations left pending, such
        // as timed-out writes someone read) costs more per entry, and the step limit then
        // bounds the cache at a few hundred bytes per step.
        self.steps += (self.scratch.len() / 16) as u64;
        self.entries.push(CacheEntry {
            runs: self.scratch.as_slice().into(),
            state,
        });
        true
    }

    fn lift(&mut self, call: u32) {
        self.unlink(call);
        self.unlink(call + 1);
    }

    fn unlink(&mut self, node: u32) {
        let (p, n) = (self.prev[node as usize], self.next[node as usize]);
        self.next[p as usize] = n;
        if n != NIL {
            self.prev[n as usize] = p;
        }
    }

    /// Undo `lift`: the removed nodes kept their own links (dancing links).
    fn unlift(&mut self, call: u32) {
        self.relink(call + 1);
        self.relink(call);
    }

    fn relink(&mut self, node: u32) {
        let (p, n) = (self.prev[node as usize], self.next[node as usize]);
        self.next[p as usize] = node;
        if n != NIL {
            self.prev[n as usize] = node;
        }
    }
}

/// The operations' effects, with every value that no operation reads or compares against
/// replaced by one value that none does either. Nothing can tell such values apart, so the
/// set of legal orders is exactly the same; but configurations that differ only in *which*
/// unobserved value the register holds become one, so the cache also collapses the orders
/// among overwritten, never-read writes (common under heavy write concurrency).
fn merge_unobserved(ops: &[SearchOp]) -> Vec<Effect> {
    let observed: BTreeSet<u32> = ops.iter().filter_map(|op| op.effect.observed()).collect();
    // Some u32 is unobserved: there are fewer operations than values.
    let stand_in = (0..=u32::MAX)
        .rev()
        .find(|v| !observed.contains(v))
        .unwrap_or(u32::MAX);
    let merge = |v: u32| if observed.contains(&v) { v } else { stand_in };
    ops.iter()
        .map(|op| match op.effect {
            Effect::Read(v) => Effect::Read(v),
            Effect::Write(v) => Effect::Write(merge(v)),
            Effect::Cas { from, to } => Effect::Cas {
                from,
                to: merge(to),
            },
            Effect::MaybeCas { from, to } => Effect::MaybeCas {
                from,
                to: merge(to),
            },
            Effect::FailedCas { from } => Effect::FailedCas { from },
            Effect::Append { element } => Effect::Append { element },
        })
        .collect()
}

/// Each free operation's previous twin (the free operation with the same effect invoked
/// just before it), each operation's family size (operations with its effect), and which
/// operations are tied to another by `after` (either way); tied ones have no twin and a
/// family of their own.
#[allow(clippy::type_complexity)]
fn twins(ops: &[SearchOp], effects: &[Effect]) -> (Vec<Option<usize>>, Vec<u32>, Vec<bool>) {
    let mut pinned = vec![false; ops.len()];
    for (i, op) in ops.iter().enumerate() {
        if let Some(a) = op.after.filter(|&a| a < ops.len()) {
            pinned[i] = true;
            pinned[a] = true;
        }
    }
    let mut family: Vec<usize> = (0..ops.len())
        .filter(|&i| ops[i].free && !pinned[i])
        .collect();
    family.sort_by_key(|&i| (ops[i].call, i));
    let mut last: std::collections::BTreeMap<Effect, usize> = Default::default();
    let mut twin = vec![None; ops.len()];
    for i in family {
        twin[i] = last.insert(effects[i], i);
    }
    let mut sizes: std::collections::BTreeMap<Effect, u32> = Default::default();
    for i in (0..ops.len()).filter(|&i| !pinned[i]) {
        *sizes.entry(effects[i]).or_default() += 1;
    }
    let family_size = (0..ops.len())
        .map(|i| if pinned[i] { 1 } else { sizes[&effects[i]] })
        .collect();
    (twin, family_size, pinned)
}

/// One linearized operation on the search path.
#[derive(Clone, Copy, Debug)]
struct Call {
    node: u32,
    /// The state before it.
    before: Option<u32>,
    choice: Choice,
}

/// Why an operation was linearized, which says where to go on after undoing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    /// A read taken as soon as it was legal: it has no alternatives to try.
    Forced,
    /// Tried first on a hunch: next, try every candidate in turn from the start.
    Hunch,
    /// Tried in list order: next, try the candidates after it.
    InTurn,
}

/// One remembered configuration. The linearized set is stored run-length encoded (the
/// positions where membership flips), because it is nearly always "a prefix, minus a few
/// stragglers, plus a few early birds": a handful of numbers instead of n bits.
#[derive(Clone, Debug)]
struct CacheEntry {
    runs: Box<[u32]>,
    state: Option<u32>,
}

/// The bit positions where `words` flips between 0 and 1, from an implicit 0 before bit 0.
fn runs_of(words: &[u64], out: &mut Vec<u32>) {
    out.clear();
    let mut carry = 0u64;
    for (i, &word) in words.iter().enumerate() {
        let mut flips = word ^ ((word << 1) | carry);
        carry = word >> 63;
        while flips != 0 {
            let bit = flips.trailing_zeros();
            out.push(i as u32 * 64 + bit);
            flips &= flips - 1;
        }
    }
}

fn state_mix(state: Option<u32>) -> u64 {
    let mut s = match state {
        None => 0x0123_4567_89ab_cdef,
        Some(v) => u64::from(v) | 1 << 40,
    };
    splitmix64(&mut s)
}

/// The cache's keys are already well-mixed 64-bit hashes: pass them through. (A fixed
/// hasher also keeps the map free of per-process random seeds; it is only ever looked up,
/// never iterated, so its order cannot affect a result anyway.)
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(effect: Effect, call: u64, ret: u64) -> SearchOp {
        SearchOp {
            effect,
            call,
            ret: Some(ret),
            free: false,
            after: None,
        }
    }

    fn verdict(ops: &[SearchOp]) -> SearchStatus {
        Search::new(ops, 1_000_000).run(u64::MAX).1
    }

    #[test]
    fn runs_mark_every_flip() {
        let mut out = Vec::new();
        runs_of(&[0b0110, 0], &mut out);
        assert_eq!(out, vec![1, 3]);
        runs_of(&[u64::MAX, 1], &mut out);
        assert_eq!(out, vec![0, 65]);
        runs_of(&[], &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn orders_within_real_time_are_found_and_others_refused() {
        // w1 then (w2 || r=1): the read may precede w2.
        let ok = [
            op(Effect::Write(1), 0, 1),
            op(Effect::Write(2), 2, 10),
            op(Effect::Read(Some(1)), 3, 4),
        ];
        assert_eq!(verdict(&ok), SearchStatus::Linearizable);
        // w1 then w2 then r=1: stale.
        let stale = [
            op(Effect::Write(1), 0, 1),
            op(Effect::Write(2), 2, 3),
            op(Effect::Read(Some(1)), 4, 5),
        ];
        assert_eq!(verdict(&stale), SearchStatus::NotLinearizable);
    }

    #[test]
    fn free_operations_may_come_last_and_the_limit_gives_up() {
        let ops = [
            SearchOp {
                effect: Effect::Write(9),
                call: 0,
                ret: None,
                free: true,
                after: None,
            },
            op(Effect::Read(None), 5, 6),
        ];
        assert_eq!(verdict(&ops), SearchStatus::Linearizable);
        let stale = [
            op(Effect::Write(1), 0, 1),
            op(Effect::Write(2), 2, 3),
            op(Effect::Read(Some(1)), 4, 5),
        ];
        let mut search = Search::new(&stale, 2);
        assert_eq!(search.run(u64::MAX), (2, SearchStatus::GaveUp));
        assert_eq!(search.steps(), 2);
    }
}
