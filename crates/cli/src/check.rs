//! `failscope check FILE`: is a history linearizable? Reads Failscope's JSON history or a
//! Jepsen EDN history (from a file, or from a history link the app copied: `…#lab=…&h=1.…`), checks each key against the chosen model, and prints the verdict per
//! key with the offending operations and why they admit no order.
//!
//! Exit codes: 0 linearizable, 1 not linearizable, 2 unknown (a budget ran out) or bad
//! input. The engine counts work in steps; the wall-clock and memory budgets live here,
//! checked between slices of the search.

use crate::alloc_counter;
use failscope_sim::consistency::explain::count;
use failscope_sim::consistency::external::{Call, ExternalHistory, Status};
use failscope_sim::consistency::import::{read_failscope_json, read_jepsen_edn, Format};
use failscope_sim::consistency::{
    prepare, Limits, LinearizabilityCheck, LinearizabilityReport, ModelKind, Verdict,
};
use failscope_sim::history::History;
use failscope_sim::ids::client_name;
use serde_json::json;
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub const USAGE: &str = "failscope check FILE|HISTORY-LINK [--model register|kv] [--format auto|failscope|jepsen-edn] [--json] [--max-steps N] [--max-seconds S] [--max-memory-mb M]";

struct Options {
    path: String,
    model: ModelKind,
    format: Option<Format>,
    json: bool,
    limits: Limits,
    max_seconds: Option<f64>,
    max_memory_mb: Option<u64>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        path: String::new(),
        model: ModelKind::Register,
        format: None,
        json: false,
        limits: Limits::default(),
        max_seconds: None,
        max_memory_mb: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{arg} needs a value\nusage: {USAGE}"))
        };
        match arg.as_str() {
            "--model" => {
                options.model = match value()?.as_str() {
                    "register" => ModelKind::Register,
                    "kv" => ModelKind::Kv,
                    other => return Err(format!("--model takes register or kv, not `{other}`")),
                }
            }
            "--format" => {
                options.format = match value()?.as_str() {
                    "auto" => None,
                    "failscope" => Some(Format::Failscope),
                    "jepsen-edn" | "edn" => Some(Format::JepsenEdn),
                    other => {
                        return Err(format!(
                            "--format takes auto, failscope or jepsen-edn, not `{other}`"
                        ))
                    }
                }
            }
            "--json" => options.json = true,
            "--max-steps" => {
                let steps = whole(arg, value()?)?;
                options.limits.search_steps = steps;
                options.limits.shrink_steps = steps;
            }
            "--max-seconds" => {
                let text = value()?;
                let seconds: f64 = text
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| {
                        format!("--max-seconds wants a positive number, got `{text}`")
                    })?;
                options.max_seconds = Some(seconds);
            }
            "--max-memory-mb" => options.max_memory_mb = Some(whole(arg, value()?)?),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\nusage: {USAGE}"))
            }
            path if options.path.is_empty() => options.path = path.to_string(),
            extra => return Err(format!("one file at a time (also got `{extra}`)")),
        }
    }
    if options.path.is_empty() {
        return Err(format!("which history file?\nusage: {USAGE}"));
    }
    Ok(options)
}

fn whole(flag: &str, value: &str) -> Result<u64, String> {
    value
        .parse()
        .ok()
        .filter(|&n: &u64| n > 0)
        .ok_or_else(|| format!("{flag} wants a positive whole number, got `{value}`"))
}

/// The name and text of the history: a file, or a history link (when no file has that name).
fn read_input(path: &str) -> Result<(String, String), String> {
    use failscope_sim::link::history;
    if !std::path::Path::new(path).exists() && history::is_history_link(path) {
        let shared =
            history::decode(path).map_err(|e| format!("the history link cannot be opened: {e}"))?;
        return Ok((format!("{} (from the link)", shared.name), shared.text));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: cannot read it: {e}"))?;
    Ok((path.to_string(), text))
}

/// What the offending operations are called in the output.
enum Source {
    Failscope(History),
    Jepsen(ExternalHistory),
}

impl Source {
    fn describe(&self, index: usize) -> (Option<usize>, String) {
        match self {
            Source::Failscope(h) => match h.operations.get(index) {
                Some(op) => {
                    use failscope_sim::client::Outcome;
                    let outcome = match op.outcome {
                        Some(Outcome::Ok { value: Some(v) }) => format!("ok, returned {v}"),
                        Some(Outcome::Ok { value: None }) if op.op.is_read() => {
                            "ok, found it unset".into()
                        }
                        Some(Outcome::Ok { value: None }) => "ok".into(),
                        Some(Outcome::Fail) => "refused".into(),
                        Some(Outcome::Mismatch) => "failed: found another value".into(),
                        Some(Outcome::Timeout) => "timed out (unknown)".into(),
                        None => "no answer (unknown)".into(),
                    };
                    let text = format!(
                        "{} {} from {} to {} µs: {outcome}",
                        client_name(op.process),
                        op.op,
                        op.invoke_us,
                        op.return_us.map_or("—".into(), |r| r.to_string())
                    );
                    (None, text)
                }
                None => (None, format!("operation {index}")),
            },
            Source::Jepsen(h) => match h.ops.get(index) {
                Some(op) => {
                    let call = match &op.call {
                        Call::Read => "read".to_string(),
                        Call::Write(v) => format!("write {v}"),
                        Call::Cas { from, to } => format!("cas {from}→{to}"),
                        Call::Append(v) => format!("append {v}"),
                    };
                    let outcome = match (op.status, &op.read) {
                        (Status::Ok, Some(v)) if matches!(op.call, Call::Read) => {
                            format!("ok, returned {v}")
                        }
                        (Status::Ok, None) if matches!(op.call, Call::Read) => {
                            "ok, returned nil".into()
                        }
                        (Status::Ok, _) => "ok".into(),
                        (Status::Fail, _) => "fail".into(),
                        (Status::Unknown, _) => "info (unknown)".into(),
                    };
                    let key = op.key.as_deref().map_or(String::new(), |k| format!(" {k}"));
                    (
                        Some(op.line),
                        format!("{} {call}{key}: {outcome}", op.process),
                    )
                }
                None => (None, format!("operation {index}")),
            },
        }
    }
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let options = parse(args)?;
    let (name, text) = read_input(&options.path)?;
    let in_file = |e: String| format!("{name}: {e}");
    let format = options.format.unwrap_or_else(|| Format::detect(&text));
    let (mut check, source) = match format {
        Format::Failscope => {
            let history = read_failscope_json(&text).map_err(in_file)?;
            let check = LinearizabilityCheck::with_limits(&history, options.limits);
            (check, Source::Failscope(history))
        }
        Format::JepsenEdn => {
            let history = read_jepsen_edn(&text).map_err(in_file)?;
            let prepared = prepare(&history, options.model).map_err(in_file)?;
            (prepared.check(options.limits), Source::Jepsen(history))
        }
    };
    let (report, gave_up) = run_with_budgets(&mut check, &options);
    print(&report, gave_up.as_deref(), &source, options.json);
    Ok(match (report.verdict, gave_up) {
        (Verdict::Violated, _) => ExitCode::from(1),
        (Verdict::Holds, None) => ExitCode::SUCCESS,
        _ => ExitCode::from(2),
    })
}

/// Run the check in slices, printing progress on stderr every second or so, until it ends
/// or the time or memory budget runs out (then: the report so far, and why it stopped).
fn run_with_budgets(
    check: &mut LinearizabilityCheck,
    options: &Options,
) -> (LinearizabilityReport, Option<String>) {
    const SLICE_STEPS: u64 = 50_000;
    let started = Instant::now();
    let mut last_note = started;
    let base = alloc_counter::live_bytes();
    loop {
        if let Some(report) = check.run(SLICE_STEPS) {
            return (report, None);
        }
        let elapsed = started.elapsed();
        let (done, keys) = check.progress();
        let stop = if options
            .max_seconds
            .is_some_and(|s| elapsed.as_secs_f64() > s)
        {
            Some(format!("{:.1} s", elapsed.as_secs_f64()))
        } else {
            options.max_memory_mb.and_then(|mb| {
                let used = alloc_counter::live_bytes().saturating_sub(base);
                (used as u64 > mb * 1_048_576)
                    .then(|| format!("{:.0} MB of memory", used as f64 / 1_048_576.0))
            })
        };
        if let Some(why) = stop {
            let report = check.report_so_far();
            let message = format!(
                "gave up after {why} ({} steps; {done} of {keys} keys decided)",
                check.steps()
            );
            return (report, Some(message));
        }
        if last_note.elapsed() >= Duration::from_secs(1) {
            last_note = Instant::now();
            eprintln!(
                "failscope check: {done} of {keys} keys done, {} steps, {:.1} s",
                check.steps(),
                elapsed.as_secs_f64()
            );
        }
    }
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Holds => "linearizable",
        Verdict::Violated => "not linearizable",
        Verdict::Unknown => "unknown",
    }
}

fn print(report: &LinearizabilityReport, gave_up: Option<&str>, source: &Source, as_json: bool) {
    let overall = match (report.verdict, gave_up) {
        (Verdict::Holds, Some(_)) => Verdict::Unknown,
        (v, _) => v,
    };
    if as_json {
        let keys: Vec<serde_json::Value> = report
            .keys
            .iter()
            .map(|k| {
                let offending: Vec<serde_json::Value> = k
                    .violation
                    .iter()
                    .flat_map(|v| &v.operations)
                    .map(|&i| {
                        let (line, text) = source.describe(i);
                        json!({ "index": i, "line": line, "operation": text })
                    })
                    .collect();
                json!({
                    "key": k.name,
                    "verdict": k.verdict,
                    "operations": k.operations,
                    "steps": k.steps,
                    "offending": offending,
                    "minimal": k.violation.as_ref().map(|v| v.minimal),
                    "explanation": k.violation.as_ref().map(|v| &v.explanation),
                    "note": k.note,
                })
            })
            .collect();
        let out = json!({
            "verdict": overall,
            "keys": keys,
            "steps": report.steps,
            "gave_up": gave_up,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).unwrap_or_else(|e| e.to_string())
        );
        return;
    }
    for k in &report.keys {
        println!(
            "{}: {} ({} checked, {} steps)",
            k.name,
            verdict_text(k.verdict),
            count(k.operations, "operation"),
            k.steps
        );
        if let Some(v) = &k.violation {
            let minimal = if v.minimal {
                ""
            } else {
                " (perhaps not the smallest)"
            };
            println!(
                "  offending set{minimal}: {}",
                count(v.operations.len(), "operation")
            );
            for &i in &v.operations {
                match source.describe(i) {
                    (Some(line), text) => println!("    line {line}: {text}"),
                    (None, text) => println!("    {text}"),
                }
            }
            println!("  {}", v.explanation);
        }
        if let Some(note) = &k.note {
            println!("  {note}");
        }
    }
    match (gave_up, overall) {
        (Some(message), Verdict::Violated) => {
            println!("verdict: not linearizable (the other keys: {message})")
        }
        (Some(message), _) => println!("verdict: unknown, {message}"),
        (None, _) => println!("verdict: {}", verdict_text(overall)),
    }
}
