//! [`Latency`]: how long the mock waits before answering, deterministic per
//! title and attempt, and its spec syntax (`20ms`, `uniform:10ms..30ms`,
//! `lognormal:20ms,p99=200ms`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use wikifetch_core::{stable_hash, unit_interval};

/// The z-score of the 99th percentile of a standard normal distribution.
const Z_P99: f64 = 2.326_347_874;

/// A delay distribution. Every sample is a pure function of the seed, the
/// title and the attempt number, so a run can be repeated exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Latency {
    /// The same delay for every request; `Fixed(Duration::ZERO)` for none.
    Fixed(Duration),
    /// Uniform between `low` and `high`.
    Uniform {
        /// Shortest delay.
        low: Duration,
        /// Longest delay.
        high: Duration,
    },
    /// Log-normal, heavy-tailed like real servers: half the requests take
    /// less than `median`, one in a hundred more than `p99`. Capped at
    /// 100 × `median` so a run always ends.
    LogNormal {
        /// The 50th percentile.
        median: Duration,
        /// The 99th percentile.
        p99: Duration,
    },
}

impl Default for Latency {
    fn default() -> Self {
        Self::Fixed(Duration::ZERO)
    }
}

impl Latency {
    /// The delay for `attempt` (1-based) of `title` under `seed`.
    pub fn sample(&self, seed: u64, title: &str, attempt: u32) -> Duration {
        let uniform = |salt: u8| {
            unit_interval(stable_hash(&format!(
                "{seed}\u{1}{title}\u{1}{attempt}\u{1}{salt}"
            )))
        };
        match *self {
            Self::Fixed(d) => d,
            Self::Uniform { low, high } => low + (high.saturating_sub(low)).mul_f64(uniform(0)),
            Self::LogNormal { median, p99 } => {
                let sigma = (p99.as_secs_f64() / median.as_secs_f64()).ln().max(0.0) / Z_P99;
                // Box–Muller: two uniforms to one standard normal.
                let (u1, u2) = (1.0 - uniform(0), uniform(1));
                let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                let factor = (sigma * z).exp().min(100.0);
                median.mul_f64(factor)
            }
        }
    }

    /// The typical delay: the fixed value, the midpoint, or the median.
    pub fn typical(&self) -> Duration {
        match *self {
            Self::Fixed(d) => d,
            Self::Uniform { low, high } => (low + high) / 2,
            Self::LogNormal { median, .. } => median,
        }
    }
}

/// Why a latency spec could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

/// The spec syntax, for `--help` texts.
pub const LATENCY_SPEC_HELP: &str = "a fixed delay (`0`, `20ms`, `1.5s`), \
`uniform:10ms..30ms`, or `lognormal:20ms,p99=200ms` (heavy-tailed: median and 99th percentile)";

impl FromStr for Latency {
    type Err = SpecError;

    fn from_str(spec: &str) -> Result<Self, SpecError> {
        let spec = spec.trim();
        if let Some(range) = spec.strip_prefix("uniform:") {
            let (low, high) = range.split_once("..").ok_or_else(|| {
                SpecError(format!(
                    "{spec:?}: write uniform:LOW..HIGH, like uniform:10ms..30ms"
                ))
            })?;
            let (low, high) = (parse_duration(low)?, parse_duration(high)?);
            if low > high {
                return Err(SpecError(format!("{spec:?}: LOW is above HIGH")));
            }
            return Ok(Self::Uniform { low, high });
        }
        if let Some(rest) = spec.strip_prefix("lognormal:") {
            let (median, p99) = rest.split_once(",p99=").ok_or_else(|| {
                SpecError(format!(
                    "{spec:?}: write lognormal:MEDIAN,p99=P99, like lognormal:20ms,p99=200ms"
                ))
            })?;
            let (median, p99) = (parse_duration(median)?, parse_duration(p99)?);
            if median.is_zero() || p99 < median {
                return Err(SpecError(format!("{spec:?}: need 0 < MEDIAN <= P99")));
            }
            return Ok(Self::LogNormal { median, p99 });
        }
        parse_duration(spec).map(Self::Fixed)
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = spec;
        match self {
            Self::Fixed(x) => write!(f, "{}", show(*x)),
            Self::Uniform { low, high } => write!(f, "uniform:{}..{}", show(*low), show(*high)),
            Self::LogNormal { median, p99 } => {
                write!(f, "lognormal:{},p99={}", show(*median), show(*p99))
            }
        }
    }
}

/// Durations written the way [`parse_duration`] reads them, so that a
/// latency's `to_string()` is a spec: `0`, `20ms`, `250us`, `1.5s`.
fn spec(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        "0".into()
    } else if ns % 1_000_000 == 0 {
        format!("{}ms", ns / 1_000_000)
    } else if ns % 1_000 == 0 {
        format!("{}us", ns / 1_000)
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

/// Reads `0`, `250us`, `20ms`, `1.5s`.
pub fn parse_duration(s: &str) -> Result<Duration, SpecError> {
    let s = s.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| SpecError(format!("{s:?} is not a duration like 20ms or 1.5s")))?;
    let seconds = match unit {
        "us" | "µs" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        _ => return Err(SpecError(format!("{s:?}: the unit must be us, ms or s"))),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| SpecError(format!("{s:?} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displayed_latencies_are_specs() {
        for spec in [
            "0",
            "20ms",
            "250us",
            "1500ms",
            "uniform:10ms..30ms",
            "lognormal:20ms,p99=200ms",
        ] {
            let latency: Latency = spec.parse().unwrap();
            assert_eq!(latency.to_string(), spec);
            assert_eq!(latency.to_string().parse::<Latency>().unwrap(), latency);
        }
    }

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn specs_parse() {
        assert_eq!("0".parse(), Ok(Latency::Fixed(Duration::ZERO)));
        assert_eq!("20ms".parse(), Ok(Latency::Fixed(20 * MS)));
        assert_eq!("1.5s".parse(), Ok(Latency::Fixed(1500 * MS)));
        assert_eq!(
            "250us".parse(),
            Ok(Latency::Fixed(Duration::from_micros(250)))
        );
        assert_eq!(
            "uniform:10ms..30ms".parse(),
            Ok(Latency::Uniform {
                low: 10 * MS,
                high: 30 * MS
            })
        );
        assert_eq!(
            "lognormal:20ms,p99=200ms".parse(),
            Ok(Latency::LogNormal {
                median: 20 * MS,
                p99: 200 * MS
            })
        );
        for bad in [
            "",
            "20",
            "fast",
            "20 parsecs",
            "uniform:30ms..10ms",
            "lognormal:20ms",
            "-5ms",
        ] {
            assert!(bad.parse::<Latency>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_round_trips() {
        for spec in ["20ms", "uniform:10ms..30ms", "lognormal:20ms,p99=200ms"] {
            let l: Latency = spec.parse().unwrap();
            assert_eq!(l.to_string().parse::<Latency>(), Ok(l));
        }
    }

    #[test]
    fn samples_are_deterministic_and_in_range() {
        let u = Latency::Uniform {
            low: 10 * MS,
            high: 30 * MS,
        };
        for i in 0..500 {
            let t = format!("T{i}");
            let d = u.sample(1, &t, 1);
            assert_eq!(d, u.sample(1, &t, 1));
            assert!((10 * MS..=30 * MS).contains(&d));
        }
    }

    #[test]
    fn lognormal_has_the_asked_median_and_tail() {
        let l = Latency::LogNormal {
            median: 20 * MS,
            p99: 200 * MS,
        };
        let mut v: Vec<Duration> = (0..20_000)
            .map(|i| l.sample(7, &format!("T{i}"), 1))
            .collect();
        v.sort();
        let (p50, p99) = (v[v.len() / 2], v[v.len() * 99 / 100]);
        assert!((17 * MS..23 * MS).contains(&p50), "{p50:?}");
        assert!((160 * MS..250 * MS).contains(&p99), "{p99:?}");
        assert!(*v.last().unwrap() <= 2000 * MS);
    }
}
