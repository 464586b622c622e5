//! A run of a lab: a [`World`] plus its trace, checkpoints and action log, behind the
//! object-safe [`Simulation`] trait the app and the CLI hold (`Box<dyn Simulation>`).
//!
//! Rewind is exact: checkpoints (world clones) are taken every few thousand events, and
//! `seek(t)` restores the latest one at or before `t` and replays forward; replayed events
//! are compared with the recorded trace instead of appended. Acting in the past forks: the
//! recorded future is discarded and the action is appended to the scenario's action log, so
//! (scenario, actions) always reproduces the session.

use crate::action::{Action, ActionError, ActionRecord};
use crate::challenge::ChallengeReport;
use crate::history::History;
use crate::ids::{node_name, MsgId};
use crate::invariant::{Checker, InvariantReport};
use crate::lab::Lab;
use crate::limits::{CHECKPOINT_EVERY, MAX_CHECKPOINTS};
use crate::metrics::Metrics;
use crate::protocol::Protocol;
use crate::scenario::{resolve_params, Scenario, ScenarioError};
use crate::time::Time;
use crate::trace::{NoteKind, Trace, TraceKind};
use crate::view::{ClockView, MessageView, NetworkView, NodeView, TimerView, View};
use crate::world::{NodeStatus, World};

/// Why `advance` stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advance {
    /// The target time was reached.
    Reached,
    /// The event budget ran out first (call again to continue).
    Budget,
    /// The run halted (see [`Simulation::halted`]).
    Halted,
}

/// A running simulation of any lab. Object-safe.
pub trait Simulation {
    fn lab(&self) -> &'static dyn Lab;
    /// The scenario with the action log of this session (up to the present of this timeline).
    fn scenario(&self) -> &Scenario;
    /// The cursor: the simulated time the world is at.
    fn now(&self) -> Time;
    /// The furthest time simulated so far on this timeline.
    fn horizon(&self) -> Time;
    fn events_processed(&self) -> u64;
    /// Process events until the next one that shows up in the trace; its time.
    fn step(&mut self) -> Option<Time>;
    /// Step until a message is delivered (or dropped); its time.
    fn step_to_next_delivery(&mut self) -> Option<Time>;
    /// Process every event up to `time` (inclusive), at most `max_events` of them.
    fn advance(&mut self, time: Time, max_events: u64) -> Advance;
    fn run_until(&mut self, time: Time) {
        self.advance(time, u64::MAX);
    }
    /// Process `n` queue events (or fewer if the queue empties); how many were processed.
    fn run_events(&mut self, n: u64) -> u64;
    /// Move the cursor to `time`, backwards (exactly, from a checkpoint) or forwards.
    fn seek(&mut self, time: Time);
    /// Do something to the system at the cursor. In the past, this forks the timeline.
    fn apply(&mut self, action: Action) -> Result<(), ActionError>;
    fn view(&self) -> View;
    fn describe_message(&self, id: MsgId) -> Option<String>;
    /// The whole recorded trace of this timeline (may extend past the cursor).
    fn trace(&self) -> &Trace;
    /// How many trace events happened up to the cursor.
    fn trace_position(&self) -> usize;
    /// The client history up to the cursor.
    fn history(&self) -> History;
    /// Invariants and their status at the cursor.
    fn invariants(&self) -> Vec<InvariantReport>;
    /// The lab's challenges and whether the run has achieved each by the cursor (read off
    /// the invariant statuses, so exact under seek and fork).
    fn challenges(&self) -> Vec<ChallengeReport> {
        if self.lab().challenges().is_empty() {
            return Vec::new();
        }
        crate::challenge::reports(self.lab(), self.params(), &self.invariants())
    }
    fn metrics(&self) -> &Metrics;
    /// Why the run stopped on its own, if it did.
    fn halted(&self) -> Option<String>;
    /// The lab parameters in force at the cursor (set-parameter actions included).
    fn params(&self) -> &crate::scenario::Params;
    fn message_kinds(&self) -> &'static [&'static str];
    fn timer_names(&self) -> &'static [&'static str];
    /// The lab's label sets for the space-time diagram and the one it shows first.
    fn stamp_sets(&self) -> (&'static [&'static str], u8) {
        (&[], 0)
    }
    /// Approximate memory held by the trace and checkpoints, in bytes.
    fn memory_bytes(&self) -> usize;
    /// The lab's own pictures at the cursor, for the shared picture components.
    fn pictures(&self) -> Vec<crate::picture::Picture>;
    /// The content of the lab's export file `id` (see `Lab::exports`) at the cursor, or
    /// `None` when it has nothing to export yet.
    fn lab_export(&self, id: &str) -> Option<String>;
}

struct Checkpoint<P: Protocol> {
    world: World<P>,
}

/// A run of protocol `P`.
pub struct LabRun<P: Protocol> {
    lab: &'static dyn Lab,
    scenario: Scenario,
    world: World<P>,
    trace: Trace,
    checkpoints: Vec<Checkpoint<P>>,
    spacing: u64,
    /// The furthest the cursor has been on this timeline (it may sit past the last event).
    furthest: Time,
}

impl<P: Protocol> LabRun<P> {
    /// Build a run from a validated scenario.
    pub fn new(lab: &'static dyn Lab, scenario: &Scenario) -> Result<LabRun<P>, ScenarioError> {
        let params = resolve_params(lab.params(), &scenario.params)?;
        let config = P::configure(&params, scenario.n_nodes).map_err(ScenarioError::Invalid)?;
        let mut trace = Trace::default();
        let world = World::<P>::boot(scenario, params, config, &mut trace);
        let mut run = LabRun {
            lab,
            scenario: scenario.clone(),
            world,
            trace,
            checkpoints: Vec::new(),
            spacing: CHECKPOINT_EVERY,
            furthest: 0,
        };
        run.checkpoints.push(Checkpoint {
            world: run.world.clone(),
        });
        Ok(run)
    }

    pub fn world(&self) -> &World<P> {
        &self.world
    }

    /// Apply actions from the log that are due at this point of the run. Called before every
    /// event, and almost always with nothing due: the check is inlined, the work is not.
    #[inline]
    fn apply_due_actions(&mut self, limit: Time) {
        if self.scenario.actions.len() > self.world.actions_applied {
            self.apply_logged_actions(limit);
        }
    }

    #[inline(never)]
    fn apply_logged_actions(&mut self, limit: Time) {
        while let Some(record) = self.scenario.actions.get(self.world.actions_applied) {
            if record.at_event > self.world.events_processed || record.at_us > limit {
                break;
            }
            let action = record.action.clone();
            self.world.advance_to(record.at_us);
            if let Err(e) = self.world.apply(&mut self.trace, &action) {
                self.note(format!("action skipped ({}): {e}", action.describe()));
            }
            self.world.actions_applied += 1;
        }
    }

    fn note(&mut self, text: String) {
        self.world.emit(
            &mut self.trace,
            TraceKind::Note {
                node: 0,
                kind: NoteKind::Info,
                text: text.into(),
            },
        );
    }

    /// Called before every event; takes a checkpoint every `spacing` events (the check is
    /// inlined, the clone is not).
    #[inline]
    fn maybe_checkpoint(&mut self) {
        let last = &self.checkpoints[self.checkpoints.len() - 1].world;
        if self.world.events_processed >= last.events_processed + self.spacing {
            self.checkpoint();
        }
    }

    #[inline(never)]
    fn checkpoint(&mut self) {
        self.checkpoints.push(Checkpoint {
            world: self.world.clone(),
        });
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep the first and every other one after it; seeking replays twice as far.
            let mut index = 0;
            self.checkpoints.retain(|_| {
                index += 1;
                index % 2 == 1
            });
            self.spacing *= 2;
        }
    }

    /// One queue event (after any due actions). Returns its time.
    fn step_raw(&mut self) -> Option<Time> {
        let next = self.world.next_event_time()?;
        self.apply_due_actions(next);
        self.maybe_checkpoint();
        self.world.step(&mut self.trace)
    }

    /// Step until the trace grows by an event matching `want` (bounded).
    fn step_until(&mut self, want: impl Fn(&TraceKind) -> bool) -> Option<Time> {
        const MAX_SILENT_EVENTS: u32 = 100_000;
        for _ in 0..MAX_SILENT_EVENTS {
            let before = self.world.trace_len;
            let time = self.step_raw()?;
            let grew = self.trace.events()[before..self.world.trace_len.min(self.trace.len())]
                .iter()
                .any(|e| want(&e.kind));
            if grew {
                return Some(time);
            }
        }
        Some(self.world.now())
    }
}

impl<P: Protocol> Simulation for LabRun<P> {
    fn lab(&self) -> &'static dyn Lab {
        self.lab
    }

    fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    fn now(&self) -> Time {
        self.world.now()
    }

    fn horizon(&self) -> Time {
        self.trace
            .end_time()
            .max(self.world.now())
            .max(self.furthest)
    }

    fn events_processed(&self) -> u64 {
        self.world.events_processed
    }

    fn step(&mut self) -> Option<Time> {
        self.step_until(|_| true)
    }

    fn step_to_next_delivery(&mut self) -> Option<Time> {
        self.step_until(|k| matches!(k, TraceKind::Deliver { .. } | TraceKind::Drop { .. }))
    }

    fn advance(&mut self, time: Time, max_events: u64) -> Advance {
        let mut budget = max_events;
        loop {
            if self.world.halted.is_some() {
                return Advance::Halted;
            }
            self.apply_due_actions(time);
            match self.world.next_event_time() {
                Some(next) if next <= time => {
                    if budget == 0 {
                        return Advance::Budget;
                    }
                    budget -= 1;
                    self.maybe_checkpoint();
                    self.world.step(&mut self.trace);
                }
                _ => break,
            }
        }
        self.world.advance_to(time);
        self.apply_due_actions(time);
        self.furthest = self.furthest.max(self.world.now());
        Advance::Reached
    }

    fn run_events(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n && self.step_raw().is_some() {
            done += 1;
        }
        done
    }

    fn seek(&mut self, time: Time) {
        // Start from the latest checkpoint at or before `time` when it is closer than the
        // present: always going backwards, and going forwards when it is further ahead.
        let index = self
            .checkpoints
            .partition_point(|c| c.world.now() <= time)
            .saturating_sub(1);
        let checkpoint = &self.checkpoints[index].world;
        let ahead = checkpoint.events_processed > self.world.events_processed;
        if time < self.world.now() || ahead {
            self.world = checkpoint.clone();
        }
        self.run_until(time);
    }

    fn apply(&mut self, action: Action) -> Result<(), ActionError> {
        if let Action::SetParam { key, value } = &action {
            let mut params = self.world.params().clone();
            params.insert(key.clone(), *value);
            resolve_params(self.lab.params(), &params).map_err(|e| ActionError(e.to_string()))?;
        }
        self.world.check_action(&action)?;
        // Fork: the recorded future of this timeline no longer happens.
        let (events, applied) = (self.world.events_processed, self.world.actions_applied);
        self.trace.truncate(self.world.trace_len);
        self.checkpoints.retain(|c| {
            let w = &c.world;
            w.events_processed < events
                || (w.events_processed == events && w.actions_applied <= applied)
        });
        self.scenario.actions.truncate(applied);
        self.furthest = self.world.now();
        self.scenario.actions.push(ActionRecord {
            at_event: events,
            at_us: self.world.now(),
            action: action.clone(),
        });
        self.world.halted = None;
        let result = self.world.apply(&mut self.trace, &action);
        self.world.actions_applied += 1;
        result
    }

    fn view(&self) -> View {
        let world = &self.world;
        let now = world.now();
        let config = world.config();
        let nodes = (0..world.n_nodes())
            .map(|id| {
                let status = world.node_status(id).unwrap_or(NodeStatus::Down);
                let durable = world.durable(id).expect("node exists");
                let state = match world.node_state(id) {
                    Some(p) => p.state(durable, config),
                    None => P::down_state(durable, config),
                };
                let clock = world.clock(id).expect("node exists");
                NodeView {
                    id,
                    name: node_name(id),
                    status,
                    state,
                    timers: world
                        .timers(id)
                        .iter()
                        .map(|t| TimerView {
                            name: P::TIMER_NAMES
                                .get(usize::from(P::timer_index(t.timer)))
                                .copied()
                                .unwrap_or("timer"),
                            set_at: t.set_at,
                            deadline: t.deadline,
                        })
                        .collect(),
                    clock: ClockView {
                        wall_us: clock.wall(now),
                        monotonic_us: clock.monotonic(now),
                        offset_us: clock.offset(now),
                        drift_ppm: clock.drift_ppm(),
                    },
                }
            })
            .collect();
        let messages = world
            .messages_in_flight()
            .into_iter()
            .map(|(e, place)| MessageView {
                id: e.id,
                from: e.from,
                to: e.to,
                kind: e.kind,
                sent_at: e.sent_at,
                deliver_at: e.deliver_at,
                place,
            })
            .collect();
        let network = world.network();
        View {
            time: now,
            nodes,
            messages,
            network: NetworkView {
                groups: network.groups().to_vec(),
                cuts: network.cuts().collect(),
                clogs: network.clogs().collect(),
            },
        }
    }

    fn describe_message(&self, id: MsgId) -> Option<String> {
        self.world.message(id).map(|e| P::describe_message(&e.msg))
    }

    fn trace(&self) -> &Trace {
        &self.trace
    }

    fn trace_position(&self) -> usize {
        self.world.trace_len.min(self.trace.len())
    }

    fn history(&self) -> History {
        History::from_events(&self.trace.events()[..self.trace_position()])
    }

    fn invariants(&self) -> Vec<InvariantReport> {
        P::Checker::specs()
            .iter()
            .zip(self.world.invariant_statuses())
            .map(|(spec, status)| InvariantReport {
                spec: *spec,
                status: status.clone(),
            })
            .collect()
    }

    fn metrics(&self) -> &Metrics {
        self.world.metrics()
    }

    fn halted(&self) -> Option<String> {
        self.world.halted.as_ref().map(|h| h.to_string())
    }

    fn params(&self) -> &crate::scenario::Params {
        self.world.params()
    }

    fn message_kinds(&self) -> &'static [&'static str] {
        P::MESSAGE_KINDS
    }

    fn timer_names(&self) -> &'static [&'static str] {
        P::TIMER_NAMES
    }

    fn stamp_sets(&self) -> (&'static [&'static str], u8) {
        (P::STAMP_SETS, P::stamp_choice(&self.world.config))
    }

    fn pictures(&self) -> Vec<crate::picture::Picture> {
        self.world.pictures()
    }

    fn lab_export(&self, id: &str) -> Option<String> {
        self.world.lab_export(id)
    }

    fn memory_bytes(&self) -> usize {
        // Checkpoints are dominated by queued messages and node state; count them coarsely.
        let per_checkpoint = std::mem::size_of::<World<P>>()
            + self.world.in_flight_count() * 64
            + usize::from(self.world.n_nodes()) * 256;
        self.trace.heap_bytes() + self.checkpoints.len() * per_checkpoint
    }
}
