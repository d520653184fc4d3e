//! The pretend wiki: which titles exist, normalize, redirect or are missing,
//! and the TextExtracts answer for each, in format version 1 or 2.
//!
//! The rules here are written from MediaWiki's behaviour, independently of
//! `wikifetch-core`'s client-side checks, so that a bug in one is caught by
//! the other.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

/// Characters MediaWiki refuses in titles.
const ILLEGAL: &[char] = &['<', '>', '[', ']', '|', '{', '}'];

/// A title that exists on no wiki, missing by default.
pub const MISSING_TITLE: &str = "This page does not exist";

/// The redirects every mock has unless told otherwise: (from, to).
pub const DEFAULT_REDIRECTS: &[(&str, &str)] = &[
    ("Einstein", "Albert Einstein"),
    ("Maxwell", "James Clerk Maxwell"),
];

/// The pages of the pretend wiki. Every title that is not missing exists.
#[derive(Debug, Clone)]
pub struct Wiki {
    pub(crate) missing: HashSet<String>,
    pub(crate) redirects: HashMap<String, String>,
    pub(crate) sentence_bytes: usize,
}

impl Default for Wiki {
    fn default() -> Self {
        Self {
            missing: HashSet::from([MISSING_TITLE.to_owned()]),
            redirects: DEFAULT_REDIRECTS
                .iter()
                .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
                .collect(),
            sentence_bytes: 0,
        }
    }
}

/// MediaWiki's normalization: underscores to spaces, runs of spaces to one,
/// trimmed, first letter capitalized.
pub fn normalize(title: &str) -> String {
    let spaced = title.replace('_', " ");
    let words: Vec<&str> = spaced.split(' ').filter(|w| !w.is_empty()).collect();
    let joined = words.join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The deterministic extract of `page`: `sentences` sentences, each padded
/// to at least `sentence_bytes` bytes, with non-ASCII text in each.
pub fn extract_text(page: &str, sentences: u8, sentence_bytes: usize) -> String {
    (1..=sentences)
        .map(|i| {
            let mut s = format!(
                "{page} is the subject of sentence {i} of this synthetic extract, \
                 which mentions Zürich, naïve café and 東京."
            );
            while s.len() < sentence_bytes {
                s.insert_str(s.len() - 1, " and more");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A stable page id for `page`.
fn page_id(page: &str) -> u64 {
    wikifetch_core::stable_hash(page) % 100_000_000 + 1
}

impl Wiki {
    /// The TextExtracts answer for one requested `title`.
    pub fn answer(&self, title: &str, sentences: u8, formatversion: u8) -> Value {
        let mut query = Map::new();
        // MediaWiki splits a fragment off before anything else: `Page#Section`
        // is the page `Page`, reported as a normalization.
        let page_part = title.split_once('#').map_or(title, |(page, _)| page);
        let normalized = normalize(page_part);
        let v2 = formatversion == 2;
        if normalized != title && !normalized.is_empty() {
            let mut n = json!({"from": title, "to": normalized});
            if v2 {
                n["fromencoded"] = json!(false);
            }
            query.insert("normalized".into(), json!([n]));
        }
        let mut page = normalized.clone();
        if let Some(target) = self.redirects.get(&normalized) {
            query.insert(
                "redirects".into(),
                json!([{"from": normalized, "to": target}]),
            );
            page = target.clone();
        }
        let flag = if v2 { json!(true) } else { json!("") };
        let (key, body) = if let Some(c) = page_part
            .chars()
            .find(|c| ILLEGAL.contains(c) || c.is_control())
        {
            let reason = format!("The requested page title contains invalid characters: \"{c}\".");
            (
                "-1".to_owned(),
                json!({"title": title, "invalidreason": reason, "invalid": flag}),
            )
        } else if normalized.is_empty() {
            let reason =
                "The requested page title is empty or contains only the name of a namespace.";
            (
                "-1".to_owned(),
                json!({"title": title, "invalidreason": reason, "invalid": flag}),
            )
        } else if self.missing.contains(&page) {
            (
                "-1".to_owned(),
                json!({"ns": 0, "title": page, "missing": flag}),
            )
        } else {
            let id = page_id(&page);
            let extract = extract_text(&page, sentences, self.sentence_bytes);
            (
                id.to_string(),
                json!({"pageid": id, "ns": 0, "title": page, "extract": extract}),
            )
        };
        let pages = if v2 {
            json!([body])
        } else {
            json!({ key: body })
        };
        query.insert("pages".into(), pages);
        json!({"batchcomplete": flag, "query": query})
    }
}

/// MediaWiki's error body, such as `maxlag`.
pub fn api_error(code: &str, info: &str) -> Value {
    json!({"error": {"code": code, "info": info, "*": "See https://en.wikipedia.org/w/api.php for API usage."}, "servedby": "wikifetch-mock"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_mediawiki() {
        assert_eq!(normalize("albert_einstein"), "Albert einstein");
        assert_eq!(normalize("  a__b  "), "A b");
        assert_eq!(normalize("östlich"), "Östlich");
        assert_eq!(normalize("東京"), "東京");
        assert_eq!(normalize("___"), "");
    }

    #[test]
    fn answers_v2_with_normalization_and_redirect() {
        let a = Wiki::default().answer("einstein", 2, 2);
        assert_eq!(a["query"]["normalized"][0]["to"], "Einstein");
        assert_eq!(a["query"]["redirects"][0]["to"], "Albert Einstein");
        assert_eq!(a["query"]["pages"][0]["title"], "Albert Einstein");
        assert_eq!(
            a["query"]["pages"][0]["extract"],
            extract_text("Albert Einstein", 2, 0)
        );
    }

    #[test]
    fn answers_v1_missing_with_empty_string_flag() {
        let a = Wiki::default().answer(MISSING_TITLE, 5, 1);
        assert_eq!(a["query"]["pages"]["-1"]["missing"], "");
    }

    #[test]
    fn a_fragment_is_split_off_and_reported_as_a_normalization() {
        let a = Wiki::default().answer("rust#History", 5, 2);
        assert_eq!(a["query"]["normalized"][0]["from"], "rust#History");
        assert_eq!(a["query"]["normalized"][0]["to"], "Rust");
        assert_eq!(
            a["query"]["pages"][0]["extract"],
            extract_text("Rust", 5, 0)
        );
        // The fragment may hold characters a title may not.
        let a = Wiki::default().answer("Rust#<b>", 5, 2);
        assert_eq!(a["query"]["pages"][0]["title"], "Rust");
        // A fragment alone is an empty title.
        let a = Wiki::default().answer("#History", 5, 2);
        assert_eq!(a["query"]["pages"][0]["invalid"], true);
    }

    #[test]
    fn flags_invalid_titles() {
        let a = Wiki::default().answer("a|b", 5, 2);
        assert_eq!(a["query"]["pages"][0]["invalid"], true);
    }

    #[test]
    fn extracts_have_the_asked_sentences_and_size() {
        let e = extract_text("X", 3, 200);
        assert_eq!(e.matches("synthetic extract").count(), 3);
        assert!(e.len() >= 600);
    }
}
