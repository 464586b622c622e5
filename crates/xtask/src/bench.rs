//! `cargo xtask bench`: every benchmark the issues ask for, with their figures.
//!
//! - native engine and lab throughput, trace memory and seek time (`failscope bench`);
//! - the same engine workload in headless Chromium (wasm-bindgen-test, release build);
//! - page benchmarks in headless Chromium (Playwright), when `tests/bench/` has any.
//!
//! Every figure is printed on a line starting with `BENCH`, so they are easy to collect.

use crate::cmd::{self, command, run, run_capture, Result};
use crate::{bundle, serve, setup};

pub fn run_all(args: &[String]) -> Result {
    if !args.is_empty() {
        return Err("usage: cargo xtask bench".into());
    }
    setup::ensure(setup::Needs::everything())?;
    println!("\n=== native (cargo run --profile fast -p failscope -- bench all) ===");
    run(command(
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
    ))?;

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
    let (ok, _) = run_capture(browser);
    if !ok {
        return Err("the browser engine benchmark failed".into());
    }

    let page_benches = cmd::root().join("tests").join("bench");
    if page_benches.is_dir() {
        println!("\n=== page benchmarks (Playwright, release build) ===");
        bundle::build_release()?;
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
