//! The event queue: events ordered by (time, insertion sequence), so simultaneous events run
//! in the order they were scheduled: deterministic, whatever the heap's internals.
//!
//! The heap holds only small keys; the events themselves (messages can be large) sit in a
//! slab and never move while the heap reorders. That keeps sifting cheap.

use crate::time::Time;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    time: Time,
    seq: u64,
    slot: u32,
}

impl Key {
    /// Whether `self` pops before `other`: earlier time, then earlier insertion.
    #[inline]
    fn before(&self, other: &Key) -> bool {
        (self.time, self.seq) < (other.time, other.seq)
    }
}

/// A binary min-heap of keys, written out rather than `std::collections::BinaryHeap`
/// because every queue event pops once and pushes about once: this is the engine's
/// innermost loop, and the plain `<` on (time, seq) with hole-based sifting costs about half
/// the instructions of `BinaryHeap` with a reversed `Ord`.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: Vec<Key>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: Vec::new(),
            slab: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedule `event` at `time`; returns its sequence number (unique, increasing).
    pub fn push(&mut self, time: Time, event: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slab.push(Some(event));
                (self.slab.len() - 1) as u32
            }
        };
        self.sift_up(Key { time, seq, slot });
        seq
    }

    /// The earliest event with its time and sequence number.
    pub fn pop(&mut self) -> Option<(Time, u64, E)> {
        let last = self.heap.pop()?;
        let key = match self.heap.first_mut() {
            Some(first) => {
                let key = *first;
                self.sift_down(last);
                key
            }
            None => last,
        };
        let event = self.slab[key.slot as usize].take()?;
        self.free.push(key.slot);
        Some((key.time, key.seq, event))
    }

    /// Add `key` at the bottom and move it up past every later parent.
    fn sift_up(&mut self, key: Key) {
        let mut hole = self.heap.len();
        self.heap.push(key);
        while hole > 0 {
            let parent = (hole - 1) / 2;
            if !key.before(&self.heap[parent]) {
                break;
            }
            self.heap[hole] = self.heap[parent];
            hole = parent;
        }
        self.heap[hole] = key;
    }

    /// Put `key` in the root's place: walk the hole down along the earlier child to the
    /// bottom, then move `key` up from there (it was last, so it usually belongs low down:
    /// this takes about one comparison per level instead of two).
    fn sift_down(&mut self, key: Key) {
        let heap = &mut self.heap[..];
        let len = heap.len();
        let mut hole = 0;
        let mut child = 1;
        while child + 1 < len {
            if heap[child + 1].before(&heap[child]) {
                child += 1;
            }
            heap[hole] = heap[child];
            hole = child;
            child = 2 * hole + 1;
        }
        if child < len {
            heap[hole] = heap[child];
            hole = child;
        }
        while hole > 0 {
            let parent = (hole - 1) / 2;
            if !key.before(&heap[parent]) {
                break;
            }
            heap[hole] = heap[parent];
            hole = parent;
        }
        heap[hole] = key;
    }

    pub fn peek_time(&self) -> Option<Time> {
        self.heap.first().map(|k| k.time)
    }

    pub fn peek(&self) -> Option<&E> {
        let key = self.heap.first()?;
        self.slab[key.slot as usize].as_ref()
    }

    /// The sequence number the next push will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Every queued event, in no particular (but deterministic) order.
    pub fn iter(&self) -> impl Iterator<Item = &E> {
        self.slab.iter().flatten()
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(30, "c");
        q.push(10, "a1");
        q.push(20, "b");
        q.push(10, "a2");
        assert_eq!(q.peek_time(), Some(10));
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, _, e)| e)).collect();
        assert_eq!(order, ["a1", "a2", "b", "c"]);
        assert!(q.is_empty());
    }

    #[test]
    fn pops_in_the_same_order_as_a_sorted_reference() {
        let mut rng = crate::rng::Rng::from_seed(7);
        let mut q = EventQueue::default();
        let mut reference = std::collections::BTreeSet::new();
        for round in 0..5_000u64 {
            // Few distinct times, so ties (broken by insertion order) are common.
            let time = round / 3 + rng.below(40);
            let seq = q.push(time, round);
            reference.insert((time, seq, round));
            if rng.below(3) == 0 {
                let expected = reference.pop_first();
                assert_eq!(q.pop(), expected);
            }
        }
        while let Some(expected) = reference.pop_first() {
            assert_eq!(q.pop(), Some(expected));
        }
        assert!(q.is_empty());
    }

    #[test]
    fn slots_are_reused() {
        let mut q = EventQueue::default();
        for round in 0..100u64 {
            q.push(round, round);
            q.push(round, round);
            q.pop();
            q.pop();
        }
        assert!(q.slab.len() <= 2);
    }
}
