//! Hover: what the name or value under the cursor means, in Markdown.

use chrono::{Datelike, NaiveDate};
use slac_calendar::Duration;
use slac_docs::typography::{self as ty, Lang};
use slac_model::model::{Objective, Sli, Threshold, ALWAYS};
use slac_model::{SymbolKind, Workspace};
use slac_source::{FileId, Span};
use slac_syntax::TokenKind;

use crate::target_at;

/// The answer: Markdown, and the span it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

const EN: Lang = Lang::En;

fn objective_hover(agreement_id: &str, objective: &Objective) -> String {
    let mut out = format!(
        "**objective** `{agreement_id}.{}`{}\n\n",
        objective.id,
        objective
            .title
            .as_ref()
            .map(|t| format!(" — {t}"))
            .unwrap_or_default()
    );
    let business = objective.calendar != ALWAYS;
    out.push_str(&format!(
        "- target: {} {}\n- indicator: `{}`\n",
        ty::percent(EN, objective.target),
        ty::window_of(EN, objective.window),
        objective.sli.name()
    ));
    if business {
        out.push_str(&format!(
            "- calendar: `{}` (deadlines and budgets count its open time)\n",
            objective.calendar
        ));
    }
    if objective.target < 100.0 {
        let share = (100.0 - objective.target) / 100.0;
        if objective.sli.is_monitoring() && !business {
            let seconds = (share * objective.window.nominal_seconds() as f64).round() as u64;
            out.push_str(&format!(
                "- error budget: {} {} ({} of requests)\n",
                ty::clock(EN, seconds),
                ty::window_of(EN, objective.window),
                ty::percent(EN, 100.0 - objective.target)
            ));
        } else {
            let what = match objective.sli {
                Sli::Ratio { .. } | Sli::Latency { .. } => "requests during open hours",
                Sli::Delivery => "deliveries",
                Sli::Satisfaction { .. } => "survey answers",
                _ => "tickets",
            };
            out.push_str(&format!(
                "- error budget: {} of {what} may miss the objective\n",
                ty::percent(EN, 100.0 - objective.target)
            ));
        }
    } else {
        out.push_str("- error budget: none (a 100% target allows no miss)\n");
    }
    if !objective.within.is_empty() {
        out.push_str("\n| case | deadline |\n|---|---|\n");
        for case in &objective.within {
            let conditions = if case.is_default() {
                "any other ticket".to_string()
            } else {
                case.conditions
                    .iter()
                    .map(|c| format!("{} = {}", c.attribute, c.value))
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            out.push_str(&format!(
                "| {conditions} | {} |\n",
                ty::within(EN, case.duration, business)
            ));
        }
        if !objective.within.iter().any(|c| c.is_default()) {
            out.push_str(
                "\nNo default case: tickets that match no case are reported as unmatched.\n",
            );
        }
    }
    if let Some(doc) = &objective.doc {
        out.push_str(&format!("\n{doc}\n"));
    }
    out
}

fn calendar_hover(workspace: &Workspace, id: &str, today: NaiveDate) -> String {
    if id == ALWAYS {
        return "**calendar** `always` (built-in)\n\nOpen all the time, in UTC: deadlines and budgets count every second.".to_string();
    }
    let Some(calendar) = workspace.model.calendars.get(id) else {
        return format!("**calendar** `{id}`");
    };
    let mut out = format!(
        "**calendar** `{id}` — time zone `{}`\n\n",
        calendar.timezone.name()
    );
    for range in &calendar.open {
        out.push_str(&format!(
            "- open {}, {}\n",
            ty::weekdays(EN, range.days),
            ty::time_range(EN, range.range)
        ));
    }
    let spec = calendar.spec(&workspace.model);
    let mut next: Vec<(NaiveDate, String)> = (today.year()..=today.year() + 1)
        .flat_map(|year| {
            spec.holidays
                .iter()
                .filter_map(move |rule| rule.date_in(year).map(|d| (d, rule.name().to_string())))
        })
        .filter(|(date, _)| *date >= today)
        .collect();
    next.sort();
    if !next.is_empty() {
        out.push_str("\nNext holidays:\n");
        for (date, name) in next.iter().take(5) {
            out.push_str(&format!("- {} — {name}\n", ty::date(EN, *date)));
        }
    }
    for period in &calendar.closed {
        if period.to >= today {
            out.push_str(&format!(
                "- closed from {} to {}{}\n",
                ty::date(EN, period.from),
                ty::date(EN, period.to),
                period
                    .name
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some(doc) = &calendar.doc {
        out.push_str(&format!("\n{doc}\n"));
    }
    out
}

fn other_hover(workspace: &Workspace, kind: SymbolKind, name: &str) -> String {
    let model = &workspace.model;
    let mut out = format!("**{}** `{name}`", kind.describe());
    match kind {
        SymbolKind::Party => {
            if let Some(party) = model.parties.get(name) {
                out.push_str(&format!(" — {}\n\n", party.name));
                for contact in &party.contacts {
                    out.push_str(&format!(
                        "- `{}`{}{}\n",
                        contact.id,
                        contact
                            .name
                            .as_ref()
                            .map(|n| format!(" {n}"))
                            .unwrap_or_default(),
                        contact
                            .email
                            .as_ref()
                            .map(|e| format!(" <{e}>"))
                            .unwrap_or_default()
                    ));
                }
            }
        }
        SymbolKind::Contact => {
            let (party, id) = name.split_once('.').unwrap_or((name, ""));
            if let Some(party) = model.parties.get(party) {
                if let Some(contact) = party.contact(id) {
                    out.push_str(&format!(" — {}\n\n", party.name));
                    for (label, value) in [
                        ("name", &contact.name),
                        ("e-mail", &contact.email),
                        ("phone", &contact.phone),
                        ("pager", &contact.pager),
                    ] {
                        if let Some(value) = value {
                            out.push_str(&format!("- {label}: {value}\n"));
                        }
                    }
                } else {
                    out.push_str(&format!(" — every contact of {}\n", party.name));
                }
            }
        }
        SymbolKind::Service => {
            if let Some(service) = model.services.get(name) {
                if let Some(title) = &service.name {
                    out.push_str(&format!(" — {title}"));
                }
                if let Some(description) = &service.description {
                    out.push_str(&format!("\n\n{description}"));
                }
            }
        }
        SymbolKind::Escalation => {
            if let Some(policy) = model.escalations.get(name) {
                out.push_str("\n\n");
                for level in &policy.levels {
                    let when = match level.threshold {
                        Threshold::Percent(p) => {
                            format!("at {} of the allowance", ty::percent(EN, p))
                        }
                        Threshold::After(d) => {
                            format!("{} after the ticket opened", ty::within(EN, d, false))
                        }
                        Threshold::Breach => "at breach".to_string(),
                    };
                    let who: Vec<String> = level.notify.iter().map(|r| format!("`{r}`")).collect();
                    out.push_str(&format!(
                        "- level {} {when}: {}\n",
                        level.level,
                        who.join(", ")
                    ));
                }
            }
        }
        SymbolKind::Agreement => {
            if let Some(agreement) = model.agreements.get(name) {
                out.push_str(&format!(
                    "{} — {} agreement, version {}\n\n- provider `{}`, customer `{}`\n- {} objective(s)\n",
                    agreement
                        .title
                        .as_ref()
                        .map(|t| format!(" — {t}"))
                        .unwrap_or_default(),
                    format!("{:?}", agreement.kind).to_lowercase(),
                    agreement.version,
                    agreement.provider,
                    agreement.customer,
                    agreement.objectives.len()
                ));
            }
        }
        SymbolKind::Holidays => {
            if let Some(set) = model.holidays.get(name) {
                out.push_str(&format!(" — {} holiday rule(s)", set.rules.len()));
            }
        }
        _ => {}
    }
    out
}

/// A `bd` duration explained.
fn business_days(text: &str) -> Option<String> {
    let n: u32 = text.strip_suffix("bd")?.parse().ok()?;
    Some(format!(
        "**`{text}`**: {n} business day{} of the objective's calendar.\n\n\
         From an instant t: take the first open instant s at or after t, and the open time o from \
         the start of s's open day to s. The deadline is the instant with the same open offset o \
         into the {} following open day, capped at that day's close. An open day is a local date \
         with open time; an overnight range belongs to the date it starts on.",
        if n == 1 { "" } else { "s" },
        ty::ordinal(EN, n)
    ))
}

/// The hover at `offset` of `file`.
pub fn hover(workspace: &Workspace, file: FileId, offset: u32, today: NaiveDate) -> Option<Hover> {
    if let Some(target) = target_at(workspace, file, offset) {
        let (kind, name) = (target.kind(), target.name());
        let mut markdown = match kind {
            SymbolKind::Objective => {
                let (agreement, id) = name.split_once('.')?;
                let objective = workspace.model.agreements.get(agreement)?.objective(id)?;
                objective_hover(agreement, objective)
            }
            SymbolKind::Calendar => calendar_hover(workspace, name, today),
            _ => other_hover(workspace, kind, name),
        };
        if kind != SymbolKind::Objective && kind != SymbolKind::Calendar {
            if let Some(doc) = workspace
                .symbols
                .definition(kind, name)
                .and_then(|d| d.doc.as_ref())
            {
                markdown = format!("{}\n\n{doc}", markdown.trim_end());
            }
        }
        return Some(Hover {
            span: target.span(),
            markdown,
        });
    }
    // A `bd` duration.
    let tree = workspace.trees.get(file.index())?.as_ref()?;
    let source = workspace.sources.get(file)?;
    let mut found = None;
    tree.walk(|node| {
        for token in &node.args {
            if token.kind == TokenKind::Duration
                && token.span.start <= offset
                && offset <= token.span.end
            {
                found = Some(*token);
            }
        }
    });
    let token = found?;
    let text = token.text(source.text());
    let markdown = business_days(text).or_else(|| {
        let duration = Duration::parse(text).ok()?;
        Some(format!("**`{text}`**: {}", ty::within(EN, duration, false)))
    })?;
    Some(Hover {
        span: token.span,
        markdown,
    })
}
