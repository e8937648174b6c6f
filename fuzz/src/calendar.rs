//! The `calendar` target's input: a calendar and the queries asked of it, drawn by `arbitrary`
//! from the fuzzer's bytes and mapped onto what the language can write (any IANA zone, open
//! ranges on the minute, annual, Easter and dated holidays, closed periods, instants in years 1
//! to 9999, most of them near today).
//!
//! Its `Debug` form is a fixture for `tests/fixtures/fuzz/calendar/`: the queries as comment
//! lines, then a `holidays` set and a `calendar fuzzed` in `.sla`. `cargo fuzz fmt calendar
//! <input>` prints it (see docs/fuzzing.md).

use std::fmt;

use arbitrary::Arbitrary;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};
use slac_calendar::{
    BusinessCalendar, CalendarSpec, ClosedPeriod, Duration, HolidayRule, OpenRange, TimeOfDay,
    TimeRange, WeekdaySet,
};

use crate::invariants::{self, Queries};

/// A year: mostly near today, sometimes anywhere the engine caches tables, rarely anywhere a
/// date can be written.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Year {
    era: u8,
    value: u16,
}

impl Year {
    fn get(self) -> i32 {
        let value = i32::from(self.value);
        match self.era {
            0..=191 => 2000 + value % 60,
            192..=239 => 1900 + value % 500,
            _ => 1 + value % 9999,
        }
    }
}

/// An instant: a year and a second in it.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Instant {
    year: Year,
    second: u32,
}

impl Instant {
    fn get(self) -> DateTime<Utc> {
        let first = NaiveDate::from_ymd_opt(self.year.get(), 1, 1).unwrap_or_default();
        let offset = i64::from(self.second % (366 * 86_400));
        first.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + TimeDelta::seconds(offset)
    }
}

/// A date: a year and a day of it.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Day {
    year: Year,
    ordinal: u16,
}

impl Day {
    fn get(self) -> NaiveDate {
        let year = self.year.get();
        NaiveDate::from_yo_opt(year, 1 + u32::from(self.ordinal) % 365)
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default())
    }
}

/// `open <days> HH:MM-HH:MM`.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Open {
    days: u8,
    start: u16,
    end: u16,
}

/// A holiday rule.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Holiday {
    Annual { month: u8, day: u8 },
    Easter { offset: i16 },
    Date { day: Day, from: Option<u16> },
}

/// `closed <from> to <to>`.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Closed {
    from: Day,
    days: u16,
}

/// A `within` duration.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Within {
    Minutes(u16),
    Seconds(u32),
    Millis(u64),
    BusinessDays(u8),
    ManyBusinessDays(u16),
}

impl Within {
    fn get(self) -> Duration {
        match self {
            Within::Minutes(m) => Duration::Millis(u64::from(m) * 60_000),
            Within::Seconds(s) => Duration::Millis(u64::from(s) * 1_000),
            // The parser refuses longer durations.
            Within::Millis(ms) => Duration::Millis(ms % 1_000_000_000_000_000),
            Within::BusinessDays(n) => Duration::BusinessDays(u32::from(n % 40)),
            Within::ManyBusinessDays(n) => Duration::BusinessDays(u32::from(n)),
        }
    }
}

/// A pause: from an offset to the start (possibly before it), for a length.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Pause {
    offset: i32,
    length: u32,
}

/// A calendar and the queries asked of it.
#[derive(Clone, Arbitrary)]
pub struct Scenario {
    zone: u16,
    open: Vec<Open>,
    holidays: Vec<Holiday>,
    closed: Vec<Closed>,
    start: Instant,
    within: Vec<Within>,
    pauses: Vec<Pause>,
    span: u32,
}

/// The number of open ranges, holidays, closed periods, durations and pauses kept: enough for
/// every interaction, few enough that each input runs fast.
const KEPT: usize = 4;

impl Scenario {
    fn zone(&self) -> Tz {
        TZ_VARIANTS[usize::from(self.zone) % TZ_VARIANTS.len()]
    }

    fn open_ranges(&self) -> Vec<OpenRange> {
        self.open
            .iter()
            .take(KEPT)
            .filter(|o| o.days & 0x7f != 0)
            .filter_map(|o| {
                let days = WeekdaySet::parse(&weekday_list(o.days)).ok()?;
                let start = TimeOfDay::from_minutes(o.start % 1440)?;
                let end = TimeOfDay::from_minutes(o.end % 1441)?;
                Some(OpenRange {
                    days,
                    range: TimeRange { start, end },
                })
            })
            .collect()
    }

    fn holiday_rules(&self) -> Vec<HolidayRule> {
        self.holidays
            .iter()
            .take(KEPT)
            .enumerate()
            .filter_map(|(i, holiday)| {
                let name = format!("h{i}");
                Some(match *holiday {
                    Holiday::Annual { month, day } => {
                        let (month, day) = (1 + u32::from(month % 12), 1 + u32::from(day % 31));
                        // An annual date must exist in some year (E005 otherwise).
                        NaiveDate::from_ymd_opt(2024, month, day)?;
                        HolidayRule::Annual { month, day, name }
                    }
                    Holiday::Easter { offset } => HolidayRule::Easter {
                        offset: i32::from(offset % 367),
                        name,
                    },
                    Holiday::Date { day, from } => HolidayRule::Date {
                        date: day.get(),
                        from: from.and_then(|m| TimeOfDay::from_minutes(m % 1441)),
                        name,
                    },
                })
            })
            .collect()
    }

    fn closed_periods(&self) -> Vec<ClosedPeriod> {
        self.closed
            .iter()
            .take(KEPT)
            .enumerate()
            .map(|(i, closed)| {
                let from = closed.from.get();
                let to = from
                    .checked_add_signed(TimeDelta::days(i64::from(closed.days % 400)))
                    .unwrap_or(from);
                ClosedPeriod {
                    from,
                    to,
                    name: Some(format!("c{i}")),
                }
            })
            .collect()
    }

    /// The calendar, as `check` would build it from the fixture text.
    pub fn spec(&self) -> CalendarSpec {
        CalendarSpec {
            timezone: self.zone(),
            open: self.open_ranges(),
            holidays: self.holiday_rules(),
            closed: self.closed_periods(),
        }
    }

    pub fn queries(&self) -> Queries {
        let start = self.start.get();
        Queries {
            start,
            within: self.within.iter().take(KEPT).map(|w| w.get()).collect(),
            pauses: self
                .pauses
                .iter()
                .take(KEPT)
                .map(|p| {
                    // Within about a year either side of the start, up to a month long.
                    let from = start + TimeDelta::seconds(i64::from(p.offset / 64));
                    (
                        from,
                        from + TimeDelta::seconds(i64::from(p.length % (31 * 86_400))),
                    )
                })
                .collect(),
            // Up to three years of open time.
            span: i64::from(self.span % (3 * 366 * 86_400)),
        }
    }

    /// Whether `slac check` accepts the calendar: open ranges must not overlap (E006).
    fn is_valid(spec: &CalendarSpec) -> bool {
        spec.first_overlap().is_none()
    }

    /// Runs every query. On a calendar the checker accepts, asserts the engine's invariants
    /// ([`invariants::check`]); on one it refuses, only that nothing panics.
    pub fn run(&self) {
        let spec = self.spec();
        let valid = Self::is_valid(&spec);
        let calendar = BusinessCalendar::new(spec);
        let queries = self.queries();
        if valid {
            invariants::check(&calendar, &queries);
        } else {
            for &within in &queries.within {
                let _ = calendar.due(queries.start, within);
                let _ = calendar.due_with_pauses(queries.start, within, &queries.pauses);
            }
            let end = queries.start + TimeDelta::seconds(queries.span);
            let _ = calendar.open_seconds(queries.start, end);
            let _ = calendar.open_intervals(queries.start, end);
        }
    }
}

/// `mon,wed,fri` for the bits of `days` (bit 0 is Monday).
fn weekday_list(days: u8) -> String {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    (0..7)
        .filter(|d| days & (1 << d) != 0)
        .map(|d| NAMES[d])
        .collect::<Vec<_>>()
        .join(",")
}

/// The fixture: queries as comments, then the holidays and the calendar in `.sla`.
impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec = self.spec();
        writeln!(
            f,
            "// A scenario of the `calendar` fuzz target (docs/fuzzing.md)."
        )?;
        f.write_str(&self.queries().write())?;
        if !spec.holidays.is_empty() {
            writeln!(f, "\nholidays fuzzed_holidays {{")?;
            for rule in &spec.holidays {
                match rule {
                    HolidayRule::Annual { month, day, name } => {
                        writeln!(f, "  annual {month:02}-{day:02} \"{name}\"")?
                    }
                    HolidayRule::Easter { offset, name } => {
                        writeln!(f, "  easter {offset:+} \"{name}\"")?
                    }
                    HolidayRule::Date { date, from, name } => match from {
                        Some(from) => writeln!(f, "  date {date} \"{name}\" from {from}")?,
                        None => writeln!(f, "  date {date} \"{name}\"")?,
                    },
                }
            }
            writeln!(f, "}}")?;
        }
        writeln!(f, "\ncalendar fuzzed {{")?;
        writeln!(f, "  timezone \"{}\"", spec.timezone.name())?;
        for open in &spec.open {
            writeln!(f, "  open {} {}", open.days, open.range)?;
        }
        if !spec.holidays.is_empty() {
            writeln!(f, "  closed fuzzed_holidays")?;
        }
        for closed in &spec.closed {
            let name = closed.name.as_deref().unwrap_or("closed");
            writeln!(f, "  closed {} to {} \"{name}\"", closed.from, closed.to)?;
        }
        writeln!(f, "}}")
    }
}
