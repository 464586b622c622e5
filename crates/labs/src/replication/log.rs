//! The leader-follower replication log: numbered writes, applied in order.
//!
//! Only the tail is kept ([`LOG_CAP`] entries): a follower further behind than the tail is
//! brought up to date with a snapshot instead (the whole store, as PostgreSQL's base backup
//! or MySQL's dump does before the binlog takes over).

/// Entries kept; older ones live on only in the store they were applied to.
pub const LOG_CAP: usize = 256;

/// One write, as the leader of `epoch` numbered it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub seq: u64,
    pub epoch: u64,
    pub key: u16,
    pub value: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    /// Sequence number just before the first kept entry.
    pub base: u64,
    /// `entries[i].seq == base + 1 + i`.
    pub entries: Vec<Entry>,
}

impl Log {
    /// The last sequence number applied.
    pub fn last_seq(&self) -> u64 {
        self.base + self.entries.len() as u64
    }

    /// Append the next entry, dropping the oldest beyond the cap.
    pub fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
        if self.entries.len() > LOG_CAP {
            let excess = self.entries.len() - LOG_CAP;
            self.entries.drain(..excess);
            self.base += excess as u64;
        }
    }

    pub fn get(&self, seq: u64) -> Option<&Entry> {
        let offset = seq.checked_sub(self.base + 1)?;
        self.entries.get(usize::try_from(offset).ok()?)
    }

    /// Does the log hold this very write (same number, same epoch)?
    pub fn contains(&self, seq: u64, epoch: u64) -> bool {
        self.get(seq).is_some_and(|e| e.epoch == epoch)
    }

    /// Entries from `seq` on, at most `max`.
    pub fn from(&self, seq: u64, max: usize) -> Vec<Entry> {
        let start = seq.saturating_sub(self.base + 1) as usize;
        self.entries.iter().skip(start).take(max).copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> Entry {
        Entry {
            seq,
            epoch: 0,
            key: 0,
            value: seq as u32,
        }
    }

    #[test]
    fn the_tail_is_kept_and_numbers_survive() {
        let mut log = Log::default();
        for seq in 1..=(LOG_CAP as u64 + 10) {
            log.push(entry(seq));
        }
        assert_eq!(log.last_seq(), LOG_CAP as u64 + 10);
        assert_eq!(log.base, 10);
        assert!(log.get(10).is_none());
        assert_eq!(log.get(11).map(|e| e.seq), Some(11));
        assert!(log.contains(20, 0) && !log.contains(20, 1));
        assert_eq!(log.from(LOG_CAP as u64 + 9, 5).len(), 2);
        assert_eq!(log.from(0, 3)[0].seq, 11);
        assert!(log.get(0).is_none() && log.get(u64::MAX).is_none());
    }
}
