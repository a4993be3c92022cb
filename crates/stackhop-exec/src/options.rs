//! What the operator asks of a run: how to execute it, and stop requests while it goes.

/// What the operator asks the run to do while it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopRequest {
    /// Keep going.
    None,
    /// Start nothing new, let running steps finish (first Ctrl-C).
    Finish,
    /// Stop now (second Ctrl-C): jobs in flight are dropped, their intents stay in doubt.
    Now,
}

/// How to execute.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecOptions {
    /// `sim` only: virtual seconds per real second; `None` runs instantly on a virtual clock.
    pub speed: Option<f64>,
    /// Failed hosts a step tolerates (the run's own setting when resuming, unless given).
    pub max_fail: Option<u32>,
    /// Ask before each phase.
    pub confirm_phases: bool,
    /// `sim` only, for tests: `STEP` or `STEP@HOST` globs whose hosts fail.
    pub faults: Vec<String>,
    /// Seeds the duration jitter of a `--speed` run.
    pub seed: u64,
    /// Host jobs in flight at most, over all steps.
    pub max_in_flight: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            speed: None,
            max_fail: None,
            confirm_phases: false,
            faults: Vec::new(),
            seed: 0,
            max_in_flight: 256,
        }
    }
}
