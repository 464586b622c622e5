//! Share links: every preset survives the round trip with an identical trace; bad links of
//! every kind are refused with a clear error, never a panic; old links keep opening.

use failscope_labs::build;
use failscope_sim::action::Action;
use failscope_sim::link::{self, LinkError, SharedRun, ViewOptions};
use failscope_sim::time::{MS, SECOND};
use failscope_sim::Simulation;
use proptest::prelude::*;

/// A session as a person leaves it: a preset played for a while with some actions taken.
fn session(lab_id: &str, preset_id: &str, n_actions: usize) -> (Box<dyn Simulation>, SharedRun) {
    let preset = failscope_labs::preset(lab_id, preset_id).expect("preset");
    let mut sim = build(&preset.scenario).unwrap();
    let n = preset.scenario.n_nodes;
    let mut t = 0;
    for i in 0..n_actions {
        t += 37 * MS;
        sim.run_until(t);
        let node = (i as u16 * 7) % n;
        let action = match i % 5 {
            0 => Action::Pause {
                node,
                duration_us: 20 * MS,
            },
            1 => Action::ClockJump {
                node,
                delta_us: -(i as i64) * 1_000,
            },
            2 => Action::Partition {
                groups: vec![vec![node]],
            },
            3 => Action::Heal,
            _ => Action::ClockDrift { node, ppm: 100 },
        };
        let _ = sim.apply(action);
    }
    sim.run_until(t + 500 * MS);
    let run = SharedRun {
        scenario: sim.scenario().clone(),
        cursor_us: sim.now(),
        view: ViewOptions {
            preset: Some(preset_id.to_string()),
            speed: Some(5),
            tab: None,
        },
    };
    (sim, run)
}

#[test]
fn every_preset_round_trips_to_an_identical_run() {
    let mut lengths = Vec::new();
    for lab in failscope_labs::all() {
        for preset in lab.presets() {
            let (original, run) = session(lab.id(), preset.id, 30);
            let text = link::encode(&run);
            lengths.push((text.len(), format!("{}/{}", lab.id(), preset.id)));
            let opened =
                failscope_labs::decode_link(&text).unwrap_or_else(|e| panic!("{}: {e}", preset.id));
            assert_eq!(opened, run);
            let mut replay = build(&opened.scenario).unwrap();
            replay.seek(opened.cursor_us);
            assert_eq!(replay.now(), original.now());
            assert_eq!(
                replay.trace().hash(),
                original.trace().hash(),
                "{}",
                preset.id
            );
            assert_eq!(replay.view(), original.view(), "{}", preset.id);
        }
    }
    lengths.sort();
    let median = lengths[lengths.len() / 2].clone();
    let worst = lengths.last().unwrap().clone();
    println!(
        "link length with 30 actions: median {} ({}), worst {} ({})",
        median.0, median.1, worst.0, worst.1
    );
    assert!(
        worst.0 < 2_000,
        "a typical session fits in 2,000 characters: {worst:?}"
    );
}

#[test]
fn links_are_found_in_pasted_urls() {
    let (_, run) = session("raft", "election", 3);
    let text = link::encode(&run);
    for pasted in [
        text.clone(),
        format!("s={text}"),
        format!("#s={text}"),
        format!("https://failscope.example/?embed#s={text}"),
    ] {
        assert_eq!(failscope_labs::decode_link(&pasted).unwrap(), run);
    }
}

fn check_error(text: &str, expected: impl Fn(&LinkError) -> bool, words: &str) {
    let error = failscope_labs::decode_link(text).expect_err("should be refused");
    assert!(expected(&error), "{text:.60}: {error:?}");
    assert!(
        error.to_string().contains(words),
        "“{error}” should mention “{words}”"
    );
}

#[test]
fn bad_links_say_what_is_wrong() {
    let (_, run) = session("raft", "partition", 5);
    let good = link::encode(&run);
    check_error("", |e| *e == LinkError::Empty, "no scenario");
    check_error(
        "9.abcd",
        |e| matches!(e, LinkError::UnknownVersion { .. }),
        "newer version",
    );
    check_error(
        "no-dot-here",
        |e| matches!(e, LinkError::UnknownVersion { .. }),
        "format",
    );
    check_error("1.not*base64!", |e| *e == LinkError::NotBase64, "damaged");
    check_error(
        &good[..good.len() / 2],
        |e| matches!(e, LinkError::Corrupted | LinkError::NotAScenario(_)),
        "",
    );
    check_error(
        &"1.".repeat(40_000),
        |e| matches!(e, LinkError::TooLong { .. }),
        "characters long",
    );
    let junk =
        link::base64url::encode(&miniz_oxide::deflate::compress_to_vec(b"{\"hello\": 1}", 9));
    check_error(
        &format!("1.{junk}"),
        |e| matches!(e, LinkError::NotAScenario(_)),
        "not to a Failscope scenario",
    );

    // A compression bomb: 16 MB of zeros deflates to a few KB.
    let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 16 << 20], 10);
    assert!(bomb.len() < 60_000);
    check_error(
        &format!("1.{}", link::base64url::encode(&bomb)),
        |e| *e == LinkError::TooBig,
        "no real session needs",
    );

    // Values out of range are caught by the scenario's own validation.
    let mut wild = run.clone();
    wild.scenario.n_nodes = 900;
    check_error(
        &link::encode(&wild),
        |e| matches!(e, LinkError::Invalid(_)),
        "nodes",
    );
    let mut unknown = run.clone();
    unknown.scenario.lab = "bitcoin".into();
    check_error(
        &link::encode(&unknown),
        |e| matches!(e, LinkError::Invalid(_)),
        "no lab called",
    );
    let mut far = run;
    far.cursor_us = u64::MAX;
    check_error(
        &link::encode(&far),
        |e| matches!(e, LinkError::CursorOutOfRange { .. }),
        "one-day limit",
    );
}

/// Links made by earlier versions of Failscope, with the trace hash they must reproduce.
/// A format change must keep these opening; never edit them, only add new ones.
const COMMITTED: &str = include_str!("../links/committed.txt");

#[test]
fn committed_links_from_every_format_version_still_replay() {
    let mut checked = 0;
    for line in COMMITTED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut parts = line.split_whitespace();
        let (name, hash, text) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let run = failscope_labs::decode_link(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut sim = build(&run.scenario).unwrap();
        sim.seek(run.cursor_us);
        assert_eq!(
            format!("{:016x}", sim.trace().hash()),
            hash,
            "{name} replays differently"
        );
        checked += 1;
    }
    assert!(checked >= 3, "the committed set holds links to check");
}

/// Prints lines for tests/links/committed.txt (run with --nocapture when adding a version).
#[test]
fn print_current_format_links() {
    for (lab_id, preset_id) in [
        ("raft", "partition"),
        ("raft", "leader-crash"),
        ("failure-detection", "gc-pause"),
    ] {
        let (sim, run) = session(lab_id, preset_id, 8);
        println!(
            "v1-{lab_id}-{preset_id} {:016x} {}",
            sim.trace().hash(),
            link::encode(&run)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2_000)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = failscope_labs::decode_link(&text);
        let _ = failscope_labs::decode_link(&format!("1.{}", link::base64url::encode(&bytes)));
    }

    #[test]
    fn mutated_links_never_panic(position in 0usize..2_000, replacement in any::<char>(), cut in 0usize..2_000) {
        let (_, run) = session("raft", "election", 4);
        let good = link::encode(&run);
        let mut chars: Vec<char> = good.chars().collect();
        let i = position % chars.len();
        chars[i] = replacement;
        let mutated: String = chars.iter().collect();
        if let Ok(opened) = failscope_labs::decode_link(&mutated) {
            // Rarely a mutation still decodes; then it must be a valid, runnable scenario.
            prop_assert!(build(&opened.scenario).is_ok());
        }
        let truncated: String = good.chars().take(cut % good.len()).collect();
        let _ = failscope_labs::decode_link(&truncated);
    }
}

#[test]
fn a_long_session_link_is_still_compact() {
    let (_, run) = session("raft", "election", 60);
    let text = link::encode(&run);
    assert!(
        text.len() < 4_000,
        "{} characters for 60 actions",
        text.len()
    );
    assert!(run.scenario.actions.len() >= 50);
    let _ = SECOND;
}
