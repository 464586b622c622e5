//! Shared code knows no lab: the engine's core, the web app's pages, components and session
//! never name a lab's id or reach into a lab's module. A lab is its own folder here, one line
//! in the registry, and data for the shared picture kinds.

use failscope_labs::LAB_IDS;
use std::path::{Path, PathBuf};

/// Every lab id of the catalogue (../shared/LABS.md), built or still to come, and the
/// registry's own, so a lab added later is covered from its first line.
const PLANNED_IDS: &[&str] = &[
    "raft",
    "paxos",
    "system-models",
    "split-brain",
    "lease-fencing",
    "byzantine",
    "two-generals",
    "clocks",
    "replication",
    "two-phase-commit",
    "saga",
    "deadlock",
    "hash-ring",
    "cache-stampede",
    "failure-detection",
    "heartbeat",
    "unreliable-network",
    "resilience",
    "streams",
    "tracing",
];

/// The folders of shared code, relative to the workspace root.
const SHARED: &[&str] = &["crates/sim/src", "crates/web/src"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines that name a lab, as `file:line: text`, ignoring comments.
fn offenders(root: &Path) -> Vec<String> {
    let lab_modules: Vec<String> = std::fs::read_dir(root.join("crates/labs/src"))
        .expect("labs folder")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut ids: Vec<&str> = PLANNED_IDS.to_vec();
    ids.extend(LAB_IDS.iter().copied());
    let mut found = Vec::new();
    for folder in SHARED {
        let mut files = Vec::new();
        rust_files(&root.join(folder), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable source");
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                let names_id = ids.iter().any(|id| names(code, id));
                let reaches_in = lab_modules.iter().any(|m| {
                    code.contains(&format!("failscope_labs::{m}::"))
                        || code.contains(&format!("failscope_labs::{m};"))
                        || code.contains(&format!("failscope_labs::{m} "))
                });
                if names_id || reaches_in {
                    let shown = file.strip_prefix(root).unwrap_or(&file).display();
                    found.push(format!("{shown}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    found
}

/// Whether `code` quotes `id` other than as a JSON field name: a scenario has a field
/// "clocks", which is also a planned lab's id. A field name is a key (`"clocks":`) or read by
/// the JSON reader (`f.or_default(r, "clocks")`); the engine names that field with
/// `stringify!(clocks)`, so it quotes no lab id at all.
fn names(code: &str, id: &str) -> bool {
    let quoted = format!("\"{id}\"");
    code.match_indices(&quoted).any(|(at, _)| {
        let (before, after) = (&code[..at], &code[at + quoted.len()..]);
        let field = after.starts_with(':')
            || before.ends_with(".req(r, ")
            || before.ends_with(".or_default(r, ");
        !field
    })
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn no_shared_file_names_a_lab() {
    let found = offenders(&workspace_root());
    assert!(
        found.is_empty(),
        "shared code names a lab (move it into the lab's folder, or make it data):\n{}",
        found.join("\n")
    );
}

/// The check itself can fail: a shared file naming a lab is caught.
#[test]
fn the_check_catches_a_lab_named_in_shared_code() {
    let dir = std::env::temp_dir().join(format!("failscope-shared-{}", std::process::id()));
    let web = dir.join("crates/web/src");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::create_dir_all(dir.join("crates/sim/src")).unwrap();
    std::fs::create_dir_all(dir.join("crates/labs/src/raft")).unwrap();
    std::fs::write(
        web.join("page.rs"),
        "// \"raft\" in a comment is fine\nlet lab = \"raft\";\nuse failscope_labs::raft::Role;\n\
         // a field that shares a lab's id is fine too\n\
         clocks: f.or_default(r, \"clocks\"), r#\"{\"clocks\": []}\"#\n\
         f.req(r, \"clocks\"); let lab = \"clocks\";\n",
    )
    .unwrap();
    let found = offenders(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[0].contains("page.rs:2"));
    assert!(found[1].contains("page.rs:3"));
    assert!(found[2].contains("page.rs:6"));
}
