//! The hand-written JSON reader (`failscope_sim::json`) reads back everything our serializer
//! (serde) writes: every preset, trade-off and default scenario of every lab, every committed
//! link, and generated scenarios covering every action, latency and network mode with the
//! optional parts present and absent. The engine's writer (`json::write`) writes the same
//! text as serde for all of them.

use failscope_sim::action::{Action, ActionRecord, ScheduledFault};
use failscope_sim::client::{ClientConfig, ClientOp, ClientTarget};
use failscope_sim::ids::MsgId;
use failscope_sim::json;
use failscope_sim::link::{self, SharedRun, ViewOptions};
use failscope_sim::network::{Latency, LinkConfig, LinkOverride, NetworkConfig, NetworkMode};
use failscope_sim::scenario::ClockSetting;
use failscope_sim::Scenario;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::strategy::Union;

/// Write `value` with serde, compactly and pretty (as the app's scenario download does), and
/// read both back with the reader. The engine's own writer (what share links use) writes
/// exactly serde's compact text.
fn check_round_trip<T>(value: &T, name: &str)
where
    T: serde::Serialize + json::FromJson + json::ToJson + PartialEq + std::fmt::Debug,
{
    assert_eq!(
        json::write::to_string(value),
        serde_json::to_string(value).unwrap(),
        "{name}: the link writer and serde disagree"
    );
    for text in [
        serde_json::to_string(value).unwrap(),
        serde_json::to_string_pretty(value).unwrap(),
    ] {
        let back: T = json::from_slice(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&back, value, "{name}");
    }
}

#[test]
fn every_lab_scenario_reads_back_equal() {
    let mut checked = 0;
    for lab in failscope_labs::all() {
        check_round_trip(&lab.default_scenario(7), lab.id());
        for preset in lab.presets() {
            let name = format!("{}/{}", lab.id(), preset.id);
            check_round_trip(&preset.scenario, &name);
            let run = SharedRun {
                scenario: preset.scenario.clone(),
                cursor_us: preset.duration_us,
                view: ViewOptions {
                    preset: Some(preset.id.to_string()),
                    speed: Some(3),
                    tab: Some("Inspector".into()),
                },
            };
            check_round_trip(&run, &name);
            assert_eq!(link::unpack(&link::encode(&run)), Ok(run), "{name}");
            checked += 1;
        }
        for tradeoff in lab.tradeoffs() {
            check_round_trip(&tradeoff.scenario, tradeoff.label);
        }
    }
    assert!(checked >= 20, "only {checked} presets");
}

/// The JSON inside each committed link (written by earlier versions) reads to the same value
/// through the reader as through the link decoder, and writes back to a document that reads
/// the same again.
#[test]
fn committed_links_read_back_equal() {
    let committed = include_str!("../links/committed.txt");
    let mut checked = 0;
    for line in committed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let text = line.split_whitespace().nth(2).unwrap();
        let run = link::unpack(text).unwrap_or_else(|e| panic!("{text:.40}: {e}"));
        let packed = link::base64url::decode(text.strip_prefix("1.").unwrap()).unwrap();
        let inflated = miniz_oxide::inflate::decompress_to_vec(&packed).unwrap();
        let read: SharedRun = json::from_slice(&inflated).unwrap();
        assert_eq!(read, run);
        check_round_trip(&run, text);
        checked += 1;
    }
    assert!(checked >= 3);
}

/// The smallest scenario a person might write by hand: every field with a default left out.
#[test]
fn absent_fields_take_their_defaults() {
    let text = r#"{"version": 1, "lab": "heartbeat", "seed": 5, "n_nodes": 3}"#;
    let read: Scenario = json::from_slice(text.as_bytes()).unwrap();
    assert_eq!(read, Scenario::new("heartbeat", 5, 3));
    let run: SharedRun = json::from_slice(format!(r#"{{"scenario": {text}}}"#).as_bytes()).unwrap();
    assert_eq!(run.cursor_us, 0);
    assert_eq!(run.view, ViewOptions::default());
    // Unknown fields are ignored, as serde ignored them; `null` is an absent option.
    let text = r#"{"version": 1, "lab": "heartbeat", "seed": 5, "n_nodes": 3, "colour": [1, {"a": null}],
        "clients": {"n_clients": 2, "think_min_us": 1, "think_max_us": 2, "timeout_us": 3,
                    "n_keys": 4, "read_ppm": 5, "latency": {"constant": {"us": 6}},
                    "max_redirects": 7, "stop_at_us": null},
        "faults": [{"at_us": 8, "action": {"heal": null}}, {"at_us": 9, "action": "heal"}]}"#;
    let read: Scenario = json::from_slice(text.as_bytes()).unwrap();
    assert_eq!(read.clients.target, ClientTarget::Random);
    assert_eq!(read.clients.cas_ppm, 0);
    assert_eq!(read.clients.stop_at_us, None);
    assert_eq!(read.faults[0].action, Action::Heal);
    assert_eq!(read.faults[1].action, Action::Heal);
}

fn text() -> impl Strategy<Value = String> {
    // Any characters, quotes, backslashes, controls and astral ones included.
    prop_oneof![any::<String>(), "[a-z_\"\\\\]{0,8}"]
}

fn latency() -> impl Strategy<Value = Latency> {
    prop_oneof![
        any::<u64>().prop_map(|us| Latency::Constant { us }),
        any::<(u64, u64)>().prop_map(|(min_us, max_us)| Latency::Uniform { min_us, max_us }),
        any::<(u64, u64, u64)>().prop_map(|(min_us, median_us, max_us)| Latency::LongTail {
            min_us,
            median_us,
            max_us
        }),
    ]
}

fn link_config() -> impl Strategy<Value = LinkConfig> {
    (latency(), any::<(u32, u32, u32)>()).prop_map(|(latency, (loss, duplicate, reorder))| {
        LinkConfig {
            latency,
            loss_ppm: loss,
            duplicate_ppm: duplicate,
            reorder_ppm: reorder,
        }
    })
}

fn network() -> impl Strategy<Value = NetworkConfig> {
    let mode = prop_oneof![
        Just(NetworkMode::Realistic),
        any::<u64>().prop_map(|bound_us| NetworkMode::Synchronous { bound_us }),
        any::<(u64, u64, u64)>().prop_map(|(gst_us, bound_us, pre_gst_extra_us)| {
            NetworkMode::PartiallySynchronous {
                gst_us,
                bound_us,
                pre_gst_extra_us,
            }
        }),
        any::<u64>().prop_map(|extra_max_us| NetworkMode::Asynchronous { extra_max_us }),
    ];
    let over = (any::<u16>(), any::<u16>(), link_config())
        .prop_map(|(from, to, link)| LinkOverride { from, to, link });
    (mode, link_config(), vec(over, 0..3)).prop_map(|(mode, link, overrides)| NetworkConfig {
        mode,
        link,
        overrides,
    })
}

fn client_op() -> impl Strategy<Value = ClientOp> {
    prop_oneof![
        any::<u16>().prop_map(|key| ClientOp::Read { key }),
        any::<(u16, u32)>().prop_map(|(key, value)| ClientOp::Write { key, value }),
        any::<(u16, u32, u32)>().prop_map(|(key, from, to)| ClientOp::Cas { key, from, to }),
    ]
}

fn clients() -> impl Strategy<Value = ClientConfig> {
    let target = prop_oneof![Just(ClientTarget::Random), Just(ClientTarget::Sticky)];
    (
        any::<(u16, u64, u64, u64, u32, u32, u32)>(),
        latency(),
        target,
        any::<u8>(),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(
            |(
                (n_clients, think_min_us, think_max_us, timeout_us, n_keys, read_ppm, cas_ppm),
                latency,
                target,
                max_redirects,
                stop_at_us,
            )| ClientConfig {
                n_clients,
                think_min_us,
                think_max_us,
                timeout_us,
                n_keys,
                read_ppm,
                cas_ppm,
                latency,
                target,
                max_redirects,
                stop_at_us,
            },
        )
}

/// Every variant of [`Action`], with values over their whole ranges.
fn action() -> impl Strategy<Value = Action> {
    let node = any::<u16>;
    let link = || (any::<u16>(), any::<u16>());
    Union::new([
        node().prop_map(|node| Action::Crash { node }).boxed(),
        node().prop_map(|node| Action::Restart { node }).boxed(),
        (node(), any::<u64>())
            .prop_map(|(node, duration_us)| Action::Pause { node, duration_us })
            .boxed(),
        (node(), any::<i64>())
            .prop_map(|(node, delta_us)| Action::ClockJump { node, delta_us })
            .boxed(),
        (node(), any::<i32>())
            .prop_map(|(node, ppm)| Action::ClockDrift { node, ppm })
            .boxed(),
        vec(vec(node(), 0..4), 0..4)
            .prop_map(|groups| Action::Partition { groups })
            .boxed(),
        link()
            .prop_map(|(from, to)| Action::Cut { from, to })
            .boxed(),
        link()
            .prop_map(|(from, to)| Action::Clog { from, to })
            .boxed(),
        link()
            .prop_map(|(from, to)| Action::Unclog { from, to })
            .boxed(),
        Just(Action::Heal).boxed(),
        any::<u64>()
            .prop_map(|n| Action::DropMessage { msg: MsgId(n) })
            .boxed(),
        any::<u64>()
            .prop_map(|n| Action::DuplicateMessage { msg: MsgId(n) })
            .boxed(),
        (node(), client_op())
            .prop_map(|(node, op)| Action::ClientRequest { node, op })
            .boxed(),
        (text(), any::<i64>())
            .prop_map(|(key, value)| Action::SetParam { key, value })
            .boxed(),
        (text(), vec(any::<i64>(), 0..4))
            .prop_map(|(verb, args)| Action::Lab { verb, args })
            .boxed(),
    ])
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let clock = any::<(u16, i64, i32)>().prop_map(|(node, offset_us, drift_ppm)| ClockSetting {
        node,
        offset_us,
        drift_ppm,
    });
    let fault =
        (any::<u64>(), action()).prop_map(|(at_us, action)| ScheduledFault { at_us, action });
    let record =
        (any::<(u64, u64)>(), action()).prop_map(|((at_event, at_us), action)| ActionRecord {
            at_event,
            at_us,
            action,
        });
    (
        any::<(u32, u64, u16)>(),
        text(),
        btree_map(text(), any::<i64>(), 0..4),
        network(),
        clients(),
        vec(clock, 0..3),
        vec(fault, 0..6),
        vec(record, 0..6),
    )
        .prop_map(
            |((version, seed, n_nodes), lab, params, network, clients, clocks, faults, actions)| {
                Scenario {
                    version,
                    lab,
                    seed,
                    n_nodes,
                    params,
                    network,
                    clients,
                    clocks,
                    faults,
                    actions,
                }
            },
        )
}

fn shared_run() -> impl Strategy<Value = SharedRun> {
    let view = (
        proptest::option::of(text()),
        proptest::option::of(any::<u8>()),
        proptest::option::of(text()),
    )
        .prop_map(|(preset, speed, tab)| ViewOptions { preset, speed, tab });
    (scenario(), any::<u64>(), view).prop_map(|(scenario, cursor_us, view)| SharedRun {
        scenario,
        cursor_us,
        view,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn generated_runs_read_back_equal(run in shared_run()) {
        let text = serde_json::to_string(&run).unwrap();
        let read: SharedRun = json::from_slice(text.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&read, &run);
        let pretty = serde_json::to_string_pretty(&run.scenario).unwrap();
        let read: Scenario = json::from_slice(pretty.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read, run.scenario);
    }
}
