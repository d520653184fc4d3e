//! `list=search`: MediaWiki's `ApiQuerySearch` over the titles of the
//! mock's listed pages ([`crate::wiki::PAGES`]): a page matches when every
//! word of `srsearch` is in its title (case-insensitively), in the
//! listed order. `srlimit` (default 10, 1–500 or `max`), `sroffset` with
//! `continue.sroffset`, `srinfo` (`totalhits`; the mock never has a
//! suggestion) and `srprop` (`size`, `wordcount`, `timestamp`, `snippet`;
//! those four by default, none with `srprop=`) as MediaWiki reads them.

use serde_json::{Map, Value, json};

use super::Warnings;
use super::extracts::integer;
use super::params::Params;
use crate::wiki::{self, PAGES};

/// `srlimit`'s maximum for clients without `apihighlimits`.
pub const MAX_LIMIT: i64 = 500;

/// Adds `search` and `searchinfo` to `query` (and `continue` to `root`),
/// or returns the error to answer instead.
pub fn add(
    root: &mut Map<String, Value>,
    query: &mut Map<String, Value>,
    params: &Params,
    (sentence_bytes, v2): (usize, bool),
    warnings: &mut Warnings,
) -> Result<(), Value> {
    let Some(terms) = params.get("srsearch").filter(|s| !s.trim().is_empty()) else {
        // `ApiBase::requireOnlyOneParameter`'s `missingparam`.
        return Err(wiki::api_error(
            "missingparam",
            "The \"srsearch\" parameter must be set.",
            v2,
        ));
    };
    let mut range_warnings = Vec::new();
    let bad = |info: String| wiki::api_error("badinteger", &info, v2);
    let limit = match params.get("srlimit") {
        None => 10,
        Some("max") => MAX_LIMIT,
        Some(v) => integer("srlimit", v, (1, MAX_LIMIT), &mut range_warnings).map_err(bad)?,
    };
    let offset = match params.get("sroffset") {
        None => 0,
        Some(v) => integer("sroffset", v, (0, 10_000), &mut range_warnings).map_err(bad)?,
    };
    for w in range_warnings {
        warnings.add("search", w);
    }
    let words: Vec<String> = terms.split_whitespace().map(str::to_lowercase).collect();
    let hits: Vec<&str> = PAGES
        .iter()
        .copied()
        .filter(|title| {
            let title = title.to_lowercase();
            words.iter().all(|w| title.contains(w.as_str()))
        })
        .collect();
    let props: Vec<&str> = params
        .get("srprop")
        .unwrap_or("size|wordcount|timestamp|snippet")
        .split('|')
        .collect();
    let (limit, offset) = (limit as usize, offset as usize);
    let results: Vec<Value> = hits
        .iter()
        .skip(offset)
        .take(limit)
        .map(|title| {
            let mut hit = json!({"ns": 0, "title": title, "pageid": wiki::page_id(title)});
            let (intro, sections) = wiki::article(title, sentence_bytes);
            let text_len = intro.len() + sections.iter().map(|s| s.text.len()).sum::<usize>();
            let words = intro.split_whitespace().count()
                + sections
                    .iter()
                    .map(|s| s.text.split_whitespace().count())
                    .sum::<usize>();
            if props.contains(&"size") {
                hit["size"] = json!(text_len);
            }
            if props.contains(&"wordcount") {
                hit["wordcount"] = json!(words);
            }
            if props.contains(&"snippet") {
                let first = intro.split(". ").next().unwrap_or_default();
                hit["snippet"] = json!(format!(
                    "<span class=\"searchmatch\">{title}</span>{}",
                    first.strip_prefix(title).unwrap_or(first)
                ));
            }
            if props.contains(&"timestamp") {
                hit["timestamp"] = json!(super::info::TOUCHED);
            }
            hit
        })
        .collect();
    let info_wanted = params.get("srinfo").unwrap_or("totalhits|suggestion");
    if info_wanted.split('|').any(|i| i == "totalhits") {
        query.insert("searchinfo".into(), json!({"totalhits": hits.len()}));
    }
    query.insert("search".into(), Value::Array(results));
    if offset + limit < hits.len() {
        root.insert(
            "continue".into(),
            json!({"sroffset": offset + limit, "continue": "-||"}),
        );
    }
    Ok(())
}
