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
//!   objective calendar's zone; tickets opened before or after the periods measured (the
//!   period and those of the trend) are left out (their events are counted as
//!   `outside_period`). A ticket is judged as it stands at the end of the period:
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
//! - **Trend.** The [`TREND_PERIODS`] periods of the same kind before the period (the previous
//!   months of a month, quarters of a quarter…; see [`Period::previous`]) are measured the same
//!   way, each ticket in the period it was opened in and judged at that period's end; the
//!   report lists, per objective, those the data covers (a ticket opened, an answer given or a
//!   delivery made in them). Events of their tickets are used events.
//! - **Memory.** A ticket is judged as soon as its outcome can no longer change: a response
//!   objective when its clock stops, any objective once an event of the ticket comes after the
//!   end of the ticket's period, or once the ticket is closed (below); the rest at the end of the
//!   input. A ticket's state (opening, pauses, resolutions) is kept only until then; what is
//!   kept after is 8 bytes in the table of ticket ids (a 64-bit hash of the id, the ticket's
//!   last event to the millisecond, and whether it is paused or resolved), enough to check its
//!   later events as before.
//! - **Reopen window.** A resolved ticket is closed, and forgotten, once the input reaches an
//!   event more than [`MeasureOptions::reopen_window`] (default [`REOPEN_WINDOW`]) after the
//!   ticket's last one; its later events are then bad lines, and its id opens a new ticket. So
//!   memory is the tickets still open (running, or resolved within the window), whatever the
//!   size of the input: about 60 bytes per ticket in the window (the id table and the queue
//!   of tickets to close), plus the report's lists, each cut at [`MAX_LISTED_TICKETS`]
//!   (the ledger, [`MeasureOptions::ledger`], has every ticket). Without a window, the table
//!   keeps every ticket seen. Two different ids with the same 64-bit hash are told apart
//!   while the first ticket is running; after it is judged, the second would be taken for the
//!   first (about one chance in 5 million for 2.75 million tickets in a window).

pub mod credits;
pub mod deliveries;
pub mod html;
pub mod input;
mod ledger;
mod listed;
pub mod markdown;
pub mod period;
pub mod prometheus;
mod tickets;
pub mod weeks;

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::BuildHasher;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use slab::Slab;
use slac_calendar::BusinessCalendar;
use slac_model::model::{Agreement, Escalation, Objective, Sli};
use slac_model::Model;
use smallvec::SmallVec;

pub use credits::{CreditLine, CreditReport};
pub use deliveries::DueReport;
pub use input::{BadLine, Event, EventKind, Format, Reader};
pub use listed::MAX_LISTED_TICKETS;
pub use period::{Period, PeriodError};
pub use weeks::WeekMeasure;

use ledger::{Ledger, Row};
use listed::{ByOpening, Firsts};
use tickets::{Clock, Outcome, Slot, SlotKind, Ticket, Tomb, Track};
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
    /// Ratio and latency objectives without monitoring data (no `--prometheus`, the source
    /// could not be read, or it rejected the query).
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
    /// due instants by the week they fall due, answers by the week they were given); ratio and latency objectives measured with
    /// `--prometheus`: events by the week their five-minute step starts in; empty when not measured.
    pub weeks: Vec<WeekMeasure>,
    /// The measure of the earlier periods the data covers, the oldest first (see
    /// [`TREND_PERIODS`]).
    pub trend: Vec<TrendPoint>,
}

/// Tickets: `total` of the period, `good` met, `bad` breached, `pending`, `unmatched`, and
/// `escalated` (at least one escalation level would have fired). Deliverables: due instants
/// met and missed. Satisfaction: answers satisfied and not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: u64,
    pub good: u64,
    pub bad: u64,
    pub pending: u64,
    pub unmatched: u64,
    pub escalated: u64,
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

impl ObjectiveReport {
    /// When a list holds fewer tickets than counted (see [`MAX_LISTED_TICKETS`]), what a reader
    /// is told: "The first 1000 of 8878, by opening; every ticket is in the ticket ledger."
    pub fn listed_note(shown: usize, counted: u64) -> Option<String> {
        (counted > shown as u64).then(|| {
            format!(
                "The first {shown} of {counted}, by opening; every ticket is in the ticket ledger."
            )
        })
    }

    /// The notes of the four lists: breached, pending, unmatched, escalated.
    pub fn listed_notes(&self) -> [Option<String>; 4] {
        let c = &self.counts;
        [
            Self::listed_note(self.breaches.len(), c.bad),
            Self::listed_note(self.pending.len(), c.pending),
            Self::listed_note(self.unmatched.len(), c.unmatched),
            Self::listed_note(self.escalations.len(), c.escalated),
        ]
    }
}

impl ByOpening for Breach {
    fn opening(&self) -> (DateTime<Utc>, &str) {
        (self.opened, &self.ticket)
    }
}

impl ByOpening for Pending {
    fn opening(&self) -> (DateTime<Utc>, &str) {
        (self.opened, &self.ticket)
    }
}

impl ByOpening for (DateTime<Utc>, String) {
    fn opening(&self) -> (DateTime<Utc>, &str) {
        (self.0, &self.1)
    }
}

impl ByOpening for (DateTime<Utc>, TicketEscalation) {
    fn opening(&self) -> (DateTime<Utc>, &str) {
        (self.0, &self.1.ticket)
    }
}

/// A review that cannot be made at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    UnknownAgreement(String),
    UnknownCalendar {
        objective: String,
        calendar: String,
    },
    /// The ticket ledger could not be written.
    Ledger(String),
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
            ReportError::Ledger(error) => write!(f, "cannot write the ticket ledger: {error}"),
        }
    }
}

impl std::error::Error for ReportError {}

/// How many earlier periods of the same kind are measured for the trend, by default.
pub const TREND_PERIODS: usize = 3;

/// How long after its last event a resolved ticket may still be reopened, by default: 28 days
/// (the longest that Zendesk keeps a solved ticket open; ServiceNow closes resolved incidents
/// after 7 days by default). See [`MeasureOptions::reopen_window`].
pub const REOPEN_WINDOW: chrono::Duration = chrono::Duration::days(28);

/// How a review is measured besides its period.
pub struct MeasureOptions {
    /// How many periods of the same kind before the period to measure for the trend.
    pub trend: usize,
    /// A resolved ticket is forgotten once the input reaches an event more than this after the
    /// ticket's last one: what memory holds is then the tickets still open, whatever the size of
    /// the input. A later event of a forgotten ticket is a bad line (its `reopened` comes too
    /// late); an `opened` with its id opens a new ticket. `None` keeps every ticket to the end.
    pub reopen_window: Option<chrono::Duration>,
    /// Where to write the ticket ledger (CSV, one row per ticket and objective as it is judged;
    /// see the `ledger` module's columns), if anywhere.
    pub ledger: Option<Box<dyn Write>>,
    /// When no agreement is named: also review every agreement in effect during the period
    /// that has a ratio or latency objective, though the data does not name it (their
    /// monitoring data is measured apart, by [`prometheus::measure_monitoring`]).
    pub include_monitored: bool,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        MeasureOptions {
            trend: TREND_PERIODS,
            reopen_window: Some(REOPEN_WINDOW),
            ledger: None,
            include_monitored: false,
        }
    }
}

/// An earlier period's measure of an objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The period's name: `2026-02`, `2025-Q4`, `2026-W09`, `2025`, or `FROM..TO`.
    pub period: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub good: u64,
    pub bad: u64,
    /// In percent; `None` when nothing was decided in that period.
    pub measured: Option<f64>,
    pub status: Status,
}

/// What is gathered for one objective while reading.
struct ObjectiveState<'m> {
    objective: &'m Objective,
    /// Each `within` case in words ("for priority = P1") and its duration ("1h"), as breaches
    /// and the ledger give them: worked out once, not per ticket.
    cases: Vec<(String, String)>,
    engine: Arc<BusinessCalendar>,
    /// The instants of each period measured, in the calendar's zone: the period of the review
    /// first, then the earlier periods of the trend, the nearest first.
    bounds: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Ticket objectives: which clock; `None` for the others.
    clock: Option<Clock>,
    policy: Option<&'m Escalation>,
    /// Per period: tickets (total, met, breached, pending, unmatched), answers (total and
    /// satisfied) or deliveries (counted in the period they arrive, to tell whether the data
    /// covers it).
    counts: Vec<Counts>,
    /// What the report lists of the period of the review: the first tickets by opening (they
    /// are judged in the order their clocks stop).
    breaches: Firsts<Breach>,
    pending: Firsts<Pending>,
    unmatched: Firsts<(DateTime<Utc>, String)>,
    escalations: Firsts<(DateTime<Utc>, TicketEscalation)>,
    weeks: WeekCounter,
    deliveries: Vec<DateTime<Utc>>,
}

impl ObjectiveState<'_> {
    /// The period an instant falls in, if any of those measured.
    fn period_of(&self, at: DateTime<Utc>) -> Option<usize> {
        self.bounds.iter().position(|&(a, b)| a <= at && at < b)
    }
}

type IdHasher = foldhash::quality::FixedState;

struct AgreementState<'m> {
    agreement: &'m Agreement,
    objectives: Vec<ObjectiveState<'m>>,
    /// The earliest start and latest end of the objectives' periods (the trend's included).
    span: (DateTime<Utc>, DateTime<Utc>),
    has_tickets: bool,
    /// Every ticket of the data, by a 64-bit hash of its id: live, judged, or opened before
    /// the periods.
    tickets: HashMap<u64, Slot, foldhash::fast::FixedState>,
    /// Tickets whose id's hash is already taken by another live ticket (rare), by id.
    collided: HashMap<Box<str>, Slot>,
    /// The tickets with an objective still to judge.
    live: Slab<Ticket>,
    /// Resolved tickets by when they leave the reopen window (in milliseconds): the instant of
    /// their last event plus the window, and the hash of their id. An entry is stale when the
    /// ticket had another event since (a newer entry is then in the heap, or it was reopened).
    closing: BinaryHeap<Reverse<(i64, u64)>>,
    ledger: Option<Rc<RefCell<Ledger>>>,
    seen: bool,
}

/// Where a ticket's slot is kept.
#[derive(Clone, Copy)]
enum Key {
    Hash(u64),
    Collided,
}

impl AgreementState<'_> {
    fn locate(&self, id: &str, hash: u64) -> Option<(Key, Slot)> {
        if !self.collided.is_empty() {
            if let Some(&slot) = self.collided.get(id) {
                return Some((Key::Collided, slot));
            }
        }
        let slot = *self.tickets.get(&hash)?;
        match slot.get() {
            SlotKind::Live(index) if &*self.live[index].id != id => None,
            _ => Some((Key::Hash(hash), slot)),
        }
    }

    fn store(&mut self, key: Key, id: &str, slot: Slot) {
        match key {
            Key::Hash(hash) => {
                self.tickets.insert(hash, slot);
            }
            Key::Collided => {
                self.collided.insert(id.into(), slot);
            }
        }
    }
}

/// Measures the service of `agreement` (every agreement named by the data when `None`) over
/// `period`, from `inputs`: (path, reader) pairs read in order, line by line; the format comes
/// from the path's extension (`.jsonl` or `.csv`). The [`TREND_PERIODS`] periods before
/// `period` are measured too, for the trend; the reopen window is [`REOPEN_WINDOW`]. See
/// [`measure_with`] for the other options.
pub fn measure<I>(
    model: &Model,
    agreement: Option<&str>,
    period: &Period,
    inputs: I,
) -> Result<Report, ReportError>
where
    I: IntoIterator<Item = (PathBuf, Box<dyn BufRead>)>,
{
    measure_with(model, agreement, period, MeasureOptions::default(), inputs)
}

/// [`measure`], with every option.
pub fn measure_with<I>(
    model: &Model,
    agreement: Option<&str>,
    period: &Period,
    options: MeasureOptions,
    inputs: I,
) -> Result<Report, ReportError>
where
    I: IntoIterator<Item = (PathBuf, Box<dyn BufRead>)>,
{
    let window = options.reopen_window.map(|w| w.num_milliseconds().max(0));
    measure_inner(
        model,
        agreement,
        period,
        options,
        Judging::Early { window },
        inputs,
    )
}

/// [`measure_with`], judging every ticket at the end of the input rather than as soon as its
/// outcome is settled, and forgetting none (`reopen_window` is not used): slower and bigger,
/// the same report when no ticket is reopened after the reopen window. For tests that check
/// the early judgement against it.
#[doc(hidden)]
pub fn measure_judging_at_end<I>(
    model: &Model,
    agreement: Option<&str>,
    period: &Period,
    options: MeasureOptions,
    inputs: I,
) -> Result<Report, ReportError>
where
    I: IntoIterator<Item = (PathBuf, Box<dyn BufRead>)>,
{
    measure_inner(model, agreement, period, options, Judging::AtEnd, inputs)
}

/// Whether `agreement` is in effect on some day of `period`.
fn in_effect(agreement: &Agreement, period: &Period) -> bool {
    agreement.effective.from < period.until
        && agreement.effective.to.is_none_or(|to| to >= period.from)
}

/// When tickets are judged.
#[derive(Clone, Copy)]
enum Judging {
    /// At the end of the input, every one.
    AtEnd,
    /// As soon as each one's outcome is settled; a resolved ticket is forgotten `window`
    /// milliseconds after its last event (never when `None`).
    Early { window: Option<i64> },
}

fn measure_inner<I>(
    model: &Model,
    agreement: Option<&str>,
    period: &Period,
    options: MeasureOptions,
    judging: Judging,
    inputs: I,
) -> Result<Report, ReportError>
where
    I: IntoIterator<Item = (PathBuf, Box<dyn BufRead>)>,
{
    let MeasureOptions {
        trend,
        ledger,
        include_monitored,
        ..
    } = options;
    if let Some(id) = agreement {
        if !model.agreements.contains_key(id) {
            return Err(ReportError::UnknownAgreement(id.to_string()));
        }
    }
    let trend = trend.min(usize::from(u8::MAX) - 1);
    let mut periods = vec![period.clone()];
    periods.extend(period.earlier(trend));
    let ledger = ledger.map(|out| {
        let names = periods.iter().map(|p| p.text.clone()).collect();
        Rc::new(RefCell::new(Ledger::new(out, names)))
    });
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
            let bounds: Vec<_> = periods
                .iter()
                .map(|p| p.bounds(engine.timezone()))
                .collect();
            let clock = match o.sli {
                Sli::ResponseTime => Some(Clock::Response),
                Sli::ResolutionTime => Some(Clock::Resolution),
                _ => None,
            };
            objectives.push(ObjectiveState {
                objective: o,
                weeks: WeekCounter::new(period, engine.timezone()),
                cases: o
                    .within
                    .iter()
                    .map(|c| (c.describe_conditions(), c.duration.to_string()))
                    .collect(),
                engine,
                counts: vec![Counts::default(); bounds.len()],
                bounds,
                clock,
                policy: model.escalation_for(a, o),
                breaches: Firsts::new(MAX_LISTED_TICKETS),
                pending: Firsts::new(MAX_LISTED_TICKETS),
                unmatched: Firsts::new(MAX_LISTED_TICKETS),
                escalations: Firsts::new(MAX_LISTED_TICKETS),
                deliveries: Vec::new(),
            });
        }
        let fallback = period.bounds(chrono_tz::UTC);
        let span = (
            objectives
                .iter()
                .flat_map(|o| o.bounds.iter().map(|b| b.0))
                .min()
                .unwrap_or(fallback.0),
            objectives
                .iter()
                .flat_map(|o| o.bounds.iter().map(|b| b.1))
                .max()
                .unwrap_or(fallback.1),
        );
        states.push(AgreementState {
            agreement: a,
            has_tickets: a.objectives.iter().any(|o| o.sli.is_ticket()),
            objectives,
            span,
            tickets: HashMap::default(),
            collided: HashMap::new(),
            live: Slab::new(),
            closing: BinaryHeap::new(),
            ledger: ledger.clone(),
            // Reviewed even if the data does not name it: the agreement asked for, or, when
            // asked, an agreement in effect with monitoring data to measure.
            seen: agreement.is_some()
                || (include_monitored
                    && a.objectives.iter().any(|o| o.sli.is_monitoring())
                    && in_effect(a, period)),
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
    let router = Router {
        model,
        index,
        default_agreement,
        ids: IdHasher::with_seed(0x51ac_5eed),
        judge_early: matches!(judging, Judging::Early { .. }),
        window: match judging {
            Judging::Early { window } => window,
            Judging::AtEnd => None,
        },
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
        let mut reader = Reader::new(input, format);
        while let Some((line, result)) = reader.next_line() {
            summary.lines += 1;
            let outcome = result.and_then(|events| {
                let mut used = 0;
                for event in events {
                    match router.route(&mut states, event)? {
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
        .map(|s| review(s, &periods))
        .collect();
    if let Some(ledger) = ledger.and_then(|l| Rc::try_unwrap(l).ok()) {
        ledger.into_inner().finish().map_err(ReportError::Ledger)?;
    }
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

/// What routing an event needs besides the agreements' states.
struct Router<'m> {
    model: &'m Model,
    index: HashMap<&'m str, usize>,
    default_agreement: Option<&'m str>,
    ids: IdHasher,
    /// Judge tickets as soon as their outcome is settled (else at the end of the input).
    judge_early: bool,
    /// The reopen window in milliseconds, if resolved tickets are forgotten.
    window: Option<i64>,
}

impl Router<'_> {
    /// Applies one event to the state of its agreement.
    fn route(&self, states: &mut [AgreementState], event: Event) -> Result<Routed, String> {
        let id = match (&event.agreement, self.default_agreement) {
            (Some(id), _) => id.as_ref(),
            (None, Some(id)) => id,
            (None, None) => {
                return Err(
                    "no `agreement` in the event, and the workspace has several agreements: add \"agreement\" or name the agreement to review".into(),
                )
            }
        };
        let Some(&i) = self.index.get(id) else {
            if self.model.agreements.contains_key(id) {
                return Ok(Routed::OtherAgreement);
            }
            return Err(format!("unknown agreement `{id}`"));
        };
        let state = &mut states[i];
        state.seen = true;
        match event.kind {
            EventKind::Delivered => deliver(state, &event),
            EventKind::Survey => answer(state, id, &event),
            kind => {
                if !state.has_tickets {
                    return Err(format!("agreement `{id}` has no ticket objective"));
                }
                let hash = self.ids.hash_one(&*event.ticket);
                if let Some(window) = self.window {
                    forget_closed(state, event.at.timestamp_millis(), window);
                }
                ticket_event(state, hash, kind, event, self.judge_early, self.window)
            }
        }
    }
}

fn deliver(state: &mut AgreementState, event: &Event) -> Result<Routed, String> {
    let end = state.span.1;
    let name = event.objective.as_deref().unwrap_or_default();
    let objective = find_objective(state, name, |s| matches!(s, Sli::Delivery))?;
    if event.at >= end {
        return Ok(Routed::OutsidePeriod);
    }
    objective.deliveries.push(event.at);
    if let Some(p) = objective.period_of(event.at) {
        objective.counts[p].total += 1;
    }
    Ok(Routed::Used)
}

fn answer(state: &mut AgreementState, id: &str, event: &Event) -> Result<Routed, String> {
    let objective = match event.objective.as_deref() {
        Some(name) => find_objective(state, name, |s| matches!(s, Sli::Satisfaction { .. }))?,
        None => {
            let mut found = state
                .objectives
                .iter_mut()
                .filter(|o| matches!(o.objective.sli, Sli::Satisfaction { .. }));
            match (found.next(), found.next()) {
                (Some(o), None) => o,
                (None, _) => return Err(format!("agreement `{id}` has no satisfaction objective")),
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
    let Some(p) = objective.period_of(event.at) else {
        return Ok(Routed::OutsidePeriod);
    };
    let good = score >= i64::from(satisfied);
    let counts = &mut objective.counts[p];
    counts.total += 1;
    if good {
        counts.good += 1;
    } else {
        counts.bad += 1;
    }
    if p == 0 {
        objective.weeks.add(event.at, good);
    }
    Ok(Routed::Used)
}

/// Forgets the resolved tickets whose reopen window ended before `now` (milliseconds): a live
/// one is judged first (as it would be at the end of the input: it can no longer change).
fn forget_closed(state: &mut AgreementState, now: i64, window: i64) {
    while let Some(&Reverse((due, hash))) = state.closing.peek() {
        if due >= now {
            break;
        }
        state.closing.pop();
        let Some(&slot) = state.tickets.get(&hash) else {
            continue;
        };
        match slot.get() {
            SlotKind::Judged(tomb) | SlotKind::Before(tomb) => {
                if tomb.is_resolved() && tomb.last_ms().saturating_add(window) == due {
                    state.tickets.remove(&hash);
                }
            }
            SlotKind::Live(index) => {
                let ticket = &state.live[index];
                if ticket.is_resolved() && ticket.last_ms().saturating_add(window) == due {
                    let ticket = state.live.remove(index);
                    for track in &ticket.tracks {
                        judge_track(
                            state.agreement,
                            &mut state.objectives,
                            &ticket,
                            *track,
                            state.ledger.as_deref(),
                        );
                    }
                    state.tickets.remove(&hash);
                }
            }
        }
    }
}

/// Applies a ticket event: to the live ticket (judging the objectives it settles), to what is
/// left of a judged ticket (checked only), or opens a ticket.
fn ticket_event(
    state: &mut AgreementState,
    hash: u64,
    kind: EventKind,
    event: Event,
    judge_early: bool,
    window: Option<i64>,
) -> Result<Routed, String> {
    let (start, end) = state.span;
    let id = &*event.ticket;
    let at_ms = event.at.timestamp_millis();
    // A ticket left resolved by this event is forgotten `window` after it (tickets kept by their
    // id, after a hash collision, are never forgotten: they are rare).
    let closing = |state: &mut AgreementState, key: Key, resolved: bool| {
        if let (Some(window), Key::Hash(hash), true) = (window, key, resolved) {
            state
                .closing
                .push(Reverse((at_ms.saturating_add(window), hash)));
        }
    };
    if let Some((key, slot)) = state.locate(id, hash) {
        return match slot.get() {
            SlotKind::Before(mut tomb) => {
                if kind == EventKind::Opened {
                    return Err(format!("ticket `{id}` is already opened"));
                }
                // Its events are left out, but followed to know when it is resolved.
                if tomb.apply(kind, event.at).is_ok() {
                    state.store(key, id, Slot::before(tomb));
                    closing(state, key, tomb.is_resolved());
                }
                Ok(Routed::OutsidePeriod)
            }
            _ if event.at >= end => Ok(Routed::OutsidePeriod),
            SlotKind::Judged(mut tomb) => {
                tomb.apply(kind, event.at)?;
                state.store(key, id, Slot::judged(tomb));
                closing(state, key, tomb.is_resolved());
                Ok(Routed::Used)
            }
            SlotKind::Live(index) => {
                state.live[index].apply(kind, event.at)?;
                let resolved = state.live[index].is_resolved();
                if judge_early && settle(state, index, kind, event.at) {
                    let ticket = state.live.remove(index);
                    state.store(key, id, Slot::judged(ticket.tomb()));
                }
                closing(state, key, resolved);
                Ok(Routed::Used)
            }
        };
    }
    if kind != EventKind::Opened {
        if event.at < start || event.at >= end {
            // A ticket opened outside the periods whose `opened` is not in the data.
            return Ok(Routed::OutsidePeriod);
        }
        if let Some(window) = window {
            return Err(format!(
                "no `opened` event for ticket `{id}` before this `{}`, or the ticket was resolved more than {} before it and is closed (the reopen window)",
                kind.name(),
                describe_window(window)
            ));
        }
        return Err(format!(
            "no `opened` event for ticket `{id}` before this `{}`",
            kind.name()
        ));
    }
    // An id whose hash a live ticket already has is kept by the id itself.
    let key = if state.tickets.contains_key(&hash) {
        Key::Collided
    } else {
        Key::Hash(hash)
    };
    if event.at < start {
        state.store(key, id, Slot::before(Tomb::opened(event.at)));
        return Ok(Routed::OutsidePeriod);
    }
    if event.at >= end {
        return Ok(Routed::OutsidePeriod);
    }
    let mut tracks: SmallVec<[Track; 2]> = SmallVec::new();
    for (i, o) in state.objectives.iter_mut().enumerate() {
        if o.clock.is_none() {
            continue;
        }
        let Some(p) = o.period_of(event.at) else {
            continue;
        };
        match o.objective.case_for(&event.attrs) {
            Some(case) => {
                let case = o
                    .objective
                    .within
                    .iter()
                    .position(|c| std::ptr::eq(c, case))
                    .unwrap_or(0);
                tracks.push(Track {
                    objective: u16::try_from(i).unwrap_or(u16::MAX),
                    period: u8::try_from(p).unwrap_or(u8::MAX),
                    case: u16::try_from(case).unwrap_or(u16::MAX),
                });
            }
            None => {
                if let Some(ledger) = &state.ledger {
                    ledger.borrow_mut().write(Row {
                        agreement: &state.agreement.id,
                        objective: &o.objective.id,
                        period: p,
                        ticket: id,
                        case: None,
                        opened: event.at,
                        outcome: None,
                        escalation: None,
                    });
                }
                let counts = &mut o.counts[p];
                counts.total += 1;
                counts.unmatched += 1;
                if p == 0 {
                    o.unmatched.push((event.at, id.to_string()));
                }
            }
        }
    }
    let slot = if tracks.is_empty() {
        Slot::judged(Tomb::opened(event.at))
    } else {
        Slot::live(state.live.insert(Ticket::new(id, event.at, tracks)))
    };
    state.store(key, id, slot);
    Ok(Routed::Used)
}

/// A window in milliseconds, in words: "28 days", "36 hours", "90 minutes".
fn describe_window(ms: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match ms {
        ms if ms % 86_400_000 == 0 => plural(ms / 86_400_000, "day"),
        ms if ms % 3_600_000 == 0 => plural(ms / 3_600_000, "hour"),
        ms if ms % 60_000 == 0 => plural(ms / 60_000, "minute"),
        ms => plural(ms / 1000, "second"),
    }
}

/// Judges the objectives of a live ticket that the event at `at` settles: a response clock
/// once stopped, and any objective whose period ended by `at` (the ticket's later events come
/// later still). True when none is left to judge.
fn settle(state: &mut AgreementState, index: usize, kind: EventKind, at: DateTime<Utc>) -> bool {
    let ticket = &state.live[index];
    let stops_response = matches!(kind, EventKind::Responded | EventKind::Resolved);
    let mut settled: SmallVec<[Track; 2]> = SmallVec::new();
    for track in &ticket.tracks {
        let o = &state.objectives[usize::from(track.objective)];
        let cutoff = o.bounds[usize::from(track.period)].1;
        let response = o.clock == Some(Clock::Response);
        if at >= cutoff || (stops_response && response && ticket.responded_before(cutoff)) {
            settled.push(*track);
        }
    }
    if settled.is_empty() {
        return false;
    }
    for track in &settled {
        judge_track(
            state.agreement,
            &mut state.objectives,
            &state.live[index],
            *track,
            state.ledger.as_deref(),
        );
    }
    let ticket = &mut state.live[index];
    ticket.tracks.retain(|t| !settled.contains(t));
    ticket.tracks.is_empty()
}

/// Judges a ticket against one of its objectives, counts the outcome, and writes it to the
/// ledger.
fn judge_track(
    agreement: &Agreement,
    objectives: &mut [ObjectiveState],
    ticket: &Ticket,
    track: Track,
    ledger: Option<&RefCell<Ledger>>,
) {
    let o = &mut objectives[usize::from(track.objective)];
    let p = usize::from(track.period);
    let Some(case) = o.objective.within.get(usize::from(track.case)) else {
        return;
    };
    let (conditions, within) = &o.cases[usize::from(track.case)];
    let Some(clock) = o.clock else {
        return;
    };
    let judged = tickets::judge(
        ticket,
        &ticket.id,
        clock,
        case.duration,
        &o.engine,
        o.bounds[p].1,
        o.policy,
    );
    if let Some(ledger) = ledger {
        ledger.borrow_mut().write(Row {
            agreement: &agreement.id,
            objective: &o.objective.id,
            period: p,
            ticket: &ticket.id,
            case: Some((conditions, within)),
            opened: ticket.opened,
            outcome: Some(&judged.outcome),
            escalation: judged.escalation.as_ref(),
        });
    }
    let counts = &mut o.counts[p];
    counts.total += 1;
    match judged.outcome {
        Outcome::Met { .. } => {
            counts.good += 1;
            if p == 0 {
                o.weeks.add(ticket.opened, true);
            }
        }
        Outcome::Breached {
            due,
            actual,
            late_open_seconds,
            late_wall_seconds,
        } => {
            counts.bad += 1;
            if p == 0 {
                o.weeks.add(ticket.opened, false);
                o.breaches.push(Breach {
                    ticket: ticket.id.to_string(),
                    case: conditions.clone(),
                    within: within.clone(),
                    opened: ticket.opened,
                    due,
                    actual,
                    late_open_seconds,
                    late_wall_seconds,
                });
            }
        }
        Outcome::Pending { due } => {
            counts.pending += 1;
            if p == 0 {
                o.pending.push(Pending {
                    ticket: ticket.id.to_string(),
                    case: conditions.clone(),
                    opened: ticket.opened,
                    due,
                });
            }
        }
    }
    if let Some(escalation) = judged.escalation {
        o.counts[p].escalated += 1;
        if p == 0 {
            o.escalations.push((ticket.opened, escalation));
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
fn review(mut state: AgreementState, periods: &[Period]) -> AgreementReport {
    let agreement = state.agreement;
    // The tickets still live: judged as they stand at the end of their period.
    for (_, ticket) in &state.live {
        for track in &ticket.tracks {
            judge_track(
                agreement,
                &mut state.objectives,
                ticket,
                *track,
                state.ledger.as_deref(),
            );
        }
    }
    let objectives: Vec<ObjectiveReport> = state
        .objectives
        .into_iter()
        .map(|o| review_objective(o, periods))
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
    let credit = credits::credits(agreement, &objectives, &periods[0]);
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

/// Met when `good / (good + bad)` reaches the target; `None` when nothing was decided.
fn judge_measure(good: u64, bad: u64, target: f64) -> (Option<f64>, Status) {
    let decided = good + bad;
    if decided == 0 {
        return (None, Status::NoData);
    }
    let measured = (good * 100) as f64 / decided as f64;
    let status = if measured >= target {
        Status::Met
    } else {
        Status::Missed
    };
    (Some(measured), status)
}

fn review_objective(mut state: ObjectiveState, periods: &[Period]) -> ObjectiveReport {
    let o = state.objective;
    let mut report = ObjectiveReport {
        id: o.id.clone(),
        title: o.title.clone(),
        sli: o.sli.name(),
        calendar: o.calendar.clone(),
        from: state.bounds[0].0,
        to: state.bounds[0].1,
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
        trend: Vec::new(),
    };
    if o.sli.is_monitoring() {
        report.status = Status::NotMeasured;
        return report;
    }
    // Per period: good and bad, and whether the data covers it.
    let mut measures: Vec<(u64, u64, bool)> = state
        .counts
        .iter()
        .map(|c| (c.good, c.bad, c.total > 0))
        .collect();
    match &o.sli {
        Sli::Delivery => {
            if let Some(due) = o.due {
                state.deliveries.sort();
                for (p, (period, bounds)) in periods.iter().zip(&state.bounds).enumerate() {
                    let (previous, instants) = deliveries::due_instants(
                        due,
                        state.engine.timezone(),
                        period.from,
                        period.until,
                        *bounds,
                    );
                    let judged = deliveries::judge(previous, &instants, &state.deliveries);
                    let good = judged.iter().filter(|d| d.met).count() as u64;
                    let bad = judged.len() as u64 - good;
                    // The period of the review is always judged; an earlier one only when
                    // some delivery of the data falls in it.
                    let covered = p == 0 || state.counts[p].total > 0;
                    measures[p] = (good, bad, covered);
                    if p == 0 {
                        for d in &judged {
                            state.weeks.add(d.due, d.met);
                        }
                        report.counts = Counts {
                            total: good + bad,
                            good,
                            bad,
                            pending: 0,
                            unmatched: 0,
                            escalated: 0,
                        };
                        report.deliveries = judged;
                    }
                }
            }
        }
        _ => report.counts = state.counts[0].clone(),
    }
    report.breaches = state.breaches.into_sorted_vec();
    report.pending = state.pending.into_sorted_vec();
    report.unmatched = state
        .unmatched
        .into_sorted_vec()
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    report.escalations = state
        .escalations
        .into_sorted_vec()
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    report.weeks = state.weeks.finish();
    let (measured, status) = judge_measure(report.counts.good, report.counts.bad, o.target);
    report.measured = measured;
    report.status = status;
    // The trend: the earlier periods the data covers, the oldest first.
    for p in (1..periods.len()).rev() {
        let (good, bad, covered) = measures[p];
        if !covered {
            continue;
        }
        let (measured, status) = judge_measure(good, bad, o.target);
        report.trend.push(TrendPoint {
            period: periods[p].text.clone(),
            from: state.bounds[p].0,
            to: state.bounds[p].1,
            good,
            bad,
            measured,
            status,
        });
    }
    report
}
