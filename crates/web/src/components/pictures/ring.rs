//! The ring picture kind: a circle of `2^64` positions (a hash ring). Owners' arcs in the
//! shared categorical palette with a legend, virtual nodes as ticks, points (keys) inside the
//! rim in their owner's colour, ringed when highlighted, and a lookup walk: the picked
//! point's, or the one the lab features.
//!
//! The geometry (arc paths, ticks, point positions) is derived once per picture version. The
//! drawing is one focusable image: arrow keys step through the points in ring order, Escape
//! lets go, and the lookup field finds a point by name.

use crate::layout::Coord;
use failscope_sim::picture::Ring;
use std::fmt::Write;
use web_sys::HtmlInputElement;
use yew::prelude::*;

const SIZE: f64 = 440.0;
const CENTER: f64 = SIZE / 2.0;
const RADIUS: f64 = 170.0;
const TWO_TO_64: f64 = 18_446_744_073_709_551_616.0;

#[derive(Properties, PartialEq)]
pub struct RingViewProps {
    pub ring: Ring,
    /// The picture's version: the geometry is derived again only when it changes.
    pub version: u64,
    /// What the picture is, for the image's accessible name.
    #[prop_or_default]
    pub title: String,
}

fn angle(position: u64) -> f64 {
    position as f64 / TWO_TO_64 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2
}

fn point(position: u64, radius: f64) -> (f64, f64) {
    let a = angle(position);
    (CENTER + radius * a.cos(), CENTER + radius * a.sin())
}

/// An SVG arc clockwise from `start` to `end` at `radius`; the whole circle when they meet.
fn arc_path(out: &mut String, start: u64, end: u64, radius: f64) {
    if start == end {
        arc_path(out, start, start.wrapping_add(1 << 63), radius);
        arc_path(out, start.wrapping_add(1 << 63), start, radius);
        return;
    }
    let (x1, y1) = point(start, radius);
    let (x2, y2) = point(end, radius);
    let large = u8::from(end.wrapping_sub(start) > 1 << 63);
    // Coord, not `{radius}`: the float formatter is slow, and a big ring writes 25,000 arcs.
    let r = Coord(radius);
    let _ = write!(
        out,
        "M{} {}A{r} {r} 0 {large} 1 {} {}",
        Coord(x1),
        Coord(y1),
        Coord(x2),
        Coord(y2)
    );
}

/// Everything drawn that depends only on the picture's data.
struct Geometry {
    /// Per owner: its arcs as one path, its ticks as one path, its share of the circle in
    /// hundredths of a percent (`None` without arcs), and its points.
    owners: Vec<OwnerShape>,
    /// Per point: where its dot goes.
    dots: Vec<(f64, f64)>,
    /// Point indices in ring order, for the arrow keys.
    order: Vec<usize>,
    /// Point labels, for the lookup field.
    labels: Vec<String>,
}

#[derive(Default)]
struct OwnerShape {
    arcs: String,
    ticks: String,
    share: Option<u64>,
    points: usize,
}

fn geometry(ring: &Ring) -> Geometry {
    let mut owners: Vec<OwnerShape> = ring.owners.iter().map(|_| OwnerShape::default()).collect();
    let mut spans = vec![0u128; owners.len()];
    for arc in &ring.arcs {
        if let Some(shape) = owners.get_mut(usize::from(arc.owner)) {
            arc_path(&mut shape.arcs, arc.start, arc.end, RADIUS);
            spans[usize::from(arc.owner)] += arc.span();
        }
    }
    if !ring.arcs.is_empty() {
        for (shape, span) in owners.iter_mut().zip(&spans) {
            shape.share = Some(((span * 10_000) >> 64) as u64);
        }
    }
    for &(position, owner) in &ring.ticks {
        if let Some(shape) = owners.get_mut(usize::from(owner)) {
            let (x1, y1) = point(position, RADIUS - 9.0);
            let (x2, y2) = point(position, RADIUS + 9.0);
            let _ = write!(
                shape.ticks,
                "M{} {}L{} {}",
                Coord(x1),
                Coord(y1),
                Coord(x2),
                Coord(y2)
            );
        }
    }
    let dots = ring
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if let Some(shape) = p.owner.and_then(|o| owners.get_mut(usize::from(o))) {
                shape.points += 1;
            }
            // Three inner tracks, so points hashing close together stay tellable apart.
            point(p.position, RADIUS - 22.0 - 9.0 * (i % 3) as f64)
        })
        .collect();
    let mut order: Vec<usize> = (0..ring.points.len()).collect();
    order.sort_by_key(|&i| ring.points[i].position);
    Geometry {
        owners,
        dots,
        order,
        labels: ring.points.iter().map(|p| p.label.clone()).collect(),
    }
}

/// The point a typed name stands for: its label, or the label's number ("7" for "k7").
fn find_point(labels: &[String], typed: &str) -> Option<usize> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    labels.iter().position(|label| {
        label.eq_ignore_ascii_case(typed)
            || label.trim_start_matches(|c: char| !c.is_ascii_digit()) == typed
    })
}

fn percent(hundredths: u64) -> String {
    format!("{}.{}%", hundredths / 100, hundredths % 100 / 10)
}

#[component]
pub fn RingView(props: &RingViewProps) -> Html {
    let ring = &props.ring;
    let shapes = use_memo(props.version, |_| geometry(ring));
    // The picked point, by label: it stays picked when the data changes (a membership
    // change moves it to another owner) as long as a point of that name remains.
    let selected = use_state(|| None::<String>);
    let chosen = selected
        .as_deref()
        .and_then(|label| shapes.labels.iter().position(|l| l == label));
    let pick = {
        let selected = selected.clone();
        let shapes = shapes.clone();
        Callback::from(move |i: Option<usize>| {
            selected.set(i.and_then(|i| shapes.labels.get(i).cloned()));
        })
    };
    // The picked point's walk, or the one the lab features.
    let walk = match chosen {
        Some(i) => ring
            .points
            .get(i)
            .map(|p| (p.position, p.walk.clone()))
            .filter(|(_, w)| !w.is_empty()),
        None => ring.walk.clone(),
    };
    let walk_view = walk.map(|(from, steps)| {
        let owner = ring
            .points
            .iter()
            .find(|p| p.position == from)
            .and_then(|p| p.owner);
        let mut d = String::new();
        let mut at = from;
        for &step in &steps {
            arc_path(&mut d, at, step, RADIUS - 4.0);
            at = step;
        }
        let (kx, ky) = point(from, RADIUS - 4.0);
        let labels = steps.iter().filter_map(|&step| {
            let reached = ring.arc_at(step)?.owner;
            let label = &ring.owners.get(usize::from(reached))?.label;
            let (x, y) = point(step, RADIUS + 24.0);
            let text = if owner == Some(reached) {
                format!("owner {label}")
            } else {
                label.clone()
            };
            Some(html! { <text class="walk-label" font-size="12" x={Coord(x).to_string()} y={Coord(y).to_string()}>{ text }</text> })
        });
        html! {
            <g class="ring-walk" data-testid="ring-walk">
                <path class="walk-path" d={d} />
                <circle class="walk-key" cx={Coord(kx).to_string()} cy={Coord(ky).to_string()} r="5" />
                { for labels }
            </g>
        }
    });
    let arcs = shapes.owners.iter().zip(&ring.owners).filter(|(s, _)| !s.arcs.is_empty()).map(|(shape, owner)| {
        let tip = match shape.share {
            Some(share) => format!("{}: {} of the ring", owner.label, percent(share)),
            None => owner.label.clone(),
        };
        html! {
            <path class={classes!("ring-arc", format!("cat-{}", owner.colour % 8))} d={shape.arcs.clone()}>
                <title>{ tip }</title>
            </path>
        }
    });
    let ticks = shapes.owners.iter().zip(&ring.owners).filter(|(s, _)| !s.ticks.is_empty()).map(|(shape, owner)| {
        html! { <path class={classes!("ring-tick", format!("cat-{}", owner.colour % 8))} d={shape.ticks.clone()} /> }
    });
    let radius = if ring.points.len() > 400 { "2.6" } else { "4" };
    let dots = ring
        .points
        .iter()
        .zip(&shapes.dots)
        .enumerate()
        .map(|(i, (p, &(x, y)))| {
            let colour = p
                .owner
                .and_then(|o| ring.owners.get(usize::from(o)))
                .map(|o| format!("cat-{}", o.colour % 8));
            let class = classes!(
                "ring-point",
                colour,
                p.owner.is_none().then_some("unowned"),
                p.highlight.then_some("highlight"),
                (chosen == Some(i)).then_some("selected")
            );
            let onclick = {
                let pick = pick.clone();
                Callback::from(move |_: MouseEvent| pick.emit(Some(i)))
            };
            html! {
                <circle class={class} cx={Coord(x).to_string()} cy={Coord(y).to_string()} r={radius}
                        data-testid={format!("ring-point-{i}")} onclick={onclick}>
                    <title>{ &p.detail }</title>
                </circle>
            }
        });
    let onkeydown = {
        let pick = pick.clone();
        let order = shapes.clone();
        Callback::from(move |e: KeyboardEvent| {
            let order = &order.order;
            if order.is_empty() {
                return;
            }
            let at = chosen.and_then(|c| order.iter().position(|&i| i == c));
            let next = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => Some(at.map_or(0, |a| (a + 1) % order.len())),
                "ArrowLeft" | "ArrowUp" => {
                    Some(at.map_or(order.len() - 1, |a| (a + order.len() - 1) % order.len()))
                }
                "Escape" => {
                    pick.emit(None);
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            pick.emit(next.map(|n| order[n]));
        })
    };
    let on_lookup = {
        let pick = pick.clone();
        let shapes = shapes.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(i) = find_point(&shapes.labels, &input.value()) {
                pick.emit(Some(i));
            }
        })
    };
    let highlighted = ring.points.iter().filter(|p| p.highlight).count();
    let label = format!(
        "{}: {} owners, {} points{}. Arrow keys step through the points.",
        if props.title.is_empty() {
            "Ring"
        } else {
            &props.title
        },
        ring.owners.len(),
        ring.points.len(),
        if highlighted > 0 {
            format!(", {highlighted} highlighted")
        } else {
            String::new()
        }
    );
    let legend = shapes
        .owners
        .iter()
        .zip(&ring.owners)
        .map(|(shape, owner)| {
            let figure = match shape.share {
                Some(share) => percent(share),
                None => format!("{} points", shape.points),
            };
            html! {
                <li data-testid={format!("ring-owner-{}", owner.label)}>
                    <span class={classes!("swatch", format!("cat-{}", owner.colour % 8))} />
                    { &owner.label }<span class="muted">{ format!(" {figure}") }</span>
                </li>
            }
        });
    let chosen_text = chosen
        .and_then(|i| ring.points.get(i))
        .map(|p| p.detail.clone());
    html! {
        <div class="ring-body">
            <svg viewBox={format!("0 0 {0} {0}", Coord(SIZE))} class="ring-svg" role="img" tabindex="0"
                 aria-label={label} onkeydown={onkeydown}>
                <circle class="ring-base" cx={Coord(CENTER).to_string()} cy={Coord(CENTER).to_string()} r={Coord(RADIUS).to_string()} />
                { for arcs }
                { for ticks }
                { for dots }
                { for walk_view }
            </svg>
            <div class="ring-side">
                <ul class="ring-legend" aria-label="Owners">{ for legend }</ul>
                if highlighted > 0 {
                    <p class="small"><span class="ring-moved-swatch" />{ format!(" {highlighted} ringed: moved at the last change") }</p>
                }
                <label class="small">{ "Look up " }
                    <input type="text" class="narrow" data-testid="ring-lookup" aria-label="Point to look up (name or number)"
                           placeholder="k7" onchange={on_lookup} />
                </label>
                <p class="small" data-testid="ring-lookup-result" aria-live="polite">
                    { chosen_text.unwrap_or_else(|| "Click a point, or focus the ring and use the arrow keys, to follow its lookup.".into()) }
                </p>
            </div>
        </div>
    }
}
