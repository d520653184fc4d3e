//! `wikifetch serve`: the mock MediaWiki in the foreground.

use std::io::{self, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use wikifetch_mock::{FAULT_SPEC_HELP, LATENCY_SPEC_HELP, Latency, MockWiki, parse_faults};

use super::{duration, latency};

#[derive(Parser)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. The default serves this machine only; any
    /// other (`0.0.0.0`, a LAN address) opens the mock to that network,
    /// for a classroom, and says so.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: IpAddr,
    /// The most connections served at once; past it new ones wait in the
    /// kernel's queue until one closes.
    #[arg(long, default_value_t = wikifetch_mock::MAX_CONNECTIONS)]
    pub max_connections: usize,
    #[arg(long, default_value = "0", value_parser = latency, help = format!("Delay before each answer: {LATENCY_SPEC_HELP}"))]
    pub latency: Latency,
    #[arg(long, default_value = "", help = format!("Injected failures: {FAULT_SPEC_HELP}"))]
    pub faults: String,
    /// Seed for latency samples and fault choices.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Threads serving the port, each with its own SO_REUSEPORT listener
    /// (give the mock as many cores as it has workers).
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// Run only on these CPUs, like `taskset -c` (for example `1` or `2,3`).
    #[arg(long, value_name = "LIST")]
    pub cpus: Option<String>,
    /// Serve HTTPS, with a certificate signed by a CA made at start-up; the
    /// CA certificate is written to `--ca-out` for clients to trust
    /// (`wikifetch fetch --ca-cert PATH`).
    #[arg(long)]
    pub tls: bool,
    /// Where `--tls` writes the CA certificate (PEM). Default: a file named
    /// after the port in the system's temporary directory.
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub ca_out: Option<PathBuf>,
    /// A network round trip in front of the mock, like `50ms`: each byte
    /// crosses after half of it, and a new connection waits one round trip
    /// before its first byte (TCP's handshake). Default 0: loopback.
    #[arg(long, default_value = "0", value_parser = duration)]
    pub rtt: Duration,
    /// Exit when the process that started this one does (the rig's mocks).
    #[arg(long, hide = true)]
    pub exit_with_parent: bool,
}

/// The warning for a mock served beyond this machine: `None` for a
/// loopback address.
pub fn open_network_warning(bind: IpAddr) -> Option<String> {
    if bind.is_loopback() {
        return None;
    }
    let reach = if bind.is_unspecified() {
        "every network this machine is on".to_owned()
    } else {
        format!("the network of {bind}")
    };
    Some(format!(
        "wikifetch: warning: the mock is open to {reach}: anyone who can reach this \
         machine can send it requests and read or reset its counters. It has no \
         authentication; serve it only on a network you trust (a classroom's), and stop it after."
    ))
}

pub fn serve(args: ServeArgs) -> Result<ExitCode, String> {
    if args.exit_with_parent {
        wikifetch_rig::cpus::exit_with_parent()?;
    }
    // First, before any thread exists: every thread inherits the CPUs.
    if let Some(cpus) = &args.cpus {
        wikifetch_rig::cpus::pin_this_thread(&wikifetch_rig::cpus::parse_list(cpus)?)?;
    }
    let faults = parse_faults(&args.faults).map_err(|e| e.to_string())?;
    // Clients may hold thousands of connections (`compare` keeps every
    // row's pool open at once): raise the open-files limit as far as the
    // hard limit allows, and say so if it stays below 8192.
    let _ = wikifetch_core::limits::ensure_open_files(1 << 20);
    if let Err(e) = wikifetch_core::limits::ensure_open_files(8192) {
        eprintln!("wikifetch: warning: {e}");
    }
    if let Some(warning) = open_network_warning(args.bind) {
        eprintln!("{warning}");
    }
    let mock = MockWiki::builder()
        .port(args.port)
        .bind(args.bind)
        .max_connections(args.max_connections)
        .latency(args.latency)
        .faults(faults)
        .seed(args.seed)
        .workers(args.workers)
        .tls(args.tls)
        .rtt(args.rtt)
        .start()
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    if let Some(pem) = mock.ca_cert_pem() {
        let path = args.ca_out.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("wikifetch-mock-ca-{}.pem", mock.address().port()))
        });
        std::fs::write(&path, pem)
            .map_err(|e| format!("cannot write the CA certificate to {}: {e}", path.display()))?;
        eprintln!(
            "wikifetch: the mock's CA certificate is in {}; trust it with --ca-cert {0}",
            path.display()
        );
    }
    if !args.rtt.is_zero() {
        eprintln!(
            "wikifetch: a {:?} round trip is added to every request, and one more to every new connection",
            args.rtt
        );
    }
    println!("{}", mock.api_url());
    // The rig reads the counters here, past the layers (`wikifetch-rig`).
    if let Some(admin) = mock.admin_address() {
        println!("admin http://{admin}");
    }
    eprintln!(
        "wikifetch: serving a mock MediaWiki (latency {}) at {}; Ctrl-C stops it",
        args.latency,
        mock.api_url()
    );
    io::stdout().flush().map_err(|e| e.to_string())?;
    wikifetch_mock::wait_for_ctrl_c().map_err(|e| e.to_string())?;
    let stats = mock.stats();
    eprintln!(
        "wikifetch: stopped after {} requests on {} connections (at most {} in flight)",
        stats.requests, stats.connections, stats.max_in_flight
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_loopback_address_goes_unwarned() {
        assert_eq!(open_network_warning("127.0.0.1".parse().unwrap()), None);
        assert_eq!(open_network_warning("::1".parse().unwrap()), None);
        let all = open_network_warning("0.0.0.0".parse().unwrap()).unwrap();
        assert!(all.contains("open to every network"), "{all}");
        let lan = open_network_warning("192.168.1.20".parse().unwrap()).unwrap();
        assert!(lan.contains("192.168.1.20"), "{lan}");
    }
}
