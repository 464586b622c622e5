//! How the registry reaches each lab's code: through one loader function per lab.
//!
//! With the `split` feature on wasm, each loader is a `#[wasm_split]` function: the build
//! moves the code reachable only from it (the lab's protocol, its `World<P>`, its presets)
//! into a chunk of its own that the browser fetches the first time the lab is opened. A lab
//! that is loaded stays loaded. Everywhere else a loader is an ordinary function and every lab
//! is always available.

use failscope_sim::lab::Lab;
use std::sync::OnceLock;

/// A loaded lab, behind a thin pointer (a loader's return value crosses a wasm chunk boundary).
#[cfg_attr(feature = "no-labs", allow(dead_code))]
pub struct LabRef(pub &'static dyn Lab);

/// Why a lab could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// No lab has this id.
    Unknown { id: String },
    /// The lab's code could not be fetched (offline, moved, a server error).
    Fetch { id: String },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Unknown { id } => write!(f, "there is no lab called “{id}”"),
            LoadError::Fetch { id } => write!(
                f,
                "the code of the {id} could not be downloaded; check the connection and try again"
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// A lazily loaded chunk could not be fetched. Every `#[wasm_split]` loader (the labs here,
/// the feature chunks, the app's picture kinds) returns it; its caller turns it into an error
/// in the page's words.
#[derive(Debug)]
pub struct ChunkFailed;

#[cfg(all(feature = "split", target_family = "wasm"))]
impl From<wasm_split_helpers::SplitLoaderError> for ChunkFailed {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> ChunkFailed {
        ChunkFailed
    }
}

/// Declares the labs: `"id" => loader_name: path::ToTheLab,` once per lab, in the picker's
/// order. Generates one loader per lab plus `find` and `load` over them.
macro_rules! registry {
    ($($id:literal => $loader:ident : $lab:path),* $(,)?) => {
        #[cfg(not(feature = "no-labs"))]
        mod loaders {
            $(
                #[cfg_attr(
                    all(feature = "split", target_family = "wasm"),
                    wasm_split_helpers::wasm_split($loader, fallible)
                )]
                pub fn $loader() -> Result<&'static $crate::registry::LabRef, $crate::registry::ChunkFailed> {
                    static LAB: $crate::registry::LabRef = $crate::registry::LabRef(&$lab);
                    Ok(&LAB)
                }
            )*
        }

        /// The ids the registry knows, in the picker's order.
        #[cfg(not(feature = "no-labs"))]
        pub const LAB_IDS: &[&str] = &[$($id),*];
        /// With `no-labs` (measuring what the labs add to every page), none.
        #[cfg(feature = "no-labs")]
        pub const LAB_IDS: &[&str] = &[];

        /// Each lab's loader (and chunk) name: its id with `_` for `-`.
        pub const LOADER_NAMES: &[&str] = &[$(stringify!($loader)),*];

        #[cfg(not(all(feature = "split", target_family = "wasm")))]
        fn load_now(id: &str) -> Option<&'static dyn failscope_sim::lab::Lab> {
            #[cfg(not(feature = "no-labs"))]
            match id {
                $($id => loaders::$loader().ok().map(|l| l.0),)*
                _ => None,
            }
            #[cfg(feature = "no-labs")]
            {
                let _ = id;
                None
            }
        }

        #[cfg(all(feature = "split", target_family = "wasm"))]
        async fn fetch(
            id: &str,
        ) -> Option<Result<&'static dyn failscope_sim::lab::Lab, $crate::registry::ChunkFailed>> {
            // One boxed future for whichever lab, rather than a state machine holding every
            // lab's loader future: less code in the main module for each registered lab.
            #[cfg(not(feature = "no-labs"))]
            {
                type Loading = std::pin::Pin<
                    Box<
                        dyn std::future::Future<
                            Output = Result<
                                &'static $crate::registry::LabRef,
                                $crate::registry::ChunkFailed,
                            >,
                        >,
                    >,
                >;
                let loading: Loading = match id {
                    $($id => Box::pin(loaders::$loader()),)*
                    _ => return None,
                };
                Some(loading.await.map(|l| l.0))
            }
            #[cfg(feature = "no-labs")]
            {
                let _ = id;
                None
            }
        }
    };
}

/// Labs loaded so far, by their index in `LAB_IDS`.
fn loaded() -> &'static [OnceLock<&'static dyn Lab>] {
    static LOADED: OnceLock<Vec<OnceLock<&'static dyn Lab>>> = OnceLock::new();
    LOADED.get_or_init(|| crate::LAB_IDS.iter().map(|_| OnceLock::new()).collect())
}

/// The registry's index of the lab `id` names: its id, or an old id it still answers to.
fn index_of(id: &str) -> Option<usize> {
    let id = crate::catalogue::info(id).map_or(id, |info| info.id);
    crate::LAB_IDS.iter().position(|known| *known == id)
}

/// The lab with this id if its code is loaded; without lazy chunks, every lab is.
pub fn find(id: &str) -> Option<&'static dyn Lab> {
    let slot = &loaded()[index_of(id)?];
    #[cfg(not(all(feature = "split", target_family = "wasm")))]
    if slot.get().is_none() {
        if let Some(lab) = crate::load_now(crate::LAB_IDS[index_of(id)?]) {
            let _ = slot.set(lab);
        }
    }
    slot.get().copied()
}

/// Make a lab's code available, fetching its chunk the first time (in the split browser
/// build); at once everywhere else. A failed fetch is not remembered: calling again retries.
pub async fn load(id: &str) -> Result<&'static dyn Lab, LoadError> {
    let unknown = || LoadError::Unknown {
        id: id.chars().take(64).collect(),
    };
    let index = index_of(id).ok_or_else(unknown)?;
    if let Some(lab) = loaded()[index].get() {
        return Ok(*lab);
    }
    #[cfg(all(feature = "split", target_family = "wasm"))]
    {
        match crate::fetch(crate::LAB_IDS[index]).await {
            Some(Ok(lab)) => {
                let _ = loaded()[index].set(lab);
                Ok(lab)
            }
            Some(Err(ChunkFailed)) => Err(LoadError::Fetch {
                id: format!("“{id}” lab"),
            }),
            None => Err(unknown()),
        }
    }
    #[cfg(not(all(feature = "split", target_family = "wasm")))]
    find(id).ok_or_else(unknown)
}
