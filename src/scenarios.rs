//! The benchmark scenarios, as data: `cargo bench` runs them and the report
//! explains them, so both read the same definitions.

use std::time::Duration;

use wikifetch_mock::Latency;

use crate::Strategy;

/// The mock's seed in every scenario, so latencies repeat across runs.
pub const SEED: u64 = 2024;

/// One benchmark scenario: N titles against the mock at some latency, for
/// some strategies at some concurrencies.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Stable name: the criterion group and the report section.
    pub name: &'static str,
    /// N, the number of titles per `fetch_all`.
    pub titles: usize,
    /// The mock's delay per request.
    pub latency: Latency,
    /// The concurrencies C to run each concurrent strategy at.
    pub concurrency: Vec<usize>,
    /// Whether `sequential` runs too (at its only concurrency, 1).
    pub with_sequential: bool,
    /// What the scenario shows, in two sentences, for the README and report.
    pub about: &'static str,
}

impl Scenario {
    /// The titles the scenario fetches: distinct, some non-ASCII, some with
    /// reserved URL characters, all valid.
    pub fn title_list(&self) -> Vec<String> {
        (0..self.titles)
            .map(|i| match i % 10 {
                3 => format!("東京 {i}"),
                7 => format!("AT&T {i}"),
                _ => format!("Article {i}"),
            })
            .collect()
    }

    /// The concurrencies at which the reference client measures the floor:
    /// every C of the scenario, and 1 when `sequential` runs.
    pub fn floors(&self) -> Vec<usize> {
        let mut cs = self.concurrency.clone();
        if self.with_sequential {
            cs.insert(0, 1);
        }
        cs.dedup();
        cs
    }

    /// Every (strategy, C) pair the scenario runs, in report order.
    pub fn runs(&self) -> Vec<(Strategy, usize)> {
        let mut runs = Vec::new();
        if self.with_sequential {
            runs.push((Strategy::Sequential, 1));
        }
        for s in Strategy::ALL.iter().filter(|s| **s != Strategy::Sequential) {
            runs.extend(self.concurrency.iter().map(|c| (*s, *c)));
        }
        runs
    }

    /// The mock's delay for each title of the scenario, in order.
    pub fn delays(&self) -> Vec<Duration> {
        self.title_list()
            .iter()
            .map(|t| self.latency.sample(SEED, t, 1))
            .collect()
    }
}

/// The scenarios of a plain `cargo bench`; with `sweep`, the larger sweep
/// (`WIKIFETCH_SWEEP=1`): N = 10,000 and C up to 1000.
pub fn scenarios(sweep: bool) -> Vec<Scenario> {
    let ms = Duration::from_millis;
    let mut all = vec![
        Scenario {
            name: "latency",
            titles: 100,
            latency: Latency::Fixed(ms(20)),
            concurrency: vec![10],
            with_sequential: true,
            about: "100 titles, every answer delayed 20 ms, 10 in flight: the lesson's setting. \
                    It shows how much of the waiting each strategy overlaps, against the ideal \
                    of 10 rounds of one round trip.",
        },
        Scenario {
            name: "concurrency",
            titles: 200,
            latency: Latency::Fixed(ms(20)),
            // C = 1 costs 4 s a call (200 × 20 ms) for every strategy and its
            // floor, and shows what `latency`'s `sequential` row shows: it
            // joins only in the sweep.
            concurrency: if sweep {
                vec![1, 10, 50, 100]
            } else {
                vec![10, 50, 100]
            },
            with_sequential: false,
            about: "200 titles at 20 ms with C = 10, 50 and 100 (for C = 1 see the `latency` \
                    scenario's `sequential` row, whose N is 100; every strategy runs at C = 1 with \
                    WIKIFETCH_SWEEP=1). Time should fall as ⌈N/C⌉ × the round trip; where a \
                    strategy falls behind the reference client at the same C, its own costs show.",
        },
        Scenario {
            name: "jitter",
            titles: 200,
            latency: Latency::LogNormal {
                median: ms(20),
                p99: ms(200),
            },
            concurrency: vec![20],
            with_sequential: false,
            about: "200 titles with heavy-tailed delays (median 20 ms, p99 200 ms, the same \
                    for every run) at C = 20. A queue that hands out titles in input order (the \
                    reference client, the pool, the async loops) and rayon, whose threads split \
                    the range and steal from each other as they go, meet the slow titles at \
                    different moments.",
        },
        Scenario {
            name: "overhead",
            titles: 1000,
            latency: Latency::Fixed(Duration::ZERO),
            concurrency: vec![10],
            with_sequential: true,
            about: "1000 titles with no added latency at C = 10: what remains is the CPU cost \
                    of each client and runtime per request. The client has one CPU, so a \
                    strategy's time here is mostly its own CPU per request; the reference \
                    client at C = 10 shows how fast the mock itself can go.",
        },
    ];
    if sweep {
        all.push(Scenario {
            name: "sweep",
            titles: 10_000,
            latency: Latency::Fixed(ms(20)),
            // C = 10 at N = 10,000 is 1000 rounds (22 s a call): the `latency`
            // scenario already shows C = 10, so the sweep starts at 100.
            concurrency: vec![100, 250, 500, 1000],
            with_sequential: false,
            about: "10,000 titles at 20 ms with C from 100 to 1000 (only with WIKIFETCH_SWEEP=1). \
                    It shows where threads and tasks part ways as the concurrency grows.",
        });
    }
    all
}

/// The nominal ideal for fixed latency `l`: ⌈N/C⌉ · l.
pub fn nominal_ideal(titles: usize, c: usize, l: Duration) -> Duration {
    l * u32::try_from(titles.div_ceil(c.max(1))).unwrap_or(u32::MAX)
}

/// The title an in-order queue finishes last: its index, when it starts,
/// and when it (and so the whole queue) is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueEnd {
    /// Index of the title that finishes last.
    pub title: usize,
    /// When a worker starts it.
    pub start: Duration,
    /// When it is done: the queue's total time.
    pub finish: Duration,
}

/// Replays a perfect in-order queue: C workers, each taking the next title
/// the moment it is free. `None` for no titles.
pub fn queue_schedule(durations: &[Duration], c: usize) -> Option<QueueEnd> {
    let mut free_at = vec![Duration::ZERO; c.max(1)];
    let mut last: Option<QueueEnd> = None;
    for (title, d) in durations.iter().enumerate() {
        if let Some(earliest) = free_at.iter_mut().min() {
            let start = *earliest;
            *earliest += *d;
            if last.is_none_or(|l| *earliest > l.finish) {
                last = Some(QueueEnd {
                    title,
                    start,
                    finish: *earliest,
                });
            }
        }
    }
    last
}

/// The time C workers need for `durations` if each takes the next title as
/// soon as it is free (a perfect queue): the ideal for uneven latencies.
pub fn queue_ideal(durations: &[Duration], c: usize) -> Duration {
    queue_schedule(durations, c).map_or(Duration::ZERO, |end| end.finish)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideals() {
        let ms = Duration::from_millis;
        assert_eq!(nominal_ideal(100, 10, ms(20)), ms(200));
        assert_eq!(nominal_ideal(101, 10, ms(20)), ms(220));
        assert_eq!(queue_ideal(&[ms(10); 4], 2), ms(20));
        assert_eq!(queue_ideal(&[ms(50), ms(10), ms(10), ms(10)], 2), ms(50));
        assert_eq!(queue_ideal(&[], 3), Duration::ZERO);
        assert_eq!(
            queue_schedule(&[ms(10), ms(10), ms(10), ms(30)], 2),
            Some(QueueEnd {
                title: 3,
                start: ms(10),
                finish: ms(40),
            })
        );
        assert_eq!(queue_schedule(&[], 2), None);
    }

    #[test]
    fn runs_and_titles_are_stable() {
        let s = &scenarios(false)[0];
        assert_eq!(s.runs()[0], (Strategy::Sequential, 1));
        assert_eq!(s.runs().len(), Strategy::ALL.len());
        let titles = s.title_list();
        assert_eq!(titles.len(), 100);
        assert_eq!(
            titles
                .iter()
                .collect::<std::collections::HashSet<_>>()
                .len(),
            100
        );
        assert!(titles.iter().all(|t| wikifetch_core::Title::new(t).is_ok()));
    }
}
