//! The simulation report and its JSON contract, `stackhop.simulate/v1`.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use stackhop_catalog::Scenario;

use crate::fault::Fault;

pub const SIMULATE_SCHEMA: &str = "stackhop.simulate/v1";

/// A list of named values that serializes as a JSON object in list order (capabilities in the
/// contract's order rather than alphabetically).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Named<T>(pub Vec<(String, T)>);

impl<T> Named<T> {
    pub fn get(&self, name: &str) -> Option<&T> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Serialize> Serialize for Named<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// What one simulated run of a plan measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimReport {
    pub schema: &'static str,
    pub scenario: Scenario,
    pub seed: u64,
    /// From the first step's start to the last host's end (or the stop).
    pub makespan_s: u64,
    /// Instances taken down by a reboot, reinstall or stop of their host: 0 for a sound plan.
    pub instances_disrupted: u64,
    /// Instances re-created from a snapshot by planned moves (each had its own short outage).
    pub instances_recreated: u64,
    /// Hosts the plan provisions that the cloud does not use today (spare hardware).
    pub extra_hosts: usize,
    /// Steps that need a person.
    pub manual_steps: usize,
    /// Every capability the cloud offers, in the contract's order.
    pub capabilities: Named<CapabilityReport>,
    /// Each phase from its first step's start to its last step's end, by start time.
    pub phases: Vec<PhaseSpan>,
    pub outcome: Outcome,
    /// The inventory's `name`.
    pub cloud: String,
    /// Each host's duration was scaled by a factor drawn uniformly from
    /// `[1 - jitter, 1 + jitter]`; 0 means the estimates as they are.
    pub jitter: f64,
    /// The plan's own critical-path estimate, without jitter, for comparison.
    pub estimate_s: u64,
    /// The workload driven, per minute (boots per minute for `boot`).
    pub workload: Named<f64>,
    pub faults: Vec<Fault>,
    /// Degraded invariants seen during the run (a feature lost or errors logged; not broken),
    /// first occurrence of each.
    pub degraded: Vec<Observation>,
    /// Hard invariants seen during the run: must stay empty, by the verifier's proof.
    pub hard_violations: Vec<Observation>,
    /// Every step that started, in start order.
    pub steps: Vec<StepSpan>,
    /// Each host's part of every step, in launch order. Not in the JSON contract (a
    /// 2,000-compute plan has tens of thousands); the HTML report and the trace draw them.
    #[serde(skip)]
    pub hosts: Vec<HostSpan>,
    /// `(step, host)` in the order their changes reached the twin, for the test that the twin
    /// only goes where the verifier has been. Not in the JSON contract.
    #[serde(skip)]
    pub applied: Vec<(String, String)>,
}

impl SimReport {
    /// Pretty JSON with a final newline; the same report gives the same bytes.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The longest downtime of any capability, with its name.
    pub fn worst_downtime(&self) -> Option<(&str, u64)> {
        self.capabilities
            .iter()
            .map(|(n, c)| (n, c.downtime_s))
            .fold(None, |best, (n, d)| match best {
                Some((_, b)) if b >= d => best,
                _ => Some((n, d)),
            })
    }

    pub fn completed(&self) -> bool {
        self.outcome.state == RunState::Completed
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityReport {
    /// Total time the model said the capability was down.
    pub downtime_s: u64,
    /// Expected requests that failed: rate × downtime, rounded.
    pub failed_requests: u64,
    pub windows: Vec<Window>,
    /// Requests (boots for `boot`) per minute driven against it.
    pub rate_per_min: f64,
    /// Still down when the run ended (a stopped run can leave it so).
    pub down_at_end: bool,
}

/// One interval a capability was down, and the phase whose step took it down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start_s: u64,
    pub end_s: u64,
    pub phase: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseSpan {
    pub name: String,
    pub start_s: u64,
    pub end_s: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Completed,
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub state: RunState,
    /// The first step that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<String>,
    /// Steps that never started, in plan order.
    pub remaining_steps: Vec<String>,
    /// No hard invariant holds against the state the run ended in.
    pub stopped_state_safe: bool,
    /// Every host failure, in time order (running steps finish after the first, and may fail).
    pub failures: Vec<Failure>,
    /// The state the run ended in is the finished upgrade.
    pub goal_reached: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub step: String,
    pub host: String,
    pub at_s: u64,
    pub reason: String,
}

/// An invariant seen violated, at its first occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observation {
    pub invariant: String,
    pub message: String,
    pub at_s: u64,
    /// The step whose host change led to it.
    pub step: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepSpan {
    pub id: String,
    pub phase: String,
    pub start_s: u64,
    pub end_s: u64,
    /// `completed`, or `failed` when some host failed (the step then started no more hosts).
    pub state: StepState,
}

/// One host's part of a step: from its launch to its end (or its failure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostSpan {
    pub step: String,
    pub host: String,
    pub start_s: u64,
    pub end_s: u64,
    pub state: StepState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Completed,
    Failed,
}

/// Milliseconds to whole seconds, to the nearest.
pub(crate) fn secs(ms: u64) -> u64 {
    ms.saturating_add(500) / 1000
}
