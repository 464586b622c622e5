//! `failscope sweep --swarm`: the command line's hunt. With Raft's "vote twice in a term"
//! bug it finds runs that break election safety, prints how to reproduce each, and exits 1;
//! the reproduction finds the same violation again; without the bug the same seeds pass.

use std::process::Command;

fn failscope(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_failscope"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn a_swarm_sweep_finds_a_raft_bug_and_its_reproduction_finds_it_again() {
    let dir = std::env::temp_dir().join(format!("failscope-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let buggy = dir.join("buggy.json");
    let clean = dir.join("clean.json");
    // The default Raft scenario with and without the bug, as files.
    let scenario = |bug: u8| {
        format!(r#"{{"version":1,"lab":"raft","seed":1,"n_nodes":5,"params":{{"bug":{bug}}}}}"#)
    };
    std::fs::write(&buggy, scenario(1)).unwrap();
    std::fs::write(&clean, scenario(0)).unwrap();
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();

    let (code, text) = failscope(&[
        "sweep",
        &path(&buggy),
        "--seeds",
        "20",
        "--until",
        "6",
        "--swarm",
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("with swarm fault schedules"), "{text}");
    assert!(text.contains("Election safety"), "{text}");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("reproduce: failscope sweep"))
        .expect("a reproduction line");
    let args: Vec<String> = line
        .trim_start()
        .trim_start_matches("reproduce: failscope ")
        .split_whitespace()
        .map(String::from)
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, again) = failscope(&args);
    assert_eq!(code, 1, "{again}");
    assert!(again.contains(": 1 violated an invariant"), "{again}");

    let (code, text) = failscope(&[
        "sweep",
        &path(&clean),
        "--seeds",
        "20",
        "--until",
        "6",
        "--swarm",
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(": 0 violated an invariant"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}
