//! The exit codes of every command (README "Exit codes", design.md "Command line").

/// The command did its work and found nothing wrong.
pub(crate) const SUCCESS: u8 = 0;
/// The command worked and found a problem: error findings, a violated invariant, edited
/// commands, a failed run.
pub(crate) const PROBLEM: u8 = 1;
/// Bad input or usage, with a diagnostic pointing into the file where there is one.
pub(crate) const BAD_INPUT: u8 = 2;
/// The run or the proof could not continue: a locked journal, a stop, a state limit.
pub(crate) const CANNOT_CONTINUE: u8 = 3;
