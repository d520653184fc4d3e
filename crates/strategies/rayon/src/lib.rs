//! # rayon: a work-stealing pool built for CPU work, used for I/O
//!
//! **What it is.** [rayon] turns `iter()` into `par_iter()`: it splits the
//! input into pieces and lets a pool of threads work through them, each
//! thread stealing work from the others when its own runs out. It is made
//! for CPU-bound work (one thread per core, all of them busy), and here it
//! is asked to do blocking I/O instead.
//!
//! **How this crate does it.** A dedicated [`rayon::ThreadPool`] with C
//! threads is built once in [`Fetcher::new`]; `fetch_all` runs
//! `titles.par_iter().enumerate().map(fetch_one).collect()` inside it.
//! `collect()` into a `Vec` keeps input order by construction, and each
//! result is reported to the progress observer from the worker that
//! produced it. The per-title function is the sequential strategy's
//! [`Client::fetch_one`], shared by all threads through one `ureq::Agent`.
//!
//! **Why not rayon's global pool?** It has one thread per core: 2 on the
//! reference machine. A thread blocked in `recv()` does no work and frees no
//! core, so with 2 threads only 2 requests are ever in flight, whatever C
//! you meant. For I/O, the pool size is the concurrency; build a pool of C.
//!
//! **How the splitting behaves.** rayon does not hand out titles one by one
//! like a queue. It splits the index range in halves, recursively (down to
//! single titles here, `with_max_len(1)`), and a thread that finishes its
//! part steals half of someone else's remaining range. With even latencies
//! that is as good as a queue. With uneven ones it depends on where the
//! slow titles sit: `wikifetch compare --latency "lognormal:20ms,p99=200ms"
//! -c 20 --plot t.svg` can show rayon finishing most titles first and then
//! waiting on one slow title it reached late, or the other way round.
//! Over `cargo bench`'s `jitter` scenario (10 layouts of heavy-tailed
//! delays) the run could not tell rayon from the in-order thread pool: on
//! some layouts rayon finished first, on others the queue
//! (`results/REPORT.md`, `jitter`).
//!
//! **When to choose it.** When the program already uses rayon for CPU work
//! and a modest number of blocking requests is a side task, or when the
//! work per title is CPU-heavy after the fetch (parsing, hashing): rayon's
//! strength is the computation, not the waiting.
//!
//! **What it costs.** Like any pool of OS threads: C stacks, C kernel tasks,
//! a context switch per answer; plus rayon's idle workers, which spin
//! looking for work before they sleep. At C = 10 that is among the
//! cheapest rows in time (`cargo bench`'s `latency`); at C = 100 it trails
//! the task strategies, and each request in flight holds a thread and its
//! touched stack (the report's footprint section gives the figures).
//!
//! At C = 1000 on one CPU rayon paid a cost the thread pool did not: in
//! the report's footprint (`results/REPORT.md`, memory and threads) its
//! one C = 1000 call spent more than ten times the client CPU of
//! `thread-pool`'s and took over twice as long. The cause was not
//! measured; rayon-core's source suggests one: a worker that runs out of
//! work does not sleep at once, but searches the other workers' queues
//! for work to steal, yielding the CPU between rounds, for a few dozen
//! rounds, and a thousand workers search a thousand queues each on the
//! CPU the answers also need. rayon offers no setting for those rounds:
//! past a few hundred requests in flight, prefer a thread pool or tasks.
//!
//! **Pitfalls.** The global pool's size (above), which the `rayon-default`
//! row ([`RayonDefault`]) measures. Blocking inside
//! `par_iter` on the global pool also stalls every other rayon user in the
//! process; a dedicated pool, as here, keeps that contained. A panic inside
//! `par_iter` would propagate to the caller and lose every result, so each
//! title runs under [`catch_panic`].

use rayon::prelude::*;
use wikifetch_core::{Config, FetchResult, Fetcher, Progress, SetupError, catch_panic};
use wikifetch_sequential::Client;

/// Stack reserved per pool thread: ample for a blocking HTTP request.
pub const STACK_SIZE: usize = 512 * 1024;

/// A dedicated rayon pool of C threads running blocking requests.
#[derive(Debug)]
pub struct Rayon {
    pool: rayon::ThreadPool,
    client: Client,
}

impl Fetcher for Rayon {
    fn new(config: &Config) -> Result<Self, SetupError> {
        wikifetch_core::limits::ensure_threads(config.concurrency)?;
        let client = Client::new(config, config.concurrency)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.concurrency)
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("wikifetch-rayon-{i}"))
            .build()
            .map_err(|e| SetupError::Start {
                strategy: "rayon",
                message: format!(
                    "could not start {} threads: {e}; lower --concurrency",
                    config.concurrency
                ),
            })?;
        Ok(Self { pool, client })
    }

    fn name(&self) -> &'static str {
        "rayon"
    }

    fn max_in_flight(&self) -> usize {
        self.client.config().concurrency
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        // The caller is not a pool thread: it blocks in `install` until the
        // pool has done every title.
        self.pool.install(|| {
            // The workers split the index range and steal halves of each
            // other's; `collect` puts each result at its input position.
            titles
                .par_iter()
                .enumerate()
                // One title per piece: the default would let rayon batch
                // titles, serializing them within a piece.
                .with_max_len(1)
                .map(|(index, title)| fetch_reported(&self.client, progress, index, title))
                .collect()
        })
    }
}

/// One title on a rayon worker, reported to `progress` as it starts and
/// ends; a panic is an error for that title only (it would otherwise
/// propagate out of `par_iter` and lose every result).
fn fetch_reported(
    client: &Client,
    progress: &dyn Progress,
    index: usize,
    title: &str,
) -> FetchResult {
    progress.started(index);
    // This rayon worker blocks in the socket read, and sleeps through each
    // retry's backoff; it steals no other work meanwhile.
    let result = catch_panic(|| client.fetch_one(title));
    progress.completed(index, result.is_ok());
    result
}

/// rayon as a newcomer writes it: `titles.par_iter().map(fetch).collect()`
/// on rayon's global pool, nothing configured.
///
/// The global pool has one thread per CPU the process may use, and a
/// thread blocked in `recv()` holds its place in the pool, so this fetches
/// at most that many titles at once, whatever `--concurrency` says: 2 on a
/// 2-core laptop, 8 on an 8-core one, 1 in `cargo bench`, whose client
/// process is pinned to one CPU. rayon is built to keep every core busy
/// computing; a waiting thread keeps a core's worth of the pool idle. The
/// row exists to show that cap; [`Rayon`] is what to write instead (a
/// pool of C threads).
#[derive(Debug)]
pub struct RayonDefault {
    client: Client,
    threads: usize,
}

impl Fetcher for RayonDefault {
    fn new(config: &Config) -> Result<Self, SetupError> {
        // Starts the global pool if nothing has yet, and reads its size.
        let threads = rayon::current_num_threads();
        Ok(Self {
            client: Client::new(config, threads)?,
            threads,
        })
    }

    fn name(&self) -> &'static str {
        "rayon-default"
    }

    /// The global pool's size: `--concurrency` does not enter.
    fn max_in_flight(&self) -> usize {
        self.threads
    }

    fn fetch_all(&self, titles: &[String], progress: &dyn Progress) -> Vec<FetchResult> {
        // As `Rayon`'s, on the global pool: the caller blocks until its
        // threads, one per CPU, have done every title.
        titles
            .par_iter()
            .enumerate()
            .map(|(index, title)| fetch_reported(&self.client, progress, index, title))
            .collect()
    }
}
