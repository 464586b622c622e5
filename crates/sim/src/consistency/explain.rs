//! A short argument, in full sentences, for why a shrunk set of operations is not
//! linearizable, in the style of Jepsen's Elle: name the operations ("Let A be …"), state
//! what their results and real time force ("Then …"), and end on the contradiction.
//!
//! The argument is about the *culprit*: the observing operation (a read, or a
//! compare-and-set that succeeded or failed) of the offending set that returned last, which
//! in a minimal set is the one whose result no legal order can produce. The rest of the set
//! supplies the reason: a write of the value that could not have happened yet, a newer write
//! that must already have replaced it, or no write of it at all. Processes, keys and values
//! are named as the history names them ([`Names`]).

use super::key_history::KeyHistory;
use super::model::{Effect, ModelOp};
use crate::ids::client_name;

/// How a history names its keys, processes and values. The simulator's own histories use
/// `k0`, `C1` and numbers (the defaults); an imported history keeps its own names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    /// Name of each key, by key number (`k<number>` when absent).
    pub keys: Vec<String>,
    /// Name of each process, by process number (`C<number + 1>` when absent).
    pub processes: Vec<String>,
    /// Text of each value, by key number and then value number (the number when absent).
    pub values: Vec<Vec<String>>,
}

impl Names {
    pub fn key(&self, key: u16) -> String {
        self.keys
            .get(usize::from(key))
            .cloned()
            .unwrap_or_else(|| format!("k{key}"))
    }

    pub fn process(&self, process: u16) -> String {
        self.processes
            .get(usize::from(process))
            .cloned()
            .unwrap_or_else(|| client_name(process))
    }

    pub fn value(&self, key: u16, value: u32) -> String {
        self.values
            .get(usize::from(key))
            .and_then(|values| values.get(value as usize))
            .cloned()
            .unwrap_or_else(|| value.to_string())
    }
}

/// "3 operations", "1 operation".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub(crate) fn explain(kh: &KeyHistory, set: &[usize], names: &Names) -> String {
    let key = names.key(kh.key);
    let say = |i: usize| describe(&kh.ops[i], names);
    let ret = |i: usize| kh.ret_pos[i].unwrap_or(u64::MAX);
    let generic = || {
        let listed: Vec<String> = set.iter().map(|&i| say(i)).collect();
        format!(
            "In {key}, consider {}: {}. No order of {} that respects real time lets every \
             read see the latest write.",
            count(set.len(), "operation"),
            listed.join("; "),
            if set.len() == 1 { "it" } else { "them" }
        )
    };
    let Some(c) = set
        .iter()
        .copied()
        .filter(|&i| {
            matches!(
                kh.ops[i].effect,
                Effect::Read(_) | Effect::Cas { .. } | Effect::FailedCas { .. }
            )
        })
        .max_by_key(|&i| (ret(i), i))
    else {
        return generic();
    };
    let culprit = say(c);
    let (seen, failed) = match kh.ops[c].effect {
        Effect::Read(Some(v)) | Effect::Cas { from: v, .. } => (v, false),
        Effect::FailedCas { from } => (from, true),
        Effect::Read(None) => {
            let earlier = set
                .iter()
                .copied()
                .filter(|&i| kh.ops[i].effect.written().is_some())
                .filter(|&i| ret(i) < kh.call_pos[c])
                .max_by_key(|&i| (ret(i), i));
            return match earlier {
                Some(w) => format!(
                    "In {key}, let A be {} and B be {culprit}. A completed before B began, so \
                     B must follow A. Then {key} holds a value when B takes effect, since \
                     nothing unsets a key; yet B found it unset, a contradiction.",
                    say(w)
                ),
                None => generic(),
            };
        }
        Effect::Write(_) | Effect::MaybeCas { .. } | Effect::Append { .. } => return generic(),
    };
    let value = names.value(kh.key, seen);
    // The culprit does not count as a write of what it found: a `cas v→v` finds `v` before
    // it writes it.
    let writes_of = |ops: &mut dyn Iterator<Item = usize>| -> Vec<usize> {
        ops.filter(|&i| i != c && kh.ops[i].effect.written() == Some(seen))
            .collect()
    };
    let producers = writes_of(&mut set.iter().copied());
    // Appends build values no single operation writes: no argument about "the write of v".
    if kh
        .ops
        .iter()
        .any(|op| matches!(op.effect, Effect::Append { .. }))
    {
        return generic();
    }
    if failed {
        return explain_failed(kh, set, c, &producers, names);
    }
    if producers.is_empty() {
        let anywhere = writes_of(&mut (0..kh.ops.len()));
        return if anywhere.is_empty() {
            format!(
                "In {key}, let A be {culprit}. Then some operation must have written {value} \
                 before A; but no operation in the history writes {value} to {key}, a \
                 contradiction."
            )
        } else if anywhere.iter().all(|&i| kh.call_pos[i] > ret(c)) {
            format!(
                "In {key}, let A be {culprit}. Then a write of {value} must precede A; but \
                 every write of {value} began after A completed, a contradiction."
            )
        } else {
            generic()
        };
    }
    if producers.iter().all(|&i| kh.call_pos[i] > ret(c)) {
        let only = if producers.len() == 1 {
            format!("B, the only write of {value} here,")
        } else {
            format!("every write of {value} here, B among them,")
        };
        return format!(
            "In {key}, let A be {culprit} and B be {}. Then a write of {value} must precede \
             A; but {only} began after A completed, a contradiction.",
            say(producers[0])
        );
    }
    let first_done = producers.iter().map(|&i| ret(i)).min().unwrap_or(u64::MAX);
    let overwriter =
        set.iter()
            .copied()
            .filter(|&i| {
                kh.ops[i].effect.written().is_some_and(|u| {
                    u != seen && !matches!(kh.ops[i].effect, Effect::MaybeCas { .. })
                })
            })
            .max_by_key(|&i| {
                (
                    ret(i) < kh.call_pos[c],
                    kh.call_pos[i] > first_done,
                    std::cmp::Reverse(ret(i)),
                    i,
                )
            });
    let Some(b) = overwriter else {
        return generic();
    };
    let a = producers
        .iter()
        .copied()
        .min_by_key(|&i| (ret(i), i))
        .unwrap_or(producers[0]);
    let between = if ret(a) < kh.call_pos[b] && ret(b) < kh.call_pos[c] {
        "B began after A completed and completed before C began".to_string()
    } else {
        "every order of these operations that respects real time puts B after the last \
         write of {value} and before C"
            .replace("{value}", &value)
    };
    let writes = if producers.len() == 1 {
        "A".to_string()
    } else {
        format!("A or another write of {value}")
    };
    format!(
        "In {key}, let A be {}, B be {}, and C be {culprit}. Then C must follow {writes} \
         with no other write in between. But {between}, so B overwrote {value} before C, a \
         contradiction.",
        say(a),
        say(b)
    )
}

/// The argument for a compare-and-set that failed although its `from` must have been there.
fn explain_failed(
    kh: &KeyHistory,
    set: &[usize],
    c: usize,
    producers: &[usize],
    names: &Names,
) -> String {
    let key = names.key(kh.key);
    let say = |i: usize| describe(&kh.ops[i], names);
    let others: Vec<String> = set
        .iter()
        .copied()
        .filter(|&i| i != c && !producers.contains(&i))
        .map(say)
        .collect();
    let Some(&a) = producers.first() else {
        return format!(
            "In {key}, let A be {}. No order of the {} that respects real time leaves \
             {key} holding anything else when A takes effect, so A should have succeeded, a \
             contradiction.",
            say(c),
            count(set.len(), "operation")
        );
    };
    let rest = if others.is_empty() {
        String::new()
    } else {
        format!(" (the other operations involved: {})", others.join("; "))
    };
    format!(
        "In {key}, let A be {} and B be {}. Every order that respects real time puts B after \
         A with {key} still holding what A wrote{rest}. Then B must have found that value and \
         succeeded, a contradiction.",
        say(a),
        say(c)
    )
}

/// "C1's write of 5", "process 3's read, which returned 7", ...
fn describe(op: &ModelOp, names: &Names) -> String {
    let who = names.process(op.process);
    let v = |value: u32| names.value(op.key, value);
    match op.effect {
        Effect::Read(Some(value)) => format!("{who}'s read, which returned {}", v(value)),
        Effect::Read(None) => format!("{who}'s read, which found the key unset"),
        Effect::Write(value) if op.indeterminate => {
            format!("{who}'s write of {} (outcome unknown)", v(value))
        }
        Effect::Write(value) => format!("{who}'s write of {}", v(value)),
        Effect::Cas { from, to } => format!(
            "{who}'s compare-and-set from {} to {}, which succeeded",
            v(from),
            v(to)
        ),
        Effect::MaybeCas { from, to } => format!(
            "{who}'s compare-and-set from {} to {} (outcome unknown)",
            v(from),
            v(to)
        ),
        Effect::FailedCas { from } => format!(
            "{who}'s compare-and-set from {}, which failed because it found another value",
            v(from)
        ),
        Effect::Append { .. } => format!("{who}'s append"),
    }
}
