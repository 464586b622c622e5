//! The app shell: the top bar, the route (lab picker, a lab, or a shared run), the theme,
//! and embed mode.
//!
//! Routes live in the URL fragment, never sent to a server:
//! - `#lab=raft&preset=election&seed=7`: a lab, optionally a guided preset and a seed;
//! - `#s=1.<payload>`: a shared run (see `failscope_sim::link`), opened paused at its moment;
//! - `#lab=raft&h=1.<payload>`: a history file, checked in that lab's History tab (see
//!   `failscope_sim::link::history`; without `lab=`, the picker's first lab).
//!
//! `?embed` (or `embed` in the fragment) shows only the canvas and compact controls, for
//! iframes; `autoplay` in the fragment starts it playing.

use crate::compare_page::{ComparePageProps, Side, COMPARE_PAGE};
use crate::components::lab_picker::{LabPickerProps, LAB_PICKER};
use crate::embed_api::EmbedOptions;
use crate::lab_loading::{loading_panel, use_labs, LabsState};
use crate::lab_page::{LabPage, Source};
use crate::lazy::Deferred;
use gloo::events::EventListener;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Route {
    pub lab: Option<String>,
    pub preset: Option<String>,
    pub seed: Option<u64>,
    /// A share-link payload (`s=`).
    pub shared: Option<String>,
    /// A history-link payload (`h=`): checked in the History tab.
    pub history: Option<String>,
    pub embed: bool,
    pub autoplay: bool,
    /// Two runs side by side: `compare=lab/preset,lab/preset`.
    pub compare: Option<String>,
    /// What the embedding page asked for in the query (`?embed&from=1.5&…`).
    pub embed_options: EmbedOptions,
}

impl Route {
    /// Parse a fragment such as `lab=raft&preset=election&seed=7` (a leading `#` is
    /// ignored). Unknown keys are ignored; a bad seed is dropped rather than failing.
    pub fn parse(fragment: &str) -> Route {
        let mut route = Route::default();
        for (key, value) in url_pairs(fragment) {
            match key {
                "lab" if !value.is_empty() => route.lab = Some(value),
                "preset" if !value.is_empty() => route.preset = Some(value),
                "seed" => route.seed = value.parse().ok(),
                "s" if !value.is_empty() => route.shared = Some(value),
                "h" => route.history = Some(value),
                "embed" => route.embed = true,
                "autoplay" => route.autoplay = true,
                "compare" if !value.is_empty() => route.compare = Some(value),
                _ => {}
            }
        }
        // A history is checked on a lab's page: the picker's first, unless the link names one.
        if route.history.is_some() && route.lab.is_none() && route.shared.is_none() {
            route.lab = failscope_labs::catalogue::listed()
                .next()
                .map(|lab| lab.id.to_string());
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
        if let Some(shared) = &self.shared {
            parts.push(format!("s={shared}"));
        }
        if let Some(history) = &self.history {
            parts.push(format!("h={history}"));
        }
        if self.autoplay {
            parts.push("autoplay".into());
        }
        if let Some(compare) = &self.compare {
            parts.push(format!("compare={}", encode(compare)));
        }
        format!("#{}", parts.join("&"))
    }
}

/// The `key=value` pairs of a fragment or query (a leading `#` or `?` is ignored), values
/// percent-decoded. A value that is not valid percent-encoding is kept as it is, so that a
/// damaged link reaches the decoder (and its clear error) instead of vanishing.
pub fn url_pairs(text: &str) -> impl Iterator<Item = (&str, String)> {
    text.trim_start_matches(['#', '?']).split('&').map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = js_sys::decode_uri_component(value)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| value.to_string());
        (key, decoded)
    })
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

fn current_route() -> Route {
    let location = gloo::utils::window().location();
    let mut route = Route::parse(&location.hash().unwrap_or_default());
    if location.search().unwrap_or_default().contains("embed") {
        route.embed = true;
        route.embed_options = EmbedOptions::from_location();
    }
    route
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

/// `?theme=dark` or `?theme=light` in the query (the embed tag's `theme` attribute) fixes
/// the theme from the start; otherwise it follows the system.
fn initial_theme() -> Theme {
    let search = gloo::utils::window()
        .location()
        .search()
        .unwrap_or_default();
    let theme = if search.contains("theme=dark") {
        Theme::Dark
    } else if search.contains("theme=light") {
        Theme::Light
    } else {
        Theme::Auto
    };
    theme.apply();
    theme
}

impl Route {
    /// The labs whose code this route needs loaded before it can be shown.
    fn labs(&self) -> Vec<String> {
        if let Some(compare) = &self.compare {
            return compare
                .split(',')
                .filter_map(Side::parse)
                .map(|side| side.lab)
                .collect();
        }
        if self.shared.is_some() {
            // The link's own lab is learnt (and loaded) once the link can be read.
            return Vec::new();
        }
        self.lab.iter().cloned().collect()
    }
}

/// What the route asks for, decoded: a lab page source, or why it cannot be opened.
fn resolve(route: &Route) -> Option<Result<Source, String>> {
    if let Some(shared) = &route.shared {
        return Some(
            failscope_labs::decode_link(shared)
                .map(|run| Source::Shared(Rc::new(run)))
                .map_err(|e| e.to_string()),
        );
    }
    route.lab.as_ref().map(|lab| {
        Ok(Source::Lab {
            lab: lab.clone(),
            preset: route.preset.clone(),
            seed: route.seed,
        })
    })
}

#[component]
pub fn App() -> Html {
    let route = use_state(current_route);
    let theme = use_state(initial_theme);
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
            ..Route::default()
        })
    });
    let on_home = Callback::from(|()| go(&Route::default()));
    let on_preset = {
        Callback::from(move |(lab, preset): (String, Option<String>)| {
            go(&Route {
                lab: Some(lab),
                preset,
                ..Route::default()
            })
        })
    };
    let (labs, retry) = use_labs(failscope_labs::Needs {
        labs: route.labs(),
        link: route.shared.clone(),
        // The side-by-side page shows stale reads and linearizability from its first frame.
        history_checks: route.compare.is_some(),
    });
    let source = use_memo(((*route).clone(), labs.clone()), |(route, labs)| {
        (*labs == LabsState::Ready)
            .then(|| resolve(route))
            .flatten()
    });
    let compare = route.compare.as_deref().map(|c| {
        let mut sides = c.split(',').map(Side::parse);
        (sides.next().flatten(), sides.next().flatten())
    });
    let body = match (&*source, compare) {
        _ if labs != LabsState::Ready => loading_panel(&labs, retry),
        (_, Some((Some(left), Some(right)))) => {
            html! {
                <Deferred<ComparePageProps> chunk={&COMPARE_PAGE}
                    props={ComparePageProps { left, right, on_home: on_home.clone() }} />
            }
        }
        (_, Some(_)) => link_error(
            "a comparison names two runs, as compare=lab/preset,lab/preset",
            on_home.clone(),
        ),
        (source, None) => match source {
            Some(Ok(source)) => html! {
                <LabPage source={source.clone()} history={route.history.clone()} embed={route.embed} autoplay={route.autoplay} embed_options={route.embed_options.clone()}
                         on_home={on_home.clone()} on_preset={on_preset} />
            },
            Some(Err(message)) => link_error(message, on_home.clone()),
            None => {
                html! { <Deferred<LabPickerProps> chunk={&LAB_PICKER} props={LabPickerProps { on_open }} /> }
            }
        },
    };
    if route.embed {
        return html! { <div class="shell embed" data-testid="app">{ body }</div> };
    }
    let toggle_theme = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = theme.next();
            next.apply();
            theme.set(next);
        })
    };
    let home = Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        on_home.emit(())
    });
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

/// A link that cannot be opened: say what is wrong and offer a way forward.
fn link_error(message: &str, on_home: Callback<()>) -> Html {
    // The way forward is the picker's first lab and its first guided preset.
    let first = failscope_labs::catalogue::listed().next();
    let open_default = Callback::from(move |_: MouseEvent| {
        if let Some(lab) = first {
            go(&Route {
                lab: Some(lab.id.to_string()),
                preset: lab.presets.first().map(|p| p.to_string()),
                ..Route::default()
            })
        }
    });
    let first_title = first.map_or("a lab", |lab| lab.title);
    let home = Callback::from(move |_: MouseEvent| on_home.emit(()));
    html! {
        <section class="error-panel" role="alert" data-testid="error-panel">
            <h2>{ "This link cannot be opened" }</h2>
            <p data-testid="error-message">{ message }</p>
            <p class="muted">{ "Nothing on your side was changed. Ask whoever sent it for a fresh copy, or start from a lab." }</p>
            <div class="row">
                <button class="btn btn-primary" data-testid="open-default" onclick={open_default}>{ format!("Open {first_title} instead") }</button>
                <button class="btn" data-testid="error-home" onclick={home}>{ "Choose a lab" }</button>
            </div>
        </section>
    }
}
