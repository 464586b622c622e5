//! The protocol. S1 sends a request every so often to the gateway S2, which calls auth,
//! then the catalogue and the cart in parallel; the catalogue queries the database and the
//! cart asks pricing. Each call carries a W3C `traceparent`-style header: the trace id, the
//! caller's span id and the sampling decision. A service opens a span per call (a child of
//! the caller's span), does its own work, calls its dependencies, and closes the span when
//! it answers; sampled spans go to its exporter (its durable record here), and every call
//! is counted in its metrics whether sampled or not.

use super::checks::TraceChecks;
use super::config::{Bug, Config, CART, CLIENT, DATABASE, GATEWAY, PRICING, SERVICES, WORK_MS};
use failscope_sim::ids::NodeId;
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::{Time, MS};

/// Spans and metric points a service keeps (the oldest go first).
pub const KEEP: usize = 4_000;

/// A 128-bit trace id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TraceId(pub u64, pub u64);

impl TraceId {
    pub fn hex(&self) -> String {
        format!("{:016x}{:016x}", self.0, self.1)
    }
}

/// What travels with a call: the trace, the caller's span, the sampling decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub trace: TraceId,
    pub parent: u64,
    pub sampled: bool,
}

impl Header {
    /// The header as W3C Trace Context writes it.
    pub fn traceparent(&self) -> String {
        format!(
            "00-{}-{:016x}-{:02x}",
            self.trace.hex(),
            self.parent,
            u8::from(self.sampled)
        )
    }
}

/// A finished span as an exporter sends it. Times are the service's wall clock, in µs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanRec {
    pub trace: TraceId,
    pub id: u64,
    pub parent: Option<u64>,
    pub service: NodeId,
    /// The node that made the call.
    pub caller: NodeId,
    pub request: u32,
    pub start: i64,
    pub end: i64,
    pub error: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Request {
        call: u32,
        request: u32,
        header: Option<Header>,
    },
    Reply {
        call: u32,
        error: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Send,
    /// A call's own work is done.
    Work(u32),
}

/// A call being served: its span, and where it is in its calls to dependencies.
#[derive(Clone, Debug)]
pub struct Call {
    pub id: u32,
    pub caller: NodeId,
    pub caller_call: u32,
    pub request: u32,
    pub trace: TraceId,
    pub span: u64,
    pub parent: Option<u64>,
    pub sampled: bool,
    pub start: i64,
    stage: usize,
    outstanding: Vec<u32>,
    error: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Durable {
    /// Client: requests sent and their results (start, end, error) on its clock.
    pub sent: u32,
    pub results: Vec<(i64, i64, bool)>,
    /// Service: sampled spans, exported (the newest `KEEP`), and how many ever were.
    pub spans: Vec<SpanRec>,
    pub exported: u64,
    /// Service: every call's (end, duration, error), sampled or not: the RED metrics.
    pub metrics: Vec<(i64, i64, bool)>,
    /// How many times the node has started: a restart forgets the spans it had open.
    pub boots: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Tracing {
    pub calls: Vec<Call>,
    next_call: u32,
    /// Client: requests in flight and when each was sent.
    pending: Vec<(u32, i64)>,
}

fn nonzero(ctx: &mut Ctx<'_, Tracing>) -> u64 {
    ctx.rng().next_u64().max(1)
}

impl Tracing {
    fn serve(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        call: u32,
        request: u32,
        header: Option<Header>,
    ) {
        let me = ctx.id();
        let now = ctx.wall_clock();
        let (trace, parent, sampled) = match header {
            Some(h) => (h.trace, Some(h.parent), h.sampled),
            None => {
                // No context: this call starts a trace, and decides whether it is sampled.
                let trace = TraceId(nonzero(ctx), nonzero(ctx));
                let ppm = ctx.config().sample_ppm;
                let sampled = ctx.rng().below(1_000_000) < ppm;
                if me != GATEWAY {
                    ctx.note(format!(
                        "{} got no trace header: it starts a new trace",
                        SERVICES[usize::from(me)]
                    ));
                }
                (trace, None, sampled)
            }
        };
        let span = nonzero(ctx);
        let id = self.next_call;
        self.next_call = self.next_call.wrapping_add(1);
        self.calls.push(Call {
            id,
            caller: from,
            caller_call: call,
            request,
            trace,
            span,
            parent,
            sampled,
            start: now,
            stage: 0,
            outstanding: Vec::new(),
            error: false,
        });
        let base = WORK_MS[usize::from(me)] * MS;
        let mut work = base / 2 + ctx.rng().range_inclusive(0, base);
        let config = ctx.config();
        let (slow_ppm, slow_us) = (config.slow_ppm, config.slow_us);
        if me == DATABASE && ctx.rng().below(1_000_000) < slow_ppm {
            work += slow_us;
        }
        ctx.set_timer(Timer::Work(id), work);
    }

    /// Call the next group of dependencies, or answer when there is none left.
    fn advance(&mut self, ctx: &mut Ctx<'_, Self>, index: usize) {
        let me = ctx.id();
        let groups = ctx.config().callees(me);
        let bug = ctx.config().bug;
        let call = &mut self.calls[index];
        if let Some(group) = groups.get(call.stage) {
            call.stage += 1;
            let mut header = Some(Header {
                trace: call.trace,
                parent: call.span,
                sampled: call.sampled,
            });
            if me == CART {
                match bug {
                    Bug::DropsHeader => header = None,
                    Bug::NewTraceId => {
                        let fresh = TraceId(nonzero(ctx), nonzero(ctx));
                        header = header.map(|h| Header { trace: fresh, ..h });
                    }
                    Bug::None => {}
                }
            }
            let request = call.request;
            for &to in group {
                let out = self.next_call;
                self.next_call = self.next_call.wrapping_add(1);
                self.calls[index].outstanding.push(out);
                ctx.send(
                    to,
                    Msg::Request {
                        call: out,
                        request,
                        header,
                    },
                );
            }
            return;
        }
        let call = self.calls.remove(index);
        let now = ctx.wall_clock();
        let mut error = call.error;
        if me == PRICING {
            let ppm = ctx.config().error_ppm;
            error |= ctx.rng().below(1_000_000) < ppm;
        }
        let d = ctx.durable_mut();
        if call.sampled {
            d.spans.push(SpanRec {
                trace: call.trace,
                id: call.span,
                parent: call.parent,
                service: me,
                caller: call.caller,
                request: call.request,
                start: call.start,
                end: now,
                error,
            });
            d.exported += 1;
            if d.spans.len() > KEEP {
                d.spans.remove(0);
            }
        }
        d.metrics.push((now, now - call.start, error));
        if d.metrics.len() > KEEP {
            d.metrics.remove(0);
        }
        ctx.send(
            call.caller,
            Msg::Reply {
                call: call.caller_call,
                error,
            },
        );
    }
}

impl Protocol for Tracing {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = TraceChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Request", "Reply"];
    const TIMER_NAMES: &'static [&'static str] = &["send a request", "work done"];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Request { .. } => 0,
            Msg::Reply { .. } => 1,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        match timer {
            Timer::Send => 0,
            Timer::Work(_) => 1,
        }
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Request {
                request,
                header: Some(h),
                ..
            } => format!("request {}, traceparent {}", request + 1, h.traceparent()),
            Msg::Request { request, .. } => format!("request {} (no trace header)", request + 1),
            Msg::Reply { error: false, .. } => "ok".into(),
            Msg::Reply { error: true, .. } => "error".into(),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        ctx.durable_mut().boots += 1;
        if ctx.id() == CLIENT && ctx.durable().sent < ctx.config().requests {
            ctx.set_timer(Timer::Send, 100 * MS);
        }
        Tracing::default()
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Request {
                call,
                request,
                header,
            } => {
                if ctx.id() != CLIENT {
                    self.serve(ctx, from, call, request, header);
                }
            }
            Msg::Reply { call, error } => {
                if ctx.id() == CLIENT {
                    if let Some(i) = self.pending.iter().position(|p| p.0 == call) {
                        let (_, start) = self.pending.remove(i);
                        let now = ctx.wall_clock();
                        let d = ctx.durable_mut();
                        d.results.push((start, now, error));
                        if d.results.len() > KEEP {
                            d.results.remove(0);
                        }
                    }
                    return;
                }
                let Some(index) = self
                    .calls
                    .iter()
                    .position(|c| c.outstanding.contains(&call))
                else {
                    return;
                };
                let c = &mut self.calls[index];
                c.outstanding.retain(|&o| o != call);
                c.error |= error;
                if c.outstanding.is_empty() {
                    self.advance(ctx, index);
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Send if ctx.id() == CLIENT => {
                let n = ctx.durable().sent;
                if n >= ctx.config().requests {
                    return;
                }
                ctx.durable_mut().sent += 1;
                let now = ctx.wall_clock();
                self.pending.push((n, now));
                if self.pending.len() > KEEP {
                    self.pending.remove(0);
                }
                ctx.send(
                    GATEWAY,
                    Msg::Request {
                        call: n,
                        request: n,
                        header: None,
                    },
                );
                let every = ctx.config().every_us.max(MS);
                ctx.set_timer(Timer::Send, every);
            }
            Timer::Work(id) => {
                if let Some(index) = self.calls.iter().position(|c| c.id == id) {
                    self.advance(ctx, index);
                }
            }
            Timer::Send => {}
        }
    }

    fn on_config_change(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == CLIENT && ctx.durable().sent < ctx.config().requests {
            let every = ctx.config().every_us.max(MS);
            ctx.set_timer(Timer::Send, every);
        }
    }

    fn state(&self, d: &Durable, _config: &Config) -> NodeState {
        let me_client = d.sent > 0 || !d.results.is_empty();
        let (role, headline) = if me_client {
            (
                "client",
                format!("{} sent, {} answered", d.sent, d.results.len()),
            )
        } else {
            ("service", format!("{} in progress", self.calls.len()))
        };
        NodeState {
            role: role.into(),
            tone: if self.calls.is_empty() {
                Tone::Idle
            } else {
                Tone::Primary
            },
            headline,
            fields: vec![
                ("spans exported".into(), d.spans.len().to_string()),
                ("calls served".into(), d.metrics.len().to_string()),
            ],
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes, now)
    }

    fn export(
        _config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        _now: Time,
        id: &str,
    ) -> Option<String> {
        let trace = super::pictures::shown_trace(nodes)?;
        match id {
            "chrome-trace" => Some(super::export::chrome(&trace)),
            "otlp" => Some(super::export::otlp(&trace)),
            _ => None,
        }
    }
}

/// The service name of a node.
pub fn service(node: NodeId) -> &'static str {
    SERVICES.get(usize::from(node)).copied().unwrap_or("?")
}

/// Which services a node could be: everything but the client.
pub fn is_service(node: NodeId) -> bool {
    node != CLIENT && usize::from(node) < SERVICES.len()
}
