//! Deliverables: `due every <days> HH:MM` gives due instants in the calendar's zone; each is met
//! by a `delivered` event of the objective after the previous due instant and at or before it.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use slac_model::model::Due;

use crate::period::local_instant;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueReport {
    pub due: DateTime<Utc>,
    /// The first delivery that meets it.
    pub delivered: Option<DateTime<Utc>>,
    pub met: bool,
}

/// The due instant of `date`, when `due` falls on its weekday.
fn due_on(due: Due, tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    if !due.days.contains(date.weekday()) {
        return None;
    }
    let minutes = due.time.minutes();
    let (date, minutes) = if minutes >= 24 * 60 {
        (date.checked_add_days(Days::new(1))?, minutes - 24 * 60)
    } else {
        (date, minutes)
    };
    let time = NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0)?;
    Some(local_instant(tz, date.and_time(time)))
}

/// The due instants inside `[from, to)` (local dates `first..until` in `tz`), with the due
/// instant just before the first one (the start of the first delivery window), if any.
pub(crate) fn due_instants(
    due: Due,
    tz: Tz,
    first: NaiveDate,
    until: NaiveDate,
    bounds: (DateTime<Utc>, DateTime<Utc>),
) -> (Option<DateTime<Utc>>, Vec<DateTime<Utc>>) {
    let mut instants = Vec::new();
    let mut previous = None;
    // A week before the period holds the previous due instant.
    let mut date = first.checked_sub_days(Days::new(8)).unwrap_or(first);
    while date < until.checked_add_days(Days::new(1)).unwrap_or(until) {
        if let Some(at) = due_on(due, tz, date) {
            if at < bounds.0 {
                previous = Some(at);
            } else if at < bounds.1 {
                instants.push(at);
            }
        }
        let Some(next) = date.checked_add_days(Days::new(1)) else {
            break;
        };
        date = next;
    }
    (previous, instants)
}

/// Matches sorted deliveries against the due instants.
pub(crate) fn judge(
    previous: Option<DateTime<Utc>>,
    instants: &[DateTime<Utc>],
    deliveries: &[DateTime<Utc>],
) -> Vec<DueReport> {
    let mut start = previous;
    instants
        .iter()
        .map(|&due| {
            let delivered = deliveries
                .iter()
                .copied()
                .find(|&d| start.is_none_or(|s| d > s) && d <= due);
            start = Some(due);
            DueReport {
                due,
                delivered,
                met: delivered.is_some(),
            }
        })
        .collect()
}
