//! The report's two sections about the lesson: its Python, every way it
//! names, beside the Rust rows of the same scenario, and the lesson
//! against a real network (`wan`: TLS through a delay line), with what
//! keep-alive is worth.

use std::fmt::Write as _;

use wikifetch_stats::Paired as Ratio;

use super::prose::{self, find};
use crate::analysis::{REFERENCE, Row};
use crate::render::format::time;
use wikifetch_runlog::{Python, PythonRun, ScenarioFacts};
use wikifetch_runlog::{keeps_alive, kept_alive_row, row_name};

/// The Rust row a Python row is set beside: `sequential` for a loop,
/// `thread-pool` for C = 10; where the Python row opened a connection for
/// every request and the scenario has that strategy's control without
/// keep-alive, the control, so that the cell compares languages and not
/// connection habits.
fn python_twin<'r>(rows: &[&'r Row], run: &PythonRun) -> Option<&'r Row> {
    let c = run.concurrency;
    let name = if c == 1 { "sequential" } else { "thread-pool" };
    let fresh = run.connections_per_call >= run.requests_per_call;
    let find = |strategy: &str| {
        rows.iter()
            .copied()
            .find(|r| r.strategy == strategy && r.concurrency == c)
    };
    fresh
        .then(|| find(&row_name(name, false)))
        .flatten()
        .or_else(|| find(name))
}

/// The Python runs of `scenario`.
fn runs_of<'p>(python: Option<&'p Python>, scenario: &str) -> Vec<&'p PythonRun> {
    python
        .map(|p| p.runs.iter().filter(|r| r.scenario == scenario).collect())
        .unwrap_or_default()
}

/// A count per call: whole, or with one decimal when the calls differed.
fn count(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A Rust row's figure per timed call.
fn rust_per_call(r: &Row, total: u64) -> String {
    count(total as f64 / r.rounds.max(1) as f64)
}

const HEADER: &str = "| code | what it changes against the lesson | N | C | mean | min – max of its runs | titles/s | new connections per call | TLS handshakes per call | wrong or failed titles per call | time over its Rust twin |\n\
     |---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|";

fn python_line(out: &mut String, run: &PythonRun, twin: Option<&Row>) {
    let _ = writeln!(
        out,
        "| Python: {} | {} | {} | {} | {} | {} – {} | {:.0} | {} | {} | {} | {} |",
        run.code,
        run.changes,
        run.titles,
        run.concurrency,
        time(run.mean_s),
        time(run.min_s),
        time(run.max_s),
        run.titles as f64 / run.mean_s,
        count(run.connections_per_call),
        count(run.tls_handshakes_per_call),
        run.wrong,
        twin.map_or("–".into(), |t| format!(
            "{:.1}× `{}`{}",
            run.mean_s / t.mean_s,
            t.strategy,
            if t.sound() { "" } else { " ⚠ flagged" }
        ))
    );
}

fn rust_line(out: &mut String, r: &Row) {
    let name = if r.strategy == REFERENCE {
        "the reference client (floor)".to_owned()
    } else if r.sound() {
        format!("`{}`", r.strategy)
    } else {
        format!("`{}` ⚠ flagged", r.strategy)
    };
    let changes = if keeps_alive(&r.strategy) {
        "–"
    } else {
        "a new connection per request, as the lesson's `requests.get`"
    };
    let _ = writeln!(
        out,
        "| Rust: {name} | {changes} | {} | {} | {} | 95 % CI of the mean {} – {} | {:.0} | {} | {} | {} | – |",
        r.titles,
        r.concurrency,
        time(r.mean_s),
        time(r.ci_low_s),
        time(r.ci_high_s),
        r.titles_per_s,
        rust_per_call(r, r.connections_opened),
        rust_per_call(r, r.tls_handshakes),
        (r.errors + r.lost) / r.iterations.max(1)
    );
}

pub(crate) fn python_section(out: &mut String, rows: &[Row], python: Option<&Python>) {
    out.push_str("## The lesson's Python, every way it names\n\n");
    let Some(python) = python else {
        out.push_str(
            "Not measured in this run: `python3` was missing or `scripts/python_reference.py` failed. \
             The benchmark does not need it; run `cargo bench` on a machine with Python 3 to add these rows.\n\n",
        );
        return;
    };
    let _ = writeln!(
        out,
        "The lesson's code, and each alternative it names, run by `scripts/python_reference.py` against a mock process \
         like the benchmarks' (Python {}, requests {}, httpx {}; pinned in `scripts/requirements.txt`). Each Python row \
         says what it changes against the lesson; its Rust twin (`sequential` for a loop, `thread-pool` at \
         C = 10, or in `wan` their controls without keep-alive for a row that opened a connection per request) is \
         from this run's tables. The lesson builds its pools (threads or processes) inside every call, in a `with` \
         block, and so do these rows; the Rust pools are built once. As in the Rust rows, a client that outlives a call (the `Session`, the \
         `AsyncClient`) is built once per row and warmed by one untimed call; the lesson's `requests.get` keeps \
         nothing to warm.\n\nThe Python rows were run after the Rust benchmarks, neither interleaved nor paired with \
         them, and show the spread of their few runs where the Rust rows show an interval: compare only differences \
         far larger than either. The connection and handshake counts are the mock's, read around every call.\n",
        python.python, python.requests, python.httpx,
    );
    for scenario in ["latency", "overhead"] {
        let here = runs_of(Some(python), scenario);
        if here.is_empty() {
            continue;
        }
        let _ = writeln!(out, "`{scenario}`:\n\n{HEADER}");
        let group: Vec<&Row> = rows.iter().filter(|r| r.scenario == scenario).collect();
        for run in &here {
            python_line(out, run, python_twin(&group, run));
        }
        for name in ["sequential", "thread-pool"] {
            if let Some(r) = rows
                .iter()
                .find(|r| r.scenario == scenario && r.strategy == name)
            {
                rust_line(out, r);
            }
        }
        out.push('\n');
    }
    out.push_str(
        "A title with `&` in it, pasted into the URL as the lesson does, is cut at the `&`, so the server returns another \
         article; the wrong-titles column counts those. Only the `Session` rows, which pass the title as a parameter, get \
         every title right. The lesson's `requests.get` opens a connection for every title; the Session and httpx rows \
         keep theirs (the connections column shows how many they opened per call). With a delay every row's time is mostly the waits; without one (`overhead`) the last column \
         shows how far each Python row is from its Rust twin. This run does not separate the causes inside Python (a new \
         connection per `requests.get`, the interpreter's own work per request, starting processes).\n\n",
    );
}

/// The heading of the `wan` section (without the `## `).
pub(crate) const NETWORK_HEADING: &str = "The lesson against a real network";

/// `wan`'s Python and Rust rows side by side, with what keep-alive is worth.
pub(crate) fn network_section(
    out: &mut String,
    rows: &[Row],
    wan: Option<&ScenarioFacts>,
    python: Option<&Python>,
    rtt_round_trip: Option<f64>,
) {
    let Some(wan) = wan else {
        return;
    };
    let group: Vec<&Row> = rows.iter().filter(|r| r.scenario == wan.name).collect();
    if group.is_empty() {
        return;
    }
    let rtt = wan.rtt_s;
    let _ = writeln!(
        out,
        "## {NETWORK_HEADING}\n\n\
         On loopback a new connection costs a fraction of a millisecond, so the lesson's costliest habit is invisible \
         in the scenarios above. In `wan` the mock serves HTTPS behind a delay line: every byte crosses after half of a \
         {} round trip each way, and a new connection waits one more round trip for TCP's handshake, so a TLS 1.3 \
         handshake costs its real round trip too. {}A request on a kept-alive connection costs one round trip and the \
         mock's 1 ms; a new connection adds two (TCP's and TLS's).\n\nEvery row, Python or Rust, fetches the same {} \
         titles; the Rust rows are timed on connections their warm-up opened (the two `-no-keep-alive` controls \
         excepted: they open one per request), and so are the Python rows that keep a client. So the comparisons \
         below are per call on warm connections: a program that fetches once also pays, once, the set-up of each \
         connection it keeps, which the kept rows paid in their untimed warm-up.\n",
        time(rtt),
        rtt_round_trip.map_or(String::new(), |m| format!(
            "The rig measured a kept-alive request through it at {} in this run (see the rig's controls). ",
            time(m)
        )),
        wan.titles,
    );
    out.push_str(HEADER);
    out.push('\n');
    for run in runs_of(python, &wan.name) {
        python_line(out, run, python_twin(&group, run));
    }
    // The Python rows' C: the loops' 1 and the pools' 10.
    for r in group
        .iter()
        .filter(|r| r.concurrency == 1 || r.concurrency == 10)
    {
        rust_line(out, r);
    }
    out.push('\n');
    if runs_of(python, &wan.name).is_empty() {
        out.push_str("The Python rows were not measured in this run (see the section above).\n\n");
    }
    let words = keep_alive_words(wan, &group, &runs_of(python, &wan.name));
    if !words.is_empty() {
        let _ = writeln!(
            out,
            "**What keep-alive is worth.** {}\n",
            words.join("\n\n")
        );
    }
    if let Some(best) = best_at(&group, 10) {
        let _ = writeln!(
            out,
            "**The fastest Rust row at C = 10** was `{}` at {} ({}); the `wan` section compares every row with \
             its floor and with each other.\n",
            best.strategy,
            time(best.median_s),
            prose::vs_floor(best)
        );
    }
}

/// The fastest sound one-title strategy row at C = `c`.
fn best_at<'r>(group: &[&'r Row], c: usize) -> Option<&'r Row> {
    group
        .iter()
        .copied()
        .filter(|r| {
            r.concurrency == c
                && r.strategy != REFERENCE
                && r.titles_per_request == 1
                && keeps_alive(&r.strategy)
                && r.sound()
        })
        .min_by(|a, b| a.median_s.total_cmp(&b.median_s))
}

/// What opening a connection for every request cost a control against its
/// twin (the same strategy at the same C with its connections kept).
pub(crate) struct Price {
    /// The control's time over the twin's, paired by round.
    pub ratio: Ratio,
    /// Requests each of the C workers made one after another.
    pub waves: usize,
    /// The extra time per request in series, seconds.
    pub extra_s: f64,
    /// That extra in round trips of the delay line.
    pub round_trips: f64,
}

/// The [`Price`] of a new connection per request over a round trip of
/// `rtt_s` seconds; `None` unless both rows held their premise and the
/// control took longer. The figures only: whether the difference is a
/// verdict is the ratio's own (`wan` has too few rounds for one).
pub(crate) fn price(control: &Row, twin: &Row, rtt_s: f64) -> Option<Price> {
    if !control.sound() || !twin.sound() {
        return None;
    }
    let ratio = prose::ratio(control, twin).filter(|r| r.point > 1.0)?;
    let waves = control.titles.div_ceil(control.concurrency.max(1));
    let extra_s = (control.median_s - twin.median_s) / waves.max(1) as f64;
    Some(Price {
        ratio,
        waves,
        extra_s,
        round_trips: extra_s / rtt_s,
    })
}

/// Each control without keep-alive against its twin with it (paired, per
/// round), then the lesson's Python against its `Session` twin (means, not
/// paired), in sentences.
pub(crate) fn keep_alive_words(
    scenario: &ScenarioFacts,
    group: &[&Row],
    python: &[&PythonRun],
) -> Vec<String> {
    let rtt = scenario.rtt_s;
    let mut words = Vec::new();
    for control in group.iter().filter(|r| !keeps_alive(&r.strategy)) {
        let name = kept_alive_row(&control.strategy);
        let Some(twin) = find(group, name).filter(|t| t.concurrency == control.concurrency) else {
            continue;
        };
        let counts = format!(
            "{} new connections and {} TLS handshakes a call against {} and {}",
            rust_per_call(control, control.connections_opened),
            rust_per_call(control, control.tls_handshakes),
            rust_per_call(twin, twin.connections_opened),
            rust_per_call(twin, twin.tls_handshakes),
        );
        // A flagged row is left out of conclusions, here too.
        if let Some(flagged) = [control, twin].into_iter().find(|r| !r.sound()) {
            words.push(format!(
                "`{}` at C = {} is flagged ({}), so this run does not price keep-alive with it.",
                flagged.strategy,
                flagged.concurrency,
                flagged
                    .premise
                    .as_deref()
                    .unwrap_or("the mock was the limit")
            ));
            continue;
        }
        match price(control, twin, rtt) {
            Some(p) => words.push(format!(
                "`{name}` at C = {} without keep-alive took {} as long as with it ({} against \
                 {}; {counts}): {} more for each of its {} requests in series, {:.1} round trips of {}, as the \
                 delay line models a new connection (TCP's handshake, then TLS 1.3's).",
                control.concurrency,
                super::listed::times(&p.ratio),
                time(control.median_s),
                time(twin.median_s),
                time(p.extra_s),
                p.waves,
                p.round_trips,
                time(rtt),
            )),
            None => words.push(format!(
                "Without keep-alive, at C = {}: {} ({counts}).",
                control.concurrency,
                prose::compare_two(control, twin)
            )),
        }
    }
    let python_pair = |lesson: &str, session: &str| {
        let get = |code: &str| python.iter().find(|r| r.code == code);
        let (a, b) = (get(lesson)?, get(session)?);
        let (ta, tb) = (a.mean_s, b.mean_s);
        let calls = if a.repeats == b.repeats {
            format!("{} calls each", a.repeats)
        } else {
            format!("{} and {} calls", a.repeats, b.repeats)
        };
        Some(format!(
            "Python's {lesson} took {} a call ({} new connections, {} TLS handshakes) against {} with one Session \
             ({} and {}): {:.1}× (means of {calls}, not paired; the Session row also passes the title as a \
             parameter, which fixes the titles the lesson's URL cuts at `&` and sends as many requests).",
            time(ta),
            count(a.connections_per_call),
            count(a.tls_handshakes_per_call),
            time(tb),
            count(b.connections_per_call),
            count(b.tls_handshakes_per_call),
            ta / tb,
        ))
    };
    words.extend(python_pair("for-loop", "Session for-loop"));
    words.extend(python_pair(
        "ThreadPoolExecutor(10)",
        "Session ThreadPoolExecutor(10)",
    ));
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::prose::tests::{paired, paired_vec, row};

    fn wan() -> ScenarioFacts {
        ScenarioFacts {
            name: "wan".into(),
            titles: 20,
            latency: "1ms".into(),
            typical_delay_s: 0.001,
            fixed_delay_s: Some(0.001),
            rtt_s: 0.050,
            tls: true,
            concurrency: vec![10],
            ..ScenarioFacts::default()
        }
    }

    fn in_wan(name: &str, c: usize, mean: f64, connections: u64) -> Row {
        Row {
            scenario: "wan".into(),
            titles: 20,
            connections_opened: connections,
            tls_handshakes: connections,
            ..row(name, c, mean, 0.001, 0.0)
        }
    }

    #[test]
    fn keep_alive_is_priced_per_request_in_round_trips() {
        let kept = in_wan("sequential", 1, 1.03, 0);
        let cold = in_wan("sequential-no-keep-alive", 1, 3.05, 200);
        let [kept, cold] = paired([kept, cold]);
        let words = keep_alive_words(&wan(), &[&kept, &cold], &[]);
        assert_eq!(words.len(), 1, "{words:?}");
        let w = &words[0];
        assert!(
            w.contains("`sequential` at C = 1 without keep-alive took 2.96×"),
            "{w}"
        );
        assert!(
            w.contains("20 new connections and 20 TLS handshakes a call against 0 and 0"),
            "{w}"
        );
        // (3.05 s − 1.03 s) / 20 requests = 101 ms: 2.0 round trips of 50 ms.
        assert!(
            w.contains("101.0 ms more for each of its 20 requests in series, 2.0 round trips"),
            "{w}"
        );
    }

    #[test]
    fn a_control_no_slower_than_its_twin_is_not_priced() {
        // Awkward data: the control is not slower (here a little faster).
        let kept = in_wan("thread-pool", 10, 0.104, 0);
        let cold = in_wan("thread-pool-no-keep-alive", 10, 0.1039, 200);
        let words = keep_alive_words(&wan(), &[&kept, &cold], &[]);
        assert_eq!(words.len(), 1);
        assert!(
            words[0].starts_with("Without keep-alive, at C = 10: "),
            "{}",
            words[0]
        );
        assert!(!words[0].contains("round trips"), "{}", words[0]);
        // A flagged control is named, not priced.
        let flagged = Row {
            premise: Some("8–9 in flight at its peak, not 10".into()),
            ..in_wan("thread-pool-no-keep-alive", 10, 0.307, 200)
        };
        let words = keep_alive_words(&wan(), &[&kept, &flagged], &[]);
        assert_eq!(
            words,
            [
                "`thread-pool-no-keep-alive` at C = 10 is flagged (8–9 in flight at its peak, not 10), so this run \
              does not price keep-alive with it."
            ]
        );
        // A control whose twin ran at another C is not compared.
        let elsewhere = in_wan("thread-pool", 3, 0.36, 0);
        assert!(keep_alive_words(&wan(), &[&elsewhere, &cold], &[]).is_empty());
    }

    #[test]
    fn python_pairs_are_means_and_say_they_are_not_paired() {
        let run = |code: &str, mean: f64, conns: f64| PythonRun {
            code: code.into(),
            mean_s: mean,
            repeats: 2,
            connections_per_call: conns,
            tls_handshakes_per_call: conns,
            ..PythonRun::default()
        };
        let runs = [
            run("for-loop", 3.2, 20.0),
            run("Session for-loop", 1.1, 0.0),
        ];
        let refs: Vec<&PythonRun> = runs.iter().collect();
        let words = keep_alive_words(&wan(), &[], &refs);
        assert_eq!(words.len(), 1, "pools missing: only the loops compared");
        assert!(
            words[0].contains("took 3.200 s a call (20 new connections, 20 TLS handshakes)"),
            "{}",
            words[0]
        );
        assert!(
            words[0].contains("2.9× (means of 2 calls each, not paired"),
            "{}",
            words[0]
        );
    }

    #[test]
    fn the_section_sets_python_and_rust_side_by_side() {
        let rows = paired_vec(vec![
            in_wan("sequential", 1, 1.03, 0),
            in_wan("sequential-no-keep-alive", 1, 3.05, 80),
            in_wan("smol", 10, 0.104, 0),
            in_wan("smol", 3, 0.36, 0),
        ]);
        let python = Python {
            runs: vec![PythonRun {
                scenario: "wan".into(),
                code: "for-loop".into(),
                changes: "nothing".into(),
                titles: 20,
                concurrency: 1,
                mean_s: 3.2,
                min_s: 3.1,
                max_s: 3.3,
                wrong: 2,
                repeats: 2,
                connections_per_call: 20.0,
                tls_handshakes_per_call: 20.0,
                requests_per_call: 20.0,
            }],
            ..Python::default()
        };
        let mut out = String::new();
        network_section(&mut out, &rows, Some(&wan()), Some(&python), Some(0.0515));
        assert!(
            out.contains("| Python: for-loop | nothing | 20 | 1 | 3.200 s"),
            "{out}"
        );
        // It opened a connection for every request: its twin is the
        // control that does too.
        assert!(
            out.contains("| 20 | 20 | 2 | 1.0× `sequential-no-keep-alive` |"),
            "{out}"
        );
        assert!(
            out.contains("| Rust: `sequential-no-keep-alive` | a new connection per request"),
            "{out}"
        );
        // 80 connections over the row's rounds (ten in these rows): 8 a call.
        assert!(out.contains("| 8 | 8 | 0 | – |"), "{out}");
        // Only the C of the Python rows is listed; C = 3 is in `wan`'s own section.
        assert!(!out.contains("| Rust: `smol` | – | 20 | 3 |"), "{out}");
        assert!(
            out.contains("**The fastest Rust row at C = 10** was `smol`"),
            "{out}"
        );
        assert!(out.contains("51.5 ms in this run"), "{out}");
    }
}
