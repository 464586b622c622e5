//! The hash ring: servers' virtual nodes as coloured arcs, keys as dots at their hash
//! positions, the keys that moved at the last membership change ringed, a key's lookup walk,
//! load per server as bars, and the same change under hash mod N for comparison.
//!
//! Geometry comes from `failscope_sim::hashring` and the lab's own placement
//! (`labs::ring::replicas_by_key`), so the picture is exactly what the simulation uses. It
//! is recomputed only when the membership changes (the panel's version).

use crate::layout::Coord;
use crate::session::UiAction;
use failscope_labs::ring as lab;
use failscope_sim::action::Action;
use failscope_sim::hashring::{self, Ring};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::view::RingPanel;
use std::fmt::Write;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

const SIZE: f64 = 440.0;
const CENTER: f64 = SIZE / 2.0;
const RADIUS: f64 = 170.0;
/// Above this many virtual nodes, individual ticks are not drawn: only the owner arcs.
const MAX_TICKS: usize = 2_000;

#[derive(Properties, PartialEq)]
pub struct RingViewProps {
    pub panel: RingPanel,
    /// The panel before the last membership change, to show what moved.
    pub previous: Option<RingPanel>,
    /// All servers in the simulation (members and spares).
    pub n_nodes: u16,
    pub on_action: Callback<UiAction>,
}

/// Everything drawn, derived from a panel once per membership change.
#[derive(Clone, PartialEq)]
struct Layout {
    arcs: Vec<(NodeId, String)>,
    ticks: Vec<(NodeId, String)>,
    keys: Vec<KeyDot>,
    loads: Vec<(NodeId, usize)>,
    vnodes: usize,
    moved: usize,
    moved_mod_n: Option<usize>,
}

#[derive(Clone, PartialEq)]
struct KeyDot {
    key: u16,
    x: f64,
    y: f64,
    owner: Option<NodeId>,
    moved: bool,
}

fn angle(position: u64) -> f64 {
    position as f64 / 18_446_744_073_709_551_616.0 * std::f64::consts::TAU
        - std::f64::consts::FRAC_PI_2
}

fn point(position: u64, radius: f64) -> (f64, f64) {
    let a = angle(position);
    (CENTER + radius * a.cos(), CENTER + radius * a.sin())
}

/// An SVG arc from `start` to `end` clockwise on the ring (positions, wrapping).
fn arc_path(out: &mut String, start: u64, end: u64) {
    let (x1, y1) = point(start, RADIUS);
    let (x2, y2) = point(end, RADIUS);
    let span = end.wrapping_sub(start);
    let large = u8::from(span > u64::MAX / 2);
    let _ = write!(
        out,
        "M{} {}A{RADIUS} {RADIUS} 0 {large} 1 {} {}",
        Coord(x1),
        Coord(y1),
        Coord(x2),
        Coord(y2)
    );
}

fn owners(panel: &RingPanel) -> Vec<Option<NodeId>> {
    lab::replicas_by_key(panel)
        .into_iter()
        .map(|r| r.first().copied())
        .collect()
}

fn layout(panel: &RingPanel, previous: Option<&RingPanel>) -> Layout {
    let ring = ring_of(panel);
    let mut arcs: Vec<(NodeId, String)> = Vec::new();
    // Consecutive arcs of one owner are merged: 25,600 virtual nodes become far fewer runs.
    let mut runs: Vec<(NodeId, u64, u64)> = Vec::new();
    for arc in ring.arcs() {
        let owner = arc.owner as NodeId;
        match runs.last_mut() {
            Some(run) if run.0 == owner && run.2 == arc.start => run.2 = arc.end,
            _ => runs.push((owner, arc.start, arc.end)),
        }
    }
    for (owner, start, end) in runs {
        let slot = match arcs.iter_mut().find(|(n, _)| *n == owner) {
            Some(slot) => slot,
            None => {
                arcs.push((owner, String::new()));
                arcs.last_mut().expect("just pushed")
            }
        };
        if start == end {
            // A single owner holds the whole ring.
            arc_path(&mut slot.1, 0, u64::MAX / 2);
            arc_path(&mut slot.1, u64::MAX / 2, u64::MAX);
        } else {
            arc_path(&mut slot.1, start, end);
        }
    }
    let vnodes = ring.vnodes().len();
    let mut ticks: Vec<(NodeId, String)> = Vec::new();
    if vnodes <= MAX_TICKS {
        for &(position, node) in ring.vnodes() {
            let owner = node as NodeId;
            let (x1, y1) = point(position, RADIUS - 9.0);
            let (x2, y2) = point(position, RADIUS + 9.0);
            let slot = match ticks.iter_mut().find(|(n, _)| *n == owner) {
                Some(slot) => slot,
                None => {
                    ticks.push((owner, String::new()));
                    ticks.last_mut().expect("just pushed")
                }
            };
            let _ = write!(
                slot.1,
                "M{} {}L{} {}",
                Coord(x1),
                Coord(y1),
                Coord(x2),
                Coord(y2)
            );
        }
    }
    let now = owners(panel);
    let before = previous.map(owners);
    let keys: Vec<KeyDot> = now
        .iter()
        .enumerate()
        .map(|(key, &owner)| {
            // Three inner tracks, so keys hashing close together stay tellable apart.
            let track = RADIUS - 22.0 - 9.0 * (key % 3) as f64;
            let (x, y) = point(hashring::hash_key(key as u64), track);
            let moved = before
                .as_ref()
                .is_some_and(|b| b.get(key).copied().flatten() != owner);
            KeyDot {
                key: key as u16,
                x,
                y,
                owner,
                moved,
            }
        })
        .collect();
    let moved = keys.iter().filter(|k| k.moved).count();
    let moved_mod_n = previous.map(|p| {
        let a = owners(&lab::with_algorithm(p, 1));
        let b = owners(&lab::with_algorithm(panel, 1));
        a.iter().zip(&b).filter(|(x, y)| x != y).count()
    });
    let mut loads: Vec<(NodeId, usize)> = panel.members.iter().map(|&(n, _)| (n, 0)).collect();
    for k in &keys {
        if let Some(slot) = loads.iter_mut().find(|(n, _)| Some(*n) == k.owner) {
            slot.1 += 1;
        }
    }
    Layout {
        arcs,
        ticks,
        keys,
        loads,
        vnodes,
        moved,
        moved_mod_n,
    }
}

fn ring_of(panel: &RingPanel) -> Ring {
    let mut ring = Ring::new();
    for &(node, weight) in &panel.members {
        let _ = ring.add_node_weighted(u32::from(node), weight);
    }
    ring
}

fn std_over_mean(loads: &[(NodeId, usize)]) -> (f64, f64, usize) {
    let n = loads.len().max(1) as f64;
    let mean = loads.iter().map(|l| l.1 as f64).sum::<f64>() / n;
    let var = loads
        .iter()
        .map(|l| (l.1 as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    let max = loads.iter().map(|l| l.1).max().unwrap_or(0);
    (mean, if mean > 0.0 { var.sqrt() / mean } else { 0.0 }, max)
}

#[component]
pub fn RingView(props: &RingViewProps) -> Html {
    let layout = use_memo(
        (props.panel.clone(), props.previous.clone()),
        |(panel, previous)| layout(panel, previous.as_ref()),
    );
    let selected = use_state(|| None::<u16>);
    let panel = &props.panel;
    let walk = selected.and_then(|key| {
        let replicas = lab::replicas_by_key(panel).get(usize::from(key)).cloned()?;
        Some((key, replicas))
    });
    let on_key = |key: u16| {
        let selected = selected.clone();
        Callback::from(move |_: MouseEvent| selected.set(Some(key)))
    };
    let arcs = layout.arcs.iter().map(|(owner, d)| {
        html! { <path class={format!("ring-arc owner-{}", owner % 8)} d={d.clone()} /> }
    });
    let ticks = layout.ticks.iter().map(|(owner, d)| {
        html! { <path class={format!("ring-tick owner-{}", owner % 8)} d={d.clone()} /> }
    });
    let keys = layout.keys.iter().map(|k| {
        let class = classes!("ring-key", k.owner.map(|o| format!("owner-{}", o % 8)), k.moved.then_some("moved"),
                             (*selected == Some(k.key)).then_some("selected"));
        html! {
            <circle class={class} cx={Coord(k.x).to_string()} cy={Coord(k.y).to_string()} r="4"
                    data-testid={format!("ring-key-{}", k.key)} onclick={on_key(k.key)}>
                <title>{ format!("k{} → {}", k.key, k.owner.map_or("nobody".into(), node_name)) }</title>
            </circle>
        }
    });
    let walk_view = walk.as_ref().map(|(key, replicas)| {
        let position = hashring::hash_key(u64::from(*key));
        let ring = ring_of(panel);
        let mut d = String::new();
        let mut markers = Vec::new();
        if panel.algorithm == 0 {
            // Consistent hashing: the clockwise walk from the key to each replica's point.
            let w = ring.walk(position, replicas.len());
            let mut from = position;
            for step in w.steps.iter().filter(|s| s.new_replica) {
                arc_path(&mut d, from, step.position);
                from = step.position;
                markers.push((step.position, step.node as NodeId));
            }
        }
        let (kx, ky) = point(position, RADIUS);
        html! {
            <g class="ring-walk" data-testid="ring-walk">
                <path class="walk-path" d={d} />
                <circle class="walk-key" cx={Coord(kx).to_string()} cy={Coord(ky).to_string()} r="6" />
                { for markers.iter().enumerate().map(|(i, &(p, n))| {
                    let (x, y) = point(p, RADIUS + 22.0);
                    html! { <text class="walk-label" x={Coord(x).to_string()} y={Coord(y).to_string()}>{ format!("{}{}", if i == 0 { "owner " } else { "" }, node_name(n)) }</text> }
                }) }
            </g>
        }
    });
    let (mean, spread, max) = std_over_mean(&layout.loads);
    let bar_max = layout.loads.iter().map(|l| l.1).max().unwrap_or(1).max(1) as f64;
    let bars = layout.loads.iter().map(|&(node, count)| {
        let width = count as f64 / bar_max * 100.0;
        html! {
            <div class="bar-row" data-testid={format!("load-{}", node_name(node))}>
                <span class="bar-label">{ node_name(node) }</span>
                <span class="bar-track"><span class={format!("bar owner-{}", node % 8)} style={format!("width:{width:.1}%")} /></span>
                <span class="bar-value">{ count }</span>
            </div>
        }
    });
    let members: Vec<NodeId> = panel.members.iter().map(|m| m.0).collect();
    let spares: Vec<NodeId> = (0..props.n_nodes)
        .filter(|n| !members.contains(n))
        .collect();
    let node_ref = use_node_ref();
    let weight_ref = use_node_ref();
    let act = |verb: &'static str, node_ref: &NodeRef, weight_ref: &NodeRef| {
        let cb = props.on_action.clone();
        let node_ref = node_ref.clone();
        let weight_ref = weight_ref.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(node) = node_ref
                .cast::<HtmlSelectElement>()
                .and_then(|s| s.value().parse::<i64>().ok())
            else {
                return;
            };
            let mut args = vec![node];
            if verb == "weight" {
                let weight = weight_ref
                    .cast::<HtmlInputElement>()
                    .and_then(|i| i.value().parse::<i64>().ok())
                    .unwrap_or(128);
                args.push(weight);
            }
            cb.emit(UiAction::Apply(Action::Lab {
                verb: verb.into(),
                args,
            }));
        })
    };
    let on_lookup = {
        let selected = selected.clone();
        let n_keys = panel.n_keys;
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(key) = input.value().trim().parse::<u32>() {
                if key < n_keys {
                    selected.set(Some(key as u16));
                }
            }
        })
    };
    // The statistics belong to one membership change: shown only while the ring is the
    // one they were computed for (a later join, leave or restart makes them stale).
    let big = use_state(|| None::<(Membership, String)>);
    let on_big = {
        let big = big.clone();
        let panel = panel.clone();
        Callback::from(move |_: MouseEvent| {
            let big = big.clone();
            let panel = panel.clone();
            big.set(Some((Membership::of(&panel), "computing…".into())));
            wasm_bindgen_futures::spawn_local(async move {
                let text = million_key_stats(&panel).await;
                big.set(Some((Membership::of(&panel), text)));
            });
        })
    };
    let big_text = big
        .as_ref()
        .filter(|(membership, _)| *membership == Membership::of(panel))
        .map(|(_, text)| text.clone());
    let on_join = act("join", &node_ref, &weight_ref);
    let on_leave = act("leave", &node_ref, &weight_ref);
    let on_weight = act("weight", &node_ref, &weight_ref);
    let moved_line = match (layout.moved_mod_n, panel.n_keys) {
        (Some(mod_n), keys) if keys > 0 => html! {
            <p data-testid="moved-summary">
                <strong>{ format!("{} of {keys} keys moved ({:.0}%)", layout.moved, layout.moved as f64 / keys as f64 * 100.0) }</strong>
                { format!(" at the last change; hash mod N would have moved {mod_n} ({:.0}%).", mod_n as f64 / keys as f64 * 100.0) }
            </p>
        },
        _ => {
            html! { <p class="muted small">{ "Add or remove a server to see which keys move (ringed in red)." }</p> }
        }
    };
    html! {
        <section class="ring-view" data-testid="ring-view" aria-label="Hash ring">
            <div class="panel-head">
                <h3>{ "The ring" }</h3>
                <span class="muted small">{ format!("{} · {} virtual nodes · R = {}, W = {}", panel.algorithm_name, layout.vnodes, panel.replicas, panel.write_quorum) }</span>
            </div>
            <div class="ring-body">
                <svg viewBox={format!("0 0 {SIZE} {SIZE}")} class="ring-svg" role="img"
                     aria-label={format!("Hash ring with {} servers and {} keys", members.len(), panel.n_keys)}>
                    <circle class="ring-base" cx={CENTER.to_string()} cy={CENTER.to_string()} r={RADIUS.to_string()} />
                    { for arcs }
                    { for ticks }
                    { for keys }
                    { for walk_view }
                </svg>
                <div class="ring-side">
                    { moved_line }
                    <div class="bars" data-testid="load-bars">{ for bars }</div>
                    <p class="small muted">{ format!("mean {mean:.1} keys, max {max}, std/mean {spread:.2}") }</p>
                    <div class="row wrap ring-actions">
                        <select ref={node_ref} aria-label="Server" data-testid="ring-node">
                            { for spares.iter().map(|&n| html! { <option value={n.to_string()}>{ format!("{} (spare)", node_name(n)) }</option> }) }
                            { for members.iter().map(|&n| html! { <option value={n.to_string()}>{ node_name(n) }</option> }) }
                        </select>
                        <button class="btn btn-primary" data-testid="ring-join" onclick={on_join}>{ "Join" }</button>
                        <button class="btn" data-testid="ring-leave" onclick={on_leave}>{ "Leave" }</button>
                        <input ref={weight_ref} type="number" ~defaultValue="128" min="1" max="4096" class="narrow" aria-label="Weight (virtual nodes)" />
                        <button class="btn" data-testid="ring-weight" onclick={on_weight}>{ "Set weight" }</button>
                    </div>
                    <p class="small">
                        <button class="btn small" data-testid="million-keys" onclick={on_big}>{ "Statistics for 1,000,000 keys" }</button>
                        if let Some(text) = big_text { <span data-testid="million-result">{ format!(" {text}") }</span> }
                    </p>
                    <label class="small">{ "Look up key " }
                        <input type="number" min="0" max={panel.n_keys.saturating_sub(1).to_string()} class="narrow"
                               data-testid="lookup-key" aria-label="Key to look up" onchange={on_lookup} />
                    </label>
                    if let Some((key, replicas)) = &walk {
                        <p class="small" data-testid="lookup">{ format!("k{key}: hash → position → clockwise to {}", replicas.iter().map(|&n| node_name(n)).collect::<Vec<_>>().join(", then ")) }</p>
                    } else {
                        <p class="small muted">{ "Click a key to follow its lookup." }</p>
                    }
                </div>
            </div>
        </section>
    }
}

/// Keys moved by the last membership change and the load spread, over a million keys, in
/// slices of 100,000 with a yield to the browser between them so the page stays responsive.
/// What the million-key statistics depend on.
#[derive(Clone, Debug, PartialEq)]
struct Membership {
    members: Vec<(NodeId, u32)>,
    previous: Vec<(NodeId, u32)>,
    algorithm: u8,
}

impl Membership {
    fn of(panel: &RingPanel) -> Membership {
        Membership {
            members: panel.members.clone(),
            previous: panel.previous_members.clone(),
            algorithm: panel.algorithm,
        }
    }
}

async fn million_key_stats(panel: &RingPanel) -> String {
    const KEYS: u64 = 1_000_000;
    const SLICE: u64 = 100_000;
    let started = js_sys::Date::now();
    let after = ring_of(panel);
    let previous = panel.previous();
    let before = previous.as_ref().map(ring_of);
    let members = |p: &RingPanel| p.members.iter().map(|m| u32::from(m.0)).collect::<Vec<_>>();
    let mod_n_after = hashring::ModN::with_nodes(&members(panel)).ok();
    let mod_n_before = previous
        .as_ref()
        .and_then(|p| hashring::ModN::with_nodes(&members(p)).ok());
    let mut moved = 0u64;
    let mut moved_mod_n = 0u64;
    let mut loads: std::collections::BTreeMap<u32, u64> = std::collections::BTreeMap::new();
    let mut key = 0;
    while key < KEYS {
        for k in key..(key + SLICE).min(KEYS) {
            let h = hashring::hash_key(k);
            let owner = after.lookup(h);
            if let Some(o) = owner {
                *loads.entry(o).or_insert(0) += 1;
            }
            if let Some(before) = &before {
                moved += u64::from(before.lookup(h) != owner);
            }
            if let (Some(a), Some(b)) = (&mod_n_after, &mod_n_before) {
                use hashring::Placement;
                moved_mod_n += u64::from(a.owner(h) != b.owner(h));
            }
        }
        key += SLICE;
        gloo::timers::future::TimeoutFuture::new(0).await;
    }
    let counts: Vec<f64> = loads.values().map(|&c| c as f64).collect();
    let n = counts.len().max(1) as f64;
    let mean = counts.iter().sum::<f64>() / n;
    let std = (counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / n).sqrt();
    let elapsed = js_sys::Date::now() - started;
    let spread = format!(
        "load std/mean {:.3}",
        if mean > 0.0 { std / mean } else { 0.0 }
    );
    match before {
        Some(_) => format!(
            "ring moved {:.2}%, hash mod N {:.2}%; {spread} ({elapsed:.0} ms)",
            moved as f64 / KEYS as f64 * 100.0,
            moved_mod_n as f64 / KEYS as f64 * 100.0
        ),
        None => format!("{spread} ({elapsed:.0} ms); change the membership to see keys move"),
    }
}
