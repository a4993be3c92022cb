//! A run as a Chrome trace event file (JSON object format), for Perfetto or `chrome://tracing`:
//! each phase is a process, its steps and each host in flight are threads, and a counter
//! shows how many hosts are in flight. The capabilities' down windows are one more process.
//!
//! Events are complete events (`"ph": "X"`), in microseconds; one thread never holds two
//! overlapping events (a host with two steps at once gets a second thread), since the viewers
//! expect events on a thread to nest.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};
use stackhop_plan::Plan;
use stackhop_sim::{CompareReport, SimReport};

use crate::mask::mask;
use crate::plan::hosts_summary;
use crate::timeline::{Span, Timeline};

/// Process ids of one run start here; a comparison's runs are this far apart.
const PIDS_PER_RUN: usize = 1000;

/// One run of a trace file, and what its processes are called after (a scenario's name).
#[derive(Debug, Clone, Copy)]
pub struct TraceRun<'a> {
    /// Put before each process's name, `live-compute: nova-computes`; empty for a lone run.
    pub label: &'a str,
    pub timeline: &'a Timeline,
}

/// A simulated run as a trace file.
#[must_use]
pub fn simulate_trace(plan: &Plan, report: &SimReport, secrets: &[String]) -> String {
    let timeline = Timeline::simulated(plan, report);
    let about = json!({
        "generator": "stackhop",
        "cloud": report.cloud,
        "scenario": report.scenario,
        "seed": report.seed,
        "digest": plan.digest,
    });
    trace_json(
        &[TraceRun {
            label: "",
            timeline: &timeline,
        }],
        about,
        secrets,
    )
}

/// Every simulated scenario of a comparison in one trace file, one group of processes each.
#[must_use]
pub fn compare_trace(report: &CompareReport, secrets: &[String]) -> String {
    let runs: Vec<(String, Timeline)> = report
        .scenarios
        .iter()
        .filter_map(|e| {
            let timeline = Timeline::simulated(e.plan.as_ref()?, e.report.as_ref()?);
            Some((e.scenario.to_string(), timeline))
        })
        .collect();
    let about = json!({
        "generator": "stackhop",
        "cloud": report.cloud,
        "seed": report.seed,
        "recommended": report.recommended,
    });
    let runs: Vec<TraceRun<'_>> = runs
        .iter()
        .map(|(label, timeline)| TraceRun { label, timeline })
        .collect();
    trace_json(&runs, about, secrets)
}

fn micros(seconds: f64) -> u64 {
    let us = (seconds * 1e6).round();
    if us.is_finite() && us > 0.0 {
        us as u64
    } else {
        0
    }
}

/// One trace event; `args` is whatever the event carries.
#[derive(Serialize)]
struct Event<'a, A: Serialize> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    cat: &'a str,
    ph: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<u64>,
    pid: usize,
    tid: usize,
    args: A,
}

#[derive(Serialize)]
struct StepArgs<'a> {
    outcome: &'static str,
    hosts: String,
    estimate_s: f64,
    commands: Vec<std::borrow::Cow<'a, str>>,
}

#[derive(Serialize)]
struct HostArgs {
    outcome: &'static str,
}

#[derive(Serialize)]
struct WindowArgs<'a> {
    failed_requests: u64,
    taken_down_by: &'a str,
}

#[derive(Serialize)]
struct NameArgs<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct SortArgs {
    sort_index: usize,
}

#[derive(Serialize)]
struct CounterArgs {
    hosts: i64,
}

/// The events written so far, one a line.
struct Writer {
    out: Vec<u8>,
    empty: bool,
}

impl Writer {
    fn event<A: Serialize>(&mut self, event: &Event<'_, A>) {
        if !self.empty {
            self.out.extend_from_slice(b",\n");
        }
        self.empty = false;
        // Writing to memory fails only on a value JSON cannot hold; none of these has one.
        let _ = serde_json::to_writer(&mut self.out, event);
    }

    fn complete<A: Serialize>(
        &mut self,
        name: &str,
        cat: &str,
        span: Span,
        at: (usize, usize),
        args: A,
    ) {
        let (start, end) = (micros(span.start_s), micros(span.end_s));
        self.event(&Event {
            name,
            cat,
            ph: "X",
            ts: Some(start),
            dur: Some(end.saturating_sub(start)),
            pid: at.0,
            tid: at.1,
            args,
        });
    }

    fn meta<A: Serialize>(&mut self, name: &str, pid: usize, tid: usize, args: A) {
        self.event(&Event {
            name,
            cat: "",
            ph: "M",
            ts: None,
            dur: None,
            pid,
            tid,
            args,
        });
    }

    fn process(&mut self, pid: usize, name: &str) {
        self.meta("process_name", pid, 0, NameArgs { name });
        self.meta("process_sort_index", pid, 0, SortArgs { sort_index: pid });
    }

    fn thread(&mut self, pid: usize, tid: usize, name: &str) {
        self.meta("thread_name", pid, tid, NameArgs { name });
        self.meta("thread_sort_index", pid, tid, SortArgs { sort_index: tid });
    }

    /// A `hosts in flight` counter for the process: the number of hosts running at each change.
    fn counter(&mut self, pid: usize, mut changes: Vec<(u64, i64)>) {
        // Changes at one instant are summed: a host that follows another is not two at once.
        changes.sort_unstable();
        let mut level = 0_i64;
        let mut k = 0;
        while k < changes.len() {
            let ts = changes[k].0;
            while k < changes.len() && changes[k].0 == ts {
                level += changes[k].1;
                k += 1;
            }
            self.event(&Event {
                name: "hosts in flight",
                cat: "",
                ph: "C",
                ts: Some(ts),
                dur: None,
                pid,
                tid: 0,
                args: CounterArgs { hosts: level },
            });
        }
    }
}

/// The trace file of `runs`: `{"traceEvents": [...], "displayTimeUnit": "ms", "otherData":
/// about}`, one event per line. Commands in the events' arguments are masked.
#[must_use]
pub fn trace_json(runs: &[TraceRun<'_>], about: Value, secrets: &[String]) -> String {
    let mut w = Writer {
        out: Vec::new(),
        empty: true,
    };
    for (r, run) in runs.iter().enumerate() {
        let base = r * PIDS_PER_RUN;
        let name = |what: &str| {
            if run.label.is_empty() {
                what.to_owned()
            } else {
                format!("{}: {what}", run.label)
            }
        };
        for (p, phase) in run.timeline.phases.iter().enumerate() {
            let pid = base + p + 1;
            w.process(pid, &name(&phase.name));
            let mut step_lanes = Lanes::default();
            let mut host_lanes: BTreeMap<&str, Lanes> = BTreeMap::new();
            let mut steps = Vec::new();
            let mut hosts = Vec::new();
            for step in &phase.steps {
                let Some(span) = step.span else { continue };
                steps.push((step_lanes.place(span), step, span));
                for h in &step.host_spans {
                    let lane = host_lanes.entry(&h.host).or_default().place(h.span);
                    hosts.push((lane, step, h));
                }
            }
            // Threads: the step lanes first, then each host's lanes in the order the host
            // first started.
            for lane in 0..step_lanes.count() {
                let label = if lane == 0 {
                    "steps".to_owned()
                } else {
                    format!("steps ({})", lane + 1)
                };
                w.thread(pid, lane + 1, &label);
            }
            let mut tids: BTreeMap<(&str, usize), usize> = BTreeMap::new();
            for (lane, _, h) in &hosts {
                let next = step_lanes.count() + tids.len() + 1;
                tids.entry((h.host.as_str(), *lane)).or_insert_with(|| {
                    let label = if *lane == 0 {
                        h.host.clone()
                    } else {
                        format!("{} ({})", h.host, lane + 1)
                    };
                    w.thread(pid, next, &label);
                    next
                });
            }
            for (lane, step, span) in steps {
                let args = StepArgs {
                    outcome: step.outcome.as_str(),
                    hosts: hosts_summary(&step.hosts),
                    estimate_s: step.estimate_s,
                    commands: step.commands.iter().map(|c| mask(c, secrets)).collect(),
                };
                w.complete(&step.id, "step", span, (pid, lane + 1), args);
            }
            let mut in_flight: Vec<(u64, i64)> = Vec::with_capacity(2 * hosts.len());
            for (lane, step, h) in hosts {
                in_flight.push((micros(h.span.start_s), 1));
                in_flight.push((micros(h.span.end_s), -1));
                let tid = tids.get(&(h.host.as_str(), lane)).copied().unwrap_or(0);
                let args = HostArgs {
                    outcome: h.outcome.as_str(),
                };
                w.complete(&step.id, "host", h.span, (pid, tid), args);
            }
            w.counter(pid, in_flight);
        }
        if !run.timeline.capabilities.is_empty() {
            let pid = base + run.timeline.phases.len() + 1;
            w.process(pid, &name("capabilities down"));
            for (k, band) in run.timeline.capabilities.iter().enumerate() {
                w.thread(pid, k + 1, &band.name);
                let event = format!("{} down", band.name);
                for win in &band.windows {
                    let args = WindowArgs {
                        failed_requests: win.failed_requests,
                        taken_down_by: &win.phase,
                    };
                    w.complete(&event, "capability", win.span, (pid, k + 1), args);
                }
            }
        }
    }
    let events = String::from_utf8(w.out).unwrap_or_default();
    format!(
        "{{\"traceEvents\": [\n{events}\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {about}\n}}\n"
    )
}

/// Lanes of non-overlapping spans, each span in the first lane free at its start.
#[derive(Default)]
struct Lanes {
    /// When each lane is free again.
    free_at: Vec<f64>,
}

impl Lanes {
    fn place(&mut self, span: Span) -> usize {
        match self.free_at.iter().position(|&end| end <= span.start_s) {
            Some(lane) => {
                self.free_at[lane] = span.end_s;
                lane
            }
            None => {
                self.free_at.push(span.end_s);
                self.free_at.len() - 1
            }
        }
    }

    fn count(&self) -> usize {
        self.free_at.len()
    }
}
