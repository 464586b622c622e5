//! "Check a history file…" in the History tab (`components::history_file`), run in headless
//! Chromium by wasm-bindgen-test: a hand-made Jepsen EDN file dropped on the panel is read and
//! checked, with the verdict per key, the offending set red in the lane chart and the
//! explanation; a bad file says its line and keeps the last result. A history link opens
//! checked and offers its own link; a damaged one says so; a large history says it is too
//! large for a link.
#![cfg(target_arch = "wasm32")]

use failscope_sim::link::history::{encode, SharedHistory};
use failscope_web::components::history_file::{check_text, HistoryFile, HistoryFileProps};
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
    for _ in 0..500 {
        if count(host, selector) > 0 {
            return;
        }
        settle(20).await;
    }
    panic!("no {selector} after 10 s");
}

fn mount_with(props: HistoryFileProps) -> web_sys::Element {
    let host = mount_point();
    yew::Renderer::<HistoryFile>::with_root_and_props(host.clone(), props).render();
    host
}

fn two_keys_link() -> String {
    encode(&SharedHistory {
        name: "two-keys.edn".into(),
        text: TWO_KEYS.into(),
    })
    .expect("a small history fits in a link")
}

/// `n` writes of values no compressor can predict, one after another: linearizable, quick
/// to check, and far too large for a link once packed.
fn incompressible_history(n: u64) -> String {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut text = String::new();
    for _ in 0..n {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let v = state >> 24;
        text.push_str(&format!(
            "{{:process 0, :type :invoke, :f :write, :value {v}}}\n\
             {{:process 0, :type :ok, :f :write, :value {v}}}\n"
        ));
    }
    text
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

#[wasm_bindgen_test]
async fn a_history_link_opens_checked_and_offers_its_own_link() {
    let payload = two_keys_link();
    let host = mount_with(HistoryFileProps {
        link: Some(payload.clone()),
        lab: "raft",
    });
    wait_for(&host, "[data-testid=history-file-result]").await;
    let result = "[data-testid=history-file-result]";
    assert_eq!(
        attribute(&host, result, "data-verdict").as_deref(),
        Some("not linearizable")
    );
    assert!(text(&host, result).contains("two-keys.edn"));
    assert_eq!(
        attribute(&host, "[data-testid=file-key-y]", "data-state").as_deref(),
        Some("violated")
    );
    assert_eq!(
        count(&host, "[data-testid=history-file-chart] .offending"),
        2
    );
    // Its own link is the same link: the history round-trips.
    click(&host, "[data-testid=history-file-copy-link]");
    wait_for(&host, "[data-testid=history-file-link]").await;
    let link: web_sys::HtmlInputElement =
        wasm_bindgen::JsCast::unchecked_into(element(&host, "[data-testid=history-file-link]"));
    assert!(
        link.value().ends_with(&format!("#lab=raft&h={payload}")),
        "{}",
        link.value()
    );
    assert_eq!(count(&host, "[data-testid=history-file-too-large]"), 0);
}

#[wasm_bindgen_test]
async fn a_damaged_history_link_says_so_and_the_panel_still_works() {
    let payload = two_keys_link();
    let host = mount_with(HistoryFileProps {
        link: Some(payload[..payload.len() / 2].to_string()),
        lab: "raft",
    });
    wait_for(&host, "[data-testid=history-file-error]").await;
    let error = text(&host, "[data-testid=history-file-error]");
    assert!(
        error.contains("This history link cannot be opened: the link is damaged"),
        "{error}"
    );
    assert!(error.contains("Nothing else was changed"), "{error}");
    assert_eq!(count(&host, "[data-testid=history-file-result]"), 0);
    drop_file(&host, "two-keys.edn", TWO_KEYS);
    wait_for(&host, "[data-testid=history-file-result]").await;
    assert_eq!(count(&host, "[data-testid=history-file-error]"), 0);
}

#[wasm_bindgen_test]
async fn a_history_too_large_for_a_link_says_so_with_its_sizes() {
    let big = incompressible_history(8_000);
    let host = mount_with(HistoryFileProps::default());
    settle(0).await;
    drop_file(&host, "big.edn", &big);
    wait_for(&host, "[data-testid=history-file-result]").await;
    assert_eq!(
        attribute(&host, "[data-testid=history-file-result]", "data-verdict").as_deref(),
        Some("linearizable")
    );
    assert_eq!(count(&host, "[data-testid=history-file-copy-link]"), 0);
    let message = text(&host, "[data-testid=history-file-too-large]");
    let kb = big.len().div_ceil(1024);
    assert!(
        message.contains(&format!("this history is {kb} KB of text"))
            && message.contains("characters, more than the 65536 a Failscope link can carry")
            && message.contains("Share the file instead"),
        "{message}"
    );
}
