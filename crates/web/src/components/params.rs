//! Parameters: the lab's own knobs take effect at once (as a recorded action, so the run
//! stays reproducible); cluster and network settings restart the run with the same seed.
//!
//! The fields are uncontrolled (`~defaultValue`, keyed by the value in force): the page
//! re-renders every frame while playing and on every key press, and a controlled field
//! would be reset to the old value under the person's fingers before `change` fires.

use crate::decimal::{self, short};
use crate::session::UiAction;
use failscope_sim::action::Action;
use failscope_sim::lab::{NodeRange, ParamSpec, Unit, BUG_PARAM};
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
    /// For each choice of the deliberate-bug parameter, the title of the scenario that
    /// exposes it (see `BugDemo`).
    #[prop_or_default]
    pub bug_demos: Vec<(i64, &'static str)>,
    /// Open the scenario that exposes this bug, with the bug on.
    #[prop_or_default]
    pub on_show_bug: Callback<i64>,
    /// Other labs this one points to: (id, title, why).
    #[prop_or_default]
    pub related: Vec<(&'static str, &'static str, &'static str)>,
}

fn set_param(cb: &Callback<UiAction>, key: &'static str, value: i64) {
    cb.emit(UiAction::Apply(Action::SetParam {
        key: key.to_string(),
        value,
    }));
}

/// What a number parameter may be, in its own words and unit.
fn range_message(spec: &ParamSpec) -> String {
    let unit = match spec.unit {
        Unit::Ms => " ms",
        Unit::Ppm => " ppm",
        _ => "",
    };
    format!(
        "{} takes a whole number from {}{unit} to {}{unit}.",
        spec.label, spec.min, spec.max
    )
}

#[derive(Properties, PartialEq)]
struct NumberParamProps {
    spec: &'static ParamSpec,
    value: i64,
    on_action: Callback<UiAction>,
}

/// A number parameter. A value out of its range stays in the field, marked, with what it may
/// be; the run keeps the value in force until the field holds a good one.
#[component]
fn NumberParam(props: &NumberParamProps) -> Html {
    let spec = props.spec;
    let id = format!("param-{}", spec.key);
    let error = use_state_eq(|| None::<String>);
    let onchange = {
        let cb = props.on_action.clone();
        let error = error.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            match input.value().trim().parse::<i64>() {
                Ok(v) if (spec.min..=spec.max).contains(&v) => {
                    error.set(None);
                    set_param(&cb, spec.key, v);
                }
                _ => error.set(Some(range_message(spec))),
            }
        })
    };
    let unit = match spec.unit {
        Unit::Ms => " ms",
        Unit::Ppm => " ppm",
        _ => "",
    };
    let error_id = format!("{id}-error");
    html! {
        <>
            <span class="inline">
                <input id={id.clone()} type="number" key={props.value.to_string()} ~defaultValue={props.value.to_string()}
                       min={spec.min.to_string()} max={spec.max.to_string()} onchange={onchange} data-testid={id.clone()}
                       aria-invalid={error.is_some().then_some("true")} aria-describedby={error.is_some().then(|| error_id.clone())} />{ unit }
            </span>
            if let Some(message) = &*error {
                <span class="field-error" id={error_id.clone()} role="alert" data-testid={error_id.clone()}>{ message }</span>
            }
        </>
    }
}

fn param_input(spec: &'static ParamSpec, value: i64, props: &ParamsProps) -> Html {
    let cb = props.on_action.clone();
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
            html! { <NumberParam {spec} {value} on_action={props.on_action.clone()} /> }
        }
    };
    // The scenario that exposes the chosen bug, one click away.
    let demo = (spec.key == BUG_PARAM && value != spec.default)
        .then(|| props.bug_demos.iter().find(|(bug, _)| *bug == value))
        .flatten()
        .map(|&(bug, title)| {
            let cb = props.on_show_bug.clone();
            html! {
                <p class="bug-demo small">
                    { format!("The “{title}” scenario exposes this bug. ") }
                    <button class="btn small" data-testid="show-bug" onclick={Callback::from(move |_: MouseEvent| cb.emit(bug))}>{ "Show me this bug" }</button>
                </p>
            }
        });
    html! {
        <div class="param">
            <label for={id} title={spec.help}>{ spec.label }</label>
            { control }
            <p class="muted small">{ spec.help }</p>
            { for demo }
        </div>
    }
}

// Not shown when a page opens: its code is a chunk of its own (see `crate::lazy`).
crate::lazy_view!(pub PARAMS_PANEL: ParamsProps => ParamsPanel, params_panel, "the Parameters tab");

#[component]
pub fn ParamsPanel(props: &ParamsProps) -> Html {
    let live = props.specs.iter().map(|spec| {
        let value = props.values.get(spec.key).copied().unwrap_or(spec.default);
        param_input(spec, value, props)
    });
    let (lat_min, lat_max) = match props.scenario.network.link.latency {
        Latency::Constant { us } => (us, us),
        Latency::Uniform { min_us, max_us } => (min_us, max_us),
        Latency::LongTail { min_us, max_us, .. } => (min_us, max_us),
    };
    let refs: Vec<NodeRef> = (0..6).map(|_| NodeRef::default()).collect();
    // What is wrong with each field, by index: the run restarts only when nothing is.
    let errors = use_state(Vec::<(usize, String)>::new);
    let rules = cluster_rules(props.nodes);
    let on_restart = {
        let cb = props.on_restart.clone();
        let base = props.scenario.clone();
        let refs = refs.clone();
        let errors = errors.clone();
        Callback::from(move |_: MouseEvent| {
            let mut problems = Vec::new();
            let values: Vec<Option<f64>> = rules
                .iter()
                .enumerate()
                .map(|(i, rule)| {
                    let text = refs[i]
                        .cast::<HtmlInputElement>()
                        .map(|input| input.value())
                        .unwrap_or_default();
                    rule.check(&text)
                        .map_err(|message| problems.push((i, message)))
                        .ok()
                        .flatten()
                })
                .collect();
            if !problems.is_empty() {
                errors.set(problems);
                return;
            }
            errors.set(Vec::new());
            let read = |i: usize| values[i];
            let mut s = base.clone();
            s.actions.clear();
            if let Some(n) = read(0) {
                s.n_nodes = n as u16;
            }
            let lo = read(1).map_or(lat_min, |v| (v * MS as f64) as u64);
            let hi = read(2).map_or(lat_max, |v| (v * MS as f64) as u64);
            // Untouched fields keep the scenario's latency model (constant, long-tailed...).
            if (lo, hi) != (lat_min, lat_max) {
                s.network.link.latency = Latency::Uniform {
                    min_us: lo.min(hi),
                    max_us: lo.max(hi),
                };
            }
            if let Some(p) = read(3) {
                s.network.link.loss_ppm = (p * 10_000.0) as u32;
            }
            if let Some(p) = read(4) {
                s.network.link.duplicate_ppm = (p * 10_000.0) as u32;
            }
            if let Some(c) = read(5) {
                s.clients.n_clients = c as u16;
            }
            cb.emit(s);
        })
    };
    let s = &props.scenario;
    let field = |i: usize, label: &str, value: String, testid: &str| {
        let error = errors
            .iter()
            .find(|(at, _)| *at == i)
            .map(|(_, m)| m.clone());
        let error_id = format!("{testid}-error");
        html! {
            <label class={classes!("param", "compact", error.is_some().then_some("invalid"))}>
                <span>{ label.to_string() }</span>
                <input ref={refs[i].clone()} type="number" key={value.clone()} ~defaultValue={value} step="any" data-testid={testid.to_string()}
                       aria-invalid={error.is_some().then_some("true")} aria-describedby={error.is_some().then(|| error_id.clone())} />
                if let Some(message) = error {
                    <span class="field-error" id={error_id} role="alert" data-testid={format!("{testid}-error")}>{ message }</span>
                }
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
            { field(1, "Latency min (ms)", short(lat_min as f64 / MS as f64, 3), "setting-latency-min") }
            { field(2, "Latency max (ms)", short(lat_max as f64 / MS as f64, 3), "setting-latency-max") }
            { field(3, "Message loss (%)", short(f64::from(s.network.link.loss_ppm) / 10_000.0, 4), "setting-loss") }
            { field(4, "Duplication (%)", short(f64::from(s.network.link.duplicate_ppm) / 10_000.0, 4), "setting-dup") }
            { field(5, "Clients", s.clients.n_clients.to_string(), "setting-clients") }
            <button class="btn" data-testid="apply-settings" onclick={on_restart}>{ "Restart with these settings" }</button>
            if !props.related.is_empty() {
                <h3>{ "Related labs" }</h3>
                <ul class="related">
                    { for props.related.iter().map(|(id, title, why)| html! {
                        <li><a href={format!("#lab={id}")} data-testid={format!("related-{id}")}>{ *title }</a>{ format!(": {why}") }</li>
                    }) }
                </ul>
            }
        </section>
    }
}

/// What a cluster or network field accepts, in the field's own words and unit.
struct Rule {
    what: &'static str,
    unit: &'static str,
    min: f64,
    max: f64,
    whole: bool,
}

impl Rule {
    /// The value typed (`None` for an empty field: keep what the run has), or what is wrong
    /// with it and what it may be.
    fn check(&self, text: &str) -> Result<Option<f64>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let fits = |v: f64| v >= self.min && v <= self.max && (!self.whole || v.fract() == 0.0);
        match decimal::parse(text) {
            Some(v) if v.is_finite() && fits(v) => Ok(Some(v)),
            _ => Err(format!(
                "{} must be {} from {} to {}{} (not “{}”).",
                self.what,
                if self.whole {
                    "a whole number"
                } else {
                    "a number"
                },
                short(self.min, 3),
                short(self.max, 3),
                self.unit,
                text.chars().take(16).collect::<String>()
            )),
        }
    }
}

/// The rules of the six cluster and network fields, in their order on the panel.
fn cluster_rules(nodes: NodeRange) -> [Rule; 6] {
    let latency_max = (failscope_sim::limits::MAX_LATENCY_US / MS) as f64;
    let rule = |what, unit, min: f64, max: f64, whole| Rule {
        what,
        unit,
        min,
        max,
        whole,
    };
    [
        rule(
            "Servers",
            "",
            f64::from(nodes.min),
            f64::from(nodes.max),
            true,
        ),
        rule("Latency min", " ms", 0.0, latency_max, false),
        rule("Latency max", " ms", 0.0, latency_max, false),
        rule("Message loss", " %", 0.0, 100.0, false),
        rule("Duplication", " %", 0.0, 100.0, false),
        rule(
            "Clients",
            "",
            0.0,
            f64::from(failscope_sim::limits::MAX_CLIENTS),
            true,
        ),
    ]
}
