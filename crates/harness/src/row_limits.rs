//! Where each fetch row gives out as C rises: the curve's rows, one at a
//! time, each raised through [`LADDER`] until it fails or reaches the
//! cap, with the curve's time cap lifted and a longer deadline in its
//! place. `wikifetch limits` runs it, after
//! the model probes of [`crate::limits`]; it is not part of `cargo bench`.
//!
//! Each try is a fresh mock (its delay [`scale::delay`] at that C, so the
//! offered rate stays that of the curve) and a fresh row process, built
//! and then asked for two calls of C titles, one wave each: a cold one,
//! which opens the connections, and a warm one on them. One try a C: a
//! refusal is the same every time, and a pass is a single sample. A try fails when the row refuses to be built (a limit
//! its set-up names: open files, `vm.max_map_count`, `kernel.pid_max`),
//! when a title fails or is lost, when its process ends, or when its
//! set-up or its call passes the deadline. A failure that a setting
//! explains is then bisected between the last C answered and the first
//! failed, to within [`RESOLUTION`]; a deadline is not (each such try
//! costs the whole deadline).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use wikifetch_mock::Latency;
use wikifetch_rig::os::Limits;
use wikifetch_rig::process::usage;
use wikifetch_rig::{MockProcess, MockSpec};
use wikifetch_runlog::{Cost, CpuSplit, RowLimit, RowTry, TryFailure};

use crate::scale::{self, ROWS};
use crate::scenarios::SEED;
use crate::session::{Client, Worker};

/// The C each row is tried at, in order, until one fails: the curve's
/// large points and on towards the open-files limit (20,000 a process on
/// the reference machine), then past it, for a machine with more.
pub const LADDER: &[usize] = &[
    1_000, 2_000, 5_000, 10_000, 15_000, 19_000, 25_000, 50_000, 100_000,
];

/// How close the bisection brings the last C answered and the first that
/// failed, when a setting stopped the row.
pub const RESOLUTION: usize = 500;

/// How long a row's set-up or its one call may take before its process is
/// ended: rayon's pool of 10,000 threads is not built in minutes on one
/// CPU, and the rows on ureq need tens of seconds for one wave at
/// C = 15,000.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// Every row of the curve raised through C up to `cap`; `told` hears each
/// try as it ends.
pub fn rows(
    exe: &std::path::Path,
    split: &CpuSplit,
    (cap, deadline): (usize, Duration),
    mut told: impl FnMut(&str, &RowTry),
) -> Result<Vec<RowLimit>, String> {
    let limits = Limits::read();
    let mut out = Vec::new();
    for strategy in ROWS {
        let client = Client {
            strategy: *strategy,
            keep_alive: true,
        };
        let mut row = RowLimit {
            strategy: client.name(),
            cap,
            tries: Vec::new(),
        };
        let mut attempt = |row: &mut RowLimit, c: usize| -> Result<bool, String> {
            let t = try_at(exe, split, client, c, deadline, &limits)?;
            told(&row.strategy, &t);
            let failed = t.failed.is_some();
            row.tries.push(t);
            Ok(failed)
        };
        for &c in LADDER.iter().filter(|c| **c <= cap) {
            if attempt(&mut row, c)? {
                break;
            }
        }
        while let Some(c) = next_bisection(&row) {
            attempt(&mut row, c)?;
        }
        out.push(row);
    }
    Ok(out)
}

/// The next C to try between the last answered and the first failed,
/// when a setting explains the failure and they are more than
/// [`RESOLUTION`] apart; rounded to a multiple of a hundred.
fn next_bisection(row: &RowLimit) -> Option<usize> {
    let failed = row.first_failed()?;
    failed.failed.as_ref()?.limit.as_ref()?;
    let answered = row.answered_up_to().map_or(0, |t| t.concurrency);
    if failed.concurrency <= answered + RESOLUTION {
        return None;
    }
    let mid = (answered + failed.concurrency) / 2 / 100 * 100;
    (mid > answered && mid < failed.concurrency).then_some(mid)
}

/// One try of `client` at C: a fresh mock, a fresh process, its set-up and
/// two calls of C titles, cold and warm.
fn try_at(
    exe: &std::path::Path,
    split: &CpuSplit,
    client: Client,
    c: usize,
    deadline: Duration,
    limits: &Limits,
) -> Result<RowTry, String> {
    let delay = scale::delay(c);
    let mut t = RowTry {
        concurrency: c,
        titles: c,
        delay_s: delay.as_secs_f64(),
        ..RowTry::default()
    };
    let mock = MockProcess::start(
        exe,
        &MockSpec {
            latency: Latency::Fixed(delay).to_string(),
            seed: SEED,
            cpus: split.mock.clone(),
            ..MockSpec::default()
        },
    )
    .map_err(|e| format!("limits at C = {c}: the mock process: {e}"))?;
    let mut worker = Worker::start(exe, client, c, (mock.api_url(), None), (c, 1))?;
    let pid = worker.pid();
    let watch = (deadline, &split.mock[..]);
    let (setup, ended) = scale::under_watch(pid, watch, || {}, || worker.setup());
    let fail = |why: String, limit: Option<String>| Some(TryFailure { why, limit });
    if let Some(secs) = ended {
        t.failed = fail(
            format!("its set-up had not ended after {secs:.0} s (the probe's deadline)"),
            None,
        );
        return Ok(t);
    }
    match setup {
        Err(e) => {
            t.failed = fail(ended_how(&mut worker, &e), None);
            return Ok(t);
        }
        Ok(Err(refused)) => {
            let limit = setting_named(&refused, limits);
            t.failed = fail(format!("refused to start: {refused}"), limit);
            return Ok(t);
        }
        Ok(Ok(cost)) => t.setup = Some(cost),
    }
    let threads = AtomicU64::new(0);
    let read_threads = || {
        if let Some(u) = usage(Some(pid)) {
            threads.fetch_max(u.threads, Ordering::Relaxed);
        }
    };
    // A cold call (it opens the C connections), then a warm one on them:
    // a row can answer the first and not the second (the curve's ureq rows
    // at C = 10,000 did not finish their second call in 10 s).
    for (which, warm) in [("cold", false), ("warm", true)] {
        match scale::watched(&mut worker, &mock, watch, read_threads) {
            Err(e) => {
                t.failed = fail(
                    format!("its {which} call {}", ended_how(&mut worker, &e)),
                    None,
                );
            }
            Ok((call, sample)) => {
                let cost = Cost {
                    wall_s: call.wall_s,
                    cpu_s: call.client_cpu_s,
                };
                if warm {
                    t.warm = Some(cost);
                } else {
                    t.call = Some(cost);
                }
                for (kind, n) in &call.errors {
                    *t.errors.entry(kind.clone()).or_insert(0) += *n as u64;
                }
                let failed: u64 = call.errors.values().map(|n| *n as u64).sum();
                let lost = c.saturating_sub(call.results) as u64;
                t.lost += lost;
                t.in_flight = t.in_flight.max(sample.max_in_flight);
                if warm {
                    t.answered = (call.results as u64).saturating_sub(failed);
                }
                if failed + lost > 0 {
                    let kinds: Vec<String> = call
                        .errors
                        .iter()
                        .map(|(k, n)| format!("{n} {k}"))
                        .collect();
                    t.failed = fail(
                        format!(
                            "in its {which} call {failed} of {c} titles failed ({}), {lost} lost",
                            kinds.join(", ")
                        ),
                        None,
                    );
                }
            }
        }
        if t.failed.is_some() {
            break;
        }
    }
    t.peak_threads = threads.load(Ordering::Relaxed);
    Ok(t)
}

/// `e`, with how the row's process ended when it has.
fn ended_how(worker: &mut Worker, e: &str) -> String {
    match worker.exit_status() {
        Some(status) => format!("{e} (its process: {status})"),
        None => e.to_owned(),
    }
}

/// The setting a refusal names, with its value on this machine.
fn setting_named(refusal: &str, limits: &Limits) -> Option<String> {
    let value = |v: Option<u64>| v.map_or("unknown".to_owned(), |v| v.to_string());
    if refusal.contains("RLIMIT_NOFILE") {
        Some(format!(
            "RLIMIT_NOFILE = {} (open files)",
            limits.open_files.1
        ))
    } else if refusal.contains("vm.max_map_count") {
        Some(format!(
            "vm.max_map_count = {}",
            value(limits.max_map_count)
        ))
    } else if refusal.contains("kernel.pid_max") {
        Some(format!("kernel.pid_max = {}", value(limits.pid_max)))
    } else if refusal.contains("kernel.threads-max") {
        Some(format!(
            "kernel.threads-max = {}",
            value(limits.threads_max)
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tried(c: usize, limit: Option<&str>) -> RowTry {
        RowTry {
            concurrency: c,
            failed: limit.map(|l| TryFailure {
                why: "refused".into(),
                limit: (!l.is_empty()).then(|| l.into()),
            }),
            ..RowTry::default()
        }
    }

    #[test]
    fn a_failure_a_setting_explains_is_bisected_to_the_resolution() {
        let mut row = RowLimit {
            strategy: "tokio".into(),
            cap: 100_000,
            tries: vec![
                tried(15_000, None),
                tried(19_000, None),
                tried(25_000, Some("RLIMIT_NOFILE = 20000")),
            ],
        };
        // A row that refuses past 19,936 (its open files), as the machine would.
        while let Some(c) = next_bisection(&row) {
            assert!(row.tries.iter().all(|t| t.concurrency != c), "{c} again");
            row.tries
                .push(tried(c, (c > 19_936).then_some("RLIMIT_NOFILE = 20000")));
        }
        let (answered, failed) = (
            row.answered_up_to().map_or(0, |t| t.concurrency),
            row.first_failed().map_or(0, |t| t.concurrency),
        );
        assert!(answered <= 19_936 && failed > 19_936, "{answered} {failed}");
        assert!(failed - answered <= RESOLUTION, "{answered} {failed}");
        assert!(row.tries.len() <= 8, "{} tries", row.tries.len());
    }

    #[test]
    fn a_deadline_or_a_clean_run_is_not_bisected() {
        let deadline = RowLimit {
            tries: vec![tried(1_000, None), tried(2_000, Some(""))],
            ..RowLimit::default()
        };
        assert_eq!(next_bisection(&deadline), None);
        let clean = RowLimit {
            tries: vec![tried(1_000, None), tried(2_000, None)],
            ..RowLimit::default()
        };
        assert_eq!(next_bisection(&clean), None);
    }

    #[test]
    fn a_refusal_names_its_setting() {
        let limits = Limits {
            open_files: (20_000, 20_000),
            max_map_count: Some(65_530),
            ..Limits::default()
        };
        let nofile = wikifetch_core::limits::ensure_open_files(u64::MAX)
            .unwrap_err()
            .to_string();
        assert_eq!(
            setting_named(&nofile, &limits).as_deref(),
            Some("RLIMIT_NOFILE = 20000 (open files)")
        );
        assert_eq!(
            setting_named("… but vm.max_map_count is 65530, …", &limits).as_deref(),
            Some("vm.max_map_count = 65530")
        );
        assert_eq!(setting_named("the child ended", &limits), None);
    }
}
