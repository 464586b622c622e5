//! A lab's own pictures, as data. A lab fills one of a few picture kinds; the app has one
//! shared component per kind (legend, axes, tooltips, keyboard focus, ARIA labels, light and
//! dark, SVG/PNG export), so a new lab draws its pictures without writing view code.
//!
//! Everything here is plain data with integer values: the engine decides nothing from it,
//! and two views of the same number read it from the same place.

use crate::protocol::Tone;
use crate::time::Time;
use serde::Serialize;

/// One picture a lab shows beside the shared views.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Picture {
    /// Stable within the lab ("ring", "log", "wait-for"): tests, exports and tabs use it.
    pub id: &'static str,
    pub title: String,
    /// One sentence saying what the picture shows, for screen readers and the caption.
    pub caption: String,
    /// The main picture of the page when it is the point of the lab (the ring, the grid);
    /// the node mesh is then the secondary picture.
    pub primary: bool,
    /// Changes whenever the data changes, so views can skip work when it does not.
    pub version: u64,
    pub kind: PictureKind,
}

impl Picture {
    /// Every node's log side by side (see [`Grid::logs`]): divergence and repair at a
    /// glance. `None` while every log is empty.
    pub fn logs(rows: Vec<(String, Vec<LogCell>)>) -> Option<Picture> {
        let grid = Grid::logs(rows)?;
        Some(Picture {
            id: "log",
            title: "Logs".into(),
            caption: "Every server's log, one column per index: colour is the term, solid entries are committed, outlined ones are not yet."
                .into(),
            primary: false,
            version: grid.fingerprint(),
            kind: PictureKind::Grid(grid),
        })
    }
}

/// The shared picture kinds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PictureKind {
    TimeSeries(TimeSeries),
    Bars(Bars),
    Graph(Graph),
    StateMachine(StateMachine),
    Tree(Tree),
    Grid(Grid),
    Lanes(Lanes),
    Ring(Ring),
    Xy(Xy),
}

impl PictureKind {
    /// The kind's name, as the views and tests call it.
    pub fn name(&self) -> &'static str {
        match self {
            PictureKind::TimeSeries(_) => "time-series",
            PictureKind::Bars(_) => "bars",
            PictureKind::Graph(_) => "graph",
            PictureKind::StateMachine(_) => "state-machine",
            PictureKind::Tree(_) => "tree",
            PictureKind::Grid(_) => "grid",
            PictureKind::Lanes(_) => "lanes",
            PictureKind::Ring(_) => "ring",
            PictureKind::Xy(_) => "xy",
        }
    }
}

/// How an integer value reads: `value / divisor` followed by `unit` ("ms", "%", "req/s").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scale {
    pub label: String,
    pub unit: String,
    /// Values are stored multiplied by this (1000 for thousandths); at least 1.
    pub divisor: i64,
}

impl Scale {
    pub fn new(label: impl Into<String>, unit: impl Into<String>, divisor: i64) -> Scale {
        Scale {
            label: label.into(),
            unit: unit.into(),
            divisor: divisor.max(1),
        }
    }

    /// A value as text in this scale's unit, with as many decimals as the divisor allows.
    pub fn format(&self, value: i64) -> String {
        let d = self.divisor.max(1);
        let decimals = match d {
            1 => 0,
            2..=10 => 1,
            11..=100 => 2,
            _ => 3,
        };
        let whole = value / d;
        let unit = if self.unit.is_empty() {
            String::new()
        } else if self.unit == "%" {
            "%".to_string()
        } else {
            format!(" {}", self.unit)
        };
        if decimals == 0 {
            return format!("{whole}{unit}");
        }
        let frac = (value % d).unsigned_abs() * 10u64.pow(decimals) / d.unsigned_abs();
        let sign = if value < 0 && whole == 0 { "-" } else { "" };
        format!(
            "{sign}{whole}.{frac:0width$}{unit}",
            width = decimals as usize
        )
    }
}

/// What a mark on a time axis stands for; faults and violations look different.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    Fault,
    Violation,
    Info,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimeMark {
    pub at: Time,
    pub kind: MarkKind,
    pub label: String,
}

/// Several series over simulated time (database load during a stampede, phi over time).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimeSeries {
    pub y: Scale,
    pub series: Vec<Series>,
    pub marks: Vec<TimeMark>,
    /// A horizontal line worth drawing (a threshold, a capacity), in the y scale.
    pub threshold: Option<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Series {
    pub label: String,
    /// Index into the shared categorical palette.
    pub colour: u8,
    /// (time, value) in time order.
    pub points: Vec<(Time, i64)>,
}

/// Bars or a histogram (load per node, inter-arrival times).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bars {
    pub x_label: String,
    pub y: Scale,
    pub bars: Vec<Bar>,
    /// A reference line (the mean, a bound), in the y scale.
    pub reference: Option<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub tone: Tone,
    pub highlight: bool,
}

/// A directed graph (a wait-for graph); highlighted edges form the cycle worth seeing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Graph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphNode {
    pub label: String,
    pub tone: Tone,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    /// Indices into `nodes`.
    pub from: u16,
    pub to: u16,
    pub label: String,
    pub highlight: bool,
}

/// A state machine (a circuit breaker): states, transitions with counts, the current state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StateMachine {
    pub states: Vec<MachineState>,
    pub transitions: Vec<Transition>,
    /// Index into `states`.
    pub current: u16,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MachineState {
    pub label: String,
    pub tone: Tone,
    /// How many times the machine entered this state.
    pub entered: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: u16,
    pub to: u16,
    pub label: String,
    pub taken: u64,
}

/// A tree with a value folded at each inner node (OM(m)'s recursion with a majority at each
/// level).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tree {
    pub root: TreeNode,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TreeNode {
    pub label: String,
    /// The value this node holds or passes on.
    pub value: String,
    pub tone: Tone,
    /// What the children fold to (a majority), for inner nodes.
    pub fold: Option<String>,
    pub children: Vec<TreeNode>,
}

/// A grid of cells (Paxos acceptors × ballots, replicas' logs, partitions × offsets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grid {
    pub row_label: String,
    pub column_label: String,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// Row-major, `rows.len() × columns.len()`; `None` is an empty cell.
    pub cells: Vec<Option<Cell>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub text: String,
    /// Index into the shared categorical palette (cells with equal colours belong together).
    pub colour: u8,
    /// Drawn solid (e.g. committed, chosen) rather than outlined.
    pub solid: bool,
    pub highlight: bool,
    /// Longer text for the tooltip.
    pub detail: String,
}

impl Grid {
    pub fn cell(&self, row: usize, column: usize) -> Option<&Cell> {
        self.cells
            .get(row * self.columns.len() + column)
            .and_then(Option::as_ref)
    }
}

/// One entry of a replicated log, for [`Grid::logs`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCell {
    /// Position in the log, from 1.
    pub index: u64,
    /// The term (epoch, ballot) it was written in: its colour.
    pub term: u64,
    pub label: String,
    pub committed: bool,
}

/// How many log columns a log grid shows: the newest ones, where logs differ.
pub const LOG_COLUMNS: u64 = 16;

impl Grid {
    /// Every node's log side by side, one column per index over the newest
    /// [`LOG_COLUMNS`] indices: terms as colours, committed entries solid. `None` when no
    /// node has an entry yet.
    pub fn logs(rows: Vec<(String, Vec<LogCell>)>) -> Option<Grid> {
        let first = rows
            .iter()
            .filter_map(|(_, l)| l.first())
            .map(|c| c.index)
            .min()?;
        let last = rows
            .iter()
            .filter_map(|(_, l)| l.last())
            .map(|c| c.index)
            .max()?;
        let from = first.max(last.saturating_sub(LOG_COLUMNS - 1));
        let columns: Vec<String> = (from..=last).map(|i| i.to_string()).collect();
        let mut cells = Vec::with_capacity(rows.len() * columns.len());
        for (_, log) in &rows {
            for index in from..=last {
                cells.push(log.iter().find(|c| c.index == index).map(|c| Cell {
                    text: c.term.to_string(),
                    colour: (c.term % 8) as u8,
                    solid: c.committed,
                    highlight: false,
                    detail: format!(
                        "index {index}, term {}: {}{}",
                        c.term,
                        c.label,
                        if c.committed {
                            " (committed)"
                        } else {
                            " (not committed)"
                        }
                    ),
                }));
            }
        }
        Some(Grid {
            row_label: "server".into(),
            column_label: "index".into(),
            rows: rows.into_iter().map(|(name, _)| name).collect(),
            columns,
            cells,
        })
    }

    /// A cheap fingerprint of the grid, for [`Picture::version`].
    pub fn fingerprint(&self) -> u64 {
        let mut h = crate::trace::Fnv::new();
        for cell in &self.cells {
            match cell {
                Some(c) => {
                    h.bytes(c.text.as_bytes());
                    h.bytes(&[c.colour, u8::from(c.solid), u8::from(c.highlight)]);
                }
                None => h.bytes(&[0xff]),
            }
        }
        h.u64(self.columns.len() as u64);
        h.finish()
    }
}

/// Swimlanes of spans over time (a trace's waterfall, saga steps, 2PC phases).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lanes {
    pub lanes: Vec<Lane>,
    pub marks: Vec<TimeMark>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lane {
    pub label: String,
    pub spans: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: Time,
    /// `None` while the span is still open.
    pub end: Option<Time>,
    pub label: String,
    pub tone: Tone,
    pub highlight: bool,
}

/// One quantity against another (goodput against offered load, a histogram with its fitted
/// curve, detection time against false alarms): series of points on two value axes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Xy {
    pub x: Scale,
    pub y: Scale,
    pub series: Vec<XySeries>,
    /// Straight lines worth drawing across the plot (a capacity, the load before a trigger).
    pub guides: Vec<Guide>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct XySeries {
    pub label: String,
    /// Index into the shared categorical palette.
    pub colour: u8,
    pub style: XyStyle,
    pub points: Vec<XyPoint>,
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum XyStyle {
    /// Points joined in their order, which need not follow x: a path through time may loop
    /// back (hysteresis). An arrowhead marks the last point's direction.
    Path,
    /// Points joined in x order with no direction (a fitted curve, a trade-off frontier).
    Line,
    /// Separate dots, each focusable with its label.
    Dots,
    /// A histogram: each point is a column from `x` to `x + width` (in the x scale), `y` high.
    Columns { width: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct XyPoint {
    pub x: i64,
    pub y: i64,
    /// Names the point in its tooltip ("φ = 8", "2.5 s"); empty for a plain point.
    pub label: String,
    /// Ringed: the current setting, the latest moment.
    pub highlight: bool,
}

impl XyPoint {
    pub fn new(x: i64, y: i64) -> XyPoint {
        XyPoint {
            x,
            y,
            label: String::new(),
            highlight: false,
        }
    }

    pub fn labelled(x: i64, y: i64, label: impl Into<String>) -> XyPoint {
        XyPoint {
            label: label.into(),
            ..XyPoint::new(x, y)
        }
    }
}

/// A straight guide line across an [`Xy`] plot at `value` on one axis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Guide {
    pub axis: Axis,
    pub value: i64,
    pub label: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// A vertical line at an x value.
    X,
    /// A horizontal line at a y value.
    Y,
}

impl Xy {
    /// The smallest and largest x and y any point, column or guide reaches:
    /// `((x_lo, x_hi), (y_lo, y_hi))`, `None` with nothing to draw.
    pub fn extent(&self) -> Option<((i64, i64), (i64, i64))> {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for s in &self.series {
            for p in &s.points {
                xs.push(p.x);
                ys.push(p.y);
                if let XyStyle::Columns { width } = s.style {
                    xs.push(p.x.saturating_add(width));
                }
            }
        }
        if xs.is_empty() {
            return None;
        }
        for g in &self.guides {
            match g.axis {
                Axis::X => xs.push(g.value),
                Axis::Y => ys.push(g.value),
            }
        }
        let span = |v: &[i64]| {
            (
                v.iter().copied().min().unwrap_or(0),
                v.iter().copied().max().unwrap_or(0),
            )
        };
        Some((span(&xs), span(&ys)))
    }

    /// A cheap fingerprint of the points, for [`Picture::version`].
    pub fn fingerprint(&self) -> u64 {
        let mut h = crate::trace::Fnv::new();
        for s in &self.series {
            h.u64(s.points.len() as u64);
            for p in &s.points {
                h.u64(p.x as u64);
                h.u64(p.y as u64);
                h.bytes(&[u8::from(p.highlight)]);
            }
        }
        for g in &self.guides {
            h.u64(g.value as u64);
        }
        h.finish()
    }
}

/// Points on a circle of `2^64` positions (a hash ring): owners' arcs, markers on the rim,
/// and a walk from a key to its owners.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ring {
    /// Arcs `[start, end)` clockwise, each owned by a member (index into `owners`), in ring
    /// order; a lone arc with `start == end` is the whole circle. Empty when the placement
    /// gives no member a contiguous range (hash mod N): the points' colours tell the owners.
    pub arcs: Vec<RingArc>,
    pub owners: Vec<RingOwner>,
    /// Ticks on the rim (virtual nodes), by owner; may be empty when there are too many.
    pub ticks: Vec<(u64, u16)>,
    /// Dots inside the rim (keys).
    pub points: Vec<RingPoint>,
    /// A lookup walk to show while the person has picked no point: the key's position and
    /// the owners' positions it reaches.
    pub walk: Option<(u64, Vec<u64>)>,
}

impl Ring {
    /// Whether the arcs tile the circle exactly once: each starts where the one before ends
    /// and together they span `2^64` positions (vacuously false with no arcs).
    pub fn covers_circle_once(&self) -> bool {
        let (Some(first), Some(last)) = (self.arcs.first(), self.arcs.last()) else {
            return false;
        };
        if self.arcs.len() == 1 {
            return first.start == first.end;
        }
        let contiguous =
            self.arcs.windows(2).all(|w| w[0].end == w[1].start) && last.end == first.start;
        let total: u128 = self.arcs.iter().map(RingArc::span).sum();
        contiguous && total == 1u128 << 64
    }

    /// The arc holding `position`, if any.
    pub fn arc_at(&self, position: u64) -> Option<&RingArc> {
        self.arcs.iter().find(|a| a.contains(position))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RingArc {
    pub start: u64,
    pub end: u64,
    pub owner: u16,
}

impl RingArc {
    /// Positions covered, clockwise from `start` (`2^64` for a lone whole-circle arc, whose
    /// `start == end`; see [`Ring::arcs`]).
    pub fn span(&self) -> u128 {
        match self.end.wrapping_sub(self.start) {
            0 => 1u128 << 64,
            n => u128::from(n),
        }
    }

    pub fn contains(&self, position: u64) -> bool {
        u128::from(position.wrapping_sub(self.start)) < self.span()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RingOwner {
    pub label: String,
    /// Index into the shared categorical palette.
    pub colour: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RingPoint {
    pub position: u64,
    /// Short name ("k7"), for the lookup field and the walk.
    pub label: String,
    /// Longer text for the tooltip ("k7 → S2, then S3; moved from S1").
    pub detail: String,
    /// Its owner (index into `owners`), which colours the dot; `None` while nobody owns it.
    pub owner: Option<u16>,
    /// Ringed: it moved at the last change.
    pub highlight: bool,
    /// The positions its lookup walks to, owner first (as [`Ring::walk`]); empty when the
    /// placement is not a walk round the ring.
    pub walk: Vec<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_format_in_their_unit() {
        let check = |divisor, unit: &str, value, want: &str| {
            assert_eq!(Scale::new("x", unit, divisor).format(value), want);
        };
        check(1, "keys", 14, "14 keys");
        check(1000, "ms", 1_500, "1.500 ms");
        check(10, "%", 955, "95.5%");
        check(100, "", -5, "-0.05");
        check(1, "", 0, "0");
        check(0, "", 7, "7");
    }

    #[test]
    fn an_xy_extent_covers_columns_and_guides() {
        let xy = |series: Vec<XySeries>, guides: Vec<Guide>| Xy {
            x: Scale::new("gap", "ms", 1),
            y: Scale::new("count", "", 1),
            series,
            guides,
        };
        assert_eq!(xy(Vec::new(), Vec::new()).extent(), None);
        let columns = XySeries {
            label: "gaps".into(),
            colour: 0,
            style: XyStyle::Columns { width: 10 },
            points: vec![XyPoint::new(90, 3), XyPoint::new(100, 40)],
        };
        let guide = Guide {
            axis: Axis::Y,
            value: 55,
            label: "fit".into(),
        };
        assert_eq!(
            xy(vec![columns.clone()], vec![guide.clone()]).extent(),
            Some(((90, 110), (3, 55)))
        );
        let a = xy(vec![columns.clone()], Vec::new());
        let mut b = a.clone();
        b.series[0].points[1].y = 41;
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), a.clone().fingerprint());
    }

    #[test]
    fn grid_cells_are_row_major() {
        let cell = |text: &str| Cell {
            text: text.into(),
            colour: 0,
            solid: true,
            highlight: false,
            detail: String::new(),
        };
        let grid = Grid {
            row_label: "node".into(),
            column_label: "index".into(),
            rows: vec!["S1".into(), "S2".into()],
            columns: vec!["1".into(), "2".into(), "3".into()],
            cells: vec![Some(cell("a")), None, None, None, None, Some(cell("f"))],
        };
        assert_eq!(grid.cell(0, 0).map(|c| c.text.as_str()), Some("a"));
        assert_eq!(grid.cell(1, 2).map(|c| c.text.as_str()), Some("f"));
        assert_eq!(grid.cell(0, 1), None);
        assert_eq!(grid.cell(5, 5), None);
    }

    #[test]
    fn ring_arcs_cover_the_circle_once_or_not() {
        let arc = |start, end, owner| RingArc { start, end, owner };
        let ring = |arcs| Ring {
            arcs,
            owners: Vec::new(),
            ticks: Vec::new(),
            points: Vec::new(),
            walk: None,
        };
        assert!(ring(vec![arc(7, 7, 0)]).covers_circle_once());
        let halves = ring(vec![arc(5, 1 << 63, 0), arc(1 << 63, 5, 1)]);
        assert!(halves.covers_circle_once());
        assert_eq!(halves.arc_at(4).map(|a| a.owner), Some(1));
        assert_eq!(halves.arc_at(5).map(|a| a.owner), Some(0));
        assert_eq!(halves.arc_at(u64::MAX).map(|a| a.owner), Some(1));
        assert!(!ring(vec![arc(5, 1 << 63, 0), arc(1 << 63, 6, 1)]).covers_circle_once());
        assert!(
            !ring(vec![arc(0, 9, 0), arc(9, 0, 1), arc(0, 9, 0), arc(9, 0, 1)])
                .covers_circle_once()
        );
        assert!(!ring(Vec::new()).covers_circle_once());
    }
}
