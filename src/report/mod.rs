//! The report `cargo bench` writes to `results/`: `REPORT.md` with tables,
//! plots and the reasons behind the numbers, `results.json` and
//! `results.csv` with every figure, and SVG plots.
//!
//! Every number comes from the run: criterion's estimates
//! (`target/criterion/<scenario>/<strategy>/<C>/new/estimates.json`), the
//! run log the benchmark writes beside them, and the Python reference's
//! timings. Nothing here is typed in by hand; regenerating from the same
//! run gives the same files.

mod external;
mod format;
mod markdown;
pub mod plot;
mod prose;
mod run;
mod write;

use serde::Serialize;
use serde_json::Value;

pub use external::{PYTHON_DELAY, mock_ceiling, python_reference};
pub use format::{time, us3};
pub use run::{Machine, Paths, RunLog, RunRecord, utc_date};
pub use write::write;

use crate::scenarios::{Scenario, nominal_ideal, queue_ideal, scenarios};
use wikifetch_mock::Latency;
use wikifetch_rig::Totals;

/// The name the reference client's rows carry.
pub const REFERENCE: &str = "reference";

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
    /// Mean time of one `fetch_all`, seconds (criterion's estimate).
    pub mean_s: f64,
    /// Median of the timed calls, seconds.
    pub median_s: f64,
    /// Fastest timed call, seconds.
    pub min_s: f64,
    /// Slowest timed call, seconds.
    pub max_s: f64,
    /// Criterion's 95 % confidence interval of the mean, seconds.
    pub ci_low_s: f64,
    /// Upper end of that interval.
    pub ci_high_s: f64,
    /// N / mean.
    pub titles_per_s: f64,
    /// The nominal ideal: ⌈N/C⌉ · latency, or for uneven latency the time
    /// of an in-order queue over the mock's actual delays. `None` at zero latency.
    pub ideal_s: Option<f64>,
    /// The floor: the reference client's mean time for the same N, C and
    /// mock in this run.
    pub floor_s: Option<f64>,
    /// ideal / mean.
    pub efficiency_nominal: Option<f64>,
    /// floor / mean; `None` when the floor row is rig-bound (it then
    /// measures the mock, not a near-free client).
    pub efficiency_floor: Option<f64>,
    /// Sequential's mean in this scenario / mean.
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
    /// Requests the mock served per timed call (N plus retries).
    pub requests_per_call: f64,
    /// The client process's own CPU per request, seconds.
    pub client_cpu_per_request_s: f64,
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
}

impl Row {
    /// Whether conclusions may be drawn from the row: not rig-bound, and
    /// its premise held.
    pub fn sound(&self) -> bool {
        !self.rig_bound && self.premise.is_none()
    }
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

/// What a row's timed calls did against what it claims: every call warm
/// (no new connection) and, with a delay and N ≥ C, exactly C in flight.
pub fn premise(
    totals: &Totals,
    titles: usize,
    concurrency: usize,
    delayed: bool,
) -> Option<String> {
    let mut broken = Vec::new();
    if totals.connections > 0 {
        broken.push(format!(
            "opened {} connection{} during the timed calls",
            totals.connections,
            if totals.connections == 1 { "" } else { "s" }
        ));
    }
    let expected = concurrency.min(titles);
    if delayed && totals.calls > 0 && totals.min_peak_in_flight != expected {
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
        let totals = record.totals();
        let delayed = !scenario.latency.typical().is_zero();
        let ideal = ideal(scenario, record.concurrency);
        rows.push(Row {
            scenario: record.scenario.clone(),
            strategy: record.strategy.clone(),
            titles: record.titles,
            concurrency: record.concurrency,
            latency: scenario.latency.to_string(),
            mean_s: mean,
            median_s: totals.median_wall_s,
            min_s: totals.min_wall_s,
            max_s: totals.max_wall_s,
            ci_low_s: low,
            ci_high_s: high,
            titles_per_s: record.titles as f64 / mean,
            ideal_s: ideal,
            floor_s: None,
            efficiency_nominal: ideal.map(|i| i / mean),
            efficiency_floor: None,
            speedup: None,
            errors: record.errors,
            lost: record.lost,
            max_in_flight: delayed.then_some(totals.max_in_flight),
            min_peak_in_flight: delayed.then_some(totals.min_peak_in_flight),
            connections_opened: totals.connections,
            requests_per_call: totals.requests as f64 / totals.calls.max(1) as f64,
            client_cpu_per_request_s: totals.client_cpu_per_request_s,
            mock_cpu_per_request_s: totals.mock_cpu_per_request_s,
            mock_busy: totals.mock_busy,
            rig_bound: totals.rig_bound(),
            premise: premise(&totals, record.titles, record.concurrency, delayed),
            iterations: record.iterations,
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
        let floor = find(&row.scenario, REFERENCE, Some(row.concurrency));
        row.floor_s = floor.map(|f| f.mean_s);
        row.efficiency_floor = floor
            .filter(|f| !f.rig_bound)
            .map(|f| f.mean_s / row.mean_s);
        if row.strategy != REFERENCE {
            row.speedup = find(&row.scenario, "sequential", None).map(|s| s.mean_s / row.mean_s);
        }
    }
    Ok(rows)
}

/// The nominal ideal for `scenario` at concurrency `c`: ⌈N/C⌉ · latency,
/// or an in-order queue over the mock's delays; `None` at zero latency.
fn ideal(scenario: &Scenario, c: usize) -> Option<f64> {
    match scenario.latency {
        Latency::Fixed(l) if l.is_zero() => None,
        Latency::Fixed(l) => Some(nominal_ideal(scenario.titles, c, l).as_secs_f64()),
        _ => Some(queue_ideal(&scenario.delays(), c).as_secs_f64()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use wikifetch_rig::Sample;

    fn sample(peak: usize, connections: u64) -> Sample {
        Sample {
            wall_s: 0.2,
            client_cpu_s: 0.01,
            mock_cpu_s: 0.002,
            requests: 100,
            max_in_flight: peak,
            connections,
        }
    }

    #[test]
    fn a_row_that_kept_its_premise_has_none() {
        let t = Totals::of(&[sample(10, 0), sample(10, 0)]);
        assert_eq!(premise(&t, 100, 10, true), None);
        // Fewer titles than C: N in flight is all there can be.
        assert_eq!(premise(&Totals::of(&[sample(5, 0)]), 5, 10, true), None);
        // At zero latency in-flight counts mean nothing: not checked.
        assert_eq!(premise(&Totals::of(&[sample(1, 0)]), 100, 10, false), None);
    }

    #[test]
    fn a_broken_premise_says_what_happened() {
        let t = Totals::of(&[sample(248, 3), sample(240, 0)]);
        assert_eq!(
            premise(&t, 10_000, 1000, true).unwrap(),
            "opened 3 connections during the timed calls; 240–248 in flight at its peak, not 1000"
        );
        let t = Totals::of(&[sample(9, 1)]);
        assert_eq!(
            premise(&t, 100, 10, true).unwrap(),
            "opened 1 connection during the timed calls; 9 in flight at its peak, not 10"
        );
    }

    #[test]
    fn fixed_latency_ideals() {
        let s = &scenarios(false)[0];
        assert!((ideal(s, 10).unwrap() - 0.200).abs() < 1e-9);
        let overhead = scenarios(false)
            .into_iter()
            .find(|s| s.name == "overhead")
            .unwrap();
        assert_eq!(ideal(&overhead, 10), None);
    }

    #[test]
    fn jitter_ideal_is_an_in_order_queue_over_the_actual_delays() {
        let jitter = scenarios(false)
            .into_iter()
            .find(|s| s.name == "jitter")
            .unwrap();
        let ideal = ideal(&jitter, 20).unwrap();
        let sum: f64 = jitter.delays().iter().map(Duration::as_secs_f64).sum();
        let max = jitter.delays().iter().max().unwrap().as_secs_f64();
        assert!(ideal >= sum / 20.0 && ideal >= max, "{ideal}");
    }
}
