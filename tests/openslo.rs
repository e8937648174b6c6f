#![allow(clippy::unwrap_used)]
//! `slac build --target openslo`: every generated document is OpenSLO v1, checked against the
//! OpenSLO JSON schema vendored under `tests/fixtures/openslo/` (see its README for the source and
//! for how inline alert policies are checked), and says what the `.sla` objective says.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use support::slac;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/openslo")
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The OpenSLO v1 schema: the vendored parts, registered under their `$id`s, and the entry point
/// that picks the part of the document's kind.
struct Schema {
    validator: jsonschema::Validator,
    /// The general schema and the part of one kind, without the `oneOf` of the entry point: its
    /// errors name the field at fault.
    kinds: BTreeMap<&'static str, jsonschema::Validator>,
}

impl Schema {
    fn load() -> Schema {
        let read = |path: &Path| -> Value {
            serde_json::from_str(&std::fs::read_to_string(path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let mut parts = Vec::new();
        let folder = fixtures().join("schemas/v1/parts");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let part = read(&path);
            let id = part["$id"].as_str().unwrap().to_string();
            parts.push((id, jsonschema::Resource::from_contents(part)));
        }
        assert!(parts.len() >= 12, "the vendored schema parts are missing");
        let registry = jsonschema::Registry::new()
            .extend(parts)
            .unwrap()
            .prepare()
            .unwrap();
        let entry = read(&fixtures().join("openslo-v1.schema.json"));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .with_registry(&registry)
            .build(&entry)
            .unwrap();
        let mut kinds = BTreeMap::new();
        for (kind, part) in [
            ("AlertCondition", "alertcondition"),
            ("AlertNotificationTarget", "alertnotificationtarget"),
            ("AlertPolicy", "alertpolicy"),
            ("DataSource", "datasource"),
            ("Service", "service"),
            ("SLI", "sli"),
            ("SLO", "slo"),
        ] {
            let schema = serde_json::json!({
                "allOf": [
                    {"$ref": "https://openslo.com/schemas/v1/parts/general.schema.json"},
                    {"$ref": format!("https://openslo.com/schemas/v1/parts/{part}-spec.schema.json")}
                ]
            });
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft7)
                .with_registry(&registry)
                .build(&schema)
                .unwrap();
            kinds.insert(kind, validator);
        }
        Schema { validator, kinds }
    }

    /// The schema errors of one document, each with its place in the document. The official
    /// schema lists `spec.alertPolicies` as names, where the specification (and its reference
    /// SDK) allows inline policies: an SLO is checked without them, and each inline policy is
    /// checked as the `AlertPolicy` document it would be on its own (its inline condition as the
    /// `AlertCondition` document).
    fn errors(&self, document: &Value) -> Vec<String> {
        let mut out = Vec::new();
        let mut slo = document.clone();
        let inline = slo
            .get_mut("spec")
            .and_then(Value::as_object_mut)
            .and_then(|spec| spec.remove("alertPolicies"));
        self.collect(&slo, "", &mut out);
        if let Some(policies) = inline {
            let Some(policies) = policies.as_array() else {
                out.push("spec.alertPolicies: not a list".into());
                return out;
            };
            for (i, policy) in policies.iter().enumerate() {
                let mut standalone = policy.clone();
                match standalone.as_object_mut() {
                    Some(fields) => {
                        fields.insert("apiVersion".into(), document["apiVersion"].clone());
                    }
                    None => {
                        out.push(format!("spec.alertPolicies[{i}]: not an inline policy"));
                        continue;
                    }
                }
                if standalone["kind"] != "AlertPolicy" {
                    out.push(format!("spec.alertPolicies[{i}]: kind is not AlertPolicy"));
                }
                let prefix = format!("/spec/alertPolicies/{i}");
                self.collect(&standalone, &prefix, &mut out);
                // The official policy schema applies the condition part one level too deep, so
                // an inline condition is checked as the `AlertCondition` document it would be.
                let conditions = policy["spec"]["conditions"].as_array();
                for (j, condition) in conditions.into_iter().flatten().enumerate() {
                    if condition.get("kind").is_none() {
                        continue;
                    }
                    let mut standalone = condition.clone();
                    if let Some(fields) = standalone.as_object_mut() {
                        fields.insert("apiVersion".into(), document["apiVersion"].clone());
                    }
                    let prefix = format!("{prefix}/spec/conditions/{j}");
                    self.collect(&standalone, &prefix, &mut out);
                }
            }
        }
        out
    }

    fn collect(&self, document: &Value, prefix: &str, out: &mut Vec<String>) {
        let list = |validator: &jsonschema::Validator| -> Vec<String> {
            validator
                .iter_errors(document)
                .map(|error| format!("{prefix}{}: {error}", error.instance_path()))
                .collect()
        };
        let errors = list(&self.validator);
        if errors.is_empty() {
            return;
        }
        let detailed = document["kind"]
            .as_str()
            .and_then(|kind| self.kinds.get(kind))
            .map(list)
            .filter(|detailed| !detailed.is_empty());
        out.extend(detailed.unwrap_or(errors));
    }
}

/// The documents of a YAML stream.
fn documents(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text)
        .map(|document| Value::deserialize(document).unwrap())
        .collect()
}

fn name(document: &Value) -> String {
    format!(
        "{} {}",
        document["kind"].as_str().unwrap_or("?"),
        document["metadata"]["name"].as_str().unwrap_or("?")
    )
}

/// Every file below `dir/openslo`, by file name.
fn outputs(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let folder = dir.join("openslo");
    if !folder.exists() {
        return files;
    }
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        files.insert(name, std::fs::read_to_string(&path).unwrap());
    }
    files
}

/// Builds `workspace` into a fresh folder and returns it with what `slac` printed on stderr.
fn build(workspace: &Path) -> (tempfile::TempDir, String) {
    let out = tempfile::tempdir().unwrap();
    let run = slac(
        workspace,
        &[
            "build",
            workspace.to_str().unwrap(),
            "--target",
            "openslo",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    run.assert_code(0);
    (out, run.stderr)
}

/// Parses every file, validates every document, and returns the SLOs by the objective id they
/// carry (`agreement.objective`).
fn validated(files: &BTreeMap<String, String>, schema: &Schema) -> BTreeMap<String, Value> {
    let mut failures = Vec::new();
    let mut slos = BTreeMap::new();
    for (file, text) in files {
        assert!(text.starts_with("# Generated by slac"), "{file}:\n{text}");
        let docs = documents(text);
        assert!(!docs.is_empty(), "{file} has no document");
        for document in docs {
            assert_eq!(document["apiVersion"], "openslo/v1", "{file}");
            for error in schema.errors(&document) {
                failures.push(format!("{file}: {}: {error}", name(&document)));
            }
            if document["kind"] == "SLO" {
                let annotations = &document["metadata"]["annotations"];
                let key = format!(
                    "{}.{}",
                    annotations["slac-agreement"].as_str().unwrap(),
                    annotations["slac-objective"].as_str().unwrap()
                );
                assert!(slos.insert(key.clone(), document).is_none(), "{key} twice");
            }
        }
    }
    assert!(
        failures.is_empty(),
        "documents rejected by the OpenSLO v1 schema:\n{}",
        failures.join("\n")
    );
    slos
}

fn target(slo: &Value) -> f64 {
    let objectives = slo["spec"]["objectives"].as_array().unwrap();
    assert_eq!(objectives.len(), 1, "{slo}");
    objectives[0]["target"].as_f64().unwrap()
}

fn time_window(slo: &Value) -> &Value {
    let windows = slo["spec"]["timeWindow"].as_array().unwrap();
    assert_eq!(windows.len(), 1, "{slo}");
    &windows[0]
}

#[test]
fn the_examples_give_valid_openslo_documents() {
    let schema = Schema::load();
    let (out, _) = build(&examples());
    let files = outputs(out.path());
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["acme_portal_api.yaml"],
        "only agreements with ratio or latency objectives give a file"
    );
    let slos = validated(&files, &schema);

    // (objective, `.sla` target in %, window, rolling?)
    let expected = [
        ("acme_portal_api.api_availability", 99.9, "30d", true),
        ("acme_portal_api.checkout_latency", 99.0, "1M", false),
        ("acme_portal_api.login_success", 99.5, "4w", true),
    ];
    assert_eq!(
        slos.keys().map(String::as_str).collect::<Vec<_>>(),
        expected.iter().map(|e| e.0).collect::<Vec<_>>()
    );
    // Every ratio or latency objective of the examples has its SLO.
    let mut written = 0;
    let mut stack = vec![examples()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sla") {
                let text = std::fs::read_to_string(&path).unwrap();
                written += text.matches("sli ratio").count() + text.matches("sli latency").count();
            }
        }
    }
    assert_eq!(written, expected.len());

    for (key, percent, duration, rolling) in expected {
        let slo = &slos[key];
        assert!(
            (target(slo) - percent / 100.0).abs() < 1e-12,
            "{key}: {slo}"
        );
        let window = time_window(slo);
        assert_eq!(window["duration"], duration, "{key}");
        assert_eq!(window["isRolling"], rolling, "{key}");
        assert_eq!(slo["spec"]["budgetingMethod"], "Occurrences");
        assert_eq!(slo["spec"]["service"], "customer-portal-api");
        assert_eq!(
            slo["spec"]["indicator"]["spec"]["ratioMetric"]["counter"],
            true
        );
        // Four burn-rate policies, notifying the first level of `platform_burn`.
        let policies = slo["spec"]["alertPolicies"].as_array().unwrap();
        assert_eq!(policies.len(), 4, "{key}");
        for policy in policies {
            assert_eq!(
                policy["spec"]["notificationTargets"][0]["targetRef"],
                "acme-portal-api-platform-oncall"
            );
        }
    }
    let latency = &slos["acme_portal_api.checkout_latency"];
    assert_eq!(
        time_window(latency)["calendar"]["timeZone"],
        "Europe/Paris",
        "the calendar's zone"
    );
    assert_eq!(
        time_window(latency)["calendar"]["startTime"],
        "2026-02-01 00:00:00"
    );
}

const WORKSPACE: &str = r#"party acme {
  name "Acme"
  kind external
}

party ops {
  name "Operations"
  kind internal
  contact oncall {
    name "On-call engineer"
    email "oncall@ops.example"
    pager "ops-primary"
  }
  contact lead "lead@ops.example"
}

service shop_api {
  name "Shop API"
  owner ops
}

escalation standard {
  level 1 at 50% notify ops.oncall
  level 2 at breach notify ops.lead
}

calendar office {
  timezone "America/New_York"
  open mon-fri 09:00-17:00
}

agreement shop {
  kind customer
  version 2.1.0
  effective from 2026-03-15
  provider ops
  customer acme
  services shop_api
  escalation standard

  objective errors_ratio {
    title "Orders without server errors"
    sli ratio {
      errors """sum(rate(orders_total{code=~"5.."}[$window]))"""
      total """sum(rate(orders_total[$window]))"""
    }
    target 99.9%
    window 28d
  }

  objective good_ratio {
    title "Payments accepted"
    sli ratio {
      good """sum(increase(payments_total{outcome="ok"}[$window]))"""
      total """sum(increase(payments_total[$window]))"""
    }
    target 99.5%
    window month
  }

  objective search_latency {
    title "Search under 250ms"
    sli latency {
      histogram """search_duration_seconds_bucket{job="search"}"""
      threshold 250ms
    }
    target 99%
    window 7d
  }

  objective office_hours {
    title "Back office during office hours"
    sli ratio {
      errors """sum(rate(backoffice_errors_total[$window]))"""
      total """sum(rate(backoffice_requests_total[$window]))"""
    }
    target 99%
    window month
    calendar office
  }

  objective perfect {
    title "Never down"
    sli ratio {
      errors """sum(rate(health_failures_total[$window]))"""
      total """sum(rate(health_checks_total[$window]))"""
    }
    target 100%
    window 30d
  }
}

agreement helpdesk {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider ops
  customer acme

  objective response {
    sli response_time
    within 4h
    target 95%
    window month
  }
}
"#;

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("slac.toml"), "[workspace]\n").unwrap();
    std::fs::write(dir.path().join("shop.sla"), WORKSPACE).unwrap();
    dir
}

fn query<'a>(slo: &'a Value, part: &str) -> &'a str {
    slo["spec"]["indicator"]["spec"]["ratioMetric"][part]["metricSource"]["spec"]["query"]
        .as_str()
        .unwrap_or_else(|| panic!("no {part} query in {slo}"))
}

#[test]
fn each_form_of_objective_maps_to_openslo() {
    let schema = Schema::load();
    let ws = workspace();
    let (out, stderr) = build(ws.path());
    let files = outputs(out.path());
    // The agreement with a ticket objective only has no file.
    assert_eq!(files.keys().collect::<Vec<_>>(), ["shop.yaml"]);
    let slos = validated(&files, &schema);
    assert_eq!(
        slos.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "shop.errors_ratio",
            "shop.good_ratio",
            "shop.office_hours",
            "shop.search_latency"
        ],
        "the 100% objective is left out"
    );
    assert!(
        stderr.contains("`shop.perfect` targets 100%"),
        "the user is told why: {stderr}"
    );

    // `errors`: the bad events, as raw counters.
    let errors = &slos["shop.errors_ratio"];
    assert_eq!(errors["metadata"]["name"], "shop-errors-ratio");
    assert_eq!(
        errors["metadata"]["displayName"],
        "Orders without server errors"
    );
    assert_eq!(errors["metadata"]["labels"]["slac-agreement"], "shop");
    assert_eq!(
        errors["metadata"]["labels"]["slac-objective"],
        "errors_ratio"
    );
    assert_eq!(errors["spec"]["service"], "shop-api");
    assert_eq!(query(errors, "bad"), r#"sum(orders_total{code=~"5.."})"#);
    assert_eq!(query(errors, "total"), "sum(orders_total)");
    assert!(errors["spec"]["indicator"]["spec"]["ratioMetric"]
        .get("good")
        .is_none());
    assert_eq!(target(errors), 0.999);
    assert_eq!(time_window(errors)["duration"], "4w");
    assert_eq!(time_window(errors)["isRolling"], true);

    // The burn-rate policies of the Prometheus target, scaled to 28 days.
    let policies = errors["spec"]["alertPolicies"].as_array().unwrap();
    let conditions: Vec<(String, f64, String, String)> = policies
        .iter()
        .map(|p| {
            let conditions = p["spec"]["conditions"].as_array().unwrap();
            assert_eq!(
                conditions.len(),
                1,
                "one condition per policy in OpenSLO v1"
            );
            let spec = &conditions[0]["spec"];
            (
                spec["severity"].as_str().unwrap().to_string(),
                spec["condition"]["threshold"].as_f64().unwrap(),
                spec["condition"]["lookbackWindow"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                spec["condition"]["alertAfter"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let expected = [
        ("page", 14.4, "56m", "5m"),
        ("page", 6.0, "336m", "28m"),
        ("ticket", 3.0, "1344m", "112m"),
        ("ticket", 1.0, "4032m", "336m"),
    ];
    assert_eq!(conditions.len(), expected.len());
    for (got, want) in conditions.iter().zip(expected) {
        assert_eq!(
            (got.0.as_str(), got.1, got.2.as_str(), got.3.as_str()),
            want
        );
        assert!(conditions.iter().all(|c| c.0 == "page" || c.0 == "ticket"));
    }
    // They notify the first escalation level, a target of the same file.
    let target_doc = documents(&files["shop.yaml"])
        .into_iter()
        .find(|d| d["kind"] == "AlertNotificationTarget")
        .unwrap();
    assert_eq!(target_doc["metadata"]["name"], "shop-ops-oncall");
    assert_eq!(target_doc["spec"]["target"], "email");
    let description = target_doc["spec"]["description"].as_str().unwrap();
    assert!(description.contains("oncall@ops.example"), "{description}");
    for policy in policies {
        assert_eq!(
            policy["spec"]["notificationTargets"],
            serde_json::json!([{"targetRef": "shop-ops-oncall"}])
        );
    }

    // `good`: the good events; `increase` is a counter too. A calendar month.
    let good = &slos["shop.good_ratio"];
    assert_eq!(query(good, "good"), r#"sum(payments_total{outcome="ok"})"#);
    assert_eq!(query(good, "total"), "sum(payments_total)");
    assert_eq!(target(good), 0.995);
    let month = time_window(good);
    assert_eq!(month["duration"], "1M");
    assert_eq!(month["isRolling"], false);
    assert_eq!(month["calendar"]["startTime"], "2026-03-01 00:00:00");
    assert_eq!(month["calendar"]["timeZone"], "Etc/UTC");

    // Latency: the bucket at the threshold over the count.
    let latency = &slos["shop.search_latency"];
    assert_eq!(
        query(latency, "good"),
        r#"sum(search_duration_seconds_bucket{job="search",le="0.25"})"#
    );
    assert_eq!(
        query(latency, "total"),
        r#"sum(search_duration_seconds_count{job="search"})"#
    );
    assert_eq!(time_window(latency)["duration"], "1w");
    assert_eq!(
        latency["spec"]["alertPolicies"][0]["spec"]["conditions"][0]["spec"]["condition"]
            ["lookbackWindow"],
        "14m",
        "a 7-day window pages on 14 minutes"
    );

    // A business calendar: emitted, in the calendar's zone, and said to count every hour.
    let office = &slos["shop.office_hours"];
    assert_eq!(
        time_window(office)["calendar"]["timeZone"],
        "America/New_York"
    );
    let annotations = &office["metadata"]["annotations"];
    assert_eq!(annotations["slac-calendar"], "office");
    assert!(
        annotations["slac-business-hours"]
            .as_str()
            .unwrap()
            .contains("no business hours"),
        "{annotations}"
    );
    assert!(
        stderr.contains("`shop.office_hours` runs on business calendar `office`"),
        "{stderr}"
    );
    assert!(errors["metadata"]["annotations"]
        .get("slac-business-hours")
        .is_none());
}

#[test]
fn the_schema_rejects_broken_documents() {
    let schema = Schema::load();
    let ws = workspace();
    let (out, _) = build(ws.path());
    let files = outputs(out.path());
    let slo = documents(&files["shop.yaml"])
        .into_iter()
        .find(|d| d["kind"] == "SLO")
        .unwrap();
    assert_eq!(schema.errors(&slo), Vec::<String>::new());

    let broken = |change: &dyn Fn(&mut Value)| {
        let mut document = slo.clone();
        change(&mut document);
        schema.errors(&document)
    };
    let no_objectives = broken(&|d| {
        d["spec"].as_object_mut().unwrap().remove("objectives");
    });
    assert!(
        no_objectives.iter().any(|e| e.contains("objectives")),
        "{no_objectives:?}"
    );
    let v2 = broken(&|d| d["apiVersion"] = "openslo/v2".into());
    assert!(!v2.is_empty());
    let percent = broken(&|d| d["spec"]["objectives"][0]["target"] = 99.9.into());
    assert!(!percent.is_empty(), "a target is a fraction below 1");
    let as_text = broken(&|d| d["spec"]["objectives"][0]["target"] = "0.999".into());
    assert!(!as_text.is_empty(), "a target is a number");
    let underscore = broken(&|d| d["metadata"]["name"] = "shop_errors".into());
    assert!(!underscore.is_empty(), "names are DNS labels");
    let window = broken(&|d| d["spec"]["timeWindow"][0]["duration"] = "1h30m".into());
    assert!(!window.is_empty(), "durations have one unit");
    let inline = broken(&|d| {
        d["spec"]["alertPolicies"][0]["spec"]["conditions"][0]["spec"]["condition"]
            .as_object_mut()
            .unwrap()
            .remove("lookbackWindow");
    });
    assert!(
        inline
            .iter()
            .any(|e| e.starts_with("/spec/alertPolicies/0")),
        "inline alert policies are checked too: {inline:?}"
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let ws = workspace();
    let (first, _) = build(ws.path());
    let (second, _) = build(ws.path());
    let first = outputs(first.path());
    assert!(!first.is_empty());
    assert_eq!(first, outputs(second.path()));
    let (examples_first, _) = build(&examples());
    let (examples_second, _) = build(&examples());
    assert_eq!(
        outputs(examples_first.path()),
        outputs(examples_second.path())
    );
}
