//! # wikifetch-registry: every strategy by name
//!
//! The one list of strategies that the command line, the harness and the
//! benchmarks share: a name ↔ a fetcher ([`Strategy::build`]), and what
//! the report needs to know of each ([`Strategy::facts`]), which the
//! harness writes into the run log so that the report never reads this
//! crate.

use clap::ValueEnum;
use wikifetch_core::{Config, Fetcher, SetupError};
use wikifetch_runlog::{Differs, Split, StrategyFacts};

pub use wikifetch_runlog::{NO_KEEP_ALIVE, keeps_alive, kept_alive_row, row_name};

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

    /// Strategies whose requests in flight do not follow C: `rayon-default`
    /// fetches as many titles at once as rayon's global pool has threads.
    pub const CAPPED: &'static [Strategy] = &[Strategy::RayonDefault];

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

    /// Whether its requests in flight are capped below C ([`Strategy::CAPPED`]).
    pub fn capped(self) -> bool {
        Self::CAPPED.contains(&self)
    }

    /// The most requests the strategy has in flight when asked for C, in
    /// a process that may use `cpus` CPUs: C, except for the capped ones
    /// (`rayon-default`, whose global pool has one thread per CPU).
    pub fn in_flight(self, c: usize, cpus: usize) -> usize {
        self.facts().in_flight(c, cpus)
    }

    /// What the report needs to know of the strategy, for the run log.
    pub fn facts(self) -> StrategyFacts {
        const UREQ: &str = "ureq 3";
        const HYPER: &str = "hyper 1";
        let (about, client, model, control) = match self {
            Self::Sequential => (
                "one title after another: the lesson's loop",
                UREQ,
                "the caller",
                false,
            ),
            Self::ThreadPool => (
                "C OS threads and a queue: the lesson's ThreadPoolExecutor",
                UREQ,
                "OS threads",
                false,
            ),
            Self::ThreadPoolHyper => (
                "the thread pool with the task rows' hyper client",
                HYPER,
                "OS threads",
                true,
            ),
            Self::ThreadPerRequest => (
                "a new OS thread per title, at most C alive",
                UREQ,
                "OS threads",
                false,
            ),
            Self::Rayon => (
                "a rayon pool of C threads over par_iter",
                UREQ,
                "OS threads (rayon)",
                false,
            ),
            Self::RayonDefault => (
                "par_iter on rayon's global pool",
                UREQ,
                "OS threads (rayon)",
                true,
            ),
            Self::Tokio => (
                "tasks on tokio's multi-thread runtime",
                "reqwest 0.13",
                "tasks (tokio)",
                false,
            ),
            Self::AsyncStd => (
                "tasks on async-std's executor",
                HYPER,
                "tasks (async-std)",
                false,
            ),
            Self::Smol => (
                "tasks on smol, run by the caller",
                HYPER,
                "tasks (smol)",
                false,
            ),
            Self::TokioHyper => (
                "tokio's runtime with the hyper client",
                HYPER,
                "tasks (tokio)",
                true,
            ),
            Self::TokioCurrentThread => (
                "tokio's current-thread runtime with the hyper client",
                HYPER,
                "tasks (tokio, on the caller)",
                true,
            ),
            Self::Batched => (
                "20 titles a request, in series by default",
                UREQ,
                "the caller",
                false,
            ),
        };
        let ureq = client == UREQ;
        // What waits on the sockets: ureq blocks in `read(2)`;
        // `thread-pool-hyper`'s threads each block in `poll(2)` on their own
        // socket (`local`, no reactor); the task rows register theirs with
        // a reactor, tokio's for tokio and reqwest, async-io's for the
        // other hyper rows (`wikifetch-futures-http`'s default).
        let sockets = if ureq {
            "std, blocking"
        } else if self == Self::ThreadPoolHyper {
            "std, poll(2) a thread"
        } else if model.starts_with("tasks (tokio") {
            "tokio"
        } else {
            "async-io"
        };
        let split = |against: Strategy, differs_in: Differs| Split {
            against: against.name().to_owned(),
            differs_in,
        };
        // The controls, each one change away from another row.
        let splits = match self {
            Self::ThreadPoolHyper => vec![split(Self::ThreadPool, Differs::Client)],
            Self::TokioHyper => vec![
                split(Self::Tokio, Differs::Client),
                split(Self::ThreadPoolHyper, Differs::Model),
            ],
            Self::TokioCurrentThread => vec![
                split(Self::TokioHyper, Differs::Layout),
                split(Self::Smol, Differs::Runtime),
                split(Self::ThreadPoolHyper, Differs::Model),
            ],
            Self::Smol => vec![split(Self::ThreadPoolHyper, Differs::Model)],
            _ => Vec::new(),
        };
        StrategyFacts {
            name: self.name().to_owned(),
            about: about.to_owned(),
            titles_per_request: self.titles_per_request(),
            capped: self.capped(),
            in_series: self.in_series(),
            control,
            client: client.to_owned(),
            model: model.to_owned(),
            sockets: sockets.to_owned(),
            read_buffer_bytes: ureq.then_some(wikifetch_sequential::INPUT_BUFFER),
            write_buffer_bytes: ureq.then_some(wikifetch_sequential::OUTPUT_BUFFER),
            splits,
        }
    }

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
            assert_eq!(s.facts().name, s.name());
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

    #[test]
    fn facts_agree_with_the_fetchers() {
        let config = Config::for_api("http://127.0.0.1:9/w/api.php");
        for s in Strategy::ALL {
            let fetcher = s.build(&config).unwrap();
            assert_eq!(
                s.facts().titles_per_request,
                fetcher.titles_per_request(),
                "{s}"
            );
        }
        assert!(Strategy::RayonDefault.facts().capped);
        assert_eq!(Strategy::RayonDefault.in_flight(100, 1), 1);
        assert_eq!(Strategy::Rayon.in_flight(100, 1), 100);
    }
}
