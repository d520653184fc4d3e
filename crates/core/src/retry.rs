//! The retry policy, as pure functions: what came back, and how many
//! attempts were made, decide whether to wait and try again.

use std::time::Duration;

use crate::FetchError;

/// When to try a title again, and how long to wait first.
///
/// Transient failures ([`FetchError::is_transient`]: 429, 5xx, `maxlag`,
/// timeouts, broken connections, truncated bodies) are retried up to
/// `max_retries` times. The wait doubles from `base_delay` on each retry,
/// with jitter so that many titles failing together do not retry in step,
/// and never exceeds `max_delay`. A `Retry-After` from the server replaces
/// the computed wait; if it asks for longer than `max_delay`, the title
/// fails now rather than holding a worker that long.
///
/// `maxlag` is the case that sets the time budget: MediaWiki answers a
/// lagged request with `Retry-After: max(maxlag, 5)` (`ApiMain::checkMaxLag`),
/// so with the live default `maxlag=5` a lag costs at least 5 s a retry,
/// and a policy whose `max_delay` is under 5 s turns every lag into a
/// failure. The defaults allow it: with `max_delay` 30 s and 3 retries, a
/// title that keeps meeting lag waits at most 3 × 30 s before failing (5 s
/// each while the server asks for 5), on top of `Config::timeout` per
/// attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying. Default 3.
    pub max_retries: u32,
    /// Wait before the first retry, before jitter. Default 250 ms.
    pub base_delay: Duration,
    /// Longest wait, computed or asked for by `Retry-After`. Default 30 s.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Keep this outcome: a success, a permanent error, or retries used up.
    Done,
    /// Wait this long, then send the same request again.
    RetryAfter(Duration),
}

impl RetryPolicy {
    /// Decides after attempt number `attempt` (1 for the first) failed with
    /// `error`. `retry_after` is the server's `Retry-After`, if it sent one;
    /// `jitter_seed` makes the jitter deterministic (strategies pass a hash
    /// of the title, so one title's waits are reproducible).
    pub fn decide(
        &self,
        attempt: u32,
        error: &FetchError,
        retry_after: Option<Duration>,
        jitter_seed: u64,
    ) -> Decision {
        if !error.is_transient() || attempt > self.max_retries {
            return Decision::Done;
        }
        match retry_after {
            Some(wait) if wait > self.max_delay => Decision::Done,
            Some(wait) => Decision::RetryAfter(wait),
            None => Decision::RetryAfter(self.backoff(attempt, jitter_seed)),
        }
    }

    /// The wait after attempt `attempt` with no `Retry-After`: "equal
    /// jitter", a random point in the upper half of `base · 2^(attempt-1)`,
    /// capped at `max_delay`.
    pub fn backoff(&self, attempt: u32, jitter_seed: u64) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
        let ceiling = self.base_delay.saturating_mul(doubling).min(self.max_delay);
        let fraction = unit_interval(mix(jitter_seed ^ u64::from(attempt)));
        ceiling / 2 + ceiling.mul_f64(fraction / 2.0)
    }
}

/// Parses a `Retry-After` header given in seconds. The HTTP-date form is
/// not supported (MediaWiki sends seconds) and yields `None`, so the
/// computed backoff is used instead.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The wait a `Retry-After` header asks for, from its raw value as any
/// HTTP client exposes it (`header.as_bytes()`): the one place every
/// strategy reads that header through.
pub fn retry_after(value: Option<&[u8]>) -> Option<Duration> {
    value
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(parse_retry_after)
}

/// A stable, well-mixed 64-bit hash of `s` (FNV-1a, then SplitMix64's
/// finalizer), for seeds derived from titles: the same on every run and
/// every machine, unlike `std`'s `RandomState`.
pub fn stable_hash(s: &str) -> u64 {
    mix(s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }))
}

/// Maps a hash to a number in [0, 1), for deterministic "random" choices.
pub fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// SplitMix64's finalizer: spreads a seed's bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            base_delay: 100 * MS,
            max_delay: 1000 * MS,
        }
    }

    fn transient() -> FetchError {
        FetchError::Http { status: 503 }
    }

    #[test]
    fn retries_transient_errors_until_the_budget_is_spent() {
        let p = policy();
        for attempt in 1..=3 {
            assert!(matches!(
                p.decide(attempt, &transient(), None, 7),
                Decision::RetryAfter(_)
            ));
        }
        assert_eq!(p.decide(4, &transient(), None, 7), Decision::Done);
    }

    #[test]
    fn zero_retries_means_one_attempt() {
        let p = RetryPolicy {
            max_retries: 0,
            ..policy()
        };
        assert_eq!(p.decide(1, &transient(), None, 7), Decision::Done);
    }

    #[test]
    fn retries_each_transient_kind() {
        let p = policy();
        for e in [
            FetchError::Http { status: 429 },
            FetchError::Http { status: 500 },
            FetchError::Http { status: 502 },
            FetchError::Http { status: 504 },
            FetchError::Api {
                code: "maxlag".into(),
                info: String::new(),
            },
            FetchError::Api {
                code: "ratelimited".into(),
                info: "You've exceeded your rate limit.".into(),
            },
            FetchError::Timeout { after: MS },
            FetchError::Connect {
                message: String::new(),
            },
            FetchError::Transport {
                message: String::new(),
            },
            FetchError::Malformed {
                message: String::new(),
            },
        ] {
            assert!(
                matches!(p.decide(1, &e, None, 0), Decision::RetryAfter(_)),
                "{e:?}"
            );
        }
    }

    #[test]
    fn never_retries_permanent_errors() {
        let p = policy();
        for e in [
            FetchError::Missing { title: "X".into() },
            FetchError::InvalidTitle {
                reason: String::new(),
            },
            FetchError::Http { status: 404 },
            FetchError::Http { status: 400 },
            FetchError::Api {
                code: "badvalue".into(),
                info: String::new(),
            },
            FetchError::TooLarge { limit: 1 },
            FetchError::Unexpected {
                message: String::new(),
            },
        ] {
            assert_eq!(p.decide(1, &e, None, 0), Decision::Done, "{e:?}");
        }
    }

    #[test]
    fn the_default_policy_waits_out_mediawiki_s_maxlag() {
        let maxlag = FetchError::Api {
            code: "maxlag".into(),
            info: "Waiting for db1001: 7 seconds lagged.".into(),
        };
        let five = Duration::from_secs(5);
        assert_eq!(
            RetryPolicy::default().decide(1, &maxlag, Some(five), 0),
            Decision::RetryAfter(five)
        );
        // A cap under MediaWiki's floor of 5 s: every lag fails.
        let short = RetryPolicy {
            max_delay: Duration::from_secs(4),
            ..RetryPolicy::default()
        };
        assert_eq!(short.decide(1, &maxlag, Some(five), 0), Decision::Done);
    }

    #[test]
    fn honours_retry_after_within_the_cap() {
        let p = policy();
        assert_eq!(
            p.decide(1, &transient(), Some(700 * MS), 0),
            Decision::RetryAfter(700 * MS)
        );
        assert_eq!(
            p.decide(1, &transient(), Some(2000 * MS), 0),
            Decision::Done
        );
    }

    /// The documented boundary: a `Retry-After` of exactly `max_delay` is
    /// waited; only a longer one fails the title at once.
    #[test]
    fn retry_after_equal_to_max_delay_is_waited_one_second_more_is_not() {
        let p = RetryPolicy {
            max_delay: Duration::from_secs(5),
            ..policy()
        };
        let five = Duration::from_secs(5);
        assert_eq!(
            p.decide(1, &transient(), Some(five), 0),
            Decision::RetryAfter(five)
        );
        assert_eq!(
            p.decide(1, &transient(), Some(five + Duration::from_secs(1)), 0),
            Decision::Done
        );
        // The same on the last retry the budget allows.
        assert_eq!(
            p.decide(p.max_retries, &transient(), Some(five), 0),
            Decision::RetryAfter(five)
        );
    }

    /// `ratelimited` (MediaWiki's per-user throttle) is waited out with the
    /// same backoff as any transient error, up to the same budget.
    #[test]
    fn ratelimited_is_retried_like_maxlag() {
        let p = policy();
        let api = |code: &str| FetchError::Api {
            code: code.into(),
            info: String::new(),
        };
        for attempt in 1..=p.max_retries {
            assert_eq!(
                p.decide(attempt, &api("ratelimited"), None, 9),
                p.decide(attempt, &api("maxlag"), None, 9),
                "attempt {attempt}"
            );
            assert!(matches!(
                p.decide(attempt, &api("ratelimited"), None, 9),
                Decision::RetryAfter(_)
            ));
        }
        assert_eq!(
            p.decide(p.max_retries + 1, &api("ratelimited"), None, 9),
            Decision::Done
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_in_the_upper_half_and_is_capped() {
        let p = policy();
        for seed in 0..200 {
            for (attempt, ceiling) in [
                (1, 100),
                (2, 200),
                (3, 400),
                (4, 800),
                (5, 1000),
                (30, 1000),
            ] {
                let d = p.backoff(attempt, seed);
                assert!(
                    d >= ceiling * MS / 2 && d <= ceiling * MS,
                    "{attempt} {seed} {d:?}"
                );
            }
        }
    }

    #[test]
    fn jitter_is_deterministic_and_spread() {
        let p = policy();
        assert_eq!(p.backoff(2, 42), p.backoff(2, 42));
        let distinct: std::collections::HashSet<_> = (0..50).map(|s| p.backoff(1, s)).collect();
        assert!(distinct.len() > 40);
    }

    /// `stable_hash` is what its doc says, FNV-1a then SplitMix64's
    /// finalizer, so seeds derived from titles (jitter, the mock's fault
    /// and latency layouts) are the same on every machine and release:
    /// checked against those algorithms' published values.
    #[test]
    fn stable_hash_is_fnv_1a_then_splitmix64() {
        // SplitMix64 seeded with 0: its first two outputs.
        assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(mix(0x9e37_79b9_7f4a_7c15), 0x6e78_9e6a_a1b9_65f4);
        // FNV-1a 64 of "", "a" and "foobar".
        assert_eq!(stable_hash(""), mix(0xcbf2_9ce4_8422_2325));
        assert_eq!(stable_hash("a"), mix(0xaf63_dc4c_8601_ec8c));
        assert_eq!(stable_hash("foobar"), mix(0x8594_4171_f739_67e8));
    }

    #[test]
    fn unit_interval_spans_zero_to_one() {
        assert_eq!(unit_interval(0), 0.0);
        let top = unit_interval(u64::MAX);
        assert!(top < 1.0 && top > 0.999_999, "{top}");
        assert_eq!(unit_interval(1 << 63), 0.5);
    }

    #[test]
    fn retry_after_parses_seconds_only() {
        assert_eq!(parse_retry_after("1"), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after(""), None);
        assert_eq!(retry_after(Some(b"2")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(Some(b"\xff")), None);
        assert_eq!(retry_after(None), None);
    }
}
