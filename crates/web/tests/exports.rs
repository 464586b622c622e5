//! The trace download (`failscope_web::components::exports`), run in headless Chromium by
//! wasm-bindgen-test: the file is a `Blob` built from many parts, never one string, and holds
//! every line. (A run of 5 M events goes through the same chunked writer natively:
//! `failscope_sim::export`'s `five_million_events_stream_out_in_bounded_chunks`.)
#![cfg(target_arch = "wasm32")]

use failscope_sim::export;
use failscope_sim::ids::MsgId;
use failscope_sim::trace::{TraceEvent, TraceKind};
use failscope_sim::Scenario;
use failscope_web::components::exports::blob_from_chunks;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_long_trace_downloads_as_a_blob_of_many_parts_with_every_line() {
    const N_EVENTS: u64 = 300_000;
    let scenario = Scenario::new("any", 3, 2);
    let header = export::trace_header(&scenario, &["ping"], &[], 0x5eed, N_EVENTS as usize);
    let event = |i: u64| TraceEvent {
        time: i,
        kind: TraceKind::Send {
            msg: MsgId(i),
            from: 0,
            to: 1,
            kind: 0,
            deliver_at: i + 5,
        },
    };
    let mut n_chunks = 0usize;
    let mut n_bytes = 0f64;
    let chunks = export::trace_lines(
        &header,
        (0..N_EVENTS).map(event),
        export::TRACE_EVENTS_PER_CHUNK,
    )
    .inspect(|chunk| {
        n_chunks += 1;
        n_bytes += chunk.as_ref().map_or(0, String::len) as f64;
    });
    let blob = blob_from_chunks(chunks, "application/jsonl").expect("the blob");
    assert!(n_chunks > 10, "{n_chunks} chunks");
    assert!(blob.size() > 10_000_000.0, "{} bytes", blob.size());
    assert_eq!(blob.size(), n_bytes);
    let text = JsFuture::from(blob.text())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len() as u64, N_EVENTS + 1);
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first["format"], export::TRACE_FORMAT);
    assert_eq!(first["n_events"], N_EVENTS);
    let last: serde_json::Value = serde_json::from_str(lines[lines.len() - 1]).unwrap();
    assert_eq!(last["time"], N_EVENTS - 1);
}

/// The trace download of a long run is written in turns between frames, none long, with its
/// progress in the menu, and ends saved with every event.
#[wasm_bindgen_test]
async fn a_long_trace_is_written_in_short_turns_with_progress() {
    use failscope_web::components::share::{Reply, ShareAction};
    use failscope_web::components::trace_download;
    use failscope_web::session::Session;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    let mut session = Session::open("failure-detection", Some("stress"), Some(1)).unwrap();
    let mut target = 0;
    while session.sim().trace_position() < 150_000 {
        target += 10 * failscope_sim::time::SECOND;
        while !session.catch_up(target, 500_000) {}
    }
    let n_events = session.sim().trace_position();
    let later = Rc::new(RefCell::new(Vec::<String>::new()));
    let asked = Rc::new(Cell::new(0u32));
    let reply = Reply {
        status: {
            let later = later.clone();
            yew::Callback::from(move |s| later.borrow_mut().push(s))
        },
        again: {
            let asked = asked.clone();
            yew::Callback::from(move |action| {
                assert_eq!(action, ShareAction::TraceMore);
                asked.set(asked.get() + 1);
            })
        },
    };
    let clock = || web_sys::window().unwrap().performance().unwrap().now();
    let start = clock();
    let mut status = trace_download::start(&session, "long", false, &reply);
    let mut longest = clock() - start;
    let mut turns = 1;
    let mut percents = Vec::new();
    while status.starts_with("Writing") {
        assert!(
            status.contains(&format!(" of {n_events} events (")),
            "{status}"
        );
        percents.push(status.clone());
        // The page is asked to come back after yielding to the browser.
        while asked.get() < turns {
            gloo::timers::future::TimeoutFuture::new(0).await;
        }
        let start = clock();
        status = trace_download::more(&session, &reply);
        longest = longest.max(clock() - start);
        turns += 1;
    }
    assert!(turns >= 4, "{turns} turns: {status}");
    // A debug build, several times slower than the app's: still no turn near a second.
    assert!(longest < 250.0, "a turn took {longest} ms");
    console_log!("{turns} turns, the longest {longest:.0} ms");
    assert!(
        status.starts_with(&format!("Saved long-trace.jsonl ({n_events} events")),
        "{status}"
    );
    assert!(later.borrow().is_empty());
    // Nothing left to do: a stray turn changes nothing.
    assert_eq!(trace_download::more(&session, &reply), "");
}
