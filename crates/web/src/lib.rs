//! # failscope-web
//!
//! The Yew app. It renders what the engine reports and turns clicks into engine actions;
//! it changes a simulation only through `failscope-sim`'s public API.
//!
//! - [`app`]: the shell and routing; [`lab_page`]: one lab, its animation loop and layout.
//! - [`session`]: the model behind a lab page (no Yew in it).
//! - [`components`]: one view per module (topology, timeline, space-time diagram...).

pub mod app;
pub mod browser;
pub mod compare_page;
pub mod components;
pub mod decimal;
pub mod embed_api;
pub mod lab_loading;
pub mod lab_page;
pub mod layout;
pub mod lazy;
pub mod session;
pub mod shared;

/// Mount the app on the page's `<main id="app">` (or `<body>` when it is missing).
pub fn start() {
    let document = gloo::utils::document();
    match document.get_element_by_id("app") {
        Some(host) => {
            yew::Renderer::<app::App>::with_root(host).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
