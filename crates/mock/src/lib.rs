//! # wikifetch-mock
//!
//! A local MediaWiki TextExtracts server for tests and benchmarks, built on
//! [`wiremock`]: it answers `GET /w/api.php?action=query&prop=extracts&…`
//! for any title with a deterministic extract, and injects latency and
//! faults that are pure functions of a seed, the title and the attempt, so
//! every run can be repeated exactly.
//!
//! ```no_run
//! use std::time::Duration;
//! use wikifetch_mock::{Latency, MockWiki};
//!
//! let mock = MockWiki::builder()
//!     .latency(Latency::Fixed(Duration::from_millis(20)))
//!     .start()?;
//! println!("point your client at {}", mock.api_url());
//! // … fetch …
//! println!("{} requests, at most {} in flight", mock.stats().requests, mock.stats().max_in_flight);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Layout
//! - [`latency`]: [`Latency`] distributions and their specs (`20ms`,
//!   `uniform:10ms..30ms`, `lognormal:20ms,p99=200ms`).
//! - [`fault`]: [`Fault`] injection (503, 429 + `Retry-After`, 500,
//!   `maxlag`, truncated JSON, hangs, huge bodies), per title and attempt.
//! - [`wiki`]: the pretend wiki: normalization, redirects, missing pages,
//!   format versions 1 and 2.
//!
//! # What it measures
//! [`MockWiki::stats`] counts requests, attempts per title, the most
//! requests in flight at once, and (with [`MockWikiBuilder::count_connections`])
//! the TCP connections clients opened. wiremock only hands a request to us
//! when it arrives, so "in flight" is derived: each request occupies the
//! interval from its arrival to arrival + the delay it was given.
//!
//! # Limits, measured on the 2-core reference machine (2026-11-28)
//! - **Throughput.** wiremock serves every connection from one thread with
//!   its own current-thread tokio runtime. At zero latency, `wrk -t1 -c10
//!   -d5s` against `wikifetch serve` (release build) got 27,363 requests/s;
//!   `cargo bench` measures it again each run (28,376/s in the committed
//!   report). At zero latency this, not the client, is the limit.
//! - **Delay accuracy and overlap.** Delays are timers, so they overlap:
//!   with `--latency 20ms`, `wrk -t1 -c100 -d3s` got 4,566 requests/s,
//!   exactly 100 / 21.9 ms, with p50 21.69 ms and p99 23.33 ms end to end.
//! - **Memory.** wiremock keeps a clone of every request a mock matched,
//!   even with recording disabled: RSS grew from 5.4 MB to 817 MB over
//!   136,821 requests (about 5.9 KB each). [`MockWiki::recycle`] remounts
//!   the responder and frees it; `cargo bench` recycles before every timed
//!   call and peaked at 59 MiB over a whole run.
//! - **In flight** is derived from arrival + delay, so it means nothing at
//!   zero latency.

pub mod fault;
pub mod latency;
pub mod wiki;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub use fault::{Attempts, FAULT_SPEC_HELP, Fault, FaultKind, Targets, parse_faults};
pub use latency::{LATENCY_SPEC_HELP, Latency, SpecError, parse_duration};
pub use wiki::{DEFAULT_REDIRECTS, MISSING_TITLE, extract_text, normalize};

/// The path of the API endpoint, as on Wikipedia.
pub const API_PATH: &str = "/w/api.php";

/// Builds a [`MockWiki`]. Every setting has a default: no latency, no
/// faults, the [`DEFAULT_REDIRECTS`], [`MISSING_TITLE`] missing.
#[derive(Debug, Clone, Default)]
pub struct MockWikiBuilder {
    latency: Latency,
    faults: Vec<Fault>,
    wiki: wiki::Wiki,
    seed: u64,
    port: u16,
    count_connections: bool,
    gzip: bool,
}

impl MockWikiBuilder {
    /// How long each answer is delayed.
    pub fn latency(mut self, latency: Latency) -> Self {
        self.latency = latency;
        self
    }

    /// Adds an injected fault.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Adds injected faults.
    pub fn faults(mut self, faults: impl IntoIterator<Item = Fault>) -> Self {
        self.faults.extend(faults);
        self
    }

    /// Makes the page `title` (after normalization) missing.
    pub fn missing(mut self, title: &str) -> Self {
        self.wiki.missing.insert(title.to_owned());
        self
    }

    /// Makes `from` (after normalization) redirect to `to`.
    pub fn redirect(mut self, from: &str, to: &str) -> Self {
        self.wiki.redirects.insert(from.to_owned(), to.to_owned());
        self
    }

    /// Pads each extract sentence to at least `bytes` bytes, for larger
    /// bodies. Default 0: about 100 bytes a sentence.
    pub fn sentence_bytes(mut self, bytes: usize) -> Self {
        self.wiki.sentence_bytes = bytes;
        self
    }

    /// The seed for latency samples and fault choices. Default 0.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Listens on this port of 127.0.0.1; default 0, any free port.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Puts a counting TCP relay in front of the server so that
    /// [`Stats::connections`] says how many connections clients opened.
    /// The relay costs a little latency; use it in tests, not benchmarks.
    pub fn count_connections(mut self, yes: bool) -> Self {
        self.count_connections = yes;
        self
    }

    /// Compresses answers with gzip when the client accepts it
    /// (`Accept-Encoding: gzip`), as Wikipedia does. Default off.
    pub fn gzip(mut self, yes: bool) -> Self {
        self.gzip = yes;
        self
    }

    /// Starts the server on 127.0.0.1.
    pub fn start(self) -> std::io::Result<MockWiki> {
        let public = listen(self.port)?;
        let count = self.count_connections;
        let (server_listener, relay) = if count {
            (listen(0)?, Some(public))
        } else {
            (public, None)
        };
        let shared = Arc::new(Shared {
            latency: self.latency,
            faults: self.faults,
            wiki: self.wiki,
            seed: self.seed,
            gzip: self.gzip,
            counters: Mutex::default(),
            connections: AtomicU64::new(0),
        });
        let server = block_on(async {
            let server = MockServer::builder()
                .listener(server_listener)
                .disable_request_recording()
                .start()
                .await;
            mount(&server, &shared).await;
            server
        })?;
        let address = match relay {
            Some(listener) => relay::start(listener, *server.address(), Arc::clone(&shared))?,
            None => *server.address(),
        };
        Ok(MockWiki {
            server,
            shared,
            address,
            counts_connections: count,
        })
    }
}

/// Connections a listener queues before it accepts them. std's default
/// (128) makes a client that opens 1000 connections at once wait for SYN
/// retransmits; the kernel caps this at `net.core.somaxconn`.
const BACKLOG: i32 = 4096;

/// A listening socket on 127.0.0.1:`port` with a backlog for C = 1000.
fn listen(port: u16) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// A running mock MediaWiki. Stops when dropped.
pub struct MockWiki {
    server: MockServer,
    shared: Arc<Shared>,
    address: SocketAddr,
    counts_connections: bool,
}

/// What the server has seen since it started or since [`MockWiki::reset_stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Requests answered (or being answered).
    pub requests: u64,
    /// The most requests in flight at once.
    pub max_in_flight: usize,
    /// TCP connections opened by clients, when counted
    /// ([`MockWikiBuilder::count_connections`]).
    pub connections: Option<u64>,
}

impl MockWiki {
    /// A builder with every default.
    pub fn builder() -> MockWikiBuilder {
        MockWikiBuilder::default()
    }

    /// A mock with no latency and no faults.
    pub fn start() -> std::io::Result<Self> {
        Self::builder().start()
    }

    /// The API endpoint: `http://127.0.0.1:<port>/w/api.php`.
    pub fn api_url(&self) -> String {
        format!("http://{}{API_PATH}", self.address)
    }

    /// The address clients connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Counts since start or the last reset.
    pub fn stats(&self) -> Stats {
        let c = self.shared.lock();
        Stats {
            requests: c.requests,
            max_in_flight: c.max_in_flight,
            connections: self
                .counts_connections
                .then(|| self.shared.connections.load(Ordering::Relaxed)),
        }
    }

    /// How many requests arrived for `title`, as the client sent it.
    pub fn attempts(&self, title: &str) -> u32 {
        self.shared.lock().attempts.get(title).copied().unwrap_or(0)
    }

    /// Every distinct User-Agent seen (at most 16 are kept).
    pub fn user_agents(&self) -> Vec<String> {
        let mut v: Vec<String> = self.shared.lock().user_agents.iter().cloned().collect();
        v.sort();
        v
    }

    /// The query parameters of the most recent request, decoded.
    pub fn last_query(&self) -> Vec<(String, String)> {
        self.shared
            .lock()
            .last_url
            .as_ref()
            .map_or_else(Vec::new, |url| {
                url.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
    }

    /// The headers of the most recent request, names in lower case.
    pub fn last_headers(&self) -> Vec<(String, String)> {
        self.shared
            .lock()
            .last_headers
            .iter()
            .map(|(k, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_owned(), value)
            })
            .collect()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        *self.shared.lock() = Counters::default();
        self.shared.connections.store(0, Ordering::Relaxed);
    }

    /// Frees what wiremock has accumulated (a clone of every matched
    /// request) by remounting the responder, and zeroes the counters. Call
    /// it between benchmarks; it takes a few milliseconds.
    pub fn recycle(&self) -> std::io::Result<()> {
        block_on(async {
            self.server.reset().await;
            mount(&self.server, &self.shared).await;
        })?;
        self.reset_stats();
        Ok(())
    }
}

/// Runs `future` to completion on a fresh current-thread tokio runtime on
/// its own thread, so it works from any context, async or not.
fn block_on<F: Future + Send>(future: F) -> std::io::Result<F::Output>
where
    F::Output: Send,
{
    std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(future))
        })
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the mock's admin thread panicked")))
    })
}

async fn mount(server: &MockServer, shared: &Arc<Shared>) {
    Mock::given(method("GET"))
        .and(path(API_PATH))
        .respond_with(Responder(Arc::clone(shared)))
        .mount(server)
        .await;
}

/// Settings and counters shared by the responder and the handle.
struct Shared {
    latency: Latency,
    faults: Vec<Fault>,
    wiki: wiki::Wiki,
    seed: u64,
    gzip: bool,
    counters: Mutex<Counters>,
    connections: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Counters> {
        // A panic while holding the lock leaves plain counters behind:
        // still usable.
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct Counters {
    requests: u64,
    attempts: HashMap<String, u32>,
    /// When each request now in flight will be answered.
    in_flight: BinaryHeap<Reverse<Instant>>,
    max_in_flight: usize,
    user_agents: HashSet<String>,
    last_url: Option<wiremock::http::Url>,
    last_headers: wiremock::http::HeaderMap,
}

struct Responder(Arc<Shared>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let shared = &self.0;
        let query: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let title = param("titles").unwrap_or_default().to_owned();
        let now = Instant::now();

        // One critical section per request: count it, find its fault and
        // delay (pure functions of seed, title and attempt), book it in flight.
        let (fault, delay) = {
            let mut c = shared.lock();
            c.requests += 1;
            let attempt = {
                let count = c.attempts.entry(title.clone()).or_insert(0);
                *count += 1;
                *count
            };
            if let Some(ua) = request
                .headers
                .get("user-agent")
                .and_then(|v| v.to_str().ok())
            {
                if c.user_agents.len() < 16 {
                    c.user_agents.insert(ua.to_owned());
                }
            }
            // Kept as they came; decoded only when a test asks.
            c.last_headers = request.headers.clone();
            c.last_url = Some(request.url.clone());
            let fault = shared
                .faults
                .iter()
                .find(|f| f.applies(shared.seed, &title, attempt));
            let delay = fault
                .and_then(Fault::delay)
                .unwrap_or_else(|| shared.latency.sample(shared.seed, &title, attempt));
            while c.in_flight.peek().is_some_and(|Reverse(end)| *end <= now) {
                c.in_flight.pop();
            }
            c.in_flight.push(Reverse(now + delay));
            c.max_in_flight = c.max_in_flight.max(c.in_flight.len());
            (fault, delay)
        };

        let gzip = shared.gzip
            && request
                .headers
                .get("accept-encoding")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("gzip"));
        let response = if param("action") != Some("query") || param("prop") != Some("extracts") {
            Err("wikifetch-mock answers only action=query&prop=extracts".to_owned())
        } else {
            let (sentences, version) = (param("exsentences"), param("formatversion"));
            answer(shared, &title, sentences, version, fault, gzip)
        }
        .unwrap_or_else(|bad| json_response(200, &wiki::api_error("badvalue", &bad), gzip));
        if delay.is_zero() {
            response
        } else {
            response.set_delay(delay)
        }
    }
}

fn json_response(status: u16, body: &serde_json::Value, gzip: bool) -> ResponseTemplate {
    const JSON: &str = "application/json; charset=utf-8";
    let text = body.to_string();
    if gzip {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if encoder.write_all(text.as_bytes()).is_ok() {
            if let Ok(compressed) = encoder.finish() {
                return ResponseTemplate::new(status)
                    .insert_header("content-encoding", "gzip")
                    .set_body_raw(compressed, JSON);
            }
        }
    }
    ResponseTemplate::new(status).set_body_raw(text, JSON)
}

/// The response for one request, or why its parameters are bad.
fn answer(
    shared: &Shared,
    title: &str,
    exsentences: Option<&str>,
    formatversion: Option<&str>,
    fault: Option<&Fault>,
    gzip: bool,
) -> Result<ResponseTemplate, String> {
    let sentences = match exsentences.map(str::parse::<u8>) {
        None => 10,
        Some(Ok(n)) if (1..=10).contains(&n) => n,
        Some(_) => return Err("exsentences must be a number from 1 to 10".into()),
    };
    let formatversion = if formatversion == Some("2") { 2 } else { 1 };
    let body = || shared.wiki.answer(title, sentences, formatversion);
    Ok(match fault.map(|f| &f.kind) {
        None | Some(FaultKind::Hang) => json_response(200, &body(), gzip),
        Some(FaultKind::Unavailable) => {
            ResponseTemplate::new(503).set_body_string("Service Unavailable")
        }
        Some(FaultKind::ServerError) => {
            ResponseTemplate::new(500).set_body_string("Internal Server Error")
        }
        Some(FaultKind::TooManyRequests { retry_after }) => ResponseTemplate::new(429)
            .insert_header("retry-after", retry_after.to_string().as_str())
            .set_body_string("Too Many Requests"),
        Some(FaultKind::Maxlag) => json_response(
            200,
            &wiki::api_error("maxlag", "Waiting for a database server: 7 seconds lagged."),
            gzip,
        )
        .insert_header("x-database-lag", "7"),
        Some(FaultKind::Truncated) => {
            let full = body().to_string();
            let half = full.len() / 2;
            ResponseTemplate::new(200)
                .set_body_raw(full.as_bytes()[..half].to_vec(), "application/json")
        }
        Some(FaultKind::Reset) => {
            // Promise the whole answer, send half: the server then closes
            // the connection, and the client sees it die mid-response.
            let full = body().to_string();
            ResponseTemplate::new(200)
                .insert_header("content-length", full.len().to_string().as_str())
                .set_body_raw(
                    full.as_bytes()[..full.len() / 2].to_vec(),
                    "application/json",
                )
        }
        Some(FaultKind::HugeBody(bytes)) => {
            ResponseTemplate::new(200).set_body_raw(vec![b' '; *bytes], "application/json")
        }
    })
}

/// Waits for Ctrl-C (SIGINT). For `wikifetch serve`.
pub fn wait_for_ctrl_c() -> std::io::Result<()> {
    block_on(tokio::signal::ctrl_c())?
}

mod relay {
    //! A TCP relay that counts the connections clients open, then passes
    //! bytes both ways to the wiremock server unchanged.

    use std::net::{SocketAddr, TcpListener};
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use super::Shared;

    pub(super) fn start(
        listener: TcpListener,
        upstream: SocketAddr,
        shared: Arc<Shared>,
    ) -> std::io::Result<SocketAddr> {
        let address = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // The relay lives as long as the process; tests and benches start
        // few of them, and its sockets close with the clients'.
        std::thread::Builder::new()
            .name("wikifetch-mock-relay".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    while let Ok((mut client, _)) = listener.accept().await {
                        shared.connections.fetch_add(1, Ordering::Relaxed);
                        tokio::spawn(async move {
                            if let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await {
                                let _ = client.set_nodelay(true);
                                let _ = server.set_nodelay(true);
                                let _ =
                                    tokio::io::copy_bidirectional(&mut client, &mut server).await;
                            }
                        });
                    }
                });
            })?;
        Ok(address)
    }
}
