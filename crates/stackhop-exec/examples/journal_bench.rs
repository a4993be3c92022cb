//! Journal throughput and executor overhead.
//!
//! ```text
//! cargo run --release -p stackhop-exec --example journal_bench
//! ```
//!
//! 1. Journal throughput in step records per second, a record being one attempt: its intent
//!    committed, then its result committed (`synchronous=FULL`, so each commit waits for the
//!    disk). Once with one job at a time (every commit its own fsync), once with 64 jobs at once
//!    (the writer's group commit shares an fsync among everything queued).
//! 2. The executor's overhead on the instant `sim` target (no simulated time passes in real
//!    time, so the wall time is all overhead: scheduling, the transition function, the journal)
//!    for the live-compute plan of the `large` example (2,000 computes) and of the same cloud
//!    with 200 computes: wall time per step and per host job, and the ratio between the two.
//!
//! Figures depend on the disk's fsync latency; the ratios are what to compare across machines.
//! No test asserts any of them.

use std::sync::Arc;
use std::time::Instant;

use stackhop_catalog::Scenario;
use stackhop_exec::{
    AttemptState, Event, ExecOptions, Journal, NewRun, Op, RunNotes, RunState, Session,
    StopRequest, TargetKind, execute,
};
use stackhop_plan::Plan;
use tokio::sync::{mpsc, watch};

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    println!("journal throughput (WAL, synchronous=FULL, one record = intent + result)");
    let sequential = runtime.block_on(journal_records(&dir.path().join("seq.db"), 1, 300));
    println!(
        "  one job at a time:        {:>6} records in {:>6.2} s = {:>7.0} records/s",
        sequential.0,
        sequential.1,
        sequential.0 as f64 / sequential.1
    );
    let grouped = runtime.block_on(journal_records(&dir.path().join("group.db"), 64, 150));
    println!(
        "  64 jobs at once:          {:>6} records in {:>6.2} s = {:>7.0} records/s",
        grouped.0,
        grouped.1,
        grouped.0 as f64 / grouped.1
    );

    println!();
    println!("executor overhead, instant sim target, live-compute");
    let large = stackhop_inventory::examples::source("large").expect("large example");
    let small = large
        .replace("cmp[0001:0800]", "cmp[0001:0080]")
        .replace("cmp[0801:1600]", "cmp[0081:0160]")
        .replace("cmp[1601:2000]", "cmp[0161:0200]");
    let mut rows = Vec::new();
    for (label, source) in [("200 computes", small.as_str()), ("2,000 computes", large)] {
        let plan = make_plan(source);
        let steps = plan.steps.len();
        let jobs: usize = plan.steps.iter().map(|s| s.hosts.len()).sum();
        let journal = dir.path().join(format!("{}.db", rows.len()));
        let started = Instant::now();
        let session = Session::start(&journal, plan, TargetKind::Sim, 0, &RunNotes::default())
            .expect("start");
        let report = runtime.block_on(run(session));
        let wall = started.elapsed().as_secs_f64();
        assert_eq!(report, RunState::Succeeded);
        println!(
            "  {label:<15} {steps:>4} steps {jobs:>6} host jobs  wall {wall:>6.2} s  \
             {:>7.2} ms/step  {:>6.3} ms/host job",
            wall * 1000.0 / steps as f64,
            wall * 1000.0 / jobs as f64
        );
        rows.push((steps, jobs, wall));
    }
    let (s1, j1, w1) = rows[0];
    let (s2, j2, w2) = rows[1];
    println!(
        "  2,000 vs 200: wall x{:.1} for x{:.1} host jobs (x{:.2} steps); per-step overhead \
         x{:.1}, per-host-job overhead x{:.2}",
        w2 / w1,
        j2 as f64 / j1 as f64,
        s2 as f64 / s1 as f64,
        (w2 / s2 as f64) / (w1 / s1 as f64),
        (w2 / j2 as f64) / (w1 / j1 as f64),
    );
}

fn make_plan(source: &str) -> Plan {
    let inventory = stackhop_inventory::parse(source, "bench", &stackhop_catalog::vocabulary())
        .expect("inventory");
    let transition =
        stackhop_catalog::find(&inventory.release, &inventory.profile).expect("transition");
    stackhop_plan::make_plan(
        transition,
        &inventory,
        "bench",
        source,
        Scenario::LiveCompute,
    )
    .expect("plan")
}

async fn run(session: Session) -> RunState {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (_stop, stop_rx) = watch::channel(StopRequest::None);
    let drain = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            if let Event::Confirm(c) = event {
                let _ = c.reply.send(true);
            }
        }
    });
    let report = execute(session, ExecOptions::default(), tx, stop_rx)
        .await
        .expect("execute");
    let _ = drain.await;
    report.state
}

/// `jobs` tasks each write `per_job` records (intent, wait, result, wait). Answers the record
/// count and the seconds taken.
async fn journal_records(path: &std::path::Path, jobs: usize, per_job: usize) -> (usize, f64) {
    let mut journal = Journal::open(path, stackhop_exec::Access::Create).expect("journal");
    let run_id = journal
        .insert_run(&NewRun {
            plan_json: "{}",
            plan_digest: "bench",
            plan_sha256: "bench",
            inventory_digest: "bench",
            scenario: "bench",
            target: "sim",
            max_fail: 0,
            holder: "bench",
            cloud_json: None,
            notes: &RunNotes::default(),
        })
        .expect("run");
    let writer = journal.into_writer();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for job in 0..jobs {
        let handle = writer.handle();
        tasks.push(tokio::spawn(async move {
            let step: Arc<str> = Arc::from(format!("step-{job}").as_str());
            for i in 0..per_job {
                let id = handle
                    .submit(Op::Start {
                        run_id,
                        step: step.clone(),
                        host: Arc::from(format!("host-{i}").as_str()),
                        attempt: 1,
                        idempotent: true,
                        virtual_ms: None,
                    })
                    .wait()
                    .await
                    .expect("intent");
                handle
                    .submit(Op::Finish {
                        id,
                        state: AttemptState::Succeeded,
                        exit_code: Some(0),
                        output_tail: "ok".to_owned(),
                        virtual_ms: None,
                        cloud: None,
                    })
                    .wait()
                    .await
                    .expect("result");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let seconds = started.elapsed().as_secs_f64();
    let _ = tokio::task::spawn_blocking(move || writer.close()).await;
    (jobs * per_job, seconds)
}
