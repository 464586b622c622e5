//! Distributed tracing. Reference results:
//!
//! - Sigelman et al., "Dapper, a Large-Scale Distributed Systems Tracing Infrastructure"
//!   (Google technical report, 2010), §2: a trace is a tree of spans; every span but the
//!   root names its parent span and carries the trace id, both propagated with each RPC; a
//!   child span's time lies within its parent's (on one clock, §2.1's caveat on skew
//!   aside); §4.1: sampling is decided once, at the root, and carried with the trace.
//! - W3C Trace Context (Recommendation, 2021), §3.2: `traceparent` = version, a 16-byte
//!   trace id, the 8-byte parent id and flags whose lowest bit is "sampled"; a service
//!   that does not forward it starts a new trace.
//! - Google, "The Site Reliability Workbook" (2018), ch. 5 "Alerting on SLOs": the error
//!   budget is 1 − the SLO target; the burn rate is how fast it is spent relative to the
//!   SLO period (1 spends it exactly over the period).
//! - The critical path of a trace (as in Jaeger's and Uber's CRISP analysis): the chain of
//!   spans the request waited on, which tiles the root span's duration.

use crate::seed_note;
use failscope_labs::preset;
use failscope_labs::tracing::*;
use failscope_sim::action::Action;
use failscope_sim::lab::{Lab, BUG_PARAM};
use failscope_sim::run::LabRun;
use failscope_sim::time::{Time, MS, SECOND};
use failscope_sim::{Scenario, Simulation};
use serde_json::Value;

type Run = LabRun<Tracing>;

fn run(scenario: &Scenario, until: Time) -> Run {
    crate::lab_run::run(&TracingLab, scenario, until)
}

fn preset_run(id: &str) -> Run {
    let p = preset("tracing", id).expect("preset exists");
    run(&p.scenario, p.duration_us)
}

/// Every exported span of every service.
fn spans(r: &Run) -> Vec<SpanRec> {
    (1..7)
        .flat_map(|n| r.world().durable(n).unwrap().spans.clone())
        .collect()
}

/// Every trace's spans, root first (by the lab's own ordering), for every root.
fn traces(r: &Run) -> Vec<Vec<SpanRec>> {
    let all = spans(r);
    all.iter()
        .filter(|s| s.parent.is_none() && s.service == GATEWAY)
        .map(|root| {
            let mut t = vec![*root];
            t.extend(
                all.iter()
                    .filter(|s| s.trace == root.trace && s.id != root.id),
            );
            t
        })
        .collect()
}

fn random_run(seed: u64, bug: i64) -> Run {
    let mut rng = failscope_sim::rng::Rng::from_seed(seed ^ 0x7ace);
    let s = scenario(seed)
        .with_param("fan_out", 1 + rng.below(4) as i64)
        .with_param("depth", 1 + rng.below(2) as i64)
        .with_param(
            "sample_ppm",
            [1_000_000, 500_000, 100_000][rng.below(3) as usize],
        )
        .with_param("slow_ppm", rng.below(200_000) as i64)
        .with_param("error_ppm", rng.below(100_000) as i64)
        .with_param(BUG_PARAM, bug);
    run(&s, 7 * SECOND)
}

#[test]
fn every_parent_is_in_the_same_trace_unless_propagation_is_broken() {
    // Dapper §2; W3C Trace Context §3.2.
    for seed in 0..60 {
        let r = random_run(seed, 0);
        let all = spans(&r);
        for s in &all {
            match s.parent {
                None => assert_eq!(s.service, GATEWAY, "{}", seed_note(seed)),
                Some(p) => assert!(
                    all.iter().any(|x| x.id == p && x.trace == s.trace),
                    "{}",
                    seed_note(seed)
                ),
            }
        }
        assert!(
            r.invariants()[PARENT].fired_at().is_none(),
            "{}",
            seed_note(seed)
        );
    }
    for bug in [1, 2] {
        let r = random_run(3, bug);
        let all = spans(&r);
        let orphans = all
            .iter()
            .filter(|s| match s.parent {
                None => s.service != GATEWAY,
                Some(p) => !all.iter().any(|x| x.id == p && x.trace == s.trace),
            })
            .count();
        assert!(orphans > 0, "bug {bug}");
        assert!(r.invariants()[PARENT].fired_at().is_some(), "bug {bug}");
    }
}

#[test]
fn child_spans_lie_within_their_parents_time() {
    // Dapper §2: on one clock, a child starts after and ends before its parent.
    for seed in 0..60 {
        let r = random_run(seed, 0);
        let all = spans(&r);
        for s in &all {
            if let Some(p) = s.parent {
                let parent = all
                    .iter()
                    .find(|x| x.id == p && x.trace == s.trace)
                    .unwrap();
                assert!(
                    parent.start <= s.start && s.end <= parent.end,
                    "{}: {s:?} outside {parent:?}",
                    seed_note(seed)
                );
            }
        }
    }
}

#[test]
fn the_critical_path_tiles_the_root_span() {
    for seed in 0..30 {
        let r = random_run(seed, 0);
        for trace in traces(&r) {
            let path = critical_path(&trace);
            let root = trace[0];
            let length: i64 = path.iter().map(|p| p.2 - p.1).sum();
            assert_eq!(length, root.end - root.start, "{}", seed_note(seed));
            // Contiguous, from the root's start to its end.
            assert_eq!(path.first().map(|p| p.1), Some(root.start));
            assert_eq!(path.last().map(|p| p.2), Some(root.end));
            assert!(
                path.windows(2).all(|w| w[0].2 == w[1].1),
                "{}",
                seed_note(seed)
            );
        }
    }
}

#[test]
fn a_slow_dependency_shows_in_p99_in_the_waterfall_and_in_the_burn_rate() {
    let healthy = preset_run("fan-out");
    let slow = preset_run("slow-dependency");
    let p99 = |r: &Run, node| {
        let mut d: Vec<i64> = r
            .world()
            .durable(node)
            .unwrap()
            .metrics
            .iter()
            .map(|m| m.1)
            .collect();
        d.sort_unstable();
        d[d.len() * 99 / 100]
    };
    assert!(p99(&healthy, DATABASE) < 100 * MS as i64);
    assert!(p99(&slow, DATABASE) > 400 * MS as i64);
    assert!(
        p99(&slow, GATEWAY) > 400 * MS as i64,
        "the slow query is on the critical path"
    );
    // The waterfall shows the slowest recent trace, with its critical path through the
    // database.
    let shown = slow.world_pictures_trace();
    let path = critical_path(&shown);
    assert!(path.iter().any(|p| shown[p.0].service == DATABASE));
    assert!(shown[0].end - shown[0].start > 400 * MS as i64);
    assert!(healthy.invariants()[BURN].fired_at().is_none());
    assert!(slow.invariants()[BURN].fired_at().is_some());
    assert!(preset_run("errors").invariants()[BURN].fired_at().is_some());
}

trait Shown {
    fn world_pictures_trace(&self) -> Vec<SpanRec>;
}

impl Shown for Run {
    /// The trace the waterfall and the exports show: the slowest of the last ten.
    fn world_pictures_trace(&self) -> Vec<SpanRec> {
        let roots: Vec<SpanRec> = self
            .world()
            .durable(GATEWAY)
            .unwrap()
            .spans
            .iter()
            .rev()
            .filter(|s| s.parent.is_none())
            .take(10)
            .copied()
            .collect();
        let slowest = roots
            .iter()
            .max_by_key(|s| (s.end - s.start, s.start))
            .unwrap();
        traces(self)
            .into_iter()
            .find(|t| t[0].trace == slowest.trace)
            .unwrap()
    }
}

#[test]
fn head_based_sampling_keeps_whole_traces() {
    // Dapper §4.1: the root decides; every span of a trace is kept or none.
    let r = preset_run("sampling");
    let all = spans(&r);
    let roots = all.iter().filter(|s| s.parent.is_none()).count();
    assert!(
        (4..=25).contains(&roots),
        "about one in five of 60: {roots}"
    );
    for t in traces(&r) {
        assert_eq!(
            t.len(),
            6,
            "gateway, auth, catalogue, database, cart, pricing"
        );
    }
    // Metrics still count every call.
    assert_eq!(r.world().durable(GATEWAY).unwrap().metrics.len(), 60);
}

/// The exported files parse as JSON and follow the formats' documented shapes.
fn check_exports(r: &Run) {
    let shown = r.world_pictures_trace();
    let chrome: Value = serde_json::from_str(&r.lab_export("chrome-trace").unwrap()).unwrap();
    let events = chrome["traceEvents"].as_array().expect("traceEvents");
    let complete: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
    assert_eq!(complete.len(), shown.len());
    for e in &complete {
        let id = e["args"]["span_id"].as_str().unwrap();
        let s = shown
            .iter()
            .find(|s| format!("{:016x}", s.id) == id)
            .unwrap();
        assert!(e["name"].is_string() && e["pid"].is_u64() && e["tid"].is_u64());
        assert_eq!(e["ts"].as_i64(), Some(s.start), "ts in µs");
        assert_eq!(e["dur"].as_i64(), Some(s.end - s.start), "dur in µs");
    }
    for m in events.iter().filter(|e| e["ph"] == "M") {
        assert_eq!(m["name"], "thread_name");
        assert!(m["args"]["name"].is_string());
    }
    let otlp: Value = serde_json::from_str(&r.lab_export("otlp").unwrap()).unwrap();
    let hex = |v: &Value, len: usize| {
        let s = v.as_str().unwrap_or_default();
        s.len() == len
            && s.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    };
    let mut n = 0;
    for rs in otlp["resourceSpans"].as_array().expect("resourceSpans") {
        let attrs = rs["resource"]["attributes"].as_array().unwrap();
        assert_eq!(attrs[0]["key"], "service.name");
        assert!(attrs[0]["value"]["stringValue"].is_string());
        for ss in rs["scopeSpans"].as_array().expect("scopeSpans") {
            assert!(ss["scope"]["name"].is_string());
            for span in ss["spans"].as_array().expect("spans") {
                n += 1;
                assert!(
                    hex(&span["traceId"], 32) && hex(&span["spanId"], 16),
                    "{span}"
                );
                let parent = &span["parentSpanId"];
                assert!(parent.is_null() || hex(parent, 16), "{span}");
                let start: u64 = span["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
                let end: u64 = span["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
                assert!(EPOCH_UNIX_NS <= start && start <= end);
                assert_eq!(span["kind"], 2);
                assert!(span["name"].is_string());
                assert!([1, 2].contains(&span["status"]["code"].as_i64().unwrap()));
            }
        }
    }
    assert_eq!(n, shown.len());
}

#[test]
fn a_trace_exports_as_chrome_trace_events_and_as_otlp_json() {
    for p in TracingLab.presets() {
        check_exports(&run(&p.scenario, p.duration_us));
    }
    let r = preset_run("fan-out");
    assert!(r.lab_export("no-such-file").is_none());
    // Before any trace has finished there is nothing to export.
    let early = run(&scenario(1), 50 * MS);
    assert!(early.lab_export("otlp").is_none());
    // The Downloads menu lists exactly these.
    let ids: Vec<&str> = TracingLab.exports().iter().map(|e| e.id).collect();
    assert_eq!(ids, ["chrome-trace", "otlp"]);
}

#[test]
fn the_header_is_w3c_traceparent() {
    // W3C Trace Context §3.2: version 00, 32 hex digits of trace id, 16 of parent id, flags.
    let header = Header {
        trace: TraceId(0x0af7651916cd43dd, 0x8448eb211c80319c),
        parent: 0xb7ad6b7169203331,
        sampled: true,
    };
    assert_eq!(
        header.traceparent(),
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    );
    let msg = Msg::Request {
        call: 0,
        request: 0,
        header: Some(Header {
            sampled: false,
            ..header
        }),
    };
    use failscope_sim::protocol::Protocol;
    assert!(Tracing::describe_message(&msg).ends_with("-b7ad6b7169203331-00"));
}

#[test]
fn each_deliberate_bug_is_caught_and_the_challenges_follow() {
    for demo in TracingLab.bug_demos() {
        let p = demo.preset_with_bug(&TracingLab).unwrap();
        let r = run(&p.scenario, p.duration_us);
        let v = r.invariants()[PARENT]
            .status
            .first_violation
            .clone()
            .unwrap();
        assert!(v.detail.contains("pricing"), "{}", v.detail);
        assert_eq!(r.challenges()[1].achieved_at(), Some(v.time));
    }
    let r = preset_run("slow-dependency");
    assert_eq!(
        r.challenges()[0].achieved_at(),
        r.invariants()[BURN].fired_at()
    );
    assert!(preset_run("fan-out").challenges()[1].achieved.is_none());
}

#[test]
fn crashes_and_restarts_split_no_trace() {
    for seed in 0..40 {
        let mut rng = failscope_sim::rng::Rng::from_seed(seed);
        let mut s = scenario(seed);
        crate::swarm::schedule_random_faults(&mut s, &mut rng, 6, 3 * SECOND, |rng, node| {
            Action::Pause {
                node,
                duration_us: rng.range_inclusive(50, 500) * MS,
            }
        });
        let r = run(&s, 7 * SECOND);
        assert!(
            crate::lab_run::no_safety_violation(&r),
            "{}",
            seed_note(seed)
        );
    }
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let mut six = scenario(1);
    six.n_nodes = 6;
    crate::refused(&six, "7 to 7 nodes");
    crate::refused(&scenario(1).with_param("fan_out", 5), "fan_out");
    crate::refused(&scenario(1).with_param(BUG_PARAM, 3), "bug");
    let ran = crate::random_settings_never_panic(&TracingLab, 40, 3 * SECOND);
    assert!(ran > 20, "{ran}");
}

#[test]
fn presets_are_deterministic_and_exact_under_seek() {
    crate::lab_run::presets_replay_exactly(&TracingLab);
}

#[test]
fn any_setting_changed_mid_run_and_crashing_everything_panic_nothing() {
    crate::lab_run::survives_changes_mid_run(&TracingLab);
}
