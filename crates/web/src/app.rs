//! The app shell: header, lab picker and the canvas the labs draw on.

use yew::prelude::*;

#[component]
pub fn App() -> Html {
    html! {
        <div class="shell" data-testid="app">
            <header class="topbar">
                <h1 class="brand">{ "Failscope" }</h1>
                <p class="tagline">{ "Watch distributed systems work and fail. Poke them. Rewind. Share the exact run." }</p>
            </header>
            <main class="stage">
                <nav class="lab-picker" aria-label="Labs" data-testid="lab-picker">
                    <p class="muted">{ "Labs appear here as they land." }</p>
                </nav>
                <svg class="canvas" data-testid="canvas" role="img"
                     aria-label="Simulation canvas" viewBox="0 0 800 500"></svg>
            </main>
        </div>
    }
}
