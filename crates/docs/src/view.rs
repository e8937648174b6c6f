//! The view model of a contract document: every term of an agreement stated in words, in one
//! language, as plain serializable data for the templates. Templates only lay it out; all the
//! wording that depends on values (numbers, dates, durations, conditions) is made here, so that
//! an overriding template cannot get a figure wrong.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};
use slac_calendar::{BusinessCalendar, HolidayRule};
use slac_model::model::{
    Agreement, AgreementKind, Cadence, Calendar, ContactRef, Objective, Side, Sli, Threshold,
    WithinCase, ALWAYS,
};
use slac_model::Model;

use crate::typography::{self as ty, Lang};

#[derive(Debug, Clone, Serialize)]
pub struct AgreementDoc {
    pub lang: Lang,
    pub id: String,
    pub title: String,
    /// "Contrat de niveau de service (SLA)", "Operational-level agreement (OLA)", …
    pub kind: String,
    /// "SLA", "OLA", "UC", or the internal contract's short name.
    pub kind_short: String,
    pub version: String,
    /// "du 1er janvier 2026 au 31 décembre 2027", "from 1 January 2026, with no end date".
    pub effective: String,
    pub description: Option<String>,
    /// The doc comment of the agreement (`///`).
    pub doc: Option<String>,
    pub provider: PartyView,
    pub customer: PartyView,
    pub services: Vec<ServiceView>,
    pub fee: Option<String>,
    /// The parent agreement, for an agreement that `extends` another.
    pub extends: Option<Parent>,
    /// The terms taken from the parent, by their field names in the reader's words.
    pub inherited_terms: Vec<String>,
    pub objectives: Vec<ObjectiveView>,
    pub calendars: Vec<CalendarView>,
    pub escalations: Vec<EscalationView>,
    pub credit: Option<CreditView>,
    pub provider_duties: Vec<Duty>,
    pub customer_duties: Vec<Duty>,
    pub clauses: Vec<ClauseView>,
    pub review: Option<String>,
    /// SHA-256 of the agreement's normalized model, in hex.
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Parent {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    pub id: String,
    pub name: String,
    /// "externe" / "interne", when given.
    pub kind: Option<String>,
    pub doc: Option<String>,
    pub contacts: Vec<ContactView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    /// The contact's role, from its id (`account_manager` → "account manager").
    pub role: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub pager: Option<String>,
    /// Everything above in one line.
    pub line: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub price: Option<String>,
    pub doc: Option<String>,
    /// The agreements that cover the service (catalogue only).
    pub agreements: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveView {
    pub id: String,
    pub title: String,
    pub inherited: bool,
    /// What is measured, in a few words ("Temps de prise en charge des tickets").
    pub measure: String,
    /// The commitment in one sentence.
    pub statement: String,
    /// The deadline of each `within` case with conditions, most specific first as written.
    pub cases: Vec<CaseView>,
    /// The deadline of tickets that match no case, or a sentence saying there is none.
    pub default_case: Option<String>,
    /// The error budget: what may fail, as time for monitoring objectives.
    pub budget: Option<String>,
    pub calendar: Option<String>,
    pub owner: Option<String>,
    pub description: Option<String>,
    pub doc: Option<String>,
    /// The objectives of other agreements (OLAs, UCs) that underpin this one.
    pub underpinned_by: Vec<String>,
    /// The objectives this one underpins (for an OLA or UC).
    pub supports: Vec<String>,
    /// The escalation policy that applies, by id (its section follows).
    pub escalation: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub conditions: String,
    pub deadline: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarView {
    pub id: String,
    pub timezone: String,
    pub doc: Option<String>,
    /// One line per group of open ranges: "du lundi au vendredi, de 8 h à 17 h".
    pub hours: Vec<String>,
    pub closed: Vec<String>,
    pub years: Vec<HolidayYear>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HolidayYear {
    pub year: i32,
    pub holidays: Vec<HolidayView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HolidayView {
    pub date: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EscalationView {
    pub id: String,
    pub doc: Option<String>,
    /// The objectives it applies to, by title.
    pub objectives: Vec<String>,
    pub levels: Vec<LevelView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelView {
    pub level: u32,
    pub when: String,
    pub who: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreditView {
    pub inherited: bool,
    pub tiers: Vec<String>,
    pub cap: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Duty {
    pub text: String,
    pub inherited: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClauseView {
    pub heading: String,
    pub text: String,
    pub inherited: bool,
}

/// The service catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogueDoc {
    pub lang: Lang,
    pub services: Vec<ServiceView>,
}

fn fr(lang: Lang) -> bool {
    lang == Lang::Fr
}

/// Quoted text: « texte » in French (no-break spaces inside), “text” in English.
fn quote(lang: Lang, text: &str) -> String {
    if fr(lang) {
        format!("«\u{a0}{text}\u{a0}»")
    } else {
        format!("“{text}”")
    }
}

/// `account_manager` → "account manager".
fn role(id: &str) -> String {
    id.replace('_', " ")
}

/// A contact reference as a reader identifies the person: name, party, e-mail address.
pub fn contact_line(model: &Model, reference: &ContactRef) -> String {
    let Some(party) = model.parties.get(&reference.party) else {
        return reference.to_string();
    };
    let Some(id) = &reference.contact else {
        return party.name.clone();
    };
    let Some(contact) = party.contact(id) else {
        return reference.to_string();
    };
    // "Marie Dupont (account manager, Acme Industries SA, marie.dupont@acme.example)": one
    // person per parenthesis, so that a list of people reads unambiguously.
    let mut details = vec![party.name.clone()];
    details.extend(contact.email.clone());
    let details = details.join(", ");
    match &contact.name {
        Some(name) => format!("{name} ({}, {details})", role(id)),
        None => format!("{} ({details})", role(id)),
    }
}

fn party_view(model: &Model, lang: Lang, id: &str) -> PartyView {
    let Some(party) = model.parties.get(id) else {
        return PartyView {
            id: id.to_string(),
            name: id.to_string(),
            kind: None,
            doc: None,
            contacts: Vec::new(),
        };
    };
    PartyView {
        id: party.id.clone(),
        name: party.name.clone(),
        kind: party.kind.map(|kind| {
            match (kind, fr(lang)) {
                (slac_model::model::PartyKind::External, true) => "externe",
                (slac_model::model::PartyKind::Internal, true) => "interne",
                (slac_model::model::PartyKind::External, false) => "external",
                (slac_model::model::PartyKind::Internal, false) => "internal",
            }
            .to_string()
        }),
        doc: party.doc.clone(),
        contacts: party
            .contacts
            .iter()
            .map(|contact| {
                let mut parts = vec![match &contact.name {
                    Some(name) => format!("{name} ({})", role(&contact.id)),
                    None => role(&contact.id),
                }];
                parts.extend(contact.email.clone());
                parts.extend(contact.phone.clone());
                if let Some(pager) = &contact.pager {
                    parts.push(format!(
                        "{} {pager}",
                        if fr(lang) { "astreinte" } else { "pager" }
                    ));
                }
                ContactView {
                    role: role(&contact.id),
                    name: contact.name.clone(),
                    email: contact.email.clone(),
                    phone: contact.phone.clone(),
                    pager: contact.pager.clone(),
                    line: parts.join(", "),
                }
            })
            .collect(),
    }
}

fn service_view(model: &Model, lang: Lang, id: &str) -> ServiceView {
    let service = model.services.get(id);
    ServiceView {
        id: id.to_string(),
        name: service
            .and_then(|s| s.name.clone())
            .unwrap_or_else(|| id.to_string()),
        description: service.and_then(|s| s.description.clone()),
        owner: service.and_then(|s| {
            s.owner.as_ref().map(|owner| {
                model
                    .parties
                    .get(owner)
                    .map_or_else(|| owner.clone(), |p| p.name.clone())
            })
        }),
        price: service.and_then(|s| s.price.as_ref()).map(|price| {
            let amount = ty::money(lang, &price.amount, &price.currency);
            match price.per {
                Some(per) => format!("{amount} {}", ty::per(lang, per)),
                None => amount,
            }
        }),
        doc: service.and_then(|s| s.doc.clone()),
        agreements: Vec::new(),
    }
}

fn kind_words(lang: Lang, kind: AgreementKind) -> (&'static str, &'static str) {
    match (kind, fr(lang)) {
        (AgreementKind::Customer, true) => ("Contrat de niveau de service (SLA)", "SLA"),
        (AgreementKind::Internal, true) => ("Contrat de service interne", "contrat interne"),
        (AgreementKind::Operational, true) => ("Accord de niveau opérationnel (OLA)", "OLA"),
        (AgreementKind::Underpinning, true) => ("Contrat de sous-traitance (UC)", "UC"),
        (AgreementKind::Customer, false) => ("Service-level agreement (SLA)", "SLA"),
        (AgreementKind::Internal, false) => ("Internal service agreement", "internal agreement"),
        (AgreementKind::Operational, false) => ("Operational-level agreement (OLA)", "OLA"),
        (AgreementKind::Underpinning, false) => ("Underpinning contract (UC)", "UC"),
    }
}

fn effective(lang: Lang, agreement: &Agreement) -> String {
    let from = ty::date(lang, agreement.effective.from);
    match (agreement.effective.to, fr(lang)) {
        (Some(to), true) => format!("du {from} au {}", ty::date(lang, to)),
        (Some(to), false) => format!("from {from} to {}", ty::date(lang, to)),
        (None, true) => format!("à partir du {from}, sans date de fin"),
        (None, false) => format!("from {from}, with no end date"),
    }
}

/// "la priorité P1", "la priorité P2 et la région rural" / "priority P1".
fn conditions(lang: Lang, case: &WithinCase) -> String {
    let parts: Vec<String> = case
        .conditions
        .iter()
        .map(|c| {
            let value = &c.value;
            match (c.attribute.as_str(), fr(lang)) {
                ("priority", true) => format!("la priorité {value}"),
                ("region", true) => format!("la région {value}"),
                ("category", true) => format!("la catégorie {value}"),
                ("site", true) => format!("le site {value}"),
                ("service", true) => format!("le service {value}"),
                ("type", true) => format!("le type {value}"),
                (attribute, true) => format!("{} {value}", quote(lang, &role(attribute))),
                (attribute, false) => format!("{} {value}", role(attribute)),
            }
        })
        .collect();
    ty::list(lang, &parts)
}

fn business(objective: &Objective) -> bool {
    objective.calendar != ALWAYS
}

fn title_of(objective: &Objective) -> String {
    objective
        .title
        .clone()
        .unwrap_or_else(|| role(&objective.id))
}

fn objective_view(
    index: &Index,
    lang: Lang,
    agreement: &Agreement,
    o: &Objective,
) -> ObjectiveView {
    let model = index.model;
    let target = ty::percent(lang, o.target);
    let period = ty::window_of(lang, o.window);
    let is_business = business(o);
    let f = fr(lang);
    let (measure, statement) = match &o.sli {
        Sli::Ratio { .. } => (
            if f {
                "Part des requêtes traitées sans erreur"
            } else {
                "Share of requests served without error"
            },
            if f {
                format!("Au moins {target} des requêtes {period} sont traitées sans erreur.")
            } else {
                format!("At least {target} of requests {period} are served without error.")
            },
        ),
        Sli::Latency { threshold, .. } => {
            let limit = threshold
                .as_millis()
                .map(|ms| {
                    if ms % 1000 == 0 {
                        format!("{}\u{a0}s", ty::number(lang, (ms / 1000) as f64, 0))
                    } else {
                        format!("{}\u{a0}ms", ty::number(lang, ms as f64, 0))
                    }
                })
                .unwrap_or_default();
            (
                if f {
                    "Temps de réponse des requêtes"
                } else {
                    "Request latency"
                },
                if f {
                    format!(
                        "Au moins {target} des requêtes {period} sont servies en {limit} au plus."
                    )
                } else {
                    format!("At least {target} of requests {period} are served within {limit}.")
                },
            )
        }
        Sli::ResponseTime | Sli::ResolutionTime => {
            let response = matches!(o.sli, Sli::ResponseTime);
            let verb = match (response, f) {
                (true, true) => "pris en charge",
                (false, true) => "résolus",
                (true, false) => "responded to",
                (false, false) => "resolved",
            };
            // "en 1 heure ouvrée pour la priorité P1, 4 heures ouvrées pour la priorité P2 et
            // 3 jours ouvrés pour tout autre ticket": the preposition once, then the cases.
            let mut parts: Vec<String> = o
                .within
                .iter()
                .filter(|c| !c.is_default())
                .map(|c| {
                    let deadline = ty::within(lang, c.duration, is_business);
                    let of = if f { "pour" } else { "for" };
                    format!("{deadline} {of} {}", conditions(lang, c))
                })
                .collect();
            if let Some(default) = o.within.iter().find(|c| c.is_default()) {
                let deadline = ty::within(lang, default.duration, is_business);
                parts.push(if f {
                    format!("{deadline} pour tout autre ticket")
                } else {
                    format!("{deadline} for any other ticket")
                });
            }
            // A case with several conditions already holds "et": then a comma before the last
            // case too, so that the conditions and the cases cannot be read together.
            let and = if f { " et " } else { " and " };
            let list = match parts.split_last() {
                Some((last, rest)) if !rest.is_empty() && parts.iter().any(|p| p.contains(and)) => {
                    format!("{},{and}{last}", rest.join(", "))
                }
                _ => ty::list(lang, &parts),
            };
            let cases = format!("{} {list}", if f { "en" } else { "within" });
            (
                match (response, f) {
                    (true, true) => "Délai de prise en charge des tickets",
                    (false, true) => "Délai de résolution des tickets",
                    (true, false) => "Ticket response time",
                    (false, false) => "Ticket resolution time",
                },
                if f {
                    format!("{target} des tickets {period} sont {verb} {cases}.")
                } else {
                    format!("{target} of tickets {period} are {verb} {cases}.")
                },
            )
        }
        Sli::Delivery => {
            let when = o
                .due
                .map(|due| {
                    let days = ty::weekdays(lang, due.days);
                    let time = ty::time_of_day(lang, due.time);
                    if f {
                        format!(", dues {days} à {time}")
                    } else {
                        format!(", due {days} at {time}")
                    }
                })
                .unwrap_or_default();
            (
                if f {
                    "Livraisons à échéance"
                } else {
                    "On-time deliveries"
                },
                if f {
                    format!("{target} des livraisons {period} sont faites à l'échéance{when}.")
                } else {
                    format!("{target} of deliveries {period} are made on time{when}.")
                },
            )
        }
        Sli::Satisfaction { scale, satisfied } => (
            if f {
                "Satisfaction des utilisateurs"
            } else {
                "User satisfaction"
            },
            if f {
                format!(
                    "Au moins {target} des réponses à l'enquête de satisfaction {period} donnent une note de {satisfied} ou plus sur {scale}."
                )
            } else {
                format!(
                    "At least {target} of satisfaction survey answers {period} give a score of {satisfied} or more out of {scale}."
                )
            },
        ),
    };

    let cases: Vec<CaseView> = o
        .within
        .iter()
        .filter(|c| !c.is_default())
        .map(|c| CaseView {
            conditions: conditions(lang, c),
            deadline: ty::within(lang, c.duration, is_business),
        })
        .collect();
    let default_case = if o.sli.is_ticket() {
        Some(match o.within.iter().find(|c| c.is_default()) {
            Some(c) => ty::within(lang, c.duration, is_business),
            None if f => {
                "aucun : les tickets qui ne relèvent d'aucun cas sont signalés à part".to_string()
            }
            None => "none: tickets that match no case are reported separately".to_string(),
        })
    } else {
        None
    };

    let miss = ty::percent(lang, 100.0 - o.target);
    let budget = if o.target >= 100.0 {
        Some(if f {
            "aucune marge : l'objectif ne tolère aucun écart".to_string()
        } else {
            "none: the objective allows no miss at all".to_string()
        })
    } else if o.sli.is_monitoring() {
        let ratio = (100.0 - o.target) / 100.0;
        if is_business {
            let engine = index.engines.get(o.calendar.as_str());
            let open = engine.map(|engine| {
                let at = agreement
                    .effective
                    .from
                    .and_hms_opt(12, 0, 0)
                    .unwrap_or_default()
                    .and_utc();
                let budget = engine.budget(o.window, o.target, at);
                budget.budget_seconds.round() as u64
            });
            Some(match (open, f) {
                (Some(seconds), true) => format!(
                    "{miss} des requêtes pendant les heures de service, soit environ {} d'indisponibilité totale {period}",
                    ty::clock(lang, seconds)
                ),
                (Some(seconds), false) => format!(
                    "{miss} of requests during service hours, about {} of complete outage {period}",
                    ty::clock(lang, seconds)
                ),
                (None, true) => format!("{miss} des requêtes pendant les heures de service"),
                (None, false) => format!("{miss} of requests during service hours"),
            })
        } else {
            let seconds = (ratio * o.window.nominal_seconds() as f64).round() as u64;
            let clock = ty::clock(lang, seconds);
            Some(if f {
                format!("{clock} {period}, soit {miss} des requêtes")
            } else {
                format!("{clock} {period}, that is {miss} of requests")
            })
        }
    } else {
        let what = match (&o.sli, f) {
            (Sli::Delivery, true) => "des livraisons",
            (Sli::Delivery, false) => "of deliveries",
            (Sli::Satisfaction { .. }, true) => "des réponses",
            (Sli::Satisfaction { .. }, false) => "of answers",
            (_, true) => "des tickets",
            (_, false) => "of tickets",
        };
        Some(if f {
            format!("{miss} {what} {period} peuvent manquer l'objectif")
        } else {
            format!("{miss} {what} {period} may miss the objective")
        })
    };

    let calendar = is_business.then(|| {
        let tz = model
            .calendars
            .get(&o.calendar)
            .map(|c| c.timezone.name().to_string())
            .unwrap_or_default();
        if f {
            format!("heures de service {} ({tz})", quote(lang, &o.calendar))
        } else {
            format!("service hours {} ({tz})", quote(lang, &o.calendar))
        }
    });

    let mut underpinned_by = Vec::new();
    let supporters = index
        .supporters
        .get(&(agreement.id.as_str(), o.id.as_str()))
        .map_or(&[][..], Vec::as_slice);
    for &(other, supporting) in supporters {
        {
            {
                let (_, short) = kind_words(lang, other.kind);
                let statement = objective_view(index, lang, other, supporting).statement;
                let title = other.title.clone().unwrap_or_else(|| other.id.clone());
                underpinned_by.push(format!(
                    "{short} {}, {}{} {statement}",
                    quote(lang, &title),
                    title_of(supporting),
                    if f { "\u{a0}:" } else { ":" }
                ));
            }
        }
    }
    let supports = o
        .supports
        .iter()
        .map(|r| {
            let target = model.agreements.get(&r.agreement);
            let agreement_title = target
                .and_then(|a| a.title.clone())
                .unwrap_or_else(|| r.agreement.clone());
            let objective_title = target
                .and_then(|a| a.objective(&r.objective))
                .map_or_else(|| r.objective.clone(), title_of);
            let of = if f { "de" } else { "of" };
            format!(
                "{} {of} {}",
                quote(lang, &objective_title),
                quote(lang, &agreement_title)
            )
        })
        .collect();

    ObjectiveView {
        id: o.id.clone(),
        title: title_of(o),
        inherited: o.inherited,
        measure: measure.to_string(),
        statement,
        cases,
        default_case,
        budget,
        calendar,
        owner: o.owner.as_ref().map(|owner| contact_line(model, owner)),
        description: o.description.clone(),
        doc: o.doc.clone(),
        underpinned_by,
        supports,
        escalation: agreement.escalation_of(o).map(str::to_string),
    }
}

/// One line per time range, with the days that share it: "du lundi au vendredi, de 8 h à 17 h".
fn hours(lang: Lang, calendar: &Calendar) -> Vec<String> {
    calendar
        .open
        .iter()
        .map(|range| {
            format!(
                "{}, {}",
                ty::weekdays(lang, range.days),
                ty::time_range(lang, range.range)
            )
        })
        .collect()
}

fn calendar_view(model: &Model, lang: Lang, calendar: &Calendar, years: &[i32]) -> CalendarView {
    let spec = calendar.spec(model);
    let f = fr(lang);
    let years = years
        .iter()
        .map(|&year| {
            let mut holidays: Vec<(NaiveDate, HolidayView)> = spec
                .holidays
                .iter()
                .filter_map(|rule| {
                    let date = rule.date_in(year)?;
                    let mut name = rule.name().to_string();
                    if let HolidayRule::Date {
                        from: Some(from), ..
                    } = rule
                    {
                        let time = ty::time_of_day(lang, *from);
                        name = if f {
                            format!("{name} (fermé à partir de {time})")
                        } else {
                            format!("{name} (closed from {time})")
                        };
                    }
                    Some((
                        date,
                        HolidayView {
                            date: ty::date(lang, date),
                            name,
                        },
                    ))
                })
                .collect();
            holidays.sort_by_key(|(date, _)| *date);
            HolidayYear {
                year,
                holidays: holidays.into_iter().map(|(_, view)| view).collect(),
            }
        })
        .filter(|year| !year.holidays.is_empty())
        .collect();
    CalendarView {
        id: calendar.id.clone(),
        timezone: calendar.timezone.name().to_string(),
        doc: calendar.doc.clone(),
        hours: hours(lang, calendar),
        closed: calendar
            .closed
            .iter()
            .map(|period| {
                let from = ty::date(lang, period.from);
                let to = ty::date(lang, period.to);
                let text = if f {
                    format!("du {from} au {to}")
                } else {
                    format!("from {from} to {to}")
                };
                match &period.name {
                    Some(name) => format!("{text} ({name})"),
                    None => text,
                }
            })
            .collect(),
        years,
    }
}

fn threshold(lang: Lang, threshold: &Threshold, tickets: bool) -> String {
    let f = fr(lang);
    match threshold {
        Threshold::Percent(p) => {
            let share = ty::percent(lang, *p);
            match (tickets, f) {
                (false, true) => format!("dès que {share} du budget d'erreur est consommé"),
                (false, false) => format!("when {share} of the error budget is used"),
                (true, true) => format!("dès que {share} du délai accordé est écoulé"),
                (true, false) => format!("when {share} of the time allowed has elapsed"),
            }
        }
        Threshold::After(duration) => {
            let text = ty::within(lang, *duration, false);
            if f {
                format!("{text} après l'ouverture du ticket")
            } else {
                format!("{text} after the ticket was opened")
            }
        }
        Threshold::Breach => {
            if f {
                "dès que l'objectif est manqué".to_string()
            } else {
                "as soon as the objective is missed".to_string()
            }
        }
    }
}

fn cadence(lang: Lang, cadence: &Cadence) -> String {
    match (cadence, fr(lang)) {
        (Cadence::Weekly, true) => "Revue hebdomadaire".into(),
        (Cadence::Monthly, true) => "Revue mensuelle".into(),
        (Cadence::Quarterly, true) => "Revue trimestrielle".into(),
        (Cadence::Yearly, true) => "Revue annuelle".into(),
        (Cadence::Every(d), true) => format!("Revue toutes les {}", ty::within(lang, *d, false)),
        (Cadence::Weekly, false) => "Weekly review".into(),
        (Cadence::Monthly, false) => "Monthly review".into(),
        (Cadence::Quarterly, false) => "Quarterly review".into(),
        (Cadence::Yearly, false) => "Yearly review".into(),
        (Cadence::Every(d), false) => format!("Review every {}", ty::within(lang, *d, false)),
    }
}

/// The terms an agreement took from its parent, in the reader's words.
fn inherited_term(lang: Lang, field: &str) -> String {
    let f = fr(lang);
    match (field, f) {
        ("fee", true) => "la redevance".into(),
        ("fee", false) => "the fee".into(),
        ("escalation", true) => "la procédure d'escalade".into(),
        ("escalation", false) => "the escalation policy".into(),
        ("review", true) => "la revue de service".into(),
        ("review", false) => "the service review".into(),
        ("credit", true) => "les pénalités".into(),
        ("credit", false) => "the service credits".into(),
        ("services", true) => "les services couverts".into(),
        ("services", false) => "the services covered".into(),
        ("provider", true) => "le prestataire".into(),
        ("provider", false) => "the provider".into(),
        ("customer", true) => "le client".into(),
        ("customer", false) => "the customer".into(),
        ("effective", true) => "la période d'application".into(),
        ("effective", false) => "the effective period".into(),
        ("language", true) => "la langue".into(),
        ("language", false) => "the language".into(),
        ("description", true) => "la description".into(),
        ("description", false) => "the description".into(),
        ("kind", true) => "le type d'accord".into(),
        ("kind", false) => "the kind of agreement".into(),
        ("title", true) => "le titre".into(),
        ("title", false) => "the title".into(),
        (other, _) => role(other),
    }
}

/// The SHA-256 of the agreement's normalized model: its serialized form, which leaves out
/// layout and source positions, so reformatting the source does not change it.
pub fn fingerprint(agreement: &Agreement) -> String {
    let json = serde_json::to_string(agreement).unwrap_or_default();
    let digest = Sha256::digest(json.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The years of the effective period whose holidays the document lists: each year of a bounded
/// period, the first two years of an open-ended one.
fn years(agreement: &Agreement) -> Vec<i32> {
    let from = agreement.effective.from.year();
    let to = agreement.effective.to.map_or(from + 1, |to| to.year());
    (from..=to.min(from + 9)).collect()
}

/// What the documents of a workspace look up again and again, computed once: which objectives
/// underpin each objective, and the calendar engine of each business calendar.
pub struct Index<'m> {
    pub model: &'m Model,
    supporters: HashMap<(&'m str, &'m str), Vec<(&'m Agreement, &'m Objective)>>,
    engines: HashMap<&'m str, BusinessCalendar>,
}

impl<'m> Index<'m> {
    pub fn new(model: &'m Model) -> Index<'m> {
        let mut supporters: HashMap<(&str, &str), Vec<(&Agreement, &Objective)>> = HashMap::new();
        let mut engines = HashMap::new();
        for agreement in model.agreements.values() {
            for objective in &agreement.objectives {
                for reference in &objective.supports {
                    supporters
                        .entry((reference.agreement.as_str(), reference.objective.as_str()))
                        .or_default()
                        .push((agreement, objective));
                }
                if business(objective) && !engines.contains_key(objective.calendar.as_str()) {
                    if let Some(engine) = model.engine(&objective.calendar) {
                        engines.insert(objective.calendar.as_str(), engine);
                    }
                }
            }
        }
        Index {
            model,
            supporters,
            engines,
        }
    }
}

pub fn agreement_doc(index: &Index, lang: Lang, agreement: &Agreement) -> AgreementDoc {
    let model = index.model;
    let (kind, kind_short) = kind_words(lang, agreement.kind);
    let f = fr(lang);
    let objectives: Vec<ObjectiveView> = agreement
        .objectives
        .iter()
        .map(|o| objective_view(index, lang, agreement, o))
        .collect();

    let calendar_ids: BTreeSet<&str> = agreement
        .objectives
        .iter()
        .filter(|o| business(o))
        .map(|o| o.calendar.as_str())
        .collect();
    let years = years(agreement);
    let calendars = calendar_ids
        .into_iter()
        .filter_map(|id| model.calendars.get(id))
        .map(|calendar| calendar_view(model, lang, calendar, &years))
        .collect();

    let mut policies: Vec<(String, Vec<String>)> = Vec::new();
    for o in &agreement.objectives {
        if let Some(id) = agreement.escalation_of(o) {
            match policies.iter_mut().find(|(p, _)| p == id) {
                Some((_, objectives)) => objectives.push(title_of(o)),
                None => policies.push((id.to_string(), vec![title_of(o)])),
            }
        }
    }
    let tickets_only = |id: &str| {
        agreement
            .objectives
            .iter()
            .filter(|o| agreement.escalation_of(o) == Some(id))
            .all(|o| o.sli.is_ticket())
    };
    let escalations = policies
        .into_iter()
        .filter_map(|(id, objectives)| {
            let policy = model.escalations.get(&id)?;
            let tickets = tickets_only(&id);
            Some(EscalationView {
                id: id.clone(),
                doc: policy.doc.clone(),
                objectives,
                levels: policy
                    .levels
                    .iter()
                    .map(|level| LevelView {
                        level: level.level,
                        when: threshold(lang, &level.threshold, tickets),
                        who: level
                            .notify
                            .iter()
                            .map(|r| contact_line(model, r))
                            .collect(),
                    })
                    .collect(),
            })
        })
        .collect();

    let credit = agreement.credit.as_ref().map(|credit| CreditView {
        inherited: credit.inherited,
        tiers: credit
            .tiers
            .iter()
            .map(|tier| {
                let objective = agreement
                    .objective(&tier.objective)
                    .map_or_else(|| tier.objective.clone(), title_of);
                let below = ty::percent(lang, tier.below);
                let refund = ty::percent(lang, tier.refund);
                let objective = quote(lang, &objective);
                if f {
                    format!("{objective} sous {below}\u{a0}: avoir de {refund} de la redevance de la période")
                } else {
                    format!("{objective} below {below}: a credit of {refund} of the fee for the period")
                }
            })
            .collect(),
        cap: credit.cap.map(|cap| {
            let cap = ty::percent(lang, cap);
            if f {
                format!("Les avoirs d'une période sont plafonnés à {cap} de sa redevance.")
            } else {
                format!("The credits of a period are capped at {cap} of its fee.")
            }
        }),
    });

    let duties = |side: Side| {
        agreement
            .responsibilities
            .iter()
            .filter(|r| r.side == side)
            .map(|r| Duty {
                text: r.text.clone(),
                inherited: r.inherited,
            })
            .collect()
    };

    AgreementDoc {
        lang,
        id: agreement.id.clone(),
        title: agreement
            .title
            .clone()
            .unwrap_or_else(|| agreement.id.clone()),
        kind: kind.to_string(),
        kind_short: kind_short.to_string(),
        version: agreement.version.to_string(),
        effective: effective(lang, agreement),
        description: agreement.description.clone(),
        doc: agreement.doc.clone(),
        provider: party_view(model, lang, &agreement.provider),
        customer: party_view(model, lang, &agreement.customer),
        services: agreement
            .services
            .iter()
            .map(|id| service_view(model, lang, id))
            .collect(),
        fee: agreement.fee.as_ref().map(|fee| {
            let amount = ty::money(lang, &fee.amount, &fee.currency);
            match fee.per {
                Some(per) => format!("{amount} {}", ty::per(lang, per)),
                None => amount,
            }
        }),
        extends: agreement.extends.as_ref().map(|id| Parent {
            id: id.clone(),
            title: model
                .agreements
                .get(id)
                .and_then(|a| a.title.clone())
                .unwrap_or_else(|| id.clone()),
        }),
        inherited_terms: {
            let terms: Vec<String> = agreement
                .inherited_fields
                .iter()
                .map(|field| inherited_term(lang, field))
                .collect();
            if terms.is_empty() {
                Vec::new()
            } else {
                vec![ty::list(lang, &terms)]
            }
        },
        objectives,
        calendars,
        escalations,
        credit,
        provider_duties: duties(Side::Provider),
        customer_duties: duties(Side::Customer),
        clauses: agreement
            .clauses
            .iter()
            .map(|c| ClauseView {
                heading: c.heading.clone(),
                text: c.text.clone(),
                inherited: c.inherited,
            })
            .collect(),
        review: agreement.review.as_ref().map(|review| {
            let who: Vec<String> = review.with.iter().map(|r| contact_line(model, r)).collect();
            let head = cadence(lang, &review.cadence);
            if who.is_empty() {
                format!("{head}.")
            } else if f {
                format!("{head} avec {}.", ty::list(lang, &who))
            } else {
                format!("{head} with {}.", ty::list(lang, &who))
            }
        }),
        fingerprint: fingerprint(agreement),
    }
}

pub fn catalogue_doc(model: &Model, lang: Lang) -> CatalogueDoc {
    CatalogueDoc {
        lang,
        services: model
            .services
            .keys()
            .map(|id| {
                let mut view = service_view(model, lang, id);
                view.agreements = model
                    .agreements
                    .values()
                    .filter(|a| a.services.iter().any(|s| s == id))
                    .map(|a| {
                        let (_, short) = kind_words(lang, a.kind);
                        format!(
                            "{} ({short} {})",
                            a.title.clone().unwrap_or_else(|| a.id.clone()),
                            a.version
                        )
                    })
                    .collect();
                view
            })
            .collect(),
    }
}
