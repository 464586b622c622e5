//! The tree picture kind (OM(m)'s recursion, a vote counted level by level): drawn left to
//! right, root first, one row per leaf and each inner node centred on its children. Every
//! node shows its value; inner nodes also show what their children fold to (a majority).

use super::axis::{self, FONT, SMALL};
use super::parts::{self, LegendItem};
use crate::components::topology::tone_class;
use crate::decimal::within;
use crate::layout::coord;
use failscope_sim::picture::{Tree, TreeNode};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TreeProps {
    pub data: Tree,
    /// Layout width in pixels.
    pub width: f64,
}

/// Where a node sits: its depth (column), its row (leaves on whole rows, inner nodes centred
/// on their children) and its parent, in pre-order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    pub depth: usize,
    pub row: f64,
    pub parent: Option<usize>,
}

/// Most nodes drawn (the rest of a huge tree would be unreadable anyway).
const MAX_NODES: usize = 400;

/// Lay the tree out: nodes in pre-order with their places, and the nodes themselves.
pub fn layout(root: &TreeNode) -> (Vec<Placed>, Vec<&TreeNode>) {
    fn walk<'a>(
        node: &'a TreeNode,
        depth: usize,
        parent: Option<usize>,
        next_leaf: &mut f64,
        placed: &mut Vec<Placed>,
        nodes: &mut Vec<&'a TreeNode>,
    ) -> f64 {
        let me = placed.len();
        placed.push(Placed {
            depth,
            row: 0.0,
            parent,
        });
        nodes.push(node);
        let mut children = Vec::new();
        for c in &node.children {
            if placed.len() >= MAX_NODES {
                break;
            }
            children.push(walk(c, depth + 1, Some(me), next_leaf, placed, nodes));
        }
        let row = match (children.first(), children.last()) {
            (Some(first), Some(last)) => (first + last) / 2.0,
            _ => {
                let row = *next_leaf;
                *next_leaf += 1.0;
                row
            }
        };
        placed[me].row = row;
        row
    }
    let mut placed = Vec::new();
    let mut nodes = Vec::new();
    let mut next_leaf = 0.0;
    walk(root, 0, None, &mut next_leaf, &mut placed, &mut nodes);
    (placed, nodes)
}

fn count(node: &TreeNode) -> usize {
    1 + node.children.iter().map(count).sum::<usize>()
}

fn depth(node: &TreeNode) -> usize {
    1 + node.children.iter().map(depth).max().unwrap_or(0)
}

/// What the picture says, in one sentence, for screen readers.
pub fn summary(data: &Tree) -> String {
    let root = &data.root;
    let mut out = format!(
        "Tree of {} nodes in {} levels; {} holds {}",
        count(root),
        depth(root),
        root.label,
        root.value
    );
    if let Some(fold) = &root.fold {
        out.push_str(&format!(", its children fold to {fold}"));
    }
    out
}

/// Height of a line of text in a node's box.
const LINE: f64 = 15.0;

/// The lines in a node's box: its label, its value and (inner nodes) what its children fold
/// to, each with its size and class.
fn lines(node: &TreeNode) -> Vec<(String, f64, &'static str)> {
    let mut out = vec![(node.label.clone(), FONT, "pic-tree-label")];
    if !node.value.is_empty() {
        out.push((node.value.clone(), FONT, "pic-tree-text"));
    }
    if let Some(fold) = &node.fold {
        out.push((format!("⇒ {fold}"), SMALL, "pic-fold"));
    }
    out
}

fn box_h(node: &TreeNode) -> f64 {
    lines(node).len() as f64 * LINE + 6.0
}

/// Box widths and left edges of the columns (one per depth): each as wide as its widest text
/// (`needed`), all shrunk alike when they do not fit in `width`, the room left over going
/// into the gaps (at least `gap`, at most 60 pixels).
pub fn column_layout(needed: &[f64], width: f64, gap: f64) -> (Vec<f64>, Vec<f64>) {
    let n = needed.len().max(1);
    let gaps = gap * (n - 1) as f64;
    let total: f64 = needed.iter().sum();
    let shrink = ((width - gaps) / total.max(1.0)).min(1.0);
    let widths: Vec<f64> = needed.iter().map(|w| (w * shrink).max(30.0)).collect();
    let used: f64 = widths.iter().sum();
    let gap = if n > 1 {
        within((width - used) / (n - 1) as f64, gap, 60.0)
    } else {
        0.0
    };
    let mut left = 0.0;
    let lefts = widths
        .iter()
        .map(|w| {
            let at = left;
            left += w + gap;
            at
        })
        .collect();
    (widths, lefts)
}

/// The text in a node's tooltip: its label and value.
fn node_text(node: &TreeNode) -> String {
    if node.value.is_empty() {
        node.label.clone()
    } else {
        format!("{}: {}", node.label, node.value)
    }
}

#[component]
pub fn TreeView(props: &TreeProps) -> Html {
    let data = &props.data;
    let width = props.width;
    let items = vec![
        LegendItem {
            label: "a node and its value".into(),
            class: classes!("pic-tree-node"),
            swatch: Box::new(|x, y| {
                html! { <rect class="pic-tree-box" x={coord(x - 8.0)} y={coord(y - 6.0)} width="16" height="12" rx="3" /> }
            }),
        },
        LegendItem {
            label: "what the children fold to".into(),
            class: classes!("pic-fold"),
            swatch: Box::new(|x, y| {
                html! { <text x={coord(x)} y={coord(y + FONT * 0.35)} text-anchor="middle">{ "⇒" }</text> }
            }),
        },
    ];
    let (legend, legend_h) = parts::legend(&items, 0.0, 0.0, width);
    let (placed, nodes) = layout(&data.root);
    let columns = placed.iter().map(|p| p.depth).max().unwrap_or(0) + 1;
    let mut needed = vec![40.0f64; columns];
    for (p, n) in placed.iter().zip(&nodes) {
        let widest = lines(n)
            .iter()
            .map(|(text, size, _)| axis::text_width(text, *size))
            .fold(0.0, f64::max);
        needed[p.depth] = needed[p.depth].max(widest + 10.0);
    }
    let (box_ws, lefts) = column_layout(&needed, width, 12.0);
    // Rows leave room for the tallest boxes: inner nodes with a single child share its row.
    let tallest = nodes.iter().map(|n| box_h(n)).fold(0.0, f64::max);
    let lone = nodes.iter().any(|n| n.children.len() == 1);
    let row_h = if lone {
        tallest + 8.0
    } else {
        LINE * 2.0 + 14.0
    };
    let rows = placed.iter().map(|p| p.row).fold(0.0, f64::max) + 1.0;
    let top = legend_h + 8.0 + (tallest - row_h).max(0.0) / 2.0;
    let height = top + rows * row_h + 4.0 + (tallest - row_h).max(0.0) / 2.0;
    let centre = |p: &Placed| {
        (
            lefts[p.depth] + box_ws[p.depth] / 2.0,
            top + p.row * row_h + row_h / 2.0,
        )
    };

    let edges = placed.iter().filter_map(|p| {
        let parent = &placed[p.parent?];
        let (px, py) = centre(parent);
        let (cx, cy) = centre(p);
        let (x0, x1) = (px + box_ws[parent.depth] / 2.0, cx - box_ws[p.depth] / 2.0);
        let mid = (x0 + x1) / 2.0;
        Some(html! {
            <path class="pic-tree-edge" d={format!("M{} {} C{} {} {} {} {} {}", coord(x0), coord(py), coord(mid), coord(py), coord(mid), coord(cy), coord(x1), coord(cy))} />
        })
    });

    let boxes = placed.iter().zip(&nodes).enumerate().map(|(i, (p, n))| {
        let (x, y) = centre(p);
        let box_w = box_ws[p.depth];
        let h = box_h(n);
        let rows = lines(n);
        let first = y - h / 2.0 + 3.0 + LINE * 0.78;
        let texts = rows.iter().enumerate().map(|(k, (text, size, class))| {
            let (shown, _) = axis::fit(text, box_w - 8.0, *size);
            let testid = (*class == "pic-fold").then_some("tree-fold");
            html! {
                <text class={*class} x={coord(x)} y={coord(first + k as f64 * LINE)} text-anchor="middle"
                      font-size={coord(*size)} data-testid={testid}>{ shown }</text>
            }
        });
        let tooltip = match &n.fold {
            Some(f) => format!("{}; its children fold to {f}", node_text(n)),
            None => node_text(n),
        };
        html! {
            <g class={classes!("pic-tree-node", tone_class(n.tone), n.fold.is_some().then_some("inner"))}
               tabindex="0" data-testid={format!("tree-node-{i}")}>
                <title>{ tooltip }</title>
                <rect class="pic-tree-box" x={coord(x - box_w / 2.0)} y={coord(y - h / 2.0)} width={coord(box_w)} height={coord(h)} rx="5" />
                { for texts }
            </g>
        }
    });

    let children = html! {
        <>
            { legend }
            <g class="pic-tree-edges">{ for edges }</g>
            <g class="pic-tree-nodes">{ for boxes }</g>
        </>
    };
    parts::svg("pic-tree", width, height, summary(data), children)
}
