//! Where things go on the canvas: nodes on a circle, messages along the lines between them.

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
    let p = start.lerp(end, progress.clamp(0.0, 1.0));
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
