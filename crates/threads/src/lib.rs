//! # OS threads: a pool, and a thread per request
//!
//! **What it is.** Blocking I/O made concurrent by running it on several
//! OS threads: while one thread waits in `recv()` for its answer, the kernel
//! runs another. Two shapes of it live here:
//!
//! - [`ThreadPool`] (`thread-pool`): C worker threads pull the next title
//!   from a shared queue until it is empty. The lesson's
//!   `ThreadPoolExecutor(max_workers=10)`.
//! - [`ThreadPerRequest`] (`thread-per-request`): a fresh thread for every
//!   title, at most C alive at once. It exists to show what a thread costs
//!   next to a pooled thread and next to an async task.
//!
//! **How this crate does it.** Both call [`Client::fetch_one`], the
//! sequential strategy's one-title function, exactly as the lesson's pool
//! calls `wiki_extract_for_title`; one [`Client`] (one `ureq::Agent`, a pool
//! of C kept-alive connections) is shared by reference. Threads are scoped
//! ([`std::thread::scope`]), so they may borrow the titles and the client,
//! and all have finished when `fetch_all` returns. Each result goes into its
//! input slot ([`Collector`]), which also reports it to the progress
//! observer the moment it lands: the analogue of `as_completed`.
//!
//! Line by line with the lesson:
//!
//! | Python | here |
//! |---|---|
//! | `ThreadPoolExecutor(max_workers=10)` | `thread::scope` + C workers spawned with `thread::Builder` |
//! | `executor.submit(f, title)` for each title | the shared atomic index `next`: a worker takes `titles[next++]` |
//! | `wiki_extract_for_title(title)` | `client.fetch_one(title)` |
//! | `as_completed(futures)` + `future.result()` | `collector.complete(i, result)` reports and stores in input order |
//! | `future.result()` re-raising the worker's exception | [`catch_panic`] turns a panic into an error for that title only |
//!
//! **When to choose it.** Tens to a few hundred requests in flight, a
//! blocking client you already have, no async runtime in the program. The
//! code reads like the sequential loop, and the pool is what most languages
//! teach first.
//!
//! **What it costs.** One OS thread per request in flight: a stack
//! ([`STACK_SIZE`] reserved, a few pages touched), a kernel task, and a
//! context switch every time an answer arrives. `ThreadPool` spawns C
//! threads per `fetch_all` call (tens of microseconds each);
//! `ThreadPerRequest` spawns N, one per title: at C = 1000, that is 1000
//! stacks and the scheduler juggling 1000 runnable threads.
//!
//! **Pitfalls.** The pool size *is* the concurrency: a pool sized to the
//! number of cores (as rayon's default is) leaves the network idle. Threads
//! cannot be cancelled: a hung request holds its thread until the timeout.
//! Too many threads exhaust memory or the process's thread limit; a thread
//! that cannot be spawned becomes a `resource` error for its title here,
//! never a crash.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, mpsc};
use std::thread;

use wikifetch_core::{
    Collector, Config, FetchError, FetchResult, Fetcher, Progress, SetupError, catch_panic,
};
use wikifetch_sequential::Client;

/// Stack reserved per thread. The default 8 MiB (main) or 2 MiB (spawned)
/// is far more than an HTTP request needs; 512 KiB keeps 1000 threads'
/// address space at 500 MiB, of which only the touched pages use memory.
pub const STACK_SIZE: usize = 512 * 1024;

/// C worker threads pulling titles from a shared queue: the lesson's
/// `ThreadPoolExecutor`.
#[derive(Debug, Clone)]
pub struct ThreadPool {
    client: Client,
}

/// One OS thread per title, at most C alive at once.
#[derive(Debug, Clone)]
pub struct ThreadPerRequest {
    client: Client,
}

impl Fetcher for ThreadPool {
    fn new(config: &Config) -> Result<Self, SetupError> {
        Ok(Self {
            client: Client::new(config, config.concurrency)?,
        })
    }

    fn name(&self) -> &'static str {
        "thread-pool"
    }

    fn max_in_flight(&self) -> usize {
        self.client.config().concurrency
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        let collector = Mutex::new(Collector::new(titles.len(), progress));
        // The queue: the index of the next title nobody has taken yet.
        let next = AtomicUsize::new(0);
        let workers = self.client.config().concurrency.min(titles.len());
        let mut started = 0;
        thread::scope(|scope| {
            for _ in 0..workers {
                let worker = || {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(title) = titles.get(index) else {
                            break;
                        };
                        progress.started(index);
                        let result = catch_panic(|| self.client.fetch_one(title));
                        lock(&collector).complete(index, result);
                    }
                };
                if spawn(scope, "wikifetch-pool", worker).is_ok() {
                    started += 1;
                }
            }
        });
        if started == 0 && !titles.is_empty() {
            // Not one worker could start: say so for every title.
            let mut collector = lock(&collector);
            for index in 0..titles.len() {
                collector.complete(index, Err(spawn_error(workers)));
            }
        }
        into_results(collector)
    }
}

impl Fetcher for ThreadPerRequest {
    fn new(config: &Config) -> Result<Self, SetupError> {
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
                let _ = wait_for_permit.recv();
                let permit = permits.clone();
                let collector = &collector;
                progress.started(index);
                let spawned = spawn(scope, "wikifetch-request", move || {
                    let result = catch_panic(|| self.client.fetch_one(title));
                    lock(collector).complete(index, result);
                    let _ = permit.send(());
                });
                if spawned.is_err() {
                    lock(collector).complete(index, Err(spawn_error(c)));
                    let _ = permits.send(());
                }
            }
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
