//! Where each fetch row gave out as C rose, from the limits probe the run
//! log embeds (`RunLog::limits`, written by `wikifetch limits`).

use wikifetch_runlog::{Cost, REFERENCE, RowLimit, RowTry, RunLog};

use super::scale::stop_label;

/// One fetch row's reach: the largest C it answered every title at, and
/// the smallest above it where it failed.
#[derive(Debug, Clone)]
pub struct Reach<'a> {
    /// The row.
    pub strategy: &'a str,
    /// How it waits: the log's model fact ("OS threads", "tasks"), or
    /// "no model" for the reference client.
    pub model: String,
    /// The largest C, below the first failure, at which every title was
    /// answered.
    pub answered: Option<&'a RowTry>,
    /// The smallest C at which it failed.
    pub failed: Option<&'a RowTry>,
    /// The largest C it would have been tried at.
    pub cap: usize,
    /// Every try, in the order tried.
    pub tries: &'a [RowTry],
}

impl Reach<'_> {
    /// What stopped it, in a few words: the setting with its value, or
    /// the probe's own deadline; `None` when it reached the cap.
    pub fn stopped_by(&self) -> Option<String> {
        let f = self.failed?.failed.as_ref()?;
        Some(match &f.limit {
            Some(l) => l.clone(),
            None => stop_label(&f.why).to_owned(),
        })
    }

    /// [`Reach::stopped_by`] in fewer words: the setting's name only
    /// ("vm.max_map_count"), or "no answer in 120 s" for the deadline.
    pub fn stopped_short(&self, deadline_s: Option<f64>) -> Option<String> {
        let f = self.failed?.failed.as_ref()?;
        if let Some(l) = &f.limit {
            return Some(l.split(' ').next().unwrap_or(l).to_owned());
        }
        let label = stop_label(&f.why);
        Some(match deadline_s {
            Some(d) if label == super::scale::ENDED => format!("a call not finished in {d:.0} s"),
            Some(d) if label == super::scale::NOT_BUILT => format!("not built in {d:.0} s"),
            _ => label.to_owned(),
        })
    }

    /// Whether the setting that stopped it is one of the machine's (open
    /// files, mappings, threads), not the probe's deadline or a failure
    /// no setting explains.
    pub fn stopped_by_a_setting(&self) -> bool {
        self.failed
            .and_then(|t| t.failed.as_ref())
            .is_some_and(|f| f.limit.is_some())
    }
}

/// Every fetch row the probe raised, in its order.
pub fn reach(log: &RunLog) -> Vec<Reach<'_>> {
    let Some(probe) = &log.limits else {
        return Vec::new();
    };
    probe.rows.iter().map(|r| reach_of(log, r)).collect()
}

fn reach_of<'a>(log: &RunLog, row: &'a RowLimit) -> Reach<'a> {
    let failed = row
        .tries
        .iter()
        .filter(|t| t.failed.is_some())
        .min_by_key(|t| t.concurrency);
    let below = failed.map_or(usize::MAX, |f| f.concurrency);
    let answered = row
        .tries
        .iter()
        .filter(|t| t.failed.is_none() && t.concurrency < below)
        .max_by_key(|t| t.concurrency);
    let model = if row.strategy == REFERENCE {
        "no model".to_owned()
    } else {
        log.strategy(&row.strategy)
            .map_or_else(|| "unknown".to_owned(), |f| f.model.clone())
    };
    Reach {
        strategy: &row.strategy,
        model,
        answered,
        failed,
        cap: row.cap,
        tries: &row.tries,
    }
}

/// A call of try `t` over the mock's delay there: 1.0 is one delay.
pub fn over_delay(t: &RowTry, call: Option<Cost>) -> Option<f64> {
    Some(call?.wall_s / t.delay_s.max(1e-9))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wikifetch_runlog::{LimitsLog, TryFailure};

    fn tried(c: usize, failed: Option<(&str, Option<&str>)>) -> RowTry {
        RowTry {
            concurrency: c,
            titles: c,
            failed: failed.map(|(why, limit)| TryFailure {
                why: why.into(),
                limit: limit.map(Into::into),
            }),
            ..RowTry::default()
        }
    }

    #[test]
    fn the_reach_is_below_the_first_failure() {
        let log = RunLog {
            limits: Some(LimitsLog {
                rows: vec![
                    RowLimit {
                        strategy: "tokio".into(),
                        cap: 100_000,
                        // Tried out of order, as the bisection does.
                        tries: vec![
                            tried(19_000, None),
                            tried(
                                25_000,
                                Some(("refused: RLIMIT_NOFILE", Some("RLIMIT_NOFILE = 20000"))),
                            ),
                            tried(19_700, None),
                            tried(
                                20_100,
                                Some(("refused: RLIMIT_NOFILE", Some("RLIMIT_NOFILE = 20000"))),
                            ),
                        ],
                    },
                    RowLimit {
                        strategy: "rayon".into(),
                        cap: 100_000,
                        tries: vec![
                            tried(1_000, None),
                            tried(2_000, Some(("its call had not ended after 120 s", None))),
                        ],
                    },
                    RowLimit {
                        strategy: "reference".into(),
                        cap: 5_000,
                        tries: vec![tried(1_000, None), tried(5_000, None)],
                    },
                ],
                ..LimitsLog::default()
            }),
            ..RunLog::default()
        };
        let r = reach(&log);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].answered.map(|t| t.concurrency), Some(19_700));
        assert_eq!(r[0].failed.map(|t| t.concurrency), Some(20_100));
        assert_eq!(r[0].stopped_by().as_deref(), Some("RLIMIT_NOFILE = 20000"));
        assert!(r[0].stopped_by_a_setting());
        assert_eq!(
            r[1].stopped_by().as_deref(),
            Some(super::super::scale::ENDED)
        );
        assert!(!r[1].stopped_by_a_setting());
        assert_eq!(
            r[0].stopped_short(Some(120.0)).as_deref(),
            Some("RLIMIT_NOFILE")
        );
        assert_eq!(
            r[1].stopped_short(Some(120.0)).as_deref(),
            Some("a call not finished in 120 s")
        );
        assert_eq!((r[2].model.as_str(), r[2].stopped_by()), ("no model", None));
        assert_eq!(r[2].answered.map(|t| t.concurrency), Some(5_000));
    }
}
