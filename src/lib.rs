//! # wikifetch
//!
//! The root package: the `wikifetch` command line (in `main.rs`) and the
//! strategy registry that it and the benchmarks share. The fetching itself
//! lives in the `crates/` (see `ARCHITECTURE.md`).

pub mod compare;
pub mod footprint;
pub mod report;
pub mod runner;
pub mod scenarios;

use clap::ValueEnum;
use wikifetch_core::{Config, Fetcher, SetupError};

/// Every strategy, by the name `--strategy`, benchmarks and reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum Strategy {
    /// One title after another on one thread: the lesson's for-loop.
    Sequential,
    /// C OS threads pulling titles from a queue: the lesson's ThreadPoolExecutor.
    ThreadPool,
    /// A control: the same pool with the hyper client the task rows share.
    ThreadPoolHyper,
    /// A new OS thread per title, at most C alive at once.
    ThreadPerRequest,
    /// A dedicated rayon pool of C threads over `par_iter`.
    Rayon,
    /// `par_iter` on rayon's global pool, as a newcomer writes it: one
    /// thread per CPU, whatever C.
    RayonDefault,
    /// Async tasks on tokio's multi-thread runtime, with reqwest.
    Tokio,
    /// Async tasks on async-std's executor, with hyper on async-io.
    AsyncStd,
    /// Async tasks on a smol executor, with hyper on async-io.
    Smol,
    /// A control: tokio's runtime with the hyper client async-std and smol use.
    TokioHyper,
    /// A control: tokio's current-thread runtime (tasks run on the caller,
    /// as smol's do) with the same hyper client.
    TokioCurrentThread,
    /// The API's own batching: 20 titles a request, batches in series by default.
    Batched,
}

impl Strategy {
    /// Every strategy, in the order reports list them.
    pub const ALL: &'static [Strategy] = &[
        Strategy::Sequential,
        Strategy::ThreadPool,
        Strategy::ThreadPoolHyper,
        Strategy::ThreadPerRequest,
        Strategy::Rayon,
        Strategy::RayonDefault,
        Strategy::Tokio,
        Strategy::AsyncStd,
        Strategy::Smol,
        Strategy::TokioHyper,
        Strategy::TokioCurrentThread,
        Strategy::Batched,
    ];

    /// The stable name, as `--strategy` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sequential => "sequential",
            Self::ThreadPool => "thread-pool",
            Self::ThreadPoolHyper => "thread-pool-hyper",
            Self::ThreadPerRequest => "thread-per-request",
            Self::Rayon => "rayon",
            Self::RayonDefault => "rayon-default",
            Self::Tokio => "tokio",
            Self::AsyncStd => "async-std",
            Self::Smol => "smol",
            Self::TokioHyper => "tokio-hyper",
            Self::TokioCurrentThread => "tokio-current-thread",
            Self::Batched => "batched",
        }
    }

    /// Builds the strategy's fetcher for `config`.
    pub fn build(self, config: &Config) -> Result<Box<dyn Fetcher>, SetupError> {
        Ok(match self {
            Self::Sequential => Box::new(wikifetch_sequential::Sequential::new(config)?),
            Self::ThreadPool => Box::new(wikifetch_threads::ThreadPool::new(config)?),
            Self::ThreadPoolHyper => {
                Box::new(wikifetch_thread_pool_hyper::ThreadPoolHyper::new(config)?)
            }
            Self::ThreadPerRequest => Box::new(wikifetch_threads::ThreadPerRequest::new(config)?),
            Self::Rayon => Box::new(wikifetch_rayon::Rayon::new(config)?),
            Self::RayonDefault => Box::new(wikifetch_rayon::RayonDefault::new(config)?),
            Self::Tokio => Box::new(wikifetch_tokio::Tokio::new(config)?),
            Self::AsyncStd => Box::new(wikifetch_async_std::AsyncStd::new(config)?),
            Self::Smol => Box::new(wikifetch_smol::Smol::new(config)?),
            Self::TokioHyper => Box::new(wikifetch_tokio_hyper::TokioHyper::new(config)?),
            Self::TokioCurrentThread => {
                Box::new(wikifetch_tokio_hyper::TokioCurrentThread::new(config)?)
            }
            Self::Batched => Box::new(wikifetch_batched::Batched::new(config)?),
        })
    }

    /// The most titles one request carries: 20 for `batched`, 1 for the rest.
    pub fn titles_per_request(self) -> usize {
        match self {
            Self::Batched => wikifetch_core::BATCH_TITLES,
            _ => 1,
        }
    }

    /// Whether the strategy runs one request at a time unless told
    /// otherwise: `sequential` always, `batched` by default (Wikimedia asks
    /// bulk clients for requests in series). Benchmarks run these at C = 1,
    /// beside the others' C, and `wikifetch fetch` uses 1 when no
    /// `--concurrency` is given.
    pub fn in_series(self) -> bool {
        matches!(self, Self::Sequential | Self::Batched)
    }

    /// The most requests the strategy has in flight when asked for C, in
    /// a process that may use `cpus` CPUs: C, except for the
    /// [`scenarios::CAPPED`] ones (`rayon-default`, whose global pool has
    /// one thread per CPU whatever C is).
    pub fn in_flight(self, c: usize, cpus: usize) -> usize {
        if scenarios::CAPPED.contains(&self) {
            cpus.max(1)
        } else {
            c
        }
    }
}

/// The end of a control row's name whose client opens a new connection
/// for every request (`Config::keep_alive` off): `sequential-no-keep-alive`.
pub const NO_KEEP_ALIVE: &str = "-no-keep-alive";

/// Whether a row (a strategy's, a control's or the reference client's)
/// keeps its connections: every row but the `-no-keep-alive` controls.
pub fn keeps_alive(row: &str) -> bool {
    !row.ends_with(NO_KEEP_ALIVE)
}

/// The name of the row of `strategy`'s client: its own, or with
/// keep-alive off the control's, ending in [`NO_KEEP_ALIVE`].
pub fn row_name(strategy: &str, keep_alive: bool) -> String {
    if keep_alive {
        strategy.to_owned()
    } else {
        format!("{strategy}{NO_KEEP_ALIVE}")
    }
}

/// The row with kept connections that `row` is the control of: `row`
/// itself when it keeps them.
pub fn kept_alive_row(row: &str) -> &str {
    row.strip_suffix(NO_KEEP_ALIVE).unwrap_or(row)
}

impl Strategy {
    /// The name of this strategy's row: its own, or with keep-alive off
    /// the control's, ending in [`NO_KEEP_ALIVE`].
    pub fn row_name(self, keep_alive: bool) -> String {
        row_name(self.name(), keep_alive)
    }

    /// The strategy of a row, and whether it kept its connections; `None`
    /// for the reference client and any other name.
    pub fn of_row(row: &str) -> Option<(Self, bool)> {
        let (name, keep_alive) = (kept_alive_row(row), keeps_alive(row));
        Self::ALL
            .iter()
            .find(|s| s.name() == name)
            .map(|s| (*s, keep_alive))
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_fetchers_own() {
        let config = Config::for_api("http://127.0.0.1:9/w/api.php");
        for s in Strategy::ALL {
            assert_eq!(s.build(&config).unwrap().name(), s.name());
            assert_eq!(Strategy::from_str(s.name(), false), Ok(*s));
            for keep_alive in [true, false] {
                assert_eq!(
                    Strategy::of_row(&s.row_name(keep_alive)),
                    Some((*s, keep_alive))
                );
            }
        }
        assert_eq!(Strategy::of_row("reference"), None);
        assert_eq!(Strategy::of_row("-no-keep-alive"), None);
    }
}
