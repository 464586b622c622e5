//! Single-decree Paxos as pure handlers: proposers (prepare, then accept), acceptors (promise
//! and accept, both kept on disk), learners (count accepted messages per ballot).

use super::checks::PaxosChecks;
use super::config::{Bug, Config};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Nodes};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, Hold, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::Time;
use std::marker::PhantomData;

/// What a lab running Paxos adds to it: how it reads its parameters, its checks and
/// pictures, and (in the asynchronous model) its adversary. The protocol is the same.
pub trait Flavour: Clone + std::fmt::Debug + 'static {
    type Checker: Checker<Paxos<Self>>;
    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String>;
    fn pictures(config: &Config, nodes: &Nodes<'_, Paxos<Self>>, now: Time) -> Vec<Picture>;
    fn adversary(
        config: &Config,
        nodes: &Nodes<'_, Paxos<Self>>,
        to: NodeId,
        msg: &Msg,
    ) -> Option<Hold> {
        let _ = (config, nodes, to, msg);
        None
    }
}

/// The paxos lab's own flavour.
#[derive(Clone, Debug)]
pub struct Classic;

impl Flavour for Classic {
    type Checker = PaxosChecks;
    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }
    fn pictures(config: &Config, nodes: &Nodes<'_, Paxos>, _now: Time) -> Vec<Picture> {
        vec![super::pictures::ballots(config, nodes)]
    }
}

/// A ballot number: unique per proposer, ordered by round and then by proposer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ballot {
    pub round: u32,
    pub proposer: NodeId,
}

impl Ballot {
    pub const ZERO: Ballot = Ballot {
        round: 0,
        proposer: 0,
    };

    /// "3.S1": round 3 of proposer S1.
    pub fn name(&self) -> String {
        if *self == Ballot::ZERO {
            "0".into()
        } else {
            format!("{}.{}", self.round, node_name(self.proposer))
        }
    }
}

/// A proposal's value: proposer k's input is k + 1 (shown A, B, C); 0 is the empty value
/// no proposer ever proposes.
pub type Value = u8;

pub fn value_name(value: Value) -> String {
    match value {
        0 => "∅".into(),
        v => char::from(b'A' + (v - 1) % 26).to_string(),
    }
}

/// The value proposer `node` was asked to propose.
pub fn input_of(node: NodeId) -> Value {
    (node % 250) as Value + 1
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Prepare {
        ballot: Ballot,
    },
    /// The promise not to take part in lower ballots, with the acceptor's latest accepted
    /// proposal, if any.
    Promise {
        ballot: Ballot,
        accepted: Option<(Ballot, Value)>,
    },
    Accept {
        ballot: Ballot,
        value: Value,
    },
    Accepted {
        ballot: Ballot,
        value: Value,
    },
    /// `ballot` was refused or overtaken: the acceptor has promised `promised`.
    Preempted {
        ballot: Ballot,
        promised: Ballot,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A proposer's first try.
    Start,
    /// No answer for a while: try a higher ballot.
    Retry,
    /// The randomized wait after a preemption is over.
    Backoff,
}

/// An acceptor's part in one ballot, for the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub ballot: Ballot,
    pub accepted: Option<Value>,
}

/// How many ballots an acceptor remembers (for the picture and the adversary).
pub const MARKS_KEPT: usize = 48;

/// What survives a crash: an acceptor's promise and accepted proposal, a proposer's highest
/// round (so a restarted proposer never reuses a ballot), a learner's value.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub promised: Ballot,
    pub accepted: Option<(Ballot, Value)>,
    pub round: u32,
    pub learned: Option<(Ballot, Value)>,
    /// Recent ballots this acceptor promised or accepted in, oldest first.
    pub marks: Vec<Mark>,
    /// A proposer's recent ballots with the time (its monotonic clock) it prepared each.
    pub ballots: Vec<(Ballot, i64)>,
    /// When (its monotonic clock) a proposer or learner came to know the chosen value.
    pub decided_mono: Option<i64>,
}

impl Durable {
    fn mark(&mut self, ballot: Ballot, accepted: Option<Value>) {
        match self.marks.iter_mut().find(|m| m.ballot == ballot) {
            Some(m) => m.accepted = accepted.or(m.accepted),
            None => {
                let at = self.marks.partition_point(|m| m.ballot < ballot);
                self.marks.insert(at, Mark { ballot, accepted });
                if self.marks.len() > MARKS_KEPT {
                    self.marks.remove(0);
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Preparing {
        ballot: Ballot,
        promises: Vec<(NodeId, Option<(Ballot, Value)>)>,
    },
    Accepting {
        ballot: Ballot,
        value: Value,
        accepted: Vec<NodeId>,
    },
    BackingOff,
    Chosen {
        ballot: Ballot,
        value: Value,
    },
}

#[derive(Clone, Debug)]
pub struct Proposer {
    /// The value this proposer was asked to propose.
    pub input: Value,
    pub phase: Phase,
    /// The highest round seen in any answer.
    pub seen_round: u32,
    pub tries: u32,
}

#[derive(Clone, Debug)]
pub struct Learner {
    pub learned: Option<(Ballot, Value)>,
    /// Acceptors heard accepting, per ballot (the newest few ballots).
    votes: Vec<(Ballot, Value, Vec<NodeId>)>,
}

#[derive(Clone, Debug)]
pub enum Role {
    Proposer(Proposer),
    Acceptor { promised: Ballot },
    Learner(Learner),
}

/// One Paxos node, in the lab flavour `K`.
#[derive(Clone, Debug)]
pub struct Paxos<K = Classic> {
    pub role: Role,
    flavour: PhantomData<K>,
}

impl<K> Paxos<K> {
    pub fn proposer(&self) -> Option<&Proposer> {
        match &self.role {
            Role::Proposer(p) => Some(p),
            _ => None,
        }
    }

    pub fn learner(&self) -> Option<&Learner> {
        match &self.role {
            Role::Learner(l) => Some(l),
            _ => None,
        }
    }

    /// An acceptor's promise (its volatile copy).
    pub fn promised(&self) -> Option<Ballot> {
        match self.role {
            Role::Acceptor { promised } => Some(promised),
            _ => None,
        }
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

impl Proposer {
    fn ballot(&self) -> Option<Ballot> {
        match self.phase {
            Phase::Preparing { ballot, .. } | Phase::Accepting { ballot, .. } => Some(ballot),
            _ => None,
        }
    }

    fn prepare<K: Flavour>(&mut self, ctx: &mut Ctx<'_, Paxos<K>>) {
        let round = self.seen_round.max(ctx.durable().round) + 1;
        let ballot = Ballot {
            round,
            proposer: ctx.id(),
        };
        let mono = ctx.monotonic_clock();
        let durable = ctx.durable_mut();
        durable.round = round;
        durable.ballots.push((ballot, mono));
        if durable.ballots.len() > MARKS_KEPT {
            durable.ballots.remove(0);
        }
        self.tries += 1;
        self.phase = Phase::Preparing {
            ballot,
            promises: Vec::new(),
        };
        ctx.note(format!(
            "{} prepares ballot {}",
            node_name(ctx.id()),
            ballot.name()
        ));
        for a in ctx.config().acceptors() {
            ctx.send(a, Msg::Prepare { ballot });
        }
        ctx.set_timer(Timer::Retry, ctx.config().retry_us);
    }

    /// Give up on the current ballot: back off for a random while, or try again at once.
    fn preempted<K: Flavour>(&mut self, ctx: &mut Ctx<'_, Paxos<K>>, why: String) {
        let config = ctx.config();
        if config.backoff {
            let cap = config.backoff_us << self.tries.saturating_sub(1).min(4);
            let wait = ctx.rng().range_inclusive(1, cap.max(1));
            ctx.note(format!(
                "{} {why}; backs off for {}",
                node_name(ctx.id()),
                failscope_sim::time::format_duration(wait)
            ));
            self.phase = Phase::BackingOff;
            ctx.cancel_timer(Timer::Retry);
            ctx.set_timer(Timer::Backoff, wait);
        } else {
            ctx.note(format!(
                "{} {why}; tries again at once",
                node_name(ctx.id())
            ));
            self.prepare(ctx);
        }
    }

    fn on_message<K: Flavour>(&mut self, ctx: &mut Ctx<'_, Paxos<K>>, from: NodeId, msg: Msg) {
        let majority = ctx.config().majority();
        let me = node_name(ctx.id());
        match (&mut self.phase, msg) {
            (
                Phase::Preparing { ballot, promises },
                Msg::Promise {
                    ballot: b,
                    accepted,
                },
            ) if *ballot == b => {
                let ballot = *ballot;
                if promises.iter().any(|(n, _)| *n == from) {
                    return;
                }
                promises.push((from, accepted));
                if promises.len() < majority {
                    return;
                }
                let highest = promises
                    .iter()
                    .filter_map(|&(n, a)| Some((a?, n)))
                    .max_by(|x, y| (x.0).0.cmp(&(y.0).0).then(y.1.cmp(&x.1)));
                let own = self.input;
                let value = match highest {
                    Some(((b, v), n)) if ctx.config().bug != Bug::IgnoresAcceptedValue => {
                        ctx.mark(format!(
                            "{me} adopts {} from {}'s promise (accepted in ballot {})",
                            value_name(v),
                            node_name(n),
                            b.name()
                        ));
                        v
                    }
                    Some(((_, v), n)) => {
                        ctx.note(format!(
                            "{me} ignores {} in {}'s promise and proposes its own {}",
                            value_name(v),
                            node_name(n),
                            value_name(own)
                        ));
                        own
                    }
                    None => own,
                };
                ctx.note(format!(
                    "{me} has promises from a majority: asks to accept {} in ballot {}",
                    value_name(value),
                    ballot.name()
                ));
                self.phase = Phase::Accepting {
                    ballot,
                    value,
                    accepted: Vec::new(),
                };
                for a in ctx.config().acceptors() {
                    ctx.send(a, Msg::Accept { ballot, value });
                }
                ctx.set_timer(Timer::Retry, ctx.config().retry_us);
            }
            (
                Phase::Accepting {
                    ballot,
                    value,
                    accepted,
                },
                Msg::Accepted { ballot: b, .. },
            ) if *ballot == b => {
                push_unique(accepted, from);
                if accepted.len() >= majority {
                    let (ballot, value) = (*ballot, *value);
                    ctx.mark(format!(
                        "{me} knows {} is chosen (ballot {})",
                        value_name(value),
                        ballot.name()
                    ));
                    self.phase = Phase::Chosen { ballot, value };
                    ctx.cancel_timer(Timer::Retry);
                    ctx.durable_mut().decided_mono = Some(ctx.monotonic_clock());
                }
            }
            (_, Msg::Preempted { ballot, promised }) => {
                self.seen_round = self.seen_round.max(promised.round);
                if self.ballot() == Some(ballot) {
                    let why = format!(
                        "is preempted: {} has promised {}",
                        node_name(from),
                        promised.name()
                    );
                    self.preempted(ctx, why);
                }
            }
            _ => {}
        }
    }

    fn on_timer<K: Flavour>(&mut self, ctx: &mut Ctx<'_, Paxos<K>>, timer: Timer) {
        match (timer, &self.phase) {
            (Timer::Start, Phase::Idle) | (Timer::Backoff, Phase::BackingOff) => self.prepare(ctx),
            (Timer::Retry, Phase::Preparing { .. } | Phase::Accepting { .. }) => {
                self.preempted(ctx, "hears no majority in time".into())
            }
            _ => {}
        }
    }
}

fn on_acceptor<K: Flavour>(
    promised: &mut Ballot,
    ctx: &mut Ctx<'_, Paxos<K>>,
    from: NodeId,
    msg: Msg,
) {
    let bug = ctx.config().bug;
    let refuse = |ctx: &mut Ctx<'_, Paxos<K>>, ballot: Ballot, promised: Ballot| {
        ctx.send(ballot.proposer, Msg::Preempted { ballot, promised });
    };
    match msg {
        Msg::Prepare { ballot } if ballot >= *promised => {
            let before = *promised;
            *promised = ballot;
            let durable = ctx.durable_mut();
            if bug != Bug::ForgetsPromise {
                durable.promised = ballot;
            }
            durable.mark(ballot, None);
            let accepted = match durable.accepted {
                None if bug == Bug::EmptyValueInPromise => Some((Ballot::ZERO, 0)),
                a => a,
            };
            ctx.send(from, Msg::Promise { ballot, accepted });
            // Tell the proposer of the overtaken ballot at once, rather than let it find out
            // when its accept is refused: a step past Lamport's suggested optimisation (tell
            // a proposer whose request is refused), which does not touch safety.
            if before != Ballot::ZERO && before.proposer != ballot.proposer {
                refuse(ctx, before, ballot);
            }
        }
        Msg::Accept { ballot, value } if ballot >= *promised || bug == Bug::AcceptsLowerBallot => {
            *promised = ballot.max(*promised);
            let durable = ctx.durable_mut();
            if bug != Bug::ForgetsPromise {
                durable.promised = *promised;
            }
            durable.accepted = Some((ballot, value));
            durable.mark(ballot, Some(value));
            ctx.note(format!(
                "{} accepts {} in ballot {}",
                node_name(ctx.id()),
                value_name(value),
                ballot.name()
            ));
            let msg = Msg::Accepted { ballot, value };
            ctx.send(ballot.proposer, msg.clone());
            for l in ctx.config().learners() {
                ctx.send(l, msg.clone());
            }
        }
        Msg::Prepare { ballot } | Msg::Accept { ballot, .. } => refuse(ctx, ballot, *promised),
        _ => {}
    }
}

impl Learner {
    fn on_accepted<K: Flavour>(
        &mut self,
        ctx: &mut Ctx<'_, Paxos<K>>,
        from: NodeId,
        ballot: Ballot,
        value: Value,
    ) {
        let at = match self.votes.iter().position(|v| v.0 == ballot) {
            Some(at) => at,
            None => {
                self.votes.push((ballot, value, Vec::new()));
                if self.votes.len() > MARKS_KEPT {
                    let oldest = (0..self.votes.len())
                        .min_by_key(|&i| self.votes[i].0)
                        .unwrap_or(0);
                    self.votes.remove(oldest);
                }
                self.votes.iter().position(|v| v.0 == ballot).unwrap_or(0)
            }
        };
        let voters = &mut self.votes[at].2;
        push_unique(voters, from);
        if voters.len() < ctx.config().majority() || self.learned.map(|l| l.1) == Some(value) {
            return;
        }
        let names: Vec<String> = voters.iter().map(|&n| node_name(n)).collect();
        ctx.mark(format!(
            "{} learns {}: accepted in ballot {} by {}",
            node_name(ctx.id()),
            value_name(value),
            ballot.name(),
            names.join(", ")
        ));
        self.learned = Some((ballot, value));
        let mono = ctx.monotonic_clock();
        let durable = ctx.durable_mut();
        durable.decided_mono = durable.decided_mono.or(Some(mono));
        if ctx.config().bug != Bug::LearnerForgets {
            ctx.durable_mut().learned = self.learned;
        }
    }
}

impl<K: Flavour> Protocol for Paxos<K> {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = K::Checker;

    const MESSAGE_KINDS: &'static [&'static str] =
        &["Prepare", "Promise", "Accept", "Accepted", "Preempted"];
    const TIMER_NAMES: &'static [&'static str] = &["first try", "retry", "backoff over"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        K::configure(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Prepare { .. } => 0,
            Msg::Promise { .. } => 1,
            Msg::Accept { .. } => 2,
            Msg::Accepted { .. } => 3,
            Msg::Preempted { .. } => 4,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Prepare { ballot } => format!("prepare {}", ballot.name()),
            Msg::Promise { ballot, accepted } => match accepted {
                Some((b, v)) => format!(
                    "promise {}; I accepted {} in {}",
                    ballot.name(),
                    value_name(*v),
                    b.name()
                ),
                None => format!("promise {}; nothing accepted", ballot.name()),
            },
            Msg::Accept { ballot, value } => {
                format!("accept {} in {}?", value_name(*value), ballot.name())
            }
            Msg::Accepted { ballot, value } => {
                format!("accepted {} in {}", value_name(*value), ballot.name())
            }
            Msg::Preempted { ballot, promised } => {
                format!(
                    "{} is overtaken: promised {}",
                    ballot.name(),
                    promised.name()
                )
            }
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let me = ctx.id();
        let config = ctx.config();
        let role = if config.is_proposer(me) {
            // A restarted proposer goes again at once; at the start, proposer k waits k
            // times the spacing.
            let wait = if ctx.durable().round > 0 {
                0
            } else {
                config.start_every_us * Time::from(me)
            };
            ctx.set_timer(Timer::Start, wait);
            Role::Proposer(Proposer {
                input: input_of(me),
                phase: Phase::Idle,
                seen_round: 0,
                tries: 0,
            })
        } else if config.is_acceptor(me) {
            Role::Acceptor {
                promised: ctx.durable().promised,
            }
        } else {
            Role::Learner(Learner {
                learned: ctx.durable().learned,
                votes: Vec::new(),
            })
        };
        Paxos {
            role,
            flavour: PhantomData,
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match &mut self.role {
            Role::Proposer(p) => p.on_message(ctx, from, msg),
            Role::Acceptor { promised } => on_acceptor(promised, ctx, from, msg),
            Role::Learner(l) => {
                if let Msg::Accepted { ballot, value } = msg {
                    l.on_accepted(ctx, from, ballot, value);
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        if let Role::Proposer(p) = &mut self.role {
            p.on_timer(ctx, timer);
        }
    }

    fn state(&self, durable: &Durable, _config: &Config) -> NodeState {
        match &self.role {
            Role::Proposer(p) => {
                let (tone, headline) = match &p.phase {
                    Phase::Idle => (Tone::Idle, "waiting to start".into()),
                    Phase::Preparing { ballot, promises } => (
                        Tone::Candidate,
                        format!("prepare {}: {} promised", ballot.name(), promises.len()),
                    ),
                    Phase::Accepting { ballot, value, .. } => (
                        Tone::Candidate,
                        format!("accept {} in {}", value_name(*value), ballot.name()),
                    ),
                    Phase::BackingOff => (Tone::Suspect, "backing off".into()),
                    Phase::Chosen { value, .. } => {
                        (Tone::Primary, format!("chosen: {}", value_name(*value)))
                    }
                };
                NodeState {
                    role: "proposer".into(),
                    tone,
                    headline,
                    fields: vec![
                        ("its own value".into(), value_name(p.input)),
                        ("tries".into(), p.tries.to_string()),
                        ("highest round".into(), durable.round.to_string()),
                    ],
                }
            }
            Role::Acceptor { promised } => acceptor_state(*promised, durable),
            Role::Learner(l) => NodeState {
                role: "learner".into(),
                tone: if l.learned.is_some() {
                    Tone::Primary
                } else {
                    Tone::Idle
                },
                headline: match l.learned {
                    Some((_, v)) => format!("learned {}", value_name(v)),
                    None => "nothing learned".into(),
                },
                fields: Vec::new(),
            },
        }
    }

    fn pictures(config: &Config, nodes: &Nodes<'_, Self>, now: Time) -> Vec<Picture> {
        K::pictures(config, nodes, now)
    }

    fn adversary(
        config: &Config,
        nodes: &Nodes<'_, Self>,
        _from: NodeId,
        to: NodeId,
        msg: &Msg,
    ) -> Option<Hold> {
        K::adversary(config, nodes, to, msg)
    }

    fn down_state(durable: &Durable, config: &Config) -> NodeState {
        let _ = config;
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            fields: vec![("promised (on disk)".into(), durable.promised.name())],
        }
    }
}

fn acceptor_state(promised: Ballot, durable: &Durable) -> NodeState {
    let accepted = match durable.accepted {
        Some((b, v)) => format!("{} in {}", value_name(v), b.name()),
        None => "nothing".into(),
    };
    NodeState {
        role: "acceptor".into(),
        tone: Tone::Secondary,
        headline: match durable.accepted {
            Some((_, v)) => format!("accepted {}", value_name(v)),
            None if promised != Ballot::ZERO => format!("promised {}", promised.name()),
            None => "idle".into(),
        },
        fields: vec![
            ("promised".into(), promised.name()),
            ("accepted".into(), accepted),
        ],
    }
}
