//! Reading share links, history links and scenario files (the engine's own JSON reader and
//! inflater, `failscope_sim::json` and `failscope_sim::link`). Only opening a link or importing a file
//! needs them, so in the split browser build this is a chunk of its own (`codec`, 12 KB gzip),
//! fetched before the first link is opened (see [`crate::prepare`]): in the main module it
//! would weigh on every page, the heaviest of which has less room left than that. Everywhere
//! else these are ordinary calls.

use crate::registry::ChunkFailed;
use failscope_sim::link::history::{HistoryLinkError, SharedHistory};
use failscope_sim::link::{LinkError, SharedRun};
use failscope_sim::Scenario;

// Split functions take and return thin pointers: they cross a chunk boundary as C-ABI
// calls, where a `String` or `&str` would be a multi-word value.
#[allow(clippy::box_collection)]
#[cfg_attr(
    all(feature = "split", target_family = "wasm"),
    wasm_split_helpers::wasm_split(codec, fallible)
)]
fn unpack_link(text: Box<String>) -> Result<Box<Result<SharedRun, LinkError>>, ChunkFailed> {
    Ok(Box::new(failscope_sim::link::unpack(&text)))
}

// Boxed: a thin pointer crosses the chunk boundary.
#[allow(clippy::box_collection, clippy::boxed_local)]
#[cfg_attr(
    all(feature = "split", target_family = "wasm"),
    wasm_split_helpers::wasm_split(codec, fallible)
)]
fn parse_scenario_json(text: Box<String>) -> Result<Box<Result<Scenario, String>>, ChunkFailed> {
    Ok(Box::new(
        failscope_sim::json::from_slice(text.as_bytes())
            .map_err(|e| format!("this file is not a Failscope scenario ({e})")),
    ))
}

// The History tab opens history links: only their inflating happens here, so the inflater
// stays in this chunk (shared with another split it would become a chunk of its own, fetched
// by every link) and nothing else is shared with the History tab's chunk.
#[allow(clippy::box_collection)]
#[cfg_attr(
    all(feature = "split", target_family = "wasm"),
    wasm_split_helpers::wasm_split(codec, fallible)
)]
fn unpack_history_link(
    text: Box<String>,
) -> Result<Box<Result<String, HistoryLinkError>>, ChunkFailed> {
    Ok(Box::new(failscope_sim::link::history::unpack(&text)))
}

/// Fetch the link and file reader (once; a failure is retried on the next call).
pub async fn load() -> Result<(), crate::LoadError> {
    fetch().await.map_err(|_| crate::LoadError::Fetch {
        id: "link and file reader".into(),
    })
}

#[cfg(all(feature = "split", target_family = "wasm"))]
async fn fetch() -> Result<(), ChunkFailed> {
    // Calling a split function loads its chunk. Each split function waits on a loader of
    // its own, so call both once: after that, both answer at their first poll.
    let _refused = unpack_link(Box::default()).await?;
    let _refused = parse_scenario_json(Box::default()).await?;
    let _refused = unpack_history_link(Box::default()).await?;
    LOADED.store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

#[cfg(not(all(feature = "split", target_family = "wasm")))]
async fn fetch() -> Result<(), ChunkFailed> {
    Ok(())
}

/// Whether the codec can be called synchronously now.
pub(crate) fn loaded() -> bool {
    #[cfg(all(feature = "split", target_family = "wasm"))]
    {
        LOADED.load(std::sync::atomic::Ordering::Relaxed)
    }
    #[cfg(not(all(feature = "split", target_family = "wasm")))]
    true
}

#[cfg(all(feature = "split", target_family = "wasm"))]
pub(crate) static LOADED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Call a split function whose chunk is loaded: its future is ready at the first poll.
#[cfg(all(feature = "split", target_family = "wasm"))]
fn call<T, F>(f: impl FnOnce() -> F) -> Option<T>
where
    F: std::future::Future<Output = Result<Box<T>, ChunkFailed>>,
{
    let mut future = std::pin::pin!(f());
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(Ok(value)) => Some(*value),
        _ => None,
    }
}

#[cfg(not(all(feature = "split", target_family = "wasm")))]
fn call<T>(f: impl FnOnce() -> Result<Box<T>, ChunkFailed>) -> Option<T> {
    f().ok().map(|boxed| *boxed)
}

/// Unpack a link (see [`failscope_sim::link::unpack`]). `None` when the codec chunk is not
/// loaded yet (call [`crate::prepare`] first).
pub fn unpack(text: &str) -> Option<Result<SharedRun, LinkError>> {
    if !loaded() {
        return None;
    }
    call(|| unpack_link(Box::new(text.to_string())))
}

/// Parse a scenario file's JSON. `None` when the codec chunk is not loaded yet.
pub fn parse_scenario(text: &str) -> Option<Result<Scenario, String>> {
    if !loaded() {
        return None;
    }
    call(|| parse_scenario_json(Box::new(text.to_string())))
}

/// Unpack a history link (see [`failscope_sim::link::history::decode`]). `None` when the
/// codec chunk is not loaded yet (call [`load`] first).
pub fn unpack_history(text: &str) -> Option<Result<SharedHistory, HistoryLinkError>> {
    if !loaded() {
        return None;
    }
    let unpacked = call(|| unpack_history_link(Box::new(text.to_string())))?;
    Some(unpacked.and_then(failscope_sim::link::history::split))
}
