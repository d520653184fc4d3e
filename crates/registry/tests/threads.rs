//! No hidden threads: a warm `fetch_all` creates exactly the threads its
//! concurrency model calls for, and none for anything else (the ureq
//! resolver used to create one per request).
//!
//! Threads are counted by the kernel's count of tasks created since boot
//! (`processes` in `/proc/stat`, which counts every `clone`, threads
//! included). It is machine-wide, so this file holds one test, run alone
//! in its own process, and the mock runs in this process, its threads
//! started before counting.

// Test code: failing loudly, with a message, is its job.
#![allow(clippy::panic)]

use std::time::Duration;

use wikifetch_core::{Config, NoProgress};
use wikifetch_mock::{Latency, MockWiki};
use wikifetch_registry::Strategy;

fn tasks_created() -> u64 {
    use procfs::CurrentSI;
    procfs::KernelStats::current()
        .map(|stats| stats.processes)
        .unwrap_or_else(|e| panic!("/proc/stat: {e}"))
}

#[test]
fn a_warm_call_creates_only_the_threads_of_its_model() {
    let mock = MockWiki::builder()
        .latency(Latency::Fixed(Duration::from_millis(2)))
        .start()
        .unwrap();
    let titles: Vec<String> = (0..40).map(|i| format!("Thread {i}")).collect();
    let mut report = Vec::new();
    for strategy in Strategy::ALL {
        let mut config = Config::for_api(&mock.api_url());
        config.concurrency = 4;
        let fetcher = strategy.build(&config).unwrap();
        // The first call may resolve the address and open connections.
        assert!(
            fetcher
                .fetch_all(&titles, &NoProgress)
                .iter()
                .all(Result::is_ok)
        );
        // Take the least of seven calls, a little apart: a task created
        // elsewhere on the machine during one of them (another process
        // starting) can only add to its count, so the least is this
        // strategy's own unless every call was disturbed.
        let created = (0..7)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(20));
                let before = tasks_created();
                let results = fetcher.fetch_all(&titles, &NoProgress);
                let after = tasks_created();
                assert!(results.iter().all(Result::is_ok), "{strategy}");
                after - before
            })
            .min()
            .unwrap();
        let expected = match strategy {
            Strategy::ThreadPerRequest => titles.len() as u64,
            // Two batches of 20: the calling thread takes one, and one
            // scoped helper the other.
            Strategy::Batched => 1,
            _ => 0,
        };
        report.push(format!("{strategy}: {created} (expected {expected})"));
        assert_eq!(
            created, expected,
            "threads created in a warm call: {report:?}"
        );
    }
}
