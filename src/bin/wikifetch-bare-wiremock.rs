//! The rig's yardstick for the mock: a bare wiremock server answering
//! every request with the same bytes and nothing else, in a process of its
//! own (`wikifetch-rig`'s controls start it as they start the mock). A
//! binary of its own so that wiremock stays out of `wikifetch`.
//!
//! It takes the arguments the rig gives `wikifetch serve` and reads only
//! `--port`, `--cpus`, `--exit-with-parent` and `--bare-wiremock BYTES`.
#![allow(clippy::print_stdout)]

use std::io::Write;
use std::process::ExitCode;

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn main() -> ExitCode {
    match serve() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("wikifetch-bare-wiremock: {message}");
            ExitCode::from(2)
        }
    }
}

fn serve() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    if args.iter().any(|a| a == "--exit-with-parent") {
        wikifetch_rig::cpus::exit_with_parent()?;
    }
    // First, before any thread exists: every thread inherits the CPUs.
    if let Some(cpus) = value("--cpus") {
        wikifetch_rig::cpus::pin_this_thread(&wikifetch_rig::cpus::parse_list(cpus)?)?;
    }
    let port: u16 = value("--port")
        .unwrap_or("0")
        .parse()
        .map_err(|e| format!("--port: {e}"))?;
    let bytes: usize = value("--bare-wiremock")
        .ok_or("--bare-wiremock BYTES is required")?
        .parse()
        .map_err(|e| format!("--bare-wiremock: {e}"))?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("a runtime: {e}"))?;
    runtime.block_on(async move {
        // wiremock serves from a thread of its own; recording off, so that
        // a long run does not keep every request.
        let server = MockServer::builder()
            .listener(listener)
            .disable_request_recording()
            .start()
            .await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(vec![b' '; bytes], "application/json"),
            )
            .mount(&server)
            .await;
        println!("http://{}{}", server.address(), wikifetch_mock::API_PATH);
        std::io::stdout().flush().map_err(|e| e.to_string())?;
        tokio::signal::ctrl_c().await.map_err(|e| e.to_string())
    })
}
