//! The few things the app asks of the browser, each wrapped once: visibility, reduced
//! motion, on-screen observation, a random seed, the URL, and frame timing for benchmarks.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Is the page hidden (another tab, minimised)? Then nothing is drawn.
pub fn document_hidden() -> bool {
    gloo::utils::document().hidden()
}

/// The person asked the system for less motion.
pub fn prefers_reduced_motion() -> bool {
    gloo::utils::window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Whether a key belongs to the focused element rather than to the shortcuts: anything typed
/// into a text field, Enter on a button, and on lists and sliders every key but Space and
/// Escape.
pub fn typing_in_a_field(e: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let key = e.key();
    // Space plays and pauses wherever the focus is, except in a text field: on a button, a
    // list or a slider it is ours (the caller prevents the button's own click).
    let ours = key == " " || key == "Escape";
    match element.tag_name().as_str() {
        "TEXTAREA" => key != "Escape",
        "INPUT" => {
            let kind = element.get_attribute("type").unwrap_or_default();
            let text = !matches!(
                kind.as_str(),
                "range" | "checkbox" | "radio" | "button" | "submit" | "color" | "file"
            );
            if text {
                key != "Escape"
            } else {
                !ours
            }
        }
        "SELECT" => !ours,
        "BUTTON" => key == "Enter",
        _ => false,
    }
}

/// A fresh seed for the "new seed" button: browser randomness, never used inside the engine.
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * 1e9) as u64
}

/// Watches whether an element is on screen, calling back on every change.
pub struct OnScreen {
    observer: web_sys::IntersectionObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl OnScreen {
    pub fn observe(
        element: &web_sys::Element,
        on_change: impl Fn(bool) + 'static,
    ) -> Option<OnScreen> {
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Some(entry) = entries
                .iter()
                .last()
                .and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
            {
                on_change(entry.is_intersecting());
            }
        });
        let observer =
            web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(element);
        Some(OnScreen {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for OnScreen {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Watches an element's size, calling back with its new width and height (CSS pixels) on
/// every change.
pub struct OnResize {
    observer: web_sys::ResizeObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl OnResize {
    pub fn observe(
        element: &web_sys::Element,
        on_change: impl Fn(f64, f64) + 'static,
    ) -> Option<OnResize> {
        let watched = element.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| {
            on_change(
                f64::from(watched.client_width()),
                f64::from(watched.client_height()),
            );
        });
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(element);
        Some(OnResize {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for OnResize {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Milliseconds on the page's monotonic clock.
pub fn now_ms() -> f64 {
    gloo::utils::window().performance().map_or(0.0, |p| p.now())
}

/// With `?bench` in the URL, records how long each animation frame's update took (advancing
/// the simulation and moving the messages; Yew's render of the panels follows) in
/// `window.__failscopeFrames`, for the rendering benchmark to read.
pub struct FrameMeter {
    frames: Option<js_sys::Array>,
    started: Option<f64>,
}

impl FrameMeter {
    pub fn from_location() -> FrameMeter {
        let enabled = gloo::utils::window()
            .location()
            .search()
            .is_ok_and(|s| s.contains("bench"));
        let frames = enabled.then(|| {
            let array = js_sys::Array::new();
            let _ =
                js_sys::Reflect::set(&gloo::utils::window(), &"__failscopeFrames".into(), &array);
            array
        });
        FrameMeter {
            frames,
            started: None,
        }
    }

    pub fn start(&mut self, _frame_timestamp: f64) {
        if self.frames.is_some() {
            self.started = Some(now_ms());
        }
    }

    pub fn finish(&mut self) {
        if let (Some(frames), Some(started)) = (&self.frames, self.started.take()) {
            frames.push(&(now_ms() - started).into());
        }
    }
}

/// Put `text` on the clipboard; false when the browser refuses (the caller then shows the
/// text for copying by hand).
pub async fn copy_text(text: &str) -> bool {
    let clipboard = gloo::utils::window().navigator().clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .is_ok()
}

/// Offer `contents` as a file download.
pub fn download_text(filename: &str, mime: &str, contents: &str) {
    let parts = js_sys::Array::of1(&contents.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        download_blob(filename, &blob);
    }
}

pub fn download_blob(filename: &str, blob: &web_sys::Blob) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let document = gloo::utils::document();
    if let Ok(anchor) = document.create_element("a") {
        let anchor: web_sys::HtmlAnchorElement = anchor.unchecked_into();
        anchor.set_href(&url);
        anchor.set_download(filename);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Computed style properties copied onto exported SVG elements, so the file looks like the
/// page without the stylesheet.
const EXPORTED_STYLES: &[&str] = &[
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
    "display",
];

/// A standalone SVG document of `svg`, with the page's computed styles inlined.
pub fn standalone_svg(svg: &web_sys::Element) -> Option<String> {
    let clone: web_sys::Element = svg.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    let window = gloo::utils::window();
    let originals = svg.query_selector_all("*").ok()?;
    let copies = clone.query_selector_all("*").ok()?;
    let pairs = std::iter::once((svg.clone(), clone.clone())).chain(
        (0..originals.length()).filter_map(|i| {
            let a = originals.item(i)?.dyn_into::<web_sys::Element>().ok()?;
            let b = copies.item(i)?.dyn_into::<web_sys::Element>().ok()?;
            Some((a, b))
        }),
    );
    for (original, copy) in pairs {
        let Ok(Some(style)) = window.get_computed_style(&original) else {
            continue;
        };
        let inline: String = EXPORTED_STYLES
            .iter()
            .filter_map(|p| {
                style
                    .get_property_value(p)
                    .ok()
                    .map(|v| format!("{p}:{v};"))
            })
            .collect();
        let _ = copy.set_attribute("style", &inline);
    }
    let _ = clone.set_attribute("xmlns", "http://www.w3.org/2000/svg");
    let background = window
        .get_computed_style(svg)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("background-color").ok())
        .unwrap_or_default();
    let _ = clone.set_attribute("style", &format!("background:{background}"));
    let serializer = web_sys::XmlSerializer::new().ok()?;
    serializer.serialize_to_string(&clone).ok()
}

/// Render an SVG document to PNG (at `scale` times its viewBox size) and download it.
pub fn download_png(filename: &str, svg_text: &str, width: f64, height: f64, scale: f64) {
    let parts = js_sys::Array::of1(&svg_text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let Ok(image) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let filename = filename.to_string();
    let loaded = image.clone();
    let source_url = url.clone();
    let onload = Closure::once_into_js(move || {
        let document = gloo::utils::document();
        let Some(canvas) = document
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        canvas.set_width((width * scale) as u32);
        canvas.set_height((height * scale) as u32);
        if let Some(context) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        {
            let _ = context.draw_image_with_html_image_element_and_dw_and_dh(
                &loaded,
                0.0,
                0.0,
                width * scale,
                height * scale,
            );
        }
        let _ = web_sys::Url::revoke_object_url(&source_url);
        let save = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
            if let Some(blob) = blob {
                download_blob(&filename, &blob);
            }
        });
        let _ = canvas.to_blob(save.unchecked_ref());
    });
    image.set_onload(Some(onload.unchecked_ref()));
    image.set_src(&url);
}

/// Replace the URL fragment without adding a history entry (the link follows the session,
/// the back button still leaves the page).
pub fn replace_fragment(fragment: &str) {
    if let Ok(history) = gloo::utils::window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(fragment));
    }
}

/// The URL fragment as it is now (with its `#`, or empty).
pub fn current_fragment() -> String {
    gloo::utils::window().location().hash().unwrap_or_default()
}

/// The page's address without its fragment and query (for building share links).
pub fn base_url() -> String {
    let location = gloo::utils::window().location();
    format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_else(|_| "/".into())
    )
}
