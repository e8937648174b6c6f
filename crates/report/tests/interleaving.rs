//! Tickets are judged as soon as their outcome is settled, in whatever order their events
//! arrive, and resolved tickets are forgotten after the reopen window. Generated ticket
//! histories (responses, pauses, resolutions, reopenings, across the end of February and of
//! March) are measured several ways — ticket after ticket, all events in time order, with a
//! reopen window of a day, and with every ticket judged only at the end of the input and none
//! forgotten — and the reports must be the same, trend included.

#![allow(clippy::unwrap_used)]

use std::io::BufRead;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration};
use proptest::prelude::*;
use slac_model::{check_files, Config, Model, Options};
use slac_report::{measure_judging_at_end, measure_with, MeasureOptions, Period};

const WORKSPACE: &str = r#"
party acme {
  name "Acme"
  contact lead "lead@acme.example"
}

party desk {
  name "Service Desk"
  kind internal
  contact oncall "oncall@provider.example"
}

calendar office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
}

escalation standard {
  level 1 at 50% notify desk.oncall
  level 2 at 2h notify desk
  level 3 at breach notify acme.lead
}

agreement support {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider desk
  customer acme
  escalation standard

  objective response {
    sli response_time
    calendar office
    target 90%
    window month
    within 1h for priority = P1
    within 4h for priority = P2
    within 1bd for priority = P3
  }

  objective resolution {
    sli resolution_time
    calendar office
    target 80%
    window month
    within 8h for priority = P1
    within 3bd
  }
}
"#;

fn model() -> Model {
    let files = vec![(PathBuf::from("/ws/all.sla"), WORKSPACE.to_string())];
    let options = Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
    };
    let workspace = check_files(Path::new("/ws"), Config::default(), &files, &options);
    assert!(!workspace.has_errors(), "{:#?}", workspace.diagnostics);
    workspace.model
}

/// One event of a ticket: minutes after the previous one, and what happens.
#[derive(Debug, Clone, Copy)]
enum Step {
    Respond,
    Pause,
    Resume,
    Resolve,
    Reopen,
}

/// The reopen window of the runs that forget tickets, in minutes.
const WINDOW_MINUTES: i64 = 24 * 60;

/// A ticket's history, made valid: each step that cannot follow is skipped, and the steps of a
/// resolved ticket come within the reopen window.
fn history(id: usize, opened: i64, priority: u8, steps: &[(u16, Step)]) -> Vec<(i64, String)> {
    let start = DateTime::parse_from_rfc3339("2026-02-20T00:00:00Z")
        .unwrap()
        .to_utc();
    let at = |minutes: i64| (start + Duration::minutes(minutes)).to_rfc3339();
    let mut lines = vec![(
        opened,
        format!(
            r#"{{"ticket":"T-{id}","at":"{}","event":"opened","attrs":{{"priority":"P{priority}"}}}}"#,
            at(opened)
        ),
    )];
    let (mut paused, mut resolved) = (false, false);
    let mut now = opened;
    for &(gap, step) in steps {
        let was_resolved = resolved;
        let name = match step {
            Step::Respond if !resolved => "responded",
            Step::Pause if !paused && !resolved => {
                paused = true;
                "paused"
            }
            Step::Resume if paused => {
                paused = false;
                "resumed"
            }
            Step::Resolve if !resolved => {
                paused = false;
                resolved = true;
                "resolved"
            }
            Step::Reopen if resolved => {
                resolved = false;
                "reopened"
            }
            _ => continue,
        };
        let gap = i64::from(gap);
        now += 1 + if was_resolved {
            gap % WINDOW_MINUTES
        } else {
            gap
        };
        lines.push((
            now,
            format!(
                r#"{{"ticket":"T-{id}","at":"{}","event":"{name}"}}"#,
                at(now)
            ),
        ));
    }
    lines
}

/// How a run judges and forgets tickets.
#[derive(Clone, Copy)]
enum Mode {
    /// As soon as settled, resolved tickets forgotten after this reopen window (minutes).
    Early(Option<i64>),
    /// At the end of the input, none forgotten.
    AtEnd,
}

/// `trend`: 2 measures January and February too; 0 leaves out the tickets opened before March
/// (they are followed only to know when they are closed).
fn measure(lines: &[String], mode: Mode, trend: usize) -> serde_json::Value {
    let text = lines.join("\n") + "\n";
    let inputs: Vec<(PathBuf, Box<dyn BufRead>)> = vec![(
        PathBuf::from("events.jsonl"),
        Box::new(std::io::Cursor::new(text.into_bytes())),
    )];
    let period = Period::parse("2026-03").unwrap();
    let model = model();
    let report = match mode {
        Mode::Early(window) => {
            let options = MeasureOptions {
                trend,
                reopen_window: window.map(Duration::minutes),
                ..MeasureOptions::default()
            };
            measure_with(&model, Some("support"), &period, options, inputs)
        }
        Mode::AtEnd => {
            let options = MeasureOptions {
                trend,
                ..MeasureOptions::default()
            };
            measure_judging_at_end(&model, Some("support"), &period, options, inputs)
        }
    }
    .unwrap();
    assert_eq!(report.summary.bad_lines, 0, "{:#?}", report.bad_lines);
    serde_json::to_value(&report).unwrap()
}

fn step() -> impl Strategy<Value = (u16, Step)> {
    (
        0u16..3000,
        prop_oneof![
            3 => Just(Step::Respond),
            1 => Just(Step::Pause),
            1 => Just(Step::Resume),
            2 => Just(Step::Resolve),
            1 => Just(Step::Reopen),
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_report_does_not_depend_on_how_tickets_interleave(
        tickets in prop::collection::vec(
            // Opened from 20 February to early April (minutes), P1 to P3, up to 7 steps.
            (0i64..62_000, 1u8..=3, prop::collection::vec(step(), 0..7)),
            1..40,
        )
    ) {
        let histories: Vec<Vec<(i64, String)>> = tickets
            .iter()
            .enumerate()
            .map(|(i, (opened, priority, steps))| history(i, *opened, *priority, steps))
            .collect();
        // Ticket after ticket: each is settled before the next one opens.
        let sequential: Vec<String> =
            histories.iter().flatten().map(|(_, line)| line.clone()).collect();
        // Every event in time order: many tickets live at once.
        let mut merged: Vec<&(i64, String)> = histories.iter().flatten().collect();
        merged.sort_by_key(|(at, _)| *at);
        let merged: Vec<String> = merged.into_iter().map(|(_, line)| line.clone()).collect();
        let at_end = measure(&merged, Mode::AtEnd, 2);
        for window in [None, Some(WINDOW_MINUTES)] {
            prop_assert_eq!(&measure(&sequential, Mode::Early(window), 2), &at_end);
            prop_assert_eq!(&measure(&merged, Mode::Early(window), 2), &at_end);
        }
        let alone = measure(&merged, Mode::AtEnd, 0);
        prop_assert_eq!(&measure(&merged, Mode::Early(Some(WINDOW_MINUTES)), 0), &alone);
        // Something was measured whenever a ticket opened in February or March (before
        // 2026-03-31T22:00Z, 57,480 minutes after the start): not a property of empty reports.
        let response = &at_end["agreements"][0]["objectives"][0];
        let measured = response["counts"]["total"].as_u64().unwrap() > 0
            || !response["trend"].as_array().unwrap().is_empty();
        prop_assert_eq!(measured, tickets.iter().any(|(opened, _, _)| *opened < 57_480));
    }
}

/// The edge of the property's last check: a ticket opened in the last minute of March (Paris) is
/// measured; one opened at April's first instant is not (the check once put March's end a day
/// early, which a run of the property found).
#[test]
fn the_end_of_march_is_where_the_property_says() {
    for (opened, measured) in [(57_479, true), (57_480, false), (56_040, true)] {
        let lines: Vec<String> = history(0, opened, 1, &[])
            .into_iter()
            .map(|(_, line)| line)
            .collect();
        let report = measure(&lines, Mode::AtEnd, 2);
        let response = &report["agreements"][0]["objectives"][0];
        let counted = response["counts"]["total"].as_u64().unwrap() > 0
            || !response["trend"].as_array().unwrap().is_empty();
        assert_eq!(counted, measured, "opened {opened} minutes after the start");
    }
}
