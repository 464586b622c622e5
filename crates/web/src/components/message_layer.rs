//! The messages in flight, drawn straight into the SVG rather than through Yew's virtual DOM:
//! they move every frame, and diffing a virtual tree of a thousand dots costs more than the
//! whole simulation.
//!
//! Up to [`DOM_LIMIT`] messages each get their own `<circle>` (with a `data-testid`, so tests
//! and people can click one); beyond that, what cannot be told apart anyway is painted on a
//! `<canvas>` laid over the picture (rasterising a thousand SVG shapes every frame is what
//! costs most), and clicks are resolved to the nearest message. Selected and highlighted
//! messages always keep their own element.

use crate::layout::{self, Point};
use failscope_sim::ids::MsgId;
use failscope_sim::view::MessageView;
use failscope_sim::world::MessagePlace;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Most messages drawn as individual elements.
pub const DOM_LIMIT: usize = 300;

struct Dot {
    element: web_sys::Element,
    class: String,
    /// Generation of the last frame that saw this message (to find the departed).
    seen: u64,
}

/// Fill colours of message kinds on the canvas (the Okabe–Ito palette of `--k0`…`--k7`).
const KIND_COLOURS: &[&str] = &[
    "#56b4e9", "#cc79a7", "#f0e442", "#b8b8b8", "#e69f00", "#0072b2", "#009e73", "#6e6e6e",
];

/// The elements of the message layer.
#[derive(Default)]
pub struct MessageLayer {
    dots: BTreeMap<MsgId, Dot>,
    /// The messages the canvas shows (empty: it is blank), and their dot radius.
    painted: Vec<(Point, u8, bool)>,
    painted_radius: f64,
    generation: u64,
}

/// What a frame needs to place the dots.
pub struct Frame<'a> {
    pub messages: &'a [MessageView],
    pub positions: &'a [Point],
    pub node_radius: f64,
    pub now: u64,
    pub selected: Option<MsgId>,
    pub highlighted: &'a [MsgId],
    pub kinds: &'a [&'a str],
}

impl Frame<'_> {
    /// Where message `m` is drawn.
    pub fn point(&self, m: &MessageView) -> Option<Point> {
        let from = *self.positions.get(usize::from(m.from))?;
        let to = *self.positions.get(usize::from(m.to))?;
        let progress = match m.place {
            MessagePlace::Flying => f64::from(m.progress_permille(self.now)) / 1000.0,
            MessagePlace::Held => 0.5,
            MessagePlace::Waiting => 1.0,
        };
        Some(layout::message_point(from, to, progress, self.node_radius))
    }

    fn dot_radius(&self) -> f64 {
        if self.positions.len() > 20 {
            4.0
        } else {
            7.0
        }
    }

    /// The message drawn nearest to `p`, if one is within reach of a click.
    pub fn nearest(&self, p: Point) -> Option<MsgId> {
        let reach = self.dot_radius() * 2.5;
        self.messages
            .iter()
            .filter_map(|m| {
                let q = self.point(m)?;
                let d = ((q.x - p.x).powi(2) + (q.y - p.y).powi(2)).sqrt();
                (d <= reach).then_some((d, m.id))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }
}

impl MessageLayer {
    /// Make `group`'s children (and `canvas`, past the DOM limit) match the frame.
    pub fn update(
        &mut self,
        group: &web_sys::Element,
        canvas: Option<&web_sys::HtmlCanvasElement>,
        frame: &Frame<'_>,
    ) {
        self.generation += 1;
        let aggregate = frame.messages.len() > DOM_LIMIT;
        let mut painted: Vec<(Point, u8, bool)> = Vec::new();
        for m in frame.messages {
            let Some(p) = frame.point(m) else { continue };
            let special = frame.selected == Some(m.id) || frame.highlighted.contains(&m.id);
            if aggregate && !special {
                painted.push((p, m.kind, m.place != MessagePlace::Flying));
            } else {
                self.place_dot(group, frame, m, p);
            }
        }
        if let Some(canvas) = canvas {
            // The canvas may outlive this layer (a new run on the same page starts a fresh
            // layer): what it last showed is on the canvas itself, so clear by that.
            let shown = canvas.get_attribute("data-count").is_some_and(|c| c != "0");
            if !painted.is_empty() || !self.painted.is_empty() || shown {
                paint(canvas, group, &painted, frame.dot_radius());
            }
            let _ = canvas.set_attribute("data-count", &painted.len().to_string());
        }
        self.painted = painted;
        self.painted_radius = frame.dot_radius();
        let generation = self.generation;
        self.dots.retain(|_, dot| {
            let keep = dot.seen == generation;
            if !keep {
                dot.element.remove();
            }
            keep
        });
    }

    fn place_dot(
        &mut self,
        group: &web_sys::Element,
        frame: &Frame<'_>,
        m: &MessageView,
        p: Point,
    ) {
        let generation = self.generation;
        let radius = crate::layout::coord(frame.dot_radius());
        let small = frame.positions.len() > 20;
        let dot = self.dots.entry(m.id).or_insert_with(|| {
            let document = gloo::utils::document();
            let element = document
                .create_element_ns(Some(SVG_NS), "circle")
                .expect("SVG circles can be created");
            let kind = frame
                .kinds
                .get(usize::from(m.kind))
                .copied()
                .unwrap_or("message");
            let _ = element.set_attribute("r", &radius);
            let _ = element.set_attribute("data-testid", &format!("message-{}", m.id.0));
            let _ = element.set_attribute("data-msg", &m.id.0.to_string());
            let _ = element.set_attribute("data-kind", kind);
            if !small {
                if let Ok(title) = document.create_element_ns(Some(SVG_NS), "title") {
                    title.set_text_content(Some(&format!(
                        "{kind} #{} from S{} to S{}",
                        m.id.0,
                        m.from + 1,
                        m.to + 1
                    )));
                    let _ = element.append_child(&title);
                }
            }
            let _ = group.append_child(&element);
            Dot {
                element,
                class: String::new(),
                seen: generation,
            }
        });
        dot.seen = generation;
        let _ = dot.element.set_attribute("cx", &layout::coord(p.x));
        let _ = dot.element.set_attribute("cy", &layout::coord(p.y));
        let class = message_class(m, frame);
        if dot.class != class {
            let _ = dot.element.set_attribute("class", &class);
            dot.class = class;
        }
    }

    /// Runs `f` with the canvas-painted messages present as SVG circles in `group`, so a
    /// picture export (which serialises the SVG, not the canvas) shows every message.
    /// The circles are removed before the browser paints again.
    pub fn with_painted_in_svg<R>(&self, group: &web_sys::Element, f: impl FnOnce() -> R) -> R {
        let document = gloo::utils::document();
        let added: Vec<web_sys::Element> = self
            .painted
            .iter()
            .filter_map(|&(p, kind, stalled)| {
                let circle = document.create_element_ns(Some(SVG_NS), "circle").ok()?;
                let r = if stalled {
                    self.painted_radius * 0.8
                } else {
                    self.painted_radius
                };
                let fill = KIND_COLOURS[usize::from(kind) % KIND_COLOURS.len()];
                for (name, value) in [
                    ("cx", layout::coord(p.x)),
                    ("cy", layout::coord(p.y)),
                    ("r", layout::coord(r)),
                    ("fill", fill.to_string()),
                ] {
                    let _ = circle.set_attribute(name, &value);
                }
                group.append_child(&circle).ok()?;
                Some(circle)
            })
            .collect();
        let result = f();
        for circle in added {
            circle.remove();
        }
        result
    }

    /// The message a click on the layer landed on, when it hit an individual dot.
    pub fn message_at(event: &web_sys::Event) -> Option<MsgId> {
        let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
        let dot = target.closest("[data-msg]").ok()??;
        dot.get_attribute("data-msg")?.parse().ok().map(MsgId)
    }

    /// Where a click landed, in canvas (viewBox) coordinates.
    pub fn canvas_point(event: &web_sys::MouseEvent) -> Option<Point> {
        let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
        let svg = target.closest("svg").ok()??;
        let fit = Fit::of(&svg.get_bounding_client_rect())?;
        Some(Point {
            x: (f64::from(event.client_x()) - fit.left) / fit.scale,
            y: (f64::from(event.client_y()) - fit.top) / fit.scale,
        })
    }
}

fn message_class(m: &MessageView, frame: &Frame<'_>) -> String {
    let mut class = format!("msg kind-{}", m.kind);
    if m.place != MessagePlace::Flying {
        class.push_str(" msg-stalled");
    }
    if frame.selected == Some(m.id) {
        class.push_str(" selected");
    }
    if frame.highlighted.contains(&m.id) {
        class.push_str(" highlighted");
    }
    class
}

/// How the viewBox sits in an element's box (`preserveAspectRatio="xMidYMid meet"`: one
/// scale, centred).
struct Fit {
    scale: f64,
    left: f64,
    top: f64,
}

impl Fit {
    fn of(rect: &web_sys::DomRect) -> Option<Fit> {
        let scale = (rect.width() / layout::WIDTH).min(rect.height() / layout::HEIGHT);
        (scale > 0.0).then(|| Fit {
            scale,
            left: rect.left() + (rect.width() - layout::WIDTH * scale) / 2.0,
            top: rect.top() + (rect.height() - layout::HEIGHT * scale) / 2.0,
        })
    }
}

/// Paint `dots` on the canvas laid over the SVG that holds `group`.
fn paint(
    canvas: &web_sys::HtmlCanvasElement,
    group: &web_sys::Element,
    dots: &[(Point, u8, bool)],
    radius: f64,
) {
    let Some(svg) = group.closest("svg").ok().flatten() else {
        return;
    };
    let svg_rect = svg.get_bounding_client_rect();
    let canvas_rect = canvas.get_bounding_client_rect();
    let Some(fit) = Fit::of(&svg_rect) else {
        return;
    };
    let ratio = gloo::utils::window().device_pixel_ratio().max(1.0);
    let (width, height) = (
        (canvas_rect.width() * ratio) as u32,
        (canvas_rect.height() * ratio) as u32,
    );
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    // Clear in canvas pixels: the last paint's transform is still set, and clearing through
    // it left the parts of the canvas outside the scaled rectangle with stale dots.
    let _ = context.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    context.clear_rect(0.0, 0.0, f64::from(width), f64::from(height));
    let (dx, dy) = (fit.left - canvas_rect.left(), fit.top - canvas_rect.top());
    let _ = context.set_transform(
        fit.scale * ratio,
        0.0,
        0.0,
        fit.scale * ratio,
        dx * ratio,
        dy * ratio,
    );
    for kind in 0..KIND_COLOURS.len() as u8 {
        context.begin_path();
        let mut any = false;
        for &(p, k, stalled) in dots {
            if k % KIND_COLOURS.len() as u8 != kind {
                continue;
            }
            any = true;
            let r = if stalled { radius * 0.8 } else { radius };
            context.move_to(p.x + r, p.y);
            let _ = context.arc(p.x, p.y, r, 0.0, std::f64::consts::TAU);
        }
        if any {
            context.set_fill_style_str(KIND_COLOURS[usize::from(kind)]);
            context.fill();
        }
    }
}
