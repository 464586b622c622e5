//! `cargo xtask bench`: filled in as the benchmarks land.

use crate::cmd::Result;

pub fn run(_args: &[String]) -> Result {
    Err("no benchmarks yet".into())
}
