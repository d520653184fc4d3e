//! The mock in a process of its own: started as `wikifetch serve`, pinned
//! to its own CPUs, and asked for its counters over its admin paths.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
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
    /// `--rtt`, a round trip for the delay line (`50ms`); empty: none.
    pub rtt: String,
    /// `--bare-wiremock BYTES`: start the control server instead, a bare
    /// wiremock answering every request with this many bytes.
    pub bare_wiremock: Option<usize>,
}

impl MockSpec {
    /// The command-line arguments for `wikifetch serve`.
    pub fn args(&self) -> Vec<String> {
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
        if !self.rtt.is_empty() {
            opt("--rtt", self.rtt.clone());
        }
        if let Some(bytes) = self.bare_wiremock {
            opt("--bare-wiremock", bytes.to_string());
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
}

/// A running mock process. Killed when dropped.
pub struct MockProcess {
    child: Child,
    address: SocketAddr,
    url: String,
}

impl MockProcess {
    /// Starts `exe` (the `wikifetch` binary) as `serve` with `spec`, and
    /// waits for it to print its URL.
    pub fn start(exe: &Path, spec: &MockSpec) -> std::io::Result<Self> {
        let mut child = Command::new(exe)
            .args(spec.args())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let first = child.stdout.take().map(|out| {
            let mut line = String::new();
            BufReader::new(out).read_line(&mut line).map(|_| line)
        });
        let url = match first {
            Some(Ok(line)) if line.starts_with("http://") => line.trim().to_owned(),
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
        let address = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad mock URL {url:?}")))?;
        Ok(Self {
            child,
            address,
            url,
        })
    }

    /// The API endpoint.
    pub fn api_url(&self) -> &str {
        &self.url
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The process id, for reading its memory from `/proc`.
    pub fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap_or(0)
    }

    /// The counters now.
    pub fn stats(&self) -> std::io::Result<MockStats> {
        admin(self.address, STATS_PATH)
    }

    /// Zeroes the counters; returns them as they were just after (CPU
    /// time included).
    pub fn reset(&self) -> std::io::Result<MockStats> {
        admin(self.address, RESET_PATH)
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    fn reads_the_counters_of_a_mock() {
        let mock = wikifetch_mock::MockWiki::start().unwrap();
        let stats = admin(mock.address(), STATS_PATH).unwrap();
        assert_eq!((stats.requests, stats.connections), (0, 0));
        assert!(stats.cpu_ns > 0);
    }
}
