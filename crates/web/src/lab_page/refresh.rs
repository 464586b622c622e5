//! Which parts of the page a render redraws.
//!
//! While a run plays, the stage (nodes, narration, controls, timeline) is redrawn on every
//! frame. The side panel and the lower panels (fault toolbar, space-time diagram, the lab's
//! pictures) cost more the bigger the run, and redrawing them every frame made single frames
//! of a 50-node run take 60 to 110 ms on a slowed CPU, so a click waited that long. They are
//! redrawn in turns instead: the side panel on one frame of every [`PERIOD`], the lower
//! panels on another, so no frame does all the work. A part that is not due sits in a
//! wrapper whose props compare equal, so Yew neither rebuilds nor walks it.
//!
//! Anything else redraws everything at once: a person's click or key, a run at rest, a run
//! that has just stopped. The page never shows a stale panel once the run is still, and a
//! response to input is never put off.

use crate::components::frozen::Frozen;
use crate::session::UiAction;
use yew::prelude::*;

/// Frames per turn while playing: each slow part is redrawn once in this many frames.
const PERIOD: u32 = 4;

/// The parts of the page that are redrawn in turns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// The tabs and the open tab's panel.
    Side,
    /// The space-time diagram.
    Diagram,
    /// The lab's pictures below the first screen, its verbs and trade-offs.
    Pictures,
    /// The fault toolbar.
    Toolbar,
}

const PARTS: [Part; 4] = [Part::Side, Part::Diagram, Part::Pictures, Part::Toolbar];

impl Part {
    /// The frame of each turn on which this part is redrawn: each its own.
    fn phase(self) -> u32 {
        self as u32 % PERIOD
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What a render answers, which decides the parts it redraws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cause {
    /// An animation frame.
    Frame,
    /// A change to the side panel alone (another tab, a filter).
    Panel,
    /// Another node or message selected: the Inspector and the fault toolbar show it.
    Selection,
    /// A change to neither part (a menu or dialog over the page).
    Chrome,
    /// Anything else: a person's action on the run, a new run, a finished job.
    Other,
}

impl Cause {
    /// What a person's action changes: the speed, the narration, a notice and the marks
    /// live on the stage and its controls, which are redrawn on every render anyway.
    pub(super) fn of(action: &UiAction) -> Cause {
        match action {
            UiAction::Faster
            | UiAction::Slower
            | UiAction::SetSpeed(_)
            | UiAction::CloseNarration
            | UiAction::DismissNotice
            | UiAction::MarkFrom
            | UiAction::MarkTo
            | UiAction::ClearMarks => Cause::Chrome,
            UiAction::SelectNode { .. } | UiAction::SelectMessage(_) | UiAction::ClearSelection => {
                Cause::Selection
            }
            _ => Cause::Other,
        }
    }
}

pub(super) struct Refresh {
    /// Frames since the run last redrew everything.
    frame: u32,
    due: [bool; PARTS.len()],
    /// How many times each part has been due: its view is rebuilt when this moves.
    versions: [u64; PARTS.len()],
}

/// A new page draws everything.
impl Default for Refresh {
    fn default() -> Self {
        Refresh {
            frame: 0,
            due: [true; PARTS.len()],
            versions: [0; PARTS.len()],
        }
    }
}

impl Refresh {
    /// Plan the next render, for `cause`; `was_moving` and `moving` say whether the run
    /// was moving before and goes on moving after it (playing, or replaying a link). A run
    /// that comes to rest redraws everything, whatever stopped it.
    pub(super) fn plan(&mut self, cause: Cause, was_moving: bool, moving: bool) {
        let cause = if was_moving && !moving {
            Cause::Other
        } else {
            cause
        };
        self.due = match cause {
            Cause::Frame if moving => {
                self.frame = self.frame.wrapping_add(1);
                PARTS.map(|p| self.frame % PERIOD == p.phase())
            }
            Cause::Panel => PARTS.map(|p| p == Part::Side),
            Cause::Selection => PARTS.map(|p| matches!(p, Part::Side | Part::Toolbar)),
            Cause::Chrome => [false; PARTS.len()],
            // The frame on which a run stops, and everything else.
            Cause::Frame | Cause::Other => {
                self.frame = 0;
                [true; PARTS.len()]
            }
        };
        for (version, due) in self.versions.iter_mut().zip(self.due) {
            *version += u64::from(due);
        }
    }

    /// Make the next render build every part (a new run, say).
    pub(super) fn forget(&mut self) {
        self.plan(Cause::Other, false, false);
    }

    /// Whether the next render redraws `part`.
    pub(super) fn due(&self, part: Part) -> bool {
        self.due[part.index()]
    }

    /// `part`'s view: built now if it is due; otherwise Yew keeps what it drew last time
    /// without walking it (the wrapper's props compare equal).
    pub(super) fn view(&self, part: Part, build: impl FnOnce() -> Html) -> Html {
        let content = if self.due(part) {
            build()
        } else {
            Html::default()
        };
        html! { <Frozen version={self.versions[part.index()]}>{ content }</Frozen> }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether rendering now would build `part` (and so moves its version).
    fn built(refresh: &Refresh, part: Part) -> bool {
        let mut called = false;
        let _ = refresh.view(part, || {
            called = true;
            Html::default()
        });
        called
    }

    #[test]
    fn a_playing_run_redraws_each_slow_part_once_per_turn_and_never_both_on_one_frame() {
        let mut refresh = Refresh::default();
        refresh.plan(Cause::Other, true, true);
        assert!(PARTS.iter().all(|&p| built(&refresh, p)));
        let mut redrawn = [0; PARTS.len()];
        for _ in 0..PERIOD * 10 {
            refresh.plan(Cause::Frame, true, true);
            let now: Vec<usize> = (0..PARTS.len())
                .filter(|&i| built(&refresh, PARTS[i]))
                .collect();
            assert!(
                now.len() <= 1,
                "several slow parts were redrawn on one frame: {now:?}"
            );
            for i in now {
                redrawn[i] += 1;
            }
        }
        assert_eq!(redrawn, [10; PARTS.len()]);
    }

    #[test]
    fn input_a_run_coming_to_rest_and_a_new_run_redraw_what_they_change() {
        let all = |r: &Refresh| PARTS.iter().all(|&p| built(r, p));
        let none = |r: &Refresh| !PARTS.iter().any(|&p| built(r, p));
        let mut refresh = Refresh::default();
        refresh.plan(Cause::Frame, true, true);
        assert!(!built(&refresh, Part::Side) && built(&refresh, Part::Diagram));
        // Another tab while playing: the side panel now, the rest in its turn.
        refresh.plan(Cause::Panel, true, true);
        assert!(built(&refresh, Part::Side) && !built(&refresh, Part::Diagram));
        // A menu opens, or the speed changes: nothing.
        refresh.plan(Cause::Chrome, true, true);
        assert!(none(&refresh));
        // But pausing, a change to the controls alone, brings every part up to the moment.
        refresh.plan(Cause::of(&UiAction::Pause), true, false);
        assert!(all(&refresh));
        refresh.plan(Cause::of(&UiAction::Faster), false, false);
        assert!(none(&refresh));
        // A node selected: the Inspector and the toolbar, not the pictures.
        refresh.plan(Cause::of(&UiAction::ClearSelection), false, false);
        assert!(built(&refresh, Part::Side) && built(&refresh, Part::Toolbar));
        assert!(!built(&refresh, Part::Diagram) && !built(&refresh, Part::Pictures));
        // A click on the run while playing.
        refresh.plan(Cause::Other, true, true);
        assert!(all(&refresh));
        // The frame on which the run stops.
        refresh.plan(Cause::Frame, true, true);
        refresh.plan(Cause::Frame, true, false);
        assert!(all(&refresh));
        refresh.plan(Cause::Frame, true, true);
        refresh.forget();
        assert!(all(&refresh));
    }
}
