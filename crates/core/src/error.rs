//! [`FetchError`]: everything that can go wrong for one title, by cause.

use std::time::Duration;

/// Why one title produced no extract. Each variant says what you can do.
///
/// The error belongs to one title: the others in the same call are not
/// affected. [`FetchError::kind`] gives a stable short name for reports
/// and for the CLI's JSON output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The title breaks MediaWiki's title rules, found either before sending
    /// (no request was made) or by the server (`"invalid": true`).
    /// Fix the title; retrying will not help.
    #[error("invalid title: {reason}")]
    InvalidTitle {
        /// What is wrong with it, in words.
        reason: String,
    },
    /// The wiki has no page with this title. Check the spelling.
    #[error("no page named {title:?} on this wiki")]
    Missing {
        /// The title the server looked up, after normalization and redirects.
        title: String,
    },
    /// The server answered with an HTTP status that is not success, after
    /// all retries for the statuses worth retrying (429, 5xx).
    #[error("the server answered HTTP {status}")]
    Http {
        /// The last status received.
        status: u16,
    },
    /// The API answered with `{"error": {"code", "info"}}`; `maxlag` means the
    /// wiki's replicas are lagging, so fetch more slowly or later.
    #[error("the API refused the query: {code}: {info}")]
    Api {
        /// MediaWiki's error code, such as `maxlag` or `badvalue`.
        code: String,
        /// MediaWiki's explanation.
        info: String,
    },
    /// The body was not JSON, or stopped part way (a truncated response).
    /// Usually transient; retried.
    #[error("the response is not valid JSON: {message}")]
    Malformed {
        /// What the JSON parser said.
        message: String,
    },
    /// The body was JSON but not a TextExtracts answer for this title; the
    /// api-url may not point at a MediaWiki `api.php`.
    #[error("the response is JSON but not a TextExtracts answer: {message}")]
    Unexpected {
        /// What was missing or out of place.
        message: String,
    },
    /// The body was larger than `Config::max_body_bytes`; reading stopped
    /// there. Raise the limit if the server is trusted.
    #[error("the response is larger than the {limit}-byte limit")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// No complete answer within `Config::timeout`, after all retries.
    /// The server is slow or unreachable; raise `--timeout` or try later.
    #[error("no answer within {after:?}")]
    Timeout {
        /// The per-request timeout that ran out.
        after: Duration,
    },
    /// Could not connect (refused, unreachable, DNS). Check the api-url and
    /// that the server is running.
    #[error("cannot connect: {message}")]
    Connect {
        /// The client's description.
        message: String,
    },
    /// The connection failed after it was made (reset, closed early).
    #[error("the connection failed: {message}")]
    Transport {
        /// The client's description.
        message: String,
    },
    /// The machine refused a resource this title needed: a thread could
    /// not be spawned, or no file descriptor was left for a socket. Lower
    /// the concurrency, or raise the limit the message names.
    #[error("out of a system resource: {message}")]
    Resource {
        /// What was refused, and the limit involved.
        message: String,
    },
    /// The strategy's worker for this title panicked; a bug in wikifetch.
    /// The other titles are still fetched.
    #[error("the worker fetching this title panicked: {message}")]
    Panicked {
        /// The panic message, where it was a string.
        message: String,
    },
}

impl FetchError {
    /// A short, stable name for the cause: `invalid`, `missing`, `http`,
    /// `api`, `parse`, `too_large`, `timeout`, `connect`, `transport`,
    /// `resource` or `panic`. Reports and the CLI's `--format json` key on it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidTitle { .. } => "invalid",
            Self::Missing { .. } => "missing",
            Self::Http { .. } => "http",
            Self::Api { .. } => "api",
            Self::Malformed { .. } | Self::Unexpected { .. } => "parse",
            Self::TooLarge { .. } => "too_large",
            Self::Timeout { .. } => "timeout",
            Self::Connect { .. } => "connect",
            Self::Transport { .. } => "transport",
            Self::Resource { .. } => "resource",
            Self::Panicked { .. } => "panic",
        }
    }

    /// Whether the same request may succeed if sent again: rate limiting,
    /// server overload, replica lag, timeouts, broken connections and
    /// truncated bodies. Missing pages and invalid titles never are.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Http { status } => matches!(status, 429 | 500 | 502 | 503 | 504),
            Self::Api { code, .. } => matches!(code.as_str(), "maxlag" | "ratelimited"),
            Self::Malformed { .. }
            | Self::Timeout { .. }
            | Self::Connect { .. }
            | Self::Transport { .. } => true,
            Self::InvalidTitle { .. }
            | Self::Missing { .. }
            | Self::Unexpected { .. }
            | Self::TooLarge { .. }
            | Self::Resource { .. }
            | Self::Panicked { .. } => false,
        }
    }
}

impl From<crate::TitleError> for FetchError {
    fn from(e: crate::TitleError) -> Self {
        Self::InvalidTitle {
            reason: e.to_string(),
        }
    }
}

/// Why a fetcher could not be built from a `Config`. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// A `Config` field is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// An operating-system limit is too low for the requested concurrency.
    #[error("{0}")]
    Limit(String),
    /// The strategy could not build its runtime, pool or client.
    #[error("could not start the {strategy} strategy: {message}")]
    Start {
        /// The strategy's name.
        strategy: &'static str,
        /// What failed.
        message: String,
    },
}

/// An error and its chain of sources, as one line: `a: b: c`. HTTP
/// clients' top-level messages ("error sending request") hide the cause.
pub fn describe(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn describe_joins_the_chain_and_skips_what_is_already_said() {
        let chain = Layer(
            "error sending request",
            Some(Box::new(Layer(
                "connection refused",
                Some(Box::new(Layer("os error 111", None))),
            ))),
        );
        assert_eq!(
            describe(&chain),
            "error sending request: connection refused: os error 111"
        );
        let repeated = Layer(
            "timed out: deadline has elapsed",
            Some(Box::new(Layer("deadline has elapsed", None))),
        );
        assert_eq!(describe(&repeated), "timed out: deadline has elapsed");
        assert_eq!(describe(&Layer("alone", None)), "alone");
    }
}
