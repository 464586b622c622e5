//! A Raft log with a running hash of every prefix, so that "these two logs agree up to
//! index i" is one comparison. The checkers rely on it to stay incremental on long runs.

use failscope_sim::chunked::ChunkedVec;
use failscope_sim::client::{ClientOp, RequestId};
use failscope_sim::trace::Fnv;
use serde::Serialize;

/// What an entry asks the state machine to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Command {
    /// Appended by a new leader so it can commit entries of earlier terms (Raft §8).
    Noop,
    Client {
        request: RequestId,
        op: ClientOp,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub term: u64,
    pub command: Command,
}

impl Entry {
    /// A hash of the entry's content (term and command).
    pub fn hash(&self) -> u64 {
        let mut h = Fnv::new();
        h.u64(self.term);
        match self.command {
            Command::Noop => h.bytes(&[0]),
            Command::Client { request, op } => {
                h.bytes(&[1]);
                h.bytes(&request.client.to_le_bytes());
                h.bytes(&request.seq.to_le_bytes());
                failscope_sim::trace::encode_op(&mut h, &op);
            }
        }
        h.finish()
    }

    pub fn label(&self) -> String {
        match self.command {
            Command::Noop => "no-op".into(),
            Command::Client { op, .. } => op.to_string(),
        }
    }
}

/// Entries are numbered from 1; index 0 is the empty prefix (term 0). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct RaftLog {
    entries: ChunkedVec<Entry>,
    /// `prefix[i]` is the hash of entries 1..=i+1.
    prefix: ChunkedVec<u64>,
    /// Where each truncation so far cut the log, in order: lets an observer find what
    /// changed since it last looked without keeping a copy of the log.
    truncations: Vec<u64>,
}

impl RaftLog {
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(0, |e| e.term)
    }

    /// The term of entry `index` (0 for index 0; `None` past the end).
    pub fn term_at(&self, index: u64) -> Option<u64> {
        if index == 0 {
            return Some(0);
        }
        self.get(index).map(|e| e.term)
    }

    pub fn get(&self, index: u64) -> Option<&Entry> {
        let i = usize::try_from(index.checked_sub(1)?).ok()?;
        self.entries.get(i)
    }

    /// Hash of entries 1..=index (0 for the empty prefix).
    pub fn prefix_hash(&self, index: u64) -> Option<u64> {
        if index == 0 {
            return Some(0);
        }
        self.prefix.get(usize::try_from(index - 1).ok()?).copied()
    }

    pub fn append(&mut self, entry: Entry) {
        let previous = self.prefix.last().copied().unwrap_or(0);
        let mut h = Fnv::new();
        h.u64(previous);
        h.u64(entry.hash());
        self.prefix.push(h.finish());
        self.entries.push(entry);
    }

    /// Remove entries from `index` on (keep 1..index).
    pub fn truncate_from(&mut self, index: u64) {
        if index <= self.len() {
            self.truncations.push(index.max(1));
        }
        let keep = index.saturating_sub(1) as usize;
        self.entries.truncate(keep);
        self.prefix.truncate(keep);
    }

    /// Replace entry `index` in place, keeping the entries after it (only the deliberately
    /// broken variant does this; correct Raft truncates instead).
    pub fn replace(&mut self, index: u64, entry: Entry) {
        let tail = self.slice(index + 1, self.len());
        self.truncate_from(index);
        self.append(entry);
        for e in tail {
            self.append(e);
        }
    }

    /// Copies of entries `from..=to` (1-based, clamped).
    pub fn slice(&self, from: u64, to: u64) -> Vec<Entry> {
        let start = from.max(1) as usize - 1;
        self.entries.range(start, to as usize).copied().collect()
    }

    /// How many truncations this log has seen (a version for observers).
    pub fn truncation_count(&self) -> usize {
        self.truncations.len()
    }

    /// The first index that may differ from what an observer saw when the log had
    /// `seen_len` entries and `seen_truncations` truncations.
    pub fn changed_since(&self, seen_len: u64, seen_truncations: usize) -> u64 {
        let cut = self
            .truncations
            .get(seen_truncations..)
            .unwrap_or(&[])
            .iter()
            .min()
            .copied();
        cut.map_or(seen_len + 1, |c| c.min(seen_len + 1))
    }

    /// Entries of one term (to see which survived a log repair).
    pub fn entries_from_term(&self, term: u64) -> impl Iterator<Item = &Entry> + '_ {
        self.entries
            .range(0, self.entries.len())
            .filter(move |e| e.term == term)
    }

    /// The longest prefix length on which `self` and `other` agree (by prefix hash).
    pub fn common_prefix(&self, other: &RaftLog) -> u64 {
        // Prefix hashes agree up to some point and differ after it: binary search it.
        let n = self.len().min(other.len());
        let (mut lo, mut hi) = (0u64, n);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if self.prefix_hash(mid) == other.prefix_hash(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(term: u64, value: u32) -> Entry {
        Entry {
            term,
            command: Command::Client {
                request: RequestId {
                    client: 0,
                    seq: value,
                },
                op: ClientOp::Write { key: 0, value },
            },
        }
    }

    #[test]
    fn prefix_hashes_agree_exactly_on_common_prefixes() {
        let mut a = RaftLog::default();
        let mut b = RaftLog::default();
        for v in 1..=5 {
            a.append(entry(1, v));
            b.append(entry(1, v));
        }
        assert_eq!(a.common_prefix(&b), 5);
        b.truncate_from(4);
        b.append(entry(2, 99));
        assert_eq!(b.len(), 4);
        assert_eq!(a.common_prefix(&b), 3);
        assert_eq!(a.prefix_hash(3), b.prefix_hash(3));
        assert_ne!(a.prefix_hash(4), b.prefix_hash(4));
        assert_eq!(a.term_at(0), Some(0));
        assert_eq!(a.term_at(6), None);
        assert_eq!(a.slice(2, 3).len(), 2);
        assert_eq!(a.slice(6, 9).len(), 0);
    }
}
