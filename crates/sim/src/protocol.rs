//! What a lab implements: a protocol as pure per-node handlers.
//!
//! A handler never does I/O and never sees true time. It acts only through [`Ctx`]: send,
//! broadcast, set or cancel a timer, read its own clocks, read and write its durable storage,
//! draw from its random stream, reply to a client, and annotate the trace. The engine carries
//! the recorded effects out after the handler returns.

use crate::client::{ClientReply, ClientRequest, RequestId};
use crate::clock::NodeClock;
use crate::ids::{MsgId, NodeId};
use crate::invariant::{Checker, InvariantSpec};
use crate::rng::Rng;
use crate::time::Time;
use crate::trace::NoteKind;
use std::fmt::Debug;

/// A distributed protocol, one instance per node. The struct itself is the node's *volatile*
/// state (lost in a crash); `Durable` is what survives a crash and restart.
pub trait Protocol: Clone + Debug + Sized + 'static {
    type Msg: Clone + Debug;
    /// Named timers; setting one that is already pending replaces it.
    type Timer: Copy + Eq + Debug;
    type Durable: Clone + Default + Debug;
    /// The lab's parameters, parsed and validated.
    type Config: Clone + Debug;
    /// The invariants checked live during a run.
    type Checker: Checker<Self>;

    /// Display names of message kinds, indexed by [`Protocol::message_kind`].
    const MESSAGE_KINDS: &'static [&'static str];
    /// Display names of timers, indexed by [`Protocol::timer_index`].
    const TIMER_NAMES: &'static [&'static str];
    /// Names of the label sets a lab stamps events with for the space-time diagram
    /// ([`Ctx::stamp`]), e.g. one per kind of clock; the diagram offers a switch between
    /// them. Most labs stamp nothing.
    const STAMP_SETS: &'static [&'static str] = &[];

    /// Which of [`Protocol::STAMP_SETS`] the diagram shows first under this configuration.
    fn stamp_choice(config: &Self::Config) -> u8 {
        let _ = config;
        0
    }

    /// Parse and check the lab's parameters (already range-checked against its specs).
    fn configure(params: &crate::scenario::Params, n_nodes: u16) -> Result<Self::Config, String>;

    fn message_kind(msg: &Self::Msg) -> u8;
    fn timer_index(timer: Self::Timer) -> u8;

    /// A one-line description of a message for the inspector.
    fn describe_message(msg: &Self::Msg) -> String {
        format!("{msg:?}")
    }

    /// Create the node's volatile state, at the start of a run and again after each restart
    /// (durable state from before the crash is in `ctx.durable()`).
    fn start(ctx: &mut Ctx<'_, Self>) -> Self;

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Self::Msg);

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Self::Timer);

    /// A client request arrived. The default refuses it.
    fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, request: ClientRequest) {
        ctx.reply(request.id, ClientReply::Fail);
    }

    /// The lab's configuration changed mid-run (a parameter was set).
    fn on_config_change(&mut self, _ctx: &mut Ctx<'_, Self>) {}

    /// Apply a lab-specific action (`Action::Lab`) to the configuration. Returns a
    /// description for the trace, or why it cannot be done. The default knows no verbs.
    fn lab_action(config: &mut Self::Config, verb: &str, args: &[i64]) -> Result<String, String> {
        let _ = (config, args);
        Err(format!("this lab has no action “{verb}”"))
    }

    /// The lab's own pictures (a grid of logs, a ring, a state machine...) as data for the
    /// shared picture kinds, from the configuration and the nodes at time `now`. Called when
    /// the views ask, not on every event. The default has none.
    fn pictures(
        config: &Self::Config,
        nodes: &crate::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<crate::picture::Picture> {
        let _ = (config, nodes, now);
        Vec::new()
    }

    /// The content of the lab's export file `id` (one of `Lab::exports`) at time `now`, or
    /// `None` when there is nothing to export yet. Called only when someone downloads it.
    /// The default has none.
    fn export(
        config: &Self::Config,
        nodes: &crate::invariant::Nodes<'_, Self>,
        now: Time,
        id: &str,
    ) -> Option<String> {
        let _ = (config, nodes, now, id);
        None
    }

    /// An adversarial scheduler, for labs about the asynchronous model: just before `msg`
    /// from `from` reaches `to`, which is up, it may hold the message back for a while and
    /// say why in the event log, as the scheduler in Fischer, Lynch and Paterson's proof
    /// delays whatever would let the protocol decide. A held message is offered again when
    /// its hold ends, so a hold that ends once the message is harmless keeps the schedule
    /// fair. The default (every lab but those that model one) holds nothing.
    fn adversary(
        config: &Self::Config,
        nodes: &crate::invariant::Nodes<'_, Self>,
        from: NodeId,
        to: NodeId,
        msg: &Self::Msg,
    ) -> Option<Hold> {
        let _ = (config, nodes, from, to, msg);
        None
    }

    /// What the views show of this node.
    fn state(&self, durable: &Self::Durable, config: &Self::Config) -> NodeState;

    /// What the views show of a crashed node (only its durable state is left).
    fn down_state(durable: &Self::Durable, config: &Self::Config) -> NodeState {
        let _ = (durable, config);
        NodeState::default()
    }
}

/// A message held back by the adversarial scheduler ([`Protocol::adversary`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    /// How much longer it stays in flight (at least 1 µs).
    pub for_us: Time,
    /// The scheduler's reason, for the event log.
    pub why: String,
}

/// Neutral colour families for node roles. Every lab maps its own roles onto these (a Raft
/// leader is `Primary`, a replica `Secondary`), so the views and their palette (colour-blind
/// safe, light and dark) know no lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Nothing to report: a spare, an observer.
    #[default]
    Idle,
    /// The one in charge: a leader, a coordinator, a lock holder.
    Primary,
    /// Following a primary: a follower, a replica, a participant.
    Secondary,
    /// Trying to become primary, or in an in-between state worth watching.
    Candidate,
    /// Suspected or lagging: something is probably wrong with or around it.
    Suspect,
    /// Crashed, fenced or misbehaving.
    Faulty,
}

/// A node's state as the views show it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct NodeState {
    /// "leader", "follower", ...
    pub role: String,
    pub tone: Tone,
    /// A short line under the node: "term 4".
    pub headline: String,
    /// Name/value rows for the inspector.
    pub fields: Vec<(String, String)>,
}

/// Something a handler asked for; carried out by the engine after the handler returns.
#[derive(Clone, Debug)]
pub enum Effect<P: Protocol> {
    Send {
        to: NodeId,
        msg: P::Msg,
    },
    SetTimer {
        timer: P::Timer,
        after_us: Time,
    },
    CancelTimer {
        timer: P::Timer,
    },
    Reply {
        request: RequestId,
        reply: ClientReply,
    },
    Note {
        kind: NoteKind,
        text: String,
    },
    Count {
        name: &'static str,
        delta: i64,
    },
}

/// A handler's window on the world.
pub struct Ctx<'a, P: Protocol> {
    pub(crate) node: NodeId,
    pub(crate) n_nodes: u16,
    pub(crate) now: Time,
    pub(crate) config: &'a P::Config,
    pub(crate) durable: &'a mut P::Durable,
    pub(crate) clock: &'a NodeClock,
    pub(crate) rng: &'a mut Rng,
    pub(crate) effects: &'a mut Vec<Effect<P>>,
    /// The message being handled, if any (attached to invariant violations).
    pub(crate) current_msg: Option<MsgId>,
}

impl<'a, P: Protocol> Ctx<'a, P> {
    /// This node.
    pub fn id(&self) -> NodeId {
        self.node
    }

    pub fn n_nodes(&self) -> u16 {
        self.n_nodes
    }

    /// Every other node.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> + 'static {
        let me = self.node;
        (0..self.n_nodes).filter(move |&n| n != me)
    }

    pub fn config(&self) -> &P::Config {
        self.config
    }

    pub fn durable(&self) -> &P::Durable {
        self.durable
    }

    /// Durable storage: writes here survive a crash (as if fsynced before the handler returns).
    pub fn durable_mut(&mut self) -> &mut P::Durable {
        self.durable
    }

    /// The node's wall clock (offset, drift and jumps included), in microseconds.
    pub fn wall_clock(&self) -> i64 {
        self.clock.wall(self.now)
    }

    /// The node's monotonic clock: drifts with the hardware but never jumps.
    pub fn monotonic_clock(&self) -> i64 {
        self.clock.monotonic(self.now)
    }

    /// This node's own random stream (derived from the seed and the node id).
    pub fn rng(&mut self) -> &mut Rng {
        self.rng
    }

    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.effects.push(Effect::Send { to, msg });
    }

    /// Send `msg` to every other node.
    pub fn broadcast(&mut self, msg: P::Msg) {
        for to in self.peers() {
            self.effects.push(Effect::Send {
                to,
                msg: msg.clone(),
            });
        }
    }

    /// Fire `timer` after `after_us` of this node's own (possibly drifting) time,
    /// replacing it if it is already pending.
    pub fn set_timer(&mut self, timer: P::Timer, after_us: Time) {
        self.effects.push(Effect::SetTimer { timer, after_us });
    }

    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.effects.push(Effect::CancelTimer { timer });
    }

    pub fn reply(&mut self, request: RequestId, reply: ClientReply) {
        self.effects.push(Effect::Reply { request, reply });
    }

    /// A line for the event log.
    pub fn note(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Note {
            kind: NoteKind::Info,
            text: text.into(),
        });
    }

    /// A key moment, narrated to screen readers ("S3 became candidate in term 4").
    pub fn narrate(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Note {
            kind: NoteKind::Narrate,
            text: text.into(),
        });
    }

    /// A key moment that also gets a timeline marker (an election won).
    pub fn mark(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Note {
            kind: NoteKind::Marker,
            text: text.into(),
        });
    }

    /// Labels for the event being handled on the space-time diagram: one per label set of
    /// [`Protocol::STAMP_SETS`], in that order.
    pub fn stamp(&mut self, labels: &[String]) {
        let mut text = String::new();
        for (i, label) in labels.iter().enumerate() {
            if i > 0 {
                text.push(crate::trace::STAMP_SEPARATOR);
            }
            text.push_str(label);
        }
        self.effects.push(Effect::Note {
            kind: NoteKind::Stamp,
            text,
        });
    }

    /// Add to a lab-defined counter in the run's metrics.
    pub fn count(&mut self, name: &'static str, delta: i64) {
        self.effects.push(Effect::Count { name, delta });
    }

    /// The id of the message being handled, if this handler is a delivery.
    pub fn current_message(&self) -> Option<MsgId> {
        self.current_msg
    }
}

/// A checker that checks nothing, for labs whose safety properties live elsewhere.
#[derive(Clone, Debug, Default)]
pub struct NoChecks;

impl<P: Protocol> Checker<P> for NoChecks {
    fn specs() -> &'static [InvariantSpec] {
        &[]
    }
    fn check(
        &mut self,
        _: &crate::invariant::Nodes<'_, P>,
        _: NodeId,
        _: &mut Vec<crate::invariant::Finding>,
    ) {
    }
}
