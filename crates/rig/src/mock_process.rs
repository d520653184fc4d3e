//! The mock in a process of its own: started as `wikifetch serve`, pinned
//! to its own CPUs, and asked for its counters over its admin paths.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wikifetch_mock::{RESET_PATH, STATS_PATH};

/// How to start the mock process: the `wikifetch serve` options.
#[derive(Debug, Clone, Default)]
pub struct MockSpec {
    /// `--latency`, a latency spec (`20ms`, `lognormal:20ms,p99=200ms`); empty: none.
    pub latency: String,
    /// `--faults`, a fault spec; empty: none.
    pub faults: String,
    /// `--seed`.
    pub seed: u64,
    /// `--workers`: threads serving the port (0 or 1: one).
    pub workers: usize,
    /// `--cpus`: where the process may run (empty: anywhere).
    pub cpus: Vec<usize>,
    /// `--rtt`, the delay line's round trip; zero: none.
    pub rtt: Duration,
    /// `--tls`: serve HTTPS; the CA certificate goes to a file of the
    /// process's ([`MockProcess::ca_cert`]).
    pub tls: bool,
    /// `--bare-wiremock BYTES`: start the control server instead, a bare
    /// wiremock answering every request with this many bytes.
    pub bare_wiremock: Option<usize>,
}

impl MockSpec {
    /// Whether the mock has layers (TLS, a delay line), and so serves the
    /// admin paths on a plain listener of their own.
    pub fn layered(&self) -> bool {
        wikifetch_mock::layered(self.tls, self.rtt)
    }

    /// The command-line arguments for `wikifetch serve`; `ca_out` is where
    /// `--tls` writes its CA certificate.
    pub fn args(&self, ca_out: Option<&Path>) -> Vec<String> {
        let mut args = vec![
            "serve".to_owned(),
            "--port".into(),
            "0".into(),
            "--exit-with-parent".into(),
        ];
        let mut opt = |name: &str, value: String| {
            args.push(name.to_owned());
            args.push(value);
        };
        if !self.latency.is_empty() {
            opt("--latency", self.latency.clone());
        }
        if !self.faults.is_empty() {
            opt("--faults", self.faults.clone());
        }
        opt("--seed", self.seed.to_string());
        opt("--workers", self.workers.max(1).to_string());
        if !self.cpus.is_empty() {
            opt("--cpus", crate::cpus::list(&self.cpus));
        }
        if !self.rtt.is_zero() {
            opt("--rtt", format!("{}us", self.rtt.as_micros()));
        }
        if let Some(bytes) = self.bare_wiremock {
            opt("--bare-wiremock", bytes.to_string());
        }
        if let (true, Some(path)) = (self.tls, ca_out) {
            args.push("--tls".into());
            args.extend(["--ca-out".into(), path.display().to_string()]);
        }
        args
    }
}

/// The mock's counters, as its stats path reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MockStats {
    /// API requests since the last reset.
    pub requests: u64,
    /// The most API requests in flight at once since the last reset.
    pub max_in_flight: usize,
    /// Connections that carried an API request since the last reset
    /// (kept-alive ones opened before it are not counted again).
    pub connections: u64,
    /// The mock process's CPU time so far (all threads), nanoseconds.
    pub cpu_ns: u64,
    /// Connections that negotiated TLS 1.3 since the last reset: full
    /// handshakes, each one round trip through the delay line.
    #[serde(default)]
    pub tls13_connections: u64,
    /// Connections that negotiated TLS 1.2 (two round trips each).
    #[serde(default)]
    pub tls12_connections: u64,
}

/// A running mock process. Killed when dropped.
pub struct MockProcess {
    child: Child,
    address: SocketAddr,
    /// Where the admin paths are: past the layers when there are any.
    admin: SocketAddr,
    url: String,
    ca_cert: Option<PathBuf>,
}

/// Numbers the CA files of one process's mocks.
static MOCKS: AtomicUsize = AtomicUsize::new(0);

impl MockProcess {
    /// Starts `exe` (the `wikifetch` binary) as `serve` with `spec`, and
    /// waits for it to print its URL.
    pub fn start(exe: &Path, spec: &MockSpec) -> std::io::Result<Self> {
        let ca_cert = spec.tls.then(|| {
            std::env::temp_dir().join(format!(
                "wikifetch-rig-ca-{}-{}.pem",
                std::process::id(),
                MOCKS.fetch_add(1, Ordering::Relaxed)
            ))
        });
        let mut child = Command::new(exe)
            .args(spec.args(ca_cert.as_deref()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        // The URL first; a layered mock's admin address next.
        let lines = child.stdout.take().map(|out| {
            let mut out = BufReader::new(out);
            let mut read = || {
                let mut line = String::new();
                out.read_line(&mut line).map(|_| line.trim().to_owned())
            };
            let url = read()?;
            let admin = if spec.layered() {
                read()?
            } else {
                String::new()
            };
            Ok::<_, std::io::Error>((url, admin))
        });
        let (url, admin) = match lines {
            Some(Ok((url, admin))) if url.starts_with("http://") || url.starts_with("https://") => {
                (url, admin)
            }
            _ => {
                let _ = child.kill();
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                let _ = child.wait();
                return Err(std::io::Error::other(format!(
                    "the mock process did not start: {}",
                    err.trim()
                )));
            }
        };
        let parse = |text: &str| -> std::io::Result<SocketAddr> {
            text.split("://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .and_then(|a| a.parse().ok())
                .ok_or_else(|| std::io::Error::other(format!("bad mock address {text:?}")))
        };
        let address = parse(&url)?;
        let admin = if spec.layered() {
            parse(admin.trim_start_matches("admin "))?
        } else {
            address
        };
        Ok(Self {
            child,
            address,
            admin,
            url,
            ca_cert,
        })
    }

    /// The API endpoint.
    pub fn api_url(&self) -> &str {
        &self.url
    }

    /// Where its admin paths are (`http://…`, no path): past the layers
    /// when it has any, for a client other than the rig.
    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin)
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The CA certificate's file when the mock serves HTTPS: what a client
    /// must trust (`Config::ca_cert_pem`, `--ca-cert`).
    pub fn ca_cert(&self) -> Option<&Path> {
        self.ca_cert.as_deref()
    }

    /// The process id, for reading its memory from `/proc`.
    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap_or(0)
    }

    /// The counters now.
    pub fn stats(&self) -> std::io::Result<MockStats> {
        admin(self.admin, STATS_PATH)
    }

    /// Zeroes the counters; returns them as they were just after (CPU
    /// time included).
    pub fn reset(&self) -> std::io::Result<MockStats> {
        admin(self.admin, RESET_PATH)
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(path) = &self.ca_cert {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// One admin request on a connection of its own.
fn admin(address: SocketAddr, path: &str) -> std::io::Result<MockStats> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    let (head, body) = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (&reply[..i], &reply[i + 4..]))
        .ok_or_else(|| std::io::Error::other("the mock's admin answer has no body"))?;
    // Not the mock (or an older one without admin paths): say so plainly.
    let status = String::from_utf8_lossy(head);
    if !status.starts_with("HTTP/1.1 200") {
        let line = status.lines().next().unwrap_or_default();
        return Err(std::io::Error::other(format!(
            "{path} answered {line:?}, not the mock's counters"
        )));
    }
    serde_json::from_slice(body).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_answer_that_is_not_200_is_an_error_naming_it() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            // Read the whole request first: closing a socket with unread
            // bytes sends a reset, which can discard the answer before the
            // client reads it.
            let mut request = Vec::new();
            let mut chunk = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&chunk[..n]),
                }
            }
            stream
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}")
                .unwrap();
            let _ = stream.shutdown(std::net::Shutdown::Write);
        });
        let error = admin(address, STATS_PATH).unwrap_err().to_string();
        server.join().unwrap();
        assert!(error.contains("404 Not Found"), "{error}");
    }

    #[test]
    fn a_layered_mock_serves_its_counters_plain_and_its_api_only_through_the_layers() {
        let mock = wikifetch_mock::MockWiki::builder()
            .tls(true)
            .rtt(Duration::from_millis(20))
            .start()
            .unwrap();
        let admin_at = mock.admin_address().unwrap();
        let started = std::time::Instant::now();
        let stats = admin(admin_at, STATS_PATH).unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(20),
            "no delay line"
        );
        assert_eq!((stats.requests, stats.tls13_connections), (0, 0));
        // The API is not served on the admin listener.
        let error = admin(admin_at, wikifetch_mock::API_PATH).unwrap_err();
        assert!(error.to_string().contains("404"), "{error}");
        assert!(
            wikifetch_mock::MockWiki::start()
                .unwrap()
                .admin_address()
                .is_none()
        );
    }

    #[test]
    fn reads_the_counters_of_a_mock() {
        let mock = wikifetch_mock::MockWiki::start().unwrap();
        let stats = admin(mock.address(), STATS_PATH).unwrap();
        assert_eq!((stats.requests, stats.connections), (0, 0));
        assert!(stats.cpu_ns > 0);
    }
}
