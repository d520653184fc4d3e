//! The request URL for one title: every parameter percent-encoded.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::{Config, Title};

/// Bytes left as they are in a query value: RFC 3986's unreserved set.
/// Everything else (`&`, `+`, `%`, `?`, `=`, space, non-ASCII…) is encoded,
/// so `AT&T` cannot split the query and `C++` does not become `C  `.
pub(crate) const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The full TextExtracts query URL for `title`:
/// `action=query&prop=extracts|pageprops&ppprop=disambiguation&exsentences=N&explaintext=1&format=json&formatversion=2&redirects=1`,
/// then `maxlag` when configured, then `titles`. `pageprops` costs no
/// extra request and marks disambiguation pages ([`crate::Extract::disambiguation`]).
pub fn request_url(config: &Config, title: &Title) -> String {
    let mut url = query_prefix(config);
    url.push_str("&titles=");
    url.extend(utf8_percent_encode(title.as_query(), QUERY_VALUE));
    url
}

/// Every parameter but the titles: the API URL, the fixed parameters and
/// `maxlag` when configured. Shared by one-title and batch URLs.
pub(crate) fn query_prefix(config: &Config) -> String {
    let separator = if config.api_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut url = format!(
        "{}{separator}action=query&prop=extracts%7Cpageprops&ppprop=disambiguation\
         &exsentences={}&explaintext=1&format=json&formatversion=2&redirects=1",
        config.api_url, config.exsentences
    );
    if let Some(maxlag) = config.maxlag {
        url.push_str(&format!("&maxlag={maxlag}"));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_for(title: &str) -> String {
        request_url(
            &Config::for_api("http://127.0.0.1:1/w/api.php"),
            &Title::new(title).unwrap(),
        )
    }

    fn titles_param(url: &str) -> &str {
        url.split("&titles=").nth(1).unwrap()
    }

    #[test]
    fn encodes_every_reserved_character() {
        assert_eq!(titles_param(&url_for("AT&T")), "AT%26T");
        assert_eq!(titles_param(&url_for("C++")), "C%2B%2B");
        assert_eq!(titles_param(&url_for("100% (song)")), "100%25%20%28song%29");
        assert_eq!(titles_param(&url_for("Question?")), "Question%3F");
        assert_eq!(titles_param(&url_for("a=b/c;d")), "a%3Db%2Fc%3Bd");
        assert_eq!(
            titles_param(&url_for("Schrödinger equation")),
            "Schr%C3%B6dinger%20equation"
        );
        assert_eq!(titles_param(&url_for("東京")), "%E6%9D%B1%E4%BA%AC");
        assert_eq!(titles_param(&url_for("Albert_Einstein")), "Albert_Einstein");
    }

    #[test]
    fn sends_the_trimmed_title() {
        assert_eq!(titles_param(&url_for("  Rust ")), "Rust");
    }

    #[test]
    fn has_every_fixed_parameter() {
        let url = url_for("X");
        assert_eq!(
            url,
            "http://127.0.0.1:1/w/api.php?action=query&prop=extracts%7Cpageprops\
             &ppprop=disambiguation&exsentences=5&explaintext=1&format=json&formatversion=2\
             &redirects=1&titles=X"
        );
    }

    #[test]
    fn adds_maxlag_for_live_wikipedia() {
        let c = Config::default();
        let url = request_url(&c, &Title::new("X").unwrap());
        assert!(url.starts_with("https://en.wikipedia.org/w/api.php?action=query&"));
        assert!(url.contains("&maxlag=5&"));
    }

    #[test]
    fn keeps_an_existing_query_string() {
        let c = Config::for_api("http://h/api.php?key=1");
        let url = request_url(&c, &Title::new("X").unwrap());
        assert!(url.starts_with("http://h/api.php?key=1&action=query"));
    }
}
