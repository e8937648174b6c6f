use serde::Serialize;
use slac_source::{FileId, PositionEncoding, SourceMap, Span};

use crate::{Diagnostic, Label};

/// A diagnostic as `slac check --format json` prints it: 1-based lines and columns, columns
/// counted in characters.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub labels: Vec<JsonLabel>,
    pub help: Option<String>,
}

/// A related place of a [`JsonDiagnostic`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonLabel {
    pub message: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

struct Place {
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

fn place(sources: &SourceMap, file: FileId, span: Span) -> Place {
    let Some(source) = sources.get(file) else {
        return Place {
            file: String::new(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        };
    };
    let index = source.line_index();
    let start = index.line_col(source.text(), span.start, PositionEncoding::Chars);
    let end = index.line_col(source.text(), span.end, PositionEncoding::Chars);
    Place {
        file: source.path().display().to_string(),
        line: start.line + 1,
        column: start.col + 1,
        end_line: end.line + 1,
        end_column: end.col + 1,
    }
}

impl JsonDiagnostic {
    pub fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> Self {
        let at = place(sources, diagnostic.primary.file, diagnostic.primary.span);
        JsonDiagnostic {
            code: diagnostic.code.as_str(),
            severity: diagnostic.severity().as_str(),
            message: diagnostic.message.clone(),
            file: at.file,
            line: at.line,
            column: at.column,
            end_line: at.end_line,
            end_column: at.end_column,
            labels: diagnostic
                .labels
                .iter()
                .map(|label| JsonLabel::new(label, sources))
                .collect(),
            help: diagnostic.help.clone(),
        }
    }
}

impl JsonLabel {
    fn new(label: &Label, sources: &SourceMap) -> Self {
        let at = place(sources, label.file, label.span);
        JsonLabel {
            message: label.message.clone(),
            file: at.file,
            line: at.line,
            column: at.column,
            end_line: at.end_line,
            end_column: at.end_column,
        }
    }
}
