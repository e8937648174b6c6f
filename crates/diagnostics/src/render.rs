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
///
/// The excerpt is shown on a terminal, so its control characters are written as their escapes
/// (`\u{1b}`, see [`slac_escape::terminal`]): `text` is that shown text, longer than the file's
/// where it had any, and miette is given spans into it ([`Excerpt::shown`]), so that the
/// underlines sit under the escapes as they are drawn. Lines are kept (a line feed, and a
/// carriage return before one, stay as they are), so line numbers are the file's.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// The byte offset of `text` in the file, and the zero-based line it starts on.
    offset: usize,
    line: usize,
    /// Where the shown text grows: for each escaped character, the offset just past it in the
    /// file's text (from `offset`) and how many bytes longer the shown text is from there on.
    growth: Vec<(usize, usize)>,
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
                growth: Vec::new(),
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
        let (text, growth) = shown(text.get(start..end).unwrap_or_default());
        Excerpt {
            name: slac_escape::terminal::escape(&file.path().display().to_string()).into_owned(),
            text,
            offset: start,
            line: first as usize,
            growth,
        }
    }

    /// A span of the file (in `file`'s byte offsets) as a span of the shown text, in the same
    /// coordinates: the file's offset of the excerpt, plus the offset in the shown text.
    fn shown(&self, span: SourceSpan) -> SourceSpan {
        let at = |offset: usize| match offset.checked_sub(self.offset) {
            Some(local) => {
                let before = self.growth.partition_point(|(past, _)| *past <= local);
                let grown = before.checked_sub(1).map_or(0, |i| self.growth[i].1);
                offset + grown
            }
            None => offset,
        };
        let start = at(span.offset());
        let end = at(span.offset() + span.len());
        SourceSpan::new(start.into(), end.saturating_sub(start))
    }
}

/// `text` as a terminal shows it (control characters escaped, line breaks kept), and where it
/// grew (see [`Excerpt::growth`]).
fn shown(text: &str) -> (String, Vec<(usize, usize)>) {
    use slac_escape::terminal;
    let mut out = String::with_capacity(text.len());
    let mut growth = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let line_end = c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n');
        if line_end || !terminal::is_escaped(c) {
            out.push(c);
            continue;
        }
        terminal::push(&mut out, c);
        let past = at + c.len_utf8();
        growth.push((past, out.len() - past));
    }
    (out, growth)
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
        // miette gives the column of a span read without context (the one it prints in the
        // header, `file:line:column`) in bytes of the shown line: the file's column is that,
        // less what the escapes before it on the line added.
        let column = if context_lines_before == 0 {
            let grown_at = |shown: usize| {
                let before = self
                    .growth
                    .partition_point(|(past, grown)| past + grown <= shown);
                before.checked_sub(1).map_or(0, |i| self.growth[i].1)
            };
            let line_start = start.saturating_sub(contents.column());
            contents
                .column()
                .saturating_sub(grown_at(start) - grown_at(line_start))
        } else {
            contents.column()
        };
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
            column,
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

/// `label` for miette: its span into the shown excerpt, its message escaped for the terminal.
fn labeled(label: &Label, primary: bool, excerpt: &Excerpt) -> LabeledSpan {
    let span = excerpt.shown(SourceSpan::new(
        (label.span.start as usize).into(),
        label.span.len() as usize,
    ));
    let message = label.message.as_deref().map(shown_text);
    if primary {
        LabeledSpan::new_primary_with_span(message, span)
    } else {
        LabeledSpan::new_with_span(message, span)
    }
}

/// Text of a diagnostic (a message, a label, a help) as a terminal shows it.
fn shown_text(text: &str) -> String {
    slac_escape::terminal::escape(text).into_owned()
}

impl MietteDiagnostic {
    /// The diagnostic as a terminal shows it: its message, labels, help and source lines with
    /// their control characters escaped (`\u{1b}`), the labels placed on the escaped lines.
    pub fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> Self {
        let source = Excerpt::new(
            sources,
            diagnostic.primary.file,
            &std::iter::once(&diagnostic.primary)
                .chain(&diagnostic.labels)
                .filter(|l| l.file == diagnostic.primary.file)
                .collect::<Vec<_>>(),
        );
        let mut labels = vec![labeled(&diagnostic.primary, true, &source)];
        let mut related = Vec::new();
        for label in &diagnostic.labels {
            if label.file == diagnostic.primary.file {
                labels.push(labeled(label, false, &source));
            } else {
                let source = Excerpt::new(sources, label.file, &[label]);
                related.push(MietteDiagnostic {
                    code: diagnostic.code.as_str(),
                    message: shown_text(label.message.as_deref().unwrap_or("related")),
                    severity: miette::Severity::Advice,
                    labels: vec![labeled(label, true, &source)],
                    source,
                    help: None,
                    related: Vec::new(),
                });
            }
        }
        MietteDiagnostic {
            code: diagnostic.code.as_str(),
            message: shown_text(&diagnostic.message),
            severity: match diagnostic.severity() {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            source,
            labels,
            help: diagnostic.help.as_deref().map(shown_text),
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

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn the_shown_excerpt_escapes_controls_and_keeps_its_lines() {
        let (text, growth) = shown("a\u{1b}[2Jb\r\nc\rd\n\u{202e}e");
        assert_eq!(text, "a\\u{1b}[2Jb\r\nc\\u{d}d\n\\u{202e}e");
        // Past the ESC (byte 1 of the text) the shown text is 5 bytes longer; past the lone
        // `\r`, 9; past U+202E (3 bytes, shown in 8), 14.
        assert_eq!(growth, vec![(2, 5), (10, 9), (15, 14)]);
    }
}
