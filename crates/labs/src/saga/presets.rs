//! The guided presets: the seeds' booking (flight, hotel, car; the car fails) orchestrated
//! and choreographed on the same seed, a cancellation that fails and is retried, a lost
//! reply whose retry meets an idempotent cancellation, and the dirty read with and without
//! a semantic lock. Links take 50 ms and each booking 0.2 s, so the steps land on round
//! numbers: orchestrated, the flight is booked at 0.35 s, the hotel at 0.65 s, the car
//! fails at 0.95 s, the hotel is cancelled at 1.05 s and the flight at 1.15 s.

use super::checks::DIRTY_READ_CHECK;
use super::config::{HOTEL, N_NODES};
use super::LAB_ID;
use failscope_sim::action::Action;
use failscope_sim::lab::{Chapter, Preset};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Scenario;
use failscope_sim::time::{MS, SECOND};

pub fn scenario(seed: u64) -> Scenario {
    let mut s = Scenario::new(LAB_ID, seed, N_NODES);
    s.network.link.latency = Latency::Constant { us: 50 * MS };
    s
}

fn choreography() -> Scenario {
    scenario(1).with_param("mode", 1)
}

const CAST: &str = "S1 books a trip: a flight (S2), then a hotel (S3), then a car (S4). Each is a local transaction in its own service; there is no transaction around the three. If one fails, the ones already done are undone by compensations: cancel and refund.";
const COMPENSATE: &str = "At 1 s S1 hears that the car failed. It does not roll back: it compensates, newest step first. Cancel the hotel (done at 1.05 s), then the flight (1.15 s).";

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            id: "orchestration",
            title: "Orchestration: the car fails",
            summary: "An orchestrator with a saga log books, then cancels in reverse.",
            scenario: scenario(1),
            duration_us: 1_500 * MS,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(100 * MS, "Here S1 is an orchestrator: it tells each service what to do and writes every answer to its saga log, so after a crash it knows exactly where it was."),
                Chapter::at(350 * MS, "At 0.35 s the flight is booked; at 0.65 s the hotel. Until the saga ends these bookings are visible to everyone, although they may yet be cancelled."),
                Chapter::at(950 * MS, "At 0.95 s the car service has no car: that booking fails."),
                Chapter::at(1_000 * MS, COMPENSATE),
                Chapter::at(1_200 * MS, "At 1.2 s the saga is over: every step is either done or compensated, the flight and hotel cancelled in the reverse of the order they were booked."),
            ],
        },
        Preset {
            id: "choreography",
            title: "Choreography: the car fails",
            summary: "No orchestrator: each service reacts to its neighbour's events.",
            scenario: choreography(),
            duration_us: 1_500 * MS,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(100 * MS, "Same seed, no orchestrator: S1 only asks for the trip and waits. The flight books and announces it; the hotel hears that and books; the car hears the hotel and tries."),
                Chapter::at(850 * MS, "At 0.85 s the car fails and tells the hotel, which cancels itself and tells the flight, which cancels itself and tells S1. The reverse order falls out of the chain of events."),
                Chapter::at(1_000 * MS, "At 1 s S1 learns the trip failed, 0.2 s sooner than with an orchestrator, with nobody holding the whole picture: to know where a saga stands, you read every service."),
            ],
        },
        Preset {
            id: "all-booked",
            title: "Nothing fails",
            summary: "Flight, hotel and car booked; nothing to compensate.",
            scenario: scenario(1).with_param("failing", 0),
            duration_us: 1_500 * MS,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(950 * MS, "At 0.95 s the car is booked too; at 1 s S1 records the saga as complete and confirms the three bookings."),
            ],
        },
        Preset {
            id: "compensation-retry",
            title: "A cancellation fails and is retried",
            summary: "The hotel's first cancel fails; S1 tries again 0.5 s later.",
            scenario: scenario(1).with_param("cancel_failures", 1),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(1_000 * MS, COMPENSATE),
                Chapter::at(1_050 * MS, "At 1.05 s the hotel's cancellation fails (its payment system is down). A compensation may not give up: the saga cannot end with the hotel booked."),
                Chapter::at(1_500 * MS, "At 1.5 s S1 retries. The hotel cancels at 1.55 s, then the flight is cancelled: the saga ends, later but whole."),
            ],
        },
        Preset {
            id: "duplicate-cancel",
            title: "A lost reply and a repeated cancel",
            summary: "The retry reaches a hotel that already cancelled: the key stops a second refund.",
            scenario: scenario(1)
                .with_fault(1_000 * MS, Action::Cut { from: HOTEL, to: 0 })
                .with_fault(1_200 * MS, Action::Heal),
            duration_us: 2 * SECOND,
            chapters: vec![
                Chapter::at(0, CAST),
                Chapter::at(1_000 * MS, "From 1 s to 1.2 s nothing from the hotel (S3) reaches S1."),
                Chapter::at(1_050 * MS, "At 1.05 s the hotel cancels and refunds, and its “cancelled” is lost. S1 cannot tell a lost reply from a lost request."),
                Chapter::at(1_500 * MS, "At 1.5 s S1 sends the cancellation again. The hotel has seen key saga1-hotel before: it answers “cancelled” without refunding twice. Compensations must be idempotent, because retries make duplicates."),
            ],
        },
        Preset {
            id: "dirty-read",
            title: "A dirty read",
            summary: "S5 sees the hotel booked, then the saga cancels it.",
            scenario: scenario(1).with_param("read_every_ms", 150),
            duration_us: 1_500 * MS,
            chapters: vec![
                Chapter::at(0, "The same saga, while S5 asks the hotel every 0.15 s whether the room is taken (think: another customer, or a report)."),
                Chapter::at(650 * MS, "At 0.65 s the hotel is booked, in a local transaction that has committed. S5 asks at 0.75 s and is told the room is booked."),
                Chapter::at(1_000 * MS, "Then the car fails and the hotel booking is cancelled. S5 acted on a booking that never became final: sagas have no isolation between steps.").on_check(DIRTY_READ_CHECK),
            ],
        },
        Preset {
            id: "semantic-lock",
            title: "A semantic lock",
            summary: "Bookings say “pending” until the saga completes: no dirty read.",
            scenario: scenario(1)
                .with_param("read_every_ms", 150)
                .with_param("semantic_lock", 1),
            duration_us: 1_500 * MS,
            chapters: vec![
                Chapter::at(0, "The same saga and reader, but each booking is marked “pending” until S1 confirms the whole trip: a semantic lock, kept at the application level."),
                Chapter::at(650 * MS, "At 0.65 s the hotel is booked, pending. S5 reads “pending” and knows not to count on it."),
                Chapter::at(1_050 * MS, "At 1.05 s the pending booking is cancelled. S5 never saw it as final: no dirty read."),
            ],
        },
    ]
}
