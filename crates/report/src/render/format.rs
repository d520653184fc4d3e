//! How figures are written: one place for units and precision.

/// `215.3 ms`, `2.151 s`, `812 µs`.
pub fn time(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// Microseconds to three significant figures: `1.23 µs`, `45.6 µs`, `789 µs`, `1230 µs`.
pub fn us3(s: f64) -> String {
    let us = s * 1e6;
    if us <= 0.0 {
        return "0 µs".into();
    }
    // Whole digits before the point, at least 1.
    let digits = (us.log10().floor() as i32 + 1).max(1);
    let decimals = usize::try_from((3 - digits).max(0)).unwrap_or(0);
    if digits > 3 {
        let scale = 10f64.powi(digits - 3);
        format!("{:.0} µs", (us / scale).round() * scale)
    } else {
        format!("{us:.decimals$} µs")
    }
}

/// A ratio to two decimals, or `–`.
pub fn ratio(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.2}"))
}

/// A latency spec as a reader says it: `20ms` → "a 20 ms delay",
/// `0` → "no delay".
pub fn delay_words(spec: &str) -> String {
    if spec == "0" {
        return "no delay".into();
    }
    let spaced = |s: &str| {
        let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
        let (n, unit) = s.split_at(split);
        let unit = if unit == "us" { "µs" } else { unit };
        format!("{n} {unit}")
    };
    if let Some(rest) = spec.strip_prefix("lognormal:") {
        let (median, p99) = rest.split_once(",p99=").unwrap_or((rest, "?"));
        return format!(
            "log-normal delays, median {}, p99 {}",
            spaced(median),
            spaced(p99)
        );
    }
    if let Some(rest) = spec.strip_prefix("uniform:") {
        let (low, high) = rest.split_once("..").unwrap_or((rest, "?"));
        return format!("uniform delays from {} to {}", spaced(low), spaced(high));
    }
    format!("a {} delay", spaced(spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_figures_of_microseconds() {
        assert_eq!(us3(1.234e-6), "1.23 µs");
        assert_eq!(us3(45.67e-6), "45.7 µs");
        assert_eq!(us3(789.4e-6), "789 µs");
        assert_eq!(us3(1234.0e-6), "1230 µs");
        assert_eq!(us3(0.0), "0 µs");
    }

    #[test]
    fn times_pick_their_unit() {
        assert_eq!(time(2.1514), "2.151 s");
        assert_eq!(time(0.2153), "215.3 ms");
        assert_eq!(time(0.000812), "812 µs");
    }

    #[test]
    fn delays_in_words() {
        assert_eq!(delay_words("0"), "no delay");
        assert_eq!(delay_words("20ms"), "a 20 ms delay");
        assert_eq!(delay_words("250us"), "a 250 µs delay");
        assert_eq!(
            delay_words("lognormal:20ms,p99=200ms"),
            "log-normal delays, median 20 ms, p99 200 ms"
        );
        assert_eq!(
            delay_words("uniform:10ms..30ms"),
            "uniform delays from 10 ms to 30 ms"
        );
    }
}
