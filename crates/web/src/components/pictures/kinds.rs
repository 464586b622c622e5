//! Which component draws each picture kind, and fetching that component's code the first
//! time a page shows the kind.
//!
//! The picture components together weigh about 44 KB gzip, more than any lab, and most pages
//! use one or two kinds. So in the split release build each kind but the grid is a wasm chunk
//! of its own (`picture_<kind>`), fetched when a page first shows that kind; the lab page
//! fetches its lab's kinds together with the lab (see `crate::lab_loading`). The grid stays
//! in the main module: it is small, and every lab with logs draws one. Everywhere else every
//! kind is drawn at once.

use super::{
    bars::BarsView, graph::GraphView, grid::GridView, lanes::LanesView, ring::RingView,
    state_machine::StateMachineView, time_series::TimeSeriesView, tree::TreeView,
};
use failscope_labs::ChunkFailed;
use failscope_sim::picture::{Picture, PictureKind};
use failscope_sim::time::Time;
use std::sync::OnceLock;
use yew::prelude::*;

/// What a kind's component needs besides the picture: the frame's layout width, the
/// timeline's moment, and rows or nodes to show as crashed.
pub struct DrawArgs<'a> {
    pub picture: &'a Picture,
    pub width: f64,
    pub now: Time,
    pub struck: &'a [usize],
}

/// A kind's drawing function.
pub type Draw = fn(&DrawArgs) -> Html;

/// A drawing function behind a thin pointer (a loader's result crosses a chunk boundary).
pub struct DrawRef(Draw);

/// The kind that is always in the main module.
const EAGER: &str = "grid";

/// Declares the lazily loaded kinds: `"kind-name" => loader_name: draw_function,`. The loader
/// (and chunk) name is `picture_` and the kind's name with `_` for `-`.
macro_rules! lazy_kinds {
    ($($kind:literal => $loader:ident : $draw:path),* $(,)?) => {
        mod loaders {
            use super::*;
            $(
                #[cfg_attr(
                    all(feature = "split", target_family = "wasm"),
                    wasm_split_helpers::wasm_split($loader, fallible)
                )]
                pub fn $loader() -> Result<&'static DrawRef, ChunkFailed> {
                    static DRAW: DrawRef = DrawRef($draw);
                    Ok(&DRAW)
                }
            )*
        }

        /// The kinds drawn by a lazily loaded chunk.
        pub const LAZY_KINDS: &[&str] = &[$($kind),*];

        #[cfg(not(all(feature = "split", target_family = "wasm")))]
        fn load_now(kind: &str) -> Option<Draw> {
            match kind {
                $($kind => loaders::$loader().ok().map(|d| d.0),)*
                _ => None,
            }
        }

        #[cfg(all(feature = "split", target_family = "wasm"))]
        async fn fetch(kind: &str) -> Option<Result<Draw, ChunkFailed>> {
            match kind {
                $($kind => Some(loaders::$loader().await.map(|d| d.0)),)*
                _ => None,
            }
        }
    };
}

lazy_kinds! {
    "time-series" => picture_time_series: draw_time_series,
    "bars" => picture_bars: draw_bars,
    "graph" => picture_graph: draw_graph,
    "state-machine" => picture_state_machine: draw_state_machine,
    "tree" => picture_tree: draw_tree,
    "lanes" => picture_lanes: draw_lanes,
    "ring" => picture_ring: draw_ring,
}

fn draw_grid(args: &DrawArgs) -> Html {
    match &args.picture.kind {
        PictureKind::Grid(grid) => {
            html! { <GridView grid={grid.clone()} struck={args.struck.to_vec()} /> }
        }
        _ => html! {},
    }
}

fn draw_time_series(args: &DrawArgs) -> Html {
    match &args.picture.kind {
        PictureKind::TimeSeries(data) => {
            html! { <TimeSeriesView data={data.clone()} width={args.width} now={args.now} /> }
        }
        _ => html! {},
    }
}

fn draw_bars(args: &DrawArgs) -> Html {
    match &args.picture.kind {
        PictureKind::Bars(data) => html! { <BarsView data={data.clone()} width={args.width} /> },
        _ => html! {},
    }
}

fn draw_graph(args: &DrawArgs) -> Html {
    match &args.picture.kind {
        PictureKind::Graph(data) => html! { <GraphView data={data.clone()} width={args.width} /> },
        _ => html! {},
    }
}

fn draw_state_machine(args: &DrawArgs) -> Html {
    match &args.picture.kind {
        PictureKind::StateMachine(data) => {
            html! { <StateMachineView data={data.clone()} width={args.width} /> }
        }
        _ => html! {},
    }
}

fn draw_tree(args: &DrawArgs) -> Html {
    match &args.picture.kind {
        PictureKind::Tree(data) => html! { <TreeView data={data.clone()} width={args.width} /> },
        _ => html! {},
    }
}

fn draw_lanes(args: &DrawArgs) -> Html {
    match &args.picture.kind {
        PictureKind::Lanes(data) => {
            html! { <LanesView data={data.clone()} width={args.width} now={args.now} /> }
        }
        _ => html! {},
    }
}

fn draw_ring(args: &DrawArgs) -> Html {
    match &args.picture.kind {
        PictureKind::Ring(data) => html! {
            <RingView ring={data.clone()} version={args.picture.version} title={args.picture.title.clone()} />
        },
        _ => html! {},
    }
}

/// Kinds loaded so far, by their index in `LAZY_KINDS`.
fn loaded() -> &'static [OnceLock<Draw>] {
    static LOADED: OnceLock<Vec<OnceLock<Draw>>> = OnceLock::new();
    LOADED.get_or_init(|| LAZY_KINDS.iter().map(|_| OnceLock::new()).collect())
}

/// The drawing function of a kind whose code is here (always, outside the split build).
/// `None` for a kind still to be fetched, or one no component draws.
pub fn drawer(kind: &str) -> Option<Draw> {
    if kind == EAGER {
        return Some(draw_grid);
    }
    let slot = &loaded()[LAZY_KINDS.iter().position(|k| *k == kind)?];
    #[cfg(not(all(feature = "split", target_family = "wasm")))]
    if slot.get().is_none() {
        if let Some(draw) = load_now(kind) {
            let _ = slot.set(draw);
        }
    }
    slot.get().copied()
}

/// Fetch a kind's code (once; a failed fetch is not remembered, so calling again retries).
/// The error says what failed in the page's words.
pub async fn load(kind: &str) -> Result<Draw, String> {
    if let Some(draw) = drawer(kind) {
        return Ok(draw);
    }
    #[cfg(all(feature = "split", target_family = "wasm"))]
    if let Some(index) = LAZY_KINDS.iter().position(|k| *k == kind) {
        if let Some(result) = fetch(kind).await {
            let draw = result.map_err(|ChunkFailed| {
                format!(
                    "the code that draws {kind} pictures could not be downloaded; check the connection and try again"
                )
            })?;
            let _ = loaded()[index].set(draw);
            return Ok(draw);
        }
    }
    Err(format!("no component draws pictures of kind “{kind}”"))
}

/// Whether every one of these kinds can be drawn now (a kind no component draws counts as
/// ready: there is nothing to wait for, and the frame says so).
pub fn all_ready(kinds: &[&str]) -> bool {
    kinds
        .iter()
        .all(|kind| drawer(kind).is_some() || !(*kind == EAGER || LAZY_KINDS.contains(kind)))
}
