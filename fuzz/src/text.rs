//! The properties of the text targets: `check` and `fmt`.

use std::path::Path;

use chrono::NaiveDate;
use miette::{GraphicalReportHandler, GraphicalTheme};
use slac_diagnostics::{JsonDiagnostic, MietteDiagnostic};
use slac_model::{Config, Options, Workspace};
use slac_source::FileId;

/// A root that does not exist, so that an `import` never reads a file of the machine.
const ROOT: &str = "/nonexistent/slac-fuzz";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
}

/// Checks `text` as the one file `fuzz.sla` of a workspace.
fn check_text(text: &str) -> Workspace {
    let file = (Path::new(ROOT).join("fuzz.sla"), text.to_owned());
    slac_model::check_files(
        Path::new(ROOT),
        Config::default(),
        &[file],
        &Options { today: today() },
    )
}

/// Text from bytes: invalid UTF-8 becomes U+FFFD (the loader reports such a file as E001 before
/// parsing it, so the fuzzer's time is better spent on text).
fn text_of(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Every diagnostic lies inside its file at character boundaries, and renders as `slac check`
/// renders it, for people and as JSON.
fn render_all(workspace: &Workspace) {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    for diagnostic in &workspace.diagnostics {
        let file = workspace.sources.file(diagnostic.primary.file);
        let span = diagnostic.primary.span;
        let text = file.text();
        assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "{diagnostic:?} lies outside its file of {} bytes",
            text.len()
        );
        assert!(
            text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize),
            "{diagnostic:?} cuts a character"
        );
        // Long lines are printed compactly by the CLI, never as a miette snippet.
        if text.len() < 64 * 1024 {
            let mut out = String::new();
            handler
                .render_report(
                    &mut out,
                    &MietteDiagnostic::new(diagnostic, &workspace.sources),
                )
                .expect("a diagnostic renders");
        }
        let json = JsonDiagnostic::new(diagnostic, &workspace.sources);
        assert!(json.line >= 1 && json.column >= 1, "{json:?}");
        assert!(
            (json.end_line, json.end_column) >= (json.line, json.column),
            "{json:?}"
        );
        serde_json::to_string(&json).expect("a diagnostic serializes");
    }
}

/// Parses, checks and renders `data` as one file; builds every target when it has no errors.
pub fn check(data: &[u8]) {
    let text = text_of(data);
    let parse = slac_syntax::parse(FileId::new(0), &text);
    for error in &parse.errors {
        let span = error.primary.span;
        assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "{error:?}"
        );
    }
    let workspace = check_text(&text);
    render_all(&workspace);
    #[cfg(feature = "build")]
    if !workspace.has_errors() {
        use slac_compile::{BuildOptions, Target};
        let options = BuildOptions {
            today: today(),
            config: Config::default(),
            root: Path::new(ROOT).to_path_buf(),
        };
        let build = slac_compile::build(&workspace.model, &Target::ALL, &options);
        assert!(
            build.template_error.is_none(),
            "the built-in templates render every valid model: {:?}",
            build.template_error
        );
    }
}

/// The comments of a file, as written, without trailing whitespace (which `fmt` removes).
fn comments(tree: &slac_syntax::SyntaxTree, text: &str) -> Vec<String> {
    tree.comments
        .iter()
        .map(|c| text.get(c.span.range()).unwrap_or("").trim_end().to_owned())
        .collect()
}

/// The codes of the diagnostics, sorted: positions move when a file is formatted, codes do not.
fn codes(workspace: &Workspace) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = workspace
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    codes.sort_unstable();
    codes
}

/// A file that parses formats; its format parses, means the same (model, diagnostics, comments)
/// and formats to itself. A file that does not parse is refused.
pub fn format_round_trip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parse = slac_syntax::parse(FileId::new(0), text);
    let formatted = match slac_fmt::format(text) {
        Ok(formatted) => formatted,
        Err(_) => {
            assert!(parse.has_errors(), "a file that parses is formatted");
            return;
        }
    };
    assert!(
        !parse.has_errors(),
        "a file with syntax errors is never formatted"
    );
    let again = slac_syntax::parse(FileId::new(0), &formatted);
    assert!(
        !again.has_errors(),
        "the formatted text parses: {:?}\n{formatted}",
        again.errors
    );
    assert_eq!(
        comments(&again.tree, &formatted),
        comments(&parse.tree, text),
        "fmt keeps every comment, in order:\n{formatted}"
    );
    assert_eq!(
        slac_fmt::format(&formatted).ok().as_deref(),
        Some(formatted.as_str()),
        "formatting twice changes nothing"
    );
    let before = check_text(text);
    let after = check_text(&formatted);
    assert_eq!(
        codes(&after),
        codes(&before),
        "fmt changes no diagnostic:\n{formatted}"
    );
    assert_eq!(
        serde_json::to_value(&after.model).ok(),
        serde_json::to_value(&before.model).ok(),
        "fmt changes what the file means:\n{formatted}"
    );
}
