//! "Check a history file…" in the History tab: a `failscope-history/1` JSON file or a Jepsen
//! EDN history, picked or dropped, read, checked for linearizability in slices between frames
//! (with progress), and shown as the verdict per key, the lane chart with the offending set in
//! red, and the explanation. A bad file says what is wrong (the line and the fix) and leaves
//! the last result and the run as they were. Drawn inside the History tab, so its code is in
//! that tab's chunk; the importers are in the history checkers' chunk.

use super::consistency::{verdict_row, LaneChart};
use crate::decimal::fixed;
use failscope_labs::history_checks::{self, Bar};
use failscope_sim::consistency::{LinearizabilityReport, Verdict};
use std::rc::Rc;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Steps of search between two yields to the browser.
const STEPS_PER_SLICE: u64 = 20_000;

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
    Ok(FileChecked {
        name: name.to_string(),
        format: imported.format,
        model: imported.model,
        lanes: Rc::new(imported.lanes),
        bars: Rc::new(imported.bars),
        timed: imported.timed,
        report,
        elapsed_ms: js_sys::Date::now() - started,
    })
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
pub fn HistoryFile() -> Html {
    let result = use_state(|| None::<Rc<FileChecked>>);
    let status = use_state(|| Status::Idle);
    let start = {
        let (result, status) = (result.clone(), status.clone());
        Callback::from(move |file: web_sys::File| {
            let (result, status) = (result.clone(), status.clone());
            let name = file.name();
            status.set(Status::Working(format!("Reading {name}…")));
            wasm_bindgen_futures::spawn_local(async move {
                let text = match read_file(&file).await {
                    Ok(text) => text,
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
    let on_pick = {
        let start = start.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                start.emit(file);
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
            start.emit(file);
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
            if let Some(checked) = &*result { { file_result(checked) } }
        </section>
    }
}

fn file_result(c: &FileChecked) -> Html {
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
            <p class="muted small">{ format!("{} operations checked in {} ms. A share link carries a run, not a history, so an imported history has no link.", c.bars.len(), fixed(c.elapsed_ms, 0)) }</p>
        </div>
    }
}
