//! The embed bridge: what a lab page does inside another site's iframe. It obeys the host
//! page's postMessage commands (play, pause, step, seek, load), tells the host about
//! playback, and lays out the compact embed page with its "Open in Failscope" link.
//!
//! The protocol itself is `crate::embed_api`; this module is the page's side of it, kept
//! apart so the full page's code never has to ask "am I embedded?" beyond choosing a layout.

use super::{LabPage, Msg};
use crate::browser;
use crate::embed_api::{self, HostCommand};
use crate::session::{Notice, Session, UiAction};
use failscope_sim::link;
use failscope_sim::time::Time;
use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::html::Scope;
use yew::prelude::*;

/// What the host page was last told.
#[derive(Default)]
pub(super) struct EmbedBridge {
    posted_ms: f64,
    posted_playing: Option<bool>,
    posted_time: Option<Time>,
}

impl EmbedBridge {
    /// Tell an embedding page about playback (on changes, and every second while playing).
    pub(super) fn post_state(&mut self, session: &Session) {
        let now_ms = js_sys::Date::now();
        let changed = self.posted_playing != Some(session.playing)
            || (!session.playing && self.posted_time != Some(session.now()));
        let heartbeat_due = session.playing && now_ms - self.posted_ms > 1_000.0;
        if !(changed || heartbeat_due) {
            return;
        }
        self.posted_ms = now_ms;
        self.posted_playing = Some(session.playing);
        self.posted_time = Some(session.now());
        let violations = session
            .sim()
            .invariants()
            .iter()
            .filter(|r| r.status.first_violation.is_some())
            .count();
        embed_api::post(
            "state",
            session.lab.id(),
            session.now(),
            session.playing,
            violations,
        );
    }
}

/// Passes the parent page's commands to the page.
pub(super) fn listener(link: &Scope<LabPage>) -> EventListener {
    let link = link.clone();
    EventListener::new(&gloo::utils::window(), "message", move |e| {
        let Some(event) = e.dyn_ref::<web_sys::MessageEvent>() else {
            return;
        };
        if embed_api::from_parent(event) {
            if let Some(command) = embed_api::parse(&event.data()) {
                link.send_message(Msg::Host(command));
            }
        }
    })
}

/// Tell the host the page is up.
pub(super) fn post_ready(session: &Session) {
    embed_api::post("ready", session.lab.id(), session.now(), session.playing, 0);
}

impl LabPage {
    /// Obey a command from the host page.
    pub(super) fn host(&mut self, command: HostCommand) {
        let Ok(s) = self.session.as_mut() else { return };
        match command {
            HostCommand::Play => s.playing = s.sim().halted().is_none(),
            HostCommand::Pause => s.playing = false,
            HostCommand::Step => s.dispatch(UiAction::Step),
            HostCommand::Seek(t) => s.dispatch(UiAction::Seek(t)),
            HostCommand::Load(text) if needs_loading(&text) => {
                // Another lab's code must be fetched first: the app does that on navigation.
                let payload = text.rsplit_once("s=").map_or(text.as_str(), |(_, p)| p);
                let _ = gloo::utils::window()
                    .location()
                    .set_hash(&format!("s={payload}"));
            }
            HostCommand::Load(text) => match failscope_labs::decode_link(&text) {
                Ok(run) => match Session::from_shared(&run) {
                    Ok(session) => {
                        self.session = Ok(session);
                        self.forget_run();
                        self.jobs.catching_up = (run.cursor_us > 0).then_some(run.cursor_us);
                    }
                    Err(e) => {
                        s.notice = Some(Notice {
                            text: e.to_string(),
                            error: true,
                        })
                    }
                },
                Err(e) => {
                    s.notice = Some(Notice {
                        text: format!("The host page sent a link that cannot be opened: {e}"),
                        error: true,
                    })
                }
            },
        }
    }

    /// The embed layout: the stage and compact controls only.
    pub(super) fn embed_page(
        &self,
        session: &Session,
        stage: Html,
        controls: Html,
        catching_up: Option<Html>,
    ) -> Html {
        html! {
            <div class="lab-page embed-page" data-testid="lab-page" data-lab={session.lab.id()}>
                { stage }
                { for catching_up }
                <div class="embed-bar">
                    { controls }
                    <a class="btn" data-testid="open-in-failscope" href={browser::base_url()} target="_blank" rel="noopener"
                       onclick={open_full(session)}>{ "Open in Failscope ↗" }</a>
                </div>
                <div class="sr-only" aria-live="polite" data-testid="live-region">{ &session.live_text }</div>
            </div>
        }
    }
}

/// Whether opening a link needs code that is not loaded yet (the link reader, its lab).
fn needs_loading(link: &str) -> bool {
    !failscope_labs::ready(&failscope_labs::Needs {
        link: Some(link.to_string()),
        ..Default::default()
    })
}

/// The "Open in Failscope" link of an embed: the full app on this very moment.
fn open_full(session: &Session) -> Callback<MouseEvent> {
    let run = session.shared_run(None);
    Callback::from(move |e: MouseEvent| {
        // Yew delegates events to its root, so `current_target` is not the link: find it
        // from the element clicked.
        if let Some(anchor) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a").ok().flatten())
            .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            anchor.set_href(&format!("{}#s={}", browser::base_url(), link::encode(&run)));
        }
    })
}
