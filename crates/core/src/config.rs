//! [`Config`]: every setting a strategy needs, with defaults that suit live
//! Wikipedia and the lesson.

use std::time::Duration;

use crate::{RetryPolicy, SetupError};

/// English Wikipedia's API endpoint, the default `api_url`.
pub const WIKIPEDIA_API: &str = "https://en.wikipedia.org/w/api.php";

/// Where wikifetch lives; part of the User-Agent, as Wikimedia's policy asks.
pub const PROJECT_URL: &str = "https://github.com/wikifetch/wikifetch";

/// The most requests in flight Wikimedia's guidance asks of one client
/// against its live APIs (API:Etiquette and the rate-limit guidance:
/// requests in series rather than in parallel, at most 3 at once). The
/// default concurrency against a Wikimedia host; `wikifetch fetch` warns
/// above it.
pub const LIVE_MAX_CONCURRENCY: usize = 3;

/// Settings shared by every strategy. Build with `Config::default()` (live
/// English Wikipedia) or [`Config::for_api`] and adjust the public fields;
/// strategies call [`Config::validate`] in their constructor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The MediaWiki `api.php` endpoint. Default: [`WIKIPEDIA_API`].
    pub api_url: String,
    /// Requests in flight at once, C. Default 10, the lesson's
    /// `ThreadPoolExecutor(max_workers=10)`, except against a Wikimedia host,
    /// where it is [`LIVE_MAX_CONCURRENCY`], as Wikimedia asks. The
    /// sequential strategy ignores it.
    pub concurrency: usize,
    /// Sentences per extract, 1 to 10 (TextExtracts' range). Default 5.
    pub exsentences: u8,
    /// Time allowed for one attempt: connect, send, and read the whole body.
    /// Default 10 s: a live API call slower than that is a failure to retry.
    pub timeout: Duration,
    /// When and how long to wait before trying a title again.
    pub retry: RetryPolicy,
    /// Largest body read, in bytes; a larger one ends as `FetchError::TooLarge`
    /// without being buffered whole. Default 1 MiB: an extract of 10
    /// sentences is a few kilobytes.
    pub max_body_bytes: u64,
    /// The `maxlag` parameter in seconds: the API refuses (and we back off)
    /// when its replicas lag more than this. `None` sends none. Default:
    /// `Some(5)` for Wikimedia hosts, as their etiquette asks, `None` elsewhere.
    pub maxlag: Option<u32>,
    /// Contact information for the User-Agent. Default: [`PROJECT_URL`];
    /// heavy users of live Wikipedia should add an e-mail address.
    pub contact: String,
    /// Certificates (PEM) to trust for `https` instead of the web's roots,
    /// such as the CA of a `wikifetch serve --tls` mock (`fetch --ca-cert
    /// PATH` reads the file). Default `None`: the Mozilla roots, as for
    /// live Wikipedia.
    pub ca_cert_pem: Option<String>,
    /// Whether connections are kept alive and reused. Default `true`;
    /// `false` opens a new connection (and, over `https`, a new TLS
    /// session) for every request, as the lesson's `requests.get` does: a
    /// control that shows what keep-alive is worth.
    pub keep_alive: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self::for_api(WIKIPEDIA_API)
    }
}

impl Config {
    /// The defaults, pointed at `api_url` (for example a mock's).
    pub fn for_api(api_url: &str) -> Self {
        Self {
            api_url: api_url.to_owned(),
            concurrency: if is_wikimedia(api_url) {
                LIVE_MAX_CONCURRENCY
            } else {
                10
            },
            exsentences: 5,
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            max_body_bytes: 1 << 20,
            maxlag: is_wikimedia(api_url).then_some(5),
            contact: PROJECT_URL.to_owned(),
            ca_cert_pem: None,
            keep_alive: true,
        }
    }

    /// Checks every field; strategies call it before building anything.
    pub fn validate(&self) -> Result<(), SetupError> {
        let bad = |m: String| Err(SetupError::Config(m));
        if !(self.api_url.starts_with("http://") || self.api_url.starts_with("https://")) {
            return bad(format!(
                "api_url {:?} must start with http:// or https://",
                self.api_url
            ));
        }
        if self.concurrency == 0 {
            return bad("concurrency must be at least 1".into());
        }
        if !(1..=10).contains(&self.exsentences) {
            return bad(format!(
                "exsentences is {}; TextExtracts allows 1 to 10",
                self.exsentences
            ));
        }
        if self.timeout.is_zero() {
            return bad("timeout must be longer than zero".into());
        }
        if self.max_body_bytes == 0 {
            return bad("max_body_bytes must be at least 1".into());
        }
        Ok(())
    }

    /// Whether `api_url` is a Wikimedia wiki, whose etiquette applies.
    pub fn is_live_wikimedia(&self) -> bool {
        is_wikimedia(&self.api_url)
    }

    /// The User-Agent Wikimedia's policy asks for:
    /// `wikifetch/<version> (<contact>) <client>`, where `client` is the
    /// HTTP library and its version, such as `ureq/3`.
    pub fn user_agent(&self, client: &str) -> String {
        format!(
            "wikifetch/{} ({}) {client}",
            env!("CARGO_PKG_VERSION"),
            self.contact
        )
    }
}

/// The host part of an `http(s)://` URL, without user info or port.
pub(crate) fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.starts_with('[') {
        return host_port.split_inclusive(']').next().unwrap_or_default();
    }
    host_port.split(':').next().unwrap_or_default()
}

fn is_wikimedia(url: &str) -> bool {
    let host = host(url).to_ascii_lowercase();
    [
        "wikipedia.org",
        "wikimedia.org",
        "wiktionary.org",
        "wikidata.org",
        "mediawiki.org",
    ]
    .iter()
    .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_lesson_and_wikimedia_etiquette() {
        let c = Config::default();
        assert_eq!(c.api_url, WIKIPEDIA_API);
        // Live Wikimedia: Wikimedia's limit; anywhere else, the lesson's 10.
        assert_eq!(c.concurrency, LIVE_MAX_CONCURRENCY);
        assert_eq!(
            Config::for_api("http://127.0.0.1:4000/w/api.php").concurrency,
            10
        );
        assert_eq!(c.exsentences, 5);
        assert_eq!(c.timeout, Duration::from_secs(10));
        assert_eq!(c.retry.max_retries, 3);
        assert_eq!(c.maxlag, Some(5));
        assert!(c.is_live_wikimedia());
        assert!(c.validate().is_ok());
    }

    #[test]
    fn local_servers_get_no_maxlag() {
        let c = Config::for_api("http://127.0.0.1:4000/w/api.php");
        assert_eq!(c.maxlag, None);
        assert!(!c.is_live_wikimedia());
    }

    #[test]
    fn user_agent_names_project_contact_and_client() {
        let ua = Config::default().user_agent("ureq/3");
        assert_eq!(
            ua,
            format!(
                "wikifetch/{} ({PROJECT_URL}) ureq/3",
                env!("CARGO_PKG_VERSION")
            )
        );
    }

    #[test]
    fn host_is_extracted_without_port_or_userinfo() {
        assert_eq!(
            host("https://en.wikipedia.org/w/api.php"),
            "en.wikipedia.org"
        );
        assert_eq!(host("http://u:p@127.0.0.1:8080/x"), "127.0.0.1");
        assert_eq!(host("http://[::1]:80/"), "[::1]");
        assert_eq!(host("http://evil.com?x=.wikipedia.org"), "evil.com");
        assert!(!is_wikimedia("http://notwikipedia.org/"));
        assert!(is_wikimedia("https://de.WIKIPEDIA.org/w/api.php"));
    }

    #[test]
    fn validate_names_the_bad_field() {
        let mut c = Config::for_api("ftp://x");
        assert!(c.validate().unwrap_err().to_string().contains("api_url"));
        c = Config::for_api("http://x");
        c.exsentences = 11;
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("exsentences")
        );
        c.exsentences = 5;
        c.concurrency = 0;
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("concurrency")
        );
    }
}
