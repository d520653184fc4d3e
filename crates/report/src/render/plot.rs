//! The report's SVG plots, drawn with plotters (no external program).
//!
//! Each plot shows one thing the report argues, with its uncertainty: each
//! row's time over its floor (the paired Hodges–Lehmann ratio, with its
//! 95 % interval as whiskers), a row's median time or CPU with the 95 %
//! interval of the median, efficiency against a logarithmic C with
//! interval bands, the completion timeline of one call per row, and memory
//! and threads against requests in flight. A strategy has the same colour,
//! dash and marker in every plot ([`colour`]); a row that is rig-bound or
//! broke its premise carries ⚠ wherever it is named.

use std::collections::BTreeMap;
use std::ops::Range;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use crate::analysis::queue_completions;
use crate::analysis::{REFERENCE, Row};
use wikifetch_runlog::Footprint;
use wikifetch_runlog::RunLog;
use wikifetch_stats::{MEDIAN_CI_ROUNDS, median_interval};

/// How a strategy's line is stroked, beside its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    Dotted,
}

/// The marker at a strategy's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// One colour, dash and marker per strategy, the same in every plot, in
/// the order plots list the strategies. The colours are Okabe and Ito's
/// seven and five of Paul Tol's muted set, placed so that rows that differ
/// in one thing only (the client: `thread-pool`/`thread-pool-hyper`,
/// `tokio`/`tokio-hyper`; the model: `thread-pool-hyper` against `smol`,
/// `tokio-hyper`, `tokio-current-thread`) get far-apart hues, also under
/// red-green colour blindness; twelve colours cannot all be, so no two
/// strategies share both dash and marker either. A strategy the palette
/// does not know gets the first style.
const PALETTE: [(&str, RGBColor, Dash, Mark); 12] = [
    (
        "sequential",
        RGBColor(110, 110, 110),
        Dash::Dotted,
        Mark::Circle,
    ),
    (
        "thread-pool",
        RGBColor(0, 114, 178),
        Dash::Solid,
        Mark::Circle,
    ),
    (
        "thread-pool-hyper",
        RGBColor(225, 200, 30),
        Dash::Dashed,
        Mark::Square,
    ),
    (
        "thread-per-request",
        RGBColor(230, 159, 0),
        Dash::Solid,
        Mark::Triangle,
    ),
    ("rayon", RGBColor(0, 158, 115), Dash::Solid, Mark::Diamond),
    (
        "rayon-default",
        RGBColor(153, 153, 51),
        Dash::Dashed,
        Mark::Diamond,
    ),
    ("tokio", RGBColor(213, 94, 0), Dash::Solid, Mark::Square),
    (
        "async-std",
        RGBColor(204, 121, 167),
        Dash::Dotted,
        Mark::Triangle,
    ),
    ("smol", RGBColor(140, 86, 75), Dash::Dashed, Mark::Circle),
    (
        "tokio-hyper",
        RGBColor(86, 180, 233),
        Dash::Dashed,
        Mark::Triangle,
    ),
    (
        "tokio-current-thread",
        RGBColor(51, 34, 136),
        Dash::Dotted,
        Mark::Square,
    ),
    (
        "batched",
        RGBColor(136, 34, 85),
        Dash::Dotted,
        Mark::Diamond,
    ),
];

/// Where `row`'s strategy stands in [`PALETTE`] (a control without
/// keep-alive stands with its strategy); unknown names come last.
fn palette_position(row: &str) -> usize {
    let name = wikifetch_runlog::kept_alive_row(row);
    PALETTE
        .iter()
        .position(|(n, ..)| *n == name)
        .unwrap_or(PALETTE.len())
}

/// The reference client (the floor) is black.
const FLOOR: RGBColor = RGBColor(0, 0, 0);

/// The colour of `strategy` (or of the floor) in every plot.
pub fn colour(strategy: &str) -> RGBColor {
    style(strategy).0
}

/// The colour, dash and marker of `strategy` (or of the floor: black,
/// solid, circles) in every plot. A control without keep-alive wears its
/// strategy's.
pub(crate) fn style(strategy: &str) -> (RGBColor, Dash, Mark) {
    if strategy == REFERENCE {
        return (FLOOR, Dash::Solid, Mark::Circle);
    }
    let (_, c, d, m) = PALETTE
        .get(palette_position(strategy))
        .copied()
        .unwrap_or(PALETTE[0]);
    (c, d, m)
}

/// The mark every row that is rig-bound or broke its premise carries in a
/// plot: its figures are drawn, nothing is concluded from them.
const UNSOUND: &str = "⚠";

/// `label`, with ⚠ when `sound` is false.
fn marked(label: String, sound: bool) -> String {
    if sound {
        label
    } else {
        format!("{label} {UNSOUND}")
    }
}

/// The sentence a caption ends with when a plot marks a row.
const UNSOUND_WORDS: &str = " ⚠: the row was rig-bound or broke its premise (see the table); it is drawn, and nothing is concluded from it.";

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

/// The caption's closing sentence on ⚠ when any of `rows` carries it.
fn unsound_words<'r>(mut rows: impl Iterator<Item = &'r Row>) -> &'static str {
    if rows.any(|r| !r.sound()) {
        UNSOUND_WORDS
    } else {
        ""
    }
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
            "Each bar is how much longer a row took than its floor (their paired ratio minus 1), the whisker its 95 % interval; a bar is drawn only where the verdict names a difference.",
        ),
        (
            "jitter",
            "The same, over a layout of heavy-tailed delays per round: pairing cancels the spread that hits both rows alike; what a layout does to one row and not the other stays in the whisker.",
        ),
    ] {
        let group = scenario(name);
        if group
            .iter()
            .any(|r| r.strategy != REFERENCE && r.efficiency_floor.is_some())
        {
            let shown = at_top_c(&group).1;
            let capped = if shown.iter().any(|r| r.capped && r.strategy != REFERENCE) {
                " A row capped below C (`rayon-default`) has a panel and an axis of its own."
            } else {
                ""
            };
            figures.push(Figure {
                file: format!("{name}.svg"),
                svg: over_floor(name, &group)?,
                caption: format!(
                    "{what}{capped}{}",
                    unsound_words(shown.iter().copied().filter(|r| r.strategy != REFERENCE))
                ),
            });
        }
    }
    let overhead = scenario("overhead");
    if !overhead.is_empty() {
        let shown = at_top_c(&overhead).1;
        figures.push(Figure {
            file: "overhead.svg".into(),
            svg: cpu_bars("overhead", &overhead)?,
            caption: format!(
                "Each bar is a row's own CPU time per request with no delay, the median over its calls; the whisker is the 95 % interval of that median over the calls pooled (the table's interval, over blocks, is wider). The reference rows are a client that only sends and receives.{}",
                unsound_words(shown.iter().copied())
            ),
        });
    }
    let batching = scenario("batching");
    if let Some(first) = batching.first() {
        figures.push(Figure {
            file: "batching.svg".into(),
            svg: time_bars("batching", &batching)?,
            caption: format!(
                "Each bar is a row's median time for one call of {} titles, the whisker {}: `batched` sends 20 titles a request, the others one; the reference client is the best one title per request can do at its C.{}",
                first.titles,
                spread_words(&batching),
                unsound_words(batching.iter().copied())
            ),
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
            caption: format!(
                "Each bar is a row's median time for one call over HTTPS through the delay line, the whisker {} (the table's verdicts compare each row with its floor). Each `-no-keep-alive` control opens a new connection (TCP and TLS) for every request, beside its twin that keeps them.{}",
                spread_words(&wan),
                unsound_words(wan.iter().copied())
            ),
        });
    }
    for name in ["concurrency", "sweep"] {
        // Not a capped row (`rayon-default`): one request in flight puts it
        // at 1 % and would squeeze every other line into the top edge; the
        // timeline shows it.
        let group: Vec<&Row> = scenario(name).into_iter().filter(|r| !r.capped).collect();
        if group.iter().any(|r| r.efficiency_floor.is_some()) {
            let several_c = group
                .windows(2)
                .any(|w| w[0].concurrency != w[1].concurrency);
            figures.push(Figure {
                file: format!("efficiency-{name}.svg"),
                svg: efficiency(name, &group)?,
                caption: format!(
                    "Efficiency is 1 / the row's time over its floor's, their paired ratio (1.00: as fast as the reference client), {}. Overlapping {} do not make two rows equivalent: the pair tables compare rows with each other.{}",
                    if several_c {
                        "at each C on a logarithmic axis; the band is its 95 % interval"
                    } else {
                        "a bar a row at the scenario's one C; the whisker is its 95 % interval (the `scale` curve takes the same question across C)"
                    },
                    if several_c { "bands" } else { "whiskers" },
                    unsound_words(group.iter().copied().filter(|r| r.strategy != REFERENCE))
                ),
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
    if let Some(figure) = super::scale::figure(log)? {
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

/// What a time bar's whisker is for `rows`: the 95 % interval of the
/// median where the rounds allow one, else their range.
fn spread_words(rows: &[&Row]) -> String {
    let rounds = rows.iter().map(|r| r.walls.len()).min().unwrap_or(0);
    if rounds >= MEDIAN_CI_ROUNDS {
        "the 95 % interval of the median over the rounds (order statistics)".into()
    } else if rows.iter().all(|r| r.walls.len() < MEDIAN_CI_ROUNDS) {
        format!(
            "the range of its {} rounds (too few for a 95 % interval of the median)",
            rows.first().map_or(0, |r| r.walls.len())
        )
    } else {
        "the 95 % interval of the median over the rounds (order statistics), or the range of the rounds where they are too few for one".into()
    }
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
    /// `r`'s bar, labelled with its strategy and C, and ⚠ when it is
    /// rig-bound or broke its premise.
    fn of(r: &Row, value: f64, whisker: Option<(f64, f64)>) -> Self {
        Self {
            label: marked(format!("{} (C = {})", r.strategy, r.concurrency), r.sound()),
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

/// One entry of a legend: a stretch of line in a colour and dash, with a
/// marker or not, and its label.
pub(crate) struct Key {
    label: String,
    colour: RGBColor,
    dash: Dash,
    mark: Option<Mark>,
}

impl Key {
    /// `strategy`'s entry, in its style, labelled `label`.
    pub(crate) fn of(strategy: &str, label: String) -> Self {
        let (colour, dash, mark) = style(strategy);
        Self {
            label,
            colour,
            dash,
            mark: Some(mark),
        }
    }

    /// A line without a marker (the floor, an ideal).
    fn line(label: impl Into<String>, colour: RGBColor, dash: Dash) -> Self {
        Self {
            label: label.into(),
            colour,
            dash,
            mark: None,
        }
    }
}

/// The width of a character of the legend's 13 px sans-serif, a little
/// generous, for wrapping.
const CHAR_PX: f64 = 7.2;

/// `text` in lines of at most `width` characters, broken at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// A legend beside the chart, never over its data: one entry a series,
/// each label wrapped to the legend's width, then `notes` in italics.
pub(crate) fn side_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    keys: &[Key],
    notes: &[String],
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    let width = ((f64::from(area.dim_in_pixel().0) - 46.0) / CHAR_PX).max(12.0) as usize;
    let mut y = 48;
    for key in keys {
        let style = key.colour.stroke_width(3);
        let ends = vec![(4, y), (36, y)];
        match key.dash {
            Dash::Solid => area.draw(&PathElement::new(ends, style))?,
            Dash::Dashed => area.draw(&DashedPathElement::new(ends, 8, 4, style))?,
            Dash::Dotted => area.draw(&DashedPathElement::new(ends, 3, 3, style))?,
        }
        if let Some(mark) = key.mark {
            legend_mark(area, (20, y), key.colour, mark)?;
        }
        for (i, line) in wrap(&key.label, width).into_iter().enumerate() {
            area.draw(&Text::new(
                line,
                (42, y - 7 + 16 * i as i32),
                ("sans-serif", 13),
            ))?;
            if i > 0 {
                y += 16;
            }
        }
        y += 22;
    }
    y += 6;
    for note in notes {
        for line in wrap(note, width + 4) {
            area.draw(&Text::new(
                line,
                (6, y - 7),
                ("sans-serif", 12).into_font().style(FontStyle::Italic),
            ))?;
            y += 15;
        }
        y += 6;
    }
    Ok(())
}

/// A marker of `mark`'s shape at pixel `p` of a legend.
fn legend_mark<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: (i32, i32),
    colour: RGBColor,
    mark: Mark,
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    let s = 5;
    let fill = colour.filled();
    match mark {
        Mark::Circle => area.draw(&Circle::new(p, s, fill))?,
        Mark::Triangle => area.draw(&TriangleMarker::new(p, s + 1, fill))?,
        Mark::Square => {
            area.draw(
                &(EmptyElement::at(p) + Rectangle::new([(-s + 1, -s + 1), (s - 1, s - 1)], fill)),
            )?;
        }
        Mark::Diamond => {
            area.draw(
                &(EmptyElement::at(p) + Polygon::new(vec![(0, -s), (s, 0), (0, s), (-s, 0)], fill)),
            )?;
        }
    }
    Ok(())
}

/// `points` as one line in `colour`, stroked with `dash`.
pub(crate) fn line<DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    points: Vec<(f64, f64)>,
    colour: RGBColor,
    dash: Dash,
    width: u32,
) -> Result<(), Error>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: plotters::coord::CoordTranslate<From = (f64, f64)>,
{
    let style = colour.stroke_width(width);
    match dash {
        Dash::Solid => {
            chart.draw_series(LineSeries::new(points, style))?;
        }
        Dash::Dashed => {
            chart.draw_series(DashedLineSeries::new(points, 9, 5, style))?;
        }
        Dash::Dotted => {
            chart.draw_series(DashedLineSeries::new(points, 3, 4, style))?;
        }
    }
    Ok(())
}

/// A marker of `mark`'s shape at each of `points`.
pub(crate) fn marks<DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    points: &[(f64, f64)],
    colour: RGBColor,
    mark: Mark,
) -> Result<(), Error>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: plotters::coord::CoordTranslate<From = (f64, f64)>,
{
    let s = 4;
    let fill = colour.filled();
    let at = points.iter().copied();
    match mark {
        Mark::Circle => {
            chart.draw_series(at.map(|p| Circle::new(p, s, fill)))?;
        }
        Mark::Triangle => {
            chart.draw_series(at.map(|p| TriangleMarker::new(p, s + 1, fill)))?;
        }
        Mark::Square => {
            chart.draw_series(at.map(|p| {
                EmptyElement::at(p) + Rectangle::new([(-s + 1, -s + 1), (s - 1, s - 1)], fill)
            }))?;
        }
        Mark::Diamond => {
            chart.draw_series(at.map(|p| {
                EmptyElement::at(p)
                    + Polygon::new(vec![(0, -s - 1), (s + 1, 0), (0, s + 1), (-s - 1, 0)], fill)
            }))?;
        }
    }
    Ok(())
}

/// The pixels one bar takes, and the chart's frame around the bars.
const BAR_PX: u32 = 44;
const BAR_FRAME_PX: u32 = 84;

/// Horizontal bars, one per row, each with its whisker, over `x`, drawn
/// into `area`; with `zero`, a black line at 0 (the floor).
fn bar_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    bars: &[Bar],
    x: Range<f64>,
    x_desc: &str,
    (zero, label_px): (bool, u32),
) -> Result<(), Error>
where
    DB::ErrorType: 'static,
{
    let n = bars.len();
    let decimals = usize::from(x.end - x.start < 20.0);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(label_px)
        .build_cartesian_2d(x, 0.0..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 13))
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
    Ok(())
}

/// [`bar_panel`] alone in an SVG of its own.
fn hbars(caption: &str, bars: &[Bar], x: Range<f64>, x_desc: &str, zero: bool) -> Plot {
    let mut svg = String::new();
    {
        let height = BAR_FRAME_PX + BAR_PX * bars.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        root.fill(&WHITE)?;
        bar_panel(&root, caption, bars, x, x_desc, (zero, label_px(bars)))?;
        root.present()?;
    }
    Ok(svg)
}

/// The pixels left of the bars for their labels: room for the longest,
/// ⚠ included.
fn label_px(bars: &[Bar]) -> u32 {
    bars.iter()
        .map(|b| (b.label.chars().count() as f64 * CHAR_PX) as u32 + 24)
        .fold(200, u32::max)
}

/// An axis for per-cent bars that holds 0 and every whisker.
fn percent_axis(bars: &[Bar]) -> Range<f64> {
    let low = bars
        .iter()
        .filter_map(|b| b.whisker.map(|w| w.0))
        .fold(0.0, f64::min);
    let high = axis_from_zero(bars.iter().filter_map(|b| b.whisker.map(|w| w.1))).end;
    (low - 0.05 * (high - low))..high
}

/// Horizontal bars of each row's time over its floor, in per cent (the
/// Hodges–Lehmann estimate of the paired ratio), with its 95 % interval as
/// a whisker; the floor is zero. A capped row (`rayon-default`, one
/// request in flight whatever C) is hundreds of per cent over and gets a
/// panel and an axis of its own below the others.
fn over_floor(title: &str, rows: &[&Row]) -> Plot {
    let pct = |x: f64| (x - 1.0) * 100.0;
    let (c, rows) = at_top_c(rows);
    let bar = |r: &&Row| {
        r.floor_ratio.map(|f| Bar {
            filled: f.verdict().names_a_difference(),
            ..Bar::of(r, pct(f.point), Some((pct(f.low), pct(f.high))))
        })
    };
    let shown = |capped: bool| -> Vec<Bar> {
        rows.iter()
            .filter(|r| r.strategy != REFERENCE && r.efficiency_floor.is_some())
            .filter(|r| r.capped == capped)
            .filter_map(bar)
            .collect()
    };
    let (free, capped) = (shown(false), shown(true));
    let caption =
        format!("{title} at C = {c}: time over the floor, per cent (no bar: no difference named)");
    let x_desc =
        "time over the floor (%), paired; 0 = the reference client; whisker: 95 % interval";
    if free.is_empty() || capped.is_empty() {
        let bars: Vec<Bar> = free.into_iter().chain(capped).collect();
        return hbars(&caption, &bars, percent_axis(&bars), x_desc, true);
    }
    let mut svg = String::new();
    {
        let top = BAR_FRAME_PX + BAR_PX * free.len() as u32;
        let bottom = BAR_FRAME_PX + 10 + BAR_PX * capped.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (900, top + bottom)).into_drawing_area();
        root.fill(&WHITE)?;
        let (upper, lower) = root.split_vertically(top);
        // The same room for labels in both panels, so that they align.
        let px = label_px(&free).max(label_px(&capped));
        bar_panel(
            &upper,
            &caption,
            &free,
            percent_axis(&free),
            x_desc,
            (true, px),
        )?;
        bar_panel(
            &lower,
            "capped below C whatever C is (one request in flight): an axis of its own",
            &capped,
            percent_axis(&capped),
            x_desc,
            (true, px),
        )?;
        root.present()?;
    }
    Ok(svg)
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

/// A row's median and its whisker: the 95 % interval of the median, or
/// below [`MEDIAN_CI_ROUNDS`] values the range of the values; `None` for
/// no values.
fn median_with_whisker(values: &[f64]) -> Option<(f64, (f64, f64))> {
    let median = wikifetch_stats::median(values)?;
    let spread = median_interval(values).or_else(|| {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((lo, hi))
    })?;
    Some((median, spread))
}

/// Horizontal bars of each row's client CPU per request: the median over
/// the rounds of each call's CPU over the row's requests per call, with
/// the 95 % interval of that median as a whisker (a row without per-call
/// CPU in the log shows its ratio of sums, without a whisker).
fn cpu_bars(title: &str, rows: &[&Row]) -> Plot {
    let us = 1e6;
    // Per request: a row that carries several titles a request is not
    // comparable here (the report gives its CPU per title in words).
    let (c, rows) = at_top_c(rows);
    let bars: Vec<Bar> = rows
        .iter()
        .filter(|r| r.titles_per_request == 1)
        .map(|r| {
            let per_request: Vec<f64> = r
                .cpus
                .iter()
                .filter(|_| r.requests_per_call > 0.0)
                .map(|cpu| cpu / r.requests_per_call * us)
                .collect();
            match median_with_whisker(&per_request) {
                Some((median, spread)) => Bar::of(r, median, Some(spread)),
                None => Bar::of(r, r.client_cpu_per_request_s * us, None),
            }
        })
        .collect();
    let x = axis_from_zero(bars.iter().map(|b| b.whisker.map_or(b.value, |w| w.1)));
    hbars(
        &format!("{title} at C = {c}: client CPU per request (µs), median over the rounds"),
        &bars,
        x,
        "client CPU per request (µs), the row's own process; whisker: 95 % interval of the median",
        false,
    )
}

/// Horizontal bars of each row's median time per call, in seconds, with
/// the 95 % interval of the median as a whisker (the range of the rounds
/// where they are too few for one), C by C.
fn time_bars(title: &str, rows: &[&Row]) -> Plot {
    let mut sorted: Vec<&Row> = rows.to_vec();
    sorted.sort_by_key(|r| r.concurrency);
    let bars: Vec<Bar> = sorted
        .iter()
        .map(|r| match median_with_whisker(&r.walls) {
            Some((median, spread)) => Bar::of(r, median, Some(spread)),
            None => Bar::of(r, r.median_s, Some((r.min_s, r.max_s))),
        })
        .collect();
    let x = axis_from_zero(bars.iter().map(|b| b.whisker.map_or(b.value, |w| w.1)));
    let few = sorted.iter().any(|r| r.walls.len() < MEDIAN_CI_ROUNDS);
    hbars(
        &format!("{title}: median time per call (s)"),
        &bars,
        x,
        if few {
            "median time per call (s); whisker: the range of the rounds (too few for a 95 % interval)"
        } else {
            "median time per call (s); whisker: 95 % interval of the median over the rounds"
        },
        false,
    )
}

/// A row's efficiency against its floor and its 95 % band: 1 / the paired
/// Hodges–Lehmann ratio, and 1 / its interval's ends; `None` without a
/// sound floor.
fn efficiency_of(r: &Row) -> Option<(f64, f64, f64)> {
    let ratio = r.floor_ratio.filter(|_| r.efficiency_floor.is_some())?;
    Some((1.0 / ratio.point, 1.0 / ratio.high, 1.0 / ratio.low))
}

/// [`efficiency`] at one C: a bar a row with its 95 % band, the floor at
/// 1.0 drawn as the axis's end, so that rows do not stack on one point.
fn efficiency_bars(title: &str, c: usize, rows: &[&Row]) -> Plot {
    let bars: Vec<Bar> = rows
        .iter()
        .filter(|r| r.strategy != REFERENCE)
        .filter_map(|r| efficiency_of(r).map(|(e, lo, hi)| Bar::of(r, e, Some((lo, hi)))))
        .collect();
    let top = bars
        .iter()
        .map(|b| b.whisker.map_or(b.value, |w| w.1))
        .fold(1.0, f64::max);
    hbars(
        &format!(
            "{title}: efficiency against the floor at C = {c}, N = {}",
            rows.first().map_or(0, |r| r.titles)
        ),
        &bars,
        0.0..top * 1.02,
        "efficiency: 1 / (row time / floor time), paired (1.00: as fast as the floor); whisker: 95 % interval",
        true,
    )
}

/// The horizontal range of the efficiency plot: every C the scenario ran,
/// on a logarithmic axis, with a margin either side.
fn c_range(cs: &[f64]) -> Range<f64> {
    let lo = cs.first().copied().unwrap_or(1.0).max(1.0);
    let hi = cs.last().copied().unwrap_or(lo).max(lo);
    (lo / 1.35)..(hi * 1.35)
}

/// Efficiency against the floor (1 / the paired ratio of row to floor)
/// against C on a logarithmic axis labelled at each C the scenario ran,
/// one line per strategy with its 95 % band; the floor is 1.0, and rows
/// that were rig-bound, or whose premise broke, are crosses marked ⚠. The
/// vertical axis spans the data.
fn efficiency(title: &str, rows: &[&Row]) -> Plot {
    let mut cs: Vec<usize> = rows.iter().map(|r| r.concurrency).collect();
    cs.sort_unstable();
    cs.dedup();
    if let [c] = cs[..] {
        return efficiency_bars(title, c, rows);
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (980, 560)).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_horizontally(700);
        let mut cs: Vec<f64> = rows.iter().map(|r| r.concurrency as f64).collect();
        cs.sort_by(f64::total_cmp);
        cs.dedup();
        let lowest = rows
            .iter()
            .filter_map(|r| efficiency_of(r))
            .map(|(_, lo, _)| lo)
            .fold(1.0, f64::min);
        let top = efficiency_top(rows);
        let bottom = (lowest - 0.05 * (top - lowest)).max(0.0);
        let x = c_range(&cs);
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
            .build_cartesian_2d(
                x.clone().log_scale().with_key_points(cs.clone()),
                bottom..top,
            )?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&|c| format!("{c:.0}"))
            .y_label_formatter(&|y| format!("{y:.2}"))
            .x_desc("C, requests in flight (log scale)")
            .y_desc("efficiency: 1 / (row time / floor time), paired")
            .draw()?;
        chart.draw_series(LineSeries::new(
            vec![(x.start, 1.0), (x.end, 1.0)],
            FLOOR.stroke_width(1),
        ))?;
        let mut keys = vec![Key::line(
            "floor (reference client) = 1.0",
            FLOOR,
            Dash::Solid,
        )];
        for (name, points) in by_strategy(rows.iter().copied().filter(|r| r.strategy != REFERENCE))
        {
            let (c, dash, mark) = style(name);
            let sound: Vec<(f64, (f64, f64, f64))> = points
                .iter()
                .filter(|r| r.sound())
                .filter_map(|r| Some((r.concurrency as f64, efficiency_of(r)?)))
                .collect();
            if sound.len() > 1 {
                let polygon: Vec<(f64, f64)> = sound
                    .iter()
                    .map(|(x, (_, lo, _))| (*x, *lo))
                    .chain(sound.iter().rev().map(|(x, (_, _, hi))| (*x, *hi)))
                    .collect();
                chart.draw_series(std::iter::once(Polygon::new(polygon, c.mix(0.15).filled())))?;
            } else {
                for (x, (_, lo, hi)) in &sound {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(*x, *lo), (*x, *hi)],
                        c.stroke_width(2),
                    )))?;
                }
            }
            let centre: Vec<(f64, f64)> = sound.iter().map(|(x, (e, ..))| (*x, *e)).collect();
            line(&mut chart, centre.clone(), c, dash, 2)?;
            marks(&mut chart, &centre, c, mark)?;
            let unsound: Vec<(usize, (f64, f64))> = points
                .iter()
                .filter(|r| !r.sound())
                .filter_map(|r| {
                    let (e, ..) = efficiency_of(r)?;
                    Some((r.concurrency, (r.concurrency as f64, e)))
                })
                .collect();
            for (_, p) in &unsound {
                chart.draw_series(std::iter::once(Cross::new(*p, 5, c.stroke_width(2))))?;
                chart.draw_series(std::iter::once(Text::new(UNSOUND, *p, ("sans-serif", 13))))?;
            }
            let label = if unsound.is_empty() {
                name.to_owned()
            } else {
                format!(
                    "{name} {UNSOUND} at C = {} (a cross)",
                    unsound
                        .iter()
                        .map(|(c, _)| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            keys.push(Key::of(name, label));
        }
        side_legend(&legend, &keys, &["band: 95 % interval".to_owned()])?;
        root.present()?;
    }
    Ok(svg)
}

/// The top of the efficiency axis: 1.05, or more when a band reaches
/// above it (a row faster than its floor), so that every point is drawn.
pub fn efficiency_top(rows: &[&Row]) -> f64 {
    rows.iter()
        .filter_map(|r| efficiency_of(r))
        .map(|(_, _, hi)| hi * 1.02)
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

/// The label of an in-order queue over the mock's delays: one schedule
/// those delays allow, not a bound on them.
const QUEUE: &str = "an in-order queue over the same delays (one schedule, not a bound)";

/// One row's first timed call, for a timeline.
pub struct Run {
    /// Strategy name.
    strategy: String,
    /// The row's C.
    concurrency: usize,
    /// Whether the row's requests in flight are capped below C.
    capped: bool,
    /// Whether conclusions may be drawn from the row ([`Row::sound`]).
    sound: bool,
    /// Completion times, seconds since `fetch_all` began.
    completions: Vec<f64>,
}

impl Run {
    /// A row that completes one title at a time whatever C is: the loop,
    /// or a pool capped at one request in flight.
    fn one_at_a_time(&self) -> bool {
        self.capped || self.strategy == "sequential"
    }
}

/// The completion timeline: completed titles against time for each row,
/// with an ideal at C = `concurrency` to hold them to. A row at another C
/// says so in the legend; one that is rig-bound or broke its premise is
/// marked ⚠.
pub fn timeline(
    runs: &[Run],
    titles: usize,
    concurrency: usize,
    ideal: Ideal,
) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1020, 560)).into_drawing_area();
        root.fill(&WHITE)?;
        let (root, legend) = root.split_horizontally(700);
        let mut keys: Vec<Key> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let last = |one: bool| {
            runs.iter()
                .filter(|r| r.one_at_a_time() == one)
                .flat_map(|r| r.completions.last().copied())
                .fold(0.0, f64::max)
        };
        // A sequential run ten times longer would squeeze the others into
        // the left edge: stop the axis after the concurrent ones and say so.
        let (others, one_at_a_time) = (last(false), last(true));
        let ideal_end = match &ideal {
            Ideal::Curve(_, v) => v.iter().copied().fold(0.0, f64::max),
            _ => 0.0,
        };
        let clipped = others > 0.0 && one_at_a_time > 3.0 * others;
        let t_max = if clipped {
            others.max(ideal_end) * 1.3
        } else {
            others.max(one_at_a_time).max(ideal_end) * 1.05
        } * 1e3;
        // Rows at another C than the ideal's, by C.
        let mut elsewhere: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for r in runs.iter().filter(|r| r.concurrency != concurrency) {
            elsewhere
                .entry(r.concurrency)
                .or_default()
                .push(&r.strategy);
        }
        let caption = if elsewhere.is_empty() {
            format!("completions of one call per row: N = {titles}, C = {concurrency}")
        } else {
            format!(
                "completions of one call per row: N = {titles}, C = {concurrency} ({})",
                elsewhere
                    .iter()
                    .map(|(c, names)| format!("C = {c}: {}", names.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 15))
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
                keys.push(Key::line(
                    format!("ideal at C = {concurrency}: C titles every delay"),
                    BLACK,
                    Dash::Solid,
                ));
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
                keys.push(Key::line(label, BLACK, Dash::Dashed));
            }
            _ => {}
        }
        let mut ordered: Vec<&Run> = runs.iter().collect();
        ordered.sort_by_key(|r| palette_position(&r.strategy));
        for run in ordered {
            let (c, dash, mark) = style(&run.strategy);
            let points: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
                .chain(
                    run.completions
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (t * 1e3, (i + 1) as f64)),
                )
                .take_while(|(t, _)| *t <= t_max)
                .collect();
            // A marker where the line ends (its last title, or the axis).
            let end: Vec<(f64, f64)> = points.last().copied().into_iter().collect();
            line(&mut chart, points, c, dash, 2)?;
            marks(&mut chart, &end, c, mark)?;
            let mut label = run.strategy.clone();
            if run.concurrency != concurrency {
                label = format!("{label} (C = {})", run.concurrency);
            }
            keys.push(Key::of(&run.strategy, marked(label, run.sound)));
            if clipped && run.completions.last().is_some_and(|t| t * 1e3 > t_max) {
                notes.push(format!(
                    "{} runs past the axis, one title at a time, to {:.0} ms.",
                    run.strategy,
                    run.completions.last().copied().unwrap_or(0.0) * 1e3
                ));
            }
        }
        if runs.iter().any(|r| !r.sound) {
            notes.push(format!(
                "{UNSOUND}: rig-bound or its premise broke; drawn, concluded from nothing."
            ));
        }
        side_legend(&legend, &keys, &notes)?;
        root.present()?;
    }
    Ok(svg)
}

/// Every row's completions in its first timed call, sound or not (the
/// legend marks the unsound ones).
fn runs_of<'r>(rows: impl Iterator<Item = &'r Row>) -> Vec<Run> {
    rows.filter(|r| !r.timeline.is_empty())
        .map(|r| Run {
            strategy: r.strategy.clone(),
            concurrency: r.concurrency,
            capped: r.capped,
            sound: r.sound(),
            completions: r.timeline.clone(),
        })
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
            Ideal::Curve(QUEUE, queue_completions(&delays, c))
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
    let mut others: Vec<&str> = runs
        .iter()
        .filter(|r| r.concurrency != c)
        .map(|r| r.strategy.as_str())
        .collect();
    others.dedup();
    let elsewhere = if others.is_empty() {
        String::new()
    } else {
        format!(
            " The rows at another C ({}) are drawn too, each labelled with its C; the staircase is the ideal at C = {c} only.",
            others
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Ok(Some(Figure {
        file: "timeline-latency.svg".into(),
        svg: timeline(
            &runs,
            first.titles,
            c,
            delay.map_or(Ideal::None, Ideal::Staircase),
        )?,
        caption: format!(
            "One call per row: the C = {c} rows finish C titles per delay, close to the staircase, while a row that completes one title at a time (`sequential`, a capped pool) finishes one per delay and runs on far past the axis (the legend says to when).{elsewhere}{}",
            unsound_words(group.iter().copied().filter(|r| !r.timeline.is_empty()))
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
        svg: timeline(&runs, scenario.titles, c, Ideal::Curve(QUEUE, queue))?,
        caption: format!(
            "One call per row on the first layout of delays: the in-order rows follow the dashed line, an in-order queue over the same delays (one schedule, not a bound); rayon takes the titles in another order and meets the slow ones at other moments. One layout: the table holds every round's.{}",
            unsound_words(group.iter().copied().filter(|r| !r.timeline.is_empty()))
        ),
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
        caption: {
            // What the mock counted, row by row: a row that had fewer than C
            // in flight (a capped pool) is named, not folded into "every".
            let short: Vec<String> = at
                .iter()
                .filter(|r| r.max_in_flight.is_some_and(|m| m < c.min(r.titles)))
                .map(|r| format!("`{}` ({})", r.strategy, r.max_in_flight.unwrap_or(0)))
                .collect();
            let counted = if short.is_empty() {
                "the mock counted C in flight for every row".to_owned()
            } else {
                format!(
                    "the mock counted C in flight for every row but {}",
                    short.join(", ")
                )
            };
            format!(
                "One call per row at C = {c}: each step of the staircase is C answers due together; {counted}, so a line that lags a step is a client taking longer to handle C answers that arrive together.{}",
                unsound_words(at.iter().copied().filter(|r| !r.timeline.is_empty()))
            )
        },
    }))
}

/// One line with a marker at each point per strategy, in its style.
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
        let (c, dash, mark) = style(name);
        line(chart, points.clone(), c, dash, 2)?;
        marks(chart, points, c, mark)?;
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
        let keys: Vec<Key> = names.iter().map(|n| Key::of(n, (*n).to_owned())).collect();
        side_legend(&legend, &keys, &[])?;
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
            .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
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
        let mut seen: Vec<RGBColor> = PALETTE.iter().map(|(n, ..)| colour(n)).collect();
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

    /// Each `<text>` of `svg` with its x and y, in pixels.
    fn placed_texts(svg: &str) -> Vec<(String, f64, f64)> {
        let doc = roxmltree::Document::parse(svg).expect("the SVG parses");
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| {
                let at = |a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok());
                Some((n.text()?.trim().to_owned(), at("x")?, at("y")?))
            })
            .collect()
    }

    /// A `latency` row with rayon-default's cap: ten times its floor.
    fn capped(rows: &[Row]) -> Row {
        let walls: Vec<f64> = (0..10).map(|i| 2.0 + f64::from(i) * 1e-3).collect();
        Row {
            strategy: "rayon-default".into(),
            capped: true,
            floor_ratio: wikifetch_stats::Paired::of(
                &walls,
                &[0.2; 10],
                wikifetch_stats::Margin::TIME,
            ),
            efficiency_floor: Some(0.1),
            ..rows[0].clone()
        }
    }

    #[test]
    fn the_capped_row_is_drawn_in_a_panel_of_its_own() {
        let mut rows = rows();
        rows.push(capped(&rows));
        let latency: Vec<&Row> = rows.iter().filter(|r| r.scenario == "latency").collect();
        let svg = over_floor("latency", &latency).unwrap();
        let shown = placed_texts(&svg);
        let y_of = |name: &str| {
            shown
                .iter()
                .find(|(t, ..)| t.starts_with(&format!("{name} (C = ")))
                .map(|(_, _, y)| *y)
                .unwrap_or_else(|| panic!("no label for {name}: {shown:?}"))
        };
        // Its own panel, below every other row, with its own caption.
        let panel = shown
            .iter()
            .find(|(t, ..)| t.starts_with("capped below C"))
            .expect("the capped panel's caption");
        for name in ["thread-pool", "rayon", "smol"] {
            assert!(y_of(name) < panel.2, "{name} above the capped panel");
        }
        assert!(y_of("rayon-default") > panel.2);
        // Two axes: the upper one stops short of the capped row's ~900 %,
        // so the others' few per cent stay readable.
        let ticks = |range: std::ops::Range<f64>| -> Vec<f64> {
            shown
                .iter()
                .filter(|(_, _, y)| range.contains(y))
                .filter_map(|(t, ..)| t.parse::<f64>().ok())
                .collect()
        };
        let upper = ticks(0.0..panel.2);
        let lower = ticks(panel.2..f64::INFINITY);
        assert!(
            upper.iter().copied().fold(0.0, f64::max) < 100.0,
            "{upper:?}"
        );
        assert!(
            lower.iter().copied().fold(0.0, f64::max) >= 500.0,
            "{lower:?}"
        );
    }

    #[test]
    fn every_unsound_row_carries_the_mark_in_every_plot_that_names_it() {
        let mut rows = rows();
        rows.push(capped(&rows));
        for r in rows.iter_mut().filter(|r| r.strategy == "smol") {
            r.rig_bound = true;
        }
        for r in rows.iter_mut().filter(|r| r.strategy == "rayon") {
            r.premise = Some("9 in flight at its peak, not 10".into());
        }
        // The same rows as overhead and batching rows (`wan` draws its
        // bars as `batching` does).
        let as_scenario = |name: &str| -> Vec<Row> {
            rows.iter()
                .filter(|r| r.scenario == "latency")
                .map(|r| Row {
                    scenario: name.into(),
                    cpus: vec![3e-3; 10],
                    ..r.clone()
                })
                .collect()
        };
        let mut all_rows = rows.clone();
        for name in ["overhead", "batching"] {
            all_rows.extend(as_scenario(name));
        }
        let figures = all(&all_rows, &RunLog::default()).unwrap();
        let files: Vec<&str> = figures.iter().map(|f| f.file.as_str()).collect();
        for file in [
            "latency.svg",
            "overhead.svg",
            "batching.svg",
            "efficiency-concurrency.svg",
            "timeline-latency.svg",
            "timeline-concurrency-c100.svg",
        ] {
            let f = figures
                .iter()
                .find(|f| f.file == file)
                .unwrap_or_else(|| panic!("no {file} in {files:?}"));
            let shown = texts(&f.svg);
            for name in ["smol", "rayon"] {
                let labels: Vec<&String> = shown
                    .iter()
                    .filter(|t| t.starts_with(name) && !t.starts_with("rayon-"))
                    .collect();
                assert!(!labels.is_empty(), "{file}: no label for {name}: {shown:?}");
                assert!(
                    labels.iter().all(|t| t.contains(UNSOUND)),
                    "{file}: {name} without ⚠: {labels:?}"
                );
            }
            let label = shown
                .iter()
                .find(|t| t.starts_with("thread-pool"))
                .unwrap_or_else(|| panic!("{file}: no thread-pool: {shown:?}"));
            assert!(!label.contains(UNSOUND), "{file}: {label}");
            assert!(
                f.caption.contains(UNSOUND),
                "{file}: the caption says what ⚠ is"
            );
        }
    }

    #[test]
    fn the_efficiency_axis_is_logarithmic_in_c_and_labels_each_c() {
        let rows = rows();
        let group: Vec<&Row> = rows
            .iter()
            .filter(|r| r.scenario == "concurrency")
            .collect();
        let svg = efficiency("concurrency", &group).unwrap();
        let shown = placed_texts(&svg);
        let x_of = |c: &str| {
            shown
                .iter()
                .filter(|(t, ..)| t == c)
                .map(|(_, x, _)| *x)
                .next()
                .unwrap_or_else(|| panic!("no tick labelled {c}: {shown:?}"))
        };
        let (x10, x50, x100) = (x_of("10"), x_of("50"), x_of("100"));
        // Even spacing would put 50 half-way; a log axis at log 5 / log 10.
        let at = (x50 - x10) / (x100 - x10);
        assert!(
            (at - 5f64.log10()).abs() < 0.02,
            "C = 50 at {at} of the way from 10 to 100"
        );
        assert!(texts(&svg).iter().any(|t| t.contains("log scale")));
    }

    #[test]
    fn efficiency_is_one_over_the_paired_ratio_not_the_means() {
        let rows = rows();
        let r = &rows[1];
        let f = r.floor_ratio.unwrap();
        let (e, lo, hi) = efficiency_of(r).unwrap();
        assert_eq!(e, 1.0 / f.point);
        assert_eq!((lo, hi), (1.0 / f.high, 1.0 / f.low));
        // No sound floor, no efficiency.
        let orphan = Row {
            efficiency_floor: None,
            ..r.clone()
        };
        assert!(efficiency_of(&orphan).is_none());
    }

    #[test]
    fn below_six_rounds_a_whisker_is_the_range() {
        // Below six, a bar's whisker is the range.
        assert_eq!(
            median_with_whisker(&[3.0, 1.0, 2.0, 4.0]),
            Some((2.5, (1.0, 4.0)))
        );
    }

    /// CIE L*a*b* of an sRGB colour (D65), and the distance between two.
    fn delta_e(a: RGBColor, b: RGBColor) -> f64 {
        let lab = |c: RGBColor| {
            let lin = |v: u8| {
                let v = f64::from(v) / 255.0;
                if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            let (r, g, b) = (lin(c.0), lin(c.1), lin(c.2));
            let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
            let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
            let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
            let f = |t: f64| {
                if t > 0.008856 {
                    t.cbrt()
                } else {
                    7.787 * t + 16.0 / 116.0
                }
            };
            (
                116.0 * f(y) - 16.0,
                500.0 * (f(x) - f(y)),
                200.0 * (f(y) - f(z)),
            )
        };
        let (p, q) = (lab(a), lab(b));
        ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2) + (p.2 - q.2).powi(2)).sqrt()
    }

    #[test]
    fn rows_that_differ_in_client_or_model_look_nothing_alike() {
        // Client pairs, then model pairs: far apart in colour, not shades
        // of one another.
        for (a, b) in [
            ("thread-pool", "thread-pool-hyper"),
            ("tokio", "tokio-hyper"),
            ("thread-pool-hyper", "smol"),
            ("thread-pool-hyper", "tokio-hyper"),
            ("thread-pool-hyper", "tokio-current-thread"),
            ("smol", "tokio-hyper"),
            ("tokio-hyper", "tokio-current-thread"),
            ("thread-pool", "tokio"),
            ("rayon", "rayon-default"),
        ] {
            let d = delta_e(colour(a), colour(b));
            assert!(d > 45.0, "{a} and {b}: ΔE {d:.0}");
        }
        // Every strategy apart from every other, and no two share both
        // dash and marker.
        let mut seen = std::collections::BTreeSet::new();
        for (i, (a, ..)) in PALETTE.iter().enumerate() {
            for (b, ..) in &PALETTE[i + 1..] {
                let d = delta_e(colour(a), colour(b));
                assert!(d > 18.0, "{a} and {b}: ΔE {d:.0}");
            }
            let (_, dash, mark) = style(a);
            assert!(
                seen.insert(format!("{dash:?} {mark:?}")),
                "{a}: {dash:?} {mark:?}"
            );
        }
        // A control without keep-alive wears its strategy's.
        assert_eq!(style("thread-pool-no-keep-alive"), style("thread-pool"));
    }

    #[test]
    fn the_jitter_queue_is_one_schedule_and_its_legend_fits() {
        let runs = vec![Run {
            strategy: "thread-pool".into(),
            concurrency: 2,
            capped: false,
            sound: true,
            completions: vec![0.01, 0.02, 0.03, 0.04],
        }];
        let svg = timeline(
            &runs,
            4,
            2,
            Ideal::Curve(QUEUE, vec![0.01, 0.02, 0.03, 0.04]),
        )
        .unwrap();
        let shown = placed_texts(&svg);
        let legend: String = shown
            .iter()
            .filter(|(_, x, _)| *x > 700.0)
            .map(|(t, ..)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(legend.contains(QUEUE), "{legend}");
        assert!(!legend.contains("ideal"), "{legend}");
        // Every legend line fits in the 1020 px canvas.
        for (t, x, _) in shown.iter().filter(|(_, x, _)| *x > 700.0) {
            let right = x + t.chars().count() as f64 * CHAR_PX;
            assert!(right < 1020.0, "{t:?} ends at {right}");
        }
    }

    #[test]
    fn the_latency_timeline_names_the_c_of_every_row() {
        let mut rows = rows();
        let sequential = Row {
            strategy: "sequential".into(),
            concurrency: 1,
            timeline: (1..=10).map(|i| 0.2 * f64::from(i)).collect(),
            ..rows[0].clone()
        };
        rows.push(sequential);
        let figure = latency_timeline(&rows).unwrap().unwrap();
        let shown = texts(&figure.svg);
        let title = shown
            .iter()
            .find(|t| t.starts_with("completions"))
            .expect("a title");
        assert!(
            title.contains("C = 10") && title.contains("C = 1: sequential"),
            "{title}"
        );
        assert!(shown.iter().any(|t| t == "sequential (C = 1)"), "{shown:?}");
        assert!(shown.iter().any(|t| t == "thread-pool"), "{shown:?}");
    }
}
