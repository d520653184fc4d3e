//! What `ApiPageSet` and `ApiQuery` do with the pages named by id:
//! `pageids=` read as whole numbers, and `indexpageids`.

use serde_json::{Map, Value, json};

use super::params::Params;
use crate::wiki;

/// `pageids`, `|`-separated whole numbers (`badinteger` otherwise).
pub(super) fn page_ids(params: &Params, v2: bool) -> Result<Vec<u64>, Value> {
    let Some(value) = params.get("pageids").filter(|v| !v.is_empty()) else {
        return Ok(Vec::new());
    };
    value
        .split('|')
        .map(|id| {
            id.trim().parse::<u64>().map_err(|_| {
                wiki::api_error(
                    "badinteger",
                    &format!("Invalid value \"{id}\" for integer parameter \"pageids\"."),
                    v2,
                )
            })
        })
        .collect()
}

/// `indexpageids` (`ApiQuery::execute`): `query.pageids`, the keys of the
/// pages as strings in the order listed (a missing or invalid page's
/// negative key in format version 1, and the same numbers in 2), before
/// `pages`.
pub(super) fn index_page_ids(root: &mut Map<String, Value>) {
    let Some(Value::Object(query)) = root.get_mut("query") else {
        return;
    };
    let ids: Vec<Value> = match query.get("pages") {
        Some(Value::Object(pages)) => pages.keys().map(|k| json!(k)).collect(),
        Some(Value::Array(pages)) => {
            let mut negative = 0;
            pages
                .iter()
                .map(|p| match p["pageid"].as_u64() {
                    Some(id) => json!(id.to_string()),
                    None => {
                        negative -= 1;
                        json!(negative.to_string())
                    }
                })
                .collect()
        }
        _ => return,
    };
    let Some(pages) = query.remove("pages") else {
        return;
    };
    query.insert("pageids".into(), Value::Array(ids));
    query.insert("pages".into(), pages);
}
