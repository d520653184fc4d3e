//! What the mock answers to one API request: its status, headers and body,
//! and how long to hold it back.
//!
//! Ordinary answers are rendered once per (title, sentences, format
//! version, encoding) and then served from a cache as shared bytes, so a
//! request costs the mock a lookup rather than building, serialising and
//! compressing JSON. The cache is bounded: past [`CACHE_ENTRIES`] it starts
//! over.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;

use crate::fault::{Fault, FaultKind};
use crate::wiki::{self, Wiki};

/// Rendered answers kept: about 1–2 KB each for one title.
pub(crate) const CACHE_ENTRIES: usize = 20_000;

/// Bytes of rendered answers kept: a batch of 50 titles renders to about
/// 50 times one title's answer, so the entry count alone does not bound it.
pub(crate) const CACHE_BYTES: usize = 64 << 20;

const JSON: &str = "application/json; charset=utf-8";

/// One HTTP answer, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Bytes,
    /// Whether the connection dies once the body is sent.
    pub(crate) dies: bool,
}

impl Answer {
    /// An answer with this status, content type and body.
    pub(crate) fn plain(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body: body.into(),
            dies: false,
        }
    }

    fn header(mut self, name: &'static str, value: impl ToString) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    fn json(status: u16, body: &serde_json::Value, gzip: bool) -> Self {
        let text = body.to_string();
        if gzip {
            if let Some(compressed) = gzip_bytes(text.as_bytes()) {
                return Self::plain(status, JSON, compressed).header("content-encoding", "gzip");
            }
        }
        Self::plain(status, JSON, text)
    }

    fn text(status: u16, body: &'static str) -> Self {
        Self::plain(status, "text/plain", body)
    }

    /// 404, for any path but the API's.
    pub(crate) fn not_found() -> Self {
        Self::text(404, "Not Found")
    }
}

fn gzip_bytes(data: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).ok()?;
    encoder.finish().ok()
}

/// The parameters of one request that decide its answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ask<'a> {
    pub(crate) action: Option<&'a str>,
    pub(crate) prop: Option<&'a str>,
    /// The `titles` parameter as sent: one title, or several split by `|`.
    pub(crate) title: &'a str,
    pub(crate) exsentences: Option<&'a str>,
    /// `exintro` was given (MediaWiki reads any value as true).
    pub(crate) intro: bool,
    pub(crate) exlimit: Option<&'a str>,
    pub(crate) excontinue: Option<&'a str>,
    pub(crate) formatversion: Option<&'a str>,
    pub(crate) gzip: bool,
}

#[derive(Hash, PartialEq, Eq)]
struct Key {
    title: String,
    sentences: u8,
    formatversion: u8,
    intro: bool,
    limit: usize,
    offset: usize,
    gzip: bool,
}

/// The rendered answers, and their bytes.
#[derive(Default)]
struct Cache {
    answers: HashMap<Key, Answer>,
    bytes: usize,
}

/// Renders answers and caches the ordinary ones.
#[derive(Default)]
pub(crate) struct Renderer {
    cache: Mutex<Cache>,
}

impl Renderer {
    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer to `ask`, given the fault (if any) chosen for it.
    pub(crate) fn answer(&self, wiki: &Wiki, ask: Ask<'_>, fault: Option<&Fault>) -> Answer {
        if ask.action != Some("query") || ask.prop != Some("extracts") {
            return bad_value(
                "wikifetch-mock answers only action=query&prop=extracts",
                ask,
            );
        }
        let sentences = match ask.exsentences.map(str::parse::<u8>) {
            None => 10,
            Some(Ok(n)) if (1..=10).contains(&n) => n,
            Some(_) => return bad_value("exsentences must be a number from 1 to 10", ask),
        };
        let limit = match ask.exlimit {
            None | Some("max") => wiki::MAX_EXTRACTS,
            // Above the maximum MediaWiki uses the maximum.
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n >= 1 => n.min(wiki::MAX_EXTRACTS),
                _ => return bad_value("exlimit must be a number from 1 to 20, or max", ask),
            },
        };
        let offset = match ask.excontinue.map(str::parse::<usize>) {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(_)) => return bad_value("excontinue must be a whole number", ask),
        };
        let formatversion = if ask.formatversion == Some("2") { 2 } else { 1 };
        let body = || {
            wiki.answer_query(&wiki::Query {
                titles: ask.title.split('|').collect(),
                sentences,
                formatversion,
                intro: ask.intro,
                limit,
                offset,
            })
        };
        match fault.map(|f| &f.kind) {
            None | Some(FaultKind::Hang) => {
                let key = Key {
                    title: ask.title.to_owned(),
                    sentences,
                    formatversion,
                    intro: ask.intro,
                    limit,
                    offset,
                    gzip: ask.gzip,
                };
                if let Some(hit) = self.cache().answers.get(&key) {
                    return hit.clone();
                }
                let answer = Answer::json(200, &body(), ask.gzip);
                let mut cache = self.cache();
                if cache.answers.len() >= CACHE_ENTRIES || cache.bytes >= CACHE_BYTES {
                    *cache = Cache::default();
                }
                cache.bytes += answer.body.len();
                cache.answers.insert(key, answer.clone());
                answer
            }
            Some(FaultKind::Unavailable) => Answer::text(503, "Service Unavailable"),
            Some(FaultKind::ServerError) => Answer::text(500, "Internal Server Error"),
            Some(FaultKind::TooManyRequests { retry_after }) => {
                Answer::text(429, "Too Many Requests").header("retry-after", retry_after)
            }
            Some(FaultKind::Maxlag) => Answer::json(
                200,
                &wiki::api_error("maxlag", "Waiting for a database server: 7 seconds lagged."),
                ask.gzip,
            )
            .header("x-database-lag", 7),
            Some(FaultKind::Truncated) => {
                let full = body().to_string().into_bytes();
                let half = full.len() / 2;
                Answer::plain(200, "application/json", full).truncate(half)
            }
            Some(FaultKind::Reset) => {
                // Promise the whole answer, send half: the connection then
                // dies, and the client sees it die mid-response.
                let full = body().to_string().into_bytes();
                let (len, half) = (full.len(), full.len() / 2);
                let mut answer = Answer::plain(200, "application/json", full)
                    .truncate(half)
                    .header("content-length", len);
                answer.dies = true;
                answer
            }
            Some(FaultKind::HugeBody(bytes)) => {
                Answer::plain(200, "application/json", vec![b' '; *bytes])
            }
        }
    }
}

impl Answer {
    fn truncate(mut self, len: usize) -> Self {
        self.body.truncate(len);
        self
    }
}

fn bad_value(info: &str, ask: Ask<'_>) -> Answer {
    Answer::json(200, &wiki::api_error("badvalue", info), ask.gzip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(title: &str) -> Ask<'_> {
        Ask {
            action: Some("query"),
            prop: Some("extracts"),
            title,
            exsentences: Some("5"),
            formatversion: Some("2"),
            intro: false,
            exlimit: None,
            excontinue: None,
            gzip: false,
        }
    }

    #[test]
    fn ordinary_answers_are_rendered_once() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let a = r.answer(&w, ask("Rust"), None);
        let b = r.answer(&w, ask("Rust"), None);
        assert_eq!(a.status, 200);
        // The same bytes, shared, not a second rendering.
        assert_eq!(a.body.as_ptr(), b.body.as_ptr());
        let json: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(json["query"]["pages"][0]["title"], "Rust");
    }

    #[test]
    fn gzip_is_a_separate_entry() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let plain = r.answer(&w, ask("Rust"), None);
        let zipped = r.answer(
            &w,
            Ask {
                gzip: true,
                ..ask("Rust")
            },
            None,
        );
        assert!(
            zipped
                .headers
                .contains(&("content-encoding", "gzip".into()))
        );
        assert_ne!(plain.body, zipped.body);
    }

    #[test]
    fn bad_parameters_get_mediawiki_errors() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let a = r.answer(
            &w,
            Ask {
                exsentences: Some("99"),
                ..ask("Rust")
            },
            None,
        );
        let json: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(json["error"]["code"], "badvalue");
    }

    #[test]
    fn the_cache_is_bounded() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let titles: Vec<String> = (0..CACHE_ENTRIES + 5).map(|i| format!("T{i}")).collect();
        for t in &titles {
            r.answer(&w, ask(t), None);
        }
        assert!(r.cache().answers.len() <= CACHE_ENTRIES);
    }

    #[test]
    fn a_batch_is_one_answer_with_its_continuation() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let titles = (0..30)
            .map(|i| format!("B{i}"))
            .collect::<Vec<_>>()
            .join("|");
        let batch = |excontinue| Ask {
            intro: true,
            excontinue,
            ..ask(&titles)
        };
        let json = |a: Answer| serde_json::from_slice::<serde_json::Value>(&a.body).unwrap();
        let first = json(r.answer(&w, batch(None), None));
        assert_eq!(first["continue"]["excontinue"], 20);
        let second = json(r.answer(&w, batch(Some("20")), None));
        assert_eq!(second["batchcomplete"], true);
        let bad = json(r.answer(&w, batch(Some("x")), None));
        assert_eq!(bad["error"]["code"], "badvalue");
    }
}
