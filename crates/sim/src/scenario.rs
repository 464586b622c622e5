//! The scenario: everything that determines a run. One serde type, validated before use.

use crate::action::{Action, ActionRecord, ScheduledFault};
use crate::client::ClientConfig;
use crate::clock::MAX_DRIFT_PPM;
use crate::ids::{node_name, NodeId};
use crate::json::write::{field, object, unless_empty, ToJson};
use crate::json::{Fields, FromJson, Json, Reader};
use crate::lab::{Catalogue, Lab, ParamSpec};
use crate::limits::*;
use crate::network::NetworkConfig;
use crate::time::Time;
use serde::Serialize;
use std::collections::BTreeMap;

/// The scenario format this engine writes. Older versions are upgraded on load.
pub const SCHEMA_VERSION: u32 = 1;

/// Lab parameters by key (units are declared by each lab's [`ParamSpec`]).
pub type Params = BTreeMap<String, i64>;

/// A node's clock at the start of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClockSetting {
    pub node: NodeId,
    pub offset_us: i64,
    pub drift_ppm: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scenario {
    pub version: u32,
    pub lab: String,
    pub seed: u64,
    pub n_nodes: u16,
    pub params: Params,
    pub network: NetworkConfig,
    pub clients: ClientConfig,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clocks: Vec<ClockSetting>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<ScheduledFault>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionRecord>,
}

impl FromJson for ClockSetting {
    fn from_json(r: &mut Reader, value: &Json) -> ClockSetting {
        let f = Fields::of(r, value);
        ClockSetting {
            node: f.req(r, "node"),
            offset_us: f.or_default(r, "offset_us"),
            drift_ppm: f.or_default(r, "drift_ppm"),
        }
    }
}

impl FromJson for Scenario {
    fn from_json(r: &mut Reader, value: &Json) -> Scenario {
        let f = Fields::of(r, value);
        Scenario {
            version: f.req(r, "version"),
            lab: f.req(r, "lab"),
            seed: f.req(r, "seed"),
            n_nodes: f.req(r, "n_nodes"),
            params: f.or_default(r, "params"),
            network: f.or_default(r, "network"),
            clients: f.or_default(r, "clients"),
            clocks: f.or_default(r, stringify!(clocks)),
            faults: f.or_default(r, "faults"),
            actions: f.or_default(r, "actions"),
        }
    }
}

/// Why a scenario cannot run, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    UnsupportedVersion {
        found: u32,
    },
    UnknownLab {
        lab: String,
    },
    NodeCount {
        lab: String,
        n_nodes: u16,
        min: u16,
        max: u16,
    },
    UnknownParam {
        key: String,
    },
    ParamOutOfRange {
        key: String,
        value: i64,
        min: i64,
        max: i64,
    },
    TooMany {
        what: &'static str,
        count: usize,
        limit: usize,
    },
    /// Anything else, with the explanation.
    Invalid(String),
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScenarioError::UnsupportedVersion { found } => write!(
                f,
                "this scenario was written by a newer Failscope (format version {found}; this one reads up to {SCHEMA_VERSION})"
            ),
            ScenarioError::UnknownLab { lab } => write!(f, "there is no lab called “{lab}”"),
            ScenarioError::NodeCount {
                lab,
                n_nodes,
                min,
                max,
            } => write!(
                f,
                "the {lab} lab runs with {min} to {max} nodes, not {n_nodes}"
            ),
            ScenarioError::UnknownParam { key } => {
                write!(f, "unknown parameter “{key}” for this lab")
            }
            ScenarioError::ParamOutOfRange {
                key,
                value,
                min,
                max,
            } => write!(
                f,
                "parameter “{key}” is {value}, outside its range {min} to {max}"
            ),
            ScenarioError::TooMany { what, count, limit } => {
                write!(f, "{count} {what} is more than the limit of {limit}")
            }
            ScenarioError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// A scenario for `lab` with its defaults.
    pub fn new(lab: &str, seed: u64, n_nodes: u16) -> Scenario {
        Scenario {
            version: SCHEMA_VERSION,
            lab: lab.to_string(),
            seed,
            n_nodes,
            params: Params::new(),
            network: NetworkConfig::default(),
            clients: ClientConfig::default(),
            clocks: Vec::new(),
            faults: Vec::new(),
            actions: Vec::new(),
        }
    }

    pub fn with_param(mut self, key: &str, value: i64) -> Scenario {
        self.params.insert(key.to_string(), value);
        self
    }

    pub fn with_fault(mut self, at_us: Time, action: Action) -> Scenario {
        self.faults.push(ScheduledFault { at_us, action });
        self
    }

    /// Check every field against its lab (looked up in `labs`) and the engine's limits.
    /// Never panics.
    pub fn validate(&self, labs: &Catalogue) -> Result<(), ScenarioError> {
        let lab = labs
            .find(&self.lab)
            .ok_or_else(|| ScenarioError::UnknownLab {
                lab: truncate(&self.lab, MAX_NAME_LEN),
            })?;
        self.validate_for(lab)
    }

    /// Check every field against `lab` (whose id the scenario must name) and the engine's
    /// limits. Never panics.
    pub fn validate_for(&self, lab: &dyn Lab) -> Result<(), ScenarioError> {
        if self.version == 0 || self.version > SCHEMA_VERSION {
            return Err(ScenarioError::UnsupportedVersion {
                found: self.version,
            });
        }
        if !lab.answers_to(&self.lab) {
            return Err(ScenarioError::UnknownLab {
                lab: truncate(&self.lab, MAX_NAME_LEN),
            });
        }
        let nodes = lab.nodes();
        if self.n_nodes < nodes.min || self.n_nodes > nodes.max.min(MAX_NODES) {
            return Err(ScenarioError::NodeCount {
                lab: lab.id().to_string(),
                n_nodes: self.n_nodes,
                min: nodes.min,
                max: nodes.max.min(MAX_NODES),
            });
        }
        resolve_params(lab.params(), &self.params)?;
        self.network
            .link
            .validate()
            .map_err(|e| ScenarioError::Invalid(format!("network: {e}")))?;
        check_count(
            "link overrides",
            self.network.overrides.len(),
            MAX_LINK_OVERRIDES,
        )?;
        for o in &self.network.overrides {
            self.check_node(o.from)?;
            self.check_node(o.to)?;
            o.link
                .validate()
                .map_err(|e| ScenarioError::Invalid(format!("network override: {e}")))?;
        }
        self.check_network_mode()?;
        self.clients.validate().map_err(ScenarioError::Invalid)?;
        if let Some(stop) = self.clients.stop_at_us {
            check_time("client stop time", stop)?;
        }
        for clock in &self.clocks {
            self.check_node(clock.node)?;
            if clock.offset_us.unsigned_abs() > MAX_DURATION_US {
                return Err(ScenarioError::Invalid(format!(
                    "{}'s clock offset is more than a day",
                    node_name(clock.node)
                )));
            }
            check_drift(clock.drift_ppm)?;
        }
        check_count("scheduled faults", self.faults.len(), MAX_SCHEDULED_FAULTS)?;
        for fault in &self.faults {
            check_time("fault time", fault.at_us)?;
            self.check_action(&fault.action, lab.params())?;
        }
        check_count("user actions", self.actions.len(), MAX_ACTIONS)?;
        let mut last = (0u64, 0u64);
        for record in &self.actions {
            check_time("action time", record.at_us)?;
            if (record.at_event, record.at_us) < last
                || record.at_event < last.0
                || record.at_us < last.1
            {
                return Err(ScenarioError::Invalid(
                    "the action log is out of order (actions must be sorted by time)".into(),
                ));
            }
            last = (record.at_event, record.at_us);
            self.check_action(&record.action, lab.params())?;
        }
        Ok(())
    }

    fn check_node(&self, node: NodeId) -> Result<(), ScenarioError> {
        if node >= self.n_nodes {
            return Err(ScenarioError::Invalid(format!(
                "node {} does not exist (this scenario has {} nodes, S1 to {})",
                node_name(node),
                self.n_nodes,
                node_name(self.n_nodes.saturating_sub(1))
            )));
        }
        Ok(())
    }

    fn check_network_mode(&self) -> Result<(), ScenarioError> {
        use crate::network::NetworkMode::*;
        let times: Vec<Time> = match self.network.mode {
            Realistic => vec![],
            Synchronous { bound_us } => vec![bound_us],
            PartiallySynchronous {
                gst_us,
                bound_us,
                pre_gst_extra_us,
            } => vec![gst_us, bound_us, pre_gst_extra_us],
            Asynchronous { extra_max_us } => vec![extra_max_us],
        };
        for t in times {
            if t > MAX_LATENCY_US.max(MAX_DURATION_US) {
                return Err(ScenarioError::Invalid(
                    "network timing bound is longer than a day".into(),
                ));
            }
        }
        Ok(())
    }

    fn check_action(&self, action: &Action, specs: &[ParamSpec]) -> Result<(), ScenarioError> {
        for node in action.nodes() {
            self.check_node(node)?;
        }
        match action {
            Action::Pause { duration_us, .. } => check_time("pause duration", *duration_us),
            Action::ClockJump { delta_us, .. } => check_time("clock jump", delta_us.unsigned_abs()),
            Action::ClockDrift { ppm, .. } => check_drift(*ppm),
            Action::Partition { groups } => {
                let mut seen = vec![false; usize::from(self.n_nodes)];
                for &node in groups.iter().flatten() {
                    let slot = &mut seen[usize::from(node)];
                    if *slot {
                        return Err(ScenarioError::Invalid(format!(
                            "{} is in two partition groups",
                            node_name(node)
                        )));
                    }
                    *slot = true;
                }
                Ok(())
            }
            Action::ClientRequest { op, .. } => {
                if u32::from(op.key()) >= self.clients.n_keys.max(1) {
                    return Err(ScenarioError::Invalid(format!(
                        "client request names key {} but the workload has {} keys",
                        op.key(),
                        self.clients.n_keys
                    )));
                }
                Ok(())
            }
            Action::SetParam { key, value } => {
                let mut params = self.params.clone();
                params.insert(key.clone(), *value);
                resolve_params(specs, &params).map(|_| ())
            }
            // The lab checks its own verbs when the action is applied; here only the size.
            Action::Lab { verb, args } => {
                if verb.len() > MAX_NAME_LEN || args.len() > 16 {
                    return Err(ScenarioError::Invalid(
                        "a lab action has a name of at most 64 characters and at most 16 arguments"
                            .into(),
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Fill in defaults and check every given parameter against the lab's specs.
pub fn resolve_params(specs: &[ParamSpec], given: &Params) -> Result<Params, ScenarioError> {
    for key in given.keys() {
        if !specs.iter().any(|s| s.key == key) {
            return Err(ScenarioError::UnknownParam {
                key: truncate(key, MAX_NAME_LEN),
            });
        }
    }
    let mut resolved = Params::new();
    for spec in specs {
        let value = given.get(spec.key).copied().unwrap_or(spec.default);
        if value < spec.min || value > spec.max {
            return Err(ScenarioError::ParamOutOfRange {
                key: spec.key.to_string(),
                value,
                min: spec.min,
                max: spec.max,
            });
        }
        resolved.insert(spec.key.to_string(), value);
    }
    Ok(resolved)
}

fn check_time(what: &str, us: Time) -> Result<(), ScenarioError> {
    if us > MAX_DURATION_US {
        return Err(ScenarioError::Invalid(format!(
            "{what} of {us} µs is beyond the one-day limit of a run"
        )));
    }
    Ok(())
}

fn check_drift(ppm: i32) -> Result<(), ScenarioError> {
    if ppm.unsigned_abs() > MAX_DRIFT_PPM.unsigned_abs() {
        return Err(ScenarioError::Invalid(format!(
            "clock drift {ppm} ppm is beyond ±{MAX_DRIFT_PPM} ppm"
        )));
    }
    Ok(())
}

fn check_count(what: &'static str, count: usize, limit: usize) -> Result<(), ScenarioError> {
    if count > limit {
        return Err(ScenarioError::TooMany { what, count, limit });
    }
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

impl ToJson for ClockSetting {
    fn to_json(&self) -> Json {
        object([
            ("node", field(&self.node)),
            ("offset_us", field(&self.offset_us)),
            ("drift_ppm", field(&self.drift_ppm)),
        ])
    }
}

impl ToJson for Scenario {
    fn to_json(&self) -> Json {
        object([
            ("version", field(&self.version)),
            ("lab", field(&self.lab)),
            ("seed", field(&self.seed)),
            ("n_nodes", field(&self.n_nodes)),
            ("params", field(&self.params)),
            ("network", field(&self.network)),
            ("clients", field(&self.clients)),
            (stringify!(clocks), unless_empty(&self.clocks)),
            ("faults", unless_empty(&self.faults)),
            ("actions", unless_empty(&self.actions)),
        ])
    }
}
