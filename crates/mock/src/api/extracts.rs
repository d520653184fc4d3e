//! `prop=extracts` (TextExtracts' `ApiQueryExtracts`): its parameters,
//! read and checked as `ApiBase` checks them, into a [`wiki::Query`].

use serde_json::Value;

use super::params::Params;
use crate::wiki::{self, Query, SectionFormat};

/// An integer parameter read as `ApiBase` reads it: not a whole number is
/// the `badinteger` error; outside `min..=max` it is clamped, with the
/// `outofrange` warning (`paramvalidator-outofrange-minmax`).
pub(crate) fn integer(
    name: &str,
    value: &str,
    (min, max): (i64, i64),
    warnings: &mut Vec<String>,
) -> Result<i64, String> {
    let n: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("Invalid value \"{value}\" for integer parameter \"{name}\"."))?;
    if !(min..=max).contains(&n) {
        warnings.push(format!(
            "The value \"{n}\" for parameter \"{name}\" must be between {min} and {max}."
        ));
    }
    Ok(n.clamp(min, max))
}

/// The query for `titles` (as sent, `|`-separated), with the extract
/// parameters read when `extracts` (`prop=extracts`) is asked for; or the
/// error to answer instead.
pub(crate) fn query<'p>(
    params: &'p Params,
    titles: &'p str,
    v2: bool,
    extracts: bool,
) -> Result<Query<'p>, Value> {
    let bad_integer = |info: String| wiki::api_error("badinteger", &info, v2);
    let mut query = Query {
        titles: titles.split('|').collect(),
        redirects: params.flag("redirects"),
        formatversion: if v2 { 2 } else { 1 },
        extracts,
        ..Query::one("", 1, 1)
    };
    query.sentences = None;
    if !extracts {
        return Ok(query);
    }
    let mut warnings = Vec::new();
    if let Some(v) = params.get("exsentences") {
        let n = integer("exsentences", v, (1, 10), &mut warnings).map_err(bad_integer)?;
        query.sentences = u8::try_from(n).ok();
    }
    match params.get("exlimit") {
        None => {}
        Some("max") => query.limit_max = true,
        Some(v) => {
            let max = wiki::MAX_EXTRACTS as i64;
            let n = integer("exlimit", v, (1, max), &mut warnings).map_err(bad_integer)?;
            query.limit = usize::try_from(n).unwrap_or(1);
        }
    }
    if let Some(v) = params.get("exchars") {
        if params.get("exsentences").is_some() {
            // `ApiBase::requireMaxOneParameter` (`apierror-invalidparammix`).
            return Err(wiki::api_error(
                "invalidparammix",
                "The parameters \"exchars\" and \"exsentences\" can not be used together.",
                v2,
            ));
        }
        let n = integer("exchars", v, (1, 1200), &mut warnings).map_err(bad_integer)?;
        query.chars = usize::try_from(n).ok();
    }
    query.sectionformat = match params.get("exsectionformat") {
        None | Some("wiki") => SectionFormat::Wiki,
        Some("plain") => SectionFormat::Plain,
        Some("raw") => SectionFormat::Raw,
        Some(other) => return Err(super::bad_value("exsectionformat", other, v2)),
    };
    query.plaintext = params.flag("explaintext");
    if !query.plaintext {
        warnings.push(MALFORMED_HTML.to_owned());
        if query.sentences.is_some() {
            warnings.push(SENTENCES_AND_HTML.to_owned());
        }
    }
    if let Some(v) = params.get("excontinue") {
        query.offset = v
            .parse()
            .map_err(|_| bad_integer("excontinue must be a whole number".into()))?;
    }
    query.intro = params.flag("exintro");
    query.warnings = warnings;
    Ok(query)
}

/// TextExtracts' section markers in plain text before `exsectionformat`
/// is applied (`ExtractFormatter::SECTION_MARKER_START` and `_END`).
const MARKER_START: &str = "\u{1}\u{2}";
const MARKER_END: &str = "\u{2}\u{1}";

/// What TextExtracts appends to a text cut by `exchars` (the `ellipsis`
/// message, in English).
pub const ELLIPSIS: &str = "...";

/// TextExtracts' warning for every HTML extract
/// (`apiwarn-textextracts-malformed-html`, TextExtracts' `i18n/api/en.json`).
pub const MALFORMED_HTML: &str = "HTML may be malformed and/or unbalanced and may omit inline \
     images. Use at your own risk. Known problems are listed at \
     https://www.mediawiki.org/wiki/Special:MyLanguage/Extension:TextExtracts#Caveats.";

/// TextExtracts' warning for `exsentences` on an HTML extract
/// (`apiwarn-textextracts-sentences-and-html`, `<var>` printed as quotes).
pub const SENTENCES_AND_HTML: &str =
    "The \"exsentences\" parameter may have unexpected results when used in HTML mode.";

/// The extract of the good page `page` for `q`, as `ApiQueryExtracts`
/// makes it: the text (plain, or HTML without `explaintext`), with
/// section markers in a whole article's plain text; cut by `exchars`
/// (`TextTruncator::getFirstChars`); then the markers written as
/// `exsectionformat` says (`doSections`, plain text only).
///
/// Simplification: a sentence-limited extract (`exsentences`) is taken
/// from the introduction's sentences on, without the headings a real
/// article would have between them.
pub(crate) fn text(page: &str, q: &Query<'_>, sentence_bytes: usize) -> String {
    let whole = q.sentences.is_none() && !q.intro;
    let full = match (whole, q.plaintext) {
        (true, true) => {
            let (mut text, sections) = wiki::article(page, sentence_bytes);
            for s in sections {
                // `ExtractFormatter::onHtmlReady`: two newlines, the
                // marker with the level, then the heading's line.
                text.push_str(&format!(
                    "\n\n{MARKER_START}{}{MARKER_END}{}\n{}",
                    s.level, s.heading, s.text
                ));
            }
            text
        }
        (true, false) => {
            let (intro, sections) = wiki::article(page, sentence_bytes);
            let mut html = format!("<p>{}</p>", escape(&intro));
            for s in sections {
                html.push_str(&format!(
                    "\n<h{l}><span id=\"{id}\">{h}</span></h{l}>\n<p>{t}</p>",
                    l = s.level,
                    id = s.heading.replace(' ', "_"),
                    h = escape(&s.heading),
                    t = escape(&s.text),
                ));
            }
            html
        }
        (false, plain) => {
            let sentences = q.sentences.unwrap_or(u8::MAX);
            let text = wiki::extract_for(page, sentences, q.intro, sentence_bytes);
            if plain {
                text
            } else {
                format!("<p>{}</p>", escape(&text))
            }
        }
    };
    let cut = match q.chars {
        Some(chars) => first_chars(&full, chars, q.plaintext),
        None => full,
    };
    if q.plaintext {
        sections(&cut, q.sectionformat)
    } else {
        cut
    }
}

/// Whether PCRE's `\w` (with `/u`, which PHP makes Unicode-aware) or `/`
/// matches `c`: what `getFirstChars` lets a cut word run on through.
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '/'
}

/// `TextTruncator::getFirstChars`: the first `chars` characters, the rest
/// of the word they end in (`[\w/]*>?`), trimmed (and for HTML, its open
/// tags closed, as tidy does), then [`ELLIPSIS`]; the text unchanged if it
/// is no longer than `chars`, or if the cut one would not be shorter.
pub fn first_chars(text: &str, chars: usize, plaintext: bool) -> String {
    if chars == 0 {
        return if text.is_empty() {
            String::new()
        } else {
            ELLIPSIS.to_owned()
        };
    }
    let length = text.chars().count();
    if length <= chars {
        return text.to_owned();
    }
    let split = text
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i);
    let (head, rest) = text.split_at(split);
    let mut word_end = rest
        .char_indices()
        .find(|(_, c)| !word_char(*c))
        .map_or(rest.len(), |(i, _)| i);
    if rest[word_end..].starts_with('>') {
        word_end += 1;
    }
    let truncated = format!("{head}{}", &rest[..word_end]);
    if truncated == text {
        return text.to_owned();
    }
    let tidied = if plaintext {
        truncated.trim().to_owned()
    } else {
        close_tags(truncated.trim())
    };
    let cut = format!("{tidied}{ELLIPSIS}");
    if cut.chars().count() < length {
        cut
    } else {
        text.to_owned()
    }
}

/// What tidy does to the mock's HTML cut short: a tag cut in the middle
/// is dropped, and the tags left open are closed, innermost first.
fn close_tags(html: &str) -> String {
    let mut html = html.to_owned();
    if let Some(open) = html.rfind('<') {
        if !html[open..].contains('>') {
            html.truncate(open);
        }
    }
    let mut open: Vec<String> = Vec::new();
    let mut rest = html.as_str();
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start + 1..start + len];
        if let Some(name) = tag.strip_prefix('/') {
            if let Some(at) = open.iter().rposition(|t| t == name) {
                open.truncate(at);
            }
        } else if let Some(name) = tag.split_whitespace().next() {
            open.push(name.to_owned());
        }
        rest = &rest[start + len + 1..];
    }
    let mut closed = html.trim_end().to_owned();
    for name in open.iter().rev() {
        closed.push_str(&format!("</{name}>"));
    }
    closed
}

/// `ApiQueryExtracts::doSections`: each marker and the heading after it,
/// to the end of its line, written as `format` says: `\n== Heading ==`
/// (`=` repeated by the level), `\nHeading`, or left as it is (`raw`).
fn sections(text: &str, format: SectionFormat) -> String {
    if format == SectionFormat::Raw || !text.contains(MARKER_START) {
        return text.to_owned();
    }
    text.split('\n')
        .map(|line| {
            let Some(after) = line.strip_prefix(MARKER_START) else {
                return line.to_owned();
            };
            let mut chars = after.chars();
            let (Some(level), Some(heading)) = (
                chars.next().and_then(|c| c.to_digit(10)),
                chars.as_str().strip_prefix(MARKER_END),
            ) else {
                return line.to_owned();
            };
            let heading = heading.trim();
            match format {
                SectionFormat::Plain => format!("\n{heading}"),
                _ => {
                    let bars = "=".repeat(level as usize);
                    format!("\n{bars} {heading} {bars}")
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `htmlspecialchars`, for the mock's own HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchars_cuts_at_the_end_of_a_word_then_adds_the_ellipsis() {
        let text = "Chess is a board game for two players. It is played on a square board.";
        // 50 characters end inside "played": the word is finished, then "...".
        let cut = first_chars(text, 50, true);
        assert_eq!(
            cut,
            "Chess is a board game for two players. It is played..."
        );
        // Smaller than the first word: the word, whole.
        assert_eq!(first_chars(text, 2, true), "Chess...");
        // A cut just after a space runs on through the next word
        // (`[\w/]*` matches from there); a cut just before one is trimmed.
        assert_eq!(first_chars(text, 6, true), "Chess is...");
        assert_eq!(first_chars("Chess  game of kings", 6, true), "Chess...");
        // Not shorter than the text: the text.
        assert_eq!(first_chars(text, 500, true), text);
        assert_eq!(first_chars("Chess game", 8, true), "Chess game");
    }

    #[test]
    fn exchars_counts_characters_not_bytes() {
        // Multibyte text: 5 characters of 東京駅前広場 are cut in a word
        // of letters, which runs on to the end; never a split character.
        let text = "東京駅前広場 は とても 大きい です";
        assert_eq!(first_chars(text, 5, true), "東京駅前広場...");
        let text = "Zürich naïve café";
        assert_eq!(first_chars(text, 8, true), "Zürich naïve...");
        for n in 1..text.chars().count() + 2 {
            let _ = first_chars(text, n, true);
        }
    }

    #[test]
    fn html_cut_short_is_closed_again() {
        let html = "<p>Rust is a language.</p>\n<h2><span id=\"History\">History</span></h2>";
        let cut = first_chars(html, 10, false);
        assert_eq!(cut, "<p>Rust is</p>...");
        let cut = first_chars(html, 30, false);
        assert_eq!(cut, "<p>Rust is a language.</p>\n<h2></h2>...");
    }

    #[test]
    fn section_formats() {
        let raw = format!(
            "Intro.\n\n{MARKER_START}2{MARKER_END}History\nText.\n\n{MARKER_START}3{MARKER_END}Early years\nMore."
        );
        assert_eq!(
            sections(&raw, SectionFormat::Wiki),
            "Intro.\n\n\n== History ==\nText.\n\n\n=== Early years ===\nMore."
        );
        assert_eq!(
            sections(&raw, SectionFormat::Plain),
            "Intro.\n\n\nHistory\nText.\n\n\nEarly years\nMore."
        );
        assert_eq!(sections(&raw, SectionFormat::Raw), raw);
    }
}
