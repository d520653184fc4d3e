//! `wikifetch fetch`: extracts for titles, one result per title in input
//! order, with any strategy.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use serde_json::json;
use wikifetch_core::{Config, FetchError, FetchResult, NoProgress, WIKIPEDIA_API};
use wikifetch_registry::Strategy;

use super::duration;
use super::run_one::read_ca_cert;

#[derive(Parser)]
pub struct FetchArgs {
    /// Titles to fetch, spelled as on Wikipedia (`AT&T`, `C++` and `東京` are fine).
    pub titles: Vec<String>,
    /// Also read titles from this file, one per line (empty lines skipped).
    #[arg(long, value_name = "PATH")]
    pub titles_file: Option<PathBuf>,
    /// How to fetch.
    #[arg(long, value_enum, default_value_t = Strategy::Sequential)]
    pub strategy: Strategy,
    /// The MediaWiki API endpoint (a `wikifetch serve` URL, for example).
    #[arg(long, default_value = WIKIPEDIA_API, value_name = "URL")]
    pub api_url: String,
    /// Requests in flight at once (ignored by `sequential`). Default: 1 for
    /// `batched` (batches in series); otherwise 3 against live Wikimedia,
    /// as its guidance asks, and 10 elsewhere.
    #[arg(long, short = 'c')]
    pub concurrency: Option<usize>,
    /// Sentences per extract, 1 to 10.
    #[arg(long, default_value_t = 5)]
    pub exsentences: u8,
    /// Time allowed per attempt, like `10s` or `500ms`.
    #[arg(long, default_value = "10s", value_parser = duration)]
    pub timeout: Duration,
    /// Retries of transient failures (429, 5xx, maxlag, timeouts) per title.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Contact information for the User-Agent (an e-mail address for heavy live use).
    #[arg(long)]
    pub contact: Option<String>,
    /// Trust the certificates in this PEM file for `https`, instead of the
    /// web's roots: for a `wikifetch serve --tls` mock, the file it names.
    #[arg(long, value_name = "PATH")]
    pub ca_cert: Option<PathBuf>,
    /// Open a new connection for every request, as the lesson's
    /// `requests.get` does (a control: what keep-alive is worth).
    #[arg(long)]
    pub no_keep_alive: bool,
    /// `text` for people, `json` for one JSON object per line, `summary`
    /// for one line of counts.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// One line: how many titles got an extract and how many failed, by kind.
    Summary,
}

/// The warning `fetch` prints when more requests than Wikimedia asks for
/// would be in flight against its live API; `None` otherwise.
fn live_warning(config: &Config, strategy: Strategy) -> Option<String> {
    let limit = wikifetch_core::LIVE_MAX_CONCURRENCY;
    (config.is_live_wikimedia() && strategy != Strategy::Sequential && config.concurrency > limit)
        .then(|| {
            format!(
                "wikifetch: warning: {} requests at once against live Wikimedia; its guidance asks for at most \
                 {limit} in parallel (https://www.mediawiki.org/wiki/API:Etiquette). Prefer --concurrency {limit} \
                 or less, and add --contact.",
                config.concurrency
            )
        })
}

/// A title read from input: its text, or why it could not be read.
type Input = (String, Option<FetchError>);

pub fn fetch(args: FetchArgs) -> Result<ExitCode, String> {
    let mut inputs: Vec<Input> = args.titles.iter().map(|t| (t.clone(), None)).collect();
    if let Some(path) = &args.titles_file {
        inputs.extend(read_titles_file(path)?);
    }
    if inputs.is_empty() {
        return Err("no titles: give some as arguments or with --titles-file".into());
    }

    let mut config = Config::for_api(&args.api_url);
    match args.concurrency {
        Some(c) => config.concurrency = c,
        // Batches go one after another unless the user asks otherwise.
        None if args.strategy.in_series() => config.concurrency = 1,
        None => {}
    }
    config.exsentences = args.exsentences;
    config.timeout = args.timeout;
    config.retry.max_retries = args.retries;
    if let Some(contact) = args.contact {
        config.contact = contact;
    }
    config.ca_cert_pem = args.ca_cert.as_deref().map(read_ca_cert).transpose()?;
    config.keep_alive = !args.no_keep_alive;
    if let Some(warning) = live_warning(&config, args.strategy) {
        eprintln!("{warning}");
    }
    let fetcher = args.strategy.build(&config).map_err(|e| e.to_string())?;

    // Unreadable lines are not fetched; the rest are, and all are reported
    // in input order.
    let readable: Vec<String> = inputs
        .iter()
        .filter(|(_, e)| e.is_none())
        .map(|(t, _)| t.clone())
        .collect();
    let mut fetched = fetcher.fetch_all(&readable, &NoProgress).into_iter();
    let results: Vec<FetchResult> = inputs
        .iter()
        .map(|(_, unreadable)| match unreadable {
            Some(e) => Err(e.clone()),
            None => fetched.next().unwrap_or_else(|| {
                Err(FetchError::Panicked {
                    message: "the strategy returned too few results".into(),
                })
            }),
        })
        .collect();

    let all_ok = results.iter().all(Result::is_ok);
    print_results(&inputs, &results, args.format)
        .map_err(|e| format!("cannot write the output: {e}"))?;
    // For tests and measurements: how much memory the fetch needed.
    if std::env::var_os("WIKIFETCH_PEAK_RSS").is_some() {
        if let Some(usage) = wikifetch_rig::process::usage(None) {
            eprintln!("wikifetch: peak RSS {} KiB", usage.peak_rss_kib);
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Reads one title per line; a line that is not UTF-8 becomes an error for
/// that line, naming it, and the others are still fetched.
fn read_titles_file(path: &Path) -> Result<Vec<Input>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix(b"\r").unwrap_or(line)))
        .filter(|(_, line)| !line.is_empty())
        .map(|(number, line)| match std::str::from_utf8(line) {
            Ok(title) => (title.to_owned(), None),
            Err(e) => (
                String::from_utf8_lossy(line).into_owned(),
                Some(FetchError::InvalidTitle {
                    reason: format!(
                        "line {number} of {} is not valid UTF-8 ({e})",
                        path.display()
                    ),
                }),
            ),
        })
        .collect())
}

fn print_results(inputs: &[Input], results: &[FetchResult], format: Format) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    if format == Format::Summary {
        let mut failed: BTreeMap<&str, usize> = BTreeMap::new();
        for e in results.iter().filter_map(|r| r.as_ref().err()) {
            *failed.entry(e.kind()).or_insert(0) += 1;
        }
        let kinds: Vec<String> = failed.iter().map(|(k, n)| format!("{k}: {n}")).collect();
        writeln!(
            out,
            "{} titles, {} with an extract, {} failed{}",
            results.len(),
            results.iter().filter(|r| r.is_ok()).count(),
            failed.values().sum::<usize>(),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        )?;
        return out.flush();
    }
    for ((title, _), result) in inputs.iter().zip(results) {
        match format {
            Format::Json => {
                let line = match result {
                    Ok(e) => json!({
                        "title": title,
                        "page_title": e.page_title,
                        "extract": e.text,
                        "disambiguation": e.disambiguation,
                    }),
                    Err(e) => {
                        json!({"title": title, "error": {"kind": e.kind(), "message": e.to_string()}})
                    }
                };
                writeln!(out, "{line}")?;
            }
            Format::Text => match result {
                Ok(e) => {
                    let mut heading = title.clone();
                    if e.page_title != *title {
                        heading.push_str(&format!(" (→ {})", e.page_title));
                    }
                    if e.disambiguation {
                        heading.push_str(" [disambiguation]");
                    }
                    writeln!(out, "== {heading} ==\n{}\n", e.text)?
                }
                Err(e) => writeln!(out, "== {title} ==\nerror ({}): {e}\n", e.kind())?,
            },
            Format::Summary => {}
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_use_above_wikimedias_limit_is_warned_about() {
        let mut live = Config::default();
        assert_eq!(
            live_warning(&live, Strategy::Tokio),
            None,
            "the live default is within the limit"
        );
        live.concurrency = 4;
        let warning = live_warning(&live, Strategy::Tokio).unwrap();
        assert!(
            warning.contains("4 requests at once") && warning.contains("at most 3"),
            "{warning}"
        );
        // One at a time is always polite; a local server is nobody's business.
        assert_eq!(live_warning(&live, Strategy::Sequential), None);
        let mut local = Config::for_api("http://127.0.0.1:8080/w/api.php");
        local.concurrency = 1000;
        assert_eq!(live_warning(&local, Strategy::Tokio), None);
    }
}
