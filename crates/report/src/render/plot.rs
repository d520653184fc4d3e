//! The report's SVG plots, drawn with plotters (no external program).
//!
//! Each plot shows one thing the report argues, with its uncertainty: time
//! bars with the 95 % interval of the mean as whiskers, efficiency against
//! C with interval bands, the completion timeline of one call per row, and
//! memory and threads against requests in flight. A strategy has the same
//! colour in every plot ([`colour`]).

use std::collections::BTreeMap;
use std::ops::Range;

use plotters::prelude::*;

use crate::analysis::queue_completions;
use crate::analysis::{REFERENCE, Row};
use wikifetch_runlog::Footprint;
use wikifetch_runlog::RunLog;

/// One colour per strategy, the same in every plot, in the order plots
/// list the strategies. A strategy the palette does not know gets the
/// first colour.
const PALETTE: [(&str, RGBColor); 12] = [
    ("sequential", RGBColor(100, 100, 100)),
    ("thread-pool", RGBColor(31, 119, 180)),
    // thread-pool's, lighter
    ("thread-pool-hyper", RGBColor(120, 170, 225)),
    ("thread-per-request", RGBColor(255, 127, 14)),
    ("rayon", RGBColor(44, 160, 44)),
    // rayon's, lighter
    ("rayon-default", RGBColor(130, 210, 110)),
    ("tokio", RGBColor(214, 39, 40)),
    ("async-std", RGBColor(148, 103, 189)),
    ("smol", RGBColor(140, 86, 75)),
    ("tokio-hyper", RGBColor(23, 190, 207)),
    // tokio-hyper's, darker
    ("tokio-current-thread", RGBColor(20, 120, 130)),
    ("batched", RGBColor(227, 119, 194)),
];

/// Where `row`'s strategy stands in [`PALETTE`] (a control without
/// keep-alive stands with its strategy); unknown names come last.
fn palette_position(row: &str) -> usize {
    let name = wikifetch_runlog::kept_alive_row(row);
    PALETTE
        .iter()
        .position(|(n, _)| *n == name)
        .unwrap_or(PALETTE.len())
}

/// The reference client (the floor) is black.
const FLOOR: RGBColor = RGBColor(0, 0, 0);

/// The colour of `strategy` (or of the floor) in every plot.
pub fn colour(strategy: &str) -> RGBColor {
    if strategy == REFERENCE {
        return FLOOR;
    }
    // A control without keep-alive wears its strategy's colour.
    PALETTE
        .get(palette_position(strategy))
        .map_or(PALETTE[0].1, |(_, c)| *c)
}

type Error = Box<dyn std::error::Error>;
type Plot = Result<String, Error>;

/// A plot for the report: its file, its SVG, and one line saying what to
/// look at.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File name in `results/`.
    pub file: String,
    /// The SVG text.
    pub svg: String,
    /// The caption under the plot in the report.
    pub caption: String,
}

/// `0 .. max × 1.15`: an axis from zero that holds every value with room
/// for labels (at least a tiny positive range).
pub fn axis_from_zero(values: impl IntoIterator<Item = f64>) -> Range<f64> {
    let max = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    0.0..(max * 1.15).max(1e-9)
}

/// Every plot for the rows and measurements present.
pub fn all(rows: &[Row], log: &RunLog) -> Result<Vec<Figure>, Error> {
    let mut figures = Vec::new();
    let scenario = |name: &str| {
        rows.iter()
            .filter(|r| r.scenario == name)
            .collect::<Vec<_>>()
    };
    for (name, what) in [
        (
            "latency",
            "Each bar is how much longer a row took than its floor, round by round; the whisker is the 95 % interval. A whisker that crosses zero is a row this run cannot tell from the floor.",
        ),
        (
            "jitter",
            "The same, over a layout of heavy-tailed delays per round: the pairing cancels the layouts' own spread, so the whiskers show what is left.",
        ),
    ] {
        let group = scenario(name);
        if group
            .iter()
            .any(|r| r.strategy != REFERENCE && r.efficiency_floor.is_some())
        {
            figures.push(Figure {
                file: format!("{name}.svg"),
                svg: over_floor(name, &group)?,
                caption: what.into(),
            });
        }
    }
    let overhead = scenario("overhead");
    if !overhead.is_empty() {
        figures.push(Figure {
            file: "overhead.svg".into(),
            svg: cpu_bars("overhead", &overhead)?,
            caption: "Each bar is a row's own CPU time per request with no delay, the whisker its 95 % interval over the rounds; the reference rows show what a client that only sends and receives needs.".into(),
        });
    }
    let batching = scenario("batching");
    if let Some(first) = batching.first() {
        figures.push(Figure {
            file: "batching.svg".into(),
            svg: time_bars("batching", &batching)?,
            caption: format!("Each bar is a row's mean time for one call of {} titles, the whisker its 95 % interval over the rounds: `batched` sends 20 titles a request, the others one; the reference client is the best one title per request can do at its C.", first.titles),
        });
    }
    // `wan` shows what differs there: each control without keep-alive
    // beside its twin with it, at the same C.
    let wan: Vec<&Row> = scenario("wan")
        .into_iter()
        .filter(|r| {
            let twin =
                wikifetch_runlog::row_name(wikifetch_runlog::kept_alive_row(&r.strategy), false);
            rows.iter().any(|o| {
                o.scenario == "wan" && o.concurrency == r.concurrency && o.strategy == twin
            })
        })
        .collect();
    if !wan.is_empty() {
        figures.push(Figure {
            file: "wan.svg".into(),
            svg: time_bars("wan", &wan)?,
            caption: "Each bar is a row's mean time for one call over HTTPS through the delay line, the whisker its 95 % interval over the rounds (4 rounds: figures, no verdict). Each `-no-keep-alive` control opens a new connection (TCP and TLS) for every request, beside its twin that keeps them; a row marked ⚠ did not do what it claims (see the table).".into(),
        });
    }
    for name in ["concurrency", "sweep"] {
        // Not a capped row (`rayon-default`): one request in flight puts it
        // at 1 % and would squeeze every other line into the top edge; the
        // timeline shows it.
        let group: Vec<&Row> = scenario(name).into_iter().filter(|r| !r.capped).collect();
        if group.iter().any(|r| r.efficiency_floor.is_some()) {
            figures.push(Figure {
                file: format!("efficiency-{name}.svg"),
                svg: efficiency(name, &group)?,
                caption: "Efficiency is the floor's time over the row's (1.00: as fast as the reference client); the band is its 95 % interval against the floor. Where the lines part, the strategies' own costs show; overlapping bands do not make two rows equivalent: the pair tables compare rows with each other.".into(),
            });
        }
    }
    if let Some(figure) = latency_timeline(rows)? {
        figures.push(figure);
    }
    if let Some(figure) = jitter_timeline(rows, log)? {
        figures.push(figure);
    }
    if let Some(figure) = concurrency_timeline(rows)? {
        figures.push(figure);
    }
    if let Some(setup) = log.footprint.as_ref().filter(|f| !f.calls.is_empty()) {
        figures.push(Figure {
            file: "memory.svg".into(),
            svg: memory(&setup.calls)?,
            caption: "Resident memory (left) and OS threads (right, log scale) with every request in flight, at two C: the slope of each line on the left is what one more request in flight costs in memory.".into(),
        });
    }
    Ok(figures)
}

/// One horizontal bar: its label, the strategy (for the colour), its
/// value and the whisker's ends.
struct Bar {
    label: String,
    strategy: String,
    value: f64,
    whisker: Option<(f64, f64)>,
    /// Drawn as a filled bar; `false` for a difference the run cannot
    /// name, which gets its whisker only, so that no bar reads as one.
    filled: bool,
}

impl Bar {
    fn of(r: &Row, value: f64, whisker: Option<(f64, f64)>) -> Self {
        Self {
            label: format!("{} (C = {})", r.strategy, r.concurrency),
            strategy: r.strategy.clone(),
            value,
            whisker,
            filled: true,
        }
    }
}

/// The rows of `rows` at the largest C among them: a plot never sets a
/// C = 1 row beside C = 10 rows as if they were comparable.
fn at_top_c<'r>(rows: &[&'r Row]) -> (usize, Vec<&'r Row>) {
    let c = rows.iter().map(|r| r.concurrency).max().unwrap_or(0);
    (
        c,
        rows.iter()
            .copied()
            .filter(|r| r.concurrency == c)
            .collect(),
    )
}

/// A legend beside the chart, never over its data: one line a series.
fn side_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(String, RGBColor, bool)],
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    for (i, (label, c, dashed)) in entries.iter().enumerate() {
        let y = 48 + 22 * i as i32;
        let style = c.stroke_width(3);
        if *dashed {
            area.draw(&PathElement::new(vec![(6, y), (14, y)], style))?;
            area.draw(&PathElement::new(vec![(20, y), (28, y)], style))?;
        } else {
            area.draw(&PathElement::new(vec![(6, y), (28, y)], style))?;
        }
        area.draw(&Text::new(label.clone(), (34, y - 7), ("sans-serif", 13)))?;
    }
    Ok(())
}

/// Horizontal bars, one per row, each with its whisker, over `x`; with
/// `zero`, a black line at 0 (the floor).
fn hbars(caption: &str, bars: &[Bar], x: Range<f64>, x_desc: &str, zero: bool) -> Plot {
    let mut svg = String::new();
    {
        let n = bars.len();
        let root = SVGBackend::with_string(&mut svg, (860, 80 + 44 * n as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        let decimals = usize::from(x.end - x.start < 20.0);
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(200)
            .build_cartesian_2d(x, 0.0..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&|x| format!("{x:.decimals$}"))
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let i = y.floor() as usize;
                if (y - y.floor() - 0.5).abs() < 0.01 && i < n {
                    bars[n - 1 - i].label.clone()
                } else {
                    String::new()
                }
            })
            .x_desc(x_desc)
            .draw()?;
        if zero {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n as f64)],
                FLOOR.stroke_width(2),
            )))?;
        }
        for (i, bar) in bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            if bar.filled {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.2), (bar.value, y + 0.8)],
                    colour(&bar.strategy).mix(0.85).filled(),
                )))?;
            }
            if let Some((lo, hi)) = bar.whisker {
                whisker(&mut chart, lo, hi, y)?;
            }
        }
        root.present()?;
    }
    Ok(svg)
}

/// Horizontal bars of each row's time over its floor, in per cent, with
/// the paired ratio's 95 % interval as a whisker; the floor is zero.
fn over_floor(title: &str, rows: &[&Row]) -> Plot {
    let pct = |x: f64| (x - 1.0) * 100.0;
    let (c, rows) = at_top_c(rows);
    let bars: Vec<Bar> = rows
        .iter()
        .filter(|r| r.strategy != REFERENCE && r.efficiency_floor.is_some())
        .filter_map(|r| {
            r.floor_ratio.map(|f| Bar {
                filled: f.verdict().names_a_difference(),
                ..Bar::of(r, pct(f.point), Some((pct(f.low), pct(f.high))))
            })
        })
        .collect();
    let low = bars
        .iter()
        .filter_map(|b| b.whisker.map(|w| w.0))
        .fold(0.0, f64::min);
    let high = axis_from_zero(bars.iter().filter_map(|b| b.whisker.map(|w| w.1))).end;
    hbars(
        &format!("{title} at C = {c}: time over the floor, per cent (no bar: no difference shown)"),
        &bars,
        (low - 0.05 * (high - low))..high,
        "time over the floor (%); 0 = the reference client; whisker: 95 % paired interval",
        true,
    )
}

/// A horizontal whisker from `lo` to `hi` across the bar at `y`.
fn whisker<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    lo: f64,
    hi: f64,
    y: f64,
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(lo, y + 0.5), (hi, y + 0.5)],
        BLACK.stroke_width(2),
    )))?;
    for end in [lo, hi] {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(end, y + 0.35), (end, y + 0.65)],
            BLACK.stroke_width(2),
        )))?;
    }
    Ok(())
}

/// Horizontal bars of each row's client CPU per request, with the 95 %
/// interval over its rounds as a whisker.
fn cpu_bars(title: &str, rows: &[&Row]) -> Plot {
    let us = 1e6;
    // Per request: a row that carries several titles a request is not
    // comparable here (the report gives its CPU per title in words).
    let (c, rows) = at_top_c(rows);
    let bars: Vec<Bar> = rows
        .iter()
        .filter(|r| r.titles_per_request == 1)
        .map(|r| {
            Bar::of(
                r,
                r.client_cpu_per_request_s * us,
                r.client_cpu_ci.map(|c| (c.low * us, c.high * us)),
            )
        })
        .collect();
    let x = axis_from_zero(bars.iter().map(|b| b.whisker.map_or(b.value, |w| w.1)));
    hbars(
        &format!("{title} at C = {c}: client CPU per request (µs)"),
        &bars,
        x,
        "client CPU per request (µs), the row's own process; whisker: 95 % interval over the rounds",
        false,
    )
}

/// Horizontal bars of each row's mean time per call, in seconds, with the
/// 95 % interval of the mean as a whisker, C by C.
fn time_bars(title: &str, rows: &[&Row]) -> Plot {
    let mut sorted: Vec<&Row> = rows.to_vec();
    sorted.sort_by_key(|r| r.concurrency);
    let bars: Vec<Bar> = sorted
        .iter()
        .map(|r| {
            let bar = Bar::of(r, r.mean_s, Some((r.ci_low_s, r.ci_high_s)));
            if r.sound() {
                bar
            } else {
                Bar {
                    label: format!("{} ⚠", bar.label),
                    ..bar
                }
            }
        })
        .collect();
    let x = axis_from_zero(bars.iter().map(|b| b.whisker.map_or(b.value, |w| w.1)));
    hbars(
        &format!("{title}: time per call (s)"),
        &bars,
        x,
        "mean time per call (s); whisker: 95 % interval of the mean over the rounds",
        false,
    )
}

/// Efficiency against the floor (floor / row) at each C the scenario ran
/// (one labelled position per C), one line per strategy with its 95 %
/// band; the floor is 1.0, and rows whose floor or mock was rig-bound, or
/// whose premise broke, are crosses. The vertical axis spans the data.
fn efficiency(title: &str, rows: &[&Row]) -> Plot {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 540)).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_horizontally(680);
        let mut cs: Vec<usize> = rows.iter().map(|r| r.concurrency).collect();
        cs.sort_unstable();
        cs.dedup();
        let position = |c: usize| cs.iter().position(|x| *x == c).unwrap_or(0) as f64;
        let lowest = rows
            .iter()
            .filter_map(|r| r.floor_ratio.filter(|_| r.efficiency_floor.is_some()))
            .map(|f| 1.0 / f.high)
            .fold(1.0, f64::min);
        let bottom = (lowest - 0.05 * (efficiency_top(rows) - lowest)).max(0.0);
        let labels = cs.clone();
        let mut chart = ChartBuilder::on(&plot)
            .caption(
                format!(
                    "{title}: efficiency against the floor, N = {}",
                    rows.first().map_or(0, |r| r.titles)
                ),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.4..cs.len() as f64 - 0.6, bottom..efficiency_top(rows))?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_labels(cs.len() * 4 + 1)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 0.01 && i >= 0.0 {
                    labels
                        .get(i as usize)
                        .map_or(String::new(), |c| format!("C = {c}"))
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| format!("{y:.2}"))
            .x_desc("C, requests in flight")
            .y_desc("efficiency: floor time / row time")
            .draw()?;
        chart.draw_series(LineSeries::new(
            vec![(-0.4, 1.0), (cs.len() as f64 - 0.6, 1.0)],
            FLOOR.stroke_width(1),
        ))?;
        let mut entries = vec![("floor (reference client) = 1.0".to_owned(), FLOOR, false)];
        for (name, points) in by_strategy(rows.iter().copied().filter(|r| r.strategy != REFERENCE))
        {
            let c = colour(name);
            entries.push((name.to_owned(), c, false));
            let sound: Vec<&Row> = points.iter().copied().filter(|r| r.sound()).collect();
            let band: Vec<(f64, f64, f64)> = sound
                .iter()
                .filter_map(|r| {
                    let ratio = r.floor_ratio.filter(|_| r.efficiency_floor.is_some())?;
                    Some((position(r.concurrency), 1.0 / ratio.high, 1.0 / ratio.low))
                })
                .collect();
            if band.len() > 1 {
                let polygon: Vec<(f64, f64)> = band
                    .iter()
                    .map(|(x, lo, _)| (*x, *lo))
                    .chain(band.iter().rev().map(|(x, _, hi)| (*x, *hi)))
                    .collect();
                chart.draw_series(std::iter::once(Polygon::new(polygon, c.mix(0.18).filled())))?;
            }
            let line: Vec<(f64, f64)> = sound
                .iter()
                .filter_map(|r| r.efficiency_floor.map(|e| (position(r.concurrency), e)))
                .collect();
            lines_with_points(&mut chart, &[(name, line)])?;
            chart.draw_series(
                points
                    .iter()
                    .filter(|r| !r.sound())
                    .filter_map(|r| r.efficiency_floor.map(|e| (position(r.concurrency), e)))
                    .map(|p| Cross::new(p, 5, c.stroke_width(2))),
            )?;
        }
        side_legend(&legend, &entries)?;
        root.present()?;
    }
    Ok(svg)
}

/// The top of the efficiency axis: 1.05, or more when a band reaches
/// above it (a row faster than its floor), so that every point is drawn.
pub fn efficiency_top(rows: &[&Row]) -> f64 {
    rows.iter()
        .filter_map(|r| r.floor_ratio.filter(|_| r.efficiency_floor.is_some()))
        .map(|f| 1.0 / f.low * 1.02)
        .fold(1.05, f64::max)
}

/// Rows grouped by strategy in the palette's order, each sorted by C.
fn by_strategy<'r>(rows: impl Iterator<Item = &'r Row>) -> Vec<(&'r str, Vec<&'r Row>)> {
    let mut groups: BTreeMap<usize, (&str, Vec<&Row>)> = BTreeMap::new();
    for r in rows {
        let order = palette_position(&r.strategy);
        groups
            .entry(order)
            .or_insert((r.strategy.as_str(), Vec::new()))
            .1
            .push(r);
    }
    groups
        .into_values()
        .map(|(name, mut rows)| {
            rows.sort_by_key(|r| r.concurrency);
            (name, rows)
        })
        .collect()
}

/// The ideal a completion timeline is drawn against.
pub enum Ideal {
    /// No ideal line.
    None,
    /// Fixed delay: C titles complete every `delay` seconds.
    Staircase(f64),
    /// A given schedule: each title's completion time, seconds.
    Curve(&'static str, Vec<f64>),
}

/// The completion timeline: completed titles against time for each row,
/// with an ideal to hold them to.
pub fn timeline(
    runs: &[(String, Vec<f64>)],
    titles: usize,
    concurrency: usize,
    ideal: Ideal,
) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 540)).into_drawing_area();
        root.fill(&WHITE)?;
        let (root, legend) = root.split_horizontally(700);
        let mut entries: Vec<(String, RGBColor, bool)> = Vec::new();
        // Rows with one request in flight: the loop, and rayon's default
        // pool on one CPU.
        let one_at_a_time = |n: &str| n == "sequential" || n == "rayon-default";
        let last = |name_is_sequential: bool| {
            runs.iter()
                .filter(|(n, _)| one_at_a_time(n) == name_is_sequential)
                .flat_map(|(_, c)| c.last().copied())
                .fold(0.0, f64::max)
        };
        // A sequential run ten times longer would squeeze the others into
        // the left edge: stop the axis after the concurrent ones and say so.
        let (others, sequential) = (last(false), last(true));
        let ideal_end = match &ideal {
            Ideal::Curve(_, v) => v.iter().copied().fold(0.0, f64::max),
            _ => 0.0,
        };
        let clipped = others > 0.0 && sequential > 3.0 * others;
        let t_max = if clipped {
            others.max(ideal_end) * 1.3
        } else {
            others.max(sequential).max(ideal_end) * 1.05
        } * 1e3;
        let caption = if clipped {
            format!(
                "completions: N = {titles}, C = {concurrency} (one at a time: {}, on to {:.0} ms)",
                runs.iter()
                    .map(|(n, _)| n.as_str())
                    .filter(|n| one_at_a_time(n))
                    .collect::<Vec<_>>()
                    .join(", "),
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
            .light_line_style(WHITE)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("time since fetch_all began (ms)")
            .y_desc("titles completed")
            .draw()?;
        match ideal {
            Ideal::Staircase(d) if d > 0.0 => {
                let mut steps = vec![(0.0, 0.0)];
                let mut done = 0usize;
                let mut t = 0.0;
                while done < titles && t * 1e3 < t_max {
                    t += d;
                    steps.push((t * 1e3, done as f64));
                    done = (done + concurrency).min(titles);
                    steps.push((t * 1e3, done as f64));
                }
                chart.draw_series(LineSeries::new(steps, BLACK.stroke_width(1)))?;
                entries.push(("ideal: C titles every delay".into(), BLACK, false));
            }
            Ideal::Curve(label, mut finishes) => {
                finishes.sort_by(f64::total_cmp);
                let points: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
                    .chain(
                        finishes
                            .iter()
                            .enumerate()
                            .map(|(i, t)| (t * 1e3, (i + 1) as f64)),
                    )
                    .collect();
                chart.draw_series(DashedLineSeries::new(points, 6, 4, BLACK.stroke_width(2)))?;
                entries.push((label.into(), BLACK, true));
            }
            _ => {}
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
            chart.draw_series(LineSeries::new(points, c.stroke_width(2)))?;
            entries.push((name.clone(), c, false));
        }
        side_legend(&legend, &entries)?;
        root.present()?;
    }
    Ok(svg)
}

/// Each sound row's completions in its first timed call.
fn runs_of<'r>(rows: impl Iterator<Item = &'r Row>) -> Vec<(String, Vec<f64>)> {
    rows.filter(|r| r.sound() && !r.timeline.is_empty())
        .map(|r| (r.strategy.clone(), r.timeline.clone()))
        .collect()
}

/// `wikifetch compare --plot`: the first timed call of every row of the
/// log's one scenario against the ideal: the staircase of a fixed delay,
/// or an in-order queue over the mock's delays.
pub fn compare_timeline(log: &RunLog, rows: &[Row]) -> Result<String, Error> {
    let scenario = log.scenarios.first().ok_or("the log has no scenario")?;
    let c = scenario.concurrency.first().copied().unwrap_or(1);
    let runs = runs_of(rows.iter());
    let ideal = match scenario.fixed_delay_s {
        Some(d) => Ideal::Staircase(d + scenario.rtt_s),
        None => {
            let delays: Vec<f64> = scenario
                .delays(0)
                .iter()
                .map(|d| d + scenario.rtt_s)
                .collect();
            Ideal::Curve(
                "in-order queue over the same delays (one schedule)",
                queue_completions(&delays, c),
            )
        }
    };
    timeline(&runs, scenario.titles, c, ideal)
}

/// `latency`'s first call per row: `sequential` completes one title per
/// delay, the concurrent rows C.
fn latency_timeline(rows: &[Row]) -> Result<Option<Figure>, Error> {
    let group: Vec<&Row> = rows.iter().filter(|r| r.scenario == "latency").collect();
    let runs = runs_of(group.iter().copied());
    let Some(c) = group.iter().map(|r| r.concurrency).max() else {
        return Ok(None);
    };
    let Some(first) = group.iter().find(|r| r.concurrency == c) else {
        return Ok(None);
    };
    if runs.is_empty() {
        return Ok(None);
    }
    let delay = first
        .ideal_s
        .map(|i| i / first.titles.div_ceil(c.max(1)) as f64);
    Ok(Some(Figure {
        file: "timeline-latency.svg".into(),
        svg: timeline(
            &runs,
            first.titles,
            c,
            delay.map_or(Ideal::None, Ideal::Staircase),
        )?,
        caption: format!(
            "One call per row: the C = {c} rows finish C titles per delay, close to the staircase, while `sequential` finishes one per delay and runs on far past the axis."
        ),
    }))
}

/// `jitter`'s first call per row against an in-order queue over the same
/// delays (layout 0).
fn jitter_timeline(rows: &[Row], log: &RunLog) -> Result<Option<Figure>, Error> {
    let Some(scenario) = log.scenario("jitter") else {
        return Ok(None);
    };
    let group: Vec<&Row> = rows.iter().filter(|r| r.scenario == "jitter").collect();
    let runs = runs_of(group.iter().copied());
    let Some(c) = group.first().map(|r| r.concurrency) else {
        return Ok(None);
    };
    if runs.is_empty() {
        return Ok(None);
    }
    let delays: Vec<f64> = scenario
        .delays(0)
        .iter()
        .map(|d| d + scenario.rtt_s)
        .collect();
    let queue = queue_completions(&delays, c);
    Ok(Some(Figure {
        file: "timeline-jitter.svg".into(),
        svg: timeline(
            &runs,
            scenario.titles,
            c,
            Ideal::Curve("in-order queue over the same delays (ideal)", queue),
        )?,
        caption: "One call per row on the first layout of delays: the in-order rows follow the dashed queue; rayon takes the titles in another order and meets the slow ones at other moments. One layout: the table holds every round's.".into(),
    }))
}

/// The file of `concurrency`'s timeline at C = `c`: the finding that
/// links to it names it through here.
pub(crate) fn concurrency_timeline_file(c: usize) -> String {
    format!("timeline-concurrency-c{c}.svg")
}

/// `concurrency` at its largest C: the first call per row against the
/// ideal staircase.
fn concurrency_timeline(rows: &[Row]) -> Result<Option<Figure>, Error> {
    let group: Vec<&Row> = rows
        .iter()
        .filter(|r| r.scenario == "concurrency")
        .collect();
    let Some(c) = group.iter().map(|r| r.concurrency).max() else {
        return Ok(None);
    };
    let at: Vec<&Row> = group.into_iter().filter(|r| r.concurrency == c).collect();
    let runs = runs_of(at.iter().copied());
    let (Some(first), false) = (at.first(), runs.is_empty()) else {
        return Ok(None);
    };
    let delay = first
        .ideal_s
        .map(|i| i / first.titles.div_ceil(c.max(1)) as f64);
    Ok(Some(Figure {
        file: concurrency_timeline_file(c),
        svg: timeline(
            &runs,
            first.titles,
            c,
            delay.map_or(Ideal::None, Ideal::Staircase),
        )?,
        caption: format!(
            "One call per row at C = {c}: each step of the staircase is C answers due together; the mock counted C in flight for every row, so a line that lags a step is a client taking longer to handle C answers that arrive together."
        ),
    }))
}

/// One line with a dot at each point per strategy, in its colour and
/// labelled with its name for the legend.
fn lines_with_points<DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    series: &[(&str, Vec<(f64, f64)>)],
) -> Result<(), Error>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: plotters::coord::CoordTranslate<From = (f64, f64)>,
{
    for (name, points) in series {
        let c = colour(name);
        chart
            .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, c.filled())))?;
    }
    Ok(())
}

/// Resident memory (left) and OS threads (right) against requests in
/// flight, from the footprints: one line per row.
fn memory(footprints: &[Footprint]) -> Plot {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1180, 480)).into_drawing_area();
        root.fill(&WHITE)?;
        let (charts, legend) = root.split_horizontally(980);
        let (left, right) = charts.split_horizontally(490);
        let mut names: Vec<&str> = footprints.iter().map(|f| f.strategy.as_str()).collect();
        names.dedup();
        let x = axis_from_zero(footprints.iter().map(|f| f.in_flight as f64));
        let y = axis_from_zero(footprints.iter().map(|f| f.peak_rss_kib as f64 / 1024.0));
        let mut chart = ChartBuilder::on(&left)
            .caption("resident memory at the peak", ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x.clone(), y)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("requests in flight (counted by the mock)")
            .y_desc("resident memory (MiB)")
            .draw()?;
        let series = |value: fn(&Footprint) -> f64| {
            names
                .iter()
                .map(|name| {
                    let points = footprints
                        .iter()
                        .filter(|f| f.strategy == *name)
                        .map(|f| (f.in_flight as f64, value(f)))
                        .collect();
                    (*name, points)
                })
                .collect::<Vec<_>>()
        };
        lines_with_points(&mut chart, &series(|f| f.peak_rss_kib as f64 / 1024.0))?;
        let threads_max = footprints.iter().map(|f| f.peak_threads).max().unwrap_or(1) as f64;
        let mut chart = ChartBuilder::on(&right)
            .caption("OS threads at the peak", ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x, (0.8..threads_max * 1.5).log_scale())?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("requests in flight (counted by the mock)")
            .y_desc("OS threads (log scale; thread rows overlap)")
            .draw()?;
        lines_with_points(&mut chart, &series(|f| f.peak_threads.max(1) as f64))?;
        let entries: Vec<(String, RGBColor, bool)> = names
            .iter()
            .map(|n| ((*n).to_owned(), colour(n), false))
            .collect();
        side_legend(&legend, &entries)?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::prose::tests::row;
    use wikifetch_runlog::Footprint;

    /// Parses `svg` and returns every text it shows.
    fn texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).expect("the SVG parses");
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(str::to_owned))
            .collect()
    }

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    fn rows() -> Vec<Row> {
        let at = |scenario: &str, name: &str, c: usize, mean: f64| Row {
            scenario: scenario.into(),
            timeline: (1..=10).map(|i| mean * f64::from(i) / 10.0).collect(),
            ..row(name, c, mean, mean * 0.01, 30e-6)
        };
        let mut rows = Vec::new();
        for name in ["thread-pool", "rayon", "smol"] {
            rows.push(at("latency", name, 10, 0.21));
            for (c, t) in [(10, 0.41), (50, 0.085), (100, 0.045)] {
                rows.push(at("concurrency", name, c, t));
            }
        }
        rows
    }

    #[test]
    fn every_plot_parses_and_names_each_strategy_in_its_colour() {
        let rows = rows();
        let mut log = RunLog {
            footprint: Some(wikifetch_runlog::FootprintSetup {
                delay_s: 1.0,
                concurrencies: [100, 1000],
                calls: Vec::new(),
            }),
            ..RunLog::default()
        };
        for (name, c, rss, threads) in [
            ("thread-pool", 100, 40_000, 101),
            ("thread-pool", 1000, 300_000, 1001),
            ("smol", 100, 9_000, 3),
            ("smol", 1000, 30_000, 3),
        ] {
            log.footprint.as_mut().unwrap().calls.push(Footprint {
                strategy: name.into(),
                concurrency: c,
                idle_rss_kib: rss,
                peak_rss_kib: rss,
                idle_threads: threads,
                peak_threads: threads,
                in_flight: c,
                connections: 0,
                wall_s: 1.0,
                titles: c,
                client_cpu_s: 0.1,
            });
        }
        let figures = all(&rows, &log).unwrap();
        let files: Vec<&str> = figures.iter().map(|f| f.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "latency.svg",
                "efficiency-concurrency.svg",
                "timeline-latency.svg",
                "timeline-concurrency-c100.svg",
                "memory.svg"
            ]
        );
        for f in &figures {
            let shown = texts(&f.svg);
            assert!(!f.caption.is_empty());
            for name in ["thread-pool", "smol"] {
                assert!(
                    shown.iter().any(|t| t.contains(name)),
                    "{}: no label for {name}: {shown:?}",
                    f.file
                );
                assert!(
                    f.svg.contains(&hex(colour(name))),
                    "{}: {name}'s colour",
                    f.file
                );
            }
        }
        // Units on the axes.
        let efficiency = &figures[1];
        assert!(
            texts(&efficiency.svg)
                .iter()
                .any(|t| t.contains("C, requests in flight"))
        );
        assert!(texts(&figures[4].svg).iter().any(|t| t.contains("(MiB)")));
    }

    #[test]
    fn colours_are_distinct_and_stable() {
        let mut seen: Vec<RGBColor> = PALETTE.iter().map(|(n, _)| colour(n)).collect();
        seen.push(colour(REFERENCE));
        for (i, a) in seen.iter().enumerate() {
            for b in &seen[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(colour("smol"), colour("smol"));
    }

    #[test]
    fn the_efficiency_axis_holds_every_band() {
        let rows = rows();
        // The latency rows (0.21 s) are slower than their floor (0.2 s).
        let refs: Vec<&Row> = rows.iter().filter(|r| r.scenario == "latency").collect();
        let top = efficiency_top(&refs);
        assert!(
            (top - 1.05).abs() < 1e-12,
            "rows slower than the floor: {top}"
        );
        let fast = Row {
            floor_ratio: wikifetch_stats::Paired::of(
                &[0.8, 0.9],
                &[1.0, 1.0],
                wikifetch_stats::Margin::TIME,
            ),
            ..rows[0].clone()
        };
        let top = efficiency_top(&[&fast]);
        assert!(top >= 1.0 / 0.8, "{top}");
    }

    #[test]
    fn axes_from_zero_hold_every_value() {
        let r = axis_from_zero([3.0, 7.5, 1.0, f64::NAN]);
        assert_eq!(r.start, 0.0);
        assert!(r.end > 7.5 && r.end < 9.0, "{r:?}");
        assert!(axis_from_zero([]).end > 0.0);
    }
}
