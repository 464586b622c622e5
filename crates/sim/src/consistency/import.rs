//! Reading histories from files: Jepsen's EDN and Failscope's own JSON.
//!
//! - **Jepsen EDN**: one `{:process … :type … :f … :key … :value …}` map per operation
//!   event (invocation or completion), either one per line or all in one vector. `:type` is
//!   `:invoke`, `:ok`, `:fail` or `:info` (unknown outcome); a completion belongs to the
//!   open invocation of its process. Without `:key` the history is one register. `:f` is
//!   `:read` (or `:get`), `:write` (or `:put`), `:cas` (`:value [from to]`) or `:append`.
//!   A `:fail` read (for instance `:value :timed-out`) observed nothing; a `:fail` with
//!   `:error :refused` is dropped (it says nothing about the value, even for a `:cas`). Events of
//!   non-client processes (`:process :nemesis`) are skipped. Order in the file is time
//!   order.
//! - **`failscope-history/1`**: the app's history export (see `export`), or a serialized
//!   [`History`] (`{"operations": [...]}`).
//!
//! Every error names the line (or event) and says how to fix it; nothing here panics.

use super::external::{Call, ExternalHistory, ExternalOp, Status, Value};
use crate::client::{ClientOp, Outcome};
use crate::edn::{parse_all, Edn, Form};
use crate::export::HISTORY_FORMAT;
use crate::history::{History, Operation};
use std::collections::BTreeMap;

/// A history file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Failscope's JSON (`failscope-history/1`, or a serialized `History`).
    Failscope,
    JepsenEdn,
}

impl Format {
    /// Guess from the text: JSON opens with `{"` or `[{"`; EDN with `{:` or `[{:`.
    pub fn detect(text: &str) -> Format {
        let start: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '[')
            .take(2)
            .collect();
        if start == "{\"" {
            Format::Failscope
        } else {
            Format::JepsenEdn
        }
    }
}

/// A Jepsen history in EDN.
pub fn read_jepsen_edn(text: &str) -> Result<ExternalHistory, String> {
    let forms = parse_all(text).map_err(|e| e.to_string())?;
    let events: Vec<Form> = match forms.as_slice() {
        [Form {
            value: Edn::Vector(items) | Edn::List(items),
            ..
        }] => items.clone(),
        _ => forms,
    };
    let mut ops: Vec<ExternalOp> = Vec::new();
    let mut refused: Vec<usize> = Vec::new();
    let mut open: BTreeMap<String, usize> = BTreeMap::new();
    for (position, event) in events.iter().enumerate() {
        let line = event.line;
        if !matches!(event.value, Edn::Map(_)) {
            return Err(format!(
                "line {line}: expected an operation map such as {{:process 0, :type :invoke, \
                 :f :read, :value nil}}, found {}",
                event.value
            ));
        }
        let field = |name: &str| event.get(name).map(|f| &f.value);
        let process = match field("process") {
            Some(Edn::Int(n)) => format!("process {n}"),
            Some(Edn::Keyword(_)) => continue, // :nemesis and other non-clients
            Some(Edn::Str(s)) | Some(Edn::Symbol(s)) => s.clone(),
            Some(other) => return Err(format!("line {line}: :process {other} is not a process")),
            None => return Err(format!("line {line}: the operation has no :process")),
        };
        let kind = match field("type") {
            Some(Edn::Keyword(k)) => k.as_str(),
            _ => {
                return Err(format!(
                    "line {line}: :type must be :invoke, :ok, :fail or :info"
                ))
            }
        };
        let f = match field("f") {
            Some(Edn::Keyword(f)) | Some(Edn::Symbol(f)) | Some(Edn::Str(f)) => f.as_str(),
            _ => return Err(format!("line {line}: the operation has no :f")),
        };
        let key = field("key").map(|k| match k {
            Edn::Str(s) => s.clone(),
            other => other.to_string(),
        });
        let value = field("value").unwrap_or(&Edn::Nil);
        let position = position as u64;
        match kind {
            "invoke" => {
                let call = match f {
                    "read" | "get" | "r" => Call::Read,
                    "write" | "put" | "w" => Call::Write(to_value(value, line, "a write")?),
                    "cas" | "compare-and-set" => match value {
                        Edn::Vector(pair) | Edn::List(pair) if pair.len() == 2 => Call::Cas {
                            from: to_value(&pair[0].value, line, "a cas")?,
                            to: to_value(&pair[1].value, line, "a cas")?,
                        },
                        _ => {
                            return Err(format!(
                                "line {line}: a cas needs :value [from to], found {value}"
                            ))
                        }
                    },
                    "append" => Call::Append(to_value(value, line, "an append")?),
                    other => {
                        return Err(format!(
                            "line {line}: unknown :f :{other}; the models know read (get), \
                             write (put), cas and append"
                        ))
                    }
                };
                // A process invoking again left its previous operation without an answer.
                open.insert(process.clone(), ops.len());
                ops.push(ExternalOp {
                    process,
                    key,
                    call,
                    status: Status::Unknown,
                    read: None,
                    invoke: position,
                    complete: None,
                    line,
                });
            }
            "ok" | "fail" | "info" => {
                let Some(index) = open.remove(&process) else {
                    return Err(format!(
                        "line {line}: a :{kind} for {process}, which has no operation open; \
                         every completion must follow its :invoke"
                    ));
                };
                let op = &mut ops[index];
                op.status = match kind {
                    "ok" => Status::Ok,
                    "fail" => Status::Fail,
                    _ => Status::Unknown,
                };
                if op.status != Status::Unknown {
                    op.complete = Some(position);
                }
                // Turned away: it says nothing, not even about a compare-and-set's value.
                if kind == "fail"
                    && matches!(field("error"), Some(Edn::Keyword(e)) if e == "refused")
                {
                    refused.push(index);
                }
                if let (Call::Read, Status::Ok) = (&op.call, op.status) {
                    op.read = match value {
                        Edn::Nil => None,
                        v => Some(to_value(v, line, "a read")?),
                    };
                }
            }
            other => {
                return Err(format!(
                    "line {line}: unknown :type :{other}; expected :invoke, :ok, :fail or :info"
                ))
            }
        }
    }
    let ops = ops
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !refused.contains(i))
        .map(|(_, op)| op)
        .collect();
    Ok(ExternalHistory { ops })
}

fn to_value(edn: &Edn, line: usize, what: &str) -> Result<Value, String> {
    Ok(match edn {
        Edn::Int(n) => Value::Int(*n),
        Edn::Str(s) => Value::Str(s.clone()),
        Edn::Vector(items) | Edn::List(items) => Value::List(
            items
                .iter()
                .map(|item| to_value(&item.value, line, what))
                .collect::<Result<_, _>>()?,
        ),
        Edn::Nil => return Err(format!("line {line}: {what} needs a value, found nil")),
        other => Value::Str(other.to_string()),
    })
}

/// Failscope's JSON history: a `failscope-history/1` export, or a serialized [`History`].
pub fn read_failscope_json(text: &str) -> Result<History, String> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "line {}, column {}: not valid JSON: {e}",
            e.line(),
            e.column()
        )
    })?;
    if json.get("operations").is_some() {
        return serde_json::from_value(json).map_err(|e| format!("not a Failscope history: {e}"));
    }
    match json.get("format").and_then(|f| f.as_str()) {
        Some(HISTORY_FORMAT) => {}
        Some(other) => {
            return Err(format!(
                "format \"{other}\" is not a history; export the history ({HISTORY_FORMAT}), \
                 not the trace"
            ))
        }
        None => {
            return Err(format!(
                "no \"format\": \"{HISTORY_FORMAT}\" field; is this a Failscope history?"
            ))
        }
    }
    let Some(events) = json.get("events").and_then(|e| e.as_array()) else {
        return Err("no \"events\" list".into());
    };
    let mut operations: Vec<Operation> = Vec::new();
    let mut open: BTreeMap<u16, usize> = BTreeMap::new();
    let mut seqs: BTreeMap<u16, u32> = BTreeMap::new();
    for (n, event) in events.iter().enumerate() {
        let at = |what: &str| format!("event {}: {what}", n + 1);
        let number = |name: &str| event.get(name).and_then(|v| v.as_u64());
        let process = number("process")
            .and_then(|p| u16::try_from(p).ok())
            .ok_or_else(|| at("\"process\" must be a number from 0 to 65535"))?;
        let key = number("key")
            .and_then(|k| u16::try_from(k).ok())
            .ok_or_else(|| at("\"key\" must be a number from 0 to 65535"))?;
        let time = number("time").ok_or_else(|| at("\"time\" must be a whole number of µs"))?;
        let kind = event.get("type").and_then(|t| t.as_str()).unwrap_or("");
        let f = event.get("f").and_then(|t| t.as_str()).unwrap_or("");
        let value = event.get("value").unwrap_or(&serde_json::Value::Null);
        let u32_of = |v: &serde_json::Value| v.as_u64().and_then(|v| u32::try_from(v).ok());
        match kind {
            "invoke" => {
                let op = match f {
                    "read" => ClientOp::Read { key },
                    "write" => ClientOp::Write {
                        key,
                        value: u32_of(value).ok_or_else(|| at("a write needs a number value"))?,
                    },
                    "cas" => {
                        let pair = value.as_array().map(|a| a.as_slice()).unwrap_or(&[]);
                        match pair {
                            [from, to] => ClientOp::Cas {
                                key,
                                from: u32_of(from).ok_or_else(|| at("bad cas from"))?,
                                to: u32_of(to).ok_or_else(|| at("bad cas to"))?,
                            },
                            _ => return Err(at("a cas needs \"value\": [from, to]")),
                        }
                    }
                    other => {
                        return Err(at(&format!(
                            "unknown \"f\": \"{other}\"; expected read, write or cas"
                        )))
                    }
                };
                let seq = seqs.entry(process).or_insert(0);
                open.insert(process, operations.len());
                operations.push(Operation {
                    process,
                    seq: *seq,
                    node: 0,
                    op,
                    invoke_us: time,
                    return_us: None,
                    outcome: None,
                });
                *seq += 1;
            }
            "ok" | "fail" | "info" => {
                let Some(index) = open.remove(&process) else {
                    return Err(at(&format!(
                        "a \"{kind}\" for process {process}, which has no operation open"
                    )));
                };
                let op = &mut operations[index];
                op.return_us = Some(time);
                let refused = event.get("error").and_then(|e| e.as_str()) == Some("refused");
                op.outcome = Some(match (kind, op.op) {
                    ("ok", ClientOp::Read { .. }) => Outcome::Ok {
                        value: if value.is_null() {
                            None
                        } else {
                            Some(u32_of(value).ok_or_else(|| at("a read returns a number"))?)
                        },
                    },
                    ("ok", _) => Outcome::Ok { value: None },
                    ("fail", ClientOp::Cas { .. }) if !refused => Outcome::Mismatch,
                    ("fail", _) => Outcome::Fail,
                    _ => Outcome::Timeout,
                });
            }
            other => {
                return Err(at(&format!(
                    "unknown \"type\": \"{other}\"; expected invoke, ok, fail or info"
                )))
            }
        }
    }
    Ok(History { operations })
}

/// The history as Jepsen EDN, one event map per line (`:time` in nanoseconds), readable by
/// Jepsen's checkers and by [`read_jepsen_edn`]. A refused operation is a `:fail` with
/// `:error :refused`; a compare-and-set that found another value, a plain `:fail`.
pub fn to_jepsen_edn(history: &History) -> String {
    let mut events: Vec<(u64, usize, String)> = Vec::new();
    for (i, op) in history.operations.iter().enumerate() {
        let (f, key, value) = match op.op {
            ClientOp::Read { key } => ("read", key, "nil".to_string()),
            ClientOp::Write { key, value } => ("write", key, value.to_string()),
            ClientOp::Cas { key, from, to } => ("cas", key, format!("[{from} {to}]")),
        };
        let line = |kind: &str, value: &str, extra: &str, time: u64| {
            format!(
                "{{:process {}, :type :{kind}, :f :{f}, :key {key}, :value {value}{extra}, \
                 :time {}}}",
                op.process,
                time.saturating_mul(1_000)
            )
        };
        events.push((
            op.invoke_us,
            2 * i,
            line("invoke", &value, "", op.invoke_us),
        ));
        if let (Some(ret), Some(outcome)) = (op.return_us, op.outcome) {
            let text = match outcome {
                Outcome::Ok { value: read } if op.op.is_read() => {
                    let v = read.map_or("nil".to_string(), |v| v.to_string());
                    line("ok", &v, "", ret)
                }
                Outcome::Ok { .. } => line("ok", &value, "", ret),
                Outcome::Mismatch => line("fail", &value, "", ret),
                Outcome::Fail => line("fail", &value, ", :error :refused", ret),
                Outcome::Timeout => line("info", &value, "", ret),
            };
            events.push((ret, 2 * i + 1, text));
        }
    }
    // Stable within a microsecond: invocation order, each return after its invocation.
    events.sort_by_key(|e| (e.0, e.1));
    let mut out = String::new();
    for (_, _, text) in events {
        out.push_str(&text);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consistency::external::{check_external, ModelKind};
    use crate::consistency::test_support::{
        cas, failed, history, mismatched, open, r, timed_out, w,
    };
    use crate::consistency::{check_linearizable, Limits, Verdict};
    use crate::export::history_events;

    #[test]
    fn a_jepsen_history_reads_one_map_per_line_or_one_vector() {
        let lines = "{:process 0, :type :invoke, :f :write, :value 1}\n\
                     {:process 0, :type :ok, :f :write, :value 1}\n\
                     {:process :nemesis, :type :info, :f :start, :value nil}\n\
                     {:process 1, :type :invoke, :f :cas, :value [1 2]}\n\
                     {:process 1, :type :fail, :f :cas, :value [1 2]}\n\
                     {:process 2, :type :invoke, :f :read, :value nil}\n\
                     {:process 2, :type :ok, :f :read, :value 1}\n\
                     {:process 3, :type :invoke, :f :read, :value nil}\n\
                     {:process 3, :type :fail, :f :read, :value :timed-out}\n\
                     {:process 4, :type :invoke, :f :write, :value 9}\n\
                     {:process 4, :type :info, :f :write, :value 9}\n";
        let h = read_jepsen_edn(lines).expect("valid");
        assert_eq!(h.ops.len(), 5);
        assert_eq!(h.ops[1].status, Status::Fail);
        assert_eq!(h.ops[1].line, 4);
        assert_eq!(h.ops[2].read, Some(Value::Int(1)));
        assert_eq!(h.ops[4].status, Status::Unknown);
        assert_eq!(h.ops[4].complete, None);
        let vector = format!("[{}]", lines);
        assert_eq!(read_jepsen_edn(&vector), Ok(h.clone()));
        // Write 1, a failed cas 1→2, then read 1: the cas must have found 1.
        let report = check_external(&h, ModelKind::Register, Limits::default()).expect("valid");
        assert_eq!(report.verdict, Verdict::Violated);
        assert_eq!(report.keys[0].name, "register");
        assert!(
            report.keys[0]
                .violation
                .as_ref()
                .is_some_and(|v| v.explanation.contains("process 1's compare-and-set from 1")),
            "{report:?}"
        );
    }

    #[test]
    fn bad_jepsen_input_gets_a_line_and_a_fix() {
        let cases = [
            (
                "{:process 0, :type :ok, :f :read, :value 1}",
                "line 1: a :ok for process 0",
            ),
            (
                "{:process 0 :type :invoke :f :read}\n{:process 0 :type :invoke :f :frob}",
                "line 2: unknown :f :frob",
            ),
            (
                "{:process 0 :type :invoke :f :cas :value 3}",
                "line 1: a cas needs :value",
            ),
            (
                "{:type :invoke :f :read}",
                "line 1: the operation has no :process",
            ),
            (
                "{:process 0 :type :begin :f :read}",
                "line 1: unknown :type :begin",
            ),
            ("[1 2]", "line 1: expected an operation map"),
            (
                "{:process 0 :type :invoke :f :read",
                "line 1: '{' opened here is never closed",
            ),
        ];
        for (text, message) in cases {
            let err = read_jepsen_edn(text).expect_err(text);
            assert!(err.starts_with(message), "{text}: {err}");
        }
    }

    #[test]
    fn the_failscope_export_reads_back_as_the_same_history() {
        let h = history(vec![
            w(0, 0, 1, (0, 10)),
            mismatched(cas(1, 0, 1, 2, (20, 30))),
            failed(cas(2, 1, 1, 2, (20, 30))),
            r(2, 0, Some(1), (40, 50)),
            timed_out(w(3, 1, 4, (41, 60))),
            open(r(4, 0, None, (45, 45))),
        ]);
        let text = serde_json::to_string(&history_events(&h)).expect("json");
        let back = read_failscope_json(&text).expect("valid");
        assert_eq!(back.operations.len(), h.operations.len());
        for (a, b) in back.operations.iter().zip(&h.operations) {
            assert_eq!(
                (a.process, a.op, a.invoke_us),
                (b.process, b.op, b.invoke_us)
            );
            assert_eq!(a.outcome, b.outcome, "{a:?}");
        }
        assert_eq!(check_linearizable(&back).verdict, Verdict::Violated);
        let serialized = serde_json::to_string(&h).expect("json");
        assert_eq!(read_failscope_json(&serialized), Ok(h.clone()));
        assert_eq!(Format::detect(&text), Format::Failscope);
        // Through Jepsen EDN and back: the same verdict per key.
        let edn = to_jepsen_edn(&h);
        assert_eq!(Format::detect(&edn), Format::JepsenEdn);
        let external = read_jepsen_edn(&edn).expect("our own EDN reads back");
        let report =
            check_external(&external, ModelKind::Register, Limits::default()).expect("valid");
        let verdicts: Vec<Verdict> = report.keys.iter().map(|k| k.verdict).collect();
        let direct: Vec<Verdict> = check_linearizable(&h)
            .keys
            .iter()
            .map(|k| k.verdict)
            .collect();
        assert_eq!(verdicts, direct);
        assert!(edn.contains(":type :fail, :f :cas, :key 1, :value [1 2], :error :refused"));
    }

    #[test]
    fn bad_failscope_input_says_what_is_wrong() {
        let cases = [
            (
                "{\"format\": \"failscope-trace/1\"}",
                "format \"failscope-trace/1\" is not",
            ),
            ("{\"a\": 1}", "no \"format\""),
            ("{\n\"a\": }", "line 2, column"),
            (
                "{\"format\": \"failscope-history/1\", \"events\": [{\"process\": 0, \"type\": \
                 \"ok\", \"f\": \"read\", \"key\": 0, \"value\": 1, \"time\": 3}]}",
                "event 1: a \"ok\" for process 0",
            ),
        ];
        for (text, message) in cases {
            let err = read_failscope_json(text).expect_err(text);
            assert!(err.starts_with(message), "{text}: {err}");
        }
    }
}
