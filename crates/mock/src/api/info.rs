//! `prop=info`: MediaWiki's `ApiQueryInfo`, for the fields clients read:
//! `contentmodel`, `pagelanguage` (with `pagelanguagehtmlcode` and
//! `pagelanguagedir`), `touched`, `lastrevid`, `length`, `redirect`, and
//! with `inprop=url` the `fullurl`, `editurl` and `canonicalurl` of the
//! page on the mock itself. A missing page gets the language and URL
//! fields but no revision ones, as in `ApiQueryInfo::extractPageInfo`.

use serde_json::{Value, json};

/// `touched` of every page: the mock's pages never change.
pub const TOUCHED: &str = "2026-01-01T00:00:00Z";

/// The latest revision of the page `pageid` (at least 2, so that its
/// parent is a revision too).
pub fn last_rev_id(pageid: u64) -> u64 {
    wikifetch_core::stable_hash(&format!("rev\u{1}{pageid}")) % 1_000_000_000 + 2
}

/// What `inprop` asked for that the mock answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InfoProps {
    /// `inprop=url`.
    pub url: bool,
}

impl InfoProps {
    /// `inprop`, `|`-separated; values other than `url` are accepted and
    /// not answered (the mock has no protection, talk ids, watchers…).
    pub fn parse(inprop: Option<&str>) -> Self {
        Self {
            url: inprop.is_some_and(|v| v.split('|').any(|p| p == "url")),
        }
    }
}

/// `wfUrlencode` of a title as a URL path: spaces as `_`, the rest
/// percent-encoded but for the characters MediaWiki leaves (`;@$!*(),/~:`).
fn url_title(title: &str) -> String {
    title
        .replace(' ', "_")
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.;@$!*(),/~:".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Adds `ApiQueryInfo`'s fields to `page` (already listed with `ns`,
/// `title` and, for an existing page, `pageid`). `length` is the whole
/// article's length in bytes; `server` is the mock's own
/// `scheme://host:port`. Invalid and special pages get nothing more.
pub fn add(
    page: &mut Value,
    props: InfoProps,
    server: &str,
    (length, redirect): (usize, bool),
    v2: bool,
) {
    if page.get("invalid").is_some() || page.get("special").is_some() {
        return;
    }
    let Some(title) = page["title"].as_str().map(str::to_owned) else {
        return;
    };
    page["contentmodel"] = json!("wikitext");
    page["pagelanguage"] = json!("en");
    page["pagelanguagehtmlcode"] = json!("en");
    page["pagelanguagedir"] = json!("ltr");
    if let Some(id) = page["pageid"]
        .as_u64()
        .filter(|_| page.get("missing").is_none())
    {
        page["touched"] = json!(TOUCHED);
        page["lastrevid"] = json!(last_rev_id(id));
        page["length"] = json!(length);
        if redirect {
            page["redirect"] = if v2 { json!(true) } else { json!("") };
        }
    }
    if props.url {
        let path = url_title(&title);
        page["fullurl"] = json!(format!("{server}/wiki/{path}"));
        page["editurl"] = json!(format!("{server}/w/index.php?title={path}&action=edit"));
        page["canonicalurl"] = json!(format!("{server}/wiki/{path}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_the_mock_s_own_with_mediawiki_s_encoding() {
        assert_eq!(url_title("AT&T (company)"), "AT%26T_(company)");
        assert_eq!(url_title("Zürich"), "Z%C3%BCrich");
        let mut page = json!({"pageid": 7, "ns": 0, "title": "Albert Einstein"});
        add(
            &mut page,
            InfoProps { url: true },
            "http://127.0.0.1:8080",
            (1234, false),
            true,
        );
        assert_eq!(
            page["fullurl"],
            "http://127.0.0.1:8080/wiki/Albert_Einstein"
        );
        assert_eq!(
            page["editurl"],
            "http://127.0.0.1:8080/w/index.php?title=Albert_Einstein&action=edit"
        );
        assert_eq!(page["length"], 1234);
        assert_eq!(page["touched"], TOUCHED);
        assert!(page["lastrevid"].as_u64().unwrap() > 0);
        // Missing: language and URLs, no revision fields.
        let mut missing = json!({"ns": 0, "title": "Nope", "missing": true});
        add(
            &mut missing,
            InfoProps { url: true },
            "http://h",
            (0, false),
            true,
        );
        assert!(missing.get("lastrevid").is_none() && missing.get("length").is_none());
        assert_eq!(missing["fullurl"], "http://h/wiki/Nope");
        assert_eq!(missing["contentmodel"], "wikitext");
    }
}
