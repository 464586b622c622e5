//! The URL and sharing: keeping the address a share link of the session, the share menu's
//! actions (copy a link or embed code, downloads), and importing a scenario file.
//!
//! The page owns its URL fragment only while the address still shows what it last wrote:
//! anyone else's fragment (an import, a typed URL) wins until the `hashchange` arrives.
//! Those rules live here so no other part of the page writes the address.

use super::{LabPage, LabPageProps, Msg};
use crate::browser;
use crate::components::share::{self, ShareAction};
use failscope_sim::link::{self, SharedRun};
use failscope_sim::Scenario;
use yew::Context;

/// How often a playing run rewrites the address when nothing but time changed.
const PLAYING_WRITE_MS: f64 = 15_000.0;

/// What the page last wrote to the address bar, and when.
#[derive(Default)]
pub(super) struct UrlSync {
    /// Wall time (ms) the URL was last written.
    written_ms: f64,
    /// How many of the person's actions that link held.
    written_actions: usize,
    /// The fragment this page last wrote. If the address no longer shows it, someone else
    /// navigated (an import, a typed URL) and the page must not write over that before
    /// the `hashchange` arrives with the new source.
    written: Option<String>,
    /// When the page first saw someone else's fragment (it waits at most a second for the
    /// `hashchange`, so a navigation that changes nothing cannot freeze the URL for good).
    foreign_since: Option<f64>,
}

impl UrlSync {
    /// A new source: the address is the one the app navigated to.
    pub(super) fn forget_written(&mut self) {
        self.written = None;
        self.foreign_since = None;
    }
}

/// The share menu: whether it is open, what it last produced, and what it says.
#[derive(Default)]
pub(super) struct ShareState {
    pub(super) open: bool,
    pub(super) link: Option<String>,
    pub(super) embed: Option<share::EmbedSource>,
    pub(super) status: Option<String>,
}

impl ShareState {
    pub(super) fn toggle(&mut self) {
        if self.open {
            self.close();
        } else {
            self.open = true;
            self.status = None;
        }
    }

    /// Close the menu. Its Embed part was made for that moment: opening the menu again
    /// starts without it, so the Embed button opens the dialog rather than closing one left
    /// over, and its snippets follow the run and the timeline's marks.
    pub(super) fn close(&mut self) {
        self.open = false;
        self.status = None;
        self.embed = None;
    }
}

impl LabPage {
    /// Keep the URL a share link of the session, replacing (not adding) history entries;
    /// while playing, at most every two seconds.
    pub(super) fn sync_url(&mut self, props: &LabPageProps) {
        if props.embed || self.jobs.catching_up.is_some() {
            return;
        }
        let tab = self.tab_label();
        let Ok(session) = &self.session else { return };
        let url = &mut self.url;
        let now_ms = js_sys::Date::now();
        let foreign = url
            .written
            .as_ref()
            .is_some_and(|written| *written != browser::current_fragment());
        if foreign {
            let since = *url.foreign_since.get_or_insert(now_ms);
            if now_ms - since < 1_000.0 {
                return;
            }
        }
        url.foreign_since = None;
        // While a run plays its moment changes every frame, and writing the address is a
        // slow synchronous call in Chromium (tens of ms on a slowed CPU): it would stall the
        // frame or the click it lands in. So a playing run writes it only for a new action
        // (a reload must not lose what the person did) or every so often; once the run is
        // still, the address catches up at once.
        let actions = session.sim().scenario().actions.len();
        if session.playing
            && url.written.is_some()
            && actions == url.written_actions
            && now_ms - url.written_ms < PLAYING_WRITE_MS
        {
            return;
        }
        url.written_ms = now_ms;
        url.written_actions = actions;
        let run = session.shared_run(Some(tab));
        let fragment = format!("#s={}", link::encode(&run));
        // `history.replaceState` is slow (Chromium sends it to the browser process, and
        // throttles a page that calls it too often), and the page syncs after every message:
        // write only what changed (or what someone else's address replaced).
        if !foreign && url.written.as_ref() == Some(&fragment) {
            return;
        }
        browser::replace_fragment(&fragment);
        url.written = Some(fragment);
    }

    pub(super) fn share(&mut self, ctx: &Context<Self>, action: ShareAction) {
        let Ok(session) = &self.session else { return };
        let copy = |text: String, done: &'static str| {
            let link = ctx.link().clone();
            wasm_bindgen_futures::spawn_local(async move {
                let ok = browser::copy_text(&text).await;
                link.send_message(Msg::ShareStatus(if ok {
                    done.to_string()
                } else {
                    "Copy it from the box above (the browser did not allow copying).".to_string()
                }));
            });
        };
        match action {
            ShareAction::CopyLink => {
                let url = share::link_url(session, Some(self.tab_label()));
                self.share.status = Some(format!("{} characters", url.len()));
                self.share.link = Some(url.clone());
                copy(
                    url,
                    "Link copied: it opens this run, paused at this moment.",
                );
            }
            ShareAction::CopyEmbed => {
                self.share.embed = match self.share.embed {
                    Some(_) => None,
                    None => Some(share::embed_source(session)),
                };
            }
            ShareAction::Import(file) => {
                if file.size() > share::MAX_IMPORT_BYTES {
                    self.share.status = Some(format!(
                        "{} is too large for a scenario (over 1 MB).",
                        file.name()
                    ));
                    return;
                }
                let link = ctx.link().clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
                    // Reading scenario files is a chunk of its own in the release build.
                    let reader = failscope_labs::codec::load().await;
                    link.send_message(Msg::Imported(match reader {
                        Ok(()) => text
                            .ok()
                            .and_then(|t| t.as_string())
                            .ok_or_else(|| "The file could not be read.".to_string()),
                        Err(e) => Err(e.to_string()),
                    }));
                });
            }
            other => {
                let Some(download) = share::DOWNLOAD.get() else {
                    // First download: fetch its code, then carry out the same action.
                    self.share.status = Some("Preparing the download…".into());
                    let link = ctx.link().clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        link.send_message(match share::DOWNLOAD.load().await {
                            Ok(_) => Msg::Share(other),
                            Err(message) => Msg::ShareStatus(format!("Not saved: {message}.")),
                        });
                    });
                    return;
                };
                let reply = share::Reply {
                    status: ctx.link().callback(Msg::ShareStatus),
                    again: ctx.link().callback(Msg::Share),
                };
                let status = if matches!(other, ShareAction::PictureSvg | ShareAction::PicturePng) {
                    self.painter
                        .with_painted_in_svg(|| download(session, &other, &reply))
                } else {
                    download(session, &other, &reply)
                };
                self.share.status = Some(status);
            }
        }
    }

    /// Open an imported scenario file by navigating to its link (the app opens it).
    pub(super) fn import(&mut self, text: Result<String, String>) {
        let opened = text.and_then(|text| {
            let scenario: Scenario = failscope_labs::codec::parse_scenario(&text)
                .unwrap_or_else(|| Err("the file reader is still loading".into()))
                .map_err(|e| format!("This file cannot be opened: {e}"))?;
            // A scenario of a lab whose code is not loaded yet is checked when the link it
            // becomes is opened (after loading); every other one is checked here, in place.
            if failscope_labs::find(&scenario.lab).is_some()
                || failscope_labs::catalogue::info(&scenario.lab).is_none()
            {
                scenario
                    .validate(&failscope_labs::REGISTRY)
                    .map_err(|e| format!("This scenario cannot run: {e}"))?;
            }
            Ok(scenario)
        });
        match opened {
            Ok(scenario) => {
                let run = SharedRun {
                    scenario,
                    cursor_us: 0,
                    view: Default::default(),
                };
                let _ = gloo::utils::window()
                    .location()
                    .set_hash(&format!("s={}", link::encode(&run)));
                self.share.close();
            }
            Err(message) => self.share.status = Some(message),
        }
    }
}
