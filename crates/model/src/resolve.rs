//! Names across the workspace: duplicate declarations (E003), unknown references (E002),
//! `extends` cycles (E009), and inheritance from parent agreements.

use std::collections::{BTreeMap, HashMap, HashSet};

use slac_diagnostics::{did_you_mean, Code, Diagnostic, Label};
use slac_syntax::NodeKind;

use crate::lower::{duplicate, AgreementDraft, Declarations};
use crate::model::*;
use crate::symbols::{Reference, SymbolKind, Symbols};

/// Keeps the first declaration of each id and reports the others.
fn dedupe<T>(
    items: Vec<T>,
    what: &str,
    id: impl Fn(&T) -> &str,
    at: impl Fn(&T) -> At,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, T> {
    let mut map: BTreeMap<String, T> = BTreeMap::new();
    for item in items {
        let key = id(&item).to_string();
        if let Some(first) = map.get(&key) {
            diagnostics.push(
                duplicate(format!("duplicate {what} `{key}`"), at(&item), at(first))
                    .with_help(format!("each {what} needs its own id")),
            );
            continue;
        }
        map.insert(key, item);
    }
    map
}

pub(crate) fn resolve(
    declarations: Declarations,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Model, Symbols) {
    let Declarations {
        parties,
        services,
        holidays,
        calendars,
        escalations,
        agreements,
        definitions,
        references,
        credit_objectives,
    } = declarations;
    let mut model = Model {
        parties: dedupe(parties, "party", |p| &p.id, |p| p.at, diagnostics),
        services: dedupe(services, "service", |s| &s.id, |s| s.at, diagnostics),
        holidays: dedupe(holidays, "holidays set", |h| &h.id, |h| h.at, diagnostics),
        calendars: dedupe(calendars, "calendar", |c| &c.id, |c| c.at, diagnostics),
        escalations: dedupe(
            escalations,
            "escalation policy",
            |e| &e.id,
            |e| e.at,
            diagnostics,
        ),
        agreements: BTreeMap::new(),
    };
    if let Some(calendar) = model.calendars.get(ALWAYS) {
        diagnostics.push(
            Diagnostic::new(
                Code::E003,
                calendar.at.file,
                calendar.at.span,
                "`always` is the built-in calendar that is always open",
            )
            .with_primary_message("redeclares a built-in")
            .with_help("choose another id"),
        );
    }
    let drafts = dedupe(agreements, "agreement", |a| &a.id, |a| a.at, diagnostics);
    let mut symbols = Symbols {
        definitions,
        references: Vec::new(),
    };

    let known: HashSet<(SymbolKind, &str)> = symbols
        .definitions
        .iter()
        .map(|d| (d.kind, d.name.as_str()))
        .collect();
    let mut deferred = Vec::new();
    for reference in references {
        if reference.kind == SymbolKind::Objective {
            deferred.push(reference);
            continue;
        }
        let found = known.contains(&(reference.kind, reference.name.as_str()))
            || (reference.kind == SymbolKind::Calendar && reference.name == ALWAYS);
        if !found {
            diagnostics.push(unknown(&reference, &symbols));
        }
        symbols.references.push(reference);
    }

    let cyclic = extends_cycles(&drafts, diagnostics);
    let mut resolved: HashMap<String, Agreement> = HashMap::new();
    let order = inheritance_order(&drafts, &cyclic);
    for id in order {
        let draft = &drafts[&id];
        let parent = draft
            .extends
            .as_ref()
            .filter(|_| !cyclic.contains(&id))
            .and_then(|(parent, _)| resolved.get(parent));
        let agreement = inherit(draft, parent, diagnostics);
        resolved.insert(id, agreement);
    }
    model.agreements = resolved.into_iter().collect();

    // Objective references need the agreements with their inherited objectives.
    for reference in deferred {
        let (agreement, objective) = reference
            .name
            .split_once('.')
            .unwrap_or((&reference.name, ""));
        let ok = model
            .agreements
            .get(agreement)
            .is_some_and(|a| a.objective(objective).is_some());
        if !ok {
            diagnostics.push(unknown_objective(&reference, &model));
        }
        symbols.references.push(reference);
    }
    for (agreement_id, objective, at) in credit_objectives {
        let Some(agreement) = model.agreements.get(&agreement_id) else {
            continue;
        };
        let declared_in = declaring_agreement(&model, &agreement_id, &objective);
        let name = format!(
            "{}.{objective}",
            declared_in.as_deref().unwrap_or(&agreement_id)
        );
        let reference = Reference {
            kind: SymbolKind::Objective,
            name,
            at,
            written: Some(objective.clone()),
        };
        if agreement.objective(&objective).is_none() {
            let names = agreement.objectives.iter().map(|o| o.id.as_str());
            let mut diagnostic = Diagnostic::new(
                Code::E002,
                at.file,
                at.span,
                format!("agreement `{agreement_id}` has no objective `{objective}`"),
            )
            .with_primary_message("unknown objective");
            if let Some(suggestion) = did_you_mean(&objective, names) {
                diagnostic = diagnostic.with_suggestion(suggestion);
            }
            diagnostics.push(diagnostic);
        }
        symbols.references.push(reference);
    }
    (model, symbols)
}

/// The agreement up the `extends` chain that declares `objective` itself.
fn declaring_agreement(model: &Model, agreement: &str, objective: &str) -> Option<String> {
    let mut current = model.agreements.get(agreement)?;
    for _ in 0..model.agreements.len() {
        match current.objective(objective) {
            Some(o) if !o.inherited => return Some(current.id.clone()),
            Some(_) => current = model.agreements.get(current.extends.as_deref()?)?,
            None => return None,
        }
    }
    None
}

fn unknown(reference: &Reference, symbols: &Symbols) -> Diagnostic {
    let at = reference.at;
    let what = reference.kind.describe();
    if reference.kind == SymbolKind::Contact {
        let (party, contact) = reference
            .name
            .split_once('.')
            .unwrap_or((&reference.name, ""));
        if symbols.definition(SymbolKind::Party, party).is_some() {
            let prefix = format!("{party}.");
            let contacts: Vec<&str> = symbols
                .definitions
                .iter()
                .filter(|d| d.kind == SymbolKind::Contact)
                .filter_map(|d| d.name.strip_prefix(&prefix))
                .collect();
            let mut diagnostic = Diagnostic::new(
                Code::E002,
                at.file,
                at.span,
                format!("party `{party}` has no contact `{contact}`"),
            )
            .with_primary_message("unknown contact");
            if let Some(suggestion) = did_you_mean(contact, contacts.iter().copied()) {
                diagnostic = diagnostic.with_suggestion(&format!("{party}.{suggestion}"));
            } else if !contacts.is_empty() {
                diagnostic =
                    diagnostic.with_help(format!("its contacts are {}", quote_list(&contacts)));
            }
            return diagnostic;
        }
        return unknown_name(
            at,
            "party",
            party,
            symbols
                .definitions
                .iter()
                .filter(|d| d.kind == SymbolKind::Party)
                .map(|d| d.name.as_str()),
        );
    }
    let mut names: Vec<&str> = symbols
        .definitions
        .iter()
        .filter(|d| d.kind == reference.kind)
        .map(|d| d.name.as_str())
        .collect();
    if reference.kind == SymbolKind::Calendar {
        names.push(ALWAYS);
    }
    unknown_name(at, what, &reference.name, names.into_iter())
}

fn unknown_name<'a>(
    at: At,
    what: &str,
    name: &str,
    names: impl Iterator<Item = &'a str> + Clone,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::E002,
        at.file,
        at.span,
        format!("unknown {what} `{name}`"),
    )
    .with_primary_message(format!("no {what} has this id"));
    if let Some(suggestion) = did_you_mean(name, names) {
        diagnostic = diagnostic.with_suggestion(suggestion);
    }
    diagnostic
}

fn quote_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unknown_objective(reference: &Reference, model: &Model) -> Diagnostic {
    let at = reference.at;
    let (agreement, objective) = reference
        .name
        .split_once('.')
        .unwrap_or((&reference.name, ""));
    match model.agreements.get(agreement) {
        None => unknown_name(
            at,
            "agreement",
            agreement,
            model.agreements.keys().map(String::as_str),
        ),
        Some(found) => {
            let mut diagnostic = Diagnostic::new(
                Code::E002,
                at.file,
                at.span,
                format!("agreement `{agreement}` has no objective `{objective}`"),
            )
            .with_primary_message("unknown objective");
            if let Some(suggestion) =
                did_you_mean(objective, found.objectives.iter().map(|o| o.id.as_str()))
            {
                diagnostic = diagnostic.with_suggestion(&format!("{agreement}.{suggestion}"));
            }
            diagnostic
        }
    }
}

/// E009 once per `extends` cycle; returns every agreement on a cycle.
fn extends_cycles(
    drafts: &BTreeMap<String, AgreementDraft>,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashSet<String> {
    let mut cyclic = HashSet::new();
    // Agreements in source order, so that a cycle is reported at its first member.
    let mut ordered: Vec<&AgreementDraft> = drafts.values().collect();
    ordered.sort_by_key(|d| (d.at.file, d.at.span.start));
    for start in ordered {
        if cyclic.contains(&start.id) {
            continue;
        }
        let mut chain = vec![start.id.clone()];
        let mut current = start;
        while let Some((parent, _)) = &current.extends {
            let Some(next) = drafts.get(parent) else {
                break;
            };
            if let Some(position) = chain.iter().position(|id| id == parent) {
                let members = &chain[position..];
                if members.iter().all(|m| !cyclic.contains(m)) && position == 0 {
                    let (_, first_at) = start.extends.clone().unwrap_or_default();
                    let mut diagnostic = Diagnostic::new(
                        Code::E009,
                        first_at.file,
                        first_at.span,
                        format!("`extends` cycle: {} → {}", members.join(" → "), members[0]),
                    )
                    .with_primary_message("the cycle starts here")
                    .with_help(
                        "an agreement cannot inherit from itself, directly or through others",
                    );
                    for member in &members[1..] {
                        if let Some((_, at)) = &drafts[member].extends {
                            diagnostic = diagnostic.with_label(Label::new(
                                at.file,
                                at.span,
                                format!("`{member}` extends on"),
                            ));
                        }
                    }
                    diagnostics.push(diagnostic);
                    cyclic.extend(members.iter().cloned());
                }
                break;
            }
            chain.push(parent.clone());
            current = next;
        }
    }
    cyclic
}

/// Parents before children; agreements on a cycle are taken as if they had no parent.
fn inheritance_order(
    drafts: &BTreeMap<String, AgreementDraft>,
    cyclic: &HashSet<String>,
) -> Vec<String> {
    let mut order = Vec::new();
    let mut placed: HashSet<String> = HashSet::new();
    fn place(
        id: &str,
        drafts: &BTreeMap<String, AgreementDraft>,
        cyclic: &HashSet<String>,
        placed: &mut HashSet<String>,
        order: &mut Vec<String>,
    ) {
        let mut chain = vec![id.to_string()];
        let mut current = id;
        while let Some((parent, _)) = drafts.get(current).and_then(|d| d.extends.as_ref()) {
            if cyclic.contains(current)
                || placed.contains(parent)
                || !drafts.contains_key(parent)
                || chain.contains(parent)
            {
                break;
            }
            chain.push(parent.clone());
            current = parent;
        }
        for id in chain.into_iter().rev() {
            if placed.insert(id.clone()) {
                order.push(id);
            }
        }
    }
    for id in drafts.keys() {
        place(id, drafts, cyclic, &mut placed, &mut order);
    }
    order
}

/// The agreement with the parent's terms filled in where the child is silent. The child's
/// fields and objectives win; responsibilities add up; clauses are replaced by heading.
fn inherit(
    draft: &AgreementDraft,
    parent: Option<&Agreement>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Agreement {
    let mut inherited_fields = Vec::new();
    macro_rules! field {
        ($name:ident, $from_parent:expr) => {
            match (&draft.$name, parent) {
                (Some(value), _) => Some(value.clone()),
                (None, Some(parent)) => {
                    let value = $from_parent(parent);
                    if value.is_some() {
                        inherited_fields.push(stringify!($name).to_string());
                    }
                    value
                }
                (None, None) => None,
            }
        };
    }
    let title = field!(title, |p: &Agreement| p.title.clone());
    let description = field!(description, |p: &Agreement| p.description.clone());
    let kind = field!(kind, |p: &Agreement| Some(p.kind));
    let version = field!(version, |p: &Agreement| Some(p.version));
    let effective = field!(effective, |p: &Agreement| Some((p.effective, p.at)));
    let provider = field!(provider, |p: &Agreement| Some(p.provider.clone()));
    let customer = field!(customer, |p: &Agreement| Some(p.customer.clone()));
    let services = field!(services, |p: &Agreement| Some(p.services.clone())
        .filter(|s| !s.is_empty()));
    let language = field!(language, |p: &Agreement| p.language);
    let fee = field!(fee, |p: &Agreement| p.fee.clone());
    let review = field!(review, |p: &Agreement| p.review.clone());
    let reviewed = field!(reviewed, |p: &Agreement| p.reviewed.map(|d| (d, p.at)));
    let escalation = field!(escalation, |p: &Agreement| p.escalation.clone());

    let mut missing = Vec::new();
    for (name, field, present) in [
        ("kind", NodeKind::Kind, kind.is_some()),
        ("version", NodeKind::Version, version.is_some()),
        ("effective", NodeKind::Effective, effective.is_some()),
        ("provider", NodeKind::Provider, provider.is_some()),
        ("customer", NodeKind::Customer, customer.is_some()),
    ] {
        if !present && !draft.written.contains(&field) {
            missing.push(format!("`{name}`"));
        }
    }
    // With a parent that is unknown or on a cycle (already reported), the missing fields were
    // probably meant to come from it.
    let unresolved_parent = draft.extends.is_some() && parent.is_none();
    if !missing.is_empty() && !unresolved_parent && !draft.broken {
        let noun = if missing.len() == 1 {
            "field"
        } else {
            "fields"
        };
        let mut diagnostic = Diagnostic::new(
            Code::E005,
            draft.at.file,
            draft.at.span,
            format!(
                "agreement `{}` has no {} {noun}",
                draft.id,
                missing.join(", ")
            ),
        )
        .with_primary_message(format!("missing {}", missing.join(", ")));
        if draft.extends.is_none() {
            diagnostic = diagnostic.with_help(
                "write them in the agreement, or inherit them with `extends <agreement>`",
            );
        }
        diagnostics.push(diagnostic);
    }

    let mut objectives = draft.objectives.clone();
    let mut responsibilities = draft.responsibilities.clone();
    let mut clauses = draft.clauses.clone();
    let mut credit = draft.credit.clone();
    if let Some(parent) = parent {
        let own: HashSet<&str> = draft.objectives.iter().map(|o| o.id.as_str()).collect();
        let mut from_parent: Vec<Objective> = parent
            .objectives
            .iter()
            .filter(|o| !own.contains(o.id.as_str()))
            .cloned()
            .map(|mut o| {
                o.inherited = true;
                o
            })
            .collect();
        from_parent.append(&mut objectives);
        objectives = from_parent;
        let mut inherited: Vec<Responsibility> = parent
            .responsibilities
            .iter()
            .cloned()
            .map(|mut r| {
                r.inherited = true;
                r
            })
            .collect();
        inherited.append(&mut responsibilities);
        responsibilities = inherited;
        let headings: HashSet<&str> = draft.clauses.iter().map(|c| c.heading.as_str()).collect();
        let mut inherited_clauses: Vec<Clause> = parent
            .clauses
            .iter()
            .filter(|c| !headings.contains(c.heading.as_str()))
            .cloned()
            .map(|mut c| {
                c.inherited = true;
                c
            })
            .collect();
        inherited_clauses.append(&mut clauses);
        clauses = inherited_clauses;
        if credit.is_none() {
            if let Some(parent_credit) = &parent.credit {
                let mut c = parent_credit.clone();
                c.inherited = true;
                credit = Some(c);
                inherited_fields.push("credit".into());
            }
        }
    }

    let (effective, effective_at) = effective.unwrap_or((Effective::default(), draft.at));
    let reviewed_at = reviewed.map_or(draft.at, |(_, at)| at);
    Agreement {
        id: draft.id.clone(),
        title,
        description,
        kind: kind.unwrap_or_default(),
        version: version.unwrap_or_default(),
        effective,
        provider: provider.unwrap_or_default(),
        customer: customer.unwrap_or_default(),
        services: services.unwrap_or_default(),
        language,
        fee,
        review,
        reviewed: reviewed.map(|(d, _)| d),
        escalation,
        extends: draft.extends.as_ref().map(|(p, _)| p.clone()),
        objectives,
        credit,
        responsibilities,
        clauses,
        inherited_fields,
        doc: draft.doc.clone(),
        at: draft.at,
        effective_at,
        reviewed_at,
    }
}
