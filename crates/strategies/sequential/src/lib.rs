//! # Sequential: the lesson's loop, done right
//!
//! **What it is.** One title after another on the calling thread: send,
//! wait for the answer, parse, next. The Rust twin of the lesson's
//!
//! ```python
//! for wiki_title in wiki_titles:
//!     wiki_extracts.append(wiki_extract_for_title(wiki_title))
//! ```
//!
//! **How this crate does it.** [`Client::fetch_one`] is the twin of
//! `wiki_extract_for_title`: one blocking GET with [`ureq`], through
//! `wikifetch-core`'s [`fetch_blocking`] (which checks the title, builds
//! the encoded URL, parses the answer and retries transient failures).
//! [`Sequential`] loops over it. Unlike the lesson, it encodes the title
//! (`AT&T` stays one title), reports a missing page as an error for that
//! title instead of crashing, sends a User-Agent, and bounds every request
//! in time and size.
//!
//! **When to choose it.** A handful of titles, a script, a server that asks
//! you to be gentle (one request at a time is Wikimedia's own advice for
//! unauthenticated bulk clients), or as the baseline every other strategy is
//! measured against.
//!
//! **What it costs.** Nothing beyond one thread and one kept-alive
//! connection; but the time is N × the round trip, because the CPU sits idle
//! while each answer travels.
//!
//! **Pitfalls.** None in correctness. In speed it is the slowest by far for
//! anything but a few titles; see `cargo bench`'s `latency` scenario.
//!
//! The thread-based strategies reuse [`Client`], as the lesson's
//! `ThreadPoolExecutor` reuses `wiki_extract_for_title`: one shared
//! [`ureq::Agent`] is safe to use from many threads and pools connections.
//!
//! ```no_run
//! use wikifetch_core::{Config, Fetcher, NoProgress};
//! use wikifetch_sequential::Sequential;
//!
//! let fetcher = Sequential::new(&Config::default())?;
//! let titles = ["Albert Einstein".to_owned(), "AT&T".to_owned()];
//! for (title, result) in titles.iter().zip(fetcher.fetch_all(&titles, &NoProgress)) {
//!     match result {
//!         Ok(extract) => println!("{title}: {}", extract.text),
//!         Err(e) => println!("{title}: {e}"),
//!     }
//! }
//! # Ok::<(), wikifetch_core::SetupError>(())
//! ```

use std::io::Read;

mod resolve;

pub use resolve::Remembered;

use wikifetch_core::{
    Config, FetchError, FetchResult, Fetcher, HttpReply, Progress, SetupError, fetch_blocking,
    retry_after,
};

/// The client library and major version, for the User-Agent.
pub const CLIENT: &str = "ureq/3";

/// How long an idle kept-alive connection is kept: reqwest's default.
pub const IDLE_AGE: std::time::Duration = std::time::Duration::from_secs(90);

/// The buffer ureq reads each connection's answers through. ureq's default
/// is 128 KiB, and as much for writing, kept for as long as the connection
/// stays in the pool. With those defaults `thread-pool` held 307.8 MiB
/// resident with 1000 requests in flight (`cargo bench`'s footprint,
/// 2026-11-29 07:45 UTC); with these sizes, 73.4 MiB in the run of
/// 2026-11-29 11:38 UTC.
/// An answer's status and headers must fit (ureq's limit is lowered to
/// match); the body streams through.
pub const INPUT_BUFFER: usize = 16 * 1024;

/// The buffer each request is written through: the request line with the
/// longest percent-encoded title and the headers fit in a few KiB.
pub const OUTPUT_BUFFER: usize = 8 * 1024;

/// A blocking Wikipedia client: one [`ureq::Agent`] (connection pool,
/// timeouts, User-Agent) and the [`Config`] it was built from. Cheap to
/// share by reference across threads.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    resolver: Remembered,
    config: Config,
}

impl Client {
    /// Builds the agent for `config`, keeping up to `pool` idle connections
    /// (ureq keeps only 3 per host by default, too few for C threads
    /// sharing one agent: the rest would reconnect every time).
    pub fn new(config: &Config, pool: usize) -> Result<Self, SetupError> {
        wikifetch_core::limits::prepare(config)?;
        // Without keep-alive no connection is kept: each request opens one.
        let pool = if config.keep_alive { pool.max(1) } else { 0 };
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(pem) = &config.ca_cert_pem {
            let certs = ureq::tls::parse_pem(pem.as_bytes())
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(cert)) => Some(cert),
                    _ => None,
                })
                .collect::<Vec<_>>();
            if certs.is_empty() {
                return Err(SetupError::Start {
                    strategy: "ureq",
                    message: "the CA file holds no certificate".into(),
                });
            }
            tls = tls.root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(certs)));
        }
        let agent_config = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .user_agent(config.user_agent(CLIENT))
            .max_idle_connections(pool)
            .max_idle_connections_per_host(pool)
            // ureq drops a connection idle for 15 s by default; reqwest keeps
            // one for 90 s and the hyper client until the server closes it.
            // 90 s here too, so that no client reconnects where the others
            // do not (`compare` leaves each client idle while the others run).
            .max_idle_age(IDLE_AGE)
            .input_buffer_size(INPUT_BUFFER)
            .output_buffer_size(OUTPUT_BUFFER)
            .max_response_header_size(INPUT_BUFFER)
            .build();
        let resolver = Remembered::default();
        let agent = ureq::Agent::with_parts(
            agent_config,
            ureq::unversioned::transport::DefaultConnector::new(),
            resolver.clone(),
        );
        Ok(Self {
            agent,
            resolver,
            config: config.clone(),
        })
    }

    /// The configuration this client follows.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Fetches one title, retrying as the policy says; the twin of the
    /// lesson's `wiki_extract_for_title`.
    pub fn fetch_one(&self, title: &str) -> FetchResult {
        fetch_blocking(&self.config, title, |url| self.get(url))
    }

    /// One GET, its body read up to `max_body_bytes`: the request every
    /// blocking strategy sends, for one title or (`batched`) for several.
    pub fn get(&self, url: &str) -> Result<HttpReply, FetchError> {
        let limit = self.config.max_body_bytes;
        // Blocks this thread: connect (or take a kept connection), write the
        // request, read the status line and headers.
        let mut response = self.agent.get(url).call().map_err(|e| self.error(e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers().get("retry-after").map(|v| v.as_bytes()));
        // Blocks again in the socket read while the body arrives. Read one
        // byte past the limit: if it arrives, the body is too large, and
        // nothing more than limit + 1 bytes was buffered.
        let mut body = Vec::new();
        response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .reader()
            .take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|e| self.io_error(&e))?;
        if body.len() as u64 > limit {
            return Err(FetchError::TooLarge { limit });
        }
        Ok(HttpReply {
            status,
            retry_after,
            body,
        })
    }

    fn error(&self, e: ureq::Error) -> FetchError {
        let failed = self.classify(e);
        if matches!(failed, FetchError::Connect { .. }) {
            // The host may have moved: look it up again next time.
            self.resolver.forget();
        }
        failed
    }

    fn classify(&self, e: ureq::Error) -> FetchError {
        match e {
            ureq::Error::Timeout(_) => FetchError::Timeout {
                after: self.config.timeout,
            },
            ureq::Error::Io(io) => self.io_error(&io),
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => FetchError::Connect {
                message: e.to_string(),
            },
            ureq::Error::BodyExceedsLimit(limit) => FetchError::TooLarge { limit },
            other => FetchError::Transport {
                message: other.to_string(),
            },
        }
    }

    fn io_error(&self, e: &std::io::Error) -> FetchError {
        use std::io::ErrorKind as K;
        // ureq reports its own timeouts inside io::Error when they fire
        // while a body is being read.
        if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
            if matches!(inner, ureq::Error::Timeout(_)) {
                return FetchError::Timeout {
                    after: self.config.timeout,
                };
            }
        }
        match e.kind() {
            K::TimedOut | K::WouldBlock => FetchError::Timeout {
                after: self.config.timeout,
            },
            K::ConnectionRefused
            | K::AddrNotAvailable
            | K::HostUnreachable
            | K::NetworkUnreachable => FetchError::Connect {
                message: e.to_string(),
            },
            _ => FetchError::Transport {
                message: e.to_string(),
            },
        }
    }
}

/// The sequential strategy: [`Client::fetch_one`] in a loop.
#[derive(Debug, Clone)]
pub struct Sequential {
    client: Client,
}

impl Fetcher for Sequential {
    fn new(config: &Config) -> Result<Self, SetupError> {
        Ok(Self {
            client: Client::new(config, 1)?,
        })
    }

    fn name(&self) -> &'static str {
        "sequential"
    }

    fn max_in_flight(&self) -> usize {
        1
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        // One title at a time on the calling thread: results come out in
        // input order with no bookkeeping.
        titles
            .iter()
            .enumerate()
            .map(|(index, title)| {
                progress.started(index);
                // The calling thread blocks in ureq's socket reads until the
                // answer is in, and sleeps through each retry's backoff
                // (core's `fetch_blocking`).
                let result = self.client.fetch_one(title);
                progress.completed(index, result.is_ok());
                result
            })
            .collect()
    }
}
