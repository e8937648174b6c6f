//! Bounded property tests of what `slac check` and `slac fmt` do, on the libraries the binary
//! calls (`slac_syntax::parse`, `slac_fmt::format`, `slac_model::check_files` and the two
//! diagnostic renderers), so that each case costs no process start.
//!
//! It proves two things, on 64 generated cases per property:
//!
//! - text mixed from the tokens of the language (keywords, braces, strings, text blocks,
//!   durations, dates, comments, newlines, stray bytes), and valid files damaged by random
//!   deletions, insertions and duplications, never make parsing, checking, formatting or
//!   rendering a diagnostic panic; every diagnostic lies inside the text; and a file that
//!   formats is stable (formatting it again changes nothing, and it still parses);
//! - a generated valid workspace (parties, services, holidays, calendars, escalations and
//!   agreements with every kind of objective, laid out with random whitespace, line breaks,
//!   comments and doc comments, split over two files) checks without error, and once each file
//!   is formatted it checks to the same serialized model with the same warnings, keeps every
//!   comment, and formats to itself.

mod support;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use slac_diagnostics::{Diagnostic, JsonDiagnostic, Severity};
use slac_model::{Config, Options, Workspace};
use slac_source::FileId;

/// A root that does not exist, so that no file of the disk is ever part of a case.
const ROOT: &str = "/nonexistent/slac-properties";

fn options() -> Options {
    Options {
        today: NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date"),
    }
}

fn check(files: &[(PathBuf, String)]) -> Workspace {
    slac_model::check_files(Path::new(ROOT), Config::default(), files, &options())
}

fn errors(workspace: &Workspace) -> Vec<&Diagnostic> {
    workspace
        .diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .collect()
}

fn warning_codes(workspace: &Workspace) -> Vec<String> {
    let mut codes: Vec<String> = workspace
        .diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Warning)
        .map(|d| d.code.as_str().to_owned())
        .collect();
    codes.sort();
    codes
}

fn model_json(workspace: &Workspace) -> serde_json::Value {
    serde_json::to_value(&workspace.model).expect("the model serializes")
}

// ---------------------------------------------------------------------------------------------
// (a) Token soup never crashes anything.

/// Pieces of the language and of what goes wrong with it.
const TOKENS: &[&str] = &[
    "party",
    "service",
    "holidays",
    "calendar",
    "escalation",
    "agreement",
    "import",
    "objective",
    "credit",
    "sli",
    "ratio",
    "latency",
    "satisfaction",
    "delivery",
    "name",
    "kind",
    "contact",
    "email",
    "within",
    "for",
    "and",
    "=",
    "target",
    "window",
    "month",
    "owner",
    "supports",
    "extends",
    "level",
    "at",
    "breach",
    "notify",
    "open",
    "closed",
    "timezone",
    "annual",
    "easter",
    "date",
    "due",
    "every",
    "when",
    "below",
    "refund",
    "cap",
    "responsibility",
    "clause",
    "version",
    "effective",
    "from",
    "to",
    "review",
    "with",
    "errors",
    "good",
    "total",
    "scale",
    "satisfied",
    "threshold",
    "{",
    "{",
    "}",
    "}",
    ",",
    ".",
    "-",
    "acme",
    "acme.oncall",
    "helpdesk",
    "p",
    "P1",
    "internal",
    "external",
    "customer",
    "operational",
    "\"x\"",
    "\"Île-de-France\"",
    "\"a \\\" b\"",
    "\"\\u{1F600}\"",
    "\"\\u{110000}\"",
    "\"\\q\"",
    "\"open",
    "\"\"\"",
    "\"\"\"\n  text\n\"\"\"",
    "\"Europe/Paris\"",
    "\"Mars/Olympus\"",
    "99.9%",
    "100%",
    "0%",
    "150%",
    "30d",
    "1h30m",
    "2bd",
    "0s",
    "300ms",
    "99999999999999999999h",
    "2026-01-01",
    "2026-02-30",
    "07-14",
    "13-45",
    "08:00-17:00",
    "22:00-06:00",
    "25:61",
    "24:00",
    "mon-fri",
    "sun-thu",
    "daily",
    "1.0.0",
    "1.2",
    "1200",
    "EUR",
    "per",
    "+1",
    "-2",
    "// comment",
    "/// doc",
    "//",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "\u{feff}",
    "\0",
    "é",
    "€",
    "𝔘",
];

fn token_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        12 => prop::sample::select(TOKENS).prop_map(str::to_owned),
        1 => ".{0,4}",
    ];
    let separator = prop::sample::select(&[" ", " ", "", "\n", "  "][..]);
    prop::collection::vec((piece, separator), 0..120).prop_map(|pieces| {
        pieces
            .into_iter()
            .map(|(piece, separator)| piece + separator)
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_crashes_check_or_fmt(text in token_soup()) {
        survives(&text)?;
    }
}

/// Parses, checks, renders and formats `text`, which may be anything.
fn survives(text: &str) -> Result<(), TestCaseError> {
    let parse = slac_syntax::parse(FileId::new(0), text);
    for error in &parse.errors {
        let span = error.primary.span;
        prop_assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "{error:?}"
        );
        prop_assert!(text.is_char_boundary(span.start as usize), "{error:?}");
        prop_assert!(text.is_char_boundary(span.end as usize), "{error:?}");
    }

    let workspace = check(&[(Path::new(ROOT).join("soup.sla"), text.to_owned())]);
    support::diagnostics::render_every_diagnostic(&workspace, "a generated workspace");

    if let Ok(formatted) = slac_fmt::format(text) {
        prop_assert!(!parse.has_errors(), "only a file that parses is formatted");
        prop_assert!(
            !slac_syntax::parse(FileId::new(0), &formatted).has_errors(),
            "the formatted text parses:\n{formatted}"
        );
        prop_assert_eq!(
            slac_fmt::format(&formatted).ok(),
            Some(formatted.clone()),
            "formatting twice changes nothing"
        );
    } else {
        prop_assert!(parse.has_errors(), "a file that parses is formatted");
    }
    Ok(())
}

/// One edit of a text: where, what, and the token it may insert.
type Edit = (prop::sample::Index, u8, usize, &'static str);

/// `text` with `edits` applied: deletions, insertions, replacements and duplications of
/// ranges, at character boundaries.
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_owned();
    for (at, kind, len, token) in edits {
        let mut start = at.index(text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        match kind % 4 {
            0 => text.replace_range(start..end, ""),
            1 => text.insert_str(start, token),
            2 => text.replace_range(start..end, token),
            _ => {
                let range = text[start..end].to_owned();
                text.insert_str(start, &range);
            }
        }
    }
    text
}

// ---------------------------------------------------------------------------------------------
// (b) Valid workspaces stay valid, and mean the same, once formatted.

#[derive(Debug, Clone)]
struct Party {
    id: &'static str,
    name: &'static str,
    internal: bool,
    contacts: Vec<Contact>,
}

#[derive(Debug, Clone)]
struct Contact {
    id: &'static str,
    email: &'static str,
    /// A block (`contact c { name … email … }`) rather than the short form.
    block: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct Calendar {
    id: &'static str,
    timezone: &'static str,
    /// Hours of the `mon-fri` range.
    weekdays: (u8, u8),
    /// Hours of a `sat` range, if any.
    saturday: Option<(u8, u8)>,
    closed_august: bool,
}

#[derive(Debug, Clone)]
enum Sli {
    Ticket {
        resolution: bool,
        /// `within` cases with conditions, then the default case.
        cases: Vec<&'static str>,
        default: &'static str,
    },
    Ratio {
        good: bool,
        text_blocks: bool,
    },
    Latency,
    Delivery,
    Satisfaction {
        scale: u8,
    },
}

#[derive(Debug, Clone)]
struct Objective {
    id: &'static str,
    title: Option<&'static str>,
    sli: Sli,
    /// Tenths of a percent below 100%: 1 is 99.9%, 100 is 90%.
    shortfall: u16,
    window: &'static str,
    calendar: Option<usize>,
}

#[derive(Debug, Clone)]
struct Agreement {
    id: &'static str,
    title: &'static str,
    internal: bool,
    version: (u8, u8, u8),
    /// Month and day it starts in 2026, and whether it ends a year later.
    start: (u8, u8),
    ends: bool,
    provider: usize,
    customer: usize,
    language: Option<&'static str>,
    fee: Option<u32>,
    review: Option<&'static str>,
    escalation: bool,
    services: bool,
    objectives: Vec<Objective>,
    credit: bool,
    clause: bool,
}

#[derive(Debug, Clone)]
struct Spec {
    parties: Vec<Party>,
    calendars: Vec<Calendar>,
    holidays: bool,
    escalation: bool,
    agreements: Vec<Agreement>,
}

/// Ids include keywords: a keyword is not reserved outside the place where it is expected.
const PARTY_IDS: &[&str] = &[
    "acme",
    "helpdesk",
    "network_team",
    "service",
    "printer_vendor",
    "kind",
    "finance",
];
const CONTACT_IDS: &[&str] = &["oncall", "manager", "support", "email", "account_manager"];
const CALENDAR_IDS: &[&str] = &["paris_office", "night_desk", "calendar", "always_open"];
const AGREEMENT_IDS: &[&str] = &[
    "acme_printers",
    "network_ola",
    "agreement",
    "finance_support",
];
const OBJECTIVE_IDS: &[&str] = &["response", "resolution", "target", "availability", "report"];

/// String values as written in the source, escapes included.
const NAMES: &[&str] = &[
    "\"Acme Industries SA\"",
    "\"Service Desk\"",
    "\"Île-de-France — support\"",
    "\"Quote \\\"here\\\"\"",
    "\"Tab\\tand\\nnewline\"",
    "\"Emoji \\u{1F600}\"",
    "\"Back\\\\slash\"",
    "\"\"",
];
const EMAILS: &[&str] = &[
    "\"desk@example.com\"",
    "\"x@y.example\"",
    "\"ops+sla@example.org\"",
];
const TIMEZONES: &[&str] = &[
    "\"Europe/Paris\"",
    "\"America/New_York\"",
    "\"UTC\"",
    "\"Asia/Tokyo\"",
    "\"Australia/Sydney\"",
];
const DURATIONS: &[&str] = &["30m", "1h", "4h", "1h30m", "90m", "2h", "8h"];
const DEFAULT_DURATIONS: &[&str] = &["8h", "2bd", "3bd", "1bd", "24h", "2h30m"];
const WINDOWS: &[&str] = &["30d", "4w", "7d", "week", "month", "quarter", "year"];
const REVIEWS: &[&str] = &[
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
    "every 30d",
    "every 2w",
];
/// Comment texts; none holds `//`, so counting `//` counts comments.
const REMARKS: &[&str] = &[
    "note",
    "see the 2025 review { } \"quoted\"",
    "Île-de-France: é, ü, 😀",
    "",
    "TODO ask legal",
    "   indented remark",
];

/// A party without its id, which [`spec`] gives.
fn party() -> impl Strategy<Value = Party> {
    let contact = (
        prop::sample::select(EMAILS),
        prop::option::of(prop::sample::select(NAMES)),
    );
    (
        prop::sample::select(NAMES),
        any::<bool>(),
        prop::collection::vec(contact, 0..3),
    )
        .prop_map(|(name, internal, contacts)| {
            let contacts = contacts
                .into_iter()
                .zip(CONTACT_IDS)
                .map(|((email, block), id)| Contact { id, email, block })
                .collect();
            Party {
                id: "",
                name,
                internal,
                contacts,
            }
        })
}

/// A calendar without its id, which [`spec`] gives.
fn calendar() -> impl Strategy<Value = Calendar> {
    (
        prop::sample::select(TIMEZONES),
        (0u8..12, 13u8..=24),
        prop::option::of((0u8..12, 12u8..=23)),
        any::<bool>(),
    )
        .prop_map(|(timezone, weekdays, saturday, closed_august)| Calendar {
            id: "",
            timezone,
            weekdays,
            saturday,
            closed_august,
        })
}

fn sli() -> impl Strategy<Value = Sli> {
    prop_oneof![
        3 => (
            any::<bool>(),
            prop::collection::vec(prop::sample::select(DURATIONS), 0..4),
            prop::sample::select(DEFAULT_DURATIONS),
        )
            .prop_map(|(resolution, cases, default)| Sli::Ticket { resolution, cases, default }),
        2 => (any::<bool>(), any::<bool>())
            .prop_map(|(good, text_blocks)| Sli::Ratio { good, text_blocks }),
        1 => Just(Sli::Latency),
        1 => Just(Sli::Delivery),
        1 => (2u8..=10).prop_map(|scale| Sli::Satisfaction { scale }),
    ]
}

/// An objective without its id, which [`agreement`] gives.
fn objective() -> impl Strategy<Value = Objective> {
    (
        prop::option::of(prop::sample::select(NAMES)),
        sli(),
        1u16..=100,
        prop::sample::select(WINDOWS),
        0usize..4,
    )
        .prop_map(|(title, sli, shortfall, window, calendar)| Objective {
            id: "",
            title,
            sli,
            shortfall,
            window,
            calendar: Some(calendar),
        })
}

fn agreement() -> impl Strategy<Value = Agreement> {
    (
        (
            prop::sample::select(NAMES),
            any::<bool>(),
            (0u8..5, 0u8..20, 0u8..10),
            (1u8..=12, 1u8..=28),
            any::<bool>(),
            0usize..8,
            0usize..8,
        ),
        (
            prop::option::of(prop::sample::select(&["fr", "en"][..])),
            prop::option::of(1u32..100_000),
            prop::option::of(prop::sample::select(REVIEWS)),
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(objective(), 1..4),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (title, internal, version, start, ends, provider, customer),
                (language, fee, review, escalation, services, objectives, credit, clause),
            )| Agreement {
                id: "",
                title,
                internal,
                version,
                start,
                ends,
                provider,
                customer,
                language,
                fee,
                review,
                escalation,
                services,
                objectives: objectives
                    .into_iter()
                    .zip(OBJECTIVE_IDS)
                    .map(|(objective, id)| Objective { id, ..objective })
                    .collect(),
                credit,
                clause,
            },
        )
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::subsequence(PARTY_IDS, 2..=4),
        prop::collection::vec(party(), 4),
        prop::sample::subsequence(CALENDAR_IDS, 0..=2),
        prop::collection::vec(calendar(), 2),
        any::<bool>(),
        any::<bool>(),
        prop::sample::subsequence(AGREEMENT_IDS, 1..=3),
        prop::collection::vec(agreement(), 3),
    )
        .prop_map(
            |(
                party_ids,
                parties,
                calendar_ids,
                calendars,
                holidays,
                escalation,
                ids,
                agreements,
            )| {
                let parties: Vec<Party> = party_ids
                    .into_iter()
                    .zip(parties)
                    .map(|(id, party)| Party { id, ..party })
                    .collect();
                let calendars: Vec<Calendar> = calendar_ids
                    .into_iter()
                    .zip(calendars)
                    .map(|(id, calendar)| Calendar { id, ..calendar })
                    .collect();
                let agreements = ids
                    .into_iter()
                    .zip(agreements)
                    .map(|(id, mut agreement)| {
                        agreement.id = id;
                        agreement.provider %= parties.len();
                        agreement.customer %= parties.len();
                        for objective in &mut agreement.objectives {
                            // An objective on a calendar needs one to exist; about half of
                            // them use `always`, the default.
                            objective.calendar = objective
                                .calendar
                                .filter(|c| *c < calendars.len() && !calendars.is_empty());
                        }
                        agreement
                    })
                    .collect();
                Spec {
                    parties,
                    calendars,
                    holidays,
                    escalation,
                    agreements,
                }
            },
        )
}

/// A piece of a declaration's body.
enum Item {
    /// A field: its tokens, written on one line (a text block may span lines).
    Field(Vec<String>),
    /// `head… { items }`.
    Block(Vec<String>, Vec<Item>),
    /// A `///` comment for the next item.
    Doc(&'static str),
}

fn field(tokens: &[&str]) -> Item {
    Item::Field(tokens.iter().map(|t| (*t).to_owned()).collect())
}

fn field_owned(tokens: Vec<String>) -> Item {
    Item::Field(tokens)
}

/// Writes declarations with a layout decided by `dice`: separators, indentation, comments.
struct Writer<'a> {
    dice: &'a [u8],
    next: usize,
    out: String,
    /// Whether nothing but indentation follows the last newline.
    line_start: bool,
}

impl Writer<'_> {
    fn roll(&mut self, sides: usize) -> usize {
        let value = self.dice.get(self.next % self.dice.len().max(1)).copied();
        self.next += 1;
        usize::from(value.unwrap_or(0)) % sides
    }

    fn remark(&mut self) -> &'static str {
        REMARKS[self.roll(REMARKS.len())]
    }

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
        self.line_start = false;
    }

    fn newline(&mut self, depth: usize) {
        let indent = match self.roll(6) {
            0 => String::new(),
            1 => "\t".repeat(depth),
            2 => " ".repeat(depth * 4 + 1),
            _ => "  ".repeat(depth),
        };
        let end = if self.roll(8) == 0 { "\r\n" } else { "\n" };
        self.out.push_str(end);
        self.out.push_str(&indent);
        self.line_start = true;
    }

    /// Between two tokens of a field.
    fn space(&mut self) {
        let space = [" ", " ", "  ", "\t", " \t "][self.roll(5)];
        self.push(space);
    }

    /// Between two items of a body, or before the first one.
    fn separate(&mut self, depth: usize) {
        match self.roll(6) {
            0 if !self.line_start => self.space(),
            1 => {
                self.newline(depth);
                self.newline(depth);
            }
            2 => {
                self.newline(depth);
                let remark = self.remark();
                self.push(&format!("// {remark}"));
                self.newline(depth);
            }
            _ => self.newline(depth),
        }
    }

    /// After a field or a block: maybe a trailing comment, which ends the line.
    fn trail(&mut self, depth: usize) {
        if self.roll(5) == 0 {
            self.space();
            let remark = self.remark();
            self.push(&format!("//{remark}"));
            self.newline(depth);
        }
    }

    fn items(&mut self, items: &[Item], depth: usize) {
        for item in items {
            match item {
                Item::Doc(text) => {
                    if !self.line_start {
                        self.newline(depth);
                    }
                    self.push(&format!("/// {text}"));
                    self.newline(depth);
                }
                Item::Field(tokens) => {
                    if !self.line_start {
                        self.separate(depth);
                    }
                    for (i, token) in tokens.iter().enumerate() {
                        if i > 0 {
                            self.space();
                        }
                        self.push(token);
                    }
                    self.trail(depth);
                }
                Item::Block(head, body) => {
                    if !self.line_start {
                        self.separate(depth);
                    }
                    self.block(head, body, depth);
                }
            }
        }
    }

    fn block(&mut self, head: &[String], body: &[Item], depth: usize) {
        for token in head {
            self.push(token);
            self.space();
        }
        self.push("{");
        self.items(body, depth + 1);
        if !self.line_start {
            self.separate(depth);
        }
        self.push("}");
        self.trail(depth);
    }

    fn declaration(&mut self, doc: Option<&'static str>, head: &[&str], body: &[Item]) {
        if !self.out.is_empty() {
            match self.roll(5) {
                0 if !self.line_start => self.space(),
                1 => {
                    self.newline(0);
                    let remark = self.remark();
                    self.push(&format!("// {remark}"));
                    self.newline(0);
                }
                2 => {
                    self.newline(0);
                    self.newline(0);
                    self.newline(0);
                }
                _ => self.newline(0),
            }
        }
        if let Some(doc) = doc {
            if !self.line_start {
                self.newline(0);
            }
            self.push(&format!("/// {doc}"));
            self.newline(0);
        }
        let head: Vec<String> = head.iter().map(|t| (*t).to_owned()).collect();
        self.block(&head, body, 0);
    }
}

fn text_block(writer: &mut Writer<'_>, lines: &[&str]) -> String {
    let indent = " ".repeat(writer.roll(7));
    let mut text = String::from("\"\"\"\n");
    for line in lines {
        text.push_str(&indent);
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(&indent);
    text.push_str("\"\"\"");
    text
}

/// The text of the workspace described by `spec`, split over two files by `dice`.
fn render(spec: &Spec, dice: &[u8]) -> [String; 2] {
    let mut files = [
        Writer {
            dice,
            next: 0,
            out: String::new(),
            line_start: true,
        },
        Writer {
            dice,
            next: 7,
            out: String::new(),
            line_start: true,
        },
    ];
    let mut which = 0usize;
    let mut pick = |files: &mut [Writer<'_>; 2]| {
        which = (which + files[0].roll(3)) % 2;
        which
    };

    for party in &spec.parties {
        let mut body = vec![
            field(&["name", party.name]),
            field(&[
                "kind",
                if party.internal {
                    "internal"
                } else {
                    "external"
                },
            ]),
        ];
        for contact in &party.contacts {
            match contact.block {
                Some(name) => {
                    body.push(Item::Doc("A contact."));
                    body.push(Item::Block(
                        vec!["contact".into(), contact.id.into()],
                        vec![field(&["name", name]), field(&["email", contact.email])],
                    ));
                }
                None => body.push(field(&["contact", contact.id, contact.email])),
            }
        }
        let i = pick(&mut files);
        files[i].declaration(Some("A party."), &["party", party.id], &body);
    }

    let owner = spec.parties[0].id;
    let i = pick(&mut files);
    let description = text_block(&mut files[i], &["On-site repair.", "  Indented line."]);
    files[i].declaration(
        None,
        &["service", "printers"],
        &[
            field(&["name", "\"Printer support\""]),
            field_owned(vec!["description".into(), description]),
            field(&["owner", owner]),
            field(&["price", "1200 EUR", "per", "month"]),
        ],
    );

    if spec.holidays {
        let i = pick(&mut files);
        files[i].declaration(
            Some("Public holidays."),
            &["holidays", "france"],
            &[
                field(&["annual", "01-01", "\"Jour de l'an\""]),
                field(&["annual", "07-14", "\"Fête nationale\""]),
                field(&["easter", "+1", "\"Lundi de Pâques\""]),
                field(&["easter", "+39", "\"Ascension\""]),
                field(&["date", "2026-12-24", "\"Veille de Noël\"", "from", "12:00"]),
            ],
        );
    }

    for calendar in &spec.calendars {
        let (start, end) = calendar.weekdays;
        let mut body = vec![
            field(&["timezone", calendar.timezone]),
            field_owned(vec![
                "open".into(),
                "mon-fri".into(),
                format!("{start:02}:00-{end:02}:00"),
            ]),
        ];
        if let Some((start, end)) = calendar.saturday {
            body.push(field_owned(vec![
                "open".into(),
                "sat".into(),
                format!("{start:02}:30-{end:02}:00"),
            ]));
        }
        if spec.holidays {
            body.push(field(&["closed", "france"]));
        }
        if calendar.closed_august {
            body.push(field(&[
                "closed",
                "2026-08-10",
                "to",
                "2026-08-21",
                "\"Fermeture estivale\"",
            ]));
        }
        let i = pick(&mut files);
        files[i].declaration(Some("Open hours."), &["calendar", calendar.id], &body);
    }

    if spec.escalation {
        let first = spec.parties[0].id;
        let second = spec.parties[1].id;
        let with_contact = spec.parties[1]
            .contacts
            .first()
            .map_or(second.to_owned(), |c| format!("{second}.{}", c.id));
        let i = pick(&mut files);
        files[i].declaration(
            None,
            &["escalation", "standard"],
            &[
                field(&["level", "1", "at", "50%", "notify", first]),
                field_owned(vec![
                    "level".into(),
                    "2".into(),
                    "at".into(),
                    "75%".into(),
                    "notify".into(),
                    format!("{with_contact},"),
                    first.into(),
                ]),
                field(&["level", "3", "at", "breach", "notify", first]),
            ],
        );
    }

    for agreement in &spec.agreements {
        let i = pick(&mut files);
        let body = agreement_body(spec, agreement, &mut files[i]);
        files[i].declaration(Some(agreement.title), &["agreement", agreement.id], &body);
    }

    files.map(|writer| {
        let mut text = writer.out;
        if dice.first().is_some_and(|d| d % 2 == 0) {
            text.push('\n');
        }
        text
    })
}

fn agreement_body(spec: &Spec, agreement: &Agreement, writer: &mut Writer<'_>) -> Vec<Item> {
    let (major, minor, patch) = agreement.version;
    let (month, day) = agreement.start;
    let start = format!("2026-{month:02}-{day:02}");
    let mut body = vec![
        field(&["title", agreement.title]),
        field(&[
            "kind",
            if agreement.internal {
                "internal"
            } else {
                "customer"
            },
        ]),
        field_owned(vec!["version".into(), format!("{major}.{minor}.{patch}")]),
        if agreement.ends {
            field_owned(vec![
                "effective".into(),
                start,
                "to".into(),
                format!("2027-{month:02}-{day:02}"),
            ])
        } else {
            field_owned(vec!["effective".into(), "from".into(), start])
        },
        field(&["provider", spec.parties[agreement.provider].id]),
        field(&["customer", spec.parties[agreement.customer].id]),
    ];
    if agreement.services {
        body.push(field(&["services", "printers"]));
    }
    if let Some(language) = agreement.language {
        body.push(field(&["language", language]));
    }
    if let Some(fee) = agreement.fee {
        body.push(field_owned(vec![
            "fee".into(),
            format!("{fee} EUR"),
            "per".into(),
            "month".into(),
        ]));
    }
    if let Some(review) = agreement.review {
        let mut tokens: Vec<String> = vec!["review".into()];
        tokens.extend(review.split(' ').map(str::to_owned));
        let customer = &spec.parties[agreement.customer];
        if let Some(contact) = customer.contacts.first() {
            tokens.push("with".into());
            tokens.push(format!("{}.{},", customer.id, contact.id));
            tokens.push(spec.parties[agreement.provider].id.into());
        }
        body.push(field_owned(tokens));
    }
    if agreement.escalation && spec.escalation {
        body.push(field(&["escalation", "standard"]));
    }
    for objective in &agreement.objectives {
        body.push(Item::Doc("An objective."));
        body.push(Item::Block(
            vec!["objective".into(), objective.id.into()],
            objective_body(spec, objective, writer),
        ));
    }
    if agreement.credit {
        let first = agreement.objectives[0].id;
        body.push(Item::Block(
            vec!["credit".into()],
            vec![
                field(&["when", first, "below", "95%", "refund", "5%"]),
                field(&["when", first, "below", "90.5%", "refund", "15%"]),
                field(&["cap", "30%"]),
            ],
        ));
    }
    body.push(field(&[
        "responsibility",
        "provider",
        "\"Keep spare toner for two weeks on site.\"",
    ]));
    body.push(field(&[
        "responsibility",
        "customer",
        "\"Report incidents.\"",
    ]));
    if agreement.clause {
        let text = text_block(
            writer,
            &[
                "Either party may end this agreement",
                "with three months' notice.",
            ],
        );
        body.push(field_owned(vec![
            "clause".into(),
            "\"Résiliation\"".into(),
            text,
        ]));
    }
    body
}

fn objective_body(spec: &Spec, objective: &Objective, writer: &mut Writer<'_>) -> Vec<Item> {
    let mut body = Vec::new();
    if let Some(title) = objective.title {
        body.push(field(&["title", title]));
    }
    let tenths = 1000 - objective.shortfall;
    let target = format!("{}.{}%", tenths / 10, tenths % 10);
    match &objective.sli {
        Sli::Ticket {
            resolution,
            cases,
            default,
        } => {
            let kind = if *resolution {
                "resolution_time"
            } else {
                "response_time"
            };
            body.push(field(&["sli", kind]));
            for (n, duration) in cases.iter().enumerate() {
                let mut tokens: Vec<String> = vec![
                    "within".into(),
                    (*duration).into(),
                    "for".into(),
                    "priority".into(),
                    "=".into(),
                    format!("P{}", n + 1),
                ];
                if n % 2 == 1 {
                    tokens.extend(["and", "region", "=", "\"Île-de-France\""].map(String::from));
                }
                body.push(field_owned(tokens));
            }
            body.push(field(&["within", default]));
        }
        Sli::Ratio { good, text_blocks } => {
            let (errors, total) = if *text_blocks {
                (
                    text_block(
                        writer,
                        &["sum(rate(http_requests_total{code=~\"5..\"}[$window]))"],
                    ),
                    text_block(writer, &["sum(rate(http_requests_total[$window]))"]),
                )
            } else {
                (
                    "\"sum(rate(http_requests_total{code=~\\\"5..\\\"}[$window]))\"".to_owned(),
                    "\"sum(rate(http_requests_total[$window]))\"".to_owned(),
                )
            };
            let first = if *good { "good" } else { "errors" };
            body.push(Item::Block(
                vec!["sli".into(), "ratio".into()],
                vec![
                    field_owned(vec![first.into(), errors]),
                    field_owned(vec!["total".into(), total]),
                ],
            ));
        }
        Sli::Latency => body.push(Item::Block(
            vec!["sli".into(), "latency".into()],
            vec![
                field(&[
                    "histogram",
                    "\"http_request_duration_seconds_bucket{job=\\\"api\\\"}\"",
                ]),
                field(&["threshold", "300ms"]),
            ],
        )),
        Sli::Delivery => {
            body.push(field(&["sli", "delivery"]));
            body.push(field(&["due", "every", "mon", "10:00"]));
        }
        Sli::Satisfaction { scale } => body.push(Item::Block(
            vec!["sli".into(), "satisfaction".into()],
            vec![
                field_owned(vec!["scale".into(), scale.to_string()]),
                field_owned(vec!["satisfied".into(), (scale - 1).to_string()]),
            ],
        )),
    }
    body.push(field_owned(vec!["target".into(), target]));
    body.push(field(&["window", objective.window]));
    if let Some(calendar) = objective.calendar {
        body.push(field(&["calendar", spec.calendars[calendar].id]));
    }
    body.push(field(&["owner", spec.parties[0].id]));
    body
}

fn numbered(files: &[String; 2]) -> Vec<(PathBuf, String)> {
    files
        .iter()
        .enumerate()
        .map(|(n, text)| (Path::new(ROOT).join(format!("part{n}.sla")), text.clone()))
        .collect()
}

fn describe(files: &[(PathBuf, String)], workspace: &Workspace) -> String {
    let mut out = String::new();
    for (path, text) in files {
        out.push_str(&format!("--- {}\n{text}\n", path.display()));
    }
    for diagnostic in &workspace.diagnostics {
        let json = JsonDiagnostic::new(diagnostic, &workspace.sources);
        out.push_str(&format!(
            "{} {}:{}:{} {}\n",
            json.code, json.file, json.line, json.column, json.message
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn valid_workspaces_check_clean_and_mean_the_same_once_formatted(
        spec in spec(),
        dice in prop::collection::vec(any::<u8>(), 1..256),
    ) {
        let files = numbered(&render(&spec, &dice));
        let before = check(&files);
        prop_assert!(errors(&before).is_empty(), "a valid workspace has errors:\n{}", describe(&files, &before));
        prop_assert_eq!(before.model.agreements.len(), spec.agreements.len());
        prop_assert_eq!(before.model.parties.len(), spec.parties.len());
        prop_assert_eq!(before.model.calendars.len(), spec.calendars.len());

        let mut formatted = Vec::new();
        for (path, text) in &files {
            let output = slac_fmt::format(text);
            prop_assert!(output.is_ok(), "{} does not format: {output:?}", path.display());
            let output = output.unwrap_or_default();
            prop_assert_eq!(
                output.matches("//").count(),
                text.matches("//").count(),
                "fmt keeps every comment of {}:\n{}\n---\n{}", path.display(), text, output
            );
            prop_assert_eq!(
                slac_fmt::format(&output).ok(),
                Some(output.clone()),
                "formatting {} twice changes nothing", path.display()
            );
            formatted.push((path.clone(), output));
        }

        let after = check(&formatted);
        prop_assert!(errors(&after).is_empty(), "the formatted workspace has errors:\n{}", describe(&formatted, &after));
        prop_assert_eq!(warning_codes(&after), warning_codes(&before), "fmt changes no warning");
        prop_assert_eq!(
            model_json(&after),
            model_json(&before),
            "fmt changes what the workspace means:\n{}\n===\n{}",
            describe(&files, &before),
            describe(&formatted, &after)
        );
    }

    #[test]
    fn damaged_valid_files_never_crash_check_or_fmt(
        spec in spec(),
        dice in prop::collection::vec(any::<u8>(), 1..64),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), any::<u8>(), 0usize..40, prop::sample::select(TOKENS)),
            1..6,
        ),
    ) {
        let [first, _] = render(&spec, &dice);
        survives(&mutate(&first, &edits))?;
    }
}
