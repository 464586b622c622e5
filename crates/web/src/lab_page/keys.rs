//! Keyboard shortcuts: playback keys (shared with the compare page through
//! `session::playback_key`), Escape to clear the selection and close the help and the share
//! menu, `?` for help, `i` and `o` to mark a window of the run on the timeline.
//!
//! Keys typed into a field, or with Ctrl/Cmd/Alt, are left alone, and a key that is not a
//! shortcut does not re-render the page under the typist.

use super::refresh::Cause;
use super::{LabPage, Msg};
use crate::browser;
use crate::session::UiAction;
use gloo::events::{EventListener, EventListenerOptions};
use yew::html::Scope;
use yew::prelude::*;

/// Passes the document's key presses to the page.
pub(super) fn listener(link: &Scope<LabPage>) -> EventListener {
    let link = link.clone();
    EventListener::new_with_options(
        &gloo::utils::document(),
        "keydown",
        EventListenerOptions::enable_prevent_default(),
        move |e| {
            if let Some(e) = wasm_bindgen::JsCast::dyn_ref::<KeyboardEvent>(e) {
                link.send_message(Msg::Key(e.clone()));
            }
        },
    )
}

impl LabPage {
    /// Act on a key press: what it changed, or `None` when it was not a shortcut.
    pub(super) fn key(&mut self, e: &KeyboardEvent) -> Option<Cause> {
        let help_was_open = self.help_open;
        match self.shortcut(e) {
            Some(action) => {
                let cause = Cause::of(&action);
                if let Ok(s) = self.session.as_mut() {
                    s.dispatch(action);
                }
                Some(cause)
            }
            None => (self.help_open != help_was_open).then_some(Cause::Chrome),
        }
    }

    fn shortcut(&mut self, e: &KeyboardEvent) -> Option<UiAction> {
        if let Some(action) = crate::session::playback_key(e) {
            e.prevent_default();
            return Some(action);
        }
        if browser::typing_in_a_field(e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return None;
        }
        match e.key().as_str() {
            // Escape closes whatever is open (the help, the share menu) and clears the selection.
            "Escape" => {
                self.help_open = false;
                self.share.close();
                e.prevent_default();
                Some(UiAction::ClearSelection)
            }
            "?" => {
                self.help_open = !self.help_open;
                e.prevent_default();
                None
            }
            // In and out points, as in a video editor: the window an embed shows.
            "i" => Some(UiAction::MarkFrom),
            "o" => Some(UiAction::MarkTo),
            _ => None,
        }
    }
}
