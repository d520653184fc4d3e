//! Response parsing: a TextExtracts answer, in either format version, into
//! the extract (or the typed reason there is none) for the title we asked for.

use crate::answer::{ApiError, Atom, Mapping, Obj, Page, Pages, Query, Root};
use crate::{FetchError, Title};

/// An article's extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extract {
    /// The page the server answered with, after normalization and redirects
    /// (`Albert_Einstein` → `Albert Einstein`).
    pub page_title: String,
    /// The first sentences of the article, as plain text. Empty for pages
    /// TextExtracts has nothing for (special pages, empty articles).
    pub text: String,
    /// The page is a disambiguation page (its `pageprops` have
    /// `disambiguation`): its text lists other pages ("Python may refer
    /// to:") rather than being about one thing.
    pub disambiguation: bool,
}

impl Extract {
    /// The extract of `page`, answered as `page_title` with `text`, marked
    /// a disambiguation page when its `pageprops` say so: the one place
    /// that rule is read, for one title and for batches alike.
    pub(crate) fn of(page_title: String, text: String, page: &Page<'_>) -> Self {
        let disambiguation = page
            .pageprops
            .get()
            .is_some_and(|props| props.disambiguation.is_set());
        Self {
            page_title,
            text,
            disambiguation,
        }
    }
}

/// `normalized` entries followed one after another for one title: the
/// Unicode one (`fromencoded`) and the title's own (MediaWiki's
/// `ApiPageSet` records at most these two); more only guards a loop.
const MAX_NORMALIZATION_STEPS: usize = 4;

/// Redirect chains longer than this are not followed (MediaWiki itself
/// follows one level; this only guards against a loop in a hostile answer).
const MAX_REDIRECT_HOPS: usize = 8;

/// Parses a response `body` to the query for `requested`.
///
/// Accepts `formatversion=2` (`"pages": [...]`, booleans) and
/// `formatversion=1` (`"pages": {"<id>": ...}`, `"missing": ""`), follows
/// `normalized` and `redirects` from the title we sent to the page, and
/// never panics: any input ends as a value or a typed [`FetchError`].
pub fn parse_response(requested: &Title, body: &[u8]) -> Result<Extract, FetchError> {
    let root = parse_root(body)?;
    let (page_title, page) = page_for(query_of(&root)?, requested, true)?;
    let text = extract_of(page)?.unwrap_or_default();
    Ok(Extract::of(page_title, text, page))
}

/// The answer, or the typed error the body stands for (not JSON, or an API
/// error such as `maxlag`).
pub(crate) fn parse_root(body: &[u8]) -> Result<Root<'_>, FetchError> {
    let root: Obj<Root<'_>> = serde_json::from_slice(body).map_err(|e| FetchError::Malformed {
        message: e.to_string(),
    })?;
    let Obj::Is(root) = root else {
        return Err(unexpected("the answer is not an object"));
    };
    match &root.error {
        Obj::Absent => Ok(root),
        error => Err(api_error(error.get())),
    }
}

/// The answer's `query` object.
pub(crate) fn query_of<'r, 'a>(root: &'r Root<'a>) -> Result<&'r Query<'a>, FetchError> {
    root.query
        .get()
        .ok_or_else(|| unexpected("no \"query\" object"))
}

/// The page that answers `requested` (following `normalized` and
/// `redirects`) and its title, or why there is none: an invalid or
/// missing page, a link to another wiki, or no such page in the answer.
/// `only_title`: the query asked for this title alone, so a single page is
/// its answer even if the server spelled it in a way we did not predict.
pub(crate) fn page_for<'q, 'a>(
    query: &'q Query<'a>,
    requested: &Title,
    only_title: bool,
) -> Result<(String, &'q Page<'a>), FetchError> {
    let mut name = requested.as_query().to_owned();
    // MediaWiki may normalize in two steps, each its own entry: the title
    // made NFC (`fromencoded`), then its spelling (`café` → `Café`).
    for _ in 0..MAX_NORMALIZATION_STEPS {
        if !follow(&mut name, &query.normalized.0) {
            break;
        }
    }
    for _ in 0..MAX_REDIRECT_HOPS {
        if !follow(&mut name, &query.redirects.0) {
            break;
        }
    }
    if let Some(iw) = query
        .interwiki
        .0
        .iter()
        .find(|iw| iw.title.as_str() == Some(&name))
    {
        let prefix = iw.iw.as_str().unwrap_or("another wiki");
        return Err(FetchError::InvalidTitle {
            reason: format!("{name:?} links to {prefix}, not to a page on this wiki"),
        });
    }
    let pages = match &query.pages {
        Pages::Found(pages) => pages,
        Pages::Other => return Err(unexpected("\"pages\" is neither a list nor an object")),
        Pages::Absent => return Err(unexpected("no \"pages\" in the query")),
    };
    let page = pages
        .iter()
        .find(|p| p.title.as_str() == Some(name.as_str()))
        .or(match pages.as_slice() {
            [only] if only_title => Some(only),
            _ => None,
        })
        .ok_or_else(|| unexpected(&format!("no page for {name:?} among {}", pages.len())))?;
    let page_title = page.title.as_str().unwrap_or(&name).to_owned();
    if page.invalid.is_set() {
        let reason = page
            .invalidreason
            .as_str()
            .unwrap_or("the server says the title is invalid");
        return Err(FetchError::InvalidTitle {
            reason: reason.to_owned(),
        });
    }
    if page.missing.is_set() {
        return Err(FetchError::Missing { title: page_title });
    }
    Ok((page_title, page))
}

/// The page's `extract`, or `None` when the answer carries none for it
/// (a page TextExtracts has no text for, or, in a batch, one beyond
/// `exlimit` whose extract comes with a continuation).
pub(crate) fn extract_of(page: &Page<'_>) -> Result<Option<String>, FetchError> {
    match &page.extract {
        Atom::Absent | Atom::Null => Ok(None),
        Atom::Text(s) => Ok(Some(s.clone().into_owned())),
        _ => Err(unexpected("\"extract\" is not a string")),
    }
}

/// The API's error; `None` when `error` is not an object.
fn api_error(error: Option<&ApiError<'_>>) -> FetchError {
    let no_fields = ApiError::default();
    let error = error.unwrap_or(&no_fields);
    let field = |atom: &Atom<'_>| atom.as_str().unwrap_or_default().to_owned();
    let code = field(&error.code);
    FetchError::Api {
        code: if code.is_empty() {
            "unknown".into()
        } else {
            code
        },
        info: field(&error.info),
    }
}

pub(crate) fn unexpected(message: &str) -> FetchError {
    FetchError::Unexpected {
        message: message.to_owned(),
    }
}

/// Follows one `{from, to}` mapping from `name`; true if it moved. A
/// `fromencoded` entry names its `from` percent-encoded.
fn follow(name: &mut String, mappings: &[Mapping<'_>]) -> bool {
    let from_is = |m: &Mapping<'_>| match m.from.as_str() {
        Some(from) if m.fromencoded.is_set() => {
            percent_encoding::percent_decode_str(from)
                .decode_utf8()
                .ok()
                .as_deref()
                == Some(name.as_str())
        }
        from => from == Some(name.as_str()),
    };
    let to = mappings
        .iter()
        .find(|m| from_is(m))
        .and_then(|m| m.to.as_str());
    match to {
        Some(to) if to != name => {
            *name = to.to_owned();
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn parse(title: &str, body: Value) -> Result<Extract, FetchError> {
        parse_response(&Title::new(title).unwrap(), body.to_string().as_bytes())
    }

    fn ok(page_title: &str, text: &str) -> Result<Extract, FetchError> {
        Ok(Extract {
            page_title: page_title.into(),
            text: text.into(),
            disambiguation: false,
        })
    }

    #[test]
    fn a_disambiguation_page_is_a_success_marked_as_such() {
        // The shape pymediawiki's recorded answers have
        // (barrust/mediawiki tests/mock_responses.json): `pageprops` with
        // `disambiguation: ""`, in both format versions.
        for (pages, v) in [
            (
                json!([{"title": "Python", "extract": "Python may refer to:", "pageprops": {"disambiguation": ""}}]),
                2,
            ),
            (
                json!({"1": {"title": "Python", "extract": "Python may refer to:", "pageprops": {"disambiguation": ""}}}),
                1,
            ),
        ] {
            let got = parse("Python", json!({"query": {"pages": pages}})).unwrap();
            assert!(got.disambiguation, "format version {v}");
            assert_eq!(got.text, "Python may refer to:");
        }
        // Other page properties, or none, or a strange value: not marked.
        for props in [json!({"wikibase_item": "Q1"}), json!(null), json!("x")] {
            let body = json!({"query": {"pages": [{"title": "Chess", "extract": "C.", "pageprops": props}]}});
            assert_eq!(parse("Chess", body), ok("Chess", "C."));
        }
    }

    #[test]
    fn formatversion_2_extract() {
        let body = json!({"batchcomplete": true, "query": {"pages": [
            {"pageid": 736, "ns": 0, "title": "Albert Einstein", "extract": "Albert Einstein was…"}
        ]}});
        assert_eq!(
            parse("Albert Einstein", body),
            ok("Albert Einstein", "Albert Einstein was…")
        );
    }

    #[test]
    fn formatversion_1_extract() {
        let body = json!({"batchcomplete": "", "query": {"pages": {
            "736": {"pageid": 736, "ns": 0, "title": "Albert Einstein", "extract": "E."}
        }}});
        assert_eq!(parse("Albert Einstein", body), ok("Albert Einstein", "E."));
    }

    #[test]
    fn missing_in_both_versions() {
        let v2 = json!({"query": {"pages": [{"ns": 0, "title": "Nope", "missing": true}]}});
        let v1 = json!({"query": {"pages": {"-1": {"ns": 0, "title": "Nope", "missing": ""}}}});
        for body in [v2, v1] {
            assert_eq!(
                parse("Nope", body),
                Err(FetchError::Missing {
                    title: "Nope".into()
                })
            );
        }
    }

    #[test]
    fn missing_false_is_not_missing() {
        let body = json!({"query": {"pages": [{"title": "X", "missing": false, "extract": "x"}]}});
        assert_eq!(parse("X", body), ok("X", "x"));
    }

    #[test]
    fn invalid_in_both_versions_carries_the_reason() {
        let reason = "The requested page title contains invalid characters: \"|\".";
        let v2 = json!({"query": {"pages": [{"title": "a|b", "invalidreason": reason, "invalid": true}]}});
        let v1 = json!({"query": {"pages": {"-1": {"title": "a|b", "invalidreason": reason, "invalid": ""}}}});
        for body in [v2, v1] {
            // Title::new would refuse "a|b"; the server's verdict is parsed the same way.
            let requested = Title::new("ab").unwrap();
            let got = parse_response(&requested, body.to_string().as_bytes());
            assert_eq!(
                got,
                Err(FetchError::InvalidTitle {
                    reason: reason.into()
                })
            );
        }
    }

    #[test]
    fn follows_normalization_back_to_the_request() {
        let body = json!({"query": {
        "normalized": [{"fromencoded": false, "from": "Albert_Einstein", "to": "Albert Einstein"}],
        "pages": [
            {"title": "Other", "extract": "wrong"},
            {"title": "Albert Einstein", "extract": "right"}
        ]}});
        assert_eq!(
            parse("Albert_Einstein", body),
            ok("Albert Einstein", "right")
        );
    }

    #[test]
    fn follows_an_encoded_unicode_normalization_then_the_title_s_own() {
        // `cafe` + U+0301 (not NFC): MediaWiki reports the raw title
        // percent-encoded, made NFC, then capitalized, as two entries.
        let body = json!({"query": {
            "normalized": [
                {"fromencoded": true, "from": "cafe%CC%81", "to": "café"},
                {"fromencoded": false, "from": "café", "to": "Café"}
            ],
            "pages": [{"title": "Other", "extract": "no"}, {"title": "Café", "extract": "yes"}]
        }});
        assert_eq!(parse("cafe\u{301}", body), ok("Café", "yes"));
        // Format version 1 writes the flag as "" and leaves it out when false.
        let v1 = json!({"query": {
            "normalized": [
                {"fromencoded": "", "from": "cafe%CC%81", "to": "café"},
                {"from": "café", "to": "Café"}
            ],
            "pages": {"1": {"title": "Other"}, "2": {"title": "Café", "extract": "yes"}}
        }});
        assert_eq!(parse("cafe\u{301}", v1), ok("Café", "yes"));
        // Without the flag, an encoded `from` is a title of its own.
        let plain = json!({"query": {
            "normalized": [{"from": "cafe%CC%81", "to": "café"}],
            "pages": [{"title": "Other"}, {"title": "café", "extract": "no"}]
        }});
        assert!(parse("cafe\u{301}", plain).is_err());
    }

    #[test]
    fn follows_normalization_then_redirect() {
        let body = json!({"query": {
            "normalized": [{"from": "einstein", "to": "Einstein"}],
            "redirects": [{"from": "Einstein", "to": "Albert Einstein"}],
            "pages": {"1": {"title": "Decoy", "extract": "no"}, "736": {"title": "Albert Einstein", "extract": "yes"}}
        }});
        assert_eq!(parse("einstein", body), ok("Albert Einstein", "yes"));
    }

    /// A chain of redirects (`A` → `B` → `C`, as `ApiPageSet` reports a
    /// double redirect) is followed to its end, with a decoy page for the
    /// middle of the chain beside the last.
    #[test]
    fn follows_a_chain_of_redirects_to_its_end() {
        let body = json!({"query": {
            "redirects": [{"from": "A", "to": "B"}, {"from": "B", "to": "C"}],
            "pages": [{"title": "B", "extract": "no"}, {"title": "C", "extract": "yes"}]
        }});
        assert_eq!(parse("A", body), ok("C", "yes"));
    }

    #[test]
    fn redirect_loops_end() {
        let body = json!({"query": {
            "redirects": [{"from": "A", "to": "B"}, {"from": "B", "to": "A"}],
            "pages": [{"title": "A", "extract": "a"}, {"title": "B", "extract": "b"}]
        }});
        assert!(parse("A", body).is_ok());
    }

    #[test]
    fn api_errors_including_maxlag() {
        let body = json!({"error": {"code": "maxlag", "info": "Waiting for 10.0.0.1: 7 seconds lagged.", "host": "db", "lag": 7}, "servedby": "mw1"});
        let err = parse("X", body).unwrap_err();
        assert_eq!(
            err,
            FetchError::Api {
                code: "maxlag".into(),
                info: "Waiting for 10.0.0.1: 7 seconds lagged.".into()
            }
        );
        assert!(err.is_transient());
        let err = parse("X", json!({"error": {"code": "badvalue", "info": "no"}})).unwrap_err();
        assert!(!err.is_transient());
        let err = parse("X", json!({"error": "weird"})).unwrap_err();
        assert_eq!(
            err,
            FetchError::Api {
                code: "unknown".into(),
                info: String::new()
            }
        );
    }

    #[test]
    fn interwiki_titles_are_invalid_here() {
        let body = json!({"query": {"interwiki": [{"title": "fr:Paris", "iw": "fr"}]}});
        assert_eq!(parse("fr:Paris", body).unwrap_err().kind(), "invalid");
    }

    #[test]
    fn page_without_extract_is_empty_text() {
        let body = json!({"query": {"pages": [{"title": "Special:Random", "special": true}]}});
        assert_eq!(parse("Special:Random", body), ok("Special:Random", ""));
    }

    #[test]
    fn malformed_and_truncated_bodies() {
        let t = Title::new("X").unwrap();
        for body in [
            &b""[..],
            b"not json",
            b"{\"query\": {\"pages\": [",
            b"\xff\xfe",
        ] {
            let err = parse_response(&t, body).unwrap_err();
            assert!(matches!(err, FetchError::Malformed { .. }), "{err:?}");
            assert!(err.is_transient());
        }
    }

    #[test]
    fn unexpected_shapes() {
        for body in [
            json!(null),
            json!([]),
            json!({"query": 3}),
            json!({"query": {}}),
            json!({"query": {"pages": "x"}}),
            json!({"query": {"pages": []}}),
            json!({"query": {"pages": [{"title": "A"}, {"title": "B"}]}}),
            json!({"query": {"pages": [{"title": "X", "extract": 5}]}}),
        ] {
            let err = parse("X", body.clone()).unwrap_err();
            assert!(
                matches!(err, FetchError::Unexpected { .. }),
                "{body}: {err:?}"
            );
            assert!(!err.is_transient());
        }
    }

    #[test]
    fn escaped_text_is_unescaped() {
        let text = "Line one.\nA \"quoted\" word, a back\\slash, \u{e9}t\u{e9} and \u{1F600}.";
        let body = format!(
            r#"{{"query":{{"pages":[{{"title":"X","extract":{}}}]}}}}"#,
            // Escape every non-ASCII character too, as PHP's json_encode does.
            serde_json::to_string(text)
                .unwrap()
                .chars()
                .map(|c| match c {
                    c if c.is_ascii() => c.to_string(),
                    c => c
                        .encode_utf16(&mut [0; 2])
                        .iter()
                        .map(|u| format!("\\u{u:04x}"))
                        .collect(),
                })
                .collect::<String>()
        );
        assert!(body.contains("\\u00e9"), "{body}");
        let got = parse_response(&Title::new("X").unwrap(), body.as_bytes());
        assert_eq!(got, ok("X", text));
    }

    #[test]
    fn odd_values_are_read_as_a_value_would_be() {
        // `error` present, whatever its value, is the API's refusal.
        let err = parse("X", json!({"error": null})).unwrap_err();
        assert!(
            matches!(&err, FetchError::Api { code, .. } if code == "unknown"),
            "{err:?}"
        );
        // A page that is not an object is no page; the others still count.
        let body = json!({"query": {"pages": [5, {"title": "X", "extract": "x"}]}});
        assert_eq!(parse("X", body), ok("X", "x"));
        // Fields of the wrong type are absent, not a failed parse.
        let body = json!({"query": {"normalized": 3, "redirects": [7, {"from": 1}],
            "pages": {"12": {"title": "X", "missing": null, "extract": null}}}});
        assert_eq!(parse("X", body), ok("X", ""));
        let body = json!({"query": {"pages": [{"title": "X", "missing": 0}]}});
        assert_eq!(
            parse("X", body),
            Err(FetchError::Missing { title: "X".into() })
        );
    }

    /// A list, an object or a number where a string or a flag belongs is a
    /// wrong value for that one field, read as such: the body is not
    /// malformed (which would be retried, and fail a whole batch), and the
    /// rules decide what it means.
    #[test]
    fn values_of_another_shape_are_read_past_not_a_malformed_body() {
        for extract in [json!([1, 2]), json!({"a": 1}), json!(1.5), json!(-3)] {
            let body = json!({"query": {"pages": [{"title": "X", "extract": extract}]}});
            let err = parse("X", body).unwrap_err();
            assert!(
                matches!(err, FetchError::Unexpected { .. }),
                "extract {extract}: {err:?}"
            );
        }
        // A negative or fractional `missing` is set, as PHP reads it.
        for missing in [json!(-1), json!(1.5)] {
            let body = json!({"query": {"pages": [{"title": "X", "missing": missing}]}});
            assert_eq!(
                parse("X", body),
                Err(FetchError::Missing { title: "X".into() }),
                "missing {missing}"
            );
        }
        // `error` as a list is still the API's refusal.
        let err = parse("X", json!({"error": [1]})).unwrap_err();
        assert!(
            matches!(&err, FetchError::Api { code, .. } if code == "unknown"),
            "{err:?}"
        );
        // Mappings given as an object are no mappings.
        let body = json!({"query": {"normalized": {"0": {"from": "x", "to": "Y"}},
            "pages": [{"title": "X", "extract": "x"}]}});
        assert_eq!(parse("X", body), ok("X", "x"));
    }

    #[test]
    fn a_key_given_twice_is_a_malformed_body() {
        let body = br#"{"query":{"pages":[{"title":"X","extract":"a","extract":"b"}]}}"#;
        let err = parse_response(&Title::new("X").unwrap(), body).unwrap_err();
        assert!(matches!(err, FetchError::Malformed { .. }), "{err:?}");
    }

    #[test]
    fn deeply_nested_input_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        let err = parse_response(&Title::new("X").unwrap(), deep.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), "parse");
    }
}
