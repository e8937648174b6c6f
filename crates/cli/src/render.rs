//! Diagnostics on the terminal (miette) or as JSON lines.

use std::io::{IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme};
use slac_diagnostics::{Diagnostic, JsonDiagnostic, Label, MietteDiagnostic};
use slac_source::{PositionEncoding, SourceMap};

/// Source lines longer than this are not shown as snippets: miette cannot lay out columns past
/// 65,535, and a snippet of a generated one-line file would flood the terminal.
const MAX_SNIPPET_LINE: usize = 400;

/// Colours as `--color` and `NO_COLOR` say (see [`crate::ui::colour`]).
pub fn use_colour(stream_is_terminal: bool) -> bool {
    crate::ui::colour(stream_is_terminal)
}

/// Renders diagnostics for people on stderr (errors only with `--quiet`).
pub fn human(diagnostics: &[Diagnostic], sources: &SourceMap) {
    let colour = use_colour(std::io::stderr().is_terminal());
    let quiet = crate::ui::quiet();
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for diagnostic in diagnostics {
        if quiet && diagnostic.severity() != slac_diagnostics::Severity::Error {
            continue;
        }
        let labels = std::iter::once(&diagnostic.primary).chain(&diagnostic.labels);
        if labels.clone().all(|label| short_lines(label, sources)) {
            let report = MietteDiagnostic::new(diagnostic, sources);
            if handler.render_report(&mut out, &report).is_ok() {
                out.push('\n');
                continue;
            }
        }
        compact(&mut out, diagnostic, sources);
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// Whether every line a label touches is short enough to show.
fn short_lines(label: &Label, sources: &SourceMap) -> bool {
    let Some(file) = sources.get(label.file) else {
        return true;
    };
    let index = file.line_index();
    let (first, last) = (
        index.line_of(label.span.start),
        index.line_of(label.span.end),
    );
    (first..=last).all(|line| {
        let start = index.line_start(line).unwrap_or(0) as usize;
        let end = index
            .line_start(line + 1)
            .map_or(file.text().len(), |e| e as usize);
        end - start <= MAX_SNIPPET_LINE
    })
}

/// `code: message` with `file:line:column` of each place, for what a snippet cannot show.
fn compact(out: &mut String, diagnostic: &Diagnostic, sources: &SourceMap) {
    let place = |label: &Label| match sources.get(label.file) {
        Some(file) => {
            let at =
                file.line_index()
                    .line_col(file.text(), label.span.start, PositionEncoding::Chars);
            format!("{}:{}:{}", file.path().display(), at.line + 1, at.col + 1)
        }
        None => String::from("<unknown>"),
    };
    let severity = diagnostic.severity().as_str();
    let start = out.len();
    out.push_str(&format!(
        "{severity}[{}]: {}\n  --> {}",
        diagnostic.code,
        diagnostic.message,
        place(&diagnostic.primary)
    ));
    if let Some(message) = &diagnostic.primary.message {
        out.push_str(&format!(" ({message})"));
    }
    out.push('\n');
    for label in &diagnostic.labels {
        let message = label.message.as_deref().unwrap_or("related");
        out.push_str(&format!("  --> {} ({message})\n", place(label)));
    }
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!("  help: {help}\n"));
    }
    out.push('\n');
    // No colours here: the whole text is shown escaped, messages, paths and all.
    let shown = crate::ui::shown(&out[start..]).into_owned();
    out.truncate(start);
    out.push_str(&shown);
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

/// An error in a contract-document template, as an E013 diagnostic on the template's line.
pub fn template_error(error: &slac_docs::TemplateError) {
    let mut sources = SourceMap::new();
    let path = error.path.clone().unwrap_or_else(|| {
        std::path::PathBuf::from(format!("<built-in template {}>", error.template))
    });
    let file = sources.add(path, error.source.as_str());
    let span = match (&error.range, error.line) {
        (Some(range), _) if range.end <= error.source.len() => {
            slac_source::Span::from_range(range.clone())
        }
        (_, Some(line)) => {
            let start: usize = error
                .source
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum();
            let end = error.source[start.min(error.source.len())..]
                .find('\n')
                .map_or(error.source.len(), |n| start + n);
            slac_source::Span::from_range(start.min(end)..end)
        }
        _ => slac_source::Span::new(0, 0),
    };
    let diagnostic = Diagnostic::new(
        slac_diagnostics::Code::E013,
        file,
        span,
        format!("template `{}`: {}", error.template, error.message),
    )
    .with_help("fix the template, or remove it from `[docs] templates` to use the built-in one");
    human(&[diagnostic], &sources);
}
