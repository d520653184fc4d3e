//! # wikifetch-futures-http: the hyper client the task rows share
//!
//! The code the `async-std` and `smol` strategies share, so that the only
//! difference between them is the executor that polls the tasks; the
//! controls use it too, so that one thing differs at a time: `tokio-hyper`
//! and `tokio-current-thread` run it on tokio's reactor, and
//! `thread-pool-hyper` on OS threads, each blocking in `poll(2)`.
//!
//! - [`Client`]: an HTTP/1.1 client with keep-alive connection reuse,
//!   timeouts and a body-size cap. It is [hyper] 1's low-level
//!   `client::conn::http1` over an [`async_net::TcpStream`] (TLS by
//!   [`futures_rustls`] for `https`), adapted from `futures-io` to hyper's
//!   I/O traits by this crate's `io` module (why not `smol-hyper`'s
//!   adapter: see there). Sockets and timers come from a [`Reactor`]:
//!   by default [`async_io`]'s, the reactor that async-std and smol both
//!   use, with no tokio runtime anywhere (hyper uses only tokio's `sync`
//!   channels internally); `tokio-hyper` plugs in tokio's.
//! - [`Executor`]: what a strategy supplies: `spawn` a task and `block_on`
//!   a future.
//! - [`fetch_all`]: the bounded "as completed" loop: keep C tasks in
//!   flight, record each result in its input slot as it arrives.
//!
//! Why not `surf`, the client async-std used to recommend? It works, but
//! its default h1 pool keeps 50 connections per host, so at C = 100 half
//! the requests queue for a connection; measured while planning, 1000
//! requests at C = 100 took twice the ideal. A small client on hyper has no
//! such hidden limit: it keeps as many idle connections as `C`.

mod io;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_lite::FutureExt;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use wikifetch_core::{
    Collector, Config, FetchError, FetchResult, HttpReply, Progress, SetupError, describe,
    fetch_async, panic_message, retry_after,
};

/// The client library and major version, for the User-Agent.
pub const CLIENT: &str = "hyper/1";

/// A task the executor runs to completion in the background.
pub type Task = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// An async executor: the only thing the async-std and smol strategies do
/// differently.
pub trait Executor: Send + Sync {
    /// Runs `task` in the background, on the executor's threads.
    fn spawn(&self, task: Task);
    /// Runs `future` on the calling thread until it completes, while the
    /// executor runs the spawned tasks.
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T;
}

/// Any stream hyper can speak HTTP/1.1 over: plain TCP or TLS.
pub trait Stream: futures_lite::AsyncRead + futures_lite::AsyncWrite + Send + Unpin {}
impl<T: futures_lite::AsyncRead + futures_lite::AsyncWrite + Send + Unpin> Stream for T {}

/// A boxed future, as a [`Reactor`] returns them.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Where sockets and timers come from. [`AsyncIo`], the reactor that
/// async-std and smol share, unless a strategy brings another (the
/// `tokio-hyper` control brings tokio's), so that the client, its pool
/// and its loop stay the same code whatever drives them.
pub trait Reactor: Send + Sync + 'static {
    /// A TCP connection to `host:port`, with `TCP_NODELAY`.
    fn connect(&self, host: String, port: u16) -> BoxFuture<std::io::Result<Box<dyn Stream>>>;
    /// Completes after `wait`.
    fn sleep(&self, wait: Duration) -> BoxFuture<()>;
}

/// async-io's reactor: `async-net` sockets and `async-io` timers.
#[derive(Debug, Clone, Copy, Default)]
pub struct AsyncIo;

impl Reactor for AsyncIo {
    fn connect(&self, host: String, port: u16) -> BoxFuture<std::io::Result<Box<dyn Stream>>> {
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = async_net::resolve((host.as_str(), port)).await?;
            let tcp = async_net::TcpStream::connect(addresses.as_slice()).await?;
            let _ = tcp.set_nodelay(true);
            Ok(Box::new(tcp) as Box<dyn Stream>)
        })
    }

    fn sleep(&self, wait: Duration) -> BoxFuture<()> {
        Box::pin(async move {
            async_io::Timer::after(wait).await;
        })
    }
}

type Sender = SendRequest<Empty<Bytes>>;

/// Where requests go: the parts of `Config::api_url` a connection needs.
#[derive(Clone)]
struct Origin {
    host: String,
    port: u16,
    tls: Option<futures_rustls::TlsConnector>,
}

/// An HTTP/1.1 client on a [`Reactor`] (async-io's by default) with a pool
/// of kept-alive connections.
pub struct Client {
    config: Config,
    origin: Origin,
    user_agent: String,
    idle: Mutex<Vec<Sender>>,
    max_idle: usize,
    spawn: Arc<dyn Fn(Task) + Send + Sync>,
    reactor: Arc<dyn Reactor>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("host", &self.origin.host)
            .field("port", &self.origin.port)
            .field("tls", &self.origin.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config` on async-io's reactor; `spawn` runs each
    /// connection's background task (hyper's connection driver) on the
    /// strategy's executor.
    pub fn new(
        config: &Config,
        spawn: Arc<dyn Fn(Task) + Send + Sync>,
        strategy: &'static str,
    ) -> Result<Self, SetupError> {
        Self::with_reactor(config, spawn, strategy, Arc::new(AsyncIo))
    }

    /// The same client on another [`Reactor`].
    pub fn with_reactor(
        config: &Config,
        spawn: Arc<dyn Fn(Task) + Send + Sync>,
        strategy: &'static str,
        reactor: Arc<dyn Reactor>,
    ) -> Result<Self, SetupError> {
        wikifetch_core::limits::prepare(config)?;
        let start_error = |message: String| SetupError::Start { strategy, message };
        let uri: hyper::Uri = config
            .api_url
            .parse()
            .map_err(|e| start_error(format!("api_url {:?}: {e}", config.api_url)))?;
        let https = uri.scheme_str() == Some("https");
        let host = uri
            .host()
            .ok_or_else(|| start_error(format!("api_url {:?} has no host", config.api_url)))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tls = if https {
            let tls = wikifetch_core::tls::client_config(config.ca_cert_pem.as_deref())
                .map_err(|e| start_error(format!("could not set up TLS: {e}")))?;
            Some(futures_rustls::TlsConnector::from(Arc::new(tls)))
        } else {
            None
        };
        Ok(Self {
            origin: Origin {
                port: uri.port_u16().unwrap_or(if https { 443 } else { 80 }),
                host,
                tls,
            },
            user_agent: config.user_agent(CLIENT),
            idle: Mutex::new(Vec::new()),
            // Without keep-alive no connection goes back to the pool: each
            // request opens its own, and closes it when its answer is read.
            max_idle: if config.keep_alive {
                config.concurrency
            } else {
                0
            },
            config: config.clone(),
            spawn,
            reactor,
        })
    }

    /// A client with the same settings, executor and reactor, and a pool
    /// of connections of its own, empty: for a strategy whose threads each
    /// drive their own connections (`thread-pool-hyper`), where a
    /// connection handed to another thread would wait for its owner.
    pub fn sibling(&self) -> Self {
        Self {
            config: self.config.clone(),
            origin: self.origin.clone(),
            user_agent: self.user_agent.clone(),
            idle: Mutex::new(Vec::new()),
            max_idle: self.max_idle,
            spawn: Arc::clone(&self.spawn),
            reactor: Arc::clone(&self.reactor),
        }
    }

    /// The configuration this client follows.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Fetches one title, retrying as the policy says, waiting on the
    /// reactor's timer between attempts.
    pub async fn fetch_one(&self, title: &str) -> FetchResult {
        let sleep = |wait: Duration| self.reactor.sleep(wait);
        fetch_async(&self.config, title, |url| self.get(url), sleep).await
    }

    /// One GET within `Config::timeout`: connect (or reuse), send, read.
    async fn get(&self, url: String) -> Result<HttpReply, FetchError> {
        let timeout = self.config.timeout;
        let expired = self.reactor.sleep(timeout);
        // The task parks until the exchange finishes or the reactor's timer
        // ends it, whichever comes first.
        self.exchange(url)
            .or(async move {
                expired.await;
                Err(FetchError::Timeout { after: timeout })
            })
            .await
    }

    async fn exchange(&self, url: String) -> Result<HttpReply, FetchError> {
        let uri: hyper::Uri = url.parse().map_err(|e| FetchError::Transport {
            message: format!("bad request URL: {e}"),
        })?;
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let request = hyper::Request::get(path)
            .header(hyper::header::HOST, self.host_header())
            .header(hyper::header::USER_AGENT, &self.user_agent)
            .header(hyper::header::ACCEPT, "application/json")
            // Wikipedia compresses JSON well; the body cap applies to the
            // decompressed size too, so a gzip bomb ends as TooLarge.
            .header(hyper::header::ACCEPT_ENCODING, "gzip")
            .body(Empty::<Bytes>::new())
            .map_err(|e| FetchError::Transport {
                message: describe(&e),
            })?;
        // Parks until a kept connection is ready or a new one is connected.
        let mut sender = self.connection().await?;
        // Parks until the status line and headers arrive: the socket I/O is
        // done by the connection's driver, a task of its own.
        let response = sender.send_request(request).await.map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = retry_after(
            response
                .headers()
                .get(hyper::header::RETRY_AFTER)
                .map(|v| v.as_bytes()),
        );
        let gzipped = response
            .headers()
            .get(hyper::header::CONTENT_ENCODING)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
        let limit = self.config.max_body_bytes;
        // Parks again while the body arrives.
        let body = Limited::new(
            response.into_body(),
            usize::try_from(limit).unwrap_or(usize::MAX),
        )
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                FetchError::TooLarge { limit }
            } else {
                FetchError::Transport {
                    message: describe(&*e),
                }
            }
        })?
        .to_bytes()
        .to_vec();
        // The whole body was read, so the connection is ready for the next
        // request: keep it.
        self.release(sender);
        let body = if gzipped { gunzip(&body, limit)? } else { body };
        Ok(HttpReply {
            status,
            retry_after,
            body,
        })
    }

    fn host_header(&self) -> String {
        let default_port = if self.origin.tls.is_some() { 443 } else { 80 };
        let host = if self.origin.host.contains(':') {
            format!("[{}]", self.origin.host)
        } else {
            self.origin.host.clone()
        };
        if self.origin.port == default_port {
            host
        } else {
            format!("{host}:{}", self.origin.port)
        }
    }

    /// An idle kept-alive connection, or a new one.
    async fn connection(&self) -> Result<Sender, FetchError> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            match idle {
                Some(mut sender) if !sender.is_closed() => {
                    // Usually ready at once; if the server closed it, try the next.
                    if sender.ready().await.is_ok() {
                        return Ok(sender);
                    }
                }
                Some(_) => {}
                None => return self.connect().await,
            }
        }
    }

    fn release(&self, sender: Sender) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.max_idle && !sender.is_closed() {
            idle.push(sender);
        }
    }

    async fn connect(&self) -> Result<Sender, FetchError> {
        let Origin { host, port, tls } = &self.origin;
        let tcp = self
            .reactor
            .connect(host.clone(), *port)
            .await
            .map_err(|e| connect_error(&e, host, *port))?;
        let stream: Box<dyn Stream> = match tls {
            None => Box::new(tcp),
            Some(tls) => {
                let name = rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| {
                    FetchError::Connect {
                        message: format!("{host} is not a valid TLS server name: {e}"),
                    }
                })?;
                Box::new(
                    tls.connect(name, tcp)
                        .await
                        .map_err(|e| FetchError::Connect {
                            message: format!("TLS handshake with {host}: {e}"),
                        })?,
                )
            }
        };
        let (sender, connection) = hyper::client::conn::http1::handshake(io::HyperIo(stream))
            .await
            .map_err(transport)?;
        // hyper's connection driver reads and writes the socket; it ends
        // when the sender is dropped or the server closes the connection.
        (self.spawn)(Box::pin(async move {
            let _ = connection.await;
        }));
        Ok(sender)
    }
}

/// Decompresses a gzip body, reading at most `limit` + 1 bytes of output.
fn gunzip(body: &[u8], limit: u64) -> Result<Vec<u8>, FetchError> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| FetchError::Malformed {
            message: format!("bad gzip body: {e}"),
        })?;
    if out.len() as u64 > limit {
        return Err(FetchError::TooLarge { limit });
    }
    Ok(out)
}

fn transport(e: hyper::Error) -> FetchError {
    FetchError::Transport {
        message: describe(&e),
    }
}

fn connect_error(e: &std::io::Error, host: &str, port: u16) -> FetchError {
    let message = format!("{host}:{port}: {e}");
    // EMFILE/ENFILE: out of file descriptors, not a network problem.
    if matches!(e.raw_os_error(), Some(23 | 24)) {
        FetchError::Resource {
            message: format!(
                "{message}; raise the open-files limit (ulimit -n) or lower --concurrency"
            ),
        }
    } else {
        FetchError::Connect { message }
    }
}

/// Fetches every title with at most `Config::concurrency` tasks in flight
/// on `executor`, one result per title in input order, each reported to
/// `progress` as it completes.
pub fn fetch_all<E: Executor>(
    executor: &E,
    client: &Arc<Client>,
    titles: &[String],
    progress: &dyn Progress,
) -> Vec<FetchResult> {
    let mut collector = Collector::new(titles.len(), progress);
    let c = client.config().concurrency;
    // The calling thread runs this loop inside `block_on` until every result
    // is in; whether it also runs the tasks is the executor's choice.
    executor.block_on(async {
        // Each task sends exactly one (index, result), panics included, so
        // counting what comes back tells how many are still in flight.
        let (done, completions) = async_channel::unbounded();
        let mut pending = titles.iter().enumerate();
        let mut in_flight = 0;
        loop {
            // Top up to C tasks in flight, in input order.
            while in_flight < c {
                let Some((index, title)) = pending.next() else {
                    break;
                };
                let (client, title, done) = (Arc::clone(client), title.clone(), done.clone());
                progress.started(index);
                // The task parks whenever its socket or timer is not ready,
                // and the reactor wakes it (`Client::fetch_one`); a panic is
                // an error for its title only.
                executor.spawn(Box::pin(async move {
                    let result = std::panic::AssertUnwindSafe(client.fetch_one(&title))
                        .catch_unwind()
                        .await
                        .unwrap_or_else(|payload| {
                            Err(FetchError::Panicked {
                                message: panic_message(&*payload),
                            })
                        });
                    // Unbounded: the send never waits, and wakes the loop.
                    let _ = done.send((index, result)).await;
                }));
                in_flight += 1;
            }
            // Nothing started and nothing out: every result is in.
            if in_flight == 0 {
                break;
            }
            // The loop parks here on the channel until some task finishes,
            // in whatever order they finish.
            let Ok((index, result)) = completions.recv().await else {
                break;
            };
            in_flight -= 1;
            // Into its input slot, and reported now; its place is refilled
            // on the next turn.
            collector.complete(index, result);
        }
    });
    collector.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn a_body_within_the_cap_is_decompressed_whole() {
        let body = br#"{"query":{"pages":[]}}"#;
        let limit = body.len() as u64;
        assert_eq!(gunzip(&gzip(body), limit).unwrap(), body);
    }

    /// A gzip bomb: a few kilobytes that expand to 4 MiB, against a 64 KiB
    /// cap. It ends as `TooLarge`, and reading stopped one byte past the
    /// cap instead of expanding the rest.
    #[test]
    fn a_gzip_bomb_stops_one_byte_past_the_cap() {
        let bomb = gzip(&vec![b' '; 4 << 20]);
        assert!(bomb.len() < 8 << 10, "{} bytes", bomb.len());
        let limit = 64 << 10;
        assert_eq!(gunzip(&bomb, limit), Err(FetchError::TooLarge { limit }));
        // One byte over is over; exactly the cap is not.
        let exact = vec![b' '; 1000];
        assert_eq!(gunzip(&gzip(&exact), 1000).unwrap().len(), 1000);
        assert_eq!(
            gunzip(&gzip(&exact), 999),
            Err(FetchError::TooLarge { limit: 999 })
        );
    }

    #[test]
    fn a_body_that_is_not_gzip_is_malformed() {
        let err = gunzip(b"{\"plain\": true}", 1 << 20).unwrap_err();
        assert_eq!(err.kind(), "parse", "{err}");
    }
}
