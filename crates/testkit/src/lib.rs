//! # wikifetch-testkit: the conformance kit
//!
//! One set of checks that every strategy must pass, against a fresh
//! [`MockWiki`] per check. A strategy's `tests/conformance.rs` is one line:
//!
//! ```ignore
//! wikifetch_testkit::conformance_tests!(wikifetch_sequential::Sequential);
//! ```
//!
//! which expands to one `#[test]` per check below, so a failure names the
//! promise that broke. The promises: one result per input title, in input
//! order, whatever the completion order; titles byte-exact at the server;
//! the right error kind for missing and invalid titles (and no request for
//! an invalid one); redirects and normalization mapped back; exactly
//! [`Fetcher::max_in_flight`] requests in flight at the server; connections
//! reused; the progress observer called once per title; transient faults
//! retried exactly as the policy says (`Retry-After` honoured), permanent
//! ones reported by kind, hung requests timed out, huge bodies refused,
//! an unreachable server failing fast; the live etiquette (User-Agent,
//! `maxlag`, gzip); MediaWiki's `ratelimited` retried as `maxlag` is; a
//! gzip bomb refused without retrying and without memory growing past the
//! body cap; and 10,000 titles, at C = 1000 with faults, all back in order.
//!
//! No check can hang: each runs on a worker thread under a deadline
//! ([`run_check`]), and fails naming itself when it passes it.

// This crate is test code: failing loudly, with a message, is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use wikifetch_core::{BatchPlan, Config, FetchResult, Fetcher, NoProgress, RetryPolicy};
use wikifetch_mock::{
    Fault, FaultKind, Latency, MISSING_TITLE, MockWiki, extract_for, intro_sentences, normalize,
    parse_faults,
};

/// The allocator of every test binary that links the kit: the system's,
/// counting the bytes allocated and not yet freed, and their peak. The
/// gzip-bomb check reads the peak: it counts what the client really
/// holds (a body read into memory is allocated, whatever the OS does with
/// the pages), per process and without a child process, at the cost of
/// two relaxed atomic operations per allocation. It sees every thread of
/// the binary, so that check runs alone ([`run_check`]'s lock).
#[global_allocator]
static ALLOCATOR: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

/// How long one check may run before it fails as hung. The slowest check
/// (10,000 titles at C = 1000) takes a few seconds; this leaves room for a
/// loaded two-core machine and still fails a hang long before CI's budget.
pub const CHECK_DEADLINE: Duration = Duration::from_secs(120);

/// The deadline of the checks that wait on a hung or absent server: their
/// own bound is a few seconds, so a client without a timeout fails here,
/// well before the mock's hang ends ([`wikifetch_mock::HANG_LIMIT`]).
pub const HANG_DEADLINE: Duration = Duration::from_secs(20);

/// Checks that must run alone in their binary: the gzip-bomb check reads
/// the process's allocation peak, which other checks would raise.
const ALONE: &[&str] = &["a_gzip_bomb_is_too_large"];

/// Shared by every check, held exclusively by the ones in [`ALONE`].
static TURN: RwLock<()> = RwLock::new(());

/// Runs the check `name` as [`conformance_tests!`] does: alone if it must
/// be, on a worker thread, under its deadline ([`within`]).
pub fn run_check(name: &'static str, check: fn()) {
    let deadline = match name {
        "a_hung_request_times_out" | "an_unreachable_server_fails_fast" => HANG_DEADLINE,
        _ => CHECK_DEADLINE,
    };
    let _turn = if ALONE.contains(&name) {
        (None, Some(TURN.write().unwrap_or_else(|e| e.into_inner())))
    } else {
        (Some(TURN.read().unwrap_or_else(|e| e.into_inner())), None)
    };
    within(deadline, name, check);
}

/// Runs `f` on a worker thread and returns what it returns, or fails the
/// test, naming `what`, when it has not returned within `deadline`: a hung
/// request or an endless retry loop becomes a failure with a message, not
/// a test run that never ends. A panic in `f` is the test's own. On a
/// timeout the worker is left behind; the test binary ends it on exit.
pub fn within<T: Send + 'static>(
    deadline: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done, result) = std::sync::mpsc::channel();
    let worker = std::thread::Builder::new()
        .name(what.to_owned())
        .spawn(move || {
            let _ = done.send(f());
        })
        .unwrap_or_else(|e| panic!("{what}: could not start its worker thread: {e}"));
    match result.recv_timeout(deadline) {
        Ok(value) => {
            let _ = worker.join();
            value
        }
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("{what}: its worker ended without a result"),
        },
        Err(RecvTimeoutError::Timeout) => panic!(
            "{what} passed its deadline of {deadline:?}: a request or a retry loop does not end"
        ),
    }
}

/// Titles that break naive clients: reserved URL characters, non-ASCII.
pub const HOSTILE_TITLES: &[&str] = &[
    "AT&T",
    "C++",
    "100% (song)",
    "Question?",
    "Schrödinger equation",
    "東京",
    "a=b;c/d",
    "Plus+Space Both",
];

/// Sentences the kit asks for (the default).
const SENTENCES: u8 = 5;

/// The configuration the kit uses against `mock`: concurrency `c`, short
/// retry waits so that checks stay fast, and a long timeout: the checks run
/// in parallel in one process, and the C = 1000 one (rayon's 1000 spinning
/// workers above all) can starve the mock for seconds; a short timeout
/// would turn that into retries, which the checks count exactly. The
/// timeout checks set their own.
pub fn config_for(mock: &MockWiki, c: usize) -> Config {
    let mut config = Config::for_api(&mock.api_url());
    config.concurrency = c;
    config.timeout = Duration::from_secs(60);
    config.retry = RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
    };
    config
}

/// Starts a mock, or fails the test saying why.
pub fn start(builder: wikifetch_mock::MockWikiBuilder) -> MockWiki {
    // The kit reads the last request's URL and headers.
    builder
        .record_last_request(true)
        .start()
        .expect("the mock server could not start")
}

/// Builds the fetcher under test.
pub fn build<F: Fetcher>(config: &Config) -> F {
    F::new(config).unwrap_or_else(|e| panic!("could not build the fetcher: {e}"))
}

/// The extract the mock gives for `page` (after normalization and
/// redirects): its first sentences, or with `intro` (a batching strategy's
/// `exintro`) at most its introduction's, fewer for a short introduction.
pub fn expected_text(page: &str, intro: bool) -> String {
    extract_for(page, SENTENCES, intro, 0)
}

/// The requests `f` needs for `titles` when nothing fails: one per valid
/// title, or for a batching strategy one per batch of distinct titles.
pub fn requests_for<F: Fetcher>(f: &F, titles: &[String]) -> u64 {
    let plan = BatchPlan::new(titles);
    let per_request = f.titles_per_request();
    let requests = if per_request == 1 {
        plan.positions.iter().map(Vec::len).sum()
    } else {
        plan.distinct.len().div_ceil(per_request)
    };
    requests as u64
}

fn owned(titles: &[&str]) -> Vec<String> {
    titles.iter().map(|t| (*t).to_owned()).collect()
}

fn assert_extract<F: Fetcher>(f: &F, result: &FetchResult, page: &str, context: &str) {
    match result {
        Ok(e) => {
            assert_eq!(e.page_title, page, "{context}: wrong page");
            assert_eq!(
                e.text,
                expected_text(page, f.intro_only()),
                "{context}: wrong extract"
            );
        }
        Err(e) => panic!("{context}: expected the extract of {page:?}, got error {e}"),
    }
}

/// No titles in, no results out, nothing sent.
pub fn empty_input<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    assert!(f.fetch_all(&[], &NoProgress).is_empty());
    assert_eq!(mock.stats().requests, 0);
}

/// One title, one request, its extract.
pub fn one_title<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let results = f.fetch_all(&owned(&["Rust"]), &NoProgress);
    assert_eq!(results.len(), 1);
    assert_extract(&f, &results[0], "Rust", "one title");
    assert_eq!(mock.stats().requests, 1);
}

/// A disambiguation page is a success marked `disambiguation`, learned
/// from the same request (`prop=extracts|pageprops`): the mock's default
/// disambiguation pages and one made for the check are marked, ordinary
/// pages beside them in the same batch are not, and no request is added.
pub fn disambiguation_pages_are_marked<F: Fetcher>() {
    let mock = start(MockWiki::builder().disambiguation("Kit disambiguation"));
    let f: F = build(&config_for(&mock, 4));
    let titles = owned(&["Python", "Chess", "Mercury", "Kit disambiguation", "Rust"]);
    let results = f.fetch_all(&titles, &NoProgress);
    assert_eq!(results.len(), titles.len());
    for (title, result) in titles.iter().zip(&results) {
        assert_extract(&f, result, title, title);
        let marked = result.as_ref().is_ok_and(|e| e.disambiguation);
        let expected = title != "Chess" && title != "Rust";
        assert_eq!(marked, expected, "{title}: disambiguation mark");
    }
    assert_eq!(mock.stats().requests, requests_for(&f, &titles));
}

/// 500 titles with uneven latency come back exact and in input order.
pub fn many_titles_in_input_order<F: Fetcher>() {
    let mock = start(MockWiki::builder().latency(Latency::Uniform {
        low: Duration::ZERO,
        high: Duration::from_millis(3),
    }));
    let f: F = build(&config_for(&mock, 16));
    let titles: Vec<String> = (0..500).map(|i| format!("Title {i}")).collect();
    let results = f.fetch_all(&titles, &NoProgress);
    assert_eq!(results.len(), titles.len());
    for (title, result) in titles.iter().zip(&results) {
        assert_extract(&f, result, title, title);
    }
    assert_eq!(mock.stats().requests, requests_for(&f, &titles));
}

/// A title given twice is fetched and reported twice, in both places.
pub fn duplicates_are_fetched_per_position<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let titles = owned(&["Dup", "Other", "Dup", "Dup", MISSING_TITLE, MISSING_TITLE]);
    let seen = Mutex::new(Vec::new());
    let results = f.fetch_all(&titles, &|i, _| seen.lock().unwrap().push(i));
    assert_eq!(results.len(), 6);
    for i in [0, 2, 3] {
        assert_extract(&f, &results[i], "Dup", "duplicate");
    }
    assert_extract(&f, &results[1], "Other", "between duplicates");
    assert_eq!(results[4].as_ref().unwrap_err().kind(), "missing");
    assert_eq!(results[5].as_ref().unwrap_err().kind(), "missing");
    // Fetched at each position, or asked for once by a batch.
    let asked = if f.titles_per_request() == 1 { 3 } else { 1 };
    assert_eq!(mock.attempts("Dup"), asked);
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    assert_eq!(seen, vec![0, 1, 2, 3, 4, 5]);
}

/// Reserved and non-ASCII characters reach the server byte-exact.
pub fn hostile_titles_arrive_byte_exact<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let titles = owned(HOSTILE_TITLES);
    let results = f.fetch_all(&titles, &NoProgress);
    for (title, result) in HOSTILE_TITLES.iter().zip(&results) {
        assert_eq!(
            mock.attempts(title),
            1,
            "{title:?} did not arrive as itself"
        );
        assert_extract(&f, result, &normalize(title), title);
    }
    assert_eq!(mock.stats().requests, requests_for(&f, &titles));
}

/// A title with a fragment (`Page#Section`) returns its page's extract, as
/// MediaWiki treats it; a fragment alone is an invalid (empty) title, and
/// nothing is sent for it.
pub fn a_fragment_asks_for_its_page<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let titles = owned(&["Rust#History", "rust_ #Early years", "#History", "Rust"]);
    let results = f.fetch_all(&titles, &NoProgress);
    assert_extract(&f, &results[0], "Rust", "Rust#History");
    assert_extract(&f, &results[1], "Rust", "rust_ #Early years");
    assert_eq!(results[2].as_ref().unwrap_err().kind(), "invalid");
    assert_extract(&f, &results[3], "Rust", "Rust");
    assert_eq!(
        mock.stats().requests,
        requests_for(&f, &titles),
        "one request per valid title, or one batch"
    );
}

/// A missing page is an error of kind `missing`, asked for once.
pub fn missing_page_is_an_error_not_retried<F: Fetcher>() {
    let mock = start(MockWiki::builder().missing("Ghost"));
    let f: F = build(&config_for(&mock, 4));
    let results = f.fetch_all(&owned(&["Before", "Ghost", "After"]), &NoProgress);
    assert_extract(&f, &results[0], "Before", "before the missing page");
    assert_eq!(results[1].as_ref().unwrap_err().kind(), "missing");
    assert_extract(&f, &results[2], "After", "after the missing page");
    assert_eq!(mock.attempts("Ghost"), 1);
}

/// Invalid titles fail with kind `invalid`, and no request is sent for them.
pub fn invalid_titles_send_nothing<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let long = "x".repeat(300);
    let titles = owned(&[
        "ok",
        "a|b",
        "",
        "   ",
        "tab\there",
        &long,
        "[[link]]",
        "ok2",
    ]);
    let results = f.fetch_all(&titles, &NoProgress);
    assert_eq!(results.len(), titles.len());
    assert_extract(&f, &results[0], "Ok", "valid before invalid");
    for (title, result) in titles.iter().zip(&results).skip(1).take(6) {
        let err = result.as_ref().expect_err(title);
        assert_eq!(err.kind(), "invalid", "{title:?}: {err}");
    }
    assert_extract(&f, &results[7], "Ok2", "valid after invalid");
    assert_eq!(
        mock.stats().requests,
        requests_for(&f, &titles),
        "requests were sent for invalid titles"
    );
    // One title per character MediaWiki forbids, written out here (the
    // mock refuses them too, so only the request count tells that the
    // client did). Each is refused naming its character; none is sent.
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let forbidden = ['<', '>', '[', ']', '|', '{', '}'];
    let titles: Vec<String> = forbidden.iter().map(|c| format!("a{c}b")).collect();
    let results = f.fetch_all(&titles, &NoProgress);
    assert_eq!(results.len(), forbidden.len());
    for (c, result) in forbidden.iter().zip(&results) {
        let err = result.as_ref().expect_err(&format!("a{c}b was accepted"));
        assert_eq!(err.kind(), "invalid", "a{c}b: {err}");
        assert!(err.to_string().contains(&format!("{c:?}")), "a{c}b: {err}");
    }
    assert_eq!(
        mock.stats().requests,
        0,
        "requests were sent for titles with forbidden characters"
    );
}

/// A redirect is followed to its target page. The mock follows one only
/// when the request says `redirects=1`, as MediaWiki does
/// (`ApiPageSet::resolvePendingRedirects`), so this also checks that the
/// client asks: without it the answer is the redirect page itself, with an
/// empty extract.
pub fn redirects_are_followed<F: Fetcher>() {
    let mock = start(MockWiki::builder().redirect("Old name", "New name"));
    let f: F = build(&config_for(&mock, 4));
    let results = f.fetch_all(&owned(&["Old name", "Einstein"]), &NoProgress);
    assert_extract(&f, &results[0], "New name", "redirect");
    assert_extract(&f, &results[1], "Albert Einstein", "default redirect");
}

/// `Albert_Einstein` is normalized to `Albert Einstein` and mapped back.
pub fn normalization_is_mapped_back<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let results = f.fetch_all(
        &owned(&["Albert_Einstein", "james clerk_maxwell"]),
        &NoProgress,
    );
    assert_extract(&f, &results[0], "Albert Einstein", "underscores");
    assert_extract(&f, &results[1], "James clerk maxwell", "lower case");
}

/// A title not in Unicode NFC (`cafe` + a combining acute accent): the
/// server reports it percent-encoded with `fromencoded`, made NFC, and,
/// chained, its own normalization (`café` → `Café`); the client follows
/// both to the page. `Cafe` + the accent needs the first step alone.
pub fn non_nfc_titles_reach_their_page<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let titles = owned(&["cafe\u{301}", "Cafe\u{301} Central", "Zu\u{308}rich"]);
    let results = f.fetch_all(&titles, &NoProgress);
    assert_extract(&f, &results[0], "Café", "two chained normalizations");
    assert_extract(&f, &results[1], "Café Central", "NFC alone");
    assert_extract(&f, &results[2], "Zürich", "NFC alone, no change of case");
}

/// Titles outside the article namespace and with Unicode spaces, as
/// MediaWiki reads them (`MediaWikiTitleCodec::splitTitleString`): a talk
/// page has its own text; a File page's extract is empty (TextExtracts
/// returns none, with a warning); a special page has none; a non-breaking
/// space and an ideographic space are spaces; a leading colon is dropped;
/// `&eacute;` is é. Each is an extract, none an error.
pub fn other_namespaces_and_unicode_spaces<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let titles = owned(&[
        "talk:Rust",
        "File:Logo.png",
        "Special:Random",
        "Albert\u{a0}Einstein",
        "東京\u{3000}駅",
        ":Rust",
        "Caf&eacute; Central",
    ]);
    let results = f.fetch_all(&titles, &NoProgress);
    assert_extract(&f, &results[0], "Talk:Rust", "a talk page");
    for (i, page) in [(1, "File:Logo.png"), (2, "Special:Random")] {
        match &results[i] {
            Ok(e) => {
                assert_eq!(e.page_title, page);
                assert_eq!(e.text, "", "{page}: TextExtracts gives no text");
            }
            Err(e) => panic!("{page}: expected an empty extract, got {e}"),
        }
    }
    assert_extract(&f, &results[3], "Albert Einstein", "a non-breaking space");
    assert_extract(&f, &results[4], "東京 駅", "an ideographic space");
    assert_extract(&f, &results[5], "Rust", "a leading colon");
    assert_extract(&f, &results[6], "Café Central", "a character reference");
}

/// `maxlag` as MediaWiki sends it (`ApiMain::checkMaxLag`: HTTP 200,
/// `Retry-After` of at least 5 s, `X-Database-Lag`, `MediaWiki-API-Error`)
/// is waited out as asked, within the policy's `max_delay`, and the title
/// then fetched. The live default (`max_delay` 30 s) allows it; a policy
/// whose `max_delay` is under 5 s turns every lag into a failure, which
/// the last part checks.
pub fn maxlag_is_waited_out_as_the_server_asks<F: Fetcher>() {
    let asked = Duration::from_secs(wikifetch_mock::MAXLAG_MIN_RETRY_AFTER);
    let mock = start(MockWiki::builder().fault(Fault::first(FaultKind::Maxlag, 1, &["Lagged"])));
    let mut config = config_for(&mock, 4);
    config.maxlag = Some(5);
    config.retry.max_delay = asked + Duration::from_secs(1);
    let f: F = build(&config);
    let started = Instant::now();
    let results = f.fetch_all(&owned(&["Lagged", "Beside it"]), &NoProgress);
    let elapsed = started.elapsed();
    assert_extract(&f, &results[0], "Lagged", "after maxlag");
    assert_extract(&f, &results[1], "Beside it", "beside maxlag");
    assert_eq!(mock.attempts("Lagged"), 2, "one maxlag, one success");
    assert!(
        elapsed >= asked && elapsed < asked + Duration::from_secs(5),
        "{elapsed:?}: the server asked for {asked:?}"
    );
    // A cap under what the server asks: the title fails as maxlag, at once.
    let mock = start(MockWiki::builder().fault(Fault::first(FaultKind::Maxlag, 1, &["Lagged"])));
    let mut config = config_for(&mock, 4);
    config.retry.max_delay = Duration::from_secs(1);
    let f: F = build(&config);
    let started = Instant::now();
    let results = f.fetch_all(&owned(&["Lagged"]), &NoProgress);
    assert!(
        matches!(&results[0], Err(wikifetch_core::FetchError::Api { code, .. }) if code == "maxlag"),
        "{:?}",
        results[0]
    );
    assert!(started.elapsed() < asked, "no wait it would not honour");
}

/// MediaWiki's `ratelimited` error (HTTP 200, `MediaWiki-API-Error:
/// ratelimited`, no `Retry-After`: `ApiMain::handleException` for
/// `apierror-ratelimited`) is transient, as `maxlag` is: a title whose
/// first two attempts are throttled is retried and fetched; one throttled
/// on every attempt fails as `ratelimited` once the retries are spent.
pub fn ratelimited_is_retried_like_maxlag<F: Fetcher>() {
    let mock =
        start(MockWiki::builder().fault(Fault::first(FaultKind::Ratelimited, 2, &["Throttled"])));
    let f: F = build(&config_for(&mock, 4));
    let results = f.fetch_all(&owned(&["Throttled", "Beside it"]), &NoProgress);
    assert_extract(
        &f,
        &results[0],
        "Throttled",
        "after two ratelimited answers",
    );
    assert_extract(&f, &results[1], "Beside it", "beside ratelimited");
    assert_eq!(
        mock.attempts("Throttled"),
        3,
        "two ratelimited answers, then the extract"
    );
    let mock =
        start(MockWiki::builder().fault(Fault::always(FaultKind::Ratelimited, &["Throttled"])));
    let mut config = config_for(&mock, 4);
    config.retry.max_retries = 2;
    let f: F = build(&config);
    let results = f.fetch_all(&owned(&["Throttled"]), &NoProgress);
    assert!(
        matches!(&results[0], Err(wikifetch_core::FetchError::Api { code, .. }) if code == "ratelimited"),
        "{:?}",
        results[0]
    );
    assert_eq!(
        mock.attempts("Throttled"),
        3,
        "the first attempt and 2 retries"
    );
}

/// The server sees exactly [`Fetcher::max_in_flight`] requests at once.
pub fn in_flight_matches_the_concurrency<F: Fetcher>() {
    let mock = start(MockWiki::builder().latency(Latency::Fixed(Duration::from_millis(40))));
    let c = 8;
    let f: F = build(&config_for(&mock, c));
    let expected = f.max_in_flight();
    // 1 (a loop), C, or a cap of the strategy's own below C (rayon's
    // global pool: one thread per CPU), which it must then reach.
    assert!(
        (1..=c).contains(&expected),
        "max_in_flight() is {expected}, not between 1 and C = {c}"
    );
    // Enough requests for every slot at once, whatever a request carries.
    let n = if expected == 1 { 6 } else { 3 * expected } * f.titles_per_request();
    let titles: Vec<String> = (0..n).map(|i| format!("Parallel {i}")).collect();
    let results = f.fetch_all(&titles, &NoProgress);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(
        mock.stats().max_in_flight,
        expected,
        "requests in flight at the server"
    );
}

/// Connections are kept alive and reused: N = 10·C requests open at most C.
pub fn connections_are_reused<F: Fetcher>() {
    let mock = start(MockWiki::builder().latency(Latency::Fixed(Duration::from_millis(2))));
    let c = 4;
    let f: F = build(&config_for(&mock, c));
    let titles: Vec<String> = (0..10 * c * f.titles_per_request())
        .map(|i| format!("Reuse {i}"))
        .collect();
    let results = f.fetch_all(&titles, &NoProgress);
    assert!(results.iter().all(Result::is_ok));
    let connections = mock.stats().connections;
    assert!(
        connections <= f.max_in_flight() as u64,
        "{connections} connections for {} requests at concurrency {}",
        titles.len(),
        f.max_in_flight()
    );
}

/// The progress observer hears of every title exactly once, failures too.
pub fn progress_reports_each_title_once<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let mut titles: Vec<String> = (0..40).map(|i| format!("P {i}")).collect();
    titles[3] = MISSING_TITLE.to_owned();
    titles[7] = "bad|title".to_owned();
    let seen = Mutex::new(Vec::new());
    let results = f.fetch_all(&titles, &|i, ok| seen.lock().unwrap().push((i, ok)));
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    let expected: Vec<(usize, bool)> = results.iter().map(Result::is_ok).enumerate().collect();
    assert_eq!(seen, expected);
    assert!(!seen[3].1 && !seen[7].1 && seen[0].1);
}

/// `started` is reported once per title, before its completion.
pub fn progress_reports_starts_before_completions<F: Fetcher>() {
    struct Events(Mutex<Vec<(usize, bool)>>);
    impl wikifetch_core::Progress for Events {
        fn started(&self, index: usize) {
            self.0.lock().unwrap().push((index, false));
        }
        fn completed(&self, index: usize, _ok: bool) {
            self.0.lock().unwrap().push((index, true));
        }
    }
    let mock = start(MockWiki::builder().latency(Latency::Fixed(Duration::from_millis(2))));
    let f: F = build(&config_for(&mock, 4));
    let titles: Vec<String> = (0..30).map(|i| format!("S {i}")).collect();
    let events = Events(Mutex::new(Vec::new()));
    f.fetch_all(&titles, &events);
    let events = events.0.into_inner().unwrap();
    assert_eq!(events.len(), 60);
    for i in 0..titles.len() {
        let started = events.iter().position(|e| *e == (i, false));
        let completed = events.iter().position(|e| *e == (i, true));
        assert!(
            started.is_some() && started < completed,
            "title {i}: {events:?}"
        );
    }
}

/// The User-Agent follows Wikimedia's policy and names wikifetch.
pub fn sends_a_policy_user_agent<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let config = config_for(&mock, 2);
    let f: F = build(&config);
    f.fetch_all(&owned(&["UA"]), &NoProgress);
    let agents = mock.user_agents();
    assert_eq!(agents.len(), 1, "{agents:?}");
    let prefix = format!(
        "wikifetch/{} ({}) ",
        env!("CARGO_PKG_VERSION"),
        config.contact
    );
    assert!(
        agents[0].starts_with(&prefix),
        "{:?} does not start with {prefix:?}",
        agents[0]
    );
}

/// Transient faults (503, 429 with `Retry-After: 1`, a truncated
/// body, a connection dying mid-answer) on the first attempts of a title:
/// each ends as a success after exactly the expected attempts, and the
/// 429's `Retry-After` was waited out. Each fault gets a call of its own
/// beside a steady title, so that under batching (where a fault hits the
/// whole batch) every kind is still met.
pub fn transient_faults_are_retried<F: Fetcher>() {
    let cases: &[(&str, FaultKind, u32)] = &[
        ("Flaky 503", FaultKind::Unavailable, 2),
        (
            "Flaky 429",
            FaultKind::TooManyRequests { retry_after: 1 },
            1,
        ),
        ("Flaky truncated", FaultKind::Truncated, 1),
        ("Flaky reset", FaultKind::Reset, 1),
    ];
    let mut builder = MockWiki::builder();
    for (title, kind, k) in cases {
        builder = builder.fault(Fault::first(kind.clone(), *k, &[title]));
    }
    let mock = start(builder);
    let f: F = build(&config_for(&mock, 4));
    for (i, (title, kind, k)) in cases.iter().enumerate() {
        let steady = format!("Steady {i}");
        let started = Instant::now();
        let results = f.fetch_all(&owned(&[&steady, title]), &NoProgress);
        let elapsed = started.elapsed();
        let context = format!("{kind:?} on the first {k} attempts");
        assert_extract(&f, &results[0], &steady, &format!("beside {context}"));
        assert_extract(&f, &results[1], title, &context);
        assert_eq!(mock.attempts(title), k + 1, "attempts for {kind:?}");
        if matches!(kind, FaultKind::TooManyRequests { .. }) {
            assert!(
                elapsed >= Duration::from_secs(1),
                "done in {elapsed:?}: the 429's Retry-After: 1 was not honoured"
            );
        }
    }
}

/// How many requests carry the title at `p` of `n` titles sent together
/// while a batch that keeps failing is split in halves (the first half
/// holding `len / 2` titles) down to that title; 1 without batching.
fn batches_holding<F: Fetcher>(f: &F, n: usize, p: usize) -> u32 {
    if f.titles_per_request() == 1 {
        return 1;
    }
    let (mut start, mut end, mut count) = (0, n, 1);
    while end - start > 1 {
        let middle = start + (end - start) / 2;
        if p < middle {
            end = middle;
        } else {
            start = middle;
        }
        count += 1;
    }
    count
}

/// Permanent faults end with the right kind after the configured retries
/// (none for a missing page), and the other titles are unaffected. Under
/// batching, the batch that holds the broken title is split down to it:
/// every request on the way is retried as the policy says, and only the
/// broken title ends in an error.
pub fn permanent_faults_end_with_the_right_error<F: Fetcher>() {
    let mock = start(
        MockWiki::builder()
            .fault(Fault::always(FaultKind::ServerError, &["Broken"]))
            .missing("Gone"),
    );
    let config = config_for(&mock, 4);
    let f: F = build(&config);
    let results = f.fetch_all(
        &owned(&["Fine", "Broken", "Gone", "a{b}", "Also fine"]),
        &NoProgress,
    );
    let tries = config.retry.max_retries + 1;
    assert_extract(&f, &results[0], "Fine", "before the faults");
    assert_eq!(results[1].as_ref().unwrap_err().kind(), "http");
    // Sent together: Fine, Broken, Gone, Also fine (a{b} is never sent).
    assert_eq!(mock.attempts("Broken"), tries * batches_holding(&f, 4, 1));
    assert_eq!(results[2].as_ref().unwrap_err().kind(), "missing");
    // A missing page is not retried; in a batch it was also in the failed
    // batch of all four before the split.
    let gone = if f.titles_per_request() == 1 {
        1
    } else {
        tries + 1
    };
    assert_eq!(mock.attempts("Gone"), gone);
    assert_eq!(results[3].as_ref().unwrap_err().kind(), "invalid");
    assert_eq!(mock.attempts("a{b}"), 0);
    assert_extract(&f, &results[4], "Also fine", "after the faults");
}

/// A server that never answers one title: that title times out within the
/// configured timeout and retries, and the call returns.
pub fn a_hung_request_times_out<F: Fetcher>() {
    let mock = start(MockWiki::builder().fault(Fault::always(FaultKind::Hang, &["Sleeper"])));
    let mut config = config_for(&mock, 4);
    config.timeout = Duration::from_millis(300);
    config.retry.max_retries = 1;
    let f: F = build(&config);
    let started = Instant::now();
    let results = f.fetch_all(&owned(&["Awake", "Sleeper", "Also awake"]), &NoProgress);
    let elapsed = started.elapsed();
    let requests = 2 * batches_holding(&f, 3, 1);
    assert_extract(&f, &results[0], "Awake", "beside a hung request");
    assert_eq!(results[1].as_ref().unwrap_err().kind(), "timeout");
    assert_eq!(mock.attempts("Sleeper"), requests);
    assert_extract(&f, &results[2], "Also awake", "beside a hung request");
    let bound = Duration::from_millis(300 * u64::from(requests) + 1500);
    assert!(
        elapsed < bound,
        "{requests} × 300 ms timeouts took {elapsed:?}"
    );
}

/// A body of exactly `max_body_bytes` is read (here it is not JSON, so it
/// fails as `parse`); one byte more is `too_large`. The cap is the most a
/// client reads, not one less.
pub fn a_body_of_exactly_the_cap_is_read<F: Fetcher>() {
    let size = 4096;
    let mock =
        start(MockWiki::builder().fault(Fault::always(FaultKind::HugeBody(size), &["Exact"])));
    let mut config = config_for(&mock, 2);
    config.retry.max_retries = 0;
    for (cap, kind) in [(size as u64, "parse"), (size as u64 - 1, "too_large")] {
        config.max_body_bytes = cap;
        let f: F = build(&config);
        let results = f.fetch_all(&owned(&["Exact"]), &NoProgress);
        let err = results[0].as_ref().expect_err("spaces are no answer");
        assert_eq!(
            err.kind(),
            kind,
            "a {size}-byte body against a cap of {cap}: {err}"
        );
    }
}

/// The longest title MediaWiki stores (255 bytes: 85 three-byte
/// characters, 765 bytes once percent-encoded) reaches the server as
/// itself and comes back: the request line and headers fit the client's
/// buffers.
pub fn the_longest_title_arrives<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 2));
    let longest = "東".repeat(85);
    assert_eq!(longest.len(), wikifetch_core::MAX_TITLE_BYTES);
    let results = f.fetch_all(&owned(&[&longest]), &NoProgress);
    assert_extract(&f, &results[0], &longest, "the longest title");
    assert_eq!(mock.attempts(&longest), 1);
}

/// A 5 MB body ends as `too_large` (not retried); the others are fetched.
pub fn a_huge_body_is_too_large<F: Fetcher>() {
    let mock =
        start(MockWiki::builder().fault(Fault::always(FaultKind::HugeBody(5_000_000), &["Huge"])));
    let config = config_for(&mock, 4);
    assert!(config.max_body_bytes < 5_000_000);
    let f: F = build(&config);
    let results = f.fetch_all(&owned(&["Small", "Huge", "Small too"]), &NoProgress);
    assert_extract(&f, &results[0], "Small", "beside a huge body");
    assert_eq!(results[1].as_ref().unwrap_err().kind(), "too_large");
    assert_eq!(mock.attempts("Huge"), batches_holding(&f, 3, 1));
    assert_extract(&f, &results[2], "Small too", "beside a huge body");
}

/// A gzip bomb (about 32 KB of gzip that expand to 32 MiB) against a
/// 1 MiB body cap ends as `too_large`, not retried, beside titles that
/// are fetched; and the client's memory never holds the expanded body:
/// the process's allocation peak during the call grows by less than
/// [`BOMB_GROWTH_LIMIT`] caps.
pub fn a_gzip_bomb_is_too_large<F: Fetcher>() {
    let cap: u64 = 1 << 20;
    let expanded = 32 << 20;
    let mock = start(MockWiki::builder().fault(Fault::always(
        FaultKind::GzipBomb(expanded),
        &["Bomb", "First bomb"],
    )));
    let mut config = config_for(&mock, 4);
    config.max_body_bytes = cap;
    let f: F = build(&config);
    // A first call makes what is made once: connections, pools, buffers,
    // the mock's bomb, the error's path. Only the second is measured.
    let warm = f.fetch_all(&owned(&["Warm", "First bomb"]), &NoProgress);
    assert_eq!(warm[1].as_ref().unwrap_err().kind(), "too_large");
    ALLOCATOR.reset_peak_usage();
    let before = ALLOCATOR.current_usage();
    let results = f.fetch_all(&owned(&["Small", "Bomb", "Small too"]), &NoProgress);
    let growth = ALLOCATOR.peak_usage().saturating_sub(before);
    eprintln!("{}: the allocation peak grew by {growth} bytes", f.name());
    assert_extract(&f, &results[0], "Small", "beside a gzip bomb");
    let err = results[1].as_ref().expect_err("the bomb was accepted");
    assert_eq!(err.kind(), "too_large", "{err}");
    assert_eq!(
        mock.attempts("Bomb"),
        batches_holding(&f, 3, 1),
        "a body over the cap is not retried"
    );
    assert_extract(&f, &results[2], "Small too", "beside a gzip bomb");
    assert!(
        growth < BOMB_GROWTH_LIMIT * cap as usize,
        "the allocation peak grew by {growth} bytes for a bomb of {expanded} \
         bytes against a cap of {cap}"
    );
}

/// How many body caps a client's allocation peak may grow by while it
/// meets a gzip bomb. Reading stops one byte past the cap, but a `Vec`
/// that doubles its capacity to hold cap + 1 bytes has allocated 2 caps,
/// and for a moment of its growth holds the old buffer beside the new
/// one: 3 caps, which is what every strategy measured (3.1 to 3.3 MiB at
/// a 1 MiB cap; reqwest's chunked read 1.6). The rest is room for the
/// client's buffers and the in-process mock's threads. A client that
/// expands the bomb holds at least its 32 caps.
pub const BOMB_GROWTH_LIMIT: usize = 6;

/// Pages whose introduction is shorter than the sentences asked for: the
/// one-title strategies return the whole article's first sentences, a
/// batching one (`exintro`) only the introduction's, and the kit holds
/// each to exactly its own.
pub fn short_introductions_are_exact<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let titles: Vec<String> = (0..100)
        .map(|i| format!("Intro {i}"))
        .filter(|t| intro_sentences(t) < SENTENCES)
        .take(5)
        .collect();
    assert_eq!(titles.len(), 5, "the mock has short introductions");
    let results = f.fetch_all(&titles, &NoProgress);
    for (title, result) in titles.iter().zip(&results) {
        assert_extract(&f, result, title, "a short introduction");
        let sentences = result
            .as_ref()
            .unwrap()
            .text
            .matches("synthetic extract")
            .count();
        let expected = if f.intro_only() {
            intro_sentences(title)
        } else {
            SENTENCES
        };
        assert_eq!(sentences, usize::from(expected), "{title}");
    }
}

/// 45 titles mixing every awkward kind (reserved characters, non-ASCII,
/// duplicates, a fragment, normalization, redirects, missing and invalid
/// titles): one correct result each, in order, in as few requests as the
/// strategy promises (for a batching one: 3 batches of up to 20).
pub fn a_mixed_list_in_few_requests<F: Fetcher>() {
    let mock = start(MockWiki::builder().missing("Ghost"));
    let f: F = build(&config_for(&mock, 4));
    let mut titles = owned(HOSTILE_TITLES);
    titles.extend(owned(&[
        "Einstein",
        "albert_einstein",
        "Ghost",
        "a|b",
        "",
        "Rust#History",
        "Rust",
        "AT&T",
    ]));
    titles.extend((0..29).map(|i| format!("Filler {i}")));
    assert_eq!(titles.len(), 45);
    let results = f.fetch_all(&titles, &NoProgress);
    assert_eq!(results.len(), 45);
    for (i, title) in HOSTILE_TITLES.iter().enumerate() {
        assert_extract(&f, &results[i], &normalize(title), title);
    }
    let at = HOSTILE_TITLES.len();
    assert_extract(&f, &results[at], "Albert Einstein", "a redirect");
    assert_extract(&f, &results[at + 1], "Albert einstein", "normalized");
    assert_eq!(results[at + 2].as_ref().unwrap_err().kind(), "missing");
    assert_eq!(results[at + 3].as_ref().unwrap_err().kind(), "invalid");
    assert_eq!(results[at + 4].as_ref().unwrap_err().kind(), "invalid");
    assert_extract(&f, &results[at + 5], "Rust", "a fragment");
    assert_extract(&f, &results[at + 6], "Rust", "beside its fragment");
    assert_extract(&f, &results[at + 7], "AT&T", "a duplicate");
    for (i, result) in results.iter().enumerate().skip(at + 8) {
        assert_extract(&f, result, &titles[i], "filler");
    }
    let requests = mock.stats().requests;
    assert_eq!(requests, requests_for(&f, &titles));
    if f.titles_per_request() > 1 {
        assert!(requests <= 3, "{requests} requests for 45 titles");
    }
}

/// Over HTTPS, with the mock's own CA trusted through
/// `Config::ca_cert_pem` (verification stays on): hostile titles arrive
/// byte-exact, a missing page, an invalid title and a transient fault end
/// as over HTTP, every result comes back in order, and every connection
/// negotiated TLS 1.3.
pub fn tls_keeps_every_promise<F: Fetcher>() {
    let mock = start(
        MockWiki::builder()
            .tls(true)
            .missing("Ghost")
            .fault(Fault::first(FaultKind::Unavailable, 1, &["Flaky"])),
    );
    assert!(mock.api_url().starts_with("https://"));
    let mut config = config_for(&mock, 4);
    config.ca_cert_pem = mock.ca_cert_pem().map(str::to_owned);
    let f: F = build(&config);
    let mut titles = owned(HOSTILE_TITLES);
    titles.extend(owned(&["Ghost", "a|b"]));
    titles.extend((0..30).map(|i| format!("Secure {i}")));
    let results = f.fetch_all(&titles, &NoProgress);
    assert_eq!(results.len(), titles.len());
    for (i, title) in HOSTILE_TITLES.iter().enumerate() {
        assert_eq!(
            mock.attempts(title),
            1,
            "{title:?} did not arrive as itself"
        );
        assert_extract(&f, &results[i], &normalize(title), title);
    }
    let at = HOSTILE_TITLES.len();
    assert_eq!(results[at].as_ref().unwrap_err().kind(), "missing");
    assert_eq!(results[at + 1].as_ref().unwrap_err().kind(), "invalid");
    for (i, result) in results.iter().enumerate().skip(at + 2) {
        assert_extract(&f, result, &titles[i], "in order over TLS");
    }
    // A transient fault in a call of its own (a batch shares its retries).
    let results = f.fetch_all(&owned(&["Flaky"]), &NoProgress);
    assert_extract(&f, &results[0], "Flaky", "a 503 over TLS, retried");
    assert_eq!(mock.attempts("Flaky"), 2);
    let stats = mock.stats();
    assert!(stats.tls13_connections >= 1, "{stats:?}");
    assert_eq!(stats.tls12_connections, 0, "{stats:?}");
}

/// HTTPS to a server whose CA the client was not given fails for every
/// title, and no request reaches the API: certificates are verified.
pub fn tls_refuses_an_untrusted_server<F: Fetcher>() {
    let mock = start(MockWiki::builder().tls(true));
    let mut config = config_for(&mock, 2);
    config.retry.max_retries = 1;
    let f: F = build(&config);
    let results = f.fetch_all(&owned(&["A", "B"]), &NoProgress);
    for r in &results {
        let kind = r.as_ref().unwrap_err().kind();
        assert!(kind == "connect" || kind == "transport", "{r:?}");
    }
    assert_eq!(mock.stats().requests, 0);
}

/// With `keep_alive: false` every request opens a connection of its own,
/// as the lesson's `requests.get` does: the control for what keep-alive
/// is worth.
pub fn without_keep_alive_each_request_opens_a_connection<F: Fetcher>() {
    let mock = start(MockWiki::builder().latency(Latency::Fixed(Duration::from_millis(1))));
    let mut config = config_for(&mock, 2);
    config.keep_alive = false;
    let f: F = build(&config);
    let titles: Vec<String> = (0..6 * f.titles_per_request())
        .map(|i| format!("Cold {i}"))
        .collect();
    let results = f.fetch_all(&titles, &NoProgress);
    assert!(results.iter().all(Result::is_ok));
    let stats = mock.stats();
    assert_eq!(stats.requests, requests_for(&f, &titles));
    assert_eq!(stats.connections, stats.requests, "{stats:?}");
}

/// Nothing listening: every title ends with a connection error, quickly.
pub fn an_unreachable_server_fails_fast<F: Fetcher>() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut config = Config::for_api(&format!("http://127.0.0.1:{port}/w/api.php"));
    config.concurrency = 4;
    config.retry.base_delay = Duration::from_millis(10);
    let f: F = build(&config);
    let started = Instant::now();
    let results = f.fetch_all(&owned(&["A", "B", "C"]), &NoProgress);
    assert_eq!(results.len(), 3);
    for r in &results {
        assert_eq!(r.as_ref().unwrap_err().kind(), "connect", "{r:?}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

/// What live Wikipedia gets: the `maxlag` parameter, `Accept-Encoding:
/// gzip` (and gzip answers decoded), and the policy User-Agent.
pub fn live_etiquette_is_sent<F: Fetcher>() {
    let mock = start(MockWiki::builder().gzip(true));
    let mut config = config_for(&mock, 2);
    config.maxlag = Some(5);
    let f: F = build(&config);
    let results = f.fetch_all(&owned(&["Polite", "東京"]), &NoProgress);
    assert_extract(&f, &results[0], "Polite", "a gzip answer");
    assert_extract(&f, &results[1], "東京", "a gzip answer");
    assert!(
        mock.last_query().contains(&("maxlag".into(), "5".into())),
        "{:?}",
        mock.last_query()
    );
    let headers = mock.last_headers();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert!(
        header("accept-encoding").is_some_and(|v| v.contains("gzip")),
        "{headers:?}"
    );
    assert!(
        header("user-agent").is_some_and(|v| v.starts_with("wikifetch/")),
        "{headers:?}"
    );
}

/// 10,000 titles (C = 50, no delay): 10,000 results, in order.
pub fn ten_thousand_titles<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 50));
    let titles: Vec<String> = (0..10_000).map(|i| format!("Many {i}")).collect();
    let results = f.fetch_all(&titles, &NoProgress);
    assert_in_order(&titles, &results);
    assert_eq!(mock.stats().requests, requests_for(&f, &titles));
}

/// 10,000 titles at C = 1000 with 2 ms latency and 1 % transient faults:
/// nothing lost, nothing duplicated, in order, each faulty title retried.
/// (The sequential strategy has no C; it is checked by the other tests.)
pub fn scale_10k_titles_at_c1000<F: Fetcher>() {
    let c = 1000;
    // The mock runs in this process: its sockets count against the same limit.
    wikifetch_core::limits::ensure_open_files(2 * c as u64 + 128).expect("enough open files");
    let faults = parse_faults("503:first=1:rate=0.01").expect("a valid fault spec");
    let mock = start(
        MockWiki::builder()
            .latency(Latency::Fixed(Duration::from_millis(2)))
            .faults(faults.clone()),
    );
    let f: F = build(&config_for(&mock, c));
    // A strategy that cannot have C in flight (a loop, rayon's global
    // pool) has nothing to show at C = 1000 that the other checks miss.
    if f.max_in_flight() < c {
        return;
    }
    let titles: Vec<String> = (0..10_000).map(|i| format!("Scale {i}")).collect();
    let results = f.fetch_all(&titles, &NoProgress);
    assert_in_order(&titles, &results);
    // Every title the fault picked was retried; under this load a few
    // others may be too (a connection refused or slow), which is the
    // policy working, not a loss.
    let picked: Vec<&String> = titles
        .iter()
        .filter(|t| faults[0].applies(0, t, 1))
        .collect();
    assert!(
        (50..200).contains(&picked.len()),
        "{} titles picked",
        picked.len()
    );
    for t in &picked {
        assert!(mock.attempts(t) >= 2, "{t:?} was not retried");
    }
    // Each request counts one attempt for every title it carries (10,000
    // titles fill whole batches, and a transient fault is retried, never
    // split).
    let attempts: u64 = titles.iter().map(|t| u64::from(mock.attempts(t))).sum();
    assert_eq!(
        mock.stats().requests * f.titles_per_request() as u64,
        attempts,
        "requests the mock counted"
    );
    // No check of the in-flight peak here: at 2 ms a request, Little's law
    // caps it at (requests per second) × 2 ms, which the one-threaded mock,
    // not the client, decides. `in_flight_matches_the_concurrency` checks C.
}

/// For the async-std and smol strategies: no tokio runtime is started
/// behind their back (no thread named `tokio-runtime-*` exists after a
/// fetch). Not in [`conformance_tests!`]: the tokio strategy starts one.
pub fn starts_no_tokio_runtime<F: Fetcher>() {
    run_check("starts_no_tokio_runtime", no_tokio_runtime::<F>);
}

fn no_tokio_runtime<F: Fetcher>() {
    let mock = start(MockWiki::builder());
    let f: F = build(&config_for(&mock, 4));
    let titles: Vec<String> = (0..20).map(|i| format!("T{i}")).collect();
    assert!(f.fetch_all(&titles, &NoProgress).iter().all(Result::is_ok));
    let names = thread_names();
    assert!(!names.is_empty(), "could not list this process's threads");
    assert!(
        !names.iter().any(|n| n.starts_with("tokio-runtime")),
        "a tokio runtime is running: {names:?}"
    );
}

fn assert_in_order(titles: &[String], results: &[FetchResult]) {
    assert_eq!(results.len(), titles.len(), "results lost or added");
    for (i, (title, result)) in titles.iter().zip(results).enumerate() {
        match result {
            Ok(e) => assert_eq!(&e.page_title, title, "result {i} is for another title"),
            Err(e) => panic!("{title:?} (#{i}) failed: {e}"),
        }
    }
}

/// One `#[test]` per conformance check for the fetcher type given, each
/// run by [`run_check`]: under a deadline, and alone where it must be.
#[macro_export]
macro_rules! conformance_tests {
    ($fetcher:ty) => {
        $crate::conformance_tests!(@each $fetcher;
            empty_input,
            one_title,
            disambiguation_pages_are_marked,
            many_titles_in_input_order,
            duplicates_are_fetched_per_position,
            hostile_titles_arrive_byte_exact,
            a_fragment_asks_for_its_page,
            missing_page_is_an_error_not_retried,
            invalid_titles_send_nothing,
            ratelimited_is_retried_like_maxlag,
            redirects_are_followed,
            normalization_is_mapped_back,
            non_nfc_titles_reach_their_page,
            other_namespaces_and_unicode_spaces,
            maxlag_is_waited_out_as_the_server_asks,
            in_flight_matches_the_concurrency,
            connections_are_reused,
            progress_reports_each_title_once,
            progress_reports_starts_before_completions,
            sends_a_policy_user_agent,
            transient_faults_are_retried,
            permanent_faults_end_with_the_right_error,
            a_hung_request_times_out,
            a_huge_body_is_too_large,
            a_gzip_bomb_is_too_large,
            a_body_of_exactly_the_cap_is_read,
            the_longest_title_arrives,
            short_introductions_are_exact,
            a_mixed_list_in_few_requests,
            tls_keeps_every_promise,
            tls_refuses_an_untrusted_server,
            without_keep_alive_each_request_opens_a_connection,
            an_unreachable_server_fails_fast,
            live_etiquette_is_sent,
            ten_thousand_titles,
            scale_10k_titles_at_c1000,
        );
    };
    (@each $fetcher:ty; $($check:ident),* $(,)?) => {
        $(
            #[test]
            fn $check() {
                $crate::run_check(stringify!($check), $crate::$check::<$fetcher>);
            }
        )*
    };
}

/// The names of this process's threads (Linux: `/proc/self/task/*/comm`;
/// elsewhere empty). Lets a test see which runtimes are running.
pub fn thread_names() -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect()
}
