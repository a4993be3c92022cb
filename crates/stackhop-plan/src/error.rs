use stackhop_catalog::Finding;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The pre-flight check found errors for this scenario.
    #[error("the {scenario} scenario cannot be planned for this cloud: {} error finding(s)", .findings.iter().filter(|f| f.severity == stackhop_catalog::Severity::Error).count())]
    Refused {
        scenario: String,
        findings: Vec<Finding>,
    },
    /// A saved plan is not valid JSON of the plan schema.
    #[error("{file}:{line}:{column}: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A saved plan's steps do not form a valid DAG over known hosts; `at` is the line and
    /// column of the offending value when it can be found in the text.
    #[error("{}: {message}", place(.file, *.at))]
    Shape {
        file: String,
        at: Option<(usize, usize)>,
        message: String,
    },
    /// A saved plan was changed after it was written: its digest is not that of its content.
    #[error(
        "{}: the plan's digest {recorded} is not the digest of its content ({content}): it was \
         changed after `stackhop plan` wrote it\n  help: make a new plan with `stackhop plan`, \
         or, if the edit is yours and meant, record it with `stackhop reseal {file}` \
         (verify and apply then check the edited plan as it is)",
        place(.file, *.at)
    )]
    Digest {
        file: String,
        at: Option<(usize, usize)>,
        recorded: String,
        content: String,
    },
}

/// `file:line:column`, or just `file` when the place is unknown.
fn place(file: &str, at: Option<(usize, usize)>) -> String {
    match at {
        Some((line, column)) => format!("{file}:{line}:{column}"),
        None => file.to_owned(),
    }
}
