//! Delays with the kernel's high-resolution timers instead of tokio's.
//!
//! tokio's timer wheel has a resolution of 1 ms and rounds every deadline
//! up to the next tick, so a 20 ms `sleep` lasts 20–21 ms (measured: a
//! 20 ms delay cost 21.5–21.7 ms end to end). This module keeps one thread
//! that sleeps until the earliest deadline with `park_timeout` (a futex
//! wait, woken by an hrtimer, about 0.05–0.1 ms late) and then completes
//! every due waiter's channel. Deadlines are absolute, counted from each
//! request's arrival, so time spent parsing and rendering is not added to
//! the delay.
//!
//! Waking is never instant: the timer thread wakes a little late (more so
//! in a virtual machine whose idle CPU the host has descheduled), and then
//! the worker thread has to be woken too. The timer measures that
//! lateness on every wait, as the worker sees it, and fires early by a
//! lead ([`Timer::lead`]) that tracks its low end: each late wake-up moves
//! the lead up by 1/64 of the lateness, each early one down by a quarter
//! of the earliness, so early answers stay rare. They do happen: when
//! both threads wake on time, an answer leaves up to the lead early (in
//! a `cargo bench` run's `concurrency` timeline, 2026-11-29, a few answers came back about
//! 0.4 ms before the 20 ms delay). The lead is never more than half the
//! delay, nor more than 2 ms. The floors meet the same timer, so every row
//! is held to the same delays.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

/// One waiter: when, a tie-breaker, and whom to wake.
struct Entry {
    at: Instant,
    seq: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

#[derive(Default)]
struct Queue {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
}

struct Inner {
    queue: Mutex<Queue>,
    stop: AtomicBool,
    /// How early to fire, nanoseconds: the low end of the lateness seen.
    lead_ns: AtomicI64,
}

/// The most the timer fires early: a wake-up slower than this is an
/// outlier, not the machine's normal lateness.
const MAX_LEAD_NS: i64 = 2_000_000;

/// How far a late wake-up moves the lead up: 1/64 of the lateness.
const LATE_GAIN: i64 = 64;
/// How far an early wake-up moves the lead down: 1/4 of the earliness.
const EARLY_GAIN: i64 = 4;

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The delay thread. Stops when dropped.
pub(crate) struct Timer {
    inner: Arc<Inner>,
    thread: Thread,
    handle: Option<JoinHandle<()>>,
}

impl Timer {
    /// Starts the thread.
    pub(crate) fn start() -> std::io::Result<Self> {
        let inner = Arc::new(Inner {
            queue: Mutex::default(),
            stop: AtomicBool::new(false),
            lead_ns: AtomicI64::new(0),
        });
        let shared = Arc::clone(&inner);
        let handle = std::thread::Builder::new()
            .name("wikifetch-mock-timer".into())
            .spawn(move || run(&shared))?;
        Ok(Self {
            inner,
            thread: handle.thread().clone(),
            handle: Some(handle),
        })
    }

    /// Sets the first lead from 20 waits of 1 ms on a runtime like the
    /// workers' (about 20 ms), so that the first requests are not served
    /// late while the lead learns.
    pub(crate) fn calibrate(&self) -> std::io::Result<()> {
        const WAITS: u32 = 20;
        // On a thread of its own: the caller may be inside a runtime.
        let late = crate::block_on(async {
            let mut least = Duration::MAX;
            for _ in 0..WAITS {
                let deadline = Instant::now() + Duration::from_millis(1);
                self.wait(deadline).await;
                least = least.min(Instant::now().saturating_duration_since(deadline));
            }
            least
        })?;
        // The least lateness seen: a lead no wake-up was faster than.
        let lead = i64::try_from(late.as_nanos()).unwrap_or(MAX_LEAD_NS);
        self.inner
            .lead_ns
            .store(lead.clamp(0, MAX_LEAD_NS), Ordering::Relaxed);
        Ok(())
    }

    /// How early the timer fires now, to make up for waking late.
    pub(crate) fn lead(&self) -> Duration {
        Duration::from_nanos(u64::try_from(self.inner.lead_ns.load(Ordering::Relaxed)).unwrap_or(0))
    }

    /// Completes at `deadline`, rarely a little before it: `delay` is how
    /// long the wait was meant to be (the lead never exceeds half of it).
    pub(crate) async fn sleep_until(&self, deadline: Instant, delay: Duration) {
        let at = deadline
            .checked_sub(self.lead().min(delay / 2))
            .unwrap_or(deadline);
        if at > Instant::now() {
            self.wait(at).await;
        }
        // Late by (now - deadline), early if negative. Also when no wait
        // was needed: a lead grown too large must be able to shrink.
        let now = Instant::now();
        let step = if now >= deadline {
            i64::try_from((now - deadline).as_nanos()).unwrap_or(MAX_LEAD_NS) / LATE_GAIN
        } else {
            -i64::try_from((deadline - now).as_nanos()).unwrap_or(MAX_LEAD_NS) / EARLY_GAIN
        };
        let _ = self
            .inner
            .lead_ns
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                Some((old + step).clamp(0, MAX_LEAD_NS))
            });
    }

    async fn wait(&self, at: Instant) {
        let (wake, woken) = oneshot::channel();
        let earliest = {
            let mut q = self.inner.lock();
            q.seq += 1;
            let seq = q.seq;
            q.heap.push(Reverse(Entry { at, seq, wake }));
            q.heap.peek().is_some_and(|Reverse(e)| e.seq == seq)
        };
        if earliest {
            self.thread.unpark();
        }
        // A closed channel means the timer stopped: the server is going away.
        let _ = woken.await;
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::Release);
        self.thread.unpark();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

fn run(inner: &Inner) {
    while !inner.stop.load(Ordering::Acquire) {
        let next = {
            let mut q = inner.lock();
            let now = Instant::now();
            while q.heap.peek().is_some_and(|Reverse(e)| e.at <= now) {
                if let Some(Reverse(due)) = q.heap.pop() {
                    let _ = due.wake.send(());
                }
            }
            q.heap.peek().map(|Reverse(e)| e.at)
        };
        // An unpark between reading `next` and parking is not lost: park
        // returns at once when a wake-up is pending.
        match next {
            Some(at) => std::thread::park_timeout(at.saturating_duration_since(Instant::now())),
            None => std::thread::park(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `wait`, failing the test if the timer has not woken it within 10 s
    /// (every wait here is a few milliseconds).
    async fn within_deadline<T>(wait: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .expect("the timer thread did not wake its waiters within 10 s")
    }

    #[test]
    fn calibration_sets_a_plausible_first_lead() {
        let timer = Timer::start().unwrap();
        timer.calibrate().unwrap();
        // Lateness is positive and, even on a loaded machine, far below
        // the cap (which would mean every wait was an outlier).
        let lead = timer.lead();
        assert!(lead > Duration::ZERO, "waking is never instant");
        assert!(lead < Duration::from_nanos(MAX_LEAD_NS as u64), "{lead:?}");
    }

    #[test]
    fn a_lead_larger_than_a_delay_shrinks_back() {
        let timer = Timer::start().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        timer.inner.lead_ns.store(MAX_LEAD_NS, Ordering::Relaxed);
        let ms = Duration::from_millis;
        rt.block_on(within_deadline(async {
            for _ in 0..50 {
                let start = Instant::now();
                timer.sleep_until(start + ms(4), ms(4)).await;
            }
        }));
        // 50 waits, each early by about the lead: it decays fast.
        assert!(timer.lead() < ms(1), "lead {:?}", timer.lead());
        // And the lead never takes more than half a delay.
        timer.inner.lead_ns.store(MAX_LEAD_NS, Ordering::Relaxed);
        let start = Instant::now();
        rt.block_on(within_deadline(timer.sleep_until(start + ms(3), ms(3))));
        assert!(
            start.elapsed() >= Duration::from_micros(1500),
            "half of a 3 ms delay at least"
        );
    }

    #[test]
    fn wakes_in_deadline_order_and_close_to_the_deadline() {
        let timer = Timer::start().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let start = Instant::now();
        let ms = Duration::from_millis;
        let order = Mutex::new(Vec::new());
        rt.block_on(within_deadline(async {
            let wait = |d: u64| {
                let (timer, order) = (&timer, &order);
                async move {
                    timer.sleep_until(start + ms(d), ms(d)).await;
                    order.lock().unwrap().push((d, start.elapsed()));
                }
            };
            tokio::join!(wait(30), wait(10), wait(20), wait(0));
        }));
        let order = order.into_inner().unwrap();
        let ds: Vec<u64> = order.iter().map(|(d, _)| *d).collect();
        assert_eq!(ds, [0, 10, 20, 30]);
        for (d, at) in order {
            // Never early; the lateness bound is loose for a busy CI machine.
            assert!(at >= ms(d), "{d} ms woke at {at:?}");
            assert!(at < ms(d + 50), "{d} ms woke at {at:?}");
        }
    }
}
