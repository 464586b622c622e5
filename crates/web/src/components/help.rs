//! The keyboard help overlay (press ?).

use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

const KEYS: &[(&str, &str)] = &[
    ("space", "play or pause"),
    ("→", "step one event"),
    ("←", "step back one event"),
    ("] and [", "faster and slower"),
    ("Enter", "select the focused server"),
    (
        "shift-click",
        "add a server to the selection (to partition)",
    ),
    ("Esc", "clear the selection, close this help"),
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
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help">
            <div class="dialog">
                <h2 id="help-title">{ "Keyboard" }</h2>
                <dl class="keys">
                    { for KEYS.iter().map(|(k, v)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *v }</dd></> }) }
                </dl>
                <p class="muted small">{ "Every run is deterministic: the same seed and the same actions give the same run, here and on anyone's machine. Scrubbing back is exact, and acting in the past forks the run from there." }</p>
                <button class="btn btn-primary" onclick={close} autofocus=true>{ "Close" }</button>
            </div>
        </div>
    }
}
