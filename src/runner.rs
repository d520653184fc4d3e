//! What a measurement calls: a strategy's fetcher, or the reference client
//! that sets the floor. `cargo bench` and `wikifetch compare` both time
//! one of these per row.

use std::collections::BTreeMap;

use wikifetch_core::{Config, Fetcher, Progress};
use wikifetch_rig::Reference;

use crate::Strategy;
use crate::report::REFERENCE;

/// A built runner.
pub enum Runner {
    /// A strategy's fetcher.
    Strategy(Box<dyn Fetcher>),
    /// The reference client.
    Reference(Reference),
}

/// What one call returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Results returned (must equal the number of titles).
    pub results: usize,
    /// Failed titles by error kind (`reference` failures are `http`).
    pub errors: BTreeMap<String, usize>,
}

impl Outcome {
    /// Titles that failed.
    pub fn failed(&self) -> usize {
        self.errors.values().sum()
    }
}

impl Runner {
    /// Builds `strategy`'s fetcher, or with `None` the reference client,
    /// for `titles` under `config`.
    pub fn build(
        strategy: Option<Strategy>,
        config: &Config,
        titles: &[String],
    ) -> Result<Self, String> {
        match strategy {
            Some(s) => s
                .build(config)
                .map(Self::Strategy)
                .map_err(|e| format!("{s} at C = {}: {e}", config.concurrency)),
            None => Reference::new(config, titles).map(Self::Reference),
        }
    }

    /// The row's name: the strategy's, or `reference`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Strategy(f) => f.name(),
            Self::Reference(_) => REFERENCE,
        }
    }

    /// One call over every title. The reference client reports no
    /// progress: it has no per-title results.
    pub fn call(&self, titles: &[String], progress: &dyn Progress) -> Outcome {
        let mut outcome = Outcome::default();
        match self {
            Self::Strategy(f) => {
                let results = f.fetch_all(titles, progress);
                outcome.results = results.len();
                for e in results.iter().filter_map(|r| r.as_ref().err()) {
                    *outcome.errors.entry(e.kind().to_owned()).or_insert(0) += 1;
                }
            }
            Self::Reference(r) => {
                let call = r.run();
                outcome.results = call.ok + call.failed;
                if call.failed > 0 {
                    outcome.errors.insert("http".into(), call.failed);
                }
            }
        }
        outcome
    }
}
