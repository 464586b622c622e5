//! The picture gallery: a hidden lab whose only purpose is to show every shared picture kind
//! drawn from one small run. A few servers ping each other, time the answers and keep a
//! journal (round trips per beat, answers per peer, a failure detector per peer, their own
//! up, paused and down periods); [`pictures`] turns the journals into one picture of each
//! kind. It opens at `#lab=gallery&preset=every-kind` and is not offered in the lab picker.

mod pictures;

use failscope_sim::action::Action;
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::lab::{Chapter, Lab, NodeRange, ParamSpec, Preset, Unit};
use failscope_sim::picture::{MarkKind, Picture, TimeMark};
use failscope_sim::protocol::{Ctx, NoChecks, NodeState, Protocol, Tone};
use failscope_sim::run::{LabRun, Simulation};
use failscope_sim::scenario::{Params, Scenario, ScenarioError};
use failscope_sim::time::{format_duration, Time, MS, SECOND};
use std::collections::VecDeque;

pub use pictures::{cycle_members, majority, rtt_scale};

pub const LAB_ID: &str = "gallery";

/// Beats a journal remembers (round trips and answers per beat).
pub const SAMPLES: usize = 80;
/// Spans and marks a journal remembers.
pub const EPISODES: usize = 24;

#[derive(Clone, Debug)]
pub struct Config {
    pub interval_us: Time,
    /// A round trip slower than this is a violation of the (made-up) latency objective.
    pub slow_us: Time,
    pub suspect_after_us: Time,
    pub dead_after_us: Time,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// `sent_at` is the sender's monotonic clock, echoed back to time the round trip.
    Ping {
        seq: u64,
        sent_at: i64,
    },
    Pong {
        seq: u64,
        sent_at: i64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Beat,
}

/// What a server's failure detector thinks of one peer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    #[default]
    Alive,
    Suspect,
    Dead,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Alive, Verdict::Suspect, Verdict::Dead];

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Alive => "alive",
            Verdict::Suspect => "suspect",
            Verdict::Dead => "dead",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One failure detector (this server watching one peer): its state and how often it
/// entered each state and took each transition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Detector {
    pub verdict: Verdict,
    pub entered: [u64; 3],
    /// `taken[from][to]`.
    pub taken: [[u64; 3]; 3],
}

impl Detector {
    fn fresh() -> Detector {
        Detector {
            entered: [1, 0, 0],
            ..Detector::default()
        }
    }

    /// Move to `to`; true when that changed the verdict.
    fn go(&mut self, to: Verdict) -> bool {
        if self.verdict == to {
            return false;
        }
        self.taken[self.verdict.index()][to.index()] += 1;
        self.entered[to.index()] += 1;
        self.verdict = to;
        true
    }
}

/// A period of a server's life as it recorded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Up,
    Paused,
    Down,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Episode {
    pub period: Period,
    pub start: Time,
    pub end: Option<Time>,
}

/// One beat: when, the mean round trip of the answers since the previous beat (µs, if any
/// came) and how many answers came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub at: Time,
    pub mean_rtt_us: Option<Time>,
    pub answers: u32,
}

/// What a server writes down (durable, so it survives the server's crashes and the pictures
/// can show a crashed server's history).
#[derive(Clone, Debug, Default)]
pub struct Journal {
    pub boots: u32,
    /// Monotonic time of the last beat.
    pub last_beat: Time,
    pub samples: VecDeque<Sample>,
    /// Answers received from each peer.
    pub answers: Vec<u64>,
    /// Last round trip to each peer, µs.
    pub last_rtt: Vec<Option<Time>>,
    pub last_heard: Vec<Time>,
    pub detectors: Vec<Detector>,
    pub episodes: VecDeque<Episode>,
    pub marks: VecDeque<TimeMark>,
}

impl Journal {
    fn mark(&mut self, at: Time, kind: MarkKind, label: String) {
        if self.marks.len() == EPISODES {
            self.marks.pop_front();
        }
        self.marks.push_back(TimeMark { at, kind, label });
    }

    /// Close the open episode at `at` and open `period` there.
    fn switch(&mut self, at: Time, period: Period) {
        if let Some(open) = self.episodes.back_mut().filter(|e| e.end.is_none()) {
            open.end = Some(at.max(open.start));
        }
        if self.episodes.len() == EPISODES {
            self.episodes.pop_front();
        }
        self.episodes.push_back(Episode {
            period,
            start: at,
            end: None,
        });
    }
}

/// A server's volatile state: lost in a crash.
#[derive(Clone, Debug)]
pub struct Pinger {
    seq: u64,
    /// Round trips measured since the last beat.
    rtts: Vec<Time>,
}

const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "interval_ms",
        label: "Ping interval",
        help: "How often each server pings every other server.",
        min: 10,
        max: 5_000,
        default: 100,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "slow_ms",
        label: "Slow round trip",
        help: "A round trip slower than this is marked as a violation.",
        min: 1,
        max: 10_000,
        default: 60,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "suspect_ms",
        label: "Suspect after",
        help: "Silence after which a server suspects a peer.",
        min: 1,
        max: 60_000,
        default: 250,
        unit: Unit::Ms,
    },
    ParamSpec {
        key: "dead_ms",
        label: "Declare dead after",
        help: "Silence after which a server declares a peer dead.",
        min: 1,
        max: 60_000,
        default: 600,
        unit: Unit::Ms,
    },
];

fn now_of(ctx: &Ctx<'_, Pinger>) -> Time {
    ctx.monotonic_clock().max(0) as Time
}

impl Protocol for Pinger {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Journal;
    type Config = Config;
    type Checker = NoChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &["Ping", "Pong"];
    const TIMER_NAMES: &'static [&'static str] = &["beat"];

    fn configure(params: &Params, _n_nodes: u16) -> Result<Config, String> {
        let ms = |key: &str, default: i64| params.get(key).copied().unwrap_or(default) as Time * MS;
        let config = Config {
            interval_us: ms("interval_ms", 100),
            slow_us: ms("slow_ms", 60),
            suspect_after_us: ms("suspect_ms", 250),
            dead_after_us: ms("dead_ms", 600),
        };
        if config.dead_after_us <= config.suspect_after_us {
            return Err("“declare dead after” must be longer than “suspect after”".into());
        }
        Ok(config)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Ping { .. } => 0,
            Msg::Pong { .. } => 1,
        }
    }

    fn timer_index(_: Timer) -> u8 {
        0
    }

    fn describe_message(msg: &Msg) -> String {
        match msg {
            Msg::Ping { seq, .. } => format!("ping #{seq}"),
            Msg::Pong { seq, .. } => format!("pong #{seq}"),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let now = now_of(ctx);
        let n = usize::from(ctx.n_nodes());
        let me = node_name(ctx.id());
        let journal = ctx.durable_mut();
        if journal.boots > 0 {
            // Back from a crash: the journal says when the last beat was.
            let last = journal.last_beat;
            journal.switch(last, Period::Down);
            journal.mark(
                last,
                MarkKind::Fault,
                format!("{me} crashed (its journal's last beat)"),
            );
        }
        journal.boots += 1;
        journal.switch(now, Period::Up);
        if journal.answers.len() != n {
            journal.answers = vec![0; n];
            journal.last_rtt = vec![None; n];
            journal.detectors = vec![Detector::fresh(); n];
        }
        journal.last_heard = vec![now; n];
        let interval = ctx.config().interval_us;
        let first = ctx.rng().range_inclusive(1, interval.max(1));
        ctx.set_timer(Timer::Beat, first);
        Pinger {
            seq: 0,
            rtts: Vec::new(),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ping { seq, sent_at } => ctx.send(from, Msg::Pong { seq, sent_at }),
            Msg::Pong { sent_at, .. } => {
                let now = now_of(ctx);
                let rtt = (now as i64 - sent_at).max(0) as Time;
                let slow = ctx.config().slow_us;
                let p = usize::from(from);
                let me = node_name(ctx.id());
                self.rtts.push(rtt);
                let journal = ctx.durable_mut();
                let was_slow = journal.last_rtt[p].is_some_and(|r| r > slow);
                journal.answers[p] += 1;
                journal.last_rtt[p] = Some(rtt);
                journal.last_heard[p] = now;
                if rtt > slow && !was_slow {
                    journal.mark(
                        now,
                        MarkKind::Violation,
                        format!(
                            "{me}'s round trip to {} took {}",
                            node_name(from),
                            rtt_scale().format((rtt / 100) as i64)
                        ),
                    );
                }
                if journal.detectors[p].go(Verdict::Alive) {
                    ctx.narrate(format!("{me} hears from {} again", node_name(from)));
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _timer: Timer) {
        let now = now_of(ctx);
        let config = ctx.config().clone();
        let me = ctx.id();
        let peers: Vec<NodeId> = ctx.peers().collect();
        let mean = (!self.rtts.is_empty())
            .then(|| self.rtts.iter().sum::<Time>() / self.rtts.len() as Time);
        let answers = self.rtts.len() as u32;
        self.rtts.clear();
        let first_beat = self.seq == 0;
        self.seq += 1;
        let mut news = Vec::new();
        let journal = ctx.durable_mut();
        let gap = now.saturating_sub(journal.last_beat);
        if !first_beat && gap > 2 * config.interval_us {
            // This server was frozen: its beat came late. It can only tell afterwards.
            let last = journal.last_beat;
            journal.switch(last, Period::Paused);
            journal.switch(now, Period::Up);
            journal.mark(
                last,
                MarkKind::Fault,
                format!("{} froze for {}", node_name(me), format_duration(gap)),
            );
        }
        journal.last_beat = now;
        if journal.samples.len() == SAMPLES {
            journal.samples.pop_front();
        }
        journal.samples.push_back(Sample {
            at: now,
            mean_rtt_us: mean,
            answers,
        });
        for &peer in &peers {
            let p = usize::from(peer);
            let silence = now.saturating_sub(journal.last_heard[p]);
            let verdict = if silence > config.dead_after_us {
                Verdict::Dead
            } else if silence > config.suspect_after_us {
                Verdict::Suspect
            } else {
                continue;
            };
            if verdict > journal.detectors[p].verdict && journal.detectors[p].go(verdict) {
                news.push(format!(
                    "{} now thinks {} is {} (silent for {})",
                    node_name(me),
                    node_name(peer),
                    verdict.name(),
                    format_duration(silence)
                ));
            }
        }
        for line in news {
            ctx.narrate(line);
        }
        ctx.broadcast(Msg::Ping {
            seq: self.seq,
            sent_at: now as i64,
        });
        ctx.set_timer(Timer::Beat, config.interval_us);
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        pictures::all(config, nodes, now)
    }

    fn state(&self, journal: &Journal, _config: &Config) -> NodeState {
        let latest = journal.samples.back().and_then(|s| s.mean_rtt_us);
        let doubts: Vec<String> = journal
            .detectors
            .iter()
            .enumerate()
            .filter(|(_, d)| d.verdict != Verdict::Alive)
            .map(|(p, d)| format!("{} {}", node_name(p as NodeId), d.verdict.name()))
            .collect();
        NodeState {
            role: "pinging".into(),
            tone: if doubts.is_empty() {
                Tone::Secondary
            } else {
                Tone::Suspect
            },
            headline: latest.map_or_else(
                || "no answers yet".into(),
                |r| format!("rtt {}", format_duration(r)),
            ),
            fields: vec![
                ("beats".into(), self.seq.to_string()),
                ("boots".into(), journal.boots.to_string()),
                (
                    "doubts".into(),
                    if doubts.is_empty() {
                        "nobody".into()
                    } else {
                        doubts.join(", ")
                    },
                ),
            ],
        }
    }

    fn down_state(_journal: &Journal, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            ..NodeState::default()
        }
    }
}

pub struct GalleryLab;

fn scenario(seed: u64, n_nodes: u16) -> Scenario {
    Scenario::new(LAB_ID, seed, n_nodes)
}

impl Lab for GalleryLab {
    fn id(&self) -> &'static str {
        LAB_ID
    }
    fn title(&self) -> &'static str {
        "Picture gallery"
    }
    fn summary(&self) -> &'static str {
        "Every shared picture kind, drawn from one small run of servers pinging each other."
    }
    fn listed(&self) -> bool {
        false
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn nodes(&self) -> NodeRange {
        NodeRange {
            min: 3,
            max: 8,
            default: 4,
        }
    }
    fn default_scenario(&self, seed: u64) -> Scenario {
        scenario(seed, 4)
    }
    fn presets(&self) -> Vec<Preset> {
        vec![Preset {
            id: "every-kind",
            title: "Every picture kind",
            summary: "A freeze and a crash among four pinging servers, drawn in every picture kind.",
            scenario: scenario(7, 4)
                .with_fault(SECOND, Action::Pause { node: 1, duration_us: 300 * MS })
                .with_fault(2 * SECOND, Action::Crash { node: 3 })
                .with_fault(3 * SECOND, Action::Restart { node: 3 }),
            duration_us: 4 * SECOND,
            chapters: vec![
                Chapter::at(0, "Four servers ping one another ten times a second and time each answer. Every picture here is drawn from the notes they keep: round trips over time, answers per server, whom each hears fastest, one failure detector, a vote on who is alive, recent beats and each server's life."),
                Chapter::at(SECOND, "S2 freezes for 300 ms. Pings to it wait until it wakes, so the others see round trips far above the 60 ms line (red diamonds). S2 itself only learns of the freeze when its next beat comes late (orange triangle, and a paused span in its lane)."),
                Chapter::at(2 * SECOND, "S4 crashes. Its lane ends in an open down span that grows with the cursor. S1's detector suspects S4 after 250 ms of silence and declares it dead after 600 ms; the vote at S4 in the tree follows."),
                Chapter::at(3 * SECOND, "S4 restarts from its journal. Its first answer moves S1's detector back to alive; the bars keep the answers S4 never gave."),
            ],
        }]
    }
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        Ok(Box::new(LabRun::<Pinger>::new(&GalleryLab, scenario)?))
    }
}
