//! The x-y picture kind: one quantity against another on two value axes. Paths join their
//! points in order (a run's trajectory may loop back: hysteresis), dots stand alone with
//! their labels placed clear of each other, lines join points without a direction (a fitted
//! curve laid over a histogram's columns). Guides are straight lines at a value of either axis.

use super::axis::{self, Linear, FONT, SMALL};
use super::parts::{self, LegendItem};
use crate::layout::coord;
use failscope_sim::picture::{Axis, Xy, XySeries, XyStyle};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct XyProps {
    pub data: Xy,
    /// Layout width in pixels.
    pub width: f64,
}

/// Height of the plotting area.
const PLOT: f64 = 170.0;

/// What the picture says, in one sentence, for screen readers.
pub fn summary(data: &Xy) -> String {
    let Some(((x_lo, x_hi), (y_lo, y_hi))) = data.extent() else {
        return format!("{} against {}: no data yet", data.y.label, data.x.label);
    };
    let mut out = format!(
        "{} against {}: {} from {} to {}, {} from {} to {}",
        data.y.label,
        data.x.label,
        data.x.label,
        data.x.format(x_lo),
        data.x.format(x_hi),
        data.y.label,
        data.y.format(y_lo),
        data.y.format(y_hi)
    );
    for s in &data.series {
        out.push_str(&format!("; {} ({} points)", s.label, s.points.len()));
    }
    for p in data.series.iter().flat_map(|s| &s.points) {
        if p.highlight {
            out.push_str(&format!(
                "; marked: {}{} {}, {} {}",
                p.label,
                if p.label.is_empty() { "" } else { " at" },
                data.x.format(p.x),
                data.y.format(p.y),
                data.y.label
            ));
        }
    }
    out
}

/// Where to put labels of about `size` (width, height) beside the points `at`, so that no two
/// overlap and none leaves `bounds` (x0, y0, x1, y1): for each point in turn the first free
/// spot to the right, left, above or below it; `None` when no spot is free (the label then
/// lives in the point's tooltip only). Returns each label's top-left corner.
pub fn place_labels(
    at: &[(f64, f64)],
    sizes: &[(f64, f64)],
    bounds: (f64, f64, f64, f64),
) -> Vec<Option<(f64, f64)>> {
    let mut taken: Vec<(f64, f64, f64, f64)> = Vec::new();
    let overlaps = |a: &(f64, f64, f64, f64), b: &(f64, f64, f64, f64)| {
        a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
    };
    at.iter()
        .zip(sizes)
        .map(|(&(x, y), &(w, h))| {
            let gap = 7.0;
            let spots = [
                (x + gap, y - h / 2.0),
                (x - gap - w, y - h / 2.0),
                (x - w / 2.0, y - gap - h),
                (x - w / 2.0, y + gap),
            ];
            let free = spots.into_iter().find(|&(lx, ly)| {
                let rect = (lx, ly, lx + w, ly + h);
                rect.0 >= bounds.0
                    && rect.1 >= bounds.1
                    && rect.2 <= bounds.2
                    && rect.3 <= bounds.3
                    && !taken.iter().any(|t| overlaps(t, &rect))
            });
            if let Some((lx, ly)) = free {
                taken.push((lx, ly, lx + w, ly + h));
            }
            free
        })
        .collect()
}

/// The x axis: ticks at nice values in the x scale, labels that never overlap.
fn x_axis(x: &Linear, y: f64, ticks: &[i64], data: &Xy) -> Html {
    let labels: Vec<String> = ticks.iter().map(|&v| data.x.format(v)).collect();
    let centres: Vec<f64> = ticks.iter().map(|&v| x.at(v as f64)).collect();
    parts::bottom_axis(x, y, &centres, &labels, 8.0)
}

/// A point's tooltip: its label, then both coordinates in their units.
fn tip(data: &Xy, series: &XySeries, x: i64, y: i64, label: &str) -> String {
    let what = if label.is_empty() {
        series.label.clone()
    } else {
        format!("{}, {label}", series.label)
    };
    format!(
        "{what}: {} {}, {} {}",
        data.x.label,
        data.x.format(x),
        data.y.label,
        data.y.format(y)
    )
}

#[component]
pub fn XyView(props: &XyProps) -> Html {
    let data = &props.data;
    let width = props.width;
    let ((x_lo, x_hi), (y_lo, y_hi)) = data.extent().unwrap_or(((0, 1), (0, 1)));
    let parts::ValueTicks {
        lo,
        hi,
        ticks: y_ticks,
        labels: y_labels,
        left,
    } = parts::value_ticks([y_lo, y_hi].into_iter(), &data.y, PLOT);
    // About one x label per 70 px; the axis starts at zero unless the data lies below it.
    // The last label is centred on the axis's end: leave it half its width.
    let widest = axis::text_width(&data.x.format(x_hi), SMALL).max(30.0);
    let right = width - (widest / 2.0 + 4.0).max(14.0);
    let (x0, x1, x_step) =
        axis::nice_domain(x_lo, x_hi, axis::max_labels(right - left, widest).min(8));
    let x_ticks = axis::ticks_every(x0, x1, x_step);

    let items: Vec<LegendItem> = data
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            label: s.label.clone(),
            class: classes!(format!("pic-c{}", s.colour % 8)),
            swatch: match s.style {
                XyStyle::Columns { .. } => Box::new(move |x: f64, y: f64| {
                    html! { <rect class="pic-xy-column" x={coord(x - 8.0)} y={coord(y - 5.0)} width="16" height="10" /> }
                }) as Box<dyn Fn(f64, f64) -> Html>,
                XyStyle::Dots => Box::new(move |x: f64, y: f64| {
                    html! { <circle class="pic-point" cx={coord(x)} cy={coord(y)} r="4" /> }
                }),
                XyStyle::Path | XyStyle::Line => Box::new(move |x: f64, y: f64| {
                    html! { <line class="pic-swatch-line" x1={coord(x - 10.0)} y1={coord(y)} x2={coord(x + 10.0)} y2={coord(y)} stroke-dasharray={axis::series_dash(i)} /> }
                }),
            },
        })
        .collect();
    let (legend, legend_h) = parts::legend(&items, 0.0, 0.0, width);
    let title_y = legend_h + FONT + 4.0;
    let top = title_y + 10.0;
    let bottom = top + PLOT;
    let height = bottom + SMALL + 8.0 + FONT + 8.0;
    let x = Linear::new(x0 as f64, x1 as f64, left, right);
    let y = Linear::new(lo as f64, hi as f64, bottom, top);
    let (y_title, _) = axis::fit(&parts::axis_title(&data.y), width, FONT);
    let (x_title, _) = axis::fit(&parts::axis_title(&data.x), right - left, FONT);

    // Dot labels go where they do not collide, across every series.
    let dots: Vec<(usize, usize)> = data
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.style == XyStyle::Dots)
        .flat_map(|(si, s)| {
            (0..s.points.len())
                .filter(move |&pi| !s.points[pi].label.is_empty())
                .map(move |pi| (si, pi))
        })
        .collect();
    let anchors: Vec<(f64, f64)> = dots
        .iter()
        .map(|&(si, pi)| {
            let p = &data.series[si].points[pi];
            (x.at(p.x as f64), y.at(p.y as f64))
        })
        .collect();
    let sizes: Vec<(f64, f64)> = dots
        .iter()
        .map(|&(si, pi)| {
            (
                axis::text_width(&data.series[si].points[pi].label, SMALL),
                SMALL + 2.0,
            )
        })
        .collect();
    let placed = place_labels(&anchors, &sizes, (left, top, right, bottom));

    let series = data.series.iter().enumerate().map(|(si, s)| {
        let colour = classes!("pic-xy-series", format!("pic-c{}", s.colour % 8));
        let body = match s.style {
            XyStyle::Columns { width: w } => html! {
                { for s.points.iter().map(|p| {
                    let (a, b) = (x.at(p.x as f64), x.at(p.x.saturating_add(w) as f64));
                    let (t, z) = (y.at(p.y as f64), y.at(0.0));
                    html! {
                        <rect class={classes!("pic-xy-column", p.highlight.then_some("highlight"))} tabindex="0"
                              x={coord(a.min(b) + 0.5)} y={coord(t.min(z))} width={coord(((b - a).abs() - 1.0).max(1.0))}
                              height={coord((z - t).abs())} data-testid="xy-column">
                            <title>{ tip(data, s, p.x, p.y, &p.label) }</title>
                        </rect>
                    }
                }) }
            },
            XyStyle::Path | XyStyle::Line => {
                let directed = s.style == XyStyle::Path;
                let pts: Vec<(f64, f64)> =
                    s.points.iter().map(|p| (x.at(p.x as f64), y.at(p.y as f64))).collect();
                let arrow = (directed && pts.len() >= 2).then(|| {
                    let (a, b) = (pts[pts.len() - 2], pts[pts.len() - 1]);
                    html! { <polygon class="pic-xy-arrow" points={axis::points(&axis::arrowhead(b, a, 9.0))} /> }
                });
                let marked = s.points.iter().enumerate().filter(|(i, p)| p.highlight || (directed && *i + 1 == s.points.len())).map(|(_, p)| html! {
                    <circle class={classes!("pic-point", p.highlight.then_some("highlight"))} cx={coord(x.at(p.x as f64))} cy={coord(y.at(p.y as f64))}
                            r={if p.highlight { "6" } else { "4" }} tabindex="0" data-testid="xy-point">
                        <title>{ tip(data, s, p.x, p.y, &p.label) }</title>
                    </circle>
                });
                html! {
                    <>
                        <polyline class="pic-line" points={axis::points(&pts)} stroke-dasharray={axis::series_dash(si)} />
                        { for arrow }
                        { for marked }
                    </>
                }
            }
            XyStyle::Dots => html! {
                { for s.points.iter().enumerate().map(|(pi, p)| {
                    let (px, py) = (x.at(p.x as f64), y.at(p.y as f64));
                    let label = dots.iter().position(|&d| d == (si, pi)).and_then(|k| placed[k]).map(|(lx, ly)| html! {
                        <text class="pic-xy-label" x={coord(lx)} y={coord(ly + SMALL)} font-size={coord(SMALL)}>{ &p.label }</text>
                    });
                    html! {
                        <g class={classes!("pic-xy-dot", p.highlight.then_some("highlight"))}>
                            <circle class={classes!("pic-point", p.highlight.then_some("highlight"))} cx={coord(px)} cy={coord(py)} r={if p.highlight { "6" } else { "4.5" }} tabindex="0" data-testid="xy-point">
                                <title>{ tip(data, s, p.x, p.y, &p.label) }</title>
                            </circle>
                            { for label }
                        </g>
                    }
                }) }
            },
        };
        html! {
            <g class={colour} data-testid="series">
                <title>{ &s.label }</title>
                { body }
            </g>
        }
    });

    let guides = data.guides.iter().map(|g| {
        let text = format!("{} {}", g.label, match g.axis {
            Axis::X => data.x.format(g.value),
            Axis::Y => data.y.format(g.value),
        });
        let (line, label) = match g.axis {
            Axis::X => {
                let gx = x.at(g.value as f64);
                let (shown, _) = axis::fit(&text, (bottom - top) * 0.9, SMALL);
                (
                    html! { <line x1={coord(gx)} y1={coord(top)} x2={coord(gx)} y2={coord(bottom)} /> },
                    html! { <text x={coord(gx - 4.0)} y={coord(top + 2.0)} text-anchor="end" font-size={coord(SMALL)}
                                  transform={format!("rotate(-90 {} {})", coord(gx - 4.0), coord(top + 2.0))}>{ shown }</text> },
                )
            }
            Axis::Y => {
                let gy = y.at(g.value as f64);
                let (shown, _) = axis::fit(&text, right - left - 4.0, SMALL);
                (
                    html! { <line x1={coord(left)} y1={coord(gy)} x2={coord(right)} y2={coord(gy)} /> },
                    html! { <text x={coord(right - 2.0)} y={coord(gy - 4.0)} text-anchor="end" font-size={coord(SMALL)}>{ shown }</text> },
                )
            }
        };
        html! {
            <g class="pic-reference" data-testid="guide" tabindex="0">
                <title>{ text.clone() }</title>
                { line }
                { label }
            </g>
        }
    });

    let children = html! {
        <>
            { legend }
            <text class="pic-axis-title" x="0" y={coord(title_y)}>{ y_title }</text>
            { parts::value_axis(&y, &y_ticks, &y_labels, left, right) }
            { x_axis(&x, bottom, &x_ticks, data) }
            <text class="pic-axis-title" x={coord((left + right) / 2.0)} y={coord(height - 4.0)} text-anchor="middle">{ x_title }</text>
            { for guides }
            { for series }
        </>
    };
    parts::svg("pic-xy", width, height, summary(data), children)
}
