//! The release bundle: Trunk build, wasm-opt, and the size budget.

use crate::cmd::{self, command, run, Result};
use std::path::{Path, PathBuf};

/// Where the budget lives: one file, so tightening it is a one-line change.
const BUDGET_FILE: &str = "budgets.toml";

/// Flags binaryen needs to keep wasm-bindgen's output intact (see TOOLCHAIN notes in README).
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-sign-ext",
];

pub struct BundleReport {
    pub raw_bytes: u64,
    pub gzip_bytes: u64,
    pub budget_gzip_bytes: u64,
}

impl BundleReport {
    pub fn within_budget(&self) -> bool {
        self.gzip_bytes <= self.budget_gzip_bytes
    }
}

pub fn dist_dir() -> PathBuf {
    cmd::root().join("dist")
}

/// Build `dist/` in release mode and shrink the wasm with wasm-opt.
pub fn build_release() -> Result<BundleReport> {
    let mut trunk = command("trunk", &["build", "--release"]);
    trunk.env("CARGO_TERM_COLOR", "never");
    run(trunk)?;
    let wasm = find_file(&dist_dir(), ".wasm")?;
    let wasm_str = wasm.to_string_lossy().into_owned();
    let mut args = vec!["-Oz", "--strip-debug", "--strip-producers"];
    args.extend_from_slice(WASM_OPT_FEATURES);
    args.extend_from_slice(&[wasm_str.as_str(), "-o", wasm_str.as_str()]);
    run(command("wasm-opt", &args))?;
    measure()
}

/// Sizes of everything the browser downloads (wasm + JS + CSS + HTML), raw and gzip.
pub fn measure() -> Result<BundleReport> {
    let mut raw_bytes = 0u64;
    let mut gzip_bytes = 0u64;
    let entries = std::fs::read_dir(dist_dir()).map_err(|e| format!("no dist/: {e}"))?;
    let mut rows = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let counted = [".wasm", ".js", ".css", ".html"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if !counted || !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{name}: {e}"))?;
        let gz = gzip_size(&bytes);
        raw_bytes += bytes.len() as u64;
        gzip_bytes += gz;
        rows.push((name, bytes.len() as u64, gz));
    }
    rows.sort();
    for (name, raw, gz) in &rows {
        println!(
            "  {name:<48} {:>8.1} KB raw {:>8.1} KB gzip",
            kb(*raw),
            kb(*gz)
        );
    }
    let budget_gzip_bytes = read_budget()?;
    println!(
        "bundle: {:.1} KB raw, {:.1} KB gzip (budget {:.1} KB gzip, {BUDGET_FILE})",
        kb(raw_bytes),
        kb(gzip_bytes),
        kb(budget_gzip_bytes)
    );
    Ok(BundleReport {
        raw_bytes,
        gzip_bytes,
        budget_gzip_bytes,
    })
}

fn kb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}

/// gzip size = deflate stream + 18 bytes of gzip header and trailer.
fn gzip_size(bytes: &[u8]) -> u64 {
    miniz_oxide::deflate::compress_to_vec(bytes, 9).len() as u64 + 18
}

fn read_budget() -> Result<u64> {
    let text = std::fs::read_to_string(cmd::root().join(BUDGET_FILE))
        .map_err(|e| format!("cannot read {BUDGET_FILE}: {e}"))?;
    text.lines()
        .filter_map(|line| line.split_once('='))
        .find(|(key, _)| key.trim() == "bundle_gzip_bytes")
        .and_then(|(_, value)| value.trim().replace('_', "").parse().ok())
        .ok_or_else(|| format!("{BUDGET_FILE} has no `bundle_gzip_bytes = <n>` line"))
}

fn find_file(dir: &Path, suffix: &str) -> Result<PathBuf> {
    std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .ok_or_else(|| format!("no *{suffix} in {}", dir.display()))
}
