//! Labs: a protocol packaged with its parameters, presets and narration, and the registry
//! the app and the CLI pick from.

use crate::challenge::ChallengeSpec;
use crate::run::Simulation;
use crate::scenario::{Scenario, ScenarioError};
use crate::time::Time;
use serde::Serialize;

/// How a parameter is shown and edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "choices", rename_all = "snake_case")]
pub enum Unit {
    /// Milliseconds of simulated time.
    Ms,
    /// A plain count.
    Count,
    /// Parts per million (shown as a percentage).
    Ppm,
    /// 0 or 1.
    Bool,
    /// An index into named choices.
    Choice(&'static [&'static str]),
}

/// One lab parameter: its bounds are enforced by `Scenario::validate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub min: i64,
    pub max: i64,
    pub default: i64,
    pub unit: Unit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NodeRange {
    pub min: u16,
    pub max: u16,
    pub default: u16,
}

/// A step of a guided preset's narration, shown once the run reaches `at_us` and, if it
/// has a cue, once the cued check has fired: a chapter that tells of a violation appears
/// at the very event the Invariants tab reports, not at a guess of its time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Chapter {
    pub at_us: Time,
    pub text: String,
    /// The name of the invariant whose first violation (or, for the kinds that are
    /// observed, first observation) this chapter tells of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cue: Option<&'static str>,
}

impl Chapter {
    pub fn at(at_us: Time, text: impl Into<String>) -> Chapter {
        Chapter {
            at_us,
            text: text.into(),
            cue: None,
        }
    }

    /// Wait, from `at_us` on, for the check named `invariant` to fire.
    pub fn on_check(mut self, invariant: &'static str) -> Chapter {
        self.cue = Some(invariant);
        self
    }

    /// When the chapter shows in a run where the checks report `fired` (an invariant name
    /// to its first time): `None` while its cue has not fired.
    pub fn shows_at(&self, fired: impl Fn(&str) -> Option<Time>) -> Option<Time> {
        match self.cue {
            None => Some(self.at_us),
            Some(name) => fired(name).map(|t| t.max(self.at_us)),
        }
    }
}

/// A guided scenario: a reference result to watch happen, with narration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Preset {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub scenario: Scenario,
    /// How long to run to see the whole story.
    pub duration_us: Time,
    pub chapters: Vec<Chapter>,
}

/// One configuration on a trade-off chart (PACELC: with no partition, latency against
/// consistency), with the real systems that behave this way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tradeoff {
    pub label: &'static str,
    /// Its PACELC class, e.g. "PC/EC" or "PA/EL".
    pub class: &'static str,
    /// Real systems configured like this, e.g. "ZooKeeper, HBase".
    pub systems: &'static str,
    /// One line, in our words.
    pub explanation: &'static str,
    pub scenario: Scenario,
    pub duration_us: Time,
}

/// The key of a lab's "Deliberate bug" parameter: a `Unit::Choice` whose choice 0 is "none"
/// and each other choice switches on one mistake.
pub const BUG_PARAM: &str = "bug";

/// Another lab a lab points its reader to (`Lab::related`): the page links to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Related {
    /// The other lab's id (a test checks that it is registered).
    pub lab: &'static str,
    /// Why to go there, one sentence.
    pub why: &'static str,
}

/// A scenario that shows one of a lab's deliberate bugs being caught: a preset with the bug
/// switched on (and, only where the preset alone does not expose it, another seed or a few
/// parameters), in which the named `Always` check fires before the preset's duration. A lab
/// has one for each choice of its bug parameter (`failscope-labs`' `tests/it/bug_demos.rs`
/// holds every lab to that).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BugDemo {
    /// The choice of the lab's [`BUG_PARAM`] parameter.
    pub bug: i64,
    /// The preset's id.
    pub preset: &'static str,
    /// Replaces the preset's seed, if set.
    pub seed: Option<u64>,
    /// Further parameters set on top of the preset's (usually none).
    pub params: &'static [(&'static str, i64)],
    /// Index of the checker property that fires (as in [`ChallengeSpec::property`]).
    pub check: usize,
    /// What to watch for in this exact run, in one sentence (the preset's narration is
    /// written for the correct protocol).
    pub note: &'static str,
}

impl BugDemo {
    /// The demo's preset with the bug switched on and the demo's seed and parameters in
    /// place; duration and chapters are the preset's. The app and the tests build a demo
    /// this way. `None` if the lab has no preset by that id.
    pub fn preset_with_bug(&self, lab: &dyn Lab) -> Option<Preset> {
        let mut preset = lab.presets().into_iter().find(|p| p.id == self.preset)?;
        let scenario = &mut preset.scenario;
        scenario.params.insert(BUG_PARAM.into(), self.bug);
        for &(key, value) in self.params {
            scenario.params.insert(key.into(), value);
        }
        if let Some(seed) = self.seed {
            scenario.seed = seed;
        }
        Some(preset)
    }
}

/// A lab-specific change a person can make mid-run (a server joining a hash ring): the
/// `Action::Lab` verb with its arguments described, so the app renders one shared form for
/// every lab's verbs. The lab still checks the arguments when the action is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LabVerb {
    /// The `Action::Lab` verb ("join").
    pub verb: &'static str,
    /// The button's text ("Join").
    pub label: &'static str,
    /// One sentence on what it does, for the tooltip.
    pub help: &'static str,
    /// Its arguments, in the order `Action::Lab::args` takes them. Arguments of different
    /// verbs that share a `name` are one field in the form.
    pub args: &'static [VerbArg],
    /// What happened, as the page announces it: `{name}` stands for the argument of that
    /// name (a server by its name, a count as a number): "{server} joined the ring".
    pub done: &'static str,
}

impl LabVerb {
    /// The sentence for this verb applied to `args` (see [`LabVerb::done`]).
    pub fn announce(&self, args: &[i64]) -> String {
        let mut text = self.done.to_string();
        for (arg, value) in self.args.iter().zip(args) {
            let shown = match arg.kind {
                VerbArgKind::Server => u16::try_from(*value)
                    .map(crate::ids::node_name)
                    .unwrap_or_else(|_| value.to_string()),
                VerbArgKind::Count => value.to_string(),
            };
            text = text.replace(&format!("{{{}}}", arg.name), &shown);
        }
        text
    }
}

/// An action in the page's words: a lab's own verb by its [`LabVerb::done`] sentence, every
/// other action by [`Action::describe`](crate::action::Action::describe).
pub fn announce(lab: &dyn Lab, action: &crate::action::Action) -> String {
    if let crate::action::Action::Lab { verb, args } = action {
        if let Some(known) = lab.verbs().iter().find(|v| v.verb == verb) {
            return known.announce(args);
        }
    }
    action.describe()
}

/// A file a lab offers for download beside the shared ones (a trace in a viewer's format):
/// the Downloads menu lists it, and its content comes from `Simulation::lab_export(id)`
/// when someone asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LabExport {
    /// Passed to `Simulation::lab_export` ("chrome-trace").
    pub id: &'static str,
    /// The button's text ("Trace (Chrome trace-event JSON)").
    pub label: &'static str,
    /// The file name's ending, without the dot ("json").
    pub extension: &'static str,
    /// Its media type ("application/json").
    pub mime: &'static str,
}

/// One integer argument of a [`LabVerb`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct VerbArg {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: VerbArgKind,
    /// Bounds and starting value of a `Count` (a `Server` is one of the run's servers).
    pub min: i64,
    pub max: i64,
    pub default: i64,
}

/// What an argument of a [`LabVerb`] stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerbArgKind {
    /// One of the run's servers, by id (chosen from a list of them).
    Server,
    /// A number between `min` and `max`.
    Count,
}

pub trait Lab: Sync {
    fn id(&self) -> &'static str;
    /// Ids the lab was known by before (renamed labs): lookups by them find this lab, so
    /// old links, scenario files and addresses keep opening. None by default.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }
    /// Whether `id` names this lab: its id or one of its [`Lab::aliases`].
    fn answers_to(&self, id: &str) -> bool {
        self.id() == id || self.aliases().contains(&id)
    }
    fn title(&self) -> &'static str;
    /// One line for the lab picker.
    fn summary(&self) -> &'static str;
    /// Hidden labs (engine benchmarks) are buildable but not offered in the picker.
    fn listed(&self) -> bool {
        true
    }
    fn params(&self) -> &'static [ParamSpec];
    fn nodes(&self) -> NodeRange;
    fn default_scenario(&self, seed: u64) -> Scenario;
    fn presets(&self) -> Vec<Preset>;
    /// Configurations to place on a latency-against-consistency chart (none by default).
    fn tradeoffs(&self) -> Vec<Tradeoff> {
        Vec::new()
    }
    /// Pairs of presets worth watching side by side (same seed and workload, one setting
    /// apart), e.g. consistent hashing against hash mod N.
    fn comparisons(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }
    /// Things to try to make happen, each decided by one of the checker's properties (see
    /// [`crate::challenge`]). None by default.
    fn challenges(&self) -> &'static [ChallengeSpec] {
        &[]
    }
    /// One scenario per deliberate bug that shows a check catching it; none by default
    /// (a lab without a [`BUG_PARAM`] parameter has none).
    fn bug_demos(&self) -> &'static [BugDemo] {
        &[]
    }
    /// Other labs that take this one further, linked from its page; none by default.
    fn related(&self) -> &'static [Related] {
        &[]
    }
    /// Files the lab offers for download (see [`LabExport`]).
    fn exports(&self) -> &'static [LabExport] {
        &[]
    }
    /// The lab-specific changes a person can make mid-run (`Action::Lab`); none by default.
    fn verbs(&self) -> &'static [LabVerb] {
        &[]
    }
    /// Charts drawn from a batch of runs over many seeds (see [`Batch`]); none by default.
    fn batches(&self) -> &'static [Batch] {
        &[]
    }
    /// Build a run. The scenario has been validated.
    fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError>;
}

/// A chart a lab draws from many runs of the current settings, one per seed (the timeout
/// dilemma measured over twenty seeds rather than one run). The page runs them one at a time
/// between frames, so it stays responsive, and redraws the chart as results come in; the CLI
/// and tests run them all at once. Everything is a pure function of the scenario and the
/// seeds, so the chart is the same everywhere.
#[derive(Clone, Copy)]
pub struct Batch {
    /// Stable within the lab; the picture it draws has the same id.
    pub id: &'static str,
    /// The button that starts it ("Measure over 20 seeds").
    pub label: &'static str,
    /// How many runs: seeds `scenario.seed`, `scenario.seed + 1`, ...
    pub runs: u32,
    /// One run of `scenario` with `seed` in place of its own, summarised as numbers. A run
    /// should take no more than a few milliseconds natively: the page runs one per slice.
    pub run: fn(&Scenario, u64) -> Vec<i64>,
    /// The chart from the summaries so far, in seed order (fewer than `runs` while it is
    /// still measuring).
    pub picture: fn(&Scenario, &[Vec<i64>]) -> crate::picture::Picture,
}

impl Batch {
    /// Every run at once, then the chart: for tests and the command line.
    pub fn measure(&self, scenario: &Scenario) -> crate::picture::Picture {
        let results: Vec<Vec<i64>> = (0..u64::from(self.runs))
            .map(|k| (self.run)(scenario, scenario.seed.wrapping_add(k)))
            .collect();
        (self.picture)(scenario, &results)
    }
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("id", &self.id)
            .field("runs", &self.runs)
            .finish()
    }
}

/// Where to look labs up by id. The engine holds no labs of its own: the registry (the
/// `failscope-labs` crate) builds one and hands it to whatever needs lab lookups. A lab whose
/// code is not loaded yet (a lazily loaded chunk in the browser) is not found.
#[derive(Clone, Copy)]
pub struct Catalogue {
    find: fn(&str) -> Option<&'static dyn Lab>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalogue")
    }
}

impl Catalogue {
    pub const fn new(find: fn(&str) -> Option<&'static dyn Lab>) -> Catalogue {
        Catalogue { find }
    }

    pub fn find(&self, id: &str) -> Option<&'static dyn Lab> {
        (self.find)(id)
    }

    /// Validate a scenario and build its run: the one way in for the app, the CLI and links.
    pub fn build(&self, scenario: &Scenario) -> Result<Box<dyn Simulation>, ScenarioError> {
        let lab = self
            .find(&scenario.lab)
            .ok_or_else(|| ScenarioError::UnknownLab {
                lab: scenario.lab.chars().take(64).collect(),
            })?;
        scenario.validate_for(lab)?;
        lab.build(scenario)
    }

    /// Find a preset by lab and preset id.
    pub fn preset(&self, lab: &str, id: &str) -> Option<Preset> {
        self.find(lab)?.presets().into_iter().find(|p| p.id == id)
    }
}
