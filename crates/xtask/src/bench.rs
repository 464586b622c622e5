//! `cargo xtask bench`: every benchmark the issues ask for, with their figures.
//!
//! - native engine and lab throughput, trace memory and seek time (`failscope bench`);
//! - the same engine workload in headless Chromium (wasm-bindgen-test, release build);
//! - RaftScope's own simulation in Node (`../shared/anchors/raftscope/sim-rate.js`), run
//!   before, between and after our two Raft runs, so that our Raft figures are compared with
//!   RaftScope's on the same machine at the same time;
//! - page benchmarks in headless Chromium (Playwright), when `tests/bench/` has any.
//!
//! Every figure is printed on a line starting with `BENCH`, so they are easy to collect.

use crate::cmd::{self, command, run, run_capture, Result};
use crate::{bundle, serve, setup};
use std::path::PathBuf;

/// Where the anchor lives, relative to the repository root (the repository is cloned beside
/// `shared/`).
const ANCHOR_DIR: &str = "../shared/anchors/raftscope";
/// Simulated seconds per anchor run: a few wall seconds of RaftScope in Node.
const ANCHOR_SIM_SECONDS: &str = "300";
/// Anchor runs: before the native run, between native and browser, after the browser run.
const ANCHOR_RUNS: usize = 3;
/// The issue's target: our Raft simulation at least this many times RaftScope's speed.
const TARGET_RATIO: f64 = 100.0;

pub fn run_all(args: &[String]) -> Result {
    match args {
        [] => {}
        // Only the bytes-per-page table (two release builds), for a quick look.
        [flag] if flag == "--bytes" => {
            setup::ensure(setup::Needs::build_only())?;
            return bytes_per_page();
        }
        _ => return Err("usage: cargo xtask bench [--bytes]".into()),
    }
    setup::ensure(setup::Needs::everything())?;
    let anchor = locate_anchor();
    let mut anchor_rates = Vec::new();
    let mut anchor_error = None;
    let mut sample_anchor = |when: usize| {
        if let Ok(dir) = &anchor {
            println!(
                "\n=== RaftScope anchor in Node, run {when} of {ANCHOR_RUNS} ({ANCHOR_SIM_SECONDS} simulated s) ==="
            );
            match run_anchor(dir) {
                Ok(rate) => anchor_rates.push(rate),
                Err(e) => {
                    println!("RaftScope anchor run failed: {e}");
                    anchor_error = Some(e);
                }
            }
        }
    };

    sample_anchor(1);
    println!("\n=== native (cargo run --profile fast -p failscope -- bench all) ===");
    let (ok, native) = run_capture(command(
        "cargo",
        &[
            "run",
            "--quiet",
            "--profile",
            "fast",
            "-p",
            "failscope",
            "--",
            "bench",
            "all",
        ],
    ));
    if !ok {
        return Err("the native benchmark failed".into());
    }

    sample_anchor(2);
    println!("\n=== browser engine (wasm32, release, headless Chromium) ===");
    let mut browser = command(
        "cargo",
        &[
            "test",
            "-p",
            "failscope-web",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
            "--test",
            "bench",
            "--",
            "--nocapture",
        ],
    );
    browser.env("FAILSCOPE_BENCH", "1");
    browser.env("CHROMEDRIVER", setup::CHROMEDRIVER);
    let (ok, browser) = run_capture(browser);
    if !ok {
        return Err("the browser engine benchmark failed".into());
    }
    sample_anchor(3);

    println!("\n=== Raft against RaftScope, same run ===");
    let anchor = match anchor {
        Err(reason) => Err(reason),
        Ok(_) if anchor_rates.is_empty() => Err(format!(
            "failed ({})",
            anchor_error.unwrap_or_else(|| "no run".into())
        )),
        Ok(_) => {
            println!(
                "RaftScope in Node, {} simulated s per run: {} simulated s per wall s",
                ANCHOR_SIM_SECONDS,
                anchor_rates
                    .iter()
                    .map(|r| format!("{r:.1}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(median(&anchor_rates).unwrap_or(f64::NAN))
        }
    };
    let native = parse_bench_lines(&native);
    let browser = parse_bench_lines(&browser);
    for line in same_run_summary(
        anchor,
        bench_value(&native, "raft.native.sim_seconds_per_wall_second"),
        bench_value(&browser, "raft.browser.sim_seconds_per_wall_second"),
    ) {
        println!("{line}");
    }

    bytes_per_page()?;

    let page_benches = cmd::root().join("tests").join("bench");
    if page_benches.is_dir() {
        println!("\n=== page benchmarks (Playwright, release build) ===");
        let port = serve::spawn(bundle::dist_dir())?;
        let mut files: Vec<String> = std::fs::read_dir(&page_benches)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path().to_string_lossy().into_owned())
            .filter(|p| p.ends_with(".bench.mjs"))
            .collect();
        files.sort();
        for file in files {
            let mut node = command("node", &[file.as_str()]);
            node.env("FAILSCOPE_URL", format!("http://127.0.0.1:{port}/"));
            node.env("CHROMIUM", setup::CHROMIUM);
            run(node)?;
        }
    }
    Ok(())
}

/// The labs registered once the catalogue (`../shared/LABS.md`) is built: its 20 and the
/// hidden gallery. The page budget must hold with all of them registered.
const CATALOGUE_LABS: u64 = 21;

/// What each page downloads, and what the labs add to every page: the release bundle is
/// built twice, with no lab registered (the bare shell) and with every lab. Leaves the
/// full bundle in `dist/`.
fn bytes_per_page() -> Result {
    println!("\n=== bytes per page (release bundle, gzip) ===");
    let bare = bundle::build_shell_only()?;
    let shell = bare.home().total_gzip;
    let report = bundle::build_release()?;
    report.print();
    let home = report.home().total_gzip;
    println!("BENCH bytes.shell_without_labs_gzip {shell}");
    println!("BENCH bytes.home_gzip {home}");
    for page in report.pages.iter().skip(1) {
        println!("BENCH bytes.page.{}_gzip {}", page.page, page.total_gzip);
        println!("BENCH bytes.chunk.{}_gzip {}", page.page, page.own_gzip);
    }
    for page in &report.from_links {
        let lab = page.page.trim_end_matches(" (link)");
        println!(
            "BENCH bytes.from_link.{lab}_gzip {} (the page plus the link reader)",
            page.total_gzip
        );
    }
    for (lab, added) in report.link_reader_bytes() {
        println!("BENCH bytes.link_reader.{lab}_gzip {added} (what opening it from a link adds)");
    }
    let n_labs = report.n_labs.max(1);
    let added = home.saturating_sub(shell);
    println!(
        "BENCH bytes.marginal_per_lab_gzip {} (the {} labs together add {added} bytes to the home page: picker cards, catalogue entries, loader stubs, the split loader)",
        added / n_labs,
        report.n_labs
    );
    // A lab's page fetches the shell, not the picker: what each registered lab adds there.
    let page_added = report.shell_gzip.saturating_sub(bare.shell_gzip);
    let per_lab = page_added.div_ceil(n_labs);
    println!(
        "BENCH bytes.marginal_per_lab_page_gzip {per_lab} (the {} labs together add {page_added} bytes to every lab's page)",
        report.n_labs
    );
    // The catalogue's promise: every page within budget with all of its labs registered.
    let missing = CATALOGUE_LABS.saturating_sub(report.n_labs);
    let heaviest = report
        .pages
        .iter()
        .skip(1)
        .chain(&report.from_links)
        .max_by_key(|p| p.total_gzip);
    if let Some(page) = heaviest {
        let projected = page.total_gzip + missing * per_lab;
        println!(
            "BENCH bytes.heaviest_page_with_{CATALOGUE_LABS}_labs_gzip {projected} ({}: {} now + {missing} more labs x {per_lab}; budget {})",
            page.page,
            page.total_gzip,
            report.budgets.page_gzip_bytes
        );
        if projected > report.budgets.page_gzip_bytes {
            println!(
                "OVER BUDGET: with {CATALOGUE_LABS} labs registered, opening {} would fetch about {:.1} KB gzip",
                page.page,
                projected as f64 / 1024.0
            );
        }
    }
    for problem in report.over_budget() {
        println!("OVER BUDGET: {problem}");
    }
    Ok(())
}

/// The anchor's directory, or why it cannot be used (`missing (...)`).
fn locate_anchor() -> std::result::Result<PathBuf, String> {
    let dir = cmd::root().join(ANCHOR_DIR);
    if !dir.is_dir() {
        return Err(format!("missing ({ANCHOR_DIR} not found)"));
    }
    if !dir.join("sim-rate.js").is_file() {
        return Err(format!("missing ({ANCHOR_DIR}/sim-rate.js not found)"));
    }
    Ok(dir.canonicalize().unwrap_or(dir))
}

/// One run of the anchor: RaftScope's simulated seconds per wall second.
fn run_anchor(dir: &std::path::Path) -> std::result::Result<f64, String> {
    let script = dir.join("sim-rate.js").to_string_lossy().into_owned();
    let dir = dir.to_string_lossy().into_owned();
    let args = [script.as_str(), dir.as_str(), ANCHOR_SIM_SECONDS];
    println!("$ node {}", args.join(" "));
    let out = command("node", &args)
        .output()
        .map_err(|e| format!("could not start node: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "node exited with {}: {}",
            out.status,
            stderr.trim()
        ));
    }
    stdout
        .lines()
        .find_map(|line| json_number(line, "sim_seconds_per_wall_second"))
        .filter(|rate| rate.is_finite() && *rate > 0.0)
        .ok_or_else(|| "no sim_seconds_per_wall_second in its output".into())
}

/// The `BENCH key value` figures in a benchmark's output, in order. `BENCH` may follow a
/// prefix (the browser runner may indent console output); anything after the value is
/// commentary and ignored, and so are lines whose value is not a number.
fn parse_bench_lines(output: &str) -> Vec<(String, f64)> {
    output
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace().skip_while(|w| *w != "BENCH");
            words.next()?;
            let key = words.next()?;
            let value = words.next()?.parse::<f64>().ok()?;
            Some((key.to_string(), value))
        })
        .collect()
}

/// The last figure printed under `key` (a runner that echoes output twice prints it twice).
fn bench_value(figures: &[(String, f64)], key: &str) -> Option<f64> {
    figures
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| *v)
}

/// A top-level number field of a one-line JSON object such as the anchor prints.
fn json_number(line: &str, key: &str) -> Option<f64> {
    let quoted = format!("\"{key}\"");
    let at = line.find(&quoted)? + quoted.len();
    let rest = line[at..].trim_start().strip_prefix(':')?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The closing lines: RaftScope's figure and our ratios to it, or why there are none.
fn same_run_summary(
    anchor: std::result::Result<f64, String>,
    native: Option<f64>,
    browser: Option<f64>,
) -> Vec<String> {
    let ours = [("native", native), ("browser", browser)];
    let mut lines = Vec::new();
    let anchor = match anchor {
        Ok(rate) => rate,
        Err(reason) => {
            lines.push(format!(
                "BENCH raftscope.anchor {reason}: our figures alone"
            ));
            let alone: Vec<String> = ours
                .iter()
                .map(|(side, figure)| match figure {
                    Some(f) => format!("{side} {f:.0}"),
                    None => format!("{side} not found"),
                })
                .collect();
            lines.push(format!(
                "Raft, simulated s per wall s: {} (no same-run ratio to RaftScope)",
                alone.join(", ")
            ));
            return lines;
        }
    };
    lines.push(format!(
        "BENCH raftscope.sim_seconds_per_wall_second {anchor:.1}"
    ));
    let mut verdicts = Vec::new();
    for (side, figure) in ours {
        match figure {
            Some(figure) => {
                let ratio = figure / anchor;
                lines.push(format!(
                    "BENCH raft.{side}.ratio_vs_raftscope_same_run {ratio:.1}"
                ));
                let met = if ratio >= TARGET_RATIO {
                    "met"
                } else {
                    "NOT met"
                };
                verdicts.push(format!("{side} {ratio:.0}x ({met})"));
            }
            None => {
                lines.push(format!(
                    "no `BENCH raft.{side}.sim_seconds_per_wall_second` line in the {side} output: no {side} ratio"
                ));
                verdicts.push(format!("{side} unknown"));
            }
        }
    }
    lines.push(format!(
        "target: Raft at >= {TARGET_RATIO:.0}x RaftScope's simulated seconds per wall second, same machine, same run: {}",
        verdicts.join(", ")
    ));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_lines_give_key_and_value() {
        let out = "engine, native: failure-detection (5 nodes) - 1 events\n\
                   BENCH engine.native.events_per_second 2500000\n\
                   BENCH raft.native.sim_seconds_per_wall_second 15123\n\
                   test raft_throughput ... ok\n\
                   \x20   BENCH raft.browser.sim_seconds_per_wall_second 8120 (3 runs, best)\n\
                   console.log: BENCH ring.browser.lookups_ms 41.5\n\
                   BENCH raftscope.anchor missing (../x not found): our figures alone\n\
                   BENCH truncated\n";
        assert_eq!(
            parse_bench_lines(out),
            vec![
                ("engine.native.events_per_second".to_string(), 2_500_000.0),
                (
                    "raft.native.sim_seconds_per_wall_second".to_string(),
                    15_123.0
                ),
                (
                    "raft.browser.sim_seconds_per_wall_second".to_string(),
                    8_120.0
                ),
                ("ring.browser.lookups_ms".to_string(), 41.5),
            ]
        );
    }

    #[test]
    fn the_last_figure_under_a_key_wins() {
        let figures = parse_bench_lines("BENCH a 1\nBENCH b 2\nBENCH a 3\n");
        assert_eq!(bench_value(&figures, "a"), Some(3.0));
        assert_eq!(bench_value(&figures, "b"), Some(2.0));
        assert_eq!(bench_value(&figures, "c"), None);
    }

    #[test]
    fn the_anchor_figure_is_read_from_its_json() {
        let line = r#"{"anchor":"raftscope","sim_seconds":300,"step_us":1000,"wall_seconds":2.5,"sim_seconds_per_wall_second":118.2,"leader_log_len":899}"#;
        assert_eq!(
            json_number(line, "sim_seconds_per_wall_second"),
            Some(118.2)
        );
        assert_eq!(json_number(line, "sim_seconds"), Some(300.0));
        assert_eq!(json_number(line, "wall_seconds"), Some(2.5));
        assert_eq!(json_number(line, "missing"), None);
        assert_eq!(json_number(r#"{"x": 1e3}"#, "x"), Some(1000.0));
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[120.0, 100.0, 130.0]), Some(120.0));
        assert_eq!(median(&[100.0, 130.0]), Some(115.0));
    }

    #[test]
    fn ratios_are_ours_over_the_anchor() {
        let lines = same_run_summary(Ok(120.0), Some(15_000.0), Some(6_000.0));
        assert_eq!(
            lines[0],
            "BENCH raftscope.sim_seconds_per_wall_second 120.0"
        );
        assert_eq!(
            lines[1],
            "BENCH raft.native.ratio_vs_raftscope_same_run 125.0"
        );
        assert_eq!(
            lines[2],
            "BENCH raft.browser.ratio_vs_raftscope_same_run 50.0"
        );
        assert!(lines[3].contains(">= 100x"), "{}", lines[3]);
        assert!(lines[3].contains("native 125x (met)"), "{}", lines[3]);
        assert!(lines[3].contains("browser 50x (NOT met)"), "{}", lines[3]);
        // Every BENCH line of the summary parses back.
        let figures = parse_bench_lines(&lines.join("\n"));
        assert_eq!(
            bench_value(&figures, "raft.native.ratio_vs_raftscope_same_run"),
            Some(125.0)
        );
    }

    #[test]
    fn a_missing_figure_gives_no_ratio() {
        let lines = same_run_summary(Ok(120.0), Some(15_000.0), None);
        let figures = parse_bench_lines(&lines.join("\n"));
        assert!(bench_value(&figures, "raft.native.ratio_vs_raftscope_same_run").is_some());
        assert!(bench_value(&figures, "raft.browser.ratio_vs_raftscope_same_run").is_none());
        assert!(lines.iter().any(|l| l.contains("browser unknown")));
    }

    #[test]
    fn a_missing_anchor_prints_our_figures_alone() {
        let lines = same_run_summary(
            Err("missing (../shared/anchors/raftscope not found)".into()),
            Some(15_000.0),
            Some(6_000.0),
        );
        assert_eq!(
            lines[0],
            "BENCH raftscope.anchor missing (../shared/anchors/raftscope not found): our figures alone"
        );
        assert!(
            lines[1].contains("native 15000, browser 6000"),
            "{}",
            lines[1]
        );
        assert!(parse_bench_lines(&lines.join("\n")).is_empty());
    }
}
