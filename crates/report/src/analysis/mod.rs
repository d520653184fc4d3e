//! The analysis: every row of a run, from its log alone, with its floor,
//! ideal, premise and paired ratios, each computed once here for the
//! findings and the renderers to read.
//!
//! Intervals are seeded bootstraps, so analysing the same log twice gives
//! the same figures.

mod footprint;
mod ideal;
pub mod limits;
mod pairs;
mod reproduce;
pub mod scale;
mod totals;

use serde::Serialize;
use wikifetch_runlog::{RunLog, ScenarioFacts};
use wikifetch_stats::{Blocked, Margin, Paired, Ratio, Summary, by_block};

pub use footprint::{InFlightCosts, PerRequest, footprint_of, premise_held};
pub use ideal::{lower_bound, nominal_ideal, queue_completions, queue_ideal};
pub use pairs::{Versus, against, pair_up};
pub use reproduce::{Coverage, Reproduction, earlier_of, reproduce};
pub use totals::{RIG_BOUND_BUSY, Totals, mock_over_bare};
pub use wikifetch_runlog::REFERENCE;

/// One benchmark's figures, as the tables, plots and JSON show them.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Scenario name.
    pub scenario: String,
    /// Strategy name (`reference` for the floor).
    pub strategy: String,
    /// N.
    pub titles: usize,
    /// C.
    pub concurrency: usize,
    /// The mock's latency spec.
    pub latency: String,
    /// Timed calls (rounds): one `fetch_all` each.
    pub rounds: usize,
    /// Mean time of one `fetch_all` over the rounds, seconds.
    pub mean_s: f64,
    /// Median of the timed calls, seconds.
    pub median_s: f64,
    /// First quartile of the timed calls, seconds.
    pub q1_s: f64,
    /// Third quartile.
    pub q3_s: f64,
    /// Fastest timed call, seconds.
    pub min_s: f64,
    /// Slowest timed call, seconds.
    pub max_s: f64,
    /// 95 % interval of the mean, seconds: a t interval over the block
    /// means when the row ran in blocks ([`Row::time_blocks`]), else a BCa
    /// bootstrap over the rounds.
    pub ci_low_s: f64,
    /// Upper end of that interval.
    pub ci_high_s: f64,
    /// The mean time over blocks, with the noise between rounds and
    /// between blocks; `None` when the row ran in one block.
    pub time_blocks: Option<Blocked>,
    /// The client CPU of a call over blocks, likewise.
    pub cpu_blocks: Option<Blocked>,
    /// N / mean.
    pub titles_per_s: f64,
    /// The nominal ideal: ⌈N/C⌉ · latency, or for uneven latency the lower
    /// bound no schedule can beat (the larger of the total delay over C and
    /// the longest delay), averaged over the rounds' layouts. `None` at
    /// zero latency.
    pub ideal_s: Option<f64>,
    /// For uneven latency, an in-order queue's time over the mock's delays,
    /// averaged over the rounds' layouts (a schedule, not a bound).
    pub queue_s: Option<f64>,
    /// The floor: the reference client's median time for the same N, C and
    /// mock in this run.
    pub floor_s: Option<f64>,
    /// This row's time over the floor's, round by round (paired), with its
    /// exact intervals and the verdict they earn.
    pub floor_ratio: Option<Paired>,
    /// ideal / mean.
    pub efficiency_nominal: Option<f64>,
    /// floor / mean; `None` when the floor row is rig-bound (it then
    /// measures the mock, not a near-free client).
    pub efficiency_floor: Option<f64>,
    /// Sequential's median in this scenario / this row's median.
    pub speedup: Option<f64>,
    /// Failed titles over all calls (should be 0).
    pub errors: u64,
    /// Lost or extra results over all calls (must be 0).
    pub lost: u64,
    /// Most requests in flight at the mock in any timed call (`None` at
    /// zero latency, where a request is in flight for no measurable time).
    pub max_in_flight: Option<usize>,
    /// The lowest of the timed calls' peaks (a call that never reached C
    /// shows here).
    pub min_peak_in_flight: Option<usize>,
    /// Connections opened during the timed calls (0: all were warm).
    pub connections_opened: u64,
    /// TLS handshakes during the timed calls (0 over plain HTTP).
    pub tls_handshakes: u64,
    /// Requests the mock served per timed call (N plus retries, or for a
    /// batching strategy its batches and their continuations).
    pub requests_per_call: f64,
    /// The most titles one request of this strategy carries (1, or 20 for
    /// `batched`); a row with more has no floor, since the reference
    /// client sends one title per request.
    pub titles_per_request: usize,
    /// Whether the row's requests in flight are capped below C whatever
    /// C is (`rayon-default`'s global pool).
    pub capped: bool,
    /// The client process's own CPU per request, seconds.
    pub client_cpu_per_request_s: f64,
    /// Context switches of the client's threads per request, voluntary and
    /// involuntary, over the timed calls; `None` when the log has no count.
    pub switches_per_request: Option<(f64, f64)>,
    /// The same as a ratio of sums over the rounds (CPU over requests),
    /// with its bootstrap interval, seconds per request.
    pub client_cpu_ci: Option<Ratio>,
    /// The mock process's CPU per request, seconds.
    pub mock_cpu_per_request_s: f64,
    /// The mock's CPU time over the wall time during the timed calls.
    pub mock_busy: f64,
    /// Whether the mock was at least 70 % busy: the row measures the mock.
    pub rig_bound: bool,
    /// What the timed calls did that the row does not claim (new
    /// connections, fewer than C in flight), or `None`.
    pub premise: Option<String>,
    /// `fetch_all` calls made, the warm-up included.
    pub iterations: u64,
    /// Every timed call's wall time, seconds, in round order (in
    /// `results.json` under `samples`).
    #[serde(skip)]
    pub walls: Vec<f64>,
    /// Every timed call's client CPU, seconds, in round order.
    #[serde(skip)]
    pub cpus: Vec<f64>,
    /// The block of every timed call, in round order (all 0 for a row
    /// that ran in one block).
    #[serde(skip)]
    pub block_of_round: Vec<usize>,
    /// Completion times of the first timed call (see `RunRecord::timeline`).
    #[serde(skip)]
    pub timeline: Vec<f64>,
    /// This row against every other row of its scenario ([`pair_up`]).
    #[serde(skip)]
    pub versus: Vec<Versus>,
    /// Rounds (0-based) whose time lies more than three scaled MADs from
    /// the row's median.
    pub outlier_rounds: Vec<usize>,
    /// The row against its floor without its and the floor's outlier
    /// rounds; `None` when neither has one.
    pub floor_ratio_without_outliers: Option<Paired>,
}

impl Row {
    /// A row of `scenario`'s `strategy` at N titles and concurrency C with
    /// its timed calls `walls` and their summary; everything else empty,
    /// for the caller to fill in.
    pub fn timed(
        (scenario, strategy): (&str, &str),
        (titles, concurrency): (usize, usize),
        latency: &str,
        stats: &Summary,
        walls: Vec<f64>,
    ) -> Self {
        Self {
            scenario: scenario.into(),
            strategy: strategy.into(),
            titles,
            concurrency,
            latency: latency.into(),
            rounds: stats.n,
            mean_s: stats.mean,
            median_s: stats.median,
            q1_s: stats.q1,
            q3_s: stats.q3,
            min_s: stats.min,
            max_s: stats.max,
            ci_low_s: stats.mean_low,
            ci_high_s: stats.mean_high,
            titles_per_s: titles as f64 / stats.mean,
            time_blocks: None,
            cpu_blocks: None,
            ideal_s: None,
            queue_s: None,
            floor_s: None,
            floor_ratio: None,
            efficiency_nominal: None,
            efficiency_floor: None,
            speedup: None,
            errors: 0,
            lost: 0,
            max_in_flight: None,
            min_peak_in_flight: None,
            connections_opened: 0,
            tls_handshakes: 0,
            requests_per_call: 0.0,
            titles_per_request: 1,
            capped: false,
            client_cpu_per_request_s: 0.0,
            switches_per_request: None,
            client_cpu_ci: None,
            mock_cpu_per_request_s: 0.0,
            mock_busy: 0.0,
            rig_bound: false,
            premise: None,
            iterations: 0,
            walls,
            cpus: Vec::new(),
            block_of_round: Vec::new(),
            timeline: Vec::new(),
            versus: Vec::new(),
            outlier_rounds: Vec::new(),
            floor_ratio_without_outliers: None,
        }
    }

    /// Whether conclusions may be drawn from the row: not rig-bound, and
    /// its premise held.
    pub fn sound(&self) -> bool {
        !self.rig_bound && self.premise.is_none()
    }

    /// How many blocks the row's rounds ran in.
    pub fn blocks(&self) -> usize {
        let mut seen: Vec<usize> = self.block_of_round.clone();
        seen.sort_unstable();
        seen.dedup();
        seen.len().max(1)
    }
}

/// How many blocks the run's rows ran in: the most of any row (1 for
/// `compare`'s one set of processes).
pub fn run_blocks(rows: &[Row]) -> usize {
    rows.iter().map(Row::blocks).max().unwrap_or(1)
}

/// `a` against `b` on `values` (each row's walls or CPUs), round by round:
/// over blocks when both ran in several ([`Paired::of_blocks`]), else over
/// the rounds ([`Paired::of`]).
pub fn compare(a: &Row, b: &Row, values: fn(&Row) -> &[f64], margin: Margin) -> Option<Paired> {
    if a.blocks() > 1 && a.block_of_round == b.block_of_round {
        Paired::of_blocks(
            &by_block(values(a), &a.block_of_round),
            &by_block(values(b), &b.block_of_round),
            margin,
        )
    } else {
        Paired::of(values(a), values(b), margin)
    }
}

/// A row's wall times, for [`compare`].
pub fn walls(r: &Row) -> &[f64] {
    &r.walls
}

/// A row's client CPU times, for [`compare`].
pub fn cpus(r: &Row) -> &[f64] {
    &r.cpus
}

/// What a row's timed calls did against what it claims: every call warm
/// and, with a delay and N ≥ C, exactly C in flight; or, for a
/// `-no-keep-alive` control, one new connection per request (its requests
/// in flight at the mock are fewer than C while handshakes are under way,
/// so they are not checked).
pub fn premise(
    totals: &Totals,
    titles: usize,
    concurrency: usize,
    delayed: bool,
    keep_alive: bool,
) -> Option<String> {
    let mut broken = Vec::new();
    if !keep_alive {
        // A control that must open a connection for every request.
        if totals.connections != totals.requests {
            broken.push(format!(
                "opened {} connections for {} requests, not one each",
                totals.connections, totals.requests
            ));
        }
    } else if totals.connections > 0 {
        broken.push(format!(
            "opened {} connection{} during the timed calls",
            totals.connections,
            if totals.connections == 1 { "" } else { "s" }
        ));
    }
    // A control without keep-alive spends part of each request in TCP's
    // and TLS's handshakes, before the mock sees it: fewer than C reach the
    // mock at once, and that is the cost it measures, not a broken premise.
    let expected = concurrency.min(titles);
    if keep_alive && delayed && totals.calls > 0 && totals.min_peak_in_flight != expected {
        broken.push(format!(
            "{} in flight at its peak, not {expected}",
            if totals.min_peak_in_flight == totals.max_in_flight {
                totals.max_in_flight.to_string()
            } else {
                format!("{}–{}", totals.min_peak_in_flight, totals.max_in_flight)
            }
        ));
    }
    (!broken.is_empty()).then(|| broken.join("; "))
}

pub use wikifetch_stats::seed_of;

/// Builds every row of a run from its log: each row's timed calls, and
/// each row against its floor, round by round.
pub fn rows(log: &RunLog) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for record in &log.records {
        let scenario = log.scenario(&record.scenario).ok_or_else(|| {
            format!(
                "the run log has rows of scenario {:?} but not its parameters",
                record.scenario
            )
        })?;
        let walls: Vec<f64> = record.samples.iter().map(|s| s.wall_s).collect();
        let cpus: Vec<f64> = record.samples.iter().map(|s| s.client_cpu_s).collect();
        let block_of_round: Vec<usize> = record.samples.iter().map(|s| s.block).collect();
        let time_blocks = Blocked::of_means(&by_block(&walls, &block_of_round));
        let c = record.concurrency;
        let stats = Summary::of(&walls, seed_of(&[&record.scenario, &record.strategy]))
            .ok_or_else(|| {
                format!(
                    "{} {} at C = {c}: no timed call in the run log",
                    record.scenario, record.strategy
                )
            })?;
        let mut totals = Totals::of(&record.samples);
        if !scenario.counted {
            // Nothing but the client's clocks: CPU per title requested, and
            // no premise to check.
            let requested = (record.titles * record.samples.len()).max(1) as f64;
            totals.client_cpu_per_request_s = cpus.iter().sum::<f64>() / requested;
        }
        let delayed = scenario.delayed() && scenario.counted;
        let facts = log.strategy(&record.strategy);
        let per_request = facts.map_or(1, |s| s.titles_per_request);
        let (ideal, queue) = ideals(scenario, c, walls.len(), per_request);
        let timed = Row::timed(
            (&record.scenario, &record.strategy),
            (record.titles, c),
            &scenario.latency,
            &stats,
            walls,
        );
        let requests: Vec<f64> = record.samples.iter().map(|s| s.requests as f64).collect();
        rows.push(Row {
            ci_low_s: time_blocks.map_or(stats.mean_low, |b| b.low),
            ci_high_s: time_blocks.map_or(stats.mean_high, |b| b.high),
            time_blocks,
            cpu_blocks: Blocked::of_means(&by_block(&cpus, &block_of_round)),
            ideal_s: ideal,
            queue_s: queue,
            efficiency_nominal: ideal.map(|i| i / stats.mean),
            errors: record.errors,
            lost: record.lost,
            max_in_flight: delayed.then_some(totals.max_in_flight),
            min_peak_in_flight: delayed.then_some(totals.min_peak_in_flight),
            connections_opened: totals.connections,
            tls_handshakes: totals.tls_handshakes,
            requests_per_call: totals.requests as f64 / totals.calls.max(1) as f64,
            titles_per_request: per_request,
            capped: facts.is_some_and(|s| s.capped),
            switches_per_request: switches_per_request(&record.samples),
            client_cpu_per_request_s: totals.client_cpu_per_request_s,
            client_cpu_ci: per_request_interval(
                &cpus,
                &requests,
                &block_of_round,
                seed_of(&[&record.scenario, &record.strategy, "cpu"]),
            ),
            mock_cpu_per_request_s: totals.mock_cpu_per_request_s,
            mock_busy: totals.mock_busy,
            rig_bound: totals.rig_bound(),
            premise: scenario
                .counted
                .then(|| {
                    premise(
                        &totals,
                        record.titles,
                        facts.map_or(c, |s| s.in_flight(c, log.split.client.len())),
                        delayed,
                        wikifetch_runlog::keeps_alive(&record.strategy),
                    )
                })
                .flatten(),
            iterations: record.iterations,
            // Over blocks, a round far from the row's median is mostly its
            // block's level, which the intervals already carry: outliers
            // are named for rows measured in one block only.
            outlier_rounds: if time_blocks.is_some() {
                Vec::new()
            } else {
                wikifetch_stats::outliers(&walls_of(record))
            },
            cpus,
            block_of_round,
            timeline: record.timeline.clone(),
            ..timed
        });
    }
    // Floors and speedups need other rows of the same scenario: a second pass.
    let snapshot = rows.clone();
    let find = |scenario: &str, strategy: &str, c: Option<usize>| {
        snapshot.iter().find(|r| {
            r.scenario == scenario && r.strategy == strategy && c.is_none_or(|c| r.concurrency == c)
        })
    };
    for row in &mut rows {
        // The reference client sends one title per request: it is no
        // floor for a row that sends twenty.
        let floor = find(&row.scenario, REFERENCE, Some(row.concurrency))
            .filter(|_| row.titles_per_request == 1);
        row.floor_s = floor.map(|f| f.median_s);
        row.floor_ratio = floor.and_then(|f| compare(row, f, walls, Margin::TIME));
        row.floor_ratio_without_outliers = floor.and_then(|f| without_outliers(row, f));
        row.efficiency_floor = floor
            .filter(|f| !f.rig_bound)
            .and(row.floor_ratio)
            .map(|r| 1.0 / r.point);
        if row.strategy != REFERENCE {
            row.speedup =
                find(&row.scenario, "sequential", None).map(|s| s.median_s / row.median_s);
        }
    }
    pair_up(&mut rows);
    Ok(rows)
}

/// CPU per request (`Σ cpu / Σ requests`) with its 95 % interval: over
/// blocks, a t interval of the blocks' own ratios, whose mean is the
/// point; in one block, a bootstrap over the rounds.
fn per_request_interval(
    cpus: &[f64],
    requests: &[f64],
    block_of_round: &[usize],
    seed: u64,
) -> Option<Ratio> {
    let (c, r) = (
        by_block(cpus, block_of_round),
        by_block(requests, block_of_round),
    );
    if c.len() < 2 {
        return Ratio::paired(cpus, requests, seed);
    }
    let values: Vec<f64> = c
        .iter()
        .zip(&r)
        .map(|(c, r)| c.iter().sum::<f64>() / r.iter().sum::<f64>())
        .collect();
    let b = Blocked::of_values(&values, cpus.len(), (0.0, 1.0))?;
    Some(Ratio {
        point: b.mean,
        low: b.low,
        high: b.high,
        rounds: b.rounds,
    })
}

/// Context switches per request over `samples`, when every one counted
/// them.
fn switches_per_request(samples: &[wikifetch_runlog::Sample]) -> Option<(f64, f64)> {
    let counts: Option<Vec<(u64, u64)>> = samples.iter().map(|s| s.context_switches).collect();
    let counts = counts.filter(|c| !c.is_empty())?;
    let requests: u64 = samples.iter().map(|s| s.requests).sum();
    let per = |n: u64| n as f64 / requests.max(1) as f64;
    Some((
        per(counts.iter().map(|c| c.0).sum()),
        per(counts.iter().map(|c| c.1).sum()),
    ))
}

/// A record's timed calls' wall times, in round order.
fn walls_of(record: &wikifetch_runlog::RunRecord) -> Vec<f64> {
    record.samples.iter().map(|s| s.wall_s).collect()
}

/// `a` against `b` (time) over the rounds where neither had an outlier;
/// `None` when neither had one.
pub fn without_outliers(a: &Row, b: &Row) -> Option<Paired> {
    if a.outlier_rounds.is_empty() && b.outlier_rounds.is_empty() {
        return None;
    }
    let keep = |i: &usize| !a.outlier_rounds.contains(i) && !b.outlier_rounds.contains(i);
    let n = a.walls.len().min(b.walls.len());
    let (x, y): (Vec<f64>, Vec<f64>) = (0..n)
        .filter(keep)
        .map(|i| (a.walls[i], b.walls[i]))
        .unzip();
    Paired::of(&x, &y, Margin::TIME)
}

/// The ideals for `scenario` at concurrency `c` over `rounds` rounds, for
/// a strategy that carries `per_request` titles a request: the nominal
/// ideal ⌈⌈N/per_request⌉/C⌉ · (latency + the delay line's round trip),
/// or for uneven delays the lower
/// bound and an in-order queue's time, each averaged over the rounds'
/// layouts; `None` at zero latency.
fn ideals(
    scenario: &ScenarioFacts,
    c: usize,
    rounds: usize,
    per_request: usize,
) -> (Option<f64>, Option<f64>) {
    // A request waits the mock's delay and the delay line's round trip.
    let rtt = scenario.rtt_s;
    match scenario.fixed_delay_s {
        _ if !scenario.delayed() => (None, None),
        Some(l) => (
            Some(nominal_ideal(
                scenario.titles.div_ceil(per_request.max(1)),
                c,
                l + rtt,
            )),
            None,
        ),
        None => {
            let per_round: Vec<(f64, f64)> = (0..rounds.max(1))
                .map(|r| {
                    let delays: Vec<f64> = scenario.delays(r).iter().map(|d| d + rtt).collect();
                    (lower_bound(&delays, c), queue_ideal(&delays, c))
                })
                .collect();
            let n = per_round.len() as f64;
            (
                Some(per_round.iter().map(|p| p.0).sum::<f64>() / n),
                Some(per_round.iter().map(|p| p.1).sum::<f64>() / n),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wikifetch_runlog::Sample;

    fn sample(peak: usize, connections: u64) -> Sample {
        Sample {
            wall_s: 0.2,
            client_cpu_s: 0.01,
            mock_cpu_s: 0.002,
            requests: 100,
            max_in_flight: peak,
            connections,
            tls_handshakes: 0,
            context_switches: None,
            block: 0,
            first_answer_s: None,
        }
    }

    #[test]
    fn context_switches_are_counted_per_request_only_when_every_call_counted_them() {
        let counted = |v: u64, i: u64| Sample {
            context_switches: Some((v, i)),
            ..sample(10, 0)
        };
        let (v, i) = switches_per_request(&[counted(150, 10), counted(50, 30)]).unwrap();
        // 200 voluntary and 40 involuntary over 200 requests.
        assert!((v - 1.0).abs() < 1e-12 && (i - 0.2).abs() < 1e-12);
        assert_eq!(switches_per_request(&[counted(1, 1), sample(10, 0)]), None);
        assert_eq!(switches_per_request(&[]), None);
    }

    #[test]
    fn a_row_that_kept_its_premise_has_none() {
        let t = Totals::of(&[sample(10, 0), sample(10, 0)]);
        assert_eq!(premise(&t, 100, 10, true, true), None);
        // Fewer titles than C: N in flight is all there can be.
        assert_eq!(
            premise(&Totals::of(&[sample(5, 0)]), 5, 10, true, true),
            None
        );
        // At zero latency in-flight counts mean nothing: not checked.
        assert_eq!(
            premise(&Totals::of(&[sample(1, 0)]), 100, 10, false, true),
            None
        );
    }

    #[test]
    fn a_control_without_keep_alive_must_open_a_connection_per_request() {
        let each = Totals::of(&[sample(10, 100), sample(10, 100)]);
        assert_eq!(premise(&each, 100, 10, true, false), None);
        // Kept-alive, the same calls broke the premise.
        assert!(premise(&each, 100, 10, true, true).is_some());
        let reused = Totals::of(&[sample(10, 90)]);
        assert_eq!(
            premise(&reused, 100, 10, true, false).unwrap(),
            "opened 90 connections for 100 requests, not one each"
        );
        // Its handshakes keep requests from the mock: 6 of 10 at once is
        // what it measures, not a broken premise.
        let handshaking = Totals::of(&[sample(6, 100), sample(7, 100)]);
        assert_eq!(premise(&handshaking, 100, 10, true, false), None);
    }

    #[test]
    fn a_broken_premise_says_what_happened() {
        let t = Totals::of(&[sample(248, 3), sample(240, 0)]);
        assert_eq!(
            premise(&t, 10_000, 1000, true, true).unwrap(),
            "opened 3 connections during the timed calls; 240–248 in flight at its peak, not 1000"
        );
        let t = Totals::of(&[sample(9, 1)]);
        assert_eq!(
            premise(&t, 100, 10, true, true).unwrap(),
            "opened 1 connection during the timed calls; 9 in flight at its peak, not 10"
        );
    }

    fn fixed(name: &str, titles: usize, delay: f64) -> ScenarioFacts {
        ScenarioFacts {
            name: name.into(),
            titles,
            latency: format!("{}ms", delay * 1e3),
            typical_delay_s: delay,
            fixed_delay_s: Some(delay),
            ..ScenarioFacts::default()
        }
    }

    #[test]
    fn fixed_latency_ideals() {
        let s = fixed("latency", 100, 0.020);
        let (ideal, queue) = ideals(&s, 10, 10, 1);
        // 100 titles in batches of 20, one at a time: 5 round trips.
        assert!((ideals(&s, 1, 10, 20).0.unwrap() - 0.100).abs() < 1e-9);
        assert!((ideal.unwrap() - 0.200).abs() < 1e-9);
        assert_eq!(queue, None);
        assert_eq!(
            ideals(&fixed("overhead", 1000, 0.0), 10, 10, 1),
            (None, None)
        );
        // Through a 50 ms delay line: 10 waves of 70 ms.
        let far = ScenarioFacts {
            rtt_s: 0.050,
            ..s.clone()
        };
        assert!((ideals(&far, 10, 4, 1).0.unwrap() - 0.700).abs() < 1e-9);
    }

    #[test]
    fn jitter_ideal_is_the_bound_and_the_queue_is_no_faster() {
        let jitter = ScenarioFacts {
            name: "jitter".into(),
            titles: 4,
            latency: "lognormal:20ms,p99=200ms".into(),
            typical_delay_s: 0.020,
            layouts: 2,
            delays_s: vec![
                vec![0.050, 0.010, 0.010, 0.010],
                vec![0.030, 0.030, 0.030, 0.0],
            ],
            ..ScenarioFacts::default()
        };
        let (bound, queue) = ideals(&jitter, 2, 2, 1);
        let (bound, queue) = (bound.unwrap(), queue.unwrap());
        // Layout 0: the longest delay, 50 ms; layout 1: 90 ms over 2, 45 ms.
        assert!((bound - (0.050 + 0.045) / 2.0).abs() < 1e-12, "{bound}");
        assert!(queue >= bound, "{queue} {bound}");
    }
}
