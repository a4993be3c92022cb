//! A `sim` run's capability bands, from its journal: the twin's cloud is rebuilt by carrying
//! out every host that succeeded, in the order of the virtual clock, with the same transition
//! function the run used, and each capability's down windows are noted as the changes land
//! (what the run's own twin tracked while it ran, and `apply` summed up at its end).

use stackhop_model::CAPABILITIES;
use stackhop_report::{CapabilityBand, DownWindow, Span, failed_requests};
use stackhop_sim::Workload;

use crate::journal::AttemptState;
use crate::measured::Axis;
use crate::status::StatusReport;
use crate::world::World;

/// A capability's windows so far, and when the open one began and which phase began it.
struct Band {
    name: &'static str,
    windows: Vec<DownWindow>,
    down_since: Option<(i64, String)>,
}

impl Band {
    fn close(&mut self, at_ms: i64, axis: &Axis, rate: f64) {
        let Some((since, phase)) = self.down_since.take() else {
            return;
        };
        let span = Span::new(axis.seconds(since), axis.seconds(at_ms));
        // Down and up again at one instant of the virtual clock is no downtime.
        if span.length_s() > 0.0 {
            self.windows.push(DownWindow {
                span,
                phase,
                failed_requests: failed_requests(rate, span.length_s()),
            });
        }
    }
}

/// The bands of a `sim` run, in the contract's order of capabilities.
pub(crate) fn bands(report: &StatusReport, axis: &Axis) -> Vec<CapabilityBand> {
    let prepared = &report.prepared;
    let mut world = World::new(prepared, World::initial_state(prepared), 0);
    let mut bands: Vec<Band> = world
        .capabilities()
        .map(|(name, up)| Band {
            name,
            windows: Vec::new(),
            down_since: (!up).then(|| (0, String::new())),
        })
        .collect();
    let rates = Workload::defaults().resolve(prepared.transition, &prepared.inventory);
    let rate = |name: &str| {
        rates
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0.0, |(_, r)| *r)
    };
    let mut landed: Vec<(i64, usize, usize)> = report
        .attempts
        .iter()
        .filter(|a| a.state == AttemptState::Succeeded)
        .filter_map(|a| {
            let i = prepared.graph.index(&a.step)?.get();
            let pos = prepared.plan.steps[i]
                .hosts
                .iter()
                .position(|h| *h == a.host)?;
            Some((axis.attempt_ms(a).1, i, pos))
        })
        .collect();
    // Ties in plan order, so that the same journal gives the same bands.
    landed.sort_unstable();
    for (at_ms, i, pos) in landed {
        let step = &prepared.plan.steps[i];
        let Ok(changes) = world.apply(step, &step.hosts[pos], u64::try_from(at_ms).unwrap_or(0))
        else {
            // A host marked done by hand that the twin had not carried out: nothing to show.
            continue;
        };
        for change in changes {
            let Some(band) = bands.iter_mut().find(|b| b.name == change.capability) else {
                continue;
            };
            if change.up {
                band.close(at_ms, axis, rate(band.name));
            } else {
                band.down_since = Some((at_ms, step.phase.clone()));
            }
        }
    }
    bands.sort_by_key(|b| CAPABILITIES.iter().position(|c| *c == b.name));
    bands
        .into_iter()
        .map(|mut band| {
            let down_at_end = band.down_since.is_some();
            band.close(axis.last_ms, axis, rate(band.name));
            CapabilityBand {
                name: band.name.to_owned(),
                rate_per_min: rate(band.name),
                windows: band.windows,
                down_at_end,
            }
        })
        .collect()
}
