//! Share links: a whole session (the scenario with the person's action log, the cursor time,
//! view options) packed into a URL fragment, so that opening the link replays the identical
//! run at the same moment. The codec lives in the engine so the browser and the CLI can
//! never disagree about a link (`failscope run '<link>'` replays a bug report).
//!
//! Format, version 1: `1.` followed by base64url (no padding) of the raw-deflate-compressed
//! JSON of [`SharedRun`]. Links are written with the engine's JSON writer
//! ([`crate::json::write`], the same text serde_json writes) and miniz_oxide, and read with
//! the engine's own small decoders (`inflate` below, [`crate::json`]), which keep the browser's
//! link reader small. Decoding is defensive: the text, the compressed data and the inflated
//! data each have a size limit (no compression bombs), and the scenario inside is validated
//! like any other. Every failure is a [`LinkError`] that says what is wrong.

pub mod history;
mod inflate;

use crate::json::write::{field, object, ToJson};
use crate::json::{Fields, FromJson, Json, Reader};
use crate::lab::Catalogue;
use crate::scenario::{Scenario, ScenarioError};
use crate::time::Time;
use inflate::InflateError;
use serde::Serialize;

/// The link format this engine writes.
pub const LINK_VERSION: u32 = 1;
/// Longest link text accepted (browsers cope with far longer URLs; no session needs it).
pub const MAX_LINK_CHARS: usize = 64 * 1024;
/// Most bytes a link may inflate to.
pub const MAX_INFLATED_BYTES: usize = 1024 * 1024;

/// How the session was being looked at when the link was made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ViewOptions {
    /// The guided preset being followed, if any (for its narration).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Index into the app's playback speeds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<u8>,
    /// The panel that was open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tab: Option<String>,
}

/// Everything a link carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharedRun {
    pub scenario: Scenario,
    /// Where the cursor was: the link opens paused here.
    pub cursor_us: Time,
    pub view: ViewOptions,
}

impl FromJson for ViewOptions {
    fn from_json(r: &mut Reader, value: &Json) -> ViewOptions {
        let f = Fields::of(r, value);
        ViewOptions {
            preset: f.or_default(r, "preset"),
            speed: f.or_default(r, "speed"),
            tab: f.or_default(r, "tab"),
        }
    }
}

impl FromJson for SharedRun {
    fn from_json(r: &mut Reader, value: &Json) -> SharedRun {
        let f = Fields::of(r, value);
        SharedRun {
            scenario: f.req(r, "scenario"),
            cursor_us: f.or_default(r, "cursor_us"),
            view: f.or_default(r, "view"),
        }
    }
}

/// Why a link cannot be opened, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    Empty,
    TooLong { chars: usize },
    UnknownVersion { found: String },
    NotBase64,
    Corrupted,
    TooBig,
    NotAScenario(String),
    Invalid(ScenarioError),
    CursorOutOfRange { cursor_us: Time },
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::Empty => f.write_str("the link is empty: it has no scenario or history in it"),
            LinkError::TooLong { chars } => write!(
                f,
                "the link is {chars} characters long, more than the {MAX_LINK_CHARS} a Failscope link can be"
            ),
            LinkError::UnknownVersion { found } => write!(
                f,
                "the link is in format “{found}”, which this version of Failscope does not know (it reads format 1; was it made by a newer version?)"
            ),
            LinkError::NotBase64 => f.write_str(
                "the link is damaged: it contains characters a Failscope link never has (was it edited, or cut when copied?)",
            ),
            LinkError::Corrupted => f.write_str(
                "the link is damaged: its data does not unpack (it may have been cut short when copied)",
            ),
            LinkError::TooBig => write!(
                f,
                "the link unpacks to more than {} KB, which no real session needs",
                MAX_INFLATED_BYTES / 1024
            ),
            LinkError::NotAScenario(detail) => {
                write!(f, "the link unpacks, but not to a Failscope scenario ({detail})")
            }
            LinkError::Invalid(e) => write!(f, "the scenario in the link cannot run: {e}"),
            LinkError::CursorOutOfRange { cursor_us } => write!(
                f,
                "the link points at {cursor_us} µs, beyond the one-day limit of a run"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// Pack a session into link text (without the leading `#s=`).
pub fn encode(run: &SharedRun) -> String {
    pack(crate::json::write::to_string(run).as_bytes())
}

/// Unpack link text: the payload alone, `s=<payload>`, `#s=<payload>`, or a whole URL.
/// Validates everything against the labs in `labs`; never panics.
pub fn decode(text: &str, labs: &Catalogue) -> Result<SharedRun, LinkError> {
    let run = unpack(text)?;
    run.scenario.validate(labs).map_err(LinkError::Invalid)?;
    Ok(run)
}

/// Everything [`decode`] checks except the scenario against its lab: what the app uses to
/// learn which lab a link opens (and must load) before it can validate it. Never panics.
pub fn unpack(text: &str) -> Result<SharedRun, LinkError> {
    let json = open(extract_payload(text.trim(), "s="), MAX_INFLATED_BYTES)?;
    let run: SharedRun =
        crate::json::from_slice(&json).map_err(|e| LinkError::NotAScenario(e.to_string()))?;
    if run.cursor_us > crate::limits::MAX_DURATION_US {
        return Err(LinkError::CursorOutOfRange {
            cursor_us: run.cursor_us,
        });
    }
    Ok(run)
}

/// The bytes a version-1 payload packs, at most `max_inflated` of them: the steps every
/// kind of link shares (a run's, a history's), each failure a [`LinkError`].
fn open(payload: &str, max_inflated: usize) -> Result<Vec<u8>, LinkError> {
    if payload.is_empty() {
        return Err(LinkError::Empty);
    }
    if payload.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong {
            chars: payload.chars().count(),
        });
    }
    let (version, data) = payload
        .split_once('.')
        .ok_or_else(|| LinkError::UnknownVersion {
            found: payload.chars().take(8).collect(),
        })?;
    if version != "1" {
        return Err(LinkError::UnknownVersion {
            found: version.chars().take(16).collect(),
        });
    }
    let compressed = base64url::decode(data).ok_or(LinkError::NotBase64)?;
    inflate::inflate(&compressed, max_inflated).map_err(|e| match e {
        InflateError::TooBig => LinkError::TooBig,
        InflateError::Corrupted => LinkError::Corrupted,
    })
}

/// Version 1 of a payload: `1.` and base64url of raw deflate of `bytes`.
fn pack(bytes: &[u8]) -> String {
    let compressed = miniz_oxide::deflate::compress_to_vec(bytes, 9);
    format!("{LINK_VERSION}.{}", base64url::encode(&compressed))
}

/// The part of `text` after `key` (`s=`, `h=`) in a fragment or URL, or `text` itself.
fn extract_payload<'a>(text: &'a str, key: &str) -> &'a str {
    let fragment = text.rsplit_once('#').map_or(text, |(_, f)| f);
    for part in fragment.split('&') {
        if let Some(payload) = part.strip_prefix(key) {
            return payload;
        }
    }
    fragment
}

/// base64url without padding (RFC 4648 §5): safe in URL fragments as is.
pub mod base64url {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let value = |c: u8| -> Option<u32> {
            Some(match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'-' | b'+' => 62,
                b'_' | b'/' => 63,
                _ => return None,
            } as u32)
        };
        let text = text.trim_end_matches('=').as_bytes();
        if text.len() % 4 == 1 {
            return None;
        }
        let mut out = Vec::with_capacity(text.len() * 3 / 4);
        for chunk in text.chunks(4) {
            let mut n = 0u32;
            for (i, &c) in chunk.iter().enumerate() {
                n |= value(c)? << (18 - 6 * i);
            }
            out.push((n >> 16) as u8);
            if chunk.len() > 2 {
                out.push((n >> 8) as u8);
            }
            if chunk.len() > 3 {
                out.push(n as u8);
            }
        }
        Some(out)
    }
}

impl ToJson for ViewOptions {
    fn to_json(&self) -> Json {
        object([
            ("preset", self.preset.as_ref().map(ToJson::to_json)),
            ("speed", self.speed.as_ref().map(ToJson::to_json)),
            ("tab", self.tab.as_ref().map(ToJson::to_json)),
        ])
    }
}

impl ToJson for SharedRun {
    fn to_json(&self) -> Json {
        object([
            ("scenario", field(&self.scenario)),
            ("cursor_us", field(&self.cursor_us)),
            ("view", field(&self.view)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc_4648_vectors() {
        // RFC 4648 §10, without padding.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url::encode(plain.as_bytes()), encoded);
            assert_eq!(base64url::decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64url::encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url::decode("Zm9v!"), None);
        assert_eq!(base64url::decode("Z"), None);
    }

    #[test]
    fn payloads_are_found_in_urls_and_fragments() {
        for text in [
            "1.abc",
            "s=1.abc",
            "#s=1.abc",
            "https://x.test/app/#s=1.abc",
            "https://x.test/?embed#t=3&s=1.abc",
        ] {
            assert_eq!(extract_payload(text, "s="), "1.abc", "{text}");
        }
    }
}
