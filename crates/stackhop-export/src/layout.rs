//! The plan's steps as Ansible plays: which steps a play carries, on which hosts, and where
//! batches of hosts become one play with `serial:`.
//!
//! The steps run in one topological order of the plan (every `after` kept). That order is cut
//! into plays:
//!
//! - **Rolling plays.** A run of consecutive steps of one phase on one host set is a *segment*.
//!   Segments B1, B2, … Bn (n ≥ 2) of one phase are the batches of one rolling play when they
//!   carry the same steps (action, commands, where they run, manual or not, in the same order),
//!   their host sets are pairwise disjoint, and everything from B1's first step to Bn's last is a
//!   chain (each step waits, directly or not, for the one before it). Between two batches there
//!   may be *interludes*: steps of the phase on one host each (the canary's boot check on the
//!   controller), run once after their batch only. The play's hosts are the batches' hosts in
//!   order and `serial:` gives the batch sizes, so Ansible carries out one batch's steps on all
//!   its hosts before the next batch starts: what the chain asks. Nothing here reads step ids.
//! - **Step plays.** The other steps go, in order, into plays of one phase each. A play runs on
//!   one host set: a step on exactly those hosts runs on each of them; a step on a single other
//!   host runs once, delegated to that host; any other step starts a new play.

use stackhop_plan::{Plan, Step};

use crate::dag::Dag;

/// How a step's tasks run in a step play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// On every host of the play (each is a host of the step).
    EachHost,
    /// Once, delegated to the step's only host.
    Once(String),
}

#[derive(Debug)]
pub(crate) struct StepPlay {
    pub(crate) phase: String,
    pub(crate) hosts: Vec<String>,
    pub(crate) steps: Vec<(usize, Placement)>,
}

#[derive(Debug)]
pub(crate) struct RollingPlay {
    pub(crate) phase: String,
    /// Per batch, its steps, position by position the same steps.
    pub(crate) batches: Vec<Vec<usize>>,
    /// Steps run once after batch `.0` (an index into `batches`), on their only host.
    pub(crate) interludes: Vec<(usize, usize)>,
}

impl RollingPlay {
    pub(crate) fn hosts<'p>(&self, plan: &'p Plan) -> Vec<&'p [String]> {
        self.batches
            .iter()
            .map(|b| plan.steps[b[0]].hosts.as_slice())
            .collect()
    }
}

#[derive(Debug)]
pub(crate) enum Play {
    Steps(StepPlay),
    Rolling(RollingPlay),
}

/// A segment: positions `start..end` of the order, steps of one phase on one host set.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: usize,
    end: usize,
}

pub(crate) fn plays(plan: &Plan, dag: &Dag) -> Vec<Play> {
    let order = &dag.order;
    let step = |pos: usize| &plan.steps[order[pos]];
    let mut segments: Vec<Segment> = Vec::new();
    for pos in 0..order.len() {
        match segments.last_mut() {
            Some(seg)
                if step(seg.start).phase == step(pos).phase
                    && step(seg.start).hosts == step(pos).hosts =>
            {
                seg.end = pos + 1;
            }
            _ => segments.push(Segment {
                start: pos,
                end: pos + 1,
            }),
        }
    }

    let mut out = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    let mut s = 0;
    while s < segments.len() {
        if let Some((rolling, used)) = rolling_from(plan, dag, &segments, s) {
            step_plays(plan, &pending, &mut out);
            pending.clear();
            out.push(Play::Rolling(rolling));
            s += used;
        } else {
            pending.extend_from_slice(&dag.order[segments[s].start..segments[s].end]);
            s += 1;
        }
    }
    step_plays(plan, &pending, &mut out);
    out
}

/// Whether two steps are the same step for another batch.
fn same_step(a: &Step, b: &Step) -> bool {
    a.phase == b.phase
        && a.action == b.action
        && a.commands == b.commands
        && a.runs_on == b.runs_on
        && a.manual == b.manual
}

/// A step that can run once, delegated to its only host.
fn runs_once(step: &Step) -> bool {
    step.hosts.len() == 1 && step.runs_on.as_ref().is_none_or(|on| on == &step.hosts[0])
}

/// The rolling play whose first batch is `segments[first]`, and how many segments it takes
/// (its batches and the interludes between them; interludes after the last batch are not its).
fn rolling_from(
    plan: &Plan,
    dag: &Dag,
    segments: &[Segment],
    first: usize,
) -> Option<(RollingPlay, usize)> {
    let steps_of = |seg: &Segment| &dag.order[seg.start..seg.end];
    let head = steps_of(&segments[first]);
    if !is_chain(dag, head) {
        return None;
    }
    let phase = &plan.steps[head[0]].phase;
    let mut batches = vec![head.to_vec()];
    let mut taken: Vec<&String> = plan.steps[head[0]].hosts.iter().collect();
    let mut interludes = Vec::new();
    let mut waiting: Vec<usize> = Vec::new();
    let mut last_batch = first;
    let mut last = *head.last()?;
    for (k, seg) in segments.iter().enumerate().skip(first + 1) {
        let steps = steps_of(seg);
        let lead = &plan.steps[steps[0]];
        if &lead.phase != phase || !dag.precedes(last, steps[0]) || !is_chain(dag, steps) {
            break;
        }
        let is_batch = steps.len() == head.len()
            && steps
                .iter()
                .zip(head)
                .all(|(&a, &b)| same_step(&plan.steps[a], &plan.steps[b]))
            && lead.hosts.iter().all(|h| !taken.contains(&h));
        if is_batch {
            taken.extend(lead.hosts.iter());
            let after = batches.len() - 1;
            interludes.extend(waiting.drain(..).map(|s| (after, s)));
            batches.push(steps.to_vec());
            last_batch = k;
        } else if steps.iter().all(|&s| runs_once(&plan.steps[s])) {
            waiting.extend_from_slice(steps);
        } else {
            break;
        }
        last = *steps.last()?;
    }
    (batches.len() >= 2).then(|| {
        let play = RollingPlay {
            phase: phase.clone(),
            batches,
            interludes,
        };
        (play, last_batch - first + 1)
    })
}

/// Whether each step waits for the one before it.
fn is_chain(dag: &Dag, steps: &[usize]) -> bool {
    steps.windows(2).all(|w| dag.precedes(w[0], w[1]))
}

/// Cuts steps that follow each other in the order into step plays (see the module's doc).
fn step_plays(plan: &Plan, steps: &[usize], out: &mut Vec<Play>) {
    let mut current: Option<(Vec<usize>, Option<&[String]>)> = None;
    for &i in steps {
        let step = &plan.steps[i];
        // The host set a step that must run on each of its hosts imposes on its play.
        let imposes = (!runs_once(step)).then_some(step.hosts.as_slice());
        let fits = current.as_ref().is_some_and(|(members, hosts)| {
            plan.steps[members[0]].phase == step.phase
                && match (hosts, imposes) {
                    (Some(h), Some(s)) => *h == s,
                    _ => true,
                }
        });
        if fits {
            if let Some((members, hosts)) = current.as_mut() {
                members.push(i);
                if hosts.is_none() {
                    *hosts = imposes;
                }
            }
        } else {
            if let Some((members, hosts)) = current.take() {
                out.push(Play::Steps(step_play(plan, members, hosts)));
            }
            current = Some((vec![i], imposes));
        }
    }
    if let Some((members, hosts)) = current {
        out.push(Play::Steps(step_play(plan, members, hosts)));
    }
}

fn step_play(plan: &Plan, members: Vec<usize>, hosts: Option<&[String]>) -> StepPlay {
    let phase = plan.steps[members[0]].phase.clone();
    let hosts = hosts.unwrap_or(&plan.steps[members[0]].hosts).to_vec();
    let steps = members
        .into_iter()
        .map(|i| {
            let step = &plan.steps[i];
            let placement = if step.hosts == hosts {
                Placement::EachHost
            } else {
                Placement::Once(step.hosts[0].clone())
            };
            (i, placement)
        })
        .collect();
    StepPlay {
        phase,
        hosts,
        steps,
    }
}
