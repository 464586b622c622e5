//! Installing the tools the build and the tests need, each only when it is missing.
//!
//! What works on our machines (and what does not) is recorded in the README; the short
//! version: everything comes from crates.io, npm or Debian by package name, never from a
//! tool that downloads its own binaries at build time.

use crate::cmd::{self, command, output, run, Result};
use std::path::Path;

/// Which groups of tools a command needs.
#[derive(Clone, Copy)]
pub struct Needs {
    pub browser: bool,
}

impl Needs {
    pub fn everything() -> Needs {
        Needs { browser: true }
    }
    pub fn build_only() -> Needs {
        Needs { browser: false }
    }
}

pub fn ensure(needs: Needs) -> Result {
    let started = std::time::Instant::now();
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_wasm_split()?;
    ensure_node()?;
    ensure_npm_packages()?;
    if needs.browser {
        ensure_chromium()?;
    }
    println!(
        "set-up: all tools present ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn ensure_wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(command(
        "rustup",
        &["target", "add", "wasm32-unknown-unknown"],
    ))
}

/// The wasm-bindgen version in Cargo.lock; the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(cmd::root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version_line) = lines.next() {
                if let Some(v) = version_line.trim().strip_prefix("version = \"") {
                    return Ok(v.trim_end_matches('"').to_string());
                }
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

fn ensure_wasm_bindgen() -> Result {
    let wanted = locked_wasm_bindgen_version()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = output("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    let matches = |s: &str| s.split_whitespace().nth(1) == Some(wanted.as_str());
    if matches(&have) && matches(&runner) {
        return Ok(());
    }
    println!("set-up: installing wasm-bindgen-cli {wanted} (about 3 minutes, once)");
    // Not --locked: one of its locked dependency versions is missing from the registry.
    run(command(
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--force",
        ],
    ))
}

pub const WASM_SPLIT_VERSION: &str = "0.2.4";

/// wasm-split-cli cuts the release wasm into a chunk per lab (Trunk 0.21 cannot).
fn ensure_wasm_split() -> Result {
    // The tool has no --version: cargo's list of installed packages says which it is.
    let installed = output("cargo", &["install", "--list"]).unwrap_or_default();
    let wanted = format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:");
    if installed.lines().any(|l| l.trim() == wanted) {
        return Ok(());
    }
    println!("set-up: installing wasm-split-cli {WASM_SPLIT_VERSION} (about 2 minutes, once)");
    run(command(
        "cargo",
        &[
            "install",
            "--locked",
            "wasm_split_cli_support",
            "--version",
            WASM_SPLIT_VERSION,
            "--features",
            "build-binary",
        ],
    ))
}

fn is_root() -> bool {
    output("id", &["-u"]).as_deref() == Some("0")
}

fn apt_install(packages: &[&str], what: &str) -> Result {
    let shown = format!(
        "sudo apt-get update && sudo apt-get install -y {}",
        packages.join(" ")
    );
    if !is_root() {
        return Err(format!(
            "{what} is missing and installing it needs root. Run:\n\n    {shown}\n\nthen run this command again."
        ));
    }
    println!(
        "set-up: installing {what} from Debian ({})",
        packages.join(" ")
    );
    let mut update = command("apt-get", &["update", "-qq"]);
    update.env("DEBIAN_FRONTEND", "noninteractive");
    run(update)?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    let mut install = command("apt-get", &args);
    install.env("DEBIAN_FRONTEND", "noninteractive");
    run(install)
}

fn ensure_node() -> Result {
    if output("node", &["--version"]).is_some() && output("npm", &["--version"]).is_some() {
        return Ok(());
    }
    apt_install(
        &["nodejs", "npm"],
        "Node.js (for wasm-opt and the end-to-end tests)",
    )
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn ensure_chromium() -> Result {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"], "Chromium")
}

/// `npm ci` when node_modules does not match package-lock.json (a stamp records the hash).
fn ensure_npm_packages() -> Result {
    let root = cmd::root();
    let lock = std::fs::read(root.join("package-lock.json"))
        .map_err(|e| format!("cannot read package-lock.json: {e}"))?;
    let stamp_path = root.join("node_modules").join(".failscope-lock-hash");
    let hash = format!("{:016x}", fnv1a(&lock));
    if std::fs::read_to_string(&stamp_path).ok().as_deref() == Some(hash.as_str()) {
        return Ok(());
    }
    run(command("npm", &["ci", "--no-audit", "--no-fund"]))?;
    std::fs::write(&stamp_path, hash).map_err(|e| format!("cannot write npm stamp: {e}"))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
