//! The lab picker: one card per lab that works, each with its guided scenarios.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LabPickerProps {
    /// Open a lab (and optionally one of its presets).
    pub on_open: Callback<(String, Option<String>)>,
}

#[component]
pub fn LabPicker(props: &LabPickerProps) -> Html {
    let cards = failscope_labs::catalogue::listed().map(|lab| {
        let id = lab.id.to_string();
        let open = {
            let cb = props.on_open.clone();
            let id = id.clone();
            Callback::from(move |_: MouseEvent| cb.emit((id.clone(), None)))
        };
        let presets = lab.presets;
        html! {
            <article class="lab-card" data-testid={format!("lab-card-{id}")}>
                <h2>{ lab.title }</h2>
                <p>{ lab.summary }</p>
                <ul class="preset-links">
                    // Real links: they open in a new tab, can be copied, and the route
                    // follows the fragment as for any other link.
                    { for presets.iter().map(|p| html! {
                        <li><a href={format!("#lab={id}&preset={}", p.id)} title={p.summary}
                               data-testid={format!("preset-link-{id}-{}", p.id)}>{ p.title }</a></li>
                    }) }
                </ul>
                <button class="btn btn-primary" data-testid={format!("open-{id}")} onclick={open}>{ "Free play" }</button>
            </article>
        }
    });
    html! {
        <main class="picker" data-testid="lab-picker">
            <section class="intro">
                <h1>{ "See distributed systems fail, safely." }</h1>
                <p>{ "Each lab simulates a real protocol, step by step and exactly the same every time. Crash a server, cut the network, skew a clock; rewind and try again; share the very run you saw as a link." }</p>
            </section>
            <div class="cards">{ for cards }</div>
        </main>
    }
}
