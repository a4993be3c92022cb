//! Showing a run, for `apply` and `resume`: on a terminal, indicatif bars — the whole run, the
//! current phase, at most eight hosts in flight — with every log line printed through the bars
//! so they never tear; elsewhere one plain line per step start and end. Also the questions the
//! executor asks, Ctrl-C (once: finish running steps; twice: stop now), and the summary.

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use stackhop_exec::{
    Event, ExecOptions, RunState, Session, StepOutcome, StopRequest, execute, resume_command,
};
use tokio::sync::{mpsc, watch};

use crate::error::{CommandError, Outcome};
use crate::output::print;

/// Host bars shown at most, however many hosts are in flight.
const HOST_BARS: usize = 8;

/// Runs the session with progress shown, prints the summary, and says how the command ends:
/// 0 for a run that succeeded, 1 for one that failed, 3 for one that stopped before its end.
pub(crate) fn drive(session: Session, options: ExecOptions) -> Result<Outcome, CommandError> {
    let journal = session.journal_path();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::Exec(stackhop_exec::ExecError::Runtime(e)))?;
    let tty = std::io::stderr().is_terminal();
    let can_ask = tty && std::io::stdin().is_terminal();
    let result = runtime.block_on(async move {
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = watch::channel(StopRequest::None);
        let signals = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            let _ = stop_tx.send(StopRequest::Finish);
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            let _ = stop_tx.send(StopRequest::Now);
        });
        let ui = tokio::spawn(show(events_rx, tty, can_ask));
        let result = execute(session, options, events_tx, stop_rx).await;
        let _ = ui.await;
        signals.abort();
        result
    });
    // A question left unanswered holds a blocking read of standard input: do not wait for it.
    runtime.shutdown_background();
    let report = result.map_err(CommandError::Exec)?;
    print(&stackhop_report::run_summary_text(
        &report.summary(&journal),
    ))?;
    match report.state {
        RunState::Succeeded => Ok(Outcome::Success),
        RunState::Failed => Ok(Outcome::ProblemFound),
        RunState::Running | RunState::Interrupted => Err(CommandError::Interrupted {
            resume: resume_command(&journal),
        }),
    }
}

/// What the bars and lines need to remember.
struct Ui {
    tty: bool,
    can_ask: bool,
    mp: MultiProgress,
    overall: Option<ProgressBar>,
    phase_bar: Option<ProgressBar>,
    current_phase: Option<String>,
    phases: HashMap<String, (usize, usize)>,
    hosts: Vec<(usize, String, ProgressBar)>,
    step_ids: HashMap<usize, String>,
    steps_total: usize,
    steps_done: usize,
    sim: bool,
}

async fn show(mut events: mpsc::UnboundedReceiver<Event>, tty: bool, can_ask: bool) {
    let mp = MultiProgress::with_draw_target(if tty {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let mut ui = Ui {
        tty,
        can_ask,
        mp,
        overall: None,
        phase_bar: None,
        current_phase: None,
        phases: HashMap::new(),
        hosts: Vec::new(),
        step_ids: HashMap::new(),
        steps_total: 0,
        steps_done: 0,
        sim: false,
    };
    while let Some(event) = events.recv().await {
        ui.on(event).await;
    }
    for (_, _, bar) in ui.hosts.drain(..) {
        bar.finish_and_clear();
    }
    if let Some(bar) = &ui.phase_bar {
        bar.finish_and_clear();
    }
    if let Some(bar) = &ui.overall {
        bar.finish_and_clear();
    }
    let _ = ui.mp.clear();
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Ui {
    /// A log line: through the bars on a terminal, plain on standard error otherwise.
    fn line(&self, text: &str) {
        if self.tty {
            let _ = self.mp.println(text);
        } else {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{text}");
        }
    }

    fn counter(&self) -> String {
        let width = self.steps_total.to_string().len();
        format!(
            "[{:>width$}/{}]",
            self.steps_done,
            self.steps_total,
            width = width
        )
    }

    fn when(&self, at_ms: u64) -> String {
        if self.sim {
            format!("  at {}", stackhop_report::duration_ms(at_ms))
        } else {
            String::new()
        }
    }

    async fn on(&mut self, event: Event) {
        match event {
            Event::Started {
                run_id,
                resumed,
                target,
                steps,
                steps_done,
                host_jobs,
                host_jobs_done,
                phases,
            } => {
                self.sim = target == "sim";
                self.steps_total = steps;
                self.steps_done = steps_done;
                for p in &phases {
                    self.phases.insert(p.name.clone(), (p.steps, p.done));
                }
                let verb = if resumed { "resuming" } else { "starting" };
                self.line(&format!(
                    "{verb} run {run_id} on the {target} target: {steps} steps in {} phases, \
                     {host_jobs} host jobs ({host_jobs_done} already done); Ctrl-C once \
                     finishes the running steps and stops, twice stops now",
                    phases.len()
                ));
                if self.tty {
                    let overall = self.mp.add(ProgressBar::new(steps as u64));
                    overall.set_style(style(
                        "{spinner} {prefix:<24} [{bar:30}] {pos}/{len} steps  {elapsed}  {msg}",
                    ));
                    overall.set_prefix("upgrade");
                    overall.set_position(steps_done as u64);
                    overall.enable_steady_tick(Duration::from_millis(120));
                    let phase = self.mp.add(ProgressBar::new(1));
                    phase.set_style(style("  {prefix:<24} [{bar:30}] {pos}/{len} steps"));
                    self.overall = Some(overall);
                    self.phase_bar = Some(phase);
                }
            }
            Event::Note(text) => self.line(&format!("note: {text}")),
            Event::StepStarted {
                index,
                id,
                phase,
                hosts,
            } => {
                if self.tty {
                    if self.current_phase.as_deref() != Some(phase.as_str())
                        && let Some(bar) = &self.phase_bar
                    {
                        let (total, done) = self.phases.get(&phase).copied().unwrap_or((1, 0));
                        bar.set_length(total as u64);
                        bar.set_position(done as u64);
                        bar.set_prefix(format!("phase {phase}"));
                        self.current_phase = Some(phase.clone());
                    }
                } else {
                    self.line(&format!(
                        "{} start  {id} ({hosts} host{})",
                        self.counter(),
                        if hosts == 1 { "" } else { "s" }
                    ));
                }
                self.step_ids.insert(index, id);
            }
            Event::HostStarted { step, host, .. } => {
                if self.tty && self.hosts.len() < HOST_BARS {
                    let bar = self.mp.add(ProgressBar::new_spinner());
                    bar.set_style(style("    {spinner} {msg}"));
                    let id = self.step_ids.get(&step).cloned().unwrap_or_default();
                    bar.set_message(format!("{id} on {host}"));
                    bar.enable_steady_tick(Duration::from_millis(120));
                    self.hosts.push((step, host, bar));
                }
            }
            Event::HostFinished {
                step,
                host,
                ok,
                exit_code,
                detail,
            } => {
                if let Some(i) = self
                    .hosts
                    .iter()
                    .position(|(s, h, _)| *s == step && *h == host)
                {
                    let (_, _, bar) = self.hosts.remove(i);
                    bar.finish_and_clear();
                    self.mp.remove(&bar);
                }
                if !ok {
                    let id = self.step_ids.get(&step).cloned().unwrap_or_default();
                    let code = exit_code.map_or_else(String::new, |c| format!(" (exit {c})"));
                    self.line(&format!("  {id} failed on {host}{code}: {detail}"));
                }
            }
            Event::StepFinished {
                id,
                phase,
                outcome,
                at_ms,
                ..
            } => {
                let when = self.when(at_ms);
                let text = match &outcome {
                    StepOutcome::Succeeded => format!("done   {id}{when}"),
                    StepOutcome::Tolerated { failed_hosts } => format!(
                        "done   {id}{when}, failures tolerated on {}",
                        failed_hosts.join(", ")
                    ),
                    StepOutcome::Failed { host, .. } => format!("FAILED {id} on {host}{when}"),
                };
                if !matches!(outcome, StepOutcome::Failed { .. }) {
                    self.steps_done += 1;
                    if let Some(entry) = self.phases.get_mut(&phase) {
                        entry.1 += 1;
                    }
                }
                if self.tty {
                    if let Some(bar) = &self.overall {
                        bar.set_position(self.steps_done as u64);
                        if self.sim {
                            bar.set_message(format!(
                                "simulated {}",
                                stackhop_report::duration_ms(at_ms)
                            ));
                        }
                    }
                    if self.current_phase.as_deref() == Some(phase.as_str())
                        && let Some(bar) = &self.phase_bar
                        && let Some((_, done)) = self.phases.get(&phase)
                    {
                        bar.set_position(*done as u64);
                    }
                    if matches!(outcome, StepOutcome::Failed { .. }) {
                        self.line(&text);
                    }
                } else {
                    self.line(&format!("{} {text}", self.counter()));
                }
            }
            Event::Capability {
                change,
                step,
                host,
                at_ms,
            } => {
                let state = if change.up { "back up" } else { "down" };
                self.line(&format!(
                    "  {} {state}{} ({step} on {host})",
                    change.capability,
                    self.when(at_ms)
                ));
            }
            Event::Confirm(request) => {
                if !self.can_ask {
                    self.line(&format!(
                        "cannot ask without a terminal, taking it as no: {}",
                        request.question
                    ));
                    let _ = request.reply.send(false);
                    return;
                }
                let question = request.question.clone();
                let detail = request.detail.clone();
                // The bars stay away while the operator reads and answers.
                let _ = self.mp.clear();
                self.mp.set_draw_target(ProgressDrawTarget::hidden());
                {
                    let mut err = std::io::stderr().lock();
                    for d in &detail {
                        let _ = writeln!(err, "  {d}");
                    }
                    let _ = write!(err, "{question} [y/N] ");
                    let _ = err.flush();
                }
                let answer = tokio::task::spawn_blocking(|| {
                    let mut line = String::new();
                    let _ = std::io::stdin().lock().read_line(&mut line);
                    line
                })
                .await
                .unwrap_or_default();
                self.mp.set_draw_target(ProgressDrawTarget::stderr());
                let yes = matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes");
                let _ = request.reply.send(yes);
            }
            Event::Stopping { now, running_steps } => {
                if now {
                    self.line(
                        "stopping now: steps in flight stay in the journal, in doubt; `resume` \
                         settles them",
                    );
                } else {
                    self.line(&format!(
                        "stopping: starting nothing new, {running_steps} running step(s) \
                         finish; Ctrl-C again to stop now"
                    ));
                }
            }
        }
    }
}

/// Asks a yes/no question on the terminal (before a run starts).
pub(crate) fn ask(question: &str) -> bool {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    drop(err);
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
}
