//! Swarm testing's fault schedules, shared by every lab's "no violation under random
//! faults" test: each seed picks how many faults, which, where and when.

use failscope_sim::action::{Action, ScheduledFault};
use failscope_sim::ids::NodeId;
use failscope_sim::rng::Rng;
use failscope_sim::time::{Time, MS};
use failscope_sim::Scenario;

/// Adds up to `max_faults - 1` random faults (crash, restart, pause, a two-node partition,
/// heal, or the lab's clock fault) before `until_us`, then heals the network and restarts
/// every server at `until_us`, so liveness can be checked afterwards.
pub fn schedule_random_faults(
    s: &mut Scenario,
    rng: &mut Rng,
    max_faults: u64,
    until_us: Time,
    clock_fault: impl Fn(&mut Rng, NodeId) -> Action,
) {
    for _ in 0..rng.below(max_faults) {
        let at_us = rng.below(until_us);
        let node = rng.below(u64::from(s.n_nodes)) as NodeId;
        let action = match rng.below(6) {
            0 => Action::Crash { node },
            1 => Action::Restart { node },
            2 => Action::Pause {
                node,
                duration_us: rng.range_inclusive(50, 800) * MS,
            },
            3 => Action::Partition {
                groups: vec![vec![node, (node + 1) % s.n_nodes]],
            },
            4 => Action::Heal,
            _ => clock_fault(rng, node),
        };
        s.faults.push(ScheduledFault { at_us, action });
    }
    s.faults.push(ScheduledFault {
        at_us: until_us,
        action: Action::Heal,
    });
    for node in 0..s.n_nodes {
        s.faults.push(ScheduledFault {
            at_us: until_us,
            action: Action::Restart { node },
        });
    }
}
