//! `failscope check` on hand-made history files (in `tests/histories/`, each with its verdict
//! worked out by hand in its opening comment), run as the built binary.

use std::path::PathBuf;
use std::process::Command;

/// (exit code, stdout, stderr) of `failscope check <file> <args>`.
fn check(file: &str, args: &[&str]) -> (i32, String, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/histories")
        .join(file);
    check_argument(path.as_os_str(), args)
}

/// (exit code, stdout, stderr) of `failscope check <argument> <args>`.
fn check_argument(argument: &std::ffi::OsStr, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_failscope"))
        .arg("check")
        .arg(argument)
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_failed_cas_after_a_write_of_its_from_is_not_linearizable() {
    let (code, out, _) = check("failed-cas.edn", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("register: not linearizable (3 operations checked"),
        "{out}"
    );
    assert!(out.contains("line 5: process 1 cas 1→2: fail"), "{out}");
    assert!(
        out.contains(
            "In register, let A be process 0's write of 1 and B be process 1's \
             compare-and-set from 1, which failed because it found another value."
        ),
        "{out}"
    );
    assert!(out.ends_with("verdict: not linearizable\n"), "{out}");
}

#[test]
fn a_register_history_with_unknowns_and_repeated_values_is_linearizable() {
    let (code, out, _) = check("register-ok.edn", &["--model", "register"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("register: linearizable (6 operations checked"),
        "{out}"
    );
    assert!(out.ends_with("verdict: linearizable\n"), "{out}");
}

#[test]
fn with_repeated_values_the_correct_read_is_not_blamed() {
    let (code, out, _) = check("repeated-values.edn", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("offending set: 3 operations"), "{out}");
    assert!(out.contains("line 9: process 0 write 1: ok"), "{out}");
    assert!(out.contains("line 11: process 3 write 0: ok"), "{out}");
    assert!(
        out.contains("line 13: process 1 read: ok, returned 1"),
        "{out}"
    );
    assert!(!out.contains("process 3 read"), "{out}");
}

#[test]
fn key_value_histories_are_checked_per_key_with_appends_and_strings() {
    let (code, out, _) = check("kv-append.edn", &["--model", "kv"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("x: linearizable (3 operations checked"),
        "{out}"
    );
    assert!(
        out.contains("y: not linearizable (3 operations checked"),
        "{out}"
    );
    assert!(
        out.contains("process 1 read y: ok, returned \"a\""),
        "{out}"
    );
    let (code, out, _) = check("kv-append-ok.edn", &["--model", "kv"]);
    assert_eq!(code, 0, "{out}");
    // Appends are not register operations.
    let (code, _, err) = check("kv-append.edn", &["--model", "register"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 4: append is not an operation of the register model"),
        "{err}"
    );
}

#[test]
fn the_failscope_json_history_is_read_too() {
    let (code, out, _) = check("failscope-stale.json", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("k0: not linearizable"), "{out}");
    assert!(
        out.contains("C2 read k0 from 40 to 50 µs: ok, returned 1"),
        "{out}"
    );
    // The refused cas on k1 says nothing: k1 has nothing to check.
    assert!(!out.contains("k1"), "{out}");
}

#[test]
fn json_output_carries_the_verdict_and_the_offending_set() {
    let (code, out, _) = check("repeated-values.edn", &["--json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["verdict"], "violated");
    let lines: Vec<u64> = json["keys"][0]["offending"]
        .as_array()
        .expect("offending")
        .iter()
        .filter_map(|o| o["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![9, 11, 13]);
    assert!(json["keys"][0]["explanation"]
        .as_str()
        .is_some_and(|e| e.contains("a contradiction")));
}

#[test]
fn bad_input_exits_2_with_the_line_and_a_fix() {
    let (code, out, err) = check("bad-line.edn", &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("bad-line.edn: line 3: unknown :f :increment"),
        "{err}"
    );
    let (code, _, err) = check("no-such-file.edn", &[]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read it"), "{err}");
    let (code, _, err) = check("failed-cas.edn", &["--model", "queue"]);
    assert_eq!(code, 2);
    assert!(err.contains("--model takes register or kv"), "{err}");
}

#[test]
fn a_budget_that_runs_out_answers_unknown() {
    let (code, out, _) = check("register-ok.edn", &["--max-steps", "1"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("register: unknown"), "{out}");
    assert!(out.contains("gave up after 1 search steps"), "{out}");
    assert!(out.ends_with("verdict: unknown\n"), "{out}");
}

/// A hard history written to a temporary file in Failscope's format: 10,000 operations on
/// one key by 20 clients, 5% with unknown outcome (linearizable by construction).
fn hard_history_file(name: &str) -> PathBuf {
    use failscope_sim::consistency::bench_history::{bench_history, with_unknown_outcomes};
    let history = with_unknown_outcomes(&bench_history(10_000, 20, 1), 20);
    let export = failscope_sim::export::history_events(&history);
    let path = std::env::temp_dir().join(format!(
        "failscope-check-{}-{name}.json",
        std::process::id()
    ));
    std::fs::write(&path, serde_json::to_string(&export).expect("json")).expect("write");
    path
}

#[test]
fn time_and_memory_budgets_answer_unknown_with_what_ran_out() {
    for (name, args, says) in [
        (
            "time",
            ["--max-seconds", "0.001"],
            "unknown, gave up after 0.",
        ),
        ("memory", ["--max-memory-mb", "1"], "MB of memory"),
    ] {
        let path = hard_history_file(name);
        let out = Command::new(env!("CARGO_BIN_EXE_failscope"))
            .arg("check")
            .arg(&path)
            .args(args)
            .output()
            .expect("the binary runs");
        let _ = std::fs::remove_file(&path);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{name}: {stdout}");
        assert!(stdout.contains("k0: unknown"), "{name}: {stdout}");
        assert!(
            stdout.contains("verdict: unknown, gave up after"),
            "{name}: {stdout}"
        );
        assert!(stdout.contains(says), "{name}: {stdout}");
    }
}

#[test]
fn a_history_link_from_the_app_checks_like_its_file() {
    use failscope_sim::link::history::{encode, SharedHistory};
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/histories/failed-cas.edn");
    let payload = encode(&SharedHistory {
        name: "failed-cas.edn".into(),
        text: std::fs::read_to_string(&path).expect("fixture"),
    })
    .expect("small enough for a link");
    let link = format!("https://x.test/app/#lab=raft&h={payload}");
    let (code, out, _) = check_argument(link.as_ref(), &[]);
    let (file_code, file_out, _) = check("failed-cas.edn", &[]);
    assert_eq!((code, out.as_str()), (file_code, file_out.as_str()));
    assert!(out.contains("line 5: process 1 cas 1→2: fail"), "{out}");

    let damaged = format!("#h={}", &payload[..payload.len() / 2]);
    let (code, out, err) = check_argument(damaged.as_ref(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("the history link cannot be opened: the link is damaged"),
        "{err}"
    );
}
