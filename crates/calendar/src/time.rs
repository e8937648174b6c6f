use serde::Serialize;
use std::fmt;

use crate::DAY_MINUTES;

/// A local wall-clock time from `00:00` to `24:00`, in minutes since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    pub const END_OF_DAY: TimeOfDay = TimeOfDay(DAY_MINUTES as u16);

    /// `HH:MM` with `HH` in 00–24 and `MM` in 00–59; `24:00` is the end of the day.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad =
            || format!("`{text}` is not a time of day: write `HH:MM` from `00:00` to `24:00`");
        let (h, m) = text.split_once(':').ok_or_else(bad)?;
        let hours: u16 = h.parse().map_err(|_| bad())?;
        let minutes: u16 = m.parse().map_err(|_| bad())?;
        if h.len() != 2
            || m.len() != 2
            || minutes > 59
            || hours > 24
            || (hours == 24 && minutes > 0)
        {
            return Err(bad());
        }
        Ok(TimeOfDay(hours * 60 + minutes))
    }

    pub fn from_minutes(minutes: u16) -> Option<Self> {
        (u32::from(minutes) <= DAY_MINUTES).then_some(TimeOfDay(minutes))
    }

    pub fn minutes(self) -> u32 {
        u32::from(self.0)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl From<TimeOfDay> for String {
    fn from(time: TimeOfDay) -> String {
        time.to_string()
    }
}

/// `HH:MM-HH:MM`; an end at or before the start wraps past midnight (`22:00-06:00`), so an equal
/// start and end is a whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TimeRange {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

impl TimeRange {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (start, end) = text
            .split_once('-')
            .ok_or_else(|| format!("`{text}` is not a time range: write `HH:MM-HH:MM`"))?;
        let start = TimeOfDay::parse(start)?;
        let end = TimeOfDay::parse(end)?;
        if start == TimeOfDay::END_OF_DAY {
            return Err(format!("`{text}` starts at 24:00: start at 00:00 instead"));
        }
        Ok(TimeRange { start, end })
    }

    pub fn wraps(self) -> bool {
        self.end <= self.start
    }

    /// Length in minutes of wall-clock time, ignoring daylight-saving changes.
    pub fn minutes(self) -> u32 {
        if self.wraps() {
            DAY_MINUTES - self.start.minutes() + self.end.minutes()
        } else {
            self.end.minutes() - self.start.minutes()
        }
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_validated() {
        assert_eq!(TimeOfDay::parse("08:30").map(TimeOfDay::minutes), Ok(510));
        assert_eq!(TimeOfDay::parse("24:00"), Ok(TimeOfDay::END_OF_DAY));
        for bad in ["25:61", "24:01", "8:00", "12:60", "ab:cd"] {
            assert!(TimeOfDay::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_wrap_past_midnight() {
        let night = TimeRange::parse("22:00-06:00").unwrap();
        assert!(night.wraps());
        assert_eq!(night.minutes(), 480);
        assert_eq!(TimeRange::parse("08:00-17:00").unwrap().minutes(), 540);
        assert_eq!(TimeRange::parse("00:00-24:00").unwrap().minutes(), 1440);
    }
}
