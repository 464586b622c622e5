//! The hunt under the Invariants tab, in headless Chromium (wasm-bindgen-test): with Raft's
//! "vote twice in a term" bug it lists a run that breaks a check, as a link that opens that
//! exact run paused at the violation; it stops when asked.
#![cfg(target_arch = "wasm32")]

use failscope_sim::lab::BUG_PARAM;
use failscope_web::components::hunt::{Hunt, HuntProps};
use wasm_bindgen_test::*;

mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_hunt_lists_a_broken_run_as_a_link_to_its_violation_and_stops() {
    let lab = failscope_labs::find("raft").expect("raft");
    let scenario = lab.default_scenario(1).with_param(BUG_PARAM, 1);
    let until = failscope_sim::hunt::default_until(None);
    let host = mount_point();
    yew::Renderer::<Hunt>::with_root_and_props(
        host.clone(),
        HuntProps {
            scenario: scenario.clone(),
            until,
        },
    )
    .render();
    settle(0).await;
    click(&host, "[data-testid=hunt-start]");
    let mut found = false;
    for _ in 0..600 {
        settle(20).await;
        if count(&host, "[data-testid=hunt-finding]") > 0 {
            found = true;
            break;
        }
    }
    assert!(found, "a finding within the wait");
    assert_eq!(
        count(&host, "[data-testid=hunt-progress]"),
        1,
        "still hunting"
    );
    click(&host, "[data-testid=hunt-stop]");
    settle(50).await;
    assert_eq!(count(&host, "[data-testid=hunt-progress]"), 0);
    let summary = text(&host, "[data-testid=hunt-summary]");
    assert!(summary.contains("broke a check"), "{summary}");
    // The first finding is the one the native hunt finds first, and its link replays it.
    let seed: u64 = attribute(&host, "[data-testid=hunt-finding]", "data-seed")
        .and_then(|s| s.parse().ok())
        .expect("a seed");
    let native = failscope_sim::hunt::hunt(
        &failscope_labs::REGISTRY,
        &scenario,
        scenario.seed..scenario.seed + 1_000,
        until,
        1,
    )
    .unwrap();
    assert_eq!(native[0].seed, seed);
    let line = text(&host, "[data-testid=hunt-finding]");
    assert!(line.contains(&native[0].description), "{line}");
    let href = attribute(&host, "[data-testid=hunt-open]", "href").expect("a link");
    let run = failscope_labs::decode_link(&href).expect("a valid link");
    assert_eq!(run.scenario, native[0].scenario);
    assert_eq!(run.cursor_us, native[0].time);
    assert_eq!(run.view.tab.as_deref(), Some("Invariants"));
}
