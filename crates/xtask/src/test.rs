//! `cargo xtask test`: every layer, in order, stopping at the first failure.

use crate::bundle;
use crate::cmd::{self, command, run_capture, Result};
use crate::serve;
use crate::setup;

/// Crates the engine must never depend on: it knows nothing of the browser.
const BROWSER_CRATES: &[&str] = &[
    "wasm-bindgen",
    "web-sys",
    "js-sys",
    "getrandom",
    "yew",
    "gloo",
];

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    fn line(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed)
    }
}

/// One layer of the test command.
type Layer = fn() -> Result<Outcome>;

/// A layer's result: counts of tests it ran and whether it succeeded as a whole.
struct Outcome {
    ok: bool,
    passed: u64,
    failed: u64,
}

impl Outcome {
    /// A layer that is one check (formatting, lints, a budget).
    fn single(ok: bool) -> Outcome {
        Outcome {
            ok,
            passed: u64::from(ok),
            failed: u64::from(!ok),
        }
    }
}

/// The layers in order: (short key for `--only`, what it checks, the check).
const LAYERS: &[(&str, &str, Layer)] = &[
    ("fmt", "format (cargo fmt --check)", format),
    (
        "clippy",
        "lints, native (clippy -D warnings)",
        clippy_native,
    ),
    (
        "clippy-wasm",
        "lints, wasm32 (clippy -D warnings)",
        clippy_wasm,
    ),
    (
        "browser-free",
        "engine has no browser dependencies",
        engine_is_browser_free,
    ),
    ("native", "native tests", native_tests),
    (
        "wasm",
        "browser tests (wasm-bindgen-test, headless Chromium)",
        wasm_tests,
    ),
    ("bundle", "release build and size budget", release_bundle),
    (
        "e2e",
        "end-to-end tests (Playwright, headless Chromium)",
        end_to_end,
    ),
];

/// `cargo xtask test` runs every layer (what CI runs); `--only bundle,e2e` runs some, for a
/// quicker loop while developing.
pub fn run(args: &[String]) -> Result {
    let only: Option<Vec<&str>> = match args {
        [] => None,
        [flag, keys] if flag == "--only" => Some(keys.split(',').collect()),
        _ => {
            let keys: Vec<&str> = LAYERS.iter().map(|l| l.0).collect();
            return Err(format!(
                "usage: cargo xtask test [--only {}]",
                keys.join(",")
            ));
        }
    };
    let started = std::time::Instant::now();
    setup::ensure(setup::Needs::everything())?;
    let mut tally = Tally::default();
    for &(key, name, layer) in LAYERS {
        if only.as_ref().is_some_and(|keys| !keys.contains(&key)) {
            continue;
        }
        println!("\n=== {name} ===");
        let outcome = layer()?;
        tally.passed += outcome.passed;
        tally.failed += outcome.failed;
        if !outcome.ok || outcome.failed > 0 {
            println!("\n{}", tally.line());
            return Err(format!("layer failed: {name}. Later layers were not run."));
        }
    }
    println!(
        "\nall layers passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!("{}", tally.line());
    Ok(())
}

fn format() -> Result<Outcome> {
    let (ok, _) = run_capture(command("cargo", &["fmt", "--all", "--", "--check"]));
    if !ok {
        println!("formatting differs: run `cargo fmt --all`");
    }
    Ok(Outcome::single(ok))
}

/// `cargo clippy <args> -- -D warnings`: whether it passed.
fn clippy(args: &[&str]) -> bool {
    let mut all = vec!["clippy"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", "-D", "warnings"]);
    run_capture(command("cargo", &all)).0
}

fn clippy_native() -> Result<Outcome> {
    Ok(Outcome::single(clippy(&[
        "--workspace",
        "--exclude",
        "failscope-web",
        "--all-targets",
    ])))
}

fn clippy_wasm() -> Result<Outcome> {
    let wasm = ["--target", "wasm32-unknown-unknown"];
    // The release bundle's code paths (lazily loaded chunks) compile only with `split`.
    let split = clippy(&[&wasm[..], &["-p", "failscope-web", "--features", "split"]].concat());
    let tests = split
        && clippy(
            &[
                &wasm[..],
                &[
                    "-p",
                    "failscope-web",
                    "-p",
                    "failscope-sim",
                    "-p",
                    "failscope-labs",
                    "--all-targets",
                ],
            ]
            .concat(),
        );
    Ok(Outcome::single(tests))
}

/// The engine and the labs run natively and in the browser alike: neither may depend on a
/// browser crate.
fn engine_is_browser_free() -> Result<Outcome> {
    let tree = cmd::output(
        "cargo",
        &[
            "tree",
            "-p",
            "failscope-sim",
            "-p",
            "failscope-labs",
            "-e",
            "normal,build",
            "--target",
            "all",
            "--prefix",
            "none",
        ],
    )
    .ok_or("`cargo tree -p failscope-sim -p failscope-labs` failed")?;
    let offenders: Vec<&str> = tree
        .lines()
        .filter(|line| {
            let name = line.split_whitespace().next().unwrap_or("");
            BROWSER_CRATES.contains(&name)
        })
        .collect();
    if offenders.is_empty() {
        println!(
            "failscope-sim and failscope-labs depend on none of: {}",
            BROWSER_CRATES.join(", ")
        );
    } else {
        println!("the engine and the labs must not depend on the browser, but their tree has:");
        for line in &offenders {
            println!("  {line}");
        }
    }
    Ok(Outcome::single(offenders.is_empty()))
}

fn native_tests() -> Result<Outcome> {
    let (ok, out) = run_capture(command(
        "cargo",
        &["test", "--workspace", "--exclude", "failscope-web"],
    ));
    Ok(cargo_counts(ok, &out))
}

fn wasm_tests() -> Result<Outcome> {
    let mut test = command(
        "cargo",
        &[
            "test",
            "-p",
            "failscope-web",
            "--target",
            "wasm32-unknown-unknown",
        ],
    );
    test.env("CHROMEDRIVER", setup::CHROMEDRIVER);
    test.env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    let (ok, out) = run_capture(test);
    Ok(cargo_counts(ok, &out))
}

/// Sum the `test result: ... N passed; M failed` lines cargo and wasm-bindgen-test print.
fn cargo_counts(ok: bool, out: &str) -> Outcome {
    let mut outcome = Outcome {
        ok,
        passed: 0,
        failed: 0,
    };
    for line in out.lines().filter(|l| l.starts_with("test result:")) {
        outcome.passed += count_before(line, " passed");
        outcome.failed += count_before(line, " failed");
    }
    if !ok && outcome.failed == 0 {
        // It failed before running tests (a compile error): count the layer as one failure.
        outcome.failed = 1;
    }
    outcome
}

fn count_before(line: &str, word: &str) -> u64 {
    line.find(word)
        .and_then(|end| line[..end].rsplit([' ', '.']).next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn release_bundle() -> Result<Outcome> {
    let report = match bundle::build_release() {
        Ok(report) => report,
        Err(message) => {
            println!("{message}");
            return Ok(Outcome::single(false));
        }
    };
    report.print();
    let problems = report.over_budget();
    for problem in &problems {
        println!("OVER BUDGET: {problem}");
    }
    if problems.is_empty() {
        println!("bundle: every page within budget");
    }
    Ok(Outcome::single(problems.is_empty()))
}

/// Where the end-to-end tests also find the app, to show it works from any path.
const SUBPATH: &str = "/docs/failscope/";

fn end_to_end() -> Result<Outcome> {
    let port = serve::spawn(bundle::dist_dir())?;
    // The same files under a sub-path, as a docs site would host them (subpath.test.mjs).
    let sub_port = serve::spawn_under(bundle::dist_dir(), SUBPATH)?;
    let root = cmd::root();
    let dir = root.join("tests").join("e2e");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut args = vec!["--test", "--test-reporter=tap", "--test-concurrency=1"];
    args.extend(files.iter().map(String::as_str));
    let mut node = command("node", &args);
    node.env("FAILSCOPE_URL", format!("http://127.0.0.1:{port}/"));
    node.env(
        "FAILSCOPE_SUBPATH_URL",
        format!("http://127.0.0.1:{sub_port}{SUBPATH}"),
    );
    node.env("CHROMIUM", setup::CHROMIUM);
    node.env("SCREENSHOT_DIR", root.join("target").join("e2e"));
    let (ok, out) = run_capture(node);
    let mut outcome = Outcome {
        ok,
        passed: 0,
        failed: 0,
    };
    for line in out.lines() {
        if let Some(n) = line.strip_prefix("# pass ") {
            outcome.passed += n.trim().parse().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("# fail ") {
            outcome.failed += n.trim().parse().unwrap_or(0);
        }
    }
    if !ok && outcome.failed == 0 {
        outcome.failed = 1;
    }
    println!("screenshots: {}", root.join("target").join("e2e").display());
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_read_from_cargo_summary_lines() {
        let out = "test result: ok. 12 passed; 0 failed; 0 ignored\n\
                   test result: FAILED. 3 passed; 2 failed; 0 ignored\n";
        let outcome = cargo_counts(false, out);
        assert_eq!((outcome.passed, outcome.failed), (15, 2));
    }

    #[test]
    fn a_failure_before_any_test_counts_once() {
        let outcome = cargo_counts(false, "error[E0425]: cannot find value\n");
        assert_eq!((outcome.passed, outcome.failed), (0, 1));
    }
}
