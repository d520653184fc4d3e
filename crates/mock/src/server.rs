//! The HTTP/1.1 server: hyper 1 on tokio, one current-thread runtime per
//! worker, each accepting on its own `SO_REUSEPORT` listener of one port.
//!
//! It is the layer wiremock would provide, written out because wiremock
//! keeps a clone of every request a mounted mock matched (even with
//! recording disabled, and even after its scoped guard is dropped, until a
//! `reset` that leaves a moment with nothing mounted), so a long-running
//! mock grew without bound; and because counting connections and timing
//! from arrival need the accept loop. Every connection gets `TCP_NODELAY`
//! and is counted at its first API request.
//!
//! Besides the API, two admin paths serve the rig when the mock runs in
//! its own process: `GET /__wikifetch/stats` (the counters, the process's
//! CPU time, as JSON) and `GET /__wikifetch/reset` (zero the counters,
//! then answer as stats does). Neither counts as a request or a connection.
//! A mock with layers (TLS, the delay line) also serves them, and only
//! them, on a plain listener of its own: reading the counters through the
//! layers would cost the rig a handshake and round trips, and count a
//! TLS connection that is not the client's.

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{Request, Response};

use http_body_util::BodyExt;

use crate::api::params::{MAX_BODY, Params};
use crate::respond::{Answer, Ask};
use crate::{API_PATH, Shared};

/// Where the rig reads the counters.
pub const STATS_PATH: &str = "/__wikifetch/stats";
/// Where the rig zeroes the counters.
pub const RESET_PATH: &str = "/__wikifetch/reset";

/// The running workers. Dropping it stops them and waits for them.
pub(crate) struct Workers {
    stop: tokio::sync::watch::Sender<bool>,
    threads: Vec<JoinHandle<()>>,
}

impl Drop for Workers {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Which paths a listener serves, and through which layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listener {
    /// The API and the admin paths, through the mock's layers.
    Api,
    /// The admin paths only, plain HTTP with no layer.
    Admin,
}

/// Serves `shared` on every listener, one worker thread each.
pub(crate) fn start(
    listeners: Vec<(TcpListener, Listener)>,
    shared: &Arc<Shared>,
) -> std::io::Result<Workers> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut workers = Workers {
        stop,
        threads: Vec::new(),
    };
    for (i, (listener, kind)) in listeners.into_iter().enumerate() {
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        // Registered here, so that a listener the runtime cannot take is an
        // error from `start`, not a worker that quietly never serves.
        let listener = {
            let _inside = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (shared, stopped) = (Arc::clone(shared), stopped.clone());
        let thread = std::thread::Builder::new()
            .name(format!("wikifetch-mock-{i}"))
            .spawn(move || runtime.block_on(accept_loop(listener, kind, shared, stopped)))?;
        workers.threads.push(thread);
    }
    Ok(workers)
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    kind: Listener,
    shared: Arc<Shared>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        // A connection slot first: at the cap, nothing more is accepted
        // until a connection closes.
        let slot = tokio::select! {
            biased;
            _ = stopped.changed() => return,
            slot = Arc::clone(&shared.connection_slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => return,
            },
        };
        let (stream, peer) = tokio::select! {
            biased;
            _ = stopped.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => (stream, peer.ip()),
                // Out of file descriptors and the like: keep serving the
                // connections we have, and try again shortly (not in a
                // loop that would take the CPU from them).
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let io: Box<dyn Io> = match kind {
                Listener::Admin => Box::new(stream),
                Listener::Api => match layers(stream, &shared).await {
                    Some(io) => io,
                    None => return,
                },
            };
            // Counted at its first API request: a connection that only
            // carried admin requests (the rig's) is not the client's.
            let counted = Arc::new(AtomicBool::new(false));
            let service_shared = Arc::clone(&shared);
            let service = hyper::service::service_fn(move |request| {
                let (shared, counted) = (Arc::clone(&service_shared), Arc::clone(&counted));
                async move { Ok::<_, Infallible>(handle(&shared, kind, &counted, peer, request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .header_read_timeout(None)
                .serve_connection(hyper_util::rt::TokioIo::new(io), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopped.changed() => {}
            }
        });
    }
}

/// A stream hyper can serve: the socket, or what a layer made of it.
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

/// The accepted socket behind the mock's optional layers: the delay line
/// (`rtt`), then TLS, whose handshake therefore crosses the delay line.
/// `None` when the TLS handshake fails (the connection is dropped).
async fn layers(stream: tokio::net::TcpStream, shared: &Arc<Shared>) -> Option<Box<dyn Io>> {
    let io: Box<dyn Io> = match shared.rtt {
        Some(rtt) => Box::new(crate::delay_line::wrap(stream, rtt, shared)),
        None => Box::new(stream),
    };
    let Some(tls) = &shared.tls else {
        return Some(io);
    };
    let stream = tls.acceptor.accept(io).await.ok()?;
    shared.tls_negotiated(stream.get_ref().1.protocol_version());
    Some(Box::new(stream))
}

async fn handle(
    shared: &Shared,
    kind: Listener,
    counted: &AtomicBool,
    peer: std::net::IpAddr,
    request: Request<Incoming>,
) -> Response<Payload> {
    let arrival = Instant::now();
    match request.uri().path() {
        API_PATH if kind == Listener::Api => {}
        STATS_PATH => return send(json_answer(&shared.snapshot_json())),
        RESET_PATH => {
            shared.reset();
            return send(json_answer(&shared.snapshot_json()));
        }
        _ => return send(Answer::not_found()),
    }
    if !counted.swap(true, Ordering::Relaxed) {
        shared.connection_opened();
    }
    let (parts, body) = request.into_parts();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    // A POST's body is read (GET's is not, as PHP does not), bounded: past
    // MAX_BODY bytes the request is refused before more is read.
    let body = if parts.method == hyper::Method::POST {
        match http_body_util::Limited::new(body, MAX_BODY).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return send(Answer::too_large()),
        }
    } else {
        Bytes::new()
    };
    let params = Params::from_request(parts.uri.query(), header("content-type"), &body);
    let title = params.get("titles").unwrap_or_default();
    let (fault, delay, _in_flight) = shared.book(title, header("user-agent"), || {
        (parts.uri.clone(), parts.headers.clone())
    });
    let accepts_gzip = header("accept-encoding").is_some_and(|v| v.contains("gzip"));
    let ask = Ask {
        params: &params,
        gzip: shared.gzip && accepts_gzip,
        accepts_gzip,
        client: Some(peer),
    };
    let answer = shared.renderer.answer(&shared.wiki, ask, fault);
    if !delay.is_zero() {
        shared.timer.sleep_until(arrival + delay, delay).await;
    }
    send(answer)
}

fn json_answer(value: &serde_json::Value) -> Answer {
    Answer::plain(200, "application/json", value.to_string())
}

/// A response body: whole, or cut short with the connection dying after
/// the part that was sent (the `reset` fault).
enum Payload {
    Whole(Full<Bytes>),
    Cut(Cut),
}

/// Where a cut-short body is: its part still to send, then one pause so
/// that hyper flushes it to the socket, then dead.
enum Cut {
    Part(Bytes),
    Flush,
    Dead,
}

impl hyper::body::Body for Payload {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Self::Whole(full) => Pin::new(full)
                .poll_frame(cx)
                .map_err(|never: Infallible| match never {}),
            // The part, a pause (hyper flushes what it has while the body
            // is pending), then an error: hyper aborts the connection.
            Self::Cut(cut) => match std::mem::replace(cut, Cut::Dead) {
                Cut::Part(bytes) => {
                    *cut = Cut::Flush;
                    Poll::Ready(Some(Ok(Frame::data(bytes))))
                }
                Cut::Flush => {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                Cut::Dead => Poll::Ready(Some(Err(std::io::Error::other(
                    "the connection dies mid-answer",
                )))),
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Whole(full) => full.is_end_stream(),
            Self::Cut(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Whole(full) => full.size_hint(),
            Self::Cut(_) => SizeHint::default(),
        }
    }
}

fn send(answer: Answer) -> Response<Payload> {
    let body = if answer.dies {
        Payload::Cut(Cut::Part(answer.body))
    } else {
        Payload::Whole(Full::new(answer.body))
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        hyper::StatusCode::from_u16(answer.status).unwrap_or(hyper::StatusCode::OK);
    for (name, value) in answer.headers {
        if let Ok(value) = hyper::header::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// `count` listeners on one port of `ip` (`port` 0: any free one),
/// sharing it with `SO_REUSEPORT`, so the kernel spreads connections over
/// the workers.
pub(crate) fn listeners(
    ip: std::net::IpAddr,
    port: u16,
    count: usize,
) -> std::io::Result<Vec<TcpListener>> {
    // SO_REUSEPORT only when several workers share the port: otherwise a
    // second mock on the same port would silently split the traffic.
    let shared = count > 1;
    let first = listen(ip, port, shared)?;
    let port = first.local_addr()?.port();
    let mut all = vec![first];
    for _ in 1..count.max(1) {
        all.push(listen(ip, port, shared)?);
    }
    Ok(all)
}

/// Connections a listener queues before it accepts them. std's default
/// (128) makes a client that opens 1000 connections at once wait for SYN
/// retransmits; the kernel caps this at `net.core.somaxconn`.
const BACKLOG: i32 = 4096;

fn listen(ip: std::net::IpAddr, port: u16, reuse_port: bool) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(
        Domain::for_address(SocketAddr::new(ip, port)),
        Type::STREAM,
        None,
    )?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(reuse_port)?;
    socket.bind(&SocketAddr::new(ip, port).into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::time::Duration;

    use crate::{Fault, FaultKind, Latency, MockWiki};

    /// Sends `head` (the request line and headers, without the blank
    /// line) and `body`, and returns the status and the body.
    fn send_raw(mock: &MockWiki, head: &str, body: &[u8]) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(mock.address()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = format!(
            "{head}\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        // The server may refuse a large body before reading it all.
        let _ = s.write_all(body);
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = answer[9..12].parse().unwrap();
        let body = answer.split_once("\r\n\r\n").unwrap().1.to_owned();
        (status, body)
    }

    fn post(mock: &MockWiki, query: &str, content_type: &str, body: &[u8]) -> (u16, String) {
        send_raw(
            mock,
            &format!("POST /w/api.php{query} HTTP/1.1\r\nContent-Type: {content_type}"),
            body,
        )
    }

    const FORM: &str = "application/x-www-form-urlencoded";

    #[test]
    fn a_post_body_is_read_as_mediawiki_reads_it() {
        let mock = MockWiki::start().unwrap();
        let (status, body) = post(
            &mock,
            "",
            FORM,
            b"action=query&prop=extracts&exsentences=2&explaintext=1&format=json&formatversion=2&titles=Rust",
        );
        assert_eq!(status, 200);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v["query"]["pages"][0]["extract"],
            crate::extract_text("Rust", 2, 0)
        );
        // Query and body together: both read, the body's value wins.
        let (_, body) = post(
            &mock,
            "?action=query&prop=extracts&titles=Go&format=xml",
            FORM,
            b"format=json&formatversion=2&explaintext=1&exsentences=1",
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v["query"]["pages"][0]["extract"],
            crate::extract_text("Go", 1, 0)
        );
        // Multipart, as `requests` sends it with `files=`.
        let multipart =
            "--b0\r\nContent-Disposition: form-data; name=\"titles\"\r\n\r\nZürich\r\n--b0--\r\n";
        let (_, body) = post(
            &mock,
            "?action=query&prop=extracts&explaintext=1&exsentences=1&format=json&formatversion=2",
            "multipart/form-data; boundary=b0",
            multipart.as_bytes(),
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["query"]["pages"][0]["title"], "Zürich");
        assert_eq!(mock.stats().requests, 3);
    }

    #[test]
    fn a_body_past_the_bound_is_refused() {
        let mock = MockWiki::start().unwrap();
        let big = vec![b'a'; crate::api::params::MAX_BODY + 1];
        let (status, _) = post(&mock, "", FORM, &big);
        assert_eq!(status, 413);
        // The bound itself is accepted.
        let mut at = b"action=query&format=json&x=".to_vec();
        at.resize(crate::api::params::MAX_BODY, b'a');
        assert_eq!(post(&mock, "", FORM, &at).0, 200);
    }

    #[test]
    fn latency_faults_and_counters_apply_to_every_request() {
        let mock = MockWiki::builder()
            .latency(Latency::Fixed(Duration::from_millis(150)))
            .fault(Fault::always(FaultKind::Unavailable, &["Broken"]))
            .start()
            .unwrap();
        let started = std::time::Instant::now();
        let (status, _) = send_raw(
            &mock,
            "GET /w/api.php?action=query&list=foo&format=json HTTP/1.1",
            b"",
        );
        assert_eq!(status, 200);
        assert!(started.elapsed() >= Duration::from_millis(140));
        let (status, _) = post(
            &mock,
            "",
            FORM,
            b"action=query&prop=info&titles=Broken&format=json",
        );
        assert_eq!(status, 503);
        assert_eq!(mock.stats().requests, 2);
        assert_eq!(mock.attempts("Broken"), 1);
    }

    #[test]
    fn userinfo_names_the_client_and_is_never_cached() {
        let mock = MockWiki::start().unwrap();
        let get = "GET /w/api.php?action=query&meta=userinfo&format=json&formatversion=2 HTTP/1.1";
        let (_, body) = send_raw(&mock, get, b"");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["query"]["userinfo"]["name"], "127.0.0.1");
        assert_eq!(v["query"]["userinfo"]["anon"], true);
    }

    #[test]
    fn past_the_connection_cap_nothing_more_is_accepted_until_one_closes() {
        let mock = MockWiki::builder().max_connections(1).start().unwrap();
        let first = std::net::TcpStream::connect(mock.address()).unwrap();
        // The second connection is queued by the kernel, not served.
        let mut second = std::net::TcpStream::connect(mock.address()).unwrap();
        second
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        second
            .write_all(b"GET /w/api.php?action=query&format=json HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut buf = [0u8; 64];
        assert!(second.read(&mut buf).is_err(), "served past the cap");
        drop(first);
        second
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let n = second.read(&mut buf).unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &buf[..n]);
    }
}
