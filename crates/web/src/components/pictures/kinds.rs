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
    state_machine::StateMachineView, time_series::TimeSeriesView, tree::TreeView, xy::XyView,
};
use crate::lazy::{Chunk, Draw};
use failscope_sim::picture::{Picture, PictureKind};
use failscope_sim::time::Time;
use yew::prelude::*;

/// What a kind's component needs: the picture, the frame's layout width, the timeline's
/// moment, and rows or nodes to show as crashed.
#[derive(Clone, PartialEq)]
pub struct KindProps {
    pub picture: Picture,
    pub width: f64,
    pub now: Time,
    pub struck: Vec<usize>,
}

/// The kind that is always in the main module.
pub const EAGER: &str = "grid";

/// Declares the lazily loaded kinds: `"kind-name" => STATIC: chunk_name: draw_function,`.
macro_rules! lazy_kinds {
    ($($kind:literal => $name:ident : $chunk:ident : $draw:path),* $(,)?) => {
        $(crate::lazy_chunk!($name: Draw<KindProps> = $draw, $chunk, concat!("the ", $kind, " picture"));)*

        /// The kinds drawn by a lazily loaded chunk.
        pub const LAZY_KINDS: &[&str] = &[$($kind),*];

        /// The chunk of a lazily loaded kind.
        pub fn chunk(kind: &str) -> Option<&'static Chunk<Draw<KindProps>>> {
            match kind {
                $($kind => Some(&$name),)*
                _ => None,
            }
        }
    };
}

lazy_kinds! {
    "time-series" => TIME_SERIES: picture_time_series: draw_time_series,
    "bars" => BARS: picture_bars: draw_bars,
    "graph" => GRAPH: picture_graph: draw_graph,
    "state-machine" => STATE_MACHINE: picture_state_machine: draw_state_machine,
    "tree" => TREE: picture_tree: draw_tree,
    "lanes" => LANES: picture_lanes: draw_lanes,
    "ring" => RING: picture_ring: draw_ring,
    "xy" => XY: picture_xy: draw_xy,
}

/// The grid, drawn by the main module.
pub fn draw_grid(props: &KindProps) -> Html {
    match &props.picture.kind {
        PictureKind::Grid(grid) => {
            html! { <GridView grid={grid.clone()} struck={props.struck.clone()} /> }
        }
        _ => html! {},
    }
}

fn draw_time_series(props: &KindProps) -> Html {
    match &props.picture.kind {
        PictureKind::TimeSeries(data) => {
            html! { <TimeSeriesView data={data.clone()} width={props.width} now={props.now} /> }
        }
        _ => html! {},
    }
}

fn draw_bars(props: &KindProps) -> Html {
    match &props.picture.kind {
        PictureKind::Bars(data) => html! { <BarsView data={data.clone()} width={props.width} /> },
        _ => html! {},
    }
}

fn draw_graph(props: &KindProps) -> Html {
    match &props.picture.kind {
        PictureKind::Graph(data) => html! { <GraphView data={data.clone()} width={props.width} /> },
        _ => html! {},
    }
}

fn draw_state_machine(props: &KindProps) -> Html {
    match &props.picture.kind {
        PictureKind::StateMachine(data) => {
            html! { <StateMachineView data={data.clone()} width={props.width} /> }
        }
        _ => html! {},
    }
}

fn draw_tree(props: &KindProps) -> Html {
    match &props.picture.kind {
        PictureKind::Tree(data) => html! { <TreeView data={data.clone()} width={props.width} /> },
        _ => html! {},
    }
}

fn draw_lanes(props: &KindProps) -> Html {
    match &props.picture.kind {
        PictureKind::Lanes(data) => {
            html! { <LanesView data={data.clone()} width={props.width} now={props.now} /> }
        }
        _ => html! {},
    }
}

fn draw_ring(props: &KindProps) -> Html {
    match &props.picture.kind {
        PictureKind::Ring(data) => html! {
            <RingView ring={data.clone()} version={props.picture.version} title={props.picture.title.clone()} />
        },
        _ => html! {},
    }
}

fn draw_xy(props: &KindProps) -> Html {
    match &props.picture.kind {
        PictureKind::Xy(data) => html! { <XyView data={data.clone()} width={props.width} /> },
        _ => html! {},
    }
}

/// Fetch a kind's code (once; a failed fetch is not remembered, so calling again retries).
pub async fn load(kind: &str) -> Result<(), String> {
    match chunk(kind) {
        Some(chunk) => chunk.load().await.map(drop),
        None => Ok(()),
    }
}

/// Whether every one of these kinds can be drawn now (the grid and kinds no component draws
/// count as ready: there is nothing to wait for).
pub fn all_ready(kinds: &[&str]) -> bool {
    kinds
        .iter()
        .all(|kind| chunk(kind).is_none_or(|chunk| chunk.get().is_some()))
}
