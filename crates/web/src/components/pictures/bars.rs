//! The bars picture kind: one bar per label (load per server, keys moved per placement) on a
//! value axis with ticks, an optional reference line (a mean, a bound), highlighted bars
//! outlined. Labels thin out when bars get narrow; every bar keeps its tooltip.

use crate::layout::Coord;
use failscope_sim::picture::{Bar, Bars, Scale};
use failscope_sim::protocol::Tone;
use yew::prelude::*;

const WIDTH: f64 = 440.0;
const HEIGHT: f64 = 230.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 52.0;
/// Rough width of a character of an 11 px label.
const CHAR: f64 = 6.3;

#[derive(Properties, PartialEq)]
pub struct BarsViewProps {
    pub bars: Bars,
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Idle => "tone-idle",
        Tone::Primary => "tone-primary",
        Tone::Secondary => "tone-secondary",
        Tone::Candidate => "tone-candidate",
        Tone::Suspect => "tone-suspect",
        Tone::Faulty => "tone-faulty",
    }
}

/// A round step giving about four intervals over `span`: 1, 2 or 5 times a power of ten.
fn tick_step(span: i64) -> i64 {
    let raw = (span.max(1) + 3) / 4;
    let mut p = 1i64;
    while p.saturating_mul(10) <= raw {
        p *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= raw)
        .unwrap_or(10 * p)
}

/// A label on one line, or on two split at the space nearest its middle when it is wider
/// than `room`.
fn label_lines(label: &str, room: f64) -> Vec<String> {
    if label.chars().count() as f64 * CHAR <= room {
        return vec![label.to_string()];
    }
    let middle = label.len() / 2;
    match label
        .match_indices(' ')
        .map(|(i, _)| i)
        .min_by_key(|&i| i.abs_diff(middle))
    {
        Some(i) => vec![label[..i].to_string(), label[i + 1..].to_string()],
        None => vec![label.to_string()],
    }
}

#[component]
pub fn BarsView(props: &BarsViewProps) -> Html {
    let bars = &props.bars;
    let y = &bars.y;
    // Ticks and values as bare numbers: the axis title names the unit once.
    let bare = Scale {
        unit: String::new(),
        ..y.clone()
    };
    let title = if y.unit.is_empty() || y.label.contains(y.unit.as_str()) {
        y.label.clone()
    } else {
        format!("{} ({})", y.label, y.unit)
    };
    let reference = bars.reference.as_ref().map(|r| r.0);
    let values = bars.bars.iter().map(|b| b.value).chain(reference);
    let lo = values.clone().min().unwrap_or(0).min(0);
    let hi = values.max().unwrap_or(1).max(lo + 1);
    let step = tick_step(hi - lo);
    let bottom = lo.div_euclid(step) * step;
    let top = (hi + step - 1).div_euclid(step) * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let base_y = HEIGHT - BOTTOM;
    let plot_h = base_y - TOP;
    let y_of = |v: i64| base_y - (v - bottom) as f64 / (top - bottom).max(1) as f64 * plot_h;
    let n = bars.bars.len().max(1);
    let band = plot_w / n as f64;
    let lines: Vec<Vec<String>> = bars
        .bars
        .iter()
        .map(|b| label_lines(&b.label, band - 4.0))
        .collect();
    let widest = lines
        .iter()
        .flatten()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1) as f64;
    // Every k-th label, so neighbours do not overlap.
    let every = ((widest * CHAR + 4.0) / band).ceil().max(1.0) as usize;
    let show_values = band >= 30.0;
    let ticks = (0..)
        .map(|i| bottom + i * step)
        .take_while(|&v| v <= top)
        .map(|v| {
            let ty = y_of(v);
            html! {
                <g class="tick">
                    <line class="grid" x1={LEFT.to_string()} x2={(WIDTH - RIGHT).to_string()} y1={Coord(ty).to_string()} y2={Coord(ty).to_string()} />
                    <text class="axis-label tick-label" font-size="11" x={(LEFT - 5.0).to_string()} y={Coord(ty + 4.0).to_string()}>{ bare.format(v) }</text>
                </g>
            }
        });
    let zero = y_of(0);
    let drawn = bars.bars.iter().zip(&lines).enumerate().map(|(i, (bar, lines)): (usize, (&Bar, &Vec<String>))| {
        let x = LEFT + band * i as f64;
        let width = (band * 0.72).max(1.0);
        let bx = x + (band - width) / 2.0;
        let vy = y_of(bar.value);
        let (top_y, height) = if vy <= zero { (vy, zero - vy) } else { (zero, vy - zero) };
        let centre = x + band / 2.0;
        let label = (i % every == 0).then(|| html! {
            <text class={classes!("axis-label", "bar-label", bar.highlight.then_some("strong"))} font-size="11" x={Coord(centre).to_string()} y={Coord(base_y + 15.0).to_string()}>
                { for lines.iter().enumerate().map(|(l, line)| html! {
                    <tspan x={Coord(centre).to_string()} dy={if l == 0 { "0" } else { "13" }}>{ line }</tspan>
                }) }
            </text>
        });
        let value = show_values.then(|| html! {
            <text class="axis-label bar-value" font-size="11" x={Coord(centre).to_string()} y={Coord(top_y - 4.0).to_string()}>{ bare.format(bar.value) }</text>
        });
        html! {
            <g class={classes!("bar", tone_class(bar.tone), bar.highlight.then_some("highlight"))}
               data-testid={format!("bar-{i}")} data-label={bar.label.clone()} data-value={bar.value.to_string()}>
                <rect x={Coord(bx).to_string()} y={Coord(top_y).to_string()} width={Coord(width).to_string()} height={Coord(height.max(0.5)).to_string()}>
                    <title>{ format!("{}: {}{}", bar.label, y.format(bar.value), if bar.highlight { " (highlighted)" } else { "" }) }</title>
                </rect>
                { for value }
                { for label }
            </g>
        }
    });
    // The line across the plot, named in a key above it (where no bar can cover the name).
    let reference_line = bars.reference.as_ref().map(|(v, text)| {
        let ry = y_of(*v);
        let key_end = WIDTH - RIGHT;
        let key_start = key_end - (text.chars().count() as f64 * CHAR) - 26.0;
        html! {
            <g class="reference" data-testid="bars-reference">
                <line x1={LEFT.to_string()} x2={(WIDTH - RIGHT).to_string()} y1={Coord(ry).to_string()} y2={Coord(ry).to_string()} />
                <line x1={Coord(key_start).to_string()} x2={Coord(key_start + 20.0).to_string()} y1="9" y2="9" />
                <text class="reference-label" font-size="11" x={key_end.to_string()} y="13">{ text }</text>
            </g>
        }
    });
    let summary: Vec<String> = bars
        .bars
        .iter()
        .map(|b| format!("{} {}", b.label, y.format(b.value)))
        .collect();
    let label = format!(
        "{} by {}: {}{}",
        y.label,
        bars.x_label,
        summary.join(", "),
        bars.reference
            .as_ref()
            .map(|(_, t)| format!("; line: {t}"))
            .unwrap_or_default()
    );
    html! {
        <svg class="bars-svg" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" tabindex="0" aria-label={label}>
            <text class="axis-title" font-size="11" x="4" y="13">{ title }</text>
            { for ticks }
            <line class="axis" x1={LEFT.to_string()} x2={(WIDTH - RIGHT).to_string()} y1={Coord(zero).to_string()} y2={Coord(zero).to_string()} />
            <line class="axis" x1={LEFT.to_string()} x2={LEFT.to_string()} y1={TOP.to_string()} y2={base_y.to_string()} />
            { for drawn }
            { for reference_line }
            <text class="axis-label" font-size="11" x={(LEFT + plot_w / 2.0).to_string()} y={(HEIGHT - 4.0).to_string()}>{ &bars.x_label }</text>
        </svg>
    }
}
