//! The protocol. Three kinds of node share it: cluster members (followers, candidates, a
//! leader that writes to storage), the fence agent (a power switch reached out of band) and
//! storage. Elections are Raft's, cut down to what split brain needs: terms, one vote per
//! term, randomised timeouts, heartbeats. What a candidate needs to win and what a leader does
//! when it loses touch depend on the mode (see `config::Mode`).

use super::checks::SplitBrainChecks;
use super::config::{Bug, Config, Mode};
use crate::fencing::{self, Disk, Reply};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{format_duration, Time};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Heartbeat {
        term: u64,
    },
    Ack {
        term: u64,
    },
    VoteRequest {
        term: u64,
    },
    Vote {
        term: u64,
        granted: bool,
    },
    /// A leader's write to storage; its term is its fencing token.
    Write {
        token: u64,
    },
    /// Storage's answer.
    Storage(Reply),
    /// Leader to fence agent: power this server off.
    Fence {
        target: NodeId,
    },
    /// Fence agent to a server: the power is cut.
    PowerOff,
    /// A server to the fence agent: I am off.
    Off,
    /// Fence agent to the leader that asked: done.
    Fenced {
        target: NodeId,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Election,
    Heartbeat,
    /// The end of a candidate's wait for votes.
    VoteCount,
    Write,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    Candidate,
    Leader,
    /// Votes and acknowledges, never stands.
    Witness,
    /// Fenced by the agent: does nothing until restarted.
    PoweredOff,
}

/// A stretch of a member's history for the picture: leading a term, or powered off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stint {
    pub from: Time,
    pub to: Option<Time>,
    pub term: u64,
    pub off: bool,
}

/// What survives a crash. Members use the election fields, storage the rest.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub term: u64,
    pub voted_for: Option<NodeId>,
    pub stints: Vec<Stint>,
    pub disk: Disk,
}

#[derive(Clone, Debug)]
pub struct Member {
    pub role: Role,
    pub leader: Option<NodeId>,
    /// Who voted for this candidate (itself included), and how many answered at all.
    voters: Vec<NodeId>,
    answered: u16,
    /// When each member last acknowledged this leader (monotonic clock).
    last_ack: Vec<i64>,
    /// Fences this new leader still waits for before it serves (STONITH).
    pending_fences: u16,
}

#[derive(Clone, Debug)]
pub enum SplitBrain {
    Member(Member),
    /// The fence agent, with the fences it is carrying out: (target, who asked).
    Agent {
        pending: Vec<(NodeId, NodeId)>,
        fenced: u32,
    },
    Storage,
}

impl SplitBrain {
    pub fn member(&self) -> Option<&Member> {
        match self {
            SplitBrain::Member(m) => Some(m),
            _ => None,
        }
    }

    /// Whether this node believes it is the leader.
    pub fn leads(&self) -> bool {
        self.member().is_some_and(|m| m.role == Role::Leader)
    }

    /// Whether this node believes it leads and writes (a STONITH leader waits for its fences).
    pub fn writes(&self) -> bool {
        self.member()
            .is_some_and(|m| m.role == Role::Leader && m.pending_fences == 0)
    }
}

fn now_of(ctx: &Ctx<'_, SplitBrain>) -> Time {
    ctx.monotonic_clock().max(0) as Time
}

fn members(ctx: &Ctx<'_, SplitBrain>) -> impl Iterator<Item = NodeId> + 'static {
    let me = ctx.id();
    (0..ctx.config().n_members).filter(move |&n| n != me)
}

fn close_stint(ctx: &mut Ctx<'_, SplitBrain>) {
    let now = now_of(ctx);
    if let Some(open) = ctx
        .durable_mut()
        .stints
        .last_mut()
        .filter(|s| s.to.is_none())
    {
        open.to = Some(now);
    }
}

fn open_stint(ctx: &mut Ctx<'_, SplitBrain>, off: bool) {
    close_stint(ctx);
    let (from, term) = (now_of(ctx), ctx.durable().term);
    // A long run keeps the most recent history only.
    let stints = &mut ctx.durable_mut().stints;
    if stints.len() == 512 {
        stints.remove(0);
    }
    stints.push(Stint {
        from,
        to: None,
        term,
        off,
    });
}

impl Member {
    fn reset_election_timer(ctx: &mut Ctx<'_, SplitBrain>) {
        let t = ctx.config().election_us;
        let after = ctx.rng().range_inclusive(t, 2 * t);
        ctx.set_timer(Timer::Election, after);
    }

    /// Become a follower, in `term` if it is newer.
    fn step_down(&mut self, ctx: &mut Ctx<'_, SplitBrain>, term: u64, why: &str) {
        if self.role == Role::Leader {
            close_stint(ctx);
            ctx.mark(format!(
                "{} steps down from term {}: {why}",
                node_name(ctx.id()),
                ctx.durable().term
            ));
            ctx.cancel_timer(Timer::Heartbeat);
            ctx.cancel_timer(Timer::Write);
        }
        if term > ctx.durable().term {
            let durable = ctx.durable_mut();
            durable.term = term;
            durable.voted_for = None;
            self.leader = None;
        }
        if self.role != Role::Witness {
            self.role = Role::Follower;
            Member::reset_election_timer(ctx);
        }
    }

    fn stand(&mut self, ctx: &mut Ctx<'_, SplitBrain>) {
        let me = ctx.id();
        let term = ctx.durable().term + 1;
        let durable = ctx.durable_mut();
        durable.term = term;
        durable.voted_for = Some(me);
        self.role = Role::Candidate;
        self.leader = None;
        self.voters = vec![me];
        self.answered = 1;
        for peer in members(ctx) {
            ctx.send(peer, Msg::VoteRequest { term });
        }
        let wait = ctx.config().election_us / 4;
        ctx.set_timer(Timer::VoteCount, wait);
        Member::reset_election_timer(ctx);
    }

    fn win(&mut self, ctx: &mut Ctx<'_, SplitBrain>) {
        let me = ctx.id();
        self.role = Role::Leader;
        self.leader = Some(me);
        let now = ctx.monotonic_clock();
        self.last_ack.iter_mut().for_each(|t| *t = now);
        ctx.cancel_timer(Timer::Election);
        ctx.cancel_timer(Timer::VoteCount);
        open_stint(ctx, false);
        let term = ctx.durable().term;
        let votes: Vec<String> = self.voters.iter().map(|&v| node_name(v)).collect();
        ctx.mark(format!(
            "{} leads term {term} with the votes of {}",
            node_name(me),
            votes.join(", ")
        ));
        self.pending_fences = 0;
        if ctx.config().mode == Mode::Stonith {
            // Whoever did not vote may be a leader on the other side: power it off first.
            let config = ctx.config().clone();
            let targets: Vec<NodeId> = members(ctx)
                .filter(|m| !self.voters.contains(m) && !config.is_witness(*m))
                .collect();
            for &target in &targets {
                ctx.send(config.agent(), Msg::Fence { target });
            }
            self.pending_fences = targets.len() as u16;
            if !targets.is_empty() {
                let names: Vec<String> = targets.iter().map(|&t| node_name(t)).collect();
                ctx.narrate(format!(
                    "{} will not write until the fence agent has powered off {}",
                    node_name(me),
                    names.join(", ")
                ));
            }
        }
        self.heartbeat(ctx);
        let every = ctx.config().write_every_us;
        ctx.set_timer(Timer::Write, every);
    }

    /// Whether a majority (this leader included) acknowledged it within the check-quorum
    /// window. Always true in the modes without check-quorum, and under the bug that counts
    /// the majority among whoever answers.
    fn has_quorum(&self, ctx: &Ctx<'_, SplitBrain>) -> Result<(), String> {
        let config = ctx.config();
        let Some(window) = config.check_quorum_us() else {
            return Ok(());
        };
        if config.bug == Bug::MajorityOfReachable {
            return Ok(());
        }
        let now = ctx.monotonic_clock();
        let heard = 1 + members(ctx)
            .filter(|&m| now - self.last_ack[usize::from(m)] <= window as i64)
            .count() as u16;
        if heard >= config.majority() {
            Ok(())
        } else {
            Err(format!(
                "it has heard from only {heard} of {} servers in the last {}",
                config.n_members,
                format_duration(window)
            ))
        }
    }

    fn heartbeat(&mut self, ctx: &mut Ctx<'_, SplitBrain>) {
        if let Err(why) = self.has_quorum(ctx) {
            let term = ctx.durable().term;
            return self.step_down(ctx, term, &why);
        }
        let term = ctx.durable().term;
        for peer in members(ctx) {
            ctx.send(peer, Msg::Heartbeat { term });
        }
        let every = ctx.config().heartbeat_us;
        ctx.set_timer(Timer::Heartbeat, every);
    }

    fn write(&mut self, ctx: &mut Ctx<'_, SplitBrain>) {
        // Check-quorum again right before writing: a leader that was frozen for a while
        // finds out here, not after its write has gone.
        if let Err(why) = self.has_quorum(ctx) {
            let term = ctx.durable().term;
            return self.step_down(ctx, term, &why);
        }
        if self.pending_fences == 0 {
            let token = ctx.durable().term;
            let storage = ctx.config().storage();
            ctx.send(storage, Msg::Write { token });
        }
        let every = ctx.config().write_every_us;
        ctx.set_timer(Timer::Write, every);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, SplitBrain>, from: NodeId, msg: Msg) {
        if msg == Msg::PowerOff {
            if self.role == Role::Leader {
                close_stint(ctx);
            }
            if self.role != Role::PoweredOff {
                self.role = Role::PoweredOff;
                open_stint(ctx, true);
                ctx.mark(format!(
                    "{} is powered off by the fence agent",
                    node_name(ctx.id())
                ));
                for timer in [
                    Timer::Election,
                    Timer::Heartbeat,
                    Timer::VoteCount,
                    Timer::Write,
                ] {
                    ctx.cancel_timer(timer);
                }
            }
            return ctx.send(from, Msg::Off);
        }
        if self.role == Role::PoweredOff {
            return;
        }
        let current = ctx.durable().term;
        match msg {
            Msg::Heartbeat { term } => {
                if term < current {
                    // Tell the old leader it has been replaced.
                    return ctx.send(from, Msg::Ack { term: current });
                }
                if term == current && self.role == Role::Leader {
                    // Another leader of this very term (possible only without quorums):
                    // the checks flag it; neither gives way.
                    return;
                }
                if term > current || self.role == Role::Candidate {
                    self.step_down(ctx, term, "it hears from a leader of a newer term");
                }
                self.leader = Some(from);
                if self.role != Role::Witness {
                    Member::reset_election_timer(ctx);
                }
                ctx.send(from, Msg::Ack { term });
            }
            Msg::Ack { term } => {
                if term > current {
                    self.step_down(ctx, term, &format!("{} is in term {term}", node_name(from)));
                } else if self.role == Role::Leader && term == current {
                    self.last_ack[usize::from(from)] = ctx.monotonic_clock();
                }
            }
            Msg::VoteRequest { term } => {
                if term > current {
                    self.step_down(
                        ctx,
                        term,
                        &format!("{} stands in term {term}", node_name(from)),
                    );
                }
                let durable = ctx.durable();
                let granted = term == durable.term
                    && durable.voted_for.is_none_or(|v| v == from)
                    && self.role != Role::Leader;
                if granted {
                    ctx.durable_mut().voted_for = Some(from);
                    if self.role != Role::Witness {
                        Member::reset_election_timer(ctx);
                    }
                }
                let term = ctx.durable().term;
                ctx.send(from, Msg::Vote { term, granted });
            }
            Msg::Vote { term, granted } => {
                if term > current {
                    return self.step_down(ctx, term, "a voter is in a newer term");
                }
                if self.role != Role::Candidate || term != current {
                    return;
                }
                self.answered += 1;
                if granted {
                    self.voters.push(from);
                }
                let config = ctx.config();
                let at_once = config.mode != Mode::NoQuorum && config.bug == Bug::None;
                if at_once && self.voters.len() as u16 >= config.majority() {
                    self.win(ctx);
                }
            }
            Msg::Storage(Reply::Stale { token, highest }) => {
                ctx.mark(fencing::refusal(ctx.id(), token, highest));
                // The term is the token: a higher one means a newer leader exists.
                self.step_down(ctx, highest, "storage has seen a newer leader's token");
            }
            Msg::Fenced { target } => {
                if self.role == Role::Leader && self.pending_fences > 0 {
                    self.pending_fences -= 1;
                    if self.pending_fences == 0 {
                        ctx.narrate(format!(
                            "{} is off; {} starts writing",
                            node_name(target),
                            node_name(ctx.id())
                        ));
                    }
                }
            }
            Msg::Write { .. }
            | Msg::Storage(Reply::Written { .. })
            | Msg::Fence { .. }
            | Msg::PowerOff
            | Msg::Off => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, SplitBrain>, timer: Timer) {
        match (timer, self.role) {
            (Timer::Election, Role::Follower | Role::Candidate) => self.stand(ctx),
            (Timer::VoteCount, Role::Candidate)
                if ctx
                    .config()
                    .wins_after_waiting(self.voters.len() as u16, self.answered) =>
            {
                self.win(ctx)
            }
            (Timer::Heartbeat, Role::Leader) => self.heartbeat(ctx),
            (Timer::Write, Role::Leader) => self.write(ctx),
            _ => {}
        }
    }
}

impl Protocol for SplitBrain {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = SplitBrainChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &[
        "Heartbeat",
        "Heartbeat ack",
        "Vote request",
        "Vote",
        "Write",
        "Storage reply",
        "Fence (out of band)",
    ];
    const TIMER_NAMES: &'static [&'static str] =
        &["election timeout", "heartbeat", "vote count", "next write"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Heartbeat { .. } => 0,
            Msg::Ack { .. } => 1,
            Msg::VoteRequest { .. } => 2,
            Msg::Vote { .. } => 3,
            Msg::Write { .. } => 4,
            Msg::Storage(_) => 5,
            Msg::Fence { .. } | Msg::PowerOff | Msg::Off | Msg::Fenced { .. } => 6,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Heartbeat { term } => format!("heartbeat from the leader of term {term}"),
            Msg::Ack { term } => format!("heard you (my term is {term})"),
            Msg::VoteRequest { term } => format!("vote for me in term {term}"),
            Msg::Vote { term, granted } => {
                format!("{} in term {term}", if *granted { "yes" } else { "no" })
            }
            Msg::Write { token } => format!("write with token {token}"),
            Msg::Storage(reply) => reply.describe(),
            Msg::Fence { target } => format!("power off {}", node_name(*target)),
            Msg::PowerOff => "power cut".into(),
            Msg::Off => "I am off".into(),
            Msg::Fenced { target } => format!("{} is off", node_name(*target)),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let config = ctx.config().clone();
        let me = ctx.id();
        if me == config.agent() {
            return SplitBrain::Agent {
                pending: Vec::new(),
                fenced: 0,
            };
        }
        if me == config.storage() {
            return SplitBrain::Storage;
        }
        // A restart ends whatever the stints said was going on.
        close_stint(ctx);
        let mut member = Member {
            role: if config.is_witness(me) {
                Role::Witness
            } else {
                Role::Follower
            },
            leader: None,
            voters: Vec::new(),
            answered: 0,
            last_ack: vec![0; usize::from(config.n_members)],
            pending_fences: 0,
        };
        if ctx.durable().term == 0 && config.start_leader {
            // The seeds' starting point: S1 already leads term 1.
            let durable = ctx.durable_mut();
            durable.term = 1;
            durable.voted_for = Some(0);
            member.voters = (0..config.n_members).collect();
            member.leader = Some(0);
            if me == 0 {
                member.win(ctx);
                return SplitBrain::Member(member);
            }
        }
        if member.role != Role::Witness {
            Member::reset_election_timer(ctx);
        }
        SplitBrain::Member(member)
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match self {
            SplitBrain::Member(member) => member.on_message(ctx, from, msg),
            SplitBrain::Storage => {
                if let Msg::Write { token } = msg {
                    let fencing = ctx.config().fencing();
                    let reply = fencing::serve_write(ctx, |d| &mut d.disk, fencing, from, token);
                    ctx.send(from, Msg::Storage(reply));
                }
            }
            SplitBrain::Agent { pending, fenced } => match msg {
                Msg::Fence { target } if ctx.config().is_member(target) => {
                    pending.push((target, from));
                    ctx.send(target, Msg::PowerOff);
                }
                Msg::Off => {
                    *fenced += 1;
                    let done: Vec<NodeId> = pending
                        .iter()
                        .filter(|p| p.0 == from)
                        .map(|p| p.1)
                        .collect();
                    pending.retain(|p| p.0 != from);
                    for asker in done {
                        ctx.send(asker, Msg::Fenced { target: from });
                    }
                }
                _ => {}
            },
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        if let SplitBrain::Member(member) = self {
            member.on_timer(ctx, timer);
        }
    }

    fn state(&self, durable: &Durable, config: &Config) -> NodeState {
        match self {
            SplitBrain::Member(m) => member_state(m, durable, config),
            SplitBrain::Agent { fenced, .. } => NodeState {
                role: "fence agent".into(),
                tone: Tone::Idle,
                headline: if config.mode == Mode::Stonith {
                    format!("out of band · {fenced} off")
                } else {
                    "unused in this mode".into()
                },
                fields: vec![
                    (
                        "what it is".into(),
                        "a power switch every server reaches over its own network".into(),
                    ),
                    ("servers powered off".into(), fenced.to_string()),
                ],
            },
            SplitBrain::Storage => NodeState {
                role: "storage".into(),
                tone: Tone::Secondary,
                headline: durable.disk.headline(config.fencing()),
                fields: durable.disk.fields(config.fencing()),
            },
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes, now)
    }

    fn down_state(durable: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: format!("down (term {})", durable.term),
            ..NodeState::default()
        }
    }
}

fn member_state(m: &Member, durable: &Durable, config: &Config) -> NodeState {
    let (role, tone) = match m.role {
        Role::Follower => ("follower", Tone::Secondary),
        Role::Candidate => ("candidate", Tone::Candidate),
        Role::Leader if m.pending_fences > 0 => ("leader, fencing", Tone::Candidate),
        Role::Leader => ("leader", Tone::Primary),
        Role::Witness => ("witness", Tone::Idle),
        Role::PoweredOff => ("powered off", Tone::Faulty),
    };
    NodeState {
        role: role.into(),
        tone,
        headline: format!("term {}", durable.term),
        fields: vec![
            ("mode".into(), config.mode.name().into()),
            ("term".into(), durable.term.to_string()),
            (
                "voted for".into(),
                durable.voted_for.map_or("nobody".into(), node_name),
            ),
            (
                "leader".into(),
                m.leader.map_or("unknown".into(), node_name),
            ),
        ],
    }
}
