//! "Check a history file…" in the History tab: a `failscope-history/1` JSON file or a Jepsen
//! EDN history, picked or dropped, read, checked for linearizability in slices between frames
//! (with progress), and shown as the verdict per key, the lane chart with the offending set in
//! red, and the explanation. A bad file says what is wrong (the line and the fix) and leaves
//! the last result and the run as they were. Drawn inside the History tab, so its code is in
//! that tab's chunk; the importers are in the history checkers' chunk.
//!
//! A checked history that fits in a link (`failscope_sim::link::history`) gets "Copy link to
//! this history"; one that does not says so, with its sizes. A page opened from such a link
//! checks it here as if the file had been dropped (the link is unpacked by the link reader's
//! chunk, which holds the inflater); a damaged link says what is wrong and changes nothing.

use super::consistency::{verdict_row, LaneChart};
use crate::browser;
use crate::decimal::fixed;
use failscope_labs::history_checks::{self, Bar};
use failscope_sim::consistency::{LinearizabilityReport, Verdict};
use failscope_sim::link::history::{self as history_link, SharedHistory};
use std::rc::Rc;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Steps of search between two yields to the browser.
pub const STEPS_PER_SLICE: u64 = 20_000;

/// Largest history file read.
pub const MAX_HISTORY_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// An imported history, checked.
#[derive(Debug, PartialEq)]
pub struct FileChecked {
    pub name: String,
    pub format: &'static str,
    pub model: &'static str,
    pub lanes: Rc<Vec<String>>,
    pub bars: Rc<Vec<Bar>>,
    pub timed: bool,
    pub report: LinearizabilityReport,
    pub elapsed_ms: f64,
    /// The history as a link payload (what follows `h=`), or why it is too large for one.
    pub link: Result<String, String>,
}

/// What to check: a file picked or dropped, or a history link's payload.
enum Pending {
    File(web_sys::File),
    Link(String),
}

#[derive(Properties, PartialEq, Clone, Default)]
pub struct HistoryFileProps {
    /// A history link's payload (`h=`) to open and check, from the page's address.
    #[prop_or_default]
    pub link: Option<String>,
    /// The lab whose page a copied link opens (none: the app's first lab).
    #[prop_or_default]
    pub lab: &'static str,
}

/// Where a file check stands.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Working(String),
    Failed(String),
}

/// Read and check a history's text, yielding to the browser between slices; `on_progress`
/// hears (keys done, keys in all). The error says what is wrong with the file.
pub async fn check_text(
    name: &str,
    text: &str,
    on_progress: impl Fn(usize, usize),
) -> Result<FileChecked, String> {
    let checks = history_checks::load().await.map_err(|e| e.to_string())?;
    let started = js_sys::Date::now();
    let imported = checks
        .import(text)
        .map_err(|e| format!("{name} is not a history Failscope can read: {e}"))?;
    let mut check = imported.check;
    let report = loop {
        if let Some(report) = check.run(STEPS_PER_SLICE) {
            break report;
        }
        let (done, keys) = check.progress();
        on_progress(done, keys);
        gloo::timers::future::TimeoutFuture::new(0).await;
    };
    let elapsed_ms = js_sys::Date::now() - started;
    let shared = SharedHistory {
        name: name.to_string(),
        text: text.to_string(),
    };
    let link = history_link::encode(&shared).map_err(|e| e.to_string());
    Ok(FileChecked {
        name: name.to_string(),
        format: imported.format,
        model: imported.model,
        lanes: Rc::new(imported.lanes),
        bars: Rc::new(imported.bars),
        timed: imported.timed,
        report,
        elapsed_ms,
        link,
    })
}

/// The name and text of what to check, or why it cannot be read.
async fn read_pending(pending: Pending) -> Result<(String, String), String> {
    match pending {
        Pending::File(file) => Ok((file.name(), read_file(&file).await?)),
        Pending::Link(payload) => {
            failscope_labs::codec::load()
                .await
                .map_err(|e| format!("The history link cannot be opened: {e}."))?;
            match failscope_labs::codec::unpack_history(&payload) {
                Some(Ok(shared)) => Ok((shared.name, shared.text)),
                Some(Err(e)) => Err(format!(
                    "This history link cannot be opened: {e}. Nothing else was changed: \
                     check a history file, or ask whoever sent the link for a fresh copy."
                )),
                None => Err(
                    "The history link cannot be opened: the link reader did not \
                             load. Reload the page to try again."
                        .into(),
                ),
            }
        }
    }
}

async fn read_file(file: &web_sys::File) -> Result<String, String> {
    let name = file.name();
    if file.size() > MAX_HISTORY_BYTES {
        return Err(format!(
            "{name} is {} MB; the app reads history files up to {} MB (failscope check reads \
             any size)",
            fixed(file.size() / 1_048_576.0, 1),
            fixed(MAX_HISTORY_BYTES / 1_048_576.0, 0)
        ));
    }
    JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| format!("{name} could not be read as text"))
}

/// The file picker and drop zone, with the result of the last file checked.
#[component]
pub fn HistoryFile(props: &HistoryFileProps) -> Html {
    let result = use_state(|| None::<Rc<FileChecked>>);
    let status = use_state(|| Status::Idle);
    let start = {
        let (result, status) = (result.clone(), status.clone());
        Callback::from(move |pending: Pending| {
            let (result, status) = (result.clone(), status.clone());
            status.set(Status::Working(match &pending {
                Pending::File(file) => format!("Reading {}…", file.name()),
                Pending::Link(_) => "Opening the history link…".into(),
            }));
            wasm_bindgen_futures::spawn_local(async move {
                let (name, text) = match read_pending(pending).await {
                    Ok(read) => read,
                    Err(e) => return status.set(Status::Failed(e)),
                };
                let progress = {
                    let (status, name) = (status.clone(), name.clone());
                    move |done: usize, keys: usize| {
                        status.set(Status::Working(format!(
                            "Checking {name}: {done} of {keys} keys done…"
                        )))
                    }
                };
                match check_text(&name, &text, progress).await {
                    Ok(checked) => {
                        result.set(Some(Rc::new(checked)));
                        status.set(Status::Idle);
                    }
                    Err(e) => status.set(Status::Failed(e)),
                }
            });
        })
    };
    {
        let start = start.clone();
        use_effect_with(props.link.clone(), move |link| {
            if let Some(link) = link {
                start.emit(Pending::Link(link.clone()));
            }
        });
    }
    let on_pick = {
        let start = start.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                start.emit(Pending::File(file));
            }
            input.set_value("");
        })
    };
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_drop = Callback::from(move |e: DragEvent| {
        e.prevent_default();
        if let Some(file) = e
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            start.emit(Pending::File(file));
        }
    });
    let working = matches!(*status, Status::Working(_));
    html! {
        <section class="history-file" data-testid="history-file" ondragover={on_drag_over} ondrop={on_drop}>
            <label class="btn">{ "Check a history file…" }
                <input type="file" accept=".json,.edn,.jsonl,.txt,application/json" class="sr-only"
                       data-testid="history-file-input" disabled={working} onchange={on_pick} />
            </label>
            <p class="muted small">{ "Or drop one here: Failscope's history JSON (failscope-history/1) or a Jepsen EDN history, checked for linearizability in your browser." }</p>
            { match &*status {
                Status::Idle => html! {},
                Status::Working(line) => html! { <p class="small" role="status" data-testid="history-file-status">{ line }</p> },
                Status::Failed(message) => html! { <p class="small error" role="alert" data-testid="history-file-error">{ message }</p> },
            } }
            if let Some(checked) = &*result { { file_result(checked, props.lab) } }
        </section>
    }
}

fn file_result(c: &FileChecked, lab: &'static str) -> Html {
    let violation = c.report.violations().next().cloned();
    let highlight = violation
        .as_ref()
        .map(|v| v.operations.clone())
        .unwrap_or_default();
    let overall = match c.report.verdict {
        Verdict::Holds => "linearizable",
        Verdict::Violated => "not linearizable",
        Verdict::Unknown => "undecided",
    };
    html! {
        <div data-testid="history-file-result" data-verdict={overall}>
            <p class="small"><strong>{ c.name.clone() }</strong>{ format!(" ({}, {} model): {overall}.", c.format, c.model) }</p>
            <ul class="invariants">
                { for c.report.keys.iter().map(|k| {
                    let detail = match (&k.violation, &k.note) {
                        (Some(v), _) => v.explanation.clone(),
                        (None, Some(note)) => note.clone(),
                        (None, None) => format!("{} operations fit one real-time order.", k.operations),
                    };
                    verdict_row(&format!("Key {}", k.name), k.verdict, Some(detail), &format!("file-key-{}", k.name))
                }) }
            </ul>
            <LaneChart lanes={Rc::clone(&c.lanes)} bars={Rc::clone(&c.bars)} highlight={highlight}
                       timed={c.timed} testid="history-file-chart" />
            <p class="muted small">{ format!("{} operations checked in {} ms.", c.bars.len(), fixed(c.elapsed_ms, 0)) }</p>
            { match &c.link {
                Ok(payload) => html! { <LinkOffer payload={payload.clone()} lab={lab} /> },
                Err(why) => html! { <p class="small" data-testid="history-file-too-large">{ format!("No link for this history: {why}.") }</p> },
            } }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LinkOfferProps {
    payload: String,
    lab: &'static str,
}

/// "Copy link to this history", and the link shown for copying by hand.
#[component]
fn LinkOffer(props: &LinkOfferProps) -> Html {
    let shown = use_state(|| None::<(String, String)>);
    let onclick = {
        let (shown, payload, lab) = (shown.clone(), props.payload.clone(), props.lab);
        Callback::from(move |_: MouseEvent| {
            let lab = if lab.is_empty() {
                String::new()
            } else {
                format!("lab={lab}&")
            };
            let url = format!("{}#{lab}h={payload}", browser::base_url());
            let shown = shown.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let done = if browser::copy_text(&url).await {
                    format!(
                        "Link copied ({} characters): it opens the History tab with this history checked.",
                        url.len()
                    )
                } else {
                    "Copy it from the box above (the browser did not allow copying).".into()
                };
                shown.set(Some((url, done)));
            });
        })
    };
    html! {
        <div class="history-link">
            <button class="btn" data-testid="history-file-copy-link" {onclick}>{ "Copy link to this history" }</button>
            if let Some((url, done)) = &*shown {
                <input class="share-text" readonly=true value={url.clone()} data-testid="history-file-link" aria-label="Link to this history" />
                <p class="small" role="status" data-testid="history-file-link-status">{ done }</p>
            }
        </div>
    }
}
