//! Two runs side by side on one clock: the same seed, workload and faults under two
//! configurations (CP against AP, consistent hashing against mod N...). Each side shows its
//! picture and the figures that tell the trade-off: availability, latency, stale reads,
//! violations. Playback, speed and the timeline drive both at once.

use crate::browser;
use crate::components::controls::Controls;
use crate::components::message_layer::{Frame, MessageLayer};
use crate::components::topology::Topology;
use crate::decimal::fixed;
use crate::session::{format_time, Session, UiAction};
use crate::shared::Shared;
use failscope_sim::consistency;
use failscope_sim::time::Time;
use gloo::render::AnimationFrame;
use yew::prelude::*;

/// One side: a lab and one of its presets.
#[derive(Clone, Debug, PartialEq)]
pub struct Side {
    pub lab: String,
    pub preset: String,
}

impl Side {
    /// `lab/preset`.
    pub fn parse(text: &str) -> Option<Side> {
        let (lab, preset) = text.split_once('/')?;
        (!lab.is_empty() && !preset.is_empty()).then(|| Side {
            lab: lab.to_string(),
            preset: preset.to_string(),
        })
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct ComparePageProps {
    pub left: Side,
    pub right: Side,
    pub on_home: Callback<()>,
}

// Only the side-by-side route shows it: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub COMPARE_PAGE: ComparePageProps => ComparePage, compare_page, "the side-by-side page");

pub enum Msg {
    Frame(f64),
    Ui(UiAction),
    Key(web_sys::KeyboardEvent),
    Visibility,
}

/// Figures for one side, refreshed a few times a second.
#[derive(Clone, Debug, Default, PartialEq)]
struct Figures {
    ops: u64,
    availability: Option<f64>,
    p99_ms: Option<f64>,
    /// `None` only if the checkers were not loaded (the page waits for them).
    stale: Option<usize>,
    reads: usize,
    violations: usize,
    custom: Vec<(&'static str, i64)>,
    /// Checked only while paused (the search is bounded but not free).
    linearizable: Option<consistency::Verdict>,
}

impl Figures {
    fn of(session: &Session) -> Figures {
        let sim = session.sim();
        let m = sim.metrics();
        let history = sim.history();
        Figures {
            ops: m.ops_ok + m.ops_failed + m.ops_timed_out,
            availability: m.availability_ppm().map(|p| p as f64 / 10_000.0),
            p99_ms: m
                .op_latency_us
                .quantile_ppm(990_000)
                .map(|us| us as f64 / 1_000.0),
            // The page opens only once the checkers are loaded (see `app`).
            stale: failscope_labs::history_checks::get().map(|c| c.stale_reads(&history)),
            reads: history
                .operations
                .iter()
                .filter(|op| op.op.is_read())
                .count(),
            violations: sim
                .invariants()
                .iter()
                .filter(|r| r.status.first_violation.is_some())
                .count(),
            custom: m.custom.iter().map(|(k, v)| (*k, *v)).collect(),
            linearizable: None,
        }
    }

    /// With the linearizability verdict (bounded search; for paused moments).
    fn checked(session: &Session) -> Figures {
        let limits = consistency::Limits {
            search_steps: 300_000,
            shrink_steps: 0,
        };
        let history = session.sim().history();
        let verdict = failscope_labs::history_checks::get()
            .and_then(|c| c.linearizability(&history, Some(limits)).run(u64::MAX))
            .map(|report| report.verdict);
        Figures {
            linearizable: verdict,
            ..Figures::of(session)
        }
    }
}

struct Pane {
    session: Session,
    messages_ref: NodeRef,
    canvas_ref: NodeRef,
    layer: MessageLayer,
    figures: Figures,
}

pub struct ComparePage {
    panes: Result<[Pane; 2], String>,
    playing: bool,
    speed: usize,
    frame: Option<AnimationFrame>,
    last_frame_ms: Option<f64>,
    frames: u32,
    /// Where the longer of the two stories ends: playback stops there once (play on after).
    story_end: Option<Time>,
    hidden: bool,
    _visibility: gloo::events::EventListener,
    _keys: gloo::events::EventListener,
}

fn open(side: &Side) -> Result<Pane, String> {
    let session = Session::open(&side.lab, Some(&side.preset), None)
        .map_err(|e| format!("{}/{}: {e}", side.lab, side.preset))?;
    let figures = Figures::of(&session);
    Ok(Pane {
        session,
        messages_ref: NodeRef::default(),
        canvas_ref: NodeRef::default(),
        layer: MessageLayer::default(),
        figures,
    })
}

impl ComparePage {
    fn draw_messages(&mut self) {
        let Ok(panes) = &mut self.panes else { return };
        for pane in panes.iter_mut() {
            let Some(group) = pane.messages_ref.cast::<web_sys::Element>() else {
                continue;
            };
            let view = &pane.session.view;
            let positions = crate::layout::circle(view.nodes.len());
            let frame = Frame {
                messages: &view.messages,
                positions: &positions,
                node_radius: crate::layout::node_radius(view.nodes.len()),
                now: view.time,
                selected: None,
                highlighted: &[],
                kinds: pane.session.sim().message_kinds(),
            };
            let canvas = pane.canvas_ref.cast::<web_sys::HtmlCanvasElement>();
            pane.layer.update(&group, canvas.as_ref(), &frame);
        }
    }

    fn schedule(&mut self, ctx: &Context<Self>) {
        if !self.playing || self.hidden {
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

    fn end(&self) -> Time {
        match &self.panes {
            Ok(panes) => panes
                .iter()
                .map(|p| p.session.timeline_end())
                .max()
                .unwrap_or(1),
            Err(_) => 1,
        }
    }
}

impl Component for ComparePage {
    type Message = Msg;
    type Properties = ComparePageProps;

    fn create(ctx: &Context<Self>) -> Self {
        let props = ctx.props();
        let panes = open(&props.left)
            .and_then(|l| open(&props.right).map(|r| [l, r]))
            .map(|mut panes| {
                for pane in panes.iter_mut() {
                    pane.figures = Figures::checked(&pane.session);
                }
                panes
            });
        let link = ctx.link().clone();
        let visibility = gloo::events::EventListener::new(
            &gloo::utils::document(),
            "visibilitychange",
            move |_| link.send_message(Msg::Visibility),
        );
        let link = ctx.link().clone();
        let keys = gloo::events::EventListener::new_with_options(
            &gloo::utils::document(),
            "keydown",
            gloo::events::EventListenerOptions::enable_prevent_default(),
            move |e| {
                if let Some(e) = wasm_bindgen::JsCast::dyn_ref::<web_sys::KeyboardEvent>(e) {
                    link.send_message(Msg::Key(e.clone()));
                }
            },
        );
        let story_end = panes.as_ref().ok().and_then(|panes| {
            panes
                .iter()
                .filter_map(|p| p.session.preset.as_ref().map(|preset| preset.duration_us))
                .max()
        });
        ComparePage {
            story_end,
            panes,
            playing: false,
            speed: crate::session::DEFAULT_SPEED,
            frame: None,
            last_frame_ms: None,
            frames: 0,
            hidden: browser::document_hidden(),
            _visibility: visibility,
            _keys: keys,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        let msg = match msg {
            Msg::Key(e) => match crate::session::playback_key(&e) {
                Some(action) => {
                    e.prevent_default();
                    Msg::Ui(action)
                }
                None => return false,
            },
            other => other,
        };
        let mut refresh_figures = true;
        match msg {
            Msg::Frame(ts) => {
                self.frame = None;
                let dt = self.last_frame_ms.map_or(0.0, |last| ts - last);
                self.last_frame_ms = Some(ts);
                self.frames += 1;
                refresh_figures = self.frames.is_multiple_of(10);
                if let Ok(panes) = &mut self.panes {
                    let before = panes[0].session.now();
                    for pane in panes.iter_mut() {
                        pane.session.playing = true;
                        pane.session.speed = self.speed;
                        pane.session.tick(dt);
                    }
                    // Both stop together at the end of the longer story (each side's own
                    // stop at its shorter end is overruled: they share one clock), or
                    // when both runs have halted.
                    let now = panes[0].session.now();
                    let story_over = self.story_end.is_some_and(|end| before < end && now >= end);
                    if story_over || panes.iter().all(|p| p.session.sim().halted().is_some()) {
                        self.playing = false;
                        refresh_figures = true;
                    }
                    for pane in panes.iter_mut() {
                        pane.session.playing = false;
                    }
                }
            }
            Msg::Ui(action) => match action {
                UiAction::TogglePlay => self.playing = !self.playing,
                UiAction::Pause => self.playing = false,
                UiAction::Faster | UiAction::Slower | UiAction::SetSpeed(_) => {
                    if let Ok(panes) = &mut self.panes {
                        for pane in panes.iter_mut() {
                            pane.session.speed = self.speed;
                            pane.session.dispatch(action.clone());
                        }
                        self.speed = panes[0].session.speed;
                    }
                }
                UiAction::Seek(_)
                | UiAction::Step
                | UiAction::StepBack
                | UiAction::StepDelivery => {
                    self.playing = false;
                    // Keep the two clocks together: step the left, then bring the right to it.
                    if let Ok([left, right]) = &mut self.panes {
                        left.session.dispatch(action);
                        right.session.dispatch(UiAction::Seek(left.session.now()));
                    }
                }
                _ => {}
            },
            Msg::Visibility => self.hidden = browser::document_hidden(),
            Msg::Key(_) => {}
        }
        if refresh_figures {
            let paused = !self.playing;
            if let Ok(panes) = &mut self.panes {
                for pane in panes.iter_mut() {
                    pane.figures = if paused {
                        Figures::checked(&pane.session)
                    } else {
                        Figures::of(&pane.session)
                    };
                }
            }
        }
        self.draw_messages();
        self.schedule(ctx);
        true
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Self::Properties) -> bool {
        if ctx.props().left != old.left || ctx.props().right != old.right {
            // Another comparison (typed, or back/forward): start over with its two runs.
            *self = <Self as Component>::create(ctx);
        }
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, first_render: bool) {
        if first_render {
            self.draw_messages();
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let panes = match &self.panes {
            Ok(p) => p,
            Err(message) => {
                let home = ctx.props().on_home.clone();
                return html! {
                    <section class="error-panel" role="alert" data-testid="error-panel">
                        <h2>{ "These runs cannot be compared" }</h2>
                        <p data-testid="error-message">{ message }</p>
                        <button class="btn btn-primary" data-testid="error-home" onclick={Callback::from(move |_: MouseEvent| home.emit(()))}>{ "Choose a lab" }</button>
                    </section>
                };
            }
        };
        let link = ctx.link();
        let now = panes[0].session.now();
        // Every lab counter either side has, so the two columns line up.
        let mut counters: Vec<&'static str> = panes
            .iter()
            .flat_map(|p| p.figures.custom.iter().map(|c| c.0))
            .collect();
        counters.sort_unstable();
        counters.dedup();
        let sides = panes.iter().enumerate().map(|(i, pane)| {
            let s = &pane.session;
            let title = s.preset.as_ref().map_or(s.lab.title(), |p| p.title);
            let f = &pane.figures;
            let percent = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{}%", fixed(v, 1)));
            html! {
                <section class="compare-side" data-testid={format!("compare-{}", ["left", "right"][i])}>
                    <h3>{ title }</h3>
                    <p class="muted small">{ s.preset.as_ref().map_or("", |p| p.summary) }</p>
                    <div class="stage">
                        <Topology view={Shared::new(s.view.clone())} fallen={Shared::new(Vec::new())} selection={crate::session::Selection::default()}
                                  highlight={None} message_kinds={s.sim().message_kinds()} reduced_motion={false}
                                  messages_ref={pane.messages_ref.clone()} canvas_ref={pane.canvas_ref.clone()}
                                  on_point={Callback::noop()} on_node={Callback::noop()} on_message={Callback::noop()} />
                    </div>
                    <dl class="figures">
                        <dt>{ "Availability" }</dt><dd data-testid="availability">{ percent(f.availability) }</dd>
                        <dt>{ "Operations" }</dt><dd>{ f.ops }</dd>
                        <dt>{ "Latency p99" }</dt><dd>{ f.p99_ms.map_or("—".into(), |ms| format!("{} ms", fixed(ms, 1))) }</dd>
                        <dt>{ "Stale reads" }</dt><dd data-testid="stale">{ match f.stale { Some(stale) => format!("{stale} of {} reads", f.reads), None => "…".into() } }</dd>
                        <dt>{ "Invariants violated" }</dt><dd data-testid="violations">{ f.violations }</dd>
                        <dt>{ "Linearizable" }</dt>
                        <dd data-testid="linearizable">{ match f.linearizable {
                            Some(consistency::Verdict::Holds) => "yes",
                            Some(consistency::Verdict::Violated) => "no",
                            Some(consistency::Verdict::Unknown) => "undecided",
                            None => "— (pause to check)",
                        } }</dd>
                        { for counters.iter().map(|k| {
                            let v = f.custom.iter().find(|c| c.0 == *k).map_or(0, |c| c.1);
                            html! { <><dt>{ k.replace('_', " ") }</dt><dd data-testid={format!("metric-{k}")}>{ v }</dd></> }
                        }) }
                    </dl>
                </section>
            }
        });
        let end = self.end();
        html! {
            <div class="compare-page" data-testid="compare-page">
                <div class="lab-head"><h2>{ "Side by side" }</h2>
                    <span class="muted">{ format!("same seed, workload and faults; now at {}", format_time(now)) }</span></div>
                <div class="compare-sides">{ for sides }</div>
                <Controls playing={self.playing} speed={self.speed} now={now} end={end} seed={panes[0].session.sim().scenario().seed}
                          on_action={link.callback(Msg::Ui)} compact={true} on_restart={Callback::noop()} on_new_seed={Callback::noop()} />
                <crate::components::timeline::Timeline now={now} end={end} markers={Shared::new(panes[0].session.markers().to_vec())}
                          on_action={link.callback(Msg::Ui)} />
            </div>
        }
    }
}
