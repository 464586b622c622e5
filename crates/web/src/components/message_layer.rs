//! The messages in flight, drawn straight into the SVG rather than through Yew's virtual DOM:
//! they move every frame, and diffing a virtual tree of a thousand dots costs more than the
//! whole simulation.
//!
//! Up to [`DOM_LIMIT`] messages each get their own `<circle>` (with a `data-testid`, so tests
//! and people can click one); beyond that, what cannot be told apart anyway is aggregated
//! into one `<path>` per message kind, and clicks are resolved to the nearest message.
//! Selected and highlighted messages always keep their own element.

use crate::layout::{self, Coord, Point};
use failscope_sim::ids::MsgId;
use failscope_sim::view::MessageView;
use failscope_sim::world::MessagePlace;
use std::collections::BTreeMap;
use std::fmt::Write;
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

/// The elements of the message layer.
#[derive(Default)]
pub struct MessageLayer {
    dots: BTreeMap<MsgId, Dot>,
    /// Aggregated paths by (kind, stalled).
    paths: BTreeMap<(u8, bool), web_sys::Element>,
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
    /// Make `group`'s children match the frame.
    pub fn update(&mut self, group: &web_sys::Element, frame: &Frame<'_>) {
        self.generation += 1;
        let aggregate = frame.messages.len() > DOM_LIMIT;
        let mut path_data: BTreeMap<(u8, bool), (String, usize)> = BTreeMap::new();
        let r = frame.dot_radius();
        for m in frame.messages {
            let Some(p) = frame.point(m) else { continue };
            let special = frame.selected == Some(m.id) || frame.highlighted.contains(&m.id);
            if aggregate && !special {
                let (d, count) = path_data
                    .entry((m.kind, m.place != MessagePlace::Flying))
                    .or_default();
                *count += 1;
                let _ = write!(
                    d,
                    "M{} {}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 -{} 0",
                    Coord(p.x - r),
                    Coord(p.y),
                    2.0 * r,
                    2.0 * r
                );
            } else {
                self.place_dot(group, frame, m, p);
            }
        }
        self.sync_paths(group, path_data);
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
        let radius = frame.dot_radius().to_string();
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

    fn sync_paths(
        &mut self,
        group: &web_sys::Element,
        data: BTreeMap<(u8, bool), (String, usize)>,
    ) {
        self.paths.retain(|key, element| {
            let keep = data.contains_key(key);
            if !keep {
                element.remove();
            }
            keep
        });
        for (key, (d, count)) in data {
            let element = self.paths.entry(key).or_insert_with(|| {
                let element = gloo::utils::document()
                    .create_element_ns(Some(SVG_NS), "path")
                    .expect("SVG paths can be created");
                let class = format!(
                    "msg kind-{}{}",
                    key.0,
                    if key.1 { " msg-stalled" } else { "" }
                );
                let _ = element.set_attribute("class", &class);
                let _ = element.set_attribute("data-testid", &format!("messages-kind-{}", key.0));
                // Behind the individual dots, so a selected message stays on top.
                let _ = group.insert_before(&element, group.first_child().as_ref());
                element
            });
            let _ = element.set_attribute("d", &d);
            let _ = element.set_attribute("data-count", &count.to_string());
        }
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
        let rect = svg.get_bounding_client_rect();
        // preserveAspectRatio="xMidYMid meet": uniform scale, centred.
        let scale = (rect.width() / layout::WIDTH).min(rect.height() / layout::HEIGHT);
        if scale <= 0.0 {
            return None;
        }
        let left = rect.left() + (rect.width() - layout::WIDTH * scale) / 2.0;
        let top = rect.top() + (rect.height() - layout::HEIGHT * scale) / 2.0;
        Some(Point {
            x: (f64::from(event.client_x()) - left) / scale,
            y: (f64::from(event.client_y()) - top) / scale,
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
