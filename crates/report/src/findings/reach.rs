//! Where the rows give out, in the answer's words: the fetch rows raised
//! through C with no time cap, and each model alone with no sockets, both
//! from the limits probe the run log embeds.

use wikifetch_runlog::RunLog;

use super::answer::group_of;
use crate::analysis::limits::{Reach, reach};

/// How a group of rows ended in the probe.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ending {
    /// The first C that failed; `None` at the cap.
    pub failed_at: Option<usize>,
    /// What stopped them, in a few words.
    pub why: Option<String>,
    /// Whether their set-up refused the C (a setting), rather than a
    /// deadline or a failed call.
    pub refused: bool,
    /// The rows, named as a group: "every task row and the bare client".
    pub who: String,
    /// The fewest and the most requests in flight at the largest C each
    /// row answered, when no row of the group had that C in flight.
    pub short_of_c: Option<(usize, usize)>,
}

/// What a model fact makes a row, for "every thread row": "thread",
/// "task", or `None` for a row of neither (the bare client).
fn kind(model: &str) -> Option<&'static str> {
    if model.starts_with("OS threads") {
        Some("thread")
    } else if model.starts_with("tasks") {
        Some("task")
    } else {
        None
    }
}

/// Where the probe's rows ended, rows that met the same end at the same
/// C together, in order of C.
pub(crate) fn endings(log: &RunLog) -> Vec<Ending> {
    let deadline = log.limits.as_ref().and_then(|p| p.deadline_s);
    let rows = reach(log);
    // (first failed C, what stopped it, refused) → rows.
    type Key = (Option<usize>, Option<String>, bool);
    let mut groups: Vec<(Key, Vec<&Reach>)> = Vec::new();
    for r in &rows {
        let key = (
            r.failed.map(|t| t.concurrency),
            r.stopped_short(deadline),
            r.stopped_by_a_setting(),
        );
        group_of(&mut groups, key).push(r);
    }
    groups.sort_by_key(|((c, _, _), _)| c.unwrap_or(usize::MAX));
    groups
        .into_iter()
        .map(|((failed_at, why, refused), g)| {
            // Said only of a group whose every row fell short.
            let held: Vec<Option<usize>> = g
                .iter()
                .map(|r| {
                    r.answered
                        .filter(|t| t.in_flight < t.concurrency)
                        .map(|t| t.in_flight)
                })
                .collect();
            let short: Vec<usize> = if held.iter().all(Option::is_some) {
                held.into_iter().flatten().collect()
            } else {
                Vec::new()
            };
            Ending {
                failed_at,
                why,
                refused,
                who: names(&rows, &g),
                short_of_c: short
                    .iter()
                    .min()
                    .zip(short.iter().max())
                    .map(|(a, b)| (*a, *b)),
            }
        })
        .collect()
}

/// Each model alone, with no sockets, in a sentence: "Alone, with no
/// sockets: threads 16128 (vm.max_map_count); tasks 1000000, no limit met
/// (the probe's cap)."
pub fn alone(log: &RunLog) -> Option<String> {
    let probe = log.limits.as_ref()?;
    let models: Vec<String> = probe
        .models
        .iter()
        .map(|m| match m.limit.as_deref() {
            Some(l) => format!(
                "{} {} ({})",
                m.what,
                m.reached,
                l.split(' ').next().unwrap_or(l)
            ),
            None => format!("{} {}, no limit met (the probe's cap)", m.what, m.reached),
        })
        .collect();
    (!models.is_empty()).then(|| format!("Alone, with no sockets: {}.", models.join("; ")))
}

/// The opening's bullet: where each fetch row first failed and what
/// stopped it ([`endings`]); which probe it was, and that a refusal is the
/// row's own check against a setting. `None` when the log has no probe or
/// it raised no row.
pub fn opening(log: &RunLog) -> Option<String> {
    let probe = log.limits.as_ref()?;
    let cap = probe.rows.iter().map(|r| r.cap).max().unwrap_or(0);
    let ends = endings(log);
    let refused = ends.iter().any(|e| e.refused);
    let said: Vec<String> = ends
        .into_iter()
        .map(|e| {
            let short = match e.short_of_c {
                Some((a, b)) if a == b => format!("; at most {a} at once below it"),
                Some((a, b)) => format!("; at most {a}–{b} at once below it"),
                None => String::new(),
            };
            match (e.failed_at, e.why) {
                (Some(c), Some(by)) if e.refused => {
                    format!("{} refused at {c} ({by}{short})", e.who)
                }
                (Some(c), Some(by)) => format!("{} at {c} ({by}{short})", e.who),
                _ => format!("{} answered up to the cap, {cap}", e.who),
            }
        })
        .collect();
    let mut parts = Vec::new();
    if !said.is_empty() {
        let deadline = probe
            .deadline_s
            .map_or(String::new(), |d| format!(", {d:.0} s deadline"));
        parts.push(format!(
            "**Where rows give out** (`wikifetch limits`, {}{deadline}): {}.",
            crate::render::utc_date(probe.finished_unix),
            said.join("; ")
        ));
    }
    if refused {
        parts.push(
            "Refused: checked against a setting root can raise, before any thread or socket."
                .to_owned(),
        );
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A group of rows, named: "every thread row" when it holds all of a
/// kind, then the rest by name, "the bare client" for the reference.
fn names(all: &[Reach], group: &[&Reach]) -> String {
    let mut said = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    for k in ["thread", "task"] {
        let of_kind = |r: &&Reach| kind(&r.model) == Some(k);
        let total = all.iter().filter(|r| of_kind(r)).count();
        let here = group.iter().filter(|r| of_kind(r)).count();
        if total > 1 && here == total {
            said.push(format!("every {k} row"));
            named.extend(group.iter().filter(|r| of_kind(r)).map(|r| r.strategy));
        }
    }
    for r in group.iter().filter(|r| !named.contains(&r.strategy)) {
        said.push(match kind(&r.model) {
            None => "the bare client".to_owned(),
            Some(_) => format!("`{}`", r.strategy),
        });
    }
    match said.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wikifetch_runlog::{LimitsLog, ModelLimit, RowLimit, RowTry, StrategyFacts, TryFailure};

    fn row(name: &str, answered: usize, failed: Option<(usize, &str, Option<&str>)>) -> RowLimit {
        let mut tries = vec![RowTry {
            concurrency: answered,
            in_flight: answered,
            ..RowTry::default()
        }];
        if let Some((c, why, limit)) = failed {
            tries.push(RowTry {
                concurrency: c,
                failed: Some(TryFailure {
                    why: why.into(),
                    limit: limit.map(Into::into),
                }),
                ..RowTry::default()
            });
        }
        RowLimit {
            strategy: name.into(),
            cap: 100_000,
            tries,
        }
    }

    fn log(rows: Vec<RowLimit>) -> RunLog {
        let facts = |name: &str, model: &str| StrategyFacts {
            name: name.into(),
            model: model.into(),
            ..StrategyFacts::default()
        };
        RunLog {
            strategies: vec![
                facts("thread-pool", "OS threads"),
                facts("rayon", "OS threads (rayon)"),
                facts("tokio", "tasks (tokio)"),
                facts("smol", "tasks (smol)"),
            ],
            limits: Some(LimitsLog {
                models: vec![ModelLimit {
                    what: "threads".into(),
                    reached: 16_128,
                    limit: Some("vm.max_map_count = 65530 (about 16382 threads)".into()),
                    ..ModelLimit::default()
                }],
                rows,
                deadline_s: Some(120.0),
                ..LimitsLog::default()
            }),
            ..RunLog::default()
        }
    }

    const NOFILE: Option<&str> = Some("RLIMIT_NOFILE = 20000 (open files)");
    const MAPS: Option<&str> = Some("vm.max_map_count = 65530");

    #[test]
    fn rows_that_end_alike_are_said_together_in_order_of_c() {
        let l = log(vec![
            row("reference", 19_700, Some((20_100, "refused", NOFILE))),
            row("thread-pool", 16_000, Some((16_400, "refused", MAPS))),
            row(
                "rayon",
                1_000,
                Some((2_000, "its call had not ended after 120 s", None)),
            ),
            row("tokio", 19_700, Some((20_100, "refused", NOFILE))),
            row("smol", 19_700, Some((20_100, "refused", NOFILE))),
        ]);
        assert_eq!(
            opening(&l).unwrap(),
            "**Where rows give out** (`wikifetch limits`, 1970-01-01 00:00 UTC, 120 s deadline): `rayon` at 2000 \
             (a call not finished in 120 s); `thread-pool` refused at 16400 (vm.max_map_count); every task row \
             and the bare client refused at 20100 (RLIMIT_NOFILE). Refused: checked against a setting root can \
             raise, before any thread or socket."
        );
        assert_eq!(
            alone(&l).as_deref(),
            Some("Alone, with no sockets: threads 16128 (vm.max_map_count).")
        );
    }

    #[test]
    fn rows_that_never_held_c_say_how_many_they_held() {
        let mut pool = row("thread-pool", 16_000, Some((16_500, "refused", MAPS)));
        pool.tries[0].in_flight = 6_988;
        let mut hyper = row("rayon", 16_000, Some((16_500, "refused", MAPS)));
        hyper.tries[0].in_flight = 13_761;
        let said = opening(&log(vec![pool, hyper])).unwrap();
        assert!(
            said.contains(
                "every thread row refused at 16500 (vm.max_map_count; at most 6988–13761 at once below it)"
            ),
            "{said}"
        );
    }

    #[test]
    fn threads_that_keep_up_change_the_sentence() {
        // On a machine with more mappings and open files, no row fails.
        let l = log(vec![
            row("thread-pool", 100_000, None),
            row("rayon", 100_000, None),
            row("tokio", 100_000, None),
            row("smol", 100_000, None),
        ]);
        let said = opening(&l).unwrap();
        assert!(
            said.ends_with(": every thread row and every task row answered up to the cap, 100000."),
            "{said}"
        );
        assert!(!said.contains("Refused"), "{said}");
        assert!(!said.contains("Refused"), "{said}");
    }

    #[test]
    fn no_probe_no_sentence() {
        assert_eq!(opening(&RunLog::default()), None);
        assert_eq!(alone(&RunLog::default()), None);
    }
}
