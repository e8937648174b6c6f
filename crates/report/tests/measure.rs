//! Reviews of generated data whose outcomes are computed here, by hand, in the comments: every
//! deadline below is worked out on the calendar `office` (Europe/Paris, Mon–Fri 08:00–17:00, no
//! holidays; UTC+1 until Sunday 29 March 2026 02:00, UTC+2 after).

#![allow(clippy::unwrap_used)]

use std::io::BufRead;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use slac_model::{check_files, Config, Model, Options};
use slac_report::{measure, measure_with, MeasureOptions, Period, Report, Status};

const WORKSPACE: &str = r#"
party acme {
  name "Acme"
  contact it_lead "it-lead@acme.example"
}

party desk {
  name "Service Desk"
  kind internal
  contact manager "manager@provider.example"
  contact oncall "oncall@provider.example"
}

calendar office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
}

escalation standard {
  level 1 at 50% notify desk.oncall
  level 2 at 75% notify desk.manager
  level 3 at breach notify desk.manager, acme.it_lead
}

escalation major {
  level 1 at 2h notify desk.oncall
  level 2 at breach notify desk.manager
}

agreement desk_support {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider desk
  customer acme
  fee 1000 EUR per month
  escalation standard

  objective response {
    sli response_time
    calendar office
    target 90%
    window month
    within 1h for priority = P1
    within 4h for priority = P2
    within 8h for priority = P2 and region = rural
    within 2bd for priority = P3
  }

  objective weekly_report {
    sli delivery
    due every mon 10:00
    calendar office
    target 100%
    window quarter
  }

  credit {
    when response below 90% refund 10%
    when response below 75% refund 20%
    when weekly_report below 100% refund 15%
    cap 25%
  }
}

agreement fixes {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider desk
  customer acme

  objective resolution {
    sli resolution_time
    calendar office
    target 50%
    window month
    within 16h
    escalation major
  }
}

agreement happy {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider desk
  customer acme

  objective response {
    sli response_time
    target 90%
    window month
    within 4h
  }

  objective satisfaction {
    sli satisfaction {
      scale 5
      satisfied 4
    }
    target 80%
    window month
  }
}
"#;

fn model() -> Model {
    let files = vec![(PathBuf::from("/ws/all.sla"), WORKSPACE.to_string())];
    let options = Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
    };
    let workspace = check_files(Path::new("/ws"), Config::default(), &files, &options);
    let errors: Vec<_> = workspace
        .diagnostics
        .iter()
        .filter(|d| d.severity() == slac_diagnostics::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    workspace.model
}

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn ev(agreement: &str, ticket: &str, at: &str, event: &str) -> String {
    format!(r#"{{"agreement":"{agreement}","ticket":"{ticket}","at":"{at}","event":"{event}"}}"#)
}

fn opened(agreement: &str, ticket: &str, at: &str, attrs: &str) -> String {
    format!(
        r#"{{"agreement":"{agreement}","ticket":"{ticket}","at":"{at}","event":"opened","attrs":{{{attrs}}}}}"#
    )
}

fn input(name: &str, lines: &[String]) -> (PathBuf, Box<dyn BufRead>) {
    let text = lines.join("\n") + "\n";
    (
        PathBuf::from(name),
        Box::new(std::io::Cursor::new(text.into_bytes())),
    )
}

const D: &str = "desk_support";

/// The events of `desk_support`, with the line of the malformed one, the out-of-order one and the
/// duplicate one.
fn desk_events() -> (Vec<String>, [usize; 3]) {
    let mut lines = vec![
        // T-0: opened in February, answered in March: outside the period (both events).
        opened(D, "T-0", "2026-02-27T10:00:00+01:00", r#""priority":"P1""#),
        ev(D, "T-0", "2026-03-02T09:00:00+01:00", "responded"),
        // T-1, P1 (1h): opened Mon 2 Mar 09:00, due 10:00, answered 09:45: met. Escalation
        // level 1 (50% = 30 min) at 09:30 fired; level 2 (75%) at 09:45 is the response itself:
        // not fired.
        opened(D, "T-1", "2026-03-02T09:00:00+01:00", r#""priority":"P1""#),
        ev(D, "T-1", "2026-03-02T09:45:00+01:00", "responded"),
        // T-2, P2 (4h) with a pause: Tue 3 Mar 15:00–16:00 runs 1h, paused until Wed 10:00, then
        // 3h more: due Wed 4 Mar 13:00 (without the pause it would be Wed 10:00). Answered
        // Wed 11:30: met.
        opened(D, "T-2", "2026-03-03T15:00:00+01:00", r#""priority":"P2""#),
        ev(D, "T-2", "2026-03-03T16:00:00+01:00", "paused"),
        ev(D, "T-2", "2026-03-04T10:00:00+01:00", "resumed"),
        ev(D, "T-2", "2026-03-04T11:30:00+01:00", "responded"),
        // T-3, P3 (2bd): opened Fri 6 Mar 16:30, 8h30 into its open day; the 2nd following open
        // day is Tue 10 Mar: due 16:30 there. Answered 16:45: breached by 15 min (open and
        // wall). Allowance: 30 min Fri + 9h Mon + 8h30 Tue = 18h; 50% (9h) at Mon 16:30, 75%
        // (13h30) at Tue 12:00, breach at Tue 16:30.
        opened(D, "T-3", "2026-03-06T16:30:00+01:00", r#""priority":"P3""#),
        ev(D, "T-3", "2026-03-10T16:45:00+01:00", "responded"),
        // T-4, P2 (4h) across the change to summer time: Fri 27 Mar 15:00–17:00 (+01:00) is 2h,
        // Mon 30 Mar 08:00–10:00 (+02:00) the other 2h: due 08:00Z. Answered 09:30Z: late by
        // 1h30 open and wall.
        opened(D, "T-4", "2026-03-27T15:00:00+01:00", r#""priority":"P2""#),
        ev(D, "T-4", "2026-03-30T09:30:00Z", "responded"),
        // T-5, P1 (1h): opened Fri 13 Mar 16:00, due 17:00; answered Mon 16 Mar 08:30: late by
        // 30 min of open time, 63h30 of wall time.
        opened(D, "T-5", "2026-03-13T16:00:00+01:00", r#""priority":"P1""#),
        ev(D, "T-5", "2026-03-16T08:30:00+01:00", "responded"),
        // T-6 (P2, rural: 8h, the most specific case) and T-7 (P2, paris: 4h), both opened
        // Tue 17 Mar 09:00 and answered 15:00 (6h): T-6 met, T-7 breached (due 13:00, late 2h).
        opened(D, "T-6", "2026-03-17T09:00:00+01:00", r#""priority":"P2","region":"rural""#),
        opened(D, "T-7", "2026-03-17T09:00:00+01:00", r#""priority":"P2","region":"paris""#),
        ev(D, "T-6", "2026-03-17T15:00:00+01:00", "responded"),
        ev(D, "T-7", "2026-03-17T15:00:00+01:00", "responded"),
        // T-8, P4: no case (no default case): unmatched.
        opened(D, "T-8", "2026-03-18T09:00:00+01:00", r#""priority":"P4""#),
        ev(D, "T-8", "2026-03-18T09:10:00+01:00", "responded"),
        // T-9, P3 (2bd) opened Tue 31 Mar 10:00: due Thu 2 Apr 10:00, after the period: pending.
        opened(D, "T-9", "2026-03-31T10:00:00+02:00", r#""priority":"P3""#),
        // T-10, P1 opened Tue 31 Mar 15:00 (+02:00), never answered: due 16:00, breached at the
        // end of the period (1 Apr 00:00 +02:00): late 1h open (16:00–17:00), 8h wall.
        opened(D, "T-10", "2026-03-31T15:00:00+02:00", r#""priority":"P1""#),
        // T-11 and T-12, P1, met.
        opened(D, "T-11", "2026-03-09T10:00:00+01:00", r#""priority":"P1""#),
        ev(D, "T-11", "2026-03-09T10:10:00+01:00", "responded"),
        opened(D, "T-12", "2026-03-09T11:00:00+01:00", r#""priority":"P1""#),
        ev(D, "T-12", "2026-03-09T11:10:00+01:00", "responded"),
        // Deliveries of the weekly report: Mondays 2, 9, 16, 23, 30 March at 10:00 local. The
        // 16th is missed; the 30th (+02:00) is met by a delivery at 09:59 +02:00.
        r#"{"agreement":"desk_support","event":"delivered","objective":"weekly_report","at":"2026-03-02T09:50:00+01:00"}"#.into(),
        r#"{"agreement":"desk_support","event":"delivered","objective":"weekly_report","at":"2026-03-09T09:00:00+01:00"}"#.into(),
        r#"{"agreement":"desk_support","event":"delivered","objective":"weekly_report","at":"2026-03-23T09:30:00+01:00"}"#.into(),
        r#"{"agreement":"desk_support","event":"delivered","objective":"weekly_report","at":"2026-03-30T09:59:00+02:00"}"#.into(),
        // An unknown agreement and an unknown objective: bad lines.
        ev("nobody", "X-1", "2026-03-03T10:00:00+01:00", "opened"),
        r#"{"agreement":"desk_support","event":"delivered","objective":"monthly_report","at":"2026-03-02T09:50:00+01:00"}"#.into(),
    ];
    // A malformed line, an out-of-order event (T-11 resolved before it was opened) and a
    // duplicate (T-12 answered twice at the same instant).
    let malformed = lines.len() + 1;
    lines.push(r#"{"ticket":"T-13","at":"2026-03-03T10:00"#.into());
    let out_of_order = lines.len() + 1;
    lines.push(ev(D, "T-11", "2026-03-09T09:59:00+01:00", "resolved"));
    let duplicate = lines.len() + 1;
    lines.push(ev(D, "T-12", "2026-03-09T11:10:00+01:00", "responded"));
    (lines, [malformed, out_of_order, duplicate])
}

fn fixes_events() -> Vec<String> {
    const F: &str = "fixes";
    vec![
        // F-1 (16h): Tue 3 Mar 15:00–16:00 is 1h, paused until Wed 10:00; Wed 10:00–17:00 7h;
        // Thu 08:00–16:00 the last 8h: due Thu 5 Mar 16:00 (without the pause: Thu 13:00).
        // Resolved Thu 15:00: met.
        opened(F, "F-1", "2026-03-03T15:00:00+01:00", ""),
        ev(F, "F-1", "2026-03-03T16:00:00+01:00", "paused"),
        ev(F, "F-1", "2026-03-04T10:00:00+01:00", "resumed"),
        ev(F, "F-1", "2026-03-05T15:00:00+01:00", "resolved"),
        // F-2, reopened: Wed 18 Mar 09:00–12:00 runs 3h, resolved; reopened Mon 23 Mar 09:00,
        // 13h left: Mon 09:00–17:00 8h, Tue 08:00–13:00 5h: due Tue 24 Mar 13:00. Resolved
        // again Tue 16:00: breached by 3h (open and wall). Escalation `major`: level 1 (2h of
        // wall time) Wed 18 Mar 11:00, level 2 at the deadline.
        opened(F, "F-2", "2026-03-18T09:00:00+01:00", ""),
        ev(F, "F-2", "2026-03-18T12:00:00+01:00", "resolved"),
        ev(F, "F-2", "2026-03-23T09:00:00+01:00", "reopened"),
        ev(F, "F-2", "2026-03-24T16:00:00+01:00", "resolved"),
        // F-3: Mon 2 Mar 08:00–17:00, 9h: met.
        opened(F, "F-3", "2026-03-02T08:00:00+01:00", ""),
        ev(F, "F-3", "2026-03-02T17:00:00+01:00", "resolved"),
        // Out of order: `resumed` without `paused`.
        ev(F, "F-3", "2026-03-03T10:00:00+01:00", "resumed"),
    ]
}

fn happy_events() -> Vec<String> {
    let survey = |at: &str, score: i64| {
        format!(r#"{{"agreement":"happy","event":"survey","at":"{at}","score":{score}}}"#)
    };
    vec![
        // H-1 on `always` (4h): met.
        opened("happy", "H-1", "2026-03-10T10:00:00Z", ""),
        ev("happy", "H-1", "2026-03-10T11:00:00Z", "responded"),
        // Answers: 5 and 4 are satisfied, 3, 2, 1 are not: 40% against 80%.
        survey("2026-03-02T10:00:00Z", 5),
        survey("2026-03-03T10:00:00Z", 4),
        survey("2026-03-04T10:00:00Z", 3),
        survey("2026-03-05T10:00:00Z", 2),
        survey("2026-03-06T10:00:00Z", 1),
        // Outside the scale: a bad line. In April: outside the period.
        survey("2026-03-07T10:00:00Z", 6),
        survey("2026-04-07T10:00:00Z", 5),
    ]
}

/// H-2 as a CSV row on `always`: answered after 3h, met.
const HAPPY_CSV: &str = "ticket,opened,responded,resolved,agreement,priority\n\
H-2,2026-03-11T10:00:00Z,2026-03-11T13:00:00Z,,happy,P2\n";

fn report() -> (Report, [usize; 3]) {
    let (desk, bad) = desk_events();
    let inputs = vec![
        input("desk.jsonl", &desk),
        input("fixes.jsonl", &fixes_events()),
        input("happy.jsonl", &happy_events()),
        (
            PathBuf::from("happy.csv"),
            Box::new(std::io::Cursor::new(HAPPY_CSV.as_bytes().to_vec())) as Box<dyn BufRead>,
        ),
    ];
    let period = Period::parse("2026-03").unwrap();
    // The period alone: the trend (which would take T-0, opened in February) is tested apart.
    (
        measure_with(
            &model(),
            None,
            &period,
            MeasureOptions {
                trend: 0,
                ..MeasureOptions::default()
            },
            inputs,
        )
        .unwrap(),
        bad,
    )
}

fn objective<'r>(
    report: &'r Report,
    agreement: &str,
    objective: &str,
) -> &'r slac_report::ObjectiveReport {
    report
        .agreements
        .iter()
        .find(|a| a.id == agreement)
        .unwrap()
        .objectives
        .iter()
        .find(|o| o.id == objective)
        .unwrap()
}

#[test]
fn response_times_with_pauses_business_days_dst_and_cases() {
    let (report, _) = report();
    let response = objective(&report, D, "response");
    // 12 tickets opened in March: met T-1, T-2, T-6, T-11, T-12; breached T-3, T-4, T-5, T-7,
    // T-10; pending T-9; unmatched T-8.
    assert_eq!(
        (
            response.counts.total,
            response.counts.good,
            response.counts.bad,
            response.counts.pending,
            response.counts.unmatched
        ),
        (12, 5, 5, 1, 1)
    );
    assert_eq!(response.measured, Some(50.0));
    assert_eq!(response.status, Status::Missed);
    assert_eq!(response.unmatched, vec!["T-8".to_string()]);
    assert_eq!(response.pending[0].ticket, "T-9");
    assert_eq!(
        response.pending[0].due,
        Some(t("2026-04-02T10:00:00+02:00"))
    );

    let breaches: Vec<_> = response
        .breaches
        .iter()
        .map(|b| {
            (
                b.ticket.as_str(),
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
                "T-3",
                t("2026-03-10T16:30:00+01:00"),
                Some(t("2026-03-10T16:45:00+01:00")),
                900,
                900
            ),
            (
                "T-5",
                t("2026-03-13T17:00:00+01:00"),
                Some(t("2026-03-16T08:30:00+01:00")),
                1800,
                228_600
            ),
            (
                "T-7",
                t("2026-03-17T13:00:00+01:00"),
                Some(t("2026-03-17T15:00:00+01:00")),
                7200,
                7200
            ),
            (
                "T-4",
                t("2026-03-30T08:00:00Z"),
                Some(t("2026-03-30T09:30:00Z")),
                5400,
                5400
            ),
            ("T-10", t("2026-03-31T16:00:00+02:00"), None, 3600, 28_800),
        ]
    );
    let t7 = &response.breaches[2];
    assert_eq!(t7.case, "for priority = P2");
    assert_eq!(t7.within, "4h");
}

#[test]
fn escalations_that_would_have_fired() {
    let (report, _) = report();
    let response = objective(&report, D, "response");
    let fired = |ticket: &str| {
        response
            .escalations
            .iter()
            .find(|e| e.ticket == ticket)
            .map(|e| {
                e.levels
                    .iter()
                    .map(|l| (l.level, l.at, l.notify.join(" ")))
                    .collect::<Vec<_>>()
            })
    };
    assert_eq!(
        fired("T-1"),
        Some(vec![(
            1,
            t("2026-03-02T09:30:00+01:00"),
            "desk.oncall".into()
        )])
    );
    assert_eq!(
        fired("T-3"),
        Some(vec![
            (1, t("2026-03-09T16:30:00+01:00"), "desk.oncall".into()),
            (2, t("2026-03-10T12:00:00+01:00"), "desk.manager".into()),
            (
                3,
                t("2026-03-10T16:30:00+01:00"),
                "desk.manager acme.it_lead".into()
            ),
        ])
    );
    // T-11 answered after 10 of 60 minutes: nothing fired.
    assert_eq!(fired("T-11"), None);
    let resolution = objective(&report, "fixes", "resolution");
    let f2 = resolution
        .escalations
        .iter()
        .find(|e| e.ticket == "F-2")
        .unwrap();
    let levels: Vec<_> = f2.levels.iter().map(|l| (l.level, l.at)).collect();
    assert_eq!(
        levels,
        vec![
            (1, t("2026-03-18T11:00:00+01:00")),
            (2, t("2026-03-24T13:00:00+01:00"))
        ]
    );
}

#[test]
fn resolution_with_pauses_and_a_reopened_ticket() {
    let (report, _) = report();
    let resolution = objective(&report, "fixes", "resolution");
    assert_eq!(
        (
            resolution.counts.total,
            resolution.counts.good,
            resolution.counts.bad
        ),
        (3, 2, 1)
    );
    assert_eq!(resolution.status, Status::Met);
    let f2 = &resolution.breaches[0];
    assert_eq!(f2.ticket, "F-2");
    assert_eq!(f2.due, t("2026-03-24T13:00:00+01:00"));
    assert_eq!(f2.actual, Some(t("2026-03-24T16:00:00+01:00")));
    assert_eq!(
        (f2.late_open_seconds, f2.late_wall_seconds),
        (10_800, 10_800)
    );
}

#[test]
fn bad_lines_are_reported_and_the_rest_is_counted() {
    let (report, [malformed, out_of_order, duplicate]) = report();
    let bad: Vec<_> = report
        .bad_lines
        .iter()
        .map(|b| {
            (
                b.file.to_string_lossy().into_owned(),
                b.line,
                b.reason.clone(),
            )
        })
        .collect();
    let find = |file: &str, line: usize| {
        bad.iter()
            .find(|b| b.0 == file && b.1 == line as u64)
            .map(|b| b.2.clone())
            .unwrap_or_else(|| panic!("no bad line {file}:{line} in {bad:#?}"))
    };
    assert!(find("desk.jsonl", malformed).contains("not a JSON event"));
    assert!(find("desk.jsonl", out_of_order).contains("out of order"));
    assert!(find("desk.jsonl", duplicate).contains("duplicate"));
    assert!(find("desk.jsonl", malformed - 2).contains("unknown agreement `nobody`"));
    assert!(find("desk.jsonl", malformed - 1).contains("unknown objective `monthly_report`"));
    assert!(find("fixes.jsonl", 11).contains("not paused"));
    assert!(find("happy.jsonl", 8).contains("outside the scale"));
    assert_eq!(report.summary.bad_lines, 7, "{bad:#?}");
    assert_eq!(report.bad_lines.len(), 7);
    // T-0's two events and the April survey answer.
    assert_eq!(report.summary.outside_period, 3);
    assert_eq!(report.summary.files, 4);
    assert!(!report.all_met());
}

#[test]
fn deliverables_credits_and_the_watermelon() {
    let (report, _) = report();
    let weekly = objective(&report, D, "weekly_report");
    let dues: Vec<_> = weekly.deliveries.iter().map(|d| (d.due, d.met)).collect();
    assert_eq!(
        dues,
        vec![
            (t("2026-03-02T10:00:00+01:00"), true),
            (t("2026-03-09T10:00:00+01:00"), true),
            (t("2026-03-16T10:00:00+01:00"), false),
            (t("2026-03-23T10:00:00+01:00"), true),
            (t("2026-03-30T10:00:00+02:00"), true),
        ]
    );
    assert_eq!(weekly.measured, Some(80.0));
    assert_eq!(weekly.status, Status::Missed);

    // response 50% → the 20% tier (below 75%, the biggest that applies); weekly_report 80% →
    // 15%; 35% capped at 25% of 1000 EUR.
    let desk = report.agreements.iter().find(|a| a.id == D).unwrap();
    let credit = desk.credit.as_ref().unwrap();
    let tiers: Vec<_> = credit
        .tiers
        .iter()
        .map(|t| (t.objective.as_str(), t.refund))
        .collect();
    assert_eq!(tiers, vec![("response", 20.0), ("weekly_report", 15.0)]);
    assert_eq!(credit.uncapped_percent, 35.0);
    assert_eq!(credit.percent, 25.0);
    assert_eq!(credit.period_fee.as_deref(), Some("1000.00"));
    assert_eq!(credit.amount.as_deref(), Some("250.00"));
    assert_eq!(credit.currency.as_deref(), Some("EUR"));
    assert!(!desk.watermelon);

    let happy = report.agreements.iter().find(|a| a.id == "happy").unwrap();
    let response = objective(&report, "happy", "response");
    // H-1 from the JSON lines, H-2 from the CSV row: both met.
    assert_eq!((response.counts.good, response.counts.bad), (2, 0));
    assert_eq!(response.status, Status::Met);
    let satisfaction = objective(&report, "happy", "satisfaction");
    assert_eq!(satisfaction.measured, Some(40.0));
    assert_eq!(satisfaction.status, Status::Missed);
    assert!(happy.watermelon);
    assert!(happy.warnings[0].contains("watermelon"));
    assert!(happy.credit.is_none());
}

#[test]
fn the_report_serializes() {
    let (report, _) = report();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["period"]["from"], "2026-03-01");
    assert_eq!(json["agreements"][0]["id"], "desk_support");
    assert_eq!(json["agreements"][0]["objectives"][0]["status"], "missed");
}

#[test]
fn an_agreement_named_filters_the_others() {
    let (desk, _) = desk_events();
    let period = Period::parse("2026-03").unwrap();
    let report = measure(
        &model(),
        Some("fixes"),
        &period,
        vec![
            input("desk.jsonl", &desk),
            input("fixes.jsonl", &fixes_events()),
        ],
    )
    .unwrap();
    assert_eq!(report.agreements.len(), 1);
    assert_eq!(report.agreements[0].id, "fixes");
    assert!(report.summary.other_agreements > 0);
    assert!(measure(&model(), Some("nope"), &period, Vec::new()).is_err());
}

/// The reopen window: a resolved ticket is forgotten once the input reaches an event more than
/// the window after the ticket's last one; its later events are bad lines, its id opens a new
/// ticket. Without a window, nothing is forgotten.
#[test]
fn resolved_tickets_are_closed_after_the_reopen_window() {
    const F: &str = "fixes";
    let lines = vec![
        // R-1 (16h): Mon 2 Mar 09:00–12:00 runs 3h, resolved; reopened exactly 7 days later
        // (Mon 9 Mar 12:00, the window's last instant): 13h left, Mon 12:00–17:00 5h, Tue
        // 08:00–16:00 8h: due Tue 10 Mar 16:00; resolved Tue 15:00: met.
        opened(F, "R-1", "2026-03-02T09:00:00+01:00", ""),
        ev(F, "R-1", "2026-03-02T12:00:00+01:00", "resolved"),
        ev(F, "R-1", "2026-03-09T12:00:00+01:00", "reopened"),
        ev(F, "R-1", "2026-03-10T15:00:00+01:00", "resolved"),
        // R-2: Tue 3 Mar 09:00–10:00, resolved (met); reopened a minute after its window.
        opened(F, "R-2", "2026-03-03T09:00:00+01:00", ""),
        ev(F, "R-2", "2026-03-03T10:00:00+01:00", "resolved"),
        // An event of another ticket more than 7 days after R-2's resolution: R-2 is closed.
        opened(F, "R-3", "2026-03-10T10:01:00+01:00", ""),
        ev(F, "R-2", "2026-03-10T10:01:00+01:00", "reopened"),
        // R-3, resolved after 1h: met.
        ev(F, "R-3", "2026-03-10T11:01:00+01:00", "resolved"),
        // R-2's id again, later still: a new ticket, Mon 16 Mar 09:00–17:00 then Tue 08:00–
        // 17:00 is 17h > 16h: breached by 1h (open time), 16h of wall time (due Tue 16:00).
        opened(F, "R-2", "2026-03-16T09:00:00+01:00", ""),
        ev(F, "R-2", "2026-03-17T17:00:00+01:00", "resolved"),
    ];
    let period = Period::parse("2026-03").unwrap();
    let run = |window: Option<chrono::Duration>| {
        let options = MeasureOptions {
            trend: 0,
            reopen_window: window,
            ..MeasureOptions::default()
        };
        measure_with(
            &model(),
            Some(F),
            &period,
            options,
            vec![input("fixes.jsonl", &lines)],
        )
        .unwrap()
    };

    let report = run(Some(chrono::Duration::days(7)));
    let reasons: Vec<_> = report
        .bad_lines
        .iter()
        .map(|b| (b.line, b.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [(8, "no `opened` event for ticket `R-2` before this `reopened`, or the ticket was resolved more than 7 days before it and is closed (the reopen window)")]
    );
    let resolution = objective(&report, F, "resolution");
    // R-1 met, R-2 (first) met, R-3 met, R-2 (second) breached.
    assert_eq!(
        (
            resolution.counts.total,
            resolution.counts.good,
            resolution.counts.bad
        ),
        (4, 3, 1)
    );
    assert_eq!(resolution.breaches.len(), 1);
    let again = &resolution.breaches[0];
    assert_eq!(again.ticket, "R-2");
    assert_eq!(again.opened, t("2026-03-16T09:00:00+01:00"));
    assert_eq!(again.due, t("2026-03-17T16:00:00+01:00"));
    assert_eq!(again.late_open_seconds, 3_600);

    // Without a window, R-2 is reopened (due: 15h left from Tue 10 Mar 10:01, so Wed 11 Mar
    // 16:01), and its second `opened` is refused: the ticket is still the first one.
    let report = run(None);
    let reasons: Vec<_> = report.bad_lines.iter().map(|b| b.line).collect();
    assert_eq!(reasons, [10]);
    assert!(report.bad_lines[0].reason.contains("already opened"));
    let resolution = objective(&report, F, "resolution");
    assert_eq!(resolution.counts.total, 3);
}

/// A `Write` whose bytes the test reads back after the report.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// 1,005 P1 tickets never answered, read latest first: the report lists the first 1,000 by
/// opening of the breaches and of the escalations, counts all 1,005, and says so; the ticket
/// ledger has a row for every one, with its deadline and escalations.
#[test]
fn lists_hold_the_first_tickets_and_the_ledger_every_one() {
    let n = slac_report::MAX_LISTED_TICKETS + 5;
    let start = t("2026-03-02T08:00:00+01:00");
    let lines: Vec<String> = (0..n)
        .rev()
        .map(|i| {
            let at = (start + chrono::Duration::minutes(i as i64)).to_rfc3339();
            opened(D, &format!("D-{i:04}"), &at, r#""priority":"P1""#)
        })
        .collect();
    let ledger = Shared::default();
    let options = MeasureOptions {
        trend: 0,
        reopen_window: None,
        ledger: Some(Box::new(ledger.clone())),
        ..MeasureOptions::default()
    };
    let period = Period::parse("2026-03").unwrap();
    let report = measure_with(
        &model(),
        Some(D),
        &period,
        options,
        vec![input("d.jsonl", &lines)],
    )
    .unwrap();
    let response = objective(&report, D, "response");
    assert_eq!(
        (response.counts.bad, response.counts.escalated),
        (n as u64, n as u64)
    );
    assert_eq!(response.breaches.len(), slac_report::MAX_LISTED_TICKETS);
    assert_eq!(response.escalations.len(), slac_report::MAX_LISTED_TICKETS);
    let listed: Vec<&str> = response
        .breaches
        .iter()
        .map(|b| b.ticket.as_str())
        .collect();
    assert_eq!(listed[0], "D-0000");
    assert_eq!(listed[listed.len() - 1], "D-0999");
    assert!(listed.windows(2).all(|w| w[0] < w[1]));
    let note = "The first 1000 of 1005, by opening; every ticket is in the ticket ledger.";
    let [breached, pending, unmatched, escalated] = response.listed_notes();
    assert_eq!(breached.as_deref(), Some(note));
    assert_eq!(escalated.as_deref(), Some(note));
    assert_eq!((pending, unmatched), (None, None));
    let markdown = slac_report::markdown::render(&report);
    assert_eq!(markdown.matches(note).count(), 2, "{markdown}");

    let bytes = ledger.0.borrow().clone();
    let mut csv = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
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
            "escalations"
        ]
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), n);
    // D-0000, opened Mon 2 Mar 08:00: due 09:00; still running at the end of March (Tue 31
    // 22:00 UTC), late by the open hours from Mon 09:00 to the end: 22 working days of 9h, less
    // the first hour (8h on the 2nd), and by the wall time; level 1 at 50% (08:30), level 2 at
    // 75% (08:45), level 3 at the breach (09:00).
    let first = rows.iter().find(|r| &r[3] == "D-0000").unwrap();
    let late_open = (22 * 9 - 1) * 3600;
    let late_wall = (t("2026-04-01T00:00:00+02:00") - t("2026-03-02T09:00:00+01:00")).num_seconds();
    let expected = [
        D,
        "response",
        "2026-03",
        "D-0000",
        "for priority = P1",
        "1h",
        "2026-03-02T07:00:00Z",
        "2026-03-02T08:00:00Z",
        "",
        "breached",
        &late_open.to_string(),
        &late_wall.to_string(),
        "1@2026-03-02T07:30:00Z 2@2026-03-02T07:45:00Z 3@2026-03-02T08:00:00Z",
    ];
    assert_eq!(first.iter().collect::<Vec<_>>(), expected);
    assert!(rows.iter().all(|r| &r[9] == "breached"));
}
