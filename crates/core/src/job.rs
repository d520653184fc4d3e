//! [`Job`]: one title's journey through attempts, as a state machine that
//! strategies drive with their own HTTP client and their own way to wait.
//!
//! ```text
//! Job::new(title) ──invalid──▶ Err(InvalidTitle)      (nothing sent)
//!     │ url()
//!     ▼
//! client GET ──▶ job.record(reply) ──▶ Step::Done(result)
//!     ▲                 │
//!     └── wait(d) ◀── Step::Retry(d)
//! ```
//! [`fetch_blocking`] and [`fetch_async`] are that loop, written once.

use std::future::Future;
use std::time::Duration;

use crate::{
    Config, Decision, Extract, FetchError, Title, parse_response, request_url, stable_hash,
};

/// What the HTTP client got back from one attempt that reached the server.
///
/// Transport failures (timeout, refused connection, body over the limit)
/// are reported to [`Job::record`] as `Err(FetchError)` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// The HTTP status code.
    pub status: u16,
    /// The `Retry-After` header, parsed with [`crate::parse_retry_after`].
    pub retry_after: Option<Duration>,
    /// The whole body, at most `Config::max_body_bytes` long.
    pub body: Vec<u8>,
}

/// What a strategy does next for a title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The title's final result.
    Done(Result<Extract, FetchError>),
    /// Wait this long, then send [`Job::url`] again.
    Retry(Duration),
}

/// One title being fetched: its request URL and the attempts made so far.
#[derive(Debug, Clone)]
pub struct Job<'c> {
    config: &'c Config,
    title: Title,
    url: String,
    attempts: u32,
}

impl<'c> Job<'c> {
    /// Checks the title (no request is ever sent for an invalid one) and
    /// builds its request URL.
    pub fn new(config: &'c Config, given: &str) -> Result<Self, FetchError> {
        let title = Title::new(given)?;
        let url = request_url(config, &title);
        Ok(Self {
            config,
            title,
            url,
            attempts: 0,
        })
    }

    /// The URL to GET.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Attempts recorded so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Records what one attempt got back and decides what comes next,
    /// following `Config::retry`.
    pub fn record(&mut self, reply: Result<HttpReply, FetchError>) -> Step {
        self.attempts += 1;
        let (outcome, retry_after) =
            attempt_outcome(reply, |body| parse_response(&self.title, body));
        let Err(error) = outcome else {
            return Step::Done(outcome);
        };
        let seed = stable_hash(self.title.as_query());
        match self
            .config
            .retry
            .decide(self.attempts, &error, retry_after, seed)
        {
            Decision::Done => Step::Done(Err(error)),
            Decision::RetryAfter(wait) => Step::Retry(wait),
        }
    }
}

/// What one attempt came to, for [`Job`] and [`crate::Batch`] alike: a 2xx
/// answer's body through `parse`, any other status as `FetchError::Http`,
/// a transport failure as it is; with the server's `Retry-After`, if any.
pub(crate) fn attempt_outcome<T>(
    reply: Result<HttpReply, FetchError>,
    parse: impl FnOnce(&[u8]) -> Result<T, FetchError>,
) -> (Result<T, FetchError>, Option<Duration>) {
    match reply {
        Ok(reply) if (200..300).contains(&reply.status) => (parse(&reply.body), reply.retry_after),
        Ok(reply) => (
            Err(FetchError::Http {
                status: reply.status,
            }),
            reply.retry_after,
        ),
        Err(e) => (Err(e), None),
    }
}

/// Fetches one title with a blocking client: `get` performs one GET of the
/// URL it is given, and the thread sleeps between retries.
pub fn fetch_blocking(
    config: &Config,
    title: &str,
    mut get: impl FnMut(&str) -> Result<HttpReply, FetchError>,
) -> Result<Extract, FetchError> {
    // An invalid title ends here, before anything is sent.
    let mut job = Job::new(config, title)?;
    loop {
        // `get` blocks this thread until the answer is read or the request
        // times out; `record` then decides: done, or retry after a wait.
        match job.record(get(job.url())) {
            Step::Done(result) => return result,
            // The backoff: the OS thread sleeps and does nothing else.
            Step::Retry(wait) => std::thread::sleep(wait),
        }
    }
}

/// Fetches one title with an async client: `get` performs one GET, and
/// `sleep` is the runtime's timer, so a waiting title never blocks a worker.
pub async fn fetch_async<G, GF, S, SF>(
    config: &Config,
    title: &str,
    mut get: G,
    mut sleep: S,
) -> Result<Extract, FetchError>
where
    G: FnMut(String) -> GF,
    GF: Future<Output = Result<HttpReply, FetchError>>,
    S: FnMut(Duration) -> SF,
    SF: Future<Output = ()>,
{
    // An invalid title ends here, before anything is sent.
    let mut job = Job::new(config, title)?;
    loop {
        // The task parks here until its socket is ready (or its timeout is
        // due); the executor's thread runs other tasks or blocks meanwhile.
        let reply = get(job.url().to_owned()).await;
        match job.record(reply) {
            Step::Done(result) => return result,
            // The backoff: the task parks on the timer, holding no thread.
            Step::Retry(wait) => sleep(wait).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RetryPolicy;

    fn config() -> Config {
        let mut c = Config::for_api("http://127.0.0.1:9/w/api.php");
        c.retry = RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(10),
        };
        c
    }

    fn reply(status: u16, body: &str) -> Result<HttpReply, FetchError> {
        Ok(HttpReply {
            status,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        })
    }

    const GOOD: &str = r#"{"query":{"pages":[{"title":"X","extract":"x."}]}}"#;

    #[test]
    fn invalid_title_sends_nothing() {
        let mut sent = 0;
        let r = fetch_blocking(&config(), "a|b", |_| {
            sent += 1;
            reply(200, GOOD)
        });
        assert_eq!(r.unwrap_err().kind(), "invalid");
        assert_eq!(sent, 0);
    }

    #[test]
    fn retries_then_succeeds() {
        let mut replies = vec![reply(200, GOOD), reply(503, ""), reply(200, "{\"query")];
        let mut urls = Vec::new();
        let r = fetch_blocking(&config(), "X", |url| {
            urls.push(url.to_owned());
            replies.pop().unwrap()
        });
        assert_eq!(r.unwrap().text, "x.");
        assert_eq!(urls.len(), 3);
        assert!(urls.iter().all(|u| u.ends_with("&titles=X")));
    }

    #[test]
    fn gives_up_after_the_retry_budget_with_the_last_error() {
        let mut sent = 0;
        let r = fetch_blocking(&config(), "X", |_| {
            sent += 1;
            // A retry loop that stopped counting must fail, not spin.
            assert!(sent <= 50, "{sent} attempts: the retries do not end");
            reply(500, "")
        });
        assert_eq!(r, Err(FetchError::Http { status: 500 }));
        assert_eq!(sent, 3);
    }

    #[test]
    fn missing_is_not_retried() {
        let c = config();
        let mut job = Job::new(&c, "X").unwrap();
        let step = job.record(reply(
            200,
            r#"{"query":{"pages":[{"title":"X","missing":true}]}}"#,
        ));
        assert_eq!(
            step,
            Step::Done(Err(FetchError::Missing { title: "X".into() }))
        );
        assert_eq!(job.attempts(), 1);
    }

    #[test]
    fn attempts_are_counted() {
        let c = config();
        let mut job = Job::new(&c, "X").unwrap();
        assert_eq!(job.attempts(), 0);
        assert!(matches!(job.record(reply(503, "")), Step::Retry(_)));
        assert!(matches!(job.record(reply(503, "")), Step::Retry(_)));
        assert_eq!(job.attempts(), 2);
        assert!(matches!(job.record(reply(200, GOOD)), Step::Done(Ok(_))));
        assert_eq!(job.attempts(), 3);
    }

    #[test]
    fn retry_after_is_passed_to_the_policy() {
        let c = config();
        let mut job = Job::new(&c, "X").unwrap();
        let step = job.record(Ok(HttpReply {
            status: 429,
            retry_after: Some(Duration::from_millis(7)),
            body: Vec::new(),
        }));
        assert_eq!(step, Step::Retry(Duration::from_millis(7)));
    }

    #[test]
    fn async_loop_uses_the_given_sleep() {
        use std::cell::RefCell;
        let slept = RefCell::new(Vec::new());
        let mut replies = vec![reply(200, GOOD), reply(429, "")];
        let c = config();
        let fut = fetch_async(
            &c,
            "X",
            |_url| std::future::ready(replies.pop().unwrap()),
            |d| {
                slept.borrow_mut().push(d);
                std::future::ready(())
            },
        );
        let r = block_on(fut);
        assert!(r.is_ok());
        assert_eq!(slept.borrow().len(), 1);
    }

    /// A minimal executor for futures that are always ready.
    fn block_on<F: Future>(fut: F) -> F::Output {
        let mut fut = std::pin::pin!(fut);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }
}
