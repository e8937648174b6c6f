//! Rendering the view models with minijinja: built-in templates, overridable one by one from a
//! folder; HTML auto-escaped, Markdown escaped so that user text cannot become markup.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, Output, State, Value};
use serde::Serialize;
use slac_escape::markdown;

use crate::typography::Lang;

/// The templates a document set is made from, with their built-in text.
pub const TEMPLATES: [(&str, &str); 6] = [
    ("agreement.md", include_str!("../templates/agreement.md")),
    (
        "agreement.html",
        include_str!("../templates/agreement.html"),
    ),
    ("catalogue.md", include_str!("../templates/catalogue.md")),
    (
        "catalogue.html",
        include_str!("../templates/catalogue.html"),
    ),
    ("index.html", include_str!("../templates/index.html")),
    ("style.css", include_str!("../templates/style.css")),
];

/// An error in a template: which file, which line, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The template's name (`agreement.md`).
    pub template: String,
    /// The overriding file it was read from; `None` for a built-in template.
    pub path: Option<PathBuf>,
    /// The template's text, for showing the line.
    pub source: String,
    /// 1-based.
    pub line: Option<usize>,
    /// The byte range of the offending text in the template, when known.
    pub range: Option<std::ops::Range<usize>>,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.path.as_ref().map_or_else(
            || format!("built-in {}", self.template),
            |p| p.display().to_string(),
        );
        match self.line {
            Some(line) => write!(f, "{file}:{line}: {}", self.message),
            None => write!(f, "{file}: {}", self.message),
        }
    }
}

/// `{{ text | blockquote }}` in Markdown: the text as [`markdown::paragraphs`], every line
/// quoted (`> `).
fn blockquote(text: String) -> Value {
    let quoted: Vec<String> = markdown::paragraphs(&text)
        .lines()
        .map(|line| {
            if line.is_empty() {
                ">".to_string()
            } else {
                format!("> {line}")
            }
        })
        .collect();
    Value::from_safe_string(quoted.join("\n"))
}

/// `{{ text | paragraphs }}` in Markdown: text of several lines as paragraphs of their own.
fn paragraphs(text: String) -> Value {
    Value::from_safe_string(markdown::paragraphs(&text))
}

/// `{{ id | code }}` in Markdown: a code span that holds the text whatever it is.
fn code(text: String) -> Value {
    Value::from_safe_string(markdown::code(&text))
}

/// Every value written into a Markdown template is escaped as a table cell
/// ([`markdown::cell`]): on one line, no markup, no `|` that could split a cell. The template
/// cannot say which of its values sit in a table, so all are escaped as if they did (a `\|`
/// outside a table renders as `|` all the same).
fn markdown_formatter(
    out: &mut Output,
    state: &mut State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "markdown") {
        if value.is_undefined() || value.is_none() {
            return Ok(());
        }
        let text = value.to_string();
        let text = if value.is_safe() {
            text
        } else {
            markdown::cell(&text)
        };
        return out
            .write_str(&text)
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()));
    }
    // Strings of the view model: HTML-escaped, control characters shown (slac-escape).
    if let (AutoEscape::Html, false, Some(text)) =
        (state.auto_escape(), value.is_safe(), value.as_str())
    {
        return out
            .write_str(&slac_escape::html::text(text))
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()));
    }
    minijinja::escape_formatter(out, state, value)
}

/// Whether `file` (in `folder`) is, once its links are followed, outside `folder` (itself
/// checked to be inside the workspace when slac.toml is read).
fn leaves(folder: &Path, file: &Path) -> bool {
    match (folder.canonicalize(), file.canonicalize()) {
        (Ok(folder), Ok(file)) => !file.starts_with(folder),
        _ => false,
    }
}

/// The templates, each from the override folder when it holds a file of that name.
pub struct Templates {
    env: Environment<'static>,
    /// Where each overridden template was read from.
    overridden: BTreeMap<String, (PathBuf, String)>,
}

impl Templates {
    /// Loads the built-in templates, replacing each one that `folder` has a file for. A file
    /// that cannot be read or does not parse is an error naming it.
    pub fn load(folder: Option<&Path>) -> Result<Templates, Box<TemplateError>> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else if name.ends_with(".md") {
                AutoEscape::Custom("markdown".into())
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(markdown_formatter);
        env.add_filter("blockquote", blockquote);
        env.add_filter("paragraphs", paragraphs);
        env.add_filter("code", code);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        // Block tags on their own lines leave no blank lines or indentation behind.
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        let mut overridden = BTreeMap::new();
        for (name, builtin) in TEMPLATES {
            let custom = folder.map(|f| f.join(name)).filter(|p| p.is_file());
            if let (Some(folder), Some(path)) = (folder, &custom) {
                if leaves(folder, path) {
                    return Err(Box::new(TemplateError {
                        template: name.to_string(),
                        path: Some(path.clone()),
                        source: String::new(),
                        line: None,
                        range: None,
                        message: "this template is a link to a file outside the templates folder: templates are read from the workspace only".into(),
                    }));
                }
            }
            let (text, path) = match custom {
                Some(path) => match std::fs::read_to_string(&path) {
                    Ok(text) => (text, Some(path)),
                    Err(error) => {
                        return Err(Box::new(TemplateError {
                            template: name.to_string(),
                            path: Some(path),
                            source: String::new(),
                            line: None,
                            range: None,
                            message: format!("cannot read the template: {error}"),
                        }))
                    }
                },
                None => (builtin.to_string(), None),
            };
            if let Some(path) = &path {
                overridden.insert(name.to_string(), (path.clone(), text.clone()));
            }
            if let Err(error) = env.add_template_owned(name, text.clone()) {
                return Err(Box::new(TemplateError {
                    template: name.to_string(),
                    path,
                    source: text,
                    line: error.line(),
                    range: error.range(),
                    message: error_message(&error),
                }));
            }
        }
        Ok(Templates { env, overridden })
    }

    /// Renders template `name` with `context`.
    pub fn render(
        &self,
        name: &str,
        context: impl Serialize,
    ) -> Result<String, Box<TemplateError>> {
        let result = self
            .env
            .get_template(name)
            .and_then(|template| template.render(Value::from(minijinja::value::Serde(context))));
        result.map_err(|error| {
            // The error names the template where it happened (an included one, say).
            let at = error.name().unwrap_or(name).to_string();
            let (path, source) = match self.overridden.get(&at) {
                Some((path, text)) => (Some(path.clone()), text.clone()),
                None => (
                    None,
                    TEMPLATES
                        .iter()
                        .find(|(n, _)| *n == at)
                        .map(|(_, text)| text.to_string())
                        .unwrap_or_default(),
                ),
            };
            Box::new(TemplateError {
                template: at,
                path,
                source,
                line: error.line(),
                range: error.range(),
                message: error_message(&error),
            })
        })
    }
}

/// The error's own words, without minijinja's location suffix (the diagnostic shows that).
fn error_message(error: &minijinja::Error) -> String {
    let mut message = error.kind().to_string();
    if let Some(detail) = error.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    message
}

/// The words of the document that do not depend on values: headings and labels, by key.
pub fn labels(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    let pairs: &[(&str, &str, &str)] = &[
        ("version", "Version", "Version"),
        ("version_inline", "version", "version"),
        ("effective", "Période d'application", "Effective"),
        ("parties", "Parties", "Parties"),
        ("provider", "Prestataire", "Provider"),
        ("customer", "Client", "Customer"),
        ("contacts", "Contacts", "Contacts"),
        ("services", "Services couverts", "Services covered"),
        ("service", "Service", "Service"),
        ("description", "Description", "Description"),
        ("owner", "Responsable", "Owner"),
        ("price", "Prix", "Price"),
        ("covered_by", "Couvert par", "Covered by"),
        ("fee", "Redevance", "Fee"),
        ("objectives", "Objectifs de service", "Service objectives"),
        ("objective", "Objectif", "Objective"),
        ("measure", "Indicateur", "Indicator"),
        ("commitment", "Engagement", "Commitment"),
        ("case", "Cas", "Case"),
        ("deadline", "Délai", "Deadline"),
        ("default_case", "Tout autre ticket", "Any other ticket"),
        ("budget", "Marge d'erreur", "Error budget"),
        ("calendar", "Horaires", "Hours"),
        (
            "indicator_owner",
            "Responsable de l'indicateur",
            "Indicator owner",
        ),
        ("underpinned_by", "Appuyé sur", "Underpinned by"),
        ("supports", "Appuie", "Underpins"),
        ("escalation", "Escalade", "Escalation"),
        ("hours", "Heures de service", "Service hours"),
        ("timezone", "Fuseau horaire", "Time zone"),
        ("open", "Ouverture", "Open"),
        ("closed", "Fermetures", "Closures"),
        ("holidays", "Jours fériés", "Public holidays"),
        ("date", "Date", "Date"),
        ("holiday", "Jour férié", "Holiday"),
        (
            "escalations",
            "Procédures d'escalade",
            "Escalation procedures",
        ),
        ("level", "Niveau", "Level"),
        ("when", "Quand", "When"),
        ("who", "Qui est prévenu", "Who is told"),
        ("applies_to", "S'applique à", "Applies to"),
        ("credits", "Pénalités (avoirs)", "Service credits"),
        ("cap", "Plafond", "Cap"),
        ("responsibilities", "Responsabilités", "Responsibilities"),
        ("provider_duties", "Le prestataire", "The provider"),
        ("customer_duties", "Le client", "The customer"),
        ("clauses", "Clauses", "Clauses"),
        ("review", "Revue de service", "Service review"),
        ("inherited", "hérité", "inherited"),
        (
            "inherits_from",
            "Cet accord reprend les termes de",
            "This agreement takes the terms of",
        ),
        ("inherited_terms", "Termes hérités", "Inherited terms"),
        ("inherited_mark", "(hérité)", "(inherited)"),
        (
            "footer",
            "Document généré par slac à partir de la source de l'accord",
            "Document generated by slac from the agreement's source",
        ),
        ("fingerprint", "Empreinte SHA-256", "SHA-256 fingerprint"),
        ("catalogue", "Catalogue des services", "Service catalogue"),
        ("documents", "Documents contractuels", "Contract documents"),
        ("language", "Français", "English"),
        (
            "no_services",
            "Aucun service n'est déclaré.",
            "No service is declared.",
        ),
        ("none", "aucun", "none"),
        ("colon", "\u{a0}:", ":"),
        ("lquote", "«\u{a0}", "“"),
        ("rquote", "\u{a0}»", "”"),
    ];
    pairs
        .iter()
        .map(|(key, fr, en)| (*key, if lang == Lang::Fr { *fr } else { *en }))
        .collect()
}
