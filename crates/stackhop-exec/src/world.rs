//! The `sim` target's cloud: the twin from `stackhop-sim`, changed only through
//! `stackhop_model::apply` (the twin's `apply_host`), with the capabilities it offers watched on
//! the virtual clock after every change so the run can report the downtime it observed.

use stackhop_model::CloudState;
use stackhop_plan::Step;
pub(crate) use stackhop_report::Downtime;
use stackhop_sim::Twin;

use crate::prepared::PreparedPlan;

#[derive(Debug, Clone)]
struct CapTrack {
    name: &'static str,
    up: bool,
    since_ms: u64,
    down_ms: u64,
    windows: u32,
}

/// A change of capability a step caused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityChange {
    pub capability: &'static str,
    pub up: bool,
}

#[derive(Debug)]
pub(crate) struct World {
    twin: Twin,
    caps: Vec<CapTrack>,
}

impl World {
    /// The twin of the plan's cloud in `state`, its capabilities watched from `now_ms`.
    pub(crate) fn new(prepared: &PreparedPlan, state: CloudState, now_ms: u64) -> World {
        let fresh = Twin::new(prepared.transition, &prepared.inventory);
        let names = prepared
            .inventory
            .hosts
            .iter()
            .map(|h| h.name.clone())
            .collect();
        let twin = Twin::from_parts(fresh.rules().clone(), state, names);
        let caps = twin
            .capabilities()
            .available
            .into_iter()
            .map(|(name, up)| CapTrack {
                name,
                up,
                since_ms: now_ms,
                down_ms: 0,
                windows: u32::from(!up),
            })
            .collect();
        World { twin, caps }
    }

    /// The cloud as the inventory describes it, before any step.
    pub(crate) fn initial_state(prepared: &PreparedPlan) -> CloudState {
        Twin::new(prepared.transition, &prepared.inventory)
            .state()
            .clone()
    }

    pub(crate) fn state(&self) -> &CloudState {
        self.twin.state()
    }

    /// Carries out a step on one host at `now_ms`; on an error the cloud is unchanged and the
    /// message is what the step's command would have failed with.
    pub(crate) fn apply(
        &mut self,
        step: &Step,
        host: &str,
        now_ms: u64,
    ) -> Result<Vec<CapabilityChange>, String> {
        self.twin
            .apply_host(step, host)
            .map_err(|e| e.to_string())?;
        let now = self.twin.capabilities();
        let mut changes = Vec::new();
        for track in &mut self.caps {
            let up = now.is_up(track.name);
            if up == track.up {
                continue;
            }
            if !up {
                track.windows += 1;
            } else {
                track.down_ms += now_ms.saturating_sub(track.since_ms);
            }
            track.up = up;
            track.since_ms = now_ms;
            changes.push(CapabilityChange {
                capability: track.name,
                up,
            });
        }
        Ok(changes)
    }

    /// The probe for an in-doubt step that is not idempotent: does the host already show the
    /// step's effect, i.e. would carrying it out change nothing? Asks the transition function
    /// without changing the twin.
    pub(crate) fn shows_effect(&self, step: &Step, host: &str) -> bool {
        let Some(id) = self.twin.host_id(host) else {
            return false;
        };
        stackhop_model::apply(self.twin.rules(), self.twin.state(), &step.action, &[id])
            .is_ok_and(|next| &next == self.twin.state())
    }

    pub(crate) fn downtime(&self, end_ms: u64) -> Vec<Downtime> {
        self.caps
            .iter()
            .map(|t| Downtime {
                capability: t.name,
                down_ms: t.down_ms
                    + if t.up {
                        0
                    } else {
                        end_ms.saturating_sub(t.since_ms)
                    },
                windows: t.windows,
                down_at_end: !t.up,
            })
            .collect()
    }
}
