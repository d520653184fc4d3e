//! [`Fault`]: deterministic failures injected per title, for the first k
//! attempts or forever, and their spec syntax.

use std::str::FromStr;
use std::time::Duration;

use wikifetch_core::{stable_hash, unit_interval};

use crate::latency::SpecError;

/// What goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// HTTP 503 Service Unavailable.
    Unavailable,
    /// HTTP 429 Too Many Requests with `Retry-After: <seconds>`.
    TooManyRequests {
        /// The `Retry-After` value in seconds.
        retry_after: u64,
    },
    /// HTTP 500 Internal Server Error.
    ServerError,
    /// HTTP 200 with MediaWiki's `maxlag` error body.
    Maxlag,
    /// HTTP 200 with MediaWiki's `ratelimited` error, as `ApiMain` sends a
    /// throttled request: the error in the body, its code in
    /// `MediaWiki-API-Error`, no `Retry-After`.
    Ratelimited,
    /// HTTP 200 with the first half of a valid JSON answer.
    Truncated,
    /// No answer for [`HANG_LIMIT`], then the ordinary one: the client's
    /// timeout must fire first. Bounded, so that a client without a
    /// timeout makes a test fail late instead of hanging it.
    Hang,
    /// HTTP 200 with a body of this many bytes.
    HugeBody(usize),
    /// A gzip bomb, to a client that accepts gzip: a few kilobytes of
    /// `Content-Encoding: gzip` that expand to this many bytes (spaces).
    /// A client that does not accept gzip gets the ordinary answer.
    GzipBomb(usize),
    /// The connection dies mid-response: the headers promise the whole
    /// answer, half of it is sent, then the server closes the connection.
    Reset,
}

/// Which attempts of a chosen title fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempts {
    /// The first k attempts; attempt k + 1 succeeds.
    First(u32),
    /// Every attempt.
    Always,
}

/// Which titles a fault applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// These titles, as the client sent them (before normalization).
    Titles(Vec<String>),
    /// A deterministic fraction of all titles, from 0.0 to 1.0.
    Rate(f64),
}

/// One injected failure: what, for which titles, on which attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// What goes wrong.
    pub kind: FaultKind,
    /// On which attempts.
    pub attempts: Attempts,
    /// For which titles.
    pub targets: Targets,
}

impl Fault {
    /// `kind` on the first `k` attempts of `titles`.
    pub fn first(kind: FaultKind, k: u32, titles: &[&str]) -> Self {
        Self {
            kind,
            attempts: Attempts::First(k),
            targets: Targets::Titles(titles.iter().map(|t| (*t).to_owned()).collect()),
        }
    }

    /// `kind` on every attempt of `titles`.
    pub fn always(kind: FaultKind, titles: &[&str]) -> Self {
        Self {
            attempts: Attempts::Always,
            ..Self::first(kind, 0, titles)
        }
    }

    /// Whether `attempt` (1-based) of `title` fails, under `seed`.
    pub fn applies(&self, seed: u64, title: &str, attempt: u32) -> bool {
        let attempt_hit = match self.attempts {
            Attempts::First(k) => attempt <= k,
            Attempts::Always => true,
        };
        attempt_hit
            && match &self.targets {
                Targets::Titles(titles) => titles.iter().any(|t| t == title),
                Targets::Rate(rate) => {
                    let kind = format!("{:?}", self.kind);
                    unit_interval(stable_hash(&format!("{seed}\u{1}{title}\u{1}{kind}"))) < *rate
                }
            }
    }

    /// How long the response waits before it is sent, if the fault says.
    pub(crate) fn delay(&self) -> Option<Duration> {
        matches!(self.kind, FaultKind::Hang).then_some(HANG_LIMIT)
    }
}

/// How long a [`FaultKind::Hang`] holds its answer: far beyond any timeout
/// a test sets (the kit's is 300 ms), and short enough that a client with
/// no timeout at all ends, failing its test, instead of hanging it.
pub const HANG_LIMIT: Duration = Duration::from_secs(60);

/// The spec syntax, for `--help` texts.
pub const FAULT_SPEC_HELP: &str = "faults separated by `;`, each \
`KIND[:first=K][:rate=R]`, with KIND one of 503, 500, 429 (429 takes \
`:retry-after=S`, default 1), maxlag, ratelimited, truncated, reset (the connection dies \
mid-answer), hang (60 s), huge (`:bytes=N`, default 5000000), gzip-bomb (`:bytes=N` once \
decompressed, default 5000000). \
`first=K` fails the first K attempts of a title (default: every attempt); \
`rate=R` picks that fraction of titles (default 1). Example: `503:first=2:rate=0.01;429:first=1:rate=0.01`";

/// Parses a list of faults in [`FAULT_SPEC_HELP`]'s syntax.
pub fn parse_faults(spec: &str) -> Result<Vec<Fault>, SpecError> {
    spec.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

impl FromStr for Fault {
    type Err = SpecError;

    fn from_str(spec: &str) -> Result<Self, SpecError> {
        let err = |m: &str| SpecError(format!("fault {spec:?}: {m}"));
        let mut parts = spec.split(':');
        let name = parts.next().unwrap_or_default().trim();
        let (mut attempts, mut rate) = (Attempts::Always, 1.0);
        let (mut retry_after, mut bytes) = (1, 5_000_000);
        for option in parts {
            let (key, value) = option
                .split_once('=')
                .ok_or_else(|| err("options are KEY=VALUE"))?;
            let number = || {
                value
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| err("expected a whole number"))
            };
            match key.trim() {
                "first" => {
                    attempts = Attempts::First(
                        u32::try_from(number()?).map_err(|_| err("first= is too large"))?,
                    )
                }
                "rate" => {
                    rate = value
                        .trim()
                        .parse()
                        .map_err(|_| err("rate= takes a number from 0 to 1"))?;
                    if !(0.0..=1.0).contains(&rate) {
                        return Err(err("rate= takes a number from 0 to 1"));
                    }
                }
                "retry-after" => retry_after = number()?,
                "bytes" => {
                    bytes = usize::try_from(number()?).map_err(|_| err("bytes= is too large"))?
                }
                other => return Err(err(&format!("unknown option {other:?}"))),
            }
        }
        let kind = match name {
            "503" => FaultKind::Unavailable,
            "500" => FaultKind::ServerError,
            "429" => FaultKind::TooManyRequests { retry_after },
            "maxlag" => FaultKind::Maxlag,
            "ratelimited" => FaultKind::Ratelimited,
            "truncated" => FaultKind::Truncated,
            "hang" => FaultKind::Hang,
            "huge" => FaultKind::HugeBody(bytes),
            "gzip-bomb" => FaultKind::GzipBomb(bytes),
            "reset" => FaultKind::Reset,
            _ => {
                return Err(err(
                    "unknown kind; use 503, 500, 429, maxlag, ratelimited, truncated, reset, \
                     hang, huge or gzip-bomb",
                ));
            }
        };
        Ok(Self {
            kind,
            attempts,
            targets: Targets::Rate(rate),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        let faults =
            parse_faults("503:first=2:rate=0.01; 429:first=1:retry-after=3 ;huge:bytes=10")
                .unwrap();
        assert_eq!(
            faults,
            vec![
                Fault {
                    kind: FaultKind::Unavailable,
                    attempts: Attempts::First(2),
                    targets: Targets::Rate(0.01)
                },
                Fault {
                    kind: FaultKind::TooManyRequests { retry_after: 3 },
                    attempts: Attempts::First(1),
                    targets: Targets::Rate(1.0)
                },
                Fault {
                    kind: FaultKind::HugeBody(10),
                    attempts: Attempts::Always,
                    targets: Targets::Rate(1.0)
                },
            ]
        );
        assert_eq!(parse_faults("").unwrap(), vec![]);
        let kinds: Vec<FaultKind> =
            parse_faults("ratelimited:first=2;gzip-bomb:bytes=64;gzip-bomb")
                .unwrap()
                .into_iter()
                .map(|f| f.kind)
                .collect();
        assert_eq!(
            kinds,
            [
                FaultKind::Ratelimited,
                FaultKind::GzipBomb(64),
                FaultKind::GzipBomb(5_000_000)
            ]
        );
        for bad in [
            "404",
            "503:first",
            "503:rate=2",
            "503:colour=red",
            "503:first=x",
        ] {
            assert!(parse_faults(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn first_k_attempts_then_success() {
        let f = Fault::first(FaultKind::Unavailable, 2, &["A"]);
        assert!(f.applies(0, "A", 1) && f.applies(0, "A", 2));
        assert!(!f.applies(0, "A", 3));
        assert!(!f.applies(0, "B", 1));
        assert!(Fault::always(FaultKind::ServerError, &["A"]).applies(0, "A", 99));
    }

    #[test]
    fn only_a_hang_is_delayed_and_by_a_bounded_time() {
        let hang = Fault::always(FaultKind::Hang, &["A"]).delay();
        assert_eq!(hang, Some(HANG_LIMIT));
        assert_eq!(Fault::always(FaultKind::Maxlag, &["A"]).delay(), None);
    }

    #[test]
    fn rate_picks_about_that_fraction_deterministically() {
        let f: Fault = "503:rate=0.1".parse().unwrap();
        let hits = (0..10_000)
            .filter(|i| f.applies(3, &format!("T{i}"), 1))
            .count();
        assert!((900..1100).contains(&hits), "{hits}");
        assert_eq!(f.applies(3, "T1", 1), f.applies(3, "T1", 1));
    }
}
