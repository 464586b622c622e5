//! The layout: what a lab page looks like — the stage (canvas, narration, legend), the
//! head (preset picker, share and help buttons), the side tabs, the controls, timeline and
//! fault toolbar, the lower panels (space-time diagram and the lab's own pictures), the
//! trade-off chart, and the error panel that replaces all of it when a run cannot start.
//!
//! Only views are built here; the state they show belongs to the other modules. (Not to be
//! confused with `crate::layout`, the geometry of nodes on the canvas.)

use super::refresh::Part;
use super::{LabPage, LabPageProps, Msg};
use crate::components::batch::{BatchChartsProps, BATCH_CHARTS};
use crate::components::challenges::{ChallengeAnnouncer, ChallengesProps, CHALLENGES};
use crate::components::consistency::{ConsistencyProps, HISTORY_PANEL};
use crate::components::controls::Controls;
use crate::components::event_log::{self, Category, EventLogProps, LogLine, EVENT_LOG};
use crate::components::fault_toolbar::{FaultToolbar, FaultToolbarProps};
use crate::components::help::{HelpProps, HELP};
use crate::components::inspector::Inspector;
use crate::components::invariants::{InvariantsProps, INVARIANTS};
use crate::components::lab_verbs::LabVerbs;
use crate::components::narration::Narration;
use crate::components::params::{ParamsProps, PARAMS_PANEL};
use crate::components::pictures::PictureFrame;
use crate::components::share::{ShareMenuProps, SHARE_MENU};
use crate::components::spacetime::SpaceTime;
use crate::components::topology::{Fallen, Topology};
use crate::components::tradeoffs::TradeoffChart;
use crate::decimal::fixed;
use crate::lazy::Deferred;
use crate::session::{format_time, Session, UiAction};
use crate::shared::Shared;
use failscope_sim::trace::TraceKind;
use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Inspector,
    Invariants,
    Challenges,
    Parameters,
    Events,
    History,
}

pub(super) const TABS: &[(Tab, &str)] = &[
    (Tab::Inspector, "Inspector"),
    (Tab::Invariants, "Invariants"),
    (Tab::Challenges, "Challenges"),
    (Tab::History, "History"),
    (Tab::Parameters, "Parameters"),
    (Tab::Events, "Event log"),
];

/// Look up a panel by its label (as stored in share links).
pub(super) fn tab_named(label: &str) -> Option<Tab> {
    TABS.iter().find(|(_, l)| *l == label).map(|(t, _)| *t)
}

impl LabPage {
    pub(super) fn tab_label(&self) -> &'static str {
        TABS.iter()
            .find(|(t, _)| *t == self.tab)
            .map_or("Inspector", |(_, l)| l)
    }

    /// The whole page, the embed one, or the error panel.
    pub(super) fn layout(&self, ctx: &Context<Self>) -> Html {
        let session = match &self.session {
            Ok(s) => s,
            Err(message) => return error_panel(message, ctx.props()),
        };
        let link = ctx.link();
        let view = Shared::new(session.view.clone());
        let stage = self.stage(ctx, session, &view);
        let catching_up = self.jobs.catching_up.map(|target| {
            let percent = (session.now() as f64 / target.max(1) as f64 * 100.0).min(100.0);
            html! {
                <div class="catch-up" role="status" data-testid="catching-up">
                    { format!("Replaying the shared run to {}: {}%", format_time(target), fixed(percent, 0)) }
                </div>
            }
        });
        let controls = html! {
            <Controls playing={session.playing} speed={session.speed} now={view.time} end={ctx.props().embed_options.to_us.unwrap_or_else(|| session.timeline_end())}
                      seed={session.sim().scenario().seed} on_action={self.on_action.clone()} compact={ctx.props().embed}
                      minimal={ctx.props().embed_options.controls == crate::embed_api::ControlsMode::Minimal}
                      on_restart={link.callback(Msg::Restart)} on_new_seed={link.callback(|()| Msg::NewSeed)} />
        };
        if ctx.props().embed {
            return self.embed_page(ctx, session, stage, controls, catching_up);
        }
        self.full_page(ctx, session, &view, stage, controls, catching_up)
    }

    /// The canvas with what is drawn over it: narration, the highlighted violation, legend.
    fn stage(
        &self,
        ctx: &Context<Self>,
        session: &Session,
        view: &Shared<failscope_sim::view::View>,
    ) -> Html {
        let link = ctx.link();
        let kinds = session.sim().message_kinds();
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
                          messages_ref={self.painter.messages_ref.clone()} canvas_ref={self.painter.canvas_ref.clone()} on_point={link.callback(Msg::PointAt)}
                          on_node={link.callback(|(node, extend)| Msg::Ui(UiAction::SelectNode { node, extend }))}
                          on_message={link.callback(|id| Msg::Ui(UiAction::SelectMessage(id)))}
                          />
                { for highlight }
                <div class="legend">{ for legend }</div>
            </div>
        }
    }

    /// The guided scenario's current chapter, below the pictures (in an embed, if asked).
    pub(super) fn narration(
        &self,
        session: &Session,
        now: failscope_sim::time::Time,
    ) -> Option<Html> {
        let on_action = self.on_action.clone();
        // In free play, one line on what to try.
        let Some(preset) = session.preset.as_ref().filter(|_| session.narration_open) else {
            return Some(html! {
                <p class="free-play-hint muted" data-testid="free-play-hint">
                    { "Free play: press ▶ to run. Click a server to crash, pause or skew it, shift-click several to partition them, or pick a guided scenario above." }
                </p>
            });
        };
        let (chapter, text) = match session.chapter() {
            Some((index, chapter)) => (Some(index), chapter.text.clone()),
            None => (None, preset.summary.to_string()),
        };
        let departure = departure(session, preset);
        Some(html! {
            <Narration title={preset.title.to_string()} {text} {chapter} ended={now >= preset.duration_us} {departure}
                       chapters={preset.chapters.len()} has_next={session.has_next_chapter()}
                       {on_action} />
        })
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
        let on_action = self.on_action.clone();
        let sim = session.sim();
        let lab = session.lab;
        let kinds = sim.message_kinds();
        let presets = crate::session::presets_of(lab);
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
        // The side panel and the lower panels are redrawn in turns while a run plays
        // (see `refresh`): their closures do all of their work, and are skipped when not due.
        let side = self.refresh.view(Part::Side, || {
            let reports = sim.invariants();
            let violations = reports
                .iter()
                .filter(|r| r.status.first_violation.is_some())
                .count();
            let challenges = failscope_sim::challenge::reports(lab, sim.params(), &reports);
            let panel = match self.tab {
                Tab::Inspector => html! {
                    <Inspector view={view.clone()} node={session.selection.node} message={session.selection.message}
                               message_text={session.selection.message.and_then(|id| sim.describe_message(id))}
                               message_kinds={kinds} />
                },
                Tab::Invariants => html! {
                    <Deferred<InvariantsProps> chunk={&INVARIANTS} props={InvariantsProps {
                        reports,
                        on_action: on_action.clone(),
                        scenario: sim.scenario().clone(),
                        hunt_until: failscope_sim::hunt::default_until(session.preset.as_ref().map(|p| p.duration_us)),
                    }} />
                },
                Tab::Challenges => html! {
                    <Deferred<ChallengesProps> chunk={&CHALLENGES} props={ChallengesProps {
                        reports: challenges.clone(),
                        bug: failscope_sim::challenge::bug_in_force(lab, sim.params()),
                        on_action: on_action.clone(),
                    }} />
                },
                Tab::Parameters => html! {
                    <Deferred<ParamsProps> chunk={&PARAMS_PANEL} props={ParamsProps {
                        specs: lab.params(),
                        values: sim.params().clone(),
                        scenario: self.base_scenario().unwrap_or_else(|| sim.scenario().clone()),
                        nodes: lab.nodes(),
                        on_action: on_action.clone(),
                        on_restart: link.callback(|s| Msg::RestartWith(Box::new(s))),
                        bug_demos: lab.bug_demos().iter().filter_map(|d| {
                            let title = presets.iter().find(|p| p.id == d.preset)?.title;
                            Some((d.bug, title))
                        }).collect(),
                        on_show_bug: link.callback(Msg::ShowBug),
                        related: lab.related().iter().filter_map(|r| {
                            Some((r.lab, failscope_labs::catalogue::info(r.lab)?.title, r.why))
                        }).collect(),
                    }} />
                },
                Tab::Events => html! {
                    <Deferred<EventLogProps> chunk={&EVENT_LOG} props={EventLogProps {
                        lines: log_lines(session, &self.filters),
                        enabled: self.filters.clone(),
                        on_toggle: link.callback(Msg::ToggleFilter),
                        on_action: on_action.clone(),
                    }} />
                },
                Tab::History => {
                    let grown =
                        self.jobs.checked.as_ref().is_some_and(|c| {
                            c.history.operations.len() != sim.history().operations.len()
                        });
                    html! {
                        <Deferred<ConsistencyProps> chunk={&HISTORY_PANEL} props={ConsistencyProps {
                            checked: self.jobs.checked.clone(),
                            checking: self.jobs.checking,
                            stale_result: grown,
                            on_check: link.callback(|()| Msg::CheckHistory),
                            on_action: on_action.clone(),
                            history_link: ctx.props().history.clone(),
                            lab: lab.id(),
                        }} />
                    }
                }
            };
            let tabs = TABS.iter().map(|&(tab, label)| {
                let badge = (tab == Tab::Invariants && violations > 0).then(|| html! { <span class="badge">{ violations }</span> });
                html! {
                    <button role="tab" class={classes!("tab", (tab == self.tab).then_some("active"))} aria-selected={(tab == self.tab).to_string()}
                            data-testid={format!("tab-{}", label.to_ascii_lowercase().replace(' ', "-"))} onclick={link.callback(move |_| Msg::Tab(tab))}>
                        { label }{ for badge }
                    </button>
                }
            });
            html! {
                <aside class="sidebar">
                    <div class="tabs" role="tablist">{ for tabs }</div>
                    <div class="tab-panel" role="tabpanel">{ panel }</div>
                    <ChallengeAnnouncer reports={challenges} />
                </aside>
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
        let share_menu = self.share.open.then(|| {
            html! {
                <Deferred<ShareMenuProps> chunk={&SHARE_MENU} props={ShareMenuProps {
                    link: self.share.link.clone(),
                    embed: self.share.embed.clone(),
                    status: self.share.status.clone(),
                    exports: session.lab.exports(),
                    on_action: link.callback(Msg::Share),
                    on_close: link.callback(|()| Msg::ToggleShare),
                }} />
            }
        });
        // The lab's primary pictures (the point of the lab: the ring) sit beside the mesh
        // of nodes on the first screen; the others go below.
        let (primary, pictures): (Vec<_>, Vec<_>) =
            sim.pictures().into_iter().partition(|p| p.primary);
        let toolbar = self.refresh.view(Part::Toolbar, || {
            html! {
                <FaultToolbar selection={session.selection.clone()} statuses={FaultToolbarProps::statuses_of(view)}
                              partitioned={view.network.is_partitioned() || !view.network.clogs.is_empty()}
                              n_keys={sim.scenario().clients.n_keys} message_kind={selected_kind} on_action={on_action.clone()} />
            }
        });
        let spacetime = self.refresh.view(Part::Diagram, || {
            html! { <SpaceTime diagram={self.painter.diagram.clone()} on_zoom={link.callback(Msg::Zoom)} on_action={on_action.clone()} /> }
        });
        let lower_class = classes!(
            "lower",
            (!pictures.is_empty() || !lab.verbs().is_empty()).then_some("with-panel")
        );
        let below = self.refresh.view(Part::Pictures, || {
            lab_panel(session, lab, pictures, on_action.clone(), view)
        });
        let tradeoffs = (!lab.tradeoffs().is_empty()).then(|| {
            self.refresh.view(Part::Pictures, || {
                html! {
                    <TradeoffChart results={self.jobs.tradeoffs.clone()} measuring={self.jobs.measuring} count={lab.tradeoffs().len()}
                                   on_measure={link.callback(|()| Msg::MeasureTradeoffs)} />
                }
            })
        });
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
                    { compare_links(lab, current_preset) }
                    <span class="spacer" />
                    <button class="btn btn-primary" data-testid="share-button" aria-expanded={self.share.open.to_string()}
                            onclick={link.callback(|_| Msg::ToggleShare)}>{ "Share" }</button>
                    <button class="btn" data-testid="help-button" aria-label="Keyboard help (?)" onclick={link.callback(|_| Msg::ToggleHelp)}>{ "?" }</button>
                </div>
                { for share_menu }
                { for notice }
                { for catching_up }
                // Like a video player: the picture, the narration, the controls and the
                // timeline share the first screen; the side panel scrolls inside itself.
                <div class="workspace">
                    <div class="player">
                        <div class={classes!("player-view", (!primary.is_empty()).then_some("with-primary"))}>
                            { stage }
                            if !primary.is_empty() {
                                <div class="primary-pictures" data-testid="primary-pictures">{ picture_frames(session, primary, view, None) }</div>
                            }
                        </div>
                        { for self.narration(session, view.time) }
                        { controls }
                        <crate::components::timeline::Timeline now={view.time} end={session.timeline_end()} markers={self.markers.clone()} on_action={on_action.clone()} marks={session.marks} />
                    </div>
                    { side }
                </div>
                { toolbar }
                <div class={lower_class}>
                    { spacetime }
                    { below }
                </div>
                { for tradeoffs }
                <div class="sr-only" aria-live="polite" data-testid="live-region">{ &session.live_text }</div>
                if self.help_open {
                    <Deferred<HelpProps> chunk={&HELP} props={HelpProps { on_close: link.callback(|()| Msg::ToggleHelp) }} />
                }
            </div>
        }
    }
}

/// What the narration says instead of the healthy story when the run has left it: a
/// deliberate bug is on (with what to watch for, when this is the scenario that exposes
/// it), and a check fired that no chapter tells of (the bug caught, or a fault's harm).
fn departure(session: &Session, preset: &failscope_sim::lab::Preset) -> Option<String> {
    let sim = session.sim();
    let lab = session.lab;
    let bug = lab
        .params()
        .iter()
        .find(|p| p.key == failscope_sim::lab::BUG_PARAM)
        .and_then(|spec| {
            let value = *sim.scenario().params.get(spec.key).unwrap_or(&spec.default);
            let failscope_sim::lab::Unit::Choice(names) = spec.unit else {
                return None;
            };
            (value != spec.default).then(|| {
                let name = names.get(value as usize).copied().unwrap_or("unknown");
                let watch = lab
                    .bug_demos()
                    .iter()
                    .find(|d| d.bug == value && d.preset == preset.id)
                    .map_or("This scenario's story describes the correct protocol: watch the Invariants tab for the check that catches it.", |d| d.note);
                format!("A deliberate bug is on: “{name}”. {watch}")
            })
        });
    let untold = sim.invariants().into_iter().find(|r| {
        r.spec.modality == failscope_sim::invariant::Modality::Always
            && r.status.first_violation.is_some()
            && !preset.chapters.iter().any(|c| c.cue == Some(r.spec.name))
    });
    let caught = untold.and_then(|report| {
        let v = report.status.first_violation.as_ref()?;
        Some(format!(
            "“{}” was violated at {}: {}.",
            report.spec.name,
            format_time(v.time),
            v.detail
        ))
    });
    match (bug, caught) {
        (Some(bug), Some(caught)) => Some(format!("{bug} Caught: {caught}")),
        (Some(bug), None) => Some(bug),
        (None, Some(caught)) => Some(format!(
            "{caught} The run has left this scenario's story, which describes a correct run; the Invariants tab and the timeline mark the moment."
        )),
        (None, None) => None,
    }
}

/// Links to watch the current preset side by side with its counterpart: a button when it
/// has one, a menu naming each when it has several.
fn compare_links(lab: &'static dyn failscope_sim::Lab, current: Option<&str>) -> Html {
    let presets = crate::session::presets_of(lab);
    let links = lab
        .comparisons()
        .into_iter()
        .filter(|(a, b)| current == Some(*a) || current == Some(*b))
        .map(|(a, b)| {
            let href = format!("#compare={}/{a},{}/{b}", lab.id(), lab.id());
            let other = if current == Some(a) { b } else { a };
            let title = presets
                .iter()
                .find(|p| p.id == other)
                .map_or(other, |p| p.title);
            (href, title)
        })
        .collect::<Vec<_>>();
    let link = |(href, title): &(String, &str), label: &str| {
        html! {
            <a class="btn" data-testid="compare-link" href={href.clone()} title={format!("Watch this run side by side with “{title}”")}>
                { label.to_string() }
            </a>
        }
    };
    match links.as_slice() {
        [] => html! {},
        // One counterpart: a short button, its name in the tooltip.
        [one] => link(one, "Side by side ⇆"),
        several => html! {
            <details class="compare-menu" data-testid="compare-menu">
                <summary class="btn">{ "Side by side ⇆" }</summary>
                <div class="compare-list" role="group" aria-label="Watch side by side with">
                    { for several.iter().map(|pair| link(pair, pair.1)) }
                </div>
            </details>
        },
    }
}

/// The lab's own changes (its verbs) and its pictures that are not primary (the servers'
/// logs...), below the first screen.
fn lab_panel(
    session: &Session,
    lab: &'static dyn failscope_sim::Lab,
    pictures: Vec<failscope_sim::picture::Picture>,
    on_action: Callback<UiAction>,
    view: &Shared<failscope_sim::view::View>,
) -> Html {
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
    if pictures.is_empty() && verbs.is_none() && lab.batches().is_empty() {
        return html! {};
    }
    let batches = (!lab.batches().is_empty()).then(|| {
        html! {
            <Deferred<BatchChartsProps> chunk={&BATCH_CHARTS} props={BatchChartsProps {
                lab: lab.id().into(),
                scenario: session.sim().scenario().clone(),
                file_stem: Some(crate::components::share::file_stem(session)),
            }} />
        }
    });
    html! {
        <div class="lab-pictures">
            { for verbs }
            { picture_frames(session, pictures, view, Some("pictures")) }
            { for batches }
        </div>
    }
}

/// Pictures in their frames; several share the width in a responsive grid.
fn picture_frames(
    session: &Session,
    pictures: Vec<failscope_sim::picture::Picture>,
    view: &Shared<failscope_sim::view::View>,
    testid: Option<&'static str>,
) -> Html {
    if pictures.is_empty() {
        return html! {};
    }
    let struck: Vec<usize> = view
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.status == failscope_sim::world::NodeStatus::Down)
        .map(|(i, _)| i)
        .collect();
    let several = (pictures.len() > 1).then_some("several");
    let stem = crate::components::share::file_stem(session);
    html! {
        <div class={classes!("pictures", several)} data-testid={testid}>
            { for pictures.into_iter().map(|p| { let key = p.id; html! {
                <PictureFrame key={key} picture={p} struck={struck.clone()} now={view.time} file_stem={stem.clone()} />
            }}) }
        </div>
    }
}

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
