//! Component tests, run in headless Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount_point() -> web_sys::Element {
    let document = gloo::utils::document();
    let host = document.create_element("div").expect("create div");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("append");
    host
}

#[wasm_bindgen_test]
async fn app_renders_canvas_and_picker() {
    let host = mount_point();
    yew::Renderer::<failscope_web::app::App>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    assert!(host
        .query_selector("[data-testid=canvas]")
        .unwrap()
        .is_some());
    assert!(host
        .query_selector("[data-testid=lab-picker]")
        .unwrap()
        .is_some());
}
