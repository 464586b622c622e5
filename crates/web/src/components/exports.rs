//! Downloads that can be large or that other tools read: the trace as JSON lines, built from
//! chunks into one `Blob` of many parts (a run of millions of events is more text than one
//! string can hold); the space-time diagram as Mermaid or PlantUML text; the client history as
//! Jepsen EDN. Called only from the share menu's download chunk, so its code lands there.

use crate::browser;
use crate::session::Session;
use failscope_sim::consistency::import::to_jepsen_edn;
use failscope_sim::diagram::{sequence_diagram, DiagramFormat};
use failscope_sim::export;

/// Above this (estimated) size the browser is not asked to build the trace file; the message
/// says so, and how to write it with the command line instead.
pub const MAX_TRACE_BYTES: f64 = 1_500.0 * 1024.0 * 1024.0;

/// Chunks folded into one intermediate `Blob`, so the text of a long run does not stay in
/// the JavaScript heap as thousands of strings while the file is built.
const CHUNKS_PER_PART: u32 = 16;

/// The trace up to the moment shown, as a `failscope-trace/1` file. Returns the menu's status.
pub fn trace(session: &Session, stem: &str) -> String {
    let sim = session.sim();
    let events = &sim.trace().events()[..sim.trace_position()];
    let header = export::trace_header(
        sim.scenario(),
        sim.message_kinds(),
        sim.timer_names(),
        sim.trace().hash_prefix(events.len()),
        events.len(),
    );
    let name = format!("{stem}-trace.jsonl");
    // Estimate the size from a sample before building anything.
    let sample = &events[..events.len().min(1_000)];
    let sample_bytes: usize = export::trace_lines(&header, sample, sample.len())
        .skip(1)
        .filter_map(Result::ok)
        .map(|chunk| chunk.len())
        .sum();
    let estimate = sample_bytes as f64 / sample.len().max(1) as f64 * events.len() as f64;
    if estimate > MAX_TRACE_BYTES {
        return too_large(events.len(), estimate);
    }
    let chunks = export::trace_lines(&header, events, export::TRACE_EVENTS_PER_CHUNK);
    match blob_from_chunks(chunks, "application/jsonl") {
        Ok(blob) => {
            browser::download_blob(&name, &blob);
            format!(
                "Saved {name} ({} events, {}, JSON lines)",
                events.len(),
                megabytes(blob.size())
            )
        }
        Err(e) => format!("Could not write {name}: {e}"),
    }
}

/// Arrows written into a Mermaid or PlantUML diagram at most: the tools slow down past a few
/// thousand (the file's last note says how many were left out).
pub const MAX_DIAGRAM_ARROWS: usize = 2_000;

/// The space-time diagram up to the moment shown, as Mermaid or PlantUML text.
pub fn diagram(session: &Session, stem: &str, format: DiagramFormat) -> String {
    let sim = session.sim();
    let events = &sim.trace().events()[..sim.trace_position()];
    let text = sequence_diagram(events, sim.message_kinds(), format, MAX_DIAGRAM_ARROWS);
    let (name, mime) = match format {
        DiagramFormat::Mermaid => (format!("{stem}-spacetime.mmd"), "text/vnd.mermaid"),
        DiagramFormat::PlantUml => (format!("{stem}-spacetime.puml"), "text/plain"),
    };
    browser::download_text(&name, mime, &text);
    format!("Saved {name}")
}

/// The client history up to the moment shown, as Jepsen EDN (one event map per line).
pub fn history_edn(session: &Session, stem: &str) -> String {
    let name = format!("{stem}-history.edn");
    browser::download_text(
        &name,
        "application/edn",
        &to_jepsen_edn(&session.sim().history()),
    );
    format!("Saved {name}")
}

fn too_large(n_events: usize, estimate: f64) -> String {
    format!(
        "Not saved: this trace has {n_events} events, about {}, more than the browser can build \
         as one download ({}). Copy the link and write the trace with the command line, which \
         replays the run to this moment: failscope run '<link>' --emit trace --out trace.jsonl",
        megabytes(estimate),
        megabytes(MAX_TRACE_BYTES),
    )
}

fn megabytes(bytes: f64) -> String {
    format!("{} MB", crate::decimal::fixed(bytes / (1024.0 * 1024.0), 1))
}

/// One `Blob` from text chunks, never joined into one string: chunks become parts, every
/// few parts are folded into a `Blob`, and the file is a `Blob` of those.
pub fn blob_from_chunks(
    chunks: impl IntoIterator<Item = serde_json::Result<String>>,
    mime: &str,
) -> Result<web_sys::Blob, String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let fold = |parts: &js_sys::Array| {
        web_sys::Blob::new_with_str_sequence_and_options(parts, &options)
            .map_err(|_| "this browser could not hold the file in memory".to_string())
    };
    let blobs = js_sys::Array::new();
    let mut parts = js_sys::Array::new();
    for chunk in chunks {
        let chunk = chunk.map_err(|e| e.to_string())?;
        parts.push(&chunk.into());
        if parts.length() >= CHUNKS_PER_PART {
            let blob = fold(&parts)?;
            blobs.push(&blob);
            parts = js_sys::Array::new();
        }
    }
    if parts.length() > 0 {
        let blob = fold(&parts)?;
        blobs.push(&blob);
    }
    web_sys::Blob::new_with_blob_sequence_and_options(&blobs, &options)
        .map_err(|_| "this browser could not hold the file in memory".to_string())
}
