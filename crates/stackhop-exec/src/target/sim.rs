//! `sim`: the host's estimated duration passes on the clock, then the step is carried out on the
//! twin and recorded with the cloud it produced, under the twin's lock so that the journal
//! receives the clouds in the order they were produced.

use std::sync::{Arc, Mutex};

use crate::clock::Busy;
use crate::faults::FaultSpec;
use crate::journal::Ack;
use crate::world::World;

use super::{Done, HostJob, JobCtx, Outcome, lock, record};

pub(super) async fn run(
    ctx: &JobCtx,
    world: &Mutex<World>,
    faults: &[FaultSpec],
    job: &HostJob,
    id: i64,
    busy: &mut Busy,
) -> (Done, Ack) {
    let step = &ctx.prepared.plan.steps[job.step];
    let host = step.hosts[job.pos].as_str();
    let estimate = ctx.prepared.steps[job.step].estimate;
    let seconds =
        (estimate.per_host_s + if job.first_wave { estimate.once_s } else { 0.0 }) * job.jitter;
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    ctx.clock.sleep(busy, ms).await;
    let at_ms = ctx.clock.now_ms();
    let injected = faults.iter().any(|f| f.matches(&step.id, host));
    let mut world = lock(world);
    let result = if injected {
        Err(format!("injected fault: {} fails on {host}", step.id))
    } else {
        world.apply(step, host, at_ms)
    };
    let outcome = match result {
        Ok(changes) => Outcome {
            ok: true,
            exit_code: Some(0),
            output: format!("{} on {host}: done", step.action.kind().as_str()),
            changes,
            cloud: Some(Arc::new(world.state().clone())),
            at_ms,
        },
        Err(message) => Outcome {
            ok: false,
            exit_code: Some(1),
            output: message,
            changes: Vec::new(),
            cloud: None,
            at_ms,
        },
    };
    record(ctx, job, id, outcome)
}
