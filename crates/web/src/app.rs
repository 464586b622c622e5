//! The app shell: the top bar, the route (lab picker or a lab), the theme.
//!
//! Routes live in the URL fragment (`#lab=raft&preset=election&seed=7`) so they can be
//! bookmarked and shared, and the back button moves between them.

use crate::components::lab_picker::LabPicker;
use crate::lab_page::LabPage;
use gloo::events::EventListener;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Route {
    pub lab: Option<String>,
    pub preset: Option<String>,
    pub seed: Option<u64>,
}

impl Route {
    /// Parse `lab=raft&preset=election&seed=7` (a leading `#` is ignored). Unknown keys are
    /// ignored; a bad seed is dropped rather than failing the whole route.
    pub fn parse(fragment: &str) -> Route {
        let mut route = Route::default();
        for pair in fragment.trim_start_matches('#').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = js_sys::decode_uri_component(value)
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            match key {
                "lab" if !value.is_empty() => route.lab = Some(value),
                "preset" if !value.is_empty() => route.preset = Some(value),
                "seed" => route.seed = value.parse().ok(),
                _ => {}
            }
        }
        route
    }

    pub fn fragment(&self) -> String {
        let mut parts = Vec::new();
        if let Some(lab) = &self.lab {
            parts.push(format!("lab={}", encode(lab)));
        }
        if let Some(preset) = &self.preset {
            parts.push(format!("preset={}", encode(preset)));
        }
        if let Some(seed) = self.seed {
            parts.push(format!("seed={seed}"));
        }
        format!("#{}", parts.join("&"))
    }
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

fn current_route() -> Route {
    Route::parse(&gloo::utils::window().location().hash().unwrap_or_default())
}

fn go(route: &Route) {
    let _ = gloo::utils::window().location().set_hash(&route.fragment());
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Dark,
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Auto,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Theme::Auto => "Theme: follows your system",
            Theme::Dark => "Theme: dark",
            Theme::Light => "Theme: light",
        }
    }
    fn apply(self) {
        if let Some(root) = gloo::utils::document().document_element() {
            let _ = match self {
                Theme::Auto => root.remove_attribute("data-theme"),
                Theme::Light => root.set_attribute("data-theme", "light"),
                Theme::Dark => root.set_attribute("data-theme", "dark"),
            };
        }
    }
}

#[component]
pub fn App() -> Html {
    let route = use_state(current_route);
    let theme = use_state(|| Theme::Auto);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                route.set(current_route())
            });
            move || drop(listener)
        });
    }
    let on_open = Callback::from(|(lab, preset): (String, Option<String>)| {
        go(&Route {
            lab: Some(lab),
            preset,
            seed: None,
        })
    });
    let on_home = Callback::from(|()| go(&Route::default()));
    let on_preset = {
        let route = route.clone();
        Callback::from(move |preset: Option<String>| {
            go(&Route {
                lab: route.lab.clone(),
                preset,
                seed: None,
            })
        })
    };
    let toggle_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = theme.next();
            next.apply();
            theme.set(next);
        })
    };
    let home = {
        let cb = on_home.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            cb.emit(())
        })
    };
    let body = match &route.lab {
        Some(lab) => html! {
            <LabPage lab={lab.clone()} preset={route.preset.clone()} seed={route.seed}
                     on_home={on_home} on_preset={on_preset} />
        },
        None => html! { <LabPicker on_open={on_open} /> },
    };
    html! {
        <div class="shell" data-testid="app">
            <header class="topbar">
                <a class="brand" href="#" onclick={home} data-testid="home">
                    <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true"><circle cx="16" cy="16" r="13" fill="none" stroke="currentColor" stroke-width="3"/><circle cx="16" cy="4" r="3.5" class="brand-dot-a"/><circle cx="26" cy="22" r="3.5" class="brand-dot-b"/><circle cx="6" cy="22" r="3.5" class="brand-dot-c"/></svg>
                    { "Failscope" }
                </a>
                <span class="tagline">{ "Watch distributed systems work and fail. Poke them. Rewind. Share the exact run." }</span>
                <span class="spacer" />
                <button class="btn" data-testid="theme" aria-label={theme.label()} title={theme.label()} onclick={toggle_theme}>{ "◐" }</button>
            </header>
            { body }
        </div>
    }
}
