//! What a measurement calls: a strategy's fetcher, or the reference client
//! that sets the floor. `cargo bench` and `wikifetch compare` both time
//! one of these per row.

use std::collections::BTreeMap;

use wikifetch_core::{Config, Fetcher, Progress};
use wikifetch_rig::Reference;

use wikifetch_registry::Strategy;
use wikifetch_runlog::REFERENCE;

/// A built runner, with the title lists (layouts) its calls fetch.
pub struct Runner {
    kind: Kind,
    layouts: Vec<Vec<String>>,
    keep_alive: bool,
}

enum Kind {
    /// A strategy's fetcher.
    Strategy(Box<dyn Fetcher>),
    /// The reference client, its requests rendered when it was built.
    Reference(Box<Reference>),
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
    /// for the title lists `layouts` (at least one) under `config`.
    pub fn build(
        strategy: Option<Strategy>,
        config: &Config,
        layouts: &[Vec<String>],
    ) -> Result<Self, String> {
        if layouts.is_empty() {
            return Err("a runner needs at least one list of titles".into());
        }
        let kind = match strategy {
            Some(s) => s
                .build(config)
                .map(Kind::Strategy)
                .map_err(|e| format!("{s} at C = {}: {e}", config.concurrency))?,
            None => {
                // The floor meets the rule every strategy's constructor
                // does: it refuses a C its open files cannot hold, rather
                // than failing half way.
                wikifetch_core::limits::prepare(config).map_err(|e| {
                    format!("the reference client at C = {}: {e}", config.concurrency)
                })?;
                Reference::with_layouts(config, layouts).map(|r| Kind::Reference(Box::new(r)))?
            }
        };
        Ok(Self {
            kind,
            layouts: layouts.to_vec(),
            keep_alive: config.keep_alive,
        })
    }

    /// The row's name: the strategy's (ending in `-no-keep-alive` when
    /// `Config::keep_alive` is off), or `reference`.
    pub fn name(&self) -> String {
        match &self.kind {
            Kind::Strategy(f) => wikifetch_runlog::row_name(f.name(), self.keep_alive),
            Kind::Reference(_) => REFERENCE.to_owned(),
        }
    }

    /// The titles of layout `layout` (the first layout when there is no
    /// such layout).
    pub fn titles(&self, layout: usize) -> &[String] {
        self.layouts.get(layout).unwrap_or(&self.layouts[0])
    }

    /// One call over every title of layout `layout`. The reference client
    /// reports no progress: it has no per-title results.
    pub fn call(&self, layout: usize, progress: &dyn Progress) -> Outcome {
        let mut outcome = Outcome::default();
        match &self.kind {
            Kind::Strategy(f) => {
                let results = f.fetch_all(self.titles(layout), progress);
                outcome.results = results.len();
                for e in results.iter().filter_map(|r| r.as_ref().err()) {
                    *outcome.errors.entry(e.kind().to_owned()).or_insert(0) += 1;
                }
            }
            Kind::Reference(r) => {
                let call = r.run_layout(layout);
                outcome.results = call.ok + call.failed;
                if call.failed > 0 {
                    outcome.errors.insert("http".into(), call.failed);
                }
            }
        }
        outcome
    }
}
