//! `meta=siteinfo`: MediaWiki's `ApiQuerySiteinfo`, for the `siprop`
//! values the Python clients ask: `general` (pymediawiki reads
//! `generator` for the version and `server`/`base` for its base URL;
//! mwclient reads `generator`), `namespaces` (mwclient) and `extensions`
//! (pymediawiki). Other `siprop` values are accepted and not answered.
//! `general.time` is left out: it would make every answer different.

use serde_json::{Map, Value, json};

use crate::title::NAMESPACES;

/// The MediaWiki version the mock says it is.
pub const GENERATOR: &str = "MediaWiki 1.43.0";

/// The site's name.
pub const SITENAME: &str = "Wikifetch mock";

/// Adds what `siprop` asks for to `query`; `server` is the mock's own
/// `scheme://host:port`.
pub fn add(query: &mut Map<String, Value>, siprop: Option<&str>, server: &str, v2: bool) {
    let props: Vec<&str> = siprop.unwrap_or("general").split('|').collect();
    let flag = |yes: bool| if v2 { json!(yes) } else { json!("") };
    if props.contains(&"general") {
        let servername = server.rsplit("//").next().unwrap_or(server);
        let servername = servername.split(':').next().unwrap_or(servername);
        let mut general = json!({
            "mainpage": "Main Page",
            "base": format!("{server}/wiki/Main_Page"),
            "sitename": SITENAME,
            "mainpageisdomainroot": false,
            "logo": "",
            "generator": GENERATOR,
            "phpversion": "8.1.0",
            "phpsapi": "wikifetch-mock",
            "dbtype": "none",
            "dbversion": "0",
            "case": "first-letter",
            "lang": "en",
            "fallback": [],
            "dir": "ltr",
            "server": server,
            "servername": servername,
            "wikiid": "wikifetchmock",
            "articlepath": "/wiki/$1",
            "scriptpath": "/w",
            "script": "/w/index.php",
            "maxarticlesize": 2_097_152,
        });
        if !v2 {
            // Format version 1 leaves false booleans out.
            if let Some(g) = general.as_object_mut() {
                g.remove("mainpageisdomainroot");
            }
        }
        query.insert("general".into(), general);
    }
    if props.contains(&"namespaces") {
        let mut namespaces = Map::new();
        let mut all: Vec<(&str, i32)> = vec![("", 0)];
        all.extend(NAMESPACES.iter().filter(|(n, _)| *n != "Image"));
        all.sort_by_key(|(_, id)| *id);
        for (name, id) in all {
            let mut ns = json!({"id": id, "case": "first-letter"});
            if v2 {
                ns["name"] = json!(name);
                ns["subpages"] = json!(false);
                ns["content"] = json!(id == 0);
                ns["nonincludable"] = json!(false);
            } else {
                ns["*"] = json!(name);
                if id == 0 {
                    ns["content"] = flag(true);
                }
            }
            if id != 0 {
                ns["canonical"] = json!(name);
            }
            namespaces.insert(id.to_string(), ns);
        }
        query.insert("namespaces".into(), Value::Object(namespaces));
    }
    if props.contains(&"extensions") {
        let extension = |name: &str, author: &str| {
            json!({
                "type": "other",
                "name": name,
                "author": author,
                "url": format!("https://www.mediawiki.org/wiki/Extension:{name}"),
                "license-name": "GPL-2.0-or-later",
            })
        };
        query.insert(
            "extensions".into(),
            json!([
                extension("TextExtracts", "Max Semenik"),
                extension("Disambiguator", "Ryan Kaldari"),
            ]),
        );
    }
}
