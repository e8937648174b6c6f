//! Alertmanager configuration: a routing tree on `agreement`, `objective`, `severity` and
//! `escalation_level` to receivers made from the parties' contacts, following each agreement's
//! escalation policies.
//!
//! Who receives what, for each ratio or latency objective that has alerts (target under 100%):
//!
//! - `SlacEscalation` of level N: the contacts that level names (`party` alone names all the
//!   party's contacts), by e-mail; a level `at breach` pages (its alert is `severity: page`), so
//!   its contacts with a `pager` key are paged too.
//! - `SlacErrorBudgetBurn`: the contacts of the policy's first level, paged for `page` and
//!   e-mailed for both; with no policy, the provider's contacts.
//! - Anything else of the agreement: the provider's contacts by e-mail.
//!
//! A higher escalation level of an objective inhibits the lower ones, and a burn-rate page
//! inhibits the ticket of the same objective, so people are told once, at the right level.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use slac_escape::go_template;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use slac_model::model::{Agreement, ContactRef, Escalation, Objective, Party, Threshold};
use slac_model::{Model, PagerKind};

use crate::yaml::Yaml;
use crate::{Artifact, Build, BuildOptions};

/// The receiver of alerts that no route claims: no notification at all.
const UNROUTED: &str = "slac-unrouted";

/// How one receiver reaches people.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Receiver {
    emails: BTreeSet<String>,
    pagers: BTreeSet<String>,
}

/// The receivers by name, filled as routes are made.
#[derive(Default)]
struct Receivers {
    by_name: BTreeMap<String, Receiver>,
}

impl Receivers {
    fn add(&mut self, name: String, receiver: Receiver) -> String {
        self.by_name.entry(name.clone()).or_insert(receiver);
        name
    }
}

/// The contacts named by `refs`: a `party.contact` names one contact, a bare `party` all of
/// the party's contacts.
fn contacts<'m>(model: &'m Model, refs: &[ContactRef]) -> Vec<(&'m Party, &'m str)> {
    let mut out = Vec::new();
    for reference in refs {
        let Some(party) = model.parties.get(&reference.party) else {
            continue;
        };
        match &reference.contact {
            Some(id) => {
                if let Some(contact) = party.contacts.iter().find(|c| &c.id == id) {
                    out.push((party, contact.id.as_str()));
                }
            }
            None => out.extend(party.contacts.iter().map(|c| (party, c.id.as_str()))),
        }
    }
    out
}

/// A receiver that e-mails the contacts, and pages those with a pager key when `page`.
fn receiver_of(model: &Model, refs: &[ContactRef], page: bool) -> Receiver {
    let mut receiver = Receiver::default();
    for (party, id) in contacts(model, refs) {
        let Some(contact) = party.contacts.iter().find(|c| c.id == id) else {
            continue;
        };
        if let Some(email) = &contact.email {
            receiver.emails.insert(email.clone());
        }
        if page {
            if let Some(pager) = &contact.pager {
                receiver.pagers.insert(pager.clone());
            }
        }
    }
    receiver
}

fn matcher(label: &str, value: &str) -> Yaml {
    Yaml::str(format!(
        "{label}={}",
        serde_json::to_string(value).unwrap_or_default()
    ))
}

fn route(matchers: Vec<Yaml>, receiver: Option<String>, routes: Vec<Yaml>) -> Yaml {
    let mut entries = vec![("matchers", Yaml::List(matchers))];
    if let Some(receiver) = receiver {
        entries.push(("receiver", Yaml::str(receiver)));
    }
    if !routes.is_empty() {
        entries.push(("routes", Yaml::List(routes)));
    }
    Yaml::map(entries)
}

/// Whether a level's alert pages: `at breach` does, shares of the budget open tickets.
fn level_pages(threshold: &Threshold) -> Option<bool> {
    match threshold {
        Threshold::Percent(_) => Some(false),
        Threshold::Breach => Some(true),
        // A time since a ticket started: no monitoring alert carries it.
        Threshold::After(_) => None,
    }
}

fn objective_routes(
    model: &Model,
    agreement: &Agreement,
    objective: &Objective,
    receivers: &mut Receivers,
) -> Vec<Yaml> {
    let policy: Option<&Escalation> = model.escalation_for(agreement, objective);
    let mut routes = Vec::new();
    let (first, burn_prefix) = match policy {
        Some(policy) => {
            for level in &policy.levels {
                let Some(page) = level_pages(&level.threshold) else {
                    continue;
                };
                let name = receivers.add(
                    format!("slac-{}-level-{}", policy.id, level.level),
                    receiver_of(model, &level.notify, page),
                );
                routes.push(route(
                    vec![matcher("escalation_level", &level.level.to_string())],
                    Some(name),
                    Vec::new(),
                ));
            }
            let first = policy
                .levels
                .iter()
                .min_by_key(|l| l.level)
                .map(|l| l.notify.clone())
                .unwrap_or_default();
            (first, format!("slac-{}", policy.id))
        }
        None => (
            vec![ContactRef {
                party: agreement.provider.clone(),
                contact: None,
            }],
            format!("slac-{}-provider", agreement.id),
        ),
    };
    for (severity, page) in [("page", true), ("ticket", false)] {
        let name = receivers.add(
            format!("{burn_prefix}-{severity}"),
            receiver_of(model, &first, page),
        );
        routes.push(route(
            vec![
                matcher("alertname", "SlacErrorBudgetBurn"),
                matcher("severity", severity),
            ],
            Some(name),
            Vec::new(),
        ));
    }
    routes
}

pub(crate) fn build(model: &Model, options: &BuildOptions, build: &mut Build) {
    let config = &options.config.alertmanager;
    if config.pager == PagerKind::Webhook
        && !config
            .pager_url
            .as_deref()
            .is_some_and(|url| url.contains("{key}"))
    {
        build.errors.push(
            "slac.toml: `[alertmanager] pager = \"webhook\"` needs `pager_url`, with `{key}` where the contact's pager key goes"
                .to_string(),
        );
        return;
    }
    let mut receivers = Receivers::default();
    receivers.add(UNROUTED.to_string(), Receiver::default());
    let mut agreement_routes = Vec::new();
    let mut max_level = 0;
    for agreement in model.agreements.values() {
        let alerting: Vec<&Objective> = agreement
            .objectives
            .iter()
            .filter(|o| o.sli.is_monitoring() && o.target < 100.0)
            .collect();
        if alerting.is_empty() {
            continue;
        }
        let provider = receivers.add(
            format!("slac-{}-provider", agreement.id),
            receiver_of(
                model,
                &[ContactRef {
                    party: agreement.provider.clone(),
                    contact: None,
                }],
                false,
            ),
        );
        let mut routes = Vec::new();
        for objective in alerting {
            let policy = model.escalation_for(agreement, objective);
            if let Some(policy) = policy {
                max_level = policy
                    .levels
                    .iter()
                    .map(|l| l.level)
                    .fold(max_level, u32::max);
            }
            routes.push(route(
                vec![matcher("objective", &objective.id)],
                None,
                objective_routes(model, agreement, objective, &mut receivers),
            ));
        }
        agreement_routes.push(route(
            vec![matcher("agreement", &agreement.id)],
            Some(provider),
            routes,
        ));
    }

    for (name, receiver) in &receivers.by_name {
        if name != UNROUTED && receiver.emails.is_empty() && receiver.pagers.is_empty() {
            build.notes.push(format!(
                "alertmanager: receiver `{name}` reaches nobody: its contacts have no e-mail address or pager key"
            ));
        }
    }

    let receiver_list: Vec<Yaml> = receivers
        .by_name
        .iter()
        .map(|(name, receiver)| receiver_yaml(name, receiver, config))
        .collect();

    let mut inhibit = Vec::new();
    // A page about an objective's burn makes the ticket about it redundant.
    inhibit.push(Yaml::map(vec![
        (
            "source_matchers",
            Yaml::List(vec![
                matcher("alertname", "SlacErrorBudgetBurn"),
                matcher("severity", "page"),
            ]),
        ),
        (
            "target_matchers",
            Yaml::List(vec![
                matcher("alertname", "SlacErrorBudgetBurn"),
                matcher("severity", "ticket"),
            ]),
        ),
        (
            "equal",
            Yaml::List(vec![Yaml::str("agreement"), Yaml::str("objective")]),
        ),
    ]));
    // A higher escalation level of an objective silences the lower ones.
    for level in 2..=max_level {
        let lower: Vec<String> = (1..level).map(|l| l.to_string()).collect();
        inhibit.push(Yaml::map(vec![
            (
                "source_matchers",
                Yaml::List(vec![
                    matcher("alertname", "SlacEscalation"),
                    matcher("escalation_level", &level.to_string()),
                ]),
            ),
            (
                "target_matchers",
                Yaml::List(vec![
                    matcher("alertname", "SlacEscalation"),
                    Yaml::str(format!("escalation_level=~\"{}\"", lower.join("|"))),
                ]),
            ),
            (
                "equal",
                Yaml::List(vec![Yaml::str("agreement"), Yaml::str("objective")]),
            ),
        ]));
    }

    let document = Yaml::map(vec![
        (
            "global",
            Yaml::map(vec![
                ("smtp_smarthost", Yaml::str(&config.smtp_smarthost)),
                // Alertmanager expands the sender (`from` of each e-mail) as a template.
                (
                    "smtp_from",
                    Yaml::str(go_template::literal(&config.smtp_from)),
                ),
                ("smtp_require_tls", Yaml::Bool(config.smtp_require_tls)),
            ]),
        ),
        (
            "route",
            Yaml::map(vec![
                ("receiver", Yaml::str(UNROUTED)),
                (
                    "group_by",
                    Yaml::List(
                        [
                            "alertname",
                            "agreement",
                            "objective",
                            "severity",
                            "escalation_level",
                        ]
                        .into_iter()
                        .map(Yaml::str)
                        .collect(),
                    ),
                ),
                ("group_wait", Yaml::str("30s")),
                ("group_interval", Yaml::str("5m")),
                ("repeat_interval", Yaml::str(&config.repeat_interval)),
                ("routes", Yaml::List(agreement_routes)),
            ]),
        ),
        ("inhibit_rules", Yaml::List(inhibit)),
        ("receivers", Yaml::List(receiver_list)),
    ]);
    build.artifacts.push(Artifact {
        path: PathBuf::from("alertmanager").join("alertmanager.yml"),
        contents: format!(
            "# Generated by slac from the workspace's agreements and escalation policies. Do not edit.\n{}",
            document.render()
        ),
    });
}

/// A pager key as one URL path or query component: every byte but the unreserved ones
/// (RFC 3986) percent-encoded, so a key cannot add a path, a query or a host to the URL.
fn url_component(key: &str) -> String {
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(key, COMPONENT).to_string()
}

fn receiver_yaml(name: &str, receiver: &Receiver, config: &slac_model::AlertmanagerConfig) -> Yaml {
    let mut entries = vec![("name", Yaml::str(name))];
    if !receiver.emails.is_empty() {
        entries.push((
            "email_configs",
            Yaml::List(
                receiver
                    .emails
                    .iter()
                    .map(|email| {
                        Yaml::map(vec![
                            ("to", Yaml::str(go_template::literal(email))),
                            ("send_resolved", Yaml::Bool(true)),
                        ])
                    })
                    .collect(),
            ),
        ));
    }
    if !receiver.pagers.is_empty() {
        let pagers = receiver.pagers.iter();
        match config.pager {
            PagerKind::Pagerduty => entries.push((
                "pagerduty_configs",
                Yaml::List(
                    pagers
                        .map(|key| {
                            Yaml::map(vec![
                                ("routing_key", Yaml::str(go_template::literal(key))),
                                ("send_resolved", Yaml::Bool(true)),
                            ])
                        })
                        .collect(),
                ),
            )),
            PagerKind::Webhook => {
                let url = config.pager_url.clone().unwrap_or_default();
                entries.push((
                    "webhook_configs",
                    Yaml::List(
                        pagers
                            .map(|key| {
                                Yaml::map(vec![
                                    ("url", Yaml::str(url.replace("{key}", &url_component(key)))),
                                    ("send_resolved", Yaml::Bool(true)),
                                ])
                            })
                            .collect(),
                    ),
                ))
            }
        }
    }
    Yaml::map(entries)
}
