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

use serde_json::{Map, Value, json};

use crate::wiki::{self, Wiki};
use params::Params;

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
const MODULES: &[Module] = &[Module {
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
}];

/// The `badvalue` error of a single-valued parameter
/// (`paramvalidator-badvalue-enumnotmulti`, as `errorformat=bc` prints it).
pub(crate) fn bad_value(param: &str, value: &str, v2: bool) -> Value {
    wiki::api_error(
        "badvalue",
        &format!("Unrecognized value for parameter \"{param}\": {value}."),
        v2,
    )
}

/// Warnings by module, in the order given; each module's joined with
/// newlines, as the `bc` error formatter does.
#[derive(Debug, Default)]
pub(crate) struct Warnings(Vec<(&'static str, String)>);

impl Warnings {
    /// Adds `text` for `module`.
    pub(crate) fn add(&mut self, module: &'static str, text: String) {
        self.0.push((module, text));
    }

    /// Puts the warnings into `root["warnings"]`, after any already there:
    /// `{"module": {"warnings": "…"}}` in format version 2, `{"*": "…"}`
    /// in 1.
    pub(crate) fn insert_into(self, root: &mut Map<String, Value>, v2: bool) {
        if self.0.is_empty() {
            return;
        }
        let mut modules: Vec<(&'static str, Vec<String>)> = Vec::new();
        for (module, text) in self.0 {
            match modules.iter_mut().find(|(m, _)| *m == module) {
                Some((_, texts)) => texts.push(text),
                None => modules.push((module, vec![text])),
            }
        }
        let entry = root
            .entry("warnings")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(all) = entry.as_object_mut() else {
            return;
        };
        for (module, texts) in modules {
            let text = json!(texts.join("\n"));
            let body = if v2 {
                json!({ "warnings": text })
            } else {
                json!({ "*": text })
            };
            all.insert(module.to_owned(), body);
        }
    }
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
pub(crate) fn answer(wiki: &Wiki, params: &Params, v2: bool) -> Value {
    // Without `action`, MediaWiki prints its help page, which the mock
    // does not have: it names the value it got instead.
    let action = params.get("action").unwrap_or("help");
    if action != "query" {
        return bad_value("action", action, v2);
    }
    let mut warnings = Warnings::default();
    let mut used: Vec<&str> = Vec::new();
    for group in ["prop", "list", "meta"] {
        used.extend(modules(params, group, &mut warnings));
    }
    let flag = if v2 { json!(true) } else { json!("") };
    let mut root = match params.get("titles").filter(|t| !t.is_empty()) {
        Some(titles) => {
            let query = match extracts::query(params, titles, v2, used.contains(&"extracts")) {
                Ok(query) => query,
                Err(error) => return error,
            };
            match wiki.answer_query(&query) {
                Value::Object(root) => root,
                other => return other,
            }
        }
        None => {
            let mut root = Map::new();
            root.insert("batchcomplete".into(), flag);
            root
        }
    };
    if root.contains_key("error") {
        return Value::Object(root);
    }
    let unknown = unrecognized(params, &used);
    if !unknown.is_empty() {
        let noun = if unknown.len() == 1 {
            "parameter"
        } else {
            "parameters"
        };
        warnings.add(
            "main",
            format!("Unrecognized {noun}: {}.", unknown.join(", ")),
        );
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
}
