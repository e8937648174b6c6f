//! Business hours in the Prometheus rules of `slac build`, judged by `promtool test rules`.
//!
//! Two things are proven, each on rules written by the real binary:
//!
//! 1. The business-hours mask `slac:calendar_open` is 1 exactly while a calendar is open, at
//!    chosen instants around what a mask can get wrong: both daylight-saving changes of
//!    Europe/Paris and of America/New_York in 2026 (the open and close edges move by one hour
//!    in UTC), a fixed holiday (1 May), Easter Monday (2026 and 2027), a holiday from 12:00
//!    (24 December 2026) and an overnight range (Friday 22:00 to Saturday 06:00). Each edge is
//!    checked at the second before it and at its first second. The expected values are facts
//!    about the time zones and the calendars, worked out by hand and written beside each
//!    instant, not answers of the calendar engine.
//!
//!    How: promtool cannot start its clock in 2026 (2.42 has no `start_timestamp`: it evaluates
//!    every rule group at every `evaluation_interval` from Unix time 0 to the last `eval_time`,
//!    far too slow at 1m up to 2026). So the rule file given to promtool is empty and the test
//!    evaluates the generated expressions themselves: for each calendar it takes, from the
//!    generated YAML, the `expr` of `slac:calendar_open` and of
//!    `slac:calendar_local_week_seconds` (which uses only `time()`), replaces the selector of the
//!    latter in the former by `(<its expr>)`, and asks promtool for that expression at each
//!    instant (`promql_expr_test`, `eval_time` in Unix seconds, one evaluation a day in
//!    between). The only change to the value is a `label_replace` that names the instant in
//!    the result, so that a failure says which instant failed. `tests/prometheus_mask.rs` is the
//!    other half: a real Prometheus records the series, and some five thousand instants are
//!    compared with the calendar engine.
//!
//! 2. The alerts of an objective on a business calendar count open time only: errors while the
//!    calendar is closed burn no budget and alert nobody, errors while it is open alert as the
//!    burn-rate arithmetic says, and the minutes just after opening wait until the 5-minute
//!    rates hold only open time.
//!
//!    How: promtool's clock starts at 1970-01-01 00:00 UTC, so the agreement is effective in
//!    1970. That day was a Thursday, and Paris was at UTC+1 all of 1970 (France had no daylight
//!    saving time from 1946 to 1976): the calendar `office`, Europe/Paris Monday to Friday
//!    08:00-17:00, opens at 07:00 UTC, minute 420 after t = 0, and closes at 16:00 UTC, minute
//!    960. The whole generated file is loaded, all its groups.
//!
//! The evaluation model, which every expected minute of part 2 depends on:
//!
//! - samples are written every minute from t = 0 (`interval: 1m`) and the rules are evaluated
//!   every minute from t = 0 (`evaluation_interval: 1m`). The groups run in the order that
//!   `group_eval_order` gives (promtool 2.42 runs the groups of a file in no set order without
//!   it): the calendar group (the mask, then the masked 5-minute rates, which read the mask of
//!   the same evaluation: the rules of a group run in order), then the error ratios, then the
//!   alerts, so the alerts at minute t read the ratios of minute t;
//! - a range `[5m]` at minute t holds the samples of `[t - 5m, t]`, both ends included
//!   (Prometheus 2; Prometheus 3 leaves out the first end);
//! - `slac:calendar_open` is 1 at minutes 420 to 959 of the first day and 0 at every other
//!   minute of it, so `min_over_time(slac:calendar_open[5m] offset 1s)`, which reads the mask
//!   samples of `[t - 5m - 1s, t - 1s]` (minutes t - 5 to t - 1), is 1 only at minutes 425 to
//!   960: at 424 the window still holds minute 419, at 961 it holds minute 960. The masked
//!   5-minute rates are the real rates there, and 0 at every other minute; the rate at minute
//!   425 covers the counter increases of minutes 421 to 425, all after opening, and the rate at
//!   960 those of 956 to 960, all before closing;
//! - a ratio over a window W at minute t is the sum of the masked error rates of `[t - W, t]`
//!   over the sum of the masked event rates, and has no value while the events sum to 0 (the
//!   rule divides by `(… > 0)`), so no alert fires on it. It holds the ratio of the open minutes
//!   until W after closing: the closed minutes add nothing to either sum;
//! - an alert has no `for`: it fires at the first evaluation where its expression holds.
//!
//! Traffic is given per second in whole numbers, as in `tests/prometheus.rs`, so that every
//! rate is a whole number and every ratio is the double nearest to the injected one.
//!
//! These tests need promtool. Without it they fail (they are not skipped): run
//! `scripts/install-test-tools`.

mod support;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use support::promtool::{counter, output_text, promtool, quoted, steady, Alert, Objective, Phase};
use support::slac;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Running slac and promtool.

/// A workspace built into `out/`, and the rule file of `agreement`.
struct Built {
    dir: TempDir,
    rules: PathBuf,
}

fn build_workspace(workspace: &str, agreement: &str) -> Built {
    let dir = TempDir::new().expect("a temporary folder");
    fs::write(dir.path().join("slac.toml"), "[workspace]\n").expect("slac.toml written");
    fs::write(dir.path().join("business.sla"), workspace).expect("business.sla written");
    slac(
        dir.path(),
        &["build", ".", "--out", "out", "--target", "prometheus"],
    )
    .assert_code(0);
    let rules = dir.path().join(format!("out/prometheus/{agreement}.yml"));
    assert!(rules.is_file(), "`slac build` wrote no {}", rules.display());
    Built { dir, rules }
}

/// Writes `yaml` as a promtool test file beside the rules and runs it; on failure, shows
/// promtool's output, the test file and the rules.
fn assert_promtool_tests(built: &Built, file_name: &str, yaml: &str, rules: &Path) {
    let path = built.dir.path().join(file_name);
    fs::write(&path, yaml).expect("test file written");
    let output = promtool(&["test", "rules", path.to_str().expect("a UTF-8 path")]);
    assert!(
        output.status.success(),
        "`promtool test rules` failed:\n{}\n--- {file_name}\n{yaml}\n--- {}\n{}",
        output_text(&output),
        rules.display(),
        fs::read_to_string(rules).unwrap_or_default()
    );
}

/// The generated rule file, as JSON.
fn read_rules(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).expect("a generated rule file");
    serde_norway::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not YAML: {error}\n{text}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Part 1: the mask at chosen instants.

/// Three calendars, each on a ratio objective of an agreement effective over 2026-2027, so the
/// mask is built for them over those two years.
const MASK_WORKSPACE: &str = r#"holidays fr {
  annual 05-01 "Fête du travail"
  easter +1 "Lundi de Pâques"
  date 2026-12-24 "Veille de Noël" from 12:00
}

calendar paris {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
  closed fr
}

calendar new_york {
  timezone "America/New_York"
  open mon-fri 09:00-17:00
}

calendar paris_night {
  timezone "Europe/Paris"
  open mon-fri 22:00-06:00 // Mon 22:00 → Tue 06:00, …, Fri 22:00 → Sat 06:00
}

party acme {
  name "Acme"
  kind external
}

party ops {
  name "Ops"
  kind internal
}

agreement hours {
  kind customer
  version 1.0.0
  effective 2026-01-01 to 2027-12-31
  provider ops
  customer acme

  objective in_paris {
    sli ratio {
      errors """sum(rate(http_requests_total{code=~"5.."}[$window]))"""
      total  """sum(rate(http_requests_total[$window]))"""
    }
    calendar paris
    target 99.9%
    window 30d
  }

  objective in_new_york {
    sli ratio {
      errors """sum(rate(http_requests_total{code=~"5.."}[$window]))"""
      total  """sum(rate(http_requests_total[$window]))"""
    }
    calendar new_york
    target 99.9%
    window 30d
  }

  objective at_night {
    sli ratio {
      errors """sum(rate(http_requests_total{code=~"5.."}[$window]))"""
      total  """sum(rate(http_requests_total[$window]))"""
    }
    calendar paris_night
    target 99.9%
    window 30d
  }
}
"#;

/// The instants checked, per calendar: each line is the instant in UTC, `open` or `closed`,
/// and the instant in the calendar's local time with the reason.
///
/// The zone facts used: Europe/Paris is UTC+1 (CET) until 2026-03-29 01:00 UTC, then UTC+2
/// (CEST) until 2026-10-25 01:00 UTC, then UTC+1 again; in 2027 CEST starts on 28 March.
/// America/New_York is UTC-5 (EST) until 2026-03-08 07:00 UTC, then UTC-4 (EDT) until
/// 2026-11-01 06:00 UTC, then UTC-5. 2026-01-01 is a Thursday, 2027-01-01 a Friday; Easter
/// Sunday is 5 April 2026 and 28 March 2027.
type Instants = &'static [&'static str];

/// `paris`: Europe/Paris, Monday to Friday 08:00-17:00, closed on 1 May, Easter Monday and
/// 24 December 2026 from 12:00.
const PARIS: Instants = &[
    // Around the spring change (Sunday 29 March 2026): Friday is open 07:00-16:00 UTC, Monday
    // 06:00-15:00 UTC.
    "2026-03-27T06:59:59Z closed Fri 27 Mar 07:59:59 CET, before opening",
    "2026-03-27T07:00:00Z open   Fri 27 Mar 08:00:00 CET, opening",
    "2026-03-27T15:59:59Z open   Fri 27 Mar 16:59:59 CET, last second",
    "2026-03-27T16:00:00Z closed Fri 27 Mar 17:00:00 CET, closing",
    "2026-03-29T00:59:59Z closed Sun 29 Mar 01:59:59 CET, last second of CET",
    "2026-03-29T01:00:00Z closed Sun 29 Mar 03:00:00 CEST, first of CEST",
    "2026-03-30T05:59:59Z closed Mon 30 Mar 07:59:59 CEST, before opening",
    "2026-03-30T06:00:00Z open   Mon 30 Mar 08:00:00 CEST, opening an hour earlier in UTC",
    "2026-03-30T06:59:59Z open   Mon 30 Mar 08:59:59 CEST (07:59:59 in CET)",
    "2026-03-30T14:59:59Z open   Mon 30 Mar 16:59:59 CEST, last second",
    "2026-03-30T15:00:00Z closed Mon 30 Mar 17:00:00 CEST, closing",
    "2026-03-30T15:59:59Z closed Mon 30 Mar 17:59:59 CEST (16:59:59 in CET)",
    // Around the autumn change (Sunday 25 October 2026): Friday is open 06:00-15:00 UTC,
    // Monday 07:00-16:00 UTC.
    "2026-10-23T05:59:59Z closed Fri 23 Oct 07:59:59 CEST, before opening",
    "2026-10-23T06:00:00Z open   Fri 23 Oct 08:00:00 CEST, opening",
    "2026-10-23T14:59:59Z open   Fri 23 Oct 16:59:59 CEST, last second",
    "2026-10-23T15:00:00Z closed Fri 23 Oct 17:00:00 CEST, closing",
    "2026-10-25T00:59:59Z closed Sun 25 Oct 02:59:59 CEST, last second of CEST",
    "2026-10-25T01:00:00Z closed Sun 25 Oct 02:00:00 CET, first of CET",
    "2026-10-26T06:00:00Z closed Mon 26 Oct 07:00:00 CET (08:00:00 in CEST)",
    "2026-10-26T06:59:59Z closed Mon 26 Oct 07:59:59 CET, before opening",
    "2026-10-26T07:00:00Z open   Mon 26 Oct 08:00:00 CET, opening an hour later in UTC",
    "2026-10-26T15:59:59Z open   Mon 26 Oct 16:59:59 CET, last second",
    "2026-10-26T16:00:00Z closed Mon 26 Oct 17:00:00 CET, closing",
    // 1 May 2026 (`annual 05-01`), a Friday: closed all day.
    "2026-04-30T14:59:59Z open   Thu 30 Apr 16:59:59 CEST, the day before",
    "2026-04-30T15:00:00Z closed Thu 30 Apr 17:00:00 CEST, closing",
    "2026-05-01T06:00:00Z closed Fri 1 May 08:00:00 CEST, holiday",
    "2026-05-01T10:00:00Z closed Fri 1 May 12:00:00 CEST, holiday",
    "2026-05-01T14:59:59Z closed Fri 1 May 16:59:59 CEST, holiday",
    "2026-05-04T05:59:59Z closed Mon 4 May 07:59:59 CEST, before opening",
    "2026-05-04T06:00:00Z open   Mon 4 May 08:00:00 CEST, the working day after",
    // Easter Monday (`easter +1`): 6 April 2026 and 29 March 2027.
    "2026-04-03T10:00:00Z open   Fri 3 Apr 12:00:00 CEST, Good Friday is no holiday of `fr`",
    "2026-04-06T06:00:00Z closed Mon 6 Apr 08:00:00 CEST, Easter Monday",
    "2026-04-06T10:00:00Z closed Mon 6 Apr 12:00:00 CEST, Easter Monday",
    "2026-04-06T14:59:59Z closed Mon 6 Apr 16:59:59 CEST, Easter Monday",
    "2026-04-07T05:59:59Z closed Tue 7 Apr 07:59:59 CEST, before opening",
    "2026-04-07T06:00:00Z open   Tue 7 Apr 08:00:00 CEST, the day after",
    "2027-03-26T07:00:00Z open   Fri 26 Mar 2027 08:00:00 CET, opening",
    "2027-03-29T06:00:00Z closed Mon 29 Mar 2027 08:00:00 CEST, Easter Monday, in CEST",
    "2027-03-30T05:59:59Z closed Tue 30 Mar 2027 07:59:59 CEST, before opening",
    "2027-03-30T06:00:00Z open   Tue 30 Mar 2027 08:00:00 CEST, opening",
    // 24 December 2026 (a Thursday, CET): a holiday from 12:00 only.
    "2026-12-23T15:59:59Z open   Wed 23 Dec 16:59:59 CET, an ordinary day",
    "2026-12-24T06:59:59Z closed Thu 24 Dec 07:59:59 CET, before opening",
    "2026-12-24T07:00:00Z open   Thu 24 Dec 08:00:00 CET, the morning is open",
    "2026-12-24T10:59:59Z open   Thu 24 Dec 11:59:59 CET, last open second",
    "2026-12-24T11:00:00Z closed Thu 24 Dec 12:00:00 CET, the holiday starts",
    "2026-12-24T15:59:59Z closed Thu 24 Dec 16:59:59 CET, holiday",
    "2026-12-25T07:00:00Z open   Fri 25 Dec 08:00:00 CET, not a holiday of `fr` in this test",
    "2027-12-24T11:00:00Z open   Fri 24 Dec 2027 12:00:00 CET, the partial holiday is 2026's only",
];

/// `new_york`: America/New_York, Monday to Friday 09:00-17:00, no holidays.
const NEW_YORK: Instants = &[
    // Around the spring change (Sunday 8 March 2026): Friday is open 14:00-22:00 UTC, Monday
    // 13:00-21:00 UTC.
    "2026-03-06T13:59:59Z closed Fri 6 Mar 08:59:59 EST, before opening",
    "2026-03-06T14:00:00Z open   Fri 6 Mar 09:00:00 EST, opening",
    "2026-03-06T21:59:59Z open   Fri 6 Mar 16:59:59 EST, last second",
    "2026-03-06T22:00:00Z closed Fri 6 Mar 17:00:00 EST, closing",
    "2026-03-09T12:59:59Z closed Mon 9 Mar 08:59:59 EDT, before opening",
    "2026-03-09T13:00:00Z open   Mon 9 Mar 09:00:00 EDT, opening an hour earlier in UTC",
    "2026-03-09T20:59:59Z open   Mon 9 Mar 16:59:59 EDT, last second",
    "2026-03-09T21:00:00Z closed Mon 9 Mar 17:00:00 EDT, closing",
    // Around the autumn change (Sunday 1 November 2026): Friday is open 13:00-21:00 UTC,
    // Monday 14:00-22:00 UTC.
    "2026-10-30T12:59:59Z closed Fri 30 Oct 08:59:59 EDT, before opening",
    "2026-10-30T13:00:00Z open   Fri 30 Oct 09:00:00 EDT, opening",
    "2026-10-30T20:59:59Z open   Fri 30 Oct 16:59:59 EDT, last second",
    "2026-10-30T21:00:00Z closed Fri 30 Oct 17:00:00 EDT, closing",
    "2026-11-02T13:00:00Z closed Mon 2 Nov 08:00:00 EST (09:00:00 in EDT)",
    "2026-11-02T13:59:59Z closed Mon 2 Nov 08:59:59 EST, before opening",
    "2026-11-02T14:00:00Z open   Mon 2 Nov 09:00:00 EST, opening an hour later in UTC",
    "2026-11-02T21:59:59Z open   Mon 2 Nov 16:59:59 EST, last second",
    "2026-11-02T22:00:00Z closed Mon 2 Nov 17:00:00 EST, closing",
    // The holidays of `paris` are not this calendar's.
    "2026-05-01T14:00:00Z open   Fri 1 May 10:00:00 EDT, no holidays here",
];

/// `paris_night`: Europe/Paris, 22:00-06:00 from Monday to Friday; a range belongs to the day
/// it starts on (Friday's runs to Saturday 06:00, there is none on Sunday night).
const PARIS_NIGHT: Instants = &[
    // A winter week (CET): Friday 16 January 2026.
    "2026-01-16T20:59:59Z closed Fri 16 Jan 21:59:59 CET, before opening",
    "2026-01-16T21:00:00Z open   Fri 16 Jan 22:00:00 CET, Friday night opens",
    "2026-01-16T22:00:00Z open   Fri 16 Jan 23:00:00 CET, Friday night",
    "2026-01-17T04:59:59Z open   Sat 17 Jan 05:59:59 CET, Friday's range",
    "2026-01-17T05:00:00Z closed Sat 17 Jan 06:00:00 CET, Friday's range ends",
    "2026-01-17T22:00:00Z closed Sat 17 Jan 23:00:00 CET, no Saturday range",
    "2026-01-19T04:00:00Z closed Mon 19 Jan 05:00:00 CET, no Sunday range",
    "2026-01-19T21:00:00Z open   Mon 19 Jan 22:00:00 CET, Monday night opens",
    "2026-01-20T03:00:00Z open   Tue 20 Jan 04:00:00 CET, Monday's range",
    // After the spring change: Friday 27 March opened at 21:00 UTC (22:00 CET), Monday 30
    // March opens at 20:00 UTC (22:00 CEST).
    "2026-03-27T21:00:00Z open   Fri 27 Mar 22:00:00 CET, opening",
    "2026-03-30T19:59:59Z closed Mon 30 Mar 21:59:59 CEST, before opening",
    "2026-03-30T20:00:00Z open   Mon 30 Mar 22:00:00 CEST, opening an hour earlier in UTC",
    "2026-03-31T03:59:59Z open   Tue 31 Mar 05:59:59 CEST, Monday's range",
    "2026-03-31T04:00:00Z closed Tue 31 Mar 06:00:00 CEST, Monday's range ends",
    // A summer weekend (CEST): Friday 3 July 2026.
    "2026-07-03T21:00:00Z open   Fri 3 Jul 23:00:00 CEST, Friday night",
    "2026-07-04T03:59:59Z open   Sat 4 Jul 05:59:59 CEST, Friday's range",
    "2026-07-04T04:00:00Z closed Sat 4 Jul 06:00:00 CEST, Friday's range ends",
    "2026-07-04T21:00:00Z closed Sat 4 Jul 23:00:00 CEST, no Saturday range",
    // After the autumn change: Monday 26 October opens at 21:00 UTC (22:00 CET).
    "2026-10-26T20:00:00Z closed Mon 26 Oct 21:00:00 CET (22:00:00 in CEST)",
    "2026-10-26T20:59:59Z closed Mon 26 Oct 21:59:59 CET, before opening",
    "2026-10-26T21:00:00Z open   Mon 26 Oct 22:00:00 CET, opening an hour later in UTC",
];

/// Each calendar with its instants.
const CALENDAR_INSTANTS: [(&str, Instants); 3] = [
    ("paris", PARIS),
    ("new_york", NEW_YORK),
    ("paris_night", PARIS_NIGHT),
];

const LOCAL_RULE: &str = "slac:calendar_local_week_seconds";
const OPEN_RULE: &str = "slac:calendar_open";

/// The `expr` of the recording rule `record` of `calendar` in the generated file.
fn rule_expr(rules: &serde_json::Value, record: &str, calendar: &str) -> String {
    let groups = rules["groups"].as_array().expect("a list of groups");
    let found: Vec<&str> = groups
        .iter()
        .flat_map(|group| group["rules"].as_array().into_iter().flatten())
        .filter(|rule| rule["record"] == record && rule["labels"]["calendar"] == calendar)
        .filter_map(|rule| rule["expr"].as_str())
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one `{record}` rule for calendar `{calendar}`, found {found:?}"
    );
    found[0].to_string()
}

/// The mask of `calendar` as one expression of `time()` only: the `slac:calendar_open` rule with
/// the local-time series it reads replaced by the expression of that series' own rule.
fn mask_query(rules: &serde_json::Value, calendar: &str, agreement: &str) -> String {
    let local = rule_expr(rules, LOCAL_RULE, calendar);
    let open = rule_expr(rules, OPEN_RULE, calendar);
    let selector = format!("{LOCAL_RULE}{{calendar=\"{calendar}\",agreement=\"{agreement}\"}}");
    assert!(
        open.contains(&selector),
        "the `{OPEN_RULE}` rule of `{calendar}` does not read {selector}:\n{open}"
    );
    let query = open.replace(&selector, &format!("({local})"));
    assert!(
        !query.contains("slac:"),
        "the mask of `{calendar}` reads another recorded series:\n{query}"
    );
    query
}

/// An instant of [`CALENDAR_INSTANTS`]: `(UTC, open?, local time and reason)`.
fn instant(line: &str) -> (&str, bool, &str) {
    let (utc, rest) = line
        .split_once(' ')
        .expect("an instant, then `open` or `closed`");
    let (state, local) = rest.trim_start().split_once(' ').expect("the local time");
    let open = match state {
        "open" => true,
        "closed" => false,
        _ => panic!("`{line}`: say `open` or `closed` after the instant"),
    };
    (utc, open, local.trim_start())
}

fn unix_seconds(utc: &str) -> i64 {
    DateTime::parse_from_rfc3339(utc)
        .unwrap_or_else(|error| panic!("{utc} is not an RFC 3339 instant: {error}"))
        .timestamp()
}

/// Every instant of [`CALENDAR_INSTANTS`], evaluated by promtool on the generated expressions.
#[test]
fn the_mask_is_open_exactly_in_business_hours_at_chosen_instants() {
    let built = build_workspace(MASK_WORKSPACE, "hours");
    let rules = read_rules(&built.rules);
    let empty = built.dir.path().join("empty.rules.yml");
    fs::write(&empty, "groups: []\n").expect("empty rule file written");

    let mut yaml = format!(
        "# Generated by tests/prometheus_business.rs.\nrule_files:\n- {}\n\
         evaluation_interval: 1d\ntests:\n- name: \"the mask at chosen instants\"\n  \
         interval: 1d\n  input_series: []\n  promql_expr_test:\n",
        quoted(empty.to_str().expect("a UTF-8 path"))
    );
    for (calendar, instants) in CALENDAR_INSTANTS {
        let query = mask_query(&rules, calendar, "hours");
        for line in instants {
            let (utc, open, local) = instant(line);
            // The instant, named in the result so that promtool's report says which it is.
            let name = format!("{calendar} {utc} ({local})");
            let expr = format!(
                "label_replace(\n{query}\n, \"at\", {}, \"\", \"\")",
                quoted(&name)
            );
            let labels = format!("{{at={}}}", quoted(&name));
            writeln!(
                yaml,
                "  - eval_time: {}s\n    expr: {}\n    exp_samples:\n    \
                 - labels: {}\n      value: {}",
                unix_seconds(utc),
                quoted(&expr),
                quoted(&labels),
                u8::from(open)
            )
            .expect("a String");
        }
    }
    assert_promtool_tests(&built, "mask.test.yml", &yaml, &built.rules);
}

// ---------------------------------------------------------------------------------------------
// Part 2: the alerts of a business-hours objective, on 1 January 1970.

const AGREEMENT: &str = "office_sla";
const OBJECTIVE: &str = "availability";
const TITLE: &str = "API availability in office hours";
/// The budget of a business-hours objective is a share of the open time, not a duration.
const BUDGET: &str = "0.1% of the open time of calendar `office` over 30d";

/// `office_sla.availability`: 99.9% of the requests over 30 days, counted in office hours.
const ALERT_WORKSPACE: &str = r#"party platform {
  name "Platform team"
  kind internal
  contact oncall "oncall@platform.example"
  contact lead "lead@platform.example"
}

party acme {
  name "Acme Industries SA"
  kind external
  contact account_manager "am@acme.example"
}

calendar office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
}

escalation office_burn {
  level 1 at 50% notify platform.oncall
  level 2 at 75% notify platform.lead
  level 3 at breach notify platform.lead, acme.account_manager
}

agreement office_sla {
  title "Office API"
  kind customer
  version 1.0.0
  effective 1970-01-01 to 1970-12-31
  provider platform
  customer acme
  escalation office_burn

  objective availability {
    title "API availability in office hours"
    sli ratio {
      errors """sum(rate(http_requests_total{job="api",code=~"5.."}[$window]))"""
      total """sum(rate(http_requests_total{job="api"}[$window]))"""
    }
    calendar office
    target 99.9%
    window 30d
  }
}
"#;

/// The groups of the generated file, in the order they must run.
const GROUP_ORDER: [&str; 3] = [
    "slac-office_sla-calendars",
    "slac-office_sla-availability-sli",
    "slac-office_sla-availability-alerts",
];

/// The objective the unit tests drive.
const SUBJECT: Objective = Objective {
    agreement: AGREEMENT,
    objective: OBJECTIVE,
    title: TITLE,
    budget: BUDGET,
    policy: "office_burn",
};

fn burn(severity: &str) -> Alert {
    SUBJECT.burn(severity)
}

fn escalation(level: u32) -> Alert {
    SUBJECT.escalation(level)
}

fn every_escalation() -> [Alert; 3] {
    [escalation(1), escalation(2), escalation(3)]
}

/// The series of a recording rule of the objective, as promtool prints it.
fn ratio_series(window: &str) -> String {
    format!(
        "slac:sli_error:ratio_rate{window}{{agreement=\"{AGREEMENT}\",objective=\"{OBJECTIVE}\"}}"
    )
}

/// One `promtool test rules` test: input traffic, then checks at given minutes.
struct Case {
    name: &'static str,
    traffic: Vec<Phase>,
    alert_checks: String,
    expr_checks: String,
}

impl Case {
    fn new(name: &'static str, traffic: &[Phase]) -> Case {
        Case {
            name,
            traffic: traffic.to_vec(),
            alert_checks: String::new(),
            expr_checks: String::new(),
        }
    }

    /// At minute `minute`, exactly `alerts` of `alertname` fire (none when empty).
    fn alerts(mut self, minute: u32, alertname: &str, alerts: &[Alert]) -> Case {
        let out = &mut self.alert_checks;
        writeln!(out, "  - eval_time: {minute}m\n    alertname: {alertname}").expect("a String");
        if alerts.is_empty() {
            out.push_str("    exp_alerts: []\n");
        } else {
            out.push_str("    exp_alerts:\n");
        }
        for alert in alerts {
            out.push_str("    - exp_labels:\n");
            for (name, value) in &alert.labels {
                writeln!(out, "        {name}: {}", quoted(value)).expect("a String");
            }
            out.push_str("      exp_annotations:\n");
            for (name, value) in &alert.annotations {
                writeln!(out, "        {name}: {}", quoted(value)).expect("a String");
            }
        }
        self
    }

    /// At minute `minute`, no alert of either name fires.
    fn silent(self, minute: u32) -> Case {
        self.alerts(minute, "SlacErrorBudgetBurn", &[])
            .alerts(minute, "SlacEscalation", &[])
    }

    /// At minute `minute`, the expression `expr` has exactly the samples `samples`, given as
    /// `(series, value)`.
    fn expr(mut self, minute: u32, expr: &str, samples: &[(&str, &str)]) -> Case {
        let out = &mut self.expr_checks;
        writeln!(out, "  - eval_time: {minute}m\n    expr: {}", quoted(expr)).expect("a String");
        if samples.is_empty() {
            out.push_str("    exp_samples: []\n");
        } else {
            out.push_str("    exp_samples:\n");
        }
        for (series, value) in samples {
            writeln!(
                out,
                "    - labels: {}\n      value: {value}",
                quoted(series)
            )
            .expect("a String");
        }
        self
    }

    /// At minute `minute`, the recording rule of `window` is exactly `value`.
    fn ratio(self, minute: u32, window: &str, value: &str) -> Case {
        let series = ratio_series(window);
        self.expr(minute, &series.clone(), &[(&series, value)])
    }

    fn yaml(&self) -> String {
        let errors = counter(&self.traffic, |p| p.errors);
        let successes = counter(&self.traffic, |p| p.total - p.errors);
        let mut out = format!(
            "- name: {}\n  interval: 1m\n  input_series:\n  \
             - series: 'http_requests_total{{job=\"api\",code=\"500\"}}'\n    values: {}\n  \
             - series: 'http_requests_total{{job=\"api\",code=\"200\"}}'\n    values: {}\n",
            quoted(self.name),
            quoted(&errors),
            quoted(&successes)
        );
        if !self.alert_checks.is_empty() {
            out.push_str("  alert_rule_test:\n");
            out.push_str(&self.alert_checks);
        }
        if !self.expr_checks.is_empty() {
            out.push_str("  promql_expr_test:\n");
            out.push_str(&self.expr_checks);
        }
        out
    }
}

/// Builds the workspace, checks that its groups are the ones [`GROUP_ORDER`] names, writes the
/// cases into one promtool test file and runs it.
fn assert_alert_cases(file_name: &str, cases: &[Case]) {
    let built = build_workspace(ALERT_WORKSPACE, AGREEMENT);
    let rules = read_rules(&built.rules);
    let groups: Vec<&str> = rules["groups"]
        .as_array()
        .expect("a list of groups")
        .iter()
        .filter_map(|group| group["name"].as_str())
        .collect();
    assert_eq!(
        groups,
        GROUP_ORDER,
        "the groups of {}",
        built.rules.display()
    );
    let mut yaml = format!(
        "# Generated by tests/prometheus_business.rs.\nrule_files:\n- {}\n\
         evaluation_interval: 1m\ngroup_eval_order:\n",
        quoted(built.rules.to_str().expect("a UTF-8 path"))
    );
    for group in GROUP_ORDER {
        writeln!(yaml, "- {}", quoted(group)).expect("a String");
    }
    yaml.push_str("tests:\n");
    for case in cases {
        yaml.push_str(&case.yaml());
    }
    assert_promtool_tests(&built, file_name, &yaml, &built.rules);
}

/// Opening and closing on 1 January 1970, in minutes after t = 0 (08:00 and 17:00 at UTC+1).
const OPENS: u32 = 420;
const CLOSES: u32 = 960;
/// The first minute whose 5-minute masked rates are not 0: its window `[t - 5m, t]` holds only
/// open minutes.
const FIRST_COUNTED: u32 = OPENS + 5;
/// The last one: its window holds the mask samples of minutes 955 to 959, all open; from 961 on
/// the window holds minute 960, closed.
const LAST_COUNTED: u32 = CLOSES;

/// A steady 2% of errors all day, burning the 0.1% budget 20 times too fast.
///
/// - Before 425 every masked rate is 0, every ratio without a value: nothing fires, not even at 424, when
///   the errors have been there for 4 minutes of open time.
/// - From 425 every ratio is 2%: above 14.4 × 0.1% (1h & 5m), 6 × (6h & 30m), 3 × (1d & 2h) and
///   1 × (3d & 6h), so page and ticket; the 30d ratio is 20 times the budget, so every
///   escalation level fires.
/// - After closing, the ratios keep the open minutes' 2% as long as their window holds one of
///   the masked rates of 425..960 (closed minutes add nothing to either sum), and have no value
///   after that: the fast page's 5m ratio has none from 961, but the slow page's 30m window
///   holds 960 until 990 (960 + 30), so the page goes on to 990; the ticket's 6h window holds it
///   until 1320 (960 + 360). The 30d ratio, and with it every escalation level, stays.
/// - `slac:sli_error:ratio_rate5m` is exactly 0.02 at noon; at night it has no sample at all.
#[test]
fn errors_in_open_hours_alert_once_the_rates_hold_only_open_time() {
    let page_and_ticket = [burn("page"), burn("ticket")];
    let case = Case::new("2% errors all day", &[steady(1330, 2, 100)])
        .silent(300)
        .silent(OPENS - 1)
        .silent(OPENS)
        .silent(FIRST_COUNTED - 1)
        .alerts(FIRST_COUNTED, "SlacErrorBudgetBurn", &page_and_ticket)
        .alerts(FIRST_COUNTED, "SlacEscalation", &every_escalation())
        .alerts(600, "SlacErrorBudgetBurn", &page_and_ticket)
        .alerts(600, "SlacEscalation", &every_escalation())
        .alerts(LAST_COUNTED, "SlacErrorBudgetBurn", &page_and_ticket)
        .alerts(CLOSES, "SlacErrorBudgetBurn", &page_and_ticket)
        .alerts(LAST_COUNTED + 30, "SlacErrorBudgetBurn", &page_and_ticket)
        .alerts(LAST_COUNTED + 31, "SlacErrorBudgetBurn", &[burn("ticket")])
        .alerts(LAST_COUNTED + 360, "SlacErrorBudgetBurn", &[burn("ticket")])
        .alerts(LAST_COUNTED + 361, "SlacErrorBudgetBurn", &[])
        .alerts(LAST_COUNTED + 361, "SlacEscalation", &every_escalation())
        // The 5m window at noon (minute 660) holds the samples of 655..660: 600 errors and
        // 30,000 requests over 300 s, rates of exactly 2/s and 100/s.
        .ratio(660, "5m", "0.02")
        .ratio(660, "1h", "0.02")
        .ratio(660, "30d", "0.02")
        .ratio(CLOSES + 10, "30m", "0.02")
        // At night, no sample: neither before opening nor after closing.
        .expr(300, &ratio_series("5m"), &[])
        .expr(CLOSES + 1, &ratio_series("5m"), &[])
        .expr(300, &ratio_series("1h"), &[]);
    assert_alert_cases("open_hours_errors.test.yml", &[case]);
}

/// Errors only while the office is closed: 2% at night until opening, none during the day,
/// 50% after closing. The 5-minute rates of 425..960 hold only the increases of minutes 421 to
/// 960, all without errors; the increase of minute 420 (the errors of 06:59 to 07:00 UTC,
/// before opening) is in no masked rate. So every ratio that has a value is 0, and nothing
/// fires at any time, however bad the night.
#[test]
fn errors_outside_open_hours_burn_no_budget() {
    let mut case = Case::new(
        "2% at night, none in the day, 50% in the evening",
        &[
            steady(OPENS, 2, 100),
            steady(CLOSES - OPENS, 0, 100),
            steady(1200 - CLOSES, 50, 100),
        ],
    );
    for minute in [
        300, 419, 420, 421, 424, 425, 430, 600, 959, 960, 965, 1100, 1199,
    ] {
        case = case.silent(minute);
    }
    let case = case
        .ratio(600, "5m", "0")
        .ratio(1000, "1h", "0")
        .ratio(1199, "6h", "0")
        .ratio(1199, "30d", "0");
    assert_alert_cases("closed_hours_errors.test.yml", &[case]);
}

/// No errors at all: silent all day, every ratio 0 once it has open minutes.
#[test]
fn no_errors_in_open_hours_alerts_nobody() {
    let mut case = Case::new("no errors", &[steady(1000, 0, 100)]);
    for minute in [425, 600, 959, 960, 990] {
        case = case.silent(minute);
    }
    let case = case.ratio(600, "5m", "0").ratio(990, "30d", "0");
    assert_alert_cases("no_errors.test.yml", &[case]);
}

/// A steady 0.5% of errors burns the budget 5 times too fast: above the ticket factors (3 on
/// 1d & 2h, 1 on 3d & 6h), below the page factors (14.4 on 1h & 5m, 6 on 6h & 30m). The
/// ticket fires at the first counted minute, 425, when every window holds that one open
/// sample at 0.5%; the 30d ratio, 5 times the budget, fires every escalation level.
#[test]
fn half_a_percent_in_open_hours_opens_a_ticket_only() {
    let case = Case::new("0.5% errors all day", &[steady(700, 1, 200)])
        .silent(FIRST_COUNTED - 1)
        .alerts(FIRST_COUNTED, "SlacErrorBudgetBurn", &[burn("ticket")])
        .alerts(600, "SlacErrorBudgetBurn", &[burn("ticket")])
        .alerts(600, "SlacEscalation", &every_escalation())
        .ratio(600, "5m", "0.005");
    assert_alert_cases("half_percent.test.yml", &[case]);
}

/// After a night at 50% of errors and a clean morning, 2% of errors start at noon UTC (minute
/// 720; x minutes later at 720 + x): how long until each alert fires. Only the masked rates of
/// open minutes weigh in the windows, so the night's errors neither fire an alert at opening nor
/// hasten one later, and the night's requests do not dilute the long windows.
///
/// The masked error rate at 720 + k is 2/s × min(k, 5)/5 (its window holds min(k, 5) minutes
/// of errors), so the error rates of the x minutes since noon sum to 2x - 4 (x ≥ 5), and every
/// event rate is 100/s from 425 on. A window W at 720 + x holds the event rates of its open
/// minutes: 61 for 1h, 121 for 2h, and all 296 + x since 425 for 6h, 1d, 3d and 30d.
///
/// - Ticket, 3d & 6h above 0.1%: (2x - 4)/(100(296 + x)) > 0.001 from x > 17.7 (1d & 2h come
///   later: 1d needs 0.3%, x > 54.6). Nothing at 730, a ticket at 745.
/// - Page, 1h & 5m above 1.44%: (2x - 4)/6,100 > 0.0144 from x > 45.9 (6h & 30m would need
///   (2x - 4)/(100(296 + x)) > 0.006, x > 92). A ticket only at 760, a page at 775.
/// - Escalation: the 30d ratio is the 6h one here: 0.05% from x > 9.6, 0.075% from x > 13.6,
///   0.1% from x > 17.7. None at 725, all three at 745.
///
/// Were the night's 50% counted, every window would be far above every factor at 425. The
/// checks stay a few minutes away from each crossing (probed minute by minute with promtool
/// 2.42: the ticket fires from 738, the page from 766, the escalation levels from 730, 734 and
/// 738, as computed).
#[test]
fn errors_at_noon_are_judged_on_open_time_alone() {
    let case = Case::new(
        "50% at night, no errors in the morning, 2% from noon",
        &[
            steady(OPENS, 50, 100),
            steady(720 - OPENS, 0, 100),
            steady(60, 2, 100),
        ],
    )
    .silent(FIRST_COUNTED)
    .silent(600)
    .silent(720)
    .silent(725)
    .alerts(730, "SlacErrorBudgetBurn", &[])
    .alerts(745, "SlacErrorBudgetBurn", &[burn("ticket")])
    .alerts(745, "SlacEscalation", &every_escalation())
    .alerts(760, "SlacErrorBudgetBurn", &[burn("ticket")])
    .alerts(775, "SlacErrorBudgetBurn", &[burn("page"), burn("ticket")])
    // The 5m window at 725 holds only minutes at 2% since noon.
    .ratio(725, "5m", "0.02")
    .ratio(720, "6h", "0");
    assert_alert_cases("noon_errors.test.yml", &[case]);
}
