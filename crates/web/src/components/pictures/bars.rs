//! The bars picture kind: one bar per item (load per node, a histogram's buckets) on a value
//! axis in the data's scale, with a reference line (a mean, a bound) and highlighted bars
//! outlined. Bars take their colour from their tone; labels are cut or thinned to fit.

use super::axis::{self, Linear, FONT, SMALL};
use super::parts::{self, LegendItem};
use crate::components::topology::tone_class;
use crate::decimal::within;
use crate::layout::coord;
use failscope_sim::picture::Bars;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct BarsProps {
    pub data: Bars,
    /// Layout width in pixels.
    pub width: f64,
}

const PLOT: f64 = 140.0;

/// What the picture says, in one sentence, for screen readers.
pub fn summary(data: &Bars) -> String {
    let Some(high) = data.bars.iter().max_by_key(|b| b.value) else {
        return format!("No bars of {} yet", data.y.label);
    };
    let low = data.bars.iter().min_by_key(|b| b.value).unwrap_or(high);
    let mut out = format!(
        "{} bars of {} by {}: highest {} {}, lowest {} {}",
        data.bars.len(),
        data.y.label,
        data.x_label,
        high.label,
        data.y.format(high.value),
        low.label,
        data.y.format(low.value)
    );
    if let Some((value, label)) = &data.reference {
        out.push_str(&format!("; {label} {}", data.y.format(*value)));
    }
    let highlighted: Vec<&str> = data
        .bars
        .iter()
        .filter(|b| b.highlight)
        .map(|b| b.label.as_str())
        .collect();
    if !highlighted.is_empty() {
        out.push_str(&format!("; highlighted: {}", highlighted.join(", ")));
    }
    out
}

/// Every how many bars a label fits, for bars `slot` pixels apart with these labels.
pub fn label_stride(labels: &[&str], slot: f64) -> usize {
    let widest = labels
        .iter()
        .map(|l| axis::text_width(l, SMALL).min(axis::text_width("abc…", SMALL)))
        .fold(0.0, f64::max);
    ((widest + 6.0) / slot.max(1.0)).ceil().max(1.0) as usize
}

#[component]
pub fn BarsView(props: &BarsProps) -> Html {
    let data = &props.data;
    let width = props.width;
    let n = data.bars.len().max(1);

    let values = data
        .bars
        .iter()
        .map(|b| b.value)
        .chain(data.reference.iter().map(|r| r.0));
    let parts::ValueTicks {
        lo,
        hi,
        ticks: y_ticks,
        labels: y_labels,
        left,
    } = parts::value_ticks(values, &data.y, PLOT);
    let right = width - 8.0;

    let mut items = Vec::new();
    // The reference line is named in the legend (labs put its value in the label: "mean
    // 40.0") rather than on the line, where it would run into the values over the bars.
    if let Some((_, label)) = &data.reference {
        items.push(LegendItem {
            label: label.clone(),
            class: classes!("pic-reference"),
            swatch: Box::new(|x, y| {
                html! { <line x1={coord(x - 10.0)} y1={coord(y)} x2={coord(x + 10.0)} y2={coord(y)} /> }
            }),
        });
    }
    if data.bars.iter().any(|b| b.highlight) {
        items.push(LegendItem {
            label: "highlighted".into(),
            class: classes!("pic-bar", "highlight"),
            swatch: Box::new(|x, y| {
                html! { <rect x={coord(x - 7.0)} y={coord(y - 6.0)} width="14" height="12" /> }
            }),
        });
    }
    let (legend, legend_h) = parts::legend(&items, 0.0, 0.0, width);
    let title_y = legend_h + FONT + 4.0;
    let top = title_y + 12.0;
    let bottom = top + PLOT;
    let labels_y = bottom + 4.0 + SMALL;
    let x_title_y = labels_y + FONT + 6.0;
    let height = x_title_y + 6.0;
    let y = Linear::new(lo as f64, hi as f64, bottom, top);
    let slot = (right - left) / n as f64;
    let bar_w = within(slot * 0.72, 1.0, 56.0);
    let label_refs: Vec<&str> = data.bars.iter().map(|b| b.label.as_str()).collect();
    let stride = label_stride(&label_refs, slot);
    let zero = y.at(within(0.0, lo as f64, hi as f64));

    let bars = data.bars.iter().enumerate().map(|(i, bar)| {
        let cx = left + slot * (i as f64 + 0.5);
        let top_y = y.at(bar.value as f64);
        let (y0, y1) = if top_y < zero { (top_y, zero) } else { (zero, top_y) };
        let value = data.y.format(bar.value);
        let show_value = axis::text_width(&value, SMALL) <= slot - 2.0;
        let tooltip = format!(
            "{}: {}{}",
            bar.label,
            value,
            if bar.highlight { " (highlighted)" } else { "" }
        );
        let label = (i % stride == 0).then(|| {
            let (text, _) = axis::fit(&bar.label, slot * stride as f64 - 4.0, SMALL);
            html! { <text class="pic-tick-label" x={coord(cx)} y={coord(labels_y)} text-anchor="middle" font-size={coord(SMALL)}>{ text }</text> }
        });
        html! {
            <g class={classes!("pic-bar", tone_class(bar.tone), bar.highlight.then_some("highlight"))}
               tabindex="0" data-testid={format!("bar-{i}")} data-value={bar.value.to_string()}>
                <title>{ tooltip }</title>
                <rect x={coord(cx - bar_w / 2.0)} y={coord(y0)} width={coord(bar_w)} height={coord((y1 - y0).max(0.5))} />
                if show_value {
                    <text class="pic-value" x={coord(cx)} y={coord(y0 - 4.0)} text-anchor="middle" font-size={coord(SMALL)}>{ value }</text>
                }
                { for label }
            </g>
        }
    });

    let reference = data.reference.as_ref().map(|(value, label)| {
        let ry = y.at(*value as f64);
        html! {
            <g class="pic-reference" data-testid="reference" tabindex="0">
                <title>{ format!("{label}: {}", data.y.format(*value)) }</title>
                <line x1={coord(left)} y1={coord(ry)} x2={coord(right)} y2={coord(ry)} />
            </g>
        }
    });

    let axis_title = parts::axis_title(&data.y);
    let (axis_title, _) = axis::fit(&axis_title, width, FONT);
    let (x_title, _) = axis::fit(&data.x_label, width, FONT);
    let children = html! {
        <>
            { legend }
            <text class="pic-axis-title" x="0" y={coord(title_y)}>{ axis_title }</text>
            { parts::value_axis(&y, &y_ticks, &y_labels, left, right) }
            <line class="pic-axis-line" x1={coord(left)} y1={coord(zero)} x2={coord(right)} y2={coord(zero)} />
            <g data-testid="axis-x">{ for bars }</g>
            { for reference }
            <text class="pic-axis-title" x={coord((left + right) / 2.0)} y={coord(x_title_y)} text-anchor="middle">{ x_title }</text>
        </>
    };
    parts::svg("pic-bars", width, height, summary(data), children)
}
