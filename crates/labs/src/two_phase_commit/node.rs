//! The protocol: S1 coordinates, S2 onwards take part. A transaction is prepare → votes →
//! decision (forced to the coordinator's log first) → acks. Participants log their votes and
//! hold their locks from prepare until they learn the decision. The coordinator can fail at a
//! chosen point of the protocol (`Config::crash_point`): it then loses everything but its log
//! for `down_us` and recovers from the log, exactly as after a restart.
//!
//! Three-phase commit (Skeen, "Nonblocking commit protocols", SIGMOD 1981; Skeen and
//! Stonebraker 1983) puts a round between the votes and the commit: the coordinator sends
//! "pre-commit", participants log it and acknowledge, and only then is "commit" sent. A
//! participant left waiting runs the termination protocol instead of waiting for the
//! coordinator: it asks the other participants for their states; the lowest-numbered one
//! that hears back from no lower one becomes the recovery coordinator and decides from what
//! it sees (anyone committed or pre-committed: commit; everyone merely uncertain: abort).
//! (It sends the decision at once rather than a second pre-commit round: the same outcome
//! when the recovery coordinator does not fail too.) That is safe while every silence means
//! a crash; a partition breaks it.

use super::checks::TwoPcChecks;
use super::config::{Bug, Config, COORDINATOR, CRASH_POINTS};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::Time;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Prepare {
        txn: u32,
    },
    Vote {
        txn: u32,
        yes: bool,
    },
    Decision {
        txn: u32,
        commit: bool,
    },
    Ack {
        txn: u32,
    },
    /// An in-doubt participant asks what was decided.
    Ask {
        txn: u32,
    },
    /// A peer in doubt too.
    DontKnow {
        txn: u32,
    },
    /// Three-phase commit: everyone voted yes; log it and acknowledge.
    PreCommit {
        txn: u32,
    },
    PreAck {
        txn: u32,
    },
    /// Termination: what is your state?
    StateReq {
        txn: u32,
    },
    State {
        txn: u32,
        state: PState,
    },
}

/// A participant's state in the termination protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PState {
    /// Voted yes, heard nothing more.
    Uncertain,
    PreCommitted,
    Aborted,
    Committed,
}

impl PState {
    fn name(self) -> &'static str {
        match self {
            PState::Uncertain => "uncertain",
            PState::PreCommitted => "pre-committed",
            PState::Aborted => "aborted",
            PState::Committed => "committed",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The coordinator begins its next transaction.
    Next,
    /// The decision is on the coordinator's disk.
    Logged,
    /// The coordinator stops waiting for votes.
    VoteTimeout,
    /// The coordinator sends its decision again to those that have not acknowledged it.
    Resend,
    /// The failed coordinator comes back.
    Recover,
    /// A participant's vote is on its disk.
    Voted,
    /// An in-doubt participant asks again (three-phase: starts the termination protocol).
    Ask,
    /// Three-phase: the termination protocol has heard what it will hear.
    Terminate,
}

/// A span during which a participant held a transaction's locks, on its monotonic clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hold {
    pub txn: u32,
    pub from_mono: i64,
    pub to_mono: Option<i64>,
    /// When it voted yes and so could no longer decide alone.
    pub doubt_mono: Option<i64>,
}

/// What survives a crash. The coordinator's log: transactions begun, decisions, the last
/// one finished, and its failures; a participant's: votes, outcomes and lock holds.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub begun: u32,
    pub decisions: Vec<(u32, bool)>,
    pub done: u32,
    /// (transaction, crash point, from, to) on the coordinator's monotonic clock.
    pub outages: Vec<(u32, u8, i64, Option<i64>)>,
    pub votes: Vec<(u32, bool)>,
    pub outcomes: Vec<(u32, bool)>,
    pub holds: Vec<Hold>,
    /// Three-phase: transactions the coordinator sent pre-commit for, or the participant
    /// pre-committed.
    pub precommitted: Vec<u32>,
}

pub fn lookup(list: &[(u32, bool)], txn: u32) -> Option<bool> {
    list.iter().rev().find(|e| e.0 == txn).map(|e| e.1)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Voting {
        txn: u32,
        yes: Vec<NodeId>,
    },
    Logging {
        txn: u32,
        commit: bool,
    },
    Deciding {
        txn: u32,
        commit: bool,
        acked: Vec<NodeId>,
    },
    /// Three-phase: pre-commit sent, waiting for the acknowledgements.
    PreCommitting {
        txn: u32,
        acked: Vec<NodeId>,
    },
    /// Three-phase, after recovery: pre-commit was sent but no decision logged, so it
    /// asks the participants what they decided.
    Asking {
        txn: u32,
    },
}

#[derive(Clone, Debug)]
pub enum TwoPc {
    Coordinator {
        phase: Phase,
        down: bool,
    },
    /// `working`: the transaction it is preparing (vote not yet on disk); `heard`: the
    /// states other participants reported in a termination round.
    Participant {
        working: Option<u32>,
        heard: Vec<(NodeId, PState)>,
    },
}

fn verdict(commit: bool) -> &'static str {
    if commit {
        "commit"
    } else {
        "abort"
    }
}

impl TwoPc {
    fn coordinator_start(ctx: &mut Ctx<'_, Self>) -> TwoPc {
        let d = ctx.durable();
        let (txn, done) = (d.begun, d.done);
        let mut me = TwoPc::Coordinator {
            phase: Phase::Idle,
            down: false,
        };
        if txn > done {
            // Finish what the log says was under way: its decision, or abort if none was
            // logged (nobody can have been told to commit).
            let precommitted = ctx.durable().precommitted.contains(&txn);
            let commit = match lookup(&ctx.durable().decisions, txn) {
                Some(c) => c,
                None if precommitted => {
                    // Participants may have committed through termination: ask them.
                    ctx.mark(format!(
                        "S1 recovers: its log holds pre-commit for T{txn} but no decision, so it asks the participants"
                    ));
                    me = TwoPc::Coordinator {
                        phase: Phase::Asking { txn },
                        down: false,
                    };
                    TwoPc::ask_participants(ctx, txn);
                    return me;
                }
                None => {
                    ctx.durable_mut().decisions.push((txn, false));
                    false
                }
            };
            ctx.mark(format!(
                "S1 recovers and reads its log: T{txn} {}",
                if commit {
                    "was committed; it tells the participants again"
                } else {
                    "has no decision, so it aborts"
                }
            ));
            me.send_decision(ctx, txn, commit);
        } else {
            let gap = if txn == 0 {
                100_000
            } else {
                ctx.config().gap_us
            };
            ctx.set_timer(Timer::Next, gap);
        }
        me
    }

    fn ask_participants(ctx: &mut Ctx<'_, Self>, txn: u32) {
        for p in ctx.config().participants() {
            ctx.send(p, Msg::Ask { txn });
        }
        let timeout = ctx.config().timeout_us;
        ctx.set_timer(Timer::Resend, timeout);
    }

    /// Fail here if the configuration says so: lose volatile state until `Recover`.
    fn fails(&mut self, ctx: &mut Ctx<'_, Self>, txn: u32, point: u8) -> bool {
        let config = ctx.config();
        let down_us = config.down_us;
        if !config.fails_at(txn, point) || ctx.durable().outages.iter().any(|o| o.0 == txn) {
            return false;
        }
        let now = ctx.monotonic_clock();
        ctx.durable_mut().outages.push((txn, point, now, None));
        for timer in [
            Timer::Next,
            Timer::Logged,
            Timer::VoteTimeout,
            Timer::Resend,
        ] {
            ctx.cancel_timer(timer);
        }
        ctx.set_timer(Timer::Recover, down_us);
        ctx.mark(format!(
            "S1 fails during T{txn}: {}",
            CRASH_POINTS[usize::from(point)]
        ));
        *self = TwoPc::Coordinator {
            phase: Phase::Idle,
            down: true,
        };
        true
    }

    fn begin(&mut self, ctx: &mut Ctx<'_, Self>) {
        let txn = ctx.durable().begun + 1;
        if txn > ctx.config().transactions {
            return;
        }
        ctx.durable_mut().begun = txn;
        if self.fails(ctx, txn, 1) {
            return;
        }
        for p in ctx.config().participants() {
            ctx.send(p, Msg::Prepare { txn });
        }
        ctx.narrate(format!("S1 asks everyone to prepare T{txn}"));
        if self.fails(ctx, txn, 2) {
            return;
        }
        *self = TwoPc::Coordinator {
            phase: Phase::Voting {
                txn,
                yes: Vec::new(),
            },
            down: false,
        };
        let timeout = ctx.config().timeout_us;
        ctx.set_timer(Timer::VoteTimeout, timeout);
    }

    fn decide(&mut self, ctx: &mut Ctx<'_, Self>, txn: u32, commit: bool) {
        ctx.cancel_timer(Timer::VoteTimeout);
        if self.fails(ctx, txn, 3) {
            return;
        }
        let voting = matches!(
            self,
            TwoPc::Coordinator {
                phase: Phase::Voting { .. },
                ..
            }
        );
        if ctx.config().three_phase && commit && voting {
            for p in ctx.config().participants() {
                ctx.send(p, Msg::PreCommit { txn });
            }
            ctx.durable_mut().precommitted.push(txn);
            *self = TwoPc::Coordinator {
                phase: Phase::PreCommitting {
                    txn,
                    acked: Vec::new(),
                },
                down: false,
            };
            let timeout = ctx.config().timeout_us;
            ctx.set_timer(Timer::VoteTimeout, timeout);
            return;
        }
        self.log_decision(ctx, txn, commit);
    }

    /// Force the decision to the log (or, with the bug, send it first).
    fn log_decision(&mut self, ctx: &mut Ctx<'_, Self>, txn: u32, commit: bool) {
        if ctx.config().bug == Bug::SendBeforeLog && self.send_decision(ctx, txn, commit) {
            return;
        }
        if let TwoPc::Coordinator { phase, .. } = self {
            if !matches!(phase, Phase::Deciding { .. }) {
                *phase = Phase::Logging { txn, commit };
            }
        }
        let log = ctx.config().log_us;
        ctx.set_timer(Timer::Logged, log);
    }

    /// Send the decision to every participant, one after the other (a failure can cut the
    /// round short). Returns whether the coordinator failed on the way.
    fn send_decision(&mut self, ctx: &mut Ctx<'_, Self>, txn: u32, commit: bool) -> bool {
        let participants = ctx.config().participants();
        for p in participants.clone() {
            ctx.send(p, Msg::Decision { txn, commit });
            if p == participants.start && self.fails(ctx, txn, 4) {
                return true;
            }
        }
        if self.fails(ctx, txn, 5) {
            return true;
        }
        *self = TwoPc::Coordinator {
            phase: Phase::Deciding {
                txn,
                commit,
                acked: Vec::new(),
            },
            down: false,
        };
        let timeout = ctx.config().timeout_us;
        ctx.set_timer(Timer::Resend, timeout);
        false
    }

    fn coordinator_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let TwoPc::Coordinator { phase, down } = self else {
            return;
        };
        if *down {
            return;
        }
        match msg {
            Msg::Vote { txn, yes } => {
                let Phase::Voting { txn: t, yes: ayes } = phase else {
                    return;
                };
                if *t != txn {
                    return;
                }
                let n = ctx.config().n_participants;
                let majority_bug = ctx.config().bug == Bug::MajorityCommit;
                if yes && !ayes.contains(&from) {
                    ayes.push(from);
                }
                let count = ayes.len() as u16;
                if !yes && !majority_bug {
                    ctx.mark(format!("{} votes no: S1 aborts T{txn}", node_name(from)));
                    self.decide(ctx, txn, false);
                } else if count == n || (majority_bug && count > n / 2) {
                    ctx.mark(format!(
                        "S1 has {count} yes votes: {} T{txn}",
                        if ctx.config().three_phase {
                            "it sends pre-commit for"
                        } else {
                            "it decides to commit"
                        }
                    ));
                    self.decide(ctx, txn, true);
                }
            }
            Msg::Ack { txn } => {
                let Phase::Deciding { txn: t, acked, .. } = phase else {
                    return;
                };
                if *t != txn || acked.contains(&from) {
                    return;
                }
                acked.push(from);
                if acked.len() as u16 == ctx.config().n_participants {
                    ctx.durable_mut().done = txn;
                    ctx.narrate(format!("every participant has acknowledged T{txn}"));
                    *phase = Phase::Idle;
                    ctx.cancel_timer(Timer::Resend);
                    let gap = ctx.config().gap_us;
                    ctx.set_timer(Timer::Next, gap);
                }
            }
            Msg::PreAck { txn } => {
                let Phase::PreCommitting { txn: t, acked } = phase else {
                    return;
                };
                if *t != txn || acked.contains(&from) {
                    return;
                }
                acked.push(from);
                if acked.len() as u16 == ctx.config().n_participants {
                    ctx.cancel_timer(Timer::VoteTimeout);
                    ctx.mark(format!(
                        "every participant has pre-committed T{txn}: S1 commits it"
                    ));
                    self.log_decision(ctx, txn, true);
                }
            }
            Msg::Decision { txn, commit } if *phase == Phase::Asking { txn } => {
                ctx.mark(format!(
                    "{} tells S1 the participants {} T{txn}; S1 logs it",
                    node_name(from),
                    if commit { "committed" } else { "aborted" }
                ));
                ctx.cancel_timer(Timer::Resend);
                ctx.durable_mut().decisions.push((txn, commit));
                self.send_decision(ctx, txn, commit);
            }
            Msg::Ask { txn } => {
                let known = match phase {
                    Phase::Deciding { txn: t, commit, .. } if *t == txn => Some(*commit),
                    Phase::Voting { txn: t, .. }
                    | Phase::Logging { txn: t, .. }
                    | Phase::PreCommitting { txn: t, .. }
                    | Phase::Asking { txn: t }
                        if *t == txn =>
                    {
                        None
                    }
                    // Presumed abort: no commit on record means abort.
                    _ => Some(lookup(&ctx.durable().decisions, txn).unwrap_or(false)),
                };
                if let Some(commit) = known {
                    ctx.send(from, Msg::Decision { txn, commit });
                }
            }
            _ => {}
        }
    }

    fn coordinator_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        let TwoPc::Coordinator { phase, down } = self else {
            return;
        };
        match timer {
            Timer::Recover if *down => {
                let now = ctx.monotonic_clock();
                if let Some(o) = ctx.durable_mut().outages.last_mut() {
                    o.3 = Some(now);
                }
                *self = TwoPc::coordinator_start(ctx);
            }
            _ if *down => {}
            Timer::Next if *phase == Phase::Idle => self.begin(ctx),
            Timer::VoteTimeout => match *phase {
                Phase::Voting { txn, .. } => {
                    ctx.mark(format!("S1 waited too long for votes: it aborts T{txn}"));
                    self.decide(ctx, txn, false);
                }
                Phase::PreCommitting { txn, .. } => {
                    // Three-phase commit's rule: a silent participant is taken to have
                    // crashed; it will learn the outcome when it recovers.
                    ctx.mark(format!(
                        "S1 misses some pre-commit acknowledgements and takes the silent participants for crashed: it commits T{txn}"
                    ));
                    self.log_decision(ctx, txn, true);
                }
                _ => {}
            },
            Timer::Logged => match phase.clone() {
                Phase::Logging { txn, commit } => {
                    ctx.durable_mut().decisions.push((txn, commit));
                    self.send_decision(ctx, txn, commit);
                }
                Phase::Deciding { txn, commit, .. } => {
                    ctx.durable_mut().decisions.push((txn, commit))
                }
                _ => {}
            },
            Timer::Resend => {
                if let Phase::Asking { txn } = *phase {
                    TwoPc::ask_participants(ctx, txn);
                }
                if let Phase::Deciding { txn, commit, acked } = phase {
                    let (txn, commit) = (*txn, *commit);
                    for p in ctx.config().participants() {
                        if !acked.contains(&p) {
                            ctx.send(p, Msg::Decision { txn, commit });
                        }
                    }
                    let timeout = ctx.config().timeout_us;
                    ctx.set_timer(Timer::Resend, timeout);
                }
            }
            _ => {}
        }
    }

    fn participant_start(ctx: &mut Ctx<'_, Self>) -> TwoPc {
        let me = node_name(ctx.id());
        let d = ctx.durable();
        let last = d.holds.last().copied().filter(|h| h.to_mono.is_none());
        if let Some(hold) = last {
            if lookup(&d.votes, hold.txn) == Some(true) {
                // It voted yes: it may not decide alone. Keep the locks and ask at once.
                ctx.mark(format!(
                    "{me} restarts in doubt about T{}: it keeps its locks and asks",
                    hold.txn
                ));
                ctx.set_timer(Timer::Ask, 0);
            } else {
                // Never voted: free to abort.
                decided(ctx, hold.txn, false);
            }
        }
        TwoPc::Participant {
            working: None,
            heard: Vec::new(),
        }
    }

    fn participant_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let TwoPc::Participant { working, heard } = self else {
            return;
        };
        let d = ctx.durable();
        let me = node_name(ctx.id());
        match msg {
            Msg::PreCommit { txn }
                if lookup(&d.votes, txn) == Some(true) && lookup(&d.outcomes, txn).is_none() =>
            {
                if !d.precommitted.contains(&txn) {
                    ctx.durable_mut().precommitted.push(txn);
                    ctx.mark(format!("{me} pre-commits T{txn}"));
                }
                ctx.send(COORDINATOR, Msg::PreAck { txn });
            }
            Msg::StateReq { txn } => {
                let state = match (lookup(&d.outcomes, txn), lookup(&d.votes, txn)) {
                    (Some(true), _) => PState::Committed,
                    (Some(false), _) => PState::Aborted,
                    (None, Some(true)) if d.precommitted.contains(&txn) => PState::PreCommitted,
                    (None, Some(true)) => PState::Uncertain,
                    // Not voted yet: it may abort alone, and does.
                    (None, _) => {
                        if *working == Some(txn) {
                            *working = None;
                            ctx.cancel_timer(Timer::Voted);
                        }
                        ctx.mark(format!("{me} has not voted on T{txn}: it aborts it alone"));
                        decided(ctx, txn, false);
                        PState::Aborted
                    }
                };
                ctx.send(from, Msg::State { txn, state });
            }
            Msg::State { txn, state } => {
                if open_txn(d) != Some(txn) {
                    return;
                }
                if matches!(state, PState::Committed | PState::Aborted) {
                    // Someone knows the outcome: take it.
                    let commit = state == PState::Committed;
                    ctx.mark(format!(
                        "{me} {}s T{txn}, learned from {}",
                        verdict(commit),
                        node_name(from)
                    ));
                    decided(ctx, txn, commit);
                    ctx.cancel_timer(Timer::Terminate);
                } else if !heard.iter().any(|h| h.0 == from) {
                    heard.push((from, state));
                }
            }
            Msg::Prepare { txn } => {
                if let Some(yes) = lookup(&d.votes, txn) {
                    ctx.send(COORDINATOR, Msg::Vote { txn, yes });
                } else if lookup(&d.outcomes, txn).is_some() {
                    // Aborted alone (a peer asked before the prepare came).
                    ctx.send(COORDINATOR, Msg::Vote { txn, yes: false });
                } else if working.is_none() {
                    *working = Some(txn);
                    let from_mono = ctx.monotonic_clock();
                    ctx.durable_mut().holds.push(Hold {
                        txn,
                        from_mono,
                        to_mono: None,
                        doubt_mono: None,
                    });
                    let prepare = ctx.config().prepare_us;
                    ctx.set_timer(Timer::Voted, prepare);
                }
            }
            Msg::Decision { txn, commit } => {
                let voted = lookup(&d.votes, txn).is_some();
                // Without a vote it can only be told to abort (nobody commits without it).
                if lookup(&d.outcomes, txn).is_none() && (voted || !commit) {
                    if *working == Some(txn) {
                        *working = None;
                        ctx.cancel_timer(Timer::Voted);
                    }
                    let how = if from == COORDINATOR {
                        String::new()
                    } else {
                        format!(", learned from {}", node_name(from))
                    };
                    ctx.mark(format!(
                        "{} {}s T{txn}{how}",
                        node_name(ctx.id()),
                        verdict(commit)
                    ));
                    decided(ctx, txn, commit);
                }
                if from == COORDINATOR && lookup(&ctx.durable().outcomes, txn).is_some() {
                    ctx.send(COORDINATOR, Msg::Ack { txn });
                }
            }
            Msg::Ask { txn } => {
                let answer = match (lookup(&d.outcomes, txn), lookup(&d.votes, txn)) {
                    (Some(commit), _) => Msg::Decision { txn, commit },
                    (None, Some(true)) => Msg::DontKnow { txn },
                    // Not voted yet: it may still abort on its own, and does.
                    (None, _) => {
                        if *working == Some(txn) {
                            *working = None;
                            ctx.cancel_timer(Timer::Voted);
                        }
                        ctx.mark(format!(
                            "{} has not voted on T{txn}: it aborts it alone",
                            node_name(ctx.id())
                        ));
                        decided(ctx, txn, false);
                        Msg::Decision { txn, commit: false }
                    }
                };
                ctx.send(from, answer);
            }
            _ => {}
        }
    }

    fn participant_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        let TwoPc::Participant { working, heard } = self else {
            return;
        };
        let (me, config) = (ctx.id(), ctx.config());
        let (no_voter, timeout, cooperative, three_phase) = (
            config.no_voter,
            config.timeout_us,
            config.cooperative,
            config.three_phase,
        );
        let participants = config.participants();
        match timer {
            Timer::Voted => {
                let Some(txn) = working.take() else { return };
                let yes = me != no_voter;
                let now = ctx.monotonic_clock();
                let d = ctx.durable_mut();
                d.votes.push((txn, yes));
                if yes {
                    if let Some(h) = d.holds.last_mut() {
                        h.doubt_mono = Some(now);
                    }
                    ctx.set_timer(Timer::Ask, timeout);
                } else {
                    decided(ctx, txn, false);
                }
                ctx.send(COORDINATOR, Msg::Vote { txn, yes });
            }
            Timer::Ask => {
                let d = ctx.durable();
                let Some(txn) = open_txn(d) else {
                    return;
                };
                if lookup(&d.votes, txn) != Some(true) {
                    return;
                }
                if three_phase {
                    // Termination: gather the others' states, then decide or defer.
                    heard.clear();
                    for p in participants.filter(|&p| p != me) {
                        ctx.send(p, Msg::StateReq { txn });
                    }
                    ctx.set_timer(Timer::Terminate, timeout / 4);
                    ctx.set_timer(Timer::Ask, timeout);
                    return;
                }
                ctx.send(COORDINATOR, Msg::Ask { txn });
                if cooperative {
                    for p in participants.filter(|&p| p != me) {
                        ctx.send(p, Msg::Ask { txn });
                    }
                }
                ctx.set_timer(Timer::Ask, timeout);
            }
            Timer::Terminate => {
                let d = ctx.durable();
                let Some(txn) = open_txn(d) else {
                    return;
                };
                let mine = if d.precommitted.contains(&txn) {
                    PState::PreCommitted
                } else {
                    PState::Uncertain
                };
                if heard.iter().any(|h| h.0 < me) {
                    // A lower-numbered participant is alive: it is the recovery coordinator.
                    return;
                }
                // Committed beats everything; then aborted; then pre-committed means commit.
                let best = heard.iter().map(|h| h.1).fold(mine, PState::max);
                let commit = matches!(best, PState::Committed | PState::PreCommitted);
                let seen: Vec<String> = heard
                    .iter()
                    .map(|(p, s)| format!("{} {}", node_name(*p), s.name()))
                    .collect();
                ctx.mark(format!(
                    "{} {}s T{txn} as the recovery coordinator: it is {}{}{}",
                    node_name(me),
                    verdict(commit),
                    mine.name(),
                    if seen.is_empty() {
                        " and hears from nobody"
                    } else {
                        "; "
                    },
                    seen.join(", "),
                ));
                decided(ctx, txn, commit);
                for (p, _) in heard.iter() {
                    ctx.send(*p, Msg::Decision { txn, commit });
                }
            }
            _ => {}
        }
    }
}

/// The transaction whose locks the participant holds now, if any.
fn open_txn(d: &Durable) -> Option<u32> {
    d.holds
        .last()
        .filter(|h| h.to_mono.is_none())
        .map(|h| h.txn)
}

/// Record the outcome and release the locks.
fn decided(ctx: &mut Ctx<'_, TwoPc>, txn: u32, commit: bool) {
    let now = ctx.monotonic_clock();
    let d = ctx.durable_mut();
    d.outcomes.push((txn, commit));
    if let Some(h) = d.holds.iter_mut().rev().find(|h| h.txn == txn) {
        h.to_mono.get_or_insert(now);
    }
    ctx.cancel_timer(Timer::Ask);
}

impl Protocol for TwoPc {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = TwoPcChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &[
        "Prepare",
        "Vote",
        "Decision",
        "Ack",
        "Ask",
        "Don't know",
        "Pre-commit",
        "Pre-commit ack",
        "State request",
        "State",
    ];
    const TIMER_NAMES: &'static [&'static str] = &[
        "next transaction",
        "decision logged",
        "vote timeout",
        "resend decision",
        "recover",
        "vote logged",
        "ask again",
        "terminate",
    ];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Prepare { .. } => 0,
            Msg::Vote { .. } => 1,
            Msg::Decision { .. } => 2,
            Msg::Ack { .. } => 3,
            Msg::Ask { .. } => 4,
            Msg::DontKnow { .. } => 5,
            Msg::PreCommit { .. } => 6,
            Msg::PreAck { .. } => 7,
            Msg::StateReq { .. } => 8,
            Msg::State { .. } => 9,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        timer as u8
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Prepare { txn } => format!("prepare T{txn}"),
            Msg::Vote { txn, yes } => format!("T{txn}: vote {}", if *yes { "yes" } else { "no" }),
            Msg::Decision { txn, commit } => format!("T{txn}: {}", verdict(*commit)),
            Msg::Ack { txn } => format!("T{txn}: done"),
            Msg::Ask { txn } => format!("what became of T{txn}?"),
            Msg::DontKnow { txn } => format!("T{txn}: I don't know either"),
            Msg::PreCommit { txn } => format!("pre-commit T{txn}"),
            Msg::PreAck { txn } => format!("T{txn}: pre-committed"),
            Msg::StateReq { txn } => format!("your state for T{txn}?"),
            Msg::State { txn, state } => format!("T{txn}: {}", state.name()),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        if ctx.id() == COORDINATOR {
            TwoPc::coordinator_start(ctx)
        } else {
            TwoPc::participant_start(ctx)
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match self {
            TwoPc::Coordinator { .. } => self.coordinator_message(ctx, from, msg),
            TwoPc::Participant { .. } => self.participant_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match self {
            TwoPc::Coordinator { .. } => self.coordinator_timer(ctx, timer),
            TwoPc::Participant { .. } => self.participant_timer(ctx, timer),
        }
    }

    fn state(&self, d: &Durable, _config: &Config) -> NodeState {
        let txn = |t: u32| format!("T{t}");
        match self {
            TwoPc::Coordinator { down: true, .. } => NodeState {
                role: "coordinator, failed".into(),
                tone: Tone::Faulty,
                headline: "down".into(),
                fields: vec![("log".into(), log_line(d))],
            },
            TwoPc::Coordinator { phase, .. } => {
                let (tone, headline) = match phase {
                    Phase::Idle => (Tone::Primary, "idle".into()),
                    Phase::Voting { txn: t, yes } => {
                        (Tone::Candidate, format!("{}: {} yes", txn(*t), yes.len()))
                    }
                    Phase::Logging { txn: t, commit } => (
                        Tone::Candidate,
                        format!("{}: logging {}", txn(*t), verdict(*commit)),
                    ),
                    Phase::Deciding { txn: t, commit, .. } => {
                        (Tone::Primary, format!("{}: {}", txn(*t), verdict(*commit)))
                    }
                    Phase::PreCommitting { txn: t, acked } => (
                        Tone::Candidate,
                        format!("{}: {} pre-committed", txn(*t), acked.len()),
                    ),
                    Phase::Asking { txn: t } => (Tone::Candidate, format!("{}: asking", txn(*t))),
                };
                NodeState {
                    role: "coordinator".into(),
                    tone,
                    headline,
                    fields: vec![("log".into(), log_line(d))],
                }
            }
            TwoPc::Participant { .. } => {
                let open = d.holds.last().filter(|h| h.to_mono.is_none());
                let (tone, headline) = match open {
                    Some(h) if d.precommitted.contains(&h.txn) => {
                        (Tone::Suspect, format!("{}: pre-committed", txn(h.txn)))
                    }
                    Some(h) if lookup(&d.votes, h.txn) == Some(true) => {
                        (Tone::Suspect, format!("{}: in doubt, locked", txn(h.txn)))
                    }
                    Some(h) => (Tone::Candidate, format!("{}: preparing", txn(h.txn))),
                    None => match d.outcomes.last() {
                        Some(&(t, c)) => (
                            Tone::Secondary,
                            format!("{}: {}", txn(t), if c { "committed" } else { "aborted" }),
                        ),
                        None => (Tone::Idle, "idle".into()),
                    },
                };
                NodeState {
                    role: "participant".into(),
                    tone,
                    headline,
                    fields: vec![
                        ("votes".into(), d.votes.len().to_string()),
                        ("decided".into(), d.outcomes.len().to_string()),
                    ],
                }
            }
        }
    }

    fn down_state(d: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            fields: vec![("votes".into(), d.votes.len().to_string())],
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes, now)
    }
}

fn log_line(d: &Durable) -> String {
    match d.decisions.last() {
        Some(&(t, c)) => format!("T{t} {}, {} begun", verdict(c), d.begun),
        None => format!("{} begun, no decision", d.begun),
    }
}
