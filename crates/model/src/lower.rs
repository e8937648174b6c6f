//! From one file's syntax tree to model declarations. Checks what can be checked on one
//! declaration alone: values (E005), repeated fields (E003), fields that do not fit the
//! objective's kind (E011). Names are recorded, not resolved: that needs the whole workspace.

use chrono::NaiveDate;
use slac_calendar::{ClosedPeriod, Duration, HolidayRule, OpenRange, Window};
use slac_diagnostics::{Code, Diagnostic, Label};
use slac_source::Span;
use slac_syntax::{Node, NodeKind, Token, TokenKind};

use crate::model::*;
use crate::symbols::{Definition, Reference, SymbolKind};
use crate::values::Reader;

/// An agreement as written, before `extends` is applied: every field optional.
#[derive(Debug, Clone, Default)]
pub(crate) struct AgreementDraft {
    pub id: String,
    pub at: At,
    pub doc: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<AgreementKind>,
    pub version: Option<Version>,
    pub effective: Option<(Effective, At)>,
    pub provider: Option<String>,
    pub customer: Option<String>,
    pub services: Option<Vec<String>>,
    pub language: Option<Language>,
    pub fee: Option<Money>,
    pub review: Option<Review>,
    pub reviewed: Option<(NaiveDate, At)>,
    pub escalation: Option<String>,
    pub extends: Option<(String, At)>,
    pub objectives: Vec<Objective>,
    pub credit: Option<Credit>,
    pub responsibilities: Vec<Responsibility>,
    pub clauses: Vec<Clause>,
    /// The fields written in the agreement, valid or not: a field with a bad value has been
    /// reported already and is not also "missing".
    pub written: Vec<NodeKind>,
    /// Its body has syntax errors, so a field that seems missing may just be unreadable.
    pub broken: bool,
}

/// The declarations of one or more files, in source order, duplicates included.
#[derive(Debug, Default)]
pub(crate) struct Declarations {
    pub parties: Vec<Party>,
    pub services: Vec<Service>,
    pub holidays: Vec<HolidaySet>,
    pub calendars: Vec<Calendar>,
    pub escalations: Vec<Escalation>,
    pub agreements: Vec<AgreementDraft>,
    pub definitions: Vec<Definition>,
    pub references: Vec<Reference>,
    /// `when <objective>` of credits: (agreement, objective id, where), resolved after `extends`.
    pub credit_objectives: Vec<(String, String, At)>,
}

pub(crate) struct Lowering<'a, 'd> {
    pub read: Reader<'a>,
    pub out: &'d mut Declarations,
}

/// E003 at a second declaration of a name, pointing back at the first.
pub(crate) fn duplicate(message: String, again: At, first: At) -> Diagnostic {
    Diagnostic::new(Code::E003, again.file, again.span, message)
        .with_primary_message("declared again here")
        .with_label(Label::new(first.file, first.span, "first declared here"))
}

fn first(items: &[Node], kind: NodeKind) -> Option<&Node> {
    items.iter().find(|n| n.kind == kind)
}

fn doc_text(node: &Node) -> Option<String> {
    node.doc.as_ref().map(|d| d.text.clone())
}

impl Lowering<'_, '_> {
    fn at_node(&self, node: &Node) -> At {
        At::new(self.read.file, node.span)
    }

    fn name_at(&self, node: &Node) -> At {
        At::new(self.read.file, node.name.map_or(node.keyword, |n| n.span))
    }

    fn name(&self, node: &Node) -> String {
        node.name_text(self.read.text)
            .unwrap_or_default()
            .to_string()
    }

    fn define(&mut self, kind: SymbolKind, name: String, node: &Node) {
        let at = self.name_at(node);
        let declaration = self.at_node(node);
        self.out.definitions.push(Definition {
            kind,
            name,
            at,
            declaration,
            doc: doc_text(node),
        });
    }

    fn refer(&mut self, kind: SymbolKind, token: Token) {
        let name = self.read.raw(token).to_string();
        let at = self.read.at(token);
        self.out.references.push(Reference {
            kind,
            name,
            at,
            written: None,
        });
    }

    /// `party` or `party.contact`.
    fn refer_contact(&mut self, token: Token) -> ContactRef {
        let contact = self.read.contact_ref(token);
        let kind = if contact.contact.is_some() {
            SymbolKind::Contact
        } else {
            SymbolKind::Party
        };
        self.refer(kind, token);
        contact
    }

    fn missing(&mut self, node: &Node, what: &str, fields: &[&str], help: &str) {
        if node.has_syntax_errors() {
            return;
        }
        let quoted: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
        let noun = if fields.len() == 1 { "field" } else { "fields" };
        let name = self.name(node);
        self.read.diagnostics.push(
            Diagnostic::new(
                Code::E005,
                self.read.file,
                self.name_at(node).span,
                format!("{what} `{name}` has no {} {noun}", quoted.join(", ")),
            )
            .with_primary_message(format!("missing {}", quoted.join(", ")))
            .with_help(help),
        );
    }

    /// E003 for a field that may appear once and appears again.
    fn unique_fields(&mut self, items: &[Node]) {
        for (index, item) in items.iter().enumerate() {
            if item.kind.repeatable() {
                continue;
            }
            if let Some(earlier) = items[..index].iter().find(|n| n.kind == item.kind) {
                let keyword = item.kind.keyword();
                self.read.diagnostics.push(
                    Diagnostic::new(
                        Code::E003,
                        self.read.file,
                        item.keyword,
                        format!("duplicate `{keyword}` field"),
                    )
                    .with_primary_message("given again here")
                    .with_label(Label::new(
                        self.read.file,
                        earlier.keyword,
                        "first given here",
                    ))
                    .with_help("keep one of the two"),
                );
            }
        }
    }

    fn string_of(&self, node: Option<&Node>) -> Option<String> {
        self.string_token(node).map(|(_, value)| value)
    }

    /// The string token of a field and its value.
    fn string_token(&self, node: Option<&Node>) -> Option<(Token, String)> {
        let token = node?
            .args
            .iter()
            .copied()
            .find(|t| matches!(t.kind, TokenKind::String | TokenKind::TextBlock))?;
        Some((token, self.read.text_value(token)))
    }

    /// An address-like value (e-mail, phone, pager key): the monitoring targets send to it as
    /// written, so it is one line with no control character and no space around it (E005).
    fn one_line(&mut self, token: Token, what: &str) -> String {
        let value = self.read.text_value(token);
        let bad = value.chars().find(|c| c.is_control());
        if let Some(bad) = bad {
            self.read.invalid(
                token,
                format!(
                    "{what} is one line without control characters; this one holds {}",
                    bad.escape_unicode()
                ),
            );
        } else if value.trim() != value || value.is_empty() {
            self.read.invalid(
                token,
                format!("{what} has no spaces at its start or end, and is not empty"),
            );
        }
        value
    }

    fn one_line_of(&mut self, node: Option<&Node>, what: &str) -> Option<String> {
        let (token, _) = self.string_token(node)?;
        Some(self.one_line(token, what))
    }

    /// A query of a ratio indicator, checked as PromQL that gives an instant vector (E015).
    /// A query that does not hold is reported and kept: the objective stays in the model for
    /// editors, and no target runs on a workspace with errors.
    fn query_of(&mut self, node: Option<&Node>) -> Option<String> {
        let (token, value) = self.string_token(node)?;
        if let Err(problem) = slac_promql::check_vector_query(&value) {
            self.promql_problem(token, problem);
        }
        Some(value)
    }

    /// The `histogram` of a latency indicator, checked as a series selector (E015).
    fn histogram_of(&mut self, node: Option<&Node>) -> Option<String> {
        let (token, value) = self.string_token(node)?;
        if let Err(problem) = slac_promql::Histogram::parse(&value) {
            self.promql_problem(token, problem);
        }
        Some(value)
    }

    /// An E015 at the part of the string the problem is about.
    fn promql_problem(&mut self, token: Token, problem: slac_promql::Problem) {
        let raw = self.read.raw(token);
        let block = token.kind == TokenKind::TextBlock;
        let start =
            token.span.start as usize + slac_syntax::source_offset(raw, block, problem.range.start);
        let end =
            token.span.start as usize + slac_syntax::source_offset(raw, block, problem.range.end);
        let span = Span::new(
            start as u32,
            end.max(start + 1).min(token.span.end as usize) as u32,
        );
        let mut diagnostic = Diagnostic::new(Code::E015, self.read.file, span, problem.message)
            .with_primary_message("here");
        if let Some(help) = problem.help {
            diagnostic = diagnostic.with_help(help);
        }
        self.read.diagnostics.push(diagnostic);
    }

    pub fn declaration(&mut self, node: &Node) {
        match node.kind {
            NodeKind::Party => self.party(node),
            NodeKind::Service => self.service(node),
            NodeKind::Holidays => self.holidays(node),
            NodeKind::Calendar => self.calendar(node),
            NodeKind::Escalation => self.escalation(node),
            NodeKind::Agreement => self.agreement(node),
            _ => {}
        }
    }

    fn party(&mut self, node: &Node) {
        let id = self.name(node);
        let items = node.items();
        self.unique_fields(items);
        self.define(SymbolKind::Party, id.clone(), node);
        if first(items, NodeKind::Name).is_none() {
            self.missing(
                node,
                "party",
                &["name"],
                "a party has a `name`, as it appears in contract documents",
            );
        }
        let kind = first(items, NodeKind::Kind)
            .and_then(|k| k.arg(TokenKind::Word))
            .and_then(|t| {
                self.read.choice(
                    t,
                    "party kind",
                    &[
                        ("external", PartyKind::External),
                        ("internal", PartyKind::Internal),
                    ],
                )
            });
        let mut contacts: Vec<Contact> = Vec::new();
        for contact in items.iter().filter(|n| n.kind == NodeKind::Contact) {
            let contact_id = self.name(contact);
            if let Some(earlier) = contacts.iter().find(|c| c.id == contact_id) {
                let again = self.name_at(contact);
                self.read.diagnostics.push(duplicate(
                    format!("duplicate contact `{contact_id}` in party `{id}`"),
                    again,
                    earlier.at,
                ));
                continue;
            }
            self.define(SymbolKind::Contact, format!("{id}.{contact_id}"), contact);
            let fields = contact.items();
            self.unique_fields(fields);
            let short_email = contact
                .arg(TokenKind::String)
                .map(|t| self.one_line(t, "an e-mail address"));
            let email = match short_email {
                Some(email) => Some(email),
                None => self.one_line_of(first(fields, NodeKind::Email), "an e-mail address"),
            };
            contacts.push(Contact {
                id: contact_id,
                name: self.string_of(first(fields, NodeKind::Name)),
                email,
                phone: self.one_line_of(first(fields, NodeKind::Phone), "a phone number"),
                pager: self.one_line_of(first(fields, NodeKind::Pager), "a pager key"),
                doc: doc_text(contact),
                at: self.name_at(contact),
            });
        }
        let party = Party {
            id,
            name: self
                .string_of(first(items, NodeKind::Name))
                .unwrap_or_default(),
            kind,
            contacts,
            doc: doc_text(node),
            at: self.name_at(node),
        };
        self.out.parties.push(party);
    }

    fn money(&mut self, node: Option<&Node>) -> Option<Money> {
        let node = node?;
        let amount = node.arg(TokenKind::Decimal)?;
        let currency = node.arg(TokenKind::Currency)?;
        let per = node.arg(TokenKind::Word).and_then(|t| {
            self.read.choice(
                t,
                "billing period",
                &[
                    ("week", Per::Week),
                    ("month", Per::Month),
                    ("quarter", Per::Quarter),
                    ("year", Per::Year),
                ],
            )
        });
        Some(Money {
            amount: self.read.raw(amount).to_string(),
            currency: self.read.raw(currency).to_string(),
            per,
        })
    }

    fn service(&mut self, node: &Node) {
        let id = self.name(node);
        let items = node.items();
        self.unique_fields(items);
        self.define(SymbolKind::Service, id.clone(), node);
        let owner = first(items, NodeKind::Owner).and_then(|o| o.arg(TokenKind::Reference));
        if let Some(owner) = owner {
            self.refer(SymbolKind::Party, owner);
        }
        let service = Service {
            id,
            name: self.string_of(first(items, NodeKind::Name)),
            description: self.string_of(first(items, NodeKind::Description)),
            owner: owner.map(|t| self.read.raw(t).to_string()),
            price: self.money(first(items, NodeKind::Price)),
            doc: doc_text(node),
            at: self.name_at(node),
        };
        self.out.services.push(service);
    }

    fn holidays(&mut self, node: &Node) {
        let id = self.name(node);
        self.define(SymbolKind::Holidays, id.clone(), node);
        let mut rules = Vec::new();
        for item in node.items() {
            let name = self.string_of(Some(item)).unwrap_or_default();
            let rule = match item.kind {
                NodeKind::Annual => item
                    .arg(TokenKind::AnnualDate)
                    .and_then(|t| self.read.annual_date(t))
                    .map(|(month, day)| HolidayRule::Annual { month, day, name }),
                NodeKind::Easter => item
                    .arg(TokenKind::SignedInt)
                    .and_then(|t| self.read.signed(t))
                    .map(|offset| HolidayRule::Easter { offset, name }),
                NodeKind::Date => {
                    let date = item.arg(TokenKind::Date).and_then(|t| self.read.date(t));
                    let from = match item.arg(TokenKind::Time) {
                        Some(t) => self.read.time(t).map(Some),
                        None => Some(None),
                    };
                    match (date, from) {
                        (Some(date), Some(from)) => Some(HolidayRule::Date { date, from, name }),
                        _ => None,
                    }
                }
                _ => None,
            };
            rules.extend(rule);
        }
        let set = HolidaySet {
            id,
            rules,
            doc: doc_text(node),
            at: self.name_at(node),
        };
        self.out.holidays.push(set);
    }

    fn calendar(&mut self, node: &Node) {
        let id = self.name(node);
        let items = node.items();
        self.unique_fields(items);
        self.define(SymbolKind::Calendar, id.clone(), node);
        let timezone = match first(items, NodeKind::Timezone).and_then(|n| n.arg(TokenKind::String))
        {
            Some(token) => crate::checks::time_zone(&mut self.read, token),
            None => chrono_tz::Tz::UTC,
        };
        let mut open = Vec::new();
        let mut incomplete = false;
        let mut open_at = Vec::new();
        let mut holidays = Vec::new();
        let mut closed = Vec::new();
        for item in items {
            match item.kind {
                NodeKind::Open => {
                    let days = item
                        .arg(TokenKind::WeekdaySet)
                        .and_then(|t| self.read.weekdays(t));
                    let range = item
                        .arg(TokenKind::TimeRange)
                        .and_then(|t| self.read.time_range(t));
                    if let (Some(days), Some(range)) = (days, range) {
                        open.push(OpenRange { days, range });
                        open_at.push(self.at_node(item));
                    } else {
                        incomplete = true;
                    }
                }
                NodeKind::Closed => {
                    if let Some(set) = item.arg(TokenKind::Reference) {
                        self.refer(SymbolKind::Holidays, set);
                        holidays.push(self.read.raw(set).to_string());
                        continue;
                    }
                    let dates: Vec<Token> = item
                        .args
                        .iter()
                        .copied()
                        .filter(|t| t.kind == TokenKind::Date)
                        .collect();
                    let [from_token, to_token] = dates[..] else {
                        continue;
                    };
                    let (Some(from), Some(to)) =
                        (self.read.date(from_token), self.read.date(to_token))
                    else {
                        continue;
                    };
                    if to < from {
                        self.read.invalid(
                            to_token,
                            format!("closed period ends ({to}) before it starts ({from})"),
                        );
                        continue;
                    }
                    closed.push(ClosedPeriod {
                        from,
                        to,
                        name: self.string_of(Some(item)),
                    });
                }
                _ => {}
            }
        }
        let calendar = Calendar {
            id,
            timezone,
            open,
            holidays,
            closed,
            doc: doc_text(node),
            at: self.name_at(node),
            open_at,
            incomplete,
        };
        self.out.calendars.push(calendar);
    }

    fn escalation(&mut self, node: &Node) {
        let id = self.name(node);
        self.define(SymbolKind::Escalation, id.clone(), node);
        let mut levels = Vec::new();
        for item in node.items().iter().filter(|n| n.kind == NodeKind::Level) {
            let Some(level) = item.arg(TokenKind::Int).and_then(|t| self.read.uint(t)) else {
                continue;
            };
            let threshold = if let Some(percent) = item.arg(TokenKind::Percent) {
                self.read
                    .percent(percent, "escalation threshold")
                    .map(Threshold::Percent)
            } else if let Some(duration) = item.arg(TokenKind::Duration) {
                self.read.positive_duration(duration).map(Threshold::After)
            } else {
                Some(Threshold::Breach)
            };
            let notify = item
                .args
                .iter()
                .copied()
                .filter(|t| t.kind == TokenKind::Reference)
                .map(|t| self.refer_contact(t))
                .collect();
            if let Some(threshold) = threshold {
                levels.push(EscalationLevel {
                    level,
                    threshold,
                    notify,
                    at: self.at_node(item),
                });
            }
        }
        let escalation = Escalation {
            id,
            levels,
            doc: doc_text(node),
            at: self.name_at(node),
        };
        self.out.escalations.push(escalation);
    }

    fn agreement(&mut self, node: &Node) {
        let id = self.name(node);
        let items = node.items();
        self.unique_fields(items);
        self.define(SymbolKind::Agreement, id.clone(), node);
        let mut draft = AgreementDraft {
            id: id.clone(),
            at: self.name_at(node),
            doc: doc_text(node),
            title: self.string_of(first(items, NodeKind::Title)),
            description: self.string_of(first(items, NodeKind::Description)),
            written: items.iter().map(|n| n.kind).collect(),
            broken: node.has_syntax_errors(),
            ..AgreementDraft::default()
        };
        let mut clause_nodes: Vec<(String, slac_source::Span)> = Vec::new();
        for item in items {
            match item.kind {
                NodeKind::Kind => {
                    draft.kind = item.arg(TokenKind::Word).and_then(|t| {
                        self.read.choice(
                            t,
                            "agreement kind",
                            &[
                                ("customer", AgreementKind::Customer),
                                ("internal", AgreementKind::Internal),
                                ("operational", AgreementKind::Operational),
                                ("underpinning", AgreementKind::Underpinning),
                            ],
                        )
                    });
                }
                NodeKind::Version => {
                    draft.version = item
                        .arg(TokenKind::Version)
                        .and_then(|t| self.read.version(t))
                }
                NodeKind::Effective => draft.effective = self.effective(item),
                NodeKind::Provider => {
                    if let Some(t) = item.arg(TokenKind::Reference) {
                        self.refer(SymbolKind::Party, t);
                        draft.provider = Some(self.read.raw(t).to_string());
                    }
                }
                NodeKind::Customer => {
                    if let Some(t) = item.arg(TokenKind::Reference) {
                        self.refer(SymbolKind::Party, t);
                        draft.customer = Some(self.read.raw(t).to_string());
                    }
                }
                NodeKind::Services => {
                    let mut services = Vec::new();
                    for t in item
                        .args
                        .iter()
                        .copied()
                        .filter(|t| t.kind == TokenKind::Reference)
                    {
                        self.refer(SymbolKind::Service, t);
                        services.push(self.read.raw(t).to_string());
                    }
                    draft.services = Some(services);
                }
                NodeKind::Language => {
                    draft.language = item.arg(TokenKind::Word).and_then(|t| {
                        self.read.choice(
                            t,
                            "document language",
                            &[("fr", Language::Fr), ("en", Language::En)],
                        )
                    });
                }
                NodeKind::Fee => draft.fee = self.money(Some(item)),
                NodeKind::Review => draft.review = self.review(item),
                NodeKind::Reviewed => {
                    if let Some(t) = item.arg(TokenKind::Date) {
                        draft.reviewed = self.read.date(t).map(|d| (d, self.at_node(item)));
                    }
                }
                NodeKind::EscalationRef => {
                    if let Some(t) = item.arg(TokenKind::Reference) {
                        self.refer(SymbolKind::Escalation, t);
                        draft.escalation = Some(self.read.raw(t).to_string());
                    }
                }
                NodeKind::Extends => {
                    if let Some(t) = item.arg(TokenKind::Reference) {
                        self.refer(SymbolKind::Agreement, t);
                        draft.extends = Some((self.read.raw(t).to_string(), self.read.at(t)));
                    }
                }
                NodeKind::Objective => {
                    if let Some(objective) = self.objective(&id, item, &draft.objectives) {
                        draft.objectives.push(objective);
                    }
                }
                NodeKind::Credit => draft.credit = Some(self.credit(&id, item)),
                NodeKind::Responsibility => {
                    let side = item.arg(TokenKind::Word).and_then(|t| {
                        self.read.choice(
                            t,
                            "side",
                            &[("provider", Side::Provider), ("customer", Side::Customer)],
                        )
                    });
                    if let Some(side) = side {
                        let text = self.string_of(Some(item)).unwrap_or_default();
                        draft.responsibilities.push(Responsibility {
                            side,
                            text,
                            inherited: false,
                        });
                    }
                }
                NodeKind::Clause => {
                    let texts: Vec<String> = item
                        .args
                        .iter()
                        .copied()
                        .filter(|t| matches!(t.kind, TokenKind::String | TokenKind::TextBlock))
                        .map(|t| self.read.text_value(t))
                        .collect();
                    if let [heading, text] = &texts[..] {
                        if let Some(earlier) = clause_nodes.iter().find(|(h, _)| h == heading) {
                            let first = earlier.1;
                            self.read.diagnostics.push(
                                Diagnostic::new(
                                    Code::E003,
                                    self.read.file,
                                    item.span,
                                    format!("duplicate clause \"{heading}\""),
                                )
                                .with_primary_message("a clause with this heading again")
                                .with_label(Label::new(self.read.file, first, "first clause"))
                                .with_help(
                                    "merge the two texts, or give each clause its own heading",
                                ),
                            );
                            continue;
                        }
                        clause_nodes.push((heading.clone(), item.span));
                        draft.clauses.push(Clause {
                            heading: heading.clone(),
                            text: text.clone(),
                            inherited: false,
                        });
                    }
                }
                _ => {}
            }
        }
        self.out.agreements.push(draft);
    }

    fn effective(&mut self, item: &Node) -> Option<(Effective, At)> {
        let dates: Vec<Token> = item
            .args
            .iter()
            .copied()
            .filter(|t| t.kind == TokenKind::Date)
            .collect();
        let at = self.at_node(item);
        match dates[..] {
            [from] => Some((
                Effective {
                    from: self.read.date(from)?,
                    to: None,
                },
                at,
            )),
            [from_token, to_token] => {
                let from = self.read.date(from_token)?;
                let to = self.read.date(to_token)?;
                if to < from {
                    self.read.invalid(
                        to_token,
                        format!("the agreement ends ({to}) before it starts ({from})"),
                    );
                    return None;
                }
                Some((Effective { from, to: Some(to) }, at))
            }
            _ => None,
        }
    }

    fn review(&mut self, item: &Node) -> Option<Review> {
        let cadence = if let Some(every) = item.arg(TokenKind::Duration) {
            Cadence::Every(self.read.positive_duration(every)?)
        } else {
            let word = item.arg(TokenKind::Word)?;
            self.read.choice(
                word,
                "review cadence",
                &[
                    ("weekly", Cadence::Weekly),
                    ("monthly", Cadence::Monthly),
                    ("quarterly", Cadence::Quarterly),
                    ("yearly", Cadence::Yearly),
                ],
            )?
        };
        let with = item
            .args
            .iter()
            .copied()
            .filter(|t| t.kind == TokenKind::Reference)
            .map(|t| self.refer_contact(t))
            .collect();
        Some(Review { cadence, with })
    }

    fn credit(&mut self, agreement: &str, item: &Node) -> Credit {
        let items = item.items();
        self.unique_fields(items);
        let mut tiers = Vec::new();
        for when in items.iter().filter(|n| n.kind == NodeKind::When) {
            let Some(objective) = when.arg(TokenKind::Reference) else {
                continue;
            };
            let percents: Vec<Token> = when
                .args
                .iter()
                .copied()
                .filter(|t| t.kind == TokenKind::Percent)
                .collect();
            let [below, refund] = percents[..] else {
                continue;
            };
            let objective_id = self.read.raw(objective).to_string();
            let at = self.read.at(objective);
            self.out
                .credit_objectives
                .push((agreement.to_string(), objective_id.clone(), at));
            let below = self.read.percent(below, "credit threshold");
            let refund = self.read.percent(refund, "refund");
            if let (Some(below), Some(refund)) = (below, refund) {
                tiers.push(CreditTier {
                    objective: objective_id,
                    below,
                    refund,
                });
            }
        }
        let cap = first(items, NodeKind::Cap)
            .and_then(|c| c.arg(TokenKind::Percent))
            .and_then(|t| self.read.percent(t, "credit cap"));
        Credit {
            tiers,
            cap,
            inherited: false,
        }
    }

    fn objective(
        &mut self,
        agreement: &str,
        node: &Node,
        siblings: &[Objective],
    ) -> Option<Objective> {
        let id = self.name(node);
        if let Some(earlier) = siblings.iter().find(|o| o.id == id) {
            let again = self.name_at(node);
            self.read.diagnostics.push(duplicate(
                format!("duplicate objective `{id}` in agreement `{agreement}`"),
                again,
                earlier.at,
            ));
            return None;
        }
        self.define(SymbolKind::Objective, format!("{agreement}.{id}"), node);
        let items = node.items();
        self.unique_fields(items);
        let missing: Vec<&str> = [
            (NodeKind::Sli, "sli"),
            (NodeKind::Target, "target"),
            (NodeKind::Window, "window"),
        ]
        .into_iter()
        .filter(|(kind, _)| first(items, *kind).is_none())
        .map(|(_, name)| name)
        .collect();
        if !missing.is_empty() {
            self.missing(
                node,
                "objective",
                &missing,
                "every objective has `sli`, `target` and `window`",
            );
        }
        let sli = first(items, NodeKind::Sli).and_then(|n| self.sli(n));
        let target_node = first(items, NodeKind::Target);
        let target = target_node
            .and_then(|n| n.arg(TokenKind::Percent))
            .and_then(|t| self.read.percent(t, "target"));
        let window = first(items, NodeKind::Window).and_then(|n| self.window(n));
        let calendar =
            match first(items, NodeKind::CalendarRef).and_then(|n| n.arg(TokenKind::Reference)) {
                Some(t) => {
                    self.refer(SymbolKind::Calendar, t);
                    self.read.raw(t).to_string()
                }
                None => ALWAYS.to_string(),
            };
        let owner = first(items, NodeKind::Owner)
            .and_then(|n| n.arg(TokenKind::Reference))
            .map(|t| self.refer_contact(t));
        let escalation = first(items, NodeKind::EscalationRef)
            .and_then(|n| n.arg(TokenKind::Reference))
            .map(|t| {
                self.refer(SymbolKind::Escalation, t);
                self.read.raw(t).to_string()
            });
        let mut within = Vec::new();
        let mut supports = Vec::new();
        let mut due = None;
        let mut incomplete = false;
        for item in items {
            match item.kind {
                NodeKind::Within => match self.within(item) {
                    Some(case) => within.push(case),
                    None => incomplete = true,
                },
                NodeKind::Supports => {
                    for t in item
                        .args
                        .iter()
                        .copied()
                        .filter(|t| t.kind == TokenKind::Reference)
                    {
                        let raw = self.read.raw(t).to_string();
                        let Some((agreement, objective)) = raw.split_once('.') else {
                            self.read
                                .invalid(t, format!("`{raw}` names no objective: write `supports <agreement>.<objective>`"));
                            continue;
                        };
                        self.refer(SymbolKind::Objective, t);
                        supports.push(ObjectiveRef {
                            agreement: agreement.to_string(),
                            objective: objective.to_string(),
                            at: self.read.at(t),
                        });
                    }
                }
                NodeKind::Due => {
                    let days = item
                        .arg(TokenKind::WeekdaySet)
                        .and_then(|t| self.read.weekdays(t));
                    let time = item.arg(TokenKind::Time).and_then(|t| self.read.time(t));
                    if let (Some(days), Some(time)) = (days, time) {
                        due = Some(Due { days, time });
                    }
                }
                _ => {}
            }
        }
        let sli = sli?;
        self.fields_for_kind(&sli, items);
        if matches!(sli, Sli::Delivery) && first(items, NodeKind::Due).is_none() {
            self.missing(
                node,
                "delivery objective",
                &["due"],
                "say when the deliverable is due, e.g. `due every mon 10:00`",
            );
        }
        Some(Objective {
            id,
            title: self.string_of(first(items, NodeKind::Title)),
            description: self.string_of(first(items, NodeKind::Description)),
            sli,
            target: target?,
            window: window?,
            calendar,
            within,
            due,
            owner,
            supports,
            escalation,
            inherited: false,
            incomplete,
            doc: doc_text(node),
            at: self.name_at(node),
            target_at: At::new(self.read.file, target_node.map_or(node.span, |n| n.span)),
        })
    }

    /// E011: `within` only on ticket objectives, `due` only on deliverables.
    fn fields_for_kind(&mut self, sli: &Sli, items: &[Node]) {
        for item in items {
            let allowed = match item.kind {
                NodeKind::Within => sli.is_ticket(),
                NodeKind::Due => matches!(sli, Sli::Delivery),
                _ => true,
            };
            if !allowed {
                let keyword = item.kind.keyword();
                let help = match item.kind {
                    NodeKind::Within => "`within` cases belong to `sli response_time` and `sli resolution_time` objectives",
                    _ => "`due every …` belongs to `sli delivery` objectives",
                };
                self.read.diagnostics.push(
                    Diagnostic::new(
                        Code::E011,
                        self.read.file,
                        item.span,
                        format!("`{keyword}` is not allowed on a `{}` objective", sli.name()),
                    )
                    .with_primary_message("not for this kind of objective")
                    .with_help(help),
                );
            }
        }
    }

    fn sli(&mut self, node: &Node) -> Option<Sli> {
        let word = node.arg(TokenKind::Word)?;
        let raw = self.read.raw(word).to_string();
        let items = node.items();
        self.unique_fields(items);
        let allowed: &[NodeKind] = match raw.as_str() {
            "ratio" => &[NodeKind::Errors, NodeKind::Good, NodeKind::Total],
            "latency" => &[NodeKind::Histogram, NodeKind::Threshold],
            "satisfaction" => &[NodeKind::Scale, NodeKind::Satisfied],
            _ => &[],
        };
        for item in items
            .iter()
            .filter(|n| !allowed.contains(&n.kind) && n.kind != NodeKind::Error)
        {
            let keyword = item.kind.keyword();
            self.read.diagnostics.push(
                Diagnostic::new(
                    Code::E011,
                    self.read.file,
                    item.span,
                    format!("`{keyword}` is not allowed in `sli {raw}`"),
                )
                .with_primary_message("not for this indicator"),
            );
        }
        let block = |kind| first(items, kind);
        match raw.as_str() {
            "ratio" => {
                let errors = self.query_of(block(NodeKind::Errors));
                let good = self.query_of(block(NodeKind::Good));
                let total = self.query_of(block(NodeKind::Total));
                if errors.is_some() && good.is_some() {
                    self.read
                        .invalid(word, "`sli ratio` takes `errors` or `good`, not both");
                    return None;
                }
                match total {
                    Some(total) if errors.is_some() || good.is_some() => Some(Sli::Ratio {
                        errors,
                        good,
                        total,
                    }),
                    _ => {
                        self.read.invalid(
                            word,
                            "`sli ratio` needs `total` and one of `errors` or `good`",
                        );
                        None
                    }
                }
            }
            "latency" => {
                let histogram = self.histogram_of(block(NodeKind::Histogram));
                let threshold_token =
                    block(NodeKind::Threshold).and_then(|n| n.arg(TokenKind::Duration));
                let threshold = threshold_token.and_then(|t| self.read.positive_duration(t));
                if let (Some(token), Some(Duration::BusinessDays(_))) = (threshold_token, threshold)
                {
                    self.read.invalid(
                        token,
                        "a latency threshold is a time such as `300ms`, not business days",
                    );
                    return None;
                }
                match (histogram, threshold) {
                    (Some(histogram), Some(threshold)) => Some(Sli::Latency {
                        histogram,
                        threshold,
                    }),
                    // A threshold that is there but invalid has been reported already.
                    (Some(_), None) if threshold_token.is_some() => None,
                    _ => {
                        self.read
                            .invalid(word, "`sli latency` needs `histogram` and `threshold`");
                        None
                    }
                }
            }
            "satisfaction" => {
                let scale = block(NodeKind::Scale)
                    .and_then(|n| n.arg(TokenKind::Int))
                    .and_then(|t| self.read.uint(t));
                let satisfied_token =
                    block(NodeKind::Satisfied).and_then(|n| n.arg(TokenKind::Int));
                let satisfied = satisfied_token.and_then(|t| self.read.uint(t));
                match (scale, satisfied, satisfied_token) {
                    (Some(scale), Some(satisfied), Some(token)) => {
                        if scale == 0 || satisfied == 0 || satisfied > scale {
                            self.read.invalid(
                                token,
                                format!("`satisfied {satisfied}` must be between 1 and the scale ({scale})"),
                            );
                            return None;
                        }
                        Some(Sli::Satisfaction { scale, satisfied })
                    }
                    _ => {
                        self.read
                            .invalid(word, "`sli satisfaction` needs `scale` and `satisfied`");
                        None
                    }
                }
            }
            "response_time" | "resolution_time" | "delivery" => {
                if node.body.is_some() {
                    self.read
                        .invalid(word, format!("`sli {raw}` takes no `{{ … }}` block"));
                }
                Some(match raw.as_str() {
                    "response_time" => Sli::ResponseTime,
                    "resolution_time" => Sli::ResolutionTime,
                    _ => Sli::Delivery,
                })
            }
            _ => {
                let all = [
                    "ratio",
                    "latency",
                    "satisfaction",
                    "response_time",
                    "resolution_time",
                    "delivery",
                ];
                let options: Vec<(&'static str, ())> = all.iter().map(|n| (*n, ())).collect();
                self.read.choice(word, "kind of indicator", &options);
                None
            }
        }
    }

    fn window(&mut self, node: &Node) -> Option<Window> {
        if let Some(t) = node.arg(TokenKind::Duration) {
            let duration = self.read.positive_duration(t)?;
            if duration.as_millis().is_none() {
                self.read.invalid(
                    t,
                    "a rolling window is counted in `d` or `w`, not in business days",
                );
                return None;
            }
            return Some(Window::Rolling(duration));
        }
        let word = node.arg(TokenKind::Word)?;
        self.read.choice(
            word,
            "window",
            &[
                ("week", Window::Week),
                ("month", Window::Month),
                ("quarter", Window::Quarter),
                ("year", Window::Year),
            ],
        )
    }

    fn within(&mut self, node: &Node) -> Option<WithinCase> {
        let duration = node
            .arg(TokenKind::Duration)
            .and_then(|t| self.read.positive_duration(t))?;
        let mut conditions = Vec::new();
        let args = &node.args;
        for (index, token) in args.iter().enumerate() {
            if token.kind != TokenKind::Eq || index == 0 {
                continue;
            }
            let (Some(attribute), Some(value)) = (args.get(index - 1), args.get(index + 1)) else {
                continue;
            };
            let value = match value.kind {
                TokenKind::String => self.read.text_value(*value),
                _ => self.read.raw(*value).to_string(),
            };
            conditions.push(Condition {
                attribute: self.read.raw(*attribute).to_string(),
                value,
            });
        }
        Some(WithinCase {
            duration,
            conditions,
            at: self.at_node(node),
        })
    }
}
