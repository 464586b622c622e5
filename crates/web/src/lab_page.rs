//! A lab page: owns the [`Session`], the animation-frame loop (which stops when paused,
//! when the tab is hidden and when the canvas is off-screen), the keyboard shortcuts, and
//! lays out the shared views around the canvas.

use crate::browser;
use crate::components::challenges::{ChallengeAnnouncer, Challenges};
use crate::components::consistency::{self, Checked, ConsistencyPanel};
use crate::components::controls::Controls;
use crate::components::event_log::{self, Category, EventLog, LogLine};
use crate::components::fault_toolbar::{FaultToolbar, FaultToolbarProps};
use crate::components::help::Help;
use crate::components::inspector::Inspector;
use crate::components::invariants::Invariants;
use crate::components::lab_verbs::LabVerbs;
use crate::components::message_layer::{Frame, MessageLayer};
use crate::components::narration::Narration;
use crate::components::params::ParamsPanel;
use crate::components::pictures::PictureFrame;
use crate::components::share::{self, ShareAction, ShareMenu};
use crate::components::spacetime::{Diagram, SpaceTime};
use crate::components::topology::{Fallen, Topology};
use crate::components::tradeoffs::{self, Measured, TradeoffChart};
use crate::embed_api::{self, HostCommand};
use crate::session::{format_time, Marker, Session, UiAction};
use crate::shared::Shared;
use failscope_sim::link::{self, SharedRun};
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::TraceKind;
use failscope_sim::Scenario;
use gloo::events::EventListener;
use gloo::render::AnimationFrame;
use std::rc::Rc;
use wasm_bindgen::JsCast;
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
    /// Only the canvas and compact controls, for an iframe.
    #[prop_or(false)]
    pub embed: bool,
    /// Start playing at once (embeds wait to be asked).
    #[prop_or(false)]
    pub autoplay: bool,
    /// Go back to the lab picker.
    pub on_home: Callback<()>,
    /// Open a lab's preset (or its free play).
    pub on_preset: Callback<(String, Option<String>)>,
}

/// Most events replayed per frame when opening a shared run (keeps the page responsive).
const CATCH_UP_EVENTS_PER_FRAME: u64 = 300_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Inspector,
    Invariants,
    Challenges,
    Parameters,
    Events,
    History,
}

const TABS: &[(Tab, &str)] = &[
    (Tab::Inspector, "Inspector"),
    (Tab::Invariants, "Invariants"),
    (Tab::Challenges, "Challenges"),
    (Tab::History, "History"),
    (Tab::Parameters, "Parameters"),
    (Tab::Events, "Event log"),
];

pub enum Msg {
    Frame(f64),
    Ui(UiAction),
    /// A click on the canvas at this point, among aggregated messages.
    PointAt(crate::layout::Point),
    Restart(u64),
    NewSeed,
    RestartWith(Box<Scenario>),
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
    Checked(u64, Rc<Checked>),
    MeasureTradeoffs,
    Measured(Rc<Result<Vec<Measured>, String>>),
}

pub struct LabPage {
    session: Result<Session, String>,
    frame: Option<AnimationFrame>,
    last_frame_ms: Option<f64>,
    hidden: bool,
    on_screen: bool,
    reduced_motion: bool,
    tab: Tab,
    filters: Vec<Category>,
    spacetime_window: Time,
    help_open: bool,
    markers: Shared<Vec<Marker>>,
    _listeners: Vec<EventListener>,
    visibility: Option<browser::OnScreen>,
    /// The stage element `visibility` watches, and the message group `message_layer`
    /// draws into: an error panel replaces both, and a later source gets new ones.
    observed_stage: Option<web_sys::Element>,
    message_group: Option<web_sys::Element>,
    stage_ref: NodeRef,
    messages_ref: NodeRef,
    canvas_ref: NodeRef,
    message_layer: MessageLayer,
    /// The space-time diagram, rebuilt about ten times a second while playing (it is a
    /// history view; redrawing it every frame costs more than it shows).
    diagram: Shared<Diagram>,
    frames_since_diagram: u32,
    frame_meter: browser::FrameMeter,
    /// Replaying a shared run up to its moment.
    catching_up: Option<Time>,
    share_open: bool,
    share_link: Option<String>,
    share_embed: Option<String>,
    share_status: Option<String>,
    /// Wall time (ms) the URL or the host was last told about the session.
    url_written_ms: f64,
    /// The fragment this page last wrote. If the address no longer shows it, someone else
    /// navigated (an import, a typed URL) and the page must not write over that before
    /// the `hashchange` arrives with the new source.
    url_written: Option<String>,
    /// When the page first saw someone else's fragment (it waits at most a second for the
    /// `hashchange`, so a navigation that changes nothing cannot freeze the URL for good).
    foreign_url_since: Option<f64>,
    posted_ms: f64,
    posted_playing: Option<bool>,
    posted_time: Option<Time>,
    /// The last consistency check of the client history, and whether one is running.
    checked: Option<Rc<Checked>>,
    checking: bool,
    /// Counts session replacements, so results of work started on an earlier run are
    /// recognised and dropped.
    run_id: u64,
    /// The PACELC measurements of the lab's configurations.
    tradeoffs: Option<Rc<Result<Vec<Measured>, String>>>,
    measuring: bool,
}

impl LabPage {
    fn open(props: &LabPageProps) -> Result<Session, String> {
        match &props.source {
            Source::Lab { lab, preset, seed } => Session::open(lab, preset.as_deref(), *seed),
            Source::Shared(run) => Session::from_shared(run),
        }
        .map_err(|e| e.to_string())
    }

    /// Open the page's source and decide how it starts: a preset plays (unless the person
    /// prefers reduced motion, or it is an embed not asked to autoplay); a shared run
    /// replays to its moment and waits there.
    /// Forget everything that belonged to the run being replaced.
    fn forget_run(&mut self) {
        self.run_id += 1;
        self.markers = Shared::new(Vec::new());
        self.catching_up = None;
        self.checked = None;
        self.checking = false;
    }

    fn start(&mut self, props: &LabPageProps) {
        self.session = Self::open(props);
        self.url_written = None;
        self.foreign_url_since = None;
        self.forget_run();
        if let Ok(s) = self.session.as_mut() {
            match &props.source {
                Source::Shared(run) => {
                    s.playing = false;
                    self.catching_up = (run.cursor_us > 0).then_some(run.cursor_us);
                    if let Some(tab) = run.view.tab.as_deref().and_then(tab_named) {
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
                }
            }
        }
    }

    fn refresh_diagram(&mut self, is_frame: bool) {
        self.frames_since_diagram += 1;
        if is_frame && self.frames_since_diagram < 6 {
            return;
        }
        self.frames_since_diagram = 0;
        if let Ok(s) = &self.session {
            self.diagram = Shared::new(Diagram::build(s.sim(), &s.view, self.spacetime_window));
        }
    }

    fn tab_label(&self) -> &'static str {
        TABS.iter()
            .find(|(t, _)| *t == self.tab)
            .map_or("Inspector", |(_, l)| l)
    }

    /// Keep the URL a share link of the session, replacing (not adding) history entries;
    /// while playing, at most every two seconds.
    fn sync_url(&mut self, props: &LabPageProps) {
        if props.embed || self.catching_up.is_some() {
            return;
        }
        let Ok(session) = &self.session else { return };
        let now_ms = js_sys::Date::now();
        let foreign = self
            .url_written
            .as_ref()
            .is_some_and(|written| *written != browser::current_fragment());
        if foreign {
            let since = *self.foreign_url_since.get_or_insert(now_ms);
            if now_ms - since < 1_000.0 {
                return;
            }
        }
        self.foreign_url_since = None;
        if session.playing && now_ms - self.url_written_ms < 2_000.0 {
            return;
        }
        self.url_written_ms = now_ms;
        let run = session.shared_run(Some(self.tab_label()));
        let fragment = format!("#s={}", link::encode(&run));
        browser::replace_fragment(&fragment);
        self.url_written = Some(fragment);
    }

    /// Tell an embedding page about playback (on changes, and every second while playing).
    fn post_state(&mut self) {
        let Ok(session) = &self.session else { return };
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

    fn share(&mut self, ctx: &Context<Self>, action: ShareAction) {
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
                self.share_status = Some(format!("{} characters", url.len()));
                self.share_link = Some(url.clone());
                copy(
                    url,
                    "Link copied: it opens this run, paused at this moment.",
                );
            }
            ShareAction::CopyEmbed => {
                let snippet = share::embed_snippet(session);
                self.share_embed = Some(snippet.clone());
                copy(snippet, "Embed code copied.");
            }
            ShareAction::Import(file) => {
                if file.size() > share::MAX_IMPORT_BYTES {
                    self.share_status = Some(format!(
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
                let status = match self.messages_ref.cast::<web_sys::Element>() {
                    Some(group)
                        if matches!(other, ShareAction::PictureSvg | ShareAction::PicturePng) =>
                    {
                        self.message_layer
                            .with_painted_in_svg(&group, || share::download(session, &other))
                    }
                    _ => share::download(session, &other),
                };
                self.share_status = Some(status);
            }
        }
    }

    fn import(&mut self, text: Result<String, String>) {
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
                self.share_open = false;
            }
            Err(message) => self.share_status = Some(message),
        }
    }

    fn host(&mut self, command: HostCommand) {
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
                        self.catching_up = (run.cursor_us > 0).then_some(run.cursor_us);
                    }
                    Err(e) => {
                        s.notice = Some(crate::session::Notice {
                            text: e.to_string(),
                            error: true,
                        })
                    }
                },
                Err(e) => {
                    s.notice = Some(crate::session::Notice {
                        text: format!("The host page sent a link that cannot be opened: {e}"),
                        error: true,
                    })
                }
            },
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

    /// The scenario a restart starts from: the run's scenario without the user's actions.
    fn base_scenario(&self) -> Option<Scenario> {
        let session = self.session.as_ref().ok()?;
        let mut s = session.sim().scenario().clone();
        s.actions.clear();
        Some(s)
    }

    fn schedule_frame(&mut self, ctx: &Context<Self>) {
        let busy = matches!(&self.session, Ok(s) if s.playing) || self.catching_up.is_some();
        let wanted = busy && !self.hidden && self.on_screen;
        if !wanted {
            self.frame = None;
            self.last_frame_ms = None;
            return;
        }
        if self.frame.is_none() {
            let link = ctx.link().clone();
            self.frame = Some(gloo::render::request_animation_frame(move |ts| {
                link.send_message(Msg::Frame(ts))
            }));
        }
    }

    /// Move the message dots now, outside Yew's render cycle: they change every frame and
    /// there can be thousands (see `MessageLayer`).
    fn draw_messages(&mut self) {
        let (Ok(session), Some(group)) =
            (&self.session, self.messages_ref.cast::<web_sys::Element>())
        else {
            return;
        };
        if self.message_group.as_ref() != Some(&group) {
            // Dots drawn into a group that is gone cannot be reused.
            self.message_layer = MessageLayer::default();
            self.message_group = Some(group.clone());
        }
        let positions = crate::layout::circle(session.view.nodes.len());
        let canvas = self.canvas_ref.cast::<web_sys::HtmlCanvasElement>();
        self.message_layer
            .update(&group, canvas.as_ref(), &message_frame(session, &positions));
    }

    fn on_key(&mut self, e: &KeyboardEvent) -> Option<UiAction> {
        if let Some(action) = crate::session::playback_key(e) {
            e.prevent_default();
            return Some(action);
        }
        if browser::typing_in_a_field(e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return None;
        }
        match e.key().as_str() {
            "Escape" => {
                self.help_open = false;
                e.prevent_default();
                Some(UiAction::ClearSelection)
            }
            "?" => {
                self.help_open = !self.help_open;
                e.prevent_default();
                None
            }
            _ => None,
        }
    }
}

impl Component for LabPage {
    type Message = Msg;
    type Properties = LabPageProps;

    fn create(ctx: &Context<Self>) -> Self {
        let link = ctx.link().clone();
        let options = gloo::events::EventListenerOptions::enable_prevent_default();
        let keys = EventListener::new_with_options(
            &gloo::utils::document(),
            "keydown",
            options,
            move |e| {
                if let Some(e) = wasm_bindgen::JsCast::dyn_ref::<KeyboardEvent>(e) {
                    link.send_message(Msg::Key(e.clone()));
                }
            },
        );
        let link = ctx.link().clone();
        let visibility =
            EventListener::new(&gloo::utils::document(), "visibilitychange", move |_| {
                link.send_message(Msg::Visibility)
            });
        let link = ctx.link().clone();
        let messages = EventListener::new(&gloo::utils::window(), "message", move |e| {
            let Some(event) = e.dyn_ref::<web_sys::MessageEvent>() else {
                return;
            };
            if embed_api::from_parent(event) {
                if let Some(command) = embed_api::parse(&event.data()) {
                    link.send_message(Msg::Host(command));
                }
            }
        });
        let mut page = LabPage {
            session: Err(String::new()),
            frame: None,
            last_frame_ms: None,
            hidden: browser::document_hidden(),
            on_screen: true,
            reduced_motion: browser::prefers_reduced_motion(),
            tab: Tab::Inspector,
            filters: vec![Category::Protocol, Category::Faults, Category::Clients],
            spacetime_window: SECOND,
            help_open: false,
            markers: Shared::new(Vec::new()),
            _listeners: vec![keys, visibility, messages],
            visibility: None,
            observed_stage: None,
            message_group: None,
            stage_ref: NodeRef::default(),
            messages_ref: NodeRef::default(),
            canvas_ref: NodeRef::default(),
            message_layer: MessageLayer::default(),
            diagram: Shared::new(Diagram::default()),
            frames_since_diagram: 0,
            frame_meter: browser::FrameMeter::from_location(),
            catching_up: None,
            share_open: false,
            share_link: None,
            share_embed: None,
            share_status: None,
            url_written_ms: 0.0,
            url_written: None,
            foreign_url_since: None,
            posted_ms: 0.0,
            posted_playing: None,
            posted_time: None,
            checked: None,
            checking: false,
            run_id: 0,
            tradeoffs: None,
            measuring: false,
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
            self.refresh_diagram(false);
        }
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        let is_frame = matches!(msg, Msg::Frame(_));
        match msg {
            Msg::Frame(ts) => {
                self.frame = None;
                self.frame_meter.start(ts);
                let dt = self.last_frame_ms.map_or(0.0, |last| ts - last);
                self.last_frame_ms = Some(ts);
                if let Ok(s) = self.session.as_mut() {
                    match self.catching_up {
                        Some(target) => {
                            if s.catch_up(target, CATCH_UP_EVENTS_PER_FRAME) {
                                self.catching_up = None;
                            }
                        }
                        None => s.tick(dt),
                    }
                }
            }
            Msg::Ui(action) => {
                if let Ok(s) = self.session.as_mut() {
                    s.dispatch(action);
                }
            }
            Msg::PointAt(point) => {
                if let Ok(s) = self.session.as_mut() {
                    let positions = crate::layout::circle(s.view.nodes.len());
                    let nearest = message_frame(s, &positions).nearest(point);
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
                    s.seed = browser::random_seed();
                    self.restart(&s);
                }
            }
            Msg::RestartWith(scenario) => self.restart(&scenario),
            Msg::Visibility => self.hidden = browser::document_hidden(),
            Msg::OnScreen(visible) => self.on_screen = visible,
            Msg::Key(e) => {
                let help_was_open = self.help_open;
                match self.on_key(&e) {
                    Some(action) => {
                        if let Ok(s) = self.session.as_mut() {
                            s.dispatch(action);
                        }
                    }
                    // Not a shortcut: nothing changed, so no re-render under the typist.
                    None if self.help_open == help_was_open => return false,
                    None => {}
                }
            }
            Msg::Tab(tab) => self.tab = tab,
            Msg::ToggleFilter(cat) => {
                if let Some(i) = self.filters.iter().position(|&c| c == cat) {
                    self.filters.remove(i);
                } else {
                    self.filters.push(cat);
                }
            }
            Msg::Zoom(zoom_in) => {
                self.spacetime_window = if zoom_in {
                    (self.spacetime_window / 2).max(20 * MS)
                } else {
                    (self.spacetime_window * 2).min(60 * SECOND)
                };
            }
            Msg::ToggleHelp => self.help_open = !self.help_open,
            Msg::ToggleShare => {
                self.share_open = !self.share_open;
                self.share_status = None;
            }
            Msg::Share(action) => self.share(ctx, action),
            Msg::ShareStatus(status) => self.share_status = Some(status),
            Msg::Imported(text) => self.import(text),
            Msg::Host(command) => self.host(command),
            Msg::CheckHistory => {
                if let (Ok(s), false) = (&self.session, self.checking) {
                    self.checking = true;
                    let history = s.sim().history();
                    let link = ctx.link().clone();
                    let run = self.run_id;
                    wasm_bindgen_futures::spawn_local(async move {
                        let checked = consistency::check(history).await;
                        link.send_message(Msg::Checked(run, Rc::new(checked)));
                    });
                }
            }
            Msg::Checked(run, result) => {
                if run == self.run_id {
                    self.checking = false;
                    self.checked = Some(result);
                }
            }
            Msg::MeasureTradeoffs => {
                if let (Ok(s), false) = (&self.session, self.measuring) {
                    self.measuring = true;
                    let configurations = s.lab.tradeoffs();
                    let link = ctx.link().clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let results = tradeoffs::measure(configurations).await;
                        link.send_message(Msg::Measured(Rc::new(results)));
                    });
                }
            }
            Msg::Measured(results) => {
                self.measuring = false;
                self.tradeoffs = Some(results);
            }
        }
        if let Ok(s) = &self.session {
            if s.markers().len() != self.markers.len() || s.markers().last() != self.markers.last()
            {
                self.markers = Shared::new(s.markers().to_vec());
            }
        }
        self.draw_messages();
        self.refresh_diagram(is_frame);
        self.schedule_frame(ctx);
        self.sync_url(ctx.props());
        self.post_state();
        self.frame_meter.finish();
        true
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        let stage = self.stage_ref.cast::<web_sys::Element>();
        if stage != self.observed_stage {
            let link = ctx.link().clone();
            self.visibility = stage.as_ref().and_then(|el| {
                browser::OnScreen::observe(el, move |v| link.send_message(Msg::OnScreen(v)))
            });
            self.observed_stage = stage;
            // The new stage reports itself; until then assume it can be seen.
            self.on_screen = true;
            self.schedule_frame(ctx);
            self.draw_messages();
        }
        if first_render {
            self.schedule_frame(ctx);
            self.draw_messages();
            if let Ok(s) = &self.session {
                embed_api::post("ready", s.lab.id(), s.now(), s.playing, 0);
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let session = match &self.session {
            Ok(s) => s,
            Err(message) => return error_panel(message, ctx.props()),
        };
        let link = ctx.link();
        let view = Shared::new(session.view.clone());
        let stage = self.stage(ctx, session, &view);
        let catching_up = self.catching_up.map(|target| {
            let percent = (session.now() as f64 / target.max(1) as f64 * 100.0).min(100.0);
            html! {
                <div class="catch-up" role="status" data-testid="catching-up">
                    { format!("Replaying the shared run to {}: {percent:.0}%", format_time(target)) }
                </div>
            }
        });
        let controls = html! {
            <Controls playing={session.playing} speed={session.speed} now={view.time} end={session.timeline_end()}
                      seed={session.sim().scenario().seed} on_action={link.callback(Msg::Ui)} compact={ctx.props().embed}
                      on_restart={link.callback(Msg::Restart)} on_new_seed={link.callback(|()| Msg::NewSeed)} />
        };
        if ctx.props().embed {
            return html! {
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
            };
        }
        self.full_page(ctx, session, &view, stage, controls, catching_up)
    }
}

/// Look up a panel by its label (as stored in share links).
fn tab_named(label: &str) -> Option<Tab> {
    TABS.iter().find(|(_, l)| *l == label).map(|(t, _)| *t)
}

/// The "Open in Failscope" link of an embed: the full app on this very moment.
fn open_full(session: &Session) -> Callback<MouseEvent> {
    let run = session.shared_run(None);
    Callback::from(move |e: MouseEvent| {
        if let Some(anchor) = e
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            anchor.set_href(&format!("{}#s={}", browser::base_url(), link::encode(&run)));
        }
    })
}

impl LabPage {
    /// The canvas with what is drawn over it: narration, the highlighted violation, legend.
    fn stage(
        &self,
        ctx: &Context<Self>,
        session: &Session,
        view: &Shared<failscope_sim::view::View>,
    ) -> Html {
        let link = ctx.link();
        let on_action = link.callback(Msg::Ui);
        let now = view.time;
        let kinds = session.sim().message_kinds();
        let narration = session.preset.as_ref().filter(|_| session.narration_open && !ctx.props().embed).and_then(|p| {
            let (index, chapter) = session.chapter()?;
            Some(html! {
                <Narration title={p.title.to_string()} text={chapter.text.clone()} chapter={index}
                           chapters={p.chapters.len()} has_next={p.chapters.iter().any(|c| c.at_us > now)}
                           on_action={on_action.clone()} />
            })
        });
        let legend = session.kinds_sent().map(|(i, k)| {
            html! { <span class="legend-item"><svg width="14" height="14" aria-hidden="true"><circle class={format!("msg kind-{i}")} cx="7" cy="7" r="5" /></svg>{ k }</span> }
        });
        let highlight = session.highlight.as_ref().map(
            |h| html! { <div class="highlight-label" data-testid="highlight">{ &h.label }</div> },
        );
        html! {
            <div class="stage" ref={self.stage_ref.clone()}>
                <Topology view={view.clone()} fallen={Shared::new(fallen_messages(session))} selection={session.selection.clone()}
                          highlight={session.highlight.clone()} message_kinds={kinds} reduced_motion={self.reduced_motion}
                          messages_ref={self.messages_ref.clone()} canvas_ref={self.canvas_ref.clone()} on_point={link.callback(Msg::PointAt)}
                          on_node={link.callback(|(node, extend)| Msg::Ui(UiAction::SelectNode { node, extend }))}
                          on_message={link.callback(|id| Msg::Ui(UiAction::SelectMessage(id)))}
                          />
                { for narration }
                { for highlight }
                <div class="legend">{ for legend }</div>
            </div>
        }
    }

    fn full_page(
        &self,
        ctx: &Context<Self>,
        session: &Session,
        view: &Shared<failscope_sim::view::View>,
        stage: Html,
        controls: Html,
        catching_up: Option<Html>,
    ) -> Html {
        let link = ctx.link();
        let on_action = link.callback(Msg::Ui);
        let sim = session.sim();
        let lab = session.lab;
        let kinds = sim.message_kinds();
        let presets = lab.presets();
        let on_preset = {
            let cb = ctx.props().on_preset.clone();
            let lab_id = lab.id().to_string();
            Callback::from(move |e: Event| {
                let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
                let value = select.value();
                cb.emit((lab_id.clone(), (!value.is_empty()).then_some(value)));
            })
        };
        let current_preset = session.preset.as_ref().map(|p| p.id);
        let selected_kind = session
            .selection
            .message
            .and_then(|id| view.messages.iter().find(|m| m.id == id))
            .and_then(|m| kinds.get(usize::from(m.kind)).map(|k| k.to_string()));
        let reports = sim.invariants();
        let violations = reports
            .iter()
            .filter(|r| r.status.first_violation.is_some())
            .count();
        let challenges = failscope_sim::challenge::reports(lab.challenges(), &reports);
        let panel = match self.tab {
            Tab::Inspector => html! {
                <Inspector view={view.clone()} node={session.selection.node} message={session.selection.message}
                           message_text={session.selection.message.and_then(|id| sim.describe_message(id))}
                           message_kinds={kinds} />
            },
            Tab::Invariants => {
                html! { <Invariants reports={reports} on_action={on_action.clone()} /> }
            }
            Tab::Challenges => html! {
                <Challenges reports={challenges.clone()} bug={failscope_sim::challenge::bug_in_force(lab, sim.params())}
                            on_action={on_action.clone()} />
            },
            Tab::Parameters => html! {
                <ParamsPanel specs={lab.params()} values={sim.params().clone()} scenario={self.base_scenario().unwrap_or_else(|| sim.scenario().clone())}
                             nodes={lab.nodes()} on_action={on_action.clone()} on_restart={link.callback(|s| Msg::RestartWith(Box::new(s)))} />
            },
            Tab::Events => html! {
                <EventLog lines={log_lines(session, &self.filters)} enabled={self.filters.clone()}
                          on_toggle={link.callback(Msg::ToggleFilter)} on_action={on_action.clone()} />
            },
            Tab::History => {
                let grown = self
                    .checked
                    .as_ref()
                    .is_some_and(|c| c.history.operations.len() != sim.history().operations.len());
                html! {
                    <ConsistencyPanel checked={self.checked.clone()} checking={self.checking} stale_result={grown}
                                      on_check={link.callback(|()| Msg::CheckHistory)} on_action={on_action.clone()} />
                }
            }
        };
        let tabs = TABS.iter().map(|&(tab, label)| {
            let badge = (tab == Tab::Invariants && violations > 0).then(|| html! { <span class="badge">{ violations }</span> });
            html! {
                <button role="tab" class={classes!("tab", (tab == self.tab).then_some("active"))} aria-selected={(tab == self.tab).to_string()}
                        data-testid={format!("tab-{}", label.to_lowercase().replace(' ', "-"))} onclick={link.callback(move |_| Msg::Tab(tab))}>
                    { label }{ for badge }
                </button>
            }
        });
        let notice = session.notice.as_ref().map(|n| {
            html! {
                <div class={classes!("notice", n.error.then_some("error"))} role={if n.error { "alert" } else { "status" }} data-testid="notice">
                    <span>{ &n.text }</span>
                    <button class="btn small" aria-label="Dismiss" onclick={link.callback(|_| Msg::Ui(UiAction::DismissNotice))}>{ "✕" }</button>
                </div>
            }
        });
        let share_menu = self.share_open.then(|| {
            html! {
                <ShareMenu link={self.share_link.clone()} embed={self.share_embed.clone()} status={self.share_status.clone()}
                           on_action={link.callback(Msg::Share)} on_close={link.callback(|()| Msg::ToggleShare)} />
            }
        });
        let diagram = self.diagram.clone();
        let pictures = sim.pictures();
        html! {
            <div class="lab-page" data-testid="lab-page" data-lab={lab.id()}>
                <div class="lab-head">
                    <h2>{ lab.title() }</h2>
                    <label class="preset-pick">
                        <span class="sr-only">{ "Guided scenario" }</span>
                        <select data-testid="preset-select" onchange={on_preset} aria-label="Guided scenario">
                            <option value="" selected={current_preset.is_none()}>{ "Free play" }</option>
                            { for presets.iter().map(|p| html! {
                                <option value={p.id} selected={current_preset == Some(p.id)}>{ p.title }</option>
                            }) }
                        </select>
                    </label>
                    { for compare_links(lab, current_preset) }
                    <span class="spacer" />
                    <button class="btn btn-primary" data-testid="share-button" aria-expanded={self.share_open.to_string()}
                            onclick={link.callback(|_| Msg::ToggleShare)}>{ "Share" }</button>
                    <button class="btn" data-testid="help-button" aria-label="Keyboard help (?)" onclick={link.callback(|_| Msg::ToggleHelp)}>{ "?" }</button>
                </div>
                { for share_menu }
                { for notice }
                { for catching_up }
                <div class="workspace">
                    { stage }
                    <aside class="sidebar">
                        <div class="tabs" role="tablist">{ for tabs }</div>
                        <div class="tab-panel" role="tabpanel">{ panel }</div>
                        <ChallengeAnnouncer reports={challenges} />
                    </aside>
                </div>
                { controls }
                <crate::components::timeline::Timeline now={view.time} end={session.timeline_end()} markers={self.markers.clone()} on_action={on_action.clone()} />
                <FaultToolbar selection={session.selection.clone()} statuses={FaultToolbarProps::statuses_of(view)}
                              partitioned={view.network.is_partitioned() || !view.network.clogs.is_empty()}
                              n_keys={sim.scenario().clients.n_keys} message_kind={selected_kind} on_action={on_action.clone()} />
                <div class={classes!("lower", (!pictures.is_empty() || !lab.verbs().is_empty()).then_some("with-panel"))}>
                    <SpaceTime diagram={diagram} on_zoom={link.callback(Msg::Zoom)} on_action={on_action.clone()} />
                    { lab_panel(session, lab, pictures, on_action.clone(), view) }
                </div>
                if !lab.tradeoffs().is_empty() {
                    <TradeoffChart results={self.tradeoffs.clone()} measuring={self.measuring} count={lab.tradeoffs().len()}
                                   on_measure={link.callback(|()| Msg::MeasureTradeoffs)} />
                }
                <div class="sr-only" aria-live="polite" data-testid="live-region">{ &session.live_text }</div>
                if self.help_open {
                    <Help on_close={link.callback(|()| Msg::ToggleHelp)} />
                }
            </div>
        }
    }
}

/// Links to watch the current preset side by side with its counterpart.
fn compare_links(lab: &'static dyn failscope_sim::Lab, current: Option<&str>) -> Vec<Html> {
    lab.comparisons()
        .into_iter()
        .filter(|(a, b)| current == Some(*a) || current == Some(*b))
        .map(|(a, b)| {
            let href = format!("#compare={}/{a},{}/{b}", lab.id(), lab.id());
            html! { <a class="btn" data-testid="compare-link" href={href}>{ "Side by side ⇆" }</a> }
        })
        .collect()
}

/// Whether opening a link needs code that is not loaded yet (the link reader, its lab).
fn needs_loading(link: &str) -> bool {
    !failscope_labs::ready(&[], Some(link))
}

/// The lab's own changes (its verbs) and pictures (the hash ring, the servers' logs...), the
/// primary pictures (the point of the lab) first.
fn lab_panel(
    session: &Session,
    lab: &'static dyn failscope_sim::Lab,
    mut pictures: Vec<failscope_sim::picture::Picture>,
    on_action: Callback<UiAction>,
    view: &Shared<failscope_sim::view::View>,
) -> Html {
    let struck: Vec<usize> = view
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.status == failscope_sim::world::NodeStatus::Down)
        .map(|(i, _)| i)
        .collect();
    // Stable: the lab's order within each group.
    pictures.sort_by_key(|p| !p.primary);
    let verbs = (!lab.verbs().is_empty()).then(|| {
        let servers: Vec<(u16, String)> = view
            .nodes
            .iter()
            .map(|n| {
                let role = &n.state.role;
                let name = if role.is_empty() {
                    n.name.clone()
                } else {
                    format!("{} ({role})", n.name)
                };
                (n.id, name)
            })
            .collect();
        html! { <LabVerbs verbs={lab.verbs()} servers={servers} on_action={on_action} /> }
    });
    if pictures.is_empty() && verbs.is_none() {
        return html! {};
    }
    // Several pictures share the full width in a responsive grid of frames.
    let several = (pictures.len() > 1).then_some("several");
    let stem = crate::components::share::file_stem(session);
    html! {
        <div class="lab-pictures">
            { for verbs }
            <div class={classes!("pictures", several)} data-testid="pictures">
                { for pictures.into_iter().map(|p| { let key = p.id; html! {
                    <PictureFrame key={key} picture={p} struck={struck.clone()} now={view.time} file_stem={stem.clone()} />
                }}) }
            </div>
        </div>
    }
}

/// What the message layer needs from the session for one frame.
fn message_frame<'a>(session: &'a Session, positions: &'a [crate::layout::Point]) -> Frame<'a> {
    let view = &session.view;
    Frame {
        messages: &view.messages,
        positions,
        node_radius: crate::layout::node_radius(view.nodes.len()),
        now: view.time,
        selected: session.selection.message,
        highlighted: session
            .highlight
            .as_ref()
            .map(|h| h.messages.as_slice())
            .unwrap_or(&[]),
        kinds: session.sim().message_kinds(),
    }
}

/// Messages dropped in the last half second of wall time (at the current speed), falling.
fn fallen_messages(session: &Session) -> Vec<Fallen> {
    let window = (500 * session.speed_us_per_ms()).max(1);
    let now = session.now();
    let sim = session.sim();
    let events = &sim.trace().events()[..sim.trace_position()];
    let start = events.partition_point(|e| e.time < now.saturating_sub(window));
    let recent = &events[start.max(events.len().saturating_sub(20_000))..];
    recent
        .iter()
        .rev()
        .filter_map(|e| match e.kind {
            TraceKind::Drop {
                msg,
                from,
                to,
                kind,
                ..
            } => Some(Fallen {
                id: msg,
                from,
                to,
                kind: Some(kind),
                age: (now - e.time) as f64 / window as f64,
            }),
            _ => None,
        })
        .take(200)
        .collect()
}

/// The newest events up to the cursor in the enabled categories.
fn log_lines(session: &Session, enabled: &[Category]) -> Vec<LogLine> {
    const SHOWN: usize = 200;
    const SCANNED: usize = 50_000;
    let sim = session.sim();
    let events = &sim.trace().events()[..sim.trace_position()];
    let names: Vec<&str> = sim.invariants().iter().map(|r| r.spec.name).collect();
    events
        .iter()
        .enumerate()
        .rev()
        .take(SCANNED)
        .filter(|(_, e)| enabled.contains(&event_log::category(e)))
        .take(SHOWN)
        .map(|(index, e)| LogLine {
            index,
            time: e.time,
            category: event_log::category(e),
            text: e.describe(sim.message_kinds(), sim.timer_names(), &names),
        })
        .collect()
}

fn error_panel(message: &str, props: &LabPageProps) -> Html {
    let home = {
        let cb = props.on_home.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <section class="error-panel" role="alert" data-testid="error-panel">
            <h2>{ "This scenario cannot run" }</h2>
            <p data-testid="error-message">{ message }</p>
            <p class="muted">{ "Nothing was lost: your other labs and links still work." }</p>
            <button class="btn btn-primary" data-testid="error-home" onclick={home}>{ "Choose a lab" }</button>
        </section>
    }
}
