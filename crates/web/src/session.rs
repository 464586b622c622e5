//! The model behind a lab page: one running simulation plus what the person is doing with it
//! (playing, speed, selection, narration). No Yew in here: components render a `Session`
//! and send it [`UiAction`]s; the simulation changes only through the engine's public API.

use failscope_sim::action::Action;
use failscope_sim::ids::{MsgId, NodeId};
use failscope_sim::lab::{Lab, Preset};
use failscope_sim::link::{SharedRun, ViewOptions};
use failscope_sim::time::{Time, MS};
use failscope_sim::trace::{MarkerKind, NoteKind, TraceKind};
use failscope_sim::view::View;
use failscope_sim::{Scenario, ScenarioError, Simulation};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

/// A lab's guided presets, built once per page. Building them can be real work (Raft's time
/// their narration by running the scenario to find its election), and the page asks for
/// them on every render: rebuilding them there cost the Raft stress preset at 100× most of
/// its frame time.
pub fn presets_of(lab: &'static dyn Lab) -> Rc<[Preset]> {
    /// Each lab's presets, by lab id.
    type Built = Vec<(&'static str, Rc<[Preset]>)>;
    thread_local! {
        static BUILT: RefCell<Built> = const { RefCell::new(Vec::new()) };
    }
    BUILT.with_borrow_mut(|built| {
        if let Some((_, presets)) = built.iter().find(|(id, _)| *id == lab.id()) {
            return presets.clone();
        }
        let presets: Rc<[Preset]> = lab.presets().into();
        built.push((lab.id(), presets.clone()));
        presets
    })
}

/// Playback speeds: simulated microseconds per wall-clock millisecond (1× = 1,000).
pub const SPEEDS: &[(u64, &str)] = &[
    (1, "1/1000×"),
    (2, "1/500×"),
    (5, "1/200×"),
    (10, "1/100×"),
    (20, "1/50×"),
    (50, "1/20×"),
    (100, "1/10×"),
    (200, "1/5×"),
    (500, "1/2×"),
    (1_000, "1×"),
    (2_000, "2×"),
    (5_000, "5×"),
    (10_000, "10×"),
    (20_000, "20×"),
    (50_000, "50×"),
    (100_000, "100×"),
];

/// 1/20×: a 12 ms message takes a quarter of a second to cross the screen.
pub const DEFAULT_SPEED: usize = 5;

/// Most wall time one animation frame spends advancing the simulation: the rest of the
/// frame is the page's, to draw and to answer clicks and keys at once. At high speed a big
/// run then plays slower than asked rather than freezing the page.
const SIM_BUDGET_MS: f64 = 6.0;
/// Queue events advanced between looks at the clock.
const EVENTS_PER_SLICE: u64 = 500;
/// Longest wall time one frame may account for (after a stall, do not jump ahead).
const MAX_FRAME_MS: f64 = 100.0;

/// A timeline marker.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub time: Time,
    pub kind: MarkerKind,
    pub label: String,
}

/// What is selected on the canvas.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    pub node: Option<NodeId>,
    pub message: Option<MsgId>,
    /// Nodes picked with shift-click, to partition away together.
    pub group: BTreeSet<NodeId>,
}

/// Nodes and messages drawn with a red ring: the first violation being inspected.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Highlight {
    pub nodes: Vec<NodeId>,
    pub messages: Vec<MsgId>,
    pub label: String,
}

/// A short message for the person: an action that failed, a fork of history.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// Everything the page can ask of the session.
#[derive(Clone, Debug, PartialEq)]
pub enum UiAction {
    TogglePlay,
    Pause,
    Step,
    StepBack,
    StepDelivery,
    Seek(Time),
    Faster,
    Slower,
    SetSpeed(usize),
    Apply(Action),
    SelectNode {
        node: NodeId,
        extend: bool,
    },
    SelectMessage(MsgId),
    ClearSelection,
    JumpToViolation(usize),
    NextChapter,
    CloseNarration,
    DismissNotice,
    /// Mark the start or the end of a window of the run at the cursor (for embedding a
    /// moment of it), or clear both marks.
    MarkFrom,
    MarkTo,
    ClearMarks,
}

pub struct Session {
    sim: Box<dyn Simulation>,
    pub lab: &'static dyn Lab,
    pub preset: Option<Preset>,
    pub narration_open: bool,
    pub playing: bool,
    pub speed: usize,
    pub selection: Selection,
    pub highlight: Option<Highlight>,
    pub notice: Option<Notice>,
    pub view: View,
    /// The start and end marked on the timeline, if any (see [`Session::time_window`]).
    pub marks: (Option<Time>, Option<Time>),
    markers: Vec<Marker>,
    markers_scanned: usize,
    /// Which message kinds this run has sent (bit i for kind i), for the legend: a lab
    /// names every kind it has, a given configuration uses only some.
    kinds_sent: u64,
    /// Trace position up to which notes have been narrated to screen readers.
    narrated_until: usize,
    /// The latest narration, for the live region.
    pub live_text: String,
    /// Simulated time owed to the next frame (fractions of a microsecond at slow speeds).
    carry_us: f64,
}

impl Session {
    /// Start a session on `scenario`, guided by `preset` if given.
    pub fn new(scenario: &Scenario, preset: Option<Preset>) -> Result<Session, ScenarioError> {
        let sim = failscope_labs::build(scenario)?;
        let lab = sim.lab();
        let view = sim.view();
        Ok(Session {
            narration_open: preset.is_some(),
            sim,
            lab,
            preset,
            playing: false,
            speed: DEFAULT_SPEED,
            selection: Selection::default(),
            highlight: None,
            notice: None,
            view,
            marks: (None, None),
            markers: Vec::new(),
            markers_scanned: 0,
            kinds_sent: 0,
            narrated_until: 0,
            live_text: String::new(),
            carry_us: 0.0,
        })
    }

    /// The window marked on the timeline: both ends marked, the start before the end.
    pub fn time_window(&self) -> Option<(Time, Time)> {
        match self.marks {
            (Some(from), Some(to)) if from < to => Some((from, to)),
            _ => None,
        }
    }

    /// A lab's default scenario, or one of its presets.
    pub fn open(
        lab_id: &str,
        preset_id: Option<&str>,
        seed: Option<u64>,
    ) -> Result<Session, ScenarioError> {
        let lab = failscope_labs::find(lab_id).ok_or_else(|| ScenarioError::UnknownLab {
            lab: lab_id.chars().take(64).collect(),
        })?;
        let preset = match preset_id {
            Some(id) => Some(
                presets_of(lab)
                    .iter()
                    .find(|p| p.id == id)
                    .cloned()
                    .ok_or_else(|| {
                        ScenarioError::Invalid(format!(
                            "the {} lab has no guided scenario called “{}”",
                            lab.title(),
                            id.chars().take(64).collect::<String>()
                        ))
                    })?,
            ),
            None => None,
        };
        let mut scenario = match &preset {
            Some(p) => p.scenario.clone(),
            None => lab.default_scenario(1),
        };
        if let Some(seed) = seed {
            scenario.seed = seed;
        }
        Session::new(&scenario, preset)
    }

    /// Open a shared run: its scenario (with the sender's actions), paused at the start;
    /// the caller catches up to `run.cursor_us` in bounded steps (see [`Session::catch_up`]).
    pub fn from_shared(run: &SharedRun) -> Result<Session, ScenarioError> {
        let preset = run
            .view
            .preset
            .as_deref()
            .and_then(|id| failscope_labs::preset(&run.scenario.lab, id));
        let mut session = Session::new(&run.scenario, preset)?;
        if let Some(speed) = run.view.speed {
            session.speed = usize::from(speed).min(SPEEDS.len() - 1);
        }
        Ok(session)
    }

    /// This session as a share link's contents.
    pub fn shared_run(&self, tab: Option<&str>) -> SharedRun {
        SharedRun {
            scenario: self.sim.scenario().clone(),
            cursor_us: self.sim.now(),
            view: ViewOptions {
                preset: self.preset.as_ref().map(|p| p.id.to_string()),
                speed: u8::try_from(self.speed).ok(),
                tab: tab.map(str::to_string),
            },
        }
    }

    /// Advance toward `target` by at most `budget` events; true once there. Used to replay a
    /// shared run to its moment without freezing the page.
    pub fn catch_up(&mut self, target: Time, budget: u64) -> bool {
        let done = match self.sim.advance(target, budget) {
            failscope_sim::run::Advance::Budget => false,
            failscope_sim::run::Advance::Reached | failscope_sim::run::Advance::Halted => true,
        };
        self.refresh();
        self.narrated_until = self.sim.trace_position();
        done
    }

    pub fn sim(&self) -> &dyn Simulation {
        self.sim.as_ref()
    }

    pub fn now(&self) -> Time {
        self.sim.now()
    }

    /// The end of the timeline: what has been simulated, or the preset's length.
    pub fn timeline_end(&self) -> Time {
        let preset_end = self.preset.as_ref().map_or(0, |p| p.duration_us);
        self.sim
            .horizon()
            .max(preset_end)
            .max(self.sim.now())
            .max(MS)
    }

    pub fn speed_us_per_ms(&self) -> u64 {
        SPEEDS[self.speed].0
    }

    /// Advance by one animation frame of `wall_ms` milliseconds, if playing.
    pub fn tick(&mut self, wall_ms: f64) {
        if !self.playing {
            return;
        }
        let owed = wall_ms.clamp(0.0, MAX_FRAME_MS) * self.speed_us_per_ms() as f64 + self.carry_us;
        let whole = owed.floor();
        self.carry_us = owed - whole;
        let before = self.sim.now();
        let target = before.saturating_add(whole as Time);
        let started = crate::browser::now_ms();
        while self.sim.advance(target, EVENTS_PER_SLICE) == failscope_sim::run::Advance::Budget
            && crate::browser::now_ms() - started < SIM_BUDGET_MS
        {}
        if let Some(reason) = self.sim.halted() {
            self.playing = false;
            self.notice = Some(Notice {
                text: reason,
                error: true,
            });
        }
        if let Some(preset) = &self.preset {
            // A guided scenario stops at its end; the person may play on.
            let end = preset.duration_us;
            if before < end && self.sim.now() >= end {
                self.playing = false;
            }
        }
        self.refresh();
        self.narrate_new_notes();
    }

    /// Recompute the view and the marker index after the simulation moved.
    pub fn refresh(&mut self) {
        self.view = self.sim.view();
        let trace = self.sim.trace();
        if trace.len() < self.markers_scanned {
            // The timeline forked: markers after the fork are gone.
            self.markers.clear();
            self.markers_scanned = 0;
            self.kinds_sent = 0;
        }
        let names = self.invariant_names();
        for event in &trace.events()[self.markers_scanned..] {
            if let TraceKind::Send { kind, .. } = event.kind {
                self.kinds_sent |= 1u64.checked_shl(u32::from(kind)).unwrap_or(0);
            }
            if let Some(kind) = event.marker() {
                let label =
                    event.describe(self.sim.message_kinds(), self.sim.timer_names(), &names);
                self.markers.push(Marker {
                    time: event.time,
                    kind,
                    label,
                });
            }
        }
        self.markers_scanned = trace.len();
    }

    /// The lab's message kinds this run has sent so far, with their indices.
    pub fn kinds_sent(&self) -> impl Iterator<Item = (usize, &'static str)> + '_ {
        let sent = self.kinds_sent;
        self.sim
            .message_kinds()
            .iter()
            .enumerate()
            .filter(move |(i, _)| i < &64 && sent & (1 << i) != 0)
            .map(|(i, k)| (i, *k))
    }

    fn invariant_names(&self) -> Vec<&'static str> {
        self.sim.invariants().iter().map(|r| r.spec.name).collect()
    }

    /// Screen-reader narration of key moments passed while playing forward.
    fn narrate_new_notes(&mut self) {
        let position = self.sim.trace_position();
        if position < self.narrated_until {
            self.narrated_until = position;
            return;
        }
        let events = &self.sim.trace().events()[self.narrated_until..position];
        let lines: Vec<String> = events
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Note {
                    kind: NoteKind::Narrate | NoteKind::Marker,
                    text,
                    ..
                } => Some(text.to_string()),
                TraceKind::Violation { .. } => {
                    Some(format!("Invariant violated at {}", format_time(e.time)))
                }
                _ => None,
            })
            .collect();
        if let Some(last) = lines.last() {
            self.live_text = if lines.len() > 1 {
                format!("{last} (and {} more)", lines.len() - 1)
            } else {
                last.clone()
            };
        }
        self.narrated_until = position;
    }

    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// The narration chapter for the current time, with its index.
    pub fn chapter(&self) -> Option<(usize, &failscope_sim::lab::Chapter)> {
        let preset = self.preset.as_ref()?;
        let now = self.sim.now();
        // Before the first chapter's moment there is no chapter yet: its text describes an
        // event that has not happened (the page shows the preset's summary meanwhile). A
        // chapter cued on a check waits for the check, as the Invariants tab reports it.
        let moments = self.chapter_moments();
        preset
            .chapters
            .iter()
            .enumerate()
            .rfind(|(i, _)| moments[*i].is_some_and(|t| t <= now))
    }

    /// When each of the preset's chapters shows in this run up to the cursor (`None`: its
    /// cued check has not fired yet).
    fn chapter_moments(&self) -> Vec<Option<Time>> {
        let Some(preset) = self.preset.as_ref() else {
            return Vec::new();
        };
        let reports = self.sim.invariants();
        let fired = |name: &str| {
            reports
                .iter()
                .find(|r| r.spec.name == name)
                .and_then(|r| r.fired_at())
        };
        preset.chapters.iter().map(|c| c.shows_at(fired)).collect()
    }

    /// Whether a chapter follows the current one.
    pub fn has_next_chapter(&self) -> bool {
        let next = self.chapter().map_or(0, |(i, _)| i + 1);
        self.preset
            .as_ref()
            .is_some_and(|p| next < p.chapters.len())
    }

    /// Move to the next chapter's moment: its time, or, for a chapter cued on a check, the
    /// event at which the check fires (running on until then, at most to the preset's end).
    fn next_chapter(&mut self) {
        let Some(preset) = self.preset.clone() else {
            return;
        };
        let next = self.chapter().map_or(0, |(i, _)| i + 1);
        let Some(chapter) = preset.chapters.get(next) else {
            return;
        };
        if chapter.at_us > self.sim.now() {
            self.seek(chapter.at_us);
        }
        while self
            .chapter_moments()
            .get(next)
            .copied()
            .flatten()
            .is_none()
        {
            let now = self.sim.now();
            if now >= preset.duration_us || self.sim.halted().is_some() {
                break;
            }
            // Millisecond steps: the check fires inside one, and the cursor stops there.
            self.sim
                .advance((now + MS).min(preset.duration_us), u64::MAX);
        }
    }

    pub fn dispatch(&mut self, action: UiAction) {
        match action {
            UiAction::TogglePlay => {
                self.playing = !self.playing && self.sim.halted().is_none();
                self.carry_us = 0.0;
            }
            UiAction::Pause => self.playing = false,
            UiAction::Step => {
                self.playing = false;
                self.sim.step();
            }
            UiAction::StepBack => {
                self.playing = false;
                self.step_back();
            }
            UiAction::StepDelivery => {
                self.playing = false;
                self.sim.step_to_next_delivery();
            }
            UiAction::Seek(time) => self.seek(time),
            UiAction::Faster => self.speed = (self.speed + 1).min(SPEEDS.len() - 1),
            UiAction::Slower => self.speed = self.speed.saturating_sub(1),
            UiAction::SetSpeed(index) => self.speed = index.min(SPEEDS.len() - 1),
            UiAction::Apply(action) => self.apply(action),
            UiAction::SelectNode { node, extend } => {
                if extend {
                    // Shift-click after a plain click: the server selected first joins too.
                    if self.selection.group.is_empty() {
                        if let Some(first) = self.selection.node.filter(|&n| n != node) {
                            self.selection.group.insert(first);
                        }
                    }
                    if !self.selection.group.remove(&node) {
                        self.selection.group.insert(node);
                    }
                } else {
                    self.selection.group.clear();
                }
                self.selection.node = Some(node);
                self.selection.message = None;
            }
            UiAction::SelectMessage(id) => {
                self.selection.message = Some(id);
                self.selection.node = None;
            }
            UiAction::ClearSelection => {
                self.selection = Selection::default();
                self.highlight = None;
            }
            UiAction::JumpToViolation(index) => self.jump_to_violation(index),
            UiAction::NextChapter => self.next_chapter(),
            UiAction::CloseNarration => self.narration_open = false,
            UiAction::DismissNotice => self.notice = None,
            UiAction::MarkFrom => {
                let now = self.now();
                // A start at or after the end drops the end: the window must run forward.
                let to = self.marks.1.filter(|&to| to > now);
                self.marks = (Some(now), to);
            }
            UiAction::MarkTo => {
                let now = self.now();
                let from = self.marks.0.filter(|&from| from < now);
                self.marks = (from, Some(now));
            }
            UiAction::ClearMarks => self.marks = (None, None),
        }
        self.refresh();
        if !matches!(self.selection.message, Some(id) if self.view.messages.iter().any(|m| m.id == id))
        {
            self.selection.message = None;
        }
    }

    fn seek(&mut self, time: Time) {
        self.sim.seek(time);
        self.narrated_until = self.narrated_until.min(self.sim.trace_position());
    }

    fn step_back(&mut self) {
        let position = self.sim.trace_position();
        let now = self.sim.now();
        let previous = self.sim.trace().events()[..position]
            .iter()
            .rev()
            .map(|e| e.time)
            .find(|&t| t < now)
            .unwrap_or(0);
        // Land just after the previous instant, so the last event at `now` is undone.
        self.seek(previous);
    }

    fn apply(&mut self, action: Action) {
        let forks = self.sim.trace_position() < self.sim.trace().len();
        match self.sim.apply(action.clone()) {
            Ok(()) => {
                if forks {
                    // The recorded future was cut at the cursor and the action's events
                    // appended: the trace may be no shorter, so rescan it from the start.
                    self.markers.clear();
                    self.markers_scanned = 0;
                    self.kinds_sent = 0;
                }
                self.live_text = failscope_sim::lab::announce(self.lab, &action);
                self.notice = forks.then(|| Notice {
                    text: format!(
                        "You changed the past at {}: the recorded future was discarded and this run now continues from your action.",
                        format_time(self.sim.now())
                    ),
                    error: false,
                });
            }
            Err(e) => {
                self.notice = Some(Notice {
                    text: e.to_string(),
                    error: true,
                })
            }
        }
    }

    fn jump_to_violation(&mut self, index: usize) {
        let reports = self.sim.invariants();
        // The report at the cursor may not have it yet: look at the whole recorded run.
        let horizon = self.sim.horizon();
        let found = reports
            .get(index)
            .and_then(|r| r.status.first_violation.clone())
            .or_else(|| {
                let now = self.sim.now();
                self.sim.seek(horizon);
                let v = self
                    .sim
                    .invariants()
                    .get(index)
                    .and_then(|r| r.status.first_violation.clone());
                self.sim.seek(now);
                v
            });
        if let Some(v) = found {
            self.playing = false;
            self.seek(v.time);
            let name = reports.get(index).map_or("invariant", |r| r.spec.name);
            self.highlight = Some(Highlight {
                nodes: v.nodes.clone(),
                messages: v.messages.clone(),
                label: format!("{name}: {}", v.detail),
            });
            self.selection.node = v.nodes.first().copied();
        }
    }
}

/// `1.234 s` style time for labels (millisecond precision).
/// The playback keys every page with a clock shares (space, ←, →, `[`, `]`), or `None`
/// when the key is not one of them or the person is typing in a field.
pub fn playback_key(e: &web_sys::KeyboardEvent) -> Option<UiAction> {
    if crate::browser::typing_in_a_field(e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return None;
    }
    Some(match e.key().as_str() {
        " " => UiAction::TogglePlay,
        "ArrowRight" => UiAction::Step,
        "ArrowLeft" => UiAction::StepBack,
        "]" => UiAction::Faster,
        "[" => UiAction::Slower,
        _ => return None,
    })
}

pub fn format_time(us: Time) -> String {
    format!("{}.{:03} s", us / 1_000_000, (us / 1_000) % 1_000)
}
