//! Business calendars: the value types of the language's time vocabulary (weekday sets, times of
//! day, open ranges, holiday rules, durations with business days, windows) and the week-level
//! arithmetic the checker needs (overlaps, open time per day).
//!
//! Everything here is plain data over chrono and chrono-tz; it knows nothing of the syntax tree
//! or of diagnostics. Parsing functions return a message on bad input, for the caller to report.

mod duration;
mod easter;
mod engine;
mod spec;
mod time;
mod week;

pub use duration::{has_calendar_day_units, Duration, Window};
pub use easter::easter_sunday;
pub use engine::{Budget, BusinessCalendar, LAST_INSTANT};
pub use spec::{CalendarSpec, ClosedPeriod, HolidayRule, OpenRange};
pub use time::{TimeOfDay, TimeRange};
pub use week::WeekdaySet;

/// Minutes in a day and in a week.
pub const DAY_MINUTES: u32 = 24 * 60;
pub const WEEK_MINUTES: u32 = 7 * DAY_MINUTES;
