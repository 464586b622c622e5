//! Views whose code is a wasm chunk of its own, fetched the first time they are shown.
//!
//! Every visitor downloads the main module, so code that a page does not show when it opens
//! (the share menu, the help, the side panel's other tabs, the trade-off chart, each picture
//! kind) lives in a chunk of its own in the split release build. A view is declared once with
//! [`lazy_view!`] and shown with [`Deferred`], which draws it at once when its code is here,
//! and otherwise says it is loading, fetches it, and on failure says so with a retry.
//! Outside the split build every view is drawn at once.

use failscope_labs::ChunkFailed;
use std::sync::OnceLock;
use yew::prelude::*;

/// A view's code: its props drawn as HTML.
pub type Draw<P> = fn(&P) -> Html;

/// A chunk's result behind a thin pointer (it crosses the chunk boundary).
pub struct Code<T>(pub T);

#[cfg(all(feature = "split", target_family = "wasm"))]
type Fetch<T> =
    fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, ChunkFailed>>>>;
#[cfg(not(all(feature = "split", target_family = "wasm")))]
type Fetch<T> = fn() -> Result<T, ChunkFailed>;

/// Code that may still have to be fetched: once fetched, it stays.
pub struct Chunk<T: Copy + 'static> {
    /// What the chunk draws, as an error message names it ("the share menu").
    pub what: &'static str,
    cell: OnceLock<T>,
    fetch: Fetch<T>,
}

impl<T: Copy + Send + Sync + 'static> Chunk<T> {
    #[doc(hidden)]
    pub const fn new(what: &'static str, fetch: Fetch<T>) -> Chunk<T> {
        Chunk {
            what,
            cell: OnceLock::new(),
            fetch,
        }
    }

    /// The code, if it is here (always, outside the split build).
    pub fn get(&self) -> Option<T> {
        #[cfg(not(all(feature = "split", target_family = "wasm")))]
        if self.cell.get().is_none() {
            if let Ok(code) = (self.fetch)() {
                let _ = self.cell.set(code);
            }
        }
        self.cell.get().copied()
    }

    /// Fetch the code the first time; a failed fetch is not remembered, so calling again
    /// retries. The error says what failed in the page's words.
    pub async fn load(&self) -> Result<T, String> {
        if let Some(code) = self.get() {
            return Ok(code);
        }
        #[cfg(all(feature = "split", target_family = "wasm"))]
        if let Ok(code) = (self.fetch)().await {
            let _ = self.cell.set(code);
        }
        self.get().ok_or_else(|| {
            format!(
                "the code of {} could not be downloaded; check the connection and try again",
                self.what
            )
        })
    }
}

/// Declares a value whose code is a chunk of its own:
/// `lazy_chunk!(pub NAME: Type = value, chunk_name, "what it is");` makes `NAME`, a
/// [`Chunk`] of `value`, which lands in the chunk `chunk_name` with everything only it uses.
#[macro_export]
macro_rules! lazy_chunk {
    ($vis:vis $name:ident : $ty:ty = $value:expr, $chunk:ident, $what:expr) => {
        #[cfg_attr(
            all(feature = "split", target_family = "wasm"),
            wasm_split_helpers::wasm_split($chunk, fallible)
        )]
        fn $chunk() -> Result<&'static $crate::lazy::Code<$ty>, failscope_labs::ChunkFailed> {
            static CODE: $crate::lazy::Code<$ty> = $crate::lazy::Code($value);
            Ok(&CODE)
        }

        $vis static $name: $crate::lazy::Chunk<$ty> = $crate::lazy::Chunk::new($what, {
            #[cfg(all(feature = "split", target_family = "wasm"))]
            {
                || Box::pin(async { $chunk().await.map(|code| code.0) })
            }
            #[cfg(not(all(feature = "split", target_family = "wasm")))]
            {
                || $chunk().map(|code| code.0)
            }
        });
    };
}

/// Declares a component whose code is a chunk of its own:
/// `lazy_view!(pub SHARE_MENU: ShareMenuProps => ShareMenu, share_menu, "the share menu");`
/// then `<Deferred<ShareMenuProps> chunk={&SHARE_MENU} props={…} />` shows it.
#[macro_export]
macro_rules! lazy_view {
    ($vis:vis $name:ident : $props:ty => $component:path, $chunk:ident, $what:expr) => {
        $crate::lazy_chunk!($vis $name: $crate::lazy::Draw<$props> = {
            fn draw(props: &$props) -> yew::Html {
                yew::html! { <$component ..props.clone() /> }
            }
            draw
        }, $chunk, $what);
    };
}

#[derive(Properties)]
pub struct DeferredProps<P: PartialEq + 'static> {
    pub chunk: &'static Chunk<Draw<P>>,
    pub props: P,
}

impl<P: PartialEq + 'static> PartialEq for DeferredProps<P> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.chunk, other.chunk) && self.props == other.props
    }
}

/// A lazily loaded view: drawn at once when its code is here; otherwise [`Loading`] says it
/// is loading while its chunk is fetched, or what failed with a button to try again.
///
/// This component is generic, so it is compiled once per kind of props: it does as little
/// as it can (draw, or hand over to the one non-generic `Loading`), which keeps the dozen
/// copies small in the main module.
#[component]
pub fn Deferred<P: PartialEq + Clone + 'static>(props: &DeferredProps<P>) -> Html {
    let chunk = props.chunk;
    let arrived = use_force_update();
    match chunk.get() {
        Some(draw) => draw(&props.props),
        None => {
            let load: Load =
                std::rc::Rc::new(move || Box::pin(async move { chunk.load().await.map(drop) }));
            html! { <Loading what={chunk.what} {load} on_ready={Callback::from(move |()| arrived.force_update())} /> }
        }
    }
}

/// Fetching a chunk's code, with its type forgotten.
pub type Load = std::rc::Rc<
    dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>>,
>;

#[derive(Properties, Clone)]
pub struct LoadingProps {
    pub what: &'static str,
    pub load: Load,
    /// Called once the code is here: the view can be drawn.
    pub on_ready: Callback<()>,
}

impl PartialEq for LoadingProps {
    fn eq(&self, other: &Self) -> bool {
        self.what == other.what
    }
}

/// Fetches a view's code, saying it is loading, or what failed with a button to try again.
#[component]
pub fn Loading(props: &LoadingProps) -> Html {
    let failed = use_state_eq(|| None::<String>);
    let attempt = use_state_eq(|| 0u32);
    {
        let (failed, load, on_ready) = (failed.clone(), props.load.clone(), props.on_ready.clone());
        use_effect_with(*attempt, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match load().await {
                    Ok(()) => on_ready.emit(()),
                    Err(message) => failed.set(Some(message)),
                }
            });
        });
    }
    match &*failed {
        Some(message) => {
            let retry = {
                let (failed, attempt) = (failed.clone(), attempt.clone());
                Callback::from(move |_: MouseEvent| {
                    failed.set(None);
                    attempt.set(*attempt + 1);
                })
            };
            html! {
                <div class="deferred" role="alert" data-testid="deferred-error">
                    <p>{ message }</p>
                    <button class="btn btn-small" data-testid="deferred-retry" onclick={retry}>{ "Try again" }</button>
                </div>
            }
        }
        None => html! {
            <p class="deferred muted" role="status" data-testid="deferred-loading">{ format!("Loading {}…", props.what) }</p>
        },
    }
}
