//! The guided presets: the seeds' timeline to the second (client 1 takes a 10 s lease with
//! token 33 at 0 s, freezes from 5 s to 12 s, client 2 takes the lock with token 34 at 11 s
//! and writes, client 1 wakes at 12 s and writes), with and without fencing; a slow clock,
//! a clock stepped back (and the monotonic clock that ignores the step); Redlock across
//! five lock servers whose majority jumps ahead.

use super::checks::{ONE_WRITER_CHECK, TWO_HOLDERS_CHECK};
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::{ClockSetting, Scenario};
use failscope_sim::time::{MS, SECOND};

/// Two clients (S1, S2), `n_locks` lock servers and storage, with 1 ms links so that the
/// story's times hold to the millisecond.
pub fn scenario(seed: u64, n_locks: u16, fencing: bool) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, 3 + n_locks)
        .with_param("lock_servers", i64::from(n_locks))
        .with_param("fencing", i64::from(fencing));
    s.network.link.latency = Latency::Constant { us: MS };
    s
}

/// The seeds' timeline: the GC pause from 5 s to 12 s.
pub fn seeds_timeline(fencing: bool) -> Scenario {
    scenario(1, 1, fencing).with_fault(
        5 * SECOND,
        Action::Pause {
            node: 0,
            duration_us: 7 * SECOND,
        },
    )
}

/// Client 1's clock, stepped back 5 s at 8 s; checked on the wall clock or the monotonic one.
fn clock_jump(monotonic: bool) -> Scenario {
    scenario(3, 1, false)
        .with_param("lease_clock", i64::from(monotonic))
        .with_fault(
            8 * SECOND,
            Action::ClockJump {
                node: 0,
                delta_us: -5 * SECOND as i64,
            },
        )
}

/// Five lock servers (S3 to S7); at 2 s the clocks of S5, S6 and S7 jump 9 s ahead, and
/// client 2 asks at 3.2 s.
fn redlock(fencing: bool) -> Scenario {
    let mut s = scenario(4, 5, fencing).with_param("start_every_ms", 3_200);
    for node in 4..7 {
        s = s.with_fault(
            2 * SECOND,
            Action::ClockJump {
                node,
                delta_us: 9 * SECOND as i64,
            },
        );
    }
    s
}

const TIMELINE_START: &str = "At 0 s client 1 (S1) asks the lock service S3 for the lock and gets a 10 s lease with token 33. It checks its lease, works for half a second and writes to storage S4 with its token, again and again.";
const TIMELINE_PAUSE: &str = "At 5 s client 1 freezes, as in a long garbage-collection pause, between checking its lease (valid) and sending its next write. It cannot tell it has stopped.";
const TIMELINE_EXPIRY: &str = "At 10 s the lease expires on the lock service's clock. Client 1 is still frozen and does not know.";
const TIMELINE_TAKEOVER: &str = "At 11 s client 2 (S2) asks for the lock, gets it with token 34, and half a second later writes.";

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "seeds-timeline",
            title: "A pause outlives the lease",
            summary: "The seeds' timeline, no fencing: storage takes the late write.",
            scenario: seeds_timeline(false),
            duration_us: 14 * SECOND,
            chapters: vec![
                Chapter::at(0, TIMELINE_START),
                Chapter::at(5 * SECOND, TIMELINE_PAUSE),
                Chapter::at(10 * SECOND, TIMELINE_EXPIRY),
                Chapter::at(11 * SECOND, TIMELINE_TAKEOVER),
                Chapter::at(11 * SECOND, "Both clients now believe they hold the lock: client 1's belief is frozen in time.").on_check(TWO_HOLDERS_CHECK),
                Chapter::at(12 * SECOND, "At 12 s client 1 wakes and sends the write it prepared before the pause, with token 33. Storage does not check tokens, so it takes it after client 2's: the data is corrupted, and storage cannot tell.").on_check(ONE_WRITER_CHECK),
                Chapter::at(12 * SECOND + 10 * MS, "Only now does client 1 look at its clock again, see that its lease is long gone, and ask for the lock. Too late: the write went out first."),
            ],
        },
        Preset {
            id: "seeds-timeline-fenced",
            title: "The same, with fencing",
            summary: "“stale token 33 < 34”: the late write is refused.",
            scenario: seeds_timeline(true),
            duration_us: 14 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same timeline, but storage now remembers the highest token it has seen and refuses anything lower."),
                Chapter::at(5 * SECOND, TIMELINE_PAUSE),
                Chapter::at(10 * SECOND, TIMELINE_EXPIRY),
                Chapter::at(11 * SECOND, TIMELINE_TAKEOVER),
                Chapter::at(11 * SECOND, "Both clients believe they hold the lock; fencing cannot prevent the belief, only its damage.").on_check(TWO_HOLDERS_CHECK),
                Chapter::at(12 * SECOND, "At 12 s client 1 wakes and writes with token 33. Storage has already taken 34: “stale token 33 < 34”, refused. Client 1 learns from the refusal that it has lost the lock."),
            ],
        },
        Preset {
            id: "clock-drift",
            title: "A slow clock",
            summary: "A 20% slow clock keeps a 10 s lease for 12.5 s.",
            scenario: Scenario {
                clocks: vec![ClockSetting {
                    node: 0,
                    offset_us: 0,
                    drift_ppm: -200_000,
                }],
                ..scenario(2, 1, false)
            },
            duration_us: 14 * SECOND,
            chapters: vec![
                Chapter::at(0, "Client 1's clock runs 20% slow; both its clocks do, since they share the hardware. It takes a 10 s lease at 0 s and checks it on its own clock before every write."),
                Chapter::at(10 * SECOND, "The lease expires at 10 s on the lock service's clock. Client 1's clock says 8 s: it carries on."),
                Chapter::at(11 * SECOND, TIMELINE_TAKEOVER),
                Chapter::at(11 * SECOND, "Client 1 still believes it holds the lock.").on_check(TWO_HOLDERS_CHECK),
                Chapter::at(11 * SECOND, "Client 1 writes with token 33 after client 2's write with 34, and storage (no fencing here) takes it. A monotonic clock would not help: it drifts too. Leases need a bound on drift and a margin for it, and fencing for the rest.").on_check(ONE_WRITER_CHECK),
            ],
        },
        Preset {
            id: "clock-jump",
            title: "A clock stepped back",
            summary: "A wall clock set back 5 s stretches an expired lease.",
            scenario: clock_jump(false),
            duration_us: 14 * SECOND,
            chapters: vec![
                Chapter::at(0, "Client 1 takes a 10 s lease and checks it on its wall clock."),
                Chapter::at(8 * SECOND, "At 8 s a time correction steps client 1's wall clock back 5 s: by that clock, its lease now has 7 s to run instead of 2."),
                Chapter::at(10 * SECOND, TIMELINE_EXPIRY),
                Chapter::at(11 * SECOND, TIMELINE_TAKEOVER),
                Chapter::at(11 * SECOND, "Client 1 still believes it holds the lock.").on_check(TWO_HOLDERS_CHECK),
                Chapter::at(11 * SECOND, "Client 1 writes with token 33 after client 2's 34 and storage, without fencing, takes it. Compare the same run with a monotonic clock.").on_check(ONE_WRITER_CHECK),
            ],
        },
        Preset {
            id: "clock-jump-monotonic",
            title: "A monotonic clock",
            summary: "The same step, ignored: the lease ends on time.",
            scenario: clock_jump(true),
            duration_us: 14 * SECOND,
            chapters: vec![
                Chapter::at(0, "Client 1 takes a 10 s lease and checks it on its monotonic clock, which counts elapsed time and is never stepped."),
                Chapter::at(8 * SECOND, "At 8 s its wall clock is stepped back 5 s. The monotonic clock does not move."),
                Chapter::at(10 * SECOND, "At 10 s client 1 sees its lease is over and asks again; the lock is free, so it gets it back with token 34."),
                Chapter::at(11 * SECOND, "Client 2 asks at 11 s and is told the lock is taken; it retries every second. One holder at a time. A monotonic clock avoids the step, but not a pause: see the first scenario, which uses one too."),
            ],
        },
        Preset {
            id: "redlock",
            title: "Redlock",
            summary: "Clocks jump on three of five lock servers: two holders.",
            scenario: redlock(false),
            duration_us: 6 * SECOND,
            chapters: vec![
                Chapter::at(0, "Redlock: five independent lock servers, S3 to S7. Client 1 asks all five and holds the lock once a majority (three) grant it; here all five do, each with token 33."),
                Chapter::at(2 * SECOND, "At 2 s the clocks of S5, S6 and S7 jump 9 s ahead. By their clocks client 1's 10 s lease is over, and they forget it."),
                Chapter::at(3200 * MS, "Client 2 asks at 3.2 s: S3 and S4 refuse, S5, S6 and S7 grant. Three of five is a majority: client 2 holds the lock, with token 34.").on_check(TWO_HOLDERS_CHECK),
                Chapter::at(3200 * MS, "Client 1, whose own clock is fine, still holds it too, and both write. Storage, without fencing, takes client 1's token-33 write after client 2's token 34. This is the well-known critique of Redlock: its safety rests on clocks.").on_check(ONE_WRITER_CHECK),
            ],
        },
        Preset {
            id: "redlock-fenced",
            title: "Redlock with fencing",
            summary: "Two holders, but storage refuses the older token.",
            scenario: redlock(true),
            duration_us: 6 * SECOND,
            chapters: vec![
                Chapter::at(0, "The same five lock servers and the same jumps, with storage checking tokens. Each server counts its own grants and a client writes with the highest of its majority's tokens: in this run they grow with each grant, though Redlock itself promises no such order. A lock service built on consensus does."),
                Chapter::at(2 * SECOND, "At 2 s three servers' clocks jump 9 s ahead and forget client 1's lease."),
                Chapter::at(3200 * MS, "Client 2 gets a majority with token 34 while client 1 still holds the lock: two holders again.").on_check(TWO_HOLDERS_CHECK),
                Chapter::at(3700 * MS, "Client 2 writes with 34; client 1's next write with 33 is refused, “stale token 33 < 34”, and client 1 steps back. The lock failed; storage did not."),
            ],
        },
    ]
}
