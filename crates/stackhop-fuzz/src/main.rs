//! `stackhop-fuzz TARGET [--seconds N] [--seed N] [--out DIR]`: fuzzes `inventory` or `plan`
//! for N seconds (default 60) and prints the executions, panics and hangs. A panicking input is
//! written to `DIR/TARGET/panic-<hash>` (default `target/fuzz`); an input that runs longer than
//! five seconds is written to `DIR/TARGET/hang-<hash>` and ends the run, since a running call
//! cannot be interrupted. Exit 0 when nothing was found, 1 otherwise, 2 on a usage error.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use stackhop_fuzz::{Target, mutate, run, seeds};

/// An input slower than this is a hang.
const HANG: Duration = Duration::from_secs(5);
/// The corpus stops growing here, so a long run does not slow down.
const MAX_CORPUS: usize = 4096;

struct Args {
    target: Target,
    seconds: u64,
    seed: u64,
    out: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let name = it.next().ok_or("give a target: inventory or plan")?;
    let target = Target::from_name(&name).ok_or(format!("no target `{name}`"))?;
    let mut args = Args {
        target,
        seconds: 60,
        seed: 1,
        out: PathBuf::from("target/fuzz"),
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seconds" => args.seconds = value.parse().map_err(|_| "bad --seconds")?,
            "--seed" => args.seed = value.parse().map_err(|_| "bad --seed")?,
            "--out" => args.out = PathBuf::from(value),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

fn save(dir: &Path, kind: &str, input: &str) -> PathBuf {
    let mut h = DefaultHasher::new();
    input.hash(&mut h);
    let path = dir.join(format!("{kind}-{:016x}", h.finish()));
    let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, input));
    if let Err(e) = written {
        eprintln!("cannot write {}: {e}", path.display());
    }
    path
}

/// Watches the input under way: past [`HANG`], writes it out and ends the process.
fn watchdog(current: Arc<Mutex<String>>, started_ms: Arc<AtomicU64>, dir: PathBuf, epoch: Instant) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let since = started_ms.load(Ordering::Relaxed);
            let now = u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
            if since != u64::MAX && now.saturating_sub(since) > HANG.as_millis() as u64 {
                let input = current.lock().map(|s| s.clone()).unwrap_or_default();
                let path = save(&dir, "hang", &input);
                eprintln!(
                    "hang: an input ran longer than {HANG:?}: {}",
                    path.display()
                );
                std::process::exit(1);
            }
        }
    });
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "error: {e}\nusage: stackhop-fuzz inventory|plan [--seconds N] [--seed N] [--out DIR]"
            );
            return ExitCode::from(2);
        }
    };
    let dir = args.out.join(args.target.name());
    let json = args.target == Target::Plan;
    // Panics are counted and written out, not printed: the hook stays quiet.
    let panicking = Arc::new(AtomicBool::new(false));
    let flag = panicking.clone();
    std::panic::set_hook(Box::new(move |info| {
        flag.store(true, Ordering::Relaxed);
        eprintln!("panic: {info}");
    }));

    let epoch = Instant::now();
    let current = Arc::new(Mutex::new(String::new()));
    let started_ms = Arc::new(AtomicU64::new(u64::MAX));
    watchdog(current.clone(), started_ms.clone(), dir.clone(), epoch);

    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut corpus = seeds(args.target);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let (mut executions, mut panics, mut slowest) = (0u64, 0u64, Duration::ZERO);
    let deadline = Duration::from_secs(args.seconds);
    let mut next_input = 0usize;
    while epoch.elapsed() < deadline {
        // Every seed once, as it is, then mutants.
        let input = if next_input < corpus.len() && executions < corpus.len() as u64 {
            next_input += 1;
            corpus[next_input - 1].clone()
        } else {
            let parent = &corpus[rng.random_range(0..corpus.len())];
            mutate(&mut rng, parent, &corpus, json)
        };
        if let Ok(mut c) = current.lock() {
            c.clone_from(&input);
        }
        let start = Instant::now();
        started_ms.store(
            u64::try_from(epoch.elapsed().as_millis()).unwrap_or(0),
            Ordering::Relaxed,
        );
        let outcome = catch_unwind(AssertUnwindSafe(|| run(args.target, &input)));
        started_ms.store(u64::MAX, Ordering::Relaxed);
        slowest = slowest.max(start.elapsed());
        executions += 1;
        match outcome {
            Ok(features) => {
                let new = features
                    .into_iter()
                    .filter(|f| seen.insert(f.clone()))
                    .count();
                if new > 0 && corpus.len() < MAX_CORPUS {
                    corpus.push(input);
                }
            }
            Err(_) => {
                panics += 1;
                panicking.store(false, Ordering::Relaxed);
                let path = save(&dir, "panic", &input);
                eprintln!("  input written to {}", path.display());
            }
        }
    }
    println!(
        "{}: {executions} executions in {:.0?} ({:.0}/s), {panics} panics, 0 hangs \
         (slowest input {slowest:.2?}, threshold {HANG:?}), corpus {} inputs, {} outcomes seen",
        args.target.name(),
        epoch.elapsed(),
        executions as f64 / epoch.elapsed().as_secs_f64(),
        corpus.len(),
        seen.len()
    );
    if panics == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
