//! `prop=revisions`, as far as pymediawiki reads it
//! (`prop=extracts|revisions&rvprop=ids`, for `page.content` and
//! `page.sections`): MediaWiki's `ApiQueryRevisions` gives each existing
//! page its latest revision; the mock answers `revid` and `parentid`
//! (`rvprop=ids`, part of the default `ids|timestamp|flags|comment|user`),
//! `timestamp`, and `user` (`MediaWiki default`). The mock has no
//! revision text: `rvprop=content` is accepted and not answered.

use serde_json::{Value, json};

use super::info;

/// Adds `revisions` to the existing page `page` for `rvprop`.
pub fn add(page: &mut Value, rvprop: Option<&str>) {
    let Some(id) = page["pageid"]
        .as_u64()
        .filter(|_| page.get("missing").is_none())
    else {
        return;
    };
    let props: Vec<&str> = rvprop
        .unwrap_or("ids|timestamp|flags|comment|user")
        .split('|')
        .collect();
    let revid = info::last_rev_id(id);
    let mut revision = json!({});
    if props.contains(&"ids") {
        revision["revid"] = json!(revid);
        revision["parentid"] = json!(revid - 1);
    }
    if props.contains(&"user") {
        revision["user"] = json!("MediaWiki default");
    }
    if props.contains(&"timestamp") {
        revision["timestamp"] = json!(info::TOUCHED);
    }
    page["revisions"] = json!([revision]);
}
