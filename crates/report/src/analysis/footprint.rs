//! What one more request in flight costs, from a row's footprints at two C.

use wikifetch_runlog::{Footprint, FootprintSetup};

/// `strategy`'s footprint at concurrency `c` among `footprints`.
pub fn footprint_of<'f>(
    footprints: &'f [Footprint],
    strategy: &str,
    c: usize,
) -> Option<&'f Footprint> {
    footprints
        .iter()
        .find(|f| f.strategy == strategy && f.concurrency == c)
}

/// Whether the call had all C requests in flight at once, on warm
/// connections: only then does the footprint mean "C in flight".
pub fn premise_held(f: &Footprint) -> bool {
    f.in_flight == f.concurrency && f.connections == 0
}

/// What one more request in flight costs, from two footprints of one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerRequest {
    /// Resident memory at the peak, KiB per request in flight.
    pub peak_kib: f64,
    /// Of which held between calls, KiB per slot of C.
    pub held_kib: f64,
    /// Of which held only while the request is in flight, KiB.
    pub in_flight_kib: f64,
    /// OS threads at the peak per request in flight.
    pub threads: f64,
}

impl PerRequest {
    /// What one more request in flight costs `strategy`: the slope between
    /// its footprints at the setup's two C, when both are there.
    pub fn of(setup: &FootprintSetup, strategy: &str) -> Option<Self> {
        let [low, high] = setup.concurrencies;
        Self::between(
            footprint_of(&setup.calls, strategy, low)?,
            footprint_of(&setup.calls, strategy, high)?,
        )
    }

    /// The slope between `low` and `high` (the same row at two C), or
    /// `None` when either broke its premise or the in-flight counts do
    /// not differ.
    pub fn between(low: &Footprint, high: &Footprint) -> Option<Self> {
        if !(premise_held(low) && premise_held(high)) || high.in_flight <= low.in_flight {
            return None;
        }
        let requests = (high.in_flight - low.in_flight) as f64;
        let slope = |hi: u64, lo: u64| (hi as f64 - lo as f64) / requests;
        let peak_kib = slope(high.peak_rss_kib, low.peak_rss_kib);
        let held_kib = slope(high.idle_rss_kib, low.idle_rss_kib);
        Some(Self {
            peak_kib,
            held_kib,
            in_flight_kib: peak_kib - held_kib,
            threads: slope(high.peak_threads, low.peak_threads),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(c: usize, idle: u64, peak: u64, threads: u64, in_flight: usize) -> Footprint {
        Footprint {
            strategy: "thread-pool".into(),
            concurrency: c,
            idle_rss_kib: idle,
            peak_rss_kib: peak,
            idle_threads: threads,
            peak_threads: threads,
            in_flight,
            connections: 0,
            wall_s: 1.0,
            titles: c,
            client_cpu_s: 0.1,
        }
    }

    #[test]
    fn the_slope_between_two_concurrencies_is_the_cost_of_one_more_request() {
        let low = print(100, 10_000, 12_000, 101, 100);
        let high = print(1000, 46_000, 66_000, 1001, 1000);
        let per = PerRequest::between(&low, &high).unwrap();
        assert!((per.peak_kib - 60.0).abs() < 1e-9);
        assert!((per.held_kib - 40.0).abs() < 1e-9);
        assert!((per.in_flight_kib - 20.0).abs() < 1e-9);
        assert!((per.threads - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_call_that_missed_c_in_flight_gives_no_slope() {
        let low = print(100, 10_000, 12_000, 101, 100);
        let short = print(1000, 46_000, 66_000, 1001, 248);
        assert!(!premise_held(&short));
        assert_eq!(PerRequest::between(&low, &short), None);
        let cold = Footprint {
            connections: 3,
            ..print(1000, 46_000, 66_000, 1001, 1000)
        };
        assert_eq!(PerRequest::between(&low, &cold), None);
    }
}

/// Memory (KiB) and OS threads a request in flight for every row that has
/// them, from one source: the scale curve at the largest C where every
/// row has them (a reading a block, resident and kernel), or else the
/// footprint (one reading, resident only).
#[derive(Debug, Clone, PartialEq)]
pub struct InFlightCosts {
    /// The two C the slope runs between.
    pub between: [usize; 2],
    /// Whether the curve gave them (else the footprint).
    pub from_curve: bool,
    /// Each row's (KiB, threads) a request in flight.
    pub rows: Vec<(String, (f64, f64))>,
    /// The rows whose readings at either C broke a premise (fewer than C
    /// in flight, connections opened, the mock busy): shown, marked ⚠.
    pub unsound: Vec<String>,
}

impl InFlightCosts {
    /// The costs of `log`'s run, or `None` when it measured neither.
    pub fn of(log: &wikifetch_runlog::RunLog) -> Option<Self> {
        use super::scale::{common_point, curve, per_request};
        if let Some(points) = curve(log)
            && let Some(i) = common_point(&points)
        {
            let sound_at = |k: usize, name: &str| {
                points
                    .get(k)
                    .and_then(|p| Some(p.row(name)?.sound(p.concurrency)))
                    .unwrap_or(false)
            };
            return Some(Self {
                between: [points[i - 1].concurrency, points[i].concurrency],
                from_curve: true,
                unsound: points[i]
                    .rows
                    .iter()
                    .filter(|r| !(sound_at(i - 1, &r.strategy) && sound_at(i, &r.strategy)))
                    .map(|r| r.strategy.clone())
                    .collect(),
                rows: points[i]
                    .rows
                    .iter()
                    .filter_map(|r| {
                        Some((r.strategy.clone(), per_request(&points, i, &r.strategy)?))
                    })
                    .collect(),
            });
        }
        let setup = log.footprint.as_ref()?;
        let mut names: Vec<&str> = setup.calls.iter().map(|f| f.strategy.as_str()).collect();
        names.dedup();
        let [low, high] = setup.concurrencies;
        Some(Self {
            between: setup.concurrencies,
            from_curve: false,
            unsound: names
                .iter()
                .filter(|n| {
                    ![low, high]
                        .iter()
                        .all(|c| footprint_of(&setup.calls, n, *c).is_some_and(premise_held))
                })
                .map(|n| (*n).to_owned())
                .collect(),
            rows: names
                .into_iter()
                .filter_map(|n| {
                    let p = PerRequest::of(setup, n)?;
                    Some((n.to_owned(), (p.peak_kib, p.threads)))
                })
                .collect(),
        })
    }

    /// " ⚠" after row `name`'s figures when a premise broke at either C.
    pub fn flag(&self, name: &str) -> &'static str {
        if self.unsound.iter().any(|n| n == name) {
            " ⚠"
        } else {
            ""
        }
    }

    /// Row `name`'s (KiB, threads) a request in flight.
    pub fn get(&self, name: &str) -> Option<(f64, f64)> {
        self.rows.iter().find(|(n, _)| n == name).map(|(_, c)| *c)
    }

    /// How they were read, for a table's heading or a sentence.
    pub fn how(&self) -> &'static str {
        if self.from_curve {
            "resident and kernel, medians of a reading a block"
        } else {
            "resident, one measurement each"
        }
    }
}
