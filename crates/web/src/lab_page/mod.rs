//! A lab page: one lab (or shared run) on screen. The component owns the [`Session`] and
//! wires its concerns together; each concern lives in its own module:
//!
//! - [`frame_loop`]: requestAnimationFrame, advancing the run by wall time × speed, and
//!   stopping when paused, hidden or off-screen; drawing the message dots and diagram.
//! - [`url_sync`]: keeping the URL a share link, the share menu, imports, downloads.
//! - [`embed_bridge`]: postMessage commands from a host page, and the embed layout.
//! - [`jobs`]: background work tied to a run id (History check, catch-up of a shared run,
//!   trade-off measurements).
//! - [`keys`]: keyboard shortcuts.
//! - [`layout`]: the view (stage, side tabs, lower panels, pictures).
//!
//! This file keeps what ties them: the props, the messages, starting and restarting a run,
//! and the order of the work after each message (draw, schedule a frame, sync the URL,
//! tell the host).

mod embed_bridge;
mod frame_loop;
mod jobs;
mod keys;
mod layout;
mod refresh;
mod url_sync;

pub use layout::Tab;

use crate::components::consistency::Checked;
use crate::components::event_log::Category;
use crate::components::share::ShareAction;
use crate::components::tradeoffs::Measured;
use crate::embed_api::{EmbedOptions, HostCommand};
use crate::session::{Marker, Session, UiAction};
use crate::shared::Shared;
use failscope_sim::link::SharedRun;
use failscope_sim::Scenario;
use frame_loop::{FrameLoop, Painter};
use gloo::events::EventListener;
use jobs::Jobs;
use refresh::Cause;
use std::rc::Rc;
use url_sync::{ShareState, UrlSync};
use yew::prelude::*;

/// What a lab page shows: a lab (with a preset and seed) or a shared run.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Lab {
        lab: String,
        preset: Option<String>,
        seed: Option<u64>,
    },
    Shared(Rc<SharedRun>),
}

#[derive(Properties, PartialEq, Clone)]
pub struct LabPageProps {
    pub source: Source,
    /// A history link's payload (`h=`): the History tab opens and checks it.
    #[prop_or_default]
    pub history: Option<String>,
    /// Only the canvas and compact controls, for an iframe.
    #[prop_or(false)]
    pub embed: bool,
    /// Start playing at once (embeds wait to be asked).
    #[prop_or(false)]
    pub autoplay: bool,
    /// What the embedding page asked for (a window of time, controls, narration, origin).
    #[prop_or_default]
    pub embed_options: EmbedOptions,
    /// Go back to the lab picker.
    pub on_home: Callback<()>,
    /// Open a lab's preset (or its free play).
    pub on_preset: Callback<(String, Option<String>)>,
}

pub enum Msg {
    Frame(f64),
    Ui(UiAction),
    /// A click on the canvas at this point, among aggregated messages.
    PointAt(crate::layout::Point),
    Restart(u64),
    NewSeed,
    RestartWith(Box<Scenario>),
    /// Open the scenario that exposes this choice of the lab's deliberate bug.
    ShowBug(i64),
    Visibility,
    OnScreen(bool),
    Key(KeyboardEvent),
    Tab(Tab),
    ToggleFilter(Category),
    Zoom(bool),
    ToggleHelp,
    ToggleShare,
    Share(ShareAction),
    ShareStatus(String),
    Imported(Result<String, String>),
    Host(HostCommand),
    CheckHistory,
    /// A finished History check, for the run with this id (older runs' results are dropped).
    Checked(u64, Result<Rc<Checked>, String>),
    MeasureTradeoffs,
    Measured(Rc<Result<Vec<Measured>, String>>),
}

pub struct LabPage {
    session: Result<Session, String>,
    reduced_motion: bool,
    tab: Tab,
    filters: Vec<Category>,
    help_open: bool,
    markers: Shared<Vec<Marker>>,
    _listeners: Vec<EventListener>,
    stage_ref: NodeRef,
    frames: FrameLoop,
    painter: Painter,
    url: UrlSync,
    share: ShareState,
    embed: embed_bridge::EmbedBridge,
    jobs: Jobs,
    refresh: refresh::Refresh,
    /// Made once, so that a child given it sees the same callback on every render and can
    /// skip redrawing when nothing else changed (a new callback never compares equal).
    on_action: Callback<UiAction>,
}

impl LabPage {
    fn open(props: &LabPageProps) -> Result<Session, String> {
        match &props.source {
            Source::Lab { lab, preset, seed } => Session::open(lab, preset.as_deref(), *seed),
            Source::Shared(run) => Session::from_shared(run),
        }
        .map_err(|e| e.to_string())
    }

    /// Forget everything that belonged to the run being replaced.
    fn forget_run(&mut self) {
        self.markers = Shared::new(Vec::new());
        self.jobs.forget_run();
        self.refresh.forget();
    }

    /// Open the page's source and decide how it starts: a preset plays (unless the person
    /// prefers reduced motion, or it is an embed not asked to autoplay); a shared run
    /// replays to its moment and waits there.
    fn start(&mut self, props: &LabPageProps) {
        self.session = Self::open(props);
        self.url.forget_written();
        self.forget_run();
        if props.history.is_some() {
            self.tab = Tab::History;
        }
        if let Ok(s) = self.session.as_mut() {
            match &props.source {
                Source::Shared(run) => {
                    s.playing = false;
                    let options = &props.embed_options;
                    let cursor = if props.embed && options.has_window() {
                        options.clamp(run.cursor_us)
                    } else {
                        run.cursor_us
                    };
                    self.jobs.catching_up = (cursor > 0).then_some(cursor);
                    if let Some(tab) = run.view.tab.as_deref().and_then(layout::tab_named) {
                        self.tab = tab;
                    }
                }
                Source::Lab { preset, .. } => {
                    let wants = if props.embed {
                        props.autoplay
                    } else {
                        preset.is_some() || props.autoplay
                    };
                    s.playing = wants && !self.reduced_motion;
                    // An embed's window starts later: get there in slices between frames,
                    // as a shared run does, not in one long task on the host page's thread.
                    if props.embed && props.embed_options.from_us > 0 {
                        self.jobs.catching_up = Some(props.embed_options.from_us);
                    }
                }
            }
        }
    }

    fn restart(&mut self, scenario: &Scenario) {
        let preset = self.session.as_ref().ok().and_then(|s| s.preset.clone());
        let speed = self
            .session
            .as_ref()
            .map_or(crate::session::DEFAULT_SPEED, |s| s.speed);
        match Session::new(scenario, preset) {
            Ok(mut session) => {
                session.speed = speed;
                self.session = Ok(session);
                self.forget_run();
            }
            // Keep the run as it was and say why the new settings cannot run.
            Err(e) => {
                if let Ok(s) = self.session.as_mut() {
                    s.notice = Some(crate::session::Notice {
                        text: format!("Those settings cannot run: {e}. Nothing was changed."),
                        error: true,
                    });
                }
            }
        }
    }

    /// Start the scenario that exposes a deliberate bug, guided by its preset, and show
    /// the Invariants tab, where the check that catches it turns red.
    fn show_bug(&mut self, bug: i64) {
        let Ok(session) = self.session.as_ref() else {
            return;
        };
        let lab = session.lab;
        let Some(preset) = lab
            .bug_demos()
            .iter()
            .find(|d| d.bug == bug)
            .and_then(|d| d.preset_with_bug(lab))
        else {
            return;
        };
        let speed = session.speed;
        if let Ok(mut session) = Session::new(&preset.scenario.clone(), Some(preset)) {
            session.speed = speed;
            session.playing = true;
            self.session = Ok(session);
            self.forget_run();
            self.tab = Tab::Invariants;
        }
    }

    /// The scenario a restart starts from: the run's scenario without the user's actions.
    fn base_scenario(&self) -> Option<Scenario> {
        let session = self.session.as_ref().ok()?;
        let mut s = session.sim().scenario().clone();
        s.actions.clear();
        Some(s)
    }
}

impl Component for LabPage {
    type Message = Msg;
    type Properties = LabPageProps;

    fn create(ctx: &Context<Self>) -> Self {
        let link = ctx.link();
        let mut page = LabPage {
            session: Err(String::new()),
            reduced_motion: crate::browser::prefers_reduced_motion(),
            tab: Tab::Inspector,
            filters: vec![Category::Protocol, Category::Faults, Category::Clients],
            help_open: false,
            markers: Shared::new(Vec::new()),
            _listeners: vec![
                keys::listener(link),
                FrameLoop::listener(link),
                embed_bridge::listener(link, ctx.props().embed_options.origin.clone()),
            ],
            stage_ref: NodeRef::default(),
            frames: FrameLoop::new(),
            painter: Painter::new(),
            url: UrlSync::default(),
            share: ShareState::default(),
            embed: Default::default(),
            jobs: Jobs::default(),
            refresh: refresh::Refresh::default(),
            on_action: link.callback(Msg::Ui),
        };
        page.start(ctx.props());
        page
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        if ctx.props().source != old.source {
            self.start(ctx.props());
            self.schedule_frame(ctx);
            // A run that starts paused gets no frame: draw its first picture now.
            self.draw_messages();
            self.refresh_diagram();
        } else if ctx.props().history != old.history && ctx.props().history.is_some() {
            // A history link typed over this page's address: the tab checks it.
            self.tab = Tab::History;
            self.refresh.forget();
        }
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        let mut cause = match &msg {
            Msg::Frame(_) => Cause::Frame,
            Msg::Ui(action) => Cause::of(action),
            Msg::PointAt(_) => Cause::Selection,
            Msg::Tab(_) | Msg::ToggleFilter(_) => Cause::Panel,
            Msg::ToggleHelp | Msg::ToggleShare | Msg::Share(_) | Msg::ShareStatus(_) => {
                Cause::Chrome
            }
            _ => Cause::Other,
        };
        let was_playing = matches!(&self.session, Ok(s) if s.playing);
        let was_moving = was_playing || self.jobs.catching_up.is_some();
        match msg {
            Msg::Frame(ts) => self.on_frame(ts),
            Msg::Ui(action) => {
                if let Ok(s) = self.session.as_mut() {
                    s.dispatch(action);
                }
            }
            Msg::PointAt(point) => {
                if let Ok(s) = self.session.as_mut() {
                    let positions = crate::layout::circle(s.view.nodes.len());
                    let nearest = frame_loop::message_frame(s, &positions).nearest(point);
                    s.dispatch(match nearest {
                        Some(id) => UiAction::SelectMessage(id),
                        None => UiAction::ClearSelection,
                    });
                }
            }
            Msg::Restart(seed) => {
                if let Some(mut s) = self.base_scenario() {
                    s.seed = seed;
                    self.restart(&s);
                }
            }
            Msg::NewSeed => {
                if let Some(mut s) = self.base_scenario() {
                    s.seed = crate::browser::random_seed();
                    self.restart(&s);
                }
            }
            Msg::RestartWith(scenario) => self.restart(&scenario),
            Msg::ShowBug(bug) => self.show_bug(bug),
            Msg::Visibility => self.frames.visibility_changed(),
            Msg::OnScreen(visible) => self.frames.set_on_screen(visible),
            Msg::Key(e) => match self.key(&e) {
                Some(of_key) => cause = of_key,
                // Not a shortcut: nothing changed, so no re-render under the typist.
                None => return false,
            },
            Msg::Tab(tab) => self.tab = tab,
            Msg::ToggleFilter(cat) => {
                if let Some(i) = self.filters.iter().position(|&c| c == cat) {
                    self.filters.remove(i);
                } else {
                    self.filters.push(cat);
                }
            }
            Msg::Zoom(zoom_in) => self.painter.zoom(zoom_in),
            Msg::ToggleHelp => self.help_open = !self.help_open,
            Msg::ToggleShare => self.share.toggle(),
            Msg::Share(action) => self.share(ctx, action),
            Msg::ShareStatus(status) => self.share.status = Some(status),
            Msg::Imported(text) => self.import(text),
            Msg::Host(command) => self.host(command, &ctx.props().embed_options),
            Msg::CheckHistory => {
                if let Ok(s) = &self.session {
                    self.jobs.check_history(s, ctx.link());
                }
            }
            Msg::Checked(run, result) => {
                if let (Some(text), Ok(s)) = (self.jobs.checked(run, result), self.session.as_mut())
                {
                    s.notice = Some(crate::session::Notice { text, error: true });
                }
            }
            Msg::MeasureTradeoffs => {
                if let Ok(s) = &self.session {
                    self.jobs.measure_tradeoffs(s, ctx.link());
                }
            }
            Msg::Measured(results) => self.jobs.measured(results),
        }
        if ctx.props().embed {
            self.keep_in_window(&ctx.props().embed_options, was_playing);
        }
        if let Ok(s) = &self.session {
            if s.markers().len() != self.markers.len() || s.markers().last() != self.markers.last()
            {
                self.markers = Shared::new(s.markers().to_vec());
            }
        }
        let moving = matches!(&self.session, Ok(s) if s.playing) || self.jobs.catching_up.is_some();
        self.refresh.plan(cause, was_moving, moving);
        self.draw_messages();
        self.refresh_diagram();
        self.schedule_frame(ctx);
        self.sync_url(ctx.props());
        if let Ok(s) = &self.session {
            self.embed.post_state(s, &ctx.props().embed_options);
        }
        self.frames.finish();
        true
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        let stage = self.stage_ref.cast::<web_sys::Element>();
        if self.frames.watch(stage, ctx.link()) {
            self.schedule_frame(ctx);
            self.draw_messages();
        }
        if first_render {
            self.schedule_frame(ctx);
            self.draw_messages();
            if let Ok(s) = &self.session {
                self.embed.post_ready(s, &ctx.props().embed_options);
            }
        } else if let (true, Ok(s)) = (ctx.props().embed, &self.session) {
            self.embed.post_height(s, &ctx.props().embed_options);
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        self.layout(ctx)
    }
}
