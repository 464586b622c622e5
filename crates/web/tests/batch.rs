//! A lab's batch chart in headless Chromium (wasm-bindgen-test): the button runs the
//! settings over seeds between frames, shows its progress, stops when asked, and draws the
//! same chart the lab computes natively from the same runs.
#![cfg(target_arch = "wasm32")]

use failscope_sim::picture::PictureKind;
use failscope_web::components::batch::{BatchChart, BatchChartProps};
use wasm_bindgen_test::*;

mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_batch_runs_between_frames_stops_on_request_and_charts_what_it_ran() {
    let lab = failscope_labs::all()
        .into_iter()
        .find(|l| !l.batches().is_empty())
        .expect("a lab with a batch chart");
    let preset = &lab.presets()[0];
    let scenario = preset.scenario.clone();
    let batch = lab.batches()[0];
    let host = mount_point();
    let props = BatchChartProps {
        lab: lab.id().into(),
        index: 0,
        scenario: scenario.clone(),
        file_stem: None,
    };
    yew::Renderer::<BatchChart>::with_root_and_props(host.clone(), props).render();
    settle(0).await;
    assert_eq!(count(&host, "[data-testid=batch-progress]"), 0);
    assert_eq!(
        count(&host, "[data-testid=picture-svg]"),
        0,
        "no chart before a run"
    );
    click(&host, "[data-testid=batch-start]");
    // Runs come in one per slice: wait for two, then stop.
    let mut done = 0;
    for _ in 0..400 {
        settle(10).await;
        done = attribute(&host, "[data-testid=batch-progress]", "data-done")
            .and_then(|d| d.parse::<usize>().ok())
            .unwrap_or(0);
        if done >= 2 {
            break;
        }
    }
    assert!(done >= 2, "two runs within the wait");
    click(&host, "[data-testid=batch-stop]");
    settle(50).await;
    assert_eq!(count(&host, "[data-testid=batch-progress]"), 0);
    let label = text(&host, "[data-testid=batch-start]");
    assert!(label.contains("stopped at"), "{label}");
    let stopped_at: usize = label
        .split("stopped at ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a count");
    // Nothing runs after the stop.
    settle(300).await;
    assert!(text(&host, "[data-testid=batch-start]").contains(&format!("stopped at {stopped_at} ")));
    // The chart is the lab's own, from the same seeds.
    let results: Vec<Vec<i64>> = (0..stopped_at as u64)
        .map(|k| (batch.run)(&scenario, scenario.seed + k))
        .collect();
    let native = (batch.picture)(&scenario, &results);
    assert!(matches!(native.kind, PictureKind::Xy(_)));
    let svg = element(&host, "[data-testid=picture-svg]");
    assert_eq!(
        svg.get_attribute("aria-label"),
        Some(failscope_web::components::pictures::xy::summary(
            match &native.kind {
                PictureKind::Xy(xy) => xy,
                _ => unreachable!(),
            }
        ))
    );
}
