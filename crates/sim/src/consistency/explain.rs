//! One plain-English sentence for a shrunk linearizability violation.
//!
//! The sentence is about the *culprit*: the observing operation (read or successful CAS)
//! of the offending set that returned last, which in a minimal set is the one whose result
//! no legal order can produce. The rest of the set supplies the reason: a write of the
//! value that could not have happened yet, or a newer write that must already have
//! replaced it.

use super::key_history::KeyHistory;
use super::model::{Effect, ModelOp};
use crate::ids::client_name;

pub(crate) fn explain(kh: &KeyHistory, set: &[usize]) -> String {
    let key = format!("k{}", kh.key);
    let generic = format!(
        "{key}: these {} operations admit no order consistent with real time in which every \
         read sees the latest write",
        set.len()
    );
    let ret = |i: usize| kh.ret_pos[i].unwrap_or(u64::MAX);
    let Some(c) = set
        .iter()
        .copied()
        .filter(|&i| matches!(kh.ops[i].effect, Effect::Read(_) | Effect::Cas { .. }))
        .max_by_key(|&i| (ret(i), i))
    else {
        return generic;
    };
    let culprit = &kh.ops[c];
    let who = client_name(culprit.process);
    let (what, seen) = match culprit.effect {
        Effect::Read(Some(v)) => (format!("the read by {who} returned {v}"), v),
        Effect::Cas { from, to } => (
            format!("the compare-and-set by {who} from {from} to {to} succeeded"),
            from,
        ),
        Effect::Read(None) => {
            let earlier = set
                .iter()
                .copied()
                .filter(|&i| kh.ops[i].effect.written().is_some())
                .filter(|&i| ret(i) < kh.call_pos[c])
                .max_by_key(|&i| (ret(i), i));
            return match earlier {
                Some(w) => format!(
                    "{key}: the read by {who} found the key unset, but {} had completed \
                     before the read began",
                    writer_name(&kh.ops[w])
                ),
                None => format!(
                    "{key}: the read by {who} found the key unset, but in every order \
                     consistent with real time a write had taken effect first"
                ),
            };
        }
        Effect::Write(_) | Effect::MaybeCas { .. } | Effect::FailedCas { .. } => return generic,
    };
    let writes_of = |ops: &mut dyn Iterator<Item = usize>| -> Vec<usize> {
        ops.filter(|&i| kh.ops[i].effect.written() == Some(seen))
            .collect()
    };
    let producers = writes_of(&mut set.iter().copied());
    if producers.is_empty() {
        let anywhere = writes_of(&mut (0..kh.ops.len()));
        return if anywhere.is_empty() {
            format!("{key}: {what}, but nothing ever wrote {seen} to {key}")
        } else if anywhere.iter().all(|&i| kh.call_pos[i] > ret(c)) {
            format!("{key}: {what} before any write of {seen} had begun")
        } else {
            generic
        };
    }
    if producers.iter().all(|&i| kh.call_pos[i] > ret(c)) {
        return format!(
            "{key}: {what} before {} had even begun",
            writer_name(&kh.ops[producers[0]])
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
    match overwriter.and_then(|i| kh.ops[i].effect.written()) {
        Some(newer) => format!(
            "{key}: {what}, but every order consistent with real time had overwritten \
             {seen} with {newer} first"
        ),
        None => generic,
    }
}

/// "C1's write of 5" or "C1's compare-and-set to 5".
fn writer_name(op: &ModelOp) -> String {
    let who = client_name(op.process);
    match op.effect {
        Effect::Write(v) => format!("{who}'s write of {v}"),
        Effect::Cas { to, .. } | Effect::MaybeCas { to, .. } => {
            format!("{who}'s compare-and-set to {to}")
        }
        Effect::Read(_) | Effect::FailedCas { .. } => format!("{who}'s read"),
    }
}
