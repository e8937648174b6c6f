//! The calendar engine: when a calendar is open, how much open time lies between two instants,
//! and when a deadline falls.
//!
//! The open intervals of each year are computed once, on first use, as sorted UTC intervals with
//! cumulative open seconds; every query answers by binary search. Nothing steps minute by minute.
//! Instants are UTC; open ranges are local wall-clock times in the calendar's zone.

use std::sync::OnceLock;

use chrono::{
    DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::{CalendarSpec, Duration, HolidayRule, Window};

/// Years whose tables are cached; instants outside are answered from tables built on demand.
const FIRST_CACHED_YEAR: i32 = 1900;
const CACHED_YEARS: usize = 500;

/// How far a deadline is looked for before giving up on a calendar that never opens.
const SEARCH_YEARS: i32 = 10;

/// The last instant the engine answers with, 9999-12-31T23:59:59Z, in seconds since 1970. Dates
/// have four-digit years (`YYYY-MM-DD` in `.sla`, RFC 3339 on the command line), so a deadline
/// or an opening past it could not be written: the queries that would answer later answer `None`.
pub const LAST_INSTANT: i64 = 253_402_300_799;

/// `t`, when it can be written with a four-digit year.
fn writable(t: i64) -> Option<i64> {
    (t <= LAST_INSTANT).then_some(t)
}

/// A calendar ready for queries. Cheap to share between threads (`Send + Sync`).
pub struct BusinessCalendar {
    spec: CalendarSpec,
    years: Box<[OnceLock<Year>]>,
}

/// The error budget of an objective over one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Start and end of the window the budget is computed on.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Open time of the window, in seconds.
    pub open_seconds: i64,
    /// `(1 − target) × open_seconds`, in seconds (fractional: 99.95% of 1h is 1.8 s).
    pub budget_seconds: f64,
}

/// The open intervals of the local dates of one year, in UTC seconds, sorted and disjoint.
/// An interval belongs to the date its open range starts on (an overnight range runs into the
/// next date, and the next year for 31 December).
#[derive(Debug, Default)]
struct Year {
    start: Vec<i64>,
    end: Vec<i64>,
    /// `cum[i]`: open seconds of the year's intervals before interval `i`; `cum[n]` is the total.
    cum: Vec<i64>,
    /// The open day of each interval, as days since 0001-01-01.
    day: Vec<i32>,
    /// Each open day of the year with the index of its first interval, in order.
    days: Vec<(i32, usize)>,
}

impl Year {
    fn len(&self) -> usize {
        self.start.len()
    }

    fn total(&self) -> i64 {
        self.cum.last().copied().unwrap_or(0)
    }

    /// The first interval that ends after `t`.
    fn first_ending_after(&self, t: i64) -> usize {
        self.end.partition_point(|&end| end <= t)
    }

    /// Open seconds of this year's intervals before `t`.
    fn open_before(&self, t: i64) -> i64 {
        let i = self.first_ending_after(t);
        if i == self.len() {
            return self.total();
        }
        self.cum[i] + (t - self.start[i]).max(0)
    }

    /// The instant at which `target` open seconds of this year have elapsed; `target` is in
    /// `1..=total`. At an exact interval boundary it answers the interval's end.
    fn instant_at(&self, target: i64) -> i64 {
        let j = self.cum[1..].partition_point(|&c| c < target);
        self.start[j] + (target - self.cum[j])
    }

    /// The intervals of the open day at position `k` of `days`.
    fn day_range(&self, k: usize) -> (usize, usize) {
        let first = self.days[k].1;
        let last = self.days.get(k + 1).map_or(self.len(), |d| d.1);
        (first, last)
    }
}

fn to_utc(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

fn utc_year(t: i64) -> i32 {
    to_utc(t).year()
}

impl BusinessCalendar {
    pub fn new(spec: CalendarSpec) -> Self {
        BusinessCalendar {
            spec,
            years: (0..CACHED_YEARS).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The built-in calendar `always`: open all the time, in UTC.
    pub fn always() -> Self {
        Self::new(CalendarSpec::always())
    }

    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    pub fn timezone(&self) -> Tz {
        self.spec.timezone
    }

    /// Whether the calendar is open at `t` (an interval includes its start, not its end).
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        let t = t.timestamp();
        self.locate(t, 0)
            .is_some_and(|(year, i)| self.with_year(year, |y| y.start[i] <= t))
    }

    /// Open time between `from` and `to`, in seconds; 0 when `to <= from`.
    pub fn open_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.open_between(from.timestamp(), to.timestamp())
    }

    /// The deadline of `within` from `start`: for a length of time, the earliest instant at which
    /// that much open time has elapsed since `start` (milliseconds round up to the second); for
    /// `Nbd`, the business-day rule of the language reference §5.3. `None` when the calendar does
    /// not open that much within ten years, or only after [`LAST_INSTANT`].
    pub fn due(&self, start: DateTime<Utc>, within: Duration) -> Option<DateTime<Utc>> {
        let start = start.timestamp();
        let due = match within {
            Duration::Millis(ms) => self.after_open_seconds(start, ms.div_ceil(1000) as i64),
            Duration::BusinessDays(n) => self.after_business_days(start, n),
        };
        due.and_then(writable).map(to_utc)
    }

    /// The deadline when the clock stops during `pauses` (intervals `[from, to)`, in any order,
    /// possibly overlapping): open time inside a pause does not count. `None` as for [`Self::due`].
    pub fn due_with_pauses(
        &self,
        start: DateTime<Utc>,
        within: Duration,
        pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Option<DateTime<Utc>> {
        let mut pauses: Vec<(i64, i64)> = pauses
            .iter()
            .map(|(a, b)| (a.timestamp(), b.timestamp()))
            .filter(|(a, b)| a < b)
            .collect();
        pauses.sort_unstable();
        match within {
            Duration::Millis(ms) => {
                let mut remaining = ms.div_ceil(1000) as i64;
                let mut cursor = start.timestamp();
                for (from, to) in pauses {
                    if to <= cursor {
                        continue;
                    }
                    let unpaused = self.open_between(cursor, from);
                    if from > cursor && unpaused >= remaining {
                        break;
                    }
                    remaining -= unpaused.max(0);
                    cursor = cursor.max(to);
                }
                self.after_open_seconds(cursor, remaining)
                    .and_then(writable)
                    .map(to_utc)
            }
            // Business days count open days, not open time: a pause pushes the deadline by the
            // open time it took, counted from the business-day deadline.
            Duration::BusinessDays(n) => {
                let base = self.after_business_days(start.timestamp(), n)?;
                let paused: i64 = merge(&pauses)
                    .iter()
                    .map(|&(a, b)| self.open_between(a.max(start.timestamp()), b.min(base)))
                    .sum();
                self.after_open_seconds(base, paused)
                    .and_then(writable)
                    .map(to_utc)
            }
        }
    }

    /// The open intervals that meet `[from, to)`, clipped to it, in order; touching intervals are
    /// joined.
    pub fn open_intervals(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let (from, to) = (from.timestamp(), to.timestamp());
        let mut out: Vec<(i64, i64)> = Vec::new();
        if to <= from {
            return out
                .into_iter()
                .map(|(a, b)| (to_utc(a), to_utc(b)))
                .collect();
        }
        // The first interval may lie years after `from` (a long closed period): look as far as
        // `to` for it.
        let Some((mut year, mut i)) = self.locate(from, (utc_year(to) - utc_year(from)).max(0))
        else {
            return Vec::new();
        };
        'years: loop {
            let done = self.with_year(year, |y| {
                while i < y.len() {
                    if y.start[i] >= to {
                        return true;
                    }
                    let piece = (y.start[i].max(from), y.end[i].min(to));
                    match out.last_mut() {
                        Some(last) if last.1 == piece.0 => last.1 = piece.1,
                        _ => out.push(piece),
                    }
                    i += 1;
                }
                false
            });
            if done || year > utc_year(to) + 1 {
                break 'years;
            }
            year += 1;
            i = 0;
        }
        out.into_iter()
            .map(|(a, b)| (to_utc(a), to_utc(b)))
            .collect()
    }

    /// `t` when open at `t`, else the start of the next open interval. `None` when the calendar
    /// does not open within ten years, or only after [`LAST_INSTANT`].
    pub fn next_open(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let t = t.timestamp();
        let (year, i) = self.locate(t, SEARCH_YEARS)?;
        writable(self.with_year(year, |y| y.start[i].max(t))).map(to_utc)
    }

    /// The end of the open interval holding `t`, or of the next one when closed at `t`; open
    /// intervals that touch count as one.
    /// `None` when the calendar does not close within ten years, or only after [`LAST_INSTANT`].
    pub fn next_close(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (mut year, first) = self.locate(t.timestamp(), SEARCH_YEARS)?;
        let last = year + SEARCH_YEARS;
        let mut close = self.with_year(year, |y| y.end[first]);
        let mut i = first + 1;
        loop {
            if year > last {
                return None;
            }
            // One look at each year's table, not one per interval: a year outside the cache is
            // built anew on every look.
            let closed = self.with_year(year, |y| {
                while i < y.len() {
                    if y.start[i] != close {
                        return true;
                    }
                    close = y.end[i];
                    i += 1;
                }
                // A year without open time closes the calendar at `close`.
                y.len() == 0
            });
            if closed {
                break;
            }
            year += 1;
            i = 0;
        }
        writable(close).map(to_utc)
    }

    /// The window of an objective at instant `at`: a rolling window ends at `at`; a
    /// calendar-aligned one (`week` from Monday, `month`, `quarter`, `year`) is the period holding
    /// `at`, aligned in the calendar's zone.
    pub fn window_bounds(
        &self,
        window: Window,
        at: DateTime<Utc>,
    ) -> (DateTime<Utc>, DateTime<Utc>) {
        let local = at.with_timezone(&self.spec.timezone).date_naive();
        let first_of =
            |year: i32, month: u32| NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(local);
        let (from, to) = match window {
            Window::Rolling(duration) => {
                let seconds = match duration {
                    Duration::Millis(ms) => ms.div_ceil(1000) as i64,
                    Duration::BusinessDays(days) => i64::from(days) * 86_400,
                };
                return (to_utc(at.timestamp() - seconds), at);
            }
            Window::Week => {
                let monday = local - Days::new(u64::from(local.weekday().num_days_from_monday()));
                (monday, monday + Days::new(7))
            }
            Window::Month => {
                let first = first_of(local.year(), local.month());
                (first, first + Months::new(1))
            }
            Window::Quarter => {
                let first = first_of(local.year(), (local.month0() / 3) * 3 + 1);
                (first, first + Months::new(3))
            }
            Window::Year => {
                let first = first_of(local.year(), 1);
                (first, first + Months::new(12))
            }
        };
        let tz = self.spec.timezone;
        (
            to_utc(local_to_utc(tz, from.and_time(NaiveTime::MIN))),
            to_utc(local_to_utc(tz, to.and_time(NaiveTime::MIN))),
        )
    }

    /// The error budget `(1 − target) × open time` of the window at `at`; `target_percent` is
    /// `99.9` for 99.9%.
    pub fn budget(&self, window: Window, target_percent: f64, at: DateTime<Utc>) -> Budget {
        let (from, to) = self.window_bounds(window, at);
        let open_seconds = self.open_seconds(from, to);
        let share = ((100.0 - target_percent) / 100.0).clamp(0.0, 1.0);
        Budget {
            from,
            to,
            open_seconds,
            budget_seconds: share * open_seconds as f64,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Queries in UTC seconds.

    fn with_year<R>(&self, year: i32, f: impl FnOnce(&Year) -> R) -> R {
        let slot = usize::try_from(year - FIRST_CACHED_YEAR)
            .ok()
            .filter(|&i| i < CACHED_YEARS);
        match slot {
            Some(slot) => f(self.years[slot].get_or_init(|| self.build_year(year))),
            None => f(&self.build_year(year)),
        }
    }

    /// The first interval that ends after `t`: its year and index. Looks up to `horizon` years
    /// past `t`'s year before giving up.
    fn locate(&self, t: i64, horizon: i32) -> Option<(i32, usize)> {
        let first = utc_year(t) - 1;
        for year in first..=first + 1 + horizon.max(1) {
            let found = self.with_year(year, |y| {
                if y.end.last().is_none_or(|&end| end <= t) {
                    return None;
                }
                Some(y.first_ending_after(t))
            });
            if let Some(i) = found {
                return Some((year, i));
            }
        }
        None
    }

    fn open_between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        (utc_year(from) - 1..=utc_year(to) + 1)
            .map(|year| self.with_year(year, |y| y.open_before(to) - y.open_before(from)))
            .sum()
    }

    /// The earliest instant at which `seconds` of open time have elapsed since `start`.
    fn after_open_seconds(&self, start: i64, seconds: i64) -> Option<i64> {
        if seconds <= 0 {
            return Some(start);
        }
        let (mut year, i) = self.locate(start, SEARCH_YEARS)?;
        let mut remaining = seconds;
        let found = self.with_year(year, |y| {
            let target = y.cum[i] + (start - y.start[i]).max(0) + remaining;
            if target <= y.total() {
                Ok(y.instant_at(target))
            } else {
                Err(target - y.total())
            }
        });
        match found {
            Ok(due) => return Some(due),
            Err(left) => remaining = left,
        }
        let last = year + SEARCH_YEARS;
        while year < last {
            year += 1;
            let found = self.with_year(year, |y| {
                if remaining <= y.total() {
                    Ok(y.instant_at(remaining))
                } else {
                    Err(remaining - y.total())
                }
            });
            match found {
                Ok(due) => return Some(due),
                Err(left) => remaining = left,
            }
        }
        None
    }

    /// §5.3: the instant with the same open offset into the N-th following open day as the first
    /// open instant at or after `start` has into its own open day, capped at that day's close.
    fn after_business_days(&self, start: i64, n: u32) -> Option<i64> {
        let (mut year, i) = self.locate(start, SEARCH_YEARS)?;
        let (offset, mut k) = self.with_year(year, |y| {
            let s = y.start[i].max(start);
            let k = y.days.partition_point(|d| d.0 < y.day[i]);
            let (first, _) = y.day_range(k);
            (y.cum[i] + (s - y.start[i]) - y.cum[first], k)
        });
        let mut steps = n as usize;
        let last = year + SEARCH_YEARS;
        loop {
            let count = self.with_year(year, |y| y.days.len());
            if k + steps < count {
                k += steps;
                break;
            }
            // Reaching the first open day of the next year that has one takes `count - k` steps.
            steps -= count - k;
            loop {
                year += 1;
                if year > last {
                    return None;
                }
                if self.with_year(year, |y| !y.days.is_empty()) {
                    break;
                }
            }
            k = 0;
        }
        Some(self.with_year(year, |y| at_day_offset(y, k, offset)))
    }

    // -----------------------------------------------------------------------------------------
    // Building a year.

    fn build_year(&self, year: i32) -> Year {
        let tz = self.spec.timezone;
        let (Some(first), Some(next)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year + 1, 1, 1),
        ) else {
            return Year::default();
        };
        let closures = Closures::new(&self.spec, year);
        let mut pieces: Vec<(i64, i64, i32)> = Vec::new();
        let mut date = first;
        while date < next {
            let day_number = date.num_days_from_ce();
            let mut local: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::new();
            for range in self
                .spec
                .open
                .iter()
                .filter(|r| r.days.contains(date.weekday()))
            {
                let start = date.and_time(time_of(range.range.start.minutes()));
                let end_date = if range.range.wraps() || range.range.end.minutes() == 24 * 60 {
                    date.succ_opt().unwrap_or(date)
                } else {
                    date
                };
                let end = end_date.and_time(time_of(range.range.end.minutes() % (24 * 60)));
                local.push((start, end));
            }
            for (start, end) in local {
                for (a, b) in closures.open_parts(start, end) {
                    let (a, b) = (local_to_utc(tz, a), local_to_utc(tz, b));
                    if a < b {
                        pieces.push((a, b, day_number));
                    }
                }
            }
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        pieces.sort_unstable();
        let mut table = Year::default();
        for (a, b, day) in pieces {
            // Pieces of one day that touch are one interval; ranges never overlap (E006), but a
            // daylight-saving fold could make two of them meet.
            if let (Some(&last_end), Some(&last_day)) = (table.end.last(), table.day.last()) {
                if a <= last_end && day == last_day {
                    let n = table.end.len() - 1;
                    table.end[n] = last_end.max(b);
                    continue;
                }
                if a < last_end {
                    let a = last_end;
                    if a >= b {
                        continue;
                    }
                    push(&mut table, a, b, day);
                    continue;
                }
            }
            push(&mut table, a, b, day);
        }
        table.cum = Vec::with_capacity(table.start.len() + 1);
        table.cum.push(0);
        for i in 0..table.start.len() {
            let previous = table.cum[i];
            table.cum.push(previous + (table.end[i] - table.start[i]));
        }
        for (i, &day) in table.day.iter().enumerate() {
            if table.days.last().is_none_or(|d| d.0 != day) {
                table.days.push((day, i));
            }
        }
        table
    }
}

fn push(table: &mut Year, a: i64, b: i64, day: i32) {
    table.start.push(a);
    table.end.push(b);
    table.day.push(day);
}

/// The instant at open offset `offset` into open day `k` of `y`, capped at the day's close.
fn at_day_offset(y: &Year, k: usize, offset: i64) -> i64 {
    let (first, last) = y.day_range(k);
    let day_open = y.cum[last] - y.cum[first];
    if offset >= day_open {
        return y.end[last - 1];
    }
    let target = y.cum[first] + offset;
    // The first interval whose end lies past the target: an offset at a boundary between two
    // intervals of the day is the start of the later one, an open instant.
    let j = first + y.cum[first + 1..=last].partition_point(|&c| c <= target);
    y.start[j] + (target - y.cum[j])
}

fn merge(pauses: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for &(a, b) in pauses {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

fn time_of(minutes: u32) -> NaiveTime {
    NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0).unwrap_or(NaiveTime::MIN)
}

/// A local wall-clock time as a UTC instant: an ambiguous time (clocks set back) is the earlier
/// instant; a time that does not exist (clocks set forward) is the first instant after the gap.
fn local_to_utc(tz: Tz, local: NaiveDateTime) -> i64 {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.timestamp(),
        chrono::LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()),
        chrono::LocalResult::None => {
            // The gap's end is the first UTC instant whose local time is past `local`: search
            // it in the two days around, where local time only moves forward.
            let guess = local.and_utc().timestamp();
            let (mut lo, mut hi) = (guess - 2 * 86_400, guess + 2 * 86_400);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let local_mid = to_utc(mid).with_timezone(&tz).naive_local();
                if local_mid >= local {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            lo
        }
    }
}

/// The closed days around one year: holidays (whole or from a time) and closed periods, as the
/// local time from which each date is closed.
struct Closures {
    /// `(date, closed from)`, sorted by date; the earliest `from` wins for a date.
    closed: Vec<(NaiveDate, NaiveTime)>,
}

impl Closures {
    fn new(spec: &CalendarSpec, year: i32) -> Self {
        let mut closed: Vec<(NaiveDate, NaiveTime)> = Vec::new();
        // The year's dates, plus the first days of the next one for overnight ranges of 31 Dec.
        // Easter offsets reach up to a year either way, so the rules of the years around count.
        for y in [year - 1, year, year + 1] {
            for rule in &spec.holidays {
                let from = match rule {
                    // Closed from the end of the day: closes nothing.
                    HolidayRule::Date {
                        from: Some(from), ..
                    } if from.minutes() >= 24 * 60 => continue,
                    HolidayRule::Date {
                        from: Some(from), ..
                    } => time_of(from.minutes()),
                    _ => NaiveTime::MIN,
                };
                let Some(date) = rule.date_in(y) else {
                    continue;
                };
                if date.year() == year || date.year() == year + 1 {
                    closed.push((date, from));
                }
            }
        }
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year + 1, 1, 7),
        ) else {
            return Closures { closed };
        };
        for period in &spec.closed {
            let mut date = period.from.max(first);
            let end = period.to.min(last);
            while date <= end {
                closed.push((date, NaiveTime::MIN));
                date = match date.succ_opt() {
                    Some(d) => d,
                    None => break,
                };
            }
        }
        closed.sort_unstable();
        Closures { closed }
    }

    /// When `date` closes, if it does.
    fn closed_from(&self, date: NaiveDate) -> Option<NaiveTime> {
        let i = self.closed.partition_point(|(d, _)| *d < date);
        self.closed
            .get(i)
            .filter(|(d, _)| *d == date)
            .map(|(_, from)| *from)
    }

    /// The parts of the local range `[start, end)` outside closed hours. A range spans at most
    /// two dates (an overnight range), each closed from its own time to its end.
    fn open_parts(
        &self,
        start: NaiveDateTime,
        end: NaiveDateTime,
    ) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        let mut parts = vec![(start, end)];
        let mut date = start.date();
        while date.and_time(NaiveTime::MIN) < end {
            if let Some(from) = self.closed_from(date) {
                let closed = (
                    date.and_time(from),
                    date.succ_opt().unwrap_or(date).and_time(NaiveTime::MIN),
                );
                parts = parts
                    .into_iter()
                    .flat_map(|(a, b)| {
                        let mut kept = Vec::with_capacity(2);
                        if a < closed.0.min(b) {
                            kept.push((a, closed.0.min(b)));
                        }
                        if closed.1.max(a) < b {
                            kept.push((closed.1.max(a), b));
                        }
                        kept
                    })
                    .collect();
            }
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OpenRange, TimeRange, WeekdaySet};

    fn paris_office() -> BusinessCalendar {
        let open = |days: &str, range: &str| OpenRange {
            days: WeekdaySet::parse(days).unwrap(),
            range: TimeRange::parse(range).unwrap(),
        };
        BusinessCalendar::new(CalendarSpec {
            timezone: Tz::Europe__Paris,
            open: vec![open("mon-fri", "08:00-17:00"), open("sat", "09:00-12:00")],
            holidays: vec![HolidayRule::Easter {
                offset: 1,
                name: "Lundi de Pâques".into(),
            }],
            closed: Vec::new(),
        })
    }

    fn paris(text: &str) -> DateTime<Utc> {
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        to_utc(local_to_utc(Tz::Europe__Paris, local))
    }

    #[test]
    fn business_days_follow_the_reference_examples() {
        let office = paris_office();
        // 2026-03-10 is a Tuesday.
        let cases = [
            ("2026-03-10 15:00", "2026-03-11 15:00"),
            ("2026-03-13 16:30", "2026-03-14 12:00"),
            ("2026-03-14 13:00", "2026-03-17 08:00"),
        ];
        for (start, due) in cases {
            assert_eq!(
                office.due(paris(start), Duration::BusinessDays(1)),
                Some(paris(due)),
                "{start}"
            );
        }
    }

    #[test]
    fn hours_of_open_time_end_at_the_close_not_the_next_open() {
        let office = paris_office();
        let nine_hours = Duration::Millis(9 * 3_600_000);
        assert_eq!(
            office.due(paris("2026-03-09 08:00"), nine_hours),
            Some(paris("2026-03-09 17:00"))
        );
        // Friday 16:00 + 2h: one hour on Friday, one on Saturday morning.
        let two_hours = Duration::Millis(2 * 3_600_000);
        assert_eq!(
            office.due(paris("2026-03-13 16:00"), two_hours),
            Some(paris("2026-03-14 10:00"))
        );
        // Easter Monday 2026 (6 April) is closed: Saturday 11:00 + 2h is Tuesday 09:00.
        assert_eq!(
            office.due(paris("2026-04-04 11:00"), two_hours),
            Some(paris("2026-04-07 09:00"))
        );
    }

    #[test]
    fn open_time_is_real_elapsed_time_across_daylight_saving() {
        let night = BusinessCalendar::new(CalendarSpec {
            timezone: Tz::Europe__Paris,
            open: vec![OpenRange {
                days: WeekdaySet::ALL,
                range: TimeRange::parse("00:00-12:00").unwrap(),
            }],
            holidays: Vec::new(),
            closed: Vec::new(),
        });
        let day = |d: &str| (paris(&format!("{d} 00:00")), paris(&format!("{d} 23:00")));
        let (from, to) = day("2026-03-29");
        assert_eq!(night.open_seconds(from, to), 11 * 3600);
        let (from, to) = day("2026-10-25");
        assert_eq!(night.open_seconds(from, to), 13 * 3600);
    }

    #[test]
    fn a_rolling_month_on_always_allows_43m12s_at_99_9() {
        let at = paris("2026-11-25 12:00");
        let budget = BusinessCalendar::always().budget(
            Window::Rolling(Duration::Millis(30 * 86_400_000)),
            99.9,
            at,
        );
        assert_eq!(budget.open_seconds, 2_592_000);
        assert!((budget.budget_seconds - 2592.0).abs() < 1e-6);
    }

    #[test]
    fn open_intervals_begin_after_a_closure_of_more_than_a_year() {
        let mut spec = paris_office().spec().clone();
        spec.closed.push(crate::ClosedPeriod {
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
            name: None,
        });
        let closed = BusinessCalendar::new(spec);
        let (from, to) = (paris("2026-01-01 00:00"), paris("2027-07-10 00:00"));
        let intervals = closed.open_intervals(from, to);
        assert_eq!(
            intervals.first().map(|i| i.0),
            Some(paris("2027-07-01 08:00"))
        );
        let total: i64 = intervals.iter().map(|(a, b)| (*b - *a).num_seconds()).sum();
        assert_eq!(total, closed.open_seconds(from, to));
    }

    #[test]
    fn no_instant_past_year_9999_is_answered() {
        let office = paris_office();
        let late = paris("9999-12-31 16:00");
        let hour = Duration::Millis(3_600_000);
        assert_eq!(office.due(late, hour), Some(paris("9999-12-31 17:00")));
        assert_eq!(office.due(late, Duration::Millis(2 * 3_600_000)), None);
        assert_eq!(office.due(late, Duration::BusinessDays(1)), None);
        assert_eq!(
            office.due_with_pauses(late, hour, &[(late, late + hour_delta())]),
            None
        );
        assert_eq!(office.next_open(paris("9999-12-31 18:00")), None);
        let always = BusinessCalendar::always();
        let last = to_utc(LAST_INSTANT);
        assert_eq!(always.due(last - hour_delta(), hour), Some(last));
        assert_eq!(always.next_close(last), None);
    }

    fn hour_delta() -> chrono::TimeDelta {
        chrono::TimeDelta::hours(1)
    }

    #[test]
    fn queries_agree_with_each_other() {
        let office = paris_office();
        let start = paris("2026-12-30 16:00");
        for hours in [1, 5, 30, 200] {
            let due = office
                .due(start, Duration::Millis(hours * 3_600_000))
                .unwrap();
            assert_eq!(office.open_seconds(start, due), hours as i64 * 3600);
        }
        assert!(office.is_open(paris("2026-03-09 08:00")));
        assert!(!office.is_open(paris("2026-03-09 17:00")));
        assert_eq!(
            office.next_open(paris("2026-03-09 17:00")),
            Some(paris("2026-03-10 08:00"))
        );
        assert_eq!(
            office.next_close(paris("2026-03-09 07:00")),
            Some(paris("2026-03-09 17:00"))
        );
        let week = office.open_intervals(paris("2026-03-09 00:00"), paris("2026-03-16 00:00"));
        assert_eq!(week.len(), 6);
    }
}
