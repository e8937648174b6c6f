//! `slac calendar due`, `slac calendar elapsed` and `slac budget` as a user meets them: the real
//! binary, run in temporary workspaces.
//!
//! It proves the business-day examples of the language reference §5.3 through the command line,
//! the JSON shapes of `spec/cli.md` (`{"due": …}` in the calendar's offset, `{"seconds": N}`),
//! that `--batch` keeps one output line per input line in input order (blank and malformed lines
//! give empty lines, malformed ones are named with their line number on stderr and end with exit
//! status 1), from a file or from stdin, and across the parallel path of large inputs; that
//! `slac budget` reads the §5.1 example (99.9% over 30d on `always` is 43m12s); and that unknown
//! calendars, agreements and objectives are usage errors (exit 2) with a suggestion, while a
//! workspace with errors prints its diagnostics and exits 1.

mod support;

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

use serde_json::Value;
use support::{slac, slac_with, Run, DEADLINE, TODAY};
use tempfile::TempDir;

/// The calendars of the language reference §3.4, with the holidays of §3.3.
const CALENDARS: &str = r#"calendar paris_office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
  open sat 09:00-12:00
  closed france
  closed 2026-08-10 to 2026-08-21 "Fermeture estivale"
}

calendar night_desk {
  timezone "America/New_York"
  open mon-fri 22:00-06:00
}

holidays france {
  annual 01-01 "Jour de l'an"
  annual 05-01 "Fête du travail"
  annual 07-14 "Fête nationale"
  annual 12-25 "Noël"
  easter +1  "Lundi de Pâques"
  easter +39 "Ascension"
  easter +50 "Lundi de Pentecôte"
}
"#;

/// An agreement with a ratio objective on `always` and a ticket objective on `paris_office`.
const AGREEMENT: &str = r#"party acme {
  name "Acme Industries SA"
  kind external
}

party helpdesk {
  name "Service Desk"
  kind internal
}

agreement acme_printers {
  title "Printer support for Acme"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider helpdesk
  customer acme

  objective api_availability {
    sli ratio {
      errors """sum(rate(http_requests_total{code=~"5.."}[$window]))"""
      total  """sum(rate(http_requests_total[$window]))"""
    }
    target 99.9%
    window 30d
  }

  objective response {
    sli response_time
    calendar paris_office
    target 95%
    window month
    within 1h  for priority = P1
    within 4h  for priority = P2 and region = rural
    within 3bd
  }
}
"#;

/// The instant `slac budget` computes at.
const NOW: &str = "2026-11-25T10:00:00+01:00";

/// A workspace with the calendars and the agreement.
fn workspace() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write(&dir.path().join("calendars.sla"), CALENDARS);
    write(&dir.path().join("agreements.sla"), AGREEMENT);
    dir
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
}

/// `slac calendar due CALENDAR --start START --within WITHIN` in the workspace, and its output.
fn due(dir: &Path, calendar: &str, start: &str, within: &str) -> String {
    let run = slac(
        dir,
        &[
            "calendar", "due", calendar, "--start", start, "--within", within,
        ],
    );
    run.assert_code(0);
    run.stdout.trim_end().to_string()
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|error| panic!("not one JSON object ({error}):\n{stdout}"))
}

/// Runs `slac ARGS` in `dir` with `input` on stdin.
fn slac_stdin(dir: &Path, args: &[&str], input: &str) -> Run {
    let command = format!("slac {}", args.join(" "));
    let mut child = Command::new(env!("CARGO_BIN_EXE_slac"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SLAC_TODAY", TODAY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start `{command}`: {error}"));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_string();
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let errors = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut stdout)
        .expect("stdout is UTF-8");
    let status = child.wait().expect("slac ends");
    writer.join().expect("the input is written");
    Run {
        command,
        status,
        stdout,
        stderr: errors.join().unwrap_or_default(),
    }
}

#[test]
fn business_days_follow_the_reference_examples() {
    let dir = workspace();
    // Tuesday 15:00 + 1bd: Wednesday 15:00.
    assert_eq!(
        due(
            dir.path(),
            "paris_office",
            "2026-03-24T15:00:00+01:00",
            "1bd"
        ),
        "due 2026-03-25T15:00:00+01:00 (Wednesday 25 March 2026, 15:00 Europe/Paris)"
    );
    // Friday 16:30 + 1bd: Saturday, with the offset 8h30 capped at its 12:00 close.
    assert_eq!(
        due(
            dir.path(),
            "paris_office",
            "2026-03-27T16:30:00+01:00",
            "1bd"
        ),
        "due 2026-03-28T12:00:00+01:00 (Saturday 28 March 2026, 12:00 Europe/Paris)"
    );
    // Saturday 13:00 (closed) + 1bd: Monday is the first open day, so Tuesday 08:00, after the
    // change to summer time.
    assert_eq!(
        due(
            dir.path(),
            "paris_office",
            "2026-03-28T13:00:00+01:00",
            "1bd"
        ),
        "due 2026-03-31T08:00:00+02:00 (Tuesday 31 March 2026, 08:00 Europe/Paris)"
    );
    // The same instant written in UTC gives the same deadline.
    assert_eq!(
        due(dir.path(), "paris_office", "2026-03-24T14:00:00Z", "1bd"),
        "due 2026-03-25T15:00:00+01:00 (Wednesday 25 March 2026, 15:00 Europe/Paris)"
    );
}

#[test]
fn open_time_runs_only_during_open_hours() {
    let dir = workspace();
    // 9h from 08:00 on an 08:00-17:00 day is 17:00 that day (§5.2).
    assert_eq!(
        due(
            dir.path(),
            "paris_office",
            "2026-03-24T08:00:00+01:00",
            "9h"
        ),
        "due 2026-03-24T17:00:00+01:00 (Tuesday 24 March 2026, 17:00 Europe/Paris)"
    );
    // Friday 16:30 + 4h: 30m on Friday, 3h on Saturday, 30m on Monday.
    assert_eq!(
        due(
            dir.path(),
            "paris_office",
            "2026-03-06T16:30:00+01:00",
            "4h"
        ),
        "due 2026-03-09T08:30:00+01:00 (Monday 9 March 2026, 08:30 Europe/Paris)"
    );
    // `always` needs no workspace, and answers in UTC.
    let empty = tempfile::tempdir().expect("a temporary folder");
    assert_eq!(
        due(empty.path(), "always", "2026-03-27T16:30:00+01:00", "1h30m"),
        "due 2026-03-27T17:00:00+00:00 (Friday 27 March 2026, 17:00 UTC)"
    );
}

#[test]
fn due_and_elapsed_print_the_documented_json() {
    let dir = workspace();
    let run = slac(
        dir.path(),
        &[
            "calendar",
            "due",
            "paris_office",
            "--start",
            "2026-03-27T16:30:00+01:00",
            "--within",
            "1bd",
            "--format",
            "json",
        ],
    );
    run.assert_code(0);
    assert_eq!(
        json(&run.stdout),
        serde_json::json!({ "due": "2026-03-28T12:00:00+01:00" })
    );
    let run = slac(
        dir.path(),
        &[
            "calendar",
            "elapsed",
            "night_desk",
            "--from",
            "2026-03-02T00:00:00-05:00",
            "--to",
            "2026-03-09T00:00:00-05:00",
            "--format",
            "json",
        ],
    );
    run.assert_code(0);
    // Monday 00:00 to Monday 00:00: the Friday night runs to Saturday 06:00, and the Monday
    // night has not started; 5 nights of 8h.
    assert_eq!(
        json(&run.stdout),
        serde_json::json!({ "seconds": 5 * 8 * 3600 })
    );
}

#[test]
fn elapsed_skips_the_weekend() {
    let dir = workspace();
    let run = slac(
        dir.path(),
        &[
            "calendar",
            "elapsed",
            "paris_office",
            "--from",
            "2026-03-06T16:00:00+01:00",
            "--to",
            "2026-03-09T09:00:00+01:00",
        ],
    );
    run.assert_code(0);
    // Friday 16:00-17:00, Saturday 09:00-12:00, Monday 08:00-09:00.
    assert_eq!(run.stdout.trim_end(), "5h (18000 s) of open time");
    // An interval that ends before it starts is a usage error.
    let run = slac(
        dir.path(),
        &[
            "calendar",
            "elapsed",
            "paris_office",
            "--from",
            "2026-03-09T09:00:00+01:00",
            "--to",
            "2026-03-06T16:00:00+01:00",
        ],
    );
    run.assert_code(2);
}

#[test]
fn a_batch_keeps_rows_aligned_around_a_malformed_line() {
    let dir = workspace();
    write(
        &dir.path().join("tickets.csv"),
        "2026-03-24T15:00:00+01:00,1bd\n\
         2026-03-27T16:30:00+01:00,soon\n\
         \n\
         \"2026-03-28T13:00:00+01:00\", 1bd\r\n\
         2026-03-24T08:00:00+01:00,9h",
    );
    let run = slac(
        dir.path(),
        &["calendar", "due", "paris_office", "--batch", "tickets.csv"],
    );
    run.assert_code(1);
    assert_eq!(
        run.stdout,
        "2026-03-25T15:00:00+01:00\n\
         \n\
         \n\
         2026-03-31T08:00:00+02:00\n\
         2026-03-24T17:00:00+01:00\n"
    );
    assert!(
        run.stderr.contains("tickets.csv:2:") && run.stderr.contains("`soon`"),
        "stderr names line 2 and why:\n{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(":3:") && !run.stderr.contains(":4:"),
        "only line 2 is malformed:\n{}",
        run.stderr
    );
}

#[test]
fn a_batch_reads_stdin() {
    let dir = workspace();
    let input = "start,within\n\
                 2026-03-24T15:00:00+01:00,1bd\n\
                 2026-03-27T16:30:00+01:00,1bd\n\
                 2026-03-28T13:00:00+01:00,1bd\n";
    let run = slac_stdin(
        dir.path(),
        &["calendar", "due", "paris_office", "--batch", "-"],
        input,
    );
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        "due\n\
         2026-03-25T15:00:00+01:00\n\
         2026-03-28T12:00:00+01:00\n\
         2026-03-31T08:00:00+02:00\n"
    );
    let run = slac_stdin(
        dir.path(),
        &[
            "calendar",
            "elapsed",
            "paris_office",
            "--batch",
            "-",
            "--format",
            "json",
        ],
        "2026-03-06T16:00:00+01:00,2026-03-09T09:00:00+01:00\n\
         2026-03-09T09:00:00+01:00,2026-03-06T16:00:00+01:00\n\
         2026-03-09T09:00:00+01:00,2026-03-09T09:00:00+01:00\n",
    );
    run.assert_code(1);
    assert_eq!(run.stdout, "{\"seconds\":18000}\n\n{\"seconds\":0}\n");
    assert!(run.stderr.contains("<stdin>:2:"), "{}", run.stderr);
}

#[test]
fn a_large_batch_stays_in_input_order() {
    // Enough lines for the parallel path: each deadline on `always` is its start plus 1h.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let starts: Vec<String> = (0..60_000i64)
        .map(|i| {
            let t =
                chrono::DateTime::from_timestamp(1_767_225_600 + i * 97, 0).expect("an instant");
            t.to_rfc3339()
        })
        .collect();
    let mut input = String::new();
    for (i, start) in starts.iter().enumerate() {
        if i == 30_001 {
            input.push_str("not a line\n");
        } else {
            input.push_str(&format!("{start},1h\n"));
        }
    }
    write(&dir.path().join("big.csv"), &input);
    let run = slac_with(
        dir.path(),
        &["calendar", "due", "always", "--batch", "big.csv"],
        &[],
        DEADLINE,
    );
    run.assert_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), starts.len());
    for (i, (line, start)) in lines.iter().zip(&starts).enumerate() {
        if i == 30_001 {
            assert_eq!(*line, "");
            continue;
        }
        let start = chrono::DateTime::parse_from_rfc3339(start).expect("an instant");
        let expected = (start + chrono::Duration::hours(1)).to_rfc3339();
        assert_eq!(*line, expected, "line {}", i + 1);
    }
    assert!(run.stderr.contains("big.csv:30002:"), "{}", run.stderr);
}

#[test]
fn budget_reads_the_error_budget_in_words() {
    let dir = workspace();
    let run = slac_with(dir.path(), &["budget"], &[("SLAC_NOW", NOW)], DEADLINE);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("api_availability: 99.9% over 30d: error budget 43m12s of 30d open time"),
        "{}",
        run.stdout
    );
    // The ticket objective: its calendar's week, its window and the time allowed per case.
    assert!(
        run.stdout
            .contains("48h open a week; month of 2026-11: 201h open"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("priority P1: 1h of open time"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("priority P2, region rural: 4h of open time"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("every other ticket: 3bd"),
        "{}",
        run.stdout
    );

    let run = slac_with(
        dir.path(),
        &[
            "budget",
            "acme_printers.api_availability",
            "--format",
            "json",
        ],
        &[("SLAC_NOW", NOW)],
        DEADLINE,
    );
    run.assert_code(0);
    let record = json(&run.stdout);
    assert_eq!(record["agreement"], "acme_printers");
    assert_eq!(record["objective"], "api_availability");
    assert_eq!(record["kind"], "ratio");
    assert_eq!(record["target"], 99.9);
    assert_eq!(record["window"], "30d");
    assert_eq!(record["calendar"], "always");
    assert_eq!(record["open_seconds"], 30 * 86_400);
    assert_eq!(record["budget_seconds"], 2592.0);

    let run = slac_with(
        dir.path(),
        &["budget", "acme_printers.response", "--format", "json"],
        &[("SLAC_NOW", NOW)],
        DEADLINE,
    );
    run.assert_code(0);
    let record = json(&run.stdout);
    assert_eq!(record["kind"], "response_time");
    assert_eq!(record["window_from"], "2026-11-01T00:00:00+01:00");
    assert_eq!(record["weekly_open_seconds"], 48 * 3600);
    assert_eq!(record["cases"][0]["within_seconds"], 3600);
    assert_eq!(record["cases"][2]["business_days"], 3);
    assert_eq!(
        record["cases"][1]["conditions"],
        serde_json::json!([
            { "attribute": "priority", "value": "P2" },
            { "attribute": "region", "value": "rural" },
        ])
    );
}

#[test]
fn unknown_names_are_usage_errors_with_a_suggestion() {
    let dir = workspace();
    let run = slac(
        dir.path(),
        &[
            "calendar",
            "due",
            "paris_ofice",
            "--start",
            "2026-03-24T15:00:00+01:00",
            "--within",
            "1bd",
        ],
    );
    run.assert_code(2);
    assert!(
        run.stderr.contains("unknown calendar `paris_ofice`")
            && run.stderr.contains("did you mean `paris_office`?"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());

    let run = slac(dir.path(), &["budget", "acme_printer"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("did you mean `acme_printers`?"),
        "{}",
        run.stderr
    );
    let run = slac(dir.path(), &["budget", "acme_printers.respons"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("did you mean `response`?"),
        "{}",
        run.stderr
    );

    // A bad instant or duration on the command line is a usage error too.
    let run = slac(
        dir.path(),
        &[
            "calendar",
            "due",
            "always",
            "--start",
            "yesterday",
            "--within",
            "1h",
        ],
    );
    run.assert_code(2);
    let run = slac(
        dir.path(),
        &[
            "calendar",
            "due",
            "always",
            "--start",
            "2026-03-24T15:00:00Z",
            "--within",
            "soon",
        ],
    );
    run.assert_code(2);
}

#[test]
fn a_workspace_with_errors_is_reported_first() {
    let dir = workspace();
    write(
        &dir.path().join("broken.sla"),
        "calendar broken {\n  timezone \"Mars/Olympus\"\n  open mon-fri 08:00-17:00\n}\n",
    );
    let run = slac(
        dir.path(),
        &[
            "calendar",
            "due",
            "broken",
            "--start",
            "2026-03-24T15:00:00+01:00",
            "--within",
            "1h",
        ],
    );
    run.assert_code(1);
    assert!(run.stderr.contains("E004"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let run = slac(dir.path(), &["budget"]);
    run.assert_code(1);
}

#[test]
fn workspace_option_points_elsewhere() {
    let dir = workspace();
    let elsewhere = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().to_string_lossy().into_owned();
    let run = slac(
        elsewhere.path(),
        &[
            "calendar",
            "due",
            "paris_office",
            "-w",
            &path,
            "--start",
            "2026-03-24T15:00:00+01:00",
            "--within",
            "1bd",
            "--format",
            "json",
        ],
    );
    run.assert_code(0);
    assert_eq!(json(&run.stdout)["due"], "2026-03-25T15:00:00+01:00");
    let run = slac_with(
        elsewhere.path(),
        &["budget", "--workspace", &path],
        &[("SLAC_NOW", NOW)],
        DEADLINE,
    );
    run.assert_code(0);
    assert!(run.stdout.contains("43m12s"), "{}", run.stdout);
}
