use serde::Serialize;
use std::fmt;

/// A length of time as written in `.sla`: a sum of `<int><unit>` with units `ms s m h d w`
/// (`1h30m`), or `<int>bd`, a number of business days (language reference §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Duration {
    /// Milliseconds of (open) time.
    Millis(u64),
    BusinessDays(u32),
}

impl Duration {
    pub fn parse(text: &str) -> Result<Self, String> {
        let overflow = || format!("`{text}` is too long a duration");
        if let Some(days) = text.strip_suffix("bd") {
            let days: u32 = days.parse().map_err(|_| overflow())?;
            return Ok(Duration::BusinessDays(days));
        }
        let mut total: u64 = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(format!(
                    "`{text}` is not a duration: write e.g. `30m`, `1h30m` or `2bd`"
                ));
            }
            let value: u64 = rest[..digits].parse().map_err(|_| overflow())?;
            rest = &rest[digits..];
            let (unit_ms, unit_len) = if rest.starts_with("ms") {
                (1, 2)
            } else {
                let unit = match rest.chars().next() {
                    Some('s') => 1_000,
                    Some('m') => 60_000,
                    Some('h') => 3_600_000,
                    Some('d') => 86_400_000,
                    Some('w') => 604_800_000,
                    _ => return Err(format!("`{text}` has no unit: use ms, s, m, h, d, w or bd")),
                };
                (unit, 1)
            };
            rest = &rest[unit_len..];
            total = value
                .checked_mul(unit_ms)
                .and_then(|ms| total.checked_add(ms))
                .ok_or_else(overflow)?;
        }
        // Beyond about 31,000 years no date arithmetic can use it.
        if total > 1_000_000_000_000_000 {
            return Err(overflow());
        }
        Ok(Duration::Millis(total))
    }

    pub fn is_zero(self) -> bool {
        matches!(self, Duration::Millis(0) | Duration::BusinessDays(0))
    }

    pub fn as_millis(self) -> Option<u64> {
        match self {
            Duration::Millis(ms) => Some(ms),
            Duration::BusinessDays(_) => None,
        }
    }
}

impl fmt::Display for Duration {
    /// The canonical form: largest units first (`1h30m`, `2bd`, `300ms`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Duration::BusinessDays(days) => write!(f, "{days}bd"),
            Duration::Millis(0) => f.write_str("0s"),
            Duration::Millis(mut ms) => {
                for (unit, size) in [
                    ("d", 86_400_000),
                    ("h", 3_600_000),
                    ("m", 60_000),
                    ("s", 1_000),
                    ("ms", 1),
                ] {
                    if ms >= size {
                        write!(f, "{}{unit}", ms / size)?;
                        ms %= size;
                    }
                }
                Ok(())
            }
        }
    }
}

/// Whether a duration as written counts calendar days or weeks (`2d`, `1w`), which on a business
/// calendar usually means business days were meant.
pub fn has_calendar_day_units(text: &str) -> bool {
    !text.ends_with("bd") && text.contains(['d', 'w'])
}

/// The period over which an objective is measured: rolling, or aligned on the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    Rolling(Duration),
    Week,
    Month,
    Quarter,
    Year,
}

impl Window {
    pub const NAMES: [&'static str; 4] = ["week", "month", "quarter", "year"];

    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "week" => Window::Week,
            "month" => Window::Month,
            "quarter" => Window::Quarter,
            "year" => Window::Year,
            _ => return None,
        })
    }

    /// The window's length in seconds for budget and burn-rate arithmetic: a rolling window's
    /// own length (a business day counts as a day), and the usual length of a calendar-aligned
    /// one: 7 days for `week`, 30 for `month`, 90 for `quarter`, 365 for `year`.
    pub fn nominal_seconds(self) -> u64 {
        match self {
            Window::Rolling(Duration::Millis(ms)) => ms.div_ceil(1000),
            Window::Rolling(Duration::BusinessDays(days)) => u64::from(days) * 86_400,
            Window::Week => 7 * 86_400,
            Window::Month => 30 * 86_400,
            Window::Quarter => 90 * 86_400,
            Window::Year => 365 * 86_400,
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Rolling(duration) => duration.fmt(f),
            Window::Week => f.write_str("week"),
            Window::Month => f.write_str("month"),
            Window::Quarter => f.write_str("quarter"),
            Window::Year => f.write_str("year"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_sum_their_parts() {
        assert_eq!(Duration::parse("1h30m"), Ok(Duration::Millis(5_400_000)));
        assert_eq!(Duration::parse("300ms"), Ok(Duration::Millis(300)));
        assert_eq!(Duration::parse("2bd"), Ok(Duration::BusinessDays(2)));
        assert_eq!(
            Duration::parse("30d").map(|d| d.to_string()),
            Ok("30d".into())
        );
        assert_eq!(
            Duration::parse("90m").map(|d| d.to_string()),
            Ok("1h30m".into())
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert!(Duration::parse("99999999999999999999h").is_err());
        assert!(Duration::parse("9999999999999h").is_err());
        assert!(Duration::parse("99999999999bd").is_err());
    }

    #[test]
    fn calendar_day_units_are_spotted() {
        assert!(has_calendar_day_units("2d"));
        assert!(has_calendar_day_units("1w"));
        assert!(!has_calendar_day_units("2bd"));
        assert!(!has_calendar_day_units("4h"));
    }
}
