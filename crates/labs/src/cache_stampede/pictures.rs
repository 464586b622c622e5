//! The lab's pictures: the database's load (recomputations running and queued) over time,
//! the clients' worst latency over time, and the recomputations per TTL period as bars.

use super::config::{Config, CACHE, DATABASE};
use super::node::Stampede;
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{Bar, Bars, Picture, PictureKind, Scale, Series, TimeSeries};
use failscope_sim::protocol::Tone;
use failscope_sim::time::{format_duration, Time};
use failscope_sim::world::NodeStatus;

fn hash(values: impl Iterator<Item = i64>) -> u64 {
    values.fold(17u64, |h, v| h.wrapping_mul(31).wrapping_add(v as u64))
}

pub fn all(config: &Config, nodes: &Nodes<'_, Stampede>, now: Time) -> Vec<Picture> {
    let db = nodes.state(DATABASE);
    let load = db.map(|d| d.load.clone()).unwrap_or_default();
    let computing: Vec<(Time, i64)> = load.iter().map(|&(t, c, _)| (t, c)).collect();
    let queued: Vec<(Time, i64)> = load.iter().map(|&(t, _, q)| (t, q)).collect();
    let peak = load.iter().map(|l| l.1 + l.2).max().unwrap_or(0);
    let db_picture = Picture {
        id: "database-load",
        title: "Database load".into(),
        caption: format!(
            "Recomputations running and queued at the database (peak per {}); the line is its {} slots. Peak so far: {peak}.",
            format_duration(super::node::LOAD_BUCKET_US),
            config.db_slots
        ),
        primary: config.write_every_us == 0,
        version: hash(load.iter().map(|l| l.0 as i64 + l.1 * 7 + l.2 * 131)),
        kind: PictureKind::TimeSeries(TimeSeries {
            y: Scale::new("recomputations", "", 1),
            series: vec![
                Series {
                    label: "running".into(),
                    colour: 0,
                    points: computing,
                },
                Series {
                    label: "queued".into(),
                    colour: 1,
                    points: queued,
                },
            ],
            marks: Vec::new(),
            threshold: Some((i64::from(config.db_slots), "slots".into())),
        }),
    };
    // The worst latency per bucket over every app server.
    let mut worst: Vec<(Time, i64)> = Vec::new();
    let mut histogram: Vec<u32> = Vec::new();
    let mut stale = 0;
    for n in nodes.ids().filter(|&n| Config::is_app(n)) {
        let Some(s) = nodes.state(n) else { continue };
        stale += s.stale_served;
        if histogram.len() < s.latency_ms.len() {
            histogram.resize(s.latency_ms.len(), 0);
        }
        for (i, &c) in s.latency_ms.iter().enumerate() {
            histogram[i] += c;
        }
        for &(t, l) in &s.worst {
            match worst.binary_search_by_key(&t, |p| p.0) {
                Ok(i) => worst[i].1 = worst[i].1.max(l),
                Err(i) => worst.insert(i, (t, l)),
            }
        }
    }
    let p99 = Stampede::p99_ms(&histogram);
    let latency = Picture {
        id: "latency",
        title: "Client latency".into(),
        caption: format!(
            "The slowest read answered in each {}; p99 so far {p99} ms, {stale} stale responses.",
            format_duration(super::node::LATENCY_BUCKET_US)
        ),
        primary: false,
        version: hash(worst.iter().map(|w| w.0 as i64 ^ w.1)),
        kind: PictureKind::TimeSeries(TimeSeries {
            y: Scale::new("worst latency", "ms", 1),
            series: vec![Series {
                label: "worst read".into(),
                colour: 2,
                points: worst,
            }],
            marks: Vec::new(),
            threshold: None,
        }),
    };
    let per_period = db.map(|d| d.per_period.clone()).unwrap_or_default();
    let periods = (now / config.ttl_us.max(1)) as usize + 1;
    let bars: Vec<Bar> = (0..periods.min(per_period.len().max(1)).min(40))
        .map(|i| {
            let count = per_period.get(i).copied().unwrap_or(0);
            Bar {
                label: if i == 0 {
                    "0 s".into()
                } else {
                    format_duration(config.ttl_us * i as Time)
                },
                value: i64::from(count),
                tone: if count > 1 {
                    Tone::Suspect
                } else {
                    Tone::Secondary
                },
                highlight: count > 1,
            }
        })
        .collect();
    let per_ttl = Picture {
        id: "recomputations",
        title: "Recomputations per TTL".into(),
        caption: format!(
            "How many times the database recomputed the key in each {} TTL period; one is all it takes.",
            format_duration(config.ttl_us)
        ),
        primary: false,
        version: hash(bars.iter().map(|b| b.value)),
        kind: PictureKind::Bars(Bars {
            x_label: "period starting at".into(),
            y: Scale::new("recomputations", "", 1),
            bars,
            reference: Some((1, "one".into())),
        }),
    };
    let mut pictures = vec![db_picture, latency, per_ttl];
    if config.write_every_us > 0 {
        pictures.insert(0, writes(nodes));
    }
    pictures
}

/// Where the writes are: acknowledged to the writer, in the database, and lost with a crashed
/// write-behind cache.
fn writes(nodes: &Nodes<'_, Stampede>) -> Picture {
    let writer = nodes.ids().last().and_then(|n| nodes.durable(n));
    let acked = writer.map_or(0, |d| d.acked) as i64;
    let in_db = nodes.durable(DATABASE).map_or(0, |d| d.db_version) as i64;
    let lost = nodes.durable(CACHE).map_or(0, |d| {
        let down = nodes.status(CACHE) == Some(NodeStatus::Down);
        d.lost
            + if down {
                d.cache_acked - d.cache_flushed
            } else {
                0
            }
    }) as i64;
    let bar = |label: &str, value: i64, tone: Tone, highlight: bool| Bar {
        label: label.into(),
        value,
        tone,
        highlight,
    };
    Picture {
        id: "writes",
        title: "Writes".into(),
        caption: format!(
            "The writer's writes: {acked} acknowledged, the newest in the database is write {in_db}, {lost} lost with the cache."
        ),
        primary: true,
        version: hash([acked, in_db, lost].into_iter()),
        kind: PictureKind::Bars(Bars {
            x_label: "write".into(),
            y: Scale::new("writes", "", 1),
            bars: vec![
                bar("acknowledged", acked, Tone::Primary, false),
                bar("in the database", in_db, Tone::Secondary, false),
                bar("lost", lost, Tone::Faulty, lost > 0),
            ],
            reference: None,
        }),
    }
}
