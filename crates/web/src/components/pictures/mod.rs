//! A lab's own pictures, drawn from data ([`failscope_sim::picture`]): one component per
//! picture kind, inside one shared frame that gives every picture its title, caption and
//! accessible name. A lab never writes view code for its pictures.

pub mod grid;

use failscope_sim::picture::{Picture, PictureKind};
use grid::GridView;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PictureFrameProps {
    pub picture: Picture,
    /// Rows or nodes to show as crashed, by index (the frame passes it to kinds that use it).
    #[prop_or_default]
    pub struck: Vec<usize>,
}

/// One picture with its title and caption.
#[component]
pub fn PictureFrame(props: &PictureFrameProps) -> Html {
    let picture = &props.picture;
    let body = match &picture.kind {
        PictureKind::Grid(grid) => {
            html! { <GridView grid={grid.clone()} struck={props.struck.clone()} /> }
        }
        _ => html! {},
    };
    html! {
        <section class={classes!("picture", format!("picture-{}", picture.kind.name()))}
                 data-testid={format!("picture-{}", picture.id)}
                 aria-label={picture.title.clone()}>
            <div class="panel-head"><h3>{ &picture.title }</h3><span class="muted small">{ &picture.caption }</span></div>
            { body }
        </section>
    }
}
