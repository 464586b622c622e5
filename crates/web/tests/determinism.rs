//! The browser half of the determinism check: the golden scenario gives the same trace hash
//! in wasm32 under headless Chromium as natively (see failscope_labs::bench::GOLDEN_TRACE).
#![cfg(target_arch = "wasm32")]

use failscope_labs::bench::{
    golden_trace, raft_golden_trace, xfetch_golden_trace, GOLDEN_TRACE, RAFT_GOLDEN_TRACE,
    XFETCH_GOLDEN_TRACE,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn golden_trace_hash_matches_native() {
    assert_eq!(golden_trace(), GOLDEN_TRACE);
}

#[wasm_bindgen_test]
fn raft_golden_trace_hash_matches_native() {
    assert_eq!(raft_golden_trace(), RAFT_GOLDEN_TRACE);
}

#[wasm_bindgen_test]
fn xfetch_golden_trace_hash_matches_native() {
    assert_eq!(xfetch_golden_trace(), XFETCH_GOLDEN_TRACE);
}
