//! # wikifetch-mock
//!
//! A local MediaWiki server for tests, benchmarks and classrooms: it
//! answers `GET` or `POST /w/api.php?action=query&prop=extracts&…` for any
//! title with a deterministic extract, the other modules the usual clients
//! send (see `api`), and injects latency and faults that are pure
//! functions of a seed, the title and the attempt, so every run can be
//! repeated exactly.
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
//!   `maxlag`, `ratelimited`, truncated JSON, hangs (bounded), huge bodies,
//!   gzip bombs), per title and attempt.
//! - [`wiki`]: the pretend wiki: normalization, redirects, missing pages,
//!   disambiguation pages, articles with sections, format versions 1 and 2.
//! - `api`: requests read as MediaWiki reads them (GET, POST,
//!   `format`, `formatversion`, unknown parameters) and one module a file:
//!   `extracts`, `info`, `pageprops`, `revisions`, `siteinfo`, `userinfo`,
//!   `search`, `random`, `parse`.
//! - `server`: hyper 1 on one current-thread tokio runtime per worker
//!   ([`MockWikiBuilder::workers`], `SO_REUSEPORT`), and the admin paths
//!   [`STATS_PATH`] and [`RESET_PATH`] for a mock in its own process.
//! - `respond`: each answer rendered once and then served as shared bytes.
//! - `timer`: delays counted from arrival on a high-resolution timer thread
//!   that measures its own lateness and fires early by the low end of it.
//!
//! # What it measures
//! [`MockWiki::stats`] counts requests, the most requests in flight at once
//! (from arrival until the answer is handed to the connection) and the
//! connections that carried a request. [`MockWiki::attempts`] counts
//! requests per title.
//!
//! # Limits, measured on the 2-core reference machine (2026-11-29)
//! - **Throughput.** `taskset -c 0 wrk -t1 -c100 -d60s` against `wikifetch
//!   serve --latency 0 --cpus 1` (2026-11-29): 86,123 requests/s for a
//!   minute (99,613 in an earlier run the same day). `cargo
//!   bench` measures it again every run against a bare wiremock server on
//!   the same core (see `results/REPORT.md`, "The rig, measured").
//! - **Memory.** Bounded: the answer cache holds at most 20,000 answers and
//!   the attempt counts at most 1,000,000 titles; nothing keeps requests.
//!   In the minute above (5,168,525 requests) resident memory went from
//!   5.7 MB to 7.4 MB.
//! - **Delay accuracy.** A delay is a minimum for nearly every answer: the
//!   timer fires early by the low end of its own measured lateness (never
//!   by more than half the delay or 2 ms), so an answer whose threads all
//!   woke on time leaves slightly early. End to end, through `wrk -t1 -d2s`
//!   in the committed `cargo bench` run (2026-11-29 08:50 UTC), a 20 ms
//!   delay cost 20.5 ms at 1 connection and 20.7 ms at 100. What is above 20 ms is outside the delay: a loopback
//!   round trip on this virtual machine costs 0.08–0.09 ms with no delay
//!   (median of `wrk -t1 -c1 -d3s --latency`, 2026-11-29),
//!   a CPU that sat idle for 20 ms wakes more slowly, and at 100
//!   connections answers that fall due together are written one after
//!   another by one thread (and read so by the client).

mod api;
mod delay_line;
pub mod fault;
pub mod latency;
mod respond;
mod server;
mod timer;
pub mod title;
mod tls;
pub mod wiki;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use fault::{Attempts, FAULT_SPEC_HELP, Fault, FaultKind, HANG_LIMIT, Targets, parse_faults};
pub use latency::{LATENCY_SPEC_HELP, Latency, SpecError, parse_duration};
pub use respond::{MAXLAG_MIN_RETRY_AFTER, RATELIMITED_INFO};
pub use server::{RESET_PATH, STATS_PATH};
pub use wiki::{
    DEFAULT_REDIRECTS, FILE_WARNING, LIMIT_LOWERED, MAX_EXTRACTS, MAX_TITLES, MISSING_TITLE,
    article_sentences, extract_for, extract_text, intro_sentences, normalize,
};

/// The path of the API endpoint, as on Wikipedia.
pub const API_PATH: &str = "/w/api.php";

/// The most connections a mock serves at once unless told otherwise
/// ([`MockWikiBuilder::max_connections`]): far above what the rig opens
/// (`compare` keeps every row's pool open), and a bound on what a
/// classroom, or anything else on the network, can make the mock hold.
pub const MAX_CONNECTIONS: usize = 65_536;

/// Distinct titles whose attempts are remembered (for faults that apply to
/// the first k attempts); past this the memory starts over, so a load
/// generator sending endless distinct titles cannot grow the mock.
const ATTEMPT_TITLES: usize = 1_000_000;

/// Builds a [`MockWiki`]. Every setting has a default: no latency, no
/// faults, the [`DEFAULT_REDIRECTS`], [`MISSING_TITLE`] missing, one worker.
#[derive(Debug, Clone, Default)]
pub struct MockWikiBuilder {
    latency: Latency,
    faults: Vec<Fault>,
    wiki: wiki::Wiki,
    seed: u64,
    port: u16,
    bind: Option<IpAddr>,
    max_connections: Option<usize>,
    gzip: bool,
    workers: usize,
    record_last_request: bool,
    tls: bool,
    rtt: Duration,
}

impl MockWikiBuilder {
    /// Serves HTTPS with a certificate signed by a CA made at start-up
    /// ([`MockWiki::ca_cert_pem`]). Default off: plain HTTP.
    pub fn tls(mut self, yes: bool) -> Self {
        self.tls = yes;
        self
    }

    /// Puts a delay line of this round trip in front of every connection
    /// (see `delay_line`): each byte crosses after half of it, and a new
    /// connection waits one round trip before its first byte. Default 0:
    /// none.
    pub fn rtt(mut self, rtt: Duration) -> Self {
        self.rtt = rtt;
        self
    }

    /// How long each answer is delayed, counted from the request's arrival.
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

    /// Makes the page `title` (after normalization) a disambiguation page:
    /// `prop=pageprops` gives it the `disambiguation` property. Every mock
    /// has the [`wiki::DEFAULT_DISAMBIGUATION`] pages.
    pub fn disambiguation(mut self, title: &str) -> Self {
        self.wiki.disambiguation.insert(title.to_owned());
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

    /// Listens on this address instead of 127.0.0.1, for other machines
    /// (a classroom's network). The admin listener of a layered mock stays
    /// on 127.0.0.1.
    pub fn bind(mut self, address: IpAddr) -> Self {
        self.bind = Some(address);
        self
    }

    /// Serves at most this many connections at once; past it the mock
    /// stops accepting until one closes (the kernel's backlog holds the
    /// rest). Default [`MAX_CONNECTIONS`].
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = Some(max.max(1));
        self
    }

    /// Compresses answers with gzip when the client accepts it
    /// (`Accept-Encoding: gzip`), as Wikipedia does. Default off.
    pub fn gzip(mut self, yes: bool) -> Self {
        self.gzip = yes;
        self
    }

    /// Serves the port from `k` threads, each with its own `SO_REUSEPORT`
    /// listener (the kernel spreads connections over them), for machines
    /// that can give the mock more than one core. Default 1. The counters
    /// stay one set.
    pub fn workers(mut self, k: usize) -> Self {
        self.workers = k;
        self
    }

    /// Keeps the URL and headers of the most recent request for
    /// [`MockWiki::last_query`] and [`MockWiki::last_headers`]. Default off:
    /// it copies every request, which only tests need.
    pub fn record_last_request(mut self, yes: bool) -> Self {
        self.record_last_request = yes;
        self
    }

    /// Starts the server on 127.0.0.1.
    pub fn start(self) -> std::io::Result<MockWiki> {
        let ip = self.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let mut listeners: Vec<_> = server::listeners(ip, self.port, self.workers.max(1))?
            .into_iter()
            .map(|l| (l, server::Listener::Api))
            .collect();
        let address = listeners[0].0.local_addr()?;
        // With layers, the admin paths get a plain listener of their own.
        let admin_address = if layered(self.tls, self.rtt) {
            let admin = server::listeners(IpAddr::V4(Ipv4Addr::LOCALHOST), 0, 1)?
                .into_iter()
                .next()
                .ok_or_else(|| std::io::Error::other("no admin listener"))?;
            let address = admin.local_addr()?;
            listeners.push((admin, server::Listener::Admin));
            Some(address)
        } else {
            None
        };
        let mut wiki = self.wiki;
        let scheme = if self.tls { "https" } else { "http" };
        wiki.server = format!("{scheme}://{address}");
        let shared = Arc::new(Shared {
            latency: self.latency,
            faults: self.faults,
            wiki,
            seed: self.seed,
            gzip: self.gzip,
            record_last_request: self.record_last_request,
            renderer: respond::Renderer::default(),
            timer: {
                let timer = timer::Timer::start()?;
                timer.calibrate()?;
                timer
            },
            counters: Mutex::default(),
            connections: AtomicU64::new(0),
            connection_slots: Arc::new(tokio::sync::Semaphore::new(
                self.max_connections.unwrap_or(MAX_CONNECTIONS),
            )),
            rtt: (!self.rtt.is_zero()).then_some(self.rtt),
            tls: if self.tls {
                Some(tls::Tls::generate()?)
            } else {
                None
            },
            tls13: AtomicU64::new(0),
            tls12: AtomicU64::new(0),
        });
        let workers = server::start(listeners, &shared)?;
        Ok(MockWiki {
            _workers: workers,
            shared,
            address,
            admin_address,
        })
    }
}

/// Whether a mock with these settings has layers in front of hyper (TLS,
/// a delay line of round trip `rtt`), and so serves its admin paths on a
/// plain listener of its own ([`MockWiki::admin_address`]).
pub fn layered(tls: bool, rtt: Duration) -> bool {
    tls || !rtt.is_zero()
}

/// A running mock MediaWiki. Stops when dropped.
pub struct MockWiki {
    // Declared first: dropped (workers stopped and joined) before the rest.
    _workers: server::Workers,
    shared: Arc<Shared>,
    address: SocketAddr,
    admin_address: Option<SocketAddr>,
}

/// What the server has seen since it started or since the last reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Requests answered (or being answered).
    pub requests: u64,
    /// The most requests in flight at once: each request counts from its
    /// arrival until its answer is handed to the connection.
    pub max_in_flight: usize,
    /// TCP connections accepted.
    pub connections: u64,
    /// Connections that negotiated TLS 1.3 (0 without TLS).
    pub tls13_connections: u64,
    /// Connections that negotiated TLS 1.2.
    pub tls12_connections: u64,
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

    /// The API endpoint: `http://127.0.0.1:<port>/w/api.php`, or
    /// `https://…` with TLS.
    pub fn api_url(&self) -> String {
        let scheme = if self.shared.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}{API_PATH}", self.address)
    }

    /// The CA certificate (PEM) that signed the mock's certificate, when it
    /// serves HTTPS: what a client must trust.
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.shared.tls.as_ref().map(|t| t.ca_pem.as_str())
    }

    /// The address clients connect to.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where the admin paths are served plain, without the layers, when
    /// the mock has any (TLS or a delay line): `http://<this>/__wikifetch/stats`.
    pub fn admin_address(&self) -> Option<SocketAddr> {
        self.admin_address
    }

    /// Counts since start or the last reset.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
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

    /// The query parameters of the most recent request, decoded (with
    /// [`MockWikiBuilder::record_last_request`]; empty otherwise).
    pub fn last_query(&self) -> Vec<(String, String)> {
        self.shared
            .lock()
            .last_request
            .as_ref()
            .map_or_else(Vec::new, |(uri, _)| {
                form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
    }

    /// The headers of the most recent request, names in lower case (with
    /// [`MockWikiBuilder::record_last_request`]; empty otherwise).
    pub fn last_headers(&self) -> Vec<(String, String)> {
        self.shared
            .lock()
            .last_request
            .as_ref()
            .map_or_else(Vec::new, |(_, headers)| {
                headers
                    .iter()
                    .map(|(k, v)| {
                        let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                        (k.as_str().to_owned(), value)
                    })
                    .collect()
            })
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.shared.reset();
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

/// Settings, caches and counters shared by the workers and the handle.
pub(crate) struct Shared {
    latency: Latency,
    faults: Vec<Fault>,
    wiki: wiki::Wiki,
    seed: u64,
    gzip: bool,
    record_last_request: bool,
    renderer: respond::Renderer,
    timer: timer::Timer,
    counters: Mutex<Counters>,
    connections: AtomicU64,
    /// One permit per connection being served ([`MAX_CONNECTIONS`]).
    connection_slots: Arc<tokio::sync::Semaphore>,
    rtt: Option<Duration>,
    tls: Option<tls::Tls>,
    tls13: AtomicU64,
    tls12: AtomicU64,
}

#[derive(Default)]
struct Counters {
    requests: u64,
    attempts: HashMap<String, u32>,
    /// Requests between arrival and answer now.
    in_flight: usize,
    max_in_flight: usize,
    user_agents: HashSet<String>,
    last_request: Option<(hyper::Uri, hyper::HeaderMap)>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Counters> {
        // A panic while holding the lock leaves plain counters behind:
        // still usable.
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stats(&self) -> Stats {
        let c = self.lock();
        Stats {
            requests: c.requests,
            max_in_flight: c.max_in_flight,
            connections: self.connections.load(Ordering::Relaxed),
            tls13_connections: self.tls13.load(Ordering::Relaxed),
            tls12_connections: self.tls12.load(Ordering::Relaxed),
        }
    }

    fn reset(&self) {
        let mut c = self.lock();
        // Requests still in flight stay counted, so their answers can
        // leave without the count going below zero.
        let in_flight = c.in_flight;
        *c = Counters {
            in_flight,
            max_in_flight: in_flight,
            ..Counters::default()
        };
        self.connections.store(0, Ordering::Relaxed);
        self.tls13.store(0, Ordering::Relaxed);
        self.tls12.store(0, Ordering::Relaxed);
    }

    /// The answer to a request booked with [`Shared::book`] is leaving (or
    /// the request was dropped).
    fn answered(&self) {
        let mut c = self.lock();
        c.in_flight = c.in_flight.saturating_sub(1);
    }

    fn tls_negotiated(&self, version: Option<tokio_rustls::rustls::ProtocolVersion>) {
        use tokio_rustls::rustls::ProtocolVersion;
        match version {
            Some(ProtocolVersion::TLSv1_3) => self.tls13.fetch_add(1, Ordering::Relaxed),
            Some(ProtocolVersion::TLSv1_2) => self.tls12.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }

    fn connection_opened(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters plus this process's CPU time, as the stats endpoint
    /// sends them.
    fn snapshot_json(&self) -> serde_json::Value {
        let stats = self.stats();
        serde_json::json!({
            "requests": stats.requests,
            "max_in_flight": stats.max_in_flight,
            "connections": stats.connections,
            "tls13_connections": stats.tls13_connections,
            "tls12_connections": stats.tls12_connections,
            "cpu_ns": process_cpu_ns(),
        })
    }

    /// Counts one request for `titles` (one title, or several split by
    /// `|`), in flight until the returned guard drops, and decides its
    /// fault and delay: one critical section per request.
    ///
    /// Each title's attempt count goes up by one. A batch is one request:
    /// it fails if a fault applies to any of its titles at that title's
    /// attempt, and its delay is drawn once, for the whole `titles` value
    /// (for one title, exactly as before batches existed).
    fn book(
        &self,
        titles: &str,
        user_agent: Option<&str>,
        last: impl FnOnce() -> (hyper::Uri, hyper::HeaderMap),
    ) -> (Option<&Fault>, Duration, InFlight<'_>) {
        let mut c = self.lock();
        c.requests += 1;
        let mut fault = None;
        let mut latest = 0;
        for title in titles.split('|') {
            if c.attempts.len() >= ATTEMPT_TITLES && !c.attempts.contains_key(title) {
                c.attempts.clear();
            }
            // A title seen before costs a lookup, not an allocation: this
            // runs for every request the rows send.
            let attempt = match c.attempts.get_mut(title) {
                Some(count) => {
                    *count += 1;
                    *count
                }
                None => {
                    c.attempts.insert(title.to_owned(), 1);
                    1
                }
            };
            latest = latest.max(attempt);
            if fault.is_none() {
                fault = self
                    .faults
                    .iter()
                    .find(|f| f.applies(self.seed, title, attempt));
            }
        }
        if let Some(ua) = user_agent {
            if c.user_agents.len() < 16 && !c.user_agents.contains(ua) {
                c.user_agents.insert(ua.to_owned());
            }
        }
        if self.record_last_request {
            c.last_request = Some(last());
        }
        let delay = fault
            .and_then(Fault::delay)
            .unwrap_or_else(|| self.latency.sample(self.seed, titles, latest));
        c.in_flight += 1;
        c.max_in_flight = c.max_in_flight.max(c.in_flight);
        (fault, delay, InFlight(self))
    }
}

/// A request between its arrival and its answer; counted out when dropped.
pub(crate) struct InFlight<'s>(&'s Shared);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.answered();
    }
}

/// CPU time this process has used (all threads, user and system), in
/// nanoseconds, from `CLOCK_PROCESS_CPUTIME_ID`.
pub fn process_cpu_ns() -> u64 {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_PROCESS_CPUTIME_ID).map_or(0, |t| {
        u64::try_from(Duration::from(t).as_nanos()).unwrap_or(u64::MAX)
    })
}

/// Waits for Ctrl-C (SIGINT). For `wikifetch serve`.
pub fn wait_for_ctrl_c() -> std::io::Result<()> {
    block_on(tokio::signal::ctrl_c())?
}
