//! The guided narration card: the chapter of the story for the current moment, with a way to
//! jump to the next one or to leave the guide and play freely.

use crate::session::UiAction;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    pub title: String,
    pub text: String,
    /// The chapter shown, by index; `None` before the first chapter's moment (the text is
    /// then the scenario's summary).
    pub chapter: Option<usize>,
    pub chapters: usize,
    pub has_next: bool,
    /// The scenario has run its course: say so, and what to try next.
    #[prop_or_default]
    pub ended: bool,
    /// The run has left the story (a deliberate bug is on, or a check fired that the story
    /// does not tell of): said in place of the chapter's text, which assumes a healthy run.
    #[prop_or_default]
    pub departure: Option<String>,
    pub on_action: Callback<UiAction>,
}

#[component]
pub fn Narration(props: &NarrationProps) -> Html {
    let act = |a: UiAction| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(a.clone()))
    };
    html! {
        <aside class="narration" data-testid="narration" aria-label="Guided scenario">
            <div class="narration-head">
                <strong>{ &props.title }</strong>
                <span class="muted small" data-testid="chapter-count">{ format!("{} / {}", props.chapter.map_or(0, |c| c + 1), props.chapters) }</span>
                // In the heading row, so that a long text never pushes them out of view.
                <div class="narration-actions">
                if props.has_next {
                    <button class="btn btn-primary small" data-testid="next-chapter" onclick={act(UiAction::NextChapter)}>{ "Next ▸" }</button>
                }
                <button class="btn small" data-testid="free-play" onclick={act(UiAction::CloseNarration)}>{ "Free play" }</button>
                </div>
            </div>
            if let Some(departure) = &props.departure {
                <p class="narration-departure" data-testid="narration-departure" role="status">{ departure }</p>
            } else {
                <p data-testid="narration-text">{ &props.text }</p>
            }
            if props.ended {
                <p class="narration-end" data-testid="preset-ended">
                    <strong>{ "The scenario has ended." }</strong>
                    { " Rewind with the timeline, run it again with a new seed, turn on a deliberate bug under Parameters, or pick another scenario." }
                </p>
            }
        </aside>
    }
}
