//! `failscope run --emit trace` writes the documented `failscope-trace/1` (JSON lines: a
//! header, then one event per line), the same format as the app's trace download.

use failscope_sim::time::SECOND;
use std::process::Command;

/// The bytes `failscope run` writes for 3 s of replication's `cap-cp` preset with
/// `--emit trace --out <path> <extra>`.
fn write_trace(path: &std::path::Path, extra: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_failscope"))
        .args([
            "run",
            "--lab",
            "replication",
            "--preset",
            "cap-cp",
            "--until",
            "3",
        ])
        .args(["--emit", "trace", "--out"])
        .arg(path)
        .args(extra)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(path).unwrap()
}

#[test]
fn a_preset_trace_reads_back_with_the_engine_s_trace_hash() {
    let (lab, preset) = ("replication", "cap-cp");
    let path = std::env::temp_dir().join(format!("failscope-trace-{}.jsonl", std::process::id()));
    let text = String::from_utf8(write_trace(&path, &[])).unwrap();
    let _ = std::fs::remove_file(&path);
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let events: Vec<serde_json::Value> = lines
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();

    // The same run, in the engine.
    let scenario = failscope_labs::preset(lab, preset).unwrap().scenario;
    let mut sim = failscope_labs::build(&scenario).unwrap();
    sim.run_until(3 * SECOND);
    let trace = sim.trace();

    assert_eq!(header["format"], failscope_sim::export::TRACE_FORMAT);
    assert_eq!(header["scenario"]["lab"], lab);
    assert_eq!(
        header["trace_hash"],
        format!("{:016x}", trace.hash()),
        "the CLI's trace is the engine's"
    );
    assert!(trace.len() > 100);
    assert_eq!(header["n_events"], trace.len());
    assert_eq!(events.len(), trace.len());
    assert_eq!(events[0], serde_json::to_value(&trace.events()[0]).unwrap());
    assert!(header["message_kinds"]
        .as_array()
        .is_some_and(|k| !k.is_empty()));
}

#[test]
fn a_gzip_trace_decompresses_to_the_plain_one() {
    use std::io::Read;
    let dir = std::env::temp_dir();
    let id = std::process::id();
    let plain = dir.join(format!("failscope-trace-{id}-plain.jsonl"));
    let by_name = dir.join(format!("failscope-trace-{id}.jsonl.gz"));
    let by_flag = dir.join(format!("failscope-trace-{id}-flag.jsonl.z"));
    let text = write_trace(&plain, &[]);
    for gz in [
        write_trace(&by_name, &[]),
        write_trace(&by_flag, &["--gzip"]),
    ] {
        assert_eq!(gz[..2], [0x1f, 0x8b], "gzip's magic bytes");
        assert!(
            gz.len() * 5 < text.len(),
            "{} of {} bytes",
            gz.len(),
            text.len()
        );
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut back)
            .unwrap();
        assert!(back == text, "the same bytes once decompressed");
    }
    for path in [plain, by_name, by_flag] {
        let _ = std::fs::remove_file(path);
    }
}
