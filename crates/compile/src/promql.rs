//! Small pieces of PromQL: durations, numbers, label selectors, `$window`.

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

/// The indicator's query for one window: every `$window` replaced.
pub fn with_window(expression: &str, window: &str) -> String {
    expression.trim().replace("$window", window)
}

/// A histogram bucket series as written in `.sla` (`name_bucket{job="api"}`), split into the
/// metric name without `_bucket` and the label matchers inside the braces.
pub fn histogram_parts(series: &str) -> (String, String) {
    let series = series.trim();
    let (name, matchers) = match series.split_once('{') {
        Some((name, rest)) => (name.trim(), rest.trim_end().trim_end_matches('}').trim()),
        None => (series, ""),
    };
    let base = name.strip_suffix("_bucket").unwrap_or(name);
    (base.to_string(), matchers.to_string())
}

/// The matcher of a bucket bound, in seconds. A whole number of seconds is written `1` by some
/// clients and `1.0` by others (and by Prometheus 3), so it matches both; other bounds are
/// written in their shortest form (`0.3`, `2.5`).
pub fn le_matcher(threshold_ms: u64) -> String {
    let bound = number(threshold_ms as f64 / 1000.0);
    if threshold_ms % 1000 == 0 {
        format!("le=~\"{bound}(\\\\.0)?\"")
    } else {
        format!("le=\"{bound}\"")
    }
}

/// `name{matchers, extra}` with the matchers joined.
pub fn selector(name: &str, matchers: &str, extra: &str) -> String {
    let all: Vec<&str> = [matchers, extra]
        .into_iter()
        .filter(|m| !m.is_empty())
        .collect();
    format!("{name}{{{}}}", all.join(","))
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
        assert_eq!(le_matcher(300), "le=\"0.3\"");
        assert_eq!(le_matcher(1000), "le=~\"1(\\\\.0)?\"");
        assert_eq!(le_matcher(2500), "le=\"2.5\"");
        let (name, matchers) = histogram_parts(
            "http_request_duration_seconds_bucket{job=\"api\",route=\"/checkout\"}",
        );
        assert_eq!(name, "http_request_duration_seconds");
        assert_eq!(
            selector(&format!("{name}_bucket"), &matchers, "le=\"0.3\""),
            "http_request_duration_seconds_bucket{job=\"api\",route=\"/checkout\",le=\"0.3\"}"
        );
        assert_eq!(
            with_window(" sum(rate(x[$window])) ", "5m"),
            "sum(rate(x[5m]))"
        );
    }
}
