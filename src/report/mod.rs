//! The report `cargo bench` writes to `results/`: `REPORT.md` with tables,
//! plots and the reasons behind the numbers, `results.json` and
//! `results.csv` with every figure, and SVG plots.
//!
//! Every number comes from the run: criterion's estimates
//! (`target/criterion/<scenario>/<strategy>/<C>/new/estimates.json`), the
//! run log the benchmark writes beside them, and the Python reference's
//! timings. Nothing here is typed in by hand; regenerating from the same
//! run gives the same files.

pub mod plot;
mod run;
mod write;

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

pub use run::{
    Machine, Paths, RunLog, RunRecord, peak_rss_kib, process_cpu_time, process_cpu_times, utc_date,
};
pub use write::{mock_ceiling, python_reference, time, write};

use crate::scenarios::{Scenario, nominal_ideal, queue_ideal, scenarios};
use wikifetch_mock::Latency;

/// The delay at which `sequential`'s round trip is measured (the `latency`
/// scenario's): the fair ceilings replace this delay with that round trip.
pub const REFERENCE_DELAY: Duration = Duration::from_millis(20);

/// One benchmark's figures, as the tables, plots and JSON show them.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Scenario name.
    pub scenario: String,
    /// Strategy name.
    pub strategy: String,
    /// N.
    pub titles: usize,
    /// C.
    pub concurrency: usize,
    /// The mock's latency spec.
    pub latency: String,
    /// Mean time of one `fetch_all`, seconds.
    pub mean_s: f64,
    /// Criterion's 95 % confidence interval of the mean, seconds.
    pub ci_low_s: f64,
    /// Upper end of that interval.
    pub ci_high_s: f64,
    /// N / mean.
    pub titles_per_s: f64,
    /// The nominal ideal: ⌈N/C⌉ · latency, or for uneven latency the time
    /// of a perfect queue over the mock's actual delays. `None` at zero latency.
    pub ideal_s: Option<f64>,
    /// The fair ceiling: the same, with the round trip `sequential`
    /// measured in this run in place of the bare delay.
    pub fair_s: Option<f64>,
    /// ideal / mean.
    pub efficiency_nominal: Option<f64>,
    /// fair / mean.
    pub efficiency_fair: Option<f64>,
    /// Sequential's time for the same N (measured, or N × its round trip) / mean.
    pub speedup: Option<f64>,
    /// Failed titles over all iterations (should be 0).
    pub errors: u64,
    /// Lost or extra results over all iterations (must be 0).
    pub lost: u64,
    /// Most requests in flight at the mock (`None` at zero latency, where
    /// the mock cannot tell).
    pub max_in_flight: Option<usize>,
    /// Process CPU time per title during the timed calls (client and mock
    /// together), seconds.
    pub cpu_per_title_s: Option<f64>,
    /// `fetch_all` calls made.
    pub iterations: u64,
}

/// Criterion's mean and its 95 % interval for one benchmark, in seconds.
pub fn read_estimate(
    paths: &Paths,
    scenario: &str,
    strategy: &str,
    c: usize,
) -> Result<(f64, f64, f64), String> {
    let path = paths
        .criterion
        .join(scenario)
        .join(strategy)
        .join(c.to_string())
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mean = &json["mean"];
    let ns = |v: &Value| {
        v.as_f64()
            .ok_or_else(|| format!("{}: no mean estimate", path.display()))
    };
    Ok((
        ns(&mean["point_estimate"])? / 1e9,
        ns(&mean["confidence_interval"]["lower_bound"])? / 1e9,
        ns(&mean["confidence_interval"]["upper_bound"])? / 1e9,
    ))
}

/// The per-request round trip `sequential` measured in a fixed-latency
/// scenario of this run (mean / N), and that scenario's latency.
pub fn round_trip(rows: &[Row], latency: Duration) -> Option<f64> {
    rows.iter()
        .find(|r| r.strategy == "sequential" && r.latency == Latency::Fixed(latency).to_string())
        .map(|r| r.mean_s / r.titles as f64)
}

/// Builds every row of a run from its log and criterion's estimates.
pub fn rows(paths: &Paths, log: &RunLog) -> Result<Vec<Row>, String> {
    let all = scenarios(log.sweep);
    let mut rows = Vec::new();
    for record in &log.records {
        let scenario = all
            .iter()
            .find(|s| s.name == record.scenario)
            .ok_or_else(|| format!("unknown scenario {:?} in the run log", record.scenario))?;
        let (mean, low, high) = read_estimate(
            paths,
            &record.scenario,
            &record.strategy,
            record.concurrency,
        )?;
        rows.push(Row {
            scenario: record.scenario.clone(),
            strategy: record.strategy.clone(),
            titles: record.titles,
            concurrency: record.concurrency,
            latency: scenario.latency.to_string(),
            mean_s: mean,
            ci_low_s: low,
            ci_high_s: high,
            titles_per_s: record.titles as f64 / mean,
            ideal_s: None,
            fair_s: None,
            efficiency_nominal: None,
            efficiency_fair: None,
            speedup: None,
            errors: record.errors,
            lost: record.lost,
            max_in_flight: (!scenario.latency.typical().is_zero()).then_some(record.max_in_flight),
            cpu_per_title_s: (record.timed_calls > 0)
                .then(|| record.cpu_secs / (record.timed_calls as f64 * record.titles as f64)),
            iterations: record.iterations,
        });
    }
    // Ideals and speedups need the sequential rows, so a second pass.
    let rtt = round_trip(&rows, REFERENCE_DELAY);
    // What a request costs beyond its delay, measured once for every row.
    let cost = rtt.map(|t| t - REFERENCE_DELAY.as_secs_f64());
    let snapshot = rows.clone();
    for row in &mut rows {
        let Some(scenario) = all.iter().find(|s| s.name == row.scenario) else {
            continue;
        };
        let (ideal, fair) = ideals(scenario, row.concurrency, cost);
        row.ideal_s = ideal;
        row.fair_s = fair;
        row.efficiency_nominal = ideal.map(|i| i / row.mean_s);
        row.efficiency_fair = fair.map(|f| f / row.mean_s);
        let sequential = snapshot
            .iter()
            .find(|r| r.scenario == row.scenario && r.strategy == "sequential")
            .map(|r| r.mean_s)
            .or_else(|| match scenario.latency {
                Latency::Fixed(l) if l == REFERENCE_DELAY => rtt.map(|t| t * row.titles as f64),
                _ => None,
            });
        row.speedup = sequential.map(|s| s / row.mean_s);
    }
    Ok(rows)
}

/// The nominal ideal and the fair ceiling for `scenario` at concurrency `c`,
/// given `cost`, what a request costs beyond its delay (seconds), from the
/// round trip `sequential` measured at [`REFERENCE_DELAY`].
fn ideals(scenario: &Scenario, c: usize, cost: Option<f64>) -> (Option<f64>, Option<f64>) {
    match scenario.latency {
        Latency::Fixed(l) if l.is_zero() => (None, None),
        Latency::Fixed(l) => {
            let rounds = scenario.titles.div_ceil(c) as f64;
            (
                Some(nominal_ideal(scenario.titles, c, l).as_secs_f64()),
                cost.map(|cost| rounds * (l.as_secs_f64() + cost)),
            )
        }
        _ => {
            let delays = scenario.delays();
            let cost = cost.map(|cost| Duration::from_secs_f64(cost.max(0.0)));
            let fair = cost.map(|cost| {
                let with_cost: Vec<Duration> = delays.iter().map(|d| *d + cost).collect();
                queue_ideal(&with_cost, c).as_secs_f64()
            });
            (Some(queue_ideal(&delays, c).as_secs_f64()), fair)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(scenario: &str, strategy: &str, n: usize, c: usize, mean: f64) -> Row {
        Row {
            scenario: scenario.into(),
            strategy: strategy.into(),
            titles: n,
            concurrency: c,
            latency: "20ms".into(),
            mean_s: mean,
            ci_low_s: mean,
            ci_high_s: mean,
            titles_per_s: n as f64 / mean,
            ideal_s: None,
            fair_s: None,
            efficiency_nominal: None,
            efficiency_fair: None,
            speedup: None,
            errors: 0,
            lost: 0,
            max_in_flight: Some(c),
            cpu_per_title_s: None,
            iterations: 10,
        }
    }

    #[test]
    fn round_trip_is_sequential_mean_over_n() {
        let rows = vec![
            row("latency", "sequential", 100, 1, 2.15),
            row("latency", "tokio", 100, 10, 0.22),
        ];
        let rtt = round_trip(&rows, REFERENCE_DELAY).unwrap();
        assert!((rtt - 0.0215).abs() < 1e-12);
    }

    #[test]
    fn fixed_latency_ideals() {
        let s = &scenarios(false)[0];
        let (ideal, fair) = ideals(s, 10, Some(0.0015));
        assert!((ideal.unwrap() - 0.200).abs() < 1e-9);
        assert!((fair.unwrap() - 0.215).abs() < 1e-9);
        let overhead = scenarios(false)
            .into_iter()
            .find(|s| s.name == "overhead")
            .unwrap();
        assert_eq!(ideals(&overhead, 10, Some(0.0015)), (None, None));
    }

    #[test]
    fn jitter_ideal_is_a_perfect_queue_over_the_actual_delays() {
        let jitter = scenarios(false)
            .into_iter()
            .find(|s| s.name == "jitter")
            .unwrap();
        let (ideal, fair) = ideals(&jitter, 20, Some(0.0015));
        let sum: f64 = jitter.delays().iter().map(Duration::as_secs_f64).sum();
        let max = jitter.delays().iter().max().unwrap().as_secs_f64();
        let ideal = ideal.unwrap();
        assert!(ideal >= sum / 20.0 && ideal >= max, "{ideal}");
        assert!(fair.unwrap() > ideal);
    }
}
