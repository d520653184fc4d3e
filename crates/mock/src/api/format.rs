//! The output printer, chosen as `ApiMain` chooses it: `format=json`, or
//! `jsonfm` (the same JSON, pretty-printed in an HTML page, and
//! MediaWiki's default when no `format` is sent), and `ApiFormatJson`'s
//! `formatversion` (1, 2, or `latest`, which is 2).
//!
//! MediaWiki has other formats (`xml`, `php`, `rawfm`…); the mock has not,
//! and answers them as MediaWiki answers a format it does not know:
//! `ApiMain::createErrorPrinter` falls back to the default printer
//! (`jsonfm`) and prints the `badvalue` error of the `format` parameter.
//! A client asking for XML thus gets a clear error, never JSON that
//! pretends to be XML.

use serde_json::Value;

use super::params::Params;

/// How an answer is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Printer {
    /// `jsonfm`: pretty JSON in an HTML page.
    pub html: bool,
    /// `formatversion`: 1 or 2.
    pub version: u8,
}

impl Printer {
    /// Format version 2.
    pub fn v2(self) -> bool {
        self.version == 2
    }
}

/// The printer `params` ask for, or the printer to use and the error to
/// print with it when they ask for one the mock does not have.
pub fn printer(params: &Params) -> Result<Printer, (Printer, Value)> {
    let html = match params.get("format") {
        Some("json") => false,
        None | Some("jsonfm") => true,
        Some(other) => {
            let fallback = Printer {
                html: true,
                version: 1,
            };
            return Err((fallback, super::bad_value("format", other, false)));
        }
    };
    let version = match params.get("formatversion") {
        None | Some("1") => 1,
        Some("2" | "latest") => 2,
        Some(other) => {
            let printer = Printer { html, version: 1 };
            return Err((printer, super::bad_value("formatversion", other, false)));
        }
    };
    Ok(Printer { html, version })
}

/// The header `jsonfm` puts above the JSON (`api-format-prettyprint-header`
/// in core's `i18n/api/en.json`, with `$1` = JSON and `$2` = json).
pub const PRETTY_HEADER: &str = "This is the HTML representation of the JSON format. HTML is good \
     for debugging, but is unsuitable for application use.\n\nSpecify the format parameter to \
     change the output format. To see the non-HTML representation of the JSON format, set \
     format=json.\n\nSee the complete documentation, or the API help for more information.";

/// The body and content type of `value` printed by `printer`.
pub fn print(printer: Printer, value: &Value) -> (&'static str, String) {
    if !printer.html {
        return (super::JSON, value.to_string());
    }
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    let page = format!(
        "<!DOCTYPE html>\n<html class=\"client-nojs\" lang=\"en\" dir=\"ltr\">\n<head>\n\
         <meta charset=\"UTF-8\"/>\n<title>MediaWiki API result</title>\n</head>\n\
         <body class=\"mw-body\">\n<div class=\"api-pretty-header\">{}</div>\n\
         <pre class=\"api-pretty-content\">{}</pre>\n</body>\n</html>\n",
        escape(PRETTY_HEADER),
        escape(&pretty)
    );
    ("text/html; charset=utf-8", page)
}

/// `htmlspecialchars`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printer_of(query: &str) -> Result<Printer, (Printer, Value)> {
        printer(&Params::from_query(query))
    }

    #[test]
    fn json_jsonfm_and_the_versions() {
        let p = |q| printer_of(q).unwrap();
        assert_eq!(
            p("format=json"),
            Printer {
                html: false,
                version: 1
            }
        );
        assert_eq!(p("format=json&formatversion=2").version, 2);
        assert_eq!(p("format=json&formatversion=latest").version, 2);
        assert_eq!(p("format=json&formatversion=1").version, 1);
        // No format: MediaWiki's default, jsonfm.
        assert!(p("").html);
        assert!(p("format=jsonfm").html);
    }

    #[test]
    fn an_unknown_format_is_a_badvalue_error_printed_as_jsonfm() {
        let (printer, error) = printer_of("format=xml&formatversion=2").unwrap_err();
        assert!(printer.html);
        assert_eq!(error["error"]["code"], "badvalue");
        assert_eq!(
            error["error"]["info"],
            "Unrecognized value for parameter \"format\": xml."
        );
        let (content_type, page) = print(printer, &error);
        assert!(content_type.starts_with("text/html"));
        assert!(page.contains("Unrecognized value for parameter \\&quot;format\\&quot;: xml."));
        let (_, error) = printer_of("format=json&formatversion=3").unwrap_err();
        assert_eq!(
            error["error"]["info"],
            "Unrecognized value for parameter \"formatversion\": 3."
        );
    }
}
