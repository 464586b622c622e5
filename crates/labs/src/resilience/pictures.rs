//! The lab's pictures: offered load and goodput over time, the dependencies' load, the
//! clients' latency, the circuit breaker's state machine with its counts, goodput against
//! offered load before, during and after the trigger, and the instances' worker pools.

use super::config::{Config, BALANCER, CLIENTS, DEP_A, DEP_B, FIRST_INSTANCE, N_INSTANCES};
use super::node::{Bucket, Resilience, BUCKET_US, LOAD_BUCKET_US};
use failscope_sim::invariant::Nodes;
use failscope_sim::picture::{
    Axis, Cell, Grid, Guide, MachineState, MarkKind, Picture, PictureKind, Scale, Series,
    StateMachine, TimeMark, TimeSeries, Transition, Xy, XyPoint, XySeries, XyStyle,
};
use failscope_sim::protocol::Tone;
use failscope_sim::time::{format_duration, Time, MS, SECOND};

fn hash(values: impl Iterator<Item = i64>) -> u64 {
    values.fold(17u64, |h, v| h.wrapping_mul(31).wrapping_add(v as u64))
}

const PER_SECOND: i64 = (SECOND / BUCKET_US) as i64;

fn marks(config: &Config, nodes: &Nodes<'_, Resilience>) -> Vec<TimeMark> {
    let mut marks = Vec::new();
    if config.trigger_us > 0 {
        marks.push(TimeMark {
            at: config.trigger_at_us,
            kind: MarkKind::Fault,
            label: "trigger".into(),
        });
        marks.push(TimeMark {
            at: config.trigger_end(),
            kind: MarkKind::Info,
            label: "trigger clears".into(),
        });
    }
    if let Some(lb) = nodes.state(BALANCER) {
        if let Some(t) = lb.rolled_back_at {
            marks.push(TimeMark {
                at: t,
                kind: MarkKind::Info,
                label: "rollback".into(),
            });
        }
    }
    marks
}

fn series_of(buckets: &[Bucket], f: fn(&Bucket) -> i64, scale: i64) -> Vec<(Time, i64)> {
    buckets
        .iter()
        .enumerate()
        .map(|(i, b)| (i as Time * BUCKET_US, f(b) * scale))
        .collect()
}

pub fn all(config: &Config, nodes: &Nodes<'_, Resilience>, now: Time) -> Vec<Picture> {
    let buckets: Vec<Bucket> = nodes
        .state(CLIENTS)
        .map(|c| {
            // The bucket still filling would dip; leave it out.
            let done = ((now / BUCKET_US) as usize).min(c.buckets.len());
            c.buckets[..done].to_vec()
        })
        .unwrap_or_default();
    let mut pictures = vec![
        load(config, nodes, &buckets),
        dependencies(config, nodes, now),
        latency(&buckets),
    ];
    if config.breaker {
        pictures.push(breaker(config, nodes));
    }
    pictures.push(hysteresis(config, nodes, &buckets));
    pictures.push(pools(config, nodes));
    pictures
}

fn load(config: &Config, nodes: &Nodes<'_, Resilience>, buckets: &[Bucket]) -> Picture {
    let offered = series_of(buckets, |b| i64::from(b.offered), PER_SECOND);
    let good = series_of(buckets, |b| i64::from(b.good), PER_SECOND);
    let failed = series_of(buckets, |b| i64::from(b.failed), PER_SECOND);
    let recovered = nodes
        .state(CLIENTS)
        .and_then(|c| c.recovered_at)
        .map_or("not yet".to_string(), |t| {
            format!("at {}", format_duration(t))
        });
    Picture {
        id: "goodput",
        title: "Offered load and goodput".into(),
        caption: format!(
            "Requests per second: sent by the clients, answered successfully within {} (goodput), and failed or given up on. Recovered after the trigger: {recovered}.",
            format_duration(config.client_timeout_us)
        ),
        primary: true,
        version: hash(
            buckets
                .iter()
                .map(|b| i64::from(b.offered) + i64::from(b.good) * 7 + i64::from(b.failed) * 131),
        ),
        kind: PictureKind::TimeSeries(TimeSeries {
            y: Scale::new("requests", "/s", 1),
            series: vec![
                Series {
                    label: "offered".into(),
                    colour: 0,
                    points: offered,
                },
                Series {
                    label: "goodput".into(),
                    colour: 1,
                    points: good,
                },
                Series {
                    label: "failed".into(),
                    colour: 3,
                    points: failed,
                },
            ],
            marks: marks(config, nodes),
            threshold: None,
        }),
    }
}

fn dependencies(config: &Config, nodes: &Nodes<'_, Resilience>, now: Time) -> Picture {
    let per_second = (SECOND / LOAD_BUCKET_US) as i64;
    let done = (now / LOAD_BUCKET_US) as usize;
    let arrivals = |node| -> Vec<(Time, i64)> {
        nodes.state(node).map_or(Vec::new(), |d| {
            (0..done.min(d.arrivals.len()))
                .map(|i| {
                    (
                        i as Time * LOAD_BUCKET_US,
                        i64::from(d.arrivals[i]) * per_second,
                    )
                })
                .collect()
        })
    };
    let a = arrivals(DEP_A);
    let b = arrivals(DEP_B);
    let peak = a.iter().map(|p| p.1).max().unwrap_or(0);
    let refused = nodes.state(DEP_A).map_or(0, |d| d.rejected);
    let capacity = if config.service_us == 0 {
        0
    } else {
        i64::from(config.dep_slots) * (SECOND / config.service_us.max(1)) as i64
    };
    Picture {
        id: "dependency-load",
        title: "Dependency load".into(),
        caption: format!(
            "Calls arriving at each dependency per second (counted per {}), retries included; the line is what one can serve when healthy. Peak at A so far: {peak}/s; A refused {refused} calls.",
            format_duration(LOAD_BUCKET_US)
        ),
        primary: false,
        version: hash(
            a.iter()
                .chain(b.iter())
                .map(|p| p.1 ^ p.0 as i64)
                .chain([refused as i64]),
        ),
        kind: PictureKind::TimeSeries(TimeSeries {
            y: Scale::new("calls", "/s", 1),
            series: vec![
                Series {
                    label: "A".into(),
                    colour: 2,
                    points: a,
                },
                Series {
                    label: "B".into(),
                    colour: 4,
                    points: b,
                },
            ],
            marks: marks(config, nodes),
            threshold: Some((capacity, "capacity".into())),
        }),
    }
}

fn latency(buckets: &[Bucket]) -> Picture {
    let worst = series_of(buckets, |b| i64::from(b.latency_max_ms), 1);
    let mean = series_of(
        buckets,
        |b| {
            if b.good == 0 {
                0
            } else {
                (b.latency_sum_ms / u64::from(b.good)) as i64
            }
        },
        1,
    );
    Picture {
        id: "latency",
        title: "Latency".into(),
        caption: format!(
            "The mean and the slowest successful answer in each {}.",
            format_duration(BUCKET_US)
        ),
        primary: false,
        version: hash(worst.iter().chain(mean.iter()).map(|p| p.1 ^ p.0 as i64)),
        kind: PictureKind::TimeSeries(TimeSeries {
            y: Scale::new("latency", "ms", 1),
            series: vec![
                Series {
                    label: "mean".into(),
                    colour: 1,
                    points: mean,
                },
                Series {
                    label: "slowest".into(),
                    colour: 3,
                    points: worst,
                },
            ],
            marks: Vec::new(),
            threshold: None,
        }),
    }
}

fn breaker(config: &Config, nodes: &Nodes<'_, Resilience>) -> Picture {
    let mut entered = [0u64; 3];
    let mut taken = [[0u64; 3]; 3];
    let mut shed = 0;
    let s3 = nodes.state(FIRST_INSTANCE);
    for n in FIRST_INSTANCE..FIRST_INSTANCE + N_INSTANCES {
        if let Some(s) = nodes.state(n) {
            let b = &s.breakers[0];
            shed += b.shed;
            for (i, row) in taken.iter_mut().enumerate() {
                entered[i] += b.entered[i];
                for (j, count) in row.iter_mut().enumerate() {
                    *count += b.taken[i][j];
                }
            }
        }
    }
    let current = s3.map_or(0, |s| s.breakers[0].state.index()) as u16;
    let probes = s3.map_or(0, |s| s.breakers[0].probes);
    let state = |label: &str, tone: Tone, i: usize| MachineState {
        label: label.into(),
        tone,
        entered: entered[i],
    };
    let edge = |from: u16, to: u16, label: String| Transition {
        from,
        to,
        label,
        taken: taken[usize::from(from)][usize::from(to)],
    };
    Picture {
        id: "breaker",
        title: "Circuit breaker to A".into(),
        caption: format!(
            "Both instances' breakers in front of A, counted together; the highlighted state is S3's. Open fails calls at once ({shed} so far); half-open lets {} probe calls through (S3 has let {probes}).",
            config.probe_quota
        ),
        primary: false,
        version: hash(
            entered
                .iter()
                .chain(taken.iter().flatten())
                .map(|&v| v as i64)
                .chain([i64::from(current), shed as i64, i64::from(probes)]),
        ),
        kind: PictureKind::StateMachine(StateMachine {
            states: vec![
                state("closed", Tone::Secondary, 0),
                state("open", Tone::Faulty, 1),
                state("half-open", Tone::Candidate, 2),
            ],
            transitions: vec![
                edge(0, 1, format!("{} failures", config.breaker_failures)),
                edge(1, 2, format!("after {}", format_duration(config.open_us))),
                edge(2, 0, format!("{} probes ok", config.probe_quota)),
                edge(2, 1, "a probe fails".into()),
            ],
            current,
        }),
    }
}

/// Points of the goodput-against-load path: one per this much time.
pub const PATH_STEP_US: Time = 500 * MS;

/// Goodput against the load reaching the dependencies (retries included), one point per
/// [`PATH_STEP_US`], joined in time order and coloured by phase. A healthy run goes out
/// during the trigger and comes back; a metastable one stays out after the trigger clears,
/// at the same offered load: the path does not close. That is the hysteresis of Bronson et
/// al., "Metastable Failures in Distributed Systems" (HotOS 2021): below the trigger the
/// same load has two outcomes, depending on where the system came from.
fn hysteresis(config: &Config, nodes: &Nodes<'_, Resilience>, buckets: &[Bucket]) -> Picture {
    let per_step = (SECOND / PATH_STEP_US) as i64;
    let client_buckets = (PATH_STEP_US / BUCKET_US) as usize;
    let load_buckets = (PATH_STEP_US / LOAD_BUCKET_US) as usize;
    let steps = buckets.len() / client_buckets;
    let calls = |node, step: usize| -> i64 {
        nodes.state(node).map_or(0, |d| {
            let from = (step * load_buckets).min(d.arrivals.len());
            let to = ((step + 1) * load_buckets).min(d.arrivals.len());
            d.arrivals[from..to].iter().map(|&n| i64::from(n)).sum()
        })
    };
    let mut phases: [Vec<XyPoint>; 3] = Default::default();
    let mut previous: Option<(usize, XyPoint)> = None;
    for step in 0..steps {
        let window = &buckets[step * client_buckets..(step + 1) * client_buckets];
        let good: i64 = window.iter().map(|b| i64::from(b.good)).sum();
        let load = calls(DEP_A, step) + calls(DEP_B, step);
        let start = step as Time * PATH_STEP_US;
        let phase = if config.trigger_us == 0 || start + PATH_STEP_US <= config.trigger_at_us {
            0
        } else if start < config.trigger_end() {
            1
        } else {
            2
        };
        let point = XyPoint::labelled(
            load * per_step,
            good * per_step,
            format!(
                "{}–{}",
                format_duration(start),
                format_duration(start + PATH_STEP_US)
            ),
        );
        // Each phase starts where the one before ended, so the path is unbroken.
        if let Some((before, last)) = &previous {
            if *before != phase && phases[phase].is_empty() {
                phases[phase].push(last.clone());
            }
        }
        phases[phase].push(point.clone());
        previous = Some((phase, point));
    }
    if let Some((phase, _)) = previous {
        if let Some(last) = phases[phase].last_mut() {
            last.highlight = true;
        }
    }
    let offered_before = {
        let before = (config.trigger_at_us / BUCKET_US) as usize;
        let slice = &buckets[..before.min(buckets.len())];
        (!slice.is_empty() && config.trigger_us > 0).then(|| {
            let offered: i64 = slice.iter().map(|b| i64::from(b.offered)).sum();
            offered * PER_SECOND / slice.len() as i64
        })
    };
    let names = [
        "before the trigger",
        "during the trigger",
        "after it clears",
    ];
    let colours = [0u8, 3, 1];
    let series: Vec<XySeries> = phases
        .into_iter()
        .enumerate()
        .filter(|(_, points)| !points.is_empty())
        .map(|(i, points)| XySeries {
            label: names[i].into(),
            colour: colours[i],
            style: XyStyle::Path,
            points,
        })
        .collect();
    let guides = offered_before
        .map(|o| {
            vec![
                Guide {
                    axis: Axis::X,
                    value: o,
                    label: "offered before".into(),
                },
                Guide {
                    axis: Axis::Y,
                    value: o,
                    label: "all answered".into(),
                },
            ]
        })
        .unwrap_or_default();
    let data = Xy {
        x: Scale::new("calls reaching the dependencies", "/s", 1),
        y: Scale::new("goodput", "/s", 1),
        series,
        guides,
    };
    Picture {
        id: "hysteresis",
        title: "Goodput against load".into(),
        caption: format!(
            "One point per {}: calls reaching the dependencies (retries included) across, requests answered in time up. Before the trigger the point sits where every request is answered once. Retries push it right and down; when the trigger clears a healthy system comes back, while a metastable one stays down at the same offered load: the path does not close.",
            format_duration(PATH_STEP_US)
        ),
        primary: false,
        version: data.fingerprint(),
        kind: PictureKind::Xy(data),
    }
}

/// Workers busy per instance and dependency, as a table: one row per instance, a column per
/// dependency; full pools outlined. (A table rather than bars: it needs no picture code of
/// its own, and this page is near its byte budget.)
fn pools(config: &Config, nodes: &Nodes<'_, Resilience>) -> Picture {
    let limit = if config.bulkheads {
        config.pool_for()
    } else {
        config.pool
    };
    let mut cells = Vec::new();
    let mut rows = Vec::new();
    for n in FIRST_INSTANCE..FIRST_INSTANCE + N_INSTANCES {
        let s = nodes.state(n);
        let restarting = s.is_none_or(|s| s.restarting_until.is_some());
        let name = failscope_sim::ids::node_name(n);
        for dep in 0..2u8 {
            let busy = s.map_or(0, |s| s.busy[usize::from(dep)]);
            let full = if config.bulkheads {
                busy >= config.pool_for()
            } else {
                s.map_or(0, |s| s.busy[0] + s.busy[1]) >= config.pool
            };
            let dep_name = super::config::dep_name(dep);
            cells.push(Some(Cell {
                text: if restarting {
                    "restarting".into()
                } else if config.bulkheads {
                    format!("{busy} / {limit}")
                } else {
                    busy.to_string()
                },
                colour: if full || restarting { 3 } else { 1 },
                solid: full || restarting,
                highlight: full,
                detail: format!(
                    "{name}: {busy} workers busy calling {dep_name}{}",
                    if full { " (the pool is full)" } else { "" }
                ),
            }));
        }
        rows.push(name);
    }
    Picture {
        id: "pools",
        title: "Worker pools".into(),
        caption: if config.bulkheads {
            format!("Workers busy per instance and dependency. Bulkheads: each dependency has its own {limit} workers; full pools are outlined.")
        } else {
            format!("Workers busy per instance and dependency, out of one pool of {limit} shared by both; full pools are outlined.")
        },
        primary: false,
        version: hash(
            cells
                .iter()
                .flatten()
                .map(|c| c.text.len() as i64 * 7 + i64::from(c.highlight))
                .chain(
                    cells
                        .iter()
                        .flatten()
                        .map(|c| c.text.bytes().map(i64::from).sum()),
                ),
        ),
        kind: PictureKind::Grid(Grid {
            row_label: "instance".into(),
            column_label: "dependency".into(),
            rows,
            columns: (0..2u8)
                .map(|d| format!("for {}", super::config::dep_name(d)))
                .collect(),
            cells,
        }),
    }
}
