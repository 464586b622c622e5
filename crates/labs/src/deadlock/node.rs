//! The protocol. Each site owns two resources with an exclusive lock each (a holder and a
//! FIFO queue) and runs the transactions whose home it is. A transaction takes its locks
//! one at a time, remote ones by message, works, then releases them all (strict two-phase
//! locking). Deadlocks are prevented (a global order, wait-die, wound-wait), broken by a
//! timeout, or found: by S1 collecting every site's wait-for edges, or by probes chased along
//! the edges (Chandy, Misra and Haas).

use super::checks::DeadlockChecks;
use super::config::{resource_name, txn_name, Bug, Config, Detection, Prevention, PER_SITE};
use super::graph::{find_cycle, Edge};
use failscope_sim::ids::{node_name, NodeId};
use failscope_sim::picture::Picture;
use failscope_sim::protocol::{Ctx, NodeState, Protocol, Tone};
use failscope_sim::scenario::Params;
use failscope_sim::time::Time;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holder {
    pub txn: u16,
    pub attempt: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    pub res: u16,
    pub holder: Option<Holder>,
    pub queue: Vec<Holder>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    NotStarted,
    /// Waiting for its `idx`-th lock of the run.
    Acquiring(usize),
    Working,
    Restarting,
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Txn {
    pub id: u16,
    pub attempt: u32,
    pub run: usize,
    pub phase: Phase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    Dies,
    Wounded,
    Victim,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    Lock {
        txn: u16,
        attempt: u32,
        res: u16,
    },
    Granted {
        txn: u16,
        attempt: u32,
        res: u16,
    },
    Release {
        txn: u16,
        attempt: u32,
    },
    /// Abort this transaction (`attempt` 0: whatever run it is in).
    Kill {
        txn: u16,
        attempt: u32,
        why: Why,
    },
    /// Chandy–Misra–Haas: `path` runs from the initiator along wait-for edges, each
    /// transaction with its attempt; `sites[i]` is where `path[i]` waits for `path[i + 1]`.
    /// To the last one's home (`at_owner` false), then to where it waits (true).
    Probe {
        path: Vec<Holder>,
        sites: Vec<NodeId>,
        at_owner: bool,
    },
    /// The probe came back to its initiator. Edges seen one after another need not have
    /// stood at once (a victim elsewhere may have let go meanwhile), so each is checked
    /// again, in turn, at its site; the last site reports.
    Closed {
        path: Vec<Holder>,
        sites: Vec<NodeId>,
        step: u8,
    },
    /// A site's wait-for edges, for the central detector.
    Edges {
        edges: Vec<Edge>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A transaction's next step: start, restart, or work done.
    Txn(u16),
    /// A transaction has waited for a lock too long.
    Wait(u16),
    Probe,
    Report,
}

/// A reported deadlock: the cycle as the reporter saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub cycle: Vec<u16>,
    pub central: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Durable {
    /// The latest reports (at most 64) and how many there have been.
    pub reports: Vec<Report>,
    pub n_reports: u64,
    pub aborts: u32,
    pub commits: u32,
}

#[derive(Clone, Debug)]
pub struct Site {
    pub locks: Vec<Lock>,
    pub txns: Vec<Txn>,
    /// S1 as the central detector: each site's latest edges, and the cycle it last reported.
    pub view: Vec<(NodeId, Vec<Edge>)>,
    pub reported: Vec<u16>,
    /// Holders wounded here (wound-wait): already doomed, their release on the way.
    pub wounded: Vec<Holder>,
    /// The last cycle reported from probes here, with attempts: two probe rounds can bring
    /// the same cycle back, and its victim may already be gone.
    pub closed: Vec<Holder>,
}

impl Site {
    pub fn txn(&self, id: u16) -> Option<&Txn> {
        self.txns.iter().find(|t| t.id == id)
    }

    /// Whether (txn, attempt) is a transaction of this site still running that attempt.
    pub fn live(&self, h: Holder) -> bool {
        self.txn(h.txn).is_some_and(|t| {
            t.attempt == h.attempt && matches!(t.phase, Phase::Acquiring(_) | Phase::Working)
        })
    }

    fn pos(&self, id: u16) -> Option<usize> {
        self.txns.iter().position(|t| t.id == id)
    }

    fn dispatch(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, msg: Msg) {
        if to == ctx.id() {
            self.on_message(ctx, to, msg);
        } else {
            ctx.send(to, msg);
        }
    }

    fn run_locks(ctx: &Ctx<'_, Self>, t: &Txn) -> Vec<u16> {
        let spec = ctx.config().txns.get(usize::from(t.id));
        spec.and_then(|s| s.runs.get(t.run))
            .cloned()
            .unwrap_or_default()
    }

    fn request(&mut self, ctx: &mut Ctx<'_, Self>, i: usize) {
        let t = self.txns[i].clone();
        let Phase::Acquiring(idx) = t.phase else {
            return;
        };
        let locks = Site::run_locks(ctx, &t);
        let Some(&res) = locks.get(idx) else { return };
        let config = ctx.config();
        let (owner, timeout) = (config.owner(res), config.detection == Detection::Timeout);
        let wait = config.timeout_us;
        if timeout {
            ctx.set_timer(Timer::Wait(t.id), wait);
        }
        self.dispatch(
            ctx,
            owner,
            Msg::Lock {
                txn: t.id,
                attempt: t.attempt,
                res,
            },
        );
    }

    fn abort(&mut self, ctx: &mut Ctx<'_, Self>, i: usize, why: &str) {
        let t = self.txns[i].clone();
        if !matches!(t.phase, Phase::Acquiring(_) | Phase::Working) {
            return;
        }
        let mut owners: Vec<NodeId> = Site::run_locks(ctx, &t)
            .iter()
            .map(|&r| ctx.config().owner(r))
            .collect();
        owners.sort_unstable();
        owners.dedup();
        self.txns[i].phase = Phase::Restarting;
        ctx.durable_mut().aborts += 1;
        ctx.cancel_timer(Timer::Wait(t.id));
        ctx.mark(format!("{} aborts: {why}", txn_name(t.id)));
        let restart = ctx.config().restart_us;
        ctx.set_timer(Timer::Txn(t.id), restart);
        for owner in owners {
            self.dispatch(
                ctx,
                owner,
                Msg::Release {
                    txn: t.id,
                    attempt: t.attempt,
                },
            );
        }
    }

    fn grant(&mut self, ctx: &mut Ctx<'_, Self>, l: usize) {
        let lock = &mut self.locks[l];
        if lock.holder.is_some() || lock.queue.is_empty() {
            return;
        }
        let next = lock.queue.remove(0);
        lock.holder = Some(next);
        let res = lock.res;
        let config = ctx.config();
        let home = |t: u16| config.home(t);
        // A new holder: the timestamp rule applies again to everyone still queued.
        let mut kills = Vec::new();
        match config.prevention {
            Prevention::WaitDie => lock.queue.retain(|&w| {
                let dies = w.txn > next.txn;
                if dies {
                    kills.push((
                        home(w.txn),
                        Msg::Kill {
                            txn: w.txn,
                            attempt: w.attempt,
                            why: Why::Dies,
                        },
                    ));
                }
                !dies
            }),
            Prevention::WoundWait if lock.queue.iter().any(|w| w.txn < next.txn) => {
                kills.push((
                    home(next.txn),
                    Msg::Kill {
                        txn: next.txn,
                        attempt: next.attempt,
                        why: Why::Wounded,
                    },
                ));
                self.wounded.push(next);
            }
            _ => {}
        }
        let granted = home(next.txn);
        self.dispatch(
            ctx,
            granted,
            Msg::Granted {
                txn: next.txn,
                attempt: next.attempt,
                res,
            },
        );
        for (to, kill) in kills {
            self.dispatch(ctx, to, kill);
        }
    }

    fn on_lock(&mut self, ctx: &mut Ctx<'_, Self>, me: Holder, res: u16) {
        let Some(l) = self.locks.iter().position(|k| k.res == res) else {
            return;
        };
        let config = ctx.config();
        let (prevention, probes) = (config.prevention, config.detection == Detection::Probes);
        let Some(h) = self.locks[l].holder else {
            self.locks[l].queue.push(me);
            return self.grant(ctx, l);
        };
        // Timestamps: a lower id is an older transaction.
        let older = me.txn < h.txn;
        match prevention {
            Prevention::WaitDie if !older => {
                let home = config.home(me.txn);
                let kill = Msg::Kill {
                    txn: me.txn,
                    attempt: me.attempt,
                    why: Why::Dies,
                };
                return self.dispatch(ctx, home, kill);
            }
            Prevention::WoundWait if older => {
                let home = config.home(h.txn);
                self.locks[l].queue.push(me);
                self.wounded.push(h);
                let kill = Msg::Kill {
                    txn: h.txn,
                    attempt: h.attempt,
                    why: Why::Wounded,
                };
                return self.dispatch(ctx, home, kill);
            }
            _ => self.locks[l].queue.push(me),
        }
        if probes {
            let site = ctx.id();
            self.chase(ctx, vec![me, h], vec![site]);
        }
    }

    fn on_release(&mut self, ctx: &mut Ctx<'_, Self>, gone: Holder) {
        self.wounded.retain(|&w| w != gone);
        for l in 0..self.locks.len() {
            let lock = &mut self.locks[l];
            lock.queue.retain(|&q| q != gone);
            if lock.holder == Some(gone) {
                lock.holder = None;
                self.grant(ctx, l);
            }
        }
    }

    /// The probe's last edge was just followed to `path.last()`: back at the initiator (a
    /// cycle), or on to that transaction's home.
    fn chase(&mut self, ctx: &mut Ctx<'_, Self>, path: Vec<Holder>, sites: Vec<NodeId>) {
        let (Some(&init), Some(&last)) = (path.first(), path.last()) else {
            return;
        };
        let cycle = &path[..path.len() - 1];
        if last == init {
            // Each transaction on the cycle sends probes; the youngest reports, once.
            if cycle.iter().all(|h| h.txn <= init.txn) {
                self.dispatch(
                    ctx,
                    sites[0],
                    Msg::Closed {
                        path,
                        sites,
                        step: 0,
                    },
                );
            }
        } else if cycle.iter().any(|h| h.txn == last.txn) {
            // A cycle the initiator waits into but is not on: not its deadlock.
            if ctx.config().bug == Bug::ProbeOffCycle {
                let cycle = cycle.iter().map(|h| h.txn).collect();
                self.report(ctx, cycle, false);
            }
        } else if path.len() <= 2 * ctx.config().txns.len() {
            let home = ctx.config().home(last.txn);
            self.dispatch(
                ctx,
                home,
                Msg::Probe {
                    path,
                    sites,
                    at_owner: false,
                },
            );
        }
    }

    fn on_probe(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        mut path: Vec<Holder>,
        mut sites: Vec<NodeId>,
        at_owner: bool,
    ) {
        let Some(&last) = path.last() else { return };
        if !at_owner {
            // At the last one's home: is that attempt still waiting, and where?
            let Some(t) = self
                .txn(last.txn)
                .cloned()
                .filter(|t| t.attempt == last.attempt)
            else {
                return;
            };
            let Phase::Acquiring(idx) = t.phase else {
                return;
            };
            let Some(&res) = Site::run_locks(ctx, &t).get(idx) else {
                return;
            };
            let owner = ctx.config().owner(res);
            return self.dispatch(
                ctx,
                owner,
                Msg::Probe {
                    path,
                    sites,
                    at_owner: true,
                },
            );
        }
        let holder = self
            .locks
            .iter()
            .find(|l| l.queue.contains(&last))
            .and_then(|l| l.holder);
        if let Some(h) = holder {
            path.push(h);
            sites.push(ctx.id());
            self.chase(ctx, path, sites);
        }
    }

    fn on_closed(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        path: Vec<Holder>,
        sites: Vec<NodeId>,
        step: u8,
    ) {
        let i = usize::from(step);
        let (Some(&waiter), Some(&holder)) = (path.get(i), path.get(i + 1)) else {
            return;
        };
        let stands = self
            .locks
            .iter()
            .any(|l| l.holder == Some(holder) && l.queue.contains(&waiter));
        if !stands {
            return;
        }
        if let Some(&next) = sites.get(i + 1) {
            return self.dispatch(
                ctx,
                next,
                Msg::Closed {
                    path,
                    sites,
                    step: step + 1,
                },
            );
        }
        if path != self.closed {
            let cycle = path[..path.len() - 1].iter().map(|h| h.txn).collect();
            self.closed = path;
            self.report(ctx, cycle, false);
        }
    }

    /// Every (waiter, holder) pair queued here.
    fn waits(&self) -> Vec<(Holder, Holder)> {
        let mut pairs = Vec::new();
        for lock in &self.locks {
            if let Some(h) = lock.holder {
                pairs.extend(lock.queue.iter().map(|&w| (w, h)));
            }
        }
        pairs
    }

    /// Report a deadlock and abort its youngest transaction.
    fn report(&mut self, ctx: &mut Ctx<'_, Self>, cycle: Vec<u16>, central: bool) {
        let Some(&victim) = cycle.iter().max() else {
            return;
        };
        let names: Vec<String> = cycle.iter().map(|&t| txn_name(t)).collect();
        ctx.mark(format!(
            "{} finds a deadlock: {} → {}; victim {}",
            node_name(ctx.id()),
            names.join(" → "),
            names[0],
            txn_name(victim)
        ));
        let d = ctx.durable_mut();
        if d.reports.len() == 64 {
            d.reports.remove(0);
        }
        d.reports.push(Report { cycle, central });
        d.n_reports += 1;
        if ctx.config().bug != Bug::NoVictim {
            // A message even to itself: the report and the abort are two events.
            let home = ctx.config().home(victim);
            ctx.send(
                home,
                Msg::Kill {
                    txn: victim,
                    attempt: 0,
                    why: Why::Victim,
                },
            );
        }
    }

    pub fn local_edges(&self) -> Vec<Edge> {
        let mut edges = Vec::new();
        for lock in &self.locks {
            if let Some(h) = lock.holder {
                for w in &lock.queue {
                    edges.push(Edge {
                        waiter: w.txn,
                        holder: h.txn,
                        res: lock.res,
                    });
                }
            }
        }
        edges
    }

    fn on_edges(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, edges: Vec<Edge>) {
        match self.view.iter_mut().find(|v| v.0 == from) {
            Some(v) => v.1 = edges,
            None => self.view.push((from, edges)),
        }
        let all: Vec<Edge> = self.view.iter().flat_map(|v| v.1.iter().copied()).collect();
        match find_cycle(&all) {
            // Once per cycle: the victim's abort is on the way.
            Some(cycle) if cycle != self.reported => {
                self.reported = cycle.clone();
                self.report(ctx, cycle, true);
            }
            Some(_) => {}
            None => self.reported.clear(),
        }
    }

    fn on_kill(&mut self, ctx: &mut Ctx<'_, Self>, txn: u16, attempt: u32, why: Why) {
        let Some(i) = self.pos(txn) else { return };
        if self
            .txns
            .get(i)
            .is_none_or(|t| t.id != txn || (attempt != 0 && t.attempt != attempt))
        {
            return;
        }
        let why = match why {
            Why::Dies => "it is younger than the holder, so it dies (wait-die)",
            Why::Wounded => "an older transaction wounds it (wound-wait)",
            Why::Victim => "it is the deadlock's victim",
        };
        self.abort(ctx, i, why);
    }

    fn on_granted(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        txn: u16,
        attempt: u32,
        res: u16,
    ) {
        let Some(i) = self.pos(txn) else {
            return self.dispatch(ctx, from, Msg::Release { txn, attempt });
        };
        let t = self.txns[i].clone();
        let current = t.id == txn && t.attempt == attempt;
        let Phase::Acquiring(idx) = t.phase else {
            if !current || t.phase != Phase::Working {
                self.dispatch(ctx, from, Msg::Release { txn, attempt });
            }
            return;
        };
        if !current {
            return self.dispatch(ctx, from, Msg::Release { txn, attempt });
        }
        ctx.cancel_timer(Timer::Wait(txn));
        let locks = Site::run_locks(ctx, &t);
        if locks.get(idx) != Some(&res) {
            return;
        }
        let n_locks = locks.len();
        if idx + 1 == n_locks {
            self.txns[i].phase = Phase::Working;
            let work = ctx.config().work_us;
            ctx.set_timer(Timer::Txn(txn), work);
        } else {
            self.txns[i].phase = Phase::Acquiring(idx + 1);
            self.request(ctx, i);
        }
    }

    fn on_txn_timer(&mut self, ctx: &mut Ctx<'_, Self>, txn: u16) {
        let Some(i) = self.pos(txn) else { return };
        let t = self.txns[i].clone();
        match t.phase {
            Phase::NotStarted | Phase::Restarting => {
                let t = &mut self.txns[i];
                t.attempt += 1;
                t.phase = Phase::Acquiring(0);
                self.request(ctx, i);
            }
            Phase::Working => {
                let locks = Site::run_locks(ctx, &t);
                let mut owners: Vec<NodeId> =
                    locks.iter().map(|&r| ctx.config().owner(r)).collect();
                owners.sort_unstable();
                owners.dedup();
                ctx.durable_mut().commits += 1;
                ctx.narrate(format!("{} commits and releases its locks", txn_name(txn)));
                let spec = ctx.config().txns.get(usize::from(txn));
                let runs = spec.map_or(0, |s| s.runs.len());
                let t = &mut self.txns[i];
                t.run += 1;
                t.phase = if t.run < runs {
                    Phase::NotStarted
                } else {
                    Phase::Done
                };
                if t.run < runs {
                    let gap = ctx.config().restart_us;
                    ctx.set_timer(Timer::Txn(txn), gap);
                }
                let attempt = t.attempt;
                for owner in owners {
                    self.dispatch(ctx, owner, Msg::Release { txn, attempt });
                }
            }
            _ => {}
        }
    }
}

impl Protocol for Site {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;
    type Config = Config;
    type Checker = DeadlockChecks;

    const MESSAGE_KINDS: &'static [&'static str] = &[
        "Lock",
        "Granted",
        "Release",
        "Abort",
        "Probe",
        "Wait-for edges",
    ];
    const TIMER_NAMES: &'static [&'static str] = &[
        "transaction step",
        "lock wait timeout",
        "send probes",
        "report edges",
    ];

    fn configure(params: &Params, n_nodes: u16) -> Result<Config, String> {
        Config::parse(params, n_nodes)
    }

    fn message_kind(msg: &Msg) -> u8 {
        match msg {
            Msg::Lock { .. } => 0,
            Msg::Granted { .. } => 1,
            Msg::Release { .. } => 2,
            Msg::Kill { .. } => 3,
            Msg::Probe { .. } | Msg::Closed { .. } => 4,
            Msg::Edges { .. } => 5,
        }
    }

    fn timer_index(timer: Timer) -> u8 {
        match timer {
            Timer::Txn(_) => 0,
            Timer::Wait(_) => 1,
            Timer::Probe => 2,
            Timer::Report => 3,
        }
    }

    fn describe_message(msg: &Msg) -> String {
        let r = resource_name;
        match msg {
            Msg::Lock { txn, res, .. } => format!("{} wants {}", txn_name(*txn), r(*res)),
            Msg::Granted { txn, res, .. } => format!("{} gets {}", txn_name(*txn), r(*res)),
            Msg::Release { txn, .. } => format!("{} lets go", txn_name(*txn)),
            Msg::Kill { txn, .. } => format!("abort {}", txn_name(*txn)),
            Msg::Probe { path, .. } | Msg::Closed { path, .. } => {
                let names: Vec<String> = path.iter().map(|h| txn_name(h.txn)).collect();
                format!("probe: {}", names.join(" → "))
            }
            Msg::Edges { edges } => format!("{} wait-for edges", edges.len()),
        }
    }

    fn start(ctx: &mut Ctx<'_, Self>) -> Self {
        let me = ctx.id();
        let config = ctx.config();
        let locks = (0..PER_SITE)
            .map(|i| Lock {
                res: me * PER_SITE + i,
                holder: None,
                queue: Vec::new(),
            })
            .collect();
        let mut txns = Vec::new();
        let mut starts = Vec::new();
        for (id, spec) in config.txns.iter().enumerate() {
            if spec.home == me {
                txns.push(Txn {
                    id: id as u16,
                    attempt: 0,
                    run: 0,
                    phase: Phase::NotStarted,
                });
                starts.push((id as u16, spec.start_us));
            }
        }
        let (detection, probe, report, n) = (
            config.detection,
            config.probe_every_us,
            config.report_every_us,
            config.n_sites,
        );
        for (id, at) in starts {
            ctx.set_timer(Timer::Txn(id), at);
        }
        match detection {
            Detection::Probes => ctx.set_timer(Timer::Probe, probe),
            Detection::Central => {
                ctx.set_timer(Timer::Report, report * u64::from(me) / u64::from(n))
            }
            _ => {}
        }
        Site {
            locks,
            txns,
            view: Vec::new(),
            reported: Vec::new(),
            wounded: Vec::new(),
            closed: Vec::new(),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Lock { txn, attempt, res } => self.on_lock(ctx, Holder { txn, attempt }, res),
            Msg::Granted { txn, attempt, res } => self.on_granted(ctx, from, txn, attempt, res),
            Msg::Release { txn, attempt } => self.on_release(ctx, Holder { txn, attempt }),
            Msg::Kill { txn, attempt, why } => self.on_kill(ctx, txn, attempt, why),
            Msg::Probe {
                path,
                sites,
                at_owner,
            } => self.on_probe(ctx, path, sites, at_owner),
            Msg::Closed { path, sites, step } => self.on_closed(ctx, path, sites, step),
            Msg::Edges { edges } => self.on_edges(ctx, from, edges),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match timer {
            Timer::Txn(txn) => self.on_txn_timer(ctx, txn),
            Timer::Wait(txn) => {
                let waiting = self
                    .pos(txn)
                    .filter(|&i| matches!(self.txns[i].phase, Phase::Acquiring(_)));
                if let Some(i) = waiting {
                    self.abort(ctx, i, "it waited too long for a lock (timeout)");
                }
            }
            Timer::Probe => {
                let me = ctx.id();
                for (waiter, holder) in self.waits() {
                    self.chase(ctx, vec![waiter, holder], vec![me]);
                }
                let every = ctx.config().probe_every_us;
                ctx.set_timer(Timer::Probe, every);
            }
            Timer::Report => {
                let edges = self.local_edges();
                self.dispatch(ctx, 0, Msg::Edges { edges });
                let every = ctx.config().report_every_us;
                ctx.set_timer(Timer::Report, every);
            }
        }
    }

    fn state(&self, d: &Durable, _config: &Config) -> NodeState {
        let mut line = Vec::new();
        let mut fields = Vec::new();
        for lock in &self.locks {
            let holder = lock.holder.map_or("free".to_string(), |h| txn_name(h.txn));
            line.push(format!("{}:{holder}", resource_name(lock.res)));
            let waiting: Vec<String> = lock.queue.iter().map(|q| txn_name(q.txn)).collect();
            fields.push((
                format!("lock {}", resource_name(lock.res)),
                if waiting.is_empty() {
                    holder
                } else {
                    format!("{holder}; waiting: {}", waiting.join(", "))
                },
            ));
        }
        let waiting = self
            .locks
            .iter()
            .any(|l| l.holder.is_some() && !l.queue.is_empty());
        fields.push(("commits".into(), d.commits.to_string()));
        fields.push(("aborts".into(), d.aborts.to_string()));
        fields.push(("deadlocks reported".into(), d.reports.len().to_string()));
        NodeState {
            role: "site".into(),
            tone: if waiting {
                Tone::Suspect
            } else {
                Tone::Secondary
            },
            headline: line.join(" "),
            fields,
        }
    }

    fn down_state(_d: &Durable, _config: &Config) -> NodeState {
        NodeState {
            role: "crashed".into(),
            tone: Tone::Faulty,
            headline: "down".into(),
            ..NodeState::default()
        }
    }

    fn pictures(
        config: &Config,
        nodes: &failscope_sim::invariant::Nodes<'_, Self>,
        now: Time,
    ) -> Vec<Picture> {
        super::pictures::all(config, nodes, now)
    }
}
