//! History links: a history file someone checked (Jepsen EDN or `failscope-history/1` JSON),
//! packed into a URL fragment part `h=1.<payload>`, so that opening the link checks the same
//! history in the History tab as if the file had been dropped there.
//!
//! Format, version 1: base64url (no padding) of the raw-deflate-compressed bytes of the file
//! name, a newline, and the file's text exactly as it was read. The text is carried as is,
//! not rewritten into one format: both readers take it, so the link shows the same lanes,
//! times, keys and verdict as the file did. Like a run's link, decoding is defensive: the
//! link text and the inflated text each have a size limit, and every failure is a
//! [`HistoryLinkError`] that says what is wrong; [`encode`] refuses, with the sizes, a
//! history too large to make a link.

use super::{extract_payload, open, pack, LinkError, MAX_LINK_CHARS};

/// Most bytes of history text a link may carry (and inflate to). A history compresses
/// five to ten times, so no text near this size fits in [`MAX_LINK_CHARS`]; larger text is
/// refused before it is compressed.
pub const MAX_HISTORY_TEXT_BYTES: usize = 2 * 1024 * 1024;
/// Longest file name kept (longer ones are cut).
const MAX_NAME_CHARS: usize = 120;

/// What a history link carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedHistory {
    /// The file name, for the result's heading.
    pub name: String,
    /// The history file's text.
    pub text: String,
}

/// Why a history link cannot be opened, or a history cannot become one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryLinkError {
    /// The link text is damaged, empty or of an unknown version (as for a run's link).
    Link(LinkError),
    /// It unpacks, but not to a file name and text.
    NotText,
    /// Too large for a link: `text_bytes` of text, and the link it would make, in
    /// characters (`None`: over [`MAX_HISTORY_TEXT_BYTES`], so not even compressed).
    TooLarge {
        text_bytes: usize,
        link_chars: Option<usize>,
    },
}

impl std::fmt::Display for HistoryLinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HistoryLinkError::Link(LinkError::TooBig) => write!(
                f,
                "the link unpacks to more than {} KB of history, more than a history link carries",
                MAX_HISTORY_TEXT_BYTES / 1024
            ),
            HistoryLinkError::Link(e) => e.fmt(f),
            HistoryLinkError::NotText => f.write_str(
                "the link unpacks, but not to a history file (it may have been cut or edited)",
            ),
            HistoryLinkError::TooLarge {
                text_bytes,
                link_chars,
            } => {
                let size = kilobytes(*text_bytes);
                match link_chars {
                    Some(chars) => write!(
                        f,
                        "this history is {size} of text; as a link it would be {chars} \
                         characters, more than the {MAX_LINK_CHARS} a Failscope link can carry. \
                         Share the file instead"
                    ),
                    None => write!(
                        f,
                        "this history is {size} of text, more than the {} a link can carry. \
                         Share the file instead",
                        kilobytes(MAX_HISTORY_TEXT_BYTES)
                    ),
                }
            }
        }
    }
}

impl std::error::Error for HistoryLinkError {}

/// Bytes as whole kilobytes (at least 1).
fn kilobytes(bytes: usize) -> String {
    format!("{} KB", bytes.div_ceil(1024).max(1))
}

/// Pack a history file into link text (what follows `h=`), or say why it is too large.
pub fn encode(history: &SharedHistory) -> Result<String, HistoryLinkError> {
    let text_bytes = history.text.len();
    let too_large = |link_chars| HistoryLinkError::TooLarge {
        text_bytes,
        link_chars,
    };
    if text_bytes > MAX_HISTORY_TEXT_BYTES {
        return Err(too_large(None));
    }
    // The name's first line, cut to length: the reader splits at the first newline. (By
    // bytes and `format!`, whose code the app's main module has: see `unpack`.)
    let name = &history.name;
    let line = &name[..name
        .bytes()
        .position(|b| b == b'\n' || b == b'\r')
        .unwrap_or(name.len())];
    let name = match line.char_indices().nth(MAX_NAME_CHARS) {
        Some((end, _)) => &line[..end],
        None => line,
    };
    let packed = format!("{name}\n{}", history.text);
    let payload = pack(packed.as_bytes());
    if payload.len() > MAX_LINK_CHARS {
        return Err(too_large(Some(payload.len())));
    }
    Ok(payload)
}

/// Unpack history link text: the payload alone, `h=<payload>`, a fragment or a whole URL.
/// Never panics; the text is not read as a history here (the importers do that, with
/// their own messages).
pub fn decode(text: &str) -> Result<SharedHistory, HistoryLinkError> {
    split(unpack(text)?)
}

/// The unpacked text of a history link (name, newline, file text): the half of [`decode`]
/// that needs the inflater. The browser runs it in the link reader's chunk and [`split`]
/// where the history is checked, written so that the two chunks share no code (a function
/// two chunks call becomes a chunk of its own, which every link would fetch).
pub fn unpack(text: &str) -> Result<String, HistoryLinkError> {
    let bytes = open(extract_payload(text.trim(), "h="), MAX_UNPACKED_BYTES)
        .map_err(HistoryLinkError::Link)?;
    String::from_utf8(bytes).map_err(|_| HistoryLinkError::NotText)
}

/// Most bytes a history link unpacks to: the text, the name (up to four bytes a character)
/// and the newline between them.
const MAX_UNPACKED_BYTES: usize = MAX_HISTORY_TEXT_BYTES + 1 + 4 * MAX_NAME_CHARS;

/// The file name and text in a history link's unpacked text.
pub fn split(unpacked: String) -> Result<SharedHistory, HistoryLinkError> {
    // Bytes, not `split_once`: its searcher is the link reader's code (see `unpack`).
    let newline = unpacked.bytes().position(|b| b == b'\n');
    let cut = newline.ok_or(HistoryLinkError::NotText)?;
    if cut > 4 * MAX_NAME_CHARS {
        return Err(HistoryLinkError::NotText);
    }
    Ok(SharedHistory {
        name: unpacked[..cut].to_string(),
        text: unpacked[cut + 1..].to_string(),
    })
}

/// Whether `text` holds a history link (an `h=` part in a fragment or URL, or `h=` first).
pub fn is_history_link(text: &str) -> bool {
    let fragment = text.rsplit_once('#').map_or(text, |(_, f)| f);
    fragment.split('&').any(|part| part.starts_with("h=1."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::base64url;

    const EDN: &str = "{:process 0, :type :invoke, :f :write, :value 1}\n\
                       {:process 0, :type :ok, :f :write, :value 1}\n\
                       {:process 1, :type :invoke, :f :read, :value nil}\n\
                       {:process 1, :type :ok, :f :read, :value 2}\n";

    fn shared(name: &str, text: &str) -> SharedHistory {
        SharedHistory {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_history_round_trips_alone_in_a_fragment_or_in_a_url() {
        let history = shared("two-keys.edn", EDN);
        let payload = encode(&history).expect("small");
        assert!(payload.starts_with("1."), "{payload}");
        for text in [
            payload.clone(),
            format!("h={payload}"),
            format!("#lab=raft&h={payload}"),
            format!("https://x.test/app/#lab=raft&h={payload}"),
        ] {
            assert_eq!(decode(&text), Ok(history.clone()), "{text}");
            assert!(is_history_link(&text) || text == payload, "{text}");
        }
        assert!(!is_history_link("https://x.test/#s=1.abc"));
        // Any text, unicode included; a name keeps its first line, and long names are cut.
        let odd = shared(
            "a\nb ✓.json",
            "{\"format\": \"failscope-history/1\", \"events\": []}\n✓\n",
        );
        let back = decode(&encode(&odd).unwrap()).unwrap();
        assert_eq!(
            (back.name.as_str(), back.text.as_str()),
            ("a", odd.text.as_str())
        );
        let long = shared(&"n".repeat(500), "");
        assert_eq!(
            decode(&encode(&long).unwrap()).unwrap().name.len(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn a_history_too_large_for_a_link_says_its_sizes() {
        // Operations with values no compressor can predict: about 4.5 bytes each packed.
        let mut rng = crate::rng::Rng::from_seed(7);
        let mut text = String::new();
        for _ in 0..8_000 {
            let v = rng.below(1 << 40);
            text.push_str(&format!(
                "{{:process 0, :type :invoke, :f :write, :value {v}}}\n\
                 {{:process 0, :type :ok, :f :write, :value {v}}}\n"
            ));
        }
        assert!(text.len() < MAX_HISTORY_TEXT_BYTES);
        let err = encode(&shared("big.edn", &text)).expect_err("too large");
        let HistoryLinkError::TooLarge {
            text_bytes,
            link_chars: Some(chars),
        } = err
        else {
            panic!("{err:?}");
        };
        assert_eq!(text_bytes, text.len());
        assert!(chars > MAX_LINK_CHARS);
        let message = err.to_string();
        assert!(
            message.contains(&format!("{} KB of text", text.len().div_ceil(1024)))
                && message.contains(&format!("{chars} characters"))
                && message.contains("Share the file instead"),
            "{message}"
        );
        // Past the text limit it is refused without compressing.
        let huge = "x".repeat(MAX_HISTORY_TEXT_BYTES + 1);
        let err = encode(&shared("huge.edn", &huge)).expect_err("too large");
        assert_eq!(
            err,
            HistoryLinkError::TooLarge {
                text_bytes: huge.len(),
                link_chars: None
            }
        );
        assert!(
            err.to_string()
                .contains("more than the 2048 KB a link can carry"),
            "{err}"
        );
    }

    #[test]
    fn damaged_history_links_say_what_is_wrong() {
        let good = encode(&shared("h.edn", EDN)).unwrap();
        let raw = |bytes: &[u8]| {
            format!(
                "1.{}",
                base64url::encode(&miniz_oxide::deflate::compress_to_vec(bytes, 9))
            )
        };
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 16 << 20], 10);
        let cut = base64url::decode(&good[2..]).unwrap();
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "the link is empty"),
            ("h=".into(), "the link is empty"),
            ("h=7.abc".into(), "format “7”"),
            (
                "h=1.not*base64!".into(),
                "characters a Failscope link never has",
            ),
            (good[..good.len() / 2].to_string(), "the link is damaged"),
            (
                format!("1.{}", base64url::encode(&cut[..cut.len() / 2])),
                "does not unpack",
            ),
            (
                format!("h={}", "A".repeat(MAX_LINK_CHARS + 1)),
                "characters long",
            ),
            (raw(b"no newline here"), "not to a history file"),
            (raw(&[b'a', b'\n', 0xff, 0xfe]), "not to a history file"),
            (
                format!("1.{}", base64url::encode(&bomb)),
                "more than 2048 KB of history",
            ),
        ];
        for (text, words) in cases {
            let err = decode(&text).expect_err(&text);
            assert!(
                err.to_string().contains(words),
                "{text:.40}: “{err}”, wanted “{words}”"
            );
        }
        // Arbitrary bytes after the version never panic.
        let mut rng = crate::rng::Rng::from_seed(3);
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
            let _ = decode(&format!("1.{}", base64url::encode(&bytes)));
        }
    }
}
