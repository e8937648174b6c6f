//! The business-calendar mask of `slac build --target prometheus`, evaluated by a real Prometheus
//! and compared, instant by instant, with the calendar engine.
//!
//! It proves that, over an agreement's effective period, `slac:calendar_open` is exactly
//! `BusinessCalendar::is_open`: 1 while the calendar is open, 0 otherwise, to the second. The
//! workspace has two calendars that go through what the mask must get right:
//!
//! - `paris` (Europe/Paris, Monday to Friday 08:00-17:00 and Saturday 09:00-12:00): both
//!   daylight-saving changes, annual holidays (14 July, 25 December, on a weekday and on a
//!   Saturday), Easter Monday of 2026 and 2027, a one-off holiday from 12:00 (24 December 2026,
//!   and the ordinary 24 December 2027 next to it) and a closed week (10-14 August 2026, and the
//!   same open week of 2027);
//! - `night` (America/New_York, Monday to Friday 22:00-06:00, an overnight range): both
//!   daylight-saving changes, 4 July on a Saturday morning (the end of Friday night) and on a
//!   Sunday (nothing to close), Good Friday (which closes the end of Thursday night and the start
//!   of Friday night, not Saturday morning), and the year change inside a night.
//!
//! How: the real binary builds the rules; a real Prometheus loads them (checked through
//! `/api/v1/rules`) and evaluates them every second, and a first check compares the recorded
//! `slac:calendar_open` samples with the engine. Then, for some five thousand instants t (every
//! 15 minutes over ±36 h around the 2026 daylight-saving changes and hourly around 2027's, a
//! 30-minute or hourly grid around every date above, the period's first and last days; near all
//! of these, the seconds just before and at the start and the end of every open interval; and a
//! few hundred pseudo-random instants of 2026-2027), the mask is evaluated at t with
//! `/api/v1/query`. The
//! recorded series `slac:calendar_local_week_seconds` does not exist at past instants, so the
//! query is the `slac:calendar_open` expression with that selector replaced by the expression of
//! the `slac:calendar_local_week_seconds` rule, both read from the generated file. Every mismatch
//! is collected and reported (calendar, instant in UTC and local time, expected, got).
//!
//! This test needs the `prometheus` server. Without it, it fails (it is not skipped): run
//! `scripts/install-test-tools`.

// A failed unwrap is a failed test; the helpers below are test code too.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use slac_calendar::BusinessCalendar;
use support::prometheus::{require_prometheus, url_encode, Prometheus};
use support::{slac, tail, TODAY};
use tempfile::TempDir;

const WORKSPACE: &str = r#"holidays fr {
  annual 07-14 "Fête nationale"
  annual 12-25 "Noël"
  easter +1 "Lundi de Pâques"
  date 2026-12-24 "Veille de Noël" from 12:00
}

holidays us {
  annual 07-04 "Independence Day"
  easter -2 "Good Friday"
}

calendar paris {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
  open sat 09:00-12:00
  closed fr
  closed 2026-08-10 to 2026-08-14 "Fermeture"
}

calendar night {
  timezone "America/New_York"
  open mon-fri 22:00-06:00 // Mon 22:00 → Tue 06:00, …, Fri 22:00 → Sat 06:00
  closed us
}

party acme {
  name "Acme"
  kind external
}

party ops {
  name "Ops"
  kind internal
}

agreement paris_api {
  title "API in Paris office hours"
  kind customer
  version 1.0.0
  effective 2026-01-01 to 2027-12-31
  provider ops
  customer acme

  objective availability {
    sli ratio {
      errors """sum(rate(http_requests_total{code=~"5.."}[$window]))"""
      total  """sum(rate(http_requests_total[$window]))"""
    }
    calendar paris
    target 99.9%
    window 30d
  }
}

agreement night_api {
  title "API in New York night hours"
  kind customer
  version 1.0.0
  effective 2026-01-01 to 2027-12-31
  provider ops
  customer acme

  objective availability {
    sli ratio {
      errors """sum(rate(http_requests_total{code=~"5.."}[$window]))"""
      total  """sum(rate(http_requests_total[$window]))"""
    }
    calendar night
    target 99.9%
    window 30d
  }
}
"#;

/// Each calendar with the agreement whose rule file holds its mask.
const CALENDARS: [(&str, &str); 2] = [("paris", "paris_api"), ("night", "night_api")];

const LOCAL_RULE: &str = "slac:calendar_local_week_seconds";
const OPEN_RULE: &str = "slac:calendar_open";

/// How long Prometheus may take to record its first samples once ready.
const FIRST_EVALUATION_WAIT: Duration = Duration::from_secs(20);

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// The mask covers the effective period in UTC: from 2026-01-01 00:00 to the day after the end
/// date, 2028-01-01 00:00, excluded. Every instant checked lies in it.
fn period() -> (i64, i64) {
    (utc(2026, 1, 1, 0, 0), utc(2028, 1, 1, 0, 0))
}

#[test]
fn the_calendar_mask_evaluated_by_prometheus_is_the_calendar_engine() {
    let started = Instant::now();
    require_prometheus();

    let dir = TempDir::new().unwrap();
    let ws = dir.path().join("ws");
    fs::create_dir(&ws).unwrap();
    fs::write(ws.join("calendars.sla"), WORKSPACE).unwrap();
    let out = dir.path().join("out");
    slac(
        &ws,
        &[
            "build",
            ws.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--target",
            "prometheus",
        ],
    )
    .assert_code(0);

    let files: Vec<PathBuf> = CALENDARS
        .iter()
        .map(|(_, agreement)| out.join("prometheus").join(format!("{agreement}.yml")))
        .collect();
    let mut masks = BTreeMap::new();
    for ((calendar, _), file) in CALENDARS.iter().zip(&files) {
        let text = fs::read_to_string(file)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
        masks.insert(*calendar, Mask::from_rules(&text, calendar, file));
    }
    let paris = &masks["paris"];
    eprintln!(
        "mask of `paris`: `{LOCAL_RULE}` {} bytes, `{OPEN_RULE}` {} bytes ({} lines), query {} bytes ({} URL-encoded)",
        paris.local.len(),
        paris.open.len(),
        paris.open.lines().count(),
        paris.query.len(),
        url_encode(&paris.query).len()
    );

    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let workspace = slac_model::load(&ws, &slac_model::Options { today })
        .unwrap_or_else(|error| panic!("cannot load the workspace: {error:?}"));
    assert!(!workspace.has_errors(), "{:?}", workspace.diagnostics);
    let engines: BTreeMap<&str, BusinessCalendar> = CALENDARS
        .iter()
        .map(|(calendar, _)| {
            let engine = workspace
                .model
                .engine(calendar)
                .unwrap_or_else(|| panic!("no calendar `{calendar}` in the model"));
            (*calendar, engine)
        })
        .collect();

    let prometheus = Prometheus::start(dir.path(), &files);
    assert_rules_loaded(&prometheus);
    let live = check_recorded_samples(&prometheus, &engines);

    let mut mismatches = Vec::new();
    let mut queries = 0;
    for (calendar, engine) in &engines {
        let instants = instants(calendar, engine);
        for &t in &instants {
            let expected = u8::from(engine.is_open(to_utc(t)));
            let got = prometheus.evaluate(&masks[calendar].query, t);
            queries += 1;
            if got.as_deref() != Ok(if expected == 1 { "1" } else { "0" }) {
                mismatches.push(Mismatch {
                    calendar,
                    zone: engine.timezone(),
                    t,
                    expected,
                    got: got.unwrap_or_else(|error| error),
                });
            }
        }
    }
    eprintln!(
        "{queries} instants evaluated by Prometheus, {live} recorded samples checked, {} mismatches, in {:.1?}",
        mismatches.len(),
        started.elapsed()
    );
    assert!(
        mismatches.is_empty(),
        "{}",
        report(&mismatches, queries, &masks)
    );
}

// ---------------------------------------------------------------------------------------------
// The generated rules.

/// The two rules of a calendar's mask, and the query that evaluates the mask at any instant.
struct Mask {
    local: String,
    open: String,
    /// `open` with the selector of the local-time series replaced by `(local)`.
    query: String,
}

impl Mask {
    fn from_rules(text: &str, calendar: &str, file: &Path) -> Mask {
        let rules = recording_rules(text);
        let find = |record: &str| {
            rules
                .iter()
                .find(|rule| rule.record == record && rule.calendar == calendar)
                .map(|rule| rule.expr.clone())
                .unwrap_or_else(|| {
                    panic!(
                        "no `{record}` rule for calendar `{calendar}` in {}:\n{}",
                        file.display(),
                        tail(text)
                    )
                })
        };
        let (local, open) = (find(LOCAL_RULE), find(OPEN_RULE));
        let selectors: BTreeSet<&str> = open
            .match_indices(&format!("{LOCAL_RULE}{{"))
            .map(|(at, _)| {
                let end = open[at..].find('}').map(|end| at + end + 1).unwrap();
                &open[at..end]
            })
            .collect();
        assert_eq!(
            selectors.len(),
            1,
            "the `{OPEN_RULE}` rule of `{calendar}` should read `{LOCAL_RULE}` through one selector: {selectors:?}"
        );
        let selector = selectors.into_iter().next().unwrap();
        assert!(
            selector.contains(&format!("calendar=\"{calendar}\"")),
            "the `{OPEN_RULE}` rule of `{calendar}` reads another calendar's local time: {selector}"
        );
        let query = open.replace(selector, &format!("({local})"));
        assert!(
            !query.contains("slac:"),
            "the mask of `{calendar}` still reads a recorded series: {query}"
        );
        Mask { local, open, query }
    }
}

struct Rule {
    record: String,
    expr: String,
    calendar: String,
}

/// The recording rules of a file written by slac's YAML writer: every value is a JSON-style
/// double-quoted string or, for a multi-line `expr`, a `|-` block scalar.
fn recording_rules(text: &str) -> Vec<Rule> {
    let lines: Vec<&str> = text.lines().collect();
    let mut rules: Vec<Rule> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        i += 1;
        if let Some(value) = trimmed.strip_prefix("- record: ") {
            rules.push(Rule {
                record: quoted(value),
                expr: String::new(),
                calendar: String::new(),
            });
        } else if let (Some(value), Some(rule)) = (trimmed.strip_prefix("expr: "), rules.last_mut())
        {
            if value == "|-" {
                let mut block = Vec::new();
                while i < lines.len() {
                    let next = lines[i];
                    let next_indent = next.len() - next.trim_start().len();
                    if !next.trim().is_empty() && next_indent <= indent {
                        break;
                    }
                    block.push(next.get(indent + 2..).unwrap_or(""));
                    i += 1;
                }
                rule.expr = block.join("\n");
            } else {
                rule.expr = quoted(value);
            }
        } else if let (Some(value), Some(rule)) =
            (trimmed.strip_prefix("calendar: "), rules.last_mut())
        {
            rule.calendar = quoted(value);
        }
    }
    rules
}

fn quoted(value: &str) -> String {
    serde_json::from_str(value)
        .unwrap_or_else(|error| panic!("not a double-quoted YAML string: {value} ({error})"))
}

// ---------------------------------------------------------------------------------------------
// The instants checked.

fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> i64 {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
        .timestamp()
}

fn to_utc(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap()
}

/// Local midnight of a date in `zone`.
fn midnight(zone: Tz, year: i32, month: u32, day: u32) -> i64 {
    zone.with_ymd_and_hms(year, month, day, 0, 0, 0)
        .earliest()
        .unwrap()
        .timestamp()
}

fn offset(zone: Tz, t: i64) -> i32 {
    zone.offset_from_utc_datetime(&to_utc(t).naive_utc())
        .fix()
        .local_minus_utc()
}

/// Every `step` seconds over `[from, to]`.
fn grid(from: i64, to: i64, step: i64) -> impl Iterator<Item = i64> {
    (0..=(to - from) / step).map(move |k| from + k * step)
}

/// The second before, the first second, the last second and the end of every open interval of
/// `[from, to)` according to the engine.
fn edges(engine: &BusinessCalendar, from: i64, to: i64) -> Vec<i64> {
    engine
        .open_intervals(to_utc(from), to_utc(to))
        .into_iter()
        .flat_map(|(start, end)| {
            let (start, end) = (start.timestamp(), end.timestamp());
            [start - 1, start, end - 1, end]
        })
        .collect()
}

/// Where to look closely at a calendar.
struct Focus {
    /// Daylight-saving changes checked every 15 minutes, then every hour, over ±36 h.
    dst_fine: [i64; 2],
    dst_coarse: [i64; 2],
    /// Local dates checked every 30 minutes, from 12 h before their start to 12 h after their end.
    days: Vec<(i32, u32, u32)>,
    /// Local periods: first date, number of days, step.
    spans: Vec<((i32, u32, u32), i64, i64)>,
}

fn focus(calendar: &str) -> Focus {
    match calendar {
        "paris" => Focus {
            dst_fine: [utc(2026, 3, 29, 1, 0), utc(2026, 10, 25, 1, 0)],
            dst_coarse: [utc(2027, 3, 28, 1, 0), utc(2027, 10, 31, 1, 0)],
            days: vec![
                (2026, 7, 14),  // a Tuesday
                (2027, 7, 14),  // a Wednesday
                (2026, 4, 6),   // Easter Monday
                (2027, 3, 29),  // Easter Monday
                (2026, 12, 24), // closed from 12:00
                (2026, 12, 25), // a Friday
                (2027, 12, 24), // an ordinary Friday: the `date` holiday is 2026's only
                (2027, 12, 25), // a Saturday: closes 09:00-12:00
            ],
            spans: vec![
                // The closed week, with a weekend on each side; the same week of 2027 is open.
                ((2026, 8, 8), 9, HOUR),
                ((2027, 8, 7), 9, HOUR),
                // An ordinary week.
                ((2026, 6, 1), 7, HOUR),
            ],
        },
        "night" => Focus {
            dst_fine: [utc(2026, 3, 8, 7, 0), utc(2026, 11, 1, 6, 0)],
            dst_coarse: [utc(2027, 3, 14, 7, 0), utc(2027, 11, 7, 6, 0)],
            days: vec![
                (2026, 7, 4), // a Saturday: the end of Friday night
                (2027, 7, 4), // a Sunday: no open time that day
                (2026, 4, 3), // Good Friday
                (2027, 3, 26),
            ],
            spans: vec![
                // Ordinary weeks: every boundary of the overnight ranges.
                ((2026, 6, 14), 8, 30 * MINUTE),
                ((2027, 1, 10), 8, 30 * MINUTE),
                // The year change inside Thursday night.
                ((2026, 12, 30), 4, 30 * MINUTE),
            ],
        },
        _ => unreachable!("no calendar `{calendar}` in the workspace"),
    }
}

/// The instants at which the mask of `calendar` is checked, inside the period.
fn instants(calendar: &str, engine: &BusinessCalendar) -> BTreeSet<i64> {
    let zone = engine.timezone();
    let focus = focus(calendar);
    let mut set = BTreeSet::new();
    let mut around = |from: i64, to: i64, step: i64| {
        set.extend(grid(from, to, step));
        set.extend(edges(engine, from, to));
    };
    for &change in focus.dst_fine.iter().chain(&focus.dst_coarse) {
        assert_ne!(
            offset(zone, change - 1),
            offset(zone, change),
            "{} is not a daylight-saving change in {zone}",
            to_utc(change)
        );
    }
    for &change in &focus.dst_fine {
        around(change - 36 * HOUR, change + 36 * HOUR, 15 * MINUTE);
    }
    for &change in &focus.dst_coarse {
        around(change - 36 * HOUR, change + 36 * HOUR, HOUR);
    }
    for &(year, month, day) in &focus.days {
        let start = midnight(zone, year, month, day);
        around(start - 12 * HOUR, start + 36 * HOUR, 30 * MINUTE);
    }
    for &((year, month, day), days, step) in &focus.spans {
        let start = midnight(zone, year, month, day);
        around(start, start + days * DAY, step);
    }
    let (from, to) = period();
    around(from, from + 2 * DAY, HOUR);
    around(to - 2 * DAY, to - 1, HOUR);
    // Pseudo-random instants of the whole period (xorshift64, fixed seed: the same every run).
    let mut state = calendar
        .bytes()
        .fold(0x9E37_79B9_7F4A_7C15_u64, |state, byte| {
            state.rotate_left(8) ^ u64::from(byte)
        });
    let span = (to - from) as u64;
    for _ in 0..300 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        set.insert(from + (state % span) as i64);
    }
    set.retain(|t| (from..to).contains(t));
    set
}

// ---------------------------------------------------------------------------------------------
// Prometheus (the server itself: `support::prometheus`).

/// The rule groups of the generated files are loaded, with both rules of each calendar first
/// (the masked rates of business-hours objectives follow them in the group).
fn assert_rules_loaded(prometheus: &Prometheus) {
    let data = prometheus
        .api("/api/v1/rules")
        .unwrap_or_else(|error| panic!("/api/v1/rules: {error}"));
    let groups = data["groups"].as_array().unwrap();
    for (calendar, agreement) in CALENDARS {
        let name = format!("slac-{agreement}-calendars");
        let group = groups
            .iter()
            .find(|group| group["name"] == name.as_str())
            .unwrap_or_else(|| panic!("group `{name}` is not loaded: {data}"));
        let rules: Vec<(&str, &str)> = group["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|rule| {
                (
                    rule["name"].as_str().unwrap_or(""),
                    rule["labels"]["calendar"].as_str().unwrap_or(""),
                )
            })
            .filter(|(name, _)| name.starts_with("slac:calendar_"))
            .collect();
        assert_eq!(
            rules,
            [(LOCAL_RULE, calendar), (OPEN_RULE, calendar)],
            "rules of group `{name}`"
        );
        assert!(
            group["rules"]
                .as_array()
                .unwrap()
                .iter()
                .all(|rule| rule["type"] == "recording"),
            "{group}"
        );
    }
}

/// The samples Prometheus recorded for `slac:calendar_open` itself (the mask reading the local
/// time through its selector, at the same evaluation) agree with the engine at their own
/// timestamps, when those lie in the period. Returns how many were checked.
fn check_recorded_samples(
    prometheus: &Prometheus,
    engines: &BTreeMap<&str, BusinessCalendar>,
) -> usize {
    let started = Instant::now();
    let series = loop {
        let data = prometheus
            .api(&format!("/api/v1/query?query={}", url_encode(OPEN_RULE)))
            .unwrap_or_else(|error| panic!("{OPEN_RULE}: {error}"));
        if data["result"].as_array().map_or(0, Vec::len) == engines.len() {
            let range = format!("{OPEN_RULE}[1m]");
            break prometheus
                .api(&format!("/api/v1/query?query={}", url_encode(&range)))
                .unwrap_or_else(|error| panic!("{range}: {error}"));
        }
        assert!(
            started.elapsed() < FIRST_EVALUATION_WAIT,
            "no `{OPEN_RULE}` sample for each calendar after {FIRST_EVALUATION_WAIT:?}: {data}\n{}",
            prometheus.log_tail()
        );
        thread::sleep(Duration::from_millis(200));
    };
    let (from, to) = period();
    let mut checked = 0;
    for series in series["result"].as_array().unwrap() {
        let calendar = series["metric"]["calendar"].as_str().unwrap();
        let engine = &engines[calendar];
        for sample in series["values"].as_array().unwrap() {
            let millis = (sample[0].as_f64().unwrap() * 1000.0).round() as i64;
            let at = DateTime::from_timestamp_millis(millis).unwrap();
            if !(from..to).contains(&at.timestamp()) {
                continue;
            }
            let expected = if engine.is_open(at) { "1" } else { "0" };
            assert_eq!(
                sample[1].as_str(),
                Some(expected),
                "recorded `{OPEN_RULE}` of `{calendar}` at {at} ({})",
                at.with_timezone(&engine.timezone())
            );
            checked += 1;
        }
    }
    if checked == 0 {
        eprintln!("the clock is outside 2026-2027: recorded samples were not compared");
    }
    checked
}

// ---------------------------------------------------------------------------------------------
// The report.

struct Mismatch<'a> {
    calendar: &'a str,
    zone: Tz,
    t: i64,
    expected: u8,
    got: String,
}

fn report(mismatches: &[Mismatch], queries: usize, masks: &BTreeMap<&str, Mask>) -> String {
    const SHOWN: usize = 60;
    let mut text = format!(
        "the Prometheus mask differs from the calendar engine at {} of {queries} instants:\n",
        mismatches.len()
    );
    for (calendar, _) in CALENDARS {
        let count = mismatches.iter().filter(|m| m.calendar == calendar).count();
        writeln!(text, "  {calendar}: {count} mismatches").unwrap();
    }
    writeln!(
        text,
        "{:<7} {:<21} {:<33} {:>8}  got",
        "calendar", "instant (UTC)", "local", "expected"
    )
    .unwrap();
    for m in mismatches.iter().take(SHOWN) {
        let at = to_utc(m.t);
        writeln!(
            text,
            "{:<8} {:<21} {:<33} {:>8}  {}",
            m.calendar,
            at.format("%Y-%m-%dT%H:%M:%SZ"),
            at.with_timezone(&m.zone).format("%a %Y-%m-%d %H:%M:%S %:z"),
            m.expected,
            m.got
        )
        .unwrap();
    }
    if mismatches.len() > SHOWN {
        writeln!(text, "… and {} more", mismatches.len() - SHOWN).unwrap();
    }
    for (calendar, mask) in masks {
        if mismatches.iter().any(|m| m.calendar == *calendar) {
            writeln!(
                text,
                "\n{LOCAL_RULE} of `{calendar}`:\n{}\n{OPEN_RULE} of `{calendar}`:\n{}",
                mask.local, mask.open
            )
            .unwrap();
        }
    }
    text
}
