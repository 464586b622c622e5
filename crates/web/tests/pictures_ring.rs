//! The ring and bars picture components, and the lab verbs form, in headless Chromium: drawn
//! from the hash-ring lab's real pictures, queried in the real DOM.
#![cfg(target_arch = "wasm32")]

use failscope_labs::ring::RingLab;
use failscope_sim::action::Action;
use failscope_sim::lab::Lab;
use failscope_sim::picture::{Picture, PictureKind};
use failscope_sim::time::SECOND;
use failscope_web::components::pictures::{PictureFrame, PictureFrameProps};
use failscope_web::lab_page::{LabPage, LabPageProps, Source};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::Callback;

mod support;
use support::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The hash-ring lab's pictures just after S5 joined four servers.
fn pictures_after_a_join() -> Vec<Picture> {
    let mut sim = failscope_labs::build(&RingLab.default_scenario(3)).unwrap();
    sim.run_until(SECOND / 2);
    sim.apply(Action::Lab {
        verb: "join".into(),
        args: vec![4],
    })
    .unwrap();
    sim.pictures()
}

fn frame(picture: Picture) -> PictureFrameProps {
    PictureFrameProps {
        picture,
        struck: Vec::new(),
        now: 0,
        file_stem: None,
    }
}

#[wasm_bindgen_test]
async fn the_ring_draws_arcs_a_legend_ringed_points_and_a_walk() {
    let pictures = pictures_after_a_join();
    let picture = pictures.iter().find(|p| p.id == "ring").unwrap().clone();
    let PictureKind::Ring(ring) = &picture.kind else {
        panic!("a ring")
    };
    let moved = ring.points.iter().filter(|p| p.highlight).count() as u32;
    assert!(moved > 0);
    let host = mount_point();
    yew::Renderer::<PictureFrame>::with_root_and_props(host.clone(), frame(picture.clone()))
        .render();
    yew::scheduler::flush().await;

    assert_eq!(count(&host, "[data-testid=picture-ring]"), 1);
    // One arc path per server, in the shared palette.
    assert_eq!(count(&host, "path.ring-arc"), 5);
    for colour in 0..5 {
        assert_eq!(count(&host, &format!("path.ring-arc.cat-{colour}")), 1);
    }
    assert_eq!(
        count(&host, "path.ring-tick"),
        5,
        "320 virtual nodes: ticks"
    );
    // A legend entry per server, with its share of the ring.
    assert_eq!(count(&host, "[data-testid^=ring-owner-]"), 5);
    assert!(text(&host, "[data-testid=ring-owner-S5]").contains('%'));
    // Every key, the moved ones ringed, each with a tooltip.
    assert_eq!(count(&host, "circle.ring-point"), 200);
    assert_eq!(count(&host, "circle.ring-point.highlight"), moved);
    assert_eq!(count(&host, "circle.ring-point > title"), 200);
    // The featured walk: a key that moved, walking to its new owner.
    assert_eq!(count(&host, "[data-testid=ring-walk]"), 1);
    assert!(text(&host, "[data-testid=ring-walk]").contains("owner S5"));
    // One focusable image with a name that says what it shows.
    let svg = element(&host, "svg.ring-svg");
    assert_eq!(svg.get_attribute("role").as_deref(), Some("img"));
    assert_eq!(svg.get_attribute("tabindex").as_deref(), Some("0"));
    let label = svg.get_attribute("aria-label").unwrap();
    assert!(label.contains("5 owners, 200 points"), "{label}");
    assert!(label.contains(&format!("{moved} highlighted")), "{label}");
    assert!(text(&host, "[data-testid=picture-caption]").contains("of 200 keys moved"));

    // Picking a point shows its lookup.
    click(&host, "[data-testid=ring-point-7]");
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "circle.ring-point.selected"), 1);
    assert!(text(&host, "[data-testid=ring-lookup-result]").starts_with("k7 → S"));
    assert!(text(&host, "[data-testid=ring-walk]").contains("owner S"));

    // The arrow keys step to the next point in ring order.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("ArrowRight");
    init.set_bubbles(true);
    let key = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    svg.dispatch_event(&key).unwrap();
    yew::scheduler::flush().await;
    let now = text(&host, "[data-testid=ring-lookup-result]");
    assert!(now.starts_with('k') && !now.starts_with("k7 "), "{now}");
}

#[wasm_bindgen_test]
async fn the_load_bars_have_an_axis_a_mean_and_the_busiest_highlighted() {
    let pictures = pictures_after_a_join();
    let picture = pictures.iter().find(|p| p.id == "load").unwrap().clone();
    let host = mount_point();
    yew::Renderer::<PictureFrame>::with_root_and_props(host.clone(), frame(picture)).render();
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "[data-testid^=bar-]"), 5);
    let total: i64 = (0..5)
        .map(|i| {
            element(&host, &format!("[data-testid=bar-{i}]"))
                .get_attribute("data-value")
                .unwrap()
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    assert_eq!(total, 200, "every key is owned once");
    assert!(count(&host, ".pic-bar.highlight") >= 1);
    // The mean is named with its value in the legend, not on its line among the bar values.
    assert!(text(&host, "[data-testid=reference]").contains("mean 40.0"));
    assert!(text(&host, "[data-testid=legend-item]").contains("mean 40.0"));
    assert_eq!(count(&host, "[data-testid=reference] text"), 0);
    assert!(count(&host, ".pic-tick") >= 2, "a value axis with ticks");
    let labels = host.query_selector_all("svg text").unwrap();
    for i in 0..labels.length() {
        let node = labels.item(i).unwrap();
        let style = web_sys::window()
            .unwrap()
            .get_computed_style(node.dyn_ref().unwrap())
            .unwrap();
        if let Some(style) = style {
            let size = style.get_property_value("font-size").unwrap();
            let px: f64 = size.trim_end_matches("px").parse().unwrap_or(11.0);
            assert!(px >= 11.0, "labels of at least 11 px: {size}");
        }
    }
}

fn ring_page() -> LabPageProps {
    LabPageProps {
        source: Source::Lab {
            lab: "hash-ring".into(),
            preset: None,
            seed: None,
        },
        history: None,
        embed: false,
        embed_options: Default::default(),
        autoplay: false,
        on_home: Callback::noop(),
        on_preset: Callback::noop(),
    }
}

#[wasm_bindgen_test]
async fn a_server_joins_through_the_lab_verbs_and_the_ring_shows_it() {
    let host = mount_point();
    yew::Renderer::<LabPage>::with_root_and_props(host.clone(), ring_page()).render();
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "[data-testid=picture-ring]"), 1);
    assert_eq!(
        count(
            &host,
            ".pictures > section:first-of-type[data-testid=picture-ring]"
        ),
        1,
        "the primary picture comes first"
    );
    assert_eq!(count(&host, "[data-testid^=ring-owner-]"), 4);
    assert_eq!(count(&host, "circle.ring-point.highlight"), 0);
    let select: web_sys::HtmlSelectElement = element(&host, "[data-testid=verb-arg-server]")
        .dyn_into()
        .unwrap();
    assert_eq!(select.length(), 5, "every server is offered");
    assert!(select
        .item(4)
        .unwrap()
        .text_content()
        .unwrap()
        .contains("spare"));
    select.set_value("4");
    assert_eq!(count(&host, "[data-testid=verb-arg-weight]"), 1);
    click(&host, "[data-testid=verb-join]");
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "[data-testid^=ring-owner-]"), 5);
    assert!(count(&host, "circle.ring-point.highlight") > 10);
    assert_eq!(count(&host, "[data-testid=picture-moved]"), 1);
    let caption = text(
        &host,
        "[data-testid=picture-ring] [data-testid=picture-caption]",
    );
    assert!(caption.contains("of 200 keys moved"), "{caption}");
    // A verb the lab refuses says why, and changes nothing.
    click(&host, "[data-testid=verb-join]");
    yew::scheduler::flush().await;
    assert!(text(&host, "[data-testid=notice]").contains("already on the ring"));
    assert_eq!(count(&host, "[data-testid^=ring-owner-]"), 5);
}
