//! Injected faults: a step that fails on a host with some probability, or a host that goes down.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::duration::{fmt_duration, parse_duration};

/// A fault to inject into a simulated run.
///
/// On the command line: `step:PATTERN[@PROBABILITY]` (probability 1 when left out), e.g.
/// `step:nova.sync` or `step:nova-computes.*.upgrade@0.05`; and `host:NAME@TIME`, e.g.
/// `host:cmp0001@2h`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// A step whose id matches `pattern` (exact, or a glob where `*` matches any run of
    /// characters) fails on each of its hosts with this probability.
    Step { pattern: String, probability: f64 },
    /// The host goes down at `at_s`: work on it (or run from it) that has not finished by then
    /// fails, at that time or as soon as it starts.
    HostDown { host: String, at_s: u64 },
}

impl Fault {
    /// The probability this fault makes a step fail on one host: 0 for other steps.
    pub(crate) fn step_probability(&self, step_id: &str) -> f64 {
        match self {
            Fault::Step {
                pattern,
                probability,
            } if glob_match(pattern, step_id) => probability.clamp(0.0, 1.0),
            _ => 0.0,
        }
    }
}

/// Refuses a step fault that matches no step of the plan: on the command line that is a typo,
/// and a rehearsal must not pass for one with a fault injected. (A library caller sweeping one
/// fault over many plans may skip this.)
pub fn check_faults(plan: &stackhop_plan::Plan, faults: &[Fault]) -> Result<(), crate::SimError> {
    for f in faults {
        if let Fault::Step { pattern, .. } = f
            && !plan.steps.iter().any(|s| glob_match(pattern, &s.id))
        {
            return Err(crate::SimError::UnmatchedFault(pattern.clone()));
        }
    }
    Ok(())
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Step {
                pattern,
                probability,
            } => write!(f, "step:{pattern}@{probability}"),
            Fault::HostDown { host, at_s } => write!(f, "host:{host}@{}", fmt_duration(*at_s)),
        }
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let usage = || {
            format!(
                "`{text}` is not a fault; use step:PATTERN[@PROBABILITY] (e.g. \
                 step:nova-computes.*.upgrade@0.05) or host:NAME@TIME (e.g. host:cmp0001@2h)"
            )
        };
        if let Some(rest) = text.strip_prefix("step:") {
            let (pattern, probability) = match rest.rsplit_once('@') {
                Some((p, prob)) => (p, prob.parse::<f64>().map_err(|_| usage())?),
                None => (rest, 1.0),
            };
            if pattern.is_empty() || !(0.0..=1.0).contains(&probability) {
                return Err(usage());
            }
            return Ok(Fault::Step {
                pattern: pattern.to_owned(),
                probability,
            });
        }
        if let Some(rest) = text.strip_prefix("host:") {
            let (host, at) = rest.rsplit_once('@').ok_or_else(usage)?;
            let at_s = parse_duration(at).ok_or_else(usage)?;
            if host.is_empty() {
                return Err(usage());
            }
            return Ok(Fault::HostDown {
                host: host.to_owned(),
                at_s,
            });
        }
        Err(usage())
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters (none included)
/// and every other character matches itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and the text position it has been tried against.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("nova.sync", "nova.sync"));
        assert!(!glob_match("nova.sync", "nova.sync.2"));
        assert!(glob_match("nova*", "nova.sync"));
        assert!(glob_match("*", ""));
        assert!(glob_match(
            "nova-computes.*.upgrade",
            "nova-computes.b01.upgrade"
        ));
        assert!(!glob_match(
            "nova-computes.*.upgrade",
            "nova-computes.b01.start"
        ));
        assert!(glob_match("*.upgrade*", "keystone.upgrade.ctl1"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
    }

    #[test]
    fn parses_the_command_line_forms() {
        assert_eq!(
            "step:nova.sync".parse(),
            Ok(Fault::Step {
                pattern: "nova.sync".into(),
                probability: 1.0
            })
        );
        assert_eq!(
            "step:nova-computes.*.upgrade@0.05".parse(),
            Ok(Fault::Step {
                pattern: "nova-computes.*.upgrade".into(),
                probability: 0.05
            })
        );
        assert_eq!(
            "host:cmp0001@2h".parse(),
            Ok(Fault::HostDown {
                host: "cmp0001".into(),
                at_s: 7200
            })
        );
        for bad in [
            "nova.sync",
            "step:",
            "step:x@2",
            "host:cmp1",
            "host:@5m",
            "host:a@soon",
        ] {
            assert!(bad.parse::<Fault>().is_err(), "{bad}");
        }
    }
}
