//! # thread-pool-hyper: threads, with the task strategies' HTTP client
//!
//! **What it is.** A control row. `thread-pool` (C OS threads taking titles
//! from a queue) speaks HTTP through ureq; the task strategies (`smol`,
//! `async-std`, `tokio-hyper`) share a small hyper 1 client
//! ([`wikifetch_futures_http::Client`]). So "threads against tasks" in
//! those rows is two differences at once: the concurrency model *and* the
//! HTTP client. This row keeps `thread-pool`'s model and takes the task
//! rows' client, so that each difference can be read on its own, in the
//! same run:
//!
//! - `thread-pool` against `thread-pool-hyper`: the same threads and queue,
//!   another client (ureq against hyper): the **client** half;
//! - `thread-pool-hyper` against a task row on the same hyper client: the
//!   same client code, threads against tasks: the **model** half.
//!
//! **How this crate does it.** The pool is `wikifetch-threads`'
//! [`WorkerPool`], the one `thread-pool` runs on. Each worker owns a
//! client of its own ([`Client::sibling`]: same settings, its own kept
//! connection) and runs each title's future with a minimal executor of
//! its own (`local`): it polls the title and its connection's driver, and
//! when neither can go on, the thread blocks in `poll(2)` on its socket,
//! as a `thread-pool` worker blocks in `recv()`. No runtime, no reactor
//! thread, no task crosses a thread: one blocked OS thread per request in
//! flight, which is what the row is for.
//!
//! **When to choose it.** Never for its own sake: a program with threads
//! uses a blocking client (ureq, as `thread-pool` does). Read its row as
//! the control that says which part of a thread-against-task difference
//! is the client's.

mod local;

use std::sync::Arc;

use wikifetch_core::{Config, FetchResult, Fetcher, Progress, SetupError};
use wikifetch_futures_http::{Client, Task};
use wikifetch_threads::{Work, WorkerPool};

/// The strategy's name, as `--strategy` spells it.
const NAME: &str = "thread-pool-hyper";

/// `thread-pool`'s C worker threads, each fetching with its own hyper
/// connection on a blocking-style executor of its own.
#[derive(Debug)]
pub struct ThreadPoolHyper {
    pool: WorkerPool,
}

impl Fetcher for ThreadPoolHyper {
    fn new(config: &Config) -> Result<Self, SetupError> {
        wikifetch_core::limits::ensure_threads(config.concurrency)?;
        let spawn = Arc::new(local::spawn) as Arc<dyn Fn(Task) + Send + Sync>;
        let reactor = Arc::new(local::Local {
            connect_timeout: config.timeout,
        });
        let client = Client::with_reactor(config, spawn, NAME, reactor)?;
        let work = (0..config.concurrency)
            .map(|_| {
                let client = client.sibling();
                // The worker's thread runs the title's future itself and
                // blocks in `poll(2)` on its socket when it cannot go on.
                Box::new(move |title: &str| local::block_on(client.fetch_one(title))) as Work
            })
            .collect();
        Ok(Self {
            pool: WorkerPool::start(NAME, "wikifetch-pool-hyper", work)?,
        })
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn max_in_flight(&self) -> usize {
        self.pool.size()
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        // The loop and its waits: `WorkerPool::fetch_all`, in `wikifetch-threads`.
        self.pool.fetch_all(titles, progress)
    }
}
