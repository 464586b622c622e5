//! The space-time diagram's event labels (wasm-bindgen-test, headless Chromium): a lab that
//! stamps events gets one label per stamped event, in the label set it chose, and a switch
//! between its label sets; with nothing stamped in view there is neither.
#![cfg(target_arch = "wasm32")]

use failscope_sim::time::MS;
use failscope_web::components::spacetime::{Diagram, SpaceTime, SpaceTimeProps};
use failscope_web::shared::Shared;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount(diagram: Diagram) -> web_sys::Element {
    let document = gloo::utils::document();
    let host = document.create_element("div").unwrap();
    host.set_attribute("style", "width: 800px").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let props = SpaceTimeProps {
        diagram: Shared::new(diagram),
        on_zoom: Callback::noop(),
        on_action: Callback::noop(),
    };
    yew::Renderer::<SpaceTime>::with_root_and_props(host.clone(), props).render();
    for _ in 0..2 {
        yew::scheduler::flush().await;
        gloo::timers::future::TimeoutFuture::new(10).await;
    }
    host
}

fn texts(host: &web_sys::Element, selector: &str) -> Vec<String> {
    let list = host.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.text_content())
        .collect()
}

#[wasm_bindgen_test]
async fn stamped_events_are_labelled_in_the_chosen_set_and_switch() {
    let diagram = Diagram {
        from: 0,
        to: 1_000 * MS,
        n_nodes: 2,
        stamps: vec![
            (0, 100 * MS, "1|[1,0]".into()),
            (1, 250 * MS, "3|[2,1]".into()),
        ],
        stamp_sets: &["scalar", "vector"],
        stamp_choice: 1,
        ..Diagram::default()
    };
    let host = mount(diagram).await;
    assert_eq!(texts(&host, "text.stamp"), ["[1,0]", "[2,1]"]);
    assert_eq!(
        texts(&host, "[data-testid=stamp-sets] button"),
        ["scalar", "vector"]
    );
    let first: web_sys::HtmlElement = host
        .query_selector("[data-testid=stamp-sets] button")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    first.click();
    yew::scheduler::flush().await;
    assert_eq!(texts(&host, "text.stamp"), ["1", "3"]);
    assert_eq!(first.get_attribute("aria-pressed").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn with_nothing_stamped_in_view_there_are_no_labels_and_no_switch() {
    let host = mount(Diagram {
        to: 1_000 * MS,
        n_nodes: 2,
        stamp_sets: &["scalar", "vector"],
        ..Diagram::default()
    })
    .await;
    assert!(texts(&host, "text.stamp").is_empty());
    assert!(host
        .query_selector("[data-testid=stamp-sets]")
        .unwrap()
        .is_none());
}
