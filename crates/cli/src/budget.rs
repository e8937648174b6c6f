//! `slac budget`: what each objective allows, in plain words. A ratio or latency objective has an
//! error budget (`(1 − target) × open time of its window`, language reference §5.1); a ticket
//! objective allows so much open time (or so many business days) per case; deliveries and
//! satisfaction surveys have a target over a window. Each comes with the open time of its
//! window, computed by the calendar engine at "now" (`SLAC_NOW`, else the clock).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use slac_calendar::{BusinessCalendar, Duration, Window};
use slac_model::model::{Agreement, Condition, Objective, Sli, ALWAYS};
use slac_model::Model;

use crate::args::{BudgetArgs, Format};
use crate::calendar::{compact_seconds, load_workspace, write_rfc3339};
use crate::Outcome;

/// The instant budgets are computed at: `SLAC_NOW` (RFC 3339) when set, else the current time.
fn now_from_env() -> Result<DateTime<Utc>, String> {
    match std::env::var("SLAC_NOW") {
        Ok(value) => DateTime::parse_from_rfc3339(value.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                format!("SLAC_NOW=`{value}` is not an RFC 3339 instant: write e.g. 2026-11-25T10:00:00Z")
            }),
        Err(_) => Ok(Utc::now()),
    }
}

pub fn run(args: &BudgetArgs) -> Outcome {
    let now = match now_from_env() {
        Ok(now) => now,
        Err(message) => return Outcome::Environment(message),
    };
    let workspace = match load_workspace(args.workspace.as_deref(), args.format) {
        Ok(workspace) => workspace,
        Err(outcome) => return outcome,
    };
    let model = &workspace.model;
    let selected = match select(model, args.objective.as_deref()) {
        Ok(selected) => selected,
        Err(message) => return Outcome::Environment(message),
    };
    if selected.is_empty() {
        crate::ui::tell!(
            "no agreement in the workspace in {}",
            workspace.root.display()
        );
        return Outcome::Success;
    }
    let mut calendars = Calendars::new(model);
    let mut out = String::new();
    for (agreement, objectives) in &selected {
        if args.format == Format::Human {
            match &agreement.title {
                Some(title) => out.push_str(&format!("{}: {title}\n", agreement.id)),
                None => out.push_str(&format!("{}\n", agreement.id)),
            }
        }
        for objective in objectives {
            let facts = Facts::new(objective, calendars.get(&objective.calendar), now);
            match args.format {
                Format::Human => human(&mut out, objective, &facts),
                Format::Json => {
                    out.push_str(&json_line(agreement, objective, &facts));
                    out.push('\n');
                }
            }
        }
    }
    // Titles come from the contracts; JSON lines escape control characters themselves.
    print!("{}", crate::ui::shown(&out));
    Outcome::Success
}

type Selection<'a> = Vec<(&'a Agreement, Vec<&'a Objective>)>;

/// The agreements and objectives named by `AGREEMENT[.OBJECTIVE]`, or all of them.
fn select<'a>(model: &'a Model, wanted: Option<&str>) -> Result<Selection<'a>, String> {
    let Some(wanted) = wanted else {
        return Ok(model
            .agreements
            .values()
            .map(|a| (a, a.objectives.iter().collect()))
            .collect());
    };
    let (agreement_id, objective_id) = match wanted.split_once('.') {
        Some((a, o)) => (a, Some(o)),
        None => (wanted, None),
    };
    let Some(agreement) = model.agreements.get(agreement_id) else {
        return Err(unknown(
            format!("unknown agreement `{agreement_id}`"),
            agreement_id,
            model.agreements.keys().map(String::as_str),
        ));
    };
    let objectives = match objective_id {
        None => agreement.objectives.iter().collect(),
        Some(id) => match agreement.objective(id) {
            Some(objective) => vec![objective],
            None => {
                return Err(unknown(
                    format!("agreement `{agreement_id}` has no objective `{id}`"),
                    id,
                    agreement.objectives.iter().map(|o| o.id.as_str()),
                ))
            }
        },
    };
    Ok(vec![(agreement, objectives)])
}

fn unknown<'a>(
    mut message: String,
    id: &str,
    known: impl Iterator<Item = &'a str> + Clone,
) -> String {
    if let Some(close) = slac_diagnostics::did_you_mean(id, known.clone()) {
        message.push_str(&format!(": did you mean `{close}`?"));
    }
    let known: Vec<String> = known.map(|k| format!("`{k}`")).collect();
    if known.is_empty() {
        message.push_str(" (there is none)");
    } else {
        message.push_str(&format!(" (known: {})", known.join(", ")));
    }
    message
}

/// The calendar engine of each calendar used, built once.
struct Calendars<'a> {
    model: &'a Model,
    built: BTreeMap<String, BusinessCalendar>,
}

impl<'a> Calendars<'a> {
    fn new(model: &'a Model) -> Self {
        Calendars {
            model,
            built: BTreeMap::new(),
        }
    }

    fn get(&mut self, id: &str) -> &BusinessCalendar {
        let model = self.model;
        self.built.entry(id.to_string()).or_insert_with(|| {
            match model.calendars.get(id).filter(|_| id != ALWAYS) {
                Some(calendar) => BusinessCalendar::new(calendar.spec(model)),
                None => BusinessCalendar::always(),
            }
        })
    }
}

/// What the calendar engine says about an objective's window at "now".
struct Facts<'a> {
    calendar: &'a BusinessCalendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    open_seconds: i64,
    /// Only for ratio and latency objectives.
    budget_seconds: Option<f64>,
    always_open: bool,
}

impl<'a> Facts<'a> {
    fn new(objective: &Objective, calendar: &'a BusinessCalendar, now: DateTime<Utc>) -> Self {
        let budget = calendar.budget(objective.window, objective.target, now);
        Facts {
            calendar,
            from: budget.from,
            to: budget.to,
            open_seconds: budget.open_seconds,
            budget_seconds: objective
                .sli
                .is_monitoring()
                .then_some(budget.budget_seconds),
            always_open: calendar.spec().is_always_open(),
        }
    }

    /// Open time in words: days on a calendar that is always open (`30d`), hours otherwise
    /// (`176h`), since a business "day" of open time means nothing.
    fn open_words(&self, seconds: i64) -> String {
        let seconds = seconds.max(0) as u64;
        if self.always_open {
            compact_seconds(seconds)
        } else {
            hours(seconds)
        }
    }

    /// `month of 2026-11`, `week of 2026-11-23`, `quarter 2026-Q4`, `year 2026`; `None` for a
    /// rolling window.
    fn period(&self, window: Window) -> Option<String> {
        let start = self
            .from
            .with_timezone(&self.calendar.timezone())
            .date_naive();
        Some(match window {
            Window::Rolling(_) => return None,
            Window::Week => format!("week of {}", start.format("%Y-%m-%d")),
            Window::Month => format!("month of {}", start.format("%Y-%m")),
            Window::Quarter => format!("quarter {}-Q{}", start.year(), start.month0() / 3 + 1),
            Window::Year => format!("year {}", start.year()),
        })
    }

    /// `(month of 2026-11: 176h open)`, or for a rolling window on a business calendar
    /// `(190h open in the last 30d)`; `None` for a rolling window that is always open.
    fn window_note(&self, window: Window) -> Option<String> {
        let open = self.open_words(self.open_seconds);
        match self.period(window) {
            Some(period) => Some(format!("{period}: {open} open")),
            None if self.always_open => None,
            None => Some(format!("{open} open in the last {window}")),
        }
    }

    fn instant(&self, t: DateTime<Utc>) -> String {
        let mut out = Vec::new();
        write_rfc3339(&mut out, t, self.calendar.timezone());
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Whole hours and the rest: `176h`, `45h30m`, `0s`.
fn hours(seconds: u64) -> String {
    let (h, rest) = (seconds / 3600, seconds % 3600);
    let mut text = String::new();
    if h > 0 {
        text.push_str(&format!("{h}h"));
    }
    if rest > 0 || h == 0 {
        text.push_str(&compact_seconds(rest));
    }
    text
}

/// A budget in seconds as compact text: rounded to the second from a minute up, to the
/// millisecond below (`1s800ms` for 99.95% of an hour).
fn budget_words(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    let ms = if ms >= 60_000 {
        (ms + 500) / 1000 * 1000
    } else {
        ms
    };
    Duration::Millis(ms).to_string()
}

/// `over 30d` or `per month`.
fn window_words(window: Window) -> String {
    match window {
        Window::Rolling(_) => format!("over {window}"),
        _ => format!("per {window}"),
    }
}

/// ` on paris_office`, or nothing for `always`.
fn on_calendar(objective: &Objective) -> String {
    if objective.calendar == ALWAYS {
        String::new()
    } else {
        format!(" on {}", objective.calendar)
    }
}

fn percent(value: f64) -> String {
    format!("{value}%")
}

fn human(out: &mut String, objective: &Objective, facts: &Facts) {
    let target = percent(objective.target);
    let window = window_words(objective.window);
    let calendar = on_calendar(objective);
    let note = facts
        .window_note(objective.window)
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let id = &objective.id;
    match &objective.sli {
        Sli::Ratio { .. } | Sli::Latency { .. } => {
            let budget = facts.budget_seconds.unwrap_or(0.0);
            let allowance = if objective.target >= 100.0 {
                String::from("no error budget (target 100%)")
            } else {
                format!("error budget {}", budget_words(budget))
            };
            let latency = match &objective.sli {
                Sli::Latency { threshold, .. } => format!(" of requests under {threshold}"),
                _ => String::new(),
            };
            if facts.period(objective.window).is_none() && facts.always_open {
                out.push_str(&format!(
                    "  {id}: {target}{latency} {window}{calendar}: {allowance} of {} open time\n",
                    facts.open_words(facts.open_seconds)
                ));
            } else {
                out.push_str(&format!(
                    "  {id}: {target}{latency} {window}{calendar}: {allowance}{note}\n"
                ));
            }
        }
        Sli::ResponseTime | Sli::ResolutionTime => {
            let done = if matches!(objective.sli, Sli::ResponseTime) {
                "responded to"
            } else {
                "resolved"
            };
            let weekly = facts.calendar.spec().weekly_open_minutes() as u64 * 60;
            let week = if facts.always_open {
                String::from("open all the time")
            } else {
                format!("{} open a week", hours(weekly))
            };
            let window_note = facts
                .window_note(objective.window)
                .map(|n| format!("; {n}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {id}: {target} of tickets {done} in time, {window}{calendar} ({week}{window_note})\n"
            ));
            for case in &objective.within {
                let who = if case.is_default() {
                    String::from("every other ticket")
                } else {
                    case.conditions
                        .iter()
                        .map(|c| format!("{} {}", c.attribute, c.value))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                out.push_str(&format!("    {who}: {}\n", allowed(case.duration)));
            }
            if !objective.within.iter().any(|c| c.is_default()) {
                out.push_str("    other tickets: no case, reported as unmatched\n");
            }
        }
        Sli::Delivery => {
            let due = objective
                .due
                .map(|d| format!(", due every {} {}", d.days, d.time))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {id}: {target} of deliveries on time {window}{calendar}{due}{note}\n"
            ));
        }
        Sli::Satisfaction { scale, satisfied } => {
            out.push_str(&format!(
                "  {id}: {target} of survey answers at {satisfied} or more out of {scale}, {window}{note}\n"
            ));
        }
    }
}

/// The time a `within` case allows: `1h of open time`, `2bd`.
fn allowed(duration: Duration) -> String {
    match duration {
        Duration::Millis(_) => format!("{duration} of open time"),
        Duration::BusinessDays(_) => duration.to_string(),
    }
}

/// One line of `slac budget --format json`; fields that do not apply to the objective's kind are
/// left out.
#[derive(Serialize)]
struct Record<'a> {
    agreement: &'a str,
    objective: &'a str,
    kind: &'static str,
    target: f64,
    window: String,
    calendar: &'a str,
    window_from: String,
    window_to: String,
    open_seconds: i64,
    weekly_open_seconds: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cases: Option<Vec<CaseRecord<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due: Option<DueRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scale: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    satisfied: Option<u32>,
}

#[derive(Serialize)]
struct CaseRecord<'a> {
    conditions: &'a [Condition],
    within: String,
    /// The open time allowed, for a length of time.
    within_seconds: Option<u64>,
    /// The number of business days, for `Nbd`.
    business_days: Option<u32>,
}

#[derive(Serialize)]
struct DueRecord {
    days: String,
    time: String,
}

fn json_line(agreement: &Agreement, objective: &Objective, facts: &Facts) -> String {
    let mut record = Record {
        agreement: &agreement.id,
        objective: &objective.id,
        kind: objective.sli.name(),
        target: objective.target,
        window: objective.window.to_string(),
        calendar: &objective.calendar,
        window_from: facts.instant(facts.from),
        window_to: facts.instant(facts.to),
        open_seconds: facts.open_seconds,
        weekly_open_seconds: u64::from(facts.calendar.spec().weekly_open_minutes()) * 60,
        budget_seconds: facts
            .budget_seconds
            .map(|seconds| (seconds * 1000.0).round() / 1000.0),
        threshold: None,
        cases: None,
        due: None,
        scale: None,
        satisfied: None,
    };
    match &objective.sli {
        Sli::Ratio { .. } => {}
        Sli::Latency { threshold, .. } => record.threshold = Some(threshold.to_string()),
        Sli::ResponseTime | Sli::ResolutionTime => {
            record.cases = Some(
                objective
                    .within
                    .iter()
                    .map(|case| CaseRecord {
                        conditions: &case.conditions,
                        within: case.duration.to_string(),
                        within_seconds: case.duration.as_millis().map(|ms| ms.div_ceil(1000)),
                        business_days: match case.duration {
                            Duration::BusinessDays(n) => Some(n),
                            Duration::Millis(_) => None,
                        },
                    })
                    .collect(),
            );
        }
        Sli::Delivery => {
            record.due = objective.due.map(|due| DueRecord {
                days: due.days.to_string(),
                time: due.time.to_string(),
            });
        }
        Sli::Satisfaction { scale, satisfied } => {
            record.scale = Some(*scale);
            record.satisfied = Some(*satisfied);
        }
    }
    serde_json::to_string(&record).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_read_compactly() {
        assert_eq!(budget_words(2_591.999_999), "43m12s");
        assert_eq!(budget_words(12_960.4), "3h36m");
        assert_eq!(budget_words(1.8), "1s800ms");
        assert_eq!(hours(176 * 3600), "176h");
        assert_eq!(hours(45 * 3600 + 1800), "45h30m");
        assert_eq!(hours(0), "0s");
    }
}
