//! Where things go on the canvas: nodes on a circle, messages along the lines between them.

use crate::decimal::within;

/// The canvas coordinate system (the SVG viewBox).
pub const WIDTH: f64 = 1000.0;
pub const HEIGHT: f64 = 620.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn lerp(self, to: Point, t: f64) -> Point {
        Point {
            x: self.x + (to.x - self.x) * t,
            y: self.y + (to.y - self.y) * t,
        }
    }
}

/// Node radius for a cluster of `n` nodes: big when few, small when many.
pub fn node_radius(n: usize) -> f64 {
    match n {
        0..=7 => 38.0,
        8..=11 => 30.0,
        12..=16 => 24.0,
        17..=30 => 16.0,
        _ => 10.0,
    }
}

/// Positions of `n` nodes evenly on a circle, the first at the top.
pub fn circle(n: usize) -> Vec<Point> {
    let center = Point {
        x: WIDTH / 2.0,
        y: HEIGHT / 2.0,
    };
    if n <= 1 {
        return vec![center; n];
    }
    let radius = HEIGHT / 2.0 - node_radius(n) - 48.0;
    (0..n)
        .map(|i| {
            let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
            Point {
                x: center.x + radius * angle.cos(),
                y: center.y + radius * angle.sin(),
            }
        })
        .collect()
}

/// Where a message is drawn: along the line from sender to receiver, starting and ending at
/// the node rims, nudged sideways by direction so requests and replies do not overlap.
pub fn message_point(from: Point, to: Point, progress: f64, rim: f64) -> Point {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / length, dy / length);
    let start = Point {
        x: from.x + ux * rim,
        y: from.y + uy * rim,
    };
    let end = Point {
        x: to.x - ux * rim,
        y: to.y - uy * rim,
    };
    let p = start.lerp(end, within(progress, 0.0, 1.0));
    let nudge = rim * 0.16;
    Point {
        x: p.x - uy * nudge,
        y: p.y + ux * nudge,
    }
}

/// A coordinate written with one decimal, by integer arithmetic: the float formatter is
/// slow, and a canvas frame writes thousands of numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coord(pub f64);

impl std::fmt::Display for Coord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let abs = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", abs / 10, abs % 10)
    }
}

/// `Coord` as a string, for attributes.
pub fn coord(v: f64) -> String {
    Coord(v).to_string()
}

/// The smallest text the app draws, in CSS pixels.
pub const MIN_TEXT_PX: f64 = 11.0;
/// A generous average glyph width, in ems, for deciding whether a label fits before it is
/// drawn (digits and lower case of the UI font are about 0.55 em).
const GLYPH_EM: f64 = 0.62;
const HEADLINE_PX: f64 = 12.0;
const ROLE_PX: f64 = 11.0;
const LINE_GAP_PX: f64 = 2.0;

/// How a node's words fit on the canvas at its drawn size. Everything that does not fit is
/// left out of the picture rather than shrunk below [`MIN_TEXT_PX`] or overlapped: the
/// node's tooltip, its ARIA label and the inspector always carry all of it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeLabels {
    /// The name's font size inside the node, in canvas units.
    pub name_size: Option<f64>,
    /// The lines drawn beside the node, towards the centre of the circle: (text, font size
    /// in canvas units, baseline offset from the node's centre).
    pub lines: Vec<(String, f64, Point)>,
    /// Canvas units per CSS pixel (for glyphs placed by the caller).
    pub unit: f64,
}

fn text_width_px(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * px * GLYPH_EM
}

/// Lay out node `index` of `n`'s labels for a canvas drawn at `scale` CSS pixels per unit.
/// The block of lines sits inside the circle, next to the node, and is kept only if it
/// fits between the node's neighbours (measured across the direction to the centre).
pub fn node_labels(
    n: usize,
    index: usize,
    scale: f64,
    name: &str,
    headline: &str,
    role: &str,
) -> NodeLabels {
    let scale = if scale > 0.0 { scale } else { 0.5 };
    let unit = 1.0 / scale;
    let r_px = node_radius(n) * scale;
    let name_px = within(r_px * 0.8, MIN_TEXT_PX, 16.0);
    let name_size = (name_px >= MIN_TEXT_PX && text_width_px(name, name_px) <= 1.9 * r_px)
        .then_some(name_px * unit);
    let wanted: Vec<(&str, f64)> = [(headline, HEADLINE_PX), (role, ROLE_PX)]
        .into_iter()
        .filter(|(t, _)| !t.is_empty())
        .collect();
    let positions = circle(n);
    let at = positions.get(index).copied().unwrap_or(Point {
        x: WIDTH / 2.0,
        y: HEIGHT / 2.0,
    });
    // Towards the centre (below a lone node).
    let (dx, dy) = (WIDTH / 2.0 - at.x, HEIGHT / 2.0 - at.y);
    let length = (dx * dx + dy * dy).sqrt();
    let (ux, uy) = if length < 1.0 {
        (0.0, 1.0)
    } else {
        (dx / length, dy / length)
    };
    // Room along the way to the centre, in pixels (blocks of opposite nodes meet there).
    let length_px = length * scale;
    let along = if n < 2 {
        f64::INFINITY
    } else {
        length_px - r_px - 10.0
    };
    // Room across, between the blocks of the two neighbours: blocks sit inside the circle,
    // where neighbours are closer together than the nodes themselves.
    let across = |reach_px: f64| {
        if n < 2 {
            f64::INFINITY
        } else {
            2.0 * (length_px - reach_px) * (std::f64::consts::PI / n as f64).sin() - 6.0
        }
    };
    // Keep as many lines, in order, as fit.
    for keep in (1..=wanted.len()).rev() {
        let block = &wanted[..keep];
        let w = block
            .iter()
            .map(|(t, px)| text_width_px(t, *px))
            .fold(0.0, f64::max);
        let h: f64 = block.iter().map(|(_, px)| px + LINE_GAP_PX).sum();
        let across_extent = w * uy.abs() + h * ux.abs();
        let along_extent = w * ux.abs() + h * uy.abs();
        // The block's centre, just clear of the node's rim (and its timer arc).
        let reach = r_px + 10.0 + along_extent / 2.0;
        if across_extent > across(reach) || along_extent > along {
            continue;
        }
        let (cx, cy) = (ux * reach, uy * reach);
        let mut y = cy - h / 2.0;
        let lines = block
            .iter()
            .map(|(t, px)| {
                y += px + LINE_GAP_PX;
                // Baselines sit a little above the line's bottom.
                (
                    t.to_string(),
                    px * unit,
                    Point {
                        x: cx * unit,
                        y: (y - LINE_GAP_PX - px * 0.2) * unit,
                    },
                )
            })
            .collect();
        return NodeLabels {
            name_size,
            lines,
            unit,
        };
    }
    NodeLabels {
        name_size,
        lines: Vec::new(),
        unit,
    }
}
