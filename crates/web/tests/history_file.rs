//! "Check a history file…" in the History tab (`components::history_file`), run in headless
//! Chromium by wasm-bindgen-test: a hand-made Jepsen EDN file dropped on the panel is read and
//! checked, with the verdict per key, the offending set red in the lane chart and the
//! explanation; a bad file says its line and keeps the last result.
#![cfg(target_arch = "wasm32")]

use failscope_web::components::history_file::{check_text, HistoryFile};
use wasm_bindgen_test::*;

mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

const TWO_KEYS: &str = include_str!("../../../tests/e2e/fixtures/two-keys.edn");
const BAD: &str = include_str!("../../../tests/e2e/fixtures/bad.edn");

fn drop_file(host: &web_sys::Element, name: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let file = web_sys::File::new_with_str_sequence(&parts, name).unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(&transfer));
    let event = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    element(host, "[data-testid=history-file]")
        .dispatch_event(&event)
        .unwrap();
}

async fn wait_for(host: &web_sys::Element, selector: &str) {
    for _ in 0..100 {
        if count(host, selector) > 0 {
            return;
        }
        settle(20).await;
    }
    panic!("no {selector} after 2 s");
}

#[wasm_bindgen_test]
async fn a_dropped_jepsen_file_shows_verdicts_per_key_and_the_offending_set() {
    let host = mount_point();
    yew::Renderer::<HistoryFile>::with_root(host.clone()).render();
    settle(0).await;
    drop_file(&host, "two-keys.edn", TWO_KEYS);
    wait_for(&host, "[data-testid=history-file-result]").await;
    let result = "[data-testid=history-file-result]";
    assert_eq!(
        attribute(&host, result, "data-verdict").as_deref(),
        Some("not linearizable")
    );
    assert_eq!(
        attribute(&host, "[data-testid=file-key-x]", "data-state").as_deref(),
        Some("holds")
    );
    assert_eq!(
        attribute(&host, "[data-testid=file-key-y]", "data-state").as_deref(),
        Some("violated")
    );
    let why = text(&host, "[data-testid=file-key-y]");
    assert!(why.contains("let A be process 0's write of 1"), "{why}");
    assert!(why.contains("a contradiction"), "{why}");
    // The offending set (y's write and failed cas: operations 2 and 3) is red, nothing else.
    assert_eq!(
        count(&host, "[data-testid=history-file-chart] .offending"),
        2
    );
    assert!(
        attribute(&host, "[data-testid=history-file-chart-op-3]", "class")
            .is_some_and(|c| c.contains("offending"))
    );

    // A bad file: its line and what is wrong, and the last result stays.
    drop_file(&host, "bad.edn", BAD);
    wait_for(&host, "[data-testid=history-file-error]").await;
    let error = text(&host, "[data-testid=history-file-error]");
    assert!(
        error.contains("bad.edn") && error.contains("line 3"),
        "{error}"
    );
    assert!(error.contains("one key has no value"), "{error}");
    assert_eq!(count(&host, "[data-testid=history-file-result]"), 1);
}

#[wasm_bindgen_test]
async fn the_check_reports_progress_and_reads_failscope_json_too() {
    let json = r#"{"format": "failscope-history/1", "events": [
        {"process": 0, "type": "invoke", "f": "write", "key": 0, "value": 5, "time": 10},
        {"process": 0, "type": "ok", "f": "write", "key": 0, "value": 5, "time": 20},
        {"process": 1, "type": "invoke", "f": "read", "key": 0, "value": null, "time": 30},
        {"process": 1, "type": "ok", "f": "read", "key": 0, "value": 5, "time": 40}]}"#;
    let checked = check_text("h.json", json, |_, _| {}).await.unwrap();
    assert_eq!(checked.format, "failscope-history/1");
    assert_eq!(
        checked.report.verdict,
        failscope_sim::consistency::Verdict::Holds
    );
    assert_eq!(checked.bars.len(), 2);
    assert_eq!(checked.lanes.len(), 2);
    let empty = check_text("empty.edn", "  \n", |_, _| {})
        .await
        .unwrap_err();
    assert!(empty.contains("empty"), "{empty}");
}
