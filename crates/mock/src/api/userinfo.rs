//! `meta=userinfo`: MediaWiki's `ApiQueryUserInfo` for an anonymous
//! client, which every client of the mock is: id 0, its IP address as
//! its name, and `anon`; with `uiprop=groups` the group `*`, with
//! `uiprop=rights` what an anonymous reader may do (mwclient reads both).

use std::net::IpAddr;

use serde_json::{Value, json};

/// The rights of an anonymous user on the mock.
pub const ANON_RIGHTS: &[&str] = &["read", "edit", "createpage", "createtalk", "writeapi"];

/// The `userinfo` of the anonymous client at `client`.
pub fn userinfo(client: Option<IpAddr>, uiprop: Option<&str>, v2: bool) -> Value {
    let name = client.map_or_else(|| "127.0.0.1".to_owned(), |ip| ip.to_string());
    let mut info = json!({"id": 0, "name": name});
    info["anon"] = if v2 { json!(true) } else { json!("") };
    let props: Vec<&str> = uiprop.unwrap_or_default().split('|').collect();
    if props.contains(&"groups") {
        info["groups"] = json!(["*"]);
    }
    if props.contains(&"rights") {
        info["rights"] = json!(ANON_RIGHTS);
    }
    info
}
