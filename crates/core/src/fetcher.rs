//! The [`Fetcher`] trait every strategy implements, the [`Progress`]
//! observer, and [`Collector`], which keeps results in input order.

use crate::{Config, Extract, FetchError, SetupError};

/// One title's result.
pub type FetchResult = Result<Extract, FetchError>;

/// A way to fetch many titles: a loop, threads, rayon, tokio, async-std…
///
/// Everything expensive (HTTP client and its connection pool, runtime,
/// thread pool) is built once in [`Fetcher::new`]; [`Fetcher::fetch_all`]
/// only fetches, so benchmarks time fetching and not start-up.
pub trait Fetcher: Send + Sync {
    /// Builds the strategy for `config`, after [`Config::validate`].
    fn new(config: &Config) -> Result<Self, SetupError>
    where
        Self: Sized;

    /// The strategy's stable name, as `--strategy` and reports spell it:
    /// `sequential`, `thread-pool`, `tokio`…
    fn name(&self) -> &'static str;

    /// The most requests this fetcher has in flight at once: 1 for the
    /// sequential loop, `Config::concurrency` for the others. The
    /// conformance kit checks that the server sees exactly this many.
    fn max_in_flight(&self) -> usize;

    /// The most titles one request carries: 1, or the batch size of a
    /// strategy that uses the API's batching (`titles=A|B|C`). The
    /// conformance kit counts the requests it expects with it.
    fn titles_per_request(&self) -> usize {
        1
    }

    /// Whether extracts come from the article's introduction only
    /// (`exintro`, which batching needs): for an article whose
    /// introduction has fewer sentences than asked, the extract is shorter
    /// than the whole-article one every other strategy returns.
    fn intro_only(&self) -> bool {
        false
    }

    /// Fetches every title and returns exactly one result per title, in
    /// input order, whatever order the requests complete in. A title that
    /// appears twice is reported twice (and fetched twice, except by a
    /// batching strategy, whose one request answers both). Each completion is
    /// reported to `progress` as it happens.
    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult>;
}

/// Observes completions as they happen, like Python's `as_completed`:
/// progress bars, completion timelines. Called exactly once per title,
/// possibly from several threads at once.
pub trait Progress: Sync {
    /// The title at `index` in the input is done; `ok` if it has an extract.
    fn completed(&self, index: usize, ok: bool);

    /// Work on the title at `index` begins (its first request is about to
    /// be sent, or its task spawned). With [`Progress::completed`] it gives
    /// each title's latency as the caller sees it. Optional.
    fn started(&self, _index: usize) {}
}

/// A [`Progress`] that ignores every completion.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn completed(&self, _index: usize, _ok: bool) {}
}

impl<F: Fn(usize, bool) + Sync> Progress for F {
    fn completed(&self, index: usize, ok: bool) {
        self(index, ok)
    }
}

/// Puts results that complete in any order back into input order, and
/// reports each to the [`Progress`] observer as it lands.
///
/// A slot that never gets a result (a worker died) becomes a
/// `FetchError::Panicked` in [`Collector::finish`], so no title is lost.
pub struct Collector<'p> {
    slots: Vec<Option<FetchResult>>,
    progress: &'p dyn Progress,
}

impl<'p> Collector<'p> {
    /// A collector for `len` titles.
    pub fn new(len: usize, progress: &'p dyn Progress) -> Self {
        Self {
            slots: (0..len).map(|_| None).collect(),
            progress,
        }
    }

    /// Stores the result for the title at `index` and reports it. A second
    /// result for the same index is ignored.
    pub fn complete(&mut self, index: usize, result: FetchResult) {
        if let Some(slot @ None) = self.slots.get_mut(index) {
            self.progress.completed(index, result.is_ok());
            *slot = Some(result);
        }
    }

    /// All results in input order.
    pub fn finish(self) -> Vec<FetchResult> {
        let progress = self.progress;
        self.slots
            .into_iter()
            .enumerate()
            .map(|(index, slot)| {
                slot.unwrap_or_else(|| {
                    progress.completed(index, false);
                    Err(FetchError::Panicked {
                        message: "the worker for this title stopped without a result".into(),
                    })
                })
            })
            .collect()
    }
}

/// Runs `fetch` and turns a panic inside it into `FetchError::Panicked` for
/// this title, so one bug cannot lose the other titles' results.
pub fn catch_panic(fetch: impl FnOnce() -> FetchResult) -> FetchResult {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(fetch)).unwrap_or_else(|payload| {
        Err(FetchError::Panicked {
            message: panic_message(&*payload),
        })
    })
}

/// The text of a caught panic's payload, for [`FetchError::Panicked`].
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic payload".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn ok(s: &str) -> FetchResult {
        Ok(Extract {
            page_title: s.into(),
            text: s.into(),
            disambiguation: false,
        })
    }

    /// A strategy that says nothing of its requests sends one title per
    /// request and asks for whole-article extracts, as the kit expects of
    /// every strategy but `batched`.
    #[test]
    fn a_fetcher_sends_one_title_for_the_whole_article_unless_it_says() {
        struct Plain;
        impl Fetcher for Plain {
            fn new(_: &Config) -> Result<Self, SetupError> {
                Ok(Plain)
            }
            fn name(&self) -> &'static str {
                "plain"
            }
            fn max_in_flight(&self) -> usize {
                1
            }
            fn fetch_all(&self, titles: &[String], _: &dyn Progress) -> Vec<FetchResult> {
                titles.iter().map(|t| ok(t)).collect()
            }
        }
        let plain = Plain::new(&Config::default()).unwrap();
        assert_eq!(plain.titles_per_request(), 1);
        assert!(!plain.intro_only());
    }

    #[test]
    fn collector_restores_input_order_and_reports_each_once() {
        let seen = Mutex::new(Vec::new());
        let progress = |i, ok| seen.lock().unwrap().push((i, ok));
        let mut c = Collector::new(3, &progress);
        c.complete(2, ok("c"));
        c.complete(0, ok("a"));
        c.complete(1, Err(FetchError::Missing { title: "b".into() }));
        c.complete(1, ok("late duplicate"));
        let results = c.finish();
        assert_eq!(results[0], ok("a"));
        assert_eq!(results[1].as_ref().unwrap_err().kind(), "missing");
        assert_eq!(results[2], ok("c"));
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(2, true), (0, true), (1, false)]
        );
    }

    #[test]
    fn collector_never_loses_a_slot() {
        let mut c = Collector::new(2, &NoProgress);
        c.complete(1, ok("b"));
        c.complete(7, ok("out of range"));
        let results = c.finish();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].as_ref().unwrap_err().kind(), "panic");
    }

    #[test]
    fn catch_panic_turns_a_panic_into_an_error() {
        let r = catch_panic(|| panic!("worker bug"));
        assert_eq!(
            r,
            Err(FetchError::Panicked {
                message: "worker bug".into()
            })
        );
        assert_eq!(catch_panic(|| ok("fine")), ok("fine"));
    }

    #[test]
    fn panic_messages_are_recovered() {
        let p = std::panic::catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
        assert_eq!(panic_message(&*p), "boom 1");
        let p = std::panic::catch_unwind(|| panic!("static")).unwrap_err();
        assert_eq!(panic_message(&*p), "static");
    }
}
