//! Sharing and exporting: copy a link that replays this exact run, embed it (a live preview
//! and snippets for an iframe, the `<failscope-lab>` tag and a Markdown page), download
//! pictures, the trace, the client history or the scenario, import a scenario.

use crate::browser;
use crate::layout;
use crate::session::Session;
use failscope_sim::diagram::DiagramFormat::{Mermaid, PlantUml};
use failscope_sim::export;
use failscope_sim::lab::LabExport;
use failscope_sim::link;
use failscope_sim::time::Time;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Largest scenario file accepted for import.
pub const MAX_IMPORT_BYTES: f64 = 1024.0 * 1024.0;

#[derive(Clone, Debug, PartialEq)]
pub enum ShareAction {
    CopyLink,
    CopyEmbed,
    PictureSvg,
    PicturePng,
    SpaceTimeSvg,
    SpaceTimePng,
    SpaceTimeMermaid,
    SpaceTimePlantUml,
    Trace,
    /// The trace, gzip-compressed.
    TraceGzip,
    /// The next slice of a trace being written (`trace_download`).
    TraceMore,
    History,
    HistoryEdn,
    Scenario,
    /// One of the lab's own export files (`Lab::exports`), by id.
    LabFile(&'static str),
    Import(web_sys::File),
}

/// What the Embed part of the menu is made from: the run's link and the time range.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbedSource {
    /// The app's address (`https://example.org/failscope/`), without query or fragment.
    pub base: String,
    /// The share-link payload (what follows `#s=`).
    pub payload: String,
    pub title: String,
    /// The range of simulated time to embed, from the window marked on the timeline, or
    /// `None` for the whole run.
    pub range: Option<(Time, Time)>,
    /// The end of the run, for saying what "the whole run" is.
    pub end: Time,
}

/// The three snippets of the Embed dialog and the address its preview shows.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbedSnippets {
    pub src: String,
    pub iframe: String,
    pub tag: String,
    pub markdown: String,
}

impl EmbedSource {
    pub fn snippets(&self) -> EmbedSnippets {
        let seconds = |t: Time| crate::decimal::short(t as f64 / 1e6, 6);
        let (window_query, window_attributes) = match self.range {
            Some((from, to)) => (
                format!("&from={}&to={}", seconds(from), seconds(to)),
                format!(" from=\"{}\" to=\"{}\"", seconds(from), seconds(to)),
            ),
            None => (String::new(), String::new()),
        };
        let title = attribute(&format!("Failscope: {}", self.title));
        let src = format!("{}?embed{window_query}#s={}", self.base, self.payload);
        let iframe = format!(
            "<iframe src=\"{}\" title=\"{title}\" width=\"760\" height=\"520\" loading=\"lazy\" style=\"border:0;max-width:100%\"></iframe>",
            attribute(&src)
        );
        // The script sits beside the app: the base with its last path segment replaced.
        let dir = &self.base[..self.base.rfind('/').map_or(self.base.len(), |i| i + 1)];
        let link = format!("{}#s={}", self.base, self.payload);
        let tag = format!(
            "<script type=\"module\" src=\"{}embed.js\"></script>\n<failscope-lab link=\"{}\"{window_attributes} controls=\"full\"></failscope-lab>",
            attribute(dir),
            attribute(&link)
        );
        let markdown = format!(
            "<!-- Failscope: raw HTML, which mdBook, MkDocs and most Markdown tools pass through -->\n{iframe}\n\n[Open this run in Failscope]({link})\n"
        );
        EmbedSnippets {
            src,
            iframe,
            tag,
            markdown,
        }
    }

    /// One sentence on which time range the snippets show, and where it came from.
    pub fn range_text(&self) -> String {
        match self.range {
            Some((from, to)) => format!(
                "Time range: {} to {}, the window marked on the timeline.",
                crate::session::format_time(from),
                crate::session::format_time(to)
            ),
            None => format!(
                "Time range: the whole run (0 to {}). Mark a window on the timeline (“Mark start”, “Mark end”, or the keys i and o) to embed only that.",
                crate::session::format_time(self.end)
            ),
        }
    }
}

/// Text made safe for a double-quoted HTML attribute.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[derive(Properties, PartialEq, Clone)]
pub struct ShareMenuProps {
    /// The link last prepared, shown for copying by hand.
    pub link: Option<String>,
    /// The run to embed, once the Embed part is opened.
    pub embed: Option<EmbedSource>,
    pub status: Option<String>,
    /// The lab's own export files, listed after the shared downloads.
    pub exports: &'static [LabExport],
    pub on_action: Callback<ShareAction>,
    pub on_close: Callback<()>,
}

// Not shown when a page opens: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub SHARE_MENU: ShareMenuProps => ShareMenu, share_menu, "the share menu");

#[component]
pub fn ShareMenu(props: &ShareMenuProps) -> Html {
    let act = |a: ShareAction| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    let on_import = {
        let cb = props.on_action.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                cb.emit(ShareAction::Import(file));
            }
            input.set_value("");
        })
    };
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <div class="share-menu" role="dialog" aria-label="Share and export" data-testid="share-menu">
            <div class="panel-head"><h3>{ "Share this run" }</h3><span class="spacer" />
                <button class="btn small" aria-label="Close" onclick={close}>{ "✕" }</button></div>
            <p class="muted small">{ "The link holds the whole session (scenario, seed, your actions and this moment) in the part after #, which never reaches a server. Opening it replays exactly what you see." }</p>
            <div class="row">
                <button class="btn btn-primary" data-testid="copy-link" onclick={act(ShareAction::CopyLink)}>{ "Copy link" }</button>
                <button class="btn" data-testid="copy-embed" aria-expanded={props.embed.is_some().to_string()}
                        onclick={act(ShareAction::CopyEmbed)}>{ "Embed…" }</button>
            </div>
            if let Some(link) = &props.link {
                <input class="share-text" readonly=true value={link.clone()} data-testid="share-link" aria-label="Share link" />
            }
            if let Some(embed) = &props.embed {
                <EmbedPart source={embed.clone()} />
            }
            if let Some(status) = &props.status {
                <p class="small" role="status" data-testid="share-status">{ status }</p>
            }
            <h4>{ "Download" }</h4>
            <div class="row wrap">
                <button class="btn" data-testid="export-svg" onclick={act(ShareAction::PictureSvg)}>{ "Picture (SVG)" }</button>
                <button class="btn" data-testid="export-png" onclick={act(ShareAction::PicturePng)}>{ "Picture (PNG)" }</button>
                <button class="btn" data-testid="export-spacetime" onclick={act(ShareAction::SpaceTimeSvg)}>{ "Space-time diagram (SVG)" }</button>
                <button class="btn" data-testid="export-spacetime-png" onclick={act(ShareAction::SpaceTimePng)}>{ "Space-time diagram (PNG)" }</button>
                <button class="btn" data-testid="export-trace" onclick={act(ShareAction::Trace)}>{ "Trace (JSON lines)" }</button>
                <button class="btn" data-testid="export-trace-gz" onclick={act(ShareAction::TraceGzip)}>{ "Trace (JSON lines, gzip)" }</button>
                <button class="btn" data-testid="export-spacetime-mermaid" onclick={act(ShareAction::SpaceTimeMermaid)}>{ "Space-time diagram (Mermaid)" }</button>
                <button class="btn" data-testid="export-spacetime-plantuml" onclick={act(ShareAction::SpaceTimePlantUml)}>{ "Space-time diagram (PlantUML)" }</button>
                <button class="btn" data-testid="export-history" onclick={act(ShareAction::History)}>{ "Client history (JSON)" }</button>
                <button class="btn" data-testid="export-history-edn" onclick={act(ShareAction::HistoryEdn)}>{ "Client history (Jepsen EDN)" }</button>
                <button class="btn" data-testid="export-scenario" onclick={act(ShareAction::Scenario)}>{ "Scenario (JSON)" }</button>
                { for props.exports.iter().map(|e| html! {
                    <button class="btn" data-testid={format!("export-lab-{}", e.id)} onclick={act(ShareAction::LabFile(e.id))}>{ e.label }</button>
                }) }
            </div>
            <h4>{ "Import" }</h4>
            <label class="small">{ "Open a scenario file: " }
                <input type="file" accept=".json,application/json" data-testid="import-scenario" onchange={on_import} />
            </label>
        </div>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct EmbedPartProps {
    pub source: EmbedSource,
}

/// Share → Embed: a live preview and the snippets, each with its copy button.
#[component]
pub fn EmbedPart(props: &EmbedPartProps) -> Html {
    let snippets = use_memo(props.source.clone(), EmbedSource::snippets);
    let copied = use_state(|| None::<String>);
    let snippet = |id: &'static str, label: &'static str, text: &String, rows: &'static str| {
        let area = NodeRef::default();
        let onclick = {
            let (text, copied, area) = (text.clone(), copied.clone(), area.clone());
            Callback::from(move |_: MouseEvent| {
                if let Some(area) = area.cast::<web_sys::HtmlTextAreaElement>() {
                    area.select();
                }
                let (text, copied) = (text.clone(), copied.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    copied.set(Some(if browser::copy_text(&text).await {
                        format!("{label} copied.")
                    } else {
                        format!(
                            "Copy the {label} from its box (the browser did not allow copying)."
                        )
                    }));
                });
            })
        };
        html! {
            <div class="embed-snippet">
                <div class="row"><strong class="small">{ label }</strong><span class="spacer" />
                    <button class="btn small" data-testid={format!("copy-{id}")} {onclick}>{ "Copy" }</button></div>
                <textarea ref={area} class="share-text" readonly=true value={text.clone()} data-testid={id}
                          aria-label={label} rows={rows} />
            </div>
        }
    };
    html! {
        <section class="embed-part" data-testid="embed-dialog" aria-label="Embed this run">
            <h4>{ "Embed" }</h4>
            <p class="small" data-testid="embed-range">{ props.source.range_text() }</p>
            <iframe class="embed-preview" data-testid="embed-preview" src={snippets.src.clone()}
                    title="Preview of the embedded run" loading="lazy" />
            { snippet("embed-code", "Iframe", &snippets.iframe, "3") }
            { snippet("embed-tag-code", "Tag", &snippets.tag, "3") }
            { snippet("embed-markdown-code", "Markdown", &snippets.markdown, "4") }
            if let Some(copied) = &*copied {
                <p class="small" role="status" data-testid="embed-copied">{ copied }</p>
            }
        </section>
    }
}

/// The share link for the session, as a full URL.
pub fn link_url(session: &Session, tab: Option<&str>) -> String {
    format!(
        "{}#s={}",
        browser::base_url(),
        link::encode(&session.shared_run(tab))
    )
}

/// What the Embed part is made from for the session: the window marked on the timeline,
/// or the whole run.
pub fn embed_source(session: &Session) -> EmbedSource {
    EmbedSource {
        base: browser::base_url(),
        payload: link::encode(&session.shared_run(None)),
        title: session.lab.title().to_string(),
        range: session.time_window(),
        end: session.timeline_end(),
    }
}

/// File name stem for downloads: lab, seed and moment.
pub fn file_stem(session: &Session) -> String {
    format!(
        "failscope-{}-seed{}-t{}ms",
        session.lab.id(),
        session.sim().scenario().seed,
        session.now() / 1_000
    )
}

/// What a download may tell the page after it returns: a later status line (a file finished
/// in the background), and an action to perform again (the next slice of its work).
pub struct Reply {
    pub status: Callback<String>,
    pub again: Callback<ShareAction>,
}

/// A download's code: what it writes is not needed when a page opens (the trace and history
/// exports, their JSON writer, pictures as files), so it is a chunk of its own.
pub type Download = fn(&Session, &ShareAction, &Reply) -> String;
crate::lazy_chunk!(pub DOWNLOAD: Download = download, downloads, "the downloads");

/// Perform a download. Returns a status line for the menu.
fn download(session: &Session, what: &ShareAction, reply: &Reply) -> String {
    let stem = file_stem(session);
    let sim = session.sim();
    match what {
        ShareAction::PictureSvg
        | ShareAction::PicturePng
        | ShareAction::SpaceTimeSvg
        | ShareAction::SpaceTimePng => {
            let spacetime = matches!(what, ShareAction::SpaceTimeSvg | ShareAction::SpaceTimePng);
            let selector = if spacetime {
                "[data-testid=spacetime] svg"
            } else {
                "svg[data-testid=canvas]"
            };
            let Some(svg) = gloo::utils::document()
                .query_selector(selector)
                .ok()
                .flatten()
            else {
                return "Nothing to draw yet.".into();
            };
            let Some(text) = browser::standalone_svg(&svg) else {
                return "This browser could not serialise the picture.".into();
            };
            let name = if spacetime {
                format!("{stem}-spacetime")
            } else {
                stem.clone()
            };
            if matches!(what, ShareAction::PicturePng | ShareAction::SpaceTimePng) {
                let (width, height) = svg_size(&svg);
                browser::download_png(&format!("{name}.png"), &text, width, height, 2.0);
                format!("Saved {name}.png")
            } else {
                browser::download_text(&format!("{name}.svg"), "image/svg+xml", &text);
                format!("Saved {name}.svg")
            }
        }
        ShareAction::Trace => super::trace_download::start(session, &stem, false, reply),
        ShareAction::TraceGzip => super::trace_download::start(session, &stem, true, reply),
        ShareAction::TraceMore => super::trace_download::more(session, reply),
        ShareAction::SpaceTimeMermaid => super::exports::diagram(session, &stem, Mermaid),
        ShareAction::SpaceTimePlantUml => super::exports::diagram(session, &stem, PlantUml),
        ShareAction::HistoryEdn => super::exports::history_edn(session, &stem),
        ShareAction::History => save_json(
            &format!("{stem}-history.json"),
            &export::history_events(&sim.history()),
        ),
        ShareAction::Scenario => save_json(&format!("{stem}-scenario.json"), sim.scenario()),
        ShareAction::LabFile(id) => {
            let Some(file) = session.lab.exports().iter().find(|e| e.id == *id) else {
                return String::new();
            };
            match sim.lab_export(id) {
                Some(text) => {
                    let name = format!("{stem}-{id}.{}", file.extension);
                    browser::download_text(&name, file.mime, &text);
                    format!("Saved {name}")
                }
                None => "Nothing to export yet.".into(),
            }
        }
        _ => String::new(),
    }
}

/// The width and height of an SVG's viewBox (the canvas size when it has none).
pub fn svg_size(svg: &web_sys::Element) -> (f64, f64) {
    let parts: Vec<f64> = svg
        .get_attribute("viewBox")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(crate::decimal::parse)
        .collect();
    match parts.as_slice() {
        [_, _, w, h] if *w > 0.0 && *h > 0.0 => (*w, *h),
        _ => (layout::WIDTH, layout::HEIGHT),
    }
}

fn save_json(name: &str, value: &impl serde::Serialize) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            browser::download_text(name, "application/json", &text);
            format!("Saved {name}")
        }
        Err(e) => format!("Could not write {name}: {e}"),
    }
}
