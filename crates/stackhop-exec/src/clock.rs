//! The run's clock, in virtual milliseconds.
//!
//! - `sim`, instant (the default): a discrete-event clock. Host jobs sleep on it for their
//!   estimated durations; whenever no job is busy (every job either sleeps on the clock or has
//!   finished), the executor advances it to the earliest deadline and wakes those sleepers. The
//!   run thus takes no real time, yet every change lands on the twin in virtual-time order, so
//!   downtime is measured on the clock the estimates are written in. A job is busy from its
//!   start until it sleeps, and again from its wake-up until it ends — including while it waits
//!   for the journal — so journal latency never moves the virtual clock.
//! - `sim` with `--speed N`: real time, N virtual seconds per second.
//! - `local`: real time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

#[derive(Debug, Default)]
struct Inner {
    now_ms: u64,
    busy: usize,
    seq: u64,
    heap: BinaryHeap<Reverse<(u64, u64)>>,
    wakers: HashMap<u64, oneshot::Sender<()>>,
}

/// The discrete-event clock of an instant `sim` run.
#[derive(Debug, Default)]
pub(crate) struct EventClock {
    inner: Mutex<Inner>,
    idle: Notify,
}

impl EventClock {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Advances to the earliest deadline and wakes every job due then, if no job is busy.
    pub(crate) fn advance_if_idle(&self) -> bool {
        let mut inner = self.lock();
        if inner.busy > 0 {
            return false;
        }
        let Some(&Reverse((t, _))) = inner.heap.peek() else {
            return false;
        };
        inner.now_ms = inner.now_ms.max(t);
        while let Some(&Reverse((due, seq))) = inner.heap.peek() {
            if due > t {
                break;
            }
            inner.heap.pop();
            if let Some(waker) = inner.wakers.remove(&seq)
                && waker.send(()).is_ok()
            {
                inner.busy += 1;
            }
        }
        true
    }

    /// Resolves when the last busy job goes to sleep or ends (or was already idle).
    pub(crate) async fn idle(&self) {
        self.idle.notified().await;
    }
}

/// The run's clock.
#[derive(Debug, Clone)]
pub(crate) enum Clock {
    Event(Arc<EventClock>),
    /// Real time scaled by `speed`, starting from `origin_ms` of virtual time.
    Scaled {
        start: Instant,
        origin_ms: u64,
        speed: f64,
    },
}

/// Marks a job as busy for the event clock; see the module doc.
#[derive(Debug)]
pub(crate) struct Busy {
    clock: Option<Arc<EventClock>>,
    active: bool,
}

impl Drop for Busy {
    fn drop(&mut self) {
        if self.active
            && let Some(clock) = &self.clock
        {
            let mut inner = clock.lock();
            inner.busy = inner.busy.saturating_sub(1);
            if inner.busy == 0 {
                clock.idle.notify_one();
            }
        }
    }
}

impl Clock {
    pub(crate) fn instant(origin_ms: u64) -> Clock {
        let clock = EventClock::default();
        clock.lock().now_ms = origin_ms;
        Clock::Event(Arc::new(clock))
    }

    pub(crate) fn scaled(origin_ms: u64, speed: f64) -> Clock {
        Clock::Scaled {
            start: Instant::now(),
            origin_ms,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    pub(crate) fn now_ms(&self) -> u64 {
        match self {
            Clock::Event(c) => c.lock().now_ms,
            Clock::Scaled {
                start,
                origin_ms,
                speed,
            } => origin_ms + (start.elapsed().as_secs_f64() * 1000.0 * speed) as u64,
        }
    }

    /// Registers a busy job; call before spawning it, from the executor.
    pub(crate) fn busy(&self) -> Busy {
        match self {
            Clock::Event(c) => {
                c.lock().busy += 1;
                Busy {
                    clock: Some(c.clone()),
                    active: true,
                }
            }
            Clock::Scaled { .. } => Busy {
                clock: None,
                active: false,
            },
        }
    }

    /// Lets `ms` of virtual time pass for this job.
    pub(crate) async fn sleep(&self, busy: &mut Busy, ms: u64) {
        match self {
            Clock::Event(c) => {
                if ms == 0 {
                    return;
                }
                let rx = {
                    let mut inner = c.lock();
                    let seq = inner.seq;
                    inner.seq += 1;
                    let due = inner.now_ms + ms;
                    inner.heap.push(Reverse((due, seq)));
                    let (tx, rx) = oneshot::channel();
                    inner.wakers.insert(seq, tx);
                    if busy.active {
                        busy.active = false;
                        inner.busy = inner.busy.saturating_sub(1);
                    }
                    if inner.busy == 0 {
                        c.idle.notify_one();
                    }
                    rx
                };
                // The clock counted us busy again when it woke us.
                if rx.await.is_ok() {
                    busy.active = true;
                }
            }
            Clock::Scaled { speed, .. } => {
                let real = Duration::from_secs_f64(ms as f64 / 1000.0 / speed);
                tokio::time::sleep(real).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn jobs_wake_in_virtual_order_without_real_time() {
        let clock = Clock::instant(1000);
        let Clock::Event(event) = clock.clone() else {
            panic!("event clock");
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for (name, ms) in [("slow", 300_000u64), ("fast", 5_000), ("mid", 60_000)] {
            let mut busy = clock.busy();
            let clock = clock.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                clock.sleep(&mut busy, ms).await;
                let _ = tx.send((name, clock.now_ms()));
            });
        }
        drop(tx);
        let real = std::time::Instant::now();
        let mut order = Vec::new();
        loop {
            tokio::select! {
                got = rx.recv() => match got {
                    Some(x) => order.push(x),
                    None => break,
                },
                () = event.idle() => { event.advance_if_idle(); }
            }
        }
        assert_eq!(
            order,
            vec![("fast", 6_000), ("mid", 61_000), ("slow", 301_000)]
        );
        assert!(real.elapsed() < Duration::from_secs(5));
    }
}
