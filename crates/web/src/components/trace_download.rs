//! The trace download, written in slices between frames: a run of millions of events is
//! seconds of JSON writing (and of hashing, for the header), which in one go would freeze the
//! page. Each turn writes and hashes events for a few milliseconds into the file's `Blob` parts
//! (`exports::BlobParts`), reports its progress in the share menu and asks the page to come
//! back (`Reply::again` with `ShareAction::TraceMore`); the last turn puts the header, with the
//! hash, in front and saves the file, plain or gzip-compressed by the browser's own
//! `CompressionStream` (no compressor in our wasm). Called only from the share menu's download
//! chunk, so its code lands there.

use super::exports::{megabytes, too_large, BlobParts, MAX_TRACE_BYTES};
use super::share::{Reply, ShareAction};
use crate::browser;
use crate::session::Session;
use failscope_sim::export;
use failscope_sim::trace::Fnv;
use failscope_sim::Scenario;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Events written between two checks of the clock (about a millisecond's work).
const EVENTS_PER_STEP: usize = 1_000;
/// Writing per turn before the page gets the thread back, in ms.
const TURN_MS: f64 = 12.0;

/// A trace file being written.
struct TraceJob {
    name: String,
    gzip: bool,
    /// The run it is of: the events are read from the session at every turn, and a run
    /// changed in between (restarted, forked) would mix two traces.
    scenario: Scenario,
    next: usize,
    end: usize,
    /// The trace hash of the events written so far (the header's `trace_hash`).
    hash: Fnv,
    /// The event lines; the header goes in front once the hash is known.
    file: BlobParts,
}

thread_local! {
    static JOB: RefCell<Option<TraceJob>> = const { RefCell::new(None) };
}

/// Start writing the trace up to the moment shown, as a `failscope-trace/1` file (gzipped
/// when `gzip`), replacing a download still being written. Returns the menu's status.
pub fn start(session: &Session, stem: &str, gzip: bool, reply: &Reply) -> String {
    let sim = session.sim();
    let events = &sim.trace().events()[..sim.trace_position()];
    let name = format!("{stem}-trace.jsonl{}", if gzip { ".gz" } else { "" });
    // Estimate the size from a sample before building anything.
    let sample = &events[..events.len().min(1_000)];
    let sample_bytes = export::event_lines(sample).map_or(0, |lines| lines.len());
    let estimate = sample_bytes as f64 / sample.len().max(1) as f64 * events.len() as f64;
    if estimate > MAX_TRACE_BYTES {
        return too_large(events.len(), estimate);
    }
    let job = TraceJob {
        name,
        gzip,
        scenario: sim.scenario().clone(),
        next: 0,
        end: events.len(),
        hash: Fnv::new(),
        file: BlobParts::new("application/jsonl"),
    };
    JOB.with(|j| *j.borrow_mut() = Some(job));
    more(session, reply)
}

/// The next turn of the trace being written (nothing when none is). Returns the status.
pub fn more(session: &Session, reply: &Reply) -> String {
    let Some(mut job) = JOB.with(|j| j.borrow_mut().take()) else {
        return String::new();
    };
    let sim = session.sim();
    let events = sim.trace().events();
    if *sim.scenario() != job.scenario || events.len() < job.end {
        return format!(
            "Not saved: the run changed while {} was being written. Download it again.",
            job.name
        );
    }
    let started = js_sys::Date::now();
    while job.next < job.end && js_sys::Date::now() - started < TURN_MS {
        let upto = (job.next + EVENTS_PER_STEP).min(job.end);
        let step = &events[job.next..upto];
        for event in step {
            event.encode(&mut job.hash);
        }
        let written = export::event_lines(step).map_err(|e| e.to_string());
        if let Err(e) = written.and_then(|lines| job.file.push(lines)) {
            return format!("Could not write {}: {e}", job.name);
        }
        job.next = upto;
    }
    if job.next < job.end {
        let status = format!(
            "Writing {}: {} of {} events ({}%)…",
            job.name,
            job.next,
            job.end,
            job.next * 100 / job.end
        );
        JOB.with(|j| *j.borrow_mut() = Some(job));
        let again = reply.again.clone();
        wasm_bindgen_futures::spawn_local(async move {
            gloo::timers::future::TimeoutFuture::new(0).await;
            again.emit(ShareAction::TraceMore);
        });
        return status;
    }
    save(job, session, reply)
}

fn save(job: TraceJob, session: &Session, reply: &Reply) -> String {
    let TraceJob {
        name, gzip, end, ..
    } = job;
    let sim = session.sim();
    let header = export::trace_header(
        &job.scenario,
        sim.message_kinds(),
        sim.timer_names(),
        job.hash.finish(),
        end,
    );
    let header = serde_json::to_string(&header).map_err(|e| e.to_string());
    let blob = match header.and_then(|line| job.file.finish_after(line + "\n")) {
        Ok(blob) => blob,
        Err(e) => return format!("Not saved: {e}"),
    };
    if !gzip {
        browser::download_blob(&name, &blob);
        return format!(
            "Saved {name} ({end} events, {}, JSON lines)",
            megabytes(blob.size())
        );
    }
    let status = reply.status.clone();
    let size = megabytes(blob.size());
    let compressing = format!("Compressing {name} ({size} of JSON lines)…");
    wasm_bindgen_futures::spawn_local(async move {
        status.emit(match gzip_blob(&blob).await {
            Ok(gz) => {
                browser::download_blob(&name, &gz);
                format!(
                    "Saved {name} ({end} events, {} gzip-compressed from {size}, JSON lines)",
                    megabytes(gz.size())
                )
            }
            Err(e) => format!("Not saved: {e}."),
        });
    });
    compressing
}

#[wasm_bindgen]
extern "C" {
    /// The browser's own gzip compressor (web-sys has it only behind its unstable-APIs flag).
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;
}

/// `blob` gzip-compressed by the browser, streamed (never one buffer in our memory).
pub async fn gzip_blob(blob: &web_sys::Blob) -> Result<web_sys::Blob, String> {
    let failed = |_: JsValue| "the browser could not compress the file".to_string();
    let compressor = CompressionStream::new("gzip")
        .map_err(|_| "this browser cannot compress files (it has no CompressionStream)")?;
    let stream = blob
        .stream()
        .pipe_through(compressor.unchecked_ref::<web_sys::ReadableWritablePair>());
    let response =
        web_sys::Response::new_with_opt_readable_stream(Some(&stream)).map_err(failed)?;
    let compressed = JsFuture::from(response.blob().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(compressed.unchecked_into())
}
