//! `cargo xtask serve`, and the small static file server the end-to-end tests also use.
//!
//! A file server is forty lines of std; owning it avoids depending on whichever Python or
//! Node server a machine happens to have, and guarantees `application/wasm` for streaming
//! compilation.

use crate::bundle;
use crate::cmd::Result;
use crate::setup;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

pub fn run(args: &[String]) -> Result {
    let port = match args {
        [] => 8080,
        [flag, value] if flag == "--port" => value
            .parse()
            .map_err(|_| format!("--port wants a number, got `{value}`"))?,
        _ => return Err("usage: cargo xtask serve [--port N]".into()),
    };
    setup::ensure(setup::Needs::build_only())?;
    let report = bundle::build_release()?;
    report.print();
    for problem in report.over_budget() {
        println!("warning: {problem} (the test command fails on this)");
    }
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("\nFailscope is being served at http://127.0.0.1:{port}/  (Ctrl-C stops it)");
    serve_forever(listener, bundle::dist_dir(), "/");
    Ok(())
}

/// `cargo xtask dist`: build the release bundle into `dist/` (what `serve` serves, with
/// wasm-opt), check it against the budgets, and stop. Every URL in it is relative, so the
/// folder works as it is under any path of any static host: there is no public URL to set.
pub fn dist(args: &[String]) -> Result {
    if !args.is_empty() {
        return Err(format!(
            "usage: cargo xtask dist (takes no options: `{}` is not needed, the bundle's URLs are relative and it works under any path)",
            args.join(" ")
        ));
    }
    setup::ensure(setup::Needs::build_only())?;
    let report = bundle::build_release()?;
    report.print();
    let problems = report.over_budget();
    for problem in &problems {
        println!("OVER BUDGET: {problem}");
    }
    if !problems.is_empty() {
        return Err(format!(
            "{} budget problem(s); dist/ was built but is over budget",
            problems.len()
        ));
    }
    println!(
        "\n{} is ready: copy it to any static host, at its root or under any path.",
        bundle::dist_dir().display()
    );
    Ok(())
}

/// Start serving `dir` on an ephemeral loopback port in a background thread.
pub fn spawn(dir: PathBuf) -> Result<u16> {
    spawn_under(dir, "/")
}

/// Serve `dir` at the URL path `prefix` (such as `/docs/failscope/`) and nothing outside
/// it, as a documentation site hosting the app under its own path would.
pub fn spawn_under(dir: PathBuf, prefix: &'static str) -> Result<u16> {
    let listener =
        TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("cannot listen: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?
        .port();
    std::thread::spawn(move || serve_forever(listener, dir, prefix));
    Ok(port)
}

fn serve_forever(listener: TcpListener, dir: PathBuf, prefix: &'static str) {
    for stream in listener.incoming().flatten() {
        let dir = dir.clone();
        std::thread::spawn(move || {
            let _ = handle(stream, &dir, prefix);
        });
    }
}

fn handle(mut stream: TcpStream, dir: &Path, prefix: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; we need none of them.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = path
        .strip_prefix(prefix)
        .and_then(|rest| resolve(dir, rest));
    let (status, content_type, body) = match (method, file) {
        ("GET" | "HEAD", Some(file)) => match std::fs::read(&file) {
            Ok(bytes) => ("200 OK", mime_type(&file), bytes),
            Err(_) => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
        },
        ("GET" | "HEAD", None) => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
        _ => ("405 Method Not Allowed", "text/plain", Vec::new()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// Map a URL path to a file inside `dir`, refusing anything that would leave it.
fn resolve(dir: &Path, url_path: &str) -> Option<PathBuf> {
    let mut file = dir.to_path_buf();
    for component in Path::new(url_path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(port: u16, path: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut response = String::new();
        std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
        response
    }

    #[test]
    fn a_sub_path_server_serves_only_under_its_path() {
        let dir = std::env::temp_dir().join(format!("failscope-subpath-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "home").unwrap();
        std::fs::write(dir.join("a.js"), "script").unwrap();
        let port = spawn_under(dir.clone(), "/docs/failscope/").unwrap();
        assert!(get(port, "/docs/failscope/a.js").starts_with("HTTP/1.1 200"));
        assert!(get(port, "/docs/failscope/?embed#x").ends_with("home"));
        assert!(get(port, "/a.js").starts_with("HTTP/1.1 404"));
        assert!(get(port, "/docs/a.js").starts_with("HTTP/1.1 404"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn resolve_refuses_parent_directories() {
        let dir = std::env::temp_dir();
        assert_eq!(resolve(&dir, "/../etc/passwd"), None);
        assert_eq!(resolve(&dir, "/no-such-file-failscope"), None);
    }

    #[test]
    fn wasm_gets_its_streaming_mime_type() {
        assert_eq!(mime_type(Path::new("a_bg.wasm")), "application/wasm");
        assert_eq!(
            mime_type(Path::new("x.js")),
            "text/javascript; charset=utf-8"
        );
    }
}
