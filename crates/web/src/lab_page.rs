//! A lab page: owns the [`Session`], the animation-frame loop (which stops when paused,
//! when the tab is hidden and when the canvas is off-screen), the keyboard shortcuts, and
//! lays out the shared views around the canvas.

use crate::browser;
use crate::components::controls::Controls;
use crate::components::event_log::{self, Category, EventLog, LogLine};
use crate::components::fault_toolbar::{FaultToolbar, FaultToolbarProps};
use crate::components::help::Help;
use crate::components::inspector::Inspector;
use crate::components::invariants::Invariants;
use crate::components::log_matrix::LogMatrix;
use crate::components::message_layer::{Frame, MessageLayer};
use crate::components::narration::Narration;
use crate::components::params::ParamsPanel;
use crate::components::spacetime::{Diagram, SpaceTime};
use crate::components::topology::{Fallen, Topology};
use crate::session::{Marker, Session, UiAction};
use crate::shared::Shared;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::trace::TraceKind;
use failscope_sim::Scenario;
use gloo::events::EventListener;
use gloo::render::AnimationFrame;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct LabPageProps {
    pub lab: String,
    #[prop_or_default]
    pub preset: Option<String>,
    #[prop_or_default]
    pub seed: Option<u64>,
    /// Go back to the lab picker.
    pub on_home: Callback<()>,
    /// Open another preset of this lab.
    pub on_preset: Callback<Option<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Inspector,
    Invariants,
    Parameters,
    Events,
}

const TABS: &[(Tab, &str)] = &[
    (Tab::Inspector, "Inspector"),
    (Tab::Invariants, "Invariants"),
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
    stage_ref: NodeRef,
    messages_ref: NodeRef,
    message_layer: MessageLayer,
    frame_meter: browser::FrameMeter,
}

impl LabPage {
    fn open(props: &LabPageProps) -> Result<Session, String> {
        Session::open(&props.lab, props.preset.as_deref(), props.seed).map_err(|e| e.to_string())
    }

    fn restart(&mut self, scenario: &Scenario) {
        let preset = self.session.as_ref().ok().and_then(|s| s.preset.clone());
        let speed = self
            .session
            .as_ref()
            .map_or(crate::session::DEFAULT_SPEED, |s| s.speed);
        self.session = Session::new(scenario, preset)
            .map(|mut s| {
                s.speed = speed;
                s
            })
            .map_err(|e| e.to_string());
        self.markers = Shared::new(Vec::new());
    }

    /// The scenario a restart starts from: the run's scenario without the user's actions.
    fn base_scenario(&self) -> Option<Scenario> {
        let session = self.session.as_ref().ok()?;
        let mut s = session.sim().scenario().clone();
        s.actions.clear();
        Some(s)
    }

    fn schedule_frame(&mut self, ctx: &Context<Self>) {
        let wanted = matches!(&self.session, Ok(s) if s.playing) && !self.hidden && self.on_screen;
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
        let positions = crate::layout::circle(session.view.nodes.len());
        self.message_layer
            .update(&group, &message_frame(session, &positions));
    }

    fn on_key(&mut self, e: &KeyboardEvent) -> Option<UiAction> {
        if browser::typing_in_a_field(e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return None;
        }
        let action = match e.key().as_str() {
            " " => UiAction::TogglePlay,
            "ArrowRight" => UiAction::Step,
            "ArrowLeft" => UiAction::StepBack,
            "]" => UiAction::Faster,
            "[" => UiAction::Slower,
            "Escape" => {
                self.help_open = false;
                UiAction::ClearSelection
            }
            "?" => {
                self.help_open = !self.help_open;
                e.prevent_default();
                return None;
            }
            _ => return None,
        };
        e.prevent_default();
        Some(action)
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
        let reduced_motion = browser::prefers_reduced_motion();
        let mut session = Self::open(ctx.props());
        if let Ok(s) = session.as_mut() {
            s.playing = !reduced_motion && s.preset.is_some();
        }
        LabPage {
            session,
            frame: None,
            last_frame_ms: None,
            hidden: browser::document_hidden(),
            on_screen: true,
            reduced_motion,
            tab: Tab::Inspector,
            filters: vec![Category::Protocol, Category::Faults, Category::Clients],
            spacetime_window: SECOND,
            help_open: false,
            markers: Shared::new(Vec::new()),
            _listeners: vec![keys, visibility],
            visibility: None,
            stage_ref: NodeRef::default(),
            messages_ref: NodeRef::default(),
            message_layer: MessageLayer::default(),
            frame_meter: browser::FrameMeter::from_location(),
        }
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        if ctx.props() != old {
            self.session = Self::open(ctx.props());
            self.markers = Shared::new(Vec::new());
        }
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(ts) => {
                self.frame = None;
                self.frame_meter.start(ts);
                let dt = self.last_frame_ms.map_or(0.0, |last| ts - last);
                self.last_frame_ms = Some(ts);
                if let Ok(s) = self.session.as_mut() {
                    s.tick(dt);
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
                if let Some(action) = self.on_key(&e) {
                    if let Ok(s) = self.session.as_mut() {
                        s.dispatch(action);
                    }
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
        }
        if let Ok(s) = &self.session {
            if s.markers().len() != self.markers.len() || s.markers().last() != self.markers.last()
            {
                self.markers = Shared::new(s.markers().to_vec());
            }
        }
        self.draw_messages();
        self.schedule_frame(ctx);
        self.frame_meter.finish();
        true
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if first_render {
            let link = ctx.link().clone();
            self.visibility = self.stage_ref.cast::<web_sys::Element>().and_then(|el| {
                browser::OnScreen::observe(&el, move |v| link.send_message(Msg::OnScreen(v)))
            });
            self.schedule_frame(ctx);
            self.draw_messages();
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let session = match &self.session {
            Ok(s) => s,
            Err(message) => return error_panel(message, ctx.props()),
        };
        let link = ctx.link();
        let on_action = link.callback(Msg::Ui);
        let sim = session.sim();
        let lab = session.lab;
        let view = Shared::new(session.view.clone());
        let now = view.time;

        let on_node =
            link.callback(|(node, extend)| Msg::Ui(UiAction::SelectNode { node, extend }));
        let on_message = link.callback(|id| Msg::Ui(UiAction::SelectMessage(id)));
        let on_background = link.callback(|()| Msg::Ui(UiAction::ClearSelection));
        let fallen = Shared::new(fallen_messages(session));

        let presets = lab.presets();
        let on_preset = {
            let cb = ctx.props().on_preset.clone();
            Callback::from(move |e: Event| {
                let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
                let value = select.value();
                cb.emit((!value.is_empty()).then_some(value));
            })
        };
        let current_preset = session.preset.as_ref().map(|p| p.id);
        let narration = session.preset.as_ref().filter(|_| session.narration_open).and_then(|p| {
            let (index, chapter) = session.chapter()?;
            Some(html! {
                <Narration title={p.title.to_string()} text={chapter.text.clone()} chapter={index}
                           chapters={p.chapters.len()} has_next={p.chapters.iter().any(|c| c.at_us > now)}
                           on_action={on_action.clone()} />
            })
        });
        let kinds = sim.message_kinds();
        let legend = kinds.iter().enumerate().map(|(i, k)| {
            html! { <span class="legend-item"><svg width="14" height="14" aria-hidden="true"><circle class={format!("msg kind-{i}")} cx="7" cy="7" r="5" /></svg>{ *k }</span> }
        });
        let selected_kind = session
            .selection
            .message
            .and_then(|id| view.messages.iter().find(|m| m.id == id))
            .and_then(|m| kinds.get(usize::from(m.kind)).map(|k| k.to_string()));
        let panel = match self.tab {
            Tab::Inspector => html! {
                <Inspector view={view.clone()} node={session.selection.node} message={session.selection.message}
                           message_text={session.selection.message.and_then(|id| sim.describe_message(id))}
                           message_kinds={kinds} />
            },
            Tab::Invariants => {
                html! { <Invariants reports={sim.invariants()} on_action={on_action.clone()} /> }
            }
            Tab::Parameters => html! {
                <ParamsPanel specs={lab.params()} values={sim.params().clone()} scenario={self.base_scenario().unwrap_or_else(|| sim.scenario().clone())}
                             nodes={lab.nodes()} on_action={on_action.clone()} on_restart={link.callback(|s| Msg::RestartWith(Box::new(s)))} />
            },
            Tab::Events => html! {
                <EventLog lines={log_lines(session, &self.filters)} enabled={self.filters.clone()}
                          on_toggle={link.callback(Msg::ToggleFilter)} on_action={on_action.clone()} />
            },
        };
        let violations = sim
            .invariants()
            .iter()
            .filter(|r| r.status.first_violation.is_some())
            .count();
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
        let highlight = session.highlight.as_ref().map(
            |h| html! { <div class="highlight-label" data-testid="highlight">{ &h.label }</div> },
        );
        let diagram = Shared::new(Diagram::build(sim, &view, self.spacetime_window));
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
                    <span class="spacer" />
                    <button class="btn" data-testid="help-button" aria-label="Keyboard help (?)" onclick={link.callback(|_| Msg::ToggleHelp)}>{ "?" }</button>
                </div>
                { for notice }
                <div class="workspace">
                    <div class="stage" ref={self.stage_ref.clone()}>
                        <Topology view={view.clone()} fallen={fallen} selection={session.selection.clone()}
                                  highlight={session.highlight.clone()} message_kinds={kinds} reduced_motion={self.reduced_motion}
                                  messages_ref={self.messages_ref.clone()} on_point={link.callback(Msg::PointAt)}
                                  on_node={on_node} on_message={on_message} on_background={on_background} />
                        { for narration }
                        { for highlight }
                        <div class="legend">{ for legend }</div>
                    </div>
                    <aside class="sidebar">
                        <div class="tabs" role="tablist">{ for tabs }</div>
                        <div class="tab-panel" role="tabpanel">{ panel }</div>
                    </aside>
                </div>
                <Controls playing={session.playing} speed={session.speed} now={now} end={session.timeline_end()}
                          seed={sim.scenario().seed} on_action={on_action.clone()}
                          on_restart={link.callback(Msg::Restart)} on_new_seed={link.callback(|()| Msg::NewSeed)} />
                <crate::components::timeline::Timeline now={now} end={session.timeline_end()} markers={self.markers.clone()} on_action={on_action.clone()} />
                <FaultToolbar selection={session.selection.clone()} statuses={FaultToolbarProps::statuses_of(&view)}
                              partitioned={view.network.is_partitioned() || !view.network.clogs.is_empty()}
                              n_keys={sim.scenario().clients.n_keys} message_kind={selected_kind} on_action={on_action.clone()} />
                <div class="lower">
                    <SpaceTime diagram={diagram} on_zoom={link.callback(Msg::Zoom)} on_action={on_action.clone()} />
                    <LogMatrix view={view.clone()} />
                </div>
                <div class="sr-only" aria-live="polite" data-testid="live-region">{ &session.live_text }</div>
                if self.help_open {
                    <Help on_close={link.callback(|()| Msg::ToggleHelp)} />
                }
            </div>
        }
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
