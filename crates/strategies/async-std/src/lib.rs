//! # async-std: async tasks with no tokio underneath
//!
//! **What it is.** The same idea as the tokio strategy (a task per request,
//! parked for free while it waits), on a different runtime: async-std's
//! global executor (`async-global-executor`, one thread per core) and the
//! `async-io` reactor. It shows that "async" is a model, not a library:
//! the fetching code is the same, only the executor differs.
//!
//! **Status.** async-std was discontinued upstream in 2025; its authors
//! point users to [smol](https://docs.rs/smol). Both run on the same
//! executor (`async-executor`) and reactor (`async-io`) crates, so the
//! `smol` strategy is this one with a different `spawn`. Prefer smol for new
//! code; this crate stays because much existing code and teaching uses
//! async-std.
//!
//! **How this crate does it.** reqwest needs a tokio reactor, so the HTTP
//! client is `wikifetch-futures-http`'s: hyper 1's HTTP/1.1 connection over
//! `async-io` sockets, with a pool of C kept-alive connections and
//! timeouts on `async-io`'s timer. [`Fetcher::new`] builds it;
//! `fetch_all` calls the shared bounded loop with async-std's
//! [`task::spawn`](async_std::task::spawn) and
//! [`task::block_on`](async_std::task::block_on): C tasks in flight, each
//! result recorded in its input slot as it arrives. No tokio runtime is
//! started (a test checks the process's threads); `cargo tree -i tokio`
//! shows tokio only as hyper's dependency for its `sync` channels.
//!
//! **When to choose it.** Maintaining code that already uses async-std.
//! For new code choose smol (same model, maintained) or tokio (the
//! ecosystem's default).
//!
//! **What it costs.** Like tokio: a heap-allocated task per request in
//! flight, one executor thread per core, and a reactor thread; the build is
//! lighter than tokio + reqwest.
//!
//! **Pitfalls.** Mixing runtimes: a crate that needs tokio (reqwest)
//! panics with "there is no reactor running" here. async-std's executor
//! threads are global and live as long as the process.

use std::sync::Arc;

use wikifetch_core::{Config, FetchResult, Fetcher, Progress, SetupError};
use wikifetch_futures_http::{Client, Executor, Task, fetch_all};

/// Async tasks on async-std's global executor, C at a time.
#[derive(Debug)]
pub struct AsyncStd {
    client: Arc<Client>,
}

/// async-std's global executor, seen through the shared [`Executor`] trait.
struct Global;

impl Executor for Global {
    fn spawn(&self, task: Task) {
        // Onto the global executor's threads. Dropping the handle detaches
        // the task: it runs to completion.
        drop(async_std::task::spawn(task));
    }

    fn block_on<T>(&self, future: impl std::future::Future<Output = T>) -> T {
        // The caller polls only the loop and blocks in async-io between its
        // wake-ups; the global executor's threads run the tasks.
        async_std::task::block_on(future)
    }
}

impl Fetcher for AsyncStd {
    fn new(config: &Config) -> Result<Self, SetupError> {
        let spawn = Arc::new(|task: Task| Global.spawn(task));
        Ok(Self {
            client: Arc::new(Client::new(config, spawn, "async-std")?),
        })
    }

    fn name(&self) -> &'static str {
        "async-std"
    }

    fn max_in_flight(&self) -> usize {
        self.client.config().concurrency
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        // The loop and its waits: `wikifetch_futures_http::fetch_all`.
        fetch_all(&Global, &self.client, titles, progress)
    }
}
