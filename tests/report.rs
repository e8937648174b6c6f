//! `slac report` through the real binary: the month of printer tickets of the examples'
//! `acme_printers` agreement (hand-computed in crates/report/tests/acme_printers.rs), in both
//! formats, with its exit status; a bad line is reported with its file and line and makes the
//! exit status 1 while the rest of the report is still produced.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use support::slac;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn month() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/report/tests/fixtures/acme_printers_2026-03.jsonl")
}

fn report(format: &str, data: &Path) -> support::Run {
    let examples = examples();
    slac(
        &examples,
        &[
            "report",
            "--data",
            data.to_str().unwrap(),
            "--period",
            "2026-03",
            "--agreement",
            "acme_printers",
            "--format",
            format,
        ],
    )
}

#[test]
fn a_month_of_printer_tickets_misses_the_target_and_owes_the_first_credit_tier() {
    let run = report("markdown", &month());
    // Missed: exit 1.
    run.assert_code(1);
    let text = &run.stdout;
    assert!(
        text.contains(
            "| Délai de prise en charge (`response`) | 92.31% | 95% | ❌ missed | 39 | 3 | 1 | 0 |"
        ),
        "{text}"
    );
    for ticket in [
        "| A-34 | for priority = P2 | 4h |",
        "| A-32 | for priority = P3 | 2bd |",
        "| A-37 | for priority = P2 | 4h |",
    ] {
        assert!(text.contains(ticket), "{ticket} missing from:\n{text}");
    }
    assert!(
        text.contains("Pending at the end of the period: A-38."),
        "{text}"
    );
    assert!(
        text.contains(
            "- A-34: level 3 at 2026-03-11 12:00 UTC, told helpdesk.manager, acme.account_manager"
        ),
        "{text}"
    );
    assert!(text.contains("**60.00 EUR**"), "{text}");
    insta::assert_snapshot!("report_acme_printers_2026_03_markdown", text);
}

#[test]
fn the_json_report_carries_the_same_figures() {
    let run = report("json", &month());
    run.assert_code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let agreement = &json["agreements"][0];
    assert_eq!(agreement["id"], "acme_printers");
    let objective = &agreement["objectives"][0];
    assert_eq!(objective["id"], "response");
    assert_eq!(objective["status"], "missed");
    assert_eq!(objective["counts"]["bad"], 3);
    assert_eq!(objective["counts"]["pending"], 1);
    assert_eq!(agreement["credit"]["amount"], "60.00");
    assert_eq!(agreement["credit"]["currency"], "EUR");
    assert_eq!(json["summary"]["bad_lines"], 0);
}

#[test]
fn a_bad_line_is_reported_with_its_file_and_line_and_the_rest_is_measured() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tickets.jsonl");
    let mut text = std::fs::read_to_string(month()).unwrap();
    text.push_str("{\"ticket\": \"X-1\", \"at\": \"not a date\", \"event\": \"opened\"}\n");
    std::fs::write(&data, &text).unwrap();
    let lines = text.lines().count();
    let run = report("markdown", &data);
    run.assert_code(1);
    assert!(
        run.stderr.contains(&format!("tickets.jsonl:{lines}:")),
        "stderr:\n{}",
        run.stderr
    );
    assert!(run.stdout.contains("1 bad line(s)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("## Input lines not used"),
        "{}",
        run.stdout
    );
    // The measure is unchanged by the bad line.
    assert!(
        run.stdout
            .contains("| 92.31% | 95% | ❌ missed | 39 | 3 | 1 | 0 |"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_bad_period_or_a_missing_file_is_an_environment_error() {
    let examples = examples();
    let run = slac(
        &examples,
        &[
            "report",
            "--data",
            month().to_str().unwrap(),
            "--period",
            "2026-13",
        ],
    );
    run.assert_code(2);
    assert!(run.stderr.contains("--period"), "{}", run.stderr);
    let run = slac(
        &examples,
        &[
            "report",
            "--data",
            "/nonexistent/tickets.jsonl",
            "--period",
            "2026-03",
        ],
    );
    run.assert_code(2);
}
