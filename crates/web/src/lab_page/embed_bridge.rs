//! The embed bridge: what a lab page does inside another site's iframe. It obeys the host
//! page's postMessage commands (play, pause, step, seek, load), tells the host about
//! playback, and lays out the compact embed page with its "Open in Failscope" link.
//!
//! The protocol itself is `crate::embed_api`; this module is the page's side of it, kept
//! apart so the full page's code never has to ask "am I embedded?" beyond choosing a layout.

use super::{LabPage, Msg};
use crate::browser;
use crate::embed_api::{self, ControlsMode, EmbedOptions, HostCommand, Report};
use crate::session::{format_time, Notice, Session, UiAction};
use failscope_sim::link;
use failscope_sim::time::Time;
use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::html::Scope;
use yew::prelude::*;

/// What the host page was last told.
#[derive(Default)]
pub(super) struct EmbedBridge {
    posted_ms: f64,
    posted_playing: Option<bool>,
    posted_time: Option<Time>,
    /// The height last reported, and when it was last measured (wall ms).
    posted_height: f64,
    measured_ms: f64,
}

impl EmbedBridge {
    /// Tell an embedding page about playback (on changes, and every second while playing).
    pub(super) fn post_state(&mut self, session: &Session, options: &EmbedOptions) {
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
        embed_api::post("state", &report(session, self.posted_height), options);
    }

    /// Tell the host the page is up.
    pub(super) fn post_ready(&mut self, session: &Session, options: &EmbedOptions) {
        self.posted_height = wanted_height();
        self.measured_ms = js_sys::Date::now();
        embed_api::post("ready", &report(session, self.posted_height), options);
    }

    /// Tell the host the height the embed would like, when it changed (measured at most
    /// three times a second, since measuring makes the browser lay the page out).
    pub(super) fn post_height(&mut self, session: &Session, options: &EmbedOptions) {
        let now_ms = js_sys::Date::now();
        if now_ms - self.measured_ms < 300.0 {
            return;
        }
        self.measured_ms = now_ms;
        let height = wanted_height();
        if (height - self.posted_height).abs() > 1.0 {
            self.posted_height = height;
            embed_api::post("resize", &report(session, height), options);
        }
    }
}

fn report(session: &Session, height: f64) -> Report<'_> {
    Report {
        lab: session.lab.id(),
        time_us: session.now(),
        playing: session.playing,
        violations: session
            .sim()
            .invariants()
            .iter()
            .filter(|r| r.status.first_violation.is_some())
            .count(),
        height,
    }
}

/// The height (CSS pixels) at which the picture keeps its proportions at this width: the
/// page as it is, with the canvas's height swapped for the one its width calls for.
fn wanted_height() -> f64 {
    let document = gloo::utils::document();
    let rect = |selector: &str| {
        document
            .query_selector(selector)
            .ok()
            .flatten()
            .map(|el| el.get_bounding_client_rect())
    };
    let (Some(page), Some(canvas)) = (rect(".embed-page"), rect("[data-testid=canvas]")) else {
        return 0.0;
    };
    let wanted = canvas.width() * crate::layout::HEIGHT / crate::layout::WIDTH;
    (page.height() - canvas.height() + wanted).round()
}

/// Passes the parent page's commands to the page.
pub(super) fn listener(link: &Scope<LabPage>, origin: Option<String>) -> EventListener {
    let link = link.clone();
    EventListener::new(&gloo::utils::window(), "message", move |e| {
        let Some(event) = e.dyn_ref::<web_sys::MessageEvent>() else {
            return;
        };
        if embed_api::from_parent(event, origin.as_deref()) {
            if let Some(command) = embed_api::parse(&event.data()) {
                link.send_message(Msg::Host(command));
            }
        }
    })
}

impl LabPage {
    /// Obey a command from the host page.
    pub(super) fn host(&mut self, command: HostCommand, options: &EmbedOptions) {
        let Ok(s) = self.session.as_mut() else { return };
        match command {
            HostCommand::Play => {
                if options.to_us.is_some_and(|to| s.now() >= to) {
                    s.dispatch(UiAction::Seek(options.from_us));
                }
                s.playing = s.sim().halted().is_none();
            }
            HostCommand::Pause => s.playing = false,
            HostCommand::Step => s.dispatch(UiAction::Step),
            HostCommand::Seek(t) => s.dispatch(UiAction::Seek(options.clamp(t))),
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

    /// Keep an embed inside its window of time: playback that passes the end starts over
    /// at the start (`loop`) or stops at the end; a step back before the start returns to it.
    pub(super) fn keep_in_window(&mut self, options: &EmbedOptions, was_playing: bool) {
        let Ok(s) = self.session.as_mut() else { return };
        if self.jobs.catching_up.is_some() {
            return;
        }
        let preset_end = s.preset.as_ref().map(|p| p.duration_us);
        let end = options.to_us.or(preset_end.filter(|_| options.looped));
        let now = s.now();
        match end {
            Some(end) if now >= end && was_playing && options.looped => {
                s.dispatch(UiAction::Seek(options.from_us));
                s.playing = s.sim().halted().is_none();
            }
            Some(end) if now > end && options.to_us.is_some() => {
                s.dispatch(UiAction::Seek(end));
                s.playing = false;
            }
            _ if now < options.from_us => s.dispatch(UiAction::Seek(options.from_us)),
            _ => {}
        }
    }

    /// The embed layout: the stage, the narration if asked for, and the controls asked for.
    pub(super) fn embed_page(
        &self,
        ctx: &Context<Self>,
        session: &Session,
        stage: Html,
        controls: Html,
        catching_up: Option<Html>,
    ) -> Html {
        let options = &ctx.props().embed_options;
        let link = ctx.link();
        let end = options.to_us.unwrap_or_else(|| session.timeline_end());
        let window = options.has_window().then(|| {
            html! {
                <span class="embed-window muted small" data-testid="embed-window"
                      data-from-us={options.from_us.to_string()} data-to-us={end.to_string()}>
                    { format!("{} – {}", format_time(options.from_us), format_time(end)) }
                </span>
            }
        });
        let narration = options
            .narration
            .then(|| {
                session
                    .preset
                    .as_ref()
                    .and(self.narration(session, session.now()))
            })
            .flatten();
        let open = html! {
            <a class="btn" data-testid="open-in-failscope" href={browser::base_url()} target="_blank" rel="noopener"
               onclick={open_full(session)}>{ "Open in Failscope ↗" }</a>
        };
        let bar = match options.controls {
            ControlsMode::Full => {
                let on_input = {
                    let (from, to) = (options.from_us, end);
                    link.callback(move |e: InputEvent| {
                        let input: HtmlInputElement = e.target_unchecked_into();
                        let t = input.value_as_number();
                        let t = if t.is_finite() {
                            t.max(0.0) as Time
                        } else {
                            from
                        };
                        Msg::Ui(UiAction::Seek(t.clamp(from, to)))
                    })
                };
                html! {
                    <>
                        <input type="range" class="scrubber embed-scrubber" data-testid="embed-scrubber" aria-label="Simulated time"
                               aria-valuetext={format_time(session.now())} min={options.from_us.to_string()} max={end.to_string()}
                               step="any" value={session.now().to_string()} oninput={on_input} />
                        <div class="embed-bar">{ controls }{ for window }{ open }</div>
                    </>
                }
            }
            ControlsMode::Minimal => {
                html! { <div class="embed-bar minimal">{ controls }{ for window }{ open }</div> }
            }
            ControlsMode::None => html! { <div hidden=true>{ for window }</div> },
        };
        let problem = options.problems.first().map(|p| {
            html! { <p class="notice error small" role="alert" data-testid="embed-problem">{ p }</p> }
        });
        html! {
            <div class="lab-page embed-page" data-testid="lab-page" data-lab={session.lab.id()}
                 data-us={session.now().to_string()} data-playing={session.playing.to_string()}>
                { for problem }
                { stage }
                { for catching_up }
                { for narration }
                { bar }
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
