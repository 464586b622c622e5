//! The tree picture kind (OM(m)'s recursion, a vote counted level by level): drawn left to
//! right, root first, one row per leaf and each inner node centred on its children. Every
//! node shows its value; inner nodes also show what their children fold to (a majority).

use super::axis::{self, FONT, SMALL};
use super::parts::{self, LegendItem};
use crate::components::topology::tone_class;
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

/// The text in a node's box: its label and value.
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
            label: "value".into(),
            class: classes!("pic-tree-node"),
            swatch: Box::new(|x, y| {
                html! { <rect class="pic-tree-box" x={coord(x - 8.0)} y={coord(y - 6.0)} width="16" height="12" rx="3" /> }
            }),
        },
        LegendItem {
            label: "⇒ what the children fold to".into(),
            class: classes!("pic-fold"),
            swatch: Box::new(|x, y| {
                html! { <text x={coord(x)} y={coord(y + FONT * 0.35)} text-anchor="middle">{ "⇒" }</text> }
            }),
        },
    ];
    let (legend, legend_h) = parts::legend(&items, 0.0, 0.0, width);
    let (placed, nodes) = layout(&data.root);
    let columns = placed.iter().map(|p| p.depth).max().unwrap_or(0) + 1;
    let column_w = width / columns as f64;
    let box_w = (column_w - 18.0).clamp(40.0, 180.0);
    // Inner nodes are two lines tall; rows leave room for them when one has a single child.
    let lone = nodes.iter().any(|n| n.children.len() == 1);
    let row_h = if lone { 44.0 } else { 30.0 };
    let rows = placed.iter().map(|p| p.row).fold(0.0, f64::max) + 1.0;
    let top = legend_h + 8.0;
    let height = top + rows * row_h + 4.0;
    let centre = |p: &Placed| {
        (
            column_w * p.depth as f64 + box_w / 2.0 + 2.0,
            top + p.row * row_h + row_h / 2.0,
        )
    };
    let box_h = |n: &TreeNode| if n.fold.is_some() { 34.0 } else { 22.0 };

    let edges = placed.iter().zip(&nodes).filter_map(|(p, _)| {
        let parent = &placed[p.parent?];
        let (px, py) = centre(parent);
        let (cx, cy) = centre(p);
        let (x0, x1) = (px + box_w / 2.0, cx - box_w / 2.0);
        let mid = (x0 + x1) / 2.0;
        Some(html! {
            <path class="pic-tree-edge" d={format!("M{} {} C{} {} {} {} {} {}", coord(x0), coord(py), coord(mid), coord(py), coord(mid), coord(cy), coord(x1), coord(cy))} />
        })
    });

    let boxes = placed.iter().zip(&nodes).enumerate().map(|(i, (p, n))| {
        let (x, y) = centre(p);
        let h = box_h(n);
        let (text, _) = axis::fit(&node_text(n), box_w - 8.0, FONT);
        let fold = n.fold.as_ref().map(|f| {
            let (shown, _) = axis::fit(&format!("⇒ {f}"), box_w - 8.0, SMALL);
            html! { <text class="pic-fold" x={coord(x)} y={coord(y + SMALL + 1.0)} text-anchor="middle" font-size={SMALL.to_string()} data-testid="tree-fold">{ shown }</text> }
        });
        let text_y = if n.fold.is_some() { y - 3.0 } else { y + FONT * 0.35 };
        let tooltip = match &n.fold {
            Some(f) => format!("{}; its children fold to {f}", node_text(n)),
            None => node_text(n),
        };
        html! {
            <g class={classes!("pic-tree-node", tone_class(n.tone), n.fold.is_some().then_some("inner"))}
               tabindex="0" data-testid={format!("tree-node-{i}")}>
                <title>{ tooltip }</title>
                <rect class="pic-tree-box" x={coord(x - box_w / 2.0)} y={coord(y - h / 2.0)} width={coord(box_w)} height={coord(h)} rx="5" />
                <text class="pic-tree-text" x={coord(x)} y={coord(text_y)} text-anchor="middle">{ text }</text>
                { for fold }
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
