//! Several titles per request: TextExtracts' own batching (`titles=A|B|C`).
//!
//! ```text
//! titles ─BatchPlan::new─▶ invalid ones: their error, nothing sent
//!                          distinct titles, in batches of BATCH_TITLES
//!   batch ─batch_url─▶ GET ─Batch::record─▶ Next (a continuation: GET url() again)
//!                                          Retry(wait) · Done
//!                                          Failed(error): the batch's, not a title's yet
//!   fetch_batch_blocking: a failed batch of several titles is split in two
//!   and each half fetched again, until the title that fails is alone.
//! ```
//!
//! The rules, from the extension (`ApiQueryExtracts.php`) and the API's
//! documentation: a query takes at most 50 titles; an answer carries at
//! most `exlimit` (≤ 20) extracts, and only with `exintro` (a whole-article
//! request for several titles is lowered to 1 extract per answer, with a
//! warning); pages beyond the limit are listed without `extract` and the
//! answer carries `continue.excontinue`, where the next request starts.
//! Every page is listed once, however many titles lead to it.

use std::time::Duration;

use crate::answer::Atom;
use crate::job::attempt_outcome;
use crate::parse::{extract_of, page_for, parse_root, query_of, unexpected};
use crate::request::{QUERY_VALUE, query_prefix};
use crate::{Config, Decision, Extract, FetchError, FetchResult, HttpReply, Title, stable_hash};

/// Titles per batch: the most extracts one answer carries (`exlimit`'s
/// maximum, with `exintro`), so that a batch needs one request when
/// nothing fails. MediaWiki takes up to 50 titles a query, but 50 titles
/// would need three answers (20 + 20 + 10) anyway.
pub const BATCH_TITLES: usize = 20;

/// The URL for one batch: [`crate::request_url`]'s parameters plus
/// `exintro=1&exlimit=max`, `excontinue` when continuing, and the titles
/// joined by `|` (each percent-encoded, `|` as `%7C`).
pub fn batch_url(config: &Config, titles: &[Title], offset: usize) -> String {
    let mut url = query_prefix(config);
    url.push_str("&exintro=1&exlimit=max");
    if offset > 0 {
        url.push_str(&format!("&excontinue={offset}"));
    }
    url.push_str("&titles=");
    for (i, title) in titles.iter().enumerate() {
        if i > 0 {
            url.push_str("%7C");
        }
        url.extend(percent_encoding::utf8_percent_encode(
            title.as_query(),
            QUERY_VALUE,
        ));
    }
    url
}

/// What one answer says of one requested title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageOutcome {
    /// The title's final result: its extract, or why there is none.
    Done(FetchResult),
    /// Its page is listed without an extract and the answer continues:
    /// the extract comes with a later answer.
    Pending,
}

/// One batch answer, mapped back to the titles that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchAnswer {
    /// One outcome per requested title, in the order asked.
    pub outcomes: Vec<PageOutcome>,
    /// `continue.excontinue`: where the next answer starts, if one follows.
    pub next: Option<usize>,
}

/// Parses the answer to a batch query for `requested`. Each title is
/// followed through `normalized` and `redirects` to its page; titles that
/// lead to one page share it. A page without `extract` is
/// [`PageOutcome::Pending`] while the answer continues, and an empty
/// extract once it does not. An error for the whole answer (not JSON, an
/// API error) is `Err`.
pub fn parse_batch(requested: &[Title], body: &[u8]) -> Result<BatchAnswer, FetchError> {
    let root = parse_root(body)?;
    let query = query_of(&root)?;
    let next = match root.next.get().map(|c| &c.excontinue) {
        None | Some(Atom::Absent) => None,
        Some(v) => Some(
            match v {
                Atom::Whole(n) => Some(*n),
                Atom::Text(s) => s.parse().ok(),
                _ => None,
            }
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| unexpected("\"excontinue\" is not a whole number"))?,
        ),
    };
    let outcomes = requested
        .iter()
        .map(|title| {
            let found = page_for(query, title, requested.len() == 1)
                .and_then(|(page_title, page)| Ok((page_title, extract_of(page)?, page)));
            match found {
                Err(e) => PageOutcome::Done(Err(e)),
                Ok((page_title, Some(text), page)) => {
                    PageOutcome::Done(Ok(Extract::of(page_title, text, page)))
                }
                Ok((_, None, _)) if next.is_some() => PageOutcome::Pending,
                Ok((page_title, None, page)) => {
                    PageOutcome::Done(Ok(Extract::of(page_title, String::new(), page)))
                }
            }
        })
        .collect();
    Ok(BatchAnswer { outcomes, next })
}

/// What a strategy does next for a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchStep {
    /// The answer continues: send [`Batch::url`] (the continuation) now.
    Next,
    /// Wait this long, then send [`Batch::url`] again.
    Retry(Duration),
    /// Every title has its result: [`Batch::into_results`].
    Done,
    /// The batch failed as a whole (after the retries the policy allows):
    /// the error is the batch's, and which title caused it is not known.
    Failed(FetchError),
}

/// One batch of distinct, valid titles being fetched, through its
/// continuations and retries: the batch twin of [`crate::Job`].
#[derive(Debug, Clone)]
pub struct Batch<'c> {
    config: &'c Config,
    titles: Vec<Title>,
    results: Vec<Option<FetchResult>>,
    offset: usize,
    attempts: u32,
    requests: usize,
    url: String,
}

impl<'c> Batch<'c> {
    /// A batch of `titles`: distinct, valid, at most [`BATCH_TITLES`] for
    /// one request to carry every extract (more work, through continuations).
    pub fn new(config: &'c Config, titles: Vec<Title>) -> Self {
        let url = batch_url(config, &titles, 0);
        Self {
            config,
            results: vec![None; titles.len()],
            titles,
            offset: 0,
            attempts: 0,
            requests: 0,
            url,
        }
    }

    /// The URL to GET: the batch, or its continuation.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Records what one request got back and decides what comes next.
    pub fn record(&mut self, reply: Result<HttpReply, FetchError>) -> BatchStep {
        self.attempts += 1;
        self.requests += 1;
        let (outcome, retry_after) = attempt_outcome(reply, |body| parse_batch(&self.titles, body));
        let answer = match outcome {
            Ok(answer) => answer,
            Err(error) => {
                let seed = stable_hash(&self.url);
                return match self
                    .config
                    .retry
                    .decide(self.attempts, &error, retry_after, seed)
                {
                    Decision::Done => BatchStep::Failed(error),
                    Decision::RetryAfter(wait) => BatchStep::Retry(wait),
                };
            }
        };
        for (slot, outcome) in self.results.iter_mut().zip(answer.outcomes) {
            if let (None, PageOutcome::Done(result)) = (&slot, outcome) {
                *slot = Some(result);
            }
        }
        let pending = self.results.iter().any(Option::is_none);
        match answer.next {
            // A continuation that does not move on would never end.
            Some(next) if pending && next > self.offset && self.requests <= self.titles.len() => {
                self.offset = next;
                self.attempts = 0;
                self.url = batch_url(self.config, &self.titles, next);
                BatchStep::Next
            }
            Some(_) if pending => {
                BatchStep::Failed(unexpected("the server's continuation does not move on"))
            }
            _ => BatchStep::Done,
        }
    }

    /// One result per title, in the order given. A title the answers never
    /// settled (the batch failed or stopped early) gets `error`.
    pub fn into_results(self, error: &FetchError) -> Vec<FetchResult> {
        self.results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(error.clone())))
            .collect()
    }
}

/// A title list made ready for batches: invalid titles set apart with
/// their errors (nothing is sent for them), and the valid ones reduced to
/// distinct titles, each remembering every position that asked for it.
#[derive(Debug, Clone, Default)]
pub struct BatchPlan {
    /// Distinct valid titles, in order of first appearance.
    pub distinct: Vec<Title>,
    /// For each distinct title, the input positions that asked for it.
    pub positions: Vec<Vec<usize>>,
    /// Input positions of invalid titles, with their errors.
    pub invalid: Vec<(usize, FetchError)>,
}

impl BatchPlan {
    /// Plans `titles`. Titles that send the same query (`Rust`, ` Rust`,
    /// `Rust#History`) are one distinct title.
    pub fn new(titles: &[String]) -> Self {
        let mut plan = Self::default();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (position, given) in titles.iter().enumerate() {
            match Title::new(given) {
                Err(e) => plan.invalid.push((position, e.into())),
                Ok(title) => match index.get(title.as_query()) {
                    Some(&d) => {
                        if let Some(p) = plan.positions.get_mut(d) {
                            p.push(position);
                        }
                    }
                    None => {
                        index.insert(title.as_query().to_owned(), plan.distinct.len());
                        plan.distinct.push(title);
                        plan.positions.push(vec![position]);
                    }
                },
            }
        }
        plan
    }

    /// The batches: ranges of [`BatchPlan::distinct`], `size` titles each.
    pub fn batches(&self, size: usize) -> Vec<std::ops::Range<usize>> {
        let size = size.max(1);
        (0..self.distinct.len())
            .step_by(size)
            .map(|start| start..(start + size).min(self.distinct.len()))
            .collect()
    }
}

/// Fetches the distinct `titles` of one batch with a blocking client:
/// `get` performs one GET, the thread sleeps between retries, and
/// `on_done(i, result)` is called once for each `titles[i]`.
///
/// A batch that fails as a whole is split in two and each half fetched
/// again, down to single titles, so that only the title that causes a
/// failure (a permanent 500, a body over the cap, a hung answer) ends in
/// an error and every other title still gets its extract. A failure to
/// connect says nothing about the titles: it is every title's at once.
pub fn fetch_batch_blocking(
    config: &Config,
    titles: &[Title],
    mut get: impl FnMut(&str) -> Result<HttpReply, FetchError>,
    mut on_done: impl FnMut(usize, FetchResult),
) {
    // Ranges of `titles` still to fetch; the first half of a split first.
    let mut stack = Vec::new();
    stack.push(0..titles.len());
    while let Some(range) = stack.pop() {
        let Some(group) = titles.get(range.clone()) else {
            continue;
        };
        if group.is_empty() {
            continue;
        }
        let mut batch = Batch::new(config, group.to_vec());
        let failure = loop {
            match batch.record(get(batch.url())) {
                BatchStep::Next => {}
                BatchStep::Retry(wait) => std::thread::sleep(wait),
                BatchStep::Done => break None,
                BatchStep::Failed(error) => break Some(error),
            }
        };
        match failure {
            Some(error) if group.len() > 1 && !matches!(error, FetchError::Connect { .. }) => {
                let middle = range.start + group.len() / 2;
                stack.push(middle..range.end);
                stack.push(range.start..middle);
            }
            failure => {
                let error = failure.unwrap_or_else(|| unexpected("no result for this title"));
                for (i, result) in batch.into_results(&error).into_iter().enumerate() {
                    on_done(range.start + i, result);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RetryPolicy;
    use serde_json::{Value, json};

    fn config() -> Config {
        let mut c = Config::for_api("http://127.0.0.1:9/w/api.php");
        c.retry = RetryPolicy {
            max_retries: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        };
        c
    }

    fn titles(names: &[&str]) -> Vec<Title> {
        names.iter().map(|n| Title::new(n).unwrap()).collect()
    }

    fn ok(body: Value) -> Result<HttpReply, FetchError> {
        Ok(HttpReply {
            status: 200,
            retry_after: None,
            body: body.to_string().into_bytes(),
        })
    }

    #[test]
    fn the_url_joins_encoded_titles_with_an_encoded_bar() {
        let t = titles(&["AT&T", "C++", "東京"]);
        let url = batch_url(&config(), &t, 0);
        assert!(
            url.contains("&exintro=1&exlimit=max&titles=AT%26T%7CC%2B%2B%7C%E6%9D%B1%E4%BA%AC")
        );
        assert!(!url.contains("excontinue"));
        let url = batch_url(&config(), &t, 20);
        assert!(url.contains("&excontinue=20&titles="));
    }

    #[test]
    fn every_title_is_mapped_back_to_its_page() {
        let t = titles(&["rust", "Einstein", "Gone", "Rust"]);
        let body = json!({"batchcomplete": true, "query": {
        "normalized": [{"from": "rust", "to": "Rust"}],
        "redirects": [{"from": "Einstein", "to": "Albert Einstein"}],
        "pages": [
            {"title": "Rust", "extract": "R."},
            {"title": "Albert Einstein", "extract": "E."},
            {"title": "Gone", "missing": true},
        ]}});
        let a = parse_batch(&t, body.to_string().as_bytes()).unwrap();
        let text = |i: usize| match &a.outcomes[i] {
            PageOutcome::Done(Ok(e)) => (e.page_title.as_str(), e.text.as_str()),
            other => panic!("{other:?}"),
        };
        assert_eq!(text(0), ("Rust", "R."));
        assert_eq!(text(1), ("Albert Einstein", "E."));
        assert!(matches!(
            &a.outcomes[2],
            PageOutcome::Done(Err(FetchError::Missing { .. }))
        ));
        assert_eq!(text(3), ("Rust", "R."));
        assert_eq!(a.next, None);
    }

    #[test]
    fn pages_without_extract_wait_for_the_continuation() {
        let t = titles(&["A", "B"]);
        let first = json!({"continue": {"excontinue": 1, "continue": "||"}, "query": {"pages": [
            {"title": "A", "extract": "a."}, {"title": "B"}]}});
        let second = json!({"batchcomplete": true, "query": {"pages": [
            {"title": "A"}, {"title": "B", "extract": "b."}]}});
        let c = config();
        let mut batch = Batch::new(&c, t);
        assert_eq!(batch.record(ok(first)), BatchStep::Next);
        assert!(batch.url().contains("&excontinue=1&"));
        assert_eq!(batch.record(ok(second)), BatchStep::Done);
        let results = batch.into_results(&unexpected("unused"));
        assert_eq!(results[0].as_ref().unwrap().text, "a.");
        assert_eq!(results[1].as_ref().unwrap().text, "b.");
    }

    /// `excontinue` as formatversion 1 may send it, a string, is read as
    /// its number.
    #[test]
    fn a_continuation_given_as_a_string_is_read() {
        let t = titles(&["A", "B"]);
        let body = json!({"continue": {"excontinue": "1"}, "query": {"pages": [
            {"title": "A", "extract": "a."}, {"title": "B"}]}});
        let a = parse_batch(&t, body.to_string().as_bytes()).unwrap();
        assert_eq!(a.next, Some(1));
        assert_eq!(a.outcomes[1], PageOutcome::Pending);
        for bad in [json!("one"), json!(null), json!(-1)] {
            let body = json!({"continue": {"excontinue": bad}, "query": {"pages": []}});
            assert!(
                matches!(
                    parse_batch(&t, body.to_string().as_bytes()),
                    Err(FetchError::Unexpected { .. })
                ),
                "excontinue {bad}"
            );
        }
    }

    /// Without a continuation a page without `extract` has none to come:
    /// it is an empty extract, not pending.
    #[test]
    fn a_page_without_extract_in_a_complete_answer_is_empty() {
        let t = titles(&["A", "B"]);
        let body = json!({"batchcomplete": true, "query": {"pages": [
            {"title": "A", "extract": "a."}, {"title": "B"}]}});
        let a = parse_batch(&t, body.to_string().as_bytes()).unwrap();
        assert_eq!(
            a.outcomes[1],
            PageOutcome::Done(Ok(Extract {
                page_title: "B".into(),
                text: String::new(),
                disambiguation: false,
            }))
        );
    }

    #[test]
    fn a_disambiguation_page_in_a_batch_is_marked_and_its_neighbours_are_not() {
        let t = titles(&["Python", "Chess", "Mercury"]);
        let body = json!({"continue": {"excontinue": 2}, "query": {"pages": [
            {"title": "Python", "extract": "p.", "pageprops": {"disambiguation": ""}},
            {"title": "Chess", "extract": "c.", "pageprops": {"wikibase_item": "Q1"}},
            {"title": "Mercury", "pageprops": {"disambiguation": ""}}]}});
        let a = parse_batch(&t, body.to_string().as_bytes()).unwrap();
        let marked = |i: usize| match &a.outcomes[i] {
            PageOutcome::Done(Ok(e)) => Some(e.disambiguation),
            _ => None,
        };
        assert_eq!(marked(0), Some(true));
        assert_eq!(marked(1), Some(false));
        // Its extract comes with the next answer, which marks it then.
        assert_eq!(a.outcomes[2], PageOutcome::Pending);
    }

    /// In a batch a title the answer has no page for is an error of its
    /// own, even when the answer holds a single page: that page belongs to
    /// the title that names it.
    #[test]
    fn a_title_without_its_page_in_a_batch_is_not_given_another() {
        let t = titles(&["A", "B"]);
        let body = json!({"batchcomplete": true, "query": {"pages": [
            {"title": "A", "extract": "a."}]}});
        let a = parse_batch(&t, body.to_string().as_bytes()).unwrap();
        assert!(matches!(&a.outcomes[0], PageOutcome::Done(Ok(e)) if e.text == "a."));
        assert!(
            matches!(
                &a.outcomes[1],
                PageOutcome::Done(Err(FetchError::Unexpected { .. }))
            ),
            "{:?}",
            a.outcomes[1]
        );
    }

    /// An answer that carries a `continue` although every title has its
    /// extract (another module's continuation) is done.
    #[test]
    fn a_continuation_with_nothing_pending_is_done() {
        let c = config();
        let mut batch = Batch::new(&c, titles(&["A"]));
        let body = json!({"continue": {"excontinue": 5}, "query": {"pages": [
            {"title": "A", "extract": "a."}]}});
        assert_eq!(batch.record(ok(body)), BatchStep::Done);
    }

    /// A server that keeps continuing, each time further on, without ever
    /// sending the pending extract: the batch fails after one request per
    /// title plus one, instead of following it forever.
    #[test]
    fn a_continuation_that_never_ends_fails() {
        let c = config();
        let mut batch = Batch::new(&c, titles(&["A", "B"]));
        let mut steps = Vec::new();
        for offset in 1..=10 {
            let body = json!({"continue": {"excontinue": offset}, "query": {"pages": [
                {"title": "A", "extract": "a."}, {"title": "B"}]}});
            let step = batch.record(ok(body));
            let failed = matches!(step, BatchStep::Failed(_));
            steps.push(step);
            if failed {
                break;
            }
        }
        assert_eq!(steps.len(), 3, "{steps:?}");
        assert!(matches!(steps[2], BatchStep::Failed(_)), "{steps:?}");
    }

    #[test]
    fn a_continuation_that_does_not_move_on_fails() {
        let stuck = json!({"continue": {"excontinue": 0}, "query": {"pages": [{"title": "A"}]}});
        let c = config();
        let mut batch = Batch::new(&c, titles(&["A"]));
        assert!(matches!(batch.record(ok(stuck)), BatchStep::Failed(_)));
    }

    #[test]
    fn the_plan_sets_invalid_titles_apart_and_merges_duplicates() {
        let given: Vec<String> = ["Rust", "a|b", " Rust", "Go", "Rust#History", ""]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let plan = BatchPlan::new(&given);
        let names: Vec<&str> = plan.distinct.iter().map(Title::as_query).collect();
        assert_eq!(names, ["Rust", "Go"]);
        assert_eq!(plan.positions, [vec![0, 2, 4], vec![3]]);
        let invalid: Vec<usize> = plan.invalid.iter().map(|(p, _)| *p).collect();
        assert_eq!(invalid, [1, 5]);
        assert_eq!(
            BatchPlan::default().batches(20),
            Vec::<std::ops::Range<usize>>::new()
        );
        let many = BatchPlan::new(&(0..45).map(|i| i.to_string()).collect::<Vec<_>>());
        assert_eq!(many.batches(20), [0..20, 20..40, 40..45]);
    }

    /// One more distinct title than an answer carries extracts for makes a
    /// second batch: 21 distinct titles (duplicates and an invalid one
    /// beside them change nothing) are 2 requests, every batch within the
    /// 20 extracts one TextExtracts answer holds (`exlimit` with `exintro`).
    #[test]
    fn twenty_one_distinct_titles_make_two_batches() {
        let mut given: Vec<String> = (0..21).map(|i| format!("Page {i}")).collect();
        given.extend(["Page 3".into(), "a|b".into(), " Page 7".into()]);
        let plan = BatchPlan::new(&given);
        assert_eq!(plan.distinct.len(), 21);
        let batches = plan.batches(BATCH_TITLES);
        assert_eq!(batches.len(), 2, "{batches:?}");
        assert!(batches.iter().all(|b| b.len() <= 20), "{batches:?}");
        assert_eq!(batches.iter().map(|b| b.len()).sum::<usize>(), 21);
        // Twenty fit in one.
        let twenty = BatchPlan::new(&given[..20]);
        assert_eq!(twenty.batches(BATCH_TITLES).len(), 1);
    }

    /// A server where the title `Bad` breaks every batch it is in.
    fn server(url: &str) -> Result<HttpReply, FetchError> {
        let asked = url
            .split("&titles=")
            .nth(1)
            .unwrap_or_default()
            .replace("%7C", "|");
        if asked.split('|').any(|t| t == "Bad") {
            return Ok(HttpReply {
                status: 500,
                retry_after: None,
                body: Vec::new(),
            });
        }
        let pages: Vec<Value> = asked
            .split('|')
            .map(|t| json!({"title": t, "extract": format!("{t}.")}))
            .collect();
        ok(json!({"batchcomplete": true, "query": {"pages": pages}}))
    }

    #[test]
    fn a_failing_batch_is_narrowed_down_to_the_title_that_fails() {
        let names: Vec<String> = (0..7)
            .map(|i| {
                if i == 5 {
                    "Bad".into()
                } else {
                    format!("T{i}")
                }
            })
            .collect();
        let t = titles(&names.iter().map(String::as_str).collect::<Vec<_>>());
        let mut sent = 0;
        let mut results = vec![None; t.len()];
        fetch_batch_blocking(
            &config(),
            &t,
            |url| {
                sent += 1;
                // A retry loop that stopped counting must fail, not spin.
                assert!(sent <= 50, "{sent} requests: the retries do not end");
                server(url)
            },
            |i, r| {
                assert!(results[i].is_none(), "title {i} reported twice");
                results[i] = Some(r);
            },
        );
        for (i, r) in results.into_iter().enumerate() {
            match r.unwrap() {
                Ok(e) => assert_eq!(e.text, format!("{}.", names[i])),
                Err(e) => {
                    assert_eq!(i, 5);
                    assert_eq!(e, FetchError::Http { status: 500 });
                }
            }
        }
        // 7 fail → 3 ok + 4 fail → 2 ok + 2 fail → Bad fails + 1 ok: four
        // failed batches of two attempts each, and three that succeed.
        assert_eq!(sent, 4 * 2 + 3);
    }

    #[test]
    fn a_connection_failure_is_every_titles_at_once() {
        let t = titles(&["A", "B", "C"]);
        let mut sent = 0;
        let mut errors = Vec::new();
        fetch_batch_blocking(
            &config(),
            &t,
            |_| {
                sent += 1;
                assert!(sent <= 50, "{sent} requests: the retries do not end");
                Err(FetchError::Connect {
                    message: "refused".into(),
                })
            },
            |i, r| errors.push((i, r.unwrap_err().kind())),
        );
        assert_eq!(errors, [(0, "connect"), (1, "connect"), (2, "connect")]);
        assert_eq!(sent, 2, "one batch and its one retry, not split");
    }
}
