//! `Frozen`: content that Yew redraws only when its version moves.
//!
//! Its props compare by the version alone, so a caller can leave the content out (pass an
//! empty `Html`) when nothing changed, and Yew neither rebuilds nor walks what it drew last
//! time. One component type serves every such place (each Yew component type costs code in
//! the main module).

use yew::prelude::*;

#[derive(Properties)]
pub struct FrozenProps {
    /// Moves whenever the content would differ.
    pub version: u64,
    pub children: Html,
}

impl PartialEq for FrozenProps {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

/// Its children, redrawn only when the version moves.
#[component]
pub fn Frozen(props: &FrozenProps) -> Html {
    props.children.clone()
}
