//! Writing `results/`: REPORT.md, results.json, results.csv and the plots.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::markdown::{details, markdown};
use super::{Paths, Row, RunLog, plot, rows, utc_date};

/// Writes every file of `results/` from the last run; returns their names.
pub fn write(paths: &Paths) -> Result<Vec<String>, String> {
    let log = RunLog::load(paths)?;
    let rows = rows(&log)?;
    let read = |p: std::path::PathBuf| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    };
    let python = read(paths.python_json());
    let wrk = read(paths.wrk_json());
    std::fs::create_dir_all(&paths.results).map_err(|e| e.to_string())?;
    let mut written = Vec::new();
    let mut save = |name: &str, text: String| -> Result<(), String> {
        std::fs::write(paths.results.join(name), text).map_err(|e| format!("{name}: {e}"))?;
        written.push(format!("results/{name}"));
        Ok(())
    };

    let json = json!({
        "generated_by": "cargo bench",
        "finished": utc_date(log.finished_unix),
        "machine": log.machine,
        "cpus": log.split,
        "controls": log.controls,
        "valgrind": log.valgrind,
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
        "footprints": log.footprints,
        // Criterion's samples of the core's work: (iterations, seconds).
        "core_work": log.core_work,
        "python_reference": python,
        "mock_ceiling": wrk,
    });
    save("results.json", format!("{:#}\n", json))?;
    save("results.csv", csv(&rows))?;
    let figures = plot::all(&rows, &log).map_err(|e| format!("plot: {e}"))?;
    // Plots of an earlier layout would be left behind, unlinked: remove
    // every SVG this run does not write.
    if let Ok(entries) = std::fs::read_dir(&paths.results) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".svg") && !figures.iter().any(|f| f.file == name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    for figure in &figures {
        save(&figure.file, figure.svg.clone())?;
    }
    save(
        "REPORT.md",
        markdown(&log, &rows, &figures, python.as_ref(), wrk.as_ref()),
    )?;
    save(
        "DETAILS.md",
        details(&log, &rows, &figures, python.as_ref(), wrk.as_ref()),
    )?;
    Ok(written)
}

fn csv(rows: &[Row]) -> String {
    let opt = |v: Option<f64>| v.map(|x| format!("{x:.6}")).unwrap_or_default();
    let mut out = String::from(
        "scenario,strategy,titles,concurrency,latency,rounds,mean_s,median_s,q1_s,q3_s,ci_low_s,ci_high_s,titles_per_s,\
         ideal_s,floor_s,floor_ratio,floor_ratio_low,floor_ratio_high,efficiency_nominal,efficiency_floor,speedup,client_cpu_per_request_s,\
         mock_cpu_per_request_s,mock_busy,rig_bound,connections_opened,errors,lost,max_in_flight,premise\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.1},{},{},{},{},{},{},{},{},{:.9},{:.9},{:.3},{},{},{},{},{},\"{}\"",
            r.scenario,
            r.strategy,
            r.titles,
            r.concurrency,
            r.latency,
            r.rounds,
            r.mean_s,
            r.median_s,
            r.q1_s,
            r.q3_s,
            r.ci_low_s,
            r.ci_high_s,
            r.titles_per_s,
            opt(r.ideal_s),
            opt(r.floor_s),
            opt(r.floor_ratio.map(|f| f.point)),
            opt(r.floor_ratio.map(|f| f.low)),
            opt(r.floor_ratio.map(|f| f.high)),
            opt(r.efficiency_nominal),
            opt(r.efficiency_floor),
            opt(r.speedup),
            r.client_cpu_per_request_s,
            r.mock_cpu_per_request_s,
            r.mock_busy,
            r.rig_bound,
            r.connections_opened,
            r.errors,
            r.lost,
            r.max_in_flight.map(|m| m.to_string()).unwrap_or_default(),
            r.premise.as_deref().unwrap_or_default()
        );
    }
    out
}
