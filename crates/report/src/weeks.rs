//! The measure per week: every ISO week (Monday to Sunday, local dates of the objective
//! calendar's zone) that overlaps the period, with its good and bad counts.
//!
//! Tickets count in the week they were opened, due instants of deliverables in the week they
//! fall due, survey answers in the week they were given; the weeks at the edges of the period
//! only hold what is inside the period. Memory is one pair of counters per week, whatever the
//! number of events.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::period::Period;

/// The measure of one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekMeasure {
    /// The Monday the week starts on, in the calendar's zone.
    pub start: NaiveDate,
    pub good: u64,
    pub bad: u64,
    /// In percent: `good / (good + bad)`; `None` when nothing was decided that week.
    pub measured: Option<f64>,
}

impl WeekMeasure {
    /// The ISO week's name: `W10`.
    pub fn label(&self) -> String {
        format!("W{:02}", self.start.iso_week().week())
    }
}

/// The Monday of the ISO week of `date`.
pub fn monday(date: NaiveDate) -> NaiveDate {
    let back = u64::from(date.weekday().num_days_from_monday());
    date.checked_sub_days(Days::new(back)).unwrap_or(date)
}

/// Good and bad counts per week of a period, for one time zone.
#[derive(Debug, Clone)]
pub(crate) struct WeekCounter {
    tz: Tz,
    first: NaiveDate,
    counts: Vec<[u64; 2]>,
}

impl WeekCounter {
    /// Counters for every ISO week that overlaps `period`, read in `tz`.
    pub fn new(period: &Period, tz: Tz) -> Self {
        let first = monday(period.from);
        let last = monday(period.last_day());
        let weeks = ((last - first).num_days() / 7 + 1).max(0);
        WeekCounter {
            tz,
            first,
            counts: vec![[0, 0]; usize::try_from(weeks).unwrap_or(0)],
        }
    }

    /// Counts an outcome at instant `at` in its week; an instant outside the weeks is ignored.
    pub fn add(&mut self, at: DateTime<Utc>, good: bool) {
        let date = at.with_timezone(&self.tz).date_naive();
        let days = (date - self.first).num_days();
        if days < 0 {
            return;
        }
        let Ok(index) = usize::try_from(days / 7) else {
            return;
        };
        if let Some(count) = self.counts.get_mut(index) {
            count[usize::from(!good)] += 1;
        }
    }

    pub fn finish(&self) -> Vec<WeekMeasure> {
        let mut start = self.first;
        let mut weeks = Vec::with_capacity(self.counts.len());
        for &[good, bad] in &self.counts {
            let decided = good + bad;
            weeks.push(WeekMeasure {
                start,
                good,
                bad,
                measured: (decided > 0).then(|| (good * 100) as f64 / decided as f64),
            });
            match start.checked_add_days(Days::new(7)) {
                Some(next) => start = next,
                None => break,
            }
        }
        weeks
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn every_overlapping_iso_week_is_listed() {
        // March 2026 runs from Sunday 1 (W09) to Tuesday 31 (W14).
        let march = Period::parse("2026-03").unwrap();
        let weeks = WeekCounter::new(&march, chrono_tz::Europe::Paris).finish();
        let labels: Vec<String> = weeks.iter().map(WeekMeasure::label).collect();
        assert_eq!(labels, ["W09", "W10", "W11", "W12", "W13", "W14"]);
        assert_eq!(weeks[0].start, d(2026, 2, 23));
        assert_eq!(weeks[5].start, d(2026, 3, 30));
        assert!(weeks
            .iter()
            .all(|w| w.measured.is_none() && w.good + w.bad == 0));

        // An ISO week is one week; a year starting on a Thursday has 53 weeks.
        let week = Period::parse("2026-W10").unwrap();
        assert_eq!(WeekCounter::new(&week, chrono_tz::UTC).finish().len(), 1);
        let year = Period::parse("2026").unwrap();
        let weeks = WeekCounter::new(&year, chrono_tz::UTC).finish();
        assert_eq!(weeks.len(), 53);
        assert_eq!(weeks[0].start, d(2025, 12, 29));
        assert_eq!(weeks[0].label(), "W01");
        assert_eq!(weeks[52].label(), "W53");
        let day = Period::parse("2026-03-04..2026-03-04").unwrap();
        let weeks = WeekCounter::new(&day, chrono_tz::UTC).finish();
        assert_eq!(weeks.len(), 1);
        assert_eq!(weeks[0].start, d(2026, 3, 2));
    }

    #[test]
    fn outcomes_count_in_their_local_week() {
        let march = Period::parse("2026-03").unwrap();
        let mut counter = WeekCounter::new(&march, chrono_tz::Europe::Paris);
        // Sunday 8 March 23:30 UTC is Monday 9 March 00:30 in Paris: W11.
        counter.add(t("2026-03-08T23:30:00Z"), true);
        // Sunday 1 March, 10:00 in Paris: W09.
        counter.add(t("2026-03-01T09:00:00Z"), false);
        // Twice good and once bad in W12.
        counter.add(t("2026-03-16T09:00:00+01:00"), true);
        counter.add(t("2026-03-22T23:00:00+01:00"), true);
        counter.add(t("2026-03-18T09:00:00+01:00"), false);
        // Outside the weeks: ignored.
        counter.add(t("2026-02-01T09:00:00Z"), true);
        counter.add(t("2026-05-01T09:00:00Z"), false);
        let weeks = counter.finish();
        let figures: Vec<(u64, u64, Option<f64>)> =
            weeks.iter().map(|w| (w.good, w.bad, w.measured)).collect();
        assert_eq!(
            figures,
            [
                (0, 1, Some(0.0)),
                (0, 0, None),
                (1, 0, Some(100.0)),
                (2, 1, Some(200.0 / 3.0)),
                (0, 0, None),
                (0, 0, None),
            ]
        );
    }

    const WORKSPACE: &str = r#"
party acme {
  name "Acme"
}

party desk {
  name "Service Desk"
}

calendar office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
}

agreement desk {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider desk
  customer acme

  objective response {
    sli response_time
    calendar office
    target 90%
    window month
    within 1h
  }

  objective weekly_report {
    sli delivery
    due every mon 10:00
    calendar office
    target 100%
    window month
  }

  objective happiness {
    sli satisfaction {
      scale 5
      satisfied 4
    }
    calendar office
    target 80%
    window month
  }

  objective availability {
    sli ratio {
      good "sum(rate(ok[5m]))"
      total "sum(rate(all[5m]))"
    }
    target 99%
    window month
  }
}
"#;

    /// Each kind of objective counted per week of March 2026 (W09 from Monday 23 February to
    /// W14 from Monday 30 March), in Paris time.
    #[test]
    fn each_kind_of_objective_is_measured_per_week() {
        let files = vec![(
            std::path::PathBuf::from("/ws/desk.sla"),
            WORKSPACE.to_string(),
        )];
        let options = slac_model::Options {
            today: NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
        };
        let workspace = slac_model::check_files(
            std::path::Path::new("/ws"),
            slac_model::Config::default(),
            &files,
            &options,
        );
        assert!(
            !workspace
                .diagnostics
                .iter()
                .any(|d| d.severity() == slac_diagnostics::Severity::Error),
            "{:#?}",
            workspace.diagnostics
        );
        let lines = [
            // Tickets by the week they are opened: T-1, opened Saturday 28 February 23:30 UTC,
            // which is Sunday 1 March 00:30 in Paris (W09), due Monday 09:00, answered 08:30:
            // met, in W09.
            r#"{"ticket":"T-1","at":"2026-02-28T23:30:00Z","event":"opened"}"#,
            r#"{"ticket":"T-1","at":"2026-03-02T07:30:00Z","event":"responded"}"#,
            // T-2, opened Friday 13 March (W11) and answered after 2h: breached, in W11. T-3,
            // opened Friday 20 March 16:30 (W12) and answered Monday 23 March (W13) 08:10, after
            // 40 minutes of open time: met, in W12, the week it was opened.
            r#"{"ticket":"T-2","at":"2026-03-13T09:00:00+01:00","event":"opened"}"#,
            r#"{"ticket":"T-2","at":"2026-03-13T11:00:00+01:00","event":"responded"}"#,
            r#"{"ticket":"T-3","at":"2026-03-20T16:30:00+01:00","event":"opened"}"#,
            r#"{"ticket":"T-3","at":"2026-03-23T08:10:00+01:00","event":"responded"}"#,
            // Deliveries: due Mondays 2, 9, 16, 23, 30 March at 10:00; the 16th (W12) missed.
            r#"{"event":"delivered","objective":"weekly_report","at":"2026-03-02T09:00:00+01:00"}"#,
            r#"{"event":"delivered","objective":"weekly_report","at":"2026-03-09T09:00:00+01:00"}"#,
            r#"{"event":"delivered","objective":"weekly_report","at":"2026-03-23T09:00:00+01:00"}"#,
            r#"{"event":"delivered","objective":"weekly_report","at":"2026-03-30T09:00:00+02:00"}"#,
            // Answers by the week given: Sunday 29 March 23:30 Paris (+02:00) is W13; Monday
            // 30 March 00:10 Paris is W14.
            r#"{"event":"survey","objective":"happiness","at":"2026-03-29T21:30:00Z","score":5}"#,
            r#"{"event":"survey","objective":"happiness","at":"2026-03-29T22:10:00Z","score":2}"#,
            r#"{"event":"survey","objective":"happiness","at":"2026-03-29T22:20:00Z","score":4}"#,
        ]
        .join("\n");
        let input: Box<dyn std::io::BufRead> = Box::new(std::io::Cursor::new(lines.into_bytes()));
        let report = crate::measure(
            &workspace.model,
            Some("desk"),
            &Period::parse("2026-03").unwrap(),
            [(std::path::PathBuf::from("events.jsonl"), input)],
        )
        .unwrap();
        assert_eq!(report.summary.bad_lines, 0, "{:#?}", report.bad_lines);
        let weeks = |id: &str| -> Vec<(u64, u64)> {
            let o = report.agreements[0]
                .objectives
                .iter()
                .find(|o| o.id == id)
                .unwrap();
            if !o.weeks.is_empty() {
                let starts: Vec<NaiveDate> = o.weeks.iter().map(|w| w.start).collect();
                assert_eq!(starts[0], d(2026, 2, 23));
                assert!(starts.windows(2).all(|w| (w[1] - w[0]).num_days() == 7));
                let good: u64 = o.weeks.iter().map(|w| w.good).sum();
                let bad: u64 = o.weeks.iter().map(|w| w.bad).sum();
                assert_eq!((good, bad), (o.counts.good, o.counts.bad), "{id}");
            }
            o.weeks.iter().map(|w| (w.good, w.bad)).collect()
        };
        assert_eq!(
            weeks("response"),
            [(1, 0), (0, 0), (0, 1), (1, 0), (0, 0), (0, 0)]
        );
        assert_eq!(
            weeks("weekly_report"),
            [(0, 0), (1, 0), (1, 0), (0, 1), (1, 0), (1, 0)]
        );
        assert_eq!(
            weeks("happiness"),
            [(0, 0), (0, 0), (0, 0), (0, 0), (1, 0), (1, 1)]
        );
        assert_eq!(weeks("availability"), []);
    }
}
