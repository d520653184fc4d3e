//! `action=parse&prop=sections`: MediaWiki's `ApiParse`, for the one thing
//! the Python clients ask of it, a page's table of contents (the
//! `wikipedia` library's `page.sections`, and mwclient's
//! `site.api('parse', …)`). Each section is listed as
//! `ApiParse::formatSections` lists it: `toclevel`, `level` (a string),
//! `line`, `number`, `index`, `fromtitle`, `byteoffset`, `anchor`,
//! `linkanchor`. Other `prop` values are accepted and not answered.

use serde_json::{Value, json};

use super::params::Params;
use crate::wiki::{self, Wiki};

/// `ApiParse`'s parameters (those the mock reads, and those it accepts).
pub const PARAMS: &[&str] = &[
    "title",
    "text",
    "revid",
    "summary",
    "page",
    "pageid",
    "redirects",
    "oldid",
    "prop",
    "wrapoutputclass",
    "usearticle",
    "parsoid",
    "pst",
    "onlypst",
    "effectivelanglinks",
    "section",
    "sectiontitle",
    "sectionpreview",
    "disablepp",
    "disablelimitreport",
    "disableeditsection",
    "disablestylededuplication",
    "showstrategykeys",
    "generatexml",
    "preview",
    "disabletoc",
    "useskin",
    "contentformat",
    "contentmodel",
    "mobileformat",
    "templatesandboxprefix",
    "templatesandboxtitle",
    "templatesandboxtext",
    "templatesandboxcontentmodel",
    "templatesandboxcontentformat",
];

/// The answer to `action=parse` on `wiki`.
pub fn answer(wiki: &Wiki, params: &Params, v2: bool) -> Value {
    let asked = match (params.get("page"), params.get("pageid")) {
        (Some(page), None) => page.to_owned(),
        (None, Some(id)) => {
            let page = id
                .trim()
                .parse::<u64>()
                .ok()
                .and_then(|id| wiki::PAGES.iter().find(|p| wiki::page_id(p) == id));
            match page {
                Some(page) => (*page).to_owned(),
                None => {
                    return wiki::api_error(
                        "nosuchpageid",
                        &format!("There is no page with ID {id}."),
                        v2,
                    );
                }
            }
        }
        (Some(_), Some(_)) => {
            return wiki::api_error(
                "invalidparammix",
                "The parameters \"page\" and \"pageid\" can not be used together.",
                v2,
            );
        }
        (None, None) => {
            // No page: `ApiParse` parses `text`, which defaults to the
            // empty text, under `title`, which defaults to "API": no
            // sections. (The wikipedia library's `page.sections` sends
            // `titles`, which ApiParse does not read, and gets this on
            // Wikipedia too.) The mock parses no other text.
            let mut parse = json!({"title": "API", "pageid": 0});
            if params
                .get("prop")
                .is_none_or(|p| p.split('|').any(|p| p == "sections"))
            {
                parse["sections"] = json!([]);
            }
            return json!({ "parse": parse });
        }
    };
    let mut title = wiki::normalize(&asked);
    if title.is_empty() {
        return wiki::api_error("invalidtitle", &format!("Bad title \"{asked}\"."), v2);
    }
    let mut redirects = Vec::new();
    if params.flag("redirects") {
        if let Some(target) = wiki.redirects.get(&title) {
            redirects.push(json!({"from": title, "to": target}));
            title = target.clone();
        }
    }
    if wiki.missing.contains(&title) {
        return wiki::api_error("missingtitle", "The page you specified doesn't exist.", v2);
    }
    let mut parse = json!({"title": title, "pageid": wiki::page_id(&title)});
    if !redirects.is_empty() {
        parse["redirects"] = Value::Array(redirects);
    }
    let props = params.get("prop").unwrap_or("text|langlinks|categories|links|templates|images|externallinks|sections|revid|displaytitle|iwlinks|properties|parsewarnings");
    if props.split('|').any(|p| p == "sections") {
        parse["sections"] = Value::Array(sections(&title, wiki.sentence_bytes));
    }
    json!({ "parse": parse })
}

/// The sections of `title`, numbered as the table of contents numbers
/// them (`1`, `1.1`, `2`…), with their offsets in the article's text.
fn sections(title: &str, sentence_bytes: usize) -> Vec<Value> {
    let (intro, sections) = wiki::article(title, sentence_bytes);
    let mut offset = intro.len();
    let (mut major, mut minor) = (0, 0);
    sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let number = if s.level <= 2 {
                major += 1;
                minor = 0;
                major.to_string()
            } else {
                minor += 1;
                format!("{major}.{minor}")
            };
            let bars = "=".repeat(usize::from(s.level));
            let heading = format!("\n\n{bars} {} {bars}\n", s.heading);
            let anchor = s.heading.replace(' ', "_");
            let section = json!({
                "toclevel": s.level.saturating_sub(1),
                "level": s.level.to_string(),
                "line": s.heading,
                "number": number,
                "index": (i + 1).to_string(),
                "fromtitle": title.replace(' ', "_"),
                "byteoffset": offset + 2,
                "anchor": anchor,
                "linkanchor": anchor,
            });
            offset += heading.len() + s.text.len();
            section
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_as_the_wikipedia_library_reads_them() {
        // wikipedia 1.4.0: `[s['line'] for s in request['parse']['sections']]`.
        let p = Params::from_query("action=parse&prop=sections&page=chess&format=json");
        let a = answer(&Wiki::default(), &p, false);
        let sections = a["parse"]["sections"].as_array().unwrap();
        let (_, expected) = wiki::article("Chess", 0);
        assert_eq!(sections.len(), expected.len());
        assert_eq!(sections[0]["line"], "History");
        assert_eq!(sections[0]["number"], "1");
        assert_eq!(sections[1]["number"], "1.1");
        assert_eq!(sections[1]["toclevel"], 2);
        assert_eq!(a["parse"]["title"], "Chess");
        let p = Params::from_query(&format!(
            "action=parse&prop=sections&page={}",
            wiki::MISSING_TITLE
        ));
        assert_eq!(
            answer(&Wiki::default(), &p, true)["error"]["code"],
            "missingtitle"
        );
        let p = Params::from_query("action=parse&prop=sections&page=A&pageid=1");
        assert_eq!(
            answer(&Wiki::default(), &p, true)["error"]["code"],
            "invalidparammix"
        );
        // What wikipedia 1.4.0's `page.sections` sends: `titles`, unread;
        // the empty text titled "API" is parsed.
        let p = Params::from_query("action=parse&prop=sections&titles=Chess");
        let a = answer(&Wiki::default(), &p, false);
        assert_eq!(
            a["parse"],
            json!({"title": "API", "pageid": 0, "sections": []})
        );
    }
}
