use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use crate::{TimeOfDay, TimeRange, WeekdaySet, DAY_MINUTES, WEEK_MINUTES};

/// `open <days> <range>`: the calendar is open during `range` on each of `days`. An overnight
/// range belongs to the day it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpenRange {
    pub days: WeekdaySet,
    pub range: TimeRange,
}

impl OpenRange {
    /// The minutes of the week this range covers, as intervals `[start, end)` within
    /// `0..WEEK_MINUTES` from Monday 00:00 (a range running past Sunday midnight is split).
    pub fn week_intervals(&self) -> Vec<(u32, u32)> {
        let mut intervals = Vec::new();
        for day in self.days.days() {
            let start = day.num_days_from_monday() * DAY_MINUTES + self.range.start.minutes();
            let end = start + self.range.minutes();
            if end <= WEEK_MINUTES {
                intervals.push((start, end));
            } else {
                intervals.push((start, WEEK_MINUTES));
                intervals.push((0, end - WEEK_MINUTES));
            }
        }
        intervals
    }
}

/// One entry of a `holidays` set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum HolidayRule {
    /// Every year on this month and day (`annual 07-14`); 02-29 only in leap years.
    Annual { month: u32, day: u32, name: String },
    /// Gregorian Easter Sunday plus `offset` days (`easter +1`: Easter Monday).
    Easter { offset: i32, name: String },
    /// One date, closed from `from` (or the whole day) to the end of the day.
    Date {
        date: NaiveDate,
        from: Option<TimeOfDay>,
        name: String,
    },
}

impl HolidayRule {
    pub fn name(&self) -> &str {
        match self {
            HolidayRule::Annual { name, .. }
            | HolidayRule::Easter { name, .. }
            | HolidayRule::Date { name, .. } => name,
        }
    }

    /// The date this rule closes in `year`, if any.
    pub fn date_in(&self, year: i32) -> Option<NaiveDate> {
        match self {
            HolidayRule::Annual { month, day, .. } => NaiveDate::from_ymd_opt(year, *month, *day),
            HolidayRule::Easter { offset, .. } => crate::easter_sunday(year)?
                .checked_add_signed(chrono::Duration::days(i64::from(*offset))),
            HolidayRule::Date { date, .. } => {
                (chrono::Datelike::year(date) == year).then_some(*date)
            }
        }
    }
}

/// `closed <from> to <to> "label"`: every day from `from` to `to` inclusive is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub name: Option<String>,
}

/// Everything that defines when a calendar is open: its zone, weekly open ranges, holidays and
/// closed periods. The built-in `always` is open all the time in UTC.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarSpec {
    pub timezone: Tz,
    pub open: Vec<OpenRange>,
    pub holidays: Vec<HolidayRule>,
    pub closed: Vec<ClosedPeriod>,
}

impl CalendarSpec {
    /// The built-in calendar `always`.
    pub fn always() -> Self {
        CalendarSpec {
            timezone: Tz::UTC,
            open: vec![OpenRange {
                days: WeekdaySet::ALL,
                range: TimeRange {
                    start: TimeOfDay::MIDNIGHT,
                    end: TimeOfDay::MIDNIGHT,
                },
            }],
            holidays: Vec::new(),
            closed: Vec::new(),
        }
    }

    /// Wall-clock minutes the calendar is open in an ordinary week (no holidays, no DST change).
    pub fn weekly_open_minutes(&self) -> u32 {
        let mut intervals: Vec<(u32, u32)> = self
            .open
            .iter()
            .flat_map(OpenRange::week_intervals)
            .collect();
        intervals.sort_unstable();
        let mut total = 0;
        let mut reach = 0;
        for (start, end) in intervals {
            let start = start.max(reach);
            if end > start {
                total += end - start;
                reach = end;
            }
        }
        total
    }

    /// The open stretches of an ordinary week, merged, as `[start, end)` minutes from Monday
    /// 00:00; a stretch that runs past Sunday midnight into Monday is joined with it.
    fn merged_week(&self) -> Vec<(u32, u32)> {
        let mut intervals: Vec<(u32, u32)> = self
            .open
            .iter()
            .flat_map(OpenRange::week_intervals)
            .collect();
        intervals.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::new();
        for (start, end) in intervals {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        if merged.len() > 1 && merged[0].0 == 0 && merged[merged.len() - 1].1 == WEEK_MINUTES {
            let first = merged.remove(0);
            if let Some(last) = merged.last_mut() {
                last.1 = WEEK_MINUTES + first.1;
            }
        }
        merged
    }

    /// Open all week, with no holiday or closed period.
    pub fn is_always_open(&self) -> bool {
        self.weekly_open_minutes() == WEEK_MINUTES
            && self.holidays.is_empty()
            && self.closed.is_empty()
    }

    /// The longest stretch of an ordinary week during which the calendar stays closed (a whole
    /// week when it never opens).
    pub fn longest_closed_minutes(&self) -> u32 {
        let merged = self.merged_week();
        if merged.is_empty() {
            return WEEK_MINUTES;
        }
        let mut longest = 0;
        for (index, &(_, end)) in merged.iter().enumerate() {
            let next_start = match merged.get(index + 1) {
                Some(&(start, _)) => start,
                None => merged[0].0 + WEEK_MINUTES,
            };
            longest = longest.max(next_start.saturating_sub(end));
        }
        longest
    }

    /// The longest stretch of an ordinary week during which the calendar stays open.
    pub fn longest_open_minutes(&self) -> u32 {
        self.merged_week()
            .iter()
            .map(|(start, end)| end - start)
            .max()
            .unwrap_or(0)
            .min(WEEK_MINUTES)
    }

    /// Open minutes of each weekday in an ordinary week, an overnight range counting for the day
    /// it starts on (Monday first).
    pub fn open_minutes_by_weekday(&self) -> [u32; 7] {
        let mut minutes = [0u32; 7];
        for range in &self.open {
            for day in range.days.days() {
                let slot = &mut minutes[day.num_days_from_monday() as usize];
                *slot = (*slot + range.range.minutes()).min(DAY_MINUTES);
            }
        }
        minutes
    }

    /// The shortest and longest open day (in minutes) among the weekdays that have open time;
    /// `None` when the calendar is never open.
    pub fn open_day_bounds(&self) -> Option<(u32, u32)> {
        let days: Vec<u32> = self
            .open_minutes_by_weekday()
            .into_iter()
            .filter(|m| *m > 0)
            .collect();
        Some((*days.iter().min()?, *days.iter().max()?))
    }

    /// The first pair of `open` ranges (by index) that overlap, and the weekday where they do.
    pub fn first_overlap(&self) -> Option<(usize, usize, Weekday)> {
        for (j, later) in self.open.iter().enumerate() {
            let later_intervals = later.week_intervals();
            for (i, earlier) in self.open[..j].iter().enumerate() {
                for (a_start, a_end) in earlier.week_intervals() {
                    for &(b_start, b_end) in &later_intervals {
                        let start = a_start.max(b_start);
                        if start < a_end.min(b_end) {
                            let day = Weekday::try_from((start / DAY_MINUTES) as u8)
                                .unwrap_or(Weekday::Mon);
                            return Some((i, j, day));
                        }
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(days: &str, range: &str) -> OpenRange {
        OpenRange {
            days: WeekdaySet::parse(days).unwrap(),
            range: TimeRange::parse(range).unwrap(),
        }
    }

    fn spec(open: Vec<OpenRange>) -> CalendarSpec {
        CalendarSpec {
            timezone: Tz::Europe__Paris,
            open,
            holidays: Vec::new(),
            closed: Vec::new(),
        }
    }

    #[test]
    fn weekly_open_time() {
        let office = spec(vec![
            open("mon-fri", "08:00-17:00"),
            open("sat", "09:00-12:00"),
        ]);
        assert_eq!(office.weekly_open_minutes(), 5 * 540 + 180);
        assert_eq!(office.open_day_bounds(), Some((180, 540)));
        assert_eq!(CalendarSpec::always().weekly_open_minutes(), WEEK_MINUTES);
        assert_eq!(spec(vec![]).open_day_bounds(), None);
    }

    #[test]
    fn longest_stretches() {
        let office = spec(vec![open("mon-fri", "08:00-17:00")]);
        assert_eq!(office.longest_open_minutes(), 540);
        // Friday 17:00 to Monday 08:00.
        assert_eq!(office.longest_closed_minutes(), 63 * 60);
        let always = CalendarSpec::always();
        assert!(always.is_always_open());
        assert_eq!(always.longest_closed_minutes(), 0);
        assert_eq!(always.longest_open_minutes(), WEEK_MINUTES);
        let weekend_night = spec(vec![
            open("sun", "20:00-04:00"),
            open("mon-fri", "08:00-12:00"),
        ]);
        assert_eq!(weekend_night.longest_open_minutes(), 480);
    }

    #[test]
    fn overlaps_are_found_across_midnight_and_sunday() {
        let night = spec(vec![
            open("mon-fri", "22:00-06:00"),
            open("tue", "05:00-07:00"),
        ]);
        assert_eq!(night.first_overlap(), Some((0, 1, Weekday::Tue)));
        let wrap = spec(vec![open("sun", "20:00-04:00"), open("mon", "03:00-05:00")]);
        assert_eq!(wrap.first_overlap(), Some((0, 1, Weekday::Mon)));
        let fine = spec(vec![
            open("mon-fri", "08:00-12:00"),
            open("mon-fri", "13:00-17:00"),
        ]);
        assert_eq!(fine.first_overlap(), None);
    }

    #[test]
    fn holiday_dates() {
        let monday = HolidayRule::Easter {
            offset: 1,
            name: "Lundi de Pâques".into(),
        };
        assert_eq!(monday.date_in(2026), NaiveDate::from_ymd_opt(2026, 4, 6));
        let leap = HolidayRule::Annual {
            month: 2,
            day: 29,
            name: "x".into(),
        };
        assert_eq!(leap.date_in(2027), None);
    }
}
