//! The frame loop: requestAnimationFrame, advancing the session by wall time × speed, and
//! what is redrawn every frame outside Yew's render cycle (the message dots, the
//! space-time diagram).
//!
//! The loop only asks for a frame while there is work (playing, or replaying a shared
//! run) and the stage can be seen: a hidden tab or an off-screen canvas costs nothing.
//! It lives apart from the view so the rules for when a frame is wanted stay in one place.

use super::{LabPage, Msg};
use crate::browser;
use crate::components::message_layer::{Frame, MessageLayer};
use crate::components::spacetime::Diagram;
use crate::session::Session;
use crate::shared::Shared;
use failscope_sim::time::{Time, MS, SECOND};
use gloo::events::EventListener;
use gloo::render::AnimationFrame;
use yew::html::Scope;
use yew::NodeRef;

/// When to ask for the next animation frame.
pub(super) struct FrameLoop {
    frame: Option<AnimationFrame>,
    last_frame_ms: Option<f64>,
    hidden: bool,
    on_screen: bool,
    meter: browser::FrameMeter,
    /// Watches `observed_stage`: an error panel replaces the stage, and a later source
    /// gets a new one.
    visibility: Option<browser::OnScreen>,
    observed_stage: Option<web_sys::Element>,
}

impl FrameLoop {
    pub(super) fn new() -> Self {
        FrameLoop {
            frame: None,
            last_frame_ms: None,
            hidden: browser::document_hidden(),
            on_screen: true,
            meter: browser::FrameMeter::from_location(),
            visibility: None,
            observed_stage: None,
        }
    }

    /// Tells the page when the tab is hidden or shown again.
    pub(super) fn listener(link: &Scope<LabPage>) -> EventListener {
        let link = link.clone();
        EventListener::new(&gloo::utils::document(), "visibilitychange", move |_| {
            link.send_message(Msg::Visibility)
        })
    }

    pub(super) fn visibility_changed(&mut self) {
        self.hidden = browser::document_hidden();
    }

    pub(super) fn set_on_screen(&mut self, visible: bool) {
        self.on_screen = visible;
    }

    /// A frame arrived at `ts`: the wall time (ms) since the previous one.
    fn begin(&mut self, ts: f64) -> f64 {
        self.frame = None;
        self.meter.start(ts);
        let dt = self.last_frame_ms.map_or(0.0, |last| ts - last);
        self.last_frame_ms = Some(ts);
        dt
    }

    pub(super) fn finish(&mut self) {
        self.meter.finish();
    }

    fn schedule(&mut self, link: &Scope<LabPage>, busy: bool) {
        let wanted = busy && !self.hidden && self.on_screen;
        if !wanted {
            self.frame = None;
            self.last_frame_ms = None;
            return;
        }
        if self.frame.is_none() {
            let link = link.clone();
            self.frame = Some(gloo::render::request_animation_frame(move |ts| {
                link.send_message(Msg::Frame(ts))
            }));
        }
    }

    /// Watch this stage element for going off-screen; true when it is a different one.
    pub(super) fn watch(&mut self, stage: Option<web_sys::Element>, link: &Scope<LabPage>) -> bool {
        if stage == self.observed_stage {
            return false;
        }
        let link = link.clone();
        self.visibility = stage.as_ref().and_then(|el| {
            browser::OnScreen::observe(el, move |v| link.send_message(Msg::OnScreen(v)))
        });
        self.observed_stage = stage;
        // The new stage reports itself; until then assume it can be seen.
        self.on_screen = true;
        true
    }
}

/// What is drawn every frame without Yew: the message dots and the space-time diagram.
pub(super) struct Painter {
    layer: MessageLayer,
    /// The message group `layer` draws into (dots drawn into a group that is gone cannot
    /// be reused).
    group: Option<web_sys::Element>,
    pub(super) messages_ref: NodeRef,
    pub(super) canvas_ref: NodeRef,
    /// The space-time diagram, rebuilt only when the lower panels are redrawn (see
    /// `refresh`): it is a history view, and rebuilding it every frame costs more than it shows.
    pub(super) diagram: Shared<Diagram>,
    window: Time,
}

impl Painter {
    pub(super) fn new() -> Self {
        Painter {
            layer: MessageLayer::default(),
            group: None,
            messages_ref: NodeRef::default(),
            canvas_ref: NodeRef::default(),
            diagram: Shared::new(Diagram::default()),
            window: SECOND,
        }
    }

    /// Move the message dots now, outside Yew's render cycle: they change every frame and
    /// there can be thousands (see `MessageLayer`).
    fn draw_messages(&mut self, session: &Session) {
        let Some(group) = self.messages_ref.cast::<web_sys::Element>() else {
            return;
        };
        if self.group.as_ref() != Some(&group) {
            self.layer = MessageLayer::default();
            self.group = Some(group.clone());
        }
        let positions = crate::layout::circle(session.view.nodes.len());
        let canvas = self.canvas_ref.cast::<web_sys::HtmlCanvasElement>();
        self.layer
            .update(&group, canvas.as_ref(), &message_frame(session, &positions));
    }

    /// Rebuild the diagram.
    fn refresh_diagram(&mut self, session: Option<&Session>) {
        if let Some(s) = session {
            self.diagram = Shared::new(Diagram::build(s.sim(), &s.view, self.window));
        }
    }

    /// Halve (or double) the time the space-time diagram shows.
    pub(super) fn zoom(&mut self, zoom_in: bool) {
        self.window = if zoom_in {
            (self.window / 2).max(20 * MS)
        } else {
            (self.window * 2).min(60 * SECOND)
        };
    }

    /// Run `f` with the message dots copied into the SVG (for a picture download), or
    /// plainly when the message group is gone.
    pub(super) fn with_painted_in_svg(&self, f: impl FnOnce() -> String) -> String {
        match self.messages_ref.cast::<web_sys::Element>() {
            Some(group) => self.layer.with_painted_in_svg(&group, f),
            None => f(),
        }
    }
}

impl LabPage {
    /// Advance the session by the wall time since the last frame (or replay part of a
    /// shared run).
    pub(super) fn on_frame(&mut self, ts: f64) {
        let dt = self.frames.begin(ts);
        if let Ok(s) = self.session.as_mut() {
            if !self.jobs.catch_up(s) {
                s.tick(dt);
            }
        }
    }

    pub(super) fn schedule_frame(&mut self, ctx: &yew::Context<Self>) {
        let busy = matches!(&self.session, Ok(s) if s.playing) || self.jobs.catching_up.is_some();
        self.frames.schedule(ctx.link(), busy);
    }

    pub(super) fn draw_messages(&mut self) {
        if let Ok(session) = &self.session {
            self.painter.draw_messages(session);
        }
    }

    /// Rebuild the space-time diagram, when the next render redraws the lower panels.
    pub(super) fn refresh_diagram(&mut self) {
        if self.refresh.due(super::refresh::Part::Diagram) {
            self.painter.refresh_diagram(self.session.as_ref().ok());
        }
    }
}

/// What the message layer needs from the session for one frame.
pub(super) fn message_frame<'a>(
    session: &'a Session,
    positions: &'a [crate::layout::Point],
) -> Frame<'a> {
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
