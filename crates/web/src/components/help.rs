//! The keyboard help overlay (press ?).

use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

/// Every key the lab page answers to (a test compares this list with the handlers).
pub const KEYS: &[(&str, &str)] = &[
    ("space", "play or pause (anywhere but a text field)"),
    ("→", "step one event"),
    ("←", "step back one event"),
    ("] and [", "faster and slower"),
    ("Tab", "move between servers, pictures and controls"),
    (
        "Enter",
        "on a server: select it and move to its actions (crash, pause, clock)",
    ),
    ("shift-Enter", "on a server: add it to the selection"),
    (
        "shift-click",
        "add a server to the selection (to partition)",
    ),
    (
        "← → ↑ ↓",
        "on the timeline: move the cursor; on the ring: walk from key to key",
    ),
    (
        "i and o",
        "mark the start and the end of a window of the run (what Share → Embed shows)",
    ),
    (
        "Esc",
        "close this help or the share menu, clear the selection",
    ),
    ("?", "show or hide this help"),
];

// Not shown when a page opens: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub HELP: HelpProps => Help, help, "the keyboard help");

#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    // The dialog takes the focus when it opens (`autofocus` only acts at page load).
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    // A modal dialog keeps the focus: Tab and shift-Tab cycle through its own controls.
    // (Found by a ref: Yew delegates events, so `current_target` is its root.)
    let dialog_ref = use_node_ref();
    let onkeydown = {
        let dialog_ref = dialog_ref.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Tab" {
                return;
            }
            let Some(dialog) = dialog_ref.cast::<web_sys::Element>() else {
                return;
            };
            let Ok(list) = dialog.query_selector_all("button, a[href], input, select, [tabindex]")
            else {
                return;
            };
            let items: Vec<web_sys::HtmlElement> = (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into().ok())
                .collect();
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                return;
            };
            let active = gloo::utils::document().active_element();
            let at = |el: &web_sys::HtmlElement| active.as_ref() == Some(el.as_ref());
            if e.shift_key() && (at(first) || !items.iter().any(at)) {
                e.prevent_default();
                let _ = last.focus();
            } else if !e.shift_key() && (at(last) || !items.iter().any(at)) {
                e.prevent_default();
                let _ = first.focus();
            }
        })
    };
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help" ref={dialog_ref} {onkeydown}>
            <div class="dialog">
                <h2 id="help-title">{ "Keyboard" }</h2>
                <dl class="keys">
                    { for KEYS.iter().map(|(k, v)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *v }</dd></> }) }
                </dl>
                <p class="muted small">{ "Every run is deterministic: the same seed and the same actions give the same run, here and on anyone's machine. Scrubbing back is exact, and acting in the past forks the run from there." }</p>
                <button class="btn btn-primary" ref={close_ref} data-testid="help-close" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
