//! The scale curve (`RunLog::scale`): at each C, each row's time per wave
//! against the two predictions (the delay's waves, and the client's CPU),
//! its CPU and context switches per request, its memory in three parts
//! with their spread over blocks, its threads, set-up and first answer;
//! and the model comparison at each C, threads against tasks with the
//! same HTTP client.

use serde::Serialize;
use wikifetch_runlog::{Differs, RunLog, ScalePoint, ScaleRow};
use wikifetch_stats::{Blocked, Margin, Paired, by_block};

use super::totals::RIG_BOUND_BUSY;

/// One point of the curve.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// C.
    pub concurrency: usize,
    /// N.
    pub titles: usize,
    /// The mock's delay, seconds.
    pub delay_s: f64,
    /// The delay's prediction for a call: ⌈N/C⌉ waves of one delay.
    pub waves: usize,
    /// Every row at this C, in the log's order.
    pub rows: Vec<Curve>,
}

impl Point {
    /// The delay's prediction for a call, seconds.
    pub fn delay_bound_s(&self) -> f64 {
        self.waves as f64 * self.delay_s
    }

    /// The row named `name`.
    pub fn row(&self, name: &str) -> Option<&Curve> {
        self.rows.iter().find(|r| r.strategy == name)
    }
}

/// Three readings or more of one quantity, one a block: their median and
/// their range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// The median reading.
    pub median: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// How many readings.
    pub readings: usize,
}

impl Spread {
    /// The spread of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Self> {
        let median = wikifetch_stats::median(values)?;
        Some(Self {
            median,
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            readings: values.len(),
        })
    }
}

/// Which prediction of a call's time is the larger, so the one a row
/// should meet: the delay's waves, or the client's CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Bound {
    /// ⌈N/C⌉ × delay is the larger.
    Delay,
    /// N × CPU per request ÷ client CPUs is the larger.
    Cpu,
}

/// One row at one C.
#[derive(Debug, Clone, Serialize)]
pub struct Curve {
    /// The strategy, or `reference`.
    pub strategy: String,
    /// Why it stopped at this C, when it did.
    pub stopped: Option<String>,
    /// Its timed calls.
    pub rounds: usize,
    /// The time of a call: the mean over blocks with its 95 % interval.
    pub time: Option<Blocked>,
    /// Client CPU per request: the mean over blocks with its interval.
    pub cpu: Option<Blocked>,
    /// The CPU's prediction for a call: N × CPU per request ÷ client
    /// CPUs, seconds.
    pub cpu_bound_s: Option<f64>,
    /// The larger of the two predictions.
    pub bound: Option<Bound>,
    /// The measured call over the larger prediction (1.0: it met it).
    pub over_bound: Option<f64>,
    /// Context switches per request, voluntary and involuntary, the mean
    /// over the timed calls.
    pub switches: Option<(f64, f64)>,
    /// Peak resident memory of the process, KiB, one reading a block.
    pub rss_kib: Option<Spread>,
    /// Kernel stacks and page tables, KiB.
    pub kernel_kib: Option<Spread>,
    /// TCP buffers of both ends, KiB.
    pub socket_kib: Option<Spread>,
    /// The most OS threads during the first call.
    pub threads: Option<Spread>,
    /// The most requests the mock had in flight during the first call,
    /// when memory was read: the median over blocks.
    pub first_in_flight: Option<f64>,
    /// What one more request in flight cost in memory, KiB, from the
    /// point before ([`memory_per_request_kib`]); `None` at the first.
    pub memory_per_request: Option<f64>,
    /// Building the row, seconds: wall and CPU.
    pub setup_s: Option<Spread>,
    /// Building the row: CPU, seconds.
    pub setup_cpu_s: Option<Spread>,
    /// The first call (which opens the connections), seconds.
    pub first_call_s: Option<Spread>,
    /// The time to the first answer in a timed call, seconds.
    pub first_answer_s: Option<Spread>,
    /// The mock's busiest share of a core during a timed call.
    pub mock_busy: f64,
    /// The fewest requests in flight the mock saw in a timed call.
    pub in_flight: usize,
    /// Connections opened during timed calls (0: all were kept).
    pub connections: u64,
    /// Titles that failed or were lost in the timed calls.
    pub failed: u64,
}

impl Curve {
    /// Whether the premises held: measured, the mock not busy, C in
    /// flight, no connection opened, nothing failed.
    pub fn sound(&self, c: usize) -> bool {
        self.time.is_some()
            && self.mock_busy < RIG_BOUND_BUSY
            && self.in_flight >= c
            && self.connections == 0
            && self.failed == 0
    }

    /// Whether its memory was read at least [`MIN_READINGS`] times: one
    /// reading is not a figure.
    pub fn memory_read_enough(&self) -> bool {
        self.rss_kib.is_some_and(|s| s.readings >= MIN_READINGS)
    }

    /// The row's memory with C in flight, KiB: the process's peak
    /// resident memory and the kernel's stacks and page tables (medians).
    pub fn memory_kib(&self) -> Option<f64> {
        let rss = self.rss_kib?.median;
        let kernel = self.kernel_kib.map_or(0.0, |k| k.median.max(0.0));
        Some(rss + kernel)
    }
}

/// What one more request in flight costs row `name` in memory at the
/// `i`-th point, KiB: the rise of [`Curve::memory_kib`] from the point
/// before, over the rise in requests in flight, so that fixed costs (the binary, the
/// runtime) cancel; `None` at the first point or where either is missing.
pub fn memory_per_request_kib(points: &[Point], i: usize, name: &str) -> Option<f64> {
    let before = points.get(i.checked_sub(1)?)?.row(name)?;
    let here = points.get(i)?.row(name)?;
    let (m0, m1) = (before.memory_kib()?, here.memory_kib()?);
    // Over the requests the mock really had in flight while memory was
    // read, not over C: a first call that fell short of C held less.
    let dn = here.first_in_flight? - before.first_in_flight?;
    (dn > 0.0).then(|| (m1 - m0) / dn)
}

/// What one more request in flight costs row `name` at the `i`-th point:
/// memory (KiB, [`memory_per_request_kib`]) and OS threads, both over the
/// rise in requests really in flight from the point before.
pub fn per_request(points: &[Point], i: usize, name: &str) -> Option<(f64, f64)> {
    let before = points.get(i.checked_sub(1)?)?.row(name)?;
    let here = points.get(i)?.row(name)?;
    // `curve` stored the memory slope on the row; the threads' slope has
    // the same denominator.
    let kib = here.memory_per_request?;
    let dn = here.first_in_flight? - before.first_in_flight?;
    let threads = (here.threads?.median - before.threads?.median) / dn;
    Some((kib, threads))
}

/// The last point at which every row that ran there has its cost a
/// request in flight ([`per_request`]) from at least [`MIN_READINGS`]
/// readings at it and at the point before: the largest C at which every
/// row can be set side by side. `None` when no point has it.
pub fn common_point(points: &[Point]) -> Option<usize> {
    let read = |i: usize, name: &str| {
        points
            .get(i)
            .and_then(|p| p.row(name))
            .is_some_and(Curve::memory_read_enough)
    };
    (1..points.len()).rev().find(|&i| {
        let rows = &points[i].rows;
        !rows.is_empty()
            && rows.iter().all(|r| {
                per_request(points, i, &r.strategy).is_some()
                    && read(i, &r.strategy)
                    && read(i - 1, &r.strategy)
            })
    })
}

/// The fewest readings of a quantity that make a figure of it: one
/// reading is not one.
pub const MIN_READINGS: usize = 3;

/// The smallest and the largest C of the curve (0, 0 when it is empty).
pub fn span(points: &[Point]) -> (usize, usize) {
    let c = |p: Option<&Point>| p.map_or(0, |p| p.concurrency);
    (c(points.first()), c(points.last()))
}

/// The curve of `log`, when it has one.
pub fn curve(log: &RunLog) -> Option<Vec<Point>> {
    let scale = log.scale.as_ref()?;
    let cpus = log.split.client.len().max(1) as f64;
    let mut points: Vec<Point> = scale.points.iter().map(|p| point(p, cpus)).collect();
    for i in 1..points.len() {
        let slopes: Vec<Option<f64>> = points[i]
            .rows
            .iter()
            .map(|r| memory_per_request_kib(&points, i, &r.strategy))
            .collect();
        for (r, slope) in points[i].rows.iter_mut().zip(slopes) {
            r.memory_per_request = slope;
        }
    }
    Some(points)
}

fn point(p: &ScalePoint, cpus: f64) -> Point {
    let waves = p.titles.div_ceil(p.concurrency.max(1));
    let delay_bound = waves as f64 * p.delay_s;
    Point {
        concurrency: p.concurrency,
        titles: p.titles,
        delay_s: p.delay_s,
        waves,
        rows: p
            .rows
            .iter()
            .map(|r| row(r, p.titles, cpus, delay_bound))
            .collect(),
    }
}

fn row(r: &ScaleRow, n: usize, cpus: f64, delay_bound: f64) -> Curve {
    let blocks: Vec<usize> = r.samples.iter().map(|s| s.block).collect();
    let walls: Vec<f64> = r.samples.iter().map(|s| s.wall_s).collect();
    let per_request: Vec<f64> = r
        .samples
        .iter()
        .map(|s| s.client_cpu_s / n.max(1) as f64)
        .collect();
    let time = Blocked::of_means(&by_block(&walls, &blocks));
    let cpu = Blocked::of_means(&by_block(&per_request, &blocks));
    let cpu_bound_s = cpu.map(|c| n as f64 * c.mean / cpus);
    let bound = cpu_bound_s.map(|b| {
        if b > delay_bound {
            Bound::Cpu
        } else {
            Bound::Delay
        }
    });
    let over_bound = time.map(|t| t.mean / cpu_bound_s.unwrap_or(0.0).max(delay_bound));
    let switches: Vec<(u64, u64)> = r
        .samples
        .iter()
        .filter_map(|s| s.context_switches)
        .collect();
    let switches = (!switches.is_empty()).then(|| {
        let calls = switches.len() as f64 * n.max(1) as f64;
        (
            switches.iter().map(|s| s.0 as f64).sum::<f64>() / calls,
            switches.iter().map(|s| s.1 as f64).sum::<f64>() / calls,
        )
    });
    let of = |f: &dyn Fn(&wikifetch_runlog::ScaleBlock) -> f64| {
        Spread::of(&r.blocks.iter().map(f).collect::<Vec<_>>())
    };
    let firsts: Vec<f64> = r.samples.iter().filter_map(|s| s.first_answer_s).collect();
    Curve {
        strategy: r.strategy.clone(),
        stopped: r.stopped.clone(),
        rounds: r.samples.len(),
        time,
        cpu,
        cpu_bound_s,
        bound,
        over_bound,
        switches,
        rss_kib: of(&|b| b.peak_rss_kib as f64),
        kernel_kib: of(&|b| b.kernel_kib as f64),
        socket_kib: of(&|b| b.socket_kib as f64),
        threads: of(&|b| b.peak_threads as f64),
        first_in_flight: of(&|b| b.in_flight as f64).map(|s| s.median),
        memory_per_request: None,
        setup_s: of(&|b| b.setup.wall_s),
        setup_cpu_s: of(&|b| b.setup.cpu_s),
        first_call_s: of(&|b| b.warmup.wall_s),
        first_answer_s: Spread::of(&firsts),
        mock_busy: r.samples.iter().map(|s| s.mock_busy()).fold(0.0, f64::max),
        in_flight: r.samples.iter().map(|s| s.max_in_flight).min().unwrap_or(0),
        connections: r.samples.iter().map(|s| s.connections).sum(),
        failed: r.errors.values().sum::<u64>() + r.lost,
    }
}

/// [`stop_label`] for a row whose first call passed the run's time cap.
pub const TIME_CAP: &str = "over the time cap";

/// [`stop_label`] for a row whose call the harness ended unanswered.
pub const ENDED: &str = "ended: a call not finished in time";

/// [`stop_label`] for a row whose set-up (its pool's threads) the harness
/// ended before it was built.
pub const NOT_BUILT: &str = "ended: not built in time";

/// What stopped a row, in a few words for a plot or a table cell, from
/// the reason the harness recorded.
pub fn stop_label(why: &str) -> &'static str {
    [
        ("vm.max_map_count", "vm.max_map_count"),
        ("RLIMIT_NOFILE", "open files"),
        ("pid_max", "kernel.pid_max"),
        ("threads-max", "kernel.threads-max"),
        ("over the cap", TIME_CAP),
        ("set-up had not ended", NOT_BUILT),
        ("had not ended", ENDED),
        ("spawn", "could not spawn a thread"),
        ("titles failed", "titles failed"),
        ("could not be read", "the call could not be read"),
    ]
    .into_iter()
    .find(|(key, _)| why.contains(key))
    .map_or("its process ended", |(_, label)| label)
}

/// The model comparison of the curve: the thread row the log's model
/// splits hold the task rows to (the same HTTP client), and the task rows.
pub fn model_rows(log: &RunLog, points: &[Point]) -> Option<(String, Vec<String>)> {
    let names: Vec<&str> = points
        .first()?
        .rows
        .iter()
        .map(|r| r.strategy.as_str())
        .collect();
    let mut threads = None;
    let mut tasks = Vec::new();
    for name in &names {
        let Some(facts) = log.strategy(name) else {
            continue;
        };
        for split in facts
            .splits
            .iter()
            .filter(|s| s.differs_in == Differs::Model)
        {
            if names.contains(&split.against.as_str()) {
                threads.get_or_insert_with(|| split.against.clone());
                tasks.push((*name).to_owned());
            }
        }
    }
    Some((threads?, tasks))
}

/// The time of `a` over `b` at one point, paired by block: each row runs
/// alone, once a block, in a shuffled order, so a block's two mean times
/// are the pair (their calls are not interleaved round by round); the
/// interval is Student's t over the blocks' log ratios. Blocks are joined
/// by their number, so a block one row lacks is left out.
pub fn time_ratio(log: &RunLog, c: usize, a: &str, b: &str) -> Option<Paired> {
    let point = log
        .scale
        .as_ref()?
        .points
        .iter()
        .find(|p| p.concurrency == c)?;
    let means = |name: &str| -> Option<std::collections::BTreeMap<usize, f64>> {
        let r = point.rows.iter().find(|r| r.strategy == name)?;
        if r.stopped.is_some() || r.samples.is_empty() {
            return None;
        }
        let mut sums: std::collections::BTreeMap<usize, (f64, usize)> = Default::default();
        for s in &r.samples {
            let e = sums.entry(s.block).or_insert((0.0, 0));
            e.0 += s.wall_s;
            e.1 += 1;
        }
        Some(
            sums.into_iter()
                .map(|(k, (t, n))| (k, t / n as f64))
                .collect(),
        )
    };
    let (ma, mb) = (means(a)?, means(b)?);
    let (x, y): (Vec<Vec<f64>>, Vec<Vec<f64>>) = ma
        .iter()
        .filter_map(|(k, va)| Some((vec![*va], vec![*mb.get(k)?])))
        .unzip();
    Paired::of_blocks(&x, &y, Margin::TIME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wikifetch_runlog::{Cost, Sample, Scale, ScaleBlock};

    fn sample(block: usize, wall: f64, cpu: f64, c: usize) -> Sample {
        Sample {
            wall_s: wall,
            client_cpu_s: cpu,
            mock_cpu_s: 0.01 * wall,
            requests: 2 * c as u64,
            max_in_flight: c,
            context_switches: Some((2 * c as u64, 0)),
            block,
            first_answer_s: Some(0.02),
            ..Sample::default()
        }
    }

    fn scale_row(name: &str, c: usize, wall: f64, cpu: f64) -> ScaleRow {
        ScaleRow {
            strategy: name.into(),
            samples: (0..10)
                .map(|i| sample(i / 2, wall * (1.0 + 0.001 * i as f64), cpu, c))
                .collect(),
            blocks: (0..5)
                .map(|b| ScaleBlock {
                    block: b,
                    setup: Cost {
                        wall_s: 0.001,
                        cpu_s: 0.001,
                    },
                    peak_rss_kib: 1000 + 10 * b as u64,
                    kernel_kib: 100,
                    peak_threads: 3,
                    in_flight: c,
                    ..ScaleBlock::default()
                })
                .collect(),
            ..ScaleRow::default()
        }
    }

    fn log_of(rows: Vec<ScaleRow>, c: usize, delay: f64) -> RunLog {
        RunLog {
            split: wikifetch_runlog::CpuSplit {
                mock: vec![1],
                client: vec![0],
            },
            scale: Some(Scale {
                blocks: 5,
                rounds: 10,
                points: vec![ScalePoint {
                    concurrency: c,
                    titles: 2 * c,
                    delay_s: delay,
                    rows,
                }],
                ..Scale::default()
            }),
            ..RunLog::default()
        }
    }

    #[test]
    fn the_larger_prediction_is_the_bound() {
        // 20,000 requests at 50 µs on one CPU: 1.0 s of CPU against two
        // waves of 0.25 s: the CPU is the bound.
        let log = log_of(vec![scale_row("slow", 10_000, 1.1, 1.0)], 10_000, 0.25);
        let p = &curve(&log).unwrap()[0];
        let r = &p.rows[0];
        assert_eq!(p.delay_bound_s(), 0.5);
        assert!((r.cpu_bound_s.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(r.bound, Some(Bound::Cpu));
        assert!(r.sound(10_000));
        // Memory with C in flight: the median resident memory and the kernel's.
        assert!((r.memory_kib().unwrap() - (1020.0 + 100.0)).abs() < 1e-9);
        assert_eq!(r.rss_kib.unwrap().readings, 5);
        assert_eq!(
            (r.rss_kib.unwrap().min, r.rss_kib.unwrap().max),
            (1000.0, 1040.0)
        );
        // A cheap row at the same point waits for the delay.
        let log = log_of(vec![scale_row("quick", 10_000, 0.52, 0.2)], 10_000, 0.25);
        assert_eq!(curve(&log).unwrap()[0].rows[0].bound, Some(Bound::Delay));
    }

    #[test]
    fn memory_a_request_is_the_slope_between_points() {
        let mut log = log_of(vec![scale_row("r", 100, 0.05, 0.001)], 100, 0.02);
        let mut far = log.scale.as_ref().unwrap().points[0].clone();
        far.concurrency = 1100;
        for b in &mut far.rows[0].blocks {
            b.peak_rss_kib += 50_000;
            b.in_flight = 1100;
        }
        log.scale.as_mut().unwrap().points.push(far);
        let points = curve(&log).unwrap();
        assert_eq!(memory_per_request_kib(&points, 0, "r"), None);
        // 50,000 KiB more for 1,000 more in flight.
        assert!((memory_per_request_kib(&points, 1, "r").unwrap() - 50.0).abs() < 1e-9);
        // A first call that had only 600 in flight: over the 500 more it had.
        for b in &mut log.scale.as_mut().unwrap().points[1].rows[0].blocks {
            b.in_flight = 600;
        }
        let points = curve(&log).unwrap();
        assert!((memory_per_request_kib(&points, 1, "r").unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(memory_per_request_kib(&points, 1, "absent"), None);
    }

    #[test]
    fn stops_are_labelled_by_the_limit_their_reason_names() {
        assert_eq!(
            stop_label("its first call took 15.9 s (770 µs of CPU a request), over the cap of 5 s"),
            "over the time cap"
        );
        assert_eq!(
            stop_label(
                "rayon at C = 19000: this concurrency needs 19000 threads, about 77000 memory mappings, but vm.max_map_count is 65530"
            ),
            "vm.max_map_count"
        );
        assert_eq!(
            stop_label("the child ended without a measurement"),
            "its process ended"
        );
        // The harness's two deadlines, told apart.
        assert_eq!(
            stop_label("its set-up had not ended after 20 s, and its process was ended"),
            NOT_BUILT
        );
        assert_eq!(
            stop_label("its first call had not ended after 20 s, and its process was ended"),
            ENDED
        );
    }

    #[test]
    fn a_stopped_row_has_no_ratio_and_is_not_sound() {
        let mut stopped = scale_row("stopped", 100, 0.05, 0.001);
        stopped.samples.clear();
        stopped.stopped = Some("a limit".into());
        let log = log_of(vec![scale_row("a", 100, 0.05, 0.001), stopped], 100, 0.02);
        assert!(time_ratio(&log, 100, "a", "stopped").is_none());
        let p = &curve(&log).unwrap()[0];
        assert!(!p.row("stopped").unwrap().sound(100));
        assert!(time_ratio(&log, 100, "a", "a").is_some());
    }
}
