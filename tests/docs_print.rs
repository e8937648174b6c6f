#![allow(clippy::unwrap_used)]
//! The contract documents print: headless Chromium prints the HTML of `slac build --target docs`
//! to PDF, as a reader would from a browser, and `pdftotext` reads back every term the reader
//! must find (parties, dates, targets, deadlines, contacts, the fingerprint) in French and in
//! English typography, on A4 pages, with no table row cut by a page break.
//!
//! The first tests check the harness itself on a hand-written page, so that a failure of the
//! document tests is known to be the documents' and not the printer's. They all fail (they are
//! not skipped) when `chromium`, `pdftotext` or `pdfinfo` is missing: run
//! `scripts/install-test-tools`.

mod support;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use support::chromium::{
    contains_term, normalize, pdf_is_a4, pdf_page_texts, pdf_pages, pdf_text,
    pdf_text_reading_order, print_to_pdf,
};
use support::{slac, tail};

// ─── The harness ────────────────────────────────────────────────────────────

/// A page like a French contract document: a title, a table, A4 print CSS, no-break spaces
/// where French typography puts them, and markup-looking text that was escaped.
const SELF_TEST_PAGE: &str = r#"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Titre de l’onglet, jamais imprimé</title>
<style>
  @page { size: A4; margin: 20mm 18mm; }
  body { font-family: "Liberation Sans", Arial, sans-serif; font-size: 11pt; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #555; padding: 1mm 2mm; text-align: left; }
  tr { break-inside: avoid; }
</style>
</head>
<body>
<h1>Support des imprimantes — Acme</h1>
<p>Objectif&#x202F;: 95&nbsp;% des tickets pris en charge à temps, à compter du
1<sup>er</sup>&nbsp;janvier&nbsp;2026.</p>
<p>Texte échappé&#x202F;: &lt;script&gt;alert(1)&lt;/script&gt;</p>
<table>
  <thead><tr><th>Priorité</th><th>Délai</th></tr></thead>
  <tbody>
    <tr><td>P1</td><td>1&nbsp;h</td></tr>
    <tr><td>P3</td><td>2&nbsp;jours ouvrés</td></tr>
  </tbody>
</table>
</body>
</html>
"#;

#[test]
fn harness_prints_french_text_escaped_markup_and_a_table_on_a4() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("essai.html");
    let pdf = dir.path().join("essai.pdf");
    fs::write(&html, SELF_TEST_PAGE).unwrap();
    print_to_pdf(&html, &pdf);

    let text = pdf_text(&pdf);
    for term in [
        "Support des imprimantes — Acme",
        "95 % des tickets",
        "1er janvier 2026",
        "<script>alert(1)</script>",
        "Priorité",
        "Délai",
        "P1",
        "1 h",
        "2 jours ouvrés",
    ] {
        assert!(
            contains_term(&text, term),
            "the printed page lacks {term:?}; pdftotext -layout read:\n{text}"
        );
    }
    // The matching rules themselves: no-break spaces are spaces, a space pdftotext dropped
    // does not matter, and a term is whole (`5 %` is not in `95 %`, `P` is not in `P1`).
    assert_eq!(
        normalize("95\u{a0}%\u{202f}des \n\u{c} tickets\u{2019}"),
        "95 % des tickets'"
    );
    assert!(contains_term("P1 1h", "1 h") && contains_term("P1 1h", "P1"));
    assert!(!contains_term(&text, "5 % des tickets"));
    assert!(!contains_term(&text, "P"));
    assert!(!contains_term("1 heure", "1 h"));
    // What the HTML shows, exactly: entities decoded, inline tags glued, head and style gone.
    let shown = html_text(SELF_TEST_PAGE);
    for term in [
        "95 % des tickets",
        "1er janvier 2026",
        "<script>alert(1)</script>",
        "P1 1 h",
    ] {
        assert!(
            contains_exact(&shown, term),
            "html_text lacks {term:?}: {shown}"
        );
    }
    assert!(
        !shown.contains("@page") && !shown.contains("onglet") && !contains_exact(&shown, "95%")
    );
    // No header or footer: neither the tab's title nor the file's URL is printed.
    assert!(
        !contains_term(&text, "jamais imprimé") && !text.contains("file://"),
        "chromium printed its header or footer:\n{text}"
    );
    assert!(pdf_pages(&pdf) >= 1);
    assert!(
        pdf_is_a4(&pdf),
        "the page asked for A4 and the PDF is not A4"
    );
}

#[test]
fn harness_sees_which_page_holds_each_table_row() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("long.html");
    let pdf = dir.path().join("long.pdf");
    let mut page = String::from(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Long</title>\
         <style>@page { size: A4; margin: 20mm; } tr { break-inside: avoid; }\
         td { border: 1px solid #555; padding: 2mm; }</style></head><body><table><tbody>",
    );
    for row in 1..=80 {
        write!(
            page,
            "<tr><td>ligne {row}</td><td>première partie<br>valeur {row}</td></tr>"
        )
        .unwrap();
    }
    page.push_str("</tbody></table></body></html>");
    fs::write(&html, page).unwrap();
    print_to_pdf(&html, &pdf);

    let pages = pdf_page_texts(&pdf);
    assert_eq!(
        pages.len(),
        pdf_pages(&pdf),
        "pdftotext and pdfinfo disagree on the pages"
    );
    assert!(pages.len() >= 2, "80 tall rows fit on {} page", pages.len());
    for row in 1..=80 {
        let first = format!("ligne {row}");
        let second = format!("valeur {row}");
        assert!(
            pages
                .iter()
                .any(|page| contains_term(page, &first) && contains_term(page, &second)),
            "row {row} is cut by a page break (or lost)"
        );
    }
}

// ─── The documents of `slac build --target docs` ────────────────────────────

/// What a reader must find in a printed document: any of the spellings, and where the term
/// comes from.
struct Term {
    source: &'static str,
    any_of: &'static [&'static str],
}

const fn term(source: &'static str, any_of: &'static [&'static str]) -> Term {
    Term { source, any_of }
}

/// The terms of `examples/agreements/customer/acme_printers.sla` that do not depend on the
/// language of the document: strings of the source, printed as written.
const COMMON_TERMS: &[Term] = &[
    term(
        "acme_printers.sla:6 title",
        &["Support des imprimantes — Acme"],
    ),
    term("acme_printers.sla:8 version", &["2.1.0"]),
    term(
        "acme_printers.sla:10 provider helpdesk (parties.sla:40)",
        &["Service Desk"],
    ),
    term(
        "acme_printers.sla:11 customer acme (parties.sla:8)",
        &["Acme Industries SA"],
    ),
    term(
        "acme_printers.sla:12 services printers (catalogue.sla:4)",
        &["Printer support"],
    ),
    term(
        "acme_printers.sla:19 objective title",
        &["Délai de prise en charge"],
    ),
    term("acme_printers.sla:24 for priority = P1", &["P1"]),
    term("acme_printers.sla:25 for priority = P2", &["P2"]),
    term("acme_printers.sla:26 for priority = P3", &["P3"]),
    term("acme_printers.sla:27 for region = rural", &["rural"]),
    term(
        "acme_printers.sla:15 review with acme.account_manager (parties.sla:11)",
        &["Marie Dupont"],
    ),
    term(
        "acme_printers.sla:15 review with acme.account_manager (parties.sla:12)",
        &["marie.dupont@acme.example"],
    ),
    term(
        "acme_printers.sla:15 review with helpdesk.manager (parties.sla:46)",
        &["it-manager@provider.example"],
    ),
    term(
        "acme_printers.sla:16 escalation standard, level 1 notify helpdesk.oncall \
         (escalations.sla:6, parties.sla:43)",
        &["oncall@provider.example"],
    ),
    term(
        "acme_printers.sla:39 responsibility provider",
        &["Keep spare toner for two weeks on site"],
    ),
    term(
        "acme_printers.sla:40 responsibility customer",
        &["Report incidents through the portal with the printer's asset tag"],
    ),
    term("acme_printers.sla:42 clause title", &["Résiliation"]),
    term(
        "acme_printers.sla:43 clause text",
        &["Either party may end this agreement with three months' notice"],
    ),
];

/// The terms whose spelling is the language's.
const FRENCH_TERMS: &[Term] = &[
    term(
        "acme_printers.sla:9 effective 2026-01-01",
        &["1er janvier 2026"],
    ),
    term("acme_printers.sla:9 to 2027-12-31", &["31 décembre 2027"]),
    term("acme_printers.sla:22 target 95%", &["95 %"]),
    term(
        "acme_printers.sla:14 fee 1200 EUR per month",
        &["1 200 €", "1 200 EUR", "1 200,00 €"],
    ),
    term(
        "acme_printers.sla:15 review quarterly",
        &[
            "trimestrielle",
            "trimestriel",
            "chaque trimestre",
            "tous les trois mois",
        ],
    ),
    term("acme_printers.sla:24 within 1h", &["1 h", "1 heure"]),
    term("acme_printers.sla:25 within 4h", &["4 h", "4 heures"]),
    term("acme_printers.sla:27 within 8h", &["8 h", "8 heures"]),
    term(
        "acme_printers.sla:26 within 2bd",
        &["2 jours ouvrés", "2 jours ouvrables", "2 j ouvrés"],
    ),
    term(
        "acme_printers.sla:28 within 3bd",
        &["3 jours ouvrés", "3 jours ouvrables", "3 j ouvrés"],
    ),
    term("acme_printers.sla:34 below 90%", &["90 %"]),
    term("acme_printers.sla:33 refund 5%", &["5 %"]),
    term("acme_printers.sla:34 refund 15%", &["15 %"]),
    term("acme_printers.sla:35 cap 30%", &["30 %"]),
    term("escalations.sla:6 level 1 at 50%", &["50 %"]),
    term("escalations.sla:7 level 2 at 75%", &["75 %"]),
    term(
        "the source's fingerprint",
        &["SHA-256", "SHA256", "empreinte", "Empreinte"],
    ),
];

const ENGLISH_TERMS: &[Term] = &[
    term(
        "acme_printers.sla:9 effective 2026-01-01",
        &["1 January 2026"],
    ),
    term("acme_printers.sla:9 to 2027-12-31", &["31 December 2027"]),
    term("acme_printers.sla:22 target 95%", &["95%"]),
    term(
        "acme_printers.sla:14 fee 1200 EUR per month",
        &["€1,200", "1,200 EUR", "EUR 1,200", "€1,200.00"],
    ),
    term(
        "acme_printers.sla:15 review quarterly",
        &[
            "Quarterly",
            "quarterly",
            "every quarter",
            "every three months",
        ],
    ),
    term(
        "acme_printers.sla:24 within 1h",
        &["1 h", "1h", "1 hour", "1 business hour"],
    ),
    term(
        "acme_printers.sla:25 within 4h",
        &["4 h", "4h", "4 hours", "4 business hours"],
    ),
    term(
        "acme_printers.sla:27 within 8h",
        &["8 h", "8h", "8 hours", "8 business hours"],
    ),
    term(
        "acme_printers.sla:26 within 2bd",
        &["2 business days", "2 working days", "2 bd"],
    ),
    term(
        "acme_printers.sla:28 within 3bd",
        &["3 business days", "3 working days", "3 bd"],
    ),
    term("acme_printers.sla:34 below 90%", &["90%"]),
    term("acme_printers.sla:33 refund 5%", &["5%"]),
    term("acme_printers.sla:34 refund 15%", &["15%"]),
    term("acme_printers.sla:35 cap 30%", &["30%"]),
    term("escalations.sla:6 level 1 at 50%", &["50%"]),
    term("escalations.sla:7 level 2 at 75%", &["75%"]),
    term(
        "the source's fingerprint",
        &["SHA-256", "SHA256", "fingerprint", "Fingerprint"],
    ),
];

/// Pairs of terms that share a table row of the document (an objective and its target, a case
/// and its deadline, a credit threshold and its refund): some page holds both, or the row was
/// cut by a page break.
struct Row {
    what: &'static str,
    left: &'static [&'static str],
    right: &'static [&'static str],
}

const FRENCH_ROWS: &[Row] = &[
    Row {
        what: "objective response and its target (acme_printers.sla:19, :22)",
        left: &["Délai de prise en charge"],
        right: &["95 %"],
    },
    Row {
        what: "case P1 and its deadline (acme_printers.sla:24)",
        left: &["P1"],
        right: &["1 h", "1 heure"],
    },
    Row {
        what: "case P3 and its deadline (acme_printers.sla:26)",
        left: &["P3"],
        right: &["2 jours ouvrés", "2 jours ouvrables", "2 j ouvrés"],
    },
    Row {
        what: "case P2 and rural, and its deadline (acme_printers.sla:27)",
        left: &["rural"],
        right: &["8 h", "8 heures"],
    },
    Row {
        what: "credit below 90% and its refund (acme_printers.sla:34)",
        left: &["90 %"],
        right: &["15 %"],
    },
];

const ENGLISH_ROWS: &[Row] = &[
    Row {
        what: "objective response and its target (acme_printers.sla:19, :22)",
        left: &["Délai de prise en charge"],
        right: &["95%"],
    },
    Row {
        what: "case P1 and its deadline (acme_printers.sla:24)",
        left: &["P1"],
        right: &["1 h", "1h", "1 hour", "1 business hour"],
    },
    Row {
        what: "case P3 and its deadline (acme_printers.sla:26)",
        left: &["P3"],
        right: &["2 business days", "2 working days", "2 bd"],
    },
    Row {
        what: "case P2 and rural, and its deadline (acme_printers.sla:27)",
        left: &["rural"],
        right: &["8 h", "8h", "8 hours", "8 business hours"],
    },
    Row {
        what: "credit below 90% and its refund (acme_printers.sla:34)",
        left: &["90%"],
        right: &["15%"],
    },
];

/// More pages than this for one objective, five cases, two credits, an escalation, two
/// responsibilities and a clause is a layout gone wrong.
const MAX_PAGES: usize = 8;

#[test]
fn acme_printers_prints_in_french() {
    check_printed_agreement("fr", FRENCH_TERMS, FRENCH_ROWS);
}

#[test]
fn acme_printers_prints_in_english() {
    check_printed_agreement("en", ENGLISH_TERMS, ENGLISH_ROWS);
}

/// Builds the docs of the examples, prints `docs/<lang>/acme_printers.html`, and checks what a
/// reader finds in the PDF.
fn check_printed_agreement(lang: &str, terms: &[Term], rows: &[Row]) {
    let root = repository();
    let out = tempfile::tempdir().unwrap();
    let examples = root.join("examples");
    slac(
        &root,
        &[
            "build",
            examples.to_str().unwrap(),
            "--target",
            "docs",
            "--out",
            out.path().to_str().unwrap(),
        ],
    )
    .assert_code(0);

    let html = out
        .path()
        .join("docs")
        .join(lang)
        .join("acme_printers.html");
    assert!(
        html.is_file(),
        "slac build --target docs wrote no {}; it wrote:\n{}",
        html.display(),
        listing(&out.path().join("docs"))
    );
    check_printed_document(&html, lang, terms, rows, out.path());
}

/// Prints one contract document, into `scratch`, and checks what a reader finds in it.
fn check_printed_document(html: &Path, lang: &str, terms: &[Term], rows: &[Row], scratch: &Path) {
    assert_self_contained(html);
    let pdf = scratch.join(format!("acme_printers.{lang}.pdf"));
    print_to_pdf(html, &pdf);

    let pages = pdf_pages(&pdf);
    assert!(
        (1..=MAX_PAGES).contains(&pages),
        "{} prints on {pages} pages, expected 1 to {MAX_PAGES}",
        html.display()
    );
    assert!(
        pdf_is_a4(&pdf),
        "{} does not print on A4 (its print CSS should say `@page {{ size: A4 }}`)",
        html.display()
    );

    // Each term is in the HTML exactly as the language spells it (spaces included), and in the
    // PDF up to the spaces pdftotext may drop or add. A cell wrapped over two lines is whole in
    // the reading-order text, a line of a table in the layout text: either will do.
    let shown = html_text(&fs::read_to_string(html).unwrap());
    let layout = pdf_text(&pdf);
    let reading = pdf_text_reading_order(&pdf);
    let missing_in = |found: &dyn Fn(&str) -> bool| -> Vec<String> {
        COMMON_TERMS
            .iter()
            .chain(terms)
            .filter(|term| !term.any_of.iter().any(|spelling| found(spelling)))
            .map(|term| format!("  {:?} ({})", term.any_of, term.source))
            .collect()
    };
    let missing = missing_in(&|term| contains_exact(&shown, term));
    assert!(
        missing.is_empty(),
        "{} lacks terms a reader must find, spelled the {lang} way:\n{}\nits text:\n{}",
        html.display(),
        missing.join("\n"),
        tail(&shown)
    );
    let missing = missing_in(&|term| contains_term(&layout, term) || contains_term(&reading, term));
    assert!(
        missing.is_empty(),
        "the PDF printed from {} lacks terms that its HTML has:\n{}\npdftotext -layout read:\n{}",
        html.display(),
        missing.join("\n"),
        tail(&layout)
    );

    assert_percent_typography(lang, html, &shown);

    let page_texts: Vec<String> = pdf_page_texts(&pdf);
    assert_eq!(
        page_texts.len(),
        pages,
        "pdftotext and pdfinfo disagree on the pages"
    );
    let cut: Vec<&str> = rows
        .iter()
        .filter(|row| {
            !page_texts.iter().any(|page| {
                row.left.iter().any(|term| contains_term(page, term))
                    && row.right.iter().any(|term| contains_term(page, term))
            })
        })
        .map(|row| row.what)
        .collect();
    assert!(
        cut.is_empty(),
        "in the printed {}, no page holds both halves of: {}\n(a table row cut by a page \
         break?) pdftotext -layout read:\n{}",
        html.display(),
        cut.join("; "),
        tail(&layout)
    );
}

/// French puts a (no-break) space between a number and `%`, English does not: checked on the
/// text the HTML shows, since pdftotext does not keep narrow spaces.
fn assert_percent_typography(lang: &str, html: &Path, text: &str) {
    let text = normalize(text);
    let chars: Vec<char> = text.chars().collect();
    let wrong: Vec<String> = chars
        .iter()
        .enumerate()
        .filter(|&(at, &c)| c == '%' && at > 0)
        .filter(|&(at, _)| match lang {
            "fr" => chars[at - 1].is_ascii_digit(),
            _ => chars[at - 1] == ' ' && at > 1 && chars[at - 2].is_ascii_digit(),
        })
        .map(|(at, _)| chars[at.saturating_sub(20)..(at + 1)].iter().collect())
        .collect();
    assert!(
        wrong.is_empty(),
        "{} writes percentages the {} way: {wrong:?}",
        html.display(),
        if lang == "fr" { "English" } else { "French" }
    );
}

/// The document needs nothing but itself: no stylesheet, script, font or image fetched.
fn assert_self_contained(html: &Path) {
    let source = fs::read_to_string(html).unwrap().to_ascii_lowercase();
    for outside in [
        "<link rel=\"stylesheet\"",
        "<link rel=stylesheet",
        "@import",
        "src=\"http",
        "src=\"//",
        "url(http",
        "url(\"http",
        "url('http",
    ] {
        assert!(
            !source.contains(outside),
            "{} is not self-contained: it has `{outside}`",
            html.display()
        );
    }
}

/// Whether `text` holds `term` as a whole, spaces included: both normalized, and a term that
/// starts (ends) with a letter or digit is not glued to one before (after) it.
fn contains_exact(text: &str, term: &str) -> bool {
    let text = normalize(text);
    let term = normalize(term);
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let starts_alnum = alnum(term.chars().next());
    let ends_alnum = alnum(term.chars().next_back());
    text.match_indices(&term).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + term.len()..].chars().next();
        let glued_before = starts_alnum && alnum(before);
        let glued_after = ends_alnum && alnum(after);
        !(glued_before || glued_after)
    }) || term.is_empty()
}

/// The text an HTML page shows, roughly as a browser lays it out in one line: the head, styles
/// and scripts dropped, inline elements glued to their neighbours (`1<sup>er</sup>` is `1er`),
/// other elements separated by a space, entities decoded.
fn html_text(html: &str) -> String {
    const HIDDEN: &[&str] = &["head", "style", "script", "template"];
    const INLINE: &[&str] = &[
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark",
        "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
    ];
    // ASCII lowercase keeps every byte where it is: positions in one are positions in the other.
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(open) = html[at..].find('<').map(|open| at + open) {
        out.push_str(&decode_entities(&html[at..open]));
        if lower[open..].starts_with("<!--") {
            at = lower[open..]
                .find("-->")
                .map_or(html.len(), |end| open + end + 3);
            continue;
        }
        let name_start = open + 1 + usize::from(lower[open + 1..].starts_with('/'));
        let name: String = lower[name_start..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let mut end = lower[open..]
            .find('>')
            .map_or(html.len(), |end| open + end + 1);
        if HIDDEN.contains(&name.as_str()) && name_start == open + 1 {
            let close = format!("</{name}");
            end = lower[end..]
                .find(&close)
                .and_then(|close| {
                    lower[end + close..]
                        .find('>')
                        .map(|gt| end + close + gt + 1)
                })
                .unwrap_or(html.len());
        }
        if !INLINE.contains(&name.as_str()) {
            out.push(' ');
        }
        at = end;
    }
    out.push_str(&decode_entities(&html[at..]));
    normalize(&out)
}

/// `&nbsp;`, `&#8239;`, `&#x202F;`, `&lt;`… as the characters they stand for; an entity this
/// does not know stays as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let entity = rest
            .find(';')
            .filter(|semi| *semi <= 12)
            .map(|semi| &rest[1..semi]);
        let decoded = entity.and_then(|entity| {
            let numeric = |digits: &str, radix| u32::from_str_radix(digits, radix).ok();
            let code = if let Some(hex) = entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
            {
                numeric(hex, 16)
            } else if let Some(decimal) = entity.strip_prefix('#') {
                numeric(decimal, 10)
            } else {
                match entity {
                    "amp" => Some(0x26),
                    "lt" => Some(0x3c),
                    "gt" => Some(0x3e),
                    "quot" => Some(0x22),
                    "apos" => Some(0x27),
                    "nbsp" => Some(0xa0),
                    "thinsp" => Some(0x2009),
                    "ensp" => Some(0x2002),
                    "emsp" => Some(0x2003),
                    "ndash" => Some(0x2013),
                    "mdash" => Some(0x2014),
                    "rsquo" => Some(0x2019),
                    "lsquo" => Some(0x2018),
                    "laquo" => Some(0xab),
                    "raquo" => Some(0xbb),
                    "hellip" => Some(0x2026),
                    "euro" => Some(0x20ac),
                    "copy" => Some(0xa9),
                    "times" => Some(0xd7),
                    "minus" => Some(0x2212),
                    _ => None,
                }
            };
            code.and_then(char::from_u32).map(|c| (c, entity.len() + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every file under `dir`, for failure messages.
fn listing(dir: &Path) -> String {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(format!("  {}", path.display()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    if files.is_empty() {
        format!("  nothing under {}", dir.display())
    } else {
        files.join("\n")
    }
}
