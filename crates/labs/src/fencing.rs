//! Storage guarded by fencing tokens, shared by the labs whose writers can outlive their
//! right to write (a deposed leader, a lock holder whose lease ran out while it slept).
//!
//! Each write carries a token that grows every time the right to write changes hands (a
//! term, a lock's grant number). With fencing on, storage remembers the highest token it has
//! seen and refuses anything lower: a writer that was replaced cannot overwrite its
//! successor, however late its write arrives. Equal tokens pass, because one holder writes
//! many times with the same token. (One seed says to reject tokens "≤ the highest seen";
//! that would refuse a holder's second write.)
//!
//! This module knows no lab: it is the storage's bookkeeping and its picture, which each lab
//! wraps in its own node and messages.

use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::invariant::{Finding, InvariantSpec, Modality};
use failscope_sim::picture::{MarkKind, Picture, PictureKind, Scale, Series, TimeMark, TimeSeries};
use failscope_sim::protocol::{Ctx, Protocol};
use failscope_sim::time::format_duration;
use failscope_sim::time::Time;

/// How many writes the storage keeps for its picture and its checks (older ones are dropped
/// from the log, never from the counts).
const LOG_LIMIT: usize = 2_048;

/// One write as storage saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    /// Storage's own clock when the write arrived.
    pub at: Time,
    pub author: NodeId,
    pub token: u64,
    pub accepted: bool,
}

/// What storage answers a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// Refused: the token is lower than the highest storage has seen.
    Stale {
        highest: u64,
    },
}

/// How storage checks tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fencing {
    /// Every write is taken.
    Off,
    /// A write whose token is lower than the highest seen is refused.
    On,
    /// A deliberate bug: the highest token is kept per writer, so an old writer's token is
    /// compared only with its own earlier writes and always passes.
    PerWriter,
}

/// Storage's data, on its disk: the writes it took and the highest token it has seen (kept
/// on disk, since forgetting it in a restart would let a stale writer back in).
#[derive(Clone, Debug, Default)]
pub struct Disk {
    pub highest: u64,
    /// Where the per-writer bug keeps its highest tokens, by writer.
    highest_per_writer: Vec<u64>,
    /// The most recent writes, oldest first.
    pub log: Vec<Write>,
    pub accepted: u64,
    pub rejected: u64,
    /// Writes accepted although a higher token had already written: the two writers'
    /// changes are interleaved, which is what fencing exists to prevent.
    pub interleaved: u64,
    /// The highest token of any accepted write.
    pub highest_accepted: u64,
}

impl Disk {
    /// Take or refuse a write.
    pub fn write(&mut self, fencing: Fencing, at: Time, author: NodeId, token: u64) -> Verdict {
        let highest = if fencing == Fencing::PerWriter {
            let writer = usize::from(author);
            if self.highest_per_writer.len() <= writer {
                self.highest_per_writer.resize(writer + 1, 0);
            }
            &mut self.highest_per_writer[writer]
        } else {
            &mut self.highest
        };
        let verdict = if fencing != Fencing::Off && token < *highest {
            Verdict::Stale { highest: *highest }
        } else {
            *highest = (*highest).max(token);
            Verdict::Accepted
        };
        let accepted = verdict == Verdict::Accepted;
        if accepted {
            self.accepted += 1;
            if token < self.highest_accepted {
                self.interleaved += 1;
            }
            self.highest_accepted = self.highest_accepted.max(token);
        } else {
            self.rejected += 1;
        }
        if self.log.len() == LOG_LIMIT {
            self.log.remove(0);
        }
        self.log.push(Write {
            at,
            author,
            token,
            accepted,
        });
        verdict
    }

    /// The last write, if it was accepted.
    pub fn last_accepted(&self) -> Option<Write> {
        self.log.last().copied().filter(|w| w.accepted)
    }

    /// The line under storage's node.
    pub fn headline(&self, fencing: Fencing) -> String {
        if fencing == Fencing::Off {
            format!("{} writes", self.accepted)
        } else {
            format!("highest token {}", self.highest)
        }
    }

    /// The inspector's rows for this disk.
    pub fn fields(&self, fencing: Fencing) -> Vec<(String, String)> {
        vec![
            (
                "fencing".into(),
                if fencing == Fencing::Off {
                    "off: every write is taken".into()
                } else {
                    format!("on: highest token seen {}", self.highest)
                },
            ),
            ("writes taken".into(), self.accepted.to_string()),
            ("writes refused".into(), self.rejected.to_string()),
            (
                "taken after a higher token".into(),
                self.interleaved.to_string(),
            ),
        ]
    }

    /// Every write's token over time: accepted ones on one line, refused ones on another. With
    /// fencing the accepted line never goes down; without it, it saw-tooths as two writers
    /// take turns.
    pub fn tokens_picture(&self, id: &'static str, token_name: &str) -> Picture {
        let series = |accepted: bool, label: &str, colour: u8| Series {
            label: label.into(),
            colour,
            points: self
                .log
                .iter()
                .filter(|w| w.accepted == accepted)
                .map(|w| (w.at, w.token as i64))
                .collect(),
        };
        let marks = self
            .log
            .iter()
            .filter(|w| !w.accepted)
            .take(1)
            .map(|w| TimeMark {
                at: w.at,
                kind: MarkKind::Info,
                label: format!("{}'s token {} refused", node_name(w.author), w.token),
            })
            .collect();
        let version = self.accepted * 1_000_003 + self.rejected;
        Picture {
            id,
            title: format!("Storage: the {token_name} of each write"),
            caption: format!(
                "Each write storage received, by its {token_name}: {} taken, {} refused, {} taken after a higher {token_name} had written.",
                self.accepted, self.rejected, self.interleaved
            ),
            primary: false,
            version,
            kind: PictureKind::TimeSeries(TimeSeries {
                y: Scale::new(token_name, "", 1),
                series: vec![series(true, "taken", 2), series(false, "refused", 5)],
                marks,
                threshold: (self.highest > 0)
                    .then(|| (self.highest as i64, format!("highest {token_name} seen"))),
            }),
        }
    }
}

/// Storage's answer to a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    Written { token: u64 },
    Stale { token: u64, highest: u64 },
}

impl Reply {
    pub fn describe(&self) -> String {
        match self {
            Reply::Written { token } => format!("written (token {token})"),
            Reply::Stale { token, highest } => format!("refused: stale token {token} < {highest}"),
        }
    }
}

/// What a writer notes when storage refuses it (the seeds' words).
pub fn refusal(writer: NodeId, token: u64, highest: u64) -> String {
    format!(
        "storage refused {}'s write: stale token {token} < {highest}",
        node_name(writer)
    )
}

/// Storage's side of a write: take or refuse it (the disk is `disk` of the node's durable
/// state), count it in the run's metrics, and return the answer for the writer.
pub fn serve_write<P: Protocol>(
    ctx: &mut Ctx<'_, P>,
    disk: fn(&mut P::Durable) -> &mut Disk,
    fencing: Fencing,
    from: NodeId,
    token: u64,
) -> Reply {
    let at = ctx.monotonic_clock().max(0) as Time;
    let disk = disk(ctx.durable_mut());
    let interleaved_before = disk.interleaved;
    let verdict = disk.write(fencing, at, from, token);
    let interleaved = disk.interleaved > interleaved_before;
    match verdict {
        Verdict::Accepted => {
            ctx.count("writes taken", 1);
            if interleaved {
                ctx.count("conflicting writes", 1);
            }
            Reply::Written { token }
        }
        Verdict::Stale { highest } => {
            ctx.count("writes refused", 1);
            Reply::Stale { token, highest }
        }
    }
}

/// The check every fencing lab makes (an `Always`: with fencing on it must never fire).
pub const FENCED_STORAGE_SPEC: InvariantSpec = InvariantSpec {
    name: "Storage refuses stale tokens",
    modality: Modality::Always,
    description: "With fencing on, storage never takes a write whose token is lower than one it has already taken.",
};

/// A checker's view of storage: spots, after each of storage's events, a newly taken write
/// whose token is lower than one taken before. That is one writer's change landing after its
/// successor's, the damage fencing exists to prevent.
#[derive(Clone, Debug, Default)]
pub struct StaleWriteWatch {
    writes_seen: u64,
    highest_taken: u64,
}

impl StaleWriteWatch {
    /// After an event on `storage`: a write with a lower token than one taken before breaks
    /// the `fenced` check (an `Always`, when fencing is on) and is an `interleaved` anomaly.
    pub fn check_storage(
        &mut self,
        disk: &Disk,
        storage: NodeId,
        fencing: Fencing,
        [fenced, interleaved]: [usize; 2],
        found: &mut Vec<Finding>,
    ) {
        let Some((write, before)) = self.check(disk) else {
            return;
        };
        let newer = disk
            .log
            .iter()
            .rev()
            .find(|w| w.accepted && w.token == before);
        let mut nodes = vec![storage, write.author];
        nodes.extend(newer.map(|w| w.author).filter(|&a| a != write.author));
        let writer = node_name(write.author);
        if fencing != Fencing::Off {
            found.push(Finding {
                invariant: fenced,
                nodes: nodes.clone(),
                detail: format!(
                    "storage took {writer}'s write with token {} after taking token {before}",
                    write.token
                ),
            });
        }
        let after = newer.map_or(String::new(), |n| {
            format!(
                ", {} after {} wrote with token {before}",
                format_duration(write.at.saturating_sub(n.at)),
                node_name(n.author)
            )
        });
        found.push(Finding {
            invariant: interleaved,
            nodes,
            detail: format!(
                "{writer} wrote with token {}{after}: two writers at once",
                write.token
            ),
        });
    }

    /// The stale write just taken, if any, with the highest token taken before it.
    fn check(&mut self, disk: &Disk) -> Option<(Write, u64)> {
        if disk.accepted == self.writes_seen {
            return None;
        }
        self.writes_seen = disk.accepted;
        let write = disk.last_accepted()?;
        let before = self.highest_taken;
        self.highest_taken = before.max(write.token);
        (write.token < before).then_some((write, before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seeds' `FencedStorage` example: the old leader writes with token 1, the new one
    /// with 2, and the old leader's retry with 1 is refused.
    #[test]
    fn a_lower_token_is_refused_once_a_higher_one_has_written() {
        let mut disk = Disk::default();
        assert_eq!(disk.write(Fencing::On, 1, 0, 1), Verdict::Accepted);
        assert_eq!(disk.write(Fencing::On, 2, 2, 2), Verdict::Accepted);
        assert_eq!(disk.write(Fencing::On, 3, 2, 2), Verdict::Accepted);
        assert_eq!(
            disk.write(Fencing::On, 4, 0, 1),
            Verdict::Stale { highest: 2 }
        );
        assert_eq!((disk.accepted, disk.rejected, disk.interleaved), (3, 1, 0));
    }

    #[test]
    fn without_fencing_the_stale_write_is_taken_and_counted() {
        for fencing in [Fencing::Off, Fencing::PerWriter] {
            let mut disk = Disk::default();
            for (token, author) in [(1, 0), (2, 2), (1, 0)] {
                assert_eq!(disk.write(fencing, 0, author, token), Verdict::Accepted);
            }
            assert_eq!((disk.accepted, disk.interleaved), (3, 1), "{fencing:?}");
        }
    }
}
