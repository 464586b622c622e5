//! The shared picture kinds, mounted with data in headless Chromium (wasm-bindgen-test):
//! one test per kind on the real DOM (ticks, legend, highlights, accessible names, text
//! sizes and overlaps as the browser lays them out, with the app's stylesheet loaded), and
//! the layout maths behind them.
#![cfg(target_arch = "wasm32")]

use failscope_sim::picture::*;
use failscope_sim::protocol::Tone;
use failscope_sim::time::{MS, SECOND};
use failscope_web::components::pictures::{
    axis, bars, lanes, state_machine, tree, xy, PictureFrame, PictureFrameProps,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The app's stylesheet, so computed styles are the ones people get.
fn load_stylesheet() {
    let document = gloo::utils::document();
    if document.get_element_by_id("failscope-style").is_some() {
        return;
    }
    let style = document.create_element("style").unwrap();
    style.set_id("failscope-style");
    style.set_text_content(Some(include_str!("../../../www/style.css")));
    document.head().unwrap().append_child(&style).unwrap();
}

/// A host `width` pixels wide, as a frame on a phone (about 340) or a desktop (about 400+).
fn host(width: u32) -> web_sys::Element {
    load_stylesheet();
    let document = gloo::utils::document();
    let host = document.create_element("div").unwrap();
    host.set_attribute("style", &format!("width: {width}px"))
        .unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host
}

async fn mount(picture: Picture, width: u32) -> web_sys::Element {
    let host = host(width);
    let props = PictureFrameProps {
        picture,
        struck: Vec::new(),
        now: 2_500 * MS,
        file_stem: None,
    };
    yew::Renderer::<PictureFrame>::with_root_and_props(host.clone(), props).render();
    // The frame measures itself after its first render and lays the picture out again.
    for _ in 0..3 {
        yew::scheduler::flush().await;
        gloo::timers::future::TimeoutFuture::new(10).await;
    }
    yew::scheduler::flush().await;
    host
}

fn all(host: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let list = host.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect()
}

fn count(host: &web_sys::Element, selector: &str) -> usize {
    all(host, selector).len()
}

fn texts(host: &web_sys::Element, selector: &str) -> Vec<String> {
    all(host, selector)
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect()
}

fn svg(host: &web_sys::Element) -> web_sys::Element {
    host.query_selector("svg[data-testid=picture-svg]")
        .unwrap()
        .expect("the picture's svg")
}

fn aria_label(host: &web_sys::Element) -> String {
    let svg = svg(host);
    assert_eq!(svg.get_attribute("role").as_deref(), Some("img"));
    assert_eq!(svg.get_attribute("tabindex").as_deref(), Some("0"));
    svg.get_attribute("aria-label").unwrap_or_default()
}

/// Every text is at least 11 px as computed, and as drawn (the SVG's scale included).
fn assert_readable(host: &web_sys::Element) {
    let svg = svg(host);
    let view_w: f64 = svg
        .get_attribute("viewBox")
        .unwrap()
        .split_whitespace()
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    let scale = svg.get_bounding_client_rect().width() / view_w;
    assert!(
        scale > 0.98,
        "the picture is drawn at its layout width ({scale})"
    );
    let window = gloo::utils::window();
    let text_elements = all(host, "svg text");
    assert!(!text_elements.is_empty());
    for text in text_elements {
        let style = window.get_computed_style(&text).unwrap().unwrap();
        let size: f64 = style
            .get_property_value("font-size")
            .unwrap()
            .trim_end_matches("px")
            .parse()
            .unwrap();
        assert!(
            size >= 11.0 && size * scale >= 10.9,
            "text {:?} is {size}px at scale {scale}",
            text.text_content()
        );
    }
}

/// No two of these elements overlap on screen.
fn assert_apart(host: &web_sys::Element, selector: &str) {
    let boxes: Vec<(String, web_sys::DomRect)> = all(host, selector)
        .iter()
        .map(|e| {
            (
                e.text_content().unwrap_or_default(),
                e.get_bounding_client_rect(),
            )
        })
        .collect();
    for (i, (a, ra)) in boxes.iter().enumerate() {
        for (b, rb) in &boxes[i + 1..] {
            let apart = ra.right() <= rb.left() + 0.5
                || rb.right() <= ra.left() + 0.5
                || ra.bottom() <= rb.top() + 0.5
                || rb.bottom() <= ra.top() + 0.5;
            assert!(apart, "{selector}: “{a}” overlaps “{b}”");
        }
    }
}

fn picture(id: &'static str, title: &str, kind: PictureKind) -> Picture {
    Picture {
        id,
        title: title.into(),
        caption: "A caption.".into(),
        primary: false,
        version: 1,
        kind,
    }
}

fn time_series() -> Picture {
    let series = |label: &str, colour: u8, k: i64| Series {
        label: label.into(),
        colour,
        points: (0..40)
            .map(|i| {
                (
                    i * 100 * MS,
                    200 + k * 10
                        + if i == 25 && k == 0 {
                            2_200
                        } else {
                            i as i64 % 5
                        },
                )
            })
            .collect(),
    };
    picture(
        "load",
        "Database load",
        PictureKind::TimeSeries(TimeSeries {
            y: Scale::new("database load", "req/s", 10),
            series: vec![
                series("database load", 0, 0),
                series("cache hits", 1, 3),
                series("a rather long series label that cannot fit", 2, 6),
            ],
            marks: vec![
                TimeMark {
                    at: SECOND,
                    kind: MarkKind::Fault,
                    label: "cache node crashed".into(),
                },
                TimeMark {
                    at: 2_500 * MS,
                    kind: MarkKind::Violation,
                    label: "load above capacity".into(),
                },
            ],
            threshold: Some((1_500, "capacity".into())),
        }),
    )
}

#[wasm_bindgen_test]
async fn a_time_series_has_axes_a_legend_marks_a_threshold_and_the_cursor() {
    for width in [340, 520] {
        let host = mount(time_series(), width).await;
        let label = aria_label(&host);
        assert!(
            label.starts_with("3 series over 0.0–3.9 s; peak database load 240.0 req/s at 2.5 s"),
            "{label}"
        );
        assert!(label.contains("1 fault and 1 violation"), "{label}");
        let x_ticks = texts(&host, "[data-testid=axis-x] .pic-tick-label");
        assert!(x_ticks.len() >= 3, "{x_ticks:?}");
        assert!(x_ticks.iter().all(|t| t.ends_with(" s")), "{x_ticks:?}");
        assert!(x_ticks.contains(&"1 s".to_string()) || x_ticks.contains(&"1.0 s".to_string()));
        let y_ticks = texts(&host, "[data-testid=axis-y] .pic-tick-label");
        assert!(y_ticks.len() >= 3, "{y_ticks:?}");
        assert!(y_ticks.iter().all(|t| t.ends_with("req/s")), "{y_ticks:?}");
        assert_apart(&host, "[data-testid=axis-x] .pic-tick-label");
        assert_apart(&host, "[data-testid=axis-y] .pic-tick-label");
        assert_apart(&host, "[data-testid=legend-item] text");
        // Three series and the two kinds of marks in the legend; the long label is cut,
        // with the whole of it in the tooltip.
        assert_eq!(count(&host, "[data-testid=legend-item]"), 5);
        assert!(texts(&host, "[data-testid=legend-item] title")
            .contains(&"a rather long series label that cannot fit".to_string()));
        assert_eq!(count(&host, "[data-testid=series]"), 3);
        // Faults and violations differ in class and in shape.
        assert_eq!(count(&host, ".pic-marks .pic-mark-fault polygon"), 1);
        assert_eq!(
            count(&host, ".pic-marks .pic-mark-violation path.pic-mark-cross"),
            1
        );
        assert_eq!(count(&host, "[data-testid=threshold]"), 1);
        let cursor = host
            .query_selector("[data-testid=picture-cursor]")
            .unwrap()
            .expect("a cursor");
        assert_eq!(cursor.get_attribute("data-us").as_deref(), Some("2500000"));
        assert_readable(&host);
    }
}

#[wasm_bindgen_test]
async fn a_focused_mark_shows_its_tooltip() {
    let host = mount(time_series(), 500).await;
    let mark = host
        .query_selector(".pic-marks .pic-mark-fault")
        .unwrap()
        .unwrap();
    mark.unchecked_ref::<web_sys::HtmlElement>()
        .focus()
        .unwrap();
    yew::scheduler::flush().await;
    let tip = host
        .query_selector("[data-testid=picture-tip]")
        .unwrap()
        .unwrap();
    assert_eq!(
        tip.text_content().unwrap(),
        "fault at 1.0 s: cache node crashed"
    );
    assert_eq!(count(&host, "[data-testid=picture-export-svg]"), 1);
}

fn bars_picture(n: usize) -> Picture {
    picture(
        "load-per-node",
        "Load per node",
        PictureKind::Bars(Bars {
            x_label: "node".into(),
            y: Scale::new("load", "keys", 1),
            bars: (0..n)
                .map(|i| Bar {
                    label: format!("server-{i}"),
                    value: 10 + (i as i64 * 7) % 23,
                    tone: if i == 2 {
                        Tone::Suspect
                    } else {
                        Tone::Secondary
                    },
                    highlight: i == 2,
                })
                .collect(),
            reference: Some((20, "mean".into())),
        }),
    )
}

#[wasm_bindgen_test]
async fn bars_have_ticks_labels_a_reference_and_highlights() {
    for (width, n) in [(340, 5), (340, 24), (520, 8)] {
        let host = mount(bars_picture(n), width).await;
        let label = aria_label(&host);
        assert!(
            label.starts_with(&format!("{n} bars of load by node: highest")),
            "{label}"
        );
        assert!(label.contains("mean 20 keys"), "{label}");
        assert!(label.contains("highlighted: server-2"), "{label}");
        assert_eq!(count(&host, "[data-testid^=bar-]"), n);
        assert_eq!(count(&host, ".pic-bar.highlight[data-testid^=bar-]"), 1);
        assert_eq!(count(&host, ".pic-bar.tone-suspect"), 1);
        assert_eq!(count(&host, "[data-testid=reference]"), 1);
        let y_ticks = texts(&host, "[data-testid=axis-y] .pic-tick-label");
        assert!(y_ticks.contains(&"0 keys".to_string()), "{y_ticks:?}");
        let x_labels = texts(&host, "[data-testid=axis-x] .pic-tick-label");
        assert!(!x_labels.is_empty() && x_labels.len() <= n);
        assert_apart(&host, "[data-testid=axis-x] .pic-tick-label");
        assert_apart(&host, "[data-testid=axis-y] .pic-tick-label");
        assert!(count(&host, "[data-testid=legend-item]") >= 2);
        assert_readable(&host);
    }
}

fn xy_picture() -> Picture {
    let series = |label: &str, colour, style, points| XySeries {
        label: label.into(),
        colour,
        style,
        points,
    };
    // A histogram with a curve over it, a path that loops back, and crowded labelled dots.
    let columns = (0..12)
        .map(|i| XyPoint {
            highlight: i == 11,
            ..XyPoint::labelled(i * 10, 40 - (i - 5) * (i - 5), format!("bucket {i}"))
        })
        .collect();
    let curve = (0..=44)
        .map(|k| XyPoint::new(k * 25 / 10, 38 - (k / 4 - 5) * (k / 4 - 5)))
        .collect();
    let path = [(20, 30), (60, 12), (90, 8), (70, 9)]
        .into_iter()
        .map(|(x, y)| XyPoint::new(x, y))
        .collect();
    let dots = (0..8)
        .map(|i| XyPoint {
            highlight: i == 3,
            ..XyPoint::labelled(100 - i * 3, 20 + i, format!("φ = {i}"))
        })
        .collect();
    picture(
        "xy",
        "Goodput against load",
        PictureKind::Xy(Xy {
            x: Scale::new("load", "ms", 1),
            y: Scale::new("goodput", "/s", 1),
            series: vec![
                series("gaps", 0, XyStyle::Columns { width: 10 }, columns),
                series("fit", 3, XyStyle::Line, curve),
                series("run", 1, XyStyle::Path, path),
                series("thresholds", 2, XyStyle::Dots, dots),
            ],
            guides: vec![
                Guide {
                    axis: Axis::X,
                    value: 55,
                    label: "offered".into(),
                },
                Guide {
                    axis: Axis::Y,
                    value: 35,
                    label: "capacity".into(),
                },
            ],
        }),
    )
}

#[wasm_bindgen_test]
async fn an_xy_plot_has_two_axes_columns_a_curve_a_path_and_labels_apart() {
    for width in [300, 520] {
        let host = mount(xy_picture(), width).await;
        let label = aria_label(&host);
        assert!(
            label.starts_with("goodput against load: load from 0 ms to 120 ms"),
            "{label}"
        );
        assert!(label.contains("marked: bucket 11 at 110 ms"), "{label}");
        assert_eq!(count(&host, "[data-testid=xy-column]"), 12);
        assert_eq!(count(&host, ".pic-xy-column.highlight"), 1);
        // Curve and path are lines; only the path has a direction and an end point.
        assert_eq!(count(&host, "polyline.pic-line"), 2);
        assert_eq!(count(&host, ".pic-xy-arrow"), 1);
        // Eight dots plus the path's last point are focusable points, one ringed.
        assert_eq!(count(&host, "[data-testid=xy-point]"), 9);
        assert_eq!(count(&host, ".pic-point.highlight"), 1);
        assert_eq!(count(&host, "[data-testid=guide]"), 2);
        let x_ticks = texts(&host, "[data-testid=axis-x] .pic-tick-label");
        assert!(x_ticks.contains(&"0 ms".to_string()), "{x_ticks:?}");
        assert_apart(&host, "[data-testid=axis-x] .pic-tick-label");
        assert_apart(&host, "[data-testid=axis-y] .pic-tick-label");
        // Crowded dots: the labels that are drawn never overlap; the rest live in tooltips.
        let shown = count(&host, ".pic-xy-label");
        assert!((1..=8).contains(&shown), "{shown} dot labels");
        assert_apart(&host, ".pic-xy-label");
        assert_eq!(count(&host, "[data-testid=legend-item]"), 4);
        assert_readable(&host);
    }
}

#[wasm_bindgen_test]
fn dot_labels_take_the_first_free_side() {
    let bounds = (0.0, 0.0, 200.0, 100.0);
    let placed = xy::place_labels(
        &[
            (50.0, 50.0),
            (50.0, 50.0),
            (50.0, 50.0),
            (100.0, 5.0),
            (195.0, 5.0),
        ],
        &[(30.0, 12.0); 5],
        bounds,
    );
    // Right, then left, then above; near the top edge only below is left; in the corner
    // nothing fits inside the plot.
    assert_eq!(placed[0], Some((57.0, 44.0)));
    assert_eq!(placed[1], Some((13.0, 44.0)));
    assert_eq!(placed[2], Some((35.0, 31.0)));
    assert_eq!(placed[3], Some((85.0, 12.0)));
    assert_eq!(placed[4], None);
}

fn graph_picture() -> Picture {
    let node = |label: &str, tone| GraphNode {
        label: label.into(),
        tone,
    };
    let edge = |from, to, highlight| GraphEdge {
        from,
        to,
        label: format!("waits {from}→{to}"),
        highlight,
    };
    picture(
        "wait-for",
        "Wait-for graph",
        PictureKind::Graph(Graph {
            nodes: vec![
                node("T1", Tone::Primary),
                node("T2", Tone::Secondary),
                node("T3", Tone::Suspect),
                node("T4", Tone::Idle),
            ],
            edges: vec![
                edge(0, 1, true),
                edge(1, 2, true),
                edge(2, 0, true),
                edge(3, 0, false),
                edge(0, 3, false),
            ],
        }),
    )
}

#[wasm_bindgen_test]
async fn a_graph_draws_its_cycle_distinctly() {
    for width in [340, 520] {
        let host = mount(graph_picture(), width).await;
        let label = aria_label(&host);
        assert_eq!(
            label,
            "4 nodes, 5 edges; highlighted: T1 → T2, T2 → T3, T3 → T1"
        );
        assert_eq!(count(&host, "[data-testid^=graph-node-]"), 4);
        assert_eq!(count(&host, ".pic-edges .pic-edge.highlight"), 3);
        assert_eq!(count(&host, ".pic-edges .pic-edge:not(.highlight)"), 2);
        // Highlighted edges differ in thickness and dash, not in colour alone.
        let window = gloo::utils::window();
        let style_of = |selector: &str| {
            let e = host.query_selector(selector).unwrap().unwrap();
            let s = window.get_computed_style(&e).unwrap().unwrap();
            (
                s.get_property_value("stroke-width").unwrap(),
                s.get_property_value("stroke-dasharray").unwrap(),
            )
        };
        let plain = style_of(".pic-edges .pic-edge:not(.highlight) .pic-edge-line");
        let cycle = style_of(".pic-edges .pic-edge.highlight .pic-edge-line");
        assert_ne!(plain.0, cycle.0);
        assert_ne!(plain.1, cycle.1);
        assert_eq!(count(&host, "[data-testid=legend-item]"), 2);
        assert_apart(&host, ".pic-nodes circle");
        assert_readable(&host);
    }
}

fn machine_picture() -> Picture {
    let state = |label: &str, tone, entered| MachineState {
        label: label.into(),
        tone,
        entered,
    };
    let t = |from, to, label: &str, taken| Transition {
        from,
        to,
        label: label.into(),
        taken,
    };
    picture(
        "breaker",
        "Circuit breaker",
        PictureKind::StateMachine(StateMachine {
            states: vec![
                state("closed", Tone::Secondary, 3),
                state("open", Tone::Faulty, 2),
                state("half-open", Tone::Candidate, 2),
            ],
            transitions: vec![
                t(0, 1, "failures", 2),
                t(1, 2, "timeout", 2),
                t(2, 0, "probe ok", 2),
                t(2, 1, "probe failed", 0),
            ],
            current: 1,
        }),
    )
}

#[wasm_bindgen_test]
async fn a_state_machine_shows_counts_and_the_current_state() {
    for width in [300, 520] {
        let host = mount(machine_picture(), width).await;
        let label = aria_label(&host);
        assert!(
            label.starts_with("3 states; current: open (entered 2×)"),
            "{label}"
        );
        assert_eq!(count(&host, "[data-testid^=state-]"), 3);
        assert_eq!(count(&host, ".pic-states .pic-state.current"), 1);
        assert_eq!(
            count(&host, ".pic-states .pic-state.current .pic-state-halo"),
            1
        );
        assert_eq!(count(&host, "[data-testid^=transition-]"), 4);
        assert_eq!(count(&host, ".pic-transitions .pic-transition.unused"), 1);
        let labels = texts(&host, ".pic-transitions .pic-edge-label");
        assert!(labels.contains(&"timeout 2×".to_string()), "{labels:?}");
        assert!(texts(&host, ".pic-state-count")
            .iter()
            .any(|t| t.contains("3×")));
        assert_apart(&host, ".pic-states .pic-state-box");
        assert!(count(&host, "[data-testid=legend-item]") >= 1);
        assert_readable(&host);
    }
}

fn tree_picture() -> Picture {
    let leaf = |label: &str, value: &str, tone| TreeNode {
        label: label.into(),
        value: value.into(),
        tone,
        fold: None,
        children: Vec::new(),
    };
    let inner = |label: &str, value: &str, fold: &str, children| TreeNode {
        label: label.into(),
        value: value.into(),
        tone: Tone::Secondary,
        fold: Some(fold.into()),
        children,
    };
    picture(
        "om",
        "OM(1)",
        PictureKind::Tree(Tree {
            root: inner(
                "commander",
                "attack",
                "attack",
                vec![
                    inner(
                        "L1",
                        "attack",
                        "attack",
                        vec![
                            leaf("L2 says", "attack", Tone::Secondary),
                            leaf("L3 says", "retreat", Tone::Faulty),
                        ],
                    ),
                    inner(
                        "L2",
                        "attack",
                        "attack",
                        vec![
                            leaf("L1 says", "attack", Tone::Secondary),
                            leaf("L3 says", "retreat", Tone::Faulty),
                        ],
                    ),
                    leaf("L3", "a traitor that says whatever it likes", Tone::Faulty),
                ],
            ),
        }),
    )
}

#[wasm_bindgen_test]
async fn a_tree_shows_values_and_folds() {
    for width in [300, 520] {
        let host = mount(tree_picture(), width).await;
        let label = aria_label(&host);
        assert_eq!(
            label,
            "Tree of 8 nodes in 3 levels; commander holds attack, its children fold to attack"
        );
        assert_eq!(count(&host, "[data-testid^=tree-node-]"), 8);
        assert_eq!(count(&host, ".pic-tree-node.inner"), 3);
        assert_eq!(count(&host, "[data-testid=tree-fold]"), 3);
        assert_eq!(count(&host, ".pic-tree-edge"), 7);
        assert_eq!(count(&host, ".pic-tree-node.tone-faulty"), 3);
        assert!(texts(&host, "[data-testid^=tree-node-] title")
            .contains(&"L3: a traitor that says whatever it likes".to_string()));
        assert_apart(&host, ".pic-tree-box");
        assert_eq!(count(&host, "[data-testid=legend-item]"), 2);
        assert_readable(&host);
    }
}

fn lanes_picture() -> Picture {
    let span = |start, end: Option<u64>, label: &str, highlight| Span {
        start,
        end,
        label: label.into(),
        tone: if highlight {
            Tone::Faulty
        } else {
            Tone::Secondary
        },
        highlight,
    };
    picture(
        "waterfall",
        "Request waterfall",
        PictureKind::Lanes(Lanes {
            lanes: vec![
                Lane {
                    label: "gateway".into(),
                    spans: vec![span(0, None, "GET /cart", false)],
                },
                Lane {
                    label: "cart service with a long name".into(),
                    spans: vec![
                        span(100 * MS, Some(900 * MS), "load cart", false),
                        span(300 * MS, Some(1_900 * MS), "retry", true),
                    ],
                },
                Lane {
                    label: "db".into(),
                    spans: vec![span(1_200 * MS, Some(1_400 * MS), "SELECT", false)],
                },
            ],
            marks: vec![TimeMark {
                at: 1_500 * MS,
                kind: MarkKind::Violation,
                label: "deadline passed".into(),
            }],
        }),
    )
}

#[wasm_bindgen_test]
async fn lanes_draw_open_spans_to_now_with_highlights_and_marks() {
    for width in [320, 520] {
        let host = mount(lanes_picture(), width).await;
        let label = aria_label(&host);
        assert_eq!(
            label,
            "3 lanes over 0.0–2.5 s, 4 spans, 1 still open; highlighted: cart service with a long name retry; 1 violation marked"
        );
        assert_eq!(count(&host, "[data-testid^=span-]"), 4);
        assert_eq!(count(&host, ".pic-lane .pic-span.open"), 1);
        assert_eq!(count(&host, ".pic-lane .pic-span.open .pic-open-arrow"), 1);
        assert_eq!(count(&host, ".pic-lane .pic-span.highlight"), 1);
        // The open span reaches the cursor.
        let open = host
            .query_selector(".pic-lane .pic-span.open rect")
            .unwrap()
            .unwrap()
            .get_bounding_client_rect();
        let cursor = host
            .query_selector("[data-testid=picture-cursor] line")
            .unwrap()
            .unwrap()
            .get_bounding_client_rect();
        assert!((open.right() - cursor.left()).abs() < 2.0);
        // Overlapping spans in one lane are stacked, not drawn over each other.
        assert_apart(&host, "[data-testid=lane-1] .pic-span-box");
        let ticks = texts(&host, "[data-testid=axis-x] .pic-tick-label");
        assert!(ticks.len() >= 2, "{ticks:?}");
        assert_apart(&host, "[data-testid=axis-x] .pic-tick-label");
        assert_eq!(count(&host, ".pic-marks .pic-mark-violation"), 1);
        assert!(count(&host, "[data-testid=legend-item]") >= 3);
        assert!(texts(&host, ".pic-lane-name title")
            .contains(&"cart service with a long name".to_string()));
        assert_readable(&host);
    }
}

#[wasm_bindgen_test]
async fn a_grid_stays_a_table() {
    let grid = Grid::logs(vec![(
        "S1".into(),
        vec![LogCell {
            index: 1,
            term: 2,
            label: "x=1".into(),
            committed: true,
        }],
    )])
    .unwrap();
    let host = mount(picture("log", "Logs", PictureKind::Grid(grid)), 400).await;
    assert_eq!(count(&host, "table.picture-grid"), 1);
    assert_eq!(count(&host, "svg"), 0);
    assert_eq!(
        count(&host, "[data-testid=picture-export-svg]"),
        0,
        "a table has no SVG to export"
    );
}

#[wasm_bindgen_test]
async fn the_gallery_preset_draws_every_kind_on_the_lab_page() {
    use failscope_web::lab_page::{LabPage, LabPageProps, Source};
    load_stylesheet();
    let host = host(1200);
    let props = LabPageProps {
        source: Source::Lab {
            lab: "gallery".into(),
            preset: Some("every-kind".into()),
            seed: None,
        },
        history: None,
        embed: false,
        embed_options: Default::default(),
        autoplay: false,
        on_home: yew::Callback::noop(),
        on_preset: yew::Callback::noop(),
    };
    yew::Renderer::<LabPage>::with_root_and_props(host.clone(), props).render();
    yew::scheduler::flush().await;
    let kinds: Vec<String> = all(&host, "[data-testid=pictures] > .picture")
        .iter()
        .filter_map(|e| e.get_attribute("data-kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "time-series",
            "bars",
            "graph",
            "state-machine",
            "tree",
            "grid",
            "lanes"
        ]
    );
}

// The layout maths.

#[wasm_bindgen_test]
fn ticks_are_nice_and_few_enough() {
    assert_eq!(axis::nice_step(100, 6), 20);
    assert_eq!(axis::nice_step(7, 10), 1);
    assert_eq!(axis::nice_step(0, 5), 1);
    assert_eq!(axis::ticks(0, 100, 6), [0, 20, 40, 60, 80, 100]);
    assert_eq!(axis::ticks(3, 17, 4), [5, 10, 15]);
    assert_eq!(axis::ticks(-7, 7, 3), [-5, 0, 5]);
    for (lo, hi, max) in [
        (0, 1, 5),
        (0, 2_404, 6),
        (-50, 999, 4),
        (3, 3, 2),
        (0, i64::MAX / 4, 5),
    ] {
        let ticks = axis::ticks(lo, hi, max);
        assert!(
            !ticks.is_empty() && ticks.len() <= max,
            "{lo}..{hi}: {ticks:?}"
        );
        assert!(ticks.iter().all(|t| (lo..=hi).contains(t)));
    }
    assert_eq!(axis::nice_domain(0, 2_404, 6), (0, 2_500, 500));
    assert_eq!(axis::nice_domain(13, 13, 5), (0, 15, 5));
    let (lo, hi, step) = axis::nice_domain(-30, 95, 4);
    assert!(
        lo <= -30 && hi >= 95 && (hi - lo) / step < 4,
        "{lo} {hi} {step}"
    );
}

#[wasm_bindgen_test]
fn time_labels_use_the_coarsest_exact_unit() {
    assert_eq!(axis::time_label(2 * SECOND, SECOND), "2 s");
    assert_eq!(axis::time_label(1_500 * MS, 500 * MS), "1.5 s");
    assert_eq!(axis::time_label(250 * MS, 50 * MS), "0.25 s");
    assert_eq!(axis::time_label(40 * MS, 20 * MS), "0.04 s");
    assert_eq!(axis::time_label(6 * MS, 2 * MS), "6 ms");
    assert_eq!(axis::time_label(7, 1), "7 µs");
    assert_eq!(axis::time_span(0, 4_230 * MS), "0.0–4.2 s");
    // The finest step whose labels fit: 4 s over 220 px is labelled every second, over
    // 60 px every other second.
    assert_eq!(
        axis::time_ticks(0, 4 * SECOND, 220.0),
        (SECOND, vec![0, SECOND, 2 * SECOND, 3 * SECOND, 4 * SECOND])
    );
    assert_eq!(
        axis::time_ticks(0, 4 * SECOND, 60.0),
        (2 * SECOND, vec![0, 2 * SECOND, 4 * SECOND])
    );
}

#[wasm_bindgen_test]
fn long_labels_are_cut_and_crowded_ones_thinned() {
    assert_eq!(axis::fit("S1", 100.0, 12.0), ("S1".to_string(), false));
    let (cut, was_cut) = axis::fit("a very long label indeed", 60.0, 12.0);
    assert!(
        was_cut && cut.ends_with('…') && axis::text_width(&cut, 12.0) <= 60.0,
        "{cut}"
    );
    // Labels 30 px wide every 20 px: every other one is kept.
    let centres: Vec<f64> = (0..10).map(|i| f64::from(i) * 20.0).collect();
    assert_eq!(axis::thin(&centres, &[30.0; 10], 4.0), [0, 2, 4, 6, 8]);
    assert_eq!(axis::thin(&centres, &[10.0; 10], 4.0).len(), 10);
    assert_eq!(bars::label_stride(&["a", "b"], 50.0), 1);
    assert!(bars::label_stride(&["server-1", "server-2"], 10.0) > 2);
    assert_eq!(
        axis::flow(&[50.0, 50.0, 50.0], 120.0, 10.0),
        [(0.0, 0), (60.0, 0), (0.0, 1)]
    );
}

#[wasm_bindgen_test]
fn geometry_helpers() {
    let ring = axis::circle(4, 100.0, 100.0, 50.0);
    assert!(
        (ring[0].0 - 100.0).abs() < 1e-9 && (ring[0].1 - 50.0).abs() < 1e-9,
        "first on top"
    );
    assert!((ring[1].0 - 150.0).abs() < 1e-9, "then clockwise");
    let exit = axis::box_exit((0.0, 0.0), 20.0, 10.0, (100.0, 0.0));
    assert_eq!(exit, (20.0, 0.0));
    let exit = axis::box_exit((0.0, 0.0), 20.0, 10.0, (0.0, -50.0));
    assert_eq!(exit, (0.0, -10.0));
    let head = axis::arrowhead((10.0, 0.0), (0.0, 0.0), 4.0);
    assert_eq!(head[0], (10.0, 0.0));
    assert!((head[1].0 - 6.0).abs() < 1e-9 && (head[2].0 - 6.0).abs() < 1e-9);
    // The two edges of a pair bend to opposite sides.
    let ab = axis::bent_edge((0.0, 0.0), (100.0, 0.0), 20.0, 0.0, 0.0);
    let ba = axis::bent_edge((100.0, 0.0), (0.0, 0.0), 20.0, 0.0, 0.0);
    assert!(ab[1].1 * ba[1].1 < 0.0);
    assert_eq!(axis::layout_width(0.0), axis::DEFAULT_WIDTH);
    assert_eq!(axis::layout_width(100.0), axis::MIN_WIDTH);
    assert_eq!(axis::layout_width(250.4), 250.0);
    assert_eq!(axis::layout_width(390.7), 390.0);
}

#[wasm_bindgen_test]
fn layouts_keep_things_apart() {
    // Spans overlapping in time take different rows.
    assert_eq!(
        lanes::stack(&[(0, 10), (5, 20), (10, 15), (21, 30)]),
        [0, 1, 0, 0]
    );
    // State boxes fit even on a narrow picture.
    let (w, places) = state_machine::fit_boxes(3, 280.0, 290.0, 150.0);
    assert!((64.0..150.0).contains(&w));
    for i in 0..3 {
        for j in i + 1..3 {
            let (a, b) = (places[i], places[j]);
            assert!((a.0 - b.0).abs() >= w + 10.0 || (a.1 - b.1).abs() >= 52.0);
        }
    }
    // Leaves on whole rows, parents centred on their children.
    if let PictureKind::Tree(t) = tree_picture().kind {
        let (placed, nodes) = tree::layout(&t.root);
        assert_eq!(nodes.len(), 8);
        let rows: Vec<f64> = placed.iter().map(|p| p.row).collect();
        assert_eq!(rows, [2.25, 0.5, 0.0, 1.0, 2.5, 2.0, 3.0, 4.0]);
        assert_eq!(placed[2].parent, Some(1));
    }
    // Tree columns as wide as their text, shrunk alike when too wide, spare room in the gaps.
    let (widths, lefts) = tree::column_layout(&[100.0, 100.0], 400.0, 18.0);
    assert_eq!((widths, lefts), (vec![100.0, 100.0], vec![0.0, 160.0]));
    let (widths, lefts) = tree::column_layout(&[200.0, 100.0], 318.0, 18.0);
    assert_eq!((widths, lefts), (vec![200.0, 100.0], vec![0.0, 218.0]));
    let (widths, _) = tree::column_layout(&[300.0, 300.0], 318.0, 18.0);
    assert_eq!(widths, [150.0, 150.0]);
}

#[wasm_bindgen_test]
async fn empty_pictures_draw_without_failing() {
    let scale = || Scale::new("x", "", 1);
    let kinds = vec![
        PictureKind::TimeSeries(TimeSeries {
            y: scale(),
            series: vec![Series {
                label: "nothing yet".into(),
                colour: 9,
                points: Vec::new(),
            }],
            marks: Vec::new(),
            threshold: None,
        }),
        PictureKind::Bars(Bars {
            x_label: String::new(),
            y: scale(),
            bars: vec![Bar {
                label: "below zero".into(),
                value: -12,
                tone: Tone::Faulty,
                highlight: false,
            }],
            reference: None,
        }),
        PictureKind::Graph(Graph {
            nodes: Vec::new(),
            edges: vec![GraphEdge {
                from: 0,
                to: 5,
                label: String::new(),
                highlight: true,
            }],
        }),
        PictureKind::StateMachine(StateMachine {
            states: Vec::new(),
            transitions: Vec::new(),
            current: 3,
        }),
        PictureKind::Tree(Tree {
            root: TreeNode {
                label: "alone".into(),
                value: String::new(),
                tone: Tone::Idle,
                fold: None,
                children: Vec::new(),
            },
        }),
        PictureKind::Lanes(Lanes {
            lanes: Vec::new(),
            marks: Vec::new(),
        }),
        PictureKind::Xy(Xy {
            x: scale(),
            y: scale(),
            series: vec![XySeries {
                label: "nothing yet".into(),
                colour: 11,
                style: XyStyle::Path,
                points: Vec::new(),
            }],
            guides: Vec::new(),
        }),
    ];
    for kind in kinds {
        let name = kind.name();
        let host = mount(picture("empty", "Empty", kind), 300).await;
        assert!(!aria_label(&host).is_empty(), "{name}");
    }
}
