//! Challenges: a lab's invitations to break (or try to break) its system, each one a
//! sentence and a property of the lab's checker.
//!
//! A challenge has no predicate of its own. It names one of the checker's properties: an
//! `Always` property whose *violation* achieves it ("make two servers lead the same term" is
//! achieved exactly when election safety fails), or an `Anomaly` (or `Sometimes`) property
//! whose *observation* achieves it. So the checklist ticks at the very event the Invariants tab
//! reports, and it is exact under seek, rewind and fork because invariant statuses are (they
//! live in the world and are restored with it). Challenges only observe: the trace of a run
//! is the same with or without them.

use crate::ids::NodeId;
use crate::invariant::{InvariantReport, Modality};
use crate::lab::{Lab, Unit, BUG_PARAM};
use crate::scenario::Params;
use crate::time::Time;
use serde::Serialize;

/// Whether the lab, as designed, lets a person achieve a challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Possibility {
    /// Some scenario achieves it: faults, parameters, timing. Go and find one.
    Possible,
    /// The protocol rules it out: `why` names the safety property that forbids it (and the
    /// argument, in a sentence). `unless_bug` names the choice of the lab's "Deliberate bug"
    /// parameter that breaks that property, if one does.
    Impossible {
        why: &'static str,
        unless_bug: Option<&'static str>,
    },
}

/// One challenge of a lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ChallengeSpec {
    /// Stable within its lab (for tests and links).
    pub id: &'static str,
    /// What to make happen, in one sentence.
    pub sentence: &'static str,
    /// A nudge towards how (or towards why not).
    pub hint: &'static str,
    pub possible: Possibility,
    /// Index of the checker property that decides it: violating it if it is `Always`,
    /// observing it otherwise.
    pub property: usize,
    /// A challenge about one of the lab's modes: it counts only in runs in that mode (an
    /// "impossible" claim about two-phase commit says nothing of three-phase commit, whose
    /// runs may well break the same property).
    pub only_when: Option<Mode>,
}

/// A lab's mode, as a value of one of its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Mode {
    pub param: &'static str,
    pub value: i64,
    /// What the page calls the mode ("two-phase commit").
    pub name: &'static str,
}

impl Mode {
    /// Is a run with these parameters in this mode? A parameter the scenario does not set
    /// has its spec's default, which `default` gives.
    pub fn holds(&self, params: &Params, default: i64) -> bool {
        params.get(self.param).copied().unwrap_or(default) == self.value
    }
}

/// When and where in the run a challenge was achieved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Achievement {
    pub time: Time,
    /// How many trace events were recorded before it (for a violation, the index of the
    /// violation's own event).
    pub trace_index: usize,
    pub nodes: Vec<NodeId>,
    /// What the checker saw, in its words ("S1 and S2 are both leaders of term 4").
    pub detail: String,
}

/// A challenge and its state at the cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChallengeReport {
    pub spec: ChallengeSpec,
    /// `false` when the run is not in the challenge's mode (`ChallengeSpec::only_when`): it
    /// is then never achieved here, and the page says which mode it is about.
    pub applies: bool,
    /// The name of the property that decides it (as the Invariants tab shows it).
    pub property: &'static str,
    pub achieved: Option<Achievement>,
}

impl ChallengeReport {
    pub fn achieved_at(&self) -> Option<Time> {
        self.achieved.as_ref().map(|a| a.time)
    }
}

/// The reports of the lab's challenges, read off the invariant statuses at the cursor. A challenge whose
/// property index is out of range is left out (the registry tests rule that out).
pub fn reports(
    lab: &dyn Lab,
    params: &Params,
    invariants: &[InvariantReport],
) -> Vec<ChallengeReport> {
    lab.challenges()
        .iter()
        .filter_map(|spec| {
            let report = invariants.get(spec.property)?;
            let applies = spec.only_when.is_none_or(|mode| {
                let default = lab.params().iter().find(|p| p.key == mode.param);
                mode.holds(params, default.map_or(0, |p| p.default))
            });
            let achieved = match report.spec.modality {
                _ if !applies => None,
                Modality::Always => report.status.first_violation.as_ref().map(|v| Achievement {
                    time: v.time,
                    trace_index: v.trace_index,
                    nodes: v.nodes.clone(),
                    detail: v.detail.clone(),
                }),
                Modality::Sometimes | Modality::Anomaly => {
                    report.status.observed.as_ref().map(|o| Achievement {
                        time: o.time,
                        trace_index: o.trace_index,
                        nodes: o.nodes.clone(),
                        detail: o.detail.clone(),
                    })
                }
            };
            Some(ChallengeReport {
                spec: *spec,
                applies,
                property: report.spec.name,
                achieved,
            })
        })
        .collect()
}

/// The choice of the lab's "Deliberate bug" parameter ([`BUG_PARAM`]) in force, if the lab has
/// one and a bug is switched on (choice 0 is "none").
pub fn bug_in_force(lab: &dyn Lab, params: &Params) -> Option<&'static str> {
    let spec = lab.params().iter().find(|p| p.key == BUG_PARAM)?;
    let Unit::Choice(names) = spec.unit else {
        return None;
    };
    let index = params.get(BUG_PARAM).copied().unwrap_or(spec.default);
    if index <= 0 {
        return None;
    }
    names.get(usize::try_from(index).ok()?).copied()
}
