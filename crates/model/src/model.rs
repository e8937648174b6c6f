//! The typed model of a workspace: what the agreements say, with names resolved and `extends`
//! applied. It serializes with serde; source positions are kept for diagnostics and editors but
//! left out of the serialized form, so two layouts of the same text serialize identically.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use slac_calendar::{
    CalendarSpec, ClosedPeriod, Duration, HolidayRule, OpenRange, TimeOfDay, WeekdaySet, Window,
};
use slac_source::{FileId, Span};

/// Where something is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct At {
    pub file: FileId,
    pub span: Span,
}

impl At {
    pub fn new(file: FileId, span: Span) -> Self {
        At { file, span }
    }
}

impl Default for At {
    fn default() -> Self {
        At::new(FileId::new(0), Span::default())
    }
}

/// Every declaration of the workspace, by kind and id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Model {
    pub parties: BTreeMap<String, Party>,
    pub services: BTreeMap<String, Service>,
    pub holidays: BTreeMap<String, HolidaySet>,
    pub calendars: BTreeMap<String, Calendar>,
    pub escalations: BTreeMap<String, Escalation>,
    pub agreements: BTreeMap<String, Agreement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    #[default]
    External,
    Internal,
}

#[derive(Debug, Clone, Serialize)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub kind: Option<PartyKind>,
    pub contacts: Vec<Contact>,
    pub doc: Option<String>,
    #[serde(skip)]
    pub at: At,
}

impl Party {
    pub fn contact(&self, id: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.id == id)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub pager: Option<String>,
    pub doc: Option<String>,
    #[serde(skip)]
    pub at: At,
}

/// `party` or `party.contact`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactRef {
    pub party: String,
    pub contact: Option<String>,
}

impl std::fmt::Display for ContactRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.contact {
            Some(contact) => write!(f, "{}.{contact}", self.party),
            None => f.write_str(&self.party),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Week,
    Month,
    Quarter,
    Year,
}

impl Per {
    pub const NAMES: [&'static str; 4] = ["week", "month", "quarter", "year"];
}

/// An amount of money: `1200 EUR per month`. The amount keeps its decimal text so that no
/// rounding ever changes a contract figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    pub amount: String,
    pub currency: String,
    pub per: Option<Per>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub price: Option<Money>,
    pub doc: Option<String>,
    #[serde(skip)]
    pub at: At,
}

#[derive(Debug, Clone, Serialize)]
pub struct HolidaySet {
    pub id: String,
    pub rules: Vec<HolidayRule>,
    pub doc: Option<String>,
    #[serde(skip)]
    pub at: At,
}

#[derive(Debug, Clone, Serialize)]
pub struct Calendar {
    pub id: String,
    pub timezone: chrono_tz::Tz,
    pub open: Vec<OpenRange>,
    /// The `holidays` sets it is closed on, by id.
    pub holidays: Vec<String>,
    pub closed: Vec<ClosedPeriod>,
    pub doc: Option<String>,
    #[serde(skip)]
    pub at: At,
    #[serde(skip)]
    pub open_at: Vec<At>,
    /// True when an `open` field could not be read (already reported).
    #[serde(skip)]
    pub incomplete: bool,
}

impl Calendar {
    /// The calendar with its holiday sets expanded, ready for the calendar engine.
    pub fn spec(&self, model: &Model) -> CalendarSpec {
        CalendarSpec {
            timezone: self.timezone,
            open: self.open.clone(),
            holidays: self
                .holidays
                .iter()
                .filter_map(|id| model.holidays.get(id))
                .flat_map(|set| set.rules.iter().cloned())
                .collect(),
            closed: self.closed.clone(),
        }
    }
}

impl Model {
    /// The escalation policy an objective of `agreement` follows: its own, else the
    /// agreement's.
    pub fn escalation_for(
        &self,
        agreement: &Agreement,
        objective: &Objective,
    ) -> Option<&Escalation> {
        agreement
            .escalation_of(objective)
            .and_then(|id| self.escalations.get(id))
    }

    /// The calendar engine of a calendar id, or of the built-in `always`.
    pub fn engine(&self, calendar: &str) -> Option<slac_calendar::BusinessCalendar> {
        if calendar == ALWAYS {
            return Some(slac_calendar::BusinessCalendar::always());
        }
        let spec = self.calendars.get(calendar)?.spec(self);
        Some(slac_calendar::BusinessCalendar::new(spec))
    }
}

/// The id of the built-in calendar that is always open.
pub const ALWAYS: &str = "always";

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Threshold {
    /// Share of the allowance used up, in percent.
    Percent(f64),
    /// Time since the ticket started.
    After(Duration),
    Breach,
}

#[derive(Debug, Clone, Serialize)]
pub struct EscalationLevel {
    pub level: u32,
    pub threshold: Threshold,
    pub notify: Vec<ContactRef>,
    #[serde(skip)]
    pub at: At,
}

#[derive(Debug, Clone, Serialize)]
pub struct Escalation {
    pub id: String,
    pub levels: Vec<EscalationLevel>,
    pub doc: Option<String>,
    #[serde(skip)]
    pub at: At,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AgreementKind {
    #[default]
    Customer,
    Internal,
    Operational,
    Underpinning,
}

impl AgreementKind {
    pub const NAMES: [&'static str; 4] = ["customer", "internal", "operational", "underpinning"];

    /// OLAs and UCs underpin other agreements' objectives.
    pub fn is_supporting(self) -> bool {
        matches!(
            self,
            AgreementKind::Operational | AgreementKind::Underpinning
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Effective {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Fr,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "every", rename_all = "snake_case")]
pub enum Cadence {
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
    Every(Duration),
}

impl Cadence {
    pub const NAMES: [&'static str; 4] = ["weekly", "monthly", "quarterly", "yearly"];
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub cadence: Cadence,
    pub with: Vec<ContactRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Provider,
    Customer,
}

#[derive(Debug, Clone, Serialize)]
pub struct Responsibility {
    pub side: Side,
    pub text: String,
    pub inherited: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Clause {
    pub heading: String,
    pub text: String,
    pub inherited: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditTier {
    pub objective: String,
    pub below: f64,
    pub refund: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Credit {
    pub tiers: Vec<CreditTier>,
    pub cap: Option<f64>,
    pub inherited: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: AgreementKind,
    pub version: Version,
    pub effective: Effective,
    pub provider: String,
    pub customer: String,
    pub services: Vec<String>,
    pub language: Option<Language>,
    pub fee: Option<Money>,
    pub review: Option<Review>,
    pub reviewed: Option<NaiveDate>,
    pub escalation: Option<String>,
    pub extends: Option<String>,
    pub objectives: Vec<Objective>,
    pub credit: Option<Credit>,
    pub responsibilities: Vec<Responsibility>,
    pub clauses: Vec<Clause>,
    /// The fields taken from the parent through `extends` (objectives are marked one by one).
    pub inherited_fields: Vec<String>,
    pub doc: Option<String>,
    #[serde(skip)]
    pub at: At,
    #[serde(skip)]
    pub effective_at: At,
    #[serde(skip)]
    pub reviewed_at: At,
}

impl Agreement {
    pub fn objective(&self, id: &str) -> Option<&Objective> {
        self.objectives.iter().find(|o| o.id == id)
    }

    /// The id of the escalation policy an objective follows: its own, else the agreement's.
    pub fn escalation_of<'a>(&'a self, objective: &'a Objective) -> Option<&'a str> {
        objective
            .escalation
            .as_deref()
            .or(self.escalation.as_deref())
    }
}

/// What an objective measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sli {
    Ratio {
        errors: Option<String>,
        good: Option<String>,
        total: String,
    },
    Latency {
        histogram: String,
        threshold: Duration,
    },
    ResponseTime,
    ResolutionTime,
    Delivery,
    Satisfaction {
        scale: u32,
        satisfied: u32,
    },
}

impl Sli {
    pub const SIMPLE_NAMES: [&'static str; 3] = ["response_time", "resolution_time", "delivery"];
    pub const BLOCK_NAMES: [&'static str; 3] = ["ratio", "latency", "satisfaction"];

    /// Ticket objectives measure a clock per ticket (`within` cases).
    pub fn is_ticket(&self) -> bool {
        matches!(self, Sli::ResponseTime | Sli::ResolutionTime)
    }

    /// Monitoring objectives measure a ratio of events (error budgets, burn rates).
    pub fn is_monitoring(&self) -> bool {
        matches!(self, Sli::Ratio { .. } | Sli::Latency { .. })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Sli::Ratio { .. } => "ratio",
            Sli::Latency { .. } => "latency",
            Sli::ResponseTime => "response_time",
            Sli::ResolutionTime => "resolution_time",
            Sli::Delivery => "delivery",
            Sli::Satisfaction { .. } => "satisfaction",
        }
    }
}

/// `attribute = value` in a `for` clause.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Condition {
    pub attribute: String,
    pub value: String,
}

/// `within <duration> [for …]`: the deadline of the tickets that match the conditions.
#[derive(Debug, Clone, Serialize)]
pub struct WithinCase {
    pub duration: Duration,
    pub conditions: Vec<Condition>,
    #[serde(skip)]
    pub at: At,
}

impl WithinCase {
    pub fn is_default(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Whether a ticket with these attributes meets every condition of the case.
    pub fn matches<K: AsRef<str>, V: AsRef<str>>(&self, attributes: &[(K, V)]) -> bool {
        self.conditions.iter().all(|c| {
            attributes
                .iter()
                .any(|(a, v)| a.as_ref() == c.attribute && v.as_ref() == c.value)
        })
    }

    /// The conditions in a canonical order, for comparing cases.
    pub fn condition_key(&self) -> Vec<Condition> {
        let mut key = self.conditions.clone();
        key.sort();
        key
    }

    /// "for priority = P1 and region = rural", or "by default".
    pub fn describe_conditions(&self) -> String {
        if self.conditions.is_empty() {
            return "by default".into();
        }
        let parts: Vec<String> = self
            .conditions
            .iter()
            .map(|c| format!("{} = {}", c.attribute, c.value))
            .collect();
        format!("for {}", parts.join(" and "))
    }
}

/// `due every <days> <time>`: a deliverable due at each of these instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Due {
    pub days: WeekdaySet,
    pub time: TimeOfDay,
}

/// `agreement.objective`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectiveRef {
    pub agreement: String,
    pub objective: String,
    #[serde(skip)]
    pub at: At,
}

impl Objective {
    /// The `within` case a ticket with these attributes falls in: among the cases whose
    /// conditions it meets, the one with the most conditions; between equally specific cases, the
    /// first written. `None` when no case matches (the ticket is reported as unmatched).
    pub fn case_for<K: AsRef<str>, V: AsRef<str>>(
        &self,
        attributes: &[(K, V)],
    ) -> Option<&WithinCase> {
        let mut best: Option<&WithinCase> = None;
        for case in self.within.iter().filter(|c| c.matches(attributes)) {
            if best.is_none_or(|b| case.conditions.len() > b.conditions.len()) {
                best = Some(case);
            }
        }
        best
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Objective {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub sli: Sli,
    /// In percent: `99.9` for `99.9%`.
    pub target: f64,
    pub window: Window,
    /// A calendar id, `always` by default.
    pub calendar: String,
    pub within: Vec<WithinCase>,
    pub due: Option<Due>,
    pub owner: Option<ContactRef>,
    pub supports: Vec<ObjectiveRef>,
    pub escalation: Option<String>,
    /// True when the objective comes from the parent agreement through `extends`.
    pub inherited: bool,
    /// True when some of its values could not be read (already reported): checks that compare
    /// objectives skip it rather than report follow-up errors.
    #[serde(skip)]
    pub incomplete: bool,
    pub doc: Option<String>,
    #[serde(skip)]
    pub at: At,
    #[serde(skip)]
    pub target_at: At,
}
