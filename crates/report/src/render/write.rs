//! The files of `results/`: REPORT.md, DETAILS.md, results.json,
//! results.csv, the plots, and the run log they were rendered from.

use std::path::Path;

use serde_json::json;
use wikifetch_runlog::RunLog;

use super::markdown::{details, markdown};
use super::plot;
use crate::analysis::{Row, rows};
use crate::render::utc_date;

/// One file of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its name in `results/`.
    pub name: String,
    /// Its contents.
    pub text: String,
}

/// Every file of the report of `log`, the log itself included
/// (`run.json`), so that the report can always be rendered again.
pub fn files(log: &RunLog) -> Result<Vec<File>, String> {
    let rows = rows(log)?;
    let mut out = Vec::new();
    let mut add = |name: &str, text: String| {
        out.push(File {
            name: name.to_owned(),
            text,
        });
    };
    add("run.json", log.to_json()? + "\n");
    add("results.json", format!("{:#}\n", results_json(log, &rows)));
    add("results.csv", csv(&rows)?);
    let figures = plot::all(&rows, log).map_err(|e| format!("plot: {e}"))?;
    for figure in &figures {
        add(&figure.file, figure.svg.clone());
    }
    add("REPORT.md", markdown(log, &rows, &figures));
    add("DETAILS.md", details(log, &rows, &figures));
    Ok(out)
}

/// Writes the report of `log` into `dir`, removing any plot of an earlier
/// layout that this report does not draw; returns the files' names.
pub fn write(log: &RunLog, dir: &Path) -> Result<Vec<String>, String> {
    let files = files(log)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".svg") && !files.iter().any(|f| f.name == name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let mut written = Vec::new();
    for file in files {
        std::fs::write(dir.join(&file.name), &file.text)
            .map_err(|e| format!("{}: {e}", file.name))?;
        written.push(file.name);
    }
    Ok(written)
}

/// Every figure of every row, and every timed call, as JSON.
fn results_json(log: &RunLog, rows: &[Row]) -> serde_json::Value {
    json!({
        "generated_by": "wikifetch-report, from run.json",
        "finished": utc_date(log.finished_unix),
        "machine": log.machine,
        "cpus": log.split,
        "controls": log.controls,
        "instructions": log.instructions,
        "wall_secs": log.wall_secs,
        "orchestrator_peak_rss_kib": log.peak_rss_kib,
        "rows": rows,
        // Every timed call of every row, in round order, as the rig recorded it.
        "samples": log.records.iter().map(|r| json!({
            "scenario": r.scenario,
            "strategy": r.strategy,
            "concurrency": r.concurrency,
            "calls": r.samples,
        })).collect::<Vec<_>>(),
        "footprint": log.footprint,
        // The scale curve: every point's every row, as analysed.
        "scale": crate::analysis::scale::curve(log),
        "limits": log.limits,
        // Criterion's samples of the core's work: (iterations, seconds).
        "core_work": log.core_work,
        "python_reference": log.python,
        "mock_ceiling": log.wrk,
    })
}

/// One CSV row per report row, quoted where a field needs it.
fn csv(rows: &[Row]) -> Result<String, String> {
    let opt = |v: Option<f64>| {
        v.filter(|x| x.is_finite())
            .map(|x| format!("{x:.6}"))
            .unwrap_or_default()
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "scenario",
        "strategy",
        "titles",
        "concurrency",
        "latency",
        "rounds",
        "mean_s",
        "median_s",
        "q1_s",
        "q3_s",
        "ci_low_s",
        "ci_high_s",
        "titles_per_s",
        "ideal_s",
        "floor_s",
        "floor_ratio",
        "floor_ratio_low",
        "floor_ratio_high",
        "efficiency_nominal",
        "efficiency_floor",
        "speedup",
        "client_cpu_per_request_s",
        "mock_cpu_per_request_s",
        "mock_busy",
        "rig_bound",
        "connections_opened",
        "errors",
        "lost",
        "max_in_flight",
        "premise",
    ])
    .map_err(|e| e.to_string())?;
    for r in rows {
        out.write_record([
            r.scenario.clone(),
            r.strategy.clone(),
            r.titles.to_string(),
            r.concurrency.to_string(),
            r.latency.clone(),
            r.rounds.to_string(),
            format!("{:.6}", r.mean_s),
            format!("{:.6}", r.median_s),
            format!("{:.6}", r.q1_s),
            format!("{:.6}", r.q3_s),
            format!("{:.6}", r.ci_low_s),
            format!("{:.6}", r.ci_high_s),
            format!("{:.1}", r.titles_per_s),
            opt(r.ideal_s),
            opt(r.floor_s),
            opt(r.floor_ratio.map(|f| f.point)),
            opt(r.floor_ratio.map(|f| f.low)),
            opt(r.floor_ratio.map(|f| f.high)),
            opt(r.efficiency_nominal),
            opt(r.efficiency_floor),
            opt(r.speedup),
            format!("{:.9}", r.client_cpu_per_request_s),
            format!("{:.9}", r.mock_cpu_per_request_s),
            format!("{:.3}", r.mock_busy),
            r.rig_bound.to_string(),
            r.connections_opened.to_string(),
            r.errors.to_string(),
            r.lost.to_string(),
            r.max_in_flight.map(|m| m.to_string()).unwrap_or_default(),
            r.premise.clone().unwrap_or_default(),
        ])
        .map_err(|e| e.to_string())?;
    }
    let bytes = out.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_quotes_a_spec_with_a_comma_and_every_row_is_as_wide_as_the_header() {
        let mut row = crate::findings::prose::tests::row("tokio", 20, 0.5, 0.01, 0.1);
        row.scenario = "jitter".into();
        row.latency = "lognormal:20ms,p99=200ms".into();
        row.premise = Some("9 in flight at its peak, not 10".into());
        let text = csv(&[row.clone(), row]).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let width = reader.headers().unwrap().len();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        for r in &records {
            assert_eq!(r.len(), width);
            assert_eq!(&r[4], "lognormal:20ms,p99=200ms");
        }
    }
}
