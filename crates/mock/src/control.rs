//! The mock's control: a bare wiremock server answering every request with
//! one fixed body and nothing else (no parsing, no counters, no delay).
//!
//! The rig loads it and the mock alike, on the same core, and prints both
//! throughputs side by side: a mock that reaches a good fraction of what a
//! bare off-the-shelf server does is not the rig's weak point. Like every
//! wiremock server it keeps a copy of each request it matched, so use it
//! for short runs only.

use std::net::SocketAddr;

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::block_on;

/// A running bare wiremock server. Stops when dropped.
pub struct BareWiremock {
    server: MockServer,
}

impl BareWiremock {
    /// Serves `body` as `application/json` to every GET on 127.0.0.1:`port`
    /// (0: any free port).
    pub fn start(port: u16, body: Vec<u8>) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        let server = block_on(async move {
            let server = MockServer::builder()
                .listener(listener)
                .disable_request_recording()
                .start()
                .await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
                .mount(&server)
                .await;
            server
        })?;
        Ok(Self { server })
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        *self.server.address()
    }
}
