//! Service reviews: what was delivered, measured against what the agreement promises.
//!
//! [`measure`] reads the data of a review — ticket events (`.jsonl`), ticket rows (`.csv`),
//! deliveries and survey answers (`.jsonl`) — line by line, and gives a [`Report`] for a
//! [`Period`]: per objective, the measure against the target, the breached, pending and unmatched
//! tickets, the escalations that would have fired, the deliveries, the survey answers; per
//! agreement, the service credits owed and the "watermelon" warning. Every line that cannot be
//! used is a [`BadLine`] with its file, line number and reason; the rest is still measured.
//!
//! # Semantics
//!
//! - **Period membership.** A ticket belongs to the period in which it was opened, read in the
//!   objective calendar's zone; tickets opened before or after are left out (their events are
//!   counted as `outside_period`). A ticket is judged as it stands at the end of the period:
//!   events at or after the end are not used. Survey answers count in the period of their
//!   instant; deliveries meet the due instants of the period.
//! - **Clocks.** The response clock runs from `opened` to the first `responded` (a ticket
//!   resolved without a response counts as responded at its first resolution). The resolution
//!   clock runs from `opened` to `resolved`; a `reopened` ticket runs again until the next
//!   `resolved`, the time between a resolution and its reopening not counting. Pauses
//!   (`paused` … `resumed`) stop both clocks: the language reference (§4.2) says the clock
//!   "pauses while it waits on the customer, and stops at the first response (resolution)".
//!   The deadline is the calendar engine's `due_with_pauses` on the objective's calendar.
//! - **Outcome.** A ticket whose clock stopped at or before its deadline is met; after it,
//!   breached (late by open time, pauses excluded, and by wall time). A ticket still running at
//!   the end of the period is breached when its deadline has passed (late up to the end of the
//!   period, `actual` empty), otherwise pending. Pending tickets do not count in the measure;
//!   unmatched tickets (no `within` case) are listed and do not count either.
//! - **Escalations.** For each ticket, the levels of the objective's (else the agreement's)
//!   escalation policy that fired before its clock stopped (or the end of the period): `at N%`
//!   when N% of the time allowed (open time from opening to the deadline, pauses excluded) has
//!   run, `at <duration>` that much wall time after opening, `at breach` at the deadline of a
//!   breached ticket.
//! - **Credits.** See [`credits`]: per objective the biggest tier whose `below` the measure is
//!   under; the objectives' refunds add up, capped at `cap`, as a share of the fee of the period.
//!   An objective without a measure owes nothing.
//! - **Watermelon.** A warning when a satisfaction objective is missed while every other
//!   objective of the agreement is met or not measured.
//! - **Order of events.** A ticket's events must come in time order (across files, read in the
//!   order given); an event before the ticket's previous one, a duplicate, or an event that does
//!   not fit the ticket's state (`resumed` without `paused`, `reopened` before `resolved`…) is a
//!   bad line and is not applied.
//! - **Memory.** The state of a ticket (its opening, attributes, pauses and resolutions) is kept
//!   from its opening until the end of the input, since a `reopened` may still come, only for
//!   tickets opened in the period; of the tickets opened before the period only their ids are
//!   kept (to recognise their later events). Memory is bounded by the tickets of the period, not
//!   by the size of the input.

pub mod credits;
pub mod deliveries;
pub mod html;
pub mod input;
pub mod markdown;
pub mod period;
mod tickets;
pub mod weeks;

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use slac_calendar::BusinessCalendar;
use slac_model::model::{Agreement, Objective, Sli};
use slac_model::Model;

pub use credits::{CreditLine, CreditReport};
pub use deliveries::DueReport;
pub use input::{BadLine, Event, EventKind, Format, Reader};
pub use period::{Period, PeriodError};
pub use weeks::WeekMeasure;

use tickets::{Clock, Outcome, Ticket};
use weeks::WeekCounter;

/// How many bad lines are listed one by one; all are counted.
pub const MAX_LISTED_BAD_LINES: usize = 10_000;

/// The review of a period.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub period: Period,
    pub agreements: Vec<AgreementReport>,
    pub summary: Summary,
    /// The first [`MAX_LISTED_BAD_LINES`] bad lines, in input order.
    pub bad_lines: Vec<BadLine>,
}

impl Report {
    /// Every objective measured is met (or has no data) and no input line was bad.
    pub fn all_met(&self) -> bool {
        self.summary.bad_lines == 0
            && self
                .agreements
                .iter()
                .flat_map(|a| &a.objectives)
                .all(|o| o.status != Status::Missed)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    /// Non-blank lines read.
    pub lines: u64,
    /// Events used.
    pub events: u64,
    pub bad_lines: u64,
    /// Events left out because they fall outside the period (or belong to a ticket opened
    /// outside it).
    pub outside_period: u64,
    /// Events of other agreements than the one reviewed.
    pub other_agreements: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgreementReport {
    pub id: String,
    pub title: Option<String>,
    pub objectives: Vec<ObjectiveReport>,
    pub credit: Option<CreditReport>,
    /// A satisfaction objective is missed while the other objectives are met or not measured.
    pub watermelon: bool,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    Missed,
    /// Nothing to measure in the period (no ticket decided, no due instant, no answer).
    NoData,
    /// Ratio and latency objectives need monitoring data, not read here.
    NotMeasured,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveReport {
    pub id: String,
    pub title: Option<String>,
    pub sli: &'static str,
    pub calendar: String,
    /// The period in the calendar's zone.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// In percent.
    pub target: f64,
    /// In percent: `good / (good + bad)`.
    pub measured: Option<f64>,
    pub status: Status,
    pub counts: Counts,
    pub breaches: Vec<Breach>,
    pub pending: Vec<Pending>,
    pub unmatched: Vec<String>,
    pub escalations: Vec<TicketEscalation>,
    pub deliveries: Vec<DueReport>,
    /// The measure per ISO week overlapping the period (tickets by the week they were opened,
    /// due instants by the week they fall due, answers by the week they were given); empty for
    /// ratio and latency objectives.
    pub weeks: Vec<WeekMeasure>,
}

/// Tickets: `total` of the period, `good` met, `bad` breached, `pending`, `unmatched`.
/// Deliverables: due instants met and missed. Satisfaction: answers satisfied and not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: u64,
    pub good: u64,
    pub bad: u64,
    pub pending: u64,
    pub unmatched: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    pub ticket: String,
    /// The case, in words: "for priority = P1", "by default".
    pub case: String,
    pub within: String,
    pub opened: DateTime<Utc>,
    pub due: DateTime<Utc>,
    /// When the clock stopped; `None` when still running at the end of the period.
    pub actual: Option<DateTime<Utc>>,
    pub late_open_seconds: i64,
    pub late_wall_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pending {
    pub ticket: String,
    pub case: String,
    pub opened: DateTime<Utc>,
    pub due: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketEscalation {
    pub ticket: String,
    pub levels: Vec<EscalationFired>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationFired {
    pub level: u32,
    pub at: DateTime<Utc>,
    /// Contact references: `party.contact` or `party`.
    pub notify: Vec<String>,
}

/// A review that cannot be made at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    UnknownAgreement(String),
    UnknownCalendar { objective: String, calendar: String },
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::UnknownAgreement(id) => write!(f, "no agreement `{id}` in the workspace"),
            ReportError::UnknownCalendar {
                objective,
                calendar,
            } => write!(
                f,
                "objective `{objective}` uses calendar `{calendar}`, which is not defined"
            ),
        }
    }
}

impl std::error::Error for ReportError {}

/// What is gathered for one objective while reading.
struct ObjectiveState<'m> {
    objective: &'m Objective,
    engine: Arc<BusinessCalendar>,
    bounds: (DateTime<Utc>, DateTime<Utc>),
    deliveries: Vec<DateTime<Utc>>,
    answers: u64,
    satisfied: u64,
    /// Satisfaction objectives: the answers per week.
    answer_weeks: Option<WeekCounter>,
}

struct AgreementState<'m> {
    agreement: &'m Agreement,
    objectives: Vec<ObjectiveState<'m>>,
    /// The earliest start and latest end of the objectives' periods.
    span: (DateTime<Utc>, DateTime<Utc>),
    has_tickets: bool,
    tickets: HashMap<String, Ticket>,
    /// Ids of tickets opened before the period.
    before: HashSet<String>,
    seen: bool,
}

/// Measures the service of `agreement` (every agreement named by the data when `None`) over
/// `period`, from `inputs`: (path, reader) pairs read in order, line by line; the format comes
/// from the path's extension (`.jsonl` or `.csv`).
pub fn measure<I>(
    model: &Model,
    agreement: Option<&str>,
    period: &Period,
    inputs: I,
) -> Result<Report, ReportError>
where
    I: IntoIterator<Item = (PathBuf, Box<dyn BufRead>)>,
{
    if let Some(id) = agreement {
        if !model.agreements.contains_key(id) {
            return Err(ReportError::UnknownAgreement(id.to_string()));
        }
    }
    let mut engines: HashMap<&str, Arc<BusinessCalendar>> = HashMap::new();
    let mut states: Vec<AgreementState> = Vec::new();
    for a in model.agreements.values() {
        if agreement.is_some_and(|id| id != a.id) {
            continue;
        }
        let mut objectives = Vec::new();
        for o in &a.objectives {
            let engine = match engines.get(o.calendar.as_str()) {
                Some(engine) => engine.clone(),
                None => {
                    let engine = Arc::new(model.engine(&o.calendar).ok_or_else(|| {
                        ReportError::UnknownCalendar {
                            objective: format!("{}.{}", a.id, o.id),
                            calendar: o.calendar.clone(),
                        }
                    })?);
                    engines.insert(&o.calendar, engine.clone());
                    engine
                }
            };
            let bounds = period.bounds(engine.timezone());
            let answer_weeks = matches!(o.sli, Sli::Satisfaction { .. })
                .then(|| WeekCounter::new(period, engine.timezone()));
            objectives.push(ObjectiveState {
                objective: o,
                engine,
                bounds,
                deliveries: Vec::new(),
                answers: 0,
                satisfied: 0,
                answer_weeks,
            });
        }
        let fallback = period.bounds(chrono_tz::UTC);
        let span = (
            objectives
                .iter()
                .map(|o| o.bounds.0)
                .min()
                .unwrap_or(fallback.0),
            objectives
                .iter()
                .map(|o| o.bounds.1)
                .max()
                .unwrap_or(fallback.1),
        );
        states.push(AgreementState {
            agreement: a,
            has_tickets: a.objectives.iter().any(|o| o.sli.is_ticket()),
            objectives,
            span,
            tickets: HashMap::new(),
            before: HashSet::new(),
            seen: agreement.is_some(),
        });
    }
    let index: HashMap<&str, usize> = states
        .iter()
        .enumerate()
        .map(|(i, s)| (s.agreement.id.as_str(), i))
        .collect();
    let default_agreement: Option<&str> = match agreement {
        Some(id) => Some(id),
        None if model.agreements.len() == 1 => model.agreements.keys().next().map(String::as_str),
        None => None,
    };

    let mut summary = Summary::default();
    let mut bad_lines = Vec::new();
    for (path, input) in inputs {
        summary.files += 1;
        let Some(format) = Format::of(&path) else {
            note_bad(
                &mut summary,
                &mut bad_lines,
                &path,
                0,
                "unknown kind of file: use `.jsonl` for events or `.csv` for ticket rows".into(),
            );
            continue;
        };
        for (line, result) in Reader::new(input, format) {
            summary.lines += 1;
            let outcome = result.and_then(|events| {
                let mut used = 0;
                for event in events {
                    match route(model, &index, default_agreement, &mut states, event)? {
                        Routed::Used => used += 1,
                        Routed::OutsidePeriod => summary.outside_period += 1,
                        Routed::OtherAgreement => summary.other_agreements += 1,
                    }
                }
                Ok(used)
            });
            match outcome {
                Ok(used) => summary.events += used,
                Err(reason) => note_bad(&mut summary, &mut bad_lines, &path, line, reason),
            }
        }
    }

    let agreements = states
        .into_iter()
        .filter(|s| s.seen)
        .map(|s| review(model, s, period))
        .collect();
    Ok(Report {
        period: period.clone(),
        agreements,
        summary,
        bad_lines,
    })
}

fn note_bad(
    summary: &mut Summary,
    bad_lines: &mut Vec<BadLine>,
    path: &std::path::Path,
    line: u64,
    reason: String,
) {
    summary.bad_lines += 1;
    if bad_lines.len() < MAX_LISTED_BAD_LINES {
        bad_lines.push(BadLine {
            file: path.to_path_buf(),
            line,
            reason,
        });
    }
}

enum Routed {
    Used,
    OutsidePeriod,
    OtherAgreement,
}

/// Applies one event to the state of its agreement.
fn route(
    model: &Model,
    index: &HashMap<&str, usize>,
    default_agreement: Option<&str>,
    states: &mut [AgreementState],
    event: Event,
) -> Result<Routed, String> {
    let id = match (&event.agreement, default_agreement) {
        (Some(id), _) => id.as_str(),
        (None, Some(id)) => id,
        (None, None) => {
            return Err(
                "no `agreement` in the event, and the workspace has several agreements: add \"agreement\" or name the agreement to review".into(),
            )
        }
    };
    let Some(&i) = index.get(id) else {
        if model.agreements.contains_key(id) {
            return Ok(Routed::OtherAgreement);
        }
        return Err(format!("unknown agreement `{id}`"));
    };
    let state = &mut states[i];
    state.seen = true;
    let (start, end) = state.span;
    match event.kind {
        EventKind::Delivered => {
            let name = event.objective.as_deref().unwrap_or_default();
            let objective = find_objective(state, name, |s| matches!(s, Sli::Delivery))?;
            if event.at >= end {
                return Ok(Routed::OutsidePeriod);
            }
            objective.deliveries.push(event.at);
            Ok(Routed::Used)
        }
        EventKind::Survey => {
            let objective = match event.objective.as_deref() {
                Some(name) => {
                    find_objective(state, name, |s| matches!(s, Sli::Satisfaction { .. }))?
                }
                None => {
                    let mut found = state
                        .objectives
                        .iter_mut()
                        .filter(|o| matches!(o.objective.sli, Sli::Satisfaction { .. }));
                    match (found.next(), found.next()) {
                        (Some(o), None) => o,
                        (None, _) => {
                            return Err(format!(
                                "agreement `{id}` has no satisfaction objective"
                            ))
                        }
                        (Some(_), Some(_)) => {
                            return Err(format!(
                                "agreement `{id}` has several satisfaction objectives: add \"objective\""
                            ))
                        }
                    }
                }
            };
            let Sli::Satisfaction { scale, satisfied } = objective.objective.sli else {
                return Err("not a satisfaction objective".into());
            };
            let score = event.score.unwrap_or(0);
            if score < 1 || score > i64::from(scale) {
                return Err(format!("score {score} is outside the scale 1 to {scale}"));
            }
            if event.at < objective.bounds.0 || event.at >= objective.bounds.1 {
                return Ok(Routed::OutsidePeriod);
            }
            objective.answers += 1;
            let good = score >= i64::from(satisfied);
            if good {
                objective.satisfied += 1;
            }
            if let Some(weeks) = &mut objective.answer_weeks {
                weeks.add(event.at, good);
            }
            Ok(Routed::Used)
        }
        kind => {
            if !state.has_tickets {
                return Err(format!("agreement `{id}` has no ticket objective"));
            }
            if let Some(ticket) = state.tickets.get_mut(&event.ticket) {
                if event.at >= end {
                    return Ok(Routed::OutsidePeriod);
                }
                ticket.apply(kind, event.at)?;
                return Ok(Routed::Used);
            }
            if state.before.contains(&event.ticket) {
                if kind == EventKind::Opened {
                    return Err(format!("ticket `{}` is already opened", event.ticket));
                }
                return Ok(Routed::OutsidePeriod);
            }
            if kind == EventKind::Opened {
                if event.at < start {
                    state.before.insert(event.ticket);
                    return Ok(Routed::OutsidePeriod);
                }
                if event.at >= end {
                    return Ok(Routed::OutsidePeriod);
                }
                state
                    .tickets
                    .insert(event.ticket, Ticket::new(event.at, event.attrs));
                return Ok(Routed::Used);
            }
            if event.at < start || event.at >= end {
                // A ticket opened outside the period whose `opened` is not in the data.
                return Ok(Routed::OutsidePeriod);
            }
            Err(format!(
                "no `opened` event for ticket `{}` before this `{}`",
                event.ticket,
                kind.name()
            ))
        }
    }
}

fn find_objective<'s, 'm>(
    state: &'s mut AgreementState<'m>,
    name: &str,
    kind: impl Fn(&Sli) -> bool,
) -> Result<&'s mut ObjectiveState<'m>, String> {
    let agreement = &state.agreement.id;
    let Some(objective) = state.objectives.iter_mut().find(|o| o.objective.id == name) else {
        return Err(format!(
            "unknown objective `{name}` in agreement `{agreement}`"
        ));
    };
    if !kind(&objective.objective.sli) {
        return Err(format!(
            "objective `{agreement}.{name}` measures `{}`, not this event",
            objective.objective.sli.name()
        ));
    }
    Ok(objective)
}

/// The report of one agreement once every line is read.
fn review(model: &Model, state: AgreementState, period: &Period) -> AgreementReport {
    let agreement = state.agreement;
    let mut tickets: Vec<(&String, &Ticket)> = state.tickets.iter().collect();
    tickets.sort_by(|a, b| (a.1.opened, a.0).cmp(&(b.1.opened, b.0)));
    let objectives: Vec<ObjectiveReport> = state
        .objectives
        .iter()
        .map(|o| review_objective(model, agreement, o, &tickets, period))
        .collect();

    let mut warnings = Vec::new();
    let satisfaction_missed: Vec<&str> = objectives
        .iter()
        .filter(|o| o.sli == "satisfaction" && o.status == Status::Missed)
        .map(|o| o.id.as_str())
        .collect();
    let others_fine = objectives
        .iter()
        .filter(|o| o.sli != "satisfaction")
        .all(|o| o.status != Status::Missed);
    let watermelon = !satisfaction_missed.is_empty() && others_fine;
    if watermelon {
        warnings.push(format!(
            "watermelon effect: the service objectives are met (or not measured) but satisfaction is missed ({})",
            satisfaction_missed.join(", ")
        ));
    }
    let credit = credits::credits(agreement, &objectives, period);
    if credit.as_ref().is_some_and(|c| c.amount.is_none()) && agreement.fee.is_some() {
        warnings.push(
            "the fee has no `per` period (or an unreadable amount): credits are given in percent only"
                .into(),
        );
    }
    AgreementReport {
        id: agreement.id.clone(),
        title: agreement.title.clone(),
        objectives,
        credit,
        watermelon,
        warnings,
    }
}

fn review_objective(
    model: &Model,
    agreement: &Agreement,
    state: &ObjectiveState,
    tickets: &[(&String, &Ticket)],
    period: &Period,
) -> ObjectiveReport {
    let o = state.objective;
    let mut report = ObjectiveReport {
        id: o.id.clone(),
        title: o.title.clone(),
        sli: o.sli.name(),
        calendar: o.calendar.clone(),
        from: state.bounds.0,
        to: state.bounds.1,
        target: o.target,
        measured: None,
        status: Status::NoData,
        counts: Counts::default(),
        breaches: Vec::new(),
        pending: Vec::new(),
        unmatched: Vec::new(),
        escalations: Vec::new(),
        deliveries: Vec::new(),
        weeks: Vec::new(),
    };
    let mut weeks = WeekCounter::new(period, state.engine.timezone());
    match &o.sli {
        Sli::ResponseTime | Sli::ResolutionTime => {
            let clock = if o.sli == Sli::ResponseTime {
                Clock::Response
            } else {
                Clock::Resolution
            };
            let policy = model.escalation_for(agreement, o);
            for (id, ticket) in tickets {
                if ticket.opened < state.bounds.0 || ticket.opened >= state.bounds.1 {
                    continue;
                }
                report.counts.total += 1;
                let Some(case) = o.case_for(&ticket.attrs) else {
                    report.counts.unmatched += 1;
                    report.unmatched.push((*id).clone());
                    continue;
                };
                let judged = tickets::judge(
                    ticket,
                    id,
                    clock,
                    case.duration,
                    &state.engine,
                    state.bounds.1,
                    policy,
                );
                match judged.outcome {
                    Outcome::Met { .. } => {
                        report.counts.good += 1;
                        weeks.add(ticket.opened, true);
                    }
                    Outcome::Breached {
                        due,
                        actual,
                        late_open_seconds,
                        late_wall_seconds,
                    } => {
                        report.counts.bad += 1;
                        weeks.add(ticket.opened, false);
                        report.breaches.push(Breach {
                            ticket: (*id).clone(),
                            case: case.describe_conditions(),
                            within: case.duration.to_string(),
                            opened: ticket.opened,
                            due,
                            actual,
                            late_open_seconds,
                            late_wall_seconds,
                        });
                    }
                    Outcome::Pending { due } => {
                        report.counts.pending += 1;
                        report.pending.push(Pending {
                            ticket: (*id).clone(),
                            case: case.describe_conditions(),
                            opened: ticket.opened,
                            due,
                        });
                    }
                }
                report.escalations.extend(judged.escalation);
            }
        }
        Sli::Delivery => {
            if let Some(due) = o.due {
                let mut deliveries = state.deliveries.clone();
                deliveries.sort();
                let (previous, instants) = deliveries::due_instants(
                    due,
                    state.engine.timezone(),
                    period.from,
                    period.until,
                    state.bounds,
                );
                report.deliveries = deliveries::judge(previous, &instants, &deliveries);
                report.counts.total = report.deliveries.len() as u64;
                report.counts.good = report.deliveries.iter().filter(|d| d.met).count() as u64;
                report.counts.bad = report.counts.total - report.counts.good;
                for d in &report.deliveries {
                    weeks.add(d.due, d.met);
                }
            }
        }
        Sli::Satisfaction { .. } => {
            report.counts.total = state.answers;
            report.counts.good = state.satisfied;
            report.counts.bad = state.answers - state.satisfied;
            if let Some(answers) = &state.answer_weeks {
                weeks = answers.clone();
            }
        }
        Sli::Ratio { .. } | Sli::Latency { .. } => {
            report.status = Status::NotMeasured;
            return report;
        }
    }
    report.weeks = weeks.finish();
    let decided = report.counts.good + report.counts.bad;
    if decided > 0 {
        let measured = (report.counts.good * 100) as f64 / decided as f64;
        report.measured = Some(measured);
        report.status = if measured >= o.target {
            Status::Met
        } else {
            Status::Missed
        };
    }
    report
}
