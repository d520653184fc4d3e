//! The reference client: the floor every row is measured against.
//!
//! It sends exactly the requests a strategy sends (the URL from
//! `wikifetch_core::request_url`, the same User-Agent form and
//! `Accept-Encoding: gzip`) over C kept-alive connections, and does as
//! little as an HTTP/1.1 client can: it writes the request bytes, reads
//! the status line, finds `Content-Length`, and skips that many bytes. No
//! parsing of the answer, no retries, one thread (a tokio current-thread
//! runtime built once). Over `https://` it speaks TLS through rustls
//! (trusting `Config::ca_cert_pem`, as the strategies do), so that a row
//! over TLS has a floor over TLS too. A request that takes longer than
//! `Config::timeout` fails and its connection is dropped, so a hung
//! answer (the `hang` fault) cannot hold the floor for an hour. Whatever a strategy takes beyond
//! this client, on the same mock in the same run, is the strategy's own.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use wikifetch_core::{Config, Title, request_url};

/// A connection: a socket, or TLS over one.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}
type Connection = Box<dyn Stream>;

/// Where the client connects, and how.
#[derive(Clone)]
struct Endpoint {
    address: SocketAddr,
    /// With TLS: the connector and the name the certificate must carry.
    tls: Option<(TlsConnector, ServerName<'static>)>,
}

impl Endpoint {
    async fn connect(&self) -> std::io::Result<Connection> {
        let socket = TcpStream::connect(self.address).await?;
        socket.set_nodelay(true)?;
        match &self.tls {
            None => Ok(Box::new(socket)),
            Some((connector, name)) => Ok(Box::new(connector.connect(name.clone(), socket).await?)),
        }
    }
}

/// The client's name in its User-Agent.
pub const CLIENT: &str = "wikifetch-reference";

/// What one call of the reference client did.
#[derive(Debug, Clone, Default)]
pub struct Call {
    /// Wall time of the call.
    pub wall: Duration,
    /// Answers with status 200.
    pub ok: usize,
    /// Requests that failed (another status, or the connection broke).
    pub failed: usize,
    /// Each request's round trip, write to last byte, in completion order.
    pub round_trips: Vec<Duration>,
    /// Body bytes received.
    pub body_bytes: u64,
}

impl Call {
    /// The mean round trip.
    pub fn mean_round_trip(&self) -> Duration {
        let n = u32::try_from(self.round_trips.len().max(1)).unwrap_or(u32::MAX);
        self.round_trips.iter().sum::<Duration>() / n
    }
}

/// A built reference client for one or more lists of titles (layouts) at
/// one concurrency. Every request is rendered when the client is built.
pub struct Reference {
    runtime: tokio::runtime::Runtime,
    endpoint: Endpoint,
    layouts: Vec<Arc<Vec<Vec<u8>>>>,
    concurrency: usize,
    timeout: Duration,
    pool: Mutex<Vec<Connection>>,
}

impl Reference {
    /// A client for `titles` against `config.api_url` (`http://` or
    /// `https://` on an IP address) at `config.concurrency` connections.
    pub fn new(config: &Config, titles: &[String]) -> Result<Self, String> {
        Self::with_layouts(config, &[titles.to_vec()])
    }

    /// A client for several lists of titles, one per layout, sharing its
    /// connections: [`Reference::run_layout`] picks the list.
    pub fn with_layouts(config: &Config, layouts: &[Vec<String>]) -> Result<Self, String> {
        let (scheme, rest) = config.api_url.split_once("://").unwrap_or_default();
        let authority = rest.split('/').next().unwrap_or_default();
        let address: SocketAddr = authority.parse().map_err(|_| {
            format!("the reference client needs an IP address and port: {authority}")
        })?;
        let tls = match scheme {
            "http" => None,
            "https" => {
                let config = wikifetch_core::tls::client_config(config.ca_cert_pem.as_deref())
                    .map_err(|e| format!("the reference client's TLS: {e}"))?;
                let name = ServerName::IpAddress(address.ip().into());
                Some((TlsConnector::from(Arc::new(config)), name))
            }
            _ => {
                return Err(format!(
                    "the reference client speaks http and https only: {}",
                    config.api_url
                ));
            }
        };
        let origin = scheme.len() + "://".len() + authority.len();
        let user_agent = config.user_agent(CLIENT);
        let render = |titles: &[String]| {
            titles
                .iter()
                .map(|t| {
                    let title = Title::new(t).map_err(|e| format!("{t:?}: {e}"))?;
                    let url = request_url(config, &title);
                    let target = url.get(origin..).unwrap_or("/");
                    Ok(format!(
                        "GET {target} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: {user_agent}\r\n\
                         Accept: */*\r\nAccept-Encoding: gzip\r\n\r\n"
                    )
                    .into_bytes())
                })
                .collect::<Result<Vec<_>, String>>()
                .map(Arc::new)
        };
        let layouts = layouts
            .iter()
            .map(|titles| render(titles))
            .collect::<Result<Vec<_>, String>>()?;
        if layouts.is_empty() || layouts.iter().any(|l| l.is_empty()) {
            return Err("the reference client needs at least one title".into());
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            runtime,
            endpoint: Endpoint { address, tls },
            layouts,
            concurrency: config.concurrency.max(1),
            timeout: config.timeout,
            pool: Mutex::new(Vec::new()),
        })
    }

    /// Fetches every title of the first layout once, C at a time.
    pub fn run(&self) -> Call {
        self.run_layout(0)
    }

    /// Fetches every title of layout `layout` once, C at a time (the
    /// first layout when there is no such layout).
    pub fn run_layout(&self, layout: usize) -> Call {
        let requests = self.requests(layout);
        self.send_from(requests, requests.len())
    }

    /// Sends `count` requests, cycling through the first layout's titles,
    /// C at a time: a load generator for the mock's throughput.
    pub fn send(&self, count: usize) -> Call {
        self.send_from(self.requests(0), count)
    }

    fn requests(&self, layout: usize) -> &Arc<Vec<Vec<u8>>> {
        // `with_layouts` guarantees at least one.
        &self.layouts[if layout < self.layouts.len() {
            layout
        } else {
            0
        }]
    }

    fn send_from(&self, requests: &Arc<Vec<Vec<u8>>>, count: usize) -> Call {
        let mut idle = std::mem::take(&mut *self.pool.lock().unwrap_or_else(|e| e.into_inner()));
        let next = Arc::new(AtomicUsize::new(0));
        let (concurrency, timeout) = (self.concurrency.min(count.max(1)), self.timeout);
        let call = self.runtime.block_on(async {
            let start = Instant::now();
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..concurrency {
                let (requests, next) = (Arc::clone(requests), Arc::clone(&next));
                let stream = idle.pop();
                let endpoint = self.endpoint.clone();
                tasks.spawn(worker(endpoint, stream, requests, next, count, timeout));
            }
            let mut call = Call::default();
            let mut kept = Vec::new();
            while let Some(joined) = tasks.join_next().await {
                if let Ok(done) = joined {
                    call.ok += done.ok;
                    call.failed += done.failed;
                    call.round_trips.extend(done.round_trips);
                    call.body_bytes += done.body_bytes;
                    kept.extend(done.stream);
                }
            }
            call.wall = start.elapsed();
            (call, kept)
        });
        *self.pool.lock().unwrap_or_else(|e| e.into_inner()) = call.1;
        call.0
    }
}

struct WorkerDone {
    ok: usize,
    failed: usize,
    round_trips: Vec<Duration>,
    body_bytes: u64,
    stream: Option<Connection>,
}

async fn worker(
    endpoint: Endpoint,
    mut stream: Option<Connection>,
    requests: Arc<Vec<Vec<u8>>>,
    next: Arc<AtomicUsize>,
    count: usize,
    timeout: Duration,
) -> WorkerDone {
    let mut done = WorkerDone {
        ok: 0,
        failed: 0,
        round_trips: Vec::new(),
        body_bytes: 0,
        stream: None,
    };
    let mut buffer = Vec::with_capacity(16 * 1024);
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= count {
            break;
        }
        let request = &requests[i % requests.len()];
        let sent = Instant::now();
        let connection = match stream.take() {
            Some(s) => Ok(s),
            None => endpoint.connect().await,
        };
        let Ok(mut connection) = connection else {
            done.failed += 1;
            continue;
        };
        let answered =
            tokio::time::timeout(timeout, exchange(&mut connection, request, &mut buffer))
                .await
                .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()));
        match answered {
            Ok((status, length)) => {
                done.round_trips.push(sent.elapsed());
                done.body_bytes += length as u64;
                if status == 200 {
                    done.ok += 1;
                } else {
                    done.failed += 1;
                }
                stream = Some(connection);
            }
            // Broken or timed out: the connection is dropped, and the next
            // request opens another.
            Err(_) => done.failed += 1,
        }
    }
    done.stream = stream;
    done
}

/// Writes one request and reads its answer; returns the status and the
/// body's length.
async fn exchange(
    stream: &mut Connection,
    request: &[u8],
    buffer: &mut Vec<u8>,
) -> std::io::Result<(u16, usize)> {
    stream.write_all(request).await?;
    buffer.clear();
    let header_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if stream.read_buf(buffer).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    };
    let head = std::str::from_utf8(&buffer[..header_end]).map_err(std::io::Error::other)?;
    let (status, length) = parse_head(head)?;
    while buffer.len() < header_end + length {
        if stream.read_buf(buffer).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    }
    Ok((status, length))
}

/// The status and `Content-Length` of a response head.
fn parse_head(head: &str) -> std::io::Result<(u16, usize)> {
    let bad = |what: &str| std::io::Error::other(format!("bad response head: {what}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("status line"))?;
    let length = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .ok_or_else(|| bad("no Content-Length"))?;
    Ok((status, length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_and_length() {
        let head = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nContent-Length: 19\r\n\r\n";
        assert_eq!(parse_head(head).unwrap(), (503, 19));
        assert!(parse_head("HTTP/1.1 200 OK\r\n\r\n").is_err());
    }

    #[test]
    fn fetches_every_title_over_c_kept_connections() {
        let mock = wikifetch_mock::MockWiki::builder()
            .latency(wikifetch_mock::Latency::Fixed(Duration::from_millis(5)))
            .start()
            .unwrap();
        let mut config = Config::for_api(&mock.api_url());
        config.concurrency = 4;
        let titles: Vec<String> = (0..20).map(|i| format!("AT&T {i}")).collect();
        let client = Reference::new(&config, &titles).unwrap();
        let first = client.run();
        assert_eq!((first.ok, first.failed), (20, 0));
        assert_eq!(mock.stats().connections, 4);
        assert_eq!(mock.stats().max_in_flight, 4);
        assert!(mock.attempts("AT&T 7") == 1, "titles arrive byte-exact");
        mock.reset_stats();
        let again = client.run();
        assert_eq!(
            (again.ok, mock.stats().connections),
            (20, 0),
            "connections kept"
        );
        assert!(again.mean_round_trip() >= Duration::from_millis(5));
        assert!(again.wall >= Duration::from_millis(25));
        let load = client.send(50);
        assert_eq!(load.ok, 50);
    }

    #[test]
    fn over_tls_it_trusts_the_given_ca_and_keeps_its_handshakes() {
        let mock = wikifetch_mock::MockWiki::builder()
            .tls(true)
            .start()
            .unwrap();
        let mut config = Config::for_api(&mock.api_url());
        config.concurrency = 3;
        let titles: Vec<String> = (0..12).map(|i| format!("AT&T {i}")).collect();
        // Without the mock's CA the web roots refuse its certificate.
        let untrusted = Reference::new(&config, &titles).unwrap().run();
        assert_eq!((untrusted.ok, mock.stats().requests), (0, 0));
        config.ca_cert_pem = mock.ca_cert_pem().map(str::to_owned);
        let client = Reference::new(&config, &titles).unwrap();
        assert_eq!(client.run().ok, 12);
        assert!(mock.attempts("AT&T 7") == 1, "titles arrive byte-exact");
        let stats = mock.stats();
        assert_eq!((stats.connections, stats.tls13_connections), (3, 3));
        mock.reset_stats();
        assert_eq!(client.run().ok, 12);
        assert_eq!(mock.stats().tls13_connections, 0, "sessions kept");
    }

    #[test]
    fn a_hung_answer_fails_after_the_timeout_and_the_rest_arrive() {
        let mock = wikifetch_mock::MockWiki::builder()
            .fault(wikifetch_mock::Fault::always(
                wikifetch_mock::FaultKind::Hang,
                &["Stuck"],
            ))
            .start()
            .unwrap();
        let mut config = Config::for_api(&mock.api_url());
        config.concurrency = 2;
        config.timeout = Duration::from_millis(200);
        let titles: Vec<String> = ["A", "Stuck", "B", "C"].map(String::from).to_vec();
        let started = std::time::Instant::now();
        let call = Reference::new(&config, &titles).unwrap().run();
        assert_eq!((call.ok, call.failed), (3, 1));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
