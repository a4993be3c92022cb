use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The four upgrade strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    AllAtOnce,
    ServiceByService,
    ParallelCompute,
    LiveCompute,
}

impl Scenario {
    pub const ALL: [Scenario; 4] = [
        Scenario::AllAtOnce,
        Scenario::ServiceByService,
        Scenario::ParallelCompute,
        Scenario::LiveCompute,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::AllAtOnce => "all-at-once",
            Scenario::ServiceByService => "service-by-service",
            Scenario::ParallelCompute => "parallel-compute",
            Scenario::LiveCompute => "live-compute",
        }
    }

    /// Every host must share one base OS and release, because everything restarts together or
    /// project by project with no mixed Nova.
    pub fn is_offline(self) -> bool {
        matches!(self, Scenario::AllAtOnce | Scenario::ServiceByService)
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scenario {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "all-at-once" | "1" => Ok(Scenario::AllAtOnce),
            "service-by-service" | "2" => Ok(Scenario::ServiceByService),
            "parallel-compute" | "3" => Ok(Scenario::ParallelCompute),
            "live-compute" | "4" => Ok(Scenario::LiveCompute),
            other => Err(format!(
                "unknown scenario `{other}`; use all-at-once (1), service-by-service (2), \
                 parallel-compute (3) or live-compute (4)"
            )),
        }
    }
}
