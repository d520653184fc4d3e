//! The screen REPORT.md opens with: the plain answer, in absolute units
//! from this run, for a reader choosing a model. Every sentence on it is
//! generated from the rows and their verdicts (no conclusion is a fixed
//! string), every headline states its C and the client's CPUs, and no
//! term of the rig appears on it (`RIG_TERMS`, tested).
//!
//! It leads with the lesson's own case, Wikipedia, whose API asks for
//! batches in series; then the general case, threads against tasks with
//! the HTTP client held equal (the rows that differ in the model only,
//! from the log's facts), and the client's share on a line of its own;
//! then the rule that predicts the time, and where it holds.

use std::fmt::Write as _;

use wikifetch_runlog::{Differs, RunLog, STOPPED_EARLIER};
use wikifetch_stats::{Paired, Verdict};

use super::prose::{find, pc, ratio};
use crate::analysis::scale::{Curve, ENDED, NOT_BUILT, Point, TIME_CAP, stop_label, time_ratio};
use crate::analysis::{PerRequest, REFERENCE, Row};
use crate::render::format::{time, us3};

/// The strategy rows of `scenario` (any C when `c` is `None`).
fn of<'r>(rows: &'r [Row], scenario: &str, c: Option<usize>) -> Vec<&'r Row> {
    rows.iter()
        .filter(|r| r.scenario == scenario && c.is_none_or(|c| r.concurrency == c))
        .collect()
}

/// One row's time per wave of C requests: its median call over ⌈N/C⌉
/// (the median, so that one slow round does not move the figure), or
/// `None` when it broke its premise or had fewer than C in flight.
fn per_wave(r: &Row) -> Option<f64> {
    let waves = r.titles.div_ceil(r.concurrency.max(1));
    let reached = r
        .max_in_flight
        .is_none_or(|m| m >= r.concurrency.min(r.titles));
    (r.sound() && reached).then(|| r.median_s / waves.max(1) as f64)
}

/// " ⚠" after a figure whose row was rig-bound or broke its premise: it is
/// shown, and nothing is concluded from it.
fn flag(r: &Row) -> &'static str {
    if r.sound() { "" } else { " ⚠" }
}

/// The concurrencies `scenario` ran at, ascending.
fn concurrencies(rows: &[Row], scenario: &str) -> Vec<usize> {
    let mut cs: Vec<usize> = of(rows, scenario, None)
        .iter()
        .map(|r| r.concurrency)
        .collect();
    cs.sort_unstable();
    cs.dedup();
    cs
}

/// The opening screen, or an empty string when the run lacks every row it
/// needs (a filtered run).
pub fn answer(rows: &[Row], log: &RunLog) -> String {
    let parts: Vec<String> = [wikipedia(rows), many_in_flight(rows, log), rule(rows, log)]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    let mut out = String::from("## The answer\n\n");
    for p in parts {
        let _ = writeln!(out, "{p}\n");
    }
    // `rayon-default`'s cap is in the table of every strategy just below
    // and in the findings.
    let bullets: Vec<String> = [keep_alive(rows, log), super::reach::opening(log)]
        .into_iter()
        .flatten()
        .collect();
    for b in &bullets {
        let _ = writeln!(out, "- {b}");
    }
    if !bullets.is_empty() {
        out.push('\n');
    }
    out
}

/// The lesson's case: what to do against Wikipedia itself, whose API asks
/// for several titles a request and requests in series. From the batching
/// result.
fn wikipedia(rows: &[Row]) -> Option<String> {
    let pair = super::listed::batching_pair(rows)?;
    let (b, one) = (pair.batched, pair.one);
    let text = format!(
        "**For Wikipedia's API, ask for many titles per request.** On the mock, at C = {}, {} titles took {} as \
         {:.0} requests against {} as {:.0}, {:.1}× faster: an upper bound, since the mock charges a batch one \
         title's delay.",
        pair.c,
        b.titles,
        time(b.median_s),
        b.requests_per_call,
        time(one.median_s),
        one.requests_per_call,
        ratio(one, b).map_or(one.median_s / b.median_s, |r| r.point),
    );
    Some(text)
}

/// A row's strategy facts say it differs from `against` in `what` only.
fn splits_from<'r>(rows: &[&'r Row], log: &RunLog, what: Differs) -> Vec<(&'r Row, String)> {
    rows.iter()
        .copied()
        .flat_map(|r| {
            log.strategy(&r.strategy)
                .map(|f| f.splits.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|s| s.differs_in == what)
                .map(move |s| (r, s.against))
        })
        .collect()
}

/// The group of `key` in `groups`, made empty at the end when it is new:
/// groups keep the order their keys first came in.
pub(super) fn group_of<K: PartialEq, V>(groups: &mut Vec<(K, Vec<V>)>, key: K) -> &mut Vec<V> {
    let i = match groups.iter().position(|(k, _)| *k == key) {
        Some(i) => i,
        None => {
            groups.push((key, Vec::new()));
            groups.len() - 1
        }
    };
    &mut groups[i].1
}

/// The general case: threads against tasks with the same HTTP client, at
/// every C of `concurrency`, and the client's share on a line of its own.
/// The model comparison of `concurrency`: the thread row, the task rows
/// held to it (the log's model splits), and at each C the side their
/// verdicts came down on.
struct ModelSides {
    threads: String,
    tasks: Vec<String>,
    cs: Vec<usize>,
    verdicts: Vec<(usize, Side)>,
    /// At each C, in how many blocks the verdict held at the least over
    /// the task rows, of how many (`None` over rounds).
    held: Vec<(usize, Option<(usize, usize)>)>,
    /// The scale curve, when its verdicts are these.
    curve: Option<Vec<Point>>,
}

fn model_sides(rows: &[Row], log: &RunLog) -> Option<ModelSides> {
    let cs = concurrencies(rows, "concurrency");
    let at_top = of(rows, "concurrency", Some(*cs.last()?));
    // The task rows and the thread row they are held to.
    let tasks = splits_from(&at_top, log, Differs::Model);
    let threads = tasks.first()?.1.clone();
    let tasks: Vec<String> = tasks
        .iter()
        .filter(|(_, against)| *against == threads)
        .map(|(r, _)| r.strategy.clone())
        .collect();
    let mut verdicts = Vec::new();
    let mut held = Vec::new();
    for &c in &cs {
        let here = of(rows, "concurrency", Some(c));
        let Some(t) = find(&here, &threads) else {
            continue;
        };
        let ratios: Vec<_> = tasks
            .iter()
            .filter_map(|n| find(&here, n))
            .filter_map(|n| ratio(t, n))
            .collect();
        let sides: Vec<Side> = ratios.iter().map(side_of).collect();
        let Some(all) = Side::of_all(&sides) else {
            continue;
        };
        verdicts.push((c, all));
        held.push((c, least_held(&ratios)));
    }
    // The curve, when the run has one, decides at its own C: from 10 to
    // 10,000 in flight rather than the table's.
    let mut curve = crate::analysis::scale::curve(log);
    match curve
        .as_ref()
        .map(|points| curve_sides(log, points, &threads, &tasks))
    {
        Some((v, h)) if !v.is_empty() => {
            verdicts = v;
            held = h;
        }
        _ => curve = None,
    }
    Some(ModelSides {
        threads,
        tasks,
        cs,
        verdicts,
        held,
        curve,
    })
}

/// Threads against tasks at each C of the curve where the thread row and
/// a task row both ran: the side each time, and how firmly it held.
type Sides = (Vec<(usize, Side)>, Vec<(usize, Option<(usize, usize)>)>);

fn curve_sides(log: &RunLog, points: &[Point], threads: &str, tasks: &[String]) -> Sides {
    let (mut verdicts, mut held) = (Vec::new(), Vec::new());
    for p in points {
        let c = p.concurrency;
        let ratios: Vec<Paired> = tasks
            .iter()
            .filter_map(|t| sound_ratio(log, p, threads, t))
            .collect();
        let sides: Vec<Side> = ratios.iter().map(side_of).collect();
        if let Some(all) = Side::of_all(&sides) {
            verdicts.push((c, all));
            held.push((c, least_held(&ratios)));
        }
    }
    (verdicts, held)
}

/// `threads` over `task` at one point of the curve, where both were
/// measured and both premises held; `None` otherwise.
fn sound_ratio(log: &RunLog, p: &Point, threads: &str, task: &str) -> Option<Paired> {
    let c = p.concurrency;
    let sound = |name: &str| p.row(name).is_some_and(|r| r.sound(c));
    (sound(threads) && sound(task))
        .then(|| time_ratio(log, c, threads, task))
        .flatten()
}

/// "Which when" on the curve for each runtime the task rows run on (the
/// reactor their sockets are registered with, from the log's facts), in
/// the order the rows come, each as [`curve_which`] says it. Every group
/// differs from the thread row in the model (a thread blocked on its own
/// socket, or tasks on a reactor) with the HTTP client held equal; the
/// groups differ from each other in the runtime. Without the facts, one
/// group, named by nothing it cannot know.
fn curve_groups(
    log: &RunLog,
    points: &[Point],
    (threads, tasks): (&str, &[String]),
    every_c: bool,
) -> Vec<String> {
    let sockets = |name: &str| {
        log.strategy(name)
            .map(|f| f.sockets.clone())
            .filter(|s| !s.is_empty())
    };
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for t in tasks {
        let Some(on) = sockets(t) else {
            return vec![capitalized(&curve_which(
                log,
                points,
                (threads, tasks),
                every_c,
            ))];
        };
        group_of(&mut groups, on).push(t.clone());
    }
    groups
        .iter()
        .map(|(on, names)| {
            format!(
                "Tasks on {on}'s reactor: {}",
                curve_which(log, points, (threads, names), every_c)
            )
        })
        .collect()
}

/// "Which when" at every C of the curve, a paragraph for each kind of task
/// row, for DETAILS.md (the opening screen gives the first C where tasks
/// were faster and the largest).
pub(crate) fn curve_every_c(rows: &[Row], log: &RunLog) -> Vec<String> {
    model_sides(rows, log)
        .and_then(|m| {
            let points = m.curve.as_deref()?;
            Some(curve_groups(log, points, (&m.threads, &m.tasks), true))
        })
        .unwrap_or_default()
}

/// "Which when" on the curve, C by C, for one kind of task row: the first
/// C at which a task row took less time than the thread row beyond the
/// margin (a `Differs` verdict, never one whose size the interval leaves
/// open), then at each C what each task row's verdict was, with the
/// saving and its interval where tasks were faster, and the C where the
/// thread row was not compared because a premise failed; a row never
/// faster is said once, with the C where it was slower, if any. Unless
/// `every_c` (the opening screen; DETAILS.md has every C): the C before
/// the first difference where every row was within ±1 %, in the lead;
/// the first C where a row was faster; the rows not faster at the C
/// between; and the largest C.
fn curve_which(
    log: &RunLog,
    points: &[Point],
    (threads, tasks): (&str, &[String]),
    every_c: bool,
) -> String {
    let saved = |r: &Paired| {
        let pcs = |ratio: f64| pc((1.0 - 1.0 / ratio) * 100.0);
        format!("{} % [{}–{} %]", pcs(r.point), pcs(r.low), pcs(r.high))
    };
    let faster = |r: &Paired| r.verdict().names_a_difference() && r.point > 1.0;
    let slower = |r: &Paired| r.verdict().names_a_difference() && r.point < 1.0;
    // Every sound comparison first: a task row faster at some C is then
    // followed at every C; one never faster is named once.
    let compared: Vec<(usize, Vec<(&String, Paired)>)> = points
        .iter()
        .map(|p| {
            let pairs = tasks
                .iter()
                .filter_map(|t| Some((t, sound_ratio(log, p, threads, t)?)))
                .collect();
            (p.concurrency, pairs)
        })
        .collect();
    let at_any = |task: &String, test: &dyn Fn(&Paired) -> bool| -> Vec<usize> {
        compared
            .iter()
            .filter(|(_, pairs)| pairs.iter().any(|(t, r)| *t == task && test(r)))
            .map(|(c, _)| *c)
            .collect()
    };
    let ever_faster = |task: &String| !at_any(task, &faster).is_empty();
    let mut first = None;
    let mut clauses = Vec::new();
    // At each C, the rows that were not faster: the opening gives only
    // those at the C between the first and the largest.
    let mut partial: Vec<(usize, String)> = Vec::new();
    // Where every row of the group was within ±1 %: the opening says those
    // before the first, where the model made no difference worth a choice.
    let mut all_same = Vec::new();
    for (p, (c, pairs)) in points.iter().zip(&compared) {
        let c = *c;
        let Some(t) = p.row(threads).filter(|r| r.stopped.is_none()) else {
            continue;
        };
        if !t.sound(c) {
            let why = if t.connections > 0 {
                format!("reconnected {} times", t.connections)
            } else if t.in_flight < c {
                format!("{} in flight, not {c}", t.in_flight)
            } else {
                "a premise failed".to_owned()
            };
            clauses.push((
                Some(c),
                format!("C = {c}: not compared (`{threads}` {why})"),
            ));
            continue;
        }
        let equivalent = |r: &Paired| matches!(r.verdict(), Verdict::Equivalent { .. });
        if pairs.len() == tasks.len() && pairs.iter().all(|(_, r)| equivalent(r)) {
            all_same.push(c);
        }
        // (words, names) in the order a reader needs them.
        let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
        let mut add = |words: &'static str, name: String| group_of(&mut groups, words).push(name);
        for (task, r) in pairs.iter().filter(|(t, _)| ever_faster(t)) {
            match r.verdict() {
                Verdict::Differs if r.point > 1.0 => {
                    first.get_or_insert(c);
                    add("faster", format!("`{task}` {}", saved(r)));
                }
                Verdict::DiffersBySizeUnknown if r.point > 1.0 => {
                    add("faster, size unknown", format!("`{task}` {}", saved(r)));
                }
                v if v.names_a_difference() => add("slower", format!("`{task}`")),
                Verdict::Equivalent { .. } => add("within ±1 %", format!("`{task}`")),
                _ => add("unresolved", format!("`{task}`")),
            }
        }
        // "C = 100: `a` 2.0 % [1.0–3.0 %] faster; `b` unresolved", of the
        // groups `keep` keeps; none when it keeps none.
        let clause = |keep: &dyn Fn(&str) -> bool| {
            let said: Vec<String> = groups
                .iter()
                .filter(|(words, _)| keep(words))
                .map(|(words, names)| format!("{} {words}", names.join(", ")))
                .collect();
            (!said.is_empty()).then(|| format!("C = {c}: {}", said.join("; ")))
        };
        if let Some(words) = clause(&|_| true) {
            clauses.push((Some(c), words));
        }
        if let Some(words) = clause(&|w| !w.starts_with("faster")) {
            partial.push((c, words));
        }
    }
    // The rows never faster, with where they were slower instead; rows
    // the same words fit share them.
    let never_rows: Vec<&String> = tasks.iter().filter(|t| !ever_faster(t)).collect();
    let mut never: Vec<(String, Vec<String>)> = Vec::new();
    for t in &never_rows {
        let cs: Vec<String> = at_any(t, &slower).iter().map(ToString::to_string).collect();
        let words = if cs.is_empty() {
            "within ±1 % or unresolved at every C".to_owned()
        } else {
            format!("slower at C = {}", cs.join(", "))
        };
        group_of(&mut never, words).push(format!("`{t}`"));
    }
    let subject = match tasks {
        [one] => format!("`{one}`"),
        _ => "tasks".to_owned(),
    };
    let top = clauses.iter().filter_map(|(c, _)| *c).max();
    // The first C where a row was faster is the lead's; its clause joins it.
    let mut text = match first {
        Some(c) => {
            let at = format!("C = {c}: ");
            // (Every C in order, the clause stays where it is.)
            let clause = clauses
                .iter()
                .position(|(at_c, _)| *at_c == Some(c) && !every_c)
                .map(|i| clauses.remove(i).1);
            // On the opening, the C before it where every row was within
            // ±1 % lead the sentence: the model made no difference there.
            let same_before: Vec<String> = all_same
                .iter()
                .filter(|at| **at < c && !every_c)
                .map(ToString::to_string)
                .collect();
            let lead = if same_before.is_empty() {
                format!("{subject} first beat `{threads}` beyond ±1 % at C = {c}")
            } else {
                format!(
                    "{subject} within ±1 % at C = {}, first faster beyond ±1 % at C = {c}",
                    same_before.join(", ")
                )
            };
            match clause.as_deref().and_then(|w| w.strip_prefix(&at)) {
                Some(words) => format!("{lead}: {words}"),
                None => lead,
            }
        }
        None => format!("{subject} never shown faster than `{threads}` beyond ±1 %"),
    };
    let never_words = |how: &dyn Fn(&str, &str) -> String| -> String {
        never
            .iter()
            .map(|(words, names)| how(&names.join(", "), words))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match (never.as_slice(), tasks.len()) {
        ([], _) => {}
        // Every row never faster, in the same words: the lead names them.
        ([(words, _)], n) if never_rows.len() == n => {
            let _ = write!(text, ": {words}");
        }
        (_, n) if never_rows.len() == n => {
            let _ = write!(text, ": {}", never_words(&|n, w| format!("{n} {w}")));
        }
        _ => clauses.push((None, never_words(&|n, w| format!("{n} never faster: {w}")))),
    }
    // The opening: the first C, the largest, and between them only the
    // rows that were not faster.
    let said: Vec<&str> = clauses
        .iter()
        .filter_map(|(c, words)| match c {
            _ if every_c || c.is_none() || *c == first || *c == top => Some(words.as_str()),
            Some(c) if first.is_some_and(|f| *c > f) => partial
                .iter()
                .find(|(at, _)| at == c)
                .map(|(_, w)| w.as_str()),
            _ => None,
        })
        .collect();
    if said.is_empty() {
        format!("{text}.")
    } else {
        format!("{text}. {}.", capitalized(&said.join(". ")))
    }
}

/// What the curve adds to "which when": memory and threads at its largest
/// C, the thread row against the task rows, and every row that stopped,
/// where and why.
fn curve_words(log: &RunLog, points: &[Point], threads: &str, tasks: &[String]) -> String {
    let mut out = String::new();
    // What one more request in flight costs, at the largest C where the
    // thread row has a figure: the thread row against the lightest task row.
    let top = points.iter().rev().find(|p| {
        p.row(threads)
            .is_some_and(|r| r.memory_per_request.is_some())
    });
    if let Some(p) = top {
        let each =
            |r: &Curve| -> Option<(f64, f64)> { Some((r.memory_per_request?, r.threads?.median)) };
        let t = p.row(threads).and_then(each);
        let lightest = tasks
            .iter()
            .filter_map(|n| Some((n, each(p.row(n)?)?)))
            .min_by(|a, b| a.1.0.total_cmp(&b.1.0));
        if let (Some((t_kib, t_threads)), Some((name, (k_kib, k_threads)))) = (t, lightest) {
            let _ = write!(
                out,
                " At C = {}: {t_threads:.0} threads against {k_threads:.0} (`{name}`), {:.1}× the memory a \
                 request.",
                p.concurrency,
                t_kib / k_kib.max(0.1)
            );
        }
    }
    // Where each row stopped: by C, then by what stopped it.
    let mut stops: Vec<(usize, Stops)> = Vec::new();
    for p in points {
        for r in &p.rows {
            let Some(why) = r
                .stopped
                .as_deref()
                .filter(|w| !w.starts_with(STOPPED_EARLIER))
            else {
                continue;
            };
            let scale = log.scale.as_ref();
            let label = match (
                scale.and_then(|s| s.cap_s),
                scale.and_then(|s| s.watchdog_s),
            ) {
                (Some(cap), _) if stop_label(why) == TIME_CAP => {
                    format!("over this run's {cap:.0} s cap")
                }
                (_, Some(secs)) if stop_label(why) == ENDED => {
                    format!("unanswered after {secs:.0} s")
                }
                (_, Some(secs)) if stop_label(why) == NOT_BUILT => {
                    format!("not built after {secs:.0} s")
                }
                _ => stop_label(why).to_owned(),
            };
            group_of(group_of(&mut stops, p.concurrency), label).push(format!("`{}`", r.strategy));
        }
    }
    let stopped: Vec<String> = stops
        .iter()
        .map(|(c, labels)| {
            let said: Vec<String> = labels
                .iter()
                .map(|(label, names)| format!("{}, {label}", names.join(", ")))
                .collect();
            format!("at C = {c}: {}", said.join("; "))
        })
        .collect();
    // The limits probe says where each row fails with no time cap, which
    // supersedes where this run's cap stopped it (the scale section keeps
    // those).
    let probed = log.limits.as_ref().is_some_and(|p| !p.rows.is_empty());
    if !stopped.is_empty() && !probed {
        let _ = write!(out, " Stopped {}.", stopped.join("; "));
    }
    out
}

/// The rows that stopped at one C, grouped by what stopped them: (what,
/// rows).
type Stops = Vec<(String, Vec<String>)>;

/// "Which when" on the curve, leading to its picture (the table above
/// names its C).
const CURVE_LEAD: &str = "**Which when** ([scale.svg](scale.svg)).";

/// The first screen's verdicts, by what they compare: threads against
/// tasks at each C, and each client split; what a later run's "does it
/// reproduce?" holds to.
pub(crate) fn first_screen_verdicts(rows: &[Row], log: &RunLog) -> Vec<(String, String)> {
    model_sides(rows, log).map_or_else(Vec::new, |m| verdicts_of(&m, rows, log))
}

/// [`first_screen_verdicts`] of a model comparison already made.
fn verdicts_of(m: &ModelSides, rows: &[Row], log: &RunLog) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match &m.curve {
        // Row by row on the curve: "mixed" would hide which row moved.
        Some(points) => {
            for p in points {
                for t in &m.tasks {
                    if let Some(r) = sound_ratio(log, p, &m.threads, t) {
                        out.push((
                            format!(
                                "`{}` against `{t}`, scale curve, C = {}",
                                m.threads, p.concurrency
                            ),
                            row_word(&r),
                        ));
                    }
                }
            }
        }
        None => {
            for (c, side) in &m.verdicts {
                out.push((
                    format!("threads against tasks, same client, C = {c}"),
                    side.word().to_owned(),
                ));
            }
        }
    }
    if let Some(&top) = m.cs.last().filter(|_| m.curve.is_none()) {
        let here = of(rows, "concurrency", Some(top));
        for (control, against) in splits_from(&here, log, Differs::Client) {
            let Some(r) = find(&here, &against).and_then(|o| ratio(o, control)) else {
                continue;
            };
            let word = match r.verdict() {
                v if v.names_a_difference() && r.point > 1.0 => "longer",
                v if v.names_a_difference() => "shorter",
                Verdict::Equivalent { .. } => "within ±1 %",
                Verdict::TooFewRounds => "too few rounds",
                _ => "unresolved",
            };
            out.push((
                format!(
                    "client: `{against}` against `{}`, C = {top}",
                    control.strategy
                ),
                word.to_owned(),
            ));
        }
    }
    out
}

fn many_in_flight(rows: &[Row], log: &RunLog) -> Option<String> {
    let sides = model_sides(rows, log)?;
    let screen = verdicts_of(&sides, rows, log);
    let ModelSides {
        threads: threads_name,
        tasks: task_names,
        cs,
        verdicts,
        held,
        curve,
    } = sides;
    let from_curve = curve.is_some();
    let top = *cs.last()?;
    let at_top = of(rows, "concurrency", Some(top));
    let client = log
        .strategy(&threads_name)
        .map_or("the same client".to_owned(), |f| f.client.clone());
    let cpus = log.split.client.len().max(1);
    // With a curve, "which when" says which rows share the thread row's
    // sockets; without one, the lead does.
    let sockets = if from_curve {
        String::new()
    } else {
        sockets_words(log, std::iter::once(&threads_name).chain(&task_names))
    };
    let mut out = format!(
        "**For APIs that allow many requests in flight**: threads against tasks, one HTTP client ({client}{sockets}), \
         {} a call, {}:\n\n",
        if from_curve {
            "2 × C titles".to_owned()
        } else {
            format!("{} titles", at_top.first().map_or(0, |r| r.titles))
        },
        if cpus == 1 {
            "one client CPU".to_owned()
        } else {
            format!("{cpus} client CPUs")
        },
    );
    table(
        &mut out,
        rows,
        log,
        (&threads_name, &task_names),
        &cs,
        curve.as_deref(),
    );
    out.push('\n');
    match &curve {
        Some(points) => {
            let _ = write!(
                out,
                "{} {}{}",
                CURVE_LEAD,
                curve_groups(log, points, (&threads_name, &task_names), false).join(" "),
                curve_words(log, points, &threads_name, &task_names)
            );
        }
        None => {
            let _ = write!(
                out,
                "{}",
                which_when(&verdicts, &held, &threads_name, &task_names)
            );
        }
    }
    // Where the run this one replaced contradicted it (two decided
    // verdicts that differ), the reader hears it here, not only in
    // DETAILS.md, which lists every change.
    if let Some(earlier) = &log.earlier {
        let moved: Vec<String> = screen
            .into_iter()
            .filter_map(|(key, now)| {
                let (_, before) = earlier.verdicts.iter().find(|(k, _)| *k == key)?;
                contradicts(before, &now).then(|| format!("{key} (it said {before})"))
            })
            .collect();
        if !moved.is_empty() {
            let _ = write!(
                out,
                " The run before said otherwise for {}.",
                moved.join("; ")
            );
        }
    }
    // The client's share at the table's largest C; with a curve, the
    // findings under the answer give it (the curve is what decides here).
    if let Some(words) = client_share(rows, log, top).filter(|_| !from_curve) {
        let _ = write!(out, "\n\n{words}");
    }
    Some(out)
}

/// "; sockets: `a` on std, poll(2) a thread; `b`, `c` on tokio" when
/// `rows` share a client but not what waits on their sockets (the log's
/// facts); nothing when they all share it.
fn sockets_words<'a>(log: &RunLog, rows: impl Iterator<Item = &'a String>) -> String {
    let mut by: Vec<(&str, Vec<String>)> = Vec::new();
    for name in rows {
        let Some(facts) = log.strategy(name).filter(|f| !f.sockets.is_empty()) else {
            continue;
        };
        group_of(&mut by, facts.sockets.as_str()).push(format!("`{name}`"));
    }
    if by.len() < 2 {
        return String::new();
    }
    let groups: Vec<String> = by
        .iter()
        .map(|(s, names)| format!("{} on {s}", names.join(", ")))
        .collect();
    format!("; sockets: {}", groups.join("; "))
}

/// The table of the model comparison: time per wave at each C, client CPU
/// per request with no delay, and memory per request in flight. With a
/// curve, time per wave and memory are the curve's (every C it ran, five
/// readings of memory); without one, `concurrency`'s at `cs` and the
/// footprint's.
fn table(
    out: &mut String,
    rows: &[Row],
    log: &RunLog,
    (threads, tasks): (&str, &[String]),
    cs: &[usize],
    curve: Option<&[Point]>,
) {
    let cpu_c = concurrencies(rows, "overhead")
        .into_iter()
        .filter(|c| *c > 1)
        .max();
    let join = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(", ");
    let (time_head, memory_head) = match curve {
        Some(points) => {
            let (low, high) = (
                points.len().checked_sub(2).and_then(|i| points.get(i)),
                points.last(),
            );
            (
                format!(
                    "mean ms a wave (C = {}; delay {} ms)",
                    join(&mut points.iter().map(|p| p.concurrency.to_string())),
                    join(&mut points.iter().map(|p| format!("{:.0}", p.delay_s * 1e3))),
                ),
                format!(
                    "memory a request (RSS + kernel, C = {} → {}, {})",
                    low.map_or(0, |p| p.concurrency),
                    high.map_or(0, |p| p.concurrency),
                    readings_words(
                        high,
                        std::iter::once(threads).chain(tasks.iter().map(String::as_str))
                    )
                ),
            )
        }
        None => {
            let [low, high] = log.footprint.as_ref().map_or([0, 0], |f| f.concurrencies);
            (
                format!(
                    "median time per wave (C = {})",
                    join(&mut cs.iter().map(ToString::to_string))
                ),
                format!("memory a request (C = {low} → {high}, one measurement)"),
            )
        }
    };
    let _ = writeln!(
        out,
        "| model | {time_head} | per request, no delay{}: instructions | system calls (both untimed) | \
         voluntary switches | CPU, µs [95 % CI] | {memory_head} |\n\
         |---|---:|---:|---:|---:|---:|---:|",
        cpu_c.map_or(String::new(), |c| format!(", C = {c}")),
    );
    for (kind, name) in
        std::iter::once(("threads", threads)).chain(tasks.iter().map(|t| ("tasks", t.as_str())))
    {
        let waves: Vec<String> = match curve {
            Some(points) => points.iter().map(|p| curve_wave(p, name)).collect(),
            None => cs
                .iter()
                .map(|&c| {
                    find(&of(rows, "concurrency", Some(c)), name)
                        .and_then(per_wave)
                        .map_or("–".into(), |w| format!("{:.1}", w * 1e3))
                })
                .collect(),
        };
        let cpu = cpu_c
            .and_then(|c| find(&of(rows, "overhead", Some(c)), name))
            .map_or("– | – | – | –".into(), |r| cost(log, r));
        // Threads a request (1 or 0 by construction) are in the table of
        // every strategy below.
        let kib = match curve {
            Some(points) => points
                .last()
                .and_then(|p| p.row(name))
                .filter(|r| r.memory_read_enough())
                .and_then(|r| r.memory_per_request),
            None => log
                .footprint
                .as_ref()
                .and_then(|f| PerRequest::of(f, name))
                .map(|p| p.peak_kib),
        }
        .map_or("–".into(), |k| format!("{k:.0} KiB"));
        let unit = if curve.is_some() { "" } else { " ms" };
        let _ = writeln!(
            out,
            "| {kind}: `{name}` | {}{unit} | {cpu} | {kib} |",
            waves.join(", ")
        );
    }
    // The floor on the curve: what the rig allowed at each C (at large C
    // even the reference client is slower than the delay's waves).
    if let Some(points) = curve.filter(|p| p.iter().any(|p| p.row(REFERENCE).is_some())) {
        let waves: Vec<String> = points.iter().map(|p| curve_wave(p, REFERENCE)).collect();
        let cpu = cpu_c
            .and_then(|c| find(&of(rows, "overhead", Some(c)), REFERENCE))
            .map_or("– | – | – | –".into(), |r| cost(log, r));
        // Its memory a request: what any client holds for a request and
        // its result, which both models' figures include.
        let kib = points
            .last()
            .and_then(|p| p.row(REFERENCE))
            .filter(|r| r.memory_read_enough())
            .and_then(|r| r.memory_per_request)
            .map_or("–".into(), |k| format!("{k:.0} KiB"));
        let _ = writeln!(
            out,
            "| bare client, no model | {} | {cpu} | {kib} |",
            waves.join(", ")
        );
    }
}

/// "5 readings", or "3–5 readings" when the rows' counts differ: the
/// readings of memory behind the table's cells at point `p` (the rows
/// read fewer than [`crate::analysis::scale::MIN_READINGS`] times show no
/// figure and are not counted).
fn readings_words<'a>(p: Option<&Point>, names: impl Iterator<Item = &'a str>) -> String {
    let counts: Vec<usize> = names
        .filter_map(|n| p?.row(n))
        .filter(|r| r.memory_read_enough())
        .filter_map(|r| r.rss_kib.map(|s| s.readings))
        .collect();
    match (counts.iter().min(), counts.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => format!("{lo} readings"),
        (Some(lo), Some(hi)) => format!("{lo}–{hi} readings"),
        _ => "no figure read enough".to_owned(),
    }
}

/// Row `name`'s mean time per wave at curve point `p`, ms, as a cell:
/// "stopped" where it did not run, ⚠ where a premise failed.
fn curve_wave(p: &Point, name: &str) -> String {
    let Some(r) = p.row(name) else {
        return "–".into();
    };
    match (&r.stopped, r.time) {
        (Some(_), _) => "stopped".into(),
        (None, Some(t)) => format!(
            "{:.1}{}",
            t.mean / p.waves.max(1) as f64 * 1e3,
            if r.sound(p.concurrency) { "" } else { " ⚠" }
        ),
        (None, None) => "–".into(),
    }
}

/// A row's cost a request with no delay, as the table's four cells, the
/// measures that do not drift first: "52k | 10.3 | 1.02 | 16.6
/// [15.9–17.3]", a dash for each one this run did not count.
fn cost(log: &RunLog, r: &Row) -> String {
    let instructions = log
        .instructions
        .as_ref()
        .and_then(|i| i.of(&r.strategy).map(|c| i.per_request(c)))
        .map_or("–".into(), |n| format!("{:.0}k", n / 1000.0));
    let calls = log
        .syscalls
        .as_ref()
        .and_then(|s| s.of(&r.strategy).map(|c| s.per_request(c)))
        .map_or("–".into(), |n| format!("{n:.1}"));
    let switches = r
        .switches_per_request
        .map_or("–".into(), |(v, _)| format!("{v:.2}"));
    // In µs, as the header says: CPU a request runs from about 5 to 100 µs.
    let us = |s: f64| format!("{:.1}", s * 1e6);
    let interval = r.client_cpu_ci.map_or(String::new(), |c| {
        format!(" [{}–{}]", us(c.low), us(c.high))
    });
    format!(
        "{instructions} | {calls} | {switches} | {}{interval}{}",
        us(r.client_cpu_per_request_s),
        flag(r)
    )
}

/// Which side of a comparison of threads (`a`) with a task row (`b`) the
/// verdict came down on, with the task row's advantage in per cent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    /// Tasks took less time: by at least this many per cent of the threads'
    /// time (the 95 % interval's near end).
    Tasks(f64),
    /// Threads took less time, by at least this many per cent.
    Threads(f64),
    /// Equivalent within the margin.
    Same,
    /// The task rows' verdicts disagree (one faster, one equivalent…).
    Mixed,
    /// This run cannot tell (or too few rounds).
    Unknown,
}

fn side_of(r: &Paired) -> Side {
    match r.verdict() {
        v if v.names_a_difference() && r.point > 1.0 => Side::Tasks((1.0 - 1.0 / r.low) * 100.0),
        v if v.names_a_difference() => Side::Threads((1.0 - r.high) * 100.0),
        Verdict::Equivalent { .. } => Side::Same,
        _ => Side::Unknown,
    }
}

/// The fewest blocks any of `ratios` held its verdict in, and of how many
/// blocks; `None` for comparisons over rounds.
fn least_held(ratios: &[Paired]) -> Option<(usize, usize)> {
    let held = ratios
        .iter()
        .filter(|r| r.blocks > 1)
        .map(|r| r.held)
        .min()?;
    Some((held, ratios.iter().map(|r| r.blocks).max()?))
}

/// "(each in ≥ 4 of 5 blocks)": how firmly a verdict held, for a decided
/// one measured in blocks; nothing otherwise.
fn held_words(side: &Side, held: Option<(usize, usize)>, several: bool) -> String {
    match (side, held) {
        (Side::Same | Side::Tasks(_) | Side::Threads(_), Some((k, n))) => format!(
            " ({} {}{k} of {n} blocks)",
            if several { "each in" } else { "in" },
            if k == n { "" } else { "≥ " }
        ),
        _ => String::new(),
    }
}

/// Whether two first-screen verdicts, as their words ([`Side::word`], or
/// [`row_word`]), say incompatible things: opposite sides faster, or one
/// run within the margin where the other found a difference beyond it. A
/// decided verdict against an undecided one ("mixed": the task rows'
/// verdicts disagree; "unresolved") is not a contradiction, nor is a
/// difference of unknown size against "within ±1 %" (a true difference
/// near the margin fits both): such a difference is decided in one run
/// and not in the next as often as the test's power says.
pub(crate) fn contradicts(before: &str, now: &str) -> bool {
    let side = |w: &str| {
        if w.starts_with(Side::Tasks(0.0).word()) {
            Some(1)
        } else if w.starts_with(Side::Threads(0.0).word()) {
            Some(-1)
        } else if w == Side::Same.word() {
            Some(0)
        } else {
            None
        }
    };
    let sized = |w: &str| !w.ends_with(SIZE_UNKNOWN);
    match (side(before), side(now)) {
        (Some(a), Some(b)) if a != b => (a != 0 && b != 0) || (sized(before) && sized(now)),
        _ => false,
    }
}

/// What ends a verdict word whose difference may be inside the margin.
const SIZE_UNKNOWN: &str = ", size unknown";

/// One task row's verdict against the thread row, in words: a side
/// ([`Side::word`]), with [`SIZE_UNKNOWN`] where the interval reaches
/// inside the margin.
fn row_word(r: &Paired) -> String {
    let side = side_of(r).word();
    if r.verdict() == Verdict::DiffersBySizeUnknown {
        format!("{side}{SIZE_UNKNOWN}")
    } else {
        side.to_owned()
    }
}

impl Side {
    /// The verdict in a word or two, as the reproduction check lists it.
    fn word(&self) -> &'static str {
        match self {
            Side::Tasks(_) => "tasks faster",
            Side::Threads(_) => "threads faster",
            Side::Same => "within ±1 %",
            Side::Mixed => "mixed",
            Side::Unknown => "unresolved",
        }
    }

    /// What every task row's verdict says together: one side when they
    /// agree (with the smallest advantage), unknown when they do not.
    fn of_all(sides: &[Side]) -> Option<Side> {
        let first = *sides.first()?;
        let kind = std::mem::discriminant(&first);
        if sides.iter().any(|s| std::mem::discriminant(s) != kind) {
            return Some(Side::Mixed);
        }
        let least = sides
            .iter()
            .filter_map(Side::percent)
            .fold(f64::INFINITY, f64::min);
        Some(match first {
            Side::Tasks(_) => Side::Tasks(least),
            Side::Threads(_) => Side::Threads(least),
            same_or_unknown => same_or_unknown,
        })
    }

    /// The advantage of the side that was faster, in per cent.
    fn percent(&self) -> Option<f64> {
        match self {
            Side::Tasks(p) | Side::Threads(p) => Some(*p),
            Side::Same | Side::Mixed | Side::Unknown => None,
        }
    }
}

/// "Which when", from the verdicts at each C in ascending order: where
/// threads kept up, where tasks pulled ahead (and from which C on), where
/// this run cannot tell; then the advice those verdicts support.
fn which_when(
    verdicts: &[(usize, Side)],
    held: &[(usize, Option<(usize, usize)>)],
    threads: &str,
    tasks: &[String],
) -> String {
    let task_list = {
        let names: Vec<String> = tasks.iter().map(|t| format!("`{t}`")).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    };
    let kind = |s: &Side| match s {
        Side::Same => 0,
        Side::Tasks(_) => 1,
        Side::Threads(_) => 2,
        Side::Unknown => 3,
        Side::Mixed => 4,
    };
    // Runs of consecutive C with the same kind of verdict.
    let mut runs: Vec<(Vec<usize>, Vec<Side>)> = Vec::new();
    for (c, s) in verdicts {
        match runs.last_mut() {
            Some((cs, sides)) if kind(&sides[0]) == kind(s) => {
                cs.push(*c);
                sides.push(*s);
            }
            _ => runs.push((vec![*c], vec![*s])),
        }
    }
    let n = runs.len();
    let said: Vec<String> = runs
        .iter()
        .map(|(cs, sides)| {
            let at = match cs.as_slice() {
                [one] => format!("C = {one}"),
                [init @ .., last] => format!(
                    "C = {} and {last}",
                    init.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                [] => String::new(),
            };
            let least = sides
                .iter()
                .filter_map(Side::percent)
                .fold(f64::INFINITY, f64::min);
            // The least any C of the run held in.
            let firm = cs
                .iter()
                .map(|c| held.iter().find(|(at, _)| at == c).and_then(|(_, h)| *h))
                .try_fold((usize::MAX, 0), |(k, n), h| {
                    h.map(|(hk, hn)| (k.min(hk), n.max(hn)))
                });
            let firm = held_words(&sides[0], firm, cs.len() > 1 || tasks.len() > 1);
            match sides[0] {
                Side::Same => format!("at {at} threads and tasks were within ±1 %{firm}"),
                Side::Tasks(_) => format!(
                    "at {at} {task_list} were each faster, by at least {} %{firm}",
                    pc(least)
                ),
                Side::Threads(_) => format!(
                    "at {at} `{threads}` was faster than each of them, by at least {} %{firm}",
                    pc(least)
                ),
                Side::Unknown => format!("at {at} this run cannot tell them apart"),
                Side::Mixed => format!("at {at} the task rows' verdicts differ"),
            }
        })
        .collect();
    let list = |k: usize| -> Vec<usize> {
        verdicts
            .iter()
            .filter(|(_, s)| kind(s) == k)
            .map(|(c, _)| *c)
            .collect()
    };
    let (same, tasks, threads_ahead) = (list(0), list(1), list(2));
    let tail_tasks = n > 1 && runs.last().is_some_and(|(_, sides)| kind(&sides[0]) == 1);
    let cs = |v: &[usize]| {
        v.iter()
            .map(|c| format!("C = {c}"))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let advice = match (tasks.is_empty(), threads_ahead.is_empty(), same.is_empty()) {
        (true, true, true) => "So this run cannot say which is faster here.".to_owned(),
        (true, true, false) => format!(
            "So a pool of threads was as fast as tasks wherever this run could tell ({}): choose by memory.",
            cs(&same)
        ),
        (false, true, _) if tail_tasks => format!(
            "So {}at {} tasks saved time.",
            if same.is_empty() {
                String::new()
            } else {
                format!("a pool of threads did as well at {}; ", cs(&same))
            },
            cs(&runs[n - 1].0)
        ),
        (false, true, _) => {
            "So tasks saved time wherever the run could tell them apart.".to_owned()
        }
        (true, false, _) => {
            "So threads saved time wherever the run could tell them apart.".to_owned()
        }
        (false, false, _) => "So which is faster depends on C here.".to_owned(),
    };
    format!(
        "**Which when**. {}. {advice}",
        capitalized(&said.join("; "))
    )
}

/// `text` with its first letter in capitals.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The client's share, the model held equal: each row that differs from
/// another in its HTTP client only, at the largest C, in time (their CPU
/// is in the table of every strategy, just below).
fn client_share(rows: &[Row], log: &RunLog, c: usize) -> Option<String> {
    let here = of(rows, "concurrency", Some(c));
    let said: Vec<(String, String)> = splits_from(&here, log, Differs::Client)
        .into_iter()
        .filter_map(|(control, against)| {
            let other = find(&here, &against)?;
            let facts = |n: &str| {
                log.strategy(n)
                    .map(|f| f.client.clone())
                    .unwrap_or_default()
            };
            let r = ratio(other, control)?;
            let verdict = match r.verdict() {
                v if v.names_a_difference() && r.point > 1.0 => {
                    format!("took {} % longer", pc((r.point - 1.0) * 100.0))
                }
                v if v.names_a_difference() => {
                    format!("took {} % less", pc((1.0 - r.point) * 100.0))
                }
                Verdict::Equivalent { .. } => "took the same time".to_owned(),
                _ => "was not told apart in time".to_owned(),
            };
            let verdict = format!(
                "{verdict}{}",
                held_words(&side_of(&r), least_held(&[r]), false)
            );
            Some((
                format!(
                    "{} against {} (`{}`)",
                    facts(&other.strategy),
                    facts(&control.strategy),
                    other.strategy,
                ),
                verdict,
            ))
        })
        .collect();
    // Splits with the same verdict share one clause.
    let mut parts: Vec<String> = Vec::new();
    let mut done = vec![false; said.len()];
    for i in 0..said.len() {
        if done[i] {
            continue;
        }
        let same: Vec<usize> = (i..said.len())
            .filter(|&j| !done[j] && said[j].1 == said[i].1)
            .collect();
        let subjects: Vec<&str> = same.iter().map(|&j| said[j].0.as_str()).collect();
        let verdict = &said[i].1;
        parts.push(if same.len() > 1 {
            let plural = verdict
                .strip_prefix("was ")
                .map_or(verdict.clone(), |v| format!("were {v}"));
            format!("{} {plural}", subjects.join(" and "))
        } else {
            format!("{} {verdict}", subjects[0])
        });
        for j in same {
            done[j] = true;
        }
    }
    (!parts.is_empty()).then(|| {
        format!(
            "**The HTTP client**, the model held equal, at C = {c}: {}.",
            parts.join("; ")
        )
    })
}

/// The rule that predicts the time, and where it held: with a fixed delay,
/// ⌈N/C⌉ waves (uneven delays are `jitter`'s finding, under the answer).
fn rule(rows: &[Row], log: &RunLog) -> Option<String> {
    let mut text = "**The rule.** A call takes no less than ⌈N/C⌉ delays".to_owned();
    // Said where threads and tasks were compared with a fixed delay.
    log.scenario("concurrency")?.fixed_delay_s?;
    concurrencies(rows, "concurrency").last()?;
    match cpu_rule(log) {
        Some(words) => {
            let _ = write!(text, ", {words}");
        }
        None => text.push('.'),
    }
    Some(text)
}

/// The client's CPU as the rule's second bound, where the curve has one:
/// at the largest C where the thread row of the model comparison was
/// timed soundly, N × its CPU a request ÷ the client's CPUs, beside the
/// lightest task row's and the delay's waves.
fn cpu_rule(log: &RunLog) -> Option<String> {
    let points = crate::analysis::scale::curve(log)?;
    let (threads, tasks) = crate::analysis::scale::model_rows(log, &points)?;
    let (p, t) = points.iter().rev().find_map(|p| {
        let t = p.row(&threads).filter(|r| r.sound(p.concurrency))?;
        Some((p, t.cpu_bound_s?))
    })?;
    let (task, k) = tasks
        .iter()
        .filter_map(|n| Some((n, p.row(n)?.cpu_bound_s?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let cpus = log.split.client.len().max(1);
    Some(format!(
        "nor than N × CPU a request on {}{} (C = {}: {} for `{threads}`, {} for `{task}`, against {} of waves).",
        if cpus == 1 {
            "one client CPU".to_owned()
        } else {
            format!("{cpus} client CPUs")
        },
        if cpus == 1 { "" } else { " ÷ CPUs" },
        p.concurrency,
        time(t),
        time(k),
        time(p.delay_bound_s())
    ))
}

/// What a new connection per request cost over HTTPS, as a mechanism:
/// round trips per request, beside what the network model predicts.
fn keep_alive(rows: &[Row], log: &RunLog) -> Option<String> {
    let k = super::listed::keep_alive_price(rows, log)?;
    Some(format!(
        "**Keep connections alive.** Over a modelled {} round trip, a new connection a request (the lesson's \
         `requests.get`) cost {} more: {:.1} round trips, as the delay line is built to add.",
        time(k.rtt),
        time(k.price.extra_s),
        k.price.round_trips,
    ))
}

/// The strategies a reader chooses between, in the order the table lists
/// them: every row that is not a control, from the log's facts.
fn choices(log: &RunLog) -> Vec<&str> {
    log.strategies
        .iter()
        .filter(|s| (!s.control || s.capped) && s.titles_per_request == 1)
        .map(|s| s.name.as_str())
        .collect()
}

/// Each strategy as people write it, with its own client: time per wave
/// at the largest C, client CPU per request with no delay, memory and
/// threads per request in flight. Below the answer: these rows differ in
/// more than their model.
pub fn as_written(rows: &[Row], log: &RunLog) -> String {
    let Some(&c) = concurrencies(rows, "concurrency").last() else {
        return String::new();
    };
    let waves = of(rows, "concurrency", Some(c));
    let overhead = of(rows, "overhead", None);
    let costs = crate::analysis::InFlightCosts::of(log);
    let [low, high] = costs.as_ref().map_or([0, 0], |c| c.between);
    let mut out = format!(
        "## Each strategy as people write it\n\nEach with its own HTTP client, so that these rows differ in more than \
         their model (the answer above holds the client equal); each column is its own experiment.\n\n\
         | strategy | time per wave (median; {} titles, C = {c}) | client CPU per request (no delay) | memory per \
         request in flight (C = {low} → {high}{}) | threads per request in flight |\n|---|---:|---:|---:|---:|\n",
        waves.first().map_or(0, |r| r.titles),
        costs
            .as_ref()
            .map_or(String::new(), |c| format!(", {}", c.how())),
    );
    for name in choices(log) {
        let in_series = log.strategy(name).is_some_and(|s| s.in_series);
        let wave = find(&waves, name)
            .or_else(|| in_series.then(|| find(&of(rows, "latency", Some(1)), name))?)
            .and_then(|r| {
                let w = per_wave(r)?;
                Some(if r.concurrency == c {
                    time(w)
                } else {
                    format!("{} (C = {})", time(w), r.concurrency)
                })
            })
            .or_else(|| {
                // A capped row (`rayon-default`) runs in `concurrency` only
                // in the sweep; `latency` has it at its C.
                let r = find(&waves, name).or_else(|| find(&of(rows, "latency", None), name))?;
                let in_flight = r.max_in_flight?;
                Some(format!(
                    "{} a call: {in_flight} in flight, so {} waves{}",
                    time(r.median_s),
                    r.titles.div_ceil(in_flight.max(1)),
                    if r.concurrency == c && r.titles == waves.first().map_or(0, |w| w.titles) {
                        String::new()
                    } else {
                        format!(" ({} titles, C = {})", r.titles, r.concurrency)
                    }
                ))
            })
            .unwrap_or_else(|| "–".into());
        let cpu = find(&overhead, name).map_or("–".into(), |r| {
            format!(
                "{} (C = {}){}",
                us3(r.client_cpu_per_request_s),
                r.concurrency,
                flag(r)
            )
        });
        let flag = costs.as_ref().map_or("", |c| c.flag(name));
        let (kib, threads) = costs.as_ref().and_then(|c| c.get(name)).map_or(
            ("–".into(), "–".into()),
            |(kib, threads)| {
                (
                    format!("{kib:.0} KiB{flag}"),
                    format!("{:.1}{flag}", threads.max(0.0)),
                )
            },
        );
        let _ = writeln!(out, "| `{name}` | {wave} | {cpu} | {kib} | {threads} |");
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::prose::tests::{paired_vec, row};
    use wikifetch_runlog::{
        CpuSplit, Footprint, FootprintSetup, ScenarioFacts, Split, StrategyFacts,
    };

    /// Words of the rig that must not appear on the opening screen: a reader
    /// meets them only below, where they are defined.
    const RIG_TERMS: [&str; 6] = [
        "floor",
        "premise",
        "rig-bound",
        "pair cell",
        "reference client",
        "control",
    ];

    /// The most words the opening screen may have (`wc -w`).
    const WORDS: usize = 450;

    fn facts(name: &str, client: &str, model: &str, splits: &[(&str, Differs)]) -> StrategyFacts {
        StrategyFacts {
            name: name.into(),
            titles_per_request: 1,
            control: !splits.is_empty(),
            client: client.into(),
            model: model.into(),
            splits: splits
                .iter()
                .map(|(a, d)| Split {
                    against: (*a).into(),
                    differs_in: *d,
                })
                .collect(),
            ..StrategyFacts::default()
        }
    }

    /// A log whose strategies hold one thing equal as the registry's do,
    /// with a footprint for the threads row and one task row.
    fn log() -> RunLog {
        let mut log = RunLog {
            split: CpuSplit::split(&[0, 1]),
            strategies: vec![
                facts("thread-pool", "ureq 3", "OS threads", &[]),
                facts(
                    "thread-pool-hyper",
                    "hyper 1",
                    "OS threads",
                    &[("thread-pool", Differs::Client)],
                ),
                facts(
                    "smol",
                    "hyper 1",
                    "tasks",
                    &[("thread-pool-hyper", Differs::Model)],
                ),
                facts(
                    "tokio-hyper",
                    "hyper 1",
                    "tasks",
                    &[("thread-pool-hyper", Differs::Model)],
                ),
            ],
            scenarios: vec![ScenarioFacts {
                name: "concurrency".into(),
                titles: 200,
                fixed_delay_s: Some(0.02),
                typical_delay_s: 0.02,
                ..ScenarioFacts::default()
            }],
            footprint: Some(FootprintSetup {
                delay_s: 1.0,
                concurrencies: [100, 1000],
                calls: Vec::new(),
            }),
            ..RunLog::default()
        };
        for (name, threads, per) in [
            ("thread-pool-hyper", 1, 50),
            ("smol", 0, 20),
            ("tokio-hyper", 0, 22),
        ] {
            for c in [100, 1000] {
                let kib = 10_000 + (c as u64 - 100) * per;
                log.footprint.as_mut().unwrap().calls.push(Footprint {
                    strategy: name.into(),
                    concurrency: c,
                    idle_rss_kib: kib,
                    peak_rss_kib: kib,
                    idle_threads: 1 + threads * c as u64,
                    peak_threads: 1 + threads * c as u64,
                    in_flight: c,
                    connections: 0,
                    wall_s: 1.0,
                    titles: c,
                    client_cpu_s: 0.1,
                });
            }
        }
        // The registry's sockets: tokio's for the tokio rows, async-io's
        // for the other hyper rows.
        for f in &mut log.strategies {
            f.sockets = match f.name.as_str() {
                "thread-pool" => "std, blocking",
                "thread-pool-hyper" => "std, poll(2) a thread",
                "tokio-hyper" => "tokio",
                _ => "async-io",
            }
            .into();
        }
        log
    }

    fn at(scenario: &str, strategy: &str, c: usize, mean: f64) -> Row {
        Row {
            scenario: scenario.into(),
            titles: 200,
            ideal_s: Some(0.02 * 200usize.div_ceil(c) as f64),
            ..row(strategy, c, mean, 1e-6, 30e-6)
        }
    }

    /// `concurrency` at C = 10 and 100: threads at `threads` × the tasks'
    /// time at each C, and `overhead` for the CPU column.
    fn rows(threads_at_10: f64, threads_at_100: f64) -> Vec<Row> {
        let mut rows = Vec::new();
        for (c, factor) in [(10, threads_at_10), (100, threads_at_100)] {
            let task = 0.02 * 200usize.div_ceil(c) as f64;
            rows.push(at("concurrency", "thread-pool-hyper", c, task * factor));
            rows.push(at("concurrency", "thread-pool", c, task * factor * 1.02));
            rows.push(at("concurrency", "smol", c, task));
            rows.push(at("concurrency", "tokio-hyper", c, task * 1.001));
        }
        for name in ["thread-pool-hyper", "thread-pool", "smol", "tokio-hyper"] {
            rows.push(at("overhead", name, 10, 0.02));
        }
        paired_vec(rows)
    }

    fn which_when_of(text: &str) -> &str {
        let start = text.find("**Which when**").expect("a which-when");
        &text[start..start + text[start..].find('\n').unwrap_or(text.len() - start)]
    }

    /// A curve at C = 10 and 10,000: the thread row at `threads_at_top` ×
    /// the task rows' time at 10,000 (equal at 10), with 10,001 threads
    /// and 4× the task rows' memory there; `thread-pool` stopped at 10,000.
    fn curved(threads_at_top: f64) -> RunLog {
        use wikifetch_runlog::{Sample, Scale, ScaleBlock, ScalePoint, ScaleRow};
        let row = |name: &str, c: usize, wall: f64, threads: u64, rss: u64| ScaleRow {
            strategy: name.into(),
            samples: (0..10)
                .map(|i| Sample {
                    wall_s: wall * (1.0 + 0.002 * (i % 3) as f64),
                    client_cpu_s: 2.0 * c as f64 * 20e-6,
                    requests: 2 * c as u64,
                    max_in_flight: c,
                    block: i / 2,
                    ..Sample::default()
                })
                .collect(),
            blocks: (0..5)
                .map(|b| ScaleBlock {
                    block: b,
                    peak_threads: threads,
                    peak_rss_kib: rss,
                    in_flight: c,
                    ..ScaleBlock::default()
                })
                .collect(),
            ..ScaleRow::default()
        };
        let point = |c: usize, delay: f64, factor: f64| {
            let t = 2.0 * delay;
            let mut rows = vec![
                row(
                    "thread-pool-hyper",
                    c,
                    t * factor,
                    1 + c as u64,
                    400 * c as u64,
                ),
                row("smol", c, t, 1, 100 * c as u64),
                row("tokio-hyper", c, t, 2, 110 * c as u64),
            ];
            let mut stopped = row("thread-pool", c, t, 1 + c as u64, 400 * c as u64);
            if c == 10_000 {
                stopped.samples.clear();
                stopped.stopped = Some(
                    "its first call took 15.9 s (770 µs of CPU a request), over the cap of 5 s; \
                     `wikifetch limits` tries it with 120 s a call"
                        .into(),
                );
            }
            rows.push(stopped);
            ScalePoint {
                concurrency: c,
                titles: 2 * c,
                delay_s: delay,
                rows,
            }
        };
        RunLog {
            scale: Some(Scale {
                blocks: 5,
                rounds: 10,
                offered_per_s: 20_000.0,
                cap_s: Some(5.0),
                watchdog_s: Some(20.0),
                points: vec![point(10, 0.02, 1.0), point(10_000, 0.5, threads_at_top)],
            }),
            ..log()
        }
    }

    #[test]
    fn costs_a_request_in_flight_come_from_the_curve_only_where_every_row_was_read_enough() {
        let log = curved(1.0);
        let costs = crate::analysis::InFlightCosts::of(&log).unwrap();
        assert!(costs.from_curve);
        assert_eq!(costs.between, [10, 10_000]);
        // 400 KiB a request: (400 × 10,000 − 400 × 10) over 9,990 more in
        // flight; one thread each.
        let (kib, threads) = costs.get("thread-pool-hyper").unwrap();
        assert!((kib - 400.0).abs() < 1e-9 && (threads - 1.0).abs() < 1e-9);
        // A row read once at the top C (stopped after its first block):
        // the curve cannot set every row side by side there, so the
        // footprint speaks.
        let mut once = curved(1.0);
        let top = once.scale.as_mut().unwrap().points.last_mut().unwrap();
        let stopped = top
            .rows
            .iter_mut()
            .find(|r| r.strategy == "thread-pool")
            .unwrap();
        stopped.blocks.truncate(1);
        let costs = crate::analysis::InFlightCosts::of(&once).unwrap();
        assert!(!costs.from_curve, "{costs:?}");
        assert_eq!(costs.between, log.footprint.as_ref().unwrap().concurrencies);
    }

    #[test]
    fn which_when_comes_from_the_curve_and_changes_with_it() {
        // Threads keep up all the way.
        let kept = answer(&rows(1.0, 1.08), &curved(1.0));
        let kept = which_when_of(&kept);
        assert!(
            kept.contains("**Which when** ([scale.svg](scale.svg))."),
            "{kept}"
        );
        // A paragraph for each runtime the task rows run on.
        assert!(
            kept.contains(
                "Tasks on async-io's reactor: `smol` never shown faster than \
                 `thread-pool-hyper` beyond ±1 %: within ±1 % or unresolved at every C. Tasks on \
                 tokio's reactor: `tokio-hyper` never shown faster than `thread-pool-hyper` beyond ±1 %: within ±1 % \
                 or unresolved at every C."
            ),
            "{kept}"
        );
        // Threads fall behind at 10,000: the sentence says from where, and by how much.
        let behind = answer(&rows(1.0, 1.08), &curved(1.3));
        let behind = which_when_of(&behind);
        assert_ne!(kept, behind);
        assert!(
            behind.contains(
                "async-io's reactor: `smol` within ±1 % at C = 10, first faster beyond ±1 % at C = 10000: \
                 `smol` 23.1 % [23.1–23.1 %] faster. Tasks on tokio's reactor: `tokio-hyper` within ±1 % at \
                 C = 10, first faster beyond ±1 % at C = 10000: `tokio-hyper` 23.1 % [23.1–23.1 %] faster."
            ),
            "{behind}"
        );
        // DETAILS.md has every C, a paragraph for each kind of task row.
        let every = curve_every_c(&rows(1.0, 1.08), &curved(1.3));
        assert_eq!(every.len(), 2, "{every:?}");
        assert!(
            every[0].ends_with(
                "at C = 10000. C = 10: `smol` within ±1 %. C = 10000: `smol` 23.1 % [23.1–23.1 %] faster."
            ),
            "{every:?}"
        );
        // Threads pull ahead at 10,000: never faster, and where slower is said.
        let ahead = answer(&rows(1.0, 1.08), &curved(0.7));
        let ahead = which_when_of(&ahead);
        assert!(
            ahead.contains(
                "`smol` never shown faster than `thread-pool-hyper` beyond ±1 %: slower at C = 10000."
            ),
            "{ahead}"
        );
        // Memory a request in flight at the top C, and where a row stopped and why.
        for text in [kept, behind] {
            assert!(
                text.contains(
                    "At C = 10000: 10001 threads against 1 (`smol`), 4.0× the memory a request."
                ),
                "{text}"
            );
            assert!(
                text.contains("Stopped at C = 10000: `thread-pool`, over this run's 5 s cap."),
                "{text}"
            );
        }
    }

    #[test]
    fn the_lead_says_within_the_margin_only_where_every_row_of_the_group_was() {
        // `smol` and `tokio-hyper` on one runtime; `tokio-hyper` within ±1 %
        // at C = 10 and faster at 10,000; `smol` as slow as the threads at
        // 10,000 (never faster) and unresolved at 10 (its blocks vary).
        let mut log = curved(1.3);
        for f in &mut log.strategies {
            if f.name == "tokio-hyper" {
                f.sockets = "async-io".into();
            }
        }
        let scale = log.scale.as_mut().unwrap();
        for p in &mut scale.points {
            let threads: Vec<f64> = p.rows[0].samples.iter().map(|s| s.wall_s).collect();
            let smol = p.rows.iter_mut().find(|r| r.strategy == "smol").unwrap();
            for (s, t) in smol.samples.iter_mut().zip(threads) {
                s.wall_s = if p.concurrency == 10 {
                    t * (1.0 + 0.05 * (s.block as f64 - 2.0))
                } else {
                    t
                };
            }
        }
        let text = answer(&rows(1.0, 1.08), &log);
        let text = which_when_of(&text);
        assert!(
            text.contains(
                "Tasks on async-io's reactor: tasks first beat `thread-pool-hyper` beyond ±1 % at C = 10000"
            ),
            "{text}"
        );
        assert!(!text.contains("within ±1 % at C = 10,"), "{text}");
    }

    #[test]
    fn the_memory_heading_counts_the_readings_its_cells_rest_on() {
        let mut log = curved(1.0);
        let points = crate::analysis::scale::curve(&log).unwrap();
        let names = ["thread-pool-hyper", "smol"];
        assert_eq!(
            readings_words(points.last(), names.into_iter()),
            "5 readings"
        );
        // One row read three times at the top C: the heading says so.
        let top = log.scale.as_mut().unwrap().points.last_mut().unwrap();
        top.rows[1].blocks.truncate(3);
        let points = crate::analysis::scale::curve(&log).unwrap();
        assert_eq!(
            readings_words(points.last(), names.into_iter()),
            "3–5 readings"
        );
        // Read twice: no figure, not counted.
        let top = log.scale.as_mut().unwrap().points.last_mut().unwrap();
        top.rows[1].blocks.truncate(2);
        let points = crate::analysis::scale::curve(&log).unwrap();
        assert_eq!(
            readings_words(points.last(), names.into_iter()),
            "5 readings"
        );
    }

    #[test]
    fn only_two_decided_verdicts_that_differ_contradict() {
        assert!(contradicts("tasks faster", "within ±1 %"));
        assert!(contradicts("threads faster", "tasks faster"));
        assert!(!contradicts("tasks faster", "tasks faster"));
        // One run decided, the other did not: no contradiction.
        assert!(!contradicts("within ±1 %", "mixed"));
        assert!(!contradicts("mixed", "tasks faster"));
        assert!(!contradicts("unresolved", "threads faster"));
        // A difference of unknown size fits "within ±1 %", not the other side.
        assert!(!contradicts("tasks faster, size unknown", "within ±1 %"));
        assert!(!contradicts("within ±1 %", "threads faster, size unknown"));
        assert!(contradicts("tasks faster, size unknown", "threads faster"));
        assert!(!contradicts("tasks faster", "tasks faster, size unknown"));
    }

    #[test]
    fn rows_on_one_client_but_other_sockets_are_named_and_rows_on_one_are_not() {
        let facts = |name: &str, sockets: &str| StrategyFacts {
            name: name.into(),
            sockets: sockets.into(),
            ..StrategyFacts::default()
        };
        let mut log = RunLog {
            strategies: vec![
                facts("thread-pool-hyper", "async-io"),
                facts("smol", "async-io"),
                facts("tokio-hyper", "tokio"),
            ],
            ..RunLog::default()
        };
        let names: Vec<String> = ["thread-pool-hyper", "smol", "tokio-hyper"]
            .iter()
            .map(|n| (*n).to_owned())
            .collect();
        assert_eq!(
            sockets_words(&log, names.iter()),
            "; sockets: `thread-pool-hyper`, `smol` on async-io; `tokio-hyper` on tokio"
        );
        assert_eq!(sockets_words(&log, names[..2].iter()), "");
        // A log from before the facts had sockets says nothing.
        for f in &mut log.strategies {
            f.sockets.clear();
        }
        assert_eq!(sockets_words(&log, names.iter()), "");
    }

    #[test]
    fn rows_stopped_at_one_c_for_different_reasons_share_its_sentence() {
        let mut log = curved(1.0);
        let top = log.scale.as_mut().unwrap().points.last_mut().unwrap();
        top.rows.push(wikifetch_runlog::ScaleRow {
            strategy: "rayon".into(),
            stopped: Some("its set-up had not ended after 20 s, and its process was ended".into()),
            ..wikifetch_runlog::ScaleRow::default()
        });
        let screen = answer(&rows(1.0, 1.08), &log);
        let text = which_when_of(&screen);
        assert!(
            text.contains(
                "Stopped at C = 10000: `thread-pool`, over this run's 5 s cap; `rayon`, not built after 20 s."
            ),
            "{text}"
        );
    }

    #[test]
    fn the_recommendation_follows_the_verdicts() {
        // Tasks pull ahead at C = 100 only.
        let text = answer(&rows(1.0, 1.08), &log());
        let which = which_when_of(&text);
        assert!(
            which.contains("At C = 10 threads and tasks were within ±1 %"),
            "{which}"
        );
        assert!(
            which.contains(
                "at C = 100 `smol` and `tokio-hyper` were each faster, by at least 7.3 %"
            ),
            "{which}"
        );
        assert!(
            which.contains(
                "So a pool of threads did as well at C = 10; at C = 100 tasks saved time."
            ),
            "{which}"
        );
        // They tie everywhere.
        let text = answer(&rows(1.0, 1.0), &log());
        let which = which_when_of(&text);
        assert!(
            which.contains("So a pool of threads was as fast as tasks wherever this run could tell (C = 10 and C = 100)"),
            "{which}"
        );
        // Threads win at C = 100.
        let text = answer(&rows(1.0, 0.9), &log());
        let which = which_when_of(&text);
        assert!(
            which.contains("at C = 100 `thread-pool-hyper` was faster than each of them"),
            "{which}"
        );
        assert!(
            which.contains("So threads saved time wherever the run could tell them apart."),
            "{which}"
        );
    }

    #[test]
    fn a_verdict_says_in_how_many_blocks_it_held() {
        assert_eq!(
            held_words(&Side::Same, Some((4, 5)), true),
            " (each in ≥ 4 of 5 blocks)"
        );
        assert_eq!(
            held_words(&Side::Tasks(1.0), Some((5, 5)), false),
            " (in 5 of 5 blocks)"
        );
        // Nothing for a verdict that was not drawn, or one over rounds.
        assert_eq!(held_words(&Side::Mixed, Some((0, 5)), true), "");
        assert_eq!(held_words(&Side::Unknown, Some((0, 5)), true), "");
        assert_eq!(held_words(&Side::Same, None, true), "");
        // The least over the task rows, and over rounds no count at all.
        let rounds = Paired::of(
            &[1.0, 1.1, 1.2],
            &[1.0, 1.0, 1.0],
            wikifetch_stats::Margin::TIME,
        )
        .unwrap_or_else(|| panic!("three rounds pair"));
        let over_blocks = |held| Paired {
            blocks: 5,
            held,
            ..rounds
        };
        assert_eq!(least_held(&[over_blocks(5), over_blocks(3)]), Some((3, 5)));
        assert_eq!(least_held(&[rounds]), None);
    }

    #[test]
    fn the_cost_leads_with_the_counts_that_do_not_drift() {
        let mut r = row("smol", 10, 0.02, 0.0001, 16.6e-6);
        r.switches_per_request = Some((1.024, 0.2));
        r.client_cpu_ci = Some(wikifetch_stats::Ratio {
            point: 16.6e-6,
            low: 15.9e-6,
            high: 17.3e-6,
            rounds: 30,
        });
        let mut log = RunLog::default();
        assert_eq!(cost(&log, &r), "– | – | 1.02 | 16.6 [15.9–17.3]");
        log.instructions = Some(wikifetch_runlog::Instructions {
            valgrind: "valgrind-3.19.0".into(),
            small_titles: 100,
            large_titles: 500,
            counts: vec![wikifetch_runlog::Count {
                strategy: "smol".into(),
                small: 1_000_000,
                large: 21_800_000,
            }],
        });
        let calls = |pairs: &[(&str, u64)]| {
            pairs
                .iter()
                .map(|(n, k)| ((*n).to_owned(), *k))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        log.syscalls = Some(wikifetch_runlog::Syscalls {
            strace: "strace -- version 6.1".into(),
            small_titles: 100,
            large_titles: 500,
            counts: vec![wikifetch_runlog::SyscallCount {
                strategy: "smol".into(),
                small: calls(&[("recvfrom", 300), ("futex", 90)]),
                large: calls(&[("recvfrom", 1500), ("futex", 80), ("sendto", 400)]),
            }],
        });
        // 20.8 M instructions over 400 titles; 1200 − 10 + 400 calls.
        assert_eq!(cost(&log, &r), "52k | 4.0 | 1.02 | 16.6 [15.9–17.3]");
        // A strategy neither tool counted gets dashes, not another's count.
        r.strategy = "tokio".into();
        assert!(cost(&log, &r).starts_with("– | – | 1.02"));
    }

    #[test]
    fn the_model_is_compared_with_the_client_held_equal() {
        let text = answer(&rows(1.0, 1.08), &log());
        assert!(
            text.contains(
                "threads against tasks, one HTTP client (hyper 1; sockets: `thread-pool-hyper` on std, poll(2) a \
                 thread; `smol` on async-io; `tokio-hyper` on tokio)"
            ),
            "{text}"
        );
        assert!(text.contains("| threads: `thread-pool-hyper` |"), "{text}");
        assert!(
            text.contains("| tasks: `smol` |") && text.contains("| tasks: `tokio-hyper` |"),
            "{text}"
        );
        // The ureq row is not in the model table but on the client's line.
        assert!(!text.contains("| threads: `thread-pool` |"), "{text}");
        assert!(
            text.contains("ureq 3 against hyper 1 (`thread-pool`) took"),
            "{text}"
        );
        // Memory per request in flight, from the footprint's slope.
        assert!(
            text.contains(
                "| threads: `thread-pool-hyper` | 20.0, 21.6 ms | – | – | – | 30.0 | 50 KiB |"
            ),
            "{text}"
        );
        // Headlines state their condition.
        assert!(text.contains("200 titles a call, one client CPU"), "{text}");
    }

    #[test]
    fn the_opening_screen_is_short_and_free_of_rig_terms() {
        let text = answer(&rows(1.0, 1.08), &log());
        let words = text.split_whitespace().count();
        assert!(words <= WORDS, "{words} words:\n{text}");
        let lower = text.to_lowercase();
        for term in RIG_TERMS {
            assert!(
                !lower.contains(term),
                "{term:?} on the opening screen:\n{text}"
            );
        }
    }

    #[test]
    fn a_run_without_its_scenarios_opens_with_nothing() {
        assert_eq!(answer(&[], &log()), "");
        assert_eq!(as_written(&[], &log()), "");
    }
}
