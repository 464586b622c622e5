//! The embed's side of embedding: the options an embedding page sets in the iframe's
//! address, and the versioned `postMessage` protocol it drives the lab with.
//!
//! Options (the query of the embed's address, `?embed&from=1.5&to=6&…`; the
//! `<failscope-lab>` tag builds it from its attributes):
//! - `from`, `to`: a window of simulated time, in seconds. The lab opens at `from`, playback
//!   stops at `to` (or starts over at `from` with `loop`), and seeks stay inside it.
//! - `loop`: play the window over and over.
//! - `controls=full|minimal|none`: the compact controls with a scrubber over the window,
//!   only play/pause and the clock, or nothing.
//! - `narration=on|off`: the guided scenario's narration under the picture (off by default).
//! - `origin=https://host.example`: the only origin whose messages are obeyed, and the only
//!   one told anything.
//!
//! Messages, version 1. Every message is an object `{ failscope: 1, type, … }`.
//!
//! Host → Failscope (sent to the iframe's window; only messages from the embedding page,
//! `window.parent`, and from the pinned origin if there is one, are obeyed):
//! - `{ failscope: 1, type: "play" }`, `"pause"`, `"step"`
//! - `{ failscope: 1, type: "seek", time_us: 1500000 }` (simulated microseconds, clamped
//!   into the window)
//! - `{ failscope: 1, type: "load", link: "<a share link or its #s= payload>" }`
//!
//! Failscope → host (posted to `window.parent`):
//! - `{ failscope: 1, type: "ready", lab, time_us, playing, violations, from_us, to_us,
//!   height }` once the lab is on screen; then the same fields with `type: "state"` whenever
//!   playback starts or stops, after a seek, and every second while playing; and
//!   `type: "resize"` when the height the embed would like to have (`height`, CSS pixels)
//!   changes.
//!
//! Anything else is ignored: another version, wrong shape, unknown command, out-of-range
//! numbers, oversized strings. The unversioned commands of the first API
//! (`{ failscope: "play" }`, …) are still obeyed.

use failscope_sim::limits::MAX_DURATION_US;
use failscope_sim::link::MAX_LINK_CHARS;
use failscope_sim::time::{Time, SECOND};
use wasm_bindgen::JsValue;

/// The protocol version this build speaks.
pub const PROTOCOL: u32 = 1;

#[derive(Clone, Debug, PartialEq)]
pub enum HostCommand {
    Play,
    Pause,
    Step,
    Seek(Time),
    Load(String),
}

/// How much of the controls an embed shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ControlsMode {
    #[default]
    Full,
    Minimal,
    None,
}

/// What the embedding page asked for in the embed's address.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct EmbedOptions {
    pub from_us: Time,
    pub to_us: Option<Time>,
    pub looped: bool,
    pub controls: ControlsMode,
    pub narration: bool,
    /// The embedding page's origin, when it pinned one.
    pub origin: Option<String>,
    /// What could not be used, one sentence each, for the embed to show.
    pub problems: Vec<String>,
}

impl EmbedOptions {
    /// Read the options from a query such as `?embed&from=1.5&to=6&controls=minimal`.
    /// Unknown keys are ignored; a bad value is dropped with a sentence in `problems`.
    pub fn parse(query: &str) -> EmbedOptions {
        let mut options = EmbedOptions::default();
        for (key, value) in crate::app::url_pairs(query) {
            match key {
                "from" | "to" => match seconds(&value) {
                    Some(t) if key == "from" => options.from_us = t,
                    Some(t) => options.to_us = Some(t),
                    None => options.problems.push(format!(
                        "{key}={value} is not a number of seconds between 0 and 86400; it was ignored."
                    )),
                },
                "loop" => options.looped = value != "false",
                "controls" => match value.as_str() {
                    "full" | "" => options.controls = ControlsMode::Full,
                    "minimal" => options.controls = ControlsMode::Minimal,
                    "none" => options.controls = ControlsMode::None,
                    _ => options.problems.push(format!(
                        "controls={value} is not one of full, minimal or none; the full controls are shown."
                    )),
                },
                "narration" => options.narration = !matches!(value.as_str(), "off" | "false"),
                "origin" => match valid_origin(&value) {
                    Some(origin) => options.origin = Some(origin),
                    None => {
                        // Obeying anyone would be the wrong way to fail: obey no one.
                        options.origin = Some(String::new());
                        options.problems.push(format!(
                            "origin={value} is not an origin such as https://example.org; the host page's commands are ignored."
                        ));
                    }
                },
                _ => {}
            }
        }
        if options.to_us.is_some_and(|to| to <= options.from_us) {
            options
                .problems
                .push("to must come after from; the run is shown from `from` to its end.".into());
            options.to_us = None;
        }
        options
    }

    /// The options in this page's address.
    pub fn from_location() -> EmbedOptions {
        EmbedOptions::parse(
            &gloo::utils::window()
                .location()
                .search()
                .unwrap_or_default(),
        )
    }

    /// Whether the host asked for a window of time.
    pub fn has_window(&self) -> bool {
        self.from_us > 0 || self.to_us.is_some()
    }

    /// A moment moved into the window.
    pub fn clamp(&self, t: Time) -> Time {
        t.max(self.from_us).min(self.to_us.unwrap_or(Time::MAX))
    }
}

/// Whole microseconds from a number of seconds as a person writes it.
fn seconds(text: &str) -> Option<Time> {
    let s = crate::decimal::parse(text)?;
    let us = (s * SECOND as f64).round();
    (us.is_finite() && (0.0..=MAX_DURATION_US as f64).contains(&us)).then_some(us as Time)
}

/// `scheme://host[:port]` and nothing more, as `MessageEvent.origin` spells it.
fn valid_origin(text: &str) -> Option<String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))?;
    let ok = !rest.is_empty()
        && rest.len() <= 256
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    ok.then(|| text.to_string())
}

fn field(data: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(data, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// Read a command from a message's data; `None` for anything malformed.
pub fn parse(data: &JsValue) -> Option<HostCommand> {
    if !data.is_object() {
        return None;
    }
    let version = field(data, "failscope")?;
    let command = match version.as_f64() {
        Some(v) if v == PROTOCOL as f64 => field(data, "type")?.as_string()?,
        Some(_) => return None,
        // The first, unversioned API: `{ failscope: "play" }`.
        None => version.as_string()?,
    };
    match command.as_str() {
        "play" => Some(HostCommand::Play),
        "pause" => Some(HostCommand::Pause),
        "step" => Some(HostCommand::Step),
        "seek" => {
            let t = field(data, "time_us")?.as_f64()?;
            (t.is_finite() && (0.0..=MAX_DURATION_US as f64).contains(&t))
                .then_some(HostCommand::Seek(t as Time))
        }
        "load" => {
            let link = field(data, "link")?.as_string()?;
            (!link.is_empty() && link.len() <= MAX_LINK_CHARS + 4096)
                .then_some(HostCommand::Load(link))
        }
        _ => None,
    }
}

/// Is this message from the page that embeds us (and from its pinned origin, if any)?
pub fn from_parent(event: &web_sys::MessageEvent, origin: Option<&str>) -> bool {
    if origin.is_some_and(|o| o != event.origin()) {
        return false;
    }
    let window = gloo::utils::window();
    let Ok(Some(parent)) = window.parent() else {
        return false;
    };
    if parent == window {
        return false; // not embedded
    }
    // The parent's window belongs to another realm, so `instanceof Window` fails on it:
    // compare identities instead.
    event
        .source()
        .is_some_and(|source| js_sys::Object::is(&source, &parent))
}

/// What an embed tells its host.
pub struct Report<'a> {
    pub lab: &'a str,
    pub time_us: Time,
    pub playing: bool,
    pub violations: usize,
    pub height: f64,
}

/// Tell the embedding page (if any) what is going on; only the pinned origin, if one is.
pub fn post(kind: &str, report: &Report, options: &EmbedOptions) {
    let window = gloo::utils::window();
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if parent == window || options.origin.as_deref() == Some("") {
        return;
    }
    let message = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(k), &v);
    };
    set("failscope", PROTOCOL.into());
    set("type", kind.into());
    set("lab", report.lab.into());
    set("time_us", (report.time_us as f64).into());
    set("playing", report.playing.into());
    set("violations", (report.violations as f64).into());
    set("from_us", (options.from_us as f64).into());
    if let Some(to) = options.to_us {
        set("to_us", (to as f64).into());
    }
    set("height", report.height.into());
    let _ = parent.post_message(&message, options.origin.as_deref().unwrap_or("*"));
}
