//! The contract documents of `slac build --target docs`: each agreement, and the service
//! catalogue, as Markdown and self-contained HTML, in French and English, rendered with
//! minijinja from a view model that states every term in words ([`view`]), with the number,
//! date and duration conventions of each language ([`typography`]).
//!
//! Output, relative to the output folder: `docs/<lang>/<agreement>.md` and `.html` for each
//! agreement, in its own `language` and in every configured language; `docs/<lang>/catalogue.md`
//! and `.html` for each of those languages; `docs/index.html`, which links them all.

pub mod render;
pub mod typography;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use slac_model::model::Language;
use slac_model::Model;

pub use render::TemplateError;
pub use typography::Lang;

/// One generated document, its path relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub path: PathBuf,
    pub contents: String,
}

/// Why the documents could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocsError {
    /// `[docs] languages` names a language slac does not write.
    UnknownLanguage(String),
    Template(Box<TemplateError>),
}

impl std::fmt::Display for DocsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocsError::UnknownLanguage(code) => write!(
                f,
                "slac.toml: `[docs] languages` names `{code}`: the documents are written in `fr` and `en`"
            ),
            DocsError::Template(error) => error.fmt(f),
        }
    }
}

fn lang_of(language: Language) -> Lang {
    match language {
        Language::Fr => Lang::Fr,
        Language::En => Lang::En,
    }
}

/// One agreement in one language: its index entry, its Markdown and its HTML.
type Rendered = (Lang, IndexEntry, Document, Document);

#[derive(Serialize)]
struct IndexEntry {
    id: String,
    title: String,
    kind: String,
    version: String,
}

#[derive(Serialize)]
struct IndexLanguage {
    code: &'static str,
    t: BTreeMap<&'static str, &'static str>,
    agreements: Vec<IndexEntry>,
}

/// Renders every document of the workspace. `languages` are the codes of `[docs] languages`;
/// `templates` the folder of overriding templates, if any.
pub fn build(
    model: &Model,
    languages: &[String],
    templates: Option<&Path>,
) -> Result<Vec<Document>, DocsError> {
    let mut configured = BTreeSet::new();
    for code in languages {
        configured
            .insert(Lang::from_code(code).ok_or_else(|| DocsError::UnknownLanguage(code.clone()))?);
    }
    let templates = render::Templates::load(templates).map_err(DocsError::Template)?;

    let index = view::Index::new(model);
    // Each agreement's documents are independent: they are rendered in parallel, and collected
    // in agreement order, so the output does not depend on scheduling.
    let agreements: Vec<_> = model.agreements.values().collect();
    let rendered: Vec<Result<Vec<Rendered>, DocsError>> = agreements
        .par_iter()
        .map(|agreement| {
            let mut langs = configured.clone();
            if let Some(language) = agreement.language {
                langs.insert(lang_of(language));
            }
            let mut out = Vec::new();
            for lang in langs {
                let doc = view::agreement_doc(&index, lang, agreement);
                let t = render::labels(lang);
                let folder = PathBuf::from("docs").join(lang.code());
                let mut pair = Vec::new();
                for format in ["md", "html"] {
                    let contents = templates
                        .render(
                            &format!("agreement.{format}"),
                            serde_json::json!({ "doc": &doc, "t": &t }),
                        )
                        .map_err(DocsError::Template)?;
                    pair.push(Document {
                        path: folder.join(format!("{}.{format}", agreement.id)),
                        contents,
                    });
                }
                let html = pair.pop();
                let md = pair.pop();
                if let (Some(md), Some(html)) = (md, html) {
                    let entry = IndexEntry {
                        id: doc.id,
                        title: doc.title,
                        kind: doc.kind,
                        version: doc.version,
                    };
                    out.push((lang, entry, md, html));
                }
            }
            Ok(out)
        })
        .collect();
    let mut by_lang: BTreeMap<Lang, Vec<IndexEntry>> =
        configured.iter().map(|&lang| (lang, Vec::new())).collect();
    let mut documents = Vec::new();
    for result in rendered {
        for (lang, entry, md, html) in result? {
            by_lang.entry(lang).or_default().push(entry);
            documents.push(md);
            documents.push(html);
        }
    }
    for &lang in by_lang.keys() {
        let catalogue = view::catalogue_doc(model, lang);
        let t = render::labels(lang);
        for format in ["md", "html"] {
            let contents = templates
                .render(
                    &format!("catalogue.{format}"),
                    serde_json::json!({ "catalogue": &catalogue, "t": &t }),
                )
                .map_err(DocsError::Template)?;
            documents.push(Document {
                path: PathBuf::from("docs")
                    .join(lang.code())
                    .join(format!("catalogue.{format}")),
                contents,
            });
        }
    }
    let index: Vec<IndexLanguage> = by_lang
        .into_iter()
        .map(|(lang, agreements)| IndexLanguage {
            code: lang.code(),
            t: render::labels(lang),
            agreements,
        })
        .collect();
    let contents = templates
        .render("index.html", serde_json::json!({ "languages": &index }))
        .map_err(DocsError::Template)?;
    documents.push(Document {
        path: PathBuf::from("docs").join("index.html"),
        contents,
    });
    Ok(documents)
}
