//! Running the binary and showing what it did.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The four scenarios, in the documents' order.
pub(crate) const SCENARIOS: [&str; 4] = [
    "all-at-once",
    "service-by-service",
    "parallel-compute",
    "live-compute",
];

/// A simulation of `medium` whose nova database sync fails: the run stops part way.
pub(crate) const MEDIUM_NOVA_SYNC_FAILS: [&str; 7] = [
    "simulate",
    "--example",
    "medium",
    "-s",
    "service-by-service",
    "--fault",
    "step:nova.sync",
];

/// Runs `stackhop COMMAND --example small -s SCENARIO` for each scenario, asserts the exit code
/// (`small` has no spare host, so its check refuses parallel-compute: 1; the others 0) and hands
/// each run to `check`, e.g. to hold it in a snapshot.
pub(crate) fn each_small_scenario(command: &str, mut check: impl FnMut(&str, &Run)) {
    for scenario in SCENARIOS {
        let run = stackhop([command, "--example", "small", "-s", scenario]);
        run.assert_code(if scenario == "parallel-compute" { 1 } else { 0 });
        check(scenario, &run);
    }
}

/// What one run of `stackhop` did.
pub(crate) struct Run {
    /// `None` when the process was killed by a signal (a crash).
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Exit code, standard output and standard error, for snapshots.
    pub(crate) fn report(&self) -> String {
        let code = self
            .code
            .map_or_else(|| "killed by a signal".to_owned(), |c| c.to_string());
        format!(
            "exit code: {code}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.stdout, self.stderr
        )
    }

    /// [`Run::report`] with the time `verify` measured replaced by `[elapsed]`: the one part
    /// of any output that changes from run to run.
    pub(crate) fn report_untimed(&self) -> String {
        let untimed: String = self
            .stdout
            .lines()
            .map(|line| match line.strip_prefix("time:") {
                Some(_) => "time:     [elapsed]\n".to_owned(),
                None => format!("{line}\n"),
            })
            .collect();
        Run {
            code: self.code,
            stdout: untimed,
            stderr: self.stderr.clone(),
        }
        .report()
    }

    /// Asserts the exit code, showing the whole run when it differs.
    #[track_caller]
    pub(crate) fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(self.code, Some(expected), "{}", self.report());
        self
    }
}

/// The crate directory: tests run there so fixture paths stay relative.
pub(crate) fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture file, relative to the crate directory.
pub(crate) fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

/// Runs `stackhop` with `args` in the crate directory, with empty standard input.
pub(crate) fn stackhop<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    stackhop_in(crate_dir(), args)
}

/// Runs `stackhop` with `args` in `dir`.
pub(crate) fn stackhop_in<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = assert_cmd::cargo::cargo_bin_cmd!("stackhop")
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .write_stdin("")
        .timeout(Duration::from_secs(120))
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => panic!("cannot run stackhop: {e}"),
    };
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Parses JSON output, failing the test with the output when it is not JSON.
#[track_caller]
pub(crate) fn json(run: &Run) -> serde_json::Value {
    match serde_json::from_str(&run.stdout) {
        Ok(value) => value,
        Err(e) => panic!("not JSON ({e}):\n{}", run.report()),
    }
}

/// A fresh temporary directory, removed when dropped.
pub(crate) fn temp_dir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => panic!("cannot create a temporary directory: {e}"),
    }
}

/// Writes `contents` to `dir/name` and returns the path.
pub(crate) fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Err(e) = std::fs::write(&path, contents) {
        panic!("cannot write {}: {e}", path.display());
    }
    path
}
