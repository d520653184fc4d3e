//! The terminal table `wikifetch compare` prints: the rows of its run log,
//! analysed as `cargo bench`'s are, with what the command also watched
//! (client-seen latencies, threads and memory during the warm-up).

use std::collections::BTreeMap;

use comfy_table::{CellAlignment, Table, presets::ASCII_MARKDOWN};
use wikifetch_runlog::{RunLog, RunRecord};

use super::format::{time, us3};
use crate::analysis::{REFERENCE, Row};

/// The table of `rows`, analysed from `log` (whose records carry the
/// warm-ups and latencies `compare` keeps).
pub fn compare_table(log: &RunLog, rows: &[Row]) -> Table {
    let mut table = Table::new();
    table.load_preset(ASCII_MARKDOWN).set_header(vec![
        "strategy",
        "C",
        "median",
        "min – max",
        "floor / row",
        "ideal / row",
        "p50",
        "p99",
        "client CPU / request",
        "mock CPU / request",
        "mock busy",
        "in flight",
        "new conns",
        "threads",
        "peak RSS",
        "errors",
    ]);
    let counted = log.scenarios.first().is_some_and(|s| s.counted);
    let opt = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{v:.2}"));
    for r in rows {
        let record = log.records.iter().find(|x| {
            x.scenario == r.scenario && x.strategy == r.strategy && x.concurrency == r.concurrency
        });
        let mut name = r.strategy.clone();
        if r.strategy == REFERENCE {
            name.push_str(" (floor)");
        }
        if counted && r.rig_bound {
            name.push_str(" ⚠ rig-bound");
        }
        if let Some(p) = &r.premise {
            name.push_str(&format!(" ⚠ {p}"));
        }
        let latency = |q: f64| {
            record
                .and_then(|x| wikifetch_stats::quantile(&x.latencies_s, q))
                .map_or("–".into(), time)
        };
        let mock = |text: String| if counted { text } else { "–".into() };
        table.add_row(vec![
            name,
            r.concurrency.to_string(),
            time(r.median_s),
            format!("{} – {}", time(r.min_s), time(r.max_s)),
            opt(r.efficiency_floor),
            opt(r.efficiency_nominal),
            // The reference client reports no per-title latencies.
            latency(0.50),
            latency(0.99),
            us3(r.client_cpu_per_request_s),
            mock(us3(r.mock_cpu_per_request_s)),
            mock(format!("{:.0} %", r.mock_busy * 100.0)),
            r.max_in_flight.map_or("–".into(), |m| m.to_string()),
            mock(r.connections_opened.to_string()),
            record
                .and_then(|x| x.warmup.as_ref())
                .map_or("–".into(), |w| w.peak_threads.to_string()),
            record.map_or("–".into(), |x| {
                format!("{:.1} MiB", x.peak_rss_kib as f64 / 1024.0)
            }),
            record.map_or("–".into(), errors),
        ]);
    }
    for i in 1..16 {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Failed titles by kind over the warm-up, or `0`; lost results are in
/// the exit status.
fn errors(record: &RunRecord) -> String {
    let by_kind: BTreeMap<&str, usize> = record
        .warmup
        .iter()
        .flat_map(|w| w.call.errors.iter().map(|(k, v)| (k.as_str(), *v)))
        .collect();
    if record.errors == 0 {
        "0".to_owned()
    } else if by_kind.is_empty() {
        record.errors.to_string()
    } else {
        format!(
            "{} ({})",
            record.errors,
            by_kind
                .iter()
                .map(|(k, v)| format!("{k}: {v} in the warm-up"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
