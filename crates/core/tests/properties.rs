//! Property tests: the parser and `Title` never panic on any input, and a
//! title's percent-encoding decodes back to exactly that title.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use wikifetch_core::{Config, Title, parse_response, request_url};

/// Any JSON value, nested up to a few levels, with keys the parser looks for.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("query".to_owned()),
        Just("pages".to_owned()),
        Just("title".to_owned()),
        Just("extract".to_owned()),
        Just("missing".to_owned()),
        Just("invalid".to_owned()),
        Just("normalized".to_owned()),
        Just("redirects".to_owned()),
        Just("from".to_owned()),
        Just("to".to_owned()),
        Just("error".to_owned()),
        Just("code".to_owned()),
        any::<String>(),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        prop_oneof![Just("X".to_owned()), any::<String>()].prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_never_panics_on_json(value in json_value()) {
        let title = Title::new("X").unwrap();
        let _ = parse_response(&title, value.to_string().as_bytes());
        // The same value wrapped where a real answer has it.
        let wrapped = json!({"query": {"pages": [value.clone()], "normalized": [value]}});
        let _ = parse_response(&title, wrapped.to_string().as_bytes());
    }

    #[test]
    fn parser_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = parse_response(&Title::new("X").unwrap(), &bytes);
    }

    #[test]
    fn title_never_panics_and_keeps_the_spelling(s in any::<String>()) {
        if let Ok(t) = Title::new(&s) {
            prop_assert_eq!(t.as_given(), s.as_str());
            prop_assert!(!t.as_query().is_empty() && t.as_query().len() <= 255);
            prop_assert!(s.contains(t.as_query()));
            prop_assert!(!t.as_query().contains('#'));
        }
    }

    #[test]
    fn encoding_round_trips_through_a_form_decoder(s in any::<String>()) {
        let Ok(title) = Title::new(&s) else { return Ok(()); };
        let url = request_url(&Config::for_api("http://127.0.0.1:1/w/api.php"), &title);
        let query = url.split_once('?').unwrap().1;
        // The mock decodes with the url crate's form decoder, as servers do.
        let titles: Vec<String> = form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k == "titles")
            .map(|(_, v)| v.into_owned())
            .collect();
        prop_assert_eq!(titles, vec![title.as_query().to_owned()]);
    }
}

#[test]
fn huge_strings_and_deep_nesting_are_typed_errors() {
    let title = Title::new("X").unwrap();
    let huge = format!(
        "{{\"query\": {{\"pages\": [{{\"title\": \"X\", \"extract\": \"{}\"}}]}}}}",
        "a".repeat(10_000_000)
    );
    assert_eq!(
        parse_response(&title, huge.as_bytes()).unwrap().text.len(),
        10_000_000
    );
    let deep = format!("{}{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    assert_eq!(
        parse_response(&title, deep.as_bytes()).unwrap_err().kind(),
        "parse"
    );
}
