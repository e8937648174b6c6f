#![allow(clippy::unwrap_used)]
//! Hostile text in every string position of the language (issue 15, point 4).
//!
//! A generated workspace puts quotes, backslashes, Go templates (`{{ query "up" }}`, `$value`),
//! Markdown and HTML punctuation, line breaks, bidi and zero-width characters, control
//! characters (written with `\u{…}` escapes), YAML-significant text and 10 KB strings into every
//! string the language has: party, contact, service and holiday names, contact values, titles,
//! descriptions, doc comments, condition values, responsibilities, clauses, and the PromQL of
//! every indicator (valid queries, and queries with comments, unbalanced parentheses,
//! `or vector(1)`, `{__name__=…}`, trailing commas). Each workspace must be either
//!
//! - refused by `slac check` (exit status 1, with a diagnostic that has a code and a place), or
//! - built by `slac build`, and then every output is what its consumer accepts as written:
//!   `promtool check rules` takes every rule file, `amtool check-config` the Alertmanager file,
//!   every YAML and JSON file parses, the OpenSLO documents match the vendored schema, the
//!   Markdown documents have no link, image, HTML or emphasis node that the harmless twin (the
//!   same workspace with a plain word for each hostile string) does not have, and no label,
//!   annotation or Alertmanager text expands a template: a promtool unit test fires every alert
//!   and compares its expanded labels and annotations with the text written in the `.sla`, and
//!   `amtool template render` renders every templated Alertmanager field to its literal text.
//!
//! What `slac` prints on the terminal, and the contract documents, carry no raw control
//! character either (nor, on the terminal, a bidi control).
//!
//! A failing case is made smaller before it is reported (each string made plain in turn, as
//! long as the case fails the same way: proptest's own shrinking would take hundreds of runs
//! of the tools), and the report gives the strings that stay hostile, the whole `.sla` file
//! (lines longer than 600 characters elided), and each failure with the tool's own message.
//!
//! `SLAC_HOSTILE_CASES` sets the number of generated cases (default 48); with
//! `SLAC_HOSTILE_SURVEY=1` the property prints each case's failures instead of stopping at the
//! first, to list the classes of defects. These tests need promtool and amtool
//! (`scripts/install-test-tools`).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence};
use pulldown_cmark::{Event, Options, Parser, Tag};
use serde::Deserialize;
use serde_json::Value;
use support::alertmanager::amtool;
use support::openslo::Schema;
use support::promtool::{output_text, promtool};
use support::slac;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// The workspace: a fixed structure with a string in each slot.

/// The string slots of the workspace, by name (for failure messages).
const SLOTS: &[&str] = &[
    "party acme: name",
    "contact acme.account_manager: name",
    "contact acme.account_manager: email",
    "contact acme.account_manager: phone",
    "contact acme.account_manager: pager",
    "contact acme.support (short form)",
    "party ops: name",
    "contact ops.oncall: email",
    "contact ops.oncall: pager",
    "contact ops.lead (short form)",
    "holiday annual: name",
    "holiday easter: name",
    "holiday date: name",
    "calendar closed period: label",
    "service api: name",
    "service api: description",
    "agreement: title",
    "agreement: description",
    "objective availability: title",
    "objective availability: description",
    "objective login: title",
    "objective latency: title",
    "objective response: title",
    "within condition value",
    "responsibility provider",
    "responsibility customer",
    "clause heading",
    "clause text",
    "doc comment of party acme",
    "doc comment of the service",
    "doc comment of the agreement",
    "doc comment of objective availability",
];

const ACME_NAME: usize = 0;
const AM_NAME: usize = 1;
const AM_EMAIL: usize = 2;
const AM_PHONE: usize = 3;
const AM_PAGER: usize = 4;
const SUPPORT: usize = 5;
const OPS_NAME: usize = 6;
const ONCALL_EMAIL: usize = 7;
const ONCALL_PAGER: usize = 8;
const LEAD: usize = 9;
const ANNUAL: usize = 10;
const EASTER: usize = 11;
const DATE: usize = 12;
const CLOSED_LABEL: usize = 13;
const SERVICE_NAME: usize = 14;
const SERVICE_DESCRIPTION: usize = 15;
const AGREEMENT_TITLE: usize = 16;
const AGREEMENT_DESCRIPTION: usize = 17;
const AVAILABILITY_TITLE: usize = 18;
const AVAILABILITY_DESCRIPTION: usize = 19;
const LOGIN_TITLE: usize = 20;
const LATENCY_TITLE: usize = 21;
const RESPONSE_TITLE: usize = 22;
const CONDITION: usize = 23;
const RESPONSIBILITY_PROVIDER: usize = 24;
const RESPONSIBILITY_CUSTOMER: usize = 25;
const CLAUSE_HEADING: usize = 26;
const CLAUSE_TEXT: usize = 27;
const DOC_ACME: usize = 28;
const DOC_SERVICE: usize = 29;
const DOC_AGREEMENT: usize = 30;
const DOC_AVAILABILITY: usize = 31;

/// The PromQL slots, by name.
const QUERIES: &[&str] = &[
    "availability: errors",
    "availability: total",
    "login: good",
    "login: total",
    "latency: histogram",
];

const ERRORS: usize = 0;
const HISTOGRAM: usize = 4;

/// The valid query of each PromQL slot, used by the harmless twin.
const CANONICAL: [&str; 5] = [
    r#"sum(rate(http_requests_total{job="api",code=~"5.."}[$window]))"#,
    r#"sum(rate(http_requests_total{job="api"}[$window]))"#,
    r#"sum(rate(auth_login_total{outcome="success"}[$window]))"#,
    r#"sum(rate(auth_login_total[$window]))"#,
    r#"http_request_duration_seconds_bucket{job="api"}"#,
];

/// The metric of each PromQL slot.
const METRICS: [&str; 5] = [
    "http_requests_total",
    "http_requests_total",
    "auth_login_total",
    "auth_login_total",
    "http_request_duration_seconds_bucket",
];

/// One generated workspace: a string per slot of [`SLOTS`] and a query per slot of [`QUERIES`].
#[derive(Clone)]
struct Case {
    texts: Vec<String>,
    queries: Vec<String>,
}

impl Case {
    /// The harmless twin: a plain word for each string (unique, so that the text of each slot
    /// can be found again in the outputs), and the valid queries.
    fn twin(&self) -> Case {
        Case {
            texts: (0..SLOTS.len()).map(placeholder).collect(),
            queries: CANONICAL.iter().map(|q| q.to_string()).collect(),
        }
    }

    /// A workspace whose strings are all plain words, to set a few slots of.
    fn plain() -> Case {
        Case {
            texts: (0..SLOTS.len()).map(placeholder).collect(),
            queries: CANONICAL.iter().map(|q| q.to_string()).collect(),
        }
    }

    /// The text of the single `.sla` file.
    fn sla(&self) -> String {
        let t = |i: usize| sla_string(&self.texts[i]);
        let doc = |i: usize| doc_comment(&self.texts[i]);
        let q = |i: usize| sla_string(&self.queries[i]);
        let mut s = String::new();
        let mut line = |indent: usize, text: String| {
            s.push_str(&"  ".repeat(indent));
            s.push_str(&text);
            s.push('\n');
        };
        line(0, doc(DOC_ACME));
        line(0, "party acme {".into());
        line(1, format!("name {}", t(ACME_NAME)));
        line(1, "kind external".into());
        line(1, "contact account_manager {".into());
        line(2, format!("name {}", t(AM_NAME)));
        line(2, format!("email {}", t(AM_EMAIL)));
        line(2, format!("phone {}", t(AM_PHONE)));
        line(2, format!("pager {}", t(AM_PAGER)));
        line(1, "}".into());
        line(1, format!("contact support {}", t(SUPPORT)));
        line(0, "}".into());
        line(0, String::new());
        line(0, "party ops {".into());
        line(1, format!("name {}", t(OPS_NAME)));
        line(1, "kind internal".into());
        line(1, "contact oncall {".into());
        line(2, format!("email {}", t(ONCALL_EMAIL)));
        line(2, format!("pager {}", t(ONCALL_PAGER)));
        line(1, "}".into());
        line(1, format!("contact lead {}", t(LEAD)));
        line(0, "}".into());
        line(0, String::new());
        line(0, "holidays public {".into());
        line(1, format!("annual 01-01 {}", t(ANNUAL)));
        line(1, format!("easter +1 {}", t(EASTER)));
        line(1, format!("date 2026-12-24 {} from 12:00", t(DATE)));
        line(0, "}".into());
        line(0, String::new());
        line(0, "calendar office {".into());
        line(1, "timezone \"Europe/Paris\"".into());
        line(1, "open mon-fri 08:00-17:00".into());
        line(1, "closed public".into());
        line(
            1,
            format!("closed 2026-08-10 to 2026-08-21 {}", t(CLOSED_LABEL)),
        );
        line(0, "}".into());
        line(0, String::new());
        line(0, "escalation standard {".into());
        line(1, "level 1 at 50% notify ops.oncall".into());
        line(
            1,
            "level 2 at breach notify ops.lead, acme.account_manager".into(),
        );
        line(0, "}".into());
        line(0, String::new());
        line(0, doc(DOC_SERVICE));
        line(0, "service api {".into());
        line(1, format!("name {}", t(SERVICE_NAME)));
        line(1, format!("description {}", t(SERVICE_DESCRIPTION)));
        line(1, "owner ops".into());
        line(1, "price 100 EUR per month".into());
        line(0, "}".into());
        line(0, String::new());
        line(0, doc(DOC_AGREEMENT));
        line(0, "agreement api_sla {".into());
        line(1, format!("title {}", t(AGREEMENT_TITLE)));
        line(1, format!("description {}", t(AGREEMENT_DESCRIPTION)));
        line(1, "kind customer".into());
        line(1, "version 1.0.0".into());
        line(1, "effective from 2026-01-01".into());
        line(1, "provider ops".into());
        line(1, "customer acme".into());
        line(1, "services api".into());
        line(1, "fee 100 EUR per month".into());
        line(
            1,
            "review quarterly with acme.account_manager, ops.lead".into(),
        );
        line(1, "escalation standard".into());
        line(0, String::new());
        line(1, doc(DOC_AVAILABILITY));
        line(1, "objective availability {".into());
        line(2, format!("title {}", t(AVAILABILITY_TITLE)));
        line(2, format!("description {}", t(AVAILABILITY_DESCRIPTION)));
        line(2, "sli ratio {".into());
        line(3, format!("errors {}", q(0)));
        line(3, format!("total {}", q(1)));
        line(2, "}".into());
        line(2, "target 99.9%".into());
        line(2, "window 30d".into());
        line(2, "owner ops.oncall".into());
        line(1, "}".into());
        line(0, String::new());
        line(1, "objective login {".into());
        line(2, format!("title {}", t(LOGIN_TITLE)));
        line(2, "sli ratio {".into());
        line(3, format!("good {}", q(2)));
        line(3, format!("total {}", q(3)));
        line(2, "}".into());
        line(2, "target 99.5%".into());
        line(2, "window 4w".into());
        line(1, "}".into());
        line(0, String::new());
        line(1, "objective latency {".into());
        line(2, format!("title {}", t(LATENCY_TITLE)));
        line(2, "sli latency {".into());
        line(3, format!("histogram {}", q(HISTOGRAM)));
        line(3, "threshold 300ms".into());
        line(2, "}".into());
        line(2, "target 99%".into());
        line(2, "window month".into());
        line(1, "}".into());
        line(0, String::new());
        line(1, "objective response {".into());
        line(2, format!("title {}", t(RESPONSE_TITLE)));
        line(2, "sli response_time".into());
        line(2, "calendar office".into());
        line(2, "target 95%".into());
        line(2, "window month".into());
        line(2, format!("within 1h for priority = {}", t(CONDITION)));
        line(2, "within 4h".into());
        line(1, "}".into());
        line(0, String::new());
        line(1, "credit {".into());
        line(2, "when response below 95% refund 5%".into());
        line(2, "cap 30%".into());
        line(1, "}".into());
        line(0, String::new());
        line(
            1,
            format!("responsibility provider {}", t(RESPONSIBILITY_PROVIDER)),
        );
        line(
            1,
            format!("responsibility customer {}", t(RESPONSIBILITY_CUSTOMER)),
        );
        line(
            1,
            format!("clause {} {}", t(CLAUSE_HEADING), t(CLAUSE_TEXT)),
        );
        line(0, "}".into());
        s
    }

    /// Writes the workspace (`slac.toml` and `contracts.sla`) into `dir`.
    fn write(&self, dir: &Path) {
        fs::create_dir_all(dir).unwrap();
        fs::write(
            dir.join("slac.toml"),
            "[docs]\nlanguages = [\"en\", \"fr\"]\n",
        )
        .unwrap();
        fs::write(dir.join("contracts.sla"), self.sla()).unwrap();
    }

    /// The text of each placeholder of the twin, to find the hostile text that stands for it.
    fn substitute(&self, twin_text: &str) -> String {
        let mut out = twin_text.to_string();
        // Longest placeholders first would matter only if one contained another; they do not.
        for (i, text) in self.texts.iter().enumerate() {
            out = out.replace(&placeholder(i), text);
        }
        out
    }
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let twin = self.twin();
        writeln!(f, "Case {{")?;
        for (i, text) in self.texts.iter().enumerate() {
            if *text != twin.texts[i] {
                writeln!(f, "  {}: {}", SLOTS[i], shown(text))?;
            }
        }
        for (i, query) in self.queries.iter().enumerate() {
            if *query != twin.queries[i] {
                writeln!(f, "  query {}: {}", QUERIES[i], shown(query))?;
            }
        }
        write!(f, "}}")
    }
}

/// A plain word, unique to slot `i`.
fn placeholder(i: usize) -> String {
    format!("zq{i:03}x")
}

/// A string literal of the language with value `text`: quotes, backslashes, line breaks, tabs
/// and control characters escaped, every other character as it is.
fn sla_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => write!(out, "\\u{{{:x}}}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A doc comment of one line: control characters (line breaks included) become spaces.
fn doc_comment(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("/// {text}")
}

/// Text for a failure message: control and invisible characters escaped, long text elided in
/// the middle.
fn shown(text: &str) -> String {
    let escaped: String = format!("{text:?}");
    if escaped.chars().count() <= 300 {
        return escaped;
    }
    let head: String = escaped.chars().take(150).collect();
    let tail: String = {
        let chars: Vec<char> = escaped.chars().collect();
        chars[chars.len() - 100..].iter().collect()
    };
    format!("{head}…[{} bytes in all]…{tail}", text.len())
}

/// The `.sla` text for a failure message: lines longer than 600 characters elided.
fn readable(sla: &str) -> String {
    sla.lines()
        .map(|line| {
            if line.chars().count() <= 600 {
                line.to_string()
            } else {
                let head: String = line.chars().take(300).collect();
                let chars: Vec<char> = line.chars().collect();
                let tail: String = chars[chars.len() - 200..].iter().collect();
                format!("{head}…[line of {} bytes]…{tail}", line.len())
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------
// Hostile strings.

/// Pieces of hostile text, the least hostile first (proptest shrinks towards the start).
const FRAGMENTS: &[&str] = &[
    "'",
    "\"",
    "\\",
    "\\\\",
    "\\n",
    "\\ud800",
    "\"unclosed",
    "{{",
    "}}",
    "{{ query \"up\" }}",
    "{{ $value }}",
    "{{ .Labels }}",
    "{{/* c */}}",
    "{{ template \"x\" }}",
    "{{- end }}",
    "$",
    "$value",
    "$labels.job",
    "${x}",
    "#",
    "# not a comment",
    "|",
    "| a | b |",
    "`",
    "```",
    "![x](http://t)",
    "[a](b)",
    "[a]: http://t",
    "<img src=x>",
    "<script>alert(1)</script>",
    "<!--",
    "&amp;",
    "&#x3c;",
    "_em_",
    "*em*",
    "**strong**",
    "~~s~~",
    "~s~",
    "@user",
    "https://x.example",
    "<https://x.example>",
    "www.x.example",
    "> quote",
    "1. item",
    "- item",
    "\n",
    "\n\n",
    "\r",
    "\r\n",
    "\t",
    "\u{202e}",
    "\u{200b}",
    "\u{200d}",
    "\u{2066}",
    "\u{1b}[31m",
    "\u{1b}]8;;http://t\u{7}",
    "\u{7}",
    "\u{0}",
    "\u{8}",
    ": ",
    "&a",
    "*a",
    "!!str",
    "%",
    "? ",
    "   leading",
    "trailing   ",
    "---",
    "...",
    "null",
    "yes",
    "~",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{85}",
    "\u{7f}",
    "\u{9b}",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    "=",
    "=~",
    "\"\"\"",
];

/// Ordinary text to mix with the hostile pieces.
const WORDS: &[&str] = &[
    "plain",
    "API availability",
    " ",
    "Acme Industries SA",
    "99.9%",
    "l'équipe",
    "réponse — 4 h",
    "ops@acme.example",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => prop::sample::select(WORDS).prop_map(str::to_owned),
        3 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
    ]
}

/// Hostile pieces mixed with ordinary text.
fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..6).prop_map(|pieces| pieces.concat())
}

/// A string of 10 KB made of one hostile piece and one word, repeated.
fn long() -> impl Strategy<Value = String> {
    (prop::sample::select(FRAGMENTS), prop::sample::select(WORDS)).prop_map(|(fragment, word)| {
        let mut out = String::new();
        while out.len() < 10 * 1024 {
            out.push_str(fragment);
            out.push_str(word);
        }
        out
    })
}

/// The slots of addresses (e-mail, phone, pager key), which `slac check` requires to be one
/// line without control characters or surrounding spaces (E005).
const ADDRESSES: [usize; 7] = [
    AM_EMAIL,
    AM_PHONE,
    AM_PAGER,
    SUPPORT,
    ONCALL_EMAIL,
    ONCALL_PAGER,
    LEAD,
];

/// Hostile text that an address may hold: without control characters, trimmed. Most address
/// slots draw this, so that most cases pass `slac check` and their outputs are judged; the
/// rest draw any hostile text, to be refused.
fn address_text(slot: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(placeholder(slot)),
        7 => hostile().prop_map(move |h| {
            let kept: String = h.chars().filter(|c| !c.is_control()).collect();
            let kept = kept.trim();
            if kept.is_empty() { placeholder(slot) } else { kept.to_string() }
        }),
        1 => hostile(),
    ]
}

/// The string of one slot: a plain word (what shrinking comes back to), hostile text, or a
/// long string.
fn text(slot: usize) -> BoxedStrategy<String> {
    if ADDRESSES.contains(&slot) {
        return address_text(slot).boxed();
    }
    prop_oneof![
        1 => Just(placeholder(slot)),
        8 => hostile(),
        1 => long(),
    ]
    .boxed()
}

/// A PromQL string literal (Go escapes, which JSON's are).
fn promql_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A valid query for slot `i`: the canonical one, or one with a hostile label value.
fn valid_query(i: usize) -> BoxedStrategy<String> {
    let metric = METRICS[i];
    let hostile_label = hostile().prop_map(move |h| {
        if i == HISTOGRAM {
            format!("{metric}{{job={}}}", promql_string(&h))
        } else {
            format!("sum(rate({metric}{{job={}}}[$window]))", promql_string(&h))
        }
    });
    prop_oneof![
        2 => Just(CANONICAL[i].to_string()),
        1 => hostile_label,
    ]
    .boxed()
}

/// Any query for slot `i`: valid ones, and hostile ones.
fn any_query(i: usize) -> BoxedStrategy<String> {
    let canonical = CANONICAL[i];
    let metric = METRICS[i];
    let shapes: Vec<String> = if i == HISTOGRAM {
        vec![
            format!("{metric}{{job=\"x\",}}"),
            format!("{{__name__=\"{metric}\"}}"),
            format!("{metric}{{job=\"x\"}} or vector(1)"),
            format!("{metric}{{job=\"x\"}} # a comment"),
            format!("{metric}{{job=\"x\""),
            format!("rate({metric}[5m])"),
            format!("sum({metric})"),
            format!("{metric}{{le=\"0.3\"}}"),
            format!("{metric}{{job=\"{{{{ query \\\"up\\\" }}}}\"}}"),
            String::new(),
        ]
    } else {
        vec![
            format!("{canonical} # a comment"),
            format!("({canonical}"),
            format!("{canonical})"),
            format!("{canonical} or vector(1)"),
            format!("sum(rate({{__name__=\"{metric}\"}}[$window]))"),
            format!("sum(rate({metric}{{job=\"api\",}}[$window]))"),
            format!("sum(rate({metric}{{job=\"{{{{ query \\\"up\\\" }}}}\"}}[$window]))"),
            format!("sum(rate({metric}[5m]))"),
            String::new(),
        ]
    };
    prop_oneof![
        3 => valid_query(i),
        3 => prop::sample::select(shapes),
        1 => hostile().prop_map(move |h| format!("{canonical} # {h}")),
        1 => hostile().prop_map(move |h| format!("{canonical}{h}")),
        1 => hostile(),
    ]
    .boxed()
}

fn queries() -> impl Strategy<Value = Vec<String>> {
    let valid: Vec<BoxedStrategy<String>> = (0..QUERIES.len()).map(valid_query).collect();
    let any: Vec<BoxedStrategy<String>> = (0..QUERIES.len()).map(any_query).collect();
    prop_oneof![4 => valid, 1 => any]
}

fn case() -> impl Strategy<Value = Case> {
    let texts: Vec<_> = (0..SLOTS.len()).map(text).collect();
    (texts, queries()).prop_map(|(texts, queries)| Case { texts, queries })
}

// ---------------------------------------------------------------------------------------------
// What must hold of a case.

/// One way an output was not what its consumer accepts, by class of defect.
struct Failure {
    class: &'static str,
    detail: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // promtool pads its report with blank lines.
        let detail: Vec<&str> = self
            .detail
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        write!(f, "[{}] {}", self.class, cut(&detail.join("\n"), 6000))
    }
}

/// At most `limit` bytes of `text`, for failure messages.
fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[{} bytes in all]", &text[..end], text.len())
}

/// What happened to a case.
enum Outcome {
    /// `slac check` refused it (with a good diagnostic, or the failures say otherwise).
    Refused(Vec<Failure>),
    /// It built; the failures of its outputs.
    Built(Vec<Failure>),
}

impl Outcome {
    fn failures(&self) -> &[Failure] {
        match self {
            Outcome::Refused(failures) | Outcome::Built(failures) => failures,
        }
    }
}

/// Checks, builds and judges one case.
fn run(case: &Case) -> Outcome {
    let tmp = TempDir::new().unwrap();
    let ws = tmp.path().join("ws");
    case.write(&ws);
    let mut failures = Vec::new();

    let human = slac(&ws, &["check", "."]);
    terminal(&human.stderr, "slac check (stderr)", &mut failures);
    terminal(&human.stdout, "slac check (stdout)", &mut failures);
    let check = slac(&ws, &["check", ".", "--format", "json"]);
    match check.code() {
        0 => {}
        1 => {
            refused(&check.stdout, &check.stderr, &mut failures);
            return Outcome::Refused(failures);
        }
        code => {
            failures.push(Failure {
                class: "check",
                detail: format!("`slac check` exited with {code}:\n{}", check.stderr),
            });
            return Outcome::Refused(failures);
        }
    }

    let twin = case.twin();
    let twin_ws = tmp.path().join("twin");
    twin.write(&twin_ws);
    let twin_out = tmp.path().join("twin-out");
    slac(
        &twin_ws,
        &["build", ".", "--out", twin_out.to_str().unwrap()],
    )
    .assert_code(0);

    let out = tmp.path().join("out");
    let build = slac(&ws, &["build", ".", "--out", out.to_str().unwrap()]);
    terminal(&build.stderr, "slac build (stderr)", &mut failures);
    terminal(&build.stdout, "slac build (stdout)", &mut failures);
    if build.code() != 0 {
        failures.push(Failure {
            class: "build",
            detail: format!(
                "`slac check` accepted the workspace but `slac build` exited with {}:\n{}",
                build.code(),
                build.stderr
            ),
        });
        return Outcome::Built(failures);
    }

    let files = listing(&out);
    let twin_files = listing(&twin_out);
    if files.keys().collect::<Vec<_>>() != twin_files.keys().collect::<Vec<_>>() {
        failures.push(Failure {
            class: "files",
            detail: format!(
                "the build wrote other files than its twin's:\n{:?}\ntwin: {:?}",
                files.keys().collect::<Vec<_>>(),
                twin_files.keys().collect::<Vec<_>>()
            ),
        });
    }
    parse_all(&files, &mut failures);
    promtool_check(&out, &files, &mut failures);
    amtool_check(&out, &mut failures);
    openslo(&files, &mut failures);
    markdown(&files, &twin_files, &mut failures);
    html(&files, &twin_files, &mut failures);
    document_controls(&files, &mut failures);
    prometheus_templates(case, &files, &twin_files, tmp.path(), &mut failures);
    alertmanager_templates(case, &files, &twin_files, tmp.path(), &mut failures);
    Outcome::Built(failures)
}

/// The JSON diagnostics of a refusal: at least one error, each with a code and a place.
fn refused(stdout: &str, stderr: &str, failures: &mut Vec<Failure>) {
    let mut errors = 0;
    for line in stdout.lines() {
        let Ok(diagnostic) = serde_json::from_str::<Value>(line) else {
            failures.push(Failure {
                class: "check",
                detail: format!(
                    "`slac check --format json` printed a line that is not JSON: {line:?}"
                ),
            });
            continue;
        };
        let code = diagnostic["code"].as_str().unwrap_or("");
        let placed = diagnostic["file"].is_string()
            && diagnostic["line"].as_u64().is_some_and(|l| l >= 1)
            && diagnostic["column"].as_u64().is_some_and(|c| c >= 1);
        if code.len() != 4 || !placed {
            failures.push(Failure {
                class: "check",
                detail: format!("a diagnostic without a code or a place: {line}"),
            });
        }
        if diagnostic["severity"] == "error" {
            errors += 1;
        }
    }
    if errors == 0 {
        failures.push(Failure {
            class: "check",
            detail: format!(
                "`slac check` exited with 1 without an error diagnostic\nstdout:\n{stdout}\nstderr:\n{stderr}"
            ),
        });
    }
}

/// What `slac` prints never carries a raw control character (besides line breaks and tabs: the
/// runs are without colours) nor a bidi control.
fn terminal(text: &str, what: &str, failures: &mut Vec<Failure>) {
    let bad: BTreeSet<String> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    if !bad.is_empty() {
        let line = text
            .lines()
            .find(|l| {
                l.chars()
                    .any(|c| bad.contains(&format!("U+{:04X}", c as u32)))
            })
            .unwrap_or("");
        failures.push(Failure {
            class: "terminal",
            detail: format!(
                "{what} prints raw {}, e.g. on the line {}",
                bad.into_iter().collect::<Vec<_>>().join(", "),
                shown(line)
            ),
        });
    }
}

/// Every file below `dir`, by path relative to it (`/`-separated).
fn listing(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                let bytes = fs::read(&path).unwrap();
                let text =
                    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"));
                files.insert(name, text);
            }
        }
    }
    files
}

/// The documents of a YAML stream, or the parser's error.
fn yaml_documents(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let value = Value::deserialize(document).map_err(|error| {
            // The parser's place, when it gives one past the first line.
            match error.location().filter(|at| at.line() > 1) {
                Some(at) => {
                    let line = text.lines().nth(at.line() - 1).unwrap_or("");
                    format!("{error}, on the line {}", shown(line))
                }
                None => error.to_string(),
            }
        })?;
        out.push(value);
    }
    Ok(out)
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

/// Every YAML file parses with serde_norway, every JSON file with serde_json.
fn parse_all(files: &BTreeMap<String, String>, failures: &mut Vec<Failure>) {
    for (name, text) in files {
        if is_yaml(name) {
            if let Err(error) = yaml_documents(text) {
                let unprintable = text
                    .lines()
                    .find(|line| line.chars().any(|c| !yaml_printable(c)))
                    .map(|line| {
                        format!(
                            "\nits first line with a character YAML does not allow raw: {}",
                            shown(line)
                        )
                    })
                    .unwrap_or_default();
                failures.push(Failure {
                    class: "yaml",
                    detail: format!("{name} is not YAML: {error}{unprintable}"),
                });
            }
        } else if name.ends_with(".json") {
            if let Err(error) = serde_json::from_str::<Value>(text) {
                failures.push(Failure {
                    class: "json",
                    detail: format!("{name} is not JSON: {error}"),
                });
            }
        }
    }
}

/// `promtool check rules` takes every rule file, in one run.
fn promtool_check(out: &Path, files: &BTreeMap<String, String>, failures: &mut Vec<Failure>) {
    let rules: Vec<String> = files
        .keys()
        .filter(|name| name.starts_with("prometheus/"))
        .map(|name| out.join(name).display().to_string())
        .collect();
    if rules.is_empty() {
        return;
    }
    let mut args = vec!["check", "rules"];
    args.extend(rules.iter().map(String::as_str));
    let output = promtool(&args);
    if !output.status.success() {
        failures.push(Failure {
            class: "promtool-check",
            detail: format!(
                "`promtool check rules` refused the rules:\n{}",
                output_text(&output)
            ),
        });
    }
}

/// `amtool check-config` takes the Alertmanager configuration.
fn amtool_check(out: &Path, failures: &mut Vec<Failure>) {
    let file = out.join("alertmanager/alertmanager.yml");
    if !file.exists() {
        return;
    }
    let output = amtool(&["check-config", file.to_str().unwrap()]);
    if !output.status.success() {
        failures.push(Failure {
            class: "amtool-check",
            detail: format!(
                "`amtool check-config` refused the configuration:\n{}",
                output_text(&output)
            ),
        });
    }
}

/// The OpenSLO documents match the vendored schema.
fn openslo(files: &BTreeMap<String, String>, failures: &mut Vec<Failure>) {
    thread_local! {
        static SCHEMA: Schema = Schema::load();
    }
    for (name, text) in files.iter().filter(|(n, _)| n.starts_with("openslo/")) {
        let Ok(documents) = yaml_documents(text) else {
            continue; // a YAML failure already
        };
        SCHEMA.with(|schema| {
            for document in &documents {
                let errors = schema.errors(document);
                if !errors.is_empty() {
                    failures.push(Failure {
                        class: "openslo",
                        detail: format!(
                            "{name}: {} {} does not match the OpenSLO schema:\n{}",
                            document["kind"],
                            document["metadata"]["name"],
                            errors.join("\n")
                        ),
                    });
                }
            }
        });
    }
}

/// The Markdown nodes that hostile text must not create, counted by kind.
fn markdown_nodes(text: &str) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for event in Parser::new_ext(text, Options::all()) {
        let kind = match event {
            Event::Start(Tag::Link { .. }) => "link",
            Event::Start(Tag::Image { .. }) => "image",
            Event::Start(Tag::HtmlBlock) => "html block",
            Event::Html(_) => "html",
            Event::InlineHtml(_) => "inline html",
            Event::Start(Tag::Emphasis) => "emphasis",
            Event::Start(Tag::Strong) => "strong",
            Event::Start(Tag::Strikethrough) => "strikethrough",
            Event::Start(Tag::Superscript) => "superscript",
            Event::Start(Tag::Subscript) => "subscript",
            Event::FootnoteReference(_) => "footnote reference",
            _ => continue,
        };
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts
}

/// Each Markdown document has no more links, images, HTML or emphasis than its twin.
fn markdown(
    files: &BTreeMap<String, String>,
    twin_files: &BTreeMap<String, String>,
    failures: &mut Vec<Failure>,
) {
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".md")) {
        let Some(twin) = twin_files.get(name) else {
            continue;
        };
        let hostile = markdown_nodes(text);
        let plain = markdown_nodes(twin);
        let extra: Vec<String> = hostile
            .iter()
            .filter(|(kind, n)| **n > plain.get(*kind).copied().unwrap_or(0))
            .map(|(kind, n)| {
                format!(
                    "{n} {kind} (the twin has {})",
                    plain.get(kind).copied().unwrap_or(0)
                )
            })
            .collect();
        if !extra.is_empty() {
            failures.push(Failure {
                class: "markdown",
                detail: format!(
                    "{name} has Markdown nodes made by the input: {}\nits lines with them:\n{}",
                    extra.join(", "),
                    suspicious_lines(text, twin)
                ),
            });
        }
    }
}

/// The lines of `text` that its twin does not have, for failure messages.
fn suspicious_lines(text: &str, twin: &str) -> String {
    let twin_lines: BTreeSet<&str> = twin.lines().collect();
    text.lines()
        .filter(|l| !twin_lines.contains(l) && !markdown_nodes(l).is_empty())
        .take(8)
        .map(shown)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The contract documents (Markdown and HTML) carry no raw control character besides line
/// breaks and tabs: a NUL, an escape or a backspace is not text a reader can see.
fn document_controls(files: &BTreeMap<String, String>, failures: &mut Vec<Failure>) {
    for (name, text) in files
        .iter()
        .filter(|(n, _)| n.ends_with(".md") || n.ends_with(".html"))
    {
        let bad: BTreeSet<String> = text
            .chars()
            .filter(|&c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        if !bad.is_empty() {
            let line = text
                .lines()
                .find(|l| l.chars().any(|c| c.is_control() && c != '\t'))
                .unwrap_or("");
            failures.push(Failure {
                class: "document-control",
                detail: format!(
                    "{name} holds raw {}, e.g. on the line {}",
                    bad.into_iter().collect::<Vec<_>>().join(", "),
                    shown(line)
                ),
            });
        }
    }
}

/// Each HTML document has no more tags of links, images and scripts than its twin.
fn html(
    files: &BTreeMap<String, String>,
    twin_files: &BTreeMap<String, String>,
    failures: &mut Vec<Failure>,
) {
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".html")) {
        let Some(twin) = twin_files.get(name) else {
            continue;
        };
        for tag in ["<img", "<script", "<a ", "<!--"] {
            let count = |t: &str| t.to_ascii_lowercase().matches(tag).count();
            let (n, m) = (count(text), count(twin));
            if n > m {
                failures.push(Failure {
                    class: "html",
                    detail: format!("{name} has {n} `{tag}` where its twin has {m}"),
                });
            }
        }
    }
}

/// Whether YAML allows `c` raw in a file (its printable set, with tabs and line breaks).
fn yaml_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{85}')
        || (' '..='~').contains(&c)
        || ('\u{a0}'..='\u{d7ff}').contains(&c)
        || ('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}'
        || c >= '\u{10000}'
}

/// The text of the input that a YAML file of the output does not give back: each expected
/// value that holds nothing Go-template escaping rewrites (`{{`, `}}`, a `{` at its end) must be
/// among the values that the YAML parser reads under the same key. Those that do are judged by
/// promtool and amtool expanding them.
fn yaml_text(
    file: &str,
    key: &str,
    raw: &BTreeSet<String>,
    expected: &BTreeSet<String>,
    failures: &mut Vec<Failure>,
) {
    let lost: Vec<String> = expected
        .iter()
        .filter(|e| {
            !e.contains("{{") && !e.contains("}}") && !e.ends_with('{') && !raw.contains(*e)
        })
        .map(|e| shown(e))
        .collect();
    if !lost.is_empty() {
        let read: Vec<String> = raw.difference(expected).map(|v| shown(v)).collect();
        failures.push(Failure {
            class: "yaml-text",
            detail: format!(
                "{file}: a YAML parser reads `{key}` as {} where the input says {}",
                read.join(", "),
                lost.join(", ")
            ),
        });
    }
}

/// A YAML double-quoted scalar that Go's YAML parser reads back as `text`: every character
/// outside YAML's printable set is escaped.
fn yaml_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                write!(out, "\\u{:04x}", c as u32).unwrap()
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML flow mapping of string pairs.
fn yaml_map(entries: &[(String, String)]) -> String {
    let pairs: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}: {}", yaml_quoted(k), yaml_quoted(v)))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// The string pairs of a mapping (labels or annotations).
fn pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The alerting rules of the rule files, in file order: (file, labels, annotations).
type Alerting = Vec<(String, Vec<(String, String)>, Vec<(String, String)>)>;

fn alerting_rules(files: &BTreeMap<String, String>) -> Option<Alerting> {
    let mut out = Vec::new();
    for (name, text) in files.iter().filter(|(n, _)| n.starts_with("prometheus/")) {
        for document in yaml_documents(text).ok()? {
            // Standard rule files, or the `spec` of PrometheusRule resources.
            let groups = document
                .get("groups")
                .or_else(|| document.get("spec").and_then(|s| s.get("groups")));
            for group in groups.and_then(Value::as_array).into_iter().flatten() {
                for rule in group["rules"].as_array().into_iter().flatten() {
                    if rule.get("alert").is_some() {
                        out.push((
                            name.clone(),
                            pairs(&rule["labels"]),
                            pairs(&rule["annotations"]),
                        ));
                    }
                }
            }
        }
    }
    Some(out)
}

/// Every alert, fired by promtool with the labels and annotations that slac wrote, has the
/// labels and annotations of the twin with each plain word replaced by the text it stands for:
/// Prometheus expands nothing from the input.
fn prometheus_templates(
    case: &Case,
    files: &BTreeMap<String, String>,
    twin_files: &BTreeMap<String, String>,
    dir: &Path,
    failures: &mut Vec<Failure>,
) {
    let (Some(hostile), Some(twin)) = (alerting_rules(files), alerting_rules(twin_files)) else {
        return; // a YAML failure already
    };
    if hostile.len() != twin.len() {
        failures.push(Failure {
            class: "prometheus-template",
            detail: format!(
                "{} alerting rules where the twin has {}",
                hostile.len(),
                twin.len()
            ),
        });
        return;
    }
    if hostile.is_empty() {
        return;
    }
    let mut raw: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut expected: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for ((_, labels, annotations), (_, twin_labels, twin_annotations)) in hostile.iter().zip(&twin)
    {
        for (k, v) in labels.iter().chain(annotations) {
            raw.entry(k).or_default().insert(v.clone());
        }
        for (k, v) in twin_labels.iter().chain(twin_annotations) {
            expected.entry(k).or_default().insert(case.substitute(v));
        }
    }
    for (key, expected) in &expected {
        let raw = raw.get(key).cloned().unwrap_or_default();
        yaml_text("prometheus/", key, &raw, expected, failures);
    }
    let mut rules = String::from("groups:\n- name: hostile\n  rules:\n");
    let mut tests = String::from(
        "rule_files:\n- fire.yml\nevaluation_interval: 1m\ntests:\n- interval: 1m\n  input_series:\n  - series: 'up{job=\"x\"}'\n    values: '1 1 1'\n  alert_rule_test:\n",
    );
    for (i, ((_, labels, annotations), (_, twin_labels, twin_annotations))) in
        hostile.iter().zip(&twin).enumerate()
    {
        let expected = |pairs: &[(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), case.substitute(v)))
                .collect()
        };
        writeln!(
            rules,
            "  - alert: SlacHostile{i}\n    expr: vector(1)\n    labels: {}\n    annotations: {}",
            yaml_map(labels),
            yaml_map(annotations)
        )
        .unwrap();
        writeln!(
            tests,
            "  - eval_time: 1m\n    alertname: SlacHostile{i}\n    exp_alerts:\n    - exp_labels: {}\n      exp_annotations: {}",
            yaml_map(&expected(twin_labels)),
            yaml_map(&expected(twin_annotations))
        )
        .unwrap();
    }
    let fire = dir.join("fire.yml");
    let test = dir.join("fire-test.yml");
    fs::write(&fire, rules).unwrap();
    fs::write(&test, tests).unwrap();
    let output = promtool(&["test", "rules", test.to_str().unwrap()]);
    if !output.status.success() {
        let mut detail = format!(
            "`promtool test rules` finds labels or annotations that are not the text of the input \
             (the alerts are the generated ones, renamed SlacHostile<n>, with `expr: vector(1)`):\n{}",
            output_text(&output)
        );
        for (i, (file, _, annotations)) in hostile.iter().enumerate() {
            if annotations
                .iter()
                .any(|(_, v)| v.contains("{{") || v.contains('$'))
            {
                writeln!(detail, "SlacHostile{i} is from {file}").unwrap();
            }
        }
        failures.push(Failure {
            class: "prometheus-template",
            detail,
        });
    }
}

/// The keys of Alertmanager's configuration whose values are Go templates.
const TEMPLATED: &[&str] = &[
    "to",
    "from",
    "routing_key",
    "service_key",
    "text",
    "html",
    "subject",
    "description",
    "message",
    "title",
    "summary",
];

/// Every string value of a YAML tree, by the key it is under (list items take their list's).
fn strings_by_key(value: &Value, key: &str, out: &mut BTreeMap<String, Vec<String>>) {
    match value {
        Value::String(s) => out.entry(key.to_string()).or_default().push(s.clone()),
        Value::Array(items) => {
            for item in items {
                strings_by_key(item, key, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                strings_by_key(v, k, out);
            }
        }
        _ => {}
    }
}

/// Renders each template with `amtool template render`, one run for all of them; `None` for
/// the whole batch when one of them is not a valid template (the error then says which).
fn render(templates: &[String], dir: &Path) -> Result<Vec<String>, String> {
    const SEPARATOR: &str = "\n<<slac-hostile-separator>>\n";
    let file = dir.join("values.tmpl");
    fs::write(&file, templates.join(SEPARATOR)).unwrap();
    let output = amtool(&[
        "template",
        "render",
        &format!("--template.glob={}", file.display()),
        "--template.text={{ template \"values.tmpl\" . }}",
    ]);
    if !output.status.success() {
        return Err(output_text(&output));
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    // amtool ends its output with a line break.
    let text = text.strip_suffix('\n').unwrap_or(&text);
    Ok(text.split(SEPARATOR).map(str::to_owned).collect())
}

/// Every string of the Alertmanager configuration, rendered as Alertmanager renders it where
/// it is a template, is the text of the twin with each plain word replaced by the input's text.
fn alertmanager_templates(
    case: &Case,
    files: &BTreeMap<String, String>,
    twin_files: &BTreeMap<String, String>,
    dir: &Path,
    failures: &mut Vec<Failure>,
) {
    const FILE: &str = "alertmanager/alertmanager.yml";
    let (Some(text), Some(twin)) = (files.get(FILE), twin_files.get(FILE)) else {
        return;
    };
    let (Ok(hostile), Ok(twin)) = (yaml_documents(text), yaml_documents(twin)) else {
        return; // a YAML failure already
    };
    let mut hostile_strings = BTreeMap::new();
    let mut twin_strings = BTreeMap::new();
    for document in &hostile {
        strings_by_key(document, "", &mut hostile_strings);
    }
    for document in &twin {
        strings_by_key(document, "", &mut twin_strings);
    }
    for (key, twin_values) in &twin_strings {
        if !twin_values.iter().any(|v| v.contains("zq")) {
            continue; // no text of the input under this key
        }
        let expected: BTreeSet<String> = twin_values.iter().map(|v| case.substitute(v)).collect();
        let values = hostile_strings.get(key).cloned().unwrap_or_default();
        let raw: BTreeSet<String> = values.iter().cloned().collect();
        yaml_text(FILE, key, &raw, &expected, failures);
        let got: BTreeSet<String> = if TEMPLATED.contains(&key.as_str()) {
            match render(&values, dir) {
                Ok(rendered) => rendered.into_iter().collect(),
                Err(error) => {
                    let bad: Vec<String> = values
                        .iter()
                        .filter(|v| render(std::slice::from_ref(v), dir).is_err())
                        .map(|v| shown(v))
                        .collect();
                    failures.push(Failure {
                        class: "alertmanager-template",
                        detail: format!(
                            "`{key}` values are not valid Go templates for Alertmanager: {}\n{error}",
                            bad.join(", ")
                        ),
                    });
                    continue;
                }
            }
        } else {
            values.into_iter().collect()
        };
        if got != expected {
            let missing: Vec<String> = expected.difference(&got).map(|v| shown(v)).collect();
            let extra: Vec<String> = got.difference(&expected).map(|v| shown(v)).collect();
            failures.push(Failure {
                class: "alertmanager-template",
                detail: format!(
                    "`{key}` values{} are not the text of the input: Alertmanager makes {} of {}",
                    if TEMPLATED.contains(&key.as_str()) {
                        " (rendered by amtool)"
                    } else {
                        ""
                    },
                    extra.join(", "),
                    missing.join(", ")
                ),
            });
        }
    }
}

/// The report of a case that failed: the workspace, then each failure.
fn report(case: &Case, failures: &[Failure]) -> String {
    let mut out = String::new();
    writeln!(
        out,
        "{case:?}\n--- contracts.sla (long lines elided)\n{}\n---",
        readable(&case.sla())
    )
    .unwrap();
    for failure in failures {
        writeln!(out, "{failure}").unwrap();
    }
    out
}

/// Fails the test with the report when the case has a failure of one of `classes` (all when
/// empty).
fn assert_ok(case: &Case, outcome: &Outcome, classes: &[&str]) {
    let failures: Vec<&Failure> = outcome
        .failures()
        .iter()
        .filter(|f| classes.is_empty() || classes.contains(&f.class))
        .collect();
    if !failures.is_empty() {
        let owned: Vec<Failure> = failures
            .iter()
            .map(|f| Failure {
                class: f.class,
                detail: f.detail.clone(),
            })
            .collect();
        panic!("{}", report(case, &owned));
    }
}

// ---------------------------------------------------------------------------------------------
// The property.

/// Cases seen and cases built by the property test: when its last case is judged, at least a
/// third must have built, or the test would judge outputs too seldom to mean anything (a check
/// that refused nearly everything would pass it).
static SEEN: AtomicU32 = AtomicU32::new(0);
static BUILT: AtomicU32 = AtomicU32::new(0);

fn count_built(outcome: &Outcome) {
    if matches!(outcome, Outcome::Built(_)) {
        BUILT.fetch_add(1, Ordering::SeqCst);
    }
    let seen = SEEN.fetch_add(1, Ordering::SeqCst) + 1;
    let built = BUILT.load(Ordering::SeqCst);
    if seen == cases() && std::env::var_os("SLAC_HOSTILE_SURVEY").is_none() {
        assert!(
            built * 3 >= seen,
            "only {built} of {seen} generated workspaces passed `slac check`: the outputs are \
             judged too seldom (make the generator draw more strings that may be accepted)"
        );
    }
}

fn cases() -> u32 {
    std::env::var("SLAC_HOSTILE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(96)
}

/// What a failing case is kept for while it is made smaller: built or refused, and the classes
/// of its failures.
fn signature(outcome: &Outcome) -> (bool, BTreeSet<&'static str>) {
    (
        matches!(outcome, Outcome::Built(_)),
        outcome.failures().iter().map(|f| f.class).collect(),
    )
}

/// A smaller failing case: each string in turn replaced by its plain word, and each query by
/// the valid one, as long as the case still fails the same way. (This replaces proptest's
/// shrinking, which takes hundreds of runs of the tools on a case of 37 strings.)
fn minimize(case: &Case, outcome: Outcome) -> (Case, Outcome) {
    let wanted = signature(&outcome);
    let mut best = (case.clone(), outcome);
    let plain = case.twin();
    for i in 0..SLOTS.len() + QUERIES.len() {
        let mut candidate = best.0.clone();
        if i < SLOTS.len() {
            if candidate.texts[i] == plain.texts[i] {
                continue;
            }
            candidate.texts[i] = plain.texts[i].clone();
        } else {
            let q = i - SLOTS.len();
            if candidate.queries[q] == plain.queries[q] {
                continue;
            }
            candidate.queries[q] = plain.queries[q].clone();
        }
        let outcome = run(&candidate);
        if signature(&outcome) == wanted {
            best = (candidate, outcome);
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        // A failing case is made smaller by `minimize`, in one pass over its strings.
        max_shrink_iters: 0,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_text_is_refused_or_stays_text(case in case()) {
        let outcome = run(&case);
        count_built(&outcome);
        if std::env::var_os("SLAC_HOSTILE_SURVEY").is_some() {
            let classes: BTreeSet<&str> = outcome.failures().iter().map(|f| f.class).collect();
            let state = match outcome { Outcome::Refused(_) => "refused", Outcome::Built(_) => "built" };
            let mut why = String::new();
            if state == "refused" {
                let tmp = TempDir::new().unwrap();
                case.write(tmp.path());
                let check = slac(tmp.path(), &["check", ".", "--format", "json"]);
                for line in check.stdout.lines().take(3) {
                    let d: Value = serde_json::from_str(line).unwrap_or_default();
                    writeln!(why, "REFUSED {} {}", d["code"], cut(d["message"].as_str().unwrap_or(""), 200)).unwrap();
                }
            }
            eprintln!("SURVEY {state} {classes:?}\n{why}{}", report(&case, outcome.failures()));
            return Ok(());
        }
        if !outcome.failures().is_empty() {
            let (smaller, outcome) = minimize(&case, outcome);
            prop_assert!(
                false,
                "a generated workspace fails; the same failures with as many strings made plain as \
                 keeps them:\n{}",
                report(&smaller, outcome.failures())
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One fixed workspace per class of defect.

/// A title with a Go template: promtool takes the rules, and the alerts' `title` annotation is
/// the title as written.
#[test]
fn a_title_with_a_go_template_stays_literal_in_the_alerts() {
    let mut case = Case::plain();
    case.texts[AVAILABILITY_TITLE] = "{{ query \"up\" }} and {{ $value }}".into();
    case.texts[LOGIN_TITLE] = "{{ .Labels.job }}".into();
    let outcome = run(&case);
    assert!(
        matches!(outcome, Outcome::Built(_)),
        "{}",
        report(&case, outcome.failures())
    );
    assert_ok(
        &case,
        &outcome,
        &["build", "promtool-check", "prometheus-template"],
    );
}

/// A contact e-mail and pager key with Go templates: Alertmanager sends to them as written.
#[test]
fn contact_values_with_go_templates_stay_literal_in_alertmanager() {
    let mut case = Case::plain();
    case.texts[AM_EMAIL] = "{{ template \"x\" }}@acme.example".into();
    case.texts[AM_PAGER] = "{{ .CommonLabels }}".into();
    let outcome = run(&case);
    assert!(
        matches!(outcome, Outcome::Built(_)),
        "{}",
        report(&case, outcome.failures())
    );
    assert_ok(
        &case,
        &outcome,
        &["build", "amtool-check", "alertmanager-template"],
    );
}

/// Asserts that `slac check` refuses the case with a diagnostic that has a code and a place.
fn assert_refused(case: &Case) {
    let outcome = run(case);
    match &outcome {
        Outcome::Refused(failures) if failures.iter().all(|f| f.class == "terminal") => {}
        Outcome::Refused(failures) => panic!("{}", report(case, failures)),
        Outcome::Built(failures) => panic!(
            "`slac check` accepted the query; the build then gave:\n{}",
            report(case, failures)
        ),
    }
}

/// A query with a `#` comment, which would swallow the parenthesis that each generated rule
/// puts after it if it were copied, is accepted and its comment stripped: promtool takes the
/// rules (it refused them with "unclosed left parenthesis" when the comment was copied).
#[test]
fn a_query_with_a_comment_gives_rules_without_it() {
    let mut case = Case::plain();
    case.queries[ERRORS] = format!("{} # errors only", CANONICAL[ERRORS]);
    let outcome = run(&case);
    assert!(
        matches!(outcome, Outcome::Built(_)) && outcome.failures().is_empty(),
        "{}",
        report(&case, outcome.failures())
    );
}

/// A query with unbalanced parentheses is refused at check time.
#[test]
fn a_query_with_unbalanced_parentheses_is_refused() {
    let mut case = Case::plain();
    case.queries[ERRORS] = format!("({}", CANONICAL[ERRORS]);
    assert_refused(&case);
}

/// Latency histograms that are valid PromQL but not a plain selector: refused, or rules that
/// promtool takes.
#[test]
fn unusual_histogram_selectors_are_refused_or_give_valid_rules() {
    let mut failed = Vec::new();
    for histogram in [
        r#"h_bucket{job="x",}"#,
        r#"{__name__="h_bucket"}"#,
        r#"h_bucket{job="x"} or vector(1)"#,
    ] {
        let mut case = Case::plain();
        case.queries[HISTOGRAM] = histogram.into();
        let outcome = run(&case);
        if !outcome.failures().is_empty() {
            failed.push(report(&case, outcome.failures()));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// A title with an image and a link: the Markdown documents show them as text.
#[test]
fn markdown_in_a_title_stays_text() {
    let mut case = Case::plain();
    case.texts[AGREEMENT_TITLE] = "Support ![x](http://t) and [a](b)".into();
    case.texts[AVAILABILITY_TITLE] = "![x](http://t) [a](b) <img src=x> _em_ ~~s~~".into();
    let outcome = run(&case);
    assert!(
        matches!(outcome, Outcome::Built(_)),
        "{}",
        report(&case, outcome.failures())
    );
    assert_ok(&case, &outcome, &["build", "markdown"]);
}

/// Control and bidi characters in names are not printed raw on the terminal.
#[test]
fn control_characters_are_not_printed_raw() {
    let mut case = Case::plain();
    // An unknown reference makes `slac check` quote the source line.
    case.texts[AGREEMENT_TITLE] = "\u{1b}[31mred\u{202e}desrever".into();
    let mut text = case.sla();
    text.push_str("\nagreement broken {\n  title \"\u{202e}x\u{1b}[2J\"\n  provider nobody\n}\n");
    let tmp = TempDir::new().unwrap();
    case.write(tmp.path());
    fs::write(tmp.path().join("contracts.sla"), &text).unwrap();
    let run = slac(tmp.path(), &["check", "."]);
    let mut failures = Vec::new();
    terminal(&run.stderr, "slac check (stderr)", &mut failures);
    assert!(
        failures.is_empty(),
        "--- contracts.sla\n{}\n---\n{}",
        readable(&text),
        failures
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}
