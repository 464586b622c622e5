//! Component and model tests, run in headless Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use failscope_sim::action::Action;
use failscope_web::app::{App, Route};
use failscope_web::lab_page::{LabPage, LabPageProps};
use failscope_web::session::{Session, UiAction};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

fn mount_point() -> web_sys::Element {
    let document = gloo::utils::document();
    let host = document.create_element("div").expect("create div");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("append");
    host
}

fn count(host: &web_sys::Element, selector: &str) -> u32 {
    host.query_selector_all(selector)
        .map(|l| l.length())
        .unwrap_or(0)
}

fn click(host: &web_sys::Element, selector: &str) {
    let element = host
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element {selector}"));
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    element.dispatch_event(&event).unwrap();
}

fn lab_page(lab: &str, preset: Option<&str>) -> LabPageProps {
    LabPageProps {
        lab: lab.into(),
        preset: preset.map(Into::into),
        seed: None,
        on_home: Callback::noop(),
        on_preset: Callback::noop(),
    }
}

#[wasm_bindgen_test]
async fn the_picker_offers_every_listed_lab() {
    let host = mount_point();
    yew::Renderer::<App>::with_root(host.clone()).render();
    yew::scheduler::flush().await;
    let listed = failscope_sim::lab::listed().count() as u32;
    assert!(listed >= 2);
    assert_eq!(count(&host, "[data-testid^=lab-card-]"), listed);
    assert_eq!(count(&host, "[data-testid=lab-card-heartbeat]"), 1);
}

#[wasm_bindgen_test]
async fn a_raft_page_draws_five_servers_and_selects_on_click() {
    let host = mount_point();
    yew::Renderer::<LabPage>::with_root_and_props(host.clone(), lab_page("raft", None)).render();
    yew::scheduler::flush().await;
    assert_eq!(count(&host, "[data-testid^=node-S]"), 5);
    assert_eq!(count(&host, "svg[data-testid=canvas]"), 1);
    click(&host, "[data-testid=node-S3]");
    yew::scheduler::flush().await;
    let inspector = host
        .query_selector("[data-testid=inspector] h3")
        .unwrap()
        .unwrap();
    assert!(inspector.text_content().unwrap().starts_with("S3"));
    assert_eq!(
        count(&host, "[data-testid=crash]"),
        1,
        "the fault toolbar offers a crash"
    );
    click(&host, "[data-testid=crash]");
    yew::scheduler::flush().await;
    let node = host
        .query_selector("[data-testid=node-S3]")
        .unwrap()
        .unwrap();
    assert_eq!(node.get_attribute("data-status").as_deref(), Some("down"));
    assert_eq!(
        count(&host, "[data-testid=restart-node]"),
        1,
        "a crashed server can be restarted"
    );
}

#[wasm_bindgen_test]
async fn a_bad_lab_shows_the_error_panel_not_a_blank_page() {
    let host = mount_point();
    yew::Renderer::<LabPage>::with_root_and_props(host.clone(), lab_page("no-such-lab", None))
        .render();
    yew::scheduler::flush().await;
    let message = host
        .query_selector("[data-testid=error-message]")
        .unwrap()
        .expect("an error panel");
    assert!(message.text_content().unwrap().contains("no lab called"));
    assert_eq!(count(&host, "[data-testid=error-home]"), 1);
}

#[wasm_bindgen_test]
async fn a_guided_preset_shows_its_narration() {
    let host = mount_point();
    yew::Renderer::<LabPage>::with_root_and_props(
        host.clone(),
        lab_page("raft", Some("leader-crash")),
    )
    .render();
    yew::scheduler::flush().await;
    let text = host
        .query_selector("[data-testid=narration-text]")
        .unwrap()
        .expect("narration");
    assert!(text.text_content().unwrap().contains("leader"));
    let button = host
        .query_selector("[data-testid=next-chapter]")
        .unwrap()
        .expect("next chapter");
    button.unchecked_ref::<web_sys::HtmlElement>().click();
    yew::scheduler::flush().await;
    let text = host
        .query_selector("[data-testid=narration-text]")
        .unwrap()
        .unwrap();
    assert!(
        text.text_content().unwrap().contains("crashes"),
        "{:?}",
        text.text_content()
    );
}

#[wasm_bindgen_test]
fn the_session_steps_seeks_and_forks() {
    let mut s = Session::open("raft", None, Some(3)).unwrap();
    s.dispatch(UiAction::Step);
    assert!(s.now() > 0);
    s.playing = true;
    for _ in 0..60 {
        s.tick(50.0); // three seconds of wall time at 1/20×: 150 ms simulated
    }
    let later = s.now();
    assert!(later >= 140_000);
    s.dispatch(UiAction::Seek(later / 2));
    assert_eq!(s.now(), later / 2);
    s.dispatch(UiAction::Apply(Action::Crash { node: 0 }));
    let notice = s.notice.clone().expect("acting in the past says so");
    assert!(!notice.error && notice.text.contains("changed the past"));
    assert_eq!(s.sim().scenario().actions.len(), 1);
    s.dispatch(UiAction::Apply(Action::Crash { node: 0 }));
    assert!(
        s.notice.as_ref().unwrap().error,
        "crashing a crashed server is refused with a reason"
    );
}

#[wasm_bindgen_test]
fn routes_round_trip_and_tolerate_junk() {
    let route = Route::parse("#lab=raft&preset=partition&seed=42");
    assert_eq!(route.lab.as_deref(), Some("raft"));
    assert_eq!(route.preset.as_deref(), Some("partition"));
    assert_eq!(route.seed, Some(42));
    assert_eq!(Route::parse(&route.fragment()), route);
    let junk = Route::parse("#seed=banana&&&lab=&x=%ZZ");
    assert_eq!(junk, Route::default());
}
