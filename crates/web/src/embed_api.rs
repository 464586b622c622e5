//! The `postMessage` API an embedding page uses to drive an embedded lab.
//!
//! Host → Failscope (sent to the iframe's window; only messages from the embedding page,
//! `window.parent`, are obeyed):
//! - `{ failscope: "play" }`, `{ failscope: "pause" }`, `{ failscope: "step" }`
//! - `{ failscope: "seek", time_us: 1500000 }` (a number of simulated microseconds)
//! - `{ failscope: "load", link: "<a Failscope share link or its #s= payload>" }`
//!
//! Failscope → host (posted to `window.parent`):
//! - `{ failscope: "ready", lab }` once, then `{ failscope: "state", lab, time_us, playing,
//!   violations }` whenever playback starts or stops, after a seek, and every second while
//!   playing.
//!
//! Anything else is ignored: wrong shape, unknown command, out-of-range numbers, oversized
//! strings.

use failscope_sim::limits::MAX_DURATION_US;
use failscope_sim::link::MAX_LINK_CHARS;
use failscope_sim::time::Time;
use wasm_bindgen::JsValue;

#[derive(Clone, Debug, PartialEq)]
pub enum HostCommand {
    Play,
    Pause,
    Step,
    Seek(Time),
    Load(String),
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
    let command = field(data, "failscope")?.as_string()?;
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

/// Is this message from the page that embeds us?
pub fn from_parent(event: &web_sys::MessageEvent) -> bool {
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

/// Tell the embedding page (if any) what is going on.
pub fn post(kind: &str, lab: &str, time_us: Time, playing: bool, violations: usize) {
    let window = gloo::utils::window();
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if parent == window {
        return;
    }
    let message = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(k), &v);
    };
    set("failscope", kind.into());
    set("lab", lab.into());
    set("time_us", (time_us as f64).into());
    set("playing", playing.into());
    set("violations", (violations as f64).into());
    let _ = parent.post_message(&message, "*");
}
