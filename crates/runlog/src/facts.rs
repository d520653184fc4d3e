//! The parameters of what was measured: each scenario's and each
//! strategy's, as they were when the run was made.

use serde::{Deserialize, Serialize};

/// One benchmark scenario as it ran: N titles against the mock at some
/// delay and network, some strategies at some C, in rounds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFacts {
    /// Stable name: the report's section.
    pub name: String,
    /// N, the titles of one `fetch_all`.
    pub titles: usize,
    /// The mock's delay per request, as a `--latency` spec (`20ms`,
    /// `lognormal:20ms,p99=200ms`).
    pub latency: String,
    /// The spec's typical delay (its median), seconds; 0: no delay.
    pub typical_delay_s: f64,
    /// The delay of every request when it is fixed, seconds; `None` when
    /// delays differ by title (see [`ScenarioFacts::delays_s`]).
    pub fixed_delay_s: Option<f64>,
    /// The delay line's round trip, seconds; 0: loopback as it is.
    pub rtt_s: f64,
    /// Whether the mock served HTTPS.
    pub tls: bool,
    /// The concurrencies C each concurrent strategy ran at.
    pub concurrency: Vec<usize>,
    /// The strategies that ran, in report order.
    pub strategies: Vec<String>,
    /// Whether the strategies that run one request at a time by default
    /// ran so, at C = 1, beside the others' C.
    pub series: bool,
    /// Timed calls per row, one per round, over all blocks.
    pub rounds: usize,
    /// Blocks the rounds ran in, each with a fresh mock process, fresh row
    /// processes and a fresh warm-up (`rounds / blocks` rounds each); 1
    /// for `compare`'s one set of processes.
    #[serde(default = "one_block")]
    pub blocks: usize,
    /// How many title sets the rounds cycled through (round `r` used
    /// layout `r % layouts`).
    pub layouts: usize,
    /// Strategies that also ran as a control row without keep-alive.
    pub no_keep_alive: Vec<String>,
    /// What the scenario shows, in two sentences.
    pub about: String,
    /// Whether the mock's counters were read around every timed call
    /// (requests, in flight, connections, its CPU): always in `cargo
    /// bench`; not when `wikifetch compare` ran against a server the rig
    /// does not control (`--api-url`).
    pub counted: bool,
    /// With uneven delays: the mock's delay for each title of each layout,
    /// in title order, seconds (the mock's own function of seed and
    /// title, evaluated when the run was made). Empty for fixed delays.
    pub delays_s: Vec<Vec<f64>>,
}

impl ScenarioFacts {
    /// Whether requests waited for anything: a delay at the mock or a
    /// round trip through the delay line.
    pub fn delayed(&self) -> bool {
        self.typical_delay_s > 0.0 || self.rtt_s > 0.0
    }

    /// The layout round `round` used.
    pub fn layout(&self, round: usize) -> usize {
        round % self.layouts.max(1)
    }

    /// The mock's delay for each title of round `round`, seconds: the
    /// recorded layout's, or N times the fixed delay.
    pub fn delays(&self, round: usize) -> Vec<f64> {
        match self.delays_s.get(self.layout(round)) {
            Some(delays) => delays.clone(),
            None => vec![self.fixed_delay_s.unwrap_or(self.typical_delay_s); self.titles],
        }
    }
}

/// What a strategy is, as far as the report needs to know.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StrategyFacts {
    /// Its name, as `--strategy` spells it.
    pub name: String,
    /// What it is, in one line.
    pub about: String,
    /// The most titles one request carries (1, or 20 for `batched`).
    pub titles_per_request: usize,
    /// Whether its requests in flight are capped at the client's CPU
    /// count whatever C is (`rayon-default`'s global pool).
    pub capped: bool,
    /// Whether it runs one request at a time unless told otherwise.
    pub in_series: bool,
    /// Whether it is a control row, there to split a difference.
    pub control: bool,
    /// Its HTTP client (`ureq 3`, `hyper 1`, `reqwest 0.13`).
    pub client: String,
    /// How it waits (`OS threads`, `tasks`, `the caller`).
    pub model: String,
    /// Whose sockets and timers its client runs on (`std, blocking`,
    /// `async-io`, `tokio`): two rows on one client may still differ here.
    #[serde(default)]
    pub sockets: String,
    /// Its client's read buffer per connection, bytes, where it sets one.
    pub read_buffer_bytes: Option<usize>,
    /// Its client's write buffer per connection, bytes, where it sets one.
    pub write_buffer_bytes: Option<usize>,
    /// The other strategies it differs from in one thing only, and in
    /// what: the pairs the report holds one thing equal with.
    #[serde(default)]
    pub splits: Vec<Split>,
}

/// A strategy that differs from another in one thing only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// The other strategy.
    pub against: String,
    /// The one thing that differs.
    pub differs_in: Differs,
}

/// What one thing two strategies differ in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Differs {
    /// The HTTP client (ureq, hyper, reqwest), the model held equal.
    Client,
    /// Threads against tasks, the HTTP client held equal. What waits on
    /// the sockets comes with the model: a thread blocks on its own, tasks
    /// register theirs with their runtime's reactor.
    Model,
    /// Where tasks run: on the caller, or on worker threads while the
    /// caller waits; runtime and client held equal.
    Layout,
    /// The async runtime (tokio against async-io), client and layout held
    /// equal.
    Runtime,
}

impl StrategyFacts {
    /// The most requests it has in flight when asked for C, in a process
    /// that may use `cpus` CPUs.
    pub fn in_flight(&self, c: usize, cpus: usize) -> usize {
        if self.capped { cpus.max(1) } else { c }
    }
}

fn one_block() -> usize {
    1
}
