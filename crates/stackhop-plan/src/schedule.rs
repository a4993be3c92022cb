//! The one scheduler of a run, pure: which step may start, which host of a running step may be
//! launched, and that after a failure (or a stop) no new step starts. The twin's event loop and
//! the executor's dispatcher both drive it, so the twin stops as the executor does by
//! construction, not by a promise.

use std::collections::{BTreeSet, VecDeque};

use crate::graph::{StepGraph, StepIx};

/// Where a step stands in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStage {
    /// Some step it waits for is not done, or it has not been started.
    Waiting,
    /// Started: hosts are queued or in flight.
    Running,
    Done,
    /// A host failed beyond what the run tolerates.
    Failed,
    /// Must not run (see the executor's left-out hosts); what runs of it finishes.
    Blocked,
}

/// Ready set, per-step fan-out and a cap on hosts in flight over all steps.
#[derive(Debug, Clone)]
pub struct Scheduler {
    stage: Vec<StepStage>,
    /// Dependencies not done yet.
    waiting: Vec<usize>,
    dependents: Vec<Vec<usize>>,
    /// Host positions (in the step's `hosts`) still to launch, in order.
    queue: Vec<VecDeque<usize>>,
    in_flight: Vec<usize>,
    /// Hosts launched by this scheduler (the first `fanout` form a step's first wave).
    launched: Vec<usize>,
    fanout: Vec<usize>,
    /// Steps that may start: waiting, every dependency done.
    ready: BTreeSet<usize>,
    total_in_flight: usize,
    max_in_flight: usize,
    halted: bool,
    /// Blocked while running: becomes `Blocked` once its hosts in flight have finished.
    blocking: Vec<bool>,
}

impl Scheduler {
    /// A scheduler for a plan's graph; `fanout[i]` hosts of step `i` run at once at most, and
    /// `max_in_flight` hosts over all steps.
    pub fn new(graph: &StepGraph, fanout: Vec<usize>, max_in_flight: usize) -> Scheduler {
        let n = graph.len();
        let waiting: Vec<usize> = (0..n).map(|i| graph.deps(StepIx(i)).len()).collect();
        let dependents = (0..n)
            .map(|i| {
                graph
                    .dependents(StepIx(i))
                    .iter()
                    .map(|d| d.get())
                    .collect()
            })
            .collect();
        let ready = (0..n).filter(|&i| waiting[i] == 0).collect();
        Scheduler {
            stage: vec![StepStage::Waiting; n],
            waiting,
            dependents,
            queue: vec![VecDeque::new(); n],
            in_flight: vec![0; n],
            launched: vec![0; n],
            fanout: fanout.into_iter().map(|f| f.max(1)).collect(),
            ready,
            total_in_flight: 0,
            max_in_flight: max_in_flight.max(1),
            halted: false,
            blocking: vec![false; n],
        }
    }

    pub fn stage(&self, step: usize) -> StepStage {
        self.stage[step]
    }

    /// How many steps are in `stage`.
    pub fn count(&self, stage: StepStage) -> usize {
        self.stage.iter().filter(|s| **s == stage).count()
    }

    /// Hosts in flight over all steps.
    pub fn in_flight(&self) -> usize {
        self.total_in_flight
    }

    pub fn step_in_flight(&self, step: usize) -> usize {
        self.in_flight[step]
    }

    /// Start no new step: a step failed, or the operator asked to stop.
    pub fn halt(&mut self) {
        self.halted = true;
    }

    pub fn is_halted(&self) -> bool {
        self.halted
    }

    /// The steps that may start now, in plan order; none once halted.
    pub fn ready(&self) -> Vec<usize> {
        if self.halted {
            return Vec::new();
        }
        self.ready.iter().copied().collect()
    }

    /// Starts a step with these host positions to launch, in order.
    pub fn start(&mut self, step: usize, hosts: impl IntoIterator<Item = usize>) {
        self.ready.remove(&step);
        self.stage[step] = StepStage::Running;
        self.queue[step].extend(hosts);
    }

    /// The next host of a running step to launch, if its fan-out and the cap allow: its
    /// position, and whether it is of the step's first wave.
    pub fn launch(&mut self, step: usize) -> Option<(usize, bool)> {
        if self.stage[step] != StepStage::Running
            || self.in_flight[step] >= self.fanout[step]
            || self.total_in_flight >= self.max_in_flight
        {
            return None;
        }
        let pos = self.queue[step].pop_front()?;
        let first_wave = self.launched[step] < self.fanout[step];
        self.launched[step] += 1;
        self.in_flight[step] += 1;
        self.total_in_flight += 1;
        Some((pos, first_wave))
    }

    /// A launched host of the step has finished (however it ended).
    pub fn finished(&mut self, step: usize) {
        self.in_flight[step] = self.in_flight[step].saturating_sub(1);
        self.total_in_flight = self.total_in_flight.saturating_sub(1);
        if self.blocking[step] && self.in_flight[step] == 0 {
            self.stage[step] = StepStage::Blocked;
        }
    }

    /// Every host of a running step was launched and has finished.
    pub fn settled(&self, step: usize) -> bool {
        self.in_flight[step] == 0 && self.queue[step].is_empty()
    }

    /// The step failed: it launches no more hosts and no new step starts.
    pub fn fail(&mut self, step: usize) {
        self.stage[step] = StepStage::Failed;
        self.queue[step].clear();
        self.halted = true;
    }

    /// The step must not run: a waiting one never starts; a running one launches no more hosts
    /// and is blocked once those in flight finish. Its dependents never become ready.
    pub fn block(&mut self, step: usize) {
        self.ready.remove(&step);
        match self.stage[step] {
            StepStage::Waiting => self.stage[step] = StepStage::Blocked,
            StepStage::Running => {
                self.queue[step].clear();
                self.blocking[step] = true;
                if self.in_flight[step] == 0 {
                    self.stage[step] = StepStage::Blocked;
                }
            }
            StepStage::Done | StepStage::Failed | StepStage::Blocked => {}
        }
    }

    /// The step is done: its dependents whose every dependency is done now become ready (they
    /// are returned, in plan order).
    pub fn complete(&mut self, step: usize) -> Vec<usize> {
        self.ready.remove(&step);
        self.stage[step] = StepStage::Done;
        let mut now_ready = Vec::new();
        for &d in &self.dependents[step] {
            self.waiting[d] = self.waiting[d].saturating_sub(1);
            if self.waiting[d] == 0 && self.stage[d] == StepStage::Waiting {
                self.ready.insert(d);
                now_ready.push(d);
            }
        }
        now_ready.sort_unstable();
        now_ready
    }
}

#[cfg(test)]
mod tests {
    use super::{Scheduler, StepStage};
    use crate::graph::StepGraph;
    use crate::plan::{PLAN_SCHEMA, Plan, Step};

    fn plan(after: &[&[&str]]) -> Plan {
        let steps = after
            .iter()
            .enumerate()
            .map(|(i, a)| Step {
                id: format!("s{i}"),
                phase: "p".into(),
                action: stackhop_model::Action::DisableCompute {},
                hosts: vec!["h1".into(), "h2".into(), "h3".into()],
                after: a.iter().map(|x| (*x).to_owned()).collect(),
                commands: Vec::new(),
                runs_on: None,
                estimate_s: 1,
                reason: String::new(),
                manual: false,
            })
            .collect();
        Plan {
            schema: PLAN_SCHEMA.into(),
            scenario: stackhop_catalog::Scenario::AllAtOnce,
            transition: String::new(),
            catalog_version: String::new(),
            cloud: String::new(),
            digest: String::new(),
            estimate_s: 0,
            steps,
            inventory_file: String::new(),
            inventory_source: String::new(),
        }
    }

    #[test]
    fn steps_start_when_their_dependencies_are_done_and_hosts_respect_fanout() {
        // s0; s1 and s2 after s0; s3 after both.
        let p = plan(&[&[], &["s0"], &["s0"], &["s1", "s2"]]);
        let mut s = Scheduler::new(&StepGraph::of(&p), vec![2, 1, 3, 3], 4);
        assert_eq!(s.ready(), [0]);
        s.start(0, 0..3);
        assert_eq!(s.launch(0), Some((0, true)));
        assert_eq!(s.launch(0), Some((1, true)));
        assert_eq!(s.launch(0), None, "fan-out 2");
        s.finished(0);
        assert_eq!(
            s.launch(0),
            Some((2, false)),
            "the third host is not of the first wave"
        );
        s.finished(0);
        s.finished(0);
        assert!(s.settled(0));
        assert_eq!(s.complete(0), [1, 2]);
        s.start(1, 0..3);
        s.start(2, 0..3);
        let launched: Vec<_> = std::iter::from_fn(|| s.launch(1).or_else(|| s.launch(2))).collect();
        assert_eq!(
            launched.len(),
            4,
            "fan-out 1 + 3, under the cap of 4: {launched:?}"
        );
        assert_eq!(s.in_flight(), 4);
        assert_eq!(s.launch(2), None, "the cap of 4 over all steps");
    }

    #[test]
    fn a_failure_starts_no_new_step_and_running_ones_finish() {
        let p = plan(&[&[], &[], &["s0"], &["s1"]]);
        let mut s = Scheduler::new(&StepGraph::of(&p), vec![3; 4], 100);
        s.start(0, 0..3);
        s.start(1, 0..3);
        let a = s.launch(0);
        let b = s.launch(1);
        assert!(a.is_some() && b.is_some());
        s.fail(0);
        assert_eq!(s.stage(0), StepStage::Failed);
        assert_eq!(s.launch(0), None, "the failed step launches no more hosts");
        assert!(s.launch(1).is_some(), "a running step goes on");
        s.finished(1);
        s.finished(1);
        while s.launch(1).is_some() {}
        s.finished(1);
        assert!(s.settled(1));
        assert_eq!(s.complete(1), [3]);
        assert!(s.ready().is_empty(), "halted: s3 does not start");
    }

    #[test]
    fn a_blocked_step_never_starts_and_holds_its_dependents() {
        let p = plan(&[&[], &["s0"], &["s1"]]);
        let mut s = Scheduler::new(&StepGraph::of(&p), vec![3; 3], 100);
        s.block(1);
        s.start(0, 0..3);
        while s.launch(0).is_some() {}
        for _ in 0..3 {
            s.finished(0);
        }
        assert!(s.complete(0).is_empty());
        assert_eq!(s.stage(1), StepStage::Blocked);
        assert_eq!(s.stage(2), StepStage::Waiting);
        assert!(s.ready().is_empty());
    }
}
