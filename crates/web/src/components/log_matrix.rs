//! Every server's log side by side, one column per index: terms as colours, committed entries
//! filled, uncommitted ones hollow. Divergence and repair are visible at a glance.

use crate::shared::Shared;
use failscope_sim::view::View;
use failscope_sim::world::NodeStatus;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LogMatrixProps {
    pub view: Shared<View>,
}

#[component]
pub fn LogMatrix(props: &LogMatrixProps) -> Html {
    let view = &props.view;
    let first = view
        .nodes
        .iter()
        .filter_map(|n| n.state.log.first().map(|c| c.index))
        .min()
        .unwrap_or(1);
    let last = view
        .nodes
        .iter()
        .filter_map(|n| n.state.log.last().map(|c| c.index))
        .max()
        .unwrap_or(0);
    if last == 0 {
        return html! {};
    }
    // Show the newest 16 columns: the interesting part is where logs differ.
    let from = first.max(last.saturating_sub(15));
    html! {
        <section class="log-matrix" data-testid="log-matrix" aria-label="Logs of all servers">
            <div class="panel-head"><h3>{ "Logs" }</h3><span class="muted small">{ "filled: committed · hollow: not yet · colour: term" }</span></div>
            <table>
                <thead><tr><th scope="col">{ "index" }</th>{ for (from..=last).map(|i| html! { <th scope="col">{ i }</th> }) }</tr></thead>
                <tbody>
                    { for view.nodes.iter().map(|node| html! {
                        <tr class={classes!((node.status == NodeStatus::Down).then_some("down"))} data-testid={format!("log-{}", node.name)}>
                            <th scope="row">{ &node.name }</th>
                            { for (from..=last).map(|i| match node.state.log.iter().find(|c| c.index == i) {
                                Some(c) => html! {
                                    <td><span class={classes!("cell", format!("term-{}", c.term % 8), c.committed.then_some("committed"))}
                                              title={format!("index {i}, term {}: {}{}", c.term, c.label, if c.committed { " (committed)" } else { "" })}>
                                        { c.term }
                                    </span></td>
                                },
                                None => html! { <td /> },
                            }) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}
