//! The "done when" scenario of issue 8: a month of tickets for the examples' printer agreement.
//!
//! `acme_printers.response` on `paris_office` (Europe/Paris, Mon–Fri 08:00–17:00, Sat
//! 09:00–12:00, no holiday in March 2026; UTC+2 from Sunday 29 March): P1 1h, P2 4h, P3 2bd,
//! P2 + rural 8h, otherwise 3bd; target 95%; credits 5% below 95%, 15% below 90%, cap 30% of
//! 1200 EUR per month; escalation `standard` (50% oncall, 75% manager, breach manager + account
//! manager).
//!
//! The fixture `fixtures/acme_printers_2026-03.jsonl`, worked out by hand:
//!
//! | tickets | what | deadline | outcome |
//! |---|---|---|---|
//! | A-00 | P1 opened 27 Feb | — | outside the period (2 events) |
//! | A-01…A-20 | P1, weekdays 09:00, answered 09:20 | 10:00 | met, no escalation (50% is 09:30) |
//! | A-21…A-24 | P1, Saturdays 10:00, answered 10:15 | 11:00 | met |
//! | A-25, 26, 28, 29 | P2 14:00 Mon/Wed/Tue/Thu, answered 09:00 next day | 3h + 1h: 09:00 next day | met at the deadline; levels 1 (16:00) and 2 (17:00) |
//! | A-27 | P2 Fri 6 Mar 14:00, answered Sat 09:30 | 3h Fri + 1h Sat: Sat 10:00 | met; levels 1, 2 |
//! | A-30 | P3 Sat 14 Mar 10:00 (offset 1h) | Tue 17 09:00 | met (08:30); levels 1 (Mon 12:00), 2 (Mon 15:00) |
//! | A-31 | P3 Sat 21 Mar 13:00 (closed: from Mon 08:00, offset 0) | Wed 25 08:00 | met (Tue 16:00); levels 1 (Mon 17:00), 2 (Tue 12:30) |
//! | A-32 | P3 Fri 20 Mar 16:30 (offset 8h30; Sat is the 1st open day) | Mon 23 16:30 | breached: answered 17:00, late 30 min open and wall; levels 1 (Mon 10:30), 2 (Mon 13:30), 3 (Mon 16:30) |
//! | A-33 | P2 + rural, Tue 10 Mar 09:00 (8h, the most specific case) | 17:00 | met (16:30); levels 1 (13:00), 2 (15:00) |
//! | A-34 | P2 + paris, Wed 11 Mar 09:00 (4h) | 13:00 | breached: answered 16:30, late 3h30 open and wall; levels 1, 2, 3 |
//! | A-35 | P4, Mon 16 Mar 10:00 (default 3bd, offset 2h) | Thu 19 10:00 | met (Wed 09:00); level 1 (Tue 14:30) |
//! | A-36 | no priority, Thu 26 Mar 11:00 (3bd, offset 3h; Fri, Sat, Mon) | Mon 30 11:00 +02:00 | met (10:30 +02:00); levels 1 (Fri 12:30), 2 (Sat 09:45) |
//! | A-37 | P2, Sat 28 Mar 11:00 +01:00 | 1h Sat + 3h Mon 30 from 08:00 +02:00: 11:00 +02:00 | breached: answered 11:30 +02:00, late 30 min; levels 1 (09:00), 2 (10:00), 3 (11:00) +02:00 |
//! | A-38 | P3, Tue 31 Mar 14:00 +02:00 | Thu 2 Apr 14:00 | pending; level 1 would be 1 Apr 14:00, after the period |
//! | A-39 | P2, Thu 19 Mar 15:00, paused 15:30 → Fri 09:00 | 30 min + 3h30: Fri 12:30 | met (11:00); level 1 (2h: Fri 10:30) |
//! | A-40 | P1, Tue 24 Mar 10:00, answered 10:30, resolved, reopened, resolved | 11:00 | met; level 1 at 10:30 is the answer itself: not fired |
//!
//! 40 tickets: 36 met, 3 breached (A-32, A-34, A-37), 1 pending: 36 / 39 = 92.31% < 95%: missed,
//! the 5% tier applies (not the 15% one: 92.31% is not below 90%): 60.00 EUR of 1200 EUR.
//! 14 tickets escalated: the 13 of A-25…A-37, and A-39.

#![allow(clippy::unwrap_used)]

use std::io::BufRead;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use slac_report::{measure_with, MeasureOptions, Period, Status};

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Measures `inputs` for the examples' `acme_printers` in March 2026, with `trend` earlier
/// periods.
fn review(inputs: Vec<(PathBuf, Box<dyn BufRead>)>, trend: usize) -> slac_report::Report {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = slac_model::Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
    };
    let workspace = slac_model::load(&root.join("../../examples"), &options).unwrap();
    assert!(!workspace.has_errors());
    let period = Period::parse("2026-03").unwrap();
    let options = MeasureOptions {
        trend,
        ..MeasureOptions::default()
    };
    measure_with(
        &workspace.model,
        Some("acme_printers"),
        &period,
        options,
        inputs,
    )
    .unwrap()
}

fn report_with_trend(trend: usize) -> slac_report::Report {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/acme_printers_2026-03.jsonl");
    let file = std::fs::File::open(&fixture).unwrap();
    review(
        vec![(fixture, Box::new(std::io::BufReader::new(file)))],
        trend,
    )
}

/// The review of March alone: the ticket opened in February is left out.
fn report() -> slac_report::Report {
    report_with_trend(0)
}

#[test]
fn the_trend_holds_the_earlier_periods_the_data_covers() {
    let report = report_with_trend(3);
    // A-00, opened on Friday 27 February at 10:00 (P1, 1 hour), counts in February: its two
    // events are used, none is outside the periods.
    assert_eq!(report.summary.outside_period, 0);
    assert_eq!(report.summary.events, 86);
    let response = &report.agreements[0].objectives[0];
    // Only February has data: December and January are not listed.
    assert_eq!(response.trend.len(), 1, "{:#?}", response.trend);
    let february = &response.trend[0];
    assert_eq!(february.period, "2026-02");
    assert_eq!(february.from, t("2026-02-01T00:00:00+01:00"));
    assert_eq!(february.to, t("2026-03-01T00:00:00+01:00"));
    // Still unanswered when February ended, 1 hour after 10:00 on the 27th: breached.
    assert_eq!((february.good, february.bad), (0, 1));
    assert_eq!(february.measured, Some(0.0));
    assert_eq!(february.status, Status::Missed);
    // March is measured exactly as without the trend.
    let alone = report_with_trend(0);
    let march = &alone.agreements[0].objectives[0];
    assert_eq!(response.counts, march.counts);
    assert_eq!(response.breaches, march.breaches);
    assert_eq!(response.escalations, march.escalations);
    assert!(march.trend.is_empty());
}

#[test]
fn a_month_of_printer_tickets() {
    let report = report();
    assert_eq!(report.summary.bad_lines, 0, "{:#?}", report.bad_lines);
    assert_eq!(report.summary.lines, 86);
    assert_eq!(report.summary.outside_period, 2);
    assert_eq!(report.summary.events, 84);
    assert_eq!(report.agreements.len(), 1);
    let agreement = &report.agreements[0];
    let response = &agreement.objectives[0];
    assert_eq!(response.id, "response");
    assert_eq!(
        (
            response.counts.total,
            response.counts.good,
            response.counts.bad,
            response.counts.pending,
            response.counts.unmatched
        ),
        (40, 36, 3, 1, 0)
    );
    let measured = response.measured.unwrap();
    assert!((measured - 3600.0 / 39.0).abs() < 1e-9, "{measured}");
    assert_eq!(response.status, Status::Missed);
    assert_eq!(response.pending[0].ticket, "A-38");
    assert_eq!(
        response.pending[0].due,
        Some(t("2026-04-02T14:00:00+02:00"))
    );

    let breaches: Vec<_> = response
        .breaches
        .iter()
        .map(|b| {
            (
                b.ticket.as_str(),
                b.case.as_str(),
                b.due,
                b.actual,
                b.late_open_seconds,
                b.late_wall_seconds,
            )
        })
        .collect();
    assert_eq!(
        breaches,
        vec![
            (
                "A-34",
                "for priority = P2",
                t("2026-03-11T13:00:00+01:00"),
                Some(t("2026-03-11T16:30:00+01:00")),
                12_600,
                12_600
            ),
            (
                "A-32",
                "for priority = P3",
                t("2026-03-23T16:30:00+01:00"),
                Some(t("2026-03-23T17:00:00+01:00")),
                1800,
                1800
            ),
            (
                "A-37",
                "for priority = P2",
                t("2026-03-30T11:00:00+02:00"),
                Some(t("2026-03-30T11:30:00+02:00")),
                1800,
                1800
            ),
        ]
    );

    assert_eq!(response.escalations.len(), 14);
    let fired = |ticket: &str| -> Vec<(u32, DateTime<Utc>, String)> {
        response
            .escalations
            .iter()
            .find(|e| e.ticket == ticket)
            .map(|e| {
                e.levels
                    .iter()
                    .map(|l| (l.level, l.at, l.notify.join(" ")))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        fired("A-37"),
        vec![
            (1, t("2026-03-30T09:00:00+02:00"), "helpdesk.oncall".into()),
            (2, t("2026-03-30T10:00:00+02:00"), "helpdesk.manager".into()),
            (
                3,
                t("2026-03-30T11:00:00+02:00"),
                "helpdesk.manager acme.account_manager".into()
            ),
        ]
    );
    let levels = |ticket: &str| -> Vec<(u32, DateTime<Utc>)> {
        fired(ticket)
            .into_iter()
            .map(|(l, at, _)| (l, at))
            .collect()
    };
    assert_eq!(
        levels("A-31"),
        vec![
            (1, t("2026-03-23T17:00:00+01:00")),
            (2, t("2026-03-24T12:30:00+01:00"))
        ]
    );
    assert_eq!(
        levels("A-36"),
        vec![
            (1, t("2026-03-27T12:30:00+01:00")),
            (2, t("2026-03-28T09:45:00+01:00"))
        ]
    );
    assert_eq!(levels("A-39"), vec![(1, t("2026-03-20T10:30:00+01:00"))]);
    assert_eq!(levels("A-35"), vec![(1, t("2026-03-17T14:30:00+01:00"))]);
    assert!(levels("A-40").is_empty());
    assert!(levels("A-38").is_empty());

    let credit = agreement.credit.as_ref().unwrap();
    assert_eq!(credit.tiers.len(), 1);
    assert_eq!((credit.tiers[0].below, credit.tiers[0].refund), (95.0, 5.0));
    assert_eq!(credit.percent, 5.0);
    assert_eq!(credit.cap_percent, Some(30.0));
    assert_eq!(credit.period_fee.as_deref(), Some("1200.00"));
    assert_eq!(credit.amount.as_deref(), Some("60.00"));
    assert_eq!(credit.currency.as_deref(), Some("EUR"));
    assert!(!agreement.watermelon);
    assert!(!report.all_met());
}

/// Measures `jsonl` (one event a line) for `acme_printers` in March 2026, without trend.
fn measure_text(jsonl: &str) -> slac_report::Report {
    let inputs: Vec<(PathBuf, Box<dyn BufRead>)> = vec![(
        PathBuf::from("events.jsonl"),
        Box::new(std::io::Cursor::new(jsonl.to_string())),
    )];
    review(inputs, 0)
}

#[test]
fn a_ticket_judged_at_its_response_still_has_its_later_events_checked() {
    // T-1 is judged (met) at its response, and only what is needed to check its later events
    // is kept: each fault below is still a bad line, and the good events are used.
    let report = measure_text(
        r#"{"ticket":"T-1","at":"2026-03-02T09:00:00+01:00","event":"opened","attrs":{"priority":"P1"}}
{"ticket":"T-1","at":"2026-03-02T09:20:00+01:00","event":"responded"}
{"ticket":"T-1","at":"2026-03-02T09:20:00+01:00","event":"responded"}
{"ticket":"T-1","at":"2026-03-02T09:10:00+01:00","event":"paused"}
{"ticket":"T-1","at":"2026-03-02T09:30:00+01:00","event":"resumed"}
{"ticket":"T-1","at":"2026-03-02T09:40:00+01:00","event":"paused"}
{"ticket":"T-1","at":"2026-03-02T09:50:00+01:00","event":"paused"}
{"ticket":"T-1","at":"2026-03-02T10:00:00+01:00","event":"resolved"}
{"ticket":"T-1","at":"2026-03-02T10:05:00+01:00","event":"paused"}
{"ticket":"T-1","at":"2026-03-02T10:10:00+01:00","event":"opened","attrs":{"priority":"P1"}}
{"ticket":"T-1","at":"2026-03-02T10:20:00+01:00","event":"reopened"}
{"ticket":"T-1","at":"2026-03-02T10:30:00+01:00","event":"resolved"}
"#,
    );
    let reasons: Vec<(u64, &str)> = report
        .bad_lines
        .iter()
        .map(|b| (b.line, b.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 6, "{reasons:#?}");
    assert_eq!(reasons[0], (3, "duplicate `responded` event"));
    assert_eq!(reasons[1].0, 4);
    assert!(
        reasons[1].1.starts_with("out of order: `paused`"),
        "{reasons:?}"
    );
    assert_eq!(reasons[2], (5, "`resumed` while the ticket is not paused"));
    assert_eq!(
        reasons[3],
        (7, "`paused` while the ticket is already paused")
    );
    assert_eq!(reasons[4], (9, "`paused` while the ticket is resolved"));
    assert_eq!(reasons[5].0, 10);
    assert!(reasons[5].1.contains("already opened"), "{reasons:?}");
    assert_eq!(report.summary.events, 6);
    let response = &report.agreements[0].objectives[0];
    assert_eq!((response.counts.total, response.counts.good), (1, 1));
}

#[test]
fn tickets_are_judged_the_same_whatever_the_order_their_clocks_stop_in() {
    // T-2 is opened first and answered last (late); T-1 is answered in time; T-3 (two
    // business days) is still waiting at the end of March. The lists come in the order of
    // opening (then id) whatever the order the tickets were judged in.
    let report = measure_text(
        r#"{"ticket":"T-2","at":"2026-03-02T09:00:00+01:00","event":"opened","attrs":{"priority":"P1"}}
{"ticket":"T-1","at":"2026-03-02T09:00:00+01:00","event":"opened","attrs":{"priority":"P1"}}
{"ticket":"T-3","at":"2026-03-31T10:00:00+02:00","event":"opened","attrs":{"priority":"P3"}}
{"ticket":"T-1","at":"2026-03-02T09:40:00+01:00","event":"responded"}
{"ticket":"T-2","at":"2026-03-02T12:00:00+01:00","event":"responded"}
"#,
    );
    assert_eq!(report.summary.bad_lines, 0, "{:#?}", report.bad_lines);
    let response = &report.agreements[0].objectives[0];
    let c = &response.counts;
    assert_eq!((c.total, c.good, c.bad, c.pending), (3, 1, 1, 1));
    assert_eq!(response.breaches[0].ticket, "T-2");
    assert_eq!(response.breaches[0].late_open_seconds, 2 * 3600);
    assert_eq!(response.pending[0].ticket, "T-3");
    let escalated: Vec<&str> = response
        .escalations
        .iter()
        .map(|e| e.ticket.as_str())
        .collect();
    // T-1 (answered after half its hour, at 50 %) reaches the first level; T-2 every level; T-3 has
    // not run long enough for any.
    assert_eq!(escalated, ["T-1", "T-2"]);
}
