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
//! number: every prefix of a value some read returned (anything else can never be read
//! again, except by being overwritten, and stands for one dead state, `model::DEAD`). Each
//! append must then extend exactly one such prefix with its element; an element appended
//! at several places (the same element appended twice to a key) is refused with a message,
//! since one step of the model cannot yet branch on the state.

use super::explain::Names;
use super::linearizability::LinearizabilityCheck;
use super::model::{prune_unobserved, Effect, ModelOp, DEAD};
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
    /// itself if it is a string).
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
    pub names: Names,
    /// Operations that take part in the check (failed writes, unanswered reads and the like
    /// are left out).
    pub n_checked: usize,
}

impl Prepared {
    /// A resumable check of it.
    pub fn check(self, limits: Limits) -> LinearizabilityCheck {
        LinearizabilityCheck::from_model(self.by_key, self.names, limits)
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
        names.values.push(values.names());
        // As for the simulator's histories, a key with nothing to check gets no report.
        if !ops.is_empty() {
            by_key.insert(key as u16, ops);
        }
    }
    Ok(Prepared {
        by_key,
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
            (Call::Append(part), _) => (self.append(op, part)?, unknown),
        }))
    }

    /// The step of an append of `part`: from the one state it extends into a state worth a
    /// number, or straight to the dead state when it extends none.
    fn append(&mut self, op: &ExternalOp, part: &Value) -> Result<Effect, String> {
        let mut places: Vec<(Option<u32>, u32)> = Vec::new();
        let bases: Vec<Option<Value>> = std::iter::once(None)
            .chain(self.values.iter().cloned().map(Some))
            .collect();
        for base in bases {
            let Some(next) = Value::appended(base.as_ref(), part) else {
                continue;
            };
            if let Some(&to) = self.ids.get(&next) {
                let from = base.as_ref().and_then(|b| self.ids.get(b).copied());
                places.push((from, to));
            }
        }
        match places.as_slice() {
            [] => Ok(Effect::Write(DEAD)),
            [(from, to)] => Ok(Effect::Append {
                from: *from,
                to: *to,
            }),
            [(_, a), (_, b), ..] => Err(format!(
                "line {}: appending {part} could leave {} or {} (the reads saw both); the kv \
                 model needs every element appended to a key to be distinct, as in Jepsen's \
                 append workload",
                op.line, self.values[*a as usize], self.values[*b as usize]
            )),
        }
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
