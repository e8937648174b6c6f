//! The invariants of the calendar engine, checked on one calendar and one set of queries.
//!
//! This file is shared: the `calendar` fuzz target uses it as a module of `slac-fuzz`, and
//! `tests/fuzz_regressions.rs` includes it (`#[path]`) to replay the scenarios kept in
//! `tests/fixtures/fuzz/calendar/`. So it depends on `slac_calendar` and `chrono` only.
//!
//! A scenario is written at the top of its fixture as comment lines, which [`Queries::parse`]
//! reads and [`Queries::write`] writes:
//!
//! ```text
//! // start 2026-03-29T00:30:00Z
//! // within 2h30m
//! // within 1bd
//! // pause 2026-03-29T01:00:00Z 2026-03-29T02:00:00Z
//! // span 86400
//! ```

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use slac_calendar::{BusinessCalendar, Duration, Window, LAST_INSTANT};

/// The queries asked of one calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Queries {
    /// When the clock starts, and where the open-time queries begin.
    pub start: DateTime<Utc>,
    /// The `within` durations asked from `start`.
    pub within: Vec<Duration>,
    /// Intervals `[from, to)` during which the clock stops.
    pub pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Length in seconds of the stretch from `start` that open-time queries cover.
    pub span: i64,
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Queries {
    /// Reads the `// start|within|pause|span` lines of a fixture; `None` without a `start`.
    pub fn parse(text: &str) -> Option<Queries> {
        let mut start = None;
        let mut within = Vec::new();
        let mut pauses = Vec::new();
        let mut span = 0;
        for line in text.lines() {
            let Some(line) = line.strip_prefix("// ") else {
                continue;
            };
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["start", t] => start = Some(instant(t)?),
                ["within", d] => within.push(Duration::parse(d).ok()?),
                ["pause", a, b] => pauses.push((instant(a)?, instant(b)?)),
                ["span", s] => span = s.parse().ok()?,
                _ => {}
            }
        }
        Some(Queries {
            start: start?,
            within,
            pauses,
            span,
        })
    }

    /// The comment lines that [`Queries::parse`] reads.
    pub fn write(&self) -> String {
        let mut out = format!("// start {}\n", rfc3339(self.start));
        for within in &self.within {
            out.push_str(&format!("// within {within}\n"));
        }
        for (from, to) in &self.pauses {
            out.push_str(&format!("// pause {} {}\n", rfc3339(*from), rfc3339(*to)));
        }
        out.push_str(&format!("// span {}\n", self.span));
        out
    }
}

fn plus(t: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    t.checked_add_signed(TimeDelta::seconds(seconds))
        .unwrap_or(t)
}

/// Open time inside the pauses (merged) and inside `[from, to)`.
fn paused_open(
    calendar: &BusinessCalendar,
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> i64 {
    let mut sorted: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        pauses.iter().copied().filter(|(a, b)| a < b).collect();
    sorted.sort_unstable();
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (a, b) in sorted {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
        .iter()
        .map(|&(a, b)| calendar.open_seconds(a.max(from), b.min(to)))
        .sum()
}

/// Seconds of open time a duration asks for (milliseconds round up, as in the engine).
fn seconds_of(duration: Duration) -> Option<i64> {
    duration
        .as_millis()
        .map(|ms| i64::try_from(ms.div_ceil(1000)).unwrap_or(i64::MAX))
}

/// Asks every query of `queries` of `calendar` and asserts what the engine guarantees:
///
/// - a deadline is never before its start, never past [`LAST_INSTANT`] (9999-12-31T23:59:59Z),
///   and deadlines grow with the duration asked (of the same unit);
/// - for a length of time, the open time between the start and the deadline is exactly the
///   duration (rounded up to the second), and one second earlier it is less: the deadline is the
///   earliest such instant;
/// - for business days, the deadline is open or ends an open interval, `0bd` is the next open
///   instant, and `N ≥ 1` business days end after the start;
/// - with pauses, the unpaused open time up to the deadline is the duration (business days: the
///   deadline is pushed by the open time paused before the business-day deadline), and a
///   deadline with pauses is never earlier than without; no pauses is the plain deadline;
/// - open time is additive, at most the elapsed time, the sum of the open intervals, and agrees
///   with `is_open`, `next_open`, `next_close`, the windows and the budget.
pub fn check(calendar: &BusinessCalendar, queries: &Queries) {
    let start = queries.start;
    let context = || format!("{}{:?}", queries.write(), calendar.spec());
    let mut previous: Vec<(Duration, DateTime<Utc>)> = Vec::new();
    for &within in &queries.within {
        let due = calendar.due(start, within);
        assert_eq!(
            calendar.due_with_pauses(start, within, &[]),
            due,
            "no pause is no change, for {within}\n{}",
            context()
        );
        if let Some(due) = due {
            assert!(
                due >= start,
                "{within} is due before it starts\n{}",
                context()
            );
            assert!(
                due.timestamp() <= LAST_INSTANT,
                "{within} is due past 9999\n{}",
                context()
            );
            for &(other, other_due) in &previous {
                let same_unit = other.as_millis().is_some() == within.as_millis().is_some();
                if same_unit && other < within {
                    assert!(
                        other_due <= due,
                        "{other} is due at {other_due}, after {within} at {due}\n{}",
                        context()
                    );
                }
                if same_unit && within < other {
                    assert!(
                        due <= other_due,
                        "{within} is due at {due}, after {other} at {other_due}\n{}",
                        context()
                    );
                }
            }
            previous.push((within, due));
            match seconds_of(within) {
                Some(seconds) => {
                    assert_eq!(
                        calendar.open_seconds(start, due),
                        seconds,
                        "the open time up to the deadline of {within} ({due})\n{}",
                        context()
                    );
                    if seconds > 0 {
                        assert!(
                            calendar.open_seconds(start, plus(due, -1)) < seconds,
                            "a second before the deadline of {within} ({due}) is enough\n{}",
                            context()
                        );
                    }
                }
                None => {
                    assert!(
                        calendar.is_open(due) || calendar.is_open(plus(due, -1)),
                        "the deadline of {within} ({due}) neither open nor a close\n{}",
                        context()
                    );
                    if within.is_zero() {
                        assert_eq!(Some(due), calendar.next_open(start), "{}", context());
                    } else {
                        assert!(due > start, "{within} is due at its start\n{}", context());
                    }
                }
            }
        }
        if queries.pauses.is_empty() {
            continue;
        }
        let paused = calendar.due_with_pauses(start, within, &queries.pauses);
        let (Some(paused), Some(due)) = (paused, due) else {
            continue;
        };
        assert!(
            paused >= due,
            "pauses bring the deadline of {within} forward ({paused} < {due})\n{}",
            context()
        );
        assert!(paused.timestamp() <= LAST_INSTANT, "{}", context());
        match seconds_of(within) {
            Some(seconds) => {
                let unpaused = |to: DateTime<Utc>| {
                    calendar.open_seconds(start, to) - paused_open(calendar, &queries.pauses, start, to)
                };
                assert_eq!(
                    unpaused(paused),
                    seconds,
                    "unpaused open time up to the paused deadline of {within} ({paused})\n{}",
                    context()
                );
                if seconds > 0 {
                    assert!(
                        unpaused(plus(paused, -1)) < seconds,
                        "a second before the paused deadline of {within} ({paused}) is enough\n{}",
                        context()
                    );
                }
            }
            None => assert_eq!(
                calendar.open_seconds(due, paused),
                paused_open(calendar, &queries.pauses, start, due),
                "pauses push a business-day deadline ({due} → {paused}) by the open time they took\n{}",
                context()
            ),
        }
    }
    check_open_time(calendar, queries, &context);
}

/// Open time, open intervals, the next opening and closing, windows and budgets from `start`.
fn check_open_time(calendar: &BusinessCalendar, queries: &Queries, context: &dyn Fn() -> String) {
    let a = queries.start;
    let c = plus(a, queries.span.max(0));
    let b = plus(a, queries.span.max(0) / 2);
    let (ab, bc, ac) = (
        calendar.open_seconds(a, b),
        calendar.open_seconds(b, c),
        calendar.open_seconds(a, c),
    );
    assert_eq!(ab + bc, ac, "open time is additive\n{}", context());
    assert!(
        (0..=(b - a).num_seconds()).contains(&ab),
        "{ab} s of open time in {} s\n{}",
        (b - a).num_seconds(),
        context()
    );
    assert_eq!(calendar.open_seconds(c, a), 0, "{}", context());

    let intervals = calendar.open_intervals(a, c);
    let mut total = 0;
    let mut last_end: Option<DateTime<Utc>> = None;
    for &(from, to) in &intervals {
        assert!(
            a <= from && from < to && to <= c,
            "{from}..{to}\n{}",
            context()
        );
        if let Some(end) = last_end {
            assert!(end < from, "open intervals touch or overlap\n{}", context());
        }
        last_end = Some(to);
        total += (to - from).num_seconds();
    }
    assert_eq!(
        total,
        ac,
        "open intervals add up to the open time\n{}",
        context()
    );
    for &(from, to) in intervals.iter().take(8) {
        assert!(
            calendar.is_open(from),
            "{from} opens an interval\n{}",
            context()
        );
        assert!(
            to == c || !calendar.is_open(to),
            "{to} closes an interval\n{}",
            context()
        );
    }

    assert_eq!(
        calendar.is_open(a),
        calendar.open_seconds(a, plus(a, 1)) == 1,
        "is_open agrees with open time at {a}\n{}",
        context()
    );
    if let Some(open) = calendar.next_open(a) {
        assert!(
            open >= a && open.timestamp() <= LAST_INSTANT,
            "{}",
            context()
        );
        assert!(
            calendar.is_open(open),
            "next_open {open} is open\n{}",
            context()
        );
        assert_eq!(calendar.open_seconds(a, open), 0, "{}", context());
        if let Some(close) = calendar.next_close(a) {
            assert!(
                close > open,
                "next_close {close} after {open}\n{}",
                context()
            );
            assert!(!calendar.is_open(close), "{close} is closed\n{}", context());
            assert_eq!(
                calendar.open_seconds(open, close),
                (close - open).num_seconds(),
                "open from {open} to {close}\n{}",
                context()
            );
        }
    }

    for window in [Window::Week, Window::Month, Window::Quarter, Window::Year] {
        let (from, to) = calendar.window_bounds(window, a);
        assert!(
            from <= a && a < to,
            "{window:?} at {a}: {from}..{to}\n{}",
            context()
        );
    }
    let budget = calendar.budget(Window::Month, 99.9, a);
    assert!(
        budget.open_seconds >= 0
            && budget.budget_seconds >= 0.0
            && budget.budget_seconds <= budget.open_seconds as f64,
        "{budget:?}\n{}",
        context()
    );
}
