/// Where a step's commands run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunsOn {
    /// On each host of the step; `{host}` in a command is that host.
    EachHost,
    /// On a controller with admin credentials, once per host of the step (`{host}` is the host
    /// being acted on).
    Controller,
}

/// An action's commands for one packaging profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub commands: Vec<String>,
    pub runs_on: RunsOn,
    /// Needs a person (hardware, tenants' consent); the executor waits for confirmation.
    pub manual: bool,
}

impl Rendered {
    pub fn each(commands: Vec<String>) -> Self {
        Rendered {
            commands,
            runs_on: RunsOn::EachHost,
            manual: false,
        }
    }

    pub fn controller(commands: Vec<String>) -> Self {
        Rendered {
            commands,
            runs_on: RunsOn::Controller,
            manual: false,
        }
    }

    pub fn manual(mut self) -> Self {
        self.manual = true;
        self
    }
}
