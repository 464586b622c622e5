//! One Raft server, following Figure 2 of Ongaro and Ousterhout's paper ("In Search of an
//! Understandable Consensus Algorithm", 2014), plus the leader's no-op entry of §8.
//!
//! Persistent state (current term, vote, log) lives in `Durable` and survives crashes; the
//! rest (role, commit index, state machine, leader bookkeeping) is volatile and rebuilt after
//! a restart. Reads go through the log like writes, so every answer is linearizable.
//!
//! `Bug` switches on one deliberate mistake at a time; each breaks one of the safety
//! properties the checkers watch (see `checks.rs`), to show that the checks can fire.

use super::log::{Command, Entry, RaftLog};
use super::quorum;
use failscope_sim::client::{ClientOp, ClientReply, ClientRequest, RequestId};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::{LogCell, Picture};
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};
use std::collections::BTreeMap;

/// A deliberately broken variant, for showing that each safety check fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    None,
    /// Grant a vote to every candidate, even after voting in this term.
    VoteTwice,
    /// On a conflict, overwrite the conflicting entry but keep the entries after it
    /// (skipping Figure 2's "delete the existing entry and all that follow it").
    KeepConflictingTail,
    /// Accept AppendEntries from a leader of an older term (and repair one's own log to it).
    AcceptStaleLeader,
    /// Vote for candidates whose logs are behind one's own.
    IgnoreLogFreshness,
    /// Commit once a single follower has an entry, not a majority.
    CommitWithoutMajority,
}

impl Bug {
    pub const NAMES: &'static [&'static str] = &[
        "none",
        "vote twice in a term",
        "overwrite conflicts but keep what follows",
        "accept AppendEntries from stale leaders",
        "vote for candidates with stale logs",
        "commit without a majority",
    ];

    fn from_index(index: i64) -> Bug {
        match index {
            1 => Bug::VoteTwice,
            2 => Bug::KeepConflictingTail,
            3 => Bug::AcceptStaleLeader,
            4 => Bug::IgnoreLogFreshness,
            5 => Bug::CommitWithoutMajority,
            _ => Bug::None,
        }
    }
}

/// Most servers in one Raft cluster.
pub const MAX_SERVERS: usize = 15;

#[derive(Clone, Debug)]
pub struct RaftConfig {
    pub election_min_us: Time,
    pub election_max_us: Time,
    pub heartbeat_us: Time,
    /// Off: every election timeout is exactly `election_min_us` (aligned timeouts).
    pub randomized: bool,
    pub max_batch: usize,
    pub bug: Bug,
}

pub fn configure(params: &Params, n_nodes: u16) -> Result<RaftConfig, String> {
    let get = |key: &str| params.get(key).copied().unwrap_or(0);
    let config = RaftConfig {
        election_min_us: get("election_min_ms") as Time * MS,
        election_max_us: get("election_max_ms") as Time * MS,
        heartbeat_us: get("heartbeat_ms") as Time * MS,
        randomized: get("randomized") != 0,
        max_batch: get("max_batch").max(1) as usize,
        bug: Bug::from_index(get(failscope_sim::lab::BUG_PARAM)),
    };
    if config.election_min_us > config.election_max_us {
        return Err(format!(
            "the election timeout range is upside down: minimum {} ms is above maximum {} ms",
            get("election_min_ms"),
            get("election_max_ms")
        ));
    }
    if usize::from(n_nodes) > MAX_SERVERS {
        return Err(format!(
            "Raft here runs 1 to {MAX_SERVERS} servers, not {n_nodes}"
        ));
    }
    Ok(config)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    RequestVote {
        term: u64,
        last_log_index: u64,
        last_log_term: u64,
    },
    RequestVoteReply {
        term: u64,
        granted: bool,
    },
    AppendEntries {
        term: u64,
        prev_log_index: u64,
        prev_log_term: u64,
        entries: Vec<Entry>,
        leader_commit: u64,
    },
    AppendEntriesReply {
        term: u64,
        success: bool,
        /// On success: the index the follower now matches up to. On failure: a hint of
        /// where to retry from (the follower's log is no longer than this).
        match_index: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Election,
    Heartbeat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    Candidate,
    Leader,
}

/// What survives a crash: Figure 2's "persistent state on all servers".
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub current_term: u64,
    pub voted_for: Option<NodeId>,
    pub log: RaftLog,
}

#[derive(Clone, Debug)]
pub struct Raft {
    pub(crate) role: Role,
    pub(crate) commit_index: u64,
    pub(crate) last_applied: u64,
    /// The replicated key-value store, rebuilt from the log after a restart.
    store: BTreeMap<u16, u32>,
    leader_hint: Option<NodeId>,
    votes: Vec<NodeId>,
    next_index: Vec<u64>,
    match_index: Vec<u64>,
    /// The last index sent to each peer. Flow control: only the reply to the latest message
    /// triggers the next one, so at most one chain of AppendEntries runs per peer; the
    /// heartbeat is sent regardless, which also retries lost messages.
    sent_up_to: Vec<u64>,
    /// Client requests waiting for their entry to be applied (leader only).
    waiting: BTreeMap<u64, RequestId>,
}

impl Raft {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn commit_index(&self) -> u64 {
        self.commit_index
    }

    pub fn last_applied(&self) -> u64 {
        self.last_applied
    }

    fn election_timeout(ctx: &mut Ctx<'_, Self>) -> Time {
        let c = ctx.config();
        let (min, max, randomized) = (c.election_min_us, c.election_max_us, c.randomized);
        if randomized {
            ctx.rng().range_inclusive(min, max)
        } else {
            min
        }
    }

    fn reset_election_timer(ctx: &mut Ctx<'_, Self>) {
        let timeout = Self::election_timeout(ctx);
        ctx.set_timer(Timer::Election, timeout);
    }

    /// A higher term was seen: adopt it and follow (Figure 2, "All Servers").
    fn step_down(&mut self, ctx: &mut Ctx<'_, Self>, term: u64, from: NodeId) {
        let was = self.role;
        let durable = ctx.durable_mut();
        durable.current_term = term;
        durable.voted_for = None;
        self.role = Role::Follower;
        self.votes.clear();
        self.waiting.clear();
        if was != Role::Follower {
            ctx.cancel_timer(Timer::Heartbeat);
            Self::reset_election_timer(ctx);
            ctx.narrate(format!(
                "{} stepped down to follower: {} has the higher term {term}",
                node_name(ctx.id()),
                node_name(from)
            ));
        }
    }

    fn start_election(&mut self, ctx: &mut Ctx<'_, Self>) {
        let me = ctx.id();
        let durable = ctx.durable_mut();
        durable.current_term += 1;
        durable.voted_for = Some(me);
        let term = durable.current_term;
        let (last_log_index, last_log_term) = (durable.log.len(), durable.log.last_term());
        self.role = Role::Candidate;
        self.leader_hint = None;
        self.votes = vec![me];
        ctx.narrate(format!(
            "{} timed out and became candidate in term {term}",
            node_name(me)
        ));
        Self::reset_election_timer(ctx);
        ctx.broadcast(Msg::RequestVote {
            term,
            last_log_index,
            last_log_term,
        });
        self.maybe_win(ctx);
    }

    fn maybe_win(&mut self, ctx: &mut Ctx<'_, Self>) {
        let n = usize::from(ctx.n_nodes());
        if self.role != Role::Candidate || self.votes.len() < quorum::majority(n) {
            return;
        }
        let me = ctx.id();
        let term = ctx.durable().current_term;
        self.role = Role::Leader;
        self.leader_hint = Some(me);
        let last = ctx.durable().log.len();
        self.next_index = vec![last + 1; n];
        self.match_index = vec![0; n];
        self.sent_up_to = vec![0; n];
        ctx.cancel_timer(Timer::Election);
        ctx.mark(format!(
            "{} won the election for term {term} with {} of {n} votes",
            node_name(me),
            self.votes.len()
        ));
        ctx.durable_mut().log.append(Entry {
            term,
            command: Command::Noop,
        });
        self.replicate_to_all(ctx);
        self.advance_commit(ctx);
    }

    fn replicate_to_all(&mut self, ctx: &mut Ctx<'_, Self>) {
        for peer in ctx.peers() {
            self.replicate(ctx, peer);
        }
        let heartbeat = ctx.config().heartbeat_us;
        ctx.set_timer(Timer::Heartbeat, heartbeat);
    }

    fn replicate(&mut self, ctx: &mut Ctx<'_, Self>, peer: NodeId) {
        let durable = ctx.durable();
        let next = self.next_index[usize::from(peer)].max(1);
        let prev_log_index = next - 1;
        let prev_log_term = durable.log.term_at(prev_log_index).unwrap_or(0);
        let max_batch = ctx.config().max_batch as u64;
        let entries = durable.log.slice(next, next + max_batch - 1);
        let entries_sent = entries.len() as u64;
        let msg = Msg::AppendEntries {
            term: durable.current_term,
            prev_log_index,
            prev_log_term,
            entries,
            leader_commit: self.commit_index,
        };
        self.sent_up_to[usize::from(peer)] = prev_log_index + entries_sent;
        ctx.send(peer, msg);
    }

    /// Leader: commit the highest index stored on a majority, if it is from this term
    /// (Figure 2, last rule for leaders; §5.4.2 on older terms).
    fn advance_commit(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.role != Role::Leader {
            return;
        }
        let me = usize::from(ctx.id());
        let n = usize::from(ctx.n_nodes());
        let durable = ctx.durable();
        // A copy on the stack (at most 15 servers, see `configure`): this runs on every
        // acknowledgement, so it must not allocate.
        let mut buffer = [0u64; MAX_SERVERS];
        let matches = &mut buffer[..n];
        matches.copy_from_slice(&self.match_index);
        matches[me] = durable.log.len();
        let needed = if ctx.config().bug == Bug::CommitWithoutMajority {
            2.min(n)
        } else {
            quorum::majority(n)
        };
        let candidate = quorum::quorum_index(matches, needed);
        if candidate > self.commit_index
            && durable.log.term_at(candidate) == Some(durable.current_term)
        {
            self.commit_index = candidate;
            // One format, not two: this note is written at every commit. (The same text as
            // `node_name`, which allocates a string of its own.)
            let server = u32::from(ctx.id()) + 1;
            ctx.note(format!(
                "S{server} committed entries up to index {candidate}"
            ));
            self.apply_committed(ctx);
        }
    }

    /// Apply committed entries to the store, answering the clients that wait on them.
    fn apply_committed(&mut self, ctx: &mut Ctx<'_, Self>) {
        while self.last_applied < self.commit_index {
            self.last_applied += 1;
            let Some(entry) = ctx.durable().log.get(self.last_applied).copied() else {
                break;
            };
            let Command::Client { request, op } = entry.command else {
                continue;
            };
            let reply = self.execute(op);
            if self.waiting.remove(&self.last_applied) == Some(request) {
                ctx.reply(request, reply);
            }
        }
    }

    fn execute(&mut self, op: ClientOp) -> ClientReply {
        match op {
            ClientOp::Read { key } => ClientReply::Ok {
                value: self.store.get(&key).copied(),
            },
            ClientOp::Write { key, value } => {
                self.store.insert(key, value);
                ClientReply::Ok { value: None }
            }
            ClientOp::Cas { key, from, to } => {
                if self.store.get(&key) == Some(&from) {
                    self.store.insert(key, to);
                    ClientReply::Ok { value: None }
                } else {
                    ClientReply::Mismatch
                }
            }
        }
    }

    fn on_request_vote(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        term: u64,
        last_index: u64,
        last_term: u64,
    ) {
        if term > ctx.durable().current_term {
            self.step_down(ctx, term, from);
        }
        let bug = ctx.config().bug;
        let durable = ctx.durable();
        let up_to_date = last_term > durable.log.last_term()
            || (last_term == durable.log.last_term() && last_index >= durable.log.len());
        let free = durable.voted_for.is_none() || durable.voted_for == Some(from);
        let granted = term == durable.current_term
            && (free || bug == Bug::VoteTwice)
            && (up_to_date || bug == Bug::IgnoreLogFreshness);
        let current_term = durable.current_term;
        if granted {
            ctx.durable_mut().voted_for = Some(from);
            Self::reset_election_timer(ctx);
        }
        ctx.send(
            from,
            Msg::RequestVoteReply {
                term: current_term,
                granted,
            },
        );
    }

    fn on_vote_reply(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, term: u64, granted: bool) {
        if term > ctx.durable().current_term {
            return self.step_down(ctx, term, from);
        }
        if self.role == Role::Candidate
            && term == ctx.durable().current_term
            && granted
            && !self.votes.contains(&from)
        {
            self.votes.push(from);
            self.maybe_win(ctx);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_append_entries(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        term: u64,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry>,
        leader_commit: u64,
    ) {
        let bug = ctx.config().bug;
        let current = ctx.durable().current_term;
        let stale = term < current;
        if stale && bug != Bug::AcceptStaleLeader {
            // Figure 2, AppendEntries rule 1: reply false if term < currentTerm.
            return ctx.send(
                from,
                Msg::AppendEntriesReply {
                    term: current,
                    success: false,
                    match_index: 0,
                },
            );
        }
        if term > current {
            self.step_down(ctx, term, from);
        }
        if !stale {
            if self.role == Role::Candidate {
                // Another server won this term.
                self.role = Role::Follower;
                self.votes.clear();
            }
            self.leader_hint = Some(from);
            Self::reset_election_timer(ctx);
        }
        let reply_term = ctx.durable().current_term;
        let log = &ctx.durable().log;
        // Rule 2: reply false if the log has no entry at prevLogIndex matching prevLogTerm.
        let mismatch = match log.term_at(prev_index) {
            None => Some(log.len()),
            Some(t) if t != prev_term => Some(prev_index.saturating_sub(1)),
            Some(_) => None,
        };
        if let Some(hint) = mismatch {
            return ctx.send(
                from,
                Msg::AppendEntriesReply {
                    term: reply_term,
                    success: false,
                    match_index: hint,
                },
            );
        }
        // Rules 3 and 4: delete conflicting entries and what follows, append new ones.
        let me = ctx.id();
        let mut truncated_from = None;
        for (offset, entry) in entries.iter().enumerate() {
            let index = prev_index + 1 + offset as u64;
            let log = &mut ctx.durable_mut().log;
            match log.term_at(index) {
                Some(t) if t == entry.term => continue,
                Some(_) if bug == Bug::KeepConflictingTail => log.replace(index, *entry),
                Some(_) => {
                    log.truncate_from(index);
                    truncated_from.get_or_insert(index);
                    log.append(*entry);
                }
                None => log.append(*entry),
            }
        }
        if let Some(index) = truncated_from {
            ctx.narrate(format!(
                "{} discarded its entries from index {index} on: they conflicted with {}'s log",
                node_name(me),
                node_name(from)
            ));
        }
        let last_new = prev_index + entries.len() as u64;
        // Rule 5: advance the commit index to min(leaderCommit, index of last new entry).
        if leader_commit > self.commit_index {
            self.commit_index = leader_commit.min(last_new).max(self.commit_index);
            self.apply_committed(ctx);
        }
        ctx.send(
            from,
            Msg::AppendEntriesReply {
                term: reply_term,
                success: true,
                match_index: last_new,
            },
        );
    }

    fn on_append_reply(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        term: u64,
        success: bool,
        match_index: u64,
    ) {
        if term > ctx.durable().current_term {
            return self.step_down(ctx, term, from);
        }
        if self.role != Role::Leader || term != ctx.durable().current_term {
            return;
        }
        let peer = usize::from(from);
        if success {
            self.match_index[peer] = self.match_index[peer].max(match_index);
            self.next_index[peer] = self.match_index[peer] + 1;
            self.advance_commit(ctx);
            let latest = match_index >= self.sent_up_to[peer];
            if latest && self.next_index[peer] <= ctx.durable().log.len() {
                self.replicate(ctx, from);
            }
        } else {
            // Back up to the follower's hint (never below what it already matches) and retry.
            let next = (match_index + 1).max(self.match_index[peer] + 1).max(1);
            if next < self.next_index[peer] {
                self.next_index[peer] = next;
                self.replicate(ctx, from);
            }
        }
    }
}

impl Protocol for Raft {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = RaftConfig;
    type Checker = super::checks::RaftChecker;

    const MESSAGE_KINDS: &'static [&'static str] =
        &["RequestVote", "Vote reply", "AppendEntries", "Append reply"];
    const TIMER_NAMES: &'static [&'static str] = &["election timeout", "heartbeat"];

    fn configure(params: &Params, n_nodes: u16) -> Result<RaftConfig, String> {
        configure(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::RequestVote { .. } => 0,
            Msg::RequestVoteReply { .. } => 1,
            Msg::AppendEntries { .. } => 2,
            Msg::AppendEntriesReply { .. } => 3,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        match timer {
            Timer::Election => 0,
            Timer::Heartbeat => 1,
        }
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => format!(
                "RequestVote for term {term} (candidate's last entry: index {last_log_index}, term {last_log_term})"
            ),
            Msg::RequestVoteReply { term, granted } => {
                format!("vote {} (term {term})", if *granted { "granted" } else { "refused" })
            }
            Msg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => {
                let what = if entries.is_empty() {
                    "heartbeat".to_string()
                } else {
                    format!("{} entries", entries.len())
                };
                format!(
                    "AppendEntries, term {term}: {what} after index {prev_log_index} (term {prev_log_term}); leader committed up to {leader_commit}"
                )
            }
            Msg::AppendEntriesReply {
                term,
                success,
                match_index,
            } => {
                if *success {
                    format!("append ok up to index {match_index} (term {term})")
                } else {
                    format!("append refused; retry from index {} (term {term})", match_index + 1)
                }
            }
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let n = usize::from(ctx.n_nodes());
        Self::reset_election_timer(ctx);
        Raft {
            role: Role::Follower,
            commit_index: 0,
            last_applied: 0,
            store: BTreeMap::new(),
            leader_hint: None,
            votes: Vec::new(),
            next_index: vec![1; n],
            match_index: vec![0; n],
            sent_up_to: vec![0; n],
            waiting: BTreeMap::new(),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => self.on_request_vote(ctx, from, term, last_log_index, last_log_term),
            Msg::RequestVoteReply { term, granted } => self.on_vote_reply(ctx, from, term, granted),
            Msg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => self.on_append_entries(
                ctx,
                from,
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            ),
            Msg::AppendEntriesReply {
                term,
                success,
                match_index,
            } => self.on_append_reply(ctx, from, term, success, match_index),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match (timer, self.role) {
            (Timer::Election, Role::Follower | Role::Candidate) => self.start_election(ctx),
            (Timer::Heartbeat, Role::Leader) => self.replicate_to_all(ctx),
            _ => {}
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, request: ClientRequest) {
        if self.role != Role::Leader {
            let leader = self.leader_hint.filter(|&l| l != ctx.id());
            return ctx.reply(request.id, ClientReply::Redirect { leader });
        }
        let term = ctx.durable().current_term;
        let log = &mut ctx.durable_mut().log;
        log.append(Entry {
            term,
            command: Command::Client {
                request: request.id,
                op: request.op,
            },
        });
        let index = log.len();
        self.waiting.insert(index, request.id);
        for peer in ctx.peers() {
            let p = usize::from(peer);
            let idle = self.match_index[p] >= self.sent_up_to[p];
            if idle && self.next_index[p] <= index {
                self.replicate(ctx, peer);
            }
        }
        self.advance_commit(ctx);
    }

    fn on_config_change(&mut self, ctx: &mut Ctx<'_, Self>) {
        // New timeouts take effect at once for followers and candidates.
        if self.role != Role::Leader {
            Self::reset_election_timer(ctx);
        }
    }

    fn state(&self, durable: &Durable, _config: &RaftConfig) -> NodeState {
        let (role, tone) = match self.role {
            Role::Follower => ("follower", Tone::Secondary),
            Role::Candidate => ("candidate", Tone::Candidate),
            Role::Leader => ("leader", Tone::Primary),
        };
        let mut fields = vec![
            ("term".to_string(), durable.current_term.to_string()),
            (
                "voted for".to_string(),
                durable.voted_for.map_or("nobody".into(), node_name),
            ),
            ("log length".to_string(), durable.log.len().to_string()),
            ("commit index".to_string(), self.commit_index.to_string()),
            ("last applied".to_string(), self.last_applied.to_string()),
            (
                "leader".to_string(),
                self.leader_hint.map_or("unknown".into(), node_name),
            ),
        ];
        match self.role {
            Role::Candidate => fields.push(("votes".into(), self.votes.len().to_string())),
            Role::Leader => {
                let next: Vec<String> = self.next_index.iter().map(u64::to_string).collect();
                let matched: Vec<String> = self.match_index.iter().map(u64::to_string).collect();
                fields.push(("next index".into(), next.join(" ")));
                fields.push(("match index".into(), matched.join(" ")));
            }
            Role::Follower => {}
        }
        if !self.store.is_empty() {
            let store: Vec<String> = self
                .store
                .iter()
                .map(|(k, v)| format!("k{k}={v}"))
                .collect();
            fields.push(("store".into(), store.join(" ")));
        }
        NodeState {
            role: role.into(),
            tone,
            headline: format!("term {}", durable.current_term),
            fields,
        }
    }

    fn pictures(
        _config: &RaftConfig,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        _now: Time,
    ) -> Vec<Picture> {
        let rows = nodes
            .ids()
            .filter_map(|id| {
                let durable = nodes.durable(id)?;
                let commit = nodes.state(id).map_or(0, |n| n.commit_index);
                Some((node_name(id), log_cells(&durable.log, commit)))
            })
            .collect();
        Picture::logs(rows).into_iter().collect()
    }

    fn down_state(durable: &Durable, _config: &RaftConfig) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: format!("term {}", durable.current_term),
            fields: vec![
                ("term".into(), durable.current_term.to_string()),
                (
                    "voted for".into(),
                    durable.voted_for.map_or("nobody".into(), node_name),
                ),
                ("log length".into(), durable.log.len().to_string()),
            ],
        }
    }
}

/// The last entries of a log, for the views (long logs show their tail).
fn log_cells(log: &RaftLog, commit_index: u64) -> Vec<LogCell> {
    const SHOWN: u64 = 40;
    let from = log.len().saturating_sub(SHOWN) + 1;
    log.slice(from, log.len())
        .iter()
        .enumerate()
        .map(|(offset, e)| LogCell {
            index: from + offset as u64,
            term: e.term,
            label: e.label(),
            committed: from + offset as u64 <= commit_index,
        })
        .collect()
}
