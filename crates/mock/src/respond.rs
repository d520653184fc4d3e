//! What the mock answers to one API request: its status, headers and body,
//! and how long to hold it back.
//!
//! Ordinary answers are rendered once per set of parameters (as sent, in
//! their order) and encoding, and then served from a cache as shared bytes, so a
//! request costs the mock a lookup rather than building, serialising and
//! compressing JSON. The cache is bounded: past [`CACHE_ENTRIES`] it starts
//! over.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;

use crate::api::JSON;
use crate::api::format::{self, Printer};
use crate::api::params::Params;
use crate::fault::{Fault, FaultKind};
use crate::wiki::{self, Wiki};

/// Rendered answers kept: about 1–2 KB each for one title.
pub(crate) const CACHE_ENTRIES: usize = 20_000;

/// Bytes of rendered answers kept: a batch of 50 titles renders to about
/// 50 times one title's answer, so the entry count alone does not bound it.
pub(crate) const CACHE_BYTES: usize = 64 << 20;

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

    /// An API answer (HTTP 200) printed as `printer` prints it, with the
    /// error's code in `MediaWiki-API-Error` when it is one
    /// (`ApiMain::handleException`).
    fn printed(printer: Printer, body: &serde_json::Value, gzip: bool) -> Self {
        let (content_type, text) = format::print(printer, body);
        let compressed = if gzip {
            gzip_bytes(text.as_bytes())
        } else {
            None
        };
        let mut answer = match compressed {
            Some(bytes) => Self::plain(200, content_type, bytes).header("content-encoding", "gzip"),
            None => Self::plain(200, content_type, text),
        };
        if let Some(code) = body["error"]["code"].as_str() {
            answer = answer.header("mediawiki-api-error", code);
        }
        answer
    }

    fn text(status: u16, body: &'static str) -> Self {
        Self::plain(status, "text/plain", body)
    }

    /// 413, for a body past [`crate::api::params::MAX_BODY`] bytes.
    pub(crate) fn too_large() -> Self {
        Self::text(413, "Request Entity Too Large")
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

/// One request, as the renderer needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ask<'a> {
    /// Its parameters, from the query string and the body.
    pub(crate) params: &'a Params,
    /// Answers are compressed: the mock is set to, and the client accepts it.
    pub(crate) gzip: bool,
    /// The client sent `Accept-Encoding: gzip`, whatever the mock is set to.
    pub(crate) accepts_gzip: bool,
    /// The client's address, for `meta=userinfo`.
    pub(crate) client: Option<std::net::IpAddr>,
}

/// What an answer is cached under: every parameter that shapes it, in the
/// order sent (all of them but `maxlag`, which only decides whether the
/// answer is an error, and faults are never cached), and the encoding.
#[derive(Hash, PartialEq, Eq)]
struct Key {
    params: String,
    gzip: bool,
}

impl Key {
    fn of(ask: Ask<'_>) -> Self {
        let mut params = String::new();
        for (k, v) in ask.params.pairs() {
            if k != "maxlag" {
                params.push_str(k);
                params.push('=');
                params.push_str(v);
                params.push('\0');
            }
        }
        Self {
            params,
            gzip: ask.gzip,
        }
    }
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
    /// Gzip bombs by their decompressed size.
    bombs: Mutex<HashMap<usize, Bytes>>,
}

impl Renderer {
    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer to `ask`, given the fault (if any) chosen for it. A
    /// fault applies whatever the request asks, as a failing server or
    /// proxy fails every request; without one, the API answers.
    pub(crate) fn answer(&self, wiki: &Wiki, ask: Ask<'_>, fault: Option<&Fault>) -> Answer {
        let (printer, refused) = match format::printer(ask.params) {
            Ok(printer) => (printer, None),
            Err((printer, error)) => (printer, Some(error)),
        };
        let v2 = printer.v2();
        let body = || match &refused {
            Some(error) => error.clone(),
            None => crate::api::answer(wiki, ask.params, v2, ask.client),
        };
        match fault.map(|f| &f.kind) {
            None | Some(FaultKind::Hang) if !crate::api::cacheable(ask.params) => {
                Answer::printed(printer, &body(), ask.gzip)
            }
            None | Some(FaultKind::Hang) => {
                let key = Key::of(ask);
                if let Some(hit) = self.cache().answers.get(&key) {
                    return hit.clone();
                }
                let answer = Answer::printed(printer, &body(), ask.gzip);
                let mut cache = self.cache();
                if cache.answers.len() >= CACHE_ENTRIES || cache.bytes >= CACHE_BYTES {
                    *cache = Cache::default();
                }
                // The key counts too: a POST's parameters may be long.
                cache.bytes += answer.body.len() + key.params.len();
                cache.answers.insert(key, answer.clone());
                answer
            }
            Some(FaultKind::Unavailable) => Answer::text(503, "Service Unavailable"),
            Some(FaultKind::ServerError) => Answer::text(500, "Internal Server Error"),
            Some(FaultKind::TooManyRequests { retry_after }) => {
                Answer::text(429, "Too Many Requests").header("retry-after", retry_after)
            }
            Some(FaultKind::Maxlag) => {
                // `ApiMain::checkMaxLag`: HTTP 200, `Retry-After` of the
                // `maxlag` asked for but at least 5 s, the lag in
                // `X-Database-Lag`, and the lag's data in the error.
                let asked = ask
                    .params
                    .get("maxlag")
                    .and_then(|m| m.trim().parse::<f64>().ok())
                    .map_or(0, |m| m.max(0.0) as u64);
                let mut error = wiki::api_error(
                    "maxlag",
                    &format!("Waiting for {MAXLAG_HOST}: {MAXLAG_SECONDS} seconds lagged."),
                    v2,
                );
                error["error"]["host"] = serde_json::json!(MAXLAG_HOST);
                error["error"]["lag"] = serde_json::json!(MAXLAG_SECONDS);
                error["error"]["type"] = serde_json::json!("db");
                Answer::printed(printer, &error, ask.gzip)
                    .header("retry-after", asked.max(MAXLAG_MIN_RETRY_AFTER))
                    .header("x-database-lag", MAXLAG_SECONDS)
            }
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
            Some(FaultKind::Ratelimited) => {
                // `ApiBase::dieWithError('apierror-ratelimited')` throws an
                // ApiUsageException with no HTTP code, so
                // `ApiMain::handleException` prints it with HTTP 200 and
                // `MediaWiki-API-Error: ratelimited`; no `Retry-After`.
                let error = wiki::api_error("ratelimited", RATELIMITED_INFO, v2);
                Answer::printed(printer, &error, ask.gzip)
            }
            Some(FaultKind::GzipBomb(bytes)) if ask.accepts_gzip => {
                let bomb = self.bomb(*bytes);
                Answer::plain(200, JSON, bomb).header("content-encoding", "gzip")
            }
            Some(FaultKind::GzipBomb(_)) => Answer::printed(printer, &body(), false),
        }
    }
}

impl Renderer {
    /// `bytes` spaces, gzipped: made once per size (compressing megabytes
    /// is slow in a debug build), then served as shared bytes.
    fn bomb(&self, bytes: usize) -> Bytes {
        let mut bombs = self.bombs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bomb) = bombs.get(&bytes) {
            return bomb.clone();
        }
        let bomb = Bytes::from(gzip_spaces(bytes).unwrap_or_default());
        if bombs.len() >= 4 {
            bombs.clear();
        }
        bombs.insert(bytes, bomb.clone());
        bomb
    }
}

/// `bytes` spaces, gzipped, without compressing them all (a debug build
/// compresses a few MiB a second, and the bomb check waits alone): one
/// chunk of spaces is compressed by a fresh encoder and sync-flushed, so
/// that its blocks are not final, end on a byte boundary and refer only
/// to its own output; the chunk's blocks are repeated, the remainder's
/// follow, then an empty final block and the gzip trailer (the CRC-32
/// combined from the chunks'). About 1 byte in 1000.
fn gzip_spaces(bytes: usize) -> Option<Vec<u8>> {
    const CHUNK: usize = 256 << 10;
    let blocks = |len: usize| -> Option<(Vec<u8>, flate2::Crc)> {
        use std::io::Write;
        let spaces = vec![b' '; len];
        let mut deflate =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        deflate.write_all(&spaces).ok()?;
        deflate.flush().ok()?;
        let mut crc = flate2::Crc::new();
        crc.update(&spaces);
        Some((deflate.get_ref().clone(), crc))
    };
    // ID1 ID2, deflate, no flags, no time, no extra flags, unknown OS.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut crc = flate2::Crc::new();
    let (chunk, chunk_crc) = blocks(CHUNK)?;
    for _ in 0..bytes / CHUNK {
        out.extend_from_slice(&chunk);
        crc.combine(&chunk_crc);
    }
    if bytes % CHUNK > 0 {
        let (rest, rest_crc) = blocks(bytes % CHUNK)?;
        out.extend_from_slice(&rest);
        crc.combine(&rest_crc);
    }
    // A final, empty stored block: BFINAL = 1, BTYPE = 00, LEN 0, NLEN !0.
    out.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff]);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(bytes as u32).to_le_bytes());
    Some(out)
}

impl Answer {
    fn truncate(mut self, len: usize) -> Self {
        self.body.truncate(len);
        self
    }
}

/// The shortest `Retry-After` MediaWiki sends with `maxlag`, in seconds:
/// `max(maxlag, 5)`.
pub const MAXLAG_MIN_RETRY_AFTER: u64 = 5;

/// The `info` of MediaWiki's `ratelimited` error (`apierror-ratelimited`
/// in core's `i18n/api/en.json`).
pub const RATELIMITED_INFO: &str =
    "You've exceeded your rate limit. Please wait some time and try again.";

/// The lag the mock's `maxlag` fault reports, seconds.
const MAXLAG_SECONDS: u64 = 7;

/// The database host the mock's `maxlag` fault names.
const MAXLAG_HOST: &str = "db1001";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract_text;

    /// The client's request for `title`, then `extra` (a later value of a
    /// parameter wins).
    fn params(title: &str, extra: &str) -> Params {
        Params::from_query(&format!(
            "action=query&prop=extracts&explaintext=1&format=json&formatversion=2\
             &redirects=1&exsentences=5&titles={title}{extra}"
        ))
    }

    fn ask(params: &Params) -> Ask<'_> {
        Ask {
            params,
            gzip: false,
            accepts_gzip: false,
            client: None,
        }
    }

    fn json(a: &Answer) -> serde_json::Value {
        serde_json::from_slice(&a.body).unwrap()
    }

    #[test]
    fn ordinary_answers_are_rendered_once() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let p = params("Rust", "");
        let a = r.answer(&w, ask(&p), None);
        let b = r.answer(&w, ask(&p), None);
        assert_eq!(a.status, 200);
        // The same bytes, shared, not a second rendering.
        assert_eq!(a.body.as_ptr(), b.body.as_ptr());
        assert_eq!(json(&a)["query"]["pages"][0]["title"], "Rust");
        // A different maxlag is the same answer; another parameter is not.
        let c = r.answer(&w, ask(&params("Rust", "&maxlag=5")), None);
        assert_eq!(a.body.as_ptr(), c.body.as_ptr());
        let d = r.answer(&w, ask(&params("Rust", "&exsentences=2")), None);
        assert_ne!(a.body, d.body);
    }

    #[test]
    fn gzip_is_a_separate_entry() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let p = params("Rust", "");
        let plain = r.answer(&w, ask(&p), None);
        let zipped = r.answer(
            &w,
            Ask {
                gzip: true,
                ..ask(&p)
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
    fn formats_versions_and_unknown_formats() {
        let (r, w) = (Renderer::default(), Wiki::default());
        // `latest` is version 2.
        let latest = json(&r.answer(&w, ask(&params("Rust", "&formatversion=latest")), None));
        assert!(latest["query"]["pages"].is_array(), "{latest}");
        let v1 = json(&r.answer(&w, ask(&params("Rust", "&formatversion=1")), None));
        assert!(v1["query"]["pages"].is_object(), "{v1}");
        // XML is not JSON pretending to be XML: a badvalue error, printed
        // as jsonfm (an HTML page), its code in the header.
        let xml = r.answer(&w, ask(&params("Rust", "&format=xml")), None);
        assert!(
            xml.headers
                .contains(&("content-type", "text/html; charset=utf-8".into()))
        );
        assert!(
            xml.headers
                .contains(&("mediawiki-api-error", "badvalue".into()))
        );
        let page = String::from_utf8_lossy(&xml.body);
        assert!(page.contains("Unrecognized value for parameter \\&quot;format\\&quot;: xml."));
        // No format at all: jsonfm, MediaWiki's default.
        let none = r.answer(
            &w,
            ask(&Params::from_query(
                "action=query&prop=extracts&titles=Rust",
            )),
            None,
        );
        assert!(String::from_utf8_lossy(&none.body).contains("api-pretty-content"));
    }

    #[test]
    fn a_fault_applies_to_every_module_and_format() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let fault = Fault::first(FaultKind::Unavailable, 1, &["Rust"]);
        for extra in ["&prop=info", "&format=xml", "&action=parse"] {
            let a = r.answer(&w, ask(&params("Rust", extra)), Some(&fault));
            assert_eq!(a.status, 503, "{extra}");
        }
    }

    #[test]
    fn out_of_range_values_are_clamped_with_a_warning() {
        // `NumericDef::checkRange`: clamped, `outofrange` warning.
        let (r, w) = (Renderer::default(), Wiki::default());
        let a = json(&r.answer(&w, ask(&params("Rust", "&exsentences=99")), None));
        assert_eq!(
            a["warnings"]["extracts"]["warnings"],
            "The value \"99\" for parameter \"exsentences\" must be between 1 and 10."
        );
        assert_eq!(
            a["query"]["pages"][0]["extract"],
            extract_text("Rust", 10, 0)
        );
        let a = json(&r.answer(&w, ask(&params("A|B", "&exlimit=50&exintro=1")), None));
        assert_eq!(
            a["warnings"]["extracts"]["warnings"],
            "The value \"50\" for parameter \"exlimit\" must be between 1 and 20."
        );
        // Not a number: `badinteger`, its code in MediaWiki-API-Error.
        let bad = r.answer(&w, ask(&params("Rust", "&exsentences=five")), None);
        assert_eq!(json(&bad)["error"]["code"], "badinteger");
        assert!(
            bad.headers
                .contains(&("mediawiki-api-error", "badinteger".into()))
        );
        assert!(json(&bad)["error"]["docref"].is_string());
    }

    #[test]
    fn exlimit_max_says_the_limit_it_used() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let a = json(&r.answer(&w, ask(&params("Rust", "&exlimit=max")), None));
        assert_eq!(a["limits"]["extracts"], wiki::MAX_EXTRACTS);
    }

    #[test]
    fn without_exsentences_the_whole_article_or_introduction() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let whole = |extra: &str| {
            let p = Params::from_query(&format!(
                "action=query&prop=extracts&explaintext=1&format=json&formatversion=2\
                 &titles=Rust{extra}"
            ));
            json(&r.answer(&w, ask(&p), None))["query"]["pages"][0]["extract"].clone()
        };
        let article = wiki::article_sentences("Rust");
        assert!(article > 10);
        // The whole article: every sentence, the introduction first, then
        // the sections under their headings (`exsectionformat=wiki`).
        let text = whole("");
        let text = text.as_str().unwrap();
        let intro = extract_text("Rust", wiki::intro_sentences("Rust"), 0);
        assert!(
            text.starts_with(&format!("{intro}\n\n\n== History ==\nRust is")),
            "{text}"
        );
        assert!(text.contains(&format!("sentence {article} of")));
        assert!(!text.contains(&format!("sentence {} of", article + 1)));
        let plain = whole("&exsectionformat=plain");
        assert!(plain.as_str().unwrap().contains("\n\n\nHistory\nRust is"));
        let raw = whole("&exsectionformat=raw");
        assert!(
            raw.as_str()
                .unwrap()
                .contains("\n\n\u{1}\u{2}2\u{2}\u{1}History\nRust is")
        );
        assert_eq!(
            whole("&exintro=1"),
            extract_text("Rust", wiki::intro_sentences("Rust"), 0)
        );
    }

    #[test]
    fn redirects_are_followed_only_when_asked() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let followed = json(&r.answer(&w, ask(&params("Einstein", "")), None));
        assert_eq!(followed["query"]["pages"][0]["title"], "Albert Einstein");
        let p = Params::from_query(
            "action=query&prop=extracts&explaintext=1&format=json&formatversion=2\
             &exsentences=5&titles=Einstein",
        );
        let not = json(&r.answer(&w, ask(&p), None));
        assert!(not["query"].get("redirects").is_none());
        assert_eq!(not["query"]["pages"][0]["title"], "Einstein");
        assert_eq!(not["query"]["pages"][0]["extract"], "");
    }

    #[test]
    fn ratelimited_comes_as_mediawiki_sends_it() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let fault = Fault::first(FaultKind::Ratelimited, 1, &["Rust"]);
        for version in ["2", "1"] {
            let p = params("Rust", &format!("&formatversion={version}"));
            let a = r.answer(&w, ask(&p), Some(&fault));
            assert_eq!(a.status, 200);
            assert!(
                a.headers
                    .contains(&("mediawiki-api-error", "ratelimited".into())),
                "{:?}",
                a.headers
            );
            assert!(!a.headers.iter().any(|(k, _)| *k == "retry-after"));
            let e = json(&a);
            assert_eq!(e["error"]["code"], "ratelimited");
            assert_eq!(e["error"]["info"], RATELIMITED_INFO);
            assert!(e.get("query").is_none(), "{e}");
        }
    }

    #[test]
    fn a_gzip_bomb_is_small_and_expands_only_for_gzip_clients() {
        use std::io::Read;
        let (r, w) = (Renderer::default(), Wiki::default());
        let size = (4 << 20) + 12_345;
        let fault = Fault::always(FaultKind::GzipBomb(size), &["Rust"]);
        let p = params("Rust", "");
        let gzip_client = Ask {
            accepts_gzip: true,
            ..ask(&p)
        };
        let a = r.answer(&w, gzip_client, Some(&fault));
        assert_eq!(a.status, 200);
        assert!(a.headers.contains(&("content-encoding", "gzip".into())));
        assert!(a.body.len() < 16 << 10, "{} bytes", a.body.len());
        let mut expanded = Vec::new();
        flate2::read::GzDecoder::new(&a.body[..])
            .read_to_end(&mut expanded)
            .unwrap();
        assert_eq!(expanded.len(), size);
        assert!(expanded.iter().all(|b| *b == b' '));
        // Made once: the second bomb is the same bytes.
        let again = r.answer(&w, gzip_client, Some(&fault));
        assert_eq!(again.body.as_ptr(), a.body.as_ptr());
        // A client that does not accept gzip gets the ordinary answer.
        let plain = r.answer(&w, ask(&p), Some(&fault));
        assert!(!plain.headers.iter().any(|(k, _)| *k == "content-encoding"));
        assert_eq!(json(&plain)["query"]["pages"][0]["title"], "Rust");
    }

    #[test]
    fn maxlag_comes_as_mediawiki_sends_it() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let fault = Fault::first(FaultKind::Maxlag, 1, &["Rust"]);
        let with = |maxlag: &str| {
            let p = params("Rust", &format!("&maxlag={maxlag}"));
            r.answer(&w, ask(&p), Some(&fault))
        };
        let a = with("2");
        assert_eq!(a.status, 200);
        // max(maxlag, 5): never under 5 s.
        assert!(
            a.headers.contains(&("retry-after", "5".into())),
            "{:?}",
            a.headers
        );
        assert!(with("11").headers.contains(&("retry-after", "11".into())));
        assert!(a.headers.contains(&("x-database-lag", "7".into())));
        assert_eq!(
            a.headers
                .iter()
                .filter(|h| **h == ("mediawiki-api-error", "maxlag".into()))
                .count(),
            1
        );
        let e = json(&a);
        assert_eq!(e["error"]["code"], "maxlag");
        assert_eq!(e["error"]["lag"], 7);
        assert_eq!(e["error"]["type"], "db");
        assert!(e["error"]["host"].is_string());
    }

    #[test]
    fn long_keys_count_against_the_cache_bytes() {
        let (r, w) = (Renderer::default(), Wiki::default());
        let long = "x".repeat(crate::api::params::MAX_BODY);
        for i in 0..(CACHE_BYTES / long.len()) + 5 {
            r.answer(&w, ask(&params("Rust", &format!("&pad{i}={long}"))), None);
        }
        let cache = r.cache();
        assert!(
            cache.bytes <= CACHE_BYTES + 2 * long.len(),
            "{}",
            cache.bytes
        );
        assert!(cache.answers.len() < CACHE_BYTES / long.len() + 5);
    }

    #[test]
    fn the_cache_is_bounded() {
        let (r, w) = (Renderer::default(), Wiki::default());
        for i in 0..CACHE_ENTRIES + 5 {
            r.answer(&w, ask(&params(&format!("T{i}"), "")), None);
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
        let batch = |extra: &str| {
            let p = params(&titles, &format!("&exintro=1{extra}"));
            json(&r.answer(&w, ask(&p), None))
        };
        let first = batch("");
        assert_eq!(first["continue"]["excontinue"], 20);
        let second = batch("&excontinue=20");
        assert_eq!(second["batchcomplete"], true);
        let bad = batch("&excontinue=x");
        assert_eq!(bad["error"]["code"], "badinteger");
    }
}
