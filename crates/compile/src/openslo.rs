//! OpenSLO v1 documents for ratio and latency objectives: one YAML stream per agreement, with an
//! `AlertNotificationTarget` per contact the SLOs' alert policies notify, then one `SLO` per
//! objective with its indicator, time window, target and burn-rate alert policies inline.
//!
//! Queries: OpenSLO's `ratioMetric` with `counter: true` reads raw counters and lets the consumer
//! compute increases over its own windows, so `rate(X[$window])` (and `irate`, `increase`) is
//! written as the counter `X` itself. An expression where `$window` is used in any other way is
//! kept as a rate over five minutes, with `counter: false`.
//!
//! Alerts: OpenSLO v1 conditions have one lookback window each, so every multi-window condition of
//! the Prometheus target becomes one alert policy: the long window is the `lookbackWindow`, the
//! short one the `alertAfter` (how long the burn must last), the burn-rate factor the threshold.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{Datelike, Duration as Days, NaiveDate};
use slac_calendar::{Duration, Window};
use slac_model::model::{Agreement, ContactRef, Objective, Sli, ALWAYS};
use slac_model::Model;

use crate::prometheus::{scaled, window_seconds, BURN_WINDOWS};
use crate::promql::{histogram_parts, le_matcher, number, selector, with_window};
use crate::yaml::Yaml;
use crate::{Artifact, Build, BuildOptions};

const API_VERSION: &str = "openslo/v1";
/// The range of the rate kept in a query whose `$window` cannot be turned into a counter.
const RATE_WINDOW: &str = "5m";
/// DNS labels (RFC 1123), as OpenSLO names must be.
const NAME_LIMIT: usize = 63;
/// OpenSLO descriptions hold at most 1050 characters.
const DESCRIPTION_LIMIT: usize = 1050;
/// The reference SDK of OpenSLO refuses longer display names.
const DISPLAY_LIMIT: usize = 63;

pub(crate) fn build(model: &Model, _options: &BuildOptions, build: &mut Build) {
    let mut names = Names::default();
    for agreement in model.agreements.values() {
        let monitored: Vec<&Objective> = agreement
            .objectives
            .iter()
            .filter(|o| o.sli.is_monitoring())
            .collect();
        for objective in monitored.iter().filter(|o| o.target >= 100.0) {
            build.note_about(
                "openslo-target-100",
                format!("{}.{}", agreement.id, objective.id),
                format!(
                "openslo: `{}.{}` targets 100%: OpenSLO targets are below 1 and it has no error budget (W001), so it gets no SLO",
                agreement.id, objective.id
            ),
            );
        }
        let kept: Vec<&Objective> = monitored.into_iter().filter(|o| o.target < 100.0).collect();
        if kept.is_empty() {
            continue;
        }
        let mut targets: BTreeMap<String, (String, &ContactRef)> = BTreeMap::new();
        let mut slos = Vec::new();
        for objective in kept {
            if objective.calendar != ALWAYS {
                build.note_about(
                    "openslo-business-hours",
                    format!("{}.{}", agreement.id, objective.id),
                    format!(
                    "openslo: `{}.{}` runs on business calendar `{}`: OpenSLO has no business hours, so its SLO counts events at every hour",
                    agreement.id, objective.id, objective.calendar
                ),
                );
            }
            let contacts = first_contacts(model, agreement, objective);
            let mut refs = Vec::new();
            for contact in contacts {
                let key = contact.to_string();
                let name = match targets.get(&key) {
                    Some((name, _)) => name.clone(),
                    None => {
                        let name = names.unique(&[&agreement.id, &key]);
                        targets.insert(key, (name.clone(), contact));
                        name
                    }
                };
                refs.push(name);
            }
            if refs.is_empty() {
                build.note_about(
                    "openslo-no-contact",
                    format!("{}.{}", agreement.id, objective.id),
                    format!(
                    "openslo: `{}.{}` has no escalation contact to notify: OpenSLO alert policies need one, so its SLO has no alert policies",
                    agreement.id, objective.id
                ),
                );
            }
            slos.push(slo(model, agreement, objective, &refs, &mut names));
        }
        let mut documents: Vec<Yaml> = targets
            .values()
            .map(|(name, contact)| notification_target(model, agreement, name, contact))
            .collect();
        documents.extend(slos);
        let body: Vec<String> = documents.iter().map(Yaml::render).collect();
        build.artifacts.push(Artifact {
            path: PathBuf::from("openslo").join(format!("{}.yaml", agreement.id)),
            contents: format!(
                "# Generated by slac from agreement `{}` (version {}). Do not edit.\n{}",
                agreement.id,
                agreement.version,
                body.join("---\n")
            ),
        });
    }
}

/// The contacts of the first level of the objective's escalation policy (or the agreement's):
/// the people the policy tells first.
fn first_contacts<'m>(
    model: &'m Model,
    agreement: &'m Agreement,
    objective: &'m Objective,
) -> Vec<&'m ContactRef> {
    let policy = model.escalation_for(agreement, objective);
    let Some(level) = policy.and_then(|p| p.levels.iter().min_by_key(|l| l.level)) else {
        return Vec::new();
    };
    let mut seen = BTreeSet::new();
    level
        .notify
        .iter()
        .filter(|c| seen.insert(c.to_string()))
        .collect()
}

fn header(kind: &str, metadata: Yaml, spec: Yaml) -> Yaml {
    Yaml::map(vec![
        ("apiVersion", Yaml::str(API_VERSION)),
        ("kind", Yaml::str(kind)),
        ("metadata", metadata),
        ("spec", spec),
    ])
}

fn notification_target(
    model: &Model,
    agreement: &Agreement,
    name: &str,
    contact: &ContactRef,
) -> Yaml {
    let party = model.parties.get(&contact.party);
    let details = contact
        .contact
        .as_deref()
        .and_then(|id| party.and_then(|p| p.contact(id)));
    let mut channels = Vec::new();
    let mut target = "contact";
    if let Some(details) = details {
        for (channel, value, words) in [
            ("email", &details.email, "e-mail"),
            ("pager", &details.pager, "pager"),
            ("phone", &details.phone, "phone"),
        ] {
            if let Some(value) = value {
                if channels.is_empty() {
                    target = channel;
                }
                channels.push(format!("{words} {value}"));
            }
        }
    }
    let who = match (details.and_then(|d| d.name.as_deref()), party) {
        (Some(person), Some(party)) => format!("{person} ({})", party.name),
        (None, Some(party)) => party.name.clone(),
        (Some(person), None) => person.to_string(),
        (None, None) => contact.to_string(),
    };
    let mut description = format!("{who}, `{contact}` in slac");
    if !channels.is_empty() {
        description.push_str(&format!(": {}", channels.join(", ")));
    }
    let metadata = Yaml::map(vec![
        ("name", Yaml::str(name)),
        ("displayName", Yaml::str(display(&who))),
        ("labels", labels(&[("slac-agreement", &agreement.id)])),
        (
            "annotations",
            Yaml::map(vec![
                ("slac-agreement", Yaml::str(&agreement.id)),
                ("slac-contact", Yaml::str(contact.to_string())),
            ]),
        ),
    ]);
    header(
        "AlertNotificationTarget",
        metadata,
        Yaml::map(vec![
            (
                "description",
                Yaml::str(clip(&description, DESCRIPTION_LIMIT)),
            ),
            ("target", Yaml::str(target)),
        ]),
    )
}

fn slo(
    model: &Model,
    agreement: &Agreement,
    objective: &Objective,
    targets: &[String],
    names: &mut Names,
) -> Yaml {
    let name = names.unique(&[&agreement.id, &objective.id]);
    let title = objective
        .title
        .clone()
        .unwrap_or_else(|| objective.id.clone());
    let window = window_seconds(objective.window);

    let mut annotations = vec![
        ("slac-agreement", Yaml::str(&agreement.id)),
        (
            "slac-agreement-version",
            Yaml::str(agreement.version.to_string()),
        ),
        ("slac-objective", Yaml::str(&objective.id)),
        ("slac-window", Yaml::str(objective.window.to_string())),
    ];
    if objective.calendar != ALWAYS {
        annotations.push(("slac-calendar", Yaml::str(&objective.calendar)));
        annotations.push((
            "slac-business-hours",
            Yaml::str(format!(
                "not expressed: the objective counts events during the open hours of calendar `{}` only, OpenSLO v1 has no business hours and this SLO counts every event",
                objective.calendar
            )),
        ));
    }
    if let Some(policy) = agreement.escalation_of(objective) {
        annotations.push(("slac-escalation", Yaml::str(policy)));
    }
    let metadata = Yaml::map(vec![
        ("name", Yaml::str(&name)),
        ("displayName", Yaml::str(display(&title))),
        (
            "labels",
            labels(&[
                ("slac-agreement", &agreement.id),
                ("slac-objective", &objective.id),
            ]),
        ),
        ("annotations", Yaml::map(annotations)),
    ]);

    let description = objective
        .description
        .as_deref()
        .or(objective.doc.as_deref())
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "{title}: {}% over {}, objective `{}` of agreement `{}`.",
                number(objective.target),
                objective.window,
                objective.id,
                agreement.id
            )
        });
    let service = agreement
        .services
        .first()
        .map(String::as_str)
        .unwrap_or(&agreement.id);

    let indicator = Yaml::map(vec![
        (
            "metadata",
            Yaml::map(vec![
                ("name", Yaml::str(names.unique(&[&name, "sli"]))),
                ("displayName", Yaml::str(display(&format!("{title} (SLI)")))),
            ]),
        ),
        (
            "spec",
            Yaml::map(vec![("ratioMetric", ratio_metric(&objective.sli))]),
        ),
    ]);

    let mut spec = vec![
        (
            "description",
            Yaml::str(clip(&description, DESCRIPTION_LIMIT)),
        ),
        ("service", Yaml::str(sanitize(service))),
        ("indicator", indicator),
        (
            "timeWindow",
            Yaml::List(vec![time_window(
                model,
                objective,
                agreement.effective.from,
            )]),
        ),
        ("budgetingMethod", Yaml::str("Occurrences")),
        (
            "objectives",
            Yaml::List(vec![Yaml::map(vec![
                ("displayName", Yaml::str(display(&title))),
                ("target", Yaml::number(objective.target / 100.0)),
            ])]),
        ),
    ];
    if !targets.is_empty() {
        let budget = (100.0 - objective.target) / 100.0;
        let mut policies = Vec::new();
        let mut seen = BTreeSet::new();
        for burn in &BURN_WINDOWS {
            let speed = if seen.insert(burn.severity) {
                "fast"
            } else {
                "slow"
            };
            let long = scaled(burn.long, window);
            let short = scaled(burn.short, window);
            let policy = names.unique(&[&name, speed, burn.severity]);
            let share = number(100.0 * burn.factor * long as f64 / window as f64);
            let condition_description = format!(
                "The error ratio over {} is above {} × the error budget ({}), that is {share}% of the {} budget spent in {}, for {}.",
                shorthand(long),
                number(burn.factor),
                number(burn.factor * budget),
                objective.window,
                shorthand(long),
                shorthand(short)
            );
            let condition = Yaml::map(vec![
                ("kind", Yaml::str("AlertCondition")),
                (
                    "metadata",
                    Yaml::map(vec![(
                        "name",
                        Yaml::str(names.unique(&[&policy, "burn-rate"])),
                    )]),
                ),
                (
                    "spec",
                    Yaml::map(vec![
                        ("description", Yaml::str(condition_description)),
                        ("severity", Yaml::str(burn.severity)),
                        (
                            "condition",
                            Yaml::map(vec![
                                ("kind", Yaml::str("burnrate")),
                                ("op", Yaml::str("gt")),
                                ("threshold", Yaml::number(burn.factor)),
                                ("lookbackWindow", Yaml::str(shorthand(long))),
                                ("alertAfter", Yaml::str(shorthand(short))),
                            ]),
                        ),
                    ]),
                ),
            ]);
            let severity = if burn.severity == "page" {
                "Page"
            } else {
                "Ticket"
            };
            policies.push(Yaml::map(vec![
                ("kind", Yaml::str("AlertPolicy")),
                (
                    "metadata",
                    Yaml::map(vec![
                        ("name", Yaml::str(&policy)),
                        (
                            "displayName",
                            Yaml::str(format!("{severity}: {speed} error budget burn")),
                        ),
                    ]),
                ),
                (
                    "spec",
                    Yaml::map(vec![
                        (
                            "description",
                            Yaml::str(clip(
                                &format!(
                                    "{}.{} is burning its error budget {}.",
                                    agreement.id,
                                    objective.id,
                                    if speed == "fast" { "fast" } else { "steadily" }
                                ),
                                DESCRIPTION_LIMIT,
                            )),
                        ),
                        ("alertWhenNoData", Yaml::Bool(false)),
                        ("alertWhenResolved", Yaml::Bool(false)),
                        ("alertWhenBreaching", Yaml::Bool(true)),
                        ("conditions", Yaml::List(vec![condition])),
                        (
                            "notificationTargets",
                            Yaml::List(
                                targets
                                    .iter()
                                    .map(|t| Yaml::map(vec![("targetRef", Yaml::str(t))]))
                                    .collect(),
                            ),
                        ),
                    ]),
                ),
            ]));
        }
        spec.push(("alertPolicies", Yaml::List(policies)));
    }
    header("SLO", metadata, Yaml::map(spec))
}

/// `ratioMetric` of the indicator: `bad` for `errors`, `good` for `good` and for latency (the
/// requests at or below the threshold bucket), and `total`.
fn ratio_metric(sli: &Sli) -> Yaml {
    let (numerator, counters) = match sli {
        Sli::Ratio {
            errors: Some(errors),
            total,
            ..
        } => ("bad", counters(errors, total)),
        Sli::Ratio {
            good: Some(good),
            total,
            ..
        } => ("good", counters(good, total)),
        Sli::Latency {
            histogram,
            threshold,
        } => {
            let (name, matchers) = histogram_parts(histogram);
            let bound = le_matcher(threshold.as_millis().unwrap_or(0));
            (
                "good",
                Counters {
                    counter: true,
                    numerator: format!(
                        "sum({})",
                        selector(&format!("{name}_bucket"), &matchers, &bound)
                    ),
                    total: format!("sum({})", selector(&format!("{name}_count"), &matchers, "")),
                },
            )
        }
        // Only monitoring objectives get here.
        _ => ("good", counters("", "")),
    };
    let source = |query: String| {
        Yaml::map(vec![(
            "metricSource",
            Yaml::map(vec![
                ("type", Yaml::str("Prometheus")),
                ("spec", Yaml::map(vec![("query", Yaml::str(query))])),
            ]),
        )])
    };
    Yaml::map(vec![
        ("counter", Yaml::Bool(counters.counter)),
        (numerator, source(counters.numerator)),
        ("total", source(counters.total)),
    ])
}

struct Counters {
    counter: bool,
    numerator: String,
    total: String,
}

/// Both queries as raw counters when both can be, else both as rates over [`RATE_WINDOW`].
fn counters(numerator: &str, total: &str) -> Counters {
    match (counter_query(numerator), counter_query(total)) {
        (Some(numerator), Some(total)) => Counters {
            counter: true,
            numerator,
            total,
        },
        _ => Counters {
            counter: false,
            numerator: with_window(numerator, RATE_WINDOW),
            total: with_window(total, RATE_WINDOW),
        },
    }
}

/// The expression with every `rate(X[$window])`, `irate(X[$window])` and `increase(X[$window])`
/// replaced by the counter `X`; `None` when `$window` is used another way, or not at all.
pub(crate) fn counter_query(expression: &str) -> Option<String> {
    let text = expression.trim();
    if !text.contains("$window") {
        return None;
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some((start, open)) = next_range_call(rest) {
        let close = matching_paren(rest, open)?;
        let inner = rest.get(open + 1..close)?.trim();
        let counter = inner.strip_suffix("[$window]")?.trim_end();
        out.push_str(rest.get(..start)?);
        out.push_str(counter);
        rest = rest.get(close + 1..)?;
    }
    out.push_str(rest);
    (!out.contains("$window")).then_some(out)
}

/// The next `rate(`, `irate(` or `increase(` outside strings: the start of the function name and
/// the position of its opening parenthesis.
fn next_range_call(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' | b'`' => i = skip_string(bytes, i),
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':')
                {
                    i += 1;
                }
                let word = &text[start..i];
                let mut j = i;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if matches!(word, "rate" | "irate" | "increase") && bytes.get(j) == Some(&b'(') {
                    return Some((start, j));
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The index after a quoted string starting at `start` (escapes honoured, backquotes raw).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'\\' && quote != b'`' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// The `)` closing the `(` at `open`, skipping strings.
fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' | b'`' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `timeWindow[0]`: rolling windows as a duration, calendar-aligned ones from the start of the
/// period that contains the agreement's first day, in the objective calendar's time zone.
fn time_window(model: &Model, objective: &Objective, from: NaiveDate) -> Yaml {
    let (duration, start) = match objective.window {
        Window::Rolling(Duration::Millis(ms)) => {
            return rolling(shorthand(ms.div_ceil(1000)));
        }
        Window::Rolling(Duration::BusinessDays(days)) => return rolling(format!("{days}d")),
        Window::Week => (
            "1w",
            from - Days::days(i64::from(from.weekday().num_days_from_monday())),
        ),
        Window::Month => ("1M", from.with_day(1).unwrap_or(from)),
        Window::Quarter => {
            let month = (from.month0() / 3) * 3 + 1;
            (
                "1Q",
                NaiveDate::from_ymd_opt(from.year(), month, 1).unwrap_or(from),
            )
        }
        Window::Year => (
            "1Y",
            NaiveDate::from_ymd_opt(from.year(), 1, 1).unwrap_or(from),
        ),
    };
    let zone = model
        .calendars
        .get(&objective.calendar)
        .map(|c| c.timezone.name())
        .unwrap_or("Etc/UTC");
    let zone = match zone {
        "UTC" | "UCT" | "GMT" | "GMT0" | "GMT+0" | "GMT-0" | "Greenwich" | "Universal" | "Zulu" => {
            "Etc/UTC"
        }
        other => other,
    };
    Yaml::map(vec![
        ("duration", Yaml::str(duration)),
        ("isRolling", Yaml::Bool(false)),
        (
            "calendar",
            Yaml::map(vec![
                (
                    "startTime",
                    Yaml::str(format!("{} 00:00:00", start.format("%Y-%m-%d"))),
                ),
                ("timeZone", Yaml::str(zone)),
            ]),
        ),
    ])
}

fn rolling(duration: String) -> Yaml {
    Yaml::map(vec![
        ("duration", Yaml::str(duration)),
        ("isRolling", Yaml::Bool(true)),
    ])
}

/// A number of seconds as an OpenSLO duration shorthand: one unit, the largest that divides it
/// (`4w`, `30d`, `6h`, `144m`), rounded up to the minute.
pub(crate) fn shorthand(seconds: u64) -> String {
    let minutes = seconds.div_ceil(60).max(1);
    for (unit, size) in [("w", 7 * 1440), ("d", 1440), ("h", 60)] {
        if minutes % size == 0 {
            return format!("{}{unit}", minutes / size);
        }
    }
    format!("{minutes}m")
}

/// Labels whose values OpenSLO accepts (1 to 63 letters, digits, `.`, `_`, `-`, starting with a
/// letter or digit); the ids are always in the annotations too.
fn labels(pairs: &[(&str, &str)]) -> Yaml {
    Yaml::map(
        pairs
            .iter()
            .filter(|(_, value)| {
                !value.is_empty()
                    && value.len() <= NAME_LIMIT
                    && value.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            })
            .map(|(key, value)| (*key, Yaml::str(*value)))
            .collect(),
    )
}

/// A display name of at most [`DISPLAY_LIMIT`] characters.
fn display(text: &str) -> String {
    let text = text.trim();
    let text = if text.is_empty() { "-" } else { text };
    clip(text, DISPLAY_LIMIT)
}

fn clip(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut out: String = text.chars().take(limit - 1).collect();
    out.push('…');
    out
}

/// Lower-case letters, digits and single `-`: `customer_portal_api` is `customer-portal-api`.
fn sanitize(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "x".into()
    } else {
        out.to_string()
    }
}

/// The names given so far in a build: each name is a DNS label derived from its parts, made unique
/// (and short enough) with a hash of the parts when needed.
#[derive(Default)]
struct Names {
    used: BTreeSet<String>,
}

impl Names {
    fn unique(&mut self, parts: &[&str]) -> String {
        let key = parts.join("\u{0}");
        let base: Vec<String> = parts.iter().map(|p| sanitize(p)).collect();
        let mut name = base.join("-");
        let mut salt = 0u32;
        while name.len() > NAME_LIMIT || self.used.contains(&name) {
            let hash = fnv1a(&format!("{key}\u{0}{salt}"));
            let suffix = format!("-{:08x}", hash & 0xffff_ffff);
            let head: String = base
                .join("-")
                .chars()
                .take(NAME_LIMIT - suffix.len())
                .collect();
            name = format!("{}{suffix}", head.trim_end_matches('-'));
            salt += 1;
        }
        self.used.insert(name.clone());
        name
    }
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_become_counters() {
        assert_eq!(
            counter_query(r#"sum(rate(http_requests_total{job="api",code=~"5.."}[$window]))"#)
                .as_deref(),
            Some(r#"sum(http_requests_total{job="api",code=~"5.."})"#)
        );
        assert_eq!(
            counter_query("sum by (x) (increase( a_total{r=~\"(a|b)\"} [$window] )) / 2")
                .as_deref(),
            Some("sum by (x) (a_total{r=~\"(a|b)\"}) / 2")
        );
        // `$window` inside another function, or no `$window`: no counter.
        assert_eq!(counter_query("sum(avg_over_time(up[$window]))"), None);
        assert_eq!(counter_query("sum(slo:errors:rate5m)"), None);
        // A label value that looks like a call is left alone.
        assert_eq!(
            counter_query(r#"sum(rate(x{fn="rate(y)"}[$window]))"#).as_deref(),
            Some(r#"sum(x{fn="rate(y)"})"#)
        );
    }

    #[test]
    fn durations_use_one_unit() {
        assert_eq!(shorthand(30 * 86_400), "30d");
        assert_eq!(shorthand(28 * 86_400), "4w");
        assert_eq!(shorthand(3_600), "1h");
        assert_eq!(shorthand(8_640), "144m");
        assert_eq!(shorthand(300), "5m");
        assert_eq!(shorthand(90), "2m");
    }

    #[test]
    fn names_are_unique_dns_labels() {
        let mut names = Names::default();
        assert_eq!(
            names.unique(&["acme_portal_api", "availability"]),
            "acme-portal-api-availability"
        );
        let again = names.unique(&["acme_portal", "api_availability"]);
        assert_ne!(again, "acme-portal-api-availability");
        assert!(
            again.starts_with("acme-portal-api-availability-"),
            "{again}"
        );
        let long = names.unique(&[&"a".repeat(80), "b"]);
        assert!(long.len() <= NAME_LIMIT, "{long}");
        assert!(long
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        assert_eq!(sanitize("__X__y"), "x-y");
    }
}
