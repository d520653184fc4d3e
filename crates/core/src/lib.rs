//! # wikifetch-core
//!
//! Everything about fetching Wikipedia extracts that does not depend on how
//! you wait for the network. This crate does no I/O, starts no runtime and
//! names no HTTP client: each strategy crate brings those, and this crate
//! makes sure they all follow the same rules.
//!
//! A title travels like this:
//!
//! ```text
//! "AT&T" ─Title::new─▶ Title ─request_url─▶ "…&titles=AT%26T"
//!        (invalid: typed error, nothing sent)        │  strategy's client GETs it
//!                                                    ▼
//!                    Job::record(HttpReply | FetchError)
//!                      ├─ parse_response: extract / missing / invalid / api error
//!                      └─ RetryPolicy::decide: done, or wait and GET again
//! ```
//!
//! # Layout
//! - [`title`]: [`Title`], MediaWiki's title rules ([`TitleError`]).
//! - [`config`]: [`Config`] and its defaults (User-Agent, `maxlag`, limits).
//! - [`request`]: [`request_url`], every parameter percent-encoded.
//! - [`parse`]: [`parse_response`] for `formatversion` 1 and 2, redirects
//!   and normalization mapped back to the requested title.
//! - [`retry`]: [`RetryPolicy`], pure decisions with backoff and jitter.
//! - [`job`]: [`Job`], the attempt loop as a state machine, and the two
//!   drivers every strategy calls: [`fetch_blocking`] and [`fetch_async`].
//! - [`batch`]: several titles per request (`titles=A|B|C`): the batch
//!   URL, [`parse_batch`] with continuations, [`BatchPlan`] and
//!   [`fetch_batch_blocking`], which narrows a failing batch down to the
//!   title that fails.
//! - [`limits`]: the open-files limit a concurrency needs, raised or
//!   refused before anything is sent.
//! - [`error`]: [`FetchError`] (per title) and [`SetupError`] (per fetcher).
//! - [`fetcher`]: the [`Fetcher`] trait, [`Progress`], and [`Collector`].
//!
//! # The strategies
//!
//! | crate | model | threads for C in flight | waits with |
//! |---|---|---|---|
//! | `wikifetch-sequential` | blocking loop | 1 | the calling thread |
//! | `wikifetch-threads` (`thread-pool`) | C OS threads pull from a queue | C | a blocked thread each |
//! | `wikifetch-threads` (`thread-per-request`) | one OS thread per title, C alive | C (N spawned) | a blocked thread each |
//! | `wikifetch-rayon` | work-stealing pool of C threads | C | a blocked thread each |
//! | `wikifetch-tokio` | async tasks, multi-thread runtime | workers + 1 | a parked task each |
//! | `wikifetch-async-std` / `-smol` | async tasks, async-executor | executor + 1 | a parked task each |
//!
//! `cargo bench` measures what each costs; see the workspace README.

mod answer;
pub mod batch;
pub mod config;
pub mod error;
pub mod fetcher;
pub mod job;
pub mod limits;
pub mod parse;
pub mod request;
pub mod retry;
pub mod title;
#[cfg(feature = "rustls")]
pub mod tls;

pub use batch::{
    BATCH_TITLES, Batch, BatchAnswer, BatchPlan, BatchStep, PageOutcome, batch_url,
    fetch_batch_blocking, parse_batch,
};
pub use config::{Config, LIVE_MAX_CONCURRENCY, PROJECT_URL, WIKIPEDIA_API};
pub use error::{FetchError, SetupError, describe};
pub use fetcher::{
    Collector, FetchResult, Fetcher, NoProgress, Progress, catch_panic, panic_message,
};
pub use job::{HttpReply, Job, Step, fetch_async, fetch_blocking};
pub use parse::{Extract, parse_response};
pub use request::request_url;
pub use retry::{
    Decision, RetryPolicy, parse_retry_after, retry_after, stable_hash, unit_interval,
};
pub use title::{MAX_TITLE_BYTES, Title, TitleError};
