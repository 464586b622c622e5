//! `failscope run --emit trace` writes the documented `failscope-trace/1` (JSON lines: a
//! header, then one event per line), the same format as the app's trace download.

use failscope_sim::time::SECOND;
use std::process::Command;

#[test]
fn a_preset_trace_reads_back_with_the_engine_s_trace_hash() {
    let (lab, preset) = ("replication", "cap-cp");
    let path = std::env::temp_dir().join(format!("failscope-trace-{}.jsonl", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_failscope"))
        .args(["run", "--lab", lab, "--preset", preset, "--until", "3"])
        .args(["--emit", "trace", "--out"])
        .arg(&path)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).unwrap();
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
