//! How MediaWiki reads a title from a request, as the mock follows it:
//! `ApiPageSet`'s Unicode normalization, then `Title::newFromText`
//! (`Sanitizer::decodeCharReferencesAndNormalize`) and
//! `MediaWikiTitleCodec::splitTitleString` (spaces, a leading colon,
//! namespace and interwiki prefixes, the fragment, illegal characters,
//! the capital first letter). Written from MediaWiki's rules, not from
//! `wikifetch-core`'s, so that a bug in one shows against the other.

use unicode_normalization::UnicodeNormalization;

/// Characters `$wgLegalTitleChars` leaves out.
const ILLEGAL: &[char] = &['<', '>', '[', ']', '|', '{', '}'];

/// The longest title MediaWiki stores, in bytes (`splitTitleString`).
const MAX_BYTES: usize = 255;

/// The namespaces the mock knows, by canonical name and id, and their
/// aliases (`Image:` is `File:`). Names match case-insensitively.
pub(crate) const NAMESPACES: &[(&str, i32)] = &[
    ("Talk", 1),
    ("User", 2),
    ("User talk", 3),
    ("Wikipedia", 4),
    ("File", 6),
    ("Image", 6),
    ("Template", 10),
    ("Help", 12),
    ("Category", 14),
    ("Special", -1),
];

/// Interwiki prefixes (the interwiki map's), matched case-insensitively.
/// `en` is this wiki's own: it is dropped and the rest read again.
const INTERWIKI: &[&str] = &["fr", "de", "ja", "wikt", "wiktionary", "commons", "meta"];

/// This wiki's own interwiki prefix.
const LOCAL_INTERWIKI: &str = "en";

/// The character references the mock decodes by name (MediaWiki knows
/// every HTML one; an unknown name is left as is and makes the title
/// invalid).
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("uuml", 'ü'),
    ("ouml", 'ö'),
    ("auml", 'ä'),
    ("szlig", 'ß'),
];

/// What a title reads as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A page: its namespace and its full title as MediaWiki prints it
    /// (`Talk:Albert Einstein`).
    Page {
        /// The namespace id: 0 for articles, -1 for special pages.
        ns: i32,
        /// The prefixed title, spaces not underscores.
        title: String,
    },
    /// A link to another wiki: `fr:Paris`.
    Interwiki {
        /// The prefix, lower case.
        iw: String,
        /// The title as MediaWiki prints it (`fr:Paris`).
        title: String,
    },
    /// Not a title: why, in `invalidreason`'s words.
    Invalid(String),
}

/// The title as sent, made NFC: `Some` when that changed it. MediaWiki
/// (`ApiPageSet::handleParamNormalization`) reports the change as a
/// `normalized` entry of its own, with `fromencoded`.
pub fn nfc(raw: &str) -> Option<String> {
    let made: String = raw.nfc().collect();
    (made != raw).then_some(made)
}

/// PHP's `rawurlencode`: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX`,
/// which is how `fromencoded` entries give their `from`.
pub fn rawurlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `Sanitizer::decodeCharReferences`: `&#233;`, `&#xE9;` and the named
/// references the mock knows become characters; anything else stays.
fn decode_references(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let name = &rest[1..end];
            let c = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse::<u32>().ok().and_then(char::from_u32)
            } else {
                ENTITIES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `c` is one of the spaces `splitTitleString` turns into `_`.
fn is_title_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '_' | '\u{a0}' | '\u{1680}' | '\u{180e}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// Bidirectional marks `splitTitleString` strips.
fn is_bidi_mark(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}')
}

/// Spaces of every kind to one space, trimmed; bidi marks gone.
fn spaced(s: &str) -> String {
    let cleaned: String = s.chars().filter(|c| !is_bidi_mark(*c)).collect();
    cleaned
        .split(is_title_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first letter upper case (`$wgCapitalLinks`).
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The prefix before the first `:` of `s`, spaced, and the rest.
fn prefix(s: &str) -> Option<(String, &str)> {
    let (head, rest) = s.split_once(':')?;
    Some((spaced(head), rest))
}

/// Reads a title (already NFC) as MediaWiki does.
pub fn parse(text: &str) -> Parsed {
    let decoded = decode_references(text);
    // The fragment is split off first: `Page#Section` is the page `Page`.
    let page = decoded.split_once('#').map_or(decoded.as_str(), |(p, _)| p);
    let mut rest = spaced(page);
    // A leading colon forces the main namespace.
    if let Some(stripped) = rest.strip_prefix(':') {
        rest = spaced(stripped);
    }
    let mut ns = 0;
    let mut ns_name = None;
    // `en:` is this wiki: dropped, and the rest read again.
    while let Some((head, tail)) = prefix(&rest) {
        if head.eq_ignore_ascii_case(LOCAL_INTERWIKI) {
            rest = spaced(tail);
            continue;
        }
        if let Some((name, id)) = NAMESPACES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&head))
        {
            ns = *id;
            // An alias prints as the namespace's canonical name.
            ns_name = Some(if *id == 6 { "File" } else { *name });
            rest = spaced(tail);
        } else if let Some(iw) = INTERWIKI.iter().find(|p| p.eq_ignore_ascii_case(&head)) {
            let title = spaced(tail);
            return Parsed::Interwiki {
                iw: (*iw).to_owned(),
                title: format!("{iw}:{title}"),
            };
        }
        break;
    }
    if let Some(c) = rest.chars().find(|c| ILLEGAL.contains(c) || c.is_control()) {
        return Parsed::Invalid(format!(
            "The requested page title contains invalid characters: \"{c}\"."
        ));
    }
    if let Some(bad) = percent_escape(&rest).or_else(|| entity_left(&rest)) {
        return Parsed::Invalid(format!(
            "The requested page title contains invalid characters: \"{bad}\"."
        ));
    }
    if rest.is_empty() {
        return Parsed::Invalid(
            "The requested page title is empty or contains only the name of a namespace.".into(),
        );
    }
    let title = match ns_name {
        Some(name) => format!("{name}:{}", capitalized(&rest)),
        None => capitalized(&rest),
    };
    if title.len() > MAX_BYTES {
        return Parsed::Invalid(format!(
            "The requested page title is too long. It must be no longer than {MAX_BYTES} bytes in UTF-8 encoding."
        ));
    }
    Parsed::Page { ns, title }
}

/// The first `%XX` in `s`: MediaWiki refuses it (`rxTc`), as it would be
/// ambiguous with URL encoding.
fn percent_escape(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(2))
        .find(|&i| b[i] == b'%' && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit())
        .map(|i| &s[i..i + 3])
}

/// A character reference left undecoded (`&foo;`), which `rxTc` refuses.
fn entity_left(s: &str) -> Option<&str> {
    let at = s.find('&')?;
    let end = s[at..].find(';')? + at;
    let name = &s[at + 1..end];
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric())).then(|| &s[at..=end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ns: i32, title: &str) -> Parsed {
        Parsed::Page {
            ns,
            title: title.into(),
        }
    }

    #[test]
    fn unicode_is_made_nfc_and_reported_encoded() {
        assert_eq!(nfc("cafe\u{301}").as_deref(), Some("café"));
        assert_eq!(nfc("café"), None);
        assert_eq!(rawurlencode("cafe\u{301} x"), "cafe%CC%81%20x");
    }

    #[test]
    fn spaces_of_every_kind_become_one() {
        assert_eq!(parse("Albert\u{a0}Einstein"), page(0, "Albert Einstein"));
        assert_eq!(parse("東京\u{3000}駅"), page(0, "東京 駅"));
        assert_eq!(parse("  a__b\u{200e} "), page(0, "A b"));
    }

    #[test]
    fn prefixes_namespaces_and_other_wikis() {
        assert_eq!(parse(":Rust"), page(0, "Rust"));
        assert_eq!(parse("talk:rust"), page(1, "Talk:Rust"));
        assert_eq!(parse("Image:Logo.png"), page(6, "File:Logo.png"));
        assert_eq!(parse("Special:Random"), page(-1, "Special:Random"));
        assert_eq!(parse("en:Talk:Rust"), page(1, "Talk:Rust"));
        assert_eq!(
            parse("fr:Paris"),
            Parsed::Interwiki {
                iw: "fr".into(),
                title: "fr:Paris".into()
            }
        );
        // Not a known prefix: part of the title.
        assert_eq!(parse("Star Wars: Andor"), page(0, "Star Wars: Andor"));
        assert!(matches!(parse("Talk:"), Parsed::Invalid(_)));
    }

    #[test]
    fn references_are_decoded_and_escapes_refused() {
        assert_eq!(parse("Caf&eacute;"), page(0, "Café"));
        assert_eq!(parse("&#x41;T&amp;T"), page(0, "AT&T"));
        assert_eq!(parse("AT&T"), page(0, "AT&T"));
        assert!(matches!(parse("Foo%41"), Parsed::Invalid(r) if r.contains("%41")));
        assert!(matches!(parse("A&foo;B"), Parsed::Invalid(r) if r.contains("&foo;")));
        assert!(matches!(parse("100%"), Parsed::Page { .. }));
        assert!(
            matches!(parse("a&lt;b"), Parsed::Invalid(_)),
            "a decoded < is still illegal"
        );
    }
}
