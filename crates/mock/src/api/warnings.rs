//! Warnings as MediaWiki's `ApiResult` collects them: by module, each
//! module's joined with newlines (the `bc` error formatter), under
//! `warnings.<module>.warnings` (format version 2) or `.*` (1).

use serde_json::{Map, Value, json};

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
