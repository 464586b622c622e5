//! `cargo xtask <command>`: the only commands a newcomer needs.
//!
//! - `serve`: set up what is missing, build the release bundle, serve it on 127.0.0.1:8080.
//! - `dist`: the same build into `dist/`, checked against the budgets, for hosting.
//! - `test`: set up what is missing, then run every test layer in order, stopping at the
//!   first failing layer, and end with one `N passed, N failed` line.
//! - `bench`: the benchmarks whose figures the issues ask for.
//!
//! Set-up is idempotent: each tool is checked first and installed only when missing.

mod bench;
mod bundle;
mod cmd;
mod serve;
mod setup;
mod test;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <serve [--port N] | dist | test | bench | setup>

  serve   install what is missing, build the app, serve it on http://127.0.0.1:8080
  dist    build the app into dist/ for any static host (under any path), checking budgets
  test    install what is missing, run every test layer, print `N passed, N failed`
  bench   run the engine, link-codec and browser benchmarks and print their figures
  setup   only install what is missing";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve::run(&args[1..]),
        Some("dist") => serve::dist(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run_all(&args[1..]),
        Some("setup") => setup::ensure(setup::Needs::everything()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}
