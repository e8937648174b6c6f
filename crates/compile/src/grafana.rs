//! Grafana dashboards: one per agreement that has objectives, written as the JSON that Grafana
//! imports (schema of Grafana 10 and 11).
//!
//! Each objective gets a row. A ratio or latency objective with an error budget gets three panels
//! that read the recording rules of the `prometheus` target, never the raw metrics: its SLI
//! against the target over the objective window, the error budget left, and the burn rates over
//! the windows the alerts use, with the alerts' factors as threshold lines. One on a business
//! calendar also gets the calendar mask `slac:calendar_open`. Every other objective (tickets,
//! deliverables, satisfaction, or a 100% target) gets a text panel stating its terms in words.
//!
//! Every query panel uses the Prometheus data source chosen in the dashboard variable
//! `datasource`, so the same file imports into any Grafana.

use slac_escape::{grafana, markdown};
use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Value};
use slac_calendar::{Duration, Window};
use slac_model::model::{Agreement, AgreementKind, Objective, Sli, ALWAYS};
use slac_model::Model;

use crate::prometheus::{ratio_rule, scaled, BURN_WINDOWS};
use crate::promql::{duration, number};
use crate::{Artifact, Build, BuildOptions};

/// The dashboard schema of Grafana 10.4 / 11.0: later versions migrate it on import.
const SCHEMA_VERSION: u64 = 39;
/// Grafana's grid is 24 columns wide.
const GRID_WIDTH: u64 = 24;
/// Grafana refuses uids longer than this.
const UID_MAX: usize = 40;
const THIRTY_DAYS: u64 = 30 * 86_400;

pub(crate) fn build(model: &Model, _options: &BuildOptions, build: &mut Build) {
    for agreement in model.agreements.values() {
        if agreement.objectives.is_empty() {
            continue;
        }
        let dashboard = dashboard(model, agreement);
        match serde_json::to_string_pretty(&dashboard) {
            Ok(text) => build.artifacts.push(Artifact {
                path: PathBuf::from("grafana").join(format!("{}.json", agreement.id)),
                contents: text + "\n",
            }),
            // A `Value` built from strings and numbers always serializes; say so if it ever
            // does not, rather than write half a file.
            Err(error) => build.notes.push(format!(
                "grafana: the dashboard of `{}` could not be written: {error}",
                agreement.id
            )),
        }
    }
}

/// The panel data source: the dashboard's `datasource` variable.
fn datasource() -> Value {
    json!({ "type": "prometheus", "uid": "${datasource}" })
}

/// A stable dashboard uid from the agreement id: `slac-<id>` when it fits (ids are lowercase
/// letters, digits and `_`, all valid in a uid); a longer one is cut and ends with a hash of the
/// whole id, so two long ids with the same start still differ.
pub(crate) fn uid(agreement_id: &str) -> String {
    let clean: String = agreement_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let full = format!("slac-{clean}");
    if full.len() <= UID_MAX && clean == agreement_id {
        return full;
    }
    let hash = format!("{:016x}", fnv1a(agreement_id.as_bytes()));
    let keep = UID_MAX - 1 - 10;
    format!("{}-{}", &full[..full.len().min(keep)], &hash[..10])
}

/// FNV-1a, 64 bits: a hash that never changes between builds or Rust versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn kind_name(kind: AgreementKind) -> &'static str {
    match kind {
        AgreementKind::Customer => "customer",
        AgreementKind::Internal => "internal",
        AgreementKind::Operational => "operational",
        AgreementKind::Underpinning => "underpinning",
    }
}

/// Monitoring objectives with an error budget: the ones with recording rules.
fn has_budget(objective: &Objective) -> bool {
    objective.sli.is_monitoring() && objective.target < 100.0
}

/// `now-30d`: Grafana's relative times take one unit.
fn relative(seconds: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds % size == 0 {
            return format!("now-{}{unit}", seconds / size);
        }
    }
    format!("now-{seconds}s")
}

fn dashboard(model: &Model, agreement: &Agreement) -> Value {
    let mut panels = Panels::default();
    for objective in &agreement.objectives {
        objective_panels(model, agreement, objective, &mut panels);
    }
    // The time range shows the longest objective window of the SLI panels (30 days otherwise).
    let range = agreement
        .objectives
        .iter()
        .filter(|o| has_budget(o))
        .map(|o| o.window.nominal_seconds())
        .max()
        .unwrap_or(THIRTY_DAYS);
    let title = grafana::text(agreement.title.as_deref().unwrap_or(&agreement.id));
    let description = agreement
        .description
        .as_deref()
        .or(agreement.doc.as_deref())
        .map(|text| grafana::text(&text.split_whitespace().collect::<Vec<_>>().join(" ")))
        .unwrap_or_else(|| format!("Service levels of agreement {}.", agreement.id));
    let description = format!(
        "{description} Generated by slac from agreement `{}` (version {}): rebuild it with `slac build --target grafana` rather than edit it.",
        agreement.id, agreement.version
    );
    json!({
        "id": null,
        "uid": uid(&agreement.id),
        "title": title,
        "description": description,
        "tags": ["slac", kind_name(agreement.kind)],
        "editable": true,
        "graphTooltip": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": false,
        "refresh": "5m",
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "timezone": "browser",
        "time": { "from": relative(range), "to": "now" },
        "timepicker": {},
        "links": [],
        "annotations": {
            "list": [{
                "builtIn": 1,
                "datasource": { "type": "grafana", "uid": "-- Grafana --" },
                "enable": true,
                "hide": true,
                "iconColor": "rgba(0, 211, 255, 1)",
                "name": "Annotations & Alerts",
                "type": "dashboard"
            }]
        },
        "templating": {
            "list": [{
                "name": "datasource",
                "label": "Prometheus",
                "type": "datasource",
                "query": "prometheus",
                "current": {},
                "hide": 0,
                "includeAll": false,
                "multi": false,
                "options": [],
                "refresh": 1,
                "regex": "",
                "skipUrlSync": false
            }]
        },
        "panels": panels.list,
    })
}

/// The panels of the dashboard, laid out on Grafana's grid from top to bottom: each call adds a
/// full-width line, so no two panels overlap.
#[derive(Default)]
struct Panels {
    list: Vec<Value>,
    y: u64,
}

impl Panels {
    fn row(&mut self, title: &str) {
        let id = self.list.len() + 1;
        self.list.push(json!({
            "id": id,
            "type": "row",
            "title": title,
            "collapsed": false,
            "panels": [],
            "datasource": datasource(),
            "gridPos": { "h": 1, "w": GRID_WIDTH, "x": 0, "y": self.y },
        }));
        self.y += 1;
    }

    /// A line of panels `height` high, each with its width; the widths add up to at most 24.
    fn line(&mut self, height: u64, panels: Vec<(u64, Value)>) {
        let mut x = 0;
        for (width, mut panel) in panels {
            let id = self.list.len() + 1;
            if let Value::Object(fields) = &mut panel {
                fields.insert("id".into(), json!(id));
                fields.insert("datasource".into(), datasource());
                fields.insert(
                    "gridPos".into(),
                    json!({ "h": height, "w": width, "x": x, "y": self.y }),
                );
            }
            x += width;
            self.list.push(panel);
        }
        self.y += height;
    }
}

/// The objective's title as Grafana shows it (never interpolated as a variable).
fn objective_title(objective: &Objective) -> String {
    grafana::text(objective.title.as_deref().unwrap_or(&objective.id))
}

fn objective_panels(
    model: &Model,
    agreement: &Agreement,
    objective: &Objective,
    panels: &mut Panels,
) {
    let title = objective_title(objective);
    panels.row(&title);
    if has_budget(objective) {
        monitoring_panels(model, agreement, objective, &title, panels);
    } else {
        let content = terms(model, objective);
        // About one grid unit (30 px) per line of Markdown, table rows included.
        let height = (content.lines().filter(|l| !l.is_empty()).count() as u64 + 2).clamp(4, 20);
        panels.line(
            height,
            vec![(
                GRID_WIDTH,
                json!({
                    "type": "text",
                    "title": format!("{title}: terms"),
                    "options": { "mode": "markdown", "content": content },
                }),
            )],
        );
    }
}

/// One query of a panel.
fn query(ref_id: &str, expr: String, legend: &str) -> Value {
    json!({
        "refId": ref_id,
        "datasource": datasource(),
        "editorMode": "code",
        "expr": expr,
        "legendFormat": legend,
        "range": true,
        "instant": false,
    })
}

fn steps(steps: &[(&str, Option<f64>)]) -> Value {
    let steps: Vec<Value> = steps
        .iter()
        .map(|(color, value)| json!({ "color": color, "value": value }))
        .collect();
    json!({ "mode": "absolute", "steps": steps })
}

fn timeseries_options() -> Value {
    json!({
        "legend": { "displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": [] },
        "tooltip": { "mode": "multi", "sort": "none" },
    })
}

fn line_style(thresholds: &str) -> Value {
    json!({
        "drawStyle": "line",
        "lineInterpolation": "linear",
        "lineWidth": 1,
        "fillOpacity": 0,
        "showPoints": "never",
        "spanNulls": false,
        "axisPlacement": "auto",
        "thresholdsStyle": { "mode": thresholds },
    })
}

/// Decimals that show the target's own precision and one more (`99.9%` → `99.95%`).
fn decimals(target: f64) -> usize {
    let text = number(target);
    text.split_once('.').map_or(0, |(_, d)| d.len()) + 1
}

fn window_words(window: Window) -> String {
    match window {
        Window::Rolling(length) => format!("a rolling {length}"),
        Window::Week => "each week".into(),
        Window::Month => "each month".into(),
        Window::Quarter => "each quarter".into(),
        Window::Year => "each year".into(),
    }
}

fn calendar_words(model: &Model, calendar: &str) -> String {
    match model.calendars.get(calendar) {
        Some(found) => format!("calendar `{calendar}` ({})", found.timezone),
        None => format!("calendar `{calendar}`"),
    }
}

fn monitoring_panels(
    model: &Model,
    agreement: &Agreement,
    objective: &Objective,
    title: &str,
    panels: &mut Panels,
) {
    let window = objective.window.nominal_seconds();
    let window_text = duration(window);
    let budget = (100.0 - objective.target) / 100.0;
    let budget_ratio = number(budget);
    let target = number(objective.target / 100.0);
    let target_percent = number(objective.target);
    let labels = format!(
        "{{agreement=\"{}\",objective=\"{}\"}}",
        agreement.id, objective.id
    );
    let rate = |seconds: u64| format!("{}{labels}", ratio_rule(seconds));
    let business = objective.calendar != ALWAYS;
    let counted = if business {
        format!(
            ", counting only the events during the open hours of {}",
            calendar_words(model, &objective.calendar)
        )
    } else {
        String::new()
    };
    let measured = match &objective.sli {
        Sli::Latency {
            histogram,
            threshold,
        } => format!(
            "The share of requests faster than {threshold} (histogram `{}`)",
            histogram.trim()
        ),
        _ => "The share of good events (1 − errors / total)".to_string(),
    };
    let window_note = match objective.window {
        Window::Rolling(_) => String::new(),
        other => format!(" (the `{other}` window counted as {window_text} rolling)"),
    };
    let owner = objective
        .owner
        .as_ref()
        .map(|o| format!(" Owner: {o}."))
        .unwrap_or_default();

    // (1) The SLI against the target.
    let sli = json!({
        "type": "timeseries",
        "title": format!("{title}: SLI over {window_text}"),
        "description": format!(
            "{measured} over the last {window_text}{window_note}{counted}, against the target {target_percent}%.{owner}"
        ),
        "targets": [
            query("A", format!("1 - {}", rate(window)), &format!("SLI over {window_text}")),
            query("B", format!("vector({target})"), &format!("target {target_percent}%")),
        ],
        "fieldConfig": {
            "defaults": {
                "unit": "percentunit",
                "decimals": decimals(objective.target),
                "max": 1,
                "color": { "mode": "palette-classic" },
                "custom": line_style("off"),
                "thresholds": steps(&[("red", None), ("green", Some(objective.target / 100.0))]),
            },
            "overrides": [{
                "matcher": { "id": "byFrameRefID", "options": "B" },
                "properties": [
                    { "id": "color", "value": { "mode": "fixed", "fixedColor": "red" } },
                    { "id": "custom.lineStyle", "value": { "fill": "dash", "dash": [10, 10] } },
                ],
            }],
        },
        "options": timeseries_options(),
    });

    // (2) The error budget left.
    let budget_time = if business {
        format!(
            "The budget is {}% of the events during the open hours of {}: `slac budget {}.{}` gives it as open time.",
            number(100.0 - objective.target),
            calendar_words(model, &objective.calendar),
            agreement.id,
            objective.id
        )
    } else {
        format!(
            "The budget is {}% of the events over {window_text}: {} of complete outage.",
            number(100.0 - objective.target),
            Duration::Millis((budget * window as f64 * 1000.0).round() as u64)
        )
    };
    let left = json!({
        "type": "stat",
        "title": format!("{title}: error budget left"),
        "description": format!(
            "Share of the error budget left over the last {window_text}: 1 − error ratio / {budget_ratio}. {budget_time} Below 0 the objective is breached."
        ),
        "targets": [query("A", format!("1 - {} / {budget_ratio}", rate(window)), "budget left")],
        "fieldConfig": {
            "defaults": {
                "unit": "percentunit",
                "decimals": 1,
                "color": { "mode": "thresholds" },
                "thresholds": steps(&[
                    ("red", None),
                    ("orange", Some(0.0)),
                    ("yellow", Some(0.25)),
                    ("green", Some(0.5)),
                ]),
            },
            "overrides": [],
        },
        "options": {
            "reduceOptions": { "calcs": ["lastNotNull"], "fields": "", "values": false },
            "colorMode": "background",
            "graphMode": "area",
            "justifyMode": "auto",
            "orientation": "auto",
            "textMode": "auto",
        },
    });

    // (3) Burn rates over the alert windows, with the alerts' factors as lines.
    let windows: BTreeSet<u64> = BURN_WINDOWS
        .iter()
        .flat_map(|b| [scaled(b.long, window), scaled(b.short, window)])
        .collect();
    let letters = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];
    let burn_targets: Vec<Value> = windows
        .iter()
        .zip(letters)
        .map(|(&w, letter)| {
            query(
                letter,
                format!("{} / {budget_ratio}", rate(w)),
                &duration(w),
            )
        })
        .collect();
    let conditions: Vec<String> = BURN_WINDOWS
        .iter()
        .map(|b| {
            format!(
                "{} when {} and {} both exceed {}",
                b.severity,
                duration(scaled(b.long, window)),
                duration(scaled(b.short, window)),
                number(b.factor)
            )
        })
        .collect();
    let burn = json!({
        "type": "timeseries",
        "title": format!("{title}: burn rate"),
        "description": format!(
            "Error ratio / {budget_ratio}: how fast the budget burns. At 1 it lasts exactly {window_text}. Alert SlacErrorBudgetBurn: {}.",
            conditions.join("; ")
        ),
        "targets": burn_targets,
        "fieldConfig": {
            "defaults": {
                "unit": "none",
                "decimals": 2,
                "min": 0,
                "color": { "mode": "palette-classic" },
                "custom": line_style("dashed"),
                "thresholds": steps(&[
                    ("green", None),
                    ("yellow", Some(1.0)),
                    ("orange", Some(3.0)),
                    ("red", Some(6.0)),
                    ("dark-red", Some(14.4)),
                ]),
            },
            "overrides": [],
        },
        "options": timeseries_options(),
    });
    panels.line(8, vec![(10, sli), (4, left), (10, burn)]);

    if business {
        let open = json!({
            "type": "state-timeline",
            "title": format!("{title}: open hours of {}", objective.calendar),
            "description": format!(
                "slac:calendar_open: 1 while {} is open (holidays and closures included), 0 otherwise. Only open time counts for this objective.",
                calendar_words(model, &objective.calendar)
            ),
            "targets": [query(
                "A",
                format!(
                    "slac:calendar_open{{calendar=\"{}\",agreement=\"{}\"}}",
                    objective.calendar, agreement.id
                ),
                &objective.calendar,
            )],
            "fieldConfig": {
                "defaults": {
                    "color": { "mode": "thresholds" },
                    "thresholds": steps(&[("transparent", None), ("green", Some(1.0))]),
                    "mappings": [{
                        "type": "value",
                        "options": {
                            "0": { "index": 0, "text": "closed", "color": "transparent" },
                            "1": { "index": 1, "text": "open", "color": "green" },
                        },
                    }],
                    "custom": { "fillOpacity": 70, "lineWidth": 0 },
                },
                "overrides": [],
            },
            "options": {
                "mergeValues": true,
                "showValue": "never",
                "alignValue": "left",
                "rowHeight": 0.9,
                "legend": { "displayMode": "list", "placement": "bottom", "showLegend": false },
                "tooltip": { "mode": "single", "sort": "none" },
            },
        });
        panels.line(4, vec![(GRID_WIDTH, open)]);
    }
}

/// The terms of an objective without recording rules, in Markdown.
fn terms(model: &Model, objective: &Objective) -> String {
    let target = number(objective.target);
    let window = window_words(objective.window);
    let calendar = calendar_words(model, &objective.calendar);
    let mut lines: Vec<String> = Vec::new();
    match &objective.sli {
        Sli::ResponseTime | Sli::ResolutionTime => {
            let (what, column) = if objective.sli == Sli::ResponseTime {
                ("answered", "First response within")
            } else {
                ("resolved", "Resolved within")
            };
            lines.push(format!(
                "**Target: {target}%** of tickets {what} within their deadline, over {window}. Deadlines count the open time of {calendar}."
            ));
            lines.push(String::new());
            lines.push(format!("| Tickets | {column} |"));
            lines.push("|---|---|".into());
            for case in &objective.within {
                let who = if case.is_default() {
                    "every other ticket (default)".to_string()
                } else {
                    let conditions: Vec<String> = case
                        .conditions
                        .iter()
                        .map(|c| {
                            grafana::text(&markdown::cell(&format!(
                                "{} = {}",
                                c.attribute, c.value
                            )))
                        })
                        .collect();
                    conditions.join(" and ")
                };
                let due = match case.duration {
                    Duration::BusinessDays(days) => format!(
                        "{} ({days} business day{})",
                        case.duration,
                        if days == 1 { "" } else { "s" }
                    ),
                    Duration::Millis(_) => format!("{} of open time", case.duration),
                };
                lines.push(format!("| {who} | {due} |"));
            }
            lines.push(String::new());
            let mut rule =
                String::from("When several cases match a ticket, the most specific one applies.");
            if !objective.within.iter().any(|c| c.is_default()) {
                rule.push_str(" There is no default case: a ticket that matches no case is reported as unmatched.");
            }
            lines.push(rule);
        }
        Sli::Delivery => {
            let due = match objective.due {
                Some(due) if due.days == slac_calendar::WeekdaySet::ALL => {
                    format!(" Due every day at {}.", due.time)
                }
                Some(due) => format!(" Due every {} at {}.", due.days, due.time),
                None => String::new(),
            };
            lines.push(format!(
                "**Target: {target}%** of deliveries on time, over {window}.{due} On {calendar}."
            ));
        }
        Sli::Satisfaction { scale, satisfied } => {
            lines.push(format!(
                "**Target: {target}%** of survey answers satisfied, over {window}: an answer of {satisfied} or more on a scale of {scale}."
            ));
        }
        Sli::Ratio { .. } | Sli::Latency { .. } => {
            lines.push(format!(
                "**Target: {target}%** over {window}: no error budget (W001). Any error breaks the objective, so it has no recording rules and no burn-rate panels."
            ));
        }
    }
    if let Some(text) = objective
        .description
        .as_deref()
        .or(objective.doc.as_deref())
    {
        lines.push(String::new());
        lines.push(grafana::text(&markdown::inline(
            &text.split_whitespace().collect::<Vec<_>>().join(" "),
        )));
    }
    let mut facts = Vec::new();
    if let Some(owner) = &objective.owner {
        facts.push(format!("Owner: `{owner}`."));
    }
    if !objective.supports.is_empty() {
        let supported: Vec<String> = objective
            .supports
            .iter()
            .map(|s| format!("`{}.{}`", s.agreement, s.objective))
            .collect();
        facts.push(format!("Underpins {}.", supported.join(", ")));
    }
    if !objective.sli.is_monitoring() {
        facts.push("Measured outside Prometheus: this panel states the terms.".into());
    }
    lines.push(String::new());
    lines.push(facts.join(" "));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_stable_short_and_distinct() {
        assert_eq!(uid("acme_portal_api"), "slac-acme_portal_api");
        let long = "a_very_long_agreement_identifier_that_goes_on_and_on";
        let other = "a_very_long_agreement_identifier_that_goes_on_and_off";
        assert!(uid(long).len() <= UID_MAX, "{}", uid(long));
        assert_eq!(uid(long), uid(long));
        assert_ne!(uid(long), uid(other));
        assert!(uid(long)
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn time_ranges_and_decimals() {
        assert_eq!(relative(THIRTY_DAYS), "now-30d");
        assert_eq!(relative(8640), "now-144m");
        assert_eq!(decimals(99.9), 2);
        assert_eq!(decimals(99.0), 1);
        assert_eq!(decimals(99.95), 3);
    }
}
