//! Running child processes with a readable echo of what is run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the parent of `crates/xtask`).
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir.to_path_buf())
}

/// A command run from the workspace root, with ~/.cargo/bin and node_modules/.bin on PATH so
/// that freshly installed tools are found without a new shell.
pub fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(root());
    command.env("PATH", extended_path());
    command
}

pub fn extended_path() -> String {
    let mut parts: Vec<PathBuf> = Vec::new();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        parts.push(PathBuf::from(home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        parts.push(PathBuf::from(home).join(".cargo").join("bin"));
    }
    parts.push(root().join("node_modules").join(".bin"));
    if let Some(path) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(parts)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Run to completion, inheriting stdout/stderr; an error names the command.
pub fn run(mut command: Command) -> Result {
    let shown = describe(&command);
    println!("$ {shown}");
    let status = command
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Run to completion, echoing output live and also returning it (stdout and stderr merged
/// in arrival order is not needed: we only count summary lines).
pub fn run_capture(mut command: Command) -> (bool, String) {
    let shown = describe(&command);
    println!("$ {shown}");
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return (false, format!("could not start `{shown}`: {e}")),
    };
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let err_thread = std::thread::spawn(move || tee(stderr, true));
    let mut captured = tee(stdout, false);
    captured.push_str(&err_thread.join().unwrap_or_default());
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    (ok, captured)
}

fn tee<R: std::io::Read>(source: Option<R>, to_stderr: bool) -> String {
    use std::io::{BufRead, BufReader, Write};
    let mut all = String::new();
    let Some(source) = source else { return all };
    for line in BufReader::new(source).lines() {
        let Ok(line) = line else { break };
        if to_stderr {
            let _ = writeln!(std::io::stderr(), "{line}");
        } else {
            let _ = writeln!(std::io::stdout(), "{line}");
        }
        all.push_str(&line);
        all.push('\n');
    }
    all
}

/// The trimmed stdout of a command, or None when it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = command(program, args).stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn describe(command: &Command) -> String {
    let mut shown = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    shown
}
