//! A small JSON reader for share links and scenario files.
//!
//! serde's derived deserializers were the largest code the browser app had (about 65 KB
//! gzip, fetched before a share link opens), and their errors read "expected u64 at line 1
//! column 23". This reader parses the text into a [`Json`] tree (`parse.rs`), then each type
//! reads itself from the tree ([`FromJson`], implemented by hand beside each type with the
//! helpers in `read.rs`). Errors name the field and say what it should be, in words:
//! `the field “faults[2].at_us” should be a whole number from 0 to 18446744073709551615, not
//! text`.
//!
//! It reads every document our serializer (still serde) writes, as serde's derived
//! deserializers did before it replaced them: the same field names, absent optional fields
//! take their defaults, unknown fields are ignored, enums are externally tagged
//! (`{"crash": {"node": 2}}`, `"heal"`). What it does not take from serde: a struct written
//! as a list of its fields, which our serializer never writes. Integers are read exactly
//! (never through a float). Native code and the browser use this one reader, so they cannot
//! disagree about a link.

mod parse;
mod read;
pub mod write;

pub use read::{unknown_variant, variant, Fields, FromJson, Reader};
pub use write::ToJson;

/// Deepest nesting of arrays and objects accepted (a scenario needs 6).
pub const MAX_DEPTH: usize = 64;
/// Longest document accepted: the same bound as an unpacked share link.
pub const MAX_DOCUMENT_BYTES: usize = crate::link::MAX_INFLATED_BYTES;

/// A parsed JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json {
    Null,
    Bool(bool),
    /// A number exactly as written (`-12`, `1.5e3`), read into an integer type on demand.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Fields in document order.
    Object(Vec<(String, Json)>),
}

/// Read a `T` from JSON text. Never panics, whatever the bytes.
pub fn from_slice<T: FromJson>(bytes: &[u8]) -> Result<T, JsonError> {
    Reader::read(&parse_document(bytes)?)
}

/// Parse JSON text into a tree, checking its size and encoding first.
pub fn parse_document(bytes: &[u8]) -> Result<Json, JsonError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(JsonError::Value {
            path: String::new(),
            problem: format!(
                "is {} KB, more than the {} KB a scenario can be",
                bytes.len().div_ceil(1024),
                MAX_DOCUMENT_BYTES / 1024
            ),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        JsonError::syntax(
            "bytes that are not UTF-8 text".into(),
            bytes,
            e.valid_up_to(),
        )
    })?;
    parse::parse(text)
}

/// Why a document could not be read, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// The text is not JSON.
    Syntax {
        problem: String,
        line: usize,
        column: usize,
    },
    /// The text is JSON, but a value is not what its place needs.
    Value {
        /// Where, from the root: `faults[2].action` (empty: the whole document).
        path: String,
        problem: String,
    },
}

impl JsonError {
    /// A syntax error at byte `pos` of `text`, located by line and column (both from 1).
    fn syntax(problem: String, text: impl AsRef<[u8]>, pos: usize) -> JsonError {
        let before = text.as_ref().get(..pos).unwrap_or_default();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // Columns count characters: skip UTF-8 continuation bytes.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        JsonError::Syntax {
            problem,
            line: before.iter().filter(|&&b| b == b'\n').count() + 1,
            column: column + 1,
        }
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::Syntax {
                problem,
                line,
                column,
            } => write!(f, "not JSON: {problem} at line {line}, column {column}"),
            JsonError::Value { path, problem } if path.is_empty() => {
                write!(f, "the document {problem}")
            }
            JsonError::Value { path, problem } => write!(f, "the field “{path}” {problem}"),
        }
    }
}

impl std::error::Error for JsonError {}

/// At most 40 characters of text from the document, for a message.
fn clip(text: &str) -> String {
    let mut clipped = String::new();
    push_clipped(&mut clipped, text);
    clipped
}

/// Append at most 40 characters of `text` to `out` (and `…` if there were more).
fn push_clipped(out: &mut String, text: &str) {
    match text.char_indices().nth(40) {
        Some((end, _)) => {
            out.push_str(&text[..end]);
            out.push('…');
        }
        None => out.push_str(text),
    }
}

#[cfg(test)]
mod tests;
