//! Histories people bring: operations on keys and values named as *their* system names them
//! (strings, integers, lists), checked for linearizability against a chosen model.
//!
//! - [`ModelKind::Register`]: read, write and compare-and-set (Knossos' and Porcupine's
//!   `cas-register`). A history without keys is one register.
//! - [`ModelKind::Kv`]: a key-value store with get (`read`), put (`write`) and `append`, and
//!   compare-and-set too, each key its own object. An append adds an element to a list value
//!   (`[1 2]` then append 3 gives `[1 2 3]`; on an unset key, `[3]`) or a string to a string
//!   value (`"ab"` then append `"c"` gives `"abc"`).
//!
//! Both are checked per key: linearizability is local (Herlihy & Wing 1990, Theorem 1), so
//! a history is linearizable iff each key's sub-history is (P-compositionality, as
//! Porcupine calls it). Values are numbered per key ([`prepare`]), so the search of
//! `linearizability` and `wgl` runs unchanged; [`Names`] keeps the history's own names for
//! the explanations.
//!
//! Outcomes, as in Jepsen: `ok` happened; `fail` definitely did not, except that a failed
//! compare-and-set tells that the value was not its `from` at that moment (Porcupine's
//! model); `info` (or no completion at all) may or may not have happened, at any time after
//! its invocation. A read that failed or is unknown observed nothing.
//!
//! Appends need the values they leave named up front, so only states that matter get a
//! number: every prefix of a value some read returned, and every value written (anything
//! else can never be read again, except after being overwritten, and stands for one dead
//! state, `model::DEAD`). Each key gets a table of where appending each element leads from
//! each such state (`model::AppendTable`).

use super::explain::Names;
use super::linearizability::LinearizabilityCheck;
use super::model::{prune_unobserved, AppendTable, Effect, ModelOp};
use super::Limits;
use std::collections::BTreeMap;
use std::fmt;

/// Which object every key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    Register,
    Kv,
}

/// A value as the history writes it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Int(i64),
    Str(String),
    List(Vec<Value>),
}

impl fmt::Display for Value {
    /// As EDN: `3`, `"abc"`, `[1 2 3]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::Str(s) => write!(f, "{}", crate::edn::quote(s)),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, " ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
        }
    }
}

impl Value {
    /// This value with `part` appended, if appending makes sense for the pair (a string to a
    /// string, anything to a list; `None` for the unset key: a list of `part`, or `part`
    /// itself if it is a string). The model's tables encode the same (`without_suffix`);
    /// the brute-force test uses this directly.
    #[cfg(test)]
    fn appended(base: Option<&Value>, part: &Value) -> Option<Value> {
        match (base, part) {
            (None, Value::Str(s)) => Some(Value::Str(s.clone())),
            (None, part) => Some(Value::List(vec![part.clone()])),
            (Some(Value::Str(a)), Value::Str(b)) => Some(Value::Str(format!("{a}{b}"))),
            (Some(Value::List(items)), part) => {
                let mut items = items.clone();
                items.push(part.clone());
                Some(Value::List(items))
            }
            _ => None,
        }
    }

    /// This value without `part` at its end (`None`: it does not end so). Appending `part`
    /// to the result gives this value back; an empty result stands for the unset key.
    fn without_suffix(&self, part: &Value) -> Option<Value> {
        match (self, part) {
            (Value::List(items), part) if items.last() == Some(part) => {
                Some(Value::List(items[..items.len() - 1].to_vec()))
            }
            (Value::Str(s), Value::Str(p)) if !p.is_empty() && s.ends_with(p.as_str()) => {
                Some(Value::Str(s[..s.len() - p.len()].to_string()))
            }
            _ => None,
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Value::List(items) => items.is_empty(),
            Value::Str(s) => s.is_empty(),
            Value::Int(_) => false,
        }
    }

    /// Every non-empty prefix of a list or string, this value included.
    fn prefixes(&self) -> Vec<Value> {
        match self {
            Value::List(items) => (1..=items.len())
                .map(|n| Value::List(items[..n].to_vec()))
                .collect(),
            Value::Str(s) => s
                .char_indices()
                .map(|(i, c)| Value::Str(s[..i + c.len_utf8()].to_string()))
                .collect(),
            Value::Int(_) => vec![self.clone()],
        }
    }
}

/// What an operation asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    Read,
    Write(Value),
    Cas { from: Value, to: Value },
    Append(Value),
}

/// How it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Fail,
    /// Jepsen's `info`, or no completion: it may or may not have happened.
    Unknown,
}

/// One operation of an imported history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalOp {
    /// The process as the history names it ("process 3", "C1").
    pub process: String,
    /// The key as the history names it; `None` for a history of one register.
    pub key: Option<String>,
    pub call: Call,
    pub status: Status,
    /// What an `ok` read returned (`None`: nil, the key was unset).
    pub read: Option<Value>,
    /// Position of the invocation in time (event index or timestamp; only order matters).
    pub invoke: u64,
    /// Position of the completion; `None` when there is none.
    pub complete: Option<u64>,
    /// Line of the invocation in the file, for messages.
    pub line: usize,
}

/// An imported history, operations in invocation order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExternalHistory {
    pub ops: Vec<ExternalOp>,
}

/// An imported history made ready for the search: model steps by key, and the names.
#[derive(Clone, Debug)]
pub struct Prepared {
    by_key: BTreeMap<u16, Vec<ModelOp>>,
    tables: BTreeMap<u16, AppendTable>,
    pub names: Names,
    /// Operations that take part in the check (failed writes, unanswered reads and the like
    /// are left out).
    pub n_checked: usize,
}

impl Prepared {
    /// A resumable check of it.
    pub fn check(self, limits: Limits) -> LinearizabilityCheck {
        LinearizabilityCheck::from_model(self.by_key, self.tables, self.names, limits)
    }
}

/// The name a history without keys gives its one register.
pub const REGISTER_KEY: &str = "register";

/// Number the history's keys, processes and values, and turn each operation into a model
/// step. Fails, with the line and a fix, on an operation the model does not have, or on
/// more keys or processes than the checker numbers (65,536 each).
pub fn prepare(history: &ExternalHistory, model: ModelKind) -> Result<Prepared, String> {
    let mut key_ids: BTreeMap<&str, u16> = BTreeMap::new();
    let mut names = Names::default();
    let mut process_ids: BTreeMap<&str, u16> = BTreeMap::new();
    let mut per_key: Vec<Vec<usize>> = Vec::new();
    for (index, op) in history.ops.iter().enumerate() {
        if matches!(op.call, Call::Append(_)) && model == ModelKind::Register {
            return Err(format!(
                "line {}: append is not an operation of the register model (read, write, \
                 cas); check with --model kv",
                op.line
            ));
        }
        let key = op.key.as_deref().unwrap_or(REGISTER_KEY);
        let next = key_ids.len();
        let id = *key_ids.entry(key).or_insert(next as u16);
        if next > usize::from(u16::MAX) {
            return Err(format!(
                "line {}: more than 65,536 keys; split the history by key and check the parts",
                op.line
            ));
        }
        if usize::from(id) == names.keys.len() {
            names.keys.push(key.to_string());
            per_key.push(Vec::new());
        }
        per_key[usize::from(id)].push(index);
        let next = process_ids.len();
        let pid = *process_ids
            .entry(op.process.as_str())
            .or_insert(next as u16);
        if next > usize::from(u16::MAX) {
            return Err(format!("line {}: more than 65,536 processes", op.line));
        }
        if usize::from(pid) == names.processes.len() {
            names.processes.push(op.process.clone());
        }
    }
    let mut by_key = BTreeMap::new();
    let mut tables = BTreeMap::new();
    let mut n_checked = 0;
    let mut seqs: Vec<u32> = vec![0; names.processes.len()];
    for (key, members) in per_key.iter().enumerate() {
        let mut values = ValueTable::new(history, members);
        let mut ops = Vec::new();
        for &index in members {
            let op = &history.ops[index];
            let process = process_ids[op.process.as_str()];
            let seq = &mut seqs[usize::from(process)];
            *seq += 1;
            let Some((effect, indeterminate)) = values.effect(op)? else {
                continue;
            };
            ops.push(ModelOp {
                index,
                process,
                seq: *seq,
                key: key as u16,
                effect,
                call: op.invoke,
                ret: if indeterminate { None } else { op.complete },
                indeterminate,
            });
        }
        let ops = prune_unobserved(ops);
        n_checked += ops.len();
        if values.appends {
            tables.insert(key as u16, values.append_table());
        }
        names.values.push(values.names());
        // As for the simulator's histories, a key with nothing to check gets no report.
        if !ops.is_empty() {
            by_key.insert(key as u16, ops);
        }
    }
    Ok(Prepared {
        by_key,
        tables,
        names,
        n_checked,
    })
}

/// Check an imported history in one go.
pub fn check_external(
    history: &ExternalHistory,
    model: ModelKind,
    limits: Limits,
) -> Result<super::LinearizabilityReport, String> {
    Ok(prepare(history, model)?.check(limits).finish())
}

/// The numbers of one key's values.
struct ValueTable {
    ids: BTreeMap<Value, u32>,
    values: Vec<Value>,
    /// Numbers of the elements appended.
    elements: BTreeMap<Value, u32>,
    /// The key has appends: reads of an empty list or string mean "unset", and only
    /// prefixes of what reads returned are states worth a number.
    appends: bool,
}

impl ValueTable {
    fn new(history: &ExternalHistory, members: &[usize]) -> ValueTable {
        let appends = members
            .iter()
            .any(|&i| matches!(history.ops[i].call, Call::Append(_)));
        let mut table = ValueTable {
            ids: BTreeMap::new(),
            values: Vec::new(),
            elements: BTreeMap::new(),
            appends,
        };
        if appends {
            for &i in members {
                let op = &history.ops[i];
                if let (Call::Read, Status::Ok, Some(v)) = (&op.call, op.status, &op.read) {
                    for prefix in v.prefixes() {
                        table.id(&prefix);
                    }
                }
            }
        }
        table
    }

    fn id(&mut self, value: &Value) -> u32 {
        if let Some(&id) = self.ids.get(value) {
            return id;
        }
        let id = self.values.len() as u32;
        self.ids.insert(value.clone(), id);
        self.values.push(value.clone());
        id
    }

    fn names(&self) -> Vec<String> {
        self.values.iter().map(|v| v.to_string()).collect()
    }

    /// A read result: an empty list or string on a key with appends is the unset key.
    fn read(&mut self, value: &Option<Value>) -> Option<u32> {
        match value {
            None => None,
            Some(Value::List(items)) if self.appends && items.is_empty() => None,
            Some(Value::Str(s)) if self.appends && s.is_empty() => None,
            Some(v) => Some(self.id(v)),
        }
    }

    /// The model step of `op` and whether its outcome is unknown; `None` when it tells
    /// nothing.
    fn effect(&mut self, op: &ExternalOp) -> Result<Option<(Effect, bool)>, String> {
        let unknown = op.status == Status::Unknown;
        Ok(Some(match (&op.call, op.status) {
            (Call::Read, Status::Ok) => (Effect::Read(self.read(&op.read)), false),
            (Call::Read, _) | (Call::Write(_) | Call::Append(_), Status::Fail) => return Ok(None),
            (Call::Write(v), _) => (Effect::Write(self.id(v)), unknown),
            (Call::Cas { from, .. }, Status::Fail) => (
                Effect::FailedCas {
                    from: self.id(from),
                },
                false,
            ),
            (Call::Cas { from, to }, _) => {
                let (from, to) = (self.id(from), self.id(to));
                if unknown {
                    (Effect::MaybeCas { from, to }, true)
                } else {
                    (Effect::Cas { from, to }, false)
                }
            }
            (Call::Append(part), _) => {
                let next = self.elements.len() as u32;
                let element = *self.elements.entry(part.clone()).or_insert(next);
                (Effect::Append { element }, unknown)
            }
        }))
    }

    /// Where each append leads from each numbered state: to every numbered value that is
    /// that state with the element added.
    fn append_table(&self) -> AppendTable {
        let mut table = BTreeMap::new();
        for (value, &to) in &self.ids {
            for (part, &element) in &self.elements {
                let Some(base) = value.without_suffix(part) else {
                    continue;
                };
                let from = if base.is_empty() {
                    None
                } else {
                    match self.ids.get(&base) {
                        Some(&id) => Some(id),
                        None => continue,
                    }
                };
                table.insert((from, element), to);
            }
        }
        std::sync::Arc::new(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::Verdict;

    /// (process, key, call, status, read, invoke, complete)
    type Row<'a> = (
        u32,
        Option<&'a str>,
        Call,
        Status,
        Option<Value>,
        u64,
        Option<u64>,
    );

    fn history(rows: Vec<Row>) -> ExternalHistory {
        ExternalHistory {
            ops: rows
                .into_iter()
                .enumerate()
                .map(
                    |(line, (process, key, call, status, read, invoke, complete))| ExternalOp {
                        process: format!("process {process}"),
                        key: key.map(str::to_string),
                        call,
                        status,
                        read,
                        invoke,
                        complete,
                        line: line + 1,
                    },
                )
                .collect(),
        }
    }

    fn s(text: &str) -> Value {
        Value::Str(text.into())
    }

    fn list(items: &[i64]) -> Value {
        Value::List(items.iter().map(|&n| Value::Int(n)).collect())
    }

    fn verdict(h: &ExternalHistory, model: ModelKind) -> Verdict {
        check_external(h, model, Limits::default())
            .expect("valid")
            .verdict
    }

    #[test]
    fn string_values_and_keys_are_checked_per_key() {
        use Call::*;
        use Status::Ok;
        let h = history(vec![
            (0, Some("x"), Write(s("a")), Ok, None, 0, Some(1)),
            (1, Some("y"), Write(s("a")), Ok, None, 0, Some(1)),
            (1, Some("x"), Read, Ok, Some(s("a")), 2, Some(3)),
            (0, Some("y"), Read, Ok, None, 2, Some(3)),
        ]);
        let report = check_external(&h, ModelKind::Kv, Limits::default()).expect("valid");
        assert_eq!(report.verdict, Verdict::Violated);
        let names: Vec<(&str, Verdict)> = report
            .keys
            .iter()
            .map(|k| (k.name.as_str(), k.verdict))
            .collect();
        assert_eq!(names, vec![("x", Verdict::Holds), ("y", Verdict::Violated)]);
        let v = report.violations().next().expect("y");
        assert_eq!(v.operations, vec![1, 3]);
        assert_eq!(
            v.explanation,
            "In y, let A be process 1's write of \"a\" and B be process 0's read, which found \
             the key unset. A completed before B began, so B must follow A. Then y holds a \
             value when B takes effect, since nothing unsets a key; yet B found it unset, a \
             contradiction."
        );
    }

    #[test]
    fn appends_build_lists_and_strings() {
        use Call::*;
        use Status::{Ok, Unknown};
        // Appends of 1 then 2 in sequence, then a read of [2 1]: not linearizable.
        let out_of_order = history(vec![
            (0, Some("k"), Append(Value::Int(1)), Ok, None, 0, Some(1)),
            (0, Some("k"), Append(Value::Int(2)), Ok, None, 2, Some(3)),
            (1, Some("k"), Read, Ok, Some(list(&[2, 1])), 4, Some(5)),
        ]);
        assert_eq!(verdict(&out_of_order, ModelKind::Kv), Verdict::Violated);
        // Concurrent appends may land in either order.
        let concurrent = history(vec![
            (0, Some("k"), Append(Value::Int(1)), Ok, None, 0, Some(3)),
            (1, Some("k"), Append(Value::Int(2)), Ok, None, 0, Some(3)),
            (2, Some("k"), Read, Ok, Some(list(&[2, 1])), 4, Some(5)),
        ]);
        assert_eq!(verdict(&concurrent, ModelKind::Kv), Verdict::Holds);
        // An unknown append seen by one read must stay for the next.
        let lost = history(vec![
            (0, Some("k"), Append(Value::Int(1)), Unknown, None, 0, None),
            (1, Some("k"), Read, Ok, Some(list(&[1])), 4, Some(5)),
            (1, Some("k"), Read, Ok, Some(list(&[])), 6, Some(7)),
        ]);
        assert_eq!(verdict(&lost, ModelKind::Kv), Verdict::Violated);
        // String appends concatenate; a put resets.
        let strings = history(vec![
            (0, None, Write(s("ab")), Ok, None, 0, Some(1)),
            (0, None, Append(s("c")), Ok, None, 2, Some(3)),
            (1, None, Read, Ok, Some(s("abc")), 4, Some(5)),
            (1, None, Write(s("x")), Ok, None, 6, Some(7)),
            (1, None, Append(s("y")), Ok, None, 8, Some(9)),
            (0, None, Read, Ok, Some(s("xy")), 10, Some(11)),
        ]);
        assert_eq!(verdict(&strings, ModelKind::Kv), Verdict::Holds);
        let err = prepare(&strings, ModelKind::Register).expect_err("register has no append");
        assert!(
            err.starts_with("line 2: append is not an operation"),
            "{err}"
        );
    }

    #[test]
    fn a_failed_cas_on_strings_says_the_value_differed() {
        use Call::*;
        use Status::{Fail, Ok};
        let h = history(vec![
            (0, None, Write(s("a")), Ok, None, 0, Some(1)),
            (
                1,
                None,
                Cas {
                    from: s("a"),
                    to: s("b"),
                },
                Fail,
                None,
                2,
                Some(3),
            ),
            (2, None, Read, Ok, Some(s("a")), 4, Some(5)),
        ]);
        assert_eq!(verdict(&h, ModelKind::Register), Verdict::Violated);
    }
}

/// The key-value model against brute force: small random histories of puts, appends and
/// reads on one key (list values, elements unique as in Jepsen's append workload, some
/// outcomes unknown, some reads corrupted), and an oracle that tries every choice of the
/// unknown operations and every order that respects real time, on the values themselves.
#[cfg(test)]
mod brute_force {
    use super::*;
    use crate::consistency::Verdict;
    use crate::rng::Rng;

    fn explainable(h: &ExternalHistory) -> bool {
        let ops: Vec<&ExternalOp> = h
            .ops
            .iter()
            .filter(|op| {
                !matches!(
                    (&op.call, op.status),
                    (Call::Read, Status::Fail | Status::Unknown) | (_, Status::Fail)
                )
            })
            .collect();
        let unknown: Vec<usize> = (0..ops.len())
            .filter(|&i| ops[i].status == Status::Unknown)
            .collect();
        (0u32..1 << unknown.len()).any(|mask| {
            let chosen: Vec<&ExternalOp> = (0..ops.len())
                .filter(|&i| match unknown.iter().position(|&j| j == i) {
                    Some(bit) => mask & (1 << bit) != 0,
                    None => true,
                })
                .map(|i| ops[i])
                .collect();
            orders(&chosen, &mut vec![false; chosen.len()], None)
        })
    }

    fn orders(ops: &[&ExternalOp], placed: &mut Vec<bool>, state: Option<Value>) -> bool {
        if placed.iter().all(|&p| p) {
            return true;
        }
        let ret = |op: &ExternalOp| {
            if op.status == Status::Unknown {
                u64::MAX
            } else {
                op.complete.unwrap_or(u64::MAX)
            }
        };
        for i in 0..ops.len() {
            if placed[i] || (0..ops.len()).any(|j| !placed[j] && ret(ops[j]) < ops[i].invoke) {
                continue;
            }
            let next = match &ops[i].call {
                Call::Read => {
                    let empty = matches!(&ops[i].read, Some(Value::List(l)) if l.is_empty());
                    let seen = if empty { None } else { ops[i].read.clone() };
                    if seen != state {
                        continue;
                    }
                    state.clone()
                }
                Call::Write(v) => Some(v.clone()),
                Call::Append(e) => Value::appended(state.as_ref(), e),
                Call::Cas { .. } => continue,
            };
            placed[i] = true;
            let found = orders(ops, placed, next);
            placed[i] = false;
            if found {
                return true;
            }
        }
        false
    }

    fn random_history(rng: &mut Rng) -> ExternalHistory {
        let mut element = 0i64;
        let mut planned = Vec::new();
        for process in 0..3u32 {
            let mut t = rng.below(3);
            for _ in 0..rng.range_inclusive(1, 3) {
                let call = t + rng.below(3);
                let ret = call + rng.below(6);
                let point = rng.range_inclusive(call, ret);
                element += 1;
                let op = match rng.below(10) {
                    0..=3 => Call::Read,
                    4 => Call::Write(Value::List(vec![Value::Int(100 + element)])),
                    _ => Call::Append(Value::Int(element)),
                };
                planned.push((point, process, op, call, ret, rng.below(10)));
                t = ret + rng.below(2);
            }
        }
        planned.sort_by_key(|p| (p.0, p.1));
        let mut state: Option<Value> = None;
        let mut ops = Vec::new();
        for (_, process, call, invoke, ret, fate) in planned {
            let mut read = None;
            match &call {
                Call::Read if fate == 0 => {
                    // Corrupted: the list with its last element dropped, or an element added.
                    read = match &state {
                        Some(Value::List(items)) if items.len() > 1 => {
                            Some(Value::List(items[1..].to_vec()))
                        }
                        _ => Some(Value::List(vec![Value::Int(99)])),
                    };
                }
                Call::Read => read = state.clone(),
                Call::Write(v) if fate != 1 => state = Some(v.clone()),
                Call::Append(e) if fate != 1 => state = Value::appended(state.as_ref(), e),
                _ => {}
            }
            let status = match (&call, fate) {
                (Call::Read, _) => Status::Ok,
                (_, 1 | 2) => Status::Unknown,
                _ => Status::Ok,
            };
            ops.push(ExternalOp {
                process: format!("process {process}"),
                key: Some("k".into()),
                call,
                status,
                read,
                invoke,
                complete: (status != Status::Unknown).then_some(ret),
                line: 0,
            });
        }
        ops.sort_by_key(|op| (op.invoke, op.process.clone()));
        for (line, op) in ops.iter_mut().enumerate() {
            op.line = line + 1;
        }
        ExternalHistory { ops }
    }

    #[test]
    fn the_kv_model_matches_brute_force_and_its_offending_sets_hold() {
        let mut rng = Rng::from_seed(31);
        let (mut holds, mut violated) = (0, 0);
        for case in 0..1500 {
            let h = random_history(&mut rng);
            let expected = explainable(&h);
            let report = check_external(&h, ModelKind::Kv, Limits::default()).expect("valid");
            let want = if expected {
                Verdict::Holds
            } else {
                Verdict::Violated
            };
            assert_eq!(report.verdict, want, "case {case}: {h:#?}\n{report:#?}");
            if expected {
                holds += 1;
            } else {
                violated += 1;
            }
            for v in report.violations() {
                let alone = ExternalHistory {
                    ops: v.operations.iter().map(|&i| h.ops[i].clone()).collect(),
                };
                assert!(!explainable(&alone), "case {case}: {v:?}\n{h:#?}");
            }
        }
        assert!(holds > 300 && violated > 300, "{holds} / {violated}");
    }
}
