//! Small pieces of PromQL: durations, numbers, the series of latency indicators, `$window`.
//! The queries themselves are parsed and rebuilt by `slac-promql`.

use slac_promql::{Histogram, LabelMatcher, MatchOp};

/// A duration in seconds as Prometheus writes it, largest units first (`1h`, `2h24m`, `30d`).
pub(crate) fn duration(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = seconds;
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

/// A number without floating-point noise: at most 12 significant decimals, no trailing zeros
/// (`0.001`, not `0.0010000000000000009`).
pub(crate) fn number(value: f64) -> String {
    let text = format!("{value:.12}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

/// The indicator's query for one window: comments stripped, every `$window` replaced. The query
/// was checked by `slac check` (E015), so it is one whole expression that can be put in
/// parentheses.
pub fn with_window(expression: &str, window: &str) -> String {
    slac_promql::compile_query(expression, window)
}

/// The matcher of a bucket bound, in seconds. A whole number of seconds is written `1` by some
/// clients and `1.0` by others (and by Prometheus 3), so it matches both; other bounds are
/// written in their shortest form (`0.3`, `2.5`).
pub fn le_matcher(threshold_ms: u64) -> LabelMatcher {
    let bound = number(threshold_ms as f64 / 1000.0);
    if threshold_ms % 1000 == 0 {
        LabelMatcher::new("le", MatchOp::Regex, &format!("{bound}(\\.0)?"))
    } else {
        LabelMatcher::new("le", MatchOp::Equal, &bound)
    }
}

/// The series of a latency indicator: the bucket of the threshold and the count, built from the
/// parsed `histogram` selector. `None` for a selector that does not parse (refused by E015).
pub fn latency_series(histogram: &str, threshold_ms: u64) -> Option<LatencySeries> {
    let parsed = Histogram::parse(histogram).ok()?;
    Some(LatencySeries {
        bucket: parsed.bucket(&le_matcher(threshold_ms)),
        count: parsed.count(),
    })
}

/// The two selectors of a latency indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatencySeries {
    /// `name_bucket{matchers, le}`: the requests under the threshold.
    pub bucket: String,
    /// `name_count{matchers}`: all requests.
    pub count: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(duration(3600), "1h");
        assert_eq!(duration(8640), "2h24m");
        assert_eq!(duration(30 * 86_400), "30d");
        assert_eq!(number(14.4 * (1.0 - 0.999)), "0.0144");
        assert_eq!(number((100.0 - 99.9) / 100.0), "0.001");
        assert_eq!(le_matcher(300).to_string(), "le=\"0.3\"");
        assert_eq!(le_matcher(1000).to_string(), "le=~\"1(\\\\.0)?\"");
        assert_eq!(le_matcher(2500).to_string(), "le=\"2.5\"");
        assert_eq!(le_matcher(50).to_string(), "le=\"0.05\"");
        let series = latency_series(
            "http_request_duration_seconds_bucket{job=\"api\",route=\"/checkout\"}",
            300,
        )
        .expect("a selector");
        assert_eq!(
            series.bucket,
            "http_request_duration_seconds_bucket{job=\"api\",route=\"/checkout\",le=\"0.3\"}"
        );
        assert_eq!(
            series.count,
            "http_request_duration_seconds_count{job=\"api\",route=\"/checkout\"}"
        );
        assert_eq!(
            with_window(" sum(rate(x[$window])) # all\n", "5m"),
            "sum(rate(x[5m]))"
        );
    }
}
