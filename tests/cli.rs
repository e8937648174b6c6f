//! The `slac` binary as a user meets it: `check`, `fmt` and `init` run in temporary folders.
//!
//! It proves that the exit codes follow the contract of `spec/cli.md` (0 clean or warnings
//! only, 1 errors or warnings with `--deny-warnings`, 2 usage or environment problems), that
//! `--format json` prints one object per line with the documented keys, that a command finds
//! the workspace of the folder it runs in or of the path it is given, that `init` makes a
//! workspace that checks clean and never overwrites a file, that `fmt` lays a file out in the
//! canonical layout without losing a comment or changing its meaning, and that the human
//! rendering of diagnostics (snapshots in `tests/snapshots/`) shows the source, the code, the
//! message, the labels and the help without colour codes.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::terminal::assert_shown_escaped;
use support::{slac, slac_with, DEADLINE};
use tempfile::TempDir;

/// Two parties, a calendar and an agreement that checks clean.
const CLEAN: &str = r#"party acme {
  name "Acme Industries SA"
  kind external
  contact support "support@acme.example"
}

party helpdesk {
  name "Service Desk"
  kind internal
}

calendar office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
}

agreement acme_printers {
  title "Printer support for Acme"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider helpdesk
  customer acme

  objective response {
    sli response_time
    calendar office
    target 95%
    window month
    within 1h for priority = P1
    within 4h
  }
}
"#;

/// An agreement whose provider and calendar do not exist (two E002).
const UNKNOWN_REFERENCES: &str = r#"party acme {
  name "Acme Industries SA"
  kind external
}

agreement acme_printers {
  title "Printer support for Acme"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider helpdesk
  customer acme

  objective response {
    sli response_time
    calendar office
    target 95%
    window month
    within 4h
  }
}
"#;

/// A ratio objective aiming at 100%: one W001 and nothing else.
const WARNING_ONLY: &str = r#"party acme {
  name "Acme Industries SA"
  kind external
}

party platform {
  name "Platform team"
  kind internal
}

agreement acme_api {
  title "API for Acme"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider platform
  customer acme

  objective availability {
    sli ratio {
      errors "sum(rate(http_requests_total{code=~\"5..\"}[$window]))"
      total "sum(rate(http_requests_total[$window]))"
    }
    target 100%
    window 30d
  }
}
"#;

/// A temporary folder holding `files` (relative path, text).
fn folder(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        write(&dir.path().join(name), text);
    }
    dir
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("the folder can be created");
    }
    fs::write(path, text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// A copy of `from` (a folder) at `to`.
fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("the folder can be created");
    for entry in fs::read_dir(from).expect("the folder can be listed") {
        let path = entry.expect("an entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_folder(&path, &target);
        } else {
            fs::copy(&path, &target).expect("the file can be copied");
        }
    }
}

/// The `.sla` files below `dir` with their text, sorted by path.
fn sla_texts(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).expect("the folder can be listed") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            found.extend(sla_texts(&path));
        } else if path.extension().is_some_and(|e| e == "sla") {
            let text = read(&path);
            found.push((path, text));
        }
    }
    found.sort();
    found
}

/// The diagnostics printed by `check --format json`, one parsed object per line.
fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("not a JSON line ({error}): {line}"))
        })
        .collect()
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().expect("a code"))
        .collect()
}

/// How many `//` comments (line, doc and trailing) a text holds.
fn comment_count(text: &str) -> usize {
    text.matches("//").count()
}

// ---------------------------------------------------------------------------------------------
// slac check: exit codes

#[test]
fn check_exits_0_on_the_examples_workspace() {
    let cwd = tempfile::tempdir().expect("a temporary folder");
    let examples = examples();
    let run = slac(
        cwd.path(),
        &["check", examples.to_str().expect("a UTF-8 path")],
    );
    run.assert_code(0);
    assert!(
        run.stderr.contains("no problems"),
        "the summary says the examples are clean:\n{}",
        run.stderr
    );
    let json = slac(
        cwd.path(),
        &[
            "check",
            "--format",
            "json",
            examples.to_str().expect("a UTF-8 path"),
        ],
    );
    json.assert_code(0);
    assert_eq!(json.stdout, "", "no diagnostic on the examples");
}

#[test]
fn check_exits_1_when_the_input_has_errors() {
    let dir = folder(&[("slac.toml", ""), ("printers.sla", UNKNOWN_REFERENCES)]);
    let run = slac(dir.path(), &["check"]);
    run.assert_code(1);
    assert!(run.stderr.contains("E002"), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown party `helpdesk`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("2 errors, 0 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_exits_0_with_warnings_only_and_1_with_deny_warnings() {
    let dir = folder(&[("slac.toml", ""), ("api.sla", WARNING_ONLY)]);
    let run = slac(dir.path(), &["check"]);
    run.assert_code(0);
    assert!(run.stderr.contains("W001"), "{}", run.stderr);
    assert!(run.stderr.contains("0 errors, 1 warning"), "{}", run.stderr);

    let denied = slac(dir.path(), &["check", "--deny-warnings"]);
    denied.assert_code(1);
    assert!(denied.stderr.contains("W001"), "{}", denied.stderr);
}

#[test]
fn check_exits_2_on_a_path_that_does_not_exist() {
    let dir = folder(&[]);
    let run = slac(dir.path(), &["check", "no-such-folder"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("no-such-folder"),
        "the message names the path:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn check_exits_2_on_an_unknown_output_format() {
    let dir = folder(&[("a.sla", CLEAN)]);
    let run = slac(dir.path(), &["check", "--format", "xml"]);
    run.assert_code(2);
    assert!(run.stderr.contains("xml"), "{}", run.stderr);
    assert!(
        run.stderr.contains("human") && run.stderr.contains("json"),
        "the message lists the formats that exist:\n{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn check_exits_2_when_slac_today_is_not_a_date() {
    let dir = folder(&[("a.sla", CLEAN)]);
    let run = slac_with(
        dir.path(),
        &["check"],
        &[("SLAC_TODAY", "next tuesday")],
        DEADLINE,
    );
    run.assert_code(2);
    assert!(run.stderr.contains("SLAC_TODAY"), "{}", run.stderr);
    assert!(run.stderr.contains("next tuesday"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// slac check --format json

/// `UNKNOWN_REFERENCES` without its party: an agreement whose provider and calendar do not exist.
fn agreement_only() -> &'static str {
    &UNKNOWN_REFERENCES[UNKNOWN_REFERENCES.find("agreement").expect("an agreement")..]
}

#[test]
fn json_lines_carry_the_documented_keys() {
    let duplicate = r#"party acme {
  name "Acme Industries SA"
  kind external
}

party acme {
  name "Acme Holding"
  kind external
}
"#;
    let dir = folder(&[
        ("slac.toml", ""),
        ("printers.sla", agreement_only()),
        ("parties.sla", duplicate),
        (
            "api.sla",
            &WARNING_ONLY[WARNING_ONLY.find("party platform").expect("a party")..],
        ),
    ]);
    let run = slac(dir.path(), &["check", "--format", "json"]);
    run.assert_code(1);
    assert_eq!(run.stderr, "", "JSON output keeps stderr quiet");
    let diagnostics = json_lines(&run.stdout);
    let mut found = codes(&diagnostics);
    found.sort_unstable();
    assert!(
        found.contains(&"E002") && found.contains(&"E003") && found.contains(&"W001"),
        "{found:?}"
    );

    let keys = [
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "labels",
        "help",
    ];
    let label_keys = [
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
    ];
    for diagnostic in &diagnostics {
        let object = diagnostic.as_object().expect("each line is an object");
        let mut names: Vec<&str> = object.keys().map(String::as_str).collect();
        names.sort_unstable();
        let mut expected = keys.to_vec();
        expected.sort_unstable();
        assert_eq!(names, expected, "{diagnostic}");
        assert!(
            ["error", "warning"].contains(&diagnostic["severity"].as_str().expect("a string")),
            "{diagnostic}"
        );
        assert!(diagnostic["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert!(diagnostic["file"]
            .as_str()
            .is_some_and(|f| f.ends_with(".sla")));
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(
                diagnostic[key].as_u64().is_some_and(|n| n >= 1),
                "{key} is a 1-based position: {diagnostic}"
            );
        }
        assert!(diagnostic["help"].is_null() || diagnostic["help"].is_string());
        for label in diagnostic["labels"].as_array().expect("labels are a list") {
            let mut names: Vec<&str> = label
                .as_object()
                .expect("a label is an object")
                .keys()
                .map(String::as_str)
                .collect();
            names.sort_unstable();
            let mut expected = label_keys.to_vec();
            expected.sort_unstable();
            assert_eq!(names, expected, "{label}");
        }
    }

    // The positions are those of the offending text: `helpdesk` on line 6, column 12.
    let provider = diagnostics
        .iter()
        .find(|d| d["message"] == "unknown party `helpdesk`")
        .expect("the unknown provider is reported");
    assert_eq!(provider["file"], "printers.sla");
    assert_eq!(
        (
            &provider["line"],
            &provider["column"],
            &provider["end_line"],
            &provider["end_column"]
        ),
        (
            &Value::from(6),
            &Value::from(12),
            &Value::from(6),
            &Value::from(20)
        )
    );
    // The duplicate points at the second `acme` and labels the first.
    let duplicate = diagnostics
        .iter()
        .find(|d| d["code"] == "E003")
        .expect("the duplicate is reported");
    assert_eq!(duplicate["line"], 6);
    let labels = duplicate["labels"].as_array().expect("labels");
    assert!(
        labels.iter().any(|l| l["line"] == 1 && l["column"] == 7),
        "{duplicate}"
    );
}

// ---------------------------------------------------------------------------------------------
// Which files a command works on

const HELPDESK: &str = "party helpdesk {\n  name \"Service Desk\"\n  kind internal\n}\n";

#[test]
fn no_path_means_the_workspace_of_the_current_folder() {
    let dir = folder(&[
        ("slac.toml", ""),
        ("parties.sla", HELPDESK),
        ("contracts/printers.sla", UNKNOWN_REFERENCES),
    ]);
    // `helpdesk` is declared in the root's parties.sla, so only the calendar is unknown.
    for cwd in [dir.path().to_path_buf(), dir.path().join("contracts")] {
        let run = slac(&cwd, &["check", "--format", "json"]);
        run.assert_code(1);
        let diagnostics = json_lines(&run.stdout);
        assert_eq!(
            codes(&diagnostics),
            ["E002"],
            "in {}: {}",
            cwd.display(),
            run.stdout
        );
        assert_eq!(diagnostics[0]["message"], "unknown calendar `office`");
        let human = slac(&cwd, &["check"]);
        assert!(human.stderr.contains("checked 2 files"), "{}", human.stderr);
    }
}

#[test]
fn a_path_inside_a_workspace_checks_the_whole_workspace() {
    let dir = folder(&[
        ("ws/slac.toml", ""),
        ("ws/parties.sla", HELPDESK),
        ("ws/contracts/printers.sla", UNKNOWN_REFERENCES),
    ]);
    for path in ["ws/contracts", "ws/contracts/printers.sla"] {
        let run = slac(dir.path(), &["check", "--format", "json", path]);
        run.assert_code(1);
        let diagnostics = json_lines(&run.stdout);
        assert_eq!(
            codes(&diagnostics),
            ["E002"],
            "`slac check {path}` sees ws/parties.sla, where `helpdesk` is:\n{}",
            run.stdout
        );
        assert_eq!(diagnostics[0]["message"], "unknown calendar `office`");
    }
}

#[test]
fn a_single_file_outside_any_workspace_is_checked_alone() {
    let dir = folder(&[("a.sla", CLEAN), ("b.sla", UNKNOWN_REFERENCES)]);
    assert!(
        dir.path()
            .ancestors()
            .all(|folder| !folder.join("slac.toml").exists()),
        "the temporary folder must not be inside a workspace"
    );
    let a = dir.path().join("a.sla");
    let run = slac(dir.path(), &["check", a.to_str().expect("a UTF-8 path")]);
    run.assert_code(0);
    assert!(run.stderr.contains("checked 1 file"), "{}", run.stderr);
    assert!(!run.stderr.contains("E002"), "b.sla is not looked at");

    // The whole folder, by contrast, has b.sla's errors (and a duplicate `acme`).
    let whole = slac(dir.path(), &["check"]);
    whole.assert_code(1);
}

#[test]
fn a_bare_file_name_inside_a_workspace_finds_its_root() {
    let dir = folder(&[
        ("slac.toml", ""),
        ("parties.sla", HELPDESK),
        ("printers.sla", UNKNOWN_REFERENCES),
    ]);
    let run = slac(dir.path(), &["check", "--format", "json", "printers.sla"]);
    let diagnostics = json_lines(&run.stdout);
    assert_eq!(
        codes(&diagnostics),
        ["E002"],
        "`slac check printers.sla` at the root sees parties.sla, where `helpdesk` is:\n{}",
        run.stdout
    );
}

#[test]
fn the_summary_names_a_folder_for_a_bare_file_name() {
    let dir = folder(&[("a.sla", CLEAN)]);
    let run = slac(dir.path(), &["check", "a.sla"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("checked 1 file in .: no problems"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// slac init

#[test]
fn init_creates_a_workspace_that_checks_clean() {
    let dir = folder(&[]);
    let run = slac(dir.path(), &["init", "desk"]);
    run.assert_code(0);
    let desk = dir.path().join("desk");
    for name in ["slac.toml", "agreements.sla", ".gitignore"] {
        assert!(desk.join(name).is_file(), "init creates {name}");
        assert!(run.stdout.contains(name), "init says it created {name}");
    }
    assert!(
        comment_count(&read(&desk.join("agreements.sla"))) > 0,
        "the example agreement is commented"
    );
    assert!(read(&desk.join(".gitignore")).contains("build"));

    let check = slac(dir.path(), &["check", "--format", "json", "desk"]);
    check.assert_code(0);
    assert_eq!(check.stdout, "", "the new workspace has no diagnostic");
    let human = slac(&desk, &["check"]);
    human.assert_code(0);
    assert!(human.stderr.contains("no problems"), "{}", human.stderr);
}

#[test]
fn init_in_the_current_folder_then_check_there() {
    let dir = folder(&[]);
    slac(dir.path(), &["init"]).assert_code(0);
    assert!(dir.path().join("slac.toml").is_file());
    let check = slac(dir.path(), &["check", "--format", "json"]);
    check.assert_code(0);
    assert_eq!(check.stdout, "");
}

#[test]
fn init_twice_keeps_existing_files_byte_for_byte() {
    let dir = folder(&[]);
    slac(dir.path(), &["init", "desk"]).assert_code(0);
    let desk = dir.path().join("desk");
    let custom_config = "# my own settings\n[workspace]\nout = \"generated\"\n";
    let custom_agreements = "// my own agreements, not the example\r\n";
    write(&desk.join("slac.toml"), custom_config);
    write(&desk.join("agreements.sla"), custom_agreements);
    let gitignore = read(&desk.join(".gitignore"));

    let again = slac(dir.path(), &["init", "desk"]);
    again.assert_code(0);
    assert_eq!(read(&desk.join("slac.toml")), custom_config);
    assert_eq!(read(&desk.join("agreements.sla")), custom_agreements);
    assert_eq!(read(&desk.join(".gitignore")), gitignore);
    assert!(again.stdout.contains("kept"), "{}", again.stdout);
}

#[test]
fn init_writes_files_that_are_already_formatted() {
    let dir = folder(&[]);
    slac(dir.path(), &["init"]).assert_code(0);
    let run = slac(dir.path(), &["fmt", "--check"]);
    assert_eq!(
        run.stdout, "",
        "no file of a new workspace needs formatting"
    );
    run.assert_code(0);
}

// ---------------------------------------------------------------------------------------------
// slac fmt

/// Every field on a line of its own is the canonical layout; comments sit anywhere.
const MESSY: &str = "// Parties of the desk.
party   acme {name \"Acme Industries SA\"   kind external
contact support \"support@acme.example\"}
/// The provider.
party helpdesk { name \"Service Desk\" kind internal }



calendar office {
\ttimezone \"Europe/Paris\"    open mon-fri 08:00-17:00   // business hours
}
agreement acme_printers { title \"Printer support\"
  kind customer version 1.0.0 effective from 2026-01-01
  provider helpdesk customer acme
      // The one objective.
  objective response { sli response_time calendar office target 95% window month
    within 1h for priority = P1
    within 4h }
}
";

const CANONICAL: &str = "// Parties of the desk.
party acme {
  name \"Acme Industries SA\"
  kind external
  contact support \"support@acme.example\"
}

/// The provider.
party helpdesk {
  name \"Service Desk\"
  kind internal
}

calendar office {
  timezone \"Europe/Paris\"
  open mon-fri 08:00-17:00 // business hours
}

agreement acme_printers {
  title \"Printer support\"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider helpdesk
  customer acme
  // The one objective.
  objective response {
    sli response_time
    calendar office
    target 95%
    window month
    within 1h for priority = P1
    within 4h
  }
}
";

#[test]
fn fmt_rewrites_a_messy_file_in_the_canonical_layout_keeping_every_comment() {
    let dir = folder(&[("slac.toml", ""), ("desk.sla", MESSY)]);
    let file = dir.path().join("desk.sla");
    let run = slac(dir.path(), &["fmt"]);
    run.assert_code(0);
    assert!(run.stdout.contains("desk.sla"), "fmt names what it rewrote");
    let formatted = read(&file);
    assert_eq!(
        comment_count(&formatted),
        comment_count(MESSY),
        "{formatted}"
    );
    assert_eq!(formatted, CANONICAL);

    // The second run finds nothing to do and leaves the file as it is.
    let second = slac(dir.path(), &["fmt"]);
    second.assert_code(0);
    assert_eq!(second.stdout, "", "nothing is reformatted twice");
    assert_eq!(read(&file), CANONICAL);

    // The layout does not change what the file means.
    let check = slac(dir.path(), &["check", "--format", "json"]);
    check.assert_code(0);
    assert_eq!(check.stdout, "");
}

#[test]
fn fmt_check_lists_the_files_that_would_change_and_touches_none() {
    let dir = folder(&[
        ("slac.toml", ""),
        ("messy.sla", MESSY),
        ("tidy.sla", &CANONICAL.replace("acme", "globex")),
    ]);
    let run = slac(dir.path(), &["fmt", "--check"]);
    run.assert_code(1);
    assert!(run.stdout.contains("messy.sla"), "{}", run.stdout);
    assert!(!run.stdout.contains("tidy.sla"), "{}", run.stdout);
    assert_eq!(read(&dir.path().join("messy.sla")), MESSY);

    let tidy = slac(dir.path(), &["fmt", "--check", "tidy.sla"]);
    tidy.assert_code(0);
    assert_eq!(tidy.stdout, "");
}

#[test]
fn fmt_check_exits_0_on_formatted_files() {
    let dir = folder(&[("slac.toml", ""), ("desk.sla", CANONICAL)]);
    let run = slac(dir.path(), &["fmt", "--check"]);
    run.assert_code(0);
    assert_eq!(run.stdout, "");
}

#[test]
fn fmt_leaves_a_file_with_a_syntax_error_untouched() {
    let broken =
        "party acme {\n   name    \"Acme\"\n  kind\n}\n\nparty   helpdesk { name \"H\" }\n";
    let dir = folder(&[
        ("slac.toml", ""),
        ("broken.sla", broken),
        ("messy.sla", MESSY),
    ]);
    let run = slac(dir.path(), &["fmt"]);
    run.assert_code(1);
    assert_eq!(
        fs::read(dir.path().join("broken.sla")).expect("readable"),
        broken.as_bytes(),
        "a file that does not parse is never rewritten"
    );
    assert!(run.stderr.contains("E001"), "{}", run.stderr);
    assert!(run.stderr.contains("broken.sla"), "{}", run.stderr);
    // The other files of the run are still formatted.
    assert_eq!(read(&dir.path().join("messy.sla")), CANONICAL);
}

#[test]
fn fmt_never_changes_what_the_examples_mean() {
    let dir = folder(&[]);
    let copy = dir.path().join("examples");
    copy_folder(&examples(), &copy);
    let before = sla_texts(&copy);
    let comments_before: usize = before.iter().map(|(_, text)| comment_count(text)).sum();

    slac(dir.path(), &["fmt", "examples"]).assert_code(0);
    let after = sla_texts(&copy);
    let comments_after: usize = after.iter().map(|(_, text)| comment_count(text)).sum();
    assert_eq!(comments_after, comments_before, "fmt keeps every comment");

    let check = slac(dir.path(), &["check", "--format", "json", "examples"]);
    check.assert_code(0);
    assert_eq!(check.stdout, "", "the formatted examples check clean");
    slac(dir.path(), &["fmt", "--check", "examples"]).assert_code(0);
}

// ---------------------------------------------------------------------------------------------
// Human rendering

/// The stderr of `slac check` in a workspace holding `source` as `contract.sla`, with the
/// temporary folder replaced by `[TMP]`.
fn rendered(source: &str) -> String {
    let dir = folder(&[("slac.toml", ""), ("contract.sla", source)]);
    let run = slac(
        dir.path(),
        &["check", dir.path().to_str().expect("a UTF-8 path")],
    );
    run.assert_code(1);
    assert!(
        !run.stderr.contains('\u{1b}'),
        "no colour codes with NO_COLOR set and no terminal"
    );
    let root = dir.path().to_str().expect("a UTF-8 path");
    let canonical = dir.path().canonicalize().expect("the folder exists");
    run.stderr
        .replace(canonical.to_str().expect("a UTF-8 path"), "[TMP]")
        .replace(root, "[TMP]")
}

fn assert_rendering(name: &str, source: &str) {
    let stderr = rendered(source);
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, stderr);
    });
}

#[test]
fn renders_an_unknown_reference_with_a_suggestion() {
    assert_rendering(
        "unknown_reference",
        r#"holidays france {
  annual 07-14 "Fête nationale"
}

calendar paris_office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
  closed frnace
}
"#,
    );
}

#[test]
fn renders_a_missing_brace_and_the_next_declarations_error() {
    assert_rendering(
        "missing_brace",
        r#"party helpdesk {
  name "Service Desk"
  kind internal

party acme {
  name "Acme Industries SA"
  kind external
}

service printers {
  name "Printer support"
  owner helpdek
}
"#,
    );
}

#[test]
fn renders_a_duplicate_with_its_first_declaration() {
    assert_rendering(
        "duplicate_declaration",
        r#"party acme {
  name "Acme Industries SA"
  kind external
}

party acme {
  name "Acme Holding"
  kind external
}
"#,
    );
}

#[test]
fn renders_a_supporting_objective_weaker_than_the_one_it_supports() {
    assert_rendering(
        "supporting_weaker",
        r#"party acme {
  name "Acme Industries SA"
  kind external
}

party helpdesk {
  name "Service Desk"
  kind internal
}

party network {
  name "Network team"
  kind internal
}

agreement acme_desk {
  title "Service desk for Acme"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider helpdesk
  customer acme
  objective response {
    sli response_time
    target 95%
    window month
    within 1h
  }
}

agreement network_ola {
  title "Network team OLA"
  kind operational
  version 1.0.0
  effective from 2026-01-01
  provider network
  customer helpdesk
  objective dispatch {
    sli response_time
    target 90%
    window month
    within 2h
    supports acme_desk.response
  }
}
"#,
    );
}

// ─── Control characters from the input ──────────────────────────────────────

/// A workspace whose agreement's title holds terminal escapes, with an error after them on the
/// same line and an unknown reference on the next.
fn escapes_workspace() -> TempDir {
    let hostile = support::terminal::HOSTILE;
    folder(&[(
        "a.sla",
        &format!(
            "party prov {{\n  name \"P\"\n}}\n\nagreement a {{\n  title \"{hostile}\" oops\n  \
             kind customer\n  version 1.0.0\n  effective 2026-01-01 to 2026-12-31\n  \
             provider prov\n  customer nobody\n}}\n"
        ),
    )])
}

#[test]
fn control_characters_in_the_input_reach_the_terminal_escaped() {
    let dir = escapes_workspace();
    for colour in ["never", "always"] {
        let run = slac(dir.path(), &["check", "--color", colour]);
        run.assert_code(1);
        let coloured = colour == "always";
        assert_shown_escaped(&format!("stderr, --color {colour}"), &run.stderr, coloured);
        assert!(
            !run.stdout.contains('\u{1b}'),
            "stdout, --color {colour}: {:?}",
            run.stdout
        );
    }
}

#[test]
fn the_underline_stays_under_the_text_after_escaped_characters() {
    let dir = escapes_workspace();
    let run = slac(dir.path(), &["check"]);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\" oops"))
        .unwrap_or_else(|| panic!("no snippet line in:\n{}", run.stderr));
    let column = |line: &str, what: &str| line[..line.find(what).unwrap()].chars().count();
    let word = column(lines[at], "oops");
    let mark = lines[at + 1]
        .chars()
        .position(|c| matches!(c, '─' | '┬' | '^'))
        .unwrap_or_else(|| panic!("no underline in:\n{}", run.stderr));
    assert_eq!(
        word, mark,
        "the underline is not under `oops`:\n{}",
        run.stderr
    );
}

#[test]
fn the_place_of_a_diagnostic_counts_the_file_not_the_escapes() {
    let run = slac(escapes_workspace().path(), &["check"]);
    // `oops` is at byte 40 of line 6 in the file, after 29 bytes of escapes and text.
    assert!(
        run.stderr.contains("a.sla:6:41]"),
        "not the file's column in:\n{}",
        run.stderr
    );
}
