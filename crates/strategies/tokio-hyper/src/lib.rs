//! # tokio-hyper: a control, not a recommendation
//!
//! **What it is.** tokio's multi-thread runtime (its executor *and* its
//! reactor: sockets and timers) driving exactly the HTTP client, pool and
//! completion loop that `async-std` and `smol` use
//! ([`wikifetch_futures_http`]: hyper 1's `client::conn::http1`).
//!
//! **Why it exists.** The `tokio` strategy uses reqwest, while `async-std`
//! and `smol` share a small hyper client, so "tokio against smol" compares
//! two HTTP stacks as much as two runtimes. With this row the two
//! differences come apart, measured in the same run:
//!
//! - `tokio` against `tokio-hyper`: the same runtime, another client
//!   (reqwest with its pool and its `JoinSet` loop, against the shared
//!   hyper client and its channel loop);
//! - `tokio-hyper` against `smol`: the same client code, another runtime
//!   (tokio's work-stealing executor and its reactor, against
//!   async-executor on async-io).
//!
//! **How this crate does it.** It supplies the two things the shared
//! client asks of a strategy: an [`Executor`] (spawn a task, block on a
//! future) backed by a [`tokio::runtime::Runtime`], and a [`Reactor`] whose
//! sockets are `tokio::net::TcpStream`s (adapted to `futures-io` by
//! `tokio-util`'s `compat`) and whose timer is `tokio::time::sleep`.
//!
//! **Two thread layouts.** [`TokioHyper`] is tokio as shipped: the
//! multi-thread runtime, one worker thread per CPU, and a caller that
//! blocks in `block_on` while the workers run the tasks, so every
//! completion crosses from a worker to the caller. `smol` is laid out
//! another way: the caller runs the executor itself while it waits. So
//! `tokio-hyper` against `smol` is runtime *and* layout.
//! [`TokioCurrentThread`] (`tokio-current-thread`) gives tokio smol's
//! layout: a `current_thread` runtime, whose tasks run on the caller
//! inside `block_on` and nowhere else. Against `smol` it is the runtime
//! alone (same client, same layout); against `tokio-hyper`, the layout
//! alone (same runtime, same client). As with smol's caller-run executor,
//! nothing runs the connections between calls: a kept connection the
//! server closed meanwhile is found closed when the next call uses it,
//! and that attempt is retried as a transport error.
//!
//! **When to choose it.** Never for its own sake: in a tokio program use
//! the `tokio` strategy's shape (reqwest or hyper-util's pooled client).
//! Read its row as the control that says which part of a difference is
//! the runtime's.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::compat::TokioAsyncReadCompatExt;
use wikifetch_core::{Config, FetchResult, Fetcher, Progress, SetupError};
use wikifetch_futures_http::{BoxFuture, Client, Executor, Reactor, Stream, Task, fetch_all};

/// The control strategy: tokio's multi-thread runtime with the shared
/// hyper client.
pub struct TokioHyper(Inner);

/// tokio's `current_thread` runtime with the shared hyper client: every
/// task runs on the caller, inside `block_on`, as smol's do.
pub struct TokioCurrentThread(Inner);

/// A tokio runtime and the shared client it drives.
struct Inner {
    // Declared first: dropped before the runtime that drives its connections.
    client: Arc<Client>,
    runtime: TokioExecutor,
}

impl std::fmt::Debug for TokioHyper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokioHyper")
            .field("client", &self.0.client)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TokioCurrentThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokioCurrentThread")
            .field("client", &self.0.client)
            .finish_non_exhaustive()
    }
}

/// A tokio multi-thread runtime as the shared client's [`Executor`].
struct TokioExecutor(tokio::runtime::Runtime);

impl Executor for TokioExecutor {
    fn spawn(&self, task: Task) {
        // Detached: it runs to completion on the runtime.
        drop(self.0.spawn(task));
    }

    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        // Multi-thread: the caller polls only the loop and blocks between
        // its wake-ups while the workers run the tasks. Current-thread: the
        // caller runs every task here, and parks in tokio's reactor when
        // none is ready.
        self.0.block_on(future)
    }
}

/// tokio's reactor as the shared client's [`Reactor`].
struct TokioReactor;

impl Reactor for TokioReactor {
    fn connect(&self, host: String, port: u16) -> BoxFuture<std::io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            // The task parks on tokio's reactor until the connection is up.
            let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
            let _ = tcp.set_nodelay(true);
            Ok(Box::new(tcp.compat()) as Box<dyn Stream>)
        })
    }

    fn sleep(&self, wait: Duration) -> BoxFuture<()> {
        // Timeouts and backoffs park the task on tokio's timer.
        Box::pin(tokio::time::sleep(wait))
    }
}

impl Inner {
    fn new(
        config: &Config,
        strategy: &'static str,
        mut builder: tokio::runtime::Builder,
    ) -> Result<Self, SetupError> {
        let runtime = builder
            .enable_all()
            .thread_name(format!("wikifetch-{strategy}"))
            .build()
            .map_err(|e| SetupError::Start {
                strategy,
                message: format!("could not start the runtime: {e}"),
            })?;
        let handle = runtime.handle().clone();
        let spawn = Arc::new(move |task: Task| drop(handle.spawn(task)));
        let client = Client::with_reactor(config, spawn, strategy, Arc::new(TokioReactor))?;
        Ok(Self {
            client: Arc::new(client),
            runtime: TokioExecutor(runtime),
        })
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        // The loop and its waits: `wikifetch_futures_http::fetch_all`.
        fetch_all(&self.runtime, &self.client, titles, progress)
    }
}

impl Fetcher for TokioHyper {
    fn new(config: &Config) -> Result<Self, SetupError> {
        // The same runtime the `tokio` strategy builds: one worker per core.
        let builder = tokio::runtime::Builder::new_multi_thread();
        Inner::new(config, "tokio-hyper", builder).map(Self)
    }

    fn name(&self) -> &'static str {
        "tokio-hyper"
    }

    fn max_in_flight(&self) -> usize {
        self.0.client.config().concurrency
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        self.0.fetch_all(titles, progress)
    }
}

impl Fetcher for TokioCurrentThread {
    fn new(config: &Config) -> Result<Self, SetupError> {
        let builder = tokio::runtime::Builder::new_current_thread();
        Inner::new(config, "tokio-current-thread", builder).map(Self)
    }

    fn name(&self) -> &'static str {
        "tokio-current-thread"
    }

    fn max_in_flight(&self) -> usize {
        self.0.client.config().concurrency
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        self.0.fetch_all(titles, progress)
    }
}
