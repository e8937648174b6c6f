//! `slac build --target grafana`: the dashboards of the bundled examples, as a user importing them
//! would find them, and every panel query run by a real Prometheus that has loaded the rules of
//! `--target prometheus`.
//!
//! - Structure: one dashboard per agreement with objectives; each parses; the `datasource`
//!   variable exists and every panel and query uses it; panel ids are unique and no two panels
//!   overlap; uids are valid and unique; each ratio or latency objective has its SLI, budget and
//!   burn-rate panels (and the calendar mask on a business calendar), each ticket objective a text
//!   panel with its deadlines.
//! - Determinism: two builds give the same bytes.
//! - Prometheus: every query runs as an instant and as a range query without error or warning;
//!   every recording rule a query reads exists in the generated rule files with the query's
//!   labels; and once Prometheus has evaluated the rules over a synthetic feed of the examples'
//!   metrics, every query returns data, so no panel stays empty because of a wrong name or label.
//!
//! The Prometheus test needs the `prometheus` server. Without it, it fails (it is not skipped):
//! run `scripts/install-test-tools`.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::NaiveDate;
use serde_json::{json, Value};
use slac_model::model::{Agreement, Objective, ALWAYS};
use support::prometheus::{require_prometheus, url_encode, Prometheus};
use support::{slac, TODAY};
use tempfile::TempDir;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// `slac build examples --target TARGETS --out DIR`.
fn build(out: &Path, targets: &str) {
    let examples = examples();
    slac(
        &examples,
        &[
            "build",
            examples.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--target",
            targets,
        ],
    )
    .assert_code(0);
}

fn model() -> slac_model::Model {
    let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
    let workspace = slac_model::load(&examples(), &slac_model::Options { today })
        .unwrap_or_else(|error| panic!("cannot load the examples: {error:?}"));
    assert!(!workspace.has_errors(), "{:?}", workspace.diagnostics);
    workspace.model
}

/// The dashboards written under `out/grafana`, by file name, parsed.
fn dashboards(out: &Path) -> BTreeMap<String, Value> {
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(out.join("grafana")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = fs::read_to_string(&path).unwrap();
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()));
        found.insert(name, value);
    }
    found
}

fn panels(dashboard: &Value) -> &Vec<Value> {
    dashboard["panels"].as_array().unwrap()
}

/// The panels of each objective: those after its row, up to the next row.
fn sections(dashboard: &Value) -> Vec<(String, Vec<&Value>)> {
    let mut sections: Vec<(String, Vec<&Value>)> = Vec::new();
    for panel in panels(dashboard) {
        if panel["type"] == "row" {
            sections.push((panel["title"].as_str().unwrap().to_string(), Vec::new()));
        } else {
            sections
                .last_mut()
                .unwrap_or_else(|| panic!("a panel before the first row: {panel}"))
                .1
                .push(panel);
        }
    }
    sections
}

fn exprs(panel: &Value) -> Vec<&str> {
    panel["targets"]
        .as_array()
        .map(|targets| {
            targets
                .iter()
                .map(|t| t["expr"].as_str().unwrap())
                .collect()
        })
        .unwrap_or_default()
}

fn number(value: f64) -> String {
    let text = format!("{value:.12}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn title(objective: &Objective) -> String {
    objective
        .title
        .clone()
        .unwrap_or_else(|| objective.id.clone())
}

fn has_budget(objective: &Objective) -> bool {
    objective.sli.is_monitoring() && objective.target < 100.0
}

#[test]
fn the_examples_give_one_importable_dashboard_per_agreement() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    build(&out, "grafana");
    let model = model();
    let dashboards = dashboards(&out);

    let expected: BTreeSet<String> = model
        .agreements
        .values()
        .filter(|a| !a.objectives.is_empty())
        .map(|a| format!("{}.json", a.id))
        .collect();
    assert_eq!(
        dashboards.keys().cloned().collect::<BTreeSet<_>>(),
        expected
    );

    let datasource = json!({ "type": "prometheus", "uid": "${datasource}" });
    let mut uids = BTreeSet::new();
    for (file, dashboard) in &dashboards {
        let agreement = &model.agreements[file.trim_end_matches(".json")];
        let at = |what: &str| format!("{file}: {what}");

        // Identity.
        let uid = dashboard["uid"].as_str().unwrap();
        assert!(
            !uid.is_empty()
                && uid.len() <= 40
                && uid
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{}",
            at(&format!("invalid uid {uid:?}"))
        );
        assert!(uids.insert(uid.to_string()), "{}", at("uid used twice"));
        assert_eq!(
            dashboard["title"].as_str(),
            Some(agreement.title.as_deref().unwrap_or(&agreement.id)),
            "{}",
            at("title")
        );
        let kind = serde_json::to_value(agreement.kind).unwrap();
        assert_eq!(dashboard["tags"], json!(["slac", kind]), "{}", at("tags"));
        let schema = dashboard["schemaVersion"].as_u64().unwrap();
        assert!((36..=41).contains(&schema), "{}", at("schemaVersion"));
        assert!(
            dashboard["time"]["from"]
                .as_str()
                .unwrap()
                .starts_with("now-"),
            "{}",
            at("time")
        );

        // The data-source variable.
        let variables = dashboard["templating"]["list"].as_array().unwrap();
        let variable = variables
            .iter()
            .find(|v| v["name"] == "datasource")
            .unwrap_or_else(|| panic!("{}", at("no `datasource` variable")));
        assert_eq!(variable["type"], "datasource", "{}", at("variable type"));
        assert_eq!(variable["query"], "prometheus", "{}", at("variable query"));

        // Panels: data source, ids, layout.
        let mut ids = BTreeSet::new();
        let mut boxes: Vec<(u64, u64, u64, u64, &str)> = Vec::new();
        for panel in panels(dashboard) {
            let name = panel["title"].as_str().unwrap();
            assert!(!name.is_empty(), "{}", at("a panel without title"));
            assert_eq!(
                panel["datasource"],
                datasource,
                "{}",
                at(&format!("data source of `{name}`"))
            );
            for target in panel["targets"].as_array().into_iter().flatten() {
                assert_eq!(
                    target["datasource"],
                    datasource,
                    "{}",
                    at(&format!("data source of a query of `{name}`"))
                );
            }
            let id = panel["id"].as_u64().unwrap();
            assert!(ids.insert(id), "{}", at(&format!("panel id {id} twice")));
            let grid = &panel["gridPos"];
            let [x, y, w, h] = ["x", "y", "w", "h"].map(|k| grid[k].as_u64().unwrap());
            assert!(w > 0 && h > 0 && x + w <= 24, "{}", at(&format!("{grid}")));
            for &(x2, y2, w2, h2, other) in &boxes {
                let apart = x + w <= x2 || x2 + w2 <= x || y + h <= y2 || y2 + h2 <= y;
                assert!(apart, "{}", at(&format!("`{name}` overlaps `{other}`")));
            }
            boxes.push((x, y, w, h, name));
        }

        // One row per objective, in order, with the panels its kind calls for.
        let sections = sections(dashboard);
        assert_eq!(
            sections.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
            agreement.objectives.iter().map(title).collect::<Vec<_>>(),
            "{}",
            at("rows")
        );
        for (objective, (_, section)) in agreement.objectives.iter().zip(&sections) {
            check_objective(file, agreement, objective, section);
        }
    }
}

fn check_objective(file: &str, agreement: &Agreement, objective: &Objective, section: &[&Value]) {
    let at = format!("{file}: objective `{}`", objective.id);
    let target = number(objective.target);
    if !has_budget(objective) {
        assert_eq!(section.len(), 1, "{at}: one text panel");
        let panel = section[0];
        assert_eq!(panel["type"], "text", "{at}");
        assert_eq!(panel["options"]["mode"], "markdown", "{at}");
        let content = panel["options"]["content"].as_str().unwrap();
        assert!(content.contains(&format!("{target}%")), "{at}: {content}");
        if objective.sli.is_ticket() {
            assert!(!objective.within.is_empty(), "{at}");
            for case in &objective.within {
                assert!(
                    content.contains(&format!("| {} ", case.duration)),
                    "{at}: no deadline {} in\n{content}",
                    case.duration
                );
                for condition in &case.conditions {
                    assert!(
                        content.contains(&format!("{} = {}", condition.attribute, condition.value)),
                        "{at}: no condition {condition:?} in\n{content}"
                    );
                }
            }
            if objective.within.iter().any(|c| c.is_default()) {
                assert!(content.contains("(default)"), "{at}: {content}");
            }
        }
        if objective.sli.is_monitoring() {
            assert!(content.contains("no error budget"), "{at}: {content}");
        }
        return;
    }

    let labels = format!(
        "{{agreement=\"{}\",objective=\"{}\"}}",
        agreement.id, objective.id
    );
    let budget = number((100.0 - objective.target) / 100.0);
    let find = |what: &str, test: &dyn Fn(&Value) -> bool| -> &Value {
        section
            .iter()
            .copied()
            .find(|p| test(p))
            .unwrap_or_else(|| panic!("{at}: no {what} panel in {section:#?}"))
    };

    let sli = find("SLI", &|p| {
        let e = exprs(p);
        p["type"] == "timeseries"
            && e.len() == 2
            && e[0].starts_with("1 - slac:sli_error:ratio_rate")
            && e[0].ends_with(&labels)
            && e[1] == format!("vector({})", number(objective.target / 100.0))
    });
    assert_eq!(
        sli["fieldConfig"]["defaults"]["unit"], "percentunit",
        "{at}"
    );

    let left = find("budget", &|p| {
        let e = exprs(p);
        e.len() == 1
            && e[0].starts_with("1 - slac:sli_error:ratio_rate")
            && e[0].ends_with(&format!("{labels} / {budget}"))
    });
    assert!(
        matches!(left["type"].as_str(), Some("stat" | "gauge")),
        "{at}"
    );
    assert_eq!(
        left["fieldConfig"]["defaults"]["unit"], "percentunit",
        "{at}"
    );
    let red = &left["fieldConfig"]["defaults"]["thresholds"]["steps"];
    assert_eq!(red[0]["color"], "red", "{at}: red below 0: {red}");
    assert_eq!(red[1]["value"], 0.0, "{at}: red below 0: {red}");
    if objective.calendar == ALWAYS {
        let description = left["description"].as_str().unwrap();
        assert!(
            description.contains(" of complete outage"),
            "{at}: {description}"
        );
    }

    let burn = find("burn-rate", &|p| {
        let e = exprs(p);
        e.len() >= 4
            && e.iter().all(|e| {
                e.starts_with("slac:sli_error:ratio_rate")
                    && e.ends_with(&format!("{labels} / {budget}"))
            })
    });
    let steps: Vec<f64> = burn["fieldConfig"]["defaults"]["thresholds"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["value"].as_f64())
        .collect();
    for factor in [1.0, 3.0, 6.0, 14.4] {
        assert!(
            steps.contains(&factor),
            "{at}: no threshold at {factor}: {steps:?}"
        );
    }
    // The SLI and budget read the objective window; the burn rates read shorter ones.
    let objective_window = exprs(sli)[0]
        .trim_start_matches("1 - ")
        .trim_end_matches(&labels)
        .to_string();
    assert!(
        exprs(left)[0].contains(&format!("{objective_window}{{")),
        "{at}"
    );
    assert!(
        !exprs(burn)
            .iter()
            .any(|e| e.starts_with(&format!("{objective_window}{{"))),
        "{at}"
    );

    let mask = format!(
        "slac:calendar_open{{calendar=\"{}\",agreement=\"{}\"}}",
        objective.calendar, agreement.id
    );
    let has_mask = section.iter().any(|p| exprs(p).contains(&mask.as_str()));
    assert_eq!(
        has_mask,
        objective.calendar != ALWAYS,
        "{at}: calendar panel"
    );
}

#[test]
fn two_builds_give_the_same_bytes() {
    let dir = TempDir::new().unwrap();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    build(&first, "grafana");
    build(&second, "grafana");
    let read = |out: &Path| -> BTreeMap<String, Vec<u8>> {
        fs::read_dir(out.join("grafana"))
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_str().unwrap().to_string();
                (name, fs::read(&path).unwrap())
            })
            .collect()
    };
    let files = read(&first);
    assert!(!files.is_empty());
    assert_eq!(files, read(&second));
}

// ---------------------------------------------------------------------------------------------
// Against Prometheus.

/// Counters of the metrics the examples' indicators read, recorded from `time()` so that they grow
/// every second: 1% of server errors, 2% of slow checkouts, 0.5% of failed logins.
const FEED: &str = r#"groups:
- name: feed
  interval: 1s
  rules:
  - record: http_requests_total
    expr: vector(time() * 99)
    labels: { job: api, code: "200" }
  - record: http_requests_total
    expr: vector(time() * 1)
    labels: { job: api, code: "500" }
  - record: http_request_duration_seconds_bucket
    expr: vector(time() * 98)
    labels: { job: api, route: /checkout, le: "0.3" }
  - record: http_request_duration_seconds_bucket
    expr: vector(time() * 100)
    labels: { job: api, route: /checkout, le: "+Inf" }
  - record: http_request_duration_seconds_count
    expr: vector(time() * 100)
    labels: { job: api, route: /checkout }
  - record: auth_login_total
    expr: vector(time() * 199)
    labels: { job: api, outcome: success }
  - record: auth_login_total
    expr: vector(time() * 1)
    labels: { job: api, outcome: failure }
"#;

/// How long the rules may take to give every panel its first samples.
const DATA_WAIT: Duration = Duration::from_secs(45);

/// A query as Grafana sends it: its variables replaced by what Grafana would put there.
fn concrete(expr: &str, range: &str) -> String {
    let expr = expr
        .replace("$__rate_interval", "1m")
        .replace("${__rate_interval}", "1m")
        .replace("$__interval", "15s")
        .replace("${__interval}", "15s")
        .replace("$__range", range)
        .replace("${__range}", range);
    assert!(
        !expr.contains("$__") && !expr.contains("${"),
        "a Grafana variable left in `{expr}`"
    );
    expr
}

/// A recording rule: its name and its labels.
#[derive(Debug)]
struct Record {
    name: String,
    labels: BTreeMap<String, String>,
}

fn records(out: &Path) -> Vec<Record> {
    let mut found = Vec::new();
    for entry in fs::read_dir(out.join("prometheus")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let document: Value = serde_norway::from_str(&text)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        for group in document["groups"].as_array().unwrap() {
            for rule in group["rules"].as_array().unwrap() {
                let Some(name) = rule["record"].as_str() else {
                    continue;
                };
                let labels = rule["labels"]
                    .as_object()
                    .map(|labels| {
                        labels
                            .iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                found.push(Record {
                    name: name.to_string(),
                    labels,
                });
            }
        }
    }
    found
}

/// The `slac:` series a query reads, with their `label="value"` matchers.
fn selectors(expr: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut found = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("slac:") {
        let after = &rest[at..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(after.len());
        let name = after[..end].to_string();
        let mut matchers = BTreeMap::new();
        rest = &after[end..];
        if let Some(inner) = rest.strip_prefix('{') {
            let close = inner.find('}').unwrap();
            for matcher in inner[..close].split(',').filter(|m| !m.is_empty()) {
                let (label, value) = matcher
                    .split_once('=')
                    .unwrap_or_else(|| panic!("matcher `{matcher}` in `{expr}`"));
                assert!(
                    !value.starts_with('~') && !label.ends_with('!'),
                    "only equality matchers on recording rules: `{expr}`"
                );
                let value: String = serde_json::from_str(value).unwrap();
                matchers.insert(label.to_string(), value);
            }
            rest = &inner[close + 1..];
        }
        found.push((name, matchers));
    }
    found
}

fn seconds(from: &str) -> u64 {
    let text = from.trim_start_matches("now-");
    let (count, unit) = text.split_at(text.len() - 1);
    let count: u64 = count.parse().unwrap();
    count
        * match unit {
            "d" => 86_400,
            "h" => 3_600,
            "m" => 60,
            "s" => 1,
            _ => panic!("time range {from}"),
        }
}

/// A successful answer without warnings (`warnings` and `infos` of Prometheus 2 and 3).
fn check_answer(what: &str, answer: Result<Value, String>) -> Value {
    let answer = answer.unwrap_or_else(|error| panic!("{what}: {error}"));
    for key in ["warnings", "infos"] {
        let empty = answer
            .get(key)
            .is_none_or(|v| v.as_array().is_some_and(Vec::is_empty));
        assert!(empty, "{what}: {key}: {}", answer[key]);
    }
    answer["data"].clone()
}

#[test]
fn every_panel_query_runs_on_prometheus_and_reads_existing_rules() {
    require_prometheus();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    build(&out, "prometheus,grafana");

    let mut rule_files: Vec<PathBuf> = fs::read_dir(out.join("prometheus"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    rule_files.sort();
    assert!(!rule_files.is_empty());
    let records = records(&out);
    let feed = dir.path().join("feed.yml");
    fs::write(&feed, FEED).unwrap();
    rule_files.push(feed);

    // Every query of every panel, with the dashboard's time range.
    let mut queries: Vec<(String, String, u64)> = Vec::new();
    for (file, dashboard) in dashboards(&out) {
        let range = seconds(dashboard["time"]["from"].as_str().unwrap());
        for panel in panels(&dashboard) {
            for expr in exprs(panel) {
                let what = format!("{file}, panel `{}`: `{expr}`", panel["title"]);
                queries.push((what, concrete(expr, &format!("{range}s")), range));
            }
        }
    }
    assert!(queries.len() > 20, "{} queries", queries.len());

    // Recording rules named by the queries exist, with the queries' labels.
    for (what, expr, _) in &queries {
        for (name, matchers) in selectors(expr) {
            let exists = records.iter().any(|r| {
                r.name == name
                    && matchers
                        .iter()
                        .all(|(label, value)| r.labels.get(label) == Some(value))
            });
            assert!(
                exists,
                "{what}: no recording rule `{name}` with labels {matchers:?} in the generated rule files"
            );
        }
    }

    let prometheus = Prometheus::start(dir.path(), &rule_files);

    // Each query, instant and over the dashboard's range with Grafana's step (range / ~1000).
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for (what, expr, range) in &queries {
        check_answer(
            what,
            prometheus.answer(&format!(
                "/api/v1/query?query={}&time={now}",
                url_encode(expr)
            )),
        );
        let step = (range / 1000).max(15);
        check_answer(
            what,
            prometheus.answer(&format!(
                "/api/v1/query_range?query={}&start={}&end={now}&step={step}",
                url_encode(expr),
                now - range
            )),
        );
    }

    // Once the rules have run on the feed, every query has data, and every rule is healthy —
    // but those of an objective counted in business hours while its calendar is closed (the
    // test runs at any hour): Prometheus has seen no open-hours event since it started, so they
    // must have none (the calendar engine says when the calendar is open).
    let model = model();
    let closed_now = |expr: &str| {
        let label = |name: &str| {
            let start = expr.find(&format!("{name}=\""))? + name.len() + 2;
            Some(&expr[start..start + expr[start..].find('"')?])
        };
        let (Some(agreement), Some(objective)) = (label("agreement"), label("objective")) else {
            return false;
        };
        let Some(o) = model.agreements[agreement]
            .objectives
            .iter()
            .find(|o| o.id == objective)
        else {
            return false;
        };
        o.calendar != ALWAYS
            && !model
                .engine(&o.calendar)
                .unwrap()
                .is_open(chrono::Utc::now())
    };
    let started = Instant::now();
    let masked = loop {
        let mut wrong = Vec::new();
        let mut masked = 0;
        for (what, expr, _) in &queries {
            let data = check_answer(
                what,
                prometheus.answer(&format!("/api/v1/query?query={}", url_encode(expr))),
            );
            let empty = data["result"].as_array().is_none_or(Vec::is_empty);
            let closed = closed_now(expr);
            masked += usize::from(closed);
            if empty != closed {
                let expected = if closed {
                    "none (calendar closed)"
                } else {
                    "data"
                };
                wrong.push(format!("{what}: expected {expected}"));
            }
        }
        if wrong.is_empty() {
            break masked;
        }
        assert!(
            started.elapsed() < DATA_WAIT,
            "after {DATA_WAIT:?}, {} queries have not the data expected (extend FEED if an example reads a new metric):\n{}\n{}",
            wrong.len(),
            wrong.join("\n"),
            prometheus.log_tail()
        );
        thread::sleep(Duration::from_millis(500));
    };
    eprintln!(
        "{} queries answered, {masked} of them empty as their calendar is closed now",
        queries.len()
    );
    let rules = prometheus.api("/api/v1/rules").unwrap();
    for group in rules["groups"].as_array().unwrap() {
        for rule in group["rules"].as_array().unwrap() {
            assert_ne!(
                rule["health"], "err",
                "rule `{}` of group `{}`: {}",
                rule["name"], group["name"], rule["lastError"]
            );
        }
    }
    // The burn rate of the examples' availability objective reads the feed's 1% of errors as 10.
    let burn = prometheus
        .api(&format!(
            "/api/v1/query?query={}",
            url_encode(
                "slac:sli_error:ratio_rate5m{agreement=\"acme_portal_api\",objective=\"api_availability\"} / 0.001"
            )
        ))
        .unwrap();
    let value: f64 = burn["result"][0]["value"][1]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((value - 10.0).abs() < 0.01, "burn rate {value}: {burn}");
}
