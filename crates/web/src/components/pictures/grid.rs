//! The grid picture kind: rows × columns of cells (servers' logs, Paxos acceptors ×
//! ballots, partitions × offsets). A cell's colour comes from the shared categorical palette,
//! solid or outlined; its tooltip carries the detail. A table, so screen readers and the
//! keyboard get rows and headers for free.

use failscope_sim::picture::Grid;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GridViewProps {
    pub grid: Grid,
    /// Rows to draw struck through (crashed servers), by index.
    #[prop_or_default]
    pub struck: Vec<usize>,
}

#[component]
pub fn GridView(props: &GridViewProps) -> Html {
    let grid = &props.grid;
    html! {
        <table class="picture-grid" aria-label={format!("{} by {}", grid.row_label, grid.column_label)}>
            <thead><tr>
                <th scope="col">{ &grid.column_label }</th>
                { for grid.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }
            </tr></thead>
            <tbody>
                { for grid.rows.iter().enumerate().map(|(r, row)| html! {
                    <tr class={classes!(props.struck.contains(&r).then_some("struck"))} data-testid={format!("grid-row-{row}")}>
                        <th scope="row">{ row }</th>
                        { for (0..grid.columns.len()).map(|c| match grid.cell(r, c) {
                            Some(cell) => html! {
                                <td><span class={classes!("cell", format!("cat-{}", cell.colour % 8), cell.solid.then_some("solid"), cell.highlight.then_some("highlight"))}
                                          title={cell.detail.clone()}>
                                    { &cell.text }
                                </span></td>
                            },
                            None => html! { <td /> },
                        }) }
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
