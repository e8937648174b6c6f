//! `slac build --target alertmanager` judged by Alertmanager itself: `amtool` and a real server.
//!
//! It proves that:
//!
//! - the configuration built from the bundled examples passes `amtool check-config`;
//! - in a workspace written here, every alert the Prometheus target can raise reaches exactly the
//!   people the `.sla` names, as Alertmanager routes it: for each agreement, objective and alert
//!   (`SlacEscalation` of each level with its severity, `SlacErrorBudgetBurn` `page` and
//!   `ticket`), `amtool config routes test` picks a receiver, and the e-mail addresses and pager
//!   keys of that receiver are compared with a hand-written expectation: the contacts the level
//!   names (a bare `party` is all its contacts), the policy's first level for burn alerts, the
//!   provider's contacts when the agreement has no policy; pager keys only for paging alerts;
//!   a phone-only contact reaches nobody. An alert of an unknown objective goes to the
//!   provider's contacts, an alert of no agreement to `slac-unrouted`, which notifies nobody;
//! - a running Alertmanager inhibits a lower escalation level of an objective while a higher one
//!   fires (and only for that objective), and a burn-rate ticket while the page of the same
//!   objective fires;
//! - `[alertmanager]` of `slac.toml` is honoured: webhook paging with the contact's key put into
//!   `pager_url`, the SMTP settings and `repeat_interval`; webhook paging without a usable
//!   `pager_url` fails the build (exit 1, naming `pager_url`) and leaves the previous output
//!   byte-identical;
//! - two builds of the same workspace are byte-identical.
//!
//! These tests need `amtool` and the Alertmanager server. Without them they fail (they are not
//! skipped): run `scripts/install-test-tools`.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::alertmanager::{assert_check_config, routed_receivers, Alertmanager};
use support::slac;
use tempfile::TempDir;

/// The workspace under test.
///
/// - `ops`, the provider, has a contact with an e-mail address only (`desk`), two with an e-mail
///   address and a pager key (`oncall`, `lead`), and one with a phone number only (`night`).
/// - `api_sla` follows `standard`, except `checkout`, which overrides it with `all_hands`; its
///   level 3 names the whole `ops` party.
/// - `batch_ola` has no escalation policy: its burn alerts go to the provider's contacts.
const WORKSPACE: &str = r#"party ops {
  name "Operations"
  kind internal
  contact desk "desk@ops.example"
  contact oncall {
    email "oncall@ops.example"
    pager "ops-oncall-key"
  }
  contact lead {
    email "lead@ops.example"
    pager "ops-lead-key"
  }
  contact night {
    phone "+33 1 00 00 00 00"
  }
}

party client {
  name "Client SA"
  kind external
  contact manager "manager@client.example"
  contact buyer "buyer@client.example"
}

escalation standard {
  level 1 at 50% notify ops.oncall
  level 2 at 75% notify ops.desk, ops.lead
  level 3 at breach notify ops.lead, client.manager
}

escalation all_hands {
  level 1 at 50% notify ops.desk
  level 2 at 75% notify ops.night, client.manager
  level 3 at breach notify ops
}

agreement api_sla {
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider ops
  customer client
  escalation standard

  objective availability {
    sli ratio {
      errors """sum(rate(http_requests_total{job="api",code=~"5.."}[$window]))"""
      total """sum(rate(http_requests_total{job="api"}[$window]))"""
    }
    target 99.9%
    window 30d
  }

  objective checkout {
    sli ratio {
      errors """sum(rate(checkout_total{outcome="error"}[$window]))"""
      total """sum(rate(checkout_total[$window]))"""
    }
    target 99.5%
    window 30d
    escalation all_hands
  }
}

agreement batch_ola {
  kind internal
  version 1.0.0
  effective from 2026-01-01
  provider ops
  customer client

  objective jobs {
    sli ratio {
      good """sum(rate(batch_jobs_total{outcome="success"}[$window]))"""
      total """sum(rate(batch_jobs_total[$window]))"""
    }
    target 99%
    window 7d
  }
}
"#;

/// The configuration file below an output folder.
const CONFIG: &str = "alertmanager/alertmanager.yml";

/// An alert the Prometheus target raises for an objective.
#[derive(Debug, Clone, Copy)]
enum Alert {
    /// `SlacEscalation` of a level, with the severity the level gives it.
    Escalation(u32, &'static str),
    /// `SlacErrorBudgetBurn` of a severity.
    Burn(&'static str),
}

/// Who one alert must reach.
struct Expected {
    agreement: &'static str,
    objective: &'static str,
    alert: Alert,
    emails: &'static [&'static str],
    pagers: &'static [&'static str],
}

const DESK: &str = "desk@ops.example";
const ONCALL: &str = "oncall@ops.example";
const LEAD: &str = "lead@ops.example";
const MANAGER: &str = "manager@client.example";
const ONCALL_KEY: &str = "ops-oncall-key";
const LEAD_KEY: &str = "ops-lead-key";

/// Read off [`WORKSPACE`] by hand: levels `at N%` open tickets (e-mail only), `at breach` pages
/// (e-mail and pager); burn alerts reach the first level's contacts, or the provider's without a
/// policy, paged for `page` only. `client.buyer` is named nowhere, and `ops.night` has neither
/// an e-mail address nor a pager key.
const EXPECTED: &[Expected] = &[
    // api_sla.availability follows `standard`.
    Expected {
        agreement: "api_sla",
        objective: "availability",
        alert: Alert::Escalation(1, "ticket"),
        emails: &[ONCALL],
        pagers: &[],
    },
    Expected {
        agreement: "api_sla",
        objective: "availability",
        alert: Alert::Escalation(2, "ticket"),
        emails: &[DESK, LEAD],
        pagers: &[],
    },
    Expected {
        agreement: "api_sla",
        objective: "availability",
        alert: Alert::Escalation(3, "page"),
        emails: &[LEAD, MANAGER],
        pagers: &[LEAD_KEY],
    },
    Expected {
        agreement: "api_sla",
        objective: "availability",
        alert: Alert::Burn("page"),
        emails: &[ONCALL],
        pagers: &[ONCALL_KEY],
    },
    Expected {
        agreement: "api_sla",
        objective: "availability",
        alert: Alert::Burn("ticket"),
        emails: &[ONCALL],
        pagers: &[],
    },
    // api_sla.checkout overrides it with `all_hands`.
    Expected {
        agreement: "api_sla",
        objective: "checkout",
        alert: Alert::Escalation(1, "ticket"),
        emails: &[DESK],
        pagers: &[],
    },
    Expected {
        agreement: "api_sla",
        objective: "checkout",
        alert: Alert::Escalation(2, "ticket"),
        emails: &[MANAGER],
        pagers: &[],
    },
    Expected {
        agreement: "api_sla",
        objective: "checkout",
        alert: Alert::Escalation(3, "page"),
        emails: &[DESK, ONCALL, LEAD],
        pagers: &[ONCALL_KEY, LEAD_KEY],
    },
    Expected {
        agreement: "api_sla",
        objective: "checkout",
        alert: Alert::Burn("page"),
        emails: &[DESK],
        pagers: &[],
    },
    Expected {
        agreement: "api_sla",
        objective: "checkout",
        alert: Alert::Burn("ticket"),
        emails: &[DESK],
        pagers: &[],
    },
    // batch_ola has no policy: the provider's contacts.
    Expected {
        agreement: "batch_ola",
        objective: "jobs",
        alert: Alert::Burn("page"),
        emails: &[DESK, ONCALL, LEAD],
        pagers: &[ONCALL_KEY, LEAD_KEY],
    },
    Expected {
        agreement: "batch_ola",
        objective: "jobs",
        alert: Alert::Burn("ticket"),
        emails: &[DESK, ONCALL, LEAD],
        pagers: &[],
    },
];

/// The labels of an alert of an objective, as the Prometheus target sets them.
fn labels(agreement: &str, objective: &str, alert: Alert) -> Vec<(&'static str, String)> {
    let mut labels = vec![
        ("agreement", agreement.to_string()),
        ("objective", objective.to_string()),
    ];
    match alert {
        Alert::Escalation(level, severity) => {
            labels.push(("alertname", "SlacEscalation".to_string()));
            labels.push(("severity", severity.to_string()));
            labels.push(("escalation_level", level.to_string()));
        }
        Alert::Burn(severity) => {
            labels.push(("alertname", "SlacErrorBudgetBurn".to_string()));
            labels.push(("severity", severity.to_string()));
        }
    }
    labels
}

/// Writes a workspace with `slac.toml` and returns its folder.
fn workspace(slac_toml: &str) -> TempDir {
    let dir = TempDir::new().expect("a temporary folder");
    fs::write(dir.path().join("slac.toml"), slac_toml).expect("slac.toml written");
    fs::write(dir.path().join("sla.sla"), WORKSPACE).expect("sla.sla written");
    dir
}

/// `slac build . --target alertmanager --out OUT` in `dir`, which must succeed; the file written.
fn build(dir: &Path, out: &str) -> PathBuf {
    slac(
        dir,
        &["build", ".", "--target", "alertmanager", "--out", out],
    )
    .assert_code(0);
    let file = dir.join(out).join(CONFIG);
    assert!(file.is_file(), "`slac build` wrote no {}", file.display());
    file
}

/// The configuration file, parsed.
fn parse(file: &Path) -> Value {
    let text = fs::read_to_string(file).unwrap();
    serde_norway::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not YAML: {error}\n{text}", file.display()))
}

/// Whom one receiver notifies.
#[derive(Debug, Default, PartialEq, Eq)]
struct Reach {
    emails: BTreeSet<String>,
    /// PagerDuty routing keys.
    pagers: BTreeSet<String>,
    /// Webhook URLs.
    webhooks: BTreeSet<String>,
}

/// The receiver `name` of the configuration: whom it notifies. Any other kind of notifier fails
/// the test, so that nobody is reached unseen.
fn reach(config: &Value, name: &str) -> Reach {
    let receiver = config["receivers"]
        .as_array()
        .expect("a list of receivers")
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no receiver `{name}` in the configuration"));
    let mut reach = Reach::default();
    for (key, value) in receiver.as_object().unwrap() {
        let (set, field) = match key.as_str() {
            "name" => continue,
            "email_configs" => (&mut reach.emails, "to"),
            "pagerduty_configs" => (&mut reach.pagers, "routing_key"),
            "webhook_configs" => (&mut reach.webhooks, "url"),
            other => panic!("receiver `{name}` has unexpected `{other}`: {receiver}"),
        };
        for entry in value.as_array().unwrap() {
            let text = entry[field]
                .as_str()
                .unwrap_or_else(|| panic!("receiver `{name}`: no `{field}` in {entry}"));
            assert!(
                set.insert(text.to_string()),
                "receiver `{name}` notifies `{text}` twice"
            );
        }
    }
    reach
}

/// The one receiver Alertmanager routes an alert with these labels to.
fn receiver_of(file: &Path, labels: &[(&str, String)]) -> String {
    let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let receivers = routed_receivers(file, &labels);
    assert_eq!(
        receivers.len(),
        1,
        "{labels:?} goes to {receivers:?}, expected one receiver"
    );
    receivers.into_iter().next().unwrap()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(ToString::to_string).collect()
}

fn all_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn configuration_of_the_examples_passes_amtool_check() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let out = TempDir::new().expect("a temporary folder");
    slac(
        out.path(),
        &[
            "build",
            examples.to_str().unwrap(),
            "--target",
            "alertmanager",
            "--out",
            out.path().to_str().unwrap(),
        ],
    )
    .assert_code(0);
    let file = out.path().join(CONFIG);
    assert!(file.is_file(), "`slac build examples` wrote no {CONFIG}");
    assert_check_config(&file);
}

/// Every alert of every objective, routed by amtool, reaches exactly whom the `.sla` names.
#[test]
fn every_alert_reaches_the_contacts_its_level_names() {
    let dir = workspace("[workspace]\n");
    let file = build(dir.path(), "out");
    assert_check_config(&file);
    let config = parse(&file);

    let mut failures = Vec::new();
    for expected in EXPECTED {
        let labels = labels(expected.agreement, expected.objective, expected.alert);
        let receiver = receiver_of(&file, &labels);
        let got = reach(&config, &receiver);
        let want = Reach {
            emails: set(expected.emails),
            pagers: set(expected.pagers),
            webhooks: BTreeSet::new(),
        };
        if got != want {
            failures.push(format!(
                "{}.{} {:?} goes to `{receiver}`, which reaches {got:?}; expected {want:?}",
                expected.agreement, expected.objective, expected.alert
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "wrong recipients:\n{}\n--- {CONFIG}\n{}",
        failures.join("\n"),
        fs::read_to_string(&file).unwrap()
    );

    // An alert of an objective the agreement does not have (a rule written by hand, say): the
    // provider's contacts, by e-mail.
    for alertname in ["SlacErrorBudgetBurn", "SomethingElse"] {
        let receiver = receiver_of(
            &file,
            &[
                ("alertname", alertname.to_string()),
                ("agreement", "api_sla".to_string()),
                ("objective", "latency".to_string()),
                ("severity", "page".to_string()),
            ],
        );
        assert_eq!(
            reach(&config, &receiver),
            Reach {
                emails: set(&[DESK, ONCALL, LEAD]),
                ..Reach::default()
            },
            "an alert of api_sla's unknown objective `latency` goes to `{receiver}`"
        );
    }

    // An alert of no agreement: `slac-unrouted`, which notifies nobody.
    let receiver = receiver_of(
        &file,
        &[
            ("alertname", "SlacErrorBudgetBurn".to_string()),
            ("objective", "availability".to_string()),
            ("severity", "page".to_string()),
        ],
    );
    assert_eq!(receiver, "slac-unrouted");
    assert_eq!(reach(&config, &receiver), Reach::default());
    // Nor does an agreement the workspace does not have reach anybody.
    let receiver = receiver_of(
        &file,
        &[
            ("alertname", "SlacErrorBudgetBurn".to_string()),
            ("agreement", "other_sla".to_string()),
            ("objective", "availability".to_string()),
            ("severity", "page".to_string()),
        ],
    );
    assert_eq!(receiver, "slac-unrouted");
}

/// The status Alertmanager gives one alert: (state, inhibitedBy, receivers).
#[derive(Debug, PartialEq, Eq)]
struct Status {
    state: String,
    inhibited_by: Vec<String>,
    receivers: Vec<String>,
}

/// The fingerprint and status of each alert held, by its labels.
fn statuses(alerts: &[Value]) -> BTreeMap<BTreeMap<String, String>, (String, Status)> {
    alerts
        .iter()
        .map(|alert| {
            let labels = alert["labels"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect();
            let strings = |value: &Value| -> Vec<String> {
                value
                    .as_array()
                    .map(|items| {
                        items
                            .iter()
                            .map(|item| {
                                item.as_str()
                                    .or_else(|| item["name"].as_str())
                                    .unwrap()
                                    .to_string()
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let status = Status {
                state: alert["status"]["state"].as_str().unwrap().to_string(),
                inhibited_by: strings(&alert["status"]["inhibitedBy"]),
                receivers: strings(&alert["receivers"]),
            };
            (
                labels,
                (alert["fingerprint"].as_str().unwrap().to_string(), status),
            )
        })
        .collect()
}

/// A real Alertmanager, loaded with the generated file, tells people once, at the right level.
#[test]
fn a_running_alertmanager_inhibits_lower_levels_and_burn_tickets() {
    let dir = workspace("[workspace]\n");
    let file = build(dir.path(), "out");
    let server = Alertmanager::start(dir.path(), &file);

    let fired = [
        ("availability", Alert::Escalation(1, "ticket")),
        ("availability", Alert::Escalation(2, "ticket")),
        ("checkout", Alert::Escalation(1, "ticket")),
        ("availability", Alert::Burn("page")),
        ("availability", Alert::Burn("ticket")),
    ];
    let label_sets: Vec<BTreeMap<String, String>> = fired
        .iter()
        .map(|(objective, alert)| {
            labels("api_sla", objective, *alert)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        })
        .collect();
    let body: Vec<Value> = label_sets
        .iter()
        .map(|labels| json!({ "labels": labels, "annotations": { "summary": "from the test" } }))
        .collect();
    server.post_alerts(&Value::Array(body));

    // What each alert must be: (state, index in `fired` of the alert inhibiting it, receiver).
    let expected: [(&str, Option<usize>, &str); 5] = [
        ("suppressed", Some(1), "slac-standard-level-1"),
        ("active", None, "slac-standard-level-2"),
        ("active", None, "slac-all_hands-level-1"),
        ("active", None, "slac-standard-page"),
        ("suppressed", Some(3), "slac-standard-ticket"),
    ];
    // Alertmanager takes in the alerts, then its inhibitor sees them: ask until it has.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut problems;
    loop {
        let held = statuses(&server.alerts());
        problems = Vec::new();
        for (labels, (state, inhibitor, receiver)) in label_sets.iter().zip(expected) {
            let Some((_, status)) = held.get(labels) else {
                problems.push(format!("{labels:?} is not held"));
                continue;
            };
            let inhibited_by: Vec<String> = inhibitor
                .iter()
                .filter_map(|&i| held.get(&label_sets[i]).map(|(print, _)| print.clone()))
                .collect();
            let want = Status {
                state: state.to_string(),
                inhibited_by,
                receivers: vec![receiver.to_string()],
            };
            if *status != want {
                problems.push(format!("{labels:?}: {status:?}, expected {want:?}"));
            }
        }
        if problems.is_empty() || Instant::now() > deadline {
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    assert!(
        problems.is_empty(),
        "Alertmanager does not inhibit as it should:\n{}\n--- alertmanager log\n{}",
        problems.join("\n"),
        server.log_tail()
    );
}

/// `[alertmanager]`: webhook paging, SMTP settings and the repeat interval reach the file.
#[test]
fn settings_of_slac_toml_shape_the_receivers() {
    let dir = workspace(
        r#"[workspace]

[alertmanager]
pager = "webhook"
pager_url = "https://pager.example/hooks/{key}"
smtp_smarthost = "mail.example.org:587"
smtp_from = "sla-alerts@example.org"
smtp_require_tls = false
repeat_interval = "12h"
"#,
    );
    let file = build(dir.path(), "out");
    assert_check_config(&file);
    let config = parse(&file);
    assert_eq!(config["global"]["smtp_smarthost"], "mail.example.org:587");
    assert_eq!(config["global"]["smtp_from"], "sla-alerts@example.org");
    assert_eq!(config["global"]["smtp_require_tls"], false);
    assert_eq!(config["route"]["repeat_interval"], "12h");

    let hook = |key: &str| format!("https://pager.example/hooks/{key}");
    for expected in EXPECTED {
        let labels = labels(expected.agreement, expected.objective, expected.alert);
        let receiver = receiver_of(&file, &labels);
        let want = Reach {
            emails: set(expected.emails),
            pagers: BTreeSet::new(),
            webhooks: expected.pagers.iter().map(|key| hook(key)).collect(),
        };
        assert_eq!(
            reach(&config, &receiver),
            want,
            "{}.{} {:?} goes to `{receiver}`",
            expected.agreement,
            expected.objective,
            expected.alert
        );
    }
}

/// Webhook paging needs `pager_url`, with `{key}`: without it nothing is written.
#[test]
fn webhook_paging_without_pager_url_fails_and_keeps_the_previous_output() {
    let dir = workspace("[workspace]\n");
    build(dir.path(), "out");
    let before = all_files(&dir.path().join("out"));

    for settings in [
        "pager = \"webhook\"\n",
        "pager = \"webhook\"\npager_url = \"https://pager.example/hooks\"\n",
    ] {
        fs::write(
            dir.path().join("slac.toml"),
            format!("[workspace]\n\n[alertmanager]\n{settings}"),
        )
        .unwrap();
        let run = slac(
            dir.path(),
            &["build", ".", "--target", "alertmanager", "--out", "out"],
        );
        run.assert_code(1);
        assert!(
            run.stderr.contains("pager_url"),
            "with {settings:?}, `slac build` does not name `pager_url`:\n{}",
            run.stderr
        );
        assert_eq!(
            all_files(&dir.path().join("out")),
            before,
            "with {settings:?}, the failed build changed the previous output"
        );
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = workspace("[workspace]\n");
    let first = fs::read(build(dir.path(), "first")).unwrap();
    let second = fs::read(build(dir.path(), "second")).unwrap();
    assert!(
        first == second,
        "two builds of the same workspace differ:\n--- first\n{}\n--- second\n{}",
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second)
    );
}
