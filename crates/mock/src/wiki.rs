//! The pretend wiki: which titles exist, normalize, redirect or are missing,
//! and the TextExtracts answer for each, in format version 1 or 2.
//!
//! The rules here are written from MediaWiki's behaviour, independently of
//! `wikifetch-core`'s client-side checks, so that a bug in one is caught by
//! the other.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::title::{self, Parsed};

/// A title that exists on no wiki, missing by default.
pub const MISSING_TITLE: &str = "This page does not exist";

/// The redirects every mock has unless told otherwise: (from, to).
pub const DEFAULT_REDIRECTS: &[(&str, &str)] = &[
    ("Einstein", "Albert Einstein"),
    ("Maxwell", "James Clerk Maxwell"),
];

/// The disambiguation pages every mock has unless told otherwise.
pub const DEFAULT_DISAMBIGUATION: &[&str] = &["Python", "Mercury", "Java"];

/// The articles the wiki lists: what `list=search` and `list=random`
/// choose from and what `pageids=` can name. Every other title exists too,
/// but only when asked for by name.
pub const PAGES: &[&str] = &[
    "Ada Lovelace",
    "Alan Turing",
    "Albert Einstein",
    "Chess",
    "Euclid",
    "Grace Hopper",
    "Isaac Newton",
    "James Clerk Maxwell",
    "Java",
    "Java (programming language)",
    "Marie Curie",
    "Mercury",
    "Mercury (planet)",
    "Paris",
    "Python",
    "Python (programming language)",
    "Rust (programming language)",
    "Zürich",
    "東京",
];

/// The pages of the pretend wiki. Every title that is not missing exists.
#[derive(Debug, Clone)]
pub struct Wiki {
    pub(crate) missing: HashSet<String>,
    pub(crate) redirects: HashMap<String, String>,
    pub(crate) disambiguation: HashSet<String>,
    pub(crate) sentence_bytes: usize,
    /// `scheme://host:port` of the mock, for `prop=info`'s URLs.
    pub(crate) server: String,
}

impl Default for Wiki {
    fn default() -> Self {
        Self {
            missing: HashSet::from([MISSING_TITLE.to_owned()]),
            redirects: DEFAULT_REDIRECTS
                .iter()
                .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
                .collect(),
            disambiguation: DEFAULT_DISAMBIGUATION
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
            sentence_bytes: 0,
            server: "http://127.0.0.1".to_owned(),
        }
    }
}

/// The page a title names after MediaWiki's normalization (NFC, character
/// references, spaces, prefixes, the capital first letter: see
/// [`crate::title`]), or `""` for one that names no page here (invalid,
/// or on another wiki).
pub fn normalize(title: &str) -> String {
    let nfc = title::nfc(title).unwrap_or_else(|| title.to_owned());
    match title::parse(&nfc) {
        Parsed::Page { title, .. } => title,
        Parsed::Interwiki { .. } | Parsed::Invalid(_) => String::new(),
    }
}

/// How many sentences the whole article `page` has: what an extract
/// without `exsentences` (and without `exintro`) gives.
pub fn article_sentences(page: &str) -> u8 {
    12 + (wikifetch_core::stable_hash(&format!("article\u{1}{page}")) % 9) as u8
}

/// The deterministic extract of `page`: `sentences` sentences, each padded
/// to at least `sentence_bytes` bytes, with non-ASCII text in each.
pub fn extract_text(page: &str, sentences: u8, sentence_bytes: usize) -> String {
    sentences_text(page, 1..=u32::from(sentences), sentence_bytes)
}

/// Sentences `range` (counted from 1) of `page`, joined by spaces.
fn sentences_text(
    page: &str,
    range: std::ops::RangeInclusive<u32>,
    sentence_bytes: usize,
) -> String {
    range
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

/// The headings the sections of the mock's articles take, in turn.
const HEADINGS: &[&str] = &[
    "History",
    "Early years",
    "Description",
    "Reception",
    "Legacy",
    "See also",
];

/// Sentences in each section after the introduction (the last may have
/// fewer).
const SECTION_SENTENCES: u32 = 3;

/// One section of an article: its heading, its level (2 for `==`, 3 for
/// `===`), and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading, as the reader sees it.
    pub heading: String,
    /// 2 for a section, 3 for a subsection.
    pub level: u8,
    /// Its sentences, joined by spaces.
    pub text: String,
}

/// The whole article `page`: its introduction
/// ([`intro_sentences`] sentences) and its sections, which share out the
/// rest of its [`article_sentences`], three each (the last may have fewer). Every
/// second section is a subsection (level 3) of the one before it.
pub fn article(page: &str, sentence_bytes: usize) -> (String, Vec<Section>) {
    let intro = u32::from(intro_sentences(page));
    let total = u32::from(article_sentences(page));
    let mut sections = Vec::new();
    let mut next = intro + 1;
    while next <= total {
        let last = (next + SECTION_SENTENCES - 1).min(total);
        let k = sections.len();
        sections.push(Section {
            heading: HEADINGS[k % HEADINGS.len()].to_owned(),
            level: if k % 2 == 1 { 3 } else { 2 },
            text: sentences_text(page, next..=last, sentence_bytes),
        });
        next = last + 1;
    }
    (sentences_text(page, 1..=intro, sentence_bytes), sections)
}

/// A stable page id for `page`.
pub fn page_id(page: &str) -> u64 {
    wikifetch_core::stable_hash(page) % 100_000_000 + 1
}

/// The most titles one query takes (MediaWiki's limit for clients without
/// the `apihighlimits` right); more get the `toomanyvalues` error.
pub const MAX_TITLES: usize = 50;

/// The same limit for clients with `apihighlimits` (bots): `highlimit`.
pub const MAX_TITLES_HIGH: usize = 500;

/// The most extracts one answer carries (`exlimit`'s maximum and default).
pub const MAX_EXTRACTS: usize = 20;

/// TextExtracts' warning when a whole-article request for several good
/// pages asks for more than one extract (`apiwarn-textextracts-limit`, its
/// `<var>` markup turned into quotes by the error formatter).
pub const LIMIT_LOWERED: &str =
    "\"exlimit\" was too large for a whole article extracts request, lowered to 1.";

/// TextExtracts' warning for a page in the File namespace, whose extract
/// is empty.
pub const FILE_WARNING: &str =
    "Extract for a title in File namespace was requested, none returned.";

/// The `docref` every error carries (`ApiMain::substituteResultWithError`).
pub const DOCREF: &str = "See https://en.wikipedia.org/w/api.php for API usage. Subscribe to the \
                          mediawiki-api-announce mailing list for notice of API deprecations and \
                          breaking changes.";

/// How many sentences the introduction of `page` has (the text before its
/// first section heading): 3 or 4 for one page in five, 5 to 10 for the
/// rest. With `exintro`, an extract has at most this many sentences.
pub fn intro_sentences(page: &str) -> u8 {
    let h = wikifetch_core::stable_hash(&format!("intro\u{1}{page}")) % 10;
    match h {
        0 | 1 => 3 + h as u8,
        _ => 5 + (h % 6) as u8,
    }
}

/// The extract of `page` for `sentences` asked: the whole article's first
/// sentences, or with `intro` only those of its introduction.
pub fn extract_for(page: &str, sentences: u8, intro: bool, sentence_bytes: usize) -> String {
    extract_of(page, Some(sentences), intro, sentence_bytes)
}

/// The extract of `page`: `sentences` of them, or without `exsentences`
/// the whole article (or the whole introduction); truncated to the
/// introduction with `intro`.
fn extract_of(page: &str, sentences: Option<u8>, intro: bool, sentence_bytes: usize) -> String {
    let whole = if intro {
        intro_sentences(page)
    } else {
        article_sentences(page)
    };
    extract_text(
        page,
        sentences.map_or(whole, |n| n.min(whole)),
        sentence_bytes,
    )
}

/// One TextExtracts query: the titles as sent (split on `|`) and the
/// extract parameters.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// The titles, as the client sent them.
    pub titles: Vec<&'a str>,
    /// `exsentences`, already clamped to 1–10; `None`: not sent (the
    /// whole article, or the whole introduction).
    pub sentences: Option<u8>,
    /// `redirects=1`: follow redirects to their targets. Without it the
    /// redirect page itself is the answer.
    pub redirects: bool,
    /// `exlimit=max` was sent: the answer says the limit it used.
    pub limit_max: bool,
    /// Warnings for the `extracts` module already found in the parameters
    /// (a value clamped into range).
    pub warnings: Vec<String>,
    /// `formatversion`: 1 or 2.
    pub formatversion: u8,
    /// `exintro`: the introduction only.
    pub intro: bool,
    /// `exlimit`, already checked: 1 to [`MAX_EXTRACTS`].
    pub limit: usize,
    /// `excontinue`: how many good pages earlier answers covered.
    pub offset: usize,
    /// `prop=extracts` was asked for: without it, pages are listed with
    /// no extract.
    pub extracts: bool,
    /// `explaintext`: plain text; without it, HTML.
    pub plaintext: bool,
    /// `exsectionformat`: how headings are written in plain text.
    pub sectionformat: SectionFormat,
    /// `exchars`, already clamped to 1–1200: at most about this many
    /// characters, cut as TextExtracts cuts them.
    pub chars: Option<usize>,
    /// `pageids`: pages named by id, listed before the titles.
    pub pageids: Vec<u64>,
    /// `prop=info`, with what `inprop` asked.
    pub info: Option<crate::api::info::InfoProps>,
    /// `prop=pageprops`: `Some(None)` for every property, or those of
    /// `ppprop`.
    pub pageprops: Option<Option<Vec<String>>>,
    /// `prop=revisions`, with `rvprop` if sent.
    pub revisions: Option<Option<String>>,
}

/// `exsectionformat`: how a plain-text extract writes a heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SectionFormat {
    /// `== Heading ==` (the default).
    #[default]
    Wiki,
    /// The heading alone on its line.
    Plain,
    /// TextExtracts' own markers: `\u{1}\u{2}` level `\u{2}\u{1}` heading.
    Raw,
}

impl<'a> Query<'a> {
    /// The query for one title with the defaults, redirects followed.
    pub fn one(title: &'a str, sentences: u8, formatversion: u8) -> Self {
        Self {
            titles: vec![title],
            sentences: Some(sentences),
            redirects: true,
            limit_max: false,
            warnings: Vec::new(),
            formatversion,
            intro: false,
            limit: MAX_EXTRACTS,
            offset: 0,
            extracts: true,
            plaintext: true,
            sectionformat: SectionFormat::Wiki,
            chars: None,
            pageids: Vec::new(),
            info: None,
            pageprops: None,
            revisions: None,
        }
    }
}

/// What the wiki makes of one requested title.
enum Resolved {
    Invalid(String),
    /// On another wiki: `interwiki`, no page.
    Interwiki {
        title: String,
        iw: String,
    },
    /// A special page: listed with `special`, never an extract.
    Special(String),
    Missing(i32, String),
    Good(i32, String),
}

/// How a requested title led to its page: the `normalized` entries (the
/// Unicode one first), the redirect followed, and the page.
struct Route {
    normalized: Vec<Value>,
    redirect: Option<(String, String)>,
    resolved: Resolved,
}

impl Wiki {
    /// The TextExtracts answer for one requested `title`.
    pub fn answer(&self, title: &str, sentences: u8, formatversion: u8) -> Value {
        self.answer_query(&Query::one(title, sentences, formatversion))
    }

    /// Where `raw` leads, as `ApiPageSet` reports it: a `normalized` entry
    /// with `fromencoded` if the title was not NFC, one for the title's own
    /// normalization, the redirect (only with `redirects`), the page.
    fn resolve(&self, raw: &str, redirects: bool, v2: bool) -> Route {
        let mut normalized = Vec::new();
        let mut entry = |from: String, to: &str, encoded: bool| {
            let mut n = json!({"from": from, "to": to});
            if encoded {
                n["fromencoded"] = if v2 { json!(true) } else { json!("") };
            } else if v2 {
                n["fromencoded"] = json!(false);
            }
            normalized.push(n);
        };
        let text = match title::nfc(raw) {
            Some(nfc) => {
                entry(title::rawurlencode(raw), &nfc, true);
                nfc
            }
            None => raw.to_owned(),
        };
        let (ns, page) = match title::parse(&text) {
            // An invalid title is listed as sent, never normalized.
            Parsed::Invalid(reason) => {
                return Route {
                    normalized,
                    redirect: None,
                    resolved: Resolved::Invalid(reason),
                };
            }
            Parsed::Interwiki { iw, title } => {
                if title != text {
                    entry(text.clone(), &title, false);
                }
                return Route {
                    normalized,
                    redirect: None,
                    resolved: Resolved::Interwiki { title, iw },
                };
            }
            Parsed::Page { ns, title } => (ns, title),
        };
        if page != text {
            entry(text, &page, false);
        }
        if ns == -1 {
            return Route {
                normalized,
                redirect: None,
                resolved: Resolved::Special(page),
            };
        }
        let redirect = self
            .redirects
            .get(&page)
            .filter(|_| redirects)
            .map(|target| (page.clone(), target.clone()));
        let page = redirect.as_ref().map_or(page, |(_, to)| to.clone());
        let ns = if redirect.is_some() { 0 } else { ns };
        let resolved = if self.missing.contains(&page) {
            Resolved::Missing(ns, page)
        } else {
            Resolved::Good(ns, page)
        };
        Route {
            normalized,
            redirect,
            resolved,
        }
    }

    /// The TextExtracts answer for a query of one or more titles, following
    /// the extension's rules: every page is listed once (duplicates and
    /// titles that lead to the same page share it); `normalized` and
    /// `redirects` say how each title led there; at most `limit` good pages
    /// from `offset` on carry an `extract`, and when pages remain the answer
    /// says where to go on (`continue.excontinue`) instead of
    /// `batchcomplete`. A whole-article request for several titles gets one
    /// extract per answer and TextExtracts' warning. More than
    /// [`MAX_TITLES`] titles get the `toomanyvalues` error.
    pub fn answer_query(&self, q: &Query<'_>) -> Value {
        let v2 = q.formatversion == 2;
        if q.titles.len() > MAX_TITLES {
            // `ParamValidator`'s `toomanyvalues`, with its data.
            let mut e = api_error(
                "toomanyvalues",
                &format!(
                    "Too many values supplied for parameter \"titles\". The limit is {MAX_TITLES}."
                ),
                v2,
            );
            e["error"]["parameter"] = json!("titles");
            e["error"]["limit"] = json!(MAX_TITLES);
            e["error"]["lowlimit"] = json!(MAX_TITLES);
            e["error"]["highlimit"] = json!(MAX_TITLES_HIGH);
            return e;
        }
        let flag = if v2 { json!(true) } else { json!("") };
        let mut warnings = q.warnings.clone();
        let (mut normalized, mut redirects, mut interwiki) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen: HashSet<String> = HashSet::new();
        let mut listed: Vec<(String, Value)> = Vec::new();
        let mut good: Vec<usize> = Vec::new();
        for &id in &q.pageids {
            // `ApiPageSet::initFromPageIds`: an id no page has is listed
            // as missing, keyed by that id.
            match PAGES.iter().find(|p| page_id(p) == id) {
                Some(page) if !self.missing.contains(*page) => {
                    if seen.insert(format!("p\u{1}{page}")) {
                        good.push(listed.len());
                        listed.push((
                            id.to_string(),
                            json!({"pageid": id, "ns": 0, "title": page}),
                        ));
                    }
                }
                _ => {
                    if seen.insert(format!("m\u{1}{id}")) {
                        listed.push((id.to_string(), json!({"pageid": id, "missing": flag})));
                    }
                }
            }
        }
        for raw in &q.titles {
            let route = self.resolve(raw, q.redirects, v2);
            // One set of entries per distinct title as sent.
            if seen.insert(format!("n\u{1}{raw}")) {
                normalized.extend(route.normalized);
            }
            if let Some((from, to)) = route.redirect {
                if seen.insert(format!("r\u{1}{from}")) {
                    redirects.push(json!({"from": from, "to": to}));
                }
            }
            let (key, body) = match route.resolved {
                Resolved::Invalid(reason) => (
                    format!("i\u{1}{raw}"),
                    json!({"title": raw, "invalidreason": reason, "invalid": flag}),
                ),
                Resolved::Interwiki { title, iw } => {
                    if seen.insert(format!("w\u{1}{title}")) {
                        interwiki.push(json!({"title": title, "iw": iw}));
                    }
                    continue;
                }
                Resolved::Special(page) => (
                    format!("p\u{1}{page}"),
                    json!({"ns": -1, "title": page, "special": flag}),
                ),
                Resolved::Missing(ns, page) => (
                    format!("p\u{1}{page}"),
                    json!({"ns": ns, "title": page, "missing": flag}),
                ),
                Resolved::Good(ns, page) => {
                    let id = page_id(&page);
                    (
                        format!("p\u{1}{page}"),
                        json!({"pageid": id, "ns": ns, "title": page}),
                    )
                }
            };
            if seen.insert(key) {
                if body.get("pageid").is_some() {
                    good.push(listed.len());
                }
                listed.push((
                    body["pageid"]
                        .as_u64()
                        .map_or("-1".into(), |id| id.to_string()),
                    body,
                ));
            }
        }
        // TextExtracts lowers the limit for a whole-article request over
        // more than one good page (not more than one title).
        let mut limit = q.limit.clamp(1, MAX_EXTRACTS);
        if !q.extracts {
            // `prop=extracts` not asked for: pages only.
            good.clear();
        }
        if limit > 1 && !q.intro && good.len() > 1 {
            limit = 1;
            warnings.push(LIMIT_LOWERED.to_owned());
        }
        let mut next = None;
        let mut file_page = false;
        for (count, &i) in good.iter().skip(q.offset).enumerate() {
            if count == limit {
                next = Some(q.offset + count);
                break;
            }
            if let Some((_, page)) = listed.get_mut(i) {
                let title = page["title"].as_str().unwrap_or_default().to_owned();
                let text = if page["ns"] == json!(6) {
                    file_page = true;
                    String::new()
                } else if self.redirects.contains_key(&title) {
                    // A redirect page read as itself: its only text is the
                    // "Redirect to" notice, which TextExtracts strips.
                    String::new()
                } else {
                    crate::api::extracts::text(&title, q, self.sentence_bytes)
                };
                page["extract"] = json!(text);
            }
        }
        if file_page {
            warnings.push(FILE_WARNING.to_owned());
        }
        for (_, page) in &mut listed {
            self.page_modules(page, q);
        }

        let mut query = Map::new();
        if !normalized.is_empty() {
            query.insert("normalized".into(), Value::Array(normalized));
        }
        if !redirects.is_empty() {
            query.insert("redirects".into(), Value::Array(redirects));
        }
        if !interwiki.is_empty() {
            query.insert("interwiki".into(), Value::Array(interwiki));
        }
        let pages = if v2 {
            Value::Array(listed.into_iter().map(|(_, p)| p).collect())
        } else {
            // Format version 1 keys pages by id; missing and invalid ones
            // count down from -1.
            let mut o = Map::new();
            let mut negative = 0;
            for (key, page) in listed {
                let key = if key == "-1" {
                    negative -= 1;
                    negative.to_string()
                } else {
                    key
                };
                o.insert(key, page);
            }
            Value::Object(o)
        };
        query.insert("pages".into(), pages);
        let mut root = Map::new();
        let mut module_warnings = crate::api::Warnings::default();
        for text in warnings {
            module_warnings.add("extracts", text);
        }
        module_warnings.insert_into(&mut root, v2);
        if q.limit_max {
            root.insert("limits".into(), json!({ "extracts": MAX_EXTRACTS }));
        }
        match next {
            Some(offset) => {
                root.insert(
                    "continue".into(),
                    json!({"excontinue": offset, "continue": "||"}),
                );
            }
            None => {
                root.insert("batchcomplete".into(), flag);
            }
        }
        root.insert("query".into(), Value::Object(query));
        Value::Object(root)
    }
}

impl Wiki {
    /// Adds what `prop=info` and `prop=pageprops` say of one listed page.
    fn page_modules(&self, page: &mut Value, q: &Query<'_>) {
        let title = page["title"].as_str().unwrap_or_default().to_owned();
        if let Some(props) = q.info {
            let (intro, sections) = article(&title, self.sentence_bytes);
            let length = intro.len() + sections.iter().map(|s| s.text.len()).sum::<usize>();
            let redirect = self.redirects.contains_key(&title);
            crate::api::info::add(
                page,
                props,
                &self.server,
                (length, redirect),
                q.formatversion == 2,
            );
        }
        if let Some(rvprop) = &q.revisions {
            crate::api::revisions::add(page, rvprop.as_deref());
        }
        if let Some(wanted) = &q.pageprops {
            let disambiguation = self.disambiguation.contains(&title);
            crate::api::pageprops::add(page, wanted.as_deref(), disambiguation);
        }
    }
}

/// MediaWiki's error body (`errorformat=bc`): `code`, `info`, and the
/// pointer to the docs, as `docref` in format version 2 and `*` in 1.
pub fn api_error(code: &str, info: &str, v2: bool) -> Value {
    let mut error = json!({"code": code, "info": info});
    error[if v2 { "docref" } else { "*" }] = json!(DOCREF);
    json!({"error": error, "servedby": "wikifetch-mock"})
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
        assert_eq!(normalize("cafe\u{301}"), "Café");
        assert_eq!(normalize("fr:Paris"), "");
    }

    #[test]
    fn a_title_not_in_nfc_is_normalized_in_two_entries() {
        // `ApiPageSet`: the raw title percent-encoded (`fromencoded`), made
        // NFC; then the title's own normalization, chained.
        let a = Wiki::default().answer("cafe\u{301}", 5, 2);
        let n = a["query"]["normalized"].as_array().unwrap();
        assert_eq!(
            n[0],
            json!({"fromencoded": true, "from": "cafe%CC%81", "to": "café"})
        );
        assert_eq!(
            n[1],
            json!({"fromencoded": false, "from": "café", "to": "Café"})
        );
        assert_eq!(a["query"]["pages"][0]["title"], "Café");
        // Format version 1: the flag is "" when true, left out when false.
        let a = Wiki::default().answer("cafe\u{301}", 5, 1);
        assert_eq!(a["query"]["normalized"][0]["fromencoded"], "");
        assert!(a["query"]["normalized"][1].get("fromencoded").is_none());
    }

    #[test]
    fn other_namespaces_and_wikis() {
        let w = Wiki::default();
        let talk = w.answer("talk:Rust", 5, 2);
        assert_eq!(talk["query"]["pages"][0]["ns"], 1);
        assert_eq!(talk["query"]["pages"][0]["title"], "Talk:Rust");
        // A File page: an empty extract and TextExtracts' warning.
        let file = w.answer("File:Logo.png", 5, 2);
        assert_eq!(file["query"]["pages"][0]["extract"], "");
        assert_eq!(file["warnings"]["extracts"]["warnings"], FILE_WARNING);
        // A special page: listed, flagged, no extract.
        let special = w.answer("Special:Random", 5, 2);
        assert_eq!(special["query"]["pages"][0]["special"], true);
        assert!(special["query"]["pages"][0].get("extract").is_none());
        // Another wiki: `interwiki`, no page.
        let iw = w.answer("fr:Paris", 5, 2);
        assert_eq!(
            iw["query"]["interwiki"][0],
            json!({"title": "fr:Paris", "iw": "fr"})
        );
        assert!(iw["query"]["pages"].as_array().unwrap().is_empty());
        // A non-breaking space is a space.
        let nbsp = w.answer("Albert\u{a0}Einstein", 5, 2);
        assert_eq!(nbsp["query"]["normalized"][0]["to"], "Albert Einstein");
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

    fn batch<'a>(titles: &[&'a str], intro: bool, offset: usize) -> Query<'a> {
        Query {
            titles: titles.to_vec(),
            intro,
            offset,
            ..Query::one("", 5, 2)
        }
    }

    #[test]
    fn a_batch_lists_each_page_once_and_maps_every_title() {
        let w = Wiki::default();
        let a = w.answer_query(&batch(
            &[
                "Rust",
                "rust",
                "Einstein",
                "Rust",
                MISSING_TITLE,
                "a<b",
                "Rust#History",
            ],
            true,
            0,
        ));
        let pages = a["query"]["pages"].as_array().unwrap();
        let titles: Vec<&str> = pages.iter().map(|p| p["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Rust", "Albert Einstein", MISSING_TITLE, "a<b"]);
        assert_eq!(
            pages[1]["extract"],
            extract_for("Albert Einstein", 5, true, 0)
        );
        assert_eq!(pages[2]["missing"], true);
        assert_eq!(pages[3]["invalid"], true);
        let normalized = a["query"]["normalized"].as_array().unwrap();
        assert_eq!(normalized.len(), 2, "rust and Rust#History: {normalized:?}");
        assert_eq!(a["query"]["redirects"][0]["to"], "Albert Einstein");
        assert_eq!(a["batchcomplete"], true);
    }

    #[test]
    fn past_the_limit_pages_come_without_extract_and_a_continuation() {
        let w = Wiki::default();
        let names: Vec<String> = (0..25).map(|i| format!("P{i}")).collect();
        let titles: Vec<&str> = names.iter().map(String::as_str).collect();
        let first = w.answer_query(&batch(&titles, true, 0));
        let pages = first["query"]["pages"].as_array().unwrap();
        assert_eq!(pages.len(), 25);
        assert_eq!(
            pages.iter().filter(|p| p.get("extract").is_some()).count(),
            20
        );
        assert_eq!(first["continue"]["excontinue"], 20);
        assert!(first.get("batchcomplete").is_none());
        let second = w.answer_query(&batch(&titles, true, 20));
        let pages = second["query"]["pages"].as_array().unwrap();
        let with: Vec<&str> = pages
            .iter()
            .filter(|p| p.get("extract").is_some())
            .map(|p| p["title"].as_str().unwrap())
            .collect();
        assert_eq!(with, ["P20", "P21", "P22", "P23", "P24"]);
        assert_eq!(second["batchcomplete"], true);
    }

    #[test]
    fn whole_article_batches_are_lowered_to_one_extract_with_a_warning() {
        let w = Wiki::default();
        let a = w.answer_query(&batch(&["A", "B", "C"], false, 0));
        assert_eq!(
            a["warnings"]["extracts"]["warnings"],
            "\"exlimit\" was too large for a whole article extracts request, lowered to 1."
        );
        assert_eq!(a["continue"]["excontinue"], 1);
        let pages = a["query"]["pages"].as_array().unwrap();
        assert_eq!(pages[0]["extract"], extract_text("A", 5, 0));
        assert!(pages[1].get("extract").is_none());
        // One title: no lowering.
        assert!(
            w.answer_query(&batch(&["A"], false, 0))
                .get("warnings")
                .is_none()
        );
        // Good pages are counted, not titles: one good page among a
        // missing and an invalid title is not lowered.
        let one_good = w.answer_query(&batch(&["A", MISSING_TITLE, "a<b"], false, 0));
        assert!(one_good.get("warnings").is_none(), "{one_good}");
        assert_eq!(one_good["batchcomplete"], true);
    }

    #[test]
    fn more_than_fifty_titles_is_an_error() {
        let names: Vec<String> = (0..51).map(|i| format!("T{i}")).collect();
        let titles: Vec<&str> = names.iter().map(String::as_str).collect();
        let a = Wiki::default().answer_query(&batch(&titles, true, 0));
        assert_eq!(a["error"]["code"], "toomanyvalues");
        assert_eq!(a["error"]["parameter"], "titles");
        assert_eq!(a["error"]["limit"], 50);
        assert_eq!(a["error"]["lowlimit"], 50);
        assert_eq!(a["error"]["highlimit"], 500);
        assert!(a["error"]["docref"].is_string());
        let v1 = Wiki::default().answer_query(&Query {
            formatversion: 1,
            ..batch(&titles, true, 0)
        });
        assert!(v1["error"]["*"].is_string() && v1["error"].get("docref").is_none());
        assert!(Wiki::default().answer_query(&batch(&titles[..50], true, 0))["error"].is_null());
    }

    #[test]
    fn some_introductions_are_shorter_than_five_sentences() {
        let short = (0..200)
            .filter(|i| intro_sentences(&format!("Article {i}")) < 5)
            .count();
        assert!((20..80).contains(&short), "{short} of 200");
        let page = (0..200)
            .map(|i| format!("Article {i}"))
            .find(|p| intro_sentences(p) < 5)
            .unwrap();
        let intro = extract_for(&page, 5, true, 0);
        let whole = extract_for(&page, 5, false, 0);
        assert!(whole.starts_with(&intro) && whole.len() > intro.len());
    }

    #[test]
    fn format_version_1_keys_missing_and_invalid_pages_by_negative_ids() {
        let a = Wiki::default().answer_query(&Query {
            formatversion: 1,
            ..batch(&[MISSING_TITLE, "a<b", "Rust"], true, 0)
        });
        let pages = a["query"]["pages"].as_object().unwrap();
        assert!(pages.contains_key("-1") && pages.contains_key("-2"));
        assert_eq!(pages.len(), 3);
    }
}
