//! # smol: small, maintained async tasks
//!
//! **What it is.** A task per request, as with tokio and async-std, on
//! [smol](https://docs.rs/smol): a small runtime made of separate crates:
//! `async-executor` (the task queue), `async-io` (the reactor and timers),
//! `async-net`, `blocking`. It is the maintained successor of async-std,
//! which runs on the same executor and reactor crates.
//!
//! **How this crate does it.** smol has no global multi-thread runtime:
//! you own an [`smol::Executor`] and choose which threads run it.
//! `fetch_all` is the same bounded loop as the async-std strategy, with
//! `executor.spawn(..).detach()` as `spawn`, and the calling thread runs
//! tasks too while it waits (`block_on(executor.run(..))`). So
//! [`Fetcher::new`] starts one executor thread fewer than there are CPUs
//! the process may use, each running `executor.run(..)` until the fetcher
//! is dropped: during a call, the executor has one thread per CPU, the
//! caller included. On a client with one CPU (as in the benchmarks) that
//! is the caller alone, and no task is handed from one thread to another.
//! Measured with `strace -f -c` over 1000 titles at C = 10 with no delay,
//! one extra thread there cost 1.4 futex calls a request against 0.6
//! without it. Between calls nobody runs the executor, so a kept
//! connection the server closed meanwhile is found closed only when the
//! next call sends on it: that attempt fails as a transport error and is
//! retried like one (the same race any kept-alive client has, with a wider
//! window). The hyper client is the one `wikifetch-futures-http` shares.
//!
//! **When to choose it.** Async I/O without tokio: small binaries, fast
//! builds, explicit control over threads, or a library that must not pick
//! a runtime for its users. For the widest choice of async libraries,
//! tokio.
//!
//! **What it costs.** A heap-allocated task per request in flight, the
//! executor threads you start, and async-io's reactor thread. async-io
//! tries every read before it waits for the socket: about five reads a
//! request find nothing (`strace`, as above), where tokio's readiness
//! tracking makes one. The lightest
//! async build in the workspace: 98 crates in `cargo tree -p wikifetch-smol
//! -e normal`, against 133 for tokio + reqwest.
//!
//! **Pitfalls.** An executor only makes progress on threads that run it:
//! spawn onto an executor nobody runs and nothing happens. Crates that need
//! tokio's reactor (reqwest) do not work here without a compatibility layer.

use std::sync::Arc;
use std::thread::JoinHandle;

use wikifetch_core::{Config, FetchResult, Fetcher, Progress, SetupError};
use wikifetch_futures_http::{Client, Executor, Task, fetch_all};

/// Async tasks on a smol executor run by one thread per CPU (the caller
/// included), C at a time.
#[derive(Debug)]
pub struct Smol {
    pool: Pool,
    client: Arc<Client>,
}

/// A smol executor and the threads that run it, until dropped.
#[derive(Debug)]
struct Pool {
    executor: Arc<smol::Executor<'static>>,
    stop: smol::channel::Sender<()>,
    threads: Vec<JoinHandle<()>>,
}

impl Pool {
    fn start(threads: usize) -> std::io::Result<Self> {
        let executor = Arc::new(smol::Executor::new());
        // Closing this channel (on drop) ends every thread's `run`.
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let threads = (0..threads)
            .map(|i| {
                let (executor, stopped) = (Arc::clone(&executor), stopped.clone());
                std::thread::Builder::new()
                    .name(format!("wikifetch-smol-{i}"))
                    .spawn(move || {
                        // Runs tasks until `stop` closes; with none ready,
                        // the thread parks in async-io until one is woken.
                        let _ = smol::block_on(executor.run(stopped.recv()));
                    })
            })
            .collect::<std::io::Result<_>>()?;
        Ok(Self {
            executor,
            stop,
            threads,
        })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.stop.close();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Executor for Pool {
    fn spawn(&self, task: Task) {
        // Into the shared queue: any thread running the executor takes it.
        self.executor.spawn(task).detach();
    }

    fn block_on<T>(&self, future: impl std::future::Future<Output = T>) -> T {
        // The caller runs tasks too while the loop waits for results, and
        // parks in async-io when no task is ready.
        smol::block_on(self.executor.run(future))
    }
}

impl Fetcher for Smol {
    fn new(config: &Config) -> Result<Self, SetupError> {
        // The caller is the executor's other thread while a call runs.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get() - 1);
        let pool = Pool::start(threads).map_err(|e| SetupError::Start {
            strategy: "smol",
            message: format!("could not start {threads} executor threads: {e}"),
        })?;
        let executor = Arc::clone(&pool.executor);
        let spawn = Arc::new(move |task: Task| executor.spawn(task).detach());
        Ok(Self {
            client: Arc::new(Client::new(config, spawn, "smol")?),
            pool,
        })
    }

    fn name(&self) -> &'static str {
        "smol"
    }

    fn max_in_flight(&self) -> usize {
        self.client.config().concurrency
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        // The loop and its waits: `wikifetch_futures_http::fetch_all`.
        fetch_all(&self.pool, &self.client, titles, progress)
    }
}
