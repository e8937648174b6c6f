//! `slac build --target prometheus` judged by Prometheus's own tool, `promtool`.
//!
//! It proves that every rule file `slac build` writes, for the bundled examples and for a
//! workspace that goes through every kind of monitoring indicator, passes `promtool check rules`
//! (lint errors included); and, with `promtool test rules` unit tests generated here, that the
//! rules of a ratio objective (target 99.9% over 30d, so an error budget of 0.1% of the requests)
//! do what the agreement means:
//!
//! - the recording rules `slac:sli_error:ratio_rate<W>` hold the error ratio that was injected;
//! - a steady 2% of errors (burning the budget 20 times too fast) pages, a steady 0.5% (5 times)
//!   opens a ticket and does not page, no error alerts nobody;
//! - after a clean start, errors are detected when the multi-window arithmetic says they should;
//! - the escalation levels of the agreement's policy fire at 50%, 75% and 100% of the budget.
//!
//! Every alert check lists all the alerts of its name that fire, with their exact labels and
//! annotations (promtool compares both): an alert that fires when it should not fails the test.
//!
//! How promtool evaluates, which every expected time below depends on: samples are written every
//! minute from t = 0 (`interval: 1m`), the rules are evaluated every minute from t = 0
//! (`evaluation_interval: 1m`), the groups in file order (set with `group_eval_order`: promtool
//! has no set order without it), so the alerts at time t read the
//! recording rules of time t. `rate(x[W])` at time t reads the samples of `[t - W, t]`
//! (`(t - W, t]` from Prometheus 3 on); while t < W, only the samples since 0 exist, and since
//! both counters start at 0 the ratio of two such rates is still the ratio of the increases
//! since 0. No alert rule has a `for`, so an alert fires at the first evaluation where its
//! expression holds. Expected times stay a few minutes away from each threshold crossing, so
//! that neither range rule nor `rate()`'s extrapolation at the edges of a window can move them.
//!
//! These tests need promtool. Without it they fail (they are not skipped): run
//! `scripts/install-test-tools`.

mod support;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use support::promtool::{counter, output_text, promtool, quoted, steady, Alert, Objective, Phase};
use support::slac;
use tempfile::TempDir;

const AGREEMENT: &str = "api_sla";
const OBJECTIVE: &str = "availability";
const TITLE: &str = "API availability";
/// 0.1% of 30 days: 2,592 s.
const BUDGET: &str = "43m12s over 30d";

/// The workspace under test. `api_sla.availability` is the objective the unit tests drive;
/// `coverage_sla` exercises the other indicator forms and windows for `promtool check rules`:
/// `good` events, a latency histogram, a week, a month and a 4-week window, an objective's own
/// escalation policy, a target with more decimals, and a business-calendar objective (skipped by
/// the build for now).
const WORKSPACE: &str = r#"party platform {
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

escalation api_burn {
  level 1 at 50% notify platform.oncall
  level 2 at 75% notify platform.lead
  level 3 at breach notify platform.lead, acme.account_manager
}

escalation quiet {
  level 1 at breach notify platform
}

agreement api_sla {
  title "Public API"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider platform
  customer acme
  escalation api_burn

  objective availability {
    title "API availability"
    sli ratio {
      errors """sum(rate(http_requests_total{job="api",code=~"5.."}[$window]))"""
      total """sum(rate(http_requests_total{job="api"}[$window]))"""
    }
    target 99.9%
    window 30d
  }
}

agreement coverage_sla {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider platform
  customer acme
  escalation api_burn

  objective logins {
    sli ratio {
      good """
        sum(rate(auth_login_total{job="api",outcome="success"}[$window]))
      """
      total """
        sum(rate(auth_login_total{job="api"}[$window]))
      """
    }
    target 99.5%
    window week
  }

  objective checkout_latency {
    sli latency {
      histogram """http_request_duration_seconds_bucket{job="api",route="/checkout"}"""
      threshold 300ms
    }
    target 99%
    window month
    escalation quiet
  }

  objective search_latency {
    sli latency {
      histogram "search_duration_seconds_bucket"
      threshold 1s
    }
    target 99.95%
    window 4w
  }

  objective office_hours_latency {
    sli latency {
      histogram "office_duration_seconds_bucket"
      threshold 2500ms
    }
    target 95%
    window month
    calendar office
  }
}
"#;

/// A workspace built into `out/`, and the rule file of `api_sla`.
struct Built {
    dir: TempDir,
    rules: PathBuf,
}

fn build_workspace() -> Built {
    let dir = TempDir::new().expect("a temporary folder");
    fs::write(dir.path().join("slac.toml"), "[workspace]\n").expect("slac.toml written");
    fs::write(dir.path().join("api.sla"), WORKSPACE).expect("api.sla written");
    slac(
        dir.path(),
        &["build", ".", "--out", "out", "--target", "prometheus"],
    )
    .assert_code(0);
    let rules = dir.path().join("out/prometheus/api_sla.yml");
    assert!(rules.is_file(), "`slac build` wrote no {}", rules.display());
    Built { dir, rules }
}

/// `promtool check rules`, with lint problems (duplicate rules) as errors.
fn assert_rules_check(file: &Path) {
    let path = file.to_str().expect("a UTF-8 path");
    let output = promtool(&["check", "rules", "--lint=all", "--lint-fatal", path]);
    assert!(
        output.status.success(),
        "`promtool check rules {path}` failed:\n{}\n--- {path}\n{}",
        output_text(&output),
        fs::read_to_string(file).unwrap_or_default()
    );
}

/// The `.yml` files that `slac build` wrote below `out/prometheus`.
fn rule_files(out: &Path) -> Vec<PathBuf> {
    let folder = out.join("prometheus");
    let mut files: Vec<PathBuf> = fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yml"))
        .collect();
    files.sort();
    files
}

// ---------------------------------------------------------------------------------------------
// promtool unit tests, written as YAML by the test.

/// The objective the unit tests drive.
const SUBJECT: Objective = Objective {
    agreement: AGREEMENT,
    objective: OBJECTIVE,
    title: TITLE,
    budget: BUDGET,
    policy: "api_burn",
};

fn burn(severity: &str) -> Alert {
    SUBJECT.burn(severity)
}

fn escalation(level: u32) -> Alert {
    SUBJECT.escalation(level)
}

/// The series of a recording rule of the objective, as promtool prints it.
fn ratio_series(window: &str) -> String {
    format!(
        "slac:sli_error:ratio_rate{window}{{agreement=\"{AGREEMENT}\",objective=\"{OBJECTIVE}\"}}"
    )
}

/// One `promtool test rules` test: input traffic, then checks at given times.
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

    /// At `eval_time`, exactly `alerts` of `alertname` fire (none when empty).
    fn alerts(mut self, eval_time: &str, alertname: &str, alerts: &[Alert]) -> Case {
        let out = &mut self.alert_checks;
        writeln!(
            out,
            "  - eval_time: {eval_time}\n    alertname: {alertname}"
        )
        .expect("a String");
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

    /// At `eval_time`, the recording rule of `window` is exactly `value`.
    fn ratio(mut self, eval_time: &str, window: &str, value: &str) -> Case {
        let series = ratio_series(window);
        let out = &mut self.expr_checks;
        writeln!(
            out,
            "  - eval_time: {eval_time}\n    expr: {}\n    exp_samples:\n    - labels: {}\n      value: {value}",
            quoted(&series),
            quoted(&series)
        )
        .expect("a String");
        self
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

/// Writes the cases into one promtool test file beside the rules and runs it.
fn assert_unit_tests(built: &Built, file_name: &str, cases: &[Case]) {
    // promtool runs the groups of a file in no set order unless told: the groups in file order
    // (ratios before the alerts that read them).
    let rules = fs::read_to_string(&built.rules).expect("the rule file");
    let order: String = rules
        .lines()
        .filter_map(|line| line.strip_prefix("- name: "))
        .map(|name| format!("- {name}\n"))
        .collect();
    let mut yaml = format!(
        "# Generated by tests/prometheus.rs.\nrule_files:\n- {}\nevaluation_interval: 1m\ngroup_eval_order:\n{order}tests:\n",
        quoted(built.rules.to_str().expect("a UTF-8 path"))
    );
    for case in cases {
        yaml.push_str(&case.yaml());
    }
    let path = built.dir.path().join(file_name);
    fs::write(&path, &yaml).expect("test file written");
    let output = promtool(&["test", "rules", path.to_str().expect("a UTF-8 path")]);
    assert!(
        output.status.success(),
        "`promtool test rules` failed:\n{}\n--- {file_name}\n{yaml}\n--- {}\n{}",
        output_text(&output),
        built.rules.display(),
        fs::read_to_string(&built.rules).unwrap_or_default()
    );
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn rule_files_of_the_examples_pass_promtool_check() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let out = TempDir::new().expect("a temporary folder");
    let examples_arg = examples.to_str().expect("a UTF-8 path");
    let out_arg = out.path().to_str().expect("a UTF-8 path");
    slac(
        out.path(),
        &[
            "build",
            examples_arg,
            "--out",
            out_arg,
            "--target",
            "prometheus",
        ],
    )
    .assert_code(0);
    let files = rule_files(out.path());
    assert!(
        !files.is_empty(),
        "`slac build examples` wrote no rule file"
    );
    for file in &files {
        assert_rules_check(file);
    }
}

#[test]
fn rule_files_of_every_indicator_form_pass_promtool_check() {
    let built = build_workspace();
    let files = rule_files(&built.dir.path().join("out"));
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["api_sla.yml", "coverage_sla.yml"]);
    for file in &files {
        assert_rules_check(file);
    }
}

/// A YAML file as JSON.
fn read_yaml(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).expect("a generated file");
    serde_norway::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not YAML: {error}", path.display()))
}

/// `[prometheus] format = "operator"`: each rule file becomes a Prometheus Operator
/// `PrometheusRule` resource with the same groups, named after the agreement in the configured
/// namespace and labelled for the Operator's `ruleSelector`; its groups pass promtool.
#[test]
fn operator_format_wraps_the_same_groups_in_a_prometheus_rule() {
    let built = build_workspace();
    let operator = TempDir::new().expect("a temporary folder");
    fs::write(
        operator.path().join("slac.toml"),
        "[prometheus]\nformat = \"operator\"\nnamespace = \"monitoring\"\n\
         labels = { release = \"kube-prometheus\", \"team.example.com/owner\" = \"platform\" }\n",
    )
    .expect("slac.toml written");
    fs::write(operator.path().join("api.sla"), WORKSPACE).expect("api.sla written");
    slac(
        operator.path(),
        &["build", ".", "--out", "out", "--target", "prometheus"],
    )
    .assert_code(0);
    for agreement in ["api_sla", "coverage_sla"] {
        let standard = read_yaml(
            &built
                .dir
                .path()
                .join(format!("out/prometheus/{agreement}.yml")),
        );
        let path = operator
            .path()
            .join(format!("out/prometheus/{agreement}.yml"));
        let resource = read_yaml(&path);
        assert_eq!(resource["apiVersion"], "monitoring.coreos.com/v1");
        assert_eq!(resource["kind"], "PrometheusRule");
        assert_eq!(
            resource["metadata"]["name"],
            format!("slac-{}", agreement.replace('_', "-")).as_str()
        );
        assert_eq!(resource["metadata"]["namespace"], "monitoring");
        let labels = &resource["metadata"]["labels"];
        assert_eq!(labels["release"], "kube-prometheus");
        assert_eq!(labels["team.example.com/owner"], "platform");
        assert_eq!(labels["app.kubernetes.io/managed-by"], "slac");
        assert_eq!(
            resource["spec"]["groups"], standard["groups"],
            "{agreement}: the resource holds other groups than the rule file"
        );
        // The groups, taken out of the resource, are a rule file promtool accepts.
        let extracted = operator.path().join(format!("{agreement}.rules.json"));
        fs::write(
            &extracted,
            serde_json::json!({ "groups": resource["spec"]["groups"] }).to_string(),
        )
        .expect("rules written");
        assert_rules_check(&extracted);
    }
}

/// A steady 2% of errors burns a 0.1% budget 20 times too fast: above 14.4, so it pages.
///
/// With the same ratio since t = 0, every window sees 2% as soon as it holds two samples, so the
/// page fires from 1m on (a window holding a single minute of data judges on that minute: a
/// fresh Prometheus, or a new service, pages on its first bad minute). 65m is checked because by
/// then both windows of the fast pair (1h and 5m) are full of samples, so nothing rests on a
/// partial window. At 2%, every other
/// condition holds as well: 6h & 30m above 6× (0.6%), and both ticket pairs, 1d & 2h above 3×
/// (0.3%) and 3d & 6h above 1× (0.1%). So the ticket fires too (one alert per severity: the
/// pairs of a severity are joined with `or`); Alertmanager inhibition is what hides it behind
/// the page. The 30d ratio is 2%, 20 times the budget: every escalation level fires, `at breach`
/// included (see `escalation_levels_fire_at_their_share_of_the_budget` on what that means so early).
#[test]
fn steady_two_percent_of_errors_pages() {
    let built = build_workspace();
    let case = Case::new(
        "2% errors: 2 of 100 requests per second",
        &[steady(70, 2, 100)],
    )
    .alerts("0m", "SlacErrorBudgetBurn", &[]) // one sample: no rate yet
    .alerts("1m", "SlacErrorBudgetBurn", &[burn("page"), burn("ticket")]) // two: 2% everywhere
    .alerts(
        "65m",
        "SlacErrorBudgetBurn",
        &[burn("page"), burn("ticket")],
    )
    .alerts(
        "65m",
        "SlacEscalation",
        &[escalation(1), escalation(2), escalation(3)],
    )
    // The 5m window at 65m holds the samples of 60m..65m: 600 errors and 30,000 requests
    // over 300 s, rates of exactly 2/s and 100/s (see `steady`).
    .ratio("65m", "5m", "0.02");
    assert_unit_tests(&built, "two_percent.test.yml", &[case]);
}

/// No errors: no alert at any time, and every ratio is exactly 0. The 5xx series exists and
/// stays at 0 (a service whose 5xx series does not exist at all records no ratio: an empty
/// `sum` divided by a number is empty, not 0).
#[test]
fn no_errors_alerts_nobody() {
    let built = build_workspace();
    let mut case = Case::new("no errors", &[steady(1450, 0, 100)]);
    for time in ["5m", "65m", "6h5m", "1d10m"] {
        case = case
            .alerts(time, "SlacErrorBudgetBurn", &[])
            .alerts(time, "SlacEscalation", &[]);
    }
    let case = case
        .ratio("65m", "5m", "0")
        .ratio("1d10m", "1d", "0")
        .ratio("1d10m", "30d", "0");
    assert_unit_tests(&built, "no_errors.test.yml", &[case]);
}

/// A steady 0.5% of errors burns the budget 5 times too fast: above the ticket factors (3 on
/// 1d & 2h, 1 on 3d & 6h), below the page factors (14.4 on 1h & 5m, 6 on 6h & 30m).
///
/// Checked at 1d10m, when the 1d window of the first ticket pair is full of samples (1d and 10
/// minutes of them; 1d alone would also do, 10 minutes make the point plain). The 3d window
/// cannot be full within a test of this length: it holds the 1d10m since 0, whose ratio is
/// also 0.5%, so the second pair holds too, and with the first one it makes one ticket alert.
/// The 30d ratio is 0.5%, 5 times the budget: every escalation level fires.
#[test]
fn steady_half_percent_of_errors_opens_a_ticket_only() {
    let built = build_workspace();
    let case = Case::new(
        "0.5% errors: 1 of 200 requests per second",
        &[steady(1450, 1, 200)],
    )
    .alerts("1d10m", "SlacErrorBudgetBurn", &[burn("ticket")])
    .alerts(
        "1d10m",
        "SlacEscalation",
        &[escalation(1), escalation(2), escalation(3)],
    )
    .ratio("1d10m", "5m", "0.005");
    assert_unit_tests(&built, "half_percent.test.yml", &[case]);
}

/// After 6 clean hours, 2% of errors start at 6h (x minutes later at 6h + x): how long until
/// each alert fires. A pair fires when both of its windows average above factor × 0.1%; the
/// clean minutes inside a window dilute the errors.
///
/// - Ticket, 3d & 6h above 0.1%: the 6h window holds x minutes at 2% in 360, x/18,000 > 0.001
///   from x > 18; the 3d window holds all 360 + x minutes since 0, 0.02·x/(360 + x) > 0.001
///   from x > 18.95. So nothing at 6h15m, a ticket at 6h25m. (1d & 2h comes later: the 1d
///   window needs 0.02·x/(360 + x) > 0.003, x > 63.5.)
/// - Page, 1h & 5m above 1.44%: the 5m window is at 2% from x = 5; the 1h window holds x
///   minutes at 2% in 60, x/3,000 > 0.0144 from x > 43.2 (at a burn rate of 20, a factor of
///   14.4 takes 14.4/20 of the 1h window). So still no page at 6h40m, a page at 6h45m. (6h &
///   30m would need x/18,000 > 0.006, x > 108.)
///
/// (Probed minute by minute with promtool 2.42: the ticket fires from 6h19m, the page from
/// 6h44m, as computed.)
#[test]
fn errors_after_a_clean_start_are_detected_in_time() {
    let built = build_workspace();
    let case = Case::new(
        "6h without errors, then 2% errors",
        &[steady(360, 0, 100), steady(60, 2, 100)],
    )
    .alerts("6h", "SlacErrorBudgetBurn", &[])
    .alerts("6h15m", "SlacErrorBudgetBurn", &[])
    .alerts("6h25m", "SlacErrorBudgetBurn", &[burn("ticket")])
    .alerts("6h40m", "SlacErrorBudgetBurn", &[burn("ticket")])
    .alerts(
        "6h45m",
        "SlacErrorBudgetBurn",
        &[burn("page"), burn("ticket")],
    )
    // The 5m window at 6h5m holds only minutes at 2%.
    .ratio("6h5m", "5m", "0.02");
    assert_unit_tests(&built, "detection.test.yml", &[case]);
}

/// Each level of `api_burn` fires once the 30d error ratio reaches its share of the 0.1% budget:
/// level 1 at 0.05%, level 2 at 0.075%, level 3 (`at breach`) at 0.1%. A steady 0.06% of errors
/// (3 of 5,000 requests per second) has used 60% of the budget: level 1 only; 0.08% (4 of
/// 5,000) has used 80%: levels 1 and 2. Neither burns fast enough for a burn alert: a burn rate
/// of 0.6 or 0.8 is below the smallest factor, 1 (3d & 6h).
///
/// Before 30 days of history, the 30d window holds only the samples since 0, and its ratio is
/// the ratio of that span: at 65m, "60% of the budget used" means 60% of the budget's rate, not
/// 60% of the 43m12s allowed over 30 days (see `steady_two_percent_of_errors_pages`).
#[test]
fn escalation_levels_fire_at_their_share_of_the_budget() {
    let built = build_workspace();
    let sixty = Case::new("0.06% errors", &[steady(70, 3, 5_000)])
        .alerts("65m", "SlacEscalation", &[escalation(1)])
        .alerts("65m", "SlacErrorBudgetBurn", &[]);
    let eighty = Case::new("0.08% errors", &[steady(70, 4, 5_000)])
        .alerts("65m", "SlacEscalation", &[escalation(1), escalation(2)])
        .alerts("65m", "SlacErrorBudgetBurn", &[]);
    assert_unit_tests(&built, "escalation.test.yml", &[sixty, eighty]);
}
