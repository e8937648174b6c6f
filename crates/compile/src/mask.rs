//! `slac:calendar_open`: a PromQL expression that is 1 while a calendar is open and 0 otherwise.
//!
//! It is built in three parts, so that it stays a few kilobytes for years of holidays:
//! 1. local time: `time()` plus the zone's UTC offset, a step function over the period's
//!    daylight-saving changes;
//! 2. the weekly pattern: whether the local second of the week falls in one of the calendar's
//!    weekly open ranges;
//! 3. exceptions: the UTC intervals where the calendar engine's real open intervals (holidays,
//!    closed periods, the daylight-saving rules for gaps and folds) differ from the pattern,
//!    subtracted or added as `(time() >= bool a) * (time() < bool b)` terms.
//!
//! Within the period the expression equals the engine exactly; after it, the pattern goes on
//! without holidays, which is why a build says when a mask runs out.

use chrono::{DateTime, Offset, TimeZone, Utc};
use slac_calendar::{BusinessCalendar, OpenRange};

const WEEK: i64 = 7 * 86_400;
/// 1970-01-01 was a Thursday: adding three days makes the week start on Monday.
const MONDAY_SHIFT: i64 = 3 * 86_400;

/// The calendar's UTC offset, in seconds, at `t`.
fn offset_at(engine: &BusinessCalendar, t: i64) -> i64 {
    let zone = engine.timezone();
    let instant = DateTime::from_timestamp(t, 0).unwrap_or_default();
    i64::from(
        zone.offset_from_utc_datetime(&instant.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// The instants in `[from, to)` where the offset changes, with the offset from then on.
fn transitions(engine: &BusinessCalendar, from: i64, to: i64) -> Vec<(i64, i64)> {
    let mut changes = Vec::new();
    let mut t = from;
    let mut current = offset_at(engine, from);
    while t < to {
        let next = (t + 86_400).min(to);
        let offset = offset_at(engine, next);
        if offset != current {
            // The first second of the new offset, between t and next.
            let (mut lo, mut hi) = (t + 1, next);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if offset_at(engine, mid) == current {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            changes.push((lo, offset_at(engine, lo)));
            current = offset_at(engine, lo);
        }
        t = next;
    }
    changes
}

/// The weekly open ranges as merged `[start, end)` seconds from Monday 00:00, local time; a range
/// running past Sunday midnight is split.
fn weekly(engine: &BusinessCalendar) -> Vec<(i64, i64)> {
    let mut intervals: Vec<(i64, i64)> = engine
        .spec()
        .open
        .iter()
        .flat_map(OpenRange::week_intervals)
        .map(|(a, b)| (i64::from(a) * 60, i64::from(b) * 60))
        .collect();
    intervals.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (a, b) in intervals {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// The UTC intervals of `[from, to)` in which the weekly pattern, read with the offset step
/// function, says open.
fn pattern_intervals(
    week: &[(i64, i64)],
    changes: &[(i64, i64)],
    first_offset: i64,
    from: i64,
    to: i64,
) -> Vec<(i64, i64)> {
    let mut segments = Vec::new();
    let (mut start, mut offset) = (from, first_offset);
    for &(at, next) in changes {
        segments.push((start, at, offset));
        (start, offset) = (at, next);
    }
    segments.push((start, to, offset));
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (seg_from, seg_to, offset) in segments {
        // Local second of the week of t: (t + offset + MONDAY_SHIFT) mod WEEK.
        let base = seg_from + offset + MONDAY_SHIFT;
        let week_start = seg_from - base.rem_euclid(WEEK);
        let mut origin = week_start;
        while origin < seg_to {
            for &(a, b) in week {
                let (s, e) = ((origin + a).max(seg_from), (origin + b).min(seg_to));
                if s < e {
                    match out.last_mut() {
                        Some(last) if last.1 >= s => last.1 = last.1.max(e),
                        _ => out.push((s, e)),
                    }
                }
            }
            origin += WEEK;
        }
    }
    out
}

/// `a` minus `b`, both sorted and disjoint.
fn subtract(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut j = 0;
    for &(start, end) in a {
        let mut cursor = start;
        while j < b.len() && b[j].1 <= cursor {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].0 < end {
            if b[k].0 > cursor {
                out.push((cursor, b[k].0));
            }
            cursor = cursor.max(b[k].1);
            k += 1;
        }
        if cursor < end {
            out.push((cursor, end));
        }
    }
    out
}

fn between(a: i64, b: i64) -> String {
    format!("(time() >= bool {a}) * (time() < bool {b})")
}

/// The two recording expressions of a calendar's mask over `[from, to)`: the local second of the
/// week, and the mask, which reads the former through the series selector `local` (rules of a
/// group run in order, so the mask sees the local time of the same evaluation).
pub(crate) struct MaskRules {
    pub local_week_seconds: String,
    pub open: String,
}

pub(crate) fn expression(
    engine: &BusinessCalendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    local: &str,
) -> MaskRules {
    let (from, to) = (from.timestamp(), to.timestamp());
    let first_offset = offset_at(engine, from);
    let changes = transitions(engine, from, to);
    let week = weekly(engine);
    let pattern = pattern_intervals(&week, &changes, first_offset, from, to);
    let actual: Vec<(i64, i64)> = engine
        .open_intervals(
            DateTime::from_timestamp(from, 0).unwrap_or_default(),
            DateTime::from_timestamp(to, 0).unwrap_or_default(),
        )
        .into_iter()
        .map(|(a, b)| (a.timestamp(), b.timestamp()))
        .collect();
    let closed = subtract(&pattern, &actual);
    let opened = subtract(&actual, &pattern);

    let mut offset = first_offset.to_string();
    let mut previous = first_offset;
    for (at, next) in &changes {
        offset.push_str(&format!(" + (time() >= bool {at}) * {}", next - previous));
        previous = *next;
    }
    let local_week_seconds = format!("vector((time() + {offset} + {MONDAY_SHIFT}) % {WEEK})");
    let weekly_terms: Vec<String> = week
        .iter()
        .map(|(a, b)| format!("({local} >= bool {a}) * ({local} < bool {b})"))
        .collect();
    let mut open = if weekly_terms.is_empty() {
        format!("{local} * 0")
    } else {
        weekly_terms.join("\n+ ")
    };
    for (a, b) in &closed {
        open.push_str(&format!("\n- {}", between(*a, *b)));
    }
    for (a, b) in &opened {
        open.push_str(&format!("\n+ {}", between(*a, *b)));
    }
    MaskRules {
        local_week_seconds,
        open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtraction_of_interval_sets() {
        assert_eq!(
            subtract(&[(0, 10), (20, 30)], &[(5, 25)]),
            vec![(0, 5), (25, 30)]
        );
        assert_eq!(subtract(&[(0, 10)], &[]), vec![(0, 10)]);
        assert_eq!(subtract(&[(0, 10)], &[(0, 10)]), vec![]);
    }
}
