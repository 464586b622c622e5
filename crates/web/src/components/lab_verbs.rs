//! A lab's own mid-run changes (a server joining a hash ring), drawn from the lab's
//! [`LabVerb`] list: one field per distinct argument, one button per verb, each button
//! sending `Action::Lab` with its arguments read from the fields. No lab is named here.
//!
//! The fields are uncontrolled (the page renders every frame while playing, and a controlled
//! field would be reset under the person's fingers); a number field is keyed by its default,
//! the value in force when it was drawn.

use crate::session::UiAction;
use failscope_sim::action::Action;
use failscope_sim::lab::{LabVerb, VerbArg, VerbArgKind};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LabVerbsProps {
    pub verbs: &'static [LabVerb],
    /// The run's servers: id and what to call it in a list ("S5 (spare)").
    pub servers: Vec<(u16, String)>,
    pub on_action: Callback<UiAction>,
}

/// The distinct arguments of `verbs`, by name, in order of first use.
fn fields(verbs: &[LabVerb]) -> Vec<VerbArg> {
    let mut out: Vec<VerbArg> = Vec::new();
    for arg in verbs.iter().flat_map(|v| v.args) {
        if !out.iter().any(|f| f.name == arg.name) {
            out.push(*arg);
        }
    }
    out
}

/// A field's value: the server picked, or the number typed (clamped; its default when it does
/// not parse).
fn read(field: &VerbArg, node: &NodeRef) -> Option<i64> {
    match field.kind {
        VerbArgKind::Server => node
            .cast::<HtmlSelectElement>()
            .and_then(|s| s.value().parse().ok()),
        VerbArgKind::Count => Some(
            node.cast::<HtmlInputElement>()
                .and_then(|i| i.value().trim().parse::<i64>().ok())
                .unwrap_or(field.default)
                .clamp(field.min, field.max),
        ),
    }
}

#[component]
pub fn LabVerbs(props: &LabVerbsProps) -> Html {
    let fields = use_memo(props.verbs, |verbs| fields(verbs));
    let refs = use_memo(fields.len(), |n| {
        (0..*n).map(|_| NodeRef::default()).collect::<Vec<_>>()
    });
    let inputs = fields.iter().zip(refs.iter()).map(|(field, node)| {
        let testid = format!("verb-arg-{}", field.name);
        match field.kind {
            VerbArgKind::Server => html! {
                <label class="small">{ format!("{} ", field.label) }
                    <select ref={node.clone()} data-testid={testid} aria-label={field.label}>
                        // The first server is the default (an attribute, like
                        // `defaultValue`: it does not undo the person's choice).
                        { for props.servers.iter().enumerate().map(|(i, (id, name))| html! {
                            <option value={id.to_string()} selected={i == 0}>{ name }</option>
                        }) }
                    </select>
                </label>
            },
            VerbArgKind::Count => html! {
                <label class="small">{ format!("{} ", field.label) }
                    <input ref={node.clone()} key={format!("{}-{}", field.name, field.default)} type="number" class="narrow"
                           ~defaultValue={field.default.to_string()} min={field.min.to_string()} max={field.max.to_string()}
                           data-testid={testid} aria-label={field.label} />
                </label>
            },
        }
    });
    let buttons = props.verbs.iter().map(|verb| {
        let onclick = {
            let fields = fields.clone();
            let refs = refs.clone();
            let cb = props.on_action.clone();
            let verb = *verb;
            Callback::from(move |_: MouseEvent| {
                let args: Option<Vec<i64>> = verb
                    .args
                    .iter()
                    .map(|arg| {
                        let i = fields.iter().position(|f| f.name == arg.name)?;
                        read(&fields[i], &refs[i])
                    })
                    .collect();
                if let Some(args) = args {
                    cb.emit(UiAction::Apply(Action::Lab {
                        verb: verb.verb.into(),
                        args,
                    }));
                }
            })
        };
        html! {
            <button class="btn" title={verb.help} data-testid={format!("verb-{}", verb.verb)} onclick={onclick}>{ verb.label }</button>
        }
    });
    html! {
        <div class="lab-verbs row wrap" data-testid="lab-verbs" role="group" aria-label="Changes to this run">
            { for inputs }
            { for buttons }
        </div>
    }
}
