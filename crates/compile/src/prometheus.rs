//! Prometheus rule files: recording rules of each objective's error ratio and multi-window,
//! multi-burn-rate alerts (the SRE workbook, chapter "Alerting on SLOs"), plus one alert per
//! escalation level on the share of the error budget used.
//!
//! Windows: for a 30-day objective window, page when the 1h and 5m burn rates both exceed 14.4
//! or the 6h and 30m ones exceed 6; ticket when 1d and 2h exceed 3 or 3d and 6h exceed 1. For
//! another objective window W the alert windows scale by W / 30d and the factors stay, so each
//! alert still means the same share of the budget spent (2%, 5%, 10%, 10%), as Pyrra does.

use std::collections::BTreeSet;
use std::path::PathBuf;

use slac_calendar::{Duration, Window};
use slac_model::model::{Agreement, Objective, Sli, Threshold, ALWAYS};
use slac_model::{Model, RuleFormat};

use chrono::{NaiveDate, NaiveTime};

use crate::mask;
use crate::promql::{duration, histogram_parts, le_matcher, number, selector, with_window};
use crate::yaml::Yaml;
use crate::{Artifact, Build, BuildOptions};

const THIRTY_DAYS: u64 = 30 * 86_400;

/// One multi-window alert condition, for a 30-day objective window.
pub(crate) struct BurnWindow {
    pub(crate) long: u64,
    pub(crate) short: u64,
    pub(crate) factor: f64,
    pub(crate) severity: &'static str,
}

pub(crate) const BURN_WINDOWS: [BurnWindow; 4] = [
    BurnWindow {
        long: 3_600,
        short: 300,
        factor: 14.4,
        severity: "page",
    },
    BurnWindow {
        long: 6 * 3_600,
        short: 1_800,
        factor: 6.0,
        severity: "page",
    },
    BurnWindow {
        long: 86_400,
        short: 2 * 3_600,
        factor: 3.0,
        severity: "ticket",
    },
    BurnWindow {
        long: 3 * 86_400,
        short: 6 * 3_600,
        factor: 1.0,
        severity: "ticket",
    },
];

/// The objective window in seconds, for burn-rate arithmetic: calendar-aligned windows count as
/// their usual length.
pub(crate) fn window_seconds(window: Window) -> u64 {
    match window {
        Window::Rolling(Duration::Millis(ms)) => ms.div_ceil(1000),
        Window::Rolling(Duration::BusinessDays(days)) => u64::from(days) * 86_400,
        Window::Week => 7 * 86_400,
        Window::Month => THIRTY_DAYS,
        Window::Quarter => 90 * 86_400,
        Window::Year => 365 * 86_400,
    }
}

/// An alert window scaled to the objective window, to the minute, and at least five minutes: a
/// `rate` over a window shorter than a few scrape intervals has too few samples to say anything.
pub(crate) fn scaled(seconds: u64, objective_window: u64) -> u64 {
    let scaled = (seconds as u128 * objective_window as u128 / THIRTY_DAYS as u128) as u64;
    (scaled / 60 * 60).max(MIN_WINDOW)
}

const MIN_WINDOW: u64 = 300;

pub(crate) fn build(model: &Model, options: &BuildOptions, build: &mut Build) {
    for agreement in model.agreements.values() {
        let monitored: Vec<&Objective> = agreement
            .objectives
            .iter()
            .filter(|o| o.sli.is_monitoring())
            .collect();
        let mut calendars: Vec<&str> = monitored
            .iter()
            .filter(|o| o.calendar != ALWAYS)
            .map(|o| o.calendar.as_str())
            .collect();
        calendars.sort_unstable();
        calendars.dedup();
        let mut groups: Vec<Yaml> = Vec::new();
        for objective in monitored.iter().filter(|o| o.target >= 100.0) {
            build.note_about(
                "prometheus-target-100",
                format!("{}.{}", agreement.id, objective.id),
                format!(
                    "prometheus: `{}.{}` targets 100%: it has no error budget to alert on (W001), so it gets no rules",
                    agreement.id, objective.id
                ),
            );
        }
        let alerting: Vec<&Objective> = monitored
            .iter()
            .copied()
            .filter(|o| o.target < 100.0)
            .collect();
        if !calendars.is_empty() {
            // The masked rates read the mask of the same evaluation: rules of one group run in
            // order, so they follow the mask in its group.
            let masked: Vec<Yaml> = alerting
                .iter()
                .filter(|o| o.calendar != ALWAYS)
                .flat_map(|objective| masked_rates(agreement, objective))
                .collect();
            groups.push(calendar_group(
                model, agreement, &calendars, masked, options, build,
            ));
        }
        groups.extend(
            alerting
                .iter()
                .flat_map(|objective| objective_groups(model, agreement, objective)),
        );
        if groups.is_empty() {
            continue;
        }
        let document = match options.config.prometheus.format {
            RuleFormat::Standard => Yaml::map(vec![("groups", Yaml::List(groups))]),
            RuleFormat::Operator => operator_resource(agreement, groups, options),
        };
        build.artifacts.push(Artifact {
            path: PathBuf::from("prometheus").join(format!("{}.yml", agreement.id)),
            contents: format!(
                "# Generated by slac from agreement `{}` (version {}). Do not edit.\n{}",
                agreement.id,
                agreement.version,
                document.render()
            ),
        });
    }
}

/// The groups as a Prometheus Operator `PrometheusRule` resource, named after the agreement
/// (a DNS name: `_` becomes `-`), in `[prometheus] namespace` and with `[prometheus] labels`
/// for the Operator's `ruleSelector`.
fn operator_resource(agreement: &Agreement, groups: Vec<Yaml>, options: &BuildOptions) -> Yaml {
    let config = &options.config.prometheus;
    let mut metadata = vec![(
        "name",
        Yaml::str(format!("slac-{}", agreement.id.replace('_', "-"))),
    )];
    if let Some(namespace) = &config.namespace {
        metadata.push(("namespace", Yaml::str(namespace)));
    }
    let mut labels = vec![
        (
            "app.kubernetes.io/managed-by".to_string(),
            Yaml::str("slac"),
        ),
        ("slac/agreement".to_string(), Yaml::str(&agreement.id)),
    ];
    labels.extend(
        config
            .labels
            .iter()
            .map(|(key, value)| (key.clone(), Yaml::str(value))),
    );
    metadata.push(("labels", Yaml::Map(labels)));
    Yaml::map(vec![
        ("apiVersion", Yaml::str("monitoring.coreos.com/v1")),
        ("kind", Yaml::str("PrometheusRule")),
        ("metadata", Yaml::map(metadata)),
        ("spec", Yaml::map(vec![("groups", Yaml::List(groups))])),
    ])
}

/// `slac:calendar_open{calendar, agreement}` for each business calendar the agreement's
/// monitoring objectives use, over its effective period (an open-ended one: two years from the
/// build date, with a note saying when the mask runs out).
fn calendar_group(
    model: &Model,
    agreement: &Agreement,
    calendars: &[&str],
    masked: Vec<Yaml>,
    options: &BuildOptions,
    build: &mut Build,
) -> Yaml {
    let day = |date: NaiveDate| date.and_time(NaiveTime::MIN).and_utc();
    let from = day(agreement.effective.from);
    let to = match agreement.effective.to {
        Some(end) => day(end) + chrono::Duration::days(1),
        None => {
            let until = options.today + chrono::Months::new(24);
            build.note_about(
                "prometheus-mask-runs-out",
                agreement.id.clone(),
                format!(
                    "prometheus: the calendar mask of `{}` runs out on {until}: rebuild before then (the agreement has no end date)",
                    agreement.id
                ),
            );
            day(until)
        }
    };
    let mut rules = Vec::new();
    for &id in calendars {
        let Some(engine) = model.engine(id) else {
            continue;
        };
        let local = format!(
            "slac:calendar_local_week_seconds{{calendar=\"{id}\",agreement=\"{}\"}}",
            agreement.id
        );
        let mask = mask::expression(&engine, from, to, &local);
        let labels = || {
            Yaml::map(vec![
                ("calendar", Yaml::str(id)),
                ("agreement", Yaml::str(&agreement.id)),
            ])
        };
        rules.push(Yaml::map(vec![
            ("record", Yaml::str("slac:calendar_local_week_seconds")),
            ("expr", Yaml::str(mask.local_week_seconds)),
            ("labels", labels()),
        ]));
        rules.push(Yaml::map(vec![
            ("record", Yaml::str("slac:calendar_open")),
            ("expr", Yaml::str(mask.open)),
            ("labels", labels()),
        ]));
    }
    rules.extend(masked);
    Yaml::map(vec![
        (
            "name",
            Yaml::str(format!("slac-{}-calendars", agreement.id)),
        ),
        ("rules", Yaml::List(rules)),
    ])
}

/// The error ratio of the objective over `window`, as PromQL.
pub(crate) fn error_ratio(sli: &Sli, window: &str) -> Option<String> {
    Some(match sli {
        // `or (0 * total)`: no error series at all is a ratio of 0, not no data.
        Sli::Ratio {
            errors: Some(errors),
            total,
            ..
        } => {
            let total = with_window(total, window);
            format!(
                "(\n  ({})\n  or\n  (0 * ({total}))\n)\n/\n({total})",
                with_window(errors, window)
            )
        }
        Sli::Ratio {
            good: Some(good),
            total,
            ..
        } => {
            let total = with_window(total, window);
            format!(
                "1 - (\n  (\n    ({})\n    or\n    (0 * ({total}))\n  )\n  /\n  ({total})\n)",
                with_window(good, window)
            )
        }
        Sli::Latency {
            histogram,
            threshold,
        } => {
            let (name, matchers) = histogram_parts(histogram);
            let bound = le_matcher(threshold.as_millis().unwrap_or(0));
            format!(
                "1 - (\n  sum(rate({}[{window}]))\n  /\n  sum(rate({}[{window}]))\n)",
                selector(&format!("{name}_bucket"), &matchers, &bound),
                selector(&format!("{name}_count"), &matchers, "")
            )
        }
        _ => return None,
    })
}

/// The rate of errors and the rate of all events of the objective over `window`, as PromQL,
/// for the masked rates of business-hours objectives.
fn errors_and_total(sli: &Sli, window: &str) -> Option<(String, String)> {
    Some(match sli {
        Sli::Ratio {
            errors: Some(errors),
            total,
            ..
        } => {
            let total = with_window(total, window);
            (
                format!(
                    "(\n  ({})\n  or\n  (0 * ({total}))\n)",
                    with_window(errors, window)
                ),
                format!("({total})"),
            )
        }
        Sli::Ratio {
            good: Some(good),
            total,
            ..
        } => {
            let total = with_window(total, window);
            (
                format!(
                    "(\n  ({total})\n  -\n  (\n    ({})\n    or\n    (0 * ({total}))\n  )\n)",
                    with_window(good, window)
                ),
                format!("({total})"),
            )
        }
        Sli::Latency {
            histogram,
            threshold,
        } => {
            let (name, matchers) = histogram_parts(histogram);
            let bound = le_matcher(threshold.as_millis().unwrap_or(0));
            let count = format!(
                "sum(rate({}[{window}]))",
                selector(&format!("{name}_count"), &matchers, "")
            );
            (
                format!(
                    "(\n  {count}\n  -\n  sum(rate({}[{window}]))\n)",
                    selector(&format!("{name}_bucket"), &matchers, &bound)
                ),
                format!("({count})"),
            )
        }
        _ => return None,
    })
}

/// The window of the masked rates that every other window of a business-hours objective sums.
const BASE_WINDOW: u64 = 300;
const OPEN_ERRORS: &str = "slac:sli_open_errors:rate5m";
const OPEN_EVENTS: &str = "slac:sli_open_events:rate5m";

fn mask_series(agreement: &Agreement, objective: &Objective) -> String {
    format!(
        "slac:calendar_open{{calendar=\"{}\",agreement=\"{}\"}}",
        objective.calendar, agreement.id
    )
}

/// The 5-minute rates of errors and of events of a business-hours objective, counted only when
/// the calendar was open through the whole 5 minutes they cover (the least of the mask over
/// them): errors at night, even in the minutes just before opening, burn no budget. The first
/// five minutes of each open period count only in the rates that follow them.
fn masked_rates(agreement: &Agreement, objective: &Objective) -> Vec<Yaml> {
    let base = duration(BASE_WINDOW);
    let Some((errors, total)) = errors_and_total(&objective.sli, &base) else {
        return Vec::new();
    };
    // `offset 1s`: the samples of the mask from t - 5m up to, but not including, t: a rate at
    // closing time covers open minutes only, and counts; the mask at t itself (closed) would
    // drop it.
    let mask = format!(
        "min_over_time({}[{base}] offset 1s)",
        mask_series(agreement, objective)
    );
    [(OPEN_ERRORS, errors), (OPEN_EVENTS, total)]
        .into_iter()
        .map(|(record, rate)| {
            Yaml::map(vec![
                ("record", Yaml::str(record)),
                (
                    "expr",
                    Yaml::str(format!("{rate}\n* on() group_left()\n{mask}")),
                ),
                ("labels", Yaml::map(labels(agreement, objective))),
            ])
        })
        .collect()
}

/// The error ratio of a business-hours objective over `window`: errors during open time over
/// events during open time. Over the base window it is the ratio of the masked rates; over a
/// longer one, the ratio of their sums over the window (every sample weighs the same, so the
/// ratio of the sums is the ratio of the open-time counts). While no event was counted in the
/// window (the calendar was closed throughout), the ratio has no value rather than 0/0: no alert
/// can fire on it and dashboards show a gap.
fn masked_error_ratio(agreement: &Agreement, objective: &Objective, window: u64) -> String {
    let errors = series(OPEN_ERRORS, agreement, objective);
    let events = series(OPEN_EVENTS, agreement, objective);
    if window == BASE_WINDOW {
        format!("{errors}\n/\n({events} > 0)")
    } else {
        let w = duration(window);
        format!("sum_over_time({errors}[{w}])\n/\n(sum_over_time({events}[{w}]) > 0)")
    }
}

pub(crate) fn ratio_rule(window: u64) -> String {
    format!("slac:sli_error:ratio_rate{}", duration(window))
}

fn labels(agreement: &Agreement, objective: &Objective) -> Vec<(&'static str, Yaml)> {
    vec![
        ("agreement", Yaml::str(&agreement.id)),
        ("objective", Yaml::str(&objective.id)),
    ]
}

fn series(rule: &str, agreement: &Agreement, objective: &Objective) -> String {
    format!(
        "{rule}{{agreement=\"{}\",objective=\"{}\"}}",
        agreement.id, objective.id
    )
}

fn objective_groups(model: &Model, agreement: &Agreement, objective: &Objective) -> Vec<Yaml> {
    let window = window_seconds(objective.window);
    let budget_ratio = (100.0 - objective.target) / 100.0;
    let budget_text = if objective.calendar == ALWAYS {
        format!(
            "{} over {}",
            Duration::Millis((budget_ratio * window as f64 * 1000.0).round() as u64),
            objective.window
        )
    } else {
        format!(
            "{}% of the open time of calendar `{}` over {}",
            number(100.0 - objective.target),
            objective.calendar,
            objective.window
        )
    };
    let title = objective
        .title
        .clone()
        .unwrap_or_else(|| objective.id.clone());
    let name = format!("{}.{}", agreement.id, objective.id);

    // Recording rules: every window the alerts need, and the objective window itself.
    let mut windows: BTreeSet<u64> = BTreeSet::new();
    for burn in &BURN_WINDOWS {
        windows.insert(scaled(burn.long, window));
        windows.insert(scaled(burn.short, window));
    }
    windows.insert(window);
    let business = objective.calendar != ALWAYS;
    let records: Vec<Yaml> = windows
        .iter()
        .filter_map(|&w| {
            let expr = if business {
                masked_error_ratio(agreement, objective, w)
            } else {
                error_ratio(&objective.sli, &duration(w))?
            };
            Some(Yaml::map(vec![
                ("record", Yaml::str(ratio_rule(w))),
                ("expr", Yaml::str(expr)),
                ("labels", Yaml::map(labels(agreement, objective))),
            ]))
        })
        .collect();

    let mut alerts = Vec::new();
    for severity in ["page", "ticket"] {
        let conditions: Vec<String> = BURN_WINDOWS
            .iter()
            .filter(|b| b.severity == severity)
            .map(|b| {
                let threshold = number(b.factor * budget_ratio);
                format!(
                    "(\n  {} > {threshold}\n  and\n  {} > {threshold}\n)",
                    series(&ratio_rule(scaled(b.long, window)), agreement, objective),
                    series(&ratio_rule(scaled(b.short, window)), agreement, objective)
                )
            })
            .collect();
        let mut alert_labels = labels(agreement, objective);
        alert_labels.push(("severity", Yaml::str(severity)));
        let speed = if severity == "page" {
            "fast"
        } else {
            "steadily"
        };
        alerts.push(Yaml::map(vec![
            ("alert", Yaml::str("SlacErrorBudgetBurn")),
            ("expr", Yaml::str(conditions.join("\nor\n"))),
            ("labels", Yaml::map(alert_labels)),
            (
                "annotations",
                Yaml::map(vec![
                    (
                        "summary",
                        Yaml::str(format!("{name} is burning its error budget {speed}")),
                    ),
                    ("budget", Yaml::str(budget_text.clone())),
                    ("title", Yaml::str(title.clone())),
                ]),
            ),
        ]));
    }

    let policy = objective
        .escalation
        .as_deref()
        .or(agreement.escalation.as_deref())
        .and_then(|id| model.escalations.get(id));
    if let Some(policy) = policy {
        for level in &policy.levels {
            // At breach the budget is exceeded, not just reached: a ratio equal to the budget
            // still meets the target.
            let (share, words, severity, comparison) = match level.threshold {
                Threshold::Percent(percent) => (
                    percent / 100.0,
                    format!("{}% of", number(percent)),
                    "ticket",
                    ">=",
                ),
                Threshold::Breach => (1.0, "more than".to_string(), "page", ">"),
                // A time since a ticket started means nothing for a ratio objective.
                Threshold::After(_) => continue,
            };
            let notify: Vec<String> = level.notify.iter().map(ToString::to_string).collect();
            let mut alert_labels = labels(agreement, objective);
            alert_labels.push(("escalation_level", Yaml::str(level.level.to_string())));
            alert_labels.push(("severity", Yaml::str(severity)));
            alerts.push(Yaml::map(vec![
                ("alert", Yaml::str("SlacEscalation")),
                (
                    "expr",
                    Yaml::str(format!(
                        "{} {comparison} {}",
                        series(&ratio_rule(window), agreement, objective),
                        number(share * budget_ratio)
                    )),
                ),
                ("labels", Yaml::map(alert_labels)),
                (
                    "annotations",
                    Yaml::map(vec![
                        (
                            "summary",
                            Yaml::str(format!(
                                "{name} has used {words} its error budget over {}: escalation level {} ({})",
                                objective.window,
                                level.level,
                                policy.id
                            )),
                        ),
                        ("notify", Yaml::str(notify.join(", "))),
                        ("budget", Yaml::str(budget_text.clone())),
                        ("title", Yaml::str(title.clone())),
                    ]),
                ),
            ]));
        }
    }

    let group = |suffix: &str, rules: Vec<Yaml>| {
        Yaml::map(vec![
            (
                "name",
                Yaml::str(format!("slac-{}-{}-{suffix}", agreement.id, objective.id)),
            ),
            ("rules", Yaml::List(rules)),
        ])
    };
    vec![group("sli", records), group("alerts", alerts)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_windows_scale_with_the_objective_window() {
        assert_eq!(scaled(3_600, THIRTY_DAYS), 3_600);
        assert_eq!(scaled(3_600, 7 * 86_400), 840);
        assert_eq!(scaled(300, 7 * 86_400), 300);
        assert_eq!(window_seconds(Window::Month), THIRTY_DAYS);
    }
}
