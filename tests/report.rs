//! `slac report` through the real binary: the month of printer tickets of the examples'
//! `acme_printers` agreement (hand-computed in crates/report/tests/acme_printers.rs), in the
//! three formats, with its exit status; a bad line is reported with its file and line and makes
//! the exit status 1 while the rest of the report is still produced. The HTML page is
//! self-contained, escapes what the data says, draws the measure per week against the target,
//! and prints: headless Chromium prints it to PDF and `pdftotext` reads the figures back.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use support::chromium::{contains_term, pdf_is_a4, pdf_pages, pdf_text, print_to_pdf};
use support::slac;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn month() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/report/tests/fixtures/acme_printers_2026-03.jsonl")
}

fn report(format: &str, data: &Path) -> support::Run {
    report_with(format, data, &[])
}

/// `slac report` of the examples' `acme_printers` for March 2026, with more options.
fn report_with(format: &str, data: &Path, more: &[&str]) -> support::Run {
    let examples = examples();
    let mut args = vec![
        "report",
        "--data",
        data.to_str().unwrap(),
        "--period",
        "2026-03",
        "--agreement",
        "acme_printers",
        "--format",
        format,
    ];
    args.extend_from_slice(more);
    slac(&examples, &args)
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
    // Per ISO week, by the week the ticket was opened: March 2026 runs from Sunday 1 (W09) to
    // Tuesday 31 (W14). A-34 (W11), A-32 (W12) and A-37 (W13) are the breaches; A-38, opened on
    // the 31st, is pending and not counted.
    let weeks: Vec<(String, u64, u64)> = objective["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["start"].as_str().unwrap().to_string(),
                w["good"].as_u64().unwrap(),
                w["bad"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("2026-02-23", 0, 0),
        ("2026-03-02", 9, 0),
        ("2026-03-09", 10, 1),
        ("2026-03-16", 9, 1),
        ("2026-03-23", 8, 1),
        ("2026-03-30", 0, 0),
    ];
    assert_eq!(
        weeks,
        expected.map(|(start, good, bad)| (start.to_string(), good, bad))
    );
    let (good, bad) = weeks.iter().fold((0, 0), |(g, b), w| (g + w.1, b + w.2));
    assert_eq!((good, bad), (36, 3), "the weeks add up to the month");
    assert!(objective["weeks"][0]["measured"].is_null());
    assert_eq!(objective["weeks"][1]["measured"], 100.0);
    // The trend: A-00, opened on 27 February and still unanswered when February ended.
    assert_eq!(
        objective["trend"],
        serde_json::json!([{
            "period": "2026-02",
            "from": "2026-01-31T23:00:00Z",
            "to": "2026-02-28T23:00:00Z",
            "good": 0,
            "bad": 1,
            "measured": 0.0,
            "status": "missed"
        }])
    );
    insta::assert_snapshot!("report_acme_printers_2026_03_json", run.stdout);
}

/// The value of attribute `name` in `tag` (the text of one element's start tag).
fn attr<'t>(tag: &'t str, name: &str) -> &'t str {
    let start = tag
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + name.len()
        + 3;
    let end = start + tag[start..].find('"').unwrap();
    &tag[start..end]
}

/// The start tags of the elements that start with `open` (`<rect class="bar"`).
fn tags<'t>(html: &'t str, open: &str) -> Vec<&'t str> {
    html.match_indices(open)
        .map(|(at, _)| {
            let end = at + html[at..].find('>').unwrap();
            &html[at..=end]
        })
        .collect()
}

#[test]
fn the_html_report_is_self_contained_and_charts_each_week_against_the_target() {
    let run = report("html", &month());
    run.assert_code(1);
    let html = &run.stdout;
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{html}"
    );
    // No external resource: nothing to load, nothing to run. The SVG namespace is a name, not a
    // resource.
    let without_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for external in [
        "http:", "https:", "src=", "href=", "url(", "@import", "<script", "<link", "<img",
        "<iframe", "<object",
    ] {
        assert!(
            !without_namespace.contains(external),
            "{external} in the page:\n{html}"
        );
    }
    // Everything the Markdown says.
    for text in [
        "<th scope=\"row\">Délai de prise en charge (<code>response</code>)</th><td class=\"num\">92.31%</td><td class=\"num\">95%</td><td class=\"missed\">missed</td><td class=\"num\">39</td><td class=\"num\">3</td><td class=\"num\">1</td><td class=\"num\">0</td>",
        "<th scope=\"row\">A-34</th><td>for priority = P2</td><td>4h</td><td class=\"when\">2026-03-11 08:00</td><td class=\"when\">2026-03-11 12:00</td><td class=\"when\">2026-03-11 15:30</td><td class=\"num\">3h30m</td><td class=\"num\">3h30m</td>",
        "<th scope=\"row\">A-32</th>",
        "<th scope=\"row\">A-37</th>",
        "Pending at the end of the period: A-38.",
        "<th scope=\"row\">A-34</th><td class=\"num\">3</td><td class=\"when\">2026-03-11 12:00</td><td>helpdesk.manager, acme.account_manager</td>",
        "<strong>60.00 EUR</strong>",
    ] {
        assert!(html.contains(text), "{text} missing from:\n{html}");
    }
    assert!(!html.contains("<th>"), "every header cell has a scope");

    // One chart, accessible, for the one objective.
    assert_eq!(html.matches("<svg").count(), 1, "{html}");
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    let start = tags(svg, "<svg")[0];
    assert_eq!(attr(start, "role"), "img");
    assert_eq!(attr(start, "aria-labelledby"), "chart-1-title chart-1-desc");
    assert!(svg.contains("<title id=\"chart-1-title\">Délai de prise en charge: measure per week against the 95% target</title>"), "{svg}");
    assert!(svg.contains("<desc id=\"chart-1-desc\">Target 95%. W09 (from 2026-02-23): no data; W10 (from 2026-03-02): 100% (9 of 9); W11 (from 2026-03-09): 90.91% (10 of 11); W12 (from 2026-03-16): 90% (9 of 10); W13 (from 2026-03-23): 88.89% (8 of 9); W14 (from 2026-03-30): no data.</desc>"), "{svg}");
    // Every ISO week of March 2026 in order, W09 to W14, each named once on the axis.
    let weeks = tags(svg, "<g class=\"week\"");
    let starts: Vec<&str> = weeks.iter().map(|w| attr(w, "data-week")).collect();
    assert_eq!(
        starts,
        [
            "2026-02-23",
            "2026-03-02",
            "2026-03-09",
            "2026-03-16",
            "2026-03-23",
            "2026-03-30"
        ]
    );
    for label in ["W09", "W10", "W11", "W12", "W13", "W14"] {
        assert_eq!(
            svg.matches(&format!(">{label}</text>")).count(),
            1,
            "{label}"
        );
    }
    // One bar per week measured (W09 and W14 have no ticket decided), its height the measure on
    // the scale of the 0% and 100% grid lines; the target line at 95% of that scale.
    let grid = |label: &str| -> f64 {
        let text = tags(svg, "<text")
            .into_iter()
            .zip(svg.match_indices("<text").map(|(at, _)| at))
            .find(|(_, at)| {
                svg[*at..]
                    .split_once('>')
                    .unwrap()
                    .1
                    .starts_with(&format!("{label}<"))
            })
            .unwrap()
            .0;
        attr(text, "y").parse::<f64>().unwrap() - 4.0
    };
    let (zero, hundred) = (grid("0%"), grid("100%"));
    let scale = |percent: f64| zero - (zero - hundred) * percent / 100.0;
    let bars = tags(svg, "<rect class=\"bar\"");
    assert_eq!(bars.len(), 4, "{svg}");
    for (bar, measured) in bars.iter().zip([100.0, 1000.0 / 11.0, 90.0, 800.0 / 9.0]) {
        let y: f64 = attr(bar, "y").parse().unwrap();
        let height: f64 = attr(bar, "height").parse().unwrap();
        assert!((y - scale(measured)).abs() < 0.11, "{bar} for {measured}");
        assert!((y + height - zero).abs() < 0.11, "{bar} stands on 0%");
    }
    assert_eq!(attr(bars[0], "fill"), "#4f8a5b", "W10 meets the target");
    assert_eq!(attr(bars[1], "fill"), "#c0392b", "W11 misses it");
    let target = tags(svg, "<line class=\"target\"")[0];
    let y: f64 = attr(target, "y1").parse().unwrap();
    assert_eq!(attr(target, "y1"), attr(target, "y2"), "horizontal");
    assert!((y - scale(95.0)).abs() < 0.11, "{target}");
    assert!(svg.contains(">target 95%</text>"), "{svg}");

    insta::assert_snapshot!("report_acme_printers_2026_03_html", html);
}

#[test]
fn what_the_data_says_is_escaped_in_the_html_report() {
    let dir = tempfile::tempdir().unwrap();
    // A file name and a ticket id that look like markup; a line that cannot be read, so that the
    // file name is listed.
    let data = dir.path().join("tickets<b>.jsonl");
    std::fs::write(
        &data,
        concat!(
            r#"{"ticket": "<script>alert(1)</script>", "at": "2026-03-10T09:00:00+01:00", "event": "opened", "attrs": {"priority": "P2"}}"#,
            "\n",
            r#"{"ticket": "<script>alert(1)</script>", "at": "2026-03-10T16:00:00+01:00", "event": "responded"}"#,
            "\n",
            r#"{"ticket": "<i>T&2</i>", "at": "2026-03-11T09:00:00+01:00", "event": "opened", "attrs": {"priority": "P4"}}"#,
            "\n",
            "<img src=x onerror=alert(2)>\n",
        ),
    )
    .unwrap();
    let run = report("html", &data);
    run.assert_code(1);
    let html = &run.stdout;
    for raw in ["<script", "<b>", "<i>", "<img", "T&2"] {
        assert!(!html.contains(raw), "{raw} unescaped in:\n{html}");
    }
    for escaped in [
        "<th scope=\"row\">&lt;script&gt;alert(1)&lt;/script&gt;</th>",
        // Still running past its deadline (the default case) at the end of March.
        "<th scope=\"row\">&lt;i&gt;T&amp;2&lt;/i&gt;</th><td>by default</td>",
        "tickets&lt;b&gt;.jsonl</td><td class=\"num\">4</td>",
    ] {
        assert!(html.contains(escaped), "{escaped} missing from:\n{html}");
    }
}

#[test]
fn the_html_report_prints_on_a4_with_its_figures() {
    let run = report("html", &month());
    run.assert_code(1);
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let pdf = dir.path().join("report.pdf");
    std::fs::write(&html, &run.stdout).unwrap();
    print_to_pdf(&html, &pdf);
    assert!(pdf_is_a4(&pdf));
    let pages = pdf_pages(&pdf);
    assert!((1..=3).contains(&pages), "{pages} pages");
    let text = pdf_text(&pdf);
    for term in [
        "Service review: 2026-03",
        "92.31%",
        "A-34",
        "A-32",
        "A-37",
        "A-38",
        "3h30m",
        "60.00 EUR",
        // The chart's text prints too: its weeks and its target.
        "W09",
        "W14",
        "target 95%",
    ] {
        assert!(
            contains_term(&text, term),
            "the printed report lacks {term:?}; pdftotext -layout read:\n{text}"
        );
    }
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

/// `--reopen-window`: A-40, resolved on Tuesday 24 March at 15:00, is reopened a week later;
/// A-38's opening on the 31st at 14:00 comes first. Within the default 28 days (and with
/// `none`) the reopening is used; with a 3-day window A-40 is closed by then, and the
/// `reopened` is a bad line that says so.
#[test]
fn a_ticket_reopened_after_the_reopen_window_is_a_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tickets.jsonl");
    let mut text = std::fs::read_to_string(month()).unwrap();
    text.push_str(
        "{\"ticket\": \"A-40\", \"at\": \"2026-03-31T16:00:00+02:00\", \"event\": \"reopened\"}\n",
    );
    std::fs::write(&data, &text).unwrap();
    let lines = text.lines().count();
    let examples = examples();
    let run = |window: Option<&str>| {
        let more = window.map_or(vec![], |w| vec!["--reopen-window", w]);
        let run = report_with("json", &data, &more);
        let json: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
        (run, json)
    };
    for window in [None, Some("none"), Some("7d")] {
        let (run, json) = run(window);
        assert_eq!(
            json["summary"]["bad_lines"], 0,
            "{window:?}: {}",
            run.stderr
        );
        assert_eq!(json["summary"]["events"], lines, "{window:?}");
    }
    let (run, json) = run(Some("72h"));
    assert_eq!(json["summary"]["bad_lines"], 1);
    assert_eq!(json["bad_lines"][0]["line"], lines);
    assert_eq!(
        json["bad_lines"][0]["reason"],
        "no `opened` event for ticket `A-40` before this `reopened`, or the ticket was resolved more than 3 days before it and is closed (the reopen window)"
    );
    assert!(
        run.stderr
            .contains(&format!("tickets.jsonl:{lines}: no `opened` event")),
        "{}",
        run.stderr
    );
    // The measure is the same: A-40 was answered in time either way.
    assert_eq!(json["agreements"][0]["objectives"][0]["counts"]["good"], 36);

    let run = slac(
        &examples,
        &[
            "report",
            "--data",
            data.to_str().unwrap(),
            "--period",
            "2026-03",
            "--reopen-window",
            "2bd",
        ],
    );
    run.assert_code(2);
    assert!(run.stderr.contains("wall-clock time"), "{}", run.stderr);
}

/// `--tickets FILE.csv`: the ledger of every ticket of the month, each with its outcome; the
/// three breaches are those of the report.
#[test]
fn the_ticket_ledger_has_a_row_per_ticket_and_objective() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("tickets.csv");
    let examples = examples();
    let month = month();
    let run = report_with(
        "json",
        &month,
        &["--trend", "0", "--tickets", ledger.to_str().unwrap()],
    );
    run.assert_code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let objective = &json["agreements"][0]["objectives"][0];
    let text = std::fs::read_to_string(&ledger).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("agreement,objective,period,ticket,case,allowed,opened,due,stopped,outcome,late_open_seconds,late_wall_seconds,escalations")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows.len() as u64,
        objective["counts"]["total"].as_u64().unwrap()
    );
    let mut breached: Vec<&str> = rows
        .iter()
        .filter(|r| r[9] == "breached")
        .map(|r| r[3])
        .collect();
    breached.sort();
    let mut listed: Vec<&str> = objective["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["ticket"].as_str().unwrap())
        .collect();
    listed.sort();
    assert_eq!(breached, listed);
    assert_eq!(rows.iter().filter(|r| r[9] == "pending").count(), 1);
    assert!(rows
        .iter()
        .all(|r| r[0] == "acme_printers" && r[1] == "response" && r[2] == "2026-03"));

    // A report that fails (an unknown agreement) leaves the previous ledger as it was, and
    // nothing beside it.
    let run = slac(
        &examples,
        &[
            "report",
            "--data",
            month.to_str().unwrap(),
            "--period",
            "2026-03",
            "--agreement",
            "nobody",
            "--tickets",
            ledger.to_str().unwrap(),
        ],
    );
    run.assert_code(2);
    assert_eq!(std::fs::read_to_string(&ledger).unwrap(), text);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A ledger that cannot be created stops the report before it reads anything.
    let run = slac(
        &examples,
        &[
            "report",
            "--data",
            month.to_str().unwrap(),
            "--period",
            "2026-03",
            "--tickets",
            "/nonexistent/tickets.csv",
        ],
    );
    run.assert_code(2);
    assert!(run.stderr.contains("--tickets"), "{}", run.stderr);
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

/// Events of two tickets of `acme_printers` whose ids are `id` and `id` + " 2": the first
/// answered late (a breach), the second still open past its deadline; and a line for a ticket
/// `id` + " 3" never opened (a bad line that names it).
fn tickets_named(id: &str) -> String {
    let line = |ticket: String, at: &str, event: &str, attrs: &str| {
        let ticket = serde_json::to_string(&ticket).unwrap();
        format!(r#"{{"ticket": {ticket}, "at": "{at}", "event": "{event}"{attrs}}}"#) + "\n"
    };
    let p2 = r#", "attrs": {"priority": "P2"}"#;
    [
        line(id.to_string(), "2026-03-10T09:00:00+01:00", "opened", p2),
        line(id.to_string(), "2026-03-10T16:00:00+01:00", "responded", ""),
        line(format!("{id} 2"), "2026-03-11T09:00:00+01:00", "opened", p2),
        line(
            format!("{id} 3"),
            "2026-03-12T09:00:00+01:00",
            "responded",
            "",
        ),
    ]
    .concat()
}

fn report_of_tickets(id: &str, format: &str, more: &[&str]) -> support::Run {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tickets.jsonl");
    std::fs::write(&data, tickets_named(id)).unwrap();
    report_with(format, &data, more)
}

#[test]
fn markdown_in_ticket_ids_stays_text_in_the_markdown_report() {
    use support::markdown::{assert_same_markup, HARMLESS, HOSTILE};
    let hostile = report_of_tickets(HOSTILE, "markdown", &[]);
    hostile.assert_code(1);
    let harmless = report_of_tickets(HARMLESS, "markdown", &[]);
    assert_same_markup(&hostile.stdout, &harmless.stdout);
    assert!(
        hostile.stdout.contains("| !\\[x](http:\u{2060}//t/p.png)"),
        "the breach is not in the table:\n{}",
        hostile.stdout
    );
}

#[test]
fn control_characters_in_ticket_ids_reach_the_terminal_escaped() {
    let hostile = support::terminal::HOSTILE;
    for colour in ["never", "always"] {
        let run = report_of_tickets(hostile, "markdown", &["--color", colour]);
        let coloured = colour == "always";
        support::terminal::assert_shown_escaped("stdout", &run.stdout, coloured);
        support::terminal::assert_shown_escaped("stderr", &run.stderr, coloured);
    }
    // JSON keeps the exact id; serde_json writes the control characters as escapes.
    let json = report_of_tickets(hostile, "json", &[]);
    assert!(!json.stdout.contains('\u{1b}'), "{}", json.stdout);
    fn holds(value: &serde_json::Value, text: &str) -> bool {
        match value {
            serde_json::Value::String(s) => s == text,
            serde_json::Value::Array(items) => items.iter().any(|v| holds(v, text)),
            serde_json::Value::Object(map) => map.values().any(|v| holds(v, text)),
            _ => false,
        }
    }
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(
        holds(&value, hostile),
        "the exact id is not in:\n{}",
        json.stdout
    );
}
