//! A lab's own pictures, drawn from data ([`failscope_sim::picture`]): one component per
//! picture kind, inside one shared frame that gives every picture its title, caption and
//! accessible name. A lab never writes view code for its pictures.

pub mod bars;
pub mod grid;
pub mod ring;

use bars::BarsView;
use failscope_sim::picture::{Picture, PictureKind};
use grid::GridView;
use ring::RingView;
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
        PictureKind::Ring(ring) => html! {
            <RingView ring={ring.clone()} version={picture.version} title={picture.title.clone()} />
        },
        PictureKind::Bars(bars) => html! { <BarsView bars={bars.clone()} /> },
        _ => html! {},
    };
    html! {
        <section class={classes!("picture", format!("picture-{}", picture.kind.name()), picture.primary.then_some("primary"))}
                 data-testid={format!("picture-{}", picture.id)}
                 aria-label={picture.title.clone()}>
            <div class="panel-head"><h3>{ &picture.title }</h3></div>
            <p class="picture-caption muted small" data-testid="picture-caption">{ &picture.caption }</p>
            { body }
        </section>
    }
}
