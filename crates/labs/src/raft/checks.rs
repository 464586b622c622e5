//! Raft's safety properties (Figure 3 of the paper), checked live from outside the servers.
//!
//! Each check is incremental so it stays cheap on long runs: logs are compared by prefix hash
//! (one comparison says "these logs agree up to here"), and only the part of a log that
//! changed since the last look is examined.

use super::log::{Command, RaftLog};
use super::node::{Raft, Role};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Checker, Finding, InvariantSpec, Modality, Nodes};
use failscope_sim::time::{format_duration, Time, SECOND};
use std::collections::BTreeMap;

pub const ELECTION_SAFETY: usize = 0;
pub const LOG_MATCHING: usize = 1;
pub const LEADER_APPEND_ONLY: usize = 2;
pub const LEADER_COMPLETENESS: usize = 3;
pub const STATE_MACHINE_SAFETY: usize = 4;
pub const LEADER_ELECTED: usize = 5;
pub const CLIENT_ENTRY_APPLIED: usize = 6;
pub const LEADERLESS: usize = 7;

/// How long the cluster must go without any leader for [`LEADERLESS`] to be observed.
pub const LEADERLESS_US: Time = 5 * SECOND;

const SPECS: &[InvariantSpec] = &[
    InvariantSpec {
        name: "Election safety",
        modality: Modality::Always,
        description: "No term ever has two leaders.",
    },
    InvariantSpec {
        name: "Log matching",
        modality: Modality::Always,
        description: "Two logs holding an entry with the same index and term agree on every entry up to it.",
    },
    InvariantSpec {
        name: "Leader append-only",
        modality: Modality::Always,
        description: "While it leads, a leader only adds to its log: it never rewrites or removes an entry.",
    },
    InvariantSpec {
        name: "Leader completeness",
        modality: Modality::Always,
        description: "Once an entry is committed, every leader of a later term has it in its log.",
    },
    InvariantSpec {
        name: "State machine safety",
        modality: Modality::Always,
        description: "No two servers ever apply different entries at the same log index.",
    },
    InvariantSpec {
        name: "A leader is elected",
        modality: Modality::Sometimes,
        description: "Some server won an election (guards against checks that pass because nothing happened).",
    },
    InvariantSpec {
        name: "A client write is applied",
        modality: Modality::Sometimes,
        description: "Some client's entry was committed and applied to a state machine.",
    },
    InvariantSpec {
        name: "No leader for 5 seconds",
        modality: Modality::Anomaly,
        description: "For 5 simulated seconds no live server led: the cluster could commit nothing (safe, but unavailable).",
    },
];

/// A log prefix: (length, prefix hash).
type Prefix = (u64, u64);

/// What the checker last saw of one server.
#[derive(Clone, Debug, Default)]
struct Seen {
    /// Log length and truncation count at the last look.
    log_len: u64,
    log_truncations: usize,
    /// (term, log length, prefix hash) while it was leader.
    leader: Option<(u64, u64, u64)>,
    applied: u64,
    commit: u64,
}

#[derive(Clone, Debug, Default)]
pub struct RaftChecker {
    /// The leader of each term seen so far.
    leaders: BTreeMap<u64, NodeId>,
    seen: Vec<Seen>,
    /// Longest committed prefix observed per term: (length, prefix hash).
    commits: BTreeMap<u64, (u64, u64)>,
    /// Bumped at every change of `commits`, so that the answer below can be reused.
    commits_version: u64,
    /// (term, `commits_version`, the longest prefix committed before that term): a leader
    /// is checked after each of its events, and `commits` rarely changes in between.
    committed_before: Option<(u64, u64, Option<Prefix>)>,
    /// The leader of the latest term looked up in `leaders` (entries never change once made).
    last_leader: Option<(u64, NodeId)>,
    /// Hash of the entry first applied at each index (index 1 first).
    applied: failscope_sim::chunked::ChunkedVec<u64>,
    /// `Sometimes` properties already reported (reporting once is enough).
    leader_seen: bool,
    client_entry_seen: bool,
    /// Since when no live server has led (from the first event that saw none); `None`
    /// while some server leads.
    leaderless_since: Option<Time>,
    leaderless_seen: bool,
    /// A server seen leading, while it still does.
    leading: Option<NodeId>,
}

impl Checker<Raft> for RaftChecker {
    fn specs() -> &'static [InvariantSpec] {
        SPECS
    }

    fn check(&mut self, nodes: &Nodes<'_, Raft>, touched: NodeId, found: &mut Vec<Finding>) {
        if self.seen.len() < nodes.len() {
            self.seen.resize(nodes.len(), Seen::default());
        }
        let (Some(raft), Some(durable)) = (nodes.state(touched), nodes.durable(touched)) else {
            return;
        };
        let term = durable.current_term;
        let log = &durable.log;
        let me = usize::from(touched);
        // Worked on as a local and written back at the end: this runs after every event, and
        // a local saves re-indexing `self.seen` (and re-checking its bounds) at every use.
        let mut seen = std::mem::take(&mut self.seen[me]);

        if raft.role() == Role::Leader {
            if !self.leader_seen {
                self.leader_seen = true;
                found_if(found, LEADER_ELECTED, true, &[touched], String::new);
            }
            let first = match self.last_leader {
                Some((t, first)) if t == term => first,
                _ => {
                    let first = *self.leaders.entry(term).or_insert(touched);
                    self.last_leader = Some((term, first));
                    first
                }
            };
            found_if(
                found,
                ELECTION_SAFETY,
                first != touched,
                &[first, touched],
                || {
                    format!(
                        "{} and {} are both leaders of term {term}",
                        node_name(first),
                        node_name(touched)
                    )
                },
            );
            self.check_leader_log(&mut seen, touched, term, log, found);
        } else {
            seen.leader = None;
        }
        if !self.leaderless_seen {
            self.check_leaderless(nodes, touched, raft.role() == Role::Leader, found);
        }

        // Log matching, over the part of this log that changed since the last look.
        let changed_from = log.changed_since(seen.log_len, seen.log_truncations);
        'outer: for index in changed_from..=log.len() {
            let Some(entry_term) = log.term_at(index) else {
                break;
            };
            for other in nodes.ids().filter(|&o| o != touched) {
                let Some(other_log) = nodes.durable(other).map(|d| &d.log) else {
                    continue;
                };
                if other_log.term_at(index) == Some(entry_term)
                    && other_log.prefix_hash(index) != log.prefix_hash(index)
                {
                    found.push(Finding {
                        invariant: LOG_MATCHING,
                        nodes: vec![touched, other],
                        detail: format!(
                            "{} and {} both hold an entry of term {entry_term} at index {index}, but their logs differ before it",
                            node_name(touched),
                            node_name(other)
                        ),
                    });
                    break 'outer;
                }
            }
        }
        seen.log_len = log.len();
        seen.log_truncations = log.truncation_count();

        // Committed prefixes, for leader completeness.
        if raft.commit_index != seen.commit {
            seen.commit = raft.commit_index;
            if let Some(hash) = log.prefix_hash(raft.commit_index) {
                let best = self.commits.entry(term).or_insert_with(|| {
                    self.commits_version += 1;
                    (0, 0)
                });
                if raft.commit_index > best.0 {
                    *best = (raft.commit_index, hash);
                    self.commits_version += 1;
                }
            }
        }

        // State machine safety: compare every newly applied entry with what others applied.
        let applied = raft.last_applied;
        if applied < seen.applied {
            seen.applied = 0; // restarted: it will apply from the start again
        }
        for index in seen.applied + 1..=applied {
            let Some(entry) = log.get(index) else { break };
            let hash = entry.hash();
            if !self.client_entry_seen && matches!(entry.command, Command::Client { .. }) {
                self.client_entry_seen = true;
                found_if(found, CLIENT_ENTRY_APPLIED, true, &[touched], String::new);
            }
            let slot = (index - 1) as usize;
            if slot == self.applied.len() {
                self.applied.push(hash);
            } else if let Some(&first) = self.applied.get(slot) {
                found_if(
                    found,
                    STATE_MACHINE_SAFETY,
                    first != hash,
                    &[touched],
                    || {
                        format!(
                        "{} applied “{}” at index {index}, but another server applied a different entry there",
                        node_name(touched),
                        entry.label()
                    )
                    },
                );
            }
        }
        seen.applied = applied;
        self.seen[me] = seen;
    }
}

impl RaftChecker {
    /// Is anyone leading? A crash runs no handler, so the server last seen leading is looked
    /// at again, and when it no longer leads, every server is (at most 15 of them).
    fn check_leaderless(
        &mut self,
        nodes: &Nodes<'_, Raft>,
        touched: NodeId,
        touched_leads: bool,
        found: &mut Vec<Finding>,
    ) {
        let leads = |n: NodeId| nodes.state(n).is_some_and(|r| r.role() == Role::Leader);
        if touched_leads {
            self.leading = Some(touched);
        } else if !self.leading.is_some_and(leads) {
            self.leading = nodes.ids().find(|&n| leads(n));
        }
        if self.leading.is_some() {
            self.leaderless_since = None;
            return;
        }
        let now = nodes.now();
        let since = *self.leaderless_since.get_or_insert(now);
        if now - since >= LEADERLESS_US {
            self.leaderless_seen = true;
            found.push(Finding {
                invariant: LEADERLESS,
                nodes: Vec::new(),
                detail: if since == 0 {
                    format!(
                        "no server has led since the start, {}",
                        format_duration(now)
                    )
                } else {
                    format!(
                        "no server has led for {}, since {}",
                        format_duration(now - since),
                        format_duration(since)
                    )
                },
            });
        }
    }

    fn check_leader_log(
        &mut self,
        seen: &mut Seen,
        leader: NodeId,
        term: u64,
        log: &RaftLog,
        found: &mut Vec<Finding>,
    ) {
        if let Some((seen_term, len, hash)) = seen.leader {
            let kept = log.len() >= len && log.prefix_hash(len) == Some(hash);
            found_if(
                found,
                LEADER_APPEND_ONLY,
                seen_term == term && !kept,
                &[leader],
                || {
                    format!(
                    "{}, leader of term {term}, changed or removed entries it already had (it had {len})",
                    node_name(leader)
                )
                },
            );
        }
        seen.leader = Some((term, log.len(), log.prefix_hash(log.len()).unwrap_or(0)));
        // The longest prefix committed in an earlier term must be in this leader's log.
        let committed = match self.committed_before {
            Some((t, version, committed)) if t == term && version == self.commits_version => {
                committed
            }
            _ => {
                let committed = self
                    .commits
                    .range(..term)
                    .map(|(_, &c)| c)
                    .max_by_key(|&(len, _)| len);
                self.committed_before = Some((term, self.commits_version, committed));
                committed
            }
        };
        if let Some((len, hash)) = committed {
            found_if(
                found,
                LEADER_COMPLETENESS,
                log.prefix_hash(len) != Some(hash),
                &[leader],
                || {
                    format!(
                        "{} leads term {term} without the {len} entries committed before it",
                        node_name(leader)
                    )
                },
            );
        }
    }
}

fn found_if(
    found: &mut Vec<Finding>,
    invariant: usize,
    condition: bool,
    nodes: &[NodeId],
    detail: impl FnOnce() -> String,
) {
    // Checked after every event: nothing is allocated unless the property is found.
    if condition {
        found.push(Finding {
            invariant,
            nodes: nodes.to_vec(),
            detail: detail(),
        });
    }
}
