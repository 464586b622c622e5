//! A vector that clones in O(length / 256): full chunks are shared (`Arc`) between clones and
//! copied only when written. Checkpoints clone the whole world every few thousand events, so
//! anything that grows with the run (a Raft log) must be cheap to clone.

use std::sync::Arc;

const CHUNK: usize = 256;

#[derive(Clone, Debug)]
pub struct ChunkedVec<T: Clone> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T: Clone> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Clone> ChunkedVec<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        if index >= self.len {
            return None;
        }
        self.chunks[index / CHUNK].get(index % CHUNK)
    }

    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    pub fn push(&mut self, value: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.last_mut().expect("a chunk exists");
        Arc::make_mut(last).push(value);
        self.len += 1;
    }

    /// Keep the first `len` items.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.chunks.truncate(len.div_ceil(CHUNK));
        if !len.is_multiple_of(CHUNK) {
            let last = self.chunks.last_mut().expect("a chunk exists");
            Arc::make_mut(last).truncate(len % CHUNK);
        }
        self.len = len;
    }

    /// Items `from..to` (clamped), in order.
    pub fn range(&self, from: usize, to: usize) -> impl Iterator<Item = &T> + '_ {
        let to = to.min(self.len);
        (from.min(to)..to).filter_map(move |i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_across_chunk_boundaries() {
        let mut c = ChunkedVec::default();
        let mut v = Vec::new();
        for i in 0..1_000u32 {
            c.push(i);
            v.push(i);
        }
        for len in [999, 768, 700, 256, 255, 1, 0] {
            let snapshot = c.clone();
            c.truncate(len);
            v.truncate(len);
            assert_eq!(c.len(), v.len());
            assert_eq!(c.range(0, usize::MAX).copied().collect::<Vec<_>>(), v);
            assert_eq!(c.last(), v.last());
            assert!(snapshot.len() >= c.len(), "clones are unaffected");
            c.push(7);
            v.push(7);
        }
        assert_eq!(c.get(5), None);
    }

    #[test]
    fn clones_share_full_chunks() {
        let mut c = ChunkedVec::default();
        for i in 0..600u32 {
            c.push(i);
        }
        let d = c.clone();
        c.push(1);
        assert!(Arc::ptr_eq(&c.chunks[0], &d.chunks[0]));
        assert_eq!(d.len(), 600);
    }
}
