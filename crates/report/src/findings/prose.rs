//! The report's sentences, each computed from rows and unit-tested with
//! fixed rows: a sentence that compares two rows is code.
//!
//! Rules every sentence here keeps:
//! - a row that is rig-bound or broke its premise is never compared;
//! - two rows are compared through their paired ratio (the Hodges–Lehmann
//!   estimate over rounds, with exact intervals) and the verdict its
//!   intervals earn: "equivalent" only when the 90 % interval lies within
//!   the margin; a difference only when the 95 % interval excludes 1;
//!   otherwise "unresolved", with the interval's width;
//! - a difference is named by the faster row, never printed as a negative;
//! - the floor is named as the reference client, not ranked as a strategy.

use std::fmt::Write as _;

use wikifetch_stats::{Paired, Verdict, quantile};

use crate::analysis::{REFERENCE, Row, against};
use crate::analysis::{lower_bound, queue_ideal};
use crate::render::format::{time, us3};
use wikifetch_runlog::{Instructions, ScenarioFacts};

/// The row of `strategy` among `rows`.
pub(crate) fn find<'r>(rows: &[&'r Row], strategy: &str) -> Option<&'r Row> {
    rows.iter().copied().find(|r| r.strategy == strategy)
}

/// Rows from which conclusions about strategies may be drawn.
pub(crate) fn sound<'r>(rows: &[&'r Row]) -> Vec<&'r Row> {
    rows.iter()
        .copied()
        .filter(|r| r.sound() && r.strategy != REFERENCE)
        .collect()
}

/// `a`'s time over `b`'s, round by round, with its bootstrap interval
/// (the analysis's, [`pair_up`](crate::analysis::pair_up)); `None` when
/// the two were not paired.
pub(crate) fn ratio(a: &Row, b: &Row) -> Option<Paired> {
    against(a, b).and_then(|v| v.time)
}

/// In how many of the rounds both rows ran `a` took less time than `b`,
/// and how many rounds that is.
pub(crate) fn rounds_faster(a: &Row, b: &Row) -> (usize, usize) {
    let faster = a.walls.iter().zip(&b.walls).filter(|(x, y)| x < y).count();
    (faster, a.walls.len().min(b.walls.len()))
}

/// Whether one of two rows really took less time than the other: the 95 %
/// interval of their paired ratio excludes 1.
pub(crate) fn apart(a: &Row, b: &Row) -> bool {
    ratio(a, b).is_some_and(|r| r.verdict().names_a_difference())
}

/// A percentage without its sign: one decimal, or two below 0.1 so that a
/// small difference does not print as "0.0".
pub(crate) fn pc(x: f64) -> String {
    let x = x.abs();
    if x > 0.0 && x < 0.095 {
        format!("{x:.2}")
    } else {
        format!("{x:.1}")
    }
}

/// A ratio's 95 % interval as a distance from 1, never with a minus sign:
/// "[1.1 – 1.9 %]" (the direction is said next to it), or across 1 "[0.2 %
/// under – 0.6 % over]".
fn bracket(r: &Paired) -> String {
    if !has_interval(r) {
        return format!("(no interval from {} rounds)", r.rounds);
    }
    let pct = |x: f64| (x - 1.0).abs() * 100.0;
    if r.low >= 1.0 {
        format!("[{} – {} %]", pc(pct(r.low)), pc(pct(r.high)))
    } else if r.high <= 1.0 {
        format!("[{} – {} %]", pc(pct(r.high)), pc(pct(r.low)))
    } else {
        format!("[{} % under – {} % over]", pc(pct(r.low)), pc(pct(r.high)))
    }
}

/// What was too few for a verdict: "4 blocks" for a comparison over
/// blocks, "9 rounds" for one over rounds.
pub(crate) fn too_few(r: &Paired) -> String {
    if r.blocks > 1 {
        format!("{} blocks", r.blocks)
    } else {
        format!("{} rounds", r.rounds)
    }
}

/// How consistent a verdict was: over blocks, in how many it held ("; held
/// in 5 of 5 blocks"); over rounds, in how many rounds `who` took longer
/// (`slower` of `rounds`: "; slower in 9 of 10 rounds").
pub(crate) fn held(r: &Paired, who: &str, (slower, rounds): (usize, usize)) -> String {
    held_in_blocks(r).unwrap_or_else(|| format!("; {who} in {slower} of {rounds} rounds"))
}

/// "; held in 5 of 5 blocks" for a comparison over blocks; `None` for one
/// over rounds.
pub(crate) fn held_in_blocks(r: &Paired) -> Option<String> {
    (r.blocks > 1).then(|| format!("; held in {} of {} blocks", r.held, r.blocks))
}

/// Whether `r` has a finite interval: with five rounds or fewer no
/// interval of the signed-rank test reaches 95 %.
pub(crate) fn has_interval(r: &Paired) -> bool {
    r.low.is_finite() && r.high.is_finite() && r.low > 0.0
}

/// The margin a comparison is held to, as a reader says it: "±1 %".
pub(crate) fn margin(r: &Paired) -> String {
    format!("±{:.0} %", r.margin.0 * 100.0)
}

/// The 90 % interval of a ratio, as a distance from 1 in per cent:
/// "[0.4 % under – 0.6 % over]".
pub(crate) fn bracket90(r: &Paired) -> String {
    bracket(&Paired {
        low: r.low90,
        high: r.high90,
        ..*r
    })
}

/// The row against its floor, with the 95 % interval of the paired ratio:
/// "1.5 % [1.1 – 1.9 %] over the floor", "as fast as the floor (equivalent
/// within ±1 %)", "unresolved against the floor [2.0 % under – 4.0 %
/// over]", or why there is no comparison.
pub(crate) fn vs_floor(r: &Row) -> String {
    match (r.floor_ratio, r.efficiency_floor) {
        (_, Some(_)) if r.strategy == REFERENCE => "the floor itself".into(),
        (Some(ratio), Some(_)) => {
            let (by, side) = (
                pc((ratio.point - 1.0) * 100.0),
                if ratio.point > 1.0 { "over" } else { "under" },
            );
            match ratio.verdict() {
                Verdict::Equivalent { measurable: true } => format!(
                    "{by} % {side} the floor: equivalent within {} (90 % interval {}), though measurable",
                    margin(&ratio),
                    bracket90(&ratio),
                ),
                Verdict::Equivalent { measurable: false } => format!(
                    "as fast as the floor (equivalent within {}: 90 % interval {})",
                    margin(&ratio),
                    bracket90(&ratio)
                ),
                Verdict::Unresolved => format!(
                    "unresolved against the floor {}, wider than {}",
                    bracket(&ratio),
                    margin(&ratio)
                ),
                Verdict::TooFewRounds => {
                    format!("{by} % {side} the floor ({}: no verdict)", too_few(&ratio))
                }
                Verdict::DiffersBySizeUnknown => format!(
                    "{by} % {} {side} the floor, a difference that may be under {} or over",
                    bracket(&ratio),
                    margin(&ratio)
                ),
                Verdict::Differs => format!("{by} % {} {side} the floor", bracket(&ratio)),
            }
        }
        (Some(_), None) => "no floor: the floor was rig-bound".into(),
        (None, _) if r.titles_per_request > 1 => format!(
            "no floor: {} titles a request, the reference client one",
            r.titles_per_request
        ),
        (None, _) => "no floor measured".into(),
    }
}

/// How a row is named in a sentence.
fn label(r: &Row) -> String {
    if r.strategy == REFERENCE {
        "the reference client".into()
    } else {
        format!("`{}`", r.strategy)
    }
}

fn show(r: &Row) -> String {
    format!(
        "{} {} (median; {})",
        label(r),
        time(r.median_s),
        vs_floor(r)
    )
}

/// The rows not shown to differ from `edge` (equivalent to it, or
/// unresolved), `edge` first.
fn tied_with<'r>(edge: &'r Row, rows: &[&'r Row]) -> Vec<&'r Row> {
    let mut tied = vec![edge];
    tied.extend(
        rows.iter()
            .copied()
            .filter(|r| !std::ptr::eq(*r, edge) && !apart(r, edge)),
    );
    tied
}

fn names(rows: &[&Row]) -> String {
    rows.iter()
        .map(|r| format!("`{}`", r.strategy))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "fastest …, slowest …", with the rows tied with either named, or that
/// every row is tied with every other.
pub(crate) fn fastest_and_slowest(rows: &[&Row]) -> Option<String> {
    let best = rows
        .iter()
        .copied()
        .min_by(|a, b| a.median_s.total_cmp(&b.median_s))?;
    let worst = rows
        .iter()
        .copied()
        .max_by(|a, b| a.median_s.total_cmp(&b.median_s))?;
    if std::ptr::eq(best, worst) {
        return Some(format!("only {} can be compared", show(best)));
    }
    if let Some(r) = ratio(best, worst).filter(|r| r.verdict() == Verdict::TooFewRounds) {
        return Some(format!(
            "fastest {}, slowest {} ({}: figures only, no verdict)",
            show(best),
            show(worst),
            too_few(&r)
        ));
    }
    if !apart(best, worst) {
        let how = match ratio(best, worst).map(|r| r.verdict()) {
            Some(Verdict::Equivalent { .. }) => "are equivalent here",
            _ => "are not shown to differ here",
        };
        return Some(format!(
            "the fastest, {}, and the slowest, {}, {how}",
            show(best),
            show(worst)
        ));
    }
    let edge = |label: &str, r: &Row| {
        let tied = tied_with(r, rows);
        if tied.len() == 1 {
            format!("{label} {}", show(r))
        } else {
            format!(
                "{label} {} (not shown to differ from it here: {})",
                show(r),
                names(&tied[1..])
            )
        }
    };
    Some(format!(
        "{}; {}",
        edge("fastest", best),
        edge("slowest", worst)
    ))
}

/// How `a` compares with `b` in time: "`b` is 1.2 ms faster than `a` (`a`
/// took 3.0 % [2.1 – 3.9 %] longer)", or that this run cannot tell them
/// apart.
pub(crate) fn compare_two(a: &Row, b: &Row) -> String {
    compare_two_rounds(a, b)
}

/// A second look at a comparison, in a few words: its estimate and
/// interval over the rounds left, never a verdict (it is computed after
/// looking at the data, and often from fewer rounds than a verdict needs).
pub(crate) fn verdict_words(r: &Paired) -> String {
    let side = if r.point > 1.0 { "longer" } else { "shorter" };
    format!(
        "{} % {} {side} ({} rounds; a second look, not a verdict)",
        pc((r.point - 1.0) * 100.0),
        bracket(r),
        r.rounds
    )
}

/// [`compare_two`] without the outlier note.
fn compare_two_rounds(a: &Row, b: &Row) -> String {
    if let Some(r) = ratio(a, b).filter(|r| r.verdict() == Verdict::TooFewRounds) {
        return format!(
            "{} took {} and {} {} ({}: figures only, no verdict)",
            label(a),
            time(a.median_s),
            label(b),
            time(b.median_s),
            too_few(&r)
        );
    }
    let Some(r) = ratio(a, b).filter(|r| r.verdict().names_a_difference()) else {
        let figures = format!("{} and {}", time(a.median_s), time(b.median_s));
        let Some(r) = ratio(a, b) else {
            return format!(
                "{} and {} were not timed in the same rounds ({figures})",
                label(a),
                label(b)
            );
        };
        let (b_faster, rounds) = rounds_faster(b, a);
        return match r.verdict() {
            Verdict::Equivalent { measurable: true } => format!(
                "{} and {} are equivalent in time here, within {}, though measurably apart ({figures}; {} took {} % {} {}, 90 % interval{})",
                label(a),
                label(b),
                margin(&r),
                label(a),
                pc((r.point - 1.0) * 100.0),
                bracket90(&r),
                if r.point > 1.0 { "longer" } else { "less" },
                held(&r, &format!("{} took longer", label(a)), (b_faster, rounds))
            ),
            Verdict::Equivalent { measurable: false } => format!(
                "{} and {} are as fast as each other here: equivalent within {} ({figures}; 90 % interval {}{})",
                label(a),
                label(b),
                margin(&r),
                bracket90(&r),
                held_in_blocks(&r).unwrap_or_default()
            ),
            _ => format!(
                "this run cannot tell {} from {} in time ({figures}; {} over {}: {}, wider than {}{})",
                label(a),
                label(b),
                label(a),
                label(b),
                bracket(&r),
                margin(&r),
                // Over blocks, an unresolved verdict held in none: say nothing.
                if r.blocks > 1 {
                    String::new()
                } else {
                    format!(
                        "; {} took longer in {b_faster} of {rounds} rounds",
                        label(a)
                    )
                }
            ),
        };
    };
    // Name the faster row, and the slower one's excess over it, and in how
    // many rounds it was slower: a verdict carried by a round or two says so.
    let (fast, slow, slow_over_fast) = if r.point < 1.0 {
        (a, b, r.inverse())
    } else {
        (b, a, r)
    };
    let (slower_in, rounds) = rounds_faster(fast, slow);
    // The time saved, from the same estimate: the faster row's median
    // call times the slower one's excess.
    let saved = fast.median_s * (slow_over_fast.point - 1.0);
    let unsized_ = r.verdict() == Verdict::DiffersBySizeUnknown;
    let by = format!("{} faster than {}", time(saved), label(slow));
    format!(
        "{} is {by} ({} took {} % {} longer{}{})",
        label(fast),
        label(slow),
        pc((slow_over_fast.point - 1.0) * 100.0),
        bracket(&slow_over_fast),
        if unsized_ {
            format!(
                "; faster, but whether by more than {} this run cannot say",
                margin(&r)
            )
        } else {
            String::new()
        },
        held(&r, "slower", (slower_in, rounds))
    )
}

/// The `tokio-hyper` control splits "tokio against smol" in two: the
/// client (`tokio` against `tokio-hyper`, one runtime) and the runtime
/// (`tokio-hyper` against `smol`, one client). `None` when a row is
/// missing or cannot be compared.
pub(crate) fn runtime_and_client(rows: &[&Row]) -> Option<String> {
    let (tokio, control, smol) = (
        find(rows, "tokio")?,
        find(rows, "tokio-hyper")?,
        find(rows, "smol")?,
    );
    if !(tokio.sound() && control.sound() && smol.sound()) {
        return None;
    }
    let cpu = |a: &Row, b: &Row| {
        format!(
            "client CPU per request: `{}` {}, `{}` {}",
            a.strategy,
            us3(a.client_cpu_per_request_s),
            b.strategy,
            us3(b.client_cpu_per_request_s)
        )
    };
    Some(format!(
        "At C = {}, the client, with the runtime held fixed (tokio's): {} ({}).\n\nThe runtime and its thread layout \
         (smol's caller runs tasks; tokio's waits for its workers), with the client held fixed (the shared hyper \
         client): {} ({}).",
        tokio.concurrency,
        compare_two(tokio, control),
        cpu(tokio, control),
        compare_two(control, smol),
        cpu(control, smol)
    ))
}

/// "29.6 µs [28.1 – 31.0 µs]": a row's client CPU per request with the
/// bootstrap interval over its rounds.
fn cpu_with_interval(r: &Row) -> String {
    match r.client_cpu_ci {
        Some(ci) => format!(
            "{} [{} – {}]",
            us3(r.client_cpu_per_request_s),
            us3(ci.low),
            us3(ci.high)
        ),
        None => us3(r.client_cpu_per_request_s),
    }
}

/// The share of the client's core a row kept busy: CPU over wall time.
pub(crate) fn client_busy(r: &Row) -> f64 {
    if r.mean_s > 0.0 {
        r.client_cpu_per_request_s * r.requests_per_call / r.mean_s
    } else {
        0.0
    }
}

/// The distinct concurrencies of `rows`, ascending.
fn concurrencies(rows: &[&Row]) -> Vec<usize> {
    let mut cs: Vec<usize> = rows.iter().map(|r| r.concurrency).collect();
    cs.sort_unstable();
    cs.dedup();
    cs
}

fn at<'r>(rows: &[&'r Row], c: usize) -> Vec<&'r Row> {
    rows.iter()
        .copied()
        .filter(|r| r.concurrency == c)
        .collect()
}

/// The rows that send one title per request: the ones whose floor, CPU
/// per request and instructions per request compare with each other.
fn one_title<'r>(rows: &[&'r Row]) -> Vec<&'r Row> {
    rows.iter()
        .copied()
        .filter(|r| r.titles_per_request == 1)
        .collect()
}

/// What batching did at one C: the requests a call took, the time against
/// the reference client (one title per request, same C, same rounds) with
/// the paired interval, and the client's CPU per title. Empty without a
/// batching row or its reference.
fn batching(rows: &[&Row]) -> Option<String> {
    let batched = rows.iter().copied().find(|r| r.titles_per_request > 1)?;
    let reference = rows.iter().copied().find(|r| r.strategy == REFERENCE)?;
    let cpu_per_title =
        batched.client_cpu_per_request_s * batched.requests_per_call / batched.titles.max(1) as f64;
    let r = ratio(reference, batched)?;
    let against = match r.verdict() {
        Verdict::TooFewRounds => format!(
            "{:.2}× as fast as, in {} (figures only, no verdict),",
            r.point,
            too_few(&r)
        ),
        v if v.names_a_difference() && r.point > 1.0 => {
            format!("{:.2}× [{:.2} – {:.2}] faster than", r.point, r.low, r.high)
        }
        v if v.names_a_difference() => {
            let s = r.inverse();
            format!("{:.2}× [{:.2} – {:.2}] slower than", s.point, s.low, s.high)
        }
        Verdict::Equivalent { .. } => format!("equivalent within {} to", margin(&r)),
        _ => format!(
            "not shown to differ ({:.2}× [{:.2} – {:.2}]) from",
            r.point, r.low, r.high
        ),
    };
    let count = |n: f64, one: &str, many: &str| {
        if n.round() == 1.0 {
            format!("1 {one}")
        } else {
            format!("{n:.0} {many}")
        }
    };
    Some(format!(
        "`{}` sends up to {} titles a request: {} a call where the reference client sends {:.0}; it \
         took {} ({} the reference client at this C, {}{}), and its CPU per title was {}",
        batched.strategy,
        batched.titles_per_request,
        count(batched.requests_per_call, "request", "requests"),
        reference.requests_per_call,
        time(batched.median_s),
        against,
        time(reference.median_s),
        batched.ideal_s.map_or(String::new(), |ideal| format!(
            "; its own ideal, {} {} at a time, is {}",
            count(batched.requests_per_call, "batch", "batches"),
            batched.concurrency,
            time(ideal)
        )),
        us3(cpu_per_title),
    ))
}

/// The reasons under a scenario's table, computed from its rows: a
/// sentence of reading, a table (row, its time against its floor with
/// the verdict, its client CPU per request with its interval, and with no
/// delay the share of its CPU it kept busy), then what batching did and
/// the splits of the task rows, each a paragraph of its own. Markdown.
pub(crate) fn why(scenario: &ScenarioFacts, rows: &[&Row]) -> String {
    let comparable = sound(rows);
    if comparable.is_empty() {
        return "**Why.** No row here can be compared: every strategy's row is rig-bound or broke its premise (see \
                the marks above).\n\n"
            .into();
    }
    if !scenario.delays_s.is_empty() {
        return jitter_why(scenario, rows);
    }
    let no_delay = !scenario.delayed();
    let mut out = String::from(if no_delay {
        "**Why.** With no delay there is nothing to wait for: a row whose client kept its one CPU busy nearly all \
         the time is limited by its own work per request, so its time follows its CPU per request.\n\n"
    } else {
        "**Why.** Every row waits the same delays as the reference client at its C, so what separates a row from \
         its floor is what the strategy does beyond sending the requests. CPU per request includes waking up for \
         each answer, so it depends on C and on the delay: compare it within one C.\n\n"
    });
    // Context switches, where the log counted them: the kernel's share of
    // a request, which instructions do not see.
    let switches = comparable.iter().all(|r| r.switches_per_request.is_some());
    let _ = writeln!(
        out,
        "| C | row | time against the floor | client CPU per request [95 % interval] |{}{}\n|---:|---|---|---:|{}{}",
        if no_delay { " CPU busy |" } else { "" },
        if switches {
            " context switches a request (voluntary, involuntary) |"
        } else {
            ""
        },
        if no_delay { "---:|" } else { "" },
        if switches { "---:|" } else { "" }
    );
    let cs = concurrencies(&comparable);
    for &c in &cs {
        let mut here = one_title(&at(&comparable, c));
        here.sort_by(|a, b| a.median_s.total_cmp(&b.median_s));
        for r in here {
            let _ = writeln!(
                out,
                "| {c} | `{}` | {} | {} |{}",
                r.strategy,
                vs_floor(r),
                cpu_with_interval(r),
                if no_delay {
                    format!(" {:.0} % |", client_busy(r) * 100.0)
                } else {
                    String::new()
                },
            );
            if let (true, Some((v, i))) = (switches, r.switches_per_request) {
                out.pop();
                let _ = writeln!(out, " {v:.2}, {i:.2} |");
            }
        }
    }
    out.push('\n');
    for &c in &cs {
        if let Some(floor) = at(rows, c)
            .into_iter()
            .find(|r| r.strategy == REFERENCE && r.rig_bound)
        {
            let _ = writeln!(
                out,
                "At C = {c} the reference client reached {:.0} requests/s with the mock {:.1} % busy: that floor \
                 measured the mock, not a near-free client, so no row is held to it.\n",
                floor.requests_per_call / floor.mean_s,
                floor.mock_busy * 100.0
            );
        }
        if let Some(b) = batching(&at(rows, c)) {
            let _ = writeln!(out, "At C = {c}, {b}.\n");
        }
    }
    for words in cs.iter().filter_map(|c| runtime_and_client(&at(rows, *c))) {
        let _ = writeln!(out, "{words}\n");
    }
    out
}

/// Why the `jitter` rows differ, over every round's own layout of delays:
/// the bound no schedule can beat, an in-order queue's ideal, each row
/// against the bound, and rayon (which does not follow input order)
/// against the in-order strategies, with intervals.
fn jitter_why(scenario: &ScenarioFacts, rows: &[&Row]) -> String {
    let c = rows.first().map_or(1, |r| r.concurrency);
    let rounds = rows.iter().map(|r| r.rounds).max().unwrap_or(0);
    if rounds == 0 {
        return String::new();
    }
    let per_round: Vec<(f64, f64, f64)> = (0..rounds)
        .map(|r| {
            let delays = scenario.delays(r);
            let longest = delays.iter().copied().fold(0.0, f64::max);
            (lower_bound(&delays, c), queue_ideal(&delays, c), longest)
        })
        .collect();
    let spread = |what: &str, f: fn(&(f64, f64, f64)) -> f64| {
        let v: Vec<f64> = per_round.iter().map(f).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let (lo, hi) = (
            quantile(&v, 0.0).unwrap_or(mean),
            quantile(&v, 1.0).unwrap_or(mean),
        );
        format!(
            "| {what} | {} | {} | {} |\n",
            time(mean),
            time(lo),
            time(hi)
        )
    };
    let layouts = scenario.layouts.min(rounds);
    let mut text = format!(
        "**Why.** Each of the {rounds} rounds fetched its own {} titles, so the mock drew {layouts} different layouts \
         of slow titles from the same distribution, and every row met the same layout in the same round. No \
         schedule can finish a layout before the larger of its total delay over C and its longest delay (the \
         bound); an in-order queue of C workers (the schedule of the reference client, the pool and the async \
         loops) is one schedule, not a bound. Over the layouts:\n\n\
         | over the layouts | mean | least | most |\n|---|---:|---:|---:|\n{}{}{}\n\
         Measured, with the bound over the time as efficiency (at most 1.00):\n\n\
         | row | median time | against the floor | of the bound (the mean bound over the mean time) |\n|---|---:|---|---:|\n",
        scenario.titles,
        spread("the bound", |p| p.0),
        spread("the longest delay", |p| p.2),
        spread("an in-order queue", |p| p.1),
    );
    for r in sound(rows) {
        let _ = writeln!(
            text,
            "| `{}` | {} | {} | {:.2} |",
            r.strategy,
            time(r.median_s),
            vs_floor(r),
            r.efficiency_nominal.unwrap_or(0.0)
        );
    }
    text.push('\n');
    let rayon = find(rows, "rayon").filter(|r| r.sound());
    let queues: Vec<&Row> = ["thread-pool", REFERENCE]
        .iter()
        .filter_map(|n| find(rows, n))
        .filter(|r| r.strategy == REFERENCE || r.sound())
        .collect();
    if let Some(rayon) = rayon {
        let against: Vec<String> = queues.iter().map(|q| compare_two(rayon, q)).collect();
        if !against.is_empty() {
            let _ = writeln!(
                text,
                "rayon does not follow input order: its threads split the range and steal halves of each other's \
                 remaining work, so it meets the slow titles at other moments than a queue does. Over the {rounds} \
                 layouts: {}.\n",
                against.join("; ")
            );
        }
    }
    text
}

/// Instruction counts this close (a fraction) are not ordered: over three
/// runs of one commit a strategy's count moved by up to 2.4 %.
const INSTRUCTIONS_TIE: f64 = 0.025;

/// One strategy's instructions per request and, when its row was
/// measured, that row (for its CPU time).
pub(crate) type Counted<'r> = (&'r str, f64, Option<&'r Row>);

/// `a`'s client CPU over `b`'s, round by round (the calls fetch the same
/// titles, so this is the ratio of CPU per request when neither retried).
pub(crate) fn cpu_ratio(a: &Row, b: &Row) -> Option<Paired> {
    against(a, b).and_then(|v| v.cpu)
}

/// Whether ranking by instructions and by CPU time agree: the pairs
/// ordered the other way among those whose CPU times really differ. No
/// correlation coefficient: over seven or so strategies it would carry no
/// weight. `sequential` is left out: its CPU comes from a run at C = 1.
pub(crate) fn orderings(counted: &[Counted<'_>], instructions: &Instructions) -> String {
    // Not `sequential` (C = 1), nor a row the report draws nothing from
    // (rig-bound, a broken premise) or one capped below C.
    let both: Vec<(&str, f64, &Row)> = counted
        .iter()
        .filter(|(n, _, _)| *n != "sequential")
        .filter_map(|(n, ir, row)| row.map(|r| (*n, *ir, r)))
        .filter(|(_, _, r)| r.sound() && !r.capped)
        .collect();
    if both.len() < 3 {
        return "Too few strategies were counted to compare the orderings.".into();
    }
    let cpu = |r: &Row| r.client_cpu_per_request_s;
    let (mut disagree, mut tied) = (Vec::new(), 0);
    for (i, a) in both.iter().enumerate() {
        for b in &both[i + 1..] {
            let differ = cpu_ratio(a.2, b.2).is_some_and(|r| r.verdict().names_a_difference());
            // Instruction counts within 2.5 % of each other are a tie:
            // they moved that much between runs.
            let apart = (a.1 / b.1 - 1.0).abs() > INSTRUCTIONS_TIE;
            if !differ || !apart {
                tied += 1;
            } else if (a.1 < b.1) != (cpu(a.2) < cpu(b.2)) {
                let (fewer, more) = if a.1 < b.1 { (a, b) } else { (b, a) };
                disagree.push(format!("`{}` below `{}`", fewer.0, more.0));
            }
        }
    }
    let pairs = both.len() * (both.len() - 1) / 2;
    let mut text = format!(
        "Ordered by instructions and by CPU time per request, the {} strategies (`sequential` aside: it ran at C = 1; \
         rows marked ⚠ or capped below C aside too) make {pairs} pairs; {tied} have CPU times this run does not show \
         to differ (equivalent within ±5 %, or unresolved) or instruction counts within 2.5 % of each other; ",
        both.len()
    );
    if disagree.is_empty() {
        text.push_str("every other pair is ordered the same way by both.");
    } else {
        let _ = write!(
            text,
            "of the others, {} {} ordered the other way, fewer instructions but more CPU time: {}.",
            disagree.len(),
            if disagree.len() == 1 { "is" } else { "are" },
            disagree.join("; ")
        );
    }
    let _ = write!(
        text,
        " Instructions count user-space work only: the kernel's share (system calls, waking and switching threads, \
         in the columns beside them) and how fast each instruction runs are outside them. Callgrind also runs one \
         thread at a time, so the counted runs (the command line over {} and {} titles) do \
         not follow the timed calls' schedule.",
        instructions.small_titles, instructions.large_titles
    );
    text
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Instructions counted over 100 and 500 titles.
    fn counted() -> Instructions {
        Instructions {
            small_titles: 100,
            large_titles: 500,
            ..Instructions::default()
        }
    }

    /// `rows` paired with each other, as the analysis pairs a scenario's.
    pub(crate) fn paired_vec(mut rows: Vec<Row>) -> Vec<Row> {
        for r in &mut rows {
            r.versus.clear();
        }
        crate::analysis::pair_up(&mut rows);
        rows
    }

    /// [`paired_vec`] for a fixed number of rows.
    pub(crate) fn paired<const N: usize>(rows: [Row; N]) -> [Row; N] {
        let mut rows = rows;
        for r in &mut rows {
            r.versus.clear();
        }
        crate::analysis::pair_up(&mut rows);
        rows
    }

    /// A scenario of `titles` titles with a fixed delay of `delay` seconds.
    pub(crate) fn scenario(name: &str, titles: usize, delay: f64) -> ScenarioFacts {
        ScenarioFacts {
            name: name.into(),
            titles,
            latency: if delay == 0.0 {
                "0".into()
            } else {
                format!("{}ms", delay * 1e3)
            },
            typical_delay_s: delay,
            fixed_delay_s: Some(delay),
            rounds: 10,
            layouts: 1,
            ..ScenarioFacts::default()
        }
    }

    /// Ten rounds around `mean`, spread evenly over ± `half` in an order
    /// that depends on `strategy`: rows' noises are not paired.
    pub(crate) fn walls(strategy: &str, mean: f64, half: f64) -> Vec<f64> {
        let order = wikifetch_stats::shuffled(10, crate::analysis::seed_of(&[strategy]));
        order
            .iter()
            .map(|&k| mean + half * (k as f64 / 4.5 - 1.0))
            .collect()
    }

    /// A sound row with mean `mean`, ten rounds within ± `half`, and a
    /// floor of exactly 0.2 s in every round.
    pub(crate) fn row(strategy: &str, c: usize, mean: f64, half: f64, cpu: f64) -> Row {
        let walls = walls(strategy, mean, half);
        let stats = wikifetch_stats::Summary::of(&walls, 1).unwrap();
        let floor_ratio = Paired::of(&walls, &[0.2; 10], wikifetch_stats::Margin::TIME);
        Row {
            ideal_s: Some(0.2),
            floor_s: Some(0.2),
            floor_ratio,
            efficiency_nominal: Some(0.2 / mean),
            efficiency_floor: Some(0.2 / mean),
            max_in_flight: Some(c),
            min_peak_in_flight: Some(c),
            requests_per_call: 100.0,
            client_cpu_per_request_s: cpu,
            mock_cpu_per_request_s: 20e-6,
            mock_busy: 0.05,
            iterations: 11,
            ..Row::timed(("latency", strategy), (100, c), "20ms", &stats, walls)
        }
    }

    /// A batching row beside the reference client at its C.
    fn batched(mean: f64, half: f64) -> Row {
        Row {
            titles_per_request: 20,
            requests_per_call: 5.0,
            client_cpu_per_request_s: 400e-6,
            floor_s: None,
            floor_ratio: None,
            efficiency_floor: None,
            ideal_s: Some(0.1),
            ..row("batched", 1, mean, half, 0.0)
        }
    }

    #[test]
    fn batching_is_compared_with_the_reference_and_counted_per_title() {
        let reference = row(REFERENCE, 1, 2.0, 0.001, 0.0);
        let fast = batched(0.103, 0.0005);
        let [reference, fast] = paired([reference, fast]);
        let text = batching(&[&reference, &fast]).unwrap();
        assert!(
            text.contains("5 requests a call where the reference client sends 100"),
            "{text}"
        );
        assert!(
            text.contains("× [19.") && text.contains("faster than the reference client"),
            "{text}"
        );
        assert!(
            text.contains("its own ideal, 5 batches 1 at a time, is 100.0 ms"),
            "{text}"
        );
        // 400 µs a request, 5 requests for 100 titles.
        assert!(text.ends_with("its CPU per title was 20.0 µs"), "{text}");
        assert_eq!(
            vs_floor(&fast),
            "no floor: 20 titles a request, the reference client one"
        );
        // Slower than the reference (a server that charged per title): said so.
        let [reference, slow] = paired([reference, batched(2.4, 0.001)]);
        let text = batching(&[&reference, &slow]).unwrap();
        assert!(
            text.contains("× [1.") && text.contains("slower than the reference client"),
            "{text}"
        );
        // The same time: neither faster nor slower.
        let [reference, tie] = paired([reference, batched(2.0, 0.001)]);
        let text = batching(&[&reference, &tie]).unwrap();
        assert!(
            text.contains("equivalent within ±1 % to the reference client"),
            "{text}"
        );
        // No batching row, or no reference: nothing to say.
        assert_eq!(batching(&[&reference]), None);
        assert_eq!(batching(&[&fast]), None);
    }

    #[test]
    fn a_difference_is_named_by_the_faster_row_never_as_a_negative() {
        let (slow, fast) = (
            row("a", 10, 0.220, 0.001, 0.0),
            row("b", 10, 0.200, 0.001, 0.0),
        );
        let [slow, fast] = paired([slow, fast]);
        let text = compare_two(&slow, &fast);
        assert!(
            text.starts_with("`b` is 19.9 ms faster than `a` (`a` took 10.0 % [9."),
            "{text}"
        );
        assert!(
            text.ends_with(" %] longer; slower in 10 of 10 rounds)"),
            "{text}"
        );
        assert_eq!(
            compare_two(&fast, &slow),
            text,
            "the same whichever comes first"
        );
        assert!(!text.contains('-'), "{text}");
    }

    #[test]
    fn rows_against_the_floor_say_over_or_under_never_a_bare_ratio() {
        let over = vs_floor(&row("a", 10, 0.203, 0.0005, 0.0));
        assert!(over.starts_with("1.5 % [1."), "{over}");
        assert!(over.ends_with(" %] over the floor"), "{over}");
        // Faster than an in-order floor (jitter): under, not "1.07 of".
        let under = vs_floor(&row("rayon", 20, 0.19, 0.0005, 0.0));
        assert!(under.starts_with("5.0 % [4."), "{under}");
        assert!(under.ends_with(" %] under the floor"), "{under}");
        // Noise around the floor: no direction claimed, no minus sign.
        let level = vs_floor(&row("b", 10, 0.2002, 0.02, 0.0));
        assert!(
            level.starts_with("unresolved against the floor [") && level.contains("% under – "),
            "{level}"
        );
        // Tight around the floor: as fast as it, within the margin.
        let same = vs_floor(&row("b", 10, 0.2002, 0.001, 0.0));
        assert!(
            same.starts_with("as fast as the floor (equivalent within ±1 %: 90 % interval ["),
            "{same}"
        );
        assert!(!level.contains('-'), "{level}");
        let unfloored = Row {
            efficiency_floor: None,
            ..row("a", 10, 0.2, 0.001, 0.0)
        };
        assert_eq!(vs_floor(&unfloored), "no floor: the floor was rig-bound");
        assert_eq!(
            vs_floor(&row(REFERENCE, 10, 0.2, 0.001, 0.0)),
            "the floor itself"
        );
    }

    #[test]
    fn rows_whose_ratio_interval_holds_one_are_tied_never_ranked() {
        let (a, b) = (
            row("a", 10, 0.201, 0.01, 0.0),
            row("b", 10, 0.2025, 0.01, 0.0),
        );
        let c = row("c", 10, 0.300, 0.005, 0.0);
        let [a, b, c] = paired([a, b, c]);
        let r = ratio(&a, &b).unwrap();
        assert!(r.low < 1.0 && r.high > 1.0, "{r:?}");
        let text = compare_two(&a, &b);
        assert!(
            text.starts_with("this run cannot tell `a` from `b` in time"),
            "{text}"
        );
        assert!(text.contains("wider than ±1 %"), "{text}");
        let summary = fastest_and_slowest(&[&a, &b]).unwrap();
        assert!(
            summary.contains("are not shown to differ here"),
            "{summary}"
        );
        assert!(summary.starts_with("the fastest, `a`"), "{summary}");
        let summary = fastest_and_slowest(&[&a, &b, &c]).unwrap();
        assert!(
            summary.starts_with("fastest `a`")
                && summary.contains("(not shown to differ from it here: `b`)"),
            "{summary}"
        );
        assert!(summary.contains("slowest `c` 300.0 ms"), "{summary}");
        assert_eq!(
            summary.matches("not shown to differ from it here").count(),
            1,
            "{summary}"
        );
    }

    #[test]
    fn pairing_ranks_rows_whose_spreads_overlap_when_every_round_agrees() {
        // Both rows drift by ± 5 % together; `a` is 2 % slower in every round.
        let b = row("b", 10, 0.2, 0.01, 0.0);
        let slower = |by: f64| Row {
            walls: b.walls.iter().map(|w| w * by).collect(),
            strategy: "a".into(),
            mean_s: b.mean_s * by,
            ..b.clone()
        };
        // The analysis pairs rows once; here each pair is paired as it is made.
        let two = |x: Row, y: Row| {
            let [x, y] = paired([x, y]);
            compare_two(&x, &y)
        };
        let a = slower(1.02);
        assert!(a.min_s < b.max_s, "the spreads overlap");
        let text = two(a, b.clone());
        assert!(
            text.starts_with(
                "`b` is 4.0 ms faster than `a` (`a` took 2.0 % [2.0 – 2.0 %] longer; slower in 10 of 10 rounds)"
            ),
            "{text}"
        );
        // 0.5 % slower in every round: sure, but within the 1 % margin:
        // equivalent, and measurably apart, in either order.
        let close = slower(1.005);
        // Each order says which row took longer, never a bare distance.
        let (ab, ba) = (two(close.clone(), b.clone()), two(b.clone(), close.clone()));
        assert!(
            ab.contains("`a` took 0.5 % [") && ab.contains("] longer, 90 % interval"),
            "{ab}"
        );
        assert!(
            ba.contains("`b` took 0.5 % [") && ba.contains("] less, 90 % interval"),
            "{ba}"
        );
        for text in [two(close.clone(), b.clone()), two(b.clone(), close)] {
            assert!(
                text.contains("are equivalent in time here, within ±1 %, though measurably apart"),
                "{text}"
            );
            assert!(!text.contains("faster"), "{text}");
        }
        // Nine rounds: the figures, no verdict.
        let few = |r: &Row| Row {
            walls: r.walls[..9].to_vec(),
            ..r.clone()
        };
        let text = two(few(&slower(1.5)), few(&b));
        assert!(
            text.contains("(9 rounds: figures only, no verdict)"),
            "{text}"
        );
    }

    #[test]
    fn the_control_splits_runtime_from_client_with_each_figure_named() {
        let tokio = row("tokio", 10, 0.205, 0.0005, 62e-6);
        let control = row("tokio-hyper", 10, 0.2052, 0.0005, 55e-6);
        let smol = row("smol", 10, 0.210, 0.0005, 40e-6);
        let [tokio, control, smol] = paired([tokio, control, smol]);
        let text = runtime_and_client(&[&tokio, &control, &smol]).unwrap();
        assert!(
            text.contains("`tokio` and `tokio-hyper` are as fast as each other here"),
            "{text}"
        );
        assert!(
            text.contains("`tokio-hyper` is 4.8 ms faster than `smol` (`smol` took 2.3 % ["),
            "{text}"
        );
        assert!(
            text.contains("`tokio` 62.0 µs, `tokio-hyper` 55.0 µs"),
            "{text}"
        );
        // A rig-bound row makes the split meaningless: nothing is said.
        let bound = Row {
            rig_bound: true,
            ..smol.clone()
        };
        assert_eq!(runtime_and_client(&[&tokio, &control, &bound]), None);
        assert_eq!(runtime_and_client(&[&tokio, &smol]), None);
    }

    #[test]
    fn no_delay_rows_held_to_a_rig_bound_floor_get_no_efficiency_sentence() {
        let overhead = scenario("overhead", 1000, 0.0);
        let floor = Row {
            rig_bound: true,
            mock_busy: 0.99,
            ..row(REFERENCE, 10, 0.0136, 0.001, 9e-6)
        };
        let smol = Row {
            efficiency_floor: None,
            ..row("smol", 10, 0.0226, 0.0005, 22e-6)
        };
        let text = why(&overhead, &[&floor, &smol]);
        assert!(text.contains("that floor measured the mock"), "{text}");
        assert!(
            text.contains("| 10 | `smol` | no floor: the floor was rig-bound | 22.0 µs | 10 % |"),
            "{text}"
        );
    }

    #[test]
    fn jitter_is_held_to_the_bound_and_rayon_to_the_queues_with_intervals() {
        // Ten layouts of 200 uneven delays: one title in ten takes 200 ms.
        let jitter = ScenarioFacts {
            fixed_delay_s: None,
            layouts: 10,
            rounds: 10,
            delays_s: (0..10)
                .map(|l| {
                    (0..200)
                        .map(|i| if (i + l) % 10 == 0 { 0.200 } else { 0.020 })
                        .collect()
                })
                .collect(),
            ..scenario("jitter", 200, 0.020)
        };
        let floor_walls = walls(REFERENCE, 0.500, 0.001);
        let at = |strategy: &str, mean: f64, half: f64| {
            let r = row(strategy, 20, mean, half, 0.0);
            Row {
                scenario: "jitter".into(),
                // The bound averages about 0.35 s over the layouts.
                efficiency_nominal: Some(0.35 / mean),
                floor_ratio: Paired::of(&r.walls, &floor_walls, wikifetch_stats::Margin::TIME),
                ..r
            }
        };
        let floor = at(REFERENCE, 0.500, 0.001);
        let pool = at("thread-pool", 0.501, 0.001);
        // rayon's layouts scatter it widely around the queue.
        let rayon = at("rayon", 0.495, 0.06);
        let [floor, pool, rayon] = paired([floor, pool, rayon]);
        let text = why(&jitter, &[&floor, &pool, &rayon]);
        assert!(
            text.starts_with("**Why.** Each of the 10 rounds fetched its own 200 titles"),
            "{text}"
        );
        assert!(text.contains("is one schedule, not a bound"), "{text}");
        assert!(
            text.contains("this run cannot tell `rayon` from `thread-pool` in time"),
            "{text}"
        );
        assert!(
            text.contains("this run cannot tell `rayon` from the reference client in time"),
            "{text}"
        );
        assert!(text.contains("| 0.70 |"), "{text}");
        assert!(
            text.contains("| `thread-pool` | 501.0 ms | 0.2 % over the floor: equivalent within ±1 % (90 % interval ["),
            "{text}"
        );
        assert!(
            !text.contains(" -") && !text.contains("[-"),
            "no negative figure: {text}"
        );
    }

    #[test]
    fn an_outlier_round_is_named_and_looked_at_again_without_a_verdict() {
        // `a` 0.5 % over `b` in every round but two, where it took 40 %
        // longer: the two rounds are named, and the comparison without
        // them is a second look with its rounds, never a verdict.
        let b = row("b", 10, 0.2, 0.0005, 0.0);
        let mut walls = b.walls.iter().map(|w| w * 1.005).collect::<Vec<_>>();
        walls[3] *= 1.4;
        walls[6] *= 1.4;
        let a = Row {
            strategy: "a".into(),
            outlier_rounds: wikifetch_stats::outliers(&walls),
            walls,
            ..b.clone()
        };
        assert_eq!(a.outlier_rounds, [3, 6]);
        let without = crate::analysis::without_outliers(&a, &b).unwrap();
        let words = verdict_words(&without);
        assert!(words.starts_with("0.5 % ["), "{words}");
        assert!(
            words.ends_with("longer (8 rounds; a second look, not a verdict)"),
            "{words}"
        );
        assert!(
            !words.contains("equivalent") && !words.contains("differ"),
            "{words}"
        );
    }

    #[test]
    fn a_scenario_with_nothing_comparable_says_so() {
        let latency = &scenario("latency", 100, 0.020);
        let bad = Row {
            premise: Some("opened 3 connections during the timed calls".into()),
            ..row("thread-pool", 10, 0.2, 0.001, 0.0)
        };
        assert!(why(latency, &[&bad]).starts_with("**Why.** No row here can be compared"));
    }

    #[test]
    fn orderings_agree_or_name_the_pairs_ordered_the_other_way() {
        // A row whose ten calls cost `cpu` per request (100 requests a call)
        // within ± `half`.
        let cpu_row = |name: &str, cpu: f64, half: f64| Row {
            cpus: walls(name, cpu * 100.0, half * 100.0),
            ..row(name, 10, 0.2, 0.001, cpu)
        };
        let (a, b, c, seq) = (
            cpu_row("a", 10e-6, 0.1e-6),
            cpu_row("b", 20e-6, 0.1e-6),
            cpu_row("c", 30e-6, 0.1e-6),
            cpu_row("sequential", 90e-6, 0.1e-6),
        );
        let [a, b, c, seq] = paired([a, b, c, seq]);
        let same = [
            ("a", 1.0, Some(&a)),
            ("b", 2.0, Some(&b)),
            ("c", 3.0, Some(&c)),
            ("sequential", 0.5, Some(&seq)),
        ];
        let text = orderings(&same, &counted());
        assert!(
            text.contains("every other pair is ordered the same way"),
            "{text}"
        );
        assert!(
            text.contains("0 have CPU times this run does not show to differ"),
            "{text}"
        );
        let (pool, smol, tokio) = (
            cpu_row("pool", 60e-6, 0.5e-6),
            cpu_row("smol", 30e-6, 3e-6),
            cpu_row("tokio", 31e-6, 3e-6),
        );
        let [pool, smol, tokio] = paired([pool, smol, tokio]);
        let differ = [
            ("pool", 70e3, Some(&pool)),
            ("smol", 108e3, Some(&smol)),
            ("tokio", 111e3, Some(&tokio)),
        ];
        let text = orderings(&differ, &counted());
        assert!(!text.contains("Spearman"), "{text}");
        assert!(text.contains("make 3 pairs; 1 have CPU times"), "{text}");
        assert!(text.contains("2 are ordered the other way"), "{text}");
        assert!(
            text.contains("`pool` below `smol`; `pool` below `tokio`"),
            "{text}"
        );
        assert!(orderings(&[("a", 1.0, Some(&a))], &counted()).contains("Too few"));
    }
}
