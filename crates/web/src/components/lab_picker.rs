//! The lab picker: one card per lab that works, each with its guided scenarios.

use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct LabPickerProps {
    /// Open a lab (and optionally one of its presets).
    pub on_open: Callback<(String, Option<String>)>,
}

// Only the home page shows it: its code and the labs' blurbs (`catalogue::CARDS`, read only
// here) are a chunk of their own, so a lab's page does not fetch every other lab's text.
crate::lazy_view!(pub LAB_PICKER: LabPickerProps => LabPicker, lab_picker, "the list of labs");

#[component]
pub fn LabPicker(props: &LabPickerProps) -> Html {
    let cards = failscope_labs::catalogue::listed().filter_map(|lab| {
        let card = failscope_labs::catalogue::card(lab)?;
        let id = lab.id.to_string();
        let open = {
            let cb = props.on_open.clone();
            let id = id.clone();
            Callback::from(move |_: MouseEvent| cb.emit((id.clone(), None)))
        };
        let presets = card.presets;
        Some(html! {
            <article class="lab-card" data-testid={format!("lab-card-{id}")}>
                <h2>{ lab.title }</h2>
                <p>{ card.summary }</p>
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
        })
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
