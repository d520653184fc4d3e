//! The rig's own controls, measured in the same run as the rows: is the
//! mock fast enough not to be the limit, and are its delays accurate?

use std::path::Path;
use std::time::Duration;

use crate::mock_process::{MockProcess, MockSpec};
use crate::reference::Reference;
use wikifetch_core::Config;
pub use wikifetch_runlog::Controls;
use wikifetch_runlog::CpuSplit;

/// Connections the throughput control uses, like `wrk -c10`.
pub const LOAD_CONNECTIONS: usize = 10;
/// Requests per throughput round.
pub const LOAD_REQUESTS: usize = 10_000;
/// Rounds per server, alternating mock and control.
pub const LOAD_ROUNDS: usize = 3;
/// The delay whose accuracy is measured.
pub const DELAY: Duration = Duration::from_millis(20);
/// The delay line's round trip whose accuracy is measured (`serve --rtt`).
pub const RTT: Duration = Duration::from_millis(50);
/// The server's own delay behind the delay line in that measurement.
pub const RTT_SERVER_DELAY: Duration = Duration::from_millis(1);
/// Requests timed through the delay line, one at a time.
pub const RTT_REQUESTS: usize = 20;

/// Measures the controls with the mock binary `exe` and the bare wiremock
/// binary `bare` (`wikifetch-bare-wiremock`), each on `split.mock`. Takes
/// about five seconds.
pub fn measure(exe: &Path, bare: &Path, split: &CpuSplit) -> std::io::Result<Controls> {
    let io = |e: String| std::io::Error::other(e);
    let spec = MockSpec {
        cpus: split.mock.clone(),
        ..MockSpec::default()
    };
    let mut controls = Controls {
        split: split.clone(),
        load_connections: LOAD_CONNECTIONS,
        load_requests: LOAD_REQUESTS,
        load_rounds: LOAD_ROUNDS,
        delay_s: DELAY.as_secs_f64(),
        rtt_s: RTT.as_secs_f64(),
        rtt_server_delay_s: RTT_SERVER_DELAY.as_secs_f64(),
        ..Controls::default()
    };

    // Throughput: the mock against a bare wiremock serving the same bytes.
    let mock = MockProcess::start(exe, &spec)?;
    let titles = vec!["Article".to_owned()];
    let load = |url: &str| -> std::io::Result<Reference> {
        let mut config = Config::for_api(url);
        config.concurrency = LOAD_CONNECTIONS;
        Reference::new(&config, &titles).map_err(io)
    };
    let mock_client = load(mock.api_url())?;
    let warm = mock_client.send(LOAD_REQUESTS / 5);
    controls.body_bytes = warm.body_bytes / warm.ok.max(1) as u64;
    let bare = MockProcess::start(
        bare,
        &MockSpec {
            bare_wiremock: Some(usize::try_from(controls.body_bytes).unwrap_or(1024)),
            ..spec.clone()
        },
    )?;
    let bare_client = load(bare.api_url())?;
    bare_client.send(LOAD_REQUESTS / 5);
    let (mut mock_cpu, mut mock_wall, mut mock_requests) = (0.0, 0.0, 0u64);
    for _ in 0..LOAD_ROUNDS {
        let (call, sample) = crate::sample::measure(&mock, || mock_client.send(LOAD_REQUESTS))?;
        controls
            .mock_rps
            .push(call.ok as f64 / call.wall.as_secs_f64());
        mock_cpu += sample.mock_cpu_s;
        mock_wall += sample.wall_s;
        mock_requests += sample.requests;
        let call = bare_client.send(LOAD_REQUESTS);
        controls
            .bare_wiremock_rps
            .push(call.ok as f64 / call.wall.as_secs_f64());
    }
    controls.mock_cpu_per_request_s = mock_cpu / mock_requests.max(1) as f64;
    controls.mock_busy = mock_cpu / mock_wall.max(f64::MIN_POSITIVE);
    drop((bare_client, bare, mock_client, mock));

    // Delay accuracy: the mean round trip for a 20 ms delay at C = 1 and 100.
    let delayed = MockProcess::start(
        exe,
        &MockSpec {
            latency: format!("{}ms", DELAY.as_millis()),
            ..spec
        },
    )?;
    for (c, n) in [(1, 50), (100, 1000)] {
        let titles: Vec<String> = (0..n).map(|i| format!("Delay {i}")).collect();
        let mut config = Config::for_api(delayed.api_url());
        config.concurrency = c;
        let client = Reference::new(&config, &titles).map_err(io)?;
        // Untimed: opens the connections, has every answer rendered once,
        // and lets the timer learn how late this machine wakes it.
        client.run();
        let call = client.run();
        controls.delay_round_trips.push((
            c,
            call.mean_round_trip().as_secs_f64(),
            call.round_trips.len(),
        ));
    }
    drop(delayed);

    // The delay line: a kept-alive request should cost RTT + the delay.
    let line = MockProcess::start(
        exe,
        &MockSpec {
            latency: format!("{}ms", RTT_SERVER_DELAY.as_millis()),
            rtt: RTT,
            ..MockSpec {
                cpus: split.mock.clone(),
                ..MockSpec::default()
            }
        },
    )?;
    let titles: Vec<String> = (0..RTT_REQUESTS).map(|i| format!("Far {i}")).collect();
    let mut config = Config::for_api(line.api_url());
    config.concurrency = 1;
    let client = Reference::new(&config, &titles).map_err(io)?;
    // Untimed: opens the connection (one more round trip) and warms up.
    client.run();
    let call = client.run();
    controls.rtt_round_trip = Some((call.mean_round_trip().as_secs_f64(), call.round_trips.len()));
    Ok(controls)
}
