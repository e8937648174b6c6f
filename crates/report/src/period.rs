//! The period of a review: `2026-10` (a month), `2026-Q4`, `2026-W40` (an ISO week), `2026`, or
//! `FROM..TO` (two dates, `TO` included). A period is a half-open range of local dates; its
//! instants depend on the time zone it is read in (the objective calendar's zone).

use std::fmt;

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Utc, Weekday,
};
use chrono_tz::Tz;
use serde::Serialize;

/// A half-open range of local dates `[from, until)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The text it was read from.
    pub text: String,
    /// The first day of the period.
    pub from: NaiveDate,
    /// The day after the last day of the period (excluded).
    pub until: NaiveDate,
}

/// A period text that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError(pub String);

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PeriodError {}

const FORMS: &str =
    "write a month `2026-10`, a quarter `2026-Q4`, an ISO week `2026-W40`, a year `2026`, or dates `2026-10-01..2026-10-15`";

impl Period {
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let text = text.trim();
        let bad = |why: &str| PeriodError(format!("`{text}` is not a period{why}: {FORMS}"));
        let (from, until) = if let Some((a, b)) = text.split_once("..") {
            let from = date(a).ok_or_else(|| bad(&format!(" (`{a}` is not a date YYYY-MM-DD)")))?;
            let to = date(b).ok_or_else(|| bad(&format!(" (`{b}` is not a date YYYY-MM-DD)")))?;
            if to < from {
                return Err(PeriodError(format!(
                    "`{text}` ends before it starts: write the earlier date first"
                )));
            }
            (
                from,
                to.checked_add_days(Days::new(1)).ok_or_else(|| bad(""))?,
            )
        } else {
            let (year_text, rest) = match text.split_once('-') {
                Some((y, r)) => (y, Some(r)),
                None => (text, None),
            };
            let year = year(year_text).ok_or_else(|| bad(""))?;
            match rest {
                None => {
                    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| bad(""))?;
                    (from, add_months(from, 12).ok_or_else(|| bad(""))?)
                }
                Some(rest) => {
                    if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
                        let q: u32 = digits(q, 1)
                            .filter(|q| (1..=4).contains(q))
                            .ok_or_else(|| bad(" (quarters are Q1 to Q4)"))?;
                        let from = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)
                            .ok_or_else(|| bad(""))?;
                        (from, add_months(from, 3).ok_or_else(|| bad(""))?)
                    } else if let Some(w) =
                        rest.strip_prefix('W').or_else(|| rest.strip_prefix('w'))
                    {
                        let w: u32 = digits(w, 2).ok_or_else(|| bad(" (weeks are W01 to W53)"))?;
                        let from = NaiveDate::from_isoywd_opt(year, w, Weekday::Mon)
                            .ok_or_else(|| bad(&format!(" ({year} has no ISO week {w})")))?;
                        (
                            from,
                            from.checked_add_days(Days::new(7)).ok_or_else(|| bad(""))?,
                        )
                    } else {
                        let m: u32 = digits(rest, 2)
                            .filter(|m| (1..=12).contains(m))
                            .ok_or_else(|| bad(" (months are 01 to 12)"))?;
                        let from = NaiveDate::from_ymd_opt(year, m, 1).ok_or_else(|| bad(""))?;
                        (from, add_months(from, 1).ok_or_else(|| bad(""))?)
                    }
                }
            }
        };
        Ok(Period {
            text: text.to_string(),
            from,
            until,
        })
    }

    /// The last day of the period (included).
    pub fn last_day(&self) -> NaiveDate {
        self.until.pred_opt().unwrap_or(self.until)
    }

    /// The instants of the period in zone `tz`: from local midnight of its first day to local
    /// midnight after its last day.
    pub fn bounds(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            local_instant(tz, self.from.and_time(NaiveTime::MIN)),
            local_instant(tz, self.until.and_time(NaiveTime::MIN)),
        )
    }

    /// The number of days of the period.
    pub fn days(&self) -> i64 {
        (self.until - self.from).num_days()
    }

    /// How many months the period covers: each calendar month it meets counts for the share of
    /// its days inside the period (a whole month is 1, a quarter 3, a year 12; an ISO week across
    /// two months counts its days in each month against that month's length).
    pub fn months(&self) -> f64 {
        let mut total = 0.0;
        let mut first = NaiveDate::from_ymd_opt(self.from.year(), self.from.month(), 1);
        while let Some(month_start) = first {
            if month_start >= self.until {
                break;
            }
            let Some(month_end) = add_months(month_start, 1) else {
                break;
            };
            let inside = (month_end.min(self.until) - month_start.max(self.from)).num_days();
            let length = (month_end - month_start).num_days();
            if inside == length {
                total += 1.0;
            } else {
                total += inside as f64 / length as f64;
            }
            first = Some(month_end);
        }
        total
    }
}

impl Period {
    /// The period of the same kind just before this one: the previous month, quarter, ISO
    /// week or year; for `FROM..TO`, as many days just before `FROM`. `None` before year 1.
    pub fn previous(&self) -> Option<Period> {
        let text = self.text.as_str();
        let (from, text) = if text.contains("..") {
            let from = self
                .from
                .checked_sub_days(Days::new(u64::try_from(self.days()).ok()?))?;
            let to = self.from.pred_opt()?;
            (from, format!("{from}..{to}"))
        } else if text.contains(['Q', 'q']) {
            let from = self.from.checked_sub_months(Months::new(3))?;
            (
                from,
                format!("{:04}-Q{}", from.year(), (from.month() - 1) / 3 + 1),
            )
        } else if text.contains(['W', 'w']) {
            let from = self.from.checked_sub_days(Days::new(7))?;
            let week = from.iso_week();
            (from, format!("{:04}-W{:02}", week.year(), week.week()))
        } else if text.contains('-') {
            let from = self.from.checked_sub_months(Months::new(1))?;
            (from, format!("{:04}-{:02}", from.year(), from.month()))
        } else {
            let from = self.from.checked_sub_months(Months::new(12))?;
            (from, format!("{:04}", from.year()))
        };
        if from.year() < 1 {
            return None;
        }
        Period::parse(&text).ok().filter(|p| p.from == from)
    }

    /// Up to `n` periods before this one, the nearest first.
    pub fn earlier(&self, n: usize) -> Vec<Period> {
        let mut out = Vec::with_capacity(n);
        let mut current = self.clone();
        while out.len() < n {
            match current.previous() {
                Some(previous) => {
                    out.push(previous.clone());
                    current = previous;
                }
                None => break,
            }
        }
        out
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Period {
    type Err = PeriodError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Period::parse(text)
    }
}

fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// Exactly `len` ASCII digits.
fn digits(text: &str, len: usize) -> Option<u32> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn year(text: &str) -> Option<i32> {
    digits(text, 4).and_then(|y| i32::try_from(y).ok())
}

fn date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let mut parts = text.split('-');
    let y = year(parts.next()?)?;
    let m = digits(parts.next()?, 2)?;
    let d = digits(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A local wall-clock time as an instant: an ambiguous time (clocks set back) is the earlier
/// instant; a time that does not exist (clocks set forward) is the first instant after the gap.
pub(crate) fn local_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.with_timezone(&Utc).min(b.with_timezone(&Utc)),
        LocalResult::None => {
            // Gaps are whole minutes and shorter than a day: the first local minute after
            // `local` that exists is the end of the gap.
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += chrono::Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            local.and_utc()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_form_parses() {
        let p = Period::parse("2026-10").unwrap();
        assert_eq!((p.from, p.until), (d(2026, 10, 1), d(2026, 11, 1)));
        assert_eq!(p.months(), 1.0);
        let p = Period::parse("2026-Q4").unwrap();
        assert_eq!((p.from, p.until), (d(2026, 10, 1), d(2027, 1, 1)));
        assert_eq!(p.months(), 3.0);
        let p = Period::parse("2026-W40").unwrap();
        assert_eq!((p.from, p.until), (d(2026, 9, 28), d(2026, 10, 5)));
        assert!((p.months() - (3.0 / 30.0 + 4.0 / 31.0)).abs() < 1e-12);
        let p = Period::parse("2026").unwrap();
        assert_eq!((p.from, p.until), (d(2026, 1, 1), d(2027, 1, 1)));
        assert_eq!(p.months(), 12.0);
        let p = Period::parse("2026-03-02..2026-03-08").unwrap();
        assert_eq!((p.from, p.until), (d(2026, 3, 2), d(2026, 3, 9)));
        assert_eq!(p.last_day(), d(2026, 3, 8));
        assert_eq!(p.days(), 7);
    }

    #[test]
    fn earlier_periods_are_of_the_same_kind() {
        let texts = |p: &str, n| -> Vec<String> {
            Period::parse(p)
                .unwrap()
                .earlier(n)
                .into_iter()
                .map(|p| p.text)
                .collect()
        };
        assert_eq!(texts("2026-02", 3), ["2026-01", "2025-12", "2025-11"]);
        assert_eq!(texts("2026-Q1", 2), ["2025-Q4", "2025-Q3"]);
        // 2026-W01 starts on Monday 29 December 2025; 2025 has 52 ISO weeks, 2020 has 53.
        assert_eq!(texts("2026-W01", 2), ["2025-W52", "2025-W51"]);
        assert_eq!(texts("2021-W01", 1), ["2020-W53"]);
        assert_eq!(texts("2026", 2), ["2025", "2024"]);
        assert_eq!(
            texts("2026-03-01..2026-03-10", 2),
            ["2026-02-19..2026-02-28", "2026-02-09..2026-02-18"]
        );
        let before = Period::parse("2026-03-01..2026-03-10")
            .unwrap()
            .previous()
            .unwrap();
        assert_eq!(before.days(), 10);
        assert_eq!(before.until, d(2026, 3, 1));
        assert!(Period::parse("0001").unwrap().previous().is_none());
        assert_eq!(texts("0001-03", 5), ["0001-02", "0001-01"]);
    }

    #[test]
    fn bad_text_says_why() {
        for bad in [
            "",
            "26-10",
            "2026-13",
            "2026-Q5",
            "2026-W54",
            "2026-W1",
            "2026-10-01..",
            "x..y",
            "2026-10-15..2026-10-01",
            "2026-02-30..2026-03-01",
            "2026-1",
        ] {
            let error = Period::parse(bad).unwrap_err();
            assert!(error.0.contains('`'), "{bad}: {error}");
        }
        assert!(Period::parse("2026-W53").is_ok());
        assert!(Period::parse("2025-W53").is_err());
    }

    #[test]
    fn bounds_follow_the_zone() {
        let p = Period::parse("2026-03").unwrap();
        let (from, until) = p.bounds(chrono_tz::Europe::Paris);
        assert_eq!(from.to_rfc3339(), "2026-02-28T23:00:00+00:00");
        // April starts after the change to summer time (UTC+2).
        assert_eq!(until.to_rfc3339(), "2026-03-31T22:00:00+00:00");
    }
}
