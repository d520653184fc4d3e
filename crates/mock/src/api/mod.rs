//! The API as MediaWiki's `ApiMain` and `ApiQuery` run it, on the mock's
//! wiki: which parameters a request has ([`params`]), how the answer is
//! printed ([`format`]), which modules it names and what happens to the
//! names and parameters nobody knows (here), and one module per file for
//! the answers.
//!
//! Unknown parameters are not errors in MediaWiki: `ApiMain` warns about
//! them after running the modules (`apiwarn-unrecognizedparams`), and a
//! module name in `prop`, `list` or `meta` that does not exist is dropped
//! with a warning (`paramvalidator-unrecognizedvalues`), because those
//! parameters take several values. A single-valued parameter with a
//! value it does not take (`action`, `format`, `formatversion`,
//! `exsectionformat`) is the `badvalue` error.

pub mod format;
pub mod params;

pub(crate) mod extracts;
pub(crate) mod info;
pub(crate) mod pageprops;
mod pageset;
pub(crate) mod parse;
pub(crate) mod random;
pub(crate) mod revisions;
pub(crate) mod search;
pub(crate) mod siteinfo;
pub(crate) mod userinfo;
mod warnings;

use std::net::IpAddr;

use serde_json::{Map, Value, json};

use crate::wiki::{self, Wiki};
use params::Params;
pub(crate) use warnings::Warnings;

/// The content type of a JSON answer.
pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// `ApiMain`'s own parameters and `ApiFormatJson`'s, which every request
/// may send.
const MAIN_PARAMS: &[&str] = &[
    "action",
    "format",
    "maxlag",
    "smaxage",
    "maxage",
    "assert",
    "assertuser",
    "requestid",
    "servedby",
    "curtimestamp",
    "responselanginfo",
    "origin",
    "uselang",
    "variant",
    "errorformat",
    "errorlang",
    "errorsuselocal",
    "formatversion",
    "callback",
    "utf8",
    "ascii",
];

/// `ApiQuery`'s parameters and `ApiPageSet`'s.
const QUERY_PARAMS: &[&str] = &[
    "prop",
    "list",
    "meta",
    "indexpageids",
    "export",
    "exportnowrap",
    "exportschema",
    "iwurl",
    "continue",
    "rawcontinue",
    "titles",
    "pageids",
    "revids",
    "generator",
    "redirects",
    "converttitles",
];

/// A query submodule the mock has: its group (`prop`, `list`, `meta`),
/// its name, and its parameters (with their prefix).
struct Module {
    group: &'static str,
    name: &'static str,
    params: &'static [&'static str],
}

/// Every query submodule the mock answers.
const MODULES: &[Module] = &[
    Module {
        group: "prop",
        name: "extracts",
        params: &[
            "exchars",
            "exsentences",
            "exlimit",
            "exintro",
            "explaintext",
            "exsectionformat",
            "excontinue",
            "exvariant",
        ],
    },
    Module {
        group: "prop",
        name: "info",
        params: &[
            "inprop",
            "intestactions",
            "intestactionsdetail",
            "intestactionsautocreate",
            "inpreloadcontent",
            "inpreloadnewsection",
            "incontinue",
        ],
    },
    Module {
        group: "prop",
        name: "revisions",
        params: &[
            "rvprop",
            "rvslots",
            "rvlimit",
            "rvcontentformat",
            "rvsection",
            "rvstartid",
            "rvendid",
            "rvstart",
            "rvend",
            "rvdir",
            "rvuser",
            "rvexcludeuser",
            "rvtag",
            "rvcontinue",
            "rvparse",
            "rvdiffto",
            "rvdifftotext",
            "rvgeneratexml",
            "rvexpandtemplates",
        ],
    },
    Module {
        group: "prop",
        name: "pageprops",
        params: &["ppprop", "ppcontinue"],
    },
    Module {
        group: "meta",
        name: "siteinfo",
        params: &[
            "siprop",
            "sifilteriw",
            "sishowalldb",
            "sinumberingroup",
            "siinlanguagecode",
        ],
    },
    Module {
        group: "meta",
        name: "userinfo",
        params: &["uiprop", "uiattachedwiki"],
    },
    Module {
        group: "list",
        name: "search",
        params: &[
            "srsearch",
            "srnamespace",
            "srlimit",
            "sroffset",
            "srqiprofile",
            "srwhat",
            "srinfo",
            "srprop",
            "srinterwiki",
            "srenablerewrites",
            "srsort",
        ],
    },
    Module {
        group: "list",
        name: "random",
        params: &[
            "rnnamespace",
            "rnfilterredir",
            "rnredirect",
            "rnlimit",
            "rncontinue",
        ],
    },
];

/// Whether the answer to `params` may be cached: not when it is random
/// (`list=random`) or names the client (`meta=userinfo`).
pub(crate) fn cacheable(params: &Params) -> bool {
    let names = |group: &str, module: &str| {
        params
            .get(group)
            .is_some_and(|v| v.split('|').any(|m| m == module))
    };
    !names("list", "random") && !names("meta", "userinfo")
}

/// The `badvalue` error of a single-valued parameter
/// (`paramvalidator-badvalue-enumnotmulti`, as `errorformat=bc` prints it).
pub(crate) fn bad_value(param: &str, value: &str, v2: bool) -> Value {
    wiki::api_error(
        "badvalue",
        &format!("Unrecognized value for parameter \"{param}\": {value}."),
        v2,
    )
}

/// The modules of `group` that `params` name and the mock has; a name it
/// has not is dropped with `ApiQuery`'s warning.
fn modules<'p>(params: &'p Params, group: &'static str, warnings: &mut Warnings) -> Vec<&'p str> {
    let Some(value) = params.get(group).filter(|v| !v.is_empty()) else {
        return Vec::new();
    };
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for name in value.split('|') {
        if MODULES.iter().any(|m| m.group == group && m.name == name) {
            if !known.contains(&name) {
                known.push(name);
            }
        } else {
            unknown.push(name);
        }
    }
    if !unknown.is_empty() {
        let values = if unknown.len() == 1 {
            "value"
        } else {
            "values"
        };
        warnings.add(
            "query",
            format!(
                "Unrecognized {values} for parameter \"{group}\": {}.",
                unknown.join(", ")
            ),
        );
    }
    known
}

/// `apiwarn-unrecognizedparams`: "Unrecognized parameter: a." or
/// "Unrecognized parameters: a, b."
fn unrecognized_text(names: &[&str]) -> String {
    let noun = if names.len() == 1 {
        "parameter"
    } else {
        "parameters"
    };
    format!("Unrecognized {noun}: {}.", names.join(", "))
}

/// The parameters no module in use reads (`ApiMain::reportUnusedParams`).
fn unrecognized<'p>(params: &'p Params, used: &[&str]) -> Vec<&'p str> {
    params
        .names()
        .into_iter()
        .filter(|name| {
            !MAIN_PARAMS.contains(name)
                && !QUERY_PARAMS.contains(name)
                && !MODULES
                    .iter()
                    .any(|m| used.contains(&m.name) && m.params.contains(name))
        })
        .collect()
}

/// The answer to `params` (already past the printer's checks): the
/// `query` action's modules on `wiki`, their warnings, and the warnings
/// of `ApiMain` and `ApiQuery`.
pub(crate) fn answer(wiki: &Wiki, params: &Params, v2: bool, client: Option<IpAddr>) -> Value {
    // Without `action`, MediaWiki prints its help page, which the mock
    // does not have: it names the value it got instead.
    let action = params.get("action").unwrap_or("help");
    match action {
        "query" => {}
        "parse" => {
            let mut answer = parse::answer(wiki, params, v2);
            let unknown: Vec<&str> = params
                .names()
                .into_iter()
                .filter(|n| !MAIN_PARAMS.contains(n) && !parse::PARAMS.contains(n))
                .collect();
            if let (false, Some(root)) = (unknown.is_empty(), answer.as_object_mut()) {
                let mut warnings = Warnings::default();
                warnings.add("main", unrecognized_text(&unknown));
                warnings.insert_into(root, v2);
            }
            return answer;
        }
        _ => return bad_value("action", action, v2),
    }
    // The mock has no generators: every name is one it does not know,
    // `generator` being single-valued, the `badvalue` error (rather than
    // the pages of no generator, silently).
    if let Some(generator) = params.get("generator") {
        return bad_value("generator", generator, v2);
    }
    let mut warnings = Warnings::default();
    let mut used: Vec<&str> = Vec::new();
    for group in ["prop", "list", "meta"] {
        used.extend(modules(params, group, &mut warnings));
    }
    let flag = if v2 { json!(true) } else { json!("") };
    let titles = params.get("titles").filter(|t| !t.is_empty());
    let pageids = match pageset::page_ids(params, v2) {
        Ok(ids) => ids,
        Err(error) => return error,
    };
    if titles.is_some() && !pageids.is_empty() {
        // `ApiPageSet`: one way of naming pages per request.
        return wiki::api_error(
            "invalidparammix",
            "The parameters \"titles\" and \"pageids\" can not be used together.",
            v2,
        );
    }
    let mut root = if titles.is_some() || !pageids.is_empty() {
        let mut query = match extracts::query(
            params,
            titles.unwrap_or_default(),
            v2,
            used.contains(&"extracts"),
        ) {
            Ok(query) => query,
            Err(error) => return error,
        };
        if titles.is_none() {
            query.titles.clear();
        }
        query.pageids = pageids;
        if used.contains(&"info") {
            query.info = Some(info::InfoProps::parse(params.get("inprop")));
        }
        if used.contains(&"pageprops") {
            query.pageprops = Some(pageprops::parse(params.get("ppprop")));
        }
        if used.contains(&"revisions") {
            query.revisions = Some(params.get("rvprop").map(str::to_owned));
        }
        match wiki.answer_query(&query) {
            Value::Object(mut root) => {
                if params.flag("indexpageids") {
                    pageset::index_page_ids(&mut root);
                }
                root
            }
            other => return other,
        }
    } else {
        let mut root = Map::new();
        root.insert("batchcomplete".into(), flag);
        root
    };
    if root.contains_key("error") {
        return Value::Object(root);
    }
    let mut query = match root.remove("query") {
        Some(Value::Object(query)) => query,
        _ => Map::new(),
    };
    if used.contains(&"siteinfo") {
        siteinfo::add(&mut query, params.get("siprop"), &wiki.server, v2);
    }
    if used.contains(&"userinfo") {
        let info = userinfo::userinfo(client, params.get("uiprop"), v2);
        query.insert("userinfo".into(), info);
    }
    if used.contains(&"search") {
        let context = (wiki.sentence_bytes, v2);
        if let Err(error) = search::add(&mut root, &mut query, params, context, &mut warnings) {
            return error;
        }
    }
    if used.contains(&"random") {
        if let Err(error) = random::add(&mut root, &mut query, params, v2, &mut warnings) {
            return error;
        }
    }
    if root.contains_key("continue") {
        root.remove("batchcomplete");
    }
    if !query.is_empty() {
        root.insert("query".into(), Value::Object(query));
    }
    let unknown = unrecognized(params, &used);
    if !unknown.is_empty() {
        warnings.add("main", unrecognized_text(&unknown));
    }
    warnings.insert_into(&mut root, v2);
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(query: &str) -> Value {
        let params = Params::from_query(query);
        answer(
            &Wiki::default(),
            &params,
            params.get("formatversion") == Some("2"),
            None,
        )
    }

    #[test]
    fn unknown_parameters_are_warned_about_as_mediawiki_does() {
        // wikipedia 1.4.0's search sends `limit` beside `srlimit`.
        let a = ask("action=query&prop=extracts&titles=Rust&limit=5&formatversion=2");
        assert_eq!(
            a["warnings"]["main"]["warnings"],
            "Unrecognized parameter: limit."
        );
        assert!(a["query"]["pages"][0]["extract"].is_string());
        let a = ask("action=query&titles=Rust&exchars=5&foo=1");
        assert_eq!(
            a["warnings"]["main"]["*"], "Unrecognized parameters: exchars, foo.",
            "a module's parameter is unknown when the module is not asked for"
        );
    }

    #[test]
    fn unknown_module_names_are_dropped_with_a_warning() {
        let a = ask("action=query&prop=extracts|foo&titles=Rust&formatversion=2");
        assert_eq!(
            a["warnings"]["query"]["warnings"],
            "Unrecognized value for parameter \"prop\": foo."
        );
        assert!(a["query"]["pages"][0]["extract"].is_string());
        let a = ask("action=query&list=foo|bar&formatversion=2");
        assert_eq!(
            a["warnings"]["query"]["warnings"],
            "Unrecognized values for parameter \"list\": foo, bar."
        );
        assert_eq!(a["batchcomplete"], true);
    }

    #[test]
    fn an_unknown_action_is_a_badvalue_error() {
        let a = ask("action=frobnicate&formatversion=2");
        assert_eq!(a["error"]["code"], "badvalue");
        assert_eq!(
            a["error"]["info"],
            "Unrecognized value for parameter \"action\": frobnicate."
        );
        assert_eq!(ask("titles=Rust")["error"]["code"], "badvalue");
        assert_eq!(
            ask("action=query&generator=search&gsrsearch=x")["error"]["info"],
            "Unrecognized value for parameter \"generator\": search."
        );
        let a = ask("action=parse&page=Chess&prop=sections&foo=1&format=json");
        assert_eq!(a["parse"]["sections"][0]["line"], "History");
        assert_eq!(a["warnings"]["main"]["*"], "Unrecognized parameter: foo.");
    }

    #[test]
    fn without_prop_extracts_pages_are_listed_without_extracts() {
        let a = ask("action=query&titles=Rust&formatversion=2");
        assert_eq!(a["query"]["pages"][0]["title"], "Rust");
        assert!(a["query"]["pages"][0].get("extract").is_none(), "{a}");
        assert_eq!(a["batchcomplete"], true);
    }

    #[test]
    fn exchars_html_and_their_errors() {
        let q = "action=query&prop=extracts&titles=Chess&formatversion=2";
        let a = ask(&format!("{q}&explaintext=1&exchars=50"));
        let extract = a["query"]["pages"][0]["extract"].as_str().unwrap();
        assert!(
            extract.ends_with("...") && !extract.contains('\n'),
            "{extract}"
        );
        let n = extract.chars().count();
        assert!((53..=70).contains(&n), "{n}: {extract}");
        assert!(a.get("warnings").is_none(), "{a}");
        // Without explaintext: HTML, with TextExtracts' warning.
        let a = ask(&format!("{q}&exintro=1"));
        assert!(
            a["query"]["pages"][0]["extract"]
                .as_str()
                .unwrap()
                .starts_with("<p>Chess ")
        );
        assert_eq!(
            a["warnings"]["extracts"]["warnings"],
            extracts::MALFORMED_HTML
        );
        let a = ask(&format!("{q}&exsentences=2"));
        assert_eq!(
            a["warnings"]["extracts"]["warnings"],
            format!(
                "{}\n{}",
                extracts::MALFORMED_HTML,
                extracts::SENTENCES_AND_HTML
            )
        );
        let a = ask(&format!("{q}&exsentences=2&exchars=10"));
        assert_eq!(a["error"]["code"], "invalidparammix");
        let a = ask(&format!("{q}&exsectionformat=fancy"));
        assert_eq!(
            a["error"]["info"],
            "Unrecognized value for parameter \"exsectionformat\": fancy."
        );
        let a = ask(&format!("{q}&explaintext=1&exchars=5000"));
        assert_eq!(
            a["warnings"]["extracts"]["warnings"],
            "The value \"5000\" for parameter \"exchars\" must be between 1 and 1200."
        );
    }

    #[test]
    fn what_the_wikipedia_library_asks_before_a_summary() {
        // wikipedia 1.4.0's `WikipediaPage.__load`, format version 1.
        let a = ask(
            "action=query&format=json&prop=info|pageprops&inprop=url&ppprop=disambiguation\
             &redirects=&titles=Python",
        );
        let pages = a["query"]["pages"].as_object().unwrap();
        let (key, page) = pages.iter().next().unwrap();
        assert_eq!(key, &crate::wiki::page_id("Python").to_string());
        assert_eq!(page["pageprops"], json!({"disambiguation": ""}));
        assert_eq!(page["fullurl"], "http://127.0.0.1/wiki/Python");
        assert_eq!(page["contentmodel"], "wikitext");
        assert!(page["length"].as_u64().unwrap() > 1000);
        assert!(a.get("warnings").is_none(), "{a}");
        // An ordinary page: no pageprops with only disambiguation asked.
        let a =
            ask("action=query&prop=pageprops&ppprop=disambiguation&titles=Chess&formatversion=2");
        assert!(a["query"]["pages"][0].get("pageprops").is_none(), "{a}");
        let a = ask("action=query&prop=pageprops&titles=Chess&formatversion=2");
        assert!(a["query"]["pages"][0]["pageprops"]["wikibase_item"].is_string());
    }

    #[test]
    fn pageids_and_indexpageids() {
        let id = crate::wiki::page_id("Chess");
        let a = ask(&format!(
            "action=query&pageids={id}|736&indexpageids=1&prop=extracts&explaintext=1&exintro=1\
             &formatversion=2"
        ));
        assert_eq!(a["query"]["pageids"], json!([id.to_string(), "736"]));
        let pages = &a["query"]["pages"];
        assert_eq!(pages[0]["title"], "Chess");
        assert!(
            pages[0]["extract"]
                .as_str()
                .unwrap()
                .starts_with("Chess is")
        );
        assert_eq!(pages[1], json!({"pageid": 736, "missing": true}));
        // Format version 1: keyed by id, the same ids indexed.
        let a = ask(&format!("action=query&pageids={id}|736&indexpageids="));
        assert_eq!(a["query"]["pages"]["736"]["missing"], "");
        assert_eq!(a["query"]["pageids"], json!([id.to_string(), "736"]));
        // With titles: the negative keys of missing pages.
        let a = ask(&format!(
            "action=query&titles=Chess|{}&indexpageids=1",
            crate::wiki::MISSING_TITLE
        ));
        assert_eq!(a["query"]["pageids"], json!([id.to_string(), "-1"]));
        assert_eq!(ask("action=query&pageids=x")["error"]["code"], "badinteger");
        assert_eq!(
            ask("action=query&pageids=1&titles=A")["error"]["code"],
            "invalidparammix"
        );
    }

    #[test]
    fn what_mwclient_and_pymediawiki_ask_first() {
        // mwclient 0.11's `Site.site_init`, format version 1.
        let a = ask(
            "action=query&meta=siteinfo|userinfo&siprop=general|namespaces\
             &uiprop=groups|rights&format=json",
        );
        assert!(a.get("warnings").is_none(), "{a}");
        let q = &a["query"];
        assert_eq!(q["general"]["generator"], siteinfo::GENERATOR);
        assert_eq!(q["namespaces"]["0"]["*"], "");
        assert_eq!(q["namespaces"]["1"]["*"], "Talk");
        assert_eq!(q["userinfo"]["id"], 0);
        assert_eq!(q["userinfo"]["anon"], "");
        assert_eq!(q["userinfo"]["name"], "127.0.0.1");
        assert_eq!(q["userinfo"]["groups"], json!(["*"]));
        assert!(
            q["userinfo"]["rights"]
                .as_array()
                .unwrap()
                .contains(&json!("read"))
        );
        // pymediawiki 0.7's `_get_site_info`: the version from the
        // generator, the base URL from server, the extensions' names.
        let a =
            ask("action=query&meta=siteinfo&siprop=extensions|general&format=json&formatversion=2");
        let general = &a["query"]["general"];
        assert_eq!(
            general["generator"].as_str().unwrap().split(' ').nth(1),
            Some("1.43.0")
        );
        assert!(general["server"].as_str().unwrap().starts_with("http://"));
        assert_eq!(a["query"]["extensions"][0]["name"], "TextExtracts");
        assert_eq!(a["batchcomplete"], true);
    }

    #[test]
    fn search_and_random_over_the_wiki_s_pages() {
        // wikipedia 1.4.0's `search`: srprop empty, srlimit and its stray
        // `limit`.
        let a =
            ask("action=query&list=search&srprop=&srlimit=10&limit=10&srsearch=python&format=json");
        let titles: Vec<&str> = a["query"]["search"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["Python", "Python (programming language)"]);
        assert!(a["query"]["search"][0].get("snippet").is_none());
        assert_eq!(a["query"]["searchinfo"]["totalhits"], 2);
        assert_eq!(a["warnings"]["main"]["*"], "Unrecognized parameter: limit.");
        // Defaults: the four props; paging with sroffset.
        let a = ask("action=query&list=search&srsearch=a&srlimit=2&formatversion=2");
        assert!(
            a["query"]["search"][0]["snippet"]
                .as_str()
                .unwrap()
                .contains("searchmatch")
        );
        assert_eq!(a["continue"]["sroffset"], 2);
        assert!(a.get("batchcomplete").is_none());
        assert_eq!(
            ask("action=query&list=search")["error"]["code"],
            "missingparam"
        );
        // Random: distinct listed pages, never more than there are.
        let a = ask("action=query&list=random&rnlimit=500&formatversion=2");
        let picked = a["query"]["random"].as_array().unwrap();
        assert_eq!(picked.len(), crate::wiki::PAGES.len());
        let mut titles: Vec<&str> = picked
            .iter()
            .map(|p| p["title"].as_str().unwrap())
            .collect();
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(titles.len(), crate::wiki::PAGES.len());
        assert!(a["continue"]["rncontinue"].is_string());
        assert!(!cacheable(&Params::from_query("list=random")));
        assert!(!cacheable(&Params::from_query("meta=siteinfo|userinfo")));
        assert!(cacheable(&Params::from_query("meta=siteinfo&list=search")));
    }

    #[test]
    fn what_pymediawiki_asks_for_a_page_s_content() {
        // pymediawiki 0.7.5's `_pull_content_revision_parent`, format 1.
        let a = ask(
            "action=query&prop=extracts|revisions&explaintext=&rvprop=ids&titles=Chess&format=json",
        );
        let id = crate::wiki::page_id("Chess").to_string();
        let page = &a["query"]["pages"][id.as_str()];
        let revid = page["revisions"][0]["revid"].as_u64().unwrap();
        assert_eq!(page["revisions"][0]["parentid"], revid - 1);
        assert!(
            page["extract"]
                .as_str()
                .unwrap()
                .contains("\n\n\n== History ==\n")
        );
        assert!(a.get("warnings").is_none(), "{a}");
        let info = ask("action=query&prop=info&titles=Chess&format=json");
        assert_eq!(info["query"]["pages"][id.as_str()]["lastrevid"], revid);
    }
}
