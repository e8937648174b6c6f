//! The calendar engine against a brute-force reference written straight from the language
//! reference (§3.3 holidays, §3.4 calendars, §5 time arithmetic).
//!
//! The reference, [`Model`], decides for every UTC minute of a bounded window whether the calendar
//! is open and, if so, which local date's open range holds that minute. Every question (open time,
//! deadlines, next opening, business days) is then answered by walking those minutes one by one.
//! It is slow and obviously right; the engine is fast and clever. The tests below check both on
//! hand-computed examples (which also validates the model), then compare them on random calendars
//! and instants weighted towards daylight-saving change days, and check algebraic properties of
//! the engine alone.
//!
//! Minute stepping is exact because every instant, open range, holiday and zone offset used here
//! is a whole number of minutes (the zones tested have offsets in multiples of 30 minutes).

// A panic is a failed test: unwrapping is the clearest way to say "this must be there".
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::OnceLock;

use chrono::{
    DateTime, Datelike, Duration as Span, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone,
    Utc, Weekday,
};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use slac_calendar::{
    easter_sunday, BusinessCalendar, CalendarSpec, ClosedPeriod, Duration, HolidayRule, OpenRange,
    TimeOfDay, TimeRange, WeekdaySet, Window, DAY_MINUTES,
};

// ---------------------------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------------------------

/// Converts a local wall-clock time in `tz` to UTC as §3.4 says: a time that does not exist
/// (spring forward) moves to the first instant after the gap; an ambiguous one (fall back) is the
/// earlier instant.
fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Inside a gap: walk forward minute by minute to the first wall-clock time that
            // exists again. That wall-clock time is the end of the gap, whose instant is the
            // first instant after it.
            let mut later = local;
            loop {
                later += Span::minutes(1);
                if let Some(t) = tz.from_local_datetime(&later).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
        }
    }
}

/// The date a holiday rule closes, tested independently of `HolidayRule::date_in`: does `rule`
/// fall on `date`?
fn holiday_falls_on(rule: &HolidayRule, date: NaiveDate) -> bool {
    match rule {
        HolidayRule::Annual { month, day, .. } => date.month() == *month && date.day() == *day,
        HolidayRule::Easter { offset, .. } => {
            // An offset may carry Easter of a neighbouring year onto `date`.
            (date.year() - 1..=date.year() + 1).any(|year| {
                easter_sunday(year).map(|easter| easter + Span::days(i64::from(*offset)))
                    == Some(date)
            })
        }
        HolidayRule::Date { date: d, .. } => *d == date,
    }
}

/// From which local minute of `date` the calendar is closed by a holiday or a closed period
/// (0 for the whole day), or `None` when nothing closes it.
fn closed_from(spec: &CalendarSpec, date: NaiveDate) -> Option<u32> {
    let mut from: Option<u32> = None;
    let mut close = |minute: u32| from = Some(from.map_or(minute, |m| m.min(minute)));
    for rule in &spec.holidays {
        if holiday_falls_on(rule, date) {
            match rule {
                HolidayRule::Date {
                    from: Some(time), ..
                } => close(time.minutes()),
                _ => close(0),
            }
        }
    }
    for period in &spec.closed {
        if period.from <= date && date <= period.to {
            close(0);
        }
    }
    from
}

/// Local midnight of `date` plus `minutes` (which may run into the next day).
fn wall_clock(date: NaiveDate, minutes: u32) -> NaiveDateTime {
    date.and_hms_opt(0, 0, 0).unwrap() + Span::minutes(i64::from(minutes))
}

/// The brute-force reference: one slot per UTC minute of `[start, start + owner.len() min)`.
struct Model {
    /// The first minute of the window.
    start: DateTime<Utc>,
    /// For each minute of the window: `Some(date)` when the calendar is open during that whole
    /// minute, `date` being the local date its open range started on (§5.3's open day); `None`
    /// when it is closed.
    owner: Vec<Option<NaiveDate>>,
    /// The open days: each local date with open time, and its open minutes (indices into
    /// `owner`) in order.
    days: BTreeMap<NaiveDate, Vec<usize>>,
}

impl Model {
    /// Builds the model of `spec` over `[from, to)`, both minute-aligned.
    fn new(spec: &CalendarSpec, from: DateTime<Utc>, to: DateTime<Utc>) -> Model {
        assert_eq!(from.timestamp() % 60, 0, "window must be minute-aligned");
        let len = (to - from).num_minutes();
        let mut owner: Vec<Option<NaiveDate>> = vec![None; len as usize];
        // The slot of instant `t`, clamped to the window.
        let slot = |t: DateTime<Utc>| (t - from).num_minutes().clamp(0, len) as usize;
        let tz = spec.timezone;
        // Local dates whose ranges or closures can reach the window (ranges last at most a
        // day; offsets are under 15 hours).
        let first = from.with_timezone(&tz).date_naive() - Span::days(2);
        let last = to.with_timezone(&tz).date_naive() + Span::days(2);
        let dates: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();

        // 1. Open ranges: on each date whose weekday the range lists, from the local start to
        //    the local end (the next day when the range wraps past midnight; 24:00 is the next
        //    midnight), each converted to UTC by the gap/ambiguity rules.
        for &date in &dates {
            for open in &spec.open {
                if !open.days.contains(date.weekday()) {
                    continue;
                }
                let start = open.range.start.minutes();
                let end = if open.range.end <= open.range.start {
                    open.range.end.minutes() + DAY_MINUTES
                } else {
                    open.range.end.minutes()
                };
                let utc_start = local_to_utc(tz, wall_clock(date, start));
                let utc_end = local_to_utc(tz, wall_clock(date, end));
                for minute in &mut owner[slot(utc_start)..slot(utc_end)] {
                    assert!(
                        minute.is_none(),
                        "the generator made overlapping open ranges: {spec:?}"
                    );
                    *minute = Some(date);
                }
            }
        }

        // 2. Closures: a holiday closes its local date from 00:00 (or its `from` time) to the
        //    next local midnight, whichever range those hours belong to; a closed period closes
        //    each of its dates whole.
        for &date in &dates {
            if let Some(from_minute) = closed_from(spec, date) {
                let utc_start = local_to_utc(tz, wall_clock(date, from_minute));
                let utc_end = local_to_utc(tz, wall_clock(date, DAY_MINUTES));
                for minute in &mut owner[slot(utc_start)..slot(utc_end)] {
                    *minute = None;
                }
            }
        }

        // 3. The open days and their open minutes.
        let mut days: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
        for (index, minute) in owner.iter().enumerate() {
            if let Some(date) = minute {
                days.entry(*date).or_default().push(index);
            }
        }
        Model {
            start: from,
            owner,
            days,
        }
    }

    /// The slot of minute-aligned instant `t`, which must lie in the window (its end included).
    fn index(&self, t: DateTime<Utc>) -> usize {
        assert_eq!(t.timestamp() % 60, 0, "{t} is not minute-aligned");
        let index = (t - self.start).num_minutes();
        assert!(
            (0..=self.owner.len() as i64).contains(&index),
            "{t} is outside the model's window"
        );
        index as usize
    }

    fn instant(&self, index: usize) -> DateTime<Utc> {
        self.start + Span::minutes(index as i64)
    }

    fn open_at(&self, index: usize) -> bool {
        self.owner[index].is_some()
    }

    fn is_open(&self, t: DateTime<Utc>) -> bool {
        self.open_at(self.index(t))
    }

    /// Open minutes in `[from, to)`, times 60.
    fn open_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let open = (self.index(from)..self.index(to))
            .filter(|&i| self.open_at(i))
            .count();
        open as i64 * 60
    }

    /// The end of the minute that completes `minutes` open minutes from `start`, not counting
    /// minutes inside a pause (`[from, to)`).
    fn due_minutes(
        &self,
        start: DateTime<Utc>,
        minutes: u64,
        pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> DateTime<Utc> {
        if minutes == 0 {
            return start;
        }
        let mut elapsed = 0;
        for index in self.index(start)..self.owner.len() {
            let t = self.instant(index);
            let paused = pauses.iter().any(|&(from, to)| from <= t && t < to);
            if self.open_at(index) && !paused {
                elapsed += 1;
                if elapsed == minutes {
                    return self.instant(index + 1);
                }
            }
        }
        panic!("the deadline lies beyond the model's window");
    }

    /// §5.3: `n` business days from `t`.
    fn due_business_days(&self, t: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        // s: the first open instant at or after t; its open day is the date of its range.
        let s = self.index(self.next_open(t).unwrap());
        let day = self.owner[s].unwrap();
        // o: the open minutes of that day before s.
        let offset = self.days[&day].iter().filter(|&&i| i < s).count();
        // The n-th following open day (a local date with open time).
        let (_, minutes) = self
            .days
            .range(day..)
            .nth(n as usize)
            .expect("the n-th open day lies beyond the model's window");
        assert!(
            *minutes.last().unwrap() + 1 < self.owner.len(),
            "the n-th open day may run past the model's window"
        );
        // The instant with o open minutes of that day behind it, capped at its close (the end
        // of its last open minute). When o falls where the day pauses between two of its ranges,
        // both the end of the earlier range and the start of the later have offset o: the
        // deadline is the open instant, the start of the later range (as s itself is an open
        // instant: opened at the start of the afternoon, due at the start of the afternoon).
        // That is the start of the day's (o + 1)-th open minute, and its first open instant
        // when o is 0.
        match minutes.get(offset) {
            Some(&minute) => self.instant(minute),
            None => self.instant(*minutes.last().unwrap() + 1),
        }
    }

    fn due(&self, start: DateTime<Utc>, within: Duration) -> DateTime<Utc> {
        self.due_with_pauses(start, within, &[])
    }

    fn due_with_pauses(
        &self,
        start: DateTime<Utc>,
        within: Duration,
        pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> DateTime<Utc> {
        match within {
            Duration::Millis(ms) => {
                assert_eq!(ms % 60_000, 0, "the model only knows whole minutes");
                self.due_minutes(start, ms / 60_000, pauses)
            }
            Duration::BusinessDays(n) => {
                assert!(pauses.is_empty(), "business days are not paused");
                self.due_business_days(start, n)
            }
        }
    }

    /// `t` when open, else the start of the next open minute; `None` beyond the window.
    fn next_open(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (self.index(t)..self.owner.len())
            .find(|&i| self.open_at(i))
            .map(|i| self.instant(i))
    }

    /// The first closed minute after the open stretch holding `t` (or the next one); `None`
    /// beyond the window.
    fn next_close(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let open = self.index(self.next_open(t)?);
        (open..self.owner.len())
            .find(|&i| !self.open_at(i))
            .map(|i| self.instant(i))
    }

    /// The maximal stretches of open minutes within `[from, to)`.
    fn open_intervals(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut intervals: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        if to <= from {
            return intervals;
        }
        for index in self.index(from)..self.index(to) {
            if !self.open_at(index) {
                continue;
            }
            let (start, end) = (self.instant(index), self.instant(index + 1));
            match intervals.last_mut() {
                Some(last) if last.1 == start => last.1 = end,
                _ => intervals.push((start, end)),
            }
        }
        intervals
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for hand-written examples
// ---------------------------------------------------------------------------------------------

const PARIS: Tz = Tz::Europe__Paris;
const NEW_YORK: Tz = Tz::America__New_York;
const LORD_HOWE: Tz = Tz::Australia__Lord_Howe;

/// A UTC instant written `YYYY-MM-DD HH:MM`.
fn utc(text: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_utc()
}

/// A local wall-clock time written `YYYY-MM-DD HH:MM` that exists exactly once in `tz`.
fn local(tz: Tz, text: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive)
        .single()
        .unwrap_or_else(|| panic!("{text} is not a unique local time in {tz}"))
        .with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn open(days: &str, range: &str) -> OpenRange {
    OpenRange {
        days: WeekdaySet::parse(days).unwrap(),
        range: TimeRange::parse(range).unwrap(),
    }
}

fn calendar(tz: Tz, open: Vec<OpenRange>) -> CalendarSpec {
    CalendarSpec {
        timezone: tz,
        open,
        holidays: Vec::new(),
        closed: Vec::new(),
    }
}

fn annual(month: u32, day: u32, name: &str) -> HolidayRule {
    HolidayRule::Annual {
        month,
        day,
        name: name.into(),
    }
}

fn easter(offset: i32, name: &str) -> HolidayRule {
    HolidayRule::Easter {
        offset,
        name: name.into(),
    }
}

fn on_date(day: &str, from: Option<&str>, name: &str) -> HolidayRule {
    HolidayRule::Date {
        date: date(day),
        from: from.map(|f| TimeOfDay::parse(f).unwrap()),
        name: name.into(),
    }
}

/// The `france` holidays of §3.3.
fn france() -> Vec<HolidayRule> {
    vec![
        annual(1, 1, "Jour de l'an"),
        annual(5, 1, "Fête du travail"),
        annual(7, 14, "Fête nationale"),
        annual(12, 25, "Noël"),
        easter(1, "Lundi de Pâques"),
        easter(39, "Ascension"),
        easter(50, "Lundi de Pentecôte"),
        on_date("2026-12-24", Some("12:00"), "Veille de Noël"),
    ]
}

/// `paris_office` of §3.4.
fn paris_office() -> CalendarSpec {
    CalendarSpec {
        timezone: PARIS,
        open: vec![open("mon-fri", "08:00-17:00"), open("sat", "09:00-12:00")],
        holidays: france(),
        closed: vec![ClosedPeriod {
            from: date("2026-08-10"),
            to: date("2026-08-21"),
            name: Some("Fermeture estivale".into()),
        }],
    }
}

/// `night_desk` of §3.4.
fn night_desk() -> CalendarSpec {
    calendar(NEW_YORK, vec![open("mon-fri", "22:00-06:00")])
}

const HOUR: i64 = 3600;

/// The engine and the model of one calendar over a window. Each check asserts that both give the
/// hand-computed answer, so the examples test the engine and validate the model at once.
struct Both {
    engine: BusinessCalendar,
    model: Model,
}

fn agree<T: PartialEq + Debug>(what: String, engine: T, model: T, expected: T) {
    assert_eq!(model, expected, "model: {what}");
    assert_eq!(engine, expected, "engine: {what}");
}

impl Both {
    fn new(spec: CalendarSpec, from: DateTime<Utc>, to: DateTime<Utc>) -> Both {
        Both {
            model: Model::new(&spec, from, to),
            engine: BusinessCalendar::new(spec),
        }
    }

    fn is_open(&self, t: DateTime<Utc>, expected: bool) {
        agree(
            format!("is_open({t})"),
            self.engine.is_open(t),
            self.model.is_open(t),
            expected,
        );
    }

    fn open_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>, expected: i64) {
        agree(
            format!("open_seconds({from}, {to})"),
            self.engine.open_seconds(from, to),
            self.model.open_seconds(from, to),
            expected,
        );
    }

    fn due(&self, start: DateTime<Utc>, within: &str, expected: DateTime<Utc>) {
        let within = Duration::parse(within).unwrap();
        agree(
            format!("due({start}, {within})"),
            self.engine.due(start, within),
            Some(self.model.due(start, within)),
            Some(expected),
        );
    }

    fn next_open(&self, t: DateTime<Utc>, expected: DateTime<Utc>) {
        agree(
            format!("next_open({t})"),
            self.engine.next_open(t),
            self.model.next_open(t),
            Some(expected),
        );
    }

    fn next_close(&self, t: DateTime<Utc>, expected: DateTime<Utc>) {
        agree(
            format!("next_close({t})"),
            self.engine.next_close(t),
            self.model.next_close(t),
            Some(expected),
        );
    }

    fn open_intervals(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        expected: &[(DateTime<Utc>, DateTime<Utc>)],
    ) {
        agree(
            format!("open_intervals({from}, {to})"),
            self.engine.open_intervals(from, to),
            self.model.open_intervals(from, to),
            expected.to_vec(),
        );
    }
}

/// A model window of a few weeks around a month of local dates.
fn around(tz: Tz, first: &str, last: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        local(tz, &format!("{first} 12:00")) - Span::days(3),
        local(tz, &format!("{last} 12:00")) + Span::days(21),
    )
}

// ---------------------------------------------------------------------------------------------
// 1. The examples of §5.2 and §5.3
// ---------------------------------------------------------------------------------------------

#[test]
fn business_day_examples_of_the_reference() {
    let (from, to) = around(PARIS, "2026-03-01", "2026-03-31");
    let office = Both::new(paris_office(), from, to);
    let at = |text: &str| local(PARIS, text);
    assert_eq!(date("2026-03-10").weekday(), Weekday::Tue);
    // Opened Tue 15:00 → 1bd due Wed 15:00.
    office.due(at("2026-03-10 15:00"), "1bd", at("2026-03-11 15:00"));
    // Opened Fri 16:30 → 1bd due Sat 12:00: the offset 8h30 is capped at Saturday's close.
    office.due(at("2026-03-13 16:30"), "1bd", at("2026-03-14 12:00"));
    // Opened Sat 13:00 (closed) → s is Mon 08:00 with offset 0 → Tue 08:00.
    office.due(at("2026-03-14 13:00"), "1bd", at("2026-03-17 08:00"));
    // More days, and a Saturday offset that fits.
    office.due(at("2026-03-10 15:00"), "2bd", at("2026-03-12 15:00"));
    office.due(at("2026-03-10 15:00"), "3bd", at("2026-03-13 15:00"));
    office.due(at("2026-03-10 15:00"), "4bd", at("2026-03-14 12:00"));
    office.due(at("2026-03-10 15:00"), "5bd", at("2026-03-16 15:00"));
    office.due(at("2026-03-13 10:00"), "1bd", at("2026-03-14 11:00"));
    // Opened before the day opens: offset 0.
    office.due(at("2026-03-10 06:00"), "1bd", at("2026-03-11 08:00"));
    // Opened on Saturday morning: offset 1h into Monday.
    office.due(at("2026-03-14 10:00"), "1bd", at("2026-03-16 09:00"));
}

#[test]
fn ticket_clock_examples_of_the_reference() {
    let (from, to) = around(PARIS, "2026-03-01", "2026-03-31");
    let office = Both::new(paris_office(), from, to);
    let at = |text: &str| local(PARIS, text);
    // §5.2: 9h from 08:00 on an 08:00-17:00 day is 17:00 that day, not 08:00 the next.
    office.due(at("2026-03-09 08:00"), "9h", at("2026-03-09 17:00"));
    office.due(at("2026-03-09 08:00"), "9h1m", at("2026-03-10 08:01"));
    // Friday 16:00 + 4h: 1h on Friday, 3h on Saturday (all of it), ending at Saturday close.
    office.due(at("2026-03-13 16:00"), "4h", at("2026-03-14 12:00"));
    office.due(at("2026-03-13 16:00"), "4h30m", at("2026-03-16 08:30"));
    // Started while closed: the clock starts at the next opening.
    office.due(at("2026-03-10 20:00"), "30m", at("2026-03-11 08:30"));
    // A week of open time: 5 × 9h + 3h.
    office.open_seconds(at("2026-03-09 00:00"), at("2026-03-16 00:00"), 48 * HOUR);
    office.open_seconds(at("2026-03-16 00:00"), at("2026-03-09 00:00"), 0);
    office.is_open(at("2026-03-09 08:00"), true);
    office.is_open(at("2026-03-09 16:59"), true);
    office.is_open(at("2026-03-09 17:00"), false);
    office.is_open(at("2026-03-09 07:59"), false);
    office.next_open(at("2026-03-13 17:00"), at("2026-03-14 09:00"));
    office.next_open(at("2026-03-13 10:00"), at("2026-03-13 10:00"));
    office.next_close(at("2026-03-13 10:00"), at("2026-03-13 17:00"));
    office.next_close(at("2026-03-14 13:00"), at("2026-03-16 17:00"));
    office.open_intervals(
        at("2026-03-13 12:00"),
        at("2026-03-16 10:00"),
        &[
            (at("2026-03-13 12:00"), at("2026-03-13 17:00")),
            (at("2026-03-14 09:00"), at("2026-03-14 12:00")),
            (at("2026-03-16 08:00"), at("2026-03-16 10:00")),
        ],
    );
}

#[test]
fn zero_and_sub_minute_durations() {
    // The earliest instant at which nothing has elapsed is the start itself.
    let always = BusinessCalendar::always();
    let t = utc("2026-05-05 10:00");
    assert_eq!(always.due(t, Duration::Millis(0)), Some(t));
    // Milliseconds round up to the second (the engine's documented contract).
    assert_eq!(
        always.due(t, Duration::Millis(1_500)),
        Some(t + Span::seconds(2))
    );
    assert_eq!(
        always.due(t, Duration::Millis(1_000)),
        Some(t + Span::seconds(1))
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Daylight saving
// ---------------------------------------------------------------------------------------------

/// The UTC offset of `tz` at `t`, in minutes.
fn offset_minutes(tz: Tz, t: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
        / 60
}

#[test]
fn the_change_days_are_the_ones_we_think() {
    // (zone, UTC instant of the change, offset before, offset after), in minutes.
    for (tz, change, before, after) in [
        (PARIS, "2026-03-29 01:00", 60, 120),
        (PARIS, "2026-10-25 01:00", 120, 60),
        (NEW_YORK, "2026-03-08 07:00", -300, -240),
        (NEW_YORK, "2026-11-01 06:00", -240, -300),
        // Lord Howe: 02:00 +11:00 → 01:30 +10:30 on Sunday 5 April; 02:00 +10:30 → 02:30
        // +11:00 on Sunday 4 October.
        (LORD_HOWE, "2026-04-04 15:00", 660, 630),
        (LORD_HOWE, "2026-10-03 15:30", 630, 660),
    ] {
        let t = utc(change);
        assert_eq!(
            offset_minutes(tz, t - Span::minutes(1)),
            before,
            "{tz} {change}"
        );
        assert_eq!(offset_minutes(tz, t), after, "{tz} {change}");
    }
    for day in [
        "2026-03-29",
        "2026-10-25",
        "2026-03-08",
        "2026-11-01",
        "2026-04-05",
        "2026-10-04",
    ] {
        assert_eq!(date(day).weekday(), Weekday::Sun, "{day}");
    }
}

/// Open time of the local day `day` in `tz` (from its midnight to the next).
fn whole_day(tz: Tz, day: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = local(tz, &format!("{day} 00:00"));
    let next = date(day) + Span::days(1);
    (midnight, local(tz, &format!("{next} 00:00")))
}

#[test]
fn paris_change_days_have_their_real_length() {
    let (from, to) = around(PARIS, "2026-03-20", "2026-11-01");
    let check = |open_range: &str, day: &str, hours_minutes: i64| {
        let both = Both::new(calendar(PARIS, vec![open("daily", open_range)]), from, to);
        let (start, end) = whole_day(PARIS, day);
        both.open_seconds(start, end, hours_minutes * 60);
    };
    // Spring forward, 02:00 → 03:00.
    check("00:00-24:00", "2026-03-29", 23 * 60);
    check("00:00-12:00", "2026-03-29", 11 * 60);
    check("01:00-04:00", "2026-03-29", 2 * 60);
    check("08:00-17:00", "2026-03-29", 9 * 60);
    check("00:00-24:00", "2026-03-28", 24 * 60);
    // Fall back, 03:00 → 02:00.
    check("00:00-24:00", "2026-10-25", 25 * 60);
    check("00:00-12:00", "2026-10-25", 13 * 60);
    check("01:00-04:00", "2026-10-25", 4 * 60);
    check("08:00-17:00", "2026-10-25", 9 * 60);
    check("00:00-00:00", "2026-10-25", 25 * 60);
}

#[test]
fn paris_gap_and_ambiguous_starts() {
    let (from, to) = around(PARIS, "2026-03-20", "2026-11-01");
    let both = Both::new(
        calendar(PARIS, vec![open("daily", "02:30-05:00")]),
        from,
        to,
    );
    // 02:30 does not exist on 29 March: the range starts at 03:00 CEST (01:00 UTC) and ends at
    // 05:00 CEST (03:00 UTC).
    both.is_open(utc("2026-03-29 00:59"), false);
    both.is_open(utc("2026-03-29 01:00"), true);
    both.next_open(utc("2026-03-28 23:00"), utc("2026-03-29 01:00"));
    both.next_close(utc("2026-03-29 01:00"), utc("2026-03-29 03:00"));
    let (start, end) = whole_day(PARIS, "2026-03-29");
    both.open_seconds(start, end, 2 * HOUR);
    both.open_intervals(
        start,
        end,
        &[(utc("2026-03-29 01:00"), utc("2026-03-29 03:00"))],
    );
    // 02:30 happens twice on 25 October: the range starts at the earlier one, 02:30 CEST
    // (00:30 UTC), and ends at 05:00 CET (04:00 UTC).
    both.is_open(utc("2026-10-25 00:29"), false);
    both.is_open(utc("2026-10-25 00:30"), true);
    both.is_open(utc("2026-10-25 01:30"), true);
    both.is_open(utc("2026-10-25 03:59"), true);
    both.is_open(utc("2026-10-25 04:00"), false);
    let (start, end) = whole_day(PARIS, "2026-10-25");
    both.open_seconds(start, end, 3 * HOUR + 30 * 60);
    both.next_open(start, utc("2026-10-25 00:30"));
    both.due(utc("2026-10-25 00:30"), "3h", utc("2026-10-25 03:30"));
    both.due(utc("2026-10-25 00:30"), "3h30m", utc("2026-10-25 04:00"));
    both.due(utc("2026-10-25 00:30"), "3h31m", utc("2026-10-26 01:31"));
    // A range wholly inside the gap never opens that day.
    let gap = Both::new(
        calendar(PARIS, vec![open("daily", "02:15-02:45")]),
        from,
        to,
    );
    let (start, end) = whole_day(PARIS, "2026-03-29");
    gap.open_seconds(start, end, 0);
    gap.next_open(start, utc("2026-03-30 00:15"));
    // Business days count it as no open day: 1bd from Saturday's opening lands on Monday.
    gap.due(utc("2026-03-28 01:15"), "1bd", utc("2026-03-30 00:15"));
    // Both ends ambiguous: the earlier instants, so 30 minutes once.
    let (start, end) = whole_day(PARIS, "2026-10-25");
    gap.open_seconds(start, end, 30 * 60);
    gap.open_intervals(
        start,
        end,
        &[(utc("2026-10-25 00:15"), utc("2026-10-25 00:45"))],
    );
}

#[test]
fn overnight_ranges_across_a_change() {
    let (from, to) = around(PARIS, "2026-03-20", "2026-11-01");
    let both = Both::new(calendar(PARIS, vec![open("sat", "22:00-06:00")]), from, to);
    // Sat 22:00 CET (21:00 UTC) → Sun 06:00 CEST (04:00 UTC): 7 h.
    both.open_seconds(utc("2026-03-28 00:00"), utc("2026-03-30 00:00"), 7 * HOUR);
    both.next_close(utc("2026-03-28 22:00"), utc("2026-03-29 04:00"));
    // Sat 22:00 CEST (20:00 UTC) → Sun 06:00 CET (05:00 UTC): 9 h.
    both.open_seconds(utc("2026-10-24 00:00"), utc("2026-10-26 00:00"), 9 * HOUR);
    both.next_open(utc("2026-10-24 00:00"), utc("2026-10-24 20:00"));
    both.next_close(utc("2026-10-24 20:00"), utc("2026-10-25 05:00"));
}

#[test]
fn new_york_change_days() {
    let (from, to) = around(NEW_YORK, "2026-03-01", "2026-11-05");
    let check = |open_range: &str, day: &str, minutes: i64| {
        let both = Both::new(
            calendar(NEW_YORK, vec![open("daily", open_range)]),
            from,
            to,
        );
        let (start, end) = whole_day(NEW_YORK, day);
        both.open_seconds(start, end, minutes * 60);
    };
    check("00:00-24:00", "2026-03-08", 23 * 60);
    check("01:00-04:00", "2026-03-08", 2 * 60);
    check("08:00-17:00", "2026-03-08", 9 * 60);
    check("02:15-03:15", "2026-03-08", 15);
    check("00:00-24:00", "2026-11-01", 25 * 60);
    check("01:00-04:00", "2026-11-01", 4 * 60);
    check("01:30-01:45", "2026-11-01", 15);
    let both = Both::new(
        calendar(NEW_YORK, vec![open("daily", "01:00-04:00")]),
        from,
        to,
    );
    // 01:00 on 1 November is ambiguous: the earlier is 01:00 EDT = 05:00 UTC; 04:00 EST = 09:00.
    both.next_open(utc("2026-11-01 04:00"), utc("2026-11-01 05:00"));
    both.next_close(utc("2026-11-01 05:00"), utc("2026-11-01 09:00"));
    // On 8 March: 01:00 EST = 06:00 UTC to 04:00 EDT = 08:00 UTC.
    both.next_open(utc("2026-03-08 00:00"), utc("2026-03-08 06:00"));
    both.next_close(utc("2026-03-08 06:00"), utc("2026-03-08 08:00"));
    let gap = Both::new(
        calendar(NEW_YORK, vec![open("daily", "02:15-03:15")]),
        from,
        to,
    );
    // 02:15 does not exist on 8 March: the range starts at 03:00 EDT (07:00 UTC).
    gap.next_open(utc("2026-03-08 05:00"), utc("2026-03-08 07:00"));
    gap.next_close(utc("2026-03-08 07:00"), utc("2026-03-08 07:15"));
}

#[test]
fn new_york_night_desk_across_the_change() {
    let (from, to) = around(NEW_YORK, "2026-03-01", "2026-03-15");
    let night = Both::new(
        calendar(NEW_YORK, vec![open("daily", "22:00-06:00")]),
        from,
        to,
    );
    // Sat 7 March 22:00 EST (03:00 UTC) → Sun 06:00 EDT (10:00 UTC): 7 h.
    night.open_seconds(utc("2026-03-08 00:00"), utc("2026-03-08 20:00"), 7 * HOUR);
    // 1bd from Sat 23:00 EST: offset 1 h → Sun 23:00 EDT (Mon 03:00 UTC).
    night.due(utc("2026-03-08 04:00"), "1bd", utc("2026-03-09 03:00"));
    // 1bd from Sun 05:00 EDT (09:00 UTC), in Saturday's range: offset 6 h of real time
    // (03:00 → 09:00 UTC) → Sunday's range 22:00 EDT + 6 h = Mon 04:00 EDT (08:00 UTC).
    night.due(utc("2026-03-08 09:00"), "1bd", utc("2026-03-09 08:00"));
    // Offset 7 h (all of Saturday's shortened night) fits in an 8 h night.
    night.due(utc("2026-03-08 09:59"), "1bd", utc("2026-03-09 08:59"));
    // Friday's 8 h night → Saturday's 7 h night: capped at its close.
    night.due(utc("2026-03-07 10:59"), "1bd", utc("2026-03-08 10:00"));
}

#[test]
fn lord_howe_half_hour_changes() {
    let (from, to) = around(LORD_HOWE, "2026-03-25", "2026-10-10");
    let check = |open_range: &str, day: &str, minutes: i64| {
        let both = Both::new(
            calendar(LORD_HOWE, vec![open("daily", open_range)]),
            from,
            to,
        );
        let (start, end) = whole_day(LORD_HOWE, day);
        both.open_seconds(start, end, minutes * 60);
    };
    // Fall back, 02:00 +11:00 → 01:30 +10:30.
    check("00:00-24:00", "2026-04-05", 24 * 60 + 30);
    check("01:00-04:00", "2026-04-05", 3 * 60 + 30);
    check("08:00-17:00", "2026-04-05", 9 * 60);
    // Spring forward, 02:00 +10:30 → 02:30 +11:00.
    check("00:00-24:00", "2026-10-04", 23 * 60 + 30);
    check("01:00-04:00", "2026-10-04", 2 * 60 + 30);
    check("02:10-03:00", "2026-10-04", 30);
    check("02:00-02:30", "2026-10-04", 0);
    let ambiguous = Both::new(
        calendar(LORD_HOWE, vec![open("daily", "01:45-03:00")]),
        from,
        to,
    );
    // 01:45 on 5 April is ambiguous: the earlier is 01:45 +11:00 = 14:45 UTC on 4 April; the
    // range ends at 03:00 +10:30 = 16:30 UTC.
    ambiguous.next_open(utc("2026-04-04 12:00"), utc("2026-04-04 14:45"));
    ambiguous.next_close(utc("2026-04-04 14:45"), utc("2026-04-04 16:30"));
    let gap = Both::new(
        calendar(LORD_HOWE, vec![open("daily", "02:10-03:00")]),
        from,
        to,
    );
    // 02:10 does not exist on 4 October: the range opens at 02:30 +11:00 = 15:30 UTC.
    gap.next_open(utc("2026-10-03 12:00"), utc("2026-10-03 15:30"));
    gap.next_close(utc("2026-10-03 15:30"), utc("2026-10-03 16:00"));
}

// ---------------------------------------------------------------------------------------------
// 3. Holidays and closed periods
// ---------------------------------------------------------------------------------------------

#[test]
fn easter_sundays_2024_to_2030() {
    for (year, day) in [
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2027, "2027-03-28"),
        (2028, "2028-04-16"),
        (2029, "2029-04-01"),
        (2030, "2030-04-21"),
    ] {
        assert_eq!(easter_sunday(year), Some(date(day)), "{year}");
    }
}

#[test]
fn easter_holidays_close_their_day() {
    for easter_day in [
        "2024-03-31",
        "2025-04-20",
        "2026-04-05",
        "2027-03-28",
        "2028-04-16",
        "2029-04-01",
        "2030-04-21",
    ] {
        let sunday = date(easter_day);
        let (from, _) = around(PARIS, easter_day, easter_day);
        let to = from + Span::days(60);
        let office = Both::new(paris_office(), from, to);
        for (offset, weekday) in [(1, Weekday::Mon), (39, Weekday::Thu), (50, Weekday::Mon)] {
            let holiday = sunday + Span::days(offset);
            assert_eq!(holiday.weekday(), weekday, "{holiday}");
            let (start, end) = whole_day(PARIS, &holiday.to_string());
            office.is_open(local(PARIS, &format!("{holiday} 10:00")), false);
            office.open_seconds(start, end, 0);
            // The next day is an ordinary working day.
            let next = holiday + Span::days(1);
            office.is_open(local(PARIS, &format!("{next} 10:00")), true);
            // The day before too (none of them follows another holiday of the set).
            let before = holiday - Span::days(1);
            if before.weekday() != Weekday::Sun {
                office.is_open(local(PARIS, &format!("{before} 10:00")), true);
            }
            // 1bd from the day before skips the holiday.
            if before.weekday() != Weekday::Sun {
                let after = if next.weekday() == Weekday::Sun {
                    next + Span::days(1)
                } else {
                    next
                };
                office.due(
                    local(PARIS, &format!("{before} 10:00")),
                    "1bd",
                    local(PARIS, &format!("{after} 10:00")),
                );
            }
        }
    }
}

#[test]
fn annual_partial_and_closed_periods() {
    let (from, to) = around(PARIS, "2026-07-01", "2026-12-31");
    let office = Both::new(paris_office(), from, to);
    let at = |text: &str| local(PARIS, text);
    // 14 July 2026 is a Tuesday: that week has 4 × 9h + 3h.
    assert_eq!(date("2026-07-14").weekday(), Weekday::Tue);
    office.is_open(at("2026-07-14 10:00"), false);
    office.open_seconds(at("2026-07-13 00:00"), at("2026-07-20 00:00"), 39 * HOUR);
    office.due(at("2026-07-13 16:00"), "2h", at("2026-07-15 09:00"));
    office.due(at("2026-07-13 16:00"), "1bd", at("2026-07-15 16:00"));
    // Christmas Eve closes from 12:00: Thursday 24 December is open 08:00-12:00.
    office.is_open(at("2026-12-24 11:59"), true);
    office.is_open(at("2026-12-24 12:00"), false);
    let (start, end) = whole_day(PARIS, "2026-12-24");
    office.open_seconds(start, end, 4 * HOUR);
    office.next_close(at("2026-12-24 09:00"), at("2026-12-24 12:00"));
    // Christmas (Friday) is closed too; Saturday the 26th opens.
    office.next_open(at("2026-12-24 12:00"), at("2026-12-26 09:00"));
    office.due(at("2026-12-24 11:00"), "2h", at("2026-12-26 10:00"));
    // 1bd from Christmas Eve 11:00 (offset 3h) → Saturday, capped at 12:00.
    office.due(at("2026-12-24 11:00"), "1bd", at("2026-12-26 12:00"));
    // 1bd from Christmas Eve 13:00 (closed) → s is Saturday 09:00, offset 0 → Monday 08:00.
    office.due(at("2026-12-24 13:00"), "1bd", at("2026-12-28 08:00"));
    // The summer closure, Monday 10 to Friday 21 August 2026, Saturday 15th included.
    office.open_seconds(at("2026-08-10 00:00"), at("2026-08-22 00:00"), 0);
    office.is_open(at("2026-08-15 10:00"), false);
    office.next_open(at("2026-08-08 12:00"), at("2026-08-22 09:00"));
    office.due(at("2026-08-08 10:00"), "1bd", at("2026-08-22 10:00"));
    office.due(at("2026-08-07 10:00"), "1bd", at("2026-08-08 11:00"));
    office.due(at("2026-08-08 10:00"), "3h", at("2026-08-22 10:00"));
}

#[test]
fn a_holiday_inside_an_overnight_range_closes_only_its_date() {
    let mut spec = night_desk();
    spec.holidays = vec![on_date("2026-07-07", None, "Tuesday off")];
    let (from, to) = around(NEW_YORK, "2026-07-01", "2026-07-31");
    let night = Both::new(spec, from, to);
    let at = |text: &str| local(NEW_YORK, text);
    assert_eq!(date("2026-07-07").weekday(), Weekday::Tue);
    // Monday's night: 22:00-24:00 open, Tuesday 00:00-06:00 closed.
    night.is_open(at("2026-07-06 23:59"), true);
    night.is_open(at("2026-07-07 00:00"), false);
    night.is_open(at("2026-07-07 05:00"), false);
    night.next_close(at("2026-07-06 22:00"), at("2026-07-07 00:00"));
    // Tuesday's night: 22:00-24:00 closed, Wednesday 00:00-06:00 open.
    night.is_open(at("2026-07-07 23:00"), false);
    night.next_open(at("2026-07-07 00:00"), at("2026-07-08 00:00"));
    night.next_close(at("2026-07-07 12:00"), at("2026-07-08 06:00"));
    // Monday to Wednesday: 2h + 6h + 8h (Wednesday's full night runs to Thursday 06:00).
    night.open_seconds(at("2026-07-06 00:00"), at("2026-07-09 06:00"), 16 * HOUR);
    // Tuesday is still an open day (its range keeps Wednesday 00:00-06:00): 1bd from Monday
    // 23:00 (offset 1h) → Tuesday's first open instant + 1h = Wednesday 01:00.
    night.due(at("2026-07-06 23:00"), "1bd", at("2026-07-08 01:00"));
    // 1bd from Sunday (closed): s = Monday 22:00 (offset 0) → Tuesday's opening, Wed 00:00.
    night.due(at("2026-07-05 12:00"), "1bd", at("2026-07-08 00:00"));
    // 3h from Monday 23:00: 1h on Monday, then Wednesday 00:00-02:00.
    night.due(at("2026-07-06 23:00"), "3h", at("2026-07-08 02:00"));

    // A partial holiday from 23:00 on the Tuesday closes only Tuesday 23:00-24:00.
    let mut spec = night_desk();
    spec.holidays = vec![on_date("2026-07-07", Some("23:00"), "Tuesday evening off")];
    let partial = Both::new(spec, from, to);
    partial.is_open(at("2026-07-07 05:00"), true);
    partial.is_open(at("2026-07-07 22:30"), true);
    partial.is_open(at("2026-07-07 23:00"), false);
    partial.is_open(at("2026-07-08 00:00"), true);
    partial.open_seconds(at("2026-07-06 00:00"), at("2026-07-09 06:00"), 23 * HOUR);
}

#[test]
fn holidays_on_change_days() {
    // Lord Howe falls back on Easter Sunday 2026 (5 April): a daily calendar with `easter +0`
    // loses that whole 24.5 h day.
    let mut spec = calendar(LORD_HOWE, vec![open("daily", "00:00-24:00")]);
    spec.holidays = vec![easter(0, "Easter Sunday")];
    let (from, to) = around(LORD_HOWE, "2026-04-01", "2026-04-10");
    let both = Both::new(spec, from, to);
    let (start, end) = whole_day(LORD_HOWE, "2026-04-05");
    both.open_seconds(start, end, 0);
    both.open_seconds(start - Span::days(1), end + Span::days(1), 48 * HOUR);
    both.next_close(start - Span::hours(3), start);
    both.next_open(start, end);
    // A holiday from 01:45 on that day closes from the earlier 01:45 (+11:00).
    let mut spec = calendar(LORD_HOWE, vec![open("daily", "00:00-24:00")]);
    spec.holidays = vec![on_date("2026-04-05", Some("01:45"), "late")];
    let both = Both::new(spec, from, to);
    both.next_close(start, utc("2026-04-04 14:45"));
    both.open_seconds(start, end, HOUR + 45 * 60);
}

#[test]
fn overnight_ranges_across_new_year() {
    // Nights from 22:00 to 06:00 with New Year's Day off: 31 December 22:00-24:00 stays open,
    // 1 January 00:00-06:00 and 22:00-24:00 close, 2 January 00:00-06:00 (the range of 1
    // January) opens.
    for (tz, new_year) in [(PARIS, "2026-12-31 23:00"), (LORD_HOWE, "2026-12-31 13:00")] {
        let mut spec = calendar(tz, vec![open("daily", "22:00-06:00")]);
        spec.holidays = vec![annual(1, 1, "Jour de l'an")];
        let (from, to) = around(tz, "2026-12-20", "2027-01-10");
        let both = Both::new(spec, from, to);
        let at = |text: &str| local(tz, text);
        assert_eq!(at("2027-01-01 00:00"), utc(new_year));
        both.is_open(at("2026-12-31 22:00"), true);
        both.is_open(at("2027-01-01 00:00"), false);
        both.next_close(at("2026-12-31 22:00"), at("2027-01-01 00:00"));
        both.next_open(at("2027-01-01 00:00"), at("2027-01-02 00:00"));
        both.open_seconds(at("2026-12-31 00:00"), at("2027-01-03 00:00"), 16 * HOUR);
        // 1bd from 31 December 23:00 (offset 1h) → 1 January's range, whose first open instant
        // is 2 January 00:00.
        both.due(at("2026-12-31 23:00"), "1bd", at("2027-01-02 01:00"));
        both.due(at("2026-12-31 23:00"), "2h", at("2027-01-02 01:00"));
        both.due(at("2026-12-31 23:00"), "2bd", at("2027-01-02 23:00"));
    }
}

#[test]
fn a_calendar_closed_once_a_year_closes_then() {
    let mut spec = calendar(PARIS, vec![open("daily", "00:00-24:00")]);
    spec.holidays = vec![annual(12, 25, "Noël")];
    let engine = BusinessCalendar::new(spec);
    let t = utc("2026-05-05 10:00");
    assert_eq!(engine.next_close(t), Some(local(PARIS, "2026-12-25 00:00")));
    assert_eq!(
        engine.next_open(local(PARIS, "2026-12-25 10:00")),
        Some(local(PARIS, "2026-12-26 00:00"))
    );
}

// Engine bugs this file found, kept as regression tests.

#[test]
fn a_holiday_from_24_00_closes_nothing() {
    // §3.3: `date D from T` closes D from T to the end of the day; from 24:00 that is nothing.
    let mut spec = calendar(PARIS, vec![open("mon,sat", "00:00-00:15")]);
    spec.holidays = vec![on_date("2024-04-01", Some("24:00"), "nothing")];
    let (from, to) = around(PARIS, "2024-03-25", "2024-04-10");
    let both = Both::new(spec, from, to);
    // Monday 1 April 2024 opens at 00:00 CEST (31 March 22:00 UTC) as any Monday.
    both.next_open(utc("2024-03-31 01:00"), utc("2024-03-31 22:00"));
    both.is_open(local(PARIS, "2024-04-01 00:10"), true);
}

#[test]
fn easter_offsets_may_carry_into_another_year() {
    let mut spec = calendar(PARIS, vec![open("daily", "08:00-17:00")]);
    spec.holidays = vec![easter(-100, "early"), easter(280, "late")];
    let engine = BusinessCalendar::new(spec);
    // Easter 2026 (5 April) − 100 days is Friday 26 December 2025 (this one works).
    assert_eq!(date("2026-04-05") - Span::days(100), date("2025-12-26"));
    assert!(!engine.is_open(local(PARIS, "2025-12-26 10:00")));
    // Easter 2025 (20 April) + 280 days is Sunday 25 January 2026: closed.
    assert_eq!(date("2025-04-20") + Span::days(280), date("2026-01-25"));
    assert!(!engine.is_open(local(PARIS, "2026-01-25 10:00")));
}

#[test]
fn next_close_of_a_calendar_that_never_closes() {
    // There is no close: `None`, like `due` on a calendar that never opens (answered at once).
    let daily = calendar(PARIS, vec![open("daily", "00:00-24:00")]);
    for spec in [CalendarSpec::always(), daily] {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let engine = BusinessCalendar::new(spec);
            sender.send(engine.next_close(utc("2026-05-05 10:00")))
        });
        let answer = receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("next_close did not return within 10 s");
        assert_eq!(answer, None);
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Budgets and windows
// ---------------------------------------------------------------------------------------------

fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-6,
        "{actual} is not {expected}"
    );
}

#[test]
fn budget_of_always_over_thirty_days() {
    let always = BusinessCalendar::always();
    let at = utc("2026-03-29 12:34");
    let budget = always.budget(Window::Rolling(Duration::Millis(30 * 86_400_000)), 99.9, at);
    assert_eq!(budget.from, at - Span::days(30));
    assert_eq!(budget.to, at);
    assert_eq!(budget.open_seconds, 2_592_000);
    // 43m12s.
    assert_close(budget.budget_seconds, 2592.0);
    assert_close(budget.budget_seconds, (43 * 60 + 12) as f64);
}

#[test]
fn budget_of_a_calendar_month_in_the_calendar_zone() {
    let at = local(PARIS, "2026-04-15 12:00");
    let (from, to) = (
        local(PARIS, "2026-04-01 00:00"),
        local(PARIS, "2026-05-01 00:00"),
    );
    let office = BusinessCalendar::new(paris_office());
    assert_eq!(office.window_bounds(Window::Month, at), (from, to));
    // April 2026: 22 weekdays less Easter Monday, at 9h, and four Saturdays at 3h.
    let expected = (21 * 9 + 4 * 3) * HOUR;
    let model = Model::new(&paris_office(), from - Span::days(3), to + Span::days(3));
    assert_eq!(model.open_seconds(from, to), expected);
    let budget = office.budget(Window::Month, 99.9, at);
    assert_eq!((budget.from, budget.to), (from, to));
    assert_eq!(budget.open_seconds, expected);
    assert_close(budget.budget_seconds, 0.001 * expected as f64);
    // The first instant of the month belongs to it, the first of the next does not.
    assert_eq!(office.window_bounds(Window::Month, from), (from, to));
    assert_eq!(
        office.window_bounds(Window::Month, to).0,
        to,
        "1 May 00:00 Paris starts May"
    );

    // A month holding a change: March 2026 in Paris is 743 h, October 745 h.
    let daily = BusinessCalendar::new(calendar(PARIS, vec![open("daily", "00:00-24:00")]));
    let march = daily.budget(Window::Month, 99.0, local(PARIS, "2026-03-31 23:30"));
    assert_eq!(march.from, local(PARIS, "2026-03-01 00:00"));
    assert_eq!(march.open_seconds, 743 * HOUR);
    assert_close(march.budget_seconds, 0.01 * (743 * HOUR) as f64);
    let october = daily.budget(Window::Month, 99.0, local(PARIS, "2026-10-01 00:00"));
    assert_eq!(october.open_seconds, 745 * HOUR);
}

#[test]
fn aligned_windows_in_the_calendar_zone() {
    let office = BusinessCalendar::new(paris_office());
    let at = local(PARIS, "2026-05-14 10:00"); // a Thursday (Ascension)
    assert_eq!(
        office.window_bounds(Window::Week, at),
        (
            local(PARIS, "2026-05-11 00:00"),
            local(PARIS, "2026-05-18 00:00")
        )
    );
    assert_eq!(
        office.window_bounds(Window::Quarter, at),
        (
            local(PARIS, "2026-04-01 00:00"),
            local(PARIS, "2026-07-01 00:00")
        )
    );
    assert_eq!(
        office.window_bounds(Window::Year, at),
        (
            local(PARIS, "2026-01-01 00:00"),
            local(PARIS, "2027-01-01 00:00")
        )
    );
    // Monday 00:30 in Paris is Sunday 22:30 UTC, and already the next week.
    let monday = local(PARIS, "2026-05-18 00:30");
    assert_eq!(
        office.window_bounds(Window::Week, monday).0,
        local(PARIS, "2026-05-18 00:00")
    );
    // The week of Ascension: Mon-Wed and Fri at 9h, Saturday 3h.
    let week = office.budget(Window::Week, 99.0, at);
    assert_eq!(week.open_seconds, (4 * 9 + 3) * HOUR);
}

// ---------------------------------------------------------------------------------------------
// 4. Random calendars: the engine against the model
// ---------------------------------------------------------------------------------------------

const ZONES: [Tz; 4] = [PARIS, NEW_YORK, LORD_HOWE, Tz::UTC];

/// The first minute of 2024 in UTC, and the number of minutes until 2031.
fn epoch() -> DateTime<Utc> {
    utc("2024-01-01 00:00")
}
const SPAN_MINUTES: i64 = (7 * 365 + 2) * 1440;

/// The instants at which the UTC offset of `tz` changes, from 2024 to 2030 (found by stepping
/// hour by hour, then minute by minute to the exact instant).
fn changes(tz: Tz) -> &'static [DateTime<Utc>] {
    static CHANGES: OnceLock<Vec<Vec<DateTime<Utc>>>> = OnceLock::new();
    let all = CHANGES.get_or_init(|| {
        ZONES
            .iter()
            .map(|&tz| {
                let mut found = Vec::new();
                let mut t = epoch();
                while t < epoch() + Span::minutes(SPAN_MINUTES) {
                    let next = t + Span::hours(1);
                    if offset_minutes(tz, t) != offset_minutes(tz, next) {
                        let mut exact = t;
                        while offset_minutes(tz, exact) == offset_minutes(tz, t) {
                            exact += Span::minutes(1);
                        }
                        found.push(exact);
                    }
                    t = next;
                }
                found
            })
            .collect()
    });
    &all[ZONES.iter().position(|z| *z == tz).unwrap()]
}

#[test]
fn change_instants_are_found() {
    assert!(changes(PARIS).contains(&utc("2026-03-29 01:00")));
    assert!(changes(LORD_HOWE).contains(&utc("2026-10-03 15:30")));
    assert_eq!(changes(NEW_YORK).len(), 14);
    assert!(changes(Tz::UTC).is_empty());
}

/// A random calendar with instants to ask about.
#[derive(Debug, Clone)]
struct Case {
    spec: CalendarSpec,
    /// The instant the case is built around: near a change of offset most of the time, else near
    /// a local New Year (where the engine's yearly tables meet) or anywhere in 2024-2030.
    anchor: DateTime<Utc>,
    /// Minute-aligned instants within two days before and two weeks after the anchor.
    points: Vec<DateTime<Utc>>,
    /// Raw numbers to draw durations from.
    lengths: Vec<u32>,
}

impl Case {
    /// The model's window: wide enough for every deadline the tests ask about.
    fn model(&self) -> Model {
        Model::new(
            &self.spec,
            self.anchor - Span::days(3),
            self.anchor + Span::weeks(16),
        )
    }

    /// A duration of 1 minute to three ordinary weeks of open time, drawn from `raw`.
    fn minutes(&self, raw: u32) -> u64 {
        1 + u64::from(raw) % (3 * u64::from(self.spec.weekly_open_minutes()))
    }
}

fn weekday_set(bits: u8) -> WeekdaySet {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let names: Vec<&str> = (0..7)
        .filter(|d| bits & (1 << d) != 0)
        .map(|d| NAMES[d])
        .collect();
    WeekdaySet::parse(&names.join(",")).unwrap()
}

fn time_of_day(minutes: u32) -> TimeOfDay {
    TimeOfDay::from_minutes(minutes as u16).unwrap()
}

type RawRange = (u8, u32, u32, bool);
type RawHoliday = (u8, i64, Option<u32>, i32);

#[allow(clippy::too_many_arguments)]
fn build_case(
    zone: usize,
    anchor_kind: u8,
    change: Index,
    noise: i64,
    uniform: i64,
    ranges: Vec<RawRange>,
    holidays: Vec<RawHoliday>,
    closed: Vec<(i64, i64)>,
    points: Vec<i64>,
    lengths: Vec<u32>,
) -> Case {
    let tz = ZONES[zone];
    let anchor = match anchor_kind {
        0 if tz != Tz::UTC => {
            let list = changes(tz);
            list[change.index(list.len())] + Span::minutes(noise)
        }
        1 => {
            let year = 2025 + change.index(6);
            local(tz, &format!("{year}-01-01 00:00")) + Span::minutes(noise)
        }
        _ => epoch() + Span::minutes(uniform),
    };
    let anchor_date = anchor.with_timezone(&tz).date_naive();
    let mut spec = calendar(tz, Vec::new());
    // Open ranges on a quarter-hour grid, kept only when they overlap no range already kept.
    for (bits, start, length, end_as_midnight) in ranges {
        let start = start * 15;
        let end = start + length * 15;
        let end = if end == DAY_MINUTES && !end_as_midnight {
            DAY_MINUTES // 24:00
        } else {
            end % DAY_MINUTES // wraps past midnight (00:00 for a day that ends at midnight)
        };
        spec.open.push(OpenRange {
            days: weekday_set(bits),
            range: TimeRange {
                start: time_of_day(start),
                end: time_of_day(end),
            },
        });
        if spec.first_overlap().is_some() {
            spec.open.pop();
        }
    }
    for (kind, day, from, easter_offset) in holidays {
        let day = anchor_date + Span::days(day);
        spec.holidays.push(match kind {
            0 => annual(day.month(), day.day(), "annual"),
            1 => easter(easter_offset, "easter"),
            _ => HolidayRule::Date {
                date: day,
                from: from.map(|q| time_of_day(q * 15)),
                name: "date".into(),
            },
        });
    }
    for (day, length) in closed {
        let from = anchor_date + Span::days(day);
        spec.closed.push(ClosedPeriod {
            from,
            to: from + Span::days(length),
            name: None,
        });
    }
    Case {
        spec,
        anchor,
        points: points
            .into_iter()
            .map(|m| anchor + Span::minutes(m))
            .collect(),
        lengths,
    }
}

fn case_strategy() -> impl Strategy<Value = Case> {
    // Range starts favour 01:00-04:00, where the changes happen.
    let start = prop_oneof![3 => 0u32..96, 2 => 4u32..16];
    let range = (1u8..128, start, 1u32..=96, any::<bool>());
    // Holidays of each kind near the anchor; Easter offsets mostly realistic, sometimes far
    // enough to reach the end of the previous year or the start of winter. (`from 24:00`, which
    // closes nothing, and Easter offsets carrying into the next year are left to explicit tests.)
    let easter_offset = prop_oneof![3 => -3i32..=60, 1 => -120i32..=240];
    let holiday = (0u8..3, -3i64..21, prop::option::of(0u32..96), easter_offset);
    let point = prop_oneof![3 => -2160i64..2160, 1 => -2880i64..20160];
    (
        (
            0..ZONES.len(),
            prop_oneof![6 => Just(0u8), 2 => Just(1u8), 2 => Just(2u8)],
            any::<Index>(),
            -2160i64..2160,
            0..SPAN_MINUTES,
        ),
        (
            prop::collection::vec(range, 1..=3),
            prop::collection::vec(holiday, 0..=4),
            prop::collection::vec((-3i64..21, 0i64..7), 0..=2),
            prop::collection::vec(point, 3..=5),
            prop::collection::vec(any::<u32>(), 3),
        ),
    )
        .prop_map(
            |(
                (zone, anchor_kind, change, noise, uniform),
                (ranges, holidays, closed, points, lengths),
            )| {
                build_case(
                    zone,
                    anchor_kind,
                    change,
                    noise,
                    uniform,
                    ranges,
                    holidays,
                    closed,
                    points,
                    lengths,
                )
            },
        )
}

/// `cases` cases, or `PROPTEST_CASES` when set (for a deeper run, in release mode).
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn engine_matches_model(case in case_strategy()) {
        let engine = BusinessCalendar::new(case.spec.clone());
        let model = case.model();
        for &t in &case.points {
            prop_assert_eq!(engine.is_open(t), model.is_open(t), "is_open({})", t);
            prop_assert_eq!(engine.next_open(t), model.next_open(t), "next_open({})", t);
            if let Some(close) = model.next_close(t) {
                prop_assert_eq!(engine.next_close(t), Some(close), "next_close({})", t);
            }
            for &raw in &case.lengths {
                let within = Duration::Millis(case.minutes(raw) * 60_000);
                prop_assert_eq!(
                    engine.due(t, within), Some(model.due(t, within)), "due({}, {})", t, within
                );
            }
            for n in 1..=5 {
                let within = Duration::BusinessDays(n);
                prop_assert_eq!(
                    engine.due(t, within), Some(model.due(t, within)), "due({}, {})", t, within
                );
            }
        }
        for &a in &case.points {
            for &b in &case.points {
                prop_assert_eq!(
                    engine.open_seconds(a, b), model.open_seconds(a, b), "open_seconds({}, {})", a, b
                );
                prop_assert_eq!(
                    engine.open_intervals(a, b), model.open_intervals(a, b),
                    "open_intervals({}, {})", a, b
                );
            }
        }
        // Pauses: two intervals from the points, in any order and possibly overlapping.
        let pair = |i: usize, j: usize| {
            let (a, b) = (case.points[i], case.points[j]);
            (a.min(b), a.max(b))
        };
        let pauses = [pair(1, 2), pair(0, 2)];
        let start = case.points[0].min(case.points[1]);
        let within = Duration::Millis(case.minutes(case.lengths[0]) * 60_000);
        prop_assert_eq!(
            engine.due_with_pauses(start, within, &pauses),
            Some(model.due_with_pauses(start, within, &pauses)),
            "due_with_pauses({}, {}, {:?})", start, within, pauses
        );
        let pauses = [pair(1, 2), pair(0, 2), pair(2, case.points.len() - 1)];
        let within = Duration::Millis(case.minutes(case.lengths[1]) * 60_000);
        prop_assert_eq!(
            engine.due_with_pauses(start, within, &pauses),
            Some(model.due_with_pauses(start, within, &pauses)),
            "due_with_pauses({}, {}, {:?})", start, within, pauses
        );
    }

    #[test]
    fn windows_and_budgets_match_the_model(case in case_strategy()) {
        let engine = BusinessCalendar::new(case.spec.clone());
        let tz = case.spec.timezone;
        let t = case.points[0];
        // The week (from Monday) and the month holding t, as local dates, at local midnight.
        let day = t.with_timezone(&tz).date_naive();
        let monday = day - Span::days(i64::from(day.weekday().num_days_from_monday()));
        let first = day.with_day(1).unwrap();
        let next_month = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        }
        .unwrap();
        let midnight = |d: NaiveDate| local_to_utc(tz, wall_clock(d, 0));
        for (window, from, to) in [
            (Window::Week, monday, monday + Span::days(7)),
            (Window::Month, first, next_month),
        ] {
            let (from, to) = (midnight(from), midnight(to));
            prop_assert_eq!(engine.window_bounds(window, t), (from, to), "{} at {}", window, t);
            let model = Model::new(&case.spec, from - Span::days(1), to + Span::days(1));
            let budget = engine.budget(window, 99.5, t);
            prop_assert_eq!(budget.open_seconds, model.open_seconds(from, to), "{} at {}", window, t);
            prop_assert!((budget.budget_seconds - 0.005 * budget.open_seconds as f64).abs() < 1e-6);
        }
        // A rolling window ends at t.
        let rolling = Window::Rolling(Duration::Millis(7 * 86_400_000));
        let budget = engine.budget(rolling, 99.0, t);
        prop_assert_eq!((budget.from, budget.to), (t - Span::days(7), t));
        let model = Model::new(&case.spec, t - Span::days(8), t + Span::days(1));
        prop_assert_eq!(budget.open_seconds, model.open_seconds(t - Span::days(7), t));
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Properties of the engine alone
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn open_time_until_the_deadline_is_the_duration(case in case_strategy()) {
        let engine = BusinessCalendar::new(case.spec.clone());
        for &t in &case.points {
            for &raw in &case.lengths {
                let minutes = case.minutes(raw);
                let due = engine.due(t, Duration::Millis(minutes * 60_000)).unwrap();
                prop_assert_eq!(engine.open_seconds(t, due), minutes as i64 * 60);
                // And it is the earliest such instant: a minute earlier falls short.
                prop_assert!(engine.open_seconds(t, due - Span::minutes(1)) < minutes as i64 * 60);
            }
        }
    }

    #[test]
    fn open_time_is_additive(case in case_strategy()) {
        let engine = BusinessCalendar::new(case.spec.clone());
        let mut points = case.points.clone();
        points.sort();
        for window in points.windows(3) {
            let (a, b, c) = (window[0], window[1], window[2]);
            prop_assert_eq!(
                engine.open_seconds(a, b) + engine.open_seconds(b, c),
                engine.open_seconds(a, c)
            );
            let intervals: i64 = engine
                .open_intervals(a, c)
                .iter()
                .map(|(from, to)| (*to - *from).num_seconds())
                .sum();
            prop_assert_eq!(intervals, engine.open_seconds(a, c));
        }
    }

    #[test]
    fn deadlines_are_monotonic(case in case_strategy()) {
        let engine = BusinessCalendar::new(case.spec.clone());
        let mut points = case.points.clone();
        points.sort();
        let mut minutes: Vec<u64> = case.lengths.iter().map(|&raw| case.minutes(raw)).collect();
        minutes.sort();
        let mut durations: Vec<Duration> =
            minutes.iter().map(|m| Duration::Millis(m * 60_000)).collect();
        durations.extend((1..=5).map(Duration::BusinessDays));
        for within in durations {
            for pair in points.windows(2) {
                prop_assert!(
                    engine.due(pair[0], within) <= engine.due(pair[1], within),
                    "due({}, {}) > due({}, {})", pair[0], within, pair[1], within
                );
            }
        }
        for &t in &points {
            for pair in minutes.windows(2) {
                let (short, long) = (
                    Duration::Millis(pair[0] * 60_000),
                    Duration::Millis(pair[1] * 60_000),
                );
                prop_assert!(engine.due(t, short) <= engine.due(t, long));
            }
            for n in 1..5 {
                prop_assert!(
                    engine.due(t, Duration::BusinessDays(n))
                        <= engine.due(t, Duration::BusinessDays(n + 1))
                );
            }
        }
    }

    #[test]
    fn pauses_stop_the_clock(case in case_strategy(), cut in any::<(Index, Index, Index)>()) {
        let engine = BusinessCalendar::new(case.spec.clone());
        let start = case.points[0];
        let minutes = case.minutes(case.lengths[0]);
        let within = Duration::Millis(minutes * 60_000);
        let due = engine.due(start, within).unwrap();
        // No pause: the plain deadline, for durations and business days.
        prop_assert_eq!(engine.due_with_pauses(start, within, &[]), Some(due));
        for n in 1..=5 {
            let bd = Duration::BusinessDays(n);
            prop_assert_eq!(engine.due_with_pauses(start, bd, &[]), engine.due(start, bd));
        }
        // A pause inside an open stretch before the deadline: the deadline moves by the open
        // time the pause holds.
        let intervals = engine.open_intervals(start, due);
        prop_assume!(!intervals.is_empty());
        let (open_from, open_to) = intervals[cut.0.index(intervals.len())];
        let length = (open_to - open_from).num_minutes();
        let a = cut.1.index(length as usize) as i64;
        let b = a + 1 + cut.2.index((length - a) as usize) as i64;
        let pause = (open_from + Span::minutes(a), open_from + Span::minutes(b));
        let held = engine.open_seconds(pause.0, pause.1);
        prop_assert_eq!(held, (b - a) * 60);
        let later = engine.due(start, Duration::Millis((minutes * 60 + held as u64) * 1000));
        prop_assert_eq!(engine.due_with_pauses(start, within, &[pause]), later);
        // When the calendar stays open long enough, that is exactly the pause's length later.
        if engine.open_seconds(due, due + Span::seconds(held)) == held {
            prop_assert_eq!(later, Some(due + Span::seconds(held)));
        }
        // Any pause between the start and the deadline: the same rule.
        let (p, q) = (case.points[1].max(start).min(due), case.points[2].max(start).min(due));
        let pause = (p.min(q), p.max(q));
        let held = engine.open_seconds(pause.0, pause.1) as u64;
        prop_assert_eq!(
            engine.due_with_pauses(start, within, &[pause]),
            engine.due(start, Duration::Millis((minutes * 60 + held) * 1000))
        );
    }
}
