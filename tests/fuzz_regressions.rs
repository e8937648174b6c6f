//! Every input a fuzz target ever failed on, replayed by the ordinary test suite.
//!
//! The fixtures live in `tests/fixtures/fuzz/<target>/`, one file per input, named after what
//! went wrong (docs/fuzzing.md says how a crash becomes one):
//!
//! - `check/`: any bytes, as the one file of a workspace. Parsing, checking, rendering every
//!   diagnostic and building every target (when the file has no errors) must not panic, every
//!   diagnostic lies inside the text, and the real `slac check` (as JSON and for people) and
//!   `slac fmt --check` end with status 0, 1 or 2 within their deadline;
//! - `fmt/`: a file that parses formats to text that parses, means the same (model, diagnostics,
//!   comments) and formats to itself;
//! - `calendar/`: a calendar `fuzzed` (and its holidays) in `.sla`, with the queries of the
//!   scenario as comment lines at the top; the engine's answers keep the invariants that the
//!   `calendar` fuzz target asserts, from the very same code (`fuzz/src/invariants.rs`).
//!
//! A fixture `NAME` may have a `NAME.codes` beside it: the diagnostic codes that checking it must
//! report (one per line), for inputs whose fix was a new diagnostic. A few fixtures were written
//! by hand, as seeds and as cases of the limits (their first line says so).

mod support;

#[path = "../fuzz/src/invariants.rs"]
mod invariants;

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use slac_calendar::BusinessCalendar;
use slac_compile::{BuildOptions, Target};
use slac_model::{Config, Options, Workspace};
use slac_source::FileId;
use support::{slac_with, DEADLINE};

/// A root that does not exist, as in the fuzz targets: an `import` never reads the disk.
const ROOT: &str = "/nonexistent/slac-fuzz";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date")
}

fn fixtures(target: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "codes" && e != "md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn check_text(text: &str) -> Workspace {
    slac_model::check_files(
        Path::new(ROOT),
        Config::default(),
        &[(Path::new(ROOT).join("fuzz.sla"), text.to_owned())],
        &Options { today: today() },
    )
}

/// The codes a fixture must report, from `NAME.codes` beside it.
fn expected_codes(path: &Path) -> Vec<String> {
    let mut codes = path.as_os_str().to_owned();
    codes.push(".codes");
    fs::read_to_string(PathBuf::from(codes))
        .map(|text| text.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn assert_reports(path: &Path, workspace: &Workspace) {
    for code in expected_codes(path) {
        assert!(
            workspace
                .diagnostics
                .iter()
                .any(|d| d.code.as_str() == code),
            "{}: expected {code}, got {:?}",
            name(path),
            workspace.diagnostics
        );
    }
}

#[test]
fn check_fixtures_never_crash() {
    let files = fixtures("check");
    assert!(!files.is_empty(), "the check fixtures are there");
    for path in &files {
        let bytes = fs::read(path).expect("a fixture is readable");
        let text = String::from_utf8_lossy(&bytes);
        let workspace = check_text(&text);
        support::diagnostics::render_every_diagnostic(&workspace, &name(path));
        assert_reports(path, &workspace);
        if !workspace.has_errors() {
            let build = slac_compile::build(
                &workspace.model,
                &Target::ALL,
                &BuildOptions {
                    today: today(),
                    config: Config::default(),
                    root: PathBuf::from(ROOT),
                },
            );
            assert!(build.template_error.is_none(), "{}", name(path));
        }

        // The real binary, on the file as it is.
        let dir = tempfile::tempdir().expect("a temporary folder");
        fs::write(dir.path().join("input.sla"), &bytes).expect("the input is written");
        for args in [
            &["check", "--format", "json", "input.sla"][..],
            &["check", "input.sla"][..],
            &["fmt", "--check", "input.sla"][..],
        ] {
            let run = slac_with(dir.path(), args, &[], DEADLINE);
            assert!(
                [0, 1, 2].contains(&run.code()) && !run.stderr.contains("panicked"),
                "{}: `{}` crashed:\n{}",
                name(path),
                run.command,
                support::tail(&run.stderr)
            );
        }
    }
}

#[test]
fn fmt_fixtures_round_trip() {
    let files = fixtures("fmt");
    assert!(!files.is_empty(), "the fmt fixtures are there");
    for path in files {
        let text = fs::read_to_string(&path).expect("an fmt fixture is UTF-8");
        let parse = slac_syntax::parse(FileId::new(0), &text);
        let formatted = match slac_fmt::format(&text) {
            Ok(formatted) => formatted,
            Err(_) => {
                assert!(
                    parse.has_errors(),
                    "{}: a file that parses formats",
                    name(&path)
                );
                continue;
            }
        };
        let again = slac_syntax::parse(FileId::new(0), &formatted);
        assert!(
            !again.has_errors(),
            "{}: the formatted text parses:\n{formatted}",
            name(&path)
        );
        let comments = |tree: &slac_syntax::SyntaxTree, text: &str| -> Vec<String> {
            tree.comments
                .iter()
                .map(|c| text.get(c.span.range()).unwrap_or("").trim_end().to_owned())
                .collect()
        };
        assert_eq!(
            comments(&again.tree, &formatted),
            comments(&parse.tree, &text),
            "{}: fmt keeps every comment",
            name(&path)
        );
        assert_eq!(
            slac_fmt::format(&formatted).ok().as_deref(),
            Some(formatted.as_str()),
            "{}: formatting twice changes nothing",
            name(&path)
        );
        let (before, after) = (check_text(&text), check_text(&formatted));
        let codes = |w: &Workspace| {
            let mut codes: Vec<&str> = w.diagnostics.iter().map(|d| d.code.as_str()).collect();
            codes.sort_unstable();
            codes
        };
        assert_eq!(codes(&after), codes(&before), "{}", name(&path));
        assert_eq!(
            serde_json::to_value(&after.model).ok(),
            serde_json::to_value(&before.model).ok(),
            "{}: fmt changes what the file means",
            name(&path)
        );
        assert_reports(&path, &before);
    }
}

#[test]
fn calendar_fixtures_keep_the_engine_invariants() {
    let files = fixtures("calendar");
    assert!(!files.is_empty(), "the calendar scenarios are there");
    for path in files {
        let text = fs::read_to_string(&path).expect("a calendar fixture is UTF-8");
        let queries = invariants::Queries::parse(&text)
            .unwrap_or_else(|| panic!("{}: no `// start …` line", name(&path)));
        let workspace = check_text(&text);
        assert!(
            !workspace.has_errors(),
            "{}: the scenario's calendar checks: {:?}",
            name(&path),
            workspace.diagnostics
        );
        let model = &workspace.model;
        let calendar = model
            .calendars
            .get("fuzzed")
            .unwrap_or_else(|| panic!("{}: no calendar `fuzzed`", name(&path)));
        let engine = BusinessCalendar::new(calendar.spec(model));
        invariants::check(&engine, &queries);
    }
}
