//! # Batched: fewer requests instead of more threads
//!
//! **What it is.** The API's own answer to "many titles": one request asks
//! for up to 20 of them (`titles=A|B|…|T&exintro=1&exlimit=max`), and
//! batches go one after another. Wikimedia asks bulk clients for exactly
//! this: several titles per request, requests in series, and at most 3 in
//! parallel even when parallel (API:Etiquette). The lesson answers
//! "hundreds of titles" with threads; against this API the better answer
//! is 20 times fewer requests.
//!
//! **How this crate does it.** `wikifetch-core` plans the call
//! ([`BatchPlan`]: invalid titles set apart with their errors, duplicates
//! merged), builds each batch's URL and follows the answer's continuation
//! (`excontinue`) until every title has its extract, retrying as the
//! policy says ([`fetch_batch_blocking`]). Requests go through the
//! sequential strategy's blocking [`Client`] (one `ureq::Agent`, C
//! kept-alive connections). With C = 1, the default of `wikifetch fetch
//! --strategy batched`, batches run on the calling thread; with C > 1,
//! C − 1 scoped threads join it for the call, each taking the next batch.
//!
//! *Why blocking threads and not tasks:* batching leaves so few requests
//! (one for every 20 titles) and so few in flight (1 to 3) that how they wait
//! costs nothing measurable; the simplest model is the right one. The
//! C − 1 helper threads are created per call, not pooled: that is C − 1
//! thread creations per list of titles (tens of microseconds), against at
//! least one round trip per batch.
//!
//! **What differs from the other strategies, precisely.** Batching needs
//! `exintro` (without it TextExtracts gives one whole-article extract per
//! answer), so each extract comes from the article's introduction: for an
//! article whose introduction has fewer than `exsentences` sentences, the
//! extract has only the introduction's sentences, a prefix of what the
//! one-title strategies return. [`Fetcher::intro_only`] says so, and the
//! conformance kit expects exactly that. A title given twice (or `Rust` and
//! `Rust#History`) is asked for once and reported at each position.
//!
//! **Failures stay the title's.** A fault hits a whole batch: a permanent
//! 500, a body over `max_body_bytes`, an answer that never comes. A batch
//! that still fails after its retries is split in two and each half asked
//! again, down to single titles, so only the title that causes the failure
//! ends in an error. The price: a title that breaks every request costs
//! about log2(20) ≈ 5 extra rounds of retries for its batch.
//!
//! **When to choose it.** Against the live API, always, unless you need the
//! whole-article extract of short introductions: it is the polite way and,
//! with a round trip of tens of milliseconds, the fast one (`cargo bench`'s
//! `batching` scenario: 200 titles at C = 3 and 10; `wan`: 20 titles in
//! one request over a 50 ms round trip).
//!
//! **When not to.** When every title needs the whole-article extract
//! (`exintro` shortens short introductions), or an API without batching.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use wikifetch_core::{
    BATCH_TITLES, BatchPlan, Collector, Config, FetchResult, Fetcher, Progress, SetupError,
    fetch_batch_blocking,
};
use wikifetch_sequential::Client;

/// The batched strategy: batches of [`BATCH_TITLES`] titles, C in flight.
#[derive(Debug, Clone)]
pub struct Batched {
    client: Client,
    concurrency: usize,
}

impl Fetcher for Batched {
    fn new(config: &Config) -> Result<Self, SetupError> {
        Ok(Self {
            client: Client::new(config, config.concurrency)?,
            concurrency: config.concurrency.max(1),
        })
    }

    fn name(&self) -> &'static str {
        "batched"
    }

    fn max_in_flight(&self) -> usize {
        self.concurrency
    }

    fn titles_per_request(&self) -> usize {
        BATCH_TITLES
    }

    fn intro_only(&self) -> bool {
        true
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        let plan = BatchPlan::new(titles);
        let collector = Mutex::new(Collector::new(titles.len(), progress));
        // Invalid titles are answered at once: nothing is sent for them.
        for (position, error) in &plan.invalid {
            progress.started(*position);
            lock(&collector).complete(*position, Err(error.clone()));
        }
        let batches = plan.batches(BATCH_TITLES);
        let next = AtomicUsize::new(0);
        let config = self.client.config();
        // Each thread takes the next batch until none is left.
        let work = || {
            while let Some(range) = batches.get(next.fetch_add(1, Ordering::Relaxed)) {
                let positions = plan.positions.get(range.clone()).unwrap_or_default();
                positions
                    .iter()
                    .flatten()
                    .for_each(|p| progress.started(*p));
                let group = plan.distinct.get(range.clone()).unwrap_or_default();
                // The thread blocks in the socket read for each request and
                // sleeps through each retry's backoff; continuations and
                // halves are further requests, in series.
                fetch_batch_blocking(
                    config,
                    group,
                    |url| self.client.get(url),
                    // A title's result, into every input slot that asked.
                    |i, result| {
                        let mut collector = lock(&collector);
                        for p in positions.get(i).into_iter().flatten() {
                            collector.complete(*p, result.clone());
                        }
                    },
                );
            }
        };
        // A panic in a worker loses only the titles it held: the collector
        // turns their empty slots into errors.
        let guarded = || {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        };
        let workers = self.concurrency.min(batches.len());
        std::thread::scope(|scope| {
            for _ in 1..workers {
                if std::thread::Builder::new()
                    .name("wikifetch-batch".into())
                    .spawn_scoped(scope, guarded)
                    .is_err()
                {
                    // No thread to be had: the calling thread does the work.
                    break;
                }
            }
            // The caller works too, then blocks at the scope's end until
            // every helper has joined.
            guarded();
        });
        collector
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .finish()
    }
}

fn lock<'a, 'p>(c: &'a Mutex<Collector<'p>>) -> MutexGuard<'a, Collector<'p>> {
    c.lock().unwrap_or_else(|e| e.into_inner())
}
