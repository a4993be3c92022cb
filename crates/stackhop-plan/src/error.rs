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
    /// A saved plan's steps do not form a valid DAG over known hosts.
    #[error("{file}: {message}")]
    Shape { file: String, message: String },
}
