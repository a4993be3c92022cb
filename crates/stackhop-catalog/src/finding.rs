use serde::Serialize;

/// How serious a finding is; the same scale as the inventory's diagnostics.
pub use stackhop_inventory::Severity;

/// One pre-flight result. `id` is stable across releases of stackhop so scripts can match on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    /// The host, service or setting the finding is about.
    pub subject: String,
    pub message: String,
    /// What the operator should do.
    pub help: String,
    /// Where the fact behind it comes from.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub source: String,
}

impl Finding {
    pub fn new(id: &str, severity: Severity, subject: impl Into<String>) -> Self {
        Finding {
            id: id.to_owned(),
            severity,
            subject: subject.into(),
            message: String::new(),
            help: String::new(),
            source: String::new(),
        }
    }

    pub fn message(mut self, text: impl Into<String>) -> Self {
        self.message = text.into();
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = text.into();
        self
    }

    pub fn source(mut self, text: impl Into<String>) -> Self {
        self.source = text.into();
        self
    }
}
