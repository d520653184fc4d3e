//! What the rig measured: timed calls, the CPU split, the rig's own
//! controls, instruction counts and footprints.

use serde::{Deserialize, Serialize};

/// One timed call: its wall time, the client's and the mock's CPU during
/// it, and what the mock saw.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Sample {
    /// Wall time of the call, seconds.
    pub wall_s: f64,
    /// CPU time of the client process during the call (all its threads,
    /// nothing of the mock), seconds.
    pub client_cpu_s: f64,
    /// CPU time of the mock process during the call, seconds.
    pub mock_cpu_s: f64,
    /// API requests the mock served during the call.
    pub requests: u64,
    /// The most requests the mock had in flight at once.
    pub max_in_flight: usize,
    /// Connections opened during the call.
    pub connections: u64,
    /// TLS handshakes during the call (0 over plain HTTP).
    #[serde(default)]
    pub tls_handshakes: u64,
    /// Context switches of the client's threads during the call,
    /// voluntary and involuntary; `None` in logs from before they were
    /// counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_switches: Option<(u64, u64)>,
    /// The block the call ran in (see `ScenarioFacts::blocks`).
    #[serde(default)]
    pub block: usize,
    /// When the call's first answer came, seconds after it began; `None`
    /// for the reference client (it reports no completions) and in logs
    /// from before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_answer_s: Option<f64>,
}

impl Sample {
    /// The mock's CPU time over the wall time: 1.0 is one core fully busy.
    pub fn mock_busy(&self) -> f64 {
        if self.wall_s > 0.0 {
            self.mock_cpu_s / self.wall_s
        } else {
            0.0
        }
    }
}

/// Which CPUs the mock process and the client process ran on. Empty lists
/// mean "wherever the kernel likes" (a machine with one CPU).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CpuSplit {
    /// CPUs for the mock server.
    pub mock: Vec<usize>,
    /// CPUs for the client (the strategy under test and the rig).
    pub client: Vec<usize>,
}

impl CpuSplit {
    /// The split of `cpus`: the last one for the mock, the rest for the
    /// client. With fewer than two, no split.
    pub fn split(cpus: &[usize]) -> Self {
        match cpus.split_last() {
            Some((last, rest)) if !rest.is_empty() => Self {
                mock: vec![*last],
                client: rest.to_vec(),
            },
            _ => Self::default(),
        }
    }

    /// Whether mock and client have CPUs of their own.
    pub fn is_split(&self) -> bool {
        !self.mock.is_empty() && !self.client.is_empty()
    }

    /// One line for reports: "mock on CPU 1, client on CPU 0".
    pub fn describe(&self) -> String {
        if self.is_split() {
            format!(
                "mock on CPU {}, client on CPU {}",
                list(&self.mock),
                list(&self.client)
            )
        } else {
            "mock and client share every CPU (fewer than two available)".to_owned()
        }
    }
}

/// `0,1,2` for a CPU list, as `taskset -c` and `--cpus` write it.
pub fn list(cpus: &[usize]) -> String {
    cpus.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// What the rig's controls measured, and how they were set up.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Controls {
    /// How CPUs were split between mock and client.
    pub split: CpuSplit,
    /// Body bytes per answer (the control serves the same size).
    pub body_bytes: u64,
    /// Connections the throughput rounds used, like `wrk -c10`.
    pub load_connections: usize,
    /// Requests per throughput round.
    pub load_requests: usize,
    /// Throughput rounds per server, alternating mock and control.
    pub load_rounds: usize,
    /// The mock's requests/s at zero latency, per round.
    pub mock_rps: Vec<f64>,
    /// The bare wiremock control's requests/s, per round, interleaved.
    pub bare_wiremock_rps: Vec<f64>,
    /// The mock's CPU per request during its throughput rounds, seconds.
    pub mock_cpu_per_request_s: f64,
    /// The mock's busy share during its throughput rounds.
    pub mock_busy: f64,
    /// The delay whose accuracy was measured, seconds.
    pub delay_s: f64,
    /// Mean round trip through the reference client for that delay:
    /// (C, mean seconds, requests).
    pub delay_round_trips: Vec<(usize, f64, usize)>,
    /// The delay line's round trip whose accuracy was measured, seconds.
    pub rtt_s: f64,
    /// The server's own delay behind the delay line then, seconds.
    pub rtt_server_delay_s: f64,
    /// Mean round trip of a kept-alive request through the delay line
    /// (C = 1): (mean seconds, requests). Its ideal is `rtt_s +
    /// rtt_server_delay_s`.
    pub rtt_round_trip: Option<(f64, usize)>,
}

/// Instructions per request, counted by callgrind, and how.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Instructions {
    /// `valgrind --version`.
    pub valgrind: String,
    /// Titles in the small run.
    pub small_titles: usize,
    /// Titles in the large run.
    pub large_titles: usize,
    /// Each strategy's counts.
    pub counts: Vec<Count>,
}

impl Instructions {
    /// Instructions per request of `count`: the large run's extra over its
    /// extra titles.
    pub fn per_request(&self, count: &Count) -> f64 {
        count.large.saturating_sub(count.small) as f64
            / self.large_titles.saturating_sub(self.small_titles).max(1) as f64
    }

    /// The count of `strategy`.
    pub fn of(&self, strategy: &str) -> Option<&Count> {
        self.counts.iter().find(|c| c.strategy == strategy)
    }
}

/// One strategy's instruction counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    /// The strategy.
    pub strategy: String,
    /// Instructions (callgrind's `Ir`) for the small run.
    pub small: u64,
    /// Instructions for the large run.
    pub large: u64,
}

/// System calls per request (`strace -c -f`), when strace was there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Syscalls {
    /// `strace -V`'s first line.
    pub strace: String,
    /// Titles in the small run.
    pub small_titles: usize,
    /// Titles in the large run.
    pub large_titles: usize,
    /// Each strategy's counts.
    pub counts: Vec<SyscallCount>,
}

impl Syscalls {
    /// Calls per request of `count`, of every system call together: the
    /// large run's extra over its extra titles.
    pub fn per_request(&self, count: &SyscallCount) -> f64 {
        let total = |m: &std::collections::BTreeMap<String, u64>| m.values().sum::<u64>();
        self.extra(total(&count.large), total(&count.small))
    }

    /// Calls per request of the system call `name` in `count`.
    pub fn per_request_of(&self, count: &SyscallCount, name: &str) -> f64 {
        let of = |m: &std::collections::BTreeMap<String, u64>| m.get(name).copied().unwrap_or(0);
        self.extra(of(&count.large), of(&count.small))
    }

    fn extra(&self, large: u64, small: u64) -> f64 {
        (large as f64 - small as f64)
            / self.large_titles.saturating_sub(self.small_titles).max(1) as f64
    }

    /// The count of `strategy`.
    pub fn of(&self, strategy: &str) -> Option<&SyscallCount> {
        self.counts.iter().find(|c| c.strategy == strategy)
    }
}

/// One strategy's system calls, by name, in the small and the large run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyscallCount {
    /// The strategy.
    pub strategy: String,
    /// Calls of each system call in the small run.
    pub small: std::collections::BTreeMap<String, u64>,
    /// Calls of each system call in the large run.
    pub large: std::collections::BTreeMap<String, u64>,
}

/// How the footprint was measured: a mock that holds every answer for
/// `delay_s`, each row at two C.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FootprintSetup {
    /// The mock's delay, seconds: long enough that all C are in flight.
    pub delay_s: f64,
    /// The two C; the difference between them is the cost of one more
    /// request in flight.
    pub concurrencies: [usize; 2],
    /// Every row's footprint at each C.
    pub calls: Vec<Footprint>,
}

/// One row's memory and threads at concurrency C.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Footprint {
    /// The strategy (`reference` for the reference client).
    pub strategy: String,
    /// C, and the titles of the call.
    pub concurrency: usize,
    /// Resident memory between calls, after the warm-up, KiB.
    pub idle_rss_kib: u64,
    /// The most resident memory seen during the measured call, KiB.
    pub peak_rss_kib: u64,
    /// OS threads between calls.
    pub idle_threads: u64,
    /// The most OS threads seen during the measured call.
    pub peak_threads: u64,
    /// The most requests the mock had at once during the measured call.
    pub in_flight: usize,
    /// Connections opened during the measured call (0: all were warm).
    pub connections: u64,
    /// Wall time of the measured call, seconds.
    pub wall_s: f64,
    /// The titles of the measured call: C, or for a strategy whose
    /// requests in flight do not follow C (`rayon-default`) as many as it
    /// has in flight, so that the call lasts one delay.
    pub titles: usize,
    /// The child's CPU time during the measured call (all its threads),
    /// seconds.
    pub client_cpu_s: f64,
}
