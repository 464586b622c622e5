//! The engine proper: one simulated world of `P` nodes, a network, clients and an event
//! queue ordered by (time, insertion sequence). [`World::step`] processes one queued event;
//! everything else (seek, fork, the object-safe [`crate::Simulation`]) is built on it in
//! `run`. The world writes every event into a [`Trace`] it is handed; it keeps only a
//! position in it, so a world can be cloned as a checkpoint and replayed against the same
//! trace (replayed events are compared, not appended).

use crate::action::{Action, ActionError, ScheduledFault};
use crate::client::{
    ClientConfig, ClientOp, ClientReply, ClientRequest, ClientState, Outcome, Pending, RequestId,
};
use crate::clock::NodeClock;
use crate::ids::{MsgId, NodeId};
use crate::invariant::{
    Checker, Finding, InvariantStatus, Modality, Nodes, Observation, Violation,
};
use crate::limits::{MANUAL_CLIENTS, MAX_IN_FLIGHT, MAX_TRACE_EVENTS};
use crate::metrics::Metrics;
use crate::network::Network;
use crate::protocol::{Ctx, Effect, Protocol};
use crate::queue::EventQueue;
use crate::rng::{Rng, Stream};
use crate::scenario::{Params, Scenario};
use crate::time::Time;
use crate::trace::{DropReason, NetChange, NoteKind, Trace, TraceEvent, TraceKind};
use serde::Serialize;
use std::collections::BTreeSet;

/// Whether a node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum NodeStatus {
    Up,
    Down,
    Paused { until: Time },
}

/// A pending timer of a node.
#[derive(Clone, Copy, Debug)]
pub struct TimerSlot<T> {
    pub timer: T,
    pub generation: u64,
    pub set_at: Time,
    pub deadline: Time,
    /// When the queue event standing for this timer will pop (never after `deadline`).
    pub(crate) queued_at: Time,
}

/// A message on its way.
#[derive(Clone, Debug)]
pub struct Envelope<M> {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Time,
    pub deliver_at: Time,
    pub kind: u8,
    pub msg: M,
    /// Decided at send time: the network will lose it.
    pub(crate) lost: bool,
}

/// Where an in-flight message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessagePlace {
    /// On the wire.
    Flying,
    /// Held on a clogged link.
    Held,
    /// Arrived at a paused node, waiting for it to resume.
    Waiting,
}

#[derive(Clone, Debug)]
pub(crate) enum Event<P: Protocol> {
    Deliver(Envelope<P::Msg>),
    Timer {
        node: NodeId,
        timer: P::Timer,
        generation: u64,
    },
    Resume {
        node: NodeId,
        pause_id: u64,
    },
    Fault(u32),
    ClientIssue {
        client: u16,
    },
    ClientArrive {
        node: NodeId,
        request: ClientRequest,
    },
    ClientReply {
        client: u16,
        seq: u32,
        reply: ClientReply,
    },
    ClientTimeout {
        client: u16,
        seq: u32,
    },
}

#[derive(Clone, Debug)]
pub struct Node<P: Protocol> {
    pub(crate) state: Option<P>,
    pub(crate) durable: P::Durable,
    pub(crate) status: NodeStatus,
    pub(crate) timers: Vec<TimerSlot<P::Timer>>,
    /// Events that reached the node while it was paused, in arrival order.
    pub(crate) deferred: Vec<Event<P>>,
    pub(crate) clock: NodeClock,
    pub(crate) rng: Rng,
    pub(crate) pause_id: u64,
}

/// Why a run stopped on its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Halt {
    /// The trace reached the engine's bound on events.
    TraceFull,
}

impl std::fmt::Display for Halt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Halt::TraceFull => write!(
                f,
                "the run reached the limit of {MAX_TRACE_EVENTS} events; rewind, or restart with a shorter horizon"
            ),
        }
    }
}

#[derive(Clone, Debug)]
pub struct World<P: Protocol> {
    pub(crate) config: P::Config,
    params: Params,
    now: Time,
    next_msg: u64,
    pub(crate) events_processed: u64,
    pub(crate) actions_applied: usize,
    /// How many trace events this world has produced (its position in the trace).
    pub(crate) trace_len: usize,
    queue: EventQueue<Event<P>>,
    pub(crate) nodes: Vec<Node<P>>,
    pub(crate) network: Network,
    held: Vec<Envelope<P::Msg>>,
    dropped_by_user: BTreeSet<MsgId>,
    in_flight: usize,
    clients: Vec<ClientState>,
    client_config: ClientConfig,
    client_rng: Rng,
    next_value: u32,
    faults: std::sync::Arc<[ScheduledFault]>,
    pub(crate) metrics: Metrics,
    checker: P::Checker,
    pub(crate) invariants: Vec<InvariantStatus>,
    effects: Vec<Effect<P>>,
    findings: Vec<Finding>,
    pub(crate) halted: Option<Halt>,
}

impl<P: Protocol> World<P> {
    /// A world at time 0 with every node started. `params` must already be resolved.
    pub fn boot(
        scenario: &Scenario,
        params: Params,
        config: P::Config,
        trace: &mut Trace,
    ) -> World<P> {
        let n = scenario.n_nodes;
        let nodes = (0..n)
            .map(|node| {
                let mut clock = NodeClock::default();
                if let Some(setting) = scenario.clocks.iter().find(|c| c.node == node) {
                    clock = NodeClock::with_offset(setting.offset_us);
                    clock.set_drift(0, setting.drift_ppm);
                }
                Node {
                    state: None,
                    durable: P::Durable::default(),
                    status: NodeStatus::Up,
                    timers: Vec::new(),
                    deferred: Vec::new(),
                    clock,
                    rng: Rng::stream(scenario.seed, Stream::Timers, u64::from(node)),
                    pause_id: 0,
                }
            })
            .collect();
        let n_client_slots = scenario.clients.n_clients + MANUAL_CLIENTS;
        let mut world = World {
            config,
            params,
            now: 0,
            next_msg: 1,
            events_processed: 0,
            actions_applied: 0,
            trace_len: 0,
            queue: EventQueue::default(),
            nodes,
            network: Network::new(
                scenario.network.clone(),
                Rng::stream(scenario.seed, Stream::Network, 0),
                n,
            ),
            held: Vec::new(),
            dropped_by_user: BTreeSet::new(),
            in_flight: 0,
            clients: vec![ClientState::default(); usize::from(n_client_slots)],
            client_config: scenario.clients.clone(),
            client_rng: Rng::stream(scenario.seed, Stream::Workload, 0),
            next_value: 1,
            faults: scenario.faults.clone().into(),
            metrics: Metrics::default(),
            checker: P::Checker::default(),
            invariants: vec![InvariantStatus::default(); P::Checker::specs().len()],
            effects: Vec::new(),
            findings: Vec::new(),
            halted: None,
        };
        for (index, fault) in scenario.faults.iter().enumerate() {
            world.push(fault.at_us, Event::Fault(index as u32));
        }
        for client in 0..scenario.clients.n_clients {
            let think = world.think_time();
            world.push(think, Event::ClientIssue { client });
        }
        for node in 0..n {
            world.start_node(trace, node);
        }
        world
    }

    // ----- reading ---------------------------------------------------------------------

    pub fn now(&self) -> Time {
        self.now
    }

    pub fn n_nodes(&self) -> u16 {
        self.nodes.len() as u16
    }

    pub fn config(&self) -> &P::Config {
        &self.config
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    pub fn node_status(&self, node: NodeId) -> Option<NodeStatus> {
        self.nodes.get(usize::from(node)).map(|n| n.status)
    }

    pub fn node_state(&self, node: NodeId) -> Option<&P> {
        self.nodes.get(usize::from(node))?.state.as_ref()
    }

    pub fn durable(&self, node: NodeId) -> Option<&P::Durable> {
        self.nodes.get(usize::from(node)).map(|n| &n.durable)
    }

    pub fn clock(&self, node: NodeId) -> Option<&NodeClock> {
        self.nodes.get(usize::from(node)).map(|n| &n.clock)
    }

    pub fn timers(&self, node: NodeId) -> &[TimerSlot<P::Timer>] {
        self.nodes
            .get(usize::from(node))
            .map_or(&[], |n| n.timers.as_slice())
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn in_flight_count(&self) -> usize {
        self.in_flight
    }

    /// The time of the next queued event, if any.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek_time()
    }

    /// Whether the next queued event is a message delivery.
    pub fn next_is_delivery(&self) -> bool {
        matches!(self.queue.peek(), Some(Event::Deliver(_)))
    }

    /// Every message in flight (on the wire, held on a clog, or waiting at a paused node),
    /// ordered by id.
    pub fn messages_in_flight(&self) -> Vec<(&Envelope<P::Msg>, MessagePlace)> {
        let mut out: Vec<(&Envelope<P::Msg>, MessagePlace)> = Vec::with_capacity(self.in_flight);
        for event in self.queue.iter() {
            if let Event::Deliver(env) = event {
                if !self.dropped_by_user.contains(&env.id) {
                    out.push((env, MessagePlace::Flying));
                }
            }
        }
        out.extend(self.held.iter().map(|e| (e, MessagePlace::Held)));
        for node in &self.nodes {
            for q in &node.deferred {
                if let Event::Deliver(env) = q {
                    out.push((env, MessagePlace::Waiting));
                }
            }
        }
        // Sorted through (id, index) pairs, a type every lab shares: sorting `out` itself
        // would compile a sort per lab (ids are unique, so the order is the same).
        let mut order: Vec<(MsgId, u32)> = out
            .iter()
            .enumerate()
            .map(|(i, (e, _))| (e.id, i as u32))
            .collect();
        order.sort_unstable();
        order.into_iter().map(|(_, i)| out[i as usize]).collect()
    }

    pub fn message(&self, id: MsgId) -> Option<&Envelope<P::Msg>> {
        self.messages_in_flight()
            .into_iter()
            .find(|(e, _)| e.id == id)
            .map(|(e, _)| e)
    }

    pub fn invariant_statuses(&self) -> &[InvariantStatus] {
        &self.invariants
    }

    // ----- advancing -------------------------------------------------------------------

    /// Process the next queued event. Returns its time, or `None` when the queue is empty or
    /// the run has halted.
    pub fn step(&mut self, trace: &mut Trace) -> Option<Time> {
        if self.halted.is_some() {
            return None;
        }
        let (time, _seq, event) = self.queue.pop()?;
        debug_assert!(time >= self.now, "time went backwards");
        self.now = time;
        self.events_processed += 1;
        match event {
            Event::Deliver(env) => self.deliver(trace, env),
            Event::Timer {
                node,
                timer,
                generation,
            } => self.fire_timer(trace, node, timer, generation),
            Event::Resume { node, pause_id } => self.resume(trace, node, pause_id),
            Event::Fault(index) => {
                let action = self.faults.get(index as usize).map(|f| f.action.clone());
                if let Some(action) = action {
                    if let Err(e) = self.apply(trace, &action) {
                        self.emit(
                            trace,
                            TraceKind::Note {
                                node: 0,
                                kind: NoteKind::Info,
                                text: format!("scheduled fault skipped: {e}").into(),
                            },
                        );
                    }
                }
            }
            Event::ClientIssue { client } => self.client_issue(trace, client, None),
            Event::ClientArrive { node, request } => self.client_arrive(trace, node, request),
            Event::ClientReply { client, seq, reply } => {
                self.client_reply(trace, client, seq, reply)
            }
            Event::ClientTimeout { client, seq } => {
                if self.pending_seq(client) == Some(seq) {
                    self.client_return(trace, client, Outcome::Timeout);
                }
            }
        }
        Some(self.now)
    }

    /// Move the clock forward to `time` without processing anything (between events).
    pub(crate) fn advance_to(&mut self, time: Time) {
        debug_assert!(self.next_event_time().is_none_or(|t| t >= time) || time <= self.now);
        self.now = self.now.max(time);
    }

    fn push(&mut self, time: Time, event: Event<P>) {
        self.queue.push(time, event);
    }

    /// Record one trace event (about 1.5 per queue event: inlined into the hot callers).
    #[inline(always)]
    pub(crate) fn emit(&mut self, trace: &mut Trace, kind: TraceKind) {
        let event = TraceEvent {
            time: self.now,
            kind,
        };
        if self.trace_len < trace.len() {
            debug_assert_eq!(
                trace.events()[self.trace_len],
                event,
                "replay diverged from the recorded trace (nondeterminism)"
            );
        } else {
            trace.push(event);
        }
        self.trace_len += 1;
        if self.trace_len >= MAX_TRACE_EVENTS {
            self.halted = Some(Halt::TraceFull);
        }
    }

    // ----- messages --------------------------------------------------------------------

    fn deliver(&mut self, trace: &mut Trace, env: Envelope<P::Msg>) {
        if self.dropped_by_user.remove(&env.id) {
            return; // already recorded as dropped when the user dropped it
        }
        let (from, to) = (env.from, env.to);
        // A message waiting at a paused node is checked again when the node resumes: one that
        // a partition cut off meanwhile is lost, so nothing is ever delivered across a cut.
        let reason = if env.lost {
            Some(DropReason::Loss)
        } else if !self.network.can_reach(from, to) {
            Some(DropReason::Partition)
        } else {
            None
        };
        if let Some(reason) = reason {
            return self.drop_message(trace, &env, reason);
        }
        if self.network.is_clogged(from, to) {
            self.held.push(env);
            return;
        }
        match self.nodes[usize::from(to)].status {
            NodeStatus::Down => self.drop_message(trace, &env, DropReason::NodeDown),
            NodeStatus::Paused { .. } => {
                self.nodes[usize::from(to)]
                    .deferred
                    .push(Event::Deliver(env));
            }
            NodeStatus::Up => {
                let nodes = Nodes {
                    slots: &self.nodes,
                    config: &self.config,
                    now: self.now,
                };
                if let Some(hold) = P::adversary(&self.config, &nodes, from, to, &env.msg) {
                    let mut env = env;
                    env.deliver_at = self.now + hold.for_us.max(1);
                    let text = hold.why.into();
                    let kind = NoteKind::Info;
                    self.emit(
                        trace,
                        TraceKind::Note {
                            node: to,
                            kind,
                            text,
                        },
                    );
                    return self.push(env.deliver_at, Event::Deliver(env));
                }
                self.in_flight -= 1;
                self.metrics.messages_delivered += 1;
                self.emit(
                    trace,
                    TraceKind::Deliver {
                        msg: env.id,
                        from,
                        to,
                        kind: env.kind,
                        sent_at: env.sent_at,
                    },
                );
                let id = env.id;
                let msg = env.msg;
                self.run_handler(trace, to, Some(id), |state, ctx| {
                    state.on_message(ctx, from, msg)
                });
            }
        }
    }

    fn drop_message(&mut self, trace: &mut Trace, env: &Envelope<P::Msg>, reason: DropReason) {
        self.in_flight -= 1;
        self.metrics.dropped(reason);
        self.emit(
            trace,
            TraceKind::Drop {
                msg: env.id,
                from: env.from,
                to: env.to,
                kind: env.kind,
                sent_at: env.sent_at,
                reason,
            },
        );
    }

    fn send(&mut self, trace: &mut Trace, from: NodeId, to: NodeId, msg: P::Msg) {
        if to >= self.n_nodes() {
            debug_assert!(false, "{from} sent to a node that does not exist: {to}");
            return;
        }
        let kind = P::message_kind(&msg);
        let fate = if from == to {
            crate::network::Fate {
                delay_us: 0,
                lost: false,
                duplicate_delay_us: None,
            }
        } else {
            self.network.fate(from, to, self.now)
        };
        let env = self.envelope(from, to, kind, fate.delay_us, fate.lost, msg);
        let copy = fate.duplicate_delay_us.map(|delay| {
            let mut copy = env.clone();
            copy.deliver_at = self.now + delay;
            copy
        });
        let original = env.id;
        self.launch(trace, env);
        if let Some(mut copy) = copy {
            copy.id = self.next_msg_id();
            self.metrics.messages_duplicated += 1;
            self.emit(
                trace,
                TraceKind::Duplicate {
                    msg: original,
                    copy: copy.id,
                },
            );
            self.launch(trace, copy);
        }
    }

    fn next_msg_id(&mut self) -> MsgId {
        let id = MsgId(self.next_msg);
        self.next_msg += 1;
        id
    }

    fn envelope(
        &mut self,
        from: NodeId,
        to: NodeId,
        kind: u8,
        delay: Time,
        lost: bool,
        msg: P::Msg,
    ) -> Envelope<P::Msg> {
        Envelope {
            id: self.next_msg_id(),
            from,
            to,
            sent_at: self.now,
            deliver_at: self.now + delay,
            kind,
            msg,
            lost,
        }
    }

    /// Record the send and queue the delivery (or drop it at once when the engine is full).
    fn launch(&mut self, trace: &mut Trace, env: Envelope<P::Msg>) {
        self.metrics.messages_sent += 1;
        self.in_flight += 1;
        self.emit(
            trace,
            TraceKind::Send {
                msg: env.id,
                from: env.from,
                to: env.to,
                kind: env.kind,
                deliver_at: env.deliver_at,
            },
        );
        if self.in_flight > MAX_IN_FLIGHT {
            return self.drop_message(trace, &env, DropReason::Overflow);
        }
        self.push(env.deliver_at, Event::Deliver(env));
    }

    fn release_held(&mut self, trace: &mut Trace, link: Option<(NodeId, NodeId)>) {
        let (release, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|e| link.is_none_or(|l| l == (e.from, e.to)));
        self.held = keep;
        let _ = trace;
        for mut env in release {
            env.deliver_at = self.now + self.network.redelivery_delay(env.from, env.to, self.now);
            self.push(env.deliver_at, Event::Deliver(env));
        }
    }

    // ----- timers and handlers ---------------------------------------------------------

    fn fire_timer(&mut self, trace: &mut Trace, node: NodeId, timer: P::Timer, generation: u64) {
        let slot = &mut self.nodes[usize::from(node)];
        if let NodeStatus::Paused { .. } = slot.status {
            // Frozen: the timer fires late, when the node resumes.
            slot.deferred.push(Event::Timer {
                node,
                timer,
                generation,
            });
            return;
        }
        let Some(pos) = slot
            .timers
            .iter()
            .position(|t| t.timer == timer && t.generation == generation)
        else {
            return; // cancelled or replaced
        };
        let deadline = slot.timers[pos].deadline;
        if deadline > self.now {
            // Set again since this event was queued: wait for the new deadline.
            slot.timers[pos].queued_at = deadline;
            return self.push(
                deadline,
                Event::Timer {
                    node,
                    timer,
                    generation,
                },
            );
        }
        slot.timers.swap_remove(pos);
        self.emit(
            trace,
            TraceKind::Timer {
                node,
                timer: P::timer_index(timer),
            },
        );
        self.run_handler(trace, node, None, |state, ctx| state.on_timer(ctx, timer));
    }

    fn start_node(&mut self, trace: &mut Trace, node: NodeId) {
        let n_nodes = self.n_nodes();
        let mut effects = std::mem::take(&mut self.effects);
        let slot = &mut self.nodes[usize::from(node)];
        let mut ctx = Ctx {
            node,
            n_nodes,
            now: self.now,
            config: &self.config,
            durable: &mut slot.durable,
            clock: &slot.clock,
            rng: &mut slot.rng,
            effects: &mut effects,
            current_msg: None,
        };
        let state = P::start(&mut ctx);
        slot.state = Some(state);
        self.finish_handler(trace, node, None, effects);
    }

    fn run_handler(
        &mut self,
        trace: &mut Trace,
        node: NodeId,
        current_msg: Option<MsgId>,
        handler: impl FnOnce(&mut P, &mut Ctx<'_, P>),
    ) {
        let n_nodes = self.n_nodes();
        let mut effects = std::mem::take(&mut self.effects);
        let slot = &mut self.nodes[usize::from(node)];
        let Some(state) = slot.state.as_mut() else {
            self.effects = effects;
            return;
        };
        let mut ctx = Ctx {
            node,
            n_nodes,
            now: self.now,
            config: &self.config,
            durable: &mut slot.durable,
            clock: &slot.clock,
            rng: &mut slot.rng,
            effects: &mut effects,
            current_msg,
        };
        handler(state, &mut ctx);
        self.finish_handler(trace, node, current_msg, effects);
    }

    /// Carry out what a handler asked for, then check the invariants.
    fn finish_handler(
        &mut self,
        trace: &mut Trace,
        node: NodeId,
        current_msg: Option<MsgId>,
        mut effects: Vec<Effect<P>>,
    ) {
        for effect in effects.drain(..) {
            match effect {
                Effect::Send { to, msg } => self.send(trace, node, to, msg),
                Effect::SetTimer { timer, after_us } => {
                    let generation = self.queue.next_seq();
                    let now = self.now;
                    let slot = &mut self.nodes[usize::from(node)];
                    let deadline = now + slot.clock.true_duration(after_us);
                    let entry = TimerSlot {
                        timer,
                        generation,
                        set_at: now,
                        deadline,
                        queued_at: deadline,
                    };
                    match slot.timers.iter_mut().find(|t| t.timer == timer) {
                        // Pushed later (an election timer reset by every heartbeat): the
                        // queued event fires first and reschedules itself, so resets cost
                        // no queue work.
                        Some(existing) if existing.queued_at <= deadline => {
                            existing.set_at = now;
                            existing.deadline = deadline;
                            continue;
                        }
                        Some(existing) => *existing = entry,
                        None => slot.timers.push(entry),
                    }
                    self.push(
                        deadline,
                        Event::Timer {
                            node,
                            timer,
                            generation,
                        },
                    );
                }
                Effect::CancelTimer { timer } => {
                    self.nodes[usize::from(node)]
                        .timers
                        .retain(|t| t.timer != timer);
                }
                Effect::Reply { request, reply } => {
                    let delay = self.client_config.latency.sample(&mut self.client_rng);
                    self.push(
                        self.now + delay,
                        Event::ClientReply {
                            client: request.client,
                            seq: request.seq,
                            reply,
                        },
                    );
                }
                Effect::Note { kind, text } => self.emit(
                    trace,
                    TraceKind::Note {
                        node,
                        kind,
                        text: text.into(),
                    },
                ),
                Effect::Count { name, delta } => {
                    *self.metrics.custom.entry(name).or_insert(0) += delta;
                }
            }
        }
        self.effects = effects;
        self.check_invariants(trace, node, current_msg);
    }

    fn check_invariants(&mut self, trace: &mut Trace, touched: NodeId, current_msg: Option<MsgId>) {
        if self.invariants.is_empty() {
            return;
        }
        let mut findings = std::mem::take(&mut self.findings);
        let nodes = Nodes {
            slots: &self.nodes,
            config: &self.config,
            now: self.now,
        };
        self.checker.check(&nodes, touched, &mut findings);
        let specs = P::Checker::specs();
        for finding in findings.drain(..) {
            let Some(spec) = specs.get(finding.invariant) else {
                continue;
            };
            let status = &mut self.invariants[finding.invariant];
            match spec.modality {
                Modality::Always if status.first_violation.is_none() => {
                    status.first_violation = Some(Violation {
                        time: self.now,
                        trace_index: self.trace_len,
                        nodes: finding.nodes,
                        messages: current_msg.into_iter().collect(),
                        detail: finding.detail,
                    });
                    self.emit(
                        trace,
                        TraceKind::Violation {
                            invariant: finding.invariant as u8,
                        },
                    );
                }
                Modality::Sometimes | Modality::Anomaly if status.observed.is_none() => {
                    status.observed = Some(Observation {
                        time: self.now,
                        trace_index: self.trace_len,
                        nodes: finding.nodes,
                        detail: finding.detail,
                    });
                }
                _ => {}
            }
        }
        self.findings = findings;
    }

    // ----- faults ----------------------------------------------------------------------

    fn resume(&mut self, trace: &mut Trace, node: NodeId, pause_id: u64) {
        let slot = &mut self.nodes[usize::from(node)];
        if slot.pause_id != pause_id || !matches!(slot.status, NodeStatus::Paused { .. }) {
            return;
        }
        slot.status = NodeStatus::Up;
        let deferred = std::mem::take(&mut slot.deferred);
        self.emit(trace, TraceKind::Resume { node });
        for q in deferred {
            self.push(self.now, q);
        }
    }

    /// Check that `action` can be applied now, without changing anything. (Parameter keys
    /// and ranges are the lab's business: `Scenario::validate` and `LabRun::apply` check them.)
    pub fn check_action(&self, action: &Action) -> Result<(), ActionError> {
        let n = self.n_nodes();
        for node in action.nodes() {
            if node >= n {
                return Err(ActionError(format!(
                    "there is no node {}",
                    crate::ids::node_name(node)
                )));
            }
        }
        let status = |node: NodeId| self.nodes[usize::from(node)].status;
        match action {
            Action::Crash { node } if status(*node) == NodeStatus::Down => {
                Err(ActionError(format!("{} is already down", crate::ids::node_name(*node))))
            }
            Action::Restart { node } if status(*node) != NodeStatus::Down => {
                Err(ActionError(format!("{} is not down", crate::ids::node_name(*node))))
            }
            Action::Pause { node, .. } if status(*node) != NodeStatus::Up => Err(ActionError(format!(
                "{} is not running, so it cannot be paused",
                crate::ids::node_name(*node)
            ))),
            Action::Pause { duration_us: 0, .. } => Err(ActionError("a pause needs a positive duration".into())),
            Action::DropMessage { msg } | Action::DuplicateMessage { msg } if self.message(*msg).is_none() => {
                Err(ActionError(format!("message #{} is no longer in flight", msg.0)))
            }
            Action::ClientRequest { .. } if self.idle_manual_client().is_none() => Err(ActionError(
                "every hand-driven client is still waiting for an answer; try again in a moment".into(),
            )),
            Action::SetParam { key, value } => {
                let mut params = self.params.clone();
                params.insert(key.clone(), *value);
                P::configure(&params, n).map(|_| ()).map_err(ActionError)
            }
            Action::Lab { verb, args } => {
                let mut config = self.config.clone();
                P::lab_action(&mut config, verb, args).map(|_| ()).map_err(ActionError)
            }
            _ => Ok(()),
        }
    }

    /// Apply a fault or a hand-made change at the current time.
    pub fn apply(&mut self, trace: &mut Trace, action: &Action) -> Result<(), ActionError> {
        self.check_action(action)?;
        match action {
            Action::Crash { node } => {
                let slot = &mut self.nodes[usize::from(*node)];
                slot.status = NodeStatus::Down;
                slot.state = None;
                slot.timers.clear();
                slot.pause_id += 1;
                let deferred = std::mem::take(&mut slot.deferred);
                self.emit(trace, TraceKind::Crash { node: *node });
                for q in deferred {
                    if let Event::Deliver(env) = q {
                        self.drop_message(trace, &env, DropReason::NodeDown);
                    }
                }
            }
            Action::Restart { node } => {
                self.nodes[usize::from(*node)].status = NodeStatus::Up;
                self.emit(trace, TraceKind::Restart { node: *node });
                self.start_node(trace, *node);
            }
            Action::Pause { node, duration_us } => {
                let until = self.now + duration_us;
                let slot = &mut self.nodes[usize::from(*node)];
                slot.status = NodeStatus::Paused { until };
                slot.pause_id += 1;
                let pause_id = slot.pause_id;
                self.emit(trace, TraceKind::Pause { node: *node, until });
                self.push(
                    until,
                    Event::Resume {
                        node: *node,
                        pause_id,
                    },
                );
            }
            Action::ClockJump { node, delta_us } => {
                let now = self.now;
                self.nodes[usize::from(*node)].clock.jump(now, *delta_us);
                self.emit(
                    trace,
                    TraceKind::ClockJump {
                        node: *node,
                        delta_us: *delta_us,
                    },
                );
            }
            Action::ClockDrift { node, ppm } => {
                let now = self.now;
                self.nodes[usize::from(*node)].clock.set_drift(now, *ppm);
                self.emit(
                    trace,
                    TraceKind::ClockDrift {
                        node: *node,
                        ppm: *ppm,
                    },
                );
            }
            Action::Partition { groups } => {
                self.network.partition(groups);
                let groups: Box<[u8]> = self.network.groups().into();
                self.emit(trace, TraceKind::Network(NetChange::Partition { groups }));
            }
            Action::Cut { from, to } => {
                self.network.cut_link(*from, *to);
                self.emit(
                    trace,
                    TraceKind::Network(NetChange::Cut {
                        from: *from,
                        to: *to,
                    }),
                );
            }
            Action::Clog { from, to } => {
                self.network.clog(*from, *to);
                self.emit(
                    trace,
                    TraceKind::Network(NetChange::Clog {
                        from: *from,
                        to: *to,
                    }),
                );
            }
            Action::Unclog { from, to } => {
                self.network.unclog(*from, *to);
                self.emit(
                    trace,
                    TraceKind::Network(NetChange::Unclog {
                        from: *from,
                        to: *to,
                    }),
                );
                self.release_held(trace, Some((*from, *to)));
            }
            Action::Heal => {
                self.network.heal();
                self.emit(trace, TraceKind::Network(NetChange::Heal));
                self.release_held(trace, None);
            }
            Action::DropMessage { msg } => self.drop_by_hand(trace, *msg),
            Action::DuplicateMessage { msg } => {
                if let Some(original) = self.message(*msg).cloned() {
                    let mut copy = original;
                    copy.id = self.next_msg_id();
                    copy.sent_at = self.now;
                    copy.lost = false;
                    copy.deliver_at =
                        self.now + self.network.redelivery_delay(copy.from, copy.to, self.now);
                    self.metrics.messages_duplicated += 1;
                    self.emit(
                        trace,
                        TraceKind::Duplicate {
                            msg: *msg,
                            copy: copy.id,
                        },
                    );
                    self.launch(trace, copy);
                }
            }
            Action::ClientRequest { node, op } => {
                if let Some(client) = self.idle_manual_client() {
                    self.client_issue(trace, client, Some((*node, *op)));
                }
            }
            Action::SetParam { key, value } => {
                let mut params = self.params.clone();
                params.insert(key.clone(), *value);
                let config = P::configure(&params, self.n_nodes()).map_err(ActionError)?;
                self.params = params;
                self.config = config;
                self.emit(
                    trace,
                    TraceKind::Param {
                        key: key.as_str().into(),
                        value: *value,
                    },
                );
                self.config_changed(trace);
            }
            Action::Lab { verb, args } => {
                let text = P::lab_action(&mut self.config, verb, args).map_err(ActionError)?;
                self.emit(trace, TraceKind::LabChange { text: text.into() });
                self.config_changed(trace);
            }
        }
        Ok(())
    }

    fn config_changed(&mut self, trace: &mut Trace) {
        for node in 0..self.n_nodes() {
            self.run_handler(trace, node, None, |state, ctx| state.on_config_change(ctx));
        }
    }

    /// The lab's own pictures at the current time.
    pub fn pictures(&self) -> Vec<crate::picture::Picture> {
        let nodes = Nodes {
            slots: &self.nodes,
            config: &self.config,
            now: self.now,
        };
        P::pictures(&self.config, &nodes, self.now)
    }

    /// The lab's export file `id` at the current time (see `Protocol::export`).
    pub fn lab_export(&self, id: &str) -> Option<String> {
        let nodes = Nodes {
            slots: &self.nodes,
            config: &self.config,
            now: self.now,
        };
        P::export(&self.config, &nodes, self.now, id)
    }

    fn drop_by_hand(&mut self, trace: &mut Trace, id: MsgId) {
        let take_from = |list: &mut Vec<Envelope<P::Msg>>| {
            list.iter().position(|e| e.id == id).map(|i| list.remove(i))
        };
        if let Some(env) = take_from(&mut self.held) {
            return self.drop_message(trace, &env, DropReason::User);
        }
        for node in 0..self.nodes.len() {
            let deferred = &mut self.nodes[node].deferred;
            if let Some(i) = deferred
                .iter()
                .position(|q| matches!(q, Event::Deliver(e) if e.id == id))
            {
                if let Event::Deliver(env) = deferred.remove(i) {
                    return self.drop_message(trace, &env, DropReason::User);
                }
            }
        }
        let env = self.queue.iter().find_map(|event| match event {
            Event::Deliver(e) if e.id == id => Some(e.clone()),
            _ => None,
        });
        if let Some(env) = env {
            self.dropped_by_user.insert(id);
            self.drop_message(trace, &env, DropReason::User);
        }
    }

    // ----- clients ---------------------------------------------------------------------

    fn think_time(&mut self) -> Time {
        let c = &self.client_config;
        self.client_rng
            .range_inclusive(c.think_min_us, c.think_max_us)
    }

    fn pending_seq(&self, client: u16) -> Option<u32> {
        self.clients
            .get(usize::from(client))?
            .pending
            .map(|p| p.request.id.seq)
    }

    fn idle_manual_client(&self) -> Option<u16> {
        let first = self.client_config.n_clients;
        (first..first + MANUAL_CLIENTS).find(|&c| self.clients[usize::from(c)].pending.is_none())
    }

    fn next_op(&mut self) -> ClientOp {
        let c = &self.client_config;
        let key = self.client_rng.below(u64::from(c.n_keys)) as u16;
        if self.client_rng.chance_ppm(c.read_ppm) {
            return ClientOp::Read { key };
        }
        let value = self.next_value;
        self.next_value += 1;
        if self.client_rng.chance_ppm(c.cas_ppm) && value > 1 {
            let from = self.client_rng.range_inclusive(1, u64::from(value - 1)) as u32;
            ClientOp::Cas {
                key,
                from,
                to: value,
            }
        } else {
            ClientOp::Write { key, value }
        }
    }

    fn client_issue(&mut self, trace: &mut Trace, client: u16, manual: Option<(NodeId, ClientOp)>) {
        if manual.is_none()
            && self
                .client_config
                .stop_at_us
                .is_some_and(|stop| self.now >= stop)
        {
            return;
        }
        let (node, op) = match manual {
            Some(request) => request,
            None => {
                let op = self.next_op();
                let state = &self.clients[usize::from(client)];
                let avoid = state.avoid;
                let node = match (self.client_config.target, state.leader_hint) {
                    (crate::client::ClientTarget::Sticky, _) => client % self.n_nodes(),
                    (_, Some(hint)) => hint,
                    _ => self.random_node_except(avoid),
                };
                (node, op)
            }
        };
        let state = &mut self.clients[usize::from(client)];
        let seq = state.next_seq;
        state.next_seq += 1;
        let request = ClientRequest {
            id: RequestId { client, seq },
            op,
        };
        state.pending = Some(Pending {
            request,
            node,
            redirects: 0,
            invoked_at: self.now,
        });
        self.metrics.ops_invoked += 1;
        self.emit(
            trace,
            TraceKind::ClientInvoke {
                client,
                seq,
                node,
                op,
            },
        );
        let delay = self.client_config.latency.sample(&mut self.client_rng);
        self.push(self.now + delay, Event::ClientArrive { node, request });
        let timeout = self.client_config.timeout_us;
        self.push(self.now + timeout, Event::ClientTimeout { client, seq });
    }

    fn client_arrive(&mut self, trace: &mut Trace, node: NodeId, request: ClientRequest) {
        let slot = &mut self.nodes[usize::from(node)];
        match slot.status {
            NodeStatus::Down => {} // lost: the client will time out
            NodeStatus::Paused { .. } => {
                slot.deferred.push(Event::ClientArrive { node, request });
            }
            NodeStatus::Up => {
                self.run_handler(trace, node, None, |state, ctx| {
                    state.on_client(ctx, request)
                });
            }
        }
    }

    fn client_reply(&mut self, trace: &mut Trace, client: u16, seq: u32, reply: ClientReply) {
        let Some(pending) = self
            .clients
            .get(usize::from(client))
            .and_then(|c| c.pending)
        else {
            return;
        };
        if pending.request.id.seq != seq {
            return; // an answer to a request the client gave up on
        }
        match reply {
            ClientReply::Ok { value } => {
                // Remember who answered: the next request goes straight there.
                self.clients[usize::from(client)].leader_hint = Some(pending.node);
                self.client_return(trace, client, Outcome::Ok { value })
            }
            ClientReply::Fail => self.client_return(trace, client, Outcome::Fail),
            ClientReply::Mismatch => self.client_return(trace, client, Outcome::Mismatch),
            ClientReply::Redirect { leader } => {
                if pending.redirects >= self.client_config.max_redirects {
                    return self.client_return(trace, client, Outcome::Fail);
                }
                let next = match leader {
                    Some(l) if l < self.n_nodes() => l,
                    _ => self.random_node_except(Some(pending.node)),
                };
                let state = &mut self.clients[usize::from(client)];
                state.leader_hint = leader;
                state.pending = Some(Pending {
                    node: next,
                    redirects: pending.redirects + 1,
                    ..pending
                });
                let delay = self.client_config.latency.sample(&mut self.client_rng);
                self.push(
                    self.now + delay,
                    Event::ClientArrive {
                        node: next,
                        request: pending.request,
                    },
                );
            }
        }
    }

    /// A uniformly random node, other than `avoid` when there is a choice.
    fn random_node_except(&mut self, avoid: Option<NodeId>) -> NodeId {
        let n = self.n_nodes();
        match avoid {
            Some(skip) if n > 1 => {
                let pick = self.client_rng.below(u64::from(n - 1)) as NodeId;
                if pick >= skip {
                    pick + 1
                } else {
                    pick
                }
            }
            _ => self.client_rng.below(u64::from(n)) as NodeId,
        }
    }

    fn client_return(&mut self, trace: &mut Trace, client: u16, outcome: Outcome) {
        let state = &mut self.clients[usize::from(client)];
        let Some(pending) = state.pending.take() else {
            return;
        };
        let seq = pending.request.id.seq;
        if outcome == Outcome::Timeout {
            state.leader_hint = None;
            state.avoid = Some(pending.node);
        }
        match outcome {
            Outcome::Ok { .. } => self.metrics.ops_ok += 1,
            Outcome::Fail | Outcome::Mismatch => self.metrics.ops_failed += 1,
            Outcome::Timeout => self.metrics.ops_timed_out += 1,
        }
        if outcome != Outcome::Timeout {
            self.metrics
                .op_latency_us
                .record(self.now - pending.invoked_at);
        }
        self.emit(
            trace,
            TraceKind::ClientReturn {
                client,
                seq,
                outcome,
            },
        );
        if client < self.client_config.n_clients {
            let think = self.think_time();
            self.push(self.now + think, Event::ClientIssue { client });
        }
    }
}
