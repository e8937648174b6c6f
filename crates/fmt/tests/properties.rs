//! Formatting every `.sla` file of the workspace (fixtures, examples, the reference's examples)
//! is idempotent and keeps the tree and the comments; a file with syntax errors is refused.

mod common;

use common::{check_format, inputs_dir, parses, sla_files, workspace_root};

/// Formats every file of `dirs` that parses; returns how many did.
fn check_every_file(dirs: &[std::path::PathBuf]) -> usize {
    let mut checked = 0;
    for dir in dirs {
        for path in sla_files(dir) {
            let source = std::fs::read_to_string(&path).expect("a fixture is readable");
            if parses(&source) {
                check_format(&path.display().to_string(), &source);
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn workspace_fixtures_and_examples_are_stable() {
    let root = workspace_root();
    let checked = check_every_file(&[root.join("tests/fixtures"), root.join("examples")]);
    assert!(checked >= 5, "only {checked} fixture files parse");
}

#[test]
fn reference_examples_are_stable() {
    let checked = check_every_file(&[inputs_dir().join("spec")]);
    assert!(
        checked >= 7,
        "only {checked} examples of the reference parse"
    );
}

#[test]
fn a_file_with_syntax_errors_is_refused_with_its_diagnostics() {
    let source = "party p {\n  name \"P\"\n  kind\n}\n";
    let error = slac_fmt::format(source).expect_err("a file with errors is not formatted");
    assert!(!error.diagnostics.is_empty());
    assert!(error
        .diagnostics
        .iter()
        .all(|diagnostic| diagnostic.code == slac_diagnostics::Code::E001));
    assert!(error.to_string().contains("syntax errors"));
}

#[test]
fn a_missing_brace_is_refused() {
    let source = "party p {\n  name \"P\"\n\nparty q {\n  name \"Q\"\n}\n";
    assert!(slac_fmt::format(source).is_err());
}

#[test]
fn empty_and_blank_files_stay_empty() {
    for source in ["", "\n", "  \n\t\n", "\u{feff}"] {
        assert_eq!(slac_fmt::format(source).as_deref(), Ok(""), "{source:?}");
    }
}

#[test]
fn comment_only_files_keep_their_comments() {
    let source = "// one   \r\n\n\n// two\r\n/// three";
    assert_eq!(
        check_format("comments", source),
        "// one\n\n// two\n/// three\n"
    );
}
