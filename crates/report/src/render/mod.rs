//! Turning the analysis into files and tables: Markdown, SVG, CSV, JSON,
//! and the terminal table of `wikifetch compare`.

pub mod format;
pub(crate) mod markdown;
pub mod plot;
pub(crate) mod scale;
pub mod table;
pub mod write;

/// `YYYY-MM-DD HH:MM UTC` for a Unix time.
pub fn utc_date(unix: u64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    i64::try_from(unix)
        .ok()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| format!("{unix} s after the Unix epoch"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_date(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_date(1_795_907_220), "2026-11-28 23:07 UTC");
    }
}
