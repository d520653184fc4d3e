//! A request's parameters, read as MediaWiki's `WebRequest` reads them:
//! the query string, and for a POST its body, either
//! `application/x-www-form-urlencoded` or `multipart/form-data` (what
//! `mwclient` and `requests` send). A name given twice keeps its last
//! value, as PHP's `$_GET`/`$_POST` do, and a body parameter wins over a
//! query one of the same name (`WebRequest`: `$_POST + $_GET`).
//!
//! Bounded: a body past [`MAX_BODY`] bytes is refused before it is read
//! further (the server answers 413), and at most [`MAX_PARAMS`]
//! parameters are kept (PHP's `max_input_vars`, 1000 by default, drops
//! the rest in the same way).

/// The largest request body the mock reads, in bytes. PHP's default
/// `post_max_size` is 8 MiB; a MediaWiki read request is a few hundred
/// bytes, and 50 titles of 255 bytes, percent-encoded, under 40 KiB, so
/// 128 KiB leaves room, and keeps thousands of connections each sending
/// one from taking more than a few hundred MiB.
pub const MAX_BODY: usize = 128 << 10;

/// The most parameters kept from one request (PHP's `max_input_vars`).
pub const MAX_PARAMS: usize = 1000;

/// A request's parameters, in the order sent, names and values decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// The parameters of the query string `query` (without `?`).
    pub fn from_query(query: &str) -> Self {
        let mut params = Self::default();
        params.extend_urlencoded(query.as_bytes());
        params
    }

    /// The parameters of a request: the query string, then the body as its
    /// `content_type` says. A body of another type (JSON, say) is not read,
    /// as MediaWiki does not read it.
    pub fn from_request(query: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Self {
        let mut params = Self::from_query(query.unwrap_or_default());
        let Some(content_type) = content_type else {
            return params;
        };
        let (mime, rest) = content_type
            .split_once(';')
            .map_or((content_type, ""), |(m, r)| (m, r));
        match mime.trim().to_ascii_lowercase().as_str() {
            "application/x-www-form-urlencoded" => params.extend_urlencoded(body),
            "multipart/form-data" => {
                if let Some(boundary) = boundary(rest) {
                    for (name, value) in multipart(body, boundary.as_bytes()) {
                        params.push(name, value);
                    }
                }
            }
            _ => {}
        }
        params
    }

    fn extend_urlencoded(&mut self, bytes: &[u8]) {
        for (k, v) in form_urlencoded::parse(bytes) {
            self.push(k.into_owned(), v.into_owned());
        }
    }

    fn push(&mut self, name: String, value: String) {
        if self.pairs.len() < MAX_PARAMS {
            self.pairs.push((name, value));
        }
    }

    /// The value of `name`: the last one sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` was sent, with any value: how MediaWiki reads a
    /// boolean parameter (`exintro=0` is true too).
    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every name sent, once each, in the order first sent.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for (k, _) in &self.pairs {
            if !names.contains(&k.as_str()) {
                names.push(k);
            }
        }
        names
    }

    /// The pairs, in the order sent.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

/// The `boundary` parameter of a `multipart/form-data` content type's
/// parameters (`; boundary=XYZ`, possibly quoted).
fn boundary(parameters: &str) -> Option<String> {
    parameters.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        // RFC 2046: 1 to 70 characters.
        (!v.is_empty() && v.len() <= 70).then(|| v.to_owned())
    })
}

/// The named fields of a `multipart/form-data` body (RFC 7578): each part
/// between `--boundary` lines, its name from `Content-Disposition`, its
/// value the bytes up to the CRLF before the next delimiter (read as
/// UTF-8, invalid bytes replaced). A part without a name, or a body that
/// ends early, is dropped rather than failing the request.
fn multipart(body: &[u8], boundary: &[u8]) -> Vec<(String, String)> {
    let mut delimiter = b"--".to_vec();
    delimiter.extend_from_slice(boundary);
    let mut fields = Vec::new();
    let Some(first) = find(body, &delimiter) else {
        return fields;
    };
    let mut rest = &body[first + delimiter.len()..];
    loop {
        // `--` after a delimiter ends the body.
        if rest.starts_with(b"--") {
            break;
        }
        let Some(part_start) = find(rest, b"\r\n").map(|i| i + 2) else {
            break;
        };
        rest = &rest[part_start..];
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(&delimiter);
        let Some(end) = find(rest, &closing) else {
            break;
        };
        let part = &rest[..end];
        rest = &rest[end + closing.len()..];
        let Some(split) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let (head, value) = (&part[..split], &part[split + 4..]);
        let head = String::from_utf8_lossy(head);
        let name = head.split("\r\n").find_map(|line| {
            let (k, v) = line.split_once(':')?;
            if !k.trim().eq_ignore_ascii_case("content-disposition") {
                return None;
            }
            v.split(';').find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim() == "name").then(|| v.trim().trim_matches('"').to_owned())
            })
        });
        if let Some(name) = name {
            fields.push((name, String::from_utf8_lossy(value).into_owned()));
        }
        if fields.len() >= MAX_PARAMS {
            break;
        }
    }
    fields
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_value_wins_and_the_body_over_the_query() {
        let p = Params::from_request(
            Some("action=query&titles=A&titles=B&format=xml"),
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            b"format=json&prop=extracts%7Cinfo",
        );
        assert_eq!(p.get("titles"), Some("B"));
        assert_eq!(p.get("format"), Some("json"), "the body wins");
        assert_eq!(p.get("prop"), Some("extracts|info"));
        assert_eq!(p.names(), ["action", "titles", "format", "prop"]);
        assert!(!p.flag("exintro"));
    }

    #[test]
    fn a_multipart_body_is_read_field_by_field() {
        // What `requests` sends for `files=` (mwclient's uploads) and what
        // curl's `-F` sends: CRLF lines, a quoted name, a value that may
        // itself hold CRLF and non-ASCII text.
        let body = "--XyZ\r\n\
             Content-Disposition: form-data; name=\"action\"\r\n\r\n\
             query\r\n\
             --XyZ\r\n\
             content-disposition: form-data; name=\"titles\"\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n\
             Zürich|東京\r\n\
             --XyZ\r\n\
             Content-Disposition: form-data; name=\"text\"\r\n\r\n\
             two\r\nlines\r\n\
             --XyZ--\r\n";
        let p = Params::from_request(
            Some("format=json"),
            Some("multipart/form-data; boundary=\"XyZ\""),
            body.as_bytes(),
        );
        assert_eq!(p.get("action"), Some("query"));
        assert_eq!(p.get("titles"), Some("Zürich|東京"));
        assert_eq!(p.get("text"), Some("two\r\nlines"));
        assert_eq!(p.get("format"), Some("json"));
    }

    #[test]
    fn awkward_bodies_give_what_they_can_and_never_fail() {
        let multipart =
            |body: &[u8]| Params::from_request(None, Some("multipart/form-data; boundary=b"), body);
        // Cut short: the complete part is kept, the cut one dropped.
        let p = multipart(
            b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n2",
        );
        assert_eq!(p.pairs(), [("a".to_owned(), "1".to_owned())]);
        // No boundary in the content type, garbage, empty.
        assert!(
            Params::from_request(None, Some("multipart/form-data"), b"--b\r\n")
                .pairs()
                .is_empty()
        );
        assert!(multipart(b"\xff\xfe garbage").pairs().is_empty());
        assert!(multipart(b"").pairs().is_empty());
        // A part without a name.
        assert!(
            multipart(b"--b\r\nX: y\r\n\r\n1\r\n--b--")
                .pairs()
                .is_empty()
        );
        // A body of a type MediaWiki does not read.
        let json = Params::from_request(Some("a=1"), Some("application/json"), b"{\"b\":2}");
        assert_eq!(json.names(), ["a"]);
    }

    #[test]
    fn at_most_max_params_are_kept() {
        let query = (0..MAX_PARAMS + 10)
            .map(|i| format!("p{i}=1"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(Params::from_query(&query).pairs().len(), MAX_PARAMS);
    }
}
