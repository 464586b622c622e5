//! A lab's own pictures, drawn from data ([`failscope_sim::picture`]): one component per
//! picture kind, inside one shared frame that gives every picture its title, caption and
//! accessible name. A lab never writes view code for its pictures.
//!
//! The frame measures its width and lays the picture out at that width (one SVG unit per
//! CSS pixel), so text keeps its size on a phone and on a desktop; it exports the picture
//! as SVG or PNG, and shows the tooltip of whatever mark, bar or node has keyboard focus.

pub mod axis;
pub mod bars;
pub mod graph;
pub mod grid;
pub mod kinds;
pub mod lanes;
pub mod parts;
pub mod ring;
pub mod state_machine;
pub mod time_series;
pub mod tree;
pub mod xy;

use crate::browser;
use crate::lazy::Deferred;
use failscope_sim::picture::{Picture, PictureKind};
use failscope_sim::time::Time;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PictureFrameProps {
    pub picture: Picture,
    /// Rows or nodes to show as crashed, by index (the frame passes it to kinds that use it).
    #[prop_or_default]
    pub struck: Vec<usize>,
    /// The timeline's current moment (the cursor of time-based kinds).
    #[prop_or_default]
    pub now: Time,
    /// File name stem for exports (lab, seed, moment); the picture's id is appended.
    #[prop_or_default]
    pub file_stem: Option<String>,
}

/// One picture with its title, caption and export buttons.
#[component]
pub fn PictureFrame(props: &PictureFrameProps) -> Html {
    let picture = &props.picture;
    let body_ref = use_node_ref();
    let measured = use_state_eq(|| 0.0f64);
    let tip = use_state_eq(|| None::<String>);
    {
        let body_ref = body_ref.clone();
        let measured = measured.setter();
        use_effect_with((), move |_| {
            let watcher = body_ref.cast::<web_sys::Element>().and_then(|body| {
                measured.set(f64::from(body.client_width()));
                browser::OnResize::observe(&body, move |w, _| measured.set(w))
            });
            move || drop(watcher)
        });
    }
    let width = axis::layout_width(*measured);
    let kind_props = kinds::KindProps {
        picture: picture.clone(),
        width,
        now: props.now,
        struck: props.struck.clone(),
    };
    let body = match kinds::chunk(picture.kind.name()) {
        Some(chunk) => html! { <Deferred<kinds::KindProps> {chunk} props={kind_props} /> },
        None => kinds::draw_grid(&kind_props),
    };
    let is_svg = !matches!(picture.kind, PictureKind::Grid(_) | PictureKind::Ring(_));
    let export = |png: bool| {
        let body_ref = body_ref.clone();
        let name = format!(
            "{}-{}",
            props.file_stem.as_deref().unwrap_or("failscope"),
            picture.id
        );
        Callback::from(move |_: MouseEvent| export_picture(&body_ref, &name, png))
    };
    let on_focus = {
        let tip = tip.clone();
        Callback::from(move |e: FocusEvent| tip.set(tooltip_of(e.target())))
    };
    let on_blur = {
        let tip = tip.clone();
        Callback::from(move |_: FocusEvent| tip.set(None))
    };
    html! {
        <section class={classes!("picture", format!("picture-{}", picture.kind.name()), picture.primary.then_some("primary"))}
                 data-testid={format!("picture-{}", picture.id)} data-kind={picture.kind.name()}
                 aria-label={picture.title.clone()}>
            <div class="panel-head">
                <h3>{ &picture.title }</h3>
                <span class="picture-caption muted small" data-testid="picture-caption">{ &picture.caption }</span>
                if is_svg {
                    <span class="pic-export">
                        <button class="btn btn-small" data-testid="picture-export-svg" onclick={export(false)}
                                aria-label={format!("Export {} as SVG", picture.title)}>{ "Export SVG" }</button>
                        <button class="btn btn-small" data-testid="picture-export-png" onclick={export(true)}
                                aria-label={format!("Export {} as PNG", picture.title)}>{ "PNG" }</button>
                    </span>
                }
            </div>
            <div class="pic-body" ref={body_ref} onfocusin={on_focus} onfocusout={on_blur}>{ body }</div>
            if is_svg {
                <p class="pic-tip small" aria-live="polite" data-testid="picture-tip">{ (*tip).clone().unwrap_or_default() }</p>
            }
        </section>
    }
}

/// The tooltip (`<title>` child) of a focused element inside a picture.
fn tooltip_of(target: Option<web_sys::EventTarget>) -> Option<String> {
    let element = target?.dyn_into::<web_sys::Element>().ok()?;
    let children = element.children();
    (0..children.length())
        .filter_map(|i| children.item(i))
        .find(|c| c.tag_name().eq_ignore_ascii_case("title"))
        .and_then(|t| t.text_content())
}

/// Download the picture's SVG (styles inlined, as the share menu does for the topology),
/// or a PNG rendered from it.
fn export_picture(body: &NodeRef, name: &str, png: bool) {
    let Some(svg) = body
        .cast::<web_sys::Element>()
        .and_then(|b| b.query_selector("svg").ok().flatten())
    else {
        return;
    };
    let Some(text) = browser::standalone_svg(&svg) else {
        return;
    };
    if png {
        let (width, height) = crate::components::share::svg_size(&svg);
        browser::download_png(&format!("{name}.png"), &text, width, height, 2.0);
    } else {
        browser::download_text(&format!("{name}.svg"), "image/svg+xml", &text);
    }
}
