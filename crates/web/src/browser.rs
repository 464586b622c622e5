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

/// Keyboard shortcuts must not steal keys from text fields, menus and focused buttons.
pub fn typing_in_a_field(e: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    match element.tag_name().as_str() {
        "INPUT" | "SELECT" | "TEXTAREA" => e.key() != "Escape",
        "BUTTON" => matches!(e.key().as_str(), " " | "Enter"),
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

fn now_ms() -> f64 {
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
