//! Reusable logical clocks for labs: Lamport clocks, vector clocks, hybrid logical clocks,
//! and a TrueTime-style uncertainty interval. Pure integer arithmetic.

use crate::ids::NodeId;
use serde::Serialize;
use std::cmp::Ordering;

/// Lamport's scalar clock: consistent with happens-before (a → b ⇒ L(a) < L(b)), but equal
/// or ordered values say nothing about concurrency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Lamport(pub u64);

impl Lamport {
    /// A local event or a send: tick and return the new time.
    pub fn tick(&mut self) -> Lamport {
        self.0 += 1;
        *self
    }

    /// A receive of a message stamped `seen`.
    pub fn observe(&mut self, seen: Lamport) -> Lamport {
        self.0 = self.0.max(seen.0) + 1;
        *self
    }
}

/// How two vector timestamps relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Causality {
    Before,
    After,
    Equal,
    /// Neither happened before the other.
    Concurrent,
}

/// A vector clock: one counter per node. Orders events exactly by happens-before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct VectorClock(pub Vec<u64>);

impl VectorClock {
    pub fn new(n_nodes: u16) -> VectorClock {
        VectorClock(vec![0; usize::from(n_nodes)])
    }

    fn ensure(&mut self, len: usize) {
        if self.0.len() < len {
            self.0.resize(len, 0);
        }
    }

    /// A local event or a send at `node`.
    pub fn tick(&mut self, node: NodeId) {
        self.ensure(usize::from(node) + 1);
        self.0[usize::from(node)] += 1;
    }

    /// A receive at `node` of a message stamped `seen`.
    pub fn observe(&mut self, node: NodeId, seen: &VectorClock) {
        self.merge(seen);
        self.tick(node);
    }

    /// Pointwise maximum (used by siblings' merge as well).
    pub fn merge(&mut self, other: &VectorClock) {
        self.ensure(other.0.len());
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine = (*mine).max(*theirs);
        }
    }

    pub fn compare(&self, other: &VectorClock) -> Causality {
        let len = self.0.len().max(other.0.len());
        let at = |v: &VectorClock, i: usize| v.0.get(i).copied().unwrap_or(0);
        let (mut less, mut greater) = (false, false);
        for i in 0..len {
            match at(self, i).cmp(&at(other, i)) {
                Ordering::Less => less = true,
                Ordering::Greater => greater = true,
                Ordering::Equal => {}
            }
        }
        match (less, greater) {
            (false, false) => Causality::Equal,
            (true, false) => Causality::Before,
            (false, true) => Causality::After,
            (true, true) => Causality::Concurrent,
        }
    }
}

impl std::fmt::Display for VectorClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        write!(f, "[{}]", parts.join(","))
    }
}

/// A hybrid logical clock (Kulkarni et al., 2014): a physical-time component that never
/// falls behind the node's wall clock nor any timestamp it has seen, plus a logical counter
/// that orders events within the same physical value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Hlc {
    pub physical_us: i64,
    pub logical: u32,
}

impl Hlc {
    /// A local event or a send, with the node's wall clock reading `wall_us`.
    pub fn now(&mut self, wall_us: i64) -> Hlc {
        if wall_us > self.physical_us {
            self.physical_us = wall_us;
            self.logical = 0;
        } else {
            self.logical += 1;
        }
        *self
    }

    /// A receive of a message stamped `seen`, with the node's wall clock reading `wall_us`.
    pub fn observe(&mut self, seen: Hlc, wall_us: i64) -> Hlc {
        let physical = self.physical_us.max(seen.physical_us).max(wall_us);
        self.logical = if physical == self.physical_us && physical == seen.physical_us {
            self.logical.max(seen.logical) + 1
        } else if physical == self.physical_us {
            self.logical + 1
        } else if physical == seen.physical_us {
            seen.logical + 1
        } else {
            0
        };
        self.physical_us = physical;
        *self
    }
}

/// A TrueTime-style reading: the true time is somewhere in `[earliest, latest]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TrueTime {
    pub earliest_us: i64,
    pub latest_us: i64,
}

impl TrueTime {
    /// The interval around a wall-clock reading with uncertainty `epsilon_us`.
    pub fn around(wall_us: i64, epsilon_us: i64) -> TrueTime {
        TrueTime {
            earliest_us: wall_us - epsilon_us,
            latest_us: wall_us + epsilon_us,
        }
    }

    /// Has time `t` certainly passed? (Commit-wait waits until this holds for the commit
    /// timestamp before making a write visible.)
    pub fn after(&self, t: i64) -> bool {
        self.earliest_us > t
    }

    /// Has time `t` certainly not arrived yet?
    pub fn before(&self, t: i64) -> bool {
        self.latest_us < t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lamport_clocks_respect_message_order() {
        let (mut a, mut b) = (Lamport::default(), Lamport::default());
        let sent = a.tick();
        b.tick();
        b.tick();
        b.tick();
        let received = b.observe(sent);
        assert!(received > sent);
        assert_eq!(received, Lamport(4));
    }

    #[test]
    fn vector_clocks_detect_concurrency_that_lamport_clocks_hide() {
        // Two independent events on different nodes: Lamport gives both 1 (or any order),
        // vectors say "concurrent".
        let (mut la, mut lb) = (Lamport::default(), Lamport::default());
        let (mut va, mut vb) = (VectorClock::new(2), VectorClock::new(2));
        let l1 = la.tick();
        lb.tick();
        let l2 = lb.tick();
        va.tick(0);
        vb.tick(1);
        vb.tick(1);
        assert!(
            l1 < l2,
            "Lamport orders them, though neither caused the other"
        );
        assert_eq!(va.compare(&vb), Causality::Concurrent);
        // After b receives from a, a's event is before b's.
        vb.observe(1, &va);
        assert_eq!(va.compare(&vb), Causality::Before);
        assert_eq!(vb.compare(&va), Causality::After);
        assert_eq!(va.compare(&va.clone()), Causality::Equal);
    }

    #[test]
    fn hlc_never_goes_backwards_even_when_the_wall_clock_does() {
        let mut hlc = Hlc::default();
        let t1 = hlc.now(1_000);
        let t2 = hlc.now(500); // wall clock stepped back
        assert!(t2 > t1);
        let remote = Hlc {
            physical_us: 9_000,
            logical: 3,
        };
        let t3 = hlc.observe(remote, 600);
        assert_eq!(
            t3,
            Hlc {
                physical_us: 9_000,
                logical: 4
            }
        );
        let t4 = hlc.now(10_000);
        assert_eq!(
            t4,
            Hlc {
                physical_us: 10_000,
                logical: 0
            }
        );
    }

    #[test]
    fn truetime_commit_wait() {
        let tt = TrueTime::around(100, 7);
        assert!(!tt.after(100));
        assert!(tt.after(92));
        assert!(tt.before(108));
    }
}
