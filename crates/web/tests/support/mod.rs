//! DOM helpers the browser tests share: mount a component on a fresh element, find, count,
//! read and click elements by CSS selector. Each test file uses some of them.
#![allow(dead_code)]

/// A fresh element appended to the page's body, to mount one component on.
pub fn mount_point() -> web_sys::Element {
    let document = gloo::utils::document();
    let host = document.create_element("div").expect("create div");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("append");
    host
}

pub fn count(host: &web_sys::Element, selector: &str) -> u32 {
    host.query_selector_all(selector)
        .map(|l| l.length())
        .unwrap_or(0)
}

pub fn element(host: &web_sys::Element, selector: &str) -> web_sys::Element {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element {selector}"))
}

pub fn text(host: &web_sys::Element, selector: &str) -> String {
    element(host, selector).text_content().unwrap_or_default()
}

pub fn attribute(host: &web_sys::Element, selector: &str, name: &str) -> Option<String> {
    host.query_selector(selector)
        .unwrap()
        .and_then(|e| e.get_attribute(name))
}

/// A bubbling click, as a person's would be.
pub fn click(host: &web_sys::Element, selector: &str) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    element(host, selector).dispatch_event(&event).unwrap();
}

/// Let Yew render, wait `ms` milliseconds (work running between frames goes on), render.
pub async fn settle(ms: u32) {
    yew::scheduler::flush().await;
    gloo::timers::future::TimeoutFuture::new(ms).await;
    yew::scheduler::flush().await;
}
