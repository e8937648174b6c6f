//! The bridge to miette: a [`Diagnostic`] with its source text, ready for any miette handler.

use std::fmt;

use miette::{LabeledSpan, NamedSource, SourceSpan};
use slac_source::SourceMap;

use crate::{Diagnostic, Label, Severity};

/// A [`Diagnostic`] bound to its source so that miette can render snippets. Labels in another
/// file than the primary span become related diagnostics with their own snippet.
#[derive(Debug)]
pub struct MietteDiagnostic {
    code: &'static str,
    message: String,
    severity: miette::Severity,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<MietteDiagnostic>,
}

fn named_source(sources: &SourceMap, label: &Label) -> NamedSource<String> {
    match sources.get(label.file) {
        Some(file) => NamedSource::new(file.path().display().to_string(), file.text().to_string()),
        None => NamedSource::new("<unknown>", String::new()),
    }
}

fn labeled(label: &Label, primary: bool) -> LabeledSpan {
    let span = SourceSpan::new(
        (label.span.start as usize).into(),
        label.span.len() as usize,
    );
    if primary {
        LabeledSpan::new_primary_with_span(label.message.clone(), span)
    } else {
        LabeledSpan::new_with_span(label.message.clone(), span)
    }
}

impl MietteDiagnostic {
    pub fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> Self {
        let mut labels = vec![labeled(&diagnostic.primary, true)];
        let mut related = Vec::new();
        for label in &diagnostic.labels {
            if label.file == diagnostic.primary.file {
                labels.push(labeled(label, false));
            } else {
                related.push(MietteDiagnostic {
                    code: diagnostic.code.as_str(),
                    message: label.message.clone().unwrap_or_else(|| "related".into()),
                    severity: miette::Severity::Advice,
                    source: named_source(sources, label),
                    labels: vec![labeled(label, true)],
                    help: None,
                    related: Vec::new(),
                });
            }
        }
        MietteDiagnostic {
            code: diagnostic.code.as_str(),
            message: diagnostic.message.clone(),
            severity: match diagnostic.severity() {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            source: named_source(sources, &diagnostic.primary),
            labels,
            help: diagnostic.help.clone(),
            related,
        }
    }
}

impl fmt::Display for MietteDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteDiagnostic {}

impl miette::Diagnostic for MietteDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}
