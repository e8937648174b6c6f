#![allow(clippy::unwrap_used)]
//! The contract documents of `slac build --target docs`, read the way their readers read them:
//! the Markdown of the bundled examples as a whole (snapshots in `tests/snapshots/`), the set of
//! files and the index that links them, the terms a contract manager looks for (with French
//! typography: no-break spaces before `%` and `:` and between a number and its unit, narrow
//! no-break spaces between thousands), the fingerprint that identifies an agreement whatever its
//! layout, text that must never become markup, overriding templates and their errors, and
//! output that is the same bytes from one build to the next.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use support::slac;

/// No-break space: between a number and its unit, before `%` and `:` in French.
const NBSP: &str = "\u{a0}";
/// Narrow no-break space: the French thousands separator.
const NNBSP: &str = "\u{202f}";

/// Writes `~` as a no-break space and `^` as a narrow no-break space, so that expected French
/// text stays readable here.
fn nb(text: &str) -> String {
    text.replace('~', NBSP).replace('^', NNBSP)
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// A workspace of the given files in a temporary folder.
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
    }
    dir
}

/// Runs `slac build <ws> --target docs --out <out>` in `ws`; returns the run.
fn build_docs(ws: &Path, out: &Path) -> support::Run {
    slac(
        ws,
        &[
            "build",
            ws.to_str().unwrap(),
            "--target",
            "docs",
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

/// Builds the documents of the examples into a fresh folder, which it returns.
fn build_examples() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    build_docs(&examples(), out.path()).assert_code(0);
    out
}

/// Every file below `dir`, by path relative to it (with `/`), with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .components()
                    .map(|c| c.as_os_str().to_str().unwrap())
                    .collect::<Vec<_>>()
                    .join("/");
                files.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The section of a Markdown document under the level-2 heading `heading`, up to the next one.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let start = md
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("no section `## {heading}` in:\n{md}"));
    let rest = &md[start + 1..];
    match rest[3..].find("\n## ") {
        Some(end) => &rest[..end + 3],
        None => rest,
    }
}

/// Asserts that `text` contains `needle`, showing both when it does not.
#[track_caller]
fn assert_has(text: &str, needle: &str) {
    assert!(
        text.contains(needle),
        "expected to find\n  {needle:?}\nin:\n{text}"
    );
}

/// The fingerprint in the footer of a Markdown document, checked to be 64 hex digits.
#[track_caller]
fn md_fingerprint(md: &str) -> String {
    let line = md
        .lines()
        .find(|line| line.starts_with("Empreinte SHA-256") || line.starts_with("SHA-256"))
        .unwrap_or_else(|| panic!("no fingerprint line in:\n{md}"));
    let value = line
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no `fingerprint` in {line:?}"));
    assert_eq!(value.len(), 64, "{line:?}");
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{line:?}"
    );
    value.to_string()
}

/// Every `href="…"` of an HTML page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .collect()
}

/// The Markdown of `dir` reads well in a diff: no trailing spaces or tabs, no runs of three
/// blank lines, a final newline.
fn assert_markdown_is_tidy(dir: &Path) {
    let mut seen = 0;
    for (name, bytes) in files(dir) {
        if !name.ends_with(".md") {
            continue;
        }
        seen += 1;
        let text = String::from_utf8(bytes).unwrap();
        for (index, line) in text.lines().enumerate() {
            assert!(
                !line.ends_with([' ', '\t', '\u{a0}']),
                "{name}:{}: trailing blanks in {line:?}",
                index + 1
            );
        }
        assert!(
            !text.contains("\n\n\n\n"),
            "{name}: three blank lines in a row:\n{text}"
        );
        assert!(text.ends_with('\n'), "{name}: no final newline");
    }
    assert!(seen > 0, "no Markdown below {}", dir.display());
}

// ─── The examples, as a reader sees them ────────────────────────────────────

#[test]
fn the_examples_read_as_contract_documents() {
    let out = build_examples();
    let docs = out.path().join("docs");
    for (lang, name) in [
        ("fr", "acme_printers"),
        ("en", "acme_printers"),
        ("fr", "acme_manufacturing_printers"),
        ("en", "acme_portal_api"),
        ("fr", "network_ola"),
        ("fr", "catalogue"),
    ] {
        let md = read(&docs.join(lang).join(format!("{name}.md")));
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("docs_{lang}_{name}_md"), md);
        });
    }
}

/// The agreements of a workspace, by id, with their `language` (followed through `extends`),
/// read from the sources the way the tests need: `agreement ID {` at the start of a line, and
/// its `extends` and `language` lines.
fn agreements(dir: &Path) -> BTreeMap<String, Option<String>> {
    let mut own: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    for (name, bytes) in files(dir) {
        if !name.ends_with(".sla") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let mut current: Option<String> = None;
        for line in text.lines() {
            let code = line.split("//").next().unwrap().trim_end();
            if let Some(rest) = code.strip_prefix("agreement ") {
                let id = rest.trim_end_matches('{').trim().to_string();
                own.insert(id.clone(), (None, None));
                current = Some(id);
            } else if code == "}" {
                current = None;
            } else if let Some(id) = &current {
                let mut words = code.split_whitespace();
                let entry = own.get_mut(id).unwrap();
                match (words.next(), words.next()) {
                    (Some("extends"), Some(parent)) => entry.0 = Some(parent.to_string()),
                    (Some("language"), Some(lang)) => entry.1 = Some(lang.to_string()),
                    _ => {}
                }
            }
        }
    }
    own.keys()
        .map(|id| {
            let mut at = id.clone();
            let language = loop {
                let (parent, language) = &own[&at];
                match (language, parent) {
                    (Some(language), _) => break Some(language.clone()),
                    (None, Some(parent)) if own.contains_key(parent) => at = parent.clone(),
                    _ => break None,
                }
            };
            (id.clone(), language)
        })
        .collect()
}

/// `[docs] languages` of a `slac.toml`, read line by line.
fn configured_languages(toml: &str) -> Vec<String> {
    let line = toml
        .lines()
        .find(|line| line.trim_start().starts_with("languages"))
        .expect("`languages` in slac.toml");
    line.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn every_agreement_has_a_document_per_language_and_the_index_links_them_all() {
    let out = build_examples();
    let docs = out.path().join("docs");
    let languages = configured_languages(&read(&examples().join("slac.toml")));
    assert_eq!(languages, ["fr", "en"], "the examples' `[docs] languages`");
    let agreements = agreements(&examples());
    assert!(agreements.len() >= 10, "{agreements:?}");
    assert_eq!(
        agreements["acme_manufacturing_printers"].as_deref(),
        Some("fr"),
        "the language is inherited through `extends`"
    );

    let mut expected = BTreeSet::from(["index.html".to_string()]);
    for (id, own) in &agreements {
        let mut langs: BTreeSet<&str> = languages.iter().map(String::as_str).collect();
        langs.extend(own.as_deref());
        for lang in langs {
            for ext in ["md", "html"] {
                expected.insert(format!("{lang}/{id}.{ext}"));
            }
        }
    }
    for lang in &languages {
        for ext in ["md", "html"] {
            expected.insert(format!("{lang}/catalogue.{ext}"));
        }
    }
    let written: BTreeSet<String> = files(&docs).into_keys().collect();
    assert_eq!(written, expected);
    assert_eq!(
        files(out.path())
            .into_keys()
            .filter(|name| !name.starts_with("docs/"))
            .collect::<Vec<_>>(),
        [".slac-manifest"],
        "`--target docs` writes only `docs/` (and the manifest of the files written)"
    );

    let index = read(&docs.join("index.html"));
    let links: BTreeSet<String> = hrefs(&index).into_iter().collect();
    for name in &expected {
        if name != "index.html" {
            assert!(links.contains(name), "the index does not link {name}");
        }
    }
    for href in &links {
        assert!(
            !href.contains("://") && !href.starts_with('/'),
            "the index links outside the documents: {href}"
        );
        assert!(
            docs.join(href).is_file(),
            "the index links {href}, which is missing"
        );
    }
}

#[test]
fn an_agreement_in_another_language_gets_a_document_in_its_own_language_too() {
    let ws = workspace(&[
        ("slac.toml", "[docs]\nlanguages = [\"fr\"]\n"),
        (
            "a.sla",
            &TEMPLATE_AGREEMENT.replace("  kind customer\n", "  kind customer\n  language en\n"),
        ),
    ]);
    let out = tempfile::tempdir().unwrap();
    build_docs(ws.path(), out.path()).assert_code(0);
    let docs = out.path().join("docs");
    for name in [
        "fr/tpl.md",
        "fr/tpl.html",
        "en/tpl.md",
        "en/tpl.html",
        "fr/catalogue.md",
        "fr/catalogue.html",
    ] {
        assert!(docs.join(name).is_file(), "{name} is missing");
    }
    assert_has(
        &read(&docs.join("en/tpl.md")),
        "Service-level agreement (SLA)",
    );
    assert_has(
        &read(&docs.join("fr/tpl.md")),
        "Contrat de niveau de service (SLA)",
    );
    for href in hrefs(&read(&docs.join("index.html"))) {
        assert!(
            docs.join(&href).is_file(),
            "the index links {href}, which is missing"
        );
    }
}

// ─── The terms a reader looks for ───────────────────────────────────────────

#[test]
fn the_french_document_states_every_term_in_french_typography() {
    let out = build_examples();
    let md = read(&out.path().join("docs/fr/acme_printers.md"));
    let html = read(&out.path().join("docs/fr/acme_printers.html"));

    // Both formats state the same terms, with the same characters.
    for doc in [&md, &html] {
        assert_has(doc, "Support des imprimantes — Acme");
        assert_has(doc, &nb("du 1er~janvier 2026 au 31~décembre 2027"));
        assert_has(
            doc,
            &nb("95~% des tickets du mois sont pris en charge en 1~heure ouvrée pour la priorité P1"),
        );
        assert_has(doc, &nb("1^200~EUR par mois"));
        assert_has(doc, &nb("5~% des tickets du mois peuvent manquer"));
        assert_has(doc, "Lundi de Pâques");
        assert_has(doc, &nb("plafonnés à 30~% de sa redevance"));
        assert_has(doc, "Keep spare toner for two weeks on site.");
        assert_has(doc, "Résiliation");
        assert_has(doc, "Revue trimestrielle avec Marie Dupont");
        assert_has(doc, "version 2.1.0");
    }

    // The objective, its cases and its owner.
    let objectives = section(&md, "Objectifs de service");
    assert_has(objectives, "### Délai de prise en charge\n");
    assert_has(objectives, &nb("| la priorité P1 | 1~heure ouvrée |"));
    assert_has(objectives, &nb("| la priorité P3 | 2~jours ouvrés |"));
    assert_has(objectives, &nb("| Tout autre ticket | 3~jours ouvrés |"));
    assert_has(
        objectives,
        &nb(
            "**Responsable de l'indicateur**~: manager (Service Desk, it-manager@\u{2060}provider.example)",
        ),
    );
    // The OLA that underpins it.
    assert_has(
        objectives,
        &nb("OLA «~Network team OLA~», On-site dispatch~: 98~%"),
    );

    // Holidays computed for each year of the period, Easter-based ones included.
    let hours = section(&md, "Heures de service");
    assert_has(hours, &nb("**Jours fériés 2026**~:"));
    assert_has(hours, &nb("| 1er~janvier 2026 | Jour de l'an |"));
    assert_has(hours, &nb("| 6~avril 2026 | Lundi de Pâques |"));
    assert_has(hours, &nb("| 14~mai 2026 | Ascension |"));
    assert_has(hours, &nb("**Jours fériés 2027**~:"));
    assert_has(hours, &nb("| 29~mars 2027 | Lundi de Pâques |"));
    assert_has(hours, &nb("| 17~mai 2027 | Lundi de Pentecôte |"));
    assert_has(
        hours,
        &nb("| 24~décembre 2026 | Veille de Noël (fermé à partir de 12~h) |"),
    );
    assert_has(hours, &nb("- du lundi au vendredi, de 8~h à 17~h"));
    assert_has(
        hours,
        &nb("- du 10~août 2026 au 21~août 2026 (Fermeture estivale)"),
    );
    assert_has(
        &html,
        &nb("<tr><td>6~avril 2026</td><td>Lundi de Pâques</td></tr>"),
    );
    assert_has(
        &html,
        &nb("<tr><td>29~mars 2027</td><td>Lundi de Pâques</td></tr>"),
    );

    // Escalation: who is told, with their e-mail address.
    let escalation = section(&md, "Procédures d'escalade");
    assert_has(
        escalation,
        &nb("| 1 | dès que 50~% du délai accordé est écoulé | oncall (Service Desk, oncall@\u{2060}provider.example) |"),
    );
    assert_has(
        escalation,
        "Marie Dupont (account manager, Acme Industries SA, marie.dupont@\u{2060}acme.example)",
    );
    assert_has(&html, "marie.dupont@acme.example");

    // Credit tiers and their cap.
    let credits = section(&md, "Pénalités (avoirs)");
    assert_has(
        credits,
        &nb(
            "- «~Délai de prise en charge~» sous 95~%~: avoir de 5~% de la redevance de la période",
        ),
    );
    assert_has(
        credits,
        &nb("- «~Délai de prise en charge~» sous 90~%~: avoir de 15~% de la redevance de la période"),
    );
    assert_has(
        credits,
        &nb("Les avoirs d'une période sont plafonnés à 30~% de sa redevance."),
    );

    // Responsibilities of each side, the clause, the review.
    let duties = section(&md, "Responsabilités");
    assert_has(
        duties,
        "### Le prestataire\n\n- Keep spare toner for two weeks on site.\n",
    );
    assert_has(
        duties,
        "### Le client\n\n- Report incidents through the portal with the printer's asset tag.\n",
    );
    assert_has(
        section(&md, "Clauses"),
        "### Résiliation\n\nEither party may end this agreement with three months' notice.\n",
    );
    assert_has(
        section(&md, "Revue de service"),
        "Revue trimestrielle avec Marie Dupont (account manager, Acme Industries SA, marie.dupont@\u{2060}acme.example) et manager (Service Desk, it-manager@\u{2060}provider.example).",
    );

    // The footer: source, version, fingerprint, the same in both formats.
    assert_has(
        &md,
        "Document généré par slac à partir de la source de l'accord `acme_printers`, version 2.1.0.",
    );
    let fingerprint = md_fingerprint(&md);
    assert_has(&html, &format!("<code>{fingerprint}</code>"));

    // No French figure is left with an ordinary space before `%` or `:`.
    for line in md.lines() {
        assert!(
            !line.contains(" %"),
            "a breakable space before `%`: {line:?}"
        );
        assert!(
            !line.contains("** :"),
            "a breakable space before `:`: {line:?}"
        );
    }
}

#[test]
fn the_english_document_states_the_error_budget_as_time() {
    let out = build_examples();
    let md = read(&out.path().join("docs/en/acme_portal_api.md"));
    let html = read(&out.path().join("docs/en/acme_portal_api.html"));
    for doc in [&md, &html] {
        // 0.1% of 30 days is 2,592 s.
        assert_has(
            doc,
            &nb("43~min 12~s over a rolling 30~days, that is 0.1% of requests"),
        );
        assert_has(
            doc,
            &nb("At least 99.9% of requests over a rolling 30~days are served without error."),
        );
        assert_has(doc, &nb("EUR~3,500 per month"));
        assert_has(doc, &nb("from 1~February 2026, with no end date"));
        assert_has(doc, "The credits of a period are capped at 40% of its fee.");
    }
    assert_has(
        &md,
        &nb("- **Error budget**: 3~h 21~min 36~s over a rolling 4~weeks"),
    );
    assert_has(&md, "| 1 | when 50% of the error budget is used | oncall (Platform Engineering, platform-oncall@\u{2060}provider.example) |");
    assert!(
        !md.contains(NNBSP),
        "no French thousands separator in English"
    );
    md_fingerprint(&md);
}

#[test]
fn an_agreement_that_extends_another_marks_what_it_inherits() {
    let out = build_examples();
    let md = read(&out.path().join("docs/fr/acme_manufacturing_printers.md"));
    assert_has(
        &md,
        &nb("Cet accord reprend les termes de «~SLA Division Production — Acme~» (`acme_manufacturing_sla`)."),
    );
    assert_has(&md, "la procédure d'escalade");
    assert_has(&md, "### Confidentialité (hérité)\n");
    assert_has(&md, "### Sites ruraux\n");
    assert!(
        !md.contains("### Sites ruraux (hérité)"),
        "its own clause is not inherited"
    );
    assert_has(
        section(&md, "Responsabilités"),
        "- Keep two weeks of toner and a spare fuser unit at each plant.\n",
    );
    assert_has(section(&md, "Responsabilités"), ". (hérité)\n");
    let html = read(&out.path().join("docs/fr/acme_manufacturing_printers.html"));
    assert_has(
        &html,
        "Confidentialité <span class=\"inherited\">(hérité)</span>",
    );
}

#[test]
fn an_ola_names_the_objective_it_underpins() {
    let out = build_examples();
    let md = read(&out.path().join("docs/fr/network_ola.md"));
    assert_has(&md, "Accord de niveau opérationnel (OLA)");
    assert_has(
        &md,
        &nb("Appuie~:\n\n- «~Délai de prise en charge~» de «~Support des imprimantes — Acme~»\n"),
    );
    assert_has(
        &md,
        &nb("- du lundi au vendredi, de 22~h à 6~h le lendemain"),
    );
    assert_has(&md, &nb("Revue toutes les 2~semaines"));
}

// ─── The fingerprint ────────────────────────────────────────────────────────

const FINGERPRINTED: &str = r#"party prov {
  name "Provider"
}

party cust {
  name "Customer"
}

agreement api {
  title "API"
  kind customer
  version 1.0.0
  effective 2026-01-01 to 2026-12-31
  provider prov
  customer cust

  objective availability {
    title "Availability"
    sli ratio {
      errors """sum(rate(http_requests_total{code=~"5.."}[$window]))"""
      total """sum(rate(http_requests_total[$window]))"""
    }
    target 99.5%
    window 30d
  }

  responsibility provider "Keep the lights on."
  clause "Term" """
    One year.
  """
}
"#;

/// The same agreement, laid out differently: blank lines, comments, spacing.
const REFORMATTED: &str = r#"// The parties.
party prov {

  name    "Provider"   // the provider
}
party cust { // the customer
  name "Customer"
}



// The agreement, with its layout changed and nothing else.
agreement api {
  title   "API"

  kind customer // customer | internal | operational | underpinning
  version 1.0.0


  effective 2026-01-01 to 2026-12-31
  provider prov
  customer cust
  objective availability {
    title "Availability"
    sli ratio {
      errors  """sum(rate(http_requests_total{code=~"5.."}[$window]))"""
      total   """sum(rate(http_requests_total[$window]))"""
    }

    target  99.5%   // a month of errors: 3 h 36 min
    window  30d
  }
  responsibility provider "Keep the lights on."   // ours

  clause "Term" """
    One year.
  """
}
"#;

/// The fingerprint of agreement `api` in a workspace holding `source`, after checking that
/// its four documents agree on it.
fn fingerprint_of(source: &str) -> String {
    let ws = workspace(&[
        ("slac.toml", "[docs]\nlanguages = [\"fr\", \"en\"]\n"),
        ("api.sla", source),
    ]);
    let out = tempfile::tempdir().unwrap();
    build_docs(ws.path(), out.path()).assert_code(0);
    let docs = out.path().join("docs");
    let fingerprint = md_fingerprint(&read(&docs.join("fr/api.md")));
    assert_eq!(fingerprint, md_fingerprint(&read(&docs.join("en/api.md"))));
    for lang in ["fr", "en"] {
        assert_has(
            &read(&docs.join(lang).join("api.html")),
            &format!("<code>{fingerprint}</code>"),
        );
    }
    fingerprint
}

#[test]
fn the_fingerprint_ignores_layout_and_changes_with_the_terms() {
    let original = fingerprint_of(FINGERPRINTED);
    assert_eq!(
        original,
        fingerprint_of(REFORMATTED),
        "reformatting the source changed the fingerprint"
    );
    let stricter = FINGERPRINTED.replace("target 99.5%", "target 99.9%");
    assert_ne!(
        original,
        fingerprint_of(&stricter),
        "a new target kept the fingerprint"
    );
    let clause = FINGERPRINTED.replace("One year.", "Two years.");
    assert_ne!(
        original,
        fingerprint_of(&clause),
        "a new clause kept the fingerprint"
    );
}

// ─── Text that must not become markup ───────────────────────────────────────

const HOSTILE: &str = r#"party prov {
  name "Provider"
}

party cust {
  name "Customer"
}

agreement hostile {
  title "<script>alert(1)</script> & \"Co\""
  kind customer
  version 1.0.0
  effective 2026-01-01 to 2026-12-31
  provider prov
  customer cust

  objective response {
    title "Response"
    sli response_time
    target 95%
    window month
    within 1h for priority = P1
    within 4h
  }

  clause "Gras" """
    Du <b>bold</b> texte, *pas d'emphase* et [pas de lien](http://example.com).
  """
}
"#;

#[test]
fn user_text_is_escaped_in_html_and_markdown() {
    let ws = workspace(&[
        ("slac.toml", "[docs]\nlanguages = [\"fr\", \"en\"]\n"),
        ("hostile.sla", HOSTILE),
    ]);
    let out = tempfile::tempdir().unwrap();
    build_docs(ws.path(), out.path()).assert_code(0);
    let docs = out.path().join("docs");
    for lang in ["fr", "en"] {
        let html = read(&docs.join(lang).join("hostile.html"));
        assert_has(&html, "&lt;script&gt;alert(1)&lt;");
        assert_has(&html, "&amp; &quot;Co&quot;");
        assert!(
            !html.to_lowercase().contains("<script"),
            "a script tag:\n{html}"
        );
        assert!(!html.contains("<b>"), "a raw <b>:\n{html}");
        assert_has(&html, "Du &lt;b&gt;bold&lt;");

        let md = read(&docs.join(lang).join("hostile.md"));
        assert!(
            md.starts_with("# \\<script>alert(1)\\</script> & \"Co\"\n"),
            "{md}"
        );
        let markup = support::markdown::markup(&md);
        for kind in ["html", "emphasis", "link"] {
            assert!(!markup.nodes.contains_key(kind), "{kind} in:\n{md}");
        }
        assert_has(
            &md,
            "Du \\<b>bold\\</b> texte, \\*pas d'emphase\\* et \\[pas de lien](http:\u{2060}//example.com).",
        );
        assert_has(
            &markup.text,
            "Du <b>bold</b> texte, *pas d'emphase* et [pas de lien](http://example.com).",
        );
    }
    let index = read(&docs.join("index.html"));
    assert!(!index.contains("<script"), "a script tag:\n{index}");
    assert_has(&index, "&lt;script&gt;");
    assert_markdown_is_tidy(out.path());
}

/// Builds the Markdown document of [`support::markdown::contract`] with `text` everywhere.
fn contract_markdown(text: &str) -> String {
    let ws = workspace(&[
        ("slac.toml", "[docs]\nlanguages = [\"en\"]\n"),
        ("hostile.sla", &support::markdown::contract(text, false)),
    ]);
    let out = tempfile::tempdir().unwrap();
    build_docs(ws.path(), out.path()).assert_code(0);
    read(&out.path().join("docs/en/hostile.md"))
}

#[test]
fn markdown_in_titles_names_contacts_and_holidays_stays_text() {
    use support::markdown::{assert_same_markup, HARMLESS, HOSTILE};
    let hostile = contract_markdown(HOSTILE);
    let harmless = contract_markdown(HARMLESS);
    assert_same_markup(&hostile, &harmless);
    // Where each string is: a heading, a list item, a table cell.
    for line in [
        "# !\\[x](http:\u{2060}//t/p.png) \\[click](http:\u{2060}//evil) \\<img src=x> \
         @\u{2060}octocat \\~\\~no\\~\\~ \\_em\\_ https:\u{2060}//evil.example a \\| b",
        "2026 | !\\[x](http:\u{2060}//t/p.png)",
    ] {
        assert!(hostile.contains(line), "no {line:?} in:\n{hostile}");
    }
}

#[test]
fn html_documents_are_self_contained_accessible_and_printable() {
    let out = build_examples();
    let docs = out.path().join("docs");
    for (name, bytes) in files(&docs) {
        if !name.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>\n"), "{name}");
        assert!(!html.contains("<link"), "{name}: an external resource");
        assert!(!html.contains("src=\"http"), "{name}: an external resource");
        assert!(!html.contains("<script"), "{name}: a script");
        assert!(!html.contains("@import"), "{name}: an external style sheet");
        assert_has(&html, "<meta charset=\"utf-8\">");
        assert_has(&html, "@page { size: A4;");
        if let Some(lang) = name.strip_suffix(".html").and_then(|n| n.split('/').next()) {
            if lang == "fr" || lang == "en" {
                assert!(
                    html.contains(&format!("<html lang=\"{lang}\">")),
                    "{name}: not marked as `{lang}`"
                );
            }
        }
        if html.contains("<table>") {
            assert!(
                html.contains("<th scope=\"col\">"),
                "{name}: a table without column headers"
            );
            assert!(
                !html.contains("<th>"),
                "{name}: a header cell without a scope"
            );
        }
    }
    let fr = read(&docs.join("fr/acme_printers.html"));
    assert_has(
        &fr,
        "<thead><tr><th scope=\"col\">Cas</th><th scope=\"col\">Délai</th></tr></thead>",
    );
    let en = read(&docs.join("en/acme_printers.html"));
    assert_has(&en, "<th scope=\"col\">Case</th>");
}

// ─── Overriding templates ───────────────────────────────────────────────────

const TEMPLATE_AGREEMENT: &str = r#"party prov {
  name "Provider"
}

party cust {
  name "Customer"
}

agreement tpl {
  title "Titre"
  kind customer
  version 1.2.3
  effective 2026-01-01 to 2026-12-31
  provider prov
  customer cust

  objective response {
    title "Response"
    sli response_time
    target 95%
    window month
    within 4h
  }
}
"#;

fn template_workspace(agreement_md: &str) -> tempfile::TempDir {
    workspace(&[
        (
            "slac.toml",
            "[docs]\nlanguages = [\"fr\"]\ntemplates = \"templates\"\n",
        ),
        ("tpl.sla", TEMPLATE_AGREEMENT),
        ("templates/agreement.md", agreement_md),
    ])
}

#[test]
fn an_overriding_template_replaces_only_its_own_document() {
    let ws = template_workspace("{{ doc.title }} / {{ doc.version }}\n");
    let out = tempfile::tempdir().unwrap();
    build_docs(ws.path(), out.path()).assert_code(0);
    let docs = out.path().join("docs");
    assert_eq!(read(&docs.join("fr/tpl.md")), "Titre / 1.2.3\n");
    let html = read(&docs.join("fr/tpl.html"));
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"),
        "{html}"
    );
    assert_has(&html, "<h1>Titre</h1>");
    assert_has(&html, "@page { size: A4;");
    assert_has(
        &read(&docs.join("fr/catalogue.md")),
        "# Catalogue des services",
    );
}

/// A build with a good template, then with `broken`: the second fails with E013 on `line` of
/// the template and leaves the first one's output as it was.
fn assert_template_error(broken: &str, line: usize, words: &str) {
    let ws = template_workspace("{{ doc.title }}\n");
    let out = tempfile::tempdir().unwrap();
    build_docs(ws.path(), out.path()).assert_code(0);
    let before = files(out.path());
    assert!(before.contains_key("docs/fr/tpl.md"));

    fs::write(ws.path().join("templates/agreement.md"), broken).unwrap();
    let run = build_docs(ws.path(), out.path());
    run.assert_code(1);
    assert_has(&run.stderr, "E013");
    assert_has(&run.stderr, "agreement.md");
    assert_has(&run.stderr, words);
    let place = format!(
        "{}:{line}:",
        ws.path().join("templates").join("agreement.md").display()
    );
    assert_has(&run.stderr, &place);
    assert_has(&run.stderr, "nothing was written");
    assert_eq!(
        before,
        files(out.path()),
        "a failed build changed the previous output"
    );
}

#[test]
fn a_template_syntax_error_is_e013_on_its_line_and_writes_nothing() {
    assert_template_error(
        "# {{ doc.title }}\n\n{% for x in %}\n- {{ x }}\n{% endfor %}\n",
        3,
        "syntax error",
    );
}

#[test]
fn an_unclosed_template_tag_is_e013_and_writes_nothing() {
    assert_template_error("{{ doc.title\n", 1, "syntax error");
}

#[test]
fn an_unknown_variable_in_a_template_is_e013_on_its_line() {
    assert_template_error("# {{ doc.title }}\n{{ doc.nope }}\n", 2, "doc.nope");
}

// ─── Determinism and configuration ──────────────────────────────────────────

#[test]
fn two_builds_write_the_same_bytes() {
    let first = build_examples();
    let second = build_examples();
    let (first, second) = (files(first.path()), files(second.path()));
    assert!(first.len() > 10, "{:?}", first.keys());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(second[name] == *bytes, "{name} differs between two builds");
    }
}

#[test]
fn the_markdown_reads_well_in_a_diff() {
    let out = build_examples();
    assert_markdown_is_tidy(out.path());
}

#[test]
fn an_unknown_language_is_an_error_that_names_it() {
    let ws = workspace(&[
        ("slac.toml", "[docs]\nlanguages = [\"fr\"]\n"),
        ("tpl.sla", TEMPLATE_AGREEMENT),
    ]);
    let out = tempfile::tempdir().unwrap();
    build_docs(ws.path(), out.path()).assert_code(0);
    let before = files(out.path());

    fs::write(
        ws.path().join("slac.toml"),
        "[docs]\nlanguages = [\"de\"]\n",
    )
    .unwrap();
    let run = build_docs(ws.path(), out.path());
    run.assert_code(1);
    assert_has(&run.stderr, "`de`");
    assert_has(&run.stderr, "[docs] languages");
    assert_eq!(
        before,
        files(out.path()),
        "a failed build changed the output"
    );
}
