//! Lazily loaded views (`failscope_web::lazy`), run in headless Chromium by
//! wasm-bindgen-test. These tests build without the `split` feature, so every chunk's code is
//! already in the module: a deferred view must then draw at once, with no loading line in
//! between, and behave as the component itself. (Fetching a chunk, and a fetch that fails,
//! are tested on the split release bundle by the end-to-end suite: tests/e2e/chunks.test.mjs.)
#![cfg(target_arch = "wasm32")]

use failscope_web::components::help::{HelpProps, HELP};
use failscope_web::components::pictures::kinds::{self, LAZY_KINDS};
use failscope_web::lazy::{Deferred, DeferredProps};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen_test::*;
use yew::Callback;

mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_deferred_view_whose_code_is_here_draws_at_once_and_works() {
    let host = mount_point();
    let closed = Rc::new(Cell::new(false));
    let on_close = {
        let closed = closed.clone();
        Callback::from(move |()| closed.set(true))
    };
    let props = DeferredProps {
        chunk: &HELP,
        props: HelpProps { on_close },
    };
    yew::Renderer::<Deferred<HelpProps>>::with_root_and_props(host.clone(), props).render();
    yew::scheduler::flush().await;
    assert_eq!(
        count(&host, "[data-testid=deferred-loading]"),
        0,
        "no loading line"
    );
    assert_eq!(count(&host, "[data-testid=deferred-error]"), 0);
    assert_eq!(count(&host, "[data-testid=help]"), 1, "the help itself");
    assert!(text(&host, "[data-testid=help]").contains("play or pause"));
    click(&host, "[data-testid=help] button");
    assert!(closed.get(), "its buttons are the component's own");
}

#[wasm_bindgen_test]
async fn every_lazy_chunk_loads_and_then_stays() {
    assert_eq!(HELP.what, "the keyboard help");
    assert!(HELP.load().await.is_ok());
    assert!(HELP.get().is_some());
    for kind in LAZY_KINDS {
        let chunk = kinds::chunk(kind).unwrap_or_else(|| panic!("no chunk for {kind}"));
        assert!(chunk.load().await.is_ok(), "{kind}");
        assert!(chunk.get().is_some(), "{kind}");
    }
    assert!(
        kinds::chunk(kinds::EAGER).is_none(),
        "the grid is drawn by the main module"
    );
    assert!(kinds::all_ready(&["grid", "ring", "bars", "no-such-kind"]));
}
