//! # OS threads: a pool, and a thread per request
//!
//! **What it is.** Blocking I/O made concurrent by running it on several
//! OS threads: while one thread waits in `recv()` for its answer, the kernel
//! runs another. Two shapes of it live here:
//!
//! - [`ThreadPool`] (`thread-pool`): C worker threads, started once when
//!   the fetcher is built, take the next title from a shared queue. The
//!   lesson's `ThreadPoolExecutor(max_workers=10)`, kept across calls.
//! - [`ThreadPerRequest`] (`thread-per-request`): a fresh thread for every
//!   title, at most C alive at once. It exists to show what a thread costs
//!   next to a pooled thread and next to an async task.
//!
//! **How this crate does it.** Both call [`Client::fetch_one`], the
//! sequential strategy's one-title function, exactly as the lesson's pool
//! calls `wiki_extract_for_title`; one [`Client`] (one `ureq::Agent`, a pool
//! of C kept-alive connections, the server's address resolved once) is
//! shared by all threads. The pool's workers live as long as the fetcher:
//! `fetch_all` hands the call's titles to up to C of them, each takes the
//! next title in input order until none is left, and sends back each
//! result, which the calling thread puts into its input slot
//! ([`Collector`]) and reports to the progress observer the moment it
//! lands: the analogue of `as_completed`. `ThreadPerRequest`'s threads are
//! scoped ([`std::thread::scope`]): they borrow the titles and the client,
//! and all have finished when `fetch_all` returns.
//!
//! Line by line with the lesson:
//!
//! | Python | here |
//! |---|---|
//! | `ThreadPoolExecutor(max_workers=10)` | `ThreadPool::new`: C workers spawned once with `thread::Builder` |
//! | `executor.submit(f, title)` for each title | the call's titles handed to the workers; each takes `titles[next++]` |
//! | `wiki_extract_for_title(title)` | `client.fetch_one(title)` |
//! | `as_completed(futures)` + `future.result()` | the caller receives `(i, result)`; `collector.complete` reports and stores in input order |
//! | `future.result()` re-raising the worker's exception | [`catch_panic`] turns a panic into an error for that title only |
//!
//! **When to choose it.** Tens to a few hundred requests in flight, a
//! blocking client you already have, no async runtime in the program. The
//! code reads like the sequential loop, and the pool is what most languages
//! teach first.
//!
//! **What it costs.** One OS thread per request in flight: a stack
//! ([`STACK_SIZE`] reserved, a few pages touched), a kernel task, and a
//! context switch every time an answer arrives, and for the pool one more
//! hand-off per title to the calling thread (as `as_completed` has).
//! `ThreadPool` spawns its C threads once, in `new`; `ThreadPerRequest`
//! spawns N per call, one per title: at C = 1000, that is 1000 stacks and
//! the scheduler juggling 1000 runnable threads.
//!
//! **Pitfalls.** The pool size *is* the concurrency: a pool sized to the
//! number of cores (as rayon's default is) leaves the network idle. Threads
//! cannot be cancelled: a hung request holds its thread until the timeout.
//! Too many threads exhaust memory or the process's thread limit; a thread
//! that cannot be spawned becomes a `resource` error for its title here,
//! never a crash.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::thread;

use wikifetch_core::{
    Collector, Config, FetchError, FetchResult, Fetcher, Progress, SetupError, catch_panic,
};
use wikifetch_sequential::Client;

/// Stack reserved per thread. The default 8 MiB (main) or 2 MiB (spawned)
/// is far more than an HTTP request needs; 512 KiB keeps 1000 threads'
/// address space at 500 MiB, of which only the touched pages use memory.
pub const STACK_SIZE: usize = 512 * 1024;

/// C worker threads, started once in [`Fetcher::new`], pulling titles
/// from a shared queue: the lesson's `ThreadPoolExecutor`, kept for the
/// fetcher's life as an executor is kept across `map` calls.
#[derive(Debug)]
pub struct ThreadPool {
    pool: WorkerPool,
}

/// What one worker thread does with a title: fetch it, blocking the thread
/// until its result is in. Each worker owns its own, so that per-thread
/// state (a connection, a local executor) needs no lock.
pub type Work = Box<dyn FnMut(&str) -> FetchResult + Send>;

/// The pool itself, apart from the HTTP client its workers call: C threads
/// started once, each taking the next title of a call in input order until
/// none is left, results handed back to the caller as they land. The
/// `thread-pool` strategy gives each worker the shared ureq client;
/// `thread-pool-hyper` gives each its own hyper connection and executor,
/// so that the two differ in client only.
#[derive(Debug)]
pub struct WorkerPool {
    /// The queue's sending end; `None` once the pool is shutting down.
    queue: Option<mpsc::Sender<Arc<Batch>>>,
    workers: Vec<thread::JoinHandle<()>>,
}

/// One `fetch_all` call's work, shared by the workers that take part: the
/// titles, the next index nobody has taken, and where results go.
struct Batch {
    titles: Vec<String>,
    next: AtomicUsize,
    done: mpsc::Sender<(usize, FetchResult)>,
}

impl WorkerPool {
    /// Starts one thread per entry of `work` (C of them), named `name`,
    /// with [`STACK_SIZE`] each; `strategy` names the strategy in a
    /// start-up error.
    pub fn start(strategy: &'static str, name: &str, work: Vec<Work>) -> Result<Self, SetupError> {
        let c = work.len();
        let (queue, jobs) = mpsc::channel::<Arc<Batch>>();
        let jobs = Arc::new(Mutex::new(jobs));
        let mut pool = Self {
            queue: Some(queue),
            workers: Vec::with_capacity(c),
        };
        for mut work in work {
            let jobs = Arc::clone(&jobs);
            let worker = thread::Builder::new()
                .name(name.to_owned())
                .stack_size(STACK_SIZE)
                .spawn(move || Self::worker(&mut work, &jobs))
                .map_err(|e| SetupError::Start {
                    strategy,
                    message: format!("{e}; {}", spawn_error(c)),
                })?;
            pool.workers.push(worker);
        }
        Ok(pool)
    }

    /// The number of workers: the most titles in flight at once.
    pub fn size(&self) -> usize {
        self.workers.len()
    }

    fn worker(work: &mut Work, queue: &Mutex<mpsc::Receiver<Arc<Batch>>>) {
        loop {
            // An idle worker blocks here, in a channel receive, until a call
            // hands it a batch. Hold the lock only to take a batch, not
            // while fetching.
            let batch = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
            let Ok(batch) = batch else {
                return; // The pool is being dropped.
            };
            // Take the next title until there is none: the queue of
            // `executor.submit`, as an index into the call's titles.
            loop {
                let index = batch.next.fetch_add(1, Ordering::Relaxed);
                let Some(title) = batch.titles.get(index) else {
                    break;
                };
                // The worker's OS thread blocks inside `work` for the whole
                // request: in the socket read, and asleep through a retry's
                // backoff (for `thread-pool-hyper`, in `poll(2)`).
                let result = catch_panic(|| work(title));
                // To the caller; the channel is unbounded, so this never waits.
                let _ = batch.done.send((index, result));
            }
        }
    }

    /// Fetches `titles` on the workers: one result per title, in input
    /// order, each reported to `progress` as it lands.
    pub fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        let mut collector = Collector::new(titles.len(), progress);
        let (done, received) = mpsc::channel();
        let batch = Arc::new(Batch {
            titles: titles.to_vec(),
            next: AtomicUsize::new(0),
            done,
        });
        // Hand the call to as many workers as there are titles, up to C:
        // each send wakes one idle worker from its receive.
        let helpers = self.size().min(titles.len());
        let handed = match &self.queue {
            Some(queue) => (0..helpers)
                .take_while(|_| queue.send(Arc::clone(&batch)).is_ok())
                .count(),
            None => 0,
        };
        drop(batch);
        // The workers take titles in input order, each taking the next one
        // the moment it sends a result, so title `handed + k` is started
        // right after the k-th result: report it then (the workers cannot
        // call `progress`, which is borrowed for this call only). One
        // message per title reaches this thread, as `as_completed` has.
        let mut started = 0;
        while started < handed {
            progress.started(started);
            started += 1;
        }
        // The calling thread blocks here, in a channel receive, until the
        // next result lands, in completion order; the loop ends when the
        // last worker done with this call drops its sender.
        for (index, result) in received.iter() {
            if started < titles.len() {
                progress.started(started);
                started += 1;
            }
            // Into its input slot, and reported now.
            collector.complete(index, result);
        }
        // Titles no worker took (the pool had no live worker): an error
        // each, never a lost title.
        if handed == 0 {
            for index in 0..titles.len() {
                collector.complete(index, Err(spawn_error(self.size())));
            }
        }
        collector.finish()
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        // Closing the queue wakes every worker from its receive and ends its
        // loop; each join waits for its thread to exit.
        self.queue = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// One OS thread per title, at most C alive at once.
#[derive(Debug, Clone)]
pub struct ThreadPerRequest {
    client: Client,
}

impl Fetcher for ThreadPool {
    fn new(config: &Config) -> Result<Self, SetupError> {
        wikifetch_core::limits::ensure_threads(config.concurrency)?;
        let client = Arc::new(Client::new(config, config.concurrency)?);
        let work = (0..config.concurrency)
            .map(|_| {
                let client = Arc::clone(&client);
                Box::new(move |title: &str| client.fetch_one(title)) as Work
            })
            .collect();
        let pool = WorkerPool::start("thread-pool", "wikifetch-pool", work)?;
        Ok(Self { pool })
    }

    fn name(&self) -> &'static str {
        "thread-pool"
    }

    fn max_in_flight(&self) -> usize {
        self.pool.size()
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        // The loop and its waits: `WorkerPool::fetch_all`, above.
        self.pool.fetch_all(titles, progress)
    }
}

impl Fetcher for ThreadPerRequest {
    fn new(config: &Config) -> Result<Self, SetupError> {
        wikifetch_core::limits::ensure_threads(config.concurrency)?;
        Ok(Self {
            client: Client::new(config, config.concurrency)?,
        })
    }

    fn name(&self) -> &'static str {
        "thread-per-request"
    }

    fn max_in_flight(&self) -> usize {
        self.client.config().concurrency
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        let collector = Mutex::new(Collector::new(titles.len(), progress));
        let c = self.client.config().concurrency;
        // A semaphore from a channel: C permits circulate; a thread hands
        // its permit back as it finishes, and the spawning loop waits for
        // one before each spawn. So at most C requests are in flight.
        let (permits, wait_for_permit) = mpsc::sync_channel::<()>(c);
        for _ in 0..c {
            let _ = permits.send(());
        }
        thread::scope(|scope| {
            for (index, title) in titles.iter().enumerate() {
                // The calling thread blocks here, in a channel receive, while
                // C requests are in flight.
                let _ = wait_for_permit.recv();
                let permit = permits.clone();
                let collector = &collector;
                progress.started(index);
                let spawned = spawn(scope, "wikifetch-request", move || {
                    // A fresh OS thread, blocked in its socket read and asleep
                    // through backoffs, for this one title.
                    let result = catch_panic(|| self.client.fetch_one(title));
                    // Straight into its input slot, under the lock.
                    lock(collector).complete(index, result);
                    // The permit back: the spawning loop may start another.
                    let _ = permit.send(());
                });
                // No thread to be had: the title fails, its permit goes back.
                if spawned.is_err() {
                    lock(collector).complete(index, Err(spawn_error(c)));
                    let _ = permits.send(());
                }
            }
            // Leaving the scope joins every thread: the caller blocks until
            // the last request is done.
        });
        into_results(collector)
    }
}

fn spawn<'scope, 'env>(
    scope: &'scope thread::Scope<'scope, 'env>,
    name: &str,
    work: impl FnOnce() + Send + 'scope,
) -> std::io::Result<thread::ScopedJoinHandle<'scope, ()>> {
    thread::Builder::new()
        .name(name.to_owned())
        .stack_size(STACK_SIZE)
        .spawn_scoped(scope, work)
}

fn spawn_error(c: usize) -> FetchError {
    FetchError::Resource {
        message: format!(
            "could not spawn a thread (concurrency {c}); lower --concurrency or raise \
             the process's thread limit (ulimit -u) and memory limits"
        ),
    }
}

/// A poisoned lock only means another thread panicked while holding it;
/// the collector is still consistent (each slot is written whole).
fn lock<'a, 'p>(collector: &'a Mutex<Collector<'p>>) -> MutexGuard<'a, Collector<'p>> {
    collector.lock().unwrap_or_else(|e| e.into_inner())
}

fn into_results(collector: Mutex<Collector<'_>>) -> Vec<FetchResult> {
    collector
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .finish()
}
