//! The one diagnostic model of slac.
//!
//! A [`Diagnostic`] is plain data in byte spans. The CLI renders it with miette ([`render`]) or as
//! JSON ([`JsonDiagnostic`]); the language server converts the same value to LSP. Nothing here
//! writes to a terminal.

mod code;
mod json;
mod render;
mod suggest;

pub use code::{Code, Severity};
pub use json::{JsonDiagnostic, JsonLabel};
pub use render::MietteDiagnostic;
pub use suggest::did_you_mean;

use slac_source::{FileId, Span};

/// A place in a file with an optional message ("first declared here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: Option<String>,
}

impl Label {
    pub fn new(file: FileId, span: Span, message: impl Into<String>) -> Self {
        Label {
            file,
            span,
            message: Some(message.into()),
        }
    }

    pub fn bare(file: FileId, span: Span) -> Self {
        Label {
            file,
            span,
            message: None,
        }
    }
}

/// A machine-applicable fix: replace the text under `span` of `file` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub file: FileId,
    pub span: Span,
    pub replacement: String,
    pub title: String,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    /// Where the problem is; its message, if any, is shown under the offending text.
    pub primary: Label,
    /// Related places, possibly in other files.
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// A fix an editor may apply ("did you mean …").
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(code: Code, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            primary: Label::bare(file, span),
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// Sets the message shown under the primary span.
    pub fn with_primary_message(mut self, message: impl Into<String>) -> Self {
        self.primary.message = Some(message.into());
        self
    }

    pub fn with_label(mut self, label: Label) -> Self {
        self.labels.push(label);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds "did you mean `x`?" as help and as an editor fix replacing the primary span.
    pub fn with_suggestion(mut self, replacement: &str) -> Self {
        self.help = Some(format!("did you mean `{replacement}`?"));
        self.fix = Some(Fix {
            file: self.primary.file,
            span: self.primary.span,
            replacement: replacement.to_string(),
            title: format!("Replace with `{replacement}`"),
        });
        self
    }
}

/// Orders diagnostics for output: by file, then position, then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.primary.file, a.primary.span.start, a.code).cmp(&(
            b.primary.file,
            b.primary.span.start,
            b.code,
        ))
    });
}
