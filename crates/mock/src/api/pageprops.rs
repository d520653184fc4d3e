//! `prop=pageprops`: MediaWiki's `ApiQueryPageProps`. The mock's pages
//! have two properties: `wikibase_item` (every existing article, a
//! Wikidata id made from its title) and `disambiguation` (the wiki's
//! disambiguation pages, value `""`, as the Disambiguator extension sets
//! it). Values are strings in both format versions; a page with none of
//! the asked properties gets no `pageprops` key.

use serde_json::{Map, Value, json};

/// Which properties `ppprop` asks for: `None` for all.
pub fn parse(ppprop: Option<&str>) -> Option<Vec<String>> {
    ppprop
        .filter(|v| !v.is_empty())
        .map(|v| v.split('|').map(str::to_owned).collect())
}

/// The Wikidata item of `page`.
pub fn wikibase_item(page: &str) -> String {
    format!(
        "Q{}",
        wikifetch_core::stable_hash(&format!("wikidata\u{1}{page}")) % 10_000_000 + 1
    )
}

/// Adds `pageprops` to the existing page `page` when it has any of
/// `wanted` (all with `None`).
pub fn add(page: &mut Value, wanted: Option<&[String]>, disambiguation: bool) {
    if page.get("pageid").is_none() || page.get("missing").is_some() || page["ns"] != json!(0) {
        return;
    }
    let Some(title) = page["title"].as_str() else {
        return;
    };
    let wants = |name: &str| wanted.is_none_or(|w| w.iter().any(|p| p == name));
    let mut props = Map::new();
    if disambiguation && wants("disambiguation") {
        props.insert("disambiguation".into(), json!(""));
    }
    if wants("wikibase_item") {
        props.insert("wikibase_item".into(), json!(wikibase_item(title)));
    }
    if !props.is_empty() {
        page["pageprops"] = Value::Object(props);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_asked_properties_and_only_on_existing_articles() {
        // Shape as in pymediawiki's recorded answers
        // (barrust/mediawiki tests/mock_responses.json):
        // "pageprops": {"disambiguation": "", "wikibase_item": "Q…"}.
        let page = || json!({"pageid": 1, "ns": 0, "title": "Python"});
        let mut all = page();
        add(&mut all, None, true);
        assert_eq!(all["pageprops"]["disambiguation"], "");
        assert!(
            all["pageprops"]["wikibase_item"]
                .as_str()
                .unwrap()
                .starts_with('Q')
        );
        let only = parse(Some("disambiguation"));
        let mut ordinary = json!({"pageid": 2, "ns": 0, "title": "Chess"});
        add(&mut ordinary, only.as_deref(), false);
        assert!(ordinary.get("pageprops").is_none(), "{ordinary}");
        let mut missing = json!({"ns": 0, "title": "Nope", "missing": true});
        add(&mut missing, None, true);
        assert!(missing.get("pageprops").is_none());
    }
}
