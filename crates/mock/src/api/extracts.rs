//! `prop=extracts` (TextExtracts' `ApiQueryExtracts`): its parameters,
//! read and checked as `ApiBase` checks them, into a [`wiki::Query`].

use serde_json::Value;

use super::params::Params;
use crate::wiki::{self, Query};

/// An integer parameter read as `ApiBase` reads it: not a whole number is
/// the `badinteger` error; outside `min..=max` it is clamped, with the
/// `outofrange` warning (`paramvalidator-outofrange-minmax`).
pub(crate) fn integer(
    name: &str,
    value: &str,
    (min, max): (i64, i64),
    warnings: &mut Vec<String>,
) -> Result<i64, String> {
    let n: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("Invalid value \"{value}\" for integer parameter \"{name}\"."))?;
    if !(min..=max).contains(&n) {
        warnings.push(format!(
            "The value \"{n}\" for parameter \"{name}\" must be between {min} and {max}."
        ));
    }
    Ok(n.clamp(min, max))
}

/// The query for `titles` (as sent, `|`-separated), with the extract
/// parameters read when `extracts` (`prop=extracts`) is asked for; or the
/// error to answer instead.
pub(crate) fn query<'p>(
    params: &'p Params,
    titles: &'p str,
    v2: bool,
    extracts: bool,
) -> Result<Query<'p>, Value> {
    let bad_integer = |info: String| wiki::api_error("badinteger", &info, v2);
    let mut query = Query {
        titles: titles.split('|').collect(),
        redirects: params.flag("redirects"),
        formatversion: if v2 { 2 } else { 1 },
        extracts,
        ..Query::one("", 1, 1)
    };
    query.sentences = None;
    if !extracts {
        return Ok(query);
    }
    let mut warnings = Vec::new();
    if let Some(v) = params.get("exsentences") {
        let n = integer("exsentences", v, (1, 10), &mut warnings).map_err(bad_integer)?;
        query.sentences = u8::try_from(n).ok();
    }
    match params.get("exlimit") {
        None => {}
        Some("max") => query.limit_max = true,
        Some(v) => {
            let max = wiki::MAX_EXTRACTS as i64;
            let n = integer("exlimit", v, (1, max), &mut warnings).map_err(bad_integer)?;
            query.limit = usize::try_from(n).unwrap_or(1);
        }
    }
    if let Some(v) = params.get("excontinue") {
        query.offset = v
            .parse()
            .map_err(|_| bad_integer("excontinue must be a whole number".into()))?;
    }
    query.intro = params.flag("exintro");
    query.warnings = warnings;
    Ok(query)
}
