//! # tokio: async tasks on a multi-thread runtime, with reqwest
//!
//! **What it is.** Instead of a thread per request in flight, a *task* per
//! request: a small state machine (a future) that the runtime polls when
//! its socket is ready and parks, costing nothing but its memory, while it
//! waits. A handful of worker threads (one per core) run thousands of tasks;
//! one reactor thread-of-control (epoll) tells them which sockets are ready.
//!
//! **How this crate does it.** One multi-thread [`tokio::runtime::Runtime`]
//! and one [`reqwest::Client`] (its connection pool shared by every task)
//! are built in [`Fetcher::new`]. `fetch_all` enters the runtime with
//! `block_on` and keeps C tasks in a [`JoinSet`]: spawn until C are in
//! flight, wait for whichever finishes first (`join_next`), record it in its
//! input slot and report it to the progress observer, spawn the next. That
//! loop is Python's `as_completed` with a bound. Each task runs
//! `wikifetch-core`'s [`fetch_async`] with [`tokio::time::sleep`] as its
//! timer, so a title waiting out a backoff parks instead of blocking a
//! worker thread.
//!
//! **Why a `JoinSet` and not `stream::iter(..).buffered(C)`?** Two reasons.
//! `buffered(C)` yields results in input order, and a
//! finished result waits in the buffer behind a slower one *while still
//! counting against C*: one straggler shrinks the concurrency until it
//! returns. `buffer_unordered(C)` avoids that, but all its futures are
//! polled by the one thread that called `block_on`, leaving the runtime's
//! other workers idle. Spawned tasks run on every worker, and completion
//! order is free because [`Collector`] puts results back in input order.
//!
//! **When to choose it.** Many requests in flight (hundreds to tens of
//! thousands), a program that is already async or a server, and when you
//! want timeouts and cancellation that work (dropping a future cancels it).
//! tokio is the ecosystem's default runtime; reqwest, hyper, tonic and most
//! async crates run on it.
//!
//! **What it costs.** A task is a heap allocation the size of its future
//! (a few kilobytes here), against a thread's stack and kernel task. The
//! runtime itself: a worker thread per core plus a blocking pool for DNS.
//! The build is the heaviest in the workspace: 133 crates in
//! `cargo tree -p wikifetch-tokio -e normal`, against 98 for smol and 50
//! for the thread strategies.
//!
//! **Pitfalls.** A blocking call inside a task (`std::thread::sleep`, a
//! blocking client, heavy CPU) stalls a whole worker and every task on it;
//! use the async timer and client, as here. `block_on` from inside another
//! runtime panics. `buffered` (above). reqwest's default TLS (aws-lc-rs) is
//! a large C build; this crate uses rustls on ring instead.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::task::JoinSet;
use wikifetch_core::{
    Collector, Config, FetchError, FetchResult, Fetcher, HttpReply, Progress, SetupError, describe,
    fetch_async, retry_after,
};

/// The client library and major version, for the User-Agent.
pub const CLIENT: &str = "reqwest/0.13";

/// Async tasks on tokio's multi-thread runtime, C at a time.
#[derive(Debug)]
pub struct Tokio {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    config: Arc<Config>,
}

impl Fetcher for Tokio {
    fn new(config: &Config) -> Result<Self, SetupError> {
        wikifetch_core::limits::prepare(config)?;
        let start_error = |message: String| SetupError::Start {
            strategy: "tokio",
            message,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("wikifetch-tokio")
            .build()
            .map_err(|e| start_error(format!("could not start the runtime: {e}")))?;
        let tls = wikifetch_core::tls::client_config(config.ca_cert_pem.as_deref())
            .map_err(|e| start_error(format!("could not set up TLS: {e}")))?;
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent(CLIENT))
            .timeout(config.timeout)
            .pool_max_idle_per_host(if config.keep_alive {
                config.concurrency
            } else {
                0
            })
            .tls_backend_preconfigured(tls)
            .build()
            .map_err(|e| {
                start_error(format!("could not build the HTTP client: {}", describe(&e)))
            })?;
        Ok(Self {
            runtime,
            client,
            config: Arc::new(config.clone()),
        })
    }

    fn name(&self) -> &'static str {
        "tokio"
    }

    fn max_in_flight(&self) -> usize {
        self.config.concurrency
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        let mut collector = Collector::new(titles.len(), progress);
        // The caller polls only this loop, blocked between its wake-ups;
        // tokio's worker threads run the tasks.
        self.runtime.block_on(async {
            let mut tasks = JoinSet::new();
            // A task that panics comes back as a JoinError with only its id:
            // this map names the title it was fetching.
            let mut index_of = HashMap::new();
            let mut pending = titles.iter().enumerate();
            loop {
                // Top up to C tasks in flight, in input order.
                while tasks.len() < self.config.concurrency {
                    let Some((index, title)) = pending.next() else {
                        break;
                    };
                    let (client, config, title) =
                        (self.client.clone(), Arc::clone(&self.config), title.clone());
                    progress.started(index);
                    // Runs on any worker, parked whenever its socket or timer
                    // is not ready; the reactor wakes it (`fetch_one`).
                    let task =
                        tasks.spawn(async move { fetch_one(&client, &config, &title).await });
                    index_of.insert(task.id(), index);
                }
                // The loop parks here until whichever task finishes first;
                // `None` once every task is joined.
                let Some(joined) = tasks.join_next_with_id().await else {
                    break;
                };
                let (id, result) = match joined {
                    Ok((id, result)) => (id, result),
                    Err(e) => (
                        e.id(),
                        Err(FetchError::Panicked {
                            message: describe(&e),
                        }),
                    ),
                };
                // Into its input slot, and reported now; its place is
                // refilled on the next turn.
                if let Some(index) = index_of.remove(&id) {
                    collector.complete(index, result);
                }
            }
        });
        collector.finish()
    }
}

/// Fetches one title with `client`, retrying as `config` says; the async
/// twin of the lesson's `wiki_extract_for_title`.
pub async fn fetch_one(client: &reqwest::Client, config: &Config, title: &str) -> FetchResult {
    fetch_async(
        config,
        title,
        |url| get(client, config, url),
        // Backoffs park the task on tokio's timer.
        tokio::time::sleep,
    )
    .await
}

/// One GET, its body read chunk by chunk up to `max_body_bytes`.
async fn get(
    client: &reqwest::Client,
    config: &Config,
    url: String,
) -> Result<HttpReply, FetchError> {
    let limit = config.max_body_bytes;
    let error = |e: reqwest::Error| {
        if e.is_timeout() {
            FetchError::Timeout {
                after: config.timeout,
            }
        } else if e.is_connect() {
            FetchError::Connect {
                message: describe(&e),
            }
        } else {
            FetchError::Transport {
                message: describe(&e),
            }
        }
    };
    // Parks until the headers arrive, or reqwest's timeout ends the request.
    let mut response = client.get(url).send().await.map_err(error)?;
    let status = response.status().as_u16();
    let retry_after = retry_after(
        response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .map(|v| v.as_bytes()),
    );
    let mut body = Vec::new();
    // Parks again for each chunk of the body.
    while let Some(chunk) = response.chunk().await.map_err(error)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(FetchError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpReply {
        status,
        retry_after,
        body,
    })
}
