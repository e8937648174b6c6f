//! Checks over the resolved model: calendars (E004, E006, W002), escalations (E007), objectives
//! (E011, E012, W001, W005, W006), supporting agreements (E008), inheritance (W004) and dates
//! (W003).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::str::FromStr;

use chrono::{DateTime, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use slac_calendar::{has_calendar_day_units, BusinessCalendar, Duration};
use slac_diagnostics::{did_you_mean, Code, Diagnostic, Label};
use slac_source::SourceMap;
use slac_syntax::Token;

use crate::model::*;
use crate::values::Reader;

/// The zone of a `timezone "…"` field, or UTC after an E004.
pub(crate) fn time_zone(read: &mut Reader<'_>, token: Token) -> Tz {
    let name = read.text_value(token);
    if let Ok(tz) = Tz::from_str(&name) {
        return tz;
    }
    let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
    let suggestion = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .find(|candidate| candidate.eq_ignore_ascii_case(&name))
        .or_else(|| did_you_mean(&name, names));
    let mut diagnostic = Diagnostic::new(
        Code::E004,
        read.file,
        token.span,
        format!("unknown time zone `{name}`"),
    )
    .with_primary_message("not an IANA time zone");
    diagnostic = match suggestion {
        Some(zone) => diagnostic.with_suggestion(&format!("\"{zone}\"")),
        None => diagnostic
            .with_help("use an IANA name such as \"Europe/Paris\" or \"America/New_York\""),
    };
    read.diagnostics.push(diagnostic);
    Tz::UTC
}

pub(crate) struct Checker<'a> {
    pub model: &'a Model,
    pub sources: &'a SourceMap,
    pub today: NaiveDate,
    pub diagnostics: &'a mut Vec<Diagnostic>,
    pub engines: RefCell<HashMap<String, Rc<BusinessCalendar>>>,
}

impl Checker<'_> {
    pub fn run(&mut self) {
        for calendar in self.model.calendars.values() {
            self.calendar(calendar);
        }
        for escalation in self.model.escalations.values() {
            self.escalation(escalation);
        }
        let mut agreements: Vec<&Agreement> = self.model.agreements.values().collect();
        agreements.sort_by_key(|a| (a.at.file, a.at.span.start));
        for agreement in agreements {
            self.agreement(agreement);
        }
    }

    /// The engine of a calendar id (or `always`), built once per check.
    fn engine(&self, calendar: &str) -> Option<Rc<BusinessCalendar>> {
        if let Some(engine) = self.engines.borrow().get(calendar) {
            return Some(engine.clone());
        }
        let engine = Rc::new(self.model.engine(calendar)?);
        self.engines
            .borrow_mut()
            .insert(calendar.to_string(), engine.clone());
        Some(engine)
    }

    fn calendar(&mut self, calendar: &Calendar) {
        let spec = calendar.spec(self.model);
        // Never open in the coming year, holidays and closed periods included.
        let never_open = !calendar.incomplete
            && self.engine(&calendar.id).is_some_and(|engine| {
                let from = self.today.and_time(chrono::NaiveTime::MIN).and_utc();
                engine.open_seconds(from, from + chrono::Duration::days(366)) == 0
            });
        if let Some((earlier, later, day)) = spec.first_overlap() {
            let (first, again) = (calendar.open_at[earlier], calendar.open_at[later]);
            self.diagnostics.push(
                Diagnostic::new(
                    Code::E006,
                    again.file,
                    again.span,
                    format!("open ranges of calendar `{}` overlap on {day}", calendar.id),
                )
                .with_primary_message("overlaps an earlier range")
                .with_label(Label::new(first.file, first.span, "this range"))
                .with_help("an overnight range belongs to the day it starts on; split or shorten one of the ranges"),
            );
        }
        if never_open {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::W002,
                    calendar.at.file,
                    calendar.at.span,
                    format!(
                        "calendar `{}` is never open in the coming year",
                        calendar.id
                    ),
                )
                .with_primary_message("no open time")
                .with_help("add `open <days> HH:MM-HH:MM`, e.g. `open mon-fri 08:00-17:00`"),
            );
        }
    }

    fn escalation(&mut self, escalation: &Escalation) {
        for pair in escalation.levels.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            let problem = if after.level <= before.level {
                Some(format!(
                    "level {} comes after level {}: levels must increase",
                    after.level, before.level
                ))
            } else {
                match (before.threshold, after.threshold) {
                    (Threshold::Breach, Threshold::Percent(_) | Threshold::After(_)) => {
                        Some(format!(
                            "level {} fires before level {}, which is at breach",
                            after.level, before.level
                        ))
                    }
                    (Threshold::Percent(a), Threshold::Percent(b)) if b < a => Some(format!(
                        "level {} at {b}% is below level {} at {a}%",
                        after.level, before.level
                    )),
                    (Threshold::After(a), Threshold::After(b)) if b < a => Some(format!(
                        "level {} at {b} comes before level {} at {a}",
                        after.level, before.level
                    )),
                    _ => None,
                }
            };
            if let Some(message) = problem {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::E007,
                        after.at.file,
                        after.at.span,
                        format!("escalation `{}` out of order: {message}", escalation.id),
                    )
                    .with_primary_message("out of order")
                    .with_label(Label::new(before.at.file, before.at.span, "previous level"))
                    .with_help("levels increase and their thresholds never decrease"),
                );
            }
        }
    }

    fn agreement(&mut self, agreement: &Agreement) {
        self.dates(agreement);
        let parent = agreement
            .extends
            .as_deref()
            .and_then(|p| self.model.agreements.get(p));
        for objective in agreement
            .objectives
            .iter()
            .filter(|o| !o.inherited && !o.incomplete)
        {
            self.objective(agreement, objective);
            if let Some(parent_objective) = parent.and_then(|p| p.objective(&objective.id)) {
                self.weaker_than_parent(agreement, objective, parent_objective);
            }
            for supported in &objective.supports {
                self.support(agreement, objective, supported);
            }
        }
    }

    fn dates(&mut self, agreement: &Agreement) {
        let inherited = |field: &str| agreement.inherited_fields.iter().any(|f| f == field);
        if let Some(end) = agreement.effective.to.filter(|_| !inherited("effective")) {
            if end < self.today {
                let at = agreement.effective_at;
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::W003,
                        at.file,
                        at.span,
                        format!("agreement `{}` ended on {end}", agreement.id),
                    )
                    .with_primary_message("past its end")
                    .with_help(
                        "renew it with a new `effective` period and a new `version`, or remove it",
                    ),
                );
            }
        }
        if let (Some(reviewed), Some(review)) = (agreement.reviewed, &agreement.review) {
            if inherited("reviewed") {
                return;
            }
            let next = match review.cadence {
                Cadence::Weekly => reviewed.checked_add_days(chrono::Days::new(7)),
                Cadence::Monthly => reviewed.checked_add_months(Months::new(1)),
                Cadence::Quarterly => reviewed.checked_add_months(Months::new(3)),
                Cadence::Yearly => reviewed.checked_add_months(Months::new(12)),
                Cadence::Every(duration) => {
                    let days = match duration {
                        Duration::Millis(ms) => ms.div_ceil(86_400_000),
                        Duration::BusinessDays(days) => u64::from(days) * 7 / 5,
                    };
                    reviewed.checked_add_days(chrono::Days::new(days))
                }
            };
            if let Some(next) = next.filter(|next| *next < self.today) {
                let at = agreement.reviewed_at;
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::W003,
                        at.file,
                        at.span,
                        format!(
                            "review of `{}` overdue: last on {reviewed}, next was due by {next}",
                            agreement.id
                        ),
                    )
                    .with_primary_message("review overdue")
                    .with_help("hold the service review and update `reviewed`"),
                );
            }
        }
    }

    fn objective(&mut self, agreement: &Agreement, objective: &Objective) {
        if objective.sli.is_monitoring() && objective.target >= 100.0 {
            let at = objective.target_at;
            self.diagnostics.push(
                Diagnostic::new(Code::W001, at.file, at.span, format!("objective `{}` targets 100%: it has no error budget", objective.id))
                    .with_primary_message("no error budget")
                    .with_help("burn-rate alerts need a budget: a target such as 99.9% allows 43m12s of errors over 30 days"),
            );
        }
        if !objective.supports.is_empty() && !agreement.kind.is_supporting() {
            let at = objective.supports[0].at;
            self.diagnostics.push(
                Diagnostic::new(
                    Code::E011,
                    at.file,
                    at.span,
                    format!("`supports` is for operational and underpinning agreements; `{}` is a {} agreement", agreement.id, kind_name(agreement.kind)),
                )
                .with_primary_message("not allowed here")
                .with_help("set `kind operational` (OLA) or `kind underpinning` (UC)"),
            );
        }
        if let Some(escalation) = objective
            .escalation
            .as_deref()
            .and_then(|e| self.model.escalations.get(e))
        {
            if !objective.sli.is_ticket() {
                if let Some(level) = escalation
                    .levels
                    .iter()
                    .find(|l| matches!(l.threshold, Threshold::After(_)))
                {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::E011,
                            objective.at.file,
                            objective.at.span,
                            format!(
                                "escalation `{}` has a level at a time since the ticket started, but `{}` is not a ticket objective",
                                escalation.id, objective.id
                            ),
                        )
                        .with_primary_message("not a ticket objective")
                        .with_label(Label::new(level.at.file, level.at.span, "time-based level"))
                        .with_help("use `at N%` or `at breach` levels for this objective"),
                    );
                }
            }
        }
        if !objective.sli.is_ticket() {
            return;
        }
        let mut seen: HashMap<Vec<Condition>, &WithinCase> = HashMap::new();
        for case in &objective.within {
            if let Some(first) = seen.get(&case.condition_key()) {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::E012,
                        case.at.file,
                        case.at.span,
                        format!(
                            "objective `{}` has two `within` cases {}",
                            objective.id,
                            case.describe_conditions()
                        ),
                    )
                    .with_primary_message("same conditions as an earlier case")
                    .with_label(Label::new(first.at.file, first.at.span, "first case"))
                    .with_help("keep one deadline per set of conditions"),
                );
            } else {
                seen.insert(case.condition_key(), case);
            }
        }
        if objective.calendar != ALWAYS && self.model.calendars.contains_key(&objective.calendar) {
            for case in &objective.within {
                let text = self.sources.file(case.at.file).slice(case.at.span);
                let duration_text = text.split_whitespace().nth(1).unwrap_or("");
                if has_calendar_day_units(duration_text) {
                    let span = self
                        .engine(&objective.calendar)
                        .and_then(|engine| open_days_taken(&engine, case.duration, self.today))
                        .map(|days| format!(", which takes {days} open days of this calendar"))
                        .unwrap_or_default();
                    let mut diagnostic = Diagnostic::new(
                        Code::W005,
                        case.at.file,
                        case.at.span,
                        format!(
                            "`{duration_text}` on business calendar `{}` means {} hours of open time{span}, not {duration_text} of calendar time",
                            objective.calendar,
                            case.duration.as_millis().unwrap_or(0) / 3_600_000
                        ),
                    )
                    .with_primary_message("calendar days on a business calendar");
                    let days = duration_text
                        .strip_suffix('d')
                        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
                    if let Some(days) = days {
                        let start =
                            case.at.span.start + text.find(duration_text).unwrap_or(0) as u32;
                        diagnostic = diagnostic.with_suggestion(&format!("{days}bd"));
                        if let Some(fix) = diagnostic.fix.as_mut() {
                            fix.span =
                                slac_source::Span::new(start, start + duration_text.len() as u32);
                        }
                    } else {
                        diagnostic = diagnostic.with_help(
                            "write business days as `Nbd`, or hours of open time as `Nh`",
                        );
                    }
                    self.diagnostics.push(diagnostic);
                }
            }
        }
        if objective.supports.is_empty() && !objective.within.iter().any(WithinCase::is_default) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::W006,
                    objective.at.file,
                    objective.at.span,
                    format!("objective `{}` has no default `within` case", objective.id),
                )
                .with_primary_message("no default case")
                .with_help("tickets that match no case are reported as unmatched; add `within <duration>` without `for`"),
            );
        }
    }

    /// W004: a redefined objective that promises less than the parent's.
    fn weaker_than_parent(&mut self, agreement: &Agreement, child: &Objective, parent: &Objective) {
        let parent_agreement = agreement.extends.as_deref().unwrap_or_default();
        if child.target < parent.target {
            let at = child.target_at;
            self.diagnostics.push(
                Diagnostic::new(
                    Code::W004,
                    at.file,
                    at.span,
                    format!(
                        "`{}.{}` targets {}%, below the {}% of `{parent_agreement}` it extends",
                        agreement.id, child.id, child.target, parent.target
                    ),
                )
                .with_primary_message("weaker than the parent")
                .with_label(Label::new(
                    parent.target_at.file,
                    parent.target_at.span,
                    "parent's target",
                )),
            );
        }
        let same_calendar = child.calendar == parent.calendar;
        for case in &child.within {
            let Some(parent_case) = parent
                .within
                .iter()
                .find(|p| p.condition_key() == case.condition_key())
            else {
                continue;
            };
            if same_calendar && longer(case.duration, parent_case.duration) {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::W004,
                        case.at.file,
                        case.at.span,
                        format!(
                            "`{}.{}` allows {} {}, longer than the {} of `{parent_agreement}` it extends",
                            agreement.id,
                            child.id,
                            case.duration,
                            case.describe_conditions(),
                            parent_case.duration
                        ),
                    )
                    .with_primary_message("weaker than the parent")
                    .with_label(Label::new(parent_case.at.file, parent_case.at.span, "parent's case")),
                );
            }
        }
    }

    /// E008: a supporting objective must be at least as strict as the one it supports.
    fn support(&mut self, agreement: &Agreement, objective: &Objective, supported: &ObjectiveRef) {
        let Some(target_agreement) = self.model.agreements.get(&supported.agreement) else {
            return;
        };
        let Some(target) = target_agreement
            .objective(&supported.objective)
            .filter(|o| !o.incomplete)
        else {
            return;
        };
        // Indicators of different kinds measure different things: there is nothing to compare.
        if objective.sli.name() != target.sli.name() {
            return;
        }
        let name = format!("{}.{}", supported.agreement, supported.objective);
        let engines = (
            self.engine(&objective.calendar),
            self.engine(&target.calendar),
        );
        let mut report = |message: String, related: At, related_message: &str| {
            self.diagnostics.push(
                Diagnostic::new(Code::E008, supported.at.file, supported.at.span, message)
                    .with_primary_message("supports a stricter objective")
                    .with_label(Label::new(
                        target.at.file,
                        target.at.span,
                        "the supported objective",
                    ))
                    .with_label(Label::new(
                        related.file,
                        related.span,
                        related_message.to_string(),
                    ))
                    .with_help(
                        "an OLA or UC must promise at least what the SLA it underpins promises",
                    ),
            );
        };
        if objective.target < target.target {
            report(
                format!(
                    "`{}.{}` targets {}%, below the {}% of `{name}` it supports",
                    agreement.id, objective.id, objective.target, target.target
                ),
                objective.target_at,
                "lower target",
            );
        }
        if !objective.sli.is_ticket() {
            return;
        }
        let (Some(own_engine), Some(target_engine)) = engines else {
            return;
        };
        let classes = ticket_classes(objective, target);
        if classes.is_empty() && !objective.within.is_empty() && !target.within.is_empty() {
            report(
                format!(
                    "`{}.{}` gives a deadline to none of the tickets of `{name}` it supports",
                    agreement.id, objective.id
                ),
                objective.at,
                "its cases match none of the supported cases",
            );
            return;
        }
        let calendars = if objective.calendar == target.calendar {
            String::new()
        } else {
            format!(
                " (calendar `{}` against `{}`)",
                objective.calendar, target.calendar
            )
        };
        let mut starts: Option<Vec<i64>> = None;
        for (ticket, own_case, target_case) in classes {
            let (own, theirs) = (own_case.duration, target_case.duration);
            let comparable = objective.calendar == target.calendar
                && std::mem::discriminant(&own) == std::mem::discriminant(&theirs);
            let (later, example) = if comparable {
                (longer(own, theirs), None)
            } else {
                let starts = starts
                    .get_or_insert_with(|| sample_starts(&own_engine, &target_engine, self.today));
                match first_counter_example(&own_engine, own, &target_engine, theirs, starts) {
                    Some(example) => (true, Some(example)),
                    None => (false, None),
                }
            };
            if later {
                let label = match example {
                    Some((start, own_due, target_due)) => {
                        let zone = target_engine.timezone();
                        let at = |t: chrono::DateTime<chrono::Utc>| {
                            t.with_timezone(&zone)
                                .format("%a %-d %b %Y %H:%M")
                                .to_string()
                        };
                        format!(
                            "a ticket {} opened {} is due {} here, {} under `{name}` ({zone})",
                            ticket.replacen("that match ", "that matches ", 1),
                            at(start),
                            at(own_due),
                            at(target_due)
                        )
                    }
                    None => "later deadline".to_string(),
                };
                report(
                    format!(
                        "`{}.{}` allows {} for tickets {}, later than the {} of `{name}` it supports{calendars}",
                        agreement.id, objective.id, own_case.duration, ticket, target_case.duration
                    ),
                    own_case.at,
                    &label,
                );
                return;
            }
        }
    }
}

fn kind_name(kind: AgreementKind) -> &'static str {
    match kind {
        AgreementKind::Customer => "customer",
        AgreementKind::Internal => "internal",
        AgreementKind::Operational => "operational",
        AgreementKind::Underpinning => "underpinning",
    }
}

/// Whether `a` is certainly longer than `b` in units comparable without a calendar.
fn longer(a: Duration, b: Duration) -> bool {
    match (a, b) {
        (Duration::Millis(a), Duration::Millis(b)) => a > b,
        (Duration::BusinessDays(a), Duration::BusinessDays(b)) => a > b,
        _ => false,
    }
}

/// Representative tickets for comparing two ticket objectives: every combination of the values
/// their conditions name (plus "any other value"), with the case each objective gives it, for
/// the tickets both objectives have a deadline for.
fn ticket_classes<'o>(
    own: &'o Objective,
    target: &'o Objective,
) -> Vec<(String, &'o WithinCase, &'o WithinCase)> {
    let mut values: Vec<(String, Vec<String>)> = Vec::new();
    for condition in own
        .within
        .iter()
        .chain(&target.within)
        .flat_map(|c| &c.conditions)
    {
        match values.iter_mut().find(|(a, _)| *a == condition.attribute) {
            Some((_, list)) if !list.contains(&condition.value) => {
                list.push(condition.value.clone())
            }
            Some(_) => {}
            None => values.push((condition.attribute.clone(), vec![condition.value.clone()])),
        }
    }
    // Bounded: beyond a few thousand combinations, compare the listed cases only.
    let combinations: usize = values.iter().map(|(_, v)| v.len() + 1).product();
    let mut tickets: Vec<Vec<(String, String)>> = Vec::new();
    if combinations <= 4096 {
        tickets.push(Vec::new());
        for (attribute, list) in &values {
            let mut next = Vec::new();
            for ticket in &tickets {
                next.push(ticket.clone());
                for value in list {
                    let mut with = ticket.clone();
                    with.push((attribute.clone(), value.clone()));
                    next.push(with);
                }
            }
            tickets = next;
        }
    } else {
        tickets = target
            .within
            .iter()
            .map(|c| {
                c.conditions
                    .iter()
                    .map(|c| (c.attribute.clone(), c.value.clone()))
                    .collect()
            })
            .collect();
    }
    tickets
        .into_iter()
        .filter_map(|ticket| {
            let own_case = own.case_for(&ticket)?;
            let target_case = target.case_for(&ticket)?;
            let words: Vec<String> = ticket.iter().map(|(a, v)| format!("{a} = {v}")).collect();
            let description = if words.is_empty() {
                "that match no condition".to_string()
            } else {
                format!("with {}", words.join(" and "))
            };
            Some((description, own_case, target_case))
        })
        .collect()
}

/// How many open days (local dates with open time) a deadline of `duration` spans, from the
/// first opening after `today`.
fn open_days_taken(
    engine: &BusinessCalendar,
    duration: Duration,
    today: NaiveDate,
) -> Option<usize> {
    let start = engine.next_open(today.and_time(chrono::NaiveTime::MIN).and_utc())?;
    let due = engine.due(start, duration)?;
    let zone = engine.timezone();
    let mut days: Vec<NaiveDate> = engine
        .open_intervals(start, due)
        .iter()
        .map(|(open, _)| open.with_timezone(&zone).date_naive())
        .collect();
    days.dedup();
    Some(days.len())
}

/// Start instants for comparing deadlines on two calendars over the year from `today`: every
/// boundary of an open interval of either calendar, a minute before and after it, the middle of
/// each interval, and one every three hours in between.
fn sample_starts(a: &BusinessCalendar, b: &BusinessCalendar, today: NaiveDate) -> Vec<i64> {
    let from = today.and_time(chrono::NaiveTime::MIN).and_utc();
    let to = from + chrono::Duration::days(366);
    let mut starts: Vec<i64> = (0..366 * 8)
        .map(|i| from.timestamp() + i * 3 * 3600)
        .collect();
    for calendar in [a, b] {
        for (open, close) in calendar.open_intervals(from, to) {
            let (open, close) = (open.timestamp(), close.timestamp());
            for t in [
                open - 60,
                open,
                open + 60,
                (open + close) / 2,
                close - 60,
                close,
                close + 60,
            ] {
                starts.push(t);
            }
        }
    }
    starts.retain(|&t| t >= from.timestamp());
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// The first start instant at which the deadline of `own` on `own_calendar` falls after that of
/// `target` on `target_calendar`: (start, own deadline, target deadline).
fn first_counter_example(
    own_calendar: &BusinessCalendar,
    own: Duration,
    target_calendar: &BusinessCalendar,
    target: Duration,
    starts: &[i64],
) -> Option<(DateTime<Utc>, DateTime<Utc>, DateTime<Utc>)> {
    starts.iter().find_map(|&t| {
        let start = DateTime::from_timestamp(t, 0)?;
        let theirs = target_calendar.due(start, target)?;
        let mine = own_calendar.due(start, own)?;
        (mine > theirs).then_some((start, mine, theirs))
    })
}

/// `YYYY-MM-DD` from `SLAC_TODAY`, else the local date.
pub fn today_from_env() -> Result<NaiveDate, String> {
    match std::env::var("SLAC_TODAY") {
        Ok(value) => NaiveDate::parse_from_str(&value, "%Y-%m-%d")
            .map_err(|_| format!("SLAC_TODAY=`{value}` is not a date: write YYYY-MM-DD")),
        Err(_) => Ok(chrono::Local::now().date_naive()),
    }
}
