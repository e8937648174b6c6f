//! `slac report --prometheus`: ratio and latency objectives measured from a real Prometheus.
//!
//! Two weeks of traffic of an API (requests by status code and a latency histogram, one sample
//! a minute) are written as OpenMetrics, made into TSDB blocks by `promtool tsdb
//! create-blocks-from openmetrics`, and served by a Prometheus started on them. The traffic is
//! shaped so that business hours matter: errors and slow requests at night, on the weekend, on a
//! holiday and in the five minutes before opening, which must not count for the objectives on
//! the office calendar (Europe/Paris, across the change to summer time on 29 March) and must
//! count for the one on `always`; errors in the last five minutes before closing, which count;
//! and a restart of the server (a counter reset) in the middle. The test works out the expected
//! good and bad events of each objective and week on its own, from the traffic and the calendar
//! rules, and compares them with what `slac report` says. A server that cannot be reached, a
//! query that Prometheus rejects and a threshold that is not a bucket are reported, the rest of
//! the report being kept.
//!
//! The trend: the earlier periods the data covers are measured the same way and listed (the
//! period before the fortnight of the review, which holds the first day of data; for a week,
//! the week before and the one before that), those before the data are not. A stand-in server
//! that fails the queries of the earlier periods shows that the period of the review is measured
//! all the same, the trend keeping what was measured and the report saying what is left out.

#![allow(clippy::unwrap_used)]

mod support;

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Paris;
use chrono_tz::Tz;
use serde_json::Value;

use support::prometheus::{backfill, require_prometheus, Prometheus};
use support::server::free_port;
use support::slac;

const PERIOD: &str = "2026-03-19..2026-04-01";

const WORKSPACE: &str = r#"
party acme {
  name "Acme"
}

party platform {
  name "Platform team"
}

calendar office {
  timezone "Europe/Paris"
  open mon-fri 09:00-17:00
  closed 2026-03-24 to 2026-03-24 "Audit day"
}

agreement portal {
  title "Customer portal"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider platform
  customer acme
  fee 1000 EUR per month

  objective availability {
    title "API availability"
    sli ratio {
      errors """sum(rate(http_requests_total{job="api",code=~"5.."}[$window]))"""
      total """sum(rate(http_requests_total{job="api"}[$window]))"""
    }
    target 99%
    window month
  }

  objective office_availability {
    title "API availability in office hours"
    sli ratio {
      good """sum(rate(http_requests_total{job="api",code!~"5.."}[$window]))"""
      total """sum(rate(http_requests_total{job="api"}[$window]))"""
    }
    target 99.5%
    window month
    calendar office
  }

  objective checkout_latency {
    title "Checkout latency"
    sli latency {
      histogram """http_request_duration_seconds_bucket{job="api",route="/checkout"}"""
      threshold 300ms
    }
    target 95%
    window month
    calendar office
  }

  credit {
    when availability below 99% refund 10%
    cap 30%
  }
}

agreement desk {
  kind internal
  version 1.0.0
  effective from 2026-01-01
  provider platform
  customer acme

  objective response {
    sli response_time
    target 90%
    window month
    within 4h
  }
}
"#;

/// Objectives whose queries cannot all be answered, beside one that can.
const BROKEN: &str = r#"
party acme {
  name "Acme"
}

party platform {
  name "Platform team"
}

agreement broken {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider platform
  customer acme

  objective availability {
    sli ratio {
      errors """sum(rate(http_requests_total{job="api",code=~"5.."}[$window]))"""
      total """sum(rate(http_requests_total{job="api"}[$window]))"""
    }
    target 99%
    window month
  }

  objective bad_query {
    sli ratio {
      errors """label_replace(sum(rate(http_requests_total{job="api",code=~"5.."}[$window])), "x", "$1", "job", "(")"""
      total """sum(rate(http_requests_total{job="api"}[$window]))"""
    }
    target 99%
    window month
  }

  objective odd_threshold {
    sli latency {
      histogram """http_request_duration_seconds_bucket{job="api",route="/checkout"}"""
      threshold 250ms
    }
    target 95%
    window month
  }
}
"#;

// ─── The traffic ────────────────────────────────────────────────────────────

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The first sample; one sample a minute until [`MINUTES`] later (2 April 03:00 UTC), a day
/// before and a few hours after the instants of the period in either zone. That first day, 18
/// March, is the last of the period before: the trend holds it, and no period before that.
fn first_sample() -> DateTime<Utc> {
    utc("2026-03-18T00:00:00Z")
}

const MINUTES: i64 = (15 * 24 + 3) * 60;

/// The last sample.
fn last_sample() -> DateTime<Utc> {
    first_sample() + chrono::Duration::minutes(MINUTES)
}

/// The server restarts just before this sample: its request counters start again from 0.
fn restart() -> DateTime<Utc> {
    // Wednesday 25 March, 10:12 in Paris, an open hour, two minutes into a five-minute step.
    utc("2026-03-25T09:12:00Z")
}

fn audit_day() -> NaiveDate {
    date(2026, 3, 24)
}

/// Events per minute during a five-minute block (the samples keep the same pace within each
/// block of five minutes from the first sample, so that Prometheus's `increase` over a step
/// is exact, under the range rules of Prometheus 2 and 3 alike).
#[derive(Debug, Clone, Copy)]
struct Traffic {
    ok: u64,
    errors: u64,
    checkout: u64,
    slow: u64,
}

/// The traffic of the block starting at `start`: steady requests, errors and slow checkouts
/// mostly when the office is closed (nights, the weekend, the audit day), a burst of errors in
/// the five minutes before opening, a few errors in the five minutes before closing, some in
/// office hours, slow checkouts at lunch time and all of Friday 27 March.
fn traffic(start: DateTime<Utc>) -> Traffic {
    let n = (start - first_sample()).num_minutes() / 5;
    let local = start.with_timezone(&Paris);
    let day = local.date_naive();
    let workday = day.weekday().number_from_monday() <= 5 && day != audit_day();
    let open = workday && (9..17).contains(&local.hour());
    let (hour, minute) = (local.hour(), local.minute());
    let errors = if workday && hour == 8 && minute == 55 {
        30
    } else if workday && hour == 16 && minute == 55 {
        2
    } else if open {
        u64::from(n % 50 == 0)
    } else if n % 4 == 0 {
        6
    } else {
        0
    };
    let slow = if !open {
        20
    } else if day == date(2026, 3, 27) {
        4
    } else if hour == 12 {
        2
    } else {
        0
    };
    Traffic {
        ok: 40 + (n % 5) as u64 * 4,
        errors,
        checkout: 20,
        slow,
    }
}

/// The traffic as OpenMetrics: each counter grows during minute `i` (from sample `i - 1` to
/// sample `i`) by the pace of the block that minute belongs to.
fn openmetrics() -> String {
    let mut ok = 5_000u64;
    let mut errors = 1_000u64;
    let mut count = 2_000u64;
    let mut fast = 1_900u64;
    let mut requests = String::new();
    let mut failures = String::new();
    let mut histogram = String::new();
    for i in 0..=MINUTES {
        let at = first_sample() + chrono::Duration::minutes(i);
        if i > 0 {
            let block = first_sample() + chrono::Duration::minutes((i - 1) / 5 * 5);
            let t = traffic(block);
            ok = if at == restart() { t.ok } else { ok + t.ok };
            errors += t.errors;
            count += t.checkout;
            fast += t.checkout - t.slow;
        }
        let ts = at.timestamp();
        writeln!(
            requests,
            "http_requests_total{{job=\"api\",code=\"200\"}} {ok} {ts}"
        )
        .unwrap();
        writeln!(
            failures,
            "http_requests_total{{job=\"api\",code=\"500\"}} {errors} {ts}"
        )
        .unwrap();
        let series = "http_request_duration_seconds";
        let labels = "job=\"api\",route=\"/checkout\"";
        for (le, value) in [("0.3", fast), ("1", count), ("+Inf", count)] {
            writeln!(
                histogram,
                "{series}_bucket{{{labels},le=\"{le}\"}} {value} {ts}"
            )
            .unwrap();
        }
        writeln!(histogram, "{series}_count{{{labels}}} {count} {ts}").unwrap();
        writeln!(histogram, "{series}_sum{{{labels}}} {}.5 {ts}", count / 10).unwrap();
    }
    format!(
        "# TYPE http_requests counter\n{requests}{failures}# TYPE http_request_duration_seconds histogram\n{histogram}# EOF\n"
    )
}

// ─── What the report must say ───────────────────────────────────────────────

/// The ratio and latency objectives of [`WORKSPACE`]: id, kind, calendar zone, whether only
/// the office hours count.
const OBJECTIVES: [(&str, Sli, Tz, bool); 3] = [
    ("availability", Sli::Errors, chrono_tz::UTC, false),
    ("office_availability", Sli::Good, Paris, true),
    ("checkout_latency", Sli::Latency, Paris, true),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sli {
    Errors,
    Good,
    Latency,
}

/// The good and bad events of an objective, and per ISO week (from its Monday).
#[derive(Debug, PartialEq)]
struct Expected {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    good: u64,
    bad: u64,
    weeks: Vec<(NaiveDate, u64, u64)>,
}

impl Expected {
    fn measured(&self) -> f64 {
        (self.good * 100) as f64 / (self.good + self.bad) as f64
    }
}

/// Whether the office calendar is open for the whole five minutes from `start`: a weekday
/// that is not the audit day, from 09:00 to 17:00 in Paris (offsets are whole hours, so the
/// last such step starts at 16:55).
fn office_open_throughout(start: DateTime<Utc>) -> bool {
    let local = start.with_timezone(&Paris);
    let day = local.date_naive();
    let minutes = local.hour() * 60 + local.minute();
    day.weekday().number_from_monday() <= 5
        && day != audit_day()
        && (9 * 60..=16 * 60 + 55).contains(&minutes)
}

/// What the report must say of the period of the review.
fn expected(sli: Sli, tz: Tz, business: bool) -> Expected {
    expected_over(sli, tz, business, date(2026, 3, 19), date(2026, 4, 1))
}

/// The good and bad events of the days `first..=last` (read in `tz`), counting the five-minute
/// steps the data covers: those that start at or after the first sample and end at or before
/// the last (a step that ends on the first sample has a single sample, so no `increase`).
fn expected_over(sli: Sli, tz: Tz, business: bool, first: NaiveDate, last: NaiveDate) -> Expected {
    let local_midnight = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
            .single()
            .unwrap()
            .to_utc()
    };
    let monday_of = |d: NaiveDate| d - Days::new(u64::from(d.weekday().num_days_from_monday()));
    let from = local_midnight(first);
    let to = local_midnight(last + Days::new(1));
    let mut weeks: Vec<(NaiveDate, u64, u64)> = Vec::new();
    let mut monday = monday_of(first);
    while monday <= last {
        weeks.push((monday, 0, 0));
        monday = monday + Days::new(7);
    }
    let step = chrono::Duration::minutes(5);
    let mut start = from;
    while start < to {
        let covered = start >= first_sample() && start + step <= last_sample();
        if covered && (!business || office_open_throughout(start)) {
            let t = traffic(start);
            let (good, bad) = match sli {
                Sli::Errors | Sli::Good => (t.ok, t.errors),
                Sli::Latency => (t.checkout - t.slow, t.slow),
            };
            let day = start.with_timezone(&tz).date_naive();
            let week = weeks.iter_mut().find(|w| w.0 == monday_of(day)).unwrap();
            week.1 += 5 * good;
            week.2 += 5 * bad;
        }
        start += step;
    }
    Expected {
        from,
        to,
        good: weeks.iter().map(|w| w.1).sum(),
        bad: weeks.iter().map(|w| w.2).sum(),
        weeks,
    }
}

fn objective<'j>(json: &'j Value, agreement: &str, id: &str) -> &'j Value {
    json["agreements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == agreement)
        .unwrap_or_else(|| panic!("no agreement {agreement} in {json:#}"))["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no objective {id} in {json:#}"))
}

fn assert_measured(o: &Value, expected: &Expected, status: &str) {
    let id = o["id"].as_str().unwrap();
    assert_eq!(
        o["from"],
        expected
            .from
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "{id}"
    );
    assert_eq!(
        o["to"],
        expected
            .to
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "{id}"
    );
    assert_eq!(o["status"], status, "{id}: {o:#}");
    let counts = &o["counts"];
    assert_eq!(
        (
            counts["good"].as_u64().unwrap(),
            counts["bad"].as_u64().unwrap(),
            counts["total"].as_u64().unwrap(),
            counts["pending"].as_u64().unwrap(),
            counts["unmatched"].as_u64().unwrap(),
        ),
        (
            expected.good,
            expected.bad,
            expected.good + expected.bad,
            0,
            0
        ),
        "{id}"
    );
    let measured = o["measured"].as_f64().unwrap();
    assert!(
        (measured - expected.measured()).abs() < 1e-9,
        "{id}: measured {measured}, expected {}",
        expected.measured()
    );
    let weeks: Vec<(NaiveDate, u64, u64)> = o["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["start"].as_str().unwrap().parse().unwrap(),
                w["good"].as_u64().unwrap(),
                w["bad"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(weeks, expected.weeks, "{id}");
    for (w, e) in o["weeks"].as_array().unwrap().iter().zip(&expected.weeks) {
        let week_measured = (e.1 * 100) as f64 / (e.1 + e.2) as f64;
        assert!(
            (w["measured"].as_f64().unwrap() - week_measured).abs() < 1e-9,
            "{id}: {w}"
        );
    }
}

/// The target of each objective of [`WORKSPACE`].
fn target(id: &str) -> f64 {
    match id {
        "availability" => 99.0,
        "office_availability" => 99.5,
        "checkout_latency" => 95.0,
        _ => panic!("no objective {id}"),
    }
}

/// The trend of an objective is exactly `expected`: the periods named, the oldest first, and
/// their measures, each judged against the objective's target.
fn assert_trend(o: &Value, expected: &[(&str, &Expected)]) {
    let id = o["id"].as_str().unwrap();
    let trend = o["trend"].as_array().unwrap();
    let periods: Vec<&str> = trend
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    let names: Vec<&str> = expected.iter().map(|e| e.0).collect();
    assert_eq!(periods, names, "{id}: {o:#}");
    let instant = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for (point, (name, e)) in trend.iter().zip(expected) {
        assert!(e.good + e.bad > 0, "{id} {name}: {e:?}");
        assert_eq!(point["from"], instant(e.from), "{id} {name}");
        assert_eq!(point["to"], instant(e.to), "{id} {name}");
        assert_eq!(
            (point["good"].as_u64(), point["bad"].as_u64()),
            (Some(e.good), Some(e.bad)),
            "{id} {name}: {point}"
        );
        let measured = point["measured"].as_f64().unwrap();
        assert!(
            (measured - e.measured()).abs() < 1e-9,
            "{id} {name}: measured {measured}, expected {}",
            e.measured()
        );
        let status = if e.measured() >= target(id) {
            "met"
        } else {
            "missed"
        };
        assert_eq!(point["status"], status, "{id} {name}: {point}");
    }
}

fn write_workspace(dir: &Path, text: &str) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join("slac.toml"), "[workspace]\n").unwrap();
    fs::write(dir.join("agreements.sla"), text).unwrap();
}

fn report(workspace: &Path, url: &str, format: &str) -> support::Run {
    slac(
        workspace,
        &[
            "report",
            "--prometheus",
            url,
            "--period",
            PERIOD,
            "--format",
            format,
        ],
    )
}

// ─── The tests ──────────────────────────────────────────────────────────────

#[test]
fn ratio_and_latency_objectives_are_measured_from_prometheus_in_business_hours() {
    require_prometheus();
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("traffic.om");
    fs::write(&samples, openmetrics()).unwrap();
    let tsdb = dir.path().join("tsdb");
    backfill(&samples, &tsdb);
    let prometheus = Prometheus::start_on_tsdb(dir.path(), &tsdb);
    let url = prometheus.url();

    // The data holds the restart: one reset of the counter of successful requests.
    let after_restart = restart().timestamp() + 18 * 60;
    assert_eq!(
        prometheus
            .evaluate(
                "resets(http_requests_total{code=\"200\"}[30m])",
                after_restart
            )
            .unwrap_or_else(|e| panic!("{e}\n{}", prometheus.log_tail())),
        "1"
    );

    let workspace = dir.path().join("ws");
    write_workspace(&workspace, WORKSPACE);
    let run = report(&workspace, &url, "json");
    // `availability` is missed: exit 1, and no warning.
    run.assert_code(1);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    // Without `--data` nor `--agreement`: the agreements with monitoring objectives.
    let ids: Vec<&str> = json["agreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["portal"]);

    let availability = expected(Sli::Errors, chrono_tz::UTC, false);
    let office = expected(Sli::Good, Paris, true);
    let latency = expected(Sli::Latency, Paris, true);
    // What the traffic was shaped for: errors out of office hours count only on `always`…
    assert!(
        availability.bad > 20 * office.bad,
        "{availability:?} {office:?}"
    );
    assert!(availability.measured() < 99.0 && office.measured() >= 99.5);
    // … the last five minutes before closing count (2 errors a minute on each of the 9 open
    // days of the period, a day off for the audit), the five before opening do not.
    assert!(office.bad >= 9 * 5 * 2, "{office:?}");
    // Checkout latency is met over the period but missed in the week of the slow Friday.
    assert!(latency.measured() >= 95.0, "{latency:?}");
    let w13 = latency.weeks[1];
    assert!(
        (w13.1 * 100) as f64 / ((w13.1 + w13.2) as f64) < 95.0,
        "{latency:?}"
    );

    assert_measured(
        objective(&json, "portal", "availability"),
        &availability,
        "missed",
    );
    assert_measured(
        objective(&json, "portal", "office_availability"),
        &office,
        "met",
    );
    assert_measured(
        objective(&json, "portal", "checkout_latency"),
        &latency,
        "met",
    );

    // The trend, three earlier periods by default: the data starts on 18 March, the last day of
    // the period before, which is listed with the steps of that day; the two periods before it
    // have no data and are not listed.
    for (id, sli, tz, business) in OBJECTIVES {
        let before = expected_over(sli, tz, business, date(2026, 3, 5), date(2026, 3, 18));
        assert!(before.from < first_sample(), "{id}: {before:?}");
        for (first, last) in [
            (date(2026, 2, 5), date(2026, 2, 18)),
            (date(2026, 2, 19), date(2026, 3, 4)),
        ] {
            let none = expected_over(sli, tz, business, first, last);
            assert_eq!((none.good, none.bad), (0, 0), "{id}");
        }
        assert_trend(
            objective(&json, "portal", id),
            &[("2026-03-05..2026-03-18", &before)],
        );
    }
    // What the partly covered period was shaped for: availability is missed on 18 March alone.
    assert_eq!(
        objective(&json, "portal", "availability")["trend"][0]["status"],
        "missed"
    );

    // The credit of the missed objective.
    let credit = &json["agreements"][0]["credit"];
    assert_eq!(
        credit["tiers"][0]["objective"], "availability",
        "{credit:#}"
    );
    assert_eq!(credit["percent"].as_f64(), Some(10.0), "{credit:#}");

    // Markdown: the figures in words and per week.
    let run = report(&workspace, &url, "markdown");
    run.assert_code(1);
    let text = &run.stdout;
    let sentence = format!(
        "of events good (target 99.5%): {} bad of {} events, over the open hours of calendar `office`",
        office.bad,
        office.good + office.bad
    );
    assert!(text.contains(&sentence), "{sentence} missing from:\n{text}");
    let sentence = format!(
        "of requests within the latency threshold (target 95%): {} too slow of {} events",
        latency.bad,
        latency.good + latency.bad
    );
    assert!(text.contains(&sentence), "{sentence} missing from:\n{text}");
    assert!(text.contains("Per ISO week (bad of all): W12 "), "{text}");
    assert!(text.contains("Trend: 2026-03-05..2026-03-18 "), "{text}");
    assert!(text.contains("| ❌ missed |"), "{text}");
    assert!(!text.contains("not measured"), "{text}");

    // HTML: a chart of the weeks of each measured objective.
    let run = report(&workspace, &url, "html");
    run.assert_code(1);
    assert_eq!(run.stdout.matches("<svg").count(), 3, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("events of the five-minute steps counted, by the week they start in"),
        "{}",
        run.stdout
    );

    // A week (across the change to summer time) with `--trend 3`: the week before is wholly in
    // the data (the audit day, the restart), the one before that partly (18 March), and the
    // one before that not at all: it is not listed.
    let run = slac(
        &workspace,
        &[
            "report",
            "--prometheus",
            &url,
            "--period",
            "2026-03-26..2026-04-01",
            "--trend",
            "3",
            "--format",
            "json",
        ],
    );
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut all_met = true;
    for (id, sli, tz, business) in OBJECTIVES {
        let over =
            |first: NaiveDate, last: NaiveDate| expected_over(sli, tz, business, first, last);
        let week = over(date(2026, 3, 26), date(2026, 4, 1));
        let met = week.measured() >= target(id);
        all_met &= met;
        let o = objective(&json, "portal", id);
        assert_measured(o, &week, if met { "met" } else { "missed" });
        let none = over(date(2026, 3, 5), date(2026, 3, 11));
        assert_eq!((none.good, none.bad), (0, 0), "{id}");
        assert_trend(
            o,
            &[
                (
                    "2026-03-12..2026-03-18",
                    &over(date(2026, 3, 12), date(2026, 3, 18)),
                ),
                (
                    "2026-03-19..2026-03-25",
                    &over(date(2026, 3, 19), date(2026, 3, 25)),
                ),
            ],
        );
    }
    run.assert_code(if all_met { 0 } else { 1 });
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    // A query that Prometheus rejects when it runs it (it parses: `slac check` accepts it) and a
    // threshold that is no bucket: reported, the rest measured.
    let broken = dir.path().join("broken");
    write_workspace(&broken, BROKEN);
    let run = report(&broken, &url, "json");
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("warning: broken.bad_query: the monitoring source rejected the query: ")
            && run.stderr.contains("(execution)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "warning: broken.odd_threshold: 4032 five-minute step(s) with requests but no bucket at 250ms"
        ),
        "{}",
        run.stderr
    );
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_measured(
        objective(&json, "broken", "availability"),
        &availability,
        "missed",
    );
    assert_eq!(
        objective(&json, "broken", "bad_query")["status"],
        "not_measured"
    );
    let odd = objective(&json, "broken", "odd_threshold");
    assert_eq!(odd["status"], "no_data", "{odd:#}");
    assert_eq!(odd["counts"]["total"], 0);
    let warnings = json["agreements"][0]["warnings"].to_string();
    assert!(
        warnings.contains("`bad_query` is not measured"),
        "{warnings}"
    );
    assert!(
        warnings.contains("`odd_threshold`: 4032 five-minute step(s)"),
        "{warnings}"
    );
}

#[test]
fn an_unreachable_server_is_an_environment_error_and_the_report_is_still_written() {
    let dir = tempfile::tempdir().unwrap();
    write_workspace(dir.path(), WORKSPACE);
    // A port nobody listens on.
    let url = format!("http://127.0.0.1:{}", free_port());
    let run = report(dir.path(), &url, "json");
    run.assert_code(2);
    let message = format!("error: --prometheus {url}: connection refused");
    assert!(
        run.stderr.contains(&message),
        "{message} missing from:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    for id in ["availability", "office_availability", "checkout_latency"] {
        assert_eq!(
            objective(&json, "portal", id)["status"],
            "not_measured",
            "{id}"
        );
    }
    let warnings = json["agreements"][0]["warnings"].to_string();
    assert!(
        warnings.contains("3 ratio or latency objective(s) not measured")
            && warnings.contains("connection refused"),
        "{warnings}"
    );

    // Not a URL; and without `--prometheus`, `--data` is still needed.
    let run = report(dir.path(), "127.0.0.1:9090", "json");
    run.assert_code(2);
    assert!(
        run.stderr.contains("not an http:// or https:// URL"),
        "{}",
        run.stderr
    );
    let run = slac(dir.path(), &["report", "--period", PERIOD]);
    run.assert_code(2);
    assert!(run.stderr.contains("--data"), "{}", run.stderr);
    let run = slac(
        dir.path(),
        &[
            "report",
            "--period",
            PERIOD,
            "--prometheus",
            &url,
            "--prometheus-header",
            "nocolon",
        ],
    );
    run.assert_code(2);
    assert!(run.stderr.contains("--prometheus-header"), "{}", run.stderr);
}

/// Three objectives, each on its own counter, for [`a_failing_earlier_period_leaves_the_trend_and_only_it`].
const THREE: &str = r#"
party acme {
  name "Acme"
}

party platform {
  name "Platform team"
}

agreement three {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider platform
  customer acme

  objective a {
    sli ratio {
      errors """sum(rate(a_errors_total[$window]))"""
      total """sum(rate(a_total[$window]))"""
    }
    target 80%
    window month
  }

  objective b {
    sli ratio {
      errors """sum(rate(b_errors_total[$window]))"""
      total """sum(rate(b_total[$window]))"""
    }
    target 80%
    window month
  }

  objective c {
    sli ratio {
      errors """sum(rate(c_errors_total[$window]))"""
      total """sum(rate(c_total[$window]))"""
    }
    target 80%
    window month
  }
}
"#;

/// A form value of a `POST` body, decoded.
fn form_value(body: &str, name: &str) -> String {
    let raw = body
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or("");
    let bytes = raw.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A stand-in for a Prometheus API on 127.0.0.1, answering each `query_range` with
/// `answer(query, start, end)`: a status and a body. Its thread ends with the test process.
fn fake_prometheus(answer: fn(&str, i64, i64) -> (u16, String)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let body = String::from_utf8_lossy(&body);
            let (status, text) = answer(
                &form_value(&body, "query"),
                form_value(&body, "start").parse().unwrap(),
                form_value(&body, "end").parse().unwrap(),
            );
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    url
}

#[test]
fn a_failing_earlier_period_leaves_the_trend_and_only_it() {
    // The week of the review and the week before are answered: 60 events a step, 6 of them bad
    // (90%). Before that, `a`'s queries are rejected, and `b`'s meet a server error, after
    // which the trends of the next objectives (`c`) are not asked for.
    fn answer(query: &str, start: i64, end: i64) -> (u16, String) {
        let week_before = utc("2026-02-23T00:00:00Z").timestamp();
        if start < week_before && query.contains("a_total") {
            let error = r#"{"status":"error","errorType":"execution","error":"query timed out"}"#;
            return (422, error.into());
        }
        if start < week_before && query.contains("b_total") {
            let error = r#"{"status":"error","errorType":"unavailable","error":"store down"}"#;
            return (503, error.into());
        }
        let value = if query.contains("errors_total") {
            6
        } else {
            60
        };
        let values: Vec<String> = (start..=end)
            .step_by(300)
            .map(|t| format!("[{t},\"{value}\"]"))
            .collect();
        let body = format!(
            r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":[{}]}}]}}}}"#,
            values.join(",")
        );
        (200, body)
    }
    let url = fake_prometheus(answer);
    let dir = tempfile::tempdir().unwrap();
    write_workspace(dir.path(), THREE);
    let run = slac(
        dir.path(),
        &[
            "report",
            "--prometheus",
            &url,
            "--period",
            "2026-03-02..2026-03-08",
            "--format",
            "json",
        ],
    );
    // Every objective is measured and met: a trend that cannot be measured is a warning.
    run.assert_code(0);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let steps = 7 * 24 * 12;
    for id in ["a", "b", "c"] {
        let o = objective(&json, "three", id);
        assert_eq!(o["status"], "met", "{o:#}");
        assert_eq!(o["counts"]["good"], 54 * steps, "{o:#}");
        assert_eq!(o["counts"]["bad"], 6 * steps, "{o:#}");
    }
    // `a` and `b` keep the week before, measured before their queries failed; `c` has no trend.
    for id in ["a", "b"] {
        let o = objective(&json, "three", id);
        assert_eq!(o["trend"].as_array().unwrap().len(), 1, "{o:#}");
        let point = &o["trend"][0];
        assert_eq!(point["period"], "2026-02-23..2026-03-01");
        assert_eq!(point["from"], "2026-02-23T00:00:00Z");
        assert_eq!(point["to"], "2026-03-02T00:00:00Z");
        assert_eq!(
            (point["good"].as_u64(), point["bad"].as_u64()),
            (Some(54 * steps), Some(6 * steps))
        );
        assert_eq!(point["measured"].as_f64(), Some(90.0));
        assert_eq!(point["status"], "met");
    }
    let c = objective(&json, "three", "c");
    assert_eq!(c["trend"], serde_json::json!([]), "{c:#}");
    let stderr = &run.stderr;
    assert!(!stderr.contains("error:"), "{stderr}");
    for line in [
        "warning: three.a: the trend leaves out `2026-02-16..2026-02-22` and the 1 period(s) before it: the monitoring source rejected the query: query timed out (execution)".to_string(),
        format!("warning: three.b: the trend leaves out `2026-02-16..2026-02-22` and the 1 period(s) before it: {url}: HTTP 503: store down (unavailable)"),
        format!("warning: three.c: the trend is not measured: {url}: HTTP 503: store down (unavailable)"),
    ] {
        assert!(stderr.contains(&line), "{line} missing from:\n{stderr}");
    }
    let warnings = json["agreements"][0]["warnings"].to_string();
    assert!(
        warnings.contains("`c`: the trend is not measured"),
        "{warnings}"
    );
}
