//! Parameters: the lab's own knobs take effect at once (as a recorded action, so the run
//! stays reproducible); cluster and network settings restart the run with the same seed.
//!
//! The fields are uncontrolled (`~defaultValue`, keyed by the value in force): the page
//! re-renders every frame while playing and on every key press, and a controlled field
//! would be reset to the old value under the person's fingers before `change` fires.

use crate::session::UiAction;
use failscope_sim::action::Action;
use failscope_sim::lab::{NodeRange, ParamSpec, Unit};
use failscope_sim::network::Latency;
use failscope_sim::scenario::Params;
use failscope_sim::time::MS;
use failscope_sim::Scenario;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct ParamsProps {
    pub specs: &'static [ParamSpec],
    pub values: Params,
    pub scenario: Scenario,
    pub nodes: NodeRange,
    pub on_action: Callback<UiAction>,
    pub on_restart: Callback<Scenario>,
}

fn set_param(cb: &Callback<UiAction>, key: &'static str, value: i64) {
    cb.emit(UiAction::Apply(Action::SetParam {
        key: key.to_string(),
        value,
    }));
}

fn param_input(spec: &'static ParamSpec, value: i64, cb: Callback<UiAction>) -> Html {
    let id = format!("param-{}", spec.key);
    let control = match spec.unit {
        Unit::Bool => {
            let onchange = Callback::from(move |e: Event| {
                let input: HtmlInputElement = e.target_unchecked_into();
                set_param(&cb, spec.key, i64::from(input.checked()));
            });
            html! { <input id={id.clone()} type="checkbox" checked={value != 0} onchange={onchange} data-testid={id.clone()} /> }
        }
        Unit::Choice(choices) => {
            let onchange = Callback::from(move |e: Event| {
                let select: HtmlSelectElement = e.target_unchecked_into();
                if let Ok(v) = select.value().parse() {
                    set_param(&cb, spec.key, v);
                }
            });
            html! {
                <select id={id.clone()} onchange={onchange} data-testid={id.clone()}>
                    { for choices.iter().enumerate().map(|(i, c)| html! {
                        <option value={i.to_string()} selected={i as i64 == value}>{ *c }</option>
                    }) }
                </select>
            }
        }
        Unit::Ms | Unit::Count | Unit::Ppm => {
            let onchange = Callback::from(move |e: Event| {
                let input: HtmlInputElement = e.target_unchecked_into();
                if let Ok(v) = input.value().trim().parse::<i64>() {
                    set_param(&cb, spec.key, v);
                }
                // Show the value in force again: an accepted value re-creates this field
                // (it is keyed by its value), a refused one leaves the old value and a notice.
                input.set_value(&value.to_string());
            });
            let unit = match spec.unit {
                Unit::Ms => " ms",
                Unit::Ppm => " ppm",
                _ => "",
            };
            html! {
                <span class="inline">
                    <input id={id.clone()} type="number" key={value.to_string()} ~defaultValue={value.to_string()} min={spec.min.to_string()}
                           max={spec.max.to_string()} onchange={onchange} data-testid={id.clone()} />{ unit }
                </span>
            }
        }
    };
    html! {
        <div class="param">
            <label for={id} title={spec.help}>{ spec.label }</label>
            { control }
            <p class="muted small">{ spec.help }</p>
        </div>
    }
}

// Not shown when a page opens: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub PARAMS_PANEL: ParamsProps => ParamsPanel, params_panel, "the Parameters tab");

#[component]
pub fn ParamsPanel(props: &ParamsProps) -> Html {
    let live = props.specs.iter().map(|spec| {
        let value = props.values.get(spec.key).copied().unwrap_or(spec.default);
        param_input(spec, value, props.on_action.clone())
    });
    let (lat_min, lat_max) = match props.scenario.network.link.latency {
        Latency::Constant { us } => (us, us),
        Latency::Uniform { min_us, max_us } => (min_us, max_us),
        Latency::LongTail { min_us, max_us, .. } => (min_us, max_us),
    };
    let refs: Vec<NodeRef> = (0..6).map(|_| NodeRef::default()).collect();
    let on_restart = {
        let cb = props.on_restart.clone();
        let base = props.scenario.clone();
        let refs = refs.clone();
        let nodes = props.nodes;
        Callback::from(move |_: MouseEvent| {
            let read = |i: usize| {
                refs[i]
                    .cast::<HtmlInputElement>()
                    .and_then(|input| input.value().trim().parse::<f64>().ok())
            };
            let mut s = base.clone();
            s.actions.clear();
            if let Some(n) = read(0) {
                s.n_nodes = (n as u16).clamp(nodes.min, nodes.max);
            }
            let lo = read(1).map_or(lat_min, |v| (v.max(0.0) * MS as f64) as u64);
            let hi = read(2).map_or(lat_max, |v| (v.max(0.0) * MS as f64) as u64);
            // Untouched fields keep the scenario's latency model (constant, long-tailed...).
            if (lo, hi) != (lat_min, lat_max) {
                s.network.link.latency = Latency::Uniform {
                    min_us: lo.min(hi),
                    max_us: lo.max(hi),
                };
            }
            if let Some(p) = read(3) {
                s.network.link.loss_ppm = (p.clamp(0.0, 100.0) * 10_000.0) as u32;
            }
            if let Some(p) = read(4) {
                s.network.link.duplicate_ppm = (p.clamp(0.0, 100.0) * 10_000.0) as u32;
            }
            if let Some(c) = read(5) {
                s.clients.n_clients = c.clamp(0.0, 32.0) as u16;
            }
            cb.emit(s);
        })
    };
    let s = &props.scenario;
    let field = |i: usize, label: &str, value: String, testid: &str| {
        html! {
            <label class="param compact">
                <span>{ label.to_string() }</span>
                <input ref={refs[i].clone()} type="number" key={value.clone()} ~defaultValue={value} step="any" data-testid={testid.to_string()} />
            </label>
        }
    };
    html! {
        <section class="params" data-testid="params">
            <h3>{ "Protocol" }</h3>
            <p class="muted small">{ "Changes apply from the current moment and are recorded, so share links replay them." }</p>
            { for live }
            <h3>{ "Cluster and network" }</h3>
            { field(0, &format!("Servers ({}–{})", props.nodes.min, props.nodes.max), s.n_nodes.to_string(), "setting-nodes") }
            { field(1, "Latency min (ms)", format!("{}", lat_min as f64 / MS as f64), "setting-latency-min") }
            { field(2, "Latency max (ms)", format!("{}", lat_max as f64 / MS as f64), "setting-latency-max") }
            { field(3, "Message loss (%)", format!("{}", f64::from(s.network.link.loss_ppm) / 10_000.0), "setting-loss") }
            { field(4, "Duplication (%)", format!("{}", f64::from(s.network.link.duplicate_ppm) / 10_000.0), "setting-dup") }
            { field(5, "Clients", s.clients.n_clients.to_string(), "setting-clients") }
            <button class="btn" data-testid="apply-settings" onclick={on_restart}>{ "Restart with these settings" }</button>
        </section>
    }
}
