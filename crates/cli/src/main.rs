//! `failscope`: run Failscope scenarios headless.
//!
//! ```text
//! failscope labs                                   list labs and their presets
//! failscope run <SOURCE> [--seed N] [--until S] [--emit WHAT] [--out FILE] [--gzip]
//! failscope sweep <SOURCE> --seeds N [--from N] [--until S] [--swarm]
//! failscope bench [engine|raft|ring|consistency|hunt|all]
//! failscope check FILE|HISTORY-LINK [--model register|kv] [--format auto|failscope|jepsen-edn] [--json]
//!                 [--max-steps N] [--max-seconds S] [--max-memory-mb M]
//! ```
//!
//! SOURCE is a scenario file (`scenario.json`), a share link copied from the app (replays
//! the sender's exact run up to the moment they shared), or `--lab ID [--preset ID]`.
//! Output is gzip-compressed, as it is written, with `--gzip` or an `--out` name ending in `.gz`.

mod alloc_counter;
mod bench;
mod check;
mod source;

use failscope_sim::export;
use failscope_sim::history::History;
use failscope_sim::time::SECOND;
use rayon::prelude::*;
use serde_json::json;
use source::Source;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: alloc_counter::Counting = alloc_counter::Counting;

const USAGE: &str = "usage:
  failscope labs
  failscope run   <scenario.json | share-link | --lab ID [--preset ID]> [--seed N] [--until SECONDS] [--emit summary|trace|history|all] [--out FILE] [--gzip]
  failscope sweep <scenario.json | --lab ID [--preset ID]> --seeds N [--from N] [--until SECONDS] [--swarm]
  failscope bench [engine|raft|ring|consistency|hunt|all]
  failscope check FILE|HISTORY-LINK [--model register|kv] [--format auto|failscope|jepsen-edn] [--json] [--max-steps N] [--max-seconds S] [--max-memory-mb M]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("labs") => labs(),
        Some("run") => run(&args[1..]),
        Some("sweep") => sweep(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("check") => check::run(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("failscope: {message}");
            ExitCode::from(2)
        }
    }
}

fn labs() -> Result<ExitCode, String> {
    for lab in failscope_labs::all() {
        let hidden = if lab.listed() { "" } else { " (hidden)" };
        println!(
            "{:<16} {}{hidden}: {}",
            lab.id(),
            lab.title(),
            lab.summary()
        );
        for preset in lab.presets() {
            println!("    --preset {:<22} {}", preset.id, preset.title);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Flags shared by `run` and `sweep`, after the source.
struct Options {
    seed: Option<u64>,
    until_us: Option<u64>,
    emit: String,
    out: Option<String>,
    /// Compress the output with gzip (also when `out` ends in `.gz`).
    gzip: bool,
    seeds: u64,
    from: u64,
    /// Each seed also draws a fault schedule (swarm testing, `failscope_sim::hunt`).
    swarm: bool,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        seed: None,
        until_us: None,
        emit: "summary".into(),
        out: None,
        gzip: false,
        seeds: 0,
        from: 0,
        swarm: false,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seed" => options.seed = Some(parse_u64(flag, value()?)?),
            "--until" => options.until_us = Some(parse_seconds(value()?)?),
            "--emit" => options.emit = value()?.clone(),
            "--out" => options.out = Some(value()?.clone()),
            "--gzip" => options.gzip = true,
            "--seeds" => options.seeds = parse_u64(flag, value()?)?,
            "--from" => options.from = parse_u64(flag, value()?)?,
            "--swarm" => options.swarm = true,
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

fn parse_u64(flag: &str, value: &str) -> Result<u64, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} wants a whole number, got `{value}`"))
}

fn parse_seconds(value: &str) -> Result<u64, String> {
    let seconds: f64 = value
        .parse()
        .map_err(|_| format!("--until wants seconds, got `{value}`"))?;
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err("--until must be between 0 and 86400 seconds".into());
    }
    Ok((seconds * SECOND as f64) as u64)
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let (source, rest) = Source::parse(args)?;
    let options = parse_options(rest)?;
    let mut scenario = source.scenario()?;
    if let Some(seed) = options.seed {
        scenario.seed = seed;
    }
    let until = options.until_us.unwrap_or(source.default_duration());
    let mut sim = failscope_labs::build(&scenario).map_err(|e| format!("invalid scenario: {e}"))?;
    sim.run_until(until);
    let invariants = sim.invariants();
    let violated = invariants
        .iter()
        .any(|r| r.status.first_violation.is_some());
    let summary = json!({
        "lab": scenario.lab,
        "seed": scenario.seed,
        "until_us": until,
        "events": sim.events_processed(),
        "trace_events": sim.trace().len(),
        "trace_hash": format!("{:016x}", sim.trace().hash()),
        "metrics": sim.metrics(),
        "invariants": invariants,
        "halted": sim.halted(),
    });
    let trace = sim.trace();
    let header = export::trace_header(
        sim.scenario(),
        sim.message_kinds(),
        sim.timer_names(),
        trace.hash(),
        trace.len(),
    );
    let output = match options.emit.as_str() {
        "summary" => summary,
        // JSON lines, written chunk by chunk: a long run is never one string.
        "trace" => {
            let chunks =
                export::trace_lines(&header, trace.events(), export::TRACE_EVENTS_PER_CHUNK);
            write_chunks(options.out.as_deref(), options.gzip, chunks)?;
            return Ok(exit_code(violated));
        }
        "history" => serde_json::to_value(export::history_events(&History::from_trace(trace)))
            .map_err(|e| e.to_string())?,
        // The trace's header only: its events come with `--emit trace`, as JSON lines.
        "all" => json!({
            "summary": summary,
            "trace": header,
            "history": export::history_events(&History::from_trace(trace)),
        }),
        other => {
            return Err(format!(
                "--emit takes summary, trace, history or all, not `{other}`"
            ))
        }
    };
    let text = serde_json::to_string_pretty(&output).map_err(|e| e.to_string())?;
    write_chunks(options.out.as_deref(), options.gzip, [Ok(text + "\n")])?;
    Ok(exit_code(violated))
}

fn exit_code(violated: bool) -> ExitCode {
    if violated {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Write text in chunks to a file (or standard output without one), never holding it whole;
/// gzip-compressed as it goes when asked (`gzip`) or when the file name ends in `.gz`.
fn write_chunks(
    path: Option<&str>,
    gzip: bool,
    chunks: impl IntoIterator<Item = serde_json::Result<String>>,
) -> Result<(), String> {
    use std::io::Write;
    let (out, name): (Box<dyn Write>, &str) = match path {
        Some(path) => (
            Box::new(std::io::BufWriter::new(
                std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?,
            )),
            path,
        ),
        None => (Box::new(std::io::stdout().lock()), "standard output"),
    };
    let failed = |e: std::io::Error| format!("{name}: {e}");
    if gzip || path.is_some_and(|p| p.ends_with(".gz")) {
        // Level 6, gzip's default: a 600 MB trace shrinks about twentyfold in seconds; the
        // best level takes several times longer for a few percent.
        let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::default());
        write_each(&mut encoder, chunks, name)?;
        // `finish` writes gzip's trailer (a drop would too, but hide its error).
        encoder
            .finish()
            .and_then(|mut out| out.flush())
            .map_err(failed)
    } else {
        let mut out = out;
        write_each(&mut out, chunks, name)?;
        out.flush().map_err(failed)
    }
}

fn write_each(
    out: &mut impl std::io::Write,
    chunks: impl IntoIterator<Item = serde_json::Result<String>>,
    name: &str,
) -> Result<(), String> {
    for chunk in chunks {
        let chunk = chunk.map_err(|e| e.to_string())?;
        out.write_all(chunk.as_bytes())
            .map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

fn sweep(args: &[String]) -> Result<ExitCode, String> {
    let (source, rest) = Source::parse(args)?;
    let options = parse_options(rest)?;
    if options.seeds == 0 {
        return Err("sweep needs --seeds N".into());
    }
    let base = source.scenario()?;
    base.validate(&failscope_labs::REGISTRY)
        .map_err(|e| format!("invalid scenario: {e}"))?;
    let until = options.until_us.unwrap_or(source.default_duration());
    let started = std::time::Instant::now();
    let failures: Vec<(u64, Vec<String>)> = (options.from..options.from + options.seeds)
        .into_par_iter()
        .filter_map(|seed| {
            let scenario = if options.swarm {
                failscope_sim::hunt::swarm_scenario(
                    &base,
                    seed,
                    failscope_sim::hunt::horizon(until),
                )
                .0
            } else {
                let mut scenario = base.clone();
                scenario.seed = seed;
                scenario
            };
            let mut sim = failscope_labs::build(&scenario).ok()?;
            sim.run_until(until);
            let violated: Vec<String> = sim
                .invariants()
                .into_iter()
                .filter_map(|r| {
                    r.status
                        .first_violation
                        .map(|v| format!("{} at {} µs: {}", r.spec.name, v.time, v.detail))
                })
                .collect();
            (!violated.is_empty()).then_some((seed, violated))
        })
        .collect();
    let mut failures = failures;
    failures.sort();
    println!(
        "swept {} seeds ({}..{}){} for {} s each in {:.1} s: {} violated an invariant",
        options.seeds,
        options.from,
        options.from + options.seeds,
        if options.swarm {
            " with swarm fault schedules"
        } else {
            ""
        },
        until as f64 / SECOND as f64,
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    for (seed, violations) in &failures {
        println!("\nFAILSCOPE_SEED={seed}");
        for v in violations {
            println!("  {v}");
        }
        if options.swarm {
            println!(
                "  reproduce: failscope sweep {} --swarm --from {seed} --seeds 1 --until {}",
                source.describe(),
                until as f64 / SECOND as f64
            );
        } else {
            println!(
                "  reproduce: failscope run {} --seed {seed} --until {}",
                source.describe(),
                until as f64 / SECOND as f64
            );
        }
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
