//! What every diagnostic must allow, whatever the input: to lie inside its file on character
//! boundaries, to be written as JSON with positions that start at 1 and do not run backwards,
//! and to be rendered for people as `slac check` renders it.

use miette::{GraphicalReportHandler, GraphicalTheme};
use slac_diagnostics::{JsonDiagnostic, MietteDiagnostic};
use slac_model::Workspace;

/// `slac check` prints diagnostics on lines longer than this compactly, never as a snippet.
const MAX_SNIPPET_LINE: usize = 400;
/// Snippets of bigger files are left out here only to keep debug-build tests quick.
const MAX_RENDERED_FILE: usize = 64 * 1024;

/// Checks and renders every diagnostic of `workspace`; `context` names the input in failures.
pub fn render_every_diagnostic(workspace: &Workspace, context: &str) {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    for diagnostic in &workspace.diagnostics {
        let text = workspace.sources.file(diagnostic.primary.file).text();
        let span = diagnostic.primary.span;
        let (start, end) = (span.start as usize, span.end as usize);
        assert!(
            start <= end && end <= text.len(),
            "{context}: {diagnostic:?} lies outside its file"
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{context}: {diagnostic:?} cuts a character"
        );
        let json = JsonDiagnostic::new(diagnostic, &workspace.sources);
        assert!(json.line >= 1 && json.column >= 1, "{context}: {json:?}");
        assert!(
            (json.end_line, json.end_column) >= (json.line, json.column),
            "{context}: {json:?}"
        );
        serde_json::to_string(&json).expect("a diagnostic serializes");
        if text.len() <= MAX_RENDERED_FILE && text.lines().all(|l| l.len() <= MAX_SNIPPET_LINE) {
            let mut out = String::new();
            handler
                .render_report(
                    &mut out,
                    &MietteDiagnostic::new(diagnostic, &workspace.sources),
                )
                .unwrap_or_else(|e| panic!("{context}: {diagnostic:?} does not render: {e}"));
        }
    }
}
