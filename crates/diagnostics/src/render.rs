//! The bridge to miette: a [`Diagnostic`] with its source text, ready for any miette handler.

use std::fmt;

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceSpan, SpanContents};
use slac_source::SourceMap;

use crate::{Diagnostic, Label, Severity};

/// Lines of context kept around the labels of a snippet: more than any handler of slac asks for.
const CONTEXT_LINES: u32 = 8;

/// The part of a file that a diagnostic shows: whole lines around its labels, and where they sit
/// in the file. miette finds a span's lines by reading its source from the start, so a source of
/// the whole file made each diagnostic cost the length of the file (and a copy of it): thousands
/// of diagnostics on a large file took minutes. An excerpt costs the lines it shows.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// The byte offset of `text` in the file, and the zero-based line it starts on.
    offset: usize,
    line: usize,
}

impl Excerpt {
    /// The lines of `file` that `labels` (all in that file) touch, with context.
    fn new(sources: &SourceMap, file: slac_source::FileId, labels: &[&Label]) -> Self {
        let Some(file) = sources.get(file) else {
            return Excerpt {
                name: "<unknown>".into(),
                text: String::new(),
                offset: 0,
                line: 0,
            };
        };
        let index = file.line_index();
        let first = labels
            .iter()
            .map(|l| index.line_of(l.span.start))
            .min()
            .unwrap_or(0)
            .saturating_sub(CONTEXT_LINES);
        let last = labels
            .iter()
            .map(|l| index.line_of(l.span.end))
            .max()
            .unwrap_or(0)
            .saturating_add(CONTEXT_LINES + 1);
        let text = file.text();
        let start = index.line_start(first).map_or(0, |s| s as usize);
        let end = index.line_start(last).map_or(text.len(), |e| e as usize);
        Excerpt {
            name: file.path().display().to_string(),
            text: text.get(start..end).unwrap_or_default().to_string(),
            offset: start,
            line: first as usize,
        }
    }
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span
            .offset()
            .checked_sub(self.offset)
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new(start.into(), span.len());
        let contents =
            self.text
                .as_bytes()
                .read_span(&local, context_lines_before, context_lines_after)?;
        // Back to the file's offsets and lines (miette's line count runs from the start of its
        // source, so it is shifted too).
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + self.offset).into(),
                contents.span().len(),
            ),
            contents.line() + self.line,
            contents.column(),
            contents.line_count() + self.line,
        )))
    }
}

/// A [`Diagnostic`] bound to its source so that miette can render snippets. Labels in another
/// file than the primary span become related diagnostics with their own snippet.
#[derive(Debug)]
pub struct MietteDiagnostic {
    code: &'static str,
    message: String,
    severity: miette::Severity,
    source: Excerpt,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<MietteDiagnostic>,
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
                    source: Excerpt::new(sources, label.file, &[label]),
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
            source: Excerpt::new(
                sources,
                diagnostic.primary.file,
                &std::iter::once(&diagnostic.primary)
                    .chain(&diagnostic.labels)
                    .filter(|l| l.file == diagnostic.primary.file)
                    .collect::<Vec<_>>(),
            ),
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
