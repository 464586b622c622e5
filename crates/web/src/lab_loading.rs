//! Loading a lab's code before its page needs it. In the release bundle each lab is a chunk
//! of its own (see `failscope_labs::load`), fetched the first time someone opens that lab,
//! together with the code of the picture kinds it draws (see `components::pictures::kinds`);
//! elsewhere every lab is already there and this is a no-op.

use crate::components::pictures::kinds;
use failscope_labs::Needs;
use yew::prelude::*;

/// Where the labs a page needs stand.
#[derive(Clone, Debug, PartialEq)]
pub enum LabsState {
    /// Every lab asked for is loaded (or unknown: the page then says so in its own words).
    Ready,
    Loading,
    /// A chunk could not be fetched: what went wrong, in words.
    Failed(String),
}

/// Load what a page needs (its labs; for a link, the link reader and the link's lab; the
/// history checkers), once each; a failed fetch is retried by calling `retry`.
#[hook]
pub fn use_labs(needs: Needs) -> (LabsState, Callback<()>) {
    let attempt = use_state(|| 0u32);
    let state = use_state(|| LabsState::Ready);
    let ready = failscope_labs::ready(&needs) && kinds::all_ready(&picture_kinds(&needs));
    {
        let state = state.clone();
        use_effect_with((needs, ready, *attempt), move |(needs, ready, _)| {
            if !*ready {
                state.set(LabsState::Loading);
                let needs = needs.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match prepare(needs).await {
                        Ok(()) => state.set(LabsState::Ready),
                        Err(message) => state.set(LabsState::Failed(message)),
                    }
                });
            }
        });
    }
    let retry = {
        let attempt = attempt.clone();
        Callback::from(move |()| attempt.set(*attempt + 1))
    };
    let now = if ready {
        LabsState::Ready
    } else {
        match &*state {
            LabsState::Failed(message) => LabsState::Failed(message.clone()),
            _ => LabsState::Loading,
        }
    };
    (now, retry)
}

/// The picture kinds the labs of a page draw (a link's lab counts once the link is read).
fn picture_kinds(needs: &Needs) -> Vec<&'static str> {
    let link_lab = needs.link.as_deref().and_then(failscope_labs::link_lab);
    needs
        .labs
        .iter()
        .chain(link_lab.as_ref())
        .filter_map(|id| failscope_labs::catalogue::info(id))
        .flat_map(|lab| lab.pictures.iter().copied())
        .collect()
}

/// The labs' code and their picture kinds' code. The kinds the page already knows it needs
/// are fetched alongside the labs, not after them.
async fn prepare(needs: Needs) -> Result<(), String> {
    for kind in picture_kinds(&needs) {
        wasm_bindgen_futures::spawn_local(async move {
            // A failure here is reported by the `load` below, which retries.
            let _ = kinds::load(kind).await;
        });
    }
    let again = needs.clone();
    failscope_labs::prepare(needs)
        .await
        .map_err(|e| e.to_string())?;
    for kind in picture_kinds(&again) {
        kinds::load(kind).await?;
    }
    Ok(())
}

/// What the page shows while a lab's code is on its way, or when it could not be fetched.
pub fn loading_panel(state: &LabsState, retry: Callback<()>) -> Html {
    match state {
        LabsState::Ready => html! {},
        LabsState::Loading => html! {
            <section class="loading-panel" role="status" aria-live="polite" data-testid="lab-loading">
                <p>{ "Loading the lab…" }</p>
            </section>
        },
        LabsState::Failed(message) => {
            let onclick = Callback::from(move |_: MouseEvent| retry.emit(()));
            html! {
                <section class="error-panel" role="alert" data-testid="lab-load-error">
                    <h2>{ "This lab could not be loaded" }</h2>
                    <p data-testid="error-message">{ message }</p>
                    <p class="muted">{ "Nothing was lost: your link is still in the address bar." }</p>
                    <div class="row">
                        <button class="btn btn-primary" data-testid="lab-load-retry" {onclick}>{ "Try again" }</button>
                    </div>
                </section>
            }
        }
    }
}
