//! The report's SVG plots, drawn with plotters (no external program).

use std::collections::BTreeMap;

use plotters::prelude::*;

use super::Row;
use crate::Strategy;

/// One colour per strategy, in `Strategy::ALL` order, the same in every plot.
const COLOURS: [RGBColor; 8] = [
    RGBColor(100, 100, 100),
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
];

fn colour(strategy: &str) -> RGBColor {
    let i = Strategy::ALL
        .iter()
        .position(|s| s.name() == strategy)
        .unwrap_or(0);
    COLOURS[i % COLOURS.len()]
}

type Plot = Result<String, Box<dyn std::error::Error>>;

/// A strategy's name and its (C, milliseconds) points.
type Series<'r> = (&'r str, Vec<(f64, f64)>);

/// Every plot for the rows present: `(file name, SVG text)`.
pub fn all(rows: &[Row]) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    let mut plots = Vec::new();
    let scenario = |name: &str| {
        rows.iter()
            .filter(|r| r.scenario == name)
            .collect::<Vec<_>>()
    };
    for name in ["latency", "jitter"] {
        let group = scenario(name);
        if !group.is_empty() {
            plots.push((
                format!("{name}.svg"),
                bars(
                    name,
                    &group,
                    |r| r.mean_s * 1e3,
                    "mean time per fetch_all (ms)",
                )?,
            ));
        }
    }
    let overhead = scenario("overhead");
    if !overhead.is_empty() {
        let per_title = |r: &Row| r.mean_s / r.titles as f64 * 1e6;
        plots.push((
            "overhead.svg".into(),
            bars("overhead", &overhead, per_title, "time per title (µs)")?,
        ));
    }
    for name in ["concurrency", "sweep"] {
        let group = scenario(name);
        if !group.is_empty() {
            plots.push((format!("{name}.svg"), lines(name, &group)?));
        }
    }
    Ok(plots)
}

/// Horizontal bars, one per strategy, with the ideal (black) and the floor
/// ceiling (grey) marked. When `sequential` is more than twice the slowest
/// other row it would flatten them, so its value goes in the caption.
fn bars(title: &str, rows: &[&Row], value: impl Fn(&Row) -> f64, axis: &str) -> Plot {
    let others = rows
        .iter()
        .filter(|r| r.strategy != "sequential")
        .map(|r| value(r))
        .fold(0.0, f64::max);
    let off_chart = rows
        .iter()
        .find(|r| r.strategy == "sequential")
        .map(|r| value(r))
        .filter(|v| *v > 2.0 * others);
    let rows: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| off_chart.is_none() || r.strategy != "sequential")
        .collect();
    let rows = rows.as_slice();
    let mut caption = format!("{title}: {axis}");
    if let Some(v) = off_chart {
        caption.push_str(&format!(" (sequential: {v:.0}, off the chart)"));
    }
    let has_marks = rows.iter().any(|r| r.ideal_s.is_some());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (820, 60 + 44 * rows.len() as u32))
            .into_drawing_area();
        root.fill(&WHITE)?;
        let max = rows.iter().map(|r| value(r)).fold(0.0, f64::max) * 1.15;
        let n = rows.len();
        let names: Vec<String> = rows
            .iter()
            .map(|r| format!("{} (C={})", r.strategy, r.concurrency))
            .collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(190)
            .build_cartesian_2d(0.0..max.max(1e-9), 0.0..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let i = y.floor() as usize;
                if (y - y.floor() - 0.5).abs() < 0.01 && i < n {
                    names[n - 1 - i].clone()
                } else {
                    String::new()
                }
            })
            .x_desc(if has_marks {
                format!("{axis}; black line: nominal ideal, grey line: floor (reference client)")
            } else {
                axis.to_owned()
            })
            .draw()?;
        chart.draw_series(rows.iter().enumerate().map(|(i, r)| {
            let y = (n - 1 - i) as f64;
            Rectangle::new(
                [(0.0, y + 0.15), (value(r), y + 0.85)],
                colour(&r.strategy).filled(),
            )
        }))?;
        // The ideal (black) and the floor (grey) for each row, where defined.
        let scale = value(rows[0]) / rows[0].mean_s;
        for (i, r) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            for (mark, style) in [(r.ideal_s, BLACK), (r.floor_s, RGBColor(150, 150, 150))] {
                if let Some(m) = mark {
                    let x = m * scale;
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, y + 0.05), (x, y + 0.95)],
                        style.stroke_width(2),
                    )))?;
                }
            }
        }
        root.present()?;
    }
    Ok(svg)
}

/// Time against C on log–log axes, one line per strategy, with the ideal.
fn lines(title: &str, rows: &[&Row]) -> Plot {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (820, 520)).into_drawing_area();
        root.fill(&WHITE)?;
        let c_max = rows.iter().map(|r| r.concurrency).max().unwrap_or(1) as f64;
        let t_min = rows
            .iter()
            .flat_map(|r| [Some(r.mean_s), r.ideal_s])
            .flatten()
            .fold(f64::MAX, f64::min)
            * 1e3
            * 0.8;
        let t_max = rows.iter().map(|r| r.mean_s).fold(0.0, f64::max) * 1e3 * 1.25;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{title}: time for N = {} titles against C", rows[0].titles),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (1.0..c_max * 1.2).log_scale(),
                (t_min.max(0.1)..t_max).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc("C, requests in flight")
            .y_desc("mean time (ms)")
            .draw()?;
        let mut by_strategy: BTreeMap<usize, Series<'_>> = BTreeMap::new();
        for r in rows {
            let order = Strategy::ALL
                .iter()
                .position(|s| s.name() == r.strategy)
                .unwrap_or(99);
            by_strategy
                .entry(order)
                .or_insert((r.strategy.as_str(), Vec::new()))
                .1
                .push((r.concurrency as f64, r.mean_s * 1e3));
        }
        for (name, mut points) in by_strategy.into_values() {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let c = colour(name);
            chart
                .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
            chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, c.filled())))?;
        }
        let mut ideal: Vec<(f64, f64)> = rows
            .iter()
            .filter_map(|r| r.ideal_s.map(|i| (r.concurrency as f64, i * 1e3)))
            .collect();
        ideal.sort_by(|a, b| a.0.total_cmp(&b.0));
        ideal.dedup_by(|a, b| a.0 == b.0);
        chart
            .draw_series(LineSeries::new(ideal, BLACK.stroke_width(1)))?
            .label("ideal ⌈N/C⌉ × delay")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

/// The completion timeline of `wikifetch compare`: completed titles against
/// time for each strategy, with the ideal staircase of a fixed latency
/// (C titles every `delay`) when there is one.
pub fn timeline(
    runs: &[(String, Vec<f64>)],
    titles: usize,
    concurrency: usize,
    delay: Option<f64>,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (860, 520)).into_drawing_area();
        root.fill(&WHITE)?;
        let last = |name_is_sequential: bool| {
            runs.iter()
                .filter(|(n, _)| (n == "sequential") == name_is_sequential)
                .flat_map(|(_, c)| c.last().copied())
                .fold(0.0, f64::max)
        };
        // A sequential run ten times longer would squeeze the others into
        // the left edge: stop the axis after the concurrent ones and say so.
        let (others, sequential) = (last(false), last(true));
        let clipped = others > 0.0 && sequential > 3.0 * others;
        let t_max = if clipped {
            others * 1.3
        } else {
            others.max(sequential) * 1.05
        } * 1e3;
        let caption = if clipped {
            format!(
                "completions over time: N = {titles}, C = {concurrency} (sequential runs on to {:.0} ms)",
                sequential * 1e3
            )
        } else {
            format!("completions over time: N = {titles}, C = {concurrency}")
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..t_max.max(1.0), 0.0..titles as f64 * 1.02)?;
        chart
            .configure_mesh()
            .x_desc("time since fetch_all began (ms)")
            .y_desc("titles completed")
            .draw()?;
        if let Some(d) = delay.filter(|d| *d > 0.0) {
            // The ideal: C titles complete every `d`, a staircase.
            let mut steps = vec![(0.0, 0.0)];
            let mut done = 0usize;
            let mut t = 0.0;
            while done < titles && t * 1e3 < t_max {
                t += d;
                steps.push((t * 1e3, done as f64));
                done = (done + concurrency).min(titles);
                steps.push((t * 1e3, done as f64));
            }
            chart
                .draw_series(LineSeries::new(steps, BLACK.stroke_width(1)))?
                .label("ideal: C titles every delay")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
        }
        for (name, completions) in runs {
            let c = colour(name);
            let points: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
                .chain(
                    completions
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (t * 1e3, (i + 1) as f64)),
                )
                .take_while(|(t, _)| *t <= t_max)
                .collect();
            chart
                .draw_series(LineSeries::new(points, c.stroke_width(2)))?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}
