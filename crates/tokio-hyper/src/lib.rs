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

/// The control strategy: tokio's runtime with the shared hyper client.
pub struct TokioHyper {
    // Declared first: dropped before the runtime that drives its connections.
    client: Arc<Client>,
    runtime: TokioExecutor,
}

impl std::fmt::Debug for TokioHyper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokioHyper")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// A tokio multi-thread runtime as the shared client's [`Executor`].
struct TokioExecutor(tokio::runtime::Runtime);

impl Executor for TokioExecutor {
    fn spawn(&self, task: Task) {
        drop(self.0.spawn(task));
    }

    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.0.block_on(future)
    }
}

/// tokio's reactor as the shared client's [`Reactor`].
struct TokioReactor;

impl Reactor for TokioReactor {
    fn connect(&self, host: String, port: u16) -> BoxFuture<std::io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
            let _ = tcp.set_nodelay(true);
            Ok(Box::new(tcp.compat()) as Box<dyn Stream>)
        })
    }

    fn sleep(&self, wait: Duration) -> BoxFuture<()> {
        Box::pin(tokio::time::sleep(wait))
    }
}

impl Fetcher for TokioHyper {
    fn new(config: &Config) -> Result<Self, SetupError> {
        let start_error = |message: String| SetupError::Start {
            strategy: "tokio-hyper",
            message,
        };
        // The same runtime the `tokio` strategy builds: one worker per core.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("wikifetch-tokio-hyper")
            .build()
            .map_err(|e| start_error(format!("could not start the runtime: {e}")))?;
        let handle = runtime.handle().clone();
        let spawn = Arc::new(move |task: Task| drop(handle.spawn(task)));
        let client = Client::with_reactor(config, spawn, "tokio-hyper", Arc::new(TokioReactor))?;
        Ok(Self {
            client: Arc::new(client),
            runtime: TokioExecutor(runtime),
        })
    }

    fn name(&self) -> &'static str {
        "tokio-hyper"
    }

    fn max_in_flight(&self) -> usize {
        self.client.config().concurrency
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        fetch_all(&self.runtime, &self.client, titles, progress)
    }
}
