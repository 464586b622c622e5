//! Downloads that can be large or that other tools read: files built from chunks into one
//! `Blob` of many parts (a trace of millions of events is more text than one string can hold;
//! `trace_download` writes it in slices); the space-time diagram as Mermaid or PlantUML text;
//! the client history as Jepsen EDN. Called only from the share menu's download chunk, so its
//! code lands there.

use crate::browser;
use crate::session::Session;
use failscope_sim::consistency::import::to_jepsen_edn;
use failscope_sim::diagram::{sequence_diagram, DiagramFormat};

/// Above this (estimated) size the browser is not asked to build the trace file; the message
/// says so, and how to write it with the command line instead.
pub const MAX_TRACE_BYTES: f64 = 1_500.0 * 1024.0 * 1024.0;

/// Chunks folded into one intermediate `Blob`, so the text of a long run does not stay in
/// the JavaScript heap as thousands of strings while the file is built.
const CHUNKS_PER_PART: u32 = 16;

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

/// Why a trace is not built: its size, the browser's limit, and the command that writes it.
pub fn too_large(n_events: usize, estimate: f64) -> String {
    format!(
        "Not saved: this trace has {n_events} events, about {}, more than the browser can build \
         as one download ({}). Copy the link and write the trace with the command line, which \
         replays the run to this moment: failscope run '<link>' --emit trace --out trace.jsonl",
        megabytes(estimate),
        megabytes(MAX_TRACE_BYTES),
    )
}

pub fn megabytes(bytes: f64) -> String {
    format!("{} MB", crate::decimal::fixed(bytes / (1024.0 * 1024.0), 1))
}

/// A file built as one `Blob` from text chunks, never joined into one string: chunks become
/// parts, every few parts are folded into a `Blob`, and the file is a `Blob` of those.
pub struct BlobParts {
    options: web_sys::BlobPropertyBag,
    blobs: js_sys::Array,
    parts: js_sys::Array,
}

impl BlobParts {
    pub fn new(mime: &str) -> BlobParts {
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        BlobParts {
            options,
            blobs: js_sys::Array::new(),
            parts: js_sys::Array::new(),
        }
    }

    pub fn push(&mut self, chunk: String) -> Result<(), String> {
        self.parts.push(&chunk.into());
        if self.parts.length() >= CHUNKS_PER_PART {
            self.fold()?;
        }
        Ok(())
    }

    fn fold(&mut self) -> Result<(), String> {
        let parts = std::mem::replace(&mut self.parts, js_sys::Array::new());
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &self.options)
            .map_err(|_| OUT_OF_MEMORY.to_string())?;
        self.blobs.push(&blob);
        Ok(())
    }

    pub fn finish(mut self) -> Result<web_sys::Blob, String> {
        if self.parts.length() > 0 {
            self.fold()?;
        }
        web_sys::Blob::new_with_blob_sequence_and_options(&self.blobs, &self.options)
            .map_err(|_| OUT_OF_MEMORY.to_string())
    }

    /// The file with `head` in front of the chunks (a header known only at the end).
    pub fn finish_after(self, head: String) -> Result<web_sys::Blob, String> {
        // A `Blob`'s parts may be text or blobs alike.
        self.blobs.unshift(&head.into());
        self.finish()
    }
}

const OUT_OF_MEMORY: &str = "this browser could not hold the file in memory";

/// One `Blob` from text chunks (see [`BlobParts`]).
pub fn blob_from_chunks(
    chunks: impl IntoIterator<Item = serde_json::Result<String>>,
    mime: &str,
) -> Result<web_sys::Blob, String> {
    let mut file = BlobParts::new(mime);
    for chunk in chunks {
        file.push(chunk.map_err(|e| e.to_string())?)?;
    }
    file.finish()
}
