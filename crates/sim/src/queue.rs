//! The event queue: events ordered by (time, insertion sequence), so simultaneous events run
//! in the order they were scheduled: deterministic, whatever the heap's internals.
//!
//! The heap holds only small keys; the events themselves (messages can be large) sit in a
//! slab and never move while the heap reorders. That keeps sifting cheap.

use crate::time::Time;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    time: Time,
    seq: u64,
    slot: u32,
}

impl Ord for Key {
    /// Reversed, so the max-heap pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Key>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
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
        self.heap.push(Key { time, seq, slot });
        seq
    }

    /// The earliest event with its time and sequence number.
    pub fn pop(&mut self) -> Option<(Time, u64, E)> {
        let key = self.heap.pop()?;
        let event = self.slab[key.slot as usize].take()?;
        self.free.push(key.slot);
        Some((key.time, key.seq, event))
    }

    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|k| k.time)
    }

    pub fn peek(&self) -> Option<&E> {
        let key = self.heap.peek()?;
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
