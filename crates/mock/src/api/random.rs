//! `list=random`: MediaWiki's `ApiQueryRandom` over the mock's listed
//! pages ([`crate::wiki::PAGES`], all in namespace 0): `rnlimit` distinct
//! pages (default 1, 1–500, never more than the wiki lists), each
//! `{"id", "ns", "title"}`, and a `continue.rncontinue` as MediaWiki
//! always gives. Random on every request, so never cached.

use std::hash::BuildHasher;

use serde_json::{Map, Value, json};

use super::Warnings;
use super::extracts::integer;
use super::params::Params;
use crate::wiki::{self, PAGES};

/// A random number, fresh on every call (std's per-map random keys).
fn random(i: usize) -> u64 {
    std::collections::hash_map::RandomState::new().hash_one(i)
}

/// Adds `random` to `query` and its continuation to `root`, or returns the
/// error to answer instead.
pub fn add(
    root: &mut Map<String, Value>,
    query: &mut Map<String, Value>,
    params: &Params,
    v2: bool,
    warnings: &mut Warnings,
) -> Result<(), Value> {
    let mut range = Vec::new();
    let limit = match params.get("rnlimit") {
        None => 1,
        Some("max") => 500,
        Some(v) => integer("rnlimit", v, (1, 500), &mut range)
            .map_err(|info| wiki::api_error("badinteger", &info, v2))?,
    };
    for w in range {
        warnings.add("random", w);
    }
    let mut pool: Vec<&str> = PAGES.to_vec();
    let mut picked = Vec::new();
    for i in 0..(limit as usize).min(pool.len()) {
        let at = (random(i) % pool.len() as u64) as usize;
        let title = pool.swap_remove(at);
        picked.push(json!({"id": wiki::page_id(title), "ns": 0, "title": title}));
    }
    query.insert("random".into(), Value::Array(picked));
    root.insert(
        "continue".into(),
        json!({"rncontinue": format!("0.{:016}|{}", random(999) % 10_000_000_000_000_000, random(998) % 100_000), "continue": "-||"}),
    );
    Ok(())
}
