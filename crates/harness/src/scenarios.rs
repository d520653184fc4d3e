//! The benchmark scenarios, as data: `cargo bench` runs them and the report
//! explains them, so both read the same definitions.

use std::time::Duration;

use wikifetch_mock::Latency;

use wikifetch_registry::Strategy;
use wikifetch_runlog::ScenarioFacts;

/// The mock's seed in every scenario, so latencies repeat across runs.
pub const SEED: u64 = 2024;

/// Rounds (timed calls per row) in a scenario with fixed delays.
pub const ROUNDS: usize = 10;

/// Blocks in every scenario: the rounds run in this many sets of fresh
/// processes (mock and rows), each warmed up, spread over the run between
/// the other scenarios' blocks. Intervals are over blocks (Kalibera and
/// Jones, 2013), and a verdict needs `wikifetch_stats::MIN_BLOCKS` of them.
pub const BLOCKS: usize = 5;

/// Rounds in `jitter`, each with its own layout of heavy-tailed delays.
pub const JITTER_ROUNDS: usize = 10;

/// Every strategy that sends one title per request: all but `batched`,
/// which [`Strategy::ALL`] lists last.
pub const ONE_TITLE: &[Strategy] = Strategy::ALL.split_at(Strategy::ALL.len() - 1).0;

/// The rows of `jitter`: the in-order queue on threads (`thread-pool`) and
/// on tasks (`tokio`, `smol`, `tokio-hyper`) beside rayon's splitting, the
/// scenario's question. The other rows would add 11 s each to the run and
/// answer nothing `concurrency` does not.
pub const JITTER_ROWS: &[Strategy] = &[
    Strategy::ThreadPool,
    Strategy::Rayon,
    Strategy::Tokio,
    Strategy::Smol,
    Strategy::TokioHyper,
];

/// The rows of `wan`: every strategy a reader would pick, and `batched`;
/// not the controls that split the thread-against-task comparison
/// (`thread-pool-hyper`, `tokio-current-thread`), which loopback measures,
/// nor `rayon-default`, whose cap `latency` and `concurrency` show.
pub const WAN_ROWS: &[Strategy] = &[
    Strategy::Sequential,
    Strategy::ThreadPool,
    Strategy::ThreadPerRequest,
    Strategy::Rayon,
    Strategy::Tokio,
    Strategy::AsyncStd,
    Strategy::Smol,
    Strategy::TokioHyper,
    Strategy::Batched,
];

/// The rows of `concurrency`: every one-title strategy but
/// `rayon-default`, whose single request in flight (one thread a client
/// CPU) `latency` shows at C = 10; at C = 100 its calls are 200 waves of
/// the delay, three a block, and were most of the scenario's time (DETAILS'
/// "Where the run's time went" gives the scenario's). The sweep adds it
/// back.
pub const CONCURRENCY_ROWS: &[Strategy] = &[
    Strategy::Sequential,
    Strategy::ThreadPool,
    Strategy::ThreadPoolHyper,
    Strategy::ThreadPerRequest,
    Strategy::Rayon,
    Strategy::Tokio,
    Strategy::AsyncStd,
    Strategy::Smol,
    Strategy::TokioHyper,
    Strategy::TokioCurrentThread,
];

/// Strategies whose requests in flight do not follow C: `rayon-default`
/// fetches as many titles at once as rayon's global pool has threads. In
/// a scenario with several C they run at its largest C only, where the
/// gap to what C promises is widest; each of their calls takes the time
/// of N titles over a few threads.
pub const CAPPED: &[Strategy] = Strategy::CAPPED;

/// The network between client and mock: what loopback lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Network {
    /// The delay line's round trip (`serve --rtt`); zero: loopback as it is.
    pub rtt: Duration,
    /// Whether the mock serves HTTPS (`serve --tls`), every client and the
    /// reference client trusting its CA.
    pub tls: bool,
}

impl Network {
    /// Loopback: no delay line, plain HTTP.
    pub const LOOPBACK: Network = Network {
        rtt: Duration::ZERO,
        tls: false,
    };
}

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
    /// The strategies that run, in report order.
    pub strategies: &'static [Strategy],
    /// Whether the strategies that run one request at a time by default
    /// (`sequential`, `batched`; [`Strategy::in_series`]) run so, at C = 1
    /// beside the others' C, with a floor at C = 1. Without it `sequential`
    /// does not run and `batched` runs at the scenario's C.
    pub series: bool,
    /// Timed calls per row, one per round; in each round every row of a
    /// concurrency makes one call, in a shuffled order.
    pub rounds: usize,
    /// The blocks the rounds are spread over ([`BLOCKS`]): `rounds` is a
    /// multiple of it.
    pub blocks: usize,
    /// How many title sets the rounds cycle through. With fixed delays one
    /// is enough; with uneven ones every round gets its own set, so that
    /// the mock draws the delays afresh (a new layout of slow titles) and
    /// a finding does not rest on one draw.
    pub layouts: usize,
    /// The network in front of the mock.
    pub network: Network,
    /// Strategies that also run as a control row that opens a new
    /// connection for every request (`<name>-no-keep-alive`), in the first
    /// comparison, at the C the strategy runs at there.
    pub no_keep_alive: &'static [Strategy],
    /// What the scenario shows, in two sentences, for the README and report.
    pub about: &'static str,
}

/// The `n` titles of layout `layout`: distinct and valid, one in ten
/// non-ASCII and one in ten with `&` (which must be percent-encoded).
/// Layout 0 is the benchmarks' usual set; every other layout is another
/// set of the same shape, whose delays the mock draws afresh. The one
/// title generator of `cargo bench` and `compare`.
pub fn titles(n: usize, layout: usize) -> Vec<String> {
    let tag = |i: usize| {
        if layout == 0 {
            i.to_string()
        } else {
            format!("{layout}.{i}")
        }
    };
    (0..n)
        .map(|i| match i % 10 {
            3 => format!("東京 {}", tag(i)),
            7 => format!("AT&T {}", tag(i)),
            _ => format!("Article {}", tag(i)),
        })
        .collect()
}

impl Scenario {
    /// The titles of round `round`'s calls: layout 0 for every round, or
    /// with uneven delays a layout of their own per round (see
    /// [`Scenario::layouts`]).
    pub fn title_list(&self, round: usize) -> Vec<String> {
        titles(self.titles, self.layout(round))
    }

    /// The layout of delays round `round` uses.
    pub fn layout(&self, round: usize) -> usize {
        round % self.layouts.max(1)
    }

    /// The concurrencies at which the reference client measures the floor:
    /// every C of the scenario, and 1 when `sequential` runs.
    pub fn floors(&self) -> Vec<usize> {
        let mut cs = self.concurrency.clone();
        if self.series && self.strategies.iter().any(|s| s.in_series()) {
            cs.insert(0, 1);
        }
        cs.dedup();
        cs
    }

    /// Every (strategy, C) pair the scenario runs, in report order.
    pub fn runs(&self) -> Vec<(Strategy, usize)> {
        let mut runs = Vec::new();
        for s in self.strategies {
            if self.series && s.in_series() {
                runs.push((*s, 1));
            } else if CAPPED.contains(s) {
                runs.extend(self.concurrency.iter().max().map(|c| (*s, *c)));
            } else if *s != Strategy::Sequential {
                runs.extend(self.concurrency.iter().map(|c| (*s, *c)));
            }
        }
        runs
    }

    /// The strategies of the `i`-th comparison (the one at
    /// `concurrency[i]`): the rows [`Scenario::runs`] gives that C, and in
    /// the first comparison the series rows (C = 1) too.
    pub fn compared_at(&self, i: usize) -> Vec<Strategy> {
        let Some(&c) = self.concurrency.get(i) else {
            return Vec::new();
        };
        self.runs()
            .into_iter()
            .filter(|&(s, at)| {
                if self.series && s.in_series() {
                    i == 0
                } else {
                    at == c
                }
            })
            .map(|(s, _)| s)
            .collect()
    }

    /// The control rows without keep-alive of the `i`-th comparison (see
    /// [`Scenario::no_keep_alive`]): only in the first.
    pub fn controls_at(&self, i: usize) -> Vec<Strategy> {
        if i > 0 {
            return Vec::new();
        }
        let compared = self.compared_at(0);
        self.no_keep_alive
            .iter()
            .copied()
            .filter(|s| compared.contains(s))
            .collect()
    }

    /// The control rows as (strategy, C), for listing.
    pub fn controls(&self) -> Vec<(Strategy, usize)> {
        let runs = self.runs();
        self.controls_at(0)
            .into_iter()
            .filter_map(|s| {
                runs.iter()
                    .copied()
                    .find(|(r, c)| *r == s && (*c == 1 || self.concurrency.first() == Some(c)))
            })
            .collect()
    }

    /// The mock process this scenario runs against (latency, delay line,
    /// TLS); the caller adds the seed and the CPUs.
    pub fn mock_spec(&self) -> wikifetch_rig::MockSpec {
        wikifetch_rig::MockSpec {
            rtt: self.network.rtt,
            tls: self.network.tls,
            ..Self::mock_spec_of(&self.latency.to_string())
        }
    }

    /// A plain mock process with latency `latency` (a `--latency` spec).
    pub fn mock_spec_of(latency: &str) -> wikifetch_rig::MockSpec {
        wikifetch_rig::MockSpec {
            latency: latency.to_owned(),
            seed: SEED,
            ..wikifetch_rig::MockSpec::default()
        }
    }

    /// Whether requests wait for anything: a delay at the mock or a
    /// round trip through the delay line.
    pub fn delayed(&self) -> bool {
        !self.latency.typical().is_zero() || !self.network.rtt.is_zero()
    }

    /// The scenario's parameters as the run log records them, with the
    /// mock's delay for every title of every layout when delays differ
    /// by title (so that the report computes the ideals from the log).
    pub fn facts(&self) -> ScenarioFacts {
        self.facts_with_seed(SEED)
    }

    /// [`Scenario::facts`] for a mock seeded with `seed` (`compare --seed`).
    pub fn facts_with_seed(&self, seed: u64) -> ScenarioFacts {
        let names = |list: &[Strategy]| list.iter().map(|s| s.name().to_owned()).collect();
        let fixed = match self.latency {
            Latency::Fixed(d) => Some(d.as_secs_f64()),
            _ => None,
        };
        ScenarioFacts {
            name: self.name.to_owned(),
            titles: self.titles,
            latency: self.latency.to_string(),
            typical_delay_s: self.latency.typical().as_secs_f64(),
            fixed_delay_s: fixed,
            rtt_s: self.network.rtt.as_secs_f64(),
            tls: self.network.tls,
            concurrency: self.concurrency.clone(),
            strategies: names(self.strategies),
            series: self.series,
            rounds: self.rounds,
            blocks: self.blocks,
            layouts: self.layouts,
            no_keep_alive: names(self.no_keep_alive),
            about: self.about.to_owned(),
            counted: true,
            delays_s: if fixed.is_some() {
                Vec::new()
            } else {
                (0..self.layouts.max(1))
                    .map(|layout| {
                        self.title_list(layout)
                            .iter()
                            .map(|t| self.latency.sample(seed, t, 1).as_secs_f64())
                            .collect()
                    })
                    .collect()
            },
        }
    }

    /// The mock's delay for each title of round `round`, in order.
    pub fn delays(&self, round: usize) -> Vec<Duration> {
        self.title_list(round)
            .iter()
            .map(|t| self.latency.sample(SEED, t, 1))
            .collect()
    }
}

/// The scenarios of a plain `cargo bench`; with `sweep`
/// (`WIKIFETCH_SWEEP=1`), `concurrency` adds C = 1 and 50. (The curve to
/// large C is `scale`'s, apart from the scenarios.)
pub fn scenarios(sweep: bool) -> Vec<Scenario> {
    let ms = Duration::from_millis;
    let mut all = vec![
        Scenario {
            name: "latency",
            // 50 titles: five waves at C = 10. The rows with one request in
            // flight (`sequential`, its floor, `rayon-default`) take
            // N × 20 ms a call, and at N = 100 they were most of the
            // scenario's time; five waves show the overlap as well as ten.
            titles: 50,
            latency: Latency::Fixed(ms(20)),
            concurrency: vec![10],
            strategies: Strategy::ALL,
            series: true,
            rounds: ROUNDS,
            blocks: BLOCKS,
            layouts: 1,
            network: Network::LOOPBACK,
            no_keep_alive: &[],
            about: "50 titles, every answer delayed 20 ms, 10 in flight: the lesson's setting. \
                    It shows how much of the waiting each strategy overlaps, against the ideal \
                    of 5 rounds of one round trip.",
        },
        Scenario {
            name: "concurrency",
            titles: 200,
            latency: Latency::Fixed(ms(20)),
            // C = 1 costs 4 s a call (200 × 20 ms) for every strategy and its
            // floor, and shows what `latency`'s `sequential` row shows: it
            // joins only in the sweep.
            // C = 10 and 50 join only in the sweep too: the `scale` curve
            // times every model at C = 10 (N = 20) and at C = 100 (N = 200,
            // this scenario's setting) one row at a time; this scenario
            // keeps C = 100, where its interleaved rounds answer the same
            // question in the other design (DETAILS sets the two side by
            // side). C = 10 (20 waves a call) cost four calls a block of
            // each of ten rows.
            concurrency: if sweep {
                vec![1, 10, 50, 100]
            } else {
                vec![100]
            },
            strategies: if sweep { ONE_TITLE } else { CONCURRENCY_ROWS },
            series: false,
            rounds: ROUNDS,
            blocks: BLOCKS,
            layouts: 1,
            network: Network::LOOPBACK,
            no_keep_alive: &[],
            about: "200 titles at 20 ms with C = 100, every row's rounds interleaved (the `scale` \
                    curve times C = 10 to 10,000 one row at a time; for C = 1 see the `latency` \
                    scenario's `sequential` row; WIKIFETCH_SWEEP=1 adds C = 1, 10 and 50 here). \
                    Time should be ⌈N/C⌉ × the round trip; where a strategy falls behind the \
                    reference client at the same C, its own costs show.",
        },
        Scenario {
            name: "jitter",
            titles: 200,
            latency: Latency::LogNormal {
                median: ms(20),
                p99: ms(200),
            },
            concurrency: vec![20],
            strategies: JITTER_ROWS,
            series: false,
            rounds: JITTER_ROUNDS,
            blocks: BLOCKS,
            layouts: JITTER_ROUNDS,
            network: Network::LOOPBACK,
            no_keep_alive: &[],
            about: "200 titles with heavy-tailed delays (median 20 ms, p99 200 ms) at C = 20, and \
                    a new layout of them in each of 10 rounds (the same layouts in every run). A \
                    queue that hands out titles in input order (the reference client, the pool, the \
                    async loops) and rayon, whose threads split the range and steal from each other \
                    as they go, meet the slow titles at different moments.",
        },
        Scenario {
            name: "overhead",
            // 500 titles: 5–50 ms a call, enough requests that a call's
            // fixed costs are small beside them; the Python lesson's rows
            // take 20 times longer a title here.
            titles: 500,
            latency: Latency::Fixed(Duration::ZERO),
            concurrency: vec![10],
            strategies: Strategy::ALL,
            series: true,
            // Calls take 20–100 ms and the noise is larger without a delay:
            // three times the rounds cost seconds.
            rounds: 3 * ROUNDS,
            blocks: BLOCKS,
            layouts: 1,
            network: Network::LOOPBACK,
            no_keep_alive: &[],
            about: "500 titles with no added latency at C = 10: what remains is the CPU cost \
                    of each client and runtime per request. The client has one CPU, so a \
                    strategy's time here is mostly its own CPU per request; the reference \
                    client at C = 10 shows how fast the mock itself can go.",
        },
        Scenario {
            name: "batching",
            titles: 100,
            latency: Latency::Fixed(ms(20)),
            concurrency: vec![3, 10],
            // The best one-title strategy of `latency` (tokio-hyper, within
            // 1–2 % of its floor) beside `batched`; every other one-title
            // strategy would add a second a round at C = 3 and show what
            // `latency` shows. N = 100 (5 batches) keeps a one-title row
            // at C = 3 to 0.7 s a call.
            strategies: &[Strategy::TokioHyper, Strategy::Batched],
            series: false,
            rounds: 5,
            blocks: BLOCKS,
            layouts: 1,
            network: Network::LOOPBACK,
            no_keep_alive: &[],
            about: "100 titles at 20 ms with C = 3 (Wikimedia's limit for parallel requests) \
                    and C = 10 (the lesson's): one title per request against the API's own \
                    batching, 20 titles a request. The reference client at each C is the best \
                    one title per request can do. The mock charges a batch the same delay as one \
                    title; a real server spends more on twenty extracts than on one, which this \
                    does not model.",
        },
    ];
    all.push(Scenario {
        name: "wan",
        // 20 titles: the lesson's loop without keep-alive costs three round
        // trips a title (TCP, TLS 1.3, the request), 3 s a call at 50 ms.
        titles: 20,
        latency: Latency::Fixed(ms(1)),
        // C = 10 only: Wikimedia's limit of 3 is `batching`'s; here it
        // added 25 s to `cargo bench` and showed the same waves, slower.
        concurrency: vec![10],
        strategies: WAN_ROWS,
        series: true,
        // One round a block: a round costs about 15 s here (the
        // controls open a connection, with TLS, for every title).
        rounds: BLOCKS,
        blocks: BLOCKS,
        layouts: 1,
        network: Network {
            rtt: ms(50),
            tls: true,
        },
        no_keep_alive: &[Strategy::Sequential, Strategy::ThreadPool],
        about: "20 titles over HTTPS through a 50 ms round trip (the mock's own delay 1 ms), at \
                C = 10 (the lesson's): the lesson against a real network. Every strategy keeps its connections; two controls, `sequential` and \
                `thread-pool` without keep-alive, open a new connection (TCP and TLS) for every \
                request, as the lesson's `requests.get` does.",
    });
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles_of_every_layout() -> Vec<String> {
        (0..JITTER_ROUNDS).flat_map(|k| titles(50, k)).collect()
    }

    #[test]
    fn each_comparison_holds_the_rows_of_its_c() {
        let all = scenarios(true);
        let get = |name: &str| all.iter().find(|s| s.name == name).unwrap();
        // `latency`: every strategy, the series ones at C = 1 beside C = 10.
        assert_eq!(get("latency").compared_at(0), Strategy::ALL);
        // `batching` has no series: `batched` runs at each C.
        let batching = get("batching");
        for i in 0..2 {
            assert_eq!(
                batching.compared_at(i),
                [Strategy::TokioHyper, Strategy::Batched]
            );
        }
        // `concurrency` (with the sweep's C = 1): one-title rows without
        // `sequential`, at every C; `rayon-default` at the largest only.
        let concurrency = get("concurrency");
        let last = concurrency.concurrency.len() - 1;
        for i in 0..last {
            let uncapped: Vec<Strategy> = ONE_TITLE[1..]
                .iter()
                .copied()
                .filter(|s| !CAPPED.contains(s))
                .collect();
            assert_eq!(concurrency.compared_at(i), uncapped);
        }
        assert_eq!(concurrency.compared_at(last), &ONE_TITLE[1..]);
        assert!(concurrency.compared_at(99).is_empty());
    }

    #[test]
    fn every_scenario_runs_whole_blocks_enough_for_a_verdict() {
        for s in scenarios(true) {
            assert!(s.blocks >= wikifetch_stats::MIN_BLOCKS, "{}", s.name);
            assert_eq!(s.rounds % s.blocks, 0, "{}", s.name);
            assert_eq!(s.facts().blocks, s.blocks);
        }
    }

    #[test]
    fn one_title_is_every_strategy_that_sends_one_title() {
        let expected: Vec<Strategy> = Strategy::ALL
            .iter()
            .copied()
            .filter(|s| s.titles_per_request() == 1)
            .collect();
        assert_eq!(ONE_TITLE, expected.as_slice());
        let uncapped: Vec<Strategy> = expected
            .into_iter()
            .filter(|s| !CAPPED.contains(s))
            .collect();
        assert_eq!(CONCURRENCY_ROWS, uncapped.as_slice());
    }

    #[test]
    fn runs_and_titles_are_stable() {
        let s = &scenarios(false)[0];
        assert_eq!(s.runs()[0], (Strategy::Sequential, 1));
        assert_eq!(s.runs().len(), Strategy::ALL.len());
        let titles = s.title_list(0);
        assert_eq!(titles.len(), s.titles);
        assert_eq!(s.title_list(7), titles, "fixed delays: one layout");
        let jitter = scenarios(false)
            .into_iter()
            .find(|s| s.name == "jitter")
            .unwrap();
        assert_ne!(
            jitter.delays(0),
            jitter.delays(1),
            "uneven delays: a layout per round"
        );
        assert_eq!(jitter.layout(jitter.rounds), 0);
        // The log holds every layout's delays, as the mock draws them.
        let facts = jitter.facts();
        assert_eq!(facts.delays_s.len(), jitter.layouts);
        assert_eq!(facts.delays(1).len(), jitter.titles);
        assert!((facts.delays(1)[3] - jitter.delays(1)[3].as_secs_f64()).abs() < 1e-12);
        assert!(s.facts().delays_s.is_empty() && s.facts().fixed_delay_s == Some(0.02));
        let other = titles_of_every_layout();
        assert!(other.iter().all(|t| wikifetch_core::Title::new(t).is_ok()));
        assert_eq!(
            titles
                .iter()
                .collect::<std::collections::HashSet<_>>()
                .len(),
            s.titles
        );
        assert!(titles.iter().all(|t| wikifetch_core::Title::new(t).is_ok()));
    }
}
