//! The discrete-event core: steps on a virtual clock in milliseconds, hosts `fanout` at a time,
//! each host's change applied through the twin when it finishes.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use stackhop_catalog::Transition;
use stackhop_inventory::Inventory;
use stackhop_model::{
    Action, CapabilitySet, Class, CloudState, HostState, apply, check_invariants, in_flight,
};
use stackhop_plan::{Plan, Scheduler, StepStage};

use crate::duration::fmt_duration;
use crate::error::SimError;
use crate::fault::Fault;
use crate::jitter::Jitter;
use crate::report::{
    CapabilityReport, Failure, HostSpan, Named, Observation, Outcome, PhaseSpan, RunState,
    SIMULATE_SCHEMA, SimReport, StepSpan, StepState, Window, secs,
};
use crate::twin::Twin;
use crate::workload::Workload;

/// The default jitter: each host's duration is scaled by a factor drawn uniformly from
/// `[0.85, 1.15]`.
pub const JITTER: f64 = 0.15;

/// How to run a simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    /// Seeds the jitter and the fault draws; the same seed gives the same report, byte for byte.
    pub seed: u64,
    /// Half-width of the uniform jitter factor around 1 (clamped to `[0, 0.9]`); 0 runs every
    /// host for exactly its estimate.
    pub jitter: f64,
    pub workload: Workload,
    pub faults: Vec<Fault>,
    /// Apply hosts one call at a time and check capabilities and invariants after every
    /// host's change. The default run checks only when the set of distinct host states changes
    /// (the model's rules see each distinct state once, never how many hosts share it) and
    /// applies runs of hosts of one step together when the action only changes the host it
    /// acts on; a test asserts both give the same report. Slower; for tests and doubt.
    pub exhaustive: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            seed: 0,
            jitter: JITTER,
            workload: Workload::defaults(),
            faults: Vec::new(),
            exhaustive: false,
        }
    }
}

impl SimOptions {
    pub fn seeded(seed: u64) -> Self {
        SimOptions {
            seed,
            ..SimOptions::default()
        }
    }
}

/// How one host's part of a step ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum HostEnd {
    /// The work ran; the transition function decides whether it succeeded.
    Ran,
    /// An injected step fault.
    Fault,
    /// The host (this one or the one the commands run from) went down.
    Down(u32),
}

/// Whether an action changes only the host it acts on, so that applying it to several hosts
/// at once equals applying it to each in turn. Actions that look at the rest of the cloud
/// (health checks, migrations) or change the databases are applied one host at a time.
fn host_local(action: &Action) -> bool {
    matches!(
        action,
        Action::InstallRepo { .. }
            | Action::StopService { .. }
            | Action::StartService { .. }
            | Action::RestartService { .. }
            | Action::UpgradePackages { .. }
            | Action::SetConfig { .. }
            | Action::DeleteConfig { .. }
            | Action::DisableCompute {}
            | Action::EnableCompute {}
            | Action::ProvisionHost { .. }
            | Action::ReinstallHost { .. }
    )
}

/// Whether two states differ in what the rules can see: the global state or the set of
/// distinct host states (not how many hosts share each).
fn distinct_changed(a: &CloudState, b: &CloudState) -> bool {
    a.global != b.global
        || a.groups.len() != b.groups.len()
        || a.groups
            .iter()
            .zip(&b.groups)
            .any(|(x, y)| x.state != y.state)
}

/// The positions in `hosts` (each changed once, in order, from `before` to `after`) at which
/// the set of distinct host states changes. `None` if a host is missing.
fn distinct_changes(before: &CloudState, after: &CloudState, hosts: &[u32]) -> Option<Vec<usize>> {
    let mut counts: BTreeMap<&HostState, usize> = before
        .groups
        .iter()
        .map(|g| (&g.state, g.hosts.len()))
        .collect();
    let mut marks = Vec::new();
    for (j, &h) in hosts.iter().enumerate() {
        let (old, new) = (before.host(h)?, after.host(h)?);
        if old == new {
            continue;
        }
        let mut changed = false;
        if let Some(c) = counts.get_mut(old) {
            *c -= 1;
            changed |= *c == 0;
        }
        let c = counts.entry(new).or_insert(0);
        changed |= *c == 0;
        *c += 1;
        if changed {
            marks.push(j);
        }
    }
    Some(marks)
}

/// `(time ms, sequence, step, host position, how it ends)`; the sequence makes ties
/// deterministic. The sequence is also the host's index in `Run::host_spans`, plus one.
type Event = Reverse<(u64, u64, usize, usize, HostEnd)>;

/// What the twin needs of a step beyond what the scheduler keeps.
#[derive(Clone)]
struct StepRun {
    hosts: Vec<u32>,
    runs_on: Option<u32>,
    per_host_s: f64,
    once_s: f64,
    start: Option<u64>,
    end: Option<u64>,
    /// Probabilities of the step faults that match this step.
    fault_p: Vec<f64>,
}

#[derive(Clone)]
struct CapTrack {
    name: &'static str,
    rate: f64,
    up: bool,
    since: u64,
    phase: String,
    windows: Vec<(u64, u64, String)>,
    down_ms: u64,
    /// Outages while a host is in the middle of a step (a restart), which neither the state
    /// before nor after the step shows; merged with `windows` in the report.
    in_flight: Vec<(u64, u64, String)>,
}

struct Run<'a> {
    plan: &'a Plan,
    twin: Twin,
    steps: Vec<StepRun>,
    /// The executor's scheduler: the twin starts and stops steps as a real run does.
    schedule: Scheduler,
    queue: BinaryHeap<Event>,
    seq: u64,
    jitter: Jitter,
    fault_rng: ChaCha8Rng,
    /// Host id → when it goes down (ms).
    down: BTreeMap<u32, u64>,
    now: u64,
    failures: Vec<Failure>,
    caps: Vec<CapTrack>,
    hard: Vec<Observation>,
    hard_seen: BTreeSet<(String, String)>,
    degraded: Vec<Observation>,
    degraded_seen: BTreeSet<String>,
    started: Vec<usize>,
    /// Apply runs of hosts of one step together (see [`SimOptions::exhaustive`]).
    batch: bool,
    /// Observe after every change, not only when the distinct host states change.
    observe_all: bool,
    /// Hosts of one step whose change is due but not applied yet: `(step, [(time, host)])`.
    pending: Option<(usize, Vec<(u64, u32)>)>,
    /// Each host's part of a step as it was launched: `(step, host, start ms, end ms)`, and
    /// whether it failed (set when its end is handled).
    host_spans: Vec<(usize, u32, u64, u64, bool)>,
    /// `(step, host)` in the order their changes reached the twin.
    applied: Vec<(usize, u32)>,
}

/// A batched apply was refused: the run is redone one host at a time.
struct Redo;

/// Runs a plan on the twin of the inventory's cloud and measures what happens.
///
/// A step starts when every step it waits for has completed; steps run side by side as the DAG
/// allows. Within a step, hosts run `fanout` at a time (the catalog's estimate); a host of the
/// first wave takes `once_s + per_host_s`, a later one `per_host_s`, each scaled by its own
/// jitter factor drawn uniformly from `[1 - jitter, 1 + jitter]` (±15% by default). When a host
/// finishes, the step's action is applied to it with [`stackhop_model::apply`]; capabilities and
/// invariants are checked after every change that the rules can see (see
/// [`SimOptions::exhaustive`]), and the workload's failed requests follow from the downtime.
///
/// When a host fails (an injected fault, a host that went down, or a change the transition
/// function refuses, such as a failing health check), the run stops as the executor does: no
/// step starts any more, the failed step starts no more hosts, running steps finish.
pub fn simulate(
    transition: &dyn Transition,
    inventory: &Inventory,
    plan: &Plan,
    options: &SimOptions,
) -> Result<SimReport, SimError> {
    let twin = Twin::new(transition, inventory);
    let (steps, schedule) = prepare(transition, inventory, plan, &twin, options)?;
    let mut down = BTreeMap::new();
    for f in &options.faults {
        if let Fault::HostDown { host, at_s } = f {
            let id = twin
                .host_id(host)
                .ok_or_else(|| SimError::UnknownFaultHost(host.clone()))?;
            let at = at_s.saturating_mul(1000);
            let e = down.entry(id).or_insert(at);
            *e = (*e).min(at);
        }
    }
    let rates = options.workload.resolve(transition, inventory);
    let initial = twin.capabilities();
    let caps: Vec<CapTrack> = rates
        .iter()
        .filter(|(name, _)| initial.available.contains_key(name))
        .map(|&(name, rate)| CapTrack {
            name,
            rate,
            up: true,
            since: 0,
            phase: String::new(),
            windows: Vec::new(),
            down_ms: 0,
            in_flight: Vec::new(),
        })
        .collect();
    let batch = !options.exhaustive;
    let start = Start {
        twin,
        steps,
        schedule,
        down,
        caps,
    };
    match run(plan, start.clone(), options, batch) {
        Ok(report) => Ok(report),
        // A refusal inside a batch: redo the run one host at a time, which never batches and so
        // never asks for a redo.
        Err(Redo) => run(plan, start, options, false).map_err(|_| SimError::Inconsistent),
    }
}

/// What a run starts from; cloned when a batched run must be redone.
#[derive(Clone)]
struct Start {
    twin: Twin,
    steps: Vec<StepRun>,
    schedule: Scheduler,
    down: BTreeMap<u32, u64>,
    caps: Vec<CapTrack>,
}

fn run(plan: &Plan, start: Start, options: &SimOptions, batch: bool) -> Result<SimReport, Redo> {
    let Start {
        twin,
        steps,
        schedule,
        down,
        caps,
    } = start;
    let mut fault_rng = ChaCha8Rng::seed_from_u64(options.seed);
    fault_rng.set_stream(1);
    let mut run = Run {
        plan,
        twin,
        steps,
        schedule,
        queue: BinaryHeap::new(),
        seq: 0,
        jitter: Jitter::new(options.seed, options.jitter),
        fault_rng,
        down,
        now: 0,
        failures: Vec::new(),
        caps,
        hard: Vec::new(),
        hard_seen: BTreeSet::new(),
        degraded: Vec::new(),
        degraded_seen: BTreeSet::new(),
        started: Vec::new(),
        batch,
        observe_all: options.exhaustive,
        pending: None,
        host_spans: Vec::new(),
        applied: Vec::new(),
    };
    run.observe(0, "initial", "");
    run.go()?;
    Ok(run.report(options))
}

fn prepare(
    transition: &dyn Transition,
    inventory: &Inventory,
    plan: &Plan,
    twin: &Twin,
    options: &SimOptions,
) -> Result<(Vec<StepRun>, Scheduler), SimError> {
    let graph = plan.graph();
    if let Some(&(step, k)) = graph.unknown().first() {
        let s = &plan.steps[step.get()];
        return Err(SimError::UnknownStep {
            step: s.id.clone(),
            after: s.after[k].clone(),
        });
    }
    if graph.order().is_none() {
        return Err(SimError::Cycle);
    }
    let mut steps = Vec::with_capacity(plan.steps.len());
    let mut fanout = Vec::with_capacity(plan.steps.len());
    for s in &plan.steps {
        let hosts = s
            .hosts
            .iter()
            .map(|h| {
                twin.host_id(h).ok_or_else(|| SimError::UnknownHost {
                    step: s.id.clone(),
                    host: h.clone(),
                })
            })
            .collect::<Result<Vec<u32>, SimError>>()?;
        // A controller that runs the commands and is not in the inventory is not simulated.
        let runs_on = s.runs_on.as_deref().and_then(|h| twin.host_id(h));
        let estimate = transition.estimate(&s.action, inventory);
        let fault_p = options
            .faults
            .iter()
            .map(|f| f.step_probability(&s.id))
            .filter(|p| *p > 0.0)
            .collect();
        fanout.push(usize::try_from(estimate.fanout.max(1)).unwrap_or(1));
        steps.push(StepRun {
            hosts,
            runs_on,
            per_host_s: estimate.per_host_s.max(0.0),
            once_s: estimate.once_s.max(0.0),
            start: None,
            end: None,
            fault_p,
        });
    }
    // The twin has no cap on hosts in flight over all steps: only each step's fan-out.
    let schedule = Scheduler::new(&graph, fanout, usize::MAX);
    Ok((steps, schedule))
}

/// Windows sorted by start with overlapping ones joined; a joined window keeps the phase of
/// the one that opened it.
fn merged(mut windows: Vec<(u64, u64, String)>) -> Vec<(u64, u64, String)> {
    windows.sort();
    let mut out: Vec<(u64, u64, String)> = Vec::with_capacity(windows.len());
    for (start, end, phase) in windows {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end, phase)),
        }
    }
    out
}

impl Run<'_> {
    fn go(&mut self) -> Result<(), Redo> {
        for i in self.schedule.ready() {
            self.start_step(i);
        }
        while let Some(Reverse((t, seq, i, pos, end))) = self.queue.pop() {
            self.now = t;
            let failures = self.failures.len();
            self.schedule.finished(i);
            let host = self.steps[i].hosts[pos];
            let action = &self.plan.steps[i].action;
            if end == HostEnd::Ran && self.batch && host_local(action) {
                if self.pending.as_ref().is_some_and(|(p, _)| *p != i) {
                    self.flush()?;
                }
                self.pending
                    .get_or_insert((i, Vec::new()))
                    .1
                    .push((t, host));
            } else {
                self.flush()?;
                match end {
                    HostEnd::Ran => self.apply_one(i, host),
                    HostEnd::Fault => {
                        self.fail(i, host, "injected fault: the step failed".to_owned());
                    }
                    HostEnd::Down(h) => {
                        let name = self.twin.host_name(h).unwrap_or("?").to_owned();
                        let at = self.down.get(&h).copied().unwrap_or(t);
                        let reason = format!("{name} went down at {}", fmt_duration(secs(at)));
                        self.fail(i, host, reason);
                    }
                }
            }
            self.mark_failed_span(seq, failures);
            self.launch_hosts(i);
            if self.schedule.settled(i) {
                // Everything the step did is applied before anything waits on it.
                self.flush()?;
                self.finish_step(i);
            }
        }
        self.flush()
    }

    /// Marks the host whose end event `seq` was just handled as failed, when handling it added a
    /// failure to the `before` ones.
    fn mark_failed_span(&mut self, seq: u64, before: usize) {
        if self.failures.len() > before
            && let Some(span) = usize::try_from(seq)
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|k| self.host_spans.get_mut(k))
        {
            span.4 = true;
        }
    }

    /// Applies one host's change and observes the new state if it can differ.
    fn apply_one(&mut self, i: usize, host: u32) {
        let step = &self.plan.steps[i];
        match apply(self.twin.rules(), self.twin.state(), &step.action, &[host]) {
            Ok(next) => {
                let changed = distinct_changed(self.twin.state(), &next);
                self.twin.set_state(next);
                self.applied.push((i, host));
                if changed || self.observe_all {
                    self.observe(self.now, &step.phase, &step.id);
                }
            }
            Err(e) => self.fail(i, host, e.to_string()),
        }
    }

    /// Applies the pending hosts of one step, observing the state at each host whose change
    /// alters the set of distinct host states, at that host's time. For an action that only
    /// changes the host it acts on, applying hosts together is applying them one by one.
    fn flush(&mut self) -> Result<(), Redo> {
        let Some((i, events)) = self.pending.take() else {
            return Ok(());
        };
        let step = &self.plan.steps[i];
        let hosts: Vec<u32> = events.iter().map(|(_, h)| *h).collect();
        let after =
            apply(self.twin.rules(), self.twin.state(), &step.action, &hosts).map_err(|_| Redo)?;
        let marks = if self.observe_all {
            (0..hosts.len()).collect()
        } else {
            distinct_changes(self.twin.state(), &after, &hosts).ok_or(Redo)?
        };
        let mut done = 0;
        for j in marks {
            if j + 1 == hosts.len() {
                break;
            }
            let next = apply(
                self.twin.rules(),
                self.twin.state(),
                &step.action,
                &hosts[done..=j],
            )
            .map_err(|_| Redo)?;
            done = j + 1;
            self.twin.set_state(next);
            self.observe(events[j].0, &step.phase, &step.id);
        }
        let last_changes = distinct_changed(self.twin.state(), &after) || self.observe_all;
        self.twin.set_state(after);
        self.applied.extend(hosts.iter().map(|&h| (i, h)));
        if last_changes && let Some(&(t, _)) = events.last() {
            self.observe(t, &step.phase, &step.id);
        }
        Ok(())
    }

    fn start_step(&mut self, i: usize) {
        self.steps[i].start = Some(self.now);
        self.started.push(i);
        self.schedule.start(i, 0..self.steps[i].hosts.len());
        if self.steps[i].hosts.is_empty() {
            self.finish_step(i);
        } else {
            self.launch_hosts(i);
        }
    }

    fn launch_hosts(&mut self, i: usize) {
        while let Some((pos, first_wave)) = self.schedule.launch(i) {
            self.launch(i, pos, first_wave);
        }
    }

    fn launch(&mut self, i: usize, pos: usize, first_wave: bool) {
        let factor = self.jitter.factor();
        let s = &self.steps[i];
        let nominal = s.per_host_s + if first_wave { s.once_s } else { 0.0 };
        let ms = (nominal * factor * 1000.0).round();
        let mut end_at = self.now + if ms > 0.0 { ms as u64 } else { 0 };
        let mut end = HostEnd::Ran;
        for p in &s.fault_p {
            if self.fault_rng.random::<f64>() < *p {
                end = HostEnd::Fault;
            }
        }
        for h in std::iter::once(s.hosts[pos]).chain(s.runs_on) {
            if let Some(&at) = self.down.get(&h)
                && at < end_at
            {
                end_at = at.max(self.now);
                end = HostEnd::Down(h);
            }
        }
        self.note_in_flight(i, pos, end_at);
        let host = self.steps[i].hosts[pos];
        self.host_spans.push((i, host, self.now, end_at, false));
        self.seq += 1;
        self.queue.push(Reverse((end_at, self.seq, i, pos, end)));
    }

    /// The capabilities a host's part of a step takes down while it runs (a restart).
    fn note_in_flight(&mut self, i: usize, pos: usize, end_at: u64) {
        let step = &self.plan.steps[i];
        let host = self.steps[i].hosts[pos];
        let Ok(Some(during)) =
            in_flight(self.twin.rules(), self.twin.state(), &step.action, &[host])
        else {
            return;
        };
        let caps = CapabilitySet::of(&stackhop_model::View::of(self.twin.rules(), &during));
        for c in &mut self.caps {
            if !caps.is_up(c.name) && end_at > self.now {
                c.in_flight.push((self.now, end_at, step.phase.clone()));
            }
        }
    }

    fn finish_step(&mut self, i: usize) {
        self.steps[i].end = Some(self.now);
        if self.schedule.stage(i) == StepStage::Failed {
            return;
        }
        let ready = self.schedule.complete(i);
        if self.schedule.is_halted() {
            return;
        }
        for d in ready {
            self.start_step(d);
        }
    }

    fn fail(&mut self, i: usize, host: u32, reason: String) {
        self.schedule.fail(i);
        self.failures.push(Failure {
            step: self.plan.steps[i].id.clone(),
            host: self.twin.host_name(host).unwrap_or("?").to_owned(),
            at_s: secs(self.now),
            reason,
        });
    }

    /// Checks capabilities and invariants in the current state, as of time `now`.
    fn observe(&mut self, now: u64, phase: &str, step: &str) {
        let view = self.twin.view();
        let caps = CapabilitySet::of(&view);
        for c in &mut self.caps {
            let up = caps.is_up(c.name);
            if c.up && !up {
                c.since = now;
                c.phase = phase.to_owned();
            } else if !c.up && up {
                c.windows.push((c.since, now, std::mem::take(&mut c.phase)));
                c.down_ms += now - c.since;
            }
            c.up = up;
        }
        for v in check_invariants(&view) {
            let observation = |v: &stackhop_model::Violation| Observation {
                invariant: v.invariant.clone(),
                message: v.message.clone(),
                at_s: secs(now),
                step: step.to_owned(),
            };
            match v.class {
                Class::Hard => {
                    if self
                        .hard_seen
                        .insert((v.invariant.clone(), v.message.clone()))
                    {
                        self.hard.push(observation(&v));
                    }
                }
                Class::Degraded => {
                    if self.degraded_seen.insert(v.invariant.clone()) {
                        self.degraded.push(observation(&v));
                    }
                }
            }
        }
    }

    fn report(mut self, options: &SimOptions) -> SimReport {
        let end = self.now;
        let capabilities = Named(
            self.caps
                .iter_mut()
                .map(|c| {
                    let down_at_end = !c.up;
                    if down_at_end {
                        c.windows.push((c.since, end, std::mem::take(&mut c.phase)));
                        c.down_ms += end - c.since;
                    }
                    if !c.in_flight.is_empty() {
                        c.windows.append(&mut c.in_flight);
                        c.windows = merged(std::mem::take(&mut c.windows));
                        c.down_ms = c.windows.iter().map(|(s, e, _)| e - s).sum();
                    }
                    let downtime_s = secs(c.down_ms);
                    let failed = c.rate * c.down_ms as f64 / 60_000.0;
                    let report = CapabilityReport {
                        downtime_s,
                        failed_requests: failed.round() as u64,
                        windows: c
                            .windows
                            .iter()
                            .map(|(s, e, p)| Window {
                                start_s: secs(*s),
                                end_s: secs(*e),
                                phase: p.clone(),
                            })
                            .collect(),
                        rate_per_min: c.rate,
                        down_at_end,
                    };
                    (c.name.to_owned(), report)
                })
                .collect(),
        );
        let plan = self.plan;
        let mut phases: Vec<(u64, usize, PhaseSpan)> = Vec::new();
        for &i in &self.started {
            let s = &self.steps[i];
            let (Some(start), Some(stop)) = (s.start, s.end) else {
                continue;
            };
            let name = &plan.steps[i].phase;
            match phases.iter_mut().find(|(_, _, p)| p.name == *name) {
                Some((first, _, p)) => {
                    *first = (*first).min(start);
                    p.start_s = secs(*first);
                    p.end_s = p.end_s.max(secs(stop));
                }
                None => phases.push((
                    start,
                    i,
                    PhaseSpan {
                        name: name.clone(),
                        start_s: secs(start),
                        end_s: secs(stop),
                    },
                )),
            }
        }
        phases.sort_by_key(|(start, i, _)| (*start, *i));
        let steps = self
            .started
            .iter()
            .map(|&i| {
                let s = &self.steps[i];
                StepSpan {
                    id: plan.steps[i].id.clone(),
                    phase: plan.steps[i].phase.clone(),
                    start_s: secs(s.start.unwrap_or(0)),
                    end_s: secs(s.end.unwrap_or(end)),
                    state: if self.schedule.stage(i) == StepStage::Failed {
                        StepState::Failed
                    } else {
                        StepState::Completed
                    },
                }
            })
            .collect();
        let remaining_steps: Vec<String> = self
            .steps
            .iter()
            .zip(&plan.steps)
            .filter(|(s, _)| s.start.is_none())
            .map(|(_, p)| p.id.clone())
            .collect();
        let stopped = !self.failures.is_empty() || !remaining_steps.is_empty();
        let mut extra: Vec<&str> = plan
            .steps
            .iter()
            .filter(|s| matches!(s.action, Action::ProvisionHost { .. }))
            .flat_map(|s| s.hosts.iter().map(String::as_str))
            .collect();
        extra.sort_unstable();
        extra.dedup();
        let outcome = Outcome {
            state: if stopped {
                RunState::Stopped
            } else {
                RunState::Completed
            },
            failed_step: self.failures.first().map(|f| f.step.clone()),
            remaining_steps,
            stopped_state_safe: self.twin.is_safe(),
            failures: std::mem::take(&mut self.failures),
            goal_reached: self.twin.unmet_goals().is_empty(),
        };
        SimReport {
            schema: SIMULATE_SCHEMA,
            scenario: plan.scenario,
            seed: options.seed,
            makespan_s: secs(end),
            instances_disrupted: self.twin.instances_disrupted(),
            instances_recreated: self.twin.instances_recreated(),
            extra_hosts: extra.len(),
            manual_steps: plan.steps.iter().filter(|s| s.manual).count(),
            capabilities,
            phases: phases.into_iter().map(|(_, _, p)| p).collect(),
            outcome,
            cloud: plan.cloud.clone(),
            jitter: self.jitter.half_width(),
            estimate_s: plan.estimate_s,
            workload: Named(
                self.caps
                    .iter()
                    .map(|c| (c.name.to_owned(), c.rate))
                    .collect(),
            ),
            faults: options.faults.clone(),
            degraded: self.degraded,
            hard_violations: self.hard,
            steps,
            hosts: self
                .host_spans
                .iter()
                .map(|&(i, host, start, end, failed)| HostSpan {
                    step: plan.steps[i].id.clone(),
                    host: self.twin.host_name(host).unwrap_or("?").to_owned(),
                    start_s: secs(start),
                    end_s: secs(end),
                    state: if failed {
                        StepState::Failed
                    } else {
                        StepState::Completed
                    },
                })
                .collect(),
            applied: self
                .applied
                .iter()
                .map(|&(i, host)| {
                    (
                        plan.steps[i].id.clone(),
                        self.twin.host_name(host).unwrap_or("?").to_owned(),
                    )
                })
                .collect(),
        }
    }
}
