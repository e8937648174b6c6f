//! Property tests on generated files: random valid files written with random whitespace and
//! comments between their tokens, and arbitrary text.

mod common;

use common::{check_format, comment_texts, parses};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Fields of each declaration kind, as tokens. A token never contains a place where a comment
/// could stand, so any separator may go between two of them (`1200 EUR` is one token because
/// money may not be split), except after a keyword whose value must be on its line.
const PARTY_FIELDS: &[&[&str]] = &[
    &["name", "\"Acme \\\"SA\\\"\""],
    &["kind", "internal"],
    &["contact", "support", "\"support@acme.example\""],
    &[
        "contact",
        "oncall",
        "{",
        "email",
        "\"o@p.example\"",
        "pager",
        "\"primary\"",
        "}",
    ],
];
const CALENDAR_FIELDS: &[&[&str]] = &[
    &["timezone", "\"Europe/Paris\""],
    &["open", "mon-fri", "08:00-17:00"],
    &["open", "sat", "09:00-12:00"],
    &["closed", "france"],
    &["closed", "2026-08-10", "to", "2026-08-21", "\"Fermeture\""],
];
const HOLIDAYS_FIELDS: &[&[&str]] = &[
    &["annual", "01-01", "\"Jour de l'an\""],
    &["easter", "+1", "\"Lundi de Pâques\""],
    &["easter", "+39", "\"Ascension\""],
    &["easter", "-2", "\"Vendredi saint\""],
    &["date", "2026-12-24", "\"Veille\"", "from", "12:00"],
];
const ESCALATION_FIELDS: &[&[&str]] = &[
    &["level", "1", "at", "50%", "notify", "helpdesk.oncall"],
    &["level", "3", "at", "breach", "notify", "a.b", ",", "c"],
];
const AGREEMENT_FIELDS: &[&[&str]] = &[
    &["title", "\"Support — Acme\""],
    &["kind", "customer"],
    &["version", "2.1.0"],
    &["effective", "2026-01-01", "to", "2026-12-31"],
    &["effective", "from", "2026-01-01"],
    &["fee", "1200 EUR", "per", "month"],
    &[
        "review",
        "every",
        "30d",
        "with",
        "acme.manager",
        ",",
        "helpdesk",
    ],
    &[
        "description",
        "\"\"\"\n      Two lines\n        of text.\n  \"\"\"",
    ],
    &["clause", "\"R\"", "\"\"\"One line.\"\"\""],
    &[
        "objective",
        "response",
        "{",
        "sli",
        "response_time",
        "target",
        "95%",
        "window",
        "month",
        "within",
        "1h",
        "for",
        "priority",
        "=",
        "P1",
        "within",
        "2bd",
        "for",
        "priority",
        "=",
        "P2",
        "and",
        "region",
        "=",
        "\"Île\"",
        "within",
        "3bd",
        "}",
    ],
    &[
        "objective",
        "api",
        "{",
        "sli",
        "ratio",
        "{",
        "errors",
        "\"\"\"\n\tsum(x)\n\n\t  by (y)\n\"\"\"",
        "total",
        "\"\"\"sum(t)\"\"\"",
        "}",
        "target",
        "99.9%",
        "window",
        "30d",
        "}",
    ],
    &[
        "credit", "{", "when", "response", "below", "95%", "refund", "5%", "cap", "30%", "}",
    ],
    &["credit", "{", "}"],
];

/// Keywords whose value must start on their own line (language.md §2.1): after them, only
/// spaces or tabs.
const SAME_LINE: &[&str] = &[
    "party",
    "service",
    "holidays",
    "calendar",
    "escalation",
    "agreement",
    "objective",
    "contact",
    "owner",
    "closed",
    "notify",
    "provider",
    "customer",
    "services",
    "kind",
    "language",
    "window",
    "review",
    "with",
    "extends",
    "responsibility",
    "sli",
    "supports",
    "for",
    "and",
    "when",
];

/// Whitespace, newlines and comments to put between two tokens.
fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_string()),
        2 => Just("\n    ".to_string()),
        1 => Just("\t  ".to_string()),
        1 => Just("\n\n\n".to_string()),
        1 => Just("\r\n".to_string()),
        1 => "[a-z ]{0,8}".prop_map(|text| format!(" // {text}  \n")),
        1 => Just("// tight\n".to_string()),
        1 => Just("\n/// doc\n".to_string()),
        1 => Just("\n  //// not a doc\n\n".to_string()),
    ]
}

fn declaration() -> impl Strategy<Value = Vec<String>> {
    let body =
        |keyword: &'static str, id: &'static str, fields: &'static [&'static [&'static str]]| {
            prop::collection::vec(prop::sample::select(fields), 0..6).prop_map(move |chosen| {
                let mut tokens = vec![keyword.to_string(), id.to_string(), "{".to_string()];
                tokens.extend(
                    chosen
                        .iter()
                        .flat_map(|field| field.iter().map(|t| t.to_string())),
                );
                tokens.push("}".to_string());
                tokens
            })
        };
    prop_oneof![
        body("party", "acme", PARTY_FIELDS),
        body("calendar", "paris", CALENDAR_FIELDS),
        body("holidays", "france", HOLIDAYS_FIELDS),
        body("escalation", "standard", ESCALATION_FIELDS),
        body("agreement", "printers", AGREEMENT_FIELDS),
        Just(vec!["import".to_string(), "\"parties.sla\"".to_string()]),
    ]
}

/// A valid file: declarations whose tokens are joined by random separators.
fn valid_file() -> impl Strategy<Value = String> {
    prop::collection::vec(declaration(), 0..5)
        .prop_flat_map(|declarations| {
            let tokens: Vec<String> = declarations.into_iter().flatten().collect();
            let separators = prop::collection::vec(separator(), tokens.len() + 1);
            (Just(tokens), separators)
        })
        .prop_map(|(tokens, separators)| {
            let mut file = String::new();
            let mut previous: Option<&str> = None;
            for (token, separator) in tokens.iter().zip(&separators) {
                let inline = separator.chars().all(|c| c == ' ' || c == '\t');
                if previous.is_some_and(|p| SAME_LINE.contains(&p)) && !inline {
                    file.push(' ');
                } else {
                    file.push_str(separator);
                }
                file.push_str(token);
                previous = Some(token);
            }
            if let Some(last) = separators.last() {
                file.push_str(last);
            }
            file
        })
}

/// Text made of the language's pieces, more likely to come close to a valid file than noise.
fn sla_like_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("party p {"),
            Just("agreement a {"),
            Just("objective o {"),
            Just("sli ratio {"),
            Just("}"),
            Just("{"),
            Just(" name \"x\""),
            Just(" within 1h for p = P1"),
            Just(" easter +1 \"E\""),
            Just("\"\"\"\n  text\n\"\"\""),
            Just("\"\"\""),
            Just("\""),
            Just(" // c\n"),
            Just("/// d\n"),
            Just("\n"),
            Just(" "),
            Just("\r"),
            Just("é"),
        ],
        0..40,
    )
    .prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(Config::with_cases(256))]

    #[test]
    fn generated_files_format_stably(source in valid_file()) {
        prop_assert!(parses(&source), "the generator wrote an invalid file:\n{source}");
        let formatted = check_format("generated", &source);
        prop_assert_eq!(comment_texts(&formatted), comment_texts(&source));
    }

    #[test]
    fn arbitrary_text_never_panics(source in any::<String>()) {
        if let Ok(formatted) = slac_fmt::format(&source) {
            check_format("arbitrary", &source);
            prop_assert!(parses(&formatted));
        }
    }

    #[test]
    fn language_like_text_never_panics(source in sla_like_text()) {
        if slac_fmt::format(&source).is_ok() {
            check_format("language-like", &source);
        }
    }
}
