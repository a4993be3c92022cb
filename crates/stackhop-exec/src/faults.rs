//! `--fault STEP[@HOST]`: hosts the `sim` target makes fail, for tests and rehearsals.

use stackhop_plan::Plan;
use stackhop_sim::glob_match;

use crate::error::ExecError;

/// A step glob and, optionally, a host glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FaultSpec {
    step: String,
    host: Option<String>,
}

impl FaultSpec {
    fn parse(text: &str) -> FaultSpec {
        match text.split_once('@') {
            Some((s, h)) => FaultSpec {
                step: s.to_owned(),
                host: Some(h.to_owned()),
            },
            None => FaultSpec {
                step: text.to_owned(),
                host: None,
            },
        }
    }

    pub(crate) fn matches(&self, step: &str, host: &str) -> bool {
        glob_match(&self.step, step) && self.host.as_deref().is_none_or(|h| glob_match(h, host))
    }
}

pub(crate) fn parse_faults(faults: &[String]) -> Vec<FaultSpec> {
    faults.iter().map(|f| FaultSpec::parse(f)).collect()
}

/// Refuses a `--fault` that would inject nothing: a typo must not pass for a clean run.
pub fn check_faults(plan: &Plan, faults: &[String]) -> Result<(), ExecError> {
    for text in faults {
        let spec = FaultSpec::parse(text);
        let hit = plan
            .steps
            .iter()
            .any(|s| s.hosts.iter().any(|h| spec.matches(&s.id, h)));
        if !hit {
            return Err(ExecError::UnmatchedFault(text.clone()));
        }
    }
    Ok(())
}
