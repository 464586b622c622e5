//! Scenario validation: every bad input gets a clear error, never a panic.

use failscope_labs::build;
use failscope_sim::action::{Action, ActionRecord};
use failscope_sim::time::SECOND;
use failscope_sim::Scenario;

fn check(scenario: Scenario, expected_fragment: &str) {
    let error = scenario
        .validate(&failscope_labs::REGISTRY)
        .expect_err("should be rejected");
    let message = error.to_string();
    assert!(
        message.contains(expected_fragment),
        "error “{message}” should mention “{expected_fragment}”"
    );
    assert!(build(&scenario).is_err());
}

fn base() -> Scenario {
    Scenario::new("failure-detection", 1, 5)
}

#[test]
fn the_default_scenario_is_valid() {
    base().validate(&failscope_labs::REGISTRY).unwrap();
}

#[test]
fn bad_scenarios_are_explained() {
    let mut s = base();
    s.version = 99;
    check(s, "newer Failscope");
    let mut s = base();
    s.lab = "paxos-made-simple".into();
    check(s, "no lab called");
    check(Scenario::new("failure-detection", 1, 0), "2 to 64 nodes");
    check(Scenario::new("failure-detection", 1, 500), "2 to 64 nodes");
    check(base().with_param("bogus", 1), "unknown parameter");
    check(base().with_param("interval_ms", 0), "outside its range");
    check(
        base().with_param("interval_ms", i64::MAX),
        "outside its range",
    );
    let mut s = base();
    s.network.link.loss_ppm = 5_000_000;
    check(s, "loss");
    let mut s = base();
    s.network.link.latency = failscope_sim::network::Latency::Constant { us: u64::MAX };
    check(s, "exceeds the limit");
    check(
        base().with_fault(SECOND, Action::Crash { node: 5 }),
        "does not exist",
    );
    check(base().with_fault(u64::MAX, Action::Heal), "one-day limit");
    check(
        base().with_fault(
            0,
            Action::Partition {
                groups: vec![vec![0, 1], vec![1]],
            },
        ),
        "two partition groups",
    );
    check(
        base().with_fault(
            0,
            Action::Pause {
                node: 0,
                duration_us: u64::MAX,
            },
        ),
        "one-day limit",
    );
    check(
        base().with_fault(
            0,
            Action::ClockDrift {
                node: 0,
                ppm: i32::MIN,
            },
        ),
        "drift",
    );
    let mut s = base();
    s.clients.n_clients = 10_000;
    check(s, "limit");
    let mut s = base();
    s.clients.n_keys = 0;
    check(s, "keys");
    let mut s = base();
    s.faults = vec![
        failscope_sim::action::ScheduledFault {
            at_us: 0,
            action: Action::Heal
        };
        20_000
    ];
    check(s, "more than the limit");
    let mut s = base();
    s.actions = vec![
        ActionRecord {
            at_event: 10,
            at_us: 100,
            action: Action::Heal,
        },
        ActionRecord {
            at_event: 5,
            at_us: 50,
            action: Action::Heal,
        },
    ];
    check(s, "out of order");
}

#[test]
fn scenarios_round_trip_through_json() {
    let s = base().with_param("interval_ms", 20).with_fault(
        SECOND,
        Action::Partition {
            groups: vec![vec![0, 1]],
        },
    );
    let json = serde_json::to_string(&s).unwrap();
    let back: Scenario = failscope_sim::json::from_slice(json.as_bytes()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn garbage_json_is_an_error_not_a_panic() {
    for text in [
        "",
        "{}",
        "[]",
        "null",
        "{\"version\":1}",
        "{\"version\":1,\"lab\":\"failure-detection\",\"seed\":-1,\"n_nodes\":3}",
    ] {
        let read = failscope_sim::json::from_slice::<Scenario>(text.as_bytes());
        assert!(read.is_err(), "{text}");
    }
}
