//! The ticket ledger: one CSV row per ticket and objective, written as each is judged, so that
//! every ticket's outcome is available however many there are (the report lists the first
//! [`crate::MAX_LISTED_TICKETS`] of each list), in the order tickets are settled.
//!
//! Columns: `agreement, objective, period` (the period of the review, or an earlier one of the
//! trend), `ticket, case` (the `within` case in words, empty when unmatched), `allowed` (its
//! duration), `opened, due, stopped` (RFC 3339 in UTC; `due` empty when unmatched or not yet
//! known, `stopped` empty when the clock still ran at the end of the period), `outcome`
//! (`met`, `breached`, `pending`, `unmatched`), `late_open_seconds, late_wall_seconds` (of a
//! breach), and `escalations` (the levels that would have fired: `1@2026-03-02T10:00:00Z`,
//! separated by spaces).

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::tickets::Outcome;
use crate::TicketEscalation;

pub(crate) const HEADER: [&str; 13] = [
    "agreement",
    "objective",
    "period",
    "ticket",
    "case",
    "allowed",
    "opened",
    "due",
    "stopped",
    "outcome",
    "late_open_seconds",
    "late_wall_seconds",
    "escalations",
];

pub(crate) struct Ledger {
    out: csv::Writer<Box<dyn Write>>,
    /// The periods' names, by index (0 the period of the review).
    periods: Vec<String>,
    /// The first error met; nothing is written after it.
    error: Option<String>,
}

/// A ticket's row, before formatting.
pub(crate) struct Row<'a> {
    pub agreement: &'a str,
    pub objective: &'a str,
    pub period: usize,
    pub ticket: &'a str,
    /// The case in words and its duration; `None` when the ticket matches no case.
    pub case: Option<(&'a str, &'a str)>,
    pub opened: DateTime<Utc>,
    pub outcome: Option<&'a Outcome>,
    pub escalation: Option<&'a TicketEscalation>,
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl Ledger {
    pub fn new(out: Box<dyn Write>, periods: Vec<String>) -> Self {
        let mut ledger = Ledger {
            out: csv::Writer::from_writer(out),
            periods,
            error: None,
        };
        if let Err(error) = ledger.out.write_record(HEADER) {
            ledger.error = Some(error.to_string());
        }
        ledger
    }

    pub fn write(&mut self, row: Row) {
        if self.error.is_some() {
            return;
        }
        let (case, allowed) = row.case.unwrap_or_default();
        let (due, stopped, outcome, late_open, late_wall) = match row.outcome {
            None => (None, None, "unmatched", None, None),
            Some(Outcome::Met { due, actual }) => (Some(*due), Some(*actual), "met", None, None),
            Some(Outcome::Breached {
                due,
                actual,
                late_open_seconds,
                late_wall_seconds,
            }) => (
                Some(*due),
                *actual,
                "breached",
                Some(*late_open_seconds),
                Some(*late_wall_seconds),
            ),
            Some(Outcome::Pending { due }) => (*due, None, "pending", None, None),
        };
        let escalations = row.escalation.map_or_else(String::new, |e| {
            e.levels
                .iter()
                .map(|l| format!("{}@{}", l.level, instant(l.at)))
                .collect::<Vec<_>>()
                .join(" ")
        });
        let period = self.periods.get(row.period).map_or("", String::as_str);
        let record = [
            row.agreement,
            row.objective,
            period,
            row.ticket,
            case,
            allowed,
            &instant(row.opened),
            &due.map(instant).unwrap_or_default(),
            &stopped.map(instant).unwrap_or_default(),
            outcome,
            &late_open.map(|s| s.to_string()).unwrap_or_default(),
            &late_wall.map(|s| s.to_string()).unwrap_or_default(),
            &escalations,
        ];
        if let Err(error) = self.out.write_record(record) {
            self.error = Some(error.to_string());
        }
    }

    /// Flushes what is written; the first error met, if any.
    pub fn finish(mut self) -> Result<(), String> {
        if let Some(error) = self.error {
            return Err(error);
        }
        self.out.flush().map_err(|e| e.to_string())
    }
}
