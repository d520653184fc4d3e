//! # wikifetch
//!
//! The root package: the `wikifetch` command line (in `main.rs`) and the
//! strategy registry that it and the benchmarks share. The fetching itself
//! lives in the `crates/` (see `ARCHITECTURE.md`).

use clap::ValueEnum;
use wikifetch_core::{Config, Fetcher, SetupError};

/// Every strategy, by the name `--strategy`, benchmarks and reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum Strategy {
    /// One title after another on one thread: the lesson's for-loop.
    Sequential,
}

impl Strategy {
    /// Every strategy, in the order reports list them.
    pub const ALL: &'static [Strategy] = &[Strategy::Sequential];

    /// The stable name, as `--strategy` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sequential => "sequential",
        }
    }

    /// Builds the strategy's fetcher for `config`.
    pub fn build(self, config: &Config) -> Result<Box<dyn Fetcher>, SetupError> {
        Ok(match self {
            Self::Sequential => Box::new(wikifetch_sequential::Sequential::new(config)?),
        })
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
        }
    }
}
