//! The four scenarios side by side for one cloud, and a recommendation under the operator's
//! constraints. JSON contract `stackhop.compare/v1`.

use serde::Serialize;
use serde::ser::{Error as _, Serializer};
use stackhop_catalog::{Finding, Scenario, Severity, Transition};
use stackhop_inventory::Inventory;
use stackhop_plan::{Plan, PlanError, make_plan};

use crate::duration::fmt_duration;
use crate::engine::{SimOptions, simulate};
use crate::report::SimReport;
use crate::workload::Workload;

pub const COMPARE_SCHEMA: &str = "stackhop.compare/v1";

/// What the operator can live with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Constraints {
    /// The longest any one capability may be down (the worst capability counts).
    pub max_downtime_s: Option<u64>,
    /// No spare hardware may be provisioned.
    pub no_spare_hosts: bool,
    /// The longest the whole upgrade may take.
    pub max_duration_s: Option<u64>,
}

/// One scenario in the comparison.
///
/// In JSON a usable scenario is its `stackhop.simulate/v1` object followed by `usable`,
/// `excluded_by` and `risk_notes`; an unusable one is `{scenario, usable: false, findings,
/// excluded_by, risk_notes}` with the check's error findings.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioEntry {
    pub scenario: Scenario,
    /// Planned and simulated; `false` when the check found errors for this cloud.
    pub usable: bool,
    pub report: Option<SimReport>,
    /// The plan that was simulated, when usable (not in the JSON: `stackhop plan` gives it).
    pub plan: Option<Plan>,
    /// The check's error findings, when unusable.
    pub findings: Vec<Finding>,
    /// Why the recommendation passed over it (constraints, a stopped run, disruption).
    pub excluded_by: Vec<String>,
    /// What the reference says about the scenario's risks.
    pub risk_notes: Vec<String>,
}

impl Serialize for ScenarioEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_json::{Map, Value};
        let mut map = match &self.report {
            Some(r) => match serde_json::to_value(r).map_err(S::Error::custom)? {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            None => {
                let mut m = Map::new();
                m.insert("scenario".into(), Value::String(self.scenario.to_string()));
                m
            }
        };
        map.insert("usable".into(), Value::Bool(self.usable));
        if !self.usable {
            let findings = serde_json::to_value(&self.findings).map_err(S::Error::custom)?;
            map.insert("findings".into(), findings);
        }
        let excluded = serde_json::to_value(&self.excluded_by).map_err(S::Error::custom)?;
        map.insert("excluded_by".into(), excluded);
        let notes = serde_json::to_value(&self.risk_notes).map_err(S::Error::custom)?;
        map.insert("risk_notes".into(), notes);
        Value::Object(map).serialize(serializer)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareReport {
    pub schema: &'static str,
    /// The scenario to use, if any is usable and meets the constraints.
    pub recommended: Option<Scenario>,
    /// Why, in numbers: what the recommended scenario wins on, and what excluded the others.
    pub reason: String,
    pub cloud: String,
    pub seed: u64,
    pub constraints: Constraints,
    /// All four, in the documents' order.
    pub scenarios: Vec<ScenarioEntry>,
}

impl CompareReport {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn entry(&self, scenario: Scenario) -> Option<&ScenarioEntry> {
        self.scenarios.iter().find(|e| e.scenario == scenario)
    }
}

/// Plans and simulates every scenario for the cloud with the same seed and workload, and
/// recommends the usable scenario that meets the constraints with the least downtime of its
/// worst capability (ties: the shorter upgrade, then fewer manual steps).
pub fn compare(
    transition: &dyn Transition,
    inventory: &Inventory,
    inventory_file: &str,
    inventory_source: &str,
    seed: u64,
    workload: &Workload,
    constraints: &Constraints,
) -> CompareReport {
    let options = SimOptions {
        seed,
        workload: workload.clone(),
        ..SimOptions::default()
    };
    let scenarios: Vec<ScenarioEntry> = Scenario::ALL
        .into_iter()
        .map(|scenario| {
            let risk_notes = transition
                .risk_notes(scenario, inventory)
                .into_iter()
                .map(str::to_owned)
                .collect();
            let planned = make_plan(
                transition,
                inventory,
                inventory_file,
                inventory_source,
                scenario,
            );
            let simulated = match planned {
                Ok(plan) => match simulate(transition, inventory, &plan, &options) {
                    Ok(report) => Ok((report, plan)),
                    Err(e) => Err(vec![
                        Finding::new("simulation-failed", Severity::Error, "plan")
                            .message(e.to_string()),
                    ]),
                },
                Err(PlanError::Refused { findings, .. }) => Err(findings
                    .into_iter()
                    .filter(|f| f.severity == Severity::Error)
                    .collect()),
                Err(e) => Err(vec![
                    Finding::new("plan-failed", Severity::Error, "plan").message(e.to_string()),
                ]),
            };
            let mut entry = ScenarioEntry {
                scenario,
                usable: simulated.is_ok(),
                report: None,
                plan: None,
                findings: Vec::new(),
                excluded_by: Vec::new(),
                risk_notes,
            };
            match simulated {
                Ok((report, plan)) => {
                    entry.excluded_by = exclusions(&report, constraints);
                    entry.report = Some(report);
                    entry.plan = Some(plan);
                }
                Err(findings) => {
                    let ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
                    entry.excluded_by =
                        vec![format!("unusable for this cloud: {}", ids.join(", "))];
                    entry.findings = findings;
                }
            }
            entry
        })
        .collect();
    let (recommended, reason) = recommend(&scenarios, constraints);
    CompareReport {
        schema: COMPARE_SCHEMA,
        recommended,
        reason,
        cloud: inventory.name.clone(),
        seed,
        constraints: constraints.clone(),
        scenarios,
    }
}

fn exclusions(report: &SimReport, constraints: &Constraints) -> Vec<String> {
    let mut out = Vec::new();
    if !report.completed() {
        let first = report.outcome.failures.first();
        out.push(match first {
            Some(f) => format!(
                "the simulated run stopped: {} failed on {}: {}",
                f.step, f.host, f.reason
            ),
            None => "the simulated run did not complete".to_owned(),
        });
    }
    if report.instances_disrupted > 0 {
        out.push(format!(
            "it takes down {} running instance(s)",
            report.instances_disrupted
        ));
    }
    if let (Some(limit), Some((cap, worst))) = (constraints.max_downtime_s, report.worst_downtime())
        && worst > limit
    {
        out.push(format!(
            "{cap} is down {} > max downtime {}",
            fmt_duration(worst),
            fmt_duration(limit)
        ));
    }
    if constraints.no_spare_hosts && report.extra_hosts > 0 {
        out.push(format!(
            "it needs {} spare host(s) and spare hosts are ruled out",
            report.extra_hosts
        ));
    }
    if let Some(limit) = constraints.max_duration_s
        && report.makespan_s > limit
    {
        out.push(format!(
            "it takes {} > max duration {}",
            fmt_duration(report.makespan_s),
            fmt_duration(limit)
        ));
    }
    out
}

fn recommend(entries: &[ScenarioEntry], constraints: &Constraints) -> (Option<Scenario>, String) {
    // A scenario that re-creates users' instances from snapshots gives each of them an outage
    // of its own: it is recommended only when every other one does too.
    let key = |r: &SimReport| {
        (
            r.instances_recreated > 0,
            r.worst_downtime().map_or(0, |(_, d)| d),
            r.makespan_s,
            r.manual_steps,
        )
    };
    let candidates: Vec<(&ScenarioEntry, &SimReport)> = entries
        .iter()
        .filter(|e| e.excluded_by.is_empty())
        .filter_map(|e| e.report.as_ref().map(|r| (e, r)))
        .collect();
    let excluded: Vec<String> = entries
        .iter()
        .filter(|e| !e.excluded_by.is_empty())
        .map(|e| format!("{} ({})", e.scenario, e.excluded_by.join("; ")))
        .collect();
    let excluded_text = if excluded.is_empty() {
        String::new()
    } else {
        format!(" Passed over: {}.", excluded.join("; "))
    };
    let mut ranked = candidates.clone();
    ranked.sort_by_key(|(e, r)| (key(r), e.scenario));
    let Some(&(best, report)) = ranked.first() else {
        let any_constraint = constraints != &Constraints::default();
        let what = if any_constraint {
            "No usable scenario meets the constraints."
        } else {
            "No scenario is usable for this cloud."
        };
        return (None, format!("{what}{excluded_text}"));
    };
    let worst = |r: &SimReport| {
        r.worst_downtime()
            .map_or("nothing down".to_owned(), |(cap, d)| {
                format!("{cap} down {}", fmt_duration(d))
            })
    };
    let mut reason = format!(
        "{}: of the {} usable scenario(s){}{}, it keeps its worst-hit capability down the least \
         ({}); the whole upgrade takes {}.",
        best.scenario,
        if report.instances_recreated == 0 {
            candidates
                .iter()
                .filter(|(_, r)| r.instances_recreated == 0)
                .count()
        } else {
            candidates.len()
        },
        if constraints == &Constraints::default() {
            ""
        } else {
            " that meet the constraints"
        },
        if report.instances_recreated == 0
            && candidates.iter().any(|(_, r)| r.instances_recreated > 0)
        {
            " that leave every instance running"
        } else {
            ""
        },
        worst(report),
        fmt_duration(report.makespan_s),
    );
    let tied: Vec<String> = ranked[1..]
        .iter()
        .filter(|(_, r)| key(r).0 == key(report).0 && key(r).1 == key(report).1)
        .map(|(e, r)| format!("{} ({})", e.scenario, fmt_duration(r.makespan_s)))
        .collect();
    if !tied.is_empty() {
        reason.push_str(&format!(
            " {} keep(s) it as short but take(s) longer: {}.",
            if tied.len() == 1 {
                "One other"
            } else {
                "Others"
            },
            tied.join(", ")
        ));
    } else if let Some((next, r)) = ranked.get(1) {
        reason.push_str(&format!(" Next: {} ({}).", next.scenario, worst(r)));
    }
    let best_down = key(report).1;
    for (e, r) in ranked[1..]
        .iter()
        .filter(|(_, r)| key(r).0 && key(r).1 < best_down)
    {
        reason.push_str(&format!(
            " {} keeps it down less ({}) but re-creates {} instance(s) from snapshots, an \
             outage for each.",
            e.scenario,
            worst(r),
            r.instances_recreated
        ));
    }
    if report.instances_recreated > 0 {
        reason.push_str(&format!(
            " It re-creates {} instance(s) from snapshots, a short outage for each.",
            report.instances_recreated
        ));
    }
    if report.extra_hosts > 0 {
        reason.push_str(&format!(" It needs {} spare host(s).", report.extra_hosts));
    }
    if report.manual_steps > 0 {
        reason.push_str(&format!(" {} step(s) need a person.", report.manual_steps));
    }
    reason.push_str(&excluded_text);
    (Some(best.scenario), reason)
}
