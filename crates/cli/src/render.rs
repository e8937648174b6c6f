//! Diagnostics on the terminal (miette) or as JSON lines.

use std::io::{IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};
use slac_diagnostics::{Diagnostic, JsonDiagnostic, MietteDiagnostic};
use slac_source::SourceMap;

/// Colours only on a terminal, and never when `NO_COLOR` is set.
pub fn use_colour(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Renders diagnostics for people on stderr.
pub fn human(diagnostics: &[Diagnostic], sources: &SourceMap) {
    let colour = use_colour(std::io::stderr().is_terminal());
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = MietteDiagnostic::new(diagnostic, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", diagnostic.code, diagnostic.message));
        }
        out.push('\n');
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// Writes one JSON object per diagnostic per line on stdout.
pub fn json(diagnostics: &[Diagnostic], sources: &SourceMap) {
    let mut stdout = std::io::stdout().lock();
    for diagnostic in diagnostics {
        let record = JsonDiagnostic::new(diagnostic, sources);
        if let Ok(line) = serde_json::to_string(&record) {
            let _ = writeln!(stdout, "{line}");
        }
    }
}
